"""Team mode: where the store lives, credentials kept out of files, one-line connection errors,
and one reviewer's two sessions never deciding a record twice (both engines)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from postgres import fresh_database
from review.errors import ReviewError
from review.records import Record
from review.store import Store, schema
from review.store.core import DecisionConflict
from review.workspace import Workspace, init_workspace


def _records(workspace: Workspace, n: int = 3) -> list[int]:
    records = [Record(title=f"T{i}", authors=["A B"]) for i in range(n)]
    workspace.store.add_batch(records, file_name="f.ris", file_sha256="y" * 64, source_name="db",
                              format="ris", encoding="utf-8")
    return [r.id for r in workspace.store.records()]


def test_second_session_of_a_reviewer_cannot_decide_the_same_record(workspace: Workspace) -> None:
    a, b, _ = _records(workspace)
    other_session = Store.open(workspace.database_url)
    workspace.store.add_decision(a, "alice", "include", if_undecided=True)
    with pytest.raises(DecisionConflict, match=f"record {a}: already decided by alice"):
        other_session.add_decision(a, "alice", "exclude", if_undecided=True)
    # Other reviewers and other records are free; an undone decision frees the record again.
    other_session.add_decision(a, "bob", "exclude", if_undecided=True)
    other_session.add_decision(b, "alice", "exclude", if_undecided=True)
    workspace.store.undo_last("alice")
    other_session.add_decision(b, "alice", "include", if_undecided=True)
    current = workspace.store.current_decisions()
    assert {k: d.label for k, d in current.items()} == {
        (a, "alice"): "include", (a, "bob"): "exclude", (b, "alice"): "include"}
    other_session.engine.dispose()


def test_unreachable_server_is_one_line_without_password(tmp_path: Path) -> None:
    url = f"postgresql://alice:s3cret@/review?host={tmp_path}&port=1"
    with pytest.raises(ReviewError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert "\n" not in message and "cannot connect" in message
    assert "s3cret" not in message and "alice:***@" in message
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize("secret_key", ["password", "sslpassword"])
def test_a_password_in_the_urls_query_is_masked_and_kept_out_of_review_toml(secret_key: str) -> None:
    # libpq takes postgresql://alice@host/db?password=s3cret as it takes alice:s3cret@: messages printed it,
    # review init echoed it on stdout and wrote it into review.toml, which the team shares in git.
    from review.store.opening import safe_url
    from review.workspace import url_without_password

    url = f"postgresql://alice@db.example.org/review?{secret_key}=s3cret&sslmode=require"
    assert safe_url(url) == f"postgresql://alice@db.example.org/review?sslmode=require&{secret_key}=***"
    assert url_without_password(url) == "postgresql://alice@db.example.org/review?sslmode=require"
    assert url_without_password(url.replace("alice@", "alice:other@")) == (
        "postgresql://alice@db.example.org/review?sslmode=require")


def test_unreachable_server_is_one_line_without_the_query_password(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from review.cli import main

    url = f"postgresql://alice@/review?host={tmp_path}&port=1&password=s3cret"
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--database", url])
    assert result.exit_code != 0 and "cannot connect" in result.stderr and result.stderr.count("\n") == 1
    assert "s3cret" not in result.output and "password=***" in result.stderr
    assert not (tmp_path / "ws").exists()


def test_review_toml_and_init_keep_no_password_given_in_the_query(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from review.cli import main

    with fresh_database() as url:
        with_password = f"{url}&password=s3cret" if "?" in url else f"{url}?password=s3cret"
        result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--database", with_password])
        assert result.exit_code == 0, result.output
        text = (tmp_path / "ws" / "review.toml").read_text(encoding="utf-8")
        assert "s3cret" not in text and "password" not in text.split("database_url", 1)[1].splitlines()[0]
        assert "s3cret" not in result.output and "without its password" in result.output


@pytest.mark.parametrize("url", ["postgresql//alice:s3cret@db.example.org/review",  # no ':' after the scheme
                                 "postgresql://alice:s3cret@db.example.org:5432x/review",  # a port that is no number
                                 "postgresql://alice@[::1/review?password=s3cret"])
def test_a_url_that_cannot_be_read_is_one_line_without_its_password(tmp_path: Path, monkeypatch, url: str) -> None:
    # The line showed the URL as typed, password and all, and a port that is no number was a traceback (ValueError).
    from click.testing import CliRunner
    from review.cli import main

    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--database", url])
    assert result.exit_code in (1, 2) and not isinstance(result.exception, ValueError), result.output
    (line,) = result.stderr.splitlines()
    assert "not a URL" in line and "s3cret" not in line and "***" in line
    assert not (tmp_path / "ws").exists()
    init_workspace(tmp_path / "other", title="Other")
    monkeypatch.setenv("REVIEW_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["-w", str(tmp_path / "other"), "status"])
    (line,) = result.stderr.splitlines()
    assert result.exit_code != 0 and "not a URL" in line and "s3cret" not in line


def test_wrong_password_is_one_line_and_init_writes_nothing(tmp_path: Path) -> None:
    # .ci/postgres gives the test server one role that must log in with the password 'right'.
    from postgres import server_url
    import sqlalchemy as sa

    server = sa.make_url(server_url())
    url = server.set(username="review_password", password="wrong").render_as_string(hide_password=False)
    with pytest.raises(ReviewError) as caught:
        init_workspace(tmp_path / "ws", title="Team", database_url=url)
    message = str(caught.value)
    assert "\n" not in message and "password authentication failed" in message
    assert "wrong" not in message and message.startswith("database postgresql://review_password:***@")
    assert not (tmp_path / "ws").exists()


def test_cli_init_on_unreachable_server_exits_with_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from review.cli import main

    url = f"postgresql://alice:s3cret@/review?host={tmp_path}&port=1"
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--database", url])
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.count("\n") == 1 and "cannot connect" in result.stderr and "s3cret" not in result.output
    assert not (tmp_path / "ws").exists()


def test_review_toml_keeps_the_url_without_password(tmp_path: Path) -> None:
    with fresh_database() as url:
        with_password = url.replace("postgresql://review@", "postgresql://review:s3cret@", 1)
        ws = init_workspace(tmp_path / "ws", title="Team", database_url=with_password)
        text = (tmp_path / "ws" / "review.toml").read_text(encoding="utf-8")
        assert "s3cret" not in text and 'database_url = "postgresql://review@/' in text
        ws.store.engine.dispose()
        reopened = Workspace(tmp_path / "ws")
        assert reopened.store.dialect == "postgresql" and "s3cret" not in reopened.database_url
        reopened.store.engine.dispose()


def test_init_on_a_database_holding_another_review_is_refused(tmp_path: Path) -> None:
    # It succeeded: two workspaces then shared one store without a word (team.md: "must be empty").
    from click.testing import CliRunner

    from review.cli import main

    with fresh_database() as url:
        first = init_workspace(tmp_path / "first", title="First", database_url=url)
        _records(first, 1)
        first.store.engine.dispose()
        result = CliRunner().invoke(main, ["init", str(tmp_path / "second"), "--database", url])
        assert result.exit_code == 2 and not (tmp_path / "second").exists()
        (line,) = result.stderr.splitlines()
        assert "already holds a review (table import_batches is not empty)" in line


def test_environment_url_overrides_review_toml(workspace: Workspace, monkeypatch, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("REVIEW_DATABASE_URL", other)
    assert Workspace(workspace.root).database_url == other


def test_a_refused_init_leaves_the_other_reviews_database_as_it_was(tmp_path: Path) -> None:
    # The emptiness check came after Store.open, which creates missing tables and migrates an older
    # schema: a refused init still changed the other review's store (here: put back a dropped table).
    import sqlalchemy as sa
    from click.testing import CliRunner

    from review.cli import main

    first = init_workspace(tmp_path / "first", title="First")
    _records(first, 1)
    path = first.store.engine.url.database
    with first.store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE dedup_clusters"))
    first.store.engine.dispose()
    result = CliRunner().invoke(main, ["init", str(tmp_path / "second"), "--database", f"sqlite:///{path}"])
    assert result.exit_code == 2 and not (tmp_path / "second").exists()
    assert "already holds a review (table import_batches is not empty)" in result.stderr
    engine = sa.create_engine(f"sqlite:///{path}")
    assert not sa.inspect(engine).has_table("dedup_clusters")
    engine.dispose()


@pytest.mark.parametrize("engine_name", ["postgresql"])  # SQLite serialises writers: ids commit as drawn
def test_the_data_version_moves_when_a_lower_id_commits_after_a_higher_one(workspace: Workspace) -> None:
    """PostgreSQL does not serialise two reviewers' inserts: a decision whose id was drawn first may commit
    after a later one is visible, and the highest id, seen already, stays put. The dashboard closing a dialog
    then kept counts without the first reviewer's decision."""
    store = workspace.store
    assert store.dialect == "postgresql"
    first, second = _records(workspace, 2)
    with store.engine.connect() as slow:
        transaction = slow.begin()
        slow.execute(schema.screening_decisions.insert().values(  # alice's id is drawn, not committed yet
            record_id=first, reviewer="alice", stage="title_abstract", label="include", reasons=[], note="",
            created_at=datetime.now(timezone.utc), model_info={}))
        store.add_decision(second, "bob", "exclude")  # bob's, a higher id, commits first
        seen = store.data_version()
        transaction.commit()
    assert {d.reviewer for d in store.decisions()} == {"alice", "bob"}
    assert store.data_version() != seen


# libpq's messages as psycopg 3 gives them: a cause, then a hint indented with a tab (sometimes over two lines).
_REFUSED = ('connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
            '\tIs the server running on that host and accepting TCP/IP connections?')
_TWO_HOSTS = ('connection failed: connection to server at "::1", port 1 failed: Connection refused\n'
              '\tIs the server running on that host and accepting TCP/IP connections?\n'
              'connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
              '\tIs the server running on that host and accepting TCP/IP connections?')
_CLOSED = ('server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n'
           '\tbefore or while processing the request.')


@pytest.mark.parametrize(("text", "line"), [
    (_REFUSED, 'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused '
               '(Is the server running on that host and accepting TCP/IP connections?)'),
    (_TWO_HOSTS, 'connection to server at "127.0.0.1", port 1 failed: Connection refused '
                 '(Is the server running on that host and accepting TCP/IP connections?)'),
    (_CLOSED, 'server closed the connection unexpectedly (This probably means the server terminated abnormally '
              'before or while processing the request.)'),
    ('connection failed: … FATAL:  password authentication failed for user "alice"',
     'connection failed: … FATAL:  password authentication failed for user "alice"'),
])
def test_a_driver_message_is_one_line_with_its_cause_and_hint(text: str, line: str) -> None:
    """The last line alone was libpq's hint without its cause ('Is the server running on that host …?' for a
    refused connection, a missing socket and a stopped server alike; 'before or while processing the request.')."""
    from review.store.opening import driver_line

    assert driver_line(text) == line


def test_no_server_at_the_socket_says_so_not_only_the_hint(tmp_path: Path) -> None:
    with pytest.raises(ReviewError) as caught:
        Store.open(f"postgresql://alice@/review?host={tmp_path}")
    message = str(caught.value)
    assert "\n" not in message, message
    assert message.endswith(f'connection to server on socket "{tmp_path}/.s.PGSQL.5432" failed: No such file or '
                            "directory (Is the server running locally and accepting connections on that socket?)")


def test_a_password_not_given_says_where_review_takes_it_from(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A teammate's clone: review.toml keeps no password, and libpq's 'no password supplied' does not say that
    review reads PGPASSWORD and ~/.pgpass."""
    import sqlalchemy as sa

    from postgres import server_url

    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    url = sa.make_url(server_url()).set(username="review_password").render_as_string(hide_password=False)
    with pytest.raises(ReviewError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert "\n" not in message and "fe_sendauth: no password supplied" in message, message
    assert message.endswith("; review.toml keeps no password: give it in PGPASSWORD or ~/.pgpass "
                            "(docs/team.md, Credentials)"), message


def _statement_timeout(url: str, value: str) -> None:
    """What a database administrator sets for the database (``ALTER DATABASE … SET statement_timeout``)."""
    import sqlalchemy as sa

    from review.store.opening import engine_url

    target = engine_url(url)  # (set from the server's own database: this one's timeout would cancel the setting)
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{target.database}" SET statement_timeout TO \'{value}\'')
    engine.dispose()


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_statement_the_servers_timeout_cancels_is_one_line_naming_it(workspace: Workspace, tmp_path: Path) -> None:
    """A database whose administrator set statement_timeout (hosted servers do): `review import` of 3,000 records
    printed the driver's traceback with its SQL and the first ten records' fields, and its last line did not say
    what to change. Now one line naming the setting and how to lift it for review, exit 1, nothing imported."""
    import sqlalchemy as sa
    from click.testing import CliRunner

    from review.cli import main
    from review.store.opening import engine_url

    rows = "\n".join(f'"A study {i} of sickness absence and depression in nurses",Author {i},{2000 + i % 20}'
                     for i in range(3000))
    (tmp_path / "many.csv").write_text(f"title,authors,year\n{rows}\n", encoding="utf-8")
    # A statement the server cancels, whatever the machine's speed: a 1 ms limit alone let a fast, idle server
    # finish every insert of the import in time (2 of 3 runs failed on an idle machine). Another session holds the
    # records table, so the import's first read of it waits on the lock past the limit, as a slow statement would.
    _statement_timeout(workspace.database_url, "300ms")
    workspace.store.engine.dispose()
    holder = sa.create_engine(engine_url(workspace.database_url))
    with holder.connect() as holding:
        holding.exec_driver_sql("SET statement_timeout TO 0")
        holding.exec_driver_sql("LOCK TABLE records IN ACCESS EXCLUSIVE MODE")
        result = CliRunner().invoke(main, ["-w", str(workspace.root), "import", str(tmp_path / "many.csv")])
        holding.rollback()
    holder.dispose()
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    (line,) = result.stderr.splitlines()
    assert "statement timeout" in line and "[SQL" not in line and "Author 1" not in line, line
    assert "statement_timeout" in line and "options=-c%20statement_timeout%3D0" in line, line
    # Past the opening (an open store's long write, as the import's insert of the walk, at 5 ms): the same line.
    _statement_timeout(workspace.database_url, "200ms")
    store = Workspace(workspace.root).store
    with pytest.raises(ReviewError) as caught, store.engine.connect() as conn:
        conn.exec_driver_sql("SELECT pg_sleep(2)")
    assert str(caught.value) == line.removeprefix("review: ")
    store.engine.dispose()
    _statement_timeout(workspace.database_url, "0")
    assert Workspace(workspace.root).store.records() == []



def test_the_drivers_own_log_lines_stay_off_the_terminal() -> None:
    """psycopg logs what it ignores while cleaning up after an error review reports itself ('error ignored
    terminating <psycopg.Pipeline …>: pipeline aborted', under the one line of a statement the server cancelled in
    the walk of 2026-12-08); with no logging set up Python printed it on stderr, a second line. A new process, as
    the shell runs review; bibtexparser's log is kept off the same way."""
    import subprocess
    import sys

    script = ("import logging\nimport review.store\n"
              "logging.getLogger('psycopg').warning('error ignored terminating <psycopg.Pipeline>: pipeline aborted')\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_a_statement_cancelled_inside_a_foreign_key_check_still_says_its_cause() -> None:
    """The server adds CONTEXT lines under the cause when the cancelled statement ran inside another (a foreign
    key's check of an import's insert): the line named the CONTEXT's SQL and advised running the command again."""
    from types import SimpleNamespace

    from review.store.core import _statement_cancelled
    from review.store.errors import StatementCancelled

    diag = SimpleNamespace(message_primary="canceling statement due to statement timeout")  # (as psycopg's)
    original = type("QueryCanceled", (Exception,), {"sqlstate": "57014", "diag": diag})(
        'canceling statement due to statement timeout\nCONTEXT:  SQL statement "SELECT 1 FROM ONLY '
        '"public"."import_batches" x WHERE "id" OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x"')
    with pytest.raises(StatementCancelled) as caught:
        _statement_cancelled(SimpleNamespace(original_exception=original))
    message = str(caught.value)
    assert message.startswith("the server cancelled a statement (canceling statement due to statement timeout); ")
    assert "CONTEXT" not in message and "statement_timeout%3D0" in message
