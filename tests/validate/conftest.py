from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (header first) as a CSV file in tmp_path."""

    def write(name: str, rows: Sequence[Sequence[object]]) -> Path:
        path = tmp_path / name
        path.write_text("".join(",".join(str(c) for c in row) + "\n" for row in rows), encoding="utf-8")
        return path

    return write
