"""How long the store's schema migration steps take, and what a concurrent decision meets meanwhile.

    python benchmarks/store_migrations.py --url sqlite --records 2300 50000
    python benchmarks/store_migrations.py --url postgresql://review@/postgres?host=/tmp/pg&port=5432 --records 2300 50000

A fresh store (SQLite: a temp file; PostgreSQL: a database made on the server the URL names, dropped
afterwards) gets ``--records`` records as MEDLINE-layout file imports of 5,000 records each, stored as the rules
before schema 3 stored them (every record "PubMed"), their text from the shared screening sets' real titles and
abstracts (../shared/data/screening, cycled past their 17,496 records), a third naming Embase and a third
PsycInfo on their ``DB`` line: the worst case of step 2 -> 3, which rewrites those records' sources. The store
is then set back to schema 1 (step 1 -> 2's unique index dropped) and opened by this review, which runs every
step. Each step's time is its own transaction (the table locks, the step, the version row, the commit).

While the steps run, a second process that had the store open decides a record
(``Store.add_decision(if_undecided=True)``, as a screening key): how long it waited and what it got (saved;
busy after ``BUSY_TIMEOUT_MS``; refused). Prints a table and one JSON line per size.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from review.records import Record
from review.store.core import BUSY_TIMEOUT_MS
from review.store.opening import engine_url

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere, or imported)
from scratch_database import scratch_postgres_database  # noqa: E402  (made and dropped as the team benchmarks do)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"
FILE_RECORDS = 5_000


def _texts() -> list[tuple[str, str]]:
    csv.field_size_limit(sys.maxsize)
    texts: list[tuple[str, str]] = []
    for path in sorted(SHARED.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [(row.get("title") or "", row.get("abstract") or "") for row in csv.DictReader(handle)]
    if not texts:
        raise SystemExit(f"no screening sets in {SHARED}")
    return texts


def _medline(i: int, title: str, abstract: str) -> tuple[Record, str]:
    database = ("Embase", "PsycINFO", "")[i % 3]
    lines = [f"PMID- {30_000_000 + i}" if not database else f"AN  - {i}", f"TI  - {title}", f"AB  - {abstract}",
             "AU  - Author A", "DP  - 2020"]
    if database:
        lines.append(f"DB  - {database}")
    raw = "\n".join(lines) + "\n"
    return Record(title=title, abstract=abstract, authors=["Author A"], year=2020, raw=raw,
                  pmid="" if database else str(30_000_000 + i)), raw


def _build(url: str, n: int, texts: list[tuple[str, str]]) -> None:
    from review.store import Store, instrument, schema

    store = Store.open(url)
    for start in range(0, n, FILE_RECORDS):
        records = []
        for i in range(start, min(n, start + FILE_RECORDS)):
            title, abstract = texts[i % len(texts)]
            records.append(_medline(i, title if i < len(texts) else f"{title} ({i})", abstract)[0])
        store.add_batch(records, file_name=f"export{start // FILE_RECORDS}.nbib", file_sha256=f"{start:064d}",
                        source_name="PubMed", format="medline", encoding="utf-8")
    with store.transaction() as conn:
        conn.execute(sa.update(schema.records).values(source_name="PubMed"))
        instrument.VERSION_INDEX.drop(conn)
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="1"))
    store.engine.dispose()


def _decider(url: str, record_id: int, ready: Any, go: Any, out: Any) -> None:
    from review.errors import ReviewError
    from review.store import Store

    store = Store.open(url, prepare=False)
    store._check_commits()  # (as a process that opened the store before the upgrade)
    with store.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    ready.set()
    go.wait()
    t0 = time.perf_counter()
    try:
        store.add_decision(record_id, "alice", "include", if_undecided=True)
        outcome = "saved"
    except ReviewError as err:
        outcome = f"{type(err).__name__}: {str(err)[:90]}"
    out.put((time.perf_counter() - t0, outcome))
    store.engine.dispose()


def run(url: str, n: int, texts: list[tuple[str, str]]) -> dict[str, Any]:
    from review.store import Store, core

    t0 = time.perf_counter()
    _build(url, n, texts)
    build_seconds = time.perf_counter() - t0
    steps: dict[int, float] = {}
    originals = dict(core.MIGRATIONS)

    def timed(version: int) -> Any:
        def step(conn: sa.Connection) -> None:
            began = time.perf_counter()
            originals[version](conn)
            steps[version] = time.perf_counter() - began
        return step

    context = multiprocessing.get_context("spawn")
    ready, go, out = context.Event(), context.Event(), context.Queue()
    decider = context.Process(target=_decider, args=(url, n // 2 + 1, ready, go, out))
    decider.start()
    ready.wait()
    for version in originals:
        core.MIGRATIONS[version] = timed(version)
    try:
        # The decision is sent as the last step starts (it begins with its table locks): it meets the step.
        last = max(originals)
        inner = core.MIGRATIONS[last]

        def last_step(conn: sa.Connection) -> None:
            go.set()
            time.sleep(0.05)
            inner(conn)

        core.MIGRATIONS[last] = last_step
        began = time.perf_counter()
        store = Store.open(url)
        open_seconds = time.perf_counter() - began
        version = store.schema_version()
        changed = store.counts_by_source()
        store.engine.dispose()
    finally:
        core.MIGRATIONS.update(originals)
    waited, outcome = out.get()
    decider.join()
    return {"engine": engine_url(url).get_backend_name(), "records": n, "build_seconds": round(build_seconds, 1),
            **{f"step_{v}_to_{v + 1}_seconds": round(s, 3) for v, s in sorted(steps.items())},
            "open_seconds": round(open_seconds, 3), "version_after": version, "sources_after": changed,
            "decision_waited_seconds": round(waited, 3), "decision_outcome": outcome,
            "busy_timeout_seconds": BUSY_TIMEOUT_MS / 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a PostgreSQL server URL (a fresh database per size) or 'sqlite'")
    parser.add_argument("--records", type=int, nargs="+", default=[2_300, 50_000])
    args = parser.parse_args()
    texts = _texts()
    for n in args.records:
        if args.url == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                result = run(f"sqlite:///{Path(tmp) / 'review.db'}", n, texts)
        else:
            with scratch_postgres_database(args.url, "bench_migrations_") as target:
                result = run(target, n, texts)
        for key, value in result.items():
            print(f"{key:<28} {value}")
        print(json.dumps({"benchmark": "store_migrations", **result}))


if __name__ == "__main__":
    main()
