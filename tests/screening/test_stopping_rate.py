"""The recommended stopping rule on constructed rankings whose remaining relevant records are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from review.screening import stopping
from review.screening.stopping_rate import estimate, first_stop, remaining_bounds


def decaying_ranking(seed: int, n: int = 1000, relevant_rate: float = 0.5, decay: float = 12.0) -> np.ndarray:
    """0/1 labels drawn with P(relevant at x) = relevant_rate·exp(−decay·x/n): the model's own form."""
    x = np.arange(1, n + 1)
    return (np.random.default_rng(seed).random(n) < relevant_rate * np.exp(-decay * x / n)).astype(int)


def test_expected_remaining_tracks_the_truth_on_the_model_it_assumes() -> None:
    n, screened = 1000, 300
    truth = 0.5 * np.exp(-6.0 * np.arange(screened + 1, n + 1) / n).sum()  # mean relevant left: 13.5
    estimates = []
    for seed in range(20):
        labels = decaying_ranking(seed, n, decay=6.0)
        status = estimate(labels[:screened], n, param_level=0.95)
        assert status is not None and status.upper_remaining >= status.expected_remaining
        estimates.append(status.expected_remaining)
    assert np.mean(estimates) == pytest.approx(truth, rel=0.3)


def test_stops_with_the_promised_recall_and_saves_work() -> None:
    recalls, stops = [], []
    for seed in range(40):
        labels = decaying_ranking(seed)
        at = first_stop(labels, target_recall=0.95, confidence=0.95, model="exponential", param_level=0.95)
        stop = labels.size if at is None else at
        recalls.append(labels[:stop].sum() / labels.sum())
        stops.append(stop)
    assert np.mean(np.array(recalls) >= 0.95) >= 0.9
    assert np.mean(stops) < 0.7 * 1000  # a random order would need ~95 % of the records


def test_a_random_order_never_looks_finished() -> None:
    # Constant rate: the records left are as rich as those screened, so no early stop.
    labels = (np.random.default_rng(3).random(2000) < 0.05).astype(int)
    at = first_stop(labels, model="exponential", param_level=0.95)
    assert at is None or labels[:at].sum() / labels.sum() >= 0.95


def test_everything_found_early_stops_after_a_tail_of_irrelevant_records() -> None:
    labels = np.array([1] * 40 + [0] * 1960)
    at = first_stop(labels, model="exponential", param_level=0.95)
    assert at is not None and 40 < at < 1000
    _, upper = remaining_bounds(labels, labels.size, np.array([40, at]), model="exponential")
    assert upper[0] > upper[1]  # the irrelevant tail is what lowers the bound


def test_nothing_to_estimate_before_a_relevant_record() -> None:
    assert estimate([0] * 50, 1000) is None
    assert first_stop([0] * 100) is None
    assert math.isinf(remaining_bounds([0, 0, 0], 10)[1][0])


def test_assess_recommended_says_which_rule_its_estimate_and_its_uncertainty(monkeypatch: pytest.MonkeyPatch) -> None:
    # The exponential rule's words, when it is the one the recommended choice follows (before 0016).
    monkeypatch.setitem(stopping.RULE_OF_CHOICE, "recommended", "relevance_rate")
    status = stopping.assess([1] * 20 + [0] * 40, [], 2000)
    assert status.rule == "recommended" and status.verdict == "continue"
    assert status.expected_remaining is not None and status.upper_remaining >= status.expected_remaining
    assert "recommended rule" in status.explanation and f"at most {status.upper_remaining}" in status.explanation
    done = stopping.assess([1] * 40 + [0] * 900, [], 2000)
    assert done.verdict == "stop" and done.estimated_recall > 0.95 and "Stop (recommended rule)" in done.explanation
    assert stopping.assess([0, 0], [], 2000).estimated_recall is None
    with pytest.raises(ValueError):
        stopping.assess([1], [], 10, rule="sure")


def test_stopping_points_report_the_recommended_rule() -> None:
    order = [1, 0] + [1] * 38 + [0] * 1960
    points = stopping.stopping_points(order, n_priors=2, seed=1)
    assert points["recommended"] == "relevance_rate_classifier"  # decision 0025 (0016: the Lomax rule)
    rate = points["relevance_rate"]  # still reported, to compare old and new
    assert rate["recall"] == 1.0 and 40 < rate["n_screened"] < points["statistical"]["n_screened"]


def test_a_stop_on_none_left_does_not_state_a_recall_above_its_estimate() -> None:
    # A tiny review: 0.01 relevant records expected among the 5 unscreened, none at 99 % (the recommended rule's
    # trend level, decision 0078; at 98 % it stopped with 8 unscreened, at 99 % those leave at most 1). The estimate
    # is 99.5 %; "recall is at least 100 %" beside it read as a contradiction.
    done = stopping.assess([1, 1] + [0] * 13, [], 20)
    assert done.verdict == "stop" and done.upper_remaining == 0 and done.estimated_recall < 1
    assert "at least 100%" not in done.explanation
    assert "every relevant record has been found" in done.explanation
    # With some left at the bound, the stated recall stays the bound's.
    rng = np.random.default_rng(1)
    thinning = ([1] * 30 + list((rng.random(300) < 0.3).astype(int)) + list((rng.random(600) < 0.02).astype(int))
                + [0] * 1000)
    some = stopping.assess(thinning, [], 3000)
    assert some.verdict == "stop" and some.upper_remaining > 0
    assert f"so recall is at least {some.relevant_found / (some.relevant_found + some.upper_remaining):.0%}" \
        in some.explanation

