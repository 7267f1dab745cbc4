"""Typed messages workers send back to the UI thread (workers never touch widgets)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from .project import Project


class ProjectLoaded(Message):
    """The workspace, store and screening session are open."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project


class HeapSettled(Message):
    """Start-up is over (project open, model code imported): collect garbage again."""


class RankingReady(Message):
    """A retrained ranking, to be applied to the queue on the UI thread."""

    def __init__(self, ranking: Any, seconds: float, labels: int) -> None:
        super().__init__()
        self.ranking = ranking
        self.seconds = seconds
        self.labels = labels


class DataReady(Message):
    """A screen's background query finished; ``payload`` is whatever that screen asked for."""

    def __init__(self, payload: Any) -> None:
        super().__init__()
        self.payload = payload

    def can_replace(self, message: Message) -> bool:
        # Only the newest refresh matters when several queue up.
        return isinstance(message, DataReady)
