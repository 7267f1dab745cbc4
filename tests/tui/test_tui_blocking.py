"""What "the UI never blocks" moved to workers (docs/benchmarks/tui-blocking-2026-12-06.md): the screening
screen's reading of the reviewer's decisions at a resume and for the search's marks, and the conflicts screen's
export. Each ran on the UI thread (237–465 ms at 5,000 decisions; the export ~50 ms on the demo, and an unwritable
folder ended the app)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from review.tui.screens import conflicts, screening
from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle


def _threads_of(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[bool]:
    """``module.name`` records, per call, whether it ran on the main (UI) thread."""
    real = getattr(module, name)
    on_ui: list[bool] = []

    def recorded(*args: Any, **kwargs: Any) -> Any:
        on_ui.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return on_ui


@async_test
async def test_a_record_decided_in_a_shell_gives_way_at_the_resume_with_the_decisions_read_in_a_worker(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    on_ui = _threads_of(monkeypatch, screening, "decided_among")
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        screen.retrain_delay = 60.0
        shown = screen.current.id
        await pilot.press("1")
        await settle(pilot)
        fresh_ws.store.add_decision(shown, "alice", "exclude")  # a script through the Python API
        await pilot.press("2")
        await settle(pilot)
        assert screen.current is not None and screen.current.id != shown
        assert on_ui and not any(on_ui), on_ui
        read = len(on_ui)
        await pilot.press("question_mark")  # the record moved on to is looked at once (it reads only those shown)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(on_ui) == read + 1 and not any(on_ui), on_ui
        await pilot.press("question_mark")  # nothing moved under help: the reading stands, none again
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(on_ui) == read + 1


@async_test
async def test_the_search_marks_decided_records_from_its_worker(fresh_ws: Workspace,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    on_ui = _threads_of(monkeypatch, screening, "current_decisions")
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        screen.retrain_delay = 60.0
        decided = screen.current
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*decided.title.split()[0])
        await settle(pilot)
        hits = app.screen.query_one("#hits")
        labels = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert any(label.startswith(f"#{decided.id} [include]") for label in labels), labels
        assert on_ui and not any(on_ui), on_ui


@async_test
async def test_the_conflicts_export_writes_in_a_worker_and_a_failure_is_one_line(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    on_ui = _threads_of(monkeypatch, conflicts, "export_agreement")
    async with open_app(tui_ws, "carol", "conflicts") as (app, pilot):
        await pilot.press("b", "x")
        await settle(pilot)
        assert on_ui == [False]
        assert tui_ws.path("screening", "conflicts.csv").is_file()
        assert any(str(n.message).startswith("wrote screening/") for n in app._notifications)

        def unwritable(*_args: Any, **_kwargs: Any) -> None:
            raise PermissionError(13, "Permission denied", str(tui_ws.path("screening", "agreement.json")))

        monkeypatch.setattr(conflicts, "export_agreement", unwritable)
        await pilot.press("x")
        await settle(pilot)
        said = [n.message for n in app._notifications if "Permission denied" in str(n.message)]
        assert len(said) == 1 and app.is_running and app._exception is None, said



@async_test
async def test_a_second_export_key_while_the_files_are_written_writes_nothing_more(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = conflicts.export_agreement
    calls: list[int] = []

    def held(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        release.wait(10)  # (a large review's agreement worked out again)
        return real(*args, **kwargs)

    monkeypatch.setattr(conflicts, "export_agreement", held)
    try:
        async with open_app(tui_ws, "carol", "conflicts") as (app, pilot):
            await pilot.press("b", "x")
            await pilot.pause()
            await pilot.press("x")
            await pilot.pause()
            release.set()
            await settle(pilot)
            said = [str(n.message) for n in app._notifications]
    finally:
        release.set()
    assert calls == [1], said
    assert said.count("Writing the agreement files…") == 1, said
    assert said.count("The agreement files are still being written") == 1, said
    assert sum(line.startswith("wrote screening/") for line in said) == 1, said


@async_test
async def test_the_screening_stop_is_recorded_in_a_worker_and_a_busy_store_is_one_line(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from review.errors import ReviewError
    from review.services.prisma import current_screening_stop

    on_ui = _threads_of(monkeypatch, screening, "record_screening_stop")
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        real = screening.record_screening_stop

        def busy(*_args: Any, **_kwargs: Any) -> None:
            raise ReviewError("the store is busy: another process is writing (a stand-in)")

        monkeypatch.setattr(screening, "record_screening_stop", busy)
        await pilot.press("s", "y")
        await settle(pilot)
        assert app.is_running and app._exception is None and current_screening_stop(fresh_ws) is None
        assert len([n for n in app._notifications if "store is busy" in str(n.message)]) == 1
        monkeypatch.setattr(screening, "record_screening_stop", real)
        await pilot.press("s", "y")
        await settle(pilot)
        assert on_ui == [False] and current_screening_stop(fresh_ws) is not None
        assert any("Screening stop recorded" in str(n.message) for n in app._notifications)


@async_test
async def test_the_browser_reads_its_sources_in_a_worker_and_sizes_the_decisions_from_their_strings(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The source filter's count of every record (64 ms at 20,000) ran on the UI thread; the decisions column's
    width was worked out by building a Text for each of 500 rows before the first frame."""
    from textual.widgets import Select

    from review.services.prisma import remove_records
    from review.tui.screens import browser

    tui_ws.store.add_decision(3, "Zoë 名前", "maybe")  # wide characters take two cells each
    remove_records(tui_ws, ["5"], reason="a retracted paper", reviewer="alice")  # its row says why it is not offered
    on_ui = _threads_of(monkeypatch, browser, "counts_by_source")
    async with open_app(tui_ws, "alice", "browser", blind=False) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, browser.BrowserScreen)
        assert on_ui == [False]
        sources = [str(prompt) for prompt, _ in screen.query_one("#filter-source", Select)._options[1:]]
        assert sources == ["Embase", "PubMed"], sources
        listed = [r.id for r in screen._shown.rows]
        assert any(screen.labels.get(i) for i in listed) and screen.not_offered
        for record_id in listed:
            assert screen._decision_width(record_id) == screen._decision_text(record_id).cell_len, record_id


def _failing_then_real(monkeypatch: pytest.MonkeyPatch, store: Any, error: BaseException) -> tuple[list[bool], list[int]]:
    """``store.record`` raises ``error`` on its first call, then reads; per call, whether it ran on the UI thread,
    and the calls still to fail (empty it to read at once)."""
    real = store.record
    on_ui: list[bool] = []
    failing = [1]

    def record(record_id: int) -> Any:
        on_ui.append(threading.current_thread() is threading.main_thread())
        if failing:
            failing.pop()
            raise error
        return real(record_id)

    monkeypatch.setattr(store, "record", record)
    return on_ui, failing


def _said(app: Any, words: str) -> list[str]:
    return [str(n.message) for n in app._notifications if words in str(n.message)]


@async_test
async def test_the_conflicts_enter_reads_the_record_in_a_worker_and_a_store_error_is_one_line(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enter read the record on the UI thread, unguarded: a busy store ended the app."""
    from review.store.errors import StoreBusy
    from review.tui.screens.modals import RecordScreen

    async with open_app(tui_ws, "carol", "conflicts", blind=False) as (app, pilot):
        screen = app.screen
        selected = screen._selected()
        assert selected is not None
        on_ui, _ = _failing_then_real(monkeypatch, tui_ws.store, StoreBusy("the store is busy (a stand-in)"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and app._exception is None and app.screen is screen
        said = _said(app, "the store is busy")
        assert len(said) == 1 and f"#{selected}" in said[0], said  # names the record it could not open
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.record.id == selected
        assert on_ui == [False, False]
        await pilot.press("i")  # the record view's decision resolves the conflict it was opened for
        await settle(pilot)
        resolved = tui_ws.store.decisions(reviewer="consensus")
        assert [(d.record_id, d.label) for d in resolved] == [(selected, "include")]


@async_test
async def test_the_browser_enter_reads_the_record_in_a_worker_and_a_driver_error_is_one_line(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enter read the record and its dedup links on the UI thread, unguarded: a driver's error ended the app."""
    from sqlalchemy.exc import OperationalError

    from review.tui.screens.browser import BrowserScreen
    from review.tui.screens.modals import RecordScreen

    async with open_app(tui_ws, "alice", "browser", blind=False) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        selected = screen._selected()
        assert selected is not None
        on_ui, _ = _failing_then_real(monkeypatch, tui_ws.store,
                                      OperationalError("SELECT", {}, Exception("disk I/O error")))
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and app._exception is None and app.screen is screen
        said = _said(app, "disk I/O error")
        assert len(said) == 1 and f"#{selected}" in said[0], said
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.record.id == selected
        assert on_ui == [False, False]
        await pilot.press("m")
        await settle(pilot)
        assert tui_ws.store.current_decisions(reviewer="alice")[(selected, "alice")].label == "maybe"


@async_test
async def test_validate_writes_its_demo_data_in_a_worker_and_a_failure_is_one_line(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """w wrote the demo data on the UI thread, unguarded: an unwritable folder ended the app."""
    from textual.widgets import Static

    from review.tui.screens import validate

    real = validate.write_demo
    on_ui: list[bool] = []

    def unwritable(folder: Any, *args: Any, **kwargs: Any) -> Any:
        on_ui.append(threading.current_thread() is threading.main_thread())
        raise PermissionError(13, "Permission denied", str(folder))

    def recorded(folder: Any, *args: Any, **kwargs: Any) -> Any:
        on_ui.append(threading.current_thread() is threading.main_thread())
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(validate, "write_demo", unwritable)
    async with open_app(tui_ws, "alice", "validate") as (app, pilot):
        screen = app.screen
        await pilot.press("w")
        await settle(pilot)
        assert app.is_running and app._exception is None
        said = _said(app, "Permission denied")
        assert len(said) == 1 and "demo data" in said[0], said
        assert "No analysis plan" in str(screen.query_one("#validate-status", Static).render())
        monkeypatch.setattr(validate, "write_demo", recorded)
        await pilot.press("w")
        await settle(pilot)
        assert on_ui == [False, False] and len(screen.planned) == 10


@async_test
async def test_an_unexpected_error_in_validate_s_workers_ends_their_status_line(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure the worker does not expect (a bug: not a ReviewError or OSError) left "writing the SYNTHETIC demo
    data and plan ..." (or "running NAME ...") on the screen for good, and said nothing."""
    from textual.widgets import Static

    from review.tui.screens import validate

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug in the demo's writer")

    real = validate.write_demo
    monkeypatch.setattr(validate, "write_demo", broken)
    async with open_app(tui_ws, "alice", "validate") as (app, pilot):
        screen = app.screen
        status = screen.query_one("#validate-status", Static)
        await pilot.press("w")
        await settle(pilot)
        assert app.is_running and app._exception is None
        assert "writing" not in str(status.render()) and "No analysis plan" in str(status.render())
        assert _said(app, "a bug") == ["demo data not written: a bug in the demo's writer"], _said(app, "a bug")
        monkeypatch.setattr(validate, "write_demo", real)
        await pilot.press("w")
        await settle(pilot)
        assert len(screen.planned) == 10

        def broken_run(item: Any, **kwargs: Any) -> Any:
            raise KeyError("effect")

        monkeypatch.setattr(validate, "run_planned", broken_run)
        await pilot.press("enter")
        await settle(pilot)
        first = screen.planned[0].name
        assert str(status.render()) == f"{first}: stopped on an unexpected error (KeyError: 'effect')"
        assert len(_said(app, "'effect'")) == 1 and app.is_running


@async_test
async def test_an_analysis_s_unexpected_error_is_said_under_its_own_name_while_another_runs(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failed analysis's name came from the one run last: A failing after B was started said "B: stopped on
    an unexpected error" while B ran, or nothing at all once B's start had cancelled A's worker."""
    import asyncio

    from textual.widgets import ListView, Static

    from review.tui.screens import validate

    real_run = validate.run_planned
    a_entered, b_started, release_b = threading.Event(), threading.Event(), threading.Event()
    async with open_app(tui_ws, "alice", "validate") as (app, pilot):
        screen = app.screen
        status = screen.query_one("#validate-status", Static)
        await pilot.press("w")
        await settle(pilot)
        first, second = screen.planned[0].name, screen.planned[1].name

        def run(item: Any, **kwargs: Any) -> Any:
            if item.name == first:  # fails once the second analysis is under way
                a_entered.set()
                b_started.wait(10)
                raise KeyError("effect")
            b_started.set()
            release_b.wait(10)
            return real_run(item, **kwargs)

        monkeypatch.setattr(validate, "run_planned", run)
        listing = screen.query_one("#analysis-list", ListView)
        await pilot.press("r")
        assert await asyncio.to_thread(a_entered.wait, 10)
        listing.index = 1
        await pilot.press("r")
        for _ in range(200):  # until the first analysis's failure is said; the second is still running
            await pilot.pause(0.05)
            if _said(app, "'effect'"):
                break
        # said under its own name; the status line still says what runs (the report is the run asked for last's)
        assert _said(app, "'effect'") == [f"{first}: stopped on an unexpected error: KeyError: 'effect'"]
        assert str(status.render()) == f"running {second} ..." and not release_b.is_set()
        release_b.set()
        await settle(pilot)
        assert str(status.render()) == f"{second}: done" and app.is_running


@async_test
@pytest.mark.parametrize("later", ["another analysis", "the same analysis"])
async def test_an_analysis_superseded_by_a_later_one_writes_nothing_and_leaves_the_later_one_s_report(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch, later: str) -> None:
    """A is started, then B; B ends first, A last. A's report replaced B's once (the run number fixed that), and
    A's files were still written to results/: a report nobody saw, or (the same analysis) the older run's result
    replacing the newer one's. A newer run cancels A's worker, and the service asks before it writes."""
    import asyncio
    import os

    from textual.widgets import ListView, Static

    from review.services.validate import planned_outputs
    from review.tui.screens import validate
    from review.validate import run as engine

    real_analysis, real_run = engine.run_analysis, validate.run_planned
    a_entered, release_a, a_returned = threading.Event(), threading.Event(), threading.Event()
    a_outcome: list[str] = []
    async with open_app(tui_ws, "alice", "validate") as (app, pilot):
        screen = app.screen
        status, report = screen.query_one("#validate-status", Static), screen.query_one("#validate-report", Static)
        await pilot.press("w")
        await settle(pilot)
        a_item = screen.planned[0]
        b_index = 1 if later == "another analysis" else 0
        b_item = screen.planned[b_index]
        analyses = 0

        def analysis(*args: Any, **kwargs: Any) -> Any:
            nonlocal analyses
            analyses += 1
            result = real_analysis(*args, **kwargs)
            if analyses == 1:  # A: its result computed, held until B's report is on the screen
                a_entered.set()
                release_a.wait(10)
            return result

        runs = 0

        def run(item: Any, **kwargs: Any) -> Any:
            nonlocal runs
            runs += 1
            if runs > 1:  # B
                return real_run(item, **kwargs)
            try:
                done = real_run(item, **kwargs)
                a_outcome.append("returned")
                return done
            except Exception as err:
                a_outcome.append(type(err).__name__)
                raise
            finally:
                a_returned.set()

        monkeypatch.setattr(engine, "run_analysis", analysis)
        monkeypatch.setattr(validate, "run_planned", run)
        await pilot.press("r")
        assert await asyncio.to_thread(a_entered.wait, 10)
        screen.query_one("#analysis-list", ListView).index = b_index
        await pilot.press("r")
        for _ in range(200):
            await pilot.pause(0.05)
            if str(status.render()) == f"{b_item.name}: done":
                break
        b_report = str(report.render())
        assert str(status.render()) == f"{b_item.name}: done" and b_report
        b_files = {path: (os.stat(path).st_ino, os.stat(path).st_mtime_ns, path.read_bytes())
                   for path in planned_outputs(b_item)}
        release_a.set()
        # A's worker was cancelled by B's start, so settle() does not wait for its thread: wait for A's return.
        assert await asyncio.to_thread(a_returned.wait, 30)
        for _ in range(4):
            await pilot.pause(0.05)
        await settle(pilot)
        assert a_outcome == ["AnalysisCancelled"]
        assert {path: (os.stat(path).st_ino, os.stat(path).st_mtime_ns, path.read_bytes())
                for path in planned_outputs(b_item)} == b_files  # the later run's files, untouched
        if later == "another analysis":
            assert not any(path.exists() for path in planned_outputs(a_item))  # A wrote nothing
        assert str(status.render()) == f"{b_item.name}: done" and str(report.render()) == b_report
        assert app.is_running and not [n for n in app._notifications if n.severity == "error"]


@async_test
async def test_the_browser_reads_its_reviewer_choices_in_a_worker(tui_ws: Workspace,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The reviewer filter's choices read every decision (``known_reviewers``: 80 ms of UI thread at 7,000
    decisions) in ``on_mount``: the longest stretch of the browser's first visit."""
    from textual.widgets import Select

    from review.services import screening as screening_service
    from review.tui.screens.browser import BrowserScreen

    tui_ws.store.add_decision(3, "carol", "maybe")  # a reviewer review.toml does not list
    on_ui = _threads_of(monkeypatch, screening_service, "known_reviewers")
    async with open_app(tui_ws, "alice", "browser", blind=False) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert on_ui == [False]
        reviewers = [str(prompt) for prompt, _ in screen.query_one("#filter-reviewer", Select)._options[1:]]
        assert reviewers == ["alice", "bob", "carol"], reviewers
    async with open_app(tui_ws, "alice", "browser", blind=True) as (app, pilot):  # blind: alice alone, no read
        reviewers = [str(prompt) for prompt, _ in app.screen.query_one("#filter-reviewer", Select)._options[1:]]
        assert reviewers == ["alice"] and on_ui == [False], (reviewers, on_ui)


@async_test
async def test_the_browsers_first_visit_loads_its_rows_once_after_the_first_frame(
        tui_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ScreenResumes of a first visit (a mode switch sends two, with the mount) started a load beside the
    first frame, and the one started after it cancelled them once they had read every decision (review of tui17
    #1): now one load, from the reading that starts after the first frame; a later visit loads once more."""
    import traceback

    from review.tui.screens.browser import BrowserScreen

    real = BrowserScreen.load
    callers: list[tuple[str, bool]] = []

    def recorded(self: BrowserScreen, *args: Any, **kwargs: Any) -> Any:
        names = [frame.name for frame in traceback.extract_stack()]
        caller = "_start_reading" if "_start_reading" in names else "on_screen_resume" \
            if "on_screen_resume" in names else "other"
        callers.append((caller, bool(kwargs.get("follow_removals"))))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BrowserScreen, "load", recorded)
    async with open_app(tui_ws, "alice", "dashboard") as (app, pilot):
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert callers == [("_start_reading", True)], callers
        assert screen.query_one("#records").row_count == 12
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert callers[1:] == [("on_screen_resume", True)], callers
