"""``review`` (no subcommand) and ``review screen``: open the terminal UI; ``review export agreement``."""

from __future__ import annotations

from pathlib import Path

import click

from ..services import screening as service
from ..tui.startup import START_SCREENS, without_collection
from ..words import counted
from ..workspace import Workspace
from .context import Context, pass_context
from .output import require_terminal
from .sources import export_group


def register(group: click.Group) -> None:
    group.add_command(tui)
    group.add_command(screen)
    export_group(group).add_command(export_agreement)


def _run(workspace: Workspace, reviewer: str, start: str, blind: bool | None, command: str) -> None:
    require_terminal(command)
    # No collections while Textual and the app are imported: the app turns collection back on,
    # over a frozen heap, once the first record shows (``ReviewApp.load_project``).
    with without_collection():
        from ..tui.app import make_app  # textual is imported only when the UI is opened

        app = make_app(workspace, reviewer, start, blind=blind)
        app.run()
    if app.return_code:  # e.g. refused as a second session of this reviewer (the app printed why)
        raise SystemExit(app.return_code)


@click.command(hidden=True)
@click.option("--start", type=click.Choice(START_SCREENS), default="dashboard", show_default=True,
              help="Screen to open first.")
@click.option("--blind/--no-blind", default=None,
              help="Hide other reviewers' decisions (default: on with two or more reviewers).")
@pass_context
def tui(ctx: Context, start: str, blind: bool | None) -> None:
    """Open the terminal UI on the dashboard."""
    _run(ctx.workspace, ctx.reviewer, start, blind, "")


@click.command()
@click.option("--reviewer", "-r", "reviewer_name", help="Screen as this reviewer (overrides --reviewer of review).")
@click.option("--blind/--no-blind", default=None,
              help="Hide other reviewers' decisions (default: on with two or more reviewers).")
@pass_context
def screen(ctx: Context, reviewer_name: str | None, blind: bool | None) -> None:
    """Open the terminal UI straight on the screening screen."""
    if reviewer_name is not None:  # checked as review's own -r is (a blank name is refused, not ignored)
        ctx.reviewer_option = reviewer_name
    _run(ctx.workspace, ctx.reviewer, "screening", blind, "review screen")


@click.command("agreement")
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False), required=False)
@pass_context
def export_agreement(ctx: Context, out_dir: Path | None) -> None:
    """Write agreement.json, agreement.csv (Cohen's kappa, Gwet's AC1, raw agreement per pair of
    reviewers) and conflicts.csv to OUT_DIR (default: the workspace's screening/)."""
    if out_dir is not None and str(out_dir) == "-":  # '-' is stdout for one-file exports; this one writes three
        raise click.BadParameter("'-': agreement writes three files (agreement.json, agreement.csv, "
                                 "conflicts.csv) into a folder; give one, or none for screening/", param_hint="OUT_DIR")
    exported = service.export_agreement(ctx.workspace, out_dir)
    for path in exported.paths:
        click.echo(str(path))
    for s in exported.stats:
        shown = s.shown()
        click.echo(f"{s.reviewer_a} × {s.reviewer_b}: n={s.n} raw={shown['raw']} kappa={shown['kappa']} "
                   f"ac1={shown['ac1']} kappa_include_vs_not={shown['kappa_include_vs_not']}", err=True)
    reopened = exported.reopened
    if reopened:  # a reviewer changed their decision after the resolution: PRISMA still takes it
        click.echo("resolve again: " + "; ".join(
            f"record {c.record_id} resolved {c.resolution} by {c.resolved_by} before {', '.join(c.changed_since)} "
            "changed" for c in reopened), err=True)
    if exported.left_out:  # stderr, as the statistics: stdout stays the list of files written
        click.echo(f"left out: {counted(len(exported.left_out), 'conflict')} on records not screened "
                   "(removed before screening, set aside as duplicates or found by other methods); kept, they count "
                   "again when the record is back",
                   err=True)
