"""Dedup review: borderline pairs side by side, differences highlighted; same / different / skip."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from ...services.dedup import (
    borderline_pairs, decide_pair, describe_link, has_run, related_links, score_cutoffs, undo_pair_decision, word_diff,
)
from ..messages import PairsLoaded
from .base import STILL_OPENING, ProjectScreen, refuse_key, report_error, screen_footer

if TYPE_CHECKING:
    from collections.abc import Callable

    from ...services.dedup import BorderlinePair, PairDecision

DIFF_STYLE = "bold black on #e8c66a"
#: Longest abstract excerpt shown per side.
ABSTRACT_CHARS = 700


def diff_texts(left: str, right: str) -> tuple[Text, Text]:
    """Both values with the words that differ from the other side highlighted."""
    runs_a, runs_b = word_diff(left, right)
    out_a, out_b = Text(), Text()
    for chunk, differs in runs_a:
        out_a.append(chunk, style=DIFF_STYLE if differs else "")
    for chunk, differs in runs_b:
        out_b.append(chunk, style=DIFF_STYLE if differs else "")
    return out_a, out_b


def pair_table(pair: BorderlinePair) -> Table:
    """The pair's fields side by side; exact-match fields are dimmed."""
    table = Table(expand=True, show_lines=True, header_style="bold")
    table.add_column("field", style="bold", width=9, no_wrap=True)
    # Text, not str: Rich reads a str header as markup, and the source comes from the imported file
    # ("[@click=app.quit]Embase[/]" ran the action on a click).
    table.add_column(Text(f"#{pair.left.id} · {pair.left.source}"), ratio=1)
    table.add_column(Text(f"#{pair.right.id} · {pair.right.source}"), ratio=1)
    for f in pair.fields:
        left, right = f.left, f.right
        if f.name == "abstract":
            left, right = left[:ABSTRACT_CHARS], right[:ABSTRACT_CHARS]
        if f.same:
            table.add_row(Text(f.name, style="dim"), Text(left, style="dim"), Text(right, style="dim"))
            continue
        a, b = diff_texts(left, right)
        name = Text(f.name)
        if f.similarity is not None:
            name.append(f"\n{f.similarity:.0f}%", style="dim")
        table.add_row(name, a, b)
    return table



def pair_heading(pair: BorderlinePair, index: int, total: int, decided: int) -> Text:
    """The pair's first lines: its place, its score (once: the engine's explanation opens with it),
    whether it was skipped before, and the explanation."""
    head = Text(f"Pair {index + 1} of {total}", style="bold")
    if not pair.explanation.startswith("score "):
        head.append(f" · score {pair.score:.2f}")
    if pair.skipped:
        head.append(" · skipped before", style="yellow")
    head.append(f" · {decided} decided", style="dim")
    if pair.explanation:
        head.append(f"\n{pair.explanation}", style="dim")
    # The score's scale: "score 6.0" alone told a reviewer nothing of how close the pair came to a merge.
    ask, merge = score_cutoffs()
    if pair.score >= merge:
        # Only a preprint beside its published version scores past the merge line and still comes here:
        # "score 8.5 … (7 or more: merged without asking)" read as a pair the tool should have merged (walk20).
        head.append(f" ({merge:g} or more merges without asking, but a preprint and its published version are "
                    "always yours to judge)", style="dim")
    else:
        head.append(f" ({ask:g} to {merge:g}: you judge; {merge:g} or more: merged without asking)", style="dim")
    return head

class PairWritten(Message):
    """A verdict (``verdict``: same, different, skip) or its undo (``undone``) is in the store, or was refused
    (``error``: nothing written, a ReviewError or any other failure of the write); the pairs are read again
    from here."""

    def __init__(self, pair: BorderlinePair, verdict: str, *, recorded: PairDecision | None = None,
                 undone: bool = False, error: Exception | None = None) -> None:
        super().__init__()
        self.pair = pair
        self.verdict = verdict
        self.recorded = recorded
        self.undone = undone
        self.error = error


class DedupScreen(ProjectScreen):
    """One borderline pair at a time."""

    LOADING_LINE = "dedup-status"

    CSS_PATH = "dedup.tcss"
    HELP = ("Pairs the deduplicator could not decide on its own. Highlighted words differ. "
            "**s** same record (merged), **d** different records, **k** skip (the pair comes back "
            "last), **u** undoes your last verdict here (a merge is split again; older merges: "
            "`review dedup --undo-merge ID`).")
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"verdict", "undo"})
    BINDINGS = [
        Binding("s", "verdict('same')", "Same", id="dedup.same", tooltip="Duplicates: merge them"),
        Binding("d", "verdict('different')", "Different", id="dedup.different", tooltip="Distinct records"),
        Binding("k", "verdict('skip')", "Skip", id="dedup.skip", tooltip="Decide later"),
        Binding("u", "undo", "Undo", id="dedup.undo", tooltip="Undo your last verdict on this screen"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[BorderlinePair] = []
        #: Record id → its related-record lines ("#12: erratum of record 5").
        self.related: dict[int, list[str]] = {}
        self.index = 0
        self.decided = 0
        #: This session's verdicts, newest last: (stored verdict id, pair, verdict), for ``u``.
        self.history: list[tuple[int, BorderlinePair, str]] = []
        #: The pair (record ids) to show once the pairs are reloaded (the one an undo brought back).
        self._show_next: tuple[int | None, int | None] | None = None
        #: Pairs skipped on this screen: the reload after a verdict leaves them out (they come last
        #: when the screen loads afresh, as ``review dedup --review`` asks them in its next session).
        self._skipped_here: set[tuple[int | None, int | None]] = set()
        #: A verdict's reload is under way: no pair is shown, so no key decides a stale one.
        self.reloading = False
        #: Whether dedup has run on the workspace (as last loaded).
        self.dedup_run = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading borderline pairs…", id="dedup-status")
        with VerticalScroll(id="pair-scroll"):
            yield Static("", id="pair")
        with Horizontal(id="dedup-keys"):
            # The scroll keys too: at 80x24 the pair's table runs past the screen, and the footer names the verdicts only.
            yield Static(Text("s same · d different · k skip · u undo · ↑↓ scroll the pair", style="dim"))
        yield screen_footer()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dedup-load")
    def load(self, leave_out: frozenset[tuple[int | None, int | None]] = frozenset()) -> None:
        project = self.project
        assert project is not None
        workspace = project.workspace
        pairs = [p for p in borderline_pairs(workspace) if (p.left.id, p.right.id) not in leave_out]
        related: dict[int, list[str]] = {}
        if pairs:
            for link in related_links(workspace):
                for rid in (link.notice_id, link.about_id):
                    related.setdefault(rid, []).append(f"#{rid}: {describe_link(link, rid)}")
        self.post_message(PairsLoaded(pairs, related, dedup_run=bool(pairs) or has_run(workspace)))

    @on(PairsLoaded)
    def _loaded(self, message: PairsLoaded) -> None:
        self.pairs, self.related = message.pairs, message.related
        self.dedup_run = message.dedup_run
        self.reloading = False
        wanted, self._show_next = self._show_next, None
        self.index = next((i for i, p in enumerate(self.pairs) if (p.left.id, p.right.id) == wanted), 0)
        self._paint()

    def _paint(self) -> None:
        status = self.query_one("#dedup-status", Static)
        view = self.query_one("#pair", Static)
        if self.reloading:
            status.update(Text("Updating the pairs…", style="dim"))
            view.update("")
            return
        if not self.dedup_run:  # ("no pairs left" read as all done)
            status.update(Text("Dedup has not run on this workspace yet: press d on the dashboard (1), "
                               "or run review dedup.", style="bold"))
            view.update("")
            return
        if self.index >= len(self.pairs):
            # u works past the last pair too; said here, since nothing else on an empty screen names it.
            undo = " u takes back your last verdict." if self.history else ""
            status.update(Text(f"No borderline pairs left ({self.decided} decided here).{undo}", style="bold"))
            view.update("")
            return
        pair = self.pairs[self.index]
        head = pair_heading(pair, self.index, len(self.pairs), self.decided)
        for line in self.related.get(pair.left.id or 0, []) + self.related.get(pair.right.id or 0, []):
            head.append(f"\n{line}", style="yellow")
        for line in pair.merged_lines():  # ("same" joins both clusters whole)
            head.append(f"\n{line}", style="yellow")
        status.update(head)
        view.update(pair_table(pair))
        self.query_one("#pair-scroll", VerticalScroll).scroll_home(animate=False)

    def action_verdict(self, verdict: str) -> None:
        project = self.project
        if project is None or self.reloading or self.index >= len(self.pairs):
            refuse_key(self, STILL_OPENING if project is None else
                       "The pairs are being updated: the next one shows in a moment." if self.reloading else
                       "No borderline pair left to judge.")
            return
        pair = self.pairs[self.index]
        assert pair.left.id is not None and pair.right.id is not None
        # A skip too (one row, no cluster rebuilt): on the UI thread a busy store held every key for its timeout,
        # and a failure other than a ReviewError went unreported.
        self._start_write()
        workspace, reviewer, left, right = project.workspace, project.reviewer, pair.left.id, pair.right.id
        self._write(lambda: decide_pair(workspace, left, right, verdict, reviewer), pair, verdict)

    def _start_write(self) -> None:
        """No pair is shown (no key decides one) until the write is done and the pairs are read again."""
        self.reloading = True
        self._paint()

    @work(thread=True, exit_on_error=False, group="dedup-write")
    def _write(self, write: Callable[[], PairDecision | None], pair: BorderlinePair, verdict: str,
               *, undone: bool = False) -> None:
        """A verdict's, or an undo's (``undone``), one transaction (``write``, durable when it returns) off the UI
        thread: rebuilding the clusters after same or different reads every record (most of the key's UI time on
        the demo), and a busy store waits for its timeout. Not exclusive: a write is never cancelled."""
        project = self.project
        assert project is not None
        try:
            recorded = write()
        except Exception as err:  # store busy, a "same" another reviewer's "different" keeps apart, or any other
            # failure (disk I/O, read-only store, lost PostgreSQL connection): not saved (an undone verdict
            # stands). Every failure must reply, or the screen says "Updating the pairs…" for good.
            self.post_message(PairWritten(pair, verdict, undone=undone, error=err))
            return
        try:
            if verdict == "same":  # the merged duplicate leaves the screening queue, the counts and the Records
                project.refresh()  # list (an undone merge's split record is back in them)
        finally:  # (a failed refresh is reported as the worker's error; the write stands)
            self.post_message(PairWritten(pair, verdict, recorded=recorded, undone=undone))

    @on(PairWritten)
    def _written(self, message: PairWritten) -> None:
        pair, verdict = message.pair, message.verdict
        if message.error is not None:
            report_error(self, message.error)
            if message.undone:  # (the verdict stands: its pair stays as it was shown)
                self.reloading = False
                self._paint()
                return
            self._reload()  # (another reviewer's verdicts may have settled this pair meanwhile)
            return
        if message.undone:
            self.history.pop()
            self._skipped_here.discard((pair.left.id, pair.right.id))
            self.decided -= verdict != "skip"
            self.notify(f"undid '{verdict}' on #{pair.left.id} and #{pair.right.id}", timeout=3)
            self._show_next = (pair.left.id, pair.right.id)
            self._reload()
            return
        assert message.recorded is not None
        self._verdict_recorded(pair, verdict, message.recorded)

    def _verdict_recorded(self, pair: BorderlinePair, verdict: str, recorded: PairDecision) -> None:
        for line in recorded.lines():  # (a "same" on two screened records sets one aside with its decisions)
            self.notify(" ".join(line.split()), title="Decided record set aside", severity="warning", timeout=10)
        self.history.append((recorded.row_id, pair, verdict))
        self.decided += verdict != "skip"
        if verdict == "skip":  # (no cluster changed: the pairs need not be read again)
            self._skipped_here.add((pair.left.id, pair.right.id))
            self.index += 1
            self.reloading = False
            self._paint()
            return
        # A merge or a "different" settles other pairs between the same two clusters (the list
        # asked A-C and B-C after A and B were merged, and two answers could contradict): ask the
        # store again which pairs are still open, one question per pair of clusters.
        self._reload()

    def _reload(self) -> None:
        """Load the open pairs again, those skipped here left out; no pair is shown meanwhile."""
        self._start_write()
        self.load(frozenset(self._skipped_here))

    def action_undo(self) -> None:
        """Take back this session's last verdict (an ``undo`` row in the pair log); the pair is shown again."""
        project = self.project
        if self.reloading:
            refuse_key(self, "The pairs are being updated: try again in a moment.")
            return
        if project is None or not self.history:
            self.notify("Nothing to undo on this screen", timeout=3)
            return
        row_id, pair, verdict = self.history[-1]
        self._start_write()
        workspace, reviewer = project.workspace, project.reviewer
        self._write(lambda: undo_pair_decision(workspace, row_id, reviewer), pair, verdict, undone=True)
