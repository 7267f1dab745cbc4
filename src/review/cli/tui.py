"""``review`` (no subcommand) and ``review screen``: open the terminal UI."""

from __future__ import annotations

import click

from ..workspace import Workspace


def register(group: click.Group) -> None:
    group.add_command(tui)
    group.add_command(screen)


def _run(workspace: Workspace, reviewer: str, start: str, blind: bool | None) -> None:
    from ..tui.app import make_app  # textual is imported only when the UI is opened

    make_app(workspace, reviewer, start, blind=blind).run()


@click.command(hidden=True)
@click.option("--start", type=click.Choice(["dashboard", "screening", "dedup", "conflicts", "browser"]),
              default="dashboard", show_default=True, help="Screen to open first.")
@click.option("--blind/--no-blind", default=None,
              help="Hide other reviewers' decisions (default: on with two or more reviewers).")
@click.pass_obj
def tui(ctx: object, start: str, blind: bool | None) -> None:
    """Open the terminal UI on the dashboard."""
    _run(ctx.workspace, ctx.reviewer, start, blind)  # type: ignore[attr-defined]


@click.command()
@click.option("--reviewer", "reviewer_name", help="Screen as this reviewer (overrides --reviewer of review).")
@click.option("--blind/--no-blind", default=None,
              help="Hide other reviewers' decisions (default: on with two or more reviewers).")
@click.pass_obj
def screen(ctx: object, reviewer_name: str | None, blind: bool | None) -> None:
    """Open the terminal UI straight on the screening screen."""
    reviewer = reviewer_name or ctx.reviewer  # type: ignore[attr-defined]
    _run(ctx.workspace, reviewer, "screening", blind)  # type: ignore[attr-defined]
