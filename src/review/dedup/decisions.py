"""What dedup verdicts mean: the current state of each pair, the clusters it makes, and the
borderline pairs left for a human.

The store keeps the append-only pair log and the derived cluster table
(``review.store.dedup``); the rules that read the log and rebuild the clusters are here, so
the store holds no stage rules and nothing in the store imports this stage.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ReviewError, UnknownRecord
from ..records import Record
from ..store import Connection, Store, utcnow
from ..store import dedup as dedup_store
from .cluster import UnionFind, choose_canonical, merge_fields
from .kinds import NOTICE_KINDS, publication_kind
from .normalise import normalise_doi

__all__ = [
    "AUTO_VERDICTS", "HUMAN_VERDICTS", "BorderlinePair", "FieldDifference", "PairDecision", "PairVerdict",
    "apply_auto_verdicts", "auto_verdicts", "borderline_pairs", "canonical_of", "decide_pair", "decided_set_aside_lines",
    "duplicate_ids",
    "merged_record", "rebuild_clusters", "undo_decision", "undo_merge", "with_group_identifiers",
    "RelatedLink", "describe_link", "linked_notices", "related_links", "related_of",
]

#: ``related``: a notice or comment and the record it is about (linked, never merged).
AUTO_VERDICTS: tuple[str, ...] = ("duplicate", "borderline", "distinct", "related", "none")
HUMAN_VERDICTS: tuple[str, ...] = ("same", "different", "skip")
#: The store lock every write of the pair log takes (``Store.lock``): clusters are rebuilt from the
#: whole log, so two writers at once on PostgreSQL must not each miss the other's row.
DEDUP_LOCK = "dedup"


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """An automatic verdict to record for one pair (store ids, ``a < b``)."""

    a: int
    b: int
    verdict: str
    score: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field of a borderline pair, side by side."""

    name: str
    left: str
    right: str
    similarity: float | None  # 0–100, None when a side is empty or the field is exact-match
    same: bool


@dataclass(frozen=True, slots=True)
class BorderlinePair:
    """A pair waiting for a human: both records, the score and what differs."""

    decision_id: int
    left: Record
    right: Record
    score: float
    explanation: str
    fields: tuple[FieldDifference, ...]
    skipped: bool = False
    #: The other records already merged with each side: "same" joins both clusters whole.
    left_merged: tuple[int, ...] = ()
    right_merged: tuple[int, ...] = ()

    def merged_lines(self) -> list[str]:
        """ "#12 is merged with #5, #7" per side in a cluster, for showing under the pair."""
        return [f"#{rid} is merged with {', '.join(f'#{m}' for m in others)}"
                for rid, others in ((self.left.id, self.left_merged), (self.right.id, self.right_merged)) if others]


@dataclass(frozen=True, slots=True)
class PairDecision:
    """A recorded human verdict: its id in the pair log (for undo), and the records carrying screening
    or full-text decisions that it set aside as duplicates (a "same" on two decided records)."""

    row_id: int
    decided_set_aside: tuple[int, ...] = ()

    def lines(self) -> list[str]:
        """The line ``review dedup`` prints for decided records it set aside; none when there are none."""
        return decided_set_aside_lines(self.decided_set_aside)


def decided_set_aside_lines(ids: Sequence[int]) -> list[str]:
    """One line naming decided records set aside as duplicates (none when ``ids`` is empty)."""
    if not ids:
        return []
    return [f"decided records    {len(ids)} set aside as duplicates with their screening or full-text "
            f"decisions ({', '.join(map(str, ids))}): their cluster's canonical record carries its own; "
            f"review dedup --clusters"]


# -- the state of each pair -----------------------------------------------------------------

def _key(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise ReviewError(f"record {a}: a record cannot be paired with itself")
    return (a, b) if a < b else (b, a)


@dataclass(slots=True)
class _State:
    auto: dict[tuple[int, int], dict[str, Any]]
    human: dict[tuple[int, int], dict[str, Any]]
    skipped: set[tuple[int, int]]


def _state(rows: Iterable[dict[str, Any]]) -> _State:
    """The latest automatic row and the latest human row not undone, per pair.

    Undoing a human verdict therefore falls back to the one before it, or to the automatic one.
    """
    rows = list(rows)
    undone = {r["undoes_id"] for r in rows if r["verdict"] == "undo"}
    auto: dict[tuple[int, int], dict[str, Any]] = {}
    human: dict[tuple[int, int], dict[str, Any]] = {}
    skipped: set[tuple[int, int]] = set()
    for row in rows:
        key = (row["record_a"], row["record_b"])
        if row["origin"] == "auto":
            auto[key] = row
        elif row["verdict"] in ("same", "different") and row["id"] not in undone:
            human[key] = row
        elif row["verdict"] == "skip" and row["id"] not in undone:
            skipped.add(key)
    return _State(auto=auto, human=human, skipped=skipped)


def auto_verdicts(store: Store) -> dict[tuple[int, int], str]:
    """The latest automatic verdict per pair (``none`` pairs left out)."""
    state = _state(dedup_store.pair_log(store))
    return {k: r["verdict"] for k, r in state.auto.items() if r["verdict"] != "none"}


# -- clusters -------------------------------------------------------------------------------

def _components(state: _State, splitting: tuple[int, int] | None = None) -> list[list[int]]:
    """The clusters the pair log makes. ``splitting``: the pair a new human "different" names; when
    other human "same" verdicts join its two records, :class:`_SplitRefused` names the first of them."""
    ids: set[int] = set()
    for key in list(state.auto) + list(state.human):
        ids.update(key)
    index = {rid: n for n, rid in enumerate(sorted(ids))}
    back = sorted(ids)
    uf = UnionFind(len(back))
    # Human verdicts first, so a reviewer's "same" is never blocked by an automatic verdict.
    for key, row in state.human.items():
        if row["verdict"] == "different":
            uf.forbid(index[key[0]], index[key[1]])
    split = (index[splitting[0]], index[splitting[1]]) if splitting else None
    # In the order they were given, so that of two "same" verdicts a "different" keeps apart the
    # earlier stands (``decide_pair`` refuses the later one).
    for key, row in sorted(state.human.items(), key=lambda item: item[1]["id"]):
        if row["verdict"] != "same":
            continue
        a, b = index[key[0]], index[key[1]]
        if split and {uf.find(a), uf.find(b)} == {uf.find(split[0]), uf.find(split[1])} \
                and uf.can_union(a, b, ignoring=split):
            # Only the new "different" keeps this "same" from joining its two records: it would
            # void the "same" silently.
            raise _SplitRefused(key, row)
        uf.union(a, b)
    for key, row in state.auto.items():
        if row["verdict"] in ("distinct", "related") and key not in state.human:
            uf.forbid(index[key[0]], index[key[1]])
    edges = [(float(row["score"] or 0.0), index[key[0]], index[key[1]])
             for key, row in state.auto.items() if row["verdict"] == "duplicate" and key not in state.human]
    for _, a, b in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        uf.union(a, b)
    return [[back[i] for i in group] for group in uf.groups()]


class _SplitRefused(Exception):
    """A human "same" (``pair``, its log ``row``) joins the records a new "different" names."""

    def __init__(self, pair: tuple[int, int], row: dict[str, Any]) -> None:
        super().__init__(pair)
        self.pair = pair
        self.row = row


@dataclass(frozen=True, slots=True)
class ClustersRebuilt:
    """What ``rebuild_clusters`` made: how many clusters, and the records now set aside that were not before."""

    n_clusters: int
    newly_set_aside: frozenset[int]


def rebuild_clusters(conn: Connection, *, state: _State | None = None, splitting: tuple[int, int] | None = None,
                     records: Mapping[int, Record] | None = None) -> ClustersRebuilt:
    """Bring the stored clusters in line with the pair log (inside the caller's transaction).
    ``state``: the log already read (read here otherwise). ``records``: records already read by id (a run's),
    so a new cluster's canonical record is chosen without reading them again; others are read here.

    ``splitting``: the pair of a "different" just appended; one on two records other reviewers'
    "same" verdicts joined is refused (``ReviewError``; the caller's transaction then records
    nothing), as it would silently void one of those verdicts. The pair's own "same" is simply
    overruled, and a merge made by automatic verdicts alone is split."""
    if state is None:
        state = _state(dedup_store.state_rows(conn))
    try:
        groups = _components(state, splitting)
    except _SplitRefused as refused:
        pair = refused.pair
        reviewer = (dedup_store.pair_row(conn, refused.row["id"]) or {}).get("reviewer")
        who = f" by {reviewer}" if reviewer else ""
        a, b = splitting or pair
        raise ReviewError(f"records {a}, {b}: already merged, records {pair[0]} and {pair[1]} were "
                          f"called the same{who} (each is, or is merged with, one of them); split them with "
                          f"review dedup --undo-merge {a} first; nothing recorded") from None
    existing = dedup_store.cluster_canonicals(conn)
    wanted = {frozenset(g): g for g in groups}
    # A record already screened or assessed is the one shown (its decisions stay in the flow): a cluster
    # kept whose canonical has none while a member has some (built before that rule, or a member
    # screened after it was set aside) chooses again, like a new one.
    kept = [members for members in existing if members in wanted]
    decided = dedup_store.records_with_decisions(
        conn, sorted({m for members in wanted for m in members}))
    rechoose = {members for members in kept if existing[members][1] not in decided and members & decided}
    stale = [row_id for members, (row_id, _) in existing.items() if members not in wanted or members in rechoose]
    new = [g for members, g in wanted.items() if members not in existing or members in rechoose]
    values = []
    now_aside: set[int] = set()
    if new:
        known = records or {}
        # (records are never changed once stored: a run's own reading of them chooses as a new read would)
        read = dedup_store.richness_records(conn, [m for g in new for m in g if m not in known])
        for group in new:
            ordered = sorted(group)
            recs = [known.get(m) or read.get(m, Record(id=m)) for m in ordered]
            best, why = choose_canonical(range(len(ordered)), recs,
                                         {n for n, m in enumerate(ordered) if m in decided})
            values.append(dict(canonical_id=ordered[best], members=ordered, explanation=why))
            now_aside.update(m for m in ordered if m != ordered[best])
    dedup_store.replace_clusters(conn, stale, values)
    # Newly set aside: what the new rows set aside that no stored row did before. A record is in one cluster at most,
    # so the rows kept set aside nothing new. Worked out from the rows read and written here: reading every cluster
    # again before and after took 0.09 s a verdict at 50,000 records.
    aside_before = {m for members, (_, canonical) in existing.items() for m in members if m != canonical}
    return ClustersRebuilt(len(groups), frozenset(now_aside - aside_before))


def merged_record(store: Store, canonical_id: int) -> tuple[Record, str]:
    """The cluster of ``canonical_id`` seen as one record (richest fields), and where each came from."""
    members = dedup_store.clusters(store).get(canonical_id)
    if members is None:
        return store.record(canonical_id), "not merged"
    records = store.records(members)
    index = [r.id for r in records].index(canonical_id)
    merged, sources = merge_fields(records, index)
    taken = ", ".join(f"{name} from record {records[i].id}" for name, i in sorted(sources.items()))
    return merged, f"record {canonical_id}" + (f"; {taken}" if taken else "")


def with_group_identifiers(store: Store, records: Sequence[Record]) -> list[Record]:
    """``records`` (of ``store``), each kept record of a merged cluster with the doi and pmid of its merged view
    (``merged_record``): an empty one filled from a duplicate set aside, the lowest record id of those that have one
    where they differ. A list of the records to screen leaves the duplicates out, and the richest copy dedup keeps (an
    abstract counts before a DOI or a PMID) may lack them: the study was listed without the identifiers full-text
    retrieval and the study files name it by. A notice merged into an article's cluster (``[dedup] related =
    "merge"``: an erratum, a retraction notice, a comment) gives none: its DOI and PMID are its own, and the full
    text they retrieve is the notice."""
    from dataclasses import replace

    lacking = {r.id for r in records if r.id is not None and not (r.doi and r.pmid)}
    if not lacking:
        return list(records)
    # A few records (the terminal UI's, one at a time): their clusters only, not every cluster on each record shown.
    groups = dedup_store.clusters(store, among=lacking if len(lacking) <= _FEW_RECORDS else None)
    wanting = {r.id: r for r in records if r.id is not None and r.id in lacking and r.id in groups}
    if not wanting:
        return list(records)
    stored = {m.id: m for m in store.records(sorted({m for kept in wanting for m in groups[kept]}))}
    for kept, record in wanting.items():
        notice_kept = _is_notice(record)  # (a notice kept: its own copies' identifiers are its own too)
        copies = [stored[m] for m in groups[kept] if m == kept or notice_kept or not _is_notice(stored[m])]
        merged, _ = merge_fields(copies, [c.id for c in copies].index(kept))
        wanting[kept] = replace(record, doi=merged.doi, pmid=merged.pmid)
    return [wanting.get(r.id, r) if r.id is not None else r for r in records]


#: Up to this many records lacking a doi or pmid, ``with_group_identifiers`` reads their clusters by id (an IN list),
#: beyond it every cluster (one read; SQLite's parameter limit).
_FEW_RECORDS = 500


def _is_notice(record: Record) -> bool:
    """An erratum, retraction notice, expression of concern or comment: a record about another one."""
    kind = publication_kind(record.title or "", record.journal or "", normalise_doi(record.doi),
                            record.publication_types or ())
    return kind in NOTICE_KINDS


def canonical_of(store: Store) -> dict[int, int]:
    """Each record set aside as a duplicate → the canonical record of its merged cluster."""
    return {m: canonical for canonical, members in dedup_store.clusters(store).items() for m in members
            if m != canonical}


def imported_since_last_run(store: Store, runs: Sequence[dict[str, Any]] | None = None) -> int:
    """Records imported after the last dedup run (``runs``: ``store.dedup.runs`` if already read), 0 before any:
    records are never deleted, so more records than that run saw came later, and until dedup runs again they sit
    in the screening queue beside their duplicates."""
    done = dedup_store.runs(store) if runs is None else runs
    return store.count_records() - int(done[-1]["n_records"]) if done else 0


def duplicate_ids(store: Store) -> set[int]:
    """Records that are non-canonical members of a merged cluster (PRISMA: duplicates removed)."""
    return set(canonical_of(store))


# -- related records (notices, comments: linked, never merged) ---------------------------------

@dataclass(frozen=True, slots=True)
class RelatedLink:
    """A notice or comment (``notice_id``) and the record it is about (``about_id``)."""

    notice_id: int
    about_id: int
    kind: str  # erratum | retraction | expression of concern | comment
    explanation: str


def related_links(store: Store, record_id: int | None = None) -> list[RelatedLink]:
    """Current related links (latest automatic verdict ``related``, no human verdict on the pair),
    all of them or those of ``record_id``."""
    with store.connect() as conn:
        # A pair's state depends only on its own rows (undo rows name the same pair).
        state = _state(dedup_store.state_rows(conn, record_id))
    keys = {row["id"]: key for key, row in state.auto.items()
            if row["verdict"] == "related" and key not in state.human}
    if not keys:
        return []
    details = dedup_store.pair_details(store, keys)
    out = []
    for row_id, (a, b) in sorted(keys.items(), key=lambda item: item[1]):
        detail = details.get(row_id) or {}
        kind = str(detail.get("kind", ""))
        notice = int(detail.get("notice", a))
        if not kind:
            continue
        out.append(RelatedLink(notice_id=notice, about_id=b if notice == a else a, kind=kind,
                               explanation=str(detail.get("explanation", ""))))
    return out


def related_of(store: Store, record_id: int) -> list[str]:
    """One line per link of ``record_id``: "erratum of record 12", "record 40 is its erratum"."""
    return [describe_link(link, record_id) for link in related_links(store, record_id)]


def describe_link(link: RelatedLink, record_id: int) -> str:
    """The link as seen from ``record_id``."""
    if link.notice_id == record_id:
        return f"{link.kind} of record {link.about_id}"
    return f"record {link.notice_id} is its {link.kind}"


def linked_notices(store: Store, duplicates: Collection[int] | None = None) -> list[RelatedLink]:
    """The links whose notice counts as one: notices and comments linked to the record they are
    about, less those set aside as duplicates (``duplicates``: :func:`duplicate_ids`, read when None).
    The one rule: the screening queue leaves these notices out and PRISMA removes them before
    screening (both through ``screening.removed``), ``review status`` counts them."""
    aside = duplicate_ids(store) if duplicates is None else duplicates
    return [link for link in related_links(store) if link.notice_id not in aside]


def related_record_ids(store: Store) -> set[int]:
    """The records :func:`linked_notices` names, for ``review status``."""
    return {link.notice_id for link in linked_notices(store)}


# -- writing --------------------------------------------------------------------------------

def apply_auto_verdicts(conn: Connection, run_id: int, verdicts: Sequence[PairVerdict]) -> int:
    """Append automatic rows only where a pair's verdict changed; pairs no longer found → none.

    Re-running on the same records therefore appends nothing, and human verdicts (which
    take precedence when clusters are formed) are never touched.
    """
    state = _state(dedup_store.state_rows(conn))
    now = utcnow()
    new_rows = []
    seen: set[tuple[int, int]] = set()
    for v in verdicts:
        key = _key(v.a, v.b)
        seen.add(key)
        previous = state.auto.get(key)
        if previous is not None and previous["verdict"] == v.verdict:
            continue
        new_rows.append(dict(run_id=run_id, record_a=key[0], record_b=key[1], verdict=v.verdict,
                             origin="auto", reviewer="", score=v.score, detail=v.detail, note="",
                             created_at=now, undoes_id=None))
    for key, previous in state.auto.items():
        if key not in seen and previous["verdict"] != "none":
            new_rows.append(dict(run_id=run_id, record_a=key[0], record_b=key[1], verdict="none",
                                 origin="auto", reviewer="", score=None, detail={}, note="",
                                 created_at=now, undoes_id=None))
    dedup_store.append_pairs(conn, new_rows)
    return len(new_rows)


def decide_pair(store: Store, a: int, b: int, verdict: str, reviewer: str, *, note: str = "") -> PairDecision:
    """Record a human verdict on a pair (same | different | skip) in one transaction."""
    if verdict not in HUMAN_VERDICTS:
        raise ReviewError(f"verdict {verdict!r}: expected one of {', '.join(HUMAN_VERDICTS)}")
    key = _key(int(a), int(b))
    with store.transaction() as conn:
        store.lock(conn, DEDUP_LOCK)
        if dedup_store.count_records(conn, key) != 2:
            raise ReviewError(f"records {key[0]}, {key[1]}: not both in this workspace")
        row_id = dedup_store.append_pair(conn, dict(
            run_id=None, record_a=key[0], record_b=key[1], verdict=verdict, origin="human",
            reviewer=reviewer, score=None, detail={}, note=note, created_at=utcnow(), undoes_id=None,
        ))
        if verdict == "skip":
            return PairDecision(row_id)
        state = _state(dedup_store.state_rows(conn))
        rebuilt = rebuild_clusters(conn, state=state, splitting=key if verdict == "different" else None)
        if verdict == "same":
            _refuse_a_blocked_merge(conn, key, state)
        newly_aside = sorted(rebuilt.newly_set_aside)
        decided = dedup_store.records_with_decisions(conn, newly_aside) if newly_aside else set()
    return PairDecision(row_id, tuple(m for m in newly_aside if m in decided))


def _refuse_a_blocked_merge(conn: Connection, key: tuple[int, int], state: _State) -> None:
    """A "same" that an earlier "different" between the two clusters keeps apart is refused (the
    caller's transaction then records nothing): it was stored and silently had no effect."""
    groups = [set(members) for members in dedup_store.cluster_members(conn)]
    left = next((g for g in groups if key[0] in g), {key[0]})
    if key[1] in left:
        return
    right = next((g for g in groups if key[1] in g), {key[1]})
    blocking = next(((pair, row) for pair, row in sorted(state.human.items()) if row["verdict"] == "different"
                     and ({pair[0], pair[1]} & left) and ({pair[0], pair[1]} & right)), None)
    reviewer = (dedup_store.pair_row(conn, blocking[1]["id"]) or {}).get("reviewer") if blocking else ""
    who = f" by {reviewer}" if reviewer else ""
    what = (f"records {blocking[0][0]} and {blocking[0][1]} were called different{who}" if blocking
            else "a verdict keeps their clusters apart")
    raise ReviewError(f"records {key[0]}, {key[1]}: not merged, {what} (each is, or is merged with, one of "
                      f"them); undo that verdict first; nothing recorded")


def undo_decision(store: Store, decision_id: int, reviewer: str) -> None:
    """Reverse one human verdict by appending an ``undo`` row pointing at it."""
    with store.transaction() as conn:
        store.lock(conn, DEDUP_LOCK)
        row = dedup_store.pair_row(conn, decision_id)
        if row is None or row["origin"] != "human" or row["verdict"] == "undo":
            raise ReviewError(f"dedup decision {decision_id}: no human verdict to undo")
        dedup_store.append_pair(conn, dict(
            run_id=None, record_a=row["record_a"], record_b=row["record_b"], verdict="undo",
            origin="human", reviewer=reviewer, score=None, detail={}, note="",
            created_at=utcnow(), undoes_id=decision_id,
        ))
        rebuild_clusters(conn)


def undo_merge(store: Store, record_id: int, reviewer: str, *, detach_only: bool = False) -> list[int]:
    """Split a merged cluster back into its original records; returns the records set apart.

    Appends a human ``different`` verdict for every pair inside the cluster (or, with
    ``detach_only``, between ``record_id`` and each other member), so a later run cannot
    merge them again unless a reviewer says ``same``. Nothing is deleted.
    """
    now = utcnow()
    with store.transaction() as conn:
        store.lock(conn, DEDUP_LOCK)  # the cluster read here is the one split
        members = next((sorted(m) for m in dedup_store.cluster_members(conn) if record_id in m), None)
        if members is None:
            if not dedup_store.count_records(conn, [record_id]):
                raise UnknownRecord(record_id)
            raise ReviewError(f"record {record_id}: not in a merged cluster")
        if detach_only:
            pairs = [_key(record_id, m) for m in members if m != record_id]
        else:
            pairs = [(x, y) for i, x in enumerate(members) for y in members[i + 1:]]
        dedup_store.append_pairs(conn, [
            dict(run_id=None, record_a=x, record_b=y, verdict="different", origin="human",
                 reviewer=reviewer, score=None, detail={}, note="undo merge", created_at=now,
                 undoes_id=None) for x, y in pairs])
        rebuild_clusters(conn)
    return [record_id] if detach_only else list(members)


# -- borderline pairs for review --------------------------------------------------------------

_SIDE_BY_SIDE = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
                 "abstract")
_SIMILARITY_FIELD = {"title": "title", "authors": "authors", "journal": "journal", "abstract": "abstract"}


def _field_text(record: Record, name: str) -> str:
    value = getattr(record, name)
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def _differences(left: Record, right: Record, detail: dict[str, Any]) -> tuple[FieldDifference, ...]:
    sims = detail.get("fields", {}) if isinstance(detail, dict) else {}
    out = []
    for name in _SIDE_BY_SIDE:
        a, b = _field_text(left, name), _field_text(right, name)
        if not a and not b:
            continue
        similarity = sims.get(_SIMILARITY_FIELD.get(name, ""), None)
        if isinstance(similarity, float) and math.isnan(similarity):
            similarity = None
        same = a.strip().casefold() == b.strip().casefold()
        out.append(FieldDifference(name, a, b, similarity, same))
    return tuple(out)


def borderline_pairs(store: Store) -> list[BorderlinePair]:
    """Pairs a run marked borderline with no human same/different yet, best first.

    One question per pair of clusters: pairs already joined through other links, and pairs
    whose clusters a reviewer has already called different, are left out; of several pairs
    between the same two clusters only the best-scoring one is asked. Skipped pairs come last.
    """
    with store.connect() as conn:
        state = _state(dedup_store.state_rows(conn))
    group: dict[int, int] = {}
    cluster_members = dedup_store.clusters(store)
    for canonical, members in cluster_members.items():
        for m in members:
            group[m] = canonical

    def merged_with(record_id: int) -> tuple[int, ...]:
        return tuple(m for m in cluster_members.get(group.get(record_id, record_id), ()) if m != record_id)

    def cluster_pair(key: tuple[int, int]) -> tuple[int, int]:
        a, b = group.get(key[0], key[0]), group.get(key[1], key[1])
        return (a, b) if a < b else (b, a)

    settled = {cluster_pair(key) for key, row in state.human.items() if row["verdict"] == "different"}
    best: dict[tuple[int, int], dict[str, Any]] = {}
    for key, row in state.auto.items():
        if row["verdict"] != "borderline" or key in state.human:
            continue
        between = cluster_pair(key)
        if between[0] == between[1] or between in settled:
            continue
        current = best.get(between)
        if current is None or (float(row["score"] or 0), -row["id"]) > (float(current["score"] or 0), -current["id"]):
            best[between] = row
    pending = list(best.values())
    if not pending:
        return []
    ids = {r["record_a"] for r in pending} | {r["record_b"] for r in pending}
    records = {r.id: r for r in store.records(ids)}
    details = dedup_store.pair_details(store, [r["id"] for r in pending])
    out = []
    for row in pending:
        key = (row["record_a"], row["record_b"])
        left, right = records[key[0]], records[key[1]]
        detail = details.get(row["id"]) or {}
        out.append(BorderlinePair(
            decision_id=row["id"], left=left, right=right, score=float(row["score"] or 0.0),
            explanation=str(detail.get("explanation", "")),
            fields=_differences(left, right, detail), skipped=key in state.skipped,
            left_merged=merged_with(key[0]), right_merged=merged_with(key[1]),
        ))
    out.sort(key=lambda p: (p.skipped, -p.score, p.left.id, p.right.id))
    return out
