"""What a new user met walking the CLI (2026-12-06): each line here failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main


@pytest.mark.parametrize("event", ["sought", "retrieved", "not-retrieved", "eligible", "excluded"])
def test_a_fulltext_event_without_a_record_id_is_a_command_line_mistake(workspace, event: str) -> None:
    # 'give at least one record id' exited 4 (validation failed); a missing argument is exit 2 (docs/interfaces.md).
    extra = ["--reason", "wrong population"] if event == "excluded" else []
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "fulltext", event, *extra])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"review: fulltext {event}: Missing argument 'RECORD_IDS...'. "
                             f"(review fulltext {event} --help)\n")


def test_demo_without_a_terminal_says_the_ui_did_not_open(tmp_path: Path) -> None:
    # It printed the status and ended: nothing said why no terminal UI came up.
    path = tmp_path / "my demo"  # (the command shown is quoted for the shell: it was review -w .../my demo)
    built = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert built.exit_code == 0 and "did not open" not in built.stderr
    again = CliRunner().invoke(main, ["demo", str(path)])
    assert again.exit_code == 0 and again.stdout.startswith("workspace  ")
    assert again.stderr.splitlines()[-1] == (f"review: note: no terminal here, so the UI did not open; open it in "
                                             f"one with: review -w '{path}'")
