"""Small modals that return typed results: a note, an exclusion reason, a search hit, a label."""

from __future__ import annotations

from typing import Any, ClassVar

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from ...errors import first_line
from ...records import Record
from ...services.screening import store_errors
from ..highlight import Criteria, render_record
from ..messages import RecordRead, SearchHits
from .base import report_worker_error

#: Search hits shown at most (the list stays instant on 50,000 records).
MAX_HITS = 200


class NoteScreen(ModalScreen[str | None]):
    """Ask for a free-text note; Enter saves, Escape cancels."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note.cancel")]

    def __init__(self, current: str = "", *, record_id: int | None = None) -> None:
        super().__init__()
        self.current = current
        self.record_id = record_id
        """The record the note is typed for (None: a note for no record, which ``unsaved`` never counts)."""

    def unsaved(self) -> str:
        """Text typed in the box and not yet saved with Enter ("" if none, or the note as it was): quitting
        loses it, as it loses a note waiting for its decision (``ReviewApp.waiting_notes`` counts both)."""
        typed = self.query_one("#note-input", Input).value.strip()
        return typed if typed != self.current.strip() else ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Note for this record (Enter saves, Esc cancels)")
            yield Input(value=self.current, placeholder="e.g. check full text: recurrence defined?", id="note-input")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        # Esc out of habit lost a typed note without a word: it still saves nothing, but says what it was.
        if typed := self.unsaved():
            self.app.notify(f"Note not saved (Esc): {typed}", title="Note", severity="warning", timeout=10)
        self.dismiss(None)


#: How the question's key line names a key.
KEY_WORDS = {"escape": "Esc", "enter": "Enter"}


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; ``y`` confirms, ``n`` or Escape declines, Enter answers ``enter_answers``: yes
    by default, no where a yes loses what was typed (an Enter meant for a box just closed must not).
    ``[tui.keys]`` remaps each by its id; the key line under the question names the keys in use."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding("enter", "enter", "Default answer", show=False, id="confirm.enter"),
    ]

    def __init__(self, question: Text | str, *, enter_answers: bool = True) -> None:
        super().__init__()
        self.question = question
        self.enter_answers = enter_answers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            yield Label(Text(self.key_line(), style="dim"))

    def key_line(self) -> str:
        """``y / Enter: yes    n / Esc: no`` with the keys bound now (a ``[tui.keys]`` of review.toml too)."""
        keys: dict[str, list[str]] = {}
        for key, active in self.active_bindings.items():
            keys.setdefault(active.binding.id or "", []).append(KEY_WORDS.get(key, key))
        yes, no, enter = (keys.get(f"confirm.{name}", []) for name in ("yes", "no", "enter"))
        if self.enter_answers:
            yes = yes + enter
        else:
            no = no + enter
        return f"{' / '.join(yes)}: yes    {' / '.join(no)}: no"

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_enter(self) -> None:
        self.dismiss(self.enter_answers)


class ReasonScreen(ModalScreen[str | None]):
    """Pick an exclusion reason from the configured list (digits pick directly)."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="reason.cancel"),
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)),
    ]

    def __init__(self, reasons: Sequence[str], record_id: int | None = None) -> None:
        super().__init__()
        self.reasons = list(reasons)
        #: The record the reason is for, named in the question: the dialog hides the row or record it came from.
        self.record_id = record_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            which = "" if self.record_id is None else f" #{self.record_id}"
            yield Label(f"Exclude{which} because… (1-9 or Enter; Esc cancels)")
            # Text: an OptionList reads a str prompt as markup, and "[adults]" in a reason vanished.
            yield OptionList(*(Option(Text(f"{i}. {r}" if i < 10 else r), id=str(i - 1))
                               for i, r in enumerate(self.reasons, start=1)), id="reasons")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(int(event.option.id or 0))

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.reasons):
            self.dismiss(self.reasons[index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_reason(app: App[Any], reasons: Sequence[str], then: Callable[[str], None],
               record_id: int | None = None) -> None:
    """Open the reason picker (for ``record_id``, named in it); ``then`` runs with the picked reason, and not at
    all on Escape."""

    def chosen(reason: str | None) -> None:
        if reason:
            then(reason)

    app.push_screen(ReasonScreen(reasons, record_id), chosen)


def search_records(records: dict[int, Record], query: str, limit: int = MAX_HITS) -> list[Record]:
    """Records whose title, abstract, authors, ids or keywords contain every word of ``query``, at most ``limit``.

    A word ``#12`` is the record id 12 and nothing else (the screens name records so: it found none, as no text
    holds "#"); a plain number that is a record's id puts that record first (it also matches inside other
    numbers: a PMID, a sample size)."""
    words = [w for w in query.lower().split() if w]
    if not words:
        return []
    ids = {int(w[1:]) for w in words if w.startswith("#") and w[1:].isdigit()}
    if ids:
        if len(ids) > 1:  # (one record cannot be two ids)
            return []
        record = records.get(ids.pop())
        rest = [w for w in words if not (w.startswith("#") and w[1:].isdigit())]
        return [record] if record is not None and all(w in _haystack(record) for w in rest) else []
    first = [records[int(w)] for w in words if w.isdigit() and int(w) in records]
    hits = [r for r in first if all(w in _haystack(r) for w in words)][:1]
    # By id, and one haystack a record: ``record not in hits`` compared whole records (every field) against each
    # hit, 1.4 s for 166 hits spread over 50,000 records, and the haystack was built again for every word.
    listed = {r.id for r in hits}
    for record in records.values():
        if len(hits) >= limit:
            break
        if record.id in listed:
            continue
        haystack = _haystack(record)
        if all(w in haystack for w in words):
            hits.append(record)
    return hits


def _haystack(record: Record) -> str:
    return " ".join((record.title, record.abstract, " ".join(record.authors), record.pmid,
                     record.doi, " ".join(record.keywords), str(record.id))).lower()


class SearchScreen(ModalScreen[int | None]):
    """Find a record by text; returns its id."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="search.cancel"),
        Binding("down", "to_hits", "First result", show=False, id="search.to_hits"),
    ]

    def __init__(self, load_records: Callable[[], dict[int, Record]],
                 load_decided: Callable[[], dict[int, str]] | None = None) -> None:
        """``load_records`` and ``load_decided`` (the reviewer's label per record, marked in the hits) are
        called in the search's worker, the first time it runs: reading them is no work for the UI thread
        (the decisions took 237–465 ms at 5,000 of them, tui-blocking page)."""
        super().__init__()
        self.load_records = load_records
        self.load_decided = load_decided
        self.decided: dict[int, str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Search words, authors, PMID, DOI or #id (Enter opens, Esc cancels)")
            yield Input(placeholder="words…", id="search-input")
            yield Label("", id="hits-count")
            yield OptionList(id="hits")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        hits = self.query_one("#hits", OptionList)
        if hits.option_count:
            hits.focus()
            if hits.highlighted is None:
                hits.highlighted = 0
        else:
            self.notify("No record matches yet: type more, or Esc to cancel.", timeout=3)

    def action_to_hits(self) -> None:
        """Down in the text box: onto the first result (OptionList's own Down then moves on)."""
        hits = self.query_one("#hits", OptionList)
        if hits.has_focus:
            return
        if not hits.option_count:
            self.notify("No results yet.", timeout=2)
            return
        hits.focus()
        hits.highlighted = 0

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_worker_error(self, event)  # (a store that cannot be read: one line, not silence)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(self, query: str) -> None:
        records = self.load_records()
        if self.decided is None:
            try:
                self.decided = self.load_decided() if self.load_decided is not None else {}
            except store_errors() as err:  # (the marks alone: the records are read, the search goes on)
                self.decided = {}  # (not read again at every key: one notification)
                self.app.call_from_thread(
                    self.notify, f"Searching without the marks of decided records: they could not be read "
                    f"({first_line(err)}).", severity="warning", timeout=8)
        hits = search_records(records, query)
        if not get_current_worker().is_cancelled:
            self.post_message(SearchHits(hits))

    @on(SearchHits)
    def _hits(self, message: SearchHits) -> None:
        options = self.query_one("#hits", OptionList)
        options.clear_options()
        # How many: the list stops at MAX_HITS, and a cut list looked whole.
        found = len(message.records)
        said = ("" if not self.query_one("#search-input", Input).value.strip() else
                "No record matches every word." if not found else
                f"The first {found} matches: type more words to narrow." if found >= MAX_HITS else
                f"{found:,} match{'' if found == 1 else 'es'}; ↓ or Enter goes to the list.")
        self.query_one("#hits-count", Label).update(Text(said, style="dim"))
        for record in message.records:
            label = Text(f"#{record.id} ")
            mark = (self.decided or {}).get(record.id) if record.id is not None else None
            if mark:
                label.append(f"[{mark}] ", style="dim")
            label.append(record.title or "(no title)")
            if record.year:
                label.append(f" ({record.year})", style="dim")
            options.add_option(Option(label, id=str(record.id)))

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RecordScreen(ModalScreen[str | None]):
    """One record with its decisions; i/e/m return a new label for the current reviewer."""

    CSS_PATH = "modals.tcss"
    #: The actions that record something, refused in a read-only window (``tui.read_only``).
    WRITES: ClassVar[frozenset[str]] = frozenset({"choose"})
    BINDINGS = [
        Binding("i", "choose('include')", "Include", id="record.include"),
        Binding("e", "choose('exclude')", "Exclude", id="record.exclude"),
        Binding("m", "choose('maybe')", "Maybe", id="record.maybe"),
        Binding("escape", "cancel", "Close", id="record.close"),
    ]

    def __init__(self, record: Record, criteria: Criteria, decisions: Sequence[tuple[str, str]],
                 related: Sequence[str] = (), *, not_offered: str = "") -> None:
        super().__init__()
        self.record = record
        self.criteria = criteria
        self.decisions = decisions
        #: Dedup links of this record ("erratum of record 12"), shown under the decisions.
        self.related = related
        #: Why the record is not offered for screening ("removed before screening: retracted"), or "".
        self.not_offered = not_offered

    @classmethod
    def of_read(cls, message: RecordRead, criteria: Criteria) -> RecordScreen:
        """The record view of a record ``ProjectScreen.open_record`` read (the browser's and the conflicts')."""
        return cls(message.record, criteria, message.decisions, message.related, not_offered=message.not_offered)

    def compose(self) -> ComposeResult:
        summary = Text("Decisions: ", style="bold")
        summary.append(", ".join(f"{who} {label}" for who, label in self.decisions) or "none yet")
        summary.append("   i include · e exclude · m maybe · esc close", style="dim")
        if self.related:
            summary.append("\nRelated: ", style="bold")
            summary.append("; ".join(self.related), style="yellow")
        if self.not_offered:
            summary.append("\nNot offered for screening: ", style="bold")
            summary.append(self.not_offered, style="yellow")
        with Vertical(classes="dialog wide tall"):
            yield Static(summary, id="record-decisions")
            with VerticalScroll():
                yield Static(render_record(self.record, self.criteria), id="record-detail")

    def action_choose(self, label: str) -> None:
        self.dismiss(label)

    def action_cancel(self) -> None:
        self.dismiss(None)
