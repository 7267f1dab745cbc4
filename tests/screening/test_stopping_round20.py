"""Decision 0077's gap guard (benchmarks/stopping_classifier.py, round 20): C3's stop is taken only after a run of
irrelevant records at least as long as a factor times the longest of the last five gaps between relevant records."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from script_module import load_script

N, PRIORS = 400, 2


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench20")


def run(relevant_at: list[int], trend_from: int) -> dict[str, Any]:
    """A run whose relevant records sit at the 1-based positions ``relevant_at`` and whose trend's P reaches 0.98
    from record ``trend_from`` on; no classifier view stored (the grid asks nothing)."""
    labels = np.zeros(N, dtype=np.int64)
    labels[[p - 1 for p in relevant_at]] = 1
    curve = np.zeros(N - PRIORS)
    curve[trend_from - PRIORS - 1:] = 0.98
    return {"n": N, "n_priors": PRIORS, "curve": curve, "rows": [], "labels": labels}


def test_without_the_guard_the_walk_is_c3s_trend_stop(bench: ModuleType) -> None:
    assert bench.round19_stop(run([1, 10, 20, 100], 120))["stop"] == 120


@pytest.mark.parametrize(("factor", "expected"), [(1.0, 180), (1.25, 200), (0.1, 120)])
def test_the_guard_waits_for_a_run_as_long_as_factor_times_the_longest_recent_gap(
        bench: ModuleType, factor: float, expected: int) -> None:
    # gaps 9, 10, 80: the longest is 80, so a stop needs 80 × factor records since the relevant one at 100
    walk = bench.round19_stop(run([1, 10, 20, 100], 120), gap=(factor, 5))
    assert walk["stop"] == expected
    assert walk["by"] == "lomax"


def test_only_the_last_gaps_count(bench: ModuleType) -> None:
    # gaps 150 (2 → 152), then five of 2: with the last five gaps the 150 is forgotten
    relevant = [2, 152, 154, 156, 158, 160, 162]
    assert bench.gap_guard_holds(relevant, 164, 1.0, 5)
    assert not bench.gap_guard_holds(relevant, 164, 1.0, 6)


def test_a_relevant_record_found_while_held_restarts_the_run(bench: ModuleType) -> None:
    # held from 120 (needs 180); a relevant record at 150 makes the run start again: 150 + 80 = 230
    assert bench.round19_stop(run([1, 10, 20, 100, 150], 120), gap=(1.0, 5))["stop"] == 230


def test_with_one_relevant_record_there_is_no_gap_to_wait_for(bench: ModuleType) -> None:
    assert bench.gap_guard_holds([1], 5, 2.0, 5)
    assert bench.round19_stop(run([1], 50), gap=(2.0, 5))["stop"] == 50


def test_round20_rules_score_through_rule_stop(bench: ModuleType) -> None:
    ev = run([1, 10, 20, 100], 120)
    assert bench.rule_stop(dict(ev), "c3+gap1/5") == 180
    assert bench.rule_stop(dict(ev), "c3+gap1.25/5") == 200
    assert bench.rule_stop(dict(ev), "lomax-or-c3") == 120
