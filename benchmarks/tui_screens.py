"""TUI benchmark of the screens around screening, on the demo: start-up and what each key costs.

    python benchmarks/tui_screens.py                 # 80x24, 10 rounds of each key
    python benchmarks/tui_screens.py --rounds 20 --size 120 36
    python benchmarks/tui_screens.py --records 20000 --rounds 3   # a synthetic workspace instead of the demo

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
1,753 records in a worker and redraws up to 500 rows, once typing pauses for 0.2 s), a word typed and
erased at 120 ms a key (per key: its letter's first frame, the rows' last frame after the last key, the
word's UI CPU shared out), the dedup review's verdict and its undo (d, u),
full-text states (o sought, u undo) and the help modal (?, escape); then the screening screen (2, its
first visit; i, e, m, u; / and escape), the conflicts (4), extraction (7) and validate (8) screens.
Prints a table and one JSON line.

``stretch``: the longest time the UI thread ran one callback of its event loop during the key (a task's
step: a message handled, an action, a paint) — time in which no other key, frame or message could be
handled: what "the UI never blocks" bounds (docs/tui.md). The UI thread's CPU in that callback (the
steadier number on a shared machine), its wall time beside it (a worker holding the GIL counts there), and
the messages it handled. Then each UI-thread call into the store or the file system, timed alone
(``time_calls``). ``--decisions N``
decides the first N records of a ``--records`` workspace first (``tui_dedup_help.py``'s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from review.services.demo import prepare_demo
from review.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (run from anywhere, or imported)
from tui import start_on_pty  # noqa: E402  (the sibling benchmark's pty runner, as the screening benchmark's)


def cold_dashboard(root: Path, repeats: int = 5, timeout: float = 120.0) -> list[float]:
    """Seconds from starting ``review -w ROOT`` on a pty until the dashboard shows its counts."""
    counts = re.compile(rb"Screened \(you\)\s+\d+ / [\d,]+")
    return [start_on_pty(["-w", str(root)], counts, size=(80, 24), timeout=timeout)[1] for _ in range(repeats)]


#: Seconds between the keys of a word typed into the browser's filter box (a fast typist).
TYPING_GAP = 0.12


class LoopStretches:
    """The UI thread's event-loop callbacks longer than ``floor_ms``, as (start, wall ms, CPU ms, what):
    ``asyncio.Handle._run`` timed on the thread that made the clock (the app's), while installed."""

    def __init__(self, floor_ms: float = 1.0) -> None:
        self.floor = floor_ms / 1000
        self.seen: list[tuple[float, float, float, str]] = []
        self._thread = threading.get_ident()
        self._run = asyncio.events.Handle._run

    def __enter__(self) -> LoopStretches:
        from textual.message_pump import MessagePump

        run, seen, floor, ui = self._run, self.seen, self.floor, self._thread
        dispatch = self._dispatch = MessagePump._dispatch_message
        handled: list[str] = []  # the messages whose handling started in the callback running now

        def timed_run(handle: asyncio.Handle) -> None:
            if threading.get_ident() != ui:
                return run(handle)
            handled.clear()
            cpu, started = time.thread_time(), time.perf_counter()
            try:
                return run(handle)
            finally:
                wall = time.perf_counter() - started
                if wall >= floor:
                    what = ", ".join(dict.fromkeys(handled[:4])) or _what(handle)
                    seen.append((started, wall * 1000, (time.thread_time() - cpu) * 1000, what))

        async def named_dispatch(pump: Any, message: Any) -> None:
            handled.append(f"{type(pump).__name__}.{message.handler_name}")
            await dispatch(pump, message)

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
        MessagePump._dispatch_message = named_dispatch  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc: object) -> None:
        from textual.message_pump import MessagePump

        asyncio.events.Handle._run = self._run  # type: ignore[method-assign]
        MessagePump._dispatch_message = self._dispatch  # type: ignore[method-assign]

    def longest(self, since: float, until: float) -> tuple[float, float, str]:
        """(CPU ms, wall ms, what) of the callback that started in [since, until] and spent the most CPU of the
        UI thread (the steadier number on a shared machine; its wall time beside it); zeros if none."""
        inside = [s for s in self.seen if since <= s[0] <= until]
        if not inside:
            return 0.0, 0.0, ""
        _, wall, cpu, what = max(inside, key=lambda s: s[2])
        return cpu, wall, what


def _what(handle: asyncio.Handle) -> str:
    """A short name of what a callback ran: the task's coroutine, else the callback's name."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coroutine = task.get_coro()
        return getattr(coroutine, "__qualname__", repr(coroutine))
    return getattr(callback, "__qualname__", repr(callback))


def record_frames(app: Any) -> list[float]:
    """The times (perf_counter) of every frame the app writes from now on, appended as they come."""
    frames: list[float] = []
    display = app._display

    def timed_display(*args: Any, **kwargs: Any) -> None:
        display(*args, **kwargs)
        frames.append(time.perf_counter())

    app._display = timed_display
    return frames


async def wait_idle(app: Any, pilot: Any, ignored_groups: frozenset[str] = frozenset()) -> None:
    """Every worker (but those of ``ignored_groups``) finished and no message waiting, twice in a row,
    then one more frame."""
    calm = 0
    while calm < 2:
        await asyncio.sleep(0.002)
        busy = any(not w.is_finished and w.group not in ignored_groups for w in app.workers) or any(
            node._message_queue.qsize() for node in (app, app.screen)) or getattr(
            app.screen, "_filter_timer", None) is not None  # (the browser's filter waits for a pause)
        calm = 0 if busy else calm + 1
    await pilot.pause()


async def measure_keys(root: Path, rounds: int, size: tuple[int, int], word: str = "sleep"
                       ) -> dict[str, dict[str, float]]:
    from textual import events

    from review.tui.app import make_app

    workspace = Workspace(root)
    app = make_app(workspace, workspace.config.reviewers[0], "dashboard")
    timings: dict[str, list[tuple[float, float, float]]] = {}
    stretches: dict[str, list[tuple[float, float, str]]] = {}
    clock = LoopStretches()
    async with app.run_test(size=size) as pilot:
        frames = record_frames(app)

        async def idle() -> None:
            await wait_idle(app, pilot)

        async def key(label: str, name: str, character: str | None = None) -> None:
            await idle()
            cpu, sent = time.thread_time(), time.perf_counter()
            app._driver.send_message(events.Key(name, character))  # type: ignore[union-attr]
            await idle()
            after = [t for t in frames if t >= sent]
            if after:
                timings.setdefault(label, []).append(((after[0] - sent) * 1000, (after[-1] - sent) * 1000,
                                                      (time.thread_time() - cpu) * 1000))
                stretches.setdefault(label, []).append(clock.longest(sent, time.perf_counter()))

        async def typed(label: str, keys: list[tuple[str, str | None]]) -> None:
            """Keys TYPING_GAP apart: frame is each key's first frame (the letter showing), done the
            last frame after the last key, UI CPU the whole word's."""
            await idle()
            cpu, echoes, started = time.thread_time(), [], time.perf_counter()
            for name, character in keys:
                sent, seen = time.perf_counter(), len(frames)
                app._driver.send_message(events.Key(name, character))  # type: ignore[union-attr]
                while len(frames) == seen and time.perf_counter() - sent < 5:
                    await asyncio.sleep(0.001)
                echoes.append((frames[seen] - sent) * 1000 if len(frames) > seen else 5000.0)
                await asyncio.sleep(max(0.0, TYPING_GAP - (time.perf_counter() - sent)))
            last = time.perf_counter() - TYPING_GAP
            await idle()
            done = (frames[-1] - last) * 1000
            timings.setdefault(label, []).extend(
                (echo, done, (time.thread_time() - cpu) * 1000 / len(keys)) for echo in echoes)
            stretches.setdefault(label, []).append(clock.longest(started, time.perf_counter()))

        await idle()
        clock.__enter__()
        for _ in range(rounds):
            await key("switch to browser (5)", "5", "5")
            await key("browser: include (i)", "i", "i")
            await key("browser: exclude (e)", "e", "e")
            await key("browser: down", "down")
        await key("browser: / (filter box)", "slash", "/")
        for _ in range(rounds):
            for letter in word:
                await key("browser: type a letter", letter, letter)
            for _ in word:
                await key("browser: backspace", "backspace")
        for _ in range(rounds):
            await typed(f"browser: '{word}' typed, {TYPING_GAP * 1000:.0f} ms a key", [(c, c) for c in word])
            await typed(f"browser: erased, {TYPING_GAP * 1000:.0f} ms a key", [("backspace", None)] * len(word))
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
        await key("switch to screening (2), first", "2", "2")
        for _ in range(rounds):
            await key("screening: include (i)", "i", "i")
            await key("screening: exclude (e)", "e", "e")
            await key("screening: maybe (m)", "m", "m")
            await key("screening: undo (u)", "u", "u")
            await key("screening: search (/)", "slash", "/")
            await key("search: close (escape)", "escape")
            await key("switch to conflicts (4)", "4", "4")
            await key("switch to extraction (7)", "7", "7")
            await key("switch to validate (8)", "8", "8")
            await key("switch to screening (2)", "2", "2")
        clock.__exit__()
    out = {}
    for label, values in timings.items():
        first, done, cpu = (sorted(v) for v in zip(*values))
        longest = max(stretches[label], key=lambda s: s[0])
        out[label] = {"n": len(values), "frame_p50_ms": statistics.median(first), "frame_max_ms": first[-1],
                      "done_p50_ms": statistics.median(done), "done_p95_ms": done[min(len(done) - 1, round(0.95 * (len(done) - 1)))],
                      "done_max_ms": done[-1], "ui_cpu_p50_ms": statistics.median(cpu), "ui_cpu_max_ms": cpu[-1],
                      "stretch_cpu_p50_ms": statistics.median(s[0] for s in stretches[label]),
                      "stretch_cpu_max_ms": longest[0], "stretch_max_wall_ms": longest[1], "stretch_max_in": longest[2]}
    return out


def second_reviewer(root: Path, decisions: int) -> None:
    """A second reviewer (bob) decides the first ``decisions`` records the first reviewer decided, every fifth
    the other way: conflicts for the conflicts screen and its export."""
    from review.services.screening import current_decisions, decide_records

    workspace = Workspace(root)
    first = current_decisions(workspace, workspace.config.reviewers[0])
    decided = sorted(first.items())[:decisions]
    flipped = {"include": "exclude", "exclude": "include", "maybe": "exclude"}
    by_label: dict[str, list[str]] = {}
    for n, ((record_id, _), decision) in enumerate(decided):
        label = flipped[decision.label] if n % 5 == 0 else decision.label
        by_label.setdefault(label, []).append(str(record_id))
    for label, ids in by_label.items():
        decide_records(workspace, "bob", ids, label)


def time_calls(root: Path, repeats: int = 5) -> dict[str, dict[str, float]]:
    """The service calls the screens make on the UI thread (docs/benchmarks/tui-blocking-2026-12-06.md's
    list), each timed alone on ``root`` (median and max of ``repeats``, ms): what a key or a resume spends in
    the store or the file system, apart from Textual's own work."""
    from review.services.dedup import related_of
    from review.services.prisma import fulltext_reasons, record_screening_stop, withdraw_screening_stop
    from review.services.screening import current_decisions, export_agreement, open_session
    from review.services.workspace import counts_by_source, data_version
    from review.services.workspace import record as get_record
    from review.tui.settings import SettingsWatcher

    workspace = Workspace(root)
    reviewer = workspace.config.reviewers[0]
    session = open_session(workspace, reviewer)
    first = session.next_record()
    assert first is not None and first.id is not None
    record_id = first.id
    watcher = SettingsWatcher(workspace)

    def decide_and_undo() -> None:
        session.decide(record_id, "include")
        session.undo()

    calls: dict[str, Callable[[], object]] = {
        "data_version (screening resume, /)": lambda: data_version(workspace),
        "current_decisions (screening resume, / after a change)": lambda: current_decisions(workspace, reviewer),
        "session.next_record (after a key)": session.next_record,
        "session.read_ahead (after a key's frame)": session.read_ahead,
        "session.progress (every paint)": session.progress,
        "session.decide + undo (i, then u)": decide_and_undo,
        "record + related_of (enter on a row)": lambda: (get_record(workspace, record_id),
                                                        related_of(workspace, record_id)),
        "counts_by_source (browser's first load)": lambda: counts_by_source(workspace),
        "fulltext_reasons (full text x)": lambda: fulltext_reasons(workspace),
        "export_agreement (conflicts x)": lambda: export_agreement(workspace, Path(tempfile.mkdtemp())),
        "settings check (every switch, focus, g)": watcher.check,
        "record_screening_stop + withdraw (s, y)": lambda: (
            record_screening_stop(workspace, reviewer, "benchmark", verdict=None),
            withdraw_screening_stop(workspace, reviewer)),
    }
    out = {}
    for label, call in calls.items():
        spent = []
        for _ in range(repeats):
            started = time.perf_counter()
            call()
            spent.append((time.perf_counter() - started) * 1000)
        out[label] = {"p50_ms": statistics.median(spent), "max_ms": max(spent)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--size", type=int, nargs=2, default=[80, 24], metavar=("COLUMNS", "LINES"))
    parser.add_argument("--records", type=int, default=0,
                        help="a synthetic workspace of this many records (benchmarks/tui.py's) instead of the demo")
    parser.add_argument("--decisions", type=int, default=0, help="of --records, decided by its reviewer first")
    parser.add_argument("--workspace", type=Path, help="a copy of this workspace instead of building one")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold starts")
    parser.add_argument("--second-reviewer", type=int, default=0,
                        help="of --decisions, how many a second reviewer (bob) decides too, every fifth the other way")
    args = parser.parse_args()
    results: dict[str, Any] = {"load_avg": os.getloadavg()[0], "size": args.size, "records": args.records or "demo",
                               "decisions": args.decisions, "second_reviewer": args.second_reviewer,
                               "rounds": args.rounds}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        started = time.perf_counter()
        if args.workspace is not None:
            shutil.copytree(args.workspace, root)
            results["records"] = str(args.workspace)
        elif args.records and args.decisions:
            from tui_dedup_help import build_decided

            build_decided(root, args.records, args.decisions)
            if args.second_reviewer:
                second_reviewer(root, args.second_reviewer)
        elif args.records:
            from tui import build

            build(root, args.records)
        else:
            prepare_demo(root)
        results["build_s"] = time.perf_counter() - started
        cold = [0.0] if args.no_cold else cold_dashboard(root)
        results["cold_start_s"] = {"min": min(cold), "median": statistics.median(cold), "runs": cold}
        word = "stress" if args.records else "sleep"  # (a word of the synthetic records' vocabulary)
        results["calls"] = time_calls(root)
        results["keys"] = asyncio.run(measure_keys(root, args.rounds, tuple(args.size), word))  # type: ignore[arg-type]
    results["load_avg_end"] = os.getloadavg()[0]
    print(f"demo built in {results['build_s']:.1f} s; cold start to the dashboard's counts "
          f"(5 runs) min {min(cold):.2f} s, median {statistics.median(cold):.2f} s")
    print(f"{'key':<36} {'n':>3} | {'frame p50/max ms':>16} | {'done p50/p95/max ms':>21} | {'UI CPU p50/max ms':>17} | "
          f"{'stretch CPU p50/max (wall) ms, in':<40}")
    for label, r in results["keys"].items():
        print(f"{label:<36} {r['n']:>3} | {r['frame_p50_ms']:7.1f} {r['frame_max_ms']:8.1f} | "
              f"{r['done_p50_ms']:6.1f} {r['done_p95_ms']:6.1f} {r['done_max_ms']:7.1f} | "
              f"{r['ui_cpu_p50_ms']:7.1f} {r['ui_cpu_max_ms']:8.1f} | "
              f"{r['stretch_cpu_p50_ms']:6.1f} {r['stretch_cpu_max_ms']:6.1f} ({r['stretch_max_wall_ms']:6.1f}) "
              f"{r['stretch_max_in']}")
    print(f"{'UI-thread call, timed alone':<58} | {'p50 / max ms':>15}")
    for label, r in results["calls"].items():
        print(f"{label:<58} | {r['p50_ms']:7.1f} {r['max_ms']:7.1f}")
    print(f"1-min load average {results['load_avg']:.2f} at start, {results['load_avg_end']:.2f} at the end, "
          f"on {os.cpu_count()} cores")
    print(json.dumps({"benchmark": "tui_screens", **results}))


if __name__ == "__main__":
    main()
