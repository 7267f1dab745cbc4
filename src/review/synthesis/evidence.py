"""Best-evidence synthesis: evidence levels per factor under configurable rule sets.

Published families, each named after its source (rule text and references in docs/synthesis.md):

* ``ariens`` — four levels for observational studies (strong / moderate / some / inconclusive;
  the table usually attributed to Ariëns et al. 2000);
* ``lievense`` — the prognostic adaptation of the van Tulder levels used in Dutch prognostic
  reviews (Lievense et al. 2002): strong / moderate / limited / conflicting / no evidence on
  cohort and case-control studies; ``van_tulder`` is its old name and stays as an alias;
* ``van_tulder_2003`` — the Cochrane Back Review Group levels for trials (van Tulder et al.,
  Spine 2003;28:1290–9): only RCTs and CCTs count;
* ``iwh`` — the Institute for Work & Health algorithm on high/medium quality studies
  (strong / moderate / limited / mixed / insufficient).

Each study enters as a :class:`StudyFinding` (direction of its finding, QUIPS-collapsed risk of
bias, design, cohort). Papers from one cohort count once. A result seen only in subgroups that
disagree is a ``subgroup`` finding: recorded, never promoted to the whole cohort. Studies
without a QUIPS rating are treated as ``RuleConfig.unrated_as`` in every set. Every
:class:`Verdict` names its studies and spells out the counting that led to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from ..tomlread import SettingProblem, toml_key

RULE_SETS: tuple[str, ...] = ("ariens", "lievense", "van_tulder_2003", "iwh")
#: Old names that still work in review.toml and ``--rule-set``: ``van_tulder`` always meant the
#: Lievense prognostic variant, not van Tulder 2003.
RULE_SET_ALIASES: dict[str, str] = {"van_tulder": "lievense"}
#: Directions a study finding can take; ``mixed`` = opposite significant results within one unit,
#: ``unknown`` = association reported but its direction or size is not available, ``subgroup`` =
#: results only in subgroups that disagree (e.g. risk in men, null in women): not a finding for
#: the whole population.
FINDINGS: tuple[str, ...] = ("risk", "protective", "null", "mixed", "unknown", "subgroup")
TRIAL_DESIGNS: frozenset[str] = frozenset({"rct", "cct"})
ROB_CATEGORIES: tuple[str, ...] = ("low", "moderate", "high", "unrated")
LONGITUDINAL_DESIGNS: frozenset[str] = frozenset({"cohort", "case-control", "register", "rct-cohort"})
CROSS_SECTIONAL = "cross-sectional"
_DIRECTION_OF = {"risk": "risk", "protective": "protective", "null": "none"}
#: What the Ariëns table leaves open: consistent findings in ≥ 2 cohort/case-control studies none
#: of which is high quality. "some" reads it as at least the evidence of one cohort study;
#: "inconclusive" reads the table literally ("all other cases").
ARIENS_LOW_QUALITY_READINGS: tuple[str, ...] = ("some", "inconclusive")


def rule_set_choices() -> str:
    """Every name a rule set can be given by, for an error message: the rule sets, then each alias."""
    return ", ".join(RULE_SETS + tuple(f"{a} (= {b})" for a, b in RULE_SET_ALIASES.items()))


def canonical_rule_set(name: str) -> str:
    """The rule set behind ``name`` (an alias maps to its current name); raises on unknown names."""
    resolved = RULE_SET_ALIASES.get(name, name)
    if resolved not in RULE_SETS:
        raise ValidationError(f"rule set {name!r}: expected one of {rule_set_choices()}")
    return resolved


@dataclass(slots=True, frozen=True)
class StudyFinding:
    """One study's (or cohort's) result for one factor."""

    study_id: str
    finding: str  # one of FINDINGS
    rob: str = "unrated"  # QUIPS-collapsed risk of bias: low | moderate | high | unrated
    design: str = "cohort"
    cohort_id: str = ""
    detail: str = ""  # e.g. "OR 2.59 (1.40-4.80)"
    #: The papers behind this unit when ``study_id`` is a label, not a paper's id ("paper[cohort]",
    #: "a+b" merged by :func:`collapse_cohorts`); empty: the paper ``study_id``.
    papers: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """The ids of the papers this unit's finding comes from (never parsed out of its label)."""
        return self.papers or (self.study_id,)

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
        default_factory=lambda: {"low": "H", "moderate": "M", "high": None}
    )
    #: IWH moderate level: "> 2/3" of M+H agree (True) or the other table's ">= 2/3" (False).
    iwh_moderate_strict: bool = True
    #: One rule for studies without a QUIPS rating, in every rule set and in GRADE: they count as
    #: this risk of bias ("unclear" = moderate, as Huguet et al. 2013 treat unclear RoB).
    unrated_as: str = "moderate"
    #: The pre-registered reading of the Ariëns gap (see ARIENS_LOW_QUALITY_READINGS).
    ariens_multiple_low_quality: str = "some"

    def rob_of(self, unit: "StudyFinding") -> str:
        """The risk of bias a rule set judges: ``unrated_as`` for an unrated study."""
        return self.unrated_as if unit.rob == "unrated" else unit.rob

    def high(self, unit: "StudyFinding") -> bool:
        return self.rob_of(unit) in self.high_quality

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "RuleConfig":
        """From the ``[synthesis]`` table of review.toml (``SynthesisSettings.from_config`` has refused unknown keys;
        the keys of other settings are not read here)."""
        config = cls()
        if "consistency" in data:
            value = float(data["consistency"])
            if not 0.5 < value <= 1.0:
                raise SettingProblem("synthesis.consistency", f"{value}: must be in (0.5, 1]")
            config.consistency = value
        for key in ("high_quality", "exclude"):
            if key in data:
                values = tuple(str(v) for v in data[key])
                bad = [v for v in values if v not in ROB_CATEGORIES]
                if bad:
                    raise SettingProblem(f"synthesis.{key}", f"unknown RoB category {bad[0]!r}")
                setattr(config, key, values)
        if "unrated_as" in data:
            unrated = str(data["unrated_as"])
            if unrated not in ("low", "moderate", "high"):
                raise SettingProblem("synthesis.unrated_as", f"{unrated!r}: expected low, moderate or high")
            config.unrated_as = unrated
        if "ariens_multiple_low_quality" in data:
            reading = str(data["ariens_multiple_low_quality"])
            if reading not in ARIENS_LOW_QUALITY_READINGS:
                raise SettingProblem("synthesis.ariens_multiple_low_quality",
                                     f"{reading!r}: expected {' or '.join(ARIENS_LOW_QUALITY_READINGS)}")
            config.ariens_multiple_low_quality = reading
        if "iwh_quality" in data:
            mapping = dict(config.iwh_quality)
            for rob, grade in dict(data["iwh_quality"]).items():
                if rob == "unrated":
                    raise SettingProblem("synthesis.iwh_quality.unrated",
                                         "unrated studies follow synthesis.unrated_as in every rule set")
                if rob not in ROB_CATEGORIES or grade not in ("H", "M", "excluded"):
                    raise SettingProblem(f"synthesis.iwh_quality.{toml_key(str(rob))}", f"{grade!r}: expected H, M or excluded, for a "
                                                                         "risk of bias low, moderate or high")
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
    #: Units whose only results are subgroup results that disagree, described (not counted).
    subgroup_findings: tuple[str, ...] = ()
    #: The units the rule set counted whose finding is the verdict's risk or protective direction (a cohort's papers
    #: as one unit, ``a+b``): the independent studies that replicate it. A unit the rule leaves out (a cross-sectional
    #: study beside cohorts, a design or quality it does not count) replicates nothing; empty for any other direction.
    agreeing: tuple[str, ...] = ()


# -- counting ------------------------------------------------------------------------------

def combine_findings(findings: Iterable[str]) -> str:
    """One finding from several whole-population results (papers of a cohort, contrasts of a
    paper): a significant result beats null. Subgroup-only results never override them."""
    values = set(findings)
    whole = values - {"subgroup"}
    if not whole:
        return "subgroup" if values else "unknown"
    values = whole
    directional = values & {"risk", "protective"}
    if len(directional) == 2 or "mixed" in values:
        return "mixed"
    if directional:
        return directional.pop()
    if "null" in values:
        return "null"
    return "unknown"


def combine_study_results(results: Iterable[tuple[str, str]]) -> str:
    """A study's finding for one factor from ``(finding, subgroup)`` pairs.

    Whole-sample results decide (:func:`combine_findings`). Without one, subgroup results count
    only when they agree (e.g. risk for mood-disorder and for stress-related episodes); if they
    disagree (risk in men, null in women) the study has a ``subgroup`` finding, recorded as such.
    """
    pairs = list(results)
    whole = [finding for finding, subgroup in pairs if not subgroup]
    if whole:
        return combine_findings(whole)
    known = {finding for finding, _ in pairs if finding != "unknown"}
    if not known:
        return "unknown"
    return known.pop() if len(known) == 1 else "subgroup"


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
            papers=tuple(dict.fromkeys(p for m in members for p in m.sources)),
            detail="; ".join(f"{m.study_id}: {m.finding}" + (f" ({m.detail})" if m.finding == "subgroup" and m.detail
                                                            else "") for m in members),
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


def _ids(units: Iterable[StudyFinding]) -> tuple[str, ...]:
    return tuple(u.study_id for u in units)


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
    rule_set = canonical_rule_set(rule_set)
    study_ids = tuple(dict.fromkeys(f.study_id for f in findings))
    kept, units, subgroup_only, notes = counted_units(findings, config)
    rule = {"ariens": _ariens, "lievense": _lievense, "van_tulder_2003": _van_tulder_2003, "iwh": _iwh}[rule_set]
    verdict = rule(units, config)
    verdict.studies = study_ids
    if verdict.direction not in ("risk", "protective"):
        verdict.agreeing = ()  # a consistent null ('none') is no direction to replicate
    verdict.subgroup_findings = tuple(f"{u.study_id} ({u.detail})" if u.detail else u.study_id
                                      for u in subgroup_only)
    if notes:
        verdict.explanation = f"{verdict.explanation} ({'; '.join(notes)})"
    return verdict


def counted_units(
    findings: Sequence[StudyFinding], config: RuleConfig
) -> tuple[list[StudyFinding], list[StudyFinding], list[StudyFinding], list[str]]:
    """(kept findings, counted units, subgroup-only units, notes) — shared by the rules and GRADE.

    Excluded RoB categories (judged after ``unrated_as``) and unknown directions are dropped
    with a note; papers of one cohort merge; units with only disagreeing subgroup results are
    set aside as subgroup findings.
    """
    excluded = [f for f in findings if f.rob in config.exclude or config.rob_of(f) in config.exclude]
    kept = [f for f in findings if f not in excluded]
    notes = []
    if excluded:
        notes.append(f"excluded for risk of bias: {', '.join(f.study_id for f in excluded)}")
    unknown = [f.study_id for f in kept if f.finding == "unknown"]
    if unknown:
        notes.append(f"direction not available, not counted: {', '.join(unknown)}")
    merged = collapse_cohorts([f for f in kept if f.finding != "unknown"])
    subgroup_only = [u for u in merged if u.finding == "subgroup"]
    if subgroup_only:
        notes.append("subgroup findings only, recorded and not counted for the whole population: "
                     + "; ".join(f"{u.study_id} ({u.detail})" if u.detail else u.study_id for u in subgroup_only))
    return kept, [u for u in merged if u.finding != "subgroup"], subgroup_only, notes


def _direction(t: _Tally, consistent: bool) -> str:
    if t.dominant is None:
        return "conflicting" if t.n else "none"
    return _DIRECTION_OF[t.dominant] if consistent else "conflicting"


def _quality_label(unit: StudyFinding, config: RuleConfig) -> str:
    rob = f"unrated, as {config.unrated_as}" if unit.rob == "unrated" else unit.rob
    return "high quality" if config.high(unit) else f"low quality ({rob} RoB)"


def _ariens(units: list[StudyFinding], config: RuleConfig) -> Verdict:
    longitudinal = [u for u in units if u.design in LONGITUDINAL_DESIGNS]
    cross = [u for u in units if u.design == CROSS_SECTIONAL]
    other = [u for u in units if u not in longitudinal and u not in cross]
    listing = "; ".join(_describe(u, _quality_label(u, config)) for u in units) or "no studies"
    suffix = f" Not counted (design): {', '.join(u.study_id for u in other)}." if other else ""
    if longitudinal and cross:
        # The table ranks designs: cross-sectional studies only decide when no cohort or
        # case-control study exists (rule "some"/"inconclusive" for cross-sectional evidence).
        suffix += (f" Cross-sectional studies not counted because cohort/case-control studies exist: "
                   f"{', '.join(u.study_id for u in cross)}.")

    def verdict(level: str, direction: str, why: str, share: float | None, n: int,
                agree: Sequence[StudyFinding] = ()) -> Verdict:
        return Verdict("ariens", level, direction, (), f"{why}. {listing}.{suffix}", share, n, agreeing=_ids(agree))

    if longitudinal:
        t = tally(longitudinal)
        if t.n == 1 and t.dominant is None:
            return verdict("inconclusive", "conflicting", "one cohort whose papers or subgroups disagree", t.share, 1)
        if t.n == 1:
            return verdict("some", _direction(t, True), "findings of one cohort/case-control study",
                           t.share, 1, t.agree)
        consistent = t.dominant is not None and t.share is not None and t.share >= config.consistency
        if not consistent:
            return verdict("inconclusive", "conflicting",
                           f"{t.n} cohort/case-control studies, {_pct(t.share)} agree "
                           f"< {_pct(config.consistency)}: inconsistent", t.share, t.n)
        high = [u for u in t.agree if config.high(u)]
        why = (f"{len(t.agree)}/{t.n} cohort/case-control studies agree ({_pct(t.share)} ≥ "
               f"{_pct(config.consistency)}) on {t.dominant}, {len(high)} of them high quality")
        if len(high) >= 2:
            return verdict("strong", _direction(t, True), why, t.share, t.n, t.agree)
        if len(high) == 1:
            return verdict("moderate", _direction(t, True), why, t.share, t.n, t.agree)
        reading = config.ariens_multiple_low_quality
        note = (" (pre-registered reading ariens_multiple_low_quality = \"some\": at least the evidence "
                "of one cohort study)" if reading == "some" else
                " (pre-registered reading ariens_multiple_low_quality = \"inconclusive\": the table's "
                "\"all other cases\")")
        return verdict(reading, _direction(t, True), why + note, t.share, t.n, t.agree)
    if cross:
        t = tally(cross)
        consistent = t.dominant is not None and t.share is not None and t.share >= config.consistency
        high = [u for u in t.agree if config.high(u)]
        if t.n >= 2 and consistent and high:
            return verdict("some", _direction(t, True),
                           f"{len(t.agree)}/{t.n} cross-sectional studies agree ({_pct(t.share)}), "
                           f"{len(high)} high quality", t.share, t.n, t.agree)
        why = ("a single cross-sectional study" if t.n == 1 else
               f"{t.n} cross-sectional studies, {_pct(t.share)} agree, {len(high)} high quality among them")
        return verdict("inconclusive", _direction(t, consistent), why, t.share, t.n, t.agree)
    why = "no study with a usable finding" if not units else "no cohort, case-control or cross-sectional study"
    return verdict("inconclusive", "none", why, None, 0)


def _lievense(units: list[StudyFinding], config: RuleConfig) -> Verdict:
    """Lievense et al. 2002 levels on prognostic (longitudinal) studies; other designs not counted."""
    counted = [u for u in units if u.design in LONGITUDINAL_DESIGNS]
    other = [u for u in units if u not in counted]
    listing = "; ".join(_describe(u, _quality_label(u, config)) for u in counted) or "no studies"
    suffix = (f" Not counted (not a cohort or case-control design): {', '.join(u.study_id for u in other)}."
              if other else "")
    t = tally(counted)

    def verdict(level: str, direction: str, why: str) -> Verdict:
        return Verdict("lievense", level, direction, (), f"{why}. {listing}.{suffix}", t.share, t.n,
                       agreeing=_ids(t.agree))

    if t.n == 0:
        return verdict("no evidence", "none", "no cohort or case-control study with a usable finding")
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
    high = [u for u in t.agree if config.high(u)]
    low = [u for u in t.agree if not config.high(u)]
    why = (f"{len(t.agree)}/{t.n} studies agree on {t.dominant} ({_pct(t.share)} ≥ "
           f"{_pct(config.consistency)}): {len(high)} high, {len(low)} low quality")
    if len(high) >= 2:
        return verdict("strong", _direction(t, True), why)
    if (len(high) >= 1 and len(low) >= 1) or len(low) >= 2:
        return verdict("moderate", _direction(t, True), why)
    return verdict("limited", _direction(t, True), why)


def _van_tulder_2003(units: list[StudyFinding], config: RuleConfig) -> Verdict:
    """van Tulder et al. 2003 (Cochrane Back Review Group) levels: RCTs and CCTs only."""
    trials = [u for u in units if u.design in TRIAL_DESIGNS]
    other = [u for u in units if u not in trials]
    rct_high = [u for u in trials if u.design == "rct" and config.high(u)]

    def label(u: StudyFinding) -> str:
        return f"{u.design.upper()}, {'high' if u in rct_high else 'low'} quality"

    listing = "; ".join(_describe(u, label(u)) for u in trials) or "no trials"
    suffix = f" Not counted (not an RCT or CCT): {', '.join(u.study_id for u in other)}." if other else ""
    t = tally(trials)

    def verdict(level: str, direction: str, why: str) -> Verdict:
        return Verdict("van_tulder_2003", level, direction, (), f"{why}. {listing}.{suffix}", t.share, t.n,
                       agreeing=_ids(t.agree))

    if t.n == 0:
        return verdict("no evidence", "none", "no evidence from trials: no RCT or CCT")
    if t.n == 1:
        if t.dominant is None:
            return verdict("conflicting", "conflicting", "one trial whose reports disagree")
        if rct_high:
            return verdict("moderate", _direction(t, True), "one high-quality RCT")
        return verdict("limited", _direction(t, True), "one low-quality RCT or CCT")
    consistent = t.dominant is not None and t.share is not None and t.share >= config.consistency
    if not consistent:
        return verdict("conflicting", "conflicting",
                       f"inconsistent findings among {t.n} trials ({_pct(t.share)} < {_pct(config.consistency)})")
    agreeing_high = [u for u in t.agree if u in rct_high]
    why = (f"{len(t.agree)}/{t.n} trials agree on {t.dominant} ({_pct(t.share)} ≥ {_pct(config.consistency)}), "
           f"{len(agreeing_high)} of them high-quality RCTs")
    if len(agreeing_high) >= 2:
        return verdict("strong", _direction(t, True), why + ": consistent among multiple high-quality RCTs")
    return verdict("moderate", _direction(t, True),
                   why + ": consistent among multiple low-quality RCTs/CCTs and/or one high-quality RCT")


def _iwh(units: list[StudyFinding], config: RuleConfig) -> Verdict:
    graded = [(u, config.iwh_quality.get(config.rob_of(u))) for u in units]
    excluded = [u.study_id for u, q in graded if q is None]
    kept = [u for u, q in graded if q is not None]
    grade_of = {u.study_id: q for u, q in graded}
    listing = "; ".join(_describe(u, f"IWH {grade_of[u.study_id]}") for u in kept) or "no H/M studies"
    if excluded:
        listing += f"; excluded (quality < M): {', '.join(excluded)}"
    t = tally(kept)

    def verdict(level: str, direction: str, why: str) -> Verdict:
        return Verdict("iwh", level, direction, (), f"{why}. {listing}.", t.share, t.n, agreeing=_ids(t.agree))

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
