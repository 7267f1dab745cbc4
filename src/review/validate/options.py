"""The ranges of ``review validate``'s number options: one spec for the command line and the analysis plan.

The CLI builds its click types from :func:`number_range` and the plan's check (``validate.run.load_plan``)
asks the same spec, so a value the plan accepts is one the flag accepts: ``level = 1`` passed the plan's
check and was refused by the flag, after the analyses before it had written their results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..workspace import MAX_SEED


@dataclass(frozen=True, slots=True)
class NumberRange:
    """The values one number option takes: bounds (None: unbounded), whether each bound itself is refused,
    whether a whole number is needed, and a hint added to the refusal."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    whole: bool = False
    hint: str = ""

    def accepts(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def describe(self) -> str:
        """The range in words, as a refusal says it: "above 0, below 1: a fraction such as 0.95"."""
        bounds = []
        if self.low is not None:
            bounds.append(f"{'above' if self.low_open else 'at least'} {self._number(self.low)}")
        if self.high is not None:
            bounds.append(f"{'below' if self.high_open else 'at most'} {self._number(self.high)}")
        return ", ".join(bounds) + (f": {self.hint}" if self.hint else "")

    def _number(self, bound: float) -> str:
        return str(int(bound)) if self.whole else f"{bound:g}"


_WHOLE = NumberRange(whole=True)
#: Every kind's number options, by the plan's name (the flag's with underscores).
NUMBER_OPTIONS: dict[str, NumberRange] = {
    "level": NumberRange(0, 1, low_open=True, high_open=True, hint="a fraction such as 0.95"),
    "threshold": NumberRange(0, 1, low_open=True),
    # more than half: keep and drop cannot both reach it
    "consensus": NumberRange(0.5, 1, low_open=True),
    "horizon": NumberRange(0, low_open=True),
    "bootstrap": NumberRange(0, whole=True),  # kappa reports no AC1 interval at 0
    "seed": NumberRange(0, MAX_SEED, whole=True),
    "scale_min": _WHOLE, "scale_max": _WHOLE, "agree_from": _WHOLE, "disagree_to": _WHOLE,
}
#: A kind whose option takes a narrower range than the others': predictive's C-statistic interval is a
#: quantile of its resamples, and of none it was an IndexError traceback (after the plan's earlier analyses wrote).
KIND_NUMBER_OPTIONS: dict[tuple[str, str], NumberRange] = {
    ("predictive", "bootstrap"): NumberRange(1, whole=True),
}


def number_range(kind: str, key: str) -> NumberRange:
    """The range of ``kind``'s number option ``key`` (KeyError: not a number option)."""
    return KIND_NUMBER_OPTIONS.get((kind, key)) or NUMBER_OPTIONS[key]
