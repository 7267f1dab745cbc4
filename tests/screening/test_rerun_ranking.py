"""scripts/rerun_ranking.py: a reviewer's ranking rerun from the exports alone gives every exported model rank."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.records import Record
from review.services import screening as service

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "rerun_ranking.py"
WORDS = ["sick", "leave", "depression", "relapse", "python", "graph", "protein", "work", "return", "anxiety",
         "cohort", "mice", "cell", "burnout", "employee", "spectra"]


def _script():
    spec = importlib.util.spec_from_file_location("rerun_ranking", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def exported(workspace, tmp_path: Path) -> Path:
    """A reviewer who screens 14 of 30 records from the queue, retraining after each, with one undo and one record
    picked by id; a duplicate set aside; the three exports the script reads."""
    records = [Record(title=" ".join(WORDS[(n * 3 + k) % len(WORDS)] for k in range(4)) + f" study {n}",
                      abstract=" ".join(WORDS[(n * 5 + k) % len(WORDS)] for k in range(8)), year=2000 + n % 20)
               for n in range(30)]
    # A copy of a relevant-looking record: set aside by dedup, it must stay out of the set the rerun ranks.
    records.append(Record(title=records[0].title, abstract=records[0].abstract, year=records[0].year,
                          doi="10.1000/copy", authors=["Doe, J"]))
    records[0] = Record(title=records[0].title, abstract=records[0].abstract, year=records[0].year,
                        doi="10.1000/copy", authors=["Doe, J"])
    workspace.store.add_batch(records, file_name="f", file_sha256="r" * 64, source_name="PubMed", format="csv",
                              encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(workspace.root), "dedup"]).exit_code == 0
    alice = workspace.config.reviewers[0]
    session = service.open_session(workspace, alice)
    for step in range(14):
        record = session.next_record()
        assert record is not None
        relevant = any(w in record.title for w in ("sick", "depression", "relapse", "burnout"))
        session.decide(record.id, "include" if relevant else "exclude")
        if step == 6:
            session.undo()
            again = session.next_record()
            assert again is not None
            session.decide(again.id, "maybe")
        if step == 9:  # a correction of the first decision: the later rankings learn from the new label
            first = min(d.id for d in service.current_decisions(workspace, alice).values())
            corrected = next(d for d in service.current_decisions(workspace, alice).values() if d.id == first)
            session.decide(corrected.record_id, "exclude" if corrected.label != "exclude" else "include", chosen=True)
        session.apply_ranking(session.retrain())
    decided = {record_id for record_id, _ in service.current_decisions(workspace, alice)}
    picked = next(r.id for r in workspace.store.records() if r.id is not None and r.id not in decided)
    session.decide(picked, "exclude", chosen=True)  # as review decide records it: no queue served it
    out = tmp_path / "out"
    for args in (["export", "records", str(out / "records.csv")], ["export", "decisions", str(out / "decisions.csv")],
                 ["prisma", "--out", str(out)]):
        result = runner.invoke(main, ["-w", str(workspace.root), *args])
        assert result.exit_code == 0, result.output
    return out


def test_every_decision_the_model_served_is_at_its_exported_rank(workspace, exported: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    alice = workspace.config.reviewers[0]
    rows = list(csv.DictReader((exported / "decisions.csv").open(encoding="utf-8")))
    served = [r for r in rows if r["queue_order"] == "model" and r["chosen"] == "false"]
    assert len(served) >= 10 and any(r["label"] == "undo" for r in rows) and any(r["chosen"] == "true" for r in rows)
    prisma = json.loads((exported / "prisma.json").read_text(encoding="utf-8"))
    assert len(prisma["boxes"]["duplicates"]) == 1  # the set the model ranks leaves it out
    code = _script().main([str(exported / "records.csv"), str(exported / "decisions.csv"),
                           str(exported / "prisma.json"), "--reviewer", alice])
    assert code == 0, capsys.readouterr().out
    assert capsys.readouterr().out.strip() == f"{len(served)} of {len(served)} model-served decisions at the rank the " \
                                              "export gives"


def _write_decisions(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    """An edited decisions.csv in place of the export: ``rows`` under ``columns`` (the first row's, unless given)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_rank_the_rerun_does_not_give_is_named(workspace, exported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alice = workspace.config.reviewers[0]
    path = exported / "decisions.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    changed = next(r for r in rows if r["queue_order"] == "model" and r["chosen"] == "false")
    changed["model_rank"] = str(int(changed["model_rank"]) + 7)
    _write_decisions(path, rows)
    code = _script().main([str(exported / "records.csv"), str(path), str(exported / "prisma.json"),
                           "--reviewer", alice])
    printed = capsys.readouterr().out
    assert code == 1 and f"decision {changed['decision_id']} (record {changed['record_id']}" in printed, printed


def test_a_reviewer_with_no_decisions_in_the_export_is_named(workspace, exported: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # A misspelt --reviewer said "no queue_order column (an export made before 2026-12-07): export the decisions
    # again" of an export that has it, and a reviewer with no rows would have passed with "0 of 0".
    alice = workspace.config.reviewers[0]
    code = _script().main([str(exported / "records.csv"), str(exported / "decisions.csv"),
                           str(exported / "prisma.json"), "--reviewer", alice.upper()])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    assert printed.err == f"{exported / 'decisions.csv'}: no decisions by {alice.upper()!r} (reviewers: {alice})\n"


def test_a_reviewer_whose_decisions_were_all_picked_by_id_has_nothing_checked(workspace, exported: Path,
                                                                              capsys: pytest.CaptureFixture[str]
                                                                              ) -> None:
    # It printed "0 of 0 model-served decisions at the rank the export gives" and exited 0, as a rerun that agreed.
    alice = workspace.config.reviewers[0]
    path = exported / "decisions.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    picked = [r for r in rows if r["chosen"] == "true"]  # (the correction and the record picked by id)
    assert len(picked) == 2
    _write_decisions(path, picked, columns=list(rows[0]))
    code = _script().main([str(exported / "records.csv"), str(path), str(exported / "prisma.json"),
                           "--reviewer", alice])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    assert printed.err == (f"{path}: nothing to check: none of {alice!r}'s 2 decisions was served by the model "
                           "(2 picked by id)\n")


def _unbuildable(rows: list[dict[str, str]], served: list[dict[str, str]]) -> None:
    """Give ``served`` a label count no state before them holds, as a ranking the script cannot rebuild."""
    for row in served:
        row["n_labelled"] = str(len(rows) + 1)


def test_model_served_decisions_none_of_which_could_be_rebuilt_have_nothing_checked(
        workspace, exported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # It printed "0 of 0 model-served decisions at the rank the export gives" after the "no state" lines and exited 0.
    alice = workspace.config.reviewers[0]
    path = exported / "decisions.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    served = [r for r in rows if _script().model_served(r)]
    _unbuildable(rows, served)
    _write_decisions(path, rows)
    code = _script().main([str(exported / "records.csv"), str(path), str(exported / "prisma.json"),
                           "--reviewer", alice])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == "", printed.out
    assert printed.err.count("labels before it\n") == len(served)
    assert printed.err.endswith(f"{path}: nothing checked: none of {alice!r}'s {len(served)} model-served decisions "
                                "could be rebuilt (no state of their n_labelled labels before them)\n"), printed.err


def test_decisions_that_could_not_be_rebuilt_are_counted_apart(workspace, exported: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    alice = workspace.config.reviewers[0]
    path = exported / "decisions.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    served = [r for r in rows if _script().model_served(r)]
    _unbuildable(rows, served[-2:])
    _write_decisions(path, rows)
    code = _script().main([str(exported / "records.csv"), str(path), str(exported / "prisma.json"),
                           "--reviewer", alice])
    printed = capsys.readouterr()
    assert code == 0, printed
    checked = len(served) - 2
    assert printed.out == (f"{checked} of {checked} model-served decisions at the rank the export gives; 2 not checked "
                           "(no state of their n_labelled labels before them)\n")
