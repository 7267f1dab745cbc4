"""The recommended stopping rule: estimate the relevant records left from the ranking itself.

Screening in ranked order finds relevant records at a rate that falls along the ranking. We
model that rate as an inhomogeneous Poisson process in the screening position x = 1, 2, …
(Sneyd & Stevenson 2021, "Modelling stopping criteria for search results using Poisson
processes"): a power law ``λ(x) = a·x^(−b)`` or an exponential ``λ(x) = a·exp(−b·x/N)``, fitted
by maximum likelihood to where the relevant records turned up so far. The fitted rate summed
over the unscreened positions is the expected number still to find.

Uncertainty, two parts: (1) the rate's parameters — the upper end of the joint
profile-likelihood interval of the remaining count (a and b free) at ``param_level``, found on a
grid of b with a in closed form (Lambert W); (2) chance — the Poisson quantile of that mean at
``confidence``. The rule stops once ``found / (found + upper) ≥ target recall``.

Unlike the certified (hypergeometric) rule it needs no random sample, so it costs nothing
beyond the ranked screening; its promise rests on the rate model, not on sampling, which is
why it is measured on 15 labelled reviews (docs/benchmarks/) rather than guaranteed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

RATE_MODELS: tuple[str, ...] = ("power", "exponential")

#: Grids of the decay parameter b; 0 (a constant rate: the remaining records as rich as the
#: screened ones) is the most pessimistic end of each.
_GRIDS = {
    "power": np.linspace(0.0, 3.0, 61),
    "exponential": np.concatenate([np.linspace(0.0, 10.0, 41), np.linspace(11.0, 60.0, 50)]),
}

#: Fewest relevant records found in the ranked phase before the rule may stop: with fewer the
#: rate has almost no data and the interval is very wide anyway; this just skips the arithmetic.
MIN_FOUND = 1


@dataclass(slots=True, frozen=True)
class RateEstimate:
    """The rate model's view after ``screened`` ranked records."""

    model: str
    screened: int
    found: int  # relevant found, priors included
    n_total: int
    expected_remaining: float  # maximum-likelihood mean of the relevant still unscreened
    upper_remaining: int  # bound on that count at the stated confidence
    confidence: float
    estimated_recall: float | None  # found / (found + expected)
    recall_lower: float | None  # found / (found + upper): the recall we can state with confidence

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _basis(model: str, n_ranked: int, n_max: int) -> tuple[np.ndarray, np.ndarray]:
    """log g_b(x) for every b on the grid (rows) and x = 1..n_max (columns), and the grid."""
    if model not in _GRIDS:
        raise ValueError(f"rate model {model!r}: expected one of {', '.join(RATE_MODELS)}")
    grid = _GRIDS[model]
    x = np.arange(1, n_max + 1, dtype=float)
    if model == "power":
        return -np.outer(grid, np.log(x)), grid
    return -np.outer(grid, x / max(n_ranked, 1)), grid


def _geometric(c: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Σ_{x=1..n} exp(−c·x), broadcast over c and n (n where c = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        series = np.exp(-c) * np.expm1(-c * n) / np.expm1(-c)
    return np.where(c > 0, series, n)


def _total(model: str, grid: np.ndarray, n_ranked: int) -> np.ndarray:
    """Σ_{x=1..n_ranked} g_b(x) for every b: a geometric series for the exponential."""
    if model == "power":
        return np.exp(-np.outer(grid, np.log(np.arange(1, n_ranked + 1)))).sum(axis=1)
    c = grid / max(n_ranked, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        series = np.exp(-c) * -np.expm1(-c * n_ranked) / -np.expm1(-c)
    return np.where(c > 0, series, float(n_ranked))


def _upper_root(d: np.ndarray) -> np.ndarray:
    """The t > 1 with t − 1 − log t = d (d ≥ 0): how far a rate can rise within the interval."""
    from scipy.special import lambertw

    return np.real(-lambertw(-np.exp(-1.0 - d), k=-1))


def remaining_bounds(
    ranked_labels: Sequence[int] | np.ndarray,
    n_ranked_total: int,
    positions: np.ndarray | None = None,
    *,
    model: str = "exponential",
    param_level: float | None = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected and upper-bound mean of relevant records left after each of ``positions``.

    ``ranked_labels`` are the 0/1 labels of the ranked phase in screening order, ``positions``
    the numbers screened at which to estimate (default: every one). ``param_level=None`` gives the
    maximum-likelihood mean as the upper mean too. Positions with nothing found give inf.
    """
    from scipy.special import ndtri

    labels = np.asarray(ranked_labels, dtype=float)
    n_seen = labels.size
    if positions is None:
        positions = np.arange(1, n_seen + 1)
    positions = np.asarray(positions, dtype=np.int64)
    found = np.cumsum(labels)[positions - 1]
    if model == "exponential":
        # Closed forms: G is a geometric series and Σ log g over the relevant positions is
        # −c·(sum of those positions), so the cost does not grow with the records screened.
        grid = _GRIDS[model]
        c = grid[:, None] / max(n_ranked_total, 1)
        G = _geometric(c, positions[None, :].astype(float))
        total_g = _geometric(c, np.array([[float(n_ranked_total)]]))
        relevant_positions = np.cumsum(labels * np.arange(1, n_seen + 1))[positions - 1]
        log_sum = -c * relevant_positions[None, :]
    else:
        log_g, grid = _basis(model, n_ranked_total, int(positions.max(initial=1)))
        G = np.cumsum(np.exp(log_g), axis=1)[:, positions - 1]  # G_b(n) = Σ_{x ≤ n} g_b(x)
        total_g = _total(model, grid, n_ranked_total)[:, None]
        log_sum = np.cumsum(log_g * labels[:log_g.shape[1]], axis=1)[:, positions - 1]
    J = total_g - G  # Σ_{x > n} g_b(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        profile = np.where(found > 0, found * np.log(np.where(found > 0, found, 1) / G), 0.0) \
            + log_sum - found
        best = profile.max(axis=0)
        b_hat = profile.argmax(axis=0)
        columns = np.arange(positions.size)
        expected = found * J[b_hat, columns] / G[b_hat, columns]
        if param_level is None:
            upper = expected
        else:
            slack = float(ndtri((1 + param_level) / 2)) ** 2 / 2  # χ²₁ quantile / 2
            d = (profile - best + slack) / np.where(found > 0, found, 1)
            inside = d >= 0
            t = np.ones_like(d)
            t[inside] = _upper_root(d[inside])
            upper = np.where(inside, found * t * J / G, -np.inf).max(axis=0)
    nothing = found < MIN_FOUND
    expected = np.where(nothing, np.inf, expected)
    upper = np.where(nothing, np.inf, upper)
    return expected, upper


def _poisson_upper(mean: np.ndarray, confidence: float) -> np.ndarray:
    """Smallest k with P(Poisson(mean) ≤ k) ≥ confidence (inf for an infinite mean)."""
    # scipy.special, not scipy.stats: the screening screen calls this after each decision, and
    # scipy.stats costs a second to import.
    from scipy.special import pdtr, pdtrik

    finite = np.isfinite(mean)
    out = np.full(mean.shape, np.inf)
    m = np.maximum(mean[finite], 1e-12)
    k = np.maximum(0.0, np.ceil(np.nan_to_num(pdtrik(confidence, m))) - 1)
    for _ in range(4):  # the inverse is continuous in k: at most a step or two short
        short = pdtr(k, m) < confidence
        if not short.any():
            break
        k = k + short
    out[finite] = k
    return out


def estimate(
    ranked_labels: Sequence[int],
    n_total: int,
    *,
    found_before: int = 0,
    model: str = "exponential",
    param_level: float | None = 0.95,
    confidence: float = 0.95,
) -> RateEstimate | None:
    """The estimate after the ranked labels so far; None before anything relevant is found.

    ``n_total`` counts the ranked phase's records (screened and not); ``found_before`` adds
    relevant records found outside the fit (priors).
    """
    labels = np.asarray(ranked_labels, dtype=np.int64)
    if labels.size == 0 or labels.sum() < MIN_FOUND or n_total <= labels.size:
        return None
    expected, upper = remaining_bounds(labels, n_total, np.array([labels.size]), model=model,
                                       param_level=param_level)
    bound = int(min(_poisson_upper(upper, confidence)[0], n_total - labels.size))  # no more than are left
    found = int(labels.sum()) + found_before
    return RateEstimate(
        model=model, screened=int(labels.size), found=found, n_total=n_total,
        expected_remaining=float(expected[0]), upper_remaining=bound, confidence=confidence,
        estimated_recall=found / (found + float(expected[0])),
        recall_lower=found / (found + bound),
    )


def first_stop(
    ranked_labels: Sequence[int] | np.ndarray,
    *,
    found_before: int = 0,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    model: str = "exponential",
    param_level: float | None = 0.95,
) -> int | None:
    """Ranked records screened when the rule first stops (1-based), or None if it never does.

    ``ranked_labels`` is the whole ranked order (a finished simulation); the estimate at each
    position uses only the labels up to it.
    """
    labels = np.asarray(ranked_labels, dtype=np.int64)
    n = labels.size
    if n == 0:
        return None
    positions = np.arange(1, n)  # after the last record there is nothing left to estimate
    if positions.size == 0:
        return None
    _, upper = remaining_bounds(labels, n, positions, model=model, param_level=param_level)
    bound = np.minimum(_poisson_upper(upper, confidence), n - positions)  # no more than are left
    found = np.cumsum(labels)[positions - 1] + found_before
    with np.errstate(invalid="ignore", divide="ignore"):
        recall_lower = np.where(np.isfinite(bound), found / (found + bound), 0.0)
    hits = np.flatnonzero(recall_lower >= target_recall)
    return int(positions[hits[0]]) if hits.size else None


# -- the Lomax rate, one level: the posterior predictive count (decision 0014's lomax-bayes) --
# The rate at ranked position x is a·(1 + b·x/(p·N))^(−p): the exponential a·exp(−b·x/N) as
# p → ∞ and the hyperbolic a/(1 + b·x/N) at p = 1, so the data weigh how heavy the tail is.
# One level of uncertainty instead of two: with a Jeffreys prior a^(−1/2) on the scale, the
# scale's posterior given (b, p) is Gamma(found + ½, G) (G = Σ of the rate's shape over the
# screened positions), the count still unscreened is then negative binomial, and (b, p) is
# weighted by its marginal likelihood on a fixed grid. The rule stops once P(recall ≥ target)
# reaches the confidence.
# Since decision 0018 the fit starts after the ranked phase's first relevant record: before it the
# classifier has a single relevant example, and that drought is not part of the decay (read as
# one, it flattens the fitted rate into a heavier tail). The first relevant record counts as found,
# not in the fit (a fit that starts on a hit would overrate the rate); positions restart after it.
# ``burn_in=False`` gives decision 0016's rule (the fit from the first ranked record).

#: (b, p) pairs, equally weighted a priori: b uniform on [0, 60] (step 0.5), p ∈ {1, …, 32}.
LOMAX_GRID = np.array([(b, p) for p in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0) for b in np.arange(0.0, 60.0 + 1e-9, 0.5)])
_SHAPE_PRIOR = 0.5  # Jeffreys a^(−1/2)
#: Positions evaluated together by ``lomax_first_stop``: grid × chunk arrays stay a few MB.
_CHUNK = 512
#: ... of which the posterior and its probability are taken this many at a time, so that the
#: positions after the first stop are not weighed (the probability is most of the cost).
_PROBE = 64
#: Chunks whose rate shapes the total-mass pass keeps for the stop search (grid × 512 floats
#: each): the search usually ends in the first few, and need not take exp and log again there.
_KEPT_CHUNKS = 4


def _lomax_rates(n_total: int) -> tuple[np.ndarray, np.ndarray]:
    """c = b/(p·N) and p as grid columns: the shape of the rate is (1 + c·x)^(−p)."""
    c = LOMAX_GRID[:, 0] / LOMAX_GRID[:, 1] / max(n_total, 1)
    return c[:, None], LOMAX_GRID[:, 1][:, None]


def _lomax_log_shape(c: np.ndarray, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log (1 + c·x)^(−p) for every grid row and every x."""
    return -p * np.log1p(c * np.asarray(x, dtype=float)[None, :])


class _LogShapeColumns:
    """Σ log (1 + c·x)^(−p) over the relevant positions x, per grid row, for the (c, p) of
    ``_lomax_rates(n_total)``, keeping each recent n_total's columns so that a call computes only the positions after the longest prefix it shares with
    the last call's (the session asks after every decision; 726 rows × thousands of relevant
    records took 10 ms at 50,000 records).

    The sum is taken over the kept columns as the fresh computation takes it over its own array
    (row-contiguous, ``sum(axis=1)``), and each column is the same elementwise arithmetic on the
    same numbers, so the result is bit-identical (tests/screening/test_stopping_lomax.py compares).
    Keyed by what the columns depend on: n_total (c and p are ``_lomax_rates(n_total)``, computed here so
    no caller can hand other rates under its key), positions by prefix. At most ``max_entries`` n_total kept, least recently used dropped first, and ``max_bytes`` in all (a call
    needing more is computed afresh and not kept); one lock, as the screening session and its
    evidence worker may ask at once. The sums of the positions kept are kept too: after an irrelevant
    decision (most of them) the positions are the same and so is the answer.
    """

    def __init__(self, max_entries: int = 4, max_bytes: int = 128 * 2**20) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        #: n_total → (c, p, positions kept, columns: rows × capacity, of which the first len(positions) hold,
        #: and their row sums)
        self._entries: OrderedDict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = \
            OrderedDict()

    def row_sums(self, n_total: int, positions: np.ndarray) -> np.ndarray:
        """``_lomax_log_shape(*_lomax_rates(n_total), positions).sum(axis=1, keepdims=True)``."""
        positions = np.asarray(positions, dtype=np.int64)
        rows, wanted = LOMAX_GRID.shape[0], positions.size
        if rows * wanted * 8 > self.max_bytes or wanted == 0:
            return _lomax_log_shape(*_lomax_rates(n_total), positions).sum(axis=1, keepdims=True)
        key = n_total
        with self._lock:
            if key not in self._entries:
                shared, columns = 0, np.empty((rows, 0))
                c, p = _lomax_rates(n_total)
            else:
                c, p, kept, columns, sums = self._entries.pop(key)
                overlap = min(kept.size, wanted)
                differ = np.flatnonzero(kept[:overlap] != positions[:overlap])
                shared = int(differ[0]) if differ.size else overlap
                if shared == kept.size == wanted:
                    self._entries[key] = (c, p, kept, columns, sums)
                    return sums.copy()
            if columns.shape[1] < wanted:
                capacity = min(max(wanted, columns.shape[1] * 3 // 2, 64), self.max_bytes // (8 * rows))
                grown = np.empty((rows, capacity))
                grown[:, :shared] = columns[:, :shared]
                columns = grown
            columns[:, shared:wanted] = _lomax_log_shape(c, p, positions[shared:])
            sums = columns[:, :wanted].sum(axis=1, keepdims=True)
            self._entries[key] = (c, p, positions.copy(), columns, sums)
            while len(self._entries) > self.max_entries or (
                    len(self._entries) > 1 and sum(e[3].nbytes for e in self._entries.values()) > self.max_bytes):
                self._entries.popitem(last=False)
            return sums.copy()


_RELEVANT_LOG_SHAPES = _LogShapeColumns()


def _lomax_sum(c: np.ndarray, p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Σ_{x=1..n} (1 + c·x)^(−p) in closed form (Hurwitz zeta; digamma at p = 1), per grid row.

    O(grid) whatever n: the session asks after every decision, on sets of up to 50,000 records.
    """
    from scipy.special import psi, zeta

    n = np.asarray(n, dtype=float)[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = 1.0 / c  # (1 + c·x)^(−p) = c^(−p)·(x + q)^(−p)
        harmonic = (psi(n + 1.0 + q) - psi(1.0 + q)) / c
        power = np.exp(-p * np.log(c)) * (zeta(p, 1.0 + q) - zeta(p, n + 1.0 + q))
        total = np.where(p == 1.0, harmonic, power)
    return np.where(c > 0, total, n)


@dataclass(slots=True, frozen=True)
class _LomaxPosterior:
    """Per grid row (b, p) and per position asked (columns)."""

    weight: np.ndarray  # posterior probability of (b, p)
    shape: np.ndarray  # Gamma shape of the scale a given (b, p): found in the fit + ½
    share: np.ndarray  # G/(G + J): share of the rate's mass already screened, given (b, p)


def _lomax_posterior(screened_mass: np.ndarray, total_mass: np.ndarray, log_sum: np.ndarray,
                     found: np.ndarray) -> _LomaxPosterior:
    from scipy.special import gammaln

    shape = np.broadcast_to(found[None, :] + _SHAPE_PRIOR, screened_mass.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        # gammaln once per column: the shape is the same on every grid row.
        log_weight = gammaln(found + _SHAPE_PRIOR)[None, :] - shape * np.log(screened_mass) + log_sum
        log_weight -= log_weight.max(axis=0, keepdims=True)
        weight = np.exp(log_weight)
        weight /= weight.sum(axis=0, keepdims=True)
    # The share screened is at most 1: near a set's end, where a row's rate has all but vanished, the walk's total
    # (summed by chunks) came out below its running screened mass by a rounding, the share above 1 made betainc NaN
    # and review simulate's walk never stopped where the session's verdict (the closed-form sums) did: at 98 %
    # (decision 0072) an antihistamines run stops at 309 of 310 in a session, and never in the walk.
    return _LomaxPosterior(weight, shape, np.minimum(screened_mass / total_mass, 1.0))


def _lomax_cdf(post: _LomaxPosterior, k: np.ndarray, weighed: np.ndarray | None = None) -> np.ndarray:
    """P(relevant records left ≤ k) per position: the (b, p)-weighted negative binomial CDF.

    ``weighed`` (``_weighed_rows``, one position): the grid rows whose term is not 0·(a number in
    [0, 1]) = +0; only those take betainc, the others' terms are that +0 all the same, so the sum
    is the same array summed the same way (bit-identical)."""
    from scipy.special import betainc

    k = np.broadcast_to(np.asarray(k, dtype=float), post.weight.shape[1:])
    if weighed is None:
        cdf = np.where(k >= 0, betainc(post.shape, np.maximum(k, 0.0) + 1.0, post.share), 0.0)
    else:
        cdf = np.zeros(post.weight.shape)
        if k[0] >= 0:
            cdf[weighed, 0] = betainc(post.shape[weighed, 0], k[0] + 1.0, post.share[weighed, 0])
    return np.asarray((post.weight * cdf).sum(axis=0))


def _weighed_rows(post: _LomaxPosterior) -> np.ndarray | None:
    """For a posterior of one position: the grid rows ``_lomax_cdf`` must evaluate (weight not +0,
    or a row whose betainc might not lie in [0, 1]), or None when every row must be (more than one
    position, or a weight that is −0)."""
    if post.weight.shape[1] != 1:
        return None
    weight, shape, share = post.weight[:, 0], post.shape[:, 0], post.share[:, 0]
    if np.any(np.signbit(weight) & (weight == 0)):
        return None
    # betainc(a, b, x) lies in [0, 1] for a > 0, b ≥ 1, 0 ≤ x ≤ 1: a zero weight times it is +0.
    bounded = np.isfinite(shape) & (shape > 0) & (share >= 0) & (share <= 1)
    return np.flatnonzero((weight != 0) | ~bounded)


def _lomax_cdf_cap(post: _LomaxPosterior, k: np.ndarray) -> np.ndarray:
    """An upper bound on ``_lomax_cdf`` without special functions: Cantelli's inequality per row,
    P(X ≤ k) ≤ σ²/(σ² + (μ − k)²) for k < μ (negative binomial μ = a(1 − s)/s, σ² = μ/s)."""
    k = np.broadcast_to(np.asarray(k, dtype=float), post.weight.shape[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = post.shape * (1 - post.share) / post.share
        gap = mean - k[None, :]
        bound = np.where(gap > 0, (mean / post.share) / (mean / post.share + gap * gap), 1.0)
    return np.asarray((post.weight * np.nan_to_num(bound, nan=1.0)).sum(axis=0))


def most_left_for_target(found: np.ndarray | int, target_recall: float) -> np.ndarray:
    """The most relevant records still unscreened that leave recall ≥ target."""
    return np.floor(np.asarray(found, dtype=float) * (1 / target_recall - 1) + 1e-9)


def lomax_fit_start(ranked_labels: Sequence[int] | np.ndarray) -> int | None:
    """Ranked records left out of the Lomax fit: up to and including the first relevant one
    (None while nothing relevant has been found)."""
    hits = np.flatnonzero(np.asarray(ranked_labels, dtype=np.int64))
    return None if hits.size == 0 else int(hits[0]) + 1


def lomax_estimate(
    ranked_labels: Sequence[int] | np.ndarray,
    n_total: int,
    *,
    found_before: int = 0,
    confidence: float = 0.95,
    burn_in: bool = True,
) -> RateEstimate | None:
    """The Lomax rule's view after the ranked labels so far; None until it has a relevant record
    to fit (with ``burn_in``, one after the first).

    ``expected_remaining`` is the posterior predictive mean of the relevant records left,
    ``upper_remaining`` its ``confidence`` quantile (capped at the records left).
    """
    labels = np.asarray(ranked_labels, dtype=np.int64)
    if burn_in:
        fit_start = lomax_fit_start(labels)
        if fit_start is None:
            return None
        rest = lomax_estimate(labels[fit_start:], n_total - fit_start,
                              found_before=found_before + int(labels[:fit_start].sum()),
                              confidence=confidence, burn_in=False)
        return None if rest is None else replace(rest, screened=int(labels.size), n_total=n_total)
    screened = labels.size
    post = _lomax_posterior_after(labels, n_total)
    if post is None:
        return None
    relevant_at = np.flatnonzero(labels) + 1
    left = n_total - screened
    expected = float((post.weight * post.shape * (1 / post.share - 1)).sum())
    low, high = 0, left  # the smallest k with P(left ≤ k) ≥ confidence: the CDF rises with k
    weighed = _weighed_rows(post)
    while low < high:
        middle = (low + high) // 2
        if _lomax_cdf(post, np.array([middle]), weighed)[0] >= confidence:
            high = middle
        else:
            low = middle + 1
    found = int(relevant_at.size) + found_before
    return RateEstimate(
        model="lomax", screened=screened, found=found, n_total=n_total,
        expected_remaining=min(expected, float(left)), upper_remaining=low, confidence=confidence,
        estimated_recall=found / (found + min(expected, float(left))), recall_lower=found / (found + low),
    )


def _lomax_posterior_after(labels: np.ndarray, n_total: int) -> _LomaxPosterior | None:
    """The Lomax posterior after ``labels`` (the fit's positions, no burn-in) of ``n_total``; None while it has
    fewer than ``MIN_FOUND`` relevant records or nothing is left."""
    screened = labels.size
    if screened == 0 or labels.sum() < MIN_FOUND or n_total <= screened:
        return None
    c, p = _lomax_rates(n_total)
    masses = _lomax_sum(c, p, np.array([screened, n_total]))
    relevant_at = np.flatnonzero(labels) + 1
    log_sum = _RELEVANT_LOG_SHAPES.row_sums(n_total, relevant_at)
    return _lomax_posterior(masses[:, :1], masses[:, 1:], log_sum, np.array([relevant_at.size]))


def lomax_reaches_levels(ranked_labels: Sequence[int] | np.ndarray, n_total: int, *, target_recall: float,
                         found_before: int, levels: Sequence[float]) -> list[bool]:
    """Whether the Lomax rule stops at each of ``levels`` (``lomax_stops(lomax_estimate(..., confidence=level),
    target_recall)``; False where there is no estimate), from one reading of the CDF at k* (the classifier's gate
    asks two levels at every check, ``stopping_classifier.lomax_gate``): the estimate's bound is the smallest k
    whose CDF reaches the level (at most the records left), and the CDF rises with k, so that bound is at most k*
    exactly where k* ≥ the records left or the CDF at k* reaches the level."""
    labels = np.asarray(ranked_labels, dtype=np.int64)
    fit_start = lomax_fit_start(labels)
    post = None if fit_start is None else _lomax_posterior_after(labels[fit_start:], n_total - fit_start)
    if post is None:
        return [False] * len(levels)
    most_left = most_left_for_target(int(labels.sum()) + found_before, target_recall)
    if n_total - labels.size <= most_left:
        return [True] * len(levels)
    within = _lomax_cdf(post, np.array([int(most_left)]), _weighed_rows(post))[0]
    return [bool(within >= level) for level in levels]


def lomax_stops(estimate: RateEstimate, target_recall: float) -> bool:
    """Whether the Lomax rule stops on ``estimate``: at most the records the target allows are left."""
    return bool(estimate.upper_remaining <= most_left_for_target(estimate.found, target_recall))


def lomax_first_stop(
    ranked_labels: Sequence[int] | np.ndarray,
    *,
    found_before: int = 0,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    burn_in: bool = True,
    level: Callable[[np.ndarray], np.ndarray] | None = None,
) -> int | None:
    """Ranked records screened when P(recall ≥ target) first reaches ``confidence``, or None.

    ``ranked_labels`` is a finished ranked order; each position's estimate uses only the labels
    up to it. Positions go in chunks, with the rate's running sum carried from one to the next.
    ``level``: the probability to reach at each position from the most that may be left there (k*), in place of
    ``confidence`` (a function of k*, as decision 0059's levels were; decision 0072's rule C3 gives the same level
    at every k*, ``stopping_classifier.trend_levels``).
    """
    return lomax_first_stops(ranked_labels, found_before=found_before, target_recall=target_recall,
                             confidence=confidence, burn_in=burn_in, levels=(level,))[0]


def lomax_first_stops(
    ranked_labels: Sequence[int] | np.ndarray,
    *,
    found_before: int = 0,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    burn_in: bool = True,
    levels: Sequence[Callable[[np.ndarray], np.ndarray] | None] = (None,),
) -> list[int | None]:
    """``lomax_first_stop`` at each of ``levels`` (None: ``confidence``), from one walk over the positions:
    the rate's sums and posteriors are the level's own walk's (the same chunks and probes), and each level's
    probability is taken over the positions its own walk would take it over, so each stop is that walk's."""
    labels = np.asarray(ranked_labels, dtype=np.int64)
    if burn_in:
        fit_start = lomax_fit_start(labels)
        if fit_start is None:
            return [None] * len(levels)
        in_fit = lomax_first_stops(labels[fit_start:], found_before=found_before + int(labels[:fit_start].sum()),
                                   target_recall=target_recall, confidence=confidence, burn_in=False,
                                   levels=levels)
        return [None if at is None else fit_start + at for at in in_fit]
    stops: list[int | None] = [None] * len(levels)
    n = labels.size
    if n < 2:
        return stops
    c, p = _lomax_rates(n)
    total_mass = np.zeros((c.shape[0], 1))
    kept: list[np.ndarray] = []  # the first chunks' rate shapes, for the loop below
    for begin in range(1, n + 1, _CHUNK):  # the whole set's mass, summed as the chunks below are
        shape = np.exp(_lomax_log_shape(c, p, np.arange(begin, min(n, begin + _CHUNK - 1) + 1)))
        total_mass[:, 0] += shape.sum(axis=1)
        if len(kept) < _KEPT_CHUNKS:
            kept.append(shape)
    found_fit = np.cumsum(labels)
    screened_mass = np.zeros((c.shape[0], 1))
    log_sum = np.zeros((c.shape[0], 1))
    for chunk, begin in enumerate(range(1, n, _CHUNK)):
        at = np.arange(begin, min(n, begin + _CHUNK))  # positions 1..n−1: after n nothing is left
        shape = kept[chunk][:, :at.size] if chunk < len(kept) else np.exp(_lomax_log_shape(c, p, at))
        masses = screened_mass + np.cumsum(shape, axis=1)
        sums = log_sum + _running_log_sum(c, p, at, labels[at - 1])
        screened_mass, log_sum = masses[:, -1:], sums[:, -1:]
        for probe in range(0, at.size, _PROBE):  # every position's answer is its own: the first stop ends it
            part = slice(probe, probe + _PROBE)
            open_levels = [i for i, stop in enumerate(stops) if stop is None]
            sure = _lomax_sure(masses[:, part], total_mass, sums[:, part], found_fit[at[part] - 1],
                               found_before, n - at[part], target_recall, confidence,
                               [levels[i] for i in open_levels])
            for i, stop in zip(open_levels, sure):
                if stop.any():
                    stops[i] = int(at[part][np.argmax(stop)])
            if all(stop is not None for stop in stops):
                return stops
    return stops


def _running_log_sum(c: np.ndarray, p: np.ndarray, at: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Σ log shape over the relevant positions up to each of ``at`` (columns), from the relevant
    columns alone: the same sums, in the same order, as a running sum over every column whose
    irrelevant terms are (−)0, without the grid × chunk log and product for those."""
    hits = np.flatnonzero(labels)
    if hits.size == 0:
        return np.zeros((c.shape[0], at.size))
    running = np.cumsum(_lomax_log_shape(c, p, at[hits]), axis=1)
    last_hit = np.searchsorted(hits, np.arange(at.size), side="right") - 1
    return np.where(last_hit >= 0, running[:, np.maximum(last_hit, 0)], 0.0)


def _lomax_sure(masses: np.ndarray, total_mass: np.ndarray, sums: np.ndarray, found_fit: np.ndarray,
                found_before: int, left: np.ndarray, target_recall: float, confidence: float,
                levels: Sequence[Callable[[np.ndarray], np.ndarray] | None]) -> list[np.ndarray]:
    """Whether ``lomax_first_stop`` stops at each of a run of positions (columns), at each of ``levels``."""
    k_max = most_left_for_target(found_fit + found_before, target_recall)
    too_few_left = left <= k_max  # too few records left to miss the target
    fitted = found_fit >= MIN_FOUND
    if not fitted.any():
        return [too_few_left.copy() for _ in levels]
    post = _lomax_posterior(masses[:, fitted], total_mass, sums[:, fitted], found_fit[fitted])
    cap = _lomax_cdf_cap(post, k_max[fitted])
    answers: list[np.ndarray] = []
    # A level's probabilities by the positions weighed: a sum over one column is taken pairwise, over several
    # row by row, so a position's probability is only reused for a level that weighs the same positions.
    weighed: list[tuple[np.ndarray, np.ndarray]] = []
    for level in levels:
        wanted = np.full(int(fitted.sum()), confidence) if level is None else \
            np.asarray(level(k_max[fitted]), dtype=float)
        # The exact probability (betainc, most of the cost) only where the cheap cap allows a stop.
        possible = cap >= wanted - 1e-9
        probability = next((known for mask, known in weighed if np.array_equal(mask, possible)), None)
        if probability is None:
            probability = np.zeros(possible.size)
            if possible.any():
                subset = _LomaxPosterior(post.weight[:, possible], post.shape[:, possible], post.share[:, possible])
                probability[possible] = _lomax_cdf(subset, k_max[fitted][possible])
            weighed.append((possible, probability))
        sure = too_few_left.copy()
        sure[fitted] |= probability >= wanted
        answers.append(sure)
    return answers
