"""The recommended stopping rule since decision 0025 (``relevance_rate_classifier``): the Lomax rule,
or earlier where the calibrated classifier says too few relevant records are left. Constructed
record sets whose relevant records (screened and left) are known."""

from __future__ import annotations

import numpy as np
import pytest

from review.screening import stopping
from review.screening import stopping_classifier as sc
from review.screening.features import build_features
from review.screening.ranker import feature_config_for
from review.screening.stopping_rate import lomax_first_stop
from review.tui.screens.screening import stopping_words
from scipy.stats import poisson

RELEVANT_WORDS = ["statin", "trial", "cholesterol", "randomised", "mortality", "placebo"]
OTHER_WORDS = ["survey", "policy", "software", "teaching", "climate", "tourism", "budget", "museum"]


def corpus(labels: list[int], seed: int = 0):  # type: ignore[no-untyped-def]
    """Features of records whose words tell their label apart (three words of their kind, one shared)."""
    rng = np.random.default_rng(seed)
    texts = []
    for y in labels:
        words = list(rng.choice(RELEVANT_WORDS if y else OTHER_WORDS, size=3)) + [str(rng.choice(["study", "report"]))]
        texts.append(" ".join(words))
    ids = list(range(1, len(labels) + 1))
    return build_features(ids, texts, feature_config_for("default", len(labels)))


def test_a_check_on_the_ordered_matrix_gives_the_view_of_the_rows_picked_from_the_whole() -> None:
    # first_stop takes a check's labelled and unscreened rows as slices of the matrix in screening order, and
    # each fold from the labelled rows' own matrix: the same rows in the same order as picking every one out of
    # the whole set's matrix, so the same fits and the same view to the last bit.
    from review.screening.models import make_model
    from scipy.special import expit, pdtr

    labels = [1] * 30 + [0] * 250 + [1] * 3 + [0] * 300
    features = corpus(labels, seed=4)
    order = np.random.default_rng(5).permutation(len(labels))  # screening order: not the matrix's row order
    y = np.array(labels)[order]
    at = 300
    ordered = features.matrix[order]
    view = sc._estimate(ordered[:at], y[:at], ordered[at:], model="default", seed=7, n_records=len(labels),
                        target_recall=0.95, confidence=0.95)
    assert view == sc.estimate(features.matrix, order[:at], y[:at], order[at:], seed=7)
    # The view written out as every fit picks its rows from the whole matrix.
    rows, screened = order[:at], y[:at]
    folds = sc.stratified_folds(screened, sc.FOLDS, 7)
    scores = np.zeros(at)
    for fold in range(sc.FOLDS):
        test = folds == fold
        fitted = make_model("default", 7, len(labels)).fit(features.matrix[rows[~test]], screened[~test])
        scores[test] = fitted.scores(features.matrix[rows[test]])
    slope, intercept = sc.platt_fit(scores, screened.astype(float))
    whole = make_model("default", 7, len(labels)).fit(features.matrix[rows], screened)
    expected = float(expit(slope * whole.scores(features.matrix[order[at:]]) + intercept).sum())
    assert view is not None and view.expected_remaining == expected
    assert view.probability == float(pdtr(view.most_left, max(expected, 1e-12)))


def test_the_walk_checks_the_rows_of_the_screening_order(monkeypatch) -> None:
    # first_stop orders the matrix's rows once and slices each check out of it: its views are those of the
    # matrix already in screening order (rows 0, 1, ...), check by check.
    labels = [1] * 40 + [0] * 260 + [1] * 2 + [0] * 298
    features = corpus(labels, seed=6)
    order = np.random.default_rng(8).permutation(len(labels))
    y = np.array(labels)[order]
    views: list = []
    estimate = sc._estimate
    monkeypatch.setattr(sc, "_estimate", lambda *a, **k: views.append(estimate(*a, **k)) or views[-1])
    monkeypatch.setattr(sc, "lomax_gate", lambda *args: sc.LomaxGate(True, True))  # every check of the grid fits
    # (at a target of 50 % k* is the count found: the classifier is asked from six found on)
    stop = sc.first_stop(features.matrix, order, y, n_priors=2, lomax_stop=None, target_recall=0.5)
    walked, views[:] = list(views), []
    assert sc.first_stop(features.matrix[order], np.arange(len(labels)), y, n_priors=2, lomax_stop=None,
                         target_recall=0.5) == stop
    assert len(walked) >= 2 and all(v is not None for v in walked) and walked == views


def test_the_walk_sums_the_row_norms_once_and_its_checks_fit_as_on_copied_rows(monkeypatch) -> None:
    # first_stop sums the ordered rows' ‖xᵢ‖² once and hands each fit its rows' slice of them, and takes a check's
    # rows as views of the ordered matrix: every view is, to the last bit, the one made from copies of the rows
    # whose fits sum their own norms.
    from review.screening import svm_newton

    labels = [1] * 40 + [0] * 260 + [1] * 2 + [0] * 298
    features = corpus(labels, seed=6)
    order = np.random.default_rng(8).permutation(len(labels))
    y = np.array(labels)[order]
    checks: list = []
    estimate = sc._estimate
    monkeypatch.setattr(sc, "_estimate", lambda *a, **k: checks.append((a, k, estimate(*a, **k))) or checks[-1][2])
    monkeypatch.setattr(sc, "lomax_gate", lambda *args: sc.LomaxGate(True, True))  # every check of the grid fits
    summed: list[int] = []
    squared_row_norms = svm_newton.squared_row_norms
    monkeypatch.setattr(svm_newton, "squared_row_norms", lambda X: summed.append(X.shape[0]) or squared_row_norms(X))
    sc.first_stop(features.matrix, order, y, n_priors=2, lomax_stop=None, target_recall=0.5)  # (asked from 6 found)
    assert summed == [len(labels)] and len(checks) >= 2  # once for the ordered matrix, never in a fit
    for (labelled, screened, unscreened), options, view in checks:
        own = estimate(labelled.copy(), screened, unscreened.copy(), **{**options, "row_norms": None})
        assert view is not None and own == view
    assert len(summed) == 1 + 6 * len(checks)  # the copies' fits summed their own: 5 folds and the whole


def test_estimate_counts_the_relevant_records_left() -> None:
    screened = [1] * 20 + [0] * 200
    for left in (0, 4):
        labels = screened + [1] * left + [0] * 400
        features = corpus(labels)
        rows = np.arange(len(labels))
        view = sc.estimate(features.matrix, rows[:220], np.array(screened), rows[220:], seed=3)
        assert view is not None and view.found == 20 and view.most_left == 1  # ⌊20·(1/0.95 − 1)⌋
        assert abs(view.expected_remaining - left) < 0.5
        assert (view.probability >= 0.95) == (left == 0)
        # "at most U with 80 %" is the count left's quantile at the level a classifier stop rests on (80 % at
        # the rule's 95 %; capped at the records unscreened), where the two levels' bounds differ (6 and 8 at 4)
        for confidence in (0.9, 0.95, 0.99):
            bound = sc.estimate(features.matrix, rows[:220], np.array(screened), rows[220:], seed=3,
                                confidence=confidence)
            assert bound is not None
            level = sc.classifier_confidence(confidence)
            assert bound.upper_remaining == poisson.ppf(level, bound.expected_remaining)
            if left and confidence == 0.95:
                assert poisson.ppf(level, bound.expected_remaining) < poisson.ppf(confidence, bound.expected_remaining)


def test_no_estimate_without_two_relevant_records() -> None:
    features = corpus([1] + [0] * 50)
    rows = np.arange(51)
    assert sc.estimate(features.matrix, rows[:30], np.array([1] + [0] * 29), rows[30:]) is None


def test_stops_before_the_lomax_rule_when_nothing_is_left_and_never_while_records_are() -> None:
    # All 30 relevant records among the first 147 (one in five): the classifier sees nothing like them among the rest,
    # while the Lomax rule waits for a long drought. At a target of 80 % (k* = 7 with 30 found: the classifier is asked)
    # its views are sure from the first check on, and stop the rule at the first check where the trend's P is 0.3
    # (decision 0063), long before the trend's part stops at 99 %.
    done = [0, 1] + [1, 0, 0, 0, 0] * 29 + [0] * 453
    features = corpus(done)
    lomax = lomax_first_stop(np.array(done[2:]), found_before=1, target_recall=0.8, level=sc.trend_levels(0.95))
    assert lomax is not None
    lomax_stop = 2 + lomax
    allowed = [at for at in range(120, 600, 6)
               if sc.lomax_gate(np.array(done[2:at]), 598, 1, 0.8).allows_stop]
    at = sc.first_stop(features.matrix, np.arange(600), done, n_priors=2, lomax_stop=lomax_stop, target_recall=0.8)
    assert at == allowed[0] < lomax_stop, (at, allowed[:3], lomax_stop)
    # 24 relevant found early, then a long drought, and 6 more (as alike as the others) at the end:
    # wherever the Lomax rule stops in the drought, the classifier must not stop before it.
    late = [0, 1] + [1] * 23 + [0] * 400 + [0] * 145 + [1] * 6 + [0] * 24
    features = corpus(late)
    lomax = lomax_first_stop(np.array(late[2:]), found_before=1, target_recall=0.8, level=sc.trend_levels(0.95))
    lomax_stop = None if lomax is None else 2 + lomax
    assert sc.first_stop(features.matrix, np.arange(600), late, n_priors=2, lomax_stop=lomax_stop,
                         target_recall=0.8) == lomax_stop


def test_the_gate_keeps_a_sure_classifier_out_while_relevant_records_keep_turning_up(monkeypatch) -> None:
    # One relevant record in ten all along the ranking, each block of 50 ranks with its own topic words:
    # the records screened teach the classifier nothing about the relevant records ahead, so it is sure
    # (and wrong) that none are left; the Lomax rule sees them keep turning up and keeps the gate shut.
    n = 2000
    labels = [1, 0] + [int(i % 10 == 5) for i in range(2, n)]
    rng = np.random.default_rng(0)
    texts = [" ".join(([f"topic{i // 50}x", f"topic{i // 50}y"] if y else [])
                      + list(rng.choice(OTHER_WORDS, size=2 if y else 3))) for i, y in enumerate(labels)]
    features = build_features(list(range(1, n + 1)), texts, feature_config_for("default", n))
    y, rows = np.array(labels), np.arange(n)
    view = sc.estimate(features.matrix, rows[:300], y[:300], rows[300:])
    assert view is not None and view.probability >= 0.95  # sure, with 170 relevant records left
    assert not sc.lomax_gate(y[2:300], n - 2, 1, 0.95).is_open
    lomax = lomax_first_stop(y[2:], found_before=1, level=sc.trend_levels(0.95))
    assert lomax is not None
    lomax_stop = 2 + lomax
    # The gate opens only near the end, where the Lomax rule is about to stop: at decision 0029's level
    # (0.80) the classifier stops two checks before the trend at 99 % (1,920 against 1,952), with 95 % recall reached.
    stop = sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=lomax_stop)
    assert stop is not None and lomax_stop - 2 * sc.check_step(n) <= stop <= lomax_stop
    assert y[:stop].sum() / y.sum() >= 0.95
    # Without the gate (and from 5 % of the set), asked from k* = 1 (19 found, as before decision 0072), it stops at a
    # recall of 10 %; asked from k* = 6 (114 found) only, where it is no longer sure, it stops where it did.
    monkeypatch.setattr(sc, "lomax_gate", lambda *args: sc.LomaxGate(True, True))
    monkeypatch.setattr(sc, "GATE_SHARE", 0.05)
    assert sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=lomax_stop) == stop
    monkeypatch.setattr(sc, "FEWEST_ALLOWED", 1)
    wide_open = sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=lomax_stop)
    assert wide_open is not None and y[:wide_open].sum() / y.sum() < 0.12


def test_the_classifier_part_stops_at_80_percent_where_the_rule_asks_95(monkeypatch) -> None:
    # Decision 0029: the classifier's P(left ≤ k*) must reach 0.80 (four times the Lomax part's miss
    # allowance; 0.90 under decision 0028). All 30 relevant records among the first 147, none left (k* = 1, where the
    # classifier is asked here as before decision 0072); records of either kind borrow a word of the other kind now
    # and then, so the classifier is unsure at first.
    monkeypatch.setattr(sc, "FEWEST_ALLOWED", 1)
    labels = [0, 1] + [1, 0, 0, 0, 0] * 29 + [0] * 453
    rng = np.random.default_rng(3)
    texts = []
    for y in labels:
        words = list(rng.choice(RELEVANT_WORDS if y else OTHER_WORDS, size=3))
        if rng.random() < 0.55:
            words[0] = str(rng.choice(OTHER_WORDS if y else RELEVANT_WORDS))
        texts.append(" ".join(words))
    features = build_features(list(range(1, 601)), texts, feature_config_for("default", 600))
    y, rows = np.array(labels), np.arange(600)
    lomax = lomax_first_stop(y[2:], found_before=1, level=sc.trend_levels(0.95))
    assert lomax is not None
    assert sc.classifier_confidence(0.95) == pytest.approx(0.80) and sc.classifier_confidence(0.99) == pytest.approx(0.96)
    # The grid's checks from where the Lomax gate opens (222, past 20 % of the set): below 0.80 until 240.
    chances = {at: sc.estimate(features.matrix, rows[:at], y[:at], rows[at:]) for at in (222, 228, 234, 240)}
    assert all(view is not None and view.found == 30 and view.most_left == 1 for view in chances.values())
    assert max(chances[at].probability for at in (222, 228, 234)) < 0.80 <= chances[240].probability < 0.90  # type: ignore[union-attr]
    # Decision 0063: a view stops the rule only where the trend's P has reached 0.3 at its check, here from 258 on
    # (decisions 0068 stopped the trend's part at 254 on the views' assent; decision 0072 has no assent).
    assert sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=2 + lomax) == 258 < 2 + lomax
    with monkeypatch.context() as ungated:
        ungated.setattr(sc, "STOP_GATE_PROBABILITY", sc.GATE_PROBABILITY)  # the level alone
        assert sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=2 + lomax) == 240 < 2 + lomax
        ungated.setattr(sc, "CLASSIFIER_MISS_FACTOR", 2.0)  # decision 0028's level, 0.90: a check later
        assert 240 < sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=2 + lomax) < 2 + lomax


def test_the_classifier_level_stays_between_a_floor_and_the_rules_confidence() -> None:
    # Doubling the miss allowance of 0.5 left a level of 0 (negative below): the classifier's part stopped at
    # its first check whatever it estimated, and said so "with 0% probability".
    for confidence, level in ((0.5, 0.5), (0.6, 0.5), (0.875, 0.5), (0.9, 0.6), (0.95, 0.80), (0.99, 0.96), (0.3, 0.3)):
        assert sc.classifier_confidence(confidence) == pytest.approx(level), confidence
    for confidence in np.linspace(0.01, 0.99, 99):  # the function itself, not the table above
        level = sc.classifier_confidence(float(confidence))
        assert min(confidence, sc.CLASSIFIER_CONFIDENCE_FLOOR) <= level <= confidence, confidence
    ranked = ([1] + [0] * 10) * 120  # relevant records still turning up: the Lomax rule goes on (k* = 6)
    ids = list(range(1, 1321))
    unsure = {"screened": 1320, "found": 120, "expected_remaining": 3.4, "most_left": 6, "probability": 0.15,
              **sc.decisions_made_from(ids)}
    for confidence in (0.5, 0.6):
        status = stopping.assess(ranked, [], 4000, confidence=confidence, classifier=unsure, decision_ids=ids)
        assert status.verdict == "continue", (confidence, status.explanation)
        likely = stopping.assess(ranked, [], 4000, confidence=confidence, decision_ids=ids,
                                 classifier=dict(unsure, expected_remaining=0.9, probability=0.77,
                                                 trend_allows_stop=True))
        assert likely.verdict == "stop" and "with 50% probability" in likely.explanation, likely.explanation


def one_topic_first(front: int, drought_until: int, n: int = 1000):  # type: ignore[no-untyped-def]
    """A one-in-ten set ranked so that the prior and ``front`` relevant records of one kind come first,
    then irrelevant records only until ``drought_until``, then one in ten relevant again: those are of
    another kind, worded like the irrelevant records, so a classifier that has seen only the first kind
    is sure (and wrong) that none are left."""
    labels = [1, 0] + [1] * front + [0] * (drought_until - 2 - front)
    while len(labels) < n:
        labels.append(int((len(labels) - drought_until) % 10 == 5 and sum(labels) < n // 10))
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(RELEVANT_WORDS if y and i < 2 + front else OTHER_WORDS, size=3))
             for i, y in enumerate(labels)]
    return np.array(labels), build_features(list(range(1, n + 1)), texts, feature_config_for("default", n))


def test_a_classifier_that_is_sure_and_wrong_early_cannot_stop_before_the_share_gate(monkeypatch) -> None:
    rows = np.arange(1000)
    for front, drought_until in ((5, 60), (5, 110), (10, 110), (20, 60)):
        y, features = one_topic_first(front, drought_until)
        lomax = lomax_first_stop(y[2:], found_before=1)
        assert lomax is not None
        lomax_stop = 2 + lomax  # the Lomax rule sees the relevant records turn up again and goes on
        assert y[:lomax_stop].sum() / y.sum() >= 0.95
        view = sc.estimate(features.matrix, rows[:drought_until], y[:drought_until], rows[drought_until:])
        assert view is not None and view.probability >= 0.95  # sure, with 79 or more relevant records left
        stop = sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=lomax_stop)
        assert stop is not None and stop <= lomax_stop and y[:stop].sum() / y.sum() >= 0.95
        with monkeypatch.context() as old:  # decision 0025's gate (from 5 % of the set), k* = 0 consulted too
            old.setattr(sc, "GATE_SHARE", 0.05)
            old.setattr(sc, "FEWEST_ALLOWED", 0)
            early = sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=lomax_stop)
            assert early is not None and early <= drought_until and y[:early].sum() / y.sum() < 0.25
            # Decision 0029's k* guard alone closes the drought where fewer than 19 are found ("none left"
            # is not asked of the classifier); with 21 found (k* = 1) the share gate is what keeps it out.
            old.setattr(sc, "FEWEST_ALLOWED", 1)
            guarded = sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=lomax_stop)
            assert guarded is not None
            assert (y[:guarded].sum() / y.sum() >= 0.95) == (front < 18), (front, drought_until, guarded)
    # A drought past the gate fools the Lomax rule as well: the classifier stops no earlier than it does.
    y, features = one_topic_first(10, 260)
    lomax = lomax_first_stop(y[2:], found_before=1)
    assert lomax is not None and y[:2 + lomax].sum() / y.sum() < 0.2
    assert sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=2 + lomax) == 2 + lomax


def test_fewer_than_six_left_is_never_taken_from_the_classifier(monkeypatch) -> None:
    # Decisions 0029 and 0072: where the target allows fewer than six relevant records to be left (k* < 6: fewer than
    # 114 found at 95 %), the rule stops only where the Lomax part does. Nine relevant records, all among the first 40
    # of 1,000 and none left: the classifier is sure at every check, and right; the Lomax part takes a long drought.
    labels = [1, 0] + [1, 0, 0, 0, 0] * 8 + [0] * 958
    features = corpus(labels)
    y, rows = np.array(labels), np.arange(1000)
    lomax = lomax_first_stop(y[2:], found_before=1, level=sc.trend_levels(0.95))
    assert lomax is not None and y.sum() == 9
    view = sc.estimate(features.matrix, rows[:200], y[:200], rows[200:])
    assert view is not None and view.most_left == 0 and view.probability >= 0.95
    assert not sc.consulted(0) and not sc.consulted(5) and sc.consulted(6)
    assert (sc.fewest_found_consulted(0.95), sc.fewest_found_consulted(0.9), sc.fewest_found_consulted(1.0)) == \
        (114, 54, None)
    assert sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=2 + lomax) == 2 + lomax
    with monkeypatch.context() as before:  # decision 0028's rule asked it, and stopped earlier
        before.setattr(sc, "FEWEST_ALLOWED", 0)
        asked = sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=2 + lomax)
        assert asked is not None and asked < 2 + lomax
    # The verdict: the classifier's view is told, not followed, and no classifier level is stated.
    ranked, ids = [1] + [0] * 9 + ([1] + [0] * 20) * 8, list(range(1, 180))  # 9 found, still turning up
    status = stopping.assess(ranked, [], 1000, decision_ids=ids, classifier={
        "screened": 179, "found": 9, "expected_remaining": 0.01, "most_left": 0, "probability": 0.97,
        **sc.decisions_made_from(ids)})
    assert status.verdict == "continue" and status.classifier_level is None, status.explanation
    assert "expects about" not in status.explanation and "97%" not in status.explanation  # not read: not told
    assert ("(9 relevant found in 179 screened) the target allowed no relevant record to be left; where fewer than 6 "
            "relevant records may be left, the rule judges from the trend alone") in status.explanation, status.explanation
    assert "by the classifier's scores" not in stopping_words(status, "ranked")
    # A check made at 113 found (k* = 5) holds until the next one (a grid step on, past the gate): with a 114th
    # relevant record decided since (k* = 6 now) the verdict still rests on that check's unasked answer, so the
    # line names no classifier level either, as the explanation says. A view an older version stored there, with a
    # probability (k* = 5 was asked then), is read the same way: it stops nothing.
    ranked = [1] + [0] * 9 + ([1] + [0] * 20) * 112  # 113 found, still turning up
    at_check = list(range(1, len(ranked) + 1))
    for view in ({**sc.unasked_check(len(ranked), 113, 0.95), **sc.decisions_made_from(at_check)},  # type: ignore[dict-item]
                 {"screened": len(ranked), "found": 113, "expected_remaining": 0.01, "most_left": 5,
                  "probability": 0.99, "trend_allows_stop": True, **sc.decisions_made_from(at_check)}):
        status = stopping.assess(ranked + [1], [], 5000, classifier=view, decision_ids=at_check + [len(ranked) + 1])
        assert status.relevant_found == 114 and view["most_left"] == 5
        assert status.verdict == "continue" and status.classifier_level is None, status.explanation
        assert ("the target allowed at most 5 relevant records to be left; where fewer than 6 relevant records may be "
                "left") in status.explanation, status.explanation
        assert status.explanation.endswith("; the classifier is asked at the next check past the gate, now that 114 "
                                           "are found."), status.explanation
        assert "by the classifier's scores" not in stopping_words(status, "ranked")
    # The next check, made at 114 found, asks the classifier (k* = 6); until it is made the line says so.
    assert stopping.assess(ranked + [1], [], 5000).classifier_level == pytest.approx(0.80)


def test_a_view_made_for_another_target_recall_does_not_hold() -> None:
    # review.toml's target changed between sessions: the stored view's k* is the old target's. 60 found:
    # k* = 6 at 90 %, 3 at 95 % (decision 0072 asks the classifier nothing there).
    ranked, ids = [1 if i % 5 == 0 and i < 300 else 0 for i in range(302)], list(range(1, 303))
    assert sum(ranked) == 60
    at_90 = {"screened": 302, "found": 60, "expected_remaining": 2.0, "most_left": 6, "probability": 0.94,
             "upper_remaining": 3, "trend_allows_stop": True, **sc.decisions_made_from(ids)}
    assert sc.view_holds(at_90, ids, target_recall=0.9) and not sc.view_holds(at_90, ids, target_recall=0.95)
    stopped = stopping.assess(ranked, [], 2000, target_recall=0.9, classifier=at_90, decision_ids=ids)
    assert stopped.verdict == "stop" and stopped.estimate_from == "classifier", stopped.explanation
    at_95 = stopping.assess(ranked, [], 2000, target_recall=0.95, classifier=at_90, decision_ids=ids)
    alone = stopping.assess(ranked, [], 2000, target_recall=0.95)
    assert at_95.verdict == "continue" and at_95.estimate_from == "trend", at_95.explanation  # was: stop, "at most 6"
    assert at_95.explanation == alone.explanation and at_95.classifier_level is None
    # Reverse: a check unasked at 95 % read at 90 % told "which it asks from 54 relevant found on" with 60 found.
    unasked = {**sc.unasked_check(302, 60, 0.95), **sc.decisions_made_from(ids)}  # type: ignore[dict-item]
    assert sc.view_holds(unasked, ids, target_recall=0.95) and not sc.view_holds(unasked, ids, target_recall=0.9)
    at_90_now = stopping.assess(ranked, [], 2000, target_recall=0.9, classifier=unasked, decision_ids=ids)
    assert "At the classifier's last check" not in at_90_now.explanation, at_90_now.explanation
    assert at_90_now.classifier_level == pytest.approx(0.80)  # k* = 6 now: the next check asks it
    # A target that allows the same k* for the view's count leaves it standing (60 found: k* = 6 at 90.5 % too).
    assert sc.view_holds(at_90, ids, target_recall=0.905)


def test_checks_on_a_grid_past_the_gate() -> None:
    assert sc.check_step(2304) == 24 and sc.check_step(310) == 4
    assert not sc.is_due(50, 1000, None) and not sc.is_due(199, 1000, None)  # below 20 % of the set
    assert sc.is_due(200, 1000, None) and not sc.is_due(209, 1000, 200) and sc.is_due(210, 1000, 209)


def test_assess_says_what_the_classifier_says() -> None:
    ranked = ([1] + [0] * 10) * 120  # relevant records still turning up: the Lomax rule goes on; 120 found: k* = 6
    lomax_only = stopping.assess(ranked, [], 4000)
    assert lomax_only.verdict == "continue"
    ids = list(range(1, 1321))
    sure = {"screened": 1320, "found": 120, "expected_remaining": 0.2, "most_left": 6, "probability": 0.98,
            "trend_allows_stop": True, **sc.decisions_made_from(ids)}
    status = stopping.assess(ranked, [], 4000, classifier=sure, decision_ids=ids)
    assert status.verdict == "stop" and status.rule == "recommended"
    assert "classifier" in status.explanation and "98%" in status.explanation and "at least 95%" in status.explanation
    fairly_sure = dict(sure, expected_remaining=0.5, probability=0.86)  # below 95 %, above the classifier's 80 %
    status = stopping.assess(ranked, [], 4000, classifier=fairly_sure, decision_ids=ids)
    assert status.verdict == "stop" and status.confidence == pytest.approx(0.80) and status.estimate_from == "classifier"
    assert "with 80% probability" in status.explanation and "86%" in status.explanation
    # The bound at the level the stop rests on, where the two levels' bounds differ (3 at 0.80, 4 at 0.95).
    dense, dense_ids = ([1] + [0] * 3) * 120, list(range(1, 481))
    assert stopping.assess(dense, [], 4000).verdict == "continue"
    near = {"screened": 480, "found": 120, "expected_remaining": 1.7, "most_left": 6, "probability": 0.92,
            "trend_allows_stop": True, **sc.decisions_made_from(dense_ids)}
    assert (poisson.ppf(0.80, 1.7), poisson.ppf(0.95, 1.7)) == (3, 4)
    status = stopping.assess(dense, [], 4000, classifier=near, decision_ids=dense_ids)
    assert status.verdict == "stop" and status.upper_remaining == 3
    line = stopping_words(status, "ranked")
    assert "at most 3 with 80% probability" in line and "95% recall holds with 80% probability" in line, line
    assert stopping.assess(ranked, [], 4000, classifier=dict(sure, probability=0.78), decision_ids=ids).verdict == "continue"
    unsure = dict(sure, expected_remaining=3.4, probability=0.15)
    status = stopping.assess(ranked, [], 4000, classifier=unsure, decision_ids=ids)
    assert status.verdict == "continue" and "about 3.4 relevant records" in status.explanation
    # While it goes on, both parts' levels are said (the Lomax part's 99 % whatever k*, decisions 0072 and 0078, and the
    # classifier's 80 %), in the explanation and on the TUI's line, and counts have thousands separated.
    assert "the rule also stops once that chance is at least 80%" in status.explanation, status.explanation
    assert "among the 2,680 unscreened" in status.explanation and status.classifier_level == pytest.approx(0.80)
    line = stopping_words(status, "ranked")
    assert "Stops when 95% recall holds with 99% probability (the classifier's 80% once the trend's is 30%)." \
        in line, line
    # A view's chance just short of the classifier's level is not rounded up to it (0.798: not "80%" beside "at
    # least 80%").
    short = stopping.assess(ranked, [], 4000, classifier=dict(sure, probability=0.798), decision_ids=ids)
    assert "is 79.8%; the rule also stops once that chance is at least 80%" in short.explanation, short.explanation
    # With 80 found (k* = 4) the classifier is not asked (decision 0072): the line names the trend's level alone.
    fewer = ([1] + [0] * 3) * 80
    line = stopping_words(stopping.assess(fewer, [], 4000), "ranked")
    assert line.endswith("Stops when 95% recall holds with 99% probability."), line
    assert stopping.assess(ranked, [], 4000, rule="certified").classifier_level is None
    redone = ids[:-1] + [1321]  # the last decision undone and another made: the same counts
    changed = ids[:9] + ids[10:] + [1321]  # the tenth decision changed
    for now in (ids[:-1], redone, changed):
        assert stopping.assess(ranked, [], 4000, classifier=sure, decision_ids=now).explanation == lomax_only.explanation
    assert stopping.assess(ranked + [0], [], 4000, classifier=sure, decision_ids=ids + [1321]).verdict == "stop"
    certified = stopping.assess(ranked, [], 4000, classifier=sure, rule="certified", decision_ids=ids)
    assert certified.verdict != "stop"


def test_an_estimate_that_rounds_to_nought_is_said_as_fewer_than_a_tenth() -> None:
    """walk20: 0.04 left read 'about 0.0 relevant left … recall about 99%', as if the two numbers disagreed."""
    ranked = ([1] + [0] * 10) * 120
    ids = list(range(1, 1321))
    nearly_none = {"screened": 1320, "found": 120, "expected_remaining": 0.04, "most_left": 6, "probability": 0.98,
                   "trend_allows_stop": True, **sc.decisions_made_from(ids)}
    status = stopping.assess(ranked, [], 4000, classifier=nearly_none, decision_ids=ids)
    assert status.verdict == "stop" and status.expected_remaining == pytest.approx(0.04)
    line = stopping_words(status, "ranked")
    assert "fewer than 0.1 relevant left among 2,680 unscreened" in line and "recall about 99.9%" in line, line
    assert "0.0" not in line and "expects fewer than 0.1 relevant records" in status.explanation, status.explanation
    tenth = stopping.assess(ranked, [], 4000, classifier=dict(nearly_none, expected_remaining=0.06),
                            decision_ids=ids)
    assert "about 0.1 relevant left" in stopping_words(tenth, "ranked")


def test_simulation_names_it_recommended() -> None:
    order = [1, 0] + [1] * 38 + [0] * 960
    points = stopping.stopping_points(order, n_priors=2, seed=1, classifier=lambda lomax_stop: lomax_stop)
    assert points["recommended"] == "relevance_rate_classifier"
    # The classifier's rule is handed where its own Lomax part stops (at 99 %, decision 0078): later than the Lomax
    # rule at the confidence (95 %) stops.
    own_lomax = 2 + lomax_first_stop(np.array(order[2:]), found_before=1, level=sc.trend_levels(0.95))
    assert points["relevance_rate_classifier"]["n_screened"] == own_lomax > points["relevance_rate_lomax"]["n_screened"]
    assert points["relevance_rate_classifier"]["model"] == "lomax+classifier"


@pytest.fixture
def asked_from_one_left(monkeypatch):  # type: ignore[no-untyped-def]
    """The classifier asked from k* = 1 on (as before decision 0072, which asks it from six): the tests that take it
    pin the classifier evidence's life cycle in a session, on 30 relevant records found (k* = 1) and 60 irrelevant
    after them, a set small enough to decide record by record."""
    monkeypatch.setattr(sc, "FEWEST_ALLOWED", 1)


def _decided_session(workspace):  # type: ignore[no-untyped-def]
    session, _, undecided = _session_with_found(workspace, 30)
    return session, undecided


def add_word_records(workspace, labels: list[int], *, seed: int) -> list[int]:  # type: ignore[no-untyped-def]
    """One record per label, its title four words drawn from the relevant or the other words, stored as one import;
    their ids in the order of ``labels``."""
    from review.records import Record

    rng = np.random.default_rng(seed)
    records = [Record(title=" ".join(rng.choice(RELEVANT_WORDS if y else OTHER_WORDS, size=4)), abstract="",
                      external_id=str(i)) for i, y in enumerate(labels)]
    workspace.store.add_batch(records, file_name="made.csv", file_sha256="x" * 64, source_name="test",
                              format="csv", encoding="utf-8")
    return [rec.id for rec in workspace.store.records()]


def _session_with_found(workspace, found: int, irrelevant_after: int = 60):  # type: ignore[no-untyped-def]
    """200 records, 30 relevant: ``found`` of them decided, then ``irrelevant_after`` irrelevant; (session, the
    relevant and the irrelevant records left)."""
    from review.screening.session import ScreeningSession

    labels = [1] * 30 + [0] * 170
    truth = dict(zip(add_word_records(workspace, labels, seed=5), labels, strict=True))
    session = ScreeningSession(workspace, "alice", seed=2)
    relevant = [r for r, y in truth.items() if y]
    irrelevant = [r for r, y in truth.items() if not y]
    for record_id in relevant[:found] + irrelevant[:irrelevant_after]:  # the relevant records found, then irrelevant
        session.decide(record_id, "include" if truth[record_id] else "exclude")
    return session, relevant[found:], irrelevant[irrelevant_after:]


def test_the_queue_comes_first_then_the_evidence_and_the_verdict_uses_it(workspace, asked_from_one_left) -> None:
    session, _ = _decided_session(workspace)
    ranking = session.retrain()  # the queue: no classifier fit in it (decision 0025's check comes after)
    assert "stopping_classifier" not in ranking.model_info
    session.apply_ranking(ranking)
    assert session.progress().stopping.estimate_from != "classifier"
    assert session.stopping_evidence_due()
    epoch = session.evidence_epoch
    view = session.stopping_evidence()
    assert view is not None and view["screened"] == 90 and view["found"] == 30 and view["expected_remaining"] < 0.5
    assert session.progress().stopping.estimate_from != "classifier"  # not used before it is applied
    assert session.apply_stopping_evidence(view, epoch)
    assert not session.stopping_evidence_due()  # nothing new since: no refit
    status = session.progress().stopping
    assert status.verdict == "stop" and status.rule == "recommended" and status.estimate_from == "classifier"
    assert session.retrain().model_info["stopping_classifier"] == view  # carried in the stored queue
    session.undo()  # the last decision undone: the view was made after it and no longer holds
    assert session.progress().stopping.estimate_from != "classifier"


@pytest.mark.parametrize("gate, allowed", [(None, True), (0.99, False)])
def test_a_sessions_check_records_whether_the_trend_lets_its_view_stop(workspace, monkeypatch, asked_from_one_left,
                                                                         gate: float | None, allowed: bool) -> None:
    # Decision 0063: a check records whether the trend's own P(left ≤ k*) had reached STOP_GATE_PROBABILITY (0.3)
    # when it was made, and the verdict stops on the view only if so. 30 found, then 60 irrelevant: it has; with the
    # gate raised to 0.99 it has not, and a view at the classifier's level stops nothing.
    if gate is not None:
        monkeypatch.setattr(sc, "STOP_GATE_PROBABILITY", gate)
    session, _ = _decided_session(workspace)
    view = session.stopping_evidence()
    assert view is not None and view["trend_allows_stop"] is allowed and view["probability"] >= 0.80
    assert session.apply_stopping_evidence(view, session.evidence_epoch)
    status = session.progress().stopping
    assert (status.estimate_from == "classifier") is allowed, status.explanation


def test_a_check_where_fewer_than_six_may_be_left_makes_no_fits(workspace, monkeypatch) -> None:
    # Decisions 0029 and 0072: where fewer than six relevant records may be left (k* < 6) no verdict reads the
    # classifier, so the check makes none of its six fits (31 s of CPU at 50,000 records); it still marks the grid step
    # it was due at. At a target of 80 %, 23 found leave k* = 5 and 24 found k* = 6 (21 irrelevant after them: the
    # trend goes on).
    session, relevant, irrelevant = _session_with_found(workspace, 23, irrelevant_after=21)
    session.target_recall = 0.8
    fits = []
    estimate = sc.estimate
    monkeypatch.setattr(sc, "estimate", lambda *a, **k: fits.append(k["target_recall"]) or estimate(*a, **k))
    assert session.stopping_evidence_due()
    view = session.stopping_evidence()
    assert fits == [] and view is not None and view["asked"] is False
    assert (view["screened"], view["found"], view["most_left"]) == (44, 23, 5) and "expected_remaining" not in view
    assert session.apply_stopping_evidence(view, session.evidence_epoch)
    assert not session.stopping_evidence_due()  # the check was made: the next is a grid step on
    status = session.progress().stopping
    assert status.verdict == "continue" and status.classifier_level is None, status.explanation
    # The tooltip says why the classifier says nothing, and tells no estimate it did not make.
    assert ("At the classifier's last check (23 relevant found in 44 screened) the target allowed at most 5 relevant "
            "records to be left; where fewer than 6 relevant records may be left, the rule judges from the trend alone, "
            "not from the classifier; the classifier is asked from 24 relevant found on.") in status.explanation, \
        status.explanation
    assert "expects about" not in status.explanation and "by the classifier's scores" not in stopping_words(status, "ranked")
    session.decide(relevant[0], "include")  # the 24th (k* = 6 now): the check made at 23 stands until the next
    status = session.progress().stopping
    assert status.relevant_found == 24 and status.classifier_level is None and not session.stopping_evidence_due()
    assert "the classifier is asked at the next check past the gate, now that 24 are found." in status.explanation, \
        status.explanation
    session.decide(irrelevant[0], "exclude")  # 46 screened: a grid step (⌈200/100⌉ = 2) on, the fits are made
    assert session.stopping_evidence_due()
    asked = session.stopping_evidence()
    assert fits == [0.8] and asked is not None and asked["most_left"] == 6 and "expected_remaining" in asked
    assert session.apply_stopping_evidence(asked, session.evidence_epoch)
    status = session.progress().stopping
    assert status.classifier_level == pytest.approx(0.80) and "the rule also stops once that chance" in status.explanation
    assert "At the classifier's last check" not in status.explanation


def test_the_evidence_stands_for_the_decisions_it_was_made_from(workspace, monkeypatch, asked_from_one_left) -> None:
    session, undecided = _decided_session(workspace)
    session.confidence = 0.9
    asked = []
    estimate = sc.estimate
    monkeypatch.setattr(sc, "estimate", lambda *a, **k: asked.append(k["confidence"]) or estimate(*a, **k))
    view = session.stopping_evidence()
    assert view is not None and asked == [0.9]  # the session's confidence: "at most U" is at classifier_confidence(0.9) = 60 %
    session.confidence = 0.95  # (at 90 % the Lomax rule stops on its own below)
    assert session.apply_stopping_evidence(view, session.evidence_epoch)
    session.decide(undecided[0], "exclude")  # a decision after the evidence: it still holds
    assert session.progress().stopping.estimate_from == "classifier"
    session.undo()
    session.undo()  # a decision it was made from undone ...
    session.decide(undecided[1], "exclude")  # ... and another made: 90 screened, 30 relevant again
    assert session.progress().screened == 90 and session.progress().stopping.estimate_from != "classifier"
    assert session.stopping_evidence_due()  # it no longer holds: a fresh check at once
    fresh = session.stopping_evidence()
    assert fresh is not None and fresh["decisions"] != view["decisions"]
    assert session.apply_stopping_evidence(fresh, session.evidence_epoch)
    assert session.progress().stopping.estimate_from == "classifier"
    session.decide(undecided[1], "include")  # a decision it was made from changed (its counts are not
    session.decide(undecided[2], "exclude")  # ahead of these: a comparison of counts let it stand)
    assert session.progress().stopping.estimate_from != "classifier"
    for record_id in undecided[3:7]:  # a grid step on (⌈200/100⌉ = 2): a check is due ...
        session.decide(record_id, "exclude")
    session.stopping_rule = "certified"  # ... but no verdict the reviewer follows would read it: no fits
    assert not session.stopping_evidence_due()
    session.stopping_rule = "recommended"
    assert session.stopping_evidence_due()


def test_a_session_reopened_under_another_target_recall_checks_afresh_at_once(workspace, monkeypatch) -> None:
    from review.screening.session import ScreeningSession
    from review.tomlwrite import set_table_keys

    session, _, _ = _session_with_found(workspace, 30, irrelevant_after=20)  # 50 screened, 30 found
    fits = []
    estimate = sc.estimate
    monkeypatch.setattr(sc, "estimate", lambda *a, **k: fits.append(k["target_recall"]) or estimate(*a, **k))

    def reopened_at(target: float) -> ScreeningSession:
        session.save_ranking()
        set_table_keys(workspace.path("review.toml"), "screening", {"target_recall": target})
        again = ScreeningSession(workspace, "alice", seed=2)
        assert again.target_recall == target
        return again

    session.target_recall = 0.8  # k* = 7 at 30 found: the classifier is asked
    view = session.stopping_evidence()
    assert fits == [0.8] and view is not None and view["most_left"] == 7
    assert session.apply_stopping_evidence(view, session.evidence_epoch)
    session.apply_ranking(session.retrain())  # the stored queue carries the view
    assert session.retrain().model_info["stopping_classifier"] == view
    # Reopened at 95 % (k* = 1: not asked): the 80 % view neither speaks for the verdict nor stands in for a check.
    at_95 = reopened_at(0.95)
    status = at_95.progress().stopping
    assert status.estimate_from != "classifier" and "at most 7" not in status.explanation, status.explanation
    assert at_95.stopping_evidence_due()  # was False: the old view's grid step held the next check back
    unasked = at_95.stopping_evidence()
    assert fits == [0.8] and unasked is not None and unasked["asked"] is False and unasked["most_left"] == 1
    assert at_95.apply_stopping_evidence(unasked, at_95.evidence_epoch) and not at_95.stopping_evidence_due()
    assert "the classifier is asked from 114 relevant found on" in at_95.progress().stopping.explanation
    at_95.apply_ranking(at_95.retrain())
    assert at_95.retrain().model_info["stopping_classifier"] == unasked
    # Reverse: the unasked 95 % check reopened at 80 % (k* = 7) no longer stands in for a check: one is due at once
    # and asks the classifier.
    session = at_95
    at_80 = reopened_at(0.8)
    status = at_80.progress().stopping
    assert "At the classifier's last check" not in status.explanation, status.explanation
    assert at_80.stopping_evidence_due()
    asked = at_80.stopping_evidence()
    assert fits == [0.8, 0.8] and asked is not None and asked["most_left"] == 7 and "expected_remaining" in asked


def test_a_check_reads_the_decisions_once(workspace, monkeypatch) -> None:
    from review.screening.session import ScreeningSession

    session, _ = _decided_session(workspace)
    reads = []
    phase_labels = ScreeningSession._phase_labels
    monkeypatch.setattr(ScreeningSession, "_phase_labels", lambda self: reads.append(1) or phase_labels(self))
    view = session.stopping_evidence()
    assert view is not None and view["screened"] == 90
    assert len(reads) == 1  # judged due and made from one reading (it was two, each under the lock)
    assert session.apply_stopping_evidence(view, session.evidence_epoch)
    reads.clear()
    assert session.stopping_evidence() is None and len(reads) == 1  # not due: no second reading either


def test_a_paint_reads_the_kept_verdict_until_the_decisions_in_force_change(workspace, monkeypatch, asked_from_one_left) -> None:
    from review.screening import session as session_module
    from review.store.fulltext import remove_records

    session, undecided = _decided_session(workspace)
    view = session.stopping_evidence()
    assert view is not None
    assessed = []
    assess = session_module.assess
    monkeypatch.setattr(session_module, "assess", lambda *a, **k: assessed.append(1) or assess(*a, **k))

    def classifier_says() -> bool:
        """Take the evidence afresh (it holds for the decisions in force) and paint twice."""
        assert session.apply_stopping_evidence(dict(view), session.evidence_epoch)
        first = session.progress().stopping.estimate_from
        assessed.clear()
        assert session.progress().stopping.estimate_from == first and assessed == []  # no second assessment
        return first == "classifier"

    decided = [r for r in session._state.decided]
    assert classifier_says()
    session.decide(undecided[0], "exclude")  # a new decision: the view still holds, the verdict is made again
    assert session.progress().screened == 91 and assessed == [1]
    assert session.progress().stopping.estimate_from == "classifier"
    session.decide(decided[-1], "include")  # a decision it was made from, changed
    assert session.progress().stopping.estimate_from != "classifier"
    session.undo()  # the change undone: the decisions it was made from are in force again
    assert session.progress().stopping.estimate_from == "classifier"
    session.undo()  # a decision it was made from undone (the new one first, then this)
    session.undo()
    assert session.progress().stopping.estimate_from != "classifier"
    session.decide(decided[-1], "exclude")
    session.decide(undecided[0], "exclude")
    view = session.stopping_evidence() or view  # (made afresh: the decisions are not those of the first)
    assert classifier_says()
    remove_records(workspace.store, [decided[0]], "bob", "retracted")  # a shell removes a decided record
    assert session.refresh_set_aside()
    assert session.progress().stopping.estimate_from != "classifier"


def test_evidence_under_way_during_an_undo_is_dropped_and_decisions_meanwhile_stay(workspace, asked_from_one_left) -> None:
    session, undecided = _decided_session(workspace)
    epoch = session.evidence_epoch
    view = session.stopping_evidence()  # asked for after 90 decisions ...
    assert view is not None
    session.decide(undecided[0], "exclude")  # ... one made while it is computed: kept, counted as made
    assert session.apply_stopping_evidence(view, epoch)
    assert session.progress().screened == 91 and session.is_decided(undecided[0])
    assert session.progress().stopping.estimate_from == "classifier"
    epoch = session.evidence_epoch
    assert session.stopping_evidence() is None  # (no check due at 91: the grid's next is at 92)
    in_force = sorted(d.id for d in workspace.store.current_decisions(reviewer=session.reviewer).values())
    counted = {**view, **sc.decisions_made_from(in_force)}  # evidence under way that counted the 91st decision
    session.undo()  # an undo while evidence is under way: evidence that counted the undone decision is dropped
    assert not session.apply_stopping_evidence(counted, epoch)
    assert session.is_decided(undecided[0]) is False


def test_evidence_made_before_a_decision_undone_meanwhile_is_taken(workspace, asked_from_one_left) -> None:
    # rrev25c: the app's session dropped any evidence that arrived after an undo (its epoch moved), also one made before
    # the undone decision; the evidence process's session had taken it and found no check due again, so the app's
    # verdict went without it, CONTINUE where `review status --stopping` (which makes it) said STOP, until the next
    # grid step (every ⌈N/100⌉ decisions: 500 at 50,000 records).
    from review.screening.session import ScreeningSession
    from review.services.screening import stopping_advice

    app, _ = _decided_session(workspace)
    assert app.stopping_evidence_due()
    epoch = app.evidence_epoch
    worker = ScreeningSession(workspace, "alice", seed=2)  # the evidence process's session
    made = worker.stopping_evidence()
    assert made is not None and worker.apply_stopping_evidence(made, worker.evidence_epoch)
    record = app.next_record()  # a decision made while the check runs, then undone
    assert record is not None
    app.decide(record.id, "exclude")
    app.undo()
    assert app.apply_stopping_evidence(made, epoch) and not app.stopping_evidence_due()
    worker.reload_decisions()
    assert worker.stopping_evidence() is None  # (no check due there: asking again would give nothing)
    assert app.progress().stopping.verdict == "stop"
    assert [a.verdict for a in stopping_advice(workspace, ["alice"])] == ["stop"]


def test_the_folds_are_scikit_learns_stratified_shuffled_folds() -> None:
    from sklearn.model_selection import StratifiedKFold

    rng = np.random.default_rng(11)
    for seed, n, share in ((1, 57, 0.2), (21, 300, 0.05), (7, 40, 0.5)):
        y = (rng.random(n) < share).astype(np.int64)
        y[:2], y[2:4] = 1, 0
        splits = min(5, int(y.sum()), int(n - y.sum()))
        ours = sc.stratified_folds(y, splits, seed)
        for fold, (_, test) in enumerate(StratifiedKFold(splits, shuffle=True, random_state=seed).split(y, y)):
            assert np.array_equal(np.flatnonzero(ours == fold), test)


def test_the_evidence_worker_makes_it_and_the_retrain_worker_carries_what_the_app_took(workspace, monkeypatch) -> None:
    from review.tui import retrainer

    _decided_session(workspace)  # 90 decisions in the store
    monkeypatch.setattr(retrainer, "_SESSIONS", {})  # this process plays the worker
    root = str(workspace.root.resolve())
    evidence = retrainer._serve("evidence", root, "alice", 0, None)
    assert evidence is not None and evidence["screened"] == 90
    assert retrainer._serve("evidence", root, "alice", 0, None) is None  # nothing new: no refit
    ranking = retrainer._serve("retrain", root, "alice", 0, evidence)
    assert ranking.model_info["stopping_classifier"] == evidence


def test_the_evidence_comes_from_its_own_worker_process(workspace) -> None:
    from review.screening.session import ScreeningSession
    from review.tui.retrainer import Retrainer

    session, _ = _decided_session(workspace)
    retrainer = Retrainer("process")
    try:
        epoch = session.evidence_epoch
        evidence = retrainer.stopping_evidence(session)
        same_seed = ScreeningSession(workspace, "alice")  # the workspace's seed, as the worker's session
        assert evidence is not None and evidence == same_seed.stopping_evidence()  # the same check, elsewhere
        assert session.apply_stopping_evidence(evidence, epoch)
        retrainer.evidence = evidence
        assert retrainer.retrain(session).model_info["stopping_classifier"] == evidence
        assert set(retrainer._workers) == {"retrain", "evidence"} and all(retrainer._workers.values())
    finally:
        retrainer.close()


def test_the_evidence_process_checks_at_the_apps_target_after_review_toml_changes(workspace) -> None:
    # rrev25c: the evidence process opens its session at the first check, reading review.toml then; a target edited
    # after the app opened (which applies at the app's next start) gave a check of another k* (3 at 90 % against 1 at
    # 95 % with 30 found), which the app's session found not to hold and asked for again, and the process found made.
    from review.tui.retrainer import Retrainer

    session, _ = _decided_session(workspace)
    toml = workspace.path("review.toml")
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[screening]\ntarget_recall = 0.9\n", encoding="utf-8")
    assert session.target_recall == 0.95 and session.stopping_evidence_due()
    retrainer = Retrainer("process")
    try:
        epoch = session.evidence_epoch
        evidence = retrainer.stopping_evidence(session)
        assert evidence is not None and int(evidence["most_left"]) == 1, evidence
        assert session.apply_stopping_evidence(evidence, epoch) and not session.stopping_evidence_due()
    finally:
        retrainer.close()


def test_a_classifier_sure_that_more_are_left_holds_no_trend_stop_back() -> None:
    # Decision 0072 (rule C3): no view holds the trend's stop back. 50 relevant records, 40 of them among the first 120
    # and 10 among 50 records after a drought of 400. With 40 found the target allows 2 to be left (k* = 2): the
    # classifier, whose words tell the ten apart, would count 10 left (P(left ≤ 2) about 1 %), and under decisions
    # 0040–0068 that vetoed the trend's stop (then at 85 %) until 550. Now k* = 2 asks the classifier nothing (no
    # fits), and the trend's part stops at 99 % (402), 282 records into the drought, with 40 of 50 found (80 %): a
    # constructed extreme, the price of no veto, which decision 0072 measured as 16 misses in 300 thinned runs.
    y, rows = np.array(VETO_LABELS), np.arange(1000)
    features = corpus(VETO_LABELS)
    lomax = lomax_first_stop(y[2:], found_before=1, level=sc.trend_levels(0.95))
    assert lomax is not None and 2 + lomax == 402 and y[:402].sum() == 40 < 0.95 * 50
    view = sc.estimate(features.matrix, rows[:270], y[:270], rows[270:])
    assert view is not None and view.most_left == 2 and view.expected_remaining == pytest.approx(10.0, abs=0.01)
    assert sc.first_stop(features.matrix, rows, y, n_priors=2, lomax_stop=402) == 402
    # The verdict on the check made at 300 (a view stored by an older version: k* = 2 was asked then): the trend's
    # stop stands (the session's verdict reads the priors as ranked: at 401), and the view is not told as evidence.
    ids = list(range(1, 402))
    alone = stopping.assess(VETO_LABELS[:401], [], 1000)
    assert alone.verdict == "stop" and stopping.assess(VETO_LABELS[:400], [], 1000).verdict == "continue"
    status = stopping.assess(VETO_LABELS[:401], [], 1000, classifier=_vetoing_view(ids), decision_ids=ids)
    assert status.verdict == "stop" and status.explanation == alone.explanation, status.explanation
    assert "veto" not in stopping_words(status, "ranked") and "holds" not in status.explanation


#: Decisions 0040–0068's veto ranking (the test above): 50 relevant, 40 among the first 120, 10 after a drought of 400.
VETO_LABELS = [0, 1] + [1, 0, 0] * 39 + [0] * 400 + [1, 0, 0, 0, 0] * 10 + [0] * 431


def _vetoing_view(ids: list[int]) -> dict[str, object]:
    """The check made at 300 screened on ``VETO_LABELS``, as an older version stored it (k* = 2 was asked, and it
    vetoed): 10 expected left where the target allows 2 (P = 1 %)."""
    return {"screened": 300, "found": 40, "expected_remaining": 10.0, "most_left": 2, "probability": 0.0103,
            "trend_allows_stop": True, "earlier": [0.02, 0.01], **sc.decisions_made_from(ids[:300])}


def test_a_view_gone_stale_after_an_undo_holds_nothing_back() -> None:
    # Review of stop11, #1 kept a vetoing view over an undo (the undo is no evidence that fewer are left); with no veto
    # (decision 0072) a stale view counts for nothing: the trend's verdict stands on its own.
    ids = list(range(1, 402))
    redone = ids[:249] + ids[250:] + [402]
    made = _vetoing_view(ids)
    assert not sc.view_holds(made, redone, target_recall=0.95)
    status = stopping.assess(VETO_LABELS[:401], [], 1000, classifier=made, decision_ids=redone)
    assert status.verdict == "stop" and status.explanation == stopping.assess(VETO_LABELS[:401], [], 1000).explanation


def test_simulates_help_names_the_trends_level_and_where_the_classifier_is_asked() -> None:
    # Review final17c, #5: --confidence lists every level of the recommended rule (decision 0078: the trend's 0.99,
    # the classifier's 0.80 from six left on, no veto).
    from click.testing import CliRunner

    from review.cli import main

    helped = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["simulate", "--help"])
    assert helped.exit_code == 0, helped.output
    words = " ".join(helped.output.split())
    assert f"({sc.trend_level(0.95):.2f} at 0.95, whatever the number of relevant records that may be left)" in words
    assert "asked only where at least six relevant records may be left" in words and "veto" not in words, words
    assert sc.FEWEST_ALLOWED == 6


@pytest.mark.parametrize(("confidence", "level"), [(0.90, 0.98), (0.95, 0.99), (0.99, 0.998), (0.5, 0.9), (0.3, 0.86)])
def test_the_trends_level_misses_less_often_than_the_confidence_allows(confidence: float, level: float) -> None:
    # Decision 0078: the trend's part may miss 0.2 times as often as the confidence allows (judged at 0.95 only; 0.4
    # under decision 0072), the same at every k*; the classifier's level is unchanged (four times as often, at least
    # 0.5).
    assert sc.trend_level(confidence) == level
    assert confidence < sc.trend_level(confidence) < 1.0
    assert sc.trend_levels(confidence)(np.array([0, 1, 2, 3, 6, 14])).tolist() == [level] * 6


def _stopped_session(workspace):  # type: ignore[no-untyped-def]
    """A session of 200 records whose 30 relevant are all found, then 94 irrelevant: the trend stops (from 123 on at
    99 %; the session, the irrelevant records left)."""
    session, _, irrelevant = _session_with_found(workspace, 30)
    for record_id in irrelevant[:34]:
        session.decide(record_id, "exclude")
    assert session.progress().stopping.verdict == "stop"
    return session, irrelevant[34:]


def test_a_check_at_a_closed_gate_makes_no_fits_and_marks_its_grid_step(workspace, monkeypatch,
                                                                        asked_from_one_left) -> None:
    # One rule for a check that does not ask the classifier, in a session as in review simulate's walk: where the
    # Lomax gate is closed it makes no fits, tells nothing of the classifier, and marks its grid step.
    session, irrelevant = _stopped_session(workspace)
    session.decide(irrelevant[0], "exclude")
    session.decide(irrelevant[1], "exclude")  # a grid step (⌈200/100⌉ = 2) on: a check is due
    monkeypatch.setattr(sc, "lomax_gate", lambda *a: sc.LomaxGate(False, False))  # ... where the Lomax gate is closed
    fits: list[object] = []
    monkeypatch.setattr(sc, "estimate", lambda *a, **k: fits.append(k))
    assert session.stopping_evidence_due()
    closed = session.stopping_evidence()
    assert closed is not None and closed["asked"] is False and closed["screened"] == 126 and fits == []
    assert session.apply_stopping_evidence(closed, session.evidence_epoch)
    status = session.progress().stopping
    assert status.verdict == "stop" and status.estimate_from == "trend", status.explanation
    assert not session.stopping_evidence_due()  # the check marked its grid step


def test_a_sessions_check_reads_the_trends_chance_once_for_both_levels(workspace, monkeypatch,
                                                                       asked_from_one_left) -> None:
    # The session's check asks the gate whether to fit and whether its view may stop the rule from one reading.
    session, irrelevant = _stopped_session(workspace)
    session.decide(irrelevant[0], "exclude")
    session.decide(irrelevant[1], "exclude")  # a grid step on: a check is due
    read: list[int] = []
    within = sc.lomax_reaches_levels
    monkeypatch.setattr(sc, "lomax_reaches_levels",
                        lambda ranked, *a, **k: read.append(len(ranked)) or within(ranked, *a, **k))
    evidence = session.stopping_evidence()
    assert evidence is not None and evidence["trend_allows_stop"] is True and read == [126]


def test_a_failed_fit_past_an_open_gate_is_a_check_that_asked_nothing(workspace, monkeypatch,
                                                                      asked_from_one_left) -> None:
    # The gate open (the trend stops) and the classifier asked (k* = 1 here), but the fit fails (``estimate`` gives
    # None: too few labels of a kind among the records it can read). The check is made all the same, as at a closed
    # gate: it marks its grid step. Returned as None instead, every key would refit.
    from review.services.screening import stopping_advice

    session, irrelevant = _stopped_session(workspace)
    session.decide(irrelevant[0], "exclude")
    session.decide(irrelevant[1], "exclude")  # a grid step (⌈200/100⌉ = 2) on: a check is due
    session.save_ranking()
    fits: list[int] = []
    monkeypatch.setattr(sc, "estimate", lambda *a, **k: fits.append(int(np.sum(a[2]))))  # a fit that fails: None
    [advice] = stopping_advice(workspace, ["alice"])  # what `review status --stopping` prints, as the TUI's worker
    assert fits == [30]  # the gate was open: the fit was tried, on the 30 relevant found
    assert advice.evidence_computed and advice.verdict == "stop" and advice.screened == 126, advice.explanation
    assert "classifier trained on your decisions" not in advice.explanation, advice.explanation  # no estimate told
    assert session.stopping_evidence_due()
    failed = session.stopping_evidence()
    # 30 found at 95 %: k* = ⌊30 · (1/0.95 − 1)⌋ = 1; no estimate, as a closed gate's check
    assert failed == {"screened": 126, "found": 30, "most_left": 1, "asked": False,
                      **sc.decisions_made_from(session._phase_labels()[2], records=200,
                                               record_set=sc.records_digest([r.id for r in workspace.store.records()]))}, \
        failed
    assert session.apply_stopping_evidence(failed, session.evidence_epoch)
    status = session.progress().stopping
    assert status.verdict == "stop" and status.estimate_from != "classifier", status.explanation
    assert not session.stopping_evidence_due()  # the grid step is marked: no refit on the next key
    assert fits == [30, 30]


def test_an_undo_drops_the_view_whatever_it_said_and_the_check_due_is_the_grid_points_before(workspace) -> None:
    # Decisions 0040–0068 kept a vetoing view over an undo (review of stop11, #1). With no veto (decision 0072) an undo
    # drops every view it touches, a vetoing one of an older version too: the trend's verdict stands alone until the
    # next check, due at once and made from the decisions up to the grid point before, review simulate's walk's check
    # there (rrev26a #1: made from every decision, off the grid, a look the walk never takes; audit26: waiting for the
    # next grid point instead left the app saying continue where a reopened session said stop).
    session, irrelevant = _stopped_session(workspace)
    ids = session._phase_labels()[2]
    vetoing = {"screened": 124, "found": 30, "expected_remaining": 5.0, "most_left": 1, "probability": 0.01,
               "earlier": [0.01], "trend_allows_stop": True, **sc.decisions_made_from(ids)}
    assert session.apply_stopping_evidence(vetoing, session.evidence_epoch)
    assert session.progress().stopping.verdict == "stop"  # it holds and vetoes nothing
    undone = session.undo()
    assert undone is not None and undone.label == "exclude"
    status = session.progress().stopping
    assert status.verdict == "stop" and status.explanation == stopping.assess(
        [1] * 30 + [0] * 93, [], 200).explanation, status.explanation
    session.retrain()
    assert session.retrain().model_info.get("stopping_classifier") is None  # not carried in the stored queue
    # At 123 the check due is the grid's check of 122 (⌈200/100⌉ = 2); the next at 124, the undone record decided again.
    assert session.stopping_evidence_due()
    before = session.stopping_evidence()
    assert before is not None and before["screened"] == 122
    assert session.apply_stopping_evidence(before, session.evidence_epoch)
    assert not session.stopping_evidence_due()
    session.decide(undone.record_id, "exclude")
    assert session.stopping_evidence_due()
    again = session.stopping_evidence()
    assert again is not None and again["screened"] == 124
    assert session.apply_stopping_evidence(again, session.evidence_epoch)
    # Review final17c, #4: a session opened after an undo (a shell's: it knows of no check before it) checks at once
    # (123 screened), and its evidence is taken, though made from fewer decisions than the view before the undo.
    session.undo()
    from review.services.screening import stopping_advice

    (advice,) = stopping_advice(workspace, ["alice"])
    assert advice.evidence_computed and advice.screened == 123


def test_the_screening_line_does_not_say_the_verdict_twice() -> None:
    """The badge says CONTINUE or STOP; the words after it no longer start with the same word (tui31), while
    "Keep sampling:" (more than the badge says) stays."""
    early = stopping.assess([1, 0], [], 500)
    assert early.explanation.startswith("Continue: ")
    line = stopping_words(early, "ranked")
    assert not line.startswith("Continue") and line == early.explanation.removeprefix("Continue: ")
    sampling = stopping.assess([1] * 20 + [0] * 100, [0] * 3, 2000, rule="certified")
    assert stopping_words(sampling, "sample").startswith("Keep sampling: ")
    needed = stopping.assess([1] * 20 + [0] * 100, [], 2000, rule="certified").sample_needed
    assert needed is not None
    done = stopping.assess([1] * 20 + [0] * 100, [0] * needed, 2000, rule="certified")
    assert done.verdict == "stop" and done.explanation.startswith("Stop: ")
    assert not stopping_words(done, "sample").startswith("Stop")
