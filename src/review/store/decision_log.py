"""The decision logs' undo rule: which rows of an append-only log are in effect (the latest decision not undone),
in Python (``effective_decisions``) and in SQL (``in_effect``), and the lean rows of the screening decision log it
reads (``label_log_query``, ``LabelLogRow``). ``core``'s ``Store`` and the stage tables (dedup, full text, screening)
read their logs through them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa

from . import schema

__all__ = ["LabelLogRow", "LoggedDecision", "LoggedLabel", "effective_decisions", "in_effect", "label_log_query"]


class LoggedDecision(Protocol):
    """What the undo rule reads of a decision log's row: a ``Decision``, or a lean select's row
    (``fulltext.current_screening_labels``)."""

    @property
    def id(self) -> int: ...
    @property
    def record_id(self) -> int: ...
    @property
    def reviewer(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def undoes_id(self) -> int | None: ...


LoggedRow = TypeVar("LoggedRow", bound=LoggedDecision)


class LoggedLabel(LoggedDecision, Protocol):
    """What the label counts and conflict lists read of a decision log's row: a ``Decision``, or a
    ``LabelLogRow`` (``Store.decision_labels``)."""

    @property
    def model_info(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class LabelLogRow:
    """A decision log's row without its reasons, note, time or rank (``Store.decision_labels``)."""

    id: int
    record_id: int
    reviewer: str
    label: str
    undoes_id: int | None
    #: Read only for the reviewers the read named (``info_of``); empty for the others.
    model_info: Mapping[str, Any]


def label_log_query(stage: str, *more: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """The decision log's rows at ``stage`` in id order, with only the columns the undo rule reads (id, record,
    reviewer, label, undoes_id) and then ``more``: the lean read of ``Store.decision_labels`` and
    ``fulltext.current_screening_labels``."""
    t = schema.screening_decisions
    return (sa.select(t.c.id, t.c.record_id, t.c.reviewer, t.c.label, t.c.undoes_id, *more)
            .where(t.c.stage == stage).order_by(t.c.id))


def effective_decisions(log: Iterable[LoggedRow], *, until_id: float | None = None
                        ) -> dict[tuple[int, str], LoggedRow]:
    """The effective decision per (record, reviewer) in a decision log (``Store.decisions``, id order):
    the latest one not undone. ``until_id``: as it stood when the row with that id was written.
    The one undo rule for every Python reader of the log, lean or whole; its SQL twin ``in_effect`` answers
    the same inside a query (``_effective_decision``, ``_latest_effective``)."""
    seen = [d for d in log if until_id is None or d.id <= until_id]
    undone = {d.undoes_id for d in seen if d.label == "undo"}
    current: dict[tuple[int, str], LoggedRow] = {}
    for d in seen:
        if d.label != "undo" and d.id not in undone:
            current[(d.record_id, d.reviewer)] = d
    return current


def in_effect(table: sa.Table, kind: str, *scope: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """The rows of an append-only log (``undoes_id`` names the row an ``undo`` row reverses; ``kind``:
    the column that says ``undo``) that are in effect: no undo row, none undone. ``scope`` narrows
    the undo rows looked at (one record, say) to what the query reads anyway."""
    undone = sa.select(table.c.undoes_id).where(table.c.undoes_id.is_not(None), *scope)
    return sa.and_(table.c[kind] != "undo", table.c.id.not_in(undone))
