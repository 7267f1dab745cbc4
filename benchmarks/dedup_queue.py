"""From "run dedup" to the borderline queue in a workspace, as the TUI's dashboard action and its dedup review
screen call it: ``services.dedup.run_dedup`` (engine, pair log, clusters) and then ``services.dedup.borderline_pairs``
(the queue the review screen shows), on the planted records of ``dedup_shared_scale.py``.

    nice -n 10 python benchmarks/dedup_queue.py                       # 20,000 records
    nice -n 10 python benchmarks/dedup_queue.py --sizes 10000,20000,40000

Per size, a fresh workspace in a temporary folder imports the records (``services.sources.import_files``, not
timed), then dedup runs twice: the first run writes every verdict, the second finds nothing changed. Each step
is timed in this process, CPU (all threads: rapidfuzz scores on every core) and wall seconds; ``engine`` is the
part of ``run_dedup`` spent in ``dedup.engine.deduplicate``, ``store`` the rest (reading the records, appending
verdicts, rebuilding clusters, the summary's counts). Prints a table and one JSON line.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_shared_scale import planted_arguments, write_planted  # noqa: E402  (the sibling benchmark's records)


def _clock(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """``step()``'s value, CPU seconds and wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    value = step()
    return value, time.process_time() - cpu, time.perf_counter() - wall


def measure(n: int, seed: int, groups: list[list[dict[str, str]]], folder: Path) -> dict[str, object]:
    from review.dedup import run as dedup_run
    from review.services import dedup, sources
    from review.services.workspace import create_workspace

    data = folder / f"records-{n}.csv"
    rows = write_planted(data, n, seed, groups)
    workspace = create_workspace(folder / "ws")
    sources.import_files(workspace, [data])
    engine_cpu: list[float] = []
    deduplicate = dedup_run.deduplicate

    def timed_engine(*args: Any, **kwargs: Any) -> Any:
        value, cpu, _ = _clock(lambda: deduplicate(*args, **kwargs))
        engine_cpu.append(cpu)
        return value

    dedup_run.deduplicate = timed_engine  # type: ignore[assignment]
    try:
        runs = []
        for label in ("first run", "re-run"):
            summary, cpu, wall = _clock(lambda: dedup.run_dedup(workspace))
            queue, queue_cpu, queue_wall = _clock(lambda: dedup.borderline_pairs(workspace))
            runs.append({"run": label, "run_dedup_cpu": cpu, "run_dedup_wall": wall, "engine_cpu": engine_cpu[-1],
                         "store_cpu": cpu - engine_cpu[-1], "queue_cpu": queue_cpu, "queue_wall": queue_wall,
                         "to_queue_cpu": cpu + queue_cpu, "to_queue_wall": wall + queue_wall,
                         "changed": summary.n_changed, "borderline_pairs": len(queue)})
    finally:
        dedup_run.deduplicate = deduplicate
    return {"records": len(rows), "runs": runs}


def main(argv: list[str] | None = None) -> None:
    sizes, seed, groups = planted_arguments(__doc__, "20000", "seed of the planted records (dedup_shared_scale.py)", argv)
    rows: list[dict[str, object]] = []
    print(f"{'records':>8} {'run':<9} {'cpu_s':>7} {'engine':>7} {'store':>7} {'queue':>7} {'to_queue':>8} "
          f"{'wall_s':>7} {'changed':>8} {'pairs':>6}")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="dedup-queue-") as tmp:
            row = measure(n, seed, groups, Path(tmp))
        for r in row["runs"]:  # type: ignore[attr-defined]
            print(f"{row['records']:>8} {r['run']:<9} {r['run_dedup_cpu']:>7.2f} {r['engine_cpu']:>7.2f} "
                  f"{r['store_cpu']:>7.2f} {r['queue_cpu']:>7.2f} {r['to_queue_cpu']:>8.2f} {r['to_queue_wall']:>7.2f} "
                  f"{r['changed']:>8} {r['borderline_pairs']:>6}")
        rows.append(row)
    print(json.dumps({"benchmark": "dedup_queue", "seed": seed, "sizes": rows}))


if __name__ == "__main__":
    main()
