"""A workspace whose store is not there (review.db moved, deleted or not in this copy; a database emptied) is
refused by every command in one line naming it and what to do, and nothing is created in its place: an empty
store there showed an empty review, on which the reviewer could start again over the lost decisions.
``review init --store-only`` starts an empty one on purpose."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from review.cli import main
from review.errors import ReviewError
from review.records import Record
from review.store.opening import engine_url
from review.store.errors import StoreMissing
from review.workspace import Workspace

#: Commands that open the store, as a reviewer types them (``-w`` added). (``status`` shows the file stages and a
#: "store  not there" row instead; synthesis and instrument build run without the store: decision 0041's addendum.)
COMMANDS = (["decide", "1", "--include"], ["decide", "--undo"], ["export", "decisions", "{out}/d.csv"],
            ["export", "records", "{out}/r.csv"], ["fulltext", "list"], ["prisma", "--out", "{out}/prisma"],
            ["dedup"], ["conflicts"], ["import", "{out}/new.csv"], ["migrate", "--to", "sqlite:///{out}/to.db"])


def _with_a_decision(ws: Workspace) -> None:
    ws.store.add_batch([Record(title="Sick leave recurrence"), Record(title="Mice")], file_name="f.ris",
                       file_sha256="a" * 64, source_name="db", format="ris", encoding="utf-8")
    ws.store.add_decision(1, "alice", "include")
    ws.store.engine.dispose()


def _run(ws: Workspace, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["-w", str(ws.root), "-r", "alice", *args])


def _remove_store(ws: Workspace, engine_name: str, aside: Path) -> None:
    """The store gone: the SQLite file moved aside; the server's tables dropped (a new or emptied database)."""
    if engine_name == "sqlite":
        shutil.move(ws.root / "review.db", aside)
        return
    engine = sa.create_engine(engine_url(ws.database_url))
    with engine.begin() as conn:
        sa.MetaData().reflect(conn)
        from review.store import metadata

        metadata.drop_all(conn)
    engine.dispose()


def test_every_command_refuses_a_missing_store_and_creates_nothing(workspace: Workspace, engine_name: str,
                                                                   tmp_path: Path) -> None:
    _with_a_decision(workspace)
    aside = tmp_path / "moved-review.db"
    _remove_store(workspace, engine_name, aside)
    out = tmp_path / "out"
    out.mkdir()
    (out / "new.csv").write_text("id,title\nn1,New record\n", encoding="utf-8")
    for command in COMMANDS:
        result = _run(Workspace(workspace.root), *(word.format(out=out) for word in command))
        assert result.exit_code == StoreMissing.exit_code == 1, (command, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output, (command, result.output)
        line = lines[0]
        if engine_name == "sqlite":
            assert line.startswith(f"review: {workspace.root / 'review.db'}: the store file is not there"), line
            assert not (workspace.root / "review.db").exists(), command  # not made again, empty
        else:
            assert "the database holds no review store" in line and "postgresql://" in line, line
            engine = sa.create_engine(engine_url(workspace.database_url))
            assert sa.inspect(engine).get_table_names() == [], command  # no table created
            engine.dispose()
        assert "nothing was created" in line and "review.toml names it;" in line and "; put it back" in line, (
            command, line)
        assert line.endswith(f"run review init --store-only {workspace.root}"), line
    assert sorted(p.name for p in out.iterdir()) == ["new.csv"]  # no output written from an empty store
    if engine_name == "sqlite":  # put back, the review is there again
        shutil.move(aside, workspace.root / "review.db")
        status = _run(Workspace(workspace.root), "status")
        assert status.exit_code == 0 and "sources    2 records" in status.stdout, status.output


def test_init_store_only_starts_an_empty_store_on_purpose_and_only_when_it_is_missing(
        workspace: Workspace, engine_name: str, tmp_path: Path) -> None:
    _with_a_decision(workspace)
    runner = CliRunner()
    there = runner.invoke(main, ["init", "--store-only", str(workspace.root)])
    assert there.exit_code == 2 and "its store is there already" in there.stderr and "nothing was created" in there.stderr
    assert "sources    2 records" in _run(Workspace(workspace.root), "status").stdout  # untouched
    _remove_store(workspace, engine_name, tmp_path / "aside.db")
    mixed = runner.invoke(main, ["init", "--store-only", "--title", "X", "--reviewer", "z", str(workspace.root)])
    assert mixed.exit_code == 2 and "--store-only takes no --title, --reviewer" in mixed.stderr
    made = runner.invoke(main, ["init", "--store-only", str(workspace.root)])
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith(f"created an empty store for {workspace.root} on ")
    status = _run(Workspace(workspace.root), "status")
    assert status.exit_code == 0 and "sources    0 records" in status.stdout, status.output
    assert (workspace.root / "review.toml").read_text(encoding="utf-8").count("title = \"Test review\"") == 1


def test_a_store_file_present_but_empty_is_refused_as_holding_no_review(tmp_path: Path) -> None:
    """A zero-byte review.db (a placeholder checked out, a copy cut short) has no tables: not filled in silently."""
    from review.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    ws.store.engine.dispose()
    (ws.root / "review.db").write_bytes(b"")
    with pytest.raises(StoreMissing) as refused:
        Workspace(ws.root).store  # noqa: B018
    assert "the database holds no review store" in str(refused.value)
    assert (ws.root / "review.db").stat().st_size == 0  # not even WAL mode's header written into it


def _sqlite_file_without_review_tables(path: Path, *, journal: str, table: str | None) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 3")  # (a header and a first page: a real SQLite database)
    if table:
        conn.execute(f"CREATE TABLE {table} (x)")
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("journal", "table"), [("DELETE", None), ("DELETE", "notes"), ("WAL", None)],
                         ids=["no-table", "another-programs-table", "wal-mode-no-table"])
def test_a_sqlite_file_without_the_review_tables_is_refused_and_left_exactly_as_it_was(
        tmp_path: Path, journal: str, table: str | None) -> None:
    """A real SQLite file holding no review (another program's, or one made empty) was switched to WAL mode on
    connecting before the store refused it: its header bytes changed. Refused, it is left as it was: bytes,
    permissions, and no -wal or -shm beside it."""
    from review.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    ws.store.engine.dispose()
    db = ws.root / "review.db"
    db.unlink()
    _sqlite_file_without_review_tables(db, journal=journal, table=table)
    db.chmod(0o640)
    content, mode, beside = db.read_bytes(), db.stat().st_mode, sorted(p.name for p in ws.root.iterdir())
    with pytest.raises(StoreMissing) as refused:
        Workspace(ws.root).store  # noqa: B018
    assert str(refused.value).startswith(f"{db}: the database holds no review store"), str(refused.value)
    result = _run(Workspace(ws.root), "decide", "1", "--include")
    assert result.exit_code == 1 and result.stderr.startswith(f"review: {db}: the database holds no review store")
    assert db.read_bytes() == content and db.stat().st_mode == mode
    assert sorted(p.name for p in ws.root.iterdir()) == beside  # no review.db-wal, review.db-shm


@pytest.mark.parametrize("content", [b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n",
                                     b"SQLite format 3\x00" + b"\x00" * 50])
def test_a_store_file_that_is_not_a_sqlite_database_is_one_line(tmp_path: Path, content: bytes) -> None:
    """A git-lfs placeholder, or a copy cut short after its first bytes, was a 60-line traceback."""
    from review.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    ws.store.engine.dispose()
    (ws.root / "review.db").write_bytes(content)
    for command in (["-w", str(ws.root), "status"], ["init", "--store-only", str(ws.root)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1 and "Traceback" not in result.output, (command, result.output)
        assert result.stderr.strip() == (f"review: {ws.root / 'review.db'}: not a review store (not a SQLite "
                                         "database: a copy cut short, or a placeholder such as git-lfs's?); nothing "
                                         "was changed — put the real file back"), result.stderr
    assert (ws.root / "review.db").read_bytes() == content


def test_review_migrate_refuses_a_missing_source_instead_of_copying_an_empty_store(tmp_path: Path) -> None:
    from review.services.workspace import migrate_store
    from review.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    ws.store.engine.dispose()
    (ws.root / "review.db").unlink()
    target = tmp_path / "elsewhere.db"
    with pytest.raises(ReviewError, match="the store file is not there"):
        migrate_store(Workspace(ws.root), f"sqlite:///{target}")
    assert not target.exists() and not (ws.root / "review.db").exists()


def test_simulate_needs_no_store_even_inside_a_workspace_without_one(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from review.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    ws.store.engine.dispose()
    (ws.root / "review.db").unlink()
    monkeypatch.chdir(ws.root)
    data = tmp_path / "labelled.csv"
    rows = ["record_id,title,abstract,label_included"] + [
        f"{i},{'Sick leave recurrence' if i % 5 == 0 else 'Mice in a maze'} {i},abstract {i},{int(i % 5 == 0)}"
        for i in range(40)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(data), "--seed", "1", "--json", str(tmp_path / "sim.json")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sim.json").is_file() and not (ws.root / "review.db").exists()


def _killed_after_a_decision(ws: Workspace) -> None:
    """A process that adds records and a decision, then dies before SQLite checkpoints (kill -9, a crash): the
    changes are in review.db-wal only."""
    import subprocess
    import sys

    script = ("import os, sys\n"
              "from review.workspace import Workspace\n"
              "from review.records import Record\n"
              "ws = Workspace(sys.argv[1])\n"
              "ws.store.add_batch([Record(title=f'Record {i}') for i in range(50)], file_name='f.ris',\n"
              "                   file_sha256='b' * 64, source_name='db', format='ris', encoding='utf-8')\n"
              "ws.store.add_decision(1, 'alice', 'include')\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(ws.root)], check=True)


def test_a_store_file_gone_beside_its_wal_is_refused_and_store_only_keeps_the_wal(tmp_path: Path) -> None:
    """review.db moved while review.db-wal, the only copy of the last changes, stays: the line says so, and
    ``init --store-only`` (whose new file would make SQLite drop that -wal) is refused; put back, all is there."""
    from review.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    ws.store.engine.dispose()
    _killed_after_a_decision(ws)
    wal = ws.root / "review.db-wal"
    assert wal.stat().st_size > 0
    shutil.move(ws.root / "review.db", tmp_path / "elsewhere.db")
    status = _run(Workspace(ws.root), "conflicts")
    assert status.exit_code == 1, status.output
    line = status.stderr.strip()
    assert "review.db-wal is still here: it holds the store's last changes" in line, line
    assert "put review.db back beside it" in line and "--store-only" not in line, line
    wal_bytes = wal.read_bytes()
    refused = CliRunner().invoke(main, ["init", "--store-only", str(ws.root)])
    assert refused.exit_code == 2 and "review.db-wal is still here" in refused.stderr, refused.output
    assert not (ws.root / "review.db").exists() and wal.read_bytes() == wal_bytes
    shutil.move(tmp_path / "elsewhere.db", ws.root / "review.db")
    back = _run(Workspace(ws.root), "status")
    assert back.exit_code == 0 and "sources    50 records" in back.stdout, back.output


def test_review_database_url_naming_another_store_is_said_first_and_store_only_refuses_to_fill_it(
        workspace: Workspace, engine_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wrong store named: REVIEW_DATABASE_URL overriding review.toml's store with one holding no review. The
    line leads with that (not with --store-only), and --store-only would have filled the wrong database."""
    from contextlib import ExitStack

    from postgres import fresh_database

    _with_a_decision(workspace)
    with ExitStack() as stack:
        other = (f"sqlite:///{tmp_path / 'other.db'}" if engine_name == "sqlite"
                 else stack.enter_context(fresh_database()))
        monkeypatch.setenv("REVIEW_DATABASE_URL", other)
        status = _run(Workspace(workspace.root), "conflicts")
        assert status.exit_code == 1, status.output
        line = status.stderr.strip()
        assert "REVIEW_DATABASE_URL is set: commands use" in line and "not the store review.toml names" in line, line
        assert "unset it to use review.toml's" in line and "--store-only" not in line, line
        told = _run(Workspace(workspace.root), "status")  # the store row says it: not a row of its own before it
        assert told.exit_code == 1 and told.stdout.count("REVIEW_DATABASE_URL is set") == 1, told.stdout
        refused = CliRunner().invoke(main, ["init", "--store-only", str(workspace.root)])
        assert refused.exit_code == 2 and "--store-only refused, nothing was created" in refused.stderr, refused.output
        if engine_name == "sqlite":
            assert not (tmp_path / "other.db").exists()
        else:
            engine = sa.create_engine(engine_url(other))
            assert sa.inspect(engine).get_table_names() == []
            engine.dispose()
        monkeypatch.delenv("REVIEW_DATABASE_URL")
        assert "sources    2 records" in _run(Workspace(workspace.root), "status").stdout


@pytest.mark.parametrize("engine_name", ["postgresql"])  # the server's wording
def test_a_server_store_missing_is_told_to_check_the_url_not_that_it_is_a_new_copy(workspace: Workspace,
                                                                                  engine_name: str) -> None:
    _remove_store(workspace, engine_name, Path("unused"))
    line = _run(Workspace(workspace.root), "conflicts").stderr.strip()
    assert "review.toml names it; check the URL names the review's database; put it back" in line, line
    assert "a new copy of a workspace" not in line, line


def test_a_store_file_that_is_a_dangling_link_says_so_and_store_only_does_not_create_its_target(
        tmp_path: Path) -> None:
    """review.db a link to a file on a disk not mounted: the line named review.db as 'moved, deleted', and
    --store-only created a new store at the link's target."""
    from review.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1)
    ws.store.engine.dispose()
    target = tmp_path / "disk" / "real.db"
    (ws.root / "review.db").unlink()
    (ws.root / "review.db").symlink_to(target)
    line = _run(Workspace(ws.root), "conflicts").stderr.strip()
    assert f"the store file is a link to {target}, which is not there" in line, line
    refused = CliRunner().invoke(main, ["init", "--store-only", str(ws.root)])
    assert refused.exit_code == 2 and f"a link to {target}, which is not there" in refused.stderr, refused.output
    assert not target.exists() and not target.parent.exists()


def _this_repository_without_its_store(tmp_path: Path) -> Path:
    """The files a fresh clone of this repository has for its review (review.db stays out of git)."""
    from shared_data import REPO_ROOT

    copy = tmp_path / "clone"
    copy.mkdir()
    shutil.copy2(REPO_ROOT / "review.toml", copy / "review.toml")
    for folder in ("extraction", "instrument", "screening", "queries"):
        shutil.copytree(REPO_ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_synthesis_and_instrument_build_run_without_the_store_and_say_what_was_not_recorded(tmp_path: Path) -> None:
    """Decision 0041's addendum: commands whose inputs and outputs are files run in a fresh clone, their outputs
    byte-identical to the committed ones, with one note each; the store's history catches up on the first run
    with a store."""
    clone = _this_repository_without_its_store(tmp_path)
    before = _files(clone)
    runner = CliRunner()
    synthesis = runner.invoke(main, ["-w", str(clone), "synthesis"])
    assert synthesis.exit_code == 0, synthesis.output
    build = runner.invoke(main, ["-w", str(clone), "instrument", "build"])
    assert build.exit_code == 0, build.output
    assert _files(clone) == before  # nothing changed, nothing added (no review.db either)
    for result, what in ((synthesis, "the GRADE judgements were not recorded"),
                         (build, "the item bank's version was not recorded")):
        notes = [line for line in result.stderr.splitlines() if "no store here" in line]
        assert notes == [f"review: note: {clone / 'review.db'}: no store here, so {what}; the first run with the store "
                         f"records {'them' if 'were' in what else 'it'} from the files (review status says how to get "
                         "the store)"], result.stderr
    listed = runner.invoke(main, ["-w", str(clone), "instrument", "diff", "--history"])  # (the store's history)
    assert listed.exit_code == 1 and listed.stdout == "", listed.output  # no header over an empty table
    assert runner.invoke(main, ["init", "--store-only", str(clone)]).exit_code == 0
    again = runner.invoke(main, ["-w", str(clone), "synthesis"])
    assert again.exit_code == 0 and "no store here" not in again.stderr, again.output
    assert "stored " in again.stderr and "stored 0 GRADE" not in again.stderr, again.stderr
    rebuilt = runner.invoke(main, ["-w", str(clone), "instrument", "build"])
    assert rebuilt.exit_code == 0 and "no store here" not in rebuilt.stderr, rebuilt.output
    history = runner.invoke(main, ["-w", str(clone), "instrument", "diff", "--history"])
    # The committed bank's version (its build date and evidence hash), not a date: every rebuild moves it.
    version = tomllib.loads((clone / "instrument" / "item_bank.toml").read_text(encoding="utf-8"))["instrument"]["version"]
    assert history.exit_code == 0 and f"\t{version}\t" in history.stdout, history.output


def test_status_without_the_store_shows_the_file_stages_and_a_store_row(tmp_path: Path) -> None:
    clone = _this_repository_without_its_store(tmp_path)
    status = CliRunner().invoke(main, ["-w", str(clone), "status"])
    assert status.exit_code == 1, status.output
    heads = [line.split()[0] for line in status.stdout.splitlines() if line and not line.startswith(" ")]
    assert heads == ["workspace", "title", "store", "extraction", "instrument"], status.stdout
    store_row = next(line for line in status.stdout.splitlines() if line.startswith("store"))
    assert store_row.startswith(f"store      not there: {clone / 'review.db'}: the store file is not there")
    assert store_row.endswith(f"run review init --store-only {clone}"), store_row
    assert not (clone / "review.db").exists()
