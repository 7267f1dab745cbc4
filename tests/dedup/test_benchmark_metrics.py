"""The benchmark's metrics (pair P/R over the closure, ASySD record-level counts) and generator."""

from __future__ import annotations

from types import ModuleType

import pytest

from review.dedup.engine import deduplicate
from script_module import load_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/dedup.py", "dedup_benchmark")


def test_pair_and_record_metrics(bench: ModuleType) -> None:
    truth = ["a", "a", "a", "b", "c"]
    ids = ["r1", "r2", "r3", "r4", "r5"]
    # Predicted: {r1, r2} merged, r3 alone, r4 wrongly merged with r5.
    m = bench.score(truth, [0, 0, 2, 3, 3], ids)
    assert m["precision"] == pytest.approx(0.5) and m["recall"] == pytest.approx(1 / 3)
    assert m["false_merges"] == 1
    # Kept: r1, r3, r4. Group a: n=3, k=2 → 1 TN, 1 FN, 1 TP; b: k=1 → 1 TN; c: k=0 → 1 FP.
    assert m["rec_sensitivity"] == pytest.approx(1 / 2)
    assert m["rec_specificity"] == pytest.approx(2 / 3)
    # Cluster level: group a (the only true group of 2+) is split, so none found whole; of the
    # two merged clusters {r1, r2} holds one group only, {r4, r5} two.
    assert (m["true_groups"], m["groups_whole"], m["group_recall"]) == (1, 0, 0.0)
    assert (m["merged_clusters"], m["clusters_pure"], m["cluster_purity"]) == (2, 1, 0.5)
    whole = bench.score(truth, [0, 0, 0, 3, 4], ids)
    assert whole["group_recall"] == 1.0 and whole["cluster_purity"] == 1.0


def test_error_listing_names_false_merges_and_split_groups(bench: ModuleType) -> None:
    from review.records import Record

    titles = ["Exenatide in mice", "Exenatide in mice.", "Exenatide in rats", "Other", "Other again"]
    records = [Record(title=t, external_id=f"r{n + 1}") for n, t in enumerate(titles)]
    listing = bench.error_listing(records, ["a", "a", "a", "b", "c"], [0, 0, 2, 3, 3], borderline={(0, 2)})
    assert listing["false_merges"] == [{"records": ["r4", "r5"], "groups": ["b", "c"],
                                        "titles": ["Other", "Other again"]}]
    assert listing["split_groups"] == [{"group": "a", "clusters": [["r1", "r2"], ["r3"]],
                                        "borderline_pairs": 1, "titles": ["Exenatide in mice", "Exenatide in rats"]}]


def test_synthetic_generator_is_seeded_and_has_duplicates(bench: ModuleType) -> None:
    records, truth = bench.synthetic_records(400, seed=3)
    again, truth_again = bench.synthetic_records(400, seed=3)
    assert [r.title for r in records] == [r.title for r in again] and truth == truth_again
    assert len(records) == 400 and len(set(truth)) < 330
    result = deduplicate(records)
    labels = bench._closure(len(records), [list(c.members) for c in result.clusters], [])
    m = bench.score(truth, labels, [r.external_id for r in records])
    assert m["precision"] == 1.0 and m["recall"] > 0.97


def test_pooled_metrics_sum_counts_not_ratios(bench: ModuleType) -> None:
    small = bench.score(["a", "a", "b"], [0, 0, 2], ["r1", "r2", "r3"])  # 1 of 1 pair found
    large = bench.score(["a", "a", "a", "b"], [0, 0, 2, 3], ["r1", "r2", "r3", "r4"])  # 1 of 3
    p = bench.pooled([small, large])
    assert p["recall"] == pytest.approx(2 / 4) and p["precision"] == pytest.approx(1.0)
    assert p["records"] == 7 and p["false_merges"] == 0


def test_demo_corpus_records_carry_their_publication(bench: ModuleType) -> None:
    records, truth = bench.demo_records()
    assert len(records) == len(truth) > 2000
    assert len(set(truth)) < len(truth)  # the three databases overlap
    assert {r.source for r in records} == {"PubMed", "Embase", "PsycINFO"}
