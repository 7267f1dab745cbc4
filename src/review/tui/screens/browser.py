"""Record browser: filter by decision, reviewer, source and text; open a record; re-decide it.

Decision keys act on the highlighted row only while the table has focus, so typing in the
filter box never decides anything. Every change appends to the decision log. Records removed
before screening and records found by other methods (decision 0023) are listed with the reason
they are not offered, and cannot be decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static
from textual.worker import get_current_worker

from ...records import Record
from ...services.screening import DecisionConflict, NotOffered, RemovedMeanwhile, current_labels, store_errors
from ...services.workspace import counts_by_source
from ...source_kinds import source_order
from ..messages import RecordRead, RecordsFiltered, SetAsideChanged
from ..project import Project
from .base import (
    BROWSER_NOTE, MIN_TITLE, cut_name, STILL_OPENING, ProjectScreen, RefitsOnResize, plain, refuse_key, report_error,
    room_beside, say_refused, screen_footer,
)
from ..widgets.growing_table import GrowingTable
from .conflicts import LABEL_STYLE
from .modals import RecordScreen, ask_reason

#: Rows shown at most; the count line says how many matched. The table adds them as the cursor or the view
#: comes near (``GrowingTable``): measuring 500 rows at once was ~30 ms of every first visit and filter.
MAX_ROWS = 500
#: Quiet time after a key in the filter box before the records are filtered again (seconds): every
#: key re-read every record and redrew up to 500 rows, five times for a word of five letters typed
#: at 8 keys a second (docs/benchmarks/tui-screens-2026-12-05.md).
FILTER_DELAY = 0.2
#: Narrowest the decisions column gets when the table is fitted to the terminal (the title's: ``MIN_TITLE``).
MIN_DECISIONS = 16
#: The most cells a source name takes (a longer one ends in an ellipsis; the source filter lists it whole): a
#: file imported without --source is named after the file, and "bibtexparser_multiple_entries_and_comments"
#: took 42 of 80 columns, cutting titles to 20 and pushing the decisions off the screen.
SOURCE_CELLS = 16
COLUMNS = ("id", "year", "title", "source", "decisions")
ANY = "any"
UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class Filters:
    text: str = ""
    decision: str = ANY
    reviewer: str = ANY
    source: str = ANY


def visible_labels(current: dict[tuple[int, str], str], project: Project) -> dict[int, dict[str, str]]:
    """record -> reviewer -> label, with other reviewers hidden in blind mode."""
    out: dict[int, dict[str, str]] = {}
    for (record_id, reviewer), label in current.items():
        if project.blind and reviewer != project.reviewer:
            continue
        out.setdefault(record_id, {})[reviewer] = label
    return out


def matches(record: Record, labels: dict[str, str], f: Filters) -> bool:
    if f.source != ANY and record.source != f.source:
        return False
    given = labels if f.reviewer == ANY else {k: v for k, v in labels.items() if k == f.reviewer}
    if f.decision == UNDECIDED and given:
        return False
    if f.decision not in (ANY, UNDECIDED) and f.decision not in given.values():
        return False
    if f.text:
        haystack = f"{record.title} {record.abstract} {' '.join(record.authors)} {record.pmid} {record.doi}".lower()
        # "#12" is record 12, as every screen names it (the filter found nothing for it: no text holds "#").
        return all(word[1:] == str(record.id) if word.startswith("#") and word[1:].isdigit() else word in haystack
                   for word in f.text.lower().split())
    return True


class BrowserScreen(ProjectScreen, RefitsOnResize):
    """Every record, filterable; decisions can be changed (and are logged)."""

    LOADING_LINE = "browser-count"
    #: The table, not the first focusable widget (the filter box): while the workspace loaded, or waited for the
    #: store, q, ? and the number keys were typed into the filter and did nothing else.
    AUTO_FOCUS = "#records"

    CSS_PATH = "browser.tcss"
    #: Below 80 columns the filter box takes a row of its own (browser.tcss): beside three lists it was 4 cells wide
    #: at 60, and what was typed could not be seen.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-normal")]
    HELP = ("Type in the filter box to search; **enter** or **esc** goes back to the table. With the table "
            "focused, **i**/**e**/**m** change *your* decision on the highlighted record and "
            "**enter** opens it. Every change is appended to the decision log.")
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"decide", "reason"})
    BINDINGS = [
        Binding("i", "decide('include')", "Include", id="browser.include", tooltip="Your decision: include"),
        Binding("e", "decide('exclude')", "Exclude", id="browser.exclude", tooltip="Your decision: exclude"),
        Binding("m", "decide('maybe')", "Maybe", id="browser.maybe", tooltip="Your decision: maybe"),
        Binding("r", "reason", "Reason", id="browser.reason", tooltip="Your decision: exclude, with a reason"),
        Binding("slash", "focus_filter", "Filter", key_display="/", id="browser.filter",
                tooltip="Type to filter by text"),
        # In the filter box every letter and digit is text (q, ?, 1-8 too): Esc is the way back.
        Binding("escape", "focus_table", "Back to table", id="browser.table",
                tooltip="Leave the filter box for the table (Enter does too)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[int, dict[str, str]] = {}
        #: Why a listed record is not offered for screening ("removed before screening: …").
        self.not_offered: dict[int, str] = {}
        self._shown: RecordsFiltered | None = None  # the rows on screen, repainted at a resize
        self._filter_timer: Timer | None = None  # a filter text waiting for a pause in typing
        #: The first visit's reading has started (``_start_reading``, after the first frame): until then a
        #: ScreenResume (two come with the mount on a mode switch) loads nothing; each started a load beside the
        #: first frame, and the one the reading started cancelled them after they had read every decision.
        self._reading_started = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder="filter text…", id="filter-text")
            yield Select([(v, v) for v in ("include", "exclude", "maybe", UNDECIDED)], prompt="decision",
                         id="filter-decision")
            yield Select([], prompt="reviewer", id="filter-reviewer")
            yield Select([], prompt="source", id="filter-source")
        yield Static("Loading…", id="browser-count")
        yield GrowingTable(self._row, id="records", cursor_type="row", zebra_stripes=True)
        yield screen_footer()

    def on_mount(self) -> None:
        table = self.query_one("#records", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self._widths: tuple[int, ...] = ()  # each column's width (in COLUMNS' order) as last fitted

    def _refit_ready(self) -> bool:
        return self._shown is not None

    def _refit(self) -> None:
        """Fit title and decisions to the new width: the rows shown, not read again. Show the rows again
        only if the new size changes the column widths (a change of height, or of width within what the
        title column absorbs, leaves the table as it is)."""
        shown = self._shown
        if shown is None:
            return
        widths = self._column_widths(shown.rows)
        if widths != self._widths:
            self._show(shown, widths)

    def _column_widths(self, rows: list[Record]) -> tuple[int, ...]:
        """Each column's width, in ``COLUMNS``' order. Title and decisions share what id, year and source
        leave of the table's width, so that at 80 columns the decisions stay in view (a title of 80
        characters pushed them off the right edge, behind a sideways scroll). Longer cells are cut; enter
        shows the record. Every width is worked out from every row, not from the rows the table has added
        yet, so a column keeps its width as the rest are added."""
        table = self.query_one("#records", DataTable)
        record_id = max([len("id"), *(len(str(r.id)) for r in rows)])
        year = len("year")
        source = max([len("source"), *(min(cell_len(r.source), SOURCE_CELLS) for r in rows)])
        room = room_beside(table, (record_id, year, source), columns=2)  # (title and decisions share the rest)
        # (from the strings, not from the cells' Text: building 500 of them, which the table builds again
        # for the rows it adds, was most of the time before the browser's first frame)
        longest = max((self._decision_width(r.id) for r in rows if r.id is not None), default=0)
        decisions = max(len("decisions"), min(longest, max(MIN_DECISIONS, room - MIN_TITLE)))
        return record_id, year, max(MIN_TITLE, room - decisions), source, decisions

    def _fit_columns(self, widths: tuple[int, ...]) -> None:
        """Set the columns' widths (from ``_column_widths``) if they changed."""
        if widths == self._widths:
            return
        self._widths = widths
        table = self.query_one("#records", DataTable)
        table.clear(columns=True)
        for name, width in zip(COLUMNS, widths, strict=True):
            table.add_column(name, width=width, key=name)

    def on_screen_resume(self) -> None:
        # Back from a modal opened here (a record, a reason, help), with no settings followed since:
        # nothing shown changed but decisions made in the modal, and those are on the table already,
        # unless a shell removed or restored records meanwhile (a look of milliseconds says).
        if self.project is None or not self._reading_started:
            return
        if self.back_from_own_modal():
            self.follow_set_aside()
        else:
            self.load(self.filters(), follow_removals=True)

    def set_aside_stale(self) -> bool:
        # A retrain or the dashboard may have taken the change in first: its refresh_set_aside saw it,
        # this screen's returned False, and the rows still showed the older set.
        project = self.project
        shown = self._shown
        return project is not None and shown is not None and project.session.set_aside != shown.set_aside

    @on(SetAsideChanged)
    def _set_aside_changed(self) -> None:
        self.load(self.filters())

    def _project_changed(self, project: Project | None) -> None:
        if project is not None:
            # (no focus() here: the table has it from the start, AUTO_FOCUS, and a reviewer who went to the
            # filter box while the workspace loaded keeps typing there)
            # The workers start once the screen's first frame is out: they read every record in Python, and
            # started at once they held the GIL against it (the first frame came ~70 ms later on the demo).
            self.call_after_refresh(self._start_reading)

    def _start_reading(self) -> None:
        self._reading_started = True
        self.read_choices()
        self.load(self.filters(), follow_removals=True)  # (the first visit follows removals, as a return does)

    @work(thread=True, exclusive=True, exit_on_error=False, group="browser-choices")
    def read_choices(self) -> None:
        """The reviewer and source filters' choices, in a worker: the reviewers who decided anything (every
        decision read: 80 ms at 7,000 decisions, the longest stretch of the first visit when it ran in
        ``on_mount``) and the sources (a count over every record: 64 ms at 20,000 records)."""
        project = self.project
        assert project is not None
        reviewers = [project.reviewer] if project.blind else project.reviewers  # (blind: no other name shown)
        sources = sorted(counts_by_source(project.workspace), key=source_order)
        self.app.call_from_thread(self._show_choices, reviewers, sources)

    def _show_choices(self, reviewers: list[str], sources: list[str]) -> None:
        # Text prompts: Select reads a str prompt as markup; names and sources are the project's text.
        self.query_one("#filter-reviewer", Select).set_options([(Text(r), r) for r in reviewers])
        self.query_one("#filter-source", Select).set_options([(Text(s), s) for s in sources])

    def filters(self) -> Filters:
        def value(selector: str) -> str:
            select = self.query_one(selector, Select)
            return ANY if select.is_blank() else str(select.value)

        return Filters(self.query_one("#filter-text", Input).value.strip(), value("#filter-decision"),
                       value("#filter-reviewer"), value("#filter-source"))

    @on(Input.Changed)
    def _text_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._typing_paused)

    def _typing_paused(self) -> None:
        self._filter_timer = None
        self._refresh()

    @on(Select.Changed)
    def _refresh(self) -> None:
        if self._filter_timer is not None:  # (what it waited for is in self.filters() now)
            self._filter_timer.stop()
            self._filter_timer = None
        if self.project is not None:
            self.load(self.filters())

    @on(Input.Submitted)
    def _to_table(self) -> None:
        if self._filter_timer is not None:  # enter (or esc) before the pause: filter now
            self._refresh()
        self.query_one("#records", DataTable).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="browser")
    def load(self, f: Filters, follow_removals: bool = False) -> None:
        project = self.project
        assert project is not None
        if follow_removals:  # coming back: a review prisma remove/restore from a shell shows here
            project.refresh_set_aside()
        aside = project.session.set_aside  # (read first: a change meanwhile makes the rows stale, not lost)
        worker = get_current_worker()
        records = project.records()
        if worker.is_cancelled:  # (a newer load is under way: reading every decision would be for nothing)
            return
        labels = visible_labels(current_labels(project.workspace), project)
        session = project.session
        rows: list[Record] = []
        count = to_screen = removed = other_methods = 0
        not_offered: dict[int, str] = {}
        for record in records.values():
            if worker.is_cancelled:
                return
            if record.id is None:
                continue
            offered = session.is_to_screen(record.id)
            if not offered and not session.listed_apart(record.id):
                continue  # duplicates set aside by dedup are not screened, so not listed
            to_screen += offered
            if not matches(record, labels.get(record.id, {}), f):
                continue
            if offered:
                count += 1
            elif f.decision == UNDECIDED:
                continue  # "undecided" finds work left; a removed record is none
            else:
                if session.removal(record.id) is not None:
                    removed += 1
                else:
                    other_methods += 1
                not_offered[record.id] = session.not_offered(record.id)
            if len(rows) < MAX_ROWS:
                rows.append(record)
        # Out of the records to screen (the dashboard's and review status's number), not of every
        # record imported: "1,752 of 2,261" read as if a filter hid the duplicates set aside.
        self.post_message(RecordsFiltered(rows, count, to_screen, labels, removed=removed,
                                          other_methods=other_methods, not_offered=not_offered,
                                          set_aside=aside))

    @on(RecordsFiltered)
    def _records_filtered(self, message: RecordsFiltered) -> None:
        self._show(message)

    def _show(self, message: RecordsFiltered, widths: tuple[int, ...] | None = None) -> None:
        """Fill the table with ``message``'s rows (``widths``: the columns' widths, when the caller worked them
        out already: a resize)."""
        rows, count, total, self.labels = message.rows, message.matched, message.total, message.labels
        self.not_offered = message.not_offered
        self._shown = message  # (its labels are self.labels: a decision made here since shows at a repaint)
        table = self.query_one("#records", GrowingTable)
        cursor = table.cursor_row
        self._fit_columns(widths if widths is not None else self._column_widths(rows))
        table.show(rows, cursor)  # (the rows near the cursor now, the others as they come into reach)
        shown = f"{count:,} of {total:,} records to screen"
        if message.removed:  # listed, not counted: PRISMA removes them before screening
            shown += f" · {message.removed:,} removed before screening"
        if message.other_methods:  # listed, not counted: PRISMA takes them straight to full text
            shown += f" · {message.other_methods:,} from other methods (full text only)"
        if count + message.removed + message.other_methods > MAX_ROWS:
            shown += f" (first {MAX_ROWS} shown)"
        self.query_one("#browser-count", Static).update(Text(shown, style="dim"))

    def _row(self, record: Record) -> tuple[str, tuple[str | Text, ...]]:
        """A record's row as the table adds it: its decisions as they are then."""
        return str(record.id), (str(record.id), str(record.year or ""), plain(record.title or ""),
                                plain(cut_name(record.source, SOURCE_CELLS)), self._decision_text(record.id or 0))

    def _decision_width(self, record_id: int) -> int:
        """The cells ``_decision_text(record_id)`` takes, worked out from its strings."""
        width = sum(cell_len(who) + cell_len(label) + 2 for who, label in self.labels.get(record_id, {}).items())
        why = self.not_offered.get(record_id)
        return width + (cell_len(f"not offered: {why}") if why else 0)

    def _decision_text(self, record_id: int) -> Text:
        text = Text()
        for who, label in sorted(self.labels.get(record_id, {}).items()):
            text.append(f"{who} ")
            text.append(label, style=LABEL_STYLE.get(label, ""))
            text.append(" ")
        why = self.not_offered.get(record_id)
        if why:  # earlier decisions stay listed; PRISMA does not count them
            text.append(f"not offered: {why}", style="yellow")
        return text

    def _selected(self) -> int | None:
        table = self.query_one("#records", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def action_decide(self, label: str, reasons: tuple[str, ...] = (), record_id: int | None = None) -> None:
        """Decide ``record_id``: the record a modal was opened for (the rows may have changed under
        it, as a filter lands), or the highlighted row for a key on the table."""
        highlighted = self._selected()
        if record_id is None:
            record_id = highlighted
        project = self.project
        if record_id is None or project is None:
            refuse_key(self, STILL_OPENING if project is None else "No record in the list: the filter shows none.")
            return
        if label == "exclude" and not reasons and project.session.require_reason_on_exclude:
            self._ask_reason(record_id)  # criteria.toml requires one: ask rather than refuse
            return
        # Through the session, so the screening queue and counts see the change at once.
        # chosen: a record picked in the browser is no random draw (a draw it already was stays one).
        try:
            project.session.decide(record_id, label, reasons=reasons, note=BROWSER_NOTE,
                                   chosen=True, blind=project.blind)  # durable now
        except NotOffered as err:  # a record removed before screening: refused, nothing recorded
            self.app.bell()
            if isinstance(err, RemovedMeanwhile):  # removed in another shell since the rows were read: they follow
                say_refused(self, err, "the rows are read again")
                self.load(self.filters())
            else:
                say_refused(self, err)
            return
        except DecisionConflict as err:  # decided in another window or shell: the session read its decisions again
            self.app.bell()
            self.notify(str(err), title=err.title, severity="warning", timeout=8)
            self._show_label(record_id, project.reviewer, project.session.label_in_force(record_id))
            return
        except store_errors() as err:  # store busy or lost, session taken over: not saved
            report_error(self, err)
            return
        self._show_label(record_id, project.reviewer, label)
        table = self.query_one("#records", DataTable)
        self.notify(f"#{record_id}: {label}" + (f" ({', '.join(reasons)})" if reasons else ""), timeout=2)
        if record_id == highlighted and table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)  # on to the next record, as on the screening screen

    def _show_label(self, record_id: int, reviewer: str, label: str | None) -> None:
        """The reviewer's label on the record in its row's decisions cell (None: undecided, the label goes)."""
        labels = self.labels.setdefault(record_id, {})
        if label is None:
            labels.pop(reviewer, None)
        else:
            labels[reviewer] = label
        table = self.query_one("#records", DataTable)
        if str(record_id) in table.rows:  # (a filter that landed under a modal may have hidden it)
            table.update_cell(str(record_id), "decisions", self._decision_text(record_id))

    def action_reason(self) -> None:
        """Exclude the highlighted record with a reason from ``criteria.toml``'s list."""
        record_id = self._selected()
        if self.project is None or record_id is None:
            refuse_key(self, STILL_OPENING if self.project is None else "No record in the list: the filter shows none.")
            return
        self._ask_reason(record_id)

    def _ask_reason(self, record_id: int) -> None:
        """The reason picker for ``record_id``: it excludes that record, regardless of the row highlighted
        when it closes."""
        project = self.project
        assert project is not None
        ask_reason(self.app, project.criteria.criteria.reasons,
                   lambda reason: self.action_decide("exclude", (reason,), record_id=record_id), record_id)

    @on(DataTable.RowSelected)
    def _open(self) -> None:
        record_id, project = self._selected(), self.project
        if record_id is None or project is None:
            return
        self.open_record(record_id, sorted(self.labels.get(record_id, {}).items()), related=True,
                         not_offered=self.not_offered.get(record_id, ""))

    def record_view(self, message: RecordRead, project: Project) -> RecordScreen:
        return RecordScreen.of_read(message, project.criteria.criteria)

    def record_chosen(self, label: str, record_id: int) -> None:
        self.action_decide(label, record_id=record_id)  # the record opened, not the row highlighted now

    def action_focus_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_focus_table(self) -> None:
        self._to_table()  # as enter: the filter waiting for a pause runs now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_table":  # offered (and shown) only away from the table
            return not isinstance(self.focused, DataTable)
        return super().check_action(action, parameters)
