"""GRADE after the walk15 review: upgrades decided on the effective judgements (a reviewer's included),
withheld when imprecision is rated down; gradient and phase counted per unit; unrated studies named."""

from __future__ import annotations

from typing import Any

from review.extraction.quips import CollapseRule
from review.synthesis.factors import SynthesisSettings, study_quality, synthesise_factor
from review.synthesis.evidence import RuleConfig
from review.synthesis.grade import GradeJudgement

from .test_evidence_boundaries import FACTOR, estimate, quips, study, synthesise


def _very_large(rob: dict[str, dict[str, str]], override: dict[str, Any] | None = None,
                **rules: object) -> GradeJudgement:
    """Six cohorts of OR 6.0 (4.5-8.0): pooled 6.00 (5.14-7.00), a very large effect (+2) when nothing blocks."""
    studies = []
    for i in range(6):
        made = estimate("risk")
        made.estimate, made.ci_low, made.ci_high = 6.0, 4.5, 8.0
        studies.append(study(f"s{i}", made, rob=rob))
    settings = SynthesisSettings(rule_set="ariens", rules=RuleConfig.from_mapping(dict(rules)))
    grade = synthesise_factor(FACTOR, studies, study_quality(studies, CollapseRule()), settings, override).grade
    assert grade is not None
    return grade


def test_a_reviewers_serious_risk_of_bias_withholds_the_upgrade() -> None:
    assert _very_large(quips()).domains["large_effect"].change == 2
    judged = _very_large(quips(), {"risk_of_bias": {"change": -1, "reason": "reviewer: serious"}})
    assert judged.domains["large_effect"].change == 0
    assert "not upgraded: risk of bias (reviewer) rated down" in judged.domains["large_effect"].reason
    assert judged.certainty == "moderate"  # high, -1; the +2 used to keep it high


def test_a_reviewers_not_serious_risk_of_bias_allows_the_upgrade() -> None:
    unrated = _very_large({})  # unrated counts as moderate: -1, so no upgrade
    assert unrated.domains["risk_of_bias"].change == -1 and unrated.domains["large_effect"].change == 0
    judged = _very_large({}, {"risk_of_bias": {"change": 0, "reason": "reviewer: fine"}})
    assert judged.domains["large_effect"].change == 2
    assert "not upgraded" not in judged.domains["large_effect"].reason


def test_a_reviewers_upgrade_still_takes_the_place_of_the_automatic_one() -> None:
    judged = _very_large({}, {"large_effect": {"change": 1, "reason": "reviewer: large"}})
    assert judged.domains["large_effect"].change == 1 and judged.domains["large_effect"].source == "reviewer"


def test_an_imprecise_very_large_effect_is_not_upgraded() -> None:
    # two studies of OR 6.0 (0.9-40): the pooled CI crosses 1, imprecision rated down; +2 used to cancel it.
    # Since decision 0053 that CI (0.001-35894, t with 1 df) spans both thresholds: -2, high ends low, not moderate
    studies = []
    for i in range(2):
        made = estimate("risk")
        made.estimate, made.ci_low, made.ci_high = 6.0, 0.9, 40.0
        studies.append(study(f"s{i}", made, rob=quips()))
    grade = synthesise(studies).grade
    assert grade is not None and grade.domains["imprecision"].change == -2
    assert grade.domains["large_effect"].change == 0
    assert grade.certainty == "low"


def _gradient(value: str, *, cohort: str = "", outcome: str = "") -> Any:
    made = estimate("risk", cohort=cohort)
    made.gradient = value
    if outcome:
        made.outcome = outcome
    return made


def test_a_gradient_is_counted_per_cohort_not_per_paper() -> None:
    grade = synthesise([study("p", _gradient("present", cohort="A"), _gradient("absent", cohort="B"),
                              rob=quips())]).grade
    assert grade is not None and grade.domains["dose_response"].change == 0
    assert "present in p[A] but absent in p[B]" in grade.domains["dose_response"].reason


def test_two_papers_of_one_cohort_disagreeing_on_the_gradient_are_a_conflict() -> None:
    grade = synthesise([study("p1", _gradient("present"), rob=quips(), cohort="C"),
                        study("p2", _gradient("absent"), rob=quips(), cohort="C")]).grade
    assert grade is not None and grade.domains["dose_response"].change == 0
    assert "present and absent within p1+p2" in grade.domains["dose_response"].reason


def test_a_gradient_on_an_indirect_outcome_does_not_count() -> None:
    direct = estimate("risk")
    indirect = _gradient("present", outcome="sustainable return to work")
    indirect.contrast = "other"
    grade = synthesise([study("p", direct, indirect, rob=quips())]).grade
    assert grade is not None and "dose_response" not in grade.domains


def _built(how: str) -> Any:
    made = estimate("risk")
    made.model_building = how
    return made


def test_phase_is_counted_per_unit_and_a_tie_starts_moderate() -> None:
    # two papers of one pre-specified cohort and one selection cohort: per paper 2/3 confirmatory (high),
    # per unit 1/2, a tie
    grade = synthesise([study("p1", _built("pre-specified"), rob=quips(), cohort="C"),
                        study("p2", _built("pre-specified"), rob=quips(), cohort="C"),
                        study("p3", _built("selection"), rob=quips())]).grade
    assert grade is not None and grade.start == "moderate"
    assert "a tie starts moderate" in grade.start_reason and "p1+p2: phase 2 (p1: phase 2, adjusted" in grade.start_reason
    majority = synthesise([study("p1", _built("pre-specified"), rob=quips()),
                           study("p2", _built("pre-specified"), rob=quips()),
                           study("p3", _built("selection"), rob=quips())]).grade
    assert majority is not None and majority.start == "high"


def test_a_paper_left_out_of_its_cohorts_unit_feeds_neither_phase_nor_gradient() -> None:
    # p2 shares cohort C with p1 but is excluded for high risk of bias: its pre-specified model and its
    # gradient used to reach C's unit through the cohort key (start high, dose-response +1)
    selection = _built("selection")
    pre_specified = _built("pre-specified")
    pre_specified.gradient = "present"
    grade = synthesise([study("p1", selection, rob=quips(), cohort="C"),
                        study("p2", pre_specified, rob=quips(high=1), cohort="C")], exclude=["high"]).grade
    assert grade is not None and grade.start == "moderate"
    assert "p2" not in grade.start_reason
    assert "dose_response" not in grade.domains


def test_unrated_studies_counted_as_low_are_named_as_not_yet_rated() -> None:
    grade = synthesise([study("a", estimate("risk")), study("b", estimate("risk"))], unrated_as="low").grade
    assert grade is not None and grade.domains["risk_of_bias"].change == 0
    assert grade.domains["risk_of_bias"].reason == (
        "2/2 studies at low risk of bias, 2 not yet QUIPS-rated (counted as low)")
