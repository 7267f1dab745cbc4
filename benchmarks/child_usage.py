"""One ``review`` command in a fresh interpreter, with the child's own peak RSS and CPU (not a benchmark itself).

    from child_usage import run_review_child  # benchmarks/ is the script's folder, on sys.path

``dedup_large.py`` and ``validate_scale.py`` measure a command this way; each words its own result and failure.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: Runs ``review.cli.main`` with the given arguments and reports the child's own peak RSS (KB) and CPU seconds.
_CHILD = (
    "import resource, sys\n"
    "from review.cli import main\n"
    "try:\n    main(sys.argv[1:], standalone_mode=False)\n"
    "finally:\n"
    "    usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    print('USAGE', usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr)\n"
)


@dataclass(frozen=True)
class ChildRun:
    done: subprocess.CompletedProcess[str]
    wall_s: float
    #: The child's peak RSS in KB and CPU seconds; None when it printed no usage line (it died first).
    peak_kb: float | None
    cpu_s: float | None


def run_review_child(args: list[str], cwd: Path) -> ChildRun:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = [line.split() for line in done.stderr.splitlines() if line.startswith("USAGE ")]
    if not usage:
        return ChildRun(done, wall, None, None)
    return ChildRun(done, wall, float(usage[-1][1]), float(usage[-1][2]))
