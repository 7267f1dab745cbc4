"""The validate reports name a CI's level as every output does (``levels.level_percent``): 0.995 is
``99.5%``, not ``100%``; 95 % stays ``95%`` as these reports have always printed it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main

RATINGS = "target,rater,score\n" + "".join(
    f"{t},{r},{s}\n" for t, pair in enumerate([(1, 1), (0, 0), (1, 0), (1, 1), (0, 0), (0, 1), (1, 1), (0, 0)], 1)
    for r, s in zip("ab", pair))


@pytest.mark.parametrize(("level", "shown"), [("0.995", "99.5%"), ("0.975", "97.5%"), ("0.95", "95%")])
def test_kappa_and_icc_headers_name_the_level_with_its_decimals(tmp_path: Path, level: str, shown: str) -> None:
    # '{level:.0%}' printed '100% CIs' at 0.995 and '98% CI' at 0.975
    path = tmp_path / "k.csv"
    path.write_text(RATINGS, encoding="utf-8")
    kappa = CliRunner().invoke(main, ["validate", "kappa", str(path), "--bootstrap", "0", "--level", level])
    assert kappa.exit_code == 0, kappa.output
    assert f"({shown} CIs; AC1 bootstrap" in kappa.stdout
    icc = CliRunner().invoke(main, ["validate", "icc", str(path), "--level", level])
    assert icc.exit_code == 0, icc.output
    assert f" {shown} CI " in icc.stdout


@pytest.mark.parametrize(("level", "shown"), [("0.9", "90%"), ("0.95", "95%")])
def test_the_sus_mean_names_its_interval_and_level(tmp_path: Path, level: str, shown: str) -> None:
    # walk28: 'mean 70.6 (60.0 to 81.2), SD 16.7' left the reader to guess what the brackets hold
    path = tmp_path / "sus.csv"
    path.write_text("respondent," + ",".join(f"q{i}" for i in range(1, 11)) + "\n"
                    "r1,4,2,5,2,5,2,5,2,4,2\nr2,4,1,5,2,5,2,3,2,4,3\nr3,3,3,3,3,3,3,3,3,3,3\n", encoding="utf-8")
    sus = CliRunner().invoke(main, ["validate", "sus", str(path), "--level", level])
    assert sus.exit_code == 0, sus.output
    (line,) = [line for line in sus.stdout.splitlines() if line.startswith("mean ")]
    assert line.startswith(f"mean 70.0 ({shown} t CI "), line  # 82.5, 77.5, 50


def test_one_sus_respondent_has_no_interval_to_name(tmp_path: Path) -> None:
    # the level prefixed to 'CI n/a' read 'mean 82.5 (95% t CI CI n/a)'
    path = tmp_path / "sus.csv"
    path.write_text("respondent," + ",".join(f"q{i}" for i in range(1, 11)) + "\nr1,4,2,5,2,5,2,5,2,4,2\n",
                    encoding="utf-8")
    sus = CliRunner().invoke(main, ["validate", "sus", str(path)])
    assert sus.exit_code == 0, sus.output
    (line,) = [line for line in sus.stdout.splitlines() if line.startswith("mean ")]
    assert line.startswith("mean 82.5 (CI n/a); "), line
