"""A decision key while another process holds the SQLite write lock (a large import): the app
says so and stays open, the record stays on screen, and the key works once the lock is gone."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from store_lock import shorten_busy_wait, write_lock_held
from tui_workspace import async_test, labels, open_app, settle


@pytest.fixture
def short_busy_wait(monkeypatch: pytest.MonkeyPatch, fresh_ws: Workspace) -> Workspace:
    shorten_busy_wait(monkeypatch, fresh_ws)
    return fresh_ws


@async_test
async def test_a_busy_store_refuses_the_key_in_one_notification_and_keeps_the_app(short_busy_wait: Workspace) -> None:
    workspace = short_busy_wait
    async with open_app(workspace, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        shown = screen.current.id
        with write_lock_held(workspace):
            await pilot.press("i")
            await pilot.pause()
            assert app.is_running and screen.current is not None and screen.current.id == shown
            messages = [n.message for n in app._notifications]
            assert any("store is busy" in m for m in messages), messages
        assert shown not in labels(workspace)
        await pilot.press("i")
        assert labels(workspace)[shown] == "include"
        await settle(pilot)


@async_test
async def test_the_record_browser_says_so_too(short_busy_wait: Workspace) -> None:
    from textual.widgets import DataTable

    from review.tui.screens.browser import BrowserScreen

    workspace = short_busy_wait
    async with open_app(workspace, "alice", "browser", blind=False) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        screen.query_one(DataTable).focus()
        with write_lock_held(workspace):
            await pilot.press("i")
            await pilot.pause()
            assert app.is_running
            assert any("store is busy" in n.message for n in app._notifications)
        assert labels(workspace) == {}
        await settle(pilot)


@async_test
async def test_closing_the_app_while_the_store_is_busy_is_no_traceback(short_busy_wait: Workspace) -> None:
    # Releasing the reviewer's claim at exit writes a row; a busy (or migrated) store refused it and
    # the refusal escaped on_unmount. The claim lapses by itself when its heartbeat stops.
    workspace = short_busy_wait
    with ExitStack() as lock:
        async with open_app(workspace, "alice", "screening") as (app, pilot):
            assert app.project is not None and app.project.claim is not None
            lock.enter_context(write_lock_held(workspace))  # held through the unmount below
            app.exit()
        assert app.return_code in (None, 0)


@async_test
async def test_full_text_keys_and_their_undo_say_so_too(short_busy_wait: Workspace) -> None:
    """u on the full-text screen wrote without a guard: a busy store closed the app with a traceback."""
    from review.tui.screens.fulltext import FulltextScreen

    workspace = short_busy_wait
    first = min(r.id for r in workspace.store.records())
    workspace.store.add_decision(first, "alice", "include")
    async with open_app(workspace, "alice", "fulltext") as (app, pilot):
        assert isinstance(app.screen, FulltextScreen)
        await pilot.press("o")
        await settle(pilot)
        with write_lock_held(workspace):
            for key in ("t", "u"):
                await pilot.press(key)
                await pilot.pause()
                assert app.is_running
            assert sum("store is busy" in n.message for n in app._notifications) == 2
        await pilot.press("u")  # the lock gone: the sought event is taken back
        await settle(pilot)
        assert any("undid sought" in n.message for n in app._notifications)


def _failing_once(monkeypatch: pytest.MonkeyPatch, session: object) -> list[int]:
    """The session's next_record raises a ReviewError (a busy store, a lost server) on its first call."""
    from review.errors import ReviewError

    served = session.next_record  # type: ignore[attr-defined]
    calls: list[int] = []

    def next_record():  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise ReviewError("the store is busy: another process is writing (a stand-in)")
        return served()

    monkeypatch.setattr(session, "next_record", next_record)
    return calls


async def _first_load_failed(app, pilot, monkeypatch: pytest.MonkeyPatch) -> tuple[ScreeningScreen, list[int]]:  # type: ignore[no-untyped-def]
    """The screening screen opened from the dashboard, its first read failing once (``_failing_once``)."""
    calls = _failing_once(monkeypatch, app.project.session)
    await pilot.press("2")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ScreeningScreen) and screen.current is None and calls == [1]
    return screen, calls


@async_test
async def test_a_first_record_that_could_not_be_read_is_read_again_after_a_pause(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The screening screen's first read failing left "Loading the first record…" on screen for ever."""
    from review.tui.screens.screening import SET_ASIDE_POLL

    async with open_app(fresh_ws, "alice", "dashboard") as (app, pilot):
        screen, calls = await _first_load_failed(app, pilot, monkeypatch)
        assert "could not be loaded" in screen.query_one("#record").plain
        assert any("store is busy" in n.message for n in app._notifications)
        await pilot.pause(SET_ASIDE_POLL + 0.5)  # the screen's look every 2 s reads it again
        await settle(pilot)
        assert screen.current is not None and screen.current.id is not None and len(calls) >= 2
        assert screen.current.title in screen.query_one("#record").plain
        shown = screen.current.id
        await pilot.press("i")  # and decides as ever
        assert labels(fresh_ws) == {shown: "include"}
        await settle(pilot)


@async_test
async def test_a_first_record_that_could_not_be_read_is_read_again_on_coming_back(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    async with open_app(fresh_ws, "alice", "dashboard") as (app, pilot):
        screen, calls = await _first_load_failed(app, pilot, monkeypatch)
        await pilot.press("1", "2")  # before the screen's next look
        await settle(pilot)
        assert screen.current is not None and len(calls) == 2
        assert screen.current.title in screen.query_one("#record").plain


@async_test
async def test_a_first_record_that_cannot_be_read_is_not_read_again_behind_another_screen(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 2 s look read it again (and reported the error) on a screening screen the reviewer had left."""
    from review.errors import ReviewError
    from review.tui.screens import screening

    monkeypatch.setattr(screening, "SET_ASIDE_POLL", 0.1)
    async with open_app(fresh_ws, "alice", "dashboard") as (app, pilot):
        calls: list[int] = []

        def next_record():  # type: ignore[no-untyped-def]
            calls.append(1)
            raise ReviewError("the store is busy: another process is writing (a stand-in)")

        monkeypatch.setattr(app.project.session, "next_record", next_record)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is None and calls
        await pilot.pause(0.35)  # in view: the look reads it again, the failure stays on screen
        await settle(pilot)
        assert len(calls) >= 2 and "could not be loaded" in screen.query_one("#record").plain
        await pilot.press("1")
        await settle(pilot)
        tried, errors = len(calls), len(app._notifications)
        await pilot.pause(0.6)  # six looks of the screening screen, out of view
        await settle(pilot)
        assert len(calls) == tried and len(app._notifications) == errors
        await pilot.press("2")  # the way back tries again
        await settle(pilot)
        assert len(calls) > tried


@async_test
async def test_a_heartbeat_while_the_store_is_busy_is_no_error(short_busy_wait: Workspace) -> None:
    # rrev30c: the dashboard's own import (f) of 30,000 records held the write lock past the busy wait, and the
    # window's heartbeat (one row, every 10 s) failed with 'the store is busy: … this change was not saved — try
    # again', an error for a change nobody made. A beat missed is written at the next one (the claim lapses after
    # 45 s without one).
    workspace = short_busy_wait
    async with open_app(workspace, "alice") as (app, pilot):
        assert app.project is not None and app.project.claim is not None
        with write_lock_held(workspace):
            app._heartbeat()
            await settle(pilot)
        assert app.is_running
        assert [n.message for n in app._notifications if n.severity == "error"] == []
        app._heartbeat()  # the next beat, with the store free, keeps the claim
        await settle(pilot)
        assert [n.message for n in app._notifications if n.severity == "error"] == []
