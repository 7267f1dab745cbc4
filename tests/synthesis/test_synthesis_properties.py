"""Property tests: pooling and evidence rules do not depend on study order and respect their bounds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from review.synthesis.evidence import StudyFinding, evaluate
from review.synthesis.meta import log_likelihood, pool

effects = st.lists(
    st.tuples(st.floats(-3, 3), st.floats(0.001, 4)), min_size=2, max_size=12,
)


@settings(max_examples=30, deadline=None)
@given(effects, st.sampled_from(["DL", "REML", "ML", "PM"]), st.randoms(use_true_random=False))
def test_pooling_is_order_free_and_bounded(data, method, rnd) -> None:
    y = [a for a, _ in data]
    v = [b for _, b in data]
    result = pool(y, v, method=method, hk=True)
    order = list(range(len(y)))
    rnd.shuffle(order)
    shuffled = pool([y[i] for i in order], [v[i] for i in order], method=method, hk=True)
    assert np.isclose(result.estimate, shuffled.estimate, rtol=1e-7, atol=1e-9)
    assert np.isclose(result.tau2, shuffled.tau2, rtol=1e-6, atol=1e-9)
    assert result.tau2 >= 0 and 0 <= result.i2 <= 100
    assert min(y) - 1e-9 <= result.estimate <= max(y) + 1e-9
    assert abs(sum(result.weights) - 100) < 1e-9


@settings(max_examples=20, deadline=None)
@given(effects)
def test_reml_is_the_global_maximum(data) -> None:
    y = np.array([a for a, _ in data])
    v = np.array([b for _, b in data])
    tau2 = pool(y, v, method="REML").tau2
    best = log_likelihood(tau2, y, v, restricted=True)
    for t in np.concatenate(([0.0], np.geomspace(1e-4, 50, 200))):
        assert log_likelihood(t, y, v, restricted=True) <= best + 1e-9


finding = st.builds(
    StudyFinding,
    study_id=st.sampled_from(list("abcdefgh")),
    finding=st.sampled_from(["risk", "protective", "null", "unknown"]),
    rob=st.sampled_from(["low", "moderate", "high", "unrated"]),
    design=st.sampled_from(["cohort", "cross-sectional", "register"]),
    cohort_id=st.sampled_from(["", "x", "y"]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(finding, max_size=7, unique_by=lambda f: f.study_id), st.sampled_from(["ariens", "van_tulder", "iwh"]),
       st.randoms(use_true_random=False))
def test_verdicts_ignore_order_and_strong_needs_agreeing_high_quality(table, rule_set, rnd) -> None:
    verdict = evaluate(table, rule_set)
    shuffled = list(table)
    rnd.shuffle(shuffled)
    again = evaluate(shuffled, rule_set)
    assert (verdict.level, verdict.direction) == (again.level, again.direction)
    if verdict.level == "strong":
        assert sum(1 for f in table if f.rob == "low") >= 2
    if verdict.direction == "conflicting":
        assert verdict.level in ("conflicting", "inconclusive", "mixed")
