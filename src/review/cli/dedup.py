"""``review dedup``: find duplicates in the workspace or in a CSV, and review borderline pairs."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ReviewError
from ..services import dedup as service
from ..services.workspace import refuse_if_read_only
from ..workspace import Workspace
from .context import INPUT_FILE, RECORD_ID, Context, pass_context, say
from .output import check_outputs
from ..words import counted

if TYPE_CHECKING:
    from ..services.dedup import BorderlinePair

KEYS = {"s": "same", "d": "different", "k": "skip"}


def register(group: click.Group) -> None:
    group.add_command(dedup)


@click.command()
@click.argument("csv_file", required=False, type=INPUT_FILE)
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="CSV mode: write record_id,cluster_id,decision here (default: stdout, as '-' is).")
@click.option("--review", "review", is_flag=True, help="Review borderline pairs one by one.")
@click.option("--undo-merge", "undo_record", type=RECORD_ID, metavar="RECORD_ID",
              help="Split the merged cluster holding this record back into its records.")
@click.option("--detach", is_flag=True, help="With --undo-merge: only set this one record apart.")
@click.option("--clusters", "show_clusters", is_flag=True,
              help="List current clusters: canonical id, members, why that canonical.")
@click.option("--related", "related", type=click.Choice(["link", "merge"]), default=None,
              help="CSV mode: errata/retractions/comments linked apart (link, default) or merged "
                   "into their article's cluster; a workspace sets [dedup] related in review.toml.")
@pass_context
def dedup(ctx: Context, csv_file: Path | None, out: Path | None, review: bool, undo_record: int | None,
          detach: bool, show_clusters: bool, related: str | None) -> None:
    """Find duplicate records (workspace), or cluster a CSV file given as CSV_FILE.

    \b
    review dedup                          deduplicate the workspace (stable on re-run)
    review dedup --review                 s=same d=different k=skip u=undo q=quit
    review dedup FILE.csv --out out.csv   no workspace; columns record_id,cluster_id,decision
    """
    if csv_file is not None:
        if review or undo_record is not None or show_clusters:
            raise click.UsageError("CSV mode takes only --out (no --review/--undo-merge/--clusters)")
        _csv_mode(csv_file, out, related or "link")
        return
    if out is not None:
        raise click.UsageError("--out is for CSV mode: review dedup FILE.csv --out clusters.csv")
    if related is not None:
        raise click.UsageError("--related is for CSV mode; a workspace sets [dedup] related in review.toml")
    # Without these checks a stray flag fell through to a full dedup run (or was silently ignored).
    if detach and undo_record is None:
        raise click.UsageError("--detach goes with --undo-merge: review dedup --undo-merge RECORD_ID --detach")
    modes = [flag for flag, given in (("--undo-merge", undo_record is not None), ("--clusters", show_clusters),
                                      ("--review", review)) if given]
    if len(modes) > 1:
        raise click.UsageError(f"{' and '.join(modes)}: one at a time")
    workspace = ctx.workspace
    if (review or show_clusters) and not service.has_run(workspace):
        # ('no borderline pairs left' or an empty list would read as "nothing to do")
        message = "dedup has not run on this workspace yet: run review dedup first"
        if review:
            raise ReviewError(message)
        say("note", message)
    if undo_record is not None:
        undone = service.undo_merge(workspace, undo_record, ctx.reviewer, detach_only=detach)
        click.echo(f"split apart: {', '.join(str(r) for r in undone.apart)}")
        if undone.back_in_queue:
            # Their cluster's screening decisions stay on the record that carried them.
            click.echo(f"back in the screening queue: {', '.join(str(r) for r in undone.back_in_queue)}")
        return
    if show_clusters:
        click.echo("canonical_id\tmembers\texplanation")
        for cluster in service.clusters(workspace):
            members = ",".join(str(m) for m in cluster.members)
            click.echo(f"{cluster.canonical_id}\t{members}\t{cluster.explanation}")
        return
    if review:
        _review(workspace, ctx.reviewer)
        return
    summary = service.run_dedup(workspace, progress=_progress)
    if sys.stderr.isatty():
        click.echo("", err=True)  # end the progress line
    for line in summary.lines():
        click.echo(line)
    if summary.n_pending_review:
        click.echo("next: review dedup --review", err=True)


def _progress(stage: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        click.echo(f"\r{stage}: {done}/{total}   ", err=True, nl=False)


def _csv_mode(csv_file: Path, out: Path | None, related: str = "link") -> None:
    if out is not None and str(out) == "-":
        out = None  # "-" is stdout, as for every export (it wrote a file named "-")
    check_outputs(out, reading=csv_file)  # before the clustering, not after it (the input was replaced)
    result = service.dedup_csv(csv_file, related=related)
    for warning in result.warnings:
        say("warning", warning)
    if out is None:
        click.echo(service.clusters_csv(result.rows), nl=False)
    else:
        service.write_clusters_csv(out, result.rows)
    click.echo(f"{counted(result.n_records, 'record')}, {counted(result.n_clusters, 'cluster')}, "
               f"{counted(result.n_duplicates, 'duplicate')}, {counted(result.n_borderline, 'borderline pair')} "
               "(not merged), "
               f"{result.n_related} related (linked, not merged), {result.seconds:.2f}s", err=True)


# -- terminal review ---------------------------------------------------------------------------

def _wrap_runs(runs: list[tuple[str, bool]], width: int, colour: str) -> list[str]:
    """Wrap (text, differs) runs to ``width`` columns, styling the differing words."""
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for text, differs in runs:
        for word in text.split():
            size = len(word) + (1 if used else 0)
            if used and used + size > width:
                lines.append(" ".join(current))
                current, used = [], 0
                size = len(word)
            while len(word) > width:  # a very long token (URL, DOI)
                piece, word = word[:width], word[width:]
                lines.append(click.style(piece, fg=colour, bold=True) if differs else piece)
            current.append(click.style(word, fg=colour, bold=True) if differs else word)
            used += size
    if current:
        lines.append(" ".join(current))
    return lines or [""]


def render_pair(pair: BorderlinePair, width: int) -> list[str]:
    """The two records side by side; differing words are highlighted."""
    label = 10
    column = max(20, (width - label - 3) // 2)
    out = [click.style(pair.explanation or f"score {pair.score:.1f}", dim=True)]
    heads = [f"record {r.id}" + (f" · {r.source}" if r.source else "") for r in (pair.left, pair.right)]
    out.append(f"{'':<{label}} {heads[0]:<{column}} | {heads[1]}")
    for item in pair.fields:
        left_text, right_text = item.left, item.right
        if item.name == "abstract":
            left_text, right_text = textwrap.shorten(left_text, 400), textwrap.shorten(right_text, 400)
        left_runs, right_runs = service.word_diff(left_text, right_text)
        left_lines = _wrap_runs(left_runs, column, "red")
        right_lines = _wrap_runs(right_runs, column, "green")
        name = item.name if item.same else click.style(item.name, fg="yellow", bold=True)
        pad_name = " " * (label - len(item.name))
        for n in range(max(len(left_lines), len(right_lines))):
            left_line = left_lines[n] if n < len(left_lines) else ""
            right_line = right_lines[n] if n < len(right_lines) else ""
            visible = len(click.unstyle(left_line))
            head = f"{name}{pad_name}" if n == 0 else " " * label
            out.append(f"{head} {left_line}{' ' * max(0, column - visible)} | {right_line}")
    return out


def _review(workspace: Workspace, reviewer: str) -> None:
    shown: set[int] = set()
    #: This session's verdicts, newest last: (stored verdict id, the pair's decision id, verdict), for ``u``.
    history: list[tuple[int, int, str]] = []
    while True:
        pairs = service.borderline_pairs(workspace)
        pending = [p for p in pairs if p.decision_id not in shown]
        if not pending:
            if history and _last_chance_to_undo(workspace, reviewer, history, shown, skipped=len(pairs)):
                continue  # the undone pair is open again: asked again
            # A pair skipped here is still open: "no borderline pairs left" read as none to come (walk20).
            waiting, decided = len(pairs), _decided(history)
            click.echo(f"no borderline pairs left to review ({decided} decided this session)" if not waiting else
                       f"no more borderline pairs this session ({decided} decided; {counted(waiting, 'pair')} "
                       f"skipped, still to review: review dedup --review shows {'it' if waiting == 1 else 'them'} "
                       "again)")
            return
        pair = pending[0]
        if not shown:  # (before the first pair; with none to show the session writes nothing, read-only or not)
            refuse_if_read_only(workspace)
        shown.add(pair.decision_id)
        width = shutil.get_terminal_size((120, 40)).columns
        click.echo("")
        click.echo(f"{len(pending)} {'pair' if len(pending) == 1 else 'pairs'} to review")
        for line in render_pair(pair, width):
            click.echo(line)
        for rid in (pair.left.id, pair.right.id):
            for text in service.related_of(workspace, rid) if rid is not None else ():
                click.echo(click.style(f"#{rid}: {text}", fg="yellow"))
        for line in pair.merged_lines():  # ("same" joins both clusters whole)
            click.echo(click.style(line, fg="yellow"))
        click.echo("[s]ame  [d]ifferent  s[k]ip  [u]ndo  [q]uit > ", nl=False)
        key = _read_key()
        click.echo(key)
        if key == "q":
            click.echo(f"stopped ({_decided(history)} decided this session)")
            return
        if key == "u":
            shown.discard(pair.decision_id)  # (not answered: it comes again)
            if not history:
                click.echo("nothing to undo in this session")
                continue
            _undo_last(workspace, reviewer, history, shown)
            continue
        verdict = KEYS.get(key)
        if verdict is None:
            click.echo("keys: s d k u q")
            shown.discard(pair.decision_id)
            continue
        assert pair.left.id is not None and pair.right.id is not None
        try:
            recorded = service.decide_pair(workspace, pair.left.id, pair.right.id, verdict, reviewer)
        except ReviewError as err:  # e.g. a "same" another reviewer's "different" keeps apart: not saved
            click.echo(f"review: {err}", err=True)
            # Not answered: asked again (another verdict, or k), as an undone pair is; left in ``shown`` it was
            # passed over for the session and counted at its end as "skipped".
            shown.discard(pair.decision_id)
            continue
        for line in recorded.lines():  # (a "same" on two screened records sets one aside with its decisions)
            click.echo(line)
        history.append((recorded.row_id, pair.decision_id, verdict))


def _decided(history: list[tuple[int, int, str]]) -> int:
    """The session's verdicts that decided a pair (a skip decides nothing)."""
    return sum(verdict != "skip" for *_, verdict in history)


def _undo_last(workspace: Workspace, reviewer: str, history: list[tuple[int, int, str]], shown: set[int]) -> bool:
    """Take back the session's last verdict (one transaction); whether it was taken back."""
    row_id, pair_id, undone = history[-1]
    try:
        service.undo_pair_decision(workspace, row_id, reviewer)  # durable
    except ReviewError as err:  # store busy: not saved, the verdict stands and u can try again
        click.echo(f"review: {err}", err=True)
        return False
    history.pop()
    shown.discard(pair_id)  # the undone pair is open again: asked again
    click.echo(f"undid '{undone}'")
    return True


def _last_chance_to_undo(workspace: Workspace, reviewer: str, history: list[tuple[int, int, str]],
                         shown: set[int], *, skipped: int) -> bool:
    """After the last pair: ``u`` takes the last verdict back (whether it did), ``q`` or enter finishes; another
    key asks again from a terminal, and finishes from a pipe (no one there to ask). ``skipped``: the pairs this
    session passed over, still open (the offer said "all pairs answered" after a skip too).

    Without it the session ended on the last answer, and a mistaken last verdict could not be taken back here.
    """
    done = "all pairs answered" if not skipped else f"all pairs answered or skipped ({skipped} skipped)"
    while True:
        click.echo(f"{done}: u takes back the last, q or enter finishes > ", nl=False)
        key = _read_key().strip()  # (enter: "\r" from a terminal, "" from a pipe)
        click.echo(key)
        if key == "u":
            if _undo_last(workspace, reviewer, history, shown):
                return True
            continue  # (store busy: the verdict stands; u again, or finish)
        if key in ("q", ""):
            return False
        if not _interactive():  # (a script's input, `yes d |`: asking again read it to its end, for ever)
            click.echo("keys: u q enter; the input is no terminal, so the session ends here")
            return False
        click.echo("keys: u q enter")


def _interactive() -> bool:
    """Whether the keys come from a terminal (a person), not from a pipe or file."""
    return sys.stdin.isatty()


def _read_key() -> str:
    if _interactive():
        try:
            return click.getchar().lower()
        except EOFError:  # (Ctrl-D at a terminal: click raises it; ends the session as q does, not a traceback)
            return "q"
    line = sys.stdin.readline()
    if not line:
        return "q"
    return line.strip().lower()[:1]
