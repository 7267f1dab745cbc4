"""Forest plots with matplotlib's Agg canvas (no pyplot, no display, no global backend switch).

Laid out like metafor's ``forest()`` and R meta's ``forest.meta``: study labels on the left,
squares sized by weight with their CIs, the estimate [CI] and the weight as text on the right,
pooled diamond(s) with the prediction interval below, "favours" labels under a log axis whose
ticks cover every interval. PNG at 300 dpi; SVG keeps its text as text (``svg.fonttype = none``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..levels import STANDARD_LEVEL, exp_or_limit, level_percent
from ..plotformats import plot_format_problem
from ..words import effect_number, whole_percent
from .meta import MetaResult, is_ratio, z_quantile

PNG_DPI = 300
#: Default "favours" labels under a ratio axis for a harmful outcome such as recurrence.
DEFAULT_FAVOURS: tuple[str, str] = ("lower risk", "higher risk")
_LABEL_WIDTH = 46  # characters per label line before wrapping at a word boundary
_ROW = 0.28  # inches per text line


@dataclass(slots=True, frozen=True)
class ForestRow:
    """One study line: label and its estimate with CI on the analysis (log) scale."""

    label: str
    y: float
    ci_low: float
    ci_high: float
    weight: float | None = None  # percent


def rows_from_result(
    result: MetaResult, entered_ci: Sequence[tuple[float, float] | None] | None = None
) -> list[ForestRow]:
    """Study rows of a pooled result; a CI as entered (reporting scale) wins over y ± z·se."""
    z = z_quantile(result.level)
    entered = list(entered_ci) if entered_ci is not None else [None] * result.k
    rows = []
    for label, y, v, w, given in zip(result.studies, result.yi, result.vi, result.weights, entered):
        if given is not None:
            low, high = (math.log(b) for b in given) if result.ratio else given
        else:
            low, high = y - z * math.sqrt(v), y + z * math.sqrt(v)
        rows.append(ForestRow(label, y, low, high, w))
    return rows


@dataclass(slots=True)
class _Line:
    """One drawn line of the plot: a study, a pooled model or the prediction interval."""

    kind: str  # study | pooled | prediction
    label: str
    y: float | None
    low: float | None
    high: float | None
    weight: float | None = None
    position: float = 0.0
    lines: int = 1


def forest_plot(
    rows: Sequence[ForestRow],
    path: Path,
    *,
    measure: str,
    result: MetaResult | None = None,
    fixed: MetaResult | None = None,
    title: str = "",
    favours: tuple[str, str] | None = None,
    level: float | None = None,
) -> Path:
    """Draw the forest plot to ``path`` (PNG at 300 dpi or SVG with text kept as text); the header names
    ``level`` (default: the pooled result's, else 95 %), the level the caller drew the rows' CIs at.

    Labels come from study files and CSVs: a '$' in them is text, never matplotlib mathtext
    (which would drop the dollars or fail on what it cannot parse).
    """
    with matplotlib.rc_context({"text.parse_math": False}):
        return _draw_forest(rows, Path(path), measure=measure, result=result, fixed=fixed, title=title,
                            favours=favours, level=level)


def _layout(rows: Sequence[ForestRow], result: MetaResult | None, fixed: MetaResult | None,
            title: str) -> tuple[list[_Line], float, str, str, float, float]:
    """The plot's lines with their positions, and its height in text lines (with the footer and the title)."""
    lines = [_Line("study", _wrap(r.label), r.y, r.ci_low, r.ci_high, r.weight) for r in rows]
    for model in (fixed, result):
        if model is not None:
            weighted = any(r.weight is not None for r in rows)
            lines.append(_Line("pooled", _wrap(_model_name(model)), model.estimate, model.ci_low, model.ci_high,
                               100.0 if weighted else None))
    if result is not None and result.pi_low is not None and result.pi_high is not None:
        lines.append(_Line("prediction", "Prediction interval", None, result.pi_low, result.pi_high))
    for line in lines:
        line.lines = line.label.count("\n") + 1

    # Positions from the top: header, studies, a gap, pooled lines; y grows downwards.
    cursor = 1.6
    for i, line in enumerate(lines):
        if line.kind != "study" and (i == 0 or lines[i - 1].kind == "study"):
            cursor += 0.6
        line.position = cursor + (line.lines - 1) * 0.5
        cursor += line.lines
    footer = _heterogeneity(result) if result is not None and result.k > 1 else ""
    # The title wraps (a caption naming rescaled CIs runs to several lines): each line gets its room above the
    # header, or the caption's last lines were drawn over "Study" and the CI column's head.
    title_text = _wrap(title, 110) if title else ""
    title_space = 1.2 + _TITLE_LINE * title_text.count("\n") if title else 0.0
    total_lines = cursor + 2.6 + (1 if footer else 0) + title_space
    return lines, cursor, footer, title_text, title_space, total_lines


#: The tallest forest plot drawn as PNG, in pixels: the most many image readers open, and already a raster of
#: about 600 MB to draw (2,000 studies, 168,840 px, took 1.8 GB and 27 s CPU; 20,000 would not fit in memory).
MAX_PNG_HEIGHT = 65_535


def png_height_problem(rows: Sequence[ForestRow], path: Path, *, result: MetaResult | None = None,
                       fixed: MetaResult | None = None, title: str = "") -> str | None:
    """Why a PNG of these rows cannot be drawn (too tall), or None; an SVG has no raster to hold."""
    if Path(path).suffix.lower() != ".png":
        return None
    *_, total_lines = _layout(rows, result, fixed, title)
    height = round(_ROW * total_lines * PNG_DPI)
    if height <= MAX_PNG_HEIGHT:
        return None
    return (f"{path}: a forest plot of {len(rows):,} studies would be {height:,} px tall as PNG (at most "
            f"{MAX_PNG_HEIGHT:,}): write it as .svg, or plot fewer studies")


def _draw_forest(
    rows: Sequence[ForestRow],
    path: Path,
    *,
    measure: str,
    result: MetaResult | None,
    fixed: MetaResult | None,
    title: str,
    favours: tuple[str, str] | None,
    level: float | None,
) -> Path:
    problem = plot_format_problem(path)
    if problem is not None:
        raise ValueError(problem)
    # A factor's plot names every ratio measure it draws ('HR/OR'): still a ratio axis, or the log values
    # were drawn and written as raw numbers (HR 1.46 read 0.38).
    ratio = all(is_ratio(part) for part in measure.split("/"))
    show = exp_or_limit if ratio else (lambda x: x)
    if level is None:
        level = result.level if result is not None else STANDARD_LEVEL
    too_tall = png_height_problem(rows, path, result=result, fixed=fixed, title=title)
    if too_tall is not None:
        raise ValueError(too_tall)
    lines, cursor, footer, title_text, title_space, total_lines = _layout(rows, result, fixed, title)
    label_chars = max([len(part) for line in lines for part in line.label.split("\n")] + [12])
    label_width = 0.3 + 0.068 * label_chars
    text_width = 2.4
    plot_width = 3.2
    figure = Figure(figsize=(label_width + plot_width + text_width, _ROW * total_lines))
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(1, 3, width_ratios=[label_width, plot_width, text_width], wspace=0.02,
                               left=0.02, right=0.98, top=1 - (title_space or 0.3) / total_lines,
                               bottom=(2.6 + (1 if footer else 0)) / total_lines)
    left, ax, right = (figure.add_subplot(grid[0, i]) for i in range(3))
    top = cursor
    for axis in (left, ax, right):
        axis.set_ylim(top, 0.4)
    for axis in (left, right):
        axis.set_xlim(0, 1)
        axis.axis("off")

    pct = level_percent(level, spaced=False)
    left.text(0.02, 0.9, "Study", fontsize=9, fontweight="bold", va="center")
    right.text(0.05, 0.9, f"{measure} [{pct} CI]", fontsize=9, fontweight="bold", va="center")
    if any(line.weight is not None for line in lines):
        right.text(0.97, 0.9, "Weight", fontsize=9, fontweight="bold", va="center", ha="right")

    # Column of intervals.
    finite = [v for line in lines for v in (line.low, line.high, line.y) if v is not None and math.isfinite(v)]
    low_x, high_x = (min(finite), max(finite)) if finite else (-1.0, 1.0)
    null = 0.0
    low_x, high_x = min(low_x, null), max(high_x, null)
    ticks = _ticks(low_x, high_x, ratio)
    ax.set_xlim(ticks[0] - 0.02 * (ticks[-1] - ticks[0]), ticks[-1] + 0.02 * (ticks[-1] - ticks[0]))
    ax.set_xticks(ticks)
    ax.set_xticklabels([_tick_label(show(t)) for t in ticks], fontsize=8)
    ax.axvline(null, color="#555555", linewidth=0.8, zorder=1)
    max_weight = max([line.weight or 0 for line in lines if line.kind == "study"] + [1e-9])
    for line in lines:
        pos = line.position
        if line.kind == "study":
            left.text(0.02, pos, line.label, fontsize=8.5, va="center")
            if line.low is not None and line.high is not None:
                ax.plot([line.low, line.high], [pos, pos], color="black", linewidth=0.9, zorder=2)
            size = 18 + 80 * math.sqrt((line.weight or max_weight * 0.3) / max_weight)
            assert line.y is not None
            ax.scatter([line.y], [pos], marker="s", s=size, color="#2b4c7e", zorder=3, linewidths=0)
        elif line.kind == "pooled":
            left.text(0.02, pos, line.label, fontsize=8.5, va="center", fontweight="bold")
            assert line.y is not None and line.low is not None and line.high is not None
            ax.fill([line.low, line.y, line.high, line.y], [pos, pos - 0.32, pos, pos + 0.32],
                    color="#a23b2a", zorder=3, linewidth=0)
        else:
            left.text(0.02, pos, line.label, fontsize=8.5, va="center", style="italic")
            assert line.low is not None and line.high is not None
            ax.plot([line.low, line.high], [pos, pos], color="#a23b2a", linewidth=2.2, alpha=0.55,
                    solid_capstyle="butt", zorder=2)
        if line.low is not None and line.high is not None:
            estimate = "" if line.y is None else effect_number(show(line.y)) + " "
            right.text(0.05, pos, f"{estimate}[{effect_number(show(line.low))}; {effect_number(show(line.high))}]", fontsize=8.5,
                       va="center", family="DejaVu Sans Mono")
        if line.weight is not None:
            right.text(0.97, pos, f"{line.weight:.1f}%", fontsize=8.5, va="center", ha="right",
                       family="DejaVu Sans Mono")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_yticks([])
    ax.set_xlabel(f"{measure} ({'log scale' if ratio else 'raw scale'})", fontsize=8.5)
    if ratio or favours:
        lower, higher = favours or DEFAULT_FAVOURS
        ax.annotate(f"← {lower}", xy=(null, 0), xycoords=("data", "axes fraction"), xytext=(-4, -30),
                    textcoords="offset points", ha="right", va="top", fontsize=8, color="#333333")
        ax.annotate(f"{higher} →", xy=(null, 0), xycoords=("data", "axes fraction"), xytext=(4, -30),
                    textcoords="offset points", ha="left", va="top", fontsize=8, color="#333333")
    if footer:
        figure.text(0.02, 0.6 / total_lines, footer, fontsize=8, va="bottom")
    if title:
        figure.text(0.02, 1 - 0.35 / total_lines, title_text, fontsize=10.5, fontweight="bold", va="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "review", "svg.fonttype": "none"}):
        figure.savefig(path, format=path.suffix[1:].lower(), metadata=_metadata(path),
                       dpi=PNG_DPI if path.suffix.lower() == ".png" else 72)
    return path


#: Rows of height _ROW one more line of the 10.5 pt title takes (its line spacing, with room to spare).
_TITLE_LINE = 0.8


def _wrap(text: str, width: int = _LABEL_WIDTH) -> str:
    """Wrap at word boundaries only (never inside a word or just after an opening parenthesis)."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) or text


def _model_name(model: MetaResult) -> str:
    if model.method == "FE":
        return "Common effect model"
    name = f"Random effects model ({model.method}"
    return name + (f", {model.test_name})" if model.hk else ")")


def _heterogeneity(result: MetaResult) -> str:
    p = "" if math.isnan(result.q_pvalue) else f", p = {result.q_pvalue:.3f}" if result.q_pvalue >= 1e-3 \
        else ", p < 0.001"
    return (f"Heterogeneity: I² = {whole_percent(result.i2)}%, τ² = {result.tau2:.4f}, "
            f"Q = {result.q:.2f} (df = {result.q_df}){p}")


def _tick_label(value: float) -> str:
    return f"{value:g}"


_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 10, 20, 50, 100)


def _ticks(low: float, high: float, ratio: bool) -> list[float]:
    """Ticks whose outer values enclose [low, high], so no interval runs off the axis."""
    if ratio:
        wide = high - low > math.log(100)
        values = (0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000) if wide else _RATIO_TICKS
        candidates = [math.log(t) for t in values]
        below = [t for t in candidates if t <= low + 1e-12]
        above = [t for t in candidates if t >= high - 1e-12]
        first = below[-1] if below else math.floor(low / math.log(10)) * math.log(10)
        last = above[0] if above else math.ceil(high / math.log(10)) * math.log(10)
        inner = [t for t in candidates if first < t < last]
        while len(inner) > 5:
            inner = inner[::2] if math.log(1.0) not in inner else _thin_keep_one(inner)
        ticks = sorted({first, last, *inner, 0.0})
        return ticks
    span = high - low or 1.0
    step = 10 ** math.floor(math.log10(span / 4))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= 6:
            step *= factor
            break
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = int(round((last - first) / step))
    return [first + i * step for i in range(count + 1)]


def _thin_keep_one(ticks: list[float]) -> list[float]:
    """Every other tick, keeping the null (log 1 = 0) on the axis."""
    centre = ticks.index(0.0)
    return [t for i, t in enumerate(ticks) if (i - centre) % 2 == 0]


def _metadata(path: Path) -> dict[str, str | None]:
    # Drop creation dates so re-running the synthesis gives byte-identical files.
    if path.suffix.lower() == ".svg":
        return {"Date": None}
    return {"Software": "review"}
