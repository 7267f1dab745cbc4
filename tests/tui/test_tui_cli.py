"""`review` and `review screen` open the app on the right screen as the right reviewer."""

from __future__ import annotations

import gc

import pytest
from click.testing import CliRunner

from review.cli import main
from review.tui.app import ReviewApp
from review.workspace import Workspace


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[ReviewApp]:
    apps: list[ReviewApp] = []

    def run(self: ReviewApp, *args: object, **kwargs: object) -> None:
        self.collecting_at_run = gc.isenabled()  # type: ignore[attr-defined]
        apps.append(self)

    monkeypatch.setattr(ReviewApp, "run", run)
    monkeypatch.setattr("review.cli.output.has_terminal", lambda: True)  # (CliRunner's streams are not one)
    return apps


def test_review_without_subcommand_opens_the_dashboard(workspace: Workspace, opened: list[ReviewApp]) -> None:
    result = CliRunner().invoke(main, ["-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    (app,) = opened
    assert (app.start_screen, app.reviewer, app.blind_option) == ("dashboard", "alice", None)


def test_the_app_starts_without_garbage_collection_and_the_cli_restores_it(
        workspace: Workspace, opened: list[ReviewApp]) -> None:
    """Collections during Textual's imports and start-up cost a tenth of the cold start; the app
    turns collection on again itself (``HeapSettled``), and the CLI does if the app returns."""
    assert gc.isenabled()
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "screen"])
    assert result.exit_code == 0, result.output
    assert opened[-1].collecting_at_run is False  # type: ignore[attr-defined]
    assert gc.isenabled()


def test_screen_command_takes_a_reviewer(workspace: Workspace, opened: list[ReviewApp]) -> None:
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "screen", "--reviewer", "bob", "--no-blind"])
    assert result.exit_code == 0, result.output
    (app,) = opened
    assert (app.start_screen, app.reviewer, app.blind_option) == ("screening", "bob", False)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "--reviewer", "carol", "screen"])
    assert opened[-1].reviewer == "carol"


def test_tui_is_hidden_and_screen_is_listed(workspace: Workspace) -> None:
    help_text = CliRunner().invoke(main, ["--help"]).output
    assert "screen " in help_text and "\n  tui " not in help_text


def test_unknown_start_screen_is_a_review_error(workspace: Workspace) -> None:
    from review.errors import ReviewError
    from review.tui.app import make_app

    with pytest.raises(ReviewError, match="start screen"):
        make_app(workspace, "alice", "nowhere")


def test_export_agreement_writes_the_three_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tui_workspace import build_workspace

    ws = build_workspace(tmp_path / "ws")
    result = CliRunner().invoke(main, ["-w", str(ws.root), "export", "agreement", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["agreement.csv", "agreement.json",
                                                                  "conflicts.csv"]
    assert "alice × bob: n=4 raw=0.500" in result.output


def test_export_agreement_to_dash_is_refused_not_a_folder_named_dash(workspace: Workspace, tmp_path,  # type: ignore[no-untyped-def]
                                                                     monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "agreement", "-"])
    assert result.exit_code == 2 and "'-': agreement writes three files" in result.stderr  # a command-line mistake
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(("args", "named"), [([], ""), (["screen"], "review screen: ")])
def test_the_terminal_ui_without_a_terminal_is_one_line_not_a_hang(workspace: Workspace, args: list[str], named: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Started from a pipe, a script or cron, Textual would draw into the pipe and wait for keys forever."""
    started: list[ReviewApp] = []
    monkeypatch.setattr(ReviewApp, "run", lambda self, *a, **k: started.append(self))
    result = CliRunner().invoke(main, ["-w", str(workspace.root), *args])
    assert result.exit_code == 1 and started == []
    (line,) = result.output.splitlines()
    # (bare review: one "review: ", not "review: review: ")
    assert line.startswith(f"review: {named}the terminal UI needs an interactive terminal"), line


@pytest.mark.parametrize(("written", "shown"), [('"no"', '"no"'), ("0", "0"), ('"false"', '"false"')])
def test_a_blind_setting_that_is_not_true_or_false_is_one_line_and_nothing_opens(
        workspace: Workspace, opened: list[ReviewApp], written: str, shown: str) -> None:
    """``[tui] blind = "no"`` opened the app blind (a non-empty string is true): now review.toml, its line and the
    key in one line, exit 2, before the app (and its session claim) starts."""
    config = workspace.root / "review.toml"
    text = config.read_text(encoding="utf-8").rstrip("\n") + f'\n\n[tui]\n# hide the others?\nblind = {written}\n'
    config.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"blind = {written}") + 1
    for args in (["screen"], []):
        result = CliRunner().invoke(main, ["-w", str(workspace.root), *args])
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            f"review: {config}:tui.blind: {shown}: expected true or false, without quotes (line {line})"]
    assert opened == []


@pytest.mark.parametrize(("written", "blind"), [("false", False), ("true", True)])
def test_a_boolean_blind_setting_is_read(workspace: Workspace, written: str, blind: bool) -> None:
    from review.tui.project import tui_settings

    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n[tui]\nblind = {written}\n", encoding="utf-8")
    assert tui_settings(Workspace(workspace.root)) == (blind, "process")


def test_a_misspelt_tui_key_names_its_line_and_nothing_opens(workspace: Workspace, opened: list[ReviewApp]) -> None:
    """``blnd = true`` was read by nothing: a team's reviewers saw each other's labels without a word."""
    config = workspace.root / "review.toml"
    text = config.read_text(encoding="utf-8").rstrip("\n") + '\n[tui]\nretrain = "thread"\nblnd = true\n'
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "screen"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"review: {config}:tui.blnd: unknown key (known: blind, retrain, keys) (line {len(text.splitlines())})"]
    assert opened == []


def test_a_retrain_setting_out_of_its_choices_names_its_line(workspace: Workspace, opened: list[ReviewApp]) -> None:
    config = workspace.root / "review.toml"
    text = config.read_text(encoding="utf-8").rstrip("\n") + '\n[tui]\nretrain = "fork"\n'
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "screen"])
    assert result.exit_code == 2, result.output
    assert f"review: {config}:tui.retrain: \"fork\": expected one of 'process', 'thread'" in result.output
    assert result.output.endswith(f" (line {len(text.splitlines())})\n")
    assert opened == []
