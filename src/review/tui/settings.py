"""Following edits of review.toml while the app is open.

A researcher who edits review.toml beside the open app (``[prisma.sources]``, ``[fulltext]
reasons``, a key in ``[tui.keys]``) expects the app to see it the next time it counts, not at the
next start. ``workspace.config`` reads the file again at its next use after an edit (a ``stat``
per use otherwise); the app says what changed when it regains focus, when you switch screens and
when the dashboard recounts (``g``). Everything read through ``workspace.config`` at use applies
from then on. What the app fixed when it opened (the
store, the screening model and its stopping settings, how it retrains, blind mode) is named in
one line instead: it applies at the next start. A file that cannot be read keeps the settings
read before, and says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..services.workspace import setting_checks, setting_refused, unknown_setting
from ..tomlread import SettingProblem, toml_key
from ..workspace import KNOWN_TABLES, Workspace
from .project import TUI_KEYS

#: Settings the open app fixed when it started, as (table, key); ``None`` for a whole table.
AT_NEXT_START: tuple[tuple[str, str | None], ...] = (
    ("review", "database"), ("review", "database_url"),
    ("review", "seed"),  # the session's seeded order and samples, fixed when it opened
    ("screening", None),  # the session's model, query and stopping settings
    ("tui", "retrain"), ("tui", "blind"),
)


#: What an edited-in setting nothing reads is, named with its place (``Workspace.say``).
UNREAD_SETTING = "no setting review reads (misspelt?), not used"

#: Tables nothing in the app reads until their stage runs, and the command whose check refuses a bad value in them: an
#: edit of one is checked as that command checks it (``services.workspace.setting_checks``, review status's), in a
#: worker, so a value it refuses is said at once, not as "in use now" until it runs.
CHECKED_BY_STAGE = {"synthesis": "review synthesis", "extraction": "review synthesis", "dedup": "review dedup",
                    "fulltext": "review fulltext", "pubmed": "review search"}


#: review.toml's keys naming the store: never switched under an open app (``Workspace.config``).
STORE_KEYS = ("review.database", "review.database_url")


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What a changed review.toml means for the open app."""

    #: ``[table]`` or ``table.key`` of every setting that changed.
    changed: tuple[str, ...] = ()
    #: Those among ``changed`` that apply only when the app starts again.
    at_next_start: tuple[str, ...] = ()
    #: One line when the file could not be read (the settings read before stay).
    error: str = ""
    #: One line when review.toml names another store than the one open (``Workspace.store_location_note``).
    store_note: str = ""
    #: Those among ``changed`` that nothing reads: a table no stage reads (``[Screening]``), a misspelt ``[tui]`` key.
    unread: tuple[str, ...] = ()
    #: Per name of ``unread`` its line, named as a refusal names a setting: ``PATH:tui.blnd: no setting … (line N)``.
    unread_said: tuple[str, ...] = ()
    #: Those among ``changed`` (not ``unread``) of a table in ``CHECKED_BY_STAGE``: said once checked (``checked_line``).
    checking: tuple[str, ...] = ()

    def without(self, *names: str) -> SettingsChange:
        """The same change, not counting ``names`` (settings the app refused, or wrote itself)."""
        kept = [(name, said) for name, said in zip(self.unread, self.unread_said, strict=True) if name not in names]
        return SettingsChange(tuple(n for n in self.changed if n not in names),
                              tuple(n for n in self.at_next_start if n not in names), self.error, self.store_note,
                              tuple(name for name, _ in kept), tuple(said for _, said in kept),
                              tuple(n for n in self.checking if n not in names))

    def message(self) -> str:
        """One line for the reviewer ('' when there is nothing to say)."""
        if self.error:
            return f"{self.error}; keeping the settings read before"
        if not self.changed:
            return ""
        live = [name for name in self.changed
                if name not in self.at_next_start and name not in self.unread and name not in self.checking]
        # The store's own line says which store stays open, in place of the plain 'restart' for its keys.
        later = [name for name in self.at_next_start if not (self.store_note and name in STORE_KEYS)]
        # (these were said to be "in use now": the command line warns of them, or refuses them)
        parts = list(self.unread_said)
        if live:
            parts.append(f"review.toml read again: {', '.join(live)} in use now")
        if later:
            parts.append(f"{', '.join(later)} changed: restart review to use {'it' if len(later) == 1 else 'them'}")
        if self.store_note and any(name in STORE_KEYS for name in self.at_next_start):
            parts.append(self.store_note)
        return "; ".join(parts)


def checked_line(workspace: Workspace, change: SettingsChange) -> tuple[str, bool]:
    """What ``change.checking`` (edited settings of a table in ``CHECKED_BY_STAGE``) means, checked as the command
    that reads them checks them, and whether any is refused: ``PATH:KEY: what (line N)`` as the command line names it,
    or that they are in use now; nothing more for a key named already (a misspelt one: ``unread``)."""
    checks = setting_checks(workspace)
    said: list[str] = []
    in_use: list[str] = []
    refused = False
    for command in dict.fromkeys(CHECKED_BY_STAGE[_table(name)] for name in change.checking):
        problem = checks[command]()
        if problem is None:
            in_use.extend(name for name in change.checking if CHECKED_BY_STAGE[_table(name)] == command)
            continue
        refused = True
        if problem.where not in change.unread:
            said.append(setting_refused(workspace, problem, command))
    if in_use:
        said.append(f"review.toml read again: {', '.join(in_use)} in use now")
    return "; ".join(said), refused


def _table(name: str) -> str:
    """The table of a changed ``table.key`` (or ``[table]``)."""
    return name.strip("[]").partition(".")[0]


def _changed_names(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``table.key`` for each changed key of a changed table (``[table]`` for a non-table value)."""
    names: list[str] = []
    for table in sorted(set(old) | set(new)):
        before, after = old.get(table, {}), new.get(table, {})
        if before == after:
            continue
        if not isinstance(before, dict) or not isinstance(after, dict):
            names.append(f"[{toml_key(table)}]")
            continue
        # (each key as TOML spells it: a key "e.mail" edited into [pubmed] is named pubmed."e.mail")
        names.extend(f"{toml_key(table)}.{toml_key(key)}" for key in sorted(set(before) | set(after))
                     if before.get(key) != after.get(key))
    return names


def _gone_names(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The names ``_changed_names`` gives the keys of ``old`` that ``new`` no longer has."""
    names: list[str] = []
    for table, before in old.items():
        after = new.get(table, {})
        if not isinstance(before, dict) or not isinstance(after, dict):
            if table not in new:
                names.append(f"[{toml_key(table)}]")
            continue
        names.extend(f"{toml_key(table)}.{toml_key(key)}" for key in before if key not in after)
    return names


def _unread(name: str) -> bool:
    """A changed ``table.key`` nothing reads: its table is none a stage reads, a ``[tui]`` key the app does not
    know (refused when the app starts next), or a key its stage refuses when it next runs ([screening], [dedup],
    [synthesis], [fulltext], [pubmed]: ``unknown_setting``)."""
    table, _, key = name.strip("[]").partition(".")
    return (table not in KNOWN_TABLES or (table == "tui" and bool(key) and key.split(".")[0] not in TUI_KEYS)
            or unknown_setting(table, key))


def _at_next_start(name: str) -> bool:
    table, _, key = name.strip("[]").partition(".")
    return any(table == t and (k is None or key == k or not key) for t, k in AT_NEXT_START)


class SettingsWatcher:
    """Says what an edit of ``review.toml`` means for the open app. ``workspace.config`` follows the file by
    itself (a ``stat`` per access, ``Workspace.config``); this compares what it holds now with what was
    reported last, so an edit a worker's read took in first is still reported once."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.config_path
        #: The settings as last reported, and how many reads of the file the workspace had made then.
        self._seen = workspace.config.raw
        self._reads = workspace.config_reads
        #: The settings the app runs on (as it opened them, and what it wrote since): what
        #: ``at_next_start`` settings are compared with.
        self._opened = workspace.config.raw

    def check(self) -> SettingsChange:
        """What changed since the last check (a ``stat`` when the file did not change)."""
        config = self.workspace.config  # (reads the file again when it changed)
        reads, new_read = self.workspace.config_reads, self.workspace.config_reads != self._reads
        self._reads = reads
        error = self.workspace.config_error if new_read else ""
        if config.raw is self._seen:
            return SettingsChange(error=error)
        # A key nothing read that is gone (a misspelling mended, a stray table deleted) changes nothing in use: named
        # it read as not used once more, at its table's line, beside the mended key.
        gone = set(_gone_names(self._seen, config.raw))
        changed = [name for name in _changed_names(self._seen, config.raw) if not (name in gone and _unread(name))]
        self._seen = config.raw
        # Against what the app runs on: an edit undone again needs no restart.
        unlike_opened = set(_changed_names(self._opened, config.raw))
        unread = tuple(n for n in changed if _unread(n))
        said = tuple(self.workspace.say(SettingProblem(name.strip("[]"), UNREAD_SETTING)) for name in unread)
        checking = tuple(n for n in changed if _table(n) in CHECKED_BY_STAGE and n not in unread)
        return SettingsChange(tuple(changed),
                              tuple(n for n in changed if _at_next_start(n) and n in unlike_opened and n not in unread),
                              error, store_note=self.workspace.store_location_note, unread=unread, unread_said=said,
                              checking=checking)

    def app_wrote(self, written: dict[str, Any]) -> SettingsChange:
        """The app wrote ``written`` (``table.key`` -> value, e.g. the dashboard's stopping rule) and
        follows it already: what it runs on is that value from now on, so the write is no edit to
        report, and an edit back later is (it then differs from what is in use). Other edits read
        with it are reported as ``check`` reports them."""
        opened = {table: dict(value) if isinstance(value, dict) else value for table, value in self._opened.items()}
        for name, value in written.items():
            table, _, key = name.partition(".")
            section = opened.setdefault(table, {})
            if isinstance(section, dict):
                section[key] = value
        self._opened = opened
        return self.check().without(*written)
