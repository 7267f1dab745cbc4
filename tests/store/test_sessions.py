"""One live session per reviewer: refused with host and PID, stale ones taken over, never a decision twice."""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from datetime import timedelta

import pytest

from review.records import Record
from review.screening.session import ScreeningSession
from review.store.sessions import (
    STALE_AFTER, SessionBusy, claim_session, heartbeat, live_holder, release_session, reviewer_sessions,
)
from review.workspace import Workspace


def add_records(workspace: Workspace, n: int) -> list[int]:
    workspace.store.add_batch([Record(title=f"record {i}", abstract="text") for i in range(n)], file_name="f",
                              file_sha256="a" * 64, source_name="s", format="csv", encoding="utf-8")
    return [r.id for r in workspace.store.records()]


def test_second_session_is_refused_with_host_and_pid(workspace):
    first = claim_session(workspace.store, "alice")
    with pytest.raises(SessionBusy) as caught:
        claim_session(workspace.store, "alice")
    message = str(caught.value)
    assert f"host {socket.gethostname()}" in message and f"PID {os.getpid()}" in message and "\n" not in message
    assert claim_session(workspace.store, "bob").reviewer == "bob"  # other reviewers are free
    release_session(workspace.store, first)
    assert live_holder(workspace.store, "alice") is None
    claim_session(workspace.store, "alice")


def test_stale_or_dead_sessions_are_taken_over(workspace):
    old = claim_session(workspace.store, "alice")
    from review.store.sessions import _now

    old_time = _now()
    later = old_time + timedelta(seconds=STALE_AFTER + 1)
    assert heartbeat(workspace.store, old, now=old_time)
    taken = claim_session(workspace.store, "alice", now=later)  # no heartbeat for STALE_AFTER
    assert taken.token != old.token and not heartbeat(workspace.store, old)
    # A session of this host whose process has ended is stale at once.
    release_session(workspace.store, taken)
    dead = multiprocessing.get_context("spawn").Process(target=int)
    dead.start()
    dead.join()
    claim_session(workspace.store, "alice", pid=dead.pid)
    claim_session(workspace.store, "alice")


def test_a_killed_process_not_yet_reaped_holds_no_session(workspace):
    """walk24: after `kill -9` of a `review decide` started in the background, the next one was refused for up to
    STALE_AFTER s ("already screening in another session (…, PID N, …); close that one first"): the killed process
    was a zombie its parent had not reaped yet, and signal 0 reaches a zombie."""
    import signal
    import subprocess
    import time

    killed = subprocess.Popen(["sleep", "60"])
    try:
        claim_session(workspace.store, "alice", pid=killed.pid)
        os.kill(killed.pid, signal.SIGKILL)
        for _ in range(200):  # until the kernel has made it a zombie (it is not reaped: no wait() yet)
            if open(f"/proc/{killed.pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z":
                break
            time.sleep(0.01)
        assert live_holder(workspace.store, "alice") is None
        claim_session(workspace.store, "alice")
    finally:
        killed.kill()
        killed.wait()


def test_a_session_taken_over_saves_nothing(workspace):
    ids = add_records(workspace, 5)
    first = ScreeningSession(workspace, "alice", quick_start=True)
    first.session_token = claim_session(workspace.store, "alice").token
    first.decide(ids[0], "include")
    from review.store.sessions import _now

    second = ScreeningSession(workspace, "alice", quick_start=True)
    second.session_token = claim_session(workspace.store, "alice",
                                         now=_now() + timedelta(seconds=STALE_AFTER + 1)).token
    with pytest.raises(SessionBusy, match="taken over"):
        first.decide(ids[1], "exclude")
    with pytest.raises(SessionBusy):
        first.undo()
    second.decide(ids[1], "include")
    assert [(d.record_id, d.label) for d in workspace.store.decisions(reviewer="alice")] == [
        (ids[0], "include"), (ids[1], "include")]


def _screen_all(root: str, reviewer: str, queue, release) -> None:  # runs in a child process
    from pathlib import Path

    workspace = Workspace(Path(root))
    try:
        claim = claim_session(workspace.store, reviewer)
    except SessionBusy as err:
        queue.put(("refused", str(err)))
        return
    queue.put(("claimed", ""))
    session = ScreeningSession(workspace, reviewer, quick_start=True)
    session.session_token = claim.token
    decided = 0
    while (record := session.next_record()) is not None:
        session.decide(record.id, "exclude")
        decided += 1
    queue.put(("done", str(decided)))
    release.wait(60)  # hold the claim until the other process has tried


def test_two_processes_of_one_reviewer_never_decide_a_record_twice(workspace):
    ids = add_records(workspace, 30)
    workspace.store.engine.dispose()
    context = multiprocessing.get_context("spawn")
    queue, release = context.Queue(), context.Event()
    workers = [context.Process(target=_screen_all, args=(str(workspace.root), "alice", queue, release))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=60) for _ in range(3)]  # claimed, done and refused, in some order
    release.set()
    for worker in workers:
        worker.join(60)
    kinds = {kind for kind, _ in outcomes}
    assert kinds == {"claimed", "done", "refused"}, outcomes
    assert "PID" in next(text for kind, text in outcomes if kind == "refused")
    rows = workspace.store.decisions(reviewer="alice")
    assert len(rows) == len(ids) and len({d.record_id for d in rows}) == len(ids)


def test_no_reviewer_name_shares_the_row_a_search_holds(workspace):
    """A search holds ``search:NAME``: a reviewer of that name would take it over, or be refused as busy."""
    from click.testing import CliRunner

    from review.cli import main
    from review.errors import ReviewError
    from review.store.sessions import claim_search

    search = claim_search(workspace.store, "q")
    with pytest.raises(ReviewError, match=r"^reviewer 'search:q': a reviewer name may not hold ':'"):
        claim_session(workspace.store, "search:q")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "search:q", "decide", "1", "--include"])
    message = result.stderr.strip()
    assert result.exit_code != 0 and "\n" not in message and "--reviewer 'search:q': " in message
    assert live_holder(workspace.store, "search:q") is not None and heartbeat(workspace.store, search)


def test_a_long_write_of_the_claims_own_process_never_lets_the_claim_lapse(tmp_path, monkeypatch):
    """tui31: on SQLite a write holds the store's one write lock; a window's heartbeat waiting for it gives up after
    the busy timeout (a missed beat, 6deaf29c), so the window's own write longer than STALE_AFTER (an import, a dedup
    run) left its claim stale as it committed, and `review decide -r alice` in a shell, or another window, took the
    reviewer over at once: the window's next decision was refused. Constructed with real constants by
    /work/notes/rev31/tui31.md's script (a 55 s write); here in small: the write outlasts the staleness a claimant
    allows it. The write's commit now beats for the claims of its process."""
    import sqlalchemy as sa

    from review.store import core, schema
    from review.store.sessions import live_holder
    from review.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    mine = claim_session(workspace.store, "alice")
    monkeypatch.setattr(core, "LONG_WRITE_S", 0.3)
    other = core.Store.open(workspace.store.engine.url.render_as_string(hide_password=False), create=False)  # (as
    # another process: its own connections)
    with workspace.store.locked_transaction() as conn:  # the window's own long write
        conn.execute(sa.update(schema.schema_info).where(schema.schema_info.c.key == "version")
                     .values(value=schema.schema_info.c.value))
        time.sleep(0.8)
    holder = live_holder(other, "alice", stale_after=0.5)
    assert holder is not None and holder.pid == os.getpid()
    with pytest.raises(SessionBusy):  # (before: taken over, the claim stale for 0.8 s)
        claim_session(other, "alice", stale_after=0.5)
    assert heartbeat(workspace.store, mine)
    # A claim released, or taken over, is beaten for no more.
    release_session(workspace.store, mine)
    with workspace.store.locked_transaction() as conn:
        conn.execute(sa.update(schema.schema_info).where(schema.schema_info.c.key == "version")
                     .values(value=schema.schema_info.c.value))
        time.sleep(0.4)
    assert live_holder(other, "alice") is None
    other.engine.dispose()


def test_a_long_write_of_another_process_lets_no_live_claim_lapse(tmp_path, monkeypatch):
    """tui32: a write of another process (a shell's `review import` of 300,000 records held the one write lock 55 s at
    load 11) kept the window's beats waiting past the busy timeout, each one missed, and as it committed the claim was
    stale: `review -r alice decide` waiting for the lock took the reviewer over (exit 0) and the window's next beat
    found its claim gone (/work/notes/rev32/tui32_foreign_write.py). The time the store was locked by the write now
    does not count against the sessions live when it began: its commit moves their heartbeats on by its length."""
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa

    from review.store import core, schema
    from review.store.sessions import drop_claim, live_holder
    from review.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice", "bob"])
    window = claim_session(workspace.store, "alice")
    drop_claim(workspace.store, "alice", window.token)  # (the window is another process: this one holds no claim)
    gone = claim_session(workspace.store, "bob", now=datetime.now(timezone.utc) - timedelta(seconds=100))
    drop_claim(workspace.store, "bob", gone.token)  # (a window that stopped beating long before the write began)
    monkeypatch.setattr(core, "LONG_WRITE_S", 0.3)
    shell = core.Store.open(workspace.store.engine.url.render_as_string(hide_password=False), create=False)
    with shell.locked_transaction() as conn:  # the other process's long write (an import)
        conn.execute(sa.update(schema.schema_info).where(schema.schema_info.c.key == "version")
                     .values(value=schema.schema_info.c.value))
        time.sleep(0.8)
    assert live_holder(shell, "alice", stale_after=0.5) is not None
    with pytest.raises(SessionBusy):  # (before: taken over, the claim stale for 0.8 s)
        claim_session(shell, "alice", stale_after=0.5)
    assert heartbeat(workspace.store, window)  # the window's next beat: still its claim
    with shell.connect() as conn:  # never moved past the commit
        assert conn.execute(sa.select(sa.func.count()).select_from(reviewer_sessions)
                            .where(reviewer_sessions.c.heartbeat_at > datetime.now(timezone.utc))).scalar() == 0
    # A session already gone when the write began stays gone.
    assert live_holder(shell, "bob") is None
    claim_session(shell, "bob")
    shell.engine.dispose()


def test_time_before_a_transactions_first_write_is_no_lock_held(tmp_path, monkeypatch):
    """rrev32b: the carry-over credits the time the write lock was held, not the time since the transaction began.
    SQLite's transactions are deferred: one that reads (or waits, or computes) before its first write holds no lock
    until that write, and a window could beat meanwhile. Credited from its begin, a session silent for that time
    as well was moved on by it; two such transactions overlapping credit the same seconds twice, moving a window
    that crashed up to the commit each time (never past now, but never stale while they go on)."""
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa

    from review.store import core, schema
    from review.store.sessions import drop_claim, live_holder
    from review.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    silent = STALE_AFTER - 0.5  # alice's window stopped beating this long ago (crashed)
    gone = claim_session(workspace.store, "alice", now=datetime.now(timezone.utc) - timedelta(seconds=silent))
    drop_claim(workspace.store, "alice", gone.token)  # (another process's window: this one holds no claim)
    monkeypatch.setattr(core, "LONG_WRITE_S", 0.3)
    shell = core.Store.open(workspace.store.engine.url.render_as_string(hide_password=False), create=False)
    with shell.transaction() as conn:  # reads for 1.5 s, holding no lock, then writes at once
        conn.execute(sa.select(sa.literal(1)))
        time.sleep(1.5)
        conn.execute(sa.update(schema.schema_info).where(schema.schema_info.c.key == "version")
                     .values(value=schema.schema_info.c.value))
    assert live_holder(shell, "alice") is None  # silent STALE_AFTER + 1 s: stale (before: moved on by 1.5 s, live)
    shell.engine.dispose()


def test_a_long_read_beats_for_nobody(tmp_path, monkeypatch):
    """A transaction that only read held no lock, kept no beat waiting, and takes none (nor the write lock)."""
    import sqlalchemy as sa

    from review.store import core
    from review.store.sessions import _holder
    from review.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    claim_session(workspace.store, "alice")
    with workspace.store.connect() as conn:
        before = _holder(conn, "alice")
    monkeypatch.setattr(core, "LONG_WRITE_S", 0.1)
    with workspace.store.transaction() as conn:
        conn.execute(sa.select(sa.literal(1)))
        time.sleep(0.3)
    with workspace.store.connect() as conn:
        assert _holder(conn, "alice") == before
