"""Chance-corrected agreement shared by the stages that report it (screening, validate).

Gwet's AC1 (Gwet 2008) has no implementation in the libraries we use, so it lives here once:
the chance term is the mean category share's ``p(1 - p)`` summed over the ``Q`` categories
and divided by ``Q - 1``. So does the one rule for an agreement index's interval
(:func:`index_interval`): inside the index's range [-1, 1], and never of zero width; and the one
normal quantile of a Wald interval (:func:`normal_quantile`), so screening's and validate's kappa
give the same limits to the last digit.
"""

from __future__ import annotations

from collections.abc import Iterable

import math

__all__ = ["gwet_ac1", "index_interval", "normal_quantile", "wald_interval"]


def gwet_ac1(observed_agreement: float, category_shares: Iterable[float]) -> float | None:
    """AC1 from the observed agreement and each category's share over both raters' labels.

    ``category_shares`` holds one entry per possible category (also those nobody used), so
    the number of categories ``Q`` is its length. None when fewer than two categories exist.
    """
    shares = list(category_shares)
    if len(shares) < 2:
        return None
    chance = sum(p * (1 - p) for p in shares) / (len(shares) - 1)
    # With Q >= 2 the chance term is at most 1/Q, so the denominator never reaches zero.
    return (observed_agreement - chance) / (1 - chance)


def index_interval(low: float, high: float) -> tuple[float, float] | None:
    """An agreement index's interval cut to the index's range [-1, 1]; None when it is undefined (not finite)
    or of zero width, which would claim certainty from any number of pairs (kappa at +-1 has SE 0, a
    bootstrap whose every resample agrees perfectly has no spread)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    low, high = max(-1.0, low), min(1.0, high)
    return (low, high) if low < high else None


def normal_quantile(level: float) -> float:
    """z of a two-sided ``level`` interval: the upper ``(1 - level) / 2`` tail of the standard normal.

    From the tail (``isf``), as statsmodels' ``cohens_kappa`` computes its limits: ``ppf(1 - a/2)``
    first rounds ``1 - a/2`` and gave a z one unit lower in the last digit (1.959963984540054)."""
    from scipy.stats import norm  # (a fraction of a second to import: only here)

    return float(norm.isf((1 - level) / 2))


def wald_interval(estimate: float, standard_error: float, level: float = 0.95) -> tuple[float, float] | None:
    """``estimate +- z SE`` at ``level`` (:func:`normal_quantile`) under :func:`index_interval`'s rule (the
    Wald interval of kappa passes 1 near perfect agreement: 0.90 gave 0.71 to 1.09)."""
    z = normal_quantile(level)
    return index_interval(estimate - z * standard_error, estimate + z * standard_error)
