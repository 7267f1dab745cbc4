"""``review status``'s instrument lines: the current item bank and whether the evidence moved on since (the bank's
file and the synthesis only: the status loads neither the build nor the exports)."""

from __future__ import annotations

import hashlib

from ..errors import ReviewError
from ..words import counted
from ..workspace import Workspace
from .files import paths
from .itembank import read_bank


def instrument_status(workspace: Workspace) -> list[str]:
    """``review status`` lines: the current item bank and whether the evidence moved on."""
    p = paths(workspace)
    if not p.item_bank.is_file():
        return ["instrument no item bank yet (review instrument build)"]
    try:
        bank = read_bank(p.item_bank)
    except ReviewError as err:
        return [f"instrument unreadable item bank: {err}"]
    line = (f"instrument {bank.version}: {len(bank.scored_items)} scored, {counted(len(bank.signal_items), 'signal')}, "
            f"{len(bank.not_included)} not included")
    lines = [line]
    if p.synthesis.is_file():
        current = hashlib.sha256(p.synthesis.read_bytes()).hexdigest()
        if current != bank.evidence.sha256:
            lines.append("  synthesis changed since the build: run 'review instrument diff'")
    return lines
