"""Reading the synthesis table the instrument is built from, and fingerprinting it.

The synthesis stage owns ``extraction/synthesis.csv`` (one row per factor, columns named as the
fields of :class:`review.records.FactorEvidence`). When ``review.synthesis.synthesis_rows`` is
available it is used; otherwise a small reader here parses the same columns, so the instrument
never depends on the synthesis internals.
"""

from __future__ import annotations

import hashlib
import importlib
import math
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from ..csvcells import rows_by_line, unneutralise_cell
from ..errors import ImportFormatError
from ..records import FactorEvidence

#: Columns a synthesis table must have; the rest of FactorEvidence's fields are optional.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "factor_id", "label_en", "label_nl", "domain", "direction", "level",
)
DOMAINS: tuple[str, ...] = ("personal", "social", "work", "health")
DIRECTIONS: tuple[str, ...] = ("risk", "protective", "none", "conflicting")
#: Measures whose pooled estimate is a ratio (log scale makes sense; must be > 0).
RATIO_MEASURES: frozenset[str] = frozenset({"OR", "HR", "RR", "IRR", "ratio", ""})
_TRUE = {"true", "1", "yes", "y", "ja"}
_FALSE = {"false", "0", "no", "n", "nee", ""}


@dataclass(slots=True, frozen=True)
class EvidenceSnapshot:
    """Which synthesis an instrument was built from: content hash and when it was read."""

    sha256: str
    taken_at: str  # ISO 8601, UTC
    source: str  # path as given (relative to the workspace when built there)
    n_factors: int

    @property
    def short(self) -> str:
        return self.sha256[:12]


def snapshot_of(path: Path, n_factors: int, *, source: str | None = None,
                now: datetime | None = None) -> EvidenceSnapshot:
    """Fingerprint ``path`` (SHA-256 of its bytes) at time ``now`` (UTC, default: now)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    return EvidenceSnapshot(digest, moment.isoformat(), source or str(path), n_factors)


def load_evidence(path: Path) -> list[FactorEvidence]:
    """The synthesis verdicts in ``path``: the synthesis stage's loader when present, else ours."""
    return [row for _, row in evidence_rows(path)]


def evidence_rows(path: Path) -> list[tuple[int, FactorEvidence]]:
    """``load_evidence``'s rows, each with the line of ``path`` it starts on (a refusal names that line)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFormatError(path, None, "synthesis table not found: `review synthesis` writes "
                                            "extraction/synthesis.csv")  # (it said "run the synthesis first")
    try:
        loader = getattr(importlib.import_module("review.synthesis"), "synthesis_rows", None)
    except ImportError:
        loader = None
    if loader is not None:
        rows = list(loader(path))
        for line, ev in rows:
            _check_row(ev, path, f"line {line}")
        return rows
    return read_synthesis_rows(path)


def _check_row(ev: FactorEvidence, path: object, where: str) -> None:
    """The checks our own reader makes, applied to rows from the synthesis stage's loader."""
    if ev.domain not in DOMAINS:
        raise ImportFormatError(path, where, f"domain {ev.domain!r} is not one of {', '.join(DOMAINS)}")
    if ev.direction not in DIRECTIONS:
        raise ImportFormatError(path, where, f"direction {ev.direction!r} is not one of {', '.join(DIRECTIONS)}")
    if ev.measure in RATIO_MEASURES and ev.pooled_estimate is not None and ev.pooled_estimate <= 0:
        raise ImportFormatError(path, where, "pooled_estimate must be a positive ratio")
    check_traceable(ev, path, where)


def check_traceable(ev: FactorEvidence, path: object, where: str) -> None:
    """A verdict the instrument could ask, or a pooled number it could show and weigh, names the studies it
    rests on and is whole: a direction or a pooled estimate with no study would reach the instrument tracing
    to nothing, a pooled number without its measure would be weighed as a ratio (|ln x|) whatever it is, and
    one without its interval shown bare. The synthesis stage writes none of these; a table given with
    ``--synthesis`` or edited by hand can."""
    def refuse(what: str) -> ImportFormatError:
        return ImportFormatError(path, where, f"factor {ev.factor_id!r} {what}")

    if not ev.studies and ev.direction in ("risk", "protective"):
        raise refuse(f"has direction '{ev.direction}' but its studies column names no study")
    if ev.pooled_estimate is None:
        if ev.ci_low is not None or ev.ci_high is not None:
            raise refuse("has a CI (ci_low, ci_high) but no pooled_estimate")
        return
    if not ev.studies:
        raise refuse("has a pooled_estimate but its studies column names no study")
    if not ev.measure:
        raise refuse("has a pooled_estimate but no measure (OR, HR, RR, MD, …)")
    if ev.ci_low is None or ev.ci_high is None:
        raise refuse("has a pooled_estimate without both bounds of its CI (ci_low, ci_high)")
    if not ev.ci_low <= ev.pooled_estimate <= ev.ci_high:
        raise refuse(f"has pooled_estimate {ev.pooled_estimate:g} outside its CI {ev.ci_low:g} to {ev.ci_high:g}")


def read_synthesis_csv(path: Path) -> list[FactorEvidence]:
    """Parse a synthesis CSV into FactorEvidence rows; bad cells raise ImportFormatError."""
    return [row for _, row in read_synthesis_rows(path)]


def read_synthesis_rows(path: Path) -> list[tuple[int, FactorEvidence]]:
    """``read_synthesis_csv``'s rows, each with the line of the file it starts on."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFormatError(path, None, "synthesis table not found") from None
    return parse_synthesis_rows(text, path)


def parse_synthesis_csv(text: str, path: object = "<synthesis>") -> list[FactorEvidence]:
    return [row for _, row in parse_synthesis_rows(text, path)]


def parse_synthesis_rows(text: str, path: object = "<synthesis>") -> list[tuple[int, FactorEvidence]]:
    """The rows of a synthesis CSV's ``text``, each with the line it starts on (a refusal names that line: a
    count of rows named the wrong one once a cell held a line break)."""
    lines = rows_by_line(text)
    header = next(lines, (1, []))[1]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFormatError(path, "line 1", f"missing column(s): {', '.join(missing)}")
    known = {f.name for f in fields(FactorEvidence)}
    rows: list[FactorEvidence] = []
    out: list[tuple[int, FactorEvidence]] = []
    seen: set[str] = set()
    for line_no, cells in lines:
        where = f"line {line_no}"
        # synthesis.csv quotes cells a spreadsheet would run as formulas; undo that first.
        values = {k: unneutralise_cell((cells[i] if i < len(cells) else "").strip())
                  for i, k in enumerate(header) if k in known}
        factor_id = values.get("factor_id", "")
        if not factor_id:
            raise ImportFormatError(path, where, "factor_id is empty")
        if factor_id in seen:
            raise ImportFormatError(path, where, f"factor_id {factor_id!r} appears twice")
        seen.add(factor_id)
        domain = values.get("domain", "")
        if domain not in DOMAINS:
            raise ImportFormatError(path, where, f"domain {domain!r} is not one of {', '.join(DOMAINS)}")
        direction = values.get("direction", "")
        if direction not in DIRECTIONS:
            raise ImportFormatError(
                path, where, f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
        is_ratio = values.get("measure", "") in RATIO_MEASURES
        estimate = _ratio if is_ratio else _number
        rows.append(FactorEvidence(
            factor_id=factor_id,
            label_en=values.get("label_en", ""),
            label_nl=values.get("label_nl", ""),
            domain=domain,
            modifiable=_bool(values.get("modifiable", ""), path, where, "modifiable"),
            assessable=_bool(values.get("assessable", "true") or "true", path, where, "assessable"),
            direction=direction,
            level=values.get("level", "").lower(),
            rule_set=values.get("rule_set", ""),
            studies=tuple(s.strip() for s in values.get("studies", "").split(";") if s.strip()),
            measure=values.get("measure", ""),
            pooled_estimate=estimate(values.get("pooled_estimate", ""), path, where, "pooled_estimate"),
            ci_low=estimate(values.get("ci_low", ""), path, where, "ci_low"),
            ci_high=estimate(values.get("ci_high", ""), path, where, "ci_high"),
            i2=_number(values.get("i2", ""), path, where, "i2"),
            grade=values.get("grade", "").lower(),
            explanation=values.get("explanation", ""),
        ))
        check_traceable(rows[-1], path, where)
        out.append((line_no, rows[-1]))
    return out


def _bool(value: str, path: object, where: str, column: str) -> bool:
    low = value.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ImportFormatError(path, where, f"{column} {value!r} is not true/false")


def _number(value: str, path: object, where: str, column: str) -> float | None:
    if value == "" or value.lower() in {"na", "nan", "none"}:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ImportFormatError(path, where, f"{column} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ImportFormatError(path, where, f"{column} {value!r} is not finite")
    return number


def _ratio(value: str, path: object, where: str, column: str) -> float | None:
    number = _number(value, path, where, column)
    if number is not None and number <= 0:
        raise ImportFormatError(path, where, f"{column} {value!r} must be a positive ratio")
    return number
