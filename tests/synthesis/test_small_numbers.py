"""One rule for an estimate's digits (review.words.effect_number) in every output: an OR of 0.007 with CI
0.004-0.012 is written so, never 0.01 (0.00-0.01), in the extraction's label, the forest plot, the synthesis
report and explanation, GRADE's reasons, the instrument's evidence lines and validate's tables."""

from __future__ import annotations

import math
from pathlib import Path

from review.instrument.render import T, effect_text
from review.synthesis.factors import SynthesisSettings
from review.synthesis.forest import forest_plot, rows_from_result
from review.synthesis.meta import pool
from review.synthesis.report import markdown_report
from review.validate.factors import FactorAssociation, FactorsResult
from review.validate.report import factors_lines, survival_lines
from review.validate.survival import HazardRatio, SurvivalResult

from .test_evidence_boundaries import estimate, quips, study, synthesise

SMALL = (0.007, 0.004, 0.012)


def _small_studies(k: int = 6):  # type: ignore[no-untyped-def]
    studies = []
    for i in range(k):
        made = estimate("protective")
        made.estimate, made.ci_low, made.ci_high = SMALL
        studies.append(study(f"s{i}", made, rob=quips()))
    return studies


def test_the_extraction_label_keeps_small_digits() -> None:
    made = estimate("protective")
    made.estimate, made.ci_low, made.ci_high = SMALL
    assert made.label() == "OR 0.007 (0.004-0.012)"


def test_the_forest_plot_writes_small_estimates_with_their_digits(tmp_path: Path) -> None:
    se = (math.log(0.012) - math.log(0.004)) / 3.92
    result = pool([math.log(0.007), math.log(0.009)], [se ** 2, se ** 2], method="FE", studies=["a", "b"])
    svg = forest_plot(rows_from_result(result, [(0.004, 0.012), (0.005, 0.016)]), tmp_path / "f.svg",
                      measure="OR", result=result).read_text(encoding="utf-8")
    assert "0.007 [0.004; 0.012]" in svg and "0.009 [0.005; 0.016]" in svg
    assert "[0.00; 0.01]" not in svg


def test_the_synthesis_report_explanation_and_grade_keep_small_digits(tmp_path: Path) -> None:
    result = synthesise(_small_studies())
    assert result.pooled is not None and result.grade is not None
    pooled = f"{result.pooled.back(result.pooled.ci_low):.2g}-{result.pooled.back(result.pooled.ci_high):.2g}"
    assert "OR 0.007 (" + pooled + ")" in result.evidence.explanation
    assert "0.01 (0.01-0.01)" not in result.evidence.explanation
    assert f"pooled ratio 0.007 ({pooled})" in result.grade.domains["large_effect"].reason
    assert f"pooled CI {pooled}" in result.grade.domains["imprecision"].reason
    report = markdown_report([result], SynthesisSettings(rule_set="ariens"), plots={}, n_studies=6, root=tmp_path)
    assert f"| OR 0.007 ({pooled}) |" in report  # the summary table's pooled column
    assert "OR 0.007 (0.004-0.012)" in report  # each study's row


def test_the_instruments_evidence_line_keeps_small_digits_in_both_languages() -> None:
    effect = {"study": "a", "label": "A 2020", "measure": "OR", "estimate": 0.007, "ci_low": 0.004,
              "ci_high": 0.012}
    assert "OR 0.007 (0.004–0.012)" in effect_text(T("en"), effect)
    assert "OR 0,007 (0,004–0,012)" in effect_text(T("nl"), effect)
    assert "OR 2,59 (1,40–4,80)" in effect_text(T("nl"), {**effect, "estimate": 2.59, "ci_low": 1.4, "ci_high": 4.8})


def test_validates_tables_keep_small_digits() -> None:
    factor = FactorAssociation("f", "F (present vs absent)", "OR", *SMALL, p=0.01, n=100, events=20, excluded=0)
    result = FactorsResult("c.csv", "logistic", "recurrence", None, None, [], 100, [factor], [], 0.95)
    assert any("0.007 (0.004 to 0.012)" in line for line in factors_lines(result))
    survival = SurvivalResult("c.csv", "t", "e", "g", None, "a", [], 12.0, 1, 0.001,
                              [HazardRatio("b", "a", 0.007, (0.004, 0.012), 0.001)], 0.95)
    assert any("b vs a: 0.007 (0.004 to 0.012)" in line for line in survival_lines(survival))
