"""The store's data version (``Store.data_version``): what the dashboard reads when a dialog closes.

    python benchmarks/data_version.py                       # SQLite: the demo and 50,000 decisions
    python benchmarks/data_version.py --url "postgresql://review@/postgres?host=/tmp/pg&port=5432"

Two stores: the demo (``review demo --no-tui``, about 2,300 records, built in a temporary folder) and a
synthetic one of ``--records`` records (default 50,000) with one decision each. With ``--url`` both are
also copied onto a fresh database of that PostgreSQL server (dropped afterwards). Per store and engine,
the median and p95 of ``--repeats`` reads (default 200, after 5 unmeasured) of the highest id of each table
alone (the version before the counts and the search runs' ends) and of ``data_version`` as it stands (the
highest id and the number of rows of each table, and how many search runs ended). Prints a table and one
JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from review.records import Record
from review.store import Store
from review.store.opening import engine_url
from review.store.schema import metadata, screening_decisions
from review.store.transfer import copy_store


def _highest_ids_query() -> sa.Select[Any]:
    """The version before the counts and the search runs' ends: the highest id of each table."""
    return sa.select(*(sa.select(sa.func.max(table.c.id)).scalar_subquery()
                       for table in metadata.sorted_tables if "id" in table.c))


def _timed(read: Callable[[], object], repeats: int) -> dict[str, float]:
    for _ in range(5):
        read()
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        read()
        seconds.append(time.perf_counter() - t0)
    seconds.sort()
    return {"p50_ms": round(1000 * statistics.median(seconds), 3),
            "p95_ms": round(1000 * seconds[int(0.95 * (len(seconds) - 1))], 3)}


def measure(store: Store, repeats: int) -> dict[str, Any]:
    select = _highest_ids_query()

    def highest_ids() -> object:
        with store.engine.connect() as conn:
            return conn.execute(select).one()

    with store.engine.connect() as conn:
        decisions = int(conn.execute(sa.select(sa.func.count()).select_from(screening_decisions)).scalar_one())
    return {"records": store.count_records(), "decisions": decisions,
            "max_id": _timed(highest_ids, repeats),
            "data_version": _timed(store.data_version, repeats)}


def synthetic(path: Path, n: int, seed: int) -> Store:
    """``n`` records and one decision on each (alice), inserted in bulk."""
    store = Store.open(f"sqlite:///{path}")
    rng = random.Random(seed)
    words = ["sick", "leave", "return", "work", "depression", "anxiety", "cohort", "absence", "mental"]
    for offset in range(0, n, 5000):
        records = [Record(title=" ".join(rng.choices(words, k=10)), abstract=" ".join(rng.choices(words, k=120)),
                          year=1990 + rng.randrange(35), pmid=str(10_000_000 + offset + i))
                   for i in range(min(5000, n - offset))]
        store.add_batch(records, file_name=f"part{offset}.nbib", file_sha256=f"{offset:064d}",
                        source_name="PubMed", format="medline", encoding="utf-8")
    with store.transaction() as conn:
        ids = [int(i) for i in conn.execute(sa.text("SELECT id FROM records ORDER BY id")).scalars()]
        moment = datetime.now(timezone.utc)
        conn.execute(screening_decisions.insert(), [
            dict(record_id=rid, reviewer="alice", stage="title_abstract",
                 label="include" if rid % 9 == 0 else "exclude", reasons=[], note="", created_at=moment,
                 model_rank=k, model_info={}, undoes_id=None) for k, rid in enumerate(ids)])
    return store


@contextmanager
def on_postgres(url: str, source: Store) -> Iterator[Store]:
    """``source`` copied onto a fresh database of the server ``url`` names (dropped on the way out)."""
    admin = sa.create_engine(engine_url(url), isolation_level="AUTOCOMMIT")
    name = f"bench_version_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        target = engine_url(url).set(database=name).render_as_string(hide_password=False)
        copy_store(source, target)
        store = Store.open(target, create=False)
        with store.engine.connect() as conn:  # statistics and visibility map as autovacuum leaves a table
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        try:
            yield store
        finally:
            store.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL server URL: the same stores on it too")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from review.services.demo import prepare_demo

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        stores = {"demo": prepare_demo(Path(tmp) / "demo").workspace.store,
                  f"{args.records:,} decisions": synthetic(Path(tmp) / "big.db", args.records, args.seed)}
        for label, store in stores.items():
            rows.append({"store": label, "engine": "sqlite", **measure(store, args.repeats)})
            if args.url:
                with on_postgres(args.url, store) as copy:
                    rows.append({"store": label, "engine": "postgresql", **measure(copy, args.repeats)})
            store.engine.dispose()
    print(f"{'store':<20} {'engine':<11} {'records':>8} {'decisions':>9}  "
          f"{'max(id) p50/p95 ms':>19}  {'data_version p50/p95 ms':>24}")
    for row in rows:
        cells = [f"{row[k]['p50_ms']:.2f} / {row[k]['p95_ms']:.2f}" for k in ("max_id", "data_version")]
        print(f"{row['store']:<20} {row['engine']:<11} {row['records']:>8,} {row['decisions']:>9,}  "
              f"{cells[0]:>19}  {cells[1]:>24}")
    print(json.dumps({"benchmark": "data_version", "repeats": args.repeats, "rows": rows}))


if __name__ == "__main__":
    main()
