"""``review init --database`` on a server removes, when a later step fails, the tables it created, and only
those: the rollback's drop used to be refused by the commit check (it reads schema_info, which the drop removes)
and hidden, leaving every table behind."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from postgres import fresh_database
from review.paths import WORKSPACE_FILE
from review.store import Store
from review.store.core import engine_url


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(engine_url(url))
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _refuse_review_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    import review.workspace as workspace_module

    real_write = workspace_module.write_text_atomic

    def refuse(path: Path, text: str) -> None:
        if path.name == WORKSPACE_FILE:
            raise OSError(28, "No space left on device")
        real_write(path, text)

    monkeypatch.setattr(workspace_module, "write_text_atomic", refuse)


def test_a_failed_init_on_a_server_drops_the_tables_it_made_and_only_those(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from review.workspace import init_workspace

    _refuse_review_toml(monkeypatch)
    with fresh_database() as url:
        with pytest.raises(OSError, match="No space left"):
            init_workspace(tmp_path / "a", database_url=url)
        assert _tables(url) == [] and not (tmp_path / "a").exists()
        # Tables there before (a kill -9 mid-init, say; empty, so init may take the database) are not this
        # call's to drop.
        Store.open(url).engine.dispose()
        before = _tables(url)
        assert "schema_info" in before
        with pytest.raises(OSError, match="No space left"):
            init_workspace(tmp_path / "b", database_url=url)
        assert _tables(url) == before
