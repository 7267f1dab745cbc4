"""Forest plots with matplotlib's Agg canvas (no pyplot, no display, no global backend switch)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .meta import MetaResult, is_ratio, z_quantile

PLOT_FORMATS: tuple[str, ...] = (".png", ".svg")


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


def forest_plot(
    rows: Sequence[ForestRow],
    path: Path,
    *,
    measure: str,
    result: MetaResult | None = None,
    title: str = "",
) -> Path:
    """Draw studies (squares sized by weight) and the pooled diamond; PNG or SVG by suffix."""
    path = Path(path)
    if path.suffix.lower() not in PLOT_FORMATS:
        raise ValueError(f"{path}: plot format must be one of {', '.join(PLOT_FORMATS)}")
    ratio = is_ratio(measure)
    show = math.exp if ratio else (lambda x: x)
    n = len(rows) + (2 if result is not None else 0)
    figure = Figure(figsize=(8.0, 1.2 + 0.38 * max(n, 2)), dpi=120)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot(1, 1, 1)

    labels: list[str] = []
    positions = list(range(n, 0, -1))
    for pos, row in zip(positions, rows):
        size = 40 + 2.2 * (row.weight if row.weight is not None else 20)
        ax.plot([row.ci_low, row.ci_high], [pos, pos], color="black", linewidth=1)
        ax.scatter([row.y], [pos], marker="s", s=size, color="#1f4e79", zorder=3)
        labels.append(f"{row.label}   {show(row.y):.2f} [{show(row.ci_low):.2f}, {show(row.ci_high):.2f}]")
    if result is not None:
        pos = positions[len(rows) + 1]
        ax.fill(
            [result.ci_low, result.estimate, result.ci_high, result.estimate],
            [pos, pos + 0.3, pos, pos - 0.3], color="#c0392b", zorder=3,
        )
        if result.pi_low is not None and result.pi_high is not None:
            ax.plot([result.pi_low, result.pi_high], [pos, pos], color="#c0392b", linewidth=1, alpha=0.6)
        method = result.method + (f" + {result.test_name}" if result.hk else "")
        labels.extend([
            "",
            f"{method} pooled   {show(result.estimate):.2f} [{show(result.ci_low):.2f}, "
            f"{show(result.ci_high):.2f}]   I² {result.i2:.0f}%",
        ])
    ax.axvline(0.0, color="grey", linestyle="--", linewidth=0.8)
    ax.set_yticks(positions[: len(labels)])
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(0.3, n + 0.7)
    if ratio:
        ticks = [t for t in _COARSE_TICKS if _in_view(ax, math.log(t))]
        if len(ticks) < 3:
            ticks = [t for t in _FINE_TICKS if _in_view(ax, math.log(t))]
            while len(ticks) > 6:
                ticks = ticks[::2]
        ax.set_xticks([math.log(t) for t in ticks])
        ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.set_xlabel(f"{measure} ({'log scale' if ratio else 'raw scale'})")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "review"}):
        figure.savefig(path, format=path.suffix[1:].lower(), metadata=_metadata(path))
    return path


_COARSE_TICKS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 10, 25, 50, 100)
_FINE_TICKS = (0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2)


def _in_view(ax: object, x: float) -> bool:
    low, high = ax.get_xlim()  # type: ignore[attr-defined]
    return low - 0.05 <= x <= high + 0.05


def _metadata(path: Path) -> dict[str, str | None]:
    # Drop creation dates so re-running the synthesis gives byte-identical files.
    if path.suffix.lower() == ".svg":
        return {"Date": None}
    return {"Software": "review"}
