"""``factors --to-extraction``: the own-data result as a study file the synthesis reads like any cohort.

The file is ``extraction/studies/<id>.toml`` with ``data_source = "own data"`` and, where the
form knows it, ``source_kind = "own data"`` on every estimate. On a re-run the
estimates are replaced but everything a reviewer wrote by hand is kept: the study description
fields (``cohort_id`` among them) and the QUIPS risk-of-bias ratings. One cohort is one unit in the
synthesis (decision 0027): the same content written under another study id (another analysis of the
same clients: another outcome) gets the first study's ``cohort_id`` and a warning, and a changed file
of the same name under another id gets a warning to share the ``cohort_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..errors import ValidationError
from ..extraction.factors import FactorList
from ..extraction.forms import STUDIES_DIR, check_study_data, load_form, read_study_file
from ..extraction.model import OWN_DATA_SOURCE, QUIPS_DOMAINS
from ..tomlwrite import dumps
from .factors import FactorsResult
from .table import is_synthetic

OWN_DATA = OWN_DATA_SOURCE
#: How the analysis builds each factor's model (the form's ``model_building``) when it is run from the analysis
#: plan (``review validate run``): the factor and the plan's adjustment columns, written down before the run.
PRE_SPECIFIED = "pre-specified"
#: Study fields a reviewer fills in or corrects by hand; a re-run keeps them.
HAND_FIELDS: tuple[str, ...] = ("citation", "cohort_id", "country", "setting", "follow_up", "notes", "doi", "pmid",
                                "washout_days", "washout_status", "outcome_cmd_specific", "base_rate",
                                "outcome_definition")


@dataclass(slots=True)
class OwnDataStudy:
    path: Path
    study_id: str
    written: list[str]
    skipped: list[str]  # "factor: why"
    warnings: list[str] = field(default_factory=list)  # a study of a file of this name that may be the same cohort


def default_study_id(data_file: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", data_file.stem.lower()).strip("_") or "data"
    return f"own_{slug}"


def _header(data_file: Path) -> str:
    ratings = "\n".join(f'{d} = "moderate"\n{d}_note = "what the rating rests on"' for d in QUIPS_DOMAINS)
    return (f"Own data (phase 1b): associations estimated by `review validate factors` from {data_file.name}.\n"
            "Estimates are rewritten on every run; the [study] description and [quips.<rater>] ratings are kept.\n"
            "Rate this data set's risk of bias like any cohort (low | moderate | high per domain, each with its "
            "support text), e.g.:\n"
            f"[quips.yourname]\n{ratings}")


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.4g}")


def study_data(result: FactorsResult, data_file: Path, study_id: str, factor_list: FactorList,
               existing: dict[str, Any] | None, description: str | None, *, source_kind: bool = True,
               reference: bool = True, contrast_nl: bool = True, model_building: bool = True,
               planned: bool = False, digest: str | None = None, cohort_id: str | None = None) -> tuple[dict[str, Any], list[str], list[str]]:
    """The study file's data; ``digest`` is the data file's :func:`content_hash` (computed when not given),
    ``cohort_id`` that of a new study (default its id; an existing study's is kept). ``source_kind``,
    ``reference``, ``contrast_nl`` and ``model_building``: whether the workspace's form has the field.
    ``planned``: the run comes from the analysis plan file (``review validate run``), the one case where the
    adjustment set is on record as chosen before the run, so ``model_building`` says ``pre-specified``; a
    ``validate factors --adjust`` run may have been chosen after seeing these data, so it says nothing."""
    today = dt.date.today().isoformat()
    study: dict[str, Any] = {
        "id": study_id,
        "cohort_id": cohort_id or study_id,
        "citation": f"Own data: {data_file.name} (the programme's data set)",
        "country": "NL",
        "design": "cohort",
        "evidence_type": "empirical",
        "setting": description or f"the programme's own data set {data_file.name}: describe who, where and when",
        "n": result.n_rows,
        **({"events": result.n_events} if result.n_events is not None else {}),
        "outcome_definition": (f"column '{result.outcome}' of {data_file.name}"
                               + (f"; time to event '{result.time}', event '{result.event}'" if result.time else "")),
        "data_source": OWN_DATA,
        "notes": "Own data, analysed with review validate factors; rate its risk of bias with QUIPS.",
    }
    old = dict((existing or {}).get("study", {}))
    replaced = {"setting"} if description else set()
    for name in HAND_FIELDS:
        if name in old and name not in replaced:
            study[name] = old[name]
    estimates, written, skipped = [], [], []
    source = f"{_source_prefix(data_file)}{CONTENT_HASH}:{digest or content_hash(data_file)}; {today}; "
    for assoc in result.factors:
        if assoc.factor not in factor_list:
            skipped.append(f"{assoc.factor}: not a factor id of factors.toml")
            continue
        if assoc.estimate is None:
            skipped.append(f"{assoc.factor}: no estimate ({assoc.note})")
            continue
        if assoc.few_events:  # an unstable estimate is reported, not made evidence
            skipped.append(f"{assoc.factor}: {assoc.note}")
            continue
        binary = assoc.contrast.endswith("present vs absent")
        factor = factor_list[assoc.factor]
        # The instrument shows every number after what it compares ('contrast: OR …'): the factor's label
        # with the comparison in brackets, not the data column's name, and no colon of its own.
        entry: dict[str, Any] = {
            "factor": assoc.factor,
            "contrast": f"{factor.label_en} ({'present vs absent' if binary else 'per unit'})",
            "contrast_nl": f"{factor.label_nl} ({'aanwezig vs afwezig' if binary else 'per eenheid'})"
            if contrast_nl else None,
            "measure": assoc.measure,
            "estimate": _round(assoc.estimate), "ci_low": _round(assoc.ci_low), "ci_high": _round(assoc.ci_high),
            "p": _round(assoc.p), "estimate_status": "reported",
            "source_kind": OWN_DATA if source_kind else None,
            "reference": "absent" if reference and binary else None,
            "estimate_type": "adjusted" if assoc.adjusted_for else "crude",
            "adjusted_for": list(assoc.adjusted_for),
            "model": f"{result.model}, {'multivariable' if assoc.adjusted_for else 'univariable'}",
            # The analysis selects no variables (the factor and the --adjust columns); whether those columns
            # were chosen before seeing the data is on record only for a planned run (validate run).
            "model_building": PRE_SPECIFIED if model_building and planned else None,
            "source_location": f"{source}n={assoc.n}, events={assoc.events})",
        }
        if result.level != 0.95:
            entry["ci_level"] = result.level
        estimates.append({k: v for k, v in entry.items() if v not in (None, [], "")})
        written.append(assoc.factor)
    data: dict[str, Any] = {"study": study, "estimates": estimates}
    if existing and existing.get("quips"):
        data["quips"] = existing["quips"]
    return data, written, skipped


def _source_prefix(data_file: Path) -> str:
    return f"review validate factors {data_file.name} ("


#: How ``source_location`` names the data file's content: the first 16 hex digits of its SHA-256.
CONTENT_HASH = "sha256"


def content_hash(data_file: Path) -> str:
    with open(data_file, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:16]


@dataclass(slots=True)
class BuiltFrom:
    """An own-data study estimated from this data file (``same_content``) or from a file of its name, and
    the cohort it counts as in the synthesis (its ``[study].cohort_id``, else its id)."""

    path: Path
    same_content: bool
    cohort_id: str


def _cohort_of(study: dict[str, Any], path: Path) -> str:
    """The cohort a study counts as in the synthesis: its ``cohort_id``, else its id."""
    return str(study.get("cohort_id") or study.get("id") or path.stem)


def _hashed(study: dict[str, Any]) -> bool:
    """Whether any estimate names a content hash (studies written before the hash name none)."""
    return any(f"({CONTENT_HASH}:" in str(e.get("source_location", "")) for e in study.get("estimates", [])
               if isinstance(e, dict))


def _estimated_from(study: dict[str, Any], digest: str) -> bool:
    """Whether a study's estimates name this content hash (:func:`content_hash`) in their ``source_location``."""
    same = f"({CONTENT_HASH}:{digest};"
    return any(str(e.get("source_location", "")).startswith("review validate factors ") and same in
               str(e.get("source_location", "")) for e in study.get("estimates", []) if isinstance(e, dict))


def studies_built_from(data_file: Path, extraction_dir: Path, *, digest: str | None = None) -> list[BuiltFrom]:
    """Own-data study files with an estimate from this very file (its content hash, in the estimate's
    ``source_location``, also under another name) or from a file of this name (a study written before
    the hash, or the file changed since): a cohort that helped build the instrument, so a predictive check
    on it is optimistic. A study file that cannot be read is skipped (``review extraction check`` reports it).
    ``digest`` is the file's :func:`content_hash` when the caller has it already."""
    found, digest = [], digest or content_hash(data_file)
    for path, data in _own_data_files(extraction_dir):
        locations = [str(e.get("source_location", "")) for e in data.get("estimates", []) if isinstance(e, dict)]
        cohort = _cohort_of(data.get("study", {}), path)
        if _estimated_from(data, digest):
            found.append(BuiltFrom(path, True, cohort))
        elif any(location.startswith(_source_prefix(data_file)) for location in locations):
            found.append(BuiltFrom(path, False, cohort))
    return found


def _own_data_files(extraction_dir: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The own-data study files of ``extraction_dir`` with their content; one that cannot be read is skipped."""
    for path in sorted((Path(extraction_dir) / STUDIES_DIR).glob("*.toml")):
        try:
            data = read_study_file(path)
        except (ValidationError, OSError):
            continue
        if data.get("study", {}).get("data_source") == OWN_DATA:
            yield path, data


def own_data_studies(extraction_dir: Path) -> list[Path]:
    """The own-data study files of ``extraction_dir`` (written by ``--to-extraction``)."""
    return [path for path, _ in _own_data_files(extraction_dir)]


def check_own_data_source(data_file: Path) -> None:
    """Refuse data marked SYNTHETIC: the synthesis would count their made-up estimates as evidence."""
    if is_synthetic(data_file):
        raise ValidationError(f"{data_file}: SYNTHETIC demo data never becomes a study file (its invented effect "
                              "sizes would reach the synthesis and the instrument); --to-extraction takes real data")


def write_own_data_study(result: FactorsResult, extraction_dir: Path, factor_list: FactorList, *,
                         study_id: str | None = None, description: str | None = None,
                         planned: bool = False, dry_run: bool = False) -> OwnDataStudy:
    """Write (or update) the own-data study file; it is checked like every study file before it is written.

    Data marked SYNTHETIC are refused: the synthesis would count their made-up estimates as evidence.
    ``dry_run``: every check, nothing written (``validate run`` checks the whole plan before it writes).
    """
    data_file = Path(result.path)
    check_own_data_source(data_file)
    study_id = study_id or default_study_id(data_file)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", study_id):
        raise ValidationError(f"--study-id {study_id!r}: use letters, digits, '_' or '-' (it becomes a file name)")
    target = Path(extraction_dir) / STUDIES_DIR / f"{study_id}.toml"
    existing = read_study_file(target) if target.exists() else None
    if existing is not None and existing.get("study", {}).get("data_source") != OWN_DATA:
        raise ValidationError(f"{target}: exists and is not an own-data study; choose another --study-id")
    digest = content_hash(data_file)  # once per write: the data file can be large
    cohort_id, warnings = _one_cohort(data_file, Path(extraction_dir), target, existing, digest)
    if existing is not None and not _estimated_from(existing, digest):
        came_from = (f"its estimates came from other content than {data_file.name} has now (a corrected extract, "
                     "or another cohort's file of this name?)" if _hashed(existing) else
                     f"its estimates are not known to come from this content of {data_file.name} (written before "
                     "estimates named their data's content hash)")
        warnings.append(f"{target.name}: {came_from}; they are replaced, and its description, cohort_id and QUIPS "
                        "ratings are kept: check they still apply")
    form = load_form(Path(extraction_dir))
    kind_spec = form.fields("estimate").get("source_kind")
    # a workspace form from before 'own data' was a source kind still gets a valid file
    allows_kind = kind_spec is not None and (not kind_spec.choices or OWN_DATA in kind_spec.choices)
    data, written, skipped = study_data(result, data_file, study_id, factor_list, existing, description,
                                        source_kind=allows_kind, reference="reference" in form.fields("estimate"),
                                        contrast_nl="contrast_nl" in form.fields("estimate"),
                                        model_building="model_building" in form.fields("estimate"),
                                        planned=planned,
                                        digest=digest, cohort_id=cohort_id)
    if not written:
        raise ValidationError(f"{data_file}: no factor of factors.toml got an estimate; nothing written to {target}")
    # unfinished QUIPS kept from an earlier run is a draft, not a reason to refuse the re-run
    problems = check_study_data(data, str(target), form=form, factors=factor_list, expected_id=study_id).problems
    if problems:
        raise ValidationError(problems[0])
    if not dry_run:
        write_text_atomic(target, dumps(data, header=_header(data_file)))
    return OwnDataStudy(target, study_id, written, skipped, warnings)


def _one_cohort(data_file: Path, extraction_dir: Path, target: Path, existing: dict[str, Any] | None,
                digest: str) -> tuple[str, list[str]]:
    """The target's cohort_id and the warnings that keep one cohort one unit in the synthesis (0027).

    Another own-data study of this very content is another analysis of the same clients (another outcome,
    say): a new study takes its cohort_id, so the synthesis counts the cohort once. A study of a file of
    this name whose content differs (a later extract of the same cohort?) gets a warning to share one.
    Studies whose cohort_id already equals the target's need no word. Refused (nothing written): this
    content onto an existing study of other content whose cohort_id differs from the one a study of this
    very content has, as the clients would then count as two cohorts."""
    others = [b for b in studies_built_from(data_file, extraction_dir, digest=digest)
              if b.path.resolve() != target.resolve()]
    same = [b for b in others if b.same_content]
    kept = str((existing or {}).get("study", {}).get("cohort_id") or "")
    cohort_id = kept or (same[0].cohort_id if same else target.stem)
    clash = [b for b in same if b.cohort_id != kept] if kept and existing is not None \
        and not _estimated_from(existing, digest) else []
    if clash:  # another cohort's study would take these clients' estimates: one cohort counted twice
        raise ValidationError(
            f"{target}: its estimates came from other content, with cohort_id {kept!r}, and own-data study "
            f"{clash[0].path.stem} ({clash[0].path}) was estimated from this very file with cohort_id "
            f"{clash[0].cohort_id!r}: written here, one cohort would count twice in the synthesis; nothing written: "
            f"re-run with --study-id {clash[0].path.stem}, or set cohort_id = {clash[0].cohort_id!r} in "
            f"{target.name} first")
    warnings = []
    if not kept and same:
        warnings.append(
            f"own-data study {same[0].path.stem} ({same[0].path}) was estimated from this very file (the same "
            f"content): {target.stem} is written with its cohort_id {cohort_id!r}, so the synthesis counts the "
            f"cohort once (one cohort, several analyses); if it is the same analysis, re-run with --study-id "
            f"{same[0].path.stem} instead and delete {target.name}")
    for other in others:
        if other.cohort_id == cohort_id:
            continue
        origin = ("this very file (the same content)" if other.same_content
                  else f"an earlier file named {data_file.name}")
        warnings.append(
            f"own-data study {other.path.stem} ({other.path}) was estimated from {origin}, with cohort_id "
            f"{other.cohort_id!r} and {target.stem} with {cohort_id!r}: if both hold the same clients, give the two "
            f"studies the same cohort_id (the synthesis then counts one cohort) or replace it with --study-id "
            f"{other.path.stem}")
    return cohort_id, warnings
