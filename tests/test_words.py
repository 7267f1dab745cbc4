"""Counts and numbers as a user reads them (review.words)."""

from __future__ import annotations

import math

import pytest

from review.words import counted, effect_number, verb_for


@pytest.mark.parametrize("value,shown", [
    (2.594, "2.59"), (0.1, "0.10"), (0.0999, "0.10"),  # two decimals from 0.1, as rounded
    (0.007, "0.007"), (0.004, "0.004"), (0.012, "0.012"), (0.0123, "0.012"),  # two significant digits below
    (0.0005, "0.0005"), (-0.007, "-0.007"), (-3.5, "-3.50"), (0, "0.00"),
    (12345.678, "12345.68"), (99999.996, "1e+05"), (1e200, "1e+200"), (math.inf, "inf"),
])
def test_effect_number_keeps_two_significant_digits_below_0_1(value: float, shown: str) -> None:
    assert effect_number(value) == shown


def test_effect_number_in_dutch_takes_the_decimal_comma() -> None:
    assert effect_number(0.007, ",") == "0,007"
    assert effect_number(2.594, ",") == "2,59"


def test_counted() -> None:
    assert counted(1, "study") == "1 study" and counted(1713, "record") == "1,713 records"


def test_verb_for_agrees_with_the_count() -> None:
    assert [verb_for(n) for n in (0, 1, 2)] == ["are", "is", "are"]
    assert verb_for(1, "crosses", "cross") == "crosses" and verb_for(3, "crosses", "cross") == "cross"
