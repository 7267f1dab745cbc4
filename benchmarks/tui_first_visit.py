"""TUI benchmark: what the first visit to each screen costs, on the demo (and a second visit beside it).

    python benchmarks/tui_first_visit.py                      # 80x24, 10 apps
    python benchmarks/tui_first_visit.py --apps 20 --size 120 36
    python benchmarks/tui_first_visit.py --profile browser    # where the UI thread's time goes on that visit

Builds the demo (``review demo --no-tui``) in a temporary folder (or uses ``--workspace DIR``), then
runs the app headless ``--apps`` times, each a new app opened on the dashboard. Once it has loaded the
project and imported every screen's module (the loader worker's warm-up, which a reviewer reading the
dashboard never waits for), the number keys visit every screen in turn (2, 3, 4, 5, 6, 7, 8), then
every screen a second time. A screen is built (its widgets composed, mounted and styled) only on its
first visit, so the two rows of a screen differ by that. Per visit, as ``benchmarks/tui_screens.py``
times a key: *frame* is the first frame written after the key, *done* the last frame once every worker
the visit started has finished and its messages are handled (the screening screen's retrain and its
stopping evidence left out: they reorder the queue in the background), *UI CPU* the UI thread's CPU
time in between, the steadier number on a shared machine. Prints a table (p50 / p95 over the apps)
and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from review.services.demo import prepare_demo
from review.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tui_screens import record_frames, wait_idle  # noqa: E402  (the same frame clock and idle test)

#: The screens in the order of their number keys, after the dashboard the app opens on.
VISITS = (("screening", "2"), ("dedup", "3"), ("conflicts", "4"), ("browser", "5"), ("fulltext", "6"),
          ("extraction", "7"), ("validate", "8"))

#: Worker groups that run on after a visit has shown its data (background work, not the visit's).
BACKGROUND = frozenset({"retrain", "stopping-evidence", "heartbeat", "set-aside"})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_app(root: Path, size: tuple[int, int], profile: str | None, profile_visit: str = "first"
                  ) -> tuple[dict[str, tuple[float, float, float]], pstats.Stats | None]:
    """(mode, visit) -> (frame, done, UI CPU) ms for one app's first and second visit of every screen."""
    from textual import events

    from review.tui.app import make_app

    workspace = Workspace(root)
    app = make_app(workspace, workspace.config.reviewers[0], "dashboard")
    out: dict[str, tuple[float, float, float]] = {}
    stats: pstats.Stats | None = None
    async with app.run_test(size=size) as pilot:
        frames = record_frames(app)

        async def idle() -> None:
            await wait_idle(app, pilot, BACKGROUND)

        # The project loaded and every module imported (the load worker ends after its warm-up).
        while app.project is None or any(w.group == "load" and not w.is_finished for w in app.workers):
            await asyncio.sleep(0.01)
        await idle()
        for visit in ("first", "second"):
            for mode, key in VISITS:
                await idle()
                # (the UI thread's CPU, not wall time: on a loaded machine the wall clock charges the waits)
                profiler = cProfile.Profile(time.thread_time) if profile == mode and visit == profile_visit else None
                cpu, sent = time.thread_time(), time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                app._driver.send_message(events.Key(key, key))  # type: ignore[union-attr]
                await idle()
                if profiler is not None:
                    profiler.disable()
                    stats = pstats.Stats(profiler)
                spent = (time.thread_time() - cpu) * 1000
                after = [t for t in frames if t >= sent]
                if after:
                    out[f"{mode} ({visit})"] = ((after[0] - sent) * 1000, (after[-1] - sent) * 1000, spent)
    return out, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", type=int, default=10, help="apps started, each visiting every screen twice")
    parser.add_argument("--size", type=int, nargs=2, default=[80, 24], metavar=("COLUMNS", "LINES"))
    parser.add_argument("--workspace", type=Path, help="an existing workspace (else the demo, built afresh)")
    parser.add_argument("--profile", choices=[mode for mode, _ in VISITS],
                        help="print the UI thread's profile of this screen's first visit (first app)")
    parser.add_argument("--profile-visit", choices=["first", "second"], default="first",
                        help="which visit --profile profiles")
    args = parser.parse_args()
    results: dict[str, Any] = {"load_avg": os.getloadavg()[0], "size": args.size, "apps": args.apps}
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workspace
        if root is None:
            root = Path(tmp) / "demo"
            prepare_demo(root)
        runs: dict[str, list[tuple[float, float, float]]] = {}
        for n in range(args.apps):
            timings, stats = asyncio.run(one_app(root, tuple(args.size), args.profile if n == 0 else None,
                                                     args.profile_visit))  # type: ignore[arg-type]
            for label, values in timings.items():
                runs.setdefault(label, []).append(values)
            if stats is not None:
                stats.sort_stats("cumulative").print_stats(40)
    results["load_avg_end"] = os.getloadavg()[0]
    results["visits"] = {}
    print(f"{'visit':<24} {'n':>3} | {'frame p50/p95 ms':>16} | {'done p50/p95 ms':>15} | {'UI CPU p50/p95 ms':>17}")
    for mode, _ in VISITS:
        for visit in ("first", "second"):
            label = f"{mode} ({visit})"
            values = runs.get(label, [])
            if not values:
                continue
            frame, done, cpu = (list(v) for v in zip(*values))
            row = {"n": len(values), "frame_p50_ms": statistics.median(frame), "frame_p95_ms": percentile(frame, 0.95),
                   "done_p50_ms": statistics.median(done), "done_p95_ms": percentile(done, 0.95),
                   "ui_cpu_p50_ms": statistics.median(cpu), "ui_cpu_p95_ms": percentile(cpu, 0.95)}
            results["visits"][label] = row
            print(f"{label:<24} {row['n']:>3} | {row['frame_p50_ms']:7.1f} {row['frame_p95_ms']:8.1f} | "
                  f"{row['done_p50_ms']:6.1f} {row['done_p95_ms']:8.1f} | "
                  f"{row['ui_cpu_p50_ms']:7.1f} {row['ui_cpu_p95_ms']:9.1f}")
    print(f"1-min load average {results['load_avg']:.2f} at start, {results['load_avg_end']:.2f} at the end, "
          f"on {os.cpu_count()} cores")
    print(json.dumps({"benchmark": "tui_first_visit", **results}))


if __name__ == "__main__":
    main()
