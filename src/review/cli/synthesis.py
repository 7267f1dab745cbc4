"""``review meta`` (pool any CSV of estimates) and ``review synthesis`` (evidence per factor)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..atomic import write_text_atomic
from ..errors import ReviewError, ValidationError
from ..synthesis.effects_csv import correction_note, read_effects_csv
from ..synthesis.forest import forest_plot, rows_from_result
from ..synthesis.meta import CONTINUITY_CORRECTION, METHODS, pool
from ..synthesis.tables import meta_table


def register(group: click.Group) -> None:
    group.add_command(meta)
    group.add_command(synthesis)


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--measure", type=click.Choice(["OR", "HR", "RR", "MD"], case_sensitive=False), default=None,
              help="Ratio measures are pooled on the log scale; MD as is. Default: the file's measure "
                   "column, else OR.")
@click.option("--method", type=click.Choice(list(METHODS), case_sensitive=False), default="REML",
              show_default=True, help="tau² estimator (FE = common effect only).")
@click.option("--hk", is_flag=True, help="Hartung–Knapp–Sidik–Jonkman: t with k-1 df (metafor test=\"knha\").")
@click.option("--hk-adhoc", is_flag=True,
              help="Hartung–Knapp with its scaling factor floored at 1 (metafor test=\"adhoc\"); "
                   "the synthesis default.")
@click.option("--level", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option("--prediction", type=click.Choice(["meta", "metafor"]), default="meta", show_default=True,
              help="Prediction interval: t(k-2) like R meta, or metafor's convention.")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the full result as JSON (non-finite numbers as null).")
@click.option("--plot", "plot_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write a forest plot (.png or .svg).")
@click.option("--favours", metavar="LEFT|RIGHT",
              help="Labels under the plot's axis, below and above the null (default for ratios: "
                   "'lower risk|higher risk').")
def meta(file: Path, measure: str | None, method: str, hk: bool, hk_adhoc: bool, level: float, prediction: str,
         json_out: Path | None, plot_out: Path | None, favours: str | None) -> None:
    """Pool the estimates in FILE.csv (like R's metagen) and print the table.

    Columns: study plus either estimate,ci_low,ci_high (ratio scale for OR/HR/RR; optional
    ci_level), yi with vi or sei (log scale for ratios), or 2x2 counts ai,n1i,ci,n2i (OR or RR;
    0.5 is added to every cell of a study with a zero cell). An optional measure column must name
    one measure for all rows.
    """
    method = method.upper()
    if not 0 < level < 1:
        raise ValidationError(f"--level {level}: must lie between 0 and 1")
    favours_labels: tuple[str, str] | None = None
    if favours is not None:
        parts = [p.strip() for p in favours.split("|")]
        if len(parts) != 2 or not all(parts):
            raise ValidationError(f"--favours {favours!r}: expected 'LEFT|RIGHT', e.g. 'favours treatment|favours control'")
        favours_labels = (parts[0], parts[1])
    table = read_effects_csv(file, measure=measure, level=level)
    measure = table.measure or (measure or "OR").upper()
    for warning in table.warnings:
        click.echo(f"warning: {warning}", err=True)
    fixed = pool(table.yi, table.vi, method="FE", level=level, measure=measure, studies=table.studies)
    result = fixed
    if method != "FE":
        result = pool(table.yi, table.vi, method=method, hk=hk, hk_adhoc=hk_adhoc, level=level, measure=measure,
                      studies=table.studies, prediction=prediction)
    elif hk or hk_adhoc:
        result = pool(table.yi, table.vi, method="FE", hk=True, hk_adhoc=hk_adhoc, level=level, measure=measure,
                      studies=table.studies)
    click.echo(meta_table(result, fixed=fixed if result is not fixed else None, entered_ci=table.entered_ci))
    note = correction_note(table)
    if note:
        click.echo(note)
    if json_out is not None:
        payload: dict[str, Any] = {"input": str(file), "result": result.to_dict()}
        if result is not fixed:
            payload["common_effect"] = fixed.to_dict()
        payload["entered_ci"] = [list(ci) if ci is not None else None for ci in table.entered_ci]
        payload["continuity_correction"] = {"add": CONTINUITY_CORRECTION, "studies": table.corrected}
        payload["warnings"] = table.warnings
        write_text_atomic(json_out, json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    if plot_out is not None:
        try:
            forest_plot(rows_from_result(result, table.entered_ci), plot_out, measure=measure, result=result,
                        fixed=fixed if result is not fixed else None, title=file.stem, favours=favours_labels)
        except ValueError as err:
            raise ReviewError(str(err)) from err


@click.command()
@click.option("--extraction", "extraction_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Extraction folder (default: the workspace's extraction/).")
@click.option("--rule-set", help="Evidence rule set (default: [synthesis] rule_set in review.toml).")
@click.option("--no-plots", is_flag=True, help="Skip the forest plots.")
@click.pass_obj
def synthesis(ctx: object, extraction_dir: Path | None, rule_set: str | None, no_plots: bool) -> None:
    """Evidence level per factor: writes extraction/synthesis.csv, synthesis.md and plots/."""
    from ..synthesis.run import run_synthesis_command

    for line in run_synthesis_command(ctx, extraction_dir, rule_set, plots=not no_plots):
        click.echo(line)
