"""A PostgreSQL server for the tests: ``REVIEW_TEST_PG_URL`` (``.ci/run`` starts a private one).

Without it the PostgreSQL half of a test skips; under CI=true it fails. Each test gets a database
of its own, dropped afterwards. Import as ``from postgres import ...`` (tests/ is on the pythonpath).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from review.workspace import Workspace

ENV_TEST_PG_URL = "REVIEW_TEST_PG_URL"


def server_url() -> str:
    """The test server's admin URL; skips the test without one, fails under CI=true."""
    url = os.environ.get(ENV_TEST_PG_URL, "").strip()
    if not url:
        message = f"no PostgreSQL server for tests ({ENV_TEST_PG_URL} unset; .ci/run starts one)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def fresh_database(icu_locale: str | None = None) -> Iterator[str]:
    """A new empty database on the test server; yields its URL and drops it afterwards. ``icu_locale``
    (``'en-US'``): the database sorts text by that language's rules, as a server set up in a language does
    (the test server's own databases sort bytewise, ``--no-locale``); skips without ICU on the server."""
    import sqlalchemy as sa
    from review.store.opening import engine_url

    admin_url = engine_url(server_url())
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if icu_locale is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            else:
                try:
                    conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" LOCALE_PROVIDER icu ICU_LOCALE '{icu_locale}' "
                                         "TEMPLATE template0")
                except sa.exc.DBAPIError as err:  # (a server built without ICU, or older than PostgreSQL 15)
                    pytest.skip(f"no ICU collation on the test server: {str(err.orig).splitlines()[0]}")
        url = admin_url.set(database=name)
        yield url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://", 1)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def throwaway_workspace(root: Path, engine: str) -> "Iterator[Workspace]":
    """The suite's throwaway workspace (alice and bob, seed 7) on SQLite or on a fresh PostgreSQL database."""
    from review.workspace import init_workspace

    options = {"title": "Test review", "reviewers": ["alice", "bob"], "seed": 7}
    if engine == "sqlite":
        yield init_workspace(root, **options)
        return
    with fresh_database() as url:
        ws = init_workspace(root, database_url=url, **options)
        try:
            yield ws
        finally:
            if "store" in ws.__dict__:  # release the pool before the database is dropped
                ws.store.engine.dispose()
