"""An error line names the file it is about as a ``wrote PATH`` line does (``paths.named_here``): from the folder the
command runs in when the file is below it, else in full. ``review extraction load`` and ``review synthesis`` named a
bad study file by its full path where ``review extraction validate`` named it from the current folder (tidy28 #2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
PROBLEM = "arends2014.toml:estimates[1].ci_low: expected number, got str 'abc' (line 24)"


@pytest.fixture
def bad_study(workspace: Workspace) -> Path:
    folder = workspace.root / "extraction"
    for name in ("form.toml", "factors.toml"):
        shutil.copy(REPO / "extraction" / name, folder / name)
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies", dirs_exist_ok=True)
    study = folder / "studies" / "arends2014.toml"
    text = study.read_text(encoding="utf-8")
    assert "\nci_low = 1.40\n" in text
    study.write_text(text.replace("\nci_low = 1.40\n", "\nci_low = \"abc\"\n", 1), encoding="utf-8")
    return study


@pytest.mark.parametrize("here, named", [("", "extraction/studies/"), ("extraction/studies", ""), ("instrument", None)])
@pytest.mark.parametrize("command", [["extraction", "load"], ["synthesis", "--no-plots"], ["extraction", "validate"]])
def test_a_bad_study_file_is_named_from_where_the_command_runs(
        workspace: Workspace, bad_study: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], here: str,
        named: str | None) -> None:
    monkeypatch.chdir(workspace.root / here)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 4, result.output
    lines = [line.removeprefix("review: ") for line in result.output.splitlines() if "ci_low" in line]
    name = str(bad_study.parent.resolve()) + "/" if named is None else named  # (not below it: in full)
    assert lines == [name + PROBLEM]  # one line, naming file, field and line (validate: on stdout)
    assert (Path.cwd() / lines[0].split(":", 1)[0]).resolve() == bad_study.resolve()  # it opens from here


def test_from_above_the_workspace_the_name_starts_with_its_folder(
        workspace: Workspace, bad_study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace.root.parent)
    result = CliRunner().invoke(main, ["-w", workspace.root.name, "synthesis"])
    assert result.exit_code == 4
    assert result.stderr == f"review: {workspace.root.name}/extraction/studies/{PROBLEM}\n"


def test_an_output_that_cannot_be_written_is_named_from_here_too(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shared printer's OSError line: a path typed in full below the current folder printed in full.
    monkeypatch.chdir(workspace.root)
    (workspace.root / "afile").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "decisions", "--format", "csv", str(workspace.root / "afile" / "x.csv")])
    assert result.exit_code == 1
    assert result.stderr == "review: afile/x.csv: cannot write here (Not a directory: a file stands where a folder is needed)\n"


def test_a_current_folder_that_is_gone_leaves_the_line_as_it_is(
        workspace: Workspace, bad_study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "synthesis"])
    assert result.exit_code == 4
    assert result.stderr == f"review: {bad_study.parent}/{PROBLEM}\n"


@pytest.fixture
def gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, removed under the command (as a shell keeps a folder deleted or made anew meanwhile)."""
    folder = tmp_path / "gone"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PWD", str(folder))
    folder.rmdir()
    return folder


def test_a_command_that_did_its_work_in_a_removed_folder_says_what_it_wrote(
        workspace: Workspace, gone: Path, tmp_path: Path) -> None:
    # Its 'wrote' line called Path.cwd(): the file was written and the command ended on
    # 'review: No such file or directory', exit 1
    out = tmp_path / "d.csv"
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "decisions", "--format", "csv", str(out)])
    assert (result.exit_code, result.stderr) == (0, f"wrote 0 decisions to {out} (csv)\n")
    assert out.is_file()


def test_validate_in_a_removed_folder_names_each_file_in_full(workspace: Workspace, bad_study: Path, gone: Path) -> None:
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "extraction", "validate"])
    assert result.exit_code == 4, result.output
    assert f"{bad_study.parent}/{PROBLEM}" in result.stdout.splitlines()


@pytest.mark.parametrize("command", [["status"], ["-w", "WS", "export", "decisions", "--format", "csv", "d.csv"]])
def test_a_removed_current_folder_is_one_line_naming_it(workspace: Workspace, gone: Path, command: list[str]) -> None:
    # No workspace to find from it, or a relative output name that cannot be read from it: both printed
    # 'review: No such file or directory' (exit 1), naming nothing
    result = CliRunner().invoke(main, [str(workspace.root) if part == "WS" else part for part in command])
    assert result.exit_code == 2
    assert result.stderr == (f"review: {gone}: the folder this command runs in was removed; cd to the review's folder "
                             "(again, if it was made anew), or name it with --workspace\n")


def test_from_the_root_folder_names_stay_in_full(
        workspace: Workspace, bad_study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 'review -w /data/ws synthesis' in / (a container's working folder) named 'data/ws/extraction/…'
    monkeypatch.chdir("/")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots"])
    assert (result.exit_code, result.stderr) == (4, f"review: {bad_study.parent}/{PROBLEM}\n")
    out = tmp_path / "d.csv"
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "decisions", "--format", "csv", str(out)])
    assert (result.exit_code, result.stderr) == (0, f"wrote 0 decisions to {out} (csv)\n")
