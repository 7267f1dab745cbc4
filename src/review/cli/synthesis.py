"""``review meta`` (pool any CSV of estimates) and ``review synthesis`` (evidence per factor)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ReviewError
from ..paths import named_here
from ..services import synthesis as service
from ..words import counted
from .context import INPUT_FILE, OPEN_FRACTION, AnyCaseChoice, Context, choice_callback, pass_context, say
from .output import check_outputs, is_stdout, write_output


def register(group: click.Group) -> None:
    group.add_command(meta)
    group.add_command(synthesis)


def _favours(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, str] | None:
    """``--favours 'LEFT|RIGHT'`` read with the command line: a bad one exits 2 before the file is read."""
    try:
        return service.favours_labels(value)
    except ReviewError as err:  # (its message names the option; click names it too, so it goes, not more:
        # a value holding ': ' was cut inside when split there)
        raise click.BadParameter(str(err).removeprefix("--favours ")) from None


@click.command()
@click.argument("file", type=INPUT_FILE)
@click.option("--measure", type=AnyCaseChoice(["OR", "HR", "RR", "MD"]), default=None,
              help="Ratio measures are pooled on the log scale; MD as is. Default: the file's measure "
                   "column, else OR.")
@click.option("--method", type=AnyCaseChoice(service.METHODS), default="REML",
              show_default=True, help="tau² estimator (FE = common effect only).")
@click.option("--hk", is_flag=True, help="Hartung–Knapp–Sidik–Jonkman: t with k-1 df (metafor test=\"knha\").")
@click.option("--hk-adhoc", is_flag=True,
              help="Hartung–Knapp with its scaling factor floored at 1 (metafor test=\"adhoc\"); "
                   "the synthesis default.")
@click.option("--level", type=OPEN_FRACTION, default=0.95, show_default=True,
              help="Level of the intervals computed; entered CIs are 95% unless a ci_level column says otherwise.")
@click.option("--prediction", type=click.Choice(["meta", "metafor"]), default="meta", show_default=True,
              help="Prediction interval: t(k-2) like R meta, or metafor's convention.")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the full result as JSON (non-finite numbers as null); '-': the JSON on stdout, the "
                   "table on stderr.")
@click.option("--plot", "plot_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write a forest plot (.png or .svg).")
@click.option("--favours", metavar="LEFT|RIGHT", callback=_favours,
              help="Labels under the plot's axis, below and above the null (default for ratios: "
                   "'lower risk|higher risk').")
def meta(file: Path, measure: str | None, method: str, hk: bool, hk_adhoc: bool, level: float, prediction: str,
         json_out: Path | None, plot_out: Path | None, favours: tuple[str, str] | None) -> None:
    """Pool the estimates in FILE.csv (like R's metagen) and print the table.

    Columns: study plus either estimate,ci_low,ci_high (ratio scale for OR/HR/RR; optional
    ci_level), yi with vi or sei (log scale for ratios), or 2x2 counts ai,n1i,ci,n2i (OR or RR;
    0.5 is added to every cell of a study with a zero cell). An optional measure column must name
    one measure for all rows.
    """
    if plot_out is not None:
        service.check_plot_path(plot_out)
    check_outputs(json_out, plot_out, reading=file)  # an unwritable one said before the table, not after it
    run = service.pool_file(file, measure=measure, method=method, hk=hk, hk_adhoc=hk_adhoc, level=level,
                            prediction=prediction)
    if plot_out is not None:  # (a plot refused after the JSON was written left half the outputs)
        service.check_forest_plot(run, plot_out)
    for warning in run.warnings:
        click.echo(f"warning: {warning}", err=True)
    to_stdout = json_out is not None and is_stdout(json_out)  # ('-' wrote a file named '-')
    click.echo(run.report(), err=to_stdout)
    if json_out is not None:
        write_output(json_out, service.meta_json(run))
        if not to_stdout:
            click.echo(f"wrote {named_here(json_out)}", err=True)
    if plot_out is not None:
        service.write_forest_plot(run, plot_out, favours=favours)
        click.echo(f"wrote {named_here(plot_out)}", err=True)


@click.command()
@click.option("--extraction", "extraction_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Extraction folder (default: the workspace's extraction/).")
@click.option("--rule-set", callback=choice_callback(service.check_rule_set), help="Evidence rule set (default: [synthesis] rule_set in review.toml).")
@click.option("--no-plots", is_flag=True, help="Skip the forest plots.")
@pass_context
def synthesis(ctx: Context, extraction_dir: Path | None, rule_set: str | None, no_plots: bool) -> None:
    """Evidence level per factor: writes extraction/synthesis.csv, synthesis.md and plots/."""
    folder = extraction_dir if extraction_dir is not None else ctx.workspace.path("extraction")
    done = service.synthesise_extraction(folder, rule_set, reviewer=ctx.reviewer_option or "", plots=not no_plots)
    run = done.run
    click.echo(f"rule set {run.settings.rule_set}: {counted(len(run.results), 'factor')} from "
               f"{counted(run.n_studies, 'study')}")
    # Notes and what was stored are status lines (stderr, as prisma's notes): stdout is the factor table.
    for note in done.notes:
        say("note", note)
    for line in run.untraceable:  # (said, not refused: the synthesis stands; the identifier may be on its way)
        say("warning", line)
    if done.grade_stored is not None:
        click.echo(f"stored {counted(done.grade_stored, 'GRADE judgement')}", err=True)
    if done.not_recorded:
        say("note", done.not_recorded)
    row = "  {:<34} {:<12} {:<13} {:<9} {}"  # header and rows share the column widths
    if run.results:  # the columns named once, so the rows read without the docs
        click.echo(row.format("factor", "direction", "level", "GRADE", "studies"))
    for r in run.results:
        ev = r.evidence
        click.echo(row.format(ev.factor_id, ev.direction, ev.level, ev.grade or "-", ";".join(ev.studies)))
    for path in run.written:
        if path.suffix in (".csv", ".md"):
            click.echo(f"wrote {named_here(path)}", err=True)  # a status line: stdout is the table
