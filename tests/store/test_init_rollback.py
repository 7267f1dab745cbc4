"""``review init --database`` on a server removes, when a later step fails, the tables it created, and only
those: the rollback's drop used to be refused by the commit check (it reads schema_info, which the drop removes)
and hidden, leaving every table behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from postgres import fresh_database
from review.paths import WORKSPACE_FILE
from review.store import Store

from .helpers import table_names


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
        assert table_names(url) == [] and not (tmp_path / "a").exists()
        # Tables there before (a kill -9 mid-init, say; empty, so init may take the database) are not this
        # call's to drop.
        Store.open(url).engine.dispose()
        before = table_names(url)
        assert "schema_info" in before
        with pytest.raises(OSError, match="No space left"):
            init_workspace(tmp_path / "b", database_url=url)
        assert table_names(url) == before


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_second_init_naming_a_database_another_init_took_is_refused(tmp_path: Path, engine_name: str) -> None:
    """Two inits on one fresh database both succeeded and shared one store (no row yet, and schema_info was not
    counted). The finished init's mark refuses the second; nothing of it is left."""
    from contextlib import ExitStack

    from click.testing import CliRunner

    from review.cli import main

    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'shared.db'}" if engine_name == "sqlite"
               else stack.enter_context(fresh_database()))
        first = CliRunner().invoke(main, ["init", str(tmp_path / "a"), "--database", url])
        assert first.exit_code == 0, first.output
        second = CliRunner().invoke(main, ["init", str(tmp_path / "b"), "--database", url])
        assert second.exit_code == 2, second.output
        assert "already holds a review (a workspace took it as its store on " in second.stderr, second.output
        assert not (tmp_path / "b").exists()
        status = CliRunner().invoke(main, ["-w", str(tmp_path / "a"), "status"])
        assert status.exit_code == 0 and "sources    0 records" in status.stdout, status.output


def test_a_database_review_migrate_moved_an_empty_review_to_is_not_taken_by_another_init(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from review.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "a")]).exit_code == 0
    with fresh_database() as url:
        moved = runner.invoke(main, ["-w", str(tmp_path / "a"), "migrate", "--to", url])
        assert moved.exit_code == 0, moved.output
        second = runner.invoke(main, ["init", str(tmp_path / "b"), "--database", url])
        assert second.exit_code == 2 and "a workspace took it as its store on" in second.stderr, second.output
