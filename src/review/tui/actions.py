"""Pipeline actions the dashboard runs in workers: each calls the stage's own function.

A stage that is not installed yet gives a clear message instead of an error.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ReviewError
from ..workspace import Workspace


@dataclass(frozen=True, slots=True)
class PipelineAction:
    """A dashboard action: which stage function it calls and how to summarise the result."""

    key: str
    label: str
    run: Callable[[Workspace, str], str]


def _call(module: str, name: str) -> Callable[..., object]:
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as err:
        raise ReviewError(f"{module}.{name} is not available in this installation", title="Action") from err


def run_search(workspace: Workspace, reviewer: str) -> str:
    outcomes = _call("review.sources.search", "run_searches")(workspace)
    return "; ".join(f"{o.name}: {o.hit_count} hits, {o.new_records} new" for o in outcomes)  # type: ignore[attr-defined]


def run_dedup(workspace: Workspace, reviewer: str) -> str:
    summary = _call("review.dedup.run", "run_dedup")(workspace)
    lines = summary.lines()  # type: ignore[attr-defined]
    return "; ".join(" ".join(line.split()) for line in lines[2:5])


def run_export(workspace: Workspace, reviewer: str) -> str:
    from ..screening.agreement import (
        conflicts, export_agreement, pairwise_agreement, store_labels, store_resolutions,
    )

    store = workspace.store
    labels = store_labels(store)
    reviewers = sorted({r for _, r in labels})
    paths = export_agreement(workspace.path("screening"), pairwise_agreement(labels, reviewers),
                             conflicts(labels, store_resolutions(store)), reviewers)
    written = [p.name for p in paths]
    try:
        prisma = _call("review.prisma.outputs", "write_outputs")
    except ReviewError:
        pass
    else:
        prisma(workspace)
        written.append("prisma/")
    return "exported to screening/: " + ", ".join(written)


ACTIONS: tuple[PipelineAction, ...] = (
    PipelineAction("s", "Search PubMed", run_search),
    PipelineAction("d", "Deduplicate", run_dedup),
    PipelineAction("x", "Export", run_export),
)
