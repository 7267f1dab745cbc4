"""Counts in words for what a user reads: ``1 record``, ``2 records``, ``1 study``, ``3 studies``;
estimated counts as ``about 2.4`` / ``about 17`` (a confidence level as ``90 %``: :mod:`review.levels`)."""

from __future__ import annotations

_IRREGULAR = {"study": "studies", "analysis": "analyses", "query": "queries", "identity": "identities"}


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is one (thousands separated)."""
    return f"{whole(count)} {noun if count == 1 else _IRREGULAR.get(noun, noun + 's')}"


def whole(count: int) -> str:
    """A count as written in a sentence: thousands separated (``1,713``)."""
    return f"{count:,}"


def about(estimate: float) -> str:
    """An estimated count as said after "about": one decimal below 10 (``2.4``), whole above (``17``)."""
    return f"{estimate:.1f}" if estimate < 10 else f"{estimate:.0f}"
