"""Retrieve every PMID a PubMed query finds: date slicing past 9,999 hits, verified EFetch windows.

The engine knows nothing about the store: it asks ``is_stored`` which PMIDs it may skip and
hands each verified batch of new records to ``store_batch``.  That is what makes a killed
retrieval resumable (windows whose PMIDs are all stored cost no request) and a later re-run
cheap (only windows holding new PMIDs are fetched).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..errors import RetrievalError
from ..records import Record
from ..words import counted, whole
from .eutils import EutilsClient, HostUnreachable, HttpRefused, SearchResult, WaitTooLong, WebEnvExpired
from .pubmed_xml import ParsedPubmed

__all__ = ["SearchProgress", "Slice", "Retrieval", "BatchSink", "retrieve", "slice_name", "slice_term"]

#: Earliest and latest Entrez dates a slice plan starts from.
EARLIEST = date(1700, 1, 1)
#: Field used for date slices: Entrez date is stable, publication dates can be ranges or seasons.
SLICE_FIELD = "edat"
#: Upper end of the PMID range that splits one Entrez date holding more hits than PubMed pages.
MAX_PMID = 99_999_999


@dataclass(slots=True, frozen=True)
class SearchProgress:
    """One progress event; ``total`` is 0 while unknown."""

    query_name: str
    phase: str  # search | fetch | done
    done: int
    total: int
    message: str = ""

    def line(self) -> str:
        """The event as one line for a log (``q: 1,000 of 60,000 records stored``)."""
        if self.phase == "search":
            return f"{self.query_name}: {'searching PubMed (ESearch)' if self.message == 'ESearch' else self.message}"
        stored = f"{whole(self.done)} of {counted(self.total, 'record')} stored"
        if self.phase == "done":
            return f"{self.query_name}: {stored}; {self.message or 'complete'}"
        return f"{self.query_name}: {self.message + '; ' if self.message else ''}{stored}"


@dataclass(slots=True)
class Slice:
    """One date range of the query (or the whole query) and what ESearch said about it."""

    label: str
    term: str
    result: SearchResult
    start: date | None = None
    end: date | None = None

    def as_log(self) -> dict[str, Any]:
        return {"label": self.label, "term": self.term, "count": self.result.count,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}


@dataclass(slots=True)
class Retrieval:
    """What a retrieval found: counts that must reconcile, for the PRISMA-S log."""

    hit_count: int
    slices: list[Slice]
    query_translation: str = ""
    warnings: list[str] = field(default_factory=list)
    pmids: list[str] = field(default_factory=list)  # the union, in result order, once each
    duplicates_across_slices: int = 0
    missing_pmids: list[str] = field(default_factory=list)
    deleted_pmids: list[str] = field(default_factory=list)
    refetched_batches: int = 0
    batch_size_final: int = 0
    #: Slices whose count PubMed changed while they were fetched (a WebEnv searched again after records
    #: were added or removed): ``{"slice", "before", "after"}``; ``hit_count`` follows the change.
    count_changes: list[dict[str, Any]] = field(default_factory=list)
    #: PMIDs this run stored that the slices' last result sets no longer hold (removed in PubMed during the run):
    #: in ``pmids`` (they were retrieved and stay stored), not in the ESearch count.
    removed_pmids: list[str] = field(default_factory=list)

    @property
    def count_check(self) -> dict[str, Any]:
        check: dict[str, Any] = {"esearch_count": self.hit_count, "unique_pmids": len(self.pmids),
                                 "ok": len(self.pmids) - len(self.removed_pmids) == self.hit_count}
        if self.removed_pmids:
            check["removed_during_run"] = len(self.removed_pmids)
        return check


BatchSink = Callable[[list[Record], "Slice", int, int, int], None]
"""``store_batch(new_records, slice, retstart, n_requested, n_received)``."""


def slice_term(term: str, start: date, end: date) -> str:
    return f'({term}) AND ("{start:%Y/%m/%d}"[{SLICE_FIELD}] : "{end:%Y/%m/%d}"[{SLICE_FIELD}])'


def retrieve(
    client: EutilsClient,
    term: str,
    *,
    is_stored: Callable[[str], bool],
    store_batch: BatchSink,
    query_name: str = "",
    esearch_params: dict[str, str] | None = None,
    progress: Callable[[SearchProgress], None] | None = None,
    today: date | None = None,
) -> Retrieval:
    """Search, slice if needed, fetch every window holding a PMID not yet stored, verify each batch."""
    notify = progress or (lambda _event: None)
    params = dict(esearch_params or {})
    limit = client.config.esearch_limit
    notify(SearchProgress(query_name, "search", 0, 0, "ESearch"))
    whole = client.esearch(term, retmax=limit, extra=params)
    slices = [Slice("all", term, whole)] if whole.count <= limit else _plan_slices(
        client, term, params, limit, whole.count, today or date.today(), notify, query_name)
    outcome = Retrieval(hit_count=whole.count, slices=slices,
                        query_translation=whole.query_translation, warnings=list(whole.warnings))

    seen: dict[str, None] = {}
    for piece in slices:
        for pmid in piece.result.ids:
            if pmid in seen:
                outcome.duplicates_across_slices += 1
            seen.setdefault(pmid, None)
    total = len(seen)
    done = sum(1 for pmid in seen if is_stored(pmid))
    notify(SearchProgress(query_name, "fetch", done, total, counted(whole.count, "hit")))

    fetcher = _WindowFetcher(client, params, outcome)
    handled: set[str] = set()
    for piece in slices:
        done = fetcher.fetch_slice(piece, is_stored, store_batch, handled,
                                   lambda n: notify(SearchProgress(query_name, "fetch", n, total)), done)
    union: dict[str, None] = {}
    for piece in slices:
        for pmid in piece.result.ids:
            union.setdefault(pmid, None)
    outcome.removed_pmids = sorted(pmid for pmid in handled if pmid not in union)  # stored, then removed
    outcome.pmids = [*union, *outcome.removed_pmids]
    outcome.batch_size_final = fetcher.batch
    notify(SearchProgress(query_name, "done", total, total, "complete"))
    return outcome


def _plan_slices(client: EutilsClient, term: str, params: dict[str, str], limit: int, full_count: int,
                 today: date, notify: Callable[[SearchProgress], None], query_name: str) -> list[Slice]:
    """Halve Entrez-date ranges until each holds at most ``limit`` hits; each probe is a history search.

    One Entrez date can itself hold more for a broad query: its PMID range is halved then.
    """
    end = date(today.year + 1, 12, 31)
    pending: list[tuple[date, date, int | None, tuple[int, int] | None]] = [(EARLIEST, end, full_count, None)]
    planned: list[Slice] = []
    while pending:
        start, stop, known, uids = pending.pop()
        if known is not None and known > limit:
            if start < stop:
                middle = start + timedelta(days=(stop - start).days // 2)
                pending.append((middle + timedelta(days=1), stop, None, None))
                pending.append((start, middle, None, None))
                continue
            low, high = uids or (1, MAX_PMID)
            if low >= high:  # one PMID cannot hold more hits than the cap: PubMed answered inconsistently
                raise RetrievalError(f"{known} hits for PMID {low} on Entrez date {start:%Y/%m/%d}: "
                                     f"PubMed's counts do not add up; run the search again")
            middle_uid = (low + high) // 2
            pending.append((start, stop, None, (middle_uid + 1, high)))
            pending.append((start, stop, None, (low, middle_uid)))
            continue
        sliced = slice_term(term, start, stop) + (f" AND ({uids[0]}:{uids[1]}[uid])" if uids else "")
        result = client.esearch(sliced, retmax=limit, extra=params)
        label = f"{start:%Y/%m/%d}-{stop:%Y/%m/%d}" + (f" PMIDs {uids[0]}-{uids[1]}" if uids else "")
        notify(SearchProgress(query_name, "search", len(planned), 0, f"date slice {label}: {counted(result.count, 'hit')}"))
        if result.count > limit:
            pending.append((start, stop, result.count, uids))
        elif result.count:
            planned.append(Slice(label, sliced, result, start, stop))
    planned.sort(key=lambda s: s.start or EARLIEST)  # (stable: a day's PMID ranges stay in their order)
    return planned


def slice_name(label: str) -> str:
    """A slice as the reader is told of it: ``the query`` (not sliced) or ``date slice 1992/02/17-1997/04/02``."""
    return "the query" if label == "all" else f"date slice {label}"


def _slice_note(piece: Slice) -> str:
    return "" if piece.label == "all" else f", date slice {piece.label}"


def _batch_name(piece: Slice, retstart: int, size: int) -> str:
    """"EFetch batch 201-300 of 500": which records of the result set a failure stopped at."""
    end = min(retstart + size, len(piece.result.ids))
    return f"EFetch batch {retstart + 1}-{end} of {len(piece.result.ids)}{_slice_note(piece)}"


class _WindowFetcher:
    """EFetch windows of one slice's history set, verified against the ESearch id list."""

    def __init__(self, client: EutilsClient, params: dict[str, str], outcome: Retrieval) -> None:
        self.client = client
        self.params = params
        self.outcome = outcome
        self.batch = client.config.efetch_batch

    def fetch_slice(self, piece: Slice, is_stored: Callable[[str], bool], store_batch: BatchSink,
                    handled: set[str], report: Callable[[int], None], done: int) -> int:
        """Fetch what is not stored yet: by history windows, or by id when little is left (re-runs)."""
        pending = [p for p in piece.result.ids if p not in handled and not is_stored(p)]
        if pending and len(pending) * 2 <= len(piece.result.ids):
            return self._fetch_by_id(piece, pending, is_stored, store_batch, handled, report, done)
        position = 0
        while position < len(piece.result.ids):
            window = piece.result.ids[position:position + self.batch]
            needed = [p for p in window if p not in handled and not is_stored(p)]
            if not needed:
                position += len(window)
                continue
            fetched = self._fetch_window(piece, position, len(window))
            if fetched is None:  # the WebEnv was re-created and the id list changed: start over
                position = 0
                continue
            parsed, size = fetched
            window = piece.result.ids[position:position + size]
            done = self._accept(parsed, window, piece, position, is_stored, store_batch, handled, done)
            report(done)
            position += size
        return done

    def _fetch_by_id(self, piece: Slice, pending: list[str], is_stored: Callable[[str], bool],
                     store_batch: BatchSink, handled: set[str], report: Callable[[int], None], done: int) -> int:
        """EFetch the given PMIDs in batches (POST), each batch verified and refetched when short."""
        index = {pmid: i for i, pmid in enumerate(piece.result.ids)}
        for start in range(0, len(pending), self.batch):
            chunk = pending[start:start + self.batch]
            try:
                parsed = self.client.efetch_ids(chunk)
                for _ in range(self.client.config.max_attempts - 1):
                    if sorted(r.pmid for r in parsed.records) == sorted(chunk):
                        break
                    self.outcome.refetched_batches += 1
                    self.client.stats.retries["wrong_record_count"] += 1
                    parsed = self.client.efetch_ids(chunk)
            except RetrievalError as err:
                raise RetrievalError(f"EFetch batch of PMIDs {chunk[0]}..{chunk[-1]} ({len(chunk)} records"
                                     f"{_slice_note(piece)}): {err}") from None
            done = self._accept(parsed, chunk, piece, index[chunk[0]], is_stored, store_batch, handled, done)
            report(done)
        return done

    def _accept(self, parsed: ParsedPubmed, expected: Sequence[str], piece: Slice, retstart: int,
                is_stored: Callable[[str], bool], store_batch: BatchSink, handled: set[str], done: int) -> int:
        """Store the new records of a verified batch; note what never came back."""
        wanted = set(expected)
        new = [r for r in parsed.records if r.pmid in wanted and r.pmid not in handled and not is_stored(r.pmid)]
        store_batch(new, piece, retstart, len(expected), len(parsed.records))
        handled.update(r.pmid for r in new)
        returned = {r.pmid for r in parsed.records}
        self.outcome.missing_pmids.extend(p for p in expected if p not in returned and not is_stored(p))
        self.outcome.deleted_pmids.extend(parsed.deleted_pmids)
        return done + len(new)

    def _fetch_window(self, piece: Slice, retstart: int, size: int) -> tuple[ParsedPubmed, int] | None:
        """Fetch ``size`` records at ``retstart``; refetch short batches, shrink after repeated failure."""
        attempts = 0
        while True:
            expected = piece.result.ids[retstart:retstart + size]
            try:
                parsed = self.client.efetch_history(piece.result.webenv, piece.result.query_key, retstart, size)
            except WebEnvExpired:
                if self._research(piece):
                    return None
                continue
            except (HostUnreachable, HttpRefused, WaitTooLong) as err:  # smaller: refused again, no nearer, no shorter wait
                raise type(err)(f"{_batch_name(piece, retstart, size)}: {err}") from None
            except RetrievalError as err:
                if size <= self.client.config.min_efetch_batch:
                    raise RetrievalError(f"{_batch_name(piece, retstart, size)}: {err}") from None
                size = max(self.client.config.min_efetch_batch, size // 2)
                self.batch = size
                continue
            returned = [r.pmid for r in parsed.records]
            if sorted(returned) == sorted(expected):
                return parsed, size
            attempts += 1
            self.outcome.refetched_batches += 1
            self.client.stats.retries["wrong_record_count"] += 1
            if attempts < self.client.config.max_attempts:
                continue
            return self._fill_by_id(parsed, expected), size

    def _fill_by_id(self, parsed: ParsedPubmed, expected: Sequence[str]) -> ParsedPubmed:
        """Last resort for a window that keeps coming back short: fetch the missing PMIDs by id."""
        have = {r.pmid for r in parsed.records}
        missing = [p for p in expected if p not in have]
        if missing:
            extra = self.client.efetch_ids(missing)
            parsed.records.extend(r for r in extra.records if r.pmid in set(missing))
            parsed.deleted_pmids.extend(extra.deleted_pmids)
        keep = set(expected)
        parsed.records = [r for r in parsed.records if r.pmid in keep]
        return parsed

    def _research(self, piece: Slice) -> bool:
        """Re-create the WebEnv for a slice; True when the id list changed (positions moved)."""
        fresh = self.client.esearch(piece.term, retmax=self.client.config.esearch_limit, extra=self.params)
        changed = fresh.ids != piece.result.ids
        if fresh.count != piece.result.count:  # PubMed added or removed records since the first ESearch
            self.outcome.count_changes.append({"slice": piece.label, "before": piece.result.count, "after": fresh.count})
            self.outcome.hit_count += fresh.count - piece.result.count
        piece.result = fresh
        return changed
