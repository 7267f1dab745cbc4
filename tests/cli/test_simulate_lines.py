"""``review simulate``'s stop lines keep their three columns (a stable interface, docs/interfaces.md); one
stderr note after them says that their count and recall include the priors, which its metric lines leave out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from review.cli import main

RULES = ("relevance_rate", "relevance_rate_lomax", "relevance_rate_classifier", "consecutive_irrelevant", "knee",
         "statistical")


def _labelled_csv(path: Path, n: int = 90, relevant_every: int = 9) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for i in range(n):
            relevant = i % relevant_every == 0
            # A third of the relevant records read as the irrelevant ones do: some stop before finding them,
            # so a recall with the priors' finds differs from one without.
            hidden = relevant and i % (3 * relevant_every) == 2 * relevant_every
            topic = "recurrent sickness absence depression workers" if relevant and not hidden \
                else f"knee surgery trial {i % 7}"
            writer.writerow([i + 1, f"{topic} study {i}", f"We studied {topic} in cohort {i}.", int(relevant)])
    return path


NOTE = "note: the stop lines count the 5 priors (2 relevant) as screened; the metrics leave them out"


def test_stop_lines_keep_three_columns_and_one_stderr_note_says_they_count_the_priors(tmp_path: Path) -> None:
    data_csv, out = _labelled_csv(tmp_path / "set.csv"), tmp_path / "sim.json"
    result = CliRunner().invoke(main, ["simulate", str(data_csv), "--seed", "2", "--prior-included", "2",
                                       "--prior-excluded", "3", "--model", "logistic", "--json", str(out)])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert NOTE not in result.stdout
    assert result.stderr.splitlines().count(NOTE) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert lines["n_records"] == "85" == str(data["metrics"]["n_records"])  # the 5 priors left out
    assert data["n_records"] == 90
    relevant = {i + 1 for i in range(90) if i % 9 == 0}
    partial = 0  # stops short of every relevant record: there a recall without the priors' finds would differ
    for rule in RULES:
        count, recall = lines[f"stop:{rule}"].split("\t")  # three columns: name, count, recall
        point = data["stopping"][rule]
        if point["n_screened"] is None:
            assert (count, recall) == ("-", "recall -")
            continue
        assert count == str(point["n_screened"])
        # What the note claims: the count runs from the first prior, and the recall counts the priors' finds.
        found = sum(record in relevant for record in data["order"][:point["n_screened"]])
        assert recall == f"recall {found / len(relevant):.4f}"
        partial += found < len(relevant)
    assert partial > 0


def test_no_note_without_priors_and_json_on_stdout_keeps_the_lines_on_stderr(tmp_path: Path) -> None:
    data_csv = _labelled_csv(tmp_path / "set.csv")
    bare = CliRunner().invoke(main, ["simulate", str(data_csv), "--prior-included", "0", "--prior-excluded", "0",
                                     "--model", "logistic", "--json", str(tmp_path / "sim.json")])
    assert bare.exit_code == 0, bare.output
    assert "note:" not in bare.output
    assert len([line for line in bare.stdout.splitlines() if line.startswith("stop:")]) == 7
    piped = CliRunner().invoke(main, ["simulate", str(data_csv), "--seed", "2", "--prior-included", "2",
                                      "--prior-excluded", "3", "--model", "logistic", "--json", "-"])
    assert piped.exit_code == 0, piped.output
    json.loads(piped.stdout)  # stdout is the JSON alone
    stderr = piped.stderr.splitlines()
    stops = [i for i, line in enumerate(stderr) if line.startswith("stop:")]
    assert stderr.count(NOTE) == 1 and stderr.index(NOTE) == stops[-1] + 1  # after the stop lines
