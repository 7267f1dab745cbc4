"""Deduplication tables and queries: runs, the pair-decision log, and the current clusters.

``dedup_pair_decisions`` is append-only and the source of truth: automatic verdicts from each
run (``duplicate``, ``borderline``, ``distinct``, ``none``) and human ones (``same``,
``different``, ``skip``, ``undo``). ``dedup_clusters`` is derived from that log (a materialised
view, rebuilt inside the same transaction as every change), so PRISMA and screening can read
the current clusters cheaply. Merging never deletes a record: a cluster lists every member.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..dedup.cluster import UnionFind, choose_canonical, merge_fields
from ..errors import ReviewError
from ..records import Record
from . import Store, schema, utcnow
from .schema import metadata

__all__ = [
    "AUTO_VERDICTS", "HUMAN_VERDICTS", "BorderlinePair", "FieldDifference", "PairVerdict",
    "dedup_runs_table", "dedup_pairs_table", "dedup_clusters_table",
    "add_run", "apply_auto_verdicts", "auto_verdicts", "borderline_pairs", "cluster_details",
    "clusters", "decide_pair", "duplicate_ids", "merged_record", "pair_log", "rebuild_clusters",
    "RelatedLink", "describe_link", "related_links", "related_notice_ids", "related_of", "runs",
    "undo_decision", "undo_merge",
]

#: ``related``: a notice or comment and the record it is about (linked, never merged).
AUTO_VERDICTS: tuple[str, ...] = ("duplicate", "borderline", "distinct", "related", "none")
HUMAN_VERDICTS: tuple[str, ...] = ("same", "different", "skip")

dedup_runs_table = sa.Table(
    "dedup_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("algorithm_version", sa.String(16), nullable=False),
    sa.Column("n_records", sa.Integer, nullable=False),
    sa.Column("n_candidates", sa.Integer, nullable=False),
    sa.Column("n_changed", sa.Integer, nullable=False),
    sa.Column("n_clusters", sa.Integer, nullable=False),
    sa.Column("n_duplicates", sa.Integer, nullable=False),
    sa.Column("n_borderline", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
)

dedup_pairs_table = sa.Table(
    "dedup_pair_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("dedup_runs.id"), nullable=True),
    # Always record_a < record_b.
    sa.Column("record_a", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("record_b", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    # auto: duplicate | borderline | distinct | none; human: same | different | skip | undo
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("origin", sa.String(8), nullable=False),  # auto | human
    sa.Column("reviewer", sa.Text, nullable=False, default=""),
    sa.Column("score", sa.Float, nullable=True),
    # Per-field similarity and the explanation line, as shown to the reviewer.
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("undoes_id", sa.Integer, sa.ForeignKey("dedup_pair_decisions.id"), nullable=True),
)

dedup_clusters_table = sa.Table(
    "dedup_clusters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("canonical_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("members", sa.JSON, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


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


# -- reading the log ------------------------------------------------------------------------

def _key(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise ReviewError(f"record {a}: a record cannot be paired with itself")
    return (a, b) if a < b else (b, a)


#: Columns needed to work out the current state (the JSON detail is read only when shown).
_STATE_COLUMNS = ("id", "record_a", "record_b", "verdict", "origin", "score", "undoes_id")


def _state_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    t = dedup_pairs_table
    query = sa.select(*(t.c[name] for name in _STATE_COLUMNS)).order_by(t.c.id)
    return [dict(zip(_STATE_COLUMNS, row)) for row in conn.execute(query)]


def pair_log(store: Store, conn: sa.Connection | None = None) -> list[dict[str, Any]]:
    """Every row of the pair-decision log in order."""
    t = dedup_pairs_table
    query = sa.select(t).order_by(t.c.id)
    if conn is not None:
        return [dict(r) for r in conn.execute(query).mappings()]
    with store.engine.connect() as own:
        return [dict(r) for r in own.execute(query).mappings()]


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
    state = _state(pair_log(store))
    return {k: r["verdict"] for k, r in state.auto.items() if r["verdict"] != "none"}


# -- clusters -------------------------------------------------------------------------------

def _components(state: _State) -> list[list[int]]:
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
    for key, row in sorted(state.human.items()):
        if row["verdict"] == "same":
            uf.union(index[key[0]], index[key[1]])
    for key, row in state.auto.items():
        if row["verdict"] in ("distinct", "related") and key not in state.human:
            uf.forbid(index[key[0]], index[key[1]])
    edges = [(float(row["score"] or 0.0), index[key[0]], index[key[1]])
             for key, row in state.auto.items() if row["verdict"] == "duplicate" and key not in state.human]
    for _, a, b in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        uf.union(a, b)
    return [[back[i] for i in group] for group in uf.groups()]


def _richness_records(conn: sa.Connection, ids: Sequence[int]) -> dict[int, Record]:
    t = schema.records
    out: dict[int, Record] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start:start + 500]
        rows = conn.execute(
            sa.select(t.c.id, t.c.abstract, t.c.doi, t.c.authors, t.c.pages, t.c.pmid)
            .where(t.c.id.in_(chunk))
        ).mappings()
        for row in rows:
            out[row["id"]] = Record(abstract=row["abstract"] or "", doi=row["doi"] or "",
                                    authors=list(row["authors"] or []), pages=row["pages"] or "",
                                    pmid=row["pmid"] or "", id=row["id"])
    return out


def rebuild_clusters(conn: sa.Connection, rows: Iterable[dict[str, Any]] | None = None) -> int:
    """Bring ``dedup_clusters`` in line with the pair log; returns the number of clusters."""
    if rows is None:
        rows = _state_rows(conn)
    groups = _components(_state(rows))
    t = dedup_clusters_table
    existing = {frozenset(r["members"]): r["id"] for r in conn.execute(sa.select(t.c.id, t.c.members)).mappings()}
    wanted = {frozenset(g): g for g in groups}
    stale = [row_id for members, row_id in existing.items() if members not in wanted]
    if stale:
        conn.execute(t.delete().where(t.c.id.in_(stale)))
    new = [g for members, g in wanted.items() if members not in existing]
    if new:
        records = _richness_records(conn, [m for g in new for m in g])
        now = utcnow()
        values = []
        for group in new:
            ordered = sorted(group)
            recs = [records.get(m, Record(id=m)) for m in ordered]
            best, why = choose_canonical(range(len(ordered)), recs)
            values.append(dict(canonical_id=ordered[best], members=ordered, explanation=why, created_at=now))
        conn.execute(t.insert(), values)
    return len(groups)


def clusters(store: Store) -> dict[int, list[int]]:
    """Canonical record id → every member id (canonical included), merged clusters only."""
    t = dedup_clusters_table
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.canonical_id, t.c.members)).all()
    return {int(c): sorted(int(m) for m in members) for c, members in rows}


def cluster_details(store: Store) -> list[dict[str, Any]]:
    """Every current cluster with its canonical record and the explanation of that choice."""
    t = dedup_clusters_table
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.canonical_id)).mappings()
        return [dict(r) for r in rows]


def merged_record(store: Store, canonical_id: int) -> tuple[Record, str]:
    """The cluster of ``canonical_id`` seen as one record (richest fields), and where each came from."""
    members = clusters(store).get(canonical_id)
    if members is None:
        return store.record(canonical_id), "not merged"
    records = store.records(members)
    index = [r.id for r in records].index(canonical_id)
    merged, sources = merge_fields(records, index)
    taken = ", ".join(f"{name} from record {records[i].id}" for name, i in sorted(sources.items()))
    return merged, f"record {canonical_id}" + (f"; {taken}" if taken else "")


def duplicate_ids(store: Store) -> set[int]:
    """Records that are non-canonical members of a merged cluster (PRISMA: duplicates removed)."""
    return {m for canonical, members in clusters(store).items() for m in members if m != canonical}


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
    t = dedup_pairs_table
    query = sa.select(*(t.c[name] for name in _STATE_COLUMNS)).order_by(t.c.id)
    if record_id is not None:
        # A pair's state depends only on its own rows (undo rows name the same pair).
        query = query.where((t.c.record_a == record_id) | (t.c.record_b == record_id))
    with store.engine.connect() as conn:
        rows = [dict(zip(_STATE_COLUMNS, row)) for row in conn.execute(query)]
        state = _state(rows)
        keys = {row["id"]: key for key, row in state.auto.items()
                if row["verdict"] == "related" and key not in state.human}
        if not keys:
            return []
        details = dict(conn.execute(sa.select(t.c.id, t.c.detail).where(t.c.id.in_(list(keys)))).all())
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


def related_notice_ids(store: Store) -> set[int]:
    """Records linked as a notice or comment of another record (PRISMA: removed before screening)."""
    return {link.notice_id for link in related_links(store)}


# -- writing --------------------------------------------------------------------------------

def add_run(conn: sa.Connection, **values: Any) -> int:
    return int(conn.execute(dedup_runs_table.insert().values(created_at=utcnow(), **values))
               .inserted_primary_key[0])


def apply_auto_verdicts(conn: sa.Connection, run_id: int, verdicts: Sequence[PairVerdict]) -> int:
    """Append automatic rows only where a pair's verdict changed; pairs no longer found → none.

    Re-running on the same records therefore appends nothing, and human verdicts (which
    take precedence when clusters are formed) are never touched.
    """
    state = _state(_state_rows(conn))
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
    if new_rows:
        conn.execute(dedup_pairs_table.insert(), new_rows)
    return len(new_rows)


def decide_pair(store: Store, a: int, b: int, verdict: str, reviewer: str, *, note: str = "") -> int:
    """Record a human verdict on a pair (same | different | skip) in one transaction."""
    if verdict not in HUMAN_VERDICTS:
        raise ReviewError(f"verdict {verdict!r}: expected one of {', '.join(HUMAN_VERDICTS)}")
    key = _key(int(a), int(b))
    with store.transaction() as conn:
        found = conn.execute(sa.select(sa.func.count()).select_from(schema.records)
                             .where(schema.records.c.id.in_(key))).scalar_one()
        if found != 2:
            raise ReviewError(f"records {key[0]}, {key[1]}: not both in this workspace")
        row_id = conn.execute(dedup_pairs_table.insert().values(
            run_id=None, record_a=key[0], record_b=key[1], verdict=verdict, origin="human",
            reviewer=reviewer, score=None, detail={}, note=note, created_at=utcnow(), undoes_id=None,
        )).inserted_primary_key[0]
        if verdict != "skip":
            rebuild_clusters(conn)
    return int(row_id)


def undo_decision(store: Store, decision_id: int, reviewer: str) -> None:
    """Reverse one human verdict by appending an ``undo`` row pointing at it."""
    with store.transaction() as conn:
        row = conn.execute(sa.select(dedup_pairs_table).where(dedup_pairs_table.c.id == decision_id)
                           ).mappings().first()
        if row is None or row["origin"] != "human" or row["verdict"] == "undo":
            raise ReviewError(f"dedup decision {decision_id}: no human verdict to undo")
        conn.execute(dedup_pairs_table.insert().values(
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
    current = clusters(store)
    members = next((m for m in current.values() if record_id in m), None)
    if members is None:
        raise ReviewError(f"record {record_id}: not in a merged cluster")
    if detach_only:
        pairs = [_key(record_id, m) for m in members if m != record_id]
    else:
        pairs = [(x, y) for i, x in enumerate(members) for y in members[i + 1:]]
    now = utcnow()
    with store.transaction() as conn:
        conn.execute(dedup_pairs_table.insert(), [
            dict(run_id=None, record_a=x, record_b=y, verdict="different", origin="human",
                 reviewer=reviewer, score=None, detail={}, note="undo merge", created_at=now,
                 undoes_id=None) for x, y in pairs])
        rebuild_clusters(conn)
    return [record_id] if detach_only else list(members)


def runs(store: Store) -> list[dict[str, Any]]:
    t = dedup_runs_table
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]


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
    with store.engine.connect() as conn:
        state = _state(_state_rows(conn))
    group: dict[int, int] = {}
    for canonical, members in clusters(store).items():
        for m in members:
            group[m] = canonical

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
    t = dedup_pairs_table
    with store.engine.connect() as conn:
        details = dict(conn.execute(sa.select(t.c.id, t.c.detail).where(
            t.c.id.in_([r["id"] for r in pending]))).all())
    out = []
    for row in pending:
        key = (row["record_a"], row["record_b"])
        left, right = records[key[0]], records[key[1]]
        detail = details.get(row["id"]) or {}
        out.append(BorderlinePair(
            decision_id=row["id"], left=left, right=right, score=float(row["score"] or 0.0),
            explanation=str(detail.get("explanation", "")),
            fields=_differences(left, right, detail), skipped=key in state.skipped,
        ))
    out.sort(key=lambda p: (p.skipped, -p.score, p.left.id, p.right.id))
    return out
