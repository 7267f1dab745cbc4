"""Textual terminal UI: a thin shell over the stage services (nothing below it imports it)."""

from .startup import tune_textual

# Every module of the UI is under this package, so this runs before any of them imports Textual.
tune_textual()
