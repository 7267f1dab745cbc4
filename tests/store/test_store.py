from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from review.errors import ReviewError
from review.records import Record
from review.store import Store
from review.store import schema
from review.store.errors import StoreBusy
from review.store.fulltext import removal_reason, remove_records, restore_records
from review.workspace import Workspace


def _add(workspace: Workspace, n: int = 3) -> list[int]:
    records = [Record(title=f"Title {i}", authors=["A B"], year=2000 + i) for i in range(n)]
    workspace.store.add_batch(records, file_name="f.ris", file_sha256="x" * 64, source_name="db",
                              format="ris", encoding="utf-8")
    return [r.id for r in workspace.store.records()]


@pytest.mark.parametrize("engine_name", ["sqlite"])  # PostgreSQL has neither PRAGMA nor a journal mode to choose
def test_sqlite_runs_in_wal_mode_with_foreign_keys(workspace: Workspace) -> None:
    assert workspace.store.dialect == "sqlite"
    with workspace.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_records_round_trip(workspace: Workspace) -> None:
    ids = _add(workspace)
    got = workspace.store.records()
    assert [r.title for r in got] == ["Title 0", "Title 1", "Title 2"]
    assert got[1].year == 2001 and got[1].authors == ["A B"] and got[1].id == ids[1]


def test_undo_appends_and_reverses_latest_effective_decision(workspace: Workspace) -> None:
    a, b, _ = _add(workspace)
    store = workspace.store
    store.add_decision(a, "alice", "include")
    store.add_decision(b, "alice", "exclude", reasons=["wrong population"])
    undone = store.undo_last("alice")
    assert undone is not None and undone.record_id == b
    assert set(store.current_decisions()) == {(a, "alice")}
    # A second undo reaches the earlier decision, not the undo row.
    assert store.undo_last("alice").record_id == a
    assert store.current_decisions() == {}
    assert store.undo_last("alice") is None
    assert [d.label for d in store.decisions()] == ["include", "exclude", "undo", "undo"]


def test_undo_is_per_reviewer(workspace: Workspace) -> None:
    a, b, _ = _add(workspace)
    workspace.store.add_decision(a, "alice", "include")
    workspace.store.add_decision(b, "bob", "exclude")
    workspace.store.undo_last("alice")
    assert set(workspace.store.current_decisions()) == {(b, "bob")}


def test_the_lean_label_read_and_the_decisions_in_force_share_the_undo_rule(workspace: Workspace) -> None:
    from review.store.fulltext import current_screening_labels, remove_records

    a, b, c, d = _add(workspace, 4)
    store = workspace.store
    store.add_decision(a, "alice", "include")
    store.add_decision(b, "alice", "exclude")
    store.add_decision(b, "alice", "maybe")  # a changed decision
    store.add_decision(c, "alice", "include")
    store.undo_last("alice")  # c undone: undecided again
    store.undo_last("alice")  # the change undone: b is "exclude" again
    store.add_decision(a, "bob", "exclude")
    store.add_decision(d, "bob", "include")
    store.add_decision(d, "bob", "exclude")  # changed, then kept
    store.add_decision(c, "bob", "maybe")
    remove_records(store, [a, c], "carol", "retracted")  # set aside: the store keeps their decisions
    expected = {(a, "alice"): "include", (b, "alice"): "exclude", (a, "bob"): "exclude",
                (d, "bob"): "exclude", (c, "bob"): "maybe"}
    assert {key: decision.label for key, decision in store.current_decisions().items()} == expected
    assert current_screening_labels(store) == expected
    assert current_screening_labels(store, "full_text") == {}
    # Only the records asked for, under the same rule (b's change and its undo, c's undone decision).
    assert current_screening_labels(store, record_ids=[b, c]) == {(b, "alice"): "exclude", (c, "bob"): "maybe"}
    assert current_screening_labels(store, record_ids=[]) == {}


def _refuse_removed(record_id: int) -> Callable[[sa.Connection], None]:
    """A check as screening.removed gives one: refuse a record removed before screening."""
    def check(conn: sa.Connection) -> None:
        if removal_reason(conn, record_id) is not None:
            raise ReviewError(f"record {record_id}: removed")
    return check


def test_a_decisions_check_refuses_in_its_transaction_and_a_refusal_writes_nothing(workspace: Workspace) -> None:
    a, b, _ = _add(workspace)
    store = workspace.store
    remove_records(store, [a], "bob", "retracted")
    for if_undecided in (False, True):
        with pytest.raises(ReviewError, match="removed"):
            store.add_decision(a, "alice", "include", if_undecided=if_undecided, check=_refuse_removed(a))
    assert store.decisions() == []
    store.add_decision(b, "alice", "include", check=_refuse_removed(b))
    restore_records(store, [a], "bob")
    store.add_decision(a, "alice", "exclude", check=_refuse_removed(a))
    assert {d.record_id: d.label for d in store.current_decisions().values()} == {a: "exclude", b: "include"}


def test_one_restore_puts_back_a_record_with_two_removals_in_force(workspace: Workspace) -> None:
    """Two removal rows in force on one record (a row written by hand, or two removals at once before
    remove_records read under its lock): one restore undoes both and counts one record. It undid the
    newest only, and the record stayed removed after a restore that said it was put back."""
    from review.store.core import utcnow
    from review.store.fulltext import current_removals, record_removals_table

    a, b, _ = _add(workspace)
    store = workspace.store
    remove_records(store, [a, b], "bob", "retracted")
    with store.transaction() as conn:  # a second row in force on a, as an INSERT by hand leaves it
        conn.execute(record_removals_table.insert().values(record_id=a, reviewer="carol", reason="out of range",
                                                           created_at=utcnow(), undoes_id=None))
    assert current_removals(store) == {a: "out of range", b: "retracted"}  # the newest row's reason
    assert restore_records(store, [a], "bob") == 1
    assert current_removals(store) == {b: "retracted"}
    with store.transaction() as conn:
        assert removal_reason(conn, a) is None
    assert restore_records(store, [a], "bob") == 0  # nothing left to restore
    assert remove_records(store, [a], "bob", "retracted") == 1  # and it can be removed again
    assert current_removals(store) == {a: "retracted", b: "retracted"}


@pytest.mark.parametrize("if_undecided", [False, True])
def test_a_removal_committed_after_a_decisions_check_read_waits_for_the_decision(
        workspace: Workspace, if_undecided: bool) -> None:
    """Another connection removes the record right after the check found it not removed: the removal
    waits for the decision's transaction (or gives up, store busy); it never commits between the check's
    read and the insert, where the decision would be saved on a record removed before it."""
    a, _, _ = _add(workspace)
    store = workspace.store
    outcome: dict[str, object] = {}

    def remove() -> None:
        try:
            outcome["removed"] = remove_records(store, [a], "bob", "retracted")
        except StoreBusy as err:  # waited past the busy timeout: nothing removed
            outcome["busy"] = err

    remover = threading.Thread(target=remove)

    def check(conn: sa.Connection) -> None:
        _refuse_removed(a)(conn)  # not removed as this transaction reads it
        remover.start()
        remover.join(timeout=1.5)
        outcome["committed_inside"] = "removed" in outcome

    decision = store.add_decision(a, "alice", "include", if_undecided=if_undecided, check=check)
    remover.join()
    assert outcome["committed_inside"] is False
    assert [d.id for d in store.decisions()] == [decision.id]
    assert outcome.get("removed") == 1 or "busy" in outcome
    if outcome.get("removed"):  # the removal came after the decision: the decision stands
        with store.connect() as conn:
            assert removal_reason(conn, a) == "retracted"


def test_a_decision_waiting_on_a_removal_under_way_gives_up_store_busy_and_writes_nothing(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A removal or restore holds the removals' lock while it writes: a decision's removal check waits for
    it, and past the busy timeout gives up (StoreBusy) with nothing written, on both engines."""
    import review.store.core as core
    from review.store.fulltext import _REMOVALS_LOCK

    a, _, _ = _add(workspace)
    monkeypatch.setattr(core, "BUSY_TIMEOUT_MS", 300)
    url = workspace.store.engine.url.render_as_string(hide_password=False)
    remover, decider = Store.open(url, prepare=False), Store.open(url, prepare=False)
    try:
        with remover.transaction() as conn:
            remover.lock(conn, _REMOVALS_LOCK)  # as remove_records holds it while it writes
            with pytest.raises(StoreBusy, match="busy"):
                decider.add_decision(a, "alice", "include", check=_refuse_removed(a))
    finally:
        remover.engine.dispose()
        decider.engine.dispose()
    assert workspace.store.decisions() == []


@pytest.mark.parametrize("engine_name", ["postgresql"])  # SQLite has no roles
def test_a_reviewer_role_that_may_only_select_and_insert_decides_with_the_removal_check(
        workspace: Workspace) -> None:
    """An append-only reviewer role (SELECT and INSERT, no UPDATE/DELETE/TRUNCATE) decides with the
    removal check: the check's lock needs no table privilege (LOCK TABLE ... IN SHARE MODE did)."""
    assert workspace.store.dialect == "postgresql"
    import uuid

    a, b, _ = _add(workspace)
    remove_records(workspace.store, [a], "bob", "retracted")
    role = f"rev_{uuid.uuid4().hex[:12]}"
    url = workspace.store.engine.url
    with workspace.store.engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
        conn.commit()
    reviewer = Store.open(url.set(username=role).render_as_string(hide_password=False), prepare=True)
    try:
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), reviewer.transaction() as conn:
            conn.exec_driver_sql("DELETE FROM record_removals")  # the role really is append-only
        reviewer.add_decision(b, "alice", "include", if_undecided=True, check=_refuse_removed(b))
        with pytest.raises(ReviewError, match="removed"):
            reviewer.add_decision(a, "alice", "include", check=_refuse_removed(a))
    finally:
        reviewer.engine.dispose()
        with workspace.store.engine.connect() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
            conn.commit()
    assert {d.record_id: d.label for d in workspace.store.current_decisions().values()} == {b: "include"}


@pytest.mark.parametrize("engine_name", ["postgresql"])  # SQLite: one writer at a time, each decision waits
def test_deciding_sessions_wait_for_each_other_only_behind_a_waiting_removal(workspace: Workspace) -> None:
    """PostgreSQL: a decision's check shares the removals' lock with other decisions, but a removal waiting
    for the first decision queues every later shared request behind it (what screening.md says)."""
    assert workspace.store.dialect == "postgresql"
    import time

    a, b, c = _add(workspace)
    store = workspace.store
    url = store.engine.url.render_as_string(hide_password=False)
    other = Store.open(url, prepare=False)
    finished: dict[str, float] = {}
    in_check = threading.Event()
    release = threading.Event()

    def slow_check(conn: sa.Connection) -> None:
        _refuse_removed(a)(conn)  # holds the shared lock until this decision commits
        in_check.set()
        release.wait(timeout=10)

    def first() -> None:
        store.add_decision(a, "alice", "include", check=slow_check)
        finished["first"] = time.monotonic()

    def second() -> None:
        other.add_decision(b, "bob", "include", check=_refuse_removed(b))
        finished["second"] = time.monotonic()

    def waiting_locks() -> int:
        with store.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar_one())

    try:
        deciding = threading.Thread(target=first)
        deciding.start()
        assert in_check.wait(timeout=10)
        second()  # no removal waiting: the second decision does not wait for the first
        assert "first" not in finished
        remover = threading.Thread(target=lambda: remove_records(other, [c], "carol", "retracted"))
        remover.start()
        deadline = time.monotonic() + 5
        while waiting_locks() < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        def late_check(conn: sa.Connection) -> None:
            _refuse_removed(a)(conn)  # returns once the shared lock is granted
            finished["late checked"] = time.monotonic()

        def late_decision() -> None:
            other.add_decision(a, "bob", "exclude", check=late_check)

        late = threading.Thread(target=late_decision)
        late.start()
        while waiting_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waiting_locks() == 2  # the removal waits for the first decision, the late one behind it
        finished["released"] = time.monotonic()
        release.set()
        for thread in (deciding, remover, late):
            thread.join(timeout=10)
    finally:
        release.set()
        other.engine.dispose()
    # Timed inside the late decision's transaction: a timestamp taken after add_decision returns could be
    # taken after the late one's though the first committed before (thread scheduling), as a CI run showed.
    assert finished["released"] < finished["late checked"]
    labels = {(d.record_id, d.reviewer): d.label for d in store.current_decisions().values()}
    assert labels == {(a, "alice"): "include", (b, "bob"): "include", (a, "bob"): "exclude"}
    with store.connect() as conn:
        assert removal_reason(conn, c) == "retracted"


def test_bad_label_is_refused(workspace: Workspace) -> None:
    import pytest
    from review.errors import ReviewError
    (a, *_rest) = _add(workspace)
    with pytest.raises(ReviewError, match="label 'yes'"):
        workspace.store.add_decision(a, "alice", "yes")
    assert workspace.store.decisions() == []


def test_migration_steps_run_in_order(tmp_path, monkeypatch) -> None:
    from review.store import migrations
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store.open(url)
    with store.engine.begin() as conn:
        conn.execute(schema.schema_info.update().values(value="0"))
    ran: list[int] = []
    monkeypatch.setitem(migrations.MIGRATIONS, 0, lambda conn: ran.append(0))
    reopened = Store.open(url)
    assert ran == [0]
    assert reopened.schema_version() == schema.SCHEMA_VERSION


def test_a_migration_step_another_store_ran_first_is_not_run_again(workspace: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two processes open the same old store; the second one's step waits for the first one's lock, then
    finds the version moved on and skips (a step run twice would, say, rename a database twice)."""
    from review.store import migrations
    last_step = schema.SCHEMA_VERSION - 1
    version_row = schema.schema_info.c.key == "version"
    with workspace.store.engine.begin() as conn:
        conn.execute(schema.schema_info.update().where(version_row).values(value=str(last_step)))
    ran: list[int] = []
    monkeypatch.setitem(migrations.MIGRATIONS, last_step, lambda conn: ran.append(last_step))
    first = Store.open(workspace.database_url, prepare=False)
    second = Store.open(workspace.database_url, prepare=False)
    try:
        assert first.schema_version() == second.schema_version() == last_step
        first.migrate(last_step)
        second.migrate(last_step)
        assert second.schema_version() == schema.SCHEMA_VERSION
    finally:
        first.engine.dispose()
        second.engine.dispose()
    assert ran == [last_step]


def test_newer_store_is_refused(tmp_path) -> None:
    import pytest
    import sqlalchemy as sa
    from review.errors import ReviewError
    url = f"sqlite:///{tmp_path / 'new.db'}"
    Store.open(url).engine.dispose()
    newer = sa.create_engine(url)  # a newer review's process (this one's own commit would be refused)
    with newer.begin() as conn:
        conn.execute(schema.schema_info.update().values(value="999"))
    newer.dispose()
    with pytest.raises(ReviewError, match="newer"):
        Store.open(url)


def test_opening_a_store_reads_its_version_and_move_mark_on_one_connection(tmp_path, monkeypatch) -> None:
    """Store.open checks out one connection for the schema version and the "moved to" mark (and one
    to add new stage tables); a moved store of an older schema is refused before any migration."""
    import pytest
    import sqlalchemy as sa
    from review.store import core
    from review.store.core import MOVED_KEY
    from review.store.errors import StoreMoved

    url = f"sqlite:///{tmp_path / 'r.db'}"
    Store.open(url).engine.dispose()
    checkouts: list[int] = []
    real = sa.create_engine

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        engine = real(*args, **kwargs)
        sa.event.listen(engine, "checkout", lambda *_: checkouts.append(1))
        return engine

    monkeypatch.setattr(core.sa, "create_engine", counting)
    Store.open(url).engine.dispose()
    assert len(checkouts) == 2
    monkeypatch.undo()
    store = Store.open(url, moved_ok=True)  # (no commit check: it writes the mark itself)
    with store.engine.begin() as conn:
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="1"))
        conn.execute(schema.schema_info.insert().values(key=MOVED_KEY, value="sqlite:///elsewhere.db"))
    store.engine.dispose()
    with pytest.raises(StoreMoved, match="elsewhere.db"):
        Store.open(url)
    assert Store.open(url, prepare=False).schema_version() == 1  # not upgraded by the refused open
    assert Store.open(url, moved_ok=True).schema_version() == schema.SCHEMA_VERSION  # review migrate's own open


def test_a_naive_moment_is_bound_as_utc_even_in_a_session_of_another_zone() -> None:
    """A naive datetime went to PostgreSQL as it was, and the server read it in its session's zone."""
    from datetime import datetime, timezone

    import sqlalchemy as sa
    from postgres import fresh_database
    from review.store.opening import engine_url

    naive = datetime(2026, 12, 5, 12, 15, 3, 123456)
    assert schema.UtcDateTime().process_bind_param(naive, None) == naive.replace(tzinfo=timezone.utc)
    with fresh_database() as url:
        engine = sa.create_engine(engine_url(url), connect_args={"options": "-c timezone=Asia/Tokyo"})
        table = sa.Table("moments", sa.MetaData(), sa.Column("at", schema.UtcDateTime()))
        try:
            table.create(engine)
            with engine.begin() as conn:
                conn.execute(table.insert().values(at=naive))
                (read,) = conn.execute(sa.select(table.c.at)).scalars()
        finally:
            engine.dispose()
    assert read == naive.replace(tzinfo=timezone.utc)


def test_reports_fulltext_events_reads_the_effective_events_of_the_reports_asked_for(workspace: Workspace) -> None:
    from review.store.fulltext import add_fulltext_event, reports_fulltext_events, undo_last_fulltext_event
    a, b, c = _add(workspace)
    store = workspace.store
    add_fulltext_event(store, a, "alice", "sought")
    add_fulltext_event(store, b, "bob", "retrieved")
    add_fulltext_event(store, a, "alice", "retrieved")
    add_fulltext_event(store, a, "alice", "eligible")
    undo_last_fulltext_event(store, "alice")  # the eligible decision on a
    by_report = reports_fulltext_events(store, [c, a])
    assert list(by_report) == [c, a]
    assert by_report[c] == []
    assert [(e.record_id, e.event) for e in by_report[a]] == [(a, "sought"), (a, "retrieved")]
    assert [e.event for e in reports_fulltext_events(store, [b])[b]] == ["retrieved"]
