"""Read a CSV of study estimates for ``review meta`` (metagen-style input)."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import ImportFormatError, ValidationError
from .meta import effect_from_ci


@dataclass(slots=True)
class EffectTable:
    """Study labels with effects ``yi`` and variances ``vi`` on the analysis scale."""

    studies: list[str]
    yi: list[float]
    vi: list[float]


def read_effects_csv(path: Path, *, measure: str = "OR", level: float = 0.95) -> EffectTable:
    """Columns ``study`` plus ``estimate,ci_low,ci_high`` (reporting scale) or ``yi`` with ``vi``/``sei``.

    ``yi`` is on the analysis scale already (log for ratios), as in R's ``metagen``. An optional ``ci_level`` column overrides ``level`` per row. Errors name file, line and column.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise ImportFormatError(path, None, f"cannot read ({err.strerror})") from err
    reader = csv.DictReader(text.splitlines())
    columns = {c.strip() for c in (reader.fieldnames or [])}
    if "study" not in columns:
        raise ImportFormatError(path, "line 1", "needs a 'study' column")
    from_ci = {"estimate", "ci_low", "ci_high"} <= columns
    from_yi = "yi" in columns and ("vi" in columns or "sei" in columns)
    if not (from_ci or from_yi):
        raise ImportFormatError(
            path, "line 1", "needs columns estimate,ci_low,ci_high or yi with vi or sei"
        )
    table = EffectTable([], [], [])
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        where = f"line {line}"
        study = row.get("study") or f"study {line - 1}"
        try:
            if from_ci and row.get("ci_low"):
                row_level = _number(row, "ci_level", where, path) if row.get("ci_level") else level
                if row_level > 1:
                    row_level /= 100.0
                estimate = _number(row, "estimate", where, path) if row.get("estimate") else None
                low, high = _number(row, "ci_low", where, path), _number(row, "ci_high", where, path)
                if estimate is not None and not low <= estimate <= high:
                    raise ValidationError(f"estimate {estimate:g} lies outside its CI {low:g}-{high:g}")
                y, se = effect_from_ci(estimate, low, high, measure=measure, level=row_level)
                variance = se * se
            elif from_yi:
                y = _number(row, "yi", where, path)
                if row.get("vi"):
                    variance = _number(row, "vi", where, path)
                else:
                    variance = _number(row, "sei", where, path) ** 2
            else:
                raise ValidationError("no ci_low/ci_high")
        except ValidationError as err:
            raise ImportFormatError(path, where, str(err)) from err
        if not variance > 0:
            raise ImportFormatError(path, where, "variance must be positive")
        table.studies.append(study)
        table.yi.append(y)
        table.vi.append(variance)
    if not table.studies:
        raise ImportFormatError(path, None, "no study rows")
    return table


def _number(row: dict[str, str], column: str, where: str, path: Path) -> float:
    value = row.get(column, "")
    try:
        number = float(value)
    except ValueError:
        raise ImportFormatError(path, f"{where}:{column}", f"not a number: {value!r}") from None
    if not math.isfinite(number):
        raise ImportFormatError(path, f"{where}:{column}", f"not a finite number: {value!r}")
    return number
