"""Full-text eligibility: reports that passed title/abstract screening, sought, retrieved and judged.

Every key appends one event to the full-text log (``review.prisma.fulltext.record_fulltext``) as
the app's reviewer; **u** undoes that reviewer's latest event on the highlighted report. **l** links reports of
one study (PRISMA counts studies and reports apart): on the report, then on its study; **L**
makes the highlighted report its own study again. Links are appended to their own log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from ...errors import RETRIEVE_FIRST, RetrievalOrderError, ReviewError
from ...services.prisma import (
    fulltext_queue, fulltext_reasons, link_reports, record_fulltext, undo_last_fulltext_event, unlink_report,
)
from ..messages import QueueLoaded
from ..widgets.growing_table import GrowingTable
from .base import (MIN_TITLE, STILL_OPENING, ProjectScreen, RefitsOnResize, add_fitted_columns, cut, plain,
                   refuse_key, screen_footer)
from .modals import ask_reason

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from ...services.prisma import QueueItem

#: The table's columns, the title last (it is cut to what the terminal's width leaves).
COLUMNS = ("record", "study", "state", "reason", "title")
STATE_STYLE = {
    "eligible": "green", "excluded": "red", "conflict": "yellow", "retrieved": "cyan",
    "not retrieved": "magenta", "sought": "blue", "awaiting": "dim",
}


#: The keys that record what the service's warning for an assessed report's unrecorded retrieval says is
#: missing (decision 0033); the warning's words are the service's, as the command line's.
RETRIEVAL_REMEDY = {"never sought": "o and t record them", "sought": "t records it"}


def in_keys(error: RetrievalOrderError, blind_for: str | None = None) -> str:
    """The refusal worded with this screen's keys instead of the command line's; ``blind_for`` (the reviewer of a
    blind session): another reviewer's judgement in the way is not named, nor its verdict (decision 0055)."""
    if error.kind == RETRIEVE_FIRST:
        return f"{error.why}: press t (retrieved) on it first; nothing recorded"
    if blind_for is not None and error.judged_by != blind_for:
        return (f"record {error.record_id}: {BLIND_JUDGEMENT_IN_THE_WAY}; that reviewer undoes it first, or b on "
                "screen 4 shows it; nothing recorded")
    return f"{error.why}: that reviewer undoes the decision first (u); nothing recorded"


def _study(item: QueueItem) -> str:
    """The study column: the study's record when the report is linked to another one's."""
    return "" if item.study_id == item.record_id else str(item.study_id)


def item_state(item: QueueItem) -> str:
    """One word for where a report stands: eligibility first, then retrieval."""
    if item.eligibility in ("eligible", "excluded", "conflict"):
        return item.eligibility
    return {"retrieved": "retrieved", "not_retrieved": "not retrieved",
            "pending": "sought"}.get(item.retrieval, "awaiting")


#: What a full-text key says while no report is listed ("(2)" alone read as a footnote, not as the key).
NO_REPORT = "No report at full text yet: records included on screening (key 2) come here."
#: The same while blind: the list holds only the reviewer's own inclusions (decision 0052).
NO_REPORT_BLIND = ("No report of yours at full text: while blind, only records you included (key 2) are listed; "
                   "b on screen 4 shows all.")
#: Under the counts while blind: what the list leaves out, never how many (a count would reveal others' labels),
#: and that the states and counts above are the reviewer's own full-text judgements (decision 0055).
BLIND_LINE = ("blind: only records you included or marked maybe, and those from other methods, each with your own "
              "full-text judgement; b on screen 4 shows all")
#: Why a key is refused while blind when another reviewer's full-text judgement stands on a report's retrieval:
#: said without the verdict or the name (``RetrievalOrderError.why`` holds both).
BLIND_JUDGEMENT_IN_THE_WAY = "another reviewer's full-text judgement (hidden while blind) rests on its retrieval"


class FulltextScreen(ProjectScreen, RefitsOnResize):
    """Reports awaiting full text, with keys for retrieval and eligibility."""

    LOADING_LINE = "fulltext-status"

    CSS_PATH = "fulltext.tcss"
    HELP = ("Reports that passed title/abstract screening (or came from other methods). Retrieval "
            "is a fact: the latest event holds. Eligibility is a judgement per reviewer; reviewers "
            "who disagree leave a *conflict* that the `consensus` reviewer settles; while blind the list "
            "shows only your own judgements (**b** on screen 4 shows all). An exclusion "
            "needs a reason from `[fulltext] reasons` in review.toml. Several reports of one study: "
            "press **l** on a report, then **l** on a report of its study (**escape** cancels); "
            "**L** makes a report its own study again. **u** takes back your latest event on the highlighted "
            "report.")
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"event", "exclude", "undo", "link", "unlink"})
    BINDINGS = [
        Binding("o", "event('sought')", "Sought", id="fulltext.sought", tooltip="Full text was sought"),
        Binding("t", "event('retrieved')", "Retrieved", id="fulltext.retrieved", tooltip="Full text retrieved"),
        Binding("n", "event('not_retrieved')", "Not retrieved", id="fulltext.not_retrieved",
                tooltip="Full text could not be retrieved"),
        Binding("y", "event('eligible')", "Eligible", id="fulltext.eligible", tooltip="Report is eligible"),
        Binding("x", "exclude", "Exclude", id="fulltext.excluded", tooltip="Exclude, with a reason"),
        Binding("u", "undo", "Undo", id="fulltext.undo", tooltip="Undo your latest event on this report"),
        # Link and unlink are not in the footer (? lists them): at 80 columns they pushed ? and q out.
        Binding("l", "link", "Link", id="fulltext.link", show=False,
                tooltip="Link reports of one study: on the report, then on its study"),
        Binding("L", "unlink", "Unlink", key_display="L", id="fulltext.unlink", show=False,
                tooltip="Make this report its own study again"),
        Binding("escape", "cancel_link", "Cancel link", show=False, id="fulltext.cancel_link"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[QueueItem] | None = None
        self.linking: int | None = None  # the report waiting for its study (after the first l)
        self.blind = False  # the list was read for a blind session (only the reviewer's own inclusions)
        self._title_width = MIN_TITLE  # what the titles are cut to (the table's width, fitted at each paint)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="fulltext-status")
        yield GrowingTable(self._row, id="fulltext-table", cursor_type="row", zebra_stripes=True)
        yield screen_footer()

    def on_mount(self) -> None:
        table = self.query_one("#fulltext-table", DataTable)
        table.add_columns(*COLUMNS)

    def _refit_ready(self) -> bool:
        return self.items is not None

    def _refit(self) -> None:
        if self.width_changed(self.query_one("#fulltext-table", DataTable)):
            self._paint()  # (the title column takes the new width)

    def on_screen_resume(self) -> None:
        if self.project is not None:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="fulltext")
    def load(self) -> None:
        project = self.project
        assert project is not None
        # Blind: records another reviewer sent on are left out (an unresolved conflict passes to full text).
        self.blind = project.blind
        self.post_message(QueueLoaded(fulltext_queue(project.workspace,
                                                     blind_for=project.reviewer if project.blind else None)))

    @on(QueueLoaded)
    def _loaded(self, message: QueueLoaded) -> None:
        self.items = message.items
        self._paint()

    def _paint(self) -> None:
        if self.items is None:
            return
        table = self.query_one("#fulltext-table", GrowingTable)
        selected = self._selected()
        table.clear(columns=True)
        states = Counter(item_state(i) for i in self.items)
        summary = " · ".join(f"{states[s]} {s}" for s in STATE_STYLE if states[s])
        status = Text(f"{len(self.items)} reports at full text" + (f": {summary}" if summary else ""),
                      style="bold")
        if not self.items:  # say how reports get here, not just that none have
            status.append("   records that pass title/abstract screening come here",
                          style="dim")
        if self.blind:
            status.append(f"\n{BLIND_LINE}", style="dim")
        if self.linking is not None:
            # On a line of its own: after the counts, at 80 columns it was cut before "escape cancels".
            status.append(f"\nlinking report #{self.linking}: l on a report of its study, escape cancels",
                          style="bold yellow")
        self.query_one("#fulltext-status", Static).update(status)
        items = self.items
        widths = (max((len(str(i.record_id)) for i in items), default=0),
                  max((len(_study(i)) for i in items), default=0),
                  max((len(item_state(i)) for i in items), default=0),
                  max((cell_len(i.reason) for i in items), default=0))
        self._title_width = add_fitted_columns(table, COLUMNS, widths, max((len(i.title) for i in items), default=0))
        self.fitted_to(table)
        at = next((n for n, item in enumerate(items) if item.record_id == selected), 0)
        table.show(items, at)  # (the rows near the cursor now, the others as they come into reach)

    def _row(self, item: QueueItem) -> tuple[str, tuple[str | Text, ...]]:
        """A report's row as the table adds it."""
        state = item_state(item)
        return str(item.record_id), (str(item.record_id), _study(item), Text(state, style=STATE_STYLE.get(state, "")),
                                     plain(item.reason), plain(cut(item.title, self._title_width)))

    def _selected(self) -> int | None:
        table = self.query_one("#fulltext-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def _item(self, record_id: int) -> QueueItem | None:
        return next((i for i in self.items or [] if i.record_id == record_id), None)

    def _write(self, record_id: int, event: str, reason: str = "") -> None:
        project = self.project
        assert project is not None

        def write() -> str:
            done = record_fulltext(project.workspace, record_id, project.reviewer, event, reason=reason)
            warning = done.retrieval_warning
            return f"{warning} ({RETRIEVAL_REMEDY[done.retrieval_unrecorded]})" if warning else ""

        self._apply(write, lambda warning: warning, severity="warning")

    def _apply(self, write: Callable[[], object], done: str | Callable[[Any], str] = "",
               severity: SeverityLevel = "information") -> None:
        """One store write (one transaction): an error is a notification (store busy: nothing written,
        the app stays), success says ``done`` (or ``done(what write returned)``) and reloads."""
        try:
            result = write()
        except RetrievalOrderError as error:  # its own text names a shell command: say it with this screen's keys
            project = self.project
            blind_for = project.reviewer if self.blind and project is not None else None
            self.notify(in_keys(error, blind_for), title=error.title, severity="error")
            return
        except ReviewError as error:
            self.notify(str(error), title=error.title, severity="error")
            return
        line = done(result) if callable(done) else done
        if line:
            self.notify(line, timeout=4, severity=severity)
        self.load()

    def _refuse(self) -> None:
        """A key with no report to act on: still opening, or none at full text yet."""
        refuse_key(self, STILL_OPENING if self.project is None else NO_REPORT_BLIND if self.blind else NO_REPORT)

    def action_event(self, event: str) -> None:
        record_id = self._selected()
        if record_id is None or self.project is None:
            self._refuse()
            return
        self._write(record_id, event)

    def action_exclude(self) -> None:
        record_id, project = self._selected(), self.project
        if record_id is None or project is None:
            self._refuse()
            return
        try:
            reasons = fulltext_reasons(project.workspace)
        except ReviewError as error:
            self.notify(str(error), title=error.title, severity="error")
            return
        ask_reason(self.app, reasons, lambda reason: self._write(record_id, "excluded", reason), record_id)

    def action_link(self) -> None:
        """First l: remember the report. Second l, on another row: link it to that row's study."""
        selected, project = self._selected(), self.project
        if selected is None or project is None or self.items is None:
            self._refuse()
            return
        report, self.linking = self.linking, None
        if report is None or report == selected:  # start (or, on the same row, cancel)
            self.linking = None if report == selected else selected
            self._paint()
            return
        item = self._item(selected)
        study = item.study_id if item is not None else selected
        if study == report:  # the study's own record chosen as "its study": nothing to link
            self.notify(f"#{report} already stands for that study", timeout=3)
            self._paint()
            return
        self._apply(lambda: link_reports(project.workspace, study, [report], project.reviewer),
                    f"report #{report} linked to study #{study} (L on it undoes)")

    def action_cancel_link(self) -> None:
        if self.linking is not None:
            self.linking = None
            self._paint()

    def action_unlink(self) -> None:
        selected, project = self._selected(), self.project
        if selected is None or project is None:
            self._refuse()
            return
        item = self._item(selected)
        if item is not None and item.study_id == item.record_id:
            self.notify(f"#{selected} is its own study already", timeout=3)
            return
        self._apply(lambda: unlink_report(project.workspace, selected, project.reviewer),
                    f"report #{selected} is its own study again")

    def action_undo(self) -> None:
        """Take back the reviewer's latest event on the highlighted report (``review fulltext undo ID``): with the
        cursor on one report, the latest event on any other was the one taken back."""
        record_id, project = self._selected(), self.project
        if record_id is None or project is None:
            self._refuse()
            return
        self._apply(lambda: undo_last_fulltext_event(project.workspace, project.reviewer, record_id),
                    lambda undone: f"Nothing of yours to undo on report #{record_id}" if undone is None
                    else f"undid {undone.event} of record {undone.record_id}")
