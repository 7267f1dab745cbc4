"""Several processes decide records on one PostgreSQL review at once (bounded: 4 processes,
100 records, local socket): the store holds exactly the decisions made, none lost or doubled, and
the two sessions of one reviewer never decide the same record twice."""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from pathlib import Path

from postgres import fresh_database
from review.records import Record
from review.store import Store
from review.store.core import DecisionConflict

N_RECORDS = 100
#: (reviewer, order seed): alice screens in two sessions at once, as from two machines, with the same
#: queue (one ranking), so both reach every record at about the same moment: the race to lose.
SESSIONS = [("alice", 1), ("alice", 1), ("bob", 3), ("carol", 4)]


def _screen(url: str, reviewer: str, seed: int, record_ids: list[int], start, results) -> None:
    store = Store.open(url, create=False)
    order = list(record_ids)
    random.Random(seed).shuffle(order)
    made: list[tuple[int, int]] = []
    refused: list[int] = []
    start.wait()
    for record_id in order:
        try:
            decision = store.add_decision(record_id, reviewer, "include" if record_id % 5 == 0 else "exclude",
                                          if_undecided=True)
        except DecisionConflict:
            refused.append(record_id)
            continue
        made.append((decision.id, record_id))
    store.engine.dispose()
    results.put((reviewer, made, refused))


def test_concurrent_reviewers_lose_and_double_nothing(tmp_path: Path) -> None:
    with fresh_database() as url:
        store = Store.open(url)
        store.add_batch([Record(title=f"r{i}") for i in range(N_RECORDS)], file_name="f.ris",
                        file_sha256="c" * 64, source_name="db", format="ris", encoding="utf-8")
        ids = [r.id for r in store.records()]
        store.engine.dispose()  # forked children open their own connections
        context = multiprocessing.get_context("fork")
        start = context.Barrier(len(SESSIONS))
        results = context.Queue()
        workers = [context.Process(target=_screen, args=(url, reviewer, seed, ids, start, results))
                   for reviewer, seed in SESSIONS]
        for worker in workers:
            worker.start()
        reported = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
        made = {(decision_id, record_id, reviewer) for reviewer, pairs, _ in reported
                for decision_id, record_id in pairs}
        stored = {(d.id, d.record_id, d.reviewer) for d in store.decisions()}
        assert stored == made  # exactly the decisions made: none lost, none invented
        per_reviewer = Counter((record_id, reviewer) for _, record_id, reviewer in stored)
        assert set(per_reviewer.values()) == {1}  # nobody decided a record twice
        assert len(stored) == 3 * N_RECORDS
        alice_refused = sum(len(refused) for reviewer, _, refused in reported if reviewer == "alice")
        assert alice_refused == N_RECORDS  # each record: one alice session decided, the other was refused
        store.engine.dispose()
