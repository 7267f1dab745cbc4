"""What `review status --stopping` costs when run again after a record picked in a shell (issue #15).

The recommended rule's classifier check (six fits: 25-31 s of CPU at 50,000 records) is stored with the reviewer's
queue. A record picked by id (`review decide ID`) changes the set the rule reads, so the view stored no longer holds
and the next `review status --stopping` makes the check again. Before 2026-12-07 it stored nothing, so every call
made it again until the app stored a queue; since then the first call stores it and the next ones take it.

This builds a workspace of ``--records`` synthetic records (texts drawn from four shared labelled sets, as
``benchmarks/session_keys.py``), ``--decided-share`` of them decided from the queue (the relevant first, so a check is
due), makes the check and stores the queue as the app does, picks one undecided record with `review decide ID
--exclude` (a new process), then runs `review status --stopping` ``--calls`` times, each a new process (start-up and
imports included): wall seconds and the child's CPU seconds (user + system), and whether each printed the same lines.
It also times the compare-and-set that stores the view (``store.screening.replace_ranking_info``, in process,
``--repeat`` times: the write lock it holds, which a decision in the app waits behind).

    python benchmarks/status_stopping_repeat.py --records 50000
    PYTHONPATH=/path/to/older/src python benchmarks/status_stopping_repeat.py --records 50000   # older code

Prints a table and one JSON line (``BENCH {...}``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"


def build(root: Path, n_records: int, share: float) -> tuple[Any, dict[int, int]]:
    """The workspace described above (the decisions in one transaction: this is set-up) and each record's label."""
    import numpy as np

    sys.path.insert(0, str(REPO / "benchmarks"))
    from screening import synthetic_corpus  # type: ignore[import-not-found]

    from review.records import Record
    from review.screening.simulate import load_labelled_csv
    from review.store import schema
    from review.store.core import utcnow
    from review.workspace import init_workspace

    base = [load_labelled_csv(p) for p in sorted(DATA_DIR.glob("*.csv"))[:4]]
    pool = [(t, d.labels[r]) for d in base for r, t in zip(d.ids, d.texts, strict=True)]
    texts, labels = synthetic_corpus(n_records, pool, np.random.default_rng(7))
    ws = init_workspace(root, title="status", reviewers=["alice"], seed=7)
    ws.store.add_batch([Record(title=t, abstract="", external_id=str(i)) for i, t in enumerate(texts)],
                       file_name="synthetic.csv", file_sha256="0" * 64, source_name="synthetic", format="csv",
                       encoding="utf-8")
    truth = {rec.id: y for rec, y in zip(ws.store.records(), labels, strict=True)}
    rng = np.random.default_rng(11)
    ids = sorted(truth, key=lambda r: (-truth[r], rng.random()))  # the relevant first
    rows = [dict(record_id=r, reviewer="alice", stage="title_abstract", label="include" if truth[r] else "exclude",
                 reasons=[], note="", created_at=utcnow(), model_rank=None, model_info={"phase": "ranked"},
                 undoes_id=None) for r in ids[:int(share * n_records)]]
    with ws.store.transaction() as conn:
        conn.execute(schema.screening_decisions.insert(), rows)
    return ws, truth


def as_the_app_leaves_it(ws: Any) -> tuple[float, str]:
    """Retrain, make the check due and store the queue with it, as the app's workers do; the check's CPU seconds and
    the verdict."""
    from review.screening.session import ScreeningSession

    session = ScreeningSession(ws, "alice", quick_start=True)
    session.apply_ranking(session.retrain())
    started = time.process_time()
    epoch = session.evidence_epoch
    if not session.apply_stopping_evidence(session.stopping_evidence(), epoch):
        raise SystemExit("no classifier check was due: raise --decided-share")
    cpu = time.process_time() - started
    session.apply_ranking(session.retrain())
    session.save_ranking()
    verdict = session.progress().stopping.verdict
    session.store.engine.dispose()
    return cpu, verdict


def command(root: Path, *args: str) -> tuple[float, float, str]:
    """``review -w ROOT ARGS`` as a new process: wall seconds, its CPU seconds and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "-w", str(root), *args],
                          capture_output=True, text=True, env=os.environ.copy(), check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"review {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def store_step(ws: Any, repeat: int) -> list[float]:
    """Milliseconds of ``replace_ranking_info`` putting the stored queue's own model info back (the same write a
    status call makes), ``repeat`` times; empty where the code measured has no such step."""
    try:
        from review.store.screening import load_ranking, replace_ranking_info
    except ImportError:
        return []
    times = []
    for _ in range(repeat):
        saved = load_ranking(ws.store, "alice")
        assert saved is not None
        started = time.perf_counter()
        if not replace_ranking_info(ws.store, "alice", created_at=saved["created_at"],
                                    model_info_before=saved["model_info"], model_info=dict(saved["model_info"])):
            raise SystemExit("the stored queue's model info was not replaced")
        times.append(1000 * (time.perf_counter() - started))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50000)
    parser.add_argument("--decided-share", type=float, default=0.4)
    parser.add_argument("--calls", type=int, default=3, help="review status --stopping calls after the pick")
    parser.add_argument("--repeat", type=int, default=5, help="timings of the store step")
    args = parser.parse_args()
    if not DATA_DIR.is_dir():
        raise SystemExit(f"{DATA_DIR}: the shared labelled sets are needed (REVIEW_SHARED)")
    import review

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        ws, truth = build(root, args.records, args.decided_share)
        app_cpu, app_verdict = as_the_app_leaves_it(ws)
        decided = {d.record_id for d in ws.store.decisions(reviewer="alice")}
        picked = next(r for r in sorted(truth) if r not in decided)
        command(root, "-r", "alice", "decide", str(picked), "--exclude")
        calls = [command(root, "status", "--stopping") for _ in range(args.calls)]
        store_ms = store_step(ws, args.repeat)
        ws.store.engine.dispose()
    lines = {out.split("\n", 1)[1] for _, _, out in calls}  # (the first line names the temporary folder)
    verdicts = [line.split(":", 1)[1].split("(")[0].strip() for _, _, out in calls
                for line in out.splitlines() if line.startswith("stopping   alice")]
    result: dict[str, Any] = {
        "records": args.records, "decided": int(args.decided_share * args.records), "code": str(Path(review.__file__).parent),
        "app_check_cpu_s": round(app_cpu, 2), "app_verdict": app_verdict,
        "calls": [{"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)} for wall, cpu, _ in calls],
        "verdicts": verdicts, "same_output": len(lines) == 1,
        "store_step_ms_p50": round(statistics.median(store_ms), 2) if store_ms else None,
        "store_step_ms_max": round(max(store_ms), 2) if store_ms else None,
        "load": round(os.getloadavg()[0], 2),
    }
    print(f"{args.records:,} records, {result['decided']:,} decided; the app's check {app_cpu:.1f} s CPU "
          f"({app_verdict}); one record picked with review decide, then review status --stopping:")
    print(f"{'call':>5} {'wall_s':>8} {'cpu_s':>8}  verdict")
    for i, ((wall, cpu, _), verdict) in enumerate(zip(calls, verdicts, strict=True), start=1):
        print(f"{i:>5} {wall:>8.2f} {cpu:>8.2f}  {verdict}")
    print(f"same lines every call: {result['same_output']}; storing the view: "
          f"{result['store_step_ms_p50']} ms p50, {result['store_step_ms_max']} ms max")
    print("BENCH " + json.dumps({"benchmark": "status_stopping_repeat", **result}))


if __name__ == "__main__":
    main()
