"""The recommended rule's Lomax part at its level by the strength of its claim (decision 0059; 0.85 and guarded by
a veto below 0.20 since decision 0060; 0.50 on the classifier's assent and no veto elsewhere, decision 0061): lower
where the target allows one or two relevant records to be left (k* 1 or 2), the rule's confidence elsewhere.
Constructed rankings whose relevant records, found and left, are known."""

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


def test_a_check_where_one_or_two_may_be_left_vetoes_below_twenty_percent_and_elsewhere_never() -> None:
    # Decision 0060: where the Lomax part stops at its lowered level, the classifier's objection counts from 0.20
    # (four times the rule's miss allowance), never at or above its own stopping level. Decision 0061: elsewhere it
    # counts for nothing (below 0.05 it held back 36 stops where k* ≥ 3 in 300 runs and saved none).
    assert sc.veto_level(0.95, 1) == pytest.approx(0.20) == sc.veto_level(0.95, 2)
    assert sc.veto_level(0.95, 0) == 0.0 == sc.veto_level(0.95, 3)
    assert sc.veto_level(0.90, 1) == pytest.approx(0.40) and sc.veto_level(0.3, 1) == pytest.approx(0.3)
    assert sc.vetoes(0.15, 0.95, 2) and not sc.vetoes(0.15, 0.95, 3) and not sc.vetoes(0.25, 0.95, 1)
    assert not sc.vetoes(0.001, 0.95, 3) and not sc.vetoes(0.001, 0.95, 0)


def test_the_level_on_the_classifiers_assent() -> None:
    # Decision 0061: where k* is 1 or 2 and the check in force asked the classifier and it neither vetoes (below
    # 0.20) nor stops the rule (0.80 or more), the Lomax part stops lower: at 0.30 since decision 0068 (0.50 before);
    # elsewhere the levels are unchanged.
    assert sc.lomax_level(1, 0.95, assented=True) == 0.30 == sc.lomax_level(2, 0.95, assented=True)
    assert sc.lomax_level(0, 0.95, assented=True) == 0.95 == sc.lomax_level(3, 0.95, assented=True)
    assert sc.lomax_level(1, 0.99, assented=True) == pytest.approx(0.86)
    assert sc.lomax_level(1, 0.9, assented=True) == 0.3  # never below the stop gate's level
    assert sc.lomax_levels(0.95, assented=True)(np.array([0, 1, 2, 3])).tolist() == pytest.approx([0.95, 0.3, 0.3, 0.95])
    assert sc.assents(0.21, 0.95, 1, may_stop=True) and sc.assents(0.79, 0.95, 2, may_stop=True)
    assert not sc.assents(0.19, 0.95, 1, may_stop=True) and not sc.assents(0.80, 0.95, 1, may_stop=True)
    assert not sc.assents(0.5, 0.95, 3, may_stop=True)
    # Decision 0063: a view at the classifier's level where the trend's P had not reached 0.3 stops nothing: it assents.
    assert sc.assents(0.80, 0.95, 1, may_stop=False) and not sc.assents(0.19, 0.95, 1, may_stop=False)


def _view(screened: int, found: int, probability: float, ids: list[int]) -> dict[str, object]:
    return {"screened": screened, "found": found, "expected_remaining": 1.0,
            "most_left": int(most_left_for_target(found, 0.95)), "probability": probability,
            **sc.decisions_made_from(ids[:screened])}


def test_a_view_that_assents_lets_the_trend_stop_at_thirty_percent() -> None:
    # 30 relevant in the first 150 ranks (k* = 1), none after. With no view, or one made at k* = 0, the trend's part
    # answers at 85 %; a view at k* = 1 giving P(left ≤ 1) = 0.30 (no veto, no classifier stop) lets it stop where
    # its P first reaches 30 % (decision 0068; 50 % before), with every relevant record found; one giving 0.15 vetoes
    # (alone: no check before it kept); one made stale by an undo
    # lowers nothing (an undo is no evidence of fewer left, nor of more).
    labels = ranking(1500, list(range(0, 150, 5)))
    assented = lomax_first_stop(labels, level=sc.lomax_levels(0.95, assented=True))
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert assented is not None and lowered is not None and 150 < assented < lowered
    assert labels[:assented].sum() == 30
    ids = list(range(1, lowered + 1))
    at = assented
    assert stopping.assess(labels[:at].tolist(), [], 1500).verdict == "continue"
    view = _view(at - 1, 30, 0.30, ids)
    status = stopping.assess(labels[:at].tolist(), [], 1500, classifier=view, decision_ids=ids[:at])
    assert status.verdict == "stop" and status.confidence == pytest.approx(0.30), status.explanation
    assert "with 30% probability" in status.explanation
    assert "gave a chance of 30% that at most 1 is left, not below 20%" in status.explanation, status.explanation
    before = stopping.assess(labels[:at - 1].tolist(), [], 1500, classifier=view, decision_ids=ids[:at - 1])
    assert before.verdict == "continue", before.explanation
    assert stopping.assess(labels[:at].tolist(), [], 1500, classifier=dict(view, probability=0.15),
                           decision_ids=ids[:at]).verdict == "continue"
    unasked = {**sc.unasked_check(at - 1, 18, 0.95), **sc.decisions_made_from(ids[:at - 1])}
    assert stopping.assess(labels[:at].tolist(), [], 1500, classifier=unasked, decision_ids=ids[:at]).verdict == "continue"
    redone = ids[:9] + ids[10:at] + [lowered + 1]  # decision 10 undone and made again: the view no longer holds
    assert stopping.assess(labels[:at].tolist(), [], 1500, classifier=view, decision_ids=redone).verdict == "continue"


def test_review_simulates_walk_stops_on_an_assenting_check() -> None:
    # The same ranking in review simulate's walk (first_stop): the classifier, whose words tell the relevant records
    # apart, sees none left and stops the rule at a check past the gate; with its level out of reach, its assent lets
    # the trend's part stop at 50 % right after that check, earlier than at 85 %. A check is due every 15 records.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_stopping_classifier import corpus

    labels = ranking(1500, list(range(0, 150, 5)))
    features = corpus(labels.tolist())
    rows = np.arange(1500)
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert lowered is not None
    by_classifier = sc.first_stop(features.matrix, rows, labels, n_priors=0, lomax_stop=lowered)
    assert by_classifier is not None and by_classifier % 15 == 0 and by_classifier >= 300  # the share gate: 20 %
    original = sc.classifier_confidence
    try:
        sc.classifier_confidence = lambda confidence: 1.01  # type: ignore[assignment]  # no classifier stop
        walked = sc.first_stop(features.matrix, rows, labels, n_priors=0, lomax_stop=lowered)
    finally:
        sc.classifier_confidence = original  # type: ignore[assignment]
    assented = lomax_first_stop(labels, level=sc.lomax_levels(0.95, assented=True))
    assert assented is not None and assented < 300 < lowered
    assert walked == 300, walked  # the first check that asks (20 % of 1,500) assents: the 50 % crossing is behind it


def test_a_view_at_exactly_the_veto_level_does_not_veto_as_in_the_harness() -> None:
    # 4 * (1 - 0.95) is 0.20000000000000018 in floating point; the benchmark harness's walk (round12_stop,
    # round14_stop) vetoes only below 0.20 (less 1e-12), so a view at exactly 0.20 must not veto here.
    assert sc.veto_level(0.95, 2) == 0.20 and sc.veto_level(0.90, 1) == 0.40
    assert not sc.vetoes(0.20, 0.95, 2) and sc.vetoes(0.1999999, 0.95, 2)
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


def test_a_classifier_stop_waits_for_the_trends_chance_to_reach_thirty_percent() -> None:
    # Decision 0063: 30 relevant records in the first 291 ranks of 1,500, none after. The classifier, whose words tell
    # the relevant records apart, sees none left at every check it is asked at: from 465 on (the trend's P(left ≤ k*)
    # at 0.1), but the trend's P reaches 0.3 only after the check of 525, and only from the check of 540 on may the view
    # stop the rule. Below that its view (at the classifier's level) assents, and since decision 0068 an assent lets
    # the trend's part stop at 0.30: where its P reaches 0.3 (528), between those two checks.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_stopping_classifier import corpus

    labels = ranking(1500, list(np.linspace(0, 290, 30).astype(int)))
    asked = [at for at in range(300, 1500, 15) if sc.lomax_gate(labels[:at], 1500, 0, 0.95).is_open]
    may_stop = [at for at in range(300, 1500, 15) if sc.lomax_gate(labels[:at], 1500, 0, 0.95).allows_stop]
    assert asked[0] == 465 and may_stop[0] == 540 and asked == list(range(465, 1500, 15))
    features = corpus(labels.tolist())
    rows = np.arange(1500)
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert lowered is not None and lowered > 540
    assented = lomax_first_stop(labels, level=sc.lomax_levels(0.95, assented=True))
    assert assented == 528
    assert sc.first_stop(features.matrix, rows, labels, n_priors=0, lomax_stop=lowered) == 528
    original = sc.STOP_GATE_PROBABILITY
    try:  # without the gate (the classifier may stop wherever it is asked): at its first check
        sc.STOP_GATE_PROBABILITY = sc.GATE_PROBABILITY
        assert sc.first_stop(features.matrix, rows, labels, n_priors=0, lomax_stop=lowered) == 465
    finally:
        sc.STOP_GATE_PROBABILITY = original


def test_the_walk_reads_the_trends_chance_once_a_check_for_both_levels(monkeypatch) -> None:
    # At the checks of 465 to 525 the classifier's view reaches its level with the trend's P between 0.1 and 0.3: the
    # walk compares the one reading it asked the classifier on with 0.3 too, and reads no check twice (the stop is the
    # trend's at 0.30 on the last one's assent, 528).
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_stopping_classifier import corpus

    labels = ranking(1500, list(np.linspace(0, 290, 30).astype(int)))
    read: list[int] = []
    within = sc.lomax_reaches_levels
    monkeypatch.setattr(sc, "lomax_reaches_levels",
                        lambda ranked, *a, **k: read.append(len(ranked)) or within(ranked, *a, **k))
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    stop = sc.first_stop(corpus(labels.tolist()).matrix, np.arange(1500), labels, n_priors=0, lomax_stop=lowered)
    assert stop == 528
    assert read == list(range(300, 540, 15))  # every check from the share gate (20 %) to the stop, each once


def test_the_verdict_stops_on_a_view_only_where_the_trend_had_reached_thirty_percent() -> None:
    # The session's verdict reads the gate off the view (its ``trend_allows_stop``, made with the check): a view giving
    # P(left ≤ 1) = 0.90 stops the rule where the trend's chance had reached 0.3 at its check, and otherwise says why
    # not; a view stored without the answer (before decision 0063) stops nothing.
    labels = ranking(1500, list(np.linspace(0, 290, 30).astype(int)))  # the trend's P at 0.1-0.3 from 465 to 539
    ids = list(range(1, 481))
    view = {**_view(465, 30, 0.90, ids), "trend_allows_stop": True}
    at = 480
    status = stopping.assess(labels[:at].tolist(), [], 1500, classifier=view, decision_ids=ids[:at])
    assert status.verdict == "stop" and status.estimate_from == "classifier", status.explanation
    for gated in ({**view, "trend_allows_stop": False}, _view(465, 30, 0.90, ids)):
        status = stopping.assess(labels[:at].tolist(), [], 1500, classifier=gated, decision_ids=ids[:at])
        assert status.verdict == "continue", status.explanation
        assert "the trend's own chance was below 30% at that check" in status.explanation, status.explanation
