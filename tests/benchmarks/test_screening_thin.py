"""benchmarks/screening.py's ``--thin``: each set thinned at random as ``stopping_classifier.thinned_set`` thins it,
written as a CSV both engines read, the priors drawn on the thinned file (thin28)."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from review.screening.simulate import choose_priors, load_labelled_csv
from script_module import load_script

SET = "thin28_constructed"


@pytest.fixture(scope="module")
def screening() -> ModuleType:
    return load_script("benchmarks/screening.py", "screening_bench_thin")


@pytest.fixture(scope="module")
def stopping() -> ModuleType:
    return load_script("benchmarks/stopping_classifier.py", "stopping_classifier_bench_thin28")


@pytest.fixture()
def full_csv(tmp_path: Path, stopping: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Path:
    """120 records, 15 relevant, ids not in row order, a quoted abstract over two lines and an extra column."""
    rng = np.random.default_rng(5)
    folder = tmp_path / "sets"
    folder.mkdir()
    path = folder / f"{SET}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["record_id", "title", "abstract", "doi", "label_included"])
        for row, record_id in enumerate(rng.permutation(np.arange(500, 620))):
            words = rng.choice(["insulin", "knee", "glucose", "tendon", "gait", "bone"], size=12)
            abstract = " ".join(words[4:8]) + ",\n" + " ".join(words[8:])
            out.writerow([int(record_id), " ".join(words[:4]), abstract, f"10.1/{row}", int(row % 8 == 0)])
    monkeypatch.setattr(stopping.screening_dev, "DATA_DIR", folder)
    monkeypatch.setenv("REVIEW_BENCH_CACHE", str(tmp_path / "cache"))
    return path


def test_the_thinned_file_keeps_the_records_thinned_set_keeps(screening: ModuleType, stopping: ModuleType,
                                                               full_csv: Path, tmp_path: Path) -> None:
    for draw in (15, 16):
        written = screening.thinned_csv(full_csv, 0.7, draw, tmp_path / "thinned")
        assert written.name == f"{stopping.thinned_name(SET, 0.7, draw)}.csv"
        thinned = load_labelled_csv(written)
        kept, _ = stopping.thinned_set(SET, 0.7, draw)
        assert thinned.ids == kept.ids  # the same records, in the same (file) order
        assert thinned.labels == kept.labels
        whole = load_labelled_csv(full_csv)
        assert [thinned.fields[i] for i in range(len(thinned))] == \
            [whole.fields[whole.ids.index(r)] for r in thinned.ids]  # each row whole, the two-line abstract too
        with written.open(newline="", encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == ["record_id", "title", "abstract", "doi", "label_included"]
    assert not list((tmp_path / "thinned").glob("*.part"))


def test_a_thinning_that_keeps_too_few_relevant_records_is_refused(screening: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text("record_id,title,abstract,label_included\n"
                    + "".join(f"{i},t{i},a,{int(i == 1)}\n" for i in range(1, 40)), encoding="utf-8")
    with pytest.raises(SystemExit, match="fewer than two relevant"):
        screening.thinned_csv(path, 0.7, 15, tmp_path / "thinned")
    assert not (tmp_path / "thinned" / "few@thin70d15.csv").exists()


def test_asreview_reads_the_thinned_file_with_priors_drawn_on_it(screening: ModuleType, full_csv: Path,
                                                                 tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    written = screening.thinned_csv(full_csv, 0.7, 15, tmp_path / "thinned")
    thinned = load_labelled_csv(written)
    calls: list[list[str]] = []

    def fake_asreview(command: list[str], **_: Any) -> subprocess.CompletedProcess:
        calls.append(command)
        if "--version" in command:
            return subprocess.CompletedProcess(command, 0, "asreview 3.0.8\n", "")
        # ASReview's project: every row of the file it was given, labelled in file order
        with open(command[2], newline="", encoding="utf-8") as handle:
            n_rows = sum(1 for _ in csv.DictReader(handle))
        folder = Path(command[command.index("-o") + 1]).parent
        with sqlite3.connect(folder / "made.db") as conn:
            conn.execute("CREATE TABLE record (record_id INTEGER, dataset_row INTEGER)")
            conn.execute("CREATE TABLE results (record_id INTEGER)")
            conn.executemany("INSERT INTO record VALUES (?, ?)", [(r + 10, r) for r in range(n_rows)])
            conn.executemany("INSERT INTO results VALUES (?)", [(r + 10,) for r in range(n_rows)])
        with zipfile.ZipFile(command[command.index("-o") + 1], "w") as archive:
            archive.write(folder / "made.db", "results.db")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(screening, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(screening.shutil, "which", lambda _: "asreview")
    monkeypatch.setattr(screening.subprocess, "run", fake_asreview)
    run = screening.asreview_run(written, thinned, 3)
    simulate_command = calls[0]
    assert simulate_command[2] == str(written)  # the thinned file, not the full one
    priors = choose_priors(thinned, 3)
    assert run["priors"] == priors
    rows = simulate_command[simulate_command.index("--prior-idx") + 1:simulate_command.index("--seed")]
    assert [thinned.ids[int(r)] for r in rows] == priors  # rows of the thinned file
    assert run["order"] == thinned.ids
    assert (tmp_path / "cache" / f"{SET}@thin70d15-seed3-{'-'.join(map(str, priors))}.json").exists()
