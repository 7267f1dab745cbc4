"""A DataTable handed all its rows at once that adds them as the cursor or the view comes near.

``DataTable`` measures every cell of every new row when it is next idle (``_update_dimensions``) and
builds each row's renderables on the way: for the record browser's 500 rows that was ~30 ms of the UI
thread, and adding them ~7 ms more, at every first visit, filter and mode switch, though an 80×24
terminal shows 17 of them. This table adds the rows from two screenfuls ahead of the cursor and of the
bottom of the view, so that no key (a page down moves one screenful) and no wheel turn reaches past the
rows added; ``ctrl+end`` adds them all first. Every row is one line high, so a row's index is its line.
The table is as tall as all its rows from the start: its scrollbar spans them all, and a drag to a row not
added yet adds the rows up to it as the view moves there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import RenderableType
from textual import events
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable

#: What a row of the table is made from, as late as it is added: (row key, cells).
RowMaker = Callable[[Any], tuple[str, Sequence[RenderableType]]]


class GrowingTable(DataTable[Any]):
    """Rows given with ``show`` and added a couple of screenfuls ahead of the cursor and the view."""

    def __init__(self, make_row: RowMaker, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._make_row = make_row
        self._items: Sequence[Any] = ()
        self._adding = False

    def show(self, items: Sequence[Any], cursor_row: int = 0) -> None:
        """Replace the rows with one per item (made by ``make_row`` when it is added), the cursor on
        ``cursor_row`` (or the last row, if there are fewer)."""
        self.clear()
        self._items = items
        self.virtual_size = self.virtual_size  # (as tall as every row now, not at the next row added)
        if items:
            self.move_cursor(row=min(cursor_row, len(items) - 1))

    def clear(self, columns: bool = False) -> GrowingTable:
        self._items = ()  # (clearing moves the cursor, which would add the old rows again)
        super().clear(columns)
        return self

    def add_through(self, index: int) -> None:
        """Add the rows up to ``index`` and two screenfuls past it (all if ``index`` is negative), unless a
        screenful past it is added already. A row is made as it is added, so it shows what holds now."""
        if self._adding:  # (add_row sets the cursor again, which comes back here)
            return
        screenful = max(1, self.app.size.height)
        if index < 0:
            end = len(self._items)
        elif index + screenful < self.row_count:
            return
        else:
            end = min(len(self._items), index + 1 + 2 * screenful)
        self._adding = True
        try:
            for item in self._items[self.row_count:end]:
                key, cells = self._make_row(item)
                self.add_row(*cells, key=key)
        finally:
            self._adding = False

    def validate_virtual_size(self, size: Size) -> Size:
        # DataTable sets its height from the rows added; as tall as every row shown, the scrollbar's thumb and
        # its drag reach the last one (it reached about a third of 300 rows, the rows added so far).
        header = self.header_height if self.show_header else 0
        return Size(size.width, max(size.height, len(self._items) + header))

    def move_cursor(self, *, row: int | None = None, column: int | None = None, animate: bool = False,
                    scroll: bool = True) -> None:
        if row is not None:  # (a row not added yet: the cursor would stop at the last one added)
            self.add_through(row)
        super().move_cursor(row=row, column=column, animate=animate, scroll=scroll)

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        self.add_through(new_coordinate.row)
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.add_through(round(new_value) + self.size.height)  # (the wheel and the scrollbar move the view alone)

    def on_resize(self, event: events.Resize) -> None:
        self.add_through(max(self.cursor_row, round(self.scroll_y) + event.size.height))  # taller: more in view

    def action_scroll_bottom(self) -> None:
        self.add_through(-1)
        super().action_scroll_bottom()
