"""``review init`` keeps the store and per-person results out of git (docs/team.md shares the folder through
git): a .gitignore of its own, or its block added once to the user's, never written over."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from review import workspace as workspace_module
from review.cli import main
from review.workspace import GITIGNORE_MARK, _add_gitignore, init_workspace

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _ignored(root: Path, *paths: str) -> set[str]:
    run = subprocess.run(["git", "-C", str(root), "check-ignore", "--no-index", *paths],
                         capture_output=True, text=True)
    return set(run.stdout.split())


@needs_git
def test_a_new_workspace_ignores_its_store_and_results_but_not_its_record(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root), "--title", "Sleep"]).exit_code == 0
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    kept_out = ["review.db", "review.db-wal", "review.db-shm", "review.db-journal", "validate/results/sus.json"]
    shared = ["review.toml", "screening/criteria.toml", "queries/example.toml", "extraction/form.toml", ".gitignore"]
    assert _ignored(root, *kept_out, *shared) == set(kept_out)


def test_a_users_gitignore_is_kept_and_the_block_added_once(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitignore").write_text("node_modules/\n*.log", encoding="utf-8")  # no final line break
    init_workspace(root, title="Sleep")
    text = (root / ".gitignore").read_text(encoding="utf-8")
    assert text.startswith("node_modules/\n*.log\n\n" + GITIGNORE_MARK + "\n/review.db\n"), text
    _add_gitignore(root)  # (a second time: nothing added)
    assert (root / ".gitignore").read_text(encoding="utf-8") == text and text.count(GITIGNORE_MARK) == 1


def test_a_failed_init_puts_the_users_gitignore_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitignore").write_text("secret/\n", encoding="utf-8")
    real_write = workspace_module.write_text_atomic

    def refuse_review_toml(path: Path, text: str, **kwargs: object) -> None:
        if Path(path).name == "review.toml":
            raise OSError("disk full")
        real_write(path, text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workspace_module, "write_text_atomic", refuse_review_toml)
    with pytest.raises(OSError, match="disk full"):
        init_workspace(root, title="Sleep")
    assert (root / ".gitignore").read_text(encoding="utf-8") == "secret/\n"
    assert sorted(p.name for p in root.iterdir()) == [".gitignore"]


@pytest.mark.parametrize("original", [
    "caf\u00e9/\n".encode("latin-1"),  # not UTF-8: init ended in a UnicodeDecodeError traceback
    b"*.pdf\r\nnotes/\r\n",  # CRLF: rewritten as LF
])
def test_a_users_gitignore_is_appended_to_as_bytes_and_a_failed_init_truncates_it_back(
    tmp_path: Path, original: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitignore").write_bytes(original)
    (root / ".gitignore").chmod(0o664)
    init_workspace(root, title="Sleep")
    after = (root / ".gitignore").read_bytes()
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    assert after.startswith(original + newline + GITIGNORE_MARK.encode() + newline), after
    assert after.count(b"\n") == after.count(newline)  # (one kind of line ending in the file)
    assert (root / ".gitignore").stat().st_mode & 0o777 == 0o664

    again = tmp_path / "again"
    again.mkdir()
    (again / ".gitignore").write_bytes(original)
    real_write = workspace_module.write_text_atomic

    def refuse_review_toml(path: Path, text: str, **kwargs: object) -> None:
        if Path(path).name == "review.toml":
            raise OSError("disk full")
        real_write(path, text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workspace_module, "write_text_atomic", refuse_review_toml)
    with pytest.raises(OSError, match="disk full"):
        init_workspace(again, title="Sleep")
    assert (again / ".gitignore").read_bytes() == original


def test_a_gitignore_that_is_a_symlink_stays_one_and_its_target_gets_the_block(tmp_path: Path) -> None:
    shared = tmp_path / "dotfiles" / "gitignore"
    shared.parent.mkdir()
    shared.write_text("*.swp\n", encoding="utf-8")
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitignore").symlink_to(shared)
    init_workspace(root, title="Sleep")
    assert (root / ".gitignore").is_symlink()
    assert shared.read_text(encoding="utf-8").startswith("*.swp\n\n" + GITIGNORE_MARK + "\n")
