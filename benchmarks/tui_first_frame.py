"""TUI benchmark: one screen's first visit in a new app each time, up to its first frame and until it is done.

    python benchmarks/tui_first_frame.py --workspace DIR            # the record browser (5), 5 apps, 80x24
    python benchmarks/tui_first_frame.py --workspace DIR --key 4 --apps 10

Each app opens on the dashboard of a copy of the workspace, waits until it is idle, then the key is sent as a
terminal's would be. Per visit: ``first frame`` (ms from the key to the first frame written), ``UI CPU to
it`` (the UI thread's CPU in between: how much of that wait was the app's own work; the rest is other
threads holding the GIL and the machine's load), ``stretch`` (the longest single callback of the UI thread's
event loop in the visit, ``tui_screens.py``'s), ``visit UI CPU`` and ``done`` (the last frame once every
worker the visit started has finished and its messages are handled). Prints a table and one JSON line.
docs/benchmarks/tui-blocking-2026-12-06.md ("later that day") has the browser's numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from review.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere)
from tui_screens import LoopStretches, record_frames, wait_idle  # noqa: E402  (the sibling benchmark's clocks)


async def one_visit(root: Path, key: str, size: tuple[int, int]) -> dict[str, Any]:
    """The first visit of ``key``'s screen in a new app on ``root``."""
    from textual import events

    from review.tui.app import make_app

    workspace = Workspace(root)
    app = make_app(workspace, workspace.config.reviewers[0], "dashboard")
    clock = LoopStretches()
    async with app.run_test(size=size) as pilot:
        frames = record_frames(app)
        await wait_idle(app, pilot)
        await asyncio.sleep(1.0)  # (the loader imports every screen's module after the first record)
        await wait_idle(app, pilot)
        seen = len(frames)
        clock.__enter__()
        cpu, sent = time.thread_time(), time.perf_counter()
        app._driver.send_message(events.Key(key, key))  # type: ignore[union-attr]
        while len(frames) == seen and time.perf_counter() - sent < 30:
            await asyncio.sleep(0)
        to_frame_cpu = (time.thread_time() - cpu) * 1000
        first = (frames[seen] - sent) * 1000 if len(frames) > seen else float("nan")
        await wait_idle(app, pilot)
        clock.__exit__()
        stretch_cpu, _, stretch_in = clock.longest(sent, time.perf_counter())
        return {"first_frame_ms": first, "ui_cpu_to_first_frame_ms": to_frame_cpu, "stretch_cpu_ms": stretch_cpu,
                "stretch_in": stretch_in, "visit_ui_cpu_ms": (time.thread_time() - cpu) * 1000,
                "done_ms": (frames[-1] - sent) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, required=True, help="copied to a temporary folder first")
    parser.add_argument("--key", default="5", help="the screen's key (default 5, the record browser)")
    parser.add_argument("--apps", type=int, default=5)
    parser.add_argument("--size", type=int, nargs=2, default=[80, 24], metavar=("COLUMNS", "LINES"))
    args = parser.parse_args()
    results: dict[str, Any] = {"load_avg": os.getloadavg()[0], "workspace": str(args.workspace), "key": args.key,
                               "apps": args.apps, "size": args.size}
    visits = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.apps):
            root = Path(tmp) / "ws"
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(args.workspace, root)
            visits.append(asyncio.run(one_visit(root, args.key, tuple(args.size))))  # type: ignore[arg-type]
    results["load_avg_end"] = os.getloadavg()[0]
    results["visits"] = visits
    measures = ("first_frame_ms", "ui_cpu_to_first_frame_ms", "stretch_cpu_ms", "visit_ui_cpu_ms", "done_ms")
    results["p50"] = {m: statistics.median(v[m] for v in visits) for m in measures}
    print(f"{'first frame':>12} {'UI CPU to it':>13} {'stretch':>8} {'visit UI CPU':>13} {'done':>8}  stretch in")
    for v in visits:
        print(f"{v['first_frame_ms']:12.1f} {v['ui_cpu_to_first_frame_ms']:13.1f} {v['stretch_cpu_ms']:8.1f} "
              f"{v['visit_ui_cpu_ms']:13.1f} {v['done_ms']:8.1f}  {v['stretch_in'][:60]}")
    p50 = results["p50"]
    print(f"{'p50':>4} {p50['first_frame_ms']:7.1f} {p50['ui_cpu_to_first_frame_ms']:13.1f} {p50['stretch_cpu_ms']:8.1f} "
          f"{p50['visit_ui_cpu_ms']:13.1f} {p50['done_ms']:8.1f}")
    print(f"1-min load average {results['load_avg']:.2f} at start, {results['load_avg_end']:.2f} at the end, "
          f"on {os.cpu_count()} cores")
    print(json.dumps({"benchmark": "tui_first_frame", **results}))


if __name__ == "__main__":
    main()
