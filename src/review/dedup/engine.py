"""``deduplicate``: plain records in, clusters and borderline pairs out (no store needed).

The CSV benchmark mode and the workspace mode both call this, so they cannot drift apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..records import Record
from .blocking import candidate_pairs
from .cluster import UnionFind, build_clusters, choose_canonical
from .prepare import Prepared, prepare
from .rules import BORDERLINE, DISTINCT, DUPLICATE, RELATED, Decisions, Thresholds, decide, explain_pairs
from .scoring import PairFeatures, RecordColumns, score_pairs

#: ``progress(stage, done, total)``; stages: normalise, block, score, cluster.
Progress = Callable[[str, int, int], None]

#: Bump when normalisation, blocking or rules change: stored runs record it.
ALGORITHM_VERSION = "30"
#: Candidate pairs are scored and decided this many at a time. A chunk's features and points (about 360 bytes a
#: pair) go once its pairs that are not distinct and its cannot-links are kept: all 850,000 pairs of 50,000
#: records at once held 300 MB. Each pair's verdict is the same in any chunk (every test is pair by pair).
CHUNK_PAIRS = 100_000


@dataclass(frozen=True, slots=True)
class PairResult:
    """A scored candidate pair (indices into the input list, ``left < right``)."""

    left: int
    right: int
    status: str  # duplicate | borderline | related
    score: float
    fields: dict[str, float | int | bool]
    explanation: str


@dataclass(frozen=True, slots=True)
class Cluster:
    """Records judged to be one publication; ``canonical`` is one of ``members``."""

    members: tuple[int, ...]
    canonical: int
    explanation: str


@dataclass(slots=True)
class DedupResult:
    records: Sequence[Record]
    pairs: list[PairResult]
    clusters: list[Cluster]
    #: Pairs known to be distinct that links could otherwise join; never merged across.
    cannot_links: list[tuple[int, int]]
    n_candidates: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    #: Publication kind of every record (article, erratum, comment, …), as the rules saw it.
    kinds: list[str] = field(default_factory=list)

    @property
    def borderline(self) -> list[PairResult]:
        return [p for p in self.pairs if p.status == BORDERLINE]

    @property
    def related(self) -> list[PairResult]:
        """Notice or comment and the record it is about, linked but not merged (``related="link"``)."""
        return [p for p in self.pairs if p.status == RELATED]

    @property
    def duplicates(self) -> list[PairResult]:
        return [p for p in self.pairs if p.status == DUPLICATE]

    def cluster_of(self) -> dict[int, int]:
        """Index → index of its cluster's canonical record (itself when alone)."""
        out = {i: i for i in range(len(self.records))}
        for cluster in self.clusters:
            for member in cluster.members:
                out[member] = cluster.canonical
        return out


def deduplicate(records: Sequence[Record], *, progress: Progress | None = None,
                thresholds: Thresholds | None = None, related: str = "link") -> DedupResult:
    """Find duplicate clusters, borderline pairs and related records among ``records``.

    ``related`` is ``[dedup] related``: "link" keeps errata, retraction notices and comments
    apart from their article (as RELATED pairs), "merge" joins them to its cluster.
    ``thresholds`` exist for the benchmark's cross-validation; every shell uses the defaults.
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    prep = prepare(records, progress)
    seconds["normalise"] = time.perf_counter() - start

    mark = time.perf_counter()
    pairs = candidate_pairs(prep)
    seconds["block"] = time.perf_counter() - mark
    if progress is not None:
        progress("block", len(pairs), len(pairs))

    mark = time.perf_counter()
    columns = RecordColumns(prep)
    results: list[PairResult] = []
    cannot_chunks: list[np.ndarray] = [np.empty((0, 2), dtype=np.int32)]
    for begin in range(0, len(pairs), CHUNK_PAIRS):
        kept, cannot_link = _score_chunk(prep, pairs[begin:begin + CHUNK_PAIRS], columns, thresholds, related)
        results += kept
        cannot_chunks.append(cannot_link)
        if progress is not None:
            progress("score", min(begin + CHUNK_PAIRS, len(pairs)), len(pairs))
    del columns  # its author-name tables and columns are not needed for the clusters
    seconds["score"] = time.perf_counter() - mark
    if progress is not None and not len(pairs):
        progress("score", 0, 0)

    mark = time.perf_counter()
    cannot = _relevant_cannot_links(len(records), results, np.concatenate(cannot_chunks))
    clusters = clusters_from_pairs(records, results, cannot)
    seconds["cluster"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - start
    return DedupResult(records=records, pairs=results, clusters=clusters, cannot_links=cannot,
                       n_candidates=len(pairs), seconds=seconds, kinds=list(prep.kind))


def _score_chunk(prep: Prepared, pairs: np.ndarray, columns: RecordColumns, thresholds: Thresholds | None,
                 related: str) -> tuple[list[PairResult], np.ndarray]:
    """The pairs of ``pairs`` that are not distinct, and its cannot-links as an ``(n, 2)`` array (int32: most
    candidate pairs are cannot-links, 850,000 at 50,000 records)."""
    features = score_pairs(prep, pairs, columns)
    decisions = decide(prep, features, thresholds, related, columns)
    cannot_link = np.stack([features.left[decisions.cannot_link], features.right[decisions.cannot_link]],
                           axis=1).astype(np.int32)
    return _pair_results(prep, features, decisions), cannot_link


def _pair_results(prep: Prepared, features: PairFeatures, decisions: Decisions) -> list[PairResult]:
    which = np.nonzero(decisions.status != DISTINCT)[0]
    explanations = explain_pairs(prep, features, decisions, which)
    fields = features.rows(which)
    return [
        PairResult(left=int(features.left[k]), right=int(features.right[k]),
                   status=str(decisions.status[k]), score=round(float(decisions.score[k]), 2),
                   fields=row, explanation=why)
        for k, row, why in zip(which.tolist(), fields, explanations)
    ]


def _relevant_cannot_links(n: int, results: Sequence[PairResult], cannot_links: np.ndarray) -> list[tuple[int, int]]:
    """Of the ``(n_pairs, 2)`` cannot-links, those between records that duplicate or borderline pairs could
    bring together.

    Only those can ever stop a merge, so only those are kept (and stored in a workspace).
    """
    uf = UnionFind(n)
    for pair in results:
        uf.union(pair.left, pair.right)
    # Compared as arrays: most candidate pairs are cannot-links (850,000 at 50,000 records), as Python ints 60 MB.
    roots = np.fromiter((uf.find(i) for i in range(n)), dtype=np.int64, count=n)
    left, right = cannot_links[:, 0], cannot_links[:, 1]
    same = roots[left] == roots[right]
    return list(zip(left[same].tolist(), right[same].tolist()))


def clusters_from_pairs(records: Sequence[Record], pairs: Sequence[PairResult],
                        cannot_links: Sequence[tuple[int, int]]) -> list[Cluster]:
    """Clusters over the duplicate pairs only; borderline pairs stay apart until a human says."""
    edges = [(p.left, p.right, p.score) for p in pairs if p.status == DUPLICATE]
    groups = build_clusters(len(records), edges, cannot_links)
    out = []
    for members in groups:
        canonical, why = choose_canonical(members, records)
        out.append(Cluster(members=tuple(members), canonical=canonical, explanation=why))
    return out
