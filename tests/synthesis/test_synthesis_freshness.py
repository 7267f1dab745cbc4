"""``review status``'s synthesis line says whether synthesis.csv is the synthesis of the inputs now: the rule set it
was written under (from the file's record, not review.toml's setting), which inputs changed since, and what to run."""

from __future__ import annotations

import shutil
from pathlib import Path

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
