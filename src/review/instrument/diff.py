"""What changed between two item banks: items, weights, the studies behind them and each study's numbers.

``review instrument diff`` and ``review instrument build`` print these lines; the bank's own maintainers read
them to see what a rebuild from new evidence does before a labour expert meets it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from ..levels import level_percent
from ..words import bounds_joined
from .itembank import Item, ItemBank


@dataclass(slots=True, frozen=True)
class Change:
    kind: str  # evidence | setting | added | removed | role | weight | level | grade | direction | domain | caution | k | studies | pooled studies | estimate | template | question
    subject: str
    before: str = ""
    after: str = ""
    #: For ``estimate``: the study and what its number compares, ``x2020 (high vs low conflict)``.
    detail: str = ""

    def line(self) -> str:
        if self.kind == "added":
            return f"+ {self.subject}: now {self.after}"
        if self.kind == "removed":
            return f"- {self.subject}: no longer asked ({self.after})"
        if self.kind in ("studies", "pooled studies"):  # before: the ids no longer behind it; after: the new ones
            gone = f"removed {self.before}" if self.before else ""
            new = f"added {self.after}" if self.after else ""
            return f"~ {self.subject}: {self.kind} " + "; ".join(t for t in (new, gone) if t)
        if self.kind == "estimate":  # an estimate never reads as empty ("no estimate" at least)
            if not self.before:
                return f"~ {self.subject}: estimate added {self.detail}: {self.after}"
            if not self.after:
                return f"~ {self.subject}: estimate removed {self.detail}: {self.before}"
            return f"~ {self.subject}: estimate {self.detail}: {self.before} -> {self.after}"
        if self.after in ("changed", "added", "removed"):  # before: what changed (a question added names none)
            return f"~ {self.subject}: {self.kind} {self.after}" + (f" ({self.before})" if self.before else "")
        return f"~ {self.subject}: {self.kind} {self.before} -> {self.after}"


def diff_banks(old: ItemBank, new: ItemBank) -> list[Change]:
    """What changed in items, weights and wording between two banks (empty: nothing)."""
    changes: list[Change] = []
    if old.evidence.sha256 != new.evidence.sha256:
        changes.append(Change("evidence", "synthesis", old.evidence.short, new.evidence.short))
    if old.config != new.config:
        changed = sorted(k for k in set(old.config) | set(new.config) if old.config.get(k) != new.config.get(k))
        for key in changed:
            changes.append(Change("setting", key, repr(old.config.get(key)), repr(new.config.get(key))))
    old_items = {i.factor_id: i for i in old.items}
    new_items = {i.factor_id: i for i in new.items}
    reasons = {n.factor_id: n.reason for n in new.not_included}

    def role(item: Item) -> str:
        return "scored" if item.scored else "signal"

    for fid in new_items.keys() - old_items.keys():
        i = new_items[fid]
        changes.append(Change("added", fid, after=f"{role(i)} ({i.direction}, {i.level}, weight {i.weight:g})"))
    for fid in old_items.keys() - new_items.keys():
        changes.append(Change("removed", fid, after=reasons.get(fid, "factor no longer in the synthesis")))
    for fid in sorted(old_items.keys() & new_items.keys()):
        a, b = old_items[fid], new_items[fid]
        if role(a) != role(b):
            changes.append(Change("role", fid, role(a), role(b)))
        # GRADE too: every report prints it beside the factor, and signal_min_grade decides how a signal shows;
        # the caution every output prints beside a signal ('let op: nog niet bevestigd') too
        for attr in ("weight", "level", "grade", "direction", "domain", "caution"):
            if getattr(a, attr) != getattr(b, attr):  # a factor without a GRADE judgement has grade ""
                changes.append(Change(attr, fid, f"{getattr(a, attr)}" or "none", f"{getattr(b, attr)}" or "none"))
        if a.pooled_k != b.pooled_k:  # the studies behind the pooled estimate: its basis text and hash change
            changes.append(Change("k", fid, _k_shown(a.pooled_k), _k_shown(b.pooled_k)))
        # Which studies, not only how many: one replaced by another leaves k and the level as they were.
        changes += _study_changes("studies", fid, a.studies, b.studies)
        if a.pooled_studies and b.pooled_studies:  # a bank built before 2026-12-06 does not name them
            changes += _study_changes("pooled studies", fid, a.pooled_studies, b.pooled_studies)
        # Each study's own number: a corrected OR or CI moves no k, weight or level line by itself.
        changes += estimate_changes(fid, a.effects, b.effects)
        for attr in ("present", "partly", "advice_nl", "advice_en", "topic_nl", "topic_en"):
            if getattr(a, attr) != getattr(b, attr):
                changes.append(Change("template", fid, attr, "changed"))
    old_q = {q.link_id: q for q in old.questions}
    new_q = {q.link_id: q for q in new.questions}
    for link_id in sorted(new_q.keys() - old_q.keys()):
        changes.append(Change("question", link_id, after="added"))
    for link_id in sorted(old_q.keys() - new_q.keys()):
        changes.append(Change("question", link_id, after="removed"))
    for link_id in sorted(old_q.keys() & new_q.keys()):
        before, after = old_q[link_id], new_q[link_id]
        changed = [attr for attr in ("domain", "text_nl", "text_en", "help_nl", "help_en", "type",
                                     "enable_when", "factors", "signals")
                   if getattr(before, attr) != getattr(after, attr)]
        if before.options != after.options:
            changed.append("options")
        if changed:
            changes.append(Change("question", link_id, ", ".join(changed), "changed"))
    order = {"evidence": 0, "setting": 1, "added": 2, "removed": 3, "role": 4}
    # (stable: an item's estimate lines keep estimate_changes' order, by study and what it compares)
    return sorted(changes, key=lambda c: (order.get(c.kind, 4), c.subject, c.kind))


def _study_changes(kind: str, fid: str, before: Sequence[str], after: Sequence[str]) -> list[Change]:
    removed = [s for s in before if s not in set(after)]
    added = [s for s in after if s not in set(before)]
    if not removed and not added:
        return []
    return [Change(kind, fid, ", ".join(sorted(removed)), ", ".join(sorted(added)))]


def _k_shown(k: int | None) -> str:
    return "unknown" if k is None else str(k)


# -- each study's estimate ------------------------------------------------------------------
#: What names one estimate of an item in both banks: its study and what the number compares. A changed
#: contrast is another estimate (one removed, one added), as the study file then describes another number.
_IDENTITY = ("study", "contrast", "subgroup", "outcome", "favourable")


def estimate_changes(fid: str, before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[Change]:
    """One line per study estimate of item ``fid`` whose numbers differ between two banks, with both
    sides, and one per estimate only one bank has, by study id and then what it compares.

    Compared: measure, estimate, CI and its level, p-value, why a number or its CI is missing (``status``),
    and, when both banks carry them (built since 2026-12-06), adjusted or crude (``estimate_type``) and
    where in the paper it was read (``source_location``), and (since 2026-12-07) which way a study without a
    number went (``finding``) and the label the source prints for the number (``measure_as_published``). A bank built before held a study's p only for
    a number without its CI: against such a bank only that p is compared, so a rebuild reports no change
    that is only the bank's format.
    """
    old, new = _by_identity(before), _by_identity(after)
    changes: list[Change] = []
    for identity in sorted(old.keys() | new.keys()):
        for a, b in _paired(old.get(identity, []), new.get(identity, [])):
            if a is None or b is None:
                shown = a if b is None else b
                assert shown is not None  # (_paired pairs nothing with nothing)
                # every field it has, its CI's level only when not the standard 95 %
                text = _estimate_text(shown, [f for f in (*_EVERY_BANK, *_PUBLISHED, *_SINCE_2026_12_06)
                                              if f != "ci_level" or shown.get("ci_level")])
                changes.append(Change("estimate", fid, text if b is None else "", text if a is None else "",
                                      _estimate_name(shown)))
                continue
            fields, differ = _differing(a, b)
            if differ:
                # The number itself always; other fields only where they changed, so the change stands out.
                shown_fields = [f for f in fields if f in _NUMBER or f in differ]
                changes.append(Change("estimate", fid, _estimate_text(a, shown_fields), _estimate_text(b, shown_fields),
                                      _estimate_name(a)))
    return changes


def _differing(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The fields compared between two banks' estimates (fewer against a bank built before 2026-12-06) and
    those that differ."""
    legacy = "estimate_type" not in a or "estimate_type" not in b
    fields = [*_EVERY_BANK, *_PUBLISHED, *(() if legacy else _SINCE_2026_12_06)]
    if "finding" in a and "finding" in b:  # which way a study without a number went (banks built since 2026-12-07)
        fields.append("finding")
    return fields, [f for f in fields if _value(a, f, legacy) != _value(b, f, legacy)]


def _paired(before: Sequence[Mapping[str, Any]],
            after: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """A study's estimates of one contrast in both banks, paired: each with one that is unchanged first, then
    crude with crude and adjusted with adjusted, then the rest in the study file's order (None: in one bank
    only). By order alone, a crude and an adjusted number of one contrast swapped in the file read as two
    changed numbers, and one removed as the other changed into it."""
    left, right = list(range(len(before))), list(range(len(after)))
    pairs: list[tuple[int | None, int | None]] = []

    def match(same: Callable[[Mapping[str, Any], Mapping[str, Any]], bool]) -> None:
        for i in list(left):
            j = next((j for j in right if same(before[i], after[j])), None)
            if j is not None:
                pairs.append((i, j))
                left.remove(i)
                right.remove(j)

    match(lambda a, b: not _differing(a, b)[1])
    match(lambda a, b: bool(a.get("estimate_type")) and a.get("estimate_type") == b.get("estimate_type"))
    pairs += zip_longest(left, right)
    pairs.sort(key=lambda pair: (pair[0] is None, pair[0] if pair[0] is not None else pair[1]))
    return [(None if i is None else before[i], None if j is None else after[j]) for i, j in pairs]


#: Shown on both sides of every estimate line: the number and its interval.
_NUMBER = ("measure", "estimate", "ci_low", "ci_high")
_EVERY_BANK = (*_NUMBER, "ci_level", "p", "status")
_SINCE_2026_12_06 = ("estimate_type", "source_location")
#: Compared between any two banks: a bank holds the source's label only where it differs from the measure, and
#: one built before the field existed could hold none (absent = none, as the study file had none).
_PUBLISHED = ("measure_as_published",)
_ADJUSTMENT = {"unknown": "adjustment unknown"}  # the form's choices: adjusted | crude | unknown


def _by_identity(effects: Sequence[Mapping[str, Any]]) -> dict[tuple[str, ...], list[Mapping[str, Any]]]:
    grouped: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for effect in effects:
        identity = tuple(str(effect.get(key) or "") for key in _IDENTITY)
        grouped.setdefault(identity, []).append(effect)
    return grouped


def _value(effect: Mapping[str, Any], field: str, legacy: bool = False) -> Any:
    if field == "ci_level":
        return effect.get("ci_level") or 0.95  # the bank leaves out the standard 95 %
    if field == "p" and legacy and not _without_interval(effect):
        return None  # a bank built before 2026-12-06 kept p only beside a number without its CI
    value = effect.get(field)
    return None if value == "" else value


def _without_interval(effect: Mapping[str, Any]) -> bool:
    return effect.get("estimate") is not None and (effect.get("ci_low") is None or effect.get("ci_high") is None)


def _estimate_name(effect: Mapping[str, Any]) -> str:
    """``x2020 (high vs low conflict; subgroup women)``: the study id, as its file is named, and what it compares."""
    parts = [str(effect.get("contrast") or "")]
    if effect.get("subgroup"):
        parts.append(f"subgroup {effect['subgroup']}")
    if effect.get("outcome"):
        parts.append(f"outcome {effect['outcome']}")
    if effect.get("favourable"):
        parts.append("favourable outcome")
    named = "; ".join(p for p in parts if p)
    return f"{effect.get('study', '')}" + (f" ({named})" if named else "")


def _estimate_text(effect: Mapping[str, Any], fields: Sequence[str]) -> str:
    """``OR 1.8 [1.1-2.9], p 0.03, adjusted, source Table 3``: numbers exactly as extracted (a rounded
    2.41 -> 2.44 would read 2.4 -> 2.4), a field left out where this side has none."""
    estimate = effect.get("estimate")
    if estimate is None:
        text = f"no {effect.get('measure') or ''} estimate".replace("  ", " ")
    else:
        text = f"{effect.get('measure') or ''} {_exact(estimate)}".strip()
        low, high = effect.get("ci_low"), effect.get("ci_high")
        if low is not None and high is not None:
            text += f" [{bounds_joined(_exact(low), _exact(high))}]"
        else:
            text += " (no CI)"
    extra = {
        "ci_level": f"CI level {level_percent(float(_value(effect, 'ci_level')), spaced=False)}",
        "p": f"p {_exact(effect['p'])}" if effect.get("p") is not None else "",
        "estimate_type": _ADJUSTMENT.get(str(effect.get("estimate_type") or ""), str(effect.get("estimate_type") or "")),
        "measure_as_published": (f"published as {effect['measure_as_published']}"
                                 if effect.get("measure_as_published") else ""),
        "status": f"status '{effect['status']}'" if effect.get("status") else "",
        "source_location": f"source {effect['source_location']}" if effect.get("source_location") else "",
        "finding": f"finding {effect['finding']}" if effect.get("finding") else "",
    }
    return ", ".join([text] + [extra[f] for f in fields if extra.get(f)])


def _exact(value: Any) -> str:
    """A number as the study file holds it, every digit: ``1.8``, ``2.0``, ``0.00012``."""
    return str(value)
