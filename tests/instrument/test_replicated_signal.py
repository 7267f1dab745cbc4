"""A signal shows plainly only when independent studies agree on its direction: papers of one cohort are one
study, as the synthesis counts them, and a study whose direction is not known replicates nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from review.instrument.project import compile_bank
from review.services.synthesis import synthesise_extraction

REPO = Path(__file__).resolve().parents[2]


def _programme_workspace(workspace, edit=None, add=None):  # type: ignore[no-untyped-def]
    """The programme's studies, factors, questions and scoring rules, synthesised (``edit``: study file name ->
    text -> text, applied before; ``add``: a new study file's name -> its text)."""
    folder = workspace.root / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    for name, change in (edit or {}).items():
        path = folder / "studies" / name
        text = path.read_text(encoding="utf-8")
        assert change(text) != text, name
        path.write_text(change(text), encoding="utf-8")
    for name, text in (add or {}).items():
        (folder / "studies" / name).write_text(text, encoding="utf-8")
    for name in ("questions.toml", "scoring.toml"):
        shutil.copy(REPO / "instrument" / name, workspace.root / "instrument")
    synthesise_extraction(folder, "ariens", plots=False)
    return folder


def test_papers_of_one_cohort_do_not_replicate_a_signal(workspace):
    # Ervasti 2013, Mattila-Holappa 2017 and Virtanen 2011 share the Finnish public-sector cohort: the synthesis
    # reads 'findings of one cohort/case-control study', and the profile showed the signal without its caution
    # because three study ids were counted as three studies.
    _programme_workspace(workspace)
    item = compile_bank(workspace).item("low_socioeconomic_position")
    assert item is not None and len(item.studies) == 3
    assert item.caution == "unreplicated"


def test_independent_cohorts_agreeing_replicate_a_signal(workspace):
    own_cohort = {"virtanen2011.toml": lambda t: t.replace('cohort_id = "finnish_public_sector"',
                                                           'cohort_id = "virtanen2011"')}
    _programme_workspace(workspace, own_cohort)
    assert compile_bank(workspace).item("low_socioeconomic_position").caution == ""  # type: ignore[union-attr]


def test_a_study_without_a_direction_replicates_nothing(workspace):
    # Reis and Sado 2014 agree that previous episodes predict recurrence: replicated. With Sado 2014's
    # direction not known, only Reis says so, though the row still names both studies.
    _programme_workspace(workspace)
    assert compile_bank(workspace).item("previous_sick_leave_episodes").caution == ""  # type: ignore[union-attr]


def test_a_study_without_a_direction_leaves_the_signal_unreplicated(workspace):
    unknown = {"sado2014.toml": lambda t: t.replace(
        'finding = "risk"\nfinding_basis = "significant in the univariate and the multivariate model"',
        'finding = "unknown"\nfinding_basis = "direction not given"')}
    _programme_workspace(workspace, unknown)
    item = compile_bank(workspace).item("previous_sick_leave_episodes")
    assert item is not None and item.studies == ["reis", "sado2014"]
    assert item.caution == "unreplicated"


def test_a_study_the_synthesis_does_not_count_replicates_nothing(workspace):
    # A cross-sectional study finding poorer social functioning a risk too, beside Hori 2019's cohort: the Ariens
    # table does not count it where a cohort study exists ('findings of one cohort/case-control study'), and the
    # signal lost its caution because the study agreed (Verdict.agreeing took every unit, counted or not).
    hori = (REPO / "extraction" / "studies" / "hori2019.toml").read_text(encoding="utf-8")
    cross = {"cross2020.toml": hori.replace('id = "hori2019"', 'id = "cross2020"')
             .replace('cohort_id = "hori2019"', 'cohort_id = "cross2020"')
             .replace('design = "cohort"', 'design = "cross-sectional"')}
    folder = _programme_workspace(workspace, add=cross)
    row = next(line for line in (folder / "synthesis.csv").read_text(encoding="utf-8").splitlines()
               if line.startswith("social_dysfunctioning,"))
    assert "cross2020" in row and "findings of one cohort/case-control study" in row
    # Only replication can lift the caution here: the second study raises GRADE to 'low', the programme's bar.
    scoring = workspace.root / "instrument" / "scoring.toml"
    scoring.write_text(scoring.read_text(encoding="utf-8").replace('signal_min_grade = "low"',
                                                                    'signal_min_grade = "moderate"'), encoding="utf-8")
    item = compile_bank(workspace).item("social_dysfunctioning")
    assert item is not None and item.studies == ["cross2020", "hori2019"]
    assert item.caution == "unreplicated"
