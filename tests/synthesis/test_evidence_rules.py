"""Evidence rule sets on hand-made factor tables reaching every branch."""

from __future__ import annotations

import pytest

from review.errors import ValidationError
from review.synthesis.evidence import (
    RuleConfig, StudyFinding, collapse_cohorts, combine_findings, evaluate,
)


def S(sid: str, finding: str = "risk", rob: str = "low", design: str = "cohort", cohort: str = "") -> StudyFinding:
    return StudyFinding(sid, finding, rob=rob, design=design, cohort_id=cohort)


# -- van Tulder / Lievense ---------------------------------------------------------------------

@pytest.mark.parametrize("table,level,direction", [
    ([], "no evidence", "none"),
    ([S("a")], "limited", "risk"),
    ([S("a", rob="high")], "limited", "risk"),
    ([S("a"), S("b"), S("c", "protective")], "conflicting", "conflicting"),  # 2/3 = 67 % < 75 %
    ([S("a"), S("b"), S("c"), S("d", "null")], "strong", "risk"),  # 3/4 = 75 %
    ([S("a"), S("b", rob="moderate")], "moderate", "risk"),  # 1 high + 1 low
    ([S("a", rob="high"), S("b", rob="unrated")], "moderate", "risk"),  # 2 low quality
    ([S("a", "null"), S("b", "null")], "strong", "none"),  # consistent absence of association
    ([S("a"), S("b", "protective")], "conflicting", "conflicting"),  # tie
    ([S("a"), S("b", "mixed")], "conflicting", "conflicting"),
])
def test_van_tulder(table: list[StudyFinding], level: str, direction: str) -> None:
    verdict = evaluate(table, "van_tulder")
    assert (verdict.level, verdict.direction) == (level, direction), verdict.explanation
    assert verdict.studies == tuple(s.study_id for s in table)


def test_van_tulder_explains_the_75_percent_rule() -> None:
    verdict = evaluate([S("a"), S("b"), S("c", "protective")], "van_tulder")
    assert "67 % < 75 %" in verdict.explanation and "a (risk, high quality)" in verdict.explanation
    assert verdict.consistency == pytest.approx(2 / 3)


# -- Ariëns ------------------------------------------------------------------------------------

@pytest.mark.parametrize("table,level,direction", [
    ([S("a"), S("b")], "strong", "risk"),
    ([S("a"), S("b", rob="moderate")], "moderate", "risk"),
    ([S("a", rob="moderate"), S("b", rob="high")], "some", "risk"),
    ([S("a", rob="high")], "some", "risk"),  # one cohort study
    ([S("a"), S("b"), S("c", "protective")], "inconclusive", "conflicting"),
    ([S("x", design="cross-sectional"), S("y", design="cross-sectional", rob="high")], "some", "risk"),
    ([S("x", design="cross-sectional", rob="high"), S("y", design="cross-sectional", rob="high")],
     "inconclusive", "risk"),  # consistent but only low quality cross-sectional
    ([S("x", design="cross-sectional")], "inconclusive", "risk"),  # single cross-sectional
    ([], "inconclusive", "none"),
    ([S("e", design="expert")], "inconclusive", "none"),
])
def test_ariens(table: list[StudyFinding], level: str, direction: str) -> None:
    verdict = evaluate(table, "ariens")
    assert (verdict.level, verdict.direction) == (level, direction), verdict.explanation


def test_ariens_longitudinal_trumps_cross_sectional() -> None:
    table = [S("a"), S("b"), S("x", "protective", design="cross-sectional")]
    assert evaluate(table, "ariens").level == "strong"


# -- IWH -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("table,level,direction", [
    ([S("a"), S("b"), S("c")], "strong", "risk"),
    ([S("a"), S("b"), S("c"), S("d", "null", rob="moderate")], "strong", "risk"),  # 3/4 agree
    ([S("a"), S("b")], "moderate", "risk"),  # 2 H
    ([S("a"), S("b", rob="moderate"), S("c", rob="moderate")], "moderate", "risk"),  # 2 M + 1 H
    ([S("a"), S("b"), S("c", "null")], "limited", "risk"),  # 2/3 not > 2/3
    ([S("a")], "limited", "risk"),  # 1 H
    ([S("a", rob="moderate"), S("b", rob="moderate")], "limited", "risk"),  # 2 M
    ([S("a"), S("b", "protective")], "mixed", "conflicting"),
    ([S("a", rob="moderate")], "insufficient", "risk"),  # only one M
    ([S("a", rob="high")], "insufficient", "none"),  # high RoB excluded
    ([], "insufficient", "none"),
])
def test_iwh(table: list[StudyFinding], level: str, direction: str) -> None:
    verdict = evaluate(table, "iwh")
    assert (verdict.level, verdict.direction) == (level, direction), verdict.explanation


def test_iwh_moderate_with_the_greater_or_equal_variant() -> None:
    table = [S("a"), S("b"), S("c", "null")]
    assert evaluate(table, "iwh", RuleConfig(iwh_moderate_strict=False)).level == "moderate"


# -- shared machinery ------------------------------------------------------------------------------

def test_cohort_counts_once() -> None:
    table = [S("k2010", "null", rob="moderate", cohort="ptt"), S("k2011", "risk", rob="unrated", cohort="ptt"),
             S("other", "risk")]
    units = collapse_cohorts(table)
    assert [u.study_id for u in units] == ["k2010+k2011", "other"]
    assert units[0].finding == "risk" and units[0].rob == "unrated"
    verdict = evaluate(table, "van_tulder")
    assert verdict.level == "moderate" and verdict.consistency == 1.0
    assert verdict.studies == ("k2010", "k2011", "other")


@pytest.mark.parametrize("values,combined", [
    (["risk", "null"], "risk"), (["risk", "protective"], "mixed"), (["null", "null"], "null"),
    (["unknown"], "unknown"), (["protective", "unknown"], "protective"),
])
def test_combine_findings(values: list[str], combined: str) -> None:
    assert combine_findings(values) == combined


def test_unknown_directions_are_listed_not_counted() -> None:
    verdict = evaluate([S("a"), S("sado", "unknown")], "van_tulder")
    assert verdict.level == "limited" and "not counted: sado" in verdict.explanation


def test_excluded_rob_categories() -> None:
    config = RuleConfig.from_mapping({"exclude": ["high"]})
    verdict = evaluate([S("a"), S("b", "protective", rob="high")], "van_tulder", config)
    assert verdict.level == "limited" and "excluded for risk of bias: b" in verdict.explanation


@pytest.mark.parametrize("data,fragment", [
    ({"consistency": 0.3}, "synthesis.consistency"),
    ({"high_quality": ["great"]}, "unknown RoB category 'great'"),
    ({"iwh_quality": {"low": "X"}}, "synthesis.iwh_quality.low"),
])
def test_bad_config_is_one_line(data: dict, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        RuleConfig.from_mapping(data)


def test_unknown_rule_set_and_finding() -> None:
    with pytest.raises(ValidationError):
        evaluate([], "cochrane")
    with pytest.raises(ValidationError):
        S("a", "harmful")
