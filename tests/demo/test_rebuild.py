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


def test_a_build_writes_exactly_the_files_it_lists(demo_path: Path) -> None:
    # --rebuild deletes these and refuses anything else: the list must be what a build writes.
    from review.demo.files import BUILD_STATE_FILE, DEMO_FILES, DEMO_FOLDER_FILES, foreign_entries

    assert foreign_entries(demo_path) == []
    for folder, names in DEMO_FOLDER_FILES.items():
        assert {p.name for p in (demo_path / folder).iterdir()} == names, folder
    assert {p.name for p in demo_path.iterdir() if p.is_file()} <= {BUILD_STATE_FILE, *DEMO_FILES}


def test_rebuild_refuses_a_users_file_inside_the_demos_folders(demo_path: Path) -> None:
    # --rebuild deleted extraction/factors.toml, imports/my_export.ris and a query tried in the demo, though
    # its help said "only what a demo build made".
    mine = {"queries/mine.toml": "# a query tried in the demo\n", "extraction/factors.toml": "[factors]\n",
            "imports/my_export.ris": "TY  - JOUR\nER  - \n"}
    for name, text in mine.items():
        (demo_path / name).write_text(text, encoding="utf-8")
    before = sorted(p.relative_to(demo_path) for p in demo_path.rglob("*"))
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui", "--rebuild"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"review: {demo_path}: holds files the demo did not make (extraction/factors.toml, "
                             "imports/my_export.ris, queries/mine.toml); --rebuild deletes only a "
                             "demo's own files: move them out first, or give review demo another PATH\n")
    assert sorted(p.relative_to(demo_path) for p in demo_path.rglob("*")) == before
    assert all((demo_path / name).read_text(encoding="utf-8") == text for name, text in mine.items())


def test_rebuild_deletes_what_the_tools_commands_wrote_at_their_default_place(demo_path: Path) -> None:
    # Trying review prisma in the demo, then --rebuild, was refused: "files the demo did not make".
    assert CliRunner().invoke(main, ["-w", str(demo_path), "prisma"]).exit_code == 0
    (demo_path / "validate" / "results").mkdir()
    (demo_path / "validate" / "results" / "pilot_kappa.json").write_text("{}\n", encoding="utf-8")
    assert (demo_path / "screening" / "prisma" / "prisma.csv").is_file()
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert not (demo_path / "screening" / "prisma").exists() and not (demo_path / "validate" / "results").exists()


def test_rebuild_refuses_a_link_or_folder_inside_a_commands_output_folder(demo_path: Path, tmp_path: Path) -> None:
    prisma = demo_path / "screening" / "prisma"
    prisma.mkdir()
    (prisma / "mine").mkdir()
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui", "--rebuild"])
    assert result.exit_code == 2 and "(screening/prisma)" in result.stderr
    assert (prisma / "mine").is_dir()


def test_rebuild_of_a_demo_deletes_its_own_files_and_store(demo_path: Path) -> None:
    Workspace(demo_path).store.add_decision(1, "anna", "include")
    (demo_path / "queries" / "demo.toml").write_text("# edited in the demo\n", encoding="utf-8")  # (its own file)
    assert len(Workspace(demo_path).store.decisions(reviewer="anna")) == 1
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "using existing demo workspace" not in result.stderr
    assert "edited" not in (demo_path / "queries" / "demo.toml").read_text(encoding="utf-8")
    rebuilt = Workspace(demo_path).store
    assert rebuilt.count_records() > 2000 and rebuilt.decisions(reviewer="anna") == []
    assert (demo_path / ".demo-build").read_text(encoding="utf-8") == "built\n"


def test_rebuild_marks_the_demo_unfinished_first_and_deletes_review_toml_last(demo_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Killed between review.toml and review.db (directory order), a later review demo PATH built on the old
    # review.db: review.toml, the demo's mark, was gone. Each deletion is logged with the build state then.
    import shutil

    from review.demo import files

    deleted: list[tuple[str, str]] = []
    state = demo_path / ".demo-build"
    real_rmtree, real_unlink = shutil.rmtree, Path.unlink

    def rmtree(path: Path, *args: object, **kwargs: object) -> None:
        deleted.append((Path(path).name, state.read_text(encoding="utf-8")))
        real_rmtree(path)

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path.parent == demo_path:
            deleted.append((path.name, state.read_text(encoding="utf-8")))
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(files.shutil, "rmtree", rmtree)
    monkeypatch.setattr(Path, "unlink", unlink)
    from review.services.demo import _delete_demo

    _delete_demo(demo_path)
    assert deleted[-1][0] == "review.toml" and {"review.db", "queries", "imports"} <= {name for name, _ in deleted}
    assert {marked for _, marked in deleted} == {"building\n"}  # marked before the first deletion
    assert [p.name for p in demo_path.iterdir()] == [".demo-build"]


def test_a_demo_whose_deletion_stopped_after_review_toml_is_built_from_nothing(demo_path: Path) -> None:
    # The state a rebuild killed just after deleting review.toml left (before this order, with review.db
    # still there): review demo PATH built the new workspace on the old store, its decisions and all.
    Workspace(demo_path).store.add_decision(1, "anna", "include")
    (demo_path / ".demo-build").write_text("building\n", encoding="utf-8")
    (demo_path / "review.toml").unlink()
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui"])
    assert result.exit_code == 0, result.output
    rebuilt = Workspace(demo_path).store
    assert rebuilt.decisions(reviewer="anna") == [] and rebuilt.count_records() > 2000
    assert (demo_path / ".demo-build").read_text(encoding="utf-8") == "built\n"


def test_a_demo_whose_store_is_gone_is_told_to_rebuild_not_to_start_an_empty_store(demo_path: Path,
                                                                                   tmp_path: Path) -> None:
    """`review demo DIR` on a built demo whose review.db is gone advised `review init --store-only`, an empty
    demo; the way back is --rebuild."""
    import shutil

    for side in ("", "-wal", "-shm"):  # (moved whole: a -wal left behind gets its own line)
        if (demo_path / f"review.db{side}").exists():
            shutil.move(demo_path / f"review.db{side}", tmp_path / f"aside.db{side}")
    result = CliRunner().invoke(main, ["demo", str(demo_path), "--no-tui"])
    assert result.exit_code == 1, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("store"))
    assert row.endswith(f"this is a demo workspace: put it back (from where it was moved) and run the command again, "
                        f"or review demo {demo_path} --rebuild builds it again (only what a demo build made is "
                        "deleted)"), row  # (screened in the demo: a review.db moved by mistake comes back as it was)
    assert "--store-only" not in result.output and not (demo_path / "review.db").exists()
    rebuilt = CliRunner().invoke(main, ["demo", str(demo_path), "--rebuild", "--no-tui"])
    assert rebuilt.exit_code == 0 and (demo_path / "review.db").is_file(), rebuilt.output
