"""TUI benchmark of the screens around screening, on the demo: start-up and what each key costs.

    python benchmarks/tui_screens.py                 # 80x24, 10 rounds of each key
    python benchmarks/tui_screens.py --rounds 20 --size 120 36

Builds the demo (about 2,300 records, ``review demo --no-tui``) in a temporary folder, then:

* ``cold start``: ``review -w DEMO`` (the dashboard) started as a new process on a pseudo-terminal
  until the dashboard shows the reviewer's counts (``Screened (you) 0 / 1,753``): the median of 5.
* per key, the app running headless at the given size and the key sent through the driver as a
  terminal's would be: ``frame`` is the first frame written after the key (what the eye sees
  answer), ``done`` the last frame once every worker it started has finished and its messages are
  handled (the counts, rows or pair shown), ``UI CPU`` the UI thread's CPU time in between (what the
  key costs on an idle machine; wall times grow with the load of a shared machine).

Keys: switching screens (5, 6, 3, 1), the dashboard's recount (g), the record browser's decisions
(i, e: one transaction each), cursor (down) and typing in the filter box (one letter re-filters the
1,753 records in a worker and redraws up to 500 rows), the dedup review's verdict and its undo (d, u),
full-text states (o sought, u undo) and the help modal (?, escape). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from review.services.demo import prepare_demo
from review.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere, or imported)
from tui import start_on_pty  # noqa: E402  (the sibling benchmark's pty runner, as the screening benchmark's)


def cold_dashboard(root: Path, repeats: int = 5, timeout: float = 120.0) -> list[float]:
    """Seconds from starting ``review -w ROOT`` on a pty until the dashboard shows its counts."""
    counts = re.compile(rb"Screened \(you\)\s+\d+ / [\d,]+")
    return [start_on_pty(["-w", str(root)], counts, size=(80, 24), timeout=timeout)[1] for _ in range(repeats)]


async def measure_keys(root: Path, rounds: int, size: tuple[int, int]) -> dict[str, dict[str, float]]:
    from textual import events

    from review.tui.app import make_app

    workspace = Workspace(root)
    app = make_app(workspace, workspace.config.reviewers[0], "dashboard")
    frames: list[float] = []
    timings: dict[str, list[tuple[float, float, float]]] = {}
    async with app.run_test(size=size) as pilot:
        display = app._display

        def timed_display(*args: Any, **kwargs: Any) -> None:
            display(*args, **kwargs)
            frames.append(time.perf_counter())

        app._display = timed_display  # type: ignore[method-assign]

        async def idle() -> None:
            """Every worker finished and no message waiting, twice in a row, then one more frame."""
            calm = 0
            while calm < 2:
                await asyncio.sleep(0.002)
                busy = any(not w.is_finished for w in app.workers) or any(
                    node._message_queue.qsize() for node in (app, app.screen))
                calm = 0 if busy else calm + 1
            await pilot.pause()

        async def key(label: str, name: str, character: str | None = None) -> None:
            await idle()
            cpu, sent = time.thread_time(), time.perf_counter()
            app._driver.send_message(events.Key(name, character))  # type: ignore[union-attr]
            await idle()
            after = [t for t in frames if t >= sent]
            if after:
                timings.setdefault(label, []).append(((after[0] - sent) * 1000, (after[-1] - sent) * 1000,
                                                      (time.thread_time() - cpu) * 1000))

        await idle()
        for _ in range(rounds):
            await key("switch to browser (5)", "5", "5")
            await key("browser: include (i)", "i", "i")
            await key("browser: exclude (e)", "e", "e")
            await key("browser: down", "down")
        await key("browser: / (filter box)", "slash", "/")
        for _ in range(rounds):
            for letter in "sleep":
                await key("browser: type a letter", letter, letter)
            for _ in "sleep":
                await key("browser: backspace", "backspace")
        await key("browser: escape (to table)", "escape")
        for _ in range(rounds):
            await key("switch to full text (6)", "6", "6")
            await key("full text: sought (o)", "o", "o")
            await key("full text: undo (u)", "u", "u")
            await key("switch to dedup (3)", "3", "3")
            await key("dedup: different (d)", "d", "d")
            await key("dedup: undo (u)", "u", "u")
            await key("switch to dashboard (1)", "1", "1")
            await key("dashboard: recount (g)", "g", "g")
            await key("help (?)", "question_mark", "?")
            await key("help: close (escape)", "escape")
    out = {}
    for label, values in timings.items():
        first, done, cpu = (sorted(v) for v in zip(*values))
        out[label] = {"n": len(values), "frame_p50_ms": statistics.median(first), "frame_max_ms": first[-1],
                      "done_p50_ms": statistics.median(done), "done_p95_ms": done[min(len(done) - 1, round(0.95 * (len(done) - 1)))],
                      "done_max_ms": done[-1], "ui_cpu_p50_ms": statistics.median(cpu), "ui_cpu_max_ms": cpu[-1]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--size", type=int, nargs=2, default=[80, 24], metavar=("COLUMNS", "LINES"))
    args = parser.parse_args()
    results: dict[str, Any] = {"load_avg": os.getloadavg()[0], "size": args.size}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        started = time.perf_counter()
        prepare_demo(root)
        results["build_s"] = time.perf_counter() - started
        cold = cold_dashboard(root)
        results["cold_start_s"] = {"min": min(cold), "median": statistics.median(cold), "runs": cold}
        results["keys"] = asyncio.run(measure_keys(root, args.rounds, tuple(args.size)))  # type: ignore[arg-type]
    results["load_avg_end"] = os.getloadavg()[0]
    print(f"demo built in {results['build_s']:.1f} s; cold start to the dashboard's counts "
          f"(5 runs) min {min(cold):.2f} s, median {statistics.median(cold):.2f} s")
    print(f"{'key':<28} {'n':>3} | {'frame p50/max ms':>16} | {'done p50/p95/max ms':>21} | {'UI CPU p50/max ms':>17}")
    for label, r in results["keys"].items():
        print(f"{label:<28} {r['n']:>3} | {r['frame_p50_ms']:7.1f} {r['frame_max_ms']:8.1f} | "
              f"{r['done_p50_ms']:6.1f} {r['done_p95_ms']:6.1f} {r['done_max_ms']:7.1f} | "
              f"{r['ui_cpu_p50_ms']:7.1f} {r['ui_cpu_max_ms']:8.1f}")
    print(f"1-min load average {results['load_avg']:.2f} at start, {results['load_avg_end']:.2f} at the end, "
          f"on {os.cpu_count()} cores")
    print(json.dumps({"benchmark": "tui_screens", **results}))


if __name__ == "__main__":
    main()
