"""The kill -9 harness shared by tests/store/test_crash_safety.py and benchmarks/durability.py.

A child process runs one of the scripts below (or the caller's own), printing one line per change
whose call returned; it gets SIGKILL a given time after its N-th line. Each caller judges the
outcome its own way (a test asserts, the benchmark counts).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time

SIGKILLED = -signal.SIGKILL


def run_until_killed(code: str, *args: object, after_lines: int, delay: float,
                     start_timeout: float = 120.0) -> tuple[list[str], int, str]:
    """Run ``code`` in a child, SIGKILL it ``delay`` s after its ``after_lines``-th line of stdout;
    return every line it printed, its return code (``SIGKILLED`` when the kill landed) and the end of
    its stderr. ``start_timeout``: how long to wait for those lines (a loaded machine starts slowly)."""
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE,
                                 stderr=errors)
        assert child.stdout is not None
        fd = child.stdout.fileno()  # read unbuffered: every byte the child wrote is counted
        output = b""
        deadline = time.monotonic() + start_timeout
        try:
            while output.count(b"\n") < after_lines:
                ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(fd, 65536) if ready else b""
                if not chunk:
                    break
                output += chunk
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            child.wait(60)
            while chunk := os.read(fd, 65536):
                output += chunk
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()
        errors.seek(0)
        err = errors.read().decode("utf-8", "replace")[-800:]
    return output.decode("utf-8").split(), child.returncode, err


DECIDE = """
import sys
from review.workspace import Workspace
from review.services.screening import decide_records
ws = Workspace(sys.argv[1])
for rid in sys.argv[3:]:
    decide_records(ws, sys.argv[2], [rid], "exclude" if int(rid) % 4 else "include")  # as `review decide`
    print(rid, flush=True)
"""


DEDUP = """
import sys
from review.workspace import Workspace
from review.dedup.decisions import decide_pair, undo_decision, undo_merge
from review.errors import ReviewError
store = Workspace(sys.argv[1]).store
a, b, c, d = map(int, sys.argv[2:6])
while True:
    first = decide_pair(store, a, b, "same", "alice"); print("merge", flush=True)
    decide_pair(store, b, c, "same", "alice"); print("merge", flush=True)
    try:
        decide_pair(store, c, d, "same", "alice"); print("merge", flush=True)
    except ReviewError:
        pass  # (refused once an undo-merge called d different from a and b: nothing recorded)
    try:
        undo_merge(store, d, "alice", detach_only=True); print("undo-merge", flush=True)
    except ReviewError:
        pass  # (an earlier "different" from a killed round keeps d apart)
    undo_decision(store, first.row_id, "alice"); print("undo", flush=True)
"""


LINK = """
import sys
from review.workspace import Workspace
from review.services.prisma import link_reports, unlink_reports
ws = Workspace(sys.argv[1])
study, reports = int(sys.argv[2]), [int(r) for r in sys.argv[3:]]
while True:
    link_reports(ws, study, reports, "alice"); print("linked", flush=True)
    unlink_reports(ws, reports, "alice"); print("unlinked", flush=True)
"""


MIGRATE = """
import sys
from review.workspace import Workspace
from review.services.workspace import migrate_store
print("start", flush=True)
migrate_store(Workspace(sys.argv[1]), sys.argv[2])
print("migrated", flush=True)
import time; time.sleep(60)
"""
