"""A PostgreSQL role that may use the review's tables but not create any (no CREATE on the schema, as PostgreSQL
15 gives every role but the owner) opens a store a newer review must add tables to: one line naming the
owner's command, exit 1, nothing created; after that command, the role works again."""

from __future__ import annotations

import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from postgres import fresh_database
from review.store.opening import engine_url
from review.store.screening import screening_samples
from review.workspace import init_workspace


@contextmanager
def _role_without_create(url: str) -> Iterator[str]:
    """A login role granted what a teammate needs on the review's tables and sequences, and no CREATE; yields
    the store's URL as that role. The role is dropped afterwards (roles belong to the whole server)."""
    role = f"teammate_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(engine_url(url), isolation_level="AUTOCOMMIT")
    database = engine_url(url).database
    try:
        with admin.connect() as conn:
            for statement in (f'CREATE ROLE "{role}" LOGIN', "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                              f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
                              f'GRANT USAGE ON SCHEMA public TO "{role}"',
                              f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
                              f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'):
                conn.exec_driver_sql(statement)
        yield engine_url(url).set(username=role).render_as_string(hide_password=False).replace(
            "postgresql+psycopg://", "postgresql://", 1)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'REVOKE ALL ON DATABASE "{database}" FROM "{role}"')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        admin.dispose()


def _review(root: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``review`` as the teammate whose REVIEW_DATABASE_URL is ``url`` (a process of its own: its pool is gone
    when it ends)."""
    import os

    env = dict(os.environ, REVIEW_DATABASE_URL=url)
    return subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "-w", str(root), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_role_without_create_is_told_the_owners_command_and_works_after_it(tmp_path: Path) -> None:
    with fresh_database() as url:
        ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1, database_url=url)
        ws.store.engine.dispose()
        with _role_without_create(url) as teammate_url:
            assert _review(ws.root, teammate_url, "status").returncode == 0  # its tables are all there
            # A newer review adds a stage table: here, the store as it stood before screening_samples.
            owner = sa.create_engine(engine_url(url))
            with owner.begin() as conn:
                screening_samples.drop(conn)
            owner.dispose()
            refused = _review(ws.root, teammate_url, "status")
            assert refused.returncode == 1, refused.stderr
            lines = refused.stderr.strip().splitlines()
            assert len(lines) == 1 and "Traceback" not in refused.stderr, refused.stderr
            line = lines[0]
            role = engine_url(teammate_url).username
            assert "adds the table screening_samples to the store" in line
            assert f"role '{role}' may not (permission denied for schema public)" in line
            command = line.split(" — ", 1)[1].split(", ", 1)[1].split(" (a password", 1)[0]
            assert command.startswith("REVIEW_DATABASE_URL='postgresql://review@/") and command.endswith(" review status")
            check = sa.create_engine(engine_url(url))
            assert not sa.inspect(check).has_table("screening_samples")  # nothing created
            # The command the line names, as the owner (it is run here as the line gives it).
            env_value = shlex.split(command)[0].split("=", 1)[1]
            assert _review(ws.root, env_value, "status").returncode == 0
            assert sa.inspect(check).has_table("screening_samples")
            check.dispose()
            with sa.create_engine(engine_url(url), isolation_level="AUTOCOMMIT").connect() as conn:
                conn.exec_driver_sql(f'GRANT SELECT, INSERT, UPDATE, DELETE ON screening_samples TO "{role}"')
            after = _review(ws.root, teammate_url, "status")
            assert after.returncode == 0, after.stderr


def test_a_role_that_may_not_run_a_migration_step_is_told_the_same(tmp_path: Path) -> None:
    """A schema step that needs the tables' owner (schema 1 -> 2 adds a unique index): the line names the
    version the store needs; the store stays at its version (the step's transaction is rolled back)."""
    from review.errors import ReviewError
    from review.store import instrument as versions_table
    from review.store import schema
    from review.store.core import Store

    with fresh_database() as url:
        ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1, database_url=url)
        ws.store.engine.dispose()
        owner = sa.create_engine(engine_url(url))
        with owner.begin() as conn:  # the store as schema 1 left it
            versions_table.VERSION_INDEX.drop(conn)
            conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value="1"))
        with _role_without_create(url) as teammate_url:
            # The teammate's URL carries a password (the test server trusts local roles, so it is not checked):
            # the owner's command must carry none, not even masked, or libpq would send *** over ~/.pgpass.
            with_password = engine_url(teammate_url).set(password="s3cret").render_as_string(hide_password=False)
            with pytest.raises(ReviewError) as refused:
                Store.open(with_password)
            message = str(refused.value)
            assert "s3cret" not in message
            command = message.split(" — ", 1)[1].split(", ", 1)[1].split(" (a password", 1)[0]
            owner_url = engine_url(shlex.split(command)[0].split("=", 1)[1])
            assert owner_url.password is None and owner_url.username == engine_url(url).username
            assert f"this review upgrades the store to schema version {schema.SCHEMA_VERSION} (it is at 1)" in message
            assert "must be owner of table instrument_versions" in message and "review status" in message
            with owner.connect() as conn:
                assert conn.execute(sa.select(schema.schema_info.c.value).where(
                    schema.schema_info.c.key == "version")).scalar() == "1"
        owner.dispose()



def test_a_role_whose_steps_ran_but_may_not_add_a_table_is_told_the_table(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The last step needs no owner (here: it only bumps the version) and runs; then adding a new table is
    refused. The line names the table, not an upgrade from the version found on opening (it did before)."""
    from review.errors import ReviewError
    from review.store import core, schema
    from review.store.core import Store

    last = schema.SCHEMA_VERSION - 1
    with fresh_database() as url:
        ws = init_workspace(tmp_path / "ws", title="T", reviewers=["alice"], seed=1, database_url=url)
        ws.store.engine.dispose()
        owner = sa.create_engine(engine_url(url))
        with owner.begin() as conn:
            screening_samples.drop(conn)
            conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value=str(last)))
        monkeypatch.setitem(core.MIGRATIONS, last, lambda _conn: None)
        with _role_without_create(url) as teammate_url:
            with pytest.raises(ReviewError) as refused:
                Store.open(teammate_url)
            message = str(refused.value)
            assert "adds the table screening_samples to the store" in message and "upgrades" not in message
        owner.dispose()


@pytest.fixture(autouse=True)
def _needs_server() -> None:
    from postgres import server_url

    server_url()  # skips without a server (fails under CI=true)


@pytest.mark.parametrize("existing_folder", [False, True])
def test_init_with_a_role_that_may_not_create_tables_writes_nothing_and_names_the_owners_grant(
        tmp_path: Path, existing_folder: bool) -> None:
    """``review init --database`` as a role without CREATE on the schema: it was a traceback that left
    review.toml (and the stage folders) behind, a workspace whose store could never be made. Now one line naming
    the database, the privilege and the owner's command (no password), exit 1, and no file, folder or table."""
    import os

    root = tmp_path / "ws"
    if existing_folder:  # a folder the user made first keeps only what it held
        root.mkdir()
        (root / "notes.txt").write_text("mine", encoding="utf-8")
    with fresh_database() as url, _role_without_create(url) as teammate_url:
        with_password = engine_url(teammate_url).set(password="s3cret").render_as_string(hide_password=False)
        refused = subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "init", str(root),
                                  "--database", with_password.replace("postgresql+psycopg://", "postgresql://", 1)],
                                 capture_output=True, text=True, timeout=120, env=dict(os.environ))
        assert refused.returncode == 1, refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in refused.stderr, refused.stderr
        line = lines[0]
        role = engine_url(teammate_url).username
        owner = engine_url(url).username
        assert "s3cret" not in line and line.startswith(f"review: database postgresql://{role}:***@/")
        assert f"role '{role}' may not create the review's tables: it needs CREATE on schema public" in line
        assert "nothing was written" in line
        # The owner's command: a psql line as the database's owner (no password), then init again.
        command = line.split("run ", 1)[1].split(" (a password", 1)[0]
        words = shlex.split(command)
        assert words[0] == "psql" and words[-2:] == ["-c", f"GRANT CREATE ON SCHEMA public TO {role}"]
        owner_url = engine_url(words[1])
        assert owner_url.username == owner and owner_url.password is None
        assert sorted(p.name for p in root.iterdir()) == ["notes.txt"] if existing_folder else not root.exists()
        check = sa.create_engine(engine_url(url))
        assert sa.inspect(check).get_table_names() == []
        check.dispose()
        # The owner's command as the line gives it (here through SQLAlchemy: psql is the same statement), then
        # init again as the teammate: it works.
        with sa.create_engine(owner_url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql(words[-1])
        again = subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "init", str(root),
                                "--database", teammate_url], capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert (root / "review.toml").is_file()
