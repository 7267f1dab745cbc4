"""The synthesis pools only comparable estimates and names every ratio estimate it leaves out."""

from __future__ import annotations

import pytest

from review.extraction.model import Estimate, Factor, Study
from review.synthesis.factors import SynthesisSettings, synthesise_factor

FACTOR = Factor("high_job_demands", "High job demands", "Hoge taakeisen", "work", True, True)


def _study(study_id: str, *estimates: Estimate, cohort: str = "") -> Study:
    return Study(id=study_id, cohort_id=cohort or study_id, citation=study_id, country="NL", design="cohort",
                 evidence_type="empirical", outcome_definition="recurrent sick leave", data_source="full text",
                 estimates=list(estimates))


def _estimate(measure: str, value: float, low: float, high: float, estimate_type: str = "adjusted",
              **extra: object) -> Estimate:
    fields = {"contrast": "high vs low demands", **extra}
    return Estimate(factor=FACTOR.id, estimate_type=estimate_type, source_location="Table 2", measure=measure,
                    estimate=value, ci_low=low, ci_high=high, **fields)


def _synthesise(*studies: Study):  # type: ignore[no-untyped-def]
    return synthesise_factor(FACTOR, list(studies), {}, SynthesisSettings(rule_set="ariens"))


def test_or_hr_crude_and_subgroup_estimates_are_not_pooled_with_adjusted_ors_and_are_named() -> None:
    result = _synthesise(
        _study("a", _estimate("OR", 1.8, 1.2, 2.7)),
        _study("b", _estimate("OR", 1.5, 1.1, 2.1)),
        _study("c", _estimate("OR", 2.4, 1.6, 3.6, "crude")),
        _study("d", _estimate("HR", 1.3, 1.1, 1.6)),
        _study("e", _estimate("OR", 1.9, 1.1, 3.3, subgroup="women")),
        _study("f", _estimate("OR", 1.04, 1.01, 1.07, contrast="per point on the demands scale")),
    )
    assert result.pooled is not None and [r.study.id for r in result.pool_rows] == ["a", "b"]
    assert result.pool_note == "pooled 2 adjusted ORs for 'high vs low demands'"
    for left_out in ("c OR 2.40 (1.60-3.60) (crude, not adjusted)", "d HR 1.30 (1.10-1.60) (HR, not OR)",
                     "e OR 1.90 (1.10-3.30) (subgroup 'women')",
                     "f OR 1.04 (1.01-1.07) (contrast 'per point on the demands scale')"):
        assert left_out in result.not_pooled
        assert left_out in result.evidence.explanation  # synthesis.csv says it too
    assert result.evidence.measure == "OR"


def test_one_adjusted_and_one_crude_estimate_are_not_pooled() -> None:
    result = _synthesise(_study("a", _estimate("OR", 1.8, 1.2, 2.7)),
                         _study("c", _estimate("OR", 2.4, 1.6, 3.6, "crude")))
    assert result.pooled is None and result.evidence.pooled_estimate is None
    assert "fewer than 2 comparable ones" in result.pool_note and "adjustment" in result.pool_note


def test_between_equally_large_sets_the_adjusted_one_is_pooled() -> None:
    result = _synthesise(_study("c1", _estimate("OR", 2.4, 1.6, 3.6, "crude")),
                         _study("c2", _estimate("OR", 2.0, 1.3, 3.1, "crude")),
                         _study("a1", _estimate("OR", 1.8, 1.2, 2.7)),
                         _study("a2", _estimate("OR", 1.5, 1.1, 2.1)))
    assert result.pooled is not None and {r.study.id for r in result.pool_rows} == {"a1", "a2"}
    assert "c1 OR 2.40 (1.60-3.60) (crude, not adjusted)" in result.not_pooled


def test_papers_of_one_cohort_give_one_estimate_to_the_pool() -> None:
    result = _synthesise(_study("a", _estimate("OR", 1.8, 1.2, 2.7)),
                         _study("a_followup", _estimate("OR", 1.7, 1.1, 2.6), cohort="a"),
                         _study("b", _estimate("OR", 1.5, 1.1, 2.1)))
    assert result.pooled is not None and result.pooled.k == 2
    assert "a_followup OR 1.70 (1.10-2.60) (a second estimate of the same cohort)" in result.not_pooled


def test_an_rr_of_the_favourable_outcome_counts_for_direction_but_is_never_pooled_or_inverted() -> None:
    favourable = _estimate("RR", 0.7, 0.6, 0.9, outcome_favourable=True)  # RR of staying at work
    result = _synthesise(_study("a", _estimate("RR", 1.4, 1.1, 1.8)), _study("b", _estimate("RR", 1.3, 1.1, 1.6)),
                         _study("c", favourable))
    assert favourable.derived_finding() == "risk" and favourable.aligned() is None
    assert result.pooled is not None and [r.study.id for r in result.pool_rows] == ["a", "b"]
    assert "c RR 0.70 (0.60-0.90) (RR of the favourable outcome: only an OR inverts" in result.not_pooled
    alone = _synthesise(_study("c", favourable), _study("d", _estimate("RR", 0.8, 0.7, 0.95, outcome_favourable=True)))
    assert alone.pooled is None and alone.verdict.direction == "risk"


def test_the_forest_plot_marks_the_estimates_the_diamond_does_not_summarise(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from review.synthesis.report import factor_plot

    result = _synthesise(_study("a", _estimate("OR", 1.8, 1.2, 2.7)), _study("b", _estimate("OR", 1.5, 1.1, 2.1)),
                         _study("d", _estimate("HR", 1.3, 1.1, 1.6)))
    svg = next(p for p in factor_plot(result, tmp_path) if p.suffix == ".svg").read_text(encoding="utf-8")
    assert svg.count("(not pooled)") == 1 and "d HR high vs low demands (not pooled)" in svg


def test_a_long_contrast_is_shortened_on_a_word_with_a_mark(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Cut at 38 characters, Endo 2015's label read 'high organisational job demand (Brief': a cut nobody could see.
    from review.synthesis.report import factor_plot

    long = "high organisational job demand (Brief Job Stress Questionnaire, reference category not in abstract)"
    result = _synthesise(_study("endo2015", _estimate("HR", 1.46, 1.01, 2.10, contrast=long)))
    svg = next(p for p in factor_plot(result, tmp_path) if p.suffix == ".svg").read_text(encoding="utf-8")
    assert "(Brief …</text>" in svg and "(Brief</text>" not in svg


def test_a_forest_plot_of_ors_beside_an_hr_is_drawn_on_the_ratio_scale(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The plot's measure read 'HR/OR', which is no ratio measure, so the log values were drawn and written on a
    # raw axis: the HR 1.30 (1.10-1.60) read '0.26 [0.10; 0.47]' and the pooled OR 1.63 read as 0.49.
    from review.synthesis.report import factor_plot

    result = _synthesise(_study("a", _estimate("OR", 1.8, 1.2, 2.7)), _study("b", _estimate("OR", 1.5, 1.1, 2.1)),
                         _study("d", _estimate("HR", 1.3, 1.1, 1.6)))
    svg = next(p for p in factor_plot(result, tmp_path) if p.suffix == ".svg").read_text(encoding="utf-8")
    for drawn in ("HR/OR (log scale)", "1.30 [1.10; 1.60]", "1.80 [1.20; 2.70]", "lower risk"):
        assert drawn in svg, drawn
    assert "raw scale" not in svg and "0.26 [0.10; 0.47]" not in svg


def test_the_forest_plot_draws_every_interval_at_one_level_and_says_which_it_rescaled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A 90 % CI was drawn as published under the header '[95% CI]', shorter than the 95 % ones beside it
    # (only its label said so). Each CI is now drawn at the run's level from its own ci_level: SE from the
    # published width at that level, around the published estimate (what review meta and the pooling do).
    from review.synthesis.report import factor_plot

    result = _synthesise(_study("a", _estimate("OR", 1.8, 1.2, 2.7)),
                         _study("b", _estimate("OR", 1.5, 1.05, 2.14, ci_level=0.9)),
                         _study("c", _estimate("OR", 1.6, 1.0, 2.6, ci_level=0.995)))
    svg = next(p for p in factor_plot(result, tmp_path) if p.suffix == ".svg").read_text(encoding="utf-8")
    # 90 %: se = (ln 2.14 - ln 1.05) / (2 x 1.645) = 0.2164; ln 1.5 -/+ 1.96 x 0.2164 -> 0.98-2.29
    assert "1.50 [0.98; 2.29]" in svg and "1.50 [1.05; 2.14]" not in svg
    assert "1.80 [1.20; 2.70]" in svg  # a 95 % CI is drawn as published
    assert "b OR high vs low demands (90 % CI → 95 %)" in svg
    assert "c OR high vs low demands (99.5 % CI → 95 %)" in svg
    assert svg.count("% CI → ") == 2  # the 95 % one says nothing
    assert "CIs published at another level are drawn at 95 % from their own level" in svg  # the caption


def test_a_papers_crude_and_adjusted_estimates_are_told_apart_in_the_explanation() -> None:
    result = _synthesise(_study("a", _estimate("HR", 1.40, 1.05, 1.87), _estimate("HR", 1.55, 1.17, 2.05, "crude")))
    assert "HR 1.40 (1.05-1.87) adjusted; HR 1.55 (1.17-2.05) crude" in result.evidence.explanation


def test_the_report_names_the_conventions_of_its_heterogeneity_numbers(tmp_path) -> None:
    # 'prediction interval 0.11-24.70' beside OR 1.77 (0.98-3.18), k = 3, read as an error: it is R meta's
    # t with k - 2 = 1 df. The I² interval is metafor's Q-profile one, not R meta's.
    from review.synthesis.report import markdown_report

    result = _synthesise(_study("a", _estimate("OR", 2.21, 1.21, 4.04)), _study("b", _estimate("OR", 1.8, 1.1, 2.95)),
                         _study("c", _estimate("OR", 1.6, 1.1, 2.33)))
    assert result.pooled is not None and result.pooled.k == 3
    text = markdown_report([result], SynthesisSettings(rule_set="ariens"), plots={}, n_studies=3, root=tmp_path)
    line = next(x for x in text.splitlines() if x.startswith("**Meta-analysis**"))
    assert "I² " in line and "% (Q-profile 95 % CI " in line
    assert "95 % prediction interval (t, k − 2 = 1 df) " in line


def test_the_finding_and_the_forest_plot_rescale_a_ci_the_same_way(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # OR 1.8 published with a 90 % CI 1.05-2.14 (log midpoint 1.50, not 1.8): each side is scaled about the
    # published estimate, so the 95 % interval (0.95-2.21) contains the paper's own 90 % CI and is null; the SE
    # from the full width around 1.8 gave 1.18-2.75, a "risk" the paper does not report. The plot draws the same.
    import math

    from review.synthesis import report

    published = _estimate("OR", 1.8, 1.05, 2.14, ci_level=0.9)
    low, high = published.interval_at(0.05)
    assert (low, high) == pytest.approx((0.95, 2.21), abs=0.005)
    assert low < 1.05 and high > 2.14
    assert published.derived_finding() == "null"
    drawn = []
    monkeypatch.setattr(report, "forest_plot", lambda rows, path, **kw: drawn.extend(rows) or path)
    report.factor_plot(_synthesise(_study("a", published), _study("b", _estimate("OR", 1.5, 1.1, 2.1))), tmp_path)
    row = next(r for r in drawn if r.label.startswith("a "))
    assert (math.exp(row.ci_low), math.exp(row.ci_high)) == pytest.approx((low, high))


def test_a_rescaled_ci_contains_the_papers_own_narrower_ci() -> None:
    # OR 1.5 (90 % CI 0.90-1.60): the SE from the full width around 1.5 gave 1.07-2.11 at 95 %, a "risk"
    # finding although the paper's own 90 % CI crosses 1
    published = _estimate("OR", 1.5, 0.9, 1.6, ci_level=0.9)
    low, high = published.interval_at(0.05)
    assert (low, high) == pytest.approx((0.82, 1.62), abs=0.005)
    assert low < 0.9 and high > 1.6
    assert published.derived_finding() == "null"
    symmetric = _estimate("MD", 2.0, 1.0, 3.0, ci_level=0.9)
    assert symmetric.interval_at(0.05) == pytest.approx((2.0 - 1.959964 / 1.644854, 2.0 + 1.959964 / 1.644854))


def test_two_studies_say_why_there_is_no_prediction_interval(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # With k = 2 R meta's t has k - 2 = 0 df: synthesis.md left the interval out without a word, where k = 3
    # prints one; a reader looked for a missing number.
    from review.synthesis.report import markdown_report

    result = _synthesise(_study("a", _estimate("OR", 2.21, 1.21, 4.04)), _study("b", _estimate("OR", 1.8, 1.1, 2.95)))
    assert result.pooled is not None and result.pooled.k == 2 and result.pooled.pi_low is None
    text = markdown_report([result], SynthesisSettings(rule_set="ariens"), plots={}, n_studies=2, root=tmp_path)
    line = next(x for x in text.splitlines() if x.startswith("**Meta-analysis**"))
    assert ", no prediction interval (k = 2: t with k − 2 = 0 df); pooled" in line


def test_an_i2_below_100_is_never_written_100(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Two ORs, I² 0 % with a Q-profile upper bound of 99.63 %: the line read 'I² 0 % (Q-profile 95 % CI 0-100)',
    # a value I² never takes. Whole percents stay (0-94 elsewhere); only a bound that would round to 100 (or to
    # 0 from above) keeps a decimal.
    from review.synthesis.report import markdown_report
    from review.words import whole_percent

    assert [whole_percent(x) for x in (0.0, 0.3, 12.4, 94.2, 99.49, 99.63, 100.0)] == [
        "0", "0.3", "12", "94", "99", "99.6", "100"]
    assert [whole_percent(x, against=50) for x in (50.0, 50.3, 49.8, 71.2)] == ["50", "50.3", "49.8", "71"]
    # One decimal rounded to nearest wrote what it was there to avoid (tidy26b): 99.96 as '100.0', 0.04 as '0.0',
    # 50.04 beside a cut of 50 as '50.0 % > 50 %'; the tenth next to the number on the value's side.
    assert [whole_percent(x) for x in (99.96, 99.95, 0.04, 0.05, 99.94)] == ["99.9", "99.9", "0.1", "0.1", "99.9"]
    assert [whole_percent(x, against=50) for x in (50.04, 49.96, 50.05)] == ["50.1", "49.9", "50.1"]
    # the GRADE line compared a rounded I² with its cut: 'I² 50 % > 50 %'
    result = _synthesise(_study("a", _estimate("OR", 2.21, 1.21, 4.04)), _study("b", _estimate("OR", 1.8, 1.1, 2.95)))
    assert result.grade is not None and "I² 0 % ≤ 50 %" == result.grade.domains["inconsistency"].reason
    result = _synthesise(_study("a", _estimate("OR", 2.21, 1.21, 4.04)), _study("b", _estimate("OR", 1.8, 1.1, 2.95)))
    text = markdown_report([result], SynthesisSettings(rule_set="ariens"), plots={}, n_studies=2, root=tmp_path)
    assert "I² 0 % (Q-profile 95 % CI 0-99.6)" in text
