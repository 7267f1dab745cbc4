"""The session's progress (counts and stopping verdict) against the same made afresh from the store.

The session keeps a tally of the decisions in force, added to decision by decision, and keeps its last
progress until what it reads changes. Random operations (a decision on the record served or on one
picked by id, a correction, an undo, a decision from another window read again, a removal or restore in
another shell, the start of the random sample, classifier evidence taken, a setting changed) are each
followed by a comparison with the progress computed from the store's log (and in the random sample,
of the next draw with the one drawn afresh): a tally, a kept verdict or a kept sample order that missed
a change shows up as a difference.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter

import numpy as np
import pytest

from review.records import Record
from review.screening import session as session_module
from review.screening import stopping_classifier
from review.screening.removed import NotOffered, workspace_set_aside
from review.screening.session import PHASE_SAMPLE, Progress, ScreeningSession
from review.store import screening as ranking_store
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
    status = session_module.assess(
        [relevance[d.id] for d in ranked], [relevance[d.id] for d in sampled], n_total,
        target_recall=session.target_recall, confidence=session.confidence, consecutive=session.consecutive,
        sample_started=session.phase == PHASE_SAMPLE, rule=session.stopping_rule,
        classifier=session._classifier_view, decision_ids=[d.id for d in in_force])
    screened = by_label["include"] + by_label["exclude"] + by_label["maybe"]
    return Progress(total=n_total, screened=screened, included=by_label["include"], excluded=by_label["exclude"],
                    maybe=by_label["maybe"], remaining=n_total - screened, est_recall=status.estimated_recall,
                    stopping=status, phase=session.phase)


def _first_draw(session: ScreeningSession, workspace) -> int | None:
    """The random sample's next record, drawn afresh: the seeded permutation of the records to screen
    that no ranked-phase decision covers (the urn), its first one not decided."""
    hidden = workspace_set_aside(workspace, session_module._duplicate_ids(workspace.store)).ids()
    in_force = workspace.store.current_decisions(reviewer=session.reviewer).values()
    ranked = {d.record_id for d in in_force if d.model_info.get("phase") != PHASE_SAMPLE}
    urn = [r for r in ranking_store.record_ids(workspace.store) if r not in hidden and r not in ranked]
    rng = np.random.default_rng([session.seed, zlib.crc32(session.reviewer.encode()), session._sample_start or 0])
    decided = {d.record_id for d in in_force}
    return next((r for r in rng.permutation(np.asarray(urn, dtype=np.int64)).tolist() if r not in decided), None)


def _evidence(workspace, reviewer: str, rng: random.Random, *, holds: bool) -> dict:
    """A classifier view (numbers drawn at random) made from the decisions in force, or from all but
    one of them (a view that no longer holds)."""
    ids = sorted(d.id for d in workspace.store.current_decisions(reviewer=reviewer).values())
    if not holds and ids:
        ids.pop(rng.randrange(len(ids)))
    return {"screened": len(ids), "found": 1, "expected_remaining": rng.uniform(0, 3), "most_left": rng.randint(0, 2),
            "probability": rng.choice([0.05, 0.5, 0.99]), **stopping_classifier.decisions_made_from(ids)}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_progress_after_random_operations_is_what_the_store_says(workspace, seed: int) -> None:
    truth = _workspace_of(workspace, 70, seed)
    all_ids = sorted(truth)
    rng = random.Random(seed)
    session = ScreeningSession(workspace, "alice", seed=seed)
    session.consecutive = 6  # (a sample becomes due within the run)
    removed: set[int] = set()
    done: Counter[str] = Counter()
    phases: set[str] = set()
    for _ in range(220):
        operation = rng.choices(["served", "chosen", "undo", "other_window", "remove", "restore", "sample",
                                 "evidence", "setting", "paint"], weights=[30, 8, 6, 3, 3, 3, 1, 3, 2, 4])[0]
        if operation == "served":
            record = session.next_record()  # (may start the sample itself: auto_sample)
            if record is not None:
                assert session.is_to_screen(record.id) and record.id not in removed
                session.decide(record.id, rng.choice(LABELS))
        elif operation == "chosen":  # a record picked by id: new, a correction, or one not offered
            record_id = rng.choice(all_ids)
            if record_id in removed:
                with pytest.raises(NotOffered):
                    session.decide(record_id, rng.choice(LABELS), chosen=True)
            else:
                operation = "correction" if session.is_decided(record_id) else operation
                session.decide(record_id, rng.choice(LABELS), chosen=True)
        elif operation == "undo":
            session.undo()
        elif operation == "other_window":  # the same reviewer decides elsewhere; this session reads again
            undecided = [r for r in all_ids if r not in removed and not session.is_decided(r)]
            if undecided:
                workspace.store.add_decision(rng.choice(undecided), "alice", rng.choice(LABELS),
                                             model_info={"phase": session.phase})
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
        if session.phase == PHASE_SAMPLE:  # the kept sample order is the one drawn afresh
            with session._lock:
                assert session._next_id() == _first_draw(session, workspace), (operation, dict(done))
    # every kind of operation ran, in both phases
    assert {"served", "chosen", "correction", "undo", "other_window", "remove", "restore", "evidence"} <= set(done)
    assert phases == {"ranked", PHASE_SAMPLE}
