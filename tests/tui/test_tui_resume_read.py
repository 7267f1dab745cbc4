"""The reviewer's decisions read again on coming back to screening (a worker): a decision or an undo made on
this screen while that read runs must win over what the read saw."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from review.tui.screens import screening
from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from tui_workspace import async_test, labels, open_app, settle


@pytest.fixture
def held_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A worker's read of the decisions takes its snapshot and is then held while the event is clear, as a
    large review's read would be still running."""
    release = threading.Event()
    release.set()
    real = screening.current_decisions

    def held(*args: Any, **kwargs: Any) -> Any:
        read = real(*args, **kwargs)
        if threading.current_thread() is not threading.main_thread():  # (never the UI thread)
            release.wait(10)
        return read

    monkeypatch.setattr(screening, "current_decisions", held)
    yield release
    release.set()  # (a failed test must not leave the worker waiting)


async def _resume_with_the_read_held(pilot: Any) -> None:
    await pilot.press("question_mark")  # help, then back: the data version moved, the read starts
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()


@async_test
async def test_an_undo_while_the_decisions_are_read_keeps_the_record_and_its_note(
        fresh_ws: Workspace, held_read: threading.Event) -> None:
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        screen.retrain_delay = 60.0
        first = screen.current.id
        assert first is not None
        screen.notes[first] = "check the full text"
        await pilot.press("i")
        await pilot.pause()
        held_read.clear()
        await _resume_with_the_read_held(pilot)
        await pilot.press("u")  # the read in flight saw `first` decided; the undo brings it back with its note
        await pilot.pause()
        assert screen.current is not None and screen.current.id == first
        held_read.set()
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert screen.current is not None and screen.current.id == first, said
        assert screen.note == "check the full text", said
        assert not any("dropped" in line for line in said), said
        assert first not in labels(fresh_ws)


@async_test
async def test_a_decision_while_the_decisions_are_read_moves_on_once(
        fresh_ws: Workspace, held_read: threading.Event) -> None:
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        screen.retrain_delay = 60.0
        await pilot.press("i")
        await pilot.pause()
        held_read.clear()
        await _resume_with_the_read_held(pilot)
        second = screen.current.id
        await pilot.press("e")
        await pilot.pause()
        third = screen.current.id
        held_read.set()
        await settle(pilot)
        assert labels(fresh_ws)[second] == "exclude"
        assert screen.current is not None and screen.current.id == third != second


@async_test
async def test_a_reading_that_lands_under_the_note_box_moves_the_record_only_when_it_closes(
        fresh_ws: Workspace, held_read: threading.Event) -> None:
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        screen.retrain_delay = 60.0
        shown = screen.current.id
        await pilot.press("1")
        await settle(pilot)
        fresh_ws.store.add_decision(shown, "alice", "exclude")  # a script through the Python API
        held_read.clear()
        await pilot.press("2")  # the resume's read starts and is held
        await pilot.pause()
        await pilot.press("n")  # the note box: what is typed there is about the record shown
        await pilot.pause()
        assert app.screen is not screen
        held_read.set()
        await settle(pilot)
        assert screen.current is not None and screen.current.id == shown  # it stays under the box
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.current is not None and screen.current.id != shown


@async_test
async def test_a_teammate_deciding_neither_starts_a_reading_nor_throws_one_away(
        fresh_ws: Workspace, held_read: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reading is stamped with this reviewer's own change count: with the store's data version a teammate
    deciding every 50 ms had it read again 28 times in 4 s, never landing (the record shown stayed stale)."""
    reads: list[str] = []
    held = screening.current_decisions

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(str(args[1]))
        return held(*args, **kwargs)

    monkeypatch.setattr(screening, "current_decisions", counted)
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.current is not None
        screen.retrain_delay = 60.0
        await pilot.press("i")
        await pilot.pause()
        assert screen.current is not None
        others = [r.id for r in fresh_ws.store.records() if r.id is not None and r.id != screen.current.id]
        reads.clear()
        held_read.clear()
        await _resume_with_the_read_held(pilot)  # alice decided since the last reading: it is read
        fresh_ws.store.add_decision(others[0], "bob", "include")  # a teammate, while it is read
        held_read.set()
        await settle(pilot)
        assert reads == ["alice"]  # the reading landed, not thrown away for bob's decision
        assert screen._decided_read is not None
        fresh_ws.store.add_decision(others[1], "bob", "exclude")
        await pilot.press("question_mark", "escape")
        await settle(pilot)
        assert reads == ["alice"]  # bob's decision alone: nothing of alice's to read again
        screen.project.session.decide(others[2], "exclude")  # alice, as the record browser would
        await pilot.press("question_mark", "escape")
        await settle(pilot)
        assert reads == ["alice", "alice"]
