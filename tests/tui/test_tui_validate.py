"""Pilot tests of the validate screen (key 8): the plan's analyses, run in a worker, report shown."""

from __future__ import annotations

import json

from textual.widgets import ListView, Static

from review.tui.screens.validate import ValidateScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle

SIZE = (120, 36)


@async_test
async def test_validate_screen_writes_demo_plan_and_runs_an_analysis(tui_ws: Workspace) -> None:
    async with open_app(tui_ws, "alice", size=SIZE) as (app, pilot):
        await pilot.press("8")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ValidateScreen)
        assert "No analysis plan" in str(screen.query_one("#validate-status", Static).render())
        await pilot.press("r")  # nothing to run: said, not silence
        await settle(pilot)
        assert [n.message for n in app._notifications] == [
            "No analysis to run: validate/analyses.toml is missing or lists none (w writes synthetic demo data and "
            "a plan)."]
        await pilot.press("w")  # synthetic demo data and plan
        await settle(pilot)
        listing = screen.query_one("#analysis-list", ListView)
        assert len(listing.children) == len(screen.planned) == 10
        listing.index = [p.kind for p in screen.planned].index("icc")
        listing.focus()
        await pilot.press("enter")
        await settle(pilot)
        report = str(screen.query_one("#validate-report", Static).render())
        assert "SYNTHETIC" in report and "ICC3k" in report
        result = json.loads(tui_ws.path("validate", "results", "pilot_icc.json").read_text())
        assert set(result["icc"]) == {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}


@async_test
async def test_validate_screen_shows_bad_input_as_one_line(tui_ws: Workspace) -> None:
    folder = tui_ws.path("validate")
    folder.mkdir()
    (folder / "ratings.csv").write_text("item,expert,rating\nq1,e1,4\nq1,e2,7\n", encoding="utf-8")
    (folder / "analyses.toml").write_text('[[analysis]]\nname = "cvi"\nkind = "cvi"\nfile = "ratings.csv"\n',
                                          encoding="utf-8")
    async with open_app(tui_ws, "alice", "validate", size=SIZE) as (app, pilot):
        await pilot.press("r")
        await settle(pilot)
        report = str(app.screen.query_one("#validate-report", Static).render())
        assert report.endswith("line 3: column 'rating': rating '7' out of range 1-4")
        assert any("out of range" in n.message for n in app._notifications)


@async_test
async def test_validate_screen_at_80_columns_neither_cuts_names_nor_wraps_tables(tui_ws: Workspace) -> None:
    """At 80x24 the list cut 'profile predicts recurrence  [predictiv' and the report wrapped its tables."""
    from textual.widgets import Label

    from review.services.validate import write_demo

    write_demo(tui_ws.path("validate"))
    async with open_app(tui_ws, "alice", "validate", size=(80, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ValidateScreen)
        listing = screen.query_one("#analysis-list", ListView)
        labels = list(listing.query(Label))
        assert len(labels) == 10
        for label in labels:  # every name whole, inside the list
            text = str(label.render())
            assert label.size.width >= len(text) and label.region.right <= listing.region.right, text
        assert screen.query_one("#analysis-pane").region.bottom <= screen.query_one("#report-pane").region.y
        for kind in ("factors", "kappa"):
            listing.index = [p.kind for p in screen.planned].index(kind)
            listing.focus()
            await pilot.press("enter")
            await settle(pilot)
            report = screen.query_one("#validate-report", Static)
            lines = str(report.render()).splitlines()
            assert report.size.height == len(lines)  # one screen row per report line: nothing wrapped
            assert report.size.width == max(len(line) for line in lines)  # and nothing cut: it scrolls sideways
        factor_rows = [line for line in lines if line.startswith("conflict_with_supervisor")]
        assert factor_rows and len(factor_rows[0]) > 78  # kappa's rows are wider than the screen ...
        scroll = screen.query_one("#report-scroll")
        assert scroll.virtual_size.width > scroll.size.width  # ... and reachable by scrolling


@async_test
async def test_enter_on_an_analysis_in_a_read_only_window_is_refused_as_r_is(tui_ws: Workspace) -> None:
    # r is refused in a read-only window (tui/read_only.py), but enter (or a click) on the list ran the analysis
    # through ListView.Selected, past ReviewApp.run_action, and wrote its files to validate/results/.
    from review.services.validate import write_demo
    from review.tui.read_only import refusal_words

    write_demo(tui_ws.path("validate"))
    async with open_app(tui_ws, "alice", "validate", size=SIZE) as (app, pilot):
        assert app.project is not None
        why = f"the store file {tui_ws.root / 'review.db'} is read-only to you"
        app.project.read_only = why  # (as open_project sets it when the store refuses the claim)
        screen = app.screen
        listing = screen.query_one("#analysis-list", ListView)
        listing.index = [p.kind for p in screen.planned].index("icc")
        listing.focus()
        for key in ("enter", "r"):
            before = len(app._notifications)
            await pilot.press(key)
            await settle(pilot)
            assert [n.message for n in list(app._notifications)[before:]] == [refusal_words(why)], key
        assert not tui_ws.path("validate", "results").exists()
        assert "running" not in str(screen.query_one("#validate-status", Static).render())


@async_test
async def test_validate_screen_shows_what_the_csv_reader_warned_of_under_the_analysis_name(tui_ws: Workspace) -> None:
    # The CLI prints the reader's warnings ('warning: FILE:line 4: the file ends inside this row …'); the screen
    # showed them under 'Client data', the title of the privacy warnings, or, for a row cut off, nothing before
    # the reader checked for one.
    folder = tui_ws.path("validate")
    folder.mkdir()
    ratings = folder / "ratings.csv"
    ratings.write_text("item,expert,rating,note\nq1,e1,4,fine\nq1,e2,3,ok\nq1,e3,4", encoding="utf-8")
    (folder / "analyses.toml").write_text('[[analysis]]\nname = "content validity"\nkind = "cvi"\n'
                                          'file = "ratings.csv"\n', encoding="utf-8")
    async with open_app(tui_ws, "alice", "validate", size=SIZE) as (app, pilot):
        await pilot.press("r")
        await settle(pilot)
        assert "content validity: done" in str(app.screen.query_one("#validate-status", Static).render())
        said = [(n.title, n.message) for n in app._notifications if "ends inside this row" in n.message]
        assert said == [("content validity", f"{ratings}:line 4: the file ends inside this row (3 of 4 cells, no line "
                                             "break after it): read as it stands; if the file was cut off, get it "
                                             "whole again")], [(n.title, n.message) for n in app._notifications]
