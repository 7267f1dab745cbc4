"""Decision 0040's walk (benchmarks/stopping_classifier.py, round 11): a run walked decision by decision, the
classifier's view renewed at each grid check, may stop on the classifier, stop where the Lomax P reaches the
level the view sets, or hold a Lomax stop back (a veto) until a later view lifts it; a walk that needs a check
past the stored window is scored at N and says so."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from script_module import load_script

N, PRIORS = 200, 2  # a grid step of 2 records


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench11")


def run(lomax: list[tuple[int, float]], views: dict[int, float], *, k_star: int = 2, window: int = N - 1,
        first: int = 60) -> dict[str, Any]:
    """A constructed run: the Lomax P(recall ≥ 0.95) after each record (piecewise, from the records
    screened: ``lomax`` = [(from, P), …]) and the classifier's P(left ≤ k*) at the stored grid checks
    (``views``: check → P; checks from ``first`` to ``window`` without a view have no fit)."""
    curve = np.zeros(N - PRIORS)
    for start, p in lomax:
        curve[start - PRIORS - 1:] = p
    rows = []
    for at in range(first, window + 1, 2):
        row: dict[str, Any] = {"at": at, "k": k_star, "lomax_p": float(curve[at - PRIORS - 1])}
        if at in views:
            row["p6:platt"] = views[at]
        rows.append(row)
    return {"n": N, "n_priors": PRIORS, "curve": curve, "rows": rows}


INCUMBENT = (0.95, 0.95, 0.95, 0.0, 0.80)
VETO = (0.95, 0.95, None, 0.05, 0.80)


def test_the_incumbent_stops_on_the_lomax_curve_or_earlier_on_the_classifier(bench: ModuleType) -> None:
    ev = run([(60, 0.5), (101, 0.96)], {at: 0.3 for at in range(60, 200, 2)})
    assert bench.round11_stop(ev, INCUMBENT)["stop"] == 101  # between two checks: the Lomax part's own record
    ev = run([(60, 0.5), (101, 0.96)], {**{at: 0.3 for at in range(60, 200, 2)}, 90: 0.85})
    walk = bench.round11_stop(ev, INCUMBENT)
    assert (walk["stop"], walk["by"]) == (90, "classifier")


def test_a_veto_holds_the_lomax_stop_until_a_later_view_lifts_it(bench: ModuleType) -> None:
    views = {at: 0.01 for at in range(60, 200, 2)}
    views.update({at: 0.06 for at in range(130, 200, 2)})  # the classifier comes round at check 130
    ev = run([(60, 0.5), (101, 0.96)], views)
    walk = bench.round11_stop(ev, VETO)
    assert walk["stop"] == 130 and walk["by"] == "lomax" and not walk["exhausted"]
    assert walk["vetoed"] == 130 - 101  # records 101 … 129 held back
    # the same run without the veto stops where the incumbent does
    assert bench.round11_stop(ev, INCUMBENT)["stop"] == 101


def test_a_view_where_the_classifier_is_not_asked_neither_vetoes_nor_lowers_the_asked_level(bench: ModuleType) -> None:
    # k* = 0 at every check: the classifier is not asked; the Lomax part stops at L₀
    ev = run([(60, 0.5), (101, 0.88), (150, 0.96)], {at: 0.0 for at in range(60, 200, 2)}, k_star=0)
    assert bench.round11_stop(ev, VETO)["stop"] == 150
    assert bench.round11_stop(ev, (0.85, 0.95, None, 0.05, 0.80))["stop"] == 101
    # below the share gate (20 % of N = 40) a view is not asked either
    early = run([(3, 0.96)], {}, first=4)
    assert bench.round11_stop(early, VETO)["stop"] == 3


def test_an_objection_keeps_the_incumbents_level_in_the_bounded_form(bench: ModuleType) -> None:
    assent = (0.85, 0.85, 0.95, 0.20, 0.80)
    curve = [(60, 0.5), (101, 0.88), (150, 0.96)]
    assert bench.round11_stop(run(curve, {at: 0.5 for at in range(60, 200, 2)}), assent)["stop"] == 101
    assert bench.round11_stop(run(curve, {at: 0.1 for at in range(60, 200, 2)}), assent)["stop"] == 150


def test_a_veto_past_the_stored_window_is_scored_at_n_and_says_so(bench: ModuleType) -> None:
    ev = run([(60, 0.5), (101, 0.96)], {at: 0.01 for at in range(60, 121, 2)}, window=120)
    walk = bench.round11_stop(ev, VETO)
    assert walk == {"stop": N, "exhausted": True, "window_end": 120, "vetoed": 122 - 101}
