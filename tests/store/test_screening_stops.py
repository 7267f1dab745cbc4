"""Screening stops under concurrency (both engines): the stop in force is read and the stop or withdrawal
written in one transaction under the stops' lock, so two teammates stopping at once record one stop."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from review.errors import ReviewError
from review.records import Record
from review.services import prisma as service
from review.store import fulltext
from review.workspace import Workspace


def _records(workspace: Workspace) -> None:
    workspace.store.add_batch([Record(title=f"T{i}", year=2020) for i in range(3)], file_name="f.ris",
                              file_sha256="c" * 64, source_name="db", format="ris", encoding="utf-8")


def test_two_stops_at_once_record_one_and_one_withdrawal_resumes_screening(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both stops pass the service's early check, then count together (a large review counts for seconds):
    before, both were stored, and after one withdrawal the other stop still stood."""
    _records(workspace)
    both_counting = threading.Barrier(2, timeout=10)
    real_counts = service.prisma_counts

    def counts_together(ws: Workspace) -> Any:
        both_counting.wait()
        return real_counts(ws)

    monkeypatch.setattr(service, "prisma_counts", counts_together)
    outcome: dict[str, str] = {}

    def stop(reviewer: str) -> None:
        try:
            service.record_screening_stop(workspace, reviewer, "rule met")
            outcome[reviewer] = "stopped"
        except ReviewError as refused:
            outcome[reviewer] = str(refused)

    threads = [threading.Thread(target=stop, args=(r,)) for r in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcome.values())[1] == "stopped", outcome
    refused = sorted(outcome.values())[0]
    assert "stands already: nothing recorded; review prisma resume withdraws it first" in refused
    assert len(fulltext.screening_stops(workspace.store)) == 1
    assert service.withdraw_screening_stop(workspace, "alice") is not None
    assert service.current_screening_stop(workspace) is None


def test_a_withdrawal_reads_the_stop_under_the_stops_lock(workspace: Workspace) -> None:
    """A withdrawal waits for a stop or withdrawal under way and then reads what it left: a teammate's
    withdrawal committed meanwhile leaves it nothing to withdraw (before, it read the stop first and wrote a
    second withdrawal of it)."""
    _records(workspace)
    stop = service.record_screening_stop(workspace, "alice", "rule met")
    store = workspace.store
    result: list[Any] = []
    withdrawer = threading.Thread(target=lambda: result.append(fulltext.withdraw_screening_stop(store, "bob")))
    with store.transaction() as conn:
        store.lock(conn, fulltext._STOPS_LOCK)  # as a teammate's withdrawal holds it while it writes
        withdrawer.start()
        time.sleep(0.5)
        assert result == []  # waiting for the lock
        conn.execute(fulltext.screening_stops_table.insert().values(
            reviewer="alice", explanation="withdrawn", verdict={}, last_record_id=None, n_unscreened=0,
            created_at=stop.created_at, undoes_id=stop.id))
    withdrawer.join(20)
    assert result == [None]
    assert [s.undoes_id for s in fulltext.screening_stops(store)] == [None, stop.id]
