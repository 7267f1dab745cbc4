"""Small labelled subsets of the shared screening sets, so the tests stay fast."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from review.screening import ranker
from review.screening import simulate as simulate_module
from review.screening.features import build_features
from review.screening.models import _balanced_weights
from review.screening.simulate import load_labelled_csv
from shared_data import shared_path

#: The engine functions benchmarks/screening_dev.py's ``install`` and ``_use_feedback`` replace in the process that
#: runs a candidate (its ``_simulated`` puts them back before a run, not after).
_ENGINE_FUNCTIONS = ((ranker, "make_model"), (ranker, "order_candidates"), (simulate_module, "rank"),
                     (simulate_module, "_due"))


@pytest.fixture(autouse=True)
def _engine_functions_put_back() -> Iterator[None]:
    """Every test ends with the engine's own functions: a harness test that ran a candidate left its model
    factory installed, and test_session's engine-6 tests that ran after it in the same worker fitted C 0.3."""
    saved = [(module, name, getattr(module, name)) for module, name in _ENGINE_FUNCTIONS]
    yield
    for module, name, function in saved:
        setattr(module, name, function)


def subset_rows(name: str, n_relevant: int, n_irrelevant: int) -> list[dict[str, str]]:
    """The first relevant and irrelevant rows of a shared set (file order is already shuffled)."""
    path = shared_path("data", "screening", f"{name}.csv")
    relevant, irrelevant = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            bucket = relevant if row["label_included"] == "1" else irrelevant
            limit = n_relevant if bucket is relevant else n_irrelevant
            if len(bucket) < limit:
                bucket.append(row)
    rows = relevant + irrelevant
    rows.sort(key=lambda r: int(r["record_id"]))
    return rows


def fit_problem(csv_path: Path, n_rows: int, seed: int) -> tuple:
    """Rows of a labelled CSV as an SVM fit sees them: its first 3 relevant plus ``n_rows`` drawn at
    random, their labels, and the balanced sample weights."""
    data = load_labelled_csv(csv_path)
    features = build_features(data.ids, data.texts)
    rng = np.random.default_rng(seed)
    relevant = [i for i, r in enumerate(data.ids) if data.labels[r]]
    rows = np.concatenate([relevant[:3], rng.choice(len(data), size=n_rows, replace=False)])
    y = np.array([data.labels[data.ids[i]] for i in rows], dtype=np.int64)
    return features.matrix[rows], y, _balanced_weights(y)


@pytest.fixture
def subset():
    return subset_rows


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """200 records (10 relevant) from the nudging set as a labelled CSV."""
    rows = subset_rows("nagtegaal2019_nudging", 10, 190)
    out = tmp_path / "small.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out
