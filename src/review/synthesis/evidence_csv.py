"""``synthesis.csv``: one row per factor, columns named as the fields of ``FactorEvidence``.

Kept free of plotting imports so the instrument stage can read the table cheaply.
"""

from __future__ import annotations

import io
import math
from dataclasses import fields
from pathlib import Path

from ..csvcells import neutralising_writer, rows_by_line, unneutralise_cell
from ..errors import ImportFormatError
from ..records import FactorEvidence
from ..textdecode import read_user_text

CSV_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(FactorEvidence))
PLOTS_DIR = "plots"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if math.isfinite(value) else ""
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


def synthesis_csv(rows: list[FactorEvidence]) -> str:
    buffer = io.StringIO()
    writer = neutralising_writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, name)) for name in CSV_COLUMNS])
    return buffer.getvalue()


def load_synthesis(path: Path) -> list[FactorEvidence]:
    """Read ``synthesis.csv`` back into :class:`FactorEvidence` rows (the instrument's entry point)."""
    return [row for _, row in synthesis_rows(path)]


def synthesis_rows(path: Path) -> list[tuple[int, FactorEvidence]]:
    """``load_synthesis``'s rows, each with the line of the file it starts on (a refusal names that line)."""
    path = Path(path)
    # Ours, in UTF-8: a BOM (a spreadsheet's "CSV UTF-8") is read; a cp1252 copy is one line, never a guess.
    text = read_user_text(path, fallback=False).text
    rows = rows_by_line(text)
    header = next(rows, (1, []))[1]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ImportFormatError(path, "line 1", f"missing column {missing[0]!r}")
    out: list[tuple[int, FactorEvidence]] = []
    for line, cells in rows:
        row = {key: unneutralise_cell(cells[i] if i < len(cells) else "") for i, key in enumerate(header)}
        try:
            out.append((line, FactorEvidence(
                factor_id=row["factor_id"], label_en=row["label_en"], label_nl=row["label_nl"],
                domain=row["domain"], modifiable=_bool(row["modifiable"]), assessable=_bool(row["assessable"]),
                direction=row["direction"], level=row["level"], rule_set=row["rule_set"],
                studies=tuple(s for s in row["studies"].split(";") if s), measure=row["measure"],
                pooled_estimate=_float(row["pooled_estimate"]), ci_low=_float(row["ci_low"]),
                ci_high=_float(row["ci_high"]), i2=_float(row["i2"]), grade=row["grade"],
                explanation=row["explanation"],
            )))
        except ValueError as err:
            raise ImportFormatError(path, f"line {line}", str(err)) from err
    return out


def _bool(value: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ValueError(f"expected true/false, got {value!r}")


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


