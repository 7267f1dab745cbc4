"""Synthesis outputs: ``synthesis.csv`` (the instrument's input), ``synthesis.md`` and forest plots."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import fields
from pathlib import Path

from ..atomic import write_text_atomic
from ..errors import ImportFormatError
from ..extraction.model import RATIO_MEASURES
from ..records import FactorEvidence
from .factors import FactorResult, SynthesisSettings
from .forest import ForestRow, forest_plot
from .meta import effect_from_ci, z_quantile

CSV_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(FactorEvidence))
PLOTS_DIR = "plots"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if math.isfinite(value) else ""
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


def synthesis_csv(rows: list[FactorEvidence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, name)) for name in CSV_COLUMNS])
    return buffer.getvalue()


def load_synthesis(path: Path) -> list[FactorEvidence]:
    """Read ``synthesis.csv`` back into :class:`FactorEvidence` rows (the instrument's entry point)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ImportFormatError(path, None, f"cannot read ({err.strerror})") from err
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFormatError(path, "line 1", f"missing column {missing[0]!r}")
    out: list[FactorEvidence] = []
    for line, row in enumerate(reader, start=2):
        try:
            out.append(FactorEvidence(
                factor_id=row["factor_id"], label_en=row["label_en"], label_nl=row["label_nl"],
                domain=row["domain"], modifiable=_bool(row["modifiable"]), assessable=_bool(row["assessable"]),
                direction=row["direction"], level=row["level"], rule_set=row["rule_set"],
                studies=tuple(s for s in row["studies"].split(";") if s), measure=row["measure"],
                pooled_estimate=_float(row["pooled_estimate"]), ci_low=_float(row["ci_low"]),
                ci_high=_float(row["ci_high"]), i2=_float(row["i2"]), grade=row["grade"],
                explanation=row["explanation"],
            ))
        except ValueError as err:
            raise ImportFormatError(path, f"line {line}", str(err)) from err
    return out


def _bool(value: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ValueError(f"expected true/false, got {value!r}")


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


# -- plots ------------------------------------------------------------------------------------

def factor_plot(result: FactorResult, folder: Path) -> list[Path]:
    """PNG and SVG forest plot of a factor's ratio estimates (aligned to recurrence)."""
    rows = []
    measures = set()
    for row in result.rows:
        e = row.estimate
        aligned = e.aligned()
        if aligned is None or e.measure not in RATIO_MEASURES:
            continue
        y, se = effect_from_ci(*aligned, measure=e.measure, level=e.ci_level)
        z = z_quantile(0.95)
        label = f"{row.study.id} {e.measure}" + (f" [{e.subgroup}]" if e.subgroup else "")
        if e.contrast:
            label += f" {e.contrast[:38]}"
        rows.append(ForestRow(label, y, y - z * se, y + z * se, None))
        measures.add(e.measure)
    if not rows:
        return []
    measure = "/".join(sorted(measures))
    paths = []
    for suffix in (".png", ".svg"):
        paths.append(forest_plot(rows, folder / f"{result.factor.id}{suffix}", measure=measure,
                                 result=result.pooled, title=result.factor.label_en))
    return paths


# -- Markdown ---------------------------------------------------------------------------------

def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_report(results: list[FactorResult], settings: SynthesisSettings, *, plots: dict[str, Path],
                    n_studies: int, root: Path) -> str:
    lines = [
        "# Evidence synthesis: prognostic factors for recurrent sickness absence (CMD)",
        "",
        f"Rule set **{settings.rule_set}** (consistency ≥ {settings.rules.consistency:.0%}; high quality = "
        f"QUIPS {', '.join(settings.rules.high_quality)} risk of bias; QUIPS collapse: {settings.collapse.describe()}). "
        f"Meta-analysis where ≥ {settings.min_pool} comparable estimates exist: {settings.method}"
        f"{' + Hartung–Knapp' if settings.hk else ''}. {n_studies} studies, {len(results)} factors.",
        "",
        "Generated by `review synthesis` from `extraction/studies/*.toml`; do not edit by hand.",
        "",
        "| factor | domain | direction | level | studies | pooled | GRADE |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ev = r.evidence
        pooled = (f"{ev.measure} {ev.pooled_estimate:.2f} ({ev.ci_low:.2f}-{ev.ci_high:.2f})"
                  if ev.pooled_estimate is not None and ev.ci_low is not None and ev.ci_high is not None else "")
        lines.append(f"| [{_md(ev.label_en)}](#{ev.factor_id}) | {ev.domain} | {ev.direction} | {ev.level} | "
                     f"{len(ev.studies)} | {pooled} | {ev.grade or '—'} |")
    for r in results:
        lines.extend(_factor_section(r, plots.get(r.factor.id), root))
    return "\n".join(lines) + "\n"


def _factor_section(r: FactorResult, plot: Path | None, root: Path) -> list[str]:
    f = r.factor
    lines = [
        "", f"## {f.label_en} <a id=\"{f.id}\"></a>", "",
        f"*{f.label_nl}* — `{f.id}`, domain {f.domain}, modifiable {'yes' if f.modifiable else 'no'}, "
        f"assessable in a conversation {'yes' if f.assessable else 'no'}.", "",
    ]
    if r.rows:
        lines += ["| study | contrast | subgroup | estimate | type | finding | RoB | source |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in r.rows:
            e = row.estimate
            lines.append(f"| {row.study.id} | {_md(e.contrast)} | {_md(e.subgroup)} | {_md(e.label())} | "
                         f"{e.estimate_type} | {row.finding} | {row.rob} | {_md(e.source_location)} |")
        lines.append("")
    if r.expert:
        lines += ["| expert study | % of panel | round | consensus | source |", "|---|---|---|---|---|"]
        for study, rating in r.expert:
            lines.append(f"| {study.id} | {rating.percent_agree:g} | {rating.round or ''} | "
                         f"{'yes' if rating.consensus else 'no'} | {_md(rating.source_location)} |")
        lines.append("")
    lines.append(f"**Evidence: {r.verdict.level}, direction {r.verdict.direction}.** {_md(r.verdict.explanation)}")
    lines.append("")
    if r.pooled is not None:
        p = r.pooled
        pi = (f", prediction interval {p.back(p.pi_low):.2f}-{p.back(p.pi_high):.2f}"
              if p.pi_low is not None and p.pi_high is not None else "")
        lines.append(f"**Meta-analysis** ({p.method}{' + HK' if p.hk else ''}, k = {p.k}): {p.measure} "
                     f"{p.back(p.estimate):.2f} ({p.back(p.ci_low):.2f}-{p.back(p.ci_high):.2f}), "
                     f"τ² {p.tau2:.4f}, I² {p.i2:.0f} %, Q {p.q:.2f} (p {p.q_pvalue:.3f}){pi}.")
    elif r.rows:
        lines.append(f"**Meta-analysis:** {r.pool_note}.")
    if r.grade is not None:
        lines += ["", f"**GRADE: {r.grade.certainty}** (start {r.grade.start}, {r.grade.source})", "",
                  "| domain | change | reason |", "|---|---|---|"]
        for name, d in r.grade.domains.items():
            lines.append(f"| {name.replace('_', ' ')} | {d.change:+d} | {_md(d.reason)} |")
    if plot is not None:
        lines += ["", f"![forest plot: {f.label_en}]({plot.relative_to(root).as_posix()})"]
    return lines


def write_outputs(
    results: list[FactorResult], extraction_dir: Path, settings: SynthesisSettings, *, plots: bool, n_studies: int
) -> list[Path]:
    """Write synthesis.csv, synthesis.md and plots/; returns the written paths."""
    extraction_dir = Path(extraction_dir)
    written = [extraction_dir / "synthesis.csv"]
    write_text_atomic(written[0], synthesis_csv([r.evidence for r in results]))
    plot_paths: dict[str, Path] = {}
    if plots:
        for r in results:
            made = factor_plot(r, extraction_dir / PLOTS_DIR)
            if made:
                plot_paths[r.factor.id] = made[0]
                written.extend(made)
    report = extraction_dir / "synthesis.md"
    write_text_atomic(report, markdown_report(results, settings, plots=plot_paths, n_studies=n_studies,
                                              root=extraction_dir))
    written.append(report)
    return written
