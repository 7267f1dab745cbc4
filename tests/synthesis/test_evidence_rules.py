"""Evidence rule sets on hand-made factor tables reaching every branch."""

from __future__ import annotations

import pytest

from review.errors import ValidationError
from review.tomlread import SettingProblem
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
    # A review.toml setting: its problem names the key, for the shell to add the file's path and line (toml30)
    with pytest.raises(SettingProblem, match=fragment) as refused:
        RuleConfig.from_mapping(data)
    assert "\n" not in str(refused.value) and refused.value.where.startswith("synthesis.")


def test_unknown_rule_set_and_finding() -> None:
    with pytest.raises(ValidationError):
        evaluate([], "cochrane")
    with pytest.raises(ValidationError):
        S("a", "harmful")


# -- issue #18: named rule sets, unrated studies, subgroups ------------------------------------------

def test_van_tulder_is_an_alias_of_lievense() -> None:
    table = [S("a"), S("b", rob="moderate")]
    old, new = evaluate(table, "van_tulder"), evaluate(table, "lievense")
    assert (old.rule_set, old.level, old.explanation) == ("lievense", new.level, new.explanation)


def test_lievense_counts_prognostic_designs_only() -> None:
    two_cross = [S("x", design="cross-sectional"), S("y", design="cross-sectional")]
    verdict = evaluate(two_cross, "lievense")
    assert verdict.level == "no evidence" and "Not counted (not a cohort or case-control design): x, y" in verdict.explanation
    assert evaluate(two_cross + [S("c")], "lievense").level == "limited"


@pytest.mark.parametrize("table,level,direction", [
    ([S("a"), S("b")], "no evidence", "none"),  # cohorts are not trials
    ([S("t", design="rct")], "moderate", "risk"),  # one high-quality RCT
    ([S("t", design="rct", rob="high")], "limited", "risk"),  # one low-quality RCT
    ([S("t", design="cct")], "limited", "risk"),  # a CCT is never a high-quality RCT
    ([S("t", design="rct"), S("u", design="rct")], "strong", "risk"),
    ([S("t", design="rct"), S("u", design="cct")], "moderate", "risk"),
    ([S("t", design="rct", rob="high"), S("u", design="cct", rob="moderate")], "moderate", "risk"),
    ([S("t", design="rct"), S("u", "protective", design="rct")], "conflicting", "conflicting"),
])
def test_van_tulder_2003(table: list[StudyFinding], level: str, direction: str) -> None:
    verdict = evaluate(table, "van_tulder_2003")
    assert (verdict.level, verdict.direction) == (level, direction), verdict.explanation


def test_ariens_states_that_cross_sectional_studies_are_dropped() -> None:
    table = [S("a"), S("x", "protective", design="cross-sectional"), S("y", "protective", design="cross-sectional")]
    verdict = evaluate(table, "ariens")
    assert verdict.level == "some" and verdict.direction == "risk"  # the cohort decides alone
    assert "Cross-sectional studies not counted because cohort/case-control studies exist: x, y" in verdict.explanation


def test_ariens_reading_of_multiple_low_quality_cohorts_is_explicit() -> None:
    table = [S("a", rob="moderate"), S("b", rob="high")]
    default = evaluate(table, "ariens")
    assert default.level == "some" and 'ariens_multiple_low_quality = "some"' in default.explanation
    literal = evaluate(table, "ariens", RuleConfig.from_mapping({"ariens_multiple_low_quality": "inconclusive"}))
    assert literal.level == "inconclusive" and literal.direction == "risk"


@pytest.mark.parametrize("unrated_as,lievense,iwh", [
    ("moderate", "moderate", "limited"),  # 2 low quality; IWH 2 M
    ("low", "strong", "moderate"),  # 2 high quality; IWH 2 H
    ("high", "moderate", "insufficient"),  # 2 low quality; IWH excludes high RoB
])
def test_one_rule_for_unrated_studies(unrated_as: str, lievense: str, iwh: str) -> None:
    table = [S("a", rob="unrated"), S("b", rob="unrated")]
    config = RuleConfig.from_mapping({"unrated_as": unrated_as})
    assert evaluate(table, "lievense", config).level == lievense
    assert evaluate(table, "iwh", config).level == iwh
    assert evaluate(table, "ariens", config).level == {"low": "strong"}.get(unrated_as, "some")


@pytest.mark.parametrize("pairs,finding", [
    ([("risk", "men"), ("null", "women")], "subgroup"),
    ([("protective", "women"), ("null", "men")], "subgroup"),
    ([("risk", "mood"), ("risk", "stress")], "risk"),  # subgroups agree
    ([("null", ""), ("risk", "men")], "null"),  # the whole-sample result decides
    ([("unknown", "")], "unknown"),
])
def test_subgroup_results_are_not_promoted(pairs: list[tuple[str, str]], finding: str) -> None:
    from review.synthesis.evidence import combine_study_results

    assert combine_study_results(pairs) == finding


def test_subgroup_findings_are_recorded_not_counted() -> None:
    table = [StudyFinding("k2010", "subgroup", detail="protective [women]; null [men]"), S("n2015"), S("l2016")]
    verdict = evaluate(table, "ariens")
    assert verdict.n_units == 2 and verdict.direction == "risk"
    assert verdict.subgroup_findings == ("k2010 (protective [women]; null [men])",)
    assert "subgroup findings only" in verdict.explanation
    # a cohort's whole-sample paper outweighs a sibling paper's subgroup-only result
    units = collapse_cohorts([S("k2010", "null", cohort="ptt"), StudyFinding("k2011", "subgroup", cohort_id="ptt")])
    assert units[0].finding == "null"


@pytest.mark.parametrize("data,fragment", [
    ({"unrated_as": "unclear"}, "synthesis.unrated_as"),
    ({"ariens_multiple_low_quality": "weak"}, "synthesis.ariens_multiple_low_quality"),
    ({"iwh_quality": {"unrated": "M"}}, "follow synthesis.unrated_as"),
])
def test_bad_issue18_config_is_one_line(data: dict, fragment: str) -> None:
    # A review.toml setting: its problem names the key, for the shell to add the file's path and line (toml30)
    with pytest.raises(SettingProblem, match=fragment) as refused:
        RuleConfig.from_mapping(data)
    assert "\n" not in str(refused.value) and refused.value.where.startswith("synthesis.")
