"""The one multiplicity adjustment of the validate stage: Holm's (1979) step-down, from statsmodels.

``factors`` adjusts over the factors of a run and ``survival`` over the contrasts of k groups, each the
test's p (``p_holm``) and, as a family of its own, the Schoenfeld p of proportional hazards
(``ph_p_holm``, over those that have one); both name the method in their JSON (``p_adjustment``) so a
reader knows what ``p_holm`` and ``ph_p_holm`` are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

#: How ``p_holm`` is adjusted (statsmodels' ``multipletests`` method name); named in the JSON and the report.
P_ADJUSTMENT = "holm"

Tested = TypeVar("Tested")


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-adjusted p of one family of tests, in the given order (an empty family gives an empty list)."""
    if not pvalues:
        return []
    from statsmodels.stats.multitest import multipletests

    return [float(p) for p in multipletests(list(pvalues), method=P_ADJUSTMENT)[1]]


def holm_family(items: Sequence[Tested], pvalue: Callable[[Tested], float | None], *,
                smallest: int = 1) -> list[tuple[Tested, float]]:
    """Each item that has a p (``pvalue`` gives None where not), in order, with its Holm-adjusted p over
    those items (one family); none when fewer than ``smallest`` have a p."""
    tested = [(item, p) for item in items if (p := pvalue(item)) is not None]
    if len(tested) < smallest:
        return []
    return list(zip((item for item, _ in tested), holm([p for _, p in tested]), strict=True))
