"""Conflicts: agreement statistics and the records reviewers disagree on, for resolution.

Blind mode (the default with two or more reviewers) hides other reviewers' decisions; the
list and statistics appear only after **b** lifts it for this session. Conflicts on records the
screening queue leaves out (removed before screening, duplicates) are counted apart, not listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from ...errors import ReviewError
from ...services.screening import (AgreementReport, NotOffered, agreement_report, export_agreement, reopen_conflicts,
                                  resolve_conflict, take_back_resolution)
from ...words import counted
from ..app import ReviewApp
from ..messages import ConflictsLoaded, RecordRead
from ..project import Project
from ..widgets.growing_table import GrowingTable
from .base import (
    MIN_TITLE, STILL_OPENING, ProjectScreen, RefitsOnResize, add_fitted_columns, cut, cut_name, group_running, plain,
    refuse_key, screen_footer,
)
from .modals import RecordScreen, ask_reason

if TYPE_CHECKING:
    from ...records import Decision
    from ...services.screening import Agreement, Conflict, Undone

#: Titles are cut to this many characters so the decisions stay visible.
COLUMNS = ("record", "decisions", "resolution", "title")
LABEL_STYLE = {"include": "green", "exclude": "red", "maybe": "yellow"}


#: What the screen shows: reviewers, agreement per pair, conflicts with their titles.
ConflictData = AgreementReport


def gather(project: Project) -> ConflictData:
    return agreement_report(project.workspace, titles=True)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _kappa_ci(s: Agreement) -> str:
    """κ's 95 % CI as a methods section reports it: ``[0.14, 0.66]``."""
    if s.kappa_ci_low is None or s.kappa_ci_high is None:
        return "–"
    return f"[{s.kappa_ci_low:.2f}, {s.kappa_ci_high:.2f}]"


#: What the statistics are computed on, under the table (a methods reviewer asks first).
STATS_BASIS = ("Over the records both reviewers decided, among the records to screen; include, exclude "
               "and maybe are three categories. κ with its asymptotic 95 % CI.")


#: Under the table when a κ has no CI ("–"): a bare dash beside κ 0.000 read as a number left out.
NO_CI = ("– for a CI: its standard error is zero or undefined there (one reviewer gave every record the same "
         "label, or κ is ±1); Gwet's AC1 is the figure that holds up then.")


def _basis(stats: list[Agreement]) -> Text:
    """What the statistics are computed on, and why a κ has no CI where one has none."""
    basis = Text(STATS_BASIS, style="dim")
    if any(s.kappa is not None and (s.kappa_ci_low is None or s.kappa_ci_high is None) for s in stats):
        basis.append(f" {NO_CI}")
    return basis


#: A cell's text in its styled parts: (text, style).
Parts = list[tuple[str, str]]


def _decision_parts(conflict: Conflict) -> Parts:
    """Each reviewer's label, coloured."""
    parts: Parts = []
    for who, label in conflict.labels.items():
        parts += [(f"{who} ", ""), (label, LABEL_STYLE.get(label, "")), ("  ", "")]
    return parts


def _resolution_parts(conflict: Conflict) -> Parts:
    """The resolution and who made it, or "open"; a resolution the reviewers changed since says so."""
    if not conflict.resolution:
        parts: Parts = [("open", "dim")]
    else:
        parts = [(f"{conflict.resolution} ({conflict.resolved_by})", LABEL_STYLE.get(conflict.resolution, ""))]
    if conflict.changed_since:  # resolved on labels that have changed since: open again
        parts.append((f", before {', '.join(conflict.changed_since)} changed", "bold yellow"))
    return parts


def _width(parts: Parts) -> int:
    """The cells ``_text(parts)`` takes, worked out from its strings (no ``Text`` built for a row not added)."""
    return sum(cell_len(text) for text, _ in parts)


def _text(parts: Parts) -> Text:
    text = Text()
    for piece, style in parts:
        text.append(piece, style=style)
    return text


#: The widest pair of reviewers the agreement table shows on one line: wider, and every column still fitted at
#: 80 columns only when Rich cut the last ones ("annemarie × benjamin" pushed Gwet's AC1 off the screen).
PAIR_ON_ONE_LINE = 12

#: What a key says while the conflicts are not read (being read, or the read failed).
NOT_READ = ("The conflicts are not read yet, or the read failed (its message said why): another screen and back to 4 "
            "reads them again.")

#: The agreement table's columns of numbers, after the reviewers.
NUMBER_COLUMNS = ("both decided", "agreed", "raw agreement", "Cohen's κ", "95% CI", "Gwet's AC1")

#: Fewest cells the reviewers column is cut to before the agreement is said a pair a paragraph instead: narrower,
#: and the names left would not tell one reviewer from another.
MIN_PAIR_CELLS = 10


def reviewer_pair(a: str, b: str, cells: int | None = None) -> str:
    """The agreement table's reviewers cell: on one line when short, else one name a line (never cut inside a
    name by wrapping: the column does not wrap); ``cells``: the column's room, names cut with an ellipsis to it."""
    one_line = f"{a} × {b}"
    if len(one_line) <= PAIR_ON_ONE_LINE and (cells is None or cell_len(one_line) <= cells):
        return one_line
    if cells is None:
        return f"{a} ×\n{b}"
    return f"{cut_name(a, cells - 2)} ×\n{cut_name(b, cells)}"


def _pair_cells(a: str, b: str) -> int:
    """The cells ``reviewer_pair(a, b)`` takes uncut."""
    return max(cell_len(line) for line in reviewer_pair(a, b).splitlines())


def _number_cells(stats: list[Agreement]) -> list[int]:
    """Each number column's least width: its longest header word (headers wrap between words) or its widest
    value (numbers never wrap)."""
    values = [(str(s.n), str(s.agreed), _number(s.raw), _number(s.kappa), _kappa_ci(s), _number(s.ac1)) for s in stats]
    return [max([max(map(len, name.split())), *(len(row[i]) for row in values)]) if name != "95% CI"
            else max([len(name), *(len(row[i]) for row in values)]) for i, name in enumerate(NUMBER_COLUMNS)]


class AgreementTable:
    """The agreement per reviewer pair, fitted to the width it is drawn at (Rich passes it): the names give way,
    never a number. Where the numbers leave too little room for the names (below about 76 columns), each pair
    is a paragraph of its own."""

    def __init__(self, stats: list[Agreement]) -> None:
        self.stats = stats

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widest = max((_pair_cells(s.reviewer_a, s.reviewer_b) for s in self.stats), default=0)
        numbers = _number_cells(self.stats)
        padding = 2 * (len(NUMBER_COLUMNS) + 1)  # one cell each side of every column, the table's edges included
        natural = [max(len(name), cells) for name, cells in zip(NUMBER_COLUMNS, numbers, strict=True)]
        if max(widest, len("reviewers")) + sum(natural) + padding <= options.max_width:
            yield stats_table(self.stats)  # (every header on one line)
            return
        # Rich's own shrinking cut the last columns ("Gwe", "0.") rather than wrap the headers: the widths set here.
        room = options.max_width - sum(numbers) - padding
        if room >= MIN_PAIR_CELLS:
            yield stats_table(self.stats, widths=[min(room, max(widest, len("reviewers"))), *numbers])
        else:
            yield stats_paragraphs(self.stats)


def stats_paragraphs(stats: list[Agreement]) -> Group:
    """The agreement a pair a paragraph, for a terminal too narrow for the table: every name and number whole."""
    lines: list[Text] = []
    for s in stats:
        line = Text()
        line.append(f"{s.reviewer_a} × {s.reviewer_b}", style="bold")  # (Text: the names are the project's)
        line.append(f": both decided {s.n}, agreed {s.agreed}, raw agreement {_number(s.raw)}, Cohen's κ "
                    f"{_number(s.kappa)} (95% CI {_kappa_ci(s)}), Gwet's AC1 {_number(s.ac1)}")
        lines.append(line)
    return Group(*lines, _basis(stats))


def stats_table(stats: list[Agreement], *, widths: list[int] | None = None) -> Group:
    """The agreement table; ``widths``: each column's cells, the reviewers' first (the names cut to it), or None to
    let Rich size them."""
    # One cell each side of a column (two between, was four): with more, at 80 columns Rich cut the headers
    # ("revie…", "agree…") and wrapped the reviewers' names over two lines.
    table = Table(box=None, header_style="bold", padding=(0, 1))
    pair_cells, number_cells = (None, [None] * len(NUMBER_COLUMNS)) if widths is None else (widths[0], widths[1:])
    table.add_column("reviewers", justify="left", no_wrap=True, width=pair_cells)
    for name, cells in zip(NUMBER_COLUMNS, number_cells, strict=True):
        # Numbers never wrap (headers do): at 80 columns "[-0.98, 0.98]" stays on one line.
        # A header wraps between its words, never inside one ("agreeme…" when Rich shrank the columns).
        table.add_column(name, justify="right", no_wrap=name == "95% CI", min_width=max(map(len, name.split())),
                         width=cells)
    for s in stats:
        # Text: Rich reads a str cell as markup, and the names are the project's ([review] reviewers).
        table.add_row(Text(reviewer_pair(s.reviewer_a, s.reviewer_b, pair_cells)), str(s.n), str(s.agreed),
                      _number(s.raw), _number(s.kappa), _kappa_ci(s), _number(s.ac1))
    return Group(table, _basis(stats))


class ConflictsScreen(ProjectScreen, RefitsOnResize):
    """Disagreements between reviewers, resolved by a third reviewer or by consensus."""

    LOADING_LINE = "agreement"

    app = getters.app(ReviewApp)  # typed: warn_outside_team is ReviewApp's

    CSS_PATH = "conflicts.tcss"
    HELP = ("Resolving writes the final label as reviewer *consensus* (PRISMA uses it), noting "
            "that you resolved it; the reviewers' own decisions stay in the log. **r** resolves as exclude "
            "with a reason from `criteria.toml` (**e** asks for one when it sets `require_reason_on_exclude`). "
            "**x** writes agreement.json, agreement.csv and "
            "conflicts.csv to `screening/`. **u** takes back the highlighted conflict's resolution (an earlier one "
            "stands again, else it is open); on an open row, the one you made last. A resolution made before a reviewer changed their decision (or "
            "undid it) is shown open again, \"before NAME changed\", until you resolve it again.")
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"resolve", "reason", "reopen", "export"})
    BINDINGS = [
        Binding("i", "resolve('include')", "Include", id="conflicts.include", tooltip="Resolve as include"),
        Binding("e", "resolve('exclude')", "Exclude", id="conflicts.exclude", tooltip="Resolve as exclude"),
        Binding("m", "resolve('maybe')", "Maybe", id="conflicts.maybe", tooltip="Resolve as maybe"),
        Binding("r", "reason", "Reason", id="conflicts.reason", tooltip="Resolve as exclude, with a reason"),
        # A resolution made by mistake could only be replaced by another (walk20): u takes it back. Listed under
        # ? only: in the footer it cut "b Blind again" to "b Blind aga" at 80 columns.
        Binding("u", "reopen", "Reopen", id="conflicts.reopen", show=False,
                tooltip="Take back the highlighted conflict's resolution, or on an open row the one you made last"),
        Binding("enter", "open", "Open", id="conflicts.open", tooltip="Read the record"),
        Binding("x", "export", "Export", id="conflicts.export", tooltip="Write agreement statistics"),
        Binding("b", "unblind", "Unblind", id="conflicts.unblind",
                tooltip="Show other reviewers' decisions (ends blinding for this session)"),
        # The same key once unblinded, so the footer says what b does now (it said Unblind still).
        Binding("b", "reblind", "Blind again", id="conflicts.blind",
                tooltip="Hide other reviewers' decisions again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: ConflictData | None = None
        self._title_width = MIN_TITLE  # what the titles are cut to (the table's width, fitted at each paint)
        #: The resolution this window made last: u on an open row takes it back while it stands (``action_reopen``).
        self._last_resolved: Decision | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="agreement")
        yield Static("", id="conflict-status")
        yield GrowingTable(self._row, id="conflict-table", cursor_type="row", zebra_stripes=True)
        yield screen_footer()

    def on_mount(self) -> None:
        table = self.query_one("#conflict-table", DataTable)
        # The title last: at 80 columns it is what gets cut, not the decisions or the
        # resolution (enter opens the whole record).
        table.add_columns(*COLUMNS)

    def _refit_ready(self) -> bool:
        return self.data is not None

    def _refit(self) -> None:
        if self.width_changed(self.query_one("#conflict-table", DataTable)):
            self._paint()  # (the title column takes the new width)

    def on_screen_resume(self) -> None:
        if self.project is not None:
            self.load()

    def _project_changed(self, project: Project | None) -> None:
        # The footer's b was worked out before the project (blind or not) was known: "Unblind" stayed
        # in a session opened unblinded until a key refreshed it.
        self.refresh_bindings()
        super()._project_changed(project)

    @work(thread=True, exclusive=True, exit_on_error=False, group="conflicts")
    def load(self) -> None:
        project = self.project
        assert project is not None
        self.post_message(ConflictsLoaded(gather(project)))

    @on(ConflictsLoaded)
    def _loaded(self, message: ConflictsLoaded) -> None:
        self.data = message.report
        self._paint()

    def _paint(self) -> None:
        project, data = self.project, self.data
        if project is None or data is None:
            return
        table = self.query_one("#conflict-table", GrowingTable)
        status = self.query_one("#conflict-status", Static)
        agreement = self.query_one("#agreement", Static)
        cursor = table.cursor_row  # a reload after each resolution keeps the reviewer's place
        table.clear(columns=True)
        if project.blind:
            agreement.update(Text(
                "Blind mode: other reviewers' decisions and agreement are hidden. "
                "Press b when every reviewer has finished.", style="bold"))
            status.update("")
            return
        agreement.update(AgreementTable(data.stats) if data.stats else "Fewer than two reviewers have decided.")
        # The rows listed and what is open among them, outdated resolutions included: what `review status` counts.
        line = Text(f"{counted(len(data.listed), 'conflict')}, {data.open} unresolved · you resolve as {project.reviewer}",
                    style="bold")
        if data.outdated:  # the reviewers changed their minds after the resolution: PRISMA still takes it
            line.append(f" · {counted(len(data.outdated), 'resolution')} the reviewers' later decisions no longer "
                        "match, listed to resolve again", style="bold yellow")
        if data.left_out:  # kept, not listed: they count nowhere until the record is back (decision 0021)
            line.append(f" · {len(data.left_out)} more on records not screened (removed before screening, "
                        "duplicates or other methods), left out", style="dim")
        status.update(line)
        listed = data.listed
        widths = (max((len(str(c.record_id)) for c in listed), default=0),
                  max((_width(_decision_parts(c)) for c in listed), default=0),
                  max((_width(_resolution_parts(c)) for c in listed), default=0))
        self._title_width = add_fitted_columns(table, COLUMNS, widths,
                                               max((len(data.titles.get(c.record_id, "")) for c in listed), default=0))
        self.fitted_to(table)
        table.show(listed, cursor)  # (the rows near the cursor now, the others as they come into reach)

    def _row(self, conflict: Conflict) -> tuple[str, tuple[str | Text, ...]]:
        """A conflict's row as the table adds it."""
        titles = self.data.titles if self.data is not None else {}
        return str(conflict.record_id), (str(conflict.record_id), _text(_decision_parts(conflict)),
                                         _text(_resolution_parts(conflict)),
                                         plain(cut(titles.get(conflict.record_id, ""), self._title_width)))

    def _selected(self) -> int | None:
        table = self.query_one("#conflict-table", DataTable)
        if not table.row_count or self.project is None or self.project.blind:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def action_resolve(self, label: str, reason: str | None = None, record_id: int | None = None) -> None:
        """Resolve ``record_id``: the conflict a dialog was opened for (a load under it may have shifted
        the rows), or the highlighted one for a key on the table."""
        highlighted, project = self._selected(), self.project
        if record_id is None:
            record_id = highlighted
        if record_id is None or project is None or project.blind:
            self._refuse()
            return
        if label == "exclude" and reason is None and project.session.require_reason_on_exclude:
            self._ask_reason(record_id)  # criteria.toml requires one: ask rather than refuse
            return
        try:
            made = resolve_conflict(project.workspace, record_id, label, project.reviewer, reason=reason)  # durable now
        except ReviewError as err:  # e.g. the setting turned on, or the file half-saved: nothing recorded
            self.notify(str(err), title="Not resolved", severity="error")
            if isinstance(err, NotOffered):
                self.load()  # removed before screening in a shell meanwhile: the row leaves the list
            return
        self._last_resolved = made  # (u on the next, open row takes it back)
        self.app.warn_outside_team()  # resolved_by keeps the name: a typo splits it
        table = self.query_one("#conflict-table", DataTable)
        shown = f"{label} ({project.reviewer})" + (f" – {reason}" if reason else "")
        if str(record_id) in table.rows:  # (a load under a dialog may have taken its row away)
            table.update_cell(str(record_id), table.ordered_columns[2].key,
                              Text(shown, style=LABEL_STYLE.get(label, "")))
        if record_id == highlighted and table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self.load()
        if label == "exclude":
            self._warn_if_sought(record_id)

    @work(thread=True, exit_on_error=False, group="conflicts-sought")
    def _warn_if_sought(self, record_id: int) -> None:
        """Say so when this exclusion leaves a record whose full text was sought meanwhile (an open conflict goes
        on to full text): review prisma would call the flow broken (walk20). Read off the UI thread."""
        from ...services.prisma import sought_then_excluded

        project = self.project
        if project is None:
            return
        for found in sought_then_excluded(project.workspace, [record_id]):
            self.app.call_from_thread(self.notify, found.warning(), title="Full text on record",
                                      severity="warning", timeout=15)

    def action_reopen(self) -> None:
        """Take back the highlighted conflict's resolution: an earlier one stands again, else it is open. On an open
        row, the resolution this window made last, while it stands: a resolution moves the cursor on, so u pressed
        at once for a wrong key found the next row (walk31: "no resolution to take back")."""
        record_id, project = self._selected(), self.project
        if record_id is None or project is None or project.blind:
            self._refuse()
            return
        highlighted, last = record_id, self._last_resolved
        try:
            # (the list as last read may not show that resolution yet: it is read again after each one, in a worker;
            # whether it still stands is the store's to say, in the undo's own transaction: taken back or replaced in a
            # shell or another window meanwhile, it is not this window's to take back, nor what stands there now)
            if last is not None and last.record_id != record_id and self._resolution_of(record_id) is None:
                undone = take_back_resolution(project.workspace, last, project.reviewer)  # durable now
                self._last_resolved = None  # (taken back now, or no longer standing)
                if undone is not None:
                    self._reopened(undone, highlighted)
                    return
            made = reopen_conflicts(project.workspace, [str(record_id)], project.reviewer)  # durable now
        except ReviewError as err:  # no resolution to take back, the store busy: nothing recorded
            self.notify(str(err), title="Not reopened", severity="warning")
            return
        if not made:  # taken back in another window between the check and the write: nothing left to do
            self.notify(f"#{record_id}: its resolution was taken back meanwhile", title="Not reopened",
                        severity="warning")
            self.load()
            return
        if last is not None and last.record_id == record_id:
            self._last_resolved = None
        self._reopened(made[0], highlighted)

    def _reopened(self, undone: Undone, highlighted: int) -> None:
        """Say what u took back, reload the list, and warn of an exclusion standing again on a record sought."""
        record_id, earlier = undone.decision.record_id, undone.in_force
        self.notify(f"#{record_id}: took back {undone.decision.label}" + (
            "; it is open again" if earlier is None else
            f"; an earlier resolution stands again ({earlier.label}): u again leaves it open") + (
            "" if record_id == highlighted else f" (the resolution you made last; #{highlighted} has none)"),
            title="Reopened")
        self.load()
        self._warn_if_sought(record_id)  # an exclusion may stand again on a record whose full text was sought

    def _resolution_of(self, record_id: int) -> str | None:
        """Who made the resolution in force on ``record_id`` as last read (None: open, or not listed)."""
        conflict = next((c for c in (self.data.conflicts if self.data else ()) if c.record_id == record_id), None)
        return None if conflict is None or conflict.resolution is None else (conflict.resolved_by or "")

    def action_reason(self) -> None:
        """Resolve the highlighted conflict as exclude, with a reason from ``criteria.toml``'s list."""
        record_id = self._selected()
        if self.project is None or record_id is None:
            self._refuse()
            return
        self._ask_reason(record_id)

    def _refuse(self) -> None:
        """Why a key found nothing to act on: blinded, the conflicts not read, or none listed."""
        project = self.project
        # (with the workspace open and the conflicts not read — still reading, or a read that failed, said once —
        # "the workspace is still opening" was not true)
        refuse_key(self, STILL_OPENING if project is None else
                   "Blind mode hides the conflicts: b shows them (for this session)." if project.blind else
                   NOT_READ if self.data is None else
                   "No conflict listed to act on.")

    def _ask_reason(self, record_id: int) -> None:
        """The reason picker for ``record_id``: it resolves that conflict, regardless of the row
        highlighted when it closes."""
        project = self.project
        assert project is not None
        ask_reason(self.app, project.criteria.criteria.reasons,
                   lambda reason: self.action_resolve("exclude", reason, record_id=record_id), record_id)

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        record_id, project = self._selected(), self.project
        if record_id is None or project is None or self.data is None:
            self._refuse()
            return
        conflict = next(c for c in self.data.listed if c.record_id == record_id)
        self.open_record(record_id, list(conflict.labels.items()))

    def record_view(self, message: RecordRead, project: Project) -> RecordScreen:
        return RecordScreen.of_read(message, project.criteria.criteria)

    def record_chosen(self, label: str, record_id: int) -> None:
        self.action_resolve(label, record_id=record_id)  # the conflict opened, not the row highlighted now

    def action_export(self) -> None:
        project, data = self.project, self.data
        if project is None or data is None or project.blind:
            self._refuse()
            return
        if group_running(self, "conflicts-export"):
            self.notify("The agreement files are still being written", title="Export", timeout=3)
            return
        self.notify("Writing the agreement files…", title="Export", timeout=3)
        self.export()

    @work(thread=True, exit_on_error=False, group="conflicts-export")
    def export(self) -> None:
        """Work out the agreement again and write its three files: ~50 ms on the demo, more on a large
        review, on the UI thread before (an unwritable folder ended the app; now one notification)."""
        project = self.project
        assert project is not None
        root = project.workspace.root
        paths = export_agreement(project.workspace).paths
        self.app.call_from_thread(self.notify, "wrote " + ", ".join(str(p.relative_to(root)) for p in paths),
                                  title="Export")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        blind = self.project is None or self.project.blind
        if action == "unblind":
            return blind
        if action == "reblind":
            return not blind
        return super().check_action(action, parameters)

    def action_unblind(self) -> None:
        self._set_blind(False)

    def action_reblind(self) -> None:
        self._set_blind(True)

    def _set_blind(self, blind: bool) -> None:
        project = self.project
        if project is None:
            return
        project.blind = blind
        self.notify("Blind mode " + ("on" if project.blind else "off: decisions of all reviewers are shown"))
        self.refresh_bindings()
        self._paint()
