"""``review instrument build|export|score|diff|fill``: the questionnaire from the evidence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

from ..errors import ReviewError, ValidationError
from ..instrument import project
from ..instrument.answers import write_private
from ..instrument.render import bank_summary_markdown
from ..instrument.scoring import profile_json
from ..status import STATUS_PROVIDERS
from ..workspace import Workspace


def register(group: click.Group) -> None:
    group.add_command(instrument)
    if instrument_status not in STATUS_PROVIDERS:
        STATUS_PROVIDERS.append(instrument_status)


def instrument_status(workspace: Workspace) -> list[str]:
    """`review status` lines: the current item bank and whether the evidence moved on."""
    p = project.paths(workspace)
    if not p.item_bank.is_file():
        return ["instrument no item bank yet (review instrument build)"]
    try:
        bank = project.current_bank(workspace)
    except ReviewError as err:
        return [f"instrument unreadable item bank: {err}"]
    line = (f"instrument {bank.version}: {len(bank.scored_items)} scored, {len(bank.signal_items)} signals, "
            f"{len(bank.not_included)} not included")
    lines = [line]
    if p.synthesis.is_file():
        current = hashlib.sha256(p.synthesis.read_bytes()).hexdigest()
        if current != bank.evidence.sha256:
            lines.append("  synthesis changed since the build: run 'review instrument diff'")
    return lines


@click.group()
def instrument() -> None:
    """Item bank, scoring, exports and fill-in mode for labour experts."""


@instrument.command()
@click.option("--synthesis", type=click.Path(path_type=Path, dir_okay=False),
              help="Synthesis table (default: extraction/synthesis.csv).")
@click.option("--no-exports", is_flag=True, help="Write only instrument/item_bank.toml.")
@click.pass_obj
def build(ctx: object, synthesis: Path | None, no_exports: bool) -> None:
    """Compile the synthesis into instrument/item_bank.toml (and the exports); print the summary."""
    workspace = ctx.workspace  # type: ignore[attr-defined]
    result = project.build(workspace, synthesis, exports=not no_exports)
    if result.previous is None:
        click.echo(f"built instrument {result.bank.version} (first version)")
    elif result.written:
        click.echo(f"rebuilt instrument {result.bank.version}; changes since {result.previous.version}:")
        for change in result.changes:
            click.echo(f"  {change.line()}")
        if not result.changes:
            click.echo("  (item bank format or content hash only)")
    else:
        click.echo(f"instrument {result.bank.version} unchanged (same evidence and rules)")
    for path in result.exports:
        click.echo(f"wrote {_show(path, workspace.root)}")
    click.echo("")
    click.echo(bank_summary_markdown(result.bank), nl=False)


@instrument.command()
@click.option("--format", "fmt", type=click.Choice(project.EXPORT_FORMATS), required=True,
              help="fhir (R4 Questionnaire JSON), redcap (data dictionary CSV), html/markdown "
                   "(printable questionnaire), guide/guide-html (gesprekshandleiding), form "
                   "(self-contained browser form with profile and FHIR download).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Output file ('-' = stdout; default: instrument/<standard name>).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.pass_obj
def export(ctx: object, fmt: str, out: Path | None, lang: str) -> None:
    """Export the item bank in one format."""
    workspace = ctx.workspace  # type: ignore[attr-defined]
    if out is not None and str(out) == "-":
        click.echo(project.render_export(project.current_bank(workspace), fmt, lang,
                                         project.workspace_config(workspace)), nl=False)
        return
    path = project.export(workspace, fmt, out, lang=lang)
    click.echo(f"wrote {_show(path, workspace.root)}")


@instrument.command()
@click.argument("response", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Report file (.md or .html), created 0600 and refused inside a repository; "
                   "default: print to stdout.")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the profile as JSON ({\"factors\": [{factor_id, side, status}, ...], ...}); "
                   "'-' = stdout; a file is created 0600 and refused inside a repository.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.pass_obj
def score(ctx: object, response: Path, out: Path | None, json_out: Path | None, lang: str) -> None:
    """Score a FHIR QuestionnaireResponse (or a saved answer file) into a client profile."""
    workspace = ctx.workspace  # type: ignore[attr-defined]
    bank = project.current_bank(workspace)
    scored = project.score_file(workspace, response)
    if json_out is not None:
        text = json.dumps(profile_json(scored.profile), ensure_ascii=False, indent=2) + "\n"
        if str(json_out) == "-":
            click.echo(text, nl=False)
            return
        write_private(json_out, text, workspace.root)
        if out is None:
            click.echo(f"wrote {json_out} (0600)")
            return
    fmt = "html" if out is not None and out.suffix.lower() in {".html", ".htm"} else "markdown"
    text = project.report_text(bank, scored, fmt, lang)
    if out is None:
        click.echo(text, nl=False)
        return
    path = write_private(out, text, workspace.root)
    profile = scored.profile
    # Counts only: the report's content stays out of logs and terminals' scrollback.
    click.echo(f"wrote {path} (0600): {len(profile.risks)} risk, {len(profile.protective)} protective, "
               f"{len(profile.signals)} signals, {len(profile.missing)} unanswered")


@instrument.command()
@click.option("--synthesis", type=click.Path(path_type=Path, dir_okay=False),
              help="Synthesis table to compare with (default: extraction/synthesis.csv).")
@click.option("--history", is_flag=True, help="List recorded instrument versions instead.")
@click.pass_obj
def diff(ctx: object, synthesis: Path | None, history: bool) -> None:
    """Show what a rebuild from the current evidence would change in items and weights."""
    workspace = ctx.workspace  # type: ignore[attr-defined]
    if history:
        click.echo("id\tversion\tbuilt_at\tevidence_sha256\tscored\tsignals\tnot_included")
        for v in project.version_history(workspace):
            click.echo(f"{v.id}\t{v.version}\t{v.built_at:%Y-%m-%dT%H:%M:%S}\t{v.evidence_sha256[:12]}\t"
                       f"{v.n_items}\t{v.n_signals}\t{v.n_not_included}")
        return
    changes = project.diff_with_evidence(workspace, synthesis)
    if not changes:
        click.echo("no changes: the item bank matches the current evidence and rules")
    for change in changes:
        click.echo(change.line())


@instrument.command()
@click.option("--answers", "answers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Answer file to create or continue (default: a new file in the user data dir).")
@click.option("--client", "client_ref", default="", help="Pseudonym or file number for the report.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.pass_obj
def fill(ctx: object, answers_path: Path | None, client_ref: str, lang: str) -> None:
    """Fill in the instrument in the terminal UI; answers are stored outside the repository."""
    workspace = ctx.workspace  # type: ignore[attr-defined]
    if answers_path is not None:
        from ..instrument.answers import check_private_path
        check_private_path(answers_path, workspace.root)
    try:
        from ..tui.instrument_app import make_app
    except ImportError as err:  # pragma: no cover - textual is a core dependency
        raise ValidationError(f"the terminal UI is not available: {err}") from err
    make_app(workspace, answers_path=answers_path, client_ref=client_ref, lang=lang).run()


def _show(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)
