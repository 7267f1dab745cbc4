"""A review older than the store's schema writes nothing to it (both engines): it refuses to open a store a newer
review upgraded, and a process that had the store open before the upgrade is refused at its next commit. An older
writer would leave out what the newer ones record (before 2026-12-06 03:54 UTC a decision had no row in
``screening_decision_changes``, so a newer teammate's open session missed it until reopened)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from postgres import throwaway_workspace
from review.cli import main
from review.screening.session import ScreeningSession
from review.store import Store, schema
from review.store import core
from review.store.errors import NewerStore
from review.workspace import Workspace

from .helpers import stored_record_ids


def _upgrade_as_a_newer_review(url: str) -> int:
    """What a teammate's newer review does on opening: the schema version goes past this review's (own engine,
    no commit check: that review's own process)."""
    newer = schema.SCHEMA_VERSION + 1
    engine = sa.create_engine(Store.open(url, prepare=False).engine.url)
    with engine.begin() as conn:
        t = schema.schema_info
        conn.execute(t.update().where(t.c.key == "version").values(value=str(newer)))
    engine.dispose()
    return newer


def _logged(workspace: Workspace) -> tuple[int, int]:
    """Decision rows and change rows in the store, read past this review's own checks."""
    with workspace.store.connect() as conn:
        decisions = conn.execute(sa.select(sa.func.count()).select_from(schema.screening_decisions)).scalar_one()
        changes = conn.execute(sa.select(sa.func.count()).select_from(schema.decision_changes)).scalar_one()
    return int(decisions), int(changes)


def test_an_older_review_refuses_to_open_a_store_a_newer_one_upgraded(workspace: Workspace) -> None:
    stored_record_ids(workspace, 3)
    newer = _upgrade_as_a_newer_review(workspace.database_url)
    with pytest.raises(NewerStore) as refused:
        Store.open(workspace.database_url)
    message = str(refused.value)
    assert f"store schema version {newer} is newer than this review ({schema.SCHEMA_VERSION})" in message
    assert "upgrade review" in message and "\n" not in message
    # The command line: one line, exit 1, nothing written (the version stays the newer one's).
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", "decide", "1", "--include"])
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [f"review: {message}"]
    assert Store.open(workspace.database_url, prepare=False).schema_version() == newer
    assert _logged(workspace) == (0, 0)


def test_a_process_open_before_a_newer_review_upgraded_the_store_writes_nothing(workspace: Workspace) -> None:
    """The window a teammate kept open over the upgrade: its decision and its undo are rolled back, one line."""
    a, b, _ = stored_record_ids(workspace, 3)
    session = ScreeningSession(workspace, "alice", seed=1)
    session.decide(a, "include")
    assert _logged(workspace) == (1, 1)
    _upgrade_as_a_newer_review(workspace.database_url)
    with pytest.raises(NewerStore, match="while this process had it open.*nothing was saved here — upgrade review"):
        session.decide(b, "exclude")
    with pytest.raises(NewerStore):
        session.undo()
    with pytest.raises(NewerStore):
        workspace.store.add_decision(b, "bob", "include")
    assert _logged(workspace) == (1, 1)
    assert workspace.store.decisions()[0].record_id == a


def _upgrade_under_way(url: str) -> tuple[sa.Engine, sa.Connection]:
    """A newer review's migration step, not yet committed: it holds the locks ``Store.migrate`` does (the write
    lock, then the upgrade's advisory lock) and has set the version past this review's."""
    store = Store.open(url, prepare=False)
    engine = sa.create_engine(store.engine.url)
    conn = engine.connect()
    conn.begin()
    t = schema.schema_info
    conn.execute(sa.update(t).where(t.c.key == "version").values(value=t.c.value))
    store.lock(conn, core._UPGRADE_LOCK)
    conn.execute(t.update().where(t.c.key == "version").values(value=str(schema.SCHEMA_VERSION + 1)))
    return engine, conn


def test_a_decision_during_an_upgrade_waits_for_it_and_is_refused(tmp_path: Path) -> None:
    """PostgreSQL: a plain read of the version under READ COMMITTED neither waits for nor sees a migration step
    under way, so a decision committed beside a step that never saw it (0.013 s; the store ended at the newer
    version holding a decision no step had counted). The commit check now waits for the step, then refuses."""
    with throwaway_workspace(tmp_path / "ws", "postgresql") as ws:
        a = stored_record_ids(ws, 3)[0]
        engine, upgrade = _upgrade_under_way(ws.database_url)
        outcome: list[str] = []

        def decide() -> None:
            try:
                ws.store.add_decision(a, "alice", "include", if_undecided=True)
                outcome.append("committed")
            except NewerStore:
                outcome.append("refused")

        writer = threading.Thread(target=decide, daemon=True)
        writer.start()
        writer.join(1.0)
        assert outcome == []  # waiting for the step
        upgrade.commit()
        upgrade.close()
        engine.dispose()
        writer.join(10)
        assert outcome == ["refused"]
        assert _logged(ws) == (0, 0)


def test_an_import_lock_does_not_hold_a_decision_up(tmp_path: Path) -> None:
    """The commit check waits only for an upgrade's advisory lock, not for a writer's lock on the version row."""
    with throwaway_workspace(tmp_path / "ws", "postgresql") as ws:
        a = stored_record_ids(ws, 3)[0]
        engine = sa.create_engine(ws.store.engine.url)
        with engine.connect() as other:
            other.begin()
            t = schema.schema_info
            other.execute(sa.update(t).where(t.c.key == "version").values(value=t.c.value))
            ws.store.add_decision(a, "alice", "include")  # would raise StoreBusy after the lock timeout if it waited
            other.rollback()
        engine.dispose()
        assert _logged(ws) == (1, 1)


def test_a_migration_step_holds_the_upgrade_lock_until_it_commits(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``Store.migrate`` holds the upgrade's advisory lock for its step: another process's commit check cannot
    take its shared side meanwhile (it waits; here, past a short lock timeout)."""
    with throwaway_workspace(tmp_path / "ws", "postgresql") as ws:
        seen: list[str] = []
        engine = sa.create_engine(ws.store.engine.url)

        def step(_conn: sa.Connection) -> None:
            with engine.connect() as other:
                t = schema.schema_info
                other.exec_driver_sql("SET lock_timeout = 300")
                try:
                    Store.lock_shared(other, core._UPGRADE_LOCK)  # as the commit check does
                    other.execute(sa.select(t.c.value).where(t.c.key == "version"))
                    seen.append("free")
                except sa.exc.OperationalError:
                    seen.append("held")

        last = schema.SCHEMA_VERSION - 1
        monkeypatch.setitem(core.MIGRATIONS, last, step)
        with engine.begin() as conn:
            t = schema.schema_info
            conn.execute(t.update().where(t.c.key == "version").values(value=str(last)))
        ws.store.migrate(last)
        engine.dispose()
        assert seen == ["held"]
        assert ws.store.schema_version() == schema.SCHEMA_VERSION


def test_a_migration_step_altering_a_table_a_writer_wrote_to_waits_for_it_without_a_deadlock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A decision's row is in, its commit still to come, when an upgrade starts whose step alters that table:
    the step waited for the writer's table lock, the writer's commit check for the step (DeadlockDetected).
    The upgrade now locks the tables first: the decision commits, then the step runs."""
    import time

    with throwaway_workspace(tmp_path / "ws", "postgresql") as ws:
        a = stored_record_ids(ws, 3)[0]
        last = schema.SCHEMA_VERSION - 1
        monkeypatch.setitem(core.MIGRATIONS, last, lambda conn: conn.exec_driver_sql(
            "ALTER TABLE screening_decisions ADD COLUMN upgrade_test text"))
        with ws.store.engine.begin() as conn:
            t = schema.schema_info
            conn.execute(t.update().where(t.c.key == "version").values(value=str(last)))
        inserted = threading.Event()
        outcome: list[str] = []

        def decide() -> None:
            try:
                with ws.store.engine.begin() as conn:  # (the commit check runs at the end of this block)
                    conn.execute(schema.screening_decisions.insert().values(
                        record_id=a, reviewer="alice", stage="title_abstract", label="include", reasons=[],
                        note="", created_at=core.utcnow(), model_rank=None, model_info={}, undoes_id=None))
                    inserted.set()
                    time.sleep(0.5)  # the upgrade starts meanwhile
                outcome.append("decided")
            except sa.exc.DBAPIError as err:
                outcome.append(type(err.orig).__name__)

        writer = threading.Thread(target=decide, daemon=True)
        writer.start()
        assert inserted.wait(10)
        upgrader = Store.open(ws.database_url, prepare=False)
        try:
            upgrader.migrate(last)
        finally:
            upgrader.engine.dispose()
        writer.join(10)
        assert outcome == ["decided"]
        assert ws.store.schema_version() == schema.SCHEMA_VERSION
        with ws.store.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM screening_decisions").scalar() == 1
