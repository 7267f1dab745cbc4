"""Evidence levels at the boundaries of the pre-registered rules (decisions 0004, 0009), built from
study records the way the synthesis reads them: findings from CIs, quality from QUIPS ratings.

Consistent = at least 75 % of the counted cohorts share the dominant finding; high quality = QUIPS
low risk of bias (grooten collapse: at most one domain moderate and none high).
"""

from __future__ import annotations

import pytest

from review.extraction.model import QUIPS_DOMAINS, Estimate, Factor, Study
from review.extraction.quips import CollapseRule
from review.synthesis.evidence import RuleConfig
from review.synthesis.factors import FactorResult, SynthesisSettings, study_quality, synthesise_factor

FACTOR = Factor("conflict_with_supervisor", "Conflict with supervisor", "Conflict met leidinggevende", "work",
                True, True)
#: Published results whose direction the synthesis derives from the CI.
CI = {"risk": (2.0, 1.5, 2.7), "null": (1.1, 0.8, 1.5), "protective": (0.5, 0.3, 0.8)}


def quips(moderate: int = 0, high: int = 0) -> dict[str, dict[str, str]]:
    """One rater's six domains: ``moderate`` of them moderate, then ``high`` high, the rest low."""
    ratings = ["moderate"] * moderate + ["high"] * high
    ratings += ["low"] * (len(QUIPS_DOMAINS) - len(ratings))
    return {"alice": dict(zip(QUIPS_DOMAINS, ratings))}


def estimate(finding: str, *, cohort: str = "", subgroup: str = "") -> Estimate:
    value, low, high = CI[finding]
    return Estimate(factor=FACTOR.id, contrast="conflict vs none", estimate_type="adjusted",
                    source_location="Table 2", measure="OR", estimate=value, ci_low=low, ci_high=high,
                    cohort=cohort, subgroup=subgroup)


def study(study_id: str, *estimates: Estimate, rob: dict[str, dict[str, str]] | None = None, cohort: str = "",
          design: str = "cohort") -> Study:
    return Study(id=study_id, cohort_id=cohort or study_id, citation=study_id, country="NL", design=design,
                 evidence_type="empirical", outcome_definition="recurrent sick leave", data_source="full text",
                 estimates=list(estimates), quips=rob or {})


def synthesise(studies: list[Study], rule_set: str = "ariens", **rules: object) -> FactorResult:
    settings = SynthesisSettings(rule_set=rule_set, rules=RuleConfig.from_mapping(dict(rules)))
    return synthesise_factor(FACTOR, studies, study_quality(studies, CollapseRule()), settings)


def cohorts(*findings: str, rob: dict[str, dict[str, str]] | None = None) -> list[Study]:
    """One high-quality (QUIPS all low) cohort study per finding, unless ``rob`` says otherwise."""
    return [study(f"s{i}", estimate(f), rob=rob if rob is not None else quips()) for i, f in enumerate(findings)]


@pytest.mark.parametrize("findings,level,direction", [
    (("risk", "risk", "risk", "null"), "strong", "risk"),  # 3/4 = 75 %: consistent, exactly at the boundary
    (("risk", "risk", "risk", "protective"), "strong", "risk"),  # a conflicting finding within the 25 %
    (("risk", "risk", "null"), "inconclusive", "conflicting"),  # 2/3 = 67 % < 75 %
    (("risk", "risk", "risk", "null", "protective"), "inconclusive", "conflicting"),  # 3/5 = 60 %
    (("risk", "risk", "protective", "protective"), "inconclusive", "conflicting"),  # a tie: no dominant finding
    (("null", "null", "null", "risk"), "strong", "none"),  # consistent null findings: strong evidence of none
])
def test_ariens_consistency_boundary(findings: tuple[str, ...], level: str, direction: str) -> None:
    verdict = synthesise(cohorts(*findings)).verdict
    assert (verdict.level, verdict.direction) == (level, direction), verdict.explanation


@pytest.mark.parametrize("findings,level,direction", [
    (("risk", "risk", "risk", "null"), "strong", "risk"),
    (("risk", "risk", "null"), "conflicting", "conflicting"),
    (("risk", "protective"), "conflicting", "conflicting"),
])
def test_lievense_consistency_boundary(findings: tuple[str, ...], level: str, direction: str) -> None:
    verdict = synthesise(cohorts(*findings), "lievense").verdict
    assert (verdict.level, verdict.direction) == (level, direction), verdict.explanation


@pytest.mark.parametrize("first,second,ariens,lievense", [
    (quips(moderate=1), quips(moderate=1), "strong", "strong"),  # one moderate domain: still low RoB
    (quips(moderate=1), quips(moderate=2), "moderate", "moderate"),  # two moderate domains: moderate RoB
    (quips(moderate=2), quips(high=1), "some", "moderate"),  # none high quality: the Ariëns gap ("some")
    ({}, {}, "some", "moderate"),  # unrated counts as moderate RoB (unrated_as)
    (quips(moderate=3), quips(), "moderate", "moderate"),  # three moderate domains: high RoB
])
def test_high_quality_is_quips_low_risk_of_bias(first: dict, second: dict, ariens: str, lievense: str) -> None:
    studies = [study("a", estimate("risk"), rob=first), study("b", estimate("risk"), rob=second)]
    assert synthesise(studies).verdict.level == ariens
    assert synthesise(studies, "lievense").verdict.level == lievense


def test_the_ariens_gap_and_unrated_readings_follow_review_toml() -> None:
    low_quality = [study("a", estimate("risk"), rob=quips(moderate=2)), study("b", estimate("risk"))]
    assert synthesise(low_quality, ariens_multiple_low_quality="inconclusive").verdict.level == "inconclusive"
    unrated = [study("a", estimate("risk")), study("b", estimate("risk"))]
    assert synthesise(unrated, unrated_as="low").verdict.level == "strong"
    assert synthesise([study("a", estimate("risk"), rob=quips())]).verdict.level == "some"  # one cohort
    assert synthesise([study("a", estimate("risk"), rob=quips())], "lievense").verdict.level == "limited"


def test_conflicting_papers_of_one_cohort_make_one_inconclusive_unit() -> None:
    studies = [study("a2010", estimate("risk"), rob=quips(), cohort="maastricht"),
               study("a2012", estimate("protective"), rob=quips(), cohort="maastricht")]
    verdict = synthesise(studies).verdict
    assert (verdict.level, verdict.direction, verdict.n_units) == ("inconclusive", "conflicting", 1)


def test_a_paper_with_several_cohorts_counts_each_cohort_once() -> None:
    # Two independent cohorts in one paper agree: two consistent high-quality cohort studies.
    both = study("multi2020", estimate("risk", cohort="dutch"), estimate("risk", cohort="finnish"), rob=quips())
    result = synthesise([both])
    assert (result.verdict.level, result.verdict.n_units) == ("strong", 2), result.verdict.explanation
    assert result.evidence.studies == ("multi2020",)  # the source stays the paper
    assert result.pooled is not None and result.pooled.studies == ["multi2020[dutch]", "multi2020[finnish]"]
    # They disagree: inconsistent, not a significant finding beating a null one within one paper.
    split = study("multi2020", estimate("risk", cohort="dutch"), estimate("null", cohort="finnish"), rob=quips())
    assert synthesise([split]).verdict.level == "inconclusive"
    # Without cohort ids the same two results are one paper's: significant beats null, one cohort.
    assert synthesise([study("multi2020", estimate("risk"), estimate("null"), rob=quips())]).verdict.level == "some"
    # A cohort of the paper that another paper also reports counts once with it.
    sibling = study("finn2018", estimate("risk"), rob=quips(), cohort="finnish")
    merged = synthesise([both, sibling]).verdict
    assert merged.n_units == 2 and "finn2018+multi2020[finnish]" in merged.explanation


def test_grade_indirectness_counts_cohorts_not_papers() -> None:
    """Three indirect papers of one cohort beside three direct cohorts: 1 of 4 studies is indirect."""
    finnish = [study(f"fin{i}", estimate("risk"), rob=quips(), cohort="finnish") for i in range(3)]
    for paper in finnish:
        paper.indirectness = "all mental disorders, not only CMD"
    direct = cohorts("risk", "risk", "risk")
    grade = synthesise(finnish + direct).grade
    assert grade is not None and grade.domains["indirectness"].change == 0
    assert "except fin0, fin1, fin2: 1/4 studies" in grade.domains["indirectness"].reason
    # A paper whose finding is not counted (no direction) does not make the body of evidence indirect.
    unknown = study("vague", Estimate(factor=FACTOR.id, contrast="conflict vs none", estimate_type="crude",
                                      source_location="Abstract", estimate_status="not reported",
                                      finding="unknown", finding_basis="'associated'"), rob=quips())
    unknown.indirectness = "hospital staff only"
    grade = synthesise([unknown, *cohorts("risk")]).grade
    assert grade is not None and grade.domains["indirectness"].change == 0
    # Most counted studies indirect: downgraded, and the reason says how many.
    grade = synthesise(finnish + cohorts("risk")).grade
    assert grade is not None and grade.domains["indirectness"].change == -1
    assert grade.domains["indirectness"].reason.endswith("fin0, fin1, fin2 (1/2 studies)")


def test_the_report_shows_each_studys_quips_domains_and_the_rule_applied(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from review.synthesis.report import markdown_report

    settings = SynthesisSettings(rule_set="ariens")
    studies = [study("a", estimate("risk"), rob=quips(moderate=2)), study("b", estimate("risk"))]
    result = synthesise_factor(FACTOR, studies, study_quality(studies, CollapseRule()), settings)
    report = markdown_report([result], settings, plots={}, n_studies=2, root=tmp_path)
    section = report.split("## Risk of bias (QUIPS)")[1]
    assert "collapse rule (grooten: low if ≤1 moderate and none high; high if any high or ≥3 moderate" in section
    assert "| a | moderate | moderate | low | low | low | low | moderate | rated by alice only |" in section
    assert "| b | — | — | — | — | — | — | unrated (as moderate) | not rated |" in section
    # The table shows the summary the counting used (collapsed once), not a second summarise per study.
    studies[0].quips = {}
    again = markdown_report([result], settings, plots={}, n_studies=2, root=tmp_path)
    assert again == report


@pytest.mark.parametrize("high,medium,level", [
    # (findings of QUIPS-low = IWH H studies, findings of QUIPS-moderate = IWH M studies)
    (("risk",) * 3 + ("null",), (), "strong"),  # 3 H agree, 3/4 agree
    (("risk",) * 3 + ("null", "null"), (), "limited"),  # 3/5 = 60 %: neither ≥ 3/4 nor > 2/3, but > 1/2
    (("risk", "risk"), ("null",), "limited"),  # 2/3 agree: not > 2/3 (strict default), > 1/2
    (("risk",), ("risk", "risk"), "moderate"),  # 2 M + 1 H agree, 3/3
    ((), ("risk", "risk"), "limited"),  # 2 M agree
    ((), ("risk",), "insufficient"),  # one M study
    (("risk",), ("null",), "mixed"),  # a tie: contradictory
])
def test_iwh_boundaries(high: tuple[str, ...], medium: tuple[str, ...], level: str) -> None:
    studies = [study(f"h{i}", estimate(f), rob=quips()) for i, f in enumerate(high)]
    studies += [study(f"m{i}", estimate(f), rob=quips(moderate=2)) for i, f in enumerate(medium)]
    verdict = synthesise(studies, "iwh").verdict
    assert verdict.level == level, verdict.explanation


def test_a_combined_estimate_beside_per_cohort_ones_is_refused_or_a_subgroup_not_a_third_unit() -> None:
    """Both cohorts' estimate (no cohort) plus each cohort's: three units, the people counted twice."""
    from review.extraction.forms import check_study_data, load_form, study_to_data

    def validate_study_data(data, path, **kwargs):  # type: ignore[no-untyped-def]  # (QUIPS notes aside)
        return check_study_data(data, path, **kwargs).problems

    combined = study("multi2020", estimate("risk", cohort="dutch"), estimate("risk", cohort="finnish"),
                     estimate("risk"), rob=quips())
    problems = validate_study_data(study_to_data(combined), "multi2020.toml", form=load_form(), factors=None)
    assert len(problems) == 1 and problems[0].startswith(
        "multi2020.toml:estimates[3].cohort: no cohort, but factor 'conflict_with_supervisor' also has per-cohort "
        "estimates (estimates[1] cohort 'dutch', estimates[2] cohort 'finnish')"), problems
    assert "subgroup" in problems[0] and "leave it out" in problems[0]
    combined.estimates[2].subgroup = "both cohorts"  # the way out: shown, neither counted nor pooled
    assert validate_study_data(study_to_data(combined), "multi2020.toml", form=load_form(), factors=None) == []
    result = synthesise([combined])
    assert result.verdict.n_units == 2 and len(result.rows) == 3, result.verdict.explanation
    assert result.pooled is not None and result.pooled.studies == ["multi2020[dutch]", "multi2020[finnish]"]


def test_units_know_their_papers_without_parsing_their_labels() -> None:
    """A paper id with '+' or '[' in it was cut apart where 'a+b' and 'paper[cohort]' labels were
    parsed back into paper ids: its indirectness went unseen."""
    odd = [study("fin+2018", estimate("risk"), rob=quips()), study("tan[2]2019", estimate("risk"), rob=quips())]
    for paper in odd:
        paper.indirectness = "all mental disorders, not only CMD"
    grade = synthesise(odd + cohorts("risk")).grade
    assert grade is not None and grade.domains["indirectness"].change == -1
    assert grade.domains["indirectness"].reason.endswith("fin+2018, tan[2]2019 (2/3 studies)")
    from review.synthesis.evidence import StudyFinding, collapse_cohorts

    merged = collapse_cohorts([StudyFinding("a+1[x]", "risk", cohort_id="x", papers=("a+1",)),
                               StudyFinding("b", "risk", cohort_id="x")])
    assert [(u.study_id, u.sources) for u in merged] == [("a+1[x]+b", ("a+1", "b"))]
