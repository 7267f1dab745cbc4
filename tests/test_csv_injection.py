"""CSV formula injection: every command that writes CSV, fed a hostile value, writes no cell a
spreadsheet would run as a formula (``= + - @``, tab, CR at the start; plain numbers are fine)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.csvcells import FORMULA_PREFIXES, NeutralisingDictWriter, neutralise_cell, neutralising_writer
from review.records import Record
from shared_data import REPO_ROOT

EVIL = '=HYPERLINK("http://evil.example","x")'
PLUS = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?")


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def formula_cells(text: str) -> list[str]:
    """Cells of a CSV text that a spreadsheet would evaluate."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row
            if cell.startswith(FORMULA_PREFIXES) and not NUMBER.fullmatch(cell)]


def assert_safe(text: str, *hostile: str) -> None:
    assert formula_cells(text) == []
    for value in hostile:  # the hostile value did reach the file, behind a quote
        assert any(cell.startswith("'") and value in cell for row in csv.reader(io.StringIO(text)) for cell in row), value


def add_records(workspace, source: str = "s", n: int = 2, **extra: str) -> list[int]:
    workspace.store.add_batch([Record(title=f"{EVIL} {i}" if i else EVIL, extra=dict(extra)) for i in range(n)],
                              file_name="f", file_sha256=f"{n:064d}", source_name=source, format="csv",
                              encoding="utf-8")
    return [r.id for r in workspace.store.records()]


def test_export_decisions_and_records(workspace, tmp_path: Path) -> None:
    ids = add_records(workspace, **{AT: "x"})
    workspace.store.add_decision(ids[0], "alice", "exclude", reasons=[EVIL], note=PLUS)
    run("-w", str(workspace.root), "export", "decisions", "--format", "csv", str(tmp_path / "d.csv"))
    assert_safe((tmp_path / "d.csv").read_text(encoding="utf-8"), EVIL, PLUS)
    assert_safe(run("-w", str(workspace.root), "export", "records", "-"), EVIL, AT)


def test_export_agreement(workspace, tmp_path: Path) -> None:
    ids = add_records(workspace, n=3)
    for record_id, (first, second) in zip(ids, [("include", "exclude"), ("exclude", "exclude"), ("include", "include")]):
        workspace.store.add_decision(record_id, "alice", first)
        workspace.store.add_decision(record_id, AT, second)
    run("-w", str(workspace.root), "export", "agreement", str(tmp_path / "out"))
    assert_safe((tmp_path / "out" / "agreement.csv").read_text(encoding="utf-8"), AT)
    assert_safe((tmp_path / "out" / "conflicts.csv").read_text(encoding="utf-8"), AT)


def test_dedup_csv_mode_file_and_stdout(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("record_id", "title", "authors", "year"),
                                      (EVIL, "Same title of a paper", "Smith J", "2020"),
                                      (PLUS, "Same title of a paper", "Smith J", "2020")])
    run("dedup", str(source), "--out", str(tmp_path / "clusters.csv"))
    assert_safe((tmp_path / "clusters.csv").read_text(encoding="utf-8"), EVIL, PLUS)
    assert_safe(run("dedup", str(source)), EVIL, PLUS)


def test_prisma_csv(workspace, tmp_path: Path) -> None:
    from review.prisma.fulltext import record_fulltext

    ids = add_records(workspace, source=AT)
    workspace.store.add_decision(ids[0], "alice", "include")
    for event in ("sought", "retrieved"):
        record_fulltext(workspace.store, ids[0], "alice", event)
    reason = "=1+cmd|' /C calc'!A0"  # reasons may hold no ',' or ';' (the template's separators)
    record_fulltext(workspace.store, ids[0], "alice", "excluded", reasons=[reason], reason=reason)
    run("-w", str(workspace.root), "prisma", "--out", str(tmp_path / "prisma"))
    assert_safe((tmp_path / "prisma" / "prisma.csv").read_text(encoding="utf-8"), reason)


def test_synthesis_csv_and_the_instrument_reads_it_back(workspace) -> None:
    folder = workspace.root / "extraction"
    shutil.copytree(REPO_ROOT / "extraction" / "studies", folder / "studies", dirs_exist_ok=True)
    factors = (REPO_ROOT / "extraction" / "factors.toml").read_text(encoding="utf-8")
    factors = factors.replace('label_en = "Conflict with supervisor"', f"label_en = '{EVIL}'", 1)
    (folder / "factors.toml").write_text(factors, encoding="utf-8")
    run("-w", str(workspace.root), "synthesis", "--no-plots")
    text = (folder / "synthesis.csv").read_text(encoding="utf-8")
    assert_safe(text, EVIL)

    from review.instrument.evidence import read_synthesis_csv
    from review.synthesis import load_synthesis

    for rows in (load_synthesis(folder / "synthesis.csv"), read_synthesis_csv(folder / "synthesis.csv")):
        assert {r.factor_id: r.label_en for r in rows}["conflict_with_supervisor"] == EVIL


def test_redcap_data_dictionary(workspace) -> None:
    from .instrument.conftest import QUESTIONS, SYNTHESIS

    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    hostile = QUESTIONS.replace('text_nl = "Heeft de cliënt zich eerder ziek gemeld?"', f"text_nl = {json.dumps(AT)}", 1)
    assert hostile != QUESTIONS
    (workspace.root / "instrument" / "questions.toml").write_text(hostile, encoding="utf-8")
    run("--workspace", str(workspace.root), "instrument", "build", "--no-exports")
    assert_safe(run("--workspace", str(workspace.root), "instrument", "export", "--format", "redcap", "--out", "-"), AT)


@pytest.mark.parametrize("value", [EVIL, PLUS, AT, "-1+2", "\t=1", "\r=1", "'=1", "''-x"])
def test_both_writers_quote_what_a_spreadsheet_would_run(value: str) -> None:
    buffer = io.StringIO()
    neutralising_writer(buffer).writerow([value, "-0.35", 3])
    dict_writer = NeutralisingDictWriter(buffer, fieldnames=[value])
    dict_writer.writeheader()
    dict_writer.writerow({value: value})
    assert formula_cells(buffer.getvalue()) == []
    assert next(csv.reader(io.StringIO(buffer.getvalue())))[1:] == ["-0.35", "3"]  # numbers stay numbers
    assert neutralise_cell(value) != value
