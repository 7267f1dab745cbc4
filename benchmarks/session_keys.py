"""What one screening key costs the session on a large workspace (issue #15, session latency).

A key in the TUI's screening screen is: ``decide`` (the decision, durable on return), ``next_record``
(the record to show; in the ranked phase it also asks the stopping rule whether the random sample is
due), two paints' ``progress()`` (the counts and the verdict), then ``read_ahead`` (the record after
it, read while the reviewer reads). ``next_record`` first looks at the decision log for decisions made in
another window or shell (``_follow_store``); ``look`` times that look once more on its own, after
``next_record`` (nothing changed since: the one query every key pays). This times each of those on a synthetic workspace of
``--records`` records (texts drawn from four shared labelled sets, as ``benchmarks/screening.py``'s
latency) with ``--decided-share`` of them decided before the session opens (the relevant ones first,
as a ranking serves them, though not all), after one ``retrain`` (the queue a session serves once its first
fit lands) and with classifier evidence in force (``--no-evidence``: without; the evidence's numbers
are placeholders that never stop, so the verdict is the Lomax rule's and ``view_holds`` runs as in a
session), for ``--keys`` keys (``--sample``: in the random-sample phase, ``start_sample`` first), each deciding the record served. Milliseconds per call: wall median and p95, and
the calling thread's CPU median (steadier on a shared machine), on the current engine (SQLite, a temporary workspace).

``--profile`` prints the cumulative profile (cProfile) of the keys' ``next_record`` and
``progress`` calls instead of timing them one by one. To time older code, put its ``src`` first on
PYTHONPATH.

    python benchmarks/session_keys.py --records 2300 50000 --keys 40

Prints a table and one JSON line (``BENCH {...}``); ``--order-out FILE`` also writes the record ids
served, one per key, for comparing two versions' orders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"
STEPS = ("decide", "next_record", "look", "progress_first", "progress_again", "read_ahead")


def _corpus(n_records: int) -> tuple[list[str], list[int]]:
    import numpy as np

    sys.path.insert(0, str(REPO / "benchmarks"))
    from screening import synthetic_corpus  # type: ignore[import-not-found]

    from review.screening.simulate import load_labelled_csv

    base = [load_labelled_csv(p) for p in sorted(DATA_DIR.glob("*.csv"))[:4]]
    pool = [(t, d.labels[r]) for d in base for r, t in zip(d.ids, d.texts, strict=True)]
    texts, labels = synthetic_corpus(n_records, pool, np.random.default_rng(7))
    return texts, labels


def _open(root: Path, n_records: int, share: float, evidence: bool) -> tuple[Any, Any, dict[int, int]]:
    """A workspace of ``n_records`` with ``share`` decided (one transaction: this is set-up), and a
    session on it after one retrain."""
    import numpy as np

    from review.records import Record
    from review.screening import stopping_classifier
    from review.screening.session import ScreeningSession
    from review.store import schema
    from review.store.core import utcnow
    from review.workspace import init_workspace

    texts, labels = _corpus(n_records)
    ws = init_workspace(root / "ws", title="keys", reviewers=["alice"], seed=7)
    ws.store.add_batch([Record(title=t, abstract="", external_id=str(i)) for i, t in enumerate(texts)],
                       file_name="synthetic.csv", file_sha256="0" * 64, source_name="synthetic",
                       format="csv", encoding="utf-8")
    truth = {rec.id: y for rec, y in zip(ws.store.records(), labels, strict=True)}
    rng = np.random.default_rng(11)
    ids = sorted(truth, key=lambda r: rng.random() - 0.8 * truth[r])  # relevant mostly first, as a ranking serves
    rows = [dict(record_id=r, reviewer="alice", stage="title_abstract", label="include" if truth[r] else "exclude",
                 reasons=[], note="", created_at=utcnow(), model_rank=None, model_info={"phase": "ranked"},
                 undoes_id=None) for r in ids[:int(share * n_records)]]
    with ws.store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), rows)
    session = ScreeningSession(ws, "alice", seed=1)
    session.apply_ranking(session.retrain())
    if evidence:  # placeholder numbers that never stop: the verdict stays the Lomax rule's
        with session._lock:
            made_from = stopping_classifier.decisions_made_from(session._phase_labels()[2])
        view = {"screened": len(rows), "expected_remaining": 50.0, "most_left": 1, "probability": 0.01, **made_from}
        session.apply_stopping_evidence(view, session.evidence_epoch)
    return ws, session, truth


def _key(session: Any, truth: dict[int, int], record: Any, times: dict[str, list[float]],
         cpu: dict[str, list[float]]) -> Any:
    """One key: decide the record shown, then what the screen does after it. Returns the next record."""
    calls = (("decide", lambda: session.decide(record.id, "include" if truth[record.id] else "exclude")),
             ("next_record", session.next_record), ("look", lambda: _look(session)),
             ("progress_first", session.progress),
             ("progress_again", session.progress), ("read_ahead", session.read_ahead))
    shown = None
    for step, call in calls:
        started, cpu_started = time.perf_counter(), time.thread_time()
        result = call()
        times[step].append(time.perf_counter() - started)
        cpu[step].append(time.thread_time() - cpu_started)
        if step == "next_record":
            shown = result
    return shown


def _look(session: Any) -> None:
    """The look ``next_record`` makes before serving (``_follow_store``), as it runs there."""
    follow = getattr(session, "_follow_store", None)  # (older code, timed with its src first: no look)
    if follow is not None:
        with session._lock:
            follow()


def run(n_records: int, share: float, keys: int, evidence: bool, profile: bool,
        sample: bool) -> tuple[dict[str, Any], list[int]]:
    with tempfile.TemporaryDirectory() as tmp:
        ws, session, truth = _open(Path(tmp), n_records, share, evidence)
        if sample:
            session.start_sample()
        record = session.next_record()
        session.progress()
        served = [record.id]
        times: dict[str, list[float]] = {step: [] for step in STEPS}
        cpu: dict[str, list[float]] = {step: [] for step in STEPS}
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            for _ in range(keys):
                session.decide(record.id, "include" if truth[record.id] else "exclude")
                profiler.enable()
                record = session.next_record()
                session.progress()
                profiler.disable()
                session.read_ahead()
                served.append(record.id)
            print(f"--- {n_records:,} records: next_record + progress over {keys} keys, cumulative")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            for _ in range(keys):
                record = _key(session, truth, record, times, cpu)
                served.append(record.id)
        verdict = session.progress().stopping.verdict
        ws.store.engine.dispose()
    row: dict[str, Any] = {"decided": int(share * n_records), "verdict": verdict}
    for step, values in times.items():
        if values:
            row[step] = {"p50_ms": round(1000 * statistics.median(values), 2),
                         "p95_ms": round(1000 * sorted(values)[max(0, int(0.95 * len(values)) - 1)], 2),
                         "cpu_p50_ms": round(1000 * statistics.median(cpu[step]), 2)}
    return row, served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[2300, 50000])
    parser.add_argument("--decided-share", type=float, default=0.4)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--no-evidence", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sample", action="store_true", help="time the random-sample phase (start_sample first)")
    parser.add_argument("--order-out", type=Path)
    args = parser.parse_args()
    if not DATA_DIR.is_dir():
        raise SystemExit(f"{DATA_DIR}: the shared labelled sets are needed (REVIEW_SHARED)")
    rows, orders = {}, {}
    for n_records in args.records:
        row, served = run(n_records, args.decided_share, args.keys, not args.no_evidence, args.profile,
                          args.sample)
        rows[n_records], orders[n_records] = row, served
        if not args.profile:
            print(f"{n_records:>6} records, {row['decided']} decided (verdict {row['verdict']}); ms, wall p50 / "
                  f"wall p95 / CPU p50:", flush=True)
            for step in STEPS:
                print(f"    {step:<15} {row[step]['p50_ms']:>8.2f} {row[step]['p95_ms']:>8.2f} "
                      f"{row[step]['cpu_p50_ms']:>8.2f}", flush=True)
    if args.order_out:
        args.order_out.write_text(json.dumps(orders))
    print("BENCH " + json.dumps({"benchmark": "session_keys", "keys": args.keys, "decided_share": args.decided_share,
                                 "evidence": not args.no_evidence, "sample": args.sample, "rows": rows,
                                 "load": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
