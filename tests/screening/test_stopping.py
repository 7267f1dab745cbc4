"""The stopping rules: the statistical test must keep its error rate; heuristics fire sensibly."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom

from review.screening import stopping


def test_k_target_and_p_value_match_the_paper_formula() -> None:
    # r_AL = 19 found, none in a sample of 100 from 1000: K_tar = ⌊19/0.95 − 19⌋ + 1 = 2.
    assert stopping.k_target(19, 0, 0.95) == 2
    p = stopping.hypergeometric_p(1000, 100, 0, 19, 0.95)
    assert p == pytest.approx(hypergeom.cdf(0, 1000, 2, 100))
    assert stopping.hypergeometric_p(1000, 0, 0, 19) == 1.0


def test_own_hypergeometric_cdf_matches_scipy() -> None:
    k = np.array([0, 1, 2, 0, 3, 5])
    relevant = np.array([2, 5, 7, 40, 10, 3])
    drawn = np.array([100, 300, 50, 10, 999, 1000])
    ours = stopping.hypergeom_cdf(k, 1000, relevant, drawn)
    assert ours == pytest.approx(hypergeom.cdf(k, 1000, relevant, drawn), rel=1e-9, abs=1e-12)


def test_p_value_zero_when_urn_cannot_hide_enough() -> None:
    assert stopping.hypergeometric_p(urn_size=1, sampled=1, relevant_sample=0, relevant_ranked=100) == 0.0


def test_sequential_p_values_agree_with_scalar_function() -> None:
    rng = np.random.default_rng(3)
    sample = (rng.random(300) < 0.02).astype(int)
    vector = stopping.sequential_p_values(sample, 30, 0.95, urn_size=800)
    for n in (1, 50, 120, 300):
        k = int(sample[:n].sum())
        assert vector[n - 1] == pytest.approx(stopping.hypergeometric_p(800, n, k, 30, 0.95))


def test_first_stop_matches_the_full_sequence() -> None:
    rng = np.random.default_rng(11)
    for _ in range(5):
        sample = (rng.random(1000) < 0.01).astype(int)
        p = stopping.sequential_p_values(sample, 25, 0.95, urn_size=1000)
        below = np.flatnonzero(p < 0.05)
        expected = int(below[0]) + 1 if below.size else None
        assert stopping.first_stop(sample, 25, 0.95, 0.95, urn_size=1000) == expected


def test_sample_size_needed_reaches_alpha_exactly_there() -> None:
    needed = stopping.sample_size_needed(1500, 40, 0.95, 0.95)
    assert stopping.hypergeometric_p(1500, needed, 0, 40) < 0.05
    assert stopping.hypergeometric_p(1500, needed - 1, 0, 40) >= 0.05


def _stop_recall(rng: np.random.Generator, urn: int, relevant_in_urn: int, found_ranked: int,
                 target: float, confidence: float) -> tuple[float, int]:
    labels = np.zeros(urn, dtype=int)
    labels[rng.choice(urn, size=relevant_in_urn, replace=False)] = 1
    n = stopping.first_stop(labels, found_ranked, target, confidence, urn_size=urn) or urn
    found = found_ranked + int(labels[:n].sum())
    return found / (found_ranked + relevant_in_urn), n


@pytest.mark.parametrize("found_ranked,relevant_in_urn", [(34, 6), (38, 2), (18, 2)])
def test_statistical_rule_misses_target_no_more_often_than_confidence_allows(
    found_ranked: int, relevant_in_urn: int
) -> None:
    """Truth known: recall at stop < 95 % must happen in ≤ 5 % of runs (plus sampling error)."""
    rng = np.random.default_rng(20200273)
    runs = 250
    misses = sum(
        _stop_recall(rng, 1500, relevant_in_urn, found_ranked, 0.95, 0.95)[0] < 0.95 for _ in range(runs)
    )
    tolerance = 0.05 + 3 * np.sqrt(0.05 * 0.95 / runs)
    assert misses / runs <= tolerance


def test_statistical_rule_stops_early_when_ranking_found_everything() -> None:
    rng = np.random.default_rng(1)
    sizes = [_stop_recall(rng, 1500, 0, 40, 0.95, 0.95)[1] for _ in range(20)]
    assert max(sizes) < 1500  # it stops before exhausting the urn
    assert all(size == sizes[0] for size in sizes)  # with no relevant left, n is deterministic


def test_trailing_irrelevant_and_knee() -> None:
    assert stopping.trailing_irrelevant([1, 0, 1, 0, 0, 0]) == 3
    assert stopping.trailing_irrelevant([0, 0, 1]) == 0
    steep = [1] * 30 + [0] * 1000  # everything found early, then a long flat tail
    assert stopping.knee_fires(steep)
    flat = [1 if i % 10 == 0 else 0 for i in range(1000)]  # random-like order: no knee
    assert not stopping.knee_fires(flat)
    assert not stopping.knee_fires([1] * 10 + [0] * 100)  # fewer than 150 screened


def test_assess_verdicts_and_explanations_of_the_certified_rule() -> None:
    ranked = [1] * 20 + [0] * 40
    status = stopping.assess(ranked, [], 2000, rule="certified")
    assert status.verdict == "continue" and "Continue" in status.explanation
    assert status.estimated_recall is not None and 0 < status.estimated_recall < 1
    assert f"{status.estimated_recall:.0%}" in status.explanation

    # One relevant in the first two records says almost nothing about recall: no estimate.
    early = stopping.assess([1, 0], [], 2000, rule="certified")
    assert early.verdict == "continue" and early.estimated_recall is None
    assert "Too early" in early.explanation

    exhausted = [1] * 20 + [0] * 100
    status = stopping.assess(exhausted, [], 2000, rule="certified")
    assert status.verdict == "sample-needed"
    assert status.sample_needed and f"{status.sample_needed:,}" in status.explanation

    status = stopping.assess(exhausted, [0] * status.sample_needed, 2000, rule="certified")
    assert status.verdict == "stop" and status.p_value < 0.05

    status = stopping.assess(exhausted, [0] * 10, 2000, rule="certified")
    assert status.verdict == "continue" and "Keep sampling" in status.explanation

    assert stopping.assess([1, 0], [], 2, rule="certified").verdict == "stop"


def test_a_stop_before_the_last_relevant_record_reports_the_recall_found_by_then() -> None:
    """Counted by hand: a relevant prior, then the ranked records 0 1 0 0 0 1 1 and 13 irrelevant; 4 relevant.
    Three irrelevant in a row end at the 6th record (priors counted), when 2 of the 4 had been found: recall 0.5.
    The classifier's stop, put on the 3rd record (a relevant one), has found the same 2: the record a stop lands
    on counts as screened."""
    order = [1] + [0, 1, 0, 0, 0, 1, 1] + [0] * 13
    asked: list[int | None] = []

    def classifier(lomax_stop: int | None) -> int | None:
        asked.append(lomax_stop)
        return 3

    points = stopping.stopping_points(order, n_priors=1, consecutive=3, classifier=classifier)
    consecutive = points["consecutive_irrelevant"]
    assert (consecutive["n_screened"], consecutive["recall"], consecutive["limit"]) == (6, 0.5, 3)
    assert points["statistical"]["sample_start"] == 6  # the sample starts where the first heuristic fired
    # Given its Lomax part's stop, at 99 % (decision 0078): later than the Lomax rule's at 95 %, here never.
    from review.screening import stopping_classifier as sc
    from review.screening.stopping_rate import lomax_first_stop

    at_99 = lomax_first_stop(np.array(order[1:]), found_before=1, level=sc.trend_levels(0.95))
    assert asked == [None if at_99 is None else 1 + at_99] and points["relevance_rate_lomax"]["n_screened"] == 19
    by_classifier = points["relevance_rate_classifier"]
    assert (by_classifier["n_screened"], by_classifier["recall"]) == (3, 0.5)


def test_stopping_points_in_a_finished_order() -> None:
    order = [1, 0] + [1] * 18 + [0] * 1980
    points = stopping.stopping_points(order, n_priors=2, seed=1)
    consecutive = points["consecutive_irrelevant"]
    assert consecutive["n_screened"] == 20 + stopping.consecutive_limit(2000)
    assert consecutive["recall"] == 1.0
    assert points["knee"]["n_screened"] is not None
    statistical = points["statistical"]
    assert statistical["recall"] == 1.0
    assert statistical["sample_start"] <= statistical["n_screened"] < 2000


def test_a_random_samples_recall_is_the_bound_its_draws_vouch_for() -> None:
    """The sample's estimate is its lower bound at the confidence (not 100 % from the first irrelevant draw, walk31):
    low after a few draws, rising with each irrelevant one, and reaching the target exactly when the certified
    rule's test stops; checked against scipy's hypergeometric distribution."""
    from scipy.stats import hypergeom

    exhausted = [1] * 20 + [0] * 100  # 20 found in the ranked phase; an urn of 1,880 left
    urn = 2000 - len(exhausted)
    first = stopping.assess(exhausted, [0], 2000, rule="certified")
    assert first.verdict == "continue"
    assert first.estimated_recall is not None and first.estimated_recall < 0.1
    assert "vouch for recall of at least" in first.explanation
    bounds = [stopping.assess(exhausted, [0] * drawn, 2000, rule="certified").estimated_recall for drawn in (5, 50, 200)]
    assert bounds == sorted(bounds) and bounds[-1] is not None and bounds[-1] < 1
    # The bound: the most the urn may hold that the test does not reject at 95 %, by scipy
    drawn = 50
    most = max(k for k in range(0, urn - drawn + 1) if hypergeom.cdf(0, urn, k, drawn) >= 0.05)
    assert stopping.assess(exhausted, [0] * drawn, 2000, rule="certified").estimated_recall == pytest.approx(20 / (20 + most))
    needed = stopping.assess(exhausted, [], 2000, rule="certified").sample_needed
    assert needed is not None
    at_stop = stopping.assess(exhausted, [0] * needed, 2000, rule="certified")
    before = stopping.assess(exhausted, [0] * (needed - 1), 2000, rule="certified")
    assert at_stop.verdict == "stop" and at_stop.estimated_recall is not None and at_stop.estimated_recall >= 0.95
    assert before.verdict == "continue" and before.estimated_recall is not None and before.estimated_recall < 0.95
