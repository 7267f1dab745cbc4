"""Screening engine tables: the last ranking per reviewer and a log of every ranking made.

``last_ranking`` holds one row per reviewer (replaced in one transaction), so a session
reopens on the queue it was using; ``screening_rankings`` keeps the model info, seed and
training size of every ranking (without the order) as an audit trail. ``screening_samples`` holds
where each reviewer's random sample started and its seed, written when it starts, so a session
reopens in it before any draw is decided.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from . import schema
from .core import Store, inserted_id, utcnow
from .decision_log import effective_decisions
from .in_lists import in_list_slices, rows_among
from .schema import UtcDateTime, metadata

last_ranking = sa.Table(
    "last_ranking",
    metadata,
    sa.Column("reviewer", sa.String(128), primary_key=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("n_labelled", sa.Integer, nullable=False),
    sa.Column("seed", sa.Integer, nullable=True),
    sa.Column("model_info", sa.JSON, nullable=False),
    # Record ids in queue order and the model's probability of each (null before training).
    sa.Column("record_order", sa.JSON, nullable=False),
    sa.Column("probabilities", sa.JSON, nullable=False),
)

screening_rankings = sa.Table(
    "screening_rankings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reviewer", sa.String(128), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("n_labelled", sa.Integer, nullable=False),
    sa.Column("seed", sa.Integer, nullable=True),
    sa.Column("seconds", sa.Float, nullable=True),
    sa.Column("model_info", sa.JSON, nullable=False),
)

screening_samples = sa.Table(
    "screening_samples",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # One row per reviewer: a sample starts once (the first start recorded stands).
    sa.Column("reviewer", sa.String(128), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    # The number of ranked-phase decisions in force when the sample started, and the seed it is drawn with.
    sa.Column("sample_start", sa.Integer, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
)


@dataclass(frozen=True, slots=True)
class SampleStart:
    """Where a reviewer's random sample started (ranked-phase decisions in force then) and its seed."""

    sample_start: int
    seed: int


def start_sample(store: Store, reviewer: str, *, sample_start: int, seed: int) -> SampleStart:
    """Record that ``reviewer``'s random sample starts, unless a start is recorded already; returns the one
    recorded (the first). The unique reviewer column decides between two starts at once (no store-wide lock):
    the one refused reads the start that won."""
    t = screening_samples
    recorded = sample_started(store, reviewer)
    if recorded is not None:
        return recorded
    try:
        with store.transaction() as conn:
            conn.execute(t.insert().values(reviewer=reviewer, created_at=utcnow(), sample_start=sample_start,
                                           seed=seed))
    except sa.exc.IntegrityError:  # another window's start committed first: it stands
        recorded = sample_started(store, reviewer)
        if recorded is None:
            raise
        return recorded
    return SampleStart(sample_start, seed)


def sample_started(store: Store, reviewer: str) -> SampleStart | None:
    """Where ``reviewer``'s random sample started, or None (no start recorded)."""
    t = screening_samples
    with store.connect() as conn:
        row = conn.execute(sa.select(t.c.sample_start, t.c.seed).where(t.c.reviewer == reviewer)).first()
    return None if row is None else SampleStart(int(row.sample_start), int(row.seed))


def save_ranking(
    store: Store,
    reviewer: str,
    *,
    order: Sequence[int],
    probabilities: Sequence[float | None],
    model_info: dict[str, Any],
    n_labelled: int,
    seed: int | None,
    seconds: float | None = None,
    log: bool = True,
) -> int | None:
    """Replace the reviewer's last ranking and log it, in one transaction; returns the log id.

    ``log=False`` only replaces the queue (for a ranking ``log_ranking`` logged already).
    """
    now = utcnow()
    probs = [None if p is None or p != p else round(float(p), 6) for p in probabilities]  # NaN → null
    with store.transaction() as conn:
        conn.execute(last_ranking.delete().where(last_ranking.c.reviewer == reviewer))
        conn.execute(last_ranking.insert().values(
            reviewer=reviewer, created_at=now, n_labelled=n_labelled, seed=seed,
            model_info=model_info, record_order=[int(r) for r in order], probabilities=probs,
        ))
        if not log:
            return None
        return _log(conn, reviewer, now, model_info=model_info, n_labelled=n_labelled, seed=seed,
                    seconds=seconds)


def log_ranking(
    store: Store,
    reviewer: str,
    *,
    model_info: dict[str, Any],
    n_labelled: int,
    seed: int | None,
    seconds: float | None = None,
) -> int:
    """Log a ranking without replacing the stored queue (cheap: no order); returns the log id."""
    with store.transaction() as conn:
        return _log(conn, reviewer, utcnow(), model_info=model_info, n_labelled=n_labelled, seed=seed,
                    seconds=seconds)


def _log(conn: sa.Connection, reviewer: str, when: datetime, *, model_info: dict[str, Any], n_labelled: int,
         seed: int | None, seconds: float | None) -> int:
    log_id = inserted_id(conn.execute(screening_rankings.insert().values(
        reviewer=reviewer, created_at=when, n_labelled=n_labelled, seed=seed, seconds=seconds,
        model_info=model_info,
    )))
    return int(log_id)


def load_ranking(store: Store, reviewer: str) -> dict[str, Any] | None:
    """The reviewer's last ranking as a dict (order, probabilities, model_info, ...), or None."""
    with store.connect() as conn:
        row = conn.execute(sa.select(last_ranking).where(last_ranking.c.reviewer == reviewer)).mappings().first()
    return dict(row) if row else None


def ranking_info(store: Store, reviewer: str) -> dict[str, Any] | None:
    """The model info of the reviewer's stored queue (without its order), or None: none stored."""
    t = last_ranking
    with store.connect() as conn:
        info = conn.execute(sa.select(t.c.model_info).where(t.c.reviewer == reviewer)).scalar()
    return None if info is None else dict(info)


def replace_ranking_info(store: Store, reviewer: str, *, created_at: datetime, model_info_before: dict[str, Any],
                         model_info: dict[str, Any]) -> bool:
    """Put ``model_info`` in the reviewer's stored queue in place of ``model_info_before``, only while that queue is
    still the one made at ``created_at`` holding ``model_info_before`` (compare and set, one short transaction under
    the write lock): a queue or info another process stored meanwhile stands. The order is left as it is. True if
    replaced."""
    t = last_ranking
    with store.locked_transaction() as conn:
        row = conn.execute(sa.select(t.c.created_at, t.c.model_info).where(t.c.reviewer == reviewer)
                           .with_for_update()).first()
        if row is None or row.created_at != created_at or row.model_info != model_info_before:
            return False
        done = conn.execute(t.update().where(t.c.reviewer == reviewer, t.c.created_at == row.created_at)
                            .values(model_info=model_info))
        return bool(done.rowcount == 1)


def ranking_log(store: Store, reviewer: str | None = None) -> list[dict[str, Any]]:
    """Every ranking made (oldest first), optionally for one reviewer."""
    query = sa.select(screening_rankings).order_by(screening_rankings.c.id)
    if reviewer is not None:
        query = query.where(screening_rankings.c.reviewer == reviewer)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def record_ids(store: Store, among: Collection[int] | None = None) -> list[int]:
    """Every record id in import order: what a session needs before it reads any text; with ``among``, those of
    them the store holds."""
    t = schema.records
    query = sa.select(t.c.id).order_by(t.c.id)
    with store.connect() as conn:
        if among is None:
            return [int(i) for i in conn.execute(query).scalars()]
        found = {int(i) for id_slice in in_list_slices(sorted(set(among)))
                 for i in conn.execute(query.where(t.c.id.in_(id_slice))).scalars()}
    return sorted(found)


def records_stamp(store: Store) -> tuple[int, int]:
    """The number of records and the highest record id, in one query: whether records were added since a reading
    of ``record_ids`` (records are appended), without reading them all. It assumes records are never deleted (no
    command does: dedup merges and removals before screening set records aside, and migrate copies them): a
    deletion followed by an import could leave both numbers as they were, SQLite reusing a deleted highest id.
    tests/store/test_records_never_deleted.py fails on any code that deletes one."""
    t = schema.records
    with store.connect() as conn:
        count, highest = conn.execute(sa.select(sa.func.count(t.c.id), sa.func.max(t.c.id))).one()
    return int(count), int(highest or 0)


@dataclass(frozen=True, slots=True)
class LeanDecision:
    """A decision in force as a session keeps it: what the undo rule reads, and one value of its model info."""

    id: int
    record_id: int
    reviewer: str
    label: str
    undoes_id: int | None
    #: ``model_info[info_key]`` as the engine reads it (a text; None where the key is missing or null).
    info: str | None
    #: ``model_info[also_key]`` read the same way (None: not asked for, missing or null). A JSON ``true`` reads
    #: "1" on SQLite and "true" on PostgreSQL.
    also: str | None = None


def decisions_in_force(store: Store, reviewer: str, *, info_key: str, record_ids: Collection[int] | None = None,
                       stage: str = "title_abstract", also_key: str | None = None) -> list[LeanDecision]:
    """``reviewer``'s decisions in force at ``stage`` (``Store.current_decisions``' rule: per record the latest
    not undone), in decision order, reading only the columns a session keeps and ``model_info[info_key]``, taken
    out by the engine (no row's JSON decoded here: at 20,000 decisions that decoding was most of the reading),
    and ``model_info[also_key]`` the same way when asked for.
    With ``record_ids``, only their rows (an undo row carries the record of the row it undoes)."""
    t = schema.screening_decisions
    # Among records, by the record index: SQLite, without statistics, took the reviewer's (every row of theirs,
    # 20,000 for 3 records: 15 ms against 0.02), which ``reviewer || ''`` keeps it from using.
    who = t.c.reviewer if record_ids is None else t.c.reviewer.concat("")
    also = sa.null() if also_key is None else t.c.model_info[also_key].as_string()
    query = (sa.select(t.c.id, t.c.record_id, t.c.reviewer, t.c.label, t.c.undoes_id,
                       t.c.model_info[info_key].as_string().label("info"), also.label("also"))
             .where(who == reviewer, t.c.stage == stage).order_by(t.c.id))
    with store.connect() as conn:
        rows = rows_among(conn, query, t.c.record_id, record_ids)
    log = [LeanDecision(int(i), int(record_id), who, label, undoes_id, None if info is None else str(info),
                        None if extra is None else str(extra))
           for i, record_id, who, label, undoes_id, info, extra in rows]
    return sorted(effective_decisions(log).values(), key=lambda d: d.id)


def records_with_info(store: Store, reviewer: str, *, info_key: str, value: str,
                      stage: str = "title_abstract") -> set[int]:
    """The records on which ``reviewer`` has a decision at ``stage`` whose ``model_info[info_key]`` is ``value``,
    in force or not (one query; the engine reads the JSON)."""
    t = schema.screening_decisions
    query = (sa.select(t.c.record_id).distinct()
             .where(t.c.reviewer == reviewer, t.c.stage == stage, t.c.model_info[info_key].as_string() == value))
    with store.connect() as conn:
        return {int(i) for i in conn.execute(query).scalars()}


def record_texts(store: Store) -> dict[int, dict[str, Any]]:
    """Title, abstract, keywords and MeSH of every record, by id.

    Only the columns a screening model reads: a full ``Store.records()`` also decodes
    authors, identifiers and the raw source text, several times slower on large workspaces.
    """
    t = schema.records
    query = sa.select(t.c.id, t.c.title, t.c.abstract, t.c.keywords, t.c.mesh).order_by(t.c.id)
    with store.connect() as conn:
        return {int(row["id"]): dict(row) for row in conn.execute(query).mappings()}
