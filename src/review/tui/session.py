"""Open the screening session the UI drives, and a store-only stand-in.

The UI calls one API (``next_record``/``decide``/``undo``/``progress``/``retrain``/
``apply_ranking``). When the screening engine is installed it is
``review.screening.session.ScreeningSession``; otherwise ``StoreQueue`` serves records in
import order from the store so the UI still works, without ranking or a stopping rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..records import Decision, Record
from ..workspace import Workspace


class ScreeningAPI(Protocol):
    """What the screening screen needs from a session."""

    def next_record(self) -> Record | None: ...
    def decide(self, record_id: int, label: str, *, reasons: Any = (), note: str = "") -> Decision: ...
    def undo(self) -> Decision | None: ...
    def progress(self) -> Any: ...
    def retrain(self) -> Any: ...
    def apply_ranking(self, ranking: Any) -> None: ...


@dataclass(slots=True)
class StoppingStatus:
    verdict: str = "no model"
    explanation: str = "The screening engine is not installed: records come in import order."


@dataclass(slots=True)
class Progress:
    total: int = 0
    screened: int = 0
    included: int = 0
    excluded: int = 0
    maybe: int = 0
    remaining: int = 0
    est_recall: float | None = None
    stopping: StoppingStatus = field(default_factory=StoppingStatus)


class StoreQueue:
    """Records in store order, decisions straight to the store: the no-engine fallback."""

    def __init__(self, workspace: Workspace, reviewer: str) -> None:
        self.store = workspace.store
        self.reviewer = reviewer
        self._ids = [r.id for r in self.store.records() if r.id is not None]
        self._labels = {
            record_id: d.label for (record_id, _), d in self.store.current_decisions(reviewer=reviewer).items()
        }

    def next_record(self) -> Record | None:
        for record_id in self._ids:
            if record_id not in self._labels:
                return self.store.record(record_id)
        return None

    def decide(self, record_id: int, label: str, *, reasons: Any = (), note: str = "") -> Decision:
        decision = self.store.add_decision(record_id, self.reviewer, label, reasons=tuple(reasons), note=note)
        self._labels[record_id] = label
        return decision

    def undo(self) -> Decision | None:
        undone = self.store.undo_last(self.reviewer)
        if undone is not None:
            self._labels.pop(undone.record_id, None)
        return undone

    def progress(self) -> Progress:
        values = list(self._labels.values())
        return Progress(
            total=len(self._ids), screened=len(values), included=values.count("include"),
            excluded=values.count("exclude"), maybe=values.count("maybe"),
            remaining=len(self._ids) - len(values),
        )

    def retrain(self) -> None:
        return None

    def apply_ranking(self, ranking: Any) -> None:
        return None


def open_session(workspace: Workspace, reviewer: str) -> ScreeningAPI:
    """The screening engine's session when available, else the store-only queue."""
    try:
        from ..screening.session import ScreeningSession
    except ImportError:
        return StoreQueue(workspace, reviewer)
    return ScreeningSession(workspace, reviewer)
