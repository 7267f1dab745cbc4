"""The one multiplicity adjustment of the validate stage: Holm's (1979) step-down, from statsmodels.

``factors`` adjusts over the factors of a run and ``survival`` over the k-1 contrasts of k groups;
both name it in their JSON (``p_adjustment``) so a reader knows what ``p_holm`` is.
"""

from __future__ import annotations

from collections.abc import Sequence

#: How ``p_holm`` is adjusted (statsmodels' ``multipletests`` method name); named in the JSON and the report.
P_ADJUSTMENT = "holm"


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-adjusted p of one family of tests, in the given order (an empty family gives an empty list)."""
    if not pvalues:
        return []
    from statsmodels.stats.multitest import multipletests

    return [float(p) for p in multipletests(list(pvalues), method=P_ADJUSTMENT)[1]]
