"""Inverse-variance meta-analysis of log ratios (or raw differences), as metafor/R meta do it.

Common effect, DerSimonian–Laird, Paule–Mandel, ML and REML between-study variance, the
Hartung–Knapp(–Sidik–Jonkman) adjustment, prediction intervals and Q/I²/H². Conventions follow
``rma.uni`` (metafor) unless a parameter says otherwise; every formula is checked against the
reference vectors in ``../shared/data/meta_reference``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, overload

import numpy as np
from scipy import optimize, stats

from ..chance_agreement import alpha_of_level, normal_quantile
from ..errors import ValidationError
from ..levels import exp_or_limit
from .methods import METHODS as METHODS  # (apart: [synthesis] method's check loads no numpy)

#: Ratio measures pooled on the log scale; anything else (MD) is pooled as is.
RATIO_MEASURES: frozenset[str] = frozenset({"OR", "HR", "RR"})
#: metafor: z (or t_{k-1} with HK); meta: t_{k-2} (Higgins–Thompson–Spiegelhalter, meta 4.x).
PREDICTION_CONVENTIONS: tuple[str, ...] = ("meta", "metafor")

_TAU2_TOL = 1e-12
_MAX_ITER = 500

#: Sampling variances whose weights 1/v, their squares and their cubes (the likelihood's information) stay
#: within double precision (about 1e±308); outside it the sums overflow or vanish.
VARIANCE_RANGE: tuple[float, float] = (1e-100, 1e100)
#: Past this ratio of the largest to the smallest variance the other weights vanish beside the smallest
#: variance's in a sum (1 + 1/ratio == 1 in double precision): nothing of those studies would be pooled.
MAX_VARIANCE_RATIO = float(1 / np.finfo(float).eps)
#: From this ratio metafor's ``rma.uni`` warns that it may not obtain stable results.
UNSTABLE_VARIANCE_RATIO = 1e7


def variance_problem(v: Sequence[float], names: Sequence[str]) -> tuple[int, str] | None:
    """The first sampling variance a pool cannot take in double precision and why (naming the largest by
    ``names``); None when every one can be pooled."""
    low, high = VARIANCE_RANGE
    for i, x in enumerate(v):
        if not low <= x <= high:
            return i, (f"{x:g} is outside {low:g} to {high:g}, where a pool's weights (1/vi, their squares and "
                       "cubes) stay within double precision; check the value, or rescale yi (vi with its square)")
    smallest, largest = int(np.argmin(v)), int(np.argmax(v))
    ratio = v[largest] / v[smallest]
    if ratio > MAX_VARIANCE_RATIO:
        return smallest, (f"{v[smallest]:g} is {ratio:.0e} times smaller than the largest variance ({v[largest]:g}, "
                          f"{names[largest]}): beyond {MAX_VARIANCE_RATIO:.2g} the other studies' weights vanish "
                          "beside its weight in double precision, so nothing of them would be pooled; check the value")
    return None


def unstable_variance_ratio(v: Sequence[float]) -> tuple[int, int, float] | None:
    """(smallest, largest, ratio) when the ratio reaches the one metafor warns at; else None."""
    smallest, largest = int(np.argmin(v)), int(np.argmax(v))
    ratio = float(v[largest] / v[smallest])
    return (smallest, largest, ratio) if ratio >= UNSTABLE_VARIANCE_RATIO else None


def z_quantile(level: float) -> float:
    """Two-sided normal quantile for a ``level`` confidence interval: the one z of every stage
    (:func:`review.chance_agreement.normal_quantile`, 1.9599639845400545 for 0.95, as metafor's
    ``qnorm(alpha/2, lower.tail=FALSE)`` with ``alpha`` 0.05)."""
    return normal_quantile(alpha_of_level(level))


def is_ratio(measure: str) -> bool:
    return measure.upper() in RATIO_MEASURES


def effect_from_ci(
    estimate: float | None, ci_low: float, ci_high: float, *, measure: str = "OR", level: float = 0.95
) -> tuple[float, float]:
    """(yi, sei) from a published estimate and CI: log scale for ratios, SE from the CI width.

    With rounded CIs the log estimate is not the CI midpoint; the reported estimate is kept as
    ``yi`` (the CI midpoint when no estimate is given) and only the width sets the SE.
    """
    if not ci_low < ci_high:
        raise ValidationError(f"ci_low {ci_low} must be below ci_high {ci_high}")
    if is_ratio(measure):
        if ci_low <= 0 or (estimate is not None and estimate <= 0):
            raise ValidationError(f"{measure} estimate and CI must be positive")
        lo, hi = math.log(ci_low), math.log(ci_high)
        y = math.log(estimate) if estimate is not None else (lo + hi) / 2.0
    else:
        lo, hi = ci_low, ci_high
        y = estimate if estimate is not None else (lo + hi) / 2.0
    return y, (hi - lo) / (2.0 * z_quantile(level))


#: escalc's default continuity correction: added to every cell of a study with a zero cell.
CONTINUITY_CORRECTION = 0.5


def continuity_corrected(
    a: Sequence[float], b: Sequence[float], c: Sequence[float], d: Sequence[float], *,
    add: float = CONTINUITY_CORRECTION,
) -> tuple[list[tuple[float, float, float, float]], list[int]]:
    """2×2 cells with ``add`` in every cell of each study that has a zero cell (metafor ``escalc``,
    ``add=1/2, to="only0"``), and the indices of the corrected studies."""
    cells: list[tuple[float, float, float, float]] = []
    corrected: list[int] = []
    for i, (a_i, b_i, c_i, d_i) in enumerate(zip(a, b, c, d)):
        extra = add if min(a_i, b_i, c_i, d_i) == 0 else 0.0
        if extra:
            corrected.append(i)
        cells.append((float(a_i) + extra, float(b_i) + extra, float(c_i) + extra, float(d_i) + extra))
    return cells, corrected


def effects_from_2x2(
    measure: str, a: Sequence[float], b: Sequence[float], c: Sequence[float], d: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Log RR or log OR and their variances from 2×2 counts (metafor ``escalc``).

    Cells must be positive: apply :func:`continuity_corrected` first when one is zero.
    """
    a_, b_, c_, d_ = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    if np.any(a_ <= 0) or np.any(b_ <= 0) or np.any(c_ <= 0) or np.any(d_ <= 0):
        raise ValidationError("2x2 cells must be positive (add the continuity correction to zero cells)")
    if measure == "RR":
        yi = np.log((a_ / (a_ + b_)) / (c_ / (c_ + d_)))
        vi = 1 / a_ - 1 / (a_ + b_) + 1 / c_ - 1 / (c_ + d_)
    elif measure == "OR":
        yi = np.log((a_ * d_) / (b_ * c_))
        vi = 1 / a_ + 1 / b_ + 1 / c_ + 1 / d_
    else:
        raise ValidationError(f"measure {measure!r}: 2x2 counts give RR or OR")
    return yi, vi


@dataclass(slots=True)
class MetaResult:
    """A pooled estimate with heterogeneity; estimates on the analysis (log) scale."""

    method: str
    measure: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float  # z, or t under Hartung–Knapp
    pvalue: float
    df: int | None  # t degrees of freedom under HK, None for z
    tau2: float
    se_tau2: float | None
    q: float
    q_df: int
    q_pvalue: float
    i2: float  # percent, metafor convention
    h2: float
    pi_low: float | None
    pi_high: float | None
    hk: bool
    level: float
    #: Hartung–Knapp scaling factor floored at 1 (Knapp & Hartung 2003; metafor ``test="adhoc"``).
    hk_adhoc: bool = False
    #: The Hartung–Knapp scaling factor before any floor (None without HK).
    hk_scale: float | None = None
    weights: list[float] = field(default_factory=list)  # percent, sum 100
    studies: list[str] = field(default_factory=list)
    yi: list[float] = field(default_factory=list)
    vi: list[float] = field(default_factory=list)
    prediction: str = "meta"
    #: Q-profile confidence intervals for tau² and I² (random-effects models, k ≥ 2).
    tau2_ci: tuple[float, float] | None = None
    i2_ci: tuple[float, float] | None = None
    #: The I² CI R meta prints (Higgins & Thompson 2002, from the CI of H; a fraction in meta, percent here).
    i2_ci_meta: tuple[float, float] | None = None

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def ratio(self) -> bool:
        return is_ratio(self.measure)

    @overload
    def back(self, value: float) -> float: ...

    @overload
    def back(self, value: None) -> None: ...

    def back(self, value: float | None) -> float | None:
        """A log-scale value on the reporting scale (exp for ratios); inf past the float range (a CI
        entered at a level near 0 has an SE so wide that exp of its bound overflows)."""
        if value is None:
            return None
        return exp_or_limit(value) if self.ratio else value

    @property
    def test_name(self) -> str:
        """'HK' (metafor knha), 'HK ad hoc' (factor floored at 1) or '' (z test)."""
        if not self.hk:
            return ""
        return "HK ad hoc" if self.hk_adhoc else "HK"

    def to_dict(self) -> dict[str, Any]:
        """All fields as JSON-ready values: a non-finite number (t = ∞, Q p-value with k = 1) is None."""
        return _finite(self._raw_dict())

    def _raw_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tau"] = self.tau
        data["scale"] = "log" if self.ratio else "raw"
        if self.ratio:
            data["exp"] = {
                name: self.back(getattr(self, name))
                for name in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")
            }
        return data


def _finite(value: Any) -> Any:
    """``value`` with every NaN/±inf float replaced by None, so ``json.dumps(allow_nan=False)`` works."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def pool(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    method: str = "REML",
    hk: bool = False,
    hk_adhoc: bool = False,
    level: float = 0.95,
    measure: str = "OR",
    studies: Sequence[str] | None = None,
    prediction: str = "meta",
) -> MetaResult:
    """Pool effects ``yi`` with sampling variances ``vi``.

    ``method`` picks tau² (FE fixes it at 0); ``hk`` applies Hartung–Knapp with t_{k-1}
    (metafor ``test="knha"``); ``hk_adhoc`` (implies ``hk``) floors its scaling factor at 1, so the
    CI is never narrower than the z-based one (metafor ``test="adhoc"``; Knapp & Hartung 2003);
    ``prediction`` picks the prediction-interval convention (``meta``: t_{k-2}, k ≥ 3;
    ``metafor``: t_{k-1} under HK, else z).
    """
    method = method.upper()
    hk = (hk or hk_adhoc) and len(yi) > 1  # one study: nothing to rescale
    hk_adhoc = hk_adhoc and hk
    if method not in METHODS:
        raise ValidationError(f"method {method!r}: expected one of {', '.join(METHODS)}")
    if prediction not in PREDICTION_CONVENTIONS:
        raise ValidationError(f"prediction {prediction!r}: expected meta or metafor")
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = len(y)
    if k == 0 or len(v) != k:
        raise ValidationError("meta-analysis needs the same number (≥ 1) of effects and variances")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise ValidationError("effects must be finite and variances positive")
    names = list(studies) if studies is not None else [f"study {i + 1}" for i in range(k)]
    problem = variance_problem([float(x) for x in v], names)
    if problem is not None:  # (the arithmetic below overflowed or divided by zero: a traceback)
        raise ValidationError(f"{names[problem[0]]}: variance {problem[1]}")

    if k == 1:  # nothing to pool: metafor's rma.uni fits the common-effect model for k = 1
        method = "FE"
    w = 1.0 / v
    mu_fe = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - mu_fe) ** 2))
    q_df = k - 1
    tau2 = 0.0 if method == "FE" else estimate_tau2(y, v, method)

    ws = 1.0 / (v + tau2)
    mu = float(np.sum(ws * y) / np.sum(ws))
    se = math.sqrt(1.0 / float(np.sum(ws)))
    df: int | None = None
    hk_scale: float | None = None
    if hk and k > 1:
        hk_scale = float(np.sum(ws * (y - mu) ** 2)) / (k - 1)
        scale = max(1.0, hk_scale) if hk_adhoc else hk_scale
        se = se * math.sqrt(scale)
        df = k - 1
        crit = float(stats.t.ppf((1 + level) / 2, df))
        statistic = _ratio(mu, se)
        pvalue = float(2 * stats.t.sf(abs(statistic), df))
    else:
        crit = z_quantile(level)
        statistic = _ratio(mu, se)
        pvalue = float(2 * stats.norm.sf(abs(statistic)))

    i2, h2 = _i2_h2(w, q, q_df, tau2, method, k)
    tau2_ci = i2_ci = None
    if method != "FE" and k >= 2:
        tau2_ci = tau2_confint(y, v, level=level)
        i2_ci = (i2_from_tau2(tau2_ci[0], v), i2_from_tau2(tau2_ci[1], v))
    pi_low, pi_high = _prediction_interval(mu, se, tau2, k, hk, level, prediction, method)
    return MetaResult(
        method=method, measure=measure.upper(), k=k, estimate=mu, se=se,
        ci_low=mu - crit * se, ci_high=mu + crit * se, statistic=statistic, pvalue=pvalue, df=df,
        tau2=tau2, se_tau2=_se_tau2(v, tau2, method), q=q, q_df=q_df,
        q_pvalue=float(stats.chi2.sf(q, q_df)) if q_df > 0 else float("nan"),
        i2=i2, h2=h2, pi_low=pi_low, pi_high=pi_high, hk=hk, level=level, hk_adhoc=hk_adhoc, hk_scale=hk_scale,
        weights=[float(x) for x in 100 * ws / np.sum(ws)],
        studies=list(studies) if studies is not None else [str(i + 1) for i in range(k)],
        yi=[float(x) for x in y], vi=[float(x) for x in v], prediction=prediction,
        tau2_ci=tau2_ci, i2_ci=i2_ci, i2_ci_meta=i2_ci_from_q(q, q_df, level=level),
    )


def _ratio(mu: float, se: float) -> float:
    """mu/se; identical effects under Hartung–Knapp give se = 0 (an infinite statistic, as metafor)."""
    if se > 0:
        return mu / se
    return math.copysign(math.inf, mu) if mu != 0 else math.nan


def _typical_variance(w: np.ndarray, k: int) -> float:
    """metafor's typical within-study variance s² = (k−1)Σw / ((Σw)² − Σw²)."""
    sw = float(np.sum(w))
    return (k - 1) * sw / (sw**2 - float(np.sum(w**2)))


def _i2_h2(w: np.ndarray, q: float, q_df: int, tau2: float, method: str, k: int) -> tuple[float, float]:
    if k < 2:
        return 0.0, 1.0
    if method == "FE":
        # metafor's common-effect model reports I² and H² from Q.
        i2 = max(0.0, 100.0 * (q - q_df) / q) if q > 0 else 0.0
        return i2, q / q_df
    s2 = _typical_variance(w, k)
    return 100.0 * tau2 / (tau2 + s2), (tau2 + s2) / s2


def _prediction_interval(
    mu: float, se: float, tau2: float, k: int, hk: bool, level: float, prediction: str, method: str
) -> tuple[float | None, float | None]:
    if method == "FE":
        return None, None
    half_width = math.sqrt(se**2 + tau2)
    if prediction == "meta":
        if k < 3:
            return None, None
        crit = float(stats.t.ppf((1 + level) / 2, k - 2))
    elif hk and k > 1:
        crit = float(stats.t.ppf((1 + level) / 2, k - 1))
    else:
        crit = z_quantile(level)
    return mu - crit * half_width, mu + crit * half_width


def _se_tau2(v: np.ndarray, tau2: float, method: str) -> float | None:
    """Standard error of tau² as metafor's ``rma.uni`` gives it (k ≥ 2; None for FE).

    ML/REML: the inverse Fisher information. DL: the variance of the moment estimator, with
    P = W − ww'/Σw on the common-effect weights w = 1/v. PM: metafor's closed form
    sqrt(2k²/(k−1)) / Σw on w = 1/(v + tau²).
    """
    k = len(v)
    if k < 2:
        return None
    w = 1.0 / (v + tau2)
    if method == "ML":
        return math.sqrt(2.0 / float(np.sum(w**2)))
    if method == "REML":
        return math.sqrt(2.0 / _reml_information(w))
    if method == "PM":
        return math.sqrt(2.0 * k * k / (k - 1)) / float(np.sum(w))
    if method == "DL":
        w_fe = 1.0 / v
        tr_p = float(np.sum(w_fe) - np.sum(w_fe**2) / np.sum(w_fe))
        t = max(tau2, 0.0)
        return math.sqrt((2.0 * (k - 1) + 4.0 * t * tr_p + 2.0 * t * t * _reml_information(w_fe))) / tr_p
    return None


# -- tau² estimators ------------------------------------------------------------------------

def estimate_tau2(y: np.ndarray, v: np.ndarray, method: str) -> float:
    """Between-study variance by DL, PM, ML or REML (truncated at 0)."""
    if len(y) < 2:
        return 0.0
    if method == "DL":
        return tau2_dl(y, v)
    if method == "PM":
        return tau2_pm(y, v)
    if method in ("ML", "REML"):
        return tau2_likelihood(y, v, restricted=method == "REML")
    raise ValidationError(f"method {method!r}: no tau² estimator")


def tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / v
    mu = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mu) ** 2))
    denominator = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (len(y) - 1)) / denominator)


def _generalised_q(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule–Mandel: the tau² at which the generalised Q equals k − 1."""
    return _tau2_where_q_is(len(y) - 1, y, v, tol=1e-15)


def _tau2_where_q_is(target: float, y: np.ndarray, v: np.ndarray, *, tol: float) -> float:
    """The tau² ≥ 0 at which the generalised Q (decreasing in tau²) equals ``target``."""
    if _generalised_q(0.0, y, v) <= target:
        return 0.0
    upper = max(1.0, float(np.var(y, ddof=1)) + float(np.max(v)))
    while _generalised_q(upper, y, v) > target:
        upper *= 2.0
    return float(optimize.brentq(lambda t: _generalised_q(t, y, v) - target, 0.0, upper,
                                 xtol=tol, rtol=tol, maxiter=_MAX_ITER))


def tau2_confint(
    y: Sequence[float] | np.ndarray, v: Sequence[float] | np.ndarray, *, level: float = 0.95
) -> tuple[float, float]:
    """Q-profile CI for tau² (Viechtbauer 2007; metafor ``confint``): where Q(tau²) meets χ² quantiles."""
    y_, v_ = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    df = len(y_) - 1
    if df < 1:
        return 0.0, 0.0
    alpha = 1 - level
    lower = _tau2_where_q_is(float(stats.chi2.ppf(1 - alpha / 2, df)), y_, v_, tol=1e-14)
    upper = _tau2_where_q_is(float(stats.chi2.ppf(alpha / 2, df)), y_, v_, tol=1e-14)
    return lower, upper


def i2_ci_from_q(q: float, df: int, *, level: float = 0.95) -> tuple[float, float] | None:
    """I² CI (percent) from the CI of H = sqrt(Q/df) (Higgins & Thompson 2002), as R meta computes it.

    None when undefined: k = 1, or k = 2 with Q ≤ k (the variance of ln H needs k ≥ 3 there).
    """
    k = df + 1
    if df < 1 or (q <= k and k < 3) or q <= 0:
        return None
    if q > k:
        se_log_h = 0.5 * (math.log(q) - math.log(df)) / (math.sqrt(2 * q) - math.sqrt(2 * k - 3))
    else:
        se_log_h = math.sqrt(1 / (2 * (k - 2)) * (1 - 1 / (3 * (k - 2) ** 2)))
    log_h, z = 0.5 * math.log(q / df), z_quantile(level)
    bounds = []
    for h in (math.exp(log_h - z * se_log_h), math.exp(log_h + z * se_log_h)):
        h = max(h, 1.0)
        bounds.append(100.0 * (h * h - 1) / (h * h))
    return bounds[0], bounds[1]


def i2_from_tau2(tau2: float, v: Sequence[float] | np.ndarray) -> float:
    """metafor's I² (percent) for a given tau²."""
    w = 1.0 / np.asarray(v, dtype=float)
    s2 = _typical_variance(w, len(w))
    return 100.0 * tau2 / (tau2 + s2)


def log_likelihood(tau2: float, y: np.ndarray, v: np.ndarray, *, restricted: bool) -> float:
    """(Restricted) log-likelihood of the random-effects model, up to a constant."""
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    value = -0.5 * (float(np.sum(np.log(v + tau2))) + float(np.sum(w * (y - mu) ** 2)))
    if restricted:
        value -= 0.5 * math.log(float(np.sum(w)))
    return value


def _log_likelihood_grid(grid: np.ndarray, y: np.ndarray, v: np.ndarray, *, restricted: bool) -> np.ndarray:
    """:func:`log_likelihood` at every tau² of ``grid`` at once (rows = grid points)."""
    total = v[None, :] + grid[:, None]
    w = 1.0 / total
    sw = w.sum(axis=1)
    mu = (w * y[None, :]).sum(axis=1) / sw
    values = -0.5 * (np.log(total).sum(axis=1) + (w * (y[None, :] - mu[:, None]) ** 2).sum(axis=1))
    if restricted:
        values -= 0.5 * np.log(sw)
    return values


def _reml_information(w: np.ndarray) -> float:
    """tr(PP) for P = W − ww'/Σw (twice the REML Fisher information)."""
    sw, sw2, sw3 = float(np.sum(w)), float(np.sum(w**2)), float(np.sum(w**3))
    return sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2


def _fisher_step(tau2: float, y: np.ndarray, v: np.ndarray, restricted: bool) -> float:
    w = 1.0 / (v + tau2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y)) / sw
    residual_sq = float(np.sum((w * (y - mu)) ** 2))
    if restricted:
        return (residual_sq - (sw - float(np.sum(w**2)) / sw)) / _reml_information(w)
    return (residual_sq - sw) / float(np.sum(w**2))


def tau2_likelihood(y: np.ndarray, v: np.ndarray, *, restricted: bool = True) -> float:
    """ML/REML tau²: profile a log-spaced grid for the global maximum, then Fisher scoring.

    The (restricted) likelihood can have several local maxima, so a start at the DL value may
    climb the wrong one; the grid picks the highest hill and scoring converges on its top.
    """
    def ll(t: float) -> float:
        return log_likelihood(t, y, v, restricted=restricted)

    scale = max(float(np.var(y, ddof=1)), float(np.max(v)), 1e-12)
    grid = np.concatenate(([0.0], np.geomspace(scale * 1e-6, scale * 1e3, 600)))
    values = _log_likelihood_grid(grid, y, v, restricted=restricted)
    best = int(np.argmax(values))
    lower = grid[max(best - 1, 0)]
    upper = grid[min(best + 1, len(grid) - 1)]
    tau2 = float(grid[best])
    for _ in range(_MAX_ITER):
        step = _fisher_step(tau2, y, v, restricted)
        new = max(0.0, tau2 + step)
        # Keep the iteration on the chosen hill: halve steps that lower the likelihood.
        while ll(new) < ll(tau2) - 1e-14 and abs(new - tau2) > _TAU2_TOL:
            new = (new + tau2) / 2.0
        if abs(new - tau2) <= _TAU2_TOL * max(1.0, tau2):
            tau2 = new
            break
        tau2 = new
    if not lower <= tau2 <= upper or ll(tau2) < values[best]:
        # Scoring left the bracket; fall back to a bounded search on the best grid cell.
        found = optimize.minimize_scalar(lambda t: -ll(t), bounds=(lower, upper), method="bounded",
                                         options={"xatol": 1e-14, "maxiter": _MAX_ITER})
        tau2 = float(found.x) if -found.fun >= values[best] else float(grid[best])
    return max(0.0, tau2)
