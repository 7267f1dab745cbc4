"""benchmarks/stopping_classifier.py's ``--candidate``: the classifier's evidence collected on a ranking candidate's
orders and rows (screening_dev.py's), stored apart from the engine's, its size switch resolved as ``--src-stopping``
resolves it, so that the stopping walks can be read on a candidate's runs as on the engine's."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from script_module import load_script

SET = "stopdiag_constructed"
TOPIC = ["insulin", "glucose", "metformin", "glycaemic", "sulfonylurea", "hba1c", "beta-cell", "type-2"]
OTHER = ["knee", "cartilage", "tendon", "x-ray", "bone", "gait", "fracture", "ankle", "hip", "muscle", "spine",
         "injury", "rehab", "brace", "joint", "pain"]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench_candidate")


def write_set(folder: Path, n: int = 120, relevant: int = 14) -> None:
    """A labelled set of ``n`` records whose first ``relevant`` share hyphenated topic words (split by ASReview's
    tokens, kept whole by engine 6's), the rest words of another topic; seeded, so both engines rank differently."""
    rng = np.random.default_rng(7)
    with (folder / f"{SET}.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["record_id", "title", "abstract", "label_included"])
        for i in range(n):
            pool = TOPIC + OTHER[:4] if i < relevant else OTHER + TOPIC[:2]
            words = rng.choice(pool, size=int(rng.integers(12, 30)))
            out.writerow([i + 1, " ".join(words[:5]), " ".join(words[5:]), int(i < relevant)])


@pytest.fixture()
def store(bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_set(tmp_path)
    monkeypatch.setattr(bench.screening_dev, "DATA_DIR", tmp_path)
    monkeypatch.setenv("REVIEW_BENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "stopping-clf"


def first_check(path: Path) -> tuple[int, np.ndarray, np.ndarray]:
    """The first stored check of a run: where, the order's labels, and the scores stored there."""
    with np.load(path) as z:
        return int(z["checks"][0]), np.asarray(z["labels"]), np.asarray(z["scores"][0], dtype=float)


def evidence_on(bench: ModuleType, features: object, order: list[int], labels: np.ndarray, at: int) -> np.ndarray:
    """The classifier's scores at check ``at`` (out-of-fold for the screened, the full fit's for the rest) on
    ``features``' rows, as collect computes them."""
    evidence = bench.classifier_evidence(features, order[:at], labels[:at], 3, order[at:])
    assert evidence is not None
    return np.concatenate(evidence)


def test_a_candidates_evidence_is_fitted_on_its_rows_and_stored_apart(bench: ModuleType, store: Path) -> None:
    bench.collect([SET], [3], window_past=0.3, candidate="asr-wpan+mindf2-all")
    bench.collect([SET], [3], window_past=0.3)
    mine = store / f"c-asr-wpan+mindf2-all-{SET}-seed3.npz"
    assert mine.exists() and (store / f"e{bench.ENGINE_VERSION}-{SET}-seed3.npz").exists()
    with np.load(mine) as z:
        assert str(z["candidate"]) == "asr-wpan+mindf2-all"
    at, labels, stored = first_check(mine)
    result, data, rows = bench.candidate_run("asr-wpan+mindf2-all", SET, 3)
    order = list(result.order)
    assert np.array_equal(labels, [data.labels[r] for r in order])
    assert np.allclose(stored, evidence_on(bench, rows, order, labels, at), atol=1e-5)
    _, engine_rows = bench.screening_dev.candidate_features(None, SET, "label_included")
    assert not np.allclose(stored, evidence_on(bench, engine_rows, order, labels, at), atol=1e-3)  # tells them apart


def test_the_size_switch_reads_the_engines_rows_below_1000_records(bench: ModuleType, store: Path) -> None:
    _, _, switched = bench.candidate_run("asr-wpan+mindf2", SET, 3)
    _, _, large = bench.candidate_run("asr-wpan+mindf2-all", SET, 3)
    _, engine = bench.screening_dev.candidate_features(None, SET, "label_included")
    assert switched.matrix.shape == engine.matrix.shape and (switched.matrix != engine.matrix).nnz == 0
    assert large.matrix.shape[1] != engine.matrix.shape[1]  # ASReview's tokens at min_df 2: other columns


def test_score_reads_the_candidates_file(bench: ModuleType, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench.collect([SET], [3], with_src=True, window_past=0.3, candidate="asr-wpan+mindf2-all")
    capsys.readouterr()
    bench.score([SET], [3], ["lomax-burnin", "src"], per_set=False, candidate="asr-wpan+mindf2-all")
    captured = capsys.readouterr()
    assert "missing" not in captured.err
    line = json.loads(captured.out.split("BENCH ", 1)[1])
    assert line["candidate"] == "asr-wpan+mindf2-all" and line["summary"]["lomax-burnin"]["runs"] == 1
