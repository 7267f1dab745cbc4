"""``review simulate FILE.csv`` reads a ``;``-separated labelled set (Dutch Excel's "CSV") as its comma-separated twin,
by the one sniff of ``review meta``, ``dedup`` and ``validate`` (``csvcells.sniff_delimiter``): the same order and
metrics."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from review.cli import main


def _labelled(path: Path, delimiter: str, n: int = 60) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for i in range(n):
            relevant = i % 6 == 0
            topic = "sickness absence, depression; return to work" if relevant else f"knee surgery; trial {i % 5}"
            writer.writerow([i + 1, f"{topic}, study {i}", f"We studied {topic} in cohort {i}; 2,5 years.",
                             int(relevant)])
    return path


def _simulated(tmp_path: Path, folder: str, delimiter: str) -> tuple[dict[str, object], list[str]]:
    (tmp_path / folder).mkdir()
    source, out = _labelled(tmp_path / folder / "set.csv", delimiter), tmp_path / folder / "sim.json"
    result = CliRunner().invoke(main, ["simulate", str(source), "--seed", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    del data["timings"], data["model_info"]["seconds"]  # (the run's own seconds)
    return data, [line for line in result.stdout.splitlines() if not line.startswith("time")]


def test_a_semicolon_set_replays_as_its_comma_twin(tmp_path: Path) -> None:
    # It was refused: "missing column 'record_id' (columns are separated by ';' …)", exit 3.
    comma, semicolon = _simulated(tmp_path, "comma", ","), _simulated(tmp_path, "semicolon", ";")
    assert semicolon[0]["order"] == comma[0]["order"] and semicolon[0]["metrics"] == comma[0]["metrics"]
    assert semicolon == comma  # the stopping points and the printed lines too


def test_a_tab_separated_set_replays_as_its_comma_twin(tmp_path: Path) -> None:
    # It was refused until 2026-12-08: "missing column 'record_id' (columns are separated by a tab, not commas …)",
    # exit 3; review validate read such a file.
    assert _simulated(tmp_path, "tabs", "\t") == _simulated(tmp_path, "comma", ",")


def test_a_semicolon_set_without_a_column_gets_no_hint_to_save_it_with_commas(tmp_path: Path) -> None:
    # It said '… (columns are separated by ';', not commas: save the file as comma-separated CSV)' of a file it had
    # read by its ';' (b90abacb).
    path = tmp_path / "s.csv"
    path.write_text("id;title;label_included\n1;x;1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(path), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 3
    assert result.stderr == (f"review: {path}:line 1: missing column 'record_id' "
                             "(the header has id, title, label_included)\n")
