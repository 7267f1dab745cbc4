"""Team-mode benchmark: several reviewers deciding records on one store at once.

    python benchmarks/team.py --url postgresql://review@/postgres?host=/tmp/pg&port=5432
    python benchmarks/team.py --url sqlite            # the same load on a SQLite file, for comparison

A fresh database (PostgreSQL: created on the server the URL names, dropped afterwards; SQLite: a
temp file) gets ``--records`` records (default 50,000); ``--reviewers`` processes (default 3) then
decide ``--decisions`` records each (default 500), each in its own random order, through
``Store.add_decision(if_undecided=True)``: the call a screening session makes, one transaction,
durable on return. Reports decisions per second (all reviewers, wall time from a common start) and
the median / p95 / max latency of one decision. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from review.records import Record
from review.store import Store
from review.store.opening import engine_url

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere, or imported)
from scratch_database import scratch_postgres_database  # noqa: E402  (made and dropped as the other store benchmarks do)


def _reviewer(url: str, name: str, seed: int, ids: list[int], n: int, start: Any, out: Any) -> None:
    store = Store.open(url, create=False)
    order = random.Random(seed).sample(ids, n)
    latencies: list[float] = []
    start.wait()
    began = time.perf_counter()
    for record_id in order:
        t0 = time.perf_counter()
        store.add_decision(record_id, name, "exclude" if record_id % 7 else "include", if_undecided=True,
                           model_rank=record_id, model_info={"model": "nb", "query": "max", "seed": seed})
        latencies.append(time.perf_counter() - t0)
    ended = time.perf_counter()
    store.engine.dispose()
    out.put((name, began, ended, latencies))


def _fill(store: Store, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    words = ["sick", "leave", "return", "work", "depression", "anxiety", "burnout", "cohort", "trial",
             "absence", "employees", "mental", "health", "intervention", "prognosis", "factors"]
    batch = 5000
    for offset in range(0, n, batch):
        records = [Record(title=" ".join(rng.choices(words, k=10)), abstract=" ".join(rng.choices(words, k=150)),
                          authors=["Author A", "Author B"], year=1990 + rng.randrange(35), journal="J",
                          pmid=str(10_000_000 + offset + i))
                   for i in range(min(batch, n - offset))]
        store.add_batch(records, file_name=f"part{offset}.nbib", file_sha256=f"{offset:064d}",
                        source_name="PubMed", format="medline", encoding="utf-8")
    with store.connect() as conn:
        return [int(i) for i in conn.execute(sa.text("SELECT id FROM records ORDER BY id")).scalars()]


def run(url: str, n_records: int, n_reviewers: int, n_decisions: int, seed: int) -> dict[str, Any]:
    store = Store.open(url)
    t0 = time.perf_counter()
    ids = _fill(store, n_records, seed)
    fill_seconds = time.perf_counter() - t0
    store.engine.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(n_reviewers)
    out = context.Queue()
    workers = [context.Process(target=_reviewer, args=(url, f"reviewer{i + 1}", seed + i, ids, n_decisions, start, out))
               for i in range(n_reviewers)]
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    began = min(r[1] for r in results)
    ended = max(r[2] for r in results)
    latencies = sorted(x for r in results for x in r[3])
    total = len(latencies)
    check = Store.open(url, create=False)
    stored = len(check.decisions())
    check.engine.dispose()
    return {
        "engine": engine_url(url).get_backend_name(), "records": n_records, "reviewers": n_reviewers,
        "decisions": total, "stored": stored, "fill_seconds": round(fill_seconds, 2),
        "decisions_per_second": round(total / (ended - began), 1),
        "latency_ms_median": round(1000 * statistics.median(latencies), 2),
        "latency_ms_p95": round(1000 * latencies[int(0.95 * (total - 1))], 2),
        "latency_ms_max": round(1000 * latencies[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True,
                        help="a PostgreSQL server URL (a fresh database is made on it) or 'sqlite'")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--reviewers", type=int, default=3)
    parser.add_argument("--decisions", type=int, default=500, help="per reviewer")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.url == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            result = run(f"sqlite:///{Path(tmp) / 'team.db'}", args.records, args.reviewers, args.decisions, args.seed)
    else:
        with scratch_postgres_database(args.url, "bench_team_") as target:
            result = run(target, args.records, args.reviewers, args.decisions, args.seed)
    for key, value in result.items():
        print(f"{key:<22} {value}")
    print(json.dumps({"benchmark": "team", **result}))


if __name__ == "__main__":
    main()
