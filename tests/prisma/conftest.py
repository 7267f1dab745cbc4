"""Hand-built workspaces with known PRISMA flows."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest

from review.prisma import counts as counts_module
from review.records import Record
from review.workspace import Workspace

_sha = count(1)


def add_records(workspace: Workspace, n: int, source: str) -> list[int]:
    """Import ``n`` records from ``source`` as one batch; returns their ids."""
    before = {r.id for r in workspace.store.records()}
    records = [Record(title=f"{source} record {i}", year=2020) for i in range(n)]
    workspace.store.add_batch(records, file_name=f"{source}.ris", file_sha256=f"{next(_sha):064x}",
                              source_name=source, format="ris", encoding="utf-8")
    return sorted({r.id for r in workspace.store.records()} - before)


def screen(workspace: Workspace, ids: list[int], label: str, reviewer: str = "alice") -> None:
    for record_id in ids:
        workspace.store.add_decision(record_id, reviewer, label)


@pytest.fixture
def add() -> "Callable[..., list[int]]":
    return add_records


@pytest.fixture
def screen_as() -> "Callable[..., None]":
    return screen


@pytest.fixture(autouse=True)
def no_dedup(monkeypatch: pytest.MonkeyPatch) -> None:
    """PRISMA tests set duplicates explicitly (the ``dedup`` fixture); by default dedup has not
    run, whatever state the dedup stage is in."""
    monkeypatch.setattr(counts_module, "duplicate_record_ids", lambda store, runs=None: (set(), False))
