"""Records removed before screening: not offered for screening (decision 0021).

Two kinds, as PRISMA 2020 counts them under "records removed before screening": records removed
by hand for a stated reason (``review prisma remove``) and notices or comments (errata,
retraction notices) that dedup linked to the article they are about. The screening queue leaves
them out as it leaves out duplicates set aside; PRISMA reads the same definition from here
(screening never reads PRISMA), so the queue and the flow diagram cannot drift apart.

``set_aside`` is the whole rule in one place: duplicates set aside plus these removals, the records
the queue does not offer. The session, ``review status``, the conflicts list and inter-rater
agreement all read it, so a conflict or a kappa never counts a record PRISMA does not screen.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import ReviewError

if TYPE_CHECKING:  # (the TUI imports ``NotOffered`` before the store is loaded)
    from ..store import Store

__all__ = ["NotOffered", "Removal", "SetAside", "removed_before_screening", "set_aside"]


#: Why a duplicate is not offered: one phrase for the record browser, conflicts and refusals.
DUPLICATE_SET_ASIDE = "set aside as a duplicate by dedup"


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
        """In words, as the record browser and the conflicts screen say it (``SetAside.why``; a
        refusal, ``review decide``'s among them, says :meth:`why_refused`)."""
        if self.notice_of is not None:
            return f"notice of #{self.notice_of} ({self.kind})"
        return f"removed before screening: {self.reason}"

    def why_refused(self) -> str:
        """Why, as it stands inside a refusal's parentheses (so none nested in it)."""
        if self.notice_of is not None:
            return f"{self.kind} of record {self.notice_of}, linked by dedup"
        return f"removed before screening: {self.reason}"


def removed_before_screening(store: Store, duplicates: Collection[int] | None = None) -> dict[int, Removal]:
    """Record id -> why it is removed before screening: by hand (that reason wins), or a linked
    notice that is not itself a duplicate set aside (``duplicates``: dedup's, read when None)."""
    from ..dedup.decisions import linked_notices
    from ..store.fulltext import current_removals

    removals = {record_id: Removal(reason) for record_id, reason in current_removals(store).items()}
    for link in linked_notices(store, duplicates):  # dedup's rule: a notice not itself a duplicate
        if link.notice_id not in removals:
            removals[link.notice_id] = Removal("", notice_of=link.about_id, kind=link.kind)
    return removals


@dataclass(frozen=True, slots=True)
class SetAside:
    """The records the screening queue does not offer, and why: duplicates dedup set aside and
    records removed before screening. Every other record of the workspace is one to screen."""

    duplicates: frozenset[int] = frozenset()
    removed: Mapping[int, Removal] = field(default_factory=dict)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.duplicates or record_id in self.removed

    def ids(self) -> set[int]:
        """Every record set aside, for either reason."""
        return set(self.duplicates) | set(self.removed)

    def why(self, record_id: int) -> str:
        """In words, as the record browser and the conflicts screen say it ("" for a record to screen)."""
        if record_id in self.duplicates:
            return DUPLICATE_SET_ASIDE
        removal = self.removed.get(record_id)
        return removal.describe() if removal is not None else ""

    def why_refused(self, record_id: int) -> str:
        """Why a decision on ``record_id`` is refused, to stand inside the refusal's parentheses
        ("" for a record to screen): the one phrase the session, ``review decide`` and conflict
        resolution give."""
        if record_id in self.duplicates:
            return DUPLICATE_SET_ASIDE
        removal = self.removed.get(record_id)
        return removal.why_refused() if removal is not None else ""

    def refusal(self, record_id: int) -> str:
        """``record N: not offered for screening (why)`` ("" for a record to screen)."""
        why = self.why_refused(record_id)
        return f"record {record_id}: not offered for screening ({why})" if why else ""


def set_aside(store: Store, duplicates: Collection[int] | None = None) -> SetAside:
    """What the screening queue leaves out now (``duplicates``: dedup's, read when None)."""
    from ..dedup.decisions import duplicate_ids

    duplicates = frozenset(duplicate_ids(store) if duplicates is None else duplicates)
    return SetAside(duplicates, removed_before_screening(store, duplicates))
