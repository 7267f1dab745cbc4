"""GRADE certainty for a prognostic factor (Foroutan et al. 2020; Huguet et al. 2013).

The starting level follows the phase of investigation (Huguet et al. 2013): a body of evidence
mostly from confirmatory (phase 2/3) studies starts high, one mostly from exploratory (phase 1)
studies starts moderate; cross-sectional evidence starts moderate. Five domains may lower it
(risk of bias, inconsistency, imprecision — including the optimal information size —,
indirectness, publication bias) and a large effect (+1, or +2 when very large) or an exposure-response
gradient (+1) may raise it, but only without serious study limitations (GRADE: upgrading is for
evidence without serious risk of bias). The automatic
judgement applies the configurable conventions of docs/evidence_and_instrument.md §1.4 and says
why for every domain; a reviewer's judgement (``extraction/grade.toml``) overrides per domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..tomlread import TomlProblem, problems_located, read_toml_located, toml_key
from ..words import counted, effect_interval, verb_for, whole, whole_percent
from .grade_input import GradeConfig, GradeInput
from .large_effect import large_effect

CERTAINTY: tuple[str, ...] = ("very low", "low", "moderate", "high")
DOMAINS: tuple[str, ...] = ("risk_of_bias", "inconsistency", "imprecision", "indirectness", "publication_bias",
                            "large_effect", "dose_response")
GRADE_FILE = "grade.toml"
#: The changes GRADE allows per domain: five lower the certainty by one or two levels, a large effect
#: raises it by one or two, an exposure–response gradient by one (Huguet et al. 2013; GRADE handbook).
UPGRADES: tuple[str, ...] = ("large_effect", "dose_response")
ALLOWED_CHANGES: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(("risk_of_bias", "inconsistency", "imprecision", "indirectness", "publication_bias"), (0, -1, -2)),
    "large_effect": (0, 1, 2),
    "dose_response": (0, 1),
}


@dataclass(slots=True)
class DomainJudgement:
    change: int  # 0, -1, -2 (downgrades) or +1, +2 (upgrades)
    reason: str
    source: str = "auto"


@dataclass(slots=True)
class GradeJudgement:
    factor_id: str
    start: str
    domains: dict[str, DomainJudgement] = field(default_factory=dict)
    start_reason: str = ""

    @property
    def certainty(self) -> str:
        index = CERTAINTY.index(self.start) + sum(d.change for d in self.domains.values())
        return CERTAINTY[max(0, min(len(CERTAINTY) - 1, index))]

    @property
    def source(self) -> str:
        return "reviewer" if any(d.source == "reviewer" for d in self.domains.values()) else "auto"

    def summary(self) -> str:
        changes = [f"{name.replace('_', ' ')} {d.change:+d}" for name, d in self.domains.items() if d.change]
        return f"start {self.start}; " + (", ".join(changes) if changes else "no changes") + f" → {self.certainty}"

    def domains_json(self) -> dict[str, Any]:
        return {name: {"change": d.change, "reason": d.reason, "source": d.source}
                for name, d in self.domains.items()}


def assess(item: GradeInput, config: GradeConfig | None = None,
           override: dict[str, Any] | None = None) -> GradeJudgement | None:
    """The GRADE judgement: automatic per domain, a reviewer's ``override`` (grade.toml) per domain; None when
    no empirical study informs the factor and the reviewer judged nothing.

    The upgrades are decided last, on the effective judgements (a reviewer's downgrades
    included), because GRADE raises only evidence rated down for no reason (handbook 5.2)."""
    config = config or GradeConfig()
    override = override or {}
    if not item.units:
        return _apply_overrides(None, item.factor_id, override)
    start, start_reason = _start(item)
    judgement = GradeJudgement(item.factor_id, start, start_reason=start_reason)
    d = judgement.domains

    n = len(item.units)
    d["risk_of_bias"] = _risk_of_bias(item)

    if item.pooled is not None and item.pooled.k >= 2:
        serious = item.pooled.i2 > config.i2_cut
        d["inconsistency"] = DomainJudgement(-1 if serious else 0,
                                             f"I² {whole_percent(item.pooled.i2, against=config.i2_cut)} % "
                                             f"{'>' if serious else '≤'} {config.i2_cut:.0f} %")
    elif n >= 2:
        share = item.consistency or 0.0
        serious = share < config.consistency
        d["inconsistency"] = DomainJudgement(-1 if serious else 0,
                                             f"{100 * share:.0f} % of studies agree "
                                             f"({'<' if serious else '≥'} {100 * config.consistency:.0f} %)")
    else:
        d["inconsistency"] = DomainJudgement(0, "single study: consistency cannot be judged")

    d["imprecision"] = _imprecision(item, config)

    # Counted like every other domain: per counted unit (a cohort, once), not per paper; a unit is
    # indirect when one of its papers is, and a paper whose finding was not counted does not weigh.
    indirect_papers = set(item.indirect)
    indirect_units = [u for u in item.units if indirect_papers.intersection(u.sources)]
    named = sorted({paper for u in indirect_units for paper in u.sources} & indirect_papers)
    if indirect_units and len(indirect_units) * 2 >= n:
        d["indirectness"] = DomainJudgement(-1, "outcome or population differs from the review question: "
                                            + ", ".join(named)
                                            + (f" ({len(indirect_units)}/{n} studies)" if n > 1 else ""))
    else:
        d["indirectness"] = DomainJudgement(0, "outcome and population match the review question"
                                            + (f" (except {', '.join(named)}: {len(indirect_units)}/{n} studies)"
                                               if indirect_units else ""))

    d["publication_bias"] = _publication_bias(item)

    downgrades = {key: value for key, value in override.items() if key not in UPGRADES}
    upgrades = {key: value for key, value in override.items() if key in UPGRADES}
    _apply_overrides(judgement, item.factor_id, downgrades)
    _upgrade(judgement, item, config)
    return _apply_overrides(judgement, item.factor_id, upgrades)


# The GRADE handbook (Schünemann et al. 2013, section 5.2): usually evidence rated down for any reason is
# not rated up; KCE's process book, which follows it, upgrades only studies not downgraded for any reason. Every downgrading domain therefore withholds both upgrades (decision 0037, addendum).
UPGRADE_GUARDS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
UPGRADE_RULE = "GRADE handbook 5.2: evidence rated down for any reason is not rated up"


def _upgrade(judgement: GradeJudgement, item: GradeInput, config: GradeConfig) -> None:
    """A large effect and a dose-response gradient, judged after the downgrades (reviewer's included):
    evidence rated down in any domain (risk of bias, inconsistency, indirectness, imprecision, publication
    bias) is not rated up (GRADE handbook 5.2; KCE process book), so an imprecise +2 cannot cancel the -1
    for imprecision; the reason names the domains that withhold it. Without pooling, a large effect also
    needs a similar effect by most studies (Huguet et al. 2013, table 4), judged in large_effect."""
    d = judgement.domains
    blocking = [name.replace("_", " ") + (" (reviewer)" if d[name].source == "reviewer" else "")
                for name in UPGRADE_GUARDS if name in d and d[name].change < 0]
    withheld = f", not upgraded: {' and '.join(blocking)} rated down ({UPGRADE_RULE})" if blocking else ""

    large, levels = large_effect(item, config)
    if large:
        d["large_effect"] = DomainJudgement(0 if blocking else levels, large + (withheld if levels else ""))
    if item.gradients:
        gradient, present = _dose_response(item)
        d["dose_response"] = DomainJudgement(1 if present and not blocking else 0,
                                             gradient + (withheld if present else ""))


def _risk_of_bias(item: GradeInput) -> DomainJudgement:
    """Study limitations over the counted units, each one unit of information (units, not participants,
    as every rule here counts: decision 0027). No downgrade only when most of the information is from
    studies at low risk of bias (GRADE: Cochrane Handbook 5.1 table 12.2.d, GRADE guidelines 4, Guyatt et
    al. 2011), so a tie (one study at high risk beside one at low) is -1; -2 when most is from studies at
    high risk of bias (Huguet et al. 2013 table 4, "very serious"), so a tie there stays -1."""
    n = len(item.units)
    robs = [item.unrated_as if u.rob == "unrated" else u.rob for u in item.units]
    low, high = robs.count("low"), robs.count("high")
    unrated = sum(1 for u in item.units if u.rob == "unrated")
    extra = f", {unrated} not yet QUIPS-rated (counted as {item.unrated_as})" if unrated else ""
    if high * 2 > n:
        return DomainJudgement(-2, f"{high}/{n} studies at high risk of bias{extra} (very serious)")
    if low * 2 > n:
        return DomainJudgement(0, f"{low}/{n} studies at low risk of bias{extra}")
    if low * 2 == n:
        tie = f"; {high}/{n} at high risk of bias" if high else ""
        return DomainJudgement(-1, f"{low}/{n} studies at low risk of bias, not most of the information (a tie "
                                   "downgrades: GRADE rates down unless most information is from studies at low "
                                   f"risk of bias{tie}){extra} (serious)")
    return DomainJudgement(-1, f"{n - low}/{n} studies not at low risk of bias{extra} (serious)")


def _dose_response(item: GradeInput) -> tuple[str, bool]:
    """Whether the counted units show an exposure-response gradient (Huguet et al. 2013, narrative
    summary: a gradient within and between the primary studies): present in at least one unit and absent
    in none; a unit whose own estimates disagree (present and absent) is a conflict, so no consistent
    gradient; the reason names the units."""
    present = sorted(u for u, g in item.gradients.items() if g == "present")
    absent = sorted(u for u, g in item.gradients.items() if g == "absent")
    conflicting = sorted(u for u, g in item.gradients.items() if g == "conflicting")
    n = len(item.units)
    if present and not absent and not conflicting:
        return (f"exposure-response gradient recorded in {len(present)}/{n} studies ({', '.join(present)}), "
                "none records its absence"), True
    within = f"; present and absent within {', '.join(conflicting)}" if conflicting else ""
    if present or conflicting:
        where = (f"present in {', '.join(present)}" if present else "") + (
            f"{' but ' if present else ''}absent in {', '.join(absent)}" if absent else "")
        return f"exposure-response gradient {where or 'recorded'}{within}: no consistent gradient", False
    return f"no exposure-response gradient where examined ({', '.join(absent)})", False


def _publication_bias(item: GradeInput) -> DomainJudgement:
    """GRADE's publication bias as the rule set runs it (Huguet et al. 2013 as modified: downgrade
    unless the factor has been investigated repeatedly): one counted unit is -1, the 'few studies'
    judgement, whether the cohort is published or the programme's own data. Own data were analysed
    whatever they showed, so publication selected nothing there; one cohort is still no replication,
    and the line says both (a unit is own when all its papers are)."""
    n = len(item.units)
    own_ids = set(item.own_data)
    own = [u for u in item.units if own_ids and set(u.sources) <= own_ids]
    named = ", ".join(sorted({paper for u in own for paper in u.sources}))
    if n == 1 and own:
        return DomainJudgement(
            -1, f"'few studies' judgement: all evidence from one cohort, the programme's own data ({named}), so "
                "the factor has not been investigated repeatedly; these data were not selected by publication "
                "(analysed whatever they showed), but one cohort is no replication")
    if n == 1:
        return DomainJudgement(
            -1, "'few studies' judgement: all evidence from one cohort, the factor has not been investigated "
                "repeatedly (no statistical test of small-study effects is possible)")
    if own:
        which = "all of them" if len(own) == n else f"{len(own)} of them"
        return DomainJudgement(0, f"{n} independent cohorts, {which} the programme's own data ({named}), "
                                  "which were not selected by publication")
    return DomainJudgement(0, f"{n} independent cohorts")


def _start(item: GradeInput) -> tuple[str, str]:
    """Starting certainty from design and the phase of investigation (Huguet et al. 2013), counted per
    unit like every domain; a tie starts moderate, the conservative reading, as a risk-of-bias tie rates
    down (high only when most of the evidence is confirmatory)."""
    if not any(d != "cross-sectional" for d in item.designs):
        return "moderate", "cross-sectional evidence only"
    if not item.phases:
        return "high", "cohort evidence"
    confirmatory = sorted(unit for unit, (phase, _) in item.phases.items() if phase >= 2)
    listing = "; ".join(f"{unit}: phase {phase} ({why})" for unit, (phase, why) in sorted(item.phases.items()))
    n = len(item.phases)
    if len(confirmatory) * 2 > n:
        return "high", f"mostly confirmatory (phase 2/3) studies — {listing}"
    if len(confirmatory) * 2 == n:
        return "moderate", (f"half confirmatory (phase 2/3), half exploratory: a tie starts moderate "
                            f"(not mostly confirmatory) — {listing}")
    return "moderate", f"mostly exploratory (phase 1) studies — {listing}"


def _important_sides(low: float, high: float, config: GradeConfig) -> str:
    """Which important effects a CI includes when it crosses 1: '' (none, or it excludes 1), 'below 0.8',
    'above 1.25', or 'both' (appreciable benefit and appreciable harm: decision 0053)."""
    if not low < 1 < high:
        return ""
    below, above = low < config.imprecision_low, high > config.imprecision_high
    if below and above:
        return "both"
    if below:
        return f"below {config.imprecision_low:g}"
    return f"above {config.imprecision_high:g}" if above else ""


def _imprecision(item: GradeInput, config: GradeConfig) -> DomainJudgement:
    """A CI crossing 1 that includes important effects on one side is serious (-1); one including them on both
    sides, appreciable benefit and appreciable harm, is very serious (-2; GRADE guidelines 6, Guyatt et al. 2011;
    decision 0053). Without pooling, -2 needs every CI judged to span both sides and CIs for at least half of
    the counted studies: a CI that excludes one side already narrows what the evidence allows."""
    both_sides = f"on both sides (below {config.imprecision_low:g} and above {config.imprecision_high:g})"
    if item.pooled is not None and item.pooled.ratio:
        lo, hi = item.pooled.back(item.pooled.ci_low), item.pooled.back(item.pooled.ci_high)
        assert lo is not None and hi is not None
        sides = _important_sides(lo, hi, config)
        ci = f"{item.pooled_ci_name()} {effect_interval(lo, hi)}"
        if sides == "both":
            return DomainJudgement(-2, f"{ci} crosses 1 and includes important "
                                       f"effects {both_sides}: very serious")
        if sides:
            return DomainJudgement(-1, f"{ci} crosses 1 and includes important "
                                       f"effects {sides}: serious")
        return _information_size(item, config, f"{ci} is informative")
    if not item.ratios:
        return DomainJudgement(-1, "no effect size with a CI for the review outcome")
    with_ci = len(item.ratios)
    sides_of = [side for side in (_important_sides(r[1], r[2], config) for r in item.ratios) if side]
    if sides_of:
        spanning = sides_of.count("both")
        if spanning == with_ci and with_ci * 2 >= len(item.units):
            every = "the one CI crosses 1 and includes" if with_ci == 1 else f"all {with_ci} CIs cross 1 and include"
            return DomainJudgement(-2, f"{every} important effects {both_sides} (no pooled estimate): very serious")
        kinds = sorted(set(sides_of))
        if kinds == ["both"]:
            which = both_sides
        elif len(kinds) == 1:
            which = kinds[0]
        else:
            which = "(" + ", ".join(f"{sides_of.count(kind)} " + ("on both sides" if kind == "both" else kind)
                                    for kind in kinds) + ")"
        verbs = verb_for(len(sides_of), "crosses 1 and includes", "cross 1 and include")
        short = ""
        if spanning == with_ci:
            short = (f"; CIs for only {counted(with_ci, 'estimate')} across {counted(len(item.units), 'study')}, "
                     "so not very serious")
        elif spanning:
            short = "; not very serious, as not every CI spans both sides"
        return DomainJudgement(-1, f"{len(sides_of)} of {counted(with_ci, 'CI')} {verbs} important effects "
                                   f"{which} (no pooled estimate): serious{short}")
    if with_ci * 2 < len(item.units):
        return DomainJudgement(-1, f"effect sizes with a CI for only {counted(with_ci, 'estimate')} across "
                                   f"{counted(len(item.units), 'study')}")
    return _information_size(item, config, "the one CI excludes 1" if with_ci == 1 else f"all {with_ci} CIs exclude 1")


def _information_size(item: GradeInput, config: GradeConfig, ci_reason: str) -> DomainJudgement:
    """A CI that excludes 1 is still imprecise below the optimal information size (GRADE 6).

    Events are counted where a study gives them; otherwise its participants bound its events
    from above, so a total below ``ois_events`` proves the size is not met.
    """
    if not item.sizes:
        return DomainJudgement(0, ci_reason + "; optimal information size not checked (no study size)")
    bound, exact, missing = 0, True, []
    for sid, (events, participants) in sorted(item.sizes.items()):
        if events is not None:
            bound += events
        elif participants is not None:
            bound += participants
            exact = False
        else:
            missing.append(sid)
    if len(missing) == len(item.sizes):  # nothing counted: '0 events' would read as a count of none
        return DomainJudgement(0, f"{ci_reason}; optimal information size not checked (no study size: neither "
                                  f"events nor n in {', '.join(missing)})")
    threshold = config.ois_events
    # written as the count beside it is (a [synthesis.grade] ois_events of 2000 read '1,500 events < 2000')
    said = whole(int(threshold)) if float(threshold).is_integer() else f"{threshold:g}"
    what = "events" if exact else "events at most (participants where events are not reported)"
    if not missing and bound < threshold:
        return DomainJudgement(-1, f"{ci_reason}, but {whole(bound)} {what} < {said}: optimal information "
                                   "size not met")
    if missing or not exact:
        unknown = f"; no size for {', '.join(missing)}" if missing else ""
        return DomainJudgement(0, f"{ci_reason}; {whole(bound)} {what}{unknown}: optimal information size "
                                  f"({said} events) not shown to be missed")
    return DomainJudgement(0, f"{ci_reason}; {whole(bound)} events ≥ {said} (optimal information size)")


def load_overrides(path: Path) -> dict[str, dict[str, Any]]:
    """Reviewer judgements: ``[factor_id]`` tables with ``start`` and ``<domain> = {change, reason}``."""
    if not path.is_file():
        return {}
    data, located = read_toml_located(path)
    with problems_located(path, located):
        _check_overrides(data)
    return data


def _check_overrides(data: dict[str, Any]) -> None:
    """grade.toml's data: each entry a factor's table of a start level, a reviewer and domain judgements."""
    for factor_id, table in data.items():
        place = toml_key(factor_id)  # (the factor's table as written: ["older age"])
        if not isinstance(table, dict):
            raise TomlProblem(place, f"expected a table [{place}] of GRADE domains, got {table!r}")
        for key, value in table.items():
            if key == "start":
                if value not in CERTAINTY:
                    raise TomlProblem(f"{place}.start", f"{value!r} not one of {', '.join(CERTAINTY)}")
            elif key == "reviewer":
                if not isinstance(value, str) or not value.strip():
                    raise TomlProblem(f"{place}.reviewer", f"expected the reviewer's name, got {value!r}")
            elif key not in DOMAINS:
                raise TomlProblem(f"{place}.{toml_key(key)}", "unknown GRADE domain")
            elif (not isinstance(value, dict) or not isinstance(value.get("change"), int)
                  or isinstance(value.get("change"), bool) or not isinstance(value.get("reason"), str)
                  or not value["reason"].strip()):
                raise TomlProblem(f"{place}.{key}", "expected { change = -1, reason = \"...\" }")
            elif unknown := sorted(set(value) - {"change", "reason"}):
                raise TomlProblem(f"{place}.{key}.{toml_key(unknown[0])}",
                                  "unknown key (a domain's judgement has change and reason only)")
            elif value["change"] not in ALLOWED_CHANGES[key]:
                allowed = ", ".join(str(c) for c in ALLOWED_CHANGES[key])
                raise TomlProblem(f"{place}.{key}", f"change {value['change']} is not one of {allowed} (GRADE "
                                                        "lowers for risk of bias, inconsistency, imprecision, "
                                                        "indirectness and publication bias, raises for a large effect "
                                                        "or a dose-response gradient)")


def _apply_overrides(judgement: GradeJudgement | None, factor_id: str,
                    override: dict[str, Any]) -> GradeJudgement | None:
    """A reviewer's judgements (one grade.toml entry) in place of the automatic ones; :func:`assess`
    applies the downgrades before deciding the upgrades and the upgrades after."""
    if not override:
        return judgement
    judgement = judgement or GradeJudgement(factor_id, "high")
    if "start" in override:
        judgement.start = override["start"]
        judgement.start_reason = "set by the reviewer (grade.toml)"
    for key, value in override.items():
        if key in DOMAINS:
            judgement.domains[key] = DomainJudgement(int(value["change"]), str(value["reason"]), "reviewer")
    return judgement
