"""``review status``'s synthesis line says whether synthesis.csv is the synthesis of the inputs now: the rule set it
was written under (from the file's record, not review.toml's setting), which inputs changed since, and what to run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from review.services.extraction import extraction_status
from review.services.synthesis import synthesise_extraction
from review.synthesis.freshness import INPUTS_FILE
from review.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
REFRESH = "run 'review synthesis'"


def _status(workspace: Workspace) -> str:
    (line,) = extraction_status(Workspace(workspace.root))  # (review.toml read afresh, as a new command does)
    return line


def _synthesised(workspace: Workspace, rule_set: str = "ariens") -> Path:
    folder = workspace.root / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    synthesise_extraction(folder, rule_set, plots=False)
    assert (folder / INPUTS_FILE).is_file()
    return folder


def test_a_synthesis_of_the_inputs_now_says_so_and_an_edited_study_file_makes_it_out_of_date(
        workspace: Workspace) -> None:
    folder = _synthesised(workspace)
    assert _status(workspace) == "extraction 15 study files; synthesis.csv written (rule set ariens), current with its inputs"
    study = folder / "studies" / "arends2014.toml"
    study.write_text(study.read_text(encoding="utf-8").replace('country = "', 'country = "The ', 1), encoding="utf-8")
    (folder / "studies" / "sado2014.toml").unlink()
    shutil.copy(folder / "studies" / "reis.toml", folder / "studies" / "reis.bob.toml")  # an extractor's copy: no input
    line = _status(workspace)
    assert line == ("extraction 14 study files; synthesis.csv written (rule set ariens), out of date (changed since: "
                    f"studies/arends2014.toml; removed since: studies/sado2014.toml): {REFRESH}")
    synthesise_extraction(folder, plots=False)
    assert _status(workspace).endswith("current with its inputs")


def test_review_toml_naming_another_rule_set_or_other_readings_makes_it_out_of_date_and_other_tables_do_not(
        workspace: Workspace) -> None:
    folder = _synthesised(workspace)
    config = workspace.root / "review.toml"
    before = config.read_text(encoding="utf-8")
    assert 'rule_set = "ariens"' in before  # registered by the first run
    config.write_text(before + "\n[screening]\ntarget_recall = 0.9\n", encoding="utf-8")
    assert _status(workspace).endswith("current with its inputs")
    config.write_text(before.replace('rule_set = "ariens"', 'rule_set = "iwh"'), encoding="utf-8")
    assert _status(workspace).endswith(
        f"synthesis.csv written (rule set ariens), out of date (review.toml's rule set is iwh now): {REFRESH}")
    config.write_text(before.replace('rule_set = "ariens"', 'rule_set = "ariens"\nconsistency = 0.6'), encoding="utf-8")
    assert _status(workspace).endswith(
        f"(rule set ariens), out of date (review.toml's [synthesis] or [extraction] settings changed since): {REFRESH}")
    (folder / "factors.toml").write_text((folder / "factors.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "changed since: factors.toml;" in _status(workspace)


def test_a_synthesis_csv_without_its_record_says_its_rule_set_from_the_file_and_that_its_state_is_not_known(
        workspace: Workspace) -> None:
    folder = _synthesised(workspace, "iwh")
    (folder / INPUTS_FILE).unlink()
    assert _status(workspace).endswith(
        f"synthesis.csv written (rule set iwh); whether it is current is not known (no {INPUTS_FILE} of it): {REFRESH}")
    synthesise_extraction(folder, plots=False)
    csv = folder / "synthesis.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",iwh,", ",lievense,"), encoding="utf-8")  # another file
    assert _status(workspace).endswith(  # (no record of this file: the rule set its rows name)
        f"(rule set lievense), out of date (review.toml's rule set is iwh now): {REFRESH}")


def _line_endings(folder: Path, newline: bytes) -> None:
    for path in [folder / "synthesis.csv", folder / "factors.toml", *sorted((folder / "studies").glob("*.toml"))]:
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", newline))


def test_line_endings_a_checkout_changes_leave_the_synthesis_current(workspace: Workspace) -> None:
    # git with core.autocrlf (Windows) checks the text files out with CRLF and commits them with LF: the record
    # written on one side must read as current on the other, not as "changed since" (every study file) or "not known".
    folder = _synthesised(workspace)
    _line_endings(folder, b"\r\n")
    assert _status(workspace).endswith("current with its inputs")
    synthesise_extraction(folder, plots=False)  # (run on the CRLF copy: its record read back on an LF one)
    _line_endings(folder, b"\n")
    assert _status(workspace).endswith("current with its inputs")


def test_a_study_file_saved_while_the_synthesis_runs_reads_as_changed_since(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The record names the files as the run read them: one saved after it read them (the form's save in an open app)
    # is not in synthesis.csv, and status must not call it current.
    import review.synthesis.run as run

    folder = _synthesised(workspace)
    study = folder / "studies" / "arends2014.toml"
    read = run._synthesise_folder

    def read_then_edited(*args: object, **kwargs: object) -> object:
        result = read(*args, **kwargs)
        study.write_text(study.read_text(encoding="utf-8").replace('country = "', 'country = "The ', 1), encoding="utf-8")
        return result

    monkeypatch.setattr(run, "_synthesise_folder", read_then_edited)
    synthesise_extraction(folder, plots=False)
    assert "out of date (changed since: studies/arends2014.toml)" in _status(workspace)


@pytest.mark.parametrize("rule_set", [None, 5])
def test_a_record_edited_to_name_no_rule_set_is_not_read(workspace: Workspace, rule_set: object) -> None:
    import json

    folder = _synthesised(workspace)
    record = json.loads((folder / INPUTS_FILE).read_text(encoding="utf-8"))
    (folder / INPUTS_FILE).write_text(json.dumps({**record, "rule_set": rule_set}), encoding="utf-8")
    assert _status(workspace).endswith(  # (was: "written (rule set None), out of date (review.toml's rule set is …")
        f"synthesis.csv written (rule set ariens); whether it is current is not known (no {INPUTS_FILE} of it): {REFRESH}")


def test_a_record_in_a_format_this_version_does_not_know_is_not_read(workspace: Workspace) -> None:
    # A newer review that digests otherwise (as CRLF read as LF did) writes another format: read here, every file would
    # be "changed since"; the record says its format, and one this version does not know is not compared.
    import json

    folder = _synthesised(workspace)
    record = json.loads((folder / INPUTS_FILE).read_text(encoding="utf-8"))
    assert record["format"] == 1
    (folder / INPUTS_FILE).write_text(json.dumps({**record, "format": 2, "files": {}}), encoding="utf-8")
    assert _status(workspace).endswith(f"whether it is current is not known (no {INPUTS_FILE} of it): {REFRESH}")
    del record["format"]  # (the records written before the format was named: read as format 1)
    (folder / INPUTS_FILE).write_text(json.dumps(record), encoding="utf-8")
    assert _status(workspace).endswith("current with its inputs")
