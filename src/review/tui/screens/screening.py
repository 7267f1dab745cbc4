"""Screening: one record at a time in ranked order, decided by single keys.

Decision keys are screen bindings and this screen has no text input (notes and search open
modals), so no Input can swallow i/e/m. Each decision is written (one transaction) before
the next record is shown; retraining runs in the background (a worker process by default,
see ``tui.retrainer``) and only reorders the queue.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set as AbstractSet
from contextlib import contextmanager
from dataclasses import replace
from time import perf_counter
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...errors import first_line
from ...records import Record
from ...services.prisma import (BLIND_UNSCREENED, current_screening_stop, record_screening_stop, screening_stop_words,
                                verdict_credits_rule)
from ...services.screening import (COUNT_LABELS, FALLBACK_WORDS, DecisionConflict, NotOffered, classifier_stop_gate,
                                   current_decisions, decided_among, decision_changes, ranked_by, store_errors)
from ...services.dedup import with_group_identifiers
from ...services.workspace import may_pass
from ...services.workspace import record as get_record
from ...levels import percent
from ...words import about_phrase, counted, recall_estimate
from ..highlight import legend, render_record
from ..messages import DecisionsRead, FirstRecordFailed, FirstRecordLoaded, Loaded, RankingReady, SetAsideChanged
from ..project import Project
from ..startup import pause_collection, resume_collection
from ..widgets.record_view import RecordView
from .base import (BROWSER_NOTE, STILL_OPENING, ProjectScreen, cut_name, group_running, refuse_key, report_error,
                   say_refused, screen_footer)
from .modals import ConfirmScreen, NoteScreen, SearchScreen, ask_reason


class StoppingEvidenceReady(Message):
    """The stopping rule's classifier evidence (None: no check was due), made after the queue was delivered."""

    def __init__(self, evidence: dict[str, Any] | None, epoch: int, computed: bool) -> None:
        super().__init__()
        self.evidence = evidence
        self.epoch = epoch  # the session's ``evidence_epoch`` when it was asked for
        self.computed = computed


class StoppingEvidencePending(Message):
    """A check of the classifier is due and under way (the stopping line's tooltip says so)."""


#: Quiet time after a decision before the model retrains (seconds).
RETRAIN_DELAY = 0.3

#: Seconds between looks at the store, while no retrain runs, for records removed before screening
#: (or restored) in another shell (``review prisma remove``): a few milliseconds of a worker thread.
SET_ASIDE_POLL = 2.0

#: How the stopping line names the certified rule before its random sample starts.
CERTIFIED_NAME = "Certified rule (random sample to confirm)"

#: The stopping box's least height (screening.tcss ``min-height``): it grows past it when its words need more.
STOPPING_MIN_LINES = 3

#: Cells of the progress bar in the counts line.
BAR_WIDTH = 15
#: Narrowest the bar gets when the counts need the line's width (none: the percentage stays).
MIN_BAR_WIDTH = 0
#: The cells ``progress_bar`` adds to its bar: the percentage and the space around it.
BAR_EXTRA = len(" 100%  ")

#: What the record view says in a workspace without records (a new one, before any import or search).
NO_RECORDS = ("No records in this workspace yet: import your exports (review import FILE...) "
              "or search PubMed (p on the dashboard, 1).")


#: What the screen and the dashboard show for recall before there is an estimate (the stopping rule says "unknown").
NO_ESTIMATE = "–"

#: The ranking model's name as a reader knows it (the status line is 36 cells wide).
MODEL_LABELS = {"svm": "SVM", "svm-e9": "SVM", "svm-e8": "SVM", "svm-e7": "SVM", "svm-e6": "SVM", "svm-e5": "SVM", "svm-newton": "SVM",
                "svm-liblinear": "SVM", "logistic": "logistic", "nb": "naive Bayes", "ensemble": "ensemble"}

#: Why there is no model yet (the status line's tooltip while the queue is a fallback order).
NO_MODEL_YET = ("The model learns once you have at least one relevant (include or maybe) and one "
                "excluded record; until then ")


def ranking_status(model_info: Mapping[str, object], n_labelled: int) -> tuple[str, str]:
    """The status line's ranking text and its tooltip. Before the model can learn the queue is
    the keyword prior of criteria.toml (or a seeded order): say so, not the model's name."""
    fallback = model_info.get("fallback")
    if fallback == "keyword_prior":
        return f"ranking: {FALLBACK_WORDS['keyword_prior']}", NO_MODEL_YET + "criteria.toml's terms order the queue."
    if fallback is not None:
        return f"ranking: {FALLBACK_WORDS['seeded_random']}", NO_MODEL_YET + "the queue is in a seeded random order."
    model = str(model_info.get("model", "model"))
    return f"ranking: {MODEL_LABELS.get(model, model)}, {counted(n_labelled, 'label')}", f"model: {ranked_by(model_info)}"


def stopping_words(stopping: Any, phase: str) -> str:
    """The stopping rule's verdict in three lines at 80 columns: which rule, its estimate and bound.

    The rules' own explanations run to five lines there and the three-line field cut off the
    recall and the rule's name; the ranked phase's two cases are said shorter from the same numbers
    (the whole explanation is the field's tooltip). The random sample's words fit as they are.
    """
    if phase == "sample" or stopping.verdict == "sample-needed" or stopping.remaining <= 0:
        return _after_badge(stopping)
    if stopping.rule != "certified":
        if stopping.expected_remaining is None or stopping.upper_remaining is None:
            return _after_badge(stopping)  # (no estimate yet: a short sentence saying when)
        expected = stopping.expected_remaining
        by = ", by the classifier's scores" if stopping.estimate_from == "classifier" else ""
        recall = recall_estimate(stopping.estimated_recall, stopping.target_recall, unknown=NO_ESTIMATE)
        said = (f"Recommended rule{by}: {about_phrase(expected)} relevant left among {stopping.remaining:,} unscreened "
                f"(at most {stopping.upper_remaining:,} with {percent(stopping.confidence)} probability), recall "
                f"about {recall}.")
        if stopping.verdict == "stop":
            return said + (f" {percent(stopping.target_recall)} recall holds with {percent(stopping.confidence)} "
                           "probability: you may stop (s).")
        # (the classifier's stop counts only at a check where the trend's own chance had reached the gate; said
        # short: "80% by the classifier's scores once the trend's is 30%" took a 4th line at 80 columns from
        # 1,000 unscreened on)
        by_classifier = ("" if stopping.classifier_level is None else
                         f" (the classifier's {percent(stopping.classifier_level)} once the trend's is "
                         f"{classifier_stop_gate():.0%})")
        return said + (f" Stops when {percent(stopping.target_recall)} recall holds with "
                       f"{percent(stopping.confidence)} probability{by_classifier}.")
    # The certified rule's heuristics (t on the dashboard switches rule): their words did not name it.
    heuristics = stopping.heuristics
    run, limit = heuristics.get("trailing_irrelevant", 0), heuristics.get("consecutive_limit", 0)
    recall = "too early to estimate recall" if stopping.estimated_recall is None else \
        f"recall roughly {recall_estimate(stopping.estimated_recall, stopping.target_recall)} (pessimistic)"
    return (f"{CERTIFIED_NAME}: {recall}; the sample starts after {limit} irrelevant in a row (now {run}) "
            "or when the gain curve flattens.")


def _after_badge(stopping: Any) -> str:
    """The rule's explanation after its verdict's badge, without the word the badge has just said ("CONTINUE
    Continue: 0 relevant found…" read twice, tui31); "Keep sampling:" says more than the badge and stays."""
    text = str(stopping.explanation)
    said = f"{stopping.verdict.capitalize()}: "
    return text[len(said):] if text.startswith(said) else text


def stop_question(stopping: Any, remaining: int, *, team: bool = False) -> Text:
    """The stop dialog's question, worded from the verdict as the PRISMA diagram will word the stop: the
    stopping rule's while it says stop, else the reviewers' own (it said "marked ineligible by the stopping
    rule" while the rule said continue, and the diagram then credits no rule). ``team``: review.toml names others
    too, and PRISMA counts only the records nobody screened, fewer than ``remaining`` (the reviewer's own) once a
    teammate screened one they did not; how many fewer is not said (blind, it counts the others' work)."""
    by_rule = verdict_credits_rule({"verdict": stopping.verdict})
    question = Text()
    question.append("Stop title/abstract screening here?\n\n", style="bold")
    question.append(f"Stopping rule: {stopping.verdict.upper()}. ", style="bold")
    question.append(f"{stopping.explanation}\n\n")
    unscreened = counted(remaining, "unscreened record")
    if team:
        unscreened = f"the records nobody has screened (your {remaining:,} unscreened, less any a teammate screened)"
    if by_rule:
        question.append(f"The stopping rule stops screening: {unscreened} will count in PRISMA as marked "
                        "ineligible by automation tools, and the diagram credits the rule with the stop")
    else:
        question.append("The rule does not say stop yet.\n", style="bold red")
        question.append(f"This is the reviewers' own stop: {unscreened} will count in PRISMA as marked "
                        "ineligible by automation tools, and the diagram will say the reviewers stopped without "
                        "a stopping rule's verdict to stop")
    question.append(" (withdraw with: review prisma resume).")
    return question


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """``━━━━━━━━──────── 53%``: part of the counts line, so a key repaints one widget, not
    the four a ProgressBar is made of."""
    fraction = done / total if total > 0 else 0.0
    filled = min(width, round(fraction * width))
    bar = Text()
    bar.append("━" * filled, style="bold green")
    bar.append("─" * (width - filled), style="dim")
    bar.append(f" {fraction:4.0%}  ")
    return bar


#: Seconds between looks for a screening stop a teammate recorded (or withdrew) while this screen is in view.
STOP_POLL = 5.0


class StopRead(Loaded):
    """The screening stop that stands (None: none), read in a worker."""

    def __init__(self, standing: Any) -> None:
        super().__init__()
        self.standing = standing  # (not ``stop``: Message.stop is the method that stops its bubbling)


class ScreeningScreen(ProjectScreen):
    """Title/abstract screening for the current reviewer."""

    LOADING_LINE = "counts"

    CSS_PATH = "screening.tcss"
    HELP = (
        "Decide each record with **i**, **e** or **m**; **r** excludes with a reason. "
        "Every decision is saved before the next record appears. **u** undoes your last "
        "decision and shows that record again. Terms from `screening/criteria.toml` are "
        "highlighted (green include, red exclude) and reload when you save the file. "
        "The queue follows the last ranking; a new one is trained in the background."
    )
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"decide", "reason", "undo", "note", "stop"})
    BINDINGS = [
        Binding("i", "decide('include')", "Include", id="screening.include", tooltip="Include this record"),
        Binding("e", "decide('exclude')", "Exclude", id="screening.exclude", tooltip="Exclude this record"),
        Binding("m", "decide('maybe')", "Maybe", id="screening.maybe", tooltip="Unsure: look again later"),
        Binding("r", "reason", "Reason", id="screening.reason", tooltip="Exclude with a reason from the list"),
        Binding("u", "undo", "Undo", id="screening.undo", tooltip="Undo your last decision"),
        Binding("n", "note", "Note", id="screening.note", tooltip="Attach a note to this record's decision"),
        Binding("slash", "search", "Search", key_display="/", id="screening.search",
                tooltip="Find a record by text and screen it now"),
        Binding("s", "stop", "Stop", id="screening.stop",
                tooltip="Stop screening here (asks first); PRISMA counts the unscreened rest as ineligible by automation"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current: Record | None = None
        #: The record read ahead (``_read_ahead``) as shown (``_listed``): the key that serves it reads nothing more.
        self._ahead_listed: Record | None = None
        #: Notes typed and not decided yet, by record: each goes with its own record's decision, so an
        #: undo (or a record opened from search) in between neither moves a note nor loses it.
        self.notes: dict[int, str] = {}
        self._training = False
        self._train_again = False
        self._retrain_timer: Timer | None = None
        self._retrain_worker: Worker[None] | None = None
        #: The stopping rule's classifier evidence is being asked for / computed (decision 0025).
        self._evidence_running = False
        self._evidence_pending = False
        #: Seconds of quiet after a decision before the model retrains. A scripted reviewer
        #: (``scripts/demo_e2e.py``) sets it longer than its bursts of keys and calls
        #: ``request_retrain`` itself, so which ranking serves which key never depends on timing.
        self.retrain_delay = RETRAIN_DELAY
        #: How many labels the ranking in use was trained on (None until the first retrain lands).
        self.ranked_labels: int | None = None
        #: Why the last retrain failed ("" after one that landed).
        self.retrain_error = ""
        self._verdict = ""
        #: What the last key did ("include #12", "undid include #12"), and as the record's box says it.
        self._last = self._last_said = ""
        #: The criteria.toml error last shown as a message (the legend line cuts long ones off).
        self._criteria_error = ""
        #: Opened from search: kept on screen even if already decided, until it is decided here.
        self._opened_id: int | None = None
        self._started = False  # the first record is shown (before it, a paint would say "nothing left")
        #: The first record's load failed (and said why); ``_load_passing``: in a way that may pass (a busy
        #: store), so the 2 s look tries again.
        self._load_failed = self._load_passing = False
        #: Why the first record's last load failed, as said ("": none failed since one loaded).
        self._load_error = ""
        self._load_worker: Worker[None] | None = None
        #: The reviewer's change count just before the last reading of their decisions (``read_decided``), the
        #: records it asked about (the one shown, those notes wait for) and those of them decided.
        self._decided_read: tuple[int, frozenset[int], frozenset[int]] | None = None
        #: The screening stop that stands, any reviewer's, as last read (``read_stop``): the verdict follows this
        #: reviewer alone, so after a teammate's stop it said CONTINUE and nothing named the stop.
        self.standing_stop: Any = None
        #: The progress the counts line shows, painted again at its new width after a resize (``_bar_width``).
        self._progress_shown: Any = None
        self._repaint_due = False

    @property
    def note(self) -> str:
        """The note waiting for the decision on the record on screen ("" if none)."""
        record = self.current
        return self.notes.get(record.id, "") if record is not None and record.id is not None else ""

    def waiting_notes(self) -> dict[int, str]:
        return dict(self.notes)

    @property
    def retraining(self) -> bool:
        """A retrain is running or asked for."""
        return self._training or self._train_again

    @property
    def verdict(self) -> str:
        """The stopping rule's verdict as the screen shows it ("" before the first record)."""
        return self._verdict

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading workspace…", id="counts")
        yield Static("", id="stopping")
        yield RecordView("", id="record")
        with Horizontal(id="statusbar"):
            yield Static("", id="legend")
            yield Static("", id="model")
        yield screen_footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._poll_criteria)
        self.set_interval(SET_ASIDE_POLL, self._poll_set_aside)
        self.set_interval(STOP_POLL, self._poll_stop)

    def on_screen_resume(self) -> None:
        """Counts may have changed on another screen; a record decided there is not shown again. The reviewer's
        decisions on the record shown and on those notes wait for (``_asked``) are read again, in a worker, only
        when the reviewer's own change count moved since the last reading (a decision or an undo of theirs, on
        any screen or in a shell; a teammate's never moves it: with the store's data version, a teammate deciding
        every few seconds kept the reading from ever landing), or when it asked about other records; until they
        are read the record shown stays and the counts are the session's. A reading the count moved under is read
        again (``_decisions_read``). (It read the reviewer's whole log, in 0.6 s at 20,000 decisions.)"""
        project = self.project
        if project is None:
            return
        if not self._started:  # (the first record is loading: see ``_follow_queue``)
            if self._first_load_ended():
                self._load_first()  # its load failed (a busy store, say): the way back here tries again
            return
        try:
            # (first: a change while reading shows as a change next time)
            version = decision_changes(project.workspace, project.reviewer)
        except store_errors() as err:  # (a busy store, a lost server: the record stays, the counts are the session's)
            report_error(self, err)
            version = None
        self.read_stop()  # (a stop recorded in a shell or on another screen meanwhile)
        # A record picked on another screen (the browser) leaves the set the recommended rule reads and drops the
        # classifier's view (413bd8a1): the check due then waited for this screen's next ranking, and the line said
        # the trend alone (CONTINUE) where the dashboard and review status --stopping made the check (STOP). Whether
        # one is due is judged in the worker: here only a flag is read.
        self._ask_stopping_evidence()
        read = self._decided_read
        if version is not None and read is not None and read[0] == version and self._asked() <= read[1]:
            self._follow_decided(project, read[2])
            return
        self._follow_decided(project, None)
        if version is not None:
            self.read_decided(version, self._asked())

    def _asked(self) -> frozenset[int]:
        """The records whose decisions a resume looks at: the one shown and those notes wait for."""
        shown = [self.current.id] if self.current is not None and self.current.id is not None else []
        return frozenset([*shown, *self.notes])

    @work(thread=True, exclusive=True, exit_on_error=False, group="screening-decided")
    def read_decided(self, version: int, asked: frozenset[int]) -> None:
        project = self.project
        assert project is not None
        try:
            decided = decided_among(project.workspace, project.reviewer, asked)
        except store_errors() as err:  # (said once; the next resume reads them again)
            self.app.call_from_thread(report_error, self, err)
            return
        if not get_current_worker().is_cancelled:
            self.post_message(DecisionsRead(version, asked, decided))

    @on(DecisionsRead)
    def _decisions_read(self, message: DecisionsRead) -> None:
        project = self.project
        if project is None:
            return
        try:
            version = decision_changes(project.workspace, project.reviewer)
        except store_errors() as err:  # (the record stays; the next resume reads them again)
            report_error(self, err)
            return
        if version != message.version:
            # A decision or an undo (here, on another screen, in a shell) landed while they were read: acting on
            # that reading would skip a record just undone here and drop its note. Read them again (under a
            # dialog, its close resumes the screen, which reads them again).
            if self._started and self.is_active:
                self.read_decided(version, self._asked())
            return
        self._decided_read = (message.version, message.asked, message.decided)
        # Under a dialog (a note, a reason: their answer is about the record shown) nothing moves: its close
        # resumes the screen, which finds this reading current.
        if self._started and self.is_active:
            if not self._asked() <= message.asked:  # (another record shown, a note typed, while it was read)
                self.read_decided(version, self._asked())
                return
            self._follow_decided(project, message.decided)

    def _follow_decided(self, project: Project, decided: AbstractSet[int] | None) -> None:
        """Move on from a record decided on another screen or in a shell (``decided``: those of ``_asked``'s
        records the reviewer has a decision in force on; None: not read yet), say notes that will never be
        decided here, and paint."""
        shown, note = self.current, self.note
        if self.current is None:  # nothing was left: an edited [prisma.sources] may bring records back
            self._serve_next(project)
        elif self.current.id != self._opened_id and decided is not None:
            if not self._move_on_if_not_offered(project) and self.current.id in decided:
                self._drop_note()  # (decided on another screen)
                self._serve_next(project)
        if decided is not None:  # (whatever is shown: a note waiting for a record decided elsewhere is said)
            self._drop_stale_notes(project, decided)
        if self.current is shown and self.note == note and shown is not None:
            # The same record (back from help, say): the counts may have moved, the record is not drawn
            # again, so the reviewer stays where they scrolled in its abstract.
            self._paint_progress(project.session.progress())
        else:
            self._paint()

    def show_loading(self, words: str) -> None:
        """In the record's box: the one-line counts cut a wait's words before its bound and how to quit."""
        self.query_one("#counts", Static).update(words.split(" ", 1)[0] if words.startswith("Loading…") else "")
        self.query_one("#record", RecordView).show(Text(words, style="bold"))

    def _project_changed(self, project: Project | None) -> None:
        if project is not None:
            self._load_first()

    def _load_first(self, *, retry: bool = False) -> None:
        if not retry:  # (a retry leaves the failure on screen: "Loading…" flashing every 2 s says less)
            self.query_one("#record", RecordView).show("Loading the first record…")
        self._load_failed = self._load_passing = False
        self._load_worker = self.first_record()

    def _first_load_ended(self) -> bool:
        """No first record shown and none on its way: its load failed (and said so), so nothing else will
        show one."""
        worker = self._load_worker
        return not self._started and worker is not None and worker.is_finished \
            and (self._load_failed or worker.state != WorkerState.SUCCESS)

    @work(thread=True, exclusive=True, exit_on_error=False, group="screening-load")
    def first_record(self) -> None:
        """The first record and progress (the session may build features here)."""
        project = self.project
        assert project is not None
        try:
            record = self._listed(project, project.session.next_record())
            progress = project.session.progress()
        except Exception as err:  # any failure: "Loading…" for ever otherwise (a worker's error shows no screen)
            self.post_message(FirstRecordFailed(err, passing=may_pass(err)))
            return
        self.post_message(FirstRecordLoaded(record, progress))

    @on(FirstRecordFailed)
    def _first_failed(self, message: FirstRecordFailed) -> None:
        """Say why on the screen and once in a notification (the 2 s look that reads it again says nothing
        new while the reason stays the same). A failure that may pass (a busy store, a lost server, a file
        system) is read again every 2 s; any other (a bug) only on coming back to the screen."""
        self._load_failed, self._load_passing = True, message.passing
        said = first_line(message.error)
        if said != self._load_error:
            self._load_error = said
            report_error(self, message.error)
        then = f"trying again in {SET_ASIDE_POLL:.0f} s" if message.passing else "come back to this screen to try again"
        self.query_one("#record", RecordView).show(Text(
            f"The first record could not be loaded ({said}); {then} (the other screens work: 1 is the dashboard).",
            style="bold"))

    @on(FirstRecordLoaded)
    def _first(self, message: FirstRecordLoaded) -> None:
        record, progress = message.record, message.progress
        self._load_error = ""
        self.current = record
        self._started = True
        self._paint(progress)
        self._paint_legend()
        self.request_retrain()
        self.read_stop()

    # -- rendering -----------------------------------------------------------------------
    def _paint(self, progress: Any | None = None) -> None:
        project = self.project
        if project is None:
            return
        if progress is None:
            progress = project.session.progress()
        with self.app.batch_update():  # one frame for the whole change
            # Counts first: the record view's immediate scroll-to-top flushes a frame, and
            # anything marked dirty after it would cost a second frame per key.
            self._paint_progress(progress)
            self._paint_record(project, empty=progress.total == 0)

    def _paint_record(self, project: Project, *, empty: bool = False) -> None:
        view = self.query_one("#record", RecordView)  # fixed size: no screen layout per record
        if self.current is None:
            view.show(Text(NO_RECORDS if empty else "Nothing left to screen. The dashboard (1) has the counts.",
                           style="bold"))
            return
        if self.note or not view.show_prepared(self.current.id):
            view.show(render_record(self.current, project.criteria.criteria, note=self.note))
        self.call_after_refresh(self._read_ahead)

    def _read_ahead(self) -> None:
        """After the frame, while the reviewer reads: fetch and wrap the record expected next,
        so the next key shows it without a query or a wrap (about a third of a key's work)."""
        project = self.project
        if project is None or self.current is None:
            return
        try:
            record = self._listed(project, project.session.read_ahead(), use_read_ahead=False)
        except store_errors():  # (best effort, after the frame: the next key reads the record itself and says a
            # failure there; raised here, out of a callback, it ended the app)
            self._ahead_listed = None
            return
        self._ahead_listed = record
        if record is not None and record.id is not None:
            view = self.query_one("#record", RecordView)
            view.prepare(record.id, render_record(record, project.criteria.criteria))

    def _paint_progress(self, progress: Any) -> None:
        # Words and numbers as on the dashboard and in `review status` (screening.counts).
        self._progress_shown = progress
        found = Text()
        found.append(f"{COUNT_LABELS['relevant']} {progress.relevant:,}", style="bold green")
        found.append(f" · {COUNT_LABELS['screened']} {progress.screened:,} / {progress.total:,}")
        # (with the target's decimals, as the rule's line below says it: "99.9%" stood above "about 99.99%" at 99.95%)
        estimate = recall_estimate(progress.est_recall, progress.stopping.target_recall, unknown=NO_ESTIMATE)
        recall = Text(f"Est. recall {estimate}", style="bold")
        widget = self.query_one("#counts", Static)
        room = widget.size.width
        # Too narrow for the three counts and the percentage on one line (60 columns at 20,000 records): the
        # recall starts a second line with the bar, rather than a number running off the screen.
        two_lines = room > 0 and found.cell_len + len(" · ") + recall.cell_len + BAR_EXTRA > room
        if two_lines:
            counts = found + Text("\n")
            counts.append_text(progress_bar(progress.screened, progress.total,
                                            self._bar_width(recall.cell_len, room)))
            counts.append_text(recall)
        else:
            words = found + Text(" · ")
            words.append_text(recall)
            counts = progress_bar(progress.screened, progress.total, self._bar_width(words.cell_len, room))
            counts.append_text(words)
        if progress.phase == "sample":
            counts.append(" · random sample", style="bold yellow")
        # What the last key did, on the record's box: at the end of the counts line it was cut away below about
        # 100 columns, and an undo there showed the record back without saying which decision went.
        last = f"last: {self._last}" if self._last else ""
        if last != self._last_said:
            self._last_said = last
            self.query_one("#record", RecordView).border_title = Text(last) if last else None
        # The class changes the line's height (a layout) only when the width or the numbers' digits change.
        widget.set_class(two_lines, "-two-lines")
        widget.update(counts, layout=False)
        stopping = progress.stopping
        if stopping.verdict != self._verdict:
            # (not once every record is screened: a stop then marks none ineligible, and walk20 was asked to press s)
            if self._verdict and stopping.verdict == "stop" and progress.remaining > 0:
                self.notify("The stopping rule says you may stop: press s to record it.",
                            title="Stopping rule", timeout=10)
            self._verdict = stopping.verdict
        verdict = Text()
        if progress.total == 0:  # a new workspace: "STOP, every record screened" would be true but useless
            verdict.append(" NO RECORDS ", style="bold reverse")
            verdict.append(" Nothing to screen yet.")
        else:
            if self.standing_stop is not None:  # first: what a reviewer screening on must know
                # The name gives way, never the date or the verdict's numbers below (a 30-letter name took a
                # third line and cut the verdict's last one).
                stop = replace(self.standing_stop, reviewer=cut_name(self.standing_stop.reviewer))
                verdict.append(" STOPPED ", style="bold reverse yellow")
                verdict.append(f" {screening_stop_words(stop, short=True)}\n", style="bold yellow")
            verdict.append(f" {stopping.verdict.upper()} ", style="bold reverse")
            verdict.append(f" {stopping_words(stopping, progress.phase)}")
        widget = self.query_one("#stopping", Static)
        widget.update(verdict, layout=False)
        # The box is as high as its words (3 lines at 80 columns, more when narrower or under a standing stop):
        # a relayout only when that height changes, so the common decision keeps the cheap repaint.
        width = widget.size.width
        if width > 0 and max(STOPPING_MIN_LINES, widget.get_content_height(widget.size, widget.size, width)) \
                != widget.size.height:
            widget.refresh(layout=True)
        pending = " The classifier's evidence is being computed." if self._evidence_pending else ""
        widget.tooltip = stopping.explanation + pending  # the rule's whole explanation (the dashboard shows it too)

    def _poll_stop(self) -> None:
        if self.project is not None and self._started and self.is_active \
                and not group_running(self, "screening-stop-read"):
            self.read_stop()

    @work(thread=True, exclusive=True, exit_on_error=False, group="screening-stop-read")
    def read_stop(self) -> None:
        """Read the screening stop that stands (one small query; a busy store: the next look reads it)."""
        project = self.project
        assert project is not None
        try:
            stop = current_screening_stop(project.workspace)
        except store_errors():
            return
        if not get_current_worker().is_cancelled:
            self.post_message(StopRead(stop))

    @on(StopRead)
    def _stop_read(self, message: StopRead) -> None:
        """Show a stop that came or went; a teammate's new stop is said once in a notification too."""
        project = self.project
        stop, before = message.standing, self.standing_stop
        self.standing_stop = stop
        if project is None or (None if stop is None else stop.id) == (None if before is None else before.id):
            return
        if stop is not None and stop.reviewer != project.reviewer:  # (your own stop: its recording was said)
            words = screening_stop_words(stop, blind=project.blind)
            self.notify(f"{words[0].upper()}{words[1:]}.", title="Stopped", severity="warning", timeout=15)
        if self._started:
            self._paint_progress(project.session.progress())

    def on_resize(self) -> None:
        """Fit the counts line's bar to the new width once the layout has it (it kept the old width: at 60
        columns the line ran past the screen and cut the estimated recall again). Once per resize: the screen
        hears of it twice, both before the refresh."""
        if self._progress_shown is not None and not self._repaint_due:
            self._repaint_due = True
            self.call_after_refresh(self._repaint_counts)

    def _repaint_counts(self) -> None:
        self._repaint_due = False
        if self._progress_shown is not None:
            self._paint_progress(self._progress_shown)

    @staticmethod
    def _bar_width(words: int, room: int) -> int:
        """The progress bar's cells: ``BAR_WIDTH``, less what the counts' ``words`` cells need of the line's width
        ``room`` (at 80 columns the line was cut before the estimated recall's value)."""
        if room <= 0:  # (not laid out yet)
            return BAR_WIDTH
        return max(MIN_BAR_WIDTH, min(BAR_WIDTH, room - words - BAR_EXTRA))

    def _paint_legend(self) -> None:
        project = self.project
        if project is not None:
            criteria = project.criteria.criteria
            self.query_one("#legend", Static).update(legend(criteria))
            if criteria.error and criteria.error != self._criteria_error:
                self.notify(criteria.error, title="criteria.toml not read", severity="error", timeout=20)
            self._criteria_error = criteria.error or ""

    def _set_model_status(self, text: str) -> None:
        self.query_one("#model", Static).update(Text(text, style="dim"), layout=False)

    def _poll_criteria(self) -> None:
        """A saved criteria.toml: new highlighting now, the reason setting for the next key, and
        the terms for the next retrain — at once while they still order the queue (cold start).
        The watcher reads the session's own ``CriteriaFile``: one reading for all three, and a
        file that cannot be read keeps the last good criteria everywhere."""
        project = self.project
        if project is not None and self._started and project.criteria.poll():  # (the first record paints them)
            self.query_one("#record", RecordView).forget_prepared()  # drawn with the old terms
            self._paint()
            self._paint_legend()
            if not project.criteria.criteria.error:
                self.notify("criteria.toml reloaded", timeout=2)
                if project.session.cold_start:  # once a model is fitted the terms no longer rank
                    self._schedule_retrain()

    def _poll_set_aside(self) -> None:
        """A retrain reads the removals itself; while the reviewer reads, look every few seconds, so a
        record removed in a shell is neither decided on screen nor served next. Before the first record is
        shown: its load again, if it failed on a busy store, and only while this screen is in view (another
        screen or a dialog on top would get its error every few seconds; ``on_screen_resume`` tries again)."""
        if self.project is not None and not self._started:
            if self._load_passing and self.is_active and self._first_load_ended():
                self._load_first(retry=True)
            return
        if (self.project is None or self.retraining or self._retrain_timer is not None
                or not self.is_active):  # (a retrain about to start reads them itself; a dialog: see below)
            return
        if not group_running(self, "set-aside"):
            self.follow_set_aside()

    @on(SetAsideChanged)
    def _set_aside_changed(self) -> None:
        self._follow_queue(counts_changed=True)
        if self._started:  # (records set aside or restored drop the view: the check due, as on resume; before the
            # first record the first queue asks for it, after itself: the evidence never comes before the queue)
            self._ask_stopping_evidence()

    def _follow_queue(self, *, counts_changed: bool) -> None:
        """The records to screen changed under the screen (a retrain's or the 2 s look's reading of
        removals and restores in a shell): move on from a record no longer offered, show a restored
        one after "Nothing left to screen", else repaint the counts if they changed.

        Nothing before the first record is shown: ``current`` is None then because the first record
        is still loading, not because nothing is left, and a ``next_record`` here would race the
        loading worker and paint "Nothing left to screen" over "Loading…" (that worker reads the queue
        as it stands, and the retrain it starts moves on from a record removed meanwhile). Nothing under
        a dialog (a reason picker, a note): its answer is about the record shown, and
        ``on_screen_resume`` moves on from one removed meanwhile (``is_current`` is true under a
        modal too, ``is_active`` is not). A record that stays is not drawn again: that would throw
        the reviewer back to the top of a long abstract."""
        project = self.project
        if project is None or not self._started or not self.is_active:
            return
        if self.current is None:
            self._serve_next(project)
            moved = self.current is not None
        else:
            moved = self._move_on_if_not_offered(project)
        if moved:
            self._paint()
        elif counts_changed:
            self._paint_progress(project.session.progress())

    def _move_on_if_not_offered(self, project: Project) -> bool:
        """The record on screen was removed before screening since it was served (not one opened from
        search: deciding that one is refused with the reason): say so and show the next; True if it was."""
        record = self.current
        if record is None or record.id is None or record.id == self._opened_id \
                or project.session.is_to_screen(record.id):
            return False
        self.notify(f"#{record.id} is no longer offered ({project.session.why_refused(record.id)}); "
                    "on to the next record", timeout=6)
        self._drop_note()
        self._serve_next(project)
        return True

    def _drop_note(self) -> None:
        """The note typed for the record on screen, which gives way: it must not ride on the next one's decision."""
        if self.current is not None and self.current.id is not None:
            self._drop_note_of(self.current.id)

    def _drop_note_of(self, record_id: int, why: str = "") -> None:
        note = self.notes.pop(record_id, "")
        if note:
            self.notify(f"Note for #{record_id} dropped{f' ({why})' if why else ''}: {note}", severity="warning", timeout=8)

    def _drop_stale_notes(self, project: Project, decided: AbstractSet[int]) -> None:
        """Notes kept for records not on screen (typed before an undo or a search) that will never be
        decided here: decided on another screen, or no longer offered. Said, not lost in silence."""
        shown = self.current.id if self.current is not None else None
        for record_id in [r for r in self.notes if r != shown]:
            if record_id in decided or not project.session.is_to_screen(record_id):
                self._drop_note_of(record_id)

    # -- decisions -----------------------------------------------------------------------
    def action_decide(self, label: str, reasons: tuple[str, ...] = ()) -> None:
        project, record = self.project, self.current
        if project is None or record is None or record.id is None:
            refuse_key(self, STILL_OPENING if project is None else
                       "The first record is still loading." if not self._started else
                       "Nothing left to screen: no record to decide.")
            return
        if label == "exclude" and not reasons and project.session.require_reason_on_exclude:
            self.action_reason()  # criteria.toml requires one: ask rather than refuse
            return
        with self._collect_after_frame():
            try:
                # A record opened from search was chosen, not served: in the sample phase it is no
                # random draw and must not enter the sample the certified rule extrapolates from.
                project.session.decide(record.id, label, reasons=reasons, note=self.note,
                                       chosen=record.id == self._opened_id, blind=project.blind)  # durable now
            except NotOffered as err:  # opened from search, or removed in a shell since it was served
                self.app.bell()
                say_refused(self, err, "on to the next record")
                self._move_past_refused(project)
                return
            except DecisionConflict as err:  # decided in another window or shell: the session read its decisions
                self.app.bell()  # again, and the record (now decided) is not served again
                self.notify(f"{err}; on to the next record", title=err.title, severity="warning", timeout=8)
                self._move_past_refused(project)
                return
            except store_errors() as err:  # store busy or lost, session taken over: not saved, the record stays
                report_error(self, err)
                return
            self._last = f"{label} #{record.id}" + (f" ({', '.join(reasons)})" if reasons else "")
            self._opened_id = None
            self.notes.pop(record.id, None)  # (it went with the decision)
            self._serve_next(project)
            self._paint()
        self._schedule_retrain()

    def _move_past_refused(self, project: Project) -> None:
        """After a key refused (the record not offered, or decided elsewhere): its note goes (typed for that
        record) and the next record is served, never the one refused."""
        self._opened_id = None
        self._drop_note()
        self._serve_next(project)
        self._paint()

    def _serve_next(self, project: Project) -> None:
        """Show the next record (after a key, or when the queue changed under the screen). Its look at the store
        can fail (a busy store, a lost server), after a key's write went in too: said in one line, and the record
        on screen stays (the next key or look tries again)."""
        try:
            self.current = self._listed(project, project.session.next_record())
        except store_errors() as err:
            report_error(self, err)

    def _listed(self, project: Project, record: Record | None, *, use_read_ahead: bool = True) -> Record | None:
        """``record`` as the reviewer reads it: with the doi and PMID of the duplicates dedup set aside where it lacks
        them (``services.dedup.with_group_identifiers``, the rule ``review export records --decision`` lists it by).
        ``use_read_ahead``: the record read ahead (filled after the last frame) may serve when it is this one, so the
        key that serves it reads nothing more; False fills it afresh (the read ahead itself, a record opened by id)."""
        if record is None or record.id is None:
            return record
        ahead = self._ahead_listed
        if use_read_ahead and ahead is not None and ahead.id == record.id:
            return ahead
        return with_group_identifiers(project.workspace, [record])[0]

    def action_undo(self) -> None:
        project = self.project
        if project is None:
            return
        try:
            undone = project.session.undo()
        except store_errors() as err:  # store busy or lost, session taken over: nothing undone
            report_error(self, err)
            return
        if undone is None:
            self.notify("Nothing to undo", timeout=2)
            return
        with self._collect_after_frame():
            self._last = f"undid {undone.label} #{undone.record_id}"
            if not project.session.is_to_screen(undone.record_id):  # removed before screening since (a shell)
                self.notify(f"Undid {undone.label} of #{undone.record_id}, which is no longer offered "
                            f"({project.session.why_refused(undone.record_id)}).", timeout=6)
            left, kept = self.current, self.note
            self._serve_next(project)  # the undone record, unless it is no longer offered
            if kept and left is not None and left.id is not None and (self.current is None or self.current.id != left.id):
                if project.session.is_decided(left.id):  # opened with / after its decision: it is not served again
                    self._drop_note_of(left.id, f"#{left.id} is decided already and is not shown again")
                else:
                    self.notify(f"Your note stays with #{left.id} and shows again with it: {kept}", timeout=6)
            if self.current is not None and self.current.id == undone.record_id and undone.note \
                    and undone.note != BROWSER_NOTE and not self.note:
                # The undone decision's note belongs to the record: back as its note, for its next decision.
                self.notes[undone.record_id] = undone.note
                self._last += " (its note is back: n edits it)"
            # An undone correction leaves the earlier decision: the record was chosen, not served
            # (the next key is a correction again, and a screen resume must not swap it).
            shown = self.current.id if self.current is not None else None
            self._opened_id = shown if shown == undone.record_id and project.session.is_decided(shown) else None
            if self._opened_id is not None:  # (which decision is in force now: the undo said only what went)
                self._last += f" ({project.session.label_in_force(self._opened_id)} stands again)"
            self._paint()
        self._schedule_retrain()

    @contextmanager
    def _collect_after_frame(self) -> Iterator[None]:
        """No garbage collection from a decision key until its frame is out.

        The frame allocates thousands of short-lived objects, enough for several young
        collections (now and then an older one, 2-5 ms) on the key's time; after the frame
        the reviewer reads, and the collector catches up then.
        """
        collecting = pause_collection()  # (off while the app starts: see ReviewApp.on_mount)
        try:
            yield
        finally:
            # Registered after the paint's own after-refresh work (read-ahead), and not before
            # it: an after-refresh callback queued before the paint runs that work before the
            # frame too.
            if collecting:
                self.call_after_refresh(resume_collection)

    def action_reason(self) -> None:
        project, record = self.project, self.current
        if project is None or record is None:
            return

        def picked(reason: str) -> None:
            # A retrain landing under the picker may move on from a record removed in a shell:
            # the reason was picked for the record shown when r was pressed, and only for it.
            if self.current is None or self.current.id != record.id:
                self.notify(f"#{record.id} is no longer on screen: nothing decided", severity="warning", timeout=6)
                return
            self.action_decide("exclude", (reason,))

        ask_reason(self.app, project.criteria.criteria.reasons, picked, record.id)

    def action_note(self) -> None:
        record = self.current
        if record is None or record.id is None:
            return
        record_id = record.id

        def saved(note: str | None) -> None:
            if note is None:
                return
            # As a picked reason: the note was typed for the record shown when n was pressed.
            if self.current is None or self.current.id != record.id:
                if note:
                    self.notify(f"#{record.id} is no longer on screen: note dropped: {note}", severity="warning",
                                timeout=8)
                return
            if note:
                self.notes[record_id] = note
            else:  # (an emptied note box takes the note away)
                self.notes.pop(record_id, None)
            self._paint()

        self.app.push_screen(NoteScreen(self.note, record_id=record_id), saved)

    def action_search(self) -> None:
        project = self.project
        if project is None:
            return
        def decided() -> dict[int, str]:  # (in the search's worker: the decisions may be read again)
            return {rid: d.label for (rid, _), d in current_decisions(project.workspace, project.reviewer).items()}

        def opened(record_id: int | None) -> None:
            if record_id is not None:
                try:
                    record = self._listed(project, get_record(project.workspace, record_id), use_read_ahead=False)
                except store_errors() as err:  # (a lost server: said in one line, the record on screen stays the
                    report_error(self, err)    # one the next key decides; raised here, it ended the app)
                    return
                # Pinned: the screen-resume check that skips records decided elsewhere must
                # not swap a record the reviewer chose (the next key would decide another).
                self._opened_id = record_id
                self.current = record
                # A record decided before says so: the screen showed it as if new, and the next key changes it.
                earlier = project.session.label_in_force(record_id)
                self._last = f"opened #{record_id} from search" + (
                    f" (your decision: {earlier}; a key changes it)" if earlier else "")
                self._paint()

        self.app.push_screen(SearchScreen(project.records, decided), opened)

    def action_stop(self) -> None:
        """Ask, then record a screening stop with the rule's verdict (PRISMA reads it)."""
        project = self.project
        if project is None:
            return
        if group_running(self, "screening-stop"):  # (a second stop would need a second resume)
            self.notify("The screening stop is still being recorded.", title="Stopped", timeout=3)
            return
        try:
            standing = current_screening_stop(project.workspace)
        except store_errors() as err:  # (a busy store: the stop's own check refuses a second one too)
            report_error(self, err)
            return
        if standing is not None:
            self.notify(f"Screening stop {standing.id} stands already: review prisma resume withdraws it.",
                        title="Stopped", severity="warning", timeout=8)
            return
        progress = project.session.progress()
        stopping = progress.stopping
        # (review.toml's team, as the dashboard's t names it: no store read on the UI thread)
        team = len({*project.workspace.config.reviewers, project.reviewer}) > 1
        question = stop_question(stopping, progress.remaining, team=team)

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify("Recording the screening stop…", title="Stopped", timeout=3)
                self.record_stop(stopping)

        # Enter answers yes only while the rule says stop: a stop against its verdict (the reviewers' own, which
        # the diagram reports as such) is a methods decision, not the default of a key pressed by habit.
        by_rule = verdict_credits_rule({"verdict": stopping.verdict})
        self.app.push_screen(ConfirmScreen(question, enter_answers=by_rule), answered)

    @work(thread=True, exit_on_error=False, group="screening-stop")
    def record_stop(self, stopping: Any) -> None:
        """Record the stop: it counts PRISMA's boxes first (the unscreened rest), ~30 ms on the demo and more
        on a large review, on the UI thread before; a failure (a busy store) is one notification."""
        project = self.project
        assert project is not None
        stop = record_screening_stop(project.workspace, project.reviewer, stopping.explanation, verdict=stopping)
        # (blind, no count: beside the reviewer's own remaining it tells how many records the others screened)
        said = f": {BLIND_UNSCREENED}." if project.blind else f" ({stop.n_unscreened:,} records unscreened)."
        self.app.call_from_thread(self.notify, f"Screening stop recorded{said}", title="Stopped")

    # -- retraining ----------------------------------------------------------------------
    def _schedule_retrain(self) -> None:
        """Retrain once the reviewer pauses, so a burst of keys never waits for the model.

        The thread worker competes with the UI for the GIL; starting it after the frame is
        painted and after RETRAIN_DELAY of quiet keeps every key's answer fast.
        """
        if self._retrain_timer is not None:
            self._retrain_timer.stop()
        self._retrain_timer = self.set_timer(self.retrain_delay, self.request_retrain)

    def request_retrain(self) -> None:
        """Retrain now, or as soon as the running retrain has landed; never in a read-only window (a retrain
        saves the queue it ranks, and no decision there could change it): the stored queue serves."""
        project = self.project
        if project is None:
            return
        if project.read_only:
            self._set_model_status("ranking: as stored (read-only)")
            return
        if self._retrain_timer is not None:  # (fired, or overtaken by a call from a script)
            self._retrain_timer.stop()
            self._retrain_timer = None
        if self._training:
            self._train_again = True
            return
        self._training = True
        self._set_model_status("ranking: retraining…")
        self._retrain_worker = self.retrain()

    @work(thread=True, exclusive=True, exit_on_error=False, group="retrain")
    def retrain(self) -> None:
        """Fit and rank on every label so far; the UI keeps serving the last ranking."""
        project = self.project
        assert project is not None
        started = perf_counter()
        aside_changed = project.refresh_set_aside()  # records removed (or restored) in a shell since: the queue follows
        ranking = project.retrainer.retrain(project.session)  # another process by default
        if not get_current_worker().is_cancelled:
            self.post_message(RankingReady(ranking, perf_counter() - started, ranking.n_labelled,
                                           set_aside_changed=aside_changed))

    @on(RankingReady)
    def _ranking_ready(self, message: RankingReady) -> None:
        project = self.project
        self._training = False
        if project is not None and message.ranking is not None:
            ranking = message.ranking
            project.session.apply_ranking(ranking)
            self.ranked_labels = ranking.n_labelled
            self.retrain_error = ""
            status, tooltip = ranking_status(ranking.model_info, ranking.n_labelled)
            self._set_model_status(status)
            self.query_one("#model", Static).tooltip = f"{tooltip} (last retrain + re-rank took {message.seconds:.2f} s)"
            self.call_after_refresh(self._read_ahead)  # the new order may put another record next
            self._follow_queue(counts_changed=message.set_aside_changed)  # (the retrain read removals and restores)
            self._ask_stopping_evidence()
        if self._train_again:
            self._train_again = False
            self.request_retrain()

    # -- the stopping rule's classifier evidence (after the queue, never before it) --------------
    def _ask_stopping_evidence(self) -> None:
        """After a queue is delivered, back on this screen and when the records set aside change: the
        classifier's evidence if a check is due (one at a time; a check due meanwhile is asked for after the
        next ranking). The queue never waits for it."""
        if self._evidence_running or self.project is None:
            return
        self._evidence_running = True
        self.stopping_evidence()

    @work(thread=True, exit_on_error=False, group="stopping-evidence")
    def stopping_evidence(self) -> None:
        project = self.project
        assert project is not None
        session = project.session
        epoch = session.evidence_epoch  # read first: an undo from here on drops what comes back
        if not session.stopping_evidence_due():
            self.post_message(StoppingEvidenceReady(None, epoch, computed=False))
            return
        self.post_message(StoppingEvidencePending())
        evidence = project.retrainer.stopping_evidence(session)  # its own worker process by default
        self.post_message(StoppingEvidenceReady(evidence, epoch, computed=True))

    @on(StoppingEvidencePending)
    def _stopping_evidence_pending(self) -> None:
        self._evidence_pending = True
        if self._started and self.project is not None:
            self._paint_progress(self.project.session.progress())

    @on(StoppingEvidenceReady)
    def _stopping_evidence_ready(self, message: StoppingEvidenceReady) -> None:
        self._evidence_running = self._evidence_pending = False
        project = self.project
        if project is None:
            return
        if project.session.apply_stopping_evidence(message.evidence, message.epoch):
            project.retrainer.evidence = message.evidence  # the retrain worker's stored queue carries it
        if message.computed and self._started:
            self._paint_progress(project.session.progress())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "stopping-evidence":
            if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
                event.prevent_default()  # the Lomax verdict stands; the next ranking asks again
                self._evidence_running = self._evidence_pending = False
                if event.state == WorkerState.ERROR and event.worker.error is not None:
                    self.notify(first_line(event.worker.error), title="Stopping evidence failed",
                                severity="warning", timeout=8)
            return
        if event.worker.group == "retrain":  # reported here, with the model status line: not again
            event.prevent_default()        # by ProjectScreen's handler
        # The retrain started from ``_ranking_ready`` cancels its finished predecessor (same
        # exclusive group); that CANCELLED must not mark the new one as stopped.
        if event.worker is not self._retrain_worker:
            return
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            # A retrain asked for meanwhile is dropped too: the next decision asks again, and a
            # failing fit is not retried in a loop (``retraining`` must not stay on with nothing running).
            self._training = self._train_again = False
            if event.state == WorkerState.ERROR:
                error = event.worker.error
                self.retrain_error = first_line(error) if error is not None else "failed"
                self.notify(self.retrain_error, title="Retraining failed", severity="error", timeout=8)
                self._set_model_status("ranking: retraining failed (see notification)")
            else:
                self._set_model_status("ranking: retraining stopped")
