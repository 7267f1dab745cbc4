"""A cumulative curve drawn with eighth blocks: inclusions found against records screened."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.widget import Widget

_BLOCKS = " ▁▂▃▄▅▆▇█"


def column_heights(values: Sequence[float], width: int, height: int, top: float) -> list[int]:
    """Height in eighths of a cell for each of ``width`` columns (last value per column)."""
    if not values or width <= 0 or top <= 0:
        return [0] * max(width, 0)
    n = len(values)
    out = []
    for col in range(width):
        index = min(n - 1, int((col + 1) * n / width) - 1) if n >= width else min(n - 1, col * n // width)
        out.append(round(values[max(index, 0)] / top * height * 8))
    return out


class _Bars:
    def __init__(self, heights: list[int], rows: int, style: Style) -> None:
        self.heights, self.rows, self.style = heights, rows, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for row in range(self.rows, 0, -1):
            floor = (row - 1) * 8
            line = "".join(_BLOCKS[max(0, min(8, h - floor))] for h in self.heights)
            yield Segment(line, self.style)
            yield Segment.line()


class CurveView(Widget):
    """Cumulative values as a filled step curve, scaled so an empty curve stays flat."""

    DEFAULT_CSS = """
    CurveView { height: 8; color: $success; }
    """

    values: reactive[tuple[float, ...]] = reactive(tuple)
    """The curve's y values, one per screened record."""

    def render(self) -> _Bars:
        width, rows = self.size.width, self.size.height
        top = max(max(self.values, default=0.0), 1.0)
        style = self.rich_style
        return _Bars(column_heights(self.values, width, rows, top), rows, style)
