"""The screening session the TUI (and ``review screen --plain``) drives.

Decisions are written to the store before ``decide`` returns. ``retrain`` is pure CPU work
plus saving the ranking snapshot, safe to call from a worker thread while the reviewer keeps
screening on the previous ranking; ``apply_ranking`` swaps the queue without touching the
record on screen.

Phases: records come from the model's ranking (the *ranked* phase) until a heuristic says the
ranking looks exhausted; the session then serves a seeded *random sample* of the remaining
records, which the statistical stopping rule needs (see ``stopping``). Each decision's
``model_info`` records the phase, so the split survives restarts.

Until both an include and an exclude exist the queue is a keyword prior from
``screening/criteria.toml`` (include minus exclude terms; seeded random order without terms).

Records dedup set aside as duplicates, records removed before screening and records found by
other methods (``removed``, decisions 0021 and 0023) are not offered: not served, ranked, trained on, sampled or counted, and not decided (a decision
made earlier is kept and counts again once the record is back).
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import Counter
from collections.abc import Collection, Container, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DecisionConflict, ReviewError, UnknownRecord, first_line
from ..records import SCREENING_LABELS, Decision, Record
from ..store import screening as ranking_store
from ..store.screening import LeanDecision
from ..store.sessions import SessionBusy
from .agreement import check_not_consensus
from .counts import RELEVANT_LABELS, count_labels
from .criteria import Criteria, CriteriaFile, check_exclusion_reason
from .query import QUERY_NAMES, seeded_order
from .removed import NotOffered, Removal, RemovedMeanwhile, SetAside, refuse_if_removed, workspace_set_aside
from .stopping import STOPPING_CHOICES, StoppingStatus, assess

if TYPE_CHECKING:
    from .features import Features
    from .ranker import Ranking

# features, models and ranker import scikit-learn (over a second): they are imported where
# a model is fitted, so a session opens, and shows its first record, without them.

#: Labels counted as relevant for training and for the stopping rule ("maybe" is kept in).

#: Default seconds between two saves of the full queue (``last_ranking``; a session's
#: ``save_interval``). Every ranking is logged, but at 50,000 records the queue is ~1 MB of JSON whose
#: encoding holds the GIL for tens of milliseconds; a resumed session only needs a recent queue, and
#: retrains at once.
SAVE_INTERVAL = 30.0

PHASE_RANKED = "ranked"
PHASE_SAMPLE = "sample"

#: ``model_info["chosen"] = true`` as the lean reading gives it: SQLite's JSON says 1, PostgreSQL's true.
_JSON_TRUE = frozenset({"1", "true"})


@dataclass(slots=True, frozen=True)
class Progress:
    """Counts for the status bar plus the stopping rule's view."""

    total: int
    screened: int
    included: int
    excluded: int
    maybe: int
    remaining: int
    est_recall: float | None
    stopping: StoppingStatus
    phase: str = PHASE_RANKED
    #: Records decided by pick (by id, in the record browser, from search) that the recommended rule's trend leaves
    #: out (decision 0071; 0 under the certified rule or in a random sample).
    picked: int = 0
    #: The recommended rule gives no verdict: every ranked-phase decision was on a record picked, none taken from
    #: the queue, so there is no order for its trend to read (the verdict says continue, its explanation why).
    no_verdict: bool = False

    @property
    def relevant(self) -> int:
        """Included + Maybe, as the stopping rule counts relevant records (``screening.counts``)."""
        return self.included + self.maybe


@dataclass(slots=True)
class _Decided:
    record_id: int
    label: str
    phase: str
    decision_id: int  # the store's id (never reused): what the classifier's evidence was made from
    #: The record was picked (by id in the shell, in the record browser, opened from search), not taken as the
    #: queue's next: ``model_info["chosen"]``. The recommended rule's trend leaves it out (decision 0071).
    chosen: bool = False

    @classmethod
    def of(cls, decision: Decision) -> _Decided:
        """A stored decision as the session keeps it (its phase and whether it was chosen, from its model info)."""
        return cls(decision.record_id, decision.label, _phase(decision), decision.id,
                   decision.model_info.get("chosen") is True)

    @classmethod
    def of_lean(cls, row: LeanDecision) -> _Decided:
        """A decision read lean (``store.screening.decisions_in_force`` with the phase as its info and ``chosen`` as
        its other value), as ``of``."""
        return cls(row.record_id, row.label, _phase_named(row.info), row.id, row.also in _JSON_TRUE)

    @property
    def sampled(self) -> bool:
        """A draw of the random sample. Every other decision (any other phase a store holds) counts with
        the ranked phase, in the tally and in keeping its record out of the sample's urn alike."""
        return self.phase == PHASE_SAMPLE


@dataclass(slots=True, frozen=True)
class _EvidenceInputs:
    """One reading of the decisions a classifier check is judged due on and made from."""

    labels: dict[int, int]  # record id -> relevant (1/0), the records set aside left out
    decision_ids: list[int]  # the store ids of those decisions (``stopping_classifier.view_holds``)
    eligible: list[int]  # the records to screen
    #: The number of records of the set the check is made over (``n_total``: the records to screen less those
    #: picked), which its view names (``view_holds``: records added or taken since make it stale).
    records: int
    #: ... and that set's ``stopping_classifier.records_digest``, which its view names too.
    record_set: str
    #: Whether the Lomax gate is open: where it is not, the check asks nothing and makes no fits
    #: (``stopping_classifier.closed_gate_check``), but it is made, as ``review simulate``'s is.
    gate_open: bool = True
    #: Whether the Lomax rule's P has reached ``STOP_GATE_PROBABILITY`` too, so that the view may stop the rule
    #: (decision 0063; the view's ``trend_allows_stop``).
    trend_allows_stop: bool = False
    #: Records picked by id (decision 0071): screened, but neither in ``labels`` nor among the unscreened.
    picked: frozenset[int] = frozenset()

    def made_from(self) -> dict[str, Any]:
        """What the check's view names (``stopping_classifier.decisions_made_from``): its decisions and its set."""
        from .stopping_classifier import decisions_made_from

        return decisions_made_from(self.decision_ids, records=self.records, record_set=self.record_set)


@dataclass(slots=True)
class _Tally:
    """What the counts and the stopping rules read of the decisions in force (the records set aside left
    out), in decision order."""

    by_label: Counter[str] = field(default_factory=Counter)
    ranked: list[int] = field(default_factory=list)  # relevance (1/0) of the ranked-phase decisions
    sample: list[int] = field(default_factory=list)  # ... and of the sampled ones
    decision_ids: list[int] = field(default_factory=list)  # the store ids of both (``view_holds``)
    #: What the recommended rule's trend reads (decision 0071): the ranked-phase decisions taken from the queue,
    #: relevance and store ids in decision order, and the records of the ranked-phase decisions picked instead.
    taken: list[int] = field(default_factory=list)
    taken_ids: list[int] = field(default_factory=list)
    picked: list[int] = field(default_factory=list)

    def add(self, decided: _Decided) -> None:
        self.by_label[decided.label] += 1
        relevant = int(decided.label in RELEVANT_LABELS)
        (self.sample if decided.sampled else self.ranked).append(relevant)
        self.decision_ids.append(decided.decision_id)
        if decided.sampled:
            return
        if decided.chosen:
            self.picked.append(decided.record_id)
        else:
            self.taken.append(relevant)
            self.taken_ids.append(decided.decision_id)


@dataclass(slots=True)
class _State:
    decided: dict[int, _Decided] = field(default_factory=dict)  # insertion order = decision order
    #: The tally of ``decided`` and the set of records left out it was made for: made once, then each
    #: new decision is added to it (reading every decision again after each one cost 4.5 ms of CPU at
    #: 20,000 decided).
    _tally: tuple[Container[int], _Tally] | None = None

    def tally(self, hidden: Container[int]) -> _Tally:
        """The tally without the records in ``hidden`` (the session's set, compared by identity: a new
        reading of the records set aside is a new set, and the tally is made afresh for it)."""
        if self._tally is None or self._tally[0] is not hidden:
            tally = _Tally()
            for record_id, decided in self.decided.items():
                if record_id not in hidden:
                    tally.add(decided)
            self._tally = (hidden, tally)
        return self._tally[1]

    def put(self, decided: _Decided) -> None:
        """Put a decision just saved in force: the newest in decision order."""
        earlier = self.decided.pop(decided.record_id, None)
        self.decided[decided.record_id] = decided
        if earlier is not None:  # a correction moves its record to the end: tallied afresh when next read
            self._tally = None
        elif self._tally is not None and decided.record_id not in self._tally[0]:
            self._tally[1].add(decided)


@dataclass(slots=True, frozen=True)
class _TrendReading:
    """What the recommended rule reads in the ranked phase (decision 0071): its trend is the rate of relevant
    records along the queue, so it reads the decisions taken from the queue and leaves the records picked by id
    out of the set, its counts and its classifier check alike. The decisions taken are the queue's next each
    time, so they are the ranking's order of the records to screen less those picked, whenever these were picked.
    Nothing picked: every decision, as before."""

    ranked: list[int]  # relevance (1/0) of the decisions read, in decision order
    decision_ids: list[int]  # their store ids (``view_holds``)
    n_total: int  # the records to screen less those picked
    picked: frozenset[int]  # the records picked, left out

    @property
    def no_verdict(self) -> bool:
        """Records were picked and no decision was taken from the queue: the rule has no order to read."""
        return bool(self.picked) and not self.ranked


@dataclass(slots=True, frozen=True)
class _Reading:
    """One reading of the reviewer's decisions (``_read_decisions``), assigned only once it is whole."""

    state: _State
    sample_start: int | None  # None: no sample started (as recorded, or by a sampled decision in force)
    sample_seed: int | None  # the seed the sample is drawn with, when recorded
    seen: int  # the reviewer's changes counted just before (``Store.decision_changes``)


class ScreeningSession:
    """One reviewer screening one workspace."""

    def __init__(
        self,
        workspace: Any,
        reviewer: str,
        *,
        model: str = "default",
        query: str = "max",
        seed: int | None = None,
        quick_start: bool = False,
        save_interval: float = SAVE_INTERVAL,
        records: Collection[int] | None = None,
    ) -> None:
        """``quick_start``: without a saved ranking, open on the seeded order and leave the
        keyword prior (which reads every abstract) to the first ``retrain`` — for the TUI,
        which shows the first record at once and retrains in a worker. ``save_interval``: seconds
        between two saves of the full queue by ``retrain`` (0: every retrain saves it).

        ``records``: a session that only decides these records (``review decide``): it serves, counts and
        trains on nothing. With a stored queue (the decisions' model rank and info) it reads only these records
        and the reviewer's decisions on them, not every record id and the reviewer's whole log; without one it
        reads them all, as the seeded order the decisions' rank comes from is drawn from them."""
        from .settings import check_model, read_screening_settings

        settings = read_screening_settings(workspace.config.section("screening"))
        model = (settings.model or model) if model == "default" else model
        query = (settings.query or query) if query == "max" else query
        if not quick_start:  # (quick start checks at the first retrain: the names need scikit-learn)
            check_model(model)
        if query not in QUERY_NAMES:
            raise ReviewError(f"query {query!r}: expected one of {', '.join(QUERY_NAMES)}")
        self.workspace = workspace
        self.store = workspace.store
        self.reviewer = reviewer
        self.model = model
        self.query = query
        self.seed = int(seed if seed is not None else workspace.config.seed)
        self.target_recall = settings.target_recall
        self.confidence = settings.confidence
        self.auto_sample = settings.auto_sample
        self.consecutive = settings.consecutive_irrelevant
        self.stopping_rule = settings.stopping_rule
        self.quick_start = quick_start
        self.save_interval = save_interval
        #: An interactive session's claim on the reviewer (``store.sessions``): decisions are
        #: written only while it holds, so two sessions of one reviewer never both decide.
        self.session_token: str | None = None
        self._lock = threading.RLock()
        self._feature_lock = threading.Lock()
        self._aside_lock = threading.Lock()  # (refresh_set_aside)
        self._features: Features | None = None
        self._text_lock = threading.Lock()
        self._text_cache: dict[tuple[int, bool], dict[int, str]] = {}  # title form → record id → model text
        self._sample_cache: tuple[tuple[Any, ...], list[int]] | None = None
        self._ahead: Record | None = None  # read ahead: the record expected next
        self._saved_at: float | None = None  # monotonic time of the last full queue save
        self._unsaved: Ranking | None = None
        self._current: int | None = None
        # The record an undo brought back: shown even though still decided (an undone correction
        # leaves the earlier label in place) until it is decided or another record is served; and the
        # phase of the decision undone, which a decision made afresh on it keeps (``_phase_of``), and whether its
        # record was picked, which it keeps too: the record an undo of a pick brings back is no queue's next, and
        # read as one it put the record the reviewer picked into the recommended rule's trend (decision 0071).
        self._undone: int | None = None
        self._undone_phase = PHASE_RANKED
        self._undone_chosen = False
        self._sample_start: int | None = None
        self._sample_seed: int | None = None  # the recorded sample's seed (None: ``seed``)
        #: The reviewer's changes as counted with the decisions read, plus this session's own writes since
        #: (``Store.decision_changes``): before serving, a look tells whether anyone else has changed this
        #: reviewer's decisions (``_follow_store``). None: a write may have committed unheard of (an error
        #: after it) or a reading failed: read again before the next key.
        self._log_seen: int | None = None
        #: Bumped wherever what the counts and the stopping verdict read changes (``_mark_changed``): a
        #: decision saved, an undo, decisions read again, the records set aside, the classifier evidence.
        self._changes = 0
        #: The last progress (counts and stopping verdict) with the key it was made under
        #: (``_verdict_key``): a paint between two changes costs a comparison, not an assessment (13 ms of
        #: CPU at 50,000 records with 10,000 decided, most of it the Lomax estimate).
        self._progress_cache: tuple[tuple[Any, ...], Progress] | None = None
        #: The digest of the set the recommended rule reads (``_record_set``) with the reading of the records to
        #: screen (that list, by identity) and the records picked it was made for.
        self._record_set_cache: tuple[list[int], frozenset[int], str] | None = None
        #: ``screening/criteria.toml`` as last read (the TUI highlights from the same instance).
        self.criteria_file = CriteriaFile(workspace)
        saved = ranking_store.load_ranking(self.store, self.reviewer)
        #: The stored queue this session opened on, as (made at, model info), for ``store_stopping_view``'s compare
        #: and set; None: none stored.
        self._queue_read: tuple[Any, dict[str, Any]] | None = (
            None if not saved else (saved["created_at"], dict(saved["model_info"])))
        #: The records a deciding session reads (``records``); None: every record (a session that serves).
        self._only = None if records is None or not saved else frozenset(records)
        self._deciding_only = records is not None
        self._load_records()
        self._state = _State()
        self._take(self._read_decisions())
        self._ranking: Ranking | _Queue = self._initial_ranking(saved)
        #: The recommended stopping rule's newest classifier evidence (decision 0025): made by
        #: ``stopping_evidence`` after the queue is delivered (never inside ``retrain``), taken in by
        #: ``apply_stopping_evidence``; the stored queue carries the last one over a reopening.
        stored_view = self._ranking.model_info.get("stopping_classifier")
        # A view stored before 2026-12-07 names no count of the records it was made over (``records``): read as
        # holding, it outlived records imported or set aside after this version came in (a stop made at 600 of
        # 1,500 still stood over 50 records imported since, in the app and in review status --stopping). None
        # stands in: the check due is made once, from the decisions up to the grid point reached (one check).
        # A view fitted with another model or seed than this session's (review.toml edited since) is not the check
        # this session makes: it is not carried either (``_made_here``).
        self._classifier_view: dict[str, Any] | None = (
            stored_view if isinstance(stored_view, dict) and "records" in stored_view and self._made_here(stored_view)
            else None)
        #: Counts undos: evidence asked for before an undo is dropped when it arrives.
        self.evidence_epoch = 0

    # -- loading ---------------------------------------------------------------------------
    @property
    def criteria(self) -> Criteria:
        """The last good ``criteria.toml`` (empty while none could be read: screening goes on)."""
        return self.criteria_file.criteria

    @property
    def require_reason_on_exclude(self) -> bool:
        """``criteria.toml``'s ``require_reason_on_exclude``: ``decide`` refuses an exclusion without a reason."""
        return self.criteria_file.criteria.require_reason_on_exclude

    def reload_criteria(self) -> str:
        """Read ``criteria.toml`` again if it changed since it was last read; "" or its error.

        The terms feed the keyword prior at the next ``retrain`` (which calls this first), the
        reason setting the next ``decide``. A file that cannot be read (half-saved, a typo) keeps
        the last good criteria, so ranking and the reason rule never fall back to none.
        """
        changed = self.criteria_file.reload()
        return self.criteria_file.error if changed else ""

    @property
    def cold_start(self) -> bool:
        """True while the queue is the keyword prior or a seeded order: no model fitted yet,
        so the criteria's terms decide the order."""
        with self._lock:
            return self._ranking.model_info.get("fallback") is not None

    def _load_records(self) -> None:
        self._apply_records(*self._read_records())

    def _read_records(self) -> tuple[list[int], SetAside]:
        """The record ids and what is set aside, from the store: queries only, no lock needed."""
        return ranking_store.record_ids(self.store, among=self._only), self._read_set_aside()

    def _apply_records(self, ids: list[int], aside: SetAside) -> None:
        """Serve from ``ids`` less ``aside`` (``_read_records``; hold ``_lock`` once the session is open)."""
        self._ids = ids
        self._id_set = set(self._ids)
        #: What ``records_added`` compares the store with: the count and highest id of the ids read.
        self._records_read = (len(self._ids), self._ids[-1] if self._ids else 0)
        self._text_cache = {}  # texts are read when first needed (keyword prior, retrain)
        self._set_aside(aside)

    def _read_set_aside(self) -> SetAside:
        return workspace_set_aside(self.workspace, _duplicate_ids(self.store))

    def _set_aside(self, aside: SetAside) -> None:
        """Leave duplicates and removed records out of the queue (call holding the lock); the sample
        order and the record read ahead were drawn from the queue before it."""
        self._aside = aside
        self._hidden = aside.ids()
        self._eligible = [r for r in self._ids if r not in self._hidden]
        self._sample_cache = None
        self._ahead = None
        self._mark_changed()

    def _mark_changed(self) -> None:
        """What the counts and the stopping verdict read has changed (call holding the lock): the
        decisions in force, the records set aside, the phase or the classifier evidence."""
        self._changes += 1

    def _texts(self, title_repeats: int = 2, title_apart: bool | None = None) -> dict[int, str]:
        """The model's text of every record with the title ``title_repeats`` times, apart or not
        (``record_text``; None: as the session's model reads it at every size), read once per form (reading
        is the slow part of opening a big workspace; ``svm-e5``'s small-set features read the title once).
        The keyword prior reads the same texts: one copy in memory (128 MB at 50,000 records)."""
        if title_apart is None:
            from .ranker import reads_title_apart

            title_apart = reads_title_apart(self.model)
        with self._text_lock:
            texts = self._text_cache.get((title_repeats, title_apart))
            if texts is None:
                from .features import record_text

                rows = ranking_store.record_texts(self.store)
                texts = {record_id: record_text(row, title_repeats, title_apart) for record_id, row in rows.items()}
                self._text_cache[(title_repeats, title_apart)] = texts
            return texts

    def _read_decisions(self) -> _Reading:
        """The reviewer's decisions in force and where the random sample started: as recorded when it started
        (``store.screening.start_sample``), else from the first sampled decision in force (a store from before
        the start was recorded). Assigns nothing: a read that fails leaves the session as it was."""
        seen = self.store.decision_changes(self.reviewer)  # (first: a change between the two reads is read again)
        state = _State()
        for row in ranking_store.decisions_in_force(self.store, self.reviewer, info_key="phase", also_key="chosen",
                                                    record_ids=self._only):
            state.decided[row.record_id] = _Decided.of_lean(row)
        started = ranking_store.sample_started(self.store, self.reviewer)
        sample_start = self._sample_start_of_old_store(state) if started is None else started.sample_start
        return _Reading(state, sample_start, None if started is None else started.seed, seen)

    def _sample_start_of_old_store(self, state: _State) -> int | None:
        """Where the sample started in a store from before starts were recorded: the model info of the first
        sampled decision in force (None: none). A deciding session's ``state`` holds the records it decides
        only: it looks among the records the reviewer has a sampled decision on (none, unless a sample was
        drawn in such a store)."""
        if self._only is not None:
            sampled_on = ranking_store.records_with_info(self.store, self.reviewer, info_key="phase",
                                                         value=PHASE_SAMPLE)
            state = _State()
            if sampled_on:
                for row in ranking_store.decisions_in_force(self.store, self.reviewer, info_key="phase",
                                                            also_key="chosen", record_ids=sampled_on):
                    state.decided[row.record_id] = _Decided.of_lean(row)
        first = min((d.decision_id for d in state.decided.values() if d.sampled), default=None)
        if first is None:
            return None
        decision = self.store.decision(first)  # (one row's whole model info: lean readings leave it out)
        return None if decision is None else int(decision.model_info.get("sample_start", 0))

    def _take(self, reading: _Reading) -> None:
        """Put a reading of the decisions in force (hold the lock). The sample phase, once started, stays: a
        reading without a start (none recorded, no sampled decision in force) keeps it. A record an undo
        brought back whose decision in force changed elsewhere is no longer this session's to serve again."""
        if self._undone is not None and reading.state.decided.get(self._undone) != self._state.decided.get(self._undone):
            self._undone = None
        self._state = reading.state
        if reading.sample_start is not None:
            self._sample_start, self._sample_seed = reading.sample_start, reading.sample_seed
        self._log_seen = reading.seen
        self._sample_cache = None
        self._ahead = None
        self._mark_changed()

    def _follow_store(self) -> None:
        """Before serving (hold the lock): read the decisions again if anyone else has changed this reviewer's
        since they were read (another window, ``review decide`` in a shell), or a write may have committed
        unheard of. One primary-key read when nothing changed: the reviewer's count of changes against the one
        read plus this session's own writes. Raises (the key refused, the session still to read again) if the
        store cannot be read."""
        if self._log_seen is not None and self.store.decision_changes(self.reviewer) == self._log_seen:
            return
        self._log_seen = None  # (until a reading succeeds)
        self._take(self._read_decisions())

    def _initial_ranking(self, saved: dict[str, Any] | None) -> Ranking | _Queue:
        """The queue to open on: the stored one (``saved``: ``store.screening.load_ranking``), else the seeded
        order (quick start) or the keyword prior."""
        if saved:
            probs = [float("nan") if p is None else float(p) for p in saved["probabilities"]]
            queue = _Queue(order=tuple(saved["record_order"]), probabilities=tuple(probs),
                           model_info=dict(saved["model_info"]), n_labelled=saved["n_labelled"])
            queue.rank_of(-1)  # the position index, built while opening rather than on a key
            return queue
        labels = self._training_labels()
        if self.quick_start:
            # The seeded order ``fallback_ranking`` gives without texts; the first retrain
            # (a worker) reads the abstracts and replaces it with the keyword prior.
            order = seeded_order(self._eligible, labels, self.seed)
            info = {"model": self._model_name, "query": self.query, "seed": self.seed,
                    "n_labelled": len(labels), "n_included": sum(labels.values()),
                    "fallback": "seeded_random", "quick_start": True}
            return _Queue(order=tuple(order.tolist()), probabilities=(float("nan"),) * order.size,
                          model_info=info, n_labelled=len(labels))
        from .ranker import fallback_ranking

        return fallback_ranking(self._eligible, labels, seed=self.seed,
                                model=self._model_name, query=self.query, texts=self._texts(),
                                include_terms=self.criteria.include_terms,
                                exclude_terms=self.criteria.exclude_terms)

    @property
    def _model_name(self) -> str:
        from .models import resolve_model

        return resolve_model(self.model)

    def _training_labels(self) -> dict[int, int]:
        return {r: int(d.label in RELEVANT_LABELS) for r, d in self._state.decided.items()
                if r not in self._hidden}

    # -- the queue -------------------------------------------------------------------------
    @property
    def phase(self) -> str:
        return PHASE_SAMPLE if self._sample_start is not None else PHASE_RANKED

    def next_record(self) -> Record | None:
        """The record to screen now: the one on screen if undecided (or brought back by ``undo``),
        else the queue's head."""
        self._check_serving()
        with self._lock:
            self._follow_store()
            if self._current is not None and self._current not in self._hidden \
                    and (self._current not in self._state.decided or self._current == self._undone):
                return self.store.record(self._current)
            if self.phase == PHASE_RANKED and self.auto_sample and self._progress().stopping.verdict == "sample-needed":
                try:
                    self.start_sample()
                except ReviewError:  # (a busy store: its start is not recorded, so the ranking serves this record
                    pass  # and the next record tries again; the sample is never served unrecorded)
            record_id = self._next_id()
            self._current, self._undone = record_id, None
            ahead, self._ahead = self._ahead, None
        if record_id is None:
            return None
        return ahead if ahead is not None and ahead.id == record_id else self.store.record(record_id)

    def read_ahead(self) -> Record | None:
        """Read the record expected after the one on screen, so that the next ``next_record``
        needs no query; returns it (None if there is none). Best effort: if the queue changes
        first (a new ranking, the sample phase), ``next_record`` simply reads the store."""
        with self._lock:
            if self._current is None:
                return None
            record_id = self._next_id(skip=self._current)
        if record_id is None:
            return None
        record = self.store.record(record_id)
        with self._lock:
            self._ahead = record
        return record

    def _next_id(self, skip: int | None = None) -> int | None:
        self._check_serving()
        decided = self._state.decided
        if self.phase == PHASE_SAMPLE:
            for record_id in self._sample_order():
                if record_id not in decided and record_id != skip:
                    return record_id
            return None
        for record_id in self._ranking.order:
            if record_id not in decided and record_id not in self._hidden and record_id != skip:
                return record_id
        ranked = set(self._ranking.order)  # records imported after the ranking was made
        for record_id in self._eligible:
            if record_id not in decided and record_id not in ranked and record_id != skip:
                return record_id
        return None

    def start_sample(self) -> None:
        """Switch to the random-sample phase the statistical stopping rule needs. The start is recorded first
        (``store.screening.start_sample``): the next session reopens in the sample with the same draws, also
        before any draw is decided; a start recorded already (another window's) is the one taken."""
        self._check_serving()
        with self._lock:
            if self._sample_start is None:
                started = ranking_store.start_sample(self.store, self.reviewer,
                                                     sample_start=len(self._state.tally(self._hidden).ranked),
                                                     seed=self.seed)
                self._sample_start, self._sample_seed = started.sample_start, started.seed
                self._sample_cache = None
                self._current = None
                self._mark_changed()

    def _sample_order(self) -> list[int]:
        """Seeded random order of the records the ranked phase left unscreened.

        Kept until the urn changes: recomputing it for every key costs milliseconds per key on a large
        workspace. The key counts the ranked-phase decisions from the tally: a decision's phase never
        changes while it is in force (``_phase_of``), so between two readings of the decisions (an undo,
        ``reload_decisions``, which drop the order) the urn only loses records, each one counted; a change
        of the records set aside drops the order itself.
        """
        key = (self._sample_start, len(self._state.tally(self._hidden).ranked), len(self._eligible))
        if self._sample_cache is not None and self._sample_cache[0] == key:
            return self._sample_cache[1]
        ranked = {r for r, d in self._state.decided.items() if not d.sampled}
        urn = np.asarray([r for r in self._eligible if r not in ranked], dtype=np.int64)
        reviewer_key = zlib.crc32(self.reviewer.encode("utf-8"))
        seed = self.seed if self._sample_seed is None else self._sample_seed
        rng = np.random.default_rng([seed, reviewer_key, self._sample_start or 0])
        order = rng.permutation(urn).tolist()
        self._sample_cache = (key, order)
        return order

    # -- decisions -------------------------------------------------------------------------
    def _landed_unheard(self, record_id: int, before: _Decided | None, label: str, reasons: tuple[str, ...],
                        note: str) -> Decision | None:
        """The decision the store now holds for ``record_id`` when the re-read after a failed write finds one it did
        not hold before with this very label, reasons and note: that write committed and only its reply was lost,
        so the same key pressed again returns it rather than writing it a second time (as a correction)."""
        after = self._state.decided.get(record_id)
        if after is None or (before is not None and before.decision_id == after.decision_id) or after.label != label:
            return None
        stored = self.store.decision(after.decision_id)  # (by id: the reviewer's whole log was read to find it)
        if stored is None or tuple(stored.reasons) != reasons or stored.note != note:
            return None
        if self._current == record_id:
            self._current = None
        return stored

    def decide(self, record_id: int, label: str, *, reasons: Any = (), note: str = "",
               chosen: bool = False, blind: bool = False) -> Decision:
        """Store the decision (durable on return) with its model rank and model info.

        ``chosen``: the reviewer picked the record by id (``review decide``) rather than taking
        the one served. In the sample phase such a record is no random draw, so it counts with
        the ranked records, never in the sample the statistical stopping rule extrapolates from.
        A correction keeps its record's phase, chosen or served (``_phase_of``).
        ``blind``: the TUI's blind mode was on (the other reviewers' decisions hidden); stored with the decision.
        """
        if label not in SCREENING_LABELS:
            raise ReviewError(f"label {label!r}: expected one of {', '.join(SCREENING_LABELS)}")
        self._check_decider()
        reasons = tuple(reasons)
        check_exclusion_reason(self.require_reason_on_exclude, label, reasons)
        with self._lock:
            if self._log_seen is None:  # an earlier write may have committed unheard of: read first, or refuse
                before = self._state.decided.get(record_id)
                self._follow_store()
                landed = self._landed_unheard(record_id, before, label, reasons, note)
                if landed is not None:
                    return landed
            if record_id not in self._id_set:
                raise UnknownRecord(record_id)
            if record_id in self._hidden:  # PRISMA would not count it: refuse rather than waste it
                raise NotOffered(f"{self._aside.refusal(record_id)}; nothing recorded")
            chosen = chosen or (record_id == self._undone and self._undone_chosen)
            phase = self._phase_of(record_id, chosen)
            info = {k: v for k, v in self._ranking.model_info.items() if k != "features"}
            info.update(phase=phase, seed=self.seed, target_recall=self.target_recall)
            if chosen:
                info["chosen"] = True
            model_rank = self._ranking.rank_of(record_id)
            if phase == PHASE_SAMPLE:
                info["sample_start"] = self._sample_start
                info["query"] = "random_sample"
            # A record this session has not decided must still be undecided in the store, and a correction's
            # record must still hold the decision this session knows of: a second session of the same
            # reviewer (another machine, a shell) may have decided it meanwhile.
            # Removed in another shell since the removals were last read (``refresh_set_aside``, every 2 s in
            # the TUI): the decision's own transaction refuses it, and the queue leaves it out from now on.
            known = self._state.decided.get(record_id)
            try:
                with self._unheard_if_failed():
                    decision = self.store.add_decision(record_id, self.reviewer, label, reasons=reasons,
                                                       note=note, model_rank=model_rank, model_info=info,
                                                       blind=blind, if_undecided=known is None,
                                                       if_in_force=None if known is None else known.decision_id,
                                                       session_token=self.session_token,
                                                       check=refuse_if_removed(record_id))
            except RemovedMeanwhile as refused:
                self._set_aside(replace(self._aside, removed={**self._aside.removed, record_id: refused.removal}))
                if self._current == record_id:
                    self._current = None
                raise
            except DecisionConflict as conflict:
                raise self._decided_elsewhere(record_id) from conflict
            if self._log_seen is not None:  # (this key's change: another writer's too shows as a count above it)
                self._log_seen += 1
            self._state.put(_Decided(record_id, label, phase, decision.id, chosen))
            self._mark_changed()
            if self._current == record_id:
                self._current = None
            if self._undone == record_id:
                self._undone = None
            return decision

    @contextmanager
    def _unheard_if_failed(self) -> Iterator[None]:
        """Around a write (hold the lock): one that fails other than by a refusal made inside its transaction
        (nothing written) may have committed unheard of, e.g. the connection lost as the commit answered:
        the session reads its decisions again before the next key."""
        try:
            yield
        except (SessionBusy, RemovedMeanwhile, DecisionConflict):
            raise
        except BaseException:
            self._log_seen = None
            raise

    def _phase_of(self, record_id: int, chosen: bool) -> str:
        """The phase a decision on the record now is recorded in (hold the lock). A sampled decision is a
        random draw: a record served in the sample phase that no decision covers. A correction keeps its
        record's phase (a draw stays a draw, a ranked decision stays out of the urn), also when served (the
        record an undone correction brought back); so does the decision an undo took back, made again on
        the record it brought back; a record picked by id (``chosen``) is no draw. So a decision's phase
        never changes while it is in force, and the sample order's key (``_sample_order``) sees every
        change of the urn."""
        if self._sample_start is None:
            return PHASE_RANKED
        earlier = self._state.decided.get(record_id)
        if earlier is not None:
            return earlier.phase
        if record_id == self._undone:
            return self._undone_phase
        return PHASE_RANKED if chosen else PHASE_SAMPLE

    def undo(self) -> Decision | None:
        """Undo this reviewer's latest decision; its record becomes the next one shown while it is to
        screen (``is_to_screen``), also when an earlier decision on it stands again (an undone
        correction). The undo of a decision on a record removed before screening or set
        aside since (as last read: ``refresh_set_aside``) stands, and the queue's head is shown instead.

        The session follows the undo from what the undo's own transaction read (the decision in force on the
        record after it), never from a reading after the commit: one that failed there left the undone
        decision counted."""
        self._check_decider()
        self._check_serving()  # (before the write: what follows an undo reads the whole queue)
        with self._lock:
            if self._log_seen is None:  # an earlier write may have committed unheard of: read first, or refuse
                self._follow_store()
            with self._unheard_if_failed():
                undo = self.store.undo_latest(self.reviewer, session_token=self.session_token)
            if undo is None:
                return None
            undone = undo.decision
            if self._log_seen is not None:
                self._log_seen += 1
            self._state = _state_after_undo(self._state, undone, undo.in_force)
            if self._sample_start is None and undo.in_force is not None and _phase(undo.in_force) == PHASE_SAMPLE:
                self._sample_start = int(undo.in_force.model_info.get("sample_start", 0))  # (a store from before
                # the start was recorded, whose session read no sampled decision)
            self._sample_cache = None
            self._ahead = None
            self._mark_changed()
            self.evidence_epoch += 1  # evidence under way may have counted the undone decision: checked on arrival
            # The evidence in use is dropped if it counted the undone decision; the check due at once is made from the
            # decisions up to the latest grid point (``_evidence_due``), the walk's check there, which a reopened
            # session or ``review status --stopping`` makes too (audit26: waiting for the next grid point said
            # "continue" where they said "stop" after a stop the reviewer had gone past).
            self._carried_view()
            self._current = undone.record_id if self.is_to_screen(undone.record_id) else None
            self._undone = self._current
            self._undone_phase = _phase(undone)
            self._undone_chosen = undone.model_info.get("chosen") is True
            return undone

    def _decided_elsewhere(self, record_id: int) -> DecisionConflict:
        """The refusal of a decision on a record another window or shell of the reviewer decided first (hold
        the lock), after reading the decisions in force again, so the queue and the counts follow: one line
        naming the record and what it holds now."""
        if self._undone == record_id:
            self._undone = None
        try:
            self._log_seen = None
            self._take(self._read_decisions())
        except Exception as err:  # (still to read again: the next key reads first, or is refused)
            said = first_line(err)  # (a driver's error goes on with its SQL)
            return DecisionConflict(f"record {record_id}: decided elsewhere meanwhile (in another window or shell); "
                                    f"nothing recorded here — your decisions could not be read again ({said}); "
                                    "the next key reads them first", record_id=record_id)
        decided = self._state.decided.get(record_id)
        what = f"{decided.label}, by {self.reviewer}" if decided is not None else f"by {self.reviewer}"
        return DecisionConflict(f"record {record_id}: decided elsewhere meanwhile ({what} in another window or "
                                "shell); nothing recorded here — your decisions were read again", record_id=record_id)

    def _check_serving(self) -> None:
        """A session opened to decide named records (``records``) may have read only those: it never serves,
        counts, samples, trains or undoes, which read every record and decision."""
        if self._deciding_only:
            raise RuntimeError("this screening session only decides the records it was opened for")

    def _check_decider(self) -> None:
        """Refuse to screen as ``consensus``: a decision there would be a conflict's resolution for
        PRISMA without a conflict (and an undo would take back the latest resolution)."""
        check_not_consensus(self.reviewer, "reviewer", error=ReviewError, title="Not saved")

    def reload_decisions(self) -> None:
        """Read this reviewer's decisions again: for a session that only retrains, in another
        process than the one that decides (the store has every decision). A reading that fails changes
        nothing but leaves the session to read again before its next key."""
        with self._lock:
            self._log_seen = None
            self._take(self._read_decisions())

    # -- progress and stopping ---------------------------------------------------------------
    def progress(self) -> Progress:
        """The counts and the stopping verdict; made afresh only after a change (``_mark_changed``)."""
        with self._lock:
            return self._progress()

    def _progress(self) -> Progress:
        """``progress`` (hold ``_lock``): between two changes, the paints and ``next_record``'s look at the
        verdict share one (the decision ids ``view_holds`` sorts and hashes among what is not read again)."""
        self._check_serving()
        key = self._verdict_key()
        if self._progress_cache is not None and self._progress_cache[0] == key:
            return self._progress_cache[1]
        tally = self._state.tally(self._hidden)
        n_total = len(self._eligible)
        counts = count_labels(tally.by_label, n_total)
        trend = self._trend_reading(tally)
        view = self._classifier_view
        record_set = None if view is None else self._set_read(trend)[1]
        if trend is None:
            sampling = self._sample_start is not None or bool(tally.sample)
            stopping = assess(tally.ranked, tally.sample, n_total, target_recall=self.target_recall,
                              confidence=self.confidence, consecutive=self.consecutive,
                              sample_started=sampling, rule=self.stopping_rule,
                              classifier=view, decision_ids=tally.decision_ids, record_set=record_set)
            if sampling and stopping.rule != "certified":
                # Once the sample has begun its test gives the verdict, whichever rule review.toml names (a reviewer
                # does not leave a sample): name that rule, as the shells and a recorded stop say it (walk31: "STOP
                # (Recommended rule)" beside the sample's "24 randomly drawn records held 0 relevant").
                stopping = replace(stopping, rule="certified")
        else:
            stopping = _said_of_picked(assess(trend.ranked, [], trend.n_total, target_recall=self.target_recall,
                                              confidence=self.confidence, consecutive=self.consecutive,
                                              rule=self.stopping_rule, classifier=view,
                                              decision_ids=trend.decision_ids, record_set=record_set), trend)
        progress = Progress(
            total=counts.total, screened=counts.screened, included=counts.included,
            excluded=counts.excluded, maybe=counts.maybe, remaining=counts.remaining,
            est_recall=stopping.estimated_recall, stopping=stopping, phase=self.phase,
            picked=0 if trend is None else len(trend.picked),
            no_verdict=trend is not None and trend.no_verdict and stopping.remaining > 0,
        )
        self._progress_cache = (key, progress)
        return progress

    def is_to_screen(self, record_id: int) -> bool:
        """True for records in the queue's universe (no duplicate set aside, nothing removed before
        screening): what counts count."""
        return record_id in self._id_set and record_id not in self._hidden

    def is_decided(self, record_id: int) -> bool:
        """True if this reviewer has a decision on the record (as this session last read them)."""
        with self._lock:
            return record_id in self._state.decided

    def label_in_force(self, record_id: int) -> str | None:
        """This reviewer's label on the record in force (as this session last read them), or None: undecided."""
        with self._lock:
            decided = self._state.decided.get(record_id)
            return None if decided is None else decided.label

    def not_offered(self, record_id: int) -> str:
        """Why a record of this workspace is not offered for screening, in words ("" if it is)."""
        return self._aside.why(record_id)

    def why_refused(self, record_id: int) -> str:
        """Why a decision on the record is refused, as it stands in a refusal's parentheses ("" if offered)."""
        return self._aside.why_refused(record_id)

    def removal(self, record_id: int) -> Removal | None:
        """The record's removal before screening (None: not removed, perhaps a duplicate)."""
        return self._aside.removed.get(record_id)

    def listed_apart(self, record_id: int) -> bool:
        """Not offered, but listed with its reason: removed before screening or found by other methods."""
        return self._aside.listed(record_id)

    def other_method(self, record_id: int) -> str | None:
        """The kind of other method the record was found by (None: a database or register record)."""
        return self._aside.other_methods.get(record_id)

    def _trend_reading(self, tally: _Tally, rule: str | None = None) -> _TrendReading | None:
        """What the recommended rule reads in the ranked phase (hold ``_lock``; decision 0071), or None where the
        verdict reads no trend (``rule``, by default the one the reviewer follows, is the certified rule, a random
        sample has begun, or every record is screened)."""
        if (rule or self.stopping_rule) != "recommended" or self._sample_start is not None or tally.sample:
            return None
        if len(tally.ranked) >= len(self._eligible):  # every record screened: that verdict reads no order, and
            return None  # read on the decisions taken it said 0 screened, 0 found, no recall (all picked)
        return _TrendReading(list(tally.taken), list(tally.taken_ids), len(self._eligible) - len(tally.picked),
                             frozenset(tally.picked))

    def _record_set(self, picked: frozenset[int]) -> str:
        """The ``records_digest`` of the set the recommended rule reads (hold ``_lock``): the records to screen less
        ``picked``. Made once per reading of the records to screen and set of records picked (3.7 ms at
        50,000 records), since ``progress`` asks after every change."""
        from . import stopping_classifier as sc

        cached = self._record_set_cache
        if cached is not None and cached[0] is self._eligible and cached[1] == picked:
            return cached[2]
        ids = np.asarray(self._eligible, dtype=np.int64)
        if picked:
            ids = ids[~np.isin(ids, np.fromiter(picked, dtype=np.int64, count=len(picked)))]
        name = sc.records_digest(ids)
        self._record_set_cache = (self._eligible, picked, name)
        return name

    def _set_read(self, trend: _TrendReading | None) -> tuple[int, str]:
        """The number and ``_record_set`` digest of the records the recommended rule reads (hold ``_lock``): the
        records to screen, less those picked where ``trend`` (``_trend_reading``) leaves them out. What a view
        names and ``view_holds`` compares."""
        if trend is None:
            return len(self._eligible), self._record_set(frozenset())
        return trend.n_total, self._record_set(trend.picked)

    def _phase_labels(self) -> tuple[list[int], list[int], list[int]]:
        """What the stopping rules read (hold ``_lock``), as copies to read after it is let go: the
        relevance (1/0) of the ranked-phase and of the sampled decisions, each in decision order, and
        the store ids of all of them."""
        tally = self._state.tally(self._hidden)
        return list(tally.ranked), list(tally.sample), list(tally.decision_ids)

    def _verdict_key(self) -> tuple[Any, ...]:
        """What the counts and the verdict depend on (hold ``_lock``): the change count and the settings
        (assigned directly, so read here rather than counted)."""
        return (self._changes, self.stopping_rule, self.target_recall, self.confidence, self.consecutive)

    def set_stopping_rule(self, choice: str) -> None:
        """Follow the ``recommended`` or ``certified`` rule from now on, and save it in review.toml."""
        from .settings import write_screening_setting

        if choice not in STOPPING_CHOICES:
            raise ReviewError(f"stopping rule {choice!r}: expected {' or '.join(STOPPING_CHOICES)}")
        write_screening_setting(self.workspace.path("review.toml"), "stopping_rule", choice)
        with self._lock:
            self.stopping_rule = choice

    # -- the model -------------------------------------------------------------------------
    def retrain(self) -> Ranking:
        """Fit on every label so far and rank the rest; saves the snapshot (thread-safe)."""
        from .ranker import Ranking, fallback_ranking, rank
        from .settings import check_model

        self._check_serving()
        check_model(self.model)
        self.reload_criteria()  # terms saved since the last retrain shape a cold start's prior
        with self._lock:
            labels = self._training_labels()
            criteria = self.criteria
            eligible = list(self._eligible)
            hidden = set(self._hidden)
            previous = self._ranking if isinstance(self._ranking, Ranking) else None
        texts = self._texts()
        eligible = [r for r in eligible if r in texts]  # imported after the texts were read
        if self._features is None and not _both_classes(labels):
            # Nothing to learn yet: the keyword prior, without building TF-IDF features
            # (the same order ``rank`` gives, as features keep the eligible order).
            ranking = fallback_ranking(eligible, labels, seed=self.seed, model=self._model_name,
                                       query=self.query, texts=texts,
                                       include_terms=criteria.include_terms,
                                       exclude_terms=criteria.exclude_terms)
        else:
            features = self._ensure_features(texts, eligible)
            # The last fit warm-starts the solver (a stored queue has no weights: a cold start).
            ranking = rank(features, labels, model=self.model, query=self.query, seed=self.seed,
                           texts=texts, include_terms=criteria.include_terms,
                           exclude_terms=criteria.exclude_terms, previous=previous,
                           n_records=len(eligible))
            carried = self._carried_view()
            if carried is not None:  # the stored queue keeps the evidence over a reopening
                ranking.model_info["stopping_classifier"] = carried
        if hidden:
            ranking = _without(ranking, hidden)
        ranking.rank_of(-1)  # builds the position index here, not in the next ``decide`` (UI thread)
        if self._saved_at is None or time.monotonic() - self._saved_at >= self.save_interval:
            self._save(ranking)
        else:
            ranking_store.log_ranking(self.store, self.reviewer, model_info=ranking.model_info,
                                      n_labelled=ranking.n_labelled, seed=self.seed, seconds=ranking.seconds)
            self._unsaved = ranking
        return ranking

    def _carried_view(self) -> dict[str, Any] | None:
        """The newest classifier evidence, unless decisions it was made from were undone or changed since, records
        were added to the set it was made over or taken from it, or it was made for a target recall that allows
        another k* (review.toml changed between sessions)."""
        from . import stopping_classifier as sc

        with self._lock:
            last = self._classifier_view
            if last is None:  # (the check below sorts and hashes every decision id)
                return None
            tally = self._state.tally(self._hidden)
            trend = self._trend_reading(tally, rule="recommended")  # (the view is that rule's, whoever's session)
            decision_ids = tally.decision_ids if trend is None else trend.decision_ids
            records, record_set = self._set_read(trend)
            if not sc.view_holds(last, decision_ids, target_recall=self.target_recall, records=records,
                                 record_set=record_set):
                last = self._classifier_view = None
                self._mark_changed()
            return last

    def store_stopping_view(self) -> bool:
        """Keep the classifier's view in force in the stored queue's model info, where a session opened afresh on it
        (``review status --stopping``, the app, ``review prisma stop``) takes it instead of making the check again:
        only while the queue stored is still the one this session opened on with the view it read then (one short
        transaction, compare and set: a queue or view another process stored since stands, and no decision is
        touched). Nothing to keep (no view holds, or the one stored is it), or no queue stored: False. Raises what
        the store raises (read-only, busy): the caller's verdict stands without it."""
        with self._lock:
            read = self._queue_read
            view = self._carried_view()
        if read is None or view is None or read[1].get("stopping_classifier") == view:
            return False
        made_at, info = read
        kept = {**info, "stopping_classifier": view}
        if not ranking_store.replace_ranking_info(self.store, self.reviewer, created_at=made_at,
                                                  model_info_before=info, model_info=kept):
            return False
        with self._lock:
            if self._queue_read is read:
                self._queue_read = (made_at, kept)
        return True

    def stopping_evidence_due(self) -> bool:
        """Whether ``stopping_evidence`` would compute afresh for the rule the reviewer follows: it reads
        the classifier (the recommended rule, before any random sample; else no fits, whose evidence
        no verdict would read), and ``_evidence_due``."""
        from .stopping import RULE_OF_CHOICE

        with self._lock:
            reads = RULE_OF_CHOICE.get(self.stopping_rule) == "relevance_rate_classifier" and self._sample_start is None
        return reads and self._evidence_due() is not None

    def _evidence_due(self) -> _EvidenceInputs | None:
        """What a check is made from, when one is due (else None): a check of the classifier's grid (every
        ⌈N/100⌉ decisions) has been passed since the last evidence that still holds, past the share gate,
        and the Lomax rule is within reach (cheap; no fit). The decisions are read once, under the lock,
        for the judgement and the check alike. (A worker process's session asked for evidence does not
        judge the rule: the app's did.)"""
        from . import stopping_classifier as sc

        self._check_serving()
        with self._lock:
            labels = self._training_labels()
            last = self._classifier_view
            ranked, _, decision_ids = self._phase_labels()
            eligible = list(self._eligible)
            # (for the recommended rule whatever this session's setting says: only that rule asks for a check, and
            # the TUI's worker process keeps the session it opened, with the rule review.toml named then)
            trend = self._trend_reading(self._state.tally(self._hidden), rule="recommended")
            n_total, record_set = self._set_read(trend)
        picked: frozenset[int] = frozenset()
        if trend is not None and trend.picked:  # the check asks about the set the trend reads (decision 0071)
            picked = trend.picked
            labels = {r: y for r, y in labels.items() if r not in picked}
            ranked, decision_ids = trend.ranked, trend.decision_ids
        if not _both_classes(labels):
            return None
        if not sc.view_holds(last, decision_ids, target_recall=self.target_recall, records=n_total,
                             record_set=record_set):
            last = None  # decisions undone or changed since, records added or taken, or another target: due at once
        if not sc.is_due(len(labels), n_total, None if last is None else int(last["screened"])):
            return None
        # Made from the decisions up to the latest grid point reached, in decision order, as review simulate's walk
        # makes it: a check asked past it (a session opened after an undo, review status --stopping at 614 with a
        # step of 15, or a worker that was busy) read the decisions since too, a look the walk never takes, and the
        # shell's and the app's verdicts differed (the app, which kept no check after its undo, went on).
        reached = len(labels) // sc.check_step(n_total) * sc.check_step(n_total)
        if reached < len(labels):
            labels = dict(list(labels.items())[:reached])  # (insertion order is decision order)
            decision_ids, ranked = decision_ids[:reached], ranked[:reached]
        # A check at a closed gate is made too, without fits: it marks its grid step as review simulate's does.
        gate = sc.lomax_gate(ranked, n_total, 0, self.target_recall)
        return _EvidenceInputs(labels, decision_ids, eligible, n_total, record_set, gate_open=gate.is_open,
                               trend_allows_stop=gate.allows_stop, picked=picked)

    def stopping_evidence(self) -> dict[str, Any] | None:
        """The recommended stopping rule's classifier evidence (decision 0025), made afresh when due
        (``_evidence_due``), else None. Six fits (31 s of CPU at 50,000 records; none where k* is below
        ``FEWEST_ALLOWED`` or the Lomax gate is closed, whose checks are made all the same: they mark the grid step): call it
        after the queue is delivered, never before. The check due stored in the queue meanwhile by another session
        (``review status --stopping``: ``store_stopping_view``) is taken as it is, with no fit. It changes nothing:
        ``apply_stopping_evidence`` (with ``evidence_epoch`` read before this call) takes the result."""
        from . import stopping_classifier as sc

        inputs = self._evidence_due()
        if inputs is None:
            return None
        stored = self._stored_view_for(inputs)
        if stored is not None:  # this very check, made and stored by another session (review status --stopping)
            return stored
        labels = inputs.labels
        unasked = sc.unasked_check(len(labels), sum(labels.values()), self.target_recall)
        if unasked is not None:  # k* below 6: no verdict reads the fits (decision 0072), the grid step is kept
            return {**unasked, **inputs.made_from()}
        closed = {**sc.closed_gate_check(len(labels), sum(labels.values()), self.target_recall),
                  **inputs.made_from()}
        if not inputs.gate_open:  # the Lomax gate closed: nothing asked, the grid step kept
            return closed
        texts = self._texts()
        eligible = [r for r in inputs.eligible if r in texts]
        features = self._ensure_features(texts, eligible)
        known = {r: y for r, y in labels.items() if r in features}
        ids = list(known)
        unscreened = [r for r in eligible if r not in known and r not in inputs.picked and r in features]
        view = sc.estimate(features.matrix, features.rows(ids), np.array([known[r] for r in ids]),
                           features.rows(unscreened), model=self.model, seed=self.seed, n_records=len(eligible),
                           target_recall=self.target_recall, confidence=self.confidence)
        if view is None:  # too few labels of a kind for a fit: nothing asked, as at a closed gate
            return closed
        # what the evidence is made from (``view_holds``), whether it may stop the rule (``view_may_stop``) and what it
        # was fitted with (``_made_here``)
        return {**view.as_dict(), "trend_allows_stop": inputs.trend_allows_stop, **self._fitted_with(),
                **inputs.made_from()}

    def _fitted_with(self) -> dict[str, Any]:
        """What this session's check fits with, as its view names it: the model ("default" resolved: the same fit
        as the name it means), its engine version (features and model) and the seed."""
        from .engines import engine_version
        from .models import resolve_model

        model = resolve_model(self.model)
        return {"model": model, "engine": engine_version(model), "seed": self.seed}

    def _made_here(self, view: Mapping[str, Any]) -> bool:
        """Whether the classifier's ``view`` is one this session's check could be: fitted with its model (compared as
        ``models.fit_name``: one fit, one name), engine version and seed (``_fitted_with``), or with no fit to name (a check that asks nothing: ``unasked_check``, ``closed_gate_check``; a view stored
        before views named them, read as before). A view fitted with others (review.toml's seed or model edited
        since, or another process that follows other settings: the app follows those it opened with) scored the
        records with another classifier: ``review status --stopping`` after the edit took the view it had stored
        before it, and the app took the one status stored after it, each a verdict its own check did not give."""
        from .models import fit_name

        own = self._fitted_with()
        if "model" in view and fit_name(str(view["model"])) != fit_name(own["model"]):
            return False  # (a check made under "svm" was svm-e9's too while both name engine 9)
        return all(view.get(name, value) == value for name, value in own.items() if name != "model")

    def _stored_view_for(self, inputs: _EvidenceInputs) -> dict[str, Any] | None:
        """The view the stored queue holds when it is the check ``inputs`` would make: made at the same grid point,
        from the same decisions, over the same set, at a target of the same k* (``view_holds``), as a session opened
        afresh on the queue would take it. Another session may have stored it since this one opened
        (``store_stopping_view``): one read of the queue's model info, not of its order."""
        from . import stopping_classifier as sc

        info = ranking_store.ranking_info(self.store, self.reviewer)
        view = None if info is None else info.get("stopping_classifier")
        if (not isinstance(view, dict) or "records" not in view or int(view.get("screened", -1)) != len(inputs.labels)
                or not self._made_here(view)):
            return None
        if not sc.view_holds(view, inputs.decision_ids, target_recall=self.target_recall, records=inputs.records,
                             record_set=inputs.record_set):
            return None
        return view

    def apply_stopping_evidence(self, evidence: dict[str, Any] | None, epoch: int) -> bool:
        """Use ``evidence`` (from ``stopping_evidence``, perhaps of another process's session) from now
        on, unless a decision it was made from was undone since it was asked for (``epoch``: ``evidence_epoch``
        then; it no longer holds), or it is older than the evidence in use. True if taken. Decisions made
        meanwhile stay as they are: the evidence names the decisions it was made from
        (``stopping_classifier.view_holds``). A view in use that no longer holds gives way to any evidence."""
        from . import stopping_classifier as sc

        with self._lock:
            if evidence is None:
                return False
            last = self._classifier_view
            tally = self._state.tally(self._hidden)
            trend = self._trend_reading(tally, rule="recommended")
            in_force = tally.decision_ids if trend is None else trend.decision_ids
            records, record_set = self._set_read(trend)
            # After an undo, only evidence that still speaks for the decisions in force: one made before the undone
            # decision was (the evidence process's session kept it and found no check due again, so the app's
            # verdict lacked it, CONTINUE where `review status --stopping` said STOP, until the next grid step).
            if epoch != self.evidence_epoch and not sc.view_holds(evidence, in_force, target_recall=self.target_recall,
                                                                  records=records, record_set=record_set):
                return False
            if (last is not None and int(last["screened"]) > int(evidence["screened"])
                    and sc.view_holds(last, in_force, target_recall=self.target_recall, records=records,
                                      record_set=record_set)):
                return False
            self._classifier_view = dict(evidence)
            self._mark_changed()
            return True

    def save_ranking(self) -> None:
        """Store the newest queue if ``retrain`` only logged it (call when closing)."""
        if self._unsaved is not None:
            self._save(self._unsaved, log=False)

    def _save(self, ranking: Ranking, *, log: bool = True) -> None:
        ranking_store.save_ranking(self.store, self.reviewer, order=ranking.order,
                                   probabilities=ranking.probabilities, model_info=ranking.model_info,
                                   n_labelled=ranking.n_labelled, seed=self.seed, seconds=ranking.seconds,
                                   log=log)
        self._saved_at = time.monotonic()
        self._unsaved = None
        self._queue_read = None  # (the queue stored now is this session's own: it carries the view in force)

    def _ensure_features(self, texts: dict[int, str], eligible_ids: list[int]) -> Features:
        from .features import build_features, update_features
        from .ranker import feature_config_for

        with self._feature_lock:
            # The features depend on the set's size (engine version 5), and so does the model
            # ``rank`` fits on them (``retrain`` passes it the same count): a workspace that crosses
            # the line (an update search imported, duplicates set aside) gets features built afresh.
            config = feature_config_for(self.model, len(eligible_ids))
            if config.title_repeats != 2 or config.title_apart:
                texts = self._texts(config.title_repeats, config.title_apart)
            eligible = {r: texts[r] for r in eligible_ids}
            if self._features is None or self._features.config != config:
                self._features = build_features(list(eligible), list(eligible.values()), config)
            else:
                self._features = update_features(self._features, eligible)
            return self._features

    def apply_ranking(self, ranking: Ranking) -> None:
        """Serve the queue from ``ranking`` from now on; the record on screen stays."""
        with self._lock:
            self._ranking = ranking

    @property
    def ranking(self) -> Ranking:
        with self._lock:
            if isinstance(self._ranking, _Queue):
                self._ranking = self._ranking.as_ranking()
            return self._ranking

    #: What another session's settings are read as by ``follow_settings``: those fixed when a session opens.
    FOLLOWED_SETTINGS = ("model", "query", "seed", "target_recall", "confidence")

    def fixed_settings(self) -> dict[str, Any]:
        """The settings this session fixed when it opened (``FOLLOWED_SETTINGS``), for ``follow_settings``."""
        return {name: getattr(self, name) for name in self.FOLLOWED_SETTINGS}

    def follow_settings(self, settings: Mapping[str, Any]) -> None:
        """Rank and check with another session's ``fixed_settings`` from now on (the TUI's worker processes follow the
        app's, which review.toml gave when the app opened: an edit applies at the app's next start)."""
        unknown = set(settings) - set(self.FOLLOWED_SETTINGS)
        if unknown:
            raise ValueError(f"not a setting a session follows: {', '.join(sorted(unknown))}")
        with self._lock:
            if all(getattr(self, name) == value for name, value in settings.items()):
                return
            for name, value in settings.items():
                setattr(self, name, value)
            self._sample_cache = None  # (drawn with the seed)
            if self._classifier_view is not None and not self._made_here(self._classifier_view):
                self._classifier_view = None  # (fitted with the settings given up: not this session's check)
            self._mark_changed()

    def refresh_records(self) -> None:
        """Pick up records imported (or duplicates resolved) since the session opened."""
        # Under ``_aside_lock`` too (taken first, as everywhere): a ``refresh_set_aside`` that read the
        # store before this reading must not apply its older set-aside after it. The queries stay outside
        # ``_lock``, as there: the TUI's 2 s look reads an import made in a shell (32 ms for the ids alone at
        # 50,000 records), and keys go on meanwhile.
        with self._aside_lock:
            read = self._read_records()
            with self._lock:
                self._apply_records(*read)

    def records_added(self) -> bool:
        """Whether the store holds other records than this session read (imported in a shell since: ``review
        import`` or ``search``), by one cheap query; then ``refresh_records`` reads them. A session that decides
        named records only (``records``) says no."""
        if self._deciding_only:
            return False
        with self._lock:
            read = self._records_read
        return ranking_store.records_stamp(self.store) != read

    @property
    def set_aside(self) -> SetAside:
        """What the queue leaves out, as last read (at opening or ``refresh_set_aside``)."""
        with self._lock:
            return self._aside

    def refresh_set_aside(self) -> bool:
        """Read duplicates and removals again (``review prisma remove``/``restore`` or a dedup
        change from another window); True when the records to screen changed. Cheaper than
        ``refresh_records``: the texts read for the model stay."""
        # One look at a time, read and apply together: a look that read before another applied its
        # newer reading would put the older one back (the 2 s look and a retrain both look). The
        # queries stay outside ``_lock``: keys go on meanwhile.
        with self._aside_lock:
            aside = self._read_set_aside()
            with self._lock:
                if aside == self._aside:
                    return False
                self._set_aside(aside)
                return True


def no_verdict_words(picked: int) -> str:
    """Why the recommended rule gives no verdict (decision 0071), in one sentence that fits the screening screen's
    three lines at 80 columns with a five-digit count."""
    return (f"Recommended rule: no verdict: it reads the queue's order, and all {picked:,} of your decisions were "
            "picked by id (review decide, browser, search); screen from the queue, or use the certified rule (its "
            "sample ignores order).")


def _said_of_picked(stopping: StoppingStatus, trend: _TrendReading) -> StoppingStatus:
    """The recommended rule's verdict on the decisions taken from the queue, saying what it left out (decision 0071):
    the records picked, out of its trend, its counts and its classifier check. With none taken (and records left)
    it has no order to read and gives no verdict."""
    picked = len(trend.picked)
    if not picked or stopping.remaining <= 0:  # (every record screened: that verdict reads no order)
        return stopping
    if trend.no_verdict:
        return replace(stopping, verdict="continue", estimated_recall=None, explanation=no_verdict_words(picked),
                       expected_remaining=None, upper_remaining=None, estimate_from=None, classifier_level=None)
    taken = len(trend.ranked)
    said = (f"It reads the {taken:,} {'decision' if taken == 1 else 'decisions'} you took from the ranked queue: the "
            f"{picked:,} {'record' if picked == 1 else 'records'} you picked (by id in review decide, in the record "
            f"browser, from search) "
            f"{'is' if picked == 1 else 'are'} left out of its trend and its counts, so the recall it gives is of "
            "the rest; counting them, recall is at least that.")
    return replace(stopping, explanation=f"{stopping.explanation} {said}")


def _duplicate_ids(store: Any) -> dict[int, int]:
    """Records dedup set aside (non-canonical members of merged clusters) -> their canonical record."""
    from ..dedup.decisions import canonical_of

    return canonical_of(store)


@dataclass(slots=True, frozen=True)
class _Queue:
    """A stored (or seeded) queue, served without importing the model code.

    Quacks like ``Ranking`` for what the session reads on the UI thread (``order``,
    ``model_info``, ``rank_of``); ``as_ranking`` makes the real thing when asked for.
    """

    order: tuple[int, ...]
    probabilities: tuple[float, ...]
    model_info: dict[str, Any]
    n_labelled: int
    _position: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    def rank_of(self, record_id: int) -> int | None:
        if not self._position and self.order:
            self._position.update(zip(self.order, range(1, len(self.order) + 1)))
        return self._position.get(record_id)

    def as_ranking(self) -> Ranking:
        from .ranker import Ranking

        return Ranking(order=self.order, probabilities=self.probabilities, model_info=self.model_info,
                       n_labelled=self.n_labelled, seconds=0.0)


def _both_classes(labels: dict[int, int]) -> bool:
    values = set(labels.values())
    return 0 in values and 1 in values


def _without(ranking: Ranking, hidden: set[int]) -> Ranking:
    from .ranker import Ranking

    keep = [i for i, r in enumerate(ranking.order) if r not in hidden]
    return Ranking(order=tuple(ranking.order[i] for i in keep),
                   probabilities=tuple(ranking.probabilities[i] for i in keep),
                   model_info=ranking.model_info, n_labelled=ranking.n_labelled, seconds=ranking.seconds,
                   solution=ranking.solution)


def _phase(decision: Decision) -> str:
    """The decision's phase as the lean reading gives it (``_Decided.of_lean``)."""
    return _phase_named(decision.model_info.get("phase"))


def _phase_named(phase: object) -> str:
    """A stored phase as the session reads it: missing or null is ranked."""
    return PHASE_RANKED if phase is None else str(phase)


def _state_after_undo(state: _State, undone: Decision, in_force: Decision | None) -> _State:
    """The decisions in force after ``undone`` was undone: without it, and with the earlier decision on its
    record (``in_force``, an undone correction's) back in its place in decision order."""
    decided = {r: d for r, d in state.decided.items() if d.decision_id != undone.id}
    if in_force is not None:
        back = _Decided.of(in_force)
        decided.pop(in_force.record_id, None)
        items = list(decided.items())
        at = next((i for i, (_, d) in enumerate(items) if d.decision_id > in_force.id), len(items))
        items.insert(at, (in_force.record_id, back))
        decided = dict(items)
    return _State(decided)
