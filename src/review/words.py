"""Counts in words for what a user reads: ``1 record``, ``2 records``, ``1 study``, ``3 studies``."""

from __future__ import annotations

_IRREGULAR = {"study": "studies", "analysis": "analyses", "query": "queries"}


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is one (thousands separated)."""
    return f"{count:,} {noun if count == 1 else _IRREGULAR.get(noun, noun + 's')}"
