"""Stores of an older schema open and upgrade (store/migrations.py), on both engines."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from review.store import instrument as versions_table
from review.store import schema
from review.workspace import Workspace


def _row(version: str, hour: int) -> dict[str, Any]:
    return dict(version=version, built_at=datetime(2026, 11, 26, hour, tzinfo=timezone.utc),
                evidence_sha256="e" * 64, evidence_taken_at="2026-11-26T01:00:00+00:00",
                evidence_source="extraction/synthesis.csv", item_bank_sha256=f"{hour:064d}", n_items=3,
                n_signals=1, n_not_included=2, weights={}, settings={})


def _as_schema_1(workspace: Workspace) -> None:
    """The workspace's store as schema 1 left it: no unique index on the instrument version."""
    with workspace.store.transaction() as conn:
        versions_table.VERSION_INDEX.drop(conn)
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="1"))


def test_a_schema_1_store_upgrades_to_one_row_per_instrument_version(workspace: Workspace) -> None:
    _as_schema_1(workspace)
    t = versions_table.instrument_versions
    with workspace.store.transaction() as conn:  # schema 1 allowed a version twice
        conn.execute(t.insert(), [_row("2026-11-26+eeeeeeee.aaaaaa", 1), _row("2026-11-26+eeeeeeee.aaaaaa", 3),
                                  _row("2026-11-26+eeeeeeee.bbbbbb", 4)])
    reopened = Workspace(workspace.root)
    assert reopened.store.schema_version() == schema.SCHEMA_VERSION == 2
    rows = versions_table.versions(reopened.store)
    # Of the twice-recorded version the latest row (the build whose file was written) is kept.
    assert [(r.version, r.built_at.hour) for r in rows] == [("2026-11-26+eeeeeeee.aaaaaa", 3),
                                                            ("2026-11-26+eeeeeeee.bbbbbb", 4)]
    assert versions_table.record_version(reopened.store, **_row("2026-11-26+eeeeeeee.bbbbbb", 5)) is None
    with pytest.raises(sa.exc.IntegrityError), reopened.store.transaction() as conn:
        conn.execute(t.insert().values(**_row("2026-11-26+eeeeeeee.bbbbbb", 6)))
    assert len(versions_table.versions(reopened.store)) == 2
    # The same index a new store gets (the migration names it itself).
    indexes = sa.inspect(reopened.store.engine).get_indexes("instrument_versions")
    assert {(i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in indexes} >= {
        (versions_table.VERSION_INDEX.name, ("version",), True)}


def test_a_schema_1_store_without_the_instrument_table_upgrades(workspace: Workspace) -> None:
    _as_schema_1(workspace)
    with workspace.store.transaction() as conn:
        versions_table.instrument_versions.drop(conn)
    reopened = Workspace(workspace.root)
    assert reopened.store.schema_version() == 2
    assert versions_table.record_version(reopened.store, **_row("v", 1)) is not None
    assert versions_table.record_version(reopened.store, **_row("v", 2)) is None
    with pytest.raises(sa.exc.IntegrityError), reopened.store.transaction() as conn:
        conn.execute(versions_table.instrument_versions.insert().values(**_row("v", 3)))
