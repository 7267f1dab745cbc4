"""A Delphi round: consensus per item under a pre-registered rule, items carried on, comments, rounds compared.

The rule (default, as in the programme's earlier Delphi study): an item reaches consensus
when at least 75 % of the experts who rated it agree, i.e. rate it ``agree_from`` or higher
(consensus to keep) or ``disagree_to`` or lower (consensus to drop). Other items go to the
next round with their comments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .options import NUMBER_OPTIONS
from .ratings import read_ratings, require_raters
from .table import cell_error, read_table

DEFAULT_CONSENSUS = 0.75


@dataclass(slots=True, frozen=True)
class DelphiRule:
    """What counts as agreement; fixed before the round (pre-registered)."""

    consensus: float = DEFAULT_CONSENSUS
    scale_min: int = 1
    scale_max: int = 5
    agree_from: int = 4
    disagree_to: int = 2

    def check(self, name: Callable[[str], str] = str) -> None:
        """Refuse a rule whose scale points do not rise or whose consensus is half or less (ValueError, one
        line naming each field as ``name`` spells it: the plan's ``scale_min``, the command line's --scale-min)."""
        consensus = NUMBER_OPTIONS["consensus"]
        if not consensus.accepts(self.consensus):
            raise ValueError(f"{name('consensus')} {self.consensus} out of range ({consensus.describe()})")
        if not self.scale_min <= self.disagree_to < self.agree_from <= self.scale_max:
            raise ValueError(f"the scale points must rise: {name('scale_min')} {self.scale_min} <= "
                             f"{name('disagree_to')} {self.disagree_to} < {name('agree_from')} {self.agree_from} "
                             f"<= {name('scale_max')} {self.scale_max}")

    def describe(self) -> str:
        return (f"consensus when >= {self.consensus:.0%} of the experts rate {self.agree_from}-{self.scale_max} "
                f"(keep) or {self.scale_min}-{self.disagree_to} (drop) on a {self.scale_min}-{self.scale_max} scale")


#: The rule's fields, as the plan and the command line name them (dashes for underscores).
RULE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(DelphiRule))


@dataclass(slots=True)
class DelphiItem:
    item: str
    n_experts: int
    agree: float
    disagree: float
    median: float
    verdict: str  # keep | drop | next round
    comments: list[str] = field(default_factory=list)
    previous_agree: float | None = None
    previous_verdict: str | None = None


@dataclass(slots=True)
class DelphiResult:
    path: str
    rule: DelphiRule
    experts: list[str]
    items: list[DelphiItem]
    previous_path: str | None = None

    @property
    def carried(self) -> list[DelphiItem]:
        return [i for i in self.items if i.verdict == "next round"]

    def to_json(self) -> dict[str, Any]:
        return {"kind": "delphi", "file": self.path, "rule": asdict(self.rule), "experts": self.experts,
                "items": [asdict(i) for i in self.items], "consensus": [i.item for i in self.items if i.verdict != "next round"],
                "next_round": [i.item for i in self.carried], "previous": self.previous_path}


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _round(path: Path | str, rule: DelphiRule, item: str, expert: str, rating: str, comment: str
           ) -> tuple[list[str], list[DelphiItem]]:
    table = read_table(path)
    ratings = read_ratings(table, item, expert, rating, scale=(rule.scale_min, rule.scale_max))
    experts = require_raters(table, ratings, expert, what="experts")
    has_comments = comment in table.columns
    values: dict[str, list[int]] = {}
    notes: dict[str, list[str]] = {}
    for i, r in enumerate(ratings):
        values.setdefault(r.unit, []).append(int(r.value))
        text = table.text(i, comment, required=False) if has_comments else ""
        notes.setdefault(r.unit, [])
        if text:
            notes[r.unit].append(f"{r.rater}: {text}")
    items = []
    for name, given in values.items():
        if len(given) < 2:
            row = next(r.row for r in ratings if r.unit == name)
            raise cell_error(table.path, row, item, f"item {name!r} is rated by one expert only")
        agree = sum(1 for v in given if v >= rule.agree_from) / len(given)
        disagree = sum(1 for v in given if v <= rule.disagree_to) / len(given)
        verdict = "keep" if agree >= rule.consensus else "drop" if disagree >= rule.consensus else "next round"
        items.append(DelphiItem(name, len(given), agree, disagree, _median(given), verdict, notes[name]))
    return experts, items


def delphi_round(path: Path | str, *, previous: Path | str | None = None, rule: DelphiRule | None = None,
                 item: str = "item", expert: str = "expert", rating: str = "rating",
                 comment: str = "comment") -> DelphiResult:
    """Consensus per item of one round, compared with the previous round when given."""
    rule = rule or DelphiRule()
    try:
        rule.check()
    except ValueError as err:
        raise cell_error(path, None, None, f"inconsistent Delphi rule: {err}") from None
    experts, items = _round(path, rule, item, expert, rating, comment)
    if previous is not None:
        _, before = _round(previous, rule, item, expert, rating, comment)
        by_name = {i.item: i for i in before}
        for it in items:
            if it.item in by_name:
                it.previous_agree = by_name[it.item].agree
                it.previous_verdict = by_name[it.item].verdict
    return DelphiResult(str(path), rule, experts, items, str(previous) if previous is not None else None)
