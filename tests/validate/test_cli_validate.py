"""`review validate` from the command line: the demo runs every kind; bad input is one line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.validate.run import KINDS


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("validate") / "demo"
    result = CliRunner().invoke(main, ["validate", "demo", str(folder)])
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_demo_runs_every_kind_with_the_stable_json_keys(demo_run: tuple[Path, str]) -> None:
    folder, output = demo_run
    results = {p.stem: json.loads(p.read_text()) for p in (folder / "results").glob("*.json")}
    assert {r["kind"] for r in results.values()} == set(KINDS)
    assert all(r["synthetic"] for r in results.values())
    keys = {"cvi": {"items", "s_cvi_ave", "s_cvi_ua"}, "kappa": {"kappa"}, "icc": {"icc"},
            "sus": {"respondents", "mean"}, "predictive": {"c_statistic", "c_statistic_ci"},
            "survival": {"logrank_p", "hazard_ratio", "hazard_ratio_ci"}}
    for result in results.values():
        assert keys.get(result["kind"], set()) <= set(result)
    assert set(results["pilot_icc"]["icc"]) == {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}
    assert {"item", "i_cvi", "kappa_star"} <= set(results["content_validity"]["items"][0])
    assert stat.S_IMODE((folder / "results" / "usability.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "results").stat().st_mode) == 0o700
    assert (folder / "results" / "early_vs_late_involvement.png").stat().st_size > 10_000
    for figure in (folder / "results").glob("*.png"):  # KM steps sit on individual event times
        assert stat.S_IMODE(figure.stat().st_mode) == 0o600
    assert "(SYNTHETIC demo data)" in output and "== early vs late involvement (survival)" in output
    for path in folder.glob("synthetic_*.csv"):
        assert path.read_text().startswith("# SYNTHETIC")


def test_single_kind_with_json(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo_run
    out = tmp_path / "surv.json"
    result = CliRunner().invoke(main, ["validate", "survival", str(folder / "synthetic_cohort.csv"), "--time",
                                       "days_to_rtw", "--event", "rtw", "--group", "arm", "--strata", "diagnosis",
                                       "--reference", "late", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "Cox hazard ratio early vs late" in result.output
    data = json.loads(out.read_text())
    assert data["hazard_ratio"] > 1 and len(data["hazard_ratio_ci"]) == 2


def test_every_folder_made_for_a_result_or_figure_is_its_owners_only(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    # rrev27a: docs/validate.md says a new folder is made 0700; `--plot new/km.png` made new/ with the umask's 0755
    # (only the file was 0600), and `--json a/b/x.json` made b/ 0700 but a/ 0755 (as answers/ above a named answer
    # file before 42c04436).
    import os

    folder, _ = demo_run
    old = os.umask(0o022)
    try:
        for option, target in (("--plot", tmp_path / "figures" / "2026" / "km.png"),
                               ("--json", tmp_path / "results" / "2026" / "km.json")):
            result = CliRunner().invoke(main, ["validate", "survival", str(folder / "synthetic_cohort.csv"), "--time",
                                               "days_to_rtw", "--event", "rtw", "--group", "arm", option, str(target)])
            assert result.exit_code == 0, result.output
            made = (target.parent, target.parent.parent)
            assert [oct(stat.S_IMODE(p.stat().st_mode)) for p in made] == ["0o700", "0o700"], (option, made)
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_bad_input_is_one_line_with_file_row_column(tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text("item,expert,rating\nq1,e1,4\nq1,e2,9\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "cvi", str(path)])
    assert result.exit_code == 4
    assert result.output.strip().splitlines() == [f"review: {path}:line 3: column 'rating': rating '9' out of range 1-4"]


def test_personal_data_and_its_results_stay_outside_repositories(tmp_path: Path) -> None:
    repo, secure = tmp_path / "repo", tmp_path / "secure"
    (repo / ".git").mkdir(parents=True)
    secure.mkdir()
    pilot = "target,rater,score\na,x,1\na,y,2\nb,x,3\nb,y,3\n"
    inside = repo / "pilot.csv"
    inside.write_text(pilot, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "icc", str(inside), "--json", str(secure / "icc.json")])
    assert result.exit_code == 4 and result.output == (
        f"review: {inside}: personal data inside a repository or workspace ({repo}); keep it outside "
        "(demo data: mark it with a leading '# SYNTHETIC' line)\n")
    outside = secure / "pilot.csv"
    outside.write_text(pilot, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "icc", str(outside), "--json", str(repo / "icc.json")])
    assert result.exit_code == 4 and result.output.startswith(
        f"review: {repo / 'icc.json'}: results of personal data may not be written inside a repository")
    assert sorted(p.name for p in [*repo.iterdir(), *secure.iterdir()]) == [".git", "pilot.csv", "pilot.csv"]
    inside.write_text("# SYNTHETIC test data\n" + pilot, encoding="utf-8")  # demo data may live anywhere
    result = CliRunner().invoke(main, ["validate", "icc", str(inside), "--json", str(repo / "icc.json")])
    assert result.exit_code == 0 and "warning" not in result.output
    ratings = repo / "ratings.csv"  # experts' ratings of items are no client data: a warning only
    ratings.write_text("item,expert,rating\nq1,e1,4\nq1,e2,3\nq1,e3,4\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "cvi", str(ratings)])
    assert result.exit_code == 0 and f"warning: {ratings}: data inside a repository or workspace ({repo})" in result.output

    # a plan whose second analysis reads personal data inside the repository writes nothing at all
    plan = secure / "analyses.toml"
    plan.write_text(f'[[analysis]]\nname = "icc"\nkind = "icc"\nfile = "{outside}"\n'
                    f'[[analysis]]\nname = "cohort"\nkind = "icc"\nfile = "{ratings}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4 and "personal data inside a repository" in result.output
    assert not (secure / "results").exists()
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan), "--out", str(repo / "results")])
    assert result.exit_code == 4 and not (repo / "results").exists()


def test_json_to_stdout_and_unwritable_outputs(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo_run
    data = folder / "synthetic_pilot_totals.csv"
    result = CliRunner().invoke(main, ["validate", "icc", str(data), "--json", "-"])
    assert result.exit_code == 0 and json.loads(result.stdout)["icc"]["ICC1"] > 0
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = CliRunner().invoke(main, ["validate", "icc", str(data), "--json", str(blocked / "out.json")])
    # refused before the analysis, exit 1 as every unwritable output (docs/interfaces.md; it was 4, after it)
    assert result.exit_code == 1 and result.output.startswith(f"review: {blocked / 'out.json'}: cannot write")
    result = CliRunner().invoke(main, ["validate", "survival", str(folder / "synthetic_cohort.csv"), "--time",
                                       "days_to_rtw", "--event", "rtw", "--group", "arm", "--plot",
                                       str(tmp_path / "km.txt")])
    assert result.exit_code == 4 and "a figure is written as .png, .svg or .pdf" in result.output


def test_a_plan_naming_a_missing_file_runs_nothing(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo_run
    plan = tmp_path / "analyses.toml"  # the demo's plan, its second entry pointing nowhere
    text = (folder / "analyses.toml").read_text(encoding="utf-8")
    plan.write_text(text.replace('file = "synthetic_cvi.csv"', 'file = "nope.csv"'), encoding="utf-8")
    for name in {line.split('"')[1] for line in text.splitlines() if line.startswith(("file =", "previous ="))}:
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4
    line = plan.read_text(encoding="utf-8").splitlines().index('file = "nope.csv"') + 1
    assert result.output.splitlines() == [f"review: {plan}:analysis[2].file: {tmp_path / 'nope.csv'}: no such file "
                                          f"(line {line})"]
    assert not (tmp_path / "results").exists()


def test_demo_never_overwrites_a_plan_or_data_of_ones_own(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    # 'review validate demo' in a workspace replaced its validate/analyses.toml, the pre-registered plan.
    plan = tmp_path / "analyses.toml"
    plan.write_text('# our plan\n[[analysis]]\nname = "usability"\nkind = "sus"\nfile = "/secure/sus.csv"\n',
                    encoding="utf-8")
    before = plan.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "demo", str(tmp_path), "--no-run"])
    assert result.exit_code == 1 and result.stderr == (f"review: {plan}: not the SYNTHETIC demo's; refusing to "
                                                       "overwrite it (give review validate demo another FOLDER)\n")
    assert plan.read_text(encoding="utf-8") == before and [p.name for p in tmp_path.iterdir()] == ["analyses.toml"]
    folder, _ = demo_run  # the demo's own files are rewritten as before
    assert CliRunner().invoke(main, ["validate", "demo", str(folder), "--no-run"]).exit_code == 0


def test_a_refusal_after_the_analysis_writes_nothing(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    # the JSON was written first and the refusal (a figure's suffix, SYNTHETIC data for
    # --to-extraction) came after it: a half-written result
    folder, _ = demo_run
    out = tmp_path / "out.json"
    cohort = str(folder / "synthetic_cohort.csv")
    result = CliRunner().invoke(main, ["validate", "survival", cohort, "--time", "days_to_rtw", "--event", "rtw",
                                       "--group", "arm", "--json", str(out), "--plot", str(tmp_path / "km.txt")])
    assert result.exit_code == 4 and "a figure is written as .png, .svg or .pdf" in result.output
    extraction = tmp_path / "extraction"
    (extraction / "studies").mkdir(parents=True)
    (extraction / "factors.toml").write_bytes((Path(__file__).resolve().parents[2] / "extraction" /
                                               "factors.toml").read_bytes())
    result = CliRunner().invoke(main, ["validate", "factors", cohort, "--outcome", "recurrence", "--to-extraction",
                                       "--extraction", str(extraction), "--json", str(out)])
    assert result.exit_code == 4 and "SYNTHETIC demo data never becomes a study file" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extraction"] and not any((extraction / "studies").iterdir())


def test_a_plan_whose_output_folder_cannot_be_written_runs_nothing_and_exits_as_an_output_error(
        demo_run: tuple[Path, str], tmp_path: Path) -> None:
    # `validate run --out` onto a file: every analysis ran first and the first write ended the run with
    # exit 4 (a validation error) after the report of the first analysis was printed.
    folder, _ = demo_run
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(folder / "analyses.toml"),
                                       "--out", str(blocked / "results")])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"review: {blocked / 'results' / 'own_data_factors.json'}: cannot write here (Not a directory: a file "
        "stands where a folder is needed)"]


def test_a_late_write_error_is_an_output_error_not_a_validation_error(tmp_path: Path) -> None:
    # an output that fails only when written (the check before the work passed) keeps the output code, 1
    from review.errors import ValidationError
    from review.validate.run import _writing

    with pytest.raises(Exception) as caught, _writing(tmp_path / "out.json"):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out.json"))
    assert not isinstance(caught.value, ValidationError) and getattr(caught.value, "exit_code", None) == 1
    assert str(caught.value) == f"{tmp_path / 'out.json'}: cannot write (Permission denied)"


def test_two_analyses_whose_names_write_one_file_are_refused_before_anything_runs(
        demo_run: tuple[Path, str], tmp_path: Path) -> None:
    # 'usability' and 'Usability!' both wrote usability.json: the second result replaced the first
    folder, _ = demo_run
    (tmp_path / "synthetic_sus.csv").write_bytes((folder / "synthetic_sus.csv").read_bytes())
    plan = tmp_path / "analyses.toml"
    plan.write_text('[[analysis]]\nname = "usability"\nkind = "sus"\nfile = "synthetic_sus.csv"\n'
                    '[[analysis]]\nname = "Usability!"\nkind = "sus"\nfile = "synthetic_sus.csv"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4
    assert result.output.splitlines() == [
        f"review: {tmp_path / 'results' / 'usability.json'}: analysis[1] 'usability' and analysis[2] 'Usability!' "
        "would both write this file: give one of them another name"]
    assert not (tmp_path / "results").exists()


def test_two_names_writing_one_file_are_named_where_out_puts_it_in_one_check(
        demo_run: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With --out the line named the results/ folder beside the data, which the run would not write: the plan
    # was checked twice, first as if without --out
    import review.services.validate as service

    folder, _ = demo_run
    (tmp_path / "synthetic_sus.csv").write_bytes((folder / "synthetic_sus.csv").read_bytes())
    plan = tmp_path / "analyses.toml"
    plan.write_text('[[analysis]]\nname = "usability"\nkind = "sus"\nfile = "synthetic_sus.csv"\n'
                    '[[analysis]]\nname = "Usability!"\nkind = "sus"\nfile = "synthetic_sus.csv"\n', encoding="utf-8")
    checks: list[Path | None] = []
    check = service._check_distinct_outputs
    monkeypatch.setattr(service, "_check_distinct_outputs",
                        lambda items, out=None: (checks.append(out), check(items, out)))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan), "--out", str(out)])
    assert result.exit_code == 4
    assert result.output.splitlines() == [
        f"review: {out / 'usability.json'}: analysis[1] 'usability' and analysis[2] 'Usability!' "
        "would both write this file: give one of them another name"]
    assert not out.exists() and not (tmp_path / "results").exists()
    checks.clear()
    (tmp_path / "analyses.toml").write_text(plan.read_text(encoding="utf-8").replace("Usability!", "usability 2"),
                                            encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", "run", "--plan", str(plan), "--out", str(out)]).exit_code == 0
    assert checks == [out]  # one check, for where the run writes


def test_one_name_in_two_data_folders_runs_and_is_refused_only_into_one_out_folder(
        demo_run: tuple[Path, str], tmp_path: Path) -> None:
    # a/sus.csv and b/sus.csv, both named 'usability', write a/results/ and b/results/ (load_plan refused them)
    folder, _ = demo_run
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "sus.csv").write_bytes((folder / "synthetic_sus.csv").read_bytes())
    plan = tmp_path / "analyses.toml"
    plan.write_text('[[analysis]]\nname = "usability"\nkind = "sus"\nfile = "a/sus.csv"\n'
                    '[[analysis]]\nname = "usability"\nkind = "sus"\nfile = "b/sus.csv"\n', encoding="utf-8")
    out = tmp_path / "out"
    refused = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan), "--out", str(out)])
    assert refused.exit_code == 4
    assert refused.output.splitlines() == [
        f"review: {out / 'usability.json'}: analysis[1] 'usability' and analysis[2] 'usability' would both "
        "write this file: give one of them another name"]
    assert not out.exists()
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "results" / "usability.json").is_file()
    assert (tmp_path / "b" / "results" / "usability.json").is_file()


def _demo_plan_copy(folder: Path, tmp_path: Path, old: str, new: str) -> Path:
    """The demo's plan and data in tmp_path, ``old`` replaced by ``new`` in the plan."""
    text = (folder / "analyses.toml").read_text(encoding="utf-8")
    assert old in text
    plan = tmp_path / "analyses.toml"
    plan.write_text(text.replace(old, new), encoding="utf-8")
    for name in {line.split('"')[1] for line in text.splitlines() if line.startswith(("file =", "previous ="))}:
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    return plan


def test_a_wrong_option_value_late_in_the_plan_runs_nothing(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    """`horizon = "een jaar"` in the 8th analysis was a TypeError traceback after seven analyses had written."""
    folder, _ = demo_run
    plan = _demo_plan_copy(folder, tmp_path, "horizon = 365", 'horizon = "een jaar"')
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4, result.output
    line = plan.read_text(encoding="utf-8").splitlines().index('horizon = "een jaar"') + 1
    assert result.output.splitlines() == [f"review: {plan}:analysis[8].horizon: 'een jaar' is not a number (line {line})"]
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(("entry", "message"), [
    ('kind = "predictive"\noutcome = "recurrence"\npredictor = "score"\nbootstrap = true',
     "analysis[1].bootstrap: True is not a whole number"),
    ('kind = "predictive"\noutcome = "recurrence"\npredictor = "score"\nlevel = 95',
     "analysis[1].level: 95 out of range (above 0, below 1: a fraction such as 0.95)"),
    ('kind = "sus"\nlevel = 1', "analysis[1].level: 1 out of range (above 0, below 1: a fraction such as 0.95)"),
    ('kind = "predictive"\noutcome = "recurrence"\npredictor = "score"\nbootstrap = 0',
     "analysis[1].bootstrap: 0 out of range (at least 1)"),
    ('kind = "delphi"\nprevious = 3', "analysis[1].previous: 3 is not a file name"),
    ('kind = "factors"\noutcome = "recurrence"\nstudy_id = 3', "analysis[1].study_id: 3 is not text"),
    ('kind = "factors"\noutcome = "recurrence"\ndescription = ""', "analysis[1].description: '' is not text"),
    ('kind = "survival"\ntime = "t"\nevent = "e"\ngroup = "g"\nreference = 1',
     "analysis[1].reference: 1 is not a group name (text)"),
    ('kind = "predictive"\noutcome = "recurrence"\npredictor = "score"\nseed = -1',
     "analysis[1].seed: -1 out of range (at least 0, at most 4294967295)"),
    ('kind = "predictive"\noutcome = "recurrence"', "analysis[1].predictor: required for predictive"),
    ('kind = "predictive"\noutcome = 1\npredictor = "score"', "analysis[1].outcome: 1 is not a column name (text)"),
    ('kind = "factors"\noutcome = "recurrence"\nadjust = ["age", 3]',
     "analysis[1].adjust: ['age', 3] is not a column name or a list of them"),
    ('kind = "factors"\noutcome = "recurrence"\nto_extraction = "yes"', "analysis[1].to_extraction: 'yes' is not true or false"),
    ('kind = "kappa"\nweights = "lineair"', "analysis[1].weights: 'lineair' not one of linear, quadratic, none"),
    ('kind = "delphi"\nconsensus = 0.4', "analysis[1].consensus: 0.4 out of range (above 0.5, at most 1)"),
    ('kind = "delphi"\nagree_from = 2', "analysis[1]: the scale points must rise: scale_min 1 <= disagree_to 2 "
                                        "< agree_from 2 <= scale_max 5"),
])
def test_plan_options_take_the_command_lines_values(tmp_path: Path, entry: str, message: str) -> None:
    from review.errors import ValidationError
    from review.validate.run import load_plan

    (tmp_path / "data.csv").write_text("# SYNTHETIC\nclient,score,recurrence\n", encoding="utf-8")
    plan = tmp_path / "analyses.toml"
    plan.write_text(f'[[analysis]]\nname = "one"\nfile = "data.csv"\n{entry}\n', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_plan(plan)
    assert str(caught.value) == f"{plan}:{message} (line {_line_named(plan, message)})"


def _line_named(plan: Path, message: str) -> int:
    """The line of the key a plan's refusal names (``analysis[1].level: …``), else of its [[analysis]] table (the
    plans here hold nothing above their first table)."""
    if not message.startswith("analysis["):
        return 1
    key = message.split(": ", 1)[0].rsplit(".", 1)[-1]
    lines = plan.read_text(encoding="utf-8").splitlines()
    number = int(message.split("[", 1)[1].split("]", 1)[0])
    table = [i for i, line in enumerate(lines, 1) if line == "[[analysis]]"][number - 1]
    return next((i for i, line in enumerate(lines, 1) if i > table and line.startswith(f"{key} =")), table)


@pytest.mark.parametrize(("text", "said"), [
    ("analysis = 3\n", "analysis: expected [[analysis]] tables (double brackets), one per analysis"),
    ('[analysis]\nname = "one"\nkind = "sus"\nfile = "data.csv"\n',
     "analysis: expected [[analysis]] tables (double brackets), one per analysis"),
    ('[[analysis]]\nname = "one"\nkind = "sus"\nfile = 3\n', "analysis[1].file: 3 is not a file name"),
    ('[[analysis]]\nname = "one"\nkind = ["sus"]\nfile = "data.csv"\n',  # rrev28a: TypeError, unhashable
     "analysis[1].kind: ['sus'] not one of factors, cvi, delphi, kappa, icc, sus, predictive, survival"),
])
def test_a_plan_of_the_wrong_shape_is_one_line(tmp_path: Path, text: str, said: str) -> None:
    # walk28: each was a traceback (TypeError, AttributeError, TypeError) in review validate run and the TUI's list
    from review.errors import ValidationError
    from review.validate.run import load_plan

    plan = tmp_path / "analyses.toml"
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_plan(plan)
    assert str(caught.value) == f"{plan}:{said} (line {_line_named(plan, said)})"


def test_kappa_plans_no_interval_with_bootstrap_0_as_its_flag_does(tmp_path: Path) -> None:
    """predictive's --bootstrap starts at 1 (0 was an IndexError); kappa's stays at 0 (no AC1 interval)."""
    from review.validate.run import load_plan

    (tmp_path / "data.csv").write_text("# SYNTHETIC\ntarget,rater,score\n", encoding="utf-8")
    plan = tmp_path / "analyses.toml"
    plan.write_text('[[analysis]]\nname = "one"\nkind = "kappa"\nfile = "data.csv"\nbootstrap = 0\n', encoding="utf-8")
    (item,) = load_plan(plan)
    assert item.options["bootstrap"] == 0


@pytest.mark.parametrize(("first", "second", "message"), [
    # finding 1 of the review of validate18: the plan passed level = 1, the flag's range refused it
    ('kind = "predictive"\nfile = "synthetic_cohort.csv"\noutcome = "recurrence"\npredictor = "profile_score"',
     'kind = "sus"\nfile = "synthetic_sus.csv"\nlevel = 1',
     "analysis[2].level: 1 out of range (above 0, below 1: a fraction such as 0.95)"),
    # finding 2: bootstrap = 0 passed the plan and was an IndexError traceback after the first analysis wrote
    ('kind = "sus"\nfile = "synthetic_sus.csv"',
     'kind = "predictive"\nfile = "synthetic_cohort.csv"\noutcome = "recurrence"\npredictor = "profile_score"\n'
     'bootstrap = 0', "analysis[2].bootstrap: 0 out of range (at least 1)"),
])
def test_a_value_the_flag_refuses_is_refused_by_the_plan_before_anything_runs(
        demo_run: tuple[Path, str], tmp_path: Path, first: str, second: str, message: str) -> None:
    folder, _ = demo_run
    for name in ("synthetic_cohort.csv", "synthetic_sus.csv"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    plan = tmp_path / "analyses.toml"
    plan.write_text(f'[[analysis]]\nname = "a"\n{first}\n[[analysis]]\nname = "b"\n{second}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4, result.output
    assert result.output.splitlines() == [f"review: {plan}:{message} (line {_line_named(plan, message)})"]
    assert not (tmp_path / "results").exists()


def test_predictive_bootstrap_0_is_refused_by_the_flag(demo_run: tuple[Path, str]) -> None:
    """`predictive --bootstrap 0` was an IndexError traceback (a quantile of no resamples), with --time too."""
    folder, _ = demo_run
    for extra in ([], ["--time", "days_to_recurrence"]):
        result = CliRunner().invoke(main, ["validate", "predictive", str(folder / "synthetic_cohort.csv"), "--outcome",
                                           "recurrence", "--predictor", "profile_score", "--bootstrap", "0", *extra])
        assert result.exit_code == 2, result.output
        assert "--bootstrap" in result.output and "x>=1" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_delphi_flags_and_plan_fields_are_refused_by_one_rule_check(demo_run: tuple[Path, str]) -> None:
    """The scale check is DelphiRule.check, named as each caller's user writes the fields (it was written twice)."""
    folder, _ = demo_run
    result = CliRunner().invoke(main, ["validate", "delphi", str(folder / "synthetic_delphi_round1.csv"),
                                       "--agree-from", "2"])
    assert result.exit_code == 2, result.output
    assert "the scale points must rise: --scale-min 1 <= --disagree-to 2 < --agree-from 2 <= --scale-max 5" \
        in result.output


def test_a_plan_names_one_adjustment_column_as_text(tmp_path: Path) -> None:
    """`adjust = "age"` was read letter by letter (columns 'a', 'g', 'e'); now it is the column age."""
    from review.validate.run import load_plan

    (tmp_path / "data.csv").write_text("# SYNTHETIC\nclient,age,recurrence\n", encoding="utf-8")
    plan = tmp_path / "analyses.toml"
    plan.write_text('[[analysis]]\nname = "one"\nkind = "factors"\nfile = "data.csv"\noutcome = "recurrence"\n'
                    'adjust = "age"\nfactor = "age"\n', encoding="utf-8")
    (item,) = load_plan(plan)
    assert item.options["adjust"] == ["age"] and item.options["factor"] == ["age"]


def test_a_misspelt_column_late_in_the_plan_runs_nothing(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    """A column missing from the 9th analysis's file stopped the run there, exit 4, after eight had written."""
    folder, _ = demo_run
    plan = _demo_plan_copy(folder, tmp_path, 'group = "arm"', 'group = "arm_"')
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4, result.output
    (line,) = result.output.splitlines()
    # the plan's field that named the column comes first: which of the three analyses of this file it is
    assert line.startswith(f"review: {plan}:analysis[10].group: {tmp_path / 'synthetic_cohort.csv'}:line 2: "
                           "column 'arm_': no such column")
    assert not (tmp_path / "results").exists()


def test_bad_data_late_in_the_plan_writes_nothing_and_leaves_the_last_runs_results(
        demo_run: tuple[Path, str], tmp_path: Path) -> None:
    """walk30: a refusal of the 7th analysis's data (a SUS answer of 9) came after the six before it had written
    their results, so results/ held this run's first six beside the last complete run's other four."""
    folder, _ = demo_run
    plan = _demo_plan_copy(folder, tmp_path, "", "")
    assert CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "results").iterdir()}
    sus = tmp_path / "synthetic_sus.csv"
    sus.write_text(sus.read_text(encoding="utf-8").replace("labour_expert_02,4,1,", "labour_expert_02,9,1,"),
                   encoding="utf-8")
    cvi = tmp_path / "synthetic_cvi.csv"  # the 2nd analysis's data change too: its result would be new
    text = cvi.read_text(encoding="utf-8")
    assert "conflict_with_supervisor,expert_1,3\n" in text
    cvi.write_text(text.replace("conflict_with_supervisor,expert_1,3\n", "conflict_with_supervisor,expert_1,1\n"),
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4, result.output
    assert result.stderr.splitlines()[-1].startswith(f"review: {sus}:line 4: column 'q1'")
    assert "wrote" not in result.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "results").iterdir()} == before


def test_a_study_file_refused_late_in_the_plan_writes_nothing(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    """The own-data study file is checked with its analysis, before any file of the plan is written (walk30):
    the last analysis's --to-extraction of SYNTHETIC data is refused, and the nine before it wrote nothing."""
    folder, _ = demo_run
    plan = _demo_plan_copy(folder, tmp_path, "", "")
    plan.write_text(plan.read_text(encoding="utf-8") + '\n[[analysis]]\nname = "to the synthesis"\nkind = "factors"\n'
                    'file = "synthetic_cohort.csv"\noutcome = "recurrence"\nfactor = ["conflict_with_supervisor"]\n'
                    'to_extraction = true\n', encoding="utf-8")
    workspace = _workspace_with_factor_list(tmp_path)
    result = CliRunner().invoke(main, ["-w", str(workspace), "validate", "run", "--plan", str(plan)])
    assert result.exit_code == 4, result.output
    assert "SYNTHETIC demo data never becomes a study file" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "results").exists() and not list(workspace.rglob("own_*.toml"))


def test_a_last_row_read_without_its_line_break_is_warned_of(tmp_path: Path) -> None:
    # As `review import` warns of it: the row may be whole (its empty cells left out) or cut off.
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("item,expert,rating,note\nq1,e1,4,fine\nq1,e2,3,ok\nq1,e3,4", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "cvi", str(ratings)])
    assert result.exit_code == 0, result.output
    assert f"warning: {ratings}:line 4: the file ends inside this row (3 of 4 cells" in result.stderr
    # delphi's previous round is read by the same reader, and said of the same way
    second = tmp_path / "round2.csv"
    second.write_text("item,expert,rating,note\nq1,e1,4,fine\nq1,e2,5,ok\nq1,e3,4,ok\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "delphi", str(second), "--previous", str(ratings)])
    assert result.exit_code == 0, result.output
    assert f"warning: {ratings}:line 4: the file ends inside this row" in result.stderr
    ratings.write_text("item,expert,rating,note\nq1,e1,4,\nq1,e2,3,ok\nq1,e3,4", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "cvi", str(ratings)])
    assert result.exit_code == 4 and result.output.startswith(f"review: {ratings}:line 4: the file ends inside this row")


def test_a_named_pipe_is_read_once_and_what_its_reading_warned_of_is_said(tmp_path: Path) -> None:
    # `mkfifo answers.csv; gpg -d … > answers.csv &` keeps decrypted data off disk. The analysis read the pipe, then
    # the warnings were read from it again: open() waited for a second writer that never came, so the command never
    # ended; through <(…) the second reading found nothing, and the warnings of the data read were lost.
    import os
    import threading

    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    fifo = tmp_path / "ratings.csv"
    os.mkfifo(fifo)
    done: list[object] = []

    def run() -> None:
        done.append(CliRunner().invoke(main, ["validate", "cvi", str(fifo)]))

    command = threading.Thread(target=run, daemon=True)
    command.start()
    with open(fifo, "wb") as pipe:  # (a cp1252 'é' and a last row without its line break)
        pipe.write("item,expert,rating,note\nq1,e1,4,caf\xe9\nq1,e2,3,ok\nq1,e3,4".encode("cp1252"))
    command.join(20)
    if command.is_alive():  # (unblock the thread's second open, so the test run can end)
        with open(fifo, "wb"):
            pass
        command.join(5)
        pytest.fail("review validate waited for the pipe a second time")
    [result] = done
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]  # type: ignore[attr-defined]
    assert warnings == [f"warning: {fifo}: not UTF-8, read as cp1252 (Windows); check accented letters, or save the "
                        "file as UTF-8 (Excel: CSV UTF-8)",
                        f"warning: {fifo}:line 4: the file ends inside this row (3 of 4 cells, no line break after it): "
                        "read as it stands; if the file was cut off, get it whole again"]


def _workspace_with_factor_list(tmp_path: Path) -> Path:
    """A new workspace whose extraction/ holds the programme's factors.toml, as --to-extraction needs."""
    import shutil

    workspace = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(workspace), "--title", "t"]).exit_code == 0
    shutil.copy(Path(__file__).resolve().parents[2] / "extraction" / "factors.toml", workspace / "extraction")
    return workspace


def _through_a_fifo(tmp_path: Path, args: list[str], data: bytes) -> tuple[object, bool]:
    """``review validate`` ARGS (naming ``tmp_path/cohort.csv``, a FIFO) with ``data`` written into the FIFO if the
    command opens it; (result, whether it waited to open the FIFO a second time)."""
    import os
    import threading

    fifo = tmp_path / "cohort.csv"
    os.mkfifo(fifo)
    done: list[object] = []
    command = threading.Thread(target=lambda: done.append(CliRunner().invoke(main, args)), daemon=True)
    command.start()
    command.join(3)
    if command.is_alive():  # it opened the pipe to read: write the data
        with open(fifo, "wb") as pipe:
            pipe.write(data)
    command.join(30)
    waited = command.is_alive()
    if waited:  # (unblock its second open, so the test run can end)
        with open(fifo, "wb"):
            pass
        command.join(10)
    return done[0], waited


def _cohort_bytes(n: int = 120) -> bytes:
    rows = ["client,recurrence,days,conflict_with_supervisor,profile_indication"]
    for i in range(n):
        rows.append(f"c{i},{i % 3 == 0:d},{30 + i * 3},{i % 2},{('no_risk_signals', 'some_risk_signals')[i % 2]}")
    return ("\n".join(rows) + "\n").encode()


def test_a_pipe_in_a_workspace_is_not_read_again_for_its_content_hash(tmp_path: Path) -> None:
    """walk30: inside a workspace whose extraction/ holds own-data studies, `predictive` read the data again to hash
    it (are these the clients that built the instrument?): a FIFO made with mkfifo waited forever for a second
    writer, and a <(…) pipe hashed nothing. It cannot be compared: one warning says so and the check runs."""
    if not hasattr(__import__("os"), "mkfifo"):
        pytest.skip("needs FIFOs")
    workspace = _workspace_with_factor_list(tmp_path)
    cohort = tmp_path / "first.csv"
    cohort.write_bytes(_cohort_bytes())
    assert CliRunner().invoke(main, ["-w", str(workspace), "validate", "factors", str(cohort), "--outcome",
                                     "recurrence", "--factor", "conflict_with_supervisor", "--to-extraction"]
                              ).exit_code == 0
    result, waited = _through_a_fifo(tmp_path, ["-w", str(workspace), "validate", "predictive",
                                                str(tmp_path / "cohort.csv"), "--outcome", "recurrence", "--predictor",
                                                "profile_indication", "--bootstrap", "5"], _cohort_bytes())
    assert not waited, "review validate waited for the pipe a second time"
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert (f"warning: cohort.csv: read from a pipe, so its content cannot be compared with the own-data studies of "
            f"{workspace / 'extraction' / 'studies'} (own_first): if these clients helped build the instrument, its "
            "C-statistic here is optimistic\n") in result.stderr  # type: ignore[attr-defined]


def test_to_extraction_from_a_pipe_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """walk30: through <(…) the study file was 'Own data: 63' (the pipe's number) with the SHA-256 of no content
    (e3b0c442…), and a FIFO made with mkfifo waited forever to be hashed: its estimates traced to nothing."""
    if not hasattr(__import__("os"), "mkfifo"):
        pytest.skip("needs FIFOs")
    workspace = _workspace_with_factor_list(tmp_path)
    fifo = tmp_path / "cohort.csv"
    result, waited = _through_a_fifo(tmp_path, ["-w", str(workspace), "validate", "factors", str(fifo), "--outcome",
                                                "recurrence", "--factor", "conflict_with_supervisor",
                                                "--to-extraction"], _cohort_bytes())
    assert not waited, "review validate waited for the pipe a second time"
    assert result.exit_code == 4, result.output  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        f"review: {fifo}: --to-extraction needs the data as a file, not a pipe: the study file names the file and the "
        "SHA-256 of its content, and a pipe is read only once\n")
    assert not list(workspace.rglob("own_*.toml"))



def test_a_plan_names_what_its_file_is_when_it_is_no_regular_file(tmp_path: Path) -> None:
    # A plan reads its files more than once (the columns each analysis names are checked before any runs; analyses
    # may share a file), so a FIFO cannot be one: it was refused as '…/cohort.csv: no such file', of a file that
    # is there. Now as every command names what is no file to read; one analysis from a pipe: review validate KIND.
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    os.mkfifo(tmp_path / "cohort.csv")
    (tmp_path / "ratings").mkdir()
    for name, said in (("cohort.csv", "not a regular file (a pipe, device or socket); save it to a file first"),
                       ("ratings", "is a directory, not a file"), ("gone.csv", "no such file")):
        plan = tmp_path / "analyses.toml"
        plan.write_text(f'[[analysis]]\nname = "a"\nkind = "cvi"\nfile = "{name}"\n', encoding="utf-8")
        result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan), "--out", str(tmp_path / "out")])
        assert result.exit_code == 4, result.output
        assert result.output == f"review: {plan}:analysis[1].file: {tmp_path / name}: {said} (line 4)\n", name


def test_an_interrupt_while_the_figures_are_drawn_leaves_the_last_runs_results_whole(
        demo_run: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rrev30b: after every analysis had run, validate run drew its three figures while writing, a second or
    more of the run; Ctrl+C (or a figure that cannot be drawn) there left results/ with this run's first files
    beside the last run's others. The figures are drawn with their analyses now, before the first file."""
    from matplotlib.figure import Figure

    folder, _ = demo_run
    plan = _demo_plan_copy(folder, tmp_path, "", "")
    assert CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "results").iterdir()}
    assert sum(name.endswith(".png") for name in before) == 3
    cvi = tmp_path / "synthetic_cvi.csv"  # the 2nd analysis's result would be new
    text = cvi.read_text(encoding="utf-8")
    cvi.write_text(text.replace("conflict_with_supervisor,expert_1,3\n", "conflict_with_supervisor,expert_1,1\n"),
                   encoding="utf-8")
    drawn = []
    savefig = Figure.savefig

    def interrupted_at_the_last_figure(figure: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(1)
        if len(drawn) == 3:
            raise KeyboardInterrupt
        savefig(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", interrupted_at_the_last_figure)
    result = CliRunner().invoke(main, ["validate", "run", "--plan", str(plan)])
    assert result.exit_code != 0 and len(drawn) == 3  # (click: 'Aborted!', exit 1)
    assert "wrote" not in result.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "results").iterdir()} == before
