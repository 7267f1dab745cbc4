"""Figures where one helps: Kaplan-Meier curves and the calibration of the profile groups."""

from __future__ import annotations

import io
from pathlib import Path

from ..atomic import make_folders, write_bytes_atomic
from ..words import effect_interval, effect_number
from .predictive import PredictiveResult
from .survival import SurvivalResult


def _figure():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def km_plot(result: SurvivalResult, path: Path, *, synthetic: bool = False) -> Path:
    """Kaplan-Meier curves per group with their confidence bands."""
    return write_figure(path, km_figure(result, figure_format(path), synthetic=synthetic))


def km_figure(result: SurvivalResult, fmt: str, *, synthetic: bool = False) -> bytes:
    """:func:`km_plot`'s figure drawn as ``fmt`` (png, svg, pdf), not written."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for g in result.groups:
        line = ax.step(g.timeline, g.survival, where="post", label=f"{g.group} (n={g.n}, events={g.events})")[0]
        ax.fill_between(g.timeline, g.lower, g.upper, step="post", alpha=0.15, color=line.get_color())
    hr = result.hazard_ratio
    stratified = f" (stratified by {result.strata})" if result.strata else ""
    title = f"Kaplan-Meier by {result.group}: log-rank{stratified} p = {result.logrank_p:.3g}"
    if hr is not None and result.hazard_ratio_ci is not None:
        lo, hi = result.hazard_ratio_ci
        title += f", HR {effect_number(hr)} ({effect_interval(lo, hi)})"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(result.time)
    ax.set_ylabel(f"without {result.event}")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _drawn(fig, plt, fmt, synthetic)


def calibration_plot(result: PredictiveResult, path: Path, *, synthetic: bool = False) -> Path:
    """Observed risk per profile group (with CI) against the logistic model's predicted risk."""
    return write_figure(path, calibration_figure(result, figure_format(path), synthetic=synthetic))


def calibration_figure(result: PredictiveResult, fmt: str, *, synthetic: bool = False) -> bytes:
    """:func:`calibration_plot`'s figure drawn as ``fmt`` (png, svg, pdf), not written."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    groups = [g for g in result.calibration if g.observed is not None]
    model = "Cox model" if result.time else "logistic model"
    if all(g.predicted is not None for g in groups):
        x = [g.predicted for g in groups]
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        ax.set_xlabel(f"predicted risk ({model})")
    else:
        x = list(range(len(groups)))
        ax.set_xticks(x, [g.group for g in groups])
        ax.set_xlabel(result.predictor)
    # A group with an observed risk has its CI too (Wilson, or Kaplan-Meier's bands).
    y = [float(g.observed) for g in groups]  # type: ignore[arg-type]
    err = [[yi - float(g.observed_ci[0]) for yi, g in zip(y, groups)],  # type: ignore[arg-type]
           [float(g.observed_ci[1]) - yi for yi, g in zip(y, groups)]]  # type: ignore[arg-type]
    ax.errorbar(x, y, yerr=err, fmt="o", capsize=3)
    for xi, yi, g in zip(x, y, groups):
        ax.annotate(g.group, (xi, yi), textcoords="offset points", xytext=(6, -10), fontsize=7)
    ax.set_ylabel(f"observed {result.outcome}" + (f" by {result.time} {result.horizon:g} (Kaplan-Meier)"
                                                   if result.time and result.horizon is not None else ""))
    lo, hi = result.c_statistic_ci
    measure = "Harrell's C" if result.time else "C-statistic (AUC)"
    ax.set_title(f"{measure} {result.c_statistic:.2f} ({lo:.2f}-{hi:.2f})", fontsize=10)
    fig.tight_layout()
    return _drawn(fig, plt, fmt, synthetic)


def figure_format(path: Path) -> str:
    """The format a figure is drawn in, from its file's suffix."""
    return Path(path).suffix.lstrip(".").lower() or "png"


def _drawn(fig, plt, fmt: str, synthetic: bool) -> bytes:  # type: ignore[no-untyped-def]
    if synthetic:
        fig.text(0.99, 0.01, "SYNTHETIC demo data", ha="right", va="bottom", fontsize=8, color="firebrick")
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=fmt, dpi=120)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def write_figure(path: Path, drawn: bytes) -> Path:
    """Write a drawn figure. KM steps fall on individual event times: the figure is as private as the JSON (0600),
    its new folders too."""
    path = Path(path)
    make_folders(path.parent, 0o700)
    write_bytes_atomic(path, drawn, mode=0o600)
    return path
