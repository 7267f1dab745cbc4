"""A study estimate given with a p-value and no CI: its finding comes from p, so every place that shows the
estimate shows p (walk19 #11: the synthesis report read 'OR 1.10', the reader could not trace 'null')."""

from __future__ import annotations

from pathlib import Path

from review.instrument.project import study_evidence
from review.instrument.render import T, effect_text
from review.synthesis.factors import SynthesisSettings
from review.synthesis.report import markdown_report
from review.words import p_value

from .test_evidence_boundaries import estimate, quips, study, synthesise


def _without_ci(value: float, p: float):  # type: ignore[no-untyped-def]
    made = estimate("risk")
    made.estimate, made.ci_low, made.ci_high, made.p = value, None, None, p
    return made


def test_the_synthesis_report_shows_the_p_a_finding_rests_on(tmp_path: Path) -> None:
    studies = [study("null2020", _without_ci(1.10, 0.30), rob=quips()),
               study("risk2021", _without_ci(1.80, 0.003), rob=quips())]
    result = synthesise(studies)
    findings = {row.study.id: row.finding for row in result.rows}
    assert findings == {"null2020": "null", "risk2021": "risk"}
    report = markdown_report([result], SynthesisSettings(rule_set="ariens"), plots={}, n_studies=2, root=tmp_path)
    rows = {line.split(" | ")[0][2:]: line for line in report.splitlines() if "| conflict vs none |" in line}
    assert "| OR 1.10 (p = 0.3) |" in rows["null2020"] and "| null |" in rows["null2020"]
    assert "| OR 1.80 (p = 0.003) |" in rows["risk2021"] and "| risk |" in rows["risk2021"]
    assert "OR 1.10 (p = 0.3)" in result.evidence.explanation  # synthesis.csv's explanation, the same words


def test_an_estimate_with_its_ci_is_shown_as_before() -> None:
    made = estimate("risk")
    before = made.label()
    made.p = 0.001
    assert made.label() == before and before.startswith("OR ") and "-" in before


def test_the_instruments_evidence_line_shows_p_in_both_languages() -> None:
    studies = [study("null2020", _without_ci(1.10, 0.30)), study("ci2019", estimate("risk"))]
    studies[1].estimates[0].p = 0.01
    effects = {e["study"]: e for e in study_evidence(studies)[0][studies[0].estimates[0].factor]}
    assert effect_text(T("en"), effects["null2020"]) == (
        "conflict vs none: OR 1.10 (p = 0.3; no confidence interval in the extraction), null2020")
    assert ": OR 1,10 (p = 0,3; geen betrouwbaarheidsinterval in de extractie), null2020" in effect_text(
        T("nl"), effects["null2020"])
    assert "p =" not in effect_text(T("en"), effects["ci2019"])  # with a CI the finding is read from the CI
    # no number (Hori 2019's p beside a status): its text says why there is none, without the p; the bank
    # keeps the p as extracted, so `instrument diff` names a corrected one (it showed only the status)
    bare = _without_ci(1.0, 0.019)
    bare.estimate, bare.estimate_status = None, "not entered"
    (hori,) = study_evidence([study("hori", bare)])[0][bare.factor]
    assert hori["p"] == 0.019 and "p =" not in effect_text(T("en"), hori)


def test_p_is_written_as_extracted_without_e_notation() -> None:
    assert [p_value(p) for p in (0.019, 0.05, 0.30, 0.00012, 0.00004)] == [
        "p = 0.019", "p = 0.05", "p = 0.3", "p = 0.00012", "p < 0.0001"]
    assert p_value(0.019, ",") == "p = 0,019"
