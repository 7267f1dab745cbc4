"""A command's ``wrote PATH`` line names the file from the folder it runs in when the file is below it, else in full,
so each name opens where it is printed (``paths.named_here``; ``review extraction validate``'s rule for the files it
names). ``synthesis``, ``prisma`` and the rest printed full paths where ``instrument build`` printed relative ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from review.cli import main
from review.workspace import Workspace

from ..synthesis.test_meta_cli import CMD_ROWS

REPO = Path(__file__).resolve().parents[2]


def _named(result: Result, start: str) -> list[str]:
    """What the stderr lines starting ``start`` name: the word after it, up to the next space."""
    assert result.exit_code == 0, result.output
    return [line[len(start):].split(" ")[0] for line in result.stderr.splitlines() if line.startswith(start)]


def _opens_from_here(names: list[str], *files: Path) -> None:
    assert names, "no file named"
    for name, file in zip(names, files, strict=True):
        assert Path(name).resolve() == file.resolve(), (name, file)


def test_synthesis_names_what_it_wrote_from_the_workspace_root_and_from_above_it(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = workspace.root / "extraction"
    for name in ("form.toml", "factors.toml"):
        shutil.copy(REPO / "extraction" / name, folder / name)
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies", dirs_exist_ok=True)
    monkeypatch.chdir(workspace.root)
    at_root = _named(CliRunner().invoke(main, ["synthesis", "--no-plots"]), "wrote ")
    assert at_root == ["extraction/synthesis.csv", "extraction/synthesis.md"]  # (full paths before)
    _opens_from_here(at_root, folder / "synthesis.csv", folder / "synthesis.md")
    monkeypatch.chdir(workspace.root / "instrument")  # not below it: the full path
    beside = _named(CliRunner().invoke(main, ["synthesis", "--no-plots"]), "wrote ")
    assert beside == [str((folder / "synthesis.csv").resolve()), str((folder / "synthesis.md").resolve())]


def test_prisma_names_its_four_files_from_where_it_runs(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace.root.parent)  # a shell above the workspace, naming it with -w
    names = _named(CliRunner().invoke(main, ["-w", str(workspace.root), "prisma"]), "wrote ")
    assert all(not Path(name).is_absolute() and name.startswith(f"{workspace.root.name}/") for name in names), names
    _opens_from_here(names, *(workspace.path("screening", "prisma", f"prisma.{kind}")
                              for kind in ("csv", "json", "svg", "png")))


def test_meta_names_its_json_and_plot_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "est.csv"
    source.write_text(CMD_ROWS, encoding="utf-8")
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "out")
    result = CliRunner().invoke(main, ["meta", str(source), "--json", str(tmp_path / "out" / "m.json"),
                                       "--plot", "../p.svg"])
    assert _named(result, "wrote ") == ["m.json", str((tmp_path / "p.svg").resolve())]  # (as typed before)


def test_extraction_init_and_reconcile_name_the_study_files_from_where_they_run(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace.root)
    init = CliRunner().invoke(main, ["extraction", "init"])
    assert _named(init, "kept ") == ["extraction/form.toml"]
    # the file to write next, named the same way (walk28: its full path beside the 'kept' line's relative one)
    assert init.stdout.startswith("next: write extraction/factors.toml ([[factor]] tables:"), init.stdout
    studies = workspace.root / "extraction" / "studies"
    studies.mkdir(exist_ok=True)
    study = (REPO / "extraction" / "studies" / "endo2015.toml").read_text(encoding="utf-8")
    (studies / "endo2015.toml").write_text(study, encoding="utf-8")
    (studies / "endo2015.bob.toml").write_text(study + "# bob's\n", encoding="utf-8")
    monkeypatch.chdir(studies)
    result = CliRunner().invoke(main, ["extraction", "reconcile", "endo2015", "--from", "bob", "--force"])
    assert _named(result, "wrote ") == ["endo2015.toml"]
    assert "the file it replaced is kept as endo2015.toml.replaced (rename it back to undo)" in result.stderr


def test_validate_demo_names_the_data_it_wrote_from_the_workspace_root(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace.root)
    names = _named(CliRunner().invoke(main, ["validate", "demo", "--no-run"]), "wrote ")
    assert names and all(name.startswith("validate/") for name in names), names
    assert all(Path(name).is_file() for name in names)


def test_export_records_names_the_file_from_the_current_folder(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from ..prisma.conftest import add_records

    add_records(workspace, 3, "PubMed")
    monkeypatch.chdir(workspace.root.parent)
    out = workspace.root.parent / "records.csv"
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "records", "--format", "csv", str(out)])
    assert result.exit_code == 0 and "wrote 3 records to records.csv (csv)" in result.stderr, result.output


def test_instrument_score_names_the_profile_it_wrote_from_the_current_folder(
        workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ..instrument.conftest import QUESTIONS, SYNTHESIS

    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    (workspace.root / "instrument" / "questions.toml").write_text(QUESTIONS, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(workspace.root), "instrument", "build", "--no-exports"]).exit_code == 0
    response = tmp_path / "client" / "answers.json"
    response.parent.mkdir()
    response.write_text(json.dumps({"answers": {"prev_absence": "yes"}}), encoding="utf-8")
    monkeypatch.chdir(response.parent)
    result = runner.invoke(main, ["-w", str(workspace.root), "instrument", "score", str(response),
                                  "--json", str(response.parent / "profile.json"), "--out", str(response.parent / "r.md")])
    assert _named(result, "wrote ") == ["profile.json", "r.md"]
