"""Status lines go to stderr in every command: a line saying which file was written (``wrote PATH``) is
never data, so stdout holds only what a script reads (docs/interfaces.md, shell conventions)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from review.cli import main

from ..instrument.conftest import QUESTIONS, SYNTHESIS

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _says_on_stderr_only(result: Result, start: str) -> None:
    assert result.exit_code == 0, result.output
    assert not any(line.startswith(start) for line in result.stdout.splitlines()), result.stdout
    assert any(line.startswith(start) for line in result.stderr.splitlines()), result.stderr


@pytest.fixture
def ws(workspace):
    (workspace.root / "extraction" / "synthesis.csv").write_text(SYNTHESIS, encoding="utf-8")
    (workspace.root / "instrument" / "questions.toml").write_text(QUESTIONS, encoding="utf-8")
    return workspace


def test_instrument_build_export_and_score_say_what_they_wrote_on_stderr(ws, tmp_path: Path) -> None:
    # instrument export printed 'wrote PATH' on stdout, where every other export writes its status line on stderr.
    root = str(ws.root)
    build = _run("-w", root, "instrument", "build")
    _says_on_stderr_only(build, "wrote ")
    assert "(first version)" in build.stdout  # the summary stays the data
    out = tmp_path / "q.json"
    export = _run("-w", root, "instrument", "export", "--format", "fhir", "--out", str(out))
    _says_on_stderr_only(export, "wrote ")
    assert export.stdout == "" and json.loads(out.read_text(encoding="utf-8"))["resourceType"] == "Questionnaire"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": {"prev_absence": "yes"}}), encoding="utf-8")
    report, profile = tmp_path / "private" / "r.md", tmp_path / "private" / "p.json"
    scored = _run("-w", root, "instrument", "score", str(answers), "--out", str(report), "--json", str(profile))
    _says_on_stderr_only(scored, "wrote ")
    assert scored.stdout == "" and report.is_file() and profile.is_file()


def test_synthesis_and_extraction_say_what_they_wrote_on_stderr(workspace, tmp_path: Path) -> None:
    extraction = workspace.root / "extraction"  # in a workspace: GRADE judgements are stored, and said so
    shutil.rmtree(extraction)
    extraction.mkdir()
    for name in ("factors.toml", "form.toml"):
        shutil.copy(REPO / "extraction" / name, extraction / name)
    shutil.copytree(REPO / "extraction" / "studies", extraction / "studies")
    synthesis = _run("synthesis", "--extraction", str(extraction), "--no-plots")
    _says_on_stderr_only(synthesis, "wrote ")
    assert synthesis.stdout.splitlines()[0].startswith("rule set ")
    assert synthesis.stdout.splitlines()[1].split() == ["factor", "direction", "level", "GRADE", "studies"]
    assert "stored " not in synthesis.stdout and "stored 15 GRADE judgements\n" in synthesis.stderr
    study = sorted((extraction / "studies").glob("*.toml"))[0]
    shutil.copy(study, study.with_suffix(".alice.toml"))
    reconciled = _run("extraction", "reconcile", study.stem, "--from", "alice", "--force", "--extraction",
                      str(extraction))
    _says_on_stderr_only(reconciled, "wrote ")
    fresh = tmp_path / "fresh"
    _says_on_stderr_only(_run("extraction", "init", "--extraction", str(fresh)), "wrote ")


def test_validate_to_extraction_keeps_json_on_stdout_whole(tmp_path: Path) -> None:
    # The own-data lines followed the JSON on stdout: `--json -` gave JSON no reader could parse.
    extraction = tmp_path / "extraction"
    (extraction / "studies").mkdir(parents=True)
    shutil.copy(REPO / "extraction" / "factors.toml", extraction / "factors.toml")
    rng = np.random.default_rng(5)
    conflict = rng.integers(0, 2, 300)
    recurrence = (rng.random(300) < 1 / (1 + np.exp(1 - 0.8 * conflict))).astype(int)
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("client,conflict_with_supervisor,recurrence\n"
                      + "".join(f"c{i},{c},{r}\n" for i, (c, r) in enumerate(zip(conflict, recurrence))),
                      encoding="utf-8")
    result = _run("validate", "factors", str(cohort), "--outcome", "recurrence", "--to-extraction",
                  "--extraction", str(extraction), "--json", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kind"] == "factors"
    assert "own-data study own_cohort: 1 estimate -> " in result.stderr
    assert (extraction / "studies" / "own_cohort.toml").is_file()


def test_the_rule_is_written_in_interfaces_md() -> None:
    doc = (REPO / "docs" / "interfaces.md").read_text(encoding="utf-8")
    conventions = doc.split("| shell conventions |", 1)[1].split("\n", 1)[0]
    assert "a line saying which file a command wrote (`wrote PATH`) is a status line: stderr, in every command" \
        in conventions
