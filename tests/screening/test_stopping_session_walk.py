"""A session that decides a finished order record by record, making every grid check as it falls due, stops where
review simulate's walk (``stopping_classifier.first_stop``) stops with the same classifier answers (rrev24a: nothing
walked the two side by side): decision 0072's rule, the trend's part at 99 % (decision 0078) and the classifier's stop
from k* = 6, read the same in both. The classifier's answers are given per check (``_estimate`` replaced), the
trend's part is the real Lomax rule on the order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from stopping_given import (N, decide_ranked, deciding_session, found_early, given_answers, simulated_stop,
                            thirty_found_early, verdict_after_due_check)


def _session_stop(workspace: Any, labels: np.ndarray, *, asks: Callable[[int], bool] = lambda at: True,
                  until: int = N) -> int | None:
    """Where the session's verdict first says stop, deciding ``labels`` in order up to ``until`` records; it makes a
    due check only after the decisions ``asks`` allows (every one: as the screening screen asks after each queue)."""
    from review.records import Record
    from review.screening.session import ScreeningSession

    records = [Record(title=f"{'insomnia therapy' if y else 'cardiology registry'} record {i}",
                      abstract=f"words {i % 17} more {i % 5}", external_id=str(i)) for i, y in enumerate(labels)]
    workspace.store.add_batch(records, file_name="made.csv", file_sha256="w" * 64, source_name="test",
                              format="csv", encoding="utf-8")
    ids = [record.id for record in workspace.store.records()]
    session = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    for at, (record_id, y) in enumerate(zip(ids[:until], labels[:until], strict=True), start=1):
        session.decide(record_id, "include" if y else "exclude")
        epoch = session.evidence_epoch
        if asks(at) and session.stopping_evidence_due():
            assert session.apply_stopping_evidence(session.stopping_evidence(), epoch)
        if at < len(labels) and session.progress().stopping.verdict == "stop":  # (at the end: nothing left)
            return at
    return None


@pytest.mark.parametrize("name, relevant, probability_at, stop", [
    ("114 relevant, 0.9 at every check: the classifier's stop once k* = 6", 114, lambda at: 0.9, 600),
    ("114 relevant, 0.9 with checks without a fit between", 114, lambda at: 0.9 if at % 30 else None, 615),
    ("114 relevant, 0.5: the trend's 99 %", 114, lambda at: 0.5, 840),
    ("113 relevant (k* = 5), 0.9: not asked, the trend's 99 %", 113, lambda at: 0.9, 873),
    ("30 relevant (k* = 1), 0.5 (it assented under decision 0068): the trend's 99 %", 30, lambda at: 0.5, 653),
])
def test_a_session_stops_where_review_simulates_walk_stops(workspace, monkeypatch: pytest.MonkeyPatch, name: str,
                                                            relevant: int, probability_at: Callable[[int], float | None],
                                                            stop: int) -> None:
    given_answers(monkeypatch, probability_at)
    labels = thirty_found_early() if relevant == 30 else found_early(relevant)
    assert simulated_stop(labels) == stop, name
    assert _session_stop(workspace, labels, until=stop + 1) == stop, name



def test_an_undo_below_a_check_asks_again_from_the_grid_point_before_it(workspace,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # 114 relevant (k* = 6), the classifier at 0.5 at every check but at 614 records, off the grid of 15: review
    # simulate's walk never asks there and stops at the trend's 99 % (840). A session that decided to the check of 615
    # and undid one decision asked at once from all 614 (before 37b68c71) and said stop on the classifier at 0.9. The
    # check made at once after an undo is the walk's check at the grid point before (600: 0.5, continue), as a
    # reopened session or review status --stopping makes it; after an undo back past a grid point (598), 585's.
    given_answers(monkeypatch, lambda at: 0.9 if at == 614 else 0.5)
    labels = found_early(114)
    assert simulated_stop(labels) == 840
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []

    def decide(start: int, upto: int) -> None:  # the records ranked start + 1 to upto, each verdict "continue"
        for at in range(start, upto):
            session.decide(ids[at], "include" if labels[at] else "exclude")
            assert verdict_after_due_check(session, checks) == "continue", at + 1

    decide(0, 615)
    assert checks[-2:] == [600, 615]
    session.undo()
    assert verdict_after_due_check(session, checks) == "continue" and checks[-1] == 600  # never from 614
    decide(614, 615)
    assert checks[-2:] == [600, 615]  # made again from the decisions in force
    for _ in range(17):
        session.undo()
    assert verdict_after_due_check(session, checks) == "continue" and checks[-1] == 585
    redone_from = len(checks)
    decide(598, 839)
    session.decide(ids[839], "exclude")
    assert verdict_after_due_check(session, checks) == "stop"  # the trend's 99 %, where the walk stops
    assert checks[redone_from:] == list(range(600, 841, 15))


def test_after_going_past_a_stop_an_undo_keeps_the_stop_as_the_shell_and_a_reopened_session_say(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # audit26: the classifier at 0.9 at the check of 600 stops the rule (review simulate's walk stops there); the
    # reviewer screens on to the check of 615 (0.5: continue) and undoes one decision. At 614 the walk's view in
    # force is 600's: stop. The app waited for the next grid point and said continue, while review status
    # --stopping and a reopened session checked from 600 and said stop.
    from review.screening.session import ScreeningSession
    from review.services.screening import stopping_advice

    given_answers(monkeypatch, lambda at: 0.9 if at == 600 else 0.5)
    labels = found_early(114)
    assert simulated_stop(labels) == 600
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    decide_ranked(session, ids, labels, 615, checks)
    assert checks[-2:] == [600, 615]
    session.undo()
    app = verdict_after_due_check(session, checks)
    (shell,) = stopping_advice(workspace, ["alice"])
    reopened = verdict_after_due_check(ScreeningSession(workspace, "alice", seed=1, quick_start=True), [])
    assert (app, shell.verdict, reopened) == ("stop", "stop", "stop")
    assert checks[-1] == 600


def test_a_sessions_first_check_is_review_simulates_first_grid_check_past_the_share_gate(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # N = 1,234: checks every 13 records, the share gate at 246 (20 %), off that grid. review simulate's walk asks
    # first at 247; a session deciding record by record asked at 246 and again at 247 (before this change): one look
    # of the classifier more, which the walk never takes.
    given_answers(monkeypatch, lambda at: 0.5)
    labels = np.zeros(1234, dtype=np.int64)
    labels[list(range(0, 240, 2))] = 1  # 120 relevant, k* = 6: the classifier is asked
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    decide_ranked(session, ids, labels, 300, checks)
    assert checks == [247, 260, 273, 286, 299]


def test_a_session_opened_after_an_undo_checks_as_the_walk_from_the_decisions_up_to_the_grid_point(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same review undone to 614, off the grid of 15: the app keeps no check there (above), but review status
    # --stopping (or the app reopened) knows of no check before it and made one at once from all 614 decisions, the
    # look at 614 the walk never takes, and said stop on it where the app went on (rrev26c #1). Made from the first
    # 600 decisions, it is the walk's check of 600: continue, in the shell as in the app.
    from review.screening.session import ScreeningSession
    from review.services.screening import stopping_advice

    given_answers(monkeypatch, lambda at: 0.9 if at == 614 else 0.5)
    labels = found_early(114)
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    decide_ranked(session, ids, labels, 615, checks)
    session.undo()
    assert verdict_after_due_check(session, checks) == "continue"
    (advice,) = stopping_advice(workspace, ["alice"])
    assert advice.evidence_computed and advice.screened == 614
    assert advice.verdict == "continue", advice.explanation
    reopened = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    assert reopened.stopping_evidence_due()
    evidence = reopened.stopping_evidence()
    assert evidence is not None and evidence["screened"] == 600
    assert verdict_after_due_check(reopened, []) == "continue"


def _walk_stop(labels: np.ndarray, *, target_recall: float = 0.95, confidence: float = 0.95) -> int | None:
    """``review simulate``'s stop on ``labels`` in the order decided (``simulated_stop``), for a set of any size and
    any target and confidence."""
    import scipy.sparse as sp

    from review.screening import stopping_classifier as sc
    from review.screening.stopping_rate import lomax_first_stop

    trend = lomax_first_stop(labels, level=sc.trend_levels(confidence), target_recall=target_recall)
    return sc.first_stop(sp.csr_matrix(np.ones((labels.size, 1))), np.arange(labels.size), labels, n_priors=0,
                         lomax_stop=trend, target_recall=target_recall, confidence=confidence)


def test_a_corrected_decision_makes_one_check_at_once_and_it_stops_only_where_the_walk_on_the_decisions_does(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # A correction moves its record to the end of the decision order and drops the view made from the decision it
    # replaced: one check is due at once, made from the decisions up to the grid point before (600 of 605), in the
    # order now in force, which is review simulate's walk's check there. 114 relevant (k* = 6), the classifier at 0.9
    # at every check: the walk stops at 600. The first relevant record corrected to exclude leaves 113 (k* = 5): the
    # check at 600 asks nothing, the trend alone answers, continue, as the walk on the corrected order does (its
    # stop is the trend's, past 605). Corrected back, the record is the 605th decided: the view of 600 was made from
    # the 600 decisions before it, all still in force, and stands (no check); the walk on that order stops at its
    # next check, 615, and so does the session.
    given_answers(monkeypatch, lambda at: 0.9)
    labels = found_early(114)
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    verdict = decide_ranked(session, ids, labels, 605, checks)
    assert verdict == "stop" and _walk_stop(labels) == 600
    made = len(checks)
    session.decide(ids[0], "exclude")
    assert verdict_after_due_check(session, checks) == "continue" and checks[made:] == [600]
    in_force = np.concatenate([labels[1:605], [0], labels[605:]])
    walked = _walk_stop(in_force)
    assert walked is not None and walked > 605
    assert verdict_after_due_check(session, checks) == "continue" and checks[made:] == [600]  # one check, not two
    session.decide(ids[0], "include")
    assert verdict_after_due_check(session, checks) == "continue" and checks[made:] == [600]
    assert _walk_stop(np.concatenate([labels[1:605], [1], labels[605:]])) == 615
    for at in range(605, 615):
        session.decide(ids[at], "exclude")
        verdict = verdict_after_due_check(session, checks)
        assert verdict == ("stop" if at == 614 else "continue"), at + 1
    assert checks[made:] == [600, 615]
    # A decided record set aside (removed before screening in a shell) drops the view made from its decision the same
    # way: one check at once, from the 600 decisions before in the order now in force (113 relevant there: it asks
    # nothing), and the walk on the 1,499 records left in that order stops at 615, one decision on.
    from review.store.fulltext import remove_records

    remove_records(workspace.store, [ids[500]], "bob", "retracted")
    assert session.refresh_set_aside()
    assert verdict_after_due_check(session, checks) == "continue" and checks[made:] == [600, 615, 600]
    assert _walk_stop(np.concatenate([labels[1:500], labels[501:605], [1], labels[605:]])) == 615
    session.decide(ids[615], "exclude")
    assert verdict_after_due_check(session, checks) == "stop" and checks[made:] == [600, 615, 600, 615]


def test_records_added_after_a_check_drop_its_view_and_the_check_at_once_is_the_walks_on_the_set_now(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The classifier's view at 600 of 1,500 (0.9: stop) spoke for the 900 records unscreened then. 50 records imported
    # after it (an update search; a record restored or a duplicate split again likewise) were neither scored nor
    # counted, and the view still stopped the rule, in the app and in review status --stopping: "expects about 2.0
    # relevant records among the unscreened". On 1,550 records the walk checks every 16 (592, 608: 0.5) and goes on
    # to the trend's stop. The view names the records it was made over: it stands only while they are as many, so a
    # check is due at once, the walk's at 592.
    from review.records import Record
    from review.screening.session import ScreeningSession
    from review.services.screening import stopping_advice

    given_answers(monkeypatch, lambda at: 0.9 if at == 600 else 0.5)
    labels = found_early(114)
    session, ids = deciding_session(workspace, labels)
    checks: list[int] = []
    verdict = decide_ranked(session, ids, labels, 605, checks)
    assert verdict == "stop" and checks[-1] == 600
    session.apply_ranking(session.retrain())
    session.save_ranking()  # (the stored queue carries the view to a session opened afresh)
    workspace.store.add_batch([Record(title=f"update search record {i}", external_id=f"u{i}") for i in range(50)],
                              file_name="update.csv", file_sha256="u" * 64, source_name="update", format="csv",
                              encoding="utf-8")
    session.refresh_records()
    walked = _walk_stop(np.concatenate([labels[:605], np.zeros(50 + 1500 - 605, dtype=np.int64)]))
    assert walked is not None and walked > 605
    made = len(checks)
    assert verdict_after_due_check(session, checks) == "continue" and checks[made:] == [592]
    (shell,) = stopping_advice(workspace, ["alice"])
    assert shell.verdict == "continue" and shell.evidence_computed, shell.explanation
    assert verdict_after_due_check(ScreeningSession(workspace, "alice", seed=1, quick_start=True), []) == "continue"


def test_a_view_carried_over_a_new_target_that_allows_the_same_k_star_is_the_check_made_at_that_target(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # rrev26a #3: review.toml's target changed between sessions from 95 % to 95.1 %, where 117 relevant found allow 6
    # to be left under both. The view stored at the check of 615 stands: a check at 95.1 % from the same decisions
    # makes the same view (its fits read no target; P(left <= k*) and the trend's gate read the target only through
    # k*), and review simulate's walk at 95.1 % stops at 615 too. So the reopened session and review status
    # --stopping both say stop on it, without a fit. A confidence changed to 0.99 keeps the view too (its fits and
    # chances read no confidence; its stored bound does, and no verdict reads that: below): the verdict applies the classifier's level at 0.99 (96 %) to its 90 %, and goes on, as
    # the walk at 0.99 does (the trend's 99.8 %, at 929).
    from review.screening.session import ScreeningSession
    from review.services.screening import stopping_advice
    from review.tomlwrite import set_table_keys

    asked: list[int] = []
    given_answers(monkeypatch, lambda at: asked.append(at) or 0.9)
    labels = found_early(117)
    session, ids = deciding_session(workspace, labels, seed=workspace.config.seed)  # (the app's: review.toml's)
    checks: list[int] = []
    verdict = decide_ranked(session, ids, labels, 620, checks)
    assert verdict == "stop" and checks[-1] == 615 and _walk_stop(labels) == 615
    session.apply_ranking(session.retrain())
    session.save_ranking()
    stored = session.retrain().model_info["stopping_classifier"]

    def reopened(**settings: float) -> tuple[ScreeningSession, str, str]:
        set_table_keys(workspace.path("review.toml"), "screening", settings)
        asked.clear()
        again = ScreeningSession(workspace, "alice", quick_start=True)
        (shell,) = stopping_advice(workspace, ["alice"])
        verdict = verdict_after_due_check(again, [])
        assert asked == [] and not shell.evidence_computed  # the stored view stands: no check, no fit
        assert shell.verdict == verdict, shell.explanation
        return again, verdict, shell.explanation

    at_951, verdict, said = reopened(target_recall=0.951)
    assert verdict == "stop" and at_951.progress().stopping.estimate_from == "classifier", said
    at_951._classifier_view = None  # the check a session at 95.1 % makes from the same decisions (not the one stored)
    monkeypatch.setattr(at_951, "_stored_view_for", lambda inputs: None)
    assert at_951.stopping_evidence() == stored and asked == [615]
    assert _walk_stop(labels, target_recall=0.951) == 615
    _, verdict, said = reopened(target_recall=0.95, confidence=0.99)
    assert verdict == "continue" and "the rule also stops once that chance is at least 96%" in said, said
    assert _walk_stop(labels, confidence=0.99) == 929


def test_a_views_stored_bound_is_read_by_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    # The one field of a view that reads the confidence, its bound (upper_remaining, at the classifier's level of the
    # confidence of its check), is not what a classifier stop states: the stop takes it afresh from the expected
    # count at the level in force. So a view carried over a changed confidence gives the verdict a check at the new
    # confidence gives (a7c7ec46, rrev27b).
    from review.screening import stopping
    from review.screening import stopping_classifier as sc

    labels = found_early(114)[:600]
    ids = list(range(1, 601))
    for confidence in (0.95, 0.99):
        said = set()
        for bound in (4, 900):
            view = {"screened": 600, "found": 114, "expected_remaining": 0.5, "most_left": 6, "probability": 0.999,
                    "upper_remaining": bound, "trend_allows_stop": True, **sc.decisions_made_from(ids, records=N)}
            status = stopping.assess(list(labels), [], N, confidence=confidence, classifier=view, decision_ids=ids)
            assert status.verdict == "stop" and status.estimate_from == "classifier", status.explanation
            said.add((status.explanation, status.upper_remaining))
        assert len(said) == 1, said
