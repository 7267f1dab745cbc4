"""``review search [NAME]``: run PubMed query files (a thin shell over ``sources.search``)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..sources import search as searching
from ..sources.retrieval import SearchProgress
from ..status import STATUS_PROVIDERS


def register(group: click.Group) -> None:
    group.add_command(search)
    if searching.search_status not in STATUS_PROVIDERS:
        STATUS_PROVIDERS.append(searching.search_status)


class _Bar:
    """A click progress bar on stderr, created once the number of PMIDs is known."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.shown = 0

    def __call__(self, event: SearchProgress) -> None:
        if not self.enabled:
            return
        if event.phase == "fetch" and event.total and self.bar is None:
            self.bar = click.progressbar(length=event.total, label=f"{event.query_name}", file=sys.stderr,
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()
        if self.bar is not None and event.phase in {"fetch", "done"}:
            self.bar.update(max(0, event.done - self.shown))
            self.shown = max(self.shown, event.done)
        if event.phase == "done":
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
            self.shown = 0


@click.command()
@click.argument("names", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="List the query files and their last run; search nothing.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), help="Records per EFetch (default 1000).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
@click.pass_obj
def search(ctx: Any, names: tuple[str, ...], list_only: bool, batch_size: int | None, progress: bool | None) -> None:
    """Run the PubMed queries in queries/*.toml (all, or the NAMEs given) and store new hits.

    Prints one tab-separated line per query: name, status, hits, retrieved, new, requests, log.
    A search that was interrupted resumes where it stopped.
    """
    workspace = ctx.workspace
    if list_only:
        last = {run["query_name"]: run for run in searching.search_store.runs(workspace.store)}
        click.echo("name\tlast_run\tstatus\thits\tnew\tfile")
        for spec in searching.load_queries(workspace.path("queries")):
            run = last.get(spec.name)
            click.echo("\t".join([
                spec.name, searching._iso(run["started_at"]) if run else "-", run["status"] if run else "never",
                str(run["hit_count"] if run and run["hit_count"] is not None else "-"),
                str(run["new_records"] if run and run["new_records"] is not None else "-"),
                spec.path.name if spec.path else "",
            ]))
        return
    overrides = {"efetch_batch": batch_size} if batch_size else {}
    client = searching.client_for(workspace, **overrides)
    bar = _Bar(sys.stderr.isatty() if progress is None else progress)
    click.echo("name\tstatus\thits\tretrieved\tnew\trequests\tlog")
    try:
        outcomes = []
        specs = [searching.find_query(workspace, n) for n in names] if names else \
            searching.load_queries(workspace.path("queries"))
        if not specs:
            raise searching.ReviewError(f"{workspace.path('queries')}: no query files (*.toml) to run")
        for spec in specs:
            outcome = searching.run_search(workspace, spec, client=client, progress=bar)
            bar.close()
            outcomes.append(outcome)
            log = outcome.log_path.relative_to(workspace.root) if outcome.log_path else ""
            status = "resumed" if outcome.resumed else outcome.status
            click.echo(f"{outcome.name}\t{status}\t{outcome.hit_count}\t{outcome.retrieved}\t"
                       f"{outcome.new_records}\t{outcome.requests}\t{log}")
            for warning in outcome.warnings:
                click.echo(f"review: warning: {outcome.name}: {warning}", err=True)
    finally:
        bar.close()
