"""`review migrate --to URL`: SQLite -> PostgreSQL -> SQLite keeps every row, and the exports match."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from postgres import fresh_database
from review.cli import main
from review.records import Record
from review.store import screening as screening_store
from review.store.core import Store
from review.store.errors import StoreMoved
from review.store.sessions import claim_session
from review.store.transfer import content_hashes
from review.workspace import Workspace, init_workspace


def _run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["-w", str(root), *args])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return result.output


def _exports(root: Path, tag: str) -> tuple[str, str]:
    _run(root, "export", "records", str(root / f"records-{tag}.csv"))
    _run(root, "export", "decisions", str(root / f"decisions-{tag}.csv"))
    return ((root / f"records-{tag}.csv").read_text(encoding="utf-8"),
            (root / f"decisions-{tag}.csv").read_text(encoding="utf-8"))


def _filled(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws", title="Round trip", reviewers=["alice", "bob"], seed=3)
    records = [Record(title=f"Sick leave and depression {i}", abstract="Äbstract – ünïcode", authors=["Ann Bee"],
                      year=2000 + i, doi=f"10.1/{i}", keywords=["k"], extra={"n": i}) for i in range(12)]
    ws.store.add_batch(records, file_name="f.ris", file_sha256="z" * 64, source_name="PubMed",
                       format="ris", encoding="utf-8")
    ids = [r.id for r in ws.store.records()]
    for i, record_id in enumerate(ids[:8]):
        ws.store.add_decision(record_id, "alice", "include" if i % 3 == 0 else "exclude",
                              reasons=["population"] if i % 3 else [], note=f"n{i}", model_rank=i,
                              model_info={"model": "nb", "seed": 3})
    ws.store.undo_last("alice")
    ws.store.add_decision(ids[0], "bob", "maybe")
    screening_store.save_ranking(ws.store, "alice", order=ids[::-1], probabilities=[0.5] * len(ids),
                                 model_info={"model": "nb"}, n_labelled=7, seed=3, seconds=0.25)
    return ws


def _answer_in_local_time(pg_url: str) -> None:
    """The server answers in a zone other than UTC, as a team's server set to local time does."""
    import sqlalchemy as sa

    from review.store.opening import engine_url

    url = engine_url(pg_url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{url.database}" SET timezone TO \'Europe/Amsterdam\'')
    engine.dispose()


def test_round_trip_sqlite_postgresql_sqlite_keeps_exports_identical(tmp_path: Path) -> None:
    ws = _filled(tmp_path)
    root = ws.root
    before = _exports(root, "before")
    with ws.store.connect() as conn:
        hashes_before = content_hashes(conn)
    ws.store.engine.dispose()
    with fresh_database() as pg_url:
        _answer_in_local_time(pg_url)
        out = _run(root, "migrate", "--to", pg_url)
        assert "content hash" in out and "screening_decisions" in out
        assert 'database_url = "postgresql://' in (root / "review.toml").read_text(encoding="utf-8")
        on_pg = _exports(root, "pg")
        # Times are written in one form on both engines (UTC, explicit offset): a committed
        # decisions export does not change after a migration.
        assert on_pg[1] == before[1]
        # Ids continue after the copied ones on PostgreSQL.
        pg_ws = Workspace(root)
        new = pg_ws.store.add_decision(pg_ws.store.records()[-1].id, "bob", "exclude")
        assert new.id == max(d.id for d in pg_ws.store.decisions()) and new.id > 9
        pg_ws.store.undo_last("bob")
        pg_ws.store.engine.dispose()
        back = f"sqlite:///{root / 'back.db'}"
        _run(root, "migrate", "--to", back)
    config = (root / "review.toml").read_text(encoding="utf-8")
    assert 'database = "back.db"' in config and "database_url" not in config
    after = _exports(root, "after")
    assert on_pg[0] == before[0] and after[0] == before[0]
    stamps = [row["created_at"] for row in csv.DictReader(io.StringIO(after[1]))]
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", s) for s in stamps), stamps
    decisions_before = before[1].splitlines()
    assert after[1].splitlines()[: len(decisions_before)] == decisions_before
    assert len(after[1].splitlines()) == len(decisions_before) + 2  # bob's decision and its undo
    back_ws = Workspace(root)
    with back_ws.store.connect() as conn:
        hashes_after = content_hashes(conn)
    assert hashes_after["records"] == hashes_before["records"]
    assert hashes_after["screening_rankings"] == hashes_before["screening_rankings"]
    assert hashes_after["last_ranking"] == hashes_before["last_ranking"]


def test_migrate_refuses_a_target_that_is_not_empty(tmp_path: Path) -> None:
    ws = _filled(tmp_path)
    other = init_workspace(tmp_path / "other", title="Other")
    other.store.add_batch([Record(title="x")], file_name="g.ris", file_sha256="w" * 64, source_name="db",
                          format="ris", encoding="utf-8")
    target = other.database_url
    with other.store.connect() as conn:
        other_before = content_hashes(conn)
    other.store.engine.dispose()
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", target])
    assert result.exit_code != 0 and "not empty" in result.stderr
    assert "database_url" not in (ws.root / "review.toml").read_text(encoding="utf-8")
    other = Workspace(other.root)
    with other.store.connect() as conn:
        assert content_hashes(conn) == other_before  # the other review's store is untouched


def _refuse_every_copy(monkeypatch) -> None:
    """The target's side hashes differently, as a copy that lost something would."""
    import review.store.transfer as transfer

    real = transfer.content_hashes
    calls: list[int] = []

    def tampered(conn):  # type: ignore[no-untyped-def]
        hashes = real(conn)
        calls.append(1)
        if len(calls) % 2 == 0:  # source first, then target
            hashes["records"] = (hashes["records"][0], "0" * 64)
        return hashes

    monkeypatch.setattr(transfer, "content_hashes", tampered)


def test_a_refused_migration_leaves_the_target_as_it_was(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from review.store.opening import engine_url

    ws = _filled(tmp_path)
    config_before = (ws.root / "review.toml").read_text(encoding="utf-8")
    ws.store.engine.dispose()
    _refuse_every_copy(monkeypatch)
    new_file = tmp_path / "elsewhere" / "review.db"
    new_file.parent.mkdir()
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", f"sqlite:///{new_file}"])
    assert result.exit_code != 0 and "migration refused" in result.stderr
    assert list(new_file.parent.iterdir()) == []  # the SQLite file it created is gone
    with fresh_database() as pg_url:
        result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", pg_url])
        assert result.exit_code != 0 and "migration refused" in result.stderr
        engine = sa.create_engine(engine_url(pg_url))
        try:
            assert sa.inspect(engine).get_table_names() == []  # no empty tables left behind
        finally:
            engine.dispose()
    assert (ws.root / "review.toml").read_text(encoding="utf-8") == config_before


def test_review_database_url_that_outlives_a_migration_is_said_plainly(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws = _filled(tmp_path)
    old_url = ws.database_url
    ws.store.engine.dispose()
    monkeypatch.setenv("REVIEW_DATABASE_URL", old_url)
    assert "store " not in _run(ws.root, "status")  # the variable names the store review.toml names
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", f"sqlite:///{ws.root / 'moved.db'}"])
    assert result.exit_code == 0, result.output
    assert 'database = "moved.db"' in (ws.root / "review.toml").read_text(encoding="utf-8")
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("review: warning: REVIEW_DATABASE_URL is set: commands use sqlite:///")
    assert "moved.db" in warning and "unset it" in warning
    # The old store the variable still names refuses every command, saying why.
    result = CliRunner().invoke(main, ["-w", str(ws.root), "status"])
    (line,) = result.stderr.splitlines()
    assert result.exit_code == 7 and "moved to sqlite:///" in line and "REVIEW_DATABASE_URL is set" in line
    assert "unset it" in line
    monkeypatch.delenv("REVIEW_DATABASE_URL")
    assert "store " not in _run(ws.root, "status")


def test_a_relative_sqlite_target_is_written_down_as_an_absolute_path(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # review.toml once kept 'sqlite:///moved.db' as typed: each later command opened (and created)
    # an empty moved.db in its own working directory, and the review looked gone.
    ws = _filled(tmp_path)
    ws.store.engine.dispose()
    (tmp_path / "shell").mkdir()
    monkeypatch.chdir(tmp_path / "shell")
    out = _run(ws.root, "migrate", "--to", "sqlite:///moved.db")
    target = tmp_path / "shell" / "moved.db"
    assert f"sqlite:///{target}" in out and target.is_file()
    assert f'database_url = "sqlite:///{target}"' in (ws.root / "review.toml").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert "12 records" in _run(ws.root, "status")
    assert not (tmp_path / "moved.db").exists()


def test_a_target_review_cannot_use_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    ws = _filled(tmp_path)
    ws.store.engine.dispose()
    config_before = (ws.root / "review.toml").read_text(encoding="utf-8")
    for url, words in (("sqlite://", "names no file"), ("mysql://u@host/db", "not a store review can use")):
        result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", url])
        assert result.exit_code == 1
        (line,) = result.stderr.splitlines()
        assert line.startswith("review: database URL") and words in line
    assert (ws.root / "review.toml").read_text(encoding="utf-8") == config_before


def test_a_migration_killed_after_its_copy_finishes_when_run_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The window between the copy's commit and review.toml's rewrite: the same command finishes
    (the target holds exactly this review), with no manual repair; a changed source is still refused."""
    import review.workspace as workspace_module

    ws = _filled(tmp_path)
    target = f"sqlite:///{tmp_path / 'moved.db'}"
    real = workspace_module.set_store_location

    def killed(*args: object) -> None:
        raise SystemExit(-9)

    monkeypatch.setattr(workspace_module, "set_store_location", killed)
    assert CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", target]).exit_code == -9
    assert Workspace(ws.root).database_url != target  # review.toml still names the old store
    # Meanwhile the old store takes nothing: not a decision of a process that opened it before,
    # not a window opened now; each is one line naming the new store and how to finish the move.
    refused = CliRunner().invoke(main, ["-w", str(ws.root), "-r", "bob", "decide", str(ws.store.records()[9].id),
                                        "--include"])
    assert refused.exit_code == 7 and f"moved to {target}" in refused.stderr
    assert f"review migrate --to {target}" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    with pytest.raises(StoreMoved):
        ws.store.add_decision(ws.store.records()[9].id or 0, "bob", "include")
    with pytest.raises(StoreMoved):
        claim_session(ws.store, "alice")
    monkeypatch.setattr(workspace_module, "set_store_location", real)
    output = _run(ws.root, "migrate", "--to", target)
    assert "migrated: review.toml now points at" in output
    moved = Workspace(ws.root)
    assert moved.database_url == target and len(moved.store.decisions()) == 10
    # A review that changed since (a decision on the old store, the kill before the copy marked
    # it moved) is not taken for the copy.
    import review.store.transfer as transfer

    other = _filled(tmp_path / "again")
    other_target = f"sqlite:///{tmp_path / 'again.db'}"
    monkeypatch.setattr(workspace_module, "set_store_location", killed)
    monkeypatch.setattr(transfer, "_mark_moved", lambda *args: None)
    CliRunner().invoke(main, ["-w", str(other.root), "migrate", "--to", other_target])
    monkeypatch.setattr(workspace_module, "set_store_location", real)
    monkeypatch.undo()
    other.store.add_decision(other.store.records()[5].id or 0, "bob", "include")
    result = CliRunner().invoke(main, ["-w", str(other.root), "migrate", "--to", other_target])
    assert result.exit_code != 0 and "not empty" in result.stderr


def test_migrate_refuses_while_a_review_window_is_open_on_the_store(tmp_path: Path) -> None:
    """An open TUI would go on saving into the old store after the move, where no one reads them."""
    from review.store.sessions import release_session

    ws = _filled(tmp_path)
    target = f"sqlite:///{tmp_path / 'moved.db'}"
    claim = claim_session(ws.store, "alice")  # (this process: alive, on this host)
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", target])
    assert result.exit_code != 0 and "reviewer 'alice''s window (host " in result.stderr
    assert "close every window" in result.stderr and "search" not in result.stderr
    assert not (tmp_path / "moved.db").exists() and Workspace(ws.root).database_url != target
    release_session(ws.store, claim)
    _run(ws.root, "migrate", "--to", target)
    assert Workspace(ws.root).database_url == target


def test_migrate_refused_while_a_search_runs_says_so_not_close_the_windows(tmp_path: Path) -> None:
    from review.store.sessions import claim_search, release_session

    ws = _filled(tmp_path)
    claim = claim_search(ws.store, "q")
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", f"sqlite:///{tmp_path / 'moved.db'}"])
    release_session(ws.store, claim)
    message = result.stderr.strip()
    assert result.exit_code != 0 and "\n" not in message
    assert "this store is in use (review search of query 'q' (host " in message and "PID" in message
    assert "let every review search end" in message and "window" not in message


def _decide_during_a_copy(ws: Workspace, target: str, monkeypatch) -> tuple[bool, BaseException | None]:  # type: ignore[no-untyped-def]
    """Copy ``ws``'s store to ``target`` while another thread (a ``review decide`` that opened the
    store before) decides once the source's rows are copied; whether that decision returned while
    the copy still held the lock, and what it raised."""
    import threading

    import review.store.transfer as transfer

    record_id = ws.store.records()[0].id or 0
    landed = threading.Event()
    outcome: list[BaseException | None] = []
    real_hashes = transfer.content_hashes
    during: dict[str, object] = {}

    def decide() -> None:
        try:
            ws.store.add_decision(record_id, "bob", "include")
            outcome.append(None)
        except Exception as err:  # the thread's outcome, looked at below
            outcome.append(err)
        landed.set()

    def hashes_with_a_decision_meanwhile(conn):  # type: ignore[no-untyped-def]
        if not during:  # the source's hashes: every row is copied, the commit not yet made
            during["thread"] = thread = threading.Thread(target=decide)
            thread.start()
            during["landed"] = landed.wait(1.0)
        return real_hashes(conn)

    monkeypatch.setattr(transfer, "content_hashes", hashes_with_a_decision_meanwhile)
    report = transfer.copy_store(ws.store, target)
    monkeypatch.undo()
    thread = during["thread"]
    assert isinstance(thread, threading.Thread) and report.same
    thread.join(20)
    assert landed.is_set()
    return bool(during["landed"]), outcome[0]


def _decisions(url: str) -> int:
    from review.store import Store

    store = Store.open(url, moved_ok=True)
    try:
        return len(store.decisions())
    finally:
        store.engine.dispose()


def test_a_decision_that_waited_for_the_copy_is_refused_not_lost_in_the_old_store(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A decide that waited for the copy's lock got it after the copy committed, before review.toml
    was rewritten, and committed into the old store: it returned success, the new store lacked it."""
    ws = init_workspace(tmp_path / "ws", title="Moving", reviewers=["alice", "bob"], seed=3)
    ws.store.add_batch([Record(title=f"Return to work {i}", year=2001) for i in range(3)], file_name="f.ris",
                       file_sha256="y" * 64, source_name="PubMed", format="ris", encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'moved.db'}"
    returned_during_copy, raised = _decide_during_a_copy(ws, target, monkeypatch)
    assert not returned_during_copy and isinstance(raised, StoreMoved) and f"moved to {target}" in str(raised)
    assert _decisions(ws.database_url) == 0 and _decisions(target) == 0
    ws.store.engine.dispose()


def test_a_decision_during_a_copy_from_postgresql_waits_for_its_commit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL review decide locks per reviewer, not the row the copy locks: without the copy's
    table locks a decision landed mid-copy, in the old store, and the hash check refused the move.
    With them it waits, then is refused (the store moved), not saved where nobody reads it."""
    with fresh_database() as pg_url:
        ws = init_workspace(tmp_path / "ws", title="Moving", reviewers=["alice", "bob"], seed=3, database_url=pg_url)
        ws.store.add_batch([Record(title=f"Return to work {i}", year=2001) for i in range(3)], file_name="f.ris",
                           file_sha256="y" * 64, source_name="PubMed", format="ris", encoding="utf-8")
        target = f"sqlite:///{tmp_path / 'moved.db'}"
        returned_during_copy, raised = _decide_during_a_copy(ws, target, monkeypatch)
        assert not returned_during_copy and isinstance(raised, StoreMoved)
        assert _decisions(pg_url) == 0 and _decisions(target) == 0
        ws.store.engine.dispose()


def test_a_claim_on_postgresql_waits_no_longer_than_the_busy_timeout(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A window opening (its session claim) while a long import holds the store's lock: StoreBusy
    after the bound, as on SQLite, not an endless wait."""
    import review.store.core as core
    from review.store import Store
    from review.store.errors import StoreBusy

    with fresh_database() as pg_url:
        init_workspace(tmp_path / "ws", title="Busy", reviewers=["alice"], seed=3, database_url=pg_url)
        monkeypatch.setattr(core, "BUSY_TIMEOUT_MS", 300)
        importer, window = Store.open(pg_url), Store.open(pg_url)
        try:
            with importer.locked_transaction():  # as a long import holds it
                with pytest.raises(StoreBusy, match="busy"):
                    claim_session(window, "alice")
        finally:
            importer.engine.dispose()
            window.engine.dispose()


def test_migrating_back_to_the_store_it_came_from_leaves_one_live_store(tmp_path: Path) -> None:
    # A -> B -> A with nothing written between: A still carried "moved to B" and B got "moved to A",
    # so both stores refused every command, each pointing at the other.
    ws = _filled(tmp_path)
    root = ws.root
    before = _exports(root, "before")
    ws.store.engine.dispose()
    first = root / "review.db"
    _run(root, "migrate", "--to", f"sqlite:///{root / 'b.db'}")
    _run(root, "migrate", "--to", f"sqlite:///{first}")
    assert _exports(root, "after") == before  # the review works, on the first store again
    with pytest.raises(StoreMoved):
        Store.open(f"sqlite:///{root / 'b.db'}")  # b.db is the one left behind


def test_a_copy_and_its_rerun_report_the_same_tables_and_hashes(tmp_path: Path) -> None:
    """The report of a copy and the one of running it again (the target already holds the review)
    are the same: one comparison builds both."""
    from review.store import metadata
    from review.store.transfer import copy_store

    ws = _filled(tmp_path)
    target = f"sqlite:///{tmp_path / 'moved.db'}"
    source = Store.open(ws.database_url, moved_ok=True)
    try:
        first = copy_store(source, target)
        again = copy_store(source, target)  # held rows: the finish path, not a second copy
    finally:
        source.engine.dispose()
    assert first.same and again == first
    assert [t.table for t in first.tables] == sorted(t.name for t in metadata.sorted_tables)
    counts = {t.table: (t.source_rows, t.target_rows) for t in first.tables}
    assert counts["records"] == (12, 12) and counts["screening_decisions"] == (10, 10)


@pytest.mark.parametrize("shape", [
    'review.title = "T"\nreview.reviewers = ["alice"]\nreview.seed = 3\nreview.database = "review.db"\n',
    'review = { title = "T", reviewers = ["alice"], seed = 3, database = "review.db" }\n',
    '["review"]\ntitle = "T"\nreviewers = ["alice"]\nseed = 3\ndatabase = "review.db"\n',
])
def test_a_review_toml_the_editor_cannot_point_elsewhere_is_refused_before_the_copy(tmp_path: Path, shape: str) -> None:
    # The copy marks the old store moved; review.toml was edited after it, and a dotted, inline or
    # quoted [review] made that edit fail: the review was left pointing at a moved store.
    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=3)
    ws.store.add_batch([Record(title="x")], file_name="f.ris", file_sha256="z" * 64, source_name="db",
                       format="ris", encoding="utf-8")
    ws.store.engine.dispose()
    config = ws.root / "review.toml"
    config.write_text("# my settings\n" + shape, encoding="utf-8")
    target = tmp_path / "elsewhere" / "review.db"
    target.parent.mkdir()
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", f"sqlite:///{target}"])
    assert result.exit_code != 0
    assert result.stderr.startswith(f"review: {config}:review.database_url: cannot be set"), result.stderr
    assert result.stderr.endswith(" (line 2)\n"), result.stderr
    # Nothing was copied: the after-copy advice (point review.toml at the target) would open an empty store.
    assert "nothing copied" in result.stderr and "plain table" in result.stderr and "migrate again" in result.stderr
    assert str(target) not in result.stderr and "should hold" not in result.stderr and "line 6" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not target.exists() and config.read_text(encoding="utf-8") == "# my settings\n" + shape
    assert "1 record" in _run(ws.root, "status")  # the old store is not marked moved


def test_a_workspace_folder_that_cannot_be_written_is_refused_before_the_copy(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=3)
    ws.store.add_batch([Record(title="x")], file_name="f.ris", file_sha256="z" * 64, source_name="db",
                       format="ris", encoding="utf-8")
    ws.store.engine.dispose()
    real = tempfile.TemporaryFile

    def read_only(*args, **kwargs):  # a read-only folder (chmod does not bind root, who runs CI here)
        if Path(kwargs.get("dir") or ".") == ws.root:
            raise PermissionError(13, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    target = tmp_path / "elsewhere" / "review.db"
    target.parent.mkdir()
    result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", f"sqlite:///{target}"])
    assert result.exit_code != 0 and "folder not writable" in result.stderr and "nothing copied" in result.stderr
    assert not target.exists()
    monkeypatch.setattr(tempfile, "TemporaryFile", real)
    assert "1 record" in _run(ws.root, "status")  # the old store is not marked moved


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_migrate_refuses_a_database_another_workspace_init_took(tmp_path: Path, engine_name: str) -> None:
    """An empty database another workspace's finished init marked is that workspace's store: migrating a
    second review into it would have two workspaces share one store (review init already refuses it)."""
    with contextlib.ExitStack() as stack:
        if engine_name == "postgresql":
            target = stack.enter_context(fresh_database())
        else:
            target = f"sqlite:///{tmp_path / 'taken.db'}"
        taken = init_workspace(tmp_path / "a", title="A", database_url=target)
        taken.store.engine.dispose()
        ws = _filled(tmp_path)
        ws.store.engine.dispose()
        result = CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", target])
        assert result.exit_code != 0 and "a workspace took it as its store on" in result.stderr
        assert "database_url" not in (ws.root / "review.toml").read_text(encoding="utf-8")
        first = Workspace(taken.root)
        assert first.store.records() == []  # A's store is still A's, empty
        first.store.engine.dispose()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_an_empty_review_killed_after_its_copy_still_finishes_its_migration(tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                                          engine_name: str) -> None:
    """The id in the mark tells this migration's own earlier copy (empty, like any empty store) apart."""
    import review.workspace as workspace_module

    with contextlib.ExitStack() as stack:
        target = (stack.enter_context(fresh_database()) if engine_name == "postgresql"
                  else f"sqlite:///{tmp_path / 'moved.db'}")
        ws = init_workspace(tmp_path / "ws", title="Empty")
        ws.store.engine.dispose()

        def killed(*args: object) -> None:
            raise SystemExit(-9)

        monkeypatch.setattr(workspace_module, "set_store_location", killed)
        assert CliRunner().invoke(main, ["-w", str(ws.root), "migrate", "--to", target]).exit_code == -9
        monkeypatch.undo()
        assert "migrated: review.toml now points at" in _run(ws.root, "migrate", "--to", target)
        assert Workspace(ws.root).database_url == target


def test_a_server_sorting_text_by_language_takes_a_review_whose_reviewers_sort_otherwise_bytewise(
        tmp_path: Path) -> None:
    """A server set up in a language (en_US.UTF-8, Debian's default on such a machine; here ICU's en-US) sorts
    'ann' before 'Ben', SQLite (bytewise) after: the content hashes ordered rows keyed by reviewer by each
    engine's own rule, so every migration of a team whose names sort differently was refused ('content differs
    after the copy (last_ranking, screening_decision_changes)'), either way."""
    ws = init_workspace(tmp_path / "ws", title="Mixed case", reviewers=["ann", "Ben"], seed=3)
    ws.store.add_batch([Record(title=f"T{i}") for i in range(4)], file_name="f.ris", file_sha256="m" * 64,
                       source_name="db", format="ris", encoding="utf-8")
    ids = [r.id for r in ws.store.records()]
    for reviewer in ("ann", "Ben", "_zed"):
        ws.store.add_decision(ids[0], reviewer, "include")
        screening_store.save_ranking(ws.store, reviewer, order=ids, probabilities=[0.5] * len(ids),
                                     model_info={"model": "nb"}, n_labelled=1, seed=3, seconds=0.1)
    ws.store.engine.dispose()
    before = _exports(ws.root, "before")
    with fresh_database(icu_locale="en-US") as url:
        _run(ws.root, "migrate", "--to", url)
        _run(ws.root, "migrate", "--to", f"sqlite:///{tmp_path / 'back.db'}")
    assert _exports(ws.root, "after") == before
