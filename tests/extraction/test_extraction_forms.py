"""Study files: validation errors are one line naming file:field, round trips, extractor comparison."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from review.errors import ValidationError
from review.extraction.compare import compare_studies
from review.extraction.factors import load_factors
from review.extraction.forms import (
    load_form, load_study, read_study_file, save_study, study_from_data, validate_folder,
    validate_study_data,
)
from review.extraction.model import estimate_status_is_quoted
from review.tomlwrite import dumps

REPO = Path(__file__).resolve().parents[2]
FACTORS = """
[[factor]]
id = "conflict_with_supervisor"
label_en = "Conflict with supervisor"
label_nl = "Conflict met leidinggevende"
domain = "social"
modifiable = true
assessable = true
"""
STUDY = """
[study]
id = "s1"
cohort_id = "c1"
citation = "A. Title. J 2014;1:1-2."
country = "NL"
design = "cohort"
evidence_type = "empirical"
outcome_definition = "recurrence"
data_source = "abstract"

[[estimates]]
factor = "conflict_with_supervisor"
contrast = "conflict vs none"
measure = "OR"
estimate = 2.21
ci_low = 1.21
ci_high = 4.04
estimate_type = "adjusted"
source_location = "Table 3"

[quips.alice]
participation = "low"
participation_note = "all eligible workers of two occupational health services invited, 85 % took part"
attrition = "moderate"
attrition_note = "18 % lost to follow-up, completers compared with dropouts on age and sex only"
factor_measurement = "low"
factor_measurement_note = "validated questionnaire at baseline"
outcome_measurement = "low"
outcome_measurement_note = "register-based sick leave"
confounding = "low"
confounding_note = "adjusted for age, sex, diagnosis and previous sick leave"
analysis = "low"
analysis_note = "logistic regression, events per variable > 10"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "studies").mkdir()
    (tmp_path / "factors.toml").write_text(FACTORS, encoding="utf-8")
    (tmp_path / "studies" / "s1.toml").write_text(STUDY, encoding="utf-8")
    return tmp_path


def _problems(folder: Path, old: str, new: str) -> list[str]:
    path = folder / "studies" / "s1.toml"
    path.write_text(STUDY.replace(old, new), encoding="utf-8")
    return validate_folder(folder, load_factors(folder / "factors.toml"))


def test_valid_study_loads(folder: Path) -> None:
    assert validate_folder(folder, load_factors(folder / "factors.toml")) == []
    study = load_study(folder / "studies" / "s1.toml", factors=load_factors(folder / "factors.toml"))
    assert study.estimates[0].estimate == 2.21 and study.quips["alice"]["attrition"] == "moderate"
    assert study.estimates[0].derived_finding() == "risk"


@pytest.mark.parametrize("old,new,expected", [
    ('factor = "conflict_with_supervisor"', 'factor = "conflict_with_boss"',
     "s1.toml:estimates[1].factor: unknown factor 'conflict_with_boss'"),
    ("ci_high = 4.04", "ci_high = 2.04", "s1.toml:estimates[1].estimate: CI 1.21-2.04 does not contain the estimate 2.21"),
    ('source_location = "Table 3"\n', "", "s1.toml:estimates[1].source_location: required field is missing"),
    ("ci_low = 1.21", "ci_low = 5.0", "s1.toml:estimates[1].ci_low: CI lower bound 5.0 is not below"),
    ('country = "NL"\n', "", "s1.toml:study.country: required field is missing"),
    ('design = "cohort"', 'design = "anecdote"', "s1.toml:study.design: 'anecdote' not one of"),
    ('estimate = 2.21', 'estimate = "2.21"', "s1.toml:estimates[1].estimate: expected number, got str"),
    ('attrition = "moderate"', 'attrition = "medium"', "s1.toml:quips.alice.attrition: 'medium' not one of"),
    ('attrition = "moderate"', 'dropout = "low"', "s1.toml:quips.alice.dropout: unknown QUIPS domain"),
    # a key the user chose is named as TOML spells it, the path to type into the file (rrev32b)
    ('attrition = "moderate"', '"drop out" = "low"', 's1.toml:quips.alice."drop out": unknown QUIPS domain'),
    ('[quips.alice]', '[quips."alice b"]\ndrop = "low"', 's1.toml:quips."alice b".drop: unknown QUIPS domain'),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\n"sample size" = 1',
     's1.toml:estimates[1]."sample size": unknown field'),
    ('model_x', 'model_x', None),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nrandom_field = 1', "estimates[1].random_field: unknown field"),
    ('id = "s1"', 'id = "s2"', "s1.toml:study.id: 's2' does not match the file name 's1'"),
    # walk33: counts no study can have validated and reached GRADE's optimal information size (and the base rates)
    ('data_source = "abstract"', 'data_source = "abstract"\nn = 100\nevents = 150',
     "s1.toml:study.events: 150 participants with the outcome, more than the 100 analysed (study.n) (line 12)"),
    ('data_source = "abstract"', 'data_source = "abstract"\nn = -5',
     "s1.toml:study.n: -5: participants analysed must be at least 1 (line 11)"),
    ('data_source = "abstract"', 'data_source = "abstract"\nevents = -1',
     "s1.toml:study.events: -1: a count of participants cannot be below 0 (line 11)"),
    ('data_source = "abstract"', 'data_source = "abstract"\nwashout_days = -28',
     "s1.toml:study.washout_days: -28: days at work cannot be below 0 (line 11)"),
    ('data_source = "abstract"', 'data_source = "abstract"\nn = 100\nevents = 100', None),
    # walk33: a p outside 0-1 validated; without a CI it decides the finding and every output shows it
    ("ci_low = 1.21\nci_high = 4.04\n", "p = 1.5\n",
     "s1.toml:estimates[1].p: 1.5 is no p-value: give one from 0 to 1 (a published 'p < 0.001' as 0.001) (line"),
    ("ci_low = 1.21\nci_high = 4.04\n", "p = -0.01\n", "s1.toml:estimates[1].p: -0.01 is no p-value"),
    ("ci_low = 1.21\nci_high = 4.04\n", "p = nan\n", "s1.toml:estimates[1].p: nan is no p-value"),
    ("ci_low = 1.21\nci_high = 4.04\n", "p = 0.001\n", None),
    # a stated direction must agree with the estimate's CI, flipped for a favourable outcome
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nfinding = "protective"',
     "s1.toml:estimates[1].finding: 'protective' contradicts OR 2.21 (1.21-4.04), which reads as 'risk' for "
     "recurrence"),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nfinding = "protective"\noutcome_favourable = true',
     None),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nfinding = "null"\nfinding_basis = "authors: n.s."',
     None),
    # walk33: a finding_basis let the opposite direction through (HR 1.50 (1.10-2.00) as 'protective', so the
    # synthesis called older age protective); it explains a null against a CI at its edge, never a turned direction
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nfinding = "protective"\nfinding_basis = "typo"',
     "s1.toml:estimates[1].finding: 'protective' contradicts OR 2.21 (1.21-4.04), which reads as 'risk' for "
     "recurrence, the opposite direction (check the contrast, the numbers and outcome_favourable; a finding_basis "
     "does not turn a direction around)"),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nfinding = "protective"\noutcome_favourable = true\n'
     'finding_basis = "authors"', None),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nfinding = "risk"\noutcome_favourable = true\n'
     'finding_basis = "authors"',
     "s1.toml:estimates[1].finding: 'risk' contradicts OR 2.21 (1.21-4.04) for the favourable outcome, which "
     "reads as 'protective' for recurrence, the opposite direction"),
    ('ci_low = 1.21', 'ci_low = "1.21"\nfinding = "risk"', "s1.toml:estimates[1].ci_low: expected number, got str"),
    # a CI at another level is checked at alpha 0.05 through its 95 % interval, which the message shows
    # (it showed the 90 % CI, which excludes 1, and called it 'null')
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04", "estimate = 1.5\nci_low = 1.05\nci_high = 2.14\n"
     'ci_level = 0.9\nfinding = "risk"',
     "s1.toml:estimates[1].finding: 'risk' contradicts OR 1.50 (90 % CI 1.05-2.14): its 95 % CI 0.98-2.29 "
     "includes 1, so it reads as 'null' for recurrence at α = 0.05, the level a stated finding is checked at "
     "(if the paper drew it at its own CI's level, give finding_basis)"),
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04", "estimate = 1.35\nci_low = 0.98\nci_high = 1.86\n"
     'ci_level = 0.99\nfinding = "null"',
     "s1.toml:estimates[1].finding: 'null' contradicts OR 1.35 (99 % CI 0.98-1.86): its 95 % CI 1.06-1.72 "
     "excludes 1, so it reads as 'risk' for recurrence at α = 0.05"),
    # small ratios keep their digits, as every output writes an estimate (it read "its 95 % CI 0.00-0.01")
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04", "estimate = 0.007\nci_low = 0.004\nci_high = 0.012\n"
     'ci_level = 0.9\nfinding = "null"',
     "s1.toml:estimates[1].finding: 'null' contradicts OR 0.007 (90 % CI 0.004-0.012): its 95 % CI 0.0036-0.013 "
     "excludes 1, so it reads as 'protective' for recurrence at α = 0.05"),
    # negative bounds are joined by "to": "its 95 % CI -5.29--1.71" read as a range to +1.71
    ("measure = \"OR\"\nestimate = 2.21\nci_low = 1.21\nci_high = 4.04",
     "measure = \"MD\"\nestimate = -3.5\nci_low = -5.0\nci_high = -2.0\nci_level = 0.9\nfinding = \"null\"",
     "s1.toml:estimates[1].finding: 'null' contradicts MD -3.50 (90 % CI -5.00 to -2.00): its 95 % CI -5.29 to "
     "-1.71 excludes 0"),
    # a Dutch wording without its field was dropped by every output (render._in_language reads the field first)
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\noutcome_nl = "duurzame werkhervatting"',
     "s1.toml:estimates[1].outcome_nl: a Dutch outcome without the outcome it translates: give both or neither"),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nsubgroup_nl = "vrouwen"',
     "s1.toml:estimates[1].subgroup_nl: a Dutch subgroup without the subgroup it translates"),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nsubgroup = "women"\nsubgroup_nl = "vrouwen"', None),
    # the instrument's evidence text joins estimates with '; ': a contrast holding one read as two estimates
    ('contrast = "conflict vs none"', 'contrast = "high; low"',
     "s1.toml:estimates[1].contrast: 'high; low' contains ';', which the instrument's evidence text puts between "
     "estimates: write the contrast with ',' or 'and'"),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\ncontrast_nl = "hoog; laag"',
     "s1.toml:estimates[1].contrast_nl: 'hoog; laag' contains ';'"),
    # the Dutch reason for a missing number is checked as the English one: only beside it, never alone
    # (the Dutch outputs show it where the English ones quote estimate_status)
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status_nl = "per eenheid van het omgekeerde"\n'
     'finding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].estimate_status_nl: a Dutch estimate_status without the estimate_status it translates"),
    # 'reported' is no reason to word in Dutch (it said 'without the estimate_status it translates', which was there)
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status = "reported"\n'
     'estimate_status_nl = "gerapporteerd"\nfinding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].estimate_status_nl: estimate_status is 'reported': nothing to word in Dutch"),
    # ... nor is a reason the outputs word themselves, or one beside a number: no output would show the Dutch
    # (a Dutch reason beside 'Not reported in abstract: …' was accepted and silently dropped)
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status = "Not reported in abstract: per unit"\n'
     'estimate_status_nl = "per eenheid"\nfinding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].estimate_status_nl: estimate_status 'Not reported in abstract: per unit' says the number "
     "is not in the abstract, which every output words itself without quoting it: leave estimate_status_nl out"),
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status = "not found in published text"\n'
     'estimate_status_nl = "niet gevonden"\nfinding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].estimate_status_nl: estimate_status 'not found in published text' says the number is "
     "not in the published text"),
    ('estimate_type = "adjusted"', 'estimate_type = "adjusted"\nestimate_status = "per unit of the opposite"\n'
     'estimate_status_nl = "per eenheid van het omgekeerde"',
     "s1.toml:estimates[1].estimate_status_nl: the estimate has a number, beside which no output quotes "
     "estimate_status: leave estimate_status_nl out"),
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status = "per unit of the opposite"\n'
     'estimate_status_nl = "per eenheid; het omgekeerde"\nfinding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].estimate_status_nl: 'per eenheid; het omgekeerde' contains ';'"),
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status = "per unit of the opposite"\n'
     'estimate_status_nl = "per eenheid van het omgekeerde"\nfinding = "risk"\nfinding_basis = "authors"\n', None),
    # the English reason is quoted as the Dutch one is: the same ';' rule, where it is quoted
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status = "per unit; the opposite"\n'
     'finding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].estimate_status: 'per unit; the opposite' contains ';', which the instrument's evidence "
     "text puts between estimates: write the reason with ',' or 'and'"),
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'estimate_status = "no effect measure in abstract; 81.6 vs '
     '76.0 per 1,000 person-years"\nfinding = "risk"\nfinding_basis = "authors"\n', None),  # worded, not quoted
    # one rule with review meta's ci_level column: a fraction 0.5 ≤ x < 1 or a percent 50 ≤ x < 100
    ("ci_high = 4.04", 'ci_high = 4.04\nci_level = 1.5\nfinding = "null"',
     "s1.toml:estimates[1].ci_level: 1.5 is no confidence level: give a fraction 0.5 ≤ x < 1 (0.95) or a "
     "percent 50 ≤ x < 100 (95)"),
    ("ci_high = 4.04", 'ci_high = 4.04\nci_level = 0.0001', "s1.toml:estimates[1].ci_level: 0.0001 is no confidence"),
    ("ci_high = 4.04", 'ci_high = 4.04\nci_level = 100', "s1.toml:estimates[1].ci_level: 100 is no confidence"),
    # 90 is the 90 % that 0.9 is: the same 95 % interval and message (it was refused as no fraction)
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04", "estimate = 1.5\nci_low = 1.05\nci_high = 2.14\n"
     'ci_level = 90\nfinding = "risk"',
     "s1.toml:estimates[1].finding: 'risk' contradicts OR 1.50 (90 % CI 1.05-2.14): its 95 % CI 0.98-2.29 "
     "includes 1, so it reads as 'null' for recurrence at α = 0.05"),
    # a CI so wide that its 95 % interval is past the float range: read as null, shown as 0.00-inf (the
    # back-transform raised OverflowError)
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04", "estimate = 1.5\nci_low = 1e-200\nci_high = 1e200\n"
     'ci_level = 0.5\nfinding = "risk"',
     "its 95 % CI 0.00-inf includes 1, so it reads as 'null' for recurrence"),
    # the label the source prints for a number recorded as another measure (Endo 2015: 'OR' for a Cox model's HR)
    ('measure = "OR"', 'measure = "HR"\nmeasure_as_published = "OR"\nnote = "Cox model: the abstract says OR"', None),
    ('measure = "OR"', 'measure = "HR"\nmeasure_as_published = "odds ratio"\nnote = "Cox model"', None),
    ('measure = "OR"', 'measure = "OR"\nmeasure_as_published = "or"\nnote = "as printed"',
     "s1.toml:estimates[1].measure_as_published: the source's label is the measure 'OR' itself: leave "
     "measure_as_published out (line 16)"),
    ('measure = "OR"', 'measure = "HR"\nmeasure_as_published = "OR"',
     "s1.toml:estimates[1].measure_as_published: say in note why the source's 'OR' is recorded as HR (line 16)"),
    ('measure = "OR"', 'measure = "HR"\nmeasure_as_published = "OR; Cox"\nnote = "Cox model"',
     "s1.toml:estimates[1].measure_as_published: 'OR; Cox' is no short label: letters, digits, spaces, '-' or '/', "
     "at most 20 characters, as the source prints the measure (e.g. 'OR') (line 16)"),
    ('measure = "OR"', 'measure = "HR"\nmeasure_as_published = "odds ratio from a Cox model"\nnote = "Cox"',
     "s1.toml:estimates[1].measure_as_published: 'odds ratio from a Cox model' is no short label"),
    ('measure = "OR"', 'measure = "HR"\nmeasure_as_published = 2\nnote = "Cox model"',
     "s1.toml:estimates[1].measure_as_published: expected string, got int 2 (line 16)"),
    ("estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", 'measure_as_published = "HR"\nnote = "Cox"\n'
     'estimate_status = "not reported in abstract"\nfinding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].measure_as_published: no output shows it without a number: leave measure_as_published "
     "out"),
    ('measure = "OR"\nestimate = 2.21\nci_low = 1.21\nci_high = 4.04\n', 'measure_as_published = "OR"\n'
     'note = "x"\nestimate_status = "not reported in abstract"\nfinding = "risk"\nfinding_basis = "authors"\n',
     "s1.toml:estimates[1].measure_as_published: the label the source prints needs the measure recorded instead"),
])
def test_validation_errors_are_one_line(folder: Path, old: str, new: str, expected: str | None) -> None:
    problems = _problems(folder, old, new)
    if expected is None:
        assert problems == []
        return
    assert any(expected in p for p in problems), problems
    assert all("\n" not in p and p.startswith(str(folder)) for p in problems)


_STATUS_PARTS = st.sampled_from(["reported", "Reported", "no estimate", "not reported in abstract", "Abstract",
                                  "not found in published text", "per unit of the opposite", "HR 0.95", ": ", " "])


@settings(max_examples=150, deadline=None)  # the first example imports the instrument
@given(parts=st.lists(_STATUS_PARTS, min_size=1, max_size=3), number=st.booleans())
def test_a_dutch_reason_is_accepted_exactly_where_the_dutch_report_shows_it(parts: list[str], number: bool) -> None:
    # One rule for the validator and render.missing_effect_text: a Dutch reason no output shows is refused.
    from review.instrument import render
    from review.instrument.project import study_evidence

    status = "".join(parts).strip()
    data = _study_data_with_status(status, "per eenheid van het omgekeerde", number)
    problems = validate_study_data(data, "s1.toml", form=load_form(None), factors=None)
    accepted = not [p for p in problems if "estimate_status_nl" in p]
    if status and not [p for p in problems if "estimate_status_nl" not in p]:
        study = study_from_data(data)
        effects, _expert = study_evidence([study])
        shown = render.effect_text(render.T("nl"), effects["conflict_with_supervisor"][0])
        assert accepted == ("per eenheid van het omgekeerde" in shown), (status, number, shown, problems)
        estimate = study.estimates[0]
        assert accepted == estimate_status_is_quoted(estimate.estimate, estimate.estimate_status)
    elif not status:
        assert not accepted


def _study_data_with_status(status: str, status_nl: str, number: bool) -> dict:
    """The STUDY fixture as parsed TOML with one estimate's status and Dutch reason, with or without its number."""
    import tomllib

    data = tomllib.loads(STUDY)
    estimate = data["estimates"][0]
    if not number:
        for key in ("estimate", "ci_low", "ci_high"):
            del estimate[key]
        estimate.update(finding="risk", finding_basis="authors")
    if status:
        estimate["estimate_status"] = status
    estimate["estimate_status_nl"] = status_nl
    return data


def test_missing_estimate_needs_a_status_and_a_finding(folder: Path) -> None:
    problems = _problems(folder, "estimate = 2.21\nci_low = 1.21\nci_high = 4.04\n", "")
    assert any("estimate_status: no estimate: say why" in p for p in problems)
    assert any("finding: no estimate: give the published direction" in p for p in problems)


def test_load_study_raises_first_problem_with_count(folder: Path) -> None:
    path = folder / "studies" / "s1.toml"
    path.write_text(STUDY.replace('country = "NL"\n', "").replace("ci_high = 4.04", "ci_high = 2.0"), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"study.country: required field is missing \(line 2\) \(\+1 more"):
        load_study(path, factors=load_factors(folder / "factors.toml"))


def test_bad_toml_is_one_line(folder: Path) -> None:
    (folder / "studies" / "s1.toml").write_text("[study\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="s1.toml: "):
        read_study_file(folder / "studies" / "s1.toml")


def test_save_and_reload_round_trip(folder: Path, tmp_path: Path) -> None:
    factors = load_factors(folder / "factors.toml")
    study = load_study(folder / "studies" / "s1.toml", factors=factors)
    study.estimates[0].adjusted_for = ["age", "sex"]
    study.notes = 'quote " and\nnewline'
    out = save_study(study, folder / "studies" / "s1.toml")
    again = load_study(out, factors=factors)
    assert again == study


def test_compare_two_extractors(folder: Path) -> None:
    factors = load_factors(folder / "factors.toml")
    a = load_study(folder / "studies" / "s1.toml", factors=factors)
    data = read_study_file(folder / "studies" / "s1.toml")
    data["estimates"][0]["ci_high"] = 4.4
    data["study"]["n"] = 158
    data["quips"] = {"bob": data["quips"]["alice"]}
    b = study_from_data(data)
    diffs = compare_studies(a, b)
    assert [str(d) for d in diffs] == [
        "study.n: None vs 158",
        "estimates[conflict_with_supervisor|conflict vs none|adjusted|OR].ci_high: 4.04 vs 4.4",
    ]
    assert any(d.field.startswith("quips.bob") for d in compare_studies(a, b, include_quips=True))


def test_compare_tells_a_papers_crude_and_adjusted_estimates_apart(folder: Path) -> None:
    """Both extractors enter a crude and an adjusted OR for one contrast; only the crude CI differs."""
    data = read_study_file(folder / "studies" / "s1.toml")
    adjusted = data["estimates"][0]
    data["estimates"] = [dict(adjusted, estimate_type="crude", estimate=2.5, ci_low=1.4, ci_high=4.5), adjusted]
    a = study_from_data(data)
    data["estimates"] = [dict(adjusted, estimate_type="crude", estimate=2.5, ci_low=1.4, ci_high=4.6), adjusted]
    b = study_from_data(data)
    assert [str(d) for d in compare_studies(a, b)] == [
        "estimates[conflict_with_supervisor|conflict vs none|crude|OR].ci_high: 4.5 vs 4.6"]


def test_compare_matches_an_estimate_whatever_else_each_file_holds(folder: Path) -> None:
    """One extractor entered the adjusted OR only, the other also the crude one: the adjusted ORs meet
    (the key depended on the file: 'f|c' on one side, 'f|c|adjusted|OR' on the other, so nothing matched)."""
    data = read_study_file(folder / "studies" / "s1.toml")
    adjusted = data["estimates"][0]
    a = study_from_data(data)
    data["estimates"] = [dict(adjusted, estimate_type="crude", estimate=2.5, ci_low=1.4, ci_high=4.5),
                         dict(adjusted, ci_high=4.4)]
    b = study_from_data(data)
    diffs = [(d.field, d.left, d.right) for d in compare_studies(a, b)]
    adjusted_key = "estimates[conflict_with_supervisor|conflict vs none|adjusted|OR]"
    assert [d for d in diffs if d[0].startswith(adjusted_key)] == [(f"{adjusted_key}.ci_high", 4.04, 4.4)]
    crude = [d for d in diffs if not d[0].startswith(adjusted_key)]
    assert ("estimates[conflict_with_supervisor|conflict vs none|crude|OR].ci_high", None, 4.5) in crude
    assert all(d[0].startswith("estimates[conflict_with_supervisor|conflict vs none|crude|OR].") and d[1] is None
               for d in crude)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(
    st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
    st.one_of(st.text(max_size=30), st.integers(-10**9, 10**9), st.booleans(),
              st.floats(allow_nan=False, allow_infinity=False),
              st.lists(st.text(max_size=10), max_size=3)),
    max_size=6,
))
def test_toml_writer_round_trips(values: dict) -> None:
    import tomllib

    data = {"study": values, "estimates": [dict(values)] if values else []}
    data = {k: v for k, v in data.items() if v not in ([], {})}
    assert tomllib.loads(dumps(data)) == data


def test_packaged_form_and_repo_form_agree() -> None:
    packaged = load_form(None)
    assert set(packaged.fields("estimate")) >= {"factor", "contrast", "measure", "estimate", "ci_low", "ci_high",
                                                "ci_level", "p", "estimate_type", "adjusted_for", "model",
                                                "source_location"}
    assert (REPO / "extraction" / "form.toml").read_text() == \
        (REPO / "src" / "review" / "extraction" / "form.toml").read_text()


def test_validate_study_data_without_factor_list() -> None:
    import tomllib

    data = tomllib.loads(STUDY)
    assert validate_study_data(data, "x.toml", form=load_form(None), factors=None) == []


def test_programme_data_is_valid() -> None:
    factors = load_factors(REPO / "extraction" / "factors.toml")
    assert validate_folder(REPO / "extraction", factors) == []
    # one study file per study included in the programme's look-up screening (screening/lookup/candidates.csv)
    with (REPO / "screening" / "lookup" / "candidates.csv").open(encoding="utf-8", newline="") as handle:
        included = {row["id"] for row in csv.DictReader(handle) if row["label"] == "include"}
    assert {p.stem for p in (REPO / "extraction" / "studies").glob("*.toml")} == included
    assert len(included) >= 15


def test_copy_of_programme_folder_validates(tmp_path: Path) -> None:
    shutil.copytree(REPO / "extraction" / "studies", tmp_path / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", tmp_path)
    assert validate_folder(tmp_path, load_factors(tmp_path / "factors.toml")) == []


def test_a_new_workspace_is_told_what_factor_list_to_write(tmp_path: Path) -> None:
    """``review init`` writes no factors.toml; the stages that need it say what goes in it."""
    from click.testing import CliRunner

    from review.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    for command in (["synthesis"], ["extraction", "validate"]):
        result = runner.invoke(main, ["-w", str(tmp_path / "ws"), *command])
        assert result.exit_code == 4, result.output
        (line,) = result.output.splitlines()
        assert "factors.toml: no factor list yet" in line and "[[factor]]" in line and "label_nl" in line


def test_an_estimate_is_built_from_a_file_table_in_one_place() -> None:
    """Estimate.from_mapping is what the file reader, the direction check and the form's direction
    column use: unknown keys left to validation, a missing required field a TypeError."""
    from review.extraction.model import Estimate
    from review.services.extraction import estimate_direction

    values = {"factor": "f", "contrast": "yes vs no", "estimate_type": "adjusted", "source_location": "Table 2",
              "measure": "OR", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8, "mesure": "typo"}
    estimate = Estimate.from_mapping(values)
    assert (estimate.measure, estimate.ci_high, estimate.derived_finding()) == ("OR", 0.8, "protective")
    assert estimate_direction(values) == "protective"
    with pytest.raises(TypeError):
        Estimate.from_mapping({"factor": "f"})
    assert estimate_direction({"factor": "f"}) == ""


@pytest.mark.parametrize(("old", "new", "said"), [
    ('domain = "social"', 'domain = "sociaal"', "factor[1].domain: 'sociaal' not one of personal, social, work, health"),
    ("modifiable = false", 'modifiable = "no"', "factor[2].modifiable: expected true or false"),
    # walk33: one factor under two ids ('supervisor_conflict' beside 'conflict_with_supervisor') was accepted, and
    # a study's estimates under each counted for two factors in the synthesis and the instrument
    ('label_en = "Age"', 'label_en = "conflict"',
     "factor[2].label_en: 'conflict' is also the label of factor[1] ('conflict'): one factor under two ids? give "
     "each factor its own label, or its estimates one id"),
    ('label_nl = "Leeftijd"', 'label_nl = " conflict"',
     "factor[2].label_nl: ' conflict' is also the label of factor[1] ('conflict'): one factor under two ids? give "
     "each factor its own label, or its estimates one id"),
])
def test_a_factor_list_problem_names_its_line(tmp_path: Path, old: str, new: str, said: str) -> None:
    # walk28: 'review: extraction/factors.toml:factor[1].domain: 'sociaal' not one of …' named no line, where a study
    # file's problem does.
    text = ('[[factor]]\nid = "conflict"\nlabel_en = "Conflict"\nlabel_nl = "Conflict"\ndomain = "social"\n'
            'modifiable = true\nassessable = true\n\n[[factor]]\nid = "age"\nlabel_en = "Age"\nlabel_nl = "Leeftijd"\n'
            'domain = "personal"\nmodifiable = false\nassessable = true\n')
    assert old in text
    path = tmp_path / "factors.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if row == new)
    with pytest.raises(ValidationError) as raised:
        load_factors(path)
    assert str(raised.value) == f"{path}:{said} (line {line})"


@pytest.mark.parametrize(("spec", "said"), [
    ('{ type = "integer", required = "false" }', "study.n.required: 'false': expected true or false, without quotes"),
    ('{ type = "integer", requried = true }', "study.n.requried: unknown key (known: choices, help, required, type)"),
    ('{ type = "choice", choices = "cohort" }',
     "study.n.choices: 'cohort': expected a list of texts, e.g. [\"cohort\", \"register\"]"),
    ('{ type = "integer", help = 3 }', "study.n.help: 3: expected text in quotes"),
])
def test_a_form_field_spec_is_checked_key_by_key(tmp_path: Path, spec: str, said: str) -> None:
    # walk28: required = "false" made the field required (bool("false")), a misspelt key was read by nothing.
    from review.extraction.forms import default_form_text

    text = default_form_text()
    old = next(row for row in text.splitlines() if row.startswith("n = {"))
    (tmp_path / "form.toml").write_text(text.replace(old, f"n = {spec}", 1), encoding="utf-8")
    line = text.splitlines().index(old) + 1
    with pytest.raises(ValidationError) as raised:
        load_form(tmp_path)
    assert str(raised.value) == f"{tmp_path / 'form.toml'}:{said} (line {line})"


@pytest.mark.parametrize(("written", "said"), [
    ("study = 3", "study: 3: expected a [study] table of fields, e.g. n = { type = \"integer\" }"),
    ('estimate = ["a"]', "estimate: ['a']: expected a [estimate] table of fields, e.g. n = { type = \"integer\" }"),
    ('quips = "x"', "quips: 'x': expected a [quips] table (domains, ratings)"),
    ("[study]\nn = 3", "study.n: needs a type"),
])
def test_a_form_section_of_the_wrong_shape_is_one_line(tmp_path: Path, written: str, said: str) -> None:
    # audit28: 'study = 3' was a TypeError ('int' object is not iterable), 'estimate = ["a"]' and 'quips = "x"' a
    # ValueError (dictionary update sequence), tracebacks from every extraction command; a field that is no table
    # was refused without its line.
    (tmp_path / "form.toml").write_text(f"# a form\n{written}\n", encoding="utf-8")
    line = 3 if written.startswith("[") else 2
    with pytest.raises(ValidationError) as raised:
        load_form(tmp_path)
    assert str(raised.value) == f"{tmp_path / 'form.toml'}:{said} (line {line})"


@pytest.mark.parametrize(("typed", "said"), [('"integr"', "'integr'"), ('["integer"]', "['integer']")])
def test_a_form_field_of_an_unknown_type_is_refused(tmp_path: Path, typed: str, said: str) -> None:
    # walk28: 'n = { type = "integr" }' in form.toml checked nothing, so a study's n = "two hundred" validated and
    # went into the synthesis.
    from review.extraction.forms import default_form_text

    text = default_form_text()
    old = 'n = { type = "integer"'
    assert old in text
    (tmp_path / "form.toml").write_text(text.replace(old, f'n = {{ type = {typed}', 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith(old))
    with pytest.raises(ValidationError) as raised:
        load_form(tmp_path)
    # (rrev28a: a list was a TypeError, a traceback)
    assert str(raised.value) == (f"{tmp_path / 'form.toml'}:study.n.type: {said} not one of string, text, integer, "
                                 f"number, boolean, list, choice (line {line})")


@pytest.mark.parametrize(("text", "said"), [
    ('[[factor]]\nid = ["conflict"]\n', "factor[1].id: expected text in quotes, got list ['conflict'] (line 2)"),
    ('[[factor]]\nid = "conflict"\nnotes = 3\n', "factor[1].notes: expected text in quotes, got int 3 (line 3)"),
    ('[factor]\nid = "conflict"\n', "factor: expected [[factor]] tables (double brackets), one per factor (line 1)"),
    ("factor = 3\n", "factor: expected [[factor]] tables (double brackets), one per factor (line 1)"),
])
def test_a_factor_list_of_the_wrong_shape_is_one_line(tmp_path: Path, text: str, said: str) -> None:
    # rrev28a: each was a traceback (unhashable type: 'list'; string indices must be integers; 'int' object is not
    # iterable) in every command reading factors.toml
    fields = 'label_en = "C"\nlabel_nl = "C"\ndomain = "social"\nmodifiable = true\nassessable = true\n'
    path = tmp_path / "factors.toml"
    path.write_text(text + (fields if text.startswith("[") else ""), encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_factors(path)
    assert str(raised.value) == f"{path}:{said}"


def test_an_estimate_whose_factor_is_a_list_is_named_not_a_traceback(tmp_path: Path) -> None:
    # walk28: factor = ["conflict_with_supervisor"] raised TypeError (unhashable type: 'list') in the cohort check,
    # in review extraction validate, load and synthesis alike.
    from review.extraction.forms import check_study_data

    data = {"study": {"id": "s1", "cohort_id": "s1", "citation": "A. J 2020", "country": "NL", "design": "cohort",
                      "evidence_type": "empirical", "outcome_definition": "recurrence", "data_source": "full text"},
            "estimates": [{"factor": ["conflict_with_supervisor"], "contrast": "yes vs no", "estimate_type": "crude",
                           "source_location": "Table 2", "measure": "OR", "estimate": 2.0, "ci_low": 1.2,
                           "ci_high": 3.3}]}
    problems = check_study_data(data, "s1.toml", form=load_form(None), factors=None, expected_id="s1").problems
    assert "s1.toml:estimates[1].factor: expected string, got list ['conflict_with_supervisor']" in problems
