"""Clusters from pair decisions, and the canonical record of each cluster.

Duplicate edges are joined strongest first; two groups are never joined when any pair
across them is known to be distinct (a cannot-link), so one weak link cannot chain two
different studies together. Merging never deletes: a cluster lists every member.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from ..records import Record
from ..sources.fields import AUTHORS_INCOMPLETE, marked_incomplete
from ..sources.fields import has_et_al
from ..words import counted


class UnionFind:
    """Disjoint sets with cannot-link constraints between sets."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}
        self.forbidden: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def forbid(self, a: int, b: int) -> None:
        self.forbidden.setdefault(a, set()).add(b)
        self.forbidden.setdefault(b, set()).add(a)

    def _members(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def can_union(self, a: int, b: int, *, ignoring: tuple[int, int] | None = None) -> bool:
        """Whether no cannot-link forbids joining the sets of ``a`` and ``b`` (``ignoring`` one pair's).

        Looks at the cannot-links of the smaller set's members only, each by its root: building the larger
        set's members as a set on every join made one cluster of k records cost k² (0.28 s at 8,000)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        small, large = sorted((ra, rb), key=lambda r: len(self._members(r)))
        for member in self._members(small):
            forbidden = self.forbidden.get(member)
            if not forbidden:
                continue
            blocking = {other for other in forbidden if self.find(other) == large}
            if blocking and ignoring and member in ignoring:
                blocking = blocking - {ignoring[1] if member == ignoring[0] else ignoring[0]}
            if blocking:
                return False
        return True

    def union(self, a: int, b: int) -> bool:
        """Join the sets of ``a`` and ``b`` unless a cannot-link forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self.can_union(a, b):
            return False
        if len(self._members(ra)) < len(self._members(rb)):
            ra, rb = rb, ra
        self.parent[rb] = ra
        # The smaller set's members join the larger's list in place (a new list each join was k² for k records).
        self.members.setdefault(ra, [ra]).extend(self.members.pop(rb, [rb]))
        return True

    def groups(self) -> list[list[int]]:
        """Every set with more than one member, members sorted, sets by smallest member."""
        out = [sorted(m) for root, m in self.members.items() if self.find(root) == root and len(m) > 1]
        return sorted(out, key=lambda g: g[0])


def build_clusters(n: int, edges: Iterable[tuple[int, int, float]],
                   cannot_links: Iterable[tuple[int, int]] = ()) -> list[list[int]]:
    """Groups of indices joined by ``edges`` (i, j, strength), strongest edges first."""
    uf = UnionFind(n)
    for a, b in cannot_links:
        uf.forbid(a, b)
    for a, b, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        uf.union(a, b)
    return uf.groups()


def authors_cut(record: Record) -> bool:
    """Whether the record's author list is cut short: marked so by the import (``authors_incomplete``,
    also as the text a CSV export gives it), or with an "et al" still among the names."""
    return marked_incomplete(record.extra) or any(has_et_al(name) for name in record.authors if name)


def richness(record: Record) -> tuple[int, int, int, int, int, int]:
    """How complete a record is, compared in this order: an abstract (over 50 characters), a DOI, the number of
    authors (0 for a list cut short), pages, a PMID, then the abstract's length."""
    full_authors = 0 if authors_cut(record) else len(record.authors)
    return (
        1 if len(record.abstract or "") > 50 else 0,
        1 if record.doi else 0,
        full_authors,
        1 if record.pages else 0,
        1 if record.pmid else 0,
        len(record.abstract or ""),
    )


def choose_canonical(members: Sequence[int], records: Sequence[Record],
                     decided: Collection[int] = ()) -> tuple[int, str]:
    """The member to show for the cluster and a one-line reason: the richest of those a reviewer
    has already decided on (``decided``: screening or full-text decisions), else the richest;
    ties go to the earliest record.

    A record already screened stays the one shown, so a later import of a richer copy does not
    set its decisions aside with it and put an unscreened copy in the queue.
    """
    kept = [i for i in members if i in decided]
    ranked = sorted(kept or members, key=lambda i: (tuple(-x for x in richness(records[i])), i))
    best = ranked[0]
    record = records[best]
    reasons = []
    if record.abstract:
        reasons.append("has an abstract")
    if record.doi:
        reasons.append("has a DOI")
    if record.authors:
        reasons.append(counted(len(record.authors), 'author'))
    if record.pages:
        reasons.append("pages")
    others = len(members) - 1
    why = ", ".join(reasons) or "earliest record"
    if kept:
        which = "the record" if len(kept) == 1 else f"richest of {len(kept)} records"
        return best, (f"{which} with screening or full-text decisions of {len(members)} records ({why}); "
                      f"keeps {others} other version(s) as members")
    return best, f"richest of {len(members)} records ({why}); keeps {others} other version(s) as members"


#: Fields a merged view fills from the richest member, and how "richer" is measured.
_MERGE_FIELDS: dict[str, object] = {
    "abstract": len, "doi": bool, "pmid": bool, "pages": len, "volume": bool, "issue": bool,
    "journal": len, "year": lambda v: v is not None, "language": bool,
}


def merge_fields(members: Sequence[Record], canonical: int = 0) -> tuple[Record, dict[str, int]]:
    """A view of the cluster: the canonical record with each empty or poorer field taken from
    the member that has the richest value (longest abstract, a DOI, the full author list).

    Returns the merged record (a copy; the originals are untouched) and ``field → index of
    the member it came from`` for every field not taken from the canonical record.
    """
    from dataclasses import replace

    base = members[canonical]
    values: dict[str, object] = {}
    sources: dict[str, int] = {}
    for name, measure in _MERGE_FIELDS.items():
        best = max(range(len(members)), key=lambda i: (measure(getattr(members[i], name)), i == canonical))  # type: ignore[operator]
        if best != canonical and measure(getattr(members[best], name)) > measure(getattr(base, name)):  # type: ignore[operator]
            values[name] = getattr(members[best], name)
            sources[name] = best
    cut = [authors_cut(m) for m in members]
    full = [i for i, m in enumerate(members) if m.authors and not cut[i]]
    best_authors = max(full or range(len(members)), key=lambda i: (len(members[i].authors), i == canonical))
    best_count, base_count = len(members[best_authors].authors), len(base.authors)
    # A full list replaces a cut one of as many names ("Smith J, Jones K, et al" vs "Smith J, Jones K").
    if best_authors != canonical and (best_count > base_count
                                      or (cut[canonical] and not cut[best_authors] and best_count >= base_count)):
        values["authors"] = list(members[best_authors].authors)
        sources["authors"] = best_authors
        if cut[canonical] and not cut[best_authors]:
            values["extra"] = {k: v for k, v in base.extra.items() if k != AUTHORS_INCOMPLETE}
    return replace(base, **values), sources  # type: ignore[arg-type]
