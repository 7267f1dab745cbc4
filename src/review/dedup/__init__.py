"""Deduplication: normalise, block, score, decide (duplicate / borderline / distinct), cluster.

``deduplicate(records)`` works on plain records (CSV benchmark mode); ``run_dedup(workspace)``
does the same for a workspace and records the outcome in its store.
"""

from __future__ import annotations

from typing import Any

from .engine import Cluster, DedupResult, PairResult, deduplicate

__all__ = ["Cluster", "DedupResult", "PairResult", "deduplicate", "run_dedup"]


def __getattr__(name: str) -> Any:
    # Imported lazily: run.py needs the store, and the store imports dedup.cluster.
    if name == "run_dedup":
        from .run import run_dedup

        return run_dedup
    raise AttributeError(name)
