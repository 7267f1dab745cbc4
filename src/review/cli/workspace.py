"""``review init`` and ``review status``."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from ..services.workspace import create_store, create_workspace, gives_password, migrate_store, workspace_status
from ..words import recall_percent
from .context import FOLDER, SEED, Context, pass_context, say


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(status)
    group.add_command(migrate)


@click.command()
@click.argument("path", type=FOLDER, default=".")
@click.option("--title", default="Untitled review", help="Review title for review.toml.")
@click.option("--reviewer", "reviewers", multiple=True, help="Reviewer name (repeat for several).")
@click.option("--seed", type=SEED, default=42, show_default=True, help="Seed for every random choice.")
@click.option("--database", "database_url", metavar="URL",
              help="Put the store on a server: postgresql://user@host/name (team mode). The password comes "
                   "from PGPASSWORD or ~/.pgpass; one given in the URL is used now but never written down.")
@click.option("--store-only", is_flag=True,
              help="Start an empty store for the workspace at PATH, whose store is missing (a new copy of a "
                   "workspace whose review.db stays out of git). Other commands never create one.")
@click.pass_context
def init(click_ctx: click.Context, path: Path, title: str, reviewers: tuple[str, ...], seed: int,
         database_url: str | None, store_only: bool) -> None:
    """Create a review workspace at PATH (queries/, screening/, extraction/, instrument/, store)."""
    if store_only:
        options = {"title": "--title", "reviewers": "--reviewer", "seed": "--seed", "database_url": "--database"}
        given = [flag for name, flag in options.items()
                 if click_ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"--store-only takes no {', '.join(given)}: the workspace's review.toml says them")
        workspace = create_store(path)
        click.echo(f"created an empty store for {workspace.root} on {workspace.store_location()}")
        return
    workspace = create_workspace(path, title=title, reviewers=list(reviewers) or None, seed=seed,
                                 database_url=database_url)
    click.echo(f"created workspace {workspace.root}")
    click.echo("next: write your strategy in queries/ and your terms in screening/criteria.toml, then "
               "`review search` or `review import FILE` (docs/workspaces.md)")
    if database_url:
        click.echo(f"store on {workspace.store_location()}")
        if gives_password(database_url):
            click.echo("review.toml keeps the URL without its password: put it in ~/.pgpass or PGPASSWORD")


@click.command()
@click.option("--stopping", is_flag=True,
              help="Then, per reviewer, the stopping rule's verdict as the screening screen computes and words it "
                   "(the rule, its estimate of what is left, the bound at its confidence); a classifier check that "
                   "is due is made first, as the screen's worker does (seconds on large reviews), and kept with the "
                   "reviewer's queue, so the next call takes it.")
@click.option("--all", "every", is_flag=True,
              help="Name every item of a list a line cuts at three, '(+N more: review status --all lists them)' "
                   "(the included studies without a study file, the study files not matched to one).")
@pass_context
def status(ctx: Context, stopping: bool, every: bool) -> None:
    """Print what the workspace holds per stage."""
    # The lines read the decision log into some 100,000 objects without a cycle among them (40,000 decisions): the
    # collector's passes over them freed nothing and took 0.13 s of the command's 1.0 s CPU
    # (benchmarks/status_scale.py). Off for the lines only; --stopping's model is another matter.
    collecting = gc.isenabled()
    gc.disable()
    try:
        lines = workspace_status(ctx.workspace, every=every)
    finally:
        if collecting:
            gc.enable()
    for line in lines:
        click.echo(line)
    if ctx.workspace.missing_store is not None:  # (the "store  not there" line says what to do)
        raise SystemExit(ctx.workspace.missing_store.exit_code)
    if stopping:
        from ..services.screening import stopping_advice

        advice = stopping_advice(ctx.workspace)
        if not advice:
            click.echo("stopping   no reviewer has decided yet")
        for reviewer in advice:
            recall = "–" if reviewer.estimated_recall is None else recall_percent(
                reviewer.estimated_recall, target=reviewer.recorded.get("target_recall"))
            click.echo(f"stopping   {reviewer.reviewer}: {reviewer.verdict.upper()} ({reviewer.rule_name}), "
                       f"estimated recall {recall}, {reviewer.screened:,} screened, {reviewer.remaining:,} left")
            click.echo(f"  {reviewer.explanation}")


@click.command()
@click.option("--to", "to_url", required=True, metavar="URL",
              help="Empty target database: postgresql://user@host/name, or sqlite:////path/review.db to come back.")
@pass_context
def migrate(ctx: Context, to_url: str) -> None:
    """Move the review's store to another database (SQLite <-> PostgreSQL) without loss.

    Copies every table, prints row counts and content hashes of both sides, and refuses to
    finish (keeping nothing on the target, review.toml unchanged) if they differ.
    """
    report = migrate_store(ctx.workspace, to_url)
    click.echo(f"from {report.source}")
    click.echo(f"to   {report.target}")
    click.echo(f"{'table':<28} {'rows from':>10} {'rows to':>10}  hash from    hash to")
    for t in report.tables:
        click.echo(f"{t.table:<28} {t.source_rows:>10} {t.target_rows:>10}  {t.source_hash[:12]} {t.target_hash[:12]}")
    click.echo(f"{'content hash':<28} {'':>10} {'':>10}  {report.source_hash[:12]} {report.target_hash[:12]}")
    click.echo(f"migrated: review.toml now points at {report.target}")
    if override := ctx.workspace.store_override():
        say("warning", override)
