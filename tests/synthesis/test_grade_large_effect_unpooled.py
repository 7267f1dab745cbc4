"""A large effect without pooling (decision 0037): Huguet et al. 2013's narrative reading, a large effect shown
by most counted studies, one study when it is the only one; the thresholds, the bound rule and the guards of the
pooled upgrade (nothing rated down for any reason: GRADE handbook 5.2) all apply."""

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


def _two(value: float, low: float, high: float, **fields: object) -> tuple[Study, Study]:
    """Two cohorts showing the same ratio under contrasts that do not pool: two units, so publication bias is
    not rated down and the upgrade is the large-effect rule's alone."""
    return (_cohort("a", value, low, high, contrast="conflict vs none", **fields),
            _cohort("b", value, low, high, contrast="frequent conflict vs none", **fields))


def test_two_studies_with_a_very_large_effect_raise_two_levels() -> None:
    large = _grade(*_two(6.0, 5.2, 7.0)).domains["large_effect"]
    assert large.change == 2, large.reason
    assert large.reason.startswith("2/2 studies show a very large effect, the CI's bound nearer 1 included")


def test_one_study_shows_a_very_large_effect_but_its_publication_bias_withholds_the_upgrade() -> None:
    # GRADE handbook 5.2: evidence rated down for any reason is not rated up; one cohort is the 'few studies' -1
    grade = _grade(_cohort("a", 6.0, 5.2, 7.0))
    large = grade.domains["large_effect"]
    assert grade.domains["publication_bias"].change == -1
    assert large.change == 0, large.reason
    assert large.reason.startswith("1/1 study shows a very large effect, the CI's bound nearer 1 included (≥ 5 or ≤ 0.2)")
    assert "a: adjusted 6.00 (95 % CI 5.20-7.00)" in large.reason and "one study, nothing pooled" in large.reason
    assert large.reason.endswith("not upgraded: publication bias rated down (GRADE handbook 5.2: evidence rated "
                                 "down for any reason is not rated up)")
    assert grade.certainty == "moderate"  # high, -1 publication bias; before the handbook rule +2 made it high


def test_the_bound_nearer_1_decides_the_levels_as_for_a_pooled_ratio() -> None:
    one = _grade(*_two(6.0, 2.5, 14.0)).domains["large_effect"]
    assert one.change == 1 and "not very large" in one.reason
    none = _grade(_cohort("a", 2.5, 1.6, 3.9)).domains["large_effect"]
    assert none.change == 0
    assert none.reason == ("a: its adjusted 2.50 (95 % CI 1.60-3.90) is large, but the CI's bound nearer 1 is not "
                           "(≥ 2 or ≤ 0.5): not upgraded")
    assert "large_effect" not in _grade(_cohort("a", 1.8, 1.4, 2.3)).domains  # not large: no line


def test_a_protective_effect_counts_on_its_side() -> None:
    assert _grade(*_two(0.1, 0.05, 0.18)).domains["large_effect"].change == 2


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
    # three cohorts, different contrasts (nothing pools): two show OR 3.0 (2.2-4.1), one is null; the two
    # agree and the third does not (67 % < 75 %): inconsistency rated down, so not a similar effect by most
    two_of_three = _grade(_cohort("a", 3.0, 2.2, 4.1, contrast="conflict vs none"),
                          _cohort("b", 3.0, 2.2, 4.1, contrast="frequent conflict vs none"),
                          _cohort("c", 1.05, 0.9, 1.2, contrast="any conflict vs none"))  # precise null
    assert two_of_three.domains["inconsistency"].change == -1
    assert two_of_three.domains["large_effect"].change == 0
    assert two_of_three.domains["large_effect"].reason.startswith("2/3 studies show a large effect")
    assert "not upgraded: inconsistency rated down" in two_of_three.domains["large_effect"].reason
    # four cohorts, three large and one null: 75 % agree, so the inconsistency is not serious and it counts
    three_of_four = _grade(_cohort("a", 3.0, 2.2, 4.1, contrast="conflict vs none"),
                           _cohort("b", 3.0, 2.2, 4.1, contrast="frequent conflict vs none"),
                           _cohort("d", 3.0, 2.2, 4.1, contrast="daily conflict vs none"),
                           _cohort("c", 1.05, 0.9, 1.2, contrast="any conflict vs none"))
    assert three_of_four.domains["inconsistency"].change == 0
    assert three_of_four.domains["large_effect"].change == 1
    assert three_of_four.domains["large_effect"].reason.startswith("3/4 studies show a large effect")
    one_of_three = _grade(_cohort("a", 3.0, 2.2, 4.1, contrast="conflict vs none"),
                          _cohort("b", 1.2, 0.9, 1.6, contrast="frequent conflict vs none"),
                          _cohort("c", 1.1, 0.8, 1.5, contrast="any conflict vs none"))
    assert one_of_three.domains["large_effect"].change == 0
    assert one_of_three.domains["large_effect"].reason == (
        "a: adjusted 3.00 (95 % CI 2.20-4.10): a large effect is not shown by most studies with the CI's bound "
        "nearer 1 (≥ 2 or ≤ 0.5; 1/3 studies): not upgraded")


def test_a_unit_shows_only_what_all_its_whole_sample_ratios_show() -> None:
    # a crude 2.5 (2.1-3.0) beside an adjusted 1.4 (1.1-1.8): the unit shows no large effect
    both = _cohort("a", 2.5, 2.1, 3.0, estimate_type="crude")
    adjusted: Estimate = estimate("risk")
    adjusted.estimate, adjusted.ci_low, adjusted.ci_high = 1.4, 1.1, 1.8
    both.estimates.append(adjusted)
    judged = _grade(both).domains["large_effect"]
    assert judged.change == 0
    assert judged.reason == "a: its adjusted 1.40 (95 % CI 1.10-1.80) is not large: not upgraded"
    # a subgroup's large ratio is not the whole sample's
    sub = _cohort("a", 1.4, 1.1, 1.8)
    men: Estimate = estimate("risk", subgroup="men")
    men.estimate, men.ci_low, men.ci_high = 6.0, 5.2, 7.0
    sub.estimates.append(men)
    assert "large_effect" not in _grade(sub).domains


def test_a_study_reporting_the_other_side_withholds_the_upgrade() -> None:
    # Huguet et al. 2013: a similar effect by most studies; c's 95 % CI lies wholly below 1
    grade = _grade(_cohort("a", 3.0, 2.2, 4.1, contrast="conflict vs none"),
                   _cohort("b", 3.0, 2.2, 4.1, contrast="frequent conflict vs none"),
                   _cohort("d", 3.0, 2.2, 4.1, contrast="daily conflict vs none"),
                   _cohort("c", 0.3, 0.2, 0.45, contrast="any conflict vs none"))
    large = grade.domains["large_effect"]
    assert grade.domains["inconsistency"].change == 0 and large.change == 0  # 75 % agree: only the rule withholds
    assert large.reason.startswith("3/4 studies show a large effect")
    assert "c: ratio 0.30 (95 % CI 0.20-0.45)): not a similar effect by most studies" in large.reason
    # the supporting list names the winning side's units only
    assert "a: adjusted 3.00" in large.reason and "c: adjusted" not in large.reason


def test_only_adjusted_ratios_count_and_a_crude_one_says_so() -> None:
    # GRADE 9: no plausible confounder; a crude OR 6.0 (5.2-7.0) with 400 events is no large effect
    large = _grade(_cohort("a", 6.0, 5.2, 7.0, estimate_type="crude")).domains["large_effect"]
    assert large.change == 0
    assert large.reason.startswith("a: only unadjusted ratios (crude 6.00 (95 % CI 5.20-7.00)), no large effect "
                                   "counted (GRADE 9")
    # a crude 6.0 beside an adjusted 0.15 (0.10-0.19): the adjusted one decides, on its side
    mixed = _cohort("a", 6.0, 5.2, 7.0, estimate_type="crude")
    protective: Estimate = estimate("risk")
    protective.estimate, protective.ci_low, protective.ci_high = 0.15, 0.10, 0.19
    mixed.estimates.append(protective)
    judged = _grade(mixed).domains["large_effect"]
    assert judged.reason.startswith("1/1 study shows a very large effect")
    assert "a: adjusted 0.15 (95 % CI 0.10-0.19)" in judged.reason
    assert "6.00" not in judged.reason


def test_adjusted_ratios_on_both_sides_of_1_show_nothing() -> None:
    both = _cohort("a", 6.0, 5.2, 7.0)
    other: Estimate = estimate("risk")
    other.estimate, other.ci_low, other.ci_high, other.contrast = 0.4, 0.3, 0.45, "other vs none"
    both.estimates.append(other)
    judged = _grade(both).domains["large_effect"]
    assert judged.change == 0
    assert judged.reason.startswith("a: its adjusted ratios lie on both sides of 1")


def test_indirectness_rated_down_blocks_the_upgrade() -> None:
    indirect = _cohort("a", 6.0, 5.2, 7.0)
    indirect.outcome_cmd_specific = False
    grade = _grade(indirect)
    assert grade.domains["indirectness"].change == -1
    assert grade.domains["large_effect"].change == 0
    assert "not upgraded: indirectness and publication bias rated down" in grade.domains["large_effect"].reason
    assert grade.certainty == "low"  # high, -1 indirectness, -1 publication bias: no +2 to cancel them


def test_a_redrawn_ci_is_shown_as_95_percent() -> None:
    # published 90 % CI 5.3-6.8: the reason shows its 95 % CI, and says so
    reason = _grade(_cohort("a", 6.0, 5.3, 6.8, ci_level=0.9)).domains["large_effect"].reason
    assert "a: adjusted 6.00 (95 % CI 5.18-6.97)" in reason


def test_indirectness_blocks_the_pooled_upgrade_too() -> None:
    # two cohorts that pool, OR 6.0 (5.2-7.0) each: +1 (the pooled CI's bound nearer 1 is below 5); with one of
    # the two indirect (half the units), indirectness is -1 and the pooled rule withholds it as well
    direct = synthesise([_cohort("a", 6.0, 5.2, 7.0), _cohort("b", 6.0, 5.2, 7.0)])
    assert direct.pooled is not None and direct.pooled.k == 2 and direct.grade is not None
    assert direct.grade.domains["large_effect"].change == 1
    indirect = _cohort("b", 6.0, 5.2, 7.0)
    indirect.outcome_cmd_specific = False
    result = synthesise([_cohort("a", 6.0, 5.2, 7.0), indirect])
    assert result.pooled is not None and result.pooled.k == 2 and result.grade is not None
    large = result.grade.domains["large_effect"]
    assert result.grade.domains["indirectness"].change == -1
    assert large.change == 0 and large.reason.startswith("pooled ratio 6.00")
    assert "not upgraded: indirectness rated down" in large.reason


def test_inconsistency_rated_down_blocks_the_pooled_upgrade_too() -> None:
    # GRADE handbook 5.2: before, the pooled rule let a large pooled effect through inconsistency -1
    result = synthesise([_cohort("a", 9.0, 7.0, 11.5), _cohort("b", 4.0, 3.2, 5.0), _cohort("c", 6.0, 5.0, 7.2)])
    assert result.pooled is not None and result.pooled.k == 3 and result.grade is not None
    assert result.grade.domains["inconsistency"].change == -1, result.grade.domains["inconsistency"].reason
    large = result.grade.domains["large_effect"]
    assert large.change == 0 and "not upgraded: inconsistency rated down" in large.reason


def test_any_rating_down_withholds_the_dose_response_upgrade() -> None:
    # one cohort with a gradient: nothing but the 'few studies' publication bias -1 rated down, yet no +1
    grade = _grade(_cohort("a", 1.5, 1.3, 1.7, gradient="present"))
    assert [name for name, judged in grade.domains.items() if judged.change < 0] == ["publication_bias"]
    dose = grade.domains["dose_response"]
    assert dose.change == 0 and "not upgraded: publication bias rated down" in dose.reason
    indirect = _cohort("a", 1.5, 1.3, 1.7, gradient="present", contrast="conflict vs none")
    indirect.outcome_cmd_specific = False
    both = _grade(indirect, _cohort("b", 1.5, 1.3, 1.7, gradient="present", contrast="frequent conflict vs none"))
    assert both.domains["indirectness"].change == -1 and both.domains["dose_response"].change == 0
    assert "not upgraded: indirectness rated down" in both.domains["dose_response"].reason


def test_imprecision_reads_a_ci_published_at_90_percent_at_95_as_grade_does() -> None:
    # The same evidence published as a 90 % CI (0.85-2.00) was judged as it stands: it reaches only the important
    # effects above 1.25, 'serious'; at 95 % (0.78-2.17) it reaches both sides, 'very serious': a level of GRADE
    # certainty, which the instrument shows and which decides whether a signal is shown, came from the CI's level.
    at_90 = _grade(_cohort("a", 1.304, 0.85, 2.0, ci_level=0.9))
    at_95 = _grade(_cohort("a", 1.304, 0.783, 2.17))
    assert at_90.domains["imprecision"].change == at_95.domains["imprecision"].change == -2
    assert at_90.domains["imprecision"].reason == at_95.domains["imprecision"].reason
    assert at_90.certainty == at_95.certainty == "very low"
