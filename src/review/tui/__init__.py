"""Textual terminal UI: a thin shell over the stage functions (nothing here is imported by them)."""
