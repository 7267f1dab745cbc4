"""Verdict.agreeing: the independent studies that replicate a verdict's direction, as its rule set counts them
(papers of one cohort as one; a study the rule leaves out, by design or quality, replicates nothing). The
instrument reads it to say whether a signal is replicated (decision in docs/instrument.md)."""

from __future__ import annotations

import pytest

from review.synthesis.evidence import StudyFinding, evaluate


def S(sid: str, finding: str = "risk", rob: str = "moderate", design: str = "cohort",
      cohort: str = "") -> StudyFinding:
    return StudyFinding(sid, finding, rob=rob, design=design, cohort_id=cohort)


@pytest.mark.parametrize("rule_set,table,agreeing", [
    # Studies the rule set does not count do not replicate what it found.
    ("ariens", [S("a"), S("x", design="cross-sectional")], ("a",)),  # cohorts exist: cross-sectional not counted
    ("ariens", [S("a"), S("e", design="expert")], ("a",)),  # 'Not counted (design)'
    ("lievense", [S("a"), S("x", design="cross-sectional")], ("a",)),  # prognostic designs only
    ("van_tulder_2003", [S("r", design="rct"), S("c")], ("r",)),  # trials only
    ("iwh", [S("a", rob="low"), S("b", rob="high")], ("a",)),  # quality < M excluded
    # What the tests of the instrument do not reach.
    ("ariens", [S("a"), S("b", "protective")], ()),  # two cohorts, one paper each, disagreeing: a tie
    ("ariens", [S("a"), S("b", "null")], ()),  # 50 % < 75 %: conflicting
    ("ariens", [S("a", cohort="k"), S("b", "null", cohort="k")], ("a+b",)),  # one cohort: significance beats null
    ("ariens", [S("a", cohort="k"), S("b", "protective", cohort="k")], ()),  # one cohort, mixed: nothing agrees
    ("ariens", [S("a", "unknown")], ()),  # direction unknown only
    ("ariens", [S("a"), S("b"), S("c"), S("d", "null")], ("a", "b", "c")),  # 75 %: the null one does not agree
    ("ariens", [S("a", "null"), S("b", "null")], ()),  # 'none' is no direction to replicate
    ("ariens", [S("x", design="cross-sectional", rob="low"), S("y", design="cross-sectional")], ("x", "y")),
])
def test_agreeing_units_are_the_ones_the_rule_counted(rule_set: str, table: list[StudyFinding],
                                                      agreeing: tuple[str, ...]) -> None:
    verdict = evaluate(table, rule_set)
    assert verdict.agreeing == agreeing, verdict.explanation
