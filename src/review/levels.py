"""Confidence levels as every reader takes them, and the overflow-safe way back from the log scale.

One rule for a ``ci_level`` wherever a user writes one (a study file of the extraction, a ``review
meta`` CSV): a fraction 0.5 ≤ x < 1 or a percent 50 ≤ x < 100. Below 0.5 no paper reports a CI, and a
level near 0 makes the interval's width divide by a quantile near 0; 1 and 100 give no interval.
"""

from __future__ import annotations

import math
from statistics import NormalDist

#: The level papers report and every output assumes unless a CI says otherwise.
STANDARD_LEVEL = 0.95


def ci_level_fraction(value: object) -> float | None:
    """``value`` as a fraction when it is a level under the rule (0.9 → 0.9, 90 → 0.9), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if 0.5 <= value < 1:
        return float(value)
    if 50 <= value < 100:
        return value / 100.0
    return None


def ci_level_problem(value: object) -> str:
    """The one message for a ``ci_level`` outside the rule (the caller puts the file, field and line)."""
    return f"{value!r} is no confidence level: give a fraction 0.5 ≤ x < 1 (0.95) or a percent 50 ≤ x < 100 (95)"


def is_standard_level(level: float) -> bool:
    """Whether ``level`` is the 95 % a number is shown at without naming its level."""
    return math.isclose(level, STANDARD_LEVEL)


def level_percent(level: float, *, decimal: str = ".", spaced: bool = True) -> str:
    """A confidence level (a fraction) as a percent with as many decimals as it has, and ``decimal`` as
    the decimal sign: ``90 %``, ``97.5 %`` (``97,5 %`` in Dutch), ``99.5 %``: the one way every output
    names a CI's level (rounding to whole percents read 0.995 as ``100 %``). ``spaced=False`` writes
    ``95%`` for the validate reports' columns, which have always been written so."""
    return f"{round(level * 100, 6):g}".replace(".", decimal) + (" %" if spaced else "%")


def percent(level: float) -> str:
    """``level_percent`` without the space, ``95%``, ``97.5%``, ``99.7%`` (whole percentages said 0.999 was
    ``100%``): how the stopping rules' words and the validate reports write a level, target or confidence."""
    return level_percent(level, spaced=False)


def ci_level_prefix(level: float | None) -> str:
    """What a CI's bounds are preceded by: ``90 % CI `` for a level other than the standard one, else ""
    (an interval at 95 % is written bare, as papers write it)."""
    return "" if level is None or is_standard_level(level) else f"{level_percent(level)} CI "


def exp_or_limit(value: float) -> float:
    """``exp(value)`` back from the log scale: inf past the float range (0 below it, as exp gives), so a
    very wide interval is shown as unbounded instead of ending the command in OverflowError."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def rescaled_interval(centre: float | None, low: float, high: float, *, from_level: float,
                      to_level: float) -> tuple[float, float]:
    """A CI published at ``from_level`` redrawn at ``to_level``, on the scale given (log for ratios): each
    side's distance from the published estimate ``centre`` (the CI's midpoint when none is given) scaled by
    the ratio of the two levels' normal quantiles. A symmetric CI gives the Wald interval ``review meta``
    and the pooling read (``meta.effect_from_ci``); an asymmetric one keeps its shape, so a 95 % interval
    always contains the paper's own 90 % one (taking the SE from the full width around the estimate moved
    OR 1.5 (90 % CI 0.90-1.60) to 1.07-2.11, a finding the paper does not report). One function for the
    finding's significance and the forest plot, so the two never draw different intervals."""
    normal = NormalDist()
    scale = normal.inv_cdf((1 + to_level) / 2) / normal.inv_cdf((1 + from_level) / 2)
    mid = (low + high) / 2 if centre is None else centre
    return mid - (mid - low) * scale, mid + (high - mid) * scale
