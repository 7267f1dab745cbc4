"""The dashboard's Pipeline panel: what it counts (``gather``, off the UI thread) and its table of stages."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...services.dedup import borderline_pairs
from ...services.prisma import prisma_counts, screening_stop_words
from ...services.screening import COUNT_LABELS, labels_in_order
from ...services.sources import query_files_stamp, query_overview
from ...services.workspace import data_version
from ..messages import Loaded
from ..project import Project

if TYPE_CHECKING:
    from ...services.screening import Progress


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
            counts.screening_stop, excluded_now=counts.n("excluded_automatic"), blind=project.blind))
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
#: The PRISMA row's qualifier, on a line of its own (``review status`` says "Records screened (PRISMA, any reviewer)"):
#: no wider than "Relevant found (you)", so it fits the label column at 80 columns; "(PRISMA, any reviewer)" wrapped
#: there beside a search's "1,585 hits", its "reviewer)" alone on the next line like a row of its own (tui31's walk).
PRISMA_QUALIFIER = "  (PRISMA, anyone's)"
#: In place of the PRISMA row's qualifier while blind (as many rows as unblinded: at 80x24 one more fell below), as
#: short (key 4, the conflicts screen, says what blind mode hides and that b ends it; "borderline (key 3)" above).
PRISMA_HIDDEN_WHY = "  (blind: see key 4)"


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
    label = words["prisma_screened"].partition(" (")[0]
    rows.append((label, PRISMA_HIDDEN if blind else f"{data.prisma_screened:,}", False))
    rows.append((Text(PRISMA_HIDDEN_WHY if blind else PRISMA_QUALIFIER, style="dim"), "", False))
    rows.append(("Excluded (PRISMA)", PRISMA_HIDDEN if blind else f"{data.prisma_excluded:,}", False))
    return rows
