"""Retrain and re-rank: labelled rows in, a ``Ranking`` (queue of unlabelled ids) out.

Pure CPU work on immutable inputs, so it is safe to run in a worker thread while the
reviewer keeps screening on the previous ranking. Until both classes are labelled there is
nothing to learn from: the queue is then a keyword prior from the screening criteria when
there are include/exclude terms, else a seeded random order.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .criteria import keyword_score, term_regex
from .engines import ENGINE_VERSION as ENGINE_VERSION  # (its home before engines.py; benchmarks read it here)
from .engines import engine_version
from .features import FeatureConfig, Features
from .models import DEFAULT_MODEL, SvmModel, make_model, resolve_model, small_set_loop, small_set_settings
from .query import order_candidates, seeded_order


#: Engine version 7 (decision 0058): the default SVM's rows on a set of ``SMALL_SET_RECORDS`` records or
#: more are divided by 0.15·p + 0.85·‖w‖ instead of ‖w‖ (p the mean length), so a short record's score no
#: longer reaches the extremes as easily as a long one's; relevance rises with length on 13 of the 15
#: shared sets. Slopes 0.5 and 0.75 opened a run of irrelevant records long enough for the stopping rule to
#: stop inside it (skeletal muscle relaxants); 0.85 did not, and was judged on fresh seeds.
LARGE_SET_PIVOT_SLOPE = 0.85

#: Random unlabelled records added to each fit as presumed irrelevant (Cormack & Grossman's
#: BMI uses 100). At screening prevalence (1–10 %) nearly all are irrelevant, and they keep
#: the first fits from latching onto the one or two excluded priors.
PRESUMED_IRRELEVANT = 100

#: ... until the records labelled relevant are this share of the whole set. That share is a
#: lower bound on the prevalence and only grows; past 5 %, five or more of the 100 "irrelevant"
#: records are expected to be relevant, and the sample teaches the model the wrong thing. Below
#: 5 % prevalence it never triggers, so those rankings are unchanged. Dev harness (four tasks,
#: seeds 1-10): WSS@95 +0.038 (10 of 10 seeds) and +0.011 on the two 15-19 % tasks, recall@10 %
#: and ATD unchanged; see docs/screening.md.
PRESUMED_IRRELEVANT_UNTIL = 0.05


def feature_config_for(model: str, n_records: int) -> FeatureConfig:
    """The features ``model`` ranks a set of ``n_records`` records with (engine version 9, the default).

    The sized SVMs on a small set reads ASReview's u4 text features (every term, min_df 1; words of
    two or more characters with hyphens split) with the title twice (engine version 6; ``svm-e5``:
    once, as ASReview); on a larger set engine version 4's features, on unit rows (``svm-e6``)
    or pivoted length-normalised rows (``svm-e7``, engine version 7, ``LARGE_SET_PIVOT_SLOPE``); every other case engine
    version 4's (``FeatureConfig()``). Engine version 8 (``svm-e8``) is engine version 6 with the title's repeat apart
    at every size (``FeatureConfig.title_apart``); the default (``svm``, engine version 9) is version 8 with, from
    ``SMALL_SET_RECORDS`` records, the ``wordhy`` tokens. Texts must be built with the config's ``title_repeats``
    and ``title_apart``.
    """
    apart = reads_title_apart(model)
    if small_set_settings(model, n_records):
        return FeatureConfig(min_df=1, tokens="words2", title_repeats=2 if small_set_loop(model, n_records) else 1,
                             title_apart=apart)
    resolved = resolve_model(model)
    if resolved == "svm-e7":
        return FeatureConfig(pivot_slope=LARGE_SET_PIVOT_SLOPE)
    if resolved in ("svm", "svm-e9"):  # engine version 9 (decision 0074)
        return FeatureConfig(tokens="wordhy", title_apart=True)
    return FeatureConfig(title_apart=apart)


def reads_title_apart(model: str) -> bool:
    """Whether ``model``'s texts have the title's repeat apart (``FeatureConfig.title_apart``) at every size: engine
    versions 8 (``svm-e8``) and 9 (the default, ``svm``, ``svm-e9``)."""
    return resolve_model(model) in ("svm", "svm-e9", "svm-e8")


@dataclass(slots=True, frozen=True)
class Ranking:
    """Unlabelled record ids in query order, with the model's relevance probability of each."""

    order: tuple[int, ...]
    probabilities: tuple[float, ...]
    model_info: dict[str, Any]
    n_labelled: int
    seconds: float
    _position: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    #: The fitted weights (intercept last) when the model has them: the next fit's warm start.
    solution: np.ndarray | None = field(default=None, repr=False, compare=False)

    def _index(self, record_id: int) -> int | None:
        if not self._position and self.order:  # built on first use: simulations never need it
            self._position.update(zip(self.order, range(len(self.order))))
        return self._position.get(record_id)

    def rank_of(self, record_id: int) -> int | None:
        """1-based position of ``record_id`` in this ranking, None if not in it."""
        index = self._index(record_id)
        return None if index is None else index + 1

    def probability_of(self, record_id: int) -> float | None:
        index = self._index(record_id)
        return None if index is None else self.probabilities[index]

    @property
    def trained(self) -> bool:
        return self.model_info.get("fallback") is None


def rank(
    features: Features,
    labels: Mapping[int, int],
    *,
    model: str = "default",
    query: str = "max",
    seed: int = 0,
    include_terms: Sequence[str] = (),
    exclude_terms: Sequence[str] = (),
    texts: Mapping[int, str] | None = None,
    presumed_irrelevant: int | None = None,
    probabilities: bool = True,
    previous: Ranking | None = None,
    n_records: int | None = None,
) -> Ranking:
    """Fit ``model`` on ``labels`` (record id → 1/0) and order every other record.

    ``probabilities=False`` skips calibration (simulations only need the order); the
    ranking then carries NaN probabilities unless the query strategy needs them.
    ``previous`` (the last ranking on the same features) warm-starts a solver that can use it;
    the minimiser is the same, only found sooner. ``n_records`` is the set's size that the model's
    settings follow, the count ``features`` were configured by (default: their rows; the session
    counts the records to screen, which leaves out duplicates set aside after the features were built).
    """
    started = time.perf_counter()
    n = len(features)
    labelled_ids, labelled_rows = features.known_rows(list(labels))
    y = np.fromiter(map(bool, map(labels.__getitem__, labelled_ids)), dtype=bool,
                    count=len(labelled_ids)).astype(np.int64)
    mask = np.ones(n, dtype=bool)
    mask[labelled_rows] = False
    candidates = np.flatnonzero(mask)
    rng = np.random.default_rng([seed, len(labelled_ids)])
    resolved = resolve_model(model)
    info: dict[str, Any] = {
        "engine": engine_version(resolved), "model": resolved, "query": query, "seed": seed,
        "n_labelled": len(labelled_ids), "n_included": int(y.sum()),
        "features": features.config.as_dict(),
    }
    set_size = n if n_records is None else n_records  # the size the model's settings switch on
    if presumed_irrelevant is None and small_set_loop(resolved, set_size):
        presumed_irrelevant = 0  # ASReview's loop on a small set (engine version 6): labelled rows only
    elif presumed_irrelevant is None:
        known_prevalence = y.sum() / n if n else 0.0
        presumed_irrelevant = PRESUMED_IRRELEVANT if known_prevalence < PRESUMED_IRRELEVANT_UNTIL else 0
        info["known_prevalence"] = round(float(known_prevalence), 4)
    if y.size and 0 < y.sum() < y.size and features.matrix.shape[1]:
        train_rows, train_y = labelled_rows, y
        if presumed_irrelevant and candidates.size:
            # Cormack & Grossman's BMI: a few random unlabelled records, presumed irrelevant
            # (true for most at screening prevalence), steady the first few fits.
            k = min(presumed_irrelevant, candidates.size // 2)
            extra = rng.choice(candidates, size=k, replace=False) if k else candidates[:0]
            train_rows = np.concatenate([labelled_rows, extra])
            train_y = np.concatenate([y, np.zeros(extra.size, dtype=np.int64)])
            info["presumed_irrelevant"] = int(extra.size)
        train = features.matrix[train_rows]
        train.has_sorted_indices = True  # row selection keeps each row's sorted column order
        classifier = make_model(resolved, seed, set_size)
        if isinstance(classifier, SvmModel):
            if previous is not None:
                classifier.start = previous.solution
            classifier.row_norms = features.squared_row_norms()[train_rows]
        classifier.fit(train, train_y)
        solution = getattr(classifier, "solution", None)
        if probabilities or query == "uncertainty":
            scores, probs_all = classifier.predict(features.matrix)
        else:
            scores, probs_all = classifier.scores(features.matrix), None
        ordered = order_candidates(scores, probs_all, candidates, query, rng)
        info["model_params"] = classifier.info()
        probs = probs_all[ordered].tolist() if probs_all is not None else [float("nan")] * ordered.size
    else:
        return fallback_ranking(features.ids, labels, seed=seed, query=query, model=resolved,
                                texts=texts, include_terms=include_terms,
                                exclude_terms=exclude_terms, started=started)
    order = tuple(features.id_array[ordered].tolist())
    seconds = time.perf_counter() - started
    info["seconds"] = round(seconds, 4)
    return Ranking(order=order, probabilities=tuple(probs),
                   model_info=info, n_labelled=len(labelled_ids), seconds=seconds, solution=solution)


def fallback_ranking(
    record_ids: Sequence[int],
    labels: Mapping[int, int],
    *,
    seed: int = 0,
    model: str = DEFAULT_MODEL,
    query: str = "max",
    texts: Mapping[int, str] | None = None,
    include_terms: Sequence[str] = (),
    exclude_terms: Sequence[str] = (),
    started: float | None = None,
) -> Ranking:
    """The queue before the model can learn: keyword prior if there are terms, else seeded random.

    The keyword prior sorts by distinct include terms minus distinct exclude terms found in
    the text; ties (and everything without terms) keep a seeded random order.
    """
    started = time.perf_counter() if started is None else started
    ordered = seeded_order(record_ids, labels, seed)
    kind = "seeded_random"
    if texts is not None and (include_terms or exclude_terms):
        include = [term_regex(t) for t in include_terms]
        exclude = [term_regex(t) for t in exclude_terms]
        hits = np.array([keyword_score(texts.get(int(r), ""), include, exclude) for r in ordered], dtype=float)
        ordered = ordered[np.argsort(-hits, kind="stable")]
        kind = "keyword_prior"
    seconds = time.perf_counter() - started
    info = {"engine": engine_version(model), "model": model, "query": query, "seed": seed,
            "n_labelled": len(labels), "n_included": int(sum(1 for v in labels.values() if v)),
            "fallback": kind, "seconds": round(seconds, 4)}
    if kind == "keyword_prior":  # which terms ordered the queue, so a decision's rank can be traced
        info["terms"] = {"include": list(include_terms), "exclude": list(exclude_terms)}
    return Ranking(order=tuple(ordered.tolist()), probabilities=tuple([float("nan")] * ordered.size),
                   model_info=info, n_labelled=len(labels), seconds=seconds)
