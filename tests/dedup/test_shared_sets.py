"""Accuracy on the labelled development sets in ../shared/data/dedup (targets of issue 5).

Targets: no more than 1 false merge per 1,000 records, borderline pairs ≤ 2 % of records,
pair recall ≥ 0.99 from the automatic merges alone (borderline pairs are not merged), and
still ≥ 0.99 once the borderline pairs are reviewed. The pairs still missed are label
choices the rules do not follow on purpose: different abstracts on one supplement page
(ASySD) and a conference abstract with its journal article (SRA; see docs/dedup.md).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from review.dedup.cluster import build_clusters
from review.dedup.csvio import load_records_csv
from review.dedup.engine import deduplicate


def _pairs(labels: list[str] | list[int]) -> set[tuple[int, int]]:
    groups: dict[object, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    return {p for members in groups.values() for p in itertools.combinations(members, 2)}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["asysd_diabetes.csv", "sra_respiratory.csv"])
def test_shared_set_targets(name: str, shared) -> None:  # type: ignore[no-untyped-def]
    records = load_records_csv(shared("data", "dedup", name)).records
    truth = [r.extra["dup_group"] for r in records]
    result = deduplicate(records)
    canonical = result.cluster_of()
    predicted = [canonical[i] for i in range(len(records))]
    true_pairs, found = _pairs(truth), _pairs(predicted)

    by_cluster: dict[int, set[str]] = defaultdict(set)
    for i, c in enumerate(predicted):
        by_cluster[c].add(truth[i])
    false_merges = sum(len(groups) - 1 for groups in by_cluster.values())
    assert false_merges <= len(records) / 1000

    recall = len(true_pairs & found) / len(true_pairs)
    assert recall >= 0.99

    borderline = result.borderline
    assert len(borderline) <= 0.02 * len(records)
    # A reviewer answering every borderline pair correctly:
    edges = [(a, b, 1.0) for c in result.clusters for a, b in itertools.pairwise(c.members)]
    edges += [(p.left, p.right, 1.0) for p in borderline if truth[p.left] == truth[p.right]]
    reviewed = list(range(len(records)))
    for group in build_clusters(len(records), edges):
        for member in group:
            reviewed[member] = group[0]
    assert len(true_pairs & _pairs(reviewed)) / len(true_pairs) >= 0.99
