"""Deduplication tables: runs, the pair-decision log, and the current clusters (storage only).

``dedup_pair_decisions`` is append-only and the source of truth: automatic verdicts from each
run and human ones. ``dedup_clusters`` is derived from that log by the dedup stage
(``review.dedup.decisions``), which rebuilds it inside the same transaction as every change,
so PRISMA and screening can read the current clusters cheaply. Nothing here decides what a
verdict means; merging never deletes a record: a cluster lists every member.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ..records import Record
from . import schema
from .core import Store, inserted_id, utcnow
from .decision_log import in_effect
from .in_lists import IN_LIST_MAX, in_list_slices
from .schema import UtcDateTime, metadata

__all__ = [
    "dedup_runs_table", "dedup_pairs_table", "dedup_clusters_table",
    "add_run", "append_pair", "append_pairs", "cluster_details", "cluster_members", "clusters", "count_records", "finish_run",
    "pair_details", "pair_log", "pair_row", "records_with_decisions", "replace_clusters", "richness_records", "runs",
    "state_rows",
]

dedup_runs_table = sa.Table(
    "dedup_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
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
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("undoes_id", sa.Integer, sa.ForeignKey("dedup_pair_decisions.id"), nullable=True),
)

dedup_clusters_table = sa.Table(
    "dedup_clusters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("canonical_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("members", sa.JSON, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)



# -- the pair-decision log ------------------------------------------------------------------

#: Columns needed to work out the current state (the JSON detail is read only when shown).
STATE_COLUMNS = ("id", "record_a", "record_b", "verdict", "origin", "score", "undoes_id")


def state_rows(conn: sa.Connection, record_id: int | None = None) -> list[dict[str, Any]]:
    """The log in order, without the JSON detail; only the pairs of ``record_id`` if given."""
    t = dedup_pairs_table
    query = sa.select(*(t.c[name] for name in STATE_COLUMNS)).order_by(t.c.id)
    if record_id is not None:
        query = query.where((t.c.record_a == record_id) | (t.c.record_b == record_id))
    return [dict(zip(STATE_COLUMNS, row)) for row in conn.execute(query)]


def pair_log(store: Store, conn: sa.Connection | None = None) -> list[dict[str, Any]]:
    """Every row of the pair-decision log in order."""
    t = dedup_pairs_table
    query = sa.select(t).order_by(t.c.id)
    if conn is not None:
        return [dict(r) for r in conn.execute(query).mappings()]
    with store.connect() as own:
        return [dict(r) for r in own.execute(query).mappings()]


def pair_row(conn: sa.Connection, decision_id: int) -> dict[str, Any] | None:
    t = dedup_pairs_table
    row = conn.execute(sa.select(t).where(t.c.id == decision_id)).mappings().first()
    return dict(row) if row else None


def pair_details(store: Store, decision_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The JSON detail (per-field similarity, explanation) of the given log rows."""
    t = dedup_pairs_table
    with store.connect() as conn:
        return {int(i): d for i, d in conn.execute(sa.select(t.c.id, t.c.detail).where(
            t.c.id.in_(list(decision_ids)))).all()}


def append_pairs(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Append rows to the log (one statement for many rows)."""
    if rows:
        conn.execute(dedup_pairs_table.insert(), list(rows))


def append_pair(conn: sa.Connection, row: dict[str, Any]) -> int:
    """Append one row to the log; returns its id."""
    return inserted_id(conn.execute(dedup_pairs_table.insert().values(**row)))


def count_records(conn: sa.Connection, record_ids: Iterable[int]) -> int:
    """How many of ``record_ids`` exist."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(schema.records)
                            .where(schema.records.c.id.in_(list(record_ids)))).scalar_one())


# -- runs -----------------------------------------------------------------------------------

def add_run(conn: sa.Connection, **values: Any) -> int:
    return inserted_id(conn.execute(dedup_runs_table.insert().values(created_at=utcnow(), **values)))


def finish_run(conn: sa.Connection, run_id: int, **values: Any) -> None:
    """Fill in what a run learns at its end (changed verdicts, clusters)."""
    t = dedup_runs_table
    conn.execute(t.update().where(t.c.id == run_id).values(**values))


def has_runs(conn: sa.Connection) -> bool:
    """Whether a dedup run was saved (read under the dedup lock: a run saved by another process counts)."""
    return conn.execute(sa.select(dedup_runs_table.c.id).limit(1)).first() is not None


def runs(store: Store) -> list[dict[str, Any]]:
    t = dedup_runs_table
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]


# -- clusters -------------------------------------------------------------------------------

def cluster_members(conn: sa.Connection) -> dict[frozenset[int], int]:
    """Stored cluster row id by its member set."""
    t = dedup_clusters_table
    return {frozenset(r["members"]): r["id"] for r in conn.execute(sa.select(t.c.id, t.c.members)).mappings()}


def cluster_canonicals(conn: sa.Connection) -> dict[frozenset[int], tuple[int, int]]:
    """Stored (cluster row id, canonical record id) by member set."""
    t = dedup_clusters_table
    return {frozenset(r["members"]): (r["id"], r["canonical_id"])
            for r in conn.execute(sa.select(t.c.id, t.c.canonical_id, t.c.members)).mappings()}


def replace_clusters(conn: sa.Connection, stale: Sequence[int], new: Sequence[dict[str, Any]]) -> None:
    """Delete the ``stale`` cluster rows and insert ``new`` ones (canonical_id, members, explanation)."""
    t = dedup_clusters_table
    if stale:
        conn.execute(t.delete().where(t.c.id.in_(list(stale))))
    if new:
        now = utcnow()
        conn.execute(t.insert(), [dict(row, created_at=now) for row in new])


def richness_records(conn: sa.Connection, ids: Sequence[int]) -> dict[int, Record]:
    """The fields a canonical record is chosen by (abstract, DOI, authors, pages, PMID, and ``extra``, where the
    import marks an author list cut short), by id."""
    t = schema.records
    out: dict[int, Record] = {}
    for chunk in in_list_slices(ids):
        rows = conn.execute(
            sa.select(t.c.id, t.c.abstract, t.c.doi, t.c.authors, t.c.pages, t.c.pmid, t.c.extra)
            .where(t.c.id.in_(chunk))
        ).mappings()
        for row in rows:
            out[row["id"]] = Record(abstract=row["abstract"] or "", doi=row["doi"] or "",
                                    authors=list(row["authors"] or []), pages=row["pages"] or "",
                                    pmid=row["pmid"] or "", extra=dict(row["extra"] or {}), id=row["id"])
    return out


#: Past this many ids ``records_with_decisions`` reads every decided record once instead of an IN list per 500 ids:
#: a verdict's rebuild asks of every clustered record (29,503 at 50,000 records, 27,180 decisions: 0.11 s in
#: slices, 0.04 s whole).
_WHOLE_LOG_PAST = 10 * IN_LIST_MAX


def records_with_decisions(conn: sa.Connection, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` a reviewer has decided on: a screening decision (any stage) or a full-text
    event that is not undone, nor itself an undo."""
    from .fulltext import fulltext_events_table

    out: set[int] = set()
    wanted = set(ids) if len(ids) > _WHOLE_LOG_PAST else None
    for table, kind in ((schema.screening_decisions, "label"), (fulltext_events_table, "event")):
        if wanted is not None:  # every record decided on, in one statement, kept if among ``ids``
            out.update(rid for rid in map(int, conn.execute(
                sa.select(table.c.record_id).distinct().where(in_effect(table, kind))).scalars()) if rid in wanted)
            continue
        for id_slice in in_list_slices(ids):
            chunk = table.c.record_id.in_(id_slice)
            out.update(int(rid) for rid in conn.execute(
                sa.select(table.c.record_id).distinct().where(chunk, in_effect(table, kind, chunk))).scalars())
    return out


def clusters(store: Store, among: Collection[int] | None = None) -> dict[int, list[int]]:
    """Canonical record id → every member id (canonical included), merged clusters only; with ``among``, only the
    clusters those records keep (by the indexed canonical id: one record shown needs no read of every cluster)."""
    t = dedup_clusters_table
    query = sa.select(t.c.canonical_id, t.c.members)
    if among is not None:
        query = query.where(t.c.canonical_id.in_(sorted(set(among))))
    with store.connect() as conn:
        rows = conn.execute(query).all()
    return {int(c): sorted(int(m) for m in members) for c, members in rows}


def cluster_details(store: Store) -> list[dict[str, Any]]:
    """Every current cluster with its canonical record and the explanation of that choice."""
    t = dedup_clusters_table
    with store.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.canonical_id)).mappings()
        return [dict(r) for r in rows]
