"""A display rule of scoring.toml that names no factor of the synthesis (a misspelt id) never applies: the build
says so, naming file, key and line, as it names a base rate that traces to no study file."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from review.cli import main

REPO = Path(__file__).resolve().parents[2]


def _build(workspace, scoring: str):  # type: ignore[no-untyped-def]
    shutil.rmtree(workspace.root / "extraction")
    shutil.copytree(REPO / "extraction", workspace.root / "extraction")
    shutil.copy(REPO / "instrument" / "questions.toml", workspace.root / "instrument")
    (workspace.root / "instrument" / "scoring.toml").write_text(scoring, encoding="utf-8")
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "instrument", "build", "--no-exports"])
    assert result.exit_code == 0, result.output
    return result


def test_a_misspelt_factor_in_a_display_rule_is_named(workspace):
    # walk33: 'chronic_diseas' dropped the pre-registered rule silently, and chronic disease (Arends 2014's
    # OR 0.54 against the expected risk) was asked as a protective signal
    shipped = (REPO / "instrument" / "scoring.toml").read_text(encoding="utf-8")
    misspelt = shipped.replace("expected_direction = { chronic_disease", "expected_direction = { chronic_diseas")
    misspelt = misspelt.replace("independent_factors = []", 'independent_factors = [["older_age", "age_band"]]')
    assert misspelt != shipped
    line = {name: i for i, row in enumerate(misspelt.splitlines(), 1) for name in ("expected_direction",
                                                                                    "independent_factors")
            if row.startswith(name)}
    result = _build(workspace, misspelt)
    scoring = workspace.root / "instrument" / "scoring.toml"
    warnings = [row for row in result.stderr.splitlines() if "no factor" in row]
    assert warnings == [
        f"review: warning: {scoring}:display.expected_direction.chronic_diseas: no factor 'chronic_diseas' in the "
        f"synthesis, so this rule never applies (a misspelt factor id?) (line {line['expected_direction']})",
        f"review: warning: {scoring}:display.independent_factors: no factor 'age_band' in the synthesis, so this rule "
        f"never applies (a misspelt factor id?) (line {line['independent_factors']})"]


def test_the_shipped_rules_name_real_factors(workspace):
    result = _build(workspace, (REPO / "instrument" / "scoring.toml").read_text(encoding="utf-8"))
    assert "no factor" not in result.stderr
