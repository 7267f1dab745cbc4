"""The certified rule's hypergeometric tail and the knee search, vectorised for speed (issue #15),
against exact references: rational arithmetic on small urns and the per-j loop they replaced."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.special import gammaln

from review.screening import stopping


def exact_cdf(k: int, urn: int, relevant: int, drawn: int) -> float:
    """P(X ≤ k) for X ~ Hypergeometric(urn, relevant, drawn) in rational arithmetic."""
    tail = sum((Fraction(math.comb(relevant, j) * math.comb(urn - relevant, drawn - j))
                for j in range(0, k + 1)), Fraction(0))
    return float(tail / math.comb(urn, drawn))


def loop_cdf(k: np.ndarray, urn: int, relevant: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """The log-space sum one j at a time that ``stopping.hypergeom_cdf`` replaced."""
    def log_choose(n: np.ndarray, r: np.ndarray) -> np.ndarray:
        return gammaln(n + 1) - gammaln(r + 1) - gammaln(n - r + 1)

    total = np.zeros(k.shape)
    log_all = log_choose(np.float64(urn), drawn.astype(float))
    for j in range(int(k.max(initial=0)) + 1):
        ok = (j <= k) & (j <= relevant) & (drawn - j >= 0) & (drawn - j <= urn - relevant)
        if ok.any():
            total[ok] += np.exp(log_choose(relevant[ok].astype(float), np.float64(j))
                                + log_choose((urn - relevant[ok]).astype(float), (drawn[ok] - j).astype(float))
                                - log_all[ok])
    return np.minimum(total, 1.0)


#: (k, urn, relevant, drawn), extreme tails included: P ~ 1e-300, P = 1, k beyond what the
#: sample or the urn allows, a sample of the whole urn, nothing relevant, everything relevant.
SMALL_CASES = [
    (0, 60, 2, 10), (3, 200, 9, 120), (0, 300, 30, 250), (1, 500, 60, 480), (0, 1000, 40, 999),
    (7, 80, 7, 40), (9, 80, 7, 40), (5, 50, 50, 5), (0, 50, 0, 30), (0, 20, 3, 20), (2, 20, 3, 20),
    (0, 1200, 300, 900), (12, 400, 150, 60), (40, 400, 150, 100),
]


@pytest.mark.parametrize(("k", "urn", "relevant", "drawn"), SMALL_CASES)
def test_tail_equals_exact_rational_value(k: int, urn: int, relevant: int, drawn: int) -> None:
    expected = exact_cdf(k, urn, relevant, drawn)
    ours = float(stopping.hypergeom_cdf(k, urn, relevant, drawn))
    assert ours == pytest.approx(expected, rel=1e-11, abs=0.0)


def test_extreme_tail_keeps_its_magnitude() -> None:
    # Nothing relevant in 250 of 300 draws although 30 of 300 are relevant: a tiny p, not 0.
    expected = exact_cdf(0, 300, 30, 250)
    assert 0 < expected < 1e-25
    assert float(stopping.hypergeom_cdf(0, 300, 30, 250)) == pytest.approx(expected, rel=1e-11)


def test_tail_equals_the_per_j_loop_on_sampling_phase_inputs() -> None:
    rng = np.random.default_rng(15)
    for urn in (100, 2_000, 48_000):
        drawn = rng.integers(1, urn + 1, 400)
        relevant = rng.integers(0, min(urn, 200) + 1, 400)
        k = rng.integers(0, 12, 400)
        k[:20] = rng.integers(0, 90, 20)  # a few large k (several blocks of j)
        np.testing.assert_allclose(stopping.hypergeom_cdf(k, urn, relevant, drawn),
                                   loop_cdf(k, urn, relevant, drawn), rtol=1e-12, atol=0)


def test_tail_broadcasts_and_keeps_shape() -> None:
    out = stopping.hypergeom_cdf(np.array([[0, 1], [2, 3]]), 100, 5, 20)
    assert out.shape == (2, 2)
    assert np.all(np.diff(out.ravel()) > 0)
    assert stopping.hypergeom_cdf(np.array([], dtype=int), 100, 5, 20).shape == (0,)


def test_first_knee_equals_knee_fires_at_every_prefix() -> None:
    rng = np.random.default_rng(4)
    for n, rate in ((400, 0.02), (900, 0.1), (700, 0.0)):
        # Relevant records early (the knee fires) or spread evenly (it may never fire).
        labels = (rng.random(n) < rate * np.where(np.arange(n) < n // 3, 6, 0.3)).astype(np.int64)
        for start in (150, 151, 333):
            loop = next((s for s in range(start, n + 1) if stopping.knee_fires(labels[:s])), None)
            assert stopping.first_knee(labels, start) == loop


def test_lomax_first_stop_does_not_depend_on_how_positions_are_probed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Positions are weighed a few at a time so that those after the first stop are skipped;
    # probing one by one or a whole chunk at once (as before) must stop at the same position.
    from review.screening import stopping_rate

    rng = np.random.default_rng(8)
    orders = [(rng.random(n) < 0.3 * np.exp(-np.arange(n) / (n / 8))).astype(np.int64) for n in (300, 1500)]
    orders.append(np.r_[np.ones(5, dtype=np.int64), np.zeros(1200, dtype=np.int64)])
    stops = []
    for probe, kept in ((64, 4), (1, 0), (7, 1), (stopping_rate._CHUNK, 0)):
        monkeypatch.setattr(stopping_rate, "_PROBE", probe)
        monkeypatch.setattr(stopping_rate, "_KEPT_CHUNKS", kept)  # 0: every chunk's shapes computed again
        stops.append([stopping_rate.lomax_first_stop(order, found_before=1) for order in orders])
    assert all(s == stops[0] for s in stops)
    assert any(s is not None for s in stops[0])


def test_running_log_sum_equals_the_running_sum_over_every_position() -> None:
    from review.screening import stopping_rate

    rng = np.random.default_rng(9)
    c, p = stopping_rate._lomax_rates(3000)
    at = np.arange(700, 1212)
    for labels in ((rng.random(at.size) < 0.05).astype(np.int64), np.zeros(at.size, dtype=np.int64),
                   np.r_[0, 0, 1, np.zeros(at.size - 3, dtype=np.int64)]):
        every = np.cumsum(stopping_rate._lomax_log_shape(c, p, at) * labels[None, :], axis=1)
        assert np.array_equal(stopping_rate._running_log_sum(c, p, at, labels), every)
