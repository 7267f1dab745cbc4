"""Data integrity in the TUI: search opens exactly the chosen record, one session per reviewer."""

from __future__ import annotations

import pytest

from review.records import Record
from review.store.sessions import claim_session, live_holder
from review.tui.screens.modals import SearchScreen
from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from tui_workspace import async_test, labels, open_app, screen_lines, settle


def _decided_by_alice(ws: Workspace, title_word: str) -> Record:
    """The first record whose title holds ``title_word``, included by alice already (a search finds it)."""
    target = next(r for r in ws.store.records() if title_word in r.title)
    ws.store.add_decision(target.id, "alice", "include")
    return target


@async_test
async def test_search_opens_an_already_decided_record_and_the_next_key_decides_it(fresh_ws: Workspace) -> None:
    target = _decided_by_alice(fresh_ws, "osteoarthritis")
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert screen.current is not None and screen.current.id != target.id
        await pilot.press("slash", *"knee osteo")
        await settle(pilot)
        await pilot.press("down")  # the first Down lands on the first result, not the second
        hits = app.screen.query_one("#hits")
        assert hits.highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ScreeningScreen)
        assert screen.current.id == target.id  # not swapped for the next record on resume
        await pilot.press("m")
        assert labels(fresh_ws)[target.id] == "maybe"
        assert screen.current.id != target.id
        await settle(pilot)


@async_test
async def test_enter_without_a_match_keeps_the_search_open_and_says_so(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        await pilot.press("slash", *"zzzqqq")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        assert any("No record matches" in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        assert labels(fresh_ws) == {}


@async_test
async def test_a_second_window_of_the_same_reviewer_is_refused_with_host_and_pid(fresh_ws: Workspace) -> None:
    other = claim_session(fresh_ws.store, "alice")  # this process is alive: a live session
    async with open_app(fresh_ws, "alice", "screening") as (app, _pilot):
        pass  # refused at start-up: the app has already ended
    assert app.return_code == 6
    assert app.project is None
    assert live_holder(fresh_ws.store, "alice").pid == other.pid
    assert labels(fresh_ws) == {}


@async_test
async def test_the_window_holds_the_reviewer_and_lets_go_on_quit(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        assert live_holder(fresh_ws.store, "alice") is not None
        await pilot.press("i")
        assert len(labels(fresh_ws)) == 1
    assert live_holder(fresh_ws.store, "alice") is None


@async_test
async def test_screening_footer_at_80_by_24_shows_help_and_quit(fresh_ws: Workspace) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    async with open_app(fresh_ws, "alice", "screening", size=(80, 24)) as (app, pilot):
        keys = {k.key: k.region for k in app.screen.query_one(Footer).query(FooterKey)}
        for key in ("i", "e", "m", "question_mark", "q"):
            assert keys[key].right <= 80, (key, keys[key])


@pytest.mark.parametrize("width", (60, 80))
@async_test
async def test_every_screen_keeps_help_and_quit_in_the_footer(fresh_ws: Workspace, width: int) -> None:
    """README: any terminal of 80x24 or more. A footer that spills over hid ? and q first: at 60 columns the
    dashboard's, screening's, conflicts' and full-text's own keys cut them off, and nothing said how to list the
    other keys or how to leave. Now the screen's own keys give way (? lists them all)."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from review.tui.app import SCREENS

    async with open_app(fresh_ws, "alice", size=(width, 24)) as (app, pilot):
        for number, name in enumerate(SCREENS, start=1):
            await pilot.press(str(number))
            await settle(pilot)
            drawn = screen_lines(app)[-1]
            # (a space before "?": a key cut short on the left ran into it, "Deduplicat? Help")
            assert drawn.rstrip().endswith(" ? Help q Quit"), (name, drawn)
            if width < 80:
                continue  # (the keys cut on the left lie under ? and q: what is drawn is checked above)
            keys = {k.key: k.region for k in app.screen.query_one(Footer).query(FooterKey)}
            for key in ("question_mark", "q"):
                assert key in keys and keys[key].right <= width, (name, key, keys.get(key))
                # ... and nothing drawn over them (the right-docked '^p palette' hint covered q).
                covering = [other for other, region in keys.items() if other != key and region.overlaps(keys[key])]
                assert not covering, (name, key, covering)
            if name == "browser":  # the filter boxes' prompts fit on their line ("decisio/n" wrapped)
                from textual.widgets import Select

                assert all(s.query_one("SelectCurrent #label").size.height == 1 for s in app.screen.query(Select))


@async_test
async def test_dashboard_says_how_to_start_screening_and_s_is_not_search(fresh_ws: Workspace) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    async with open_app(fresh_ws, "alice", size=(80, 24)) as (app, pilot):
        keys = {k.key: k.description for k in app.screen.query_one(Footer).query(FooterKey)}
        assert keys["2"] == "Start screening" and "s" not in keys and keys["p"] == "Search PubMed"
        assert "press 2" in str(app.screen.query_one("#curve-caption").render())
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ScreeningScreen)


@async_test
async def test_records_screen_hides_duplicates_moves_on_and_picks_reasons(tui_ws: Workspace) -> None:
    from textual.widgets import DataTable

    from review.tui.screens.browser import BrowserScreen
    from review.tui.screens.dedup import DedupScreen
    from review.tui.screens.modals import ReasonScreen

    async with open_app(tui_ws, "alice", "dedup", size=(120, 40)) as (app, pilot):
        assert isinstance(app.screen, DedupScreen)
        pair = app.screen.pairs[0]
        await pilot.press("s")  # same: one of the two is set aside as a duplicate
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        table = screen.query_one("#records", DataTable)
        listed = {int(table.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(table.row_count)}
        assert len({pair.left.id, pair.right.id} & listed) == 1  # the duplicate is not listed
        # ... nor counted: 11 of the 11 records to screen, as the dashboard says (it said "11 of 12").
        assert str(screen.query_one("#browser-count").render()) == "11 of 11 records to screen"
        table.focus()
        table.move_cursor(row=0)
        first = screen._selected()
        await pilot.press("i")
        assert table.cursor_row == 1  # moved on
        second = screen._selected()
        await pilot.press("r")
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("2")
        await settle(pilot)
        current = tui_ws.store.current_decisions(reviewer="alice")
        assert current[(first, "alice")].label == "include"
        assert current[(second, "alice")].label == "exclude" and current[(second, "alice")].reasons


@async_test
async def test_a_reviewer_outside_the_team_is_told(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alcie", "screening") as (app, pilot):
        assert any("not in review.toml's team" in str(n.message) for n in app._notifications)
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        assert not any("team" in str(n.message) for n in app._notifications)
    # A third reviewer is not told on the dashboard or on opening the conflicts screen (resolutions are
    # saved as consensus, the name only in resolved_by: told on the first one saved), once screening.
    async with open_app(fresh_ws, "carol", "dashboard") as (app, pilot):
        await pilot.press("4")
        await settle(pilot)
        assert not any("team" in str(n.message) for n in app._notifications)
        await pilot.press("2")
        await settle(pilot)
        assert sum("not in review.toml's team" in str(n.message) for n in app._notifications) == 1
        await pilot.press("4", "2")
        await settle(pilot)
        assert sum("not in review.toml's team" in str(n.message) for n in app._notifications) == 1


@async_test
async def test_in_the_sample_phase_a_record_opened_from_search_is_no_random_draw(fresh_ws: Workspace) -> None:
    target = next(r for r in fresh_ws.store.records() if "osteoarthritis" in r.title)
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        screen.project.session.start_sample()
        served = screen.project.session.next_record()
        screen.current = served
        await pilot.press("e")  # the sampler's draw
        await settle(pilot)
        await pilot.press("slash", *"knee osteo")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.current.id == target.id
        await pilot.press("m")
        await settle(pilot)
    stored = {d.record_id: d.model_info for d in fresh_ws.store.decisions() if d.reviewer == "alice"}
    assert stored[served.id]["phase"] == "sample"
    assert stored[target.id]["phase"] == "ranked" and stored[target.id]["chosen"] is True


@async_test
async def test_undoing_a_correction_shows_the_corrected_record_again(fresh_ws: Workspace) -> None:
    # A record decided, opened again with / and re-decided, then u: the earlier label stands again,
    # and the screen showed the queue's head instead of the record whose correction was undone.
    target = _decided_by_alice(fresh_ws, "osteoarthritis")
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        await pilot.press("slash", *"knee osteo")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ScreeningScreen) and screen.current.id == target.id
        await pilot.press("e")  # the correction
        assert labels(fresh_ws)[target.id] == "exclude" and screen.current.id != target.id
        await pilot.press("u")
        assert labels(fresh_ws)[target.id] == "include"
        assert screen.current.id == target.id
        await pilot.press("m")  # the next key corrects it again, and the queue moves on
        assert labels(fresh_ws)[target.id] == "maybe" and screen.current.id != target.id
        await settle(pilot)


@async_test
async def test_a_legacy_name_holding_decisions_opens_with_one_notification(fresh_ws: Workspace) -> None:
    # refused for new reviewers since 2026-12-06 (';' splits conflicts.csv's cells); this one decided before
    from review.services.screening import open_session

    legacy = "smith;jones"
    record = next(r for r in fresh_ws.store.records() if r.id is not None)
    open_session(fresh_ws, legacy, quick_start=True).decide(record.id, "include")
    async with open_app(fresh_ws, legacy, "screening") as (app, pilot):
        await settle(pilot)
        assert sum(f"'{legacy}' holds ';'" in str(n.message) for n in app._notifications) == 1
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        assert not any("holds ';'" in str(n.message) for n in app._notifications)
