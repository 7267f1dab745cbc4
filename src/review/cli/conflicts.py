"""``review conflicts``: list the conflicts between reviewers and resolve them from the shell, as the
TUI's conflicts screen (key 4) does."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..services import screening as service
from .context import Context, check_record_ids, choices_checked, one_label, pass_context, refuse_blank, say
from .saved_lines import SavedLinePrinter, warn_sought_then_excluded

if TYPE_CHECKING:
    from ..services.screening import Undone

#: ``review conflicts``' columns (its header line); ``decisions`` is ``name=label;…`` in reviewer order.
CONFLICT_COLUMNS = ("record_id", "title", "decisions", "resolution", "resolved_by", "changed_since")

#: Between the reviewers of one ``decisions`` cell and of ``changed_since`` (as conflicts.csv's).
SEPARATOR = ";"


def register(group: click.Group) -> None:
    group.add_command(conflicts)


@click.group(invoke_without_command=True)
@click.option("--open", "only_open", is_flag=True,
              help="Only the conflicts still to resolve (no resolution, or one made before a reviewer changed).")
@click.pass_context
def conflicts(click_ctx: click.Context, only_open: bool) -> None:
    """List the conflicts between reviewers, tab-separated with a header line, as the TUI's screen 4 does.

    Columns: record_id, title, decisions (name=label;… per reviewer), resolution (empty: open), resolved_by,
    changed_since (reviewers who changed their label after the resolution: open again). Not blinded, as
    `review export agreement` is not: list them once every reviewer has finished.
    """
    if click_ctx.invoked_subcommand is not None:
        if only_open:
            raise click.UsageError("--open lists conflicts; it takes no subcommand")
        return
    context = click_ctx.find_object(Context)
    assert context is not None  # (set by ``main``)
    click.echo("\t".join(CONFLICT_COLUMNS))
    for row in service.conflict_rows(context.workspace):
        if only_open and not row.open:
            continue
        decisions = SEPARATOR.join(f"{name}={label}" for name, label in row.labels.items())
        click.echo("\t".join((str(row.record_id), _one_cell(row.title), decisions, row.resolution or "",
                              row.resolved_by or "", SEPARATOR.join(row.changed_since))))


@conflicts.command("reopen")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@pass_context
def conflicts_reopen(ctx: Context, ids: tuple[str, ...]) -> None:
    """Take back the resolution of each conflict, as the TUI's u on screen 4 does.

    Appends an undo of the resolution in force (a decision of 'consensus'), noting who took it back (-r, required);
    an earlier resolution of the record is in force again, else the conflict is open and passes on to full text
    as an open one does. The reviewers' own decisions are untouched. Every ID is checked first: one not in the
    workspace or with no resolution in force exits 1, nothing taken back. Prints one tab-separated line per
    resolution taken back: record id, the label taken back, 'reopened', the name given by -r.
    """
    check_record_ids(ids)
    if ctx.reviewer_option is None:
        raise click.UsageError("give your name with -r NAME (review -r NAME conflicts reopen …): it is noted on "
                               "the undo")
    name = ctx.reviewer
    # Each line printed as its undo is saved, and a stdout that cannot be written (`| true`) stops the lines, not
    # the reopening: printed after the loop, a closed stdout ended the command with exit 1 and nothing said.
    printer = SavedLinePrinter(name, None, noun="reopening", lists_them="review export decisions",
                               line=lambda taken: f"{taken.record_id}\t{taken.label}\treopened\t{name}")

    def saved(undone: Undone) -> None:
        printer(undone.decision)
        if undone.in_force is not None:  # resolved twice: the earlier resolution stands again
            earlier = undone.in_force
            say("note", f"record {undone.decision.record_id}: an earlier resolution stands again "
                f"({earlier.label} by {(earlier.model_info or {}).get('resolved_by', '?')}); reopen it again "
                "to leave the conflict open")

    try:
        reopened = service.reopen_conflicts(ctx.workspace, ids, name, on_saved=saved)
    finally:
        printer.tell_of_lost_stdout()  # also when a refusal stops it partway: its own line follows
    warn_sought_then_excluded(ctx, [undone.decision.record_id for undone in reopened])
    if printer.stdout_error is not None:
        sys.exit(1)  # as resolve and decide do


def _one_cell(text: str) -> str:
    """A title as one tab-separated cell: a tab or line break inside it would split the row."""
    return " ".join(text.split())


@conflicts.command("resolve")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--include", "include", is_flag=True, help="Resolve as include.")
@click.option("--exclude", "exclude", is_flag=True, help="Resolve as exclude.")
@click.option("--maybe", "maybe", is_flag=True, help="Resolve as maybe.")
@click.option("--reason", metavar="TEXT", callback=refuse_blank("give a reason of screening/criteria.toml (the start is enough)"),
              help="With --exclude: a reason of screening/criteria.toml, or the start of exactly one.")
@click.option("--note", default="", metavar="TEXT", help="A note stored with each resolution.")
@pass_context
def conflicts_resolve(ctx: Context, ids: tuple[str, ...], include: bool, exclude: bool, maybe: bool,
                      reason: str | None, note: str) -> None:
    """Record the consensus decision on conflicts, as the TUI's i/e/m/r on screen 4 do.

    Stored as a decision of the reviewer 'consensus' (PRISMA takes it as the verdict) with resolved_by
    the reviewer given by -r, which is required here (review.toml's first reviewer is usually one of the
    two who disagree) and may not be 'consensus'; the reviewers' own decisions stay. Every ID is checked
    first: one not in the workspace, not in the screening queue or with no conflict to resolve exits 1,
    nothing recorded. To change a resolution, resolve again: the latest holds; `review conflicts reopen
    ID` takes one back, as u on screen 4 does. Prints one tab-separated line per resolution as it is saved: record id, resolution,
    resolved_by. A refusal partway (the store busy: 7): the lines of those saved, then one line naming
    the record, what was saved before it and what was not tried. A stdout that cannot be written
    (`| true`) stops the lines, not the resolutions: one stderr line, exit 1.
    """
    label = one_label(include, exclude, maybe, reason)
    check_record_ids(ids)  # ('abc': exit 2, as in decide)
    if ctx.reviewer_option is None:
        raise click.UsageError("give the resolver's name with -r NAME (review -r NAME conflicts resolve …)")
    resolver = ctx.reviewer
    # resolved_by keeps the name: a typo splits it (the TUI warns on the first resolution)
    printer = SavedLinePrinter(resolver, service.reviewer_outside_team(ctx.workspace, resolver),
                               noun="resolution", lists_them="review conflicts")
    try:
        with choices_checked():  # (a reason criteria.toml does not list: exit 2, checked before the first save)
            made = service.resolve_conflicts(ctx.workspace, ids, label, resolver, reason=reason, note=note,
                                             on_saved=printer)
    finally:
        printer.tell_of_lost_stdout()  # also when a refusal stops it partway: its own line follows
    warn_sought_then_excluded(ctx, [d.record_id for d in made])
    if printer.stdout_error is not None:
        sys.exit(1)  # as click exits on a closed stdout in every other command
