"""Per-factor synthesis: findings → evidence level, pooled estimate, GRADE → ``FactorEvidence``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..extraction.model import OWN_DATA_SOURCE, RATIO_MEASURES, Estimate, ExpertRating, Factor, Study
from ..extraction.quips import CollapseRule, QuipsSummary, summarise
from ..levels import STANDARD_LEVEL
from ..records import FactorEvidence
from ..words import counted, effect_interval, effect_number, verb_for, whole_percent
from .evidence import StudyFinding, Verdict, combine_study_results, counted_units, evaluate
from .grade import GradeInput, GradeJudgement, assess
from .meta import MetaResult, effect_from_ci, pool
from .pool_key import POOL_FIELDS, POOL_KEY
# (review.toml's [synthesis] moved to .settings, checked there without numpy; named here for their importers)
from .settings import DEFAULT_RULE_SET as DEFAULT_RULE_SET
from .settings import SYNTHESIS_KEYS as SYNTHESIS_KEYS
from .settings import SynthesisSettings as SynthesisSettings
from .settings import recorded_rule_set as recorded_rule_set


def unit_label(study_id: str, cohort: str) -> str:
    """The counted unit: a paper, or one cohort of a paper that reports several (``id[cohort]``)."""
    return f"{study_id}[{cohort}]" if cohort else study_id


@dataclass(slots=True)
class EstimateRow:
    study: Study
    estimate: Estimate
    finding: str
    #: The study's QUIPS summary its risk of bias comes from (None: the study was not summarised).
    quips: QuipsSummary | None = None

    @property
    def rob(self) -> str:
        return self.quips.rob if self.quips is not None else "unrated"

    @property
    def unit(self) -> str:
        return unit_label(self.study.id, self.estimate.cohort)


@dataclass(slots=True)
class FactorResult:
    """Everything the report shows for one factor."""

    factor: Factor
    rows: list[EstimateRow]
    verdict: Verdict
    pooled: MetaResult | None
    pool_note: str
    pool_rows: list[EstimateRow]
    grade: GradeJudgement | None
    expert: list[tuple[Study, ExpertRating]]
    evidence: FactorEvidence
    #: Ratio estimates with a CI left out of the pool, each with why ("" when none or nothing pooled).
    not_pooled: str = ""


def study_quality(studies: list[Study], rule: CollapseRule) -> dict[str, QuipsSummary]:
    """Each study's QUIPS summary, collapsed once: the counting, GRADE and the report's QUIPS table
    all read this one."""
    return {s.id: summarise(s.quips, rule) for s in studies}


def _finding_for_study(rows: list[EstimateRow]) -> str:
    return combine_study_results((r.finding, r.estimate.subgroup) for r in rows)


def study_phase(study: Study, rows: list[EstimateRow]) -> tuple[int, str]:
    """Phase of investigation (Hayden et al. 2008; Huguet et al. 2013) of a study for one factor, and why.

    The study's ``phase`` when the extractor judged it. Otherwise from the adjusted estimates and how
    their model was built (``model_building``): a pre-specified model tests an independent association
    (phase 2, confirmatory); a data-driven selection (backward elimination, stepwise) only identifies
    associations in these data (phase 1, exploratory), as does a crude estimate or one whose adjustment is
    not reported. An adjusted estimate whose model building is not recorded is read as phase 2, and says so.
    """
    if study.phase is not None:
        return study.phase, "judged by the extractor"
    adjusted = {r.estimate.model_building for r in rows if r.estimate.estimate_type == "adjusted"}
    if "pre-specified" in adjusted:
        return 2, "adjusted estimate from a pre-specified model: tests an independent association"
    if "" in adjusted and study.data_source == OWN_DATA_SOURCE:
        # review validate factors selects no variables, but only a planned run records its adjustment set
        # as chosen before the data were seen
        return 2, ("adjusted estimate of the programme's own data: no variable selection by the analysis; "
                   "pre-specification not recorded, read as confirmatory")
    if "" in adjusted:
        return 2, "adjusted estimate; model building not recorded, read as confirmatory"
    if adjusted:
        return 1, ("adjusted estimate from a data-driven selection model (backward elimination, stepwise): "
                   "identifies associations, exploratory")
    kinds = sorted({r.estimate.estimate_type for r in rows})
    return 1, f"{'/'.join(kinds)} estimate only"


def cohort_of(row: EstimateRow) -> str:
    """The cohort an estimate comes from: its own ``cohort`` (a paper reporting several independent
    cohorts), else its study's ``cohort_id``, else the study itself."""
    return row.estimate.cohort or row.study.cohort_id or row.study.id


def _pool_key(estimate: Estimate) -> tuple[str, ...]:
    return tuple(str(getattr(estimate, name)) for name, _, _ in POOL_FIELDS)


def _agreed(key: tuple[str, ...], name: str) -> str:
    """The value of one pooling field in a group's key."""
    return key[[n for n, _, _ in POOL_FIELDS].index(name)]


def _why_not_pooled(estimate: Estimate, key: tuple[str, ...]) -> str:
    measure, contrast, reference, estimate_type = (_agreed(key, n) for n in ("measure", "contrast", "reference",
                                                                             "estimate_type"))
    if estimate.aligned() is None:
        return f"{estimate.measure} of the favourable outcome: only an OR inverts into one for recurrence"
    if estimate.subgroup:
        return f"subgroup {estimate.subgroup!r}"
    if estimate.measure != measure:
        return f"{estimate.measure}, not {measure}"
    if estimate.estimate_type != estimate_type:
        return f"{estimate.estimate_type}, not {estimate_type}"
    if estimate.contrast != contrast:
        return f"contrast {estimate.contrast!r}"
    if estimate.reference != reference:
        return f"reference {estimate.reference or 'not given'!r}"
    return "a second estimate of the same cohort"


def _pool_candidates(rows: list[EstimateRow], min_pool: int) -> tuple[list[EstimateRow], str, str]:
    """The largest set of comparable estimates, the note on it, and the estimates left out of it.

    Comparable: :data:`POOL_KEY`, whole-sample (a subgroup's estimate is not the population's), one per
    cohort. OR with HR, adjusted with crude, per-unit with dichotomised contrasts are never mixed; each
    ratio estimate with a CI that is not pooled is named with the reason.
    """
    groups: dict[tuple[str, ...], dict[str, EstimateRow]] = {}
    candidates = [r for r in rows if r.estimate.has_ci and r.estimate.measure in RATIO_MEASURES
                  and not r.estimate.indirect]
    for row in candidates:
        if not row.estimate.subgroup and row.estimate.aligned() is not None:
            groups.setdefault(_pool_key(row.estimate), {}).setdefault(cohort_of(row), row)
    with_ci = sum(1 for r in rows if r.estimate.has_ci and not r.estimate.indirect)
    indirect = sum(1 for r in rows if r.estimate.has_ci and r.estimate.indirect)
    if not groups:
        note = f" ({counted(indirect, 'indirect estimate')} {verb_for(indirect)} never pooled)" if indirect else ""
        subgroups = sum(1 for r in candidates if r.estimate.subgroup)
        note += f" ({counted(subgroups, 'subgroup estimate')} {verb_for(subgroups)} not pooled)" if subgroups else ""
        return [], f"no estimate with a CI for recurrence{note}: no pooling", ""
    # Most cohorts first; between equals, adjusted estimates (confounding addressed) before crude ones.
    key, best = max(groups.items(),
                    key=lambda item: (len(item[1]), _agreed(item[0], "estimate_type") == "adjusted"))
    chosen = list(best.values())
    left_out = "; ".join(f"{r.study.id} {r.estimate.label()} ({_why_not_pooled(r.estimate, key)})"
                         for r in candidates if r not in chosen)
    if len(best) < min_pool:
        # With several estimates from several cohorts the note says why they are not comparable.
        cohorts = {cohort_of(r) for r in candidates}
        why = f"; not comparable ({POOL_KEY}, whole sample): {left_out}" if len(cohorts) > 1 else ""
        return [], (f"{counted(with_ci, 'estimate')} with a CI but fewer than {min_pool} comparable ones "
                    f"(same measure and contrast, independent cohorts): no pooling{why}"), ""
    return chosen, (f"pooled {len(best)} {_agreed(key, 'estimate_type')} {_agreed(key, 'measure')}s for "
                   f"'{_agreed(key, 'contrast')}'"), left_out


def synthesise_factor(
    factor: Factor,
    studies: list[Study],
    quality: dict[str, QuipsSummary],
    settings: SynthesisSettings,
    override: dict[str, Any] | None = None,
) -> FactorResult:
    rows = [
        EstimateRow(s, e, e.derived_finding(), quality.get(s.id))
        for s in studies if s.evidence_type == "empirical" for e in s.estimates if e.factor == factor.id
    ]
    expert = [(s, r) for s in studies for r in s.expert_ratings if r.factor == factor.id]
    by_study: dict[str, list[EstimateRow]] = {}
    for row in rows:
        by_study.setdefault(row.study.id, []).append(row)
    # One finding per paper, or per cohort of a paper that reports several independent cohorts
    # (estimates with their own ``cohort``): those are separate units, not subgroups of one.
    # A combined (no cohort) subgroup estimate beside a paper's per-cohort ones is shown, not a third
    # unit (validation refuses a combined whole-sample one): its people are the cohorts' people.
    by_cohort = {row.study.id for row in rows if row.estimate.cohort}
    by_unit: dict[tuple[str, str], list[EstimateRow]] = {}
    for row in rows:
        if row.study.id in by_cohort and not row.estimate.cohort:
            continue
        by_unit.setdefault((row.study.id, row.estimate.cohort), []).append(row)
    findings = [
        StudyFinding(
            study_id=unit_label(sid, cohort), finding=_finding_for_study(group), rob=group[0].rob,
            design=group[0].study.design, cohort_id=cohort or group[0].study.cohort_id, papers=(sid,),
            # a paper's crude and adjusted estimates side by side must say which is which
            detail="; ".join(_row_detail(r, with_type=len({x.estimate.estimate_type for x in group}) > 1)
                             for r in group),
        )
        for (sid, cohort), group in by_unit.items()
    ]
    verdict = evaluate(findings, settings.rule_set, settings.rules)

    pool_rows, pool_note, not_pooled = _pool_candidates(rows, settings.min_pool)
    pooled = graded = None
    if pool_rows:
        effects = [effect_from_ci(*_aligned(r.estimate), measure=r.estimate.measure, level=r.estimate.ci_level)
                   for r in pool_rows]

        def pooled_at(level: float) -> MetaResult:
            return pool([y for y, _ in effects], [se**2 for _, se in effects], method=settings.method,
                        hk=settings.hk, hk_adhoc=settings.hk and settings.hk_adhoc, level=level,
                        measure=pool_rows[0].estimate.measure, studies=[r.unit for r in pool_rows])

        pooled = pooled_at(settings.level)
        # GRADE's imprecision thresholds and a large effect's bound rule assume the 95 % CI (decision 0056): a
        # run reporting 90 % is graded on the same evidence redrawn at 95 %, never on its narrower interval.
        graded = pooled if math.isclose(settings.level, STANDARD_LEVEL) else pooled_at(STANDARD_LEVEL)

    _, units, _, _ = counted_units(findings, settings.rules)
    unit_rows = _rows_by_unit(units, [row for group in by_unit.values() for row in group])
    indirect = [r.study.id for r in rows
                if r.study.outcome_cmd_specific is False or r.study.indirectness or r.estimate.indirect]
    with_ci = [r for r in rows if r.estimate.measure in RATIO_MEASURES and r.estimate.aligned() is not None]
    size_rows = pool_rows or with_ci
    sizes = {r.study.id: (r.study.events, r.study.n) for r in size_rows}
    grade_input = GradeInput(
        factor.id, units, verdict.consistency, graded,
        # at 95 %, as GRADE judges imprecision: a 90 % CI read as it stands is narrower, and one that reached
        # important effects on both sides at 95 % was only 'serious' (certainty a level higher)
        ratios=[_aligned_at_standard_level(r.estimate) for r in with_ci],
        indirect=indirect, designs=[r.study.design for r in rows],
        # Huguet's phase is judged per counted unit, like every other domain.
        phases={unit: _unit_phase(group) for unit, group in unit_rows.items()},
        sizes=sizes, unrated_as=settings.rules.unrated_as,
        gradients=_gradients(unit_rows),
        # GRADE 9 counts a large effect only where no plausible confounder explains it: adjusted ratios
        unit_ratios={unit: _whole_sample_ratios(group, adjusted=True) for unit, group in unit_rows.items()},
        unit_unadjusted={unit: _whole_sample_ratios(group, adjusted=False) for unit, group in unit_rows.items()},
        own_data=sorted({r.study.id for r in rows if r.study.data_source == OWN_DATA_SOURCE}),
        reported_level=settings.level,
    )
    grade = assess(grade_input, settings.grade, override or {})

    evidence = FactorEvidence(
        factor_id=factor.id, label_en=factor.label_en, label_nl=factor.label_nl, domain=factor.domain,
        modifiable=factor.modifiable, assessable=factor.assessable, direction=verdict.direction,
        level=verdict.level, rule_set=verdict.rule_set, studies=tuple(by_study),
        measure=pooled.measure if pooled else "",
        pooled_estimate=pooled.back(pooled.estimate) if pooled else None,
        ci_low=pooled.back(pooled.ci_low) if pooled else None,
        ci_high=pooled.back(pooled.ci_high) if pooled else None,
        i2=pooled.i2 if pooled else None,
        grade=grade.certainty if grade else "",
        explanation=_explanation(verdict, pooled, pool_note, grade, expert, bool(rows), not_pooled),
    )
    return FactorResult(factor, rows, verdict, pooled, pool_note, pool_rows, grade, expert, evidence, not_pooled)


def _rows_by_unit(units: list[StudyFinding], rows: list[EstimateRow]) -> dict[str, list[EstimateRow]]:
    """The estimate rows behind each counted unit (its label → rows), matched by the key units are merged
    on (a cohort, else the paper), so one paper's independent cohorts stay apart and papers of one cohort
    join; rows of findings not counted (excluded, direction unknown, subgroup only) belong to no unit, even
    when another paper of their cohort is counted: only the unit's own papers (``sources``) feed it."""
    by_key = {unit.cohort_id or unit.study_id: unit for unit in units}
    grouped: dict[str, list[EstimateRow]] = {}
    for row in rows:
        unit = by_key.get(cohort_of(row))
        if unit is not None and row.study.id in unit.sources:
            grouped.setdefault(unit.study_id, []).append(row)
    return grouped


def _unit_phase(rows: list[EstimateRow]) -> tuple[int, str]:
    """A unit's phase of investigation: confirmatory when one of its papers is (the highest phase among
    them; each paper's phase named when the unit has several)."""
    papers: dict[str, list[EstimateRow]] = {}
    for row in rows:
        papers.setdefault(row.study.id, []).append(row)
    phases = {sid: study_phase(group[0].study, group) for sid, group in sorted(papers.items())}
    phase = max(p for p, _ in phases.values())
    if len(phases) == 1:
        return phase, next(iter(phases.values()))[1]
    return phase, "; ".join(f"{sid}: phase {p}, {why}" for sid, (p, why) in phases.items())


def _gradients(unit_rows: dict[str, list[EstimateRow]]) -> dict[str, str]:
    """Per counted unit, the exposure-response gradient its estimates for the review outcome record
    (estimates for an indirect outcome do not count): "present" or "absent" when they agree, "conflicting"
    when one says present and another absent; units that record none are left out."""
    gradients = {}
    for unit, rows in unit_rows.items():
        values = {row.estimate.gradient for row in rows if row.estimate.gradient and not row.estimate.indirect}
        if values:
            gradients[unit] = values.pop() if len(values) == 1 else "conflicting"
    return gradients


def _aligned(estimate: Estimate) -> tuple[float, float, float]:
    aligned = estimate.aligned()
    assert aligned is not None
    return aligned


def _whole_sample_ratios(rows: list[EstimateRow], *, adjusted: bool) -> list[tuple[float, float, float]]:
    """A unit's whole-sample ratios for the review outcome with their 95 % CI, aligned to recurrence: the
    adjusted ones, or (``adjusted=False``) the crude and not stated ones."""
    return [_aligned_at_standard_level(r.estimate) for r in rows
            if r.estimate.measure in RATIO_MEASURES and not r.estimate.subgroup and r.estimate.aligned() is not None
            and (r.estimate.estimate_type == "adjusted") == adjusted]


def _aligned_at_standard_level(estimate: Estimate) -> tuple[float, float, float]:
    """(estimate, low, high) for recurrence with the 95 % CI (a CI published at another level redrawn at 95 %,
    :meth:`Estimate.interval_at`), as the direction is read: a 90 % CI's bound would pass a threshold sooner."""
    est, _, _ = _aligned(estimate)
    low, high = estimate.interval_at()
    return (est, 1 / high, 1 / low) if estimate.outcome_favourable else (est, low, high)


def outcome_note(estimate: Estimate) -> str:
    """' for sustainable return to work (indirect)' when the estimate is not for recurrence itself."""
    if estimate.indirect:
        return f" for {estimate.outcome} (indirect)"
    return " for the favourable outcome" if estimate.outcome_favourable else ""


def _row_detail(row: EstimateRow, *, with_type: bool = False) -> str:
    e = row.estimate
    text = e.label() + outcome_note(e) + (f" {e.estimate_type}" if with_type else "")
    if e.cohort:
        text += f" [cohort {e.cohort}]"
    if e.subgroup:
        text += f" [{e.subgroup}]"
    return text


def _explanation(verdict: Verdict, pooled: MetaResult | None, pool_note: str, grade: GradeJudgement | None,
                 expert: list[tuple[Study, ExpertRating]], has_rows: bool, not_pooled: str = "") -> str:
    parts = [f"{verdict.level} ({verdict.rule_set}): {verdict.explanation}"]
    if pooled is not None:
        lo, hi = pooled.back(pooled.ci_low), pooled.back(pooled.ci_high)
        parts.append(f"Meta-analysis {pooled.method}{' + ' + pooled.test_name if pooled.hk else ''}: {pooled.measure} "
                     f"{effect_number(pooled.back(pooled.estimate))} ({effect_interval(lo, hi)}), "
                     f"k={pooled.k}, I² {whole_percent(pooled.i2)} % "
                     f"({pool_note}).")
        if not_pooled:
            parts.append(f"Not pooled with them: {not_pooled}.")
    elif has_rows:
        parts.append(pool_note[0].upper() + pool_note[1:] + ".")
    if grade is not None:
        parts.append(f"GRADE: {grade.summary()}.")
    if expert:
        parts.append("Expert consensus (not counted as empirical evidence): " + "; ".join(
            f"{s.id} {r.percent_agree:g} % of panel"
            + (f", round {r.round}" if r.round else "") + (", consensus" if r.consensus else ", below consensus")
            for s, r in expert) + ".")
    return " ".join(parts)
