"""Plain-text tables of a meta-analysis, for the terminal and the Markdown report."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..levels import level_percent
from .meta import MetaResult, z_quantile


def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _p(value: float) -> str:
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def meta_table(result: MetaResult, *, fixed: MetaResult | None = None,
               entered_ci: Sequence[tuple[float, float] | None] | None = None) -> str:
    """Study rows with weights, then the pooled lines and heterogeneity, like ``print(metagen)``.

    A study's CI is printed as entered (``entered_ci``) when there is one: a published, rounded or
    asymmetric CI is never replaced by the symmetric one behind its SE.
    """
    scale = result.measure if result.ratio else result.measure or "effect"
    z = z_quantile(result.level)
    width = max([len("study")] + [len(s) for s in result.studies])
    pct = f"{level_percent(result.level, spaced=False)}-CI"
    lines = [f"{'study':<{width}}  {scale:>8}  {pct:>17}  {'weight %':>8}"]
    entered = list(entered_ci) if entered_ci is not None else [None] * result.k
    for label, y, v, w, given in zip(result.studies, result.yi, result.vi, result.weights, entered):
        se = math.sqrt(v)
        low, high = given if given is not None else (result.back(y - z * se), result.back(y + z * se))
        lines.append(f"{label:<{width}}  {_fmt(result.back(y)):>8}  [{_fmt(low):>7}; {_fmt(high):>7}]  {w:>8.1f}")
    lines.append("")
    models = [fixed] if fixed is not None else []
    models.append(result)
    for model in models:
        name = {"FE": "common effect"}.get(model.method, f"random effects ({model.method})")
        if model.hk:
            name += f" + {model.test_name}"
        stat = f"t({model.df}) = {model.statistic:.2f}" if model.df is not None else f"z = {model.statistic:.2f}"
        lines.append(
            f"{name:<34} {_fmt(model.back(model.estimate)):>8}  "
            f"[{_fmt(model.back(model.ci_low)):>7}; {_fmt(model.back(model.ci_high)):>7}]  {stat}  p {_p(model.pvalue)}"
        )
    if result.pi_low is not None:
        lines.append(f"{'prediction interval':<34} {'':>8}  "
                     f"[{_fmt(result.back(result.pi_low)):>7}; {_fmt(result.back(result.pi_high)):>7}]")
    lines.append("")
    q_p = "" if math.isnan(result.q_pvalue) else f"  p {_p(result.q_pvalue)}"
    # To the digits metafor's print.rma prints, so the two can be read side by side.
    se_tau2 = f" (SE = {result.se_tau2:.4f})" if result.se_tau2 is not None else ""
    lines.append(
        f"heterogeneity: tau² = {result.tau2:.4f}{se_tau2}  tau = {result.tau:.4f}  I² = {result.i2:.2f}%  "
        f"H² = {result.h2:.2f}  Q(df = {result.q_df}) = {result.q:.4f}{q_p}"
    )
    if result.tau2_ci is not None and result.i2_ci is not None:
        pct = level_percent(result.level, spaced=False)
        lines.append(f"{pct} Q-profile CI: tau² [{result.tau2_ci[0]:.4f}; {result.tau2_ci[1]:.4f}]  "
                     f"I² [{result.i2_ci[0]:.2f}%; {result.i2_ci[1]:.2f}%]")
    return "\n".join(lines)
