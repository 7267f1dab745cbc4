"""Dashboard: stage counts, the stopping rule, the inclusions curve and pipeline actions."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Console
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...errors import ReviewError, first_line
from ...services.dedup import borderline_pairs
from ...services.prisma import prisma_counts, screening_stop_words
from ...services.screening import COUNT_LABELS, STOPPING_RULE_WORDS, labels_in_order
from ...services.sources import query_files_stamp, query_overview
from ...services.workspace import data_version
from ...words import recall_estimate
from ..actions import ACTIONS, import_path, run_import, start_folder_note
from ..messages import Loaded
from ..project import Project
from .base import STILL_OPENING, ProjectScreen, group_running, refuse_key, screen_footer
from .import_file import ImportRequest, ImportScreen
from ..widgets.curve import CurveView
from .screening import NO_ESTIMATE, StoppingEvidenceReady

if TYPE_CHECKING:
    from ...services.screening import Progress

#: The two stopping rules in the reviewer's words (services' table, as ``review status --stopping`` names them).
RULE_WORDS = {rule: f"{name}: {does}" for rule, (name, does) in STOPPING_RULE_WORDS.items()}


@dataclass(slots=True)
class DashboardData:
    """Everything the dashboard shows, gathered off the UI thread (``gather``)."""

    sources: list[tuple[str, int]]
    identified: int
    #: None before dedup has run ("not run").
    duplicates: int | None
    #: Borderline duplicate pairs waiting for a human (the dedup review, key 3).
    borderline: int
    prisma_screened: int
    prisma_excluded: int
    #: Records removed before screening for other reasons, and records from other methods (straight to
    #: full text, decision 0023): neither is screened, so "Screened (you)" counts neither.
    removed_other: int
    other_methods: int
    progress: Progress
    #: Each query's last run and last seed check (``sources.search.QueryOverview``).
    searches: list[Any]
    #: Inclusions found after each of the reviewer's decisions, in order.
    curve: list[float] = field(default_factory=list)
    #: The store's data version as counting began (``data_version``): the same later, nothing counted moved.
    version: tuple[int, ...] = ()
    #: The query files' stamp as counting began (``query_files_stamp``): the searches read them, not the store.
    query_files: tuple[Any, ...] = ()
    #: The screening stop that stands (any reviewer's: each screen's verdict follows its own reviewer, so after
    #: a teammate's stop it still said CONTINUE), in words; "" when none stands.
    screening_stop: str = ""
    #: Records from other methods that dedup set aside as duplicates of another record: counted among
    #: ``other_methods`` (PRISMA's identified box), but not sought (that column has no duplicates box).
    other_duplicates: int = 0
    #: A check of the classifier is due that the verdict does not hold yet (``stopping_evidence_due``): the
    #: dashboard makes it, as ``review status --stopping`` does, and shows the verdict again.
    evidence_due: bool = False


class DashboardLoaded(Loaded):
    """Stage counts, progress and the inclusions curve for the dashboard (defined here, beside
    its data, so that ``messages`` needs no screen module)."""

    def __init__(self, data: DashboardData) -> None:
        super().__init__()
        self.data = data


class ImportStopped(Exception):
    """The import's worker was cancelled (the app quits) before the file was stored."""


class JobProgress(Loaded):
    """Where a pipeline action is (the newest replaces any still queued); '' when it is over."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


def gather(project: Project) -> DashboardData:
    """Counts from the PRISMA stage (all reviewers) and the session (this reviewer)."""
    version = data_version(project.workspace)  # (first: a change while counting shows as a change next time)
    query_files = query_files_stamp(project.workspace)
    project.refresh_set_aside()  # "Screened (you)" leaves out what PRISMA removes, as of now
    counts = prisma_counts(project.workspace, project.session.set_aside)  # (the same read, not again)
    sources = [(name, s.n) for name, s in counts.sources.items()]  # (in the diagram's order: source_order)
    data = DashboardData(
        sources=sources, identified=sum(n for _, n in sources),
        duplicates=counts.n("duplicates") if counts.dedup_available else None,
        borderline=len(borderline_pairs(project.workspace)) if counts.dedup_available else 0,
        prisma_screened=counts.n("records_screened"), prisma_excluded=counts.n("records_excluded"),
        removed_other=counts.n("excluded_other"), other_methods=counts.other_methods_identified,
        other_duplicates=counts.n("other_duplicates"),
        progress=project.session.progress(), evidence_due=project.session.stopping_evidence_due(),
        searches=query_overview(project.workspace), version=version,
        query_files=query_files,
        screening_stop="" if counts.screening_stop is None else screening_stop_words(
            counts.screening_stop, excluded_now=counts.n("excluded_automatic")))
    # The curve counts what "Screened" counts: records to screen, not duplicates set aside.
    found = 0
    for record_id, label in labels_in_order(project.workspace, project.reviewer):
        if project.session.is_to_screen(record_id):
            found += label == "include"
            data.curve.append(float(found))
    return data


#: The PRISMA rows' value while blind: they count every reviewer's decisions, so beside "(you)" they would tell
#: how many records the others screened or judged otherwise (decision 0052).
PRISMA_HIDDEN = "hidden"
#: In place of the PRISMA row's qualifier while blind (as many rows as unblinded: at 80x24 one more fell below).
PRISMA_HIDDEN_WHY = "  (blind: b on screen 4 shows)"


def stage_table(data: DashboardData, blind: bool = False, lines: int | None = None, width: int = 0) -> Table:
    """The Pipeline panel's table; with ``lines`` and ``width`` (the panel's room) the sources and searches
    that do not fit fold into one row ("5 more: review status"), so the counts below them stay in view: at
    80x24 a review of seven sources and a search (walk20) lost Remaining and both PRISMA rows below the
    panel's edge."""
    rows = stage_rows(data, blind)
    table = _table(rows)
    if lines is None or width <= 0:
        return table
    foldable = sum(fold for _, _, fold in rows)
    extra = 0
    while extra < foldable - 1 and _height(table, width) > lines:
        extra += 1
        table = _table(fold_sources(rows, extra))
    return table


def _table(rows: list[StageRow]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1), expand=False)
    table.add_column("stage", style="bold")
    table.add_column("n", justify="right")
    for label, value, _ in rows:
        table.add_row(label, value)
    return table


def _height(table: Table, width: int) -> int:
    """The lines ``table`` takes at ``width`` cells (a label too long for its column wraps)."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    return len(console.render_lines(table, console.options.update(width=width), pad=False))


#: A stage-table row: label, value, and whether it may fold into a "N more sources" row.
StageRow = tuple["str | Text", "str | Text", bool]


def fold_sources(rows: list[StageRow], extra: int) -> list[StageRow]:
    """``rows`` with the last foldable rows (sources, then searches) replaced by one "N more" row, ``extra``
    rows fewer where there are that many to fold (else every foldable row folds)."""
    foldable = [i for i, (_, _, fold) in enumerate(rows) if fold]
    if len(foldable) < 2:
        return rows
    folded = set(foldable[max(0, len(foldable) - extra - 1):])
    row: StageRow = (Text(f"  {len(folded)} more: review status", style="dim"), Text(""), False)
    out: list[StageRow] = []
    for i, r in enumerate(rows):
        if i not in folded:
            out.append(r)
        elif i == min(folded):
            out.append(row)
    return out


def search_value(query: Any) -> str:
    """A query's value in the Pipeline panel: its hits, or for a run not finished (hits known only at the end)
    what it stored so far, which read '0 hits' beside the records the sources row counted (rrev29b)."""
    if not query.last_run:
        return str(query.status)
    if query.hits is None and query.status != "complete":
        return f"{query.status}: {query.new_records or 0:,} stored"
    return f"{query.hits or 0:,} hits"


def stage_rows(data: DashboardData, blind: bool = False) -> list[StageRow]:
    rows: list[StageRow] = [("Identified", f"{data.identified:,}", False)]
    for name, n in data.sources:
        rows.append((Text(f"  {name}", style="dim"), Text(f"{n:,}", style="dim"), True))
    # Values stay short (no dates: review status has them): the widest value sets the column,
    # and "1,585 hits, 2026-12-05" wrapped every label beside it, so at 80x24 the PRISMA rows
    # fell below the panel.
    for query in (q for q in data.searches if q.last_run or q.seed_check):
        rows.append((Text(f"  search {query.name}", style="dim"), Text(search_value(query), style="dim"), True))
        if query.seeds:
            style = "green" if query.seeds_found == query.seeds else "yellow"
            rows.append((Text("    seed check", style="dim"),
                         Text(f"{query.seeds_found}/{query.seeds} found", style=style), True))
    rows.append(("Duplicates removed", "not run" if data.duplicates is None else f"{data.duplicates:,}", False))
    if data.borderline:
        rows.append((Text("  borderline (key 3)", style="yellow"), Text(f"{data.borderline:,}", style="yellow"), False))
    if data.removed_other:
        rows.append(("Removed before screening", f"{data.removed_other:,}", False))
    if data.other_methods:  # between identified and screened too: PRISMA takes them straight to full text
        rows.append(("Other methods", f"{data.other_methods:,}", False))
        if data.other_duplicates:
            # "Other methods (full text) 2" counted a citation that duplicated a database record, which is not
            # sought: 1 went to full text (walk20). PRISMA's diagram says it in a footnote.
            rows.append((Text("  duplicates", style="dim"), Text(f"{data.other_duplicates:,}", style="dim"), False))
    p = data.progress
    words = COUNT_LABELS  # one word per count, as on the screening screen and in `review status`
    rows.append((f"{words['screened']} (you)", f"{p.screened:,} / {p.total:,}", False))
    rows.append((Text(f"  {words['included'].lower()}", style="green"), f"{p.included:,}", False))
    rows.append((Text(f"  {words['excluded'].lower()}", style="red"), f"{p.excluded:,}", False))
    rows.append((Text(f"  {words['maybe'].lower()}", style="yellow"), f"{p.maybe:,}", False))
    rows.append((f"{words['relevant']} (you)", f"{p.relevant:,}", False))
    rows.append((words["remaining"], f"{p.remaining:,}", False))
    # The PRISMA box's words, its qualifier on a line of its own: wrapped by the table, it broke inside the
    # parentheses ("(PRISMA, any" / "reviewer)").
    label, _, qualifier = words["prisma_screened"].partition(" (")
    rows.append((label, PRISMA_HIDDEN if blind else f"{data.prisma_screened:,}", False))
    if qualifier or blind:
        rows.append((Text(PRISMA_HIDDEN_WHY if blind else f"  ({qualifier}", style="dim"), "", False))
    rows.append(("Excluded (PRISMA)", PRISMA_HIDDEN if blind else f"{data.prisma_excluded:,}", False))
    return rows


class DashboardScreen(ProjectScreen):
    """Where the review stands, and what to run next."""

    LOADING_LINE = "stages"

    CSS_PATH = "dashboard.tcss"
    HELP = ("Counts refresh whenever you come back here (and review.toml is read again if you edited it). Actions run in the background; "
            "their result appears as a notification. **f** imports a file (RIS, MEDLINE, PubMed XML, BibTeX, CSV, "
            "EndNote, Web of Science), as `review import FILE` does. **2** opens screening. The stopping rule's panel scrolls "
            "with the arrow, page, home and end keys (**tab** focuses it).")
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"run", "import_file", "toggle_stopping_rule"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("2", "app.switch_mode('screening')", "Start screening", id="dashboard.screen",
                tooltip="Open the screening screen (one record at a time, i/e/m to decide)"),
        *(Binding(a.key, f"run('{a.key}')", a.label, id=f"dashboard.{a.label.split()[0].lower()}",
                  tooltip=f"{a.label} (runs in the background)") for a in ACTIONS),
        # "f" (a file): "i" is include on the screening screen, and one key means one thing. "Import", not "Import
        # file": at 80 columns the footer then ends with it whole.
        Binding("f", "import_file", "Import", id="dashboard.import",
                tooltip="Import a RIS, MEDLINE, PubMed XML, BibTeX, CSV, EndNote or Web of Science file (as review "
                        "import does; in the background)"),
        # Not in the footer (? lists it; the counts also refresh on every return here): with f's Import it ran under
        # ? at 80 columns.
        Binding("g", "refresh", "Refresh", id="dashboard.refresh", tooltip="Recount", show=False),
        # Not in the footer (? lists it; the panel says "t switches"): at 80 columns it pushed ? and q out.
        Binding("t", "toggle_stopping_rule", "Stopping rule", id="dashboard.stopping_rule", show=False,
                tooltip="Switch between the recommended and the certified stopping rule (saved in review.toml)"),
    ]

    data: DashboardData | None = None
    """What the dashboard shows now (None until the first count)."""
    painted_blind: bool = False
    _painted_room: int = 0
    """Whether the stage table on screen hides the PRISMA rows (the session was blind when it was drawn)."""
    _checked_for: tuple[Any, ...] = ()
    """The decisions (screened, data version) the dashboard last asked the classifier's check for."""
    _checking: bool = False
    """That check is under way (its answer not yet back): the panel says it is being made only then."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dash"):
            with Vertical(id="dash-left", classes="panel"):
                yield Static(Text("Pipeline", style="bold"), classes="panel-title")
                yield Static("Loading workspace…", id="stages")
            with Vertical(id="dash-right"):
                # Focusable (tab, then the arrow and page keys): at 80x24 the explanation's last lines and
                # what the rule does are below the panel's fold, and a mouse is not at every terminal.
                with VerticalScroll(id="stop-panel", classes="panel"):
                    yield Static(Text("Stopping rule", style="bold"), classes="panel-title")
                    yield Static("", id="stop")
                with Vertical(id="curve-panel", classes="panel"):
                    yield Static(Text("Inclusions found as you screen", style="bold"), classes="panel-title")
                    yield CurveView(id="curve")
                    yield Static("", id="curve-caption")
        yield Static("", id="job")
        yield screen_footer()

    def on_screen_resume(self) -> None:
        # Back from a dialog over it (help, the palette: they change nothing), the counts stand unless the
        # store or the screening queue moved meanwhile; from another screen, or after a settings follow,
        # everything is counted again.
        if self.project is not None and self.project.blind != self.painted_blind:
            self._paint_stages()  # b on screen 4 changed what may be shown, not what is counted
        self.action_refresh(unless_unchanged=self.back_from_own_modal())

    def action_refresh(self, unless_unchanged: bool = False) -> None:
        # An edited review.toml ([prisma.sources]) counts now: the app refreshes the queue, then
        # resumes this screen, which counts.
        if self.app.reread_settings() or self.project is None:  # type: ignore[attr-defined]
            return
        if unless_unchanged and group_running(self, "dashboard"):
            return  # a count under way shows what is there now (a look would cancel it: one group)
        self.load(unless_unchanged)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def load(self, unless_unchanged: bool = False) -> None:
        """Count (``gather``) and show; with ``unless_unchanged``, only if the store's data version, a query
        file or the reviewer's progress moved since the counts shown (a millisecond's look instead of ~30 ms)."""
        project = self.project
        assert project is not None
        shown = self.data
        if unless_unchanged and shown is not None and data_version(project.workspace) == shown.version \
                and query_files_stamp(project.workspace) == shown.query_files \
                and project.session.progress() == shown.progress:
            return
        data = gather(project)
        if not get_current_worker().is_cancelled:
            self.post_message(DashboardLoaded(data))

    def _paint_stages(self) -> None:
        """The stage table as the session is now: its PRISMA rows hidden while blind."""
        if self.data is None:
            return
        self.painted_blind = self.project is not None and self.project.blind
        panel = self.query_one("#dash-left").content_region
        # The panel's lines less its title and the title's margin (0 before the first layout: fold nothing).
        room = panel.height - 2
        self._painted_room = room
        self.query_one("#stages", Static).update(
            stage_table(self.data, blind=self.painted_blind, lines=room if room > 0 else None, width=panel.width))

    def on_resize(self) -> None:
        # A taller or shorter terminal gives the sources more or fewer lines (a repaint, not a recount).
        self.call_after_refresh(self._repaint_if_room_changed)

    def _repaint_if_room_changed(self) -> None:
        if self.data is not None and self.query_one("#dash-left").content_region.height - 2 != self._painted_room:
            self._paint_stages()

    @on(DashboardLoaded)
    def _show(self, message: DashboardLoaded) -> None:
        data = message.data
        self.data = data
        self._paint_stages()
        p = data.progress
        stop = Text()
        # The rule's name on one line, what it does in the panel's tooltip: its sentence took three lines at
        # 80 columns, and with the explanation below the inclusions curve and its caption had no line left.
        rule = RULE_WORDS.get(p.stopping.rule, p.stopping.rule)
        name, _, does = rule.partition(": ")
        stop.append(f"{name} (t switches)\n", style="dim")
        self.query_one("#stop-panel").tooltip = rule
        if data.screening_stop:  # first: what a reviewer about to screen on must know
            stop.append(f"{data.screening_stop[0].upper()}{data.screening_stop[1:]}.\n", style="bold yellow")
        if p.total == 0:  # a new workspace: "STOP, every record screened" would be true but useless
            stop.append("No records in this workspace yet: press f to import your exports (or review import "
                        "FILE... in a shell), or p to search PubMed.")
        else:
            stop.append(f" {p.stopping.verdict.upper()} ", style="bold reverse")
            recall = recall_estimate(p.est_recall, p.stopping.target_recall, unknown=NO_ESTIMATE)
            stop.append(f"  estimated recall {recall}\n", style="bold")
            if data.evidence_due:  # (the screening screen makes it after its first ranking: until then this
                # verdict differed from `review status --stopping`, which makes it first)
                stop.append(self._due_words((p.screened, data.version)), style="bold yellow")
            stop.append(p.stopping.explanation)
        # ``does``: also the panel's tooltip; under the fold, the keys reach it.
        stop.append(f"\n\nThe rule {does}." if does else f"\n\n{rule}", style="dim")
        self.query_one("#stop", Static).update(stop)
        self.query_one("#curve", CurveView).values = tuple(data.curve)
        caption = (f"0 → {len(data.curve):,} screened, {int(data.curve[-1]) if data.curve else 0} included"
                   if data.curve else "no records to screen yet" if p.total == 0
                   else "nothing screened yet: press 2")  # (one line at 80x24)
        self.query_one("#curve-caption", Static).update(Text(caption, style="dim"))
        if data.evidence_due and p.total:
            self._check_classifier((p.screened, data.version))

    def _due_words(self, decided: tuple[Any, ...]) -> str:
        """What the panel says of a due check: being made (asked now, or under way), or not made here, once the
        dashboard's check for these decisions failed or came back without an answer the session took (it is not
        asked again until they change: "making it now" stood there with nothing under way, rrev25c)."""
        if self._checking or decided != self._checked_for:
            return "A check of the classifier is due: making it now; the verdict may change.\n"
        return ("A check of the classifier is due and was not made here; review status --stopping makes it, and "
                "its verdict may differ.\n")

    def _check_classifier(self, decided: tuple[Any, ...]) -> None:
        """The classifier's check the verdict waits for, once per state of the decisions (``decided``): a check
        under way is not asked again, nor one whose answer the session did not take (no loop of fits)."""
        if decided != self._checked_for and not self._checking and not group_running(self, "dashboard-evidence"):
            self._checked_for = decided
            self._checking = True
            self.stopping_evidence()

    @work(thread=True, exit_on_error=False, group="dashboard-evidence")
    def stopping_evidence(self) -> None:
        """The due check, made as the screening screen makes it (in the retrainer's evidence process)."""
        project = self.project
        assert project is not None
        session = project.session
        epoch = session.evidence_epoch  # read first: a decision or an undo from here on drops what comes back
        if not session.stopping_evidence_due():  # (made meanwhile, on the screening screen)
            self.post_message(StoppingEvidenceReady(None, epoch, computed=False))
            return
        evidence = project.retrainer.stopping_evidence(session)
        self.post_message(StoppingEvidenceReady(evidence, epoch, computed=True))

    @on(StoppingEvidenceReady)
    def _stopping_evidence_ready(self, message: StoppingEvidenceReady) -> None:
        self._checking = False
        project = self.project
        if project is None:
            return
        if project.session.apply_stopping_evidence(message.evidence, message.epoch):
            project.retrainer.evidence = message.evidence  # the retrain worker's stored queue carries it
        self.show_verdict()  # with it (or, if the decisions moved meanwhile, with the check due now)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-verdict")
    def show_verdict(self) -> None:
        """The counts shown with the session's verdict as it is now (no recount: the check changed the verdict
        only)."""
        project, shown = self.project, self.data
        assert project is not None
        if shown is None:
            return
        data = replace(shown, progress=project.session.progress(),
                       evidence_due=project.session.stopping_evidence_due())
        if not get_current_worker().is_cancelled:
            self.post_message(DashboardLoaded(data))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "dashboard-evidence" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            event.prevent_default()  # the verdict shown stands, said so: a fit that fails again needs no loop
            self._checking = False
            if event.state == WorkerState.ERROR and event.worker.error is not None:
                self.notify(first_line(event.worker.error), title="Stopping evidence failed", severity="warning",
                            timeout=8)
            if self.data is not None:  # the panel no longer says the check is being made
                self.post_message(DashboardLoaded(self.data))
        # (any other: ProjectScreen's handler, which Textual runs after this one)

    def action_toggle_stopping_rule(self) -> None:
        project = self.project
        if project is None:
            return
        choice = "certified" if project.session.stopping_rule == "recommended" else "recommended"
        try:
            project.session.set_stopping_rule(choice)
        except (OSError, ReviewError) as err:
            self.notify(str(err), title="Stopping rule", severity="error")
            return
        self.notify(RULE_WORDS[choice], title="Stopping rule")
        if not self.app.settings_written({"screening.stopping_rule": choice}):  # type: ignore[attr-defined]
            self.action_refresh()  # (a follow started resumes this screen, which counts: once)

    def action_run(self, key: str) -> None:
        action, project = next(a for a in ACTIONS if a.key == key), self.project
        if project is None:
            refuse_key(self, STILL_OPENING)
            return
        if project.blind and action.refused_blind:
            refuse_key(self, action.refused_blind)
            return
        if group_running(self, "pipeline"):  # (they would run side by side)
            self.notify(f"{action.label} not started: the action below is still running", title=action.label,
                        severity="warning")
            return
        self.query_one("#job", Static).update(Text(f"{action.label}: running…", style="bold"))
        self.run_pipeline(key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pipeline")
    def run_pipeline(self, key: str) -> None:
        action = next(a for a in ACTIONS if a.key == key)
        project = self.project
        assert project is not None

        def say(line: str) -> None:
            self.post_message(JobProgress(f"{action.label}: {line}"))

        try:
            summary = action.run(project.workspace, project.reviewer, say)
            project.refresh()  # new records and duplicates join the screening queue
        finally:
            self.post_message(JobProgress(""))  # (the same queue as the progress: never overwritten by it)
        self.app.call_from_thread(self.notify, summary, title=action.label)
        self.app.call_from_thread(self.action_refresh)

    def action_import_file(self) -> None:
        """Ask for a file and a source name, then import it in the background (``run_import_file``)."""
        project = self.project
        if project is None:
            refuse_key(self, STILL_OPENING)
            return
        if group_running(self, "pipeline"):  # (one action at a time: an import beside a dedup would race it)
            self.notify("Import not started: the action below is still running", title="Import", severity="warning")
            return
        self.app.push_screen(ImportScreen(start_folder_note(project.workspace)), self._import_asked)

    def _import_asked(self, request: ImportRequest | None) -> None:
        if request is None or self.project is None:
            return
        if group_running(self, "pipeline"):  # (started while the dialog was open: a search, a dedup)
            self.notify("Import not started: the action below is still running", title="Import", severity="warning")
            return
        self.query_one("#job", Static).update(Text("Import: reading the file…", style="bold"))
        self.run_import_file(request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pipeline")
    def run_import_file(self, request: ImportRequest) -> None:
        """``review import FILE [--source NAME]`` through the sources service; a refused file is one error line
        (``ProjectScreen`` reports the worker's error) and nothing of it is stored."""
        project = self.project
        assert project is not None
        worker = get_current_worker()

        def say(line: str) -> None:
            # Told after each slice parsed and once more before the store is written: quitting meanwhile stops the
            # import there, nothing of the file stored (a thread is not stopped: the process waited for a
            # 50,000-record import to end, 19 s, after its window closed).
            if worker.is_cancelled:
                raise ImportStopped(f"{request.path}: import stopped before anything was stored")
            self.post_message(JobProgress(f"Import: {line}"))

        try:
            summary = run_import(project.workspace, import_path(project.workspace, request.path), request.source, say)
            project.refresh()  # the new records join the screening queue
        finally:
            self.post_message(JobProgress(""))
        severity = "warning" if summary.warnings or summary.skipped else "information"
        self.app.call_from_thread(self.notify, summary.text, title="Import", severity=severity, timeout=12)
        self.app.call_from_thread(self.action_refresh)

    @on(JobProgress)
    def _job_progress(self, message: JobProgress) -> None:
        self.query_one("#job", Static).update(Text(message.line, style="bold") if message.line else "")
