"""The benchmark's metrics (pair P/R over the closure, ASySD record-level counts) and generator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
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


_LABELLED = ("record_id,dup_group,title,authors,year,journal,volume,issue,pages,doi,abstract\n"
             "r1,g1,Exenatide in mice,Smith J,2014,J Biol,3,1,1-5,10.1/abc,\n"
             "r2,g1,Exenatide in mice.,Smith J,2014,J Biol,3,1,1-5,10.1/abc,\n"
             "r3,g2,Other study of rats,Jones K,2015,Lancet,4,2,9-12,,\n")


@pytest.mark.parametrize("kind", ["lacking", "missing"])
def test_a_bib_dedupe_python_that_cannot_run_it_is_said_in_one_line(
        bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    # --bib-dedupe-python naming a Python without bib-dedupe ran bib_dedupe_run.py there: two tracebacks.
    python = tmp_path / "python"
    if kind == "lacking":  # this Python without its site-packages: no bib-dedupe, whatever is installed
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -S "$@"\n', encoding="utf-8")
        python.chmod(0o755)
    labelled = tmp_path / "tiny.csv"
    labelled.write_text(_LABELLED, encoding="utf-8")
    bench.main([str(labelled), "--generalise", "--no-demo", "--seeds", "1", "--bib-dedupe-python", str(python)])
    out = capsys.readouterr()
    said = [line for line in out.out.splitlines() if line.startswith("bib-dedupe")]
    expected = (f"bib-dedupe: not installed in {python} (ModuleNotFoundError: No module named 'bib_dedupe'); "
                f"{python} -m pip install bib-dedupe" if kind == "lacking"
                else f"bib-dedupe: not run: cannot run --bib-dedupe-python {python} (No such file or directory)")
    assert said == [expected], out.out
    assert "Traceback" not in out.err
    result = json.loads(out.out.splitlines()[-1])["generalise"]
    assert result["drift"] and {row["tool"] for row in result["drift"]} == {"review"}  # the run went on without it
