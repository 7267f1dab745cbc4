"""The probe corpus and a bounded, seeded mutation fuzzer over every reader: no traceback, no
malformed record stored silently, every refusal one line naming the file."""

from __future__ import annotations

import pytest

from review.sources import read_file
from .probe_corpus import MUST_READ, PROBES, SEEDS, classify, mutants

#: Mutants per run: a few seconds under CI (the benchmark runs 1,600).
N_MUTANTS = 240
SEED = 21


@pytest.mark.parametrize("name", sorted(PROBES))
def test_probe_is_refused_cleanly_or_read_sanely(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(PROBES[name])
    outcome = classify(read_file, path)
    assert outcome == ("read" if name in MUST_READ else "refused"), outcome


def test_seeds_read():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        for name, data in SEEDS.items():
            path = Path(folder) / name
            path.write_bytes(data)
            assert classify(read_file, path) == "read", name


def test_seeded_mutants_never_traceback_or_store_malformed_records(tmp_path):
    bad = {}
    for name, data in mutants(N_MUTANTS, SEED):
        path = tmp_path / name
        path.write_bytes(data)
        outcome = classify(read_file, path)
        if outcome not in ("read", "refused"):
            bad[name] = outcome
    assert not bad, f"{len(bad)} of {N_MUTANTS}: {dict(list(bad.items())[:5])}"
