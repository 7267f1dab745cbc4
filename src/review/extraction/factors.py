"""The harmonised factor list (``extraction/factors.toml``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..tomlread import TomlProblem, problems_located, read_toml_located, toml_key
from .model import DOMAINS, Factor

REQUIRED = ("id", "label_en", "label_nl", "domain", "modifiable", "assessable")
TEXT_FIELDS = ("id", "label_en", "label_nl", "domain")
OPTIONAL_TEXT = ("definition", "flags_source", "notes")


class FactorList:
    """Factors by id, in file order."""

    def __init__(self, factors: list[Factor]) -> None:
        self._by_id = {f.id: f for f in factors}

    def __contains__(self, factor_id: object) -> bool:
        return factor_id in self._by_id

    def __iter__(self) -> Iterator[Factor]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __getitem__(self, factor_id: str) -> Factor:
        return self._by_id[factor_id]

    def get(self, factor_id: str) -> Factor | None:
        return self._by_id.get(factor_id)


def load_factors(path: Path) -> FactorList:
    """Read and check ``factors.toml``: ``[[factor]]`` tables with the required fields."""
    path = Path(path)
    if not path.exists():
        # ``review init`` writes no factor list: say what the file needs, not just that it is absent.
        raise ValidationError(f"{path}: no factor list yet; write one [[factor]] table per harmonised factor "
                              f"({', '.join(REQUIRED)}), see docs/synthesis.md")
    data, located = read_toml_located(path)
    with problems_located(path, located):
        factors = _factors(data)
    if not factors:
        raise ValidationError(f"{path}: no [[factor]] tables")
    return FactorList(factors)


def _factors(data: dict[str, Any]) -> list[Factor]:
    """The checked ``[[factor]]`` tables of factors.toml's data, in file order."""
    factors: list[Factor] = []
    seen: set[str] = set()
    # label (case and spaces folded) -> (factor[i], id): one factor entered under two ids counts twice (walk33)
    labelled: dict[tuple[str, str], tuple[str, str]] = {}
    tables = data.get("factor", [])
    # [factor] for [[factor]], or a value: string indices, 'int' not iterable, tracebacks (rrev28a)
    if not isinstance(tables, list) or not all(isinstance(item, dict) for item in tables):
        raise TomlProblem("factor", "expected [[factor]] tables (double brackets), one per factor")
    for i, item in enumerate(tables, start=1):
        where = f"factor[{i}]"
        for name in REQUIRED:
            if name not in item or item[name] == "":
                raise TomlProblem(f"{where}.{name}", "required field is missing")
        for name in (*TEXT_FIELDS, *(n for n in OPTIONAL_TEXT if n in item)):
            if not isinstance(item[name], str):  # (id = ["a"] was a TypeError, unhashable, at the duplicate check)
                raise TomlProblem(f"{where}.{name}", f"expected text in quotes, got {type(item[name]).__name__} "
                                                     f"{item[name]!r}")
        if item["domain"] not in DOMAINS:
            raise TomlProblem(f"{where}.domain", f"{item['domain']!r} not one of {', '.join(DOMAINS)}")
        for flag in ("modifiable", "assessable"):
            if not isinstance(item[flag], bool):
                raise TomlProblem(f"{where}.{flag}", "expected true or false")
        if item["id"] in seen:
            raise TomlProblem(f"{where}.id", f"duplicate factor id {item['id']!r}")
        seen.add(item["id"])
        for name in ("label_en", "label_nl"):
            folded = " ".join(item[name].casefold().split())
            if (name, folded) in labelled:
                first, first_id = labelled[(name, folded)]
                raise TomlProblem(f"{where}.{name}", f"{item[name]!r} is also the label of {first} ({first_id!r}): one "
                                                     "factor under two ids? give each factor its own label, or its "
                                                     "estimates one id")
            labelled[(name, folded)] = (where, item["id"])
        unknown = set(item) - set(Factor.__dataclass_fields__)
        if unknown:
            raise TomlProblem(f"{where}.{toml_key(sorted(unknown)[0])}", "unknown field")
        factors.append(Factor(**item))
    return factors
