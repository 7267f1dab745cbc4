"""The six intraclass correlations of Shrout & Fleiss (1979) with their F-based confidence intervals.

From the two-way ANOVA of a complete targets x raters table: ICC1 (one-way random), ICC2
(two-way random, absolute agreement), ICC3 (two-way mixed, consistency), each for a single
rater and for the mean of k raters. The CIs are Shrout & Fleiss's (ICC2 with Satterthwaite's
degrees of freedom), as R's psych::ICC gives them. Each form also carries McGraw & Wong's (1996)
name, and the result names the form to read for the pilot's question (ICC2: would another labour
expert give this client the same score?). Without residual variance (the raters agree perfectly,
or up to a constant) the F ratio is infinite and the CIs are undefined: they are None, not NaN.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import f as f_dist

from .ratings import by_unit, read_ratings, require_complete, require_raters
from .table import cell_error, read_table

FORMS: tuple[str, ...] = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
DESCRIPTIONS: dict[str, str] = {
    "ICC1": "single rater, one-way random (raters differ per target)",
    "ICC2": "single rater, two-way random, absolute agreement",
    "ICC3": "single rater, two-way mixed, consistency",
    "ICC1k": "mean of k raters, one-way random",
    "ICC2k": "mean of k raters, two-way random, absolute agreement",
    "ICC3k": "mean of k raters, two-way mixed, consistency",
}
#: McGraw & Wong's (1996) names of the same forms (psych::ICC's table lists both).
MCGRAW_WONG: dict[str, str] = {
    "ICC1": "ICC(1)", "ICC2": "ICC(A,1)", "ICC3": "ICC(C,1)", "ICC1k": "ICC(k)", "ICC2k": "ICC(A,k)",
    "ICC3k": "ICC(C,k)",
}
#: The form the pilot reports: the labour experts are a sample of all who will use the instrument
#: (random raters), one of them scores a client in practice (single rater), and a rater who scores
#: everyone higher disagrees with the others (absolute agreement) -- Koo & Li (2016), Table 1.
PRIMARY_FORM = "ICC2"


@dataclass(slots=True)
class IccForm:
    form: str
    icc: float
    ci_low: float | None  # None: undefined (no residual variance)
    ci_high: float | None
    f: float | None  # None: infinite (no residual variance)
    df1: int
    df2: int
    p: float
    mcgraw_wong: str = ""


@dataclass(slots=True)
class IccResult:
    path: str
    n_targets: int
    raters: list[str]
    forms: list[IccForm]
    level: float

    @property
    def by_form(self) -> dict[str, IccForm]:
        return {f.form: f for f in self.forms}

    def to_json(self) -> dict[str, Any]:
        return {"kind": "icc", "file": self.path, "n_targets": self.n_targets, "raters": self.raters,
                "level": self.level, "icc": {f.form: f.icc for f in self.forms},
                "forms": [asdict(f) for f in self.forms], "primary_form": PRIMARY_FORM}


def icc_table(ratings: np.ndarray, level: float = 0.95) -> list[IccForm]:
    """The six forms for an ``n targets x k raters`` array without missing values."""
    with np.errstate(divide="ignore", invalid="ignore"):  # no residual variance: see _finite
        return _icc_forms(np.asarray(ratings, dtype=float), level)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _icc_forms(x: np.ndarray, level: float) -> list[IccForm]:
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * np.sum((x.mean(axis=1) - grand) ** 2)
    ss_cols = n * np.sum((x.mean(axis=0) - grand) ** 2)
    ss_total = np.sum((x - grand) ** 2)
    # from the residuals rather than by subtraction, which leaves rounding noise (even a negative sum, an F
    # of -1e16 and p 1) where the raters agree perfectly; noise below 1e-12 of the total is that zero
    row_means, col_means = x.mean(axis=1, keepdims=True), x.mean(axis=0, keepdims=True)
    ss_error = np.sum((x - row_means - col_means + grand) ** 2)
    ss_within = np.sum((x - row_means) ** 2)
    ss_error, ss_within = (0.0 if ss <= 1e-12 * ss_total else ss for ss in (ss_error, ss_within))
    msb = ss_rows / (n - 1)
    msw = ss_within / (n * (k - 1))
    msj = ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    a = 1 - level
    df_w, df_e = n * (k - 1), (n - 1) * (k - 1)

    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    icc1k = (msb - msw) / msb
    icc2k = (msb - mse) / (msb + (msj - mse) / n)
    icc3k = (msb - mse) / msb

    f1, f3, fj = msb / msw, msb / mse, msj / mse
    f1_low, f1_high = f1 / f_dist.ppf(1 - a / 2, n - 1, df_w), f1 * f_dist.ppf(1 - a / 2, df_w, n - 1)
    f3_low, f3_high = f3 / f_dist.ppf(1 - a / 2, n - 1, df_e), f3 * f_dist.ppf(1 - a / 2, df_e, n - 1)
    # Satterthwaite's degrees of freedom for ICC2 (Shrout & Fleiss 1979, eq. 11)
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    f_star, f_star_rev = f_dist.ppf(1 - a / 2, n - 1, v), f_dist.ppf(1 - a / 2, v, n - 1)
    icc2_low = n * (msb - f_star * mse) / (f_star * (k * msj + (k * n - k - n) * mse) + n * msb)
    icc2_high = n * (f_star_rev * msb - mse) / (k * msj + (k * n - k - n) * mse + n * f_star_rev * msb)

    p1 = float(f_dist.sf(f1, n - 1, df_w))
    p3 = float(f_dist.sf(f3, n - 1, df_e))
    rows = [
        ("ICC1", icc1, (f1_low - 1) / (f1_low + k - 1), (f1_high - 1) / (f1_high + k - 1), f1, n - 1, df_w, p1),
        ("ICC2", icc2, icc2_low, icc2_high, f3, n - 1, df_e, p3),
        ("ICC3", icc3, (f3_low - 1) / (f3_low + k - 1), (f3_high - 1) / (f3_high + k - 1), f3, n - 1, df_e, p3),
        ("ICC1k", icc1k, 1 - 1 / f1_low, 1 - 1 / f1_high, f1, n - 1, df_w, p1),
        ("ICC2k", icc2k, icc2_low * k / (1 + icc2_low * (k - 1)), icc2_high * k / (1 + icc2_high * (k - 1)),
         f3, n - 1, df_e, p3),
        ("ICC3k", icc3k, 1 - 1 / f3_low, 1 - 1 / f3_high, f3, n - 1, df_e, p3),
    ]
    # an infinite F leaves every limit undefined, also where a formula still yields a number (ICC3k's
    # 1 - 1/F_low gave (1, 1), a zero-width interval from any n)
    return [IccForm(name, float(v), *((_finite(lo), _finite(hi)) if np.isfinite(fv) else (None, None)),
                    _finite(fv), int(d1), int(d2), p, MCGRAW_WONG[name])
            for name, v, lo, hi, fv, d1, d2, p in rows]


def intraclass(path: Path | str, *, target: str = "target", rater: str = "rater", score: str = "score",
               level: float = 0.95) -> IccResult:
    """ICCs of a long ``target, rater, score`` file in which every rater scored every target."""
    table = read_table(path)
    ratings = read_ratings(table, target, rater, score)
    raters = require_raters(table, ratings, rater)
    require_complete(table, ratings, target, raters)
    units = by_unit(ratings)
    if len(units) < 2:
        raise cell_error(table.path, None, target, f"fewer than two targets ({len(units)})")
    matrix = np.array([[given[r].value for r in raters] for given in units.values()])
    if np.all(matrix == matrix.flat[0]):
        raise cell_error(table.path, None, score, f"every score is {matrix.flat[0]:g}: nothing varies between "
                                                  "targets or raters, so no ICC can be computed")
    means = matrix.mean(axis=1)
    # relative, as the ANOVA's zero sums of squares are: the ICC does not depend on the scores' unit
    if np.sum((means - means.mean()) ** 2) <= 1e-12 * np.sum((matrix - matrix.mean()) ** 2):
        raise cell_error(table.path, None, target, f"every target's mean score is {means[0]:g}: no variance between "
                                                   "targets, so the ICC (their share of the variance) is undefined")
    return IccResult(str(path), len(units), raters, icc_table(matrix, level), level)
