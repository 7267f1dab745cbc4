"""The dashboard's background jobs: the pipeline actions (search, dedup, export) and the import of a file (``f``),
one at a time in the ``pipeline`` worker group, where they are in the line above the footer (``#job``)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.widgets import Static
from textual.worker import get_current_worker

from ..actions import ACTIONS, import_path, run_import, start_folder_note
from ..messages import Loaded
from .base import STILL_OPENING, ProjectScreen, group_running, refuse_key
from .import_file import ImportRequest, ImportScreen


class ImportStopped(Exception):
    """The import's worker was cancelled (the app quits) before the file was stored."""


class JobProgress(Loaded):
    """Where a pipeline action is (the newest replaces any still queued); '' when it is over."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class PipelineJobs(ProjectScreen):
    """The dashboard's actions that run in the background and say where they are in its ``#job`` line; a job that
    ends recounts (``action_refresh``, the dashboard's)."""

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

    def action_refresh(self, unless_unchanged: bool = False) -> None:
        """Count again once a job has changed the store (the dashboard's own)."""
        raise NotImplementedError
