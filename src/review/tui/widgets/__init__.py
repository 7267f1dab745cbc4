"""Reusable widgets (they carry their own DEFAULT_CSS)."""
