"""The recommended rule's Lomax part at its level by the strength of its claim (decision 0059): lower where the
target allows one or two relevant records to be left (k* 1 or 2), the rule's confidence elsewhere. Constructed
rankings whose relevant records, found and left, are known."""

from __future__ import annotations

import numpy as np
import pytest

from review.screening import stopping
from review.screening import stopping_classifier as sc
from review.screening.stopping_rate import lomax_estimate, lomax_first_stop, lomax_stops, most_left_for_target


def ranking(n: int, relevant_at: list[int]) -> np.ndarray:
    labels = np.zeros(n, dtype=np.int64)
    labels[relevant_at] = 1
    return labels


def test_the_level_is_lowered_only_where_one_or_two_may_be_left() -> None:
    assert sc.lomax_level(0, 0.95) == 0.95  # "none left": no margin (decision 0040: 0.85 missed antihistamines)
    assert sc.lomax_level(1, 0.95) == pytest.approx(0.80) == sc.lomax_level(2, 0.95)
    assert sc.lomax_level(3, 0.95) == 0.95 == sc.lomax_level(14, 0.95)  # the steep curves of the dense sets
    # The miss allowance widens with the confidence's, never below the floor nor above the confidence.
    assert sc.lomax_level(1, 0.99) == pytest.approx(0.96)
    assert sc.lomax_level(1, 0.8) == 0.5 and sc.lomax_level(1, 0.4) == 0.4
    levels = sc.lomax_levels(0.95)(np.array([0, 1, 2, 3]))
    assert levels.tolist() == pytest.approx([0.95, 0.80, 0.80, 0.95])


def test_thirty_relevant_all_found_early_stop_sooner_at_the_lowered_level() -> None:
    # 30 relevant records among the first 150 ranks (one in five), none after: found 30, k* = 1. The lowered
    # level stops the trend part far earlier than 95 % would, with every relevant record found.
    labels = ranking(1500, list(range(0, 150, 5)))
    plain = lomax_first_stop(labels)
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert plain is not None and lowered is not None and 150 < lowered < plain
    assert labels[:lowered].sum() == 30
    # It stops exactly where the trend's P(left ≤ k*) first reaches 0.80: the estimate at that level says stop
    # there and not one record before.
    for at, stops in ((lowered, True), (lowered - 1, False)):
        estimate = lomax_estimate(labels[:at], 1500, confidence=0.80)
        assert estimate is not None and lomax_stops(estimate, 0.95) is stops


def test_the_lowered_stop_can_leave_a_late_relevant_record() -> None:
    # The price the slack pays for: 27 relevant in the first 135 ranks and three late (300, 420, 560). With
    # 28 found (k* = 1) the lowered level stops in the drought before the 29th, which 95 % recall needs; the
    # rule's confidence waits past the last one.
    labels = ranking(1500, [*range(0, 135, 5), 300, 420, 560])
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    plain = lomax_first_stop(labels)
    assert lowered is not None and plain is not None
    assert labels[:lowered].sum() == 28 and lowered < 420 < 560 < plain


@pytest.mark.parametrize("relevant_at", [list(range(0, 64, 4)), list(range(0, 400, 5))],
                         ids=["16 relevant (k* = 0)", "80 relevant (k* = 4)"])
def test_elsewhere_the_trend_stops_where_it_did(relevant_at: list[int]) -> None:
    labels = ranking(1200, relevant_at)
    plain = lomax_first_stop(labels)
    assert plain is not None
    assert int(most_left_for_target(int(labels[:plain].sum()), 0.95)) not in (1, 2)
    assert lomax_first_stop(labels, level=sc.lomax_levels(0.95)) == plain


def test_the_recommended_verdict_says_the_level_it_stops_at() -> None:
    # The session's verdict (no classifier view yet): with 30 found (k* = 1) the trend's part answers at 80 %,
    # and says so; with 16 found (k* = 0) at the rule's 95 %.
    labels = ranking(1500, list(range(0, 150, 5)))
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert lowered is not None
    for at, verdict in ((lowered, "stop"), (lowered - 1, "continue")):
        status = stopping.assess(labels[:at].tolist(), [], 1500)
        assert status.verdict == verdict and status.confidence == pytest.approx(0.80), status.explanation
        assert "with 80% probability" in status.explanation
    few = ranking(1500, list(range(0, 80, 5)))
    status = stopping.assess(few[:400].tolist(), [], 1500)
    assert status.confidence == 0.95 and "with 95% probability" in status.explanation
