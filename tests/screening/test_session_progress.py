"""The session's progress (counts and stopping verdict) against the same made afresh from the store.

The session keeps a tally of the decisions in force, added to decision by decision, and keeps its last
progress until what it reads changes. Random operations (a decision on the record served or on one
picked by id, a correction, an undo, a decision from another window read again, a removal or restore in
another shell, the start of the random sample, classifier evidence taken, a setting changed, and more:
``OPERATIONS``) are each followed by a comparison with the progress computed from the store's log (and
now and then in the random sample, of the kept draw order with the one drawn afresh): a tally, a kept
verdict or a kept sample order that missed a change shows up as a difference.
"""

from __future__ import annotations

import dataclasses
import random
import zlib
from collections import Counter

import numpy as np
import pytest

from review.dedup.decisions import decide_pair, undo_merge
from review.errors import ReviewError
from review.records import Record
from review.screening import session as session_module
from review.screening import stopping_classifier
from review.screening.removed import NotOffered, RemovedMeanwhile, workspace_set_aside
from review.screening.session import PHASE_SAMPLE, Progress, ScreeningSession
from review.store import screening as ranking_store
from review.store.core import DecisionConflict
from review.store.fulltext import remove_records, restore_records

LABELS = ("include", "exclude", "exclude", "exclude", "maybe")


def _workspace_of(workspace, n_records: int, seed: int) -> dict[int, int]:
    rng = random.Random(seed)
    truth = [int(rng.random() < 0.2) for _ in range(n_records)]
    records = [Record(title=f"{'relevant' if y else 'other'} record {i}", abstract="", external_id=str(i))
               for i, y in enumerate(truth)]
    workspace.store.add_batch(records, file_name="made.csv", file_sha256="p" * 64, source_name="test",
                              format="csv", encoding="utf-8")
    return {rec.id: y for rec, y in zip(workspace.store.records(), truth, strict=True)}


def _from_the_store(session: ScreeningSession, workspace) -> Progress:
    """The progress the session should show, read afresh: the log's decisions in force in id order, the
    records set aside as the store has them now, the session's settings, phase and evidence in use."""
    hidden = workspace_set_aside(workspace, session_module._duplicate_ids(workspace.store)).ids()
    n_total = sum(1 for r in ranking_store.record_ids(workspace.store) if r not in hidden)
    in_force = sorted((d for d in workspace.store.current_decisions(reviewer=session.reviewer).values()
                       if d.record_id not in hidden), key=lambda d: d.id)
    relevance = {d.id: int(d.label in ("include", "maybe")) for d in in_force}
    sampled = [d for d in in_force if d.model_info.get("phase") == PHASE_SAMPLE]
    ranked = [d for d in in_force if d.model_info.get("phase") != PHASE_SAMPLE]
    by_label = Counter(d.label for d in in_force)
    picked = frozenset()
    no_verdict = False
    if session.stopping_rule == "recommended" and session.phase != PHASE_SAMPLE and not sampled:
        # Decision 0071: the trend reads the decisions taken from the queue; a record picked leaves the set.
        taken = [d for d in ranked if d.model_info.get("chosen") is not True]
        picked = frozenset(d.record_id for d in ranked if d.model_info.get("chosen") is True)
        trend = session_module._TrendReading([relevance[d.id] for d in taken], [d.id for d in taken],
                                             n_total - len(picked), picked)
        status = session_module._said_of_picked(session_module.assess(
            trend.ranked, [], trend.n_total, target_recall=session.target_recall, confidence=session.confidence,
            consecutive=session.consecutive, rule=session.stopping_rule, classifier=session._classifier_view,
            decision_ids=trend.decision_ids), trend)
        no_verdict = bool(picked) and not taken and status.remaining > 0
    else:
        status = session_module.assess(
            [relevance[d.id] for d in ranked], [relevance[d.id] for d in sampled], n_total,
            target_recall=session.target_recall, confidence=session.confidence, consecutive=session.consecutive,
            sample_started=session.phase == PHASE_SAMPLE, rule=session.stopping_rule,
            classifier=session._classifier_view, decision_ids=[d.id for d in in_force])
        if session.phase == PHASE_SAMPLE or sampled:  # the sample's test gives the verdict: the certified rule's
            status = dataclasses.replace(status, rule="certified")
    screened = by_label["include"] + by_label["exclude"] + by_label["maybe"]
    return Progress(total=n_total, screened=screened, included=by_label["include"], excluded=by_label["exclude"],
                    maybe=by_label["maybe"], remaining=n_total - screened, est_recall=status.estimated_recall,
                    stopping=status, phase=session.phase, picked=len(picked), no_verdict=no_verdict)


def _draws(session: ScreeningSession, workspace) -> list[int]:
    """The random sample's next records, drawn afresh: the seeded permutation of the records to screen
    that no ranked-phase decision covers (the urn), without the ones decided."""
    hidden = workspace_set_aside(workspace, session_module._duplicate_ids(workspace.store)).ids()
    in_force = workspace.store.current_decisions(reviewer=session.reviewer).values()
    ranked = {d.record_id for d in in_force if d.model_info.get("phase") != PHASE_SAMPLE}
    urn = [r for r in ranking_store.record_ids(workspace.store) if r not in hidden and r not in ranked]
    rng = np.random.default_rng([session.seed, zlib.crc32(session.reviewer.encode()), session._sample_start or 0])
    decided = {d.record_id for d in in_force}
    return [r for r in rng.permutation(np.asarray(urn, dtype=np.int64)).tolist() if r not in decided]


def _first_draw(session: ScreeningSession, workspace) -> int | None:
    return next(iter(_draws(session, workspace)), None)


def _kept_draws(session: ScreeningSession) -> list[int]:
    """The session's next records of the random sample: its kept order without the records decided (the
    whole order, not only the next draw: a kept order made for another urn mostly agrees with the right one,
    as the seeded permutation moves the records of two urns of one size alike)."""
    with session._lock:
        decided = session._state.decided
        return [r for r in session._sample_order() if r not in decided]


def _evidence(workspace, reviewer: str, rng: random.Random, *, holds: bool) -> dict:
    """A classifier view (numbers drawn at random) made from the decisions in force, or from all but
    one of them (a view that no longer holds)."""
    ids = sorted(d.id for d in workspace.store.current_decisions(reviewer=reviewer).values())
    if not holds and ids:
        ids.pop(rng.randrange(len(ids)))
    return {"screened": len(ids), "found": 1, "expected_remaining": rng.uniform(0, 3), "most_left": rng.randint(0, 2),
            "probability": rng.choice([0.05, 0.5, 0.99]), **stopping_classifier.decisions_made_from(ids)}


OPERATIONS = {  # name: weight
    "served": 30, "chosen": 8, "undo": 6, "other_window": 4, "remove": 3, "restore": 3, "swap": 2, "sample": 1,
    "evidence": 3, "setting": 2, "paint": 4, "refused_meanwhile": 2, "conflict": 2, "import": 2, "merge": 2,
    "unmerge": 2, "read_ahead": 3, "undo_correction": 3, "rechoose": 3,
}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_progress_after_random_operations_is_what_the_store_says(workspace, seed: int) -> None:
    """After every operation the progress equals the store's; the next draw of the random sample is compared
    with one drawn afresh only now and then (``_next_id`` refreshes the kept order itself: a check after
    every operation would hide an order kept over two changes that leave its key as it was)."""
    truth = _workspace_of(workspace, 70, seed)
    all_ids = sorted(truth)
    rng = random.Random(seed)
    session = ScreeningSession(workspace, "alice", seed=seed)
    session.consecutive = 6  # (a sample becomes due within the run)
    removed: set[int] = set()
    done: Counter[str] = Counter()
    phases: set[str] = set()
    draws_checked = 0

    def offered() -> list[int]:
        return [r for r in all_ids if session.is_to_screen(r) and r not in removed]

    sample_by = rng.randrange(60, 160)  # (the sample started by hand then, unless due or started before)
    for step in range(300):
        operation = rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
        operation = "sample" if step == sample_by else operation
        if operation == "served":
            record = session.next_record()  # (may start the sample itself: auto_sample)
            if record is not None:
                assert session.is_to_screen(record.id) and record.id not in removed
                session.decide(record.id, rng.choice(LABELS))
        elif operation == "chosen":  # a record picked by id: new, a correction, or one not offered
            record_id = rng.choice(all_ids)
            if record_id in removed or not session.is_to_screen(record_id):
                with pytest.raises(NotOffered):
                    session.decide(record_id, rng.choice(LABELS), chosen=True)
            else:
                operation = "correction" if session.is_decided(record_id) else operation
                session.decide(record_id, rng.choice(LABELS), chosen=True)
        elif operation == "undo":
            session.undo()
        elif operation == "rechoose":  # a record picked by id, the next draw shown, the pick taken back, another picked
            undecided = [r for r in offered() if not session.is_decided(r)]
            if len(undecided) >= 2:
                first, second = rng.sample(undecided, 2)
                session.decide(first, rng.choice(LABELS), chosen=True)
                session.next_record()
                assert session.undo().record_id == first
                session.decide(second, rng.choice(LABELS), chosen=True)
        elif operation == "other_window":  # the same reviewer decides elsewhere, perhaps takes it back and picks
            undecided = [r for r in offered() if not session.is_decided(r)]  # another; this session reads again
            rng.shuffle(undecided)
            phase = rng.choice(["ranked", session.phase])  # (picked by id there, or a draw)
            info = {"phase": phase, "sample_start": session._sample_start}
            if undecided:
                workspace.store.add_decision(undecided.pop(), "alice", rng.choice(LABELS), model_info=info)
                session.reload_decisions()
            if undecided and rng.random() < 0.5:
                session.next_record()
                workspace.store.undo_last("alice")
                workspace.store.add_decision(undecided.pop(), "alice", rng.choice(LABELS), model_info=info)
                session.reload_decisions()
        elif operation == "remove":  # another shell removes a record (perhaps decided) before screening
            record_id = rng.choice(all_ids)
            remove_records(workspace.store, [record_id], "bob", "retracted")
            removed.add(record_id)
            session.refresh_set_aside()
        elif operation == "restore" and removed:
            record_id = rng.choice(sorted(removed))
            restore_records(workspace.store, [record_id], "bob")
            removed.discard(record_id)
            session.refresh_set_aside()
        elif operation == "swap" and removed:  # one record removed and another restored, then one look
            back = rng.choice(sorted(removed))
            gone = rng.choice([r for r in all_ids if r not in removed])
            remove_records(workspace.store, [gone], "bob", "retracted")
            restore_records(workspace.store, [back], "bob")
            removed.symmetric_difference_update({gone, back})
            session.refresh_set_aside()
        elif operation == "refused_meanwhile":  # removed in a shell since the last look: the decision's own
            record_id = rng.choice(offered())  # transaction refuses it
            remove_records(workspace.store, [record_id], "bob", "retracted")
            removed.add(record_id)
            with pytest.raises(RemovedMeanwhile):
                session.decide(record_id, rng.choice(LABELS), chosen=rng.random() < 0.5)
        elif operation == "conflict":  # another session of the reviewer decided the record first
            undecided = [r for r in offered() if not session.is_decided(r)]
            if undecided:
                record_id = rng.choice(undecided)
                workspace.store.add_decision(record_id, "alice", "exclude", model_info={"phase": "ranked"})
                rows = len(workspace.store.decisions(reviewer="alice"))
                with pytest.raises(DecisionConflict, match=f"record {record_id}: decided elsewhere"):
                    session.decide(record_id, rng.choice(LABELS), chosen=True)
                assert len(workspace.store.decisions(reviewer="alice")) == rows  # nothing recorded by this session
                assert session.is_decided(record_id)  # the decisions in force read again (compared below)
        elif operation == "import":  # an update search imported in another window
            new = [Record(title=f"update record {len(all_ids) + i}", abstract="", external_id=f"u{len(all_ids) + i}")
                   for i in range(rng.randint(1, 3))]
            workspace.store.add_batch(new, file_name=f"u{len(all_ids)}.csv", file_sha256=f"{len(all_ids):064x}",
                                      source_name="update", format="csv", encoding="utf-8")
            all_ids = sorted(ranking_store.record_ids(workspace.store))
            session.refresh_records()
        elif operation == "merge":  # dedup merges two records in another window
            a, b = rng.sample(all_ids, 2)
            try:
                decide_pair(workspace.store, a, b, "same", "bob")
            except ReviewError as refused:  # (a pair called different before)
                assert "not merged" in str(refused)
            session.refresh_set_aside()
        elif operation == "unmerge":
            merged = sorted(set(session_module._duplicate_ids(workspace.store).values()))
            if merged:
                undo_merge(workspace.store, rng.choice(merged), "bob")
            session.refresh_set_aside()
        elif operation == "read_ahead":
            session.read_ahead()
        elif operation == "undo_correction":  # a correction undone, and the record brought back decided again
            decided = [r for r in offered() if session.is_decided(r)]
            if decided:
                record_id = rng.choice(decided)
                session.decide(record_id, rng.choice(LABELS), chosen=rng.random() < 0.5)
                session.undo()
                assert session.next_record().id == record_id
                session.decide(record_id, rng.choice(LABELS))
        elif operation == "sample":
            session.start_sample()
        elif operation == "evidence":
            session.apply_stopping_evidence(_evidence(workspace, "alice", rng, holds=rng.random() < 0.7),
                                            session.evidence_epoch)
        elif operation == "setting":
            session.stopping_rule = rng.choice(["recommended", "certified"])
            session.consecutive = rng.choice([4, 6, None])
        else:  # a paint between two changes: the kept progress
            assert session.progress() is session.progress()
        done[operation] += 1
        phases.add(session.phase)
        assert session.progress() == _from_the_store(session, workspace), (operation, dict(done))
        if session.phase == PHASE_SAMPLE and rng.random() < 0.2:  # the kept sample order is the one drawn afresh
            draws_checked += 1
            fresh = _draws(session, workspace)
            with session._lock:
                assert session._next_id() == next(iter(fresh), None), (operation, dict(done))
            assert _kept_draws(session) == fresh, (operation, dict(done))
    # every kind of operation ran, in both phases
    assert set(OPERATIONS) - {"paint", "setting", "sample"} <= set(done)
    assert phases == {"ranked", PHASE_SAMPLE} and draws_checked


def _forty_records(workspace) -> None:
    workspace.store.add_batch([Record(title=f"record {i}", abstract="", external_id=str(i)) for i in range(40)],
                              file_name="m.csv", file_sha256="p" * 64, source_name="t", format="csv",
                              encoding="utf-8")


def test_a_served_correction_keeps_its_records_ranked_phase_and_the_draw_follows_the_urn(workspace) -> None:
    """The record an undone correction brings back, decided again as served in the sample phase, is a
    correction of a ranked decision: it stays ranked (it was recorded as a draw, so a later ranked decision
    by id gave the ranked count its old value and the kept sample order was served though the urn had
    changed)."""
    _forty_records(workspace)
    session = ScreeningSession(workspace, "alice", seed=1)
    session.auto_sample = False
    for _ in range(5):
        last = session.next_record()
        session.decide(last.id, "exclude")
    session.start_sample()
    session.decide(last.id, "include", chosen=True)  # a correction picked by id
    session.undo()  # undone: the record is back, its ranked decision stands
    assert session.next_record().id == last.id
    session.read_ahead()  # (keeps the sample order drawn with the record ranked)
    session.decide(last.id, "exclude")  # decided again, as served
    phases = {d.record_id: d.model_info.get("phase") for d in workspace.store.current_decisions(reviewer="alice").values()}
    assert phases[last.id] == "ranked"
    other = max(r for r in ranking_store.record_ids(workspace.store) if r not in phases)
    session.decide(other, "exclude", chosen=True)  # a ranked decision by id
    with session._lock:
        assert session._next_id() == _first_draw(session, workspace)
    assert session.progress() == _from_the_store(session, workspace)
    assert session.progress().stopping.sample_screened == 0


@pytest.mark.parametrize("started", ["by hand", "auto"])
def test_a_ranked_decision_undone_in_the_sample_and_made_again_stays_ranked(workspace, started: str) -> None:
    """Ranking serves a record, the sample starts, ``u`` brings it back and it is decided again: the
    decision made afresh keeps the undone one's phase (it was recorded as a draw of the random sample,
    ``query=random_sample``, though never drawn)."""
    _forty_records(workspace)
    session = ScreeningSession(workspace, "alice", seed=1)
    session.consecutive, session.stopping_rule = 4, "certified"  # (the rule whose verdict asks for a sample)
    session.auto_sample = started == "auto"
    session.decide(session.next_record().id, "include")
    for _ in range(4):
        last = session.next_record()
        session.decide(last.id, "exclude")
    if started == "by hand":
        session.start_sample()
    drawn = session.next_record()  # (auto: the sample starts here, four irrelevant in a row after one found)
    assert session.phase == PHASE_SAMPLE and drawn.id != last.id
    undone = session.undo()
    assert undone.record_id == last.id and session.next_record().id == last.id
    decision = session.decide(last.id, "exclude")
    assert decision.model_info["phase"] == "ranked" and decision.model_info.get("query") != "random_sample"
    assert "sample_start" not in decision.model_info
    assert session.progress().stopping.sample_screened == 0
    assert session.progress() == _from_the_store(session, workspace)
    assert session.next_record().id == drawn.id  # the draw shown before the undo is still the sample's first
