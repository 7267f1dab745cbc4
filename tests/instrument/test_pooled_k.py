"""'(k = N)' beside a pooled estimate comes from the study files, not from the synthesis' prose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from review.errors import ImportFormatError
from review.instrument.project import compile_bank
from review.services.synthesis import synthesise_extraction

REPO = Path(__file__).resolve().parents[2]


def _pooling_workspace(workspace):  # type: ignore[no-untyped-def]
    """The programme's studies plus a second cohort reporting conflict with the supervisor, so that
    its estimate is pooled with Arends 2014's (k = 2), and the programme's questions."""
    folder = workspace.root / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    arends = (folder / "studies" / "arends2014.toml").read_text(encoding="utf-8")
    second = (arends.replace('id = "arends2014"', 'id = "second2020"')
              .replace('cohort_id = "arends2014"', 'cohort_id = "second2020"')
              .replace("Arends I, van der Klink JJL", "Second A, Other B").replace("2014;40(2)", "2020;46(1)")
              .replace("estimate = 2.21\nci_low = 1.21\nci_high = 4.04", "estimate = 1.80\nci_low = 1.10\nci_high = 2.95"))
    (folder / "studies" / "second2020.toml").write_text(second, encoding="utf-8")
    shutil.copy(REPO / "instrument" / "questions.toml", workspace.root / "instrument")
    scoring = (REPO / "instrument" / "scoring.toml").read_text(encoding="utf-8")
    weighed = scoring.replace('min_level = "moderate"', 'min_level = "some"')  # so the pooled factor is weighed
    assert weighed != scoring
    (workspace.root / "instrument" / "scoring.toml").write_text(weighed, encoding="utf-8")
    synthesise_extraction(folder, "ariens", plots=False)
    return folder / "synthesis.csv"


def _basis(workspace) -> str:  # type: ignore[no-untyped-def]
    return compile_bank(workspace).item("conflict_with_supervisor").weight_basis


def test_k_comes_from_the_pooling_of_the_study_files_not_the_explanation(workspace):
    synthesis = _pooling_workspace(workspace)
    text = synthesis.read_text(encoding="utf-8")
    assert "k=2" in text
    assert "(k = 2: arends2014, second2020) shown, not used" in _basis(workspace)
    # The explanation is prose for people: reworded (here without k), k is still there.
    synthesis.write_text(text.replace("k=2", "two studies"), encoding="utf-8")
    assert "(k = 2: arends2014, second2020) shown, not used" in _basis(workspace)


def test_a_pooled_estimate_the_study_files_no_longer_give_is_refused(workspace):
    # It was built as 'pooled OR 2.50' without k (audit24: a pooled number no study file gives reached the
    # instrument); the build now names the row and what the study files give, and writes nothing.
    synthesis = _pooling_workspace(workspace)
    text = synthesis.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("conflict_with_supervisor,"))
    pooled = row.split(",")[11]
    stale = row.replace(f",{pooled},", ",2.5,", 1)
    assert stale != row
    synthesis.write_text(text.replace(row, stale), encoding="utf-8")
    line = text.splitlines().index(row) + 1
    with pytest.raises(ImportFormatError) as refused:
        _basis(workspace)
    assert str(refused.value) == (
        f"{synthesis}:line {line}: factor 'conflict_with_supervisor': pooled OR 2.5 (0.1645-23.2164), the study "
        "files give OR 1.95439 (0.164524-23.2164) (rule set ariens): run review synthesis, or correct the row")


def test_k_reuses_the_loaded_studies_and_the_one_re_run_of_the_synthesis(workspace, monkeypatch):
    """compile_bank parses the study files once and synthesises each factor once: the re-run that checks every
    row against the study files also gives k (it re-read them all for k before)."""
    from review.extraction import forms
    from review.synthesis import run

    import csv

    synthesis = _pooling_workspace(workspace)
    pooled = {r["factor_id"] for r in csv.DictReader(synthesis.open(encoding="utf-8")) if r["pooled_estimate"]}
    reads, synthesised = [], []
    real_load, real_factor = forms.load_studies, run.synthesise_factor
    for module in (forms, run):
        monkeypatch.setattr(module, "load_studies", lambda *a, **k: reads.append(1) or real_load(*a, **k))
    monkeypatch.setattr(run, "synthesise_factor", lambda f, *a, **k: synthesised.append(f.id) or real_factor(f, *a, **k))
    assert "(k = 2: arends2014, second2020) shown, not used" in _basis(workspace)
    assert len(reads) == 1
    assert "conflict_with_supervisor" in pooled and len(pooled) < 10
    rows = [r["factor_id"] for r in csv.DictReader(synthesis.open(encoding="utf-8"))]
    assert sorted(synthesised) == sorted(rows)  # each factor once


def test_no_k_when_a_study_names_a_factor_factors_toml_lacks(workspace):
    # review synthesis refuses such a folder, so its pooling cannot be the one synthesis.csv shows
    _pooling_workspace(workspace)
    second = workspace.root / "extraction" / "studies" / "second2020.toml"
    text = second.read_text(encoding="utf-8")
    assert 'factor = "company_size_gt100"' in text
    second.write_text(text.replace('factor = "company_size_gt100"', 'factor = "not_in_factors_toml"', 1),
                      encoding="utf-8")
    basis = _basis(workspace)
    assert "pooled OR" in basis and "k =" not in basis


def test_the_client_report_shows_k_beside_the_pooled_estimate(workspace):
    # The bank's profile showed '(k = 2)' in its weight basis; the client report showed the pooled
    # estimate without it.
    from review.instrument.itembank import dumps_bank, loads_bank
    from review.instrument.project import workspace_config
    from review.instrument.render import report_markdown
    from review.instrument.scoring import score

    _pooling_workspace(workspace)
    bank = compile_bank(workspace)
    item = bank.item("conflict_with_supervisor")
    assert item.pooled_k == 2 and loads_bank(dumps_bank(bank)).item("conflict_with_supervisor").pooled_k == 2
    link_id, codes = next(iter(item.present.items()))
    answers = {link_id: codes[0]}
    question = bank.question(link_id)
    while question is not None and question.enable_when:  # its gates opened, as a client would answer
        gate, wanted = question.enable_when
        answers[gate] = wanted
        question = bank.question(gate)
    profile = score(bank, answers, workspace_config(workspace))
    assert "conflict_with_supervisor" in {f.factor_id for f in profile.risks + profile.signals}
    for lang, pooled in (("en", "pooled OR 1.95"), ("nl", "gepoold OR 1,95")):
        report = report_markdown(bank, profile, answers, lang=lang)
        line = next(row for row in report.splitlines() if pooled in row)
        assert ", k = 2;" in line, line
