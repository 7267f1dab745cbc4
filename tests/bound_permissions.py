"""Running Python where file permissions bind, also as root (this machine and its CI run the suite as root, where
a ``chmod`` alone binds nothing): the tests of what a read-only store or folder does (the command line's lines in
tests/test_cli_conventions.py, the TUI's read-only window in tests/tui/test_tui_read_only.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Linux capability bits (linux/capability.h): either of the first two lets a process ignore file permissions;
#: dropping them from the bounding set (prctl PR_CAPBSET_DROP = 24) needs the third.
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SETPCAP = 1, 2, 8
IGNORES_PERMISSIONS = (1 << CAP_DAC_OVERRIDE) | (1 << CAP_DAC_READ_SEARCH)
#: The child's exit status when it cannot make permissions bind (its stderr says why).
CANNOT_DROP = 97

#: ``python FILE STAGE SCRIPT ARGS...``: with permission-ignoring capabilities in effect ("start"), drop them from
#: the bounding set and start again ("dropped"): at exec a root process's capabilities are cut to that set. Then
#: SCRIPT runs as ``__main__`` with ARGS. Done in the child rather than in a ``preexec_fn``, which is unsafe in a
#: parent with threads and loses the OSError.
_CHILD = f"""
import ctypes, os, runpy, sys

def effective():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1], 16) for line in status if line.startswith("CapEff:"))

def cannot(why):
    sys.stderr.write(f"cannot make file permissions bind for this test as root: {{why}}\\n")
    sys.exit({CANNOT_DROP})

stage, args = sys.argv[1], sys.argv[2:]
if effective() & {IGNORES_PERMISSIONS}:
    if stage == "dropped":
        cannot("CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH still in effect after dropping it from the bounding set")
    if not effective() & (1 << {CAP_SETPCAP}):
        cannot("CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH in effect and no CAP_SETPCAP to drop them "
               "(run as a user, or with CAP_SETPCAP, or without the two)")
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in ({CAP_DAC_OVERRIDE}, {CAP_DAC_READ_SEARCH}):
        if libc.prctl(24, cap, 0, 0, 0) != 0:
            cannot(f"prctl(PR_CAPBSET_DROP, {{cap}}): {{os.strerror(ctypes.get_errno())}}")
    os.execv(sys.executable, [sys.executable, sys.argv[0], "dropped", *args])
sys.argv = args
runpy.run_path(args[0], run_name="__main__")
"""


def effective_capabilities() -> int | None:
    """This process's effective capabilities (CapEff in /proc/self/status); None where there is no such file."""
    try:
        lines = Path("/proc/self/status").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((int(line.split()[1], 16) for line in lines if line.startswith("CapEff:")), None)


def permissions_bind_here() -> bool:
    """Whether file permissions bind this process (a user; root in a container without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH). Fails the test for a root without /proc/self/status, where that cannot be told."""
    capabilities = effective_capabilities()
    if capabilities is None:
        if os.geteuid() == 0:
            pytest.fail("cannot make file permissions bind for this test as root without /proc/self/status")
        return True
    return not capabilities & IGNORES_PERMISSIONS


def run_where_permissions_bind(script: Path, args: list[str], scratch: Path,
                               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python SCRIPT ARGS`` in a child process where file permissions bind: one that drops CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH before it starts SCRIPT when they are in effect (root). Without CAP_SETPCAP to drop them
    the test fails saying so."""
    capabilities = effective_capabilities()
    if capabilities is not None and capabilities & IGNORES_PERMISSIONS and not capabilities & (1 << CAP_SETPCAP):
        pytest.fail("cannot make file permissions bind for this test: CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH in "
                    "effect and no CAP_SETPCAP to drop them (run as a user, or with CAP_SETPCAP, or without the two)")
    child = scratch / "without_dac.py"
    child.write_text(_CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, str(child), "start", str(script), *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode == CANNOT_DROP:
        pytest.fail(done.stderr.strip())
    return done
