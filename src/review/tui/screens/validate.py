"""Validate: the analyses of ``validate/analyses.toml``, each run in a worker, its report shown here.

The same service the CLI's ``review validate run`` uses: results (JSON, figures) are written
to ``results/`` beside each data file. Without a plan the screen says how to get one, and ``w``
writes the synthetic demo data and its plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Label, ListItem, ListView, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...errors import ReviewError, first_line
from ...services.validate import PLAN_FILE, VALIDATE_DIR, AnalysisCancelled, planned_analyses, run_planned, write_demo
from ..read_only import action_state
from .base import group_running, refuse_key, screen_footer


class AnalysisFinished(Message):
    """A worker finished one analysis: its report lines and the files it wrote. ``run`` numbers the request."""

    def __init__(self, run: int, name: str, lines: list[str], written: list[Path], warnings: list[str]) -> None:
        super().__init__()
        self.run = run
        self.name = name
        self.lines = lines
        self.written = written
        self.warnings = warnings


class AnalysisFailed(Message):
    """A worker's analysis stopped: the one-line error, and whether it was unexpected (a bug, not bad input).
    ``run`` numbers the request."""

    def __init__(self, run: int, name: str, error: str, *, unexpected: bool = False) -> None:
        super().__init__()
        self.run = run
        self.name = name
        self.error = error
        self.unexpected = unexpected


class ValidateScreen(Screen[None]):
    """Planned analyses on the left, the selected one's report on the right."""

    CSS_PATH = "validate.tcss"
    #: Below 140 columns the list sits above the report, which then has the full width.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    HELP = ("The analyses of `validate/analyses.toml` (own data, content validity, Delphi rounds, pilot "
            "agreement, usability, predictive check, survival). Select one and press **enter** (or **r**) to "
            "run it: the report appears beside or below the list (wide tables scroll sideways) and the JSON "
            "(and a figure for survival and predictive checks) is written to `results/` beside the data file. "
            "**ctrl+r** re-reads the plan; **w** writes the SYNTHETIC demo data and plan when the workspace "
            "has none. The CLI runs the same analyses: `review validate run`.")
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"run", "write_demo"})
    BINDINGS = [
        Binding("r", "run", "Run", id="validate.run", tooltip="Run the selected analysis"),
        Binding("ctrl+r", "reload", "Reload plan", id="validate.reload", tooltip="Re-read validate/analyses.toml"),
        Binding("w", "write_demo", "Demo data", id="validate.demo",
                tooltip="Write the synthetic demo data and plan (only when there is no plan)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.planned: list[object] = []
        #: The number of the analysis run last asked for; only its result may fill the report.
        self.last_run = 0

    @property
    def workspace(self):  # type: ignore[no-untyped-def]
        return self.app.workspace  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="validate-main"):
            with Vertical(id="analysis-pane"):
                yield Label("Analyses", classes="pane-title")
                yield ListView(id="analysis-list")
            with Vertical(id="report-pane"):
                yield Static("", id="validate-status", markup=False)
                with ScrollableContainer(id="report-scroll"):
                    yield Static("", id="validate-report", markup=False)
        yield screen_footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action_state(self, action)  # (a key that records: dimmed in a read-only window)

    def on_mount(self) -> None:
        self.action_reload()

    def _status(self, text: str) -> None:
        self.query_one("#validate-status", Static).update(text)

    def action_reload(self) -> None:
        listing = self.query_one("#analysis-list", ListView)
        listing.clear()
        self.planned = []
        plan = self.workspace.root / VALIDATE_DIR / PLAN_FILE
        if not plan.is_file():
            self._status(f"No analysis plan: {plan.relative_to(self.workspace.root)}. Press w for synthetic demo "
                         "data, or write the plan (docs/validate.md).")
            return
        try:
            self.planned = list(planned_analyses(self.workspace, plan))
        except ReviewError as err:
            self._status(str(err))
            return
        for item in self.planned:
            listing.append(ListItem(Label(f"{item.name}  [{item.kind}]", markup=False)))  # type: ignore[attr-defined]
        listing.index = 0
        self._status(f"{len(self.planned)} analyses in {plan.relative_to(self.workspace.root)}; enter runs one")

    @on(ListView.Selected, "#analysis-list")
    async def _selected(self) -> None:
        # As the key r: through ReviewApp.run_action, which refuses a run in a read-only window (enter or a
        # click on the list ran it past that check, its files written to results/).
        await self.run_action("run")

    def action_run(self) -> None:
        index = self.query_one("#analysis-list", ListView).index
        if index is None or not self.planned:
            # (r did nothing without a word: the status line above says why, but a key pressed looks broken)
            refuse_key(self, "No analysis to run: validate/analyses.toml is missing or lists none (w writes "
                             "synthetic demo data and a plan).")
            return
        item = self.planned[index]
        self._status(f"running {item.name} ...")  # type: ignore[attr-defined]
        self.last_run += 1
        self.run_analysis(self.last_run, item)

    @work(thread=True, exclusive=True, exit_on_error=False, group="validate")
    def run_analysis(self, run: int, item: object) -> None:
        """Run one planned analysis off the UI thread; the result comes back as a message numbered ``run``.
        A newer run cancels this worker (exclusive): a thread cannot be stopped, so the service asks between
        its steps and writes nothing once cancelled (its files would replace the newer run's, or stand in
        ``results/`` for a report nobody saw); what it posts before that the handlers tell apart by ``run``."""
        worker = get_current_worker()
        try:
            analysis = run_planned(item, workspace=self.workspace,  # type: ignore[arg-type]
                                   cancelled=lambda: worker.is_cancelled)
        except AnalysisCancelled:
            return  # (superseded: the run asked for last fills the report)
        except ReviewError as err:
            self.post_message(AnalysisFailed(run, item.name, str(err)))  # type: ignore[attr-defined]
            return
        except Exception as err:
            # A bug, not bad input: said here, under this worker's analysis. The worker's ERROR state names no
            # analysis, and a run started meanwhile cancels this worker (exclusive), which would drop the error.
            said = f"{type(err).__name__}: {first_line(err)}"
            self.post_message(AnalysisFailed(run, item.name, said, unexpected=True))  # type: ignore[attr-defined]
            return
        self.post_message(AnalysisFinished(run, item.name, analysis.lines,  # type: ignore[attr-defined]
                                           analysis.written, analysis.warnings))

    @on(AnalysisFinished)
    def _finished(self, message: AnalysisFinished) -> None:
        # Whichever run is shown, under the analysis's name: they are about the files it read (a reader's warning: a
        # last row read without its line break, cp1252) or wrote ('Client data' headed them all, read as privacy).
        for warning in message.warnings:
            self.notify(warning, title=message.name, severity="warning", timeout=10)
        if message.run != self.last_run:
            return  # an earlier request's: the report and the status line belong to the one asked for last
        lines = [*message.lines, "", *(f"wrote {p}" for p in message.written)]
        self.query_one("#validate-report", Static).update("\n".join(lines))
        self._status(f"{message.name}: done")

    @on(AnalysisFailed)
    def _failed(self, message: AnalysisFailed) -> None:
        if message.run != self.last_run:  # an earlier request's: said under its name, the report left alone
            cause = "an unexpected error" if message.unexpected else "bad input"
            self.notify(f"{message.name}: stopped on {cause}: {message.error}", title="Validate",
                        severity="error", timeout=8)
            return
        self.query_one("#validate-report", Static).update(message.error)
        cause = f"an unexpected error ({message.error})" if message.unexpected else "bad input"
        self._status(f"{message.name}: stopped on {cause}")
        self.notify(message.error, title="Validate", severity="error", timeout=8)

    def action_write_demo(self) -> None:
        folder = self.workspace.root / VALIDATE_DIR
        if (folder / PLAN_FILE).exists():
            self.notify("validate/analyses.toml exists; demo data not written", title="Validate")
            return
        if group_running(self, "validate-demo"):
            self.notify("The demo data are still being written", title="Validate", timeout=3)
            return
        self._status("writing the SYNTHETIC demo data and plan ...")
        self.write_demo_data(folder)

    @work(thread=True, exit_on_error=False, group="validate-demo")
    def write_demo_data(self, folder: Path) -> None:
        """Write the demo data sets and plan off the UI thread; a failure (an unwritable folder, a full disk)
        is one notification, where on the UI thread it ended the app."""
        try:
            write_demo(folder)
        except (ReviewError, OSError) as err:
            self.app.call_from_thread(self._demo_failed, err)
            return
        self.app.call_from_thread(self.action_reload)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The demo writer failing on what its code does not expect (a bug, not bad input) ends its "writing ..."
        line too, with one notification: the event does not reach the app's own report. (An analysis's worker
        says its own unexpected errors, with its analysis's name: ``AnalysisFailed``.)"""
        error = event.worker.error
        if event.state != WorkerState.ERROR or event.worker.node is not self or error is None:
            return
        if event.worker.group == "validate-demo":
            self._demo_failed(error)

    def _demo_failed(self, error: BaseException) -> None:
        self.action_reload()  # (the status says again what there is)
        self.notify(f"demo data not written: {first_line(error)}", title="Validate", severity="error", timeout=8)
