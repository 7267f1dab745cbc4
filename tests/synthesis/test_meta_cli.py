"""``review meta``: CSV in, table / JSON / forest plot out, one-line errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.synthesis.effects_csv import read_effects_csv
from review.errors import ImportFormatError

CMD_ROWS = "study,estimate,ci_low,ci_high\nArends 2014,2.59,1.40,4.80\nEndo 2015,1.46,1.01,2.10\nThird,1.10,0.80,1.51\n"


def _write(tmp_path: Path, text: str, name: str = "est.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_meta_prints_table_and_writes_json_and_plots(tmp_path: Path) -> None:
    csv_path = _write(tmp_path, CMD_ROWS)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["meta", str(csv_path), "--measure", "OR", "--method", "REML", "--hk",
                                       "--json", str(out), "--plot", str(tmp_path / "f.png")])
    assert result.exit_code == 0, result.output
    assert "random effects (REML) + HK" in result.output and "Arends 2014" in result.output
    data = json.loads(out.read_text())
    assert data["result"]["k"] == 3 and data["result"]["df"] == 2
    assert data["result"]["exp"]["estimate"] == pytest.approx(math.exp(data["result"]["estimate"]))
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stderr.splitlines() == [f"wrote {out}", f"wrote {tmp_path / 'f.png'}"]  # stdout: the table only
    assert "wrote" not in result.stdout
    svg = tmp_path / "f.svg"
    assert CliRunner().invoke(main, ["meta", str(csv_path), "--plot", str(svg)]).exit_code == 0
    assert b"<svg" in svg.read_bytes()[:400]


def test_a_file_that_names_no_measure_is_read_as_odds_ratios_with_a_warning(tmp_path: Path) -> None:
    # yi on another scale (a mean difference) was back-transformed as log odds without a word.
    csv_path = _write(tmp_path, CMD_ROWS)
    unnamed = CliRunner().invoke(main, ["meta", str(csv_path)])
    assert unnamed.exit_code == 0 and "OR" in unnamed.stdout
    assert unnamed.stderr.splitlines() == [f"warning: {csv_path}: no --measure and no measure column: the "
                                           "estimates are read as odds ratios (OR); name the measure if they are not"]
    named = CliRunner().invoke(main, ["meta", str(csv_path), "--measure", "or"])
    assert named.exit_code == 0 and named.stderr == "" and named.stdout == unnamed.stdout


def test_a_plot_of_a_kind_it_cannot_draw_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    # --plot f.pdf printed the table and wrote --json, then failed with exit 1.
    csv_path = _write(tmp_path, CMD_ROWS)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["meta", str(csv_path), "--json", str(out), "--plot", str(tmp_path / "f.pdf")])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"review: {tmp_path / 'f.pdf'}: plot format must be one of .png, .svg\n"
    assert not out.exists()


def test_a_study_entered_twice_is_warned_about(tmp_path: Path) -> None:
    # It was pooled twice without a word.
    csv_path = _write(tmp_path, CMD_ROWS + "Endo 2015,1.46,1.01,2.10\n")
    result = CliRunner().invoke(main, ["meta", str(csv_path), "--measure", "OR"])
    assert result.exit_code == 0 and result.stdout.count("Endo 2015") == 2
    assert result.stderr == (f"warning: {csv_path}:line 5: study 'Endo 2015' is also on line 3; both rows are pooled "
                             "as separate studies (give them distinct labels if they are)\n")


def test_yi_with_sei_equals_ci_input(tmp_path: Path) -> None:
    from_ci = read_effects_csv(_write(tmp_path, CMD_ROWS), measure="OR")
    lines = ["study,yi,sei"] + [f"{s},{y!r},{math.sqrt(v)!r}" for s, y, v in zip(from_ci.studies, from_ci.yi, from_ci.vi)]
    from_yi = read_effects_csv(_write(tmp_path, "\n".join(lines) + "\n", "yi.csv"), measure="OR")
    assert from_yi.yi == pytest.approx(from_ci.yi, rel=1e-15)
    assert from_yi.vi == pytest.approx(from_ci.vi, rel=1e-12)


@pytest.mark.parametrize("text,fragment", [
    ("name,estimate\nA,1\n", "line 1: needs a 'study' column and one of estimate,ci_low,ci_high; yi with vi or sei; "
                              "2x2 counts ai,n1i,ci,n2i (the header has name, estimate; 'name' reads as a study label: "
                              "rename it to study)"),
    # quit31: metafor's dat.bcg as R writes it: the sets review meta takes, and the one column that labels the studies
    # (text, mostly distinct, 'Rosenthal et al' in 1960 and 1961: not trial, a number, nor alloc, 'random' thrice)
    ("trial,author,year,tpos,tneg,cpos,cneg,ablat,alloc\n1,Aronson,1948,4,119,11,128,44,random\n"
     "2,Ferguson & Simes,1949,6,300,29,274,55,random\n3,Rosenthal et al,1960,3,228,11,209,42,random\n"
     "4,Rosenthal et al,1961,17,1699,65,1600,42,alternate\n",
     "line 1: needs a 'study' column and one of estimate,ci_low,ci_high; yi with vi or sei; 2x2 counts "
     "ai,n1i,ci,n2i (the header has trial, author, year, tpos, tneg, cpos, cneg, ablat, alloc; 'author' reads as a "
     "study label: rename it to study)"),
    ("name,estimate,ci_low,ci_high\nA,2,1,4\nB,3,1,9\n",
     "line 1: needs a 'study' column (the header has name, estimate, ci_low, ci_high; 'name' reads as a study label: "
     "rename it to study)"),
    ("author,country,yi,vi\nA,NL,0.1,0.02\nB,DE,0.2,0.03\n",
     "(the header has author, country, yi, vi; 'author' or 'country' read as a study label: rename one to study)"),
    ("id,yi,vi\n1,0.1,0.02\n2,0.2,0.03\n", "line 1: needs a 'study' column (the header has id, yi, vi)"),
    ("study,estimate\nA,1\n", "needs columns estimate,ci_low,ci_high or yi"),
    # the columns found named: metafor's y and v, R meta's metabin names, a header ';' and ',' split alike (fresh31)
    ("study,y,v\nA,0.1,0.02\n", "(or 2x2 counts ai,n1i,ci,n2i); the header has study, y, v"),
    ("study,event_e,n_e,event_c,n_c\nA,1,10,2,10\n", "; the header has study, event_e, n_e, event_c, n_c"),
    ("study;yi,vi\nA;0,1,0,02\n", "line 1: needs a 'study' column and one of estimate,ci_low,ci_high; yi with vi or "
                                  "sei; 2x2 counts ai,n1i,ci,n2i (the header has study;yi, vi)"),
    ("study,estimate,ci_low,ci_high\nA,2.0,1.0,x\n", "line 2:ci_high: not a number"),
    ("study,estimate,ci_low,ci_high\nA,3.0,1.0,2.0\n", "line 2: estimate 3 lies outside its CI 1-2"),
    ("study,yi,vi\nA,0.1,0\n", "line 2:vi: 0 is no variance (it must be above 0)"),
    # walk30: a negative standard error was squared into a valid variance and pooled without a word
    ("study,yi,sei\nA,0.1,0.2\nB,0.2,-0.1\n", "line 3:sei: -0.1 is no standard error (it must be above 0)"),
    ("study,yi,sei\nA,0.1,0\n", "line 2:sei: 0 is no standard error (it must be above 0)"),
    ("study,yi,vi\nA,0.1,-0.02\n", "line 2:vi: -0.02 is no variance (it must be above 0)"),
    # A blank vi was reported as column 'sei', which this file does not have.
    ("study,yi,vi\nA,0.1,0.2\nB,0.2,\n", "line 3:vi: empty: the study needs its vi"),
    ("study,yi,sei\nA,0.1,0.2\nB,0.2,\n", "line 3:sei: empty: the study needs its sei"),
    ("study,yi,vi,sei\nA,0.1,0.2,\nB,0.2,,\n", "line 3:vi: empty: the study needs its vi or sei"),
])
def test_bad_csv_gives_one_line_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ImportFormatError) as info:
        read_effects_csv(path)
    assert fragment in str(info.value) and "\n" not in str(info.value)
    result = CliRunner().invoke(main, ["meta", str(path)])
    assert result.exit_code == ImportFormatError.exit_code


def test_mean_difference_is_pooled_on_the_raw_scale(tmp_path: Path) -> None:
    path = _write(tmp_path, "study,estimate,ci_low,ci_high\nA,-2.0,-3.96,-0.04\nB,-1.0,-2.96,0.96\n")
    table = read_effects_csv(path, measure="MD")
    assert table.yi == [-2.0, -1.0]
    assert table.vi[0] == pytest.approx(1.0, rel=1e-4)


def test_single_study_pools_to_itself(tmp_path: Path) -> None:
    path = _write(tmp_path, "study,estimate,ci_low,ci_high\nA,2.59,1.40,4.80\n")
    result = CliRunner().invoke(main, ["meta", str(path), "--hk", "--method", "REML"])
    assert result.exit_code == 0, result.output
    assert "2.59" in result.output and "t(" not in result.output  # no HK rescaling with k = 1


def test_identical_estimates_under_hk_do_not_crash() -> None:
    from review.synthesis.meta import pool

    result = pool([0.5, 0.5], [0.1, 0.2], method="DL", hk=True)
    assert result.se == 0 and math.isinf(result.statistic) and result.pvalue == 0


def test_line_breaks_in_cells_and_blank_lines_keep_rows_and_line_numbers(tmp_path: Path) -> None:
    # Excel writes Alt+Enter in a cell as a quoted line break; Word pastes U+2028. splitlines() cut
    # both rows in two ("line 3: no ci_low/ci_high"), and a blank line shifted every later line number.
    path = _write(tmp_path, 'study,estimate,ci_low,ci_high\n"Arends\n2014",2.59,1.40,4.80\n'
                            "Endo\u20282015,1.46,1.01,2.10\nThird,1.10,0.80,1.51\n")
    assert read_effects_csv(path).studies == ["Arends 2014", "Endo 2015", "Third"]
    blank = _write(tmp_path, "study,estimate,ci_low,ci_high\nA,2.0,1.5,2.7\n\nB,x,1.1,2.0\n", "blank.csv")
    with pytest.raises(ImportFormatError, match=r"blank\.csv:line 4:estimate: not a number: 'x'"):
        read_effects_csv(blank)


@pytest.mark.parametrize("column,first,second,why", [
    ("estimate_type", "adjusted", "crude", "adjusted and crude estimates are not pooled"),
    ("contrast", "per year of age", ">50 vs <=50 years", "per unit and dichotomised"),
    # the synthesis's pooling key also checks the reference category: review meta said nothing
    ("reference", "never married", "married", "different reference categories are not pooled"),
])
def test_meta_refuses_mixed_adjustment_or_contrast(tmp_path: Path, column: str, first: str, second: str,
                                                   why: str) -> None:
    csv_path = _write(tmp_path, f"study,estimate,ci_low,ci_high,{column}\nA,2.59,1.40,4.80,{first}\n"
                                f"B,1.46,1.01,2.10,{first}\nC,1.10,0.80,1.51,\"{second}\"\n")
    result = CliRunner().invoke(main, ["meta", str(csv_path), "--measure", "OR"])
    assert result.exit_code == 3 and result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line and f"{csv_path}:line 4:{column}:" in line and why in line and "line 2" in line
    same = _write(tmp_path, f"study,estimate,ci_low,ci_high,{column}\nA,2.59,1.40,4.80,{first}\n"
                            f"B,1.46,1.01,2.10,{first.upper()}\nC,1.10,0.80,1.51,\n", name="same.csv")
    assert CliRunner().invoke(main, ["meta", str(same), "--measure", "OR"]).exit_code == 0


def test_one_study_is_shown_not_pooled_as_metafor_fits_it(tmp_path: Path) -> None:
    csv_path = _write(tmp_path, "study,estimate,ci_low,ci_high\nArends 2014,2.59,1.40,4.80\n")
    out = tmp_path / "one.json"
    result = CliRunner().invoke(main, ["meta", str(csv_path), "--measure", "OR", "--hk", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "one study: nothing is pooled" in result.stderr
    assert "random effects" not in result.stdout and "common effect" in result.stdout
    data = json.loads(out.read_text())
    assert data["result"]["method"] == "FE" and data["result"]["hk"] is False and data["result"]["df"] is None
    assert data["result"]["exp"]["estimate"] == pytest.approx(2.59)
    assert "common_effect" not in data  # the one result is the common-effect one


def test_hartung_knapp_on_a_common_effect_model_is_computed_with_metafors_warning(tmp_path: Path) -> None:
    csv_path = _write(tmp_path, CMD_ROWS)
    result = CliRunner().invoke(main, ["meta", str(csv_path), "--measure", "OR", "--method", "FE", "--hk"])
    assert result.exit_code == 0 and "common effect + HK" in result.stdout
    assert "Hartung–Knapp with --method FE" in result.stderr


def test_review_meta_and_the_synthesis_pool_on_one_key() -> None:
    """The columns review meta requires uniform are the synthesis's pooling key (measure checked apart)."""
    from review.synthesis.effects_csv import UNIFORM_COLUMNS
    from review.synthesis.factors import POOL_KEY, _pool_key
    from review.synthesis.pool_key import POOL_FIELDS

    assert POOL_KEY == "same measure, contrast, reference and adjustment"  # synthesis.csv's wording, unchanged
    assert ["measure", *UNIFORM_COLUMNS] == [name for name, _, _ in POOL_FIELDS]
    from review.extraction.model import Estimate
    estimate = Estimate(factor="f", contrast="c", estimate_type="adjusted", source_location="T2", measure="OR",
                        reference="r")
    assert _pool_key(estimate) == ("OR", "c", "r", "adjusted")


def test_level_sets_the_computed_intervals_not_the_level_of_the_entered_ones(tmp_path: Path) -> None:
    # --level 0.9 read the published 95 % CIs as 90 % ones: every SE 1.19 times too large, and the table
    # printed the entered 95 % CIs under a '90%-CI' header.
    csv_path = _write(tmp_path, CMD_ROWS)
    runs = {}
    for level in ("0.95", "0.9"):
        out = tmp_path / f"r{level}.json"
        result = CliRunner().invoke(main, ["meta", str(csv_path), "--measure", "OR", "--method", "FE",
                                           "--level", level, "--json", str(out)])
        assert result.exit_code == 0, result.output
        runs[level] = (json.loads(out.read_text())["result"], result.stdout)
    z95 = 1.959963984540054
    assert runs["0.9"][0]["vi"][0] == pytest.approx(((math.log(4.80) - math.log(1.40)) / (2 * z95)) ** 2)
    assert runs["0.9"][0]["vi"] == pytest.approx(runs["0.95"][0]["vi"])
    assert runs["0.9"][0]["ci_high"] < runs["0.95"][0]["ci_high"]
    arends = next(line for line in runs["0.9"][1].splitlines() if line.startswith("Arends 2014"))
    se = math.sqrt(runs["0.9"][0]["vi"][0])
    low, high = (math.exp(math.log(2.59) + s * 1.6448536269514722 * se) for s in (-1, 1))
    assert f"[{low:7.2f}; {high:7.2f}]" in arends and "4.80" not in arends  # 90 % CI from the SE
    assert "[   1.40;    4.80]" in next(x for x in runs["0.95"][1].splitlines() if x.startswith("Arends 2014"))
    # A ci_level column still says what each entered CI is.
    given = _write(tmp_path, "study,estimate,ci_low,ci_high,ci_level\nA,2.59,1.40,4.80,0.9\nB,1.46,1.01,2.10,90\n",
                   name="levels.csv")
    out = tmp_path / "levels.json"
    result = CliRunner().invoke(main, ["meta", str(given), "--measure", "OR", "--level", "0.9", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["result"]["vi"][0] == pytest.approx(
        ((math.log(4.80) - math.log(1.40)) / (2 * 1.6448536269514722)) ** 2)
    assert "[   1.40;    4.80]" in result.stdout  # entered at the level asked: shown as entered


@pytest.mark.parametrize("method", ["REML", "DL", "PM", "ML", "FE"])
@pytest.mark.parametrize("rows,fragment", [
    # walk30: each was a ZeroDivisionError or OverflowError traceback
    ("A,0.5,1e-20\nB,0.2,0.1\nC,0.3,0.05\n",
     "line 2:vi: 1e-20 is 1e+19 times smaller than the largest variance (0.1, line 3): beyond 4.5e+15 the other "
     "studies' weights vanish beside its weight in double precision, so nothing of them would be pooled; check "
     "the value"),
    ("A,0.5,1e-160\nB,0.2,1e-160\nC,0.3,1e-160\n",
     "line 2:vi: 1e-160 is outside 1e-100 to 1e+100, where a pool's weights (1/vi, their squares and cubes) stay "
     "within double precision; check the value, or rescale yi (vi with its square)"),
    ("A,0.5,1e+200\nB,0.2,1e+200\nC,0.3,1e+200\n", "line 2:vi: 1e+200 is outside 1e-100 to 1e+100"),
])
def test_variances_beyond_double_precision_are_one_line(tmp_path: Path, method: str, rows: str, fragment: str) -> None:
    path = _write(tmp_path, "study,yi,vi\n" + rows)
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "MD", "--method", method])
    assert result.exit_code == ImportFormatError.exit_code, result.output
    assert result.stderr.startswith(f"review: {path}:{fragment}") and result.stderr.count("\n") == 1


def test_the_engine_refuses_such_variances_in_one_line_too() -> None:
    from review.errors import ValidationError
    from review.synthesis.meta import pool

    with pytest.raises(ValidationError, match="times smaller than the largest"):
        pool([0.5, 0.2, 0.3], [1e-20, 0.1, 0.05])
    with pytest.raises(ValidationError, match="outside 1e-100 to 1e"):
        pool([0.5, 0.2], [1e-160, 1e-160], method="DL")


def test_a_variance_ratio_past_metafors_warning_is_named_on_stderr(tmp_path: Path) -> None:
    """metafor's rma.uni warns from a ratio of 1e7 that it may not obtain stable results; review meta said nothing."""
    path = _write(tmp_path, "study,yi,vi\nA,0.5,1e-9\nB,0.2,0.1\nC,0.3,0.05\n")
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "MD"])
    assert result.exit_code == 0, result.output
    assert (f"warning: {path}: the largest sampling variance (0.1, line 3) is 1e+08 times the smallest (1e-09, "
            "line 2): from 1e+07 metafor warns that it may not obtain stable results; check those values\n") in result.stderr
    calm = _write(tmp_path, "study,yi,vi\nA,0.5,1e-5\nB,0.2,0.1\n", "calm.csv")  # a ratio of 1e4
    assert "sampling variance" not in CliRunner().invoke(main, ["meta", str(calm), "--measure", "MD"]).stderr


def test_a_forest_plot_too_tall_for_a_png_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """walk30: --plot of 2,000 studies drew a PNG 168,840 px tall with 1.8 GB and 27 s CPU (20,000 would not fit in
    memory). Past 65,535 px one line says so, before the JSON is written; an SVG is drawn."""
    rows = "".join(f"s{i},{0.3 + (i % 7) * 0.01},{0.01 + (i % 5) * 0.002}\n" for i in range(800))
    path = _write(tmp_path, "study,yi,vi\n" + rows)
    out, plot = tmp_path / "r.json", tmp_path / "f.png"
    result = CliRunner().invoke(main, ["meta", str(path), "--measure", "MD", "--method", "DL", "--json", str(out),
                                       "--plot", str(plot)])
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"review: {plot}: a forest plot of 800 studies would be 68,040 px tall as PNG (at most "
                             "65,535): write it as .svg, or plot fewer studies\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["est.csv"]
    from review.synthesis.forest import png_height_problem, rows_from_result
    from review.synthesis.meta import pool

    def problem(k: int, name: str) -> str | None:
        result = pool([0.3] * k, [0.01] * k, method="DL", measure="MD", studies=[f"s{i}" for i in range(k)])
        return png_height_problem(rows_from_result(result), tmp_path / name, result=result, title="est")

    assert problem(760, "f.png") is None and problem(800, "f.svg") is None and problem(800, "f.png")
