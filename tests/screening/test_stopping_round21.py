"""Decision 0078's candidates (benchmarks/stopping_classifier.py, round 21): C3 with the trend's level raised from 0.98
to 0.99 or 0.995 stops at the first record where the trend's P reaches that level, and the rule in force is unchanged."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from script_module import load_script

N, PRIORS = 400, 2


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench21")


def rising_run() -> dict[str, Any]:
    """Relevant records at 1, 10, 20 and 100; the trend's P reaches 0.98 at record 120, 0.99 at 150, 0.995 at 170."""
    labels = np.zeros(N, dtype=np.int64)
    labels[[0, 9, 19, 99]] = 1
    curve = np.zeros(N - PRIORS)
    for record, level in ((120, 0.98), (150, 0.99), (170, 0.995)):
        curve[record - PRIORS - 1:] = level
    return {"n": N, "n_priors": PRIORS, "curve": curve, "rows": [], "labels": labels}


@pytest.mark.parametrize(("rule", "stop"), [("lomax-or-c3", 120), ("c3@0.99", 150), ("c3@0.995", 170),
                                            ("c3@0.99+gap1/5", 180)])
def test_each_candidate_stops_where_its_level_and_guard_first_hold(bench: ModuleType, rule: str, stop: int) -> None:
    # the guard (F = 1 over gaps 9, 10, 80) wants 80 records after the relevant one at 100: held from 150 to 180
    assert bench.rule_stop(rising_run(), rule) == stop


def test_the_round_scores_the_rule_in_force_beside_the_candidates(bench: ModuleType) -> None:
    assert bench.ROUND21_RULES[:2] == ["lomax-or-c3", "src"]
    assert {"c3@0.99", "c3@0.995"} <= set(bench.ROUND21_RULES)
    assert bench.ROUND21_RULES[-1] == "certified"
