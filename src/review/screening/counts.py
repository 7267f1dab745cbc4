"""One definition per screening count, and one label for it, for every screen and command.

* **Screened**: records this reviewer has a current decision on (an undo takes it back),
  among the records to screen (duplicates set aside by dedup do not count).
* **Included / Excluded / Maybe**: those decisions by label; they add up to Screened.
* **Relevant found**: Included + Maybe — what the stopping rule counts as relevant.
* **Remaining**: records to screen minus Screened.
* **Records screened (PRISMA)**: records with a title/abstract verdict from any reviewer,
  as the PRISMA box counts them (``prisma.counts``); it is a different number on purpose.

The TUI (screening line, dashboard, curve) and ``review status`` all take their numbers
from :func:`count_decisions` (or :func:`count_labels`) and their words from :data:`COUNT_LABELS`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

__all__ = ["COUNT_LABELS", "RELEVANT_LABELS", "ScreeningCounts", "count_decisions", "count_labels", "reviewer_counts"]

#: Labels the stopping rule and "Relevant found" count as relevant.
RELEVANT_LABELS: frozenset[str] = frozenset({"include", "maybe"})

#: The words every front end uses for each count.
COUNT_LABELS: Mapping[str, str] = {
    "screened": "Screened",
    "included": "Included",
    "excluded": "Excluded",
    "maybe": "Maybe",
    "relevant": "Relevant found",
    "remaining": "Remaining",
    "prisma_screened": "Records screened (PRISMA, any reviewer)",
}


@dataclass(frozen=True, slots=True)
class ScreeningCounts:
    """One reviewer's counts over the records to screen."""

    total: int
    screened: int
    included: int
    excluded: int
    maybe: int

    @property
    def relevant(self) -> int:
        return self.included + self.maybe

    @property
    def remaining(self) -> int:
        return self.total - self.screened


def count_decisions(labels: Iterable[str], total: int) -> ScreeningCounts:
    """Counts from the current labels of one reviewer on records to screen."""
    return count_labels(Counter(labels), total)


def count_labels(by_label: Mapping[str, int], total: int) -> ScreeningCounts:
    """Counts from how many current decisions of one reviewer on records to screen carry each label
    (a session keeps these up to date decision by decision)."""
    included, excluded, maybe = by_label.get("include", 0), by_label.get("exclude", 0), by_label.get("maybe", 0)
    return ScreeningCounts(total=total, screened=included + excluded + maybe,
                           included=included, excluded=excluded, maybe=maybe)


def reviewer_counts(current: Mapping[tuple[int, str], object], to_screen: Collection[int]) -> dict[str, ScreeningCounts]:
    """Per reviewer, from ``store.current_decisions()`` and the ids of the records to screen."""
    labels: dict[str, list[str]] = {}
    for (record_id, reviewer), decision in current.items():
        if record_id in to_screen:
            labels.setdefault(reviewer, []).append(str(decision.label))  # type: ignore[attr-defined]
    return {reviewer: count_decisions(values, len(to_screen)) for reviewer, values in labels.items()}
