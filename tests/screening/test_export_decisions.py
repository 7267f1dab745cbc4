"""``review export decisions``: what ordered each reviewer's queue, and whether the record was taken from it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from review.cli import main
from review.records import Record
from review.screening.engines import ENGINE_VERSION
from review.screening.export import DECISION_COLUMNS
from review.services import screening as service

CRITERIA = 'include = ["sick*"]\nexclude = ["python"]\n'


def _workspace_with_terms(workspace) -> list[int]:
    titles = ["sickness absence and depression", "a python package", "recurrent sick leave",
              "graphs of the continent", "return to work after sick leave", "python parser"]
    workspace.store.add_batch([Record(title=t, abstract=t) for t in titles], file_name="f", file_sha256="e" * 64,
                              source_name="s", format="csv", encoding="utf-8")
    workspace.path("screening", "criteria.toml").write_text(CRITERIA, encoding="utf-8")
    return sorted(r.id for r in workspace.store.records() if r.id is not None)


def test_each_decision_says_what_ordered_the_queue_and_whether_it_was_picked(workspace, tmp_path: Path) -> None:
    ids = _workspace_with_terms(workspace)
    session = service.open_session(workspace, "alice")
    first = session.next_record()
    assert first is not None
    session.decide(first.id, "include")                   # served by the keyword prior
    second = session.next_record()
    assert second is not None
    session.decide(second.id, "exclude")
    session.apply_ranking(session.retrain())              # both classes: the SVM ranks from here
    third = session.next_record()
    assert third is not None
    session.decide(third.id, "exclude")
    picked = next(i for i in ids if i not in (first.id, second.id, third.id))
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "bob", "decide", str(picked), "--include"])
    assert result.exit_code == 0, result.output

    out = tmp_path / "d.csv"
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "decisions", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    header = list(rows[0])
    # Added after resolved_by: the columns before keep their names and places.
    assert header[:16][-1] == "resolved_by" and header[16:19] == ["engine", "chosen", "queue_order"]
    by_record = {int(r["record_id"]): r for r in rows}
    assert (by_record[first.id]["queue_order"], by_record[first.id]["engine"]) == ("keyword_prior", "")
    assert (by_record[third.id]["queue_order"], by_record[third.id]["engine"]) == ("model", str(ENGINE_VERSION))
    assert [by_record[i]["chosen"] for i in (first.id, second.id, third.id)] == ["false"] * 3
    # bob picked his record by id: the recommended rule leaves it out, and the export says so.
    assert (by_record[picked]["reviewer"], by_record[picked]["chosen"]) == ("bob", "true")

    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "decisions", "--format", "json", "-"])
    data = {d["record_id"]: d for d in json.loads(result.stdout)}
    assert data[picked]["chosen"] is True and data[first.id]["chosen"] is False
    assert data[third.id]["engine"] == ENGINE_VERSION and data[first.id]["engine"] is None


def test_consensus_and_undo_rows_leave_the_queue_columns_empty(workspace, tmp_path: Path) -> None:
    ids = _workspace_with_terms(workspace)
    runner = CliRunner()
    runner.invoke(main, ["-w", str(workspace.root), "-r", "alice", "decide", str(ids[0]), "--include"])
    runner.invoke(main, ["-w", str(workspace.root), "-r", "bob", "decide", str(ids[0]), "--exclude"])
    runner.invoke(main, ["-w", str(workspace.root), "-r", "bob", "decide", "--undo"])
    runner.invoke(main, ["-w", str(workspace.root), "-r", "bob", "decide", str(ids[0]), "--exclude"])
    result = runner.invoke(main, ["-w", str(workspace.root), "-r", "carol", "conflicts", "resolve", str(ids[0]),
                                  "--include"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "d.csv"
    runner.invoke(main, ["-w", str(workspace.root), "export", "decisions", str(out)])
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    undo = next(r for r in rows if r["label"] == "undo")
    consensus = next(r for r in rows if r["reviewer"] == "consensus")
    for row in (undo, consensus):
        assert (row["engine"], row["chosen"], row["queue_order"]) == ("", "", ""), row


def test_blind_is_the_last_column_true_false_or_empty(workspace, tmp_path: Path) -> None:
    """The TUI's blind mode at each decision; ``review decide`` has none (false); an undo and a decision made before
    the store recorded it leave it empty."""
    ids = _workspace_with_terms(workspace)
    session = service.open_session(workspace, "alice")
    served = session.next_record()
    assert served is not None
    session.decide(served.id, "include", blind=True)           # as the TUI's screen does with blind mode on
    runner = CliRunner()
    picked = next(i for i in ids if i != served.id)
    assert runner.invoke(main, ["-w", str(workspace.root), "-r", "bob", "decide", str(picked), "--exclude"]).exit_code == 0
    assert runner.invoke(main, ["-w", str(workspace.root), "-r", "bob", "decide", "--undo"]).exit_code == 0
    workspace.store.add_decision(picked, "carol", "maybe")      # as a decision made before schema 4 reads
    out = tmp_path / "d.csv"
    result = runner.invoke(main, ["-w", str(workspace.root), "export", "decisions", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(DECISION_COLUMNS) and DECISION_COLUMNS[-1] == "blind"  # added at the end
    assert [(r["reviewer"], r["label"], r["blind"]) for r in rows] == [
        ("alice", "include", "true"), ("bob", "exclude", "false"), ("bob", "undo", ""), ("carol", "maybe", "")]
    result = runner.invoke(main, ["-w", str(workspace.root), "export", "decisions", "--format", "json", "-"])
    assert [d["blind"] for d in json.loads(result.stdout)] == [True, False, None, None]


def test_the_sample_phase_is_named_as_the_session_records_it() -> None:
    from review.screening import export, session

    assert export.SAMPLE_PHASE == session.PHASE_SAMPLE
