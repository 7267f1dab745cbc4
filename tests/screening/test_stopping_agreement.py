"""Decision 0068: where one or two relevant records may be left (k* 1 or 2), a classifier view below the veto's
20 % still lifts it, and assents, when the asked checks right before it agree: at 10 % over two checks in a row, at
5 % over four, all about the same k*. Constructed rankings whose relevant records, found and left, are known."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from review.screening import stopping
from review.screening import stopping_classifier as sc
from review.screening.stopping_rate import lomax_first_stop, most_left_for_target
from stopping_given import N, given_answers, simulated_stop, thirty_found_early


def view_at_the_lowered_stop(probability: float, earlier: list[float]) -> tuple[list[int], list[int], dict]:
    """``thirty_found_early`` screened to where the trend's part stops at 85 % (labels and decision ids), and a view
    made just before it about k* = 1 with ``probability`` and the checks before it (``earlier``)."""
    labels = thirty_found_early()
    lowered = lomax_first_stop(labels, level=sc.lomax_levels(0.95))
    assert lowered is not None
    ids = list(range(1, lowered + 1))
    view = {"screened": lowered - 1, "found": 30, "expected_remaining": 2.4, "most_left": 1, "probability": probability,
            "earlier": earlier, **sc.decisions_made_from(ids[:lowered - 1])}
    return labels[:lowered].tolist(), ids, view


def test_the_levels_that_lift_the_veto() -> None:
    assert sc.lifting_levels(0.95, 1) == ((0.20, 1), (0.10, 2), (0.05, 4)) == sc.lifting_levels(0.95, 2)
    assert sc.vetoes(0.15, 0.95, 1) and not sc.vetoes(0.15, 0.95, 1, [0.12])  # 0.15 after 0.12: two at 0.10
    assert sc.vetoes(0.15, 0.95, 1, [0.09])
    assert not sc.vetoes(0.06, 0.95, 2, [0.07, 0.06, 0.08])  # four at 0.05
    assert sc.vetoes(0.06, 0.95, 2, [0.07, 0.04, 0.08]) and sc.vetoes(0.06, 0.95, 2, [0.07, 0.06])
    assert not sc.vetoes(0.01, 0.95, 3)  # no veto where k* ≥ 3 (decision 0061)
    assert sc.assents(0.15, 0.95, 1, may_stop=False, earlier=[0.12])
    assert not sc.assents(0.15, 0.95, 1, may_stop=False, earlier=[0.09])
    assert sc.lifted_by(0.15, 0.95, 1, [0.12]) == (0.10, 2) and sc.lifted_by(0.25, 0.95, 1) == (0.20, 1)


def test_a_view_keeps_the_answers_of_the_asked_checks_right_before_it() -> None:
    previous = {"probability": 0.12, "most_left": 1, "earlier": [0.30, 0.20, 0.10]}
    assert sc.earlier_probabilities(previous, 1) == [0.12, 0.30, 0.20]  # newest first, as many as four in a row read
    assert sc.earlier_probabilities(previous, 2) == []  # asked about another k*
    assert sc.earlier_probabilities({"most_left": 1, "asked": False}, 1) == []  # asked nothing (k* = 0, a closed gate)
    assert sc.earlier_probabilities(None, 1) == []


def test_a_lone_view_below_twenty_percent_vetoes_and_one_the_check_before_agrees_with_assents() -> None:
    # The trend's part would stop at 85 % (`lowered`); a view made just before gives P(left ≤ 1) = 0.15. Alone it holds
    # that stop back; kept with the check before it at 0.12 it assents, and the trend's part stops (at 30 %).
    screened, ids, view = view_at_the_lowered_stop(0.15, [])
    assert int(most_left_for_target(30, 0.95)) == 1
    alone = stopping.assess(screened, [], N, classifier=view, decision_ids=ids)
    assert alone.verdict == "continue" and alone.vetoed, alone.explanation
    assert "gives at least 20%, or 10% at 2 checks in a row, or 5% at 4 (" in alone.explanation, alone.explanation
    agreed = stopping.assess(screened, [], N, classifier={**view, "earlier": [0.12]}, decision_ids=ids)
    assert agreed.verdict == "stop" and not agreed.vetoed and agreed.confidence == pytest.approx(0.30)
    assert "gave a chance of 15% that at most 1 is left, below 20%, but at least 10% at 2 checks in a row." \
        in agreed.explanation, agreed.explanation
    disagreed = stopping.assess(screened, [], N, classifier={**view, "earlier": [0.09]}, decision_ids=ids)
    assert disagreed.verdict == "continue" and disagreed.vetoed


def walk(monkeypatch: pytest.MonkeyPatch, probability_at: Callable[[int], float | None]) -> int | None:
    """review simulate's walk (``first_stop``) over ``thirty_found_early`` with the classifier's answer at each check
    given (``probability_at(screened)``; None: too few labels for a fit, nothing asked) and its own stop out of reach."""
    given_answers(monkeypatch, probability_at)
    return simulated_stop(thirty_found_early())


def test_review_simulates_walk_lifts_the_veto_where_the_checks_in_a_row_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    # Checks every 15 records from 300 (20 % of 1,500), where the trend's P is already past 50 %: the stop comes at the
    # first check whose view assents. At 0.15 throughout: the second (315); at 0.06: the fourth (345); at 0.15 and
    # 0.09 by turns also the fourth (four at 0.05); at 0.15 and 0.04 by turns none agree and every view vetoes (no
    # stop before N); checks without a fit between views at 0.15 break every run: the stop waits for the trend's 85 %
    # and a check that lifts the veto (one without a fit asks nothing, and vetoes nothing).
    assert walk(monkeypatch, lambda at: 0.15) == 315
    assert walk(monkeypatch, lambda at: 0.06) == 345
    assert walk(monkeypatch, lambda at: 0.15 if at % 30 == 0 else 0.09) == 345
    assert walk(monkeypatch, lambda at: 0.15 if at % 30 == 0 else 0.04) is None
    lowered = lomax_first_stop(thirty_found_early(), level=sc.lomax_levels(0.95))
    assert lowered is not None
    broken = walk(monkeypatch, lambda at: 0.15 if at % 30 == 0 else None)
    assert broken == next(at for at in range(300, N, 15) if at >= lowered and at % 30), (broken, lowered)


def test_a_sessions_check_keeps_the_answer_of_the_check_before_it(workspace) -> None:  # type: ignore[no-untyped-def]
    # 200 records, 30 relevant: 19 found and 60 irrelevant screened (k* = 1). The first check asks, with no check before
    # it; the next, a grid step (2 records) on, keeps the first one's answer; a check made while the target allowed
    # none to be left (18 found: it asks nothing) gives the next one nothing to keep.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_stopping_classifier import _session_with_found

    session, relevant, irrelevant = _session_with_found(workspace, 18)
    unasked = session.stopping_evidence()
    assert unasked is not None and unasked["asked"] is False
    assert session.apply_stopping_evidence(unasked, session.evidence_epoch)
    session.decide(relevant[0], "include")  # the 19th: k* = 1
    session.decide(irrelevant[0], "exclude")  # a grid step on
    first = session.stopping_evidence()
    assert first is not None and first["most_left"] == 1 and first["earlier"] == []
    assert session.apply_stopping_evidence(first, session.evidence_epoch)
    session.decide(irrelevant[1], "exclude")
    session.decide(irrelevant[2], "exclude")
    second = session.stopping_evidence()
    assert second is not None and second["most_left"] == 1 and second["earlier"] == [first["probability"]]


def test_a_sessions_check_made_past_a_grid_check_it_skipped_keeps_nothing(workspace) -> None:  # type: ignore[no-untyped-def]
    # rrev24a: review simulate's walk asks at every grid check, so "the check right before" is a grid step back. A
    # session asks when a check is due; decisions from the shell (or a `review status --stopping` hours later) pass
    # grid checks no one made, and the view then kept one from far back: two views 300 records apart lifted the
    # veto as "2 checks in a row". 200 records: a grid step is 2; four decisions on, one grid check was skipped.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_stopping_classifier import _session_with_found

    session, relevant, irrelevant = _session_with_found(workspace, 19)
    first = session.stopping_evidence()
    assert first is not None and first["most_left"] == 1 and "probability" in first
    assert session.apply_stopping_evidence(first, session.evidence_epoch)
    for record_id in irrelevant[:4]:  # two grid steps on: the check between was never made
        session.decide(record_id, "exclude")
    later = session.stopping_evidence()
    assert later is not None and later["most_left"] == 1 and later["earlier"] == []
    assert sc.check_step(200) == 2 and later["screened"] - first["screened"] == 4


def test_a_vetoing_views_chance_is_never_rounded_up_to_a_level_it_missed() -> None:
    # rrev24a: a view at 0.0996 after one at 0.15 vetoes (two in a row need 10 % each), yet its verdict read "only 10%,
    # below 20%" beside "10% at 2 checks in a row"; and at a confidence of 0.999 the levels read "at least 0%, or 0% at 2
    # checks in a row, or 0% at 4" (0.4 %, 0.2 %, 0.1 %).
    screened, ids, view = view_at_the_lowered_stop(0.0996, [0.15])
    held = stopping.assess(screened, [], N, classifier=view, decision_ids=ids)
    assert held.vetoed and "is only 9.9%, below 20%." in held.explanation, held.explanation
    strict = {**view, "probability": 0.003, "earlier": []}
    held = stopping.assess(screened, [], N, classifier=strict, decision_ids=ids, confidence=0.999)
    assert held.verdict == "continue" and ("is 0.3% (below 0.4%: until a check gives at least 0.4%, or 0.2% at 2 "
                                           "checks in a row, or 0.1% at 4, the rule also holds back") in held.explanation
    view_words = {**view, "probability": 0.1996, "earlier": []}  # alone below 20 %: not "20%, below 20%"
    held = stopping.assess(screened[:-5], [], N, classifier=view_words, decision_ids=ids)
    assert "is 19.9% (below 20%: until a check gives at least 20%," in held.explanation, held.explanation


def test_a_level_is_said_without_rounding_it_to_another() -> None:
    # rrev24c: two significant digits said a rung of 12.5 % (confidence 0.875) as "12%", beside a view at 12.3 %
    # read "12%" that falls short of it.
    from review.screening.stopping import _level_words

    assert [_level_words(level) for level in (0.20, 0.10, 0.05, 0.004, 0.002, 0.125, 0.0625)] == [
        "20%", "10%", "5%", "0.4%", "0.2%", "12.5%", "6.25%"]


def test_no_level_short_of_one_is_said_as_100_percent() -> None:
    # rrev24a: at a confidence of 0.999 the trend's lowered levels (0.997, and 0.986 once a view assents), the
    # classifier's (0.996) and the confidence itself read "100%": "at most 2 with 100% probability".
    screened, ids, view = view_at_the_lowered_stop(0.0996, [0.15])
    said = []
    for chance in (0.003, 0.5, 0.999):
        held = stopping.assess(screened, [], N, classifier={**view, "probability": chance, "earlier": []},
                               decision_ids=ids, confidence=0.999)
        said.append(held.explanation)
    said.append(stopping.assess(screened, [], N, confidence=0.999).explanation)
    assert not any("100%" in text for text in said), [t for t in said if "100%" in t]
    assert "holds with 99.7% probability" in said[-1] and "at least 99.6%" in said[0] and "is 99.9%" in said[2], said
    # At the default confidence every level is a whole percentage, as before.
    assert "(at most 1 with 85% probability)" in stopping.assess(screened, [], N).explanation  # (0.8499999…)



def test_a_lower_bound_of_recall_short_of_one_is_not_said_as_100_percent() -> None:
    # "so recall is at least 100%" from 199 relevant found with 1 allowed to be left (199/200), beside the
    # estimate; whole percentages elsewhere, as before.
    from review.screening.stopping import _at_least

    assert [_at_least(x) for x in (199 / 200, 999 / 1000, 1.0, 30 / 31, 0.95)] == [
        "99.5%", "99.9%", "100%", "97%", "95%"]
    # The trend's stop with 300 found and at most 1 left: "so recall is at least 100%" before.
    stop = stopping.assess([1] * 300 + [0] * 850, [], 4000)
    assert stop.verdict == "stop" and stop.upper_remaining == 1
    assert "so recall is at least 99.6%" in stop.explanation, stop.explanation


@pytest.mark.parametrize("confidence", [0.95, 0.99, 0.999])
def test_an_assenting_views_chance_short_of_one_is_not_said_as_100_percent(confidence: float) -> None:
    # rrev25c: the sentence saying why the trend's part answers at its lowered level read "gave a chance of 100%" for
    # a view's 0.9996 (at the default confidence too), past 9b517d09, which mended the view's own sentence only.
    from review.screening.stopping import _assent_words

    view = {"most_left": 1, "probability": 0.9996, "screened": 300, "earlier": []}
    said = _assent_words(view, {"confidence": confidence, "target_recall": 0.95}, 0.3)
    assert "gave a chance of 99.9% that at most 1 is left" in said and "100%" not in said, said
    screened, ids, at_stop = view_at_the_lowered_stop(0.9996, [])
    stop = stopping.assess(screened, [], N, classifier=at_stop, decision_ids=ids)
    assert stop.verdict == "stop" and "gave a chance of 99.9%" in stop.explanation, stop.explanation
    # Nor rounded up to the veto's level it falls below, beside "below 20%" (as the veto's sentence, rrev24a).
    agreed = _assent_words({**view, "probability": 0.1996, "earlier": [0.15]},
                           {"confidence": 0.95, "target_recall": 0.95}, 0.3)
    assert "gave a chance of 19.9% that at most 1 is left, below 20%, but at least 10% at 2" in agreed, agreed
