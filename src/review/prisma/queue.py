"""The full-text work list: every report that reached (or should reach) full text, with its state.

Shared by ``review fulltext list`` and the TUI, so both show the same queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .counts import PrismaCounts, prisma_counts
from ..store.fulltext import current_screening_labels, report_links
from .fulltext import report_states, resolve_studies

if TYPE_CHECKING:
    from ..workspace import Workspace

#: Columns of ``review fulltext list``.
QUEUE_COLUMNS: tuple[str, ...] = ("record_id", "study_id", "source", "retrieval", "eligibility", "reason", "title")


@dataclass(slots=True, frozen=True)
class QueueItem:
    record_id: int
    study_id: int
    source: str
    retrieval: str  # pending | retrieved | not_retrieved | not_sought
    eligibility: str  # pending | eligible | excluded | conflict
    reason: str
    title: str

    @property
    def done(self) -> bool:
        """Nothing left to do: judged, or recorded as not retrievable."""
        return self.eligibility in ("eligible", "excluded") or self.retrieval == "not_retrieved"

    def row(self) -> tuple[str, ...]:
        return (str(self.record_id), str(self.study_id), self.source, self.retrieval, self.eligibility,
                self.reason, self.title)


#: The title/abstract labels that send a record to full text whatever the other reviewers said (a conflict
#: passes on until it is resolved), so a blind reviewer may see it there (decision 0052).
OWN_PASSING_LABELS = frozenset({"include", "maybe"})


def fulltext_queue(workspace: "Workspace", counts: PrismaCounts | None = None, *,
                   blind_for: str | None = None) -> list[QueueItem]:
    """Reports passed on from title/abstract screening or from other methods, plus any report
    with full-text events, in record order.

    ``blind_for``: a reviewer screening blind sees only the reports that reveal no other reviewer's
    title/abstract label: those they included or marked maybe themselves, and those from other methods
    (never screened). A record another reviewer included and they excluded or did not screen is left out. Its
    eligibility and reason are the reviewer's own full-text judgement, or pending (decision 0055)."""
    counts = counts or prisma_counts(workspace)
    store = workspace.store
    # Blind, the full-text judgements are the reviewer's own too (decision 0055): another reviewer's would show
    # as their verdict, or as a conflict with the reviewer's.
    states = report_states(store, judged_by=blind_for)
    boxes = counts.boxes
    passed = set(boxes["records_screened"]) - set(boxes["records_excluded"])
    other = (set(boxes["website_results"]) | set(boxes["organisation_results"])
             | set(boxes["citations_results"])) - set(boxes["other_duplicates"])
    screened_on = passed | set(states)
    if blind_for is not None:
        # (the labels alone: the reviewer's whole rows, their JSON decoded, took 0.25 s at 20,000 decisions)
        own = {record_id for (record_id, _), label in current_screening_labels(store, reviewer=blind_for).items()
               if label in OWN_PASSING_LABELS}
        screened_on &= own
    wanted = sorted(screened_on | other)
    records = {r.id: r for r in store.records(wanted)}
    studies = resolve_studies({rid: link.study_id for rid, link in report_links(store).items()}, wanted)
    items = []
    for record_id in wanted:
        record = records[record_id]
        state = states.get(record_id)
        items.append(QueueItem(
            record_id=record_id, study_id=studies[record_id], source=record.source,
            retrieval=state.retrieval if state else "not_sought",
            eligibility=state.eligibility if state else "pending",
            reason=state.reason if state else "",
            title=" ".join(record.title.split()),
        ))
    return items
