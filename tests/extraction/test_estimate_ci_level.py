"""An estimate's CI level: its direction is judged at the same alpha whatever level the paper printed."""

from __future__ import annotations

from typing import Any

from review.extraction.model import Estimate


def _estimate(low: float, high: float, level: float = 0.95, estimate: float = 1.5, **extra: Any) -> Estimate:
    return Estimate(factor="f", contrast="x vs y", estimate_type="adjusted", source_location="Table 2",
                    measure="OR", estimate=estimate, ci_low=low, ci_high=high, ci_level=level, **extra)


def test_a_90_percent_ci_that_excludes_1_is_not_a_finding_at_alpha_005() -> None:
    # OR 1.50 (90 % CI 1.05-2.14) excludes 1, but its 95 % CI is 0.98-2.29: p ≈ 0.06, no finding at 0.05.
    # It counted as 'risk' (significant at 0.10) beside 95 % CIs judged at 0.05.
    assert _estimate(1.05, 2.14, 0.90).derived_finding() == "null"
    assert _estimate(1.05, 2.14, 0.95).derived_finding() == "risk"
    assert _estimate(1.20, 1.88, 0.90).derived_finding() == "risk"  # 95 % CI 1.15-1.96 excludes 1 too
    # a 99 % CI that just includes 1 still gives a finding at 0.05 (95 % CI 1.06-1.72)
    assert _estimate(0.98, 1.86, 0.99, estimate=1.35).derived_finding() == "risk"
    assert _estimate(0.98, 1.86, 0.99, estimate=1.35, outcome_favourable=True).derived_finding() == "protective"


def test_a_ci_that_is_not_95_percent_says_its_level() -> None:
    assert _estimate(1.05, 2.14, 0.90).label() == "OR 1.50 (90 % CI 1.05-2.14)"
    assert _estimate(1.05, 2.14).label() == "OR 1.50 (1.05-2.14)"
    # one formatter for every output: 0.995 read '100 % CI' and 0.975 '98 % CI' with whole percents
    assert _estimate(1.05, 2.14, 0.995).label() == "OR 1.50 (99.5 % CI 1.05-2.14)"
    assert _estimate(1.05, 2.14, 0.975).label() == "OR 1.50 (97.5 % CI 1.05-2.14)"
