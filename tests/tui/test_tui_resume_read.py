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
    real = screening.decided_among

    def held(*args: Any, **kwargs: Any) -> Any:
        read = real(*args, **kwargs)
        if threading.current_thread() is not threading.main_thread():  # (never the UI thread)
            release.wait(10)
        return read

    monkeypatch.setattr(screening, "decided_among", held)
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
    held = screening.decided_among

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(str(args[1]))
        return held(*args, **kwargs)

    monkeypatch.setattr(screening, "decided_among", counted)
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


async def _resumed_after_a_shell_decided(workspace: Workspace) -> tuple[dict[str, Any], list[frozenset[int]]]:
    """Alice's screen with notes waiting for two records not shown; a shell decides the record shown and one of
    the two; help opened and closed. What the screen then holds, and the records each reading asked about."""
    asked: list[frozenset[int]] = []
    read = screening.decided_among

    def recorded(*args: Any) -> Any:
        asked.append(frozenset(args[2]))
        return read(*args)

    screening.decided_among = recorded  # type: ignore[assignment]
    try:
        async with open_app(workspace, "alice", "screening") as (app, pilot):
            screen = app.screen
            assert isinstance(screen, ScreeningScreen) and screen.current is not None
            screen.retrain_delay = 60.0
            await pilot.press("i")  # (a decision of alice's: the next resume reads)
            await settle(pilot)
            assert screen.current is not None and screen.current.id is not None
            shown = screen.current.id
            waiting = [r.id for r in workspace.store.records()
                       if r.id is not None and r.id != shown and screen.project.session.is_to_screen(r.id)][:2]
            screen.notes.update({waiting[0]: "decided in the shell", waiting[1]: "still to screen"})
            asked.clear()
            workspace.store.add_decision(shown, "alice", "exclude")  # a script, as review decide would
            workspace.store.add_decision(waiting[0], "alice", "include")
            await pilot.press("question_mark", "escape")
            await settle(pilot)
            state = {"shown": shown, "waiting": waiting,
                     "current": screen.current.id if screen.current is not None else None,
                     "notes": dict(screen.notes),
                     "said": [str(n.message) for n in app._notifications if "dropped" in str(n.message)],
                     "counts": str(screen.query_one("#counts").render())}
            await settle(pilot)
    finally:
        screening.decided_among = read  # type: ignore[assignment]
    return state, asked


@async_test
async def test_a_resume_reads_only_the_records_it_looks_at_and_moves_as_a_whole_reading_did(tmp_path: Any) -> None:
    """A resume after the reviewer's decisions moved read their whole log (0.6 s at 20,000 decisions) to learn
    whether the record shown, and those notes wait for, were decided elsewhere. It reads those records alone; the
    screen after it is what the whole reading gave (the same workspace built twice, the second read whole)."""
    from review.services.screening import current_decisions
    from tui_workspace import build_workspace

    narrow, asked = await _resumed_after_a_shell_decided(build_workspace(tmp_path / "narrow", with_conflicts=False,
                                                                         with_pairs=False))
    assert asked == [frozenset([narrow["shown"], *narrow["waiting"]])], asked
    assert narrow["current"] != narrow["shown"] and narrow["notes"] == {narrow["waiting"][1]: "still to screen"}
    assert narrow["said"] == [f"Note for #{narrow['waiting'][0]} dropped: decided in the shell"]

    def whole_log(workspace: Workspace, reviewer: str, _asked: Any) -> frozenset[int]:
        return frozenset(record_id for record_id, _ in current_decisions(workspace, reviewer))

    real = screening.decided_among
    screening.decided_among = whole_log  # type: ignore[assignment]
    try:
        whole, _ = await _resumed_after_a_shell_decided(build_workspace(tmp_path / "whole", with_conflicts=False,
                                                                        with_pairs=False))
    finally:
        screening.decided_among = real  # type: ignore[assignment]
    assert narrow == whole
