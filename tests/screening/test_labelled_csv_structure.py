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
