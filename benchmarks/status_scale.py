"""What `review status` costs on a large workspace: time, CPU and rows read.

    python benchmarks/status_scale.py                  # 20,000 records, 40,000 decisions
    python benchmarks/status_scale.py --records 50000 --repeat 5
    python benchmarks/status_scale.py --ranked         # each reviewer's queue stored, as the TUI leaves it

The store is ``decide_fulltext_check.py``'s (each record decided by alice and bob, 8 % included by both, the
included ones' full text sought and retrieved, SQLite). ``review status`` then runs ``--repeat`` times as a new
process (``python -c 'from review.cli import main; main()'``: start-up and imports included; wall seconds and the
child's CPU seconds, user + system, which another process on the machine disturbs less: median and least) and
``--repeat`` times in process (``click.testing.CliRunner``: wall seconds, counting every SELECT the driver runs and
the rows it returns as that benchmark does; then once more for its CPU seconds alone). Every run must print the same lines (their SHA-256 is in the JSON). Prints a table (medians) and
one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
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

from click.testing import CliRunner

from decide_fulltext_check import built_store, measured, store_arguments
from review.cli import main as cli_main


def in_process(root: Path) -> str:
    result = CliRunner().invoke(cli_main, ["-w", str(root), "status"])
    if result.exit_code != 0:
        raise SystemExit(f"review status exited {result.exit_code}: {result.output}")
    return result.stdout


def new_process(root: Path) -> tuple[float, float, str]:
    """Wall seconds, the child's CPU seconds and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "-w", str(root), "status"],
                          capture_output=True, text=True, env=os.environ.copy(), check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"review status exited {done.returncode}: {done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    store_arguments(parser, repeat=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        url, _ = built_store(root, args)
        outputs: set[str] = set()
        processes = []
        for _ in range(args.repeat):
            wall, cpu, out = new_process(root)
            processes.append((wall, cpu))
            outputs.add(out)
        runs = []
        printed: list[str] = []
        cpu_in_process = []
        for _ in range(args.repeat):
            cpu_start = time.process_time()
            runs.append(measured(url, lambda: printed.append(in_process(root))))
            cpu_in_process.append(time.process_time() - cpu_start)  # (the rows' count after it included)
            cpu_start = time.process_time()
            in_process(root)
            cpu_in_process[-1] = time.process_time() - cpu_start
        outputs.update(printed)
    if len(outputs) != 1:
        raise SystemExit(f"review status printed {len(outputs)} different outputs")
    # (the workspace's path is in the first line: hashed without it, so runs in other folders compare)
    lines = next(iter(outputs)).splitlines()[1:]
    result: dict[str, Any] = {
        "records": args.records, "decisions": 2 * args.records, "repeat": args.repeat, "ranked": args.ranked,
        "process_wall_s": round(statistics.median(p[0] for p in processes), 4),
        "process_cpu_s": round(statistics.median(p[1] for p in processes), 4),
        "process_cpu_min_s": round(min(p[1] for p in processes), 4),
        "in_process_s": round(statistics.median(r[0] for r in runs), 4),
        "in_process_cpu_s": round(statistics.median(cpu_in_process), 4),
        "selects": runs[-1][1], "rows_read": runs[-1][2],
        "output_sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16],
    }
    print(f"{'call':<22} {'median_s':>9} {'cpu_s':>7} {'selects':>8} {'rows_read':>10}")
    print(f"{'status (new process)':<22} {result['process_wall_s']:>9.4f} {result['process_cpu_s']:>7.3f}")
    print(f"{'status (in process)':<22} {result['in_process_s']:>9.4f} {result['in_process_cpu_s']:>7.3f} "
          f"{result['selects']:>8} {result['rows_read']:>10}")
    print(json.dumps({"benchmark": "status_scale", **result}))


if __name__ == "__main__":
    main()
