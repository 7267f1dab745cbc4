"""The conflicts and full-text tables add their rows as the cursor or the view comes near (``GrowingTable``), as
the record browser does: both added every row at once on the UI thread (the conflicts table 26–59 ms, the full-text
one 52–112 ms at 20,000 records, docs/benchmarks/tui-blocking-2026-12-06.md), and every key still reaches every row
listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual.widgets import DataTable

from review.services.prisma import record_fulltext
from review.services.screening import resolve_conflict
from review.store.fulltext import current_fulltext_events
from review.tui.screens.conflicts import ConflictsScreen
from review.tui.screens.fulltext import FulltextScreen
from review.workspace import Workspace
from tui_workspace import async_test, build_workspace, open_app, settle

#: More rows than two screenfuls of an 80×24 terminal, and ids of two and three digits.
RECORDS = 150
SIZE = (80, 24)


def _widths(table: DataTable[Any]) -> list[int]:
    return [column.get_render_width(table) for column in table.ordered_columns]


def _conflicts_ws(root: Path) -> Workspace:
    """alice includes and bob excludes every record: one conflict per record."""
    workspace = build_workspace(root, RECORDS, with_conflicts=False, with_pairs=False)
    for record in workspace.store.records():
        assert record.id is not None
        workspace.store.add_decision(record.id, "alice", "include")
        workspace.store.add_decision(record.id, "bob", "exclude")
    return workspace


@async_test
async def test_the_conflicts_table_adds_the_rows_near_the_cursor_and_resolves_any_row(tmp_path: Path) -> None:
    workspace = _conflicts_ws(tmp_path / "ws")
    deep = sorted(r.id for r in workspace.store.records() if r.id is not None)[140]
    resolve_conflict(workspace, deep, "maybe", "carol")  # its row, far below the first screenful, the widest
    async with open_app(workspace, "carol", "conflicts", size=SIZE, blind=False) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ConflictsScreen) and screen.data is not None
        table = screen.query_one("#conflict-table", DataTable)
        listed = [c.record_id for c in screen.data.listed]
        assert len(listed) == RECORDS
        assert 15 <= table.row_count < RECORDS / 2  # a screenful and some, not every row
        assert listed.index(deep) >= table.row_count  # not added yet, and its column is as wide already:
        assert table.ordered_columns[2].get_render_width(table) >= cell_len("maybe (carol)") + 2  # (+ padding)
        for _ in range(100):
            await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == 100 and screen._selected() == listed[100]
        await pilot.press("e")  # resolves row 100 and moves on; the reload keeps the place
        await settle(pilot)
        resolved = {d.record_id: d.label for d in workspace.store.decisions(reviewer="consensus")}
        assert resolved == {deep: "maybe", listed[100]: "exclude"}
        assert table.cursor_row == 101 and screen._selected() == listed[101]
        assert "exclude (carol)" in str(table.get_row(str(listed[100]))[2])
        widths = _widths(table)  # (the resolution column is as wide as "exclude (carol)" now)
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.cursor_row == RECORDS - 1 and screen._selected() == listed[-1]
        assert [int(key.value) for key in table.rows] == listed  # every row, in the order listed
        assert _widths(table) == widths  # no column grew as rows were added
        await pilot.press("i")
        await settle(pilot)
        resolved = {d.record_id: d.label for d in workspace.store.decisions(reviewer="consensus")}
        assert resolved == {deep: "maybe", listed[100]: "exclude", listed[-1]: "include"}


@async_test
async def test_the_fulltext_table_adds_the_rows_near_the_cursor_and_keeps_the_report_after_a_key(
        tmp_path: Path) -> None:
    workspace = build_workspace(tmp_path / "ws", RECORDS, with_conflicts=False, with_pairs=False)
    for record in workspace.store.records():
        assert record.id is not None
        workspace.store.add_decision(record.id, "alice", "include")
    deep = sorted(r.id for r in workspace.store.records() if r.id is not None)[140]
    record_fulltext(workspace, deep, "alice", "not_retrieved")  # the widest state, far below the first screenful
    async with open_app(workspace, "alice", "fulltext", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, FulltextScreen) and screen.items is not None
        table = screen.query_one("#fulltext-table", DataTable)
        listed = [item.record_id for item in screen.items]
        assert len(listed) == RECORDS
        assert 15 <= table.row_count < RECORDS / 2
        assert listed.index(deep) >= table.row_count  # not added yet, and its column is as wide already:
        assert table.ordered_columns[2].get_render_width(table) >= cell_len("not retrieved") + 2  # (+ padding)
        widths = _widths(table)
        for _ in range(3):
            await pilot.press("pagedown")
        await pilot.pause()
        row = table.cursor_row
        assert row > 2 * (SIZE[1] - 8) and screen._selected() == listed[row]
        # The first report leaves the queue before the reload (its record excluded in a shell): the report at the
        # cursor moves up a row, and the cursor goes with the report, not with the row's index.
        workspace.store.add_decision(listed[0], "alice", "exclude")
        await pilot.press("o")  # one event, then the queue is read again: the cursor stays on the report
        await settle(pilot)
        events = [(e.record_id, e.event) for e in current_fulltext_events(workspace.store)]
        assert sorted(events) == sorted([(deep, "not_retrieved"), (listed[row], "sought")])
        now = [item.record_id for item in screen.items or []]
        assert now == listed[1:]
        assert table.cursor_row == row - 1 and screen._selected() == listed[row]
        assert "sought" in str(table.get_row(str(listed[row]))[2])
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.cursor_row == RECORDS - 2 and screen._selected() == listed[-1]
        assert [int(key.value) for key in table.rows] == now
        assert _widths(table) == widths
