"""Compare two extractors' versions of one study: the list of fields that differ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .forms import SUPPORT_SUFFIX, study_to_data
from .model import QUIPS_DOMAINS, Study

#: What ``compare --quips`` shows for a domain a rater's (unfinished) table does not rate yet.
NOT_RATED = "not rated"


@dataclass(slots=True, frozen=True)
class FieldDifference:
    """One field where two extractions disagree; ``None`` means absent on that side."""

    field: str
    left: Any
    right: Any

    def __str__(self) -> str:
        return f"{self.field}: {self.left!r} vs {self.right!r}"


def _estimate_key(values: dict[str, Any]) -> str:
    """factor|contrast(|subgroup)(|estimate type|measure|cohort): the fields that are set, whatever
    else the file holds, so one rater's adjusted OR meets the other's even when only one of them also
    entered the crude OR."""
    key = f"{values.get('factor', '?')}|{values.get('contrast', '')}"
    for name in ("subgroup", "estimate_type", "measure", "cohort"):
        if values.get(name):
            key += f"|{values[name]}"
    return key


def _estimate_keys(estimates: list[dict[str, Any]]) -> list[str]:
    """One key per estimate, unique within the file: :func:`_estimate_key`, then a running number
    where two still share it. A shared key let the second estimate overwrite the first, hiding its
    differences."""
    keys = [_estimate_key(v) for v in estimates]
    seen: dict[str, int] = {}
    unique = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        unique.append(key if keys.count(key) == 1 else f"{key}#{seen[key]}")
    return unique


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in data.get("study", {}).items():
        flat[f"study.{name}"] = value
    estimates = list(data.get("estimates", []))
    for values, key in zip(estimates, _estimate_keys(estimates)):
        for name, value in values.items():
            flat[f"estimates[{key}].{name}"] = value
    for values in data.get("expert_ratings", []):
        for name, value in values.items():
            flat[f"expert_ratings[{values.get('factor', '?')}].{name}"] = value
    for rater, ratings in data.get("quips", {}).items():
        for domain in QUIPS_DOMAINS:  # a draft's missing domain shows, not an absent row
            flat[f"quips.{rater}.{domain}"] = ratings.get(domain, NOT_RATED)
        for domain, rating in ratings.items():
            if domain.endswith(SUPPORT_SUFFIX) or domain not in QUIPS_DOMAINS:
                flat[f"quips.{rater}.{domain}"] = rating
    return flat


def compare_studies(left: Study, right: Study, *, include_quips: bool = False) -> list[FieldDifference]:
    """Fields that differ, estimates matched on factor, contrast, subgroup, type, measure and cohort.

    QUIPS tables are per rater and expected to differ by name, so they are left out unless asked.
    """
    a, b = _flatten(study_to_data(left)), _flatten(study_to_data(right))
    names = [n for n in dict.fromkeys([*a, *b]) if include_quips or not n.startswith("quips.")]
    sections = ("study.", "estimates[", "expert_ratings[", "quips.")
    names.sort(key=lambda n: next(i for i, s in enumerate(sections) if n.startswith(s)))
    return [FieldDifference(n, a.get(n), b.get(n)) for n in names if a.get(n) != b.get(n)]
