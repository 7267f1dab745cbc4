"""``scripts/demo_walkthrough.py`` writes its diagram to a temporary folder unless told to update the docs'
pictures (it rewrote docs/images on every run, and a run from another folder made docs/images there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from script_module import load_script
from shared_data import REPO_ROOT

walkthrough = load_script("scripts/demo_walkthrough.py", "demo_walkthrough_script")


def test_by_default_the_diagram_goes_to_a_new_folder_outside_the_repository() -> None:
    first, second = walkthrough.images_folder(None, False), walkthrough.images_folder(None, False)
    assert first != second and first.is_dir() and not any(first.iterdir())
    assert REPO_ROOT.resolve() not in first.resolve().parents
    for folder in (first, second):
        folder.rmdir()


def test_write_docs_updates_the_pictures_the_docs_show_and_out_goes_where_it_says(tmp_path: Path) -> None:
    assert walkthrough.images_folder(None, True) == REPO_ROOT.resolve() / "docs" / "images"
    assert (REPO_ROOT / "docs" / "images" / "prisma_demo.png").is_file()  # the picture README.md shows
    assert walkthrough.images_folder(tmp_path, False) == tmp_path


def test_out_and_write_docs_together_are_refused_before_anything_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        walkthrough.main(["--write-docs", "--out", "x"])
    assert stopped.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_temporary_demo_workspace_is_removed_at_the_end_and_a_given_one_kept(tmp_path: Path) -> None:
    """Each run left a /tmp/review-demo-* behind: now only --workspace keeps one, also when the run fails."""
    with walkthrough.demo_folder(None) as folder:
        folder.mkdir()
        (folder / "review.db").write_text("x", encoding="utf-8")
        temporary = folder.parent
        assert REPO_ROOT.resolve() not in temporary.resolve().parents
    assert not temporary.exists()
    with pytest.raises(RuntimeError), walkthrough.demo_folder(None) as folder:
        folder.mkdir()
        raise RuntimeError("the walk failed")
    assert not folder.parent.exists()
    with walkthrough.demo_folder(tmp_path / "kept") as folder:
        folder.mkdir()
    assert folder == tmp_path / "kept" and folder.is_dir()
