"""An open workspace follows edits of review.toml (Workspace.config), store location excepted."""

from __future__ import annotations

from pathlib import Path

from review.sources.search import client_for
from review.workspace import Workspace, init_workspace


def _edit(workspace: Workspace, old: str, new: str) -> None:
    path = workspace.config_path
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _append(workspace: Workspace, text: str) -> None:
    with workspace.config_path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_an_email_set_in_another_terminal_is_used_at_the_next_search(tmp_path: Path) -> None:
    """The TUI told the reviewer to set [pubmed] email; they did, and the next request still went without it."""
    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    assert client_for(workspace).config.email == ""
    _append(workspace, '\n[pubmed]\nemail = "alice@example.org"\n')
    assert client_for(workspace).config.email == "alice@example.org"
    _edit(workspace, "alice@example.org", "bob@example.org")  # (same size, within the clock's tick)
    assert client_for(workspace).config.email == "bob@example.org"
    assert workspace.config_error == "" and workspace.store_location_note == ""


def test_a_broken_edit_is_one_line_naming_the_file_and_line_and_the_last_settings_stay(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    _append(workspace, '\n[pubmed]\nemail = "alice@example.org"\n')
    assert workspace.config.section("pubmed")["email"] == "alice@example.org"
    good = workspace.config_path.read_text(encoding="utf-8")
    broken_line = good.count("\n") + 2
    workspace.config_path.write_text(good + '\n[pubmed\nemail = "bob@example.org"\n', encoding="utf-8")
    config = workspace.config
    assert config.section("pubmed") == {"email": "alice@example.org"} and config.title == "t"  # nothing half-read
    error = workspace.config_error
    assert "review.toml" in error and f"line {broken_line}" in error and "\n" not in error, error
    reads = workspace.config_reads
    assert workspace.config is config and workspace.config_reads == reads  # read once per edit, not per use
    workspace.config_path.write_text(good.replace("alice@", "bob@"), encoding="utf-8")
    assert workspace.config.section("pubmed")["email"] == "bob@example.org" and workspace.config_error == ""


def test_an_edited_store_location_is_not_switched_to_under_an_open_workspace(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    store, url = workspace.store, workspace.database_url
    _edit(workspace, 'database = "review.db"', 'database = "other.db"\ndatabase_url = "sqlite:////tmp/x.db"')
    _edit(workspace, 'title = "t"', 'title = "the review"')
    assert workspace.config.title == "the review"  # the rest of the edit is in use
    assert workspace.database_url == url and workspace.config.database == "review.db"
    assert workspace.config.database_url is None and workspace.store is store
    assert workspace.sqlite_databases() == (workspace.root / "review.db",)  # (refuse_own_store guards the open one)
    note = workspace.store_location_note
    assert "restart review" in note and "review.db" in note and "\n" not in note, note
    _edit(workspace, 'database = "other.db"\ndatabase_url = "sqlite:////tmp/x.db"', 'database = "review.db"')
    assert workspace.config.title == "the review" and workspace.store_location_note == ""  # edited back
    assert not (workspace.root / "other.db").exists()


def test_a_stat_per_use_is_all_an_unchanged_file_costs(tmp_path: Path) -> None:
    """Not a timing: that nothing is parsed again while the file stays as it was."""
    workspace = init_workspace(tmp_path / "ws", title="t", reviewers=["alice"])
    config = workspace.config
    for _ in range(100):
        assert workspace.config is config
    assert workspace.config_reads == 0


def test_a_command_that_reads_a_broken_edit_mid_run_says_so_in_one_line(workspace: Workspace, monkeypatch) -> None:
    """review.toml edited (and broken) in another terminal while a command runs: the command went on with the
    settings it read at its start without a word (config_error was set, nothing printed it)."""
    from click.testing import CliRunner

    import review.cli.workspace as cli_workspace
    from review.cli import main

    from review.records import Record

    workspace.store.add_batch([Record(title=f"record {n}") for n in range(3)], file_name="f.ris",
                              file_sha256="1" * 64, source_name="PubMed", format="ris", encoding="utf-8")
    workspace.store.add_decision(workspace.store.records()[0].id, "alice", "exclude")
    _append(workspace, '\n[screening]\nstopping_rule = "certified"\n')
    good = workspace.config_path.read_text(encoding="utf-8")
    status_lines = cli_workspace.workspace_status
    broken_line = good.count("\n") + 2

    def status_then_an_edit(opened: Workspace, **options: object) -> list[str]:  # the edit lands between two reads
        lines = status_lines(opened, **options)
        opened.config_path.write_text(good + '\n[screening\nstopping_rule = "recommended"\n', encoding="utf-8")
        return lines

    monkeypatch.setattr(cli_workspace, "workspace_status", status_then_an_edit)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "status", "--stopping"])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "review.toml" in line]
    assert len(said) == 1, result.stderr
    assert f"line {broken_line}" in said[0] and "goes on with the settings it read before" in said[0], said[0]
    assert "(Certified rule)" in result.stdout, result.stdout  # (what it went on with: the rule read before the edit)
