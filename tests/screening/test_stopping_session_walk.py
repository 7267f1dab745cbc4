"""A session that decides a finished order record by record, making every grid check as it falls due, stops where
review simulate's walk (``stopping_classifier.first_stop``) stops with the same classifier answers (rrev24a: nothing
walked the two side by side): decision 0072's rule, the trend's part at 98 % and the classifier's stop from k* = 6,
read the same in both. The classifier's answers are given per check (``_estimate`` replaced), the trend's part is
the real Lomax rule on the order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from stopping_given import N, found_early, given_answers, simulated_stop, thirty_found_early


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
    ("114 relevant, 0.5: the trend's 98 %", 114, lambda at: 0.5, 810),
    ("113 relevant (k* = 5), 0.9: not asked, the trend's 98 %", 113, lambda at: 0.9, 839),
    ("30 relevant (k* = 1), 0.5 (it assented under decision 0068): the trend's 98 %", 30, lambda at: 0.5, 578),
])
def test_a_session_stops_where_review_simulates_walk_stops(workspace, monkeypatch: pytest.MonkeyPatch, name: str,
                                                            relevant: int, probability_at: Callable[[int], float | None],
                                                            stop: int) -> None:
    given_answers(monkeypatch, probability_at)
    labels = thirty_found_early() if relevant == 30 else found_early(relevant)
    assert simulated_stop(labels) == stop, name
    assert _session_stop(workspace, labels, until=stop + 1) == stop, name


def _deciding_session(workspace: Any, labels: np.ndarray) -> tuple[Any, list[int]]:
    from review.records import Record
    from review.screening.session import ScreeningSession

    records = [Record(title=f"{'insomnia therapy' if y else 'cardiology registry'} record {i}",
                      abstract=f"words {i % 17} more {i % 5}", external_id=str(i)) for i, y in enumerate(labels)]
    workspace.store.add_batch(records, file_name="made.csv", file_sha256="w" * 64, source_name="test",
                              format="csv", encoding="utf-8")
    return ScreeningSession(workspace, "alice", seed=1, quick_start=True), [r.id for r in workspace.store.records()]


def _verdict_after_due_check(session: Any, checks: list[int]) -> str:
    """The verdict once a due check is made and taken (as the screening screen does after each queue)."""
    epoch = session.evidence_epoch
    if session.stopping_evidence_due():
        evidence = session.stopping_evidence()
        checks.append(int(evidence["screened"]))
        assert session.apply_stopping_evidence(evidence, epoch)
    return str(session.progress().stopping.verdict)


def test_an_undo_below_a_check_asks_again_from_the_grid_point_before_it(workspace,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # 114 relevant (k* = 6), the classifier at 0.5 at every check but at 614 records, off the grid of 15: review
    # simulate's walk never asks there and stops at the trend's 98 % (810). A session that decided to the check of 615
    # and undid one decision asked at once from all 614 (before 37b68c71) and said stop on the classifier at 0.9. The
    # check made at once after an undo is the walk's check at the grid point before (600: 0.5, continue), as a
    # reopened session or review status --stopping makes it; after an undo back past a grid point (598), 585's.
    given_answers(monkeypatch, lambda at: 0.9 if at == 614 else 0.5)
    labels = found_early(114)
    assert simulated_stop(labels) == 810
    session, ids = _deciding_session(workspace, labels)
    checks: list[int] = []

    def decide(start: int, upto: int) -> None:  # the records ranked start + 1 to upto, each verdict "continue"
        for at in range(start, upto):
            session.decide(ids[at], "include" if labels[at] else "exclude")
            assert _verdict_after_due_check(session, checks) == "continue", at + 1

    decide(0, 615)
    assert checks[-2:] == [600, 615]
    session.undo()
    assert _verdict_after_due_check(session, checks) == "continue" and checks[-1] == 600  # never from 614
    decide(614, 615)
    assert checks[-2:] == [600, 615]  # made again from the decisions in force
    for _ in range(17):
        session.undo()
    assert _verdict_after_due_check(session, checks) == "continue" and checks[-1] == 585
    redone_from = len(checks)
    decide(598, 809)
    session.decide(ids[809], "exclude")
    assert _verdict_after_due_check(session, checks) == "stop"  # the trend's 98 %, where the walk stops
    assert checks[redone_from:] == list(range(600, 811, 15))


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
    session, ids = _deciding_session(workspace, labels)
    checks: list[int] = []
    for at in range(615):
        session.decide(ids[at], "include" if labels[at] else "exclude")
        _verdict_after_due_check(session, checks)
    assert checks[-2:] == [600, 615]
    session.undo()
    app = _verdict_after_due_check(session, checks)
    (shell,) = stopping_advice(workspace, ["alice"])
    reopened = _verdict_after_due_check(ScreeningSession(workspace, "alice", seed=1, quick_start=True), [])
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
    session, ids = _deciding_session(workspace, labels)
    checks: list[int] = []
    for at in range(300):
        session.decide(ids[at], "include" if labels[at] else "exclude")
        _verdict_after_due_check(session, checks)
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
    session, ids = _deciding_session(workspace, labels)
    checks: list[int] = []
    for at in range(615):
        session.decide(ids[at], "include" if labels[at] else "exclude")
        _verdict_after_due_check(session, checks)
    session.undo()
    assert _verdict_after_due_check(session, checks) == "continue"
    (advice,) = stopping_advice(workspace, ["alice"])
    assert advice.evidence_computed and advice.screened == 614
    assert advice.verdict == "continue", advice.explanation
    reopened = ScreeningSession(workspace, "alice", seed=1, quick_start=True)
    assert reopened.stopping_evidence_due()
    evidence = reopened.stopping_evidence()
    assert evidence is not None and evidence["screened"] == 600
    assert _verdict_after_due_check(reopened, []) == "continue"
