"""Command-line entry point: a thin shell over the stage functions.

Each stage adds its commands in ``cli/<stage>.py`` through ``register(group)``; stdout carries
data, errors go to stderr as one line with a mapped exit code.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from ..errors import ReviewError
from ..workspace import Workspace

#: Stage command modules, imported in pipeline order.
COMMAND_MODULES: tuple[str, ...] = (
    "workspace", "sources", "search", "dedup", "screening", "prisma", "demo",
    "extraction", "synthesis", "instrument", "tui",
)


class Context:
    """What every command gets: the workspace option and the reviewer name."""

    def __init__(self, workspace: Path | None, reviewer: str | None) -> None:
        self.workspace_path = workspace
        self.reviewer_option = reviewer
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace.find(self.workspace_path)
        return self._workspace

    @property
    def reviewer(self) -> str:
        if self.reviewer_option:
            return self.reviewer_option
        return self.workspace.config.reviewers[0]


pass_context = click.make_pass_decorator(Context)


class ReviewGroup(click.Group):
    """Turns ``ReviewError`` into one stderr line and its exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ReviewError as err:
            click.echo(f"review: {err}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=ReviewGroup, invoke_without_command=True)
@click.option("--workspace", "-w", type=click.Path(path_type=Path, file_okay=False),
              help="Workspace directory (default: nearest parent holding review.toml).")
@click.option("--reviewer", "-r", help="Reviewer name (default: first in review.toml).")
@click.version_option(package_name="review")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, reviewer: str | None) -> None:
    """Systematic reviews from PubMed search to a validated questionnaire."""
    ctx.obj = Context(workspace, reviewer)
    if ctx.invoked_subcommand is None:
        opener = main.commands.get("tui")
        if opener is not None:
            ctx.invoke(opener)
        else:
            click.echo(ctx.get_help())


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _err:
        if _err.name != f"{__name__}.{_name}":
            raise
        continue
    _module.register(main)
