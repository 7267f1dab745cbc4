"""Textual terminal UI: a thin shell over the stage functions (nothing here is imported by them)."""

import os

# Textual paints on a fixed clock of TEXTUAL_FPS ticks a second (default 60). A key pressed
# just after another frame (the retrain status, say) waits for the next tick: up to 17 ms of
# a 50 ms budget. A frame costs ~15 ms here, so a finer clock only shortens that wait; it is
# read when Textual is first imported, hence here, before any screen module imports it.
os.environ.setdefault("TEXTUAL_FPS", "240")
