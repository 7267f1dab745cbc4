"""Metrics on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from review.screening import metrics

# 10 records, 2 relevant at positions 2 and 5.
ORDER = [0, 1, 0, 0, 1, 0, 0, 0, 0, 0]


def test_wss_at_95_and_100_by_hand() -> None:
    # ⌈0.95·2⌉ = 2 relevant needed → found at position 5: (10 − 5)/10 − 0.05 = 0.45.
    assert metrics.wss(ORDER, 0.95) == pytest.approx(0.45)
    # WSS@100: (10 − 5)/10 − 0 = 0.5.
    assert metrics.wss(ORDER, 1.0) == pytest.approx(0.5)


def test_recall_at_ten_percent_counts_floor_of_n() -> None:
    # ⌊0.1·10⌋ = 1 record screened: position 1 is irrelevant.
    assert metrics.recall_at(ORDER, 0.10) == 0.0
    # 20 % → 2 records → one of two relevant.
    assert metrics.recall_at(ORDER, 0.20) == 0.5
    # 19 records: ⌊1.9⌋ = 1.
    assert metrics.recall_at([1] + [0] * 18, 0.10) == 1.0


def test_atd_is_mean_position_over_n() -> None:
    assert metrics.atd(ORDER) == pytest.approx((2 + 5) / 2 / 10)


def test_n_to_all_and_records_to_recall() -> None:
    assert metrics.n_to_all(ORDER) == 5
    assert metrics.records_to_recall(ORDER, 0.5) == 2
    # 20 relevant: 95 % needs ⌈19⌉ = 19, not 20 (floating-point 0.95·20 must not round up).
    twenty = [1] * 20 + [0] * 5
    assert metrics.records_to_recall(twenty, 0.95) == 19


def test_loss_perfect_worst_and_by_hand() -> None:
    assert metrics.loss([1, 1, 0, 0, 0]) == pytest.approx(0.0)
    assert metrics.loss([0, 0, 0, 1, 1]) == pytest.approx(1.0)
    # N=10, R=2: optimal area 2·(10 − 0.5) = 19; actual Σ cumsum = 0+1+1+1+2·6 = 15;
    # worst area R(R+1)/2 = 3 → (19 − 15)/(2·8) = 0.25.
    assert metrics.loss(ORDER) == pytest.approx(0.25)


def test_random_order_metrics_are_near_zero_wss() -> None:
    # Relevant evenly spread: every 10th of 1000 → WSS@95 ≈ 0 (n95 = 950).
    order = [1 if (i + 1) % 10 == 0 else 0 for i in range(1000)]
    assert metrics.wss(order, 0.95) == pytest.approx(0.0, abs=1e-9)
    assert metrics.recall_at(order, 0.10) == pytest.approx(0.10)


def test_all_metrics_names_are_stable() -> None:
    result = metrics.all_metrics(ORDER)
    assert list(result) == ["n_records", "n_relevant", "wss@95", "wss@100", "recall@10%", "atd",
                            "n_to_95%", "n_to_all", "loss"]
    assert result["n_relevant"] == 2 and result["n_to_all"] == 5


def test_metrics_reject_bad_input_and_handle_no_relevant() -> None:
    with pytest.raises(ValueError):
        metrics.wss([])
    with pytest.raises(ValueError):
        metrics.wss([0, 2, 1])
    assert metrics.wss([0, 0, 0]) is None
    assert metrics.atd([0, 0]) is None
    assert metrics.loss([0, 0]) is None
    assert not math.isnan(metrics.recall_curve([0, 0])[-1])
