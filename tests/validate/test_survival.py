"""Survival by group against statsmodels' own implementations (PHReg, survdiff, SurvfuncRight)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from review.errors import ValidationError
from review.validate.factors import factor_associations
from review.validate.report import survival_lines
from review.validate.survival import survival_by_group


def _data(n: int = 240, seed: int = 11):
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    stratum = rng.integers(0, 3, n)
    t = rng.exponential(100 / (1.5 ** arm * (1 + 0.5 * stratum)))
    censor = rng.uniform(20, 300, n)
    time, event = np.round(np.minimum(t, censor), 3) + 0.001, (t <= censor).astype(int)
    return arm, stratum, time, event


def _three_groups(seed: int, hazard_ratio: float = 1.4, n: int = 300):
    """Groups 0, 1, 2 (a third each, by chance) whose hazard rises ``hazard_ratio``-fold per group, censored."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    t = rng.exponential(100 / hazard_ratio ** group)
    censor = rng.uniform(20, 300, n)
    time, event = np.round(np.minimum(t, censor), 3) + 0.001, (t <= censor).astype(int)
    return group, time, event


def _file(write_csv, arm, stratum, time, event):
    rows = [("client", "days", "event", "arm", "diagnosis")]
    rows += [(f"c{i}", time[i], event[i], "early" if arm[i] else "late", f"d{stratum[i]}") for i in range(len(arm))]
    return write_csv("s.csv", rows)


def test_against_statsmodels(write_csv) -> None:
    arm, stratum, time, event = _data()
    path = _file(write_csv, arm, stratum, time, event)
    result = survival_by_group(path, time="days", event="event", group="arm", reference="late")
    statistic, p = survdiff(time, event, arm)
    assert result.logrank_chi2 == pytest.approx(statistic, rel=1e-6) and result.logrank_p == pytest.approx(p, rel=1e-5)
    one_stratum = _stratified_logrank_by_hand(time, event, arm, np.zeros(len(arm)))  # written out, not survdiff
    assert result.logrank_chi2 == pytest.approx(one_stratum, rel=1e-9)
    fit = PHReg(time, arm.reshape(-1, 1).astype(float), status=event, ties="efron").fit()
    assert result.hazard_ratio == pytest.approx(np.exp(fit.params[0]), rel=1e-4)
    low, high = np.exp(fit.conf_int()[0])
    assert result.hazard_ratio_ci == pytest.approx((low, high), rel=1e-3)
    for group, code in (("early", 1), ("late", 0)):
        km = SurvfuncRight(time[arm == code], event[arm == code])
        curve = next(g for g in result.groups if g.group == group)
        assert curve.median == pytest.approx(km.quantile(0.5))
        assert curve.survival[-1] == pytest.approx(km.surv_prob[-1])
    data = result.to_json()
    assert {"logrank_p", "hazard_ratio", "hazard_ratio_ci"} <= set(data)


def _stratified_logrank_by_hand(time, event, arm, stratum) -> float:
    """Two-group log-rank, stratified: per stratum and event time, group 1's observed minus expected
    deaths and the hypergeometric variance, each summed over times and strata, then (O - E)^2 / V."""
    o_minus_e = variance = 0.0
    for s in np.unique(stratum):
        t, e, g = time[stratum == s], event[stratum == s], arm[stratum == s]
        for u in np.unique(t[e == 1]):
            at_risk = t >= u
            n, n1 = at_risk.sum(), (at_risk & (g == 1)).sum()
            d, d1 = ((t == u) & (e == 1)).sum(), ((t == u) & (e == 1) & (g == 1)).sum()
            o_minus_e += d1 - d * n1 / n
            if n > 1:
                variance += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    return o_minus_e**2 / variance


def test_strata_stratify_the_logrank_test_too(write_csv) -> None:
    # the stratum raises the hazard and makes 'early' likelier (the arm itself does nothing): the unstratified
    # test mixes the two
    stratum, time, event = _three_groups(17, hazard_ratio=2.0)
    arm = (np.random.default_rng(18).random(len(stratum)) < 0.2 + 0.3 * stratum).astype(int)
    path = _file(write_csv, arm, stratum, time, event)
    result = survival_by_group(path, time="days", event="event", group="arm", strata="diagnosis", reference="late")
    by_hand = _stratified_logrank_by_hand(time, event, arm, stratum)
    plain, _ = survdiff(time, event, arm)
    assert abs(by_hand - plain) > 1.0  # the strata matter here
    assert result.logrank_chi2 == pytest.approx(by_hand, rel=1e-9) and result.logrank_df == 1
    assert result.logrank_p == pytest.approx(float(chi2.sf(by_hand, 1)), rel=1e-9)
    assert result.to_json()["logrank_strata"] == "diagnosis"
    assert "log-rank stratified by 'diagnosis': chi2" in "\n".join(survival_lines(result))
    three = survival_by_group(path, time="days", event="event", group="diagnosis", strata="arm")  # k groups
    chisq, _ = survdiff(time, event, stratum, strata=arm)
    assert three.logrank_chi2 == pytest.approx(chisq, rel=1e-9) and three.logrank_df == 2
    unstratified = survival_by_group(path, time="days", event="event", group="arm", reference="late")
    assert unstratified.logrank_chi2 == pytest.approx(plain, rel=1e-9)
    assert unstratified.to_json()["logrank_strata"] is None


def test_groups_nested_in_strata_are_one_line(write_csv) -> None:
    # every 'a' in d1 and every 'b' in d2: within strata nothing is compared (survdiff: a singular matrix)
    rows = [("client", "days", "event", "arm", "diagnosis")]
    rows += [(f"c{i}", 5 + 3 * i, int(i % 3 != 0), "ab"[i % 2], f"d{i % 2}") for i in range(60)]
    with pytest.raises(ValidationError, match=r"s\.csv: column 'diagnosis': the groups of 'arm' cannot be compared "
                                              r"within strata \(a group shares no stratum with the others\)$"):
        survival_by_group(write_csv("s.csv", rows), time="days", event="event", group="arm", strata="diagnosis")


def test_stratified_cox_against_statsmodels(write_csv) -> None:
    arm, stratum, time, event = _data()
    path = _file(write_csv, arm, stratum, time, event)
    result = survival_by_group(path, time="days", event="event", group="arm", strata="diagnosis", reference="late")
    fit = PHReg(time, arm.reshape(-1, 1).astype(float), status=event, strata=stratum, ties="efron").fit()
    assert result.hazard_ratio == pytest.approx(np.exp(fit.params[0]), rel=1e-4)


def test_group_without_events(write_csv) -> None:
    path = write_csv("s.csv", [("t", "e", "g"), (5, 1, "a"), (7, 0, "a"), (3, 0, "b"), (9, 0, "b")])
    with pytest.raises(ValidationError, match=r"s\.csv:line 4: column 'e': group 'b' has no events"):
        survival_by_group(path, time="t", event="e", group="g")


def test_event_not_binary(write_csv) -> None:
    path = write_csv("s.csv", [("t", "e", "g"), (5, 1, "a"), (7, 2, "b")])
    with pytest.raises(ValidationError, match=r"line 3: column 'e': '2' is not 0 or 1"):
        survival_by_group(path, time="t", event="e", group="g")


def test_crossing_hazards_are_flagged_by_the_schoenfeld_test(write_csv) -> None:
    rng = np.random.default_rng(5)
    n = 300  # same median, but one group's hazard falls over time and the other's rises
    early = 100 * rng.weibull(0.5, n)
    late = 100 * rng.weibull(2.5, n) * (np.log(2) ** (1 / 0.5 - 1 / 2.5))
    time = np.round(np.minimum(np.concatenate([early, late]), 400), 2) + 0.01
    event = (np.concatenate([early, late]) < 400).astype(int)
    rows = [("client", "days", "event", "arm", "exposed")]
    rows += [(f"c{i}", time[i], event[i], "a" if i < n else "b", int(i < n)) for i in range(2 * n)]
    path = write_csv("s.csv", rows)
    result = survival_by_group(path, time="days", event="event", group="arm")
    assert result.hazard_ratios[0].ph_doubtful and result.hazard_ratios[0].ph_p < 1e-6
    assert "doubtful: the ratio may change over time" in "\n".join(survival_lines(result))
    factors = factor_associations(path, outcome="event", time="days", factors=["exposed"])
    assert factors.factors[0].ph_p == pytest.approx(result.hazard_ratios[0].ph_p)
    assert "hazards not proportional? Schoenfeld test p 0.000" in factors.factors[0].note

    arm, stratum, time, event = _data()  # proportional by construction
    result = survival_by_group(_file(write_csv, arm, stratum, time, event), time="days", event="event", group="arm")
    assert result.hazard_ratios[0].ph_p is not None and not result.hazard_ratios[0].ph_doubtful


def test_separation_is_one_line_not_an_infinite_ratio(write_csv, tmp_path) -> None:
    # every event of group b comes before any of group a's: the Cox ratio runs off to ~1e9 (0 to inf),
    # and writing it as JSON was a traceback
    from click.testing import CliRunner

    from review.cli import main

    rows = [("client", "t", "e", "g", "score")]
    rows += [(f"a{i}", 500 + i, int(i < 10), "a", 1) for i in range(30)]
    rows += [(f"b{i}", 1 + i, 1, "b", 2) for i in range(30)]
    path = write_csv("sep.csv", rows)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["validate", "survival", str(path), "--time", "t", "--event", "e", "--group",
                                       "g", "--json", str(out)])
    assert result.exit_code == 4 and result.output == (
        f"review: {path}: column 'g': the Cox model does not converge for 'b' vs 'a' (separation: the groups' "
        "events barely overlap in time); no hazard ratio can be estimated\n")
    assert not out.exists()
    factors = factor_associations(path, outcome="e", time="t", factors=["score"])
    assert factors.factors[0].estimate is None and "separation" in factors.factors[0].note
    result = CliRunner().invoke(main, ["validate", "factors", str(path), "--outcome", "e", "--time", "t",
                                       "--factor", "score", "--json", str(out)])
    assert result.exit_code == 0 and '"estimate": null' in out.read_text(encoding="utf-8")


def test_few_events_per_cox_parameter_are_noted(write_csv) -> None:
    # four groups: three parameters; 24 events is 8 per parameter, below the ten factors also flag
    rng = np.random.default_rng(5)
    rows = [("client", "days", "event", "arm")]
    for i in range(80):
        rows.append((f"c{i}", round(float(rng.uniform(1, 300)), 1), int(i % 20 < 6), f"g{i % 4}"))
    path = write_csv("s.csv", rows)
    result = survival_by_group(path, time="days", event="event", group="arm")
    assert len(result.hazard_ratios) == 3
    for ratio in result.hazard_ratios:
        assert ratio.events_per_parameter == pytest.approx(8.0) and ratio.few_events
        assert ratio.note == "few events: 8.0 per parameter (3 parameters; at least 10 advised)"
    assert any("(few events: 8.0 per parameter" in line for line in survival_lines(result))
    arm, stratum, time, event = _data()  # two groups, many events: no note
    plenty = survival_by_group(_file(write_csv, arm, stratum, time, event), time="days", event="event", group="arm")
    assert plenty.hazard_ratios[0].note == "" and not plenty.hazard_ratios[0].few_events


def test_median_not_reached_reads_as_such(write_csv) -> None:
    # group 'a': 3 events in 20, so its Kaplan-Meier curve never falls to one half
    rows = [("client", "days", "event", "arm")]
    rows += [(f"a{i}", 10 + 10 * i, int(i < 3), "a") for i in range(20)]
    rows += [(f"b{i}", 5 + 5 * i, int(i % 4 != 3), "b") for i in range(20)]
    result = survival_by_group(write_csv("s.csv", rows), time="days", event="event", group="arm")
    a = next(g for g in result.groups if g.group == "a")
    assert a.median is None
    line = next(line for line in survival_lines(result) if line.strip().startswith("a "))
    assert "not reached" in line and "n/a" not in line


def test_several_contrasts_get_holm_two_groups_do_not(write_csv) -> None:
    group, time, event = _three_groups(3)
    names = np.array(["no_risk_signals", "some_risk_signals", "many_risk_signals"])
    rows = [("client", "days", "event", "profile")] + [(f"c{i}", time[i], event[i], names[group[i]]) for i in range(len(group))]
    result = survival_by_group(write_csv("p.csv", rows), time="days", event="event", group="profile")
    low, high = sorted(result.hazard_ratios, key=lambda h: h.p)
    # Holm with two contrasts: the smaller p doubled, the larger as it is unless below the first
    assert low.p_holm == pytest.approx(min(1.0, 2 * low.p))
    assert high.p_holm == pytest.approx(max(low.p_holm, high.p))
    assert "Holm over 2 contrasts" in "\n".join(survival_lines(result)) and result.to_json()["p_adjustment"] == "holm"
    arm, stratum, time2, event2 = _data()
    two = survival_by_group(_file(write_csv, arm, stratum, time2, event2), time="days", event="event", group="arm")
    assert two.hazard_ratios[0].p_holm is None
    assert two.to_json()["p_adjustment"] == "holm"  # says what p_holm is, as factors' JSON does


def test_schoenfeld_flags_follow_holm_over_the_contrasts(write_csv, monkeypatch) -> None:
    import review.validate.survival as survival_module

    group, time, event = _three_groups(3)
    rows = [("client", "days", "event", "arm")] + [(f"c{i}", time[i], event[i], f"g{group[i]}") for i in range(len(group))]
    path = write_csv("p.csv", rows)
    real = survival_by_group(path, time="days", event="event", group="arm")
    low, high = sorted(real.hazard_ratios, key=lambda h: h.ph_p)
    assert low.ph_p_holm == pytest.approx(min(1.0, 2 * low.ph_p)) and high.ph_p_holm == pytest.approx(
        max(low.ph_p_holm, high.ph_p))
    # .03 and .04 each say "doubtful" alone; over two contrasts Holm gives .06 and .06: neither is
    monkeypatch.setattr(survival_module, "ph_test_p", lambda cox, frame: {"g0": 0.03, "g1": 0.04})
    result = survival_by_group(path, time="days", event="event", group="arm")
    assert [h.ph_p_holm for h in result.hazard_ratios] == pytest.approx([0.06, 0.06])
    assert not any(h.ph_doubtful for h in result.hazard_ratios)
    assert "Holm over the contrasts: 0.06" in "\n".join(survival_lines(result))
    monkeypatch.setattr(survival_module, "ph_test_p", lambda cox, frame: {"g0": 0.01, "g1": 0.30})
    result = survival_by_group(path, time="days", event="event", group="arm")
    assert [h.ph_doubtful for h in result.hazard_ratios] == [True, False]  # .02 and .30 after Holm


def test_schoenfeld_ph_test_equals_grambsch_therneau_on_statsmodels_residuals() -> None:
    """The PH p of ``ph_test_p`` against Grambsch & Therneau's (1994) score test written out, with time as the
    rank of the event times (R's cox.zph, transform = "rank", before survival 3.0), on statsmodels' fit and
    Schoenfeld residuals (no tied times, so Breslow and Efron agree)."""
    import pandas as pd
    from lifelines import CoxPHFitter
    from scipy.stats import chi2

    from review.validate.survival import ph_test_p

    rng = np.random.default_rng(21)
    n = 300
    x = rng.integers(0, 2, n).astype(float)
    t = rng.weibull(np.where(x == 1, 0.7, 1.4)) * 100  # the group's hazards cross: PH fails
    censor = rng.uniform(20, 250, n)
    time, event = np.minimum(t, censor), (t <= censor).astype(int)
    frame = pd.DataFrame({"time": time, "event": event, "x": x})
    cox = CoxPHFitter().fit(frame, duration_col="time", event_col="event")
    p = ph_test_p(cox, frame)["x"]

    fit = PHReg(time, x.reshape(-1, 1), status=event, ties="breslow").fit()
    d = event.sum()
    dead = np.flatnonzero(event == 1)
    order = dead[np.argsort(time[dead])]
    variance = fit.cov_params()[0, 0]
    scaled = fit.params[0] + d * variance * fit.schoenfeld_residuals[order, 0]
    g = np.arange(1, d + 1) - (d + 1) / 2
    statistic = (g @ scaled) ** 2 / (d * variance * (g @ g))
    assert p == pytest.approx(chi2.sf(statistic, 1), rel=1e-6)
    assert p < 0.05  # and it sees the crossing hazards


def _lifelines_ph_p(cox, frame) -> dict[str, float]:
    from lifelines.statistics import proportional_hazard_test

    summary = proportional_hazard_test(cox, frame, time_transform="rank").summary
    return {str(name): float(p) for name, p in summary["p"].items()}


@pytest.mark.parametrize("seed", range(8))
def test_the_schoenfeld_test_counted_with_numpy_is_lifelines(seed: int, monkeypatch) -> None:
    """walk30: lifelines builds the Schoenfeld residuals row by row (an np.append per row), 1.9 of the 2.3 s of each
    factor's Cox model at 50,000 clients; ph_test_p counts them per tied time with numpy, Efron's ties and the
    rank of time as lifelines has them (tied times, censoring on an event's day, several covariates)."""
    import pandas as pd
    from lifelines import CoxPHFitter
    from lifelines.fitters.coxph_fitter import SemiParametricPHFitter

    from review.validate.survival import ph_test_p

    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 400))
    frame = pd.DataFrame({"__time": rng.integers(1, int(rng.integers(5, 60)), n).astype(float),
                          "__event": (rng.random(n) < 0.6).astype(int), "__factor": rng.integers(0, 2, n),
                          "age": rng.normal(40, 10, n), "dx_b": rng.integers(0, 2, n)})
    frame.loc[frame["__factor"] == 1, "__time"] //= 2  # a real effect, so the coefficients are not all zero
    frame["__time"] += 1
    cox = CoxPHFitter().fit(frame, duration_col="__time", event_col="__event")
    expected = _lifelines_ph_p(cox, frame)

    def not_called(*args: object, **kwargs: object) -> None:
        raise AssertionError("lifelines' row-by-row residuals were computed")

    monkeypatch.setattr(SemiParametricPHFitter, "_compute_schoenfeld_within_strata", not_called)
    got = ph_test_p(cox, frame)
    assert set(got) == set(expected)
    for name in expected:
        assert got[name] == pytest.approx(expected[name], rel=1e-9, abs=1e-14)
