"""Content validity: I-CVI, the modified kappa k* (Polit, Beck & Owen 2007), S-CVI/Ave and S-CVI/UA.

Experts rate each item's relevance 1-4; 3 or 4 counts as relevant. k* corrects the I-CVI for
the chance that ``A`` of ``N`` experts call an item relevant when each does so with
probability 1/2: ``pc = C(N, A) 0.5^N``, ``k* = (I-CVI - pc) / (1 - pc)``, labelled after Cicchetti & Sparrow (1981): above .74
excellent, .60-.74 good, .40-.59 fair, below that poor.

An expert who skipped an item leaves it out of that item's I-CVI (and so of S-CVI/Ave, their
mean). S-CVI/UA is the share of items "rated 3 or 4 by all the experts" (Polit, Beck & Owen
2007): an item an expert of the panel skipped is not known to have that, so it does not count,
and the items concerned are listed (``skipped``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scipy.stats import binom

from .ratings import read_ratings, require_raters
from .table import cell_error, read_table

#: An I-CVI below .78 asks for revision: Polit, Beck & Owen (2007) for three or more experts (k* is then
#: excellent); Lynn (1986) set .78 for six or more and asked 1.00 of five or fewer, i.e. also revised 4 of 5.
DEFAULT_THRESHOLD = 0.78
#: Fewest experts in the file and on an item: with one there is no agreement to judge. A pilot of two, or a
#: file in which one expert skipped an item, is computed rather than refused.
MIN_EXPERTS = 2
#: Lynn (1986): at least three experts; with two, one dissent halves the I-CVI and k* is not tabled
#: (Polit, Beck & Owen's table starts at three). Fewer is reported with a note on the item, not refused.
ADVISED_EXPERTS = 3
FEW_EXPERTS_NOTE = f"fewer than {ADVISED_EXPERTS} experts (Lynn 1986): rough"
RELEVANT_FROM = 3
SCALE = (1, 4)


def chance_agreement(n_experts: int, n_relevant: int) -> float:
    """Probability that exactly ``n_relevant`` of ``n_experts`` say relevant by chance (p = 1/2)."""
    return float(binom.pmf(n_relevant, n_experts, 0.5))


def modified_kappa(n_experts: int, n_relevant: int) -> float:
    i_cvi = n_relevant / n_experts
    pc = chance_agreement(n_experts, n_relevant)
    return (i_cvi - pc) / (1 - pc)


def adequacy(kappa_star: float) -> str:
    """Polit, Beck & Owen's label for a k* value."""
    if kappa_star > 0.74:
        return "excellent"
    if kappa_star >= 0.60:
        return "good"
    if kappa_star >= 0.40:
        return "fair"
    return "poor"


@dataclass(slots=True)
class ItemCvi:
    item: str
    n_experts: int
    n_relevant: int
    i_cvi: float
    pc: float
    kappa_star: float
    adequacy: str
    revise: bool
    note: str = ""  # fewer experts than Lynn (1986) asks: the I-CVI moves by half at one dissent


@dataclass(slots=True)
class CviResult:
    path: str
    items: list[ItemCvi]
    experts: list[str]
    s_cvi_ave: float
    s_cvi_ua: float
    threshold: float
    skipped: list[str] = field(default_factory=list)  # items some expert of the panel did not rate

    @property
    def to_revise(self) -> list[ItemCvi]:
        return [i for i in self.items if i.revise]

    def to_json(self) -> dict[str, Any]:
        return {"kind": "cvi", "file": self.path, "items": [asdict(i) for i in self.items],
                "experts": self.experts, "s_cvi_ave": self.s_cvi_ave, "s_cvi_ua": self.s_cvi_ua,
                "threshold": self.threshold, "revise": [i.item for i in self.to_revise], "skipped": self.skipped}


def item_cvi(item: str, ratings: list[int], threshold: float) -> ItemCvi:
    n, a = len(ratings), sum(1 for r in ratings if r >= RELEVANT_FROM)
    k = modified_kappa(n, a)
    return ItemCvi(item, n, a, a / n, chance_agreement(n, a), k, adequacy(k), a / n < threshold,
                   FEW_EXPERTS_NOTE if n < ADVISED_EXPERTS else "")


def content_validity(path: Path | str, *, item: str = "item", expert: str = "expert", rating: str = "rating",
                     threshold: float = DEFAULT_THRESHOLD) -> CviResult:
    """I-CVI and k* per item, S-CVI for the scale, from ``item, expert, rating`` rows."""
    table = read_table(path)
    ratings = read_ratings(table, item, expert, rating, scale=SCALE)
    experts = require_raters(table, ratings, expert, minimum=MIN_EXPERTS, what="experts")
    per_item: dict[str, list[int]] = {}
    first_row: dict[str, int] = {}
    for r in ratings:
        per_item.setdefault(r.unit, []).append(int(r.value))
        first_row.setdefault(r.unit, r.row)
    for name, values in per_item.items():
        if len(values) < MIN_EXPERTS:
            raise cell_error(table.path, first_row[name], item, f"item {name!r} is rated by one expert only")
    items = [item_cvi(name, values, threshold) for name, values in per_item.items()]
    s_cvi_ave = sum(i.i_cvi for i in items) / len(items)
    # universal agreement needs every expert of the panel: a skipped rating is not an agreeing one
    skipped = [i.item for i in items if i.n_experts < len(experts)]
    s_cvi_ua = sum(1 for i in items if i.n_relevant == len(experts)) / len(items)
    return CviResult(str(path), items, experts, s_cvi_ave, s_cvi_ua, threshold, skipped)
