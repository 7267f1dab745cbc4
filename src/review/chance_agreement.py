"""Chance-corrected agreement shared by the stages that report it (screening, validate).

Gwet's AC1 (Gwet 2008) has no implementation in the libraries we use, so it lives here once:
the chance term is the mean category share's ``p(1 - p)`` summed over the ``Q`` categories
and divided by ``Q - 1``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["gwet_ac1"]


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
