"""``review meta`` reads a ``;``-separated file with decimal commas (Dutch Excel's "CSV") as ``review validate`` does:
one rule decides the delimiter (``review.csvcells.sniff_delimiter``) and reads a number (``parse_number``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ImportFormatError
from review.synthesis.effects_csv import read_effects_csv
from review.validate.table import read_table

#: Each input shape of review meta, as a ,/decimal-point file; its Dutch twin swaps the marks.
TWINS = {
    "ci": "study,estimate,ci_low,ci_high,ci_level\nArends 2014,2.59,1.40,4.80,0.95\nEndo 2015,1.46,1.01,2.10,95\n"
          "Third,1.10,0.80,1.51,0.9\n",
    "yi": "study,yi,vi\nArends 2014,0.9517,0.0984\nEndo 2015,0.3784,0.0349\nThird,0.0953,0.0261\n",
    "sei": "study,yi,sei\nArends 2014,0.9517,0.3137\nEndo 2015,0.3784,0.1869\nThird,0.0953,0.1616\n",
    "counts": "study,ai,n1i,ci,n2i\nArends 2014,12,40,5,38\nEndo 2015,0,25,4,27\nThird,30,120,22,118\n",
}


def _dutch(text: str) -> str:
    return text.replace(",", ";").replace(".", ",")


def _pooled(tmp_path: Path, name: str, text: str, *args: str) -> tuple[str, dict[str, object], str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}.json"
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "OR", "--json", str(out), *args])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8").replace(json.dumps(str(path))[1:-1], "FILE"))
    return result.stdout, data, result.stderr.replace(str(path), "FILE").replace(str(out), "OUT")


@pytest.mark.parametrize("shape", sorted(TWINS))
def test_a_dutch_file_pools_as_its_comma_and_point_twin(tmp_path: Path, shape: str) -> None:
    # review meta refused it ("needs a 'study' column … save the file as comma-separated CSV"), exit 3, where review
    # validate reads the same file.
    english = _pooled(tmp_path, "en.csv", TWINS[shape], "--hk")
    dutch = _pooled(tmp_path, "nl.csv", _dutch(TWINS[shape]), "--hk")
    assert dutch == english


def test_a_dutch_file_is_warned_of_as_its_twin(tmp_path: Path) -> None:
    # The asymmetry warning read the CI's decimals from the text as typed; a last row without its line break.
    text = "study,estimate,ci_low,ci_high,ci_level\nA,2.0,1.5,4.0,0.95\nB,1.46,1.01,2.10"
    english, dutch = _pooled(tmp_path, "en.csv", text), _pooled(tmp_path, "nl.csv", _dutch(text))
    assert dutch[0] == english[0]
    as_typed = {"2.0": "2,0", "1.5": "1,5", "4.0": "4,0"}  # the warning quotes the CI as the file has it
    warnings = english[1].pop("warnings")
    assert len(warnings) == 2 and "the file ends inside this row" in warnings[0] and "asymmetric" in warnings[1]
    assert dutch[1].pop("warnings") == [_replaced(w, as_typed) for w in warnings]
    assert dutch[1] == english[1]
    assert dutch[2] == _replaced(english[2], as_typed)


def _replaced(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def test_validate_and_meta_read_the_cells_of_one_file_alike(tmp_path: Path) -> None:
    path = tmp_path / "nl.csv"
    path.write_text(_dutch(TWINS["yi"]), encoding="utf-8")
    table = read_table(path)
    assert table.columns == ["study", "yi", "vi"]
    assert [table.number(i, "yi") for i in range(len(table))] == read_effects_csv(path).yi


@pytest.mark.parametrize("text,said", [
    # In a ';' file the comma is the decimal mark (Dutch and German Excel, R's write.csv2) and a point groups
    # thousands: Dutch Excel writes 1250 as '1.250' in a column formatted so, which was read as 1.25 without a word
    ("study;estimate;ci_low;ci_high\nA;2,59;1,40;4,80\nB;1.250;1,01;2,10\n",
     "line 3:estimate: '1.250' is ambiguous in a file separated by ';', whose decimal mark is the comma: a thousands "
     "separator or a decimal point? write 1250 or 1,250"),
    ("study;yi;vi\nA;0,1;0,02\nB;0,2;1.000\n",
     "line 3:vi: '1.000' is ambiguous in a file separated by ';', whose decimal mark is the comma: a thousands "
     "separator or a decimal point? write 1000 or 1,000"),
    # a comma in a comma-separated file's quoted cell is the ambiguous one there
    ('study,estimate,ci_low,ci_high\nA,2.59,1.40,4.80\nB,"1,250",1.01,2.10\n',
     "line 3:estimate: '1,250' is ambiguous: a thousands separator or a decimal comma? write 1250 or 1.250"),
    ("study;yi;vi\nA;0,1;0,02\nB;0,2;1.000,5\n", "line 3:vi: not a number: '1.000,5'"),
    ("study;yi;vi\nA;0,1;0,02\nB;0,2;inf\n", "line 3:vi: 'inf' is not a finite number"),
    ("study;ai;n1i;ci;n2i\nA;1;1.250;2;1200\n", "line 2:n1i: not a whole number: '1.250'"),
    # (it said "a comma in a cell not in quotes?" of a file whose cells ';' separates)
    ("study;yi;vi\nA;0,1;0,02;x\n", "line 2: 4 cells but 3 columns in the header (';' in a cell not in quotes?)"),
])
def test_a_number_either_way_is_refused_in_one_line(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "nl.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["meta", str(path)])
    assert result.exit_code == ImportFormatError.exit_code and result.stdout == ""
    assert result.stderr == f"review: {path}:{said}\n"


@pytest.mark.parametrize("shape", sorted(TWINS))
def test_a_tab_separated_file_pools_as_its_comma_twin(tmp_path: Path, shape: str) -> None:
    # It was refused until 2026-12-08: "needs a 'study' column (columns are separated by a tab, not commas: save the
    # file as comma-separated CSV)", exit 3; review validate read it. Decimal points or, as the cells show, commas.
    english = TWINS[shape]
    tabs = english.replace(",", "\t")
    assert _pooled(tmp_path, "t.tsv", tabs) == _pooled(tmp_path, "en.csv", english)
    assert _pooled(tmp_path, "nl.tsv", tabs.replace(".", ",")) == _pooled(tmp_path, "en.csv", english)


def test_three_decimals_after_a_comma_in_a_dutch_file_are_decimals(tmp_path: Path) -> None:
    # Dutch Excel with a column of three decimals writes an odds ratio of 1.25 as '1,250' and 1 as '1,000': they were
    # refused as 'ambiguous: a thousands separator or a decimal comma? write 1250 or 1.250', a file no Dutch Excel
    # writes, where a comma separates no thousands.
    english = "study,estimate,ci_low,ci_high\nA,2.000,1.000,4.000\nB,1.250,0.625,2.500\nC,0.800,0.400,1.600\n"
    assert _pooled(tmp_path, "nl.csv", _dutch(english)) == _pooled(tmp_path, "en.csv", english)


def test_a_semicolon_file_written_with_points_pools_as_its_comma_twin(tmp_path: Path) -> None:
    # pandas' to_csv(sep=";") writes points: its '1.250' is 1.25, shown by the file's other cells ('2.000' alone
    # could group thousands; '0.625' cannot)
    english = "study,estimate,ci_low,ci_high\nA,2.000,1.000,4.000\nB,1.250,0.625,2.500\nC,0.800,0.400,1.600\n"
    assert _pooled(tmp_path, "p.csv", english.replace(",", ";")) == _pooled(tmp_path, "en.csv", english)


#: A file as review validate's demo writes one: '#' lines before the header say what it is (and may hold a ';', a
#: ',' or a lone quote, which must not choose the delimiter or open a cell).
COMMENTS = '# SYNTHETIC estimates; not from any study\n# exported 7 december, "by hand\n\n'


@pytest.mark.parametrize("shape", sorted(TWINS))
@pytest.mark.parametrize("dutch", [False, True], ids=["comma", "semicolon"])
def test_a_commented_file_pools_as_its_uncommented_twin(tmp_path: Path, shape: str, dutch: bool) -> None:
    # review meta read the first '#' line as the header: "needs a 'study' column (the header has # SYNTHETIC …)",
    # exit 3, where review validate takes leading '#' lines as comments.
    text = _dutch(TWINS[shape]) if dutch else TWINS[shape]
    plain = _pooled(tmp_path, "plain.csv", text)
    stdout, data, stderr = _pooled(tmp_path, "commented.csv", COMMENTS + text)
    assert (stdout, data, stderr) == plain


def test_a_hash_below_the_header_is_data(tmp_path: Path) -> None:
    # Only the lines before the header are comments: a study labelled '#2', quoted or not, and a quoted label whose
    # second line (Alt+Enter) starts with '#', are studies.
    text = ('# a comment\nstudy,yi,vi\n#2 Arends,0.9517,0.0984\n"#3 Endo",0.3784,0.0349\n'
            '"Third\n# (a label over two lines)",0.0953,0.0261\n')
    pooled = read_effects_csv(_written(tmp_path, "h.csv", text))
    assert pooled.studies == ["#2 Arends", "#3 Endo", "Third # (a label over two lines)"]
    table = read_table(_written(tmp_path, "h.csv", text))
    assert table.comments == ["a comment"] and [table.text(i, "study") for i in range(3)][:2] == ["#2 Arends", "#3 Endo"]
    assert table.row_numbers == [3, 4, 5]


def test_validate_and_meta_take_the_same_lines_as_comments(tmp_path: Path) -> None:
    # one rule (review.csvcells.uncommented_lines): '#' lines and blank lines before the header, in any order
    text = "\n# one\n\n# two;three\nstudy;yi;vi\nA;0,1;0,02\nB;0,2;0,03\n"
    path = _written(tmp_path, "c.csv", text)
    table = read_table(path)
    assert table.comments == ["one", "two;three"] and table.header_row == 5
    assert table.columns == ["study", "yi", "vi"]
    assert [table.number(i, "yi") for i in range(len(table))] == read_effects_csv(path).yi == [0.1, 0.2]


def test_a_refusal_below_comments_names_the_files_line(tmp_path: Path) -> None:
    path = _written(tmp_path, "c.csv", "# one\n# two\nstudy,yi,vi\nA,0.1,0.02\nB,x,0.03\n")
    with pytest.raises(ImportFormatError, match=r"c\.csv:line 5:yi: not a number: 'x'"):
        read_effects_csv(path)


def _written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_refusal_of_the_header_below_comments_names_its_line(tmp_path: Path) -> None:
    path = _written(tmp_path, "c.csv", "# one\n\nname,yi,vi\nA,0.1,0.02\n")
    with pytest.raises(ImportFormatError, match=r"c\.csv:line 3: needs a 'study' column \(the header has name, yi, vi"):
        read_effects_csv(path)
    _written(tmp_path, "c.csv", "# one\n# two\n")
    with pytest.raises(ImportFormatError, match=r"c\.csv: empty file \(expected a header row"):
        read_effects_csv(path)
