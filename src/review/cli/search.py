"""``review search [NAME]``: run PubMed query files (a thin shell over ``sources.search``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..atomic import write_text_atomic
from ..errors import ReviewError
from ..services import sources as service
from ..workspace import Workspace
from .context import INPUT_FILE, Context, NumberRange, pass_context, say
from .output import check_outputs

if TYPE_CHECKING:
    from ..services.sources import SearchProgress


def register(group: click.Group) -> None:
    group.add_command(search)


class _Bar:
    """A click progress bar on stderr, created once the number of PMIDs is known; with ``lines``
    (``--progress`` when stderr is no terminal: a log file, ``nohup``) one line per step instead,
    as click's bar would print only the query's name there."""

    def __init__(self, enabled: bool, lines: bool = False) -> None:
        self.enabled = enabled
        self.lines = lines
        self.bar: Any = None
        self.shown = 0

    def __call__(self, event: SearchProgress) -> None:
        if not self.enabled:
            return
        if self.lines:
            click.echo(event.line(), err=True)
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
@click.option("--check-seeds", "seed_file", type=INPUT_FILE,
              help="Check NAME against the studies it must find (PMID list or any importable file); searches nothing, logs the check.")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
              help="With --check-seeds: also write the check as JSON to this file ('-': JSON on stdout, table on stderr).")
@click.option("--min-recall", type=NumberRange(0, 1),
              help="With --check-seeds: exit with status 5 when the relative recall is below this.")
@pass_context
def search(ctx: Context, names: tuple[str, ...], list_only: bool, batch_size: int | None, progress: bool | None,
           seed_file: Path | None, json_out: Path | None, min_recall: float | None) -> None:
    """Run the PubMed queries in queries/*.toml (all, or the NAMEs given) and store new hits.

    Prints one tab-separated line per query: name, status, hits, retrieved, new, requests, log.
    A search that was interrupted resumes where it stopped.

    With --check-seeds FILE, runs no search: prints one line per seed (pmid, result, title),
    where result is "found" or which block of the strategy lost it, then the relative recall.
    """
    workspace = ctx.workspace
    if seed_file is None and (json_out is not None or min_recall is not None):
        raise click.UsageError("--json and --min-recall go with --check-seeds")
    if seed_file is not None:
        if len(names) != 1 or list_only:
            raise click.UsageError("--check-seeds checks one query: review search NAME --check-seeds FILE")
        _check_seeds(workspace, names[0], seed_file, json_out, min_recall)
        return
    if list_only:
        queries = service.list_queries(workspace)  # before the header: a bad file is then the only line
        click.echo("name\tlast_run\tstatus\thits\tnew\tfile")
        for query in queries:
            click.echo("\t".join([
                query.name, query.last_run or "-", query.status,
                "-" if query.hit_count is None else str(query.hit_count),
                "-" if query.new_records is None else str(query.new_records),
                query.file_name,
            ]))
        return
    terminal = sys.stderr.isatty()
    bar = _Bar(terminal if progress is None else progress, lines=not terminal)
    searches = service.start_searches(workspace, names, batch_size=batch_size, progress=bar)
    for template in searches.skipped_templates:
        say("note", f"{template}: a template (template = true), not searched")
    if searches.missing_contact:
        say("note", "NCBI asks E-utilities users for a contact address: set NCBI_EMAIL "
            "(or email under [pubmed] in review.toml)")
    header = "name\tstatus\thits\tretrieved\tnew\trequests\tlog"
    refused = 0
    try:
        for outcome in searches.run():
            bar.close()
            if header:  # over the first row: a search that fails at once prints its error alone
                click.echo(header)
                header = ""
            if outcome.refused is not None:  # another process searches it: say so, go on with the rest
                click.echo(f"{outcome.name}\t{outcome.status}\t-\t-\t-\t0\t")
                click.echo(f"review: {outcome.refused}", err=True)
                refused += 1
                continue
            log = outcome.log_path.relative_to(workspace.root) if outcome.log_path else ""
            status = "resumed" if outcome.resumed else outcome.status
            click.echo(f"{outcome.name}\t{status}\t{outcome.hit_count}\t{outcome.retrieved}\t"
                       f"{outcome.new_records}\t{outcome.requests}\t{log}")
            for warning in outcome.warnings:
                say("warning", f"{outcome.name}: {warning}")
    finally:
        bar.close()
    if refused:
        raise click.exceptions.Exit(6)


def _check_seeds(workspace: Workspace, name: str, seed_file: Path, json_out: Path | None,
                 min_recall: float | None) -> None:
    to_stdout = json_out is not None and str(json_out) == "-"  # '-': the JSON is stdout, the table stderr
    check_outputs(json_out, reading=seed_file)  # (a folder still missing is made, as for every output)
    check = service.check_seeds(workspace, name, seed_file)
    for warning in check.warnings:
        say("warning", f"{name}: {warning}")
    click.echo("pmid\tresult\ttitle", err=to_stdout)
    for result in check.results:
        shown = result.pmid or f"doi:{result.seed.doi}"
        click.echo(f"{shown}\t{check.describe(result)}\t{result.title}", err=to_stdout)
    click.echo(f"recall\t{check.n_found}/{len(check.results)}\t{check.recall:.3f}", err=to_stdout)
    text = json.dumps(check.as_json(), indent=2, ensure_ascii=False) + "\n"
    if to_stdout:
        click.echo(text, nl=False)
    elif json_out is not None:
        try:
            write_text_atomic(json_out, text)
        except OSError as err:
            raise ReviewError(f"{json_out}: cannot write ({err.strerror or err})") from None
    if min_recall is not None:
        service.require_recall(check, min_recall)
