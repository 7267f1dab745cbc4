"""A made-up labelled set for the tests of benchmarks/screening_dev.py's candidates."""

from __future__ import annotations

from typing import Any

import pytest


def made_up_set(dev: Any, monkeypatch: pytest.MonkeyPatch, texts: list[str], n_records: int = 2000) -> None:
    """Make ``dev`` (the loaded harness) read ``texts`` as every set, all irrelevant, sized as ``n_records``
    (2,000: the large-set settings), with its feature cache emptied."""
    ids = list(range(1, len(texts) + 1))
    monkeypatch.setattr(dev, "load_task", lambda path, label, title_weight: dev.LabelledSet(
        ids=ids, texts=texts, labels={i: 0 for i in ids}))
    monkeypatch.setattr(dev, "_n_records", lambda set_name: n_records)
    monkeypatch.setattr(dev, "_FEATURES", {})
