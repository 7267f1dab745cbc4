"""Records removed before screening: not offered for screening (decision 0021).

Two kinds, as PRISMA 2020 counts them under "records removed before screening": records removed
by hand for a stated reason (``review prisma remove``) and notices or comments (errata,
retraction notices) that dedup linked to the article they are about. The screening queue leaves
them out as it leaves out duplicates set aside; PRISMA reads the same definition from here
(screening never reads PRISMA), so the queue and the flow diagram cannot drift apart.

Records found by other methods (websites, organisations, citation searching) are not offered either:
PRISMA 2020 has no screening boxes for them, they go straight to full text (decision 0023).

``set_aside`` is the whole rule in one place: duplicates set aside, these removals and the records from
other methods, the records the queue does not offer. The session, ``review status``, the conflicts list and inter-rater
agreement all read it, so a conflict or a kappa never counts a record PRISMA does not screen.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import ReviewError
from ..source_kinds import OTHER_KINDS, source_kind

if TYPE_CHECKING:  # (the TUI imports ``NotOffered`` before the store is loaded)
    from ..store import Store
    from ..store.core import Connection
    from ..workspace import Workspace

__all__ = ["NotOffered", "RemovedMeanwhile", "Removal", "SetAside", "kinds_in_use", "other_methods_records",
           "refuse_if_removed", "removed_before_screening", "set_aside", "workspace_set_aside"]


#: Why a duplicate is not offered: one phrase for the record browser, conflicts and refusals.
DUPLICATE_SET_ASIDE = "set aside as a duplicate by dedup"


class NotOffered(ReviewError):
    """A decision on a record the queue leaves out (a duplicate set aside, removed before screening,
    found by other methods)."""


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


class RemovedMeanwhile(NotOffered):
    """A decision refused in its own transaction: the record was removed before screening (``review prisma
    remove`` in another shell) after the deciding session last read the removals."""

    def __init__(self, record_id: int, removal: Removal) -> None:
        # ``SetAside.refusal``'s wording, the one every refusal of a record not offered uses
        super().__init__(f"{SetAside(removed={record_id: removal}).refusal(record_id)}; nothing recorded")
        self.record_id = record_id
        self.removal = removal


def refuse_if_removed(record_id: int) -> Callable[[Connection], None]:
    """A check for ``Store.add_decision``: raise ``RemovedMeanwhile`` when the record is removed before
    screening as the decision's transaction reads it (one indexed read), so a key pressed before the session
    heard of a removal decides nothing."""

    def check(conn: Connection) -> None:
        from ..store.fulltext import removal_reason

        reason = removal_reason(conn, record_id)
        if reason is not None:
            raise RemovedMeanwhile(record_id, Removal(reason))

    return check


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


def kinds_in_use(store: Store, source_kinds: Mapping[str, str] | None) -> dict[str, str]:
    """The PRISMA kind of every source records come from (``source_kinds``: review.toml ``[prisma.sources]``,
    whose kind of such a source, when bad, is refused here: one line naming it)."""
    from ..store.fulltext import source_names

    return {name: source_kind(name, source_kinds) for name in source_names(store)}


def other_methods_records(store: Store, source_kinds: Mapping[str, str] | None) -> dict[int, str]:
    """Record id -> kind (website | organisation | citation) for every record from a source of
    PRISMA 2020's other methods (``source_kinds``: review.toml ``[prisma.sources]``)."""
    from ..store.fulltext import records_from_sources

    kinds = kinds_in_use(store, source_kinds)
    other = {name for name, kind in kinds.items() if kind in OTHER_KINDS}
    return {record_id: kinds[name] for record_id, name in records_from_sources(store, other).items()}


#: How a record of each other-methods kind was found, in words.
_FOUND = {"website": "found on a website", "organisation": "found through an organisation",
          "citation": "found by citation searching"}


def _other_methods_words(kind: str) -> str:
    """One phrase (no parentheses: it stands inside a refusal's) for the browser and refusals."""
    return f"{_FOUND.get(kind, kind)}: other methods go straight to full text"


@dataclass(frozen=True, slots=True)
class SetAside:
    """The records the screening queue does not offer, and why: duplicates dedup set aside,
    records removed before screening and records found by other methods. Every other record of
    the workspace is one to screen."""

    duplicates: frozenset[int] = frozenset()
    removed: Mapping[int, Removal] = field(default_factory=dict)
    #: Records from other methods (not duplicates set aside) -> their source's kind (decision 0023).
    other_methods: Mapping[int, str] = field(default_factory=dict)
    #: Each duplicate -> the canonical record of its cluster, as read with ``duplicates`` (PRISMA counts a
    #: study linked to a duplicate as its canonical's); None when only the ids were given.
    canonical: Mapping[int, int] | None = None

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.duplicates or record_id in self.removed or record_id in self.other_methods

    def ids(self) -> set[int]:
        """Every record set aside, for any reason."""
        return set(self.duplicates) | set(self.removed) | set(self.other_methods)

    def listed(self, record_id: int) -> bool:
        """Set aside but listed with its reason in the record browser: removed before screening or
        found by other methods (a duplicate is listed through the record that stands for it)."""
        return record_id not in self.duplicates and (record_id in self.removed or record_id in self.other_methods)

    def why(self, record_id: int) -> str:
        """In words, as the record browser and the conflicts screen say it ("" for a record to screen)."""
        return self._reason(record_id, refused=False)

    def why_refused(self, record_id: int) -> str:
        """Why a decision on ``record_id`` is refused, to stand inside the refusal's parentheses
        ("" for a record to screen): the one phrase the session, ``review decide`` and conflict
        resolution give."""
        return self._reason(record_id, refused=True)

    def _reason(self, record_id: int, *, refused: bool) -> str:
        if record_id in self.duplicates:
            return DUPLICATE_SET_ASIDE
        removal = self.removed.get(record_id)
        if removal is not None:
            return removal.why_refused() if refused else removal.describe()
        kind = self.other_methods.get(record_id)
        return _other_methods_words(kind) if kind is not None else ""

    def refusal(self, record_id: int) -> str:
        """``record N: not offered for screening (why)`` ("" for a record to screen)."""
        why = self.why_refused(record_id)
        return f"record {record_id}: not offered for screening ({why})" if why else ""


def set_aside(store: Store, duplicates: Mapping[int, int] | Collection[int] | None = None, *,
              source_kinds: Mapping[str, str] | None) -> SetAside:
    """What the screening queue leaves out now (``duplicates``: dedup's, read when None, given as ids or
    as duplicate -> canonical record (``dedup.decisions.canonical_of``: kept as ``SetAside.canonical``);
    ``source_kinds``: review.toml ``[prisma.sources]``, required so that no caller forgets it)."""
    from ..dedup.decisions import duplicate_ids

    canonical = duplicates if isinstance(duplicates, Mapping) else None
    ids = frozenset(duplicate_ids(store) if duplicates is None else duplicates)
    other = {r: kind for r, kind in other_methods_records(store, source_kinds).items() if r not in ids}
    return SetAside(ids, removed_before_screening(store, ids), other,
                    dict(canonical) if canonical is not None else None)


def workspace_set_aside(workspace: Workspace, duplicates: Mapping[int, int] | Collection[int] | None = None
                        ) -> SetAside:
    """What the workspace's screening queue leaves out now, the sources sorted by its review.toml."""
    from ..source_kinds import configured_kinds

    return set_aside(workspace.store, duplicates,
                     source_kinds=configured_kinds(workspace.config.section("prisma")))
