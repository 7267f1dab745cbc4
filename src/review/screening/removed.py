"""Records removed before screening: not offered for screening (decision 0021).

Two kinds, as PRISMA 2020 counts them under "records removed before screening": records removed
by hand for a stated reason (``review prisma remove``) and notices or comments (errata,
retraction notices) that dedup linked to the article they are about. The screening queue leaves
them out as it leaves out duplicates set aside; PRISMA reads the same definition from here
(screening never reads PRISMA), so the queue and the flow diagram cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ReviewError

if TYPE_CHECKING:  # (the TUI imports ``NotOffered`` before the store is loaded)
    from ..store import Store

__all__ = ["NotOffered", "Removal", "removed_before_screening"]


class NotOffered(ReviewError):
    """A decision on a record the queue leaves out (a duplicate set aside, removed before screening)."""


@dataclass(frozen=True, slots=True)
class Removal:
    """Why one record is removed before screening."""

    #: The reason given to ``review prisma remove`` ("" for a linked notice).
    reason: str
    #: The record a linked notice or comment is about (None for a removal by hand).
    notice_of: int | None = None
    #: erratum | retraction | expression of concern | comment (a linked notice only).
    kind: str = ""

    def describe(self) -> str:
        """In words, as the record browser and ``review decide`` say it."""
        if self.notice_of is not None:
            return f"notice of #{self.notice_of} ({self.kind})"
        return f"removed before screening: {self.reason}"


def removed_before_screening(store: Store, duplicates: Collection[int] | None = None) -> dict[int, Removal]:
    """Record id -> why it is removed before screening: by hand (that reason wins), or a linked
    notice that is not itself a duplicate set aside (``duplicates``: dedup's, read when None)."""
    from ..dedup.decisions import duplicate_ids, related_links
    from ..store.fulltext import current_removals

    removals = {record_id: Removal(reason) for record_id, reason in current_removals(store).items()}
    set_aside = duplicate_ids(store) if duplicates is None else duplicates
    for link in related_links(store):
        if link.notice_id not in removals and link.notice_id not in set_aside:
            removals[link.notice_id] = Removal("", notice_of=link.about_id, kind=link.kind)
    return removals
