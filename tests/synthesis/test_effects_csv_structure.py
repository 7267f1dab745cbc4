"""``review meta FILE.csv`` refuses a structurally broken effects CSV in one line (exit 3, nothing written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_refusal import assert_refused_in_one_line
from review.synthesis.effects_csv import read_effects_csv


@pytest.mark.parametrize(("text", "where"), [
    # The quote swallowed C and D into study B's label: two studies pooled of four, exit 0.
    ('yi,vi,study\n0.1,0.01,A\n0.2,0.02,"B\n0.3,0.03,C\n0.4,0.04,D\n', "line 3: a quoted cell is never closed"),
    # An unquoted comma in a label: a traceback (the extra cell broke the reader).
    ("yi,vi,study\n0.1,0.01,Smith, 2019\n0.2,0.02,Jones 2020\n", "line 2: 4 cells but 3 columns in the header"),
    # The second vi column's variances were pooled; " yi" is the yi column too.
    ("study,yi,vi,vi\nA,0.1,0.01,0.04\nB,0.2,0.02,0.03\n", "line 1: column 'vi' appears twice"),
    ("study,yi,vi, yi\nA,0.1,0.01,0.4\nB,0.2,0.02,0.3\n", "line 1: column 'yi' appears twice"),
])
def test_meta_refuses_a_broken_csv_in_one_line_and_writes_nothing(tmp_path: Path, text: str, where: str) -> None:
    assert_refused_in_one_line("meta", tmp_path / "effects.csv", text, tmp_path / "meta.json", where)


def test_meta_reads_trailing_empty_cells(tmp_path: Path) -> None:
    # Empty cells past the header (a spreadsheet's blank columns) were a traceback.
    source = tmp_path / "effects.csv"
    source.write_text("study,yi,vi\nA,0.1,0.01,,\nB,0.2,0.02\n", encoding="utf-8")
    assert read_effects_csv(source).studies == ["A", "B"]
