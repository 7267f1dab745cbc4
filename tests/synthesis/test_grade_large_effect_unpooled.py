"""A large effect without pooling (decision 0037): Huguet et al. 2013's narrative reading, a large effect shown
by most counted studies, one study when it is the only one; the thresholds, the bound rule and the guards of the
pooled upgrade (no serious risk of bias or imprecision) all apply."""

from __future__ import annotations

from review.extraction.model import Estimate, Study
from review.synthesis.grade import GradeJudgement

from .test_evidence_boundaries import estimate, quips, study, synthesise


def _cohort(name: str, value: float, low: float, high: float, *, events: int | None = 400,
            contrast: str = "conflict vs none", rob: dict[str, dict[str, str]] | None = None,
            **fields: object) -> Study:
    made = estimate("risk")
    made.estimate, made.ci_low, made.ci_high, made.contrast = value, low, high, contrast
    for key, item in fields.items():
        setattr(made, key, item)
    made_study = study(name, made, rob=quips() if rob is None else rob)
    made_study.events = events
    return made_study


def _grade(*studies: Study) -> GradeJudgement:
    result = synthesise(list(studies))
    assert result.grade is not None
    assert result.pooled is None or result.pooled.k < 2  # nothing pooled: the narrative rule decides
    return result.grade


def test_one_study_with_a_very_large_effect_raises_two_levels() -> None:
    grade = _grade(_cohort("a", 6.0, 5.2, 7.0))
    large = grade.domains["large_effect"]
    assert large.change == 2, large.reason
    assert large.reason.startswith("1/1 study shows a very large effect, the CI's bound nearer 1 included (≥ 5 or ≤ 0.2)")
    assert "a: ratio 6.00 (5.20-7.00)" in large.reason and "one study, nothing pooled" in large.reason


def test_the_bound_nearer_1_decides_the_levels_as_for_a_pooled_ratio() -> None:
    one = _grade(_cohort("a", 6.0, 2.5, 14.0)).domains["large_effect"]
    assert one.change == 1 and "not very large" in one.reason
    none = _grade(_cohort("a", 2.5, 1.6, 3.9)).domains["large_effect"]
    assert none.change == 0
    assert none.reason == ("a: ratio 2.50 (1.60-3.90) is large, but the CI's bound nearer 1 is not (≥ 2 or ≤ 0.5): "
                           "not upgraded")
    assert "large_effect" not in _grade(_cohort("a", 1.8, 1.4, 2.3)).domains  # not large: no line


def test_a_protective_effect_counts_on_its_side() -> None:
    assert _grade(_cohort("a", 0.1, 0.05, 0.18)).domains["large_effect"].change == 2


def test_a_ci_published_at_90_percent_is_judged_at_95() -> None:
    # OR 2.5, 90 % CI 2.05-3.05: its 95 % CI is 1.97-3.17, so the bound nearer 1 is below 2
    grade = _grade(_cohort("a", 2.5, 2.05, 3.05, ci_level=0.9))
    assert grade.domains["large_effect"].change == 0


def test_the_guards_of_the_pooled_upgrade_hold() -> None:
    few_events = _grade(_cohort("a", 6.0, 5.2, 7.0, events=150))
    assert few_events.domains["imprecision"].change == -1
    assert few_events.domains["large_effect"].change == 0 and "not upgraded: imprecision" in \
        few_events.domains["large_effect"].reason
    unrated = _grade(_cohort("a", 6.0, 5.2, 7.0, rob={}))
    assert unrated.domains["risk_of_bias"].change == -1 and unrated.domains["large_effect"].change == 0


def test_most_studies_must_show_it_and_each_counts_once() -> None:
    # three cohorts, different contrasts (nothing pools): two show OR 3.0 (2.2-4.1), one is null
    two_of_three = _grade(_cohort("a", 3.0, 2.2, 4.1, contrast="conflict vs none"),
                          _cohort("b", 3.0, 2.2, 4.1, contrast="frequent conflict vs none"),
                          _cohort("c", 1.05, 0.9, 1.2, contrast="any conflict vs none"))  # precise null
    assert two_of_three.domains["large_effect"].change == 1
    assert two_of_three.domains["large_effect"].reason.startswith("2/3 studies show a large effect")
    one_of_three = _grade(_cohort("a", 3.0, 2.2, 4.1, contrast="conflict vs none"),
                          _cohort("b", 1.2, 0.9, 1.6, contrast="frequent conflict vs none"),
                          _cohort("c", 1.1, 0.8, 1.5, contrast="any conflict vs none"))
    assert one_of_three.domains["large_effect"].change == 0
    assert "not shown by most studies" in one_of_three.domains["large_effect"].reason
    assert "1/3 studies" in one_of_three.domains["large_effect"].reason


def test_a_unit_shows_only_what_all_its_whole_sample_ratios_show() -> None:
    # a crude 2.5 (2.1-3.0) beside an adjusted 1.4 (1.1-1.8): the unit shows no large effect
    both = _cohort("a", 2.5, 2.1, 3.0, estimate_type="crude")
    adjusted: Estimate = estimate("risk")
    adjusted.estimate, adjusted.ci_low, adjusted.ci_high = 1.4, 1.1, 1.8
    both.estimates.append(adjusted)
    assert _grade(both).domains["large_effect"].change == 0
    # a subgroup's large ratio is not the whole sample's
    sub = _cohort("a", 1.4, 1.1, 1.8)
    men: Estimate = estimate("risk", subgroup="men")
    men.estimate, men.ci_low, men.ci_high = 6.0, 5.2, 7.0
    sub.estimates.append(men)
    assert "large_effect" not in _grade(sub).domains
