"""Workspace service: create a workspace and report what it holds per stage."""

from __future__ import annotations

from pathlib import Path

from ..records import Record
from ..workspace import Workspace, init_workspace

__all__ = ["counts_by_source", "create_workspace", "open_store", "record", "workspace_status"]


def create_workspace(path: Path, *, title: str = "Untitled review", reviewers: list[str] | None = None,
                     seed: int = 42) -> Workspace:
    """The workspace layout at ``path`` (queries/, screening/, extraction/, instrument/, store)."""
    return init_workspace(path, title=title, reviewers=reviewers, seed=seed)


def open_store(workspace: Workspace) -> None:
    """Open the workspace's store and check its schema now (SQLAlchemy loads here: call it off
    the UI thread)."""
    workspace.store  # noqa: B018 - the property opens and checks it


def record(workspace: Workspace, record_id: int) -> Record:
    """One record by id (a ``ReviewError`` if the workspace has none by that id)."""
    return workspace.store.record(record_id)


def counts_by_source(workspace: Workspace) -> dict[str, int]:
    """How many records each source (database) contributed."""
    return workspace.store.counts_by_source()


def workspace_status(workspace: Workspace) -> list[str]:
    """Plain lines for ``review status``: records and screening, then every stage in pipeline order."""
    from . import dedup, extraction, instrument, prisma, screening, sources

    store = workspace.store
    lines = [f"workspace  {workspace.root}", f"title      {workspace.config.title}"]
    batches = store.batches()
    lines.append(f"sources    {store.count_records()} records in {len(batches)} import batches")
    for source, n in sorted(store.counts_by_source().items()):
        lines.append(f"  {source:<20} {n}")
    current = store.current_decisions()
    labels: dict[str, int] = {}
    for decision in current.values():
        labels[decision.label] = labels.get(decision.label, 0) + 1
    screened = len({record_id for record_id, _ in current})
    summary = ", ".join(f"{n} {label}" for label, n in sorted(labels.items())) or "none yet"
    lines.append(f"screening  {screened} records screened ({summary})")
    for stage_status in (sources.search_status, dedup.dedup_status, screening.ranking_status,
                         prisma.prisma_status, extraction.extraction_status, instrument.instrument_status):
        lines.extend(stage_status(workspace))
    return lines
