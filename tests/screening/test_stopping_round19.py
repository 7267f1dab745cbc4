"""Decision 0072's walk (benchmarks/stopping_classifier.py, round 19): rule C3, the rule in force since 171577d5 — the
trend at one level at every k* (0.98 in decision 0072's walk, ``ROUND19_C3``), no veto nor assent, the classifier's
stop (0.80, the trend's P at 0.3) only where k* ≥ 6 — and that the walk of the rule in force (since decision 0078 C3
with the trend at 0.99: round 21's ``c3@0.99``) stops where src's ``first_stop`` does, so that "the offline walk equals
src" keeps its meaning."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from review.screening import stopping_classifier as sc
from review.screening.stopping_rate import most_left_for_target
from script_module import load_script
from stopping_given import found_early, given_answers, simulated_stop, thirty_found_early

N, PRIORS = 200, 2  # a grid step of 2 records


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench19")


def run(views: dict[int, float], *, k: int, p_from: dict[int, float], gate: float = 0.60,
        last_check: int = N - 2) -> dict[str, Any]:
    """A constructed run: the trend's P(recall ≥ target) is ``p_from[m]`` from record m on (0 before the first),
    the classifier gave ``views`` (check → P(left ≤ k*)) about ``k`` with the trend's P at ``gate`` at every stored
    grid check from 60 to ``last_check``; a check without a view had no fit (not asked)."""
    curve = np.zeros(N - PRIORS)
    for m, p in sorted(p_from.items()):
        curve[m - PRIORS - 1:] = p
    rows = [{"at": at, "k": k, "lomax_p": gate, **({"p6:platt": views[at]} if at in views else {})}
            for at in range(60, last_check + 1, 2)]
    return {"n": N, "n_priors": PRIORS, "curve": curve, "rows": rows, "labels": np.zeros(N, dtype=np.int64)}


def test_the_trend_stops_at_98_percent_whatever_k_star_and_the_views(bench: ModuleType) -> None:
    # The trend's P at 0.60 from 61, 0.97 from 80, 0.98 from 101. Decision 0068's walk stopped on an assenting view
    # at k* = 1 (0.5: the check of 60 assents, the trend at 61 is past 0.30) and held the stop back under vetoing
    # views (0.01) to the end; C3 stops where the trend reaches 0.98, at k* = 1 as at k* = 0 or 4.
    trend = {61: 0.60, 80: 0.97, 101: 0.98}
    for p in (0.5, 0.01):
        for k in (0, 1, 2, 4):
            walk = bench.round19_stop(run({at: p for at in range(60, N, 2)}, k=k, p_from=trend))
            assert (walk["stop"], walk["by"], walk["past_window"]) == (101, "lomax", False), (p, k)
        in_force_0068 = run({at: p for at in range(60, N, 2)}, k=1, p_from=trend)
        in_force_0068["labels"][:30] = 1  # 30 found: k* = 1 throughout, as the 0068 walk reads it
        stop_0068 = bench.round14_stop(in_force_0068, (0.30, 0.85, 0.20, 0.0), stop_gate=0.3, agreement=bench.AGREE4)
        assert stop_0068["stop"] == (61 if p == 0.5 else N)


def test_the_classifier_stops_the_rule_only_from_k_star_6_where_the_trends_p_is_0_3(bench: ModuleType) -> None:
    trend = {61: 0.60, 151: 0.98}
    views = {at: 0.85 for at in range(60, N, 2)}
    assert bench.round19_stop(run(views, k=5, p_from=trend))["stop"] == 151  # not asked below k* = 6
    walk = bench.round19_stop(run(views, k=6, p_from=trend))
    assert (walk["stop"], walk["by"]) == (60, "classifier")
    assert bench.round19_stop(run(views, k=6, p_from=trend, gate=0.29))["stop"] == 151  # the trend's P below 0.3
    assert bench.round19_stop(run({**views, 60: 0.79, 62: 0.79}, k=6, p_from=trend))["stop"] == 64  # below 0.80


def test_a_walk_past_the_stored_window_asks_the_classifier_nothing_there(bench: ModuleType) -> None:
    # Checks stored to 120; the views would stop the rule at every check from 130 on. Decision 0072 walked on with
    # no check asking the classifier past the window: the trend's stop at 0.98 (171), counted as past the window.
    views = {at: 0.5 for at in range(60, 121, 2)}
    walk = bench.round19_stop(run(views, k=8, p_from={61: 0.6, 171: 0.98}, last_check=120))
    assert (walk["stop"], walk["by"], walk["past_window"]) == (171, "lomax", True)


def _evidence(labels: np.ndarray, probability_at: Callable[[int], float | None]) -> dict[str, Any]:
    """The harness's evidence of a ranking (no priors) as ``collect`` stores it and ``run_evidence`` reads it: the
    benchmark's trend curve, and at every grid check from the share gate where the trend's P is at least 0.1 the
    classifier's given answer."""
    candidates = load_script("benchmarks/stopping_candidates.py", "stopping_candidates19")
    n = labels.size
    curve = candidates.lomax_burnin_confidence(labels, found_before=0)
    rows = []
    for at in range(sc.check_step(n), n, sc.check_step(n)):
        found = int(labels[:at].sum())
        row = {"at": at, "found": found, "k": int(most_left_for_target(found, 0.95)), "lomax_p": float(curve[at - 1])}
        answer = probability_at(at)
        if answer is not None:
            row["p6:platt"] = answer
        rows.append(row)
    return {"n": n, "n_priors": 0, "curve": curve, "rows": rows, "labels": labels}


@pytest.mark.parametrize("relevant, answer, stop", [(114, 0.9, 600), (113, 0.9, 873), (114, 0.5, 840), (30, 0.5, 653),
                                                    (120, 0.85, None)])
def test_the_walk_stops_where_src_does(bench: ModuleType, monkeypatch: pytest.MonkeyPatch, relevant: int,
                                       answer: float, stop: int | None) -> None:
    # The rule in force is decision 0078's: round 21's candidate c3@0.99, C3's walk with the trend at src's level.
    level, guard = bench.ROUND21_PARTS["c3@0.99"]
    assert guard is None and level == sc.trend_level(0.95)
    labels = thirty_found_early() if relevant == 30 else found_early(relevant)
    given_answers(monkeypatch, lambda at: answer)
    src = simulated_stop(labels)
    assert src is not None and (stop is None or src == stop)
    assert bench.round19_stop(_evidence(labels, lambda at: answer), (level, *bench.ROUND19_C3[1:]))["stop"] == src
