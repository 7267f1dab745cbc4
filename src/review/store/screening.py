"""Screening engine tables: the last ranking per reviewer and a log of every ranking made.

``last_ranking`` holds one row per reviewer (replaced in one transaction), so a session
reopens on the queue it was using; ``screening_rankings`` keeps the model info, seed and
training size of every ranking (without the order) as an audit trail. ``screening_samples`` holds
where each reviewer's random sample started and its seed, written when it starts, so a session
reopens in it before any draw is decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from . import schema
from .core import Store, inserted_id, utcnow
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


def ranking_log(store: Store, reviewer: str | None = None) -> list[dict[str, Any]]:
    """Every ranking made (oldest first), optionally for one reviewer."""
    query = sa.select(screening_rankings).order_by(screening_rankings.c.id)
    if reviewer is not None:
        query = query.where(screening_rankings.c.reviewer == reviewer)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def record_ids(store: Store) -> list[int]:
    """Every record id in import order: what a session needs before it reads any text."""
    t = schema.records
    with store.connect() as conn:
        return [int(i) for i in conn.execute(sa.select(t.c.id).order_by(t.c.id)).scalars()]


def record_texts(store: Store) -> dict[int, dict[str, Any]]:
    """Title, abstract, keywords and MeSH of every record, by id.

    Only the columns a screening model reads: a full ``Store.records()`` also decodes
    authors, identifiers and the raw source text, several times slower on large workspaces.
    """
    t = schema.records
    query = sa.select(t.c.id, t.c.title, t.c.abstract, t.c.keywords, t.c.mesh).order_by(t.c.id)
    with store.connect() as conn:
        return {int(row["id"]): dict(row) for row in conn.execute(query).mappings()}
