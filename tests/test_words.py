"""Counts and numbers as a user reads them (review.words)."""

from __future__ import annotations

import math

import pytest

from review.words import counted, effect_interval, effect_number, verb_for


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


def test_effect_interval_writes_to_where_a_dash_would_read_as_a_minus_sign() -> None:
    assert effect_interval(1.4, 4.8) == "1.40-4.80" and effect_interval(1.4, 4.8, "nl", "–") == "1,40–4,80"
    assert effect_interval(-5.29, -1.71) == "-5.29 to -1.71" and effect_interval(-0.5, 2.0) == "-0.50 to 2.00"
    assert effect_interval(4e-6, 3e-5) == "4e-06 to 3e-05" and effect_interval(1e-200, 1e200) == "1e-200 to 1e+200"
    assert effect_interval(-5.29, -1.71, "nl", "–") == "-5,29 tot -1,71"
    assert effect_interval(0.0, math.inf) == "0.00-inf"


def test_counted() -> None:
    assert counted(1, "study") == "1 study" and counted(1713, "record") == "1,713 records"


def test_verb_for_agrees_with_the_count() -> None:
    assert [verb_for(n) for n in (0, 1, 2)] == ["are", "is", "are"]
    assert verb_for(1, "crosses", "cross") == "crosses" and verb_for(3, "crosses", "cross") == "cross"


def test_status_lines_agree_with_one_record_and_one_duplicate(workspace) -> None:
    # "sources    1 records from 1 imported file" and "prisma     2 identified, 1 duplicates": a count of one
    # read as a plural (grep of the number+noun lines, 2026-12-06).
    from review.records import Record
    from review.services.workspace import workspace_status

    workspace.store.add_batch([Record(title="Only one", abstract="x")], file_name="f.csv", file_sha256="w" * 64,
                              source_name="s", format="csv", encoding="utf-8")
    lines = workspace_status(workspace)
    assert any(line.startswith("sources    1 record from 1 imported file") for line in lines), lines
    assert any(line.startswith("prisma     1 identified, 0 duplicates,") for line in lines), lines


def test_an_estimated_count_is_written_as_the_counts_beside_it() -> None:
    # "about 1610 relevant records are left … (at most 1,841 with 99% probability)": the estimate beside its bound
    # read as another kind of number (review status on a 50,000-record workspace).
    from review.words import about, about_phrase

    assert about(1609.6) == "1,610"
    assert about_phrase(23456.2) == "about 23,456"
    assert about(17.4) == "17"
    assert about(2.44) == "2.4"
    assert about_phrase(0.01) == "fewer than 0.1"
