"""C-statistic against scikit-learn; calibration groups counted by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from review.errors import ValidationError
from review.validate.predictive import predictive_check, rank_auc


def _cohort(write_csv, n: int = 300, seed: int = 3):
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 6, n)
    outcome = (rng.random(n) < 1 / (1 + np.exp(-(score - 3) * 0.6))).astype(int)
    labels = np.array(["no_risk_signals", "some_risk_signals", "many_risk_signals"])[np.minimum(score // 2, 2)]
    rows = [("client", "score", "indication", "recurrence")]
    rows += [(f"c{i}", score[i], labels[i], outcome[i]) for i in range(n)]
    rows.append(("cx", "", "insufficient", 1))
    return write_csv("cohort.csv", rows), score, labels, outcome


def test_c_statistic_equals_scikit_learn(write_csv) -> None:
    path, score, _, outcome = _cohort(write_csv)
    result = predictive_check(path, outcome="recurrence", predictor="score", n_boot=200, seed=1)
    assert result.c_statistic == pytest.approx(roc_auc_score(outcome, score))
    low, high = result.c_statistic_ci
    assert low < result.c_statistic < high
    assert result.excluded == 1 and result.n == len(outcome)
    data = result.to_json()
    assert data["c_statistic"] == result.c_statistic and len(data["c_statistic_ci"]) == 2


def test_rank_auc_equals_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, (5, 60))
    x = rng.integers(0, 4, (5, 60)).astype(float)
    assert rank_auc(y, x) == pytest.approx([roc_auc_score(y[i], x[i]) for i in range(5)])


def test_calibration_by_profile_indication(write_csv) -> None:
    path, _, labels, outcome = _cohort(write_csv)
    result = predictive_check(path, outcome="recurrence", predictor="indication", n_boot=50)
    assert [g.group for g in result.calibration] == ["no_risk_signals", "some_risk_signals", "many_risk_signals"]
    for group in result.calibration:
        members = labels == group.group
        assert (group.n, group.events) == (members.sum(), outcome[members].sum())
        assert group.predicted == pytest.approx(group.observed, abs=0.08)
    assert result.excluded == 1  # the insufficient profile


def test_no_events(write_csv) -> None:
    path = write_csv("c.csv", [("score", "recurrence"), (1, 0), (2, 0)])
    with pytest.raises(ValidationError, match=r"column 'recurrence': no events"):
        predictive_check(path, outcome="recurrence", predictor="score")


def _censored(write_csv, n: int = 300, seed: int = 4):
    """Risk rises with the score; a third of the clients leave early (censored) regardless of the score."""
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 4, n)
    event_time = rng.exponential(500 / np.exp(0.5 * score))
    leave = np.where(rng.random(n) < 0.35, rng.uniform(10, 400, n), 730.0)
    time, event = np.round(np.minimum(event_time, leave), 1) + 0.1, (event_time <= leave).astype(int)
    rows = [("client", "score", "recurrence", "days")]
    rows += [(f"c{i}", score[i], event[i], time[i]) for i in range(n)]
    rows.append(("cx", 2, 1, ""))  # no follow-up time: left out and counted
    return write_csv("cohort.csv", rows), score, time, event


def test_time_to_event_uses_harrell_c_and_kaplan_meier(write_csv) -> None:
    from statsmodels.duration.survfunc import SurvfuncRight

    path, score, time, event = _censored(write_csv)
    result = predictive_check(path, outcome="recurrence", predictor="score", time="days", horizon=365,
                              n_boot=50, seed=2)
    # Harrell's C by its definition: a pair counts when the shorter time ends in an event
    concordant = usable = 0.0
    for i in np.flatnonzero(event):
        later = (time > time[i]) | ((time == time[i]) & (event == 0))  # censored at a tie: still at risk
        usable += later.sum()
        concordant += (score[later] < score[i]).sum() + 0.5 * (score[later] == score[i]).sum()
    assert result.c_statistic == pytest.approx(concordant / usable)
    assert result.c_statistic != pytest.approx(roc_auc_score(event, score))  # censoring changes the answer
    assert result.missing == {"days": 1} and result.excluded == 1 and result.n == len(score)
    for group in result.calibration:
        members = score == float(group.group)
        km = SurvfuncRight(time[members], event[members])
        at = np.searchsorted(km.surv_times, 365, side="right") - 1
        assert group.observed == pytest.approx(1 - km.surv_prob[at])
        assert group.events == int((event[members] & (time[members] <= 365)).sum())
        assert group.at_risk == int((time[members] >= 365).sum())
        assert group.observed_ci[0] < group.observed < group.observed_ci[1]
        assert group.predicted == pytest.approx(group.observed, abs=0.1)
    assert result.to_json()["c_statistic_measure"] == "Harrell's C of censored time to event"


def test_horizon_is_required_with_time_and_within_follow_up(write_csv) -> None:
    path, *_ = _censored(write_csv)
    with pytest.raises(ValidationError, match=r"column 'days': --horizon is required with --time"):
        predictive_check(path, outcome="recurrence", predictor="score", time="days")
    with pytest.raises(ValidationError, match=r"column 'days': --horizon 900 is beyond the longest follow-up"):
        predictive_check(path, outcome="recurrence", predictor="score", time="days", horizon=900, n_boot=10)


def test_a_score_that_is_not_finite_names_its_cell(write_csv) -> None:
    # 'inf' passed float() and reached scikit-learn as a traceback; '2,5' is a number like elsewhere
    path = write_csv("c.csv", [("score", "recurrence"), ('"2,5"', 1), ("inf", 0)])
    with pytest.raises(ValidationError, match=r"c\.csv:line 3: column 'score': 'inf' is not a finite number"):
        predictive_check(path, outcome="recurrence", predictor="score")


def test_time_without_comparable_pairs_is_one_line(write_csv) -> None:
    # every event on day 100, everyone else censored earlier: lifelines raised ZeroDivisionError
    rows = [("client", "score", "recurrence", "days")]
    rows += [(f"e{i}", i % 3, 1, 100) for i in range(10)]
    rows += [(f"c{i}", i % 3, 0, 10 + i) for i in range(20)]
    path = write_csv("c.csv", rows)
    with pytest.raises(ValidationError, match=r"c\.csv: column 'days': no comparable pairs: "):
        predictive_check(path, outcome="recurrence", predictor="score", time="days", horizon=50, n_boot=10)


def test_bootstrap_redraws_resamples_without_comparable_pairs() -> None:
    from review.validate.predictive import bootstrap_harrell

    # one early event makes the data comparable; resamples that miss it (tied late events only) have no pair
    time = np.array([5.0] + [100.0] * 10 + [10.0 + i for i in range(20)])
    event = np.array([1] * 11 + [0] * 20)
    score = np.arange(31, dtype=float) % 4
    low, high = bootstrap_harrell(time, event, score, n_boot=200, seed=1, level=0.95)
    assert 0.0 <= low <= high <= 1.0


def test_too_few_events_cites_the_logistic_study_without_time(write_csv) -> None:
    rows = [("score", "recurrence")] + [(i % 4, int(i < 6)) for i in range(60)]
    with pytest.raises(ValidationError, match=r"events per parameter, Peduzzi et al\. 1996\)$"):
        predictive_check(write_csv("c.csv", rows), outcome="recurrence", predictor="score")


def test_performance_is_named_apparent(write_csv) -> None:
    from review.validate.report import predictive_lines

    path, *_ = _cohort(write_csv)
    result = predictive_check(path, outcome="recurrence", predictor="score", n_boot=20)
    assert result.to_json()["performance"] == "apparent"
    assert any(line.startswith("apparent performance:") for line in predictive_lines(result))


def test_a_cohort_that_built_the_instrument_is_warned_about(write_csv, tmp_path) -> None:
    import shutil
    from pathlib import Path

    from review.extraction import load_factors
    from review.services.validate import analyse
    from review.validate.factors import factor_associations
    from review.validate.own_data import write_own_data_study

    repo_extraction = Path(__file__).resolve().parents[2] / "extraction"
    extraction = tmp_path / "extraction"
    (extraction / "studies").mkdir(parents=True)
    for name in ("factors.toml", "form.toml"):
        shutil.copy(repo_extraction / name, extraction / name)
    rng = np.random.default_rng(8)
    conflict = rng.integers(0, 2, 200)
    outcome = (rng.random(200) < 0.2 + 0.3 * conflict).astype(int)
    rows = [("client", "conflict_with_supervisor", "score", "recurrence")]
    rows += [(f"c{i}", conflict[i], conflict[i] + rng.integers(0, 2), outcome[i]) for i in range(200)]
    cohort = write_csv("cohort.csv", rows)
    other = write_csv("cohort-2028.csv", rows)
    options = {"outcome": "recurrence", "predictor": "score", "bootstrap": 20}
    assert not analyse("predictive", cohort, options, extraction_dir=extraction).warnings
    factors = factor_associations(cohort, outcome="recurrence", factors=["conflict_with_supervisor"])
    write_own_data_study(factors, extraction, load_factors(extraction / "factors.toml"))
    warned = analyse("predictive", cohort, options, extraction_dir=extraction).warnings
    assert len(warned) == 1 and "own-data study own_cohort" in warned[0] and "optimistic" in warned[0]
    assert "estimated from this file (the same content)" in warned[0]
    # a renamed copy is the same clients: its content hash (in source_location) gives it away
    copied = analyse("predictive", other, options, extraction_dir=extraction).warnings
    assert len(copied) == 1 and "estimated from this file (the same content)" in copied[0]
    unrelated = write_csv("cohort-2029.csv", [rows[0]] + [(f"d{i}", *row[1:]) for i, row in enumerate(rows[1:])])
    assert not analyse("predictive", unrelated, options, extraction_dir=extraction).warnings
    # the same name with other content (a column added since, say) still warns, as a file of this name
    with cohort.open("a", encoding="utf-8") as handle:
        handle.write("c_new,1,1,0\n")
    changed = analyse("predictive", cohort, options, extraction_dir=extraction).warnings
    assert len(changed) == 1 and "estimated from a file of this name" in changed[0]
    # the command line names the extraction folder with --extraction, as factors does
    from click.testing import CliRunner

    from review.cli import main

    run = CliRunner().invoke(main, ["validate", "predictive", str(cohort), "--outcome", "recurrence", "--predictor",
                                    "score", "--bootstrap", "20", "--extraction", str(extraction)])
    assert run.exit_code == 0, run.output
    assert "warning: cohort.csv: own-data study own_cohort" in run.output


def test_a_group_with_few_still_followed_at_the_horizon_is_flagged(write_csv) -> None:
    from review.validate.report import predictive_lines

    path, *_ = _censored(write_csv)
    result = predictive_check(path, outcome="recurrence", predictor="score", time="days", horizon=700, n_boot=20)
    flagged = [g for g in result.calibration if g.note]
    assert flagged and all(g.at_risk is not None and g.at_risk < 10 for g in flagged)
    assert all(g.at_risk is not None and g.at_risk >= 10 for g in result.calibration if not g.note)
    assert flagged[0].note == f"few still followed at 700: {flagged[0].at_risk} (< 10)"
    assert any(flagged[0].note in line for line in predictive_lines(result))


def test_auc_bootstrap_ranks_bounded_blocks_and_equals_scikit_learn_per_resample(monkeypatch) -> None:
    """At 50,000 clients the 1,000 resamples were ranked in one array (3.7 GB): now in blocks of at most
    a million cells, with the interval of every resample scored by scikit-learn."""
    import review.validate.predictive as predictive

    rng = np.random.default_rng(11)
    n, n_boot = 5_000, 400
    x = rng.integers(0, 6, n).astype(float)
    y = (rng.random(n) < 0.2 + 0.1 * x).astype(int)
    sizes: list[int] = []
    ranked = predictive.rank_auc
    monkeypatch.setattr(predictive, "rank_auc", lambda ys, xs: (sizes.append(ys.size), ranked(ys, xs))[1])
    low, high = predictive.bootstrap_auc(y, x, n_boot=n_boot, seed=5, level=0.9)
    assert max(sizes) <= 1_000_000 and sum(sizes) == n_boot * n
    draws = np.random.default_rng(5).integers(0, n, size=(n_boot, n))  # every resample has both outcomes here
    aucs = [roc_auc_score(y[d], x[d]) for d in draws]
    assert (low, high) == pytest.approx((np.quantile(aucs, 0.05), np.quantile(aucs, 0.95)), rel=1e-12)


def _survival_samples(values: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """40 small data sets with tied times, censoring on an event's day and a score of up to ``values`` values."""
    rng = np.random.default_rng(values)
    samples = []
    for _ in range(40):
        n = int(rng.integers(2, 150))
        time = rng.integers(1, 25, n).astype(float)
        event = (rng.random(n) < rng.random()).astype(int)
        samples.append((time, event, rng.integers(0, values, n) * 0.5 - 1))
    return samples


@pytest.mark.parametrize("values", [1, 2, 3, 7, 32, 60])
def test_harrell_c_counted_per_value_equals_lifelines(values: int) -> None:
    """Harrell's C of a predictor with few values is counted with numpy (lifelines took 32 s CPU for the
    bootstrap of 50,000 clients): the count itself is lifelines' number, with tied times, censoring on an event's
    day and tied scores, and None where lifelines finds no comparable pair. The count is asked directly, not
    through harrell_c, whose dispatch to it is the next test's (through harrell_c this compared lifelines
    with itself when the count was never taken, review of validate18 finding 7)."""
    from lifelines.utils import concordance_index

    from review.validate.predictive import _harrell_c_by_value

    for time, event, score in _survival_samples(values):
        try:
            expected = concordance_index(time, -score, event)
        except ZeroDivisionError:
            expected = None
        distinct = np.unique(score)
        got = _harrell_c_by_value(time, event, np.searchsorted(distinct, score), len(distinct))
        assert (got is None) == (expected is None)
        if expected is not None:
            assert got == pytest.approx(expected, rel=1e-12)


def test_harrell_c_counts_up_to_counted_values_and_hands_more_to_lifelines(monkeypatch) -> None:
    """Up to 32 distinct scores (COUNTED_VALUES) harrell_c is the numpy count and never calls lifelines; one
    more and it is lifelines' number. With COUNTED_VALUES = 0 lifelines is called and this fails."""
    import lifelines.utils

    from review.validate import predictive

    calls: list[int] = []
    real = lifelines.utils.concordance_index
    monkeypatch.setattr(lifelines.utils, "concordance_index",
                        lambda time, x, event: (calls.append(len(np.unique(x))), real(time, x, event))[1])
    # a profile's three values, a score's dozen and the 32 COUNTED_VALUES promises
    for time, event, score in [sample for values in (3, 12, 32) for sample in _survival_samples(values)]:
        distinct = np.unique(score)
        assert predictive.harrell_c(time, event, score) == predictive._harrell_c_by_value(
            time, event, np.searchsorted(distinct, score), len(distinct))
    assert calls == []
    time = np.arange(1.0, 41.0)
    event = np.ones(40, dtype=int)
    score = np.arange(40.0) % (predictive.COUNTED_VALUES + 1)
    assert predictive.harrell_c(time, event, score) == pytest.approx(real(time, -score, event), rel=1e-12)
    assert calls == [predictive.COUNTED_VALUES + 1]


@pytest.mark.parametrize("values", [1, 2, 3, 12, 32, 40])
def test_the_bootstrap_of_harrell_c_is_each_resamples_own_c(values: int) -> None:
    """The bootstrap counts each resample from how often it drew each client, the clients sorted once
    (walk30: sorting and searching every resample took 14 s CPU of the 16 at 50,000 clients); its interval is
    the percentiles of harrell_c of the resampled rows themselves, drawn from the same generator, to the last bit
    (a resample without a comparable pair is redrawn, as before). Beyond COUNTED_VALUES lifelines counts."""
    from review.validate.predictive import bootstrap_harrell, harrell_c

    for time, event, score in _survival_samples(values)[:12]:
        if harrell_c(time, event, score) is None:
            continue
        rng, cs = np.random.default_rng(5), []
        while len(cs) < 60:
            draw = rng.integers(0, len(time), size=len(time))
            c = harrell_c(time[draw], event[draw], score[draw])
            if c is not None:
                cs.append(c)
        alpha = 1 - 0.9
        expected = (float(np.quantile(cs, alpha / 2)), float(np.quantile(cs, 1 - alpha / 2)))
        assert bootstrap_harrell(time, event, score, n_boot=60, seed=5, level=0.9) == expected


def test_the_bootstrap_of_a_profile_sorts_the_clients_once(monkeypatch) -> None:
    """argsort ran once per resample (1,000 at 50,000 clients: 6 of the 16 s CPU), searchsorted three times."""
    from review.validate import predictive

    rng = np.random.default_rng(1)
    n = 5000
    time, event, score = rng.integers(1, 700, n).astype(float), rng.integers(0, 2, n), rng.integers(0, 3, n) * 1.0
    calls = {"argsort": 0, "searchsorted": 0}
    for name in calls:
        real = getattr(np, name)
        monkeypatch.setattr(predictive.np, name,
                            lambda *a, _real=real, _name=name, **k: (calls.__setitem__(_name, calls[_name] + 1),
                                                                      _real(*a, **k))[1])
    predictive.bootstrap_harrell(time, event, score, n_boot=50, seed=0, level=0.95)
    assert calls["argsort"] <= 1 and calls["searchsorted"] <= 3
