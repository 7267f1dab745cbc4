"""benchmarks/dedup_queue.py: a fresh workspace's two dedup runs, the second changing nothing, each followed by
the borderline queue."""

from __future__ import annotations

import csv
from pathlib import Path

from script_module import load_script

from .test_shared_scale_benchmark import HEADER, ROWS


def test_first_run_writes_the_verdicts_and_the_re_run_none(tmp_path: Path) -> None:
    shared_scale = load_script("benchmarks/dedup_shared_scale.py", "dedup_shared_scale_for_queue")
    bench = load_script("benchmarks/dedup_queue.py", "dedup_queue_benchmark")
    with (tmp_path / "tiny.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    groups = shared_scale.shared_groups(tmp_path)
    (tmp_path / "run").mkdir()
    row = bench.measure(12, 3, groups, tmp_path / "run")
    first, again = row["runs"]
    assert row["records"] == 12
    assert first["changed"] >= 3 and again["changed"] == 0  # a duplicate pair in each of three copies
    for run in (first, again):
        assert 0 < run["engine_cpu"] <= run["run_dedup_cpu"] <= run["to_queue_cpu"]
        assert run["borderline_pairs"] == first["borderline_pairs"]
