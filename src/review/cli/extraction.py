"""``review extraction ...``: validate, load, compare and reconcile study files; QUIPS summary."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ReviewError, ValidationError
from ..paths import current_folder, named_here
from ..services import extraction as service
from ..words import counted
from .context import Context, pass_context, say


def register(group: click.Group) -> None:
    group.add_command(extraction)


def _folder(ctx: Context, extraction_dir: Path | None, *, may_create: bool = False) -> Path:
    if extraction_dir is not None:
        # (a mistyped folder read as 'no factor list yet; write one' in a folder that is not there;
        # exit 1, not 4: a script reads 4 as 'study files invalid')
        if not may_create and not extraction_dir.is_dir():
            raise ReviewError(f"{extraction_dir}: no such folder (--extraction)")
        return extraction_dir
    return ctx.workspace.path("extraction")


_dir_option = click.option("--extraction", "extraction_dir", type=click.Path(path_type=Path, file_okay=False),
                           help="Extraction folder (default: the workspace's extraction/).")


@click.group()
def extraction() -> None:
    """Extraction forms (extraction/studies/*.toml), QUIPS and extractor comparison."""


@extraction.command("init")
@_dir_option
@pass_context
def init_cmd(ctx: Context, extraction_dir: Path | None) -> None:
    """Write the default form.toml and an empty studies/ folder (never overwrites)."""
    folder = _folder(ctx, extraction_dir, may_create=True)
    done = service.init_folder(folder)
    click.echo(f"{'wrote' if done.form_written else 'kept'} {named_here(done.form)}", err=True)  # status: stderr
    if done.factors_missing:
        click.echo(f"next: write {named_here(done.factors)} ([[factor]] tables: id, label_en, label_nl, domain, "
                   "modifiable, assessable)")


@extraction.command("validate")
@_dir_option
@pass_context
def validate_cmd(ctx: Context, extraction_dir: Path | None) -> None:
    """Check every study file against form.toml and factors.toml; one line per problem."""
    # Files named from the folder it runs in when below it, else in full, as instrument names what it wrote: each
    # name opens from the shell that printed it (from the workspace's root as the docs show, from studies/, with -w).
    folder = _folder(ctx, extraction_dir)
    checked = service.validate_folder(folder, current_folder())
    for line in checked.problems:
        click.echo(line)
    for line in checked.incomplete:  # unfinished work, not an error: drafts load; the synthesis refuses them
        click.echo(f"incomplete: {line}")
    # The files against the studies included at full text: said, not failed (the files themselves are valid; a
    # study may be extracted before its full-text judgement is recorded), as review status says it.
    for line in service.included_disagreements(folder):
        say("warning", line)
    # (review status counts studies: the reconciled files; the copies are said apart so the two agree)
    copies = checked.n_files - checked.n_studies
    also = f", and {copies} extractor cop{'y' if copies == 1 else 'ies'}" if copies else ""
    drafts = checked.incomplete_files
    unfinished = (f"; {len(drafts)} with unfinished QUIPS (load as drafts; the synthesis refuses them): "
                  f"{', '.join(Path(f).name for f in drafts)}") if drafts else ""
    if checked.problems:
        raise ValidationError(f"{counted(len(checked.problems), 'problem')} in {counted(checked.n_studies, 'study file')}{also}"
                              f"{unfinished}")
    click.echo(f"{counted(checked.n_studies, 'study file')} valid{also} ({counted(checked.n_factors, 'factor')})"
               f"{unfinished}")


@extraction.command("load")
@_dir_option
@pass_context
def load_cmd(ctx: Context, extraction_dir: Path | None) -> None:
    """Store new or changed study files (one transaction per study)."""
    report = service.load_folder(ctx.workspace, _folder(ctx, extraction_dir))
    for label in report.loaded:
        click.echo(f"loaded    {label}")
    click.echo(f"{len(report.loaded)} loaded, {len(report.unchanged)} unchanged")


@extraction.command("compare")
@click.argument("study_id")
@click.argument("left")
@click.argument("right")
@click.option("--quips", "include_quips", is_flag=True, help="Also list QUIPS tables.")
@_dir_option
@pass_context
def compare_cmd(ctx: Context, study_id: str, left: str, right: str, include_quips: bool,
                extraction_dir: Path | None) -> None:
    """List the fields where two extractors differ (studies/ID.LEFT.toml vs ID.RIGHT.toml).

    Use "reconciled" for the agreed file studies/ID.toml. Exit code 1 when they differ.
    """
    differences = service.compare(_folder(ctx, extraction_dir), study_id, left, right, include_quips=include_quips)
    click.echo("field\t" + left + "\t" + right)
    for d in differences:
        click.echo(f"{d.field}\t{'' if d.left is None else d.left}\t{'' if d.right is None else d.right}")
    if differences:
        click.echo(f"{len(differences)} differing fields", err=True)
        raise SystemExit(1)


@extraction.command("reconcile")
@click.argument("study_id")
@click.option("--from", "source", required=True, help="Extractor whose file becomes studies/ID.toml.")
@click.option("--force", is_flag=True, help="Overwrite an existing reconciled file.")
@_dir_option
@pass_context
def reconcile_cmd(ctx: Context, study_id: str, source: str, force: bool, extraction_dir: Path | None) -> None:
    """Adopt one extractor's version as the reconciled studies/ID.toml (after resolving differences)."""
    done = service.reconcile(_folder(ctx, extraction_dir), study_id, source, force=force)
    kept = f"; the file it replaced is kept as {named_here(done.replaced)} (rename it back to undo)" if done.replaced else ""
    click.echo(f"wrote {named_here(done.target)} from {done.source.name}{kept}", err=True)  # status: stderr


@extraction.command("quips")
@click.argument("study_id", required=False)
@_dir_option
@pass_context
def quips_cmd(ctx: Context, study_id: str | None, extraction_dir: Path | None) -> None:
    """QUIPS per study: raters, consensus or agreement, disagreements, collapsed risk of bias."""
    folder = _folder(ctx, extraction_dir)
    rows = service.quips_table(folder, study_id)
    # The rule behind the rob column, stated (stderr: stdout keeps its columns).
    click.echo(f"rob = QUIPS collapse rule {service.quips_rule(folder)}; review.toml [extraction.quips]", err=True)
    click.echo("study\trob\traters\tbasis\tdisagreements")
    for row in rows:
        disagreements = "; ".join(f"{d}: " + ", ".join(f"{r}={v}" for r, v in given.items())
                                  for d, given in row.disagreements.items())
        click.echo(f"{row.study_id}\t{row.rob}\t{','.join(row.raters) or '-'}\t{row.basis}\t{disagreements}")
