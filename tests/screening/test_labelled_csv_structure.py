"""``review simulate FILE.csv`` refuses a structurally broken labelled CSV in one line (exit 3, no JSON)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main

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
    source, out = tmp_path / "labelled.csv", tmp_path / "sim.json"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(source), "--json", str(out)])
    assert result.exit_code == 3 and result.stdout == "" and not out.exists()
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"review: {source}:{where}")
