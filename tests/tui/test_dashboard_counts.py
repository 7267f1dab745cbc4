"""The dashboard's counts read what the screening queue leaves out once: the session's refresh, then
the PRISMA counts from the same read (they read dedup's duplicates, clusters and the removals again before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.dedup import decisions
from review.store import dedup as dedup_store
from review.services.prisma import prisma_counts, remove_records
from review.tui.project import open_project
from review.tui.screens.dashboard import gather

from tui_workspace import build_workspace


def test_the_dashboard_counts_what_prisma_counts_from_one_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = build_workspace(tmp_path / "ws")
    ids = [r.id or 0 for r in workspace.store.records()]
    decisions.decide_pair(workspace.store, ids[0], ids[4], "same", "alice")  # one duplicate set aside
    remove_records(workspace, [ids[5]], "alice", "retracted")
    project = open_project(workspace, "alice")
    try:
        reads: list[object] = []
        real = dedup_store.clusters
        monkeypatch.setattr(dedup_store, "clusters", lambda store: reads.append(store) or real(store))
        data = gather(project)
        # The set-aside's read (its canonical map serves PRISMA's studies too) and borderline pairs' own;
        # counting duplicate_ids missed the counts' second read of the clusters.
        assert len(reads) == 2
        monkeypatch.undo()
        counts = prisma_counts(workspace)  # read afresh, as `review prisma` does
        assert (data.duplicates, data.prisma_screened, data.prisma_excluded) == (
            counts.n("duplicates"), counts.n("records_screened"), counts.n("records_excluded"))
        assert data.duplicates == 1 and counts.n("excluded_other") == 1
        assert prisma_counts(workspace, project.session.set_aside).boxes == counts.boxes
    finally:
        project.release()


def test_the_dashboards_dedup_says_how_far_it_is(tmp_path: Path) -> None:
    """d showed only "running…" for the whole run."""
    from review.tui.actions import run_dedup

    lines: list[str] = []
    summary = run_dedup(build_workspace(tmp_path / "ws", with_conflicts=False), "alice", lines.append)
    assert summary
    assert any(line.startswith("normalise ") and " of 12" in line for line in lines), lines
    assert any(line.startswith("score ") for line in lines), lines
