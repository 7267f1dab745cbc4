"""Does each synthesis row say what its study files give? The instrument weighs a factor by its row's level and
shows its direction, certainty and pooled number, so a row edited by hand, or written before a study file changed,
would hand the labour expert a weight no study supports. The synthesis is re-run here on the extraction folder with
the workspace's settings (the row's own rule set), and a row that differs is refused, naming what the files give."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ImportFormatError, ReviewError
from ..records import FactorEvidence

if TYPE_CHECKING:
    from ..extraction.model import Study
    from ..synthesis.factors import FactorResult

#: synthesis.csv holds pooled numbers to 4 decimals.
_ROUNDING = 5e-5


def check_rows_against_studies(evidence: Sequence[FactorEvidence], studies: Sequence[Study],
                               extraction_dir: Path, config: Mapping[str, Any],
                               source: object, lines: Sequence[int] | None = None) -> dict[str, FactorResult]:
    """Refuse (ImportFormatError naming ``source``, the row's line and factor) the first row whose direction,
    level, GRADE certainty, studies or pooled estimate is not what the synthesis gives on ``studies``; return
    the re-run's result per checked factor (the pooled ones name the studies behind k).

    Only rows the files can answer for are checked: a factor of ``factors.toml`` whose studies all have a file
    (a row naming a study without one is the build's warning already). Nothing is checked when the folder cannot
    be synthesised (no factors.toml, a bad grade.toml, a study naming an unknown factor) or a row names a rule set
    this version does not know: ``review synthesis`` names those problems itself. A bad review.toml ``[synthesis]``
    or ``[extraction]`` setting is refused (a ``WorkspaceError`` naming the key), as the synthesis refuses it.
    ``lines``: the line of ``source`` each row starts on (``evidence_rows``); without them, one a line from 2."""
    from ..extraction.factors import load_factors
    from ..extraction.forms import FACTORS_FILE
    from ..synthesis.grade import GRADE_FILE, load_overrides
    from ..synthesis.evidence import canonical_rule_set
    from ..synthesis.factors import DEFAULT_RULE_SET
    from ..synthesis.run import synthesise_studies
    from ..synthesis.settings import workspace_settings

    have = {s.id for s in studies}
    try:
        factors = load_factors(extraction_dir / FACTORS_FILE)
        overrides = load_overrides(extraction_dir / GRADE_FILE)
    except ReviewError:
        return {}
    named = {e.factor for s in studies for e in s.estimates} | {r.factor for s in studies for r in s.expert_ratings}
    if any(factor_id and factor_id not in factors for factor_id in named):
        return {}
    by_id = {f.id: f for f in factors}
    numbered = zip(range(2, len(evidence) + 2) if lines is None else lines, evidence, strict=True)
    checked = [(line, row) for line, row in numbered if row.factor_id in by_id and set(row.studies) <= have]
    again: dict[str, FactorResult] = {}
    for rule_set in sorted({row.rule_set for _, row in checked}):
        rows = [(line, row) for line, row in checked if row.rule_set == rule_set]
        try:
            canonical_rule_set(rule_set or DEFAULT_RULE_SET)
        except ReviewError:
            continue  # a rule set this version does not know: the synthesis' own error, not ours to guess past
        # A bad [synthesis] setting (a misspelt key, hk = "false") is refused here as review synthesis refuses it
        # (exit 2, its line): skipping the check for it built a hand-edited row unchecked, exit 0.
        settings = workspace_settings(config, rule_set or None)
        try:
            results = synthesise_studies([by_id[row.factor_id] for _, row in rows], list(studies), settings,
                                         overrides)
        except ReviewError:
            continue  # review synthesis names a study folder it cannot synthesise
        for (line, row), result in zip(rows, results, strict=True):
            differences = _differences(row, result.evidence)
            if differences:
                raise ImportFormatError(
                    source, f"line {line}",
                    f"factor {row.factor_id!r}: {'; '.join(differences)} "
                    f"(rule set {settings.rule_set}): run review synthesis, or correct the row")
            again[row.factor_id] = result
    return again


def _differences(row: FactorEvidence, files: FactorEvidence) -> list[str]:
    """What the row says that the study files do not, as 'level strong, the study files give some'."""
    found = []
    for name in ("direction", "level", "grade"):
        said, given = getattr(row, name), getattr(files, name)
        if said != given:
            found.append(f"{name} {said or '(empty)'!r}, the study files give {given or '(empty)'!r}")
    if set(row.studies) != set(files.studies):
        found.append(f"studies {';'.join(sorted(row.studies)) or '(none)'}, the study files give "
                     f"{';'.join(sorted(files.studies)) or '(none)'}")
    if _pooled(row) != _pooled(files) and not _close(row, files):
        found.append(f"pooled {_shown(row)}, the study files give {_shown(files)}")
    return found


def _pooled(ev: FactorEvidence) -> tuple[str, float | None, float | None, float | None]:
    return (ev.measure if ev.pooled_estimate is not None else "", ev.pooled_estimate, ev.ci_low, ev.ci_high)


def _close(a: FactorEvidence, b: FactorEvidence) -> bool:
    pa, pb = _pooled(a), _pooled(b)
    if pa[0] != pb[0]:
        return False
    return all((x is None and y is None) or (x is not None and y is not None
                                             and math.isclose(x, y, rel_tol=1e-9, abs_tol=_ROUNDING))
               for x, y in zip(pa[1:], pb[1:], strict=True))


def _shown(ev: FactorEvidence) -> str:
    if ev.pooled_estimate is None:
        return "none"
    return f"{ev.measure} {ev.pooled_estimate:g} ({ev.ci_low:g}-{ev.ci_high:g})"
