"""Issue #18 meta-analysis items: HK ad hoc, valid JSON, 2×2 counts, asymmetric CIs, mixed measures."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared_data import shared_path
from review.cli import main
from review.errors import ImportFormatError
from review.synthesis.effects_csv import read_effects_csv
from review.synthesis.meta import effects_from_2x2, pool

REFERENCE = ("data", "meta_reference")


def _write(tmp_path: Path, text: str, name: str = "est.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _strict_json(path: Path) -> dict:
    def refuse(token: str) -> None:
        raise AssertionError(f"non-JSON constant {token}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def _bcg_counts() -> list[dict[str, str]]:
    with shared_path(*REFERENCE, "bcg_colditz1994_inputs.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _bcg_case(case_id: str) -> dict:
    data = json.loads(shared_path(*REFERENCE, "bcg_colditz1994_expected.json").read_text(encoding="utf-8"))
    return next(c for c in data["cases"] if c["id"] == case_id)


def test_adhoc_equals_knha_when_the_factor_exceeds_one() -> None:
    """dat.bcg RR, REML: the HK factor is > 1, so the floor changes nothing (metafor knha values)."""
    rows = _bcg_counts()
    yi, vi = effects_from_2x2("RR", *([float(r[k]) for r in rows] for k in ("tpos", "tneg", "cpos", "cneg")))
    adhoc = pool(yi, vi, method="REML", hk_adhoc=True, measure="RR")
    case = _bcg_case("RR_REML_knha")
    assert adhoc.hk and adhoc.hk_adhoc and adhoc.hk_scale is not None and adhoc.hk_scale > 1
    assert (adhoc.estimate, adhoc.ci_low, adhoc.ci_high) == pytest.approx(
        (case["beta"], case["ci_lb"], case["ci_ub"]), abs=5e-5)


def test_adhoc_never_narrower_than_the_common_effect_when_studies_agree() -> None:
    yi, vi = [math.log(1.65)] * 3, [0.02, 0.03, 0.025]
    fixed = pool(yi, vi, method="FE")
    knha = pool(yi, vi, method="REML", hk=True)
    adhoc = pool(yi, vi, method="REML", hk_adhoc=True)
    assert knha.ci_high - knha.ci_low < 1e-12  # the collapse the issue reports
    assert adhoc.ci_low < fixed.ci_low and adhoc.ci_high > fixed.ci_high
    assert adhoc.hk_scale == pytest.approx(0.0, abs=1e-20) and math.isfinite(adhoc.statistic)


def test_json_is_valid_even_when_t_is_infinite(tmp_path: Path) -> None:
    path = _write(tmp_path, "study,estimate,ci_low,ci_high\nA,1.65,1.20,2.27\nB,1.65,1.20,2.27\n")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["meta", str(path), "--hk", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = _strict_json(out)
    assert data["result"]["statistic"] is None and data["result"]["hk_adhoc"] is False
    adhoc = CliRunner().invoke(main, ["meta", str(path), "--hk-adhoc", "--json", str(out)])
    assert adhoc.exit_code == 0 and "+ HK ad hoc" in adhoc.output
    assert _strict_json(out)["result"]["hk_adhoc"] is True


def test_two_by_two_counts_match_metafor(tmp_path: Path) -> None:
    lines = ["study,ai,n1i,ci,n2i"]
    for r in _bcg_counts():
        tpos, tneg, cpos, cneg = (int(r[k]) for k in ("tpos", "tneg", "cpos", "cneg"))
        lines.append(f"{r['author']} {r['year']},{tpos},{tpos + tneg},{cpos},{cpos + cneg}")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    out = tmp_path / "bcg.json"
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "RR", "--hk", "--json", str(out)])
    assert result.exit_code == 0, result.output
    case = _bcg_case("RR_REML_knha")
    got = _strict_json(out)["result"]
    assert (got["estimate"], got["ci_low"], got["ci_high"]) == pytest.approx(
        (case["beta"], case["ci_lb"], case["ci_ub"]), abs=5e-5)
    assert "continuity correction" not in result.output


def test_zero_cell_gets_half_in_every_cell_and_says_so(tmp_path: Path) -> None:
    path = _write(tmp_path, "study,ai,n1i,ci,n2i\nZero,0,10,5,10\nFull,3,20,6,20\n")
    table = read_effects_csv(path, measure="OR")
    assert table.corrected == ["Zero"]
    assert table.yi[0] == pytest.approx(math.log((0.5 * 5.5) / (10.5 * 5.5)))
    assert table.vi[0] == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 5.5 + 1 / 5.5)
    assert table.yi[1] == pytest.approx(math.log((3 * 14) / (17 * 6)))  # untouched
    result = CliRunner().invoke(main, ["meta", str(path)])
    assert result.exit_code == 0, result.output
    assert "0.5 added to every cell of Zero" in result.output
    bad = _write(tmp_path, "study,ai,n1i,ci,n2i\nA,11,10,5,10\n", "bad.csv")
    with pytest.raises(ImportFormatError, match="line 2:ai: 11 events in a group of 10"):
        read_effects_csv(bad)


def test_asymmetric_ci_warns_and_is_printed_as_entered(tmp_path: Path) -> None:
    path = _write(tmp_path, "study,estimate,ci_low,ci_high\nSkewed,2.0,1.5,4.0\nArends 2014,2.59,1.40,4.80\n")
    result = CliRunner().invoke(main, ["meta", str(path)])
    assert result.exit_code == 0, result.output
    assert "Skewed: CI 1.5-4.0 is asymmetric" in result.stderr
    assert "Arends" not in result.stderr  # rounding explains its offset
    skewed = next(line for line in result.stdout.splitlines() if line.startswith("Skewed"))
    assert "1.50" in skewed and "4.00" in skewed  # as entered, not the recomputed 1.22-3.27


def test_measure_column(tmp_path: Path) -> None:
    mixed = _write(tmp_path, "study,measure,estimate,ci_low,ci_high\nA,OR,2.0,1.2,3.33\nB,HR,1.5,1.1,2.05\n")
    result = CliRunner().invoke(main, ["meta", str(mixed)])
    assert result.exit_code == ImportFormatError.exit_code
    assert "line 3:measure: HR differs from OR on line 2" in result.output
    assert len(result.output.strip().splitlines()) == 1
    hazard = _write(tmp_path, "study,measure,estimate,ci_low,ci_high\nA,HR,2.0,1.2,3.33\nB,hr,1.5,1.1,2.05\n",
                    "hr.csv")
    assert read_effects_csv(hazard, measure=None).measure == "HR"
    shown = CliRunner().invoke(main, ["meta", str(hazard)])
    assert shown.exit_code == 0 and "HR" in shown.output.splitlines()[0]
    refused = CliRunner().invoke(main, ["meta", str(hazard), "--measure", "OR"])
    assert refused.exit_code == ImportFormatError.exit_code and "--measure OR" in refused.output


def test_synthesis_pools_with_hk_adhoc_by_default() -> None:
    from review.synthesis.factors import SynthesisSettings

    assert SynthesisSettings().hk_adhoc
    assert SynthesisSettings.from_config({}).hk_adhoc
    knha = SynthesisSettings.from_config({"hk_adhoc": False})
    assert knha.hk and not knha.hk_adhoc
