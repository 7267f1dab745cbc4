"""The TUI opening a store another review is upgrading (its write lock held on a store one version behind):
the loading line says what it waits for, and quitting stops the wait at once. It waited out the whole bound
(up to 600 s, the worker thread is joined at exit) with nothing on the screen."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from review.store import core
from review.tui.widgets.record_view import RecordView
from review.workspace import Workspace
from store_lock import upgrade_lock_held
from tui_workspace import screen_lines


def _said(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(screen_lines(app))


def _squeezed(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


async def until(pilot: Pilot[object], ready: Callable[[], bool], seconds: float = 10.0) -> None:
    """Pause until ``ready()`` (the app's opening worker and timers run meanwhile), at most ``seconds``."""
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if ready():
            return


def test_quit_stops_the_wait_for_an_upgrade_and_the_loading_line_names_it(fresh_ws: Workspace,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from review.tui.app import make_app

    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 8_000)
    seen: dict[str, object] = {}

    async def run() -> None:
        app = make_app(fresh_ws, "alice", "dashboard")
        async with app.run_test(size=(120, 32)) as pilot:
            def line() -> str:
                return " ".join(str(app.screen.query_one("#stages", Static).render()).split())

            # (the notification is a message handled after the line's update: wait for both)
            await until(pilot, lambda: "by itself" in line() and any("by itself" in str(n.message)
                                                                    for n in app._notifications))
            seen["line"] = line()
            seen["notes"] = [n.message for n in app._notifications]
            seen["quit"] = time.perf_counter()
            app.exit()

    with upgrade_lock_held(fresh_ws):
        asyncio.run(run())  # (returns once the loader's thread is joined too)
        quit_took = time.perf_counter() - float(seen["quit"])  # type: ignore[arg-type]
    assert "the review's database is busy in another review window or command" in str(
        seen["line"]) and "q quits" in str(seen["line"]), seen
    assert any("goes on by itself when that is done" in str(note) for note in seen["notes"]), seen  # type: ignore[attr-defined]
    assert quit_took < 2.0, quit_took


def test_the_screening_screen_shows_the_whole_wait_counting_and_q_quits(fresh_ws: Workspace,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Started on screening, the wait went to the one-line counts, cut before its bound and "q quits", and after
    the 30 s notification nothing said how to leave; another screen shown meanwhile said "Loading…" only."""
    from review.tui.app import make_app

    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 20_000)
    seen: dict[str, object] = {}

    async def run() -> None:
        app = make_app(fresh_ws, "alice", "screening")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: "waited" in _said(app))
            seen["first"] = _squeezed(str(app.screen.query_one("#record", RecordView).render()))
            await pilot.pause(2.2)
            seen["later"] = _squeezed(_said(app))
            await pilot.press("5")  # the record browser, still waiting
            await pilot.pause(0.1)
            seen["browser"] = _squeezed(_said(app))
            seen["quit"] = time.perf_counter()
            await pilot.press("q")
            for _ in range(100):
                if not app.is_running:
                    break
                await pilot.pause(0.02)

    with upgrade_lock_held(fresh_ws):
        asyncio.run(run())
        quit_took = time.perf_counter() - float(seen["quit"])  # type: ignore[arg-type]
    wait = ("the review's database is busy in another review window or command, and this version of review must "
            "update it; review goes on by itself when that is done")
    assert wait in str(seen["first"]) and "q quits." in str(seen["first"]), seen
    waited = [int(n) for n in re.findall(r"waited (\d+) s", str(seen["later"]))]
    assert waited and waited[0] >= 2, seen  # it counts on
    assert wait in str(seen["browser"]) and "q quits." in str(seen["browser"]), seen
    assert quit_took < 2.0, quit_took


def test_a_wait_past_its_bound_says_the_store_was_not_opened(fresh_ws: Workspace,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bound the loading line kept saying "waiting … (up to 1 s; q quits)" for good, and the error
    was a notification of 8 s."""
    from review.tui.app import make_app

    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 1_000)
    seen: dict[str, str] = {}

    async def run() -> None:
        app = make_app(fresh_ws, "alice", "dashboard")
        async with app.run_test(size=(120, 32)) as pilot:
            await until(pilot, lambda: "Not opened" in _said(app))
            await pilot.pause(1.2)  # (the wait's seconds no longer tick over it)
            seen["dashboard"] = _squeezed(str(app.screen.query_one("#stages", Static).render()))
            await pilot.press("2")
            await pilot.pause(0.1)
            seen["screening"] = _squeezed(_said(app))
            await pilot.press("i")  # a key on a workspace not opened says why, not "still opening"
            await pilot.pause(0.1)
            seen["key"] = str(list(app._notifications)[-1].message)

    with upgrade_lock_held(fresh_ws):
        asyncio.run(run())
    for screen in ("dashboard", "screening"):
        said = seen[screen]
        assert ("Not opened: gave up after waiting 1 s for another review window or command to finish with this "
                "review's database") in said, seen
        assert "try again when that has finished. q quits." in said and "so far" not in said, seen
    assert seen["key"].startswith("Not opened: gave up after waiting 1 s"), seen["key"]


def test_a_second_wait_of_the_same_opening_counts_on_with_one_timer(fresh_ws: Workspace,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade of several steps can make the opening wait twice (each step takes the write lock): the second
    notice started the seconds again from 0 and a second timer, and the first timer ran for the app's life."""
    from review.tui.app import make_app

    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 20_000)
    seen: dict[str, object] = {}

    async def run() -> None:
        app = make_app(fresh_ws, "alice", "dashboard")
        async with app.run_test(size=(120, 32)) as pilot:
            await until(pilot, lambda: "waited" in _said(app))
            first_timer = app._store_wait_timer
            await pilot.pause(2.2)
            app._say_store_wait("another review window or command is updating the review's database for a newer "
                                "version (step 2 of 2); review goes on by itself when that is done (waited 0 s so far, "
                                "gives up after 20 s; Ctrl-C stops waiting)")
            await pilot.pause(0.1)
            seen["said"] = _squeezed(str(app.screen.query_one("#stages", Static).render()))
            seen["same timer"] = app._store_wait_timer is first_timer
            notes = len(app._notifications)
            # The store says the same wait again a minute on: the line counts on, no new notification.
            app._say_store_wait("another review window or command is updating the review's database for a newer "
                                "version (step 2 of 2); review goes on by itself when that is done (waited 60 s so "
                                "far, gives up after 20 s; Ctrl-C stops waiting)")
            await pilot.pause(0.1)
            seen["new notes"] = len(app._notifications) - notes
            app.exit()

    with upgrade_lock_held(fresh_ws):
        asyncio.run(run())
    said = str(seen["said"])
    assert "step 2 of 2" in said, said
    waited = [int(n) for n in re.findall(r"waited (\d+) s", said)]
    assert waited and waited[0] >= 2 and "so far" in said and said.count("waited") == 1, said
    assert seen["same timer"] and seen["new notes"] == 0, seen
