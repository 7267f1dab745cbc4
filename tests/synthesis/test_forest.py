"""Forest plots: publication layout (labels, estimate [CI] text, weights, diamonds, PI, favours), 300 dpi, SVG text."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest

from review.synthesis.forest import ForestRow, _ticks, forest_plot, rows_from_result
from review.synthesis.meta import pool

LONG = "Third study with a long name (adjusted for age, sex and baseline symptoms)"


def _result():
    yi = [math.log(2.59), math.log(1.46), math.log(1.10)]
    vi = [((math.log(4.80) - math.log(1.40)) / 3.92) ** 2, ((math.log(2.10) - math.log(1.01)) / 3.92) ** 2,
          ((math.log(1.51) - math.log(0.80)) / 3.92) ** 2]
    studies = ["Arends 2014", "Endo 2015", LONG]
    fixed = pool(yi, vi, method="FE", studies=studies)
    return fixed, pool(yi, vi, method="REML", hk_adhoc=True, studies=studies)


def _png_dpi(path: Path) -> float:
    data = path.read_bytes()
    at = data.index(b"pHYs")
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1
    return per_metre * 0.0254


def test_svg_keeps_text_with_every_column(tmp_path: Path) -> None:
    fixed, result = _result()
    svg = forest_plot(rows_from_result(result), tmp_path / "f.svg", measure="OR", result=result, fixed=fixed,
                      title="A title that is long enough to have been cut off by the old layout of the plot")
    text = svg.read_text(encoding="utf-8")
    assert "<text" in text  # svg.fonttype = none: text stays text
    for fragment in ("Arends 2014", "2.59 [1.40; 4.80]", "Weight", "Common effect model",
                     "Random effects model (REML, HK ad hoc)", "Prediction interval", "lower risk", "higher risk",
                     "Heterogeneity: I²", "cut off by the old layout"):
        assert fragment in text, fragment
    # wrapped at word boundaries: every word of the long label survives, no line ends inside "(...)" words
    assert "(adjusted" in text and "symptoms)" in text
    assert f"{result.weights[0]:.1f}%" in text


def test_png_is_300_dpi(tmp_path: Path) -> None:
    fixed, result = _result()
    png = forest_plot(rows_from_result(result), tmp_path / "f.png", measure="OR", result=result, fixed=fixed)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _png_dpi(png) == pytest.approx(300, abs=1)


@pytest.mark.parametrize("low,high", [(0.4, 4.8), (1.01, 1.26), (0.01, 245.9), (0.55, 4.18)])
def test_ticks_cover_every_interval(low: float, high: float) -> None:
    ticks = _ticks(math.log(low), math.log(high), True)
    assert ticks[0] <= math.log(low) + 1e-12 and ticks[-1] >= math.log(high) - 1e-12
    assert 0.0 in ticks and len(ticks) <= 9


def test_raw_scale_ticks_cover_the_intervals(tmp_path: Path) -> None:
    ticks = _ticks(-3.96, 0.96, False)
    assert ticks[0] <= -3.96 and ticks[-1] >= 0.96
    path = forest_plot([ForestRow("A", -2.0, -3.96, -0.04)], tmp_path / "md.svg", measure="MD")
    assert "lower risk" not in path.read_text(encoding="utf-8")  # favours labels only where they mean something


def test_meta_favours_labels(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from review.cli import main

    csv_path = tmp_path / "e.csv"
    csv_path.write_text("study,estimate,ci_low,ci_high\nA,0.5,0.3,0.83\nB,0.7,0.5,0.98\n", encoding="utf-8")
    svg = tmp_path / "f.svg"
    result = CliRunner().invoke(main, ["meta", str(csv_path), "--plot", str(svg), "--favours", "favours CBT|favours usual care"])
    assert result.exit_code == 0, result.output
    assert "favours CBT" in svg.read_text(encoding="utf-8") and "favours usual care" in svg.read_text(encoding="utf-8")
    bad = CliRunner().invoke(main, ["meta", str(csv_path), "--plot", str(svg), "--favours", "only one"])
    assert bad.exit_code != 0 and "LEFT|RIGHT" in bad.output


def test_dollar_signs_in_labels_and_title_stay_text(tmp_path: Path) -> None:
    # mathtext would render "$5$" as "5" and fail outright on "$\\alpha_{bad$"
    rows = [ForestRow("Cost $5$ study", 0.5, 0.1, 0.9), ForestRow(r"Smith $\alpha_{bad$ 2019", 0.2, -0.3, 0.7)]
    path = forest_plot(rows, tmp_path / "d.svg", measure="OR", title="Title with $x^2$")
    text = path.read_text(encoding="utf-8")
    assert "Cost $5$ study" in text and r"Smith $\alpha_{bad$ 2019" in text and "Title with $x^2$" in text


@pytest.mark.parametrize("title", [
    "Short title",
    "Job demands (CIs published at another level are drawn at 95 % from their own level: koopmans2011, "
    "endo2015, virtanen2011, and a few more study names to wrap a caption to a third line at 110 characters)",
])
def test_a_wrapped_caption_stays_above_the_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  title: str) -> None:
    # with three rescaled studies the caption wrapped to two lines, its second drawn over "Study"
    from matplotlib.figure import Figure

    drawn: list[Figure] = []
    save = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: drawn.append(self) or save(self, *a, **k))
    fixed, random = _result()
    forest_plot(rows_from_result(random), tmp_path / "f.png", measure="OR", result=random, fixed=fixed, title=title)
    figure = drawn[0]
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    caption = next(t for t in figure.texts if t.get_text().startswith(title[:10]))
    header = next(t for axis in figure.axes for t in axis.texts if t.get_text() == "Study")
    assert (caption.get_text().count("\n") > 0) == (title != "Short title")
    assert caption.get_window_extent(renderer).y0 > header.get_window_extent(renderer).y1


def test_the_plots_heterogeneity_writes_i2_as_the_report_does() -> None:
    # The plot wrote I² whole, '100%' for 99.7 and '0%' for 0.3, where the report beside it says 99.7 and 0.3
    # (words.whole_percent; rrev26c #4).
    from dataclasses import replace

    from review.synthesis.forest import _heterogeneity

    _, result = _result()
    assert [_heterogeneity(replace(result, i2=i2)).split(",")[0] for i2 in (99.7, 0.3, 0.0, 42.4)] == [
        "Heterogeneity: I² = 99.7%", "Heterogeneity: I² = 0.3%", "Heterogeneity: I² = 0%", "Heterogeneity: I² = 42%"]
