"""A session that decides a finished order record by record, making every grid check as it falls due, stops where
review simulate's walk (``stopping_classifier.first_stop``) stops with the same classifier answers: decision 0068's
agreement (``earlier``), the veto and the assent at 0.30 read the same in both (rrev24a: nothing walked the two
side by side). The classifier's answers are given per check (``_estimate`` replaced), the trend's part is the real
Lomax rule on the order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from stopping_given import N, given_answers, simulated_stop, thirty_found_early


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


@pytest.mark.parametrize("name, probability_at", [
    ("0.15 at every check: two in a row at 10 %", lambda at: 0.15),
    ("0.06: four in a row at 5 %", lambda at: 0.06),
    ("0.15 with checks without a fit between", lambda at: 0.15 if at % 30 == 0 else None),
])
def test_a_session_stops_where_review_simulates_walk_stops(workspace, monkeypatch: pytest.MonkeyPatch, name: str,
                                                            probability_at: Callable[[int], float | None]) -> None:
    given_answers(monkeypatch, probability_at)
    labels = thirty_found_early()
    simulated = simulated_stop(labels)
    assert simulated is not None
    assert _session_stop(workspace, labels) == simulated, name


def test_a_session_that_skipped_a_grid_check_does_not_stop_on_agreement_simulate_never_saw(
        workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # Views at 0.15 and 0.04 by turns (a check every 15 records): in review simulate's walk no two checks in a row
    # agree and every view vetoes, so the rule never stops. A session that asks at every other grid check only (its
    # decisions made from the shell, `review status --stopping` now and then) saw 0.15 twice: before 141c9860 it
    # took them as two checks in a row and stopped at 330 (the trend's part at 0.30).
    given_answers(monkeypatch, lambda at: 0.15 if at % 30 == 0 else 0.04)
    labels = thirty_found_early()
    assert simulated_stop(labels) is None
    assert _session_stop(workspace, labels, asks=lambda at: at % 30 == 0, until=600) is None  # (to 600: 0.4 of N)
