"""``review simulate FILE.csv`` refuses a structurally broken labelled CSV in one line (exit 3, no JSON)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_refusal import assert_refused_in_one_line

HEADER = "record_id,label_included,title,abstract\n"
GOOD_ROWS = "1,1,Insulin in mice,x\n2,0,Glucose in rats,y\n3,0,Diet and sleep,z\n"


@pytest.mark.parametrize(("text", "where"), [
    # The quote swallowed rows 5 and 6 into record 4's title: 4 of 6 records replayed, exit 0.
    (HEADER + GOOD_ROWS + '4,0,"Unclosed title,w\n5,1,Metformin,v\n6,0,Other,u\n',
     "line 5: a quoted cell is never closed"),
    # An unquoted comma in the title: ' glucose and mice' became the abstract, the abstract was dropped.
    (HEADER + "1,1,Insulin, glucose and mice,x\n" + GOOD_ROWS.replace("1,1,Insulin in mice,x\n", ""),
     "line 2: 5 cells but 4 columns in the header"),
    # The second label_included column's labels were the ones replayed.
    ("record_id,label_included,title,abstract,label_included\n1,1,A,x,0\n2,0,B,y,1\n3,0,C,z,0\n4,1,D,w,0\n",
     "line 1: column 'label_included' appears twice"),
])
def test_simulate_refuses_a_broken_csv_in_one_line_and_writes_nothing(tmp_path: Path, text: str, where: str) -> None:
    assert_refused_in_one_line("simulate", tmp_path / "labelled.csv", text, tmp_path / "sim.json", where)


def test_simulate_names_a_short_last_row_that_lacks_its_label_as_perhaps_cut(tmp_path: Path) -> None:
    """A set cut inside its last row, in a file that does not show whether its writer keeps empty cells, is read
    as it stands (rrev29b); its label is then missing, and the refusal says the row may be cut off."""
    assert_refused_in_one_line("simulate", tmp_path / "labelled.csv", HEADER + GOOD_ROWS + "4", tmp_path / "s.json",
                               "line 5: label_included '' is not 0 or 1 (the file ends inside this row, no line "
                               "break after it: cut off?)")


def test_dedup_and_meta_warn_of_a_short_last_row_and_read_it(tmp_path: Path) -> None:
    """A hand-typed file whose last row leaves its empty cells out and ends without a line break was refused
    whole by dedup FILE.csv and meta (walk29's cut-off rule, rrev29b): it is read, with one warning line."""
    from click.testing import CliRunner

    from review.cli import main

    records = tmp_path / "records.csv"
    records.write_text("record_id,title,abstract,doi\nr1,A title,Its abstract,10.1/a\nr2,Another title",
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(records), "--out", str(tmp_path / "clusters.csv")])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (f"review: warning: {records}:line 3: the file ends inside this row (2 of "
                                             "4 cells, no line break after it): read as it stands; if the file was "
                                             "cut off, get it whole again")
    assert (tmp_path / "clusters.csv").read_text().splitlines()[1:] == ["r1,r1,auto", "r2,r2,auto"]
    effects = tmp_path / "effects.csv"
    effects.write_text("study,yi,vi,note\nA,0.1,0.01,ok\nB,0.3,0.02,ok\nC,0.2,0.02", encoding="utf-8")
    result = CliRunner().invoke(main, ["meta", str(effects), "--measure", "MD"])
    assert result.exit_code == 0 and "\nC   " in result.stdout
    assert f"warning: {effects}:line 4: the file ends inside this row (3 of 4 cells" in result.stderr
