"""GRADE's large-effect upgrade for a prognostic factor: from a pooled ratio (decision 0032) or, when nothing
pools, from what most counted studies report (decision 0037); the guards (risk of bias, imprecision,
indirectness, and inconsistency without pooling) are :func:`review.synthesis.grade._upgrade`'s."""

from __future__ import annotations

from ..words import counted, effect_interval, effect_number, verb_for
from .grade_input import GradeConfig, GradeInput


def large_effect(item: GradeInput, config: GradeConfig) -> tuple[str, int]:
    """The large-effect upgrade and its reason: from the pooled estimate when estimates pool, else from what
    the counted studies report (decision 0037); ("", 0) when no estimate is large."""
    if item.pooled is not None and item.pooled.k >= 2:
        return _large_pooled_effect(item, config)
    return _large_reported_effect(item, config)


def _large_pooled_effect(item: GradeInput, config: GradeConfig) -> tuple[str, int]:
    """A pooled ratio that is a large effect (+1: ≥ 2 or ≤ 0.5) or a very large one (+2: ≥ 5 or ≤ 0.2;
    GRADE guidelines 9), with the levels it raises; ("", 0) when the estimate is not large.

    The CI's bound nearer 1 must pass the threshold too (the project's conservative reading,
    docs/synthesis.md): an effect the CI allows to be smaller than large is not shown to be large."""
    if item.pooled is None or not item.pooled.ratio:
        return "", 0
    est, lo, hi = (item.pooled.back(v) for v in (item.pooled.estimate, item.pooled.ci_low, item.pooled.ci_high))
    assert est is not None and lo is not None and hi is not None
    above = est >= 1
    near = lo if above else hi  # the bound nearer 1

    def passes(value: float, high: float, low: float) -> bool:
        return value >= high if above else value <= low

    very = (config.very_large_effect_high, config.very_large_effect_low)
    large = (config.large_effect_high, config.large_effect_low)
    at = "95 % CI " if item.reported_at_other_level else ""
    ci = f"pooled ratio {effect_number(est)} ({at}{effect_interval(lo, hi)})"
    bound = f"the CI's bound nearer 1 ({effect_number(near)})"
    if passes(est, *very) and passes(near, *very):
        return f"{ci} is a very large effect, {bound} included (≥ {very[0]:g} or ≤ {very[1]:g})", 2
    threshold = f"≥ {large[0]:g}" if above else f"≤ {large[1]:g}"
    if passes(est, *large) and passes(near, *large):
        extra = (f"; not very large: {bound} does not pass {very[0] if above else very[1]:g}"
                 if passes(est, *very) else "")
        return f"{ci} is a large effect, {bound} included ({threshold}){extra}", 1
    if passes(est, *large):
        return f"{ci} is large, but {bound} is not ({threshold}): not upgraded", 0
    return "", 0


def _levels_shown(estimate: float, low: float, high: float, config: GradeConfig) -> int:
    """The levels a ratio raises by its size: 2 very large, 1 large, 0 neither; the estimate and the CI's bound
    nearer 1 must both pass the threshold, as for a pooled ratio."""
    above = estimate >= 1
    near = low if above else high

    def passes(value: float, high_cut: float, low_cut: float) -> bool:
        return value >= high_cut if above else value <= low_cut

    if passes(estimate, config.very_large_effect_high, config.very_large_effect_low) and \
            passes(near, config.very_large_effect_high, config.very_large_effect_low):
        return 2
    return 1 if passes(estimate, config.large_effect_high, config.large_effect_low) and \
        passes(near, config.large_effect_high, config.large_effect_low) else 0


def _large_reported_effect(item: GradeInput, config: GradeConfig) -> tuple[str, int]:
    """A large effect without pooling, as Huguet et al. (2013, table 4) judge a narrative summary: a similar
    moderate or large effect reported by most studies, so one study when it is the only one (GRADE guidelines
    9 asks for it from rigorous studies; the guards of :func:`_upgrade` apply).

    Counted per counted unit, over every unit (one without a ratio with a CI reports no large effect). Only
    adjusted ratios count (GRADE 9: a large effect where no plausible confounder explains it), so a unit with
    crude ones only shows none and the line says so. A unit shows the levels all its adjusted whole-sample
    ratios for the review outcome show, on one side of 1 (adjusted ratios on both sides show none); each ratio
    with the thresholds and the bound rule of a pooled one. A unit whose 95 % CI excludes 1 on the other side
    withholds the upgrade: the studies do not report a similar effect (its adjusted CI, or its crude one when it
    reports no adjusted ratio: within a unit, adjustment settles a crude ratio's direction). The reason lists the side that
    decides only, each of its units with why it counts or does not."""
    n = len(item.units)
    very = f"≥ {config.very_large_effect_high:g} or ≤ {config.very_large_effect_low:g}"
    large = f"≥ {config.large_effect_high:g} or ≤ {config.large_effect_low:g}"

    def is_large(estimate: float) -> bool:
        return estimate >= config.large_effect_high or estimate <= config.large_effect_low

    def shown_as(kind: str, ratio: tuple[float, float, float]) -> str:
        return f"{kind} {effect_number(ratio[0])} (95 % CI {effect_interval(*ratio[1:])})"

    side_of: dict[str, bool] = {}  # candidate unit (a large estimate) -> its side (True: risk)
    levels_of: dict[str, int] = {}
    why_of: dict[str, str] = {}  # what the line says of the unit
    for unit in sorted(set(item.unit_ratios) | set(item.unit_unadjusted)):
        adjusted = item.unit_ratios.get(unit, [])
        unadjusted = item.unit_unadjusted.get(unit, [])
        if not any(is_large(r[0]) for r in adjusted + unadjusted):
            continue
        if not adjusted:
            side_of[unit], levels_of[unit] = next(r[0] >= 1 for r in unadjusted if is_large(r[0])), 0
            why_of[unit] = (f"{unit}: only unadjusted ratios ({'; '.join(shown_as('crude', r) for r in unadjusted)}), "
                            "no large effect counted (GRADE 9: only where no plausible confounder explains it)")
            continue
        sides = {r[0] >= 1 for r in adjusted}
        if len(sides) > 1:
            side_of[unit] = next(r[0] >= 1 for r in adjusted if is_large(r[0])) if any(
                is_large(r[0]) for r in adjusted) else next(r[0] >= 1 for r in unadjusted if is_large(r[0]))
            levels_of[unit] = 0
            why_of[unit] = (f"{unit}: its adjusted ratios lie on both sides of 1 "
                            f"({'; '.join(shown_as('adjusted', r) for r in adjusted)})")
            continue
        side_of[unit] = sides.pop()
        weakest = min(adjusted, key=lambda r: _levels_shown(r[0], r[1], r[2], config))
        levels_of[unit] = _levels_shown(weakest[0], weakest[1], weakest[2], config)
        if levels_of[unit]:
            why_of[unit] = f"{unit}: {'; '.join(shown_as('adjusted', r) for r in adjusted)}"
        elif not is_large(weakest[0]):
            why_of[unit] = f"{unit}: its {shown_as('adjusted', weakest)} is not large"
        else:
            why_of[unit] = (f"{unit}: its {shown_as('adjusted', weakest)} is large, but the CI's bound nearer 1 "
                            f"is not ({large})")
    if not side_of:
        return "", 0

    def support(side: bool) -> tuple[int, int, bool]:
        return (sum(1 for u, s in side_of.items() if s == side and levels_of[u]),
                sum(1 for s in side_of.values() if s == side), side)

    side = max((True, False), key=support)
    listed = "; ".join(why_of[u] for u in side_of if side_of[u] == side)
    basis = ("one study, nothing pooled" if n == 1 else "nothing pooled") + \
        " (Huguet et al. 2013: a large effect reported by most studies)"
    for levels, threshold, size in ((2, very, "very large"), (1, large, "large")):
        units = [u for u in side_of if side_of[u] == side and levels_of[u] >= levels]
        if len(units) * 2 <= n:
            continue
        shown = (f"{len(units)}/{counted(n, 'study')} {verb_for(len(units), 'shows', 'show')} a {size} effect, "
                 f"the CI's bound nearer 1 included ({threshold}): {listed}")
        other = [(unit, r) for unit in sorted(set(item.unit_ratios) | set(item.unit_unadjusted))
                 for r in item.unit_ratios.get(unit) or item.unit_unadjusted.get(unit, [])
                 if (r[2] < 1 if side else r[1] > 1)]
        if other:
            named = "; ".join(f"{unit}: {shown_as('ratio', r)}" for unit, r in other)
            return (f"{shown}; but {counted(len({u for u, _ in other}), 'study')} "
                    f"{verb_for(len({u for u, _ in other}), 'has', 'have')} a 95 % CI that excludes 1 on the other "
                    f"side ({named}): not a similar effect by most studies (Huguet et al. 2013), not upgraded"), 0
        extra = (f"; not very large: the CI's bound nearer 1 does not pass {very}"
                 if levels == 1 and any(_very_large_estimate(r, config) for u in units
                                        for r in item.unit_ratios[u]) else "")
        return f"{shown}; {basis}{extra}", levels
    if n == 1:
        return f"{listed}: not upgraded", 0
    return (f"{listed}: a large effect is not shown by most studies with the CI's bound nearer 1 ({large}; "
            f"{support(side)[0]}/{counted(n, 'study')}): not upgraded", 0)


def _very_large_estimate(ratio: tuple[float, float, float], config: GradeConfig) -> bool:
    """Whether a ratio's estimate alone is very large (the report says why it raised one level only)."""
    return ratio[0] >= config.very_large_effect_high or ratio[0] <= config.very_large_effect_low
