"""GRADE imprecision, very serious (decision 0053): a CI including important effects on both sides of 1 is -2,
on one side -1, pooled and without pooling; a reviewer's grade.toml judgement still wins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from review.extraction.quips import CollapseRule
from review.synthesis.evidence import StudyFinding
from review.synthesis.factors import SynthesisSettings, study_quality, synthesise_factor
from review.synthesis.grade import GradeJudgement, assess, load_overrides
from review.synthesis.grade_input import GradeInput

from .test_evidence_boundaries import FACTOR, estimate, quips, study


WALK19 = [(2.21, 1.21, 4.04), (1.80, 1.10, 2.95)]  # smith2018 and kim2021: pooled CI 0.16-23.22, t with 1 df


def _pooled(value: float, low: float, high: float, override: dict[str, Any] | None = None,
            k: int = 2) -> GradeJudgement:
    """k cohorts (QUIPS low) each reporting OR value (low-high), pooled (REML, Hartung-Knapp)."""
    return _pooled_studies([(value, low, high)] * k, override)


def _pooled_studies(cis: list[tuple[float, float, float]], override: dict[str, Any] | None = None) -> GradeJudgement:
    studies = []
    for i, (value, low, high) in enumerate(cis):
        made = estimate("null")
        made.estimate, made.ci_low, made.ci_high = value, low, high
        studies.append(study(f"s{i}", made, rob=quips()))
    result = synthesise_factor(FACTOR, studies, study_quality(studies, CollapseRule()),
                               SynthesisSettings(rule_set="ariens"), override)
    assert result.pooled is not None and result.grade is not None
    return result.grade


def _unpooled(*cis: tuple[float, float, float], studies: int | None = None) -> GradeJudgement:
    units = [StudyFinding(f"s{i}", "null", rob="low") for i in range(studies or len(cis))]
    judged = assess(GradeInput("f", units, 1.0, None, ratios=list(cis), designs=["cohort"] * len(units)))
    assert judged is not None
    return judged


def test_a_pooled_ci_below_the_low_and_above_the_high_threshold_is_very_serious() -> None:
    # walk19's two ORs pool to a CI of 0.16-23.22 with Hartung-Knapp: rated -1 before
    grade = _pooled_studies(WALK19)
    imprecision = grade.domains["imprecision"]
    assert imprecision.change == -2
    assert imprecision.reason == ("pooled CI 0.16-23.22 crosses 1 and includes important effects on both sides "
                                  "(below 0.8 and above 1.25): very serious")
    # cohort evidence starts high; -2 imprecision, nothing else rated down by the rules for two QUIPS-low cohorts
    assert grade.certainty == "low"


def test_a_pooled_ci_past_one_threshold_only_stays_serious_and_says_which() -> None:
    # six cohorts, so the pooled CI is not the t(1) one of two: about 1.5 (0.95-2.4)
    above = _pooled(1.5, 0.5, 4.5, k=6).domains["imprecision"]
    assert above.change == -1 and above.reason.endswith("includes important effects above 1.25: serious")
    below = _pooled(1 / 1.5, 1 / 4.5, 1 / 0.5, k=6).domains["imprecision"]
    assert below.change == -1 and below.reason.endswith("includes important effects below 0.8: serious")


def test_a_reviewers_imprecision_in_grade_toml_still_wins_over_the_automatic_minus_two(tmp_path: Path) -> None:
    path = tmp_path / "grade.toml"
    path.write_text(f'[{FACTOR.id}.imprecision]\nchange = -1\nreason = "reviewer: serious, not very"\n',
                    encoding="utf-8")
    assert _pooled_studies(WALK19).domains["imprecision"].change == -2
    grade = _pooled_studies(WALK19, load_overrides(path)[FACTOR.id])
    assert grade.domains["imprecision"].change == -1 and grade.domains["imprecision"].source == "reviewer"
    assert grade.domains["imprecision"].reason == "reviewer: serious, not very"
    assert grade.certainty == "moderate"


def test_without_pooling_every_ci_spanning_both_thresholds_is_very_serious() -> None:
    one = _unpooled((1.9, 0.16, 23.2)).domains["imprecision"]
    assert one.change == -2 and one.reason == (
        "the one CI crosses 1 and includes important effects on both sides (below 0.8 and above 1.25) "
        "(no pooled estimate): very serious")
    two = _unpooled((1.9, 0.16, 23.2), (0.9, 0.5, 1.6)).domains["imprecision"]
    assert two.change == -2 and two.reason.startswith("all 2 CIs cross 1 and include important effects on both")


def test_without_pooling_one_ci_that_excludes_a_side_keeps_it_serious() -> None:
    # a precise study beside a very wide one: the body does not include appreciable benefit and harm alike
    mixed = _unpooled((1.9, 0.16, 23.2), (1.1, 0.9, 1.35)).domains["imprecision"]
    assert mixed.change == -1 and mixed.reason == (
        "2 of 2 CIs cross 1 and include important effects (1 above 1.25, 1 on both sides) (no pooled estimate): "
        "serious; not very serious, as not every CI spans both sides")
    beside_significant = _unpooled((1.9, 0.16, 23.2), (2.0, 1.5, 2.7)).domains["imprecision"]
    assert beside_significant.change == -1
    assert beside_significant.reason.startswith("1 of 2 CIs crosses 1 and includes important effects on both sides")


def test_without_pooling_ci_for_too_few_studies_is_not_very_serious() -> None:
    sparse = _unpooled((1.9, 0.16, 23.2), studies=3).domains["imprecision"]
    assert sparse.change == -1
    assert sparse.reason.endswith("serious; CIs for only 1 estimate across 3 studies, so not very serious")


def test_synthesis_md_quotes_the_imprecision_lines_the_code_writes() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "synthesis.md"
    text = " ".join(page.read_text(encoding="utf-8").split())
    bullet = text[text.index("- **Imprecision**"):text.index("- **Indirectness**")]
    assert "decisions/0053-very-serious-imprecision.md" in bullet
    quoted = [q for q in re.findall(r"`([^`]+)`", bullet) if "serious" in q]
    written = [_pooled_studies(WALK19).domains["imprecision"].reason,
               _pooled(1.5, 0.5, 4.5, k=6).domains["imprecision"].reason,
               _unpooled((1.9, 0.16, 23.2)).domains["imprecision"].reason,
               _unpooled((1.9, 0.16, 23.2), (1.1, 0.9, 1.35)).domains["imprecision"].reason]
    assert len(quoted) == 4
    for fragment in quoted:
        assert fragment in written, fragment


def test_a_run_reporting_90_percent_is_graded_on_the_95_percent_pooled_ci() -> None:
    """Decision 0056: three cohorts OR 1.30 (0.87-1.95) pool to 0.78-2.17 at 95 % (both sides: -2) and to 0.92-1.84 at
    90 % (above 1.25 only: -1); GRADE's thresholds assume 95 %, so the review's level setting moves no certainty."""
    studies = []
    for i in range(3):
        made = estimate("null")
        made.estimate, made.ci_low, made.ci_high = 1.30, 0.87, 1.95
        studies.append(study(f"s{i}", made, rob=quips()))
    quality = study_quality(studies, CollapseRule())
    at_95, at_90 = (synthesise_factor(FACTOR, studies, quality, SynthesisSettings(rule_set="ariens", level=level))
                    for level in (0.95, 0.90))
    assert at_90.pooled is not None and at_90.grade is not None and at_95.grade is not None
    assert (round(at_90.pooled.back(at_90.pooled.ci_low), 2), at_90.pooled.level) == (0.92, 0.90)  # reported as set
    assert at_95.grade.domains["imprecision"].reason.startswith("pooled CI 0.78-2.17 crosses 1 and includes important "
                                                                "effects on both sides")
    assert at_90.grade.domains["imprecision"].change == at_95.grade.domains["imprecision"].change == -2
    assert at_90.grade.domains["imprecision"].reason == at_95.grade.domains["imprecision"].reason.replace(
        "pooled CI", "pooled 95 % CI")
    assert at_90.grade.certainty == at_95.grade.certainty
