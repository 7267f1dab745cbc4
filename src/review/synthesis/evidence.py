"""Best-evidence synthesis: evidence levels per factor under configurable rule sets.

Three published families (see docs/evidence_and_instrument.md §1.1):

* ``ariens`` — four levels for observational studies (strong / moderate / some / inconclusive);
* ``van_tulder`` — the van Tulder / Lievense prognostic five levels with the 75 % consistency
  rule (strong / moderate / limited / conflicting / no evidence);
* ``iwh`` — the Institute for Work & Health algorithm on high/medium quality studies
  (strong / moderate / limited / mixed / insufficient).

Each study enters as a :class:`StudyFinding` (direction of its finding, QUIPS-collapsed risk of
bias, design, cohort). Papers from one cohort count once. Every :class:`Verdict` names its
studies and spells out the counting that led to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError

RULE_SETS: tuple[str, ...] = ("ariens", "van_tulder", "iwh")
#: Directions a study finding can take; ``mixed`` = opposite significant results within one unit,
#: ``unknown`` = association reported but its direction or size is not available.
FINDINGS: tuple[str, ...] = ("risk", "protective", "null", "mixed", "unknown")
ROB_CATEGORIES: tuple[str, ...] = ("low", "moderate", "high", "unrated")
LONGITUDINAL_DESIGNS: frozenset[str] = frozenset({"cohort", "case-control", "register", "rct-cohort"})
CROSS_SECTIONAL = "cross-sectional"
_DIRECTION_OF = {"risk": "risk", "protective": "protective", "null": "none"}


@dataclass(slots=True, frozen=True)
class StudyFinding:
    """One study's (or cohort's) result for one factor."""

    study_id: str
    finding: str  # one of FINDINGS
    rob: str = "unrated"  # QUIPS-collapsed risk of bias: low | moderate | high | unrated
    design: str = "cohort"
    cohort_id: str = ""
    detail: str = ""  # e.g. "OR 2.59 (1.40-4.80)"

    def __post_init__(self) -> None:
        if self.finding not in FINDINGS:
            raise ValidationError(f"{self.study_id}: finding {self.finding!r} not one of {', '.join(FINDINGS)}")
        if self.rob not in ROB_CATEGORIES:
            raise ValidationError(f"{self.study_id}: risk of bias {self.rob!r} not one of {', '.join(ROB_CATEGORIES)}")


@dataclass(slots=True)
class RuleConfig:
    """Parameters of the rule sets; defaults are the published values.

    ``high_quality``: RoB categories counted as high quality by ``ariens``/``van_tulder``
    (default: low RoB only; unrated studies count as low quality). ``exclude``: RoB categories
    left out of the synthesis altogether. ``iwh_quality`` maps RoB to IWH H/M (None = excluded).
    """

    consistency: float = 0.75
    high_quality: tuple[str, ...] = ("low",)
    exclude: tuple[str, ...] = ()
    iwh_quality: dict[str, str | None] = field(
        default_factory=lambda: {"low": "H", "moderate": "M", "high": None, "unrated": "M"}
    )
    #: IWH moderate level: "> 2/3" of M+H agree (True) or the other table's ">= 2/3" (False).
    iwh_moderate_strict: bool = True

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "RuleConfig":
        """From the ``[synthesis]`` table of review.toml (unknown keys are ignored)."""
        config = cls()
        if "consistency" in data:
            value = float(data["consistency"])
            if not 0.5 < value <= 1.0:
                raise ValidationError(f"review.toml: synthesis.consistency {value} must be in (0.5, 1]")
            config.consistency = value
        for key in ("high_quality", "exclude"):
            if key in data:
                values = tuple(str(v) for v in data[key])
                bad = [v for v in values if v not in ROB_CATEGORIES]
                if bad:
                    raise ValidationError(f"review.toml: synthesis.{key} has unknown RoB category {bad[0]!r}")
                setattr(config, key, values)
        if "iwh_quality" in data:
            mapping = dict(config.iwh_quality)
            for rob, grade in dict(data["iwh_quality"]).items():
                if rob not in ROB_CATEGORIES or grade not in ("H", "M", "excluded"):
                    raise ValidationError(f"review.toml: synthesis.iwh_quality.{rob} = {grade!r} (H, M or excluded)")
                mapping[rob] = None if grade == "excluded" else grade
            config.iwh_quality = mapping
        if "iwh_moderate_strict" in data:
            config.iwh_moderate_strict = bool(data["iwh_moderate_strict"])
        return config


@dataclass(slots=True)
class Verdict:
    """The evidence level for one factor under one rule set, with its reasons."""

    rule_set: str
    level: str
    direction: str  # risk | protective | none | conflicting
    studies: tuple[str, ...]
    explanation: str
    consistency: float | None = None
    n_units: int = 0


# -- counting ------------------------------------------------------------------------------

def combine_findings(findings: Iterable[str]) -> str:
    """One finding from several (papers of a cohort, subgroups): a significant result beats null."""
    values = set(findings)
    directional = values & {"risk", "protective"}
    if len(directional) == 2 or "mixed" in values:
        return "mixed"
    if directional:
        return directional.pop()
    if "null" in values:
        return "null"
    return "unknown"


_ROB_ORDER = {"low": 0, "moderate": 1, "high": 2, "unrated": 3}


def collapse_cohorts(findings: Sequence[StudyFinding]) -> list[StudyFinding]:
    """Count each cohort once: papers sharing ``cohort_id`` merge into one unit.

    The unit takes the combined finding and the best risk-of-bias rating among the papers that
    carry that finding; its id lists the papers joined by ``+``.
    """
    groups: dict[str, list[StudyFinding]] = {}
    for item in sorted(findings, key=lambda f: f.study_id):  # merged units must not depend on input order
        groups.setdefault(item.cohort_id or item.study_id, []).append(item)
    units = []
    for members in groups.values():
        if len(members) == 1:
            units.append(members[0])
            continue
        finding = combine_findings(m.finding for m in members)
        carriers = [m for m in members if m.finding == finding] or members
        best = min(carriers, key=lambda m: _ROB_ORDER[m.rob])
        units.append(StudyFinding(
            study_id="+".join(m.study_id for m in members), finding=finding, rob=best.rob,
            design=best.design, cohort_id=best.cohort_id,
            detail="; ".join(f"{m.study_id}: {m.finding}" for m in members),
        ))
    return units


@dataclass(slots=True)
class _Tally:
    units: list[StudyFinding]
    dominant: str | None  # None when no unit or a tie at the top
    agree: list[StudyFinding]
    share: float | None

    @property
    def n(self) -> int:
        return len(self.units)


def tally(units: Sequence[StudyFinding]) -> _Tally:
    """Dominant finding among units with a known result and the share agreeing with it."""
    counted = [u for u in units if u.finding != "unknown"]
    counts = Counter(u.finding for u in counted if u.finding != "mixed")
    if not counted or not counts:
        return _Tally(counted, None, [], None if not counted else 0.0)
    ranked = counts.most_common()
    top, top_n = ranked[0]
    share = top_n / len(counted)
    if len(ranked) > 1 and ranked[1][1] == top_n:
        return _Tally(counted, None, [], share)
    return _Tally(counted, top, [u for u in counted if u.finding == top], share)


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.0f} %"


def _describe(unit: StudyFinding, quality: str) -> str:
    detail = f", {unit.detail}" if unit.detail else ""
    return f"{unit.study_id} ({unit.finding}, {quality}{detail})"


# -- rule sets -----------------------------------------------------------------------------

def evaluate(
    findings: Sequence[StudyFinding], rule_set: str, config: RuleConfig | None = None
) -> Verdict:
    """The evidence level for one factor's findings under ``rule_set``."""
    config = config or RuleConfig()
    if rule_set not in RULE_SETS:
        raise ValidationError(f"rule set {rule_set!r}: expected one of {', '.join(RULE_SETS)}")
    study_ids = tuple(dict.fromkeys(f.study_id for f in findings))
    kept = [f for f in findings if f.rob not in config.exclude]
    notes = []
    dropped = [f.study_id for f in findings if f.rob in config.exclude]
    if dropped:
        notes.append(f"excluded for risk of bias: {', '.join(dropped)}")
    unknown = [f.study_id for f in kept if f.finding == "unknown"]
    if unknown:
        notes.append(f"direction not available, not counted: {', '.join(unknown)}")
    units = collapse_cohorts([f for f in kept if f.finding != "unknown"])
    rule = {"ariens": _ariens, "van_tulder": _van_tulder, "iwh": _iwh}[rule_set]
    verdict = rule(units, config)
    verdict.studies = study_ids
    if notes:
        verdict.explanation = f"{verdict.explanation} ({'; '.join(notes)})"
    return verdict


def _direction(t: _Tally, consistent: bool) -> str:
    if t.dominant is None:
        return "conflicting" if t.n else "none"
    return _DIRECTION_OF[t.dominant] if consistent else "conflicting"


def _quality_label(unit: StudyFinding, config: RuleConfig) -> str:
    return "high quality" if unit.rob in config.high_quality else f"low quality ({unit.rob} RoB)"


def _ariens(units: list[StudyFinding], config: RuleConfig) -> Verdict:
    longitudinal = [u for u in units if u.design in LONGITUDINAL_DESIGNS]
    cross = [u for u in units if u.design == CROSS_SECTIONAL]
    other = [u for u in units if u not in longitudinal and u not in cross]
    listing = "; ".join(_describe(u, _quality_label(u, config)) for u in units) or "no studies"
    suffix = f" Not counted (design): {', '.join(u.study_id for u in other)}." if other else ""

    def verdict(level: str, direction: str, why: str, share: float | None, n: int) -> Verdict:
        return Verdict("ariens", level, direction, (), f"{why}. {listing}.{suffix}", share, n)

    if longitudinal:
        t = tally(longitudinal)
        if t.n == 1 and t.dominant is None:
            return verdict("inconclusive", "conflicting", "one cohort whose papers or subgroups disagree", t.share, 1)
        if t.n == 1:
            return verdict("some", _direction(t, True), "findings of one cohort/case-control study",
                           t.share, 1)
        consistent = t.dominant is not None and t.share is not None and t.share >= config.consistency
        if not consistent:
            return verdict("inconclusive", "conflicting",
                           f"{t.n} cohort/case-control studies, {_pct(t.share)} agree "
                           f"< {_pct(config.consistency)}: inconsistent", t.share, t.n)
        high = [u for u in t.agree if u.rob in config.high_quality]
        why = (f"{len(t.agree)}/{t.n} cohort/case-control studies agree ({_pct(t.share)} ≥ "
               f"{_pct(config.consistency)}) on {t.dominant}, {len(high)} of them high quality")
        if len(high) >= 2:
            return verdict("strong", _direction(t, True), why, t.share, t.n)
        if len(high) == 1:
            return verdict("moderate", _direction(t, True), why, t.share, t.n)
        return verdict("some", _direction(t, True), why + " (at least the findings of one cohort study)",
                       t.share, t.n)
    if cross:
        t = tally(cross)
        consistent = t.dominant is not None and t.share is not None and t.share >= config.consistency
        high = [u for u in t.agree if u.rob in config.high_quality]
        if t.n >= 2 and consistent and high:
            return verdict("some", _direction(t, True),
                           f"{len(t.agree)}/{t.n} cross-sectional studies agree ({_pct(t.share)}), "
                           f"{len(high)} high quality", t.share, t.n)
        why = ("a single cross-sectional study" if t.n == 1 else
               f"{t.n} cross-sectional studies, {_pct(t.share)} agree, {len(high)} high quality among them")
        return verdict("inconclusive", _direction(t, consistent), why, t.share, t.n)
    why = "no study with a usable finding" if not units else "no cohort, case-control or cross-sectional study"
    return verdict("inconclusive", "none", why, None, 0)


def _van_tulder(units: list[StudyFinding], config: RuleConfig) -> Verdict:
    listing = "; ".join(_describe(u, _quality_label(u, config)) for u in units) or "no studies"
    t = tally(units)

    def verdict(level: str, direction: str, why: str) -> Verdict:
        return Verdict("van_tulder", level, direction, (), f"{why}. {listing}.", t.share, t.n)

    if t.n == 0:
        return verdict("no evidence", "none", "no study with a usable finding")
    if t.n == 1 and t.dominant is None:
        return verdict("conflicting", "conflicting", "one cohort whose papers or subgroups disagree")
    if t.n == 1:
        only = t.units[0]
        return verdict("limited", _direction(t, True),
                       f"one study ({_quality_label(only, config)})")
    consistent = t.dominant is not None and t.share is not None and t.share >= config.consistency
    if not consistent:
        return verdict("conflicting", "conflicting",
                       f"{t.n} studies, at most {round((t.share or 0) * t.n)} agree: {_pct(t.share)} "
                       f"< {_pct(config.consistency)}")
    high = [u for u in t.agree if u.rob in config.high_quality]
    low = [u for u in t.agree if u.rob not in config.high_quality]
    why = (f"{len(t.agree)}/{t.n} studies agree on {t.dominant} ({_pct(t.share)} ≥ "
           f"{_pct(config.consistency)}): {len(high)} high, {len(low)} low quality")
    if len(high) >= 2:
        return verdict("strong", _direction(t, True), why)
    if (len(high) >= 1 and len(low) >= 1) or len(low) >= 2:
        return verdict("moderate", _direction(t, True), why)
    return verdict("limited", _direction(t, True), why)


def _iwh(units: list[StudyFinding], config: RuleConfig) -> Verdict:
    graded = [(u, config.iwh_quality.get(u.rob)) for u in units]
    excluded = [u.study_id for u, q in graded if q is None]
    kept = [u for u, q in graded if q is not None]
    grade_of = {u.study_id: q for u, q in graded}
    listing = "; ".join(_describe(u, f"IWH {grade_of[u.study_id]}") for u in kept) or "no H/M studies"
    if excluded:
        listing += f"; excluded (quality < M): {', '.join(excluded)}"
    t = tally(kept)

    def verdict(level: str, direction: str, why: str) -> Verdict:
        return Verdict("iwh", level, direction, (), f"{why}. {listing}.", t.share, t.n)

    if t.n == 0:
        return verdict("insufficient", "none", "no high or medium quality study")
    agree_h = sum(1 for u in t.agree if grade_of[u.study_id] == "H")
    agree_m = sum(1 for u in t.agree if grade_of[u.study_id] == "M")
    share = t.share or 0.0
    why = (f"{t.n} H/M studies; {len(t.agree)} agree on {t.dominant or 'nothing'} "
           f"({agree_h} H, {agree_m} M; {_pct(t.share)})")
    if t.dominant is not None:
        if agree_h >= 3 and (t.n < 3 or share >= 0.75):
            return verdict("strong", _direction(t, True), why + " — ≥3 H agree, ≥3/4 of M+H agree")
        moderate_share = share > 2 / 3 if config.iwh_moderate_strict else share >= 2 / 3 - 1e-12
        if (agree_h >= 2 or (agree_m >= 2 and agree_h >= 1)) and (t.n < 3 or moderate_share):
            sign = ">" if config.iwh_moderate_strict else "≥"
            return verdict("moderate", _direction(t, True), why + f" — 2 H or 2 M + 1 H agree, {sign}2/3 agree")
        if (agree_h >= 1 or agree_m >= 2) and (t.n < 2 or share > 0.5):
            return verdict("limited", _direction(t, True), why + " — 1 H, 2 M or 1 M + 1 H agree, >1/2 agree")
    if t.n >= 2 or t.dominant is None:
        return verdict("mixed", "conflicting", why + " — findings contradictory")
    return verdict("insufficient", _direction(t, True), why + " — only M studies below the limited level")
