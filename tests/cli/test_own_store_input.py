"""The workspace's own store named as a file to read (``review import review.db``, ``review dedup review.db``) is
refused before a byte of it is read: one line naming the file, exit 3, nothing imported
(``Workspace.refuse_own_store``). Read by Python while the command holds the store, closing that
descriptor dropped the process's SQLite locks on the file (tests/store/test_store_locks.py says what follows)."""

from __future__ import annotations

import gc
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ImportFormatError
from review.workspace import Workspace
from tests.store.test_store_locks import _another_process_leaves_wal_mode

RIS = "TY  - JOUR\nTI  - {title}\nER  - \n"


@pytest.fixture
def workspace_root(tmp_path: Path) -> Path:
    """A workspace on its own SQLite store (review.db beside review.toml), with one record."""
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    first = tmp_path / "first.ris"
    first.write_text(RIS.format(title="First title"), encoding="utf-8")
    assert CliRunner().invoke(main, ["-w", str(root), "import", str(first)]).exit_code == 0
    gc.collect()  # the import's store, closed: its -wal checkpointed into review.db, whose bytes then stay as they are
    assert not (root / "review.db-wal").exists()
    return root


def _digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def test_an_import_of_the_store_keeps_the_locks_the_process_holds_on_it(workspace_root: Path) -> None:
    """Before: the importer read review.db with Python I/O while the command's store was open, so a child
    process could then take the store out of WAL mode under the open connection."""
    from review.services.sources import import_files

    workspace = Workspace(workspace_root)
    store = workspace.store
    try:
        assert store.count_records() == 1  # its pooled connection holds the file's SHARED lock from here
        assert _another_process_leaves_wal_mode(workspace_root / "review.db") == "locked"
        try:
            import_files(workspace, [workspace_root / "review.db"])  # (before: a failed row, after reading it)
            refusal = ""
        except ImportFormatError as err:
            refusal = str(err)
        assert _another_process_leaves_wal_mode(workspace_root / "review.db") == "locked"  # (before: "delete")
        assert refusal == f"{workspace_root / 'review.db'}: the review's own store, not a file to import"
        assert store.count_records() == 1
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("name, said", [
    ("review.db", "the review's own store"),
    ("./review.db", "the review's own store"),
    ("linked.db", "the review's own store"),  # a hard link: another name, the same device and inode
    ("review.db-wal", "the review's own store (SQLite's -wal file beside review.db)"),
    ("review.db-shm", "the review's own store (SQLite's -shm file beside review.db)"),
    ("review.db-journal", "the review's own store (SQLite's -journal file beside review.db)"),
])
def test_review_import_refuses_the_store_before_reading_a_byte_and_imports_nothing(
        workspace_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, said: str) -> None:
    from review.sources import importer

    if name == "linked.db":
        (workspace_root / "linked.db").hardlink_to(workspace_root / "review.db")
    second = tmp_path / "second.ris"  # a good file beside it: the whole import is refused, this one too
    second.write_text(RIS.format(title="Second title"), encoding="utf-8")
    read: list[Path] = []
    real_read = importer.read_input_bytes
    monkeypatch.setattr(importer, "read_input_bytes", lambda path: (read.append(path), real_read(path))[1])
    before = _digest(workspace_root / "review.db")
    monkeypatch.chdir(workspace_root)
    result = CliRunner().invoke(main, ["import", str(second), name])
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"review: {Path(name)}: {said}, not a file to import\n"
    assert read == [] and _digest(workspace_root / "review.db") == before
    assert Workspace(workspace_root).store.count_records() == 1


@pytest.mark.parametrize("command", [
    ["dedup", "{file}"], ["simulate", "{file}", "--json", "{out}"], ["validate", "cvi", "{file}"], ["meta", "{file}"],
    ["search", "--check-seeds", "{file}"], ["instrument", "score", "{file}"],
], ids=lambda command: " ".join(word for word in command if "{" not in word))
def test_every_command_that_reads_a_named_file_refuses_the_store(
        workspace_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    """They read it (``review search --check-seeds`` with the store open) and said what they could not parse in
    it: 'binary file: an SQLite database', or a traceback."""
    monkeypatch.chdir(workspace_root)
    before = _digest(workspace_root / "review.db")
    words = [word.format(file="review.db", out=tmp_path / "out.json") for word in command]
    result = CliRunner().invoke(main, words)
    assert (result.exit_code, result.stderr) == (3, "review: review.db: the review's own store, not a file to read\n")
    assert _digest(workspace_root / "review.db") == before and not (tmp_path / "out.json").exists()


def test_the_store_review_database_url_names_is_refused_too(workspace_root: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "other.db"
    monkeypatch.setenv("REVIEW_DATABASE_URL", f"sqlite:///{elsewhere}")
    result = CliRunner().invoke(main, ["-w", str(workspace_root), "import", str(elsewhere)])
    assert result.exit_code == 3 and result.stderr == f"review: {elsewhere}: the review's own store, not a file to import\n"


def test_outside_a_workspace_a_database_file_is_no_store_of_this_command(workspace_root: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """``review dedup FILE`` needs no workspace: run outside one, it has no store to keep, and says what the file is."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["dedup", str(workspace_root / "review.db")])
    assert result.exit_code == 3 and "own store" not in result.stderr and "SQLite database" in result.stderr
