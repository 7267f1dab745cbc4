"""The record browser adds its rows as the cursor or the view comes near (``GrowingTable``), and every key,
filter and decision still reaches every row listed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NamedTuple

from textual.pilot import Pilot

from review.tui.screens.browser import BrowserScreen
from review.tui.widgets.growing_table import GrowingTable
from review.workspace import Workspace
from tui_workspace import async_test, build_workspace, labels, open_app, settle

#: More records than two screenfuls of an 80×24 terminal, and ids of two and three digits.
RECORDS = 150
SIZE = (80, 24)


def _listed(screen: BrowserScreen) -> list[str]:
    """The row keys the browser lists, in order (the rows the table has not added yet too)."""
    assert screen._shown is not None
    return [str(record.id) for record in screen._shown.rows]


class _Browser(NamedTuple):
    workspace: Workspace
    pilot: Pilot
    screen: BrowserScreen
    table: GrowingTable
    listed: list[str]


@asynccontextmanager
async def _open_browser(tmp_path: Path) -> AsyncIterator[_Browser]:
    """The browser on :data:`RECORDS` records as alice, on an 80×24 terminal: its table and the rows it lists."""
    workspace = build_workspace(tmp_path / "ws", RECORDS, with_conflicts=False, with_pairs=False)
    async with open_app(workspace, "alice", "browser", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        yield _Browser(workspace, pilot, screen, screen.query_one("#records", GrowingTable), _listed(screen))


def _widths(table: GrowingTable) -> list[int]:
    return [column.get_render_width(table) for column in table.ordered_columns]


@async_test
async def test_the_browser_adds_the_rows_near_the_cursor_and_the_keys_reach_every_row(tmp_path: Path) -> None:
    async with _open_browser(tmp_path) as (_, pilot, screen, table, listed):
        assert len(listed) == RECORDS and str(screen.query_one("#browser-count").render()) == \
            f"{RECORDS} of {RECORDS} records to screen"
        assert 20 <= table.row_count < RECORDS / 2  # a screenful and some, not every row
        widths = _widths(table)
        assert table.columns["id"].width == 3  # type: ignore[index]  # (from every row: the first have two digits)
        for _ in range(3):
            await pilot.press("pagedown")
        await pilot.pause()
        moved = table.cursor_row
        assert moved > 2 * (SIZE[1] - 8)  # three pages down: never held up at the rows added first
        for _ in range(60):
            await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == moved + 60 and screen._selected() == int(listed[moved + 60])
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.cursor_row == RECORDS - 1 and screen._selected() == int(listed[-1])
        assert [key.value for key in table.rows] == listed  # every row, in the order listed
        assert _widths(table) == widths  # no column grew as rows were added
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert table.cursor_row == 0 and screen._selected() == int(listed[0])


@async_test
async def test_the_wheel_and_a_reload_keep_their_place_past_the_rows_added_first(tmp_path: Path) -> None:
    async with _open_browser(tmp_path) as (workspace, pilot, screen, table, listed):
        first = table.row_count
        for _ in range(6):  # the view alone (the wheel, the scrollbar): rows come as it nears them
            table.scroll_to(y=table.max_scroll_y, animate=False, immediate=True)
            await pilot.pause()
        assert table.row_count > first and table.max_scroll_y > first
        table.move_cursor(row=120)
        await pilot.pause()
        assert table.cursor_row == 120
        screen.load(screen.filters())  # read again (a mode switch, a removal in a shell): the cursor stays
        await settle(pilot)
        assert table.cursor_row == 120 and screen._selected() == int(listed[120])
        await pilot.press("i")  # your decision on a row past the first ones, and on to the next
        await settle(pilot)
        assert labels(workspace)[int(listed[120])] == "include"
        assert table.cursor_row == 121
        assert "alice include" in table.get_row_at(120)[4].plain


@async_test
async def test_a_decision_on_a_row_not_added_yet_shows_when_it_is(tmp_path: Path) -> None:
    """A decision from a record's view lands on the record it was opened for; if a reload meanwhile left
    that row to be added later, the row shows the decision once it is added."""
    async with _open_browser(tmp_path) as (workspace, pilot, screen, table, listed):
        table.move_cursor(row=RECORDS - 1)  # (adds the rows up to it)
        await pilot.pause()
        assert table.cursor_row == RECORDS - 1
        table.move_cursor(row=0)
        screen.load(screen.filters())
        await settle(pilot)
        last = int(listed[-1])
        assert str(last) not in table.rows
        screen.action_decide("exclude", ("wrong population",), record_id=last)
        await settle(pilot)
        assert labels(workspace)[last] == "exclude" and table.cursor_row == 0  # (not the row highlighted)
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert "alice exclude" in table.get_row_at(RECORDS - 1)[4].plain


@async_test
async def test_a_title_in_brackets_shows_whole(tmp_path: Path) -> None:
    """DataTable reads a str cell as markup: "[in Dutch]" in a title vanished as a style tag (PubMed brackets
    translated titles), in the record browser, the conflicts and the full-text lists alike."""
    from review.records import Record

    workspace = build_workspace(tmp_path / "ws", 4, with_conflicts=False, with_pairs=False)
    workspace.store.add_batch([Record(title="Burnout [in Dutch] and [bold] returns", pmid="39000001")],
                              file_name="dutch.xml", file_sha256="c" * 64, source_name="PubMed",
                              format="pubmed-xml", encoding="utf-8")
    async with open_app(workspace, "alice", "browser", size=(120, 24)) as (app, pilot):
        table = app.screen.query_one("#records", GrowingTable)
        drawn = "\n".join(line.text for line in table.render_lines(table.region.reset_offset))
        assert "Burnout [in Dutch] and [bold] returns" in drawn, drawn


@async_test
async def test_the_scrollbar_spans_every_row_and_a_drag_to_the_end_shows_the_last(tmp_path: Path) -> None:
    """The table is as tall as all its rows before they are added: a drag of the scrollbar's thumb to the
    bottom reaches the last row (it reached the last row added, about a third of them)."""
    async with _open_browser(tmp_path) as (_, pilot, screen, table, listed):
        assert table.row_count < len(listed) == RECORDS
        assert table.virtual_size.height == RECORDS + 1  # every row and the header
        table.scroll_to(y=table.max_scroll_y, animate=False, immediate=True)  # where a drag to the end goes
        await pilot.pause()
        assert table.row_count == RECORDS
        drawn = [line.text for line in table.render_lines(table.region.reset_offset)]
        last_row = next(line for line in reversed(drawn) if line.strip())
        assert last_row.split()[0] == listed[-1], drawn
