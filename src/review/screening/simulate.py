"""Replay screening on a fully labelled set: the benchmark and ``review simulate``.

Priors are drawn from the seed, then the engine ranks, the "reviewer" answers from the
labels, and the engine retrains after every answer (like a real session) until every
relevant record is found; the rest of the order is the final model's ranking. Metrics are
computed with the priors removed, as in the ASReview/SYNERGY benchmarks.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np

from ..csvcells import TABLE_DELIMITERS, read_csv_text
from ..errors import ImportFormatError
from . import metrics
from .features import FeatureConfig, Features, build_features
from .models import resolve_model, small_set_loop, uses_sklearn
from .ranker import engine_version, feature_config_for, rank
from .stopping_classifier import stop_finder
from .stopping import stopping_points

LABEL_COLUMN = "label_included"
ID_COLUMN = "record_id"


@dataclass(slots=True)
class LabelledSet:
    """Record ids, model texts ("title title abstract") and 0/1 labels of a labelled screening set; with the
    records' title and abstract when read from a file, for features that read the title otherwise (``texts_for``:
    once, or apart as engine version 8's default does)."""

    ids: list[int]
    texts: list[str]
    labels: dict[int, int]
    name: str = ""
    fields: list[dict[str, str]] | None = None  # per record: "title", "abstract"
    #: The file's encoding (``review.textdecode``): ``cp1252`` when it was not UTF-8.
    encoding: str = "utf-8"
    #: What reading the file warned of (a short last row read as it stands: ``CsvText.warnings``).
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def texts_for(self, config: FeatureConfig) -> list[str]:
        """The model texts with the title repeated as ``config`` says (``texts`` where it says "title title
        abstract"; otherwise built from the fields)."""
        from .features import record_text

        if config.title_repeats == 2 and not config.title_apart:
            return self.texts
        if self.fields is None:
            raise ValueError("texts with the title repeated otherwise need the records' fields (load_labelled_csv keeps them)")
        return [record_text(f, config.title_repeats, config.title_apart) for f in self.fields]


def load_labelled_csv(path: Path) -> LabelledSet:
    """Read ``record_id,title,abstract,...,label_included`` (extra columns are ignored)."""
    from .features import record_text

    path = Path(path)
    # ';' or tabs between the cells where the header says so (Dutch Excel's "CSV", SPSS), as review dedup and meta read
    csv_text = read_csv_text(path, f"{ID_COLUMN}, title, abstract, {LABEL_COLUMN}", delimiters=TABLE_DELIMITERS)
    ids: list[int] = []
    texts: list[str] = []
    fields: list[dict[str, str]] = []
    labels: dict[int, int] = {}
    columns, rows = csv_text.dict_rows()
    header_line = f"line {csv_text.header_number}"  # (below Excel's sep= line: 2)
    for needed in (ID_COLUMN, LABEL_COLUMN):
        if needed not in columns:
            raise ImportFormatError(path, header_line, f"missing column {needed!r}{csv_text.missing_column_note()}")
    if "title" not in columns and "abstract" not in columns:
        raise ImportFormatError(path, header_line, f"needs a 'title' or 'abstract' column{csv_text.missing_column_note()}")
    for line, row in rows:
        try:
            record_id = int(row[ID_COLUMN])
        except (TypeError, ValueError):
            raise ImportFormatError(path, f"line {line}", f"{ID_COLUMN} {row[ID_COLUMN]!r} is not an integer") from None
        value = (row[LABEL_COLUMN] or "").strip()
        if value not in ("0", "1"):
            # (a warning is there only once the last row is read: a short one, which may be cut off)
            cut = " (the file ends inside this row, no line break after it: cut off?)" if csv_text.warnings else ""
            raise ImportFormatError(path, f"line {line}", f"{LABEL_COLUMN} {value!r} is not 0 or 1{cut}")
        if record_id in labels:
            raise ImportFormatError(path, f"line {line}", f"duplicate {ID_COLUMN} {record_id}")
        ids.append(record_id)
        fields.append({"title": row.get("title") or "", "abstract": row.get("abstract") or ""})
        texts.append(record_text(fields[-1]))
        labels[record_id] = int(value)
    if not ids:
        raise ImportFormatError(path, None, "no records")
    if sum(labels.values()) == 0:
        raise ImportFormatError(path, LABEL_COLUMN, "no record is labelled 1; nothing to find")
    return LabelledSet(ids=ids, texts=texts, labels=labels, name=path.stem, fields=fields, encoding=csv_text.encoding,
                       warnings=tuple(csv_text.warnings))


def choose_priors(data: LabelledSet, seed: int, n_included: int = 1, n_excluded: int = 1) -> list[int]:
    """Prior record ids drawn from the seed: included ones first, in id order per class."""
    rng = np.random.default_rng(seed)
    relevant = sorted(r for r in data.ids if data.labels[r] == 1)
    irrelevant = sorted(r for r in data.ids if data.labels[r] == 0)
    if n_included > len(relevant) or n_excluded > len(irrelevant):
        raise ValueError("more priors requested than the set has records of that class")
    chosen_inc: Sequence[int] | np.ndarray = rng.choice(relevant, size=n_included, replace=False) if n_included else []
    chosen_exc: Sequence[int] | np.ndarray = rng.choice(irrelevant, size=n_excluded, replace=False) if n_excluded else []
    return [int(r) for r in chosen_inc] + [int(r) for r in chosen_exc]


@dataclass(slots=True)
class SimulationResult:
    """What ``review simulate`` writes as JSON (names are a stable interface)."""

    dataset: str
    seed: int
    model: str
    query: str
    priors: list[int]
    order: list[int]
    metrics: dict[str, Any]
    stopping: dict[str, Any]
    timings: dict[str, Any]
    model_info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "review.simulation/1",
            "dataset": self.dataset,
            "seed": self.seed,
            "model": self.model,
            "query": self.query,
            "engine": engine_version(self.model),
            "n_records": len(self.order),
            "priors": self.priors,
            "order": self.order,
            "metrics": self.metrics,
            "stopping": self.stopping,
            "timings": self.timings,
            "model_info": self.model_info,
        }


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _without_sklearn_input_checks(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``function`` with scikit-learn's per-call checks off (parameter validation, NaN scan).

    A simulation fits a few hundred times with constant parameters on a finite TF-IDF matrix;
    the checks cost ~0.3 ms a fit and change no result (same order, tests/screening). A model
    that fits without scikit-learn does not import it (over a second of the command).
    """

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        model = kwargs.get("model", "default")
        if not uses_sklearn(model if isinstance(model, str) else "default"):
            return function(*args, **kwargs)
        import sklearn

        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return function(*args, **kwargs)

    return wrapper


@_without_sklearn_input_checks
def simulate(
    data: LabelledSet,
    *,
    seed: int = 0,
    prior_included: int = 1,
    prior_excluded: int = 1,
    model: str = "default",
    query: str = "max",
    features: Features | None = None,
    feature_config: FeatureConfig | None = None,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    retrain: str | int = "engine",
    presumed_irrelevant: int | None = None,
    classifier_stop: bool = True,
) -> SimulationResult:
    """Screen ``data`` with the engine, answering from its labels.

    ``retrain="adaptive"`` retrains after every relevant record and otherwise once the
    irrelevant labels since the last fit reach 2 % of the labelled set (so every label
    early on, every 10th at 500 labelled); an integer retrains every that many labels;
    ``"engine"`` (the default) is the model's own schedule: after every label where it runs
    ASReview's loop (the default SVM on a set below 1,000 records, engine versions 6 to 8), else adaptive.
    ``classifier_stop=False`` leaves ``relevance_rate_classifier`` out of ``stopping`` (its checks refit the
    model on the finished order): for a harness that reads only the order and metrics and times the run.
    """
    if retrain == "engine":
        retrain = 1 if small_set_loop(model, len(data)) else "adaptive"
    started = time.perf_counter()
    if features is None:
        config = feature_config or feature_config_for(model, len(data))
        features = build_features(data.ids, data.texts_for(config), config)
    feature_seconds = features.build_seconds
    priors = choose_priors(data, seed, prior_included, prior_excluded)
    labels: dict[int, int] = {r: data.labels[r] for r in priors}
    order: list[int] = list(priors)
    total_relevant = sum(data.labels.values())
    found = sum(labels.values())
    retrain_seconds: list[float] = []
    ranking = None
    queue: list[int] = []
    since_fit, last_relevant = 0, False
    while len(order) < len(data) and found < total_relevant:
        if not queue or _due(retrain, since_fit, len(labels), last_relevant):
            ranking = rank(features, labels, model=model, query=query, seed=seed,
                           presumed_irrelevant=presumed_irrelevant, probabilities=False, previous=ranking)
            retrain_seconds.append(ranking.seconds)
            queue = list(reversed(ranking.order))
            since_fit = 0
        record_id = queue.pop()
        order.append(record_id)
        labels[record_id] = data.labels[record_id]
        found += labels[record_id]
        since_fit += 1
        last_relevant = bool(labels[record_id])
    if len(order) < len(data):
        # Every relevant record is found: the rest of the order cannot change any metric.
        ranking = rank(features, labels, model=model, query=query, seed=seed,
                       presumed_irrelevant=presumed_irrelevant, probabilities=False, previous=ranking)
        retrain_seconds.append(ranking.seconds)
        order.extend(ranking.order)
    order_labels = [data.labels[r] for r in order]
    result_metrics = metrics.all_metrics(order_labels[len(priors):])
    classifier = stop_finder(features.matrix, features.rows(order), order_labels, n_priors=len(priors), model=model,
                             seed=seed, target_recall=target_recall, confidence=confidence) if classifier_stop else None
    stops = stopping_points(order_labels, n_priors=len(priors), seed=seed, target_recall=target_recall,
                            confidence=confidence, classifier=classifier)
    timings = {
        "feature_build_s": round(feature_seconds, 4),
        "retrain_s": [round(s, 5) for s in retrain_seconds],
        "retrain_p50_s": _quantile(retrain_seconds, 0.5),
        "retrain_p95_s": _quantile(retrain_seconds, 0.95),
        "n_retrains": len(retrain_seconds),
        "total_s": round(time.perf_counter() - started, 3),
    }
    return SimulationResult(
        dataset=data.name, seed=seed, model=resolve_model(model),
        query=query, priors=priors, order=order, metrics=result_metrics, stopping=stops,
        timings=timings, model_info=dict(ranking.model_info) if ranking else {},
    )


#: The adaptive schedule refits after every relevant record, else once this share of the labelled
#: records has been added since the last fit.
ADAPTIVE_SHARE = 0.02


def _due(retrain: str | int, since_fit: int, n_labelled: int, last_relevant: bool) -> bool:
    if retrain == "adaptive":
        return last_relevant or since_fit >= max(1, int(ADAPTIVE_SHARE * n_labelled))
    return since_fit >= int(retrain)


def _quantile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.quantile(values, q)), 5) if values else None
