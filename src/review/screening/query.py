"""Query strategies: the order in which unlabelled records are shown.

``max`` (default) shows the most likely relevant first, which finds relevant records
fastest; ``uncertainty`` shows the records the model is least sure about (better models,
slower discovery); ``mixed`` is ``max`` with a small seeded exploration share; ``random``
is the baseline and the sampling phase of the statistical stopping rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

QUERY_NAMES: tuple[str, ...] = ("max", "uncertainty", "mixed", "random")

#: Share of positions in the ``mixed`` order filled by a random unlabelled record.
EXPLORATION_SHARE = 0.05


def seeded_order(record_ids: Sequence[int], labels: Mapping[int, int], seed: int) -> np.ndarray:
    """The unlabelled records in the seeded random order a queue starts from before a model
    can learn (the keyword prior sorts it stably); seeded by the number of labels too."""
    candidates = np.asarray([r for r in record_ids if r not in labels], dtype=np.int64)
    return np.random.default_rng([seed, len(labels)]).permutation(candidates)


def order_candidates(
    scores: np.ndarray,
    probabilities: np.ndarray | None,
    candidates: np.ndarray,
    strategy: str,
    rng: np.random.Generator,
    *,
    exploration: float = EXPLORATION_SHARE,
) -> np.ndarray:
    """The ``candidates`` (row indices) in query order; ties keep row order (deterministic)."""
    if strategy not in QUERY_NAMES:
        raise ValueError(f"query {strategy!r}: expected one of {', '.join(QUERY_NAMES)}")
    candidates = np.asarray(candidates, dtype=np.int64)
    if candidates.size == 0:
        return candidates
    if strategy == "random":
        return rng.permutation(candidates)
    if strategy == "uncertainty":
        probs = probabilities if probabilities is not None else 1 / (1 + np.exp(-scores))
        key = np.abs(probs[candidates] - 0.5)
        return candidates[np.argsort(key, kind="stable")]
    ranked = candidates[np.argsort(-scores[candidates], kind="stable")]
    if strategy == "max":
        return ranked
    return _mix(ranked, rng, exploration)


#: Exploration only reshuffles the head of the queue; the rest is re-ranked long before.
MIX_HEAD = 500


def _mix(ranked: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """Insert a random later record at each head position chosen with probability ``share``."""
    order = list(ranked)
    n = len(order)
    head = min(n, MIX_HEAD)
    for position in np.flatnonzero(rng.random(head) < share):
        if position >= n - 1:
            break
        pick = int(rng.integers(position + 1, n))
        order.insert(int(position), order.pop(pick))
    return np.asarray(order, dtype=np.int64)
