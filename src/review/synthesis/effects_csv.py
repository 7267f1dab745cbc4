"""Read a CSV of study estimates for ``review meta`` (metagen-style or escalc-style input)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

from ..csvcells import TABLE_DELIMITERS, NumberFormatError, parse_number, read_csv_text, reads_decimal_comma, shown_columns
from ..errors import ImportFormatError, ValidationError
from ..levels import STANDARD_LEVEL, ci_level_fraction, ci_level_problem
from .meta import (CONTINUITY_CORRECTION, UNSTABLE_VARIANCE_RATIO, continuity_corrected, effect_from_ci,
                   effects_from_2x2, unstable_variance_ratio, variance_problem)
from .pool_key import POOL_FIELDS

MEASURE_WHY = next(why for name, _, why in POOL_FIELDS if name == "measure")
#: metafor ``escalc`` names for two-group counts: events and totals per arm.
COUNT_COLUMNS: tuple[str, ...] = ("ai", "n1i", "ci", "n2i")

#: The column sets beside ``study`` that ``review meta`` takes, as its refusal of a file without them names them.
ESTIMATE_SETS = "estimate,ci_low,ci_high; yi with vi or sei; 2x2 counts ai,n1i,ci,n2i"
COUNT_MEASURES: frozenset[str] = frozenset({"OR", "RR"})


@dataclass(slots=True)
class EffectTable:
    """Study labels with effects ``yi`` and variances ``vi`` on the analysis scale."""

    studies: list[str]
    yi: list[float]
    vi: list[float]
    #: The CI as entered (reporting scale) per study; None for rows given as yi/vi or counts.
    entered_ci: list[tuple[float, float] | None] = field(default_factory=list)
    #: The level of each entered CI (its ``ci_level``, else ``STANDARD_LEVEL``); None where ``entered_ci`` is None.
    entered_level: list[float | None] = field(default_factory=list)
    #: Per study whether its row gave a ``ci_level`` (False: an entered CI taken as 95 %).
    level_given: list[bool] = field(default_factory=list)
    #: The measure named by a ``measure`` column (all rows agree), or "" without one.
    measure: str = ""
    #: Studies with a zero cell that got the continuity correction in every cell.
    corrected: list[str] = field(default_factory=list)
    #: One line per study whose CI is asymmetric on the analysis scale beyond rounding.
    warnings: list[str] = field(default_factory=list)
    #: The file's encoding (``review.textdecode``): ``cp1252`` when it was not UTF-8.
    encoding: str = "utf-8"


def read_effects_csv(path: Path, *, measure: str | None = "OR") -> EffectTable:
    """Columns ``study`` plus ``estimate,ci_low,ci_high`` (reporting scale), ``yi`` with ``vi``/``sei``,
    or 2×2 counts ``ai,n1i,ci,n2i`` (metafor ``escalc`` names; OR or RR).

    ``yi`` is on the analysis scale already (log for ratios), as in R's ``metagen``. An entered CI is
    95 % unless an optional ``ci_level`` column gives its level (a fraction 0.5 ≤ x < 1 such as 0.9, or
    a percent 50 ≤ x < 100 such as 90); the level the pool computes its own intervals at does not change
    it. An optional ``measure`` column must name one measure for every row; ``measure=None`` takes it
    from that column (default OR). A study with a zero cell gets 0.5 added to each of its cells (escalc's
    default).
    Errors name file, line and column.
    """
    path = Path(path)
    # ';' or tabs between the cells where the header says so, and '#' lines before it comments, as review validate reads a
    # table (Dutch Excel's "CSV", with decimal commas in the cells: parse_number reads both marks, by the file's where
    # a cell may be read two ways)
    csv_text = read_csv_text(path, "study, then the estimate columns", delimiters=TABLE_DELIMITERS, comments=True)
    header_line = f"line {csv_text.header_number}"
    names, lines = csv_text.dict_rows(str.strip)  # (" yi" is yi: a space after the comma)
    columns = {c.strip() for c in names}
    # (the columns found named too: metafor's y/v or meta's event_e/n_e, a misread delimiter, show at once)
    shown = shown_columns(names)
    from_ci = {"estimate", "ci_low", "ci_high"} <= columns
    from_yi = "yi" in columns and ("vi" in columns or "sei" in columns)
    from_counts = set(COUNT_COLUMNS) <= columns
    if "study" not in columns:
        # (metafor's dat.bcg: trial, author, …, tpos, tneg, cpos, cneg; the sets taken and the label's column said)
        sets = "" if from_ci or from_yi or from_counts else f" and one of {ESTIMATE_SETS}"
        # (a header split wrong, 'study;yi' and 'vi', gives no column to rename: its cells are 'A;0' and '1')
        labels = [] if any(";" in c for c in names) else _label_like(lines)
        named = " or ".join(f"'{c}'" for c in labels[:3])
        label = (f"; {named} {'reads' if len(labels) == 1 else 'read'} as a study label: rename "
                 f"{'it' if len(labels) == 1 else 'one'} to study") if labels else ""
        raise ImportFormatError(path, header_line, f"needs a 'study' column{sets} (the header has {shown}{label})")
    if not (from_ci or from_yi or from_counts):
        raise ImportFormatError(
            path, header_line, "needs columns estimate,ci_low,ci_high or yi with vi or sei (or 2x2 counts ai,n1i,ci,n2i); "
                            f"the header has {shown}"
        )
    rows = list(_cleaned_rows(lines))
    if not rows:
        raise ImportFormatError(path, None, "no study rows")
    decimal_comma = reads_decimal_comma(csv_text.delimiter, (cell for _, row in rows for cell in row.values()))
    measure = _one_measure(path, rows, measure)
    for column, why in UNIFORM_COLUMNS.items():
        _uniform(path, rows, column, why)
    table = EffectTable([], [], [], measure=measure if "measure" in columns else "", encoding=csv_text.encoding)
    table.warnings.extend(csv_text.warnings)  # (the rows are read: a short last row is known)
    first_line: dict[str, int] = {}
    for line, row in rows:  # a study entered twice would weigh twice in the pool
        name = row.get("study", "")
        if name and name in first_line:
            table.warnings.append(f"{path}:line {line}: study {name!r} is also on line {first_line[name]}; both rows "
                                  "are pooled as separate studies (give them distinct labels if they are)")
        first_line.setdefault(name, line)
    if from_counts and not (from_ci or from_yi):
        _read_counts(path, rows, measure, table, header_line)
        return table
    cells: list[tuple[int, str]] = []  # per study its line and the cell its variance came from ("" for a CI)
    for line, row in rows:
        where = f"line {line}"
        study = row.get("study") or f"study {line - 1}"
        entered: tuple[float, float] | None = None
        row_level: float | None = None
        try:
            if from_ci and row.get("ci_low"):
                row_level = _ci_level(row, where, path, decimal_comma) if row.get("ci_level") else STANDARD_LEVEL
                estimate = _number(row, "estimate", where, path, decimal_comma) if row.get("estimate") else None
                low, high = (_number(row, "ci_low", where, path, decimal_comma),
                             _number(row, "ci_high", where, path, decimal_comma))
                if estimate is not None and not low <= estimate <= high:
                    raise ValidationError(f"estimate {estimate:g} lies outside its CI {low:g}-{high:g}")
                y, se = effect_from_ci(estimate, low, high, measure=measure, level=row_level)
                variance = se * se
                entered = (low, high)
                if estimate is not None:
                    warning = asymmetry_warning(study, measure, row["estimate"], row["ci_low"], row["ci_high"],
                                                decimal_comma)
                    if warning:
                        table.warnings.append(f"{path}:{where}: {warning}")
            elif from_yi:
                y = _number(row, "yi", where, path, decimal_comma)
                if row.get("vi"):
                    variance = _above_zero(row, "vi", "variance", where, path, decimal_comma)
                elif row.get("sei"):  # (a negative one was squared into a variance and pooled)
                    variance = _above_zero(row, "sei", "standard error", where, path, decimal_comma) ** 2
                else:  # (named sei even in a file that has no sei column)
                    given = [name for name in ("vi", "sei") if name in columns]
                    raise ImportFormatError(path, f"{where}:{given[0]}",
                                            f"empty: the study needs its {' or '.join(given)}")
            else:
                raise ValidationError("no ci_low/ci_high")
        except ValidationError as err:
            raise ImportFormatError(path, where, str(err)) from err
        if not variance > 0:
            raise ImportFormatError(path, where, "variance must be positive")
        cells.append((line, "" if entered is not None else "vi" if row.get("vi") else "sei"))
        table.studies.append(study)
        table.yi.append(y)
        table.vi.append(variance)
        table.entered_ci.append(entered)
        table.entered_level.append(row_level if entered is not None else None)
        table.level_given.append(bool(row.get("ci_level")))
    _check_variance_spread(path, table.vi, cells, table.warnings)
    return table


def _check_variance_spread(path: Path, vi: list[float], cells: list[tuple[int, str]], warnings: list[str]) -> None:
    """Refuse a variance the pool cannot take in double precision, naming its cell (it was a ZeroDivisionError
    or OverflowError traceback); warn where metafor warns of unstable results."""
    named = [f"line {line}" for line, _ in cells]
    problem = variance_problem(vi, named)
    if problem is not None:
        index, why = problem
        line, column = cells[index]
        if column == "sei":
            why = f"its square {why}"
        elif not column:
            why = f"the variance its CI gives, {why}"
        raise ImportFormatError(path, f"line {line}:{column}" if column else f"line {line}", why)
    unstable = unstable_variance_ratio(vi)
    if unstable is not None:
        smallest, largest, ratio = unstable
        warnings.append(f"{path}: the largest sampling variance ({vi[largest]:g}, {named[largest]}) is {ratio:.0e} times "
                        f"the smallest ({vi[smallest]:g}, {named[smallest]}): from {UNSTABLE_VARIANCE_RATIO:.0g} metafor "
                        "warns that it may not obtain stable results; check those values")


def _one_measure(path: Path, rows: list[tuple[int, dict[str, str]]], asked: str | None) -> str:
    """The measure of the file: a ``measure`` column must be uniform and agree with ``asked``."""
    seen: dict[str, int] = {}
    for line, row in rows:
        value = row.get("measure", "").upper()
        if value:
            seen.setdefault(value, line)
    if len(seen) > 1:
        (first, first_line), (other, other_line) = list(seen.items())[:2]
        raise ImportFormatError(path, f"line {other_line}:measure",
                                f"{other} differs from {first} on line {first_line}: {MEASURE_WHY}")
    if seen:
        found = next(iter(seen))
        if asked is not None and asked.upper() != found:
            raise ImportFormatError(path, f"line {seen[found]}:measure",
                                    f"{found} but --measure {asked.upper()} was asked for")
        return found
    return (asked or "OR").upper()


#: Optional columns that, when given, must hold one value for every row, and why: the synthesis's
#: pooling key (:mod:`.pool_key`); ``measure`` is checked apart (it must also agree with --measure).
UNIFORM_COLUMNS: dict[str, str] = {name: why for name, _, why in POOL_FIELDS if name != "measure"}


def _uniform(path: Path, rows: list[tuple[int, dict[str, str]]], column: str, why: str) -> None:
    """Refuse a file whose optional ``column`` holds two values (blank cells are not a value)."""
    first: tuple[int, str] | None = None
    for line, row in rows:
        value = " ".join(row.get(column, "").split())
        if not value:
            continue
        if first is None:
            first = (line, value)
        elif value.casefold() != first[1].casefold():
            raise ImportFormatError(path, f"line {line}:{column}",
                                    f"{value!r} differs from {first[1]!r} on line {first[0]}: {why}")


def _read_counts(path: Path, rows: list[tuple[int, dict[str, str]]], measure: str, table: EffectTable,
                 header_line: str) -> None:
    if measure not in COUNT_MEASURES:
        raise ImportFormatError(path, header_line, f"2x2 counts give OR or RR, not {measure}")
    a, b, c, d, studies = [], [], [], [], []
    for line, row in rows:
        where = f"line {line}"
        counts = {name: _count(row, name, where, path) for name in COUNT_COLUMNS}
        for events, total in (("ai", "n1i"), ("ci", "n2i")):
            if counts[total] == 0 or counts[events] > counts[total]:
                raise ImportFormatError(path, f"{where}:{events}",
                                        f"{counts[events]} events in a group of {counts[total]}")
        a.append(counts["ai"])
        b.append(counts["n1i"] - counts["ai"])
        c.append(counts["ci"])
        d.append(counts["n2i"] - counts["ci"])
        studies.append(row.get("study") or f"study {line - 1}")
    cells, corrected = continuity_corrected(a, b, c, d)
    yi, vi = effects_from_2x2(measure, *zip(*cells))
    table.studies.extend(studies)
    table.yi.extend(float(y) for y in yi)
    table.vi.extend(float(v) for v in vi)
    table.entered_ci.extend(None for _ in studies)
    table.entered_level.extend(None for _ in studies)
    table.level_given.extend(False for _ in studies)
    table.corrected.extend(studies[i] for i in corrected)


def correction_note(table: EffectTable) -> str:
    """The line stating the continuity correction, or "" when no study needed it."""
    if not table.corrected:
        return ""
    return (f"continuity correction: {CONTINUITY_CORRECTION:g} added to every cell of "
            f"{', '.join(table.corrected)} (zero cell; metafor escalc default)")


def _decimals_half_unit(text: str) -> float:
    """Half a unit in the last written decimal place of ``text`` ('2.0' -> 0.05, '1.46' -> 0.005, '1,46' too: a
    cell :func:`parse_number` read, where a comma is the decimal mark)."""
    try:
        exponent = Decimal(text.strip().replace(",", ".")).as_tuple().exponent
    except InvalidOperation:
        return 0.0
    return 0.5 * 10.0 ** int(exponent) if isinstance(exponent, int) else 0.0


def asymmetry_warning(study: str, measure: str, estimate: str, ci_low: str, ci_high: str,
                      decimal_comma: bool = False) -> str:
    """A warning when the estimate is off the CI's centre (log scale for ratios) beyond rounding.

    A CI computed as estimate ± z·SE is symmetric on the analysis scale; rounding to the printed
    decimals moves each bound by at most half a unit, which bounds the admissible offset. A
    larger offset means the CI is not a Wald interval around this estimate (a typo, another model,
    a profile-likelihood or exact CI), so its width may not give the SE. ``decimal_comma``: the file's decimal mark
    (:func:`parse_number`).
    """
    from .meta import is_ratio

    est, lo, hi = (parse_number(text, decimal_comma) for text in (estimate, ci_low, ci_high))
    d_est, d_lo, d_hi = (_decimals_half_unit(t) for t in (estimate, ci_low, ci_high))
    if is_ratio(measure):
        if min(est, lo, hi) <= 0 or lo - d_lo <= 0:
            return ""
        offset = abs(math.log(est) - (math.log(lo) + math.log(hi)) / 2)
        # First-order bound on how far rounding can move each log value.
        allowed = d_est / est + (d_lo / (lo - d_lo) + d_hi / hi) / 2
    else:
        offset = abs(est - (lo + hi) / 2)
        allowed = d_est + (d_lo + d_hi) / 2
    if offset <= allowed * 1.0001 + 1e-12:
        return ""
    scale = "log scale" if is_ratio(measure) else "raw scale"
    return (f"{study}: CI {ci_low}-{ci_high} is asymmetric around {estimate} on the {scale} beyond rounding "
            f"(offset {offset:.3f} > {allowed:.3f}); the SE is taken from the CI width")


def _number(row: dict[str, str], column: str, where: str, path: Path, decimal_comma: bool = False) -> float:
    """A cell as review validate reads a number (:func:`parse_number`: ``2.59`` or ``2,59``; ``1,250`` in a
    file of decimal points and ``1.250`` in a ``;`` one whose decimal mark is the comma are refused as ambiguous, as
    ``inf``), else one line naming its cell."""
    value = row.get(column, "")
    try:
        return parse_number(value, decimal_comma)
    except NumberFormatError as err:  # (it names the value)
        raise ImportFormatError(path, f"{where}:{column}", str(err)) from None
    except ValueError:
        raise ImportFormatError(path, f"{where}:{column}", f"not a number: {value!r}") from None


def _above_zero(row: dict[str, str], column: str, what: str, where: str, path: Path,
                decimal_comma: bool = False) -> float:
    """A variance or standard error: a number above 0, else one line naming its cell."""
    number = _number(row, column, where, path, decimal_comma)
    if not number > 0:
        raise ImportFormatError(path, f"{where}:{column}", f"{row[column]} is no {what} (it must be above 0)")
    return number


def _ci_level(row: dict[str, str], where: str, path: Path, decimal_comma: bool = False) -> float:
    """A row's ``ci_level`` as a fraction, under the rule every reader keeps (:func:`ci_level_fraction`:
    0.5 ≤ x < 1 as a fraction, 50 ≤ x < 100 as a percent)."""
    value = _number(row, "ci_level", where, path, decimal_comma)
    level = ci_level_fraction(value)
    if level is None:
        raise ImportFormatError(path, f"{where}:ci_level", ci_level_problem(value))
    return level


def _count(row: dict[str, str], column: str, where: str, path: Path) -> int:
    value = row.get(column, "")
    try:
        number = int(value)
    except ValueError:
        raise ImportFormatError(path, f"{where}:{column}", f"not a whole number: {value!r}") from None
    if number < 0:
        raise ImportFormatError(path, f"{where}:{column}", f"negative count {number}")
    return number


def _cleaned_rows(lines: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of ``CsvText.dict_rows`` as the reader takes them: names and cells stripped, a line break typed in a
    study's label (Alt+Enter) a space, blank rows left out."""
    for line, raw in lines:
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if "study" in row:
            row["study"] = " ".join(row["study"].split())
        if any(row.values()):
            yield line, row


def _label_like(lines: Iterator[tuple[int, dict[str, Any]]]) -> list[str]:
    """The columns that read as a study label, for the refusal of a file without ``study``: a cell in every row,
    more distinct cells than repeats, and not all numbers (a trial number may be one, but no more than a year
    is). dat.bcg's author qualifies (11 names in 13 rows: 'Rosenthal et al' 1960 and 1961; a label given twice is
    pooled as two studies, with a warning), its alloc does not (3 in 13). [] when a row cannot be read (its own
    refusal comes once the file has a study column)."""
    seen: dict[str, list[str]] = {}
    try:
        for _, row in _cleaned_rows(lines):
            for column, cell in row.items():
                seen.setdefault(column, []).append(cell)
    except ImportFormatError:
        return []

    def number(cell: str) -> bool:
        try:
            parse_number(cell)
        except NumberFormatError:  # ('1,000': a number, whichever way it is read)
            return True
        except ValueError:
            return False
        return True

    return [column for column, cells in seen.items()
            if column and all(cells) and 2 * len(set(cells)) > len(cells) and not all(number(c) for c in cells)]
