"""The recommended rule's Lomax part at its level by the strength of its claim (decision 0059; 0.85 and guarded by
a veto below 0.20 since decision 0060): lower where the target allows one or two relevant records to be left
(k* 1 or 2), the rule's confidence elsewhere. Constructed rankings whose relevant records, found and left, are
known."""

from __future__ import annotations

import numpy as np
import pytest

from review.screening import stopping
from review.screening import stopping_classifier as sc
from review.screening.stopping_rate import (lomax_estimate, lomax_first_stop, lomax_first_stops, lomax_stops,
                                            most_left_for_target)


def ranking(n: int, relevant_at: list[int]) -> np.ndarray:
    labels = np.zeros(n, dtype=np.int64)
    labels[relevant_at] = 1
    return labels


def test_the_level_is_lowered_only_where_one_or_two_may_be_left() -> None:
    assert sc.lomax_level(0, 0.95) == 0.95  # "none left": no margin (decision 0040: 0.85 missed antihistamines)
    assert sc.lomax_level(1, 0.95) == pytest.approx(0.85) == sc.lomax_level(2, 0.95)
    assert sc.lomax_level(3, 0.95) == 0.95 == sc.lomax_level(14, 0.95)  # the steep curves of the dense sets
    # The miss allowance widens with the confidence's, never below the floor nor above the confidence.
    assert sc.lomax_level(1, 0.99) == pytest.approx(0.97)
    assert sc.lomax_level(1, 0.8) == 0.5 and sc.lomax_level(1, 0.4) == 0.4
    levels = sc.lomax_levels(0.95)(np.array([0, 1, 2, 3]))
    assert levels.tolist() == pytest.approx([0.95, 0.85, 0.85, 0.95])


def test_thirty_relevant_all_found_early_stop_sooner_at_the_lowered_level() -> None:
    # 30 relevant records among the first 150 ranks (one in five), none after: found 30, k* = 1. The lowered
    # level stops the trend part far earlier than 95 % would, with every relevant record found.
    labels = ranking(1500, list(range(0, 150, 5)))
    plain = lomax_first_stop(labels)
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert plain is not None and lowered is not None and 150 < lowered < plain
    assert labels[:lowered].sum() == 30
    # It stops exactly where the trend's P(left ≤ k*) first reaches 0.85: the estimate at that level says stop
    # there and not one record before.
    for at, stops in ((lowered, True), (lowered - 1, False)):
        estimate = lomax_estimate(labels[:at], 1500, confidence=0.85)
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


def test_one_walk_gives_each_level_the_stop_of_its_own_walk() -> None:
    # review simulate takes the Lomax rule's stop and the classifier rule's Lomax part's from one walk
    # (stopping.stopping_points): each must be where a walk at that level alone stops, None where it never does,
    # also when one level stops long before the other and from a later start (a stop held back by a veto).
    rng = np.random.default_rng(11)
    orders = [ranking(1500, list(range(0, 150, 5))), ranking(1500, [*range(0, 135, 5), 300, 420, 560]),
              ranking(1200, list(range(0, 400, 5))), ranking(900, [3, 40, 41, 700]), np.zeros(50, dtype=np.int64)]
    orders += [(rng.random(n) < 0.4 * np.exp(-np.arange(n) / (n / 6))).astype(np.int64) for n in (400, 2100)]
    lowered = sc.lomax_levels(0.95)
    stopped_apart = 0
    for labels in orders:
        for start in (1, 200):
            alone = [lomax_first_stop(labels, found_before=1, start=start, level=level) for level in (None, lowered)]
            assert lomax_first_stops(labels, found_before=1, start=start, levels=(None, lowered)) == alone
            assert lomax_first_stops(labels, found_before=1, start=start, levels=(lowered, None)) == alone[::-1]
            assert lomax_first_stops(labels, found_before=1, start=start, levels=(lowered,)) == alone[1:]
            stopped_apart += alone[0] != alone[1]
    assert stopped_apart >= 2


@pytest.mark.parametrize("relevant_at", [list(range(0, 64, 4)), list(range(0, 400, 5))],
                         ids=["16 relevant (k* = 0)", "80 relevant (k* = 4)"])
def test_elsewhere_the_trend_stops_where_it_did(relevant_at: list[int]) -> None:
    labels = ranking(1200, relevant_at)
    plain = lomax_first_stop(labels)
    assert plain is not None
    assert int(most_left_for_target(int(labels[:plain].sum()), 0.95)) not in (1, 2)
    assert lomax_first_stop(labels, level=sc.lomax_levels(0.95)) == plain


def test_the_recommended_verdict_says_the_level_it_stops_at() -> None:
    # The session's verdict (no classifier view yet): with 30 found (k* = 1) the trend's part answers at 85 %,
    # and says so; with 16 found (k* = 0) at the rule's 95 %.
    labels = ranking(1500, list(range(0, 150, 5)))
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert lowered is not None
    for at, verdict in ((lowered, "stop"), (lowered - 1, "continue")):
        status = stopping.assess(labels[:at].tolist(), [], 1500)
        assert status.verdict == verdict and status.confidence == pytest.approx(0.85), status.explanation
        assert "with 85% probability" in status.explanation
    few = ranking(1500, list(range(0, 80, 5)))
    status = stopping.assess(few[:400].tolist(), [], 1500)
    assert status.confidence == 0.95 and "with 95% probability" in status.explanation


def test_a_check_where_one_or_two_may_be_left_vetoes_below_twenty_percent() -> None:
    # Decision 0060: where the Lomax part stops at its lowered level, the classifier's objection counts from 0.20
    # (four times the rule's miss allowance), elsewhere from 0.05; never at or above its own stopping level.
    assert sc.veto_level(0.95, 1) == pytest.approx(0.20) == sc.veto_level(0.95, 2)
    assert sc.veto_level(0.95, 0) == pytest.approx(0.05) == sc.veto_level(0.95, 3) == sc.veto_level(0.95)
    assert sc.veto_level(0.90, 1) == pytest.approx(0.40) and sc.veto_level(0.3, 1) == pytest.approx(0.3)
    assert sc.vetoes(0.15, 0.95, 2) and not sc.vetoes(0.15, 0.95, 3) and not sc.vetoes(0.25, 0.95, 1)


def test_a_view_at_exactly_the_veto_level_does_not_veto_as_in_the_harness() -> None:
    # 4 * (1 - 0.95) is 0.20000000000000018 in floating point; the benchmark harness's walk (round12_stop,
    # round14_stop) vetoes only below 0.20 (less 1e-12), so a view at exactly 0.20 (or 0.05) must not veto here.
    assert sc.veto_level(0.95, 2) == 0.20 and sc.veto_level(0.95, 3) == 0.05
    assert not sc.vetoes(0.20, 0.95, 2) and sc.vetoes(0.1999999, 0.95, 2)
    assert not sc.vetoes(0.05, 0.95, 3) and sc.vetoes(0.0499999, 0.95, 3)
    view = {"screened": 300, "found": 40, "most_left": 2, "probability": 0.20}
    assert int(most_left_for_target(40, 0.95)) == 2
    assert not sc.view_vetoes(view, 0.95, target_recall=0.95)
    assert sc.view_vetoes({**view, "probability": 0.1999999}, 0.95, target_recall=0.95)


def test_the_lowered_stop_is_held_back_by_a_check_that_gives_below_twenty_percent() -> None:
    # 30 relevant in the first 150 ranks (k* = 1): the trend's part stops at 85 %. A check made just before,
    # whose classifier gives P(left ≤ 1) = 0.15 (about 2.4 left), holds that stop back (it would not at k* ≥ 3,
    # nor at 0.25); a view giving 0.25 lets it stand.
    labels = ranking(1500, list(range(0, 150, 5)))
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert lowered is not None
    ids = list(range(1, lowered + 1))
    made = {"screened": lowered - 1, "found": 30, "expected_remaining": 2.4, "most_left": 1, "probability": 0.15,
            **sc.decisions_made_from(ids[:lowered - 1])}
    assert stopping.assess(labels[:lowered].tolist(), [], 1500).verdict == "stop"
    status = stopping.assess(labels[:lowered].tolist(), [], 1500, classifier=made, decision_ids=ids)
    assert status.verdict == "continue" and status.vetoed and status.veto_allowed == 1, status.explanation
    assert "is only 15%, below 20%" in status.explanation, status.explanation
    assert "until a later check of the classifier gives at least 20%" in status.explanation
    lifted = stopping.assess(labels[:lowered].tolist(), [], 1500, classifier=dict(made, probability=0.25),
                             decision_ids=ids)
    assert lifted.verdict == "stop" and not lifted.vetoed, lifted.explanation
