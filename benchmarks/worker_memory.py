"""Peak memory of the TUI's two worker processes (retrain and stopping evidence) on a large workspace.

The TUI retrains in one worker process and makes the recommended stopping rule's classifier evidence
(decision 0025) in a second one (``tui/retrainer.py``); each keeps its own ``ScreeningSession`` with
the records' texts and the TF-IDF features. This builds a workspace of ``--records`` synthetic records
drawn from four shared sets' texts (as ``benchmarks/screening.py``'s latency), decides
``--labelled-share`` of them (the relevant first, as a good ranking serves them, so an evidence check
is due), then drives a real ``Retrainer("process")``: one retrain, then one evidence check. It prints
each worker's peak resident memory (``VmHWM``), what a fresh interpreter with the same imports holds,
and the sizes of the parts a session keeps (feature matrix, texts), measured in this process on the
same workspace.

    python benchmarks/worker_memory.py --records 50000

``--thread-check`` instead measures what sharing by a thread would cost: in one process (one session, one
copy of the features), ``--repeat`` retrains after one more decision each, alone and then while a thread
makes the evidence (what an evidence thread in the retrain worker would do), wall seconds of each.

    python benchmarks/worker_memory.py --records 50000 --thread-check --repeat 5

Prints a table and one JSON line (``BENCH {...}``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"


def peak_rss_mb(pid: int) -> float:
    """A live process's peak resident set (``VmHWM``) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def baseline_mb() -> float:
    """Peak RSS of a fresh interpreter that imports what a worker's session imports, with no workspace."""
    code = ("import review.screening.session, review.screening.features, review.screening.ranker, "
            "review.screening.stopping_classifier, review.tui.retrainer, sklearn, scipy.sparse;"
            "print(open('/proc/self/status').read())")
    status = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def build_workspace(root: Path, n_records: int, share: float) -> Any:
    import numpy as np

    sys.path.insert(0, str(REPO / "benchmarks"))
    from screening import synthetic_corpus  # type: ignore[import-not-found]

    from review.records import Record
    from review.screening.simulate import load_labelled_csv
    from review.workspace import init_workspace

    base = [load_labelled_csv(p) for p in sorted(DATA_DIR.glob("*.csv"))[:4]]
    pool = [(t, d.labels[r]) for d in base for r, t in zip(d.ids, d.texts, strict=True)]
    rng = np.random.default_rng(7)
    texts, labels = synthetic_corpus(n_records, pool, rng)
    ws = init_workspace(root, title="memory", reviewers=["alice"], seed=7)
    ws.store.add_batch([Record(title=t, abstract="", external_id=str(i)) for i, t in enumerate(texts)],
                       file_name="synthetic.csv", file_sha256="0" * 64, source_name="synthetic", format="csv",
                       encoding="utf-8")
    truth = {rec.id: y for rec, y in zip(ws.store.records(), labels, strict=True)}
    ids = sorted(truth, key=lambda r: (-truth[r], rng.random()))  # the relevant first
    for record_id in ids[:int(share * n_records)]:
        ws.store.add_decision(record_id, "alice", "include" if truth[record_id] else "exclude")
    return ws


def session_parts_mb(ws: Any) -> dict[str, float]:
    """What one session keeps, measured here: the feature matrix (CSR arrays) and the texts."""
    from review.screening.session import ScreeningSession

    session = ScreeningSession(ws, "alice", quick_start=True)
    session.retrain()
    features = session._features
    assert features is not None
    matrix = features.matrix
    texts = session._texts()
    return {"matrix_mb": round((matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes) / 2**20, 1),
            "matrix_nnz": int(matrix.nnz), "matrix_columns": int(matrix.shape[1]),
            "texts_mb": round(sum(sys.getsizeof(t) for t in texts.values()) / 2**20, 1)}


def thread_check(n_records: int, share: float, repeat: int) -> None:
    """Retrain wall seconds alone and beside an evidence thread in the same process (``--thread-check``)."""
    import threading

    import numpy as np

    from review.screening.session import ScreeningSession
    from review.store.screening import record_ids

    with tempfile.TemporaryDirectory() as tmp:
        ws = build_workspace(Path(tmp) / "ws", n_records, share)
        session = ScreeningSession(ws, "alice", quick_start=True)
        session.apply_ranking(session.retrain())  # features built, the solver warm
        undecided = [r for r in record_ids(ws.store) if not session.is_decided(r)]

        def retrains(count: int) -> list[float]:
            walls = []
            for _ in range(count):
                session.decide(undecided.pop(), "exclude")
                started = time.perf_counter()
                session.apply_ranking(session.retrain())
                walls.append(time.perf_counter() - started)
            return walls

        alone = retrains(repeat)
        made: list[Any] = []
        worker = threading.Thread(target=lambda: made.append(session.stopping_evidence()))
        started = time.perf_counter()
        worker.start()
        beside = []
        while worker.is_alive():
            beside += retrains(1)
        worker.join()
        evidence_s = time.perf_counter() - started
        ws.store.engine.dispose()
    row = {"records": n_records, "labelled_share": share, "retrain_alone_p50_s": round(float(np.median(alone)), 3),
           "retrain_alone_max_s": round(max(alone), 3),
           "retrain_beside_evidence_p50_s": round(float(np.median(beside)), 3),
           "retrain_beside_evidence_max_s": round(max(beside), 3), "retrains_beside": len(beside),
           "evidence_made": made[0] is not None, "evidence_wall_s": round(evidence_s, 2)}
    print(f"{n_records:,} records: retrain alone p50 {row['retrain_alone_p50_s']} s (max {row['retrain_alone_max_s']}); "
          f"beside an evidence thread p50 {row['retrain_beside_evidence_p50_s']} s (max "
          f"{row['retrain_beside_evidence_max_s']}, {len(beside)} retrains); the evidence took {evidence_s:.1f} s")
    print("BENCH " + json.dumps({"benchmark": "worker_memory_thread_check", **row,
                                 "load": round(os.getloadavg()[0], 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50000)
    parser.add_argument("--labelled-share", type=float, default=0.4)
    parser.add_argument("--thread-check", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.thread_check:
        thread_check(args.records, args.labelled_share, args.repeat)
        return

    from review.screening.session import ScreeningSession
    from review.tui.retrainer import Retrainer

    with tempfile.TemporaryDirectory() as tmp:
        ws = build_workspace(Path(tmp) / "ws", args.records, args.labelled_share)
        app_session = ScreeningSession(ws, "alice", quick_start=True)  # the app's: it never fits
        retrainer = Retrainer("process")
        try:
            started = time.perf_counter()
            retrainer.retrain(app_session)
            retrain_s = time.perf_counter() - started
            started = time.perf_counter()
            evidence = retrainer.stopping_evidence(app_session)
            evidence_s = time.perf_counter() - started
            workers = {kind: retrainer._workers[kind] for kind in ("retrain", "evidence")}
            peaks = {kind: round(peak_rss_mb(w.pid), 1) for kind, w in workers.items() if w is not None}
        finally:
            retrainer.close()
        parts = session_parts_mb(ws)
        ws.store.engine.dispose()
    base = round(baseline_mb(), 1)
    row = {"records": args.records, "labelled_share": args.labelled_share, "retrain_worker_peak_mb": peaks["retrain"],
           "evidence_worker_peak_mb": peaks["evidence"], "imports_only_mb": base, **parts,
           "evidence_made": evidence is not None, "retrain_s": round(retrain_s, 2), "evidence_s": round(evidence_s, 2)}
    print(f"{args.records:,} records, {args.labelled_share:.0%} decided; a fresh interpreter with the imports: {base} MB")
    print(f"  retrain worker peak RSS   {peaks['retrain']:>8.1f} MB  (first retrain {retrain_s:.1f} s)")
    print(f"  evidence worker peak RSS  {peaks['evidence']:>8.1f} MB  (one check {evidence_s:.1f} s, made: "
          f"{evidence is not None})")
    print(f"  per session: feature matrix {parts['matrix_mb']} MB ({parts['matrix_nnz']:,} non-zeros, "
          f"{parts['matrix_columns']:,} columns), texts {parts['texts_mb']} MB")
    print("BENCH " + json.dumps({"benchmark": "worker_memory", **row, "load": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
