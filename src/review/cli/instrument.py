"""``review instrument build|export|score|diff|fill``: the questionnaire from the evidence."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..paths import named_here
from ..services import instrument as project
from ..timestamps import iso_utc
from .context import INPUT_FILE, Context, pass_context, say
from .output import check_outputs, require_terminal
from ..words import counted, verb_for


def register(group: click.Group) -> None:
    group.add_command(instrument)


@click.group()
def instrument() -> None:
    """Item bank, scoring, exports and fill-in mode for labour experts."""


@instrument.command()
@click.option("--synthesis", type=click.Path(path_type=Path, dir_okay=False),
              help="Synthesis table (default: extraction/synthesis.csv).")
@click.option("--no-exports", is_flag=True, help="Write only instrument/item_bank.toml.")
@pass_context
def build(ctx: Context, synthesis: Path | None, no_exports: bool) -> None:
    """Compile the synthesis into instrument/item_bank.toml (and the exports); print the summary."""
    workspace = ctx.workspace
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
    for path in result.exports:  # status lines (stderr), as every command's: stdout is the summary
        click.echo(f"wrote {named_here(path)}", err=True)
    if result.not_recorded:
        say("note", result.not_recorded)
    if result.unsourced:  # (said, not refused: the synthesis counted them; their file may be on its way back)
        n = len(result.unsourced)
        say("warning", f"{counted(n, 'study')} behind the items {verb_for(n, 'has', 'have')} no file in "
                       f"extraction/studies/, so the instrument names {verb_for(n, 'it', 'them')} without citation "
                       f"or numbers: {', '.join(result.unsourced)}")
    for line in result.untraceable:  # (said, not refused: the identifier may be on its way)
        say("warning", line)
    for line in result.unknown_rule_factors:  # (said, not refused: the rule is pre-registered; its factor may return)
        say("warning", line)
    if result.untraced_base_rates:  # (said, not refused: a base rate may come from a source outside the review)
        n = len(result.untraced_base_rates)
        say("warning", f"{counted(n, 'base rate')} in instrument/scoring.toml {verb_for(n, 'does', 'do')} not trace "
                       "to a study file, so every profile shows numbers no study of extraction/studies/ holds: "
                       + "; ".join(result.untraced_base_rates))
    unpooled = [i.factor_id for i in result.bank.unpooled_items]
    if unpooled:  # decision 0056: said (here, not again in the summary), as these factors reach the level for a weight
        n = len(unpooled)
        say("note", f"{counted(n, 'factor')} that {verb_for(n, 'reaches', 'reach')} the minimum level "
                    f"{verb_for(n, 'has', 'have')} no pooled ratio "
                    f"estimate of {verb_for(n, 'its', 'their')} own, so under weight_rule = pooled_log "
                    f"{verb_for(n, 'it is', 'they are')} asked as {verb_for(n, 'a signal', 'signals')}, not weighed "
                    f"(decision 0056): {', '.join(unpooled)}")
    click.echo("")
    click.echo(project.bank_summary_markdown(result.bank, name_unpooled=False), nl=False)


@instrument.command()
@click.option("--format", "fmt", type=click.Choice(project.EXPORT_FORMATS), required=True,
              help="fhir (R4 Questionnaire JSON), redcap (data dictionary CSV), html/markdown "
                   "(printable questionnaire), guide/guide-html (gesprekshandleiding), form "
                   "(self-contained browser form with profile and FHIR download).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Output file ('-' = stdout; default: instrument/<standard name>).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="Language of the export (Dutch or English).")
@pass_context
def export(ctx: Context, fmt: str, out: Path | None, lang: str) -> None:
    """Export the item bank in one format."""
    workspace = ctx.workspace
    if fmt in project.BILINGUAL_EXPORTS and click.get_current_context().get_parameter_source("lang") != \
            click.core.ParameterSource.DEFAULT:
        say("note", f"--lang does not change the {fmt} export: it carries the Dutch text with the "
                    f"English beside it ({project.BILINGUAL_EXPORTS[fmt]})")
    if out is not None and str(out) == "-":
        click.echo(project.render_export(project.current_bank(workspace), fmt, lang,
                                         project.workspace_config(workspace)), nl=False)
        return
    check_outputs(out)  # (--out review.toml replaced the workspace's settings)
    path = project.export(workspace, fmt, out, lang=lang)
    click.echo(f"wrote {named_here(path)}", err=True)  # a status line, as every export's (it was on stdout)


@instrument.command()
@click.argument("response", type=INPUT_FILE)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Report file (.md or .html), created 0600 and refused inside the workspace or a git work tree; "
                   "'-' = stdout (the default when --json is not given).")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the profile as JSON ({\"factors\": [{factor_id, side, status}, ...], ...}); "
                   "'-' = stdout; a file is created 0600 and refused inside the workspace or a git work tree.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="Language of the report (Dutch or English).")
@pass_context
def score(ctx: Context, response: Path, out: Path | None, json_out: Path | None, lang: str) -> None:
    """Score a FHIR QuestionnaireResponse (or a saved answer file) into a client profile."""
    workspace = ctx.workspace
    if out is not None and json_out is not None and str(out) == "-" and str(json_out) == "-":
        raise click.UsageError("--out - and --json - both name stdout; send one of them to a file")
    # Both destinations are checked before anything is written: a refused one leaves no other file.
    targets = [target for target in (out, json_out) if target is not None and str(target) != "-"]
    for target in targets:
        project.check_private_path(target, workspace.root, tighten=False)
    # (--out naming the response replaced the client's answers with the report; one file named for both kept only
    # the report; an unwritable --out was found after the JSON was written)
    check_outputs(out, json_out, reading=response)
    bank = project.current_bank(workspace)
    scored = project.score_file(workspace, response)
    for target in targets:  # an open default answers folder made private (or refused) once the response is read:
        project.check_private_path(target, workspace.root)  # a refused response left it changed
    if json_out is not None:
        text = json.dumps(project.profile_json(scored.profile), ensure_ascii=False, indent=2) + "\n"
        if str(json_out) == "-":
            click.echo(text, nl=False)
        else:
            project.write_private(json_out, text, workspace.root)
            click.echo(f"wrote {named_here(json_out)} (0600)", err=True)  # status lines on stderr, whatever stdout carries
        if out is None:
            return
    fmt = "html" if out is not None and out.suffix.lower() in {".html", ".htm"} else "markdown"
    text = project.report_text(bank, scored, fmt, lang)
    if out is None or str(out) == "-":
        click.echo(text, nl=False)
        return
    path = project.write_private(out, text, workspace.root)
    profile = scored.profile
    # Counts only: the report's content stays out of logs and terminals' scrollback.
    click.echo(f"wrote {named_here(path)} (0600): {len(profile.risks)} risk, {len(profile.protective)} protective, "
               f"{counted(len(profile.signals), 'signal')}, {len(profile.missing)} unanswered", err=True)


@instrument.command()
@click.option("--synthesis", type=click.Path(path_type=Path, dir_okay=False),
              help="Synthesis table to compare with (default: extraction/synthesis.csv).")
@click.option("--history", is_flag=True, help="List recorded instrument versions instead.")
@pass_context
def diff(ctx: Context, synthesis: Path | None, history: bool) -> None:
    """Show what a rebuild from the current evidence would change in items and weights."""
    workspace = ctx.workspace
    if history:
        versions = project.version_history(workspace)  # (the store's: read before the header, so a missing store
        click.echo("id\tversion\tbuilt_at\tevidence_sha256\tscored\tsignals\tnot_included")  # prints none)
        for v in versions:
            # UTC with its offset, as every stored time shown (it printed no offset: local or UTC?)
            click.echo(f"{v.id}\t{v.version}\t{iso_utc(v.built_at)}\t{v.evidence_sha256[:12]}\t"
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
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="Language of the form and the report (Dutch or English).")
@pass_context
def fill(ctx: Context, answers_path: Path | None, client_ref: str, lang: str) -> None:
    """Fill in the instrument in the terminal UI; answers are stored outside the repository."""
    workspace = ctx.workspace
    if answers_path is not None:
        project.check_private_path(answers_path, workspace.root, tighten=False)
    from ..tui.instrument_app import make_app  # textual is imported only when the form opens

    app = make_app(workspace, answers_path=answers_path, client_ref=client_ref, lang=lang)
    require_terminal("review instrument fill")  # (after make_app: a missing item bank is said first)
    # Only now, when nothing else refuses: without a terminal it left an empty 0700 answers/ folder behind.
    project.prepare_answer_folder(app.fill_screen.answers_path, workspace.root)
    app.run()
    saved = app.fill_screen.answers_path
    if saved.is_file():  # the screen shows only the file name, cut off at 80 columns
        click.echo(f"answers saved in {saved} (continue: review instrument fill --answers '{saved}')", err=True)

