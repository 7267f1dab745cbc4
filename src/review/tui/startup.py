"""Start-up tuning of the terminal UI, in one place: Textual's clock, garbage collection, and
the screens ``--start`` may name. Imports nothing heavy, so the CLI reads it before Textual loads."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

#: Screens by mode name, in the order of the number keys (``review tui --start``).
START_SCREENS: tuple[str, ...] = ("dashboard", "screening", "dedup", "conflicts", "browser", "fulltext",
                                  "extraction", "validate")

#: Textual's paint clock (ticks a second) unless the user set ``TEXTUAL_FPS``.
TEXTUAL_FPS = "240"


def tune_textual() -> None:
    """Set Textual's paint clock before Textual is first imported.

    Textual paints on a fixed clock (default 60 a second). A key pressed just after another
    frame waits for the next tick: up to 17 ms of a 50 ms budget. A frame costs ~15 ms here,
    so a finer clock only shortens that wait. The user's own setting wins.
    """
    os.environ.setdefault("TEXTUAL_FPS", TEXTUAL_FPS)


@contextmanager
def without_collection() -> Iterator[None]:
    """No garbage collection inside the block (restored after, if it was on).

    About a tenth of importing Textual and the app goes to collections that find nothing;
    the app turns collection back on over a frozen heap once the first record shows.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def pause_collection() -> bool:
    """Turn automatic collection off; returns whether it was on."""
    collecting = gc.isenabled()
    gc.disable()
    return collecting


def freeze_and_collect() -> None:
    """Move everything alive now out of the collector's reach, then collect as usual.

    Later full collections then scan only what was made since: a few milliseconds instead of
    hundreds, which keeps every key under 50 ms.
    """
    gc.freeze()
    gc.enable()


def resume_collection() -> None:
    gc.enable()
