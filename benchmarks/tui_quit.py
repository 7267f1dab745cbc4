"""TUI benchmark: how long `q` takes to end the app, pressed some seconds after the screening screen opens.

    python benchmarks/tui_quit.py --workspace DIR                    # -r (first reviewer) screen, 3 runs per wait
    python benchmarks/tui_quit.py --workspace DIR --waits 0.5 2 8 --runs 3 --reviewer ben
    python benchmarks/tui_quit.py --workspace DIR --busy 6              # 6 busy processes (nice 5) meanwhile
    python benchmarks/tui_quit.py --synthetic 50000 --retrain thread    # built in a temporary folder (see below)

Runs ``review -w DIR -r REVIEWER screen`` in a pseudo-terminal (100x30), as a user's terminal would, waits until
the screen shows its record (the model line's ``ranking:`` is painted with it), waits WAIT seconds more, writes
``q`` and times until the process has exited (``quit``), reading its output meanwhile as a terminal does.
The retrain the screen starts with its first record runs in a worker process (or a thread: ``[tui] retrain``
in the workspace's review.toml), so a quit in the first seconds is one under a running retrain. ``--busy N``
runs N processes spinning at nice 5 meanwhile, as a machine running benchmarks is (fresh31 saw load 10).
``--synthetic N`` builds the workspace instead: benchmarks/tui.py's N seeded records and 200 of alice's decisions
(20 include), ``[tui] retrain = --retrain``; its first retrain builds the TF-IDF features (~14 s at 50,000).
Prints one line per run (with the app's exit status: a crash at the interpreter's end shows there) and a JSON line
with the medians per wait. docs/benchmarks/tui-quit-2026-12-07.md has numbers.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

#: Printed with the screen's first record: the model line ('ranking: retraining…', 'ranking: …').
RECORD_SHOWN = b"ranking:"


def _drain(fd: int, seconds: float) -> bytes:
    """What the app writes for ``seconds`` (a terminal keeps reading, or the app blocks on a full pty)."""
    out, until = b"", time.perf_counter() + seconds
    while (left := until - time.perf_counter()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.05))
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def one_quit(review: str, root: Path, reviewer: str, wait: float) -> dict[str, Any]:
    """Open the screening screen in a pty, press q ``wait`` s after its record shows; the seconds to the exit."""
    argv = [review, "-w", str(root), "-r", reviewer, "screen"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, in a terminal of 100x30
        os.environ.update(TERM="xterm-256color", COLUMNS="100", LINES="30")
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    started, seen = time.perf_counter(), b""
    while RECORD_SHOWN not in seen and time.perf_counter() - started < 60:
        seen += _drain(fd, 0.02)
    shown = time.perf_counter() - started
    _drain(fd, wait)
    os.write(fd, b"q")
    pressed = time.perf_counter()
    status = None
    while status is None and time.perf_counter() - pressed < 30:
        _drain(fd, 0.01)
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
    quit_s = time.perf_counter() - pressed
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    return {"wait_s": wait, "record_shown_s": round(shown, 2), "quit_s": round(quit_s, 3),
            "exited": status is not None, "exit_code": None if status is None else os.waitstatus_to_exitcode(status)}


def build_synthetic(root: Path, n: int, retrain: str) -> str:
    """benchmarks/tui.py's ``n`` records, 20 includes and 180 excludes by alice (a fit's two classes), and
    ``[tui] retrain``; the reviewer's name."""
    sys.path.insert(0, str(Path(__file__).parent))
    from tui import build

    from review.services.screening import decide_records
    from review.store.screening import record_ids

    workspace = build(root, n)
    first = [str(record_id) for record_id in sorted(record_ids(workspace.store))[:200]]
    decide_records(workspace, "alice", first[:20], "include")
    decide_records(workspace, "alice", first[20:], "exclude")
    with workspace.path("review.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[tui]\nretrain = "{retrain}"\n')
    workspace.store.engine.dispose()
    return "alice"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--workspace", type=Path)
    where.add_argument("--synthetic", type=int, metavar="N", help="build a workspace of N records (see above)")
    parser.add_argument("--retrain", choices=("process", "thread"), default="thread", help="with --synthetic")
    parser.add_argument("--reviewer", default=None, help="default: review.toml's first reviewer")
    parser.add_argument("--waits", type=float, nargs="+", default=[0.5, 2.0, 8.0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning (nice 5) during the runs")
    args = parser.parse_args()
    review = shutil.which("review", path=str(Path(sys.executable).parent)) or "review"
    if args.synthetic is not None:
        with tempfile.TemporaryDirectory(prefix="tui-quit-") as folder:
            args.workspace = Path(folder) / "ws"
            args.reviewer = build_synthetic(args.workspace, args.synthetic, args.retrain)
            _run(review, args)
        return
    _run(review, args)


def _run(review: str, args: argparse.Namespace) -> None:
    if args.reviewer is None:
        from review.workspace import Workspace

        args.reviewer = Workspace(args.workspace).config.reviewers[0]
    spin = "import os, time\nos.nice(5)\nwhile True: pass"
    busy = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(args.busy)]
    try:
        medians = _measure(review, args)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    print(json.dumps({"benchmark": "tui_quit", "workspace": str(args.workspace), "synthetic": args.synthetic,
                      "retrain": args.retrain if args.synthetic else None, "runs": args.runs,
                      "busy": args.busy, "load": round(os.getloadavg()[0], 1), "median_quit_s": medians}))


def _measure(review: str, args: argparse.Namespace) -> dict[str, float]:
    medians: dict[str, float] = {}
    for wait in args.waits:
        runs = [one_quit(review, args.workspace, args.reviewer, wait) for _ in range(args.runs)]
        for run in runs:
            print(f"wait {wait:4.1f} s  record shown {run['record_shown_s']:5.2f} s  quit {run['quit_s']:6.3f} s"
                  f"  exit {run['exit_code']}{'' if run['exited'] else '  (killed: no exit in 30 s)'}", flush=True)
        medians[str(wait)] = statistics.median(run["quit_s"] for run in runs)
    return medians


if __name__ == "__main__":
    main()
