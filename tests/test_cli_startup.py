"""Start-up stays cheap: help screens load no heavy library, and ``review --help`` lists every
command from ``COMMAND_SUMMARIES`` exactly as the loaded commands would (issue #15, speed)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from review import cli

#: Libraries that cost 0.3-2 s each to import; no help screen needs any of them.
HEAVY = ("textual", "sqlalchemy", "matplotlib", "pandas", "sklearn")


@pytest.mark.parametrize("args", [["--help"], ["simulate", "--help"]])
def test_help_screens_import_no_heavy_library(args: list[str]) -> None:
    code = ("import sys\nfrom review.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: " in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]", f"review {' '.join(args)} imported a heavy library"


def _listing(group: click.Group, width: int, *, render: object) -> str:
    ctx = click.Context(group, info_name="review", terminal_width=width)
    formatter = ctx.make_formatter()
    render(group, ctx, formatter)  # type: ignore[operator]
    return formatter.getvalue()


@pytest.mark.parametrize("width", [40, 80, 132])
def test_the_command_list_from_summaries_equals_the_loaded_commands_own(width: int) -> None:
    """Add a command or change its first help paragraph: update ``cli.COMMAND_SUMMARIES`` too."""
    loaded = cli.ReviewGroup(name="review")
    loaded.load_all()
    visible = {name for name, command in loaded.commands.items() if not command.hidden}
    assert set(cli.COMMAND_SUMMARIES) == visible
    from_loaded = _listing(loaded, width, render=click.Group.format_commands)
    from_summaries = _listing(cli.ReviewGroup(name="review"), width, render=cli.ReviewGroup.format_commands)
    assert from_summaries == from_loaded
    assert "simulate" in from_summaries
