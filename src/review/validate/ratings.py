"""Long-format ratings (unit, rater, value): read once, checked once, shared by every agreement index."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .table import Table, cell_error, composed


@dataclass(slots=True, frozen=True)
class Rating:
    """One rater's value for one unit (target or item), with the line of the file its row starts on."""

    unit: str
    rater: str
    value: float
    row: int
    item: str = ""


def read_ratings(table: Table, unit: str, rater: str, value: str, *, item: str | None = None,
                 scale: tuple[int, int] | None = None) -> list[Rating]:
    """Every row as a :class:`Rating`; a rater rating the same unit (and item) twice is an error."""
    columns = [unit, rater, value] + ([item] if item else [])
    table.require(*columns)
    seen: dict[tuple[str, str, str], int] = {}
    ratings: list[Rating] = []
    for i in range(len(table)):
        # Composed (NFC), as require_unique_ids matches client ids: 'José' typed on one machine and pasted from
        # another (e + combining acute, as macOS writes it) is one expert, not two.
        key_unit, key_rater = composed(table.text(i, unit)), composed(table.text(i, rater))
        key_item = composed(table.text(i, item)) if item else ""
        if scale is not None:
            number = float(table.integer_in(i, value, *scale))
        else:
            parsed = table.number(i, value)
            assert parsed is not None
            number = parsed
        key = (key_item, key_unit, key_rater)
        if key in seen:
            what = f"{key_rater!r} already rated {key_unit!r}" + (f" on {key_item!r}" if key_item else "")
            raise cell_error(table.path, table.where(i), rater, f"{what} (line {seen[key]})")
        seen[key] = table.where(i)
        ratings.append(Rating(key_unit, key_rater, number, table.where(i), key_item))
    return ratings


def raters_of(ratings: list[Rating]) -> list[str]:
    return sorted({r.rater for r in ratings})


def require_raters(table: Table, ratings: list[Rating], rater: str, *, minimum: int = 2,
                   exactly: int | None = None, what: str = "raters") -> list[str]:
    """The raters, sorted; fewer than ``minimum`` (or not ``exactly``) is an error."""
    names = raters_of(ratings)
    if len(names) < minimum:
        raise cell_error(table.path, None, rater,
                         f"fewer than {minimum} {what} ({len(names)}: {', '.join(names)})")
    if exactly is not None and len(names) != exactly:
        raise cell_error(table.path, None, rater,
                         f"expected exactly {exactly} {what}, found {len(names)} ({', '.join(names)})")
    return names


def by_unit(ratings: list[Rating]) -> dict[tuple[str, str], dict[str, Rating]]:
    """(item, unit) -> rater -> rating, in file order."""
    grouped: dict[tuple[str, str], dict[str, Rating]] = defaultdict(dict)
    for r in ratings:
        grouped[(r.item, r.unit)][r.rater] = r
    return dict(grouped)


def require_complete(table: Table, ratings: list[Rating], unit: str, raters: list[str]) -> None:
    """Every unit rated by every rater; names the unit and its first row's line when not."""
    for (item, name), given in by_unit(ratings).items():
        missing = [r for r in raters if r not in given]
        if missing:
            first = min(r.row for r in given.values())
            only = "one rater" if len(given) == 1 else f"{len(given)} raters"
            label = f"{name!r}" + (f" (item {item!r})" if item else "")
            raise cell_error(table.path, first, unit,
                             f"{label} is rated by {only} only; missing {', '.join(missing)}")
