"""A database (or a SQLite review.db) holding a table named as one of the review's that is not the review's,
another application's ``records`` say, is refused by ``review init`` and ``review migrate --to`` in one line
naming the table, nothing written. On PostgreSQL both printed a traceback (create_all kept the other table and
failed on a foreign key to it); on SQLite init took the file and every later command printed one."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from postgres import fresh_database
from review.cli import main
from review.store.opening import engine_url

from .helpers import table_names


def _other_application(url: str, rows: int = 1) -> None:
    """Another program's table, named as the review's ``records``, with ``rows`` rows of its own (empty: the
    traceback; with a row: 'already holds a review (table records is not empty)', which it does not)."""
    engine = sa.create_engine(engine_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE records (x INTEGER, label TEXT)")
        for x in range(rows):
            conn.exec_driver_sql(f"INSERT INTO records VALUES ({x}, 'theirs')")
    engine.dispose()


@pytest.mark.parametrize("rows", [0, 1])
@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_init_refuses_a_database_with_another_applications_table_named_as_the_reviews(
        tmp_path: Path, engine_name: str, rows: int) -> None:
    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'theirs.db'}" if engine_name == "sqlite"
               else stack.enter_context(fresh_database()))
        _other_application(url, rows)
        result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--database", url])
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.stderr.count("\n") == 1, result.stderr
        assert "table records is not the review's (columns label, x)" in result.stderr, result.stderr
        assert not (tmp_path / "ws").exists()
        assert table_names(url) == ["records"]  # theirs, as it was


def test_init_refuses_a_review_db_in_the_folder_that_review_did_not_make(tmp_path: Path) -> None:
    """``review init DIR`` takes a review.db already in DIR (a store whose review.toml went missing); one of
    another program's is refused, the file and the folder's files left as they were."""
    root = tmp_path / "ws"
    root.mkdir()
    _other_application(f"sqlite:///{root / 'review.db'}")
    before = (root / "review.db").read_bytes()
    result = CliRunner().invoke(main, ["init", str(root)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.count("\n") == 1 and "table records is not the review's" in result.stderr, result.stderr
    assert sorted(p.name for p in root.iterdir()) == ["review.db"]
    assert (root / "review.db").read_bytes() == before


@pytest.mark.parametrize("rows", [0, 1])
@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_migrate_refuses_a_target_with_another_applications_table_named_as_the_reviews(
        tmp_path: Path, engine_name: str, rows: int) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'theirs.db'}" if engine_name == "sqlite"
               else stack.enter_context(fresh_database()))
        _other_application(url, rows)
        result = runner.invoke(main, ["-w", str(tmp_path / "ws"), "migrate", "--to", url])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.stderr.count("\n") == 1, result.stderr
        assert "table records is not the review's (columns label, x)" in result.stderr, result.stderr
        assert table_names(url) == ["records"]
        assert "database_url" not in (tmp_path / "ws" / "review.toml").read_text(encoding="utf-8")
        status = runner.invoke(main, ["-w", str(tmp_path / "ws"), "status"])  # the source is not marked moved
        assert status.exit_code == 0, status.output


def test_a_table_of_an_older_review_is_the_reviews(tmp_path: Path) -> None:
    """Schema upgrades only add columns: a table missing a newer column (screening_decisions without
    ``blind``, schema 3) is the review's, not another application's."""
    from review.store.transfer import foreign_tables

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE screening_decisions (id INTEGER PRIMARY KEY, record_id INTEGER, "
                             "reviewer TEXT, label TEXT)")
        conn.exec_driver_sql("CREATE TABLE records (title TEXT)")  # no primary key: not the review's
        assert foreign_tables(conn) == {"records": ["title"]}
    engine.dispose()


def _newer_review(url: str) -> None:
    """A store a newer review made (schema version 5, a column this review does not know) under ``url``."""
    from review.store import Store

    Store.open(url).engine.dispose()
    engine = sa.create_engine(engine_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE records ADD COLUMN added_later TEXT")
        conn.exec_driver_sql("UPDATE schema_info SET value = '5' WHERE key = 'version'")
    engine.dispose()


@pytest.mark.parametrize("command", ["init", "migrate"])
@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_newer_reviews_store_is_called_newer_not_another_programs(tmp_path: Path, engine_name: str,
                                                                   command: str) -> None:
    """A newer review's column is not another program's: its store was called 'a SQLite file review did not make'
    (init over a review.db whose review.toml went missing, init --database, migrate --to), where 'schema version 5
    is newer than this review' says what to do (upgrade review)."""
    runner = CliRunner()
    with ExitStack() as stack:
        if engine_name == "sqlite":
            root = tmp_path / ("ws" if command == "init" else "target")
            root.mkdir()
            url = f"sqlite:///{root / 'review.db'}"
        else:
            url = stack.enter_context(fresh_database())
        _newer_review(url)
        if command == "init":
            args = ["init", str(tmp_path / "ws")] + (["--database", url] if engine_name == "postgresql" else [])
        else:
            assert runner.invoke(main, ["init", str(tmp_path / "mine")]).exit_code == 0
            args = ["-w", str(tmp_path / "mine"), "migrate", "--to", url]
        result = runner.invoke(main, args)
        assert result.exit_code != 0 and result.stderr.count("\n") == 1, result.output
        assert "not the review's" not in result.stderr, result.stderr
        assert "newer" in result.stderr or "already holds a review" in result.stderr, result.stderr
