"""What a store that cannot be written is called (``StoreReadOnly``); the command-line lines, run where file
permissions bind, are in tests/test_cli_conventions.py."""

from __future__ import annotations

from pathlib import Path


def test_a_store_whose_folder_is_gone_is_not_called_read_only(tmp_path: Path) -> None:
    """SQLite says "unable to open database file" for a folder moved away too: that is no read-only folder (the
    store's lost-file check names it), so the read-only line stays out of it."""
    from review.store.core import _read_only_place

    assert _read_only_place(tmp_path / "moved" / "review.db") is None
    assert _read_only_place(tmp_path / "review.db") is None  # a writable folder, no file yet
