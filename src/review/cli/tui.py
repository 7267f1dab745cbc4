"""``review`` (no subcommand) and ``review screen``: open the terminal UI."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from ..workspace import Workspace


def register(group: click.Group) -> None:
    from .sources import export_group

    group.add_command(tui)
    group.add_command(screen)
    export_group(group).add_command(export_agreement)


def _run(workspace: Workspace, reviewer: str, start: str, blind: bool | None) -> None:
    # No collections while Textual and the app are imported (about a tenth of their import
    # time goes to collections that find nothing): the app turns collection back on, over a
    # frozen heap, once the first record shows (``ReviewApp.load_project``).
    collecting = gc.isenabled()
    gc.disable()
    try:
        from ..tui.app import make_app  # textual is imported only when the UI is opened

        make_app(workspace, reviewer, start, blind=blind).run()
    finally:
        if collecting:
            gc.enable()


@click.command(hidden=True)
@click.option("--start", type=click.Choice(["dashboard", "screening", "dedup", "conflicts", "browser", "fulltext", "extraction"]),
              default="dashboard", show_default=True, help="Screen to open first.")
@click.option("--blind/--no-blind", default=None,
              help="Hide other reviewers' decisions (default: on with two or more reviewers).")
@click.pass_obj
def tui(ctx: object, start: str, blind: bool | None) -> None:
    """Open the terminal UI on the dashboard."""
    _run(ctx.workspace, ctx.reviewer, start, blind)  # type: ignore[attr-defined]


@click.command()
@click.option("--reviewer", "-r", "reviewer_name", help="Screen as this reviewer (overrides --reviewer of review).")
@click.option("--blind/--no-blind", default=None,
              help="Hide other reviewers' decisions (default: on with two or more reviewers).")
@click.pass_obj
def screen(ctx: object, reviewer_name: str | None, blind: bool | None) -> None:
    """Open the terminal UI straight on the screening screen."""
    reviewer = reviewer_name or ctx.reviewer  # type: ignore[attr-defined]
    _run(ctx.workspace, reviewer, "screening", blind)  # type: ignore[attr-defined]


@click.command("agreement")
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False), required=False)
@click.pass_obj
def export_agreement(ctx: object, out_dir: Path | None) -> None:
    """Write agreement.json, agreement.csv (Cohen's kappa, Gwet's AC1, raw agreement per pair of
    reviewers) and conflicts.csv to OUT_DIR (default: the workspace's screening/)."""
    from ..screening.agreement import (
        conflicts, export_agreement as write, pairwise_agreement, store_labels, store_resolutions,
    )

    workspace = ctx.workspace  # type: ignore[attr-defined]
    labels = store_labels(workspace.store)
    reviewers = [r for r in workspace.config.reviewers if any(rv == r for _, rv in labels)]
    reviewers += sorted({rv for _, rv in labels} - set(reviewers))
    stats = pairwise_agreement(labels, reviewers)
    found = conflicts(labels, store_resolutions(workspace.store))
    for path in write(out_dir or workspace.path("screening"), stats, found, reviewers):
        click.echo(str(path))
    for s in stats:
        kappa = "–" if s.kappa is None else f"{s.kappa:.3f}"
        ac1 = "–" if s.ac1 is None else f"{s.ac1:.3f}"
        raw = "–" if s.raw is None else f"{s.raw:.3f}"
        click.echo(f"{s.reviewer_a} × {s.reviewer_b}: n={s.n} raw={raw} kappa={kappa} ac1={ac1}", err=True)
