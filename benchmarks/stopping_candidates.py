"""Decision 0014's single-level candidates: the posterior predictive count of relevant records left.

Offline candidates for the recommended stopping rule, scored by ``screening_stopping.py`` on
cached screening orders. The rate of relevant records at ranked position x is ``a·g_b(x)``; with
a Jeffreys prior a^(−1/2) on the scale, the scale's posterior given b is Gamma(found + ½, G_b)
and the count still unscreened is negative binomial; b is weighted by its marginal likelihood
on a fixed grid. The Lomax rate (``lomax-bayes``) is the same construction over (b, p) and
lives in ``review.screening.stopping_rate`` (``lomax_first_stop``), where the session uses it;
the harness calls that one, so there is one implementation of each rule it judges.

Round 4 (decision 0018, at the end): ``lomax_confidence`` gives the Lomax rule's probability at
every position (no shortcut), so ``stopping_frontier.py`` can sweep its level, with variants of
the grid, of the fitted stretch and with a random sample near the stop. ``lomax_burnin_confidence``
is the judged candidate as first written; the src rule (``lomax_first_stop``, fit after the first
relevant record) gives the same stop on all 225 cached orders checked.
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


# -- decision 0018's ideas (round 4): measured on seeds 1-10 by stopping_frontier.py ------------
def lomax_confidence(labels: np.ndarray, *, found_before: int = 0, target_recall: float = 0.95,
                     grid: np.ndarray | None = None, recent: bool = False) -> np.ndarray:
    """``stopping_rate.lomax_first_stop``'s P(recall ≥ target) at every position 1..n−1 (no shortcut).

    ``grid`` replaces the (b, p) grid (rows of b, p; p = inf is the exponential); ``recent`` fits
    the rate to the second half of the records screened so far (the first half's relevant count
    as found), as 0014's exp-bayes-recent did with the exponential.
    """
    from review.screening import stopping_rate as sr

    n = labels.size
    rows = sr.LOMAX_GRID if grid is None else grid
    at_all = np.arange(1, n)
    log_shape_all = _grid_log_shape(rows, n)
    if rows.shape[1] > 2:  # a third column φ: that share of the rate is a uniform floor
        shape = np.exp(log_shape_all)
        phi = rows[:, 2][:, None]
        log_shape_all = np.log((1 - phi) * shape / shape.sum(axis=1, keepdims=True) + phi / n)
    shape_all = np.exp(log_shape_all)  # grid × n: computed once, it is the large array here
    running = np.cumsum(shape_all, axis=1)
    # The whole set's mass as the same running sum as the screened mass: summed apart (pairwise), it came out
    # below the running sum near the end of a set and the share screened above 1 made the tail NaN (skeletal
    # muscle relaxants seeds 27 and 30 from 25 records before the end, where src's lomax_first_stop stops).
    total_mass = running[:, -1:]
    masses = running[:, :-1]
    sums = np.cumsum(log_shape_all[:, :-1] * labels[:-1][None, :], axis=1)
    found_fit = np.cumsum(labels)[:-1]
    k_max = most_left_for_target(found_fit + found_before, target_recall)
    if recent:  # subtract the first half: sums over (n//2, n] and the mass from n//2 on
        half = at_all // 2
        zero = np.zeros((rows.shape[0], 1))
        mass_before = np.concatenate([zero, masses], axis=1)[:, half]
        masses = masses - mass_before
        sums = sums - np.concatenate([zero, sums], axis=1)[:, half]
        total_mass = total_mass - mass_before
        found_fit = found_fit - np.concatenate([[0], np.cumsum(labels)[:-1]])[half]
    out = np.zeros(at_all.size)
    fitted = found_fit >= MIN_FOUND
    for begin in range(0, at_all.size, 512):
        part = np.arange(begin, min(at_all.size, begin + 512))
        part = part[fitted[part]]
        if part.size:
            total = total_mass[:, part] if total_mass.shape[1] > 1 else total_mass
            post = sr._lomax_posterior(masses[:, part], total, sums[:, part], found_fit[part])
            out[part] = sr._lomax_cdf(post, k_max[part])
    out[(n - at_all) <= k_max] = 1.0
    # A position the fit still cannot evaluate allows no stop, rather than a NaN that compares False unseen.
    return np.nan_to_num(out, nan=0.0)


def _grid_log_shape(rows: np.ndarray, n: int) -> np.ndarray:
    """log of the rate's shape at x = 1..n per (b, p) row: Lomax, or the exponential where p = inf."""
    b, p = rows[:, 0][:, None], rows[:, 1][:, None]
    x = np.arange(1, n + 1, dtype=float)[None, :]
    finite = np.isfinite(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        lomax = -np.where(finite, p, 1.0) * np.log1p(b / np.where(finite, p, 1.0) / max(n, 1) * x)
    return np.where(finite, lomax, -b / max(n, 1) * x)


#: The Lomax grid with its limit p → ∞ (the exponential) as a seventh tail, equally weighted.
LOMAX_EXP_GRID = np.array([(b, p) for p in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, np.inf)
                           for b in np.arange(0.0, 60.0 + 1e-9, 0.5)])


#: Two components: the Lomax decay (records the classifier recognises) and a uniform floor holding a
#: share φ of the rate (relevant records it cannot tell from irrelevant ones, as likely anywhere).
LOMAX_FLOOR_GRID = np.array([(b, p, phi) for phi in (0.0, 0.1, 0.3) for p in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
                             for b in np.arange(0.0, 60.0 + 1e-9, 0.5)])


def lomax_burnin_confidence(labels: np.ndarray, *, found_before: int = 0, target_recall: float = 0.95) -> np.ndarray:
    """The Lomax rule fitted after the first relevant record of the ranked phase.

    Before it the classifier has one relevant example; the drought there is not part of the decay
    and flattens the fitted rate (a heavier tail). The first relevant record counts as found but not
    in the fit (starting the fit on a hit would bias the rate upwards); positions restart after it.
    """
    hits = np.flatnonzero(labels)
    if hits.size == 0:
        return np.zeros(max(labels.size - 1, 0))
    start = int(hits[0]) + 1  # records before and including the first relevant one
    out = np.zeros(labels.size - 1)
    rest = labels[start:]
    if rest.size >= 2:
        out[start:] = lomax_confidence(rest, found_before=found_before + 1, target_recall=target_recall)
    out[(labels.size - np.arange(1, labels.size)) <= most_left_for_target(np.cumsum(labels)[:-1] + found_before, target_recall)] = 1.0
    return out


def lomax_predictive_pmf(labels: np.ndarray, n_total: int, found_before: int = 0) -> np.ndarray:
    """The Lomax posterior predictive P(K = k), k = 0..left, of the relevant among the unscreened."""
    from scipy.special import gammaln

    from review.screening import stopping_rate as sr

    screened = labels.size
    c, p = sr._lomax_rates(n_total)
    masses = sr._lomax_sum(c, p, np.array([screened, n_total]))
    relevant_at = np.flatnonzero(labels) + 1
    log_sum = sr._lomax_log_shape(c, p, relevant_at).sum(axis=1, keepdims=True)
    post = sr._lomax_posterior(masses[:, :1], masses[:, 1:], log_sum, np.array([relevant_at.size]))
    left = n_total - screened
    k = np.arange(left + 1, dtype=float)[None, :]
    shape, share = post.shape[:, :1], post.share[:, :1]
    # Negative binomial: Γ(k + r)/(Γ(r) k!) · share^r · (1 − share)^k
    log_nb = gammaln(k + shape) - gammaln(shape) - gammaln(k + 1) + shape * np.log(share) + k * np.log1p(-share)
    pmf = (post.weight[:, :1] * np.exp(log_nb)).sum(axis=0)
    pmf[-1] += max(0.0, 1.0 - pmf.sum())  # the mass beyond the records left sits on "all of them"
    return pmf / pmf.sum()


def lomax_sample_stop(labels: np.ndarray, n_priors: int, seed: int, *, trigger: float, levels: Sequence[float],
                      target_recall: float = 0.95) -> list[tuple[int, int]]:
    """Rank until the Lomax rule's P(recall ≥ target) reaches ``trigger``, then draw a seeded random
    sample of the unscreened and stop once the Lomax predictive (as prior) times the sample's
    hypergeometric likelihood gives P(recall ≥ target) ≥ level. (effort, relevant found) per level.
    """
    ranked = labels[n_priors:]
    before = int(labels[:n_priors].sum())
    curve = lomax_confidence(ranked, found_before=before, target_recall=target_recall)
    reached = np.flatnonzero(curve >= trigger)
    n = labels.size
    if reached.size == 0:
        return [(n, int(labels.sum()))] * len(levels)
    t = n_priors + int(reached[0]) + 1  # records screened when the sample starts
    found_t = int(labels[:t].sum())
    urn = labels[t:]
    left = urn.size
    prior = lomax_predictive_pmf(ranked[:t - n_priors], n - n_priors, before)
    draws = np.random.default_rng([seed, 2018]).permutation(left)
    k = np.arange(left + 1, dtype=float)
    log_post = np.log(np.maximum(prior, 1e-300))
    h = 0
    probability = np.empty(left + 1)
    for j in range(left + 1):
        k_max = most_left_for_target(found_t + h, target_recall)
        post = np.exp(log_post - log_post.max())
        probability[j] = post[k - h <= k_max].sum() / post.sum()
        if j == left:
            break
        hit = urn[draws[j]]
        # Drawing one more of the left − j not yet drawn, K − h of them relevant.
        with np.errstate(divide="ignore"):
            log_post += np.log(np.maximum(k - h, 0) if hit else np.maximum(left - k - (j - h), 0)) - np.log(left - j)
        h += int(hit)
    out = []
    sample_found = np.concatenate([[0], np.cumsum(urn[draws])])
    for level in levels:
        j = int(np.argmax(probability >= level - 1e-12))
        out.append((t + j, found_t + int(sample_found[j])))
    return out
