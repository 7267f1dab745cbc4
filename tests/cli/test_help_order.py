"""``review --help`` lists the commands in the order of the review's stages, then the workspace's
commands and utilities, each with its one-line summary (it listed them alphabetically: ``decide``
first, ``import`` in the middle)."""

from __future__ import annotations

from click.testing import CliRunner

from review import cli
from review.cli import main

#: The stages in the order a review goes through them (README "What it is for"), commands per stage.
STAGES = (("import", "search"), ("dedup",), ("screen", "decide", "conflicts", "simulate"), ("fulltext", "prisma"),
          ("extraction",), ("synthesis", "meta"), ("instrument",), ("validate",))
UTILITIES = ("init", "status", "export", "migrate", "demo")


def _listed(help_text: str) -> list[tuple[str, str]]:
    """(command, summary) per line of the command sections, in the order shown."""
    sections = help_text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[1]
    rows = []
    for line in sections.splitlines():
        if line.startswith("  ") and not line.startswith("    "):
            name, _, summary = line.strip().partition(" ")
            rows.append((name, summary.strip()))
    return rows


def test_help_lists_the_commands_in_the_order_of_the_stages_then_the_utilities() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    listed = _listed(result.stdout)
    assert [name for name, _ in listed] == [name for stage in STAGES for name in stage] + list(UTILITIES)
    assert all(summary for _, summary in listed)  # one line each, never a bare name
    titles = [line for line in result.stdout.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert titles == ["Options:", "Stages, in the order of a review:", "Workspace and utilities:"]
    assert dict(listed) == cli.COMMAND_SUMMARIES  # whole, not cut at the line's end ("...")


def test_each_summary_is_one_sentence_that_fits_an_80_column_line() -> None:
    for name, summary in cli.COMMAND_SUMMARIES.items():
        assert summary.endswith(".") and "\n" not in summary and summary.isascii(), name
        assert 2 + max(map(len, cli.COMMAND_SUMMARIES)) + 2 + len(summary) <= 80, name


def test_every_listed_command_is_in_one_section() -> None:
    names = [name for _, section in cli.COMMAND_SECTIONS for name in section]
    assert sorted(names) == sorted(cli.COMMAND_SUMMARIES) and len(set(names)) == len(names)
