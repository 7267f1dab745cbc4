"""``review simulate`` and ``review export decisions``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..atomic import write_text_atomic
from ..errors import ReviewError
from ..screening.export import EXPORT_FORMATS, export_decisions
from ..screening.models import MODEL_NAMES
from ..screening.query import QUERY_NAMES


def register(group: click.Group) -> None:
    group.add_command(simulate_command)
    _export_group(group).add_command(export_decisions_command)
    from ..status import STATUS_PROVIDERS

    if screening_status not in STATUS_PROVIDERS:
        STATUS_PROVIDERS.append(screening_status)


def screening_status(workspace: object) -> list[str]:
    """One line per reviewer with a stored ranking: its size, model and age."""
    from ..store.screening import ranking_log

    latest: dict[str, dict] = {}
    for row in ranking_log(workspace.store):  # type: ignore[attr-defined]
        latest[row["reviewer"]] = row
    lines = []
    for reviewer, row in sorted(latest.items()):
        info = row["model_info"] or {}
        model = info.get("fallback") or info.get("model", "?")
        lines.append(f"ranking    {reviewer}: {row['n_labelled']} labels, {model}, seed {row['seed']}, "
                     f"{row['created_at']:%Y-%m-%d %H:%M}")
    return lines


def _export_group(group: click.Group) -> click.Group:
    try:
        from .sources import export_group
    except ImportError:
        existing = group.commands.get("export")
        if isinstance(existing, click.Group):
            return existing

        @click.group("export")
        def export() -> None:
            """Write workspace data out."""

        group.add_command(export)
        return export
    return export_group(group)


@click.command("simulate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for priors and every model choice.")
@click.option("--prior-included", type=int, default=1, show_default=True, help="Relevant records given up front.")
@click.option("--prior-excluded", type=int, default=1, show_default=True, help="Irrelevant records given up front.")
@click.option("--model", type=click.Choice(("default", *MODEL_NAMES)), default="default", show_default=True)
@click.option("--query", type=click.Choice(QUERY_NAMES), default="max", show_default=True)
@click.option("--target-recall", type=float, default=0.95, show_default=True)
@click.option("--confidence", type=float, default=0.95, show_default=True)
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the result (order, metrics, stopping points, timings).")
@click.option("--plot", type=click.Path(path_type=Path, dir_okay=False),
              help="Recall curve as .png or .svg.")
def simulate_command(file: Path, seed: int, prior_included: int, prior_excluded: int, model: str,
                     query: str, target_recall: float, confidence: float, json_out: Path,
                     plot: Path | None) -> None:
    """Replay screening of a labelled CSV (record_id, title, abstract, label_included).

    Needs no workspace. Prints the metrics as tab-separated name/value lines.
    """
    from ..screening.simulate import load_labelled_csv, simulate

    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise ReviewError(f"{plot}: --plot must end in .png or .svg")
    if not 0 < target_recall < 1 or not 0 < confidence < 1:
        raise ReviewError("--target-recall and --confidence must lie strictly between 0 and 1")
    data = load_labelled_csv(file)
    try:
        result = simulate(data, seed=seed, prior_included=prior_included, prior_excluded=prior_excluded,
                          model=model, query=query, target_recall=target_recall, confidence=confidence)
    except ValueError as err:
        raise ReviewError(f"{file}: {err}") from err
    write_text_atomic(json_out, json.dumps(result.to_json(), indent=1) + "\n")
    if plot is not None:
        from ..screening.plot import recall_plot

        recall_plot([data.labels[r] for r in result.order], plot, n_priors=len(result.priors),
                    stopping=result.stopping, title=f"{data.name} (seed {seed}, {result.model})")
    for name, value in result.metrics.items():
        click.echo(f"{name}\t{_fmt(value)}")
    click.echo(f"stop:recommended\t{result.stopping['recommended']}")
    for rule in ("relevance_rate", "consecutive_irrelevant", "knee", "statistical"):
        point = result.stopping[rule]
        click.echo(f"stop:{rule}\t{_fmt(point['n_screened'])}\trecall {_fmt(point['recall'])}")


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


@click.command("decisions")
@click.option("--format", "format_", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def export_decisions_command(ctx: object, format_: str, out: Path) -> None:
    """Write every screening decision (undos as their own rows) to OUT."""
    store = ctx.workspace.store  # type: ignore[attr-defined]
    decisions = store.decisions(stage=None)
    n = export_decisions(decisions, out, format_)
    click.echo(f"{n} decisions written to {out}")
