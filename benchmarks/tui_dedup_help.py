"""TUI benchmark: the dedup review's verdict keys on the demo, and closing help over the screening screen.

    python benchmarks/tui_dedup_help.py                        # 80x24, 5 apps of each part
    python benchmarks/tui_dedup_help.py --apps 10 --records 20000 --decisions 5000
    python benchmarks/tui_dedup_help.py --part dedup           # one part only (dedup or help)

The two loops behind docs/benchmarks/tui-first-visit-2026-12-06.md's dedup and help figures.

* ``dedup``: the demo (``review demo --no-tui``, built in a temporary folder; each app works on a fresh
  copy of it) opened on the dedup review. On every borderline pair in turn ``d`` (different), then ``u``
  as many times (each undoes one, newest first, and shows its pair again); then ``s`` (same: merged) until
  no pair is left (a merge may settle other pairs) and ``u`` the same way, then ``k`` (skip) and ``u``. So
  the last key of a round is on the last pair ("No borderline pairs left" is a short frame).
* ``help``: a synthetic workspace of ``--records`` records (``benchmarks/tui.py``'s) with ``--decisions``
  of them decided by its reviewer, opened on the screening screen; once the first record shows and the
  first retrain and the stopping evidence have landed, ``?`` and ``escape`` ``--closes`` times. The
  close resumes the screening screen, which reads the reviewer's decisions again only if the store's data
  version moved.

Per key, as ``benchmarks/tui_screens.py`` times one: *frame* the first frame written after the key,
*done* the last frame once every worker the key started has finished and its messages are handled, *UI CPU*
the UI thread's CPU time in between (the steadier number on a shared machine). Prints a table (p50 / p95
over every key of every app) and one JSON line.
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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from review.services.demo import prepare_demo
from review.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tui_screens import record_frames, wait_idle  # noqa: E402  (the same frame clock and idle test)

#: Worker groups that go on in the background (a retrain the screening screen starts, its evidence, the claim).
BACKGROUND = frozenset({"retrain", "stopping-evidence", "heartbeat", "set-aside"})

#: (frame, done, UI CPU) ms of one key.
Timing = tuple[float, float, float]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _run_keys(root: Path, start: str, size: tuple[int, int],
                    keys: Callable[[Any, Callable[[str, str, str | None], Awaitable[None]]], Awaitable[None]],
                    ready: Callable[[Any], bool]) -> dict[str, list[Timing]]:
    """Open the app on ``start``, wait for ``ready(app)`` and the loader worker, then let ``keys`` press keys
    through ``key(label, name, character)``, each timed."""
    from textual import events

    from review.tui.app import make_app

    workspace = Workspace(root)
    app = make_app(workspace, workspace.config.reviewers[0], start)
    timings: dict[str, list[Timing]] = {}
    async with app.run_test(size=size) as pilot:
        frames = record_frames(app)
        while not ready(app) or any(w.group == "load" and not w.is_finished for w in app.workers):
            await asyncio.sleep(0.01)
        await wait_idle(app, pilot, BACKGROUND)

        async def key(label: str, name: str, character: str | None) -> None:
            await wait_idle(app, pilot, BACKGROUND)
            cpu, sent = time.thread_time(), time.perf_counter()
            app._driver.send_message(events.Key(name, character))  # type: ignore[union-attr]
            await wait_idle(app, pilot, BACKGROUND)
            spent = (time.thread_time() - cpu) * 1000
            after = [t for t in frames if t >= sent]
            if after:
                timings.setdefault(label, []).append(((after[0] - sent) * 1000, (after[-1] - sent) * 1000, spent))

        await keys(app, key)
    return timings


async def dedup_keys(root: Path, size: tuple[int, int]) -> dict[str, list[Timing]]:
    """d, then u, on every pair; the same with s and with k."""

    async def keys(app: Any, key: Callable[[str, str, str | None], Awaitable[None]]) -> None:
        screen = app.screen
        pairs = len(screen.pairs)
        if not pairs:
            raise SystemExit(f"{root}: no borderline pairs to decide")
        for verdict, name in (("d", "different"), ("s", "same"), ("k", "skip")):
            while screen.index < len(screen.pairs):  # (a merge may settle other pairs: fewer keys than pairs)
                await key(f"dedup: {name} ({verdict})", verdict, verdict)
            while screen.history:
                await key(f"dedup: undo {name} (u)", "u", "u")
            if len(screen.pairs) != pairs or screen.index:
                raise SystemExit(f"after the undos {len(screen.pairs)} pairs are open, not {pairs}")

    def ready(app: Any) -> bool:
        return app.project is not None and getattr(app.screen, "pairs", None) is not None and \
            not getattr(app.screen, "reloading", True) and app.screen.pairs

    return await _run_keys(root, "dedup", size, keys, ready)


async def help_closes(root: Path, size: tuple[int, int], closes: int) -> dict[str, list[Timing]]:
    """? then escape, ``closes`` times, over the screening screen."""

    async def keys(app: Any, key: Callable[[str, str, str | None], Awaitable[None]]) -> None:
        for _ in range(closes):
            await key("help over screening (?)", "question_mark", "?")
            await key("help over screening: close (escape)", "escape", None)

    def ready(app: Any) -> bool:  # the first record, and the first ranking with its evidence landed
        screen = app.screen
        return getattr(screen, "current", None) is not None and screen.ranked_labels is not None and \
            not screen.retraining and not screen._evidence_running

    return await _run_keys(root, "screening", size, keys, ready)


def build_decided(root: Path, records: int, decisions: int) -> None:
    """``benchmarks/tui.py``'s synthetic workspace, its first ``decisions`` records decided by its reviewer
    (one in ten included), through the service ``review decide`` calls."""
    from tui import build

    from review.services.screening import decide_records

    workspace = build(root, records)
    reviewer = workspace.config.reviewers[0]
    ids = [str(record.id) for record in workspace.store.records()][:decisions]
    included = ids[::10]
    decide_records(workspace, reviewer, included, "include")
    decide_records(workspace, reviewer, sorted(set(ids) - set(included), key=int), "exclude")


def summarise(runs: dict[str, list[Timing]]) -> dict[str, dict[str, float]]:
    out = {}
    for label, values in runs.items():
        frame, done, cpu = (list(v) for v in zip(*values))
        out[label] = {"n": len(values), "frame_p50_ms": statistics.median(frame), "frame_p95_ms": percentile(frame, 0.95),
                      "done_p50_ms": statistics.median(done), "done_p95_ms": percentile(done, 0.95),
                      "ui_cpu_p50_ms": statistics.median(cpu), "ui_cpu_p95_ms": percentile(cpu, 0.95)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", type=int, default=5, help="apps started per part (the dedup one on a fresh copy)")
    parser.add_argument("--size", type=int, nargs=2, default=[80, 24], metavar=("COLUMNS", "LINES"))
    parser.add_argument("--part", choices=["dedup", "help", "both"], default="both")
    parser.add_argument("--workspace", type=Path, help="the dedup part's workspace, copied per app (else the demo)")
    parser.add_argument("--records", type=int, default=20_000, help="records of the help part's workspace")
    parser.add_argument("--decisions", type=int, default=5_000, help="of them decided by its reviewer")
    parser.add_argument("--closes", type=int, default=10, help="help opened and closed per app")
    args = parser.parse_args()
    size: tuple[int, int] = (args.size[0], args.size[1])
    results: dict[str, Any] = {"load_avg": os.getloadavg()[0], "size": args.size, "apps": args.apps}
    runs: dict[str, list[Timing]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.part in ("dedup", "both"):
            source = args.workspace
            if source is None:
                source = Path(tmp) / "demo"
                prepare_demo(source)
            for n in range(args.apps):
                copy = Path(tmp) / f"dedup-{n}"
                shutil.copytree(source, copy)
                for label, values in asyncio.run(dedup_keys(copy, size)).items():
                    runs.setdefault(label, []).extend(values)
                shutil.rmtree(copy)
        if args.part in ("help", "both"):
            root = Path(tmp) / "decided"
            started = time.perf_counter()
            build_decided(root, args.records, args.decisions)
            results["help_workspace"] = {"records": args.records, "decisions": args.decisions,
                                         "build_s": round(time.perf_counter() - started, 1)}
            for _ in range(args.apps):
                for label, values in asyncio.run(help_closes(root, size, args.closes)).items():
                    runs.setdefault(label, []).extend(values)
    results["load_avg_end"] = os.getloadavg()[0]
    results["keys"] = summarise(runs)
    print(f"{'key':<38} {'n':>3} | {'frame p50/p95 ms':>16} | {'done p50/p95 ms':>15} | {'UI CPU p50/p95 ms':>17}")
    for label, row in results["keys"].items():
        print(f"{label:<38} {row['n']:>3} | {row['frame_p50_ms']:7.1f} {row['frame_p95_ms']:8.1f} | "
              f"{row['done_p50_ms']:6.1f} {row['done_p95_ms']:8.1f} | "
              f"{row['ui_cpu_p50_ms']:7.1f} {row['ui_cpu_p95_ms']:9.1f}")
    print(f"1-min load average {results['load_avg']:.2f} at start, {results['load_avg_end']:.2f} at the end, "
          f"on {os.cpu_count()} cores")
    print(json.dumps({"benchmark": "tui_dedup_help", **results}))


if __name__ == "__main__":
    main()
