"""benchmarks/screening_dev.py runs many simulations in one process (a pool worker, a size switch's two
candidates, screening_stopping.py): the engine's run after an installed candidate's must be the run a fresh
process makes. It was not: ``install`` swapped the engine's model factory, ranking and retrain schedule,
``install(None)`` left them swapped, and the engine's run was cached under the ``default`` key with the
previous candidate's model (review of ranking round 11, finding 1)."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from script_module import load_script
from shared_data import REPO_ROOT

SET_NAME = "constructed_two_topics"
LABEL = "label_included"
SEED = 3


def write_set(folder: Path) -> None:
    """160 records, 20 relevant: the relevant ones lean on their own words, all share common ones, so the
    model and the feedback blend each move the order."""
    rng = random.Random(11)
    common = [f"common{i}" for i in range(40)]
    topic = [f"topic{i}" for i in range(12)]
    with (folder / f"{SET_NAME}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", LABEL])
        for record in range(1, 161):
            relevant = record % 8 == 0
            words = rng.choices(common, k=25) + (rng.choices(topic, k=rng.randint(1, 5)) if relevant
                                                 else rng.choices(topic, k=rng.randint(0, 1)))
            rng.shuffle(words)
            writer.writerow([record, " ".join(words[:6]), " ".join(words[6:]), int(relevant)])


FRESH_RUN = """
import importlib.util, json, sys
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
spec = importlib.util.spec_from_file_location("screening_dev_fresh", {script!r})
dev = importlib.util.module_from_spec(spec)
sys.modules["screening_dev_fresh"] = dev
spec.loader.exec_module(dev)
dev.DATA_DIR = Path({data!r})
result = dev._simulated(None, {set_name!r}, {label!r}, {seed})[0]
print(json.dumps([int(r) for r in result.order]))
"""


def fresh_process_order(data: Path) -> list[int]:
    """The engine's order of the constructed set in a process that ran nothing before."""
    code = FRESH_RUN.format(benchmarks=str(REPO_ROOT / "benchmarks"), script=str(REPO_ROOT / "benchmarks/screening_dev.py"),
                            data=str(data), set_name=SET_NAME, label=LABEL, seed=SEED)
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_engines_run_after_an_installed_candidate_is_a_fresh_processs(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    dev = load_script("benchmarks/screening_dev.py", "screening_dev_bench")
    from review.screening import ranker
    from review.screening import simulate as simulate_module

    # Whatever this test leaves swapped goes back afterwards (other tests of this process use the engine).
    for module, name in ((ranker, "make_model"), (ranker, "order_candidates"), (simulate_module, "rank"),
                         (simulate_module, "_due")):
        monkeypatch.setattr(module, name, getattr(module, name))
    write_set(tmp_path)
    monkeypatch.setattr(dev, "DATA_DIR", tmp_path)
    fresh = fresh_process_order(tmp_path)
    # A candidate that swaps all four: its own model (naive Bayes), a retrain schedule of the harness and
    # the relevance-feedback blend of decision 0045.
    installed = dev.Candidate(model="nb", retrain="every-until:40", feedback="knn3", feedback_weight=0.5)
    candidate_order = [int(r) for r in dev._simulated(installed, SET_NAME, LABEL, SEED)[0].order]
    assert candidate_order != fresh  # (else the test could not tell the two apart)
    after = [int(r) for r in dev._simulated(None, SET_NAME, LABEL, SEED)[0].order]
    assert after == fresh


def test_a_cached_run_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 6: a run killed between writing and renaming leaves the cache as it was (here: an older row),
    no truncated JSON at the run's path and no partial file beside it."""
    dev = load_script("benchmarks/screening_dev.py", "screening_dev_bench")
    path = tmp_path / "dev" / "fingerprint-default-set-label_included-seed1.json"
    dev.write_cached(path, {"wss@95": 0.5, "labels": "0110"})
    assert json.loads(path.read_text()) == {"wss@95": 0.5, "labels": "0110"}
    assert path.stat().st_mode & 0o777 == 0o644

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(dev.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        dev.write_cached(path, {"wss@95": 0.7, "labels": "1" * 10_000})
    assert json.loads(path.read_text()) == {"wss@95": 0.5, "labels": "0110"}
    assert [p.name for p in path.parent.iterdir()] == [path.name]
