"""Explicit schema migrations: one function per version step, tested on old stores."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa


def _one_row_per_instrument_version(conn: sa.Connection) -> None:
    """1 -> 2: ``instrument_versions.version`` becomes unique.

    Schema 1 let a build killed between its store row and its file, rebuilt the same day, record
    one version twice. Of such rows the latest is kept (the build whose file was written); the
    earlier ones describe the same version (same date, evidence and content hash). The table is
    named here as it was at schema 1, not imported: a step must not change when the table does."""
    if not sa.inspect(conn).has_table("instrument_versions"):
        return  # a store from before the instrument: create_all makes the table with its index
    t = sa.table("instrument_versions", sa.column("id"), sa.column("version"))
    latest = sa.select(sa.func.max(t.c.id)).group_by(t.c.version)
    conn.execute(t.delete().where(t.c.id.not_in(latest)))
    conn.execute(sa.text("CREATE UNIQUE INDEX IF NOT EXISTS uq_instrument_versions_version "
                         "ON instrument_versions (version)"))


#: ``MIGRATIONS[n]`` upgrades a store at version ``n`` to ``n + 1`` inside one transaction.
MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {
    1: _one_row_per_instrument_version,
}
