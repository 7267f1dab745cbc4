"""A scrolling view of one record that shows the next record without a screen layout.

A ``Static`` of automatic height inside a ``VerticalScroll`` changes size with every record,
and Textual then lays out (and repaints) the whole screen twice: about half of what a key
costs. This view has a fixed size (``height: 1fr`` and an always-present scrollbar), wraps
the text itself and serves lines through the line API, so a new record repaints only this
widget and the scrollbar.
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
        overflow-y: scroll;
        overflow-x: hidden;
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-background: $background;
        scrollbar-background-hover: $background;
        scrollbar-background-active: $background;
    }
    """

    def __init__(self, renderable: RenderableType = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderable: RenderableType = renderable
        self._lines: list[Strip] = []
        self._wrapped_width = -1

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
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def render(self) -> RenderableType:
        # Only for tooling that renders widgets whole; the screen uses ``render_line``.
        return self._renderable

    def on_resize(self, event: events.Resize) -> None:
        self._wrap(self.scrollable_content_region.width)
        self.refresh()

    def _wrap(self, width: int) -> None:
        if width <= 0:
            self._lines, self._wrapped_width = [], width
            return
        console = self.app.console
        renderable = Text(self._renderable) if isinstance(self._renderable, str) else self._renderable
        lines = console.render_lines(renderable, console.options.update_width(width),
                                     style=self.rich_style, pad=True)
        self._lines = [Strip(line, width) for line in lines]
        self._wrapped_width = width
        virtual = Size(width, len(self._lines))
        self.set_reactive(Widget.virtual_size, virtual)  # no layout: the box keeps its size
        self._scroll_update(virtual)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + int(self.scroll_offset.y)
        if width != self._wrapped_width:
            self._wrap(width)
        if 0 <= index < len(self._lines):
            return self._lines[index]
        return Strip.blank(width, self.rich_style)
