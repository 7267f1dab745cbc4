"""A scrolling view of one record that shows the next record without a screen layout.

A ``Static`` of automatic height inside a ``VerticalScroll`` changes size with every record,
and Textual then lays out (and repaints) the whole screen twice: about half of what a key
costs. This view has a fixed size (``height: 1fr``), wraps the text itself and serves lines
through the line API, so a new record repaints only this widget.

It has no scrollbar: repainting one with every record cost as much as the record's text
border (a sixth of a key). What is below the box is shown in the border's subtitle instead
("↓ 12 more lines"); arrow keys, page keys and the wheel scroll as usual.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


class RecordView(ScrollView, can_focus=True):
    """Wrapped rich text in a fixed-size box; arrow keys, page keys and the wheel scroll it."""

    DEFAULT_CSS = """
    RecordView {
        overflow-y: hidden;
        overflow-x: hidden;
        height: 1fr;
    }
    """

    def __init__(self, renderable: RenderableType = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderable: RenderableType = renderable
        self._lines: list[Strip] = []
        self._wrapped_width = -1
        # Read ahead: (key, renderable, lines, width) of what is expected next.
        self._prepared: tuple[object, RenderableType, list[Strip], int] | None = None

    @property
    def renderable(self) -> RenderableType:
        """What the view shows (tests read it as text)."""
        return self._renderable

    @property
    def plain(self) -> str:
        renderable = self._renderable
        return renderable.plain if isinstance(renderable, Text) else str(renderable)

    def show(self, renderable: RenderableType) -> None:
        """Show ``renderable`` from its first line; repaints this widget only."""
        self._renderable = renderable
        self._wrap(self.scrollable_content_region.width)
        self._top()

    def prepare(self, key: object, renderable: RenderableType) -> None:
        """Wrap ``renderable`` now (in idle time) so that ``show_prepared(key)`` is instant."""
        width = self.scrollable_content_region.width
        self._prepared = (key, renderable, self._render_lines(renderable, width), width)

    def show_prepared(self, key: object) -> bool:
        """Show what ``prepare(key, ...)`` wrapped; False (nothing shown) if that is not at hand."""
        prepared, self._prepared = self._prepared, None
        if prepared is None or prepared[0] != key or prepared[3] != self.scrollable_content_region.width:
            return False
        _, self._renderable, lines, width = prepared
        self._set_lines(lines, width)
        self._top()
        return True

    def forget_prepared(self) -> None:
        self._prepared = None

    @property
    def allow_vertical_scroll(self) -> bool:
        # Textual scrolls only boxes that show a scrollbar; this one scrolls without.
        return not self._check_disabled() and self.max_scroll_y > 0

    @property
    def lines_below(self) -> int:
        """Wrapped lines below the bottom of the box."""
        return max(0, len(self._lines) - int(self.scroll_offset.y) - self.scrollable_content_region.height)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._show_more()

    def _show_more(self) -> None:
        below = self.lines_below
        subtitle = f"↓ {below} more line{'s' if below != 1 else ''}" if below else ""
        if subtitle != (self.border_subtitle or ""):  # (setting it repaints, even unchanged)
            self.border_subtitle = subtitle

    def _top(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def render(self) -> RenderableType:
        # Only for tooling that renders widgets whole; the screen uses ``render_line``.
        return self._renderable

    def on_resize(self, event: events.Resize) -> None:
        self._wrap(self.scrollable_content_region.width)
        self.refresh()

    def _wrap(self, width: int) -> None:
        self._set_lines(self._render_lines(self._renderable, width), width)

    def _render_lines(self, renderable: RenderableType, width: int) -> list[Strip]:
        if width <= 0:
            return []
        console = self.app.console
        renderable = Text(renderable) if isinstance(renderable, str) else renderable
        lines = console.render_lines(renderable, console.options.update_width(width),
                                     style=self.rich_style, pad=True)
        return [Strip(line, width) for line in lines]

    def _set_lines(self, lines: list[Strip], width: int) -> None:
        self._lines, self._wrapped_width = lines, width
        virtual = Size(max(width, 0), len(lines))
        self.set_reactive(Widget.virtual_size, virtual)  # no layout: the box keeps its size
        self._scroll_update(virtual)
        self._show_more()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + int(self.scroll_offset.y)
        if width != self._wrapped_width:
            self._wrap(width)
        if 0 <= index < len(self._lines):
            return self._lines[index]
        return Strip.blank(width, self.rich_style)
