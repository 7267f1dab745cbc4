"""The minimal study file in docs/synthesis.md is one `review extraction validate` accepts, so it cannot rot."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from review.cli import main

REPO = Path(__file__).resolve().parents[2]


def _example(marker: str) -> str:
    text = (REPO / "docs" / "synthesis.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\n```toml\n(.*?)```", text, re.S)
    assert found, f"docs/synthesis.md lost its {marker}"
    return found.group(1)


def test_the_study_file_example_in_the_docs_validates(tmp_path: Path) -> None:
    folder = tmp_path / "extraction"
    (folder / "studies").mkdir(parents=True)
    for name in ("form.toml", "factors.toml"):  # the programme's form and factor list
        shutil.copy(REPO / "extraction" / name, folder / name)
    (folder / "studies" / "example2020.toml").write_text(_example("study-file-example"), encoding="utf-8")
    result = CliRunner().invoke(main, ["extraction", "validate", "--extraction", str(folder)])
    assert result.exit_code == 0, result.output
    assert "incomplete" not in result.output  # all six QUIPS domains rated, each with its support text
    assert result.output.startswith("1 study file valid (")


def test_a_new_review_goes_from_the_docs_examples_to_a_synthesis(tmp_path: Path) -> None:
    # A new review has only the form review init writes: the docs gave no factors.toml to start from.
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ws"), "--title", "New"]).exit_code == 0
    folder = tmp_path / "ws" / "extraction"
    assert not (folder / "factors.toml").exists()
    (folder / "factors.toml").write_text(_example("factors-file-example"), encoding="utf-8")
    (folder / "studies").mkdir(exist_ok=True)
    (folder / "studies" / "example2020.toml").write_text(_example("study-file-example"), encoding="utf-8")
    ws = ["-w", str(tmp_path / "ws")]
    result = runner.invoke(main, [*ws, "extraction", "validate"])
    assert result.exit_code == 0 and result.output.startswith("1 study file valid (1 factor)"), result.output
    result = runner.invoke(main, [*ws, "synthesis", "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "conflict_with_supervisor" in (folder / "synthesis.csv").read_text(encoding="utf-8")
    assert "stored 1 GRADE judgement\n" in result.output  # said "1 GRADE judgements"


def _listed(words: str) -> tuple[list[str], dict[str, set[str]]]:
    """The field names of a ``a, b (x|y), c`` list and the choices given in brackets."""
    flat = " ".join(words.split())
    choices = {name: set(options.split("|")) for name, options in re.findall(r"(\w+) \(([^)]*\|[^)]*)\)", flat)}
    return [name.strip() for name in re.sub(r"\([^)]*\)", "", flat).split(",")], choices


def test_the_field_lists_in_the_docs_are_the_forms() -> None:
    # A reader writing a study file from the page met 'design = "rct"' refused nowhere and listed nowhere
    # (the form takes rct and cct), a source_kind 'own data' the page did not name, and no word of
    # events, phase, washout_status, estimate_status or the notes.
    import tomllib

    form = tomllib.loads((REPO / "src" / "review" / "extraction" / "form.toml").read_text(encoding="utf-8"))
    text = (REPO / "docs" / "synthesis.md").read_text(encoding="utf-8")
    found = re.search(r"Study fields: `([^`]*)`.*?Estimate fields: `([^`]*)`,\nand `([^`]*)`, `([^`]*)`, `([^`]*)`",
                      text, re.S)
    assert found, "docs/synthesis.md lost its field lists"
    study, study_choices = _listed(found.group(1))
    estimate, estimate_choices = _listed(found.group(2))
    estimate += [found.group(3), found.group(4), found.group(5)]  # the Dutch wordings, named after the list
    assert sorted(study) == sorted(form["study"])
    assert sorted(estimate) == sorted(form["estimate"])
    for listed, table in ((study_choices, "study"), (estimate_choices, "estimate")):
        for name, options in listed.items():
            assert options == set(form[table][name]["choices"]) - {""}, name
