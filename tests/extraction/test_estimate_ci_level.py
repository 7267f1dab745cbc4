"""An estimate's CI level: its direction is judged at the same alpha whatever level the paper printed."""

from __future__ import annotations

import math
from typing import Any

import pytest

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


def test_a_level_far_below_95_decides_on_the_log_scale_and_shows_an_unbounded_interval() -> None:
    # A 0.01 % CI widens some 15,000-fold at 95 %, and a 50 % CI of 1e-200 to 1e200 past the float range:
    # exp of the bounds raised OverflowError in review synthesis, extraction validate and the TUI table.
    tiny = _estimate(1.40, 4.80, 0.0001, estimate=2.59)
    assert tiny.derived_finding() == "null"
    assert tiny.interval_at() == (0.0, math.inf)
    wide = _estimate(1e-200, 1e200, 0.5)
    assert wide.derived_finding() == "null" and wide.interval_at() == (0.0, math.inf)
    assert _estimate(1.40, 4.80, 0.0001, estimate=2.59, outcome_favourable=True).derived_finding() == "null"


def test_a_level_written_as_a_percent_is_read_as_its_fraction() -> None:
    # the one rule of every ci_level reader (review meta's CSV column too): 90 is 90 %, as 0.9 is
    values = {"factor": "f", "contrast": "x vs y", "estimate_type": "adjusted", "source_location": "Table 2",
              "measure": "OR", "estimate": 1.5, "ci_low": 1.05, "ci_high": 2.14}
    assert Estimate.from_mapping({**values, "ci_level": 90}).ci_level == 0.9
    assert Estimate.from_mapping({**values, "ci_level": 90}).derived_finding() == "null"
    assert Estimate.from_mapping({**values, "ci_level": 0.9}).ci_level == 0.9


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.9])
def test_a_level_with_no_width_is_a_value_error_not_a_division(level: float) -> None:
    # 0 divided by a zero quantile (ZeroDivisionError reached the TUI table); validation names the field
    with pytest.raises(ValueError, match="is no confidence level"):
        _estimate(1.05, 2.14, level).derived_finding()


def test_a_label_writes_extreme_values_compactly_and_everyday_ones_as_before() -> None:
    # 1e200 was printed with all its 201 digits ('OR 1000000000000000052504760255204420248704...'), and an
    # OR of 0.001 as '0.00', which reads as no odds at all.
    assert _estimate(1e-200, 1e200, 0.5, estimate=1.0).label() == "OR 1.00 (50 % CI 1e-200 to 1e+200)"
    assert _estimate(0.0005, 0.004, estimate=0.001).label() == "OR 0.001 (0.0005-0.004)"
    assert _estimate(1.2, 250000.0, estimate=600.0).label() == "OR 600.00 (1.20 to 2.5e+05)"
    assert _estimate(1.05, 2.14).label() == "OR 1.50 (1.05-2.14)"
    assert _estimate(0.30, 0.96, estimate=0.54).label() == "OR 0.54 (0.30-0.96)"
    # two decimals only from 0.1, where they keep two significant digits: 0.005 read "0.01", and an OR of
    # 0.007 (0.005-0.009) "0.01 (0.01-0.01)"
    assert _estimate(0.005, 0.96, estimate=0.54).label() == "OR 0.54 (0.005-0.96)"
    assert _estimate(0.005, 0.009, estimate=0.007).label() == "OR 0.007 (0.005-0.009)"
    assert _estimate(0.0123, 0.1, estimate=0.05).label() == "OR 0.05 (0.012-0.10)"
    # 0.0999 rounds to 0.10 and is written as 0.1 is, not "0.1" beside "0.10"
    assert _estimate(0.0999, 0.1, estimate=0.0999).label() == "OR 0.10 (0.10-0.10)"
    assert _estimate(0.094, 0.5, estimate=0.2).label() == "OR 0.20 (0.094-0.50)"
    # 99999.996 rounds to 1e5: not "100000.00"
    assert _estimate(2.0, 99999.996, estimate=3.0).label() == "OR 3.00 (2.00 to 1e+05)"
    wide = Estimate(factor="f", contrast="x", estimate_type="adjusted", source_location="T", measure="MD",
                    estimate=-3.5, ci_low=-1e9, ci_high=12.0)
    assert wide.label() == "MD -3.50 (-1e+09 to 12.00)"
    negative = Estimate(factor="f", contrast="x", estimate_type="adjusted", source_location="T", measure="MD",
                        estimate=-3.5, ci_low=-5.0, ci_high=-2.0)
    assert negative.label() == "MD -3.50 (-5.00 to -2.00)"  # was "(-5.00--2.00)"


def test_the_forms_ci_level_help_names_both_forms_the_reader_takes() -> None:
    # The help said "0.95 unless stated" while 95 is read as 95 % too: an extractor copying a paper's
    # "95 % CI" had no word that the percent was fine.
    import re

    from review.extraction.forms import load_form
    from review.levels import ci_level_fraction

    help_text = load_form().fields("estimate")["ci_level"].help
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", help_text)]
    assert any(0 < n < 1 and ci_level_fraction(n) == n for n in numbers), help_text
    assert any(n >= 50 and ci_level_fraction(n) == n / 100 for n in numbers), help_text
