"""``review extraction ...``: validate, load, compare and reconcile study files; QUIPS summary."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click

from ..atomic import write_text_atomic
from ..errors import ValidationError
from ..extraction.compare import compare_studies
from ..extraction.factors import load_factors
from ..extraction.forms import (
    FACTORS_FILE, FORM_FILE, STUDIES_DIR, default_form_text, load_form, load_study, read_study_file,
    study_files, validate_folder,
)
from ..extraction.loading import load_folder
from ..extraction.quips import CollapseRule, summarise
from ..status import STATUS_PROVIDERS
from ..workspace import Workspace


def register(group: click.Group) -> None:
    group.add_command(extraction)
    if _status not in STATUS_PROVIDERS:
        STATUS_PROVIDERS.append(_status)


def _status(workspace: Workspace) -> list[str]:
    folder = workspace.path("extraction")
    files = study_files(folder) if (folder / STUDIES_DIR).is_dir() else []
    line = f"extraction {len(files)} study files"
    if (folder / "synthesis.csv").is_file():
        rule = workspace.config.section("synthesis").get("rule_set", "?")
        line += f"; synthesis.csv written (rule set {rule})"
    return [line]


def _folder(ctx: object, extraction_dir: Path | None) -> Path:
    if extraction_dir is not None:
        return extraction_dir
    return ctx.workspace.path("extraction")  # type: ignore[attr-defined]


def _collapse_rule(ctx: object, folder: Path) -> CollapseRule:
    config = folder.resolve().parent / "review.toml"
    if not config.is_file():
        return CollapseRule()
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    return CollapseRule.from_mapping(dict(data.get("extraction", {}).get("quips", {})))


_dir_option = click.option("--extraction", "extraction_dir", type=click.Path(path_type=Path, file_okay=False),
                           help="Extraction folder (default: the workspace's extraction/).")


@click.group()
def extraction() -> None:
    """Extraction forms (extraction/studies/*.toml), QUIPS and extractor comparison."""


@extraction.command("init")
@_dir_option
@click.pass_obj
def init_cmd(ctx: object, extraction_dir: Path | None) -> None:
    """Write the default form.toml and an empty studies/ folder (never overwrites)."""
    folder = _folder(ctx, extraction_dir)
    (folder / STUDIES_DIR).mkdir(parents=True, exist_ok=True)
    form = folder / FORM_FILE
    if form.exists():
        click.echo(f"kept {form}")
    else:
        write_text_atomic(form, default_form_text())
        click.echo(f"wrote {form}")
    if not (folder / FACTORS_FILE).exists():
        click.echo(f"next: write {folder / FACTORS_FILE} ([[factor]] tables: id, label_en, label_nl, domain, "
                   "modifiable, assessable)")


@extraction.command("validate")
@_dir_option
@click.pass_obj
def validate_cmd(ctx: object, extraction_dir: Path | None) -> None:
    """Check every study file against form.toml and factors.toml; one line per problem."""
    folder = _folder(ctx, extraction_dir)
    factors = load_factors(folder / FACTORS_FILE)
    problems = validate_folder(folder, factors)
    for line in problems:
        click.echo(line)
    n = len(list((folder / STUDIES_DIR).glob("*.toml")))
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in {n} study files")
    click.echo(f"{n} study files valid ({len(factors)} factors)")


@extraction.command("load")
@_dir_option
@click.pass_obj
def load_cmd(ctx: object, extraction_dir: Path | None) -> None:
    """Store new or changed study files (one transaction per study)."""
    folder = _folder(ctx, extraction_dir)
    factors = load_factors(folder / FACTORS_FILE)
    report = load_folder(ctx.workspace.store.engine, folder, factors, _collapse_rule(ctx, folder))  # type: ignore[attr-defined]
    for label in report.loaded:
        click.echo(f"loaded    {label}")
    click.echo(f"{len(report.loaded)} loaded, {len(report.unchanged)} unchanged")


def _extractor_file(folder: Path, study_id: str, extractor: str) -> Path:
    name = f"{study_id}.toml" if extractor in ("", "reconciled") else f"{study_id}.{extractor}.toml"
    path = folder / STUDIES_DIR / name
    if not path.is_file():
        raise ValidationError(f"{path}: no such study file")
    return path


@extraction.command("compare")
@click.argument("study_id")
@click.argument("left")
@click.argument("right")
@click.option("--quips", "include_quips", is_flag=True, help="Also list QUIPS tables.")
@_dir_option
@click.pass_obj
def compare_cmd(ctx: object, study_id: str, left: str, right: str, include_quips: bool,
                extraction_dir: Path | None) -> None:
    """List the fields where two extractors differ (studies/ID.LEFT.toml vs ID.RIGHT.toml).

    Use "reconciled" for the agreed file studies/ID.toml. Exit code 1 when they differ.
    """
    folder = _folder(ctx, extraction_dir)
    factors = load_factors(folder / FACTORS_FILE)
    form = load_form(folder)
    a = load_study(_extractor_file(folder, study_id, left), form=form, factors=factors)
    b = load_study(_extractor_file(folder, study_id, right), form=form, factors=factors)
    differences = compare_studies(a, b, include_quips=include_quips)
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
@click.pass_obj
def reconcile_cmd(ctx: object, study_id: str, source: str, force: bool, extraction_dir: Path | None) -> None:
    """Adopt one extractor's version as the reconciled studies/ID.toml (after resolving differences)."""
    folder = _folder(ctx, extraction_dir)
    src = _extractor_file(folder, study_id, source)
    target = folder / STUDIES_DIR / f"{study_id}.toml"
    if target.exists() and not force:
        raise ValidationError(f"{target}: exists (use --force to replace it)")
    read_study_file(src)  # must at least parse
    text = "\n".join(line for line in src.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("extractor ="))
    write_text_atomic(target, text.rstrip("\n") + "\n")
    click.echo(f"wrote {target} from {src.name}")


@extraction.command("quips")
@click.argument("study_id", required=False)
@_dir_option
@click.pass_obj
def quips_cmd(ctx: object, study_id: str | None, extraction_dir: Path | None) -> None:
    """QUIPS per study: raters, consensus or agreement, disagreements, collapsed risk of bias."""
    folder = _folder(ctx, extraction_dir)
    factors = load_factors(folder / FACTORS_FILE)
    rule = _collapse_rule(ctx, folder)
    form = load_form(folder)
    paths = [_extractor_file(folder, study_id, "")] if study_id else study_files(folder)
    click.echo("study\trob\traters\tbasis\tdisagreements")
    for path in paths:
        study = load_study(path, form=form, factors=factors)
        summary = summarise(study.quips, rule)
        disagreements = "; ".join(f"{d}: " + ", ".join(f"{r}={v}" for r, v in given.items())
                                  for d, given in summary.disagreements.items())
        click.echo(f"{study.id}\t{summary.rob}\t{','.join(summary.raters) or '-'}\t{summary.basis}\t{disagreements}")
