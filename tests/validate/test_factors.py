"""Own-data factors against independent fits, and the own-data study flowing into the synthesis."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from statsmodels.duration.hazard_regression import PHReg

from review.errors import ValidationError
from review.extraction import load_factors, load_study
from review.extraction.forms import validate_folder
from review.instrument.build import signal_caution
from review.instrument.config import InstrumentConfig
from review.synthesis.factors import SynthesisSettings
from review.synthesis.run import synthesise_folder
from review.validate.factors import factor_associations
from review.validate.own_data import write_own_data_study
from review.validate.report import factors_lines

REPO_EXTRACTION = Path(__file__).resolve().parents[2] / "extraction"


def _cohort(write_csv, n: int = 400, seed: int = 5) -> tuple[Path, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    cols = {
        "conflict_with_supervisor": rng.integers(0, 2, n), "previous_sick_leave_episodes": rng.poisson(1, n),
        "age": rng.integers(25, 65, n),
    }
    lp = -1 + 0.8 * cols["conflict_with_supervisor"] + 0.3 * cols["previous_sick_leave_episodes"]
    cols["recurrence"] = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    t = rng.exponential(300 / np.exp(lp + 1))
    cols["event"] = (t < 400).astype(int)
    cols["days"] = np.round(np.minimum(t, 400), 2) + 0.01
    cols["site"] = rng.integers(0, 3, n)
    names = list(cols)
    rows = [("client", *names, "note")] + [(f"c{i}", *[cols[c][i] for c in names], "x") for i in range(n)]
    return write_csv("cohort.csv", rows), cols


def test_logistic_equals_scikit_learn(write_csv) -> None:
    path, cols = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", adjust=["age"],
                                 factors=["conflict_with_supervisor", "previous_sick_leave_episodes"])
    for assoc in result.factors:
        x = np.column_stack([cols[assoc.factor], cols["age"]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(x, cols["recurrence"])
        assert assoc.estimate == pytest.approx(np.exp(model.coef_[0][0]), rel=1e-4)
        assert assoc.ci_low < assoc.estimate < assoc.ci_high
        assert (assoc.n, assoc.events, assoc.measure) == (400, cols["recurrence"].sum(), "OR")
    assert result.factors[0].contrast.endswith("present vs absent")
    assert result.factors[1].contrast.startswith("per unit")


def test_cox_equals_statsmodels(write_csv) -> None:
    path, cols = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", time="days", event="event",
                                 factors=["conflict_with_supervisor"])
    fit = PHReg(cols["days"], cols["conflict_with_supervisor"].reshape(-1, 1).astype(float), status=cols["event"],
                ties="efron").fit()
    assert result.factors[0].estimate == pytest.approx(np.exp(fit.params[0]), rel=1e-4)
    assert result.factors[0].measure == "HR" and result.factors[0].events == cols["event"].sum()


def test_default_candidates_are_the_factor_ids(write_csv) -> None:
    path, _ = _cohort(write_csv)
    known = {f.id for f in load_factors(REPO_EXTRACTION / "factors.toml")}
    result = factor_associations(path, outcome="recurrence", known_factors=known)
    assert [f.factor for f in result.factors] == ["conflict_with_supervisor", "previous_sick_leave_episodes"]
    assert {"age", "days", "event", "site", "note"} <= set(result.not_candidates)


def test_outcome_not_binary_names_row(write_csv) -> None:
    path = write_csv("c.csv", [("recurrence", "bullying"), (1, 1), ("yes", 0)])
    with pytest.raises(ValidationError, match=r"c\.csv:line 3: column 'recurrence': 'yes' is not 0 or 1"):
        factor_associations(path, outcome="recurrence", factors=["bullying"])
    with pytest.raises(ValidationError, match=r"line 1: column 'relapse': no such column"):
        factor_associations(path, outcome="relapse", factors=["bullying"])


def test_to_extraction_enters_the_synthesis_and_keeps_hand_edits(write_csv, tmp_path: Path) -> None:
    extraction = tmp_path / "extraction"
    extraction.mkdir()
    for name in ("factors.toml", "form.toml"):
        shutil.copy(REPO_EXTRACTION / name, extraction / name)
    shutil.copytree(REPO_EXTRACTION / "studies", extraction / "studies")
    factor_list = load_factors(extraction / "factors.toml")
    path, cols = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", adjust=["age"],
                                 factors=["conflict_with_supervisor", "previous_sick_leave_episodes", "site"])
    own = write_own_data_study(result, extraction, factor_list)
    assert own.study_id == "own_cohort" and own.written == ["conflict_with_supervisor", "previous_sick_leave_episodes"]
    assert own.skipped == ["site: not a factor id of factors.toml"]
    assert validate_folder(extraction, factor_list) == []
    study = load_study(own.path, factors=factor_list)
    assert study.data_source == "own data" and study.estimates[0].estimate_type == "adjusted"
    # the events GRADE's optimal information size counts (walk28: only n was written, so the rows bounded them)
    assert (study.n, study.events) == (400, cols["recurrence"].sum()) and 0 < study.events < study.n
    assert (study.estimates[0].source_kind, study.estimates[0].reference) == ("own data", "absent")
    # The instrument's Dutch outputs show each number with its contrast: in Dutch, from factors.toml's label.
    # Named by factors.toml's label, the comparison in brackets: 'Conflict met leidinggevende: aanwezig vs afwezig:
    # OR …' had two colons, and the English 'conflict_with_supervisor present vs absent' the column's raw name.
    assert study.estimates[0].contrast == "Conflict with supervisor (present vs absent)"
    assert study.estimates[0].contrast_nl == "Conflict met leidinggevende (aanwezig vs afwezig)"
    assert (study.estimates[1].contrast, study.estimates[1].contrast_nl) == (
        "Number of previous sick-leave episodes (per unit)", "Aantal eerdere verzuimperiodes (per eenheid)")

    results, _ = synthesise_folder(extraction, SynthesisSettings())
    conflict = next(r for r in results if r.factor.id == "conflict_with_supervisor")
    assert "own_cohort" in conflict.evidence.studies
    row = next(r for r in conflict.rows if r.study.id == "own_cohort")
    assert row.finding == "risk" and row.rob == "unrated"

    # a reviewer rates the risk of bias and describes the data set; a re-run keeps both
    text = own.path.read_text(encoding="utf-8").replace('setting = "', 'setting = "UWV clients 2019-2022; ', 1)
    text += '\n[quips.anna]\n' + "".join(f'{d} = "low"\n{d}_note = "checked in the data dictionary"\n'
                                         for d in ("participation", "attrition", "factor_measurement",
                                                   "outcome_measurement", "confounding", "analysis"))
    own.path.write_text(text, encoding="utf-8")
    write_own_data_study(result, extraction, factor_list)
    again = load_study(own.path, factors=factor_list)
    assert again.setting.startswith("UWV clients 2019-2022") and again.quips["anna"]["analysis"] == "low"
    results, _ = synthesise_folder(extraction, SynthesisSettings())
    conflict = next(r for r in results if r.factor.id == "conflict_with_supervisor")
    assert next(r for r in conflict.rows if r.study.id == "own_cohort").rob == "low"
    # a second rater half-way through: a draft, which a re-run keeps (it refused the whole re-run)
    own.path.write_text(own.path.read_text(encoding="utf-8") + '\n[quips.ben]\nparticipation = "low"\n',
                        encoding="utf-8")
    write_own_data_study(result, extraction, factor_list)
    assert load_study(own.path, factors=factor_list, draft=True).quips["ben"] == {"participation": "low"}


def test_own_data_alone_stays_unreplicated_in_grade_and_the_instrument(write_csv, tmp_path: Path) -> None:
    extraction = tmp_path / "extraction"
    (extraction / "studies").mkdir(parents=True)
    for name in ("factors.toml", "form.toml"):
        shutil.copy(REPO_EXTRACTION / name, extraction / name)
    factor_list = load_factors(extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    write_own_data_study(factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"]),
                         extraction, factor_list)
    results, _ = synthesise_folder(extraction, SynthesisSettings())
    conflict = next(r for r in results if r.factor.id == "conflict_with_supervisor")
    grade = conflict.grade
    # One cohort, unrated: moderate, risk of bias -1, 'few studies' -1 → very low, as a single
    # published cohort; so the instrument asks it with "caution: not yet replicated".
    assert grade is not None and grade.certainty == "very low" and grade.domains["publication_bias"].change == -1
    reason = grade.domains["publication_bias"].reason
    assert "the programme's own data (own_cohort)" in reason and "one cohort is no replication" in reason
    assert signal_caution(conflict.evidence, InstrumentConfig()) == "unreplicated"
    # beside the review's published cohort, the own data are named as such
    shutil.copytree(REPO_EXTRACTION / "studies", extraction / "studies", dirs_exist_ok=True)
    results, _ = synthesise_folder(extraction, SynthesisSettings())
    grade = next(r for r in results if r.factor.id == "conflict_with_supervisor").grade
    assert grade is not None and grade.domains["publication_bias"].reason == (
        "2 independent cohorts, 1 of them the programme's own data (own_cohort), which were not selected by publication")


def _extraction_with_the_review(tmp_path: Path) -> Path:
    extraction = tmp_path / "extraction"
    extraction.mkdir()
    for name in ("factors.toml", "form.toml"):
        shutil.copy(REPO_EXTRACTION / name, extraction / name)
    shutil.copytree(REPO_EXTRACTION / "studies", extraction / "studies")
    return extraction


def _units(extraction: Path, factor: str = "conflict_with_supervisor") -> str:
    results, _ = synthesise_folder(extraction, SynthesisSettings())
    return next(r for r in results if r.factor.id == factor).evidence.explanation


def test_one_cohort_is_one_unit_in_the_synthesis(write_csv, tmp_path: Path) -> None:
    # decision 0027: a second study file of the same data would be a second cohort unit in the synthesis
    extraction = _extraction_with_the_review(tmp_path)
    factor_list = load_factors(extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    first = write_own_data_study(result, extraction, factor_list)
    assert first.warnings == [] and "2/2 studies agree" in _units(extraction)  # own_cohort and arends2014
    # another analysis of the same file (one cohort, several outcomes): written, with the first's cohort_id
    survival = factor_associations(path, outcome="recurrence", time="days", event="event",
                                   factors=["conflict_with_supervisor"])
    rtw = write_own_data_study(survival, extraction, factor_list, study_id="own_cohort_rtw")
    assert len(rtw.warnings) == 1 and rtw.warnings[0].startswith("own-data study own_cohort (")
    assert "own_cohort_rtw is written with its cohort_id 'own_cohort'" in rtw.warnings[0]
    assert load_study(rtw.path, factors=factor_list).cohort_id == "own_cohort"
    assert write_own_data_study(survival, extraction, factor_list, study_id="own_cohort_rtw").warnings == []
    # the same content under another name is still the same clients
    copy = path.with_name("cohort-copy.csv")
    shutil.copy(path, copy)
    again = write_own_data_study(factor_associations(copy, outcome="recurrence", factors=["conflict_with_supervisor"]),
                                 extraction, factor_list)
    assert load_study(again.path, factors=factor_list).cohort_id == "own_cohort" and len(again.warnings) == 1
    assert "2/2 studies agree" in _units(extraction)  # three own-data files, still one cohort unit
    # a later extract of a file of this name under another id: written, with the way to count it once
    path.write_text(path.read_text(encoding="utf-8") + "c9999,1,0,40,1,0,12.5,0,x\n", encoding="utf-8")
    later = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    second = write_own_data_study(later, extraction, factor_list, study_id="own_cohort_2027")
    assert [w.split(" (")[0] for w in second.warnings] == ["own-data study own_cohort", "own-data study own_cohort_rtw"]
    assert all("give the two studies the same cohort_id" in w for w in second.warnings)
    # the reviewer does so: a re-run no longer asks for it
    second.path.write_text(second.path.read_text(encoding="utf-8").replace(
        'cohort_id = "own_cohort_2027"', 'cohort_id = "own_cohort"'), encoding="utf-8")
    assert write_own_data_study(later, extraction, factor_list, study_id="own_cohort_2027").warnings == []
    # a corrected extract onto its own study: replaced, with a word on the description and ratings kept
    path.write_text(path.read_text(encoding="utf-8").replace("c9999,1,0,40", "c9999,1,1,40"), encoding="utf-8")
    corrected = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    replaced = write_own_data_study(corrected, extraction, factor_list, study_id="own_cohort_2027")
    assert [w.split(":")[0] for w in replaced.warnings] == ["own_cohort_2027.toml"]
    assert replaced.warnings[0].startswith("own_cohort_2027.toml: its estimates came from other content than cohort.csv")


def test_the_same_content_onto_another_cohorts_study_is_refused(write_csv, tmp_path: Path) -> None:
    # It kept the target's cohort_id and so counted the clients twice (refused before session 12's fixes).
    extraction = _extraction_with_the_review(tmp_path)
    factor_list = load_factors(extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    write_own_data_study(result, extraction, factor_list)  # own_cohort, cohort_id own_cohort
    other = path.with_name("other.csv")
    other.write_text(path.read_text(encoding="utf-8") + "c9999,1,0,40,1,0,12.5,0,x\n", encoding="utf-8")
    elsewhere = write_own_data_study(factor_associations(other, outcome="recurrence",
                                                         factors=["conflict_with_supervisor"]),
                                     extraction, factor_list, study_id="clinic_b")
    before = elsewhere.path.read_text(encoding="utf-8")
    with pytest.raises(ValidationError, match=r"clinic_b.toml: its estimates came from other content, with "
                                              r"cohort_id 'clinic_b'.*count twice.*--study-id own_cohort, or set "
                                              r"cohort_id = 'own_cohort' in clinic_b.toml"):
        write_own_data_study(result, extraction, factor_list, study_id="clinic_b")
    assert elsewhere.path.read_text(encoding="utf-8") == before
    # with the cohort_id set as asked, it is one cohort: written
    elsewhere.path.write_text(before.replace('cohort_id = "clinic_b"', 'cohort_id = "own_cohort"'), encoding="utf-8")
    rewritten = write_own_data_study(result, extraction, factor_list, study_id="clinic_b")
    assert load_study(rewritten.path, factors=factor_list).cohort_id == "own_cohort"


def test_a_study_from_before_the_content_hash_is_not_said_to_come_from_other_content(
        write_csv, tmp_path: Path, monkeypatch) -> None:
    import re

    import review.validate.own_data as own_data

    extraction = _extraction_with_the_review(tmp_path)
    factor_list = load_factors(extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    own = write_own_data_study(result, extraction, factor_list)
    text = own.path.read_text(encoding="utf-8")
    assert re.search(r"cohort\.csv \(sha256:[0-9a-f]{16}; ", text)
    own.path.write_text(re.sub(r"sha256:[0-9a-f]{16}; ", "", text), encoding="utf-8")  # as written before the hash
    hashed = []
    real_hash = own_data.content_hash
    monkeypatch.setattr(own_data, "content_hash", lambda file: hashed.append(file) or real_hash(file))
    rerun = write_own_data_study(result, extraction, factor_list)
    assert rerun.warnings == ["own_cohort.toml: its estimates are not known to come from this content of cohort.csv "
                              "(written before estimates named their data's content hash); they are replaced, and its "
                              "description, cohort_id and QUIPS ratings are kept: check they still apply"]
    assert hashed == [path]  # the data file is read for its hash once per write


def test_own_data_of_a_published_cohort_counts_once_by_cohort_id(write_csv, tmp_path: Path) -> None:
    # the programme's cohort also in a paper of the review: the reviewer sets the paper's cohort_id by hand,
    # a re-run keeps it, and the synthesis counts the two as one cohort unit
    extraction = _extraction_with_the_review(tmp_path)
    factor_list = load_factors(extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    own = write_own_data_study(result, extraction, factor_list)
    text = own.path.read_text(encoding="utf-8")
    results, _ = synthesise_folder(extraction, SynthesisSettings())
    two = next(r for r in results if r.factor.id == "conflict_with_supervisor").evidence
    assert "2/2 studies agree" in two.explanation  # two cohort units
    own.path.write_text(text.replace('cohort_id = "own_cohort"', 'cohort_id = "arends2014"'), encoding="utf-8")
    write_own_data_study(result, extraction, factor_list)
    assert load_study(own.path, factors=factor_list).cohort_id == "arends2014"
    results, _ = synthesise_folder(extraction, SynthesisSettings())
    one = next(r for r in results if r.factor.id == "conflict_with_supervisor").evidence
    assert "one study" in one.explanation and "arends2014+own_cohort (risk" in one.explanation


def test_to_extraction_refuses_a_published_study_file(write_csv, tmp_path: Path) -> None:
    extraction = tmp_path / "extraction"
    shutil.copytree(REPO_EXTRACTION / "studies", extraction / "studies")
    shutil.copy(REPO_EXTRACTION / "factors.toml", extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    with pytest.raises(ValidationError, match="not an own-data study"):
        write_own_data_study(result, extraction, load_factors(extraction / "factors.toml"), study_id="arends2014")


def test_synthetic_data_never_becomes_a_study_file(write_csv, tmp_path: Path) -> None:
    # the demo's estimates were written to extraction/studies and counted by review synthesis like a
    # cohort's: invented effect sizes on their way into the instrument
    extraction = tmp_path / "extraction"
    (extraction / "studies").mkdir(parents=True)
    shutil.copy(REPO_EXTRACTION / "factors.toml", extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    path.write_text("# SYNTHETIC test cohort\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    with pytest.raises(ValidationError, match=r"cohort\.csv: SYNTHETIC demo data never becomes a study file"):
        write_own_data_study(result, extraction, load_factors(extraction / "factors.toml"))
    assert list((extraction / "studies").iterdir()) == []


def test_decimal_comma_covariate_is_a_number_not_categories(write_csv, tmp_path: Path) -> None:
    # a Dutch export (';' separated, '41,5') made 'age' a text column: one indicator per age
    path, cols = _cohort(write_csv)
    dot = factor_associations(path, outcome="recurrence", adjust=["age"], factors=["conflict_with_supervisor"])
    comma = tmp_path / "comma.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    comma.write_text("\n".join(line.replace(",", ";") for line in lines[:1]) + "\n" + "\n".join(
        ";".join(c if i != 3 else f"{c},0" for i, c in enumerate(line.split(","))) for line in lines[1:]) + "\n",
        encoding="utf-8")
    result = factor_associations(comma, outcome="recurrence", adjust=["age"], factors=["conflict_with_supervisor"])
    assert result.factors[0].estimate == pytest.approx(dot.factors[0].estimate)
    assert result.factors[0].events_per_parameter == pytest.approx(dot.factors[0].events_per_parameter)
    assert candidate_names(comma) == candidate_names(path)  # a decimal-comma column is numeric too


def candidate_names(path: Path) -> list[str]:
    return [f.factor for f in factor_associations(path, outcome="recurrence").factors]


def test_missing_values_are_counted_and_few_events_flagged(write_csv, tmp_path: Path) -> None:
    path, cols = _cohort(write_csv, n=120)
    lines = path.read_text(encoding="utf-8").splitlines()
    for row in (2, 5, 9):  # file rows 3, 6, 10 lose their age, row 6 also its outcome
        cells = lines[row].split(",")
        cells[3] = ""
        if row == 5:
            cells[4] = ""
        lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = factor_associations(path, outcome="recurrence", adjust=["age", "site"],
                                 factors=["conflict_with_supervisor"])
    assert result.missing == {"recurrence": 1, "age": 3}
    assoc = result.factors[0]
    assert (assoc.n, assoc.excluded) == (117, 3)
    rarer = min(assoc.events, assoc.n - assoc.events)
    assert assoc.events_per_parameter == pytest.approx(rarer / 3, abs=0.01)  # factor, age, site (a number)
    assert not assoc.few_events and assoc.note == ""

    # an estimate with fewer than ten events per parameter is flagged and stays out of the study file
    both = factor_associations(path, outcome="recurrence", adjust=["age", "site"],
                               factors=["conflict_with_supervisor", "previous_sick_leave_episodes"])
    both.factors[1].events_per_parameter = 6.5
    assert both.factors[1].few_events and not both.factors[0].few_events
    extraction = tmp_path / "extraction"
    (extraction / "studies").mkdir(parents=True)
    shutil.copy(REPO_EXTRACTION / "factors.toml", extraction / "factors.toml")
    both.factors[1].note = "few events: 6.5 per parameter"
    own = write_own_data_study(both, extraction, load_factors(extraction / "factors.toml"))
    assert own.written == ["conflict_with_supervisor"]
    assert own.skipped == ["previous_sick_leave_episodes: few events: 6.5 per parameter"]


def test_few_events_per_parameter_are_noted(write_csv) -> None:
    path, cols = _cohort(write_csv, n=60, seed=8)
    result = factor_associations(path, outcome="recurrence", adjust=["age", "site"],
                                 factors=["conflict_with_supervisor"])
    assoc = result.factors[0]
    rarer = min(assoc.events, assoc.n - assoc.events)
    assert rarer < 30 and assoc.events_per_parameter == pytest.approx(rarer / 3, abs=0.01)
    assert assoc.few_events and assoc.note.startswith(f"few events: {rarer / 3:.1f} per parameter (3 parameters")


def test_a_word_in_a_numeric_adjustment_column_is_an_error_not_categories(write_csv) -> None:
    # 'age' with one typo ('4O') became a text column: one indicator per age, silently
    path, _ = _cohort(write_csv)
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[6].split(",")
    cells[3] = "4O"
    lines[6] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"line 7: column 'age': '4O' is not a number \(the column's other"):
        factor_associations(path, outcome="recurrence", adjust=["age"], factors=["conflict_with_supervisor"])
    lines = [lines[0]] + [line.rsplit(",", 1)[0] + ("," + "ba"[i % 2]) for i, line in enumerate(lines[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # 'note' holds b/a: categories, reference 'a'
    result = factor_associations(path, outcome="recurrence", adjust=["note"], factors=["conflict_with_supervisor"])
    assert result.references == {"note": "a"} and result.to_json()["adjust_reference"] == {"note": "a"}


def _holm_by_hand(pvalues: list[float]) -> list[float]:
    """Holm (1979), step-down: the j-th smallest p times (m - j + 1), never below an earlier one, capped at 1."""
    m, order = len(pvalues), sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def test_holm_adjusts_over_the_factors_with_an_estimate(write_csv) -> None:
    path, cols = _cohort(write_csv)
    rows = [line.split(",") for line in path.read_text().splitlines()]
    rows[0].append("constant_factor")
    for row in rows[1:]:
        row.append("1")  # does not vary: no estimate, so no member of the family
    path.write_text("".join(",".join(r) + "\n" for r in rows))
    result = factor_associations(path, outcome="recurrence", adjust=["age"],
                                 factors=["conflict_with_supervisor", "previous_sick_leave_episodes", "site",
                                          "constant_factor"])
    tested = [f for f in result.factors if f.p is not None]
    assert len(tested) == 3 and result.factors[-1].p_holm is None
    assert [f.p_holm for f in tested] == pytest.approx(_holm_by_hand([f.p for f in tested]), rel=1e-12)
    assert all(f.p_holm >= f.p for f in tested)
    assert result.to_json()["p_adjustment"] == "holm"
    assert any("p Holm: adjusted for the 3 factors tested" in line for line in factors_lines(result))


def test_schoenfeld_flags_follow_holm_over_the_factors(write_csv, monkeypatch) -> None:
    import review.validate.factors as factors_module

    path, _ = _cohort(write_csv)
    names = ["conflict_with_supervisor", "previous_sick_leave_episodes", "site"]
    real = factor_associations(path, outcome="event", time="days", factors=names)
    checked = [f.ph_p for f in real.factors]
    assert None not in checked  # the real Schoenfeld p of each Cox model, adjusted as a family
    assert [f.ph_p_holm for f in real.factors] == pytest.approx(_holm_by_hand(checked), rel=1e-12)
    # p .02 alone says "not proportional"; one of three factors, Holm makes it .06: no flag
    given = iter([0.02, 0.30, 0.60])
    monkeypatch.setattr(factors_module, "ph_test_p", lambda cox, frame: {"__factor": next(given)})
    result = factor_associations(path, outcome="event", time="days", factors=names)
    assert [f.ph_p for f in result.factors] == [0.02, 0.30, 0.60]
    assert [f.ph_p_holm for f in result.factors] == pytest.approx([0.06, 0.60, 0.60])
    assert not any("not proportional" in f.note for f in result.factors)
    given = iter([0.001, 0.30, 0.60])  # .003 after Holm: flagged, with both p
    result = factor_associations(path, outcome="event", time="days", factors=names)
    assert "hazards not proportional? Schoenfeld test p 0.001, Holm over 3 factors 0.003" in result.factors[0].note
    assert result.to_json()["factors"][0]["ph_p_holm"] == pytest.approx(0.003)
    flagged = next(line for line in factors_lines(result) if line.startswith(names[0]))
    assert flagged.endswith(f"  ({result.factors[0].note})")  # the report line's note, in brackets


def test_holm_by_hand_matches_a_worked_example() -> None:
    # four p values; sorted .005 .01 .03 .04 -> x4 .02, x3 .03, x2 .06, x1 .04 -> .06 (monotone)
    assert _holm_by_hand([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_to_extraction_writes_no_dutch_contrast_into_a_form_that_predates_it(write_csv, tmp_path: Path) -> None:
    # A workspace's form.toml from before 2026-12-06 has no contrast_nl: the own-data file must stay valid.
    extraction = tmp_path / "extraction"
    (extraction / "studies").mkdir(parents=True)
    shutil.copy(REPO_EXTRACTION / "factors.toml", extraction / "factors.toml")
    form = (REPO_EXTRACTION / "form.toml").read_text(encoding="utf-8")
    (extraction / "form.toml").write_text("".join(line for line in form.splitlines(keepends=True)
                                                  if not line.startswith(("contrast_nl", "model_building"))),
                                          encoding="utf-8")
    factor_list = load_factors(extraction / "factors.toml")
    path, _ = _cohort(write_csv)
    result = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    own = write_own_data_study(result, extraction, factor_list)
    assert validate_folder(extraction, factor_list) == []
    assert "contrast_nl" not in own.path.read_text(encoding="utf-8")
    assert "model_building" not in own.path.read_text(encoding="utf-8")  # nor one from before 2026-12-06


def test_to_extraction_records_pre_specified_model_building_only_from_the_plan(write_csv, tmp_path: Path) -> None:
    # The analysis selects no variables, but an --adjust set typed at the prompt may have been chosen after
    # seeing these data: only a run from the analysis plan (validate run) is on record as pre-specified.
    from click.testing import CliRunner

    from review.cli import main

    runner = CliRunner()
    workspace = tmp_path / "ws"
    assert runner.invoke(main, ["init", str(workspace), "--title", "Own data"]).exit_code == 0
    shutil.copy(REPO_EXTRACTION / "factors.toml", workspace / "extraction" / "factors.toml")
    (workspace / "extraction" / "studies").mkdir(exist_ok=True)
    cohort, _ = _cohort(write_csv)  # outside the workspace, as real client data must be
    ws = ["-w", str(workspace)]
    factors = ["--factor", "conflict_with_supervisor", "--factor", "previous_sick_leave_episodes"]
    own = workspace / "extraction" / "studies" / "own_cohort.toml"
    factor_list = load_factors(workspace / "extraction" / "factors.toml")

    def report() -> str:
        result = runner.invoke(main, [*ws, "synthesis", "--no-plots"])
        assert result.exit_code == 0, result.output
        return (workspace / "extraction" / "synthesis.md").read_text(encoding="utf-8")

    result = runner.invoke(main, [*ws, "validate", "factors", str(cohort), "--outcome", "recurrence", "--adjust", "age",
                                  *factors, "--to-extraction"])
    assert result.exit_code == 0, result.output
    study = load_study(own, factors=factor_list)
    assert {(e.model_building, e.model) for e in study.estimates} == {
        ("", "logistic regression (statsmodels), multivariable")}
    text = report()
    assert ("adjusted estimate of the programme's own data: no variable selection by the analysis; "
            "pre-specification not recorded, read as confirmatory") in text
    assert "pre-specified model" not in text

    # the same analysis from the plan file: pre-specified, and GRADE says so (the start is phase 2 either way)
    plan = tmp_path / "analyses.toml"
    plan.write_text(f'[[analysis]]\nname = "own"\nkind = "factors"\nfile = "{cohort}"\noutcome = "recurrence"\n'
                    'adjust = ["age"]\nfactor = ["conflict_with_supervisor", "previous_sick_leave_episodes"]\n'
                    'to_extraction = true\n', encoding="utf-8")
    result = runner.invoke(main, [*ws, "validate", "run", "--plan", str(plan), "--out", str(tmp_path / "results")])
    assert result.exit_code == 0, result.output
    study = load_study(own, factors=factor_list)
    assert {(e.model_building, e.model) for e in study.estimates} == {
        ("pre-specified", "logistic regression (statsmodels), multivariable")}
    text = report()
    assert "adjusted estimate from a pre-specified model" in text and "pre-specification not recorded" not in text

    # crude: GRADE reads a crude estimate as exploratory, whatever the run
    result = runner.invoke(main, [*ws, "validate", "factors", str(cohort), "--outcome", "recurrence", *factors,
                                  "--to-extraction"])
    assert result.exit_code == 0, result.output
    study = load_study(own, factors=factor_list)
    assert {(e.estimate_type, e.model_building, e.model) for e in study.estimates} == {
        ("crude", "", "logistic regression (statsmodels), univariable")}
    text = report()
    assert "crude estimate only" in text and "pre-specified model" not in text


def test_a_stray_code_in_a_0_1_factor_is_questioned_naming_its_row(write_csv, tmp_path) -> None:
    """One '2' in a 0/1 column made the factor 'per unit' with nothing said: now its line asks, naming the row."""
    path, cols = _cohort(write_csv)
    lines = path.read_text().splitlines()
    cells = lines[37].split(",")
    cells[1] = "2"  # conflict_with_supervisor of the client on file row 38
    lines[37] = ",".join(cells)
    typo = tmp_path / "typo.csv"
    typo.write_text("\n".join(lines) + "\n")
    result = factor_associations(typo, outcome="recurrence", factors=["conflict_with_supervisor",
                                                                      "previous_sick_leave_episodes"])
    conflict, episodes = result.factors
    assert conflict.contrast.startswith("per unit")
    assert "0 or 1 in 399 of 400 rows; line 38 holds '2': a wrong code in a 0/1 factor?" in conflict.note
    assert "line 38" in "\n".join(factors_lines(result))
    assert episodes.note == "" and (cols["previous_sick_leave_episodes"] > 1).mean() > 0.05  # a real count is not
    clean = factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])
    assert clean.factors[0].note == "" and clean.factors[0].contrast.endswith("present vs absent")


def test_the_rows_of_each_adjustment_category_are_reported(write_csv) -> None:
    """A Dutch spelling among English codes ('depressie' beside 'depressive') is a category of its own; the
    report and the JSON count each category's rows, so one stray row shows."""
    rows = [("client", "conflict", "diagnosis", "recurrence")]
    rng = np.random.default_rng(2)
    for i in range(120):
        diagnosis = "depressie" if i == 7 else ("depressive", "anxiety")[i % 2]
        rows.append((f"c{i}", int(rng.integers(0, 2)), diagnosis, int(rng.random() < 0.4)))
    result = factor_associations(write_csv("mix.csv", rows), outcome="recurrence", adjust=["diagnosis"],
                                 factors=["conflict"])
    assert result.to_json()["adjust_categories"] == {"diagnosis": {"anxiety": 59, "depressie": 1, "depressive": 60}}
    assert "diagnosis (reference 'anxiety'; rows: anxiety 59, depressie 1, depressive 60)" in factors_lines(result)[0]


def test_each_numeric_columns_range_is_reported_so_an_impossible_value_shows(write_csv, tmp_path) -> None:
    """Cohort columns have no declared range: an age of 212 or -4 episodes went into the model unseen. The report
    and the JSON give each numeric column's lowest and highest value (0/1 columns only in the JSON)."""
    path, cols = _cohort(write_csv)
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[20].split(",")
    cells[header.index("age")], cells[header.index("previous_sick_leave_episodes")] = "212", "-4"
    lines[20] = ",".join(cells)
    typo = tmp_path / "ages.csv"
    typo.write_text("\n".join(lines) + "\n")
    result = factor_associations(typo, outcome="event", time="days", adjust=["age"],
                                 factors=["conflict_with_supervisor", "previous_sick_leave_episodes"])
    ranges = result.to_json()["ranges"]
    assert ranges["age"] == (cols["age"].min(), 212) and ranges["conflict_with_supervisor"] == (0, 1)
    assert ranges["previous_sick_leave_episodes"] == (-4, cols["previous_sick_leave_episodes"].max())
    assert ranges["days"] == pytest.approx((cols["days"].min(), cols["days"].max()))
    (line,) = [line for line in factors_lines(result) if line.startswith("ranges")]
    assert f"age {cols['age'].min()} to 212" in line and "previous_sick_leave_episodes -4 to" in line
    assert "conflict_with_supervisor" not in line


def test_without_a_factor_list_the_unanalysed_columns_are_the_text_ones(write_csv) -> None:
    """'not a factor id of factors.toml' was said when there was no factors.toml."""
    path, _ = _cohort(write_csv)
    crude = factor_associations(path, outcome="recurrence", time="days", event="event")
    assert "not analysed (not numeric): note" in factors_lines(crude)
    listed = factor_associations(path, outcome="recurrence", known_factors={"conflict_with_supervisor"})
    assert "not analysed (not numeric, or not a factor id of factors.toml): " in "\n".join(factors_lines(listed))


def test_the_slow_steps_report_their_progress(write_csv, monkeypatch) -> None:
    """walk30: 20 Cox factors at 50,000 clients ran 56 s (32 s CPU) and predictive's bootstrap 32 s without a
    word. Each factor's model and the resamples are reported to whoever listens (the CLI: a line on a terminal's
    stderr); nobody listening, nothing is said."""
    from click.testing import CliRunner

    from review.cli import main
    from review.cli import validate as cli_validate
    from review.validate.predictive import predictive_check
    from review.validate.progress import reporting_progress

    path, _ = _cohort(write_csv)
    heard: list[tuple[str, int, int]] = []
    with reporting_progress(lambda what, done, total: heard.append((what, done, total))):
        factor_associations(path, outcome="recurrence", time="days", event="event",
                            factors=["conflict_with_supervisor", "previous_sick_leave_episodes"])
        predictive_check(path, outcome="event", predictor="conflict_with_supervisor", time="days", horizon=300,
                         n_boot=120)
    assert heard[:3] == [("Cox models, now conflict_with_supervisor", 0, 2),
                         ("Cox models, now previous_sick_leave_episodes", 1, 2), ("Cox models", 2, 2)]
    assert [h for h in heard[3:] if h[0] == "bootstrap resamples of the C-statistic"] == [
        ("bootstrap resamples of the C-statistic", done, 120) for done in (0, 100, 120)]
    factor_associations(path, outcome="recurrence", factors=["conflict_with_supervisor"])  # nobody listens: fine
    monkeypatch.setattr(cli_validate, "_stderr_is_a_terminal", lambda: True)
    result = CliRunner().invoke(main, ["validate", "factors", str(path), "--outcome", "recurrence",
                                       "--factor", "conflict_with_supervisor"])
    assert result.exit_code == 0, result.output
    assert "\rlogistic models, now conflict_with_supervisor: 0 of 1 done" in result.stderr
    assert result.stderr.split("\r")[-1].strip() == ""  # the line is cleared before the report
