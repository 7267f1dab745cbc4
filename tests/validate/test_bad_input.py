"""Every bad cohort file is one line naming file, row and column, exit 4, and nothing written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from review.cli import main
from review.errors import ValidationError

HEADER = "client,age,job_insecurity,profile,recurrence,days"


def _cohort(n: int = 80, seed: int = 2) -> list[str]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        exposed = int(rng.integers(0, 2))
        event = int(rng.random() < 0.3 + 0.2 * exposed)
        days = int(rng.integers(20, 700)) if event else 730
        rows.append(f"c{i:03d},{rng.integers(25, 64)},{exposed},{rng.integers(0, 5)},{event},{days}")
    return rows


def _with(rows: list[str], row: int, column: str, value: str) -> list[str]:
    """``rows`` with one cell replaced; ``row`` is the line of the file (the header is line 1)."""
    index = HEADER.split(",").index(column)
    out = list(rows)
    cells = out[row - 2].split(",")
    cells[index] = value
    out[row - 2] = ",".join(cells)
    return out


KINDS = {
    "factors": ["--outcome", "recurrence", "--time", "days", "--factor", "job_insecurity", "--adjust", "age"],
    "predictive": ["--outcome", "recurrence", "--predictor", "profile", "--time", "days", "--horizon", "365"],
    "survival": ["--time", "days", "--event", "recurrence", "--group", "job_insecurity"],
}
ROWS = _cohort()
FEW_EVENTS = [r.rsplit(",", 2)[0] + (",1,100" if i < 6 else ",0,730") for i, r in enumerate(ROWS)]
CASES = {  # (header, rows, the error after 'review: FILE')
    "missing column": (HEADER.replace("recurrence", "relapse"), ROWS,
                       f":line 1: column 'recurrence': no such column (the header has {HEADER.replace('recurrence', 'relapse').replace(',', ', ')})"),
    "wrong type": (HEADER, _with(ROWS, 7, "days", "ten"), ":line 7: column 'days': 'ten' is not a number"),
    "negative time": (HEADER, _with(ROWS, 5, "days", "-3"), ":line 5: column 'days': negative time -3"),
    "event not 0/1": (HEADER, _with(ROWS, 9, "recurrence", "yes"), ":line 9: column 'recurrence': 'yes' is not 0 or 1"),
    "duplicate client": (HEADER, _with(ROWS, 12, "client", "c004"),
                         ":line 12: column 'client': client 'c004' appears twice (also line 6); one row per client"),
    "too few events": (HEADER, FEW_EVENTS, ": column 'recurrence': too few events: 6 events in 80 rows; a model needs "
                                           "at least 10 (events per parameter, Peduzzi et al. 1995)"),  # every kind here is a Cox model
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_cohort_is_one_line_and_writes_nothing(kind: str, case: str, tmp_path: Path) -> None:
    header, rows, message = CASES[case]
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "result.json"
    result = CliRunner().invoke(main, ["validate", kind, str(path), *KINDS[kind], "--json", str(out),
                                       *(["--plot", str(tmp_path / "figure.png")] if kind != "factors" else [])])
    assert result.exit_code == 4, result.output
    assert result.output == f"review: {path}{message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.csv"]


def test_one_event_in_one_row_reads_as_english(tmp_path: Path) -> None:
    from review.errors import ValidationError
    from review.validate.factors import factor_associations

    path = tmp_path / "tiny.csv"
    path.write_text("client,recurrence,f\nc1,1,0\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"too few events: 1 event in 1 row; a model needs at least 10"):
        factor_associations(path, outcome="recurrence", factors=["f"])


@pytest.mark.parametrize("id_column", ["Cliënt", "clientnummer", "dossiernummer",
                                       # spaces, dashes and dots read as underscores (review of validate18, 3)
                                       "Client ID", "client id", "Cliënt-ID", "client.id", "Dossier-Nr",
                                       # an abbreviation's dot, as Dutch spreadsheets write it
                                       "Dossiernr.", "Cliëntnr.", "Client nr."])
def test_a_client_twice_under_a_dutch_id_column_is_refused(tmp_path: Path, id_column: str) -> None:
    """A Dutch export names its clients 'cliënt' or 'dossiernummer', a spreadsheet 'Client ID': the duplicate
    went unseen (under 'Client ID' only a warning that the file had no client id column)."""
    rows = _cohort()
    rows[9] = rows[3].split(",")[0] + "," + rows[9].split(",", 1)[1]  # file row 11 repeats row 5's client
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([HEADER.replace("client", id_column, 1), *rows]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "survival", str(path), "--time", "days", "--event", "recurrence",
                                       "--group", "job_insecurity"])
    assert result.exit_code == 4
    assert result.output.splitlines() == [
        f"review: {path}:line 11: column '{id_column}': client 'c003' appears twice (also line 5); one row per client"]


def test_a_numeric_id_column_written_with_a_space_is_no_candidate_factor(tmp_path: Path) -> None:
    """Without factors.toml every numeric column is a candidate factor, but never the client id: 'Client ID'
    holding 1, 2, 3 ... was modelled as a factor (only client_id was known as an id)."""
    from review.validate.factors import factor_associations

    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([HEADER.replace("client", "Client ID", 1),
                               *(f"{i + 1}," + r.split(",", 1)[1] for i, r in enumerate(_cohort()))]) + "\n",
                    encoding="utf-8")
    result = factor_associations(path, outcome="recurrence", time="days")
    assert result.id_column == "Client ID"
    assert {f.factor for f in result.factors} == {"age", "job_insecurity", "profile"}


def test_a_cohort_without_an_id_column_is_warned_about(tmp_path: Path) -> None:
    """Without a column naming each client once, a client entered twice cannot be found: say so."""
    from review.services.validate import analyse

    rows = _cohort()
    named, anonymous = tmp_path / "named.csv", tmp_path / "anonymous.csv"
    named.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    anonymous.write_text("\n".join([HEADER.split(",", 1)[1], *(r.split(",", 1)[1] for r in rows)]) + "\n",
                         encoding="utf-8")
    options = {"outcome": "recurrence", "time": "days", "factor": ["job_insecurity"]}
    assert analyse("factors", named, options).warnings == []
    assert analyse("factors", named, options).result.to_json()["id_column"] == "client"
    (warning,) = analyse("factors", anonymous, options).warnings
    assert warning.startswith("anonymous.csv: no client id column (client, client_id, id, cliënt, ")


def test_factors_event_without_time_is_refused_not_analysed_as_the_outcome(tmp_path: Path) -> None:
    """walk30: `--outcome recurrence --event recurrence_1y` without --time ran the logistic regression on
    recurrence_1y (404 events of 1,000 where recurrence had 489) while the report, the JSON and --to-extraction's
    outcome_definition named 'recurrence'. --event is the event of a follow-up time, as --horizon is refused
    without one."""
    rows = [r + f",{i % 2}" for i, r in enumerate(_cohort())]
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([HEADER + ",relapse_1y", *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "result.json"
    result = CliRunner().invoke(main, ["validate", "factors", str(path), "--outcome", "recurrence", "--event",
                                       "relapse_1y", "--factor", "job_insecurity", "--json", str(out)])
    assert result.exit_code == 4, result.output
    assert result.output == (f"review: {path}: column 'relapse_1y': --event needs --time (the follow-up time "
                             "column); without it the outcome is --outcome, 'recurrence'\n")
    assert not out.exists()


@pytest.mark.parametrize("kind,options,column,parts", [
    ("factors", ["--outcome", "recurrence", "--adjust", "recurrence", "--factor", "job_insecurity"],
     "recurrence", "--outcome and --adjust"),
    ("factors", ["--outcome", "recurrence", "--time", "days", "--adjust", "days", "--factor", "job_insecurity"],
     "days", "--time and --adjust"),
    ("predictive", ["--outcome", "recurrence", "--predictor", "recurrence"], "recurrence", "--outcome and --predictor"),
    ("predictive", ["--outcome", "recurrence", "--predictor", "days", "--time", "days", "--horizon", "365"],
     "days", "--predictor and --time"),
    ("survival", ["--time", "days", "--event", "recurrence", "--group", "job_insecurity", "--strata", "recurrence"],
     "recurrence", "--event and --strata"),
    ("survival", ["--time", "days", "--event", "recurrence", "--group", "days"], "days", "--time and --group"),
])
def test_a_column_in_two_parts_of_one_model_is_refused(tmp_path: Path, kind: str, options: list[str], column: str,
                                                       parts: str) -> None:
    """walk30: the outcome as an --adjust column read 'separation: the factor predicts the outcome perfectly', the
    outcome as its own predictor gave a C-statistic of 1.000 (1.000 to 1.000), the follow-up time as a covariate an
    HR of 1.14 and library warnings: each a result of a typo, shown as a finding."""
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([HEADER, *_cohort()]) + "\n", encoding="utf-8")
    quick = ["--bootstrap", "5"] if kind == "predictive" else []
    result = CliRunner().invoke(main, ["validate", kind, str(path), *options, *quick])
    assert result.exit_code == 4, result.output
    assert result.output == (f"review: {path}:line 1: column {column!r}: named by {parts}: a column takes one part in "
                             "the analysis\n")


@pytest.mark.parametrize("options,column,option", [
    (["--outcome", "recurrence", "--adjust", "days", "--adjust", "days", "--factor", "job_insecurity"],
     "days", "--adjust"),
    (["--outcome", "recurrence", "--factor", "job_insecurity", "--factor", "job_insecurity"],
     "job_insecurity", "--factor"),
])
def test_a_column_named_twice_by_one_option_is_refused(tmp_path: Path, options: list[str], column: str,
                                                       option: str) -> None:
    """rrev30b: --adjust days twice was a ValueError traceback (exit 1); --factor twice tested the factor twice,
    two equal rows, and Holm adjusted its p over 2 tests (4.02 (2.49 to 6.49) twice, 'adjusted for the 2 factors')."""
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([HEADER, *_cohort()]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "factors", str(path), *options])
    assert result.exit_code == 4, result.output
    assert result.output == (f"review: {path}:line 1: column {column!r}: named twice by {option}: a column takes one "
                             "part in the analysis\n")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_client_ids_that_differ_only_in_case_are_warned_of(kind: str, tmp_path: Path) -> None:
    """'C004' and 'c004' were two clients without a word: likelier one client typed twice, though an id system may
    tell case apart. So they stay two clients (an identical id twice is refused), with a warning naming both."""
    rows = _with(ROWS, 12, "client", "C004")
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", kind, str(path), *KINDS[kind]])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {path}:line 12: column 'client': client 'C004' differs from 'c004' (line 6) only in case: read as "
        "different clients; if they are one client, keep one row per client"]
    same = CliRunner().invoke(main, ["validate", kind, str(_written(tmp_path, "same.csv", ROWS)), *KINDS[kind]])
    assert same.stderr == "" and same.stdout.replace("same.csv", "cohort.csv") == result.stdout  # the analysis itself


def test_many_ids_that_differ_only_in_case_are_one_warning(tmp_path: Path) -> None:
    from review.services.validate import analyse

    rows = _with(_with(_with(_with(_with(ROWS, 12, "client", "C004"), 20, "client", "C005"), 30, "client", "C006"),
                       40, "client", "C007"), 50, "client", "C008")
    (warning,) = analyse("survival", _written(tmp_path, "cohort.csv", rows), {
        "time": "days", "event": "recurrence", "group": "job_insecurity"}).warnings
    assert warning == (f"{tmp_path / 'cohort.csv'}:line 12: column 'client': client 'C004' differs from 'c004' (line 6) "
                       "only in case, as 4 more ids do (lines 20, 30, 40, …): read as different clients; if they are "
                       "one client, keep one row per client")


def _written(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _survival(path: Path) -> Result:
    return CliRunner().invoke(main, ["validate", "survival", str(path), *KINDS["survival"]])


def test_an_id_in_two_unicode_forms_is_one_client_twice(tmp_path: Path) -> None:
    """'Müller' typed on one machine (composed ü, NFC) and pasted from another (u + combining diaeresis, NFD, as macOS
    file names and some exports write it) are one text to every reader and, by Unicode's conformance rule C6, to any
    process: they were two clients without a word. Refused as an identical id is, naming both lines and the forms."""
    composed, decomposed = "M\u00fcller", "Mu\u0308ller"
    path = _written(tmp_path, "cohort.csv", _with(_with(ROWS, 5, "client", composed), 9, "client", decomposed))
    result = _survival(path)
    assert result.exit_code == ValidationError.exit_code and result.stdout == ""
    assert result.stderr == (f"review: {path}:line 9: column 'client': client {decomposed!r} appears twice (also line "
                             "5, its accents encoded otherwise: decomposed here, composed there, Unicode NFD and NFC); "
                             "one row per client\n")
    # one form twice is refused as before; ids that differ in their letters are two clients
    assert "appears twice (also line 5); one row per client" in _survival(
        _written(tmp_path, "same.csv", _with(_with(ROWS, 5, "client", decomposed), 9, "client", decomposed))).stderr
    assert _survival(_written(tmp_path, "two.csv", _with(_with(ROWS, 5, "client", composed), 9, "client",
                                                          "Muller"))).exit_code == 0


def test_a_rater_unit_or_item_in_two_unicode_forms_is_one(tmp_path: Path) -> None:
    """The ratings' names (targets, raters, items, experts) are matched as client ids are: 'José' composed on two
    items and decomposed on the third was a fourth expert ('3 items rated by 4 experts … skipped by some expert: 3 of
    3 items', exit 0), and 'Müller' rated by A in one form and B in the other two targets each rated by one rater."""
    from review.validate.cvi import content_validity
    from review.validate.icc import intraclass

    composed, decomposed = "Jos\u00e9", "Jose\u0301"
    rows = [f"{item},{expert},4" for item in ("q1", "q2", "q3")
            for expert in (composed if item != "q3" else decomposed, "Kim", "Lea")]
    (tmp_path / "cvi.csv").write_text("item,expert,rating\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = content_validity(tmp_path / "cvi.csv")
    assert result.experts == [composed, "Kim", "Lea"] and all(i.n_experts == 3 for i in result.items)
    target = ("M\u00fcller", "Mu\u0308ller")
    text = "".join(f"{target[r == 'B'] if t == 'T1' else t},{r},{score + (r == 'B')}\n"
                   for t, score in (("T1", 2), ("T2", 5), ("T3", 3)) for r in ("A", "B"))
    (tmp_path / "icc.csv").write_text("target,rater,score\n" + text, encoding="utf-8")
    assert intraclass(tmp_path / "icc.csv").n_targets == 3
    twice = tmp_path / "twice.csv"
    twice.write_text(f"target,rater,score\n{target[0]},A,2\n{target[1]},A,3\nT2,A,4\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="'A' already rated 'Müller' \\(line 2\\)"):
        intraclass(twice)
    from review.validate.sus import usability

    answers = ",".join(["3"] * 10)
    sus = tmp_path / "sus.csv"
    sus.write_text(f"respondent,{','.join(f'q{n}' for n in range(1, 11))}\n{composed},{answers}\nKim,{answers}\n"
                   f"{decomposed},{answers}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=f"{decomposed!r} already answered \\(line 2\\)"):
        usability(sus)


@pytest.mark.parametrize(("twin", "other", "how"), [
    ("c-004", "c004", "only in punctuation"), ("C_004", "c004", "only in case and punctuation"),
    ("c 004", "c004", "only in punctuation"), ("c.0.04", "c004", "only in punctuation")])
def test_client_ids_that_differ_only_in_punctuation_are_warned_of(tmp_path: Path, twin: str, other: str,
                                                                  how: str) -> None:
    """'c-004' beside 'c004': one client typed in two formats (the dossier system's export beside a hand-typed row),
    likelier than two clients whose ids only a dash tells apart; read as two, with a warning naming both, as case
    twins are."""
    path = _written(tmp_path, "cohort.csv", _with(ROWS, 12, "client", twin))
    result = _survival(path)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {path}:line 12: column 'client': client {twin!r} differs from {other!r} (line 6) {how}: read as "
        "different clients; if they are one client, keep one row per client"]


def test_ids_whose_marks_split_other_runs_are_no_twins(tmp_path: Path) -> None:
    # '1-23' and '12-3' (site 1's client 23, site 12's client 3) hold the same digits, split elsewhere: no warning.
    # Case and punctuation twins in one file: a line for each.
    rows = _with(_with(ROWS, 20, "client", "1-23"), 30, "client", "12-3")
    assert _survival(_written(tmp_path, "sites.csv", rows)).stderr == ""
    path = _written(tmp_path, "both.csv", _with(_with(rows, 12, "client", "C004"), 40, "client", "c-005"))
    assert [line.split(": ", 3)[3] for line in _survival(path).stderr.splitlines()] == [
        "client 'C004' differs from 'c004' (line 6) only in case: read as different clients; if they are one client, "
        "keep one row per client",
        "client 'c-005' differs from 'c005' (line 7) only in punctuation: read as different clients; if they are one "
        "client, keep one row per client"]
