"""Dashboard: stage counts, the stopping rule, the inclusions curve and pipeline actions.

The Pipeline panel's counts and table are in ``dashboard_stages``; the actions that run in the background (search,
dedup, export, the import of a file) in ``dashboard_jobs``."""

from __future__ import annotations

from dataclasses import replace
from time import monotonic
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...errors import ReviewError, first_line
from ...services.screening import STOPPING_RULE_WORDS
from ...services.sources import import_formats, query_files_stamp
from ...services.workspace import data_version
from ...words import recall_estimate
from ..actions import ACTIONS
from ..widgets.curve import CurveView
from .base import group_running, screen_footer
from .dashboard_jobs import PipelineJobs
from .dashboard_stages import DashboardData, DashboardLoaded, gather, stage_table
from .screening import NO_ESTIMATE, StoppingEvidenceReady

#: The two stopping rules in the reviewer's words (services' table, as ``review status --stopping`` names them).
RULE_WORDS = {rule: f"{name}: {does}" for rule, (name, does) in STOPPING_RULE_WORDS.items()}


class DashboardScreen(PipelineJobs):
    """Where the review stands, and what to run next."""

    LOADING_LINE = "stages"

    CSS_PATH = "dashboard.tcss"
    HELP = ("Counts refresh whenever you come back here (and review.toml is read again if you edited it). Actions run in the background; "
            f"their result appears as a notification. **f** imports a file ({import_formats()}), as "
            "`review import FILE` does. **2** opens screening. The stopping rule's panel scrolls "
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
                tooltip=f"Import a file: {import_formats()} (as review import does; in the background)"),
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
    _checking_since: float = 0.0
    """When that check was asked for (``monotonic``): the panel counts the seconds since, each second."""
    _check_clock: Timer | None = None
    """Repaints the stopping rule's panel each second while the check is under way (None: none is)."""

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
        self._paint_stop(data)
        self.query_one("#curve", CurveView).values = tuple(data.curve)
        p = data.progress
        caption = (f"0 → {len(data.curve):,} screened, {int(data.curve[-1]) if data.curve else 0} included"
                   if data.curve else "no records to screen yet" if p.total == 0
                   else "nothing screened yet: press 2")  # (one line at 80x24)
        self.query_one("#curve-caption", Static).update(Text(caption, style="dim"))
        if data.evidence_due and p.total:
            self._check_classifier((p.screened, data.version))

    def _paint_stop(self, data: DashboardData) -> None:
        """The stopping rule's panel: the rule, a screening stop that stands, the verdict and why."""
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

    def _due_words(self, decided: tuple[Any, ...]) -> str:
        """What the panel says of a due check: being made (asked now, or under way), or not made here, once the
        dashboard's check for these decisions failed or came back without an answer the session took (it is not
        asked again until they change: "making it now" stood there with nothing under way, rrev25c)."""
        if self._checking:  # (the seconds: six fits take 20-30 s at 50,000 records, and a still line looked hung)
            return (f"A check of the classifier is due: making it now ({monotonic() - self._checking_since:.0f} s so "
                    "far); the verdict may change.\n")
        if decided != self._checked_for:
            return "A check of the classifier is due: making it now; the verdict may change.\n"
        return ("A check of the classifier is due and was not made here; review status --stopping makes it, and "
                "its verdict may differ.\n")

    def _check_classifier(self, decided: tuple[Any, ...]) -> None:
        """The classifier's check the verdict waits for, once per state of the decisions (``decided``): a check
        under way is not asked again, nor one whose answer the session did not take (no loop of fits)."""
        if decided != self._checked_for and not self._checking and not group_running(self, "dashboard-evidence"):
            self._checked_for = decided
            self._checking_started()
            self.stopping_evidence()

    def _checking_started(self) -> None:
        self._checking, self._checking_since = True, monotonic()
        if self._check_clock is None:
            self._check_clock = self.set_interval(1.0, self._tick_check)

    def _checking_ended(self) -> None:
        self._checking = False
        if self._check_clock is not None:
            self._check_clock.stop()
            self._check_clock = None

    def _tick_check(self) -> None:
        if self._checking and self.data is not None and self.data.evidence_due:
            self._paint_stop(self.data)

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
        self._checking_ended()
        project = self.project
        if project is None:
            return
        if project.session.apply_stopping_evidence(message.evidence, message.epoch):
            project.retrainer.evidence = message.evidence  # the retrain worker's stored queue carries it
            if message.computed and not project.read_only:
                self.keep_check()
        self.show_verdict()  # with it (or, if the decisions moved meanwhile, with the check due now)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-keep")
    def keep_check(self) -> None:
        """The check just taken, kept in the stored queue as ``review status --stopping`` keeps its own (decision
        0075): no retrain follows on the dashboard to carry it, and each opening of the app made it again (six fits,
        25-31 s of CPU at 50,000 records, when the Lomax gate is open). Best effort: a store that cannot be written
        now keeps what it holds; the verdict shown stands."""
        from ...services.screening import keep_stopping_view

        project = self.project
        if project is not None:
            keep_stopping_view(project.session)

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
            self._checking_ended()
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
        said = RULE_WORDS[choice]
        team = list(project.workspace.config.reviewers)  # (review.toml's team: no store read on the UI thread)
        if len(team) > 1:  # (review.toml holds one rule for the review: ben's t changed ann's verdicts too, walk31)
            said += (f". Saved in review.toml: the rule of every reviewer of this review ({', '.join(team)}); a "
                     "window open elsewhere follows it once reopened")
        if project.session.phase == "sample":  # (a reviewer does not leave a sample: its test gives the verdict)
            said += ". Your random sample has begun: its test still gives your verdict"
        self.notify(said, title="Stopping rule", timeout=10)
        if not self.app.settings_written({"screening.stopping_rule": choice}):  # type: ignore[attr-defined]
            self.action_refresh()  # (a follow started resumes this screen, which counts: once)
