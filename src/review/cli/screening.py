"""``review simulate`` and ``review export decisions``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..services import screening as service
from ..services import screening_methods, simulation
from ..words import counted
from .context import (INPUT_FILE, OPEN_FRACTION, SEED, Context, check_record_ids, choices_checked, one_label,
                      pass_context, refuse_blank, say)
from .saved_lines import SavedLinePrinter, warn_sought_then_excluded
from .output import check_outputs, is_stdout, output_name, write_output
from .sources import export_group


def register(group: click.Group) -> None:
    group.add_command(simulate_command)
    group.add_command(decide_command)
    export_group(group).add_command(export_decisions_command)
    export_group(group).add_command(export_screening_command)


@click.command("simulate")
@click.argument("file", type=INPUT_FILE)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed for priors and every model choice.")
@click.option("--prior-included", type=click.IntRange(min=0), default=1, show_default=True, help="Relevant records given up front.")
@click.option("--prior-excluded", type=click.IntRange(min=0), default=1, show_default=True, help="Irrelevant records given up front.")
@click.option("--model", type=click.Choice(("default", *simulation.MODEL_NAMES)), default="default", show_default=True,
              help="Classifier that ranks the records (docs/screening.md).")
@click.option("--query", type=click.Choice(simulation.QUERY_NAMES), default="max", show_default=True,
              help="Which record comes next: max = most likely relevant first.")
@click.option("--target-recall", type=OPEN_FRACTION, default=0.95, show_default=True,
              help="Recall the stopping rules aim for.")
@click.option("--confidence", type=OPEN_FRACTION, default=0.95, show_default=True,
              help="Confidence of the statistical stopping rule that the target recall is reached; also the "
                   "recommended rule's levels: its Lomax part's at 0.2 times the miss allowance (0.99 at 0.95, "
                   "whatever the number of relevant records that may be left), and its classifier part's at four "
                   "times the miss allowance, at least 0.5, or the confidence when that is lower (0.80 at 0.95, "
                   "asked only where at least six relevant records may be left, and stopping the rule only where "
                   "the Lomax part's own chance has reached 0.3; docs/screening.md).")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the result (order, metrics, stopping points, timings); '-': the JSON on "
                   "stdout, the metric lines on stderr.")
@click.option("--plot", type=click.Path(path_type=Path, dir_okay=False),
              help="Recall curve as .png or .svg.")
def simulate_command(file: Path, seed: int, prior_included: int, prior_excluded: int, model: str,
                     query: str, target_recall: float, confidence: float, json_out: Path,
                     plot: Path | None) -> None:
    """Replay screening of a labelled CSV (record_id, title, abstract, label_included).

    Needs no workspace. Prints the metrics as tab-separated name/value lines.
    """
    check_outputs(json_out, plot, reading=file)  # before the simulation, not once it has run
    to_stdout = is_stdout(json_out)  # ('-' wrote a file named '-')
    run = simulation.simulate_file(file, json_out=None if to_stdout else json_out, plot=plot, seed=seed,
                                   prior_included=prior_included, prior_excluded=prior_excluded, model=model,
                                   query=query, target_recall=target_recall, confidence=confidence)
    for warning in run.warnings:
        say("warning", warning)
    result = run.result
    for name, value in result.metrics.items():
        click.echo(f"{name}\t{_fmt(value)}", err=to_stdout)
    click.echo(f"stop:recommended\t{result.stopping['recommended']}", err=to_stdout)
    for rule in ("relevance_rate", "relevance_rate_lomax", "relevance_rate_classifier", "consecutive_irrelevant",
                 "knee", "statistical"):
        point = result.stopping[rule]
        click.echo(f"stop:{rule}\t{_fmt(point['n_screened'])}\trecall {_fmt(point['recall'])}", err=to_stdout)
    if result.priors:
        # A stop's count and recall include the priors (as the JSON's stopping), the metrics leave them out (as
        # ASReview's). Said once on stderr: the stop lines' three columns are a stable interface.
        click.echo(f"note: the stop lines count the {counted(len(result.priors), 'prior')} ({prior_included} "
                   "relevant) as screened; the metrics leave them out", err=True)
    if to_stdout:
        click.echo(simulation.simulation_json(result), nl=False)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


@click.command("decisions")
@click.option("--format", "format_", type=click.Choice(service.EXPORT_FORMATS), default="csv", show_default=True,
              help="csv (one row per decision, formula-like cells neutralised) or json.")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@pass_context
def export_decisions_command(ctx: Context, format_: str, out: Path) -> None:
    """Write every screening decision (undos as their own rows) to OUT ('-' for stdout)."""
    check_outputs(out)
    n, text = service.decisions_text(ctx.workspace, format_)
    write_output(out, text)
    # On stderr, as every export's status line: stdout carries data only (a file's went to stdout).
    click.echo(f"wrote {counted(n, 'decision')} to {output_name(out)} ({format_})", err=True)


@click.command("screening")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@pass_context
def export_screening_command(ctx: Context, out: Path) -> None:
    """Write the selection process (PRISMA 2020 items 8 and 16a) to OUT ('-' for stdout), as Markdown text.

    Reviewers and their decisions (taken from the queue or picked by id), records screened by two or more,
    blinding, conflicts and their resolution, agreement, the ranking model and its settings, the stopping rule
    and the stop, full-text assessment. What review cannot know is written as "not recorded".
    """
    check_outputs(out)
    report = screening_methods.selection_methods_report(ctx.workspace)
    write_output(out, report.text)
    click.echo(f"wrote the selection report ({counted(report.n_reviewers, 'reviewer')}, "
               f"{counted(report.n_screened, 'record')} screened) to {output_name(out)}", err=True)


@click.command("decide")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--include", "include", is_flag=True, help="Include the records.")
@click.option("--exclude", "exclude", is_flag=True, help="Exclude the records.")
@click.option("--maybe", "maybe", is_flag=True, help="Unsure: look again later.")
@click.option("--reason", metavar="TEXT", callback=refuse_blank("give a reason of screening/criteria.toml (the start is enough)"),
              help="With --exclude: a reason of screening/criteria.toml, or the start of exactly one.")
@click.option("--note", default="", metavar="TEXT", help="A note stored with each decision.")
@click.option("--undo", is_flag=True, help="Undo this reviewer's last decision (as the TUI's u).")
@pass_context
def decide_command(ctx: Context, ids: tuple[str, ...], include: bool, exclude: bool, maybe: bool,
                   reason: str | None, note: str, undo: bool) -> None:
    """Record title/abstract decisions as the reviewer (-r), or undo the last one.

    An ID is a record id as the TUI (#12) and `review export records` (column record_id) show
    it. Every ID and the reason are checked before the first decision is written. Prints one
    tab-separated line per decision: record id, decision, reviewer (decision 'undo' for --undo).
    A record not in the screening queue (a duplicate set aside, a record removed before
    screening, one from other methods) exits 1, nothing recorded; a clash of flags, an ID that is
    no record id or a reason criteria.toml does not list exits 2.
    Exit 6 while the reviewer's TUI session is open. A record refused partway (removed in another
    shell meanwhile: 1; the store busy: 7): the lines of the decisions saved before it, then one
    line naming it, what was saved and what was not tried. Each line is printed as its decision
    is saved: whatever stops the command partway, the lines printed are the decisions stored.
    A stdout that cannot be written (`| true`) stops the lines, not the decisions: one stderr line, exit 1.
    """
    # A clash of flags is a command-line mistake: exit 2 (docs/interfaces.md), as click's own are.
    if undo:
        if ids or include or exclude or maybe or reason is not None or note:
            raise click.UsageError("--undo takes no ID, decision, --reason or --note")
        reviewer = ctx.decider
        undone = service.undo_last_decision(ctx.workspace, reviewer)
        if undone is None:
            click.echo(f"nothing to undo for {reviewer}", err=True)
            return
        click.echo(f"{undone.record_id}\tundo\t{reviewer}")
        click.echo(f"undid {undone.label} of record {undone.record_id}", err=True)
        warn_sought_then_excluded(ctx, [undone.record_id])  # (the other reviewers' exclusions now stand alone)
        return
    label = one_label(include, exclude, maybe, reason, alternative=" (or --undo)")
    if not ids:
        raise click.UsageError("give at least one record ID (or --undo)")
    check_record_ids(ids)  # ('abc': exit 2; it exited 1)
    reviewer = ctx.decider
    warning = service.reviewer_outside_team(ctx.workspace, reviewer)
    # Warned once the first decision is saved (every ID is checked before it): a refused command
    # stays one line, and the warning's "decisions are saved under this name" is then true.
    # A record removed before screening is refused there, as a duplicate is (decision 0021).
    # Each line is printed as its decision is saved: whatever stops the run partway (a refusal, a lost
    # server, a disk error, Ctrl-C), the lines printed are the decisions stored; a refusal then adds its
    # one line (the record, why, what was saved and not tried) and its exit status.
    printer = SavedLinePrinter(reviewer, warning)
    try:
        with choices_checked():  # (a reason criteria.toml does not list: exit 2, checked before the first save)
            made = service.decide_records(ctx.workspace, reviewer, ids, label, reason=reason, note=note,
                                          on_saved=printer)
    finally:
        # Also when a refusal stops the run partway: its own line and exit status follow this one.
        printer.tell_of_lost_stdout()
    warn_sought_then_excluded(ctx, [d.record_id for d in made])
    if printer.stdout_error is not None:
        sys.exit(1)  # as click exits on a closed stdout in every other command
