"""Decision 0014's single-level candidates: the posterior predictive count of relevant records left.

Offline candidates for the recommended stopping rule, scored by ``screening_stopping.py`` on
cached screening orders. The rate of relevant records at ranked position x is ``a·g_b(x)``; with
a Jeffreys prior a^(−1/2) on the scale, the scale's posterior given b is Gamma(found + ½, G_b)
and the count still unscreened is negative binomial; b is weighted by its marginal likelihood
on a fixed grid. The Lomax rate (``lomax-bayes``) is the same construction over (b, p) and
lives in ``review.screening.stopping_rate`` (``lomax_first_stop``), where the session uses it;
the harness calls that one, so there is one implementation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from review.screening.stopping_rate import MIN_FOUND, _geometric, most_left_for_target


# -- one level instead of two: the posterior predictive count ------------------------------
#: b-grids of the predictive rule (decision 0014): the exponential's uniform on [0, 60]; the
#: hyperbolic's 0 plus log-spaced values (its tail scales with log b).
_PREDICTIVE_GRIDS = {
    "exponential": np.arange(0.0, 60.0 + 1e-9, 0.25),
    "hyperbolic": np.concatenate([[0.0], np.logspace(-1.0, 3.0, 80)]),
}
PREDICTIVE_MODELS: tuple[str, ...] = tuple(_PREDICTIVE_GRIDS)
#: Jeffreys prior a^(−1/2) on the rate's scale: its posterior given b is Gamma(found + ½, G_b).
_SHAPE_PRIOR = 0.5


@dataclass(slots=True, frozen=True)
class _Posterior:
    """For every b on the grid (rows) and every position asked (columns)."""

    weight: np.ndarray  # posterior probability of b
    shape: np.ndarray  # Gamma shape of the scale a given b (found in the fit + ½)
    share: np.ndarray  # G/(G+J): the share of the remaining mass already screened, given b
    rest: np.ndarray  # J/G: expected further relevant per relevant found, given b


def _rate_sums(
    model: str, labels: np.ndarray, n_total: int, positions: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """G over (start, n], J over (n, n_total], Σ log g at the relevant in (start, n], found there."""
    grid = _PREDICTIVE_GRIDS[model]
    scale = max(n_total, 1)
    cum_found = np.concatenate([[0.0], np.cumsum(labels)])
    found = cum_found[positions] - cum_found[starts]
    if model == "exponential":
        c = grid[:, None] / scale
        cum_g = _geometric  # closed form of Σ_{x ≤ n} exp(−c·x)
        G = cum_g(c, positions[None, :].astype(float)) - cum_g(c, starts[None, :].astype(float))
        J = cum_g(c, np.array([[float(n_total)]])) - cum_g(c, positions[None, :].astype(float))
        weighted = np.concatenate([[0.0], np.cumsum(labels * np.arange(1, labels.size + 1))])
        log_sum = -c * (weighted[positions] - weighted[starts])[None, :]
        return G, J, log_sum, found
    x = np.arange(1, n_total + 1, dtype=float)
    log_g = -np.log1p(np.outer(grid, x / scale))
    cum = np.concatenate([np.zeros((log_g.shape[0], 1)), np.cumsum(np.exp(log_g), axis=1)], axis=1)
    padded = np.zeros(n_total)
    padded[:labels.size] = labels
    cum_log = np.concatenate([np.zeros((log_g.shape[0], 1)), np.cumsum(log_g * padded, axis=1)], axis=1)
    G = cum[:, positions] - cum[:, starts]
    J = cum[:, [n_total]] - cum[:, positions]
    return G, J, cum_log[:, positions] - cum_log[:, starts], found


def _posterior(
    labels: np.ndarray, n_total: int, positions: np.ndarray, model: str, recent: bool
) -> _Posterior:
    from scipy.special import gammaln

    if model not in _PREDICTIVE_GRIDS:
        raise ValueError(f"rate model {model!r}: expected one of {', '.join(PREDICTIVE_MODELS)}")
    starts = positions // 2 if recent else np.zeros_like(positions)
    G, J, log_sum, found = _rate_sums(model, labels, n_total, positions, starts)
    shape = found[None, :] + _SHAPE_PRIOR
    with np.errstate(divide="ignore", invalid="ignore"):
        log_weight = gammaln(shape) - shape * np.log(G) + log_sum
        log_weight -= log_weight.max(axis=0, keepdims=True)
        weight = np.exp(log_weight)
        weight /= weight.sum(axis=0, keepdims=True)
        share = G / (G + J)
        rest = J / G
    return _Posterior(weight, np.broadcast_to(shape, G.shape), share, rest)


def predictive_cdf(post: _Posterior, k: np.ndarray) -> np.ndarray:
    """P(remaining ≤ k) at each position: the b-weighted negative binomial CDF."""
    from scipy.special import betainc

    k = np.asarray(k, dtype=float)
    cdf = np.where(k >= 0, betainc(post.shape, np.maximum(k, 0) + 1.0, post.share), 0.0)
    return (post.weight * cdf).sum(axis=0)


def _confidence_chunks(
    labels: np.ndarray, found_before: int, target_recall: float, model: str, recent: bool, chunk: int = 512
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(positions, P(recall ≥ target) there) for positions 1..n−1, in screening order, by chunks."""
    n = labels.size
    positions = np.arange(1, n)
    found_fit = np.cumsum(labels)[positions - 1] if n > 1 else np.zeros(0)
    k_max = most_left_for_target(found_fit + found_before, target_recall)
    for begin in range(0, positions.size, chunk):  # the grid × positions arrays stay small
        at = positions[begin:begin + chunk]
        probability = np.zeros(at.size)
        fitted = found_fit[at - 1] >= MIN_FOUND
        if fitted.any():
            post = _posterior(labels, n, at[fitted], model, recent)
            probability[fitted] = predictive_cdf(post, k_max[at[fitted] - 1])
        # Nothing can be left once too few records are: the model need not know that.
        probability[(n - at) <= k_max[at - 1]] = 1.0
        yield at, probability


def predictive_confidence(
    ranked_labels: Sequence[int] | np.ndarray, *, found_before: int = 0, target_recall: float = 0.95,
    model: str = "exponential", recent: bool = False,
) -> np.ndarray:
    """P(recall ≥ target) after each of the first n−1 ranked records of a finished order."""
    labels = np.asarray(ranked_labels, dtype=np.int64)
    parts = [p for _, p in _confidence_chunks(labels, found_before, target_recall, model, recent)]
    return np.concatenate(parts) if parts else np.zeros(0)


def predictive_first_stop(
    ranked_labels: Sequence[int] | np.ndarray,
    *,
    found_before: int = 0,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    model: str = "exponential",
    recent: bool = False,
) -> int | None:
    """Ranked records screened when P(recall ≥ target) first reaches ``confidence``, or None.

    ``recent`` fits the rate to the second half of the records screened so far only.
    """
    labels = np.asarray(ranked_labels, dtype=np.int64)
    for at, probability in _confidence_chunks(labels, found_before, target_recall, model, recent):
        sure = probability >= confidence
        if sure.any():
            return int(at[np.argmax(sure)])
    return None
