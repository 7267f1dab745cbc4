"""A scratch PostgreSQL database for the benchmarks that measure a store on a server (not a benchmark itself).

    from scratch_database import scratch_postgres_database  # benchmarks/ is the script's folder, on sys.path

``store_migrations.py``, ``team.py``, ``team_statements.py`` and ``durability.py`` each made and dropped one the
same way; tests/postgres.py ``fresh_database`` is the tests' own (it skips without a server).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_postgres_database(server_url: str, prefix: str, *, hex_digits: int = 8) -> Iterator[str]:
    """A new empty database ``<prefix><random hex>`` on the server ``server_url`` names; yields its URL
    (``postgresql://…``, password kept) and drops it on the way out, even with sessions still on it (FORCE)."""
    import sqlalchemy as sa

    from review.store.opening import engine_url

    admin_url = engine_url(server_url)
    name = f"{prefix}{uuid.uuid4().hex[:hex_digits]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False).replace(
                "postgresql+psycopg://", "postgresql://", 1)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
