"""The numbers a methods reviewer checks, on data small enough to check by hand.

Each test states the hand computation (a 2x2 table's odds ratio and Wald interval, an AUC from a
table of counts, Harrell's C from its pairs, a Kaplan-Meier risk from its steps) and compares the
command's result with it and with an independent fit of scikit-learn, lifelines or statsmodels.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from lifelines.utils import concordance_index
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from review.validate.factors import factor_associations
from review.validate.predictive import predictive_check, rank_auc

Z95 = norm.isf(0.025)
INDICATIONS = ("no_risk_signals", "some_risk_signals", "many_risk_signals")


def test_crude_odds_ratio_is_the_two_by_two_tables(write_csv) -> None:
    """Conflict present: 12 recurred, 8 did not; absent: 6 and 14. OR = 12*14 / (8*6) = 3.5, Wald CI
    exp(ln 3.5 -+ 1.96 * sqrt(1/12 + 1/8 + 1/6 + 1/14)) = 0.945 to 12.97, p 0.061."""
    cells = [(1, 1)] * 12 + [(1, 0)] * 8 + [(0, 1)] * 6 + [(0, 0)] * 14
    rows = [("client", "conflict", "recurrence")] + [(f"c{i:02d}", x, y) for i, (x, y) in enumerate(cells)]
    result = factor_associations(write_csv("table.csv", rows), outcome="recurrence", factors=["conflict"])
    (assoc,) = result.factors
    se = math.sqrt(1 / 12 + 1 / 8 + 1 / 6 + 1 / 14)
    assert assoc.estimate == pytest.approx(3.5, rel=1e-6)
    assert (assoc.ci_low, assoc.ci_high) == pytest.approx(
        (math.exp(math.log(3.5) - Z95 * se), math.exp(math.log(3.5) + Z95 * se)), rel=1e-6)
    assert (round(assoc.ci_low, 3), round(assoc.ci_high, 2)) == (0.945, 12.97)
    assert assoc.p == pytest.approx(2 * norm.sf(math.log(3.5) / se), rel=1e-5)
    assert (assoc.n, assoc.events, assoc.contrast) == (40, 18, "conflict present vs absent")
    x = np.array([[c[0]] for c in cells])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(x, [c[1] for c in cells])
    assert assoc.estimate == pytest.approx(math.exp(fit.coef_[0][0]), rel=1e-5)


def _indication_cohort(write_csv):
    """30 clients, 10 per indication; recurred 2, 4 and 7 of them."""
    recurred = {"no_risk_signals": 2, "some_risk_signals": 4, "many_risk_signals": 7}
    rows, x, y = [("client", "profile", "recurrence")], [], []
    for g, name in enumerate(INDICATIONS):
        for k in range(10):
            rows.append((f"{name[:4]}{k}", name, int(k < recurred[name])))
            x.append(g)
            y.append(int(k < recurred[name]))
    return write_csv("profile.csv", rows), np.array(x), np.array(y)


def test_auc_and_calibration_of_a_profile_by_hand(write_csv) -> None:
    """Events 2, 4, 7 and non-events 8, 6, 3 over no, some, many risk signals: of 13 x 17 pairs,
    4*8 + 7*(8+6) = 130 rank the event higher and 2*8 + 4*6 + 7*3 = 61 tie (half each):
    AUC = 160.5 / 221. Observed 20 %, 40 %, 70 % with Wilson's interval; the logistic model's
    predictions satisfy its score equations: they sum to the 13 events, and weighted by the
    predictor to 4*1 + 7*2 = 18."""
    path, x, y = _indication_cohort(write_csv)
    result = predictive_check(path, outcome="recurrence", predictor="profile", n_boot=200, seed=3)
    assert result.c_statistic == pytest.approx(160.5 / 221, rel=1e-12)
    assert result.c_statistic == pytest.approx(roc_auc_score(y, x), rel=1e-12)
    assert [g.group for g in result.calibration] == list(INDICATIONS)
    assert [(g.n, g.events) for g in result.calibration] == [(10, 2), (10, 4), (10, 7)]
    for group, events in zip(result.calibration, (2, 4, 7), strict=True):
        p, n = events / 10, 10
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
        assert group.observed == pytest.approx(p)
        assert group.observed_ci == pytest.approx((centre - half, centre + half), rel=1e-9)
        assert group.observed_ci == pytest.approx(proportion_confint(events, n, method="wilson"), rel=1e-9)
    predicted = np.array([g.predicted for g in result.calibration])
    assert 10 * predicted.sum() == pytest.approx(13, rel=1e-6)
    assert 10 * (predicted * [0, 1, 2]).sum() == pytest.approx(18, rel=1e-6)
    assert result.c_statistic_ci[0] < result.c_statistic < result.c_statistic_ci[1]


#: client, indication (0 no, 1 some, 2 many), days, recurred; 'c' is censored on day 3, the day 'b' recurred.
CENSORED = [("a", 2, 2, 1), ("b", 2, 3, 1), ("c", 1, 3, 0), ("d", 2, 5, 1), ("e", 0, 6, 1), ("f", 1, 7, 1),
            ("g", 1, 8, 1), ("h", 0, 9, 1), ("i", 1, 10, 1), ("j", 0, 11, 1), ("k", 2, 12, 1), ("l", 0, 14, 0)]


def test_harrell_c_and_kaplan_meier_risk_by_hand(write_csv) -> None:
    """A pair is comparable when the first recurred before the other left (or on the day the other was
    censored): 57 pairs, 32 with the higher indication recurring first, 10 the other way, 15 tied, so
    C = (32 + 15/2) / 57. Risk by day 9 (Kaplan-Meier): many, a b d of a b d k, 3/4; some, c censored
    on day 3, then f of 3 and g of 2: 1 - 2/3 * 1/2 = 2/3 (not the 2/4 that ignores c's censoring);
    no, e of 4 and h of 3: 1 - 3/4 * 2/3 = 1/2."""
    rows = [("client", "profile", "days", "recurrence")]
    rows += [(c, INDICATIONS[x], t, e) for c, x, t, e in CENSORED]
    result = predictive_check(write_csv("followed.csv", rows), outcome="recurrence", predictor="profile",
                              time="days", horizon=9, n_boot=50, seed=1)
    x, t, e = (np.array([r[k] for r in CENSORED]) for k in (1, 2, 3))
    pairs = [(x[i] > x[j]) + 0.5 * (x[i] == x[j]) for i in range(12) for j in range(12)
             if i != j and e[i] and (t[i] < t[j] or (t[i] == t[j] and not e[j]))]
    assert (len(pairs), sum(pairs)) == (57, 39.5)
    assert result.c_statistic == pytest.approx(39.5 / 57, rel=1e-12)
    assert result.c_statistic == pytest.approx(concordance_index(t, -x, e), rel=1e-12)
    observed = {g.group: (g.observed, g.events, g.at_risk) for g in result.calibration}
    assert observed["many_risk_signals"] == pytest.approx((3 / 4, 3, 1))
    assert observed["some_risk_signals"] == pytest.approx((2 / 3, 2, 1))
    assert observed["no_risk_signals"] == pytest.approx((1 / 2, 2, 3))


def test_harrells_optimism_of_a_fixed_profile_is_the_bootstraps_own_noise(write_csv) -> None:
    """Why the check reports apparent performance (docs/validate.md): Harrell's optimism refits the model on
    each resample and subtracts its C on the original data from its C on the resample. Refit here with
    scikit-learn, a one-predictor model with a positive slope ranks the clients as the profile does, so
    each refit's AUCs equal the profile's own (the tool's rank AUC) and the optimism is the mean shift of
    the profile's AUC over resamples: resampling noise around zero, far inside the bootstrap's SD."""
    rng = np.random.default_rng(20261206)
    n = 300
    x = rng.integers(0, 3, n)
    y = (rng.random(n) < np.array([0.15, 0.3, 0.5])[x]).astype(int)
    apparent = roc_auc_score(y, x)
    optimism, boot = [], []
    for _ in range(100):
        draw = rng.integers(0, n, n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            refit = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(x[draw, None], y[draw])
        assert refit.coef_[0][0] > 0
        on_resample = roc_auc_score(y[draw], refit.decision_function(x[draw, None]))
        on_original = roc_auc_score(y, refit.decision_function(x[:, None]))
        assert on_resample == pytest.approx(rank_auc(y[draw][None], x[draw][None].astype(float))[0], rel=1e-12)
        assert on_original == pytest.approx(apparent, rel=1e-12)
        optimism.append(on_resample - on_original)
        boot.append(on_resample)
    assert abs(np.mean(optimism)) < np.std(boot) / 5
    rows = [("client", "score", "recurrence")] + [(f"c{i}", x[i], y[i]) for i in range(n)]
    result = predictive_check(write_csv("fixed.csv", rows), outcome="recurrence", predictor="score", n_boot=100)
    assert result.c_statistic == pytest.approx(apparent, rel=1e-12)
    assert result.to_json()["performance"] == "apparent"
