"""``review prisma`` (flow counts, template CSV, diagram) and ``review fulltext`` (eligibility)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import ReviewError, ValidationError
from ..paths import named_here
from ..services import prisma as service
from ..words import counted
from .context import RECORD_ID, Context, choices_checked, pass_context, refuse_blank, say
from .output import check_outputs, is_stdout


def register(group: click.Group) -> None:
    group.add_command(prisma)
    group.add_command(fulltext)


# -- review prisma ---------------------------------------------------------------------------
@click.group(invoke_without_command=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False, allow_dash=True),
              help="Output directory (default: screening/prisma/ in the workspace); '-': no files, the counts "
                   "on stdout only.")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True,
              help="Language of the diagram labels and the CSV box texts.")
@click.option("--strict", is_flag=True, help="Exit with status 4 unless every PRISMA identity is ok (broken, or in progress: "
                   "records still to screen or assess).")
@click.pass_context
def prisma(click_ctx: click.Context, out_dir: Path | None, lang: str, strict: bool) -> None:
    """Write the PRISMA 2020 flow: prisma.csv (PRISMA2020 template), prisma.json, prisma.svg/.png.

    Prints one 'data<TAB>n' line per template box on stdout; identity checks and notes go to
    stderr. --out - writes no file (a read-only workspace): the same lines alone.
    """
    if click_ctx.invoked_subcommand is not None:
        return
    context = click_ctx.find_object(Context)
    assert context is not None  # (set by ``main``)
    if out_dir is not None and is_stdout(out_dir):  # (it wrote a folder named '-')
        counts = service.prisma_counts(context.workspace)
        written: tuple[Path, ...] = ()
    else:
        files = service.output_files(context.workspace, out_dir)
        try:  # (before the counts and the drawing: 5.7 s at 20,000 records, then refused at the first file)
            check_outputs(*files)
        except PermissionError as err:
            raise ReviewError(f"{err.filename}: cannot write here ({err.strerror}); nothing was written — review prisma --out - prints the "
                              "counts without writing a file, --out DIR writes the files to a folder you can write "
                              "to") from None
        outputs = service.write_outputs(context.workspace, out_dir, lang)
        counts, written = outputs.counts, (outputs.csv, outputs.json, outputs.svg, outputs.png)
    for name, value in counts.template_values().items():
        click.echo(f"{name}\t{value}")
    for check in counts.identities:
        click.echo(check.describe(), err=True)
    for note in counts.notes:
        say("note", note)
    for path in written:
        click.echo(f"wrote {named_here(path)}", err=True)
    if strict and not counts.identities_ok:
        pending = sum(c.in_progress for c in counts.identities)
        broken = sum(not c.ok for c in counts.identities) - pending
        raise ValidationError(f"PRISMA flow not final: {counted(broken, 'identity')} broken, {pending} in progress "
                              "(see above)")


@prisma.command("stop")
@click.argument("explanation", callback=refuse_blank("give the stopping rule and what it said"))
@click.option("--verdict", "verdict_json", default="",
              help="The stopping rule's verdict as a JSON object (e.g. '{\"verdict\": \"stop\", \"rule\": "
                   "\"recommended\"}'); without it, the reviewer's (-r) rule's verdict now, as `review status "
                   "--stopping` gives it and the screening screen's s records it. The flow diagram credits the rule "
                   "only when its verdict was stop (or the object names no verdict); otherwise it says the reviewers "
                   "stopped without a stopping rule's verdict to stop.")
@pass_context
def prisma_stop(ctx: Context, explanation: str, verdict_json: str) -> None:
    """Record that title/abstract screening stopped (the unscreened remainder then counts as
    'records marked as ineligible by automation tools')."""
    verdict: dict[str, Any] = {}
    said = ""
    if verdict_json:
        try:
            verdict = json.loads(verdict_json)
        except json.JSONDecodeError as err:
            raise ValidationError(f"--verdict: not JSON ({err.msg} at column {err.colno})") from err
        if not isinstance(verdict, dict):
            raise ValidationError("--verdict: expected a JSON object")
    elif service.current_screening_stop(ctx.workspace) is None:  # (a stop that stands is refused below: the
        # verdict, up to six fits, 5-6 s at 20,000 records, is not worked out for a refusal)
        # The rule's verdict as it stands, as the screen's s records it: a stop from the shell recorded none,
        # and the diagram said the reviewers stopped without a rule's verdict while the rule said stop (walk24)
        from ..services.screening import VerdictFailed, is_consensus, stopping_advice

        if is_consensus(ctx.reviewer):  # its decisions are the conflicts it resolved, and a rule read those as a
            # ranking screened: "consensus's recommended rule says CONTINUE" once a conflict was resolved (rrev24a)
            said = (f"{ctx.reviewer} follows no stopping rule of its own (its decisions resolve conflicts), so no "
                    "stopping rule's verdict is recorded (-r names the reviewer whose rule says stop)")
        else:
            try:
                (advice,) = stopping_advice(ctx.workspace, [ctx.reviewer])
            except VerdictFailed as err:  # (a fault, not a setting: a stop without the verdict asked for is refused)
                raise ReviewError(f"{err}: nothing recorded; --verdict JSON records the stop with the verdict you "
                                  "give") from err
            except ReviewError as err:  # (a bad setting must not stop the stop, as the service lets it through)
                said = f"the stopping rule's verdict could not be worked out ({ctx.workspace.say(err)})"  # (its line)
            else:
                if advice.no_verdict:  # (decision 0071: every decision picked by id, none taken from the queue)
                    verdict = advice.recorded
                    said = (f"{ctx.reviewer}'s recommended rule gives no verdict: all {advice.picked:,} of "
                            f"{ctx.reviewer}'s decisions were picked by id, none taken from the queue whose order "
                            "it reads (the certified rule's random sample does not depend on the order)")
                elif advice.screened:
                    verdict = advice.recorded
                    said = (f"{ctx.reviewer}'s {advice.rule_name[0].lower()}{advice.rule_name[1:]} says "
                            f"{advice.verdict.upper()}")
                else:  # (a name with no decision: its "continue" is no rule's view of the screening)
                    said = (f"{ctx.reviewer} has screened no record, so no stopping rule's verdict is recorded (-r "
                            "names the reviewer whose rule says stop)")
    stop = service.record_screening_stop(ctx.workspace, ctx.reviewer, explanation, verdict=verdict)
    click.echo(f"screening stop {stop.id}: {counted(stop.n_unscreened, 'record')} unscreened, "
               f"covering records up to id {stop.last_record_id}")
    if said and service.verdict_credits_rule(stop.verdict):
        say("note", f"{said}: the flow diagram credits it with the stop")
    elif not service.verdict_credits_rule(stop.verdict):
        # (said now: the diagram's footnote words the stop as the reviewers' own, not a rule's)
        why = said or "no stopping rule's verdict to stop (--verdict)"
        say("note", f"{why}: the flow diagram will say the reviewers stopped without a stopping rule's verdict to "
            "stop; review prisma resume withdraws the stop")


@prisma.command("resume")
@pass_context
def prisma_resume(ctx: Context) -> None:
    """Withdraw the current screening stop (screening goes on)."""
    stop = service.withdraw_screening_stop(ctx.workspace, ctx.reviewer)
    click.echo("no screening stop to withdraw" if stop is None else f"withdrew screening stop {stop.id}")


@prisma.command("remove")
@click.argument("record_ids", nargs=-1, type=RECORD_ID, required=True)
@click.option("--reason", required=True, callback=refuse_blank("give the reason, e.g. 'retracted'"),
              help="Why, e.g. 'retracted' or 'published before 2000'.")
@pass_context
def prisma_remove(ctx: Context, record_ids: tuple[int, ...], reason: str) -> None:
    """Remove records before screening for a reason other than duplication or automation."""
    n = service.remove_records(ctx.workspace, list(record_ids), ctx.reviewer, reason)
    click.echo(f"removed {n} record{'' if n == 1 else 's'} ({reason.strip()})")


@prisma.command("restore")
@click.argument("record_ids", nargs=-1, type=RECORD_ID, required=True)
@pass_context
def prisma_restore(ctx: Context, record_ids: tuple[int, ...]) -> None:
    """Undo the removal of records (appends undo rows)."""
    n = service.restore_records(ctx.workspace, list(record_ids), ctx.reviewer)
    click.echo(f"restored {n} record{'' if n == 1 else 's'}")


# -- review fulltext -------------------------------------------------------------------------
@click.group()
def fulltext() -> None:
    """Full-text stage: record retrieval and eligibility per report; link reports to studies."""


def _record_many(ctx: Context, ids: tuple[int, ...], event: str, reason: str = "", note: str = "") -> None:
    from ..services.screening import reviewer_outside_team

    # A misspelt name would read as a second reviewer who disagrees; said once the first event is saved.
    warning = reviewer_outside_team(ctx.workspace, ctx.reviewer)
    for done in service.record_fulltext_events(ctx.workspace, ids, ctx.reviewer, event, reason=reason, note=note):
        if warning:
            say("warning", warning)
            warning = None
        if done.excluded_at_title_abstract:
            say("warning", f"record {done.record_id} was excluded at title/abstract screening (review "
                "prisma will report it as sought without passing screening; review fulltext undo "
                f"{done.record_id} takes this back)")
        elif done.not_screened_at_title_abstract:
            say("warning", f"record {done.record_id} has no title/abstract decision yet "
                "(review prisma will report it as sought without passing screening)")
        if done.retrieval_warning:  # (PRISMA 2020: assessed = sought and retrieved)
            say("warning", f"{done.retrieval_warning} ({_RETRIEVAL_REMEDY[done.retrieval_unrecorded]})")
        suffix = f" ({done.event.reason})" if done.event.reason else ""
        click.echo(f"{done.record_id}\t{event}{suffix}")


#: The commands that record what the warning for an assessed report's unrecorded retrieval says is missing.
_RETRIEVAL_REMEDY = {"never sought": "review fulltext sought/retrieved records them",
                     "sought": "review fulltext retrieved records it"}


# required: none is a command-line mistake, click's exit 2 (the service's "give at least one record id" exited 4)
_ids = click.argument("record_ids", nargs=-1, type=RECORD_ID, required=True)
_note = click.option("--note", default="", help="Free-text note kept with the decision.")


@fulltext.command("sought")
@_ids
@_note
@pass_context
def fulltext_sought(ctx: Context, record_ids: tuple[int, ...], note: str) -> None:
    """Record that the full text of each report was sought."""
    _record_many(ctx, record_ids, "sought", note=note)


@fulltext.command("retrieved")
@_ids
@_note
@pass_context
def fulltext_retrieved(ctx: Context, record_ids: tuple[int, ...], note: str) -> None:
    """Record that the full text of each report was retrieved."""
    _record_many(ctx, record_ids, "retrieved", note=note)


@fulltext.command("not-retrieved")
@_ids
@click.option("--reason", default="", help="Why it could not be retrieved (free text).")
@_note
@pass_context
def fulltext_not_retrieved(ctx: Context, record_ids: tuple[int, ...], reason: str, note: str) -> None:
    """Record that the full text of each report could not be retrieved."""
    _record_many(ctx, record_ids, "not_retrieved", reason=reason, note=note)


@fulltext.command("eligible")
@_ids
@_note
@pass_context
def fulltext_eligible(ctx: Context, record_ids: tuple[int, ...], note: str) -> None:
    """Record that each report meets the eligibility criteria."""
    _record_many(ctx, record_ids, "eligible", note=note)


@fulltext.command("excluded")
@_ids
@click.option("--reason", required=True, callback=refuse_blank("give one of the reasons review fulltext reasons lists (the start is enough)"),
              help="Exclusion reason from [fulltext] reasons (case-insensitive, prefix ok).")
@_note
@pass_context
def fulltext_excluded(ctx: Context, record_ids: tuple[int, ...], reason: str, note: str) -> None:
    """Record that each report is excluded at full text, with a reason."""
    with choices_checked():  # (a reason [fulltext] reasons does not list: exit 2, checked before any is recorded)
        _record_many(ctx, record_ids, "excluded", reason=reason, note=note)


@fulltext.command("undo")
@click.argument("record_id", type=RECORD_ID, required=False)
@pass_context
def fulltext_undo(ctx: Context, record_id: int | None) -> None:
    """Undo your latest full-text event (appends an undo row); with RECORD_ID, your latest on that report."""
    undone = service.undo_last_fulltext_event(ctx.workspace, ctx.reviewer, record_id)
    if undone is None:  # a note, not a row: stdout carries only what was recorded (as review decide --undo)
        on = "" if record_id is None else f" on record {record_id}"
        click.echo(f"nothing to undo for {ctx.reviewer}{on}", err=True)
    else:
        click.echo(f"{undone.record_id}\tundid {undone.event}")


@fulltext.command("link")
@click.argument("study_id", type=RECORD_ID)
@click.argument("report_ids", nargs=-1, type=RECORD_ID, required=True)
@pass_context
def fulltext_link(ctx: Context, study_id: int, report_ids: tuple[int, ...]) -> None:
    """Link REPORT_IDS as further reports of the study represented by record STUDY_ID."""
    service.link_reports(ctx.workspace, study_id, report_ids, ctx.reviewer)
    for report_id in dict.fromkeys(report_ids):
        click.echo(f"{report_id}\tstudy {study_id}")


@fulltext.command("unlink")
@click.argument("report_ids", nargs=-1, type=RECORD_ID, required=True)
@pass_context
def fulltext_unlink(ctx: Context, report_ids: tuple[int, ...]) -> None:
    """Make each report its own study again."""
    for link in service.unlink_reports(ctx.workspace, report_ids, ctx.reviewer):
        click.echo(f"{link.report_id}\tstudy {link.report_id}")


@fulltext.command("list")
@click.option("--todo", is_flag=True, help="Only reports still waiting for retrieval or a decision.")
@pass_context
def fulltext_list(ctx: Context, todo: bool) -> None:
    """Print the full-text queue as tab-separated columns with a header line."""
    click.echo("\t".join(service.queue_columns()))
    for item in service.fulltext_queue(ctx.workspace):
        if todo and item.done:
            continue
        click.echo("\t".join(item.row()))


@fulltext.command("reasons")
@pass_context
def fulltext_reasons_command(ctx: Context) -> None:
    """Print the configured exclusion reasons ([fulltext] reasons in review.toml)."""
    for reason in service.fulltext_reasons(ctx.workspace):
        click.echo(reason)
