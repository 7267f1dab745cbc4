"""How a level, a target or a confidence is written (``review.levels``)."""

from __future__ import annotations

from review.levels import level_percent, percent


def test_a_level_is_written_with_the_decimals_it_has_spaced_or_not() -> None:
    # Whole percentages said a confidence of 0.999 was "100%" and 0.995 "100 %".
    assert [percent(x) for x in (0.95, 0.975, 0.999, 0.8)] == ["95%", "97.5%", "99.9%", "80%"]
    assert [level_percent(x) for x in (0.95, 0.995)] == ["95 %", "99.5 %"]
    assert level_percent(0.975, decimal=",") == "97,5 %"
