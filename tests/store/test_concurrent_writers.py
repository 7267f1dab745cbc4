"""Two writers at once on one store (both engines): derived rows stay in line with their logs."""

from __future__ import annotations

import threading
import time

import pytest

from review.dedup import decisions
from review.records import Record
from review.store import dedup as dedup_store
from review.workspace import Workspace


def stored_clusters(workspace: Workspace) -> set[frozenset[int]]:
    return {frozenset(m) for m in dedup_store.clusters(workspace.store).values()}


def clusters_from_log(workspace: Workspace) -> set[frozenset[int]]:
    """The clusters the pair log implies, as a fresh rebuild would store them."""
    with workspace.store.connect() as conn:
        rows = dedup_store.state_rows(conn)
    return {frozenset(g) for g in decisions._components(decisions._state(rows)) if len(g) > 1}


def test_two_merges_at_once_leave_one_cluster(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.store.add_batch([Record(title=f"record {n}") for n in range(3)], file_name="f", file_sha256="d" * 64,
                              source_name="s", format="csv", encoding="utf-8")
    a, b, c = sorted(r.id for r in workspace.store.records() if r.id is not None)
    replace_clusters = dedup_store.replace_clusters
    slow = threading.Event()

    def replace_slowly(*args: object) -> None:
        if not slow.is_set():  # the first writer has read the log and waits before writing clusters
            slow.set()
            time.sleep(1.0)
        replace_clusters(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dedup_store, "replace_clusters", replace_slowly)
    first = threading.Thread(target=decisions.decide_pair, args=(workspace.store, a, b, "same", "alice"))
    first.start()
    assert slow.wait(30)
    decisions.decide_pair(workspace.store, b, c, "same", "bob")  # meanwhile, from another window
    first.join(30)
    assert clusters_from_log(workspace) == {frozenset({a, b, c})}
    assert stored_clusters(workspace) == {frozenset({a, b, c})}
    assert decisions.undo_merge(workspace.store, c, "alice", detach_only=True) == [c]
    assert stored_clusters(workspace) == clusters_from_log(workspace) == {frozenset({a, b})}
