"""`review instrument build|export|score|diff` on a throwaway workspace."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.instrument import fhir
from review.instrument.project import current_bank, version_history

from .conftest import QUESTIONS, SYNTHESIS


@pytest.fixture
def ws(workspace):
    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    (workspace.root / "instrument" / "questions.toml").write_text(QUESTIONS, encoding="utf-8")
    return workspace


def run(ws, *args):
    result = CliRunner().invoke(main, ["--workspace", str(ws.root), "instrument", *args])
    return result


def test_build_writes_bank_exports_and_records_a_version(ws, monkeypatch):
    monkeypatch.chdir(ws.root.parent)  # a shell outside the workspace, naming it with -w
    result = run(ws, "build")
    assert result.exit_code == 0, result.output
    assert "(first version)" in result.output
    assert "| supervisor_conflict | social | risk | moderate | 2 |" in result.output
    assert "| company_size | work | risk | some | arends2014 | no |" in result.output  # a signal
    assert "| female_sex | moderate | none | direction 'none'" in result.output
    folder = ws.root / "instrument"
    for name in ("item_bank.toml", "questionnaire.fhir.json", "redcap_data_dictionary.csv",
                 "questionnaire.html", "questionnaire.md", "gesprekshandleiding.md",
                 "gesprekshandleiding.html"):
        assert (folder / name).is_file(), name
    fhir.validate_questionnaire(json.loads((folder / "questionnaire.fhir.json").read_text()))
    (version,) = version_history(ws)
    assert version.evidence_sha256 == current_bank(ws).evidence.sha256 and version.n_items == 3
    assert version.n_signals == 1 and version.n_not_included == 3
    assert version.weights["prev_episodes"] == {"weight": 3.0, "level": "strong", "direction": "risk",
                                                "scored": True}

    again = run(ws, "build")
    assert "unchanged" in again.output and len(version_history(ws)) == 1
    # The written paths open from the shell's directory (they were relative to the workspace, which
    # the test's -w names from elsewhere).
    written = [line[len("wrote "):] for line in again.output.splitlines() if line.startswith("wrote ")]
    assert written and all(Path(path).is_file() for path in written)


def test_rebuild_after_evidence_changes_shows_the_changes(ws):
    run(ws, "build")
    path = ws.root / "extraction" / "synthesis.csv"
    path.write_text(SYNTHESIS.replace("risk,strong,ariens,sado2014", "risk,moderate,ariens,sado2014"))
    preview = run(ws, "diff")
    assert "~ prev_episodes: weight 3.0 -> 2.0" in preview.output
    result = run(ws, "build")
    assert "changes since" in result.output and "~ prev_episodes: level strong -> moderate" in result.output
    history = run(ws, "diff", "--history")
    assert len(history.output.strip().splitlines()) == 3
    built_at = history.output.splitlines()[1].split("\t")[2]  # ISO 8601 in UTC with its offset
    assert datetime.fromisoformat(built_at).utcoffset() == timedelta(0) and built_at.endswith("+00:00")
    assert run(ws, "diff").output.startswith("no changes")


def test_export_to_stdout_and_file(ws, tmp_path):
    run(ws, "build", "--no-exports")
    out = run(ws, "export", "--format", "redcap", "--out", "-")
    assert next(csv.reader(io.StringIO(out.output)))[1] == "Form Name"
    result = run(ws, "export", "--format", "guide", "--lang", "en", "--out", str(tmp_path / "g.md"))
    assert result.exit_code == 0 and "Conversation guide" in (tmp_path / "g.md").read_text()


def test_lang_with_an_export_that_carries_both_languages_says_so(ws, tmp_path):
    # --lang en with fhir or redcap wrote the same Dutch-with-English file as --lang nl, without a word.
    run(ws, "build", "--no-exports")
    for fmt, where in (("fhir", "FHIR translation extensions"), ("redcap", "each field's annotation")):
        asked = run(ws, "export", "--format", fmt, "--lang", "en", "--out", str(tmp_path / f"en.{fmt}"))
        assert asked.exit_code == 0, asked.output
        assert asked.stderr.splitlines()[0] == (f"review: note: --lang does not change the {fmt} export: it carries the "
                                                f"Dutch text with the English beside it ({where})")
        plain = run(ws, "export", "--format", fmt, "--out", str(tmp_path / f"nl.{fmt}"))
        assert "note:" not in plain.stderr
        assert (tmp_path / f"en.{fmt}").read_bytes() == (tmp_path / f"nl.{fmt}").read_bytes()
    guide = run(ws, "export", "--format", "guide", "--lang", "en", "--out", str(tmp_path / "g.md"))
    assert "note:" not in guide.stderr


def test_redcap_dictionary_file_starts_with_a_bom_so_excel_keeps_the_dutch_letters(ws, tmp_path):
    # REDCap's own dictionary download starts with a BOM; without one Excel reads the file as
    # Windows-1252, shows 'cliÃ«nt' and saves that back. A pipe gets no BOM.
    run(ws, "build")
    out = tmp_path / "dd.csv"
    assert run(ws, "export", "--format", "redcap", "--out", str(out)).exit_code == 0
    for data in (out.read_bytes(), (ws.root / "instrument" / "redcap_data_dictionary.csv").read_bytes()):
        assert data.startswith(b"\xef\xbb\xbfVariable / Field Name,Form Name,")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert "cliënt" in "".join(r["Field Label"] for r in rows)
    assert run(ws, "export", "--format", "redcap", "--out", "-").output.startswith("Variable / Field Name,")


def test_score_fhir_response_into_a_private_report(ws, tmp_path):
    run(ws, "build", "--no-exports")
    bank = current_bank(ws)
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(
        bank, {"prev_absence": "yes", "has_supervisor": "no", "company": "large"})))
    report = tmp_path / "out" / "report.md"
    result = run(ws, "score", str(response), "--out", str(report))
    assert result.exit_code == 0, result.output
    assert "1 risk, 0 protective, 1 signal, 0 unanswered" in result.output
    assert "| Bedrijfsgrootte >100 (signaal, weegt niet mee) | ja | Werk |" in report.read_text()
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "Eerdere" not in result.output and "prev_absence" not in result.output  # counts only
    text = report.read_text()
    assert "Eerdere verzuimepisodes" in text and "niet van toepassing" in text
    html = tmp_path / "out" / "report.html"
    assert run(ws, "score", str(response), "--out", str(html), "--lang", "en").exit_code == 0
    assert "<h2>Summary</h2>" in html.read_text() and "<h2>Risk factors</h2>" in html.read_text()


def test_score_refuses_a_report_inside_the_workspace(ws, tmp_path):
    run(ws, "build", "--no-exports")
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(current_bank(ws), {"prev_absence": "no"})))
    result = run(ws, "score", str(response), "--out", str(ws.root / "instrument" / "r.md"))
    assert result.exit_code == 4
    assert "may not be stored inside the workspace" in result.output
    assert not (ws.root / "instrument" / "r.md").exists()


def test_score_writes_both_report_and_json_and_dash_means_stdout(ws, tmp_path, monkeypatch):
    run(ws, "build", "--no-exports")
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(current_bank(ws), {"prev_absence": "yes"})))
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "out" / "report.md"
    # --json - with --out FILE: the profile on stdout and the report in its file (it was dropped).
    result = run(ws, "score", str(response), "--json", "-", "--out", str(report))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["factors"]
    assert stat.S_IMODE(report.stat().st_mode) == 0o600 and "Eerdere verzuimepisodes" in report.read_text()
    # --out - is stdout, as for --json and export: no file named '-' holding a client report.
    result = run(ws, "score", str(response), "--out", "-")
    assert result.exit_code == 0, result.output
    assert "Eerdere verzuimepisodes" in result.stdout and not (tmp_path / "-").exists()
    assert run(ws, "score", str(response), "--out", "-", "--json", "-").exit_code == 2
    # A refused destination leaves the other one unwritten.
    profile = tmp_path / "p.json"
    result = run(ws, "score", str(response), "--json", str(profile), "--out", str(ws.root / "r.md"))
    assert result.exit_code == 4 and not profile.exists()


def test_build_refused_by_an_export_writes_nothing(ws):
    long_id = "supervisor_conflict_in_the_last_year"  # 36 characters: too long for REDCap
    (ws.root / "instrument" / "questions.toml").write_text(
        QUESTIONS.replace("[questions.conflict]", f"[questions.{long_id}]")
        .replace("{ conflict =", f"{{ {long_id} ="), encoding="utf-8")
    result = run(ws, "build")
    assert result.exit_code == 4 and "REDCap advises at most 26" in result.output
    assert len(result.output.strip().splitlines()) == 1
    # Neither the item bank nor any export nor a recorded version: nothing half-built.
    assert sorted(p.name for p in (ws.root / "instrument").iterdir()) == ["questions.toml"]
    assert version_history(ws) == []


def test_synthesis_from_a_spreadsheet_reads_or_is_one_line(ws, tmp_path):
    # Exported by review synthesis, then saved by a spreadsheet as "CSV UTF-8" (with a BOM) or cp1252.
    from review.instrument.evidence import parse_synthesis_csv
    from review.synthesis.evidence_csv import synthesis_csv

    text = synthesis_csv(parse_synthesis_csv(SYNTHESIS))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run(ws, "build", "--no-exports", "--synthesis", str(bom))
    assert result.exit_code == 0, result.output  # it was "missing column 'factor_id'"
    cp1252 = tmp_path / "cp1252.csv"
    cp1252.write_bytes(text.replace("Vrouw", "Vrouw \u00e9\u00e9n").encode("cp1252"))
    result = run(ws, "diff", "--synthesis", str(cp1252))
    assert result.exit_code == 3 and "cp1252.csv:line 6: not UTF-8 (byte " in result.output  # was a traceback
    assert len(result.output.splitlines()) == 1


def test_missing_synthesis_is_a_clean_error(workspace):
    result = run(workspace, "build")
    assert result.exit_code == 3
    # the command to run, by its name (walk28: "run the synthesis first")
    assert result.output.endswith("/extraction/synthesis.csv: synthesis table not found: `review synthesis` writes "
                                  "extraction/synthesis.csv\n"), result.output


def test_status_reports_the_instrument_and_stale_evidence(ws):
    status = CliRunner().invoke(main, ["--workspace", str(ws.root), "status"])
    assert "instrument no item bank yet" in status.output
    run(ws, "build", "--no-exports")
    status = CliRunner().invoke(main, ["--workspace", str(ws.root), "status"])
    assert "3 scored, 1 signal, 3 not included" in status.output
    (ws.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS + "\n")
    status = CliRunner().invoke(main, ["--workspace", str(ws.root), "status"])
    assert "synthesis changed since the build" in status.output


def test_fill_refuses_an_answer_file_inside_the_workspace(ws):
    run(ws, "build", "--no-exports")
    result = run(ws, "fill", "--answers", str(ws.root / "client.json"))
    assert result.exit_code == 4 and "may not be stored inside the workspace" in result.output
    assert not (ws.root / "client.json").exists()


def test_score_refuses_an_answers_folder_it_cannot_make_private_before_writing_its_json(ws, tmp_path, monkeypatch):
    # --json to a folder of one's own, --out into the default answers folder found open (another account's, so
    # chmod is refused): the JSON was written, then the report refused, a half-done score.
    run(ws, "build", "--no-exports")
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(current_bank(ws), {"prev_absence": "yes"})))
    monkeypatch.setenv("REVIEW_DATA_DIR", str(tmp_path / "data"))
    answers = tmp_path / "data" / "answers"
    answers.mkdir(parents=True)
    answers.chmod(0o777)

    def refuse(self, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", refuse)
    profile = tmp_path / "mine" / "profile.json"
    result = run(ws, "score", str(response), "--json", str(profile), "--out", str(answers / "r.md"))
    assert result.exit_code == 4, result.output
    assert "open to other accounts (mode 777)" in result.output and len(result.output.strip().splitlines()) == 1
    assert not profile.exists() and list(answers.iterdir()) == []


@pytest.mark.parametrize("clash", ["response", "each other", "unwritable"])
def test_score_refuses_outputs_it_cannot_write_before_writing_any(ws, tmp_path, clash):
    # rrev27a: `score r.json --out r.json` replaced the client's response (the browser form's one download) with the
    # report, `--json p.md --out p.md` kept only the report, and `--json p.json --out FILE/r.md` wrote the JSON, then
    # failed on the report: the privacy check ran before anything was written, the check every other command's
    # outputs have did not.
    run(ws, "build", "--no-exports")
    mine = tmp_path / "mine"
    mine.mkdir()
    response = mine / "response.json"
    text = json.dumps(fhir.response(current_bank(ws), {"prev_absence": "yes"}))
    response.write_text(text)
    (mine / "a-file").write_text("")
    profile, report = {"response": (mine / "p.json", response),
                       "each other": (mine / "p.md", mine / "p.md"),
                       "unwritable": (mine / "p.json", mine / "a-file" / "r.md")}[clash]
    result = run(ws, "score", str(response), "--json", str(profile), "--out", str(report))
    assert result.exit_code == (1 if clash == "unwritable" else 2), result.output
    (line,) = result.output.strip().splitlines()
    assert str(report) in line
    assert response.read_text() == text and sorted(p.name for p in mine.iterdir()) == ["a-file", "response.json"]


def test_score_names_what_a_json_file_is_not(ws, tmp_path):
    run(ws, "build", "--no-exports")
    for content, found in (("{}", "no resourceType"), ('{"resourceType": "Questionnaire"}',
                                                     "resourceType 'Questionnaire'")):
        response = tmp_path / "response.json"
        response.write_text(content)
        result = run(ws, "score", str(response))
        assert result.exit_code == 4
        assert result.output == (f"review: {response}: neither a FHIR QuestionnaireResponse ({found}) nor a "
                                 "saved answer file (no 'answers')\n")


def test_score_reads_a_bom_and_refuses_other_bytes_in_one_line(ws, tmp_path):
    run(ws, "build", "--no-exports")
    text = json.dumps(fhir.response(current_bank(ws), {"prev_absence": "yes"}))
    bom = tmp_path / "notepad.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode())  # as Windows Notepad saves it
    assert run(ws, "score", str(bom), "--json", "-").exit_code == 0
    latin = tmp_path / "latin.json"
    latin.write_bytes(text.replace('"answer"', '\n"caf\u00e9": "x", "answer"').encode("cp1252"))
    result = run(ws, "score", str(latin))
    # It was a UnicodeDecodeError traceback.
    assert result.exit_code == 4 and result.output.startswith(f"review: {latin}:line 2: not UTF-8 (byte 0xe9 at offset ")
    assert len(result.output.splitlines()) == 1
    # Behind a BOM the offset is still the file's (utf-8-sig counted from the BOM's end: 3 bytes short).
    bom_latin = tmp_path / "bom-latin.json"
    bom_latin.write_bytes(b"\xef\xbb\xbf" + latin.read_bytes())
    offset = bom_latin.read_bytes().index(b"\xe9")
    assert f"not UTF-8 (byte 0xe9 at offset {offset});" in run(ws, "score", str(bom_latin)).output
    bad_code = tmp_path / "answers.json"
    bad_code.write_text(json.dumps({"answers": {"prev_absence": "maybe"}}))
    result = run(ws, "score", str(bad_code))
    assert result.exit_code == 4
    assert result.output == (f"review: {bad_code}: answer to prev_absence: 'maybe' is not one of "
                             "yes, no, unknown\n")  # names the file


def test_fill_without_a_terminal_is_one_line_not_a_hang(ws, monkeypatch):
    from review.tui.instrument_app import InstrumentApp

    run(ws, "build", "--no-exports")
    started = []
    monkeypatch.setattr(InstrumentApp, "run", lambda self, *a, **k: started.append(self))
    result = run(ws, "fill")  # CliRunner's streams are no terminal, like a pipe or a script's
    assert result.exit_code == 1 and started == []
    assert result.output.startswith("review: review instrument fill: the terminal UI needs an interactive terminal")


@pytest.mark.parametrize("answers", [None, "answers/2026/client.json", "clients/client.json"])
def test_fill_refused_for_want_of_a_terminal_leaves_nothing_behind(ws, monkeypatch, tmp_path, answers):
    # tidy28 #1: the default answers/ folder was made (0700, empty) as the answer file was chosen, before the
    # terminal check refused the command; a file named in an open answers/ made it 0700 before refusing.
    run(ws, "build", "--no-exports")
    data = tmp_path / "data"
    monkeypatch.setenv("REVIEW_DATA_DIR", str(data))
    if answers is not None and answers.startswith("answers/"):
        (data / "answers").mkdir(parents=True)
        (data / "answers").chmod(0o755)
    before = sorted((str(p), stat.S_IMODE(p.stat().st_mode)) for p in tmp_path.rglob("*") if ws.root not in
                    (p, *p.parents))
    result = run(ws, "fill", *(() if answers is None else ("--answers", str(data / answers))))
    assert result.exit_code == 1 and "needs an interactive terminal" in result.output
    after = sorted((str(p), stat.S_IMODE(p.stat().st_mode)) for p in tmp_path.rglob("*") if ws.root not in
                   (p, *p.parents))
    assert after == before


@pytest.mark.parametrize("refusal", ["no item bank", "bad response"])
def test_a_refused_score_leaves_nothing_behind(ws, monkeypatch, tmp_path, refusal):
    # tidy28 #1: an open default answers/ named by --json was made 0700 before a missing item bank or a response
    # that is no response refused the command; folders for the outputs are made only when they are written.
    if refusal == "bad response":
        run(ws, "build", "--no-exports")
    response = tmp_path / "response.json"
    response.write_text(json.dumps({"answers": {"prev_absence": "maybe"}}))
    data = tmp_path / "data"
    monkeypatch.setenv("REVIEW_DATA_DIR", str(data))
    (data / "answers").mkdir(parents=True)
    (data / "answers").chmod(0o755)
    before = sorted((str(p), stat.S_IMODE(p.stat().st_mode)) for p in tmp_path.rglob("*") if ws.root not in
                    (p, *p.parents))
    result = run(ws, "score", str(response), "--json", str(data / "answers" / "p.json"),
                 "--out", str(tmp_path / "clients" / "2026" / "r.md"))
    assert result.exit_code == 4, result.output
    after = sorted((str(p), stat.S_IMODE(p.stat().st_mode)) for p in tmp_path.rglob("*") if ws.root not in
                   (p, *p.parents))
    assert after == before


def test_fill_makes_the_default_answers_folder_private_before_the_form_opens(ws, monkeypatch, tmp_path):
    # The folder is still made, and an open one narrowed, before the form shows (a folder that cannot be made
    # private is refused then, not at the first answer): only after the terminal check now.
    from review.tui.instrument_app import InstrumentApp

    run(ws, "build", "--no-exports")
    data = tmp_path / "data"
    monkeypatch.setenv("REVIEW_DATA_DIR", str(data))
    monkeypatch.setattr("review.cli.output.has_terminal", lambda: True)
    seen: list[int] = []
    monkeypatch.setattr(InstrumentApp, "run",
                        lambda self, *a, **k: seen.append(stat.S_IMODE(self.fill_screen.answers_path.parent.stat().st_mode)))
    assert run(ws, "fill").exit_code == 0 and seen == [0o700]
    (data / "answers").chmod(0o755)
    assert run(ws, "fill").exit_code == 0 and seen == [0o700, 0o700]


def test_fill_says_where_the_answers_went(ws, monkeypatch, tmp_path):
    from review.tui.instrument_app import InstrumentApp

    run(ws, "build", "--no-exports")
    monkeypatch.setattr("review.cli.output.has_terminal", lambda: True)
    monkeypatch.setattr(InstrumentApp, "run",
                        lambda self, *a, **k: self.fill_screen.answers_path.write_text("{}"))  # one answer given
    answers = tmp_path / "private" / "client.json"
    answers.parent.mkdir()
    result = run(ws, "fill", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    assert result.output == (f"answers saved in {answers} (continue: review instrument fill --answers "
                             f"'{answers}')\n")


def test_score_to_files_it_names_needs_no_readable_data_dir(ws, tmp_path, monkeypatch):
    # tidy27 #2: REVIEW_DATA_DIR='~no-account/x' refused `score --out` and `--json` naming files of their own.
    run(ws, "build", "--no-exports")
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(current_bank(ws), {"prev_absence": "yes"})))
    monkeypatch.setenv("REVIEW_DATA_DIR", "~no-such-account-tidy27/data")
    (tmp_path / "clients").mkdir()
    report, profile = tmp_path / "clients" / "r1.md", tmp_path / "clients" / "r1.json"
    result = run(ws, "score", str(response), "--out", str(report), "--json", str(profile))
    assert result.exit_code == 0, result.output
    assert report.is_file() and profile.is_file()


def test_fill_refuses_a_data_dir_inside_the_workspace_before_the_first_answer(ws, monkeypatch):
    run(ws, "build", "--no-exports")
    monkeypatch.setenv("REVIEW_DATA_DIR", str(ws.root / "private"))
    monkeypatch.setattr("review.cli.instrument.require_terminal", lambda what: None)
    started: list[bool] = []
    monkeypatch.setattr("review.tui.instrument_app.InstrumentApp.run", lambda self, *a, **k: started.append(True))
    result = run(ws, "fill")
    # One line before the form opens (it opened and then failed to save every answer).
    assert result.exit_code == 4 and "may not be stored inside the workspace" in result.output
    assert "set REVIEW_DATA_DIR to a folder outside it" in result.output and len(result.output.splitlines()) == 1
    assert not started and not (ws.root / "private" / "answers").exists()


def test_fill_refuses_answers_the_item_bank_no_longer_offers(ws, tmp_path, monkeypatch):
    run(ws, "build", "--no-exports")
    monkeypatch.setattr("review.cli.instrument.require_terminal", lambda what: None)
    monkeypatch.setattr("review.tui.instrument_app.InstrumentApp.run", lambda self, *a, **k: None)
    old = tmp_path / "client" / "old.json"
    old.parent.mkdir()
    old.write_text(json.dumps({"instrument_version": "2026-01-01+0.0", "answers": {"conflict": "maybe"}}))
    before = old.read_bytes()
    result = run(ws, "fill", "--answers", str(old))
    # One line before the form opens (it crashed with a traceback on the first profile).
    assert result.exit_code == 4 and len(result.output.splitlines()) == 1
    assert f"{old}: answer to conflict: 'maybe' is not one of no, some, yes, unknown (the answers are for " \
           "version 2026-01-01+0.0" in result.output
    assert old.read_bytes() == before
    # a file naming no version (walk28: "the answers are for version , the item bank is …")
    old.write_text(json.dumps({"answers": {"conflict": "maybe"}}))
    result = run(ws, "fill", "--answers", str(old))
    assert result.exit_code == 4
    assert f"(the answers are for no version of the instrument, the item bank is {current_bank(ws).version})" \
        in result.output, result.output


def test_fill_without_an_item_bank_is_a_clean_error(workspace):
    result = run(workspace, "fill")
    assert result.exit_code == 4 and "no item bank yet" in result.output


def test_score_json_is_the_stable_profile_contract(ws, tmp_path):
    run(ws, "build", "--no-exports")
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(
        current_bank(ws), {"prev_absence": "yes", "has_supervisor": "no", "conflict": "yes"})))
    out = tmp_path / "private" / "profile.json"
    result = run(ws, "score", str(response), "--json", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = json.loads(out.read_text())
    by_id = {f["factor_id"]: f for f in data["factors"]}
    assert by_id["prev_episodes"] == {"factor_id": "prev_episodes", "side": "risk", "status": "present",
                                      "scored": True, "applicable": True}
    assert by_id["supervisor_support"]["side"] == "protective"
    assert by_id["supervisor_conflict"]["status"] == "unanswered"  # switched off: no supervisor
    assert by_id["supervisor_conflict"]["applicable"] is False
    assert by_id["company_size"]["status"] == "unanswered"
    assert data["ignored_answers"] == [{"link_id": "conflict", "reason": "gate_off", "gate": "has_supervisor"}]
    assert {f["status"] for f in data["factors"]} <= {"present", "partly", "absent", "unanswered"}
    assert run(ws, "score", str(response), "--json", str(ws.root / "p.json")).exit_code == 4


def test_export_form_writes_one_self_contained_page(ws, tmp_path):
    run(ws, "build", "--no-exports")
    result = run(ws, "export", "--format", "form", "--out", str(tmp_path / "form.html"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "form.html").read_text()
    assert 'name="prev_absence"' in page and 'id="download-response"' in page
    assert '<li data-factor-id="prev_episodes" data-side="risk" data-status="unanswered"' in page
    assert "<script src" not in page and "<link" not in page


def test_partly_fraction_edited_without_a_rebuild_leaves_profile_redcap_and_form_agreeing(ws, tmp_path):
    """The REDCap sums read the bank's partly_fraction, score() and the form read scoring.toml's:
    after an edit without a rebuild the REDCap calc no longer equalled the profile."""
    import re

    from review.instrument.form import form_data
    from review.instrument.project import score_file, workspace_config

    from .test_exports import _redcap_calc

    assert run(ws, "build", "--no-exports").exit_code == 0
    (ws.root / "instrument" / "scoring.toml").write_text("[weights]\npartly_fraction = 0.25\n", encoding="utf-8")
    out = run(ws, "export", "--format", "redcap", "--out", "-")
    assert out.exit_code == 0, out.output
    calc = {r["Variable / Field Name"]: r["Choices, Calculations, OR Slider Labels"]
            for r in csv.DictReader(io.StringIO(out.output))}
    answers = {"prev_absence": "no", "has_supervisor": "yes", "conflict": "some", "support": "no"}
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(current_bank(ws), answers)))
    profile = score_file(ws, response).profile
    assert profile.risk_weight == 1.0  # the bank's 0.5 of supervisor_conflict's 2, not 0.25 of it
    assert _redcap_calc(calc["risk_weight_sum"], answers) == profile.risk_weight
    page = form_data(current_bank(ws), workspace_config(ws))
    assert page["partlyFraction"] == 0.5
    assert re.search(r"partly_fraction = 0\.5", (ws.root / "instrument" / "item_bank.toml").read_text())


def test_the_instruments_title_is_the_reviews_own_not_recurrence(ws):
    # Every workspace's questionnaire was titled 'Profile of recurrent sickness absence due to common mental
    # disorders', whatever its review was about; the programme names its title in instrument/scoring.toml.
    assert run(ws, "build").exit_code == 0
    bank = current_bank(ws)
    assert bank.title_en == f"Profile: {ws.config.title}" and bank.title_nl == f"Profiel: {ws.config.title}"
    folder = ws.root / "instrument"
    assert (folder / "questionnaire.md").read_text(encoding="utf-8").startswith(f"# Profiel: {ws.config.title}\n")
    assert (folder / "gesprekshandleiding.md").read_text(encoding="utf-8").startswith(
        f"# Gesprekshandleiding — Profiel: {ws.config.title}\n")  # was 'Gesprekshandleiding: Profiel: …'
    assert json.loads((folder / "questionnaire.fhir.json").read_text())["title"] == f"Profiel: {ws.config.title}"
    # a Dutch title of the review (review.toml title_nl) titles the Dutch texts; the English keep the title
    toml = ws.root / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[review]\n", '[review]\ntitle_nl = "Eigen review"\n', 1),
                    encoding="utf-8")
    assert run(ws, "build").exit_code == 0
    dutch = current_bank(ws)
    assert (dutch.title_nl, dutch.title_en) == ("Profiel: Eigen review", f"Profile: {ws.config.title}")
    assert (folder / "gesprekshandleiding.md").read_text(encoding="utf-8").startswith(
        "# Gesprekshandleiding — Profiel: Eigen review\n")
    (folder / "scoring.toml").write_text('[profile]\ntitle_en = "Own title"\ntitle_nl = "Eigen titel"\n',
                                         encoding="utf-8")
    assert run(ws, "build").exit_code == 0
    assert (current_bank(ws).title_en, current_bank(ws).title_nl) == ("Own title", "Eigen titel")


def test_a_build_says_which_studies_behind_its_items_have_no_study_file(ws):
    # A study named in synthesis.csv with no file in extraction/studies/ was cited without a citation and shown
    # as "no effect size in the extraction", in silence.
    result = run(ws, "build", "--no-exports")
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("review: warning:")]
    assert line == ("review: warning: 6 studies behind the items have no file in extraction/studies/, so the instrument names "
                    "them without citation or numbers: arends2014, etuknwa2019, reis2012, sado2014, x2020, y2018")


def test_the_programme_builds_without_that_warning_until_a_study_file_goes(workspace):
    import shutil

    repo = Path(__file__).resolve().parents[2]
    shutil.rmtree(workspace.root / "extraction")
    shutil.copytree(repo / "extraction", workspace.root / "extraction")
    for name in ("questions.toml", "scoring.toml"):
        shutil.copy(repo / "instrument" / name, workspace.root / "instrument" / name)
    result = run(workspace, "build", "--no-exports")
    assert result.exit_code == 0 and "warning:" not in result.output, result.output
    (workspace.root / "extraction" / "studies" / "roelen2010.toml").unlink()
    result = run(workspace, "build", "--no-exports")
    assert result.exit_code == 0, result.output
    assert ("review: warning: 1 study behind the items has no file in extraction/studies/, so the instrument names it "
            "without citation or numbers: roelen2010") in result.output.splitlines()


def test_pooled_log_build_says_which_factors_are_asked_unweighted_and_no_export_weighs_them(ws):
    """Decision 0056: prev_episodes (strong, no pooled estimate) got supervisor_support's |ln 0.5| = 0.693."""
    toml = ws.root / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[instrument]\nweight_rule = "pooled_log"\n', encoding="utf-8")
    result = run(ws, "build")
    assert result.exit_code == 0, result.output
    assert ("review: note: 1 factor that reaches the minimum level has no pooled ratio estimate of its own, so under "
            "weight_rule = pooled_log it is asked as a signal, not weighed (decision 0056): prev_episodes"
            ) in result.stderr.splitlines()
    # named once: the summary on stdout lists it among the signals without a second line naming it
    assert "| prev_episodes |" in result.stdout and "no pooled ratio estimate" not in result.stdout
    folder = ws.root / "instrument"
    questionnaire = json.loads((folder / "questionnaire.fhir.json").read_text(encoding="utf-8"))

    def options(items):
        for item in items:
            yield from ((item["linkId"], o) for o in item.get("answerOption", []))
            yield from options(item.get("item", []))

    weights = {(link, o["valueCoding"]["code"]): o["extension"][0]["valueDecimal"]
               for link, o in options(questionnaire["item"]) if "extension" in o}
    assert weights[("prev_absence", "yes")] == 0.0 and weights[("conflict", "yes")] == 0.793
    with (folder / "redcap_data_dictionary.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["Variable / Field Name"]: row for row in csv.DictReader(handle)}
    assert rows["prev_absence"]["Field Annotation"].startswith("signal (not weighed): prev_episodes; weights: yes=0")
    assert "0.693" not in rows["prev_absence"]["Field Annotation"]
    form = (folder / "questionnaire-form.html").read_text(encoding="utf-8")
    assert "weegt niet mee: geen gepoolde effectmaat voor deze factor" in form


def test_a_fallback_that_lends_a_weight_is_one_line_and_writes_nothing(ws):
    toml = ws.root / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[instrument]\nweight_rule = "pooled_log"\n'
                    'pooled_fallback = "min_pooled"\n', encoding="utf-8")
    result = run(ws, "build")
    assert result.exit_code == 2
    line = toml.read_text(encoding="utf-8").splitlines().index('pooled_fallback = "min_pooled"') + 1
    said = result.stderr.strip().splitlines()[-1]
    assert said.startswith(f"review: {toml}:instrument.pooled_fallback: 'min_pooled' is no longer offered")
    assert said.endswith(f" (line {line})")
    assert not (ws.root / "instrument" / "item_bank.toml").exists()


@pytest.fixture
def amsterdam(monkeypatch):
    """This process in Amsterdam's time zone (TZ read again), back to its own zone afterwards."""
    import time

    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_report_is_dated_the_day_the_labour_expert_saw(ws, tmp_path, amsterdam):
    # Answers saved at 00:30 in Amsterdam on 7 December (23:30 UTC the 6th) were reported 'Datum: 6 december
    # 2026', the UTC day, while the browser form prints and names its download with the local day; a downloaded
    # response was dated the day it was scored, whatever its 'authored'.
    from review.instrument.answers import AnswerSet
    from review.instrument.project import report_text, score_file

    run(ws, "build", "--no-exports")
    bank = current_bank(ws)
    answers = {"prev_absence": "yes", "has_supervisor": "no"}
    saved = tmp_path / "client" / "answers.json"
    saved.parent.mkdir()
    saved.write_text(AnswerSet(bank.version, bank.evidence.sha256, answers,
                               updated_at="2026-12-06T23:30:00+00:00").to_json(), encoding="utf-8")
    downloaded = tmp_path / "client" / "antwoorden-2026-12-07.json"
    downloaded.write_text(json.dumps(fhir.response(bank, answers, authored="2026-12-06T23:30:00Z")), encoding="utf-8")
    for path in (saved, downloaded):
        scored = score_file(ws, path)
        assert "Datum: 7 december 2026" in report_text(bank, scored), path.name
        assert "Date: 7 December 2026" in report_text(bank, scored, lang="en"), path.name


@pytest.mark.parametrize("below", ["", "/data"])
def test_a_review_data_dir_through_a_broken_link_is_one_line_naming_the_link(ws, tmp_path, monkeypatch, below):
    # rrev27a #3: a link to a folder that is gone (a drive not mounted) read "cannot write here (File exists: a file
    # stands where a folder is needed)", naming neither the link nor REVIEW_DATA_DIR.
    run(ws, "build", "--no-exports")
    link = tmp_path / "private"
    link.symlink_to(tmp_path / "unmounted" / "review")
    monkeypatch.setenv("REVIEW_DATA_DIR", f"{link}{below}")
    result = run(ws, "fill")
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"review: REVIEW_DATA_DIR={link}{below}: {link} is a broken link (to {tmp_path}/unmounted/"
                             "review): nothing is there; make the folder it points to, or set REVIEW_DATA_DIR to "
                             "another folder\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private", "ws"]  # nothing made through or beside it
