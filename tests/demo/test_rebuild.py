"""`review demo --rebuild` deletes only what a demo build made, never a user's file beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.workspace import Workspace


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    path = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code == 0, result.output
    return path


def test_rebuild_refuses_a_demo_folder_that_holds_a_users_file(demo_path: Path) -> None:
    # --rebuild deleted PATH whole, with the notes the user had put beside the demo.
    (demo_path / "notes.txt").write_text("precious\n", encoding="utf-8")
    before = sorted(p.relative_to(demo_path) for p in demo_path.rglob("*"))
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui", "--rebuild"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"review: {demo_path}: holds files the demo did not make (notes.txt); --rebuild deletes "
                             "only a demo's own files: move them out first, or give review demo another PATH\n")
    assert sorted(p.relative_to(demo_path) for p in demo_path.rglob("*")) == before
    assert (demo_path / "notes.txt").read_text(encoding="utf-8") == "precious\n"
    assert (demo_path / ".demo-build").read_text(encoding="utf-8") == "built\n"  # still the finished demo


def test_rebuild_refuses_a_link_and_never_follows_it(demo_path: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.csv").write_text("a\n", encoding="utf-8")
    (demo_path / "data").symlink_to(mine)
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui", "--rebuild"])
    assert result.exit_code == 2 and "(data)" in result.stderr
    assert (mine / "data.csv").is_file()


def test_rebuild_of_a_demo_deletes_its_own_files_and_what_its_commands_wrote(demo_path: Path) -> None:
    prisma = demo_path / "screening" / "prisma"
    assert CliRunner().invoke(main, ["-w", str(demo_path), "prisma", "--out", str(prisma)]).exit_code == 0
    (demo_path / "queries" / "mine.toml").write_text("# a query tried in the demo\n", encoding="utf-8")
    Workspace(demo_path).store.add_decision(1, "anna", "include")
    assert len(Workspace(demo_path).store.decisions(reviewer="anna")) == 1
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "using existing demo workspace" not in result.stderr
    assert not prisma.exists() and not (demo_path / "queries" / "mine.toml").exists()
    rebuilt = Workspace(demo_path).store
    assert rebuilt.count_records() > 2000 and rebuilt.decisions(reviewer="anna") == []
    assert (demo_path / ".demo-build").read_text(encoding="utf-8") == "built\n"
