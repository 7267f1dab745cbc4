"""Excel's ``sep=;`` first line names what separates the cells (Excel opens a file by it in any locale, so files
written for Excel carry it): ``review meta``, ``dedup``, ``simulate`` and ``validate`` read such a file as its twin
without that line, as ``review import`` does (``csvcells.excel_separator``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.csvcells import excel_separator
from review.dedup.csvio import load_records_csv
from review.synthesis.effects_csv import read_effects_csv
from review.validate.table import read_table


@pytest.mark.parametrize(("line", "taken", "named"), [
    ("sep=;\n", ",;", ";"), ("sep=,\r\n", ",;", ","), ("sep=;", ",;", ";"), ("sep=\t\n", ",;\t", "\t"),
    ("sep=\t\n", ",;", None), ("sep=|\n", ",;", None), ("sep=;;\n", ",;", None), ("study;sep=;\n", ",;", None),
    ("Sep=;\n", ",;", None)])
def test_the_line_names_a_delimiter_the_reader_takes(line: str, taken: str, named: str | None) -> None:
    assert excel_separator(line, taken) == named


def _written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("separator", [";", ","])
def test_meta_and_validate_read_the_file_below_the_line(tmp_path: Path, separator: str) -> None:
    # It was read as the header: "needs a 'study' column … (the header has sep=)", exit 3.
    text = "study;yi;vi\nA;0,1;0,02\nB;0,3;0,04\n"
    if separator == ",":
        text = text.replace(",", ".").replace(";", ",")
    twin = read_effects_csv(_written(tmp_path, "twin.csv", text))
    marked = _written(tmp_path, "marked.csv", f"sep={separator}\n{text}")
    effects = read_effects_csv(marked)
    assert (effects.studies, effects.yi, effects.vi) == (twin.studies, twin.yi, twin.vi) == (["A", "B"], [0.1, 0.3],
                                                                                           [0.02, 0.04])
    table = read_table(marked)
    assert table.columns == ["study", "yi", "vi"] and table.row_numbers == [3, 4] and table.header_row == 2
    assert [table.number(i, "vi") for i in range(2)] == [0.02, 0.04]


def test_comments_below_the_line_are_comments(tmp_path: Path) -> None:
    path = _written(tmp_path, "c.csv", 'sep=;\n# SYNTHETIC, a "quote\n\nstudy;yi;vi\nA;0,1;0,02\nB;0,3;x\n')
    assert read_table(path).comments == ['SYNTHETIC, a "quote']
    result = CliRunner().invoke(main, ["meta", str(path)])
    assert result.exit_code == 3 and result.stderr == f"review: {path}:line 6:vi: not a number: 'x'\n"


def test_validate_takes_a_tab_the_line_names(tmp_path: Path) -> None:
    table = read_table(_written(tmp_path, "t.txt", "sep=\t\nclient\tscore, in points\nc1\t3\n"))
    assert table.columns == ["client", "score, in points"]  # (a comma in a name: the line says the tabs separate)


def test_dedup_and_simulate_read_the_file_below_the_line(tmp_path: Path) -> None:
    text = "record_id;title;abstract;label_included\n1;Insulin, in mice;x;1\n2;Glucose; rats;y;0\n"
    text = text.replace("Glucose; rats", '"Glucose; rats"')
    records = load_records_csv(_written(tmp_path, "r.csv", f"sep=;\n{text}")).records
    assert [(r.external_id, r.title, r.position) for r in records] == [("1", "Insulin, in mice", "line 3"),
                                                                       ("2", "Glucose; rats", "line 4")]
    rows = "".join(f"{i};{'sickness absence' if i % 4 == 0 else 'knee surgery'} {i};x;{int(i % 4 == 0)}\n"
                   for i in range(1, 41))
    out = tmp_path / "sim.json"
    result = CliRunner().invoke(main, ["simulate", str(_written(tmp_path, "s.csv", "sep=;\nrecord_id;title;abstract;"
                                                                 f"label_included\n{rows}")), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text(encoding="utf-8"))["order"]) == 40


@pytest.mark.parametrize(("command", "text", "said"), [
    (["dedup"], "sep=;\nrecord_id;titel\n1;a\n", "missing column 'title' (the header has record_id, titel)"),
    (["simulate", "--json", "-"], "sep=;\nrecord_id;title;label\n1;a;1\n", "missing column 'label_included' (the header has record_id, title, label)"),
    (["simulate", "--json", "-"], "sep=;\nrecord_id;label_included\n1;1\n", "needs a 'title' or 'abstract' column (the header has record_id, label_included)"),
])
def test_dedup_and_simulate_name_the_header_below_the_line(tmp_path: Path, command: list[str], text: str,
                                                           said: str) -> None:
    # A missing column was said of "line 1", the sep= line, where the header is on line 2.
    path = _written(tmp_path, "s.csv", text)
    args = [*command, str(path)] + (["--out", str(tmp_path / "o.csv")] if command == ["dedup"] else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3 and result.stderr == f"review: {path}:line 2: {said}\n"
