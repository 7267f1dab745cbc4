"""Following edits of review.toml while the app is open.

A researcher who edits review.toml beside the open app (``[prisma.sources]``, ``[fulltext]
reasons``, a key in ``[tui.keys]``) expects the app to see it the next time it counts, not at the
next start. The app reads the file again when it regains focus, when you switch screens and when
the dashboard recounts (``g``); reading costs a ``stat`` unless the file changed. Everything read
through ``workspace.config`` at use applies from then on. What the app fixed when it opened (the
store, the screening model and its stopping settings, how it retrains, blind mode) is named in
one line instead: it applies at the next start. A file that cannot be read keeps the settings
read before, and says so in one line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReviewError
from ..paths import WORKSPACE_FILE
from ..workspace import Workspace, WorkspaceConfig

#: Settings the open app fixed when it started, as (table, key); ``None`` for a whole table.
AT_NEXT_START: tuple[tuple[str, str | None], ...] = (
    ("review", "database"), ("review", "database_url"),
    ("screening", None),  # the session's model, query and stopping settings
    ("tui", "retrain"), ("tui", "blind"),
)


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What a changed review.toml means for the open app."""

    #: ``[table]`` or ``table.key`` of every setting that changed.
    changed: tuple[str, ...] = ()
    #: Those among ``changed`` that apply only when the app starts again.
    at_next_start: tuple[str, ...] = ()
    #: One line when the file could not be read (the settings read before stay).
    error: str = ""

    def message(self) -> str:
        """One line for the reviewer ('' when there is nothing to say)."""
        if self.error:
            return f"{self.error}; keeping the settings read before"
        if not self.changed:
            return ""
        live = [name for name in self.changed if name not in self.at_next_start]
        parts = []
        if live:
            parts.append(f"review.toml read again: {', '.join(live)} in use now")
        if self.at_next_start:
            parts.append(f"{', '.join(self.at_next_start)} changed: restart review to use "
                         f"{'it' if len(self.at_next_start) == 1 else 'them'}")
        return "; ".join(parts)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _changed_names(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``table.key`` for each changed key of a changed table (``[table]`` for a non-table value)."""
    names: list[str] = []
    for table in sorted(set(old) | set(new)):
        before, after = old.get(table, {}), new.get(table, {})
        if before == after:
            continue
        if not isinstance(before, dict) or not isinstance(after, dict):
            names.append(f"[{table}]")
            continue
        names.extend(f"{table}.{key}" for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key))
    return names


def _at_next_start(name: str) -> bool:
    table, _, key = name.strip("[]").partition(".")
    return any(table == t and (k is None or key == k or not key) for t, k in AT_NEXT_START)


class SettingsWatcher:
    """Reads ``review.toml`` again when it changed and swaps ``workspace.config`` for the new one."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.root / WORKSPACE_FILE
        self._stamp = _stamp(self.path)
        #: The settings as the app opened them: what ``at_next_start`` settings are compared with.
        self._opened = workspace.config.raw

    def check(self, *, written_by_app: dict[str, Any] | None = None) -> SettingsChange:
        """Read the file again if it changed since the last check (cheap otherwise).

        ``written_by_app``: ``table.key`` -> value the app itself wrote and already follows
        (the dashboard's stopping rule), not to be reported as needing a restart.
        """
        stamp = _stamp(self.path)
        if stamp == self._stamp:
            return SettingsChange()
        self._stamp = stamp
        try:
            config = WorkspaceConfig.load(self.path)
        except ReviewError as err:
            return SettingsChange(error=str(err))
        old = self.workspace.config.raw
        self.workspace.config = config  # one reference swap: workers read either the old or the new
        followed = written_by_app or {}
        changed = [name for name in _changed_names(old, config.raw) if not _follows(name, config.raw, followed)]
        # Against what the app opened on: an edit undone again needs no restart.
        unlike_opened = set(_changed_names(self._opened, config.raw))
        return SettingsChange(tuple(changed),
                              tuple(n for n in changed if _at_next_start(n) and n in unlike_opened))


def _follows(name: str, raw: dict[str, Any], followed: dict[str, Any]) -> bool:
    table, _, key = name.strip("[]").partition(".")
    section = raw.get(table)
    return name in followed and isinstance(section, dict) and section.get(key) == followed[name]
