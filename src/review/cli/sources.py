"""``review import`` and the ``review export`` group (with ``export records``).

Other stages attach their own export subcommands to the same group::

    from review.cli.sources import export_group

    def register(group):
        export_group(group).add_command(decisions)   # → review export decisions

(``export_group`` creates the group on first use, whichever module registers first.)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..services import sources as service
from ..words import counted
from .context import Context, pass_context, refuse_blank, say

IMPORT_COLUMNS = ("file", "format", "encoding", "source", "records", "status")


def register(group: click.Group) -> None:
    group.add_command(import_command)
    export_group(group).add_command(export_records_command)
    export_group(group).add_command(export_searches_command)


def export_group(group: click.Group) -> click.Group:
    """The ``export`` subgroup of ``group``, created on first use."""
    existing = group.commands.get("export")
    if isinstance(existing, click.Group):
        return existing
    group.add_command(export)
    return export


@click.group()
def export() -> None:
    """Write workspace data out (records, and what other stages add)."""


@click.command("import", help=f"""Import {service.import_formats()} files (format detected).

    Prints one tab-separated row per file (file, format, encoding, source, records, status), one per
    database with its count for a file whose records name several (0 each when the file is skipped),
    under a header unless every file failed (the errors go to stderr). Each file is imported completely or not at all; a file imported before is skipped.
    """)
# dir_okay: a directory fails on its own row in the importer instead of aborting every file.
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", "source", metavar="NAME",
              callback=refuse_blank("give the database's name (e.g. Embase), or leave --source out to take it "
                                    "from the file"),
              help="Source database for every record (default: the database the file names, e.g. a DB line, "
                   "PubMed for PMIDs; else the file's name).")
@pass_context
def import_command(ctx: Context, files: tuple[Path, ...], source: str | None) -> None:
    # (its help is the decorator's: the formats are the service's one list, IMPORT_FORMATS)
    started = time.perf_counter()
    progress = _ImportProgressLine() if sys.stderr.isatty() else None
    try:
        report = service.import_files(ctx.workspace, files, source=source, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    rows = [item for item in report.files if item.status != "failed"]  # failures go to stderr
    if rows:  # (a header over no rows would read as a successful import of nothing)
        click.echo("\t".join(IMPORT_COLUMNS))
    for item in rows:
        status = item.status if item.status == "imported" else f"skipped: {item.message}"
        if item.deleted_pmids:
            status += f" ({len(item.deleted_pmids)} PMIDs deleted by PubMed: {', '.join(item.deleted_pmids)})"
        # A file whose records name several databases gets a row per database, with that one's count (0 each
        # for a file skipped as imported before: its rows name the databases of its first import).
        for source_name, n_records in (item.several_sources or {item.source_name: item.n_records}).items():
            imported_now = n_records if item.status == "imported" else 0
            click.echo("\t".join([str(item.path), item.format, item.encoding, source_name, str(imported_now),
                                   status]))
    imported = [f for f in report.files if f.status == "imported"]
    skipped = sum(f.status not in ("imported", "failed") for f in report.files)
    click.echo(
        f"imported {counted(report.n_imported, 'record')} from {len(imported):,} of {counted(len(report.files), 'file')}"
        + (f" ({skipped} skipped: imported before)" if skipped else "")
        + f" in {time.perf_counter() - started:.2f} s", err=True,
    )
    for warning in report.warnings:
        say("warning", warning)
    errors = report.errors
    for error in errors[:-1]:
        click.echo(f"review: {error}", err=True)
    if errors:
        raise errors[-1]


class _ImportProgressLine:
    """One self-overwriting stderr line while files import (only on a terminal: logs stay clean)."""

    def __init__(self) -> None:
        self._last = 0.0
        self._shown = False

    def __call__(self, path: Path, phase: str, n_parsed: int) -> None:
        now = time.monotonic()
        if phase == "parsing" and now - self._last < 0.2:  # a redraw per slice would flicker
            return
        self._last = now
        self._shown = True
        click.echo(f"\r\033[K{service.import_progress(path, phase, n_parsed)}", err=True, nl=False)

    def close(self) -> None:
        if self._shown:
            click.echo("\r\033[K", err=True, nl=False)


@click.command("records")
@click.option("--format", "format_", type=click.Choice(service.EXPORT_FORMATS), default="csv", show_default=True,
              help="csv (formula-like cells neutralised) or ris.")
@click.option("--decision", type=click.Choice(tuple(service.EXPORT_DECISIONS)), default=None,
              help="Only the records to screen with this title/abstract verdict, as PRISMA counts it: the "
                   "'consensus' decision where there is one, else the reviewers' one label; reviewers who differ "
                   "with one exclude are 'conflict', include beside maybe is 'included'; 'undecided': no decision "
                   "yet (after a screening stop, also the records PRISMA counts as excluded by automation). "
                   "'included' is the title/abstract include, not the studies included after full text. Duplicates set aside, records removed before screening and those from other methods are "
                   "left out. Default: every record.")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@pass_context
def export_records_command(ctx: Context, format_: str, decision: str | None, out: Path) -> None:
    """Write every record in the workspace to OUT ('-' for stdout), or with --decision only some."""
    from .output import check_outputs, output_name, write_output

    check_outputs(out)
    exported = service.export_records(ctx.workspace, format_, decision)
    write_output(out, exported.text)
    which = "" if decision is None else f" ({decision})"
    click.echo(f"wrote {counted(exported.n_records, 'record')}{which} to {output_name(out)} ({format_})", err=True)


@click.command("searches")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@pass_context
def export_searches_command(ctx: Context, out: Path) -> None:
    """Write the PRISMA-S report of every search and import to OUT ('-' for stdout), as Markdown text.

    Per PubMed query: database and interface, the strategy as written and the term sent, limits,
    filters, each run's date and counts, updates and seed checks; per imported source its files;
    other methods; duplicates. What review cannot know is written as "not recorded".
    """
    from .output import check_outputs, output_name, write_output

    check_outputs(out)
    report = service.search_report(ctx.workspace)
    for warning in report.warnings:
        say("warning", warning)
    write_output(out, report.text)
    click.echo(f"wrote the PRISMA-S report ({counted(report.n_queries, 'query')}, {counted(report.n_runs, 'run')}, "
               f"{counted(report.n_files, 'imported file')}) to {output_name(out)}", err=True)
