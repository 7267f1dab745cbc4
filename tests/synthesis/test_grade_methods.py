"""GRADE for prognostic factors as the sources give it: the starting phase from how the model was built
(Hayden et al. 2008; Huguet et al. 2013), the risk-of-bias tie (GRADE: no downgrade only when most of the
information comes from studies at low risk of bias) and the upgrades GRADE allows (a large effect +1 or +2,
an exposure-response gradient +1), each only without serious risk of bias."""

from __future__ import annotations

import pytest

from review.extraction.forms import load_form, validate_study_data
from review.extraction.model import Estimate
from review.synthesis.evidence import StudyFinding
from review.synthesis.grade import GradeInput, assess

from .test_evidence_boundaries import estimate, quips, study, synthesise


def _adjusted(model_building: str = "", **extra: object) -> Estimate:
    built = estimate("risk")
    built.model_building = model_building
    for key, value in extra.items():
        setattr(built, key, value)
    return built


# -- 1. the starting phase from the model-building approach -------------------------------------------

def test_an_adjusted_estimate_from_a_selection_model_is_exploratory_and_starts_moderate() -> None:
    # Arends 2014 kept its predictors by backward elimination: an association found in these data, not a
    # pre-specified one tested (Hayden 2008 phase 1), which Huguet 2013 starts at moderate. It started high.
    result = synthesise([study("arends", _adjusted("selection"), rob=quips())])
    assert result.grade is not None and result.grade.start == "moderate"
    assert "arends: phase 1 (adjusted estimate from a data-driven selection model" in result.grade.start_reason


def test_a_pre_specified_model_confirms_and_an_unrecorded_one_keeps_phase_2_and_says_so() -> None:
    confirmed = synthesise([study("a", _adjusted("pre-specified"), rob=quips())])
    assert confirmed.grade is not None and confirmed.grade.start == "high"
    assert "a: phase 2 (adjusted estimate from a pre-specified model" in confirmed.grade.start_reason
    unknown = synthesise([study("a", _adjusted(), rob=quips())])
    assert unknown.grade is not None and unknown.grade.start == "high"
    assert "a: phase 2 (adjusted estimate; model building not recorded, read as confirmatory)" \
        in unknown.grade.start_reason


def test_the_extractors_phase_and_a_second_pre_specified_estimate_outweigh_a_selection_model() -> None:
    judged = study("a", _adjusted("selection"), rob=quips())
    judged.phase = 2
    result = synthesise([judged])
    assert result.grade is not None and result.grade.start == "high"
    assert "judged by the extractor" in result.grade.start_reason
    both = synthesise([study("a", _adjusted("selection"), _adjusted("pre-specified", contrast="per unit"),
                             rob=quips())])
    assert both.grade is not None and both.grade.start == "high"


def test_model_building_is_a_closed_vocabulary_of_the_form() -> None:
    data = {"study": {"id": "a", "cohort_id": "a", "citation": "A. T. J 2020;1:1.", "country": "NL",
                      "design": "cohort", "evidence_type": "empirical", "outcome_definition": "x",
                      "data_source": "abstract"},
            "estimates": [{"factor": "f", "contrast": "x", "estimate_type": "adjusted", "source_location": "T2",
                           "measure": "OR", "estimate": 2.0, "ci_low": 1.5, "ci_high": 2.7,
                           "model_building": "stepwise"}]}
    problems = validate_study_data(data, "a.toml", form=load_form(), factors=None, expected_id="a")
    assert problems == ["a.toml:estimates[1].model_building: 'stepwise' not one of pre-specified, selection"]
    data["estimates"][0]["model_building"] = "selection"
    assert validate_study_data(data, "a.toml", form=load_form(), factors=None, expected_id="a") == []


# -- 2. risk of bias: the tie ---------------------------------------------------------------------------

def _rob(*robs: str) -> dict[str, object]:
    units = [StudyFinding(f"s{i}", "risk", rob=r) for i, r in enumerate(robs)]
    judgement = assess(GradeInput("f", units, 1.0, None, designs=["cohort"] * len(units)))
    assert judgement is not None
    domain = judgement.domains["risk_of_bias"]
    return {"change": domain.change, "reason": domain.reason}


@pytest.mark.parametrize("robs,change", [
    (("high", "low"), -1),  # a tie: half the information is not 'most from low risk of bias'; it gave 0
    (("moderate", "low"), -1),  # the same tie with a moderate study (it gave 0 too)
    (("high", "high", "low", "low"), -1),  # a tie at four, not most from high either: not -2
    (("high", "low", "low"), 0),  # most (2 of 3) from low risk of bias
    (("high", "high", "low"), -2),  # most from high risk of bias: very serious
    (("moderate", "moderate", "high"), -1),
    (("low",), 0),
    (("high",), -2),
])
def test_risk_of_bias_downgrades_unless_most_of_the_information_is_at_low_risk(robs: tuple[str, ...],
                                                                               change: int) -> None:
    assert _rob(*robs)["change"] == change


def test_the_tie_names_its_rule_and_source() -> None:
    assert _rob("high", "low")["reason"] == (
        "1/2 studies at low risk of bias, not most of the information (a tie downgrades: GRADE rates down "
        "unless most information is from studies at low risk of bias; 1/2 at high risk of bias) (serious)")


# -- 3. the upgrades GRADE allows ------------------------------------------------------------------------

def _pooled(value: float, low: float, high: float, rob: dict[str, dict[str, str]] | None = None,
            k: int = 2, **extra: object) -> object:
    studies = []
    for i in range(k):
        made = estimate("risk")
        made.estimate, made.ci_low, made.ci_high = value, low, high
        for key, v in extra.items():
            setattr(made, key, v)
        studies.append(study(f"s{i}", made, rob=rob if rob is not None else quips()))
    result = synthesise(studies)
    assert result.grade is not None
    return result.grade


@pytest.mark.parametrize("value,low,high,change", [
    (2.5, 1.8, 3.5, 1),  # large: ≥ 2, pooled CI 2.09-2.99
    (6.0, 4.5, 8.0, 2),  # very large: ≥ 5 (GRADE 9, Guyatt 2011), pooled CI 5.14-7.00
    (0.15, 0.1, 0.22, 2),  # very large protective: ≤ 0.2
    (0.4, 0.3, 0.55, 1),
])
def test_a_large_effect_raises_one_level_and_a_very_large_one_two(value: float, low: float, high: float,
                                                                 change: int) -> None:
    # six studies: the pooled CI's bound nearer 1 passes the threshold too (two would give HK's wide CI)
    grade = _pooled(value, low, high, k=6)
    assert grade.domains["large_effect"].change == change  # type: ignore[attr-defined]


@pytest.mark.parametrize("value,low,high,k,change", [
    (2.5, 1.8, 3.5, 2, 0),  # the same studies, two of them: pooled CI 0.54-11.48 reaches below 2
    (6.0, 2.5, 14.0, 6, 1),  # very large estimate, CI bound 3.6: large (+1), not very large
    (0.3, 0.1, 0.9, 6, 0),  # ≤ 0.5, but the pooled CI's upper bound is 0.54
])
def test_the_ci_bound_nearer_1_must_pass_the_threshold(value: float, low: float, high: float, k: int,
                                                      change: int) -> None:
    grade = _pooled(value, low, high, k=k)
    large = grade.domains["large_effect"]  # type: ignore[attr-defined]
    assert large.change == change, large.reason


def test_a_very_large_effect_is_not_upgraded_with_serious_risk_of_bias() -> None:
    grade = _pooled(6.0, 4.5, 8.0, rob=quips(moderate=2))
    assert grade.domains["large_effect"].change == 0  # type: ignore[attr-defined]
    assert "not upgraded" in grade.domains["large_effect"].reason  # type: ignore[attr-defined]


def test_a_recorded_gradient_raises_one_level_where_the_rules_permit() -> None:
    present = _pooled(1.5, 1.2, 1.9, k=3, gradient="present")  # three: a pooled CI that excludes 1
    assert present.domains["imprecision"].change == 0  # type: ignore[attr-defined]
    assert present.domains["dose_response"].change == 1  # type: ignore[attr-defined]
    assert present.domains["dose_response"].reason == (  # type: ignore[attr-defined]
        "exposure-response gradient recorded in 3/3 studies (s0, s1, s2), none records its absence")
    mixed = synthesise([study("s0", _adjusted(gradient="present"), rob=quips()),
                        study("s1", _adjusted(gradient="absent"), rob=quips())])
    assert mixed.grade is not None and mixed.grade.domains["dose_response"].change == 0
    assert "absent in s1" in mixed.grade.domains["dose_response"].reason
    biased = _pooled(1.5, 1.2, 1.9, rob=quips(moderate=2), k=3, gradient="present")
    assert biased.domains["dose_response"].change == 0  # type: ignore[attr-defined]
    none = _pooled(1.5, 1.2, 1.9)
    assert "dose_response" not in none.domains  # type: ignore[attr-defined]


def test_gradient_is_a_closed_vocabulary_of_the_form() -> None:
    spec = load_form().fields("estimate")["gradient"]
    assert spec.type == "choice" and set(spec.choices) == {"present", "absent", ""}


# -- 4. wording ---------------------------------------------------------------------------------------------

def test_counts_of_one_are_written_in_the_singular() -> None:
    # '1 estimate(s) with a CI', 'all 1 CIs exclude 1', '(1 indirect estimate(s) are never pooled)'
    one = synthesise([study("a", estimate("risk"), rob=quips())])
    assert "1 estimate with a CI but fewer than 2 comparable ones" in one.evidence.explanation
    assert one.grade is not None
    assert one.grade.domains["imprecision"].reason.startswith("the one CI excludes 1")
    indirect = estimate("risk")
    indirect.outcome = "sustainable return to work"
    other = synthesise([study("a", indirect, rob=quips())])
    assert "(1 indirect estimate is never pooled)" in other.evidence.explanation
    units = [StudyFinding("a", "risk", rob="low"), StudyFinding("b", "null", rob="low")]
    two = assess(GradeInput("f", units, 0.5, None, ratios=[(2.0, 1.5, 2.7), (1.1, 0.7, 1.5)], designs=["cohort"] * 2))
    assert two is not None and two.domains["imprecision"].reason == (
        "1 of 2 CIs crosses 1 and includes important effects on both sides (below 0.8 and above 1.25) "
        "(no pooled estimate): serious; not very serious, as not every CI spans both sides")
    sparse = assess(GradeInput("f", [*units, StudyFinding("c", "risk", rob="low")], 2 / 3, None,
                               ratios=[(2.0, 1.5, 2.7)], designs=["cohort"] * 3))
    assert sparse is not None and sparse.domains["imprecision"].reason == (
        "effect sizes with a CI for only 1 estimate across 3 studies")
    for result in (one, other):
        assert "(s)" not in result.evidence.explanation
