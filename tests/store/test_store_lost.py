"""A store lost under an open session: the store names it (``StoreLost``, a ReviewError, exit 7) wherever it
happens, so every shell says it in one line; the session stays usable when the store comes back, and says so
at each key while it does not. PostgreSQL: a backend terminated (``pg_terminate_backend``) between two keys or
inside a decision's transaction. SQLite: the store file removed while the session has it open."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from review.screening import session as session_module
from review.screening.session import ScreeningSession
from review.store import schema
from review.store import screening as ranking_store
from review.store.errors import StoreLost
from review.workspace import Workspace

from .helpers import stored_record_ids


def _terminate_own_backend(conn: sa.Connection) -> None:
    """What a restarted server or a database administrator does to the connection in use."""
    conn.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))


def _terminate_every_backend(url: str) -> int:
    """Terminate every other connection to the store's database (the session's pooled ones), from outside."""
    from review.store.opening import engine_url

    admin = sa.create_engine(engine_url(url))
    with admin.connect() as conn:
        ended = conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    return int(ended or 0)


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_terminated_backend_leaves_the_session_usable(workspace: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, b, c, _ = stored_record_ids(workspace, 4)
    session = ScreeningSession(workspace, "alice", seed=1)
    session.decide(a, "include")
    # Between two keys: the pool finds its connections dead and opens new ones; the key is saved.
    assert _terminate_every_backend(workspace.database_url) >= 1
    session.next_record()
    session.decide(b, "exclude")
    # Inside a key's transaction: one line, a ReviewError (exit 7), nothing saved; the next key reads first.
    real_check = session_module.refuse_if_removed
    monkeypatch.setattr(session_module, "refuse_if_removed", lambda record_id: _terminate_own_backend)
    with pytest.raises(StoreLost) as lost:
        session.decide(c, "include")
    assert lost.value.exit_code == 7 and "\n" not in str(lost.value)
    assert "the connection to the store was lost (" in str(lost.value) and "run the command again" in str(lost.value)
    monkeypatch.setattr(session_module, "refuse_if_removed", real_check)
    assert [d.record_id for d in workspace.store.decisions()] == [a, b]
    session.decide(c, "include")
    assert session.progress().screened == 3
    assert [d.record_id for d in workspace.store.decisions(reviewer="alice")] == [a, b, c]
    assert workspace.store.decision_changes("alice") == 3


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_removed_sqlite_store_refuses_every_key_and_is_not_made_again(workspace: Workspace) -> None:
    a, b, _, _ = stored_record_ids(workspace, 4)
    session = ScreeningSession(workspace, "alice", seed=1)
    session.decide(a, "include")
    database = Path(workspace.store.engine.url.database or "")
    moved_aside = database.with_name("aside.db")
    database.rename(moved_aside)  # removed, as the path sees it (its -wal and -shm stay)
    for _attempt in range(2):  # every key, not only the first, is refused: nothing goes into the removed file
        with pytest.raises(StoreLost, match=f"the store file {database} was removed, moved or replaced"):
            session.decide(b, "exclude")
    with pytest.raises(StoreLost):
        workspace.store.undo_last("alice")
    workspace.store.engine.dispose()  # every connection closed: a new one is not opened on an empty new file
    with pytest.raises(StoreLost):
        workspace.store.add_decision(b, "alice", "exclude")
    assert not database.exists()
    moved_aside.rename(database)  # put back: the session goes on where it was
    session.decide(b, "exclude")
    with workspace.store.connect() as conn:
        rows = conn.execute(sa.select(schema.screening_decisions.c.record_id)).scalars().all()
    assert rows == [a, b]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_moved_workspace_folder_is_named_and_its_store_works_in_the_new_place(workspace: Workspace) -> None:
    """The workspace folder renamed under an open window: the line says moved and where to run review again;
    the decision made before the move is in the store at its new place."""
    from review.workspace import Workspace as OpenWorkspace

    a, b, _, _ = stored_record_ids(workspace, 4)
    session = ScreeningSession(workspace, "alice", seed=1)
    session.decide(a, "include")
    moved = workspace.root.with_name("moved")
    workspace.root.rename(moved)
    with pytest.raises(StoreLost, match="removed, moved or replaced .* a moved workspace folder: run review again "
                                        "in its new place"):
        session.decide(b, "exclude")
    workspace.store.engine.dispose()
    again = OpenWorkspace(moved)
    assert [d.record_id for d in again.store.decisions(reviewer="alice")] == [a]
    again.store.engine.dispose()


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_key_whose_commit_went_through_unheard_is_not_made_twice(workspace: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The server commits, then the connection drops before it answers: the key reports StoreLost and the TUI
    keeps the record, so the reviewer presses the same key again. That returns the decision already saved
    (before: a second row, a correction with the same label); a different key is a correction as ever."""
    import psycopg

    a, b, _, _ = stored_record_ids(workspace, 4)
    session = ScreeningSession(workspace, "alice", seed=1)
    dialect = workspace.store.engine.dialect
    real_commit = dialect.do_commit

    def commit_then_lose_the_answer(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        real_commit(dbapi_connection)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_commit", commit_then_lose_the_answer)
    with pytest.raises((StoreLost, sa.exc.OperationalError)):  # (as the driver words it)
        session.decide(a, "include", reasons=["population"])
    monkeypatch.setattr(dialect, "do_commit", real_commit)
    whole_log_reads: list[str | None] = []
    read_log = workspace.store.decisions
    monkeypatch.setattr(workspace.store, "decisions", lambda **kw: (whole_log_reads.append(kw.get("reviewer")),
                                                                    read_log(**kw))[1])
    lean_reads: list[str] = []
    read_lean = ranking_store.decisions_in_force
    monkeypatch.setattr(ranking_store, "decisions_in_force",
                        lambda store, reviewer, **kw: (lean_reads.append(reviewer), read_lean(store, reviewer, **kw))[1])
    again = session.decide(a, "include", reasons=["population"])
    # The decisions in force are read again once (lean, ``decisions_in_force``, since 94fcecee); the saved one is
    # then looked up by its id (before, the reviewer's whole log was read a second time to find it).
    assert lean_reads == ["alice"] and whole_log_reads == []
    assert workspace.store.decision(again.id) == again and workspace.store.decision(again.id + 1000) is None
    monkeypatch.setattr(workspace.store, "decisions", read_log)
    logged = [(d.record_id, d.label) for d in workspace.store.decisions(reviewer="alice")]
    assert logged == [(a, "include")] and again.record_id == a and again.reasons == ("population",)
    assert workspace.store.decision_changes("alice") == 1 and session.progress().screened == 1
    # The same failure, then another label: a correction of the saved decision.
    monkeypatch.setattr(dialect, "do_commit", commit_then_lose_the_answer)
    with pytest.raises((StoreLost, sa.exc.OperationalError)):  # (as the driver words it)
        session.decide(b, "include")
    monkeypatch.setattr(dialect, "do_commit", real_commit)
    session.decide(b, "exclude")
    assert [d.label for d in workspace.store.decisions(reviewer="alice") if d.record_id == b] == ["include", "exclude"]
    assert workspace.store.decision_changes("alice") == 3



def test_a_server_stopped_under_a_session_names_libpqs_cause_not_only_its_hint() -> None:
    """The server stopped (the walk of 2026-12-08: pg_ctl stop under an open TUI): the pool's new connection
    fails with libpq's cause and, on an indented line, its hint; each key said only the hint, '(Is the server
    running locally and accepting connections on that socket?)', whatever the cause."""
    from types import SimpleNamespace

    import psycopg

    from review.store.core import _store_lost

    refused = psycopg.OperationalError(
        'connection is bad: connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: No such file or '
        "directory\n\tIs the server running locally and accepting connections on that socket?")
    context = SimpleNamespace(is_pre_ping=False, dialect=SimpleNamespace(name="postgresql"), connection=None,
                              is_disconnect=False, original_exception=refused,
                              engine=SimpleNamespace(url=sa.make_url("postgresql://review@/x")))
    with pytest.raises(StoreLost) as caught:
        _store_lost(context)
    assert str(caught.value).startswith(
        'the connection to the store was lost (connection is bad: connection to server on socket '
        '"/run/postgresql/.s.PGSQL.5432" failed: No such file or directory (Is the server running locally and '
        "accepting connections on that socket?)); the change under way")
