"""Chance-corrected agreement shared by the stages that report it (screening, validate).

Gwet's AC1 (Gwet 2008) has no implementation in the libraries we use, so it lives here once:
the chance term is the mean category share's ``p(1 - p)`` summed over the ``Q`` categories
and divided by ``Q - 1``. So does the one rule for an agreement index's interval
(:func:`index_interval`): inside the index's range [-1, 1], and never of zero width; and the one
normal quantile of a two-sided interval (:func:`normal_quantile`, also synthesis' z), so screening's and
validate's kappa give statsmodels' limits to the last digit; and Cohen's kappa with that interval from two
raters' categories (:func:`cohens_kappa_interval`), the one call both stages make.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import math

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["alpha_of_level", "cohens_kappa_interval", "gwet_ac1", "index_interval", "normal_quantile",
           "wald_interval"]


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


def alpha_of_level(level: float) -> float:
    """``1 - level`` as the decimals of ``level`` say it: 0.05 for 0.95, where the binary difference is
    0.050000000000000044 (0.95 is not exact in binary) and its z would be one unit lower in the last digit."""
    from decimal import Decimal

    # str(float(...)): numpy 2's repr of np.float64(0.95) is 'np.float64(0.95)', no number Decimal reads
    return float(Decimal(1) - Decimal(str(float(level))))


def normal_quantile(alpha: float) -> float:
    """z of a two-sided ``1 - alpha`` interval: the upper ``alpha / 2`` tail of the standard normal.

    From the tail (``isf``), as statsmodels' ``cohens_kappa`` computes its limits (``isf(0.025)``, exactly
    1.9599639845400545). ``ppf(1 - alpha/2)`` first rounds ``1 - alpha/2``, and an ``alpha`` taken as
    ``1 - level`` is not 0.05 (:func:`alpha_of_level`): both give 1.959963984540054, one unit lower."""
    from scipy.stats import norm  # (a fraction of a second to import: only here)

    return float(norm.isf(alpha / 2))


def wald_interval(estimate: float, standard_error: float, alpha: float = 0.05) -> tuple[float, float] | None:
    """``estimate +- z SE`` of a two-sided ``1 - alpha`` interval (:func:`normal_quantile`) under
    :func:`index_interval`'s rule (the Wald interval of kappa passes 1 near perfect agreement: 0.90 gave
    0.71 to 1.09)."""
    z = normal_quantile(alpha)
    return index_interval(estimate - z * standard_error, estimate + z * standard_error)


def cohens_kappa_interval(rater_a: ArrayLike, rater_b: ArrayLike, n_categories: int, alpha: float = 0.05, *,
                          wt: str | None = None, category_values: ArrayLike | None = None,
                          ) -> tuple[float | None, tuple[float, float] | None]:
    """Cohen's kappa of two raters' category indices (0..``n_categories``-1, one pair per target) from
    statsmodels' ``cohens_kappa`` on their cross table, and its :func:`wald_interval` at ``1 - alpha``
    from statsmodels' asymptotic SE (its own limits are fixed at 95 %). ``wt`` (linear, quadratic) weights
    the disagreements by ``category_values``. (None, None) where kappa is undefined; the interval is None
    where it would be of zero width."""
    import numpy as np
    from statsmodels.stats.inter_rater import cohens_kappa  # (about a second to import: only here)

    table = np.zeros((n_categories, n_categories))
    np.add.at(table, (np.asarray(rater_a, dtype=np.int64), np.asarray(rater_b, dtype=np.int64)), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if wt is None:
            result = cohens_kappa(table, return_results=True)
        else:
            result = cohens_kappa(table, weights=np.asarray(category_values, dtype=float), wt=wt,
                                  return_results=True)
    kappa = float(result["kappa"])
    if not math.isfinite(kappa):
        return None, None
    return kappa, wald_interval(kappa, float(result["std_kappa"]), alpha)
