"""extraction/grade.toml: a reviewer's GRADE judgements per factor, checked as GRADE allows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import ValidationError
from review.synthesis.evidence import StudyFinding
from review.synthesis.grade import GradeInput, assess, load_overrides


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grade.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_reviewer_judgement_takes_the_place_of_the_automatic_one(tmp_path: Path) -> None:
    path = _write(tmp_path, '[older_age]\nstart = "moderate"\n'
                            'indirectness = { change = 0, reason = "register outcome equals ours" }\n'
                            'dose_response = { change = 1, reason = "HR rises over three age bands" }\n')
    overrides = load_overrides(path)
    one_indirect_cohort = GradeInput("older_age", [StudyFinding("a", "risk", rob="low")], None, indirect=["a"],
                                     designs=["cohort"])
    auto = assess(one_indirect_cohort)
    assert auto is not None and auto.start == "high" and auto.domains["indirectness"].change == -1
    assert "dose_response" not in auto.domains
    judged = assess(one_indirect_cohort, override=overrides["older_age"])
    assert judged is not None and judged.start == "moderate"
    assert judged.domains["indirectness"].change == 0 and judged.domains["dose_response"].change == 1
    assert judged.domains["dose_response"].reason == "HR rises over three age bands"


@pytest.mark.parametrize(("entry", "message"), [
    # GRADE lowers for these five and never raises: +1 for risk of bias read as certainty gained.
    ('risk_of_bias = { change = 1, reason = "x" }', "risk_of_bias: change 1 is not one of 0, -1, -2"),
    ('imprecision = { change = -3, reason = "x" }', "imprecision: change -3 is not one of 0, -1, -2"),
    # and raises for these two, a dose-response gradient by one level at most
    ('large_effect = { change = -1, reason = "x" }', "large_effect: change -1 is not one of 0, 1, 2"),
    ('dose_response = { change = 2, reason = "x" }', "dose_response: change 2 is not one of 0, 1"),
    # true is no number of levels (TOML's boolean passed as the integer 1)
    ('large_effect = { change = true, reason = "x" }', "large_effect: expected { change = -1, reason"),
])
def test_a_change_grade_does_not_allow_is_one_line_naming_file_factor_and_domain(tmp_path: Path, entry: str,
                                                                                  message: str) -> None:
    path = _write(tmp_path, f"[older_age]\n{entry}\n")
    with pytest.raises(ValidationError) as err:
        load_overrides(path)
    assert str(err.value).startswith(f"{path}:older_age.{message}") and "\n" not in str(err.value)


@pytest.mark.parametrize(("text", "message"), [
    # a factor that is no table raised AttributeError (a traceback)
    ("older_age = 3\n", "older_age: expected a table [older_age] of GRADE domains, got 3"),
    ('older_age = "moderate"\n', "older_age: expected a table [older_age] of GRADE domains, got 'moderate'"),
    # these were taken without a word
    ('[older_age]\nimprecision = { change = -1, reason = 7 }\n', "older_age.imprecision: expected { change = -1"),
    ('[older_age]\nimprecision = { change = -1, reason = "  " }\n', "older_age.imprecision: expected { change = -1"),
    ('[older_age.imprecision]\nchange = -1\nreason = "wide"\nextra = 1\n',
     "older_age.imprecision.extra: unknown key (a domain's judgement has change and reason only)"),
    ('[older_age]\n"risk of bias" = { change = -1, reason = "x" }\n', 'older_age."risk of bias": unknown GRADE domain'),
    ('[older_age]\nreviewer = 5\n', "older_age.reviewer: expected the reviewer's name, got 5"),
    ('[older_age]\nreviewer = ""\n', "older_age.reviewer: expected the reviewer's name, got ''"),
])
def test_a_malformed_entry_is_one_line_naming_file_factor_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValidationError) as err:
        load_overrides(path)
    assert str(err.value).startswith(f"{path}:{message}") and "\n" not in str(err.value)


def test_a_named_reviewer_and_a_full_judgement_are_taken(tmp_path: Path) -> None:
    path = _write(tmp_path, '[older_age]\nreviewer = "alice"\n[older_age.imprecision]\nchange = -1\nreason = "wide"\n')
    assert load_overrides(path)["older_age"]["imprecision"] == {"change": -1, "reason": "wide"}


@pytest.mark.parametrize(("text", "message"), [
    # the study files' messages end with their line; grade.toml's named file and key only
    ('[older_age]\nstart = "high"\n\n[conflict_with_supervisor]\nreviewer = "alice"\n'
     'inconsistency = { change = 1, reason = "x" }\n',
     "conflict_with_supervisor.inconsistency: change 1 is not one of 0, -1, -2 (GRADE lowers for risk of bias, "
     "inconsistency, imprecision, indirectness and publication bias, raises for a large effect or a dose-response "
     "gradient) (line 6)"),
    ('[older_age]\nstart = "high"\n\n[older_age.imprecision]\nchange = -1\nreason = "wide"\nextra = 1\n',
     "older_age.imprecision.extra: unknown key (a domain's judgement has change and reason only) (line 7)"),
    ('[older_age]\n\nstart = "very high"\n', "older_age.start: 'very high' not one of very low, low, moderate, high "
                                             "(line 3)"),
])
def test_a_refused_entry_names_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValidationError) as err:
        load_overrides(path)
    assert str(err.value) == f"{path}:{message}"
