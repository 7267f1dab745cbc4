"""CPU seconds of the stopping rules inside ``review simulate`` (issue #15, speed margin).

``simulate()`` ends with ``stopping.stopping_points`` on the finished order: the two rate rules
(``relevance_rate``, ``relevance_rate_lomax``), the heuristics (consecutive irrelevant, knee) and
the certified rule's simulated random sample. This times that call on the orders of every
labelled set with at least ``--min-records`` records (default 1,000), per seed: process CPU
seconds, the least of ``--repeat`` calls (warm: scipy.special already imported), split into the
rate rule, the Lomax rule and the rest (heuristics and the certified rule's sample). The import
of scipy.special, which the first call of a command pays once, is timed on its own first.

The orders come from ``scripts/check_simulate_orders.py --save FILE`` (``--orders FILE``, fast)
or, without it, from running the simulations here. To time older code on the same orders, put
its ``src`` first on PYTHONPATH.

Usage:
    python scripts/check_simulate_orders.py --save /tmp/orders.json
    python benchmarks/stopping_speed.py --orders /tmp/orders.json
    PYTHONPATH=/tmp/old/src python benchmarks/stopping_speed.py --orders /tmp/orders.json

Prints a table and one JSON line (``BENCH {...}``).

``--classifier-check`` instead times one check of the recommended rule's classifier evidence
(``stopping_classifier.estimate``: five cross-validation fits, one full fit, the calibration) as the
session's retrain worker makes it every ⌈N/100⌉ decisions, on synthetic sets of 2,300 and 50,000
records built from the labelled sets' texts (as ``benchmarks/screening.py``'s latency), with
``--labelled-share`` of them labelled (default 0.4, about where the Lomax rule stops): process CPU
seconds, least of ``--repeat``.

    python benchmarks/stopping_speed.py --classifier-check --repeat 3

``--session-check`` times what the reviewer waits for in a session at such a check: a workspace of
2,300 and of 50,000 synthetic records with ``--labelled-share`` decided (the relevant ones first, as
a good ranking serves them, so the Lomax rule is within reach and a check is due), then
``ScreeningSession.retrain`` (the queue's delivery: it no longer carries the check) ``--repeat``
times, one more decision before each, wall and CPU seconds, and after them one
``stopping_evidence`` (the check, made after the queue is delivered). ``--found K`` keeps K relevant
records (the first K the ranking serves; the other relevant texts are labelled irrelevant): with K = 18 the
target of 95 % allows none to be left (k* = 0), where the check makes no fits (decision 0029).

    python benchmarks/stopping_speed.py --session-check --repeat 5
    python benchmarks/stopping_speed.py --session-check --repeat 5 --found 18
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"


def least_cpu(call: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best


def time_run(labels: Any, n_priors: int, seed: int, repeat: int) -> dict[str, float]:
    """CPU seconds of ``stopping_points`` on one finished order, and of its two rate rules."""
    from review.screening import stopping, stopping_rate

    found_before = int(labels[:n_priors].sum())
    total = least_cpu(lambda: stopping.stopping_points(labels, n_priors=n_priors, seed=seed), repeat)
    rate = least_cpu(lambda: stopping_rate.first_stop(
        labels[n_priors:], found_before=found_before, model=stopping.RATE_MODEL,
        param_level=stopping.RATE_PARAM_LEVEL or stopping.CONFIDENCE), repeat)
    lomax = least_cpu(lambda: stopping_rate.lomax_first_stop(labels[n_priors:], found_before=found_before), repeat)
    return {"stopping_s": total, "relevance_rate_s": rate, "lomax_s": lomax, "rest_s": max(0.0, total - rate - lomax)}


def _synthetic_sets() -> Iterator[tuple[int, Any, list[str], list[int]]]:
    """Synthetic corpora of 2,300 and 50,000 records drawn from four shared sets' texts (seeded)."""
    import sys

    import numpy as np

    sys.path.insert(0, str(REPO / "benchmarks"))
    from screening import synthetic_corpus  # type: ignore[import-not-found]

    from review.screening.simulate import load_labelled_csv

    base = [load_labelled_csv(p) for p in sorted(DATA_DIR.glob("*.csv"))[:4]]
    pool = [(t, d.labels[r]) for d in base for r, t in zip(d.ids, d.texts, strict=True)]
    for n_records in (2300, 50000):
        rng = np.random.default_rng(7)
        texts, labels = synthetic_corpus(n_records, pool, rng)
        yield n_records, rng, texts, labels


def classifier_check(repeat: int, share: float) -> None:
    """CPU seconds of one classifier check at 2,300 and 50,000 records (``--classifier-check``)."""
    import numpy as np

    from review.screening import stopping_classifier
    from review.screening.features import build_features
    from review.screening.ranker import feature_config_for

    rows = {}
    for n_records, rng, texts, labels in _synthetic_sets():
        features = build_features(list(range(1, n_records + 1)), texts, feature_config_for("default", n_records))
        y_all = np.array(labels, dtype=np.int64)
        order = rng.permutation(n_records)
        cut = int(share * n_records)
        check = functools.partial(stopping_classifier.estimate, features.matrix, order[:cut], y_all[order[:cut]],
                                  order[cut:], n_records=n_records)
        seconds = least_cpu(check, repeat)
        rows[n_records] = {"labelled": cut, "check_cpu_s": round(seconds, 3)}
        print(f"{n_records:>6} records, {cut} labelled: one classifier check {seconds:.3f} s CPU", flush=True)
    print("BENCH " + json.dumps({"benchmark": "stopping_speed_classifier_check", "repeat": repeat,
                                 "labelled_share": share, "rows": rows, "load": round(os.getloadavg()[0], 2)}))


def session_check(repeat: int, share: float, found: int | None = None) -> None:
    """Queue delivery and the classifier evidence after it, in a session (``--session-check``); ``found``:
    at most this many relevant records (the first the ranking serves)."""
    import tempfile

    import numpy as np

    from review.records import Record
    from review.screening.session import ScreeningSession
    from review.workspace import init_workspace

    rows = {}
    for n_records, rng, texts, labels in _synthetic_sets():
        with tempfile.TemporaryDirectory() as tmp:
            ws = init_workspace(Path(tmp) / "ws", title="speed", reviewers=["alice"], seed=7)
            ws.store.add_batch([Record(title=t, abstract="", external_id=str(i)) for i, t in enumerate(texts)],
                               file_name="synthetic.csv", file_sha256="0" * 64, source_name="synthetic",
                               format="csv", encoding="utf-8")
            truth = {rec.id: y for rec, y in zip(ws.store.records(), labels, strict=True)}
            ids = sorted(truth, key=lambda r: (-truth[r], rng.random()))  # the relevant first
            if found is not None:
                truth.update({r: 0 for r in ids[found:]})
            cut = int(share * n_records)
            for record_id in ids[:cut - repeat]:
                ws.store.add_decision(record_id, "alice", "include" if truth[record_id] else "exclude")
            session = ScreeningSession(ws, "alice", seed=1)
            session.apply_ranking(session.retrain())  # features built, the solver warm (as after a first retrain)
            walls, cpus = [], []
            for record_id in ids[cut - repeat:cut]:
                session.decide(record_id, "include" if truth[record_id] else "exclude")
                wall, cpu = time.perf_counter(), time.process_time()
                session.apply_ranking(session.retrain())
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            due = session.stopping_evidence_due()
            wall, cpu = time.perf_counter(), time.process_time()
            evidence = session.stopping_evidence()
            evidence_wall, evidence_cpu = time.perf_counter() - wall, time.process_time() - cpu
            ws.store.engine.dispose()
        rows[n_records] = {"labelled": cut, "relevant": sum(truth[r] for r in ids[:cut]),
                           "most_left": None if evidence is None else evidence.get("most_left"),
                           "queue_p95_s": round(float(np.quantile(walls, 0.95)), 3),
                           "queue_max_cpu_s": round(max(cpus), 3), "check_due": due,
                           "evidence_wall_s": round(evidence_wall, 3), "evidence_cpu_s": round(evidence_cpu, 3),
                           "evidence_made": evidence is not None}
        print(f"{n_records:>6} records, {cut} decided: queue (retrain + re-rank) p95 {rows[n_records]['queue_p95_s']:.3f} s "
              f"wall over {repeat}; then the classifier evidence (due: {due}) {evidence_wall:.2f} s wall, "
              f"{evidence_cpu:.2f} s CPU ({rows[n_records]['relevant']} relevant decided, k* {rows[n_records]['most_left']})",
              flush=True)
    print("BENCH " + json.dumps({"benchmark": "stopping_speed_session_check", "repeat": repeat,
                                 "labelled_share": share, "found": found, "rows": rows, "load": round(os.getloadavg()[0], 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, help="A check_simulate_orders.py --save file.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--min-records", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--classifier-check", action="store_true")
    parser.add_argument("--labelled-share", type=float, default=0.4)
    parser.add_argument("--session-check", action="store_true")
    parser.add_argument("--found", type=int, help="--session-check: keep this many relevant records (18: k* = 0).")
    args = parser.parse_args()
    if args.session_check:
        session_check(args.repeat, args.labelled_share, args.found)
        return
    if args.classifier_check:
        classifier_check(args.repeat, args.labelled_share)
        return

    import numpy as np

    from review.screening import stopping  # noqa: F401  (imported before the clock, as in review simulate)
    from review.screening.simulate import load_labelled_csv, simulate

    started = time.process_time()  # after what review simulate has imported before it stops
    import scipy.special  # noqa: F401  (what the first stopping call of a command imports)
    import_s = time.process_time() - started

    saved = json.loads(args.orders.read_text()) if args.orders else {}
    per_set: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA_DIR.glob("*.csv")):
        data = load_labelled_csv(path)
        if len(data) < args.min_records:
            continue
        runs = []
        for seed in args.seeds:
            key = f"{path.stem} seed {seed}"
            if args.orders:
                if key not in saved:
                    raise SystemExit(f"{args.orders}: no run {key!r}")
                order, n_priors = saved[key]["order"], len(saved[key]["priors"])
            else:
                result = simulate(data, seed=seed)
                order, n_priors = result.order, len(result.priors)
            labels = np.array([data.labels[r] for r in order], dtype=np.int64)
            runs.append(time_run(labels, n_priors, seed, args.repeat))
        per_set[path.stem] = {"n_records": len(data), **{
            name: round(float(np.mean([run[name] for run in runs])), 4) for name in runs[0]}}

    print(f"stopping_points CPU seconds, least of {args.repeat}, mean over seeds {args.seeds}; "
          f"scipy.special import (once per command) {import_s:.3f} s")
    print(f"{'set':<36}{'N':>6}{'stopping':>10}{'rate':>8}{'lomax':>8}{'rest':>8}")
    for name, row in per_set.items():
        print(f"{name:<36}{row['n_records']:>6}{row['stopping_s']:>10.3f}{row['relevance_rate_s']:>8.3f}"
              f"{row['lomax_s']:>8.3f}{row['rest_s']:>8.3f}")
    print("BENCH " + json.dumps({"benchmark": "stopping_speed", "seeds": args.seeds, "repeat": args.repeat,
                                 "scipy_special_import_s": round(import_s, 3), "per_set": per_set,
                                 "load": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
