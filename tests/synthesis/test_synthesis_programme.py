"""`review synthesis` on the programme's own extraction folder, GRADE, and the synthesis.csv contract."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared_data import shared_path
from review.cli import main
from review.errors import WorkspaceError
from review.extraction.factors import load_factors
from review.extraction.forms import load_studies
from review.records import FactorEvidence
from review.synthesis import load_synthesis
from review.synthesis.evidence import StudyFinding
from review.synthesis.factors import SynthesisSettings
from review.synthesis.grade import GradeInput, assess
from review.synthesis.grade_input import GradeConfig
from review.tomlread import SettingProblem
from review.synthesis.meta import pool
from review.synthesis.run import run_synthesis
from review.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def _copy(tmp: Path) -> Path:
    folder = tmp / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    return folder


def test_programme_numbers_match_the_shared_ci_examples() -> None:
    """The six published CIs in ci_to_se_examples.csv are exactly what our study files hold."""
    studies = {s.id: s for s in load_studies(REPO / "extraction", load_factors(REPO / "extraction" / "factors.toml"))}
    wanted = {
        "Arends2014_company_size_gt100": ("arends2014", "company_size_gt100"),
        "Arends2014_conflict_with_supervisor": ("arends2014", "conflict_with_supervisor"),
        "Arends2014_ge1_chronic_disease": ("arends2014", "chronic_disease"),
        "Endo2015_high_organizational_job_demand": ("endo2015", "high_job_demands"),
        "Ervasti2013_lower_grade_nonmanual_vs_upper": ("ervasti2013", "lower-grade non-manual vs upper-grade non-manual"),
        "Ervasti2013_manual_vs_upper_nonmanual": ("ervasti2013", "manual vs upper-grade non-manual"),
    }
    with shared_path("data", "meta_reference", "ci_to_se_examples.csv").open(encoding="utf-8") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    for row_id, (study_id, key) in wanted.items():
        row = rows[row_id]
        match = [e for e in studies[study_id].estimates if key in (e.factor, e.contrast)]
        assert len(match) == 1, row_id
        e = match[0]
        # Endo 2015's abstract labels its Cox estimate "OR" (as the shared row does); we store it as HR.
        measure = "HR" if study_id == "endo2015" else row["measure"]
        assert (e.measure, e.estimate, e.ci_low, e.ci_high) == (
            measure, float(row["estimate"]), float(row["ci_lower"]), float(row["ci_upper"]))


def test_programme_evidence_corrections() -> None:
    """Issue #18: Lammerts indirect and not inverted, Endo as HR, Reis indirect, Norder rounds, source kinds."""
    studies = {s.id: s for s in load_studies(REPO / "extraction", load_factors(REPO / "extraction" / "factors.toml"))}
    lammerts = studies["lammerts2016"]
    assert lammerts.indirectness and "not recurrence" in lammerts.outcome_definition
    for e in lammerts.estimates:
        if e.has_ci:
            assert e.indirect and e.aligned() is None  # never inverted into a recurrence OR
    endo = studies["endo2015"].estimates[0]
    assert endo.measure == "HR" and "Cox" in endo.model
    assert endo.measure_as_published == "OR" and endo.label() == "HR 1.46 (1.01-2.10; published as OR)"
    assert studies["reis"].indirectness
    ratings = studies["norder2012"].expert_ratings
    assert all(r.round in (1, 2) for r in ratings)
    assert all(r.round == 2 for r in ratings if not r.consensus)
    for study in studies.values():
        for e in study.estimates:
            if e.source_location.startswith("Abstract"):
                assert e.source_kind == "abstract", (study.id, e.factor)


def test_indirect_estimates_are_neither_pooled_nor_plotted(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    run = run_synthesis(folder, SynthesisSettings(rule_set="ariens"), plots=True)
    by_id = {r.factor.id: r for r in run.results}
    income = by_id["household_income"]
    assert income.pooled is None and not (folder / "plots" / "household_income.png").exists()
    assert income.grade is not None and income.grade.domains["indirectness"].change == -1
    assert "for sustainable return to work (indirect)" in income.evidence.explanation
    assert "1 indirect estimate is never pooled" in income.pool_note
    older = by_id["older_age"]  # phases only of the studies that carry the evidence, not of subgroup-only ones
    assert older.grade is not None and "koopmans2010" not in older.grade.start_reason
    assert by_id["previous_sick_leave_episodes"].grade.domains["indirectness"].change == -1  # Reis


def test_synthesis_builds_csv_report_and_plots(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    for rule_set in ("ariens", "iwh", "van_tulder"):
        run = run_synthesis(folder, SynthesisSettings(rule_set=rule_set), plots=rule_set == "van_tulder")
        assert run.n_studies == 15 and len(run.results) == 45
    report = (folder / "synthesis.md").read_text()
    assert "## Company size over 100 employees" in report
    assert (folder / "plots" / "company_size_gt100.png").is_file()

    rows = load_synthesis(folder / "synthesis.csv")
    by_id = {r.factor_id: r for r in rows}
    assert by_id["company_size_gt100"].direction == "risk" and by_id["company_size_gt100"].studies == ("arends2014",)
    # Koopmans 2010: protective in women, null in men — a subgroup finding, not counted for the cohort.
    assert by_id["older_age"].direction == "risk" and by_id["older_age"].rule_set == "lievense"
    assert "subgroup findings only" in by_id["older_age"].explanation
    assert by_id["lifetime_depressive_episodes"].studies == ()
    assert "norder2012 94 % of panel" in by_id["lifetime_depressive_episodes"].explanation
    assert by_id["low_socioeconomic_position"].studies == ("ervasti2013", "mattilaholappa2017", "virtanen2011")
    header = (folder / "synthesis.csv").read_text().splitlines()[0].split(",")
    assert header == [f.name for f in dataclasses.fields(FactorEvidence)]


def test_load_synthesis_round_trips(tmp_path: Path) -> None:
    from review.synthesis.evidence_csv import synthesis_csv

    row = FactorEvidence("f", "F", "F nl", "work", True, False, "risk", "strong", "van_tulder", ("a", "b"),
                         "OR", 1.5, 1.1, 2.0, 12.5, "moderate", 'comma, "quote"')
    path = tmp_path / "s.csv"
    path.write_text(synthesis_csv([row]), encoding="utf-8")
    assert load_synthesis(path) == [row]


def test_pooling_happens_for_comparable_estimates(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    extra = (folder / "studies" / "arends2014.toml").read_text()
    extra = extra.replace('id = "arends2014"', 'id = "made_up_for_test"').replace(
        'cohort_id = "arends2014"', 'cohort_id = "other"').replace("estimate = 2.21", "estimate = 1.90")
    (folder / "studies" / "made_up_for_test.toml").write_text(extra, encoding="utf-8")
    run = run_synthesis(folder, SynthesisSettings(rule_set="van_tulder"), plots=False)
    result = next(r for r in run.results if r.factor.id == "conflict_with_supervisor")
    assert result.pooled is not None and result.pooled.k == 2 and result.pooled.hk
    assert result.evidence.pooled_estimate == pytest.approx(result.pooled.back(result.pooled.estimate))
    assert result.evidence.level == "moderate"  # two consistent, unrated (low quality) studies


def test_grade_domains() -> None:
    units = [StudyFinding("a", "risk", rob="low"), StudyFinding("b", "risk", rob="high"),
             StudyFinding("c", "risk", rob="high")]
    # OR 2.43 (2.27-2.60): large, its CI's bound nearer 1 included
    pooled = pool([0.9, 0.9, 0.85], [0.002, 0.0025, 0.003], method="REML", hk=True, measure="OR")
    judgement = assess(GradeInput("f", units, 1.0, pooled, designs=["cohort"] * 3))
    assert judgement.start == "high"
    assert judgement.domains["risk_of_bias"].change == -2
    # Pooled OR ≈ 2.4 is large, but GRADE upgrades only evidence without serious risk of bias.
    assert judgement.domains["large_effect"].change == 0
    assert "not upgraded: risk of bias rated down" in judgement.domains["large_effect"].reason
    assert judgement.certainty == "low"
    clean = assess(GradeInput("f", [StudyFinding(u.study_id, "risk", rob="low") for u in units], 1.0, pooled,
                              designs=["cohort"] * 3))
    assert clean.domains["large_effect"].change == 1
    def single_input() -> GradeInput:
        return GradeInput("g", units[:1], 1.0, None, ratios=[(2.59, 1.40, 4.80)], indirect=["a"], designs=["cohort"])

    single = assess(single_input())
    assert single.domains["publication_bias"].change == -1 and single.domains["indirectness"].change == -1
    assert single.certainty == "low"
    assert assess(GradeInput("h", [], None)) is None
    reviewed = assess(single_input(), override={"indirectness": {"change": 0, "reason": "outcome judged direct"}})
    assert reviewed is not None
    assert reviewed.certainty == "moderate" and reviewed.source == "reviewer"


def test_a_rule_set_nobody_chose_is_not_called_pre_registered(workspace: Workspace) -> None:
    # Without --rule-set and with none in review.toml the first run records the default, and said
    # "pre-registered rule set 'lievense'": a methods reader takes that as the team's prior choice.
    _copy(workspace.root)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots"])
    assert result.exit_code == 0, result.output
    assert 'rule_set = "lievense"' in (workspace.root / "review.toml").read_text()
    assert "pre-registered rule set" not in result.output
    assert ("review: note: review.toml named no rule set: recorded the default 'lievense' as [synthesis] rule_set, which "
            "later runs keep; if the protocol names another, edit review.toml and run again") in result.output


def test_cli_records_the_rule_set_and_refuses_to_change_it(workspace: Workspace) -> None:
    _copy(workspace.root)
    runner = CliRunner()
    result = runner.invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots", "--rule-set", "iwh"])
    assert result.exit_code == 0, result.output
    assert 'rule_set = "iwh"' in (workspace.root / "review.toml").read_text()
    assert "review: note: pre-registered rule set 'iwh' in review.toml" in result.output
    assert load_synthesis(workspace.root / "extraction" / "synthesis.csv")[0].rule_set == "iwh"
    assert "stored" in result.output
    lines = result.output.splitlines()  # the factor rows under a header naming their columns
    header = next(i for i, line in enumerate(lines) if line.split() == ["factor", "direction", "level", "GRADE",
                                                                         "studies"])
    assert lines[header + 1].split()[0] == load_synthesis(workspace.root / "extraction" / "synthesis.csv")[0].factor_id
    assert re.match(r"rule set iwh: \d+ factors from 15 studies$", lines[0])
    again = runner.invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots", "--rule-set", "ariens"])
    assert again.exit_code == WorkspaceError.exit_code and "pre-registered" in again.output


def test_the_rule_set_is_pre_registered_into_a_synthesis_table_that_lacks_it(tmp_path: Path) -> None:
    # A [synthesis] table with the team's readings but no rule_set: the first run wrote synthesis.csv and
    # then failed (exit 2) asking for the line by hand, so the outputs' rule set was recorded nowhere.
    from review.synthesis.run import record_rule_set

    config = tmp_path / "review.toml"
    config.write_text('[review]\ntitle = "t"\n\n[synthesis]  # ours\n# kept\nunrated_as = "high"\n\n'
                      '[instrument]\nmin_level = "some"\n', encoding="utf-8")
    record_rule_set(config, "ariens")
    text = config.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["synthesis"] == {"rule_set": "ariens", "unrated_as": "high", "ariens_multiple_low_quality": "some"}
    assert data["instrument"] == {"min_level": "some"} and "[synthesis]  # ours" in text and "# kept" in text


def test_a_failed_first_run_pre_registers_nothing(workspace: Workspace) -> None:
    folder = _copy(workspace.root)
    study = folder / "studies" / "arends2014.toml"
    study.write_text(re.sub(r"(?m)^n = .*$", 'n = "many"', study.read_text(encoding="utf-8")), encoding="utf-8")
    config = (workspace.root / "review.toml").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots"])
    assert result.exit_code == 4 and "arends2014.toml:study.n" in result.output
    assert (workspace.root / "review.toml").read_text(encoding="utf-8") == config


def test_explicit_folder_uses_its_own_workspace(workspace: Workspace, tmp_path: Path, monkeypatch) -> None:
    folder = _copy(workspace.root)
    monkeypatch.chdir(tmp_path)  # not inside any workspace
    result = CliRunner().invoke(main, ["synthesis", "--extraction", str(folder), "--no-plots"])
    assert result.exit_code == 0, result.output
    config = (workspace.root / "review.toml").read_text()
    assert 'rule_set = "lievense"' in config and 'unrated_as = "moderate"' in config
    from review.store.extraction import latest_grade_judgements

    assert "company_size_gt100" in latest_grade_judgements(Workspace(workspace.root).store)


def test_rule_set_table_without_key_gets_the_rule_set_recorded(workspace: Workspace) -> None:
    # It was an error (exit 2) after synthesis.csv had been written; docs/synthesis.md says the first
    # run that succeeds records the rule set.
    _copy(workspace.root)
    config = workspace.root / "review.toml"
    config.write_text(config.read_text() + "\n[synthesis]\nmethod = \"REML\"\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots"])
    assert result.exit_code == 0, result.output
    recorded = tomllib.loads(config.read_text(encoding="utf-8"))["synthesis"]
    assert recorded["method"] == "REML" and recorded["rule_set"] == load_synthesis(
        workspace.root / "extraction" / "synthesis.csv")[0].rule_set


def test_grade_phase_information_size_and_few_studies() -> None:
    one = [StudyFinding("a", "risk", rob="low")]
    exploratory = assess(GradeInput("f", one, 1.0, None, ratios=[(2.59, 1.40, 4.80)], designs=["cohort"],
                                    phases={"a": (1, "crude estimate only")}))
    assert exploratory.start == "moderate" and "phase 1" in exploratory.start_reason  # Huguet 2013
    confirmatory = assess(GradeInput("f", one, 1.0, None, ratios=[(2.59, 1.40, 4.80)], designs=["cohort"],
                                     phases={"a": (2, "adjusted estimate")}, sizes={"a": (None, 158)}))
    assert confirmatory.start == "high"
    # the CI excludes 1, yet 158 participants cannot hold 300 events: optimal information size not met
    assert confirmatory.domains["imprecision"].change == -1
    assert "optimal information size not met" in confirmatory.domains["imprecision"].reason
    big = assess(GradeInput("f", one, 1.0, None, ratios=[(1.16, 1.07, 1.25)], designs=["cohort"],
                            sizes={"a": (743, 2418)}))
    assert big.domains["imprecision"].change == 0 and "743 events ≥ 300" in big.domains["imprecision"].reason
    assert confirmatory.domains["publication_bias"].change == -1
    assert "'few studies' judgement" in confirmatory.domains["publication_bias"].reason


def test_information_size_with_no_study_size_says_it_was_not_checked() -> None:
    # walk28: studies without events or n read 'pooled CI … is informative; 0 events; no size for a, b: optimal
    # information size (300 events) not shown to be missed', a count of none where nothing was counted.
    two = [StudyFinding("a", "risk", rob="low"), StudyFinding("b", "risk", rob="low")]
    unsized = assess(GradeInput("f", two, 1.0, None, ratios=[(2.21, 1.21, 4.04), (1.80, 1.10, 2.95)],
                                designs=["cohort", "cohort"], sizes={"a": (None, None), "b": (None, None)}))
    reason = unsized.domains["imprecision"].reason
    assert unsized.domains["imprecision"].change == 0
    assert reason == ("all 2 CIs exclude 1; optimal information size not checked (no study size: neither events nor "
                      "n in a, b)")
    half = assess(GradeInput("f", two, 1.0, None, ratios=[(2.21, 1.21, 4.04), (1.80, 1.10, 2.95)],
                             designs=["cohort", "cohort"], sizes={"a": (120, None), "b": (None, None)}))
    assert half.domains["imprecision"].reason.endswith("120 events; no size for b: optimal information size "
                                                       "(300 events) not shown to be missed")
    # a count as every sentence writes one (it read '125355 events at most' in the programme's report)
    many = assess(GradeInput("f", two, 1.0, None, ratios=[(2.21, 1.21, 4.04), (1.80, 1.10, 2.95)],
                             designs=["cohort", "cohort"], sizes={"a": (None, 125000), "b": (None, 355)}))
    assert "; 125,355 events at most (participants where events are not reported): optimal information size (300 " \
           "events) not shown to be missed" in many.domains["imprecision"].reason
    # the threshold too, when review.toml sets one past 999 (it read '1,500 events < 2000')
    short = assess(GradeInput("f", two, 1.0, None, ratios=[(2.21, 1.21, 4.04), (1.80, 1.10, 2.95)],
                              designs=["cohort", "cohort"], sizes={"a": (1000, None), "b": (500, None)}),
                   GradeConfig(ois_events=2000))
    assert short.domains["imprecision"].reason.endswith(", but 1,500 events < 2,000: optimal information size not met")
    enough = assess(GradeInput("f", two, 1.0, None, ratios=[(2.21, 1.21, 4.04), (1.80, 1.10, 2.95)],
                               designs=["cohort", "cohort"], sizes={"a": (1000, None), "b": (1500, None)}),
                    GradeConfig(ois_events=2000))
    assert enough.domains["imprecision"].reason.endswith("; 2,500 events ≥ 2,000 (optimal information size)")


def test_own_data_escape_publication_selection_but_not_the_few_studies_judgement() -> None:
    # The -1 is the rule set's 'few studies' judgement (downgrade unless investigated repeatedly): one
    # own cohort is no replication either. Publication selected nothing there, and the line says both.
    own = [StudyFinding("own_cohort", "risk", rob="low")]
    alone = assess(GradeInput("f", own, 1.0, None, ratios=[(1.8, 1.2, 2.7)], designs=["cohort"],
                              own_data=["own_cohort"]))
    published = assess(GradeInput("f", [StudyFinding("a", "risk", rob="low")], 1.0, None, ratios=[(1.8, 1.2, 2.7)],
                                  designs=["cohort"], own_data=["own_cohort"]))
    assert alone.domains["publication_bias"].change == published.domains["publication_bias"].change == -1
    assert alone.certainty == published.certainty
    assert alone.domains["publication_bias"].reason == (
        "'few studies' judgement: all evidence from one cohort, the programme's own data (own_cohort), so the "
        "factor has not been investigated repeatedly; these data were not selected by publication (analysed "
        "whatever they showed), but one cohort is no replication")
    assert "own data" not in published.domains["publication_bias"].reason
    # Beside a published cohort the own cohort counts as the second investigation, as every cohort does.
    both = assess(GradeInput("f", [*own, StudyFinding("a", "risk", rob="low")], 1.0, None, designs=["cohort"] * 2,
                             own_data=["own_cohort"]))
    assert both.domains["publication_bias"].change == 0
    assert both.domains["publication_bias"].reason == (
        "2 independent cohorts, 1 of them the programme's own data (own_cohort), which were not selected by "
        "publication")
    # A cohort unit joining own data with a paper on the same clients is published evidence.
    joined = assess(GradeInput("f", [StudyFinding("c", "risk", rob="low", papers=("own_cohort", "a"))], 1.0, None,
                               designs=["cohort"], own_data=["own_cohort"]))
    assert joined.domains["publication_bias"].change == -1 and "own data" not in joined.domains["publication_bias"].reason


def test_programme_factor_levels_after_the_method_fixes(tmp_path: Path) -> None:
    """The changes issue #18 makes to the programme's own verdicts, pinned with their reasons."""
    folder = _copy(tmp_path)
    run = run_synthesis(folder, SynthesisSettings.from_config({"rule_set": "ariens"}), plots=False)
    by_id = {r.factor.id: r for r in run.results}
    depressive = by_id["depressive_index_diagnosis"]  # Koopmans 2011 men-only risk is a subgroup result
    assert (depressive.verdict.level, depressive.verdict.direction) == ("some", "none")
    older = by_id["older_age"]  # Koopmans 2010 women-only is a subgroup result; Norder 2015 + Lammerts agree
    assert (older.verdict.level, older.verdict.direction) == ("some", "risk")
    assert by_id["unskilled_work"].grade.start == "moderate"  # Roelen 2010: adjustment not reported (phase 1)
    # Arends 2014: adjusted, but its predictors were kept by backward elimination (model_building =
    # "selection"): exploratory, phase 1 (Hayden 2008; Huguet 2013), so it starts moderate (it started high)
    assert by_id["company_size_gt100"].grade.start == "moderate"
    assert by_id["high_job_demands"].grade.start == "high"  # Endo 2015: adjusted, model building not recorded


def test_committed_programme_report_is_what_review_synthesis_writes(tmp_path: Path) -> None:
    """extraction/synthesis.csv and .md are regenerated output: a change in the code that writes
    them must come with the regenerated files, or a reader of the repository sees stale text."""
    import tomllib

    config = tomllib.loads((REPO / "review.toml").read_text(encoding="utf-8"))
    settings = SynthesisSettings.from_config(config.get("synthesis", {}), config.get("extraction"))
    folder = _copy(tmp_path)
    # the plots are drawn by the same code in every run; the title is review.toml's, as review synthesis reads it
    run_synthesis(folder, settings, plots=False, title=config["review"]["title"])

    def text(path: Path) -> str:  # the report without its plot links (this run draws no plots)
        return re.sub(r"\n!\[forest plot:[^\n]*\n", "", path.read_text(encoding="utf-8"))

    for name in ("synthesis.csv", "synthesis.md"):
        assert text(folder / name) == text(REPO / "extraction" / name), name


def test_a_synthesis_key_that_is_no_table_is_a_workspace_error_naming_review_toml(workspace: Workspace) -> None:
    # dict(3) raised ValueError: a traceback from `review synthesis`, and an `instrument build`
    # crash (the instrument's re-run of the synthesis catches ReviewError only).
    from review.instrument.against_studies import check_rows_against_studies

    folder = _copy(workspace.root)
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots"]).exit_code == 0
    # A pooled row, so that the instrument re-runs the pooling (the programme's own folder pools none).
    evidence = [dataclasses.replace(load_synthesis(folder / "synthesis.csv")[0], pooled_estimate=1.5)]
    studies = load_studies(folder, load_factors(folder / "factors.toml"))
    toml = workspace.root / "review.toml"
    text = toml.read_text()
    toml.write_text(re.sub(r"(?ms)^\[synthesis\].*?(?=^\[|\Z)", "", text).replace("[review]", "synthesis = 3\n\n[review]", 1))
    result = runner.invoke(main, ["-w", str(workspace.root), "synthesis", "--no-plots"])
    assert result.exit_code == WorkspaceError.exit_code, result.output
    line = toml.read_text().splitlines().index("synthesis = 3") + 1
    assert f"{toml.resolve()}:synthesis: 3: expected a table ([synthesis]) (line {line})" in result.output
    # The instrument's re-run refuses it as the synthesis does (no crash; until rrev24b it checked nothing, exit 0);
    # since 2026-12-07 opening the workspace refuses it first, so the re-run is given the file's data directly
    with pytest.raises(WorkspaceError, match=r"review.toml:synthesis: 3: expected a table \(\[synthesis\]\) \(line"):
        Workspace(workspace.root)
    with pytest.raises(SettingProblem, match=r"^review.toml:synthesis: 3: expected a table") as refused:
        check_rows_against_studies(evidence, studies, folder, tomllib.loads(toml.read_text()), "synthesis.csv")
    assert refused.value.where == "synthesis"


def test_the_report_is_titled_by_the_review_and_grade_names_no_other_review_question(tmp_path: Path) -> None:
    # Every workspace's synthesis.md was headed 'prognostic factors for recurrent sickness absence (CMD)'
    # and its GRADE indirectness read 'differs from CMD recurrence after RTW': the programme's question.
    from review.synthesis.run import synthesise_extraction

    folder = _copy(tmp_path)
    (tmp_path / "review.toml").write_text('[review]\ntitle = "Back pain after surgery"\n\n[synthesis]\n'
                                          'rule_set = "ariens"\n', encoding="utf-8")
    synthesise_extraction(folder, workspace=None, plots=False)
    report = (folder / "synthesis.md").read_text(encoding="utf-8")
    assert report.startswith("# Evidence synthesis: Back pain after surgery\n")
    assert "CMD" not in report and "after RTW" not in report
    assert "| indirectness | -1 | outcome or population differs from the review question: reis (1/2 studies) |" in report
    run = run_synthesis(folder, SynthesisSettings(rule_set="ariens"), plots=False)  # no workspace: no title
    assert (folder / "synthesis.md").read_text(encoding="utf-8").startswith("# Evidence synthesis\n")
    assert run.results
    # A title with a line break made a second heading of its rest; raw HTML reached the page.
    (tmp_path / "review.toml").write_text('[review]\ntitle = """Back pain\n# after <img src=x> surgery"""\n\n'
                                          '[synthesis]\nrule_set = "ariens"\n', encoding="utf-8")
    synthesise_extraction(folder, workspace=None, plots=False)
    report = (folder / "synthesis.md").read_text(encoding="utf-8")
    assert report.startswith("# Evidence synthesis: Back pain # after &lt;img src=x> surgery\n")
    assert [line for line in report.splitlines() if line.startswith("# ")] == [report.splitlines()[0]]


def test_a_bad_setting_of_another_workspace_is_named_in_that_workspace_s_review_toml(workspace: Workspace,
                                                                                     tmp_path: Path) -> None:
    # rrev24b: `review -w A synthesis --extraction B/extraction` reads B's review.toml, but the error handler located
    # the key in A's: 'A/review.toml: synthesis.consistancy: unknown key' (outside a workspace, no path at all).
    runner = CliRunner()
    other = tmp_path / "other"
    assert runner.invoke(main, ["init", str(other), "--title", "Other"]).exit_code == 0
    _copy(other)
    config = other / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[synthesis]\nconsistancy = 0.75\n", encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index("consistancy = 0.75") + 1
    result = runner.invoke(main, ["-w", str(workspace.root), "synthesis", "--extraction", str(other / "extraction")])
    assert result.exit_code == WorkspaceError.exit_code, result.output
    assert result.output.startswith(f"review: {config.resolve()}:synthesis.consistancy: unknown key"), result.output
    assert result.output.endswith(f" (line {line})\n"), result.output


def test_a_refused_synthesis_row_is_named_by_its_line_after_a_line_break_in_a_cell(tmp_path: Path) -> None:
    from review.errors import ImportFormatError
    from review.synthesis.evidence_csv import synthesis_csv

    above = FactorEvidence("g", "G", "G nl", "work", True, False, "none", "inconclusive", "ariens",
                           explanation="first line\nsecond line")
    path = tmp_path / "s.csv"
    path.write_text(synthesis_csv([above]) + "f,F,F nl,work,maybe,false,risk,strong,ariens,,,,,,,,\n",
                    encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"s\.csv:line 4: expected true/false, got 'maybe'"):
        load_synthesis(path)
