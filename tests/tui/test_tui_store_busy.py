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
