"""What a screening session reads of the decision log to agree with the store (both engines): the log's stamp
and the rows added since one seen, the undo that reads the decision in force after it in its own transaction,
and the random sample's recorded start."""

from __future__ import annotations


import pytest
import sqlalchemy as sa

from review.errors import DecisionConflict
from review.screening.session import ScreeningSession
from review.store import screening as ranking_store
from review.workspace import Workspace

from .helpers import stored_record_ids


def test_the_reviewers_changes_are_counted_in_their_own_transactions(workspace: Workspace) -> None:
    """Every decision and undo of a reviewer at a stage counts one change, in the write's own transaction: a
    write refused (a conflict) counts none, another reviewer's or stage's counts apart."""
    a, b, c, _ = stored_record_ids(workspace, 4)
    store = workspace.store
    assert store.decision_changes("alice") == 0
    store.add_decision(a, "alice", "include")
    store.add_decision(b, "bob", "exclude")
    store.add_decision(c, "alice", "exclude", stage="full_text")
    assert (store.decision_changes("alice"), store.decision_changes("bob")) == (1, 1)
    with pytest.raises(DecisionConflict):
        store.add_decision(a, "alice", "exclude", if_undecided=True)
    store.undo_last("alice")
    assert store.decision_changes("alice") == 2 and store.decision_changes("alice", stage="full_text") == 1
    assert store.undo_last("alice") is None and store.decision_changes("alice") == 2


def test_another_reviewers_change_reads_nothing_again_and_the_reviewers_own_is_read_before_the_next_record(workspace: Workspace) -> None:
    """The look counts alice's changes, not the log's rows: bob's decision reads nothing again, alice's in a
    shell is read before the next record. (On PostgreSQL ids commit in any order, so a lower id of alice's
    committed after bob's higher one forced a full reading when the look compared the log's ids and count.)"""
    store = workspace.store
    a, b, c, _ = stored_record_ids(workspace, 4)
    store.add_decision(c, "alice", "include")
    session = ScreeningSession(workspace, "alice", seed=1)
    session.next_record()
    reads: list[int] = []
    read = session._read_decisions
    session._read_decisions = lambda: reads.append(1) or read()  # type: ignore[method-assign]
    store.add_decision(b, "bob", "exclude")
    session.next_record()  # bob's decision: nothing of alice's to read
    assert reads == []
    store.add_decision(a, "alice", "exclude")
    assert session.next_record().id not in (a, c) and session.is_decided(a) and reads == [1]
    assert session.progress().screened == 2


def test_an_undo_reads_the_decision_in_force_after_it_in_its_own_transaction(workspace: Workspace) -> None:
    a, b, _, _ = stored_record_ids(workspace, 4)
    store = workspace.store
    earlier = store.add_decision(a, "alice", "include")
    store.add_decision(b, "alice", "exclude")
    correction = store.add_decision(a, "alice", "exclude")
    undone = store.undo_latest("alice")
    assert undone is not None and undone.decision.id == correction.id
    assert undone.in_force is not None and (undone.in_force.id, undone.in_force.label) == (earlier.id, "include")
    assert undone.undo_id == max(d.id for d in store.decisions(reviewer="alice"))
    second = store.undo_latest("alice")
    assert second is not None and second.decision.record_id == b and second.in_force is None
    assert store.undo_last("alice").id == earlier.id and store.undo_latest("alice") is None


def test_a_sample_starts_once_per_reviewer_and_is_read_back(workspace: Workspace) -> None:
    store = workspace.store
    assert ranking_store.sample_started(store, "alice") is None
    first = ranking_store.start_sample(store, "alice", sample_start=12, seed=7)
    again = ranking_store.start_sample(store, "alice", sample_start=15, seed=8)  # (another window, later)
    assert first == again == ranking_store.sample_started(store, "alice")
    assert (first.sample_start, first.seed) == (12, 7)
    assert ranking_store.sample_started(store, "bob") is None
    assert ranking_store.start_sample(store, "bob", sample_start=3, seed=7).sample_start == 3


def test_a_correction_is_refused_when_the_decision_in_force_is_not_the_one_expected(workspace: Workspace) -> None:
    """``if_in_force``: a correction names the decision it corrects; one made elsewhere since refuses it."""
    a, _, _, _ = stored_record_ids(workspace, 4)
    store = workspace.store
    first = store.add_decision(a, "alice", "include")
    store.add_decision(a, "alice", "exclude")  # (another shell's correction)
    with pytest.raises(DecisionConflict, match=f"record {a}: alice's decision changed"):
        store.add_decision(a, "alice", "include", if_in_force=first.id)
    store.undo_last("alice")  # the first stands again: the correction that expects it is written
    store.add_decision(a, "alice", "maybe", if_in_force=first.id)
    assert [d.label for d in store.current_decisions(reviewer="alice").values()] == ["maybe"]


def test_a_record_brought_back_by_undo_and_decided_elsewhere_is_not_served_again(workspace: Workspace) -> None:
    """Undo here, the same record decided in another shell: the next look reads it decided and serves another
    record (it served the record again, and the key wrote a correction over the other shell's decision)."""
    from review.services import screening as service

    stored_record_ids(workspace, 30)
    session = ScreeningSession(workspace, "alice", seed=1)
    for label in ("include", "exclude", "exclude"):
        session.decide(session.next_record().id, label)
    x = session.undo().record_id
    service.decide_records(workspace, "alice", [str(x)], "include")
    assert session.next_record().id != x
    assert [d.label for d in workspace.store.decisions(reviewer="alice") if d.record_id == x] == [
        "exclude", "undo", "include"]


def test_a_correction_brought_back_by_undo_is_refused_once_decided_elsewhere(workspace: Workspace) -> None:
    """An undone correction brings its record back with the earlier decision in force; another shell decides it
    before the key: the key is refused (DecisionConflict), not written as a correction over that decision."""
    from review.services import screening as service

    stored_record_ids(workspace, 30)
    session = ScreeningSession(workspace, "alice", seed=1)
    x = session.next_record().id
    session.decide(x, "include")
    session.decide(x, "exclude")  # a correction
    assert session.undo().record_id == x  # the include stands again
    service.decide_records(workspace, "alice", [str(x)], "maybe")
    with pytest.raises(DecisionConflict, match=f"record {x}: decided elsewhere meanwhile \\(maybe"):
        session.decide(x, "exclude")
    assert workspace.store.current_decisions(reviewer="alice")[(x, "alice")].label == "maybe"


def test_two_sample_starts_at_once_keep_the_first_without_the_store_wide_lock(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A start recorded by another window between this one's look and its insert: the unique reviewer column
    refuses the insert and the start that won is returned (both windows draw the same sample)."""
    store = workspace.store
    first = ranking_store.start_sample(store, "alice", sample_start=3, seed=7)
    assert ranking_store.start_sample(store, "alice", sample_start=5, seed=8) == first
    looks: list[str] = []
    read = ranking_store.sample_started

    def missed_at_first(s: object, reviewer: str) -> ranking_store.SampleStart | None:  # (the other's not yet seen)
        looks.append(reviewer)
        return None if len(looks) == 1 else read(store, reviewer)

    monkeypatch.setattr(ranking_store, "sample_started", missed_at_first)
    assert ranking_store.start_sample(store, "alice", sample_start=9, seed=9) == first and len(looks) == 2
    assert ranking_store.start_sample(store, "bob", sample_start=2, seed=1) == ranking_store.SampleStart(2, 1)


def test_a_decision_numbers_its_change_in_one_statement(workspace: Workspace) -> None:
    """The change row's number is read and inserted in one INSERT … SELECT (it was a read, then an insert): one
    round trip less per key on a PostgreSQL server across a network. The numbers still run 1, 2, 3."""
    ids = stored_record_ids(workspace, 3)
    statements: list[str] = []
    sa.event.listen(workspace.store.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_rest: statements.append(statement))
    for record_id in ids:
        statements.clear()
        workspace.store.add_decision(record_id, "alice", "include", if_undecided=True)
        on_changes = [s for s in statements if "screening_decision_changes" in s]
        assert len(on_changes) == 1 and on_changes[0].lstrip().upper().startswith("INSERT"), on_changes
    assert workspace.store.decision_changes("alice") == 3


def test_a_decision_stores_the_blind_mode_it_was_made_in(workspace: Workspace) -> None:
    """``blind`` is written in the decision's own insert and read back as it was given; not given: not recorded."""
    a, b, c, _ = stored_record_ids(workspace, 4)
    store = workspace.store
    assert store.add_decision(a, "alice", "include", blind=True).blind is True
    store.add_decision(b, "alice", "exclude", blind=False)
    store.add_decision(c, "alice", "maybe")
    assert [(d.record_id, d.blind) for d in store.decisions(reviewer="alice")] == [(a, True), (b, False), (c, None)]
