"""End to end by keyboard on the demo: screen to the stopping rule, a second reviewer, conflicts, dashboard.

What a new user does after ``review demo``, driven through the real app (Textual's Pilot,
headless) with keys only:

0. the first reviewer opens the dedup review (``3``) and answers each borderline pair with
   ``s``/``d`` from the demo's ground truth (same publication or not);
1. the first reviewer screens with ``i``/``e`` — answering from the demo's known labels —
   until the screen's stopping rule says STOP, then records the stop with ``s`` and ``y``;
2. the second reviewer screens some records blind, and disagrees on every ``--flip-every``-th;
3. the first reviewer opens the conflicts screen (``4``), lifts blinding (``b``), walks to
   each open conflict with the arrow keys and resolves it with ``i``/``e`` (the known label);
4. the dashboard (``1``) shows the counts.

Every check then reads the store (decisions, screening stop, consensus rows) and compares it
with what the screens showed. Like a reviewer who reads the abstract, the driver pauses for
the model to retrain every ``--pause-every`` keys, and only then: it waits for the first ranking
before its first key and for a ranking of every label so far at each pause, and keeps the
screen from retraining in between, so every run screens the same records in the same order
(and prints the same counts) however fast the machine or the retrain worker is.

    python scripts/demo_e2e.py [--workspace DIR] [--second 60] [--flip-every 5]

Prints a summary and one JSON line; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


from review.records import Record
from review.workspace import Workspace

Answer = Callable[[Record], bool]
#: Are two records (by id) copies of one publication?
SamePublication = Callable[[int, int], bool]
#: Seconds to wait for any one thing the app does (first record, a retrain, a reload).
TIMEOUT = 120.0


def title_key(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def demo_truth(workspace: Workspace) -> Answer:
    """Is a record relevant? From the demo's ground truth (``imports/demo_truth.csv``)."""
    with workspace.path("imports", "demo_truth.csv").open(encoding="utf-8") as handle:
        relevant = {title_key(row["title"]) for row in csv.DictReader(handle) if row["label_included"] == "1"}
    return lambda record: title_key(record.title) in relevant


@dataclass(slots=True)
class Walkthrough:
    """What happened, as the screens showed it and as the store has it."""

    reviewer: str
    second: str
    pairs: int = 0
    merged: int = 0
    keys: int = 0
    screened: int = 0
    verdict: str = ""
    stop_recorded: bool = False
    second_screened: int = 0
    conflicts: int = 0
    resolved: int = 0
    dashboard: dict[str, int] = field(default_factory=dict)
    store: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


async def _until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.005)


async def _open_from_dashboard(app: Any, key: str, what: str, widget: str) -> tuple[Any, Any]:
    """Wait for the dashboard's data, press ``key``; returns (the dashboard, the screen it opened)
    once that screen has composed ``widget`` (a selector: the screen is pushed before it is built)."""
    await _until(lambda: getattr(app.screen, "data", None) is not None, "the dashboard")
    dashboard = app.screen
    _press(app, key)
    await _until(lambda: app.screen is not dashboard and bool(app.screen.query(widget)), what)
    return dashboard, app.screen


def _press(app: Any, key: str) -> None:
    """Send one key the way a terminal's driver does (``Pilot.press`` also waits for the whole
    process to go idle, which with a retrain running takes far longer than the key itself)."""
    from textual import events

    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


async def _settle(app: Any) -> None:
    """Wait for every worker (retrain, reloads) and the messages they posted."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(50):
        for worker in list(app.workers):
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass
        await asyncio.sleep(0.01)
        if all(w.is_finished for w in app.workers):
            return


async def screen_by_keys(workspace: Workspace, reviewer: str, answer: Answer, *, until_stop: bool,
                         limit: int | None = None, pause_every: int = 10,
                         flip: Callable[[int], bool] = lambda n: False) -> tuple[int, str, bool]:
    """Screen as ``reviewer`` with i/e until the rule says stop (and record it) or ``limit`` keys.

    Returns (keys pressed, the verdict shown last, whether a stop was recorded). ``flip(n)``
    makes the n-th answer the wrong one (a second reviewer who disagrees now and then).
    """
    from review.tui.app import make_app
    from review.tui.screens.modals import ConfirmScreen

    app = make_app(workspace, reviewer, "screening")
    keys, stopped = 0, False
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        # Retrains at the pauses only (below), never in a burst of keys, however slow the machine.
        screen.retrain_delay = 24 * 3600.0
        await _until(lambda: screen.verdict != "", "the first record")
        # The screen asks for the first ranking (the keyword prior) with the first record.
        await _until(lambda: _ranked(screen) is not None, "the first ranking")
        while True:
            if until_stop and screen.verdict == "stop":  # may come with the very last record
                _press(app, "s")
                await _until(lambda: isinstance(app.screen, ConfirmScreen), "the stop question")
                _press(app, "y")
                await _until(lambda: app.screen is screen, "the stop to be recorded")
                stopped = True
                break
            if screen.current is None or (limit is not None and keys >= limit):
                break
            record = screen.current
            relevant = answer(record) != flip(keys)
            _press(app, "i" if relevant else "e")
            await _until(lambda record=record: screen.current is None or screen.current.id != record.id, "the next record")
            keys += 1
            if pause_every and keys % pause_every == 0:  # the reviewer reads; the model retrains
                screened = screen.project.session.progress().screened
                screen.request_retrain()
                await _until(lambda screened=screened: _ranked(screen) == screened, "the retrain")
        verdict = screen.verdict
        await _settle(app)
        await pilot.press("q")
    return keys, verdict, stopped


def _ranked(screen: Any) -> int | None:
    """Labels the screen's ranking was trained on once no retrain is running or asked for, else None;
    raises when a retrain failed (a wait for it would last until the timeout)."""
    if screen.retrain_error:
        raise RuntimeError(f"retraining failed: {screen.retrain_error}")
    return None if screen.retraining else screen.ranked_labels


def demo_publications(workspace: Workspace) -> SamePublication:
    """Same publication? From the demo's ground truth (``imports/demo_truth.csv``)."""
    from review.demo.truth import publication_of_each_record

    publication = publication_of_each_record(workspace)
    return lambda a, b: publication[a] == publication[b]


async def review_pairs_by_keys(workspace: Workspace, reviewer: str, same: SamePublication) -> tuple[int, int]:
    """Open the dedup review (``3``) and answer every borderline pair; returns (pairs, merged)."""
    from review.tui.app import make_app

    app = make_app(workspace, reviewer, "dashboard")
    pairs = merged = 0
    async with app.run_test(size=(120, 36)) as pilot:
        _, screen = await _open_from_dashboard(app, "3", "the dedup review", "#dedup-status")
        status = screen.query_one("#dedup-status")
        await _until(lambda: not str(status.render()).startswith("Loading"), "the borderline pairs")
        while screen.index < len(screen.pairs):
            pair = screen.pairs[screen.index]
            answer = same(pair.left.id, pair.right.id)
            _press(app, "s" if answer else "d")
            # A verdict reloads the open pairs (one question per pair of clusters): wait for that.
            await _until(lambda pair=pair: not screen.reloading and (
                screen.index >= len(screen.pairs) or screen.pairs[screen.index] is not pair), "the next pair")
            pairs += 1
            merged += answer
        await _settle(app)
        await pilot.press("q")
    return pairs, merged


async def resolve_conflicts_by_keys(workspace: Workspace, reviewer: str, answer: Answer) -> tuple[int, int]:
    """Open the conflicts screen, unblind, resolve every open conflict; returns (conflicts, resolved)."""
    from textual.widgets import DataTable

    from review.tui.app import make_app

    app = make_app(workspace, reviewer, "dashboard")
    resolved = 0
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard, screen = await _open_from_dashboard(app, "4", "the conflicts screen", "#conflict-table")
        await _until(lambda: getattr(screen, "data", None) is not None, "the conflicts")
        _press(app, "b")  # every reviewer has finished: lift blinding
        table = screen.query_one("#conflict-table", DataTable)
        await _until(lambda: table.row_count == len(screen.data.conflicts), "the conflict table")
        total = len(screen.data.conflicts)
        while True:
            data = screen.data
            open_rows = [i for i, c in enumerate(data.conflicts) if c.resolution is None]
            if not open_rows:
                break
            target = open_rows[0]
            while table.cursor_row != target:
                if app.focused is not table:
                    raise AssertionError(f"the conflict table has no focus ({app.focused!r})")
                row = table.cursor_row
                _press(app, "down" if row < target else "up")
                await _until(lambda row=row: table.cursor_row != row, "the cursor to move")
            record_id = data.conflicts[target].record_id
            _press(app, "i" if answer(workspace.store.record(record_id)) else "e")
            await _until(lambda record_id=record_id: table.row_count == len(screen.data.conflicts) and any(
                c.record_id == record_id and c.resolution is not None for c in screen.data.conflicts),
                "the conflict to show as resolved")
            resolved += 1
        await _settle(app)
        _press(app, "1")
        await _until(lambda: app.screen is dashboard, "the dashboard")
        await pilot.press("q")
    return total, resolved


async def dashboard_counts(workspace: Workspace, reviewer: str) -> dict[str, int]:
    """Open the app on the dashboard (key 1 in any screen) and read the counts it shows."""
    from rich.console import Console

    from review.tui.app import make_app
    from review.tui.screens.dashboard_stages import stage_table

    app = make_app(workspace, reviewer, "dashboard")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        await _until(lambda: screen.data is not None, "the dashboard counts")
        data = screen.data
        console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(stage_table(data))
        shown = console.export_text()
        await pilot.press("q")
    counts = {"screened": data.progress.screened, "total": data.progress.total,
              "included": data.progress.included, "excluded": data.progress.excluded,
              "remaining": data.progress.remaining}
    if data.prisma_screened is not None:
        counts["prisma_screened"] = data.prisma_screened
    for label, value in (("Screened (you)", f"{counts['screened']:,} / {counts['total']:,}"),
                         ("Remaining", f"{counts['remaining']:,}")):
        if not re.search(rf"{re.escape(label)}\s+{re.escape(value)}", shown):
            raise AssertionError(f"dashboard does not show {label} {value}:\n{shown}")
    return counts


def store_counts(workspace: Workspace, reviewer: str) -> dict[str, int]:
    """The same counts straight from the store, for the checks."""
    from review.screening.session import ScreeningSession

    decisions = workspace.store.current_decisions(reviewer=reviewer)
    labels = [d.label for d in decisions.values()]
    total = ScreeningSession(workspace, reviewer, quick_start=True).progress().total
    return {"screened": len(labels), "total": total, "included": labels.count("include"),
            "excluded": labels.count("exclude"), "remaining": total - len(labels)}


def check(run: Walkthrough, workspace: Workspace, answer: Answer) -> None:
    """Compare what the screens showed with the store; failures go to ``run.failures``."""
    from review.services.screening import agreement_report
    from review.store.fulltext import current_screening_stop

    store = workspace.store
    stop = current_screening_stop(store)
    if not run.stop_recorded or stop is None or stop.reviewer != run.reviewer:
        run.failures.append(f"no screening stop recorded by {run.reviewer}")
    elif stop.verdict.get("verdict") != "stop":
        run.failures.append(f"the stop was recorded with verdict {stop.verdict.get('verdict')!r}")
    if run.verdict != "stop":
        run.failures.append(f"the screen showed {run.verdict!r} at the end, not 'stop'")
    found = agreement_report(workspace).conflicts  # the conflicts screen's list (records to screen only)
    open_conflicts = [c.record_id for c in found if c.resolution is None]
    if open_conflicts:
        run.failures.append(f"{len(open_conflicts)} conflicts unresolved: {open_conflicts[:5]}")
    wrong = [c.record_id for c in found if c.resolution is not None
             and (c.resolution == "include") != answer(store.record(c.record_id))]
    if wrong:
        run.failures.append(f"conflicts resolved against the known label: {wrong[:5]}")
    if run.conflicts == 0:
        run.failures.append("the second reviewer made no conflict to resolve")
    from review.dedup.decisions import borderline_pairs

    if borderline_pairs(store):
        run.failures.append(f"{len(borderline_pairs(store))} borderline pairs left after the dedup review")
    run.store = store_counts(workspace, run.reviewer)
    shown = {k: v for k, v in run.dashboard.items() if k in run.store}
    if shown != run.store:
        run.failures.append(f"dashboard {shown} != store {run.store}")
    if run.store["screened"] != run.screened:
        run.failures.append(f"{run.screened} keys pressed but {run.store['screened']} decisions stored")


async def walk(workspace: Workspace, answer: Answer, *, second: int = 60, flip_every: int = 5,
               pause_every: int = 10, same: SamePublication | None = None) -> Walkthrough:
    """The whole walkthrough on ``workspace`` with its first two configured reviewers
    (the dedup review first when ``same`` can answer it)."""
    reviewer, other = workspace.config.reviewers[:2]
    run = Walkthrough(reviewer=reviewer, second=other)
    if same is not None:
        started = time.perf_counter()
        run.pairs, run.merged = await review_pairs_by_keys(workspace, reviewer, same)
        run.seconds["dedup_review"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    run.keys, run.verdict, run.stop_recorded = await screen_by_keys(
        workspace, reviewer, answer, until_stop=True, pause_every=pause_every)
    run.screened = run.keys
    run.seconds["screen_to_stop"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    run.second_screened, _, _ = await screen_by_keys(
        workspace, other, answer, until_stop=False, limit=second, pause_every=pause_every,
        flip=lambda n: flip_every > 0 and n % flip_every == flip_every - 1)
    run.seconds["second_reviewer"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    run.conflicts, run.resolved = await resolve_conflicts_by_keys(workspace, reviewer, answer)
    run.seconds["conflicts"] = round(time.perf_counter() - started, 1)
    run.dashboard = await dashboard_counts(workspace, reviewer)
    check(run, workspace, answer)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="build the demo here (default: a temp dir)")
    parser.add_argument("--second", type=int, default=60, help="records the second reviewer screens")
    parser.add_argument("--flip-every", type=int, default=5, help="the second reviewer disagrees this often")
    parser.add_argument("--pause-every", type=int, default=10, help="let the model retrain every N keys")
    args = parser.parse_args(argv)
    from review.demo.build import build_demo

    folder = args.workspace or Path(tempfile.mkdtemp(prefix="review-e2e-")) / "demo"
    started = time.perf_counter()
    workspace = build_demo(folder).workspace
    built = time.perf_counter() - started
    run = asyncio.run(walk(workspace, demo_truth(workspace), second=args.second,
                           flip_every=args.flip_every, pause_every=args.pause_every,
                           same=demo_publications(workspace)))
    run.seconds["build_demo"] = round(built, 1)
    print(f"{run.reviewer}: {run.pairs} borderline pairs answered by key ({run.merged} merged)")
    print(f"{run.reviewer}: {run.screened} records screened by key until the rule said "
          f"{run.verdict.upper()} (stop recorded: {run.stop_recorded}); {run.second}: {run.second_screened} "
          f"screened blind; {run.conflicts} conflicts, {run.resolved} resolved by key")
    print(f"dashboard {run.dashboard}; store {run.store}; seconds {run.seconds}")
    for failure in run.failures:
        print(f"FAILED: {failure}")
    print(json.dumps({"script": "demo_e2e", "workspace": str(folder), **asdict(run)}))
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
