"""A number whose source prints another measure's label says so in every output (``measure_as_published``).

Endo 2015's abstract labels a Cox model's estimate 'OR 1.46'; the study file records it as HR. Every output
showed 'HR 1,46' only, so a labour expert or a methods reviewer who opened the cited abstract could not find
the number (audit24)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from click.testing import CliRunner

from review.cli import main
from review.instrument import fhir, project, redcap, render
from review.instrument.diff import estimate_changes
from review.instrument.scoring import score

REPO = Path(__file__).resolve().parents[2]
SHOWN = {"nl": "HR 1,46 (1,01–2,10; gepubliceerd als OR), Endo 2015",
         "en": "HR 1.46 (1.01–2.10; published as OR), Endo 2015"}


def _programme(workspace) -> Path:  # type: ignore[no-untyped-def]
    """The programme's extraction folder and question files in a fresh workspace; Endo 2015's study file."""
    shutil.rmtree(workspace.root / "extraction")
    shutil.copytree(REPO / "extraction", workspace.root / "extraction")
    for name in ("questions.toml", "scoring.toml"):
        shutil.copy(REPO / "instrument" / name, workspace.root / "instrument" / name)
    return workspace.root / "extraction" / "studies" / "endo2015.toml"


def _run(workspace, *args: str):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), *args])
    assert result.exit_code == 0, result.output
    return result


def test_every_output_names_the_label_the_source_prints(workspace) -> None:
    study = _programme(workspace)
    assert 'measure_as_published = "OR"' in study.read_text(encoding="utf-8")
    _run(workspace, "synthesis")
    extraction = workspace.root / "extraction"
    report = (extraction / "synthesis.md").read_text(encoding="utf-8")
    assert "| HR 1.46 (1.01-2.10; published as OR) |" in report  # the study table
    assert "HR 1.46 (1.01-2.10; published as OR))" in report  # the evidence line
    with (extraction / "synthesis.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["factor_id"] == "high_job_demands")
    assert "HR 1.46 (1.01-2.10; published as OR)" in row["explanation"]
    assert "endo2015 HR (published as OR)" in (extraction / "plots" / "high_job_demands.svg").read_text(
        encoding="utf-8")

    _run(workspace, "instrument", "build")
    bank, config = project.current_bank(workspace), project.workspace_config(workspace)
    (item,) = [i for i in bank.items if i.factor_id == "high_job_demands"]
    (effect,) = item.effects
    assert (effect["measure"], effect["estimate"], effect["measure_as_published"]) == ("HR", 1.46, "OR")
    answers = {"job_demands": "high"}
    profile = score(bank, answers, config)
    for lang, shown in SHOWN.items():
        for fmt in ("markdown", "html", "guide", "guide-html", "form"):
            assert shown in project.render_export(bank, fmt, lang, config), (fmt, lang)
        client_report = render.report_markdown(bank, profile, answers, lang=lang)
        assert shown in client_report, lang
    # the files build wrote (Dutch) say it too
    for name in ("questionnaire.md", "questionnaire.html", "gesprekshandleiding.md", "questionnaire-form.html"):
        assert SHOWN["nl"] in (workspace.root / "instrument" / name).read_text(encoding="utf-8"), name

    # the exports that show no evidence text stay well-formed
    from fhir.resources.R4B.questionnaire import Questionnaire
    Questionnaire.model_validate(fhir.questionnaire(bank))
    rows = list(csv.reader(io.StringIO(redcap.data_dictionary(bank))))
    assert rows[0] == list(redcap.REDCAP_COLUMNS) and all(len(r) == len(rows[0]) for r in rows)


def test_diff_names_a_published_label_added_or_changed() -> None:
    before = [{"study": "endo2015", "contrast": "high demand", "measure": "HR", "estimate": 1.46, "ci_low": 1.01,
               "ci_high": 2.1, "estimate_type": "adjusted", "source_location": "Abstract"}]
    labelled = [dict(before[0], measure_as_published="OR")]
    (change,) = estimate_changes("high_job_demands", before, labelled)
    assert (change.before, change.after) == ("HR 1.46 [1.01-2.1]", "HR 1.46 [1.01-2.1], published as OR")
    (change,) = estimate_changes("high_job_demands", labelled, [dict(before[0], measure_as_published="aOR")])
    assert change.after == "HR 1.46 [1.01-2.1], published as aOR"
    assert estimate_changes("high_job_demands", labelled, [dict(labelled[0])]) == []
