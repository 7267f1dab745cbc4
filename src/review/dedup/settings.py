"""review.toml's ``[dedup]``: its keys and the ``related`` setting, read without the engine (numpy, rapidfuzz), so a
shell can check the table before dedup runs (``review status``, the terminal UI after an edit). The engine's rules
read ``RELATED_MODES`` here: nothing below them reaches a workspace or its store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..tomlread import SettingProblem, unknown_setting_problem

#: ``[dedup] related``: link errata, retractions and comments to their article, or merge them into its cluster.
RELATED_MODES = ("link", "merge")
#: The keys of ``[dedup]`` (docs/dedup.md); another is refused as a misspelling.
DEDUP_KEYS = ("related",)


def related_setting(section: Mapping[str, Any]) -> str:
    """``related`` of review.toml's ``[dedup]`` table ``section``: "link" (default) or "merge"."""
    if refused := unknown_setting_problem(section, DEDUP_KEYS, "dedup"):
        raise refused  # (a misspelt "relatd" left "link" in force without a word)
    value = section.get("related", "link")
    if value not in RELATED_MODES:
        raise SettingProblem("dedup.related", f"{value!r}: expected {' or '.join(repr(m) for m in RELATED_MODES)}")
    return str(value)
