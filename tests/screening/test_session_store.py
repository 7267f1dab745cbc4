"""The session and the store agree: after a store error on a key, after a decision made in another shell or
window, after a conflict, and across a reopening in the random sample."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from review.errors import ReviewError
from review.records import Record
from review.screening.session import PHASE_SAMPLE, ScreeningSession
from review.services import screening as service
from review.store.core import DecisionConflict
from .test_session_progress import _from_the_store


class _FailingEngine:
    """The store's engine, with failures armed by a test: ``commit_then_fail`` makes the next write
    transaction commit and then raise (a connection lost as the commit's answer came back: the write is in,
    the caller hears of an error); ``reads_fail`` makes every new connection for reading raise."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self.commit_then_fail = False
        self.reads_fail = False
        self.reads_fail_after_commit = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        with self._engine.begin() as conn:
            yield conn
        if self.reads_fail_after_commit:
            self.reads_fail_after_commit, self.reads_fail = False, True
        if self.commit_then_fail:
            self.commit_then_fail = False
            raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        if self.reads_fail:
            raise sa.exc.OperationalError("SELECT", {}, Exception("disk I/O error"))
        with self._engine.connect() as conn:
            yield conn


@pytest.fixture
def records(workspace) -> list[int]:
    workspace.store.add_batch([Record(title=f"record {i}", abstract="", external_id=str(i)) for i in range(30)],
                              file_name="r.csv", file_sha256="r" * 64, source_name="t", format="csv",
                              encoding="utf-8")
    return sorted(r.id for r in workspace.store.records() if r.id is not None)


def _failing(session: ScreeningSession, monkeypatch: pytest.MonkeyPatch) -> _FailingEngine:
    engine = _FailingEngine(session.store.engine)
    monkeypatch.setattr(session.store, "engine", engine)
    return engine


def _screen(session: ScreeningSession, labels: list[str]) -> list[int]:
    """Decide the records served, one label each; their ids."""
    served = []
    for label in labels:
        record = session.next_record()
        session.decide(record.id, label)
        served.append(record.id)
    return served


def _agrees(session: ScreeningSession, workspace) -> bool:
    """The session's counts and decisions are the store's."""
    in_store = {r: d.label for (r, _), d in workspace.store.current_decisions(reviewer=session.reviewer).items()}
    with session._lock:
        known = {r: d.label for r, d in session._state.decided.items()}
    return known == in_store and session.progress() == _from_the_store(session, workspace)


def _key_refused_or_agrees(session: ScreeningSession, workspace, engine: _FailingEngine) -> None:
    """The next key, while the store cannot be read, either refuses (nothing written) or leaves the session
    agreeing with the store."""
    rows = len(workspace.store.decisions(reviewer=session.reviewer))
    engine.reads_fail = True
    try:
        session.next_record()
    except (ReviewError, sa.exc.SQLAlchemyError):
        refused = True
    else:
        refused = False
    engine.reads_fail = False
    if refused:
        assert len(workspace.store.decisions(reviewer=session.reviewer)) == rows
    else:
        assert _agrees(session, workspace)


def test_an_undo_whose_reading_back_fails_leaves_the_session_agreeing_with_the_store(
        workspace, records, monkeypatch) -> None:
    """The undo row commits and the read after it fails: the session went on counting the undone decision
    (progress, tally, queue) and served on as if it stood."""
    session = ScreeningSession(workspace, "alice", seed=1)
    _screen(session, ["include", "exclude", "exclude"])
    engine = _failing(session, monkeypatch)
    engine.reads_fail_after_commit = True
    try:
        undone = session.undo()
    except (ReviewError, sa.exc.SQLAlchemyError):
        undone = None
    engine.reads_fail = False
    assert len(workspace.store.decisions(reviewer="alice")) == 4  # the undo row is in
    _key_refused_or_agrees(session, workspace, engine)
    record = session.next_record()
    assert _agrees(session, workspace)
    last = workspace.store.decisions(reviewer="alice")[-2]
    assert record.id == last.record_id and (undone is None or undone.id == last.id)


@pytest.mark.parametrize("key", ["decide", "undo"])
def test_a_write_that_commits_and_then_fails_is_read_back_before_the_next_key(
        workspace, records, monkeypatch, key: str) -> None:
    """The connection is lost as the commit's answer comes back: the decision (or undo) is in the store, the
    session heard of an error. The next key reads the decisions again first (or refuses while it cannot):
    the record is not served again, nor counted twice."""
    session = ScreeningSession(workspace, "alice", seed=1)
    served = _screen(session, ["include", "exclude"])
    shown = session.next_record()
    engine = _failing(session, monkeypatch)
    engine.commit_then_fail = True
    with pytest.raises((ReviewError, sa.exc.SQLAlchemyError)):
        if key == "decide":
            session.decide(shown.id, "exclude")
        else:
            session.undo()
    engine.reads_fail = True
    with pytest.raises((ReviewError, sa.exc.SQLAlchemyError)):  # a key while the decisions cannot be read: refused
        session.decide(shown.id if key == "undo" else records[-1], "exclude", chosen=True)
    with pytest.raises((ReviewError, sa.exc.SQLAlchemyError)):
        session.next_record()
    engine.reads_fail = False
    nxt = session.next_record()
    assert _agrees(session, workspace)
    if key == "decide":
        assert session.is_decided(shown.id) and nxt.id != shown.id
    else:  # (the record on screen stays; the one undone comes back next, as the queue's first undecided)
        assert not session.is_decided(served[-1]) and nxt.id == shown.id
        session.decide(shown.id, "exclude")
        assert session.next_record().id == served[-1] and _agrees(session, workspace)


def test_a_decision_made_elsewhere_first_is_read_again_and_named(workspace, records) -> None:
    """Another window of the reviewer (a claim taken over, a script) decided the record on screen: the
    conflict left the session stale until a reload; now it reads the decisions in force again and says which
    record was decided elsewhere, and the next record is another."""
    session = ScreeningSession(workspace, "alice", seed=1)
    _screen(session, ["include", "exclude"])
    shown = session.next_record()
    workspace.store.add_decision(shown.id, "alice", "maybe", model_info={"phase": "ranked"})
    with pytest.raises(DecisionConflict) as caught:
        session.decide(shown.id, "exclude")
    assert str(caught.value) == (f"record {shown.id}: decided elsewhere meanwhile (maybe, by alice in another window "
                                 "or shell); nothing recorded here — your decisions were read again")
    assert "\n" not in str(caught.value)
    assert _agrees(session, workspace) and session.is_decided(shown.id)
    assert session.next_record().id != shown.id


def test_review_decide_names_the_record_decided_elsewhere_partway(workspace, records) -> None:
    """The service's one line: the record decided elsewhere, what was saved before it, what was not tried."""
    a, b, c = records[:3]

    def meanwhile(decision) -> None:
        if decision.record_id == a:  # another window of alice decides b while review decide runs
            workspace.store.add_decision(b, "alice", "include", model_info={"phase": "ranked"})

    with pytest.raises(ReviewError) as caught:
        service.decide_records(workspace, "alice", [str(a), str(b), str(c)], "exclude", on_saved=meanwhile)
    assert str(caught.value) == (f"record {b}: decided elsewhere meanwhile (include, by alice in another window or "
                                 f"shell); nothing recorded here — your decisions were read again; saved before it: "
                                 f"{a}; not tried: {c}")
    labels = {r: d.label for (r, _), d in workspace.store.current_decisions(reviewer="alice").items()}
    assert labels == {a: "exclude", b: "include"}


@pytest.mark.parametrize("elsewhere", ["decide", "undo"])
def test_a_decision_or_undo_in_another_shell_reaches_the_queue_before_the_next_record(
        workspace, records, elsewhere: str) -> None:
    """Written by a writer that holds no claim (this session holds none either; with a claimed window the other
    writer can only be claimless: ``review decide`` and a window that took over a lapsed claim leave the first
    window writing nothing): the record decided there is not served here; one undone there is served again."""
    session = ScreeningSession(workspace, "alice", seed=1)
    _screen(session, ["include", "exclude", "exclude"])
    shown = session.next_record()
    with session._lock:
        after = session._next_id(skip=shown.id)
    session.decide(shown.id, "exclude")
    if elsewhere == "decide":
        service.decide_records(workspace, "alice", [str(after)], "include")
    else:
        service.undo_last_decision(workspace, "alice")
    record = session.next_record()
    assert _agrees(session, workspace)
    assert record.id == (shown.id if elsewhere == "undo" else session._next_id()) and record.id != after


def test_a_single_shell_and_another_reviewers_decisions_read_no_decisions_again(
        workspace, records, monkeypatch) -> None:
    """The look before serving is one small query: keys of a single shell, and decisions of another reviewer
    in between, never read this reviewer's decisions again."""
    session = ScreeningSession(workspace, "alice", seed=1)
    from review.store import screening as ranking_store

    reads: list[str] = []
    read = ranking_store.decisions_in_force
    monkeypatch.setattr(ranking_store, "decisions_in_force", lambda *a, **kw: reads.append("read") or read(*a, **kw))
    bob = ScreeningSession(workspace, "bob", seed=1)
    for position in range(6):
        record = session.next_record()
        session.decide(record.id, "exclude" if position else "include")
        bob.decide(bob.next_record().id, "exclude")
    session.undo()
    session.next_record()
    assert reads == ["read"]  # (bob's session opening)
    assert _agrees(session, workspace)


def _certified(workspace) -> None:
    path = workspace.root / "review.toml"
    path.write_text(path.read_text() + '\n[screening]\nstopping_rule = "certified"\nconsecutive_irrelevant = 4\n')


@pytest.mark.parametrize("then", ["a relevant record picked by id", "the rule switched", "the only draw undone"])
def test_a_sample_started_with_no_draw_in_force_reopens_in_the_sample_with_the_same_draws(
        workspace, records, then: str) -> None:
    """The phase was read back from the sampled decisions alone: with none in force, the next session (or the
    retrain worker's reading) was in the ranked phase, served the ranking, and a sample started later drew
    another order."""
    _certified(workspace)
    session = ScreeningSession(workspace, "alice", seed=3)
    _screen(session, ["include", "exclude", "exclude", "exclude", "exclude"])
    drawn = session.next_record()  # four irrelevant in a row: the sample starts here
    assert session.phase == PHASE_SAMPLE
    if then == "a relevant record picked by id":  # (no random draw: it counts as ranked and ends the run)
        session.decide(next(r for r in records if not session.is_decided(r) and r != drawn.id), "include",
                       chosen=True)
    elif then == "the rule switched":
        session.set_stopping_rule("recommended")
    else:
        session.decide(drawn.id, "exclude")
        session.undo()
    with session._lock:
        draws = [r for r in session._sample_order() if r not in session._state.decided]
    reopened = ScreeningSession(workspace, "alice", seed=3)
    assert reopened.phase == PHASE_SAMPLE
    with reopened._lock:
        assert [r for r in reopened._sample_order() if r not in reopened._state.decided] == draws
    assert reopened.next_record().id == draws[0]
    assert reopened.progress() == _from_the_store(reopened, workspace)
    worker = ScreeningSession(workspace, "alice", seed=3, quick_start=True)  # the retrain worker's session
    worker.reload_decisions()
    assert worker.phase == PHASE_SAMPLE


def test_records_imported_in_a_shell_are_read_from_the_store_without_holding_the_sessions_lock(
        workspace, monkeypatch) -> None:
    """``refresh_records`` (the TUI's 2 s look after ``review import`` in a shell, 60adad46) ran its queries holding the
    session's lock, so the UI thread's keys and paints waited for them (``record_ids`` alone 32 ms at 50,000
    records): they are read first and applied under the lock, as ``refresh_set_aside`` does (audit27)."""
    import threading

    from review.screening import session as session_module
    from review.store import screening as ranking_store

    def add(first: int, count: int) -> None:
        workspace.store.add_batch([Record(title=f"record {i}", abstract="words", external_id=str(i))
                                   for i in range(first, first + count)], file_name=f"{first}.csv",
                                  file_sha256=f"{first:064x}", source_name="test", format="csv", encoding="utf-8")

    add(0, 5)
    session = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    add(5, 2)  # imported in a shell
    lock_free: list[bool] = []

    def free_to_another_thread() -> None:
        def look() -> None:
            taken = session._lock.acquire(blocking=False)
            if taken:
                session._lock.release()
            lock_free.append(taken)
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()

    read_ids, read_duplicates = ranking_store.record_ids, session_module._duplicate_ids

    def record_ids(*args: Any, **kwargs: Any) -> list[int]:
        free_to_another_thread()
        return read_ids(*args, **kwargs)

    def duplicate_ids(store: Any) -> Any:
        free_to_another_thread()
        return read_duplicates(store)

    monkeypatch.setattr(ranking_store, "record_ids", record_ids)
    monkeypatch.setattr(session_module, "_duplicate_ids", duplicate_ids)
    assert session.records_added()
    session.refresh_records()
    assert lock_free == [True, True]
    assert session.progress().total == 7 and not session.records_added()
