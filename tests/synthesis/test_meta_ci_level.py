"""``review meta``: the ``ci_level`` column is a level (fraction or percent) or a one-line error, and
``--level`` away from 95 % warns about entered CIs that state no level."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.synthesis.meta import pool


def _levels_file(tmp_path: Path, level: str) -> Path:
    path = tmp_path / "levels.csv"
    path.write_text(f"study,estimate,ci_low,ci_high,ci_level\nA,2.59,1.40,4.80,{level}\nB,1.46,1.01,2.10,0.95\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("level", ["0", "1", "100", "150", "-1", "-0.9", "0.0001", "0.4", "1.5", "49.9"])
def test_a_ci_level_that_is_no_level_is_one_line_naming_the_cell(tmp_path: Path, level: str) -> None:
    # 0 raised ZeroDivisionError; 1, 100, 150 and -1 said "variance must be positive", naming no column;
    # 1.5 was read as 1.5 % and 0.0001 taken, where a study file refused both (one rule for both readers).
    path = _levels_file(tmp_path, level)
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "OR"])
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr == (f"review: {path}:line 2:ci_level: {float(level)!r} is no confidence level: give a "
                             "fraction 0.5 ≤ x < 1 (0.95) or a percent 50 ≤ x < 100 (95)\n")


@pytest.mark.parametrize("level", ["0.9", "90", "99.5", "0.5", "50"])
def test_a_ci_level_as_fraction_or_percent_gives_the_same_pool(tmp_path: Path, level: str) -> None:
    path = _levels_file(tmp_path, level)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "OR", "--json", str(out)])
    assert result.exit_code == 0, result.output
    fraction = float(level) / 100 if float(level) > 1 else float(level)
    z = {0.5: 0.6744897501960817, 0.9: 1.6448536269514722, 0.995: 2.807033768343811}[fraction]
    assert json.loads(out.read_text())["result"]["vi"][0] == pytest.approx(
        ((math.log(4.80) - math.log(1.40)) / (2 * z)) ** 2)


def _wide_file(tmp_path: Path) -> Path:
    # a 50 % CI of 1e-200 to 1e200: an SE so wide that exp of the study's 95 % bound overflows
    path = tmp_path / "wide.csv"
    path.write_text("study,estimate,ci_low,ci_high,ci_level\nA,2.59,1e-200,1e200,0.5\nB,1.46,1.01,2.10,0.95\n",
                    encoding="utf-8")
    return path


def test_a_very_wide_entered_ci_prints_an_infinite_bound_instead_of_a_traceback(tmp_path: Path) -> None:
    path = _wide_file(tmp_path)
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "OR", "--method", "FE"])
    assert result.exit_code == 0, result.output
    study_a = next(line for line in result.stdout.splitlines() if line.startswith("A "))
    assert "inf" in study_a and "0.00" in study_a


def test_a_forest_plot_of_a_very_wide_entered_ci_is_drawn(tmp_path: Path) -> None:
    # the plot's labels called math.exp itself: OverflowError where the printed table showed inf
    plot = tmp_path / "p.svg"
    result = CliRunner().invoke(main, ["meta", str(_wide_file(tmp_path)), "--measure", "OR", "--method", "FE",
                                       "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert plot.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_back_transform_of_a_huge_log_value_is_infinity() -> None:
    result = pool([0.0, 0.1], [1.0, 1.0], method="FE", measure="OR", studies=["A", "B"])
    assert result.back(1e6) == math.inf and result.back(-1e6) == 0.0
    mean_difference = pool([0.0, 0.1], [1.0, 1.0], method="FE", measure="MD", studies=["A", "B"])
    assert mean_difference.back(1e6) == 1e6


def test_level_away_from_95_warns_once_about_entered_cis_without_a_level(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("study,estimate,ci_low,ci_high,ci_level\nA,2.59,1.40,4.80,90\nB,1.46,1.01,2.10,\n"
                    "C,1.10,0.80,1.51,\n", encoding="utf-8")
    asked = CliRunner().invoke(main, ["meta", str(path), "--measure", "OR", "--level", "0.9"])
    assert asked.exit_code == 0, asked.output
    assert asked.stderr.splitlines() == [
        f"warning: {path}: --level 0.9 sets the pooled and computed intervals only; the entered CIs of 2 of 3 "
        "studies have no ci_level and are read as 95 % CIs (add a ci_level column if they are not)"]
    default = CliRunner().invoke(main, ["meta", str(path), "--measure", "OR"])
    assert default.exit_code == 0 and default.stderr == ""
    stated = tmp_path / "stated.csv"
    stated.write_text("study,estimate,ci_low,ci_high,ci_level\nA,2.59,1.40,4.80,90\nB,1.46,1.01,2.10,95\n",
                      encoding="utf-8")
    all_stated = CliRunner().invoke(main, ["meta", str(stated), "--measure", "OR", "--level", "0.9"])
    assert all_stated.exit_code == 0 and all_stated.stderr == ""
    counts = tmp_path / "counts.csv"
    counts.write_text("study,ai,n1i,ci,n2i\nA,4,20,2,20\nB,6,30,3,30\n", encoding="utf-8")
    no_entered = CliRunner().invoke(main, ["meta", str(counts), "--measure", "OR", "--level", "0.9"])
    assert no_entered.exit_code == 0 and no_entered.stderr == ""


def test_the_markdown_names_a_level_with_its_decimals() -> None:
    # '{level:.0%}' wrote 'Q-profile 98 % CI' and '98 % prediction interval' at 0.975, '100 %' at 0.995
    from review.synthesis.report import _ci, _prediction_text

    assert _ci((0.1, 0.2), ".4f", 0.975) == " (Q-profile 97.5 % CI 0.1000-0.2000)"
    assert _ci((0.1, 0.2), ".4f", 0.95) == " (Q-profile 95 % CI 0.1000-0.2000)"
    result = pool([0.1, 0.5, 0.9, 0.2], [0.04, 0.05, 0.06, 0.05], method="REML", measure="OR",
                  studies=["A", "B", "C", "D"], level=0.995)
    assert _prediction_text(result).startswith(", 99.5 % prediction interval (t, k − 2 = 2 df) ")
