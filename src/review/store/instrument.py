"""Instrument versions: every build, with the evidence snapshot it was compiled from.

Append-only: a build of a new version adds a row, one per version (a unique index); nothing here
holds client data (answers live outside the workspace, see ``review.instrument.answers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .core import Store, inserted_id
from .schema import UtcDateTime, metadata

instrument_versions = sa.Table(
    "instrument_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("built_at", UtcDateTime(), nullable=False),
    sa.Column("evidence_sha256", sa.String(64), nullable=False, index=True),
    sa.Column("evidence_taken_at", sa.Text, nullable=False),
    sa.Column("evidence_source", sa.Text, nullable=False),
    sa.Column("item_bank_sha256", sa.String(64), nullable=False),
    sa.Column("n_items", sa.Integer, nullable=False),  # scored items
    sa.Column("n_signals", sa.Integer, nullable=False),  # asked, not weighed
    sa.Column("n_not_included", sa.Integer, nullable=False),
    # factor_id -> {"weight", "level", "direction"}: enough to diff versions without the file.
    sa.Column("weights", sa.JSON, nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
)

#: One row per version (store schema 2; ``store.migrations`` adds it to older stores).
VERSION_INDEX = sa.Index("uq_instrument_versions_version", instrument_versions.c.version, unique=True)


@dataclass(slots=True, frozen=True)
class InstrumentVersion:
    id: int
    version: str
    built_at: datetime
    evidence_sha256: str
    evidence_taken_at: str
    evidence_source: str
    item_bank_sha256: str
    n_items: int
    n_signals: int
    n_not_included: int
    weights: dict[str, Any]
    settings: dict[str, Any]


def record_version(store: Store, *, version: str, built_at: datetime, evidence_sha256: str,
                   evidence_taken_at: str, evidence_source: str, item_bank_sha256: str, n_items: int,
                   n_signals: int, n_not_included: int, weights: dict[str, Any],
                   settings: dict[str, Any]) -> int | None:
    """Record one build in its own transaction unless its version is recorded already; returns the
    new row id, or None when it was (a second build of the same version, a catch-up run twice)."""
    t = instrument_versions
    # Check and insert under the write lock: two builds at once record the version once.
    with store.locked_transaction() as conn:
        if conn.execute(sa.select(t.c.id).where(t.c.version == version)).first() is not None:
            return None
        result = conn.execute(t.insert().values(
            version=version, built_at=built_at, evidence_sha256=evidence_sha256,
            evidence_taken_at=evidence_taken_at, evidence_source=evidence_source,
            item_bank_sha256=item_bank_sha256, n_items=n_items, n_signals=n_signals,
            n_not_included=n_not_included,
            weights=weights, settings=settings,
        ))
        return inserted_id(result)


def version_row(store: Store, version: str) -> InstrumentVersion | None:
    """The recorded build of ``version``, if any."""
    t = instrument_versions
    with store.connect() as conn:
        row = conn.execute(sa.select(t).where(t.c.version == version)).mappings().first()
    return InstrumentVersion(**dict(row)) if row else None


def versions(store: Store) -> list[InstrumentVersion]:
    """All recorded builds, oldest first."""
    t = instrument_versions
    with store.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.id)).mappings().all()
    return [InstrumentVersion(**dict(row)) for row in rows]
