"""Everything the screens share once the workspace is open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..tomlread import SettingProblem, unknown_setting_problem
from ..records import Record
from ..tomlwrite import value_text
from ..workspace import Workspace
from .highlight import CriteriaWatcher
from .retrainer import RETRAIN_MODES, Retrainer

if TYPE_CHECKING:  # the session (numpy) and the store (SQLAlchemy) load in the worker, after first paint
    from ..services.screening import ScreeningSession
    from ..services.screening import SessionClaim


@dataclass(eq=False)
class Project:
    """The open workspace, the reviewer, the screening session and the criteria."""

    workspace: Workspace
    reviewer: str
    session: ScreeningSession
    criteria: CriteriaWatcher
    blind: bool = True
    retrainer: Retrainer = field(default_factory=Retrainer)
    _records: dict[int, Record] | None = field(default=None, repr=False)
    #: This window's hold on the reviewer (``store.sessions``); None in tests that build a Project, and read-only.
    claim: SessionClaim | None = None
    #: Why nothing can be recorded in this window (the store cannot be written: "the store file … is read-only
    #: to you"); "" when it can. Every key that would write is refused (``ReviewApp.run_action``).
    read_only: str = ""

    def heartbeat(self) -> bool:
        """Keep the reviewer's session claimed; False when another session has taken it over."""
        if self.claim is None:
            return True
        from ..services.screening import heartbeat_reviewer

        return heartbeat_reviewer(self.workspace, self.claim)

    def release(self) -> None:
        if self.claim is not None:
            from ..services.screening import release_reviewer

            release_reviewer(self.workspace, self.claim)
            self.claim = None

    @property
    def reviewers(self) -> list[str]:
        """Configured reviewers, then anyone else who has decided something."""
        from ..services.screening import known_reviewers  # (brings the store: SQLAlchemy)

        return known_reviewers(self.workspace, self.reviewer)

    def refresh(self) -> None:
        """Pick up records imported or merged since opening (after search or dedup)."""
        self._records = None
        self.session.refresh_records()
        self.retrainer.records_changed()

    def refresh_set_aside(self) -> bool:
        """Follow removals before screening (and dedup changes) made elsewhere, e.g. by
        ``review prisma remove`` or ``restore`` in a shell, and records imported there (``review import``,
        ``search``: then ``refresh``); True if the queue changed. Cheap (milliseconds), but call from a
        worker. The retrain worker reads removals itself before every retrain, keeping the texts it has
        read (``records_changed`` would read them all again); imports only with ``records_changed``."""
        # (Records imported in a shell were read by no screen: the counts and the stopping verdict stayed those of
        # the records before, where review status --stopping read the new ones, rrev27b.)
        if self.session.records_added():
            self.refresh()
            return True
        return self.session.refresh_set_aside()

    def records(self) -> dict[int, Record]:
        """All records by id, read once (call from a worker: slow for large workspaces)."""
        if self._records is None:
            from ..services.screening import records_by_id

            self._records = records_by_id(self.workspace)
        return self._records


#: The keys of review.toml's ``[tui]`` (docs/tui.md); another is refused as a misspelling.
TUI_KEYS = ("blind", "retrain", "keys")


def tui_settings(workspace: Workspace) -> tuple[bool | None, str]:
    """``[tui] blind`` (None when not set) and ``retrain`` of review.toml, checked: ``blind = "no"`` was read as
    blind (a non-empty string), so a value of the wrong kind is one ``WorkspaceError`` naming the file, the line
    and the key, raised before the app starts."""
    settings = workspace.config.section("tui")
    # Named by the file's path and the key's line here: raised before the app starts, or in its loader.
    if refused := unknown_setting_problem(settings, TUI_KEYS, "tui"):  # (a misspelt "blnd = true" left a team unblinded)
        raise workspace.located(refused)
    blind = settings.get("blind")
    if blind is not None and not isinstance(blind, bool):
        raise workspace.located(SettingProblem("tui.blind", f"{_as_written(blind)}: expected true or false, without "
                                                            "quotes"))
    mode = settings.get("retrain", "process")
    if mode not in RETRAIN_MODES:
        raise workspace.located(SettingProblem("tui.retrain", f"{_as_written(mode)}: expected one of "
                                                              f"{', '.join(repr(m) for m in RETRAIN_MODES)}"))
    return blind, mode


def _as_written(value: object) -> str:
    """``value`` as review.toml writes it (``"no"``, not Python's ``'no'``); a date as Python shows it."""
    try:
        return value_text(value)
    except (TypeError, ValueError):
        return str(value)


def open_project(workspace: Workspace, reviewer: str, *, blind: bool | None = None) -> Project:
    """Open the store and the screening session (run it in a worker).

    The session opens on the saved ranking, or on a seeded order that the first retrain
    replaces with the keyword prior (``quick_start``), so the first record needs no texts.
    """
    from ..services.workspace import open_store

    configured_blind, mode = tui_settings(workspace)  # (ReviewApp checked them before it started)
    open_store(workspace)  # now, off the UI thread
    if blind is None:
        blind = len(workspace.config.reviewers) > 1 if configured_blind is None else configured_blind
    # One live session per reviewer: a second one is refused here, naming the first's host and PID. A store that
    # cannot be written opens without the claim, to read only.
    from ..services.screening import open_window_session, release_reviewer

    opened = open_window_session(workspace, reviewer)
    session, claim = opened.session, opened.claim
    try:
        return Project(
            workspace=workspace,
            reviewer=reviewer,
            session=session,
            criteria=CriteriaWatcher(workspace, session.criteria_file),
            blind=blind,
            retrainer=Retrainer(mode),
            claim=claim,
            read_only=opened.read_only,
        )
    except BaseException:
        if claim is not None:
            release_reviewer(workspace, claim)
        raise
