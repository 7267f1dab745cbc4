"""The README's command-line tour, run as a new user types it: every step succeeds without a warning.

A user follows the README before any reference page; a step that warns (or fails) there is the
first thing they meet. The full-text block's commands are read from README.md itself, so an edit
of the README is tested as written.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main

REPO = Path(__file__).resolve().parents[1]


def _tour_block() -> list[str]:
    """The ``review`` lines of the README block that takes the review through full text."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    block = next(b for b in blocks if "review fulltext list --todo" in b)
    lines = [line.split("  #")[0].strip() for line in block.splitlines()]
    return [line for line in lines if line.startswith("review ")]


def _argv(command: str) -> list[str]:
    """A README command line's arguments after ``review``, split as the shell splits them: a quoted argument
    (``--reason "wrong pop"``, as screening.md's example has) is one argument, without its quotes."""
    return shlex.split(command)[1:]


def test_a_quoted_readme_argument_is_one_argument() -> None:
    assert _argv('review -r bob fulltext excluded 12 --reason "wrong pop"') == [
        "-r", "bob", "fulltext", "excluded", "12", "--reason", "wrong pop"]


def test_the_readme_full_text_tour_runs_without_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    root = tmp_path / "walk"
    assert runner.invoke(main, ["init", str(root), "--reviewer", "alice"]).exit_code == 0
    monkeypatch.chdir(root)  # the tour's `cd review-demo`: its relative paths are the workspace's
    csv = tmp_path / "records.csv"
    csv.write_text("id,title,abstract\nr1,Sick leave recurrence in employees,cohort study\n"
                   "r2,Mice in a maze,animal study\n", encoding="utf-8")
    assert runner.invoke(main, ["-w", str(root), "import", str(csv)]).exit_code == 0
    assert runner.invoke(main, ["-w", str(root), "decide", "1", "--include"]).exit_code == 0
    commands = _tour_block()
    assert any(c.startswith("review fulltext eligible") for c in commands)  # the step this guards
    for command in commands:
        args = [("1" if word == "ID" else word) for word in _argv(command)]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (command, result.output)
        assert "warning" not in result.stderr, (command, result.stderr)
    listed = runner.invoke(main, ["-w", str(root), "fulltext", "list"])
    assert "\teligible\t" in listed.stdout
    assert (root / "screening" / "prisma" / "prisma.csv").is_file()


def test_status_names_a_typo_in_the_files_the_readme_says_to_edit_first(tmp_path: Path) -> None:
    # "Your own review" starts with `$EDITOR queries/example.toml screening/criteria.toml`; a typo in
    # either went unsaid by `review status` (criteria.toml's only showed on an exclusion or in the TUI,
    # a query file's on `review search`).
    runner = CliRunner()
    root = tmp_path / "mine"
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    clean = runner.invoke(main, ["-w", str(root), "status"])
    assert clean.exit_code == 0 and "cannot be read" not in clean.stdout
    with (root / "screening" / "criteria.toml").open("a", encoding="utf-8") as criteria:
        criteria.write('exlcude = ["rats"]\n')
    with (root / "queries" / "example.toml").open("a", encoding="utf-8") as query:
        query.write('maxdat = "2025"\n')
    result = runner.invoke(main, ["-w", str(root), "status"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    criteria_line = next(line for line in lines if "criteria.toml" in line)
    query_line = next(line for line in lines if "example.toml" in line)
    assert criteria_line.startswith("  cannot be read: ") and "criteria.toml:exlcude: unknown key" in criteria_line
    assert "screening/criteria.toml" in criteria_line and criteria_line.endswith(
        "; until it is fixed, exclusions are refused and the keyword ranking leaves its terms out")
    assert query_line.startswith("  cannot be read: ") and "example.toml:maxdat: unknown field" in query_line
    assert query_line.endswith("; review search refuses it until it is fixed")
    # Each under its stage's line: criteria under screening, the query under search.
    assert lines.index(criteria_line) > next(i for i, line in enumerate(lines) if line.startswith("screening "))
    assert lines.index(query_line) == next(i for i, line in enumerate(lines) if line.startswith("search ")) + 1


def _team_block() -> list[str]:
    """The ``review`` lines of the README block that takes two reviewers through their conflicts."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S) if "review conflicts --open" in b)
    lines = [line.split("  #")[0].strip() for line in block.splitlines()]
    return [line for line in lines if line.startswith("review ")]


def test_the_readme_team_of_two_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A walk of two reviewers found no README step past `review` (the UI): how bob screens, where the
    # conflicts are and how they are resolved were in the reference pages only.
    runner = CliRunner()
    root = tmp_path / "team"
    assert runner.invoke(main, ["init", str(root), "--reviewer", "alice", "--reviewer", "bob"]).exit_code == 0
    monkeypatch.chdir(root)
    csv = tmp_path / "records.csv"
    csv.write_text("id,title\n" + "".join(f"r{i},Shift work and insomnia {i}\n" for i in range(1, 13)),
                   encoding="utf-8")
    assert runner.invoke(main, ["import", str(csv)]).exit_code == 0
    commands = _team_block()
    screens = [c for c in commands if _argv(c)[2:3] == ["screen"]]
    assert [_argv(c)[1] for c in screens] == ["alice", "bob"]  # each reviewer in their own window
    for command in screens:  # the UI needs a terminal: its command line must parse
        assert runner.invoke(main, [*_argv(command), "--help"]).exit_code == 0, command
    # What the two windows record: they disagree on record 12, the one the README resolves.
    assert runner.invoke(main, ["-r", "alice", "decide", "11", "12", "--include"]).exit_code == 0
    assert runner.invoke(main, ["-r", "bob", "decide", "11", "--include"]).exit_code == 0
    assert runner.invoke(main, ["-r", "bob", "decide", "12", "--exclude"]).exit_code == 0
    outputs = {}
    for command in commands:
        if command in screens:
            continue
        result = runner.invoke(main, _argv(command))
        assert result.exit_code == 0, (command, result.output)
        assert "warning" not in result.stderr, (command, result.stderr)
        outputs[command] = result.stdout
    listed = outputs["review conflicts --open"].splitlines()
    assert len(listed) == 2 and listed[1].startswith("12\t")  # the header and record 12: they agree on 11
    assert outputs["review -r alice conflicts resolve 12 --exclude"] == "12\texclude\talice\n"
    assert runner.invoke(main, ["conflicts", "--open"]).stdout.count("\n") == 1  # resolved: the header alone
    assert (root / "screening" / "agreement.csv").is_file() and (root / "screening" / "prisma" / "prisma.csv").is_file()
