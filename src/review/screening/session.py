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
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ReviewError
from ..records import SCREENING_LABELS, Decision, Record
from ..store import screening as ranking_store
from .criteria import Criteria, load_criteria
from .features import Features, build_features, record_text, update_features
from .models import DEFAULT_MODEL, MODEL_NAMES
from .query import QUERY_NAMES
from .ranker import Ranking, fallback_ranking, rank
from .stopping import CONFIDENCE, TARGET_RECALL, StoppingStatus, assess

#: Labels counted as relevant for training and for the stopping rule ("maybe" is kept in).
RELEVANT_LABELS = frozenset({"include", "maybe"})

PHASE_RANKED = "ranked"
PHASE_SAMPLE = "sample"


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


@dataclass(slots=True)
class _Decided:
    record_id: int
    label: str
    phase: str


@dataclass(slots=True)
class _State:
    decided: dict[int, _Decided] = field(default_factory=dict)  # insertion order = decision order


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
    ) -> None:
        settings = workspace.config.section("screening")
        model = settings.get("model", model) if model == "default" else model
        query = settings.get("query", query) if query == "max" else query
        if model != "default" and model not in MODEL_NAMES:
            raise ReviewError(f"model {model!r}: expected default or one of {', '.join(MODEL_NAMES)}")
        if query not in QUERY_NAMES:
            raise ReviewError(f"query {query!r}: expected one of {', '.join(QUERY_NAMES)}")
        self.workspace = workspace
        self.store = workspace.store
        self.reviewer = reviewer
        self.model = model
        self.query = query
        self.seed = int(seed if seed is not None else workspace.config.seed)
        self.target_recall = float(settings.get("target_recall", TARGET_RECALL))
        self.confidence = float(settings.get("confidence", CONFIDENCE))
        self.auto_sample = bool(settings.get("auto_sample", True))
        self.consecutive = settings.get("consecutive_irrelevant")
        self._lock = threading.RLock()
        self._feature_lock = threading.Lock()
        self._features: Features | None = None
        self._current: int | None = None
        self._sample_start: int | None = None
        self.criteria = self._load_criteria()
        self._load_records()
        self._state = self._load_decisions()
        self._ranking = self._initial_ranking()

    # -- loading ---------------------------------------------------------------------------
    def _load_criteria(self) -> Criteria:
        try:
            return load_criteria(self.workspace)
        except ReviewError:
            return Criteria()  # the TUI shows the file's error itself; screening goes on

    def _load_records(self) -> None:
        records = self.store.records()
        self._ids = [r.id for r in records if r.id is not None]
        self._texts = {r.id: record_text(r) for r in records if r.id is not None}
        self._hidden = _duplicate_ids(self.store)
        self._eligible = [r for r in self._ids if r not in self._hidden]

    def _load_decisions(self) -> _State:
        state = _State()
        current = self.store.current_decisions(reviewer=self.reviewer)
        for decision in sorted(current.values(), key=lambda d: d.id):
            phase = str(decision.model_info.get("phase", PHASE_RANKED))
            state.decided[decision.record_id] = _Decided(decision.record_id, decision.label, phase)
            if phase == PHASE_SAMPLE and self._sample_start is None:
                self._sample_start = int(decision.model_info.get("sample_start", 0))
        return state

    def _initial_ranking(self) -> Ranking:
        saved = ranking_store.load_ranking(self.store, self.reviewer)
        if saved:
            probs = [float("nan") if p is None else float(p) for p in saved["probabilities"]]
            return Ranking(order=tuple(saved["record_order"]), probabilities=tuple(probs),
                           model_info=dict(saved["model_info"]), n_labelled=saved["n_labelled"],
                           seconds=0.0)
        return fallback_ranking(self._eligible, self._training_labels(), seed=self.seed,
                                model=self._model_name, query=self.query, texts=self._texts,
                                include_terms=self.criteria.include_terms,
                                exclude_terms=self.criteria.exclude_terms)

    @property
    def _model_name(self) -> str:
        return DEFAULT_MODEL if self.model == "default" else self.model

    def _training_labels(self) -> dict[int, int]:
        return {r: int(d.label in RELEVANT_LABELS) for r, d in self._state.decided.items()
                if r not in self._hidden}

    # -- the queue -------------------------------------------------------------------------
    @property
    def phase(self) -> str:
        return PHASE_SAMPLE if self._sample_start is not None else PHASE_RANKED

    def next_record(self) -> Record | None:
        """The record to screen now: the one on screen if undecided, else the queue's head."""
        with self._lock:
            if self._current is not None and self._current not in self._state.decided:
                return self.store.record(self._current)
            if self.phase == PHASE_RANKED and self.auto_sample and self._stopping().verdict == "sample-needed":
                self.start_sample()
            record_id = self._next_id()
            self._current = record_id
        return None if record_id is None else self.store.record(record_id)

    def _next_id(self) -> int | None:
        decided = self._state.decided
        if self.phase == PHASE_SAMPLE:
            for record_id in self._sample_order():
                if record_id not in decided:
                    return record_id
            return None
        for record_id in self._ranking.order:
            if record_id not in decided and record_id not in self._hidden:
                return record_id
        ranked = set(self._ranking.order)  # records imported after the ranking was made
        for record_id in self._eligible:
            if record_id not in decided and record_id not in ranked:
                return record_id
        return None

    def start_sample(self) -> None:
        """Switch to the random-sample phase the statistical stopping rule needs."""
        with self._lock:
            if self._sample_start is None:
                self._sample_start = sum(1 for d in self._state.decided.values()
                                         if d.phase == PHASE_RANKED and d.record_id not in self._hidden)
                self._current = None

    def _sample_order(self) -> list[int]:
        """Seeded random order of the records the ranked phase left unscreened."""
        ranked = {r for r, d in self._state.decided.items() if d.phase == PHASE_RANKED}
        urn = np.asarray([r for r in self._eligible if r not in ranked], dtype=np.int64)
        reviewer_key = zlib.crc32(self.reviewer.encode("utf-8"))
        rng = np.random.default_rng([self.seed, reviewer_key, self._sample_start or 0])
        return rng.permutation(urn).tolist()

    # -- decisions -------------------------------------------------------------------------
    def decide(self, record_id: int, label: str, *, reasons: Any = (), note: str = "") -> Decision:
        """Store the decision (durable on return) with its model rank and model info."""
        if label not in SCREENING_LABELS:
            raise ReviewError(f"label {label!r}: expected one of {', '.join(SCREENING_LABELS)}")
        with self._lock:
            if record_id not in self._texts:
                raise ReviewError(f"record {record_id}: not in this workspace")
            phase = self.phase
            info = {k: v for k, v in self._ranking.model_info.items() if k != "features"}
            info.update(phase=phase, seed=self.seed, target_recall=self.target_recall)
            model_rank = self._ranking.rank_of(record_id)
            if phase == PHASE_SAMPLE:
                info["sample_start"] = self._sample_start
                info["query"] = "random_sample"
            decision = self.store.add_decision(record_id, self.reviewer, label, reasons=tuple(reasons),
                                               note=note, model_rank=model_rank, model_info=info)
            self._state.decided.pop(record_id, None)
            self._state.decided[record_id] = _Decided(record_id, label, phase)
            if self._current == record_id:
                self._current = None
            return decision

    def undo(self) -> Decision | None:
        """Undo this reviewer's latest decision; its record becomes the next one shown."""
        with self._lock:
            undone = self.store.undo_last(self.reviewer)
            if undone is None:
                return None
            self._state = self._load_decisions_after_undo()
            self._current = undone.record_id
            return undone

    def _load_decisions_after_undo(self) -> _State:
        sample_start = self._sample_start
        self._sample_start = None
        state = self._load_decisions()
        if self._sample_start is None and sample_start is not None:
            # Undoing the first sampled decision keeps the sample phase (the urn is unchanged).
            self._sample_start = sample_start
        return state

    # -- progress and stopping ---------------------------------------------------------------
    def progress(self) -> Progress:
        with self._lock:
            labels = [d.label for r, d in self._state.decided.items() if r not in self._hidden]
            stopping = self._stopping()
            total = len(self._eligible)
            return Progress(
                total=total, screened=len(labels), included=labels.count("include"),
                excluded=labels.count("exclude"), maybe=labels.count("maybe"),
                remaining=total - len(labels), est_recall=stopping.estimated_recall,
                stopping=stopping, phase=self.phase,
            )

    def _stopping(self) -> StoppingStatus:
        ranked, sample = [], []
        for record_id, decided in self._state.decided.items():
            if record_id in self._hidden:
                continue
            value = int(decided.label in RELEVANT_LABELS)
            (sample if decided.phase == PHASE_SAMPLE else ranked).append(value)
        return assess(ranked, sample, len(self._eligible), target_recall=self.target_recall,
                      confidence=self.confidence, consecutive=self.consecutive,
                      sample_started=self._sample_start is not None)

    # -- the model -------------------------------------------------------------------------
    def retrain(self) -> Ranking:
        """Fit on every label so far and rank the rest; saves the snapshot (thread-safe)."""
        with self._lock:
            labels = self._training_labels()
            texts = dict(self._texts)
        features = self._ensure_features(texts)
        ranking = rank(features, labels, model=self.model, query=self.query, seed=self.seed,
                       texts=texts, include_terms=self.criteria.include_terms,
                       exclude_terms=self.criteria.exclude_terms)
        if self._hidden:
            ranking = _without(ranking, self._hidden)
        ranking_store.save_ranking(self.store, self.reviewer, order=ranking.order,
                                   probabilities=ranking.probabilities, model_info=ranking.model_info,
                                   n_labelled=ranking.n_labelled, seed=self.seed, seconds=ranking.seconds)
        return ranking

    def _ensure_features(self, texts: dict[int, str]) -> Features:
        with self._feature_lock:
            eligible = {r: texts[r] for r in self._eligible}
            if self._features is None:
                self._features = build_features(list(eligible), list(eligible.values()))
            else:
                self._features = update_features(self._features, eligible)
            return self._features

    def apply_ranking(self, ranking: Ranking) -> None:
        """Serve the queue from ``ranking`` from now on; the record on screen stays."""
        with self._lock:
            self._ranking = ranking

    @property
    def ranking(self) -> Ranking:
        return self._ranking

    def refresh_records(self) -> None:
        """Pick up records imported (or duplicates resolved) since the session opened."""
        with self._lock:
            self._load_records()


def _duplicate_ids(store: Any) -> set[int]:
    """Records dedup set aside; empty when the dedup stage is not installed."""
    try:
        from ..store.dedup import duplicate_ids
    except ImportError:
        return set()
    return set(duplicate_ids(store))


def _without(ranking: Ranking, hidden: set[int]) -> Ranking:
    keep = [i for i, r in enumerate(ranking.order) if r not in hidden]
    return Ranking(order=tuple(ranking.order[i] for i in keep),
                   probabilities=tuple(ranking.probabilities[i] for i in keep),
                   model_info=ranking.model_info, n_labelled=ranking.n_labelled, seconds=ranking.seconds)
