"""workspace.sqlite_file reads a store URL without SQLAlchemy (light commands stay quick); it must name the file
store.opening._sqlite_path finds in SQLAlchemy's own reading of the URL, or refuse_own_store guards another file."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import assume, given
from hypothesis import strategies as st

from review.store.opening import _sqlite_path
from review.workspace import Workspace, init_workspace, sqlite_file, sqlite_url


def _store_reading(url: str) -> Path | None:
    return _sqlite_path(sa.make_url(url))


#: The forms docs/workspaces.md, docs/team.md and review migrate's help show, and their neighbours.
DOCUMENTED = [
    "sqlite:///review.db", "sqlite:///sub/dir/review.db", "sqlite:////home/alice/review/review.db",
    "sqlite:///review.db?timeout=30", "sqlite:////abs/review.db?mode=ro&timeout=5", "sqlite+pysqlite:///r.db",
    "sqlite://", "sqlite:///", "sqlite:///:memory:", "sqlite:///file:x?mode=memory&uri=true",
    "postgresql://alice@db.example.org/review", "postgresql+psycopg://u:secret@h:5432/review?sslmode=require",
]
#: Where the two differed (2026-12-06): a host or user before the path (the twin kept its last letters), an
#: escape (%20, %3F, %2F: the twin kept it), a scheme in capitals (SQLAlchemy opens none).
DIFFERED = ["sqlite://host/x.db", "sqlite://user@/x.db", "sqlite:///my%20review.db", "sqlite:////a/b%3Fc.db",
            "sqlite:///a%2Fb.db", "SQLite:///x.db"]


@pytest.mark.parametrize("url", DOCUMENTED + DIFFERED)
def test_the_light_reading_names_the_file_sqlalchemy_opens(url: str) -> None:
    assert sqlite_file(url) == _store_reading(url)


_PATH_CHARACTERS = st.sampled_from(["a", "b", "/", ".", " ", "%", "%20", "%3F", "%2F", "%25", "%zz", "?", "&", "=",
                                    ":", "#", "~", "é", "+", "@", ":memory:", "file:"])


@given(scheme=st.sampled_from(["sqlite", "sqlite+pysqlite", "SQLite", "postgresql", "postgresql+psycopg"]),
       authority=st.sampled_from(["", "host", "user@", "user@host", "user:pw@host:5432", "[::1]"]),
       path=st.lists(_PATH_CHARACTERS, max_size=12).map(lambda parts: "/" + "".join(parts)))
def test_the_two_readings_agree_on_any_url(scheme: str, authority: str, path: str) -> None:
    url = f"{scheme}://{authority}{path}"
    try:
        opened = _store_reading(url)
    except (ValueError, sa.exc.ArgumentError):  # (no store opens on it: a port that is no number)
        assume(False)
    assert sqlite_file(url) == opened, url


@pytest.mark.parametrize("name", ["what?", "100%", "a%3Fb", "two words", "ré?sumé%"])
def test_a_workspace_in_a_folder_named_with_a_question_mark_or_percent_keeps_its_store_inside(
        tmp_path: Path, name: str) -> None:
    """review init 'q?dir' made its store as the file 'q' beside the folder (the ? began the URL's query), and
    review init 'p%41dir' failed: SQLAlchemy read %41 as 'A' and opened pAdir/review.db, a folder not there."""
    workspace = init_workspace(tmp_path / name, title="t")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    database = workspace.root / "review.db"
    assert database.is_file() and workspace.sqlite_databases() == (database,)
    assert sqlite_file(workspace.database_url) == database == _store_reading(workspace.database_url)
    assert Workspace(workspace.root).store.count_records() == 0  # (opened again from review.toml)
    assert sqlite_file(sqlite_url(database)) == database
