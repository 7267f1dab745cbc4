"""QUIPS risk of bias (Hayden et al. 2013): raters, consensus, and the collapse to one rating."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..tomlread import SettingProblem
from .model import QUIPS_DOMAINS, QUIPS_RATINGS

CONSENSUS = "consensus"
COLLAPSE_RULES: tuple[str, ...] = ("grooten", "worst_domain")


@dataclass(slots=True)
class CollapseRule:
    """How six domain ratings become one study rating.

    ``grooten`` (default; Grooten et al. 2019 / QUIPS practice): low if every domain is low or at
    most ``max_moderate_for_low`` moderate and none high; high if any domain is high or at least
    ``moderate_for_high`` are moderate; moderate otherwise. ``worst_domain``: the worst domain.
    """

    name: str = "grooten"
    max_moderate_for_low: int = 1
    moderate_for_high: int = 3

    @classmethod
    def from_settings(cls, extraction: object) -> "CollapseRule":
        """The rule review.toml's ``[extraction.quips]`` sets (``extraction``: its ``[extraction]`` table, {} when
        absent); a value where a table goes is a :class:`SettingProblem` (it was a traceback in review synthesis)."""
        if not isinstance(extraction, dict):
            raise SettingProblem("extraction", f"{extraction!r}: expected a table ([extraction])")
        quips = extraction.get("quips", {})
        if not isinstance(quips, dict):
            raise SettingProblem("extraction.quips", f"{quips!r}: expected a table ([extraction.quips])")
        return cls.from_mapping(quips)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "CollapseRule":
        rule = cls()
        if "collapse" in data:
            if data["collapse"] not in COLLAPSE_RULES:
                raise SettingProblem("extraction.quips.collapse",
                                     f"{data['collapse']!r}: expected one of {', '.join(COLLAPSE_RULES)}")
            rule.name = str(data["collapse"])
        for key in ("max_moderate_for_low", "moderate_for_high"):
            if key in data:
                value = data[key]
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise SettingProblem(f"extraction.quips.{key}", f"{value!r}: expected a whole number ≥ 0")
                setattr(rule, key, value)
        return rule

    def apply(self, domains: dict[str, str]) -> str:
        missing = [d for d in QUIPS_DOMAINS if d not in domains]
        if missing:
            return "unrated"
        ratings = [domains[d] for d in QUIPS_DOMAINS]
        if self.name == "worst_domain":
            return max(ratings, key=QUIPS_RATINGS.index)
        n_moderate, n_high = ratings.count("moderate"), ratings.count("high")
        if n_high or n_moderate >= self.moderate_for_high:
            return "high"
        if n_moderate <= self.max_moderate_for_low:
            return "low"
        return "moderate"

    def describe(self) -> str:
        if self.name == "worst_domain":
            return "worst domain"
        return (f"low if ≤{self.max_moderate_for_low} moderate and none high; high if any high or "
                f"≥{self.moderate_for_high} moderate; else moderate")


@dataclass(slots=True)
class QuipsSummary:
    """Consensus domain ratings, disagreements between raters, and the collapsed rating."""

    domains: dict[str, str]
    rob: str  # low | moderate | high | unrated
    raters: tuple[str, ...]
    disagreements: dict[str, dict[str, str]] = field(default_factory=dict)  # domain -> rater -> rating
    basis: str = ""


def rater_disagreements(quips: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Domains on which the (non-consensus) raters differ."""
    raters = {r: v for r, v in quips.items() if r != CONSENSUS}
    out: dict[str, dict[str, str]] = {}
    for domain in QUIPS_DOMAINS:
        given = {r: v[domain] for r, v in raters.items() if domain in v}
        if len(set(given.values())) > 1:
            out[domain] = given
    return out


def summarise(quips: dict[str, dict[str, str]], rule: CollapseRule | None = None) -> QuipsSummary:
    """The consensus table when given, else the raters' ratings where they all agree."""
    rule = rule or CollapseRule()
    raters = tuple(r for r in quips if r != CONSENSUS)
    disagreements = rater_disagreements(quips)
    if CONSENSUS in quips:
        domains = {d: r for d, r in quips[CONSENSUS].items() if d in QUIPS_DOMAINS}
        basis = "consensus"
    else:
        domains = {}
        for domain in QUIPS_DOMAINS:
            given = {v[domain] for v in quips.values() if domain in v}
            if len(given) == 1:
                domains[domain] = given.pop()
        # one rater is no agreement: "agreement of alice" read as if a second rater had concurred
        basis = (f"rated by {raters[0]} only" if len(raters) == 1
                 else "agreement of " + ", ".join(raters) if raters else "not rated")
        if disagreements:
            basis += f"; unresolved: {', '.join(disagreements)}"
    return QuipsSummary(domains, rule.apply(domains), raters, disagreements, basis)
