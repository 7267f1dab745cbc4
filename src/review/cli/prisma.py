"""``review prisma`` (flow counts, template CSV, diagram) and ``review fulltext`` (eligibility)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import ValidationError
from ..status import STATUS_PROVIDERS
from ..workspace import Workspace


def register(group: click.Group) -> None:
    group.add_command(prisma)
    group.add_command(fulltext)
    if prisma_status not in STATUS_PROVIDERS:
        STATUS_PROVIDERS.append(prisma_status)


def prisma_status(workspace: Workspace) -> list[str]:
    """One ``review status`` line with the live PRISMA flow."""
    from ..prisma import prisma_counts

    c = prisma_counts(workspace)
    identified = sum(c.n(b) for b in ("database_results", "register_results", "website_results",
                                      "organisation_results", "citations_results"))
    state = "identities ok" if c.identities_ok else "identities broken (review prisma)"
    return [
        f"prisma     {identified} identified, {c.n('duplicates')} duplicates, "
        f"{c.n('excluded_automatic')} excluded by automation, {c.n('records_screened')} screened, "
        f"{c.n('dbr_sought_reports') + c.n('other_sought_reports')} sought, "
        f"{c.n('dbr_assessed') + c.n('other_assessed')} assessed, {c.n('new_studies')} studies "
        f"({c.n('new_reports')} reports) included; {state}"
    ]


# -- review prisma ---------------------------------------------------------------------------
@click.group(invoke_without_command=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Output directory (default: screening/prisma/ in the workspace).")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True,
              help="Language of the diagram labels and the CSV box texts.")
@click.option("--strict", is_flag=True, help="Exit with status 4 when a PRISMA identity is broken.")
@click.pass_context
def prisma(click_ctx: click.Context, out_dir: Path | None, lang: str, strict: bool) -> None:
    """Write the PRISMA 2020 flow: prisma.csv (PRISMA2020 template), prisma.json, prisma.svg/.png.

    Prints one 'data<TAB>n' line per template box on stdout; identity checks and notes go to
    stderr.
    """
    if click_ctx.invoked_subcommand is not None:
        return
    from ..prisma import write_outputs

    workspace = click_ctx.obj.workspace
    outputs = write_outputs(workspace, out_dir, lang)
    for name, value in outputs.counts.template_values().items():
        click.echo(f"{name}\t{value}")
    for check in outputs.counts.identities:
        click.echo(check.describe(), err=True)
    for note in outputs.counts.notes:
        click.echo(f"note: {note}", err=True)
    for path in (outputs.csv, outputs.json, outputs.svg, outputs.png):
        click.echo(f"wrote {path}", err=True)
    if strict and not outputs.counts.identities_ok:
        broken = sum(not c.ok for c in outputs.counts.identities)
        raise ValidationError(f"PRISMA flow: {broken} identities broken (see above)")


@prisma.command("stop")
@click.argument("explanation")
@click.option("--verdict", "verdict_json", default="", help="The stopping rule's verdict as a JSON object.")
@click.pass_obj
def prisma_stop(ctx: Any, explanation: str, verdict_json: str) -> None:
    """Record that title/abstract screening stopped (the unscreened remainder then counts as
    'records marked as ineligible by automation tools')."""
    from ..store.fulltext import record_screening_stop

    verdict: dict[str, Any] = {}
    if verdict_json:
        try:
            verdict = json.loads(verdict_json)
        except json.JSONDecodeError as err:
            raise ValidationError(f"--verdict: not JSON ({err.msg} at column {err.colno})") from err
        if not isinstance(verdict, dict):
            raise ValidationError("--verdict: expected a JSON object")
    stop = record_screening_stop(ctx.workspace.store, ctx.reviewer, explanation, verdict=verdict)
    click.echo(f"screening stop {stop.id}: {stop.n_unscreened} records unscreened, "
               f"covering records up to id {stop.last_record_id}")


@prisma.command("resume")
@click.pass_obj
def prisma_resume(ctx: Any) -> None:
    """Withdraw the current screening stop (screening goes on)."""
    from ..store.fulltext import withdraw_screening_stop

    stop = withdraw_screening_stop(ctx.workspace.store, ctx.reviewer)
    click.echo("no screening stop to withdraw" if stop is None else f"withdrew screening stop {stop.id}")


@prisma.command("remove")
@click.argument("record_ids", nargs=-1, type=int, required=True)
@click.option("--reason", required=True, help="Why, e.g. 'retracted' or 'published before 2000'.")
@click.pass_obj
def prisma_remove(ctx: Any, record_ids: tuple[int, ...], reason: str) -> None:
    """Remove records before screening for a reason other than duplication or automation."""
    from ..store.fulltext import remove_records

    n = remove_records(ctx.workspace.store, list(record_ids), ctx.reviewer, reason)
    click.echo(f"removed {n} records ({reason.strip()})")


@prisma.command("restore")
@click.argument("record_ids", nargs=-1, type=int, required=True)
@click.pass_obj
def prisma_restore(ctx: Any, record_ids: tuple[int, ...]) -> None:
    """Undo the removal of records (appends undo rows)."""
    from ..store.fulltext import restore_records

    n = restore_records(ctx.workspace.store, list(record_ids), ctx.reviewer)
    click.echo(f"restored {n} records")


# -- review fulltext -------------------------------------------------------------------------
@click.group()
def fulltext() -> None:
    """Full-text stage: record retrieval and eligibility per report; link reports to studies."""


def _record_many(ctx: Any, ids: tuple[int, ...], event: str, reason: str = "", note: str = "") -> None:
    from ..prisma.fulltext import canonical_reason, fulltext_reasons, record_fulltext, title_abstract_verdicts
    from ..store.fulltext import current_screening_labels

    if not ids:
        raise ValidationError(f"fulltext {event.replace('_', '-')}: give at least one record id")
    workspace = ctx.workspace
    reasons = fulltext_reasons(workspace.config.section("fulltext"))
    if event == "excluded":
        reason = canonical_reason(reason, reasons)
    missing = sorted(set(ids) - {r.id for r in workspace.store.records(ids)})
    if missing:
        raise ValidationError(f"record {missing[0]}: not in this workspace (nothing recorded)")
    verdicts = title_abstract_verdicts(current_screening_labels(workspace.store))
    for record_id in ids:
        if verdicts.get(record_id) == "exclude":
            click.echo(f"review: warning: record {record_id} was excluded at title/abstract screening", err=True)
        recorded = record_fulltext(workspace.store, record_id, ctx.reviewer, event,
                                   reasons=reasons, reason=reason, note=note)
        suffix = f" ({recorded.reason})" if recorded.reason else ""
        click.echo(f"{record_id}\t{event}{suffix}")


_ids = click.argument("record_ids", nargs=-1, type=int)
_note = click.option("--note", default="", help="Free-text note kept with the decision.")


@fulltext.command("sought")
@_ids
@_note
@click.pass_obj
def fulltext_sought(ctx: Any, record_ids: tuple[int, ...], note: str) -> None:
    """Record that the full text of each report was sought."""
    _record_many(ctx, record_ids, "sought", note=note)


@fulltext.command("retrieved")
@_ids
@_note
@click.pass_obj
def fulltext_retrieved(ctx: Any, record_ids: tuple[int, ...], note: str) -> None:
    """Record that the full text of each report was retrieved."""
    _record_many(ctx, record_ids, "retrieved", note=note)


@fulltext.command("not-retrieved")
@_ids
@click.option("--reason", default="", help="Why it could not be retrieved (free text).")
@_note
@click.pass_obj
def fulltext_not_retrieved(ctx: Any, record_ids: tuple[int, ...], reason: str, note: str) -> None:
    """Record that the full text of each report could not be retrieved."""
    _record_many(ctx, record_ids, "not_retrieved", reason=reason, note=note)


@fulltext.command("eligible")
@_ids
@_note
@click.pass_obj
def fulltext_eligible(ctx: Any, record_ids: tuple[int, ...], note: str) -> None:
    """Record that each report meets the eligibility criteria."""
    _record_many(ctx, record_ids, "eligible", note=note)


@fulltext.command("excluded")
@_ids
@click.option("--reason", required=True, help="Exclusion reason from [fulltext] reasons (case-insensitive, prefix ok).")
@_note
@click.pass_obj
def fulltext_excluded(ctx: Any, record_ids: tuple[int, ...], reason: str, note: str) -> None:
    """Record that each report is excluded at full text, with a reason."""
    _record_many(ctx, record_ids, "excluded", reason=reason, note=note)


@fulltext.command("undo")
@click.pass_obj
def fulltext_undo(ctx: Any) -> None:
    """Undo your latest full-text event (appends an undo row)."""
    from ..store.fulltext import undo_last_fulltext_event

    undone = undo_last_fulltext_event(ctx.workspace.store, ctx.reviewer)
    if undone is None:
        click.echo("nothing to undo")
    else:
        click.echo(f"{undone.record_id}\tundid {undone.event}")


@fulltext.command("link")
@click.argument("study_id", type=int)
@click.argument("report_ids", nargs=-1, type=int, required=True)
@click.pass_obj
def fulltext_link(ctx: Any, study_id: int, report_ids: tuple[int, ...]) -> None:
    """Link REPORT_IDS as further reports of the study represented by record STUDY_ID."""
    from ..prisma.fulltext import link_reports

    link_reports(ctx.workspace.store, study_id, report_ids, ctx.reviewer)
    for report_id in report_ids:
        click.echo(f"{report_id}\tstudy {study_id}")


@fulltext.command("unlink")
@click.argument("report_ids", nargs=-1, type=int, required=True)
@click.pass_obj
def fulltext_unlink(ctx: Any, report_ids: tuple[int, ...]) -> None:
    """Make each report its own study again."""
    from ..store.fulltext import unlink_report

    for report_id in report_ids:
        unlink_report(ctx.workspace.store, report_id, ctx.reviewer)
        click.echo(f"{report_id}\tstudy {report_id}")


@fulltext.command("list")
@click.option("--todo", is_flag=True, help="Only reports still waiting for retrieval or a decision.")
@click.pass_obj
def fulltext_list(ctx: Any, todo: bool) -> None:
    """Print the full-text queue as tab-separated columns with a header line."""
    from ..prisma.queue import QUEUE_COLUMNS, fulltext_queue

    click.echo("\t".join(QUEUE_COLUMNS))
    for item in fulltext_queue(ctx.workspace):
        if todo and item.done:
            continue
        click.echo("\t".join(item.row()))


@fulltext.command("reasons")
@click.pass_obj
def fulltext_reasons_command(ctx: Any) -> None:
    """Print the configured exclusion reasons ([fulltext] reasons in review.toml)."""
    from ..prisma.fulltext import fulltext_reasons

    for reason in fulltext_reasons(ctx.workspace.config.section("fulltext")):
        click.echo(reason)
