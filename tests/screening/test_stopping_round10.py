"""Decision 0035's cross-review correction of the count (benchmarks/stopping_classifier.py, round 10): the
count is the lognormal–Poisson mixture it claims to be, the fits recover what constructed rows hold, and a
set's runs are scored by a fit that never saw that set."""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from typing import Any

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


def test_the_scoring_path_scores_each_set_by_the_fit_that_left_it_out(bench: ModuleType) -> None:
    rng = np.random.default_rng(13)
    training = {name: constructed_rows(rng, -1.0, {"c": 0.0}, runs=10, noise=0.2) for name in ("a", "b", "c")}
    training["odd"] = constructed_rows(rng, 3.0, {"c": 0.0}, runs=10, noise=0.2)
    fits = bench.Round10Fits(training)
    parts = ["xr-1-ln@0.8", "xr-A-ln@0.8"]
    rows = [{"at": 10 * i, "k": k, "x10": observables(count, q=0.3, s=0.1 * i)}
            for i, (count, k) in enumerate([(3.0, 1), (6.0, 2), (12.0, 3)], start=2)]
    rows.append({"at": 50, "k": 2})  # a row the rule does not read gets no probability
    ev = {"rows": rows}
    fits.add(ev, "odd", parts)
    for part in parts:
        for row in rows[:3]:
            held_out = bench.round10_p(fits.fit("odd", part), row["x10"], row["k"])
            # the production fit saw "odd" and says something else: the test tells the two apart
            assert abs(held_out - bench.round10_p(fits.fit(None, part), row["x10"], row["k"])) > 0.05
            assert row[f"p10:{part}"] == held_out
        assert f"p10:{part}" not in rows[3]


def fake_evidence(n: int, lomax_stop: int | None, checks: list[int]) -> dict[str, Any]:
    """A run's evidence as ``run_evidence`` gives it: the Lomax curve crosses 0.95 so that the rule stops at
    ``lomax_stop`` (None: never); each check's count is its position, so a training row names its check."""
    n_priors = 2
    curve = np.zeros(n - n_priors)
    if lomax_stop is not None:
        curve[lomax_stop - n_priors - 1:] = 0.97
    rows = [{"at": at, "k": 1, "left": at // 10, "lomax_p": 0.5,
             "x10": observables(float(at), q=0.2, s=at / n)} for at in checks]
    rows.insert(1, {"at": checks[0] + 1, "k": 0, "left": 3, "lomax_p": 0.5})  # not read: no x10
    return {"n": n, "n_priors": n_priors, "curve": curve, "rows": rows}


def test_training_rows_stop_at_the_lomax_stop_and_each_run_weighs_one(bench: ModuleType, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    runs = {("s", 1): fake_evidence(100, 60, [20, 30, 40, 50, 60, 70, 80, 90]),
            ("s", 2): fake_evidence(100, 45, [20, 30, 40, 50, 60]),
            ("t", 1): fake_evidence(100, None, [30, 90])}
    store = tmp_path / "stopping-clf"
    store.mkdir()
    paths = {}
    for (set_name, seed), ev in runs.items():
        path = store / f"e{bench.ENGINE_VERSION}-{set_name}-seed{seed}.npz"
        path.touch()
        paths[path] = ev
    monkeypatch.setattr(bench, "run_evidence", lambda path, calibrations: paths[path])
    training = bench.round10_training(tmp_path, ["s", "t"], [1])
    assert sorted(x["C"] for x, _, _ in training["s"]) == [20.0, 30.0, 40.0, 50.0]
    assert [x["C"] for x, _, _ in training["t"]] == [30.0, 90.0]  # Lomax never fires: every read check
    both = bench.round10_training(tmp_path, ["s"], [1, 2])["s"]
    # seed 1 reads 4 checks before its stop at 60, seed 2 three before 45: each run weighs 1 in all
    assert [x["C"] for x, _, _ in both] == [20.0, 30.0, 40.0, 50.0, 20.0, 30.0, 40.0]
    assert [w for _, _, w in both] == pytest.approx([0.25] * 4 + [1 / 3] * 3)
    for x, target, _ in both:
        assert target == pytest.approx(math.log((x["C"] // 10 + 0.5) / (x["C"] + 0.5)))
    with pytest.raises(SystemExit, match="missing training evidence"):
        bench.round10_training(tmp_path, ["s"], [3])


def test_the_rule_fires_at_the_first_claim_at_its_level_capped_by_the_lomax_stop(bench: ModuleType) -> None:
    def evidence(lomax_stop: int | None, claims: list[float]) -> dict[str, Any]:
        ev = fake_evidence(100, lomax_stop, [20, 30, 40, 50])
        read = [r for r in ev["rows"] if "x10" in r]
        for row, p in zip(read, claims, strict=True):
            row["p10:xr-A-ln@0.8"] = row["p10:xr-A-ln@0.9"] = p
        return ev

    claims = [0.5, 0.79, 0.8, 0.95]
    assert bench.rule_stop(evidence(60, claims), "lomax-or-xr-A-ln@0.8") == 40  # at the level fires
    assert bench.rule_stop(evidence(60, claims), "lomax-or-xr-A-ln@0.9") == 50
    assert bench.rule_stop(evidence(35, claims), "lomax-or-xr-A-ln@0.8") == 35  # the Lomax part first
    assert bench.rule_stop(evidence(None, [0.1, 0.2, 0.3, 0.4]), "lomax-or-xr-A-ln@0.8") == 100  # never: N
    unscored = evidence(60, claims)
    del unscored["rows"][2]["p10:xr-A-ln@0.8"]
    with pytest.raises(ValueError, match="no leave-one-set-out probabilities"):
        bench.rule_stop(unscored, "lomax-or-xr-A-ln@0.8")
