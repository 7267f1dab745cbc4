"""The Textual app: seven screens as modes, one project loaded in a worker after first paint."""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Callable
from contextlib import suppress
from time import monotonic
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.reactive import reactive
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from .plain_app import PlainNotifyApp
from ..errors import ReviewError
from ..tomlread import SettingProblem, toml_key
from ..workspace import Workspace
from .messages import HeapSettled, ProjectLoaded
from .project import Project, open_project, tui_settings
from .read_only import HEADER_WORDS, opened_words, refusal_words, writes
from .screens.base import STILL_OPENING, ProjectScreen, error_line, refuse_key, report_worker_error
from .settings import SettingsChange, SettingsWatcher, checked_line
from .startup import START_SCREENS, freeze_and_collect, pause_collection, resume_collection

if TYPE_CHECKING:
    from collections.abc import Mapping

    from textual.actions import ActionParseResult
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.timer import Timer

    from .screens.help import HelpScreens

#: Imported in the loader worker after the first record, before the heap is frozen: see
#: ``ReviewApp.load_project``. The default SVM's solver (``svm_newton``) is imported only when it
#: fits, so it is named here or the first retrain would wait for it; scikit-learn (over a second)
#: loads only for a model that needs it (logistic, svm-liblinear, ensemble).
MODEL_MODULES: tuple[str, ...] = ("review.screening.ranker", "review.screening.svm_newton", "scipy.special")

#: Each screen's class as (module under ``review.tui.screens``, class name), by mode name in
#: the order of the number keys. A screen's module is imported when its mode is first shown,
#: so the first frame waits only for the start screen's; the loader worker imports the rest
#: (and the help modal) after the first record.
SCREEN_CLASSES: dict[str, tuple[str, str]] = {
    "dashboard": ("dashboard", "DashboardScreen"),
    "screening": ("screening", "ScreeningScreen"),
    "dedup": ("dedup", "DedupScreen"),
    "conflicts": ("conflicts", "ConflictsScreen"),
    "browser": ("browser", "BrowserScreen"),
    "fulltext": ("fulltext", "FulltextScreen"),
    "extraction": ("extraction", "ExtractionScreen"),
    "validate": ("validate", "ValidateScreen"),
}

#: Start screens by name, in the order of the number keys (the CLI's ``--start`` choices).
SCREENS: tuple[str, ...] = START_SCREENS
assert SCREENS == tuple(SCREEN_CLASSES), "every start screen needs its class, in key order"

#: Longest the model imports wait for the start screen to show its data (seconds).
START_SCREEN_WAIT = 10.0

#: Screens that save no decision under the reviewer's own name on opening (the dashboard and validation
#: decide nothing; the conflicts screen saves resolutions as ``consensus`` but notes the resolver in
#: ``resolved_by``, so it warns on its first resolution saved): a name outside review.toml's team is
#: warned about on the first other screen, before anything is saved under it.
NAMELESS_MODES = frozenset({"dashboard", "conflicts", "validate"})

#: The help modal's module (it brings the Markdown widget): also imported after the first record.
HELP_MODULE = f"{__package__}.screens.help"


def screen_class(mode: str) -> type[Screen]:
    """The screen class of ``mode``, importing its module on first use."""
    module, name = SCREEN_CLASSES[mode]
    return getattr(importlib.import_module(f"{__package__}.screens.{module}"), name)


def _screen_factory(mode: str) -> Callable[[], Screen]:
    """What ``App.MODES`` calls the first time ``mode`` is shown."""

    def make() -> Screen:
        screen = screen_class(mode)()
        # Styled from the stylesheet in use as Textual registers it (every stylesheet is read at start: CSS_PATH),
        # so it is as current as the app's CSS. Textual counts a new screen as stale (-1) and parsed every
        # stylesheet again twice per first visit (its _init_mode and switch_mode), ~30 ms, and once more on
        # the next visit of the screen last built.
        screen._css_update_count = screen.app._css_update_count
        return screen

    make.__name__ = make.__qualname__ = f"make_{mode}_screen"
    return make


def warm_up_modules(start_screen: str) -> tuple[str, ...]:
    """Modules the loader worker imports once the first record shows: the model code first
    (the first retrain waits for it), then the other screens and the help modal, so that
    switching screens later never waits for an import and the frozen heap holds them too."""
    others = tuple(f"{__package__}.screens.{module}" for mode, (module, _) in SCREEN_CLASSES.items()
                   if mode != start_screen)
    return MODEL_MODULES + others + (HELP_MODULE,)


#: Enter as a terminal sends it (Textual's names): a yes/no question's own default answer (``confirm.enter``).
ENTER_KEYS = frozenset({"enter", "ctrl+m"})


def user_keymap(workspace: Workspace) -> dict[str, str]:
    """``[tui.keys]`` of review.toml: binding id -> key(s), e.g. ``"screening.include" = "y"``.

    Enter is refused for ``confirm.yes``: it is each question's default answer (``confirm.enter``), no in the
    quit question, where an Enter meant for the note box just closed must not quit and lose the notes."""
    keys = workspace.config.section("tui").get("keys", {})
    if not isinstance(keys, dict):
        raise workspace.located(SettingProblem("tui.keys", "[tui.keys] must map binding ids to key names"))
    for binding, key in keys.items():
        if not isinstance(key, str):
            raise workspace.located(SettingProblem(f"tui.keys.{toml_key(binding)}", f"{key!r}: expected key names in quotes, "
                                                                          "e.g. \"y\" or \"y,ctrl+y\""))
    yes = keys.get("confirm.yes", "")
    if any(key.strip().lower() in ENTER_KEYS for key in yes.split(",")):  # (json.dumps: the value as TOML writes it)
        raise workspace.located(SettingProblem(
            f"tui.keys.{toml_key('confirm.yes')}", f"{json.dumps(yes)}: Enter answers each question by default (confirm.enter: no "
                                    "when quitting loses notes), it cannot be a yes key"))
    return {str(k): v for k, v in keys.items()}


def header_line(title: str, reviewer: str, read_only: bool = False) -> str:
    """The header's line after "review —": the reviewer first, so that a long review title cut at 80 columns
    never cuts the name decisions are saved under (it read "… common menta…" without it); then, in a window
    that cannot record, that it is read-only."""
    return f"{reviewer} · {HEADER_WORDS} · {title}" if read_only else f"{reviewer} · {title}"


#: The time waited in the store's wait line ("waited 60 s so far"), which the loading line counts on each second.
WAITED_SO_FAR = re.compile(r"waited \d+ s so far")


class ReviewApp(PlainNotifyApp):
    """`review` in the terminal."""

    #: Every stylesheet of the app's screens and dialogs, read (and parsed once) as the app starts: a screen's
    #: own CSS_PATH read at its first visit made Textual parse every stylesheet again, widgets' too (~15 ms
    #: of each first visit and first dialog). The screens keep their CSS_PATH (then already read).
    CSS_PATH = ["global.tcss", *(f"screens/{name}.tcss" for name in (*(module for module, _ in SCREEN_CLASSES.values()),
                                                                     "modals", "help"))]
    TITLE = "review"
    MODES = {mode: _screen_factory(mode) for mode in SCREENS}
    BINDINGS = [
        Binding("1", "switch_mode('dashboard')", "Dashboard", show=False, id="app.dashboard",
                tooltip="Stage counts, stopping rule, actions"),
        Binding("2", "switch_mode('screening')", "Screen", show=False, id="app.screening",
                tooltip="Title/abstract screening, one record at a time"),
        Binding("3", "switch_mode('dedup')", "Dedup", show=False, id="app.dedup",
                tooltip="Borderline duplicate pairs"),
        Binding("4", "switch_mode('conflicts')", "Conflicts", show=False, id="app.conflicts",
                tooltip="Disagreements between reviewers and agreement statistics"),
        Binding("5", "switch_mode('browser')", "Records", show=False, id="app.browser",
                tooltip="Browse, filter and re-decide records"),
        Binding("6", "switch_mode('fulltext')", "Full text", show=False, id="app.fulltext",
                tooltip="Full-text retrieval and eligibility"),
        Binding("7", "switch_mode('extraction')", "Extraction", show=False, id="app.extraction",
                tooltip="Study extraction forms (extraction/studies/<id>.toml)"),
        Binding("8", "switch_mode('validate')", "Validate", show=False, id="app.validate",
                tooltip="Own data, content validity, pilot agreement, evaluation (validate/analyses.toml)"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help",
                tooltip="Keys of this screen"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit (every decision is already saved)"),
    ]

    project: reactive[Project | None] = reactive(None)
    """The open workspace; None until the loader worker finishes."""

    def __init__(self, workspace: Workspace, reviewer: str, *, start_screen: str = "dashboard",
                 blind: bool | None = None) -> None:
        super().__init__()
        if start_screen not in SCREENS:
            raise ReviewError(f"start screen {start_screen!r}: expected one of {', '.join(SCREENS)}")
        self.workspace = workspace
        self.reviewer = reviewer
        self.start_screen = start_screen
        self.blind_option = blind
        self.sub_title = header_line(workspace.config.title, reviewer)
        tui_settings(workspace)  # a bad [tui] value is one line before anything starts (the loader reads them again)
        self.set_keymap(user_keymap(workspace))
        self.settings = SettingsWatcher(workspace)
        # A broken edit a worker read first is said at once, not at the next focus or screen switch (the CLI's
        # stderr line, set when the command opened the workspace, would land under the UI).
        workspace.on_config_error = self._config_kept
        self._start_screen_shown = threading.Event()
        #: A mode switch waits for the settings follow: the screen it shows resumes by itself.
        self._switching_mode = False
        #: The warning for a name outside review.toml's team, until it is shown (``_warn_outside_team``).
        self._team_warning: str | None = None
        self._help_screens: HelpScreens | None = None  # (its module loads after the first record)
        #: Follows of an edited review.toml so far (each ends in the screen in view resuming).
        self.settings_follows = 0
        self._asking_to_quit = False  # the quit question (notes waiting) is on screen
        #: Opening the store waits for another review's schema upgrade: what it waits for, and since when.
        self._store_wait: tuple[str, float] | None = None
        self._store_wait_timer: Timer | None = None
        #: Why the workspace could not be opened ("": it opened, or is still opening).
        self._open_error = ""

    def on_mount(self) -> None:
        # No automatic collections while the app starts and the model code is imported: a
        # full collection over scikit-learn's objects stops the UI thread for 150-200 ms.
        pause_collection()
        self.switch_mode(self.start_screen)
        # The loader starts after the first frame: its imports (SQLAlchemy alone 0.3 s) would
        # take half of the GIL from the thread painting it.
        self.call_after_refresh(self._start_loading)

    def _start_loading(self) -> None:
        self.load_project()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load_project(self) -> None:
        """Open store, session and criteria off the UI thread (the screen paints first).

        Then, while the reviewer reads the first record, import the model code, so that
        ``HeapSettled`` can freeze everything imported so far out of the collector's reach.
        """
        from textual.worker import get_current_worker

        from ..services.workspace import store_waits_through

        worker = get_current_worker()  # (cancelled when the app exits: a wait for another review's upgrade stops)
        try:
            try:
                with store_waits_through(lambda text: self.call_from_thread(self._say_store_wait, text),
                                         lambda: worker.is_cancelled):
                    project = open_project(self.workspace, self.reviewer, blind=self.blind_option)
            except ReviewError as err:
                # A second window of this reviewer, or a workspace whose store is not there (nothing to show, and
                # none is made in its place): say why and leave.
                if err.title in ("Session", "Store missing"):
                    self.call_from_thread(self.exit, return_code=err.exit_code, message=f"review: {err}")
                    return
                if not worker.is_cancelled:
                    self.call_from_thread(self._open_failed, err)
                raise
            except Exception as err:  # (a lost server, a bug: the screens said "Loading…" for ever)
                if not worker.is_cancelled:
                    self.call_from_thread(self._open_failed, err)
                raise
            self.post_message(ProjectLoaded(project))
            # Likewise the model code (over a second of imports) waits until the start screen
            # shows what it loads for the project (the first record).
            self._start_screen_shown.wait(START_SCREEN_WAIT)
            for module in warm_up_modules(self.start_screen):
                if worker.is_cancelled:  # the app is ending: its exit joins this thread (q in the first seconds)
                    break
                importlib.import_module(module)
        finally:
            self.post_message(HeapSettled())

    def _say_store_wait(self, text: str) -> None:
        """Opening the store waits for another review's schema upgrade (up to 10 minutes): said once as a
        notification, and on the loading line of every screen shown meanwhile with the seconds waited, each
        second (stderr is hidden while the app runs; a notification alone was gone after 30 s, and the
        screening screen's one-line counts cut the line before its bound and how to quit)."""
        # An upgrade of several steps may make the opening wait more than once: the seconds count from the first
        # wait, and one timer ticks (a second one ran for the app's life, the first never stopped).
        since = self._store_wait[1] if self._store_wait is not None else monotonic()
        shown = text.replace("; Ctrl-C stops waiting", "")
        # The store says the wait again each minute with the time waited: the loading line counts that itself, so
        # only a new wait (another step) is a new notification.
        new = self._store_wait is None or WAITED_SO_FAR.sub("", self._store_wait[0]) != WAITED_SO_FAR.sub("", shown)
        self._store_wait = (shown, since)
        if new:
            self.notify(text.replace("Ctrl-C stops waiting", f"{self._quit_keys()} quits"), title="Waiting",
                        severity="warning", timeout=30)
        self._show_loading()
        if self._store_wait_timer is None:
            self._store_wait_timer = self.set_interval(1.0, self._show_loading)

    def _open_failed(self, error: Exception) -> None:
        """The workspace could not be opened (a wait for the store past its bound, a busy or newer store): the
        screens say so where they said "Loading…", with what to do, not only in a notification that goes."""
        self._open_error = f"Not opened: {error_line(self, error)}"
        self._show_loading()

    def loading_words(self) -> str:
        """What a screen says while the project is not there ("": it is loading as usual)."""
        if self.project is not None:
            return ""
        quits = f"{self._quit_keys()} quits"
        if self._open_error:
            return f"{self._open_error.rstrip('.')}. {quits}."
        if self._store_wait is not None:
            text, since = self._store_wait
            waited = f"waited {monotonic() - since:.0f} s"
            counted, found = WAITED_SO_FAR.subn(f"{waited} so far", text)  # (the store's seconds, ticking on here)
            return f"Loading… {counted if found else f'{text}; {waited}'}; {quits}."
        return ""

    def _show_loading(self) -> None:
        """The screen in view says ``loading_words`` (each second while the store is waited for)."""
        words = self.loading_words()
        if not words or self._open_error:
            if self._store_wait_timer is not None:
                self._store_wait_timer.stop()
                self._store_wait_timer = None
        screen = self.screen
        if words and isinstance(screen, ProjectScreen):
            screen.show_loading(words)

    def _quit_keys(self) -> str:
        """The key(s) that quit, as bound now (``[tui.keys]`` may remap ``app.quit``)."""
        keys = [key for key, active in self.screen.active_bindings.items() if active.binding.id == "app.quit"]
        return " / ".join(keys) or "q"

    @on(ProjectLoaded)
    def _project_loaded(self, message: ProjectLoaded) -> None:
        self.project = message.project  # the screens' watchers start their loading workers now
        self._show_loading()  # (a wait for the store is over)
        from ..services.screening import check_reviewer_name, heartbeat_interval, reviewer_outside_team  # (the store is loaded by now)

        if message.project.read_only:  # (no claim to keep alive)
            self.sub_title = self._header()
            self.screen.refresh_bindings()  # its keys that record, dimmed (a screen shown later draws them so)
            self.notify(opened_words(message.project.read_only), title="Read-only", severity="warning", timeout=30)
        else:
            self.set_interval(heartbeat_interval(), self._heartbeat)
        # the command line's warning went to stderr under the app's screen: said where the reviewer reads
        if unread := self.workspace.setting_warnings():
            self.notify("\n".join(unread), title="Settings", severity="warning", timeout=15)
        # a name refused for new reviewers since 2026-12-06 that opened because it holds decisions: said once
        legacy = check_reviewer_name(self.reviewer, "reviewer", self.workspace)
        if legacy is not None:
            self.notify(legacy.removeprefix("warning: "), title="Reviewer", severity="warning", timeout=15)
        self._team_warning = reviewer_outside_team(self.workspace, self.reviewer)
        self._warn_outside_team(self.current_mode)
        self._await_start_screen([w for w in self.workers if w.group != "load" and not w.is_finished])

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings-open")
    def _say_refused_settings(self) -> None:
        """Each review.toml value a stage's command would refuse, said once the start screen shows what it loads, as
        ``review status`` says it (``refused_settings``): a bad ``[synthesis]`` value already there went unsaid until
        ``review synthesis`` refused it, where one edited in meanwhile is said at once (``_check_stage_settings``)."""
        from ..services.workspace import refused_settings

        if refused := refused_settings(self.workspace):
            self.call_from_thread(self.notify, "; ".join(refused), title="Settings", severity="error", timeout=10)

    def _await_start_screen(self, loading: list[Worker]) -> None:
        """Release the loader's model imports once ``loading`` are done and a frame has shown them."""
        loading = [worker for worker in loading if not worker.is_finished]
        if loading:
            self.set_timer(0.01, lambda: self._await_start_screen(loading))
        else:
            self.call_after_refresh(self._start_screen_shown.set)
            # (not before: its imports, 0.1-0.2 s, would share the GIL with the start screen's loading)
            self._say_refused_settings()

    @on(HeapSettled)
    def _heap_settled(self) -> None:
        """Freeze the start-up heap (imports, project) and collect again as usual."""
        freeze_and_collect()

    @work(thread=True, exclusive=True, exit_on_error=False, group="heartbeat")
    def _heartbeat(self) -> None:
        """Keep this window's claim on the reviewer alive (a write of one row)."""
        project = self.project
        if project is not None and not project.heartbeat():
            self.call_from_thread(
                self.notify, "Another session took over this reviewer; decisions here are no longer saved.",
                title="Session", severity="error", timeout=30)

    def on_unmount(self) -> None:
        self._start_screen_shown.set()  # (a loader still waiting has nothing to wait for)
        resume_collection()
        if self.project is not None:
            # Nothing can be shown any more. A busy or migrated store refusing these writes loses nothing
            # confirmed: the queue is ranked again at the next open, and an unreleased claim lapses once
            # its heartbeat stops. The retrainer is closed whatever happens.
            try:
                with suppress(ReviewError):
                    self.project.session.save_ranking()  # the newest queue, if a retrain only logged it
            finally:
                self.project.retrainer.close()
            with suppress(ReviewError):
                self.project.release()

    def _header(self) -> str:
        return header_line(self.workspace.config.title, self.reviewer,
                           read_only=self.project is not None and bool(self.project.read_only))

    async def run_action(self, action: str | ActionParseResult, default_namespace: DOMNode | None = None,
                         namespaces: Mapping[str, DOMNode] | None = None) -> bool:
        """Every action a key, a click or a script runs; in a read-only window one that would record is refused
        here in one line (``read_only.writes``), before a dialog opens or a worker starts, and so is one while
        the workspace is still opening (it may open read-only)."""
        project = self.project
        records = (isinstance(action, str) and not namespaces
                   and writes(action, self if default_namespace is None else default_namespace))
        if records and project is not None and project.read_only:
            self.bell()
            self.notify(refusal_words(project.read_only), title="Read-only", severity="warning", timeout=6)
            return True
        if records and project is None and not self._open_error:
            # Still opening: whether the store is read-only is not known yet (a start screen that needs no
            # project, Validate's r, ran before it and wrote results/ in a read-only window).
            refuse_key(self.screen, STILL_OPENING)
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the app's own workers' errors as a notification instead of crashing the app
        (a screen reports its workers': the event does not bubble)."""
        report_worker_error(self, event)

    def reread_settings(self) -> bool:
        """Follow review.toml if it changed since the last look (docs/tui.md); one line says what it
        means. True when settings in use changed (the screen in view then follows once the queue
        has: ``_follow_settings``)."""
        return self._settings_changed(self.settings.check()) is not None

    def _config_kept(self, _error: str) -> None:
        """``workspace.config`` found review.toml unreadable (on any thread): the watcher says it now."""
        self.call_later(self.reread_settings)

    def settings_written(self, written: dict[str, object]) -> bool:
        """The app itself wrote ``written`` (``table.key`` -> value) to review.toml and follows it:
        the watcher takes the file as read, so an edit back later is compared with what is in use.
        True when the screen in view follows (then it loads again by itself)."""
        return self._settings_changed(self.settings.app_wrote(written)) is not None

    def _settings_changed(self, change: SettingsChange) -> Worker[None] | None:
        """Say what a change means; the follow it started (the screen in view resumes at its end)."""
        follow = None
        if change.changed:
            self.sub_title = self._header()
            try:
                self.set_keymap(user_keymap(self.workspace))
            except ReviewError as err:
                self.notify(f"{err}; keeping the keys as they were", title="Settings", severity="error", timeout=10)
                change = change.without("tui.keys")
            if self.project is not None:
                follow = self._follow_settings()
        if message := change.message():
            self.notify(message, title="Settings", severity="error" if change.error else "information",
                        timeout=10 if change.error or change.at_next_start else 5)
        if change.checking:
            self._check_stage_settings(change)
        return follow

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings-check")
    def _check_stage_settings(self, change: SettingsChange) -> None:
        """Edited settings of a table only its command reads ([synthesis], [dedup], [pubmed], …), checked as that
        command checks them (``checked_line``): a value it refuses is one line naming the key's line at once, not
        "in use now" until the command runs."""
        line, refused = checked_line(self.workspace, change)
        if line:
            self.call_from_thread(self.notify, line, title="Settings", severity="error" if refused else "information",
                                  timeout=10 if refused else 5)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def _follow_settings(self) -> None:
        """Once for the whole app: the queue follows ``[prisma.sources]`` (what is screened), then the
        screen in view shows it as if the reviewer came back to it. A screen under a modal or in
        another mode follows when it shows again (its own ``on_screen_resume``)."""
        project = self.project
        assert project is not None
        try:
            project.refresh_set_aside()
        finally:  # (a busy store: its error is one notification, and the screen still counts what it can)
            self.call_from_thread(self._screen_follows_settings)

    def _screen_follows_settings(self) -> None:
        self.settings_follows += 1  # (a screen under a modal loads again when shown: ``back_from_own_modal``)
        if self._switching_mode:  # the screen switched to resumes (and loads) once, after the follow
            return
        screen = self.screen  # (a modal on top: the screen below resumes when it closes)
        resume = getattr(screen, "on_screen_resume", None) if isinstance(screen, ProjectScreen) else None
        if callable(resume):
            resume()

    def _warn_outside_team(self, mode: str) -> None:
        """A name outside review.toml's team is warned about once, on the first screen that saves work
        under it; the conflicts screen calls ``warn_outside_team`` on its first resolution saved."""
        if mode not in NAMELESS_MODES:
            self.warn_outside_team()

    def warn_outside_team(self) -> None:
        """Show the warning for a name outside review.toml's team, once per session."""
        if self._team_warning:
            self.notify(self._team_warning, title="Reviewer", severity="warning", timeout=15)
            self._team_warning = None

    async def action_switch_mode(self, mode: str) -> None:
        # review.toml before the screen shows (and counts) anything: the queue follows first, then the
        # switch's own resume is the screen's one load (resumed by the follow too, it loaded twice).
        self._switching_mode = mode != self.current_mode  # (to the mode in view: no resume but the follow's)
        try:
            follow = self._settings_changed(self.settings.check())
            if follow is not None:
                with suppress(WorkerFailed, WorkerCancelled):  # (a failure is reported by on_worker_state_changed)
                    await follow.wait()
        finally:
            self._switching_mode = False
        await super().action_switch_mode(mode)
        self._warn_outside_team(mode)

    def on_app_focus(self) -> None:
        """Back from the editor (in terminals that report focus): follow review.toml."""
        self.reread_settings()

    async def action_quit(self) -> None:
        """Quit; first ask when notes typed on the screening screen wait for their records' decisions: a note
        is saved with its decision only, and one waiting out of view was lost without a word."""
        waiting = self.waiting_notes()
        if not waiting:
            self.exit()
            return
        if self._asking_to_quit:  # (q again under the question)
            return
        from .screens.modals import ConfirmScreen

        question = Text()
        question.append("Quit and lose your notes?\n\n", style="bold")
        question.append("A note is saved only with its record's decision; these wait for one:\n")
        for record_id, note in sorted(waiting.items()):
            question.append(f"  #{record_id}: {note}\n")

        def answered(yes: bool | None) -> None:
            self._asking_to_quit = False
            if yes:
                self.exit()

        self._asking_to_quit = True
        self.push_screen(ConfirmScreen(question, enter_answers=False), answered)  # (a yes loses them)

    def waiting_notes(self) -> dict[int, str]:
        """Every screen's notes that wait for a decision (``ProjectScreen.waiting_notes``), by record, and
        the text typed in an open note box and not saved yet (ctrl+q reaches the app from the box)."""
        from .screens.modals import NoteScreen

        waiting: dict[int, str] = {}
        for mode in SCREENS:
            with suppress(KeyError):  # (a mode never shown has no screens)
                for screen in self.get_screen_stack(mode):
                    if isinstance(screen, ProjectScreen):
                        waiting.update(screen.waiting_notes())
                    elif isinstance(screen, NoteScreen) and screen.record_id is not None and (typed := screen.unsaved()):
                        waiting[screen.record_id] = f"{typed} (typed, not saved)"
        return waiting

    def action_help(self) -> None:
        from .screens.help import HelpScreen, HelpScreens

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        if self._help_screens is None:
            self._help_screens = HelpScreens(self)
        self.push_screen(self._help_screens.for_screen(screen))


def make_app(workspace: Workspace, reviewer: str, start_screen: str = "dashboard", *,
             blind: bool | None = None) -> ReviewApp:
    """The app factory the CLI, the tests and the benchmark share."""
    return ReviewApp(workspace, reviewer, start_screen=start_screen, blind=blind)
