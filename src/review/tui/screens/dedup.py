"""Dedup review: borderline pairs side by side, differences highlighted; same / different / skip."""

from __future__ import annotations

import difflib
import re
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...records import Record
from ..messages import DataReady
from ..project import Project

#: Fields compared side by side, in reading order.
FIELDS: tuple[str, ...] = ("title", "authors", "year", "journal", "volume", "issue", "pages",
                           "doi", "pmid", "source", "abstract")
DIFF_STYLE = "bold black on #e8c66a"
_TOKEN = re.compile(r"\S+|\s+")


def field_text(record: Record, name: str) -> str:
    value = getattr(record, name, "")
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def diff_pair(left: str, right: str) -> tuple[Text, Text]:
    """Both strings with the tokens that differ from the other side highlighted."""
    a, b = _TOKEN.findall(left), _TOKEN.findall(right)
    out_a, out_b = Text(), Text()
    matcher = difflib.SequenceMatcher(None, [t.casefold() for t in a], [t.casefold() for t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        style = "" if op == "equal" else DIFF_STYLE
        out_a.append("".join(a[i1:i2]), style=style)
        out_b.append("".join(b[j1:j2]), style=style)
    return out_a, out_b


def pair_ids(pair: Any) -> tuple[int, int, float | None]:
    """(a, b, score) from whatever the dedup stage returns (object with a/b or a tuple)."""
    for first, second in (("a", "b"), ("record_a", "record_b"), ("left", "right"), ("a_id", "b_id")):
        if hasattr(pair, first) and hasattr(pair, second):
            a, b = getattr(pair, first), getattr(pair, second)
            a = getattr(a, "id", a)
            b = getattr(b, "id", b)
            return int(a), int(b), getattr(pair, "score", None)
    a, b, *rest = pair
    return int(a), int(b), (float(rest[0]) if rest else None)


def pair_table(a: Record, b: Record) -> Table:
    table = Table(expand=True, show_lines=True, header_style="bold")
    table.add_column("field", style="bold", width=9, no_wrap=True)
    table.add_column(f"#{a.id}", ratio=1)
    table.add_column(f"#{b.id}", ratio=1)
    for name in FIELDS:
        left, right = field_text(a, name), field_text(b, name)
        if name == "abstract":
            left, right = left[:700], right[:700]
        if not left and not right:
            continue
        la, rb = diff_pair(left, right)
        table.add_row(name, la, rb)
    return table


class DedupScreen(Screen[None]):
    """One borderline pair at a time."""

    CSS_PATH = "dedup.tcss"
    HELP = ("Pairs the deduplicator could not decide on its own. Highlighted words differ. "
            "**s** same study record (merge, undoable), **d** different records, **k** skip for now.")
    BINDINGS = [
        Binding("s", "verdict('same')", "Same", id="dedup.same", tooltip="Duplicates: merge them"),
        Binding("d", "verdict('different')", "Different", id="dedup.different", tooltip="Distinct records"),
        Binding("k", "skip", "Skip", id="dedup.skip", tooltip="Decide later"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[int, int, float | None]] = []
        self.index = 0
        self.records: dict[int, Record] = {}
        self.decided = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading borderline pairs…", id="dedup-status")
        with VerticalScroll(id="pair-scroll"):
            yield Static("", id="pair")
        with Horizontal(id="dedup-keys"):
            yield Static(Text("s same · d different · k skip", style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "project", self._project_changed, init=True)

    @property
    def project(self) -> Project | None:
        return self.app.project  # type: ignore[attr-defined, no-any-return]

    def _project_changed(self, project: Project | None) -> None:
        if project is not None:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dedup-load")
    def load(self) -> None:
        project = self.project
        assert project is not None
        try:
            from ...store.dedup import borderline_pairs
        except ImportError:
            self.post_message(DataReady(None))
            return
        pairs = [pair_ids(p) for p in borderline_pairs(project.workspace.store)]
        wanted = {i for a, b, _ in pairs for i in (a, b)}
        records = {r.id: r for r in project.workspace.store.records(wanted)} if wanted else {}
        self.post_message(DataReady((pairs, records)))

    @on(DataReady)
    def _loaded(self, message: DataReady) -> None:
        if message.payload is None:
            self.query_one("#dedup-status", Static).update("Deduplication is not installed in this build.")
            return
        self.pairs, self.records = message.payload
        self.index = 0
        self._paint()

    def _paint(self) -> None:
        status = self.query_one("#dedup-status", Static)
        view = self.query_one("#pair", Static)
        if self.index >= len(self.pairs):
            status.update(Text(f"No borderline pairs left ({self.decided} decided here).", style="bold"))
            view.update("")
            return
        a, b, score = self.pairs[self.index]
        head = Text(f"Pair {self.index + 1} of {len(self.pairs)}", style="bold")
        if score is not None:
            head.append(f" · similarity {score:.2f}")
        head.append(f" · {self.decided} decided", style="dim")
        status.update(head)
        view.update(pair_table(self.records[a], self.records[b]))
        self.query_one("#pair-scroll", VerticalScroll).scroll_home(animate=False)

    def action_verdict(self, verdict: str) -> None:
        project = self.project
        if project is None or self.index >= len(self.pairs):
            self.app.bell()
            return
        from ...store.dedup import decide_pair

        a, b, _ = self.pairs[self.index]
        decide_pair(project.workspace.store, a, b, verdict, project.reviewer)  # durable now
        self.decided += 1
        self.index += 1
        self._paint()

    def action_skip(self) -> None:
        if self.index < len(self.pairs):
            self.index += 1
            self._paint()
