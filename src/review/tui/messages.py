"""Typed messages workers send back to the UI thread (workers never touch widgets): one per event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ..records import Record
    from ..services.dedup import BorderlinePair
    from ..services.prisma import QueueItem
    from ..services.screening import AgreementReport, Progress, Ranking
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

    def __init__(self, ranking: Ranking, seconds: float, labels: int, *, set_aside_changed: bool = False) -> None:
        super().__init__()
        self.ranking = ranking
        #: The retrain's look at the store changed the records to screen (the counts change too).
        self.set_aside_changed = set_aside_changed
        self.seconds = seconds
        self.labels = labels


class RecordRead(Message):
    """A record read in a worker for the record view, with what the view shows beside it."""

    def __init__(self, record: Record, decisions: tuple[tuple[str, str], ...], related: list[str],
                 not_offered: str) -> None:
        super().__init__()
        self.record = record
        #: (reviewer, label) pairs as the screen showed them when the record was opened.
        self.decisions = decisions
        #: Dedup links of the record ("erratum of record 12").
        self.related = related
        #: Why the record is not offered for screening, or "".
        self.not_offered = not_offered


class SetAsideChanged(Message):
    """The records set aside from screening changed in the store (a removal or restore in a shell)."""


class Loaded(Message):
    """A screen's background query finished. Only the newest of one kind matters when several
    queue up (``can_replace``)."""

    def can_replace(self, message: Message) -> bool:
        return type(message) is type(self)


class FirstRecordLoaded(Loaded):
    """The screening screen's first record (None: nothing left) and the reviewer's progress."""

    def __init__(self, record: Record | None, progress: Progress) -> None:
        super().__init__()
        self.record = record
        self.progress = progress


class DecisionsRead(Message):
    """Which of the records ``asked`` about the reviewer has a decision in force on (``decided``), read in a
    worker at ``version``, the reviewer's change count."""

    def __init__(self, version: int, asked: frozenset[int], decided: frozenset[int]) -> None:
        super().__init__()
        self.version = version
        self.asked = asked
        self.decided = decided


class FirstRecordFailed(Message):
    """The screening screen's first record could not be read: a busy store, a lost server connection, a file
    system error (``passing``: reading again may work), or a bug."""

    def __init__(self, error: Exception, *, passing: bool) -> None:
        super().__init__()
        self.error = error
        self.passing = passing


class PairsLoaded(Loaded):
    """Borderline dedup pairs waiting for a verdict, best first, and the related-record lines
    ("#12: erratum of record 40") of the records in them."""

    def __init__(self, pairs: list[BorderlinePair], related: dict[int, list[str]], *, dedup_run: bool = True) -> None:
        super().__init__()
        self.pairs = pairs
        self.related = related
        #: Whether dedup has run on the workspace at all (before it, no pair exists to review).
        self.dedup_run = dedup_run


class ConflictsLoaded(Loaded):
    """Agreement statistics and the conflicts between reviewers."""

    def __init__(self, report: AgreementReport) -> None:
        super().__init__()
        self.report = report


class RecordsFiltered(Loaded):
    """The record browser's rows under the current filters (at most ``MAX_ROWS``), how many
    records to screen matched, how many there are (duplicates set aside and records removed
    before screening are not), the labels shown per record and reviewer, and how many removed
    records and records from other methods matched, with why each is not offered. ``set_aside`` is
    the session's reading of the records set aside when the rows were read (only compared with a
    newer one, to know the rows are stale)."""

    def __init__(self, rows: list[Record], matched: int, total: int, labels: dict[int, dict[str, str]], *,
                 removed: int = 0, other_methods: int = 0, not_offered: dict[int, str] | None = None,
                 set_aside: object = None) -> None:
        super().__init__()
        self.set_aside = set_aside
        self.rows = rows
        self.matched = matched
        self.total = total
        self.labels = labels
        self.removed = removed
        self.other_methods = other_methods
        self.not_offered = not_offered or {}


class QueueLoaded(Loaded):
    """The full-text queue: every report past title/abstract screening."""

    def __init__(self, items: list[QueueItem]) -> None:
        super().__init__()
        self.items = items


class SearchHits(Loaded):
    """Records matching the search modal's query."""

    def __init__(self, records: list[Record]) -> None:
        super().__init__()
        self.records = records
