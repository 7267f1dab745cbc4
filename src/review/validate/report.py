"""Readable reports of every validate result, as plain lines the CLI prints and the TUI shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .cvi import FEW_EXPERTS_NOTE, CviResult
from .delphi import DelphiResult
from .factors import FactorsResult
from .icc import DESCRIPTIONS, PRIMARY_FORM, IccResult
from .kappa import CLUSTER_CI, Agreement, KappaResult
from .predictive import PredictiveResult
from .sus import CENTRE_ANSWER, MAX_BLANK_ANSWERS, SusResult
from .table import is_synthetic, joined_notes
from .survival import SurvivalResult
from ..levels import percent
from ..words import counted, effect_interval, effect_number


def _ci(ci: tuple[float | None, float | None] | None, fmt: str = ".2f") -> str:
    if ci is None or ci[0] is None or ci[1] is None:
        return "(CI n/a)"
    return f"({format(ci[0], fmt)} to {format(ci[1], fmt)})"


def _effect_ci(ci: tuple[float | None, float | None] | None) -> str:
    """An OR's or HR's CI as every output writes an estimate (``review.words.effect_interval``), joined by
    ``to`` as this report's other intervals are."""
    if ci is None or ci[0] is None or ci[1] is None:
        return "(CI n/a)"
    return f"({effect_interval(ci[0], ci[1], dash=' to ')})"


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "n/a" if value is None else format(value, fmt)


def _width(names: list[str], header: str) -> int:
    """The first column as wide as its longest name: the tables fit 80 columns when the names do."""
    return max([len(header), *(len(n) for n in names)])


def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _noted(*notes: str) -> str:
    """The notes of a report line after it in brackets (:func:`table.joined_notes`), "" when there are none."""
    note = joined_notes(*notes)
    return f"  ({note})" if note else ""


def _adjusted(column: str, references: dict[str, str], categories: dict[str, dict[str, int]]) -> str:
    if column not in references:
        return column
    counts = ", ".join(f"{name} {n}" for name, n in categories.get(column, {}).items())
    return f"{column} (reference {references[column]!r}" + (f"; rows: {counts}" if counts else "") + ")"


def factors_lines(r: FactorsResult) -> list[str]:
    pct = percent(r.level)
    w = _width([f.factor for f in r.factors], "factor")
    lines = [f"Own data: {r.model}, {r.n_rows} rows; outcome {r.outcome!r}"
             + (f", time {r.time!r}, event {r.event!r}" if r.time else "")
             + (f"; adjusted for {', '.join(_adjusted(c, r.references, r.categories) for c in r.adjust)}" if r.adjust
                else "; crude (no --adjust)"),
             f"{'factor':<{w}} {r.factors[0].measure if r.factors else '':>5} {pct + ' CI':<17} "
             f"{'p':>7} {'p Holm':>7} {'n':>6} {'events':>6}  contrast"]
    for f in r.factors:
        kind = "present/absent" if "present" in f.contrast else "per unit"
        if f.estimate is None:
            lines.append(f"{f.factor:<{w}} {'-':>5} {'':<17} {'':>7} {'':>7} {f.n:>6} {f.events:>6}  {kind}  {f.note}")
        else:
            left_out = f"{f.excluded} incomplete rows left out" if f.excluded else ""
            lines.append(f"{f.factor:<{w}} {effect_number(f.estimate):>5} {_effect_ci((f.ci_low, f.ci_high)):<17} "
                         f"{_p(f.p):>7} {_p(f.p_holm):>7} {f.n:>6} {f.events:>6}  {kind}" + _noted(left_out, f.note))
    tested = sum(1 for f in r.factors if f.p is not None)
    if tested > 1:
        lines.append(f"p Holm: adjusted for the {tested} factors tested (Holm 1979, family-wise); the CIs are "
                     "per factor")
    if r.missing:
        lines.append("missing values (those rows are left out of the models using the column): "
                     + ", ".join(f"{column} {count}" for column, count in r.missing.items()))
    else:
        lines.append("missing values: none")
    spans = [f"{c} {low:g} to {high:g}" for c, (low, high) in r.ranges.items() if not {low, high} <= {0.0, 1.0}]
    if spans:
        lines.append("ranges (check for impossible values): " + ", ".join(spans))
    if r.not_candidates:
        why = "not numeric, or not a factor id of factors.toml" if r.factors_from_toml else "not numeric"
        lines.append(f"not analysed ({why}): {', '.join(r.not_candidates)}")
    return lines


def cvi_lines(r: CviResult) -> list[str]:
    w = _width([i.item for i in r.items], "item")
    lines = [f"Content validity: {len(r.items)} items rated by {len(r.experts)} experts (relevant = 3 or 4 of 1-4)",
             f"{'item':<{w}} {'N':>3} {'A':>3} {'I-CVI':>6} {'pc':>6} {'k*':>6}  adequacy"]
    for i in r.items:
        lines.append(f"{i.item:<{w}} {i.n_experts:>3} {i.n_relevant:>3} {i.i_cvi:>6.2f} {i.pc:>6.3f} "
                     f"{i.kappa_star:>6.2f}  {i.adequacy}" + ("  <- revise" if i.revise else "")
                     + _noted(i.note))
    few = [i.item for i in r.items if i.note]
    if few:
        lines.append(f"{FEW_EXPERTS_NOTE}: {len(few)} of {len(r.items)} items ({', '.join(few)}); one dissent moves "
                     "their I-CVI by a half or more")
    lines.append(f"S-CVI/Ave {r.s_cvi_ave:.2f} (aim >= 0.90)   S-CVI/UA {r.s_cvi_ua:.2f}")
    if r.skipped:
        lines.append(f"skipped by some expert: {len(r.skipped)} of {len(r.items)} items ({', '.join(r.skipped)}); their "
                     "I-CVI is over the experts who rated them, and none counts toward S-CVI/UA (not every expert "
                     "rated it relevant)")
    revise = r.to_revise
    lines.append(f"items below I-CVI {r.threshold:.2f}, to revise: " + (", ".join(i.item for i in revise) or "none"))
    return lines


def delphi_lines(r: DelphiResult) -> list[str]:
    lines = [f"Delphi round: {len(r.items)} items, {len(r.experts)} experts; rule: {r.rule.describe()}"]
    compare = r.previous_path is not None
    w = _width([i.item for i in r.items], "item")
    header = f"{'item':<{w}} {'N':>3} {'agree':>6} {'disagree':>8} {'median':>6}  verdict"
    lines.append(header + ("   previous round" if compare else ""))
    for i in r.items:
        line = f"{i.item:<{w}} {i.n_experts:>3} {i.agree:>6.0%} {i.disagree:>8.0%} {i.median:>6g}  {i.verdict:<10}"
        if compare:
            line += (f"   {i.previous_agree:.0%} agree, {i.previous_verdict}" if i.previous_agree is not None
                     else "   (new item)")
        lines.append(line)
    lines.append("carried to the next round: " + (", ".join(i.item for i in r.carried) or "none"))
    commented = [i for i in r.items if i.comments]
    if commented:
        lines.append("comments:")
        for i in commented:
            lines.extend(f"  {i.item}: {c}" for c in i.comments)
    return lines


def _agreement_line(a: Agreement, weights: str, w: int) -> str:
    weighted = ("" if a.weighted_kappa is None or len(a.categories) <= 2 else
                f"  {weights} weighted kappa {_num(a.weighted_kappa)} {_ci(a.weighted_kappa_ci)}")
    return (f"{a.item:<{w}} n={a.n:<4} agreement {a.agreement:.0%} {_ci(a.agreement_ci, '.0%')}  "
            f"kappa {_num(a.kappa)} {_ci(a.kappa_ci)}  AC1 {_num(a.ac1)} {_ci(a.ac1_ci)}{weighted}"
            + _noted(a.note))


def kappa_lines(r: KappaResult) -> list[str]:
    lines = [f"Agreement of {r.raters[0]} and {r.raters[1]} ({percent(r.level)} CIs; AC1 bootstrap, seed {r.seed})"]
    w = _width([i.item for i in [*r.items, r.overall]], "")
    lines.extend(_agreement_line(i, r.weights, w) for i in r.items)
    lines.append(_agreement_line(r.overall, r.weights, w))
    if r.overall.ci_method == CLUSTER_CI:
        lines.append(f"overall CIs: {CLUSTER_CI} ({r.overall.n} pairs from fewer clients are not independent)")
    return lines


def icc_lines(r: IccResult) -> list[str]:
    lines = [f"Intraclass correlations (Shrout & Fleiss 1979; McGraw & Wong 1996 names): {r.n_targets} targets x "
             f"{len(r.raters)} raters ({', '.join(r.raters)})",
             f"{'form':<6} {'M&W':<8} {'ICC':>6} {f'{percent(r.level)} CI':<18} {'F':>7} {'df':>7} {'p':>7}  meaning"]
    for f in r.forms:
        lines.append(f"{f.form:<6} {f.mcgraw_wong:<8} {f.icc:>6.3f} {_ci((f.ci_low, f.ci_high), '.3f'):<18} "
                     f"{_num(f.f):>7} {f'{f.df1},{f.df2}':>7} {_p(f.p):>7}  {DESCRIPTIONS[f.form]}")
    primary = r.by_form[PRIMARY_FORM]
    lines.append(f"report {primary.form} = {primary.mcgraw_wong} ({DESCRIPTIONS[primary.form]}): would another "
                 "rater give a target the same score (Koo & Li 2016)")
    if any(f.ci_low is None for f in r.forms):
        lines.append("CIs n/a: no residual variance (the raters agree perfectly, or up to a constant), "
                     "so the F ratio is infinite")
    return lines


def sus_lines(r: SusResult) -> list[str]:
    lines = [f"System Usability Scale (Brooke 1996): {counted(len(r.respondents), 'respondent')}"]
    lines.extend(f"  {p.respondent:<20} {p.sus:>6.1f}"
                 + (f"  ({', '.join(p.centred)} blank: scored as the centre point)" if p.centred else "")
                 for p in r.respondents)
    if r.centred_answers:
        who = sum(1 for p in r.respondents if p.centred)
        lines.append(f"{r.centred_answers} blank answer{'s' if r.centred_answers != 1 else ''} of {who} "
                     f"respondent{'s' if who != 1 else ''} scored as the centre point {CENTRE_ANSWER}, as Brooke (1996) "
                     f"asks of an item one cannot answer (at most {MAX_BLANK_ANSWERS} per respondent)")
    clamped = " (cut at the scale's end, 0-100)" if r.mean_ci_clamped else ""
    # the interval's level named, as every other report here names it (it read 'mean 70.6 (60.0 to 81.2)')
    # (one respondent has no interval: 'CI n/a' as every report says it; the level prefixed to it read 'CI CI n/a')
    interval = _ci(r.mean_ci, ".1f")
    if r.mean_ci is not None:
        interval = interval.replace("(", f"({percent(r.level)} t CI ", 1)
    lines.append(f"mean {r.mean:.1f} {interval}{clamped}" + (f", SD {r.sd:.1f}" if r.sd is not None else "")
                 + f"; adjective {r.adjective!r}, {r.acceptability} (Bangor et al. 2009)")
    return lines


def predictive_lines(r: PredictiveResult) -> list[str]:
    w = _width([g.group for g in r.calibration], "group")
    left_out = _left_out(r.missing, r.unscored)
    head = (f"Predictive check: {r.predictor!r} for {r.outcome!r}" + (f" over {r.time!r}" if r.time else "")
            + f", n={r.n}, events={r.events}" + (f" ({r.excluded} rows left out: {left_out})" if r.excluded else ""))
    if r.time:
        model = f"risk by {r.time} {r.horizon:g}: observed Kaplan-Meier, predicted Cox model on the same data"
        events = f"by {r.horizon:g}"
    else:
        model = "observed share, predicted logistic model on the same data"
        events = "events"
    lines = [head,
             f"C-statistic {r.c_statistic:.3f} {_ci(r.c_statistic_ci, '.3f')}: {r.measure}; "
             f"{percent(r.level)} bootstrap percentile CI, {r.n_boot} resamples, seed {r.seed}",
             f"calibration by profile group ({model}):",
             f"  {'group':<{w}} {'n':>5} {events:>6} {'observed':>8} {f'{percent(r.level)} CI':<16} {'predicted':>9}"
             + (f" {'at risk':>7}" if r.time else "")]
    for g in r.calibration:
        lines.append(f"  {g.group:<{w}} {g.n:>5} {g.events:>6} {_num(g.observed, '.1%'):>8} "
                     f"{_ci(g.observed_ci, '.1%'):<16} {_num(g.predicted, '.1%'):>9}"
                     + (f" {g.at_risk:>7}" if g.at_risk is not None else "") + _noted(g.note))
    lines.append("apparent performance: the predictor is fixed before these data, so the C-statistic has no "
                 "fitting optimism (unless these clients also built the instrument);")
    lines.append("  'predicted' is fitted on the same clients: it shows the shape of the risk, not external "
                 "calibration")
    return lines


def _left_out(missing: dict[str, int], unscored: int) -> str:
    """Why rows were left out: empty cells per column (a row can lack several) and unscored profiles."""
    parts = [f"{count} without {column!r}" for column, count in missing.items()]
    if unscored:
        parts.append(f"{unscored} unscored profiles")
    return ", ".join(parts)


def _reached(value: float | None) -> str:
    """A Kaplan-Meier median (or CI bound) the curve never reached reads as such, not as 'n/a'."""
    return "not reached" if value is None else format(value, "g")


def _median_ci(ci: tuple[float | None, float | None]) -> str:
    if ci[0] is None and ci[1] is None:
        return "(CI not reached)"
    return f"({_reached(ci[0])} to {_reached(ci[1])})"


def survival_lines(r: SurvivalResult) -> list[str]:
    w = _width([g.group for g in r.groups], "group")
    lines = [f"Survival: time {r.time!r}, event {r.event!r} by {r.group!r}"
             + (f", Cox stratified by {r.strata!r}" if r.strata else "")
             + (f" ({r.excluded} rows left out: {_left_out(r.missing, r.unscored)})" if r.excluded else ""),
             f"  {'group':<{w}} {'n':>5} {'events':>6} {'median time':>11}  {f'{percent(r.level)} CI'}"]
    for g in r.groups:
        lines.append(f"  {g.group:<{w}} {g.n:>5} {g.events:>6} {_reached(g.median):>11}  {_median_ci(g.median_ci)}")
    lines.append(f"log-rank{f' stratified by {r.strata!r}:' if r.strata else ''} chi2 {r.logrank_chi2:.2f}, "
                 f"df {r.logrank_df}, p {_p(r.logrank_p)}")
    for h in r.hazard_ratios:
        lines.append(f"Cox hazard ratio {h.group} vs {h.reference}: {effect_number(h.hazard_ratio)} {_effect_ci(h.ci)}, "
                     f"p {_p(h.p)}"
                     + (f" (Holm over {len(r.hazard_ratios)} contrasts: {_p(h.p_holm)})" if h.p_holm is not None
                        else "")
                     + _noted(h.note))
        if h.ph_p is not None:
            lines.append(f"  proportional hazards (Schoenfeld test): p {_p(h.ph_p)}"
                         + (f" (Holm over the contrasts: {_p(h.ph_p_holm)})" if h.ph_p_holm is not None else "")
                         + ("  doubtful: the ratio may change over time, see the curves" if h.ph_doubtful else ""))
    return lines


REPORTERS: dict[type, Callable[[Any], list[str]]] = {
    FactorsResult: factors_lines, CviResult: cvi_lines, DelphiResult: delphi_lines, KappaResult: kappa_lines,
    IccResult: icc_lines, SusResult: sus_lines, PredictiveResult: predictive_lines, SurvivalResult: survival_lines,
}


def report_lines(result: Any) -> list[str]:
    """The report of any validate result, headed by the file it came from."""
    label = "  (SYNTHETIC demo data)" if is_synthetic(result.path) else ""
    return [f"file: {result.path}{label}", *REPORTERS[type(result)](result)]
