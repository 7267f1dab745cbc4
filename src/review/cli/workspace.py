"""``review init`` and ``review status``."""

from __future__ import annotations

from pathlib import Path

import click

from ..services.workspace import create_workspace, workspace_status
from .context import Context, pass_context


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(status)


@click.command()
@click.argument("path", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--title", default="Untitled review", help="Review title for review.toml.")
@click.option("--reviewer", "reviewers", multiple=True, help="Reviewer name (repeat for several).")
@click.option("--seed", default=42, show_default=True, help="Seed for every random choice.")
def init(path: Path, title: str, reviewers: tuple[str, ...], seed: int) -> None:
    """Create a review workspace at PATH (queries/, screening/, extraction/, instrument/, store)."""
    workspace = create_workspace(path, title=title, reviewers=list(reviewers) or None, seed=seed)
    click.echo(f"created workspace {workspace.root}")


@click.command()
@pass_context
def status(ctx: Context) -> None:
    """Print what the workspace holds per stage."""
    for line in workspace_status(ctx.workspace):
        click.echo(line)
