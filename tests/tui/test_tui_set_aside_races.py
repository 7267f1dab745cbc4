"""Removals and restores made in a shell while a dialog is open, a filter lands or a retrain runs:
every decision goes to the record it was asked for, and no look at the store undoes a newer one."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.widgets import DataTable

from review.screening.session import ScreeningSession
from review.services.prisma import remove_records, restore_records
from review.tui.messages import SetAsideChanged
from review.tui.screens.browser import Filters
from review.workspace import Workspace
from tui_workspace import async_test, build_workspace, open_app, settle

SIZE = (100, 30)


def _messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


@async_test
async def test_a_reason_picked_on_the_screening_screen_goes_to_the_record_it_was_picked_for(fresh_ws: Workspace) -> None:
    """A look at the store (or a retrain) that landed under the reason picker moved the screen on,
    and the picked reason excluded the record served next, never seen."""
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        first = screen.current.id
        await pilot.press("r")
        remove_records(fresh_ws, [first], "alice", "retracted")  # in a shell
        screen.follow_set_aside()  # the 2 s look lands under the picker
        await settle(pilot)
        assert screen.current.id == first  # under the picker the record stays
        await pilot.press("1")  # refused: removed meanwhile, and nothing lands on another record
        await settle(pilot)
        assert fresh_ws.store.decisions(reviewer="alice") == []
        second = screen.current.id
        assert second != first
        remove_records(fresh_ws, [second], "alice", "retracted")
        await pilot.press("r")
        screen.request_retrain()  # a retrain lands under the picker (it reads removals): the record stays too
        await settle(pilot)
        assert screen.current.id == second
        await pilot.press("1")
        await settle(pilot)
        assert fresh_ws.store.decisions(reviewer="alice") == []
        assert screen.current.id not in (first, second)


@async_test
async def test_a_record_restored_after_nothing_was_left_comes_back_to_the_screening_screen(tmp_path: Path) -> None:
    """"Nothing left to screen" stayed: the look at the store and a retrain moved on only from a record."""
    workspace = build_workspace(tmp_path / "ws", with_conflicts=False, with_pairs=False)
    ids = sorted(r.id for r in workspace.store.records())
    remove_records(workspace, ids[1:], "alice", "retracted")
    async with open_app(workspace, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        screen.retrain_delay = 60.0  # no retrain but those asked for here
        await pilot.press("i")
        await settle(pilot)
        assert screen.current is None
        restore_records(workspace, [ids[4]], "alice")  # in a shell
        screen.follow_set_aside()  # the 2 s look
        await settle(pilot)
        assert screen.current is not None and screen.current.id == ids[4]
        await pilot.press("i")
        await settle(pilot)
        assert screen.current is None
        restore_records(workspace, [ids[6]], "alice")
        screen.request_retrain()  # a retrain reads the restore first
        await settle(pilot)
        assert screen.current is not None and screen.current.id == ids[6]


@async_test
async def test_the_look_at_the_store_waits_while_a_retrain_is_about_to_start(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        looks: list[int] = []
        screen.follow_set_aside = lambda: looks.append(1)  # type: ignore[method-assign, assignment, return-value]
        screen.retrain_delay = 60.0
        screen._schedule_retrain()  # a decision's retrain, waiting for the reviewer to pause
        screen._poll_set_aside()
        assert looks == []  # the retrain reads the removals itself
        screen.request_retrain()
        await settle(pilot)
        screen._poll_set_aside()
        assert looks == [1]


def _race_a_slow_look(ws: Workspace, second: str) -> None:
    """A look (``refresh_set_aside``) reads the store, a shell then removes the record on screen, and
    ``second`` (another look, or ``refresh_records``) starts while the slow look still holds its older
    reading: the removal must stand when both are done."""
    session = ScreeningSession(ws, "alice", quick_start=True)
    record = session.next_record()
    assert record is not None and record.id is not None
    read = session._read_set_aside
    first_read, go_on = threading.Event(), threading.Event()

    def slow_read():  # type: ignore[no-untyped-def]
        aside = read()
        if threading.current_thread().name == "slow":
            first_read.set()
            go_on.wait(5)
        return aside

    session._read_set_aside = slow_read  # type: ignore[method-assign]
    slow = threading.Thread(target=session.refresh_set_aside, name="slow")
    slow.start()
    assert first_read.wait(5)
    remove_records(ws, [record.id], "alice", "retracted")  # in a shell, after the slow look read
    other = threading.Thread(target=getattr(session, second), name="other")
    other.start()
    other.join(0.3)  # (it waits for the slow look)
    go_on.set()
    slow.join(5)
    other.join(5)
    assert not session.is_to_screen(record.id)


def test_two_looks_at_the_store_never_put_an_older_reading_back(fresh_ws: Workspace) -> None:
    """The 2 s look and a retrain's read the store outside the session's lock: the slower one, holding
    the reading from before a removal, applied it after the faster one applied the removal."""
    _race_a_slow_look(fresh_ws, "refresh_set_aside")


@async_test
async def test_a_decision_from_the_browsers_dialogs_goes_to_the_record_they_were_opened_for(fresh_ws: Workspace) -> None:
    """A filter that landed under the record view (or the reason picker) moved the highlight, and the
    decision went to whichever row was highlighted when the dialog closed."""
    async with open_app(fresh_ws, "alice", "browser", size=SIZE) as (app, pilot):
        screen = app.screen
        table = screen.query_one(DataTable)
        await settle(pilot)
        opened = int(table.get_row_at(0)[0])
        target = next(r.id for r in fresh_ws.store.records() if "osteoarthritis" in r.title)
        assert target != opened
        await pilot.press("enter")  # the record view of the first row
        await settle(pilot)
        screen.load(Filters(text="osteoarthritis"))  # the debounced filter lands under it
        await settle(pilot)
        assert table.row_count == 1 and screen._selected() == target
        await pilot.press("i")
        await settle(pilot)
        assert {d.record_id: d.label for d in fresh_ws.store.decisions(reviewer="alice")} == {opened: "include"}
        screen.load(Filters())
        await settle(pilot)
        await pilot.press("r")  # the reason picker for the first row
        screen.load(Filters(text="osteoarthritis"))
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        decided = fresh_ws.store.current_decisions(reviewer="alice")
        assert decided[(opened, "alice")].label == "exclude" and (target, "alice") not in decided


@async_test
async def test_the_browser_follows_a_removal_made_while_a_dialog_covered_it(fresh_ws: Workspace) -> None:
    """Since the browser stopped reading at every dialog's close, a removal showed only at a mode switch."""
    async with open_app(fresh_ws, "alice", "browser", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        loads: list[object] = []
        load = screen.load
        screen.load = lambda *args, **kwargs: (loads.append(args), load(*args, **kwargs))  # type: ignore[method-assign]
        await pilot.press("question_mark", "escape")  # nothing changed: no reload
        await settle(pilot)
        assert loads == []
        await pilot.press("question_mark")
        first = int(screen.query_one(DataTable).get_row_at(0)[0])
        remove_records(fresh_ws, [first], "alice", "retracted")  # in a shell, under the dialog
        await pilot.press("escape")
        await settle(pilot)
        assert len(loads) == 1
        assert "1 removed before screening" in str(screen.query_one("#browser-count").render())


async def _note_under_a_look(workspace: Workspace, look: str) -> None:
    """n, a removal in a shell, a look at the store (the 2 s one or a retrain's) under the note box,
    then the note typed and the box closed: the record gives way, and the note with it."""
    async with open_app(workspace, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        screen.retrain_delay = 60.0  # no retrain but the one asked for here
        first = screen.current.id
        await pilot.press("n")
        await settle(pilot)
        remove_records(workspace, [first], "alice", "retracted")  # in a shell
        if look == "retrain":
            screen.request_retrain()
        else:
            screen.follow_set_aside()
        await settle(pilot)
        assert screen.current.id == first  # under the note box the record stays
        await pilot.press("x", "y", "enter")
        await settle(pilot)
        nxt = screen.current.id
        assert nxt != first and screen.note == ""
        messages = _messages(app)
        assert any(f"#{first} is no longer offered" in m for m in messages), messages  # the swap says why
        assert any(f"#{first}" in m and "dropped" in m and "xy" in m for m in messages), messages
        await pilot.press("i")
        await settle(pilot)
        (decision,) = workspace.store.decisions(reviewer="alice")
        assert decision.record_id == nxt and "xy" not in (decision.note or "")


@async_test
async def test_a_note_typed_for_a_record_removed_under_the_note_box_is_dropped_not_given_to_the_next(
        fresh_ws: Workspace) -> None:
    """on_screen_resume swapped in the next record in silence, and the note rode on its decision."""
    await _note_under_a_look(fresh_ws, "look")


@async_test
async def test_a_retrain_landing_under_the_note_box_keeps_the_record_and_the_note_is_dropped_at_close(
        fresh_ws: Workspace) -> None:
    """_ranking_ready moved on under the dialog (docs/tui.md and decision 0021 say the record stays)."""
    await _note_under_a_look(fresh_ws, "retrain")


@async_test
async def test_the_counts_follow_a_removal_a_retrain_read(fresh_ws: Workspace) -> None:
    """The retrain's look changed the records to screen, and the counts line kept the old total."""
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        total = screen.project.session.progress().total
        assert f"/ {total}" in str(screen.query_one("#counts").render())
        other = next(r.id for r in fresh_ws.store.records() if r.id != screen.current.id)
        remove_records(fresh_ws, [other], "alice", "retracted")  # in a shell: not the record on screen
        screen.request_retrain()
        await settle(pilot)
        assert f"Screened 0 / {total - 1}" in str(screen.query_one("#counts").render())


def test_a_look_never_puts_an_older_reading_back_after_the_records_are_read_again(fresh_ws: Workspace) -> None:
    """refresh_records applied its reading under the session's lock only: a look that had read the
    store before it applied the older set-aside afterwards."""
    _race_a_slow_look(fresh_ws, "refresh_records")


@async_test
async def test_the_browser_follows_a_removal_another_look_took_in_first(fresh_ws: Workspace) -> None:
    """The browser reloaded only if its own look found the change; a retrain or the dashboard that
    read it first left the rows stale."""
    async with open_app(fresh_ws, "alice", "browser", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        await pilot.press("question_mark")
        first = int(screen.query_one(DataTable).get_row_at(0)[0])
        remove_records(fresh_ws, [first], "alice", "retracted")  # in a shell, under the dialog
        assert screen.project.refresh_set_aside()  # a retrain (or the dashboard) takes the change in first
        await pilot.press("escape")
        await settle(pilot)
        assert "1 removed before screening" in str(screen.query_one("#browser-count").render())


@async_test
async def test_a_conflict_resolved_from_a_dialog_is_the_one_it_was_opened_for(tmp_path: Path) -> None:
    """A load under the record view (or the reason picker) shifted the rows, and the resolution went to
    the conflict highlighted when the dialog closed."""
    workspace = build_workspace(tmp_path / "ws", with_pairs=False)
    ids = sorted(r.id for r in workspace.store.records())
    async with open_app(workspace, "carol", "conflicts", size=SIZE, blind=False) as (app, pilot):
        screen = app.screen
        table = screen.query_one("#conflict-table", DataTable)
        await settle(pilot)
        assert screen._selected() == ids[1]
        for keys in (("enter",), ("r",)):
            await pilot.press(*keys)  # the record view (or the reason picker) of ids[1]
            await settle(pilot)
            opened = screen._selected()
            workspace.store.add_decision(ids[0], "bob", "exclude")  # in a shell: a conflict on an earlier row
            screen.load()
            await settle(pilot)
            assert screen._selected() != opened
            await pilot.press("i" if keys == ("enter",) else "1")
            await settle(pilot)
            resolutions = workspace.store.decisions(reviewer="consensus")
            assert resolutions[-1].record_id == opened, (resolutions, opened)
            assert [d.record_id for d in resolutions] == [ids[1]] if keys == ("enter",) else [ids[1], ids[2]]
            workspace.store.add_decision(ids[0], "bob", "include")  # agreement again: the row leaves
            screen.load()
            await settle(pilot)
            table.move_cursor(row=1)  # ids[2], still open
            await settle(pilot)


@async_test
async def test_a_note_for_a_record_refused_at_its_decision_is_dropped(fresh_ws: Workspace) -> None:
    """A removal the session read but the screen had not shown: the key was refused and the screen moved
    on, note and all."""
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        screen.retrain_delay = 60.0
        first = screen.current.id
        await pilot.press("n", "x", "y", "enter")
        await settle(pilot)
        assert screen.note == "xy"
        remove_records(fresh_ws, [first], "alice", "retracted")  # in a shell
        assert screen.project.refresh_set_aside()  # the session reads it (another screen's look), the screen not yet
        await pilot.press("i")  # refused
        await settle(pilot)
        assert screen.current.id != first and screen.note == ""
        assert any(f"Note for #{first} dropped" in m for m in _messages(app)), _messages(app)


@async_test
async def test_nothing_follows_the_queue_before_the_first_record_is_shown(fresh_ws: Workspace) -> None:
    """Only the retrain's follow waited for the first record; the screen's resume, a look at the store
    and a criteria.toml reload read the queue on the UI thread while the loading worker read it too,
    and could paint "Nothing left to screen" over "Loading…"."""
    async with open_app(fresh_ws, "alice", "dashboard", size=SIZE) as (app, pilot):
        session = app.project.session
        served = session.next_record
        release = threading.Event()
        on_ui_thread: list[int] = []

        def next_record():  # type: ignore[no-untyped-def]
            if threading.current_thread() is threading.main_thread():
                on_ui_thread.append(1)
            else:
                release.wait(5)  # the loading worker is slow (a large workspace)
            return served()

        session.next_record = next_record  # type: ignore[method-assign]
        await pilot.press("2")  # the screening screen mounts, resumes and starts loading its first record
        await pilot.pause()
        screen = app.screen
        remove_records(fresh_ws, [max(r.id for r in fresh_ws.store.records())], "alice", "retracted")
        screen.post_message(SetAsideChanged())  # a look at the store found the removal
        path = fresh_ws.path("screening", "criteria.toml")
        path.write_text(path.read_text(encoding="utf-8") + "\n# saved\n", encoding="utf-8")
        screen._poll_criteria()
        await pilot.pause()
        assert on_ui_thread == []
        assert screen.current is None and "Loading the first record" in screen.query_one("#record").plain
        release.set()
        await settle(pilot)
        assert screen.current is not None and on_ui_thread == []


@async_test
async def test_no_stopping_check_is_asked_for_before_the_first_record_is_shown(fresh_ws: Workspace) -> None:
    """The classifier's evidence comes after the queue, never before it (six fits, 25-31 s of CPU at 50,000 records,
    beside the first ranking's features): a look at the store that found a removal while the first record loaded
    asked for it at once (audit27), where coming back to the screen waits for the first record."""
    async with open_app(fresh_ws, "alice", "dashboard", size=SIZE) as (app, pilot):
        session = app.project.session
        served, due = session.next_record, session.stopping_evidence_due
        release = threading.Event()
        asked_while_loading: list[int] = []

        def next_record():  # type: ignore[no-untyped-def]
            if threading.current_thread() is not threading.main_thread():
                release.wait(5)  # the loading worker is slow (a large workspace)
            return served()

        def stopping_evidence_due() -> bool:
            if not release.is_set():
                asked_while_loading.append(1)
            return due()

        session.next_record = next_record  # type: ignore[method-assign]
        session.stopping_evidence_due = stopping_evidence_due  # type: ignore[method-assign]
        await pilot.press("2")  # the screening screen mounts, resumes and starts loading its first record
        await pilot.pause()
        screen = app.screen
        remove_records(fresh_ws, [max(r.id for r in fresh_ws.store.records())], "alice", "retracted")
        screen.post_message(SetAsideChanged())  # a look at the store found the removal
        await pilot.pause()
        await pilot.pause()
        assert asked_while_loading == []
        release.set()
        await settle(pilot)
        assert screen.current is not None


@async_test
async def test_a_look_at_the_store_leaves_the_record_on_screen_where_the_reviewer_scrolled(fresh_ws: Workspace) -> None:
    """A removal of another record drew the record on screen again, back at the top of its abstract."""
    async with open_app(fresh_ws, "alice", "screening", size=(60, 16)) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        view = screen.query_one("#record")
        total = screen.project.session.progress().total
        await pilot.press("pagedown")
        await pilot.pause()
        scrolled = view.scroll_offset.y
        assert scrolled > 0
        other = next(r.id for r in fresh_ws.store.records() if r.id != screen.current.id)
        remove_records(fresh_ws, [other], "alice", "retracted")  # in a shell
        screen.follow_set_aside()  # the 2 s look
        await settle(pilot)
        assert f"Screened 0 / {total - 1}" in str(screen.query_one("#counts").render())
        assert view.scroll_offset.y == scrolled


@async_test
async def test_a_key_on_a_record_removed_before_the_look_is_refused_as_a_warning_and_the_screen_moves_on(
        fresh_ws: Workspace) -> None:
    """The decision's own transaction refuses a record removed in a shell before the 2 s look read it
    (RemovedMeanwhile): the screen said so as an error, in the session's words."""
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        screen.retrain_delay = 60.0
        first = screen.current.id
        remove_records(fresh_ws, [first], "alice", "retracted")  # in a shell: the screen has not looked yet
        await pilot.press("i")
        await settle(pilot)
        assert fresh_ws.store.decisions(reviewer="alice") == [] and screen.current.id != first
        (said,) = [n for n in app._notifications if f"#{first}" in n.message]
        assert said.severity == "warning"
        assert said.message == (f"#{first} was removed before screening in another shell meanwhile (retracted): "
                                "nothing recorded; on to the next record")  # (the browser's words too, below)


@async_test
async def test_the_browser_warns_and_reads_the_rows_again_when_a_decision_meets_a_removal(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", "browser", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        first = int(screen.query_one(DataTable).get_row_at(0)[0])
        remove_records(fresh_ws, [first], "alice", "retracted")  # in a shell, after the rows were read
        await pilot.press("i")
        await settle(pilot)
        assert fresh_ws.store.decisions(reviewer="alice") == []
        (said,) = [n for n in app._notifications if "retracted" in n.message]
        assert said.severity == "warning"  # in the screening screen's words (they differed)
        assert said.message == (f"#{first} was removed before screening in another shell meanwhile (retracted): "
                                "nothing recorded; the rows are read again")
        assert "1 removed before screening" in str(screen.query_one("#browser-count").render())


@async_test
async def test_closing_a_dialog_leaves_the_record_where_the_reviewer_scrolled(fresh_ws: Workspace) -> None:
    """Every resume drew the record again from its first line: help (or a reason picker cancelled) threw the
    reviewer back to the top of a long abstract."""
    async with open_app(fresh_ws, "alice", "screening", size=(60, 16)) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        view = screen.query_one("#record")
        await pilot.press("pagedown")
        await pilot.pause()
        scrolled = view.scroll_offset.y
        assert scrolled > 0
        for keys in (("question_mark", "escape"), ("r", "escape")):
            await pilot.press(*keys)
            await settle(pilot)
            assert app.screen is screen and view.scroll_offset.y == scrolled, keys
        await pilot.press("n", *"xy", "enter")  # a note is drawn into the record: from the top, with the note
        await settle(pilot)
        assert "xy" in view.plain
