"""A record id not in the workspace is an error the user can fix: exit 1 from every command that takes record
ids, one stderr line naming it, nothing recorded (decision 0038: ``prisma restore`` and every ``fulltext``
subcommand exited 4, the others 1), in one wording (three before 2026-12-06)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from review.cli import main
from review.workspace import Workspace
from tests.tui.tui_workspace import build_workspace

UNKNOWN = "999"

#: Every command taking record ids, with the unknown id after a known one (1) where it takes several, so
#: "nothing recorded" also says that every id is checked before the first is written.
COMMANDS = [
    ["decide", "1", UNKNOWN, "--include"],
    ["dedup", "--undo-merge", UNKNOWN],
    ["prisma", "remove", "1", UNKNOWN, "--reason", "retracted"],
    ["prisma", "restore", UNKNOWN],
    ["fulltext", "sought", "1", UNKNOWN],
    ["fulltext", "retrieved", "1", UNKNOWN],
    ["fulltext", "not-retrieved", "1", UNKNOWN],
    ["fulltext", "eligible", "1", UNKNOWN],
    ["fulltext", "excluded", "1", UNKNOWN, "--reason", "language"],
    ["fulltext", "link", "1", UNKNOWN],
    ["fulltext", "link", UNKNOWN, "1"],
    ["fulltext", "unlink", "1", UNKNOWN],
    ["conflicts", "resolve", "2", UNKNOWN, "--include"],
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve records, alice and bob disagreeing on records 2 and 3, borderline dedup pairs (copied per test)."""
    root = tmp_path_factory.mktemp("unknown") / "ws"
    build_workspace(root)
    return root


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["-w", str(root), "-r", "alice", *args])


def _everything_recorded(root: Path) -> tuple[str, ...]:
    """What the commands above could have written, as the shell reads it."""
    return tuple(_run(root, *args).stdout for args in (
        ["export", "decisions", "--format", "json", "-"], ["fulltext", "list"], ["prisma", "--out", str(root / "p")],
        ["dedup", "--review"]))


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_record_id_not_in_the_workspace_exits_1_and_records_nothing(template: Path, tmp_path: Path,
                                                                     args: list[str]) -> None:
    import shutil

    root = Path(shutil.copytree(template, tmp_path / "ws"))
    Workspace(root)  # (a copy opens as a workspace of its own)
    before = _everything_recorded(root)
    result = _run(root, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line == f"review: record {UNKNOWN}: not in this workspace; nothing recorded"  # one wording for all
    assert _everything_recorded(root) == before
