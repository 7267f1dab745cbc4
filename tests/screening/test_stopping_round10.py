"""Decision 0035's cross-review correction of the count (benchmarks/stopping_classifier.py, round 10): the
count is the lognormal–Poisson mixture it claims to be, the fits recover what constructed rows hold, and a
set's runs are scored by a fit that never saw that set."""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest
from scipy import integrate
from scipy.special import expit, pdtr
from scipy.stats import norm

from script_module import load_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench10")


def observables(count: float, q: float = 0.5, s: float = 0.4, lomax_logit: float = 0.0) -> dict[str, float]:
    return {"C": count, "c": math.log(count + 0.5), "q": q, "s": s, "l": lomax_logit}


@pytest.mark.parametrize(("count", "coef", "sigma", "k_star"), [(6.0, (-1.0, 0.0), 0.8, 2), (20.0, (0.5, -0.4), 1.3, 5),
                                                                 (0.7, (0.2, 0.1), 0.4, 1)])
def test_the_count_is_the_lognormal_poisson_mixture(bench: ModuleType, count: float, coef: tuple[float, float],
                                                    sigma: float, k_star: int) -> None:
    fit = {"form": "ln", "features": ("c",), "coef": np.array(coef), "sigma": sigma}
    x = observables(count)
    mu = coef[0] + coef[1] * x["c"]

    def integrand(z: float) -> float:
        return norm.pdf(z) * pdtr(k_star, max((count + 0.5) * math.exp(mu + sigma * z) - 0.5, 1e-12))

    mixture, _ = integrate.quad(integrand, -12, 12)
    assert bench.round10_p(fit, x, k_star) == pytest.approx(mixture, abs=1e-5)
    point = dict(fit, form="point")
    assert bench.round10_p(point, x, k_star) == pytest.approx(
        pdtr(k_star, (count + 0.5) * math.exp(mu + sigma ** 2 / 2) - 0.5))


def test_a_fit_that_says_the_count_is_ten_times_too_high_lets_the_rule_stop(bench: ModuleType) -> None:
    # a count of 20 at k* = 2 gives the incumbent nothing (P ≈ 0); corrected to a tenth it gives ~0.68,
    # and a tighter spread more
    x = observables(20.0)
    wide = {"form": "ln", "features": ("c",), "coef": np.array([math.log(0.1), 0.0]), "sigma": 0.5}
    tight = dict(wide, sigma=0.1)
    assert pdtr(2, 20.0) < 1e-5
    assert 0.5 < bench.round10_p(wide, x, 2) < bench.round10_p(tight, x, 2)
    # a fit that says the count is right leaves it about where the incumbent is
    right = {"form": "ln", "features": ("c",), "coef": np.array([0.0, 0.0]), "sigma": 0.01}
    assert bench.round10_p(right, x, 2) == pytest.approx(pdtr(2, 20.0), abs=1e-4)


def constructed_rows(rng: np.random.Generator, intercept: float, slopes: dict[str, float], runs: int,
                     noise: float) -> list[tuple[dict[str, float], float, float]]:
    rows = []
    for _ in range(runs):
        size = int(rng.integers(5, 40))
        for _ in range(size):
            x = observables(float(rng.uniform(0.5, 60)), q=float(rng.uniform()), s=float(rng.uniform(0.2, 0.9)))
            target = intercept + sum(b * x[f] for f, b in slopes.items()) + float(rng.normal(0, noise))
            rows.append((x, target, 1.0 / size))
    return rows


def test_least_squares_recovers_the_constructed_coefficients_and_spread(bench: ModuleType) -> None:
    rng = np.random.default_rng(3)
    rows = constructed_rows(rng, -0.3, {"c": -0.5, "q": -1.2, "s": 0.8}, runs=200, noise=0.4)
    fit = bench.round10_fit(rows, ("c", "q", "s"), "ln", 0.8)
    assert fit["coef"] == pytest.approx([-0.3, -0.5, -1.2, 0.8], abs=0.08)
    assert fit["sigma"] == pytest.approx(0.4, abs=0.03)


def test_the_quantile_fit_sits_at_its_level(bench: ModuleType) -> None:
    rng = np.random.default_rng(5)
    rows = constructed_rows(rng, 0.2, {"c": -0.6}, runs=150, noise=0.5)
    fit = bench.round10_fit(rows, ("c",), "qr", 0.8)
    # the 0.8 quantile of normal noise is 0.84 σ above the mean
    assert fit["coef"] == pytest.approx([0.2 + norm.ppf(0.8) * 0.5, -0.6], abs=0.08)
    below = sum(w for x, t, w in rows if t <= fit["coef"][0] + fit["coef"][1] * x["c"])
    assert below / sum(w for _, _, w in rows) == pytest.approx(0.8, abs=0.02)
    # the rule: stop where the fitted 0.8 quantile of left is ≤ k*
    x = observables(10.0)
    quantile = 10.5 * math.exp(fit["coef"][0] + fit["coef"][1] * x["c"]) - 0.5
    assert bench.round10_p(fit, x, math.floor(quantile)) == 0.0
    assert bench.round10_p(fit, x, math.ceil(quantile)) == 1.0


def test_a_set_is_scored_by_a_fit_that_never_saw_it(bench: ModuleType) -> None:
    rng = np.random.default_rng(11)
    training = {name: constructed_rows(rng, -1.0, {"c": 0.0}, runs=10, noise=0.2) for name in ("a", "b", "c")}
    training["odd"] = constructed_rows(rng, 3.0, {"c": 0.0}, runs=10, noise=0.2)  # a set unlike the others
    fits = bench.Round10Fits(training)
    held_out = fits.fit("odd", "xr-1-ln@0.8")
    assert held_out["coef"][0] + held_out["coef"][1] * 2.0 == pytest.approx(-1.0, abs=0.1)
    others = fits.fit("a", "xr-1-ln@0.8")  # sees "odd": pulled up
    assert others["coef"][0] + others["coef"][1] * 2.0 > -0.5
    # the production fit sees every set
    assert fits.fit(None, "xr-1-ln@0.8")["sigma"] > held_out["sigma"]


def test_the_observables_read_the_count_below_the_screened_fifth_percentile(bench: ModuleType) -> None:
    out_of_fold = np.linspace(-2.0, 2.0, 101)  # 5th percentile at -1.8
    y = (out_of_fold > 1.0).astype(float)
    unscreened = np.array([-3.0, -2.5, -1.9, -1.7, 0.0, 1.5])
    x = bench.round10_observables(300, 1000, 0.5, out_of_fold, y, unscreened)
    slope, intercept = bench.platt_fit(out_of_fold, y)
    probabilities = expit(slope * unscreened + intercept)
    assert x["C"] == pytest.approx(probabilities.sum())
    assert x["q"] == pytest.approx(probabilities[:3].sum() / probabilities.sum())
    assert x["s"] == 0.3 and x["l"] == 0.0 and x["c"] == pytest.approx(math.log(x["C"] + 0.5))
    assert bench.round10_observables(300, 1000, 0.999, out_of_fold, y, unscreened)["l"] == pytest.approx(
        math.log(0.99 / 0.01))
