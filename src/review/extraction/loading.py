"""Load study files into the store (one transaction per study) and compare extractors there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReviewError, ValidationError
from ..store import Store
from ..store import extraction as tables
from ..tomlread import read_toml_located
from .compare import FieldDifference, compare_studies
from .factors import FactorList
from .forms import (
    FACTORS_FILE, STUDIES_DIR, SUPPORT_SUFFIX, Form, load_form, read_study_file,
    check_study_data, study_files, study_from_data, study_id_of,
)
from .model import Study
from .quips import CollapseRule, summarise


@dataclass(slots=True)
class LoadReport:
    loaded: list[str]
    unchanged: list[str]


def extractor_of(path: Path) -> str:
    """``arends2014.toml`` → "" (reconciled); ``arends2014.alice.toml`` → "alice"."""
    parts = path.name.split(".")
    return parts[1] if len(parts) == 3 else ""


def estimate_rows(study: Study) -> list[dict[str, Any]]:
    return [
        dict(factor_id=e.factor, contrast=e.contrast, subgroup=e.subgroup, measure=e.measure, estimate=e.estimate,
             ci_low=e.ci_low, ci_high=e.ci_high, ci_level=e.ci_level, p=e.p, estimate_type=e.estimate_type,
             estimate_status=e.estimate_status, finding=e.derived_finding(), source_location=e.source_location)
        for e in study.estimates
    ]


def load_folder(
    store: Store, extraction_dir: Path, factors: FactorList, rule: CollapseRule | None = None
) -> LoadReport:
    """Validate every study file and store new or changed ones; nothing invalid is stored."""
    rule = rule or CollapseRule()
    form = load_form(extraction_dir)
    parsed: list[tuple[Path, dict[str, Any]]] = []
    problems: list[str] = []
    for path in sorted((Path(extraction_dir) / STUDIES_DIR).glob("*.toml")):
        data, found = _read_and_check(path, form, factors)
        problems.extend(found)
        parsed.append((path, data))
    if problems:
        more = f" (+{len(problems) - 1} more; run 'review extraction validate')" if len(problems) > 1 else ""
        raise ValidationError(problems[0] + more)
    latest = {(v.study_id, v.extractor): v.data for v in tables.latest_versions(store)}
    report = LoadReport([], [])
    for path, data in parsed:
        extractor = extractor_of(path)
        label = _label(study_id_of(path), extractor)  # validated: the file declares this id
        if latest.get((study_id_of(path), extractor)) == data:
            report.unchanged.append(label)
        else:
            _save_version(store, data, path, rule, extractor)
            report.loaded.append(label)
    return report


def store_changed_files(
    store: Store, extraction_dir: Path, factors: FactorList | None, rule: CollapseRule | None = None
) -> LoadReport:
    """Store every valid study file whose data differs from the store's latest version of that study.

    The file is what the reviewer sees and commits; a save killed between writing the file and
    storing it leaves the store one version behind, and this brings it level. A study the store
    never held is left to ``review extraction load``, and so is a file that does not read or
    validate (``load``/``validate`` name its problem). Only reconciled files: the form saves nothing
    else, and an extractor's own copy reaches the store through ``load`` alone.
    """
    rule = rule or CollapseRule()
    form = load_form(extraction_dir)
    latest = {v.study_id: v.data for v in tables.latest_versions(store, extractor="")}
    report = LoadReport([], [])
    for path in study_files(extraction_dir):
        stored = latest.get(study_id_of(path))
        if stored is None:
            continue
        try:
            data = read_study_file(path)
        except ReviewError:
            continue
        if data == stored:  # checked when it was stored: the usual case on every form open costs no check
            report.unchanged.append(study_id_of(path))
        elif not _problems(path, data, form, factors):
            _save_version(store, data, path, rule, "")
            report.loaded.append(study_id_of(path))
    return report


def _label(study_id: str, extractor: str) -> str:
    return study_id + (f" ({extractor})" if extractor else "")


def _read_and_check(path: Path, form: Form, factors: FactorList | None) -> tuple[dict[str, Any], list[str]]:
    """A study file's data and its problems (none when valid, each with its line); raises if it does not read."""
    data, located = read_toml_located(path)
    return data, _problems(path, data, form, factors, located)


def _problems(path: Path, data: dict[str, Any], form: Form, factors: FactorList | None,
              located: Mapping[str, int] | None = None) -> list[str]:
    """What is wrong with a study file's data (nothing when valid); it must declare its file's id.
    Unfinished QUIPS is no problem here: a draft is stored (the synthesis reads the files strictly)."""
    return check_study_data(data, str(path), form=form, factors=factors, expected_id=study_id_of(path),
                            located=located).problems


def store_study(store: Store, data: dict[str, Any], path: Path, rule: CollapseRule, *,
                extractor: str = "") -> bool:
    """Store a valid study file's data as a new version unless it equals the latest; True if stored."""
    previous = tables.study_version(store, study_from_data(data).id, extractor)
    if previous is not None and previous.data == data:
        return False
    _save_version(store, data, path, rule, extractor)
    return True


def _save_version(store: Store, data: dict[str, Any], path: Path, rule: CollapseRule, extractor: str) -> None:
    """A valid study file's data as a new stored version, with its estimates and QUIPS summary."""
    study = study_from_data(data)
    summary = summarise(study.quips, rule)
    # One row per rated domain; the support text stays in the stored version's data (it is no rating,
    # and would overflow the rating column on PostgreSQL).
    ratings = {rater: {d: r for d, r in domains.items() if not d.endswith(SUPPORT_SUFFIX)}
               for rater, domains in study.quips.items()}
    tables.save_study_version(
        store, data, extractor=extractor, source_file=str(path), estimates=estimate_rows(study),
        quips=ratings, quality=(summary.rob, rule.describe(), summary.basis),
    )


def compare_extractors(store: Store, study_id: str, left: str, right: str) -> list[FieldDifference]:
    """Differences between two extractors' latest stored versions of a study."""
    versions = {}
    for who in (left, right):
        version = tables.study_version(store, study_id, who)
        if version is None:
            raise ValidationError(f"study {study_id}: no stored extraction by {who or 'the reconciled file'!r}")
        versions[who] = study_from_data(version.data)
    return compare_studies(versions[left], versions[right])


def factors_path(extraction_dir: Path) -> Path:
    return Path(extraction_dir) / FACTORS_FILE
