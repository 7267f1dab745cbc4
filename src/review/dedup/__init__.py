"""Deduplication: normalise, block, score, decide (duplicate / borderline / distinct), cluster.

``deduplicate(records)`` works on plain records (CSV benchmark mode); ``run_dedup(workspace)``
does the same for a workspace and records the outcome in its store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Cluster, DedupResult, PairResult, deduplicate
    from .run import run_dedup

__all__ = ["Cluster", "DedupResult", "PairResult", "deduplicate", "run_dedup"]

#: The engine brings numpy and rapidfuzz (0.2 s), and the store imports ``dedup.cluster``,
#: so this package, every time it opens: the engine loads on first use.
_ENGINE_NAMES = frozenset({"Cluster", "DedupResult", "PairResult", "deduplicate"})


def __getattr__(name: str) -> Any:
    if name in _ENGINE_NAMES:
        from . import engine

        return getattr(engine, name)
    # Imported lazily: run.py needs the store, and the store imports dedup.cluster.
    if name == "run_dedup":
        from .run import run_dedup

        return run_dedup
    raise AttributeError(name)
