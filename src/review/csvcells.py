"""Spreadsheet-safe CSV cells, shared by every CSV export (records, decisions, extraction …)."""

from __future__ import annotations

__all__ = ["FORMULA_PREFIXES", "neutralise_cell", "unneutralise_cell"]

#: Leading characters that make spreadsheets evaluate a cell (OWASP "CSV injection").
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a quote to cells a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def unneutralise_cell(value: str) -> str:
    """Undo :func:`neutralise_cell` so our own CSV exports re-import unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value
