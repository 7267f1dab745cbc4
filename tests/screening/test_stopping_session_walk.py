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
