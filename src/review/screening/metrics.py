"""Screening performance metrics over the labels in screening order (priors removed).

Definitions (N records, R relevant, positions 1-based):

* ``wss(r)``: work saved over sampling at recall r (Cohen et al. 2006),
  (N − n_r)/N − (1 − r), with n_r the records screened until ⌈r·R⌉ relevant were found.
* ``recall_at(f)``: share of relevant found within the first ⌊f·N⌋ records.
* ``atd``: average time to discovery (Ferdinands et al. 2023): mean position of the relevant
  records divided by N.
* ``n_to_all``: records screened to find every relevant one (position of the last).
* ``loss``: normalised area between the perfect and actual recall curves (asreview-insights):
  (R·(N − (R−1)/2) − Σ cumulative relevant found) / (R·(N − R)); 0 perfect, 1 worst.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def _labels(ordered_labels: Sequence[int] | np.ndarray | np.ndarray) -> np.ndarray:
    labels = np.asarray(ordered_labels, dtype=np.int64)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError("metrics need a non-empty 1-D sequence of 0/1 labels")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return labels


def _positions(labels: np.ndarray) -> np.ndarray:
    return np.flatnonzero(labels) + 1


def records_to_recall(ordered_labels: Sequence[int] | np.ndarray, recall: float) -> int | None:
    """Records screened until ⌈recall·R⌉ relevant were found (None when R = 0)."""
    labels = _labels(ordered_labels)
    positions = _positions(labels)
    if positions.size == 0:
        return None
    needed = max(1, math.ceil(recall * positions.size - 1e-9))
    return int(positions[needed - 1])


def wss(ordered_labels: Sequence[int] | np.ndarray, recall: float = 0.95) -> float | None:
    labels = _labels(ordered_labels)
    n_r = records_to_recall(labels, recall)
    if n_r is None:
        return None
    return (labels.size - n_r) / labels.size - (1 - recall)


def recall_at(ordered_labels: Sequence[int] | np.ndarray, fraction: float = 0.10) -> float | None:
    labels = _labels(ordered_labels)
    total = int(labels.sum())
    if total == 0:
        return None
    cutoff = math.floor(fraction * labels.size + 1e-9)
    return float(labels[:cutoff].sum()) / total


def atd(ordered_labels: Sequence[int] | np.ndarray) -> float | None:
    labels = _labels(ordered_labels)
    positions = _positions(labels)
    if positions.size == 0:
        return None
    return float(positions.mean()) / labels.size


def n_to_all(ordered_labels: Sequence[int] | np.ndarray) -> int | None:
    return records_to_recall(ordered_labels, 1.0)


def loss(ordered_labels: Sequence[int] | np.ndarray) -> float | None:
    labels = _labels(ordered_labels)
    n, r = labels.size, int(labels.sum())
    if r == 0 or r == n:
        return None
    area = float(np.cumsum(labels).sum())
    return (r * (n - (r - 1) / 2) - area) / (r * (n - r))


def recall_curve(ordered_labels: Sequence[int] | np.ndarray) -> np.ndarray:
    """Recall after each screened record."""
    labels = _labels(ordered_labels)
    total = max(int(labels.sum()), 1)
    return np.cumsum(labels) / total


def all_metrics(ordered_labels: Sequence[int] | np.ndarray) -> dict[str, Any]:
    """Every metric under its stable JSON name."""
    labels = _labels(ordered_labels)
    return {
        "n_records": int(labels.size),
        "n_relevant": int(labels.sum()),
        "wss@95": wss(labels, 0.95),
        "wss@100": wss(labels, 1.0),
        "recall@10%": recall_at(labels, 0.10),
        "atd": atd(labels),
        "n_to_95%": records_to_recall(labels, 0.95),
        "n_to_all": n_to_all(labels),
        "loss": loss(labels),
    }
