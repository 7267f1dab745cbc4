"""``review validate KIND FILE``: the programme's own data, content validity, pilot agreement, evaluation.

A thin shell over :mod:`review.services.validate`: options in, report lines out, results as JSON.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import WorkspaceError
from ..paths import named_here
from ..words import counted
from ..workspace import Workspace
from ..services.validate import DelphiRule, number_range
from .context import INPUT_FILE, SEED, Context, NumberRange, pass_context
from .output import check_outputs


def register(group: click.Group) -> None:
    group.add_command(validate)


def _workspace(ctx: Context) -> Workspace | None:
    try:
        return ctx.workspace
    except WorkspaceError:
        return None  # every kind works on a plain file; only --to-extraction needs a workspace


def _file() -> Callable[..., Any]:
    return click.argument("file", type=INPUT_FILE)


def _json() -> Callable[..., Any]:
    return click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
                        help="Write the result as JSON (created 0600); '-' writes it to stdout.")


def _number(kind: str, key: str) -> click.ParamType:
    """The click type of ``kind``'s number option ``key``, built from the range the analysis plan's check asks
    too (the two were written apart and disagreed: ``level = 1`` passed the plan, the flag refused it)."""
    spec = number_range(kind, key)
    if spec.low is None and spec.high is None:  # a range without bounds would show "x<=None" in --help
        return click.INT if spec.whole else click.FLOAT
    if spec.whole:
        return click.IntRange(None if spec.low is None else int(spec.low), None if spec.high is None else int(spec.high),
                              min_open=spec.low_open, max_open=spec.high_open)
    return NumberRange(spec.low, spec.high, min_open=spec.low_open, max_open=spec.high_open)


def _level(kind: str) -> Callable[..., Any]:
    return click.option("--level", type=_number(kind, "level"), default=0.95, show_default=True,
                        help="Confidence level.")


def _stderr_is_a_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def _progress_line() -> Iterator[None]:
    """A slow step's progress on one line of a terminal's stderr, cleared when the analysis ends (a log or a
    pipe gets nothing: the report follows)."""
    from ..services.validate import reporting_progress

    if not _stderr_is_a_terminal():
        yield
        return
    width = [0]

    def show(what: str, done: int, total: int) -> None:
        line = f"{what}: {done} of {total} done"
        click.echo("\r" + line.ljust(width[0]), err=True, nl=False)
        width[0] = max(width[0], len(line))

    try:
        with reporting_progress(show):
            yield
    finally:
        if width[0]:
            click.echo("\r" + " " * width[0] + "\r", err=True, nl=False)


def _run(ctx: Context, kind: str, file: Path, options: dict[str, Any], json_out: Path | None,
         plot_out: Path | None = None, extraction_dir: Path | None = None) -> None:
    from ..services.validate import analyse, result_json

    # factors reads the factor ids; predictive looks for own-data studies built from the same clients
    workspace = _workspace(ctx) if kind in ("factors", "predictive") else None
    to_stdout = json_out is not None and str(json_out) == "-"  # '-': the JSON is stdout, the report stderr
    # before the analysis, not after it; delphi's --previous is read too
    check_outputs(json_out, plot_out, reading=(file, options.get("previous")))
    with _progress_line():
        analysis = analyse(kind, file, options, workspace=workspace, extraction_dir=extraction_dir,
                           json_out=None if to_stdout else json_out, plot_out=plot_out)
    for warning in analysis.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in analysis.lines:
        click.echo(line, err=to_stdout)
    if to_stdout:
        click.echo(result_json(analysis.result), nl=False)
    if analysis.own_data is not None:  # what was written, said on stderr (it broke the JSON of --json -)
        study = analysis.own_data
        click.echo(f"own-data study {study.study_id}: {counted(len(study.written), 'estimate')} -> {named_here(study.path)}", err=True)
        for reason in study.skipped:
            click.echo(f"  not written: {reason}", err=True)
        click.echo("  rate its risk of bias ([quips.<rater>]) and run `review synthesis`", err=True)
    for path in analysis.written:
        if analysis.own_data is None or path != analysis.own_data.path:
            click.echo(f"wrote {named_here(path)}", err=True)


@click.group()
def validate() -> None:
    """After the review: own data, content validity, Delphi, pilot agreement, usability, evaluation.

    Each KIND reads one CSV file and prints a report; --json OUT writes the result. `review
    validate demo DIR` writes synthetic data for every kind and runs them all.
    """


@validate.command()
@_file()
@click.option("--outcome", required=True, help="Recurrence column (0/1).")
@click.option("--time", help="Follow-up time column: a Cox model instead of logistic regression.")
@click.option("--event", help="Event column (0/1) for --time (default: --outcome).")
@click.option("--adjust", multiple=True, help="Adjust every model for this column (repeatable; text = categories).")
@click.option("--factor", multiple=True,
              help="Candidate factor column (repeatable; default: columns named like factors.toml ids).")
@click.option("--to-extraction", is_flag=True,
              help="Write the estimates as the own-data study extraction/studies/<id>.toml.")
@click.option("--study-id", help="Study id for --to-extraction (default: own_<file name>).")
@click.option("--description", help="The data set's description (study.setting) for --to-extraction.")
@click.option("--extraction", "extraction_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Extraction folder (default: the workspace's extraction/).")
@_level("factors")
@_json()
@pass_context
def factors(ctx: Context, file: Path, outcome: str, time: str | None, event: str | None, adjust: tuple[str, ...],
            factor: tuple[str, ...], to_extraction: bool, study_id: str | None, description: str | None,
            extraction_dir: Path | None, level: float, json_out: Path | None) -> None:
    """Association of each candidate factor with recurrence in COHORT.csv (OR or HR with CI, events)."""
    _run(ctx, "factors", file, dict(outcome=outcome, time=time, event=event, adjust=list(adjust),
                                    factor=list(factor), to_extraction=to_extraction, study_id=study_id,
                                    description=description, level=level), json_out, extraction_dir=extraction_dir)


@validate.command()
@_file()
@click.option("--threshold", type=_number("cvi", "threshold"), default=0.78, show_default=True, help="I-CVI below this: revise the item.")
@_json()
@pass_context
def cvi(ctx: Context, file: Path, threshold: float, json_out: Path | None) -> None:
    """Content validity of RATINGS.csv (item, expert, rating 1-4): I-CVI, k*, S-CVI/Ave, S-CVI/UA."""
    _run(ctx, "cvi", file, {"threshold": threshold}, json_out)


@validate.command()
@_file()
@click.option("--previous", type=INPUT_FILE, help="The previous round, to compare.")
@click.option("--consensus", type=_number("delphi", "consensus"), default=0.75, show_default=True,
              help="Share of experts that must agree (more than half: keep and drop cannot both reach it).")
@click.option("--scale-min", type=_number("delphi", "scale_min"), default=1, show_default=True, help="Lowest rating on the scale.")
@click.option("--scale-max", type=_number("delphi", "scale_max"), default=5, show_default=True, help="Highest rating on the scale.")
@click.option("--agree-from", type=_number("delphi", "agree_from"), default=4, show_default=True, help="Ratings from here up agree (keep).")
@click.option("--disagree-to", type=_number("delphi", "disagree_to"), default=2, show_default=True, help="Ratings up to here disagree (drop).")
@_json()
@pass_context
def delphi(ctx: Context, file: Path, previous: Path | None, consensus: float, scale_min: int, scale_max: int,
           agree_from: int, disagree_to: int, json_out: Path | None) -> None:
    """One Delphi round of ROUND.csv (item, expert, rating, comment): consensus, carried items, comments."""
    try:  # a command-line mistake, not the file's
        DelphiRule(consensus, scale_min, scale_max, agree_from, disagree_to).check(
            lambda key: "--" + key.replace("_", "-"))
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    _run(ctx, "delphi", file, dict(previous=previous, consensus=consensus, scale_min=scale_min,
                                   scale_max=scale_max, agree_from=agree_from, disagree_to=disagree_to), json_out)


@validate.command()
@_file()
@click.option("--weights", type=click.Choice(["linear", "quadratic", "none"]), default="linear", show_default=True,
              help="Weighted kappa for ordinal scores.")
@click.option("--bootstrap", type=_number("kappa", "bootstrap"), default=1000, show_default=True,
              help="Resamples for the AC1 CI (0: no CI).")
@click.option("--seed", type=_number("kappa", "seed"), default=0, show_default=True, help="Seed of the bootstrap resamples.")
@_level("kappa")
@_json()
@pass_context
def kappa(ctx: Context, file: Path, weights: str, bootstrap: int, seed: int, level: float,
          json_out: Path | None) -> None:
    """Agreement of two raters in FILE.csv (target, rater, score[, item]): kappa, weighted kappa, AC1."""
    _run(ctx, "kappa", file, dict(weights=weights, bootstrap=bootstrap, seed=seed, level=level), json_out)


@validate.command()
@_file()
@_level("icc")
@_json()
@pass_context
def icc(ctx: Context, file: Path, level: float, json_out: Path | None) -> None:
    """The six Shrout & Fleiss ICCs of FILE.csv (target, rater, score) with CIs."""
    _run(ctx, "icc", file, {"level": level}, json_out)


@validate.command()
@_file()
@_level("sus")
@_json()
@pass_context
def sus(ctx: Context, file: Path, level: float, json_out: Path | None) -> None:
    """System Usability Scale of FILE.csv (respondent, q1 ... q10): per respondent, mean, adjective."""
    _run(ctx, "sus", file, {"level": level}, json_out)


@validate.command()
@_file()
@click.option("--outcome", required=True, help="Recurrence column (0/1; with --time the event indicator).")
@click.option("--predictor", required=True, help="Profile score or indication column.")
@click.option("--time", help="Follow-up time column: Harrell's C and Kaplan-Meier risk, censoring taken into account.")
@click.option("--horizon", type=_number("predictive", "horizon"), help="With --time: compare observed and predicted risk by this time.")
@click.option("--bootstrap", type=_number("predictive", "bootstrap"), default=1000, show_default=True,
              help="Resamples for the C-statistic CI.")
@click.option("--seed", type=_number("predictive", "seed"), default=0, show_default=True, help="Seed of the bootstrap resamples.")
@click.option("--plot", "plot_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Calibration plot (.png or .svg).")
@click.option("--extraction", "extraction_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Extraction folder whose own-data studies are checked against FILE (default: the workspace's).")
@_level("predictive")
@_json()
@pass_context
def predictive(ctx: Context, file: Path, outcome: str, predictor: str, time: str | None, horizon: float | None,
               bootstrap: int, seed: int, plot_out: Path | None, extraction_dir: Path | None, level: float,
               json_out: Path | None) -> None:
    """How well the profile predicts recurrence: C-statistic with bootstrap CI, calibration by group."""
    _run(ctx, "predictive", file, dict(outcome=outcome, predictor=predictor, time=time, horizon=horizon,
                                       bootstrap=bootstrap, seed=seed, level=level), json_out, plot_out,
         extraction_dir=extraction_dir)


@validate.command()
@_file()
@click.option("--time", required=True, help="Time to event (or censoring) column.")
@click.option("--event", required=True, help="Event column (0/1).")
@click.option("--group", required=True, help="Group column (profile group, intervention vs control).")
@click.option("--strata", help="Stratify the Cox model by this column (e.g. diagnosis code).")
@click.option("--reference", help="Reference group of the hazard ratio (default: the first).")
@click.option("--plot", "plot_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Kaplan-Meier curves (.png or .svg).")
@_level("survival")
@_json()
@pass_context
def survival(ctx: Context, file: Path, time: str, event: str, group: str, strata: str | None,
             reference: str | None, plot_out: Path | None, level: float, json_out: Path | None) -> None:
    """Kaplan-Meier per group, log-rank test and Cox hazard ratio (optionally stratified)."""
    _run(ctx, "survival", file, dict(time=time, event=event, group=group, strata=strata, reference=reference,
                                     level=level), json_out, plot_out)


@validate.command("run")
@click.option("--plan", type=INPUT_FILE,
              help="Analysis plan (default: the workspace's validate/analyses.toml).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for JSON and figures (default: results/ beside the plan).")
@pass_context
def run_plan(ctx: Context, plan: Path | None, out_dir: Path | None) -> None:
    """Run every analysis of the plan: report, JSON and figures per analysis."""
    from ..services.validate import analyse_planned, check_planned, planned_analyses, write_analysed

    workspace = _workspace(ctx)
    items = planned_analyses(workspace, plan, out_dir)  # two analyses writing one file: refused here, once
    check_planned(items, out_dir)  # personal data in a repository stops the plan before anything is written
    analysed = []
    for item in items:  # every analysis runs before the first file is written: a refusal writes nothing
        click.echo(f"== {item.name} ({item.kind})")
        with _progress_line():
            analysed.append(analyse_planned(item, workspace=workspace, out_dir=out_dir))
        for warning in analysed[-1].analysis.warnings:
            click.echo(f"warning: {warning}", err=True)
        for line in analysed[-1].analysis.lines:
            click.echo(line)
        click.echo("")
    for each in analysed:
        said = len(each.analysis.warnings)
        analysis = write_analysed(each)
        for warning in analysis.warnings[said:]:  # an own-data study's, known when it is written
            click.echo(f"warning: {warning}", err=True)
        for path in analysis.written:
            click.echo(f"wrote {named_here(path)}", err=True)


@validate.command("demo")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), required=False)
@click.option("--seed", type=SEED, help="Seed of the synthetic data (default 20261204).")
@click.option("--no-run", is_flag=True, help="Only write the data and the plan.")
@click.pass_context
def demo_data(click_ctx: click.Context, folder: Path | None, seed: int | None, no_run: bool) -> None:
    """Write SYNTHETIC data for every kind and the plan that runs them (default: the workspace's validate/)."""
    from ..services.validate import PLAN_FILE, VALIDATE_DIR
    from ..services.validate import write_demo

    ctx: Context = click_ctx.obj
    if folder is None:
        workspace = _workspace(ctx)
        if workspace is None:
            raise WorkspaceError("no FOLDER given and not inside a workspace")
        folder = workspace.root / VALIDATE_DIR
    for path in write_demo(folder, seed):
        click.echo(f"wrote {named_here(path)}", err=True)
    if not no_run:
        click_ctx.invoke(run_plan, plan=folder / PLAN_FILE, out_dir=None)
