"""The base of every screen that shows the app's project (loaded in a worker after first paint)."""

from __future__ import annotations

from collections.abc import Sequence
from time import monotonic
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from textual import on, work
from textual.app import App
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...errors import ReviewError, first_line
from ...tomlread import SettingProblem
from ...services.screening import NotOffered, RemovedMeanwhile, store_errors
from ...services.workspace import record as read_record
from ..messages import RecordRead, SetAsideChanged
from ..project import Project
from ..read_only import action_state
from ..widgets.footer import ReviewFooter

#: Seconds in which the same error is not shown again: a busy store fails the settings follow and
#: then the recount of the screen it resumes, one cause and one notification.
SAME_ERROR_SECONDS = 8.0

#: The note a decision changed in the record browser carries (not typed by the reviewer: an undo on the
#: screening screen does not bring it back as a note).
BROWSER_NOTE = "changed in record browser"

_last_error: WeakKeyDictionary[App[Any], tuple[str, str, float]] = WeakKeyDictionary()


def report_error(node: App[Any] | Screen[Any], error: BaseException, what: str = "") -> None:
    """One notification for ``error`` (a ReviewError's one line and title, another error's first line), unless
    the same one was shown moments ago. ``what``: what failed, said first ("#12 not opened")."""
    title = error.title if isinstance(error, ReviewError) else type(error).__name__
    app = node if isinstance(node, App) else node.app
    words = error_line(app, error)
    said = f"{what}: {words}" if what else words
    now = monotonic()
    last = _last_error.get(app)
    if last is not None and last[:2] == (title, said) and now - last[2] < SAME_ERROR_SECONDS:
        return
    _last_error[app] = (title, said, now)
    node.notify(said, title=title, severity="error", timeout=8)


def error_line(app: App[Any], error: BaseException) -> str:
    """``error`` in one line (``first_line``); a bad review.toml setting with the file's path and the setting's line
    (``Workspace.say``), as the command line words it."""
    workspace = getattr(app, "workspace", None)
    if isinstance(error, SettingProblem) and workspace is not None:
        return " ".join(workspace.say(error).split())
    return first_line(error)


def say_refused(node: Screen[Any], err: NotOffered, then: str = "") -> None:
    """A decision refused on a record the queue leaves out, in the same words on every screen that decides:
    removed in another shell after the screen read the removals (the decision's own transaction saw it) is a
    warning, any other refusal (the record was never offered) an error. ``then``: what the screen does next."""
    if isinstance(err, RemovedMeanwhile):
        said = (f"#{err.record_id} was removed before screening in another shell meanwhile ({err.removal.reason}): "
                "nothing recorded")
        severity: SeverityLevel = "warning"
    else:
        said, severity = str(err), "error"
    node.notify(said + (f"; {then}" if then else ""), severity=severity, timeout=8)


#: What a screen says when a key finds nothing to act on (no project yet: the workspace is still opening).
STILL_OPENING = "The workspace is still opening: try again in a moment."


def refuse_key(node: Screen[Any], why: str) -> None:
    """A key with nothing to act on: the bell, and one short line saying why (a bell alone is silent in many
    terminals and over SSH, and the reviewer took the key for broken). ``STILL_OPENING`` while the opening waits
    or has failed says that instead (``ReviewApp.loading_words``): after "Not opened: …" it said "still opening"."""
    if why == STILL_OPENING:
        loading_words = getattr(node.app, "loading_words", None)
        why = (loading_words() if callable(loading_words) else "") or why
    node.app.bell()
    node.notify(why, title="Nothing done", timeout=4)


def report_worker_error(node: App[Any] | Screen[Any], event: Worker.StateChanged) -> None:
    """A worker that failed becomes one notification (``report_error``).

    Textual does not bubble ``Worker.StateChanged``: without this on the screen that started
    a worker, its error was shown nowhere (the dashboard's PubMed search failed in silence)."""
    if event.state == WorkerState.ERROR and event.worker.error is not None:
        report_error(node, event.worker.error)


def group_running(node: DOMNode, group: str) -> bool:
    """Whether a worker of ``group`` that ``node`` started is still running. ``node.workers`` is the app's
    every worker; ``exclusive`` cancels within one node's group too, so another screen's is not counted."""
    return any(w.group == group and w.node is node and not w.is_finished for w in node.workers)


#: Narrowest a table's title column gets when the table is fitted to the terminal's width.
MIN_TITLE = 20


def room_beside(table: DataTable[Any], widths: Sequence[int], columns: int = 1) -> int:
    """Cells of the table's width that ``columns`` more columns share beside columns of ``widths`` cells,
    once every column's padding and the vertical scrollbar are taken off."""
    padding = 2 * table.cell_padding * (len(widths) + columns)
    return table.size.width - 2 - padding - sum(widths)  # (2: the vertical scrollbar)


def title_width(table: DataTable[Any], widths: Sequence[int], longest: int) -> int:
    """How wide a table's last column, the title, may be beside columns of ``widths`` cells for the table
    to fit its width: at 80 columns a title of 56 characters pushed the table into a sideways scroll (its
    thumb a stray block under the rows). Enter shows the record whole."""
    if table.size.width <= 0:  # (not laid out yet)
        return longest
    return max(MIN_TITLE, min(longest, room_beside(table, widths)))


def add_fitted_columns(table: DataTable[Any], columns: Sequence[str], widths: Sequence[int], longest_title: int) -> int:
    """Add ``columns`` to the cleared table: each but the last as wide as its header or ``widths`` (its widest
    cell, from every row listed, so that a table adding its rows as they come near keeps its columns), the last,
    the title, as ``title_width`` allows; returns the title's width (cut the titles to it)."""
    fixed = [max(len(name), width) for name, width in zip(columns[:-1], widths, strict=True)]
    title = title_width(table, fixed, max(len(columns[-1]), longest_title))
    for name, width in zip(columns, [*fixed, title], strict=True):
        table.add_column(name, width=width, key=name)
    return title


def plain(text: str) -> Text:
    """A table cell of free text (a title, a subgroup, a support quote), drawn as it is written: ``DataTable``
    reads a ``str`` cell as Rich markup, and "[in Dutch]" or "[women]" in it vanished as a style tag. One line,
    cut at the column's edge, as DataTable draws a ``str`` cell in a row one line high."""
    return Text(text, no_wrap=True, end="")


def cut(text: str, width: int) -> str:
    """``text`` in ``width`` characters, its end replaced by an ellipsis when longer."""
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


#: The most cells a reviewer's name takes where it shares a line with numbers (the screening screen's standing stop,
#: the agreement table): a longer name ends in an ellipsis there, never a number beside it. Notifications, the
#: dashboard's panel and the exports keep it whole.
NAME_CELLS = 20


def cut_name(name: str, cells: int = NAME_CELLS) -> str:
    """``name`` in at most ``cells`` terminal cells (a wide character takes two), its end an ellipsis when longer."""
    if cell_len(name) <= cells:
        return name
    return set_cell_size(name, max(0, cells - 1)).rstrip() + "…"


def screen_footer() -> Footer:
    """Every screen's footer: compact and without the palette hint (the right-docked ``^p palette`` hint was
    drawn over ``?`` and ``q``), with ``?`` and ``q`` docked right so that a narrow terminal cuts the screen's
    own keys, which ``?`` lists, and never those two."""
    return ReviewFooter(compact=True, show_command_palette=False)


class RefitsOnResize(Screen[None]):
    """A screen whose tables are fitted to its width again after a resize, once per resize.

    The screen hears of a resize twice (from the app, then from its own layout), both before the
    refresh: the first asks for one refit after the refresh, the second finds it already asked.
    """

    _refit_due = False
    #: The table width the shown rows were last fitted to (``fitted_to``; None: not fitted yet).
    _fitted_width: int | None = None

    def fitted_to(self, table: DataTable[Any]) -> None:
        """The rows shown were just fitted to ``table``'s width now (``width_changed`` compares with it)."""
        self._fitted_width = table.size.width

    def width_changed(self, table: DataTable[Any]) -> bool:
        """``table`` is wider or narrower than its rows were fitted to: a resize of the height alone
        changes no column, and repainting every row for it cost a frame of the whole table."""
        return table.size.width != self._fitted_width

    def _refit_ready(self) -> bool:
        """Whether anything is shown that a new width could change."""
        return True

    def _refit(self) -> None:
        """Fit the shown tables to the width they have now."""
        raise NotImplementedError

    def on_resize(self) -> None:
        if self._refit_ready() and not self._refit_due:
            self._refit_due = True
            self.call_after_refresh(self._refit_after_resize)

    def _refit_after_resize(self) -> None:
        self._refit_due = False
        self._refit()


class ProjectScreen(Screen[None]):
    """Watches ``app.project`` and calls ``load`` once it is there (and whenever it changes).

    Textual runs ``on_mount`` of every class in the MRO, subclass first, so a subclass's own
    ``on_mount`` (adding table columns, say) runs before the first ``load``.
    """

    #: The id of the Static that says "Loading…" until the project is there (the app says a wait for the store on it).
    LOADING_LINE: str | None = None
    #: The actions (names, without arguments) that record something: a read-only window refuses them
    #: (``tui.read_only``). Each screen with keys that write names its own.
    WRITES: ClassVar[frozenset[str]] = frozenset()

    #: The app's settings follows when a modal last covered this screen (None: not covered).
    _covered_at: int | None = None

    @property
    def project(self) -> Project | None:
        return self.app.project  # type: ignore[attr-defined, no-any-return]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action_state(self, action)  # (a key that records: dimmed in a read-only window)

    def on_mount(self) -> None:
        self.watch(self.app, "project", self._project_changed, init=True)

    def on_screen_resume(self) -> None:
        """Shown while the workspace is not open: why, at once (a wait for the store, a failed opening)."""
        if self.project is None and (words := self.app.loading_words()):  # type: ignore[attr-defined]
            self.show_loading(words)

    def show_loading(self, words: str) -> None:
        """Say why the project is not there yet (``ReviewApp.loading_words``) where this screen says "Loading…"."""
        if self.LOADING_LINE is not None:
            self.query_one(f"#{self.LOADING_LINE}", Static).update(Text(words, style="bold"))

    def on_screen_suspend(self) -> None:
        """Note whether a modal covers this screen (``back_from_own_modal`` asks at the resume).

        Relies on Textual's order: ScreenSuspend is posted, not handled at once, and ``push_screen``
        appends the modal (``switch_mode`` makes the other mode current) before it is handled, so
        ``self in app.screen_stack`` tells a modal over this screen from a mode switch."""
        covered = self in self.app.screen_stack
        follows: int = self.app.settings_follows  # type: ignore[attr-defined]
        self._covered_at = follows if covered else None

    def back_from_own_modal(self) -> bool:
        """Shown again after a modal over it closed, and review.toml was not followed meanwhile (the
        app resumes the screen after a follow, or at the modal's close when one covered it)."""
        covered, self._covered_at = self._covered_at, None
        return covered is not None and covered == self.app.settings_follows  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A screen that reports a worker's errors itself calls ``event.prevent_default()`` in its own
        # handler (Textual runs the subclass's first), so nothing is reported twice.
        report_worker_error(self, event)

    def _project_changed(self, project: Project | None) -> None:
        if project is not None:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="set-aside")
    def follow_set_aside(self) -> None:
        """Look at the store for records removed before screening (or restored), or imported, in a shell;
        post ``SetAsideChanged`` if the records to screen changed, or if what the screen shows is older
        than the session's reading (``set_aside_stale``). A few milliseconds of a worker thread."""
        project = self.project
        assert project is not None
        try:
            changed = project.refresh_set_aside()
        except ReviewError:  # a busy store: the next look (a retrain, a mode switch, a settings follow) reads them
            return
        if (changed or self.set_aside_stale()) and not get_current_worker().is_cancelled:
            self.post_message(SetAsideChanged())

    def open_record(self, record_id: int, decisions: Sequence[tuple[str, str]], *, related: bool = False,
                    not_offered: str = "") -> None:
        """Read the record in a worker (with ``related``, its dedup links too), then show it in the record view,
        whose label goes to ``record_chosen`` with this ``record_id``: the rows may have changed meanwhile."""
        self._read_record(record_id, tuple(decisions), related, not_offered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-view")
    def _read_record(self, record_id: int, decisions: tuple[tuple[str, str], ...], related: bool,
                     not_offered: str) -> None:
        """On the UI thread a slow read held every key, and a store error ended the app; now it is one line."""
        project = self.project
        assert project is not None
        try:
            from ...services.dedup import related_of, with_group_identifiers  # (not on the app's start-up path)

            # (the doi and PMID of its duplicates where it lacks them, as the screening screen shows it)
            [record] = with_group_identifiers(project.workspace, [read_record(project.workspace, record_id)])
            if related:
                links = related_of(project.workspace, record_id)
            else:
                links = []
        except store_errors() as err:
            self.app.call_from_thread(report_error, self, err, f"#{record_id} not opened")
            return
        if not get_current_worker().is_cancelled:
            self.post_message(RecordRead(record, decisions, links, not_offered))

    @on(RecordRead)
    def _record_read(self, message: RecordRead) -> None:
        project, record_id = self.project, message.record.id
        if project is None or record_id is None or not self.is_current:  # a screen or a dialog came meanwhile
            return

        def chosen(label: str | None) -> None:
            if label:
                self.record_chosen(label, record_id)

        self.app.push_screen(self.record_view(message, project), chosen)

    def record_view(self, message: RecordRead, project: Project) -> Screen[str | None]:
        """The dialog showing the record ``open_record`` read (a subclass's: this module cannot import the
        dialogs, which import it)."""
        raise NotImplementedError

    def record_chosen(self, label: str, record_id: int) -> None:
        """The label chosen in the record view that ``open_record`` opened for ``record_id``."""
        raise NotImplementedError

    def set_aside_stale(self) -> bool:
        """True if the screen shows an older reading of the set-aside than the session has (another
        look, a retrain or another screen took the change in first). Called from the worker."""
        return False

    def waiting_notes(self) -> dict[int, str]:
        """Notes typed here that wait for their record's decision, by record: they live only in this window,
        so quitting loses them (``ReviewApp.action_quit`` asks first)."""
        return {}

    def load(self) -> object:
        """Start loading what the screen shows (subclasses run it in a worker)."""
        raise NotImplementedError
