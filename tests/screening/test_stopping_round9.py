"""Decision 0034's recalibrated count (benchmarks/stopping_classifier.py, round 9): the negative binomial
is the Gamma–Poisson mixture it claims to be, and each check reads the window the protocol fixed."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from scipy import integrate
from scipy.special import expit, pdtr
from scipy.stats import gamma, nbinom

from script_module import load_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench")


@pytest.mark.parametrize(("found", "predicted", "count", "k_star"), [(3, 6.0, 4.0, 2), (0, 1.5, 0.8, 1), (12, 4.7, 9.0, 5)])
def test_the_count_is_the_gamma_poisson_mixture(bench: ModuleType, found: int, predicted: float, count: float,
                                                k_star: int) -> None:
    shape, rate = 1.0 + found, 1.0 + predicted  # the Gamma(1, 1) prior updated by the window
    mixture, _ = integrate.quad(lambda rho: gamma.pdf(rho, shape, scale=1 / rate) * pdtr(k_star, rho * count),
                                0, np.inf)
    assert bench.recalibrated_p(found, predicted, count, k_star, "nb") == pytest.approx(mixture, rel=1e-6)
    assert bench.recalibrated_p(found, predicted, count, k_star, "point") == pytest.approx(
        pdtr(k_star, shape / rate * count))
    either = bench.recalibrated_p(found, predicted, count, k_star, "or-platt")
    assert either == pytest.approx(max(mixture, pdtr(k_star, count)), rel=1e-6)


def test_a_window_that_found_fewer_than_predicted_lowers_the_count(bench: ModuleType) -> None:
    # the same count of 6 left at k* = 2: a fit that predicted 20 where 2 turned up is read as ~7x too high
    over = bench.recalibrated_p(2, 20.0, 6.0, 2, "nb")
    right = bench.recalibrated_p(20, 20.0, 6.0, 2, "nb")
    under = bench.recalibrated_p(20, 2.0, 6.0, 2, "nb")
    assert over > 0.8 > right > under
    # a window that confirms the fit leaves the Poisson count of 6, widened a little by the ratio's spread
    assert pdtr(2, 6.0) < right < pdtr(2, 6.0) + 0.05
    # no window (the first stored check): the prior alone, a geometric count with mean 6
    assert bench.recalibrated_p(0, 0.0, 6.0, 2, "nb") == pytest.approx(1 - (6 / 7) ** 3)


def constructed_store(n: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checks every 10 records from 200 to 500 with overlapping scores; labels with 60 relevant."""
    rng = np.random.default_rng(7)
    labels = np.zeros(n, dtype=np.int64)
    labels[rng.choice(np.arange(2, 500), size=58, replace=False)] = 1
    labels[:2] = (1, 0)
    labels[600] = labels[800] = 1
    checks = np.arange(200, 501, 10)
    scores = np.empty((checks.size, n), dtype=np.float32)
    for i in range(checks.size):
        scores[i] = labels * 1.5 + rng.normal(0, 1, n) - np.linspace(0, 2, n)
    return labels, checks, scores


def test_each_check_reads_the_window_the_protocol_fixed(bench: ModuleType) -> None:
    labels, checks, scores = constructed_store()
    n = labels.size
    rows = [{"at": int(at), "k": 2, "lomax_p": 0.5} for at in checks]
    rows[5]["k"] = 0  # k* = 0: the Lomax part alone
    rows[6]["lomax_p"] = 0.05  # the Lomax gate closed
    rows[9]["at"] = 190  # before the share gate (20 % of N); a row's position still names its stored check
    bench.round9_rows(rows, checks, scores, labels, ["preq10@0.8", "preq3@0.8", "preq10-steps@0.8"], n)
    assert not any(key.startswith("p9:") for row in (rows[5], rows[6], rows[9]) for key in row)

    def curve(i: int) -> tuple[float, float]:
        at = int(checks[i])
        return bench.platt_fit(scores[i, :at].astype(float), labels[:at].astype(float))

    def prob(i: int, lo: int, hi: int) -> float:
        slope, intercept = curve(i)
        return float(expit(slope * scores[i, lo:hi].astype(float) + intercept).sum())

    def negative_binomial(i: int, found: float, predicted: float) -> float:
        count = prob(i, int(checks[i]), n)
        return float(nbinom.cdf(2, 1 + found, (1 + predicted) / (1 + predicted + count)))

    i = 20  # after 400 records: ten steps back is the check after 300, three steps back the one after 370
    at = int(checks[i])
    assert rows[i]["p9:preq10@0.8"] == pytest.approx(negative_binomial(i, labels[300:at].sum(), prob(10, 300, at)))
    assert rows[i]["p9:preq3@0.8"] == pytest.approx(negative_binomial(i, labels[370:at].sum(), prob(17, 370, at)))
    blocks = sum(prob(m, int(checks[m]), int(checks[m + 1])) for m in range(10, 20))
    assert rows[i]["p9:preq10-steps@0.8"] == pytest.approx(negative_binomial(i, labels[300:at].sum(), blocks))
    # floored at the first stored check (200): after 200 records there is no window, the prior alone; after
    # 230, ten steps back would be 130, so the window starts at 200
    assert rows[0]["p9:preq10@0.8"] == pytest.approx(negative_binomial(0, 0, 0.0))
    assert rows[3]["p9:preq10@0.8"] == pytest.approx(negative_binomial(3, labels[200:230].sum(), prob(0, 200, 230)))


def test_a_check_without_a_fit_leaves_its_window_to_the_prior(bench: ModuleType) -> None:
    # the check after 300 records stored no fit (fewer than two relevant found): a window opening there is
    # the prior alone, and the one-step sum leaves that check's block (300 … 309) out
    labels, checks, scores = constructed_store()
    n = labels.size
    scores[10] = np.nan
    rows = [{"at": int(at), "k": 2, "lomax_p": 0.5} for at in checks]
    bench.round9_rows(rows, checks, scores, labels, ["preq10@0.8", "preq10-steps@0.8"], n)
    assert not any(key.startswith("p9:") for key in rows[10])  # no fit, no estimate

    def prob(i: int, lo: int, hi: int) -> float:
        at = int(checks[i])
        slope, intercept = bench.platt_fit(scores[i, :at].astype(float), labels[:at].astype(float))
        return float(expit(slope * scores[i, lo:hi].astype(float) + intercept).sum())

    i = 20
    at = int(checks[i])
    count = prob(i, at, n)
    assert rows[i]["p9:preq10@0.8"] == pytest.approx(float(nbinom.cdf(2, 1, 1 / (1 + count))))
    found = labels[310:at].sum()
    assert found < labels[300:at].sum()  # the skipped block holds relevant records, so skipping it shows
    blocks = sum(prob(m, int(checks[m]), int(checks[m + 1])) for m in range(11, 20))
    assert rows[i]["p9:preq10-steps@0.8"] == pytest.approx(
        float(nbinom.cdf(2, 1 + found, (1 + blocks) / (1 + blocks + count))))
    # the check after it reads a full window again
    assert bench.window_sums(checks, scores, labels, 21, 10) == pytest.approx(
        (labels[310:int(checks[21])].sum(), prob(11, 310, int(checks[21]))))
