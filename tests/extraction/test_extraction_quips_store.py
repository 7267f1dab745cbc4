"""QUIPS consensus and collapse rule; loading study files into the store; CLI commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ValidationError, WorkspaceError
from review.extraction.factors import load_factors
from review.extraction.loading import compare_extractors, load_folder
from review.extraction.quips import CollapseRule, summarise
from review.store import extraction as tables
from review.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
DOMAINS = ("participation", "attrition", "factor_measurement", "outcome_measurement", "confounding", "analysis")


def ratings(*values: str) -> dict[str, str]:
    return dict(zip(DOMAINS, values))


@pytest.mark.parametrize("values,rob", [
    (("low",) * 6, "low"),
    (("moderate",) + ("low",) * 5, "low"),  # exactly one moderate
    (("moderate", "moderate") + ("low",) * 4, "moderate"),
    (("moderate",) * 3 + ("low",) * 3, "high"),  # >= 3 moderate
    (("high",) + ("low",) * 5, "high"),
])
def test_grooten_collapse(values: tuple[str, ...], rob: str) -> None:
    assert CollapseRule().apply(ratings(*values)) == rob


def test_worst_domain_and_configured_thresholds() -> None:
    two_moderate = ratings("moderate", "moderate", "low", "low", "low", "low")
    assert CollapseRule(name="worst_domain").apply(two_moderate) == "moderate"
    assert CollapseRule.from_mapping({"max_moderate_for_low": 2}).apply(two_moderate) == "low"
    assert CollapseRule().apply({"participation": "low"}) == "unrated"
    with pytest.raises(WorkspaceError, match="^review.toml:extraction.quips.collapse: 'average'"):
        CollapseRule.from_mapping({"collapse": "average"})


def test_consensus_wins_and_disagreements_are_listed() -> None:
    quips = {"alice": ratings(*("low",) * 6), "bob": ratings("high", *("low",) * 5)}
    without = summarise(quips)
    assert without.rob == "unrated" and "unresolved: participation" in without.basis
    assert without.disagreements == {"participation": {"alice": "low", "bob": "high"}}
    quips["consensus"] = ratings("moderate", *("low",) * 5)
    agreed = summarise(quips)
    assert agreed.rob == "low" and agreed.basis == "consensus" and agreed.raters == ("alice", "bob")


def _copy_programme(tmp: Path) -> Path:
    folder = tmp / "extraction"
    shutil.copytree(REPO / "extraction" / "studies", folder / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", folder)
    return folder


def test_load_folder_stores_versions_once(workspace: Workspace) -> None:
    folder = _copy_programme(workspace.root)
    factors = load_factors(folder / "factors.toml")
    store = workspace.store
    first = load_folder(store, folder, factors)
    assert len(first.loaded) == 15 and first.unchanged == []
    assert load_folder(store, folder, factors).loaded == []
    arends = tables.study_version(store, "arends2014")
    rows = tables.estimates_for(store, arends.id)
    assert [(r["factor_id"], r["estimate"], r["ci_low"], r["ci_high"], r["finding"]) for r in rows] == [
        ("company_size_gt100", 2.59, 1.40, 4.80, "risk"),
        ("conflict_with_supervisor", 2.21, 1.21, 4.04, "risk"),
        ("chronic_disease", 0.54, 0.30, 0.96, "protective"),
    ]
    assert tables.latest_quality(store)["arends2014"] == "unrated"


def test_invalid_folder_stores_nothing(workspace: Workspace) -> None:
    folder = _copy_programme(workspace.root)
    path = folder / "studies" / "arends2014.toml"
    path.write_text(path.read_text().replace("ci_high = 4.80", "ci_high = 2.0"), encoding="utf-8")
    with pytest.raises(ValidationError, match="arends2014.toml:estimates\\[1\\].estimate: CI 1.4-2.0"):
        load_folder(workspace.store, folder, load_factors(folder / "factors.toml"))
    assert tables.latest_versions(workspace.store) == []


def test_compare_extractors_in_store_and_cli(workspace: Workspace) -> None:
    folder = _copy_programme(workspace.root)
    src = (folder / "studies" / "endo2015.toml").read_text()
    (folder / "studies" / "endo2015.alice.toml").write_text(src, encoding="utf-8")
    (folder / "studies" / "endo2015.bob.toml").write_text(src.replace("ci_high = 2.10", "ci_high = 2.01"),
                                                          encoding="utf-8")
    load_folder(workspace.store, folder, load_factors(folder / "factors.toml"))
    diffs = compare_extractors(workspace.store, "endo2015", "alice", "bob")
    assert [d.field.rsplit(".", 1)[-1] for d in diffs] == ["ci_high"] and (diffs[0].left, diffs[0].right) == (2.1, 2.01)

    runner = CliRunner()
    result = runner.invoke(main, ["-w", str(workspace.root), "extraction", "compare", "endo2015", "alice", "bob"])
    assert result.exit_code == 1 and "ci_high\t2.1\t2.01" in result.output
    same = runner.invoke(main, ["-w", str(workspace.root), "extraction", "compare", "endo2015", "alice", "reconciled"])
    assert same.exit_code == 0, same.output
    (folder / "studies" / "endo2015.toml").unlink()
    done = runner.invoke(main, ["-w", str(workspace.root), "extraction", "reconcile", "endo2015", "--from", "bob"])
    assert done.exit_code == 0 and "ci_high = 2.01" in (folder / "studies" / "endo2015.toml").read_text()


def test_reconcile_force_keeps_the_file_it_replaces(workspace: Workspace) -> None:
    # --force overwrote the reconciled file with no way back: a consensus QUIPS table or a reconciled
    # number typed there since was gone. The replaced file is kept beside it and stderr says how to undo.
    folder = _copy_programme(workspace.root)
    studies = folder / "studies"
    reconciled = (studies / "endo2015.toml").read_text(encoding="utf-8") + "# reconciled by hand\n"
    (studies / "endo2015.toml").write_text(reconciled, encoding="utf-8")
    (studies / "endo2015.bob.toml").write_text(reconciled.replace("ci_high = 2.10", "ci_high = 2.01"),
                                               encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(main, ["-w", str(workspace.root), "extraction", "reconcile", "endo2015", "--from", "bob",
                                "--force"])
    assert done.exit_code == 0, done.output
    kept = studies / "endo2015.toml.replaced"
    assert kept.read_text(encoding="utf-8") == reconciled
    assert "ci_high = 2.01" in (studies / "endo2015.toml").read_text(encoding="utf-8")
    assert (f"the file it replaced is kept as {kept} (rename it back to undo)") in done.stderr
    validate = runner.invoke(main, ["-w", str(workspace.root), "extraction", "validate"])
    assert validate.exit_code == 0 and "15 study files valid, and 1 extractor copy (" in validate.output
    again = runner.invoke(main, ["-w", str(workspace.root), "extraction", "reconcile", "endo2015", "--from", "bob",
                                 "--force"])  # nothing replaced: the earlier copy stays
    assert again.exit_code == 0 and "replaced" not in again.stderr
    assert kept.read_text(encoding="utf-8") == reconciled


def test_validate_cli_reports_every_problem(workspace: Workspace) -> None:
    folder = _copy_programme(workspace.root)
    runner = CliRunner()
    ok = runner.invoke(main, ["-w", str(workspace.root), "extraction", "validate"])
    assert ok.exit_code == 0 and "15 study files valid (" in ok.output
    # An extractor's copy is checked too, and said apart: it said '16 study files' where status said 15.
    shutil.copy(folder / "studies" / "endo2015.toml", folder / "studies" / "endo2015.alice.toml")
    copied = runner.invoke(main, ["-w", str(workspace.root), "extraction", "validate"])
    assert "15 study files valid, and 1 extractor copy (" in copied.output
    (folder / "studies" / "endo2015.alice.toml").unlink()
    typo = runner.invoke(main, ["-w", str(workspace.root), "extraction", "validate", "--extraction", str(folder) + "x"])
    assert typo.exit_code == 1 and typo.stderr == f"review: {folder}x: no such folder (--extraction)\n"
    for command in (["load"], ["quips"], ["reconcile", "endo2015", "--from", "alice"],
                    ["compare", "endo2015", "alice", "bob"]):  # every subcommand that reads the folder
        missing = runner.invoke(main, ["-w", str(workspace.root), "extraction", *command, "--extraction",
                                       str(folder) + "x"])
        assert missing.exit_code == 1, (command, missing.output)
    path = folder / "studies" / "sado2014.toml"
    path.write_text(path.read_text().replace('factor = "older_age"', 'factor = "old_age"'), encoding="utf-8")
    bad = runner.invoke(main, ["-w", str(workspace.root), "extraction", "validate"])
    assert bad.exit_code == ValidationError.exit_code
    assert "sado2014.toml:estimates[2].factor: unknown factor 'old_age'" in bad.output
    assert bad.stderr == "review: 1 problem in 15 study files\n"  # (walk27: it read "1 problem(s)")
    # The failure line counted the copies as study files ('in 16 study files'): said apart, as above.
    shutil.copy(folder / "studies" / "endo2015.toml", folder / "studies" / "endo2015.alice.toml")
    bad_copied = runner.invoke(main, ["-w", str(workspace.root), "extraction", "validate"])
    assert bad_copied.stderr == "review: 1 problem in 15 study files, and 1 extractor copy\n"


def test_a_bad_quips_setting_is_named_by_its_workspace_s_review_toml_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # rrev24b: the extraction screen's notification read 'review.toml: extraction.quips.collapse = …' (no path, no
    # line) while every other review.toml error names both since 07ff0869; the folder's own review.toml is read.
    from review.services.extraction import collapse_rule

    config = tmp_path / "review.toml"
    config.write_text('[review]\r\ntitle = "t"\r\n\r\n[extraction.quips]\r\nmoderate_for_high = 3\r\ncollapse = "average"\r\n',
                      encoding="utf-8", newline="")
    (tmp_path / "extraction").mkdir()
    with pytest.raises(WorkspaceError) as refused:
        collapse_rule(tmp_path / "extraction")
    assert str(refused.value) == (f"{config}:extraction.quips.collapse: 'average': expected one of "
                                  "grooten, worst_domain (line 6)")


def test_status_counts_one_study_file_in_the_singular(tmp_path: Path) -> None:
    """`review status` said "extraction 1 study files" (walk26): one file is one study file."""
    runner = CliRunner()
    workspace = tmp_path / "ws"
    assert runner.invoke(main, ["init", str(workspace), "--title", "T"]).exit_code == 0
    studies = workspace / "extraction" / "studies"
    studies.mkdir(parents=True, exist_ok=True)
    (studies / "a2020.toml").write_text('[study]\nid = "a2020"\n', encoding="utf-8")
    one = runner.invoke(main, ["--workspace", str(workspace), "status"])
    assert "extraction 1 study file\n" in one.output
    (studies / "b2021.toml").write_text('[study]\nid = "b2021"\n', encoding="utf-8")
    two = runner.invoke(main, ["--workspace", str(workspace), "status"])
    assert "extraction 2 study files\n" in two.output
    # extraction validate's failure line said the same ("1 problem(s) in 1 study files"):
    (studies / "b2021.toml").unlink()
    (workspace / "extraction" / "factors.toml").write_text(
        '[[factor]]\nid = "f"\nlabel_en = "F"\nlabel_nl = "F"\ndomain = "work"\nmodifiable = true\n'
        'assessable = true\n', encoding="utf-8")
    bad = runner.invoke(main, ["--workspace", str(workspace), "extraction", "validate"])
    assert bad.exit_code == 4 and bad.stderr.endswith(" in 1 study file\n") and "(s)" not in bad.stderr
