"""Extraction service: the study-file folder (init, validate, load, compare, reconcile, QUIPS)
and the form the TUI edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_bytes_atomic, write_text_atomic
from ..errors import ReviewError, ValidationError, WorkspaceError
from ..extraction.compare import NOT_RATED, FieldDifference, compare_studies
from ..extraction.factors import FactorList, load_factors
from ..extraction.forms import (
    FACTORS_FILE, FORM_FILE, STUDIES_DIR, SUPPORT_SUFFIX, Form, check_study_data, default_form_text, load_form,
    load_study, quips_progress, read_study_file, study_files, study_from_data, study_id_of,
    write_study_file,
)
from ..extraction.forms import check_folder as check_files
from ..extraction.model import QUIPS_DOMAINS, Estimate
from ..extraction.quips import CONSENSUS, CollapseRule, summarise
from ..paths import check_name, named_from
from ..tomlread import SettingProblem, located_setting, loads_toml, read_toml_located, read_toml_text
from ..workspace import Workspace

__all__ = [
    "FACTORS_FILE", "STUDIES_DIR", "CollapseRule", "FactorList", "Form", "FolderInit", "FolderValidation", "FormSave", "LoadReport",
    "QuipsRow", "QuipsView", "SavedNotStored", "collapse_rule", "compare", "estimate_direction", "extraction_status", "included_check", "included_disagreements", "included_lines", "init_folder", "load_factors", "load_folder",
    "load_form", "quips_rule", "quips_table", "quips_view", "read_study_file", "reconcile", "save_study_file", "save_study_form",
    "store_changed_files",
    "study_files", "synthesis_settings_problem", "study_id_of", "validate_folder",
]

if TYPE_CHECKING:
    from ..extraction.included import IncludedCheck
    from ..prisma.counts import PrismaCounts

from ..extraction.loading import LoadReport  # noqa: E402  (re-exported result type)
from ..words import counted  # noqa: E402


def extraction_status(workspace: Workspace, counts: PrismaCounts | None = None, *, every: bool = False) -> list[str]:
    """``review status`` lines: study files, and whether synthesis.csv was written, under which rule set, and whether
    its inputs (the study files, factors.toml, grade.toml, review.toml's settings) changed since; with the store's
    PRISMA ``counts``, whether the study files and the studies included at full text agree (``included_check``);
    ``every``: each list in full (``review status --all``), not its first three."""
    folder = workspace.path("extraction")
    files = study_files(folder) if (folder / STUDIES_DIR).is_dir() else []
    line = f"extraction {counted(len(files), 'study file')}"
    if (folder / "synthesis.csv").is_file():
        line += "; " + _synthesis_state(folder, workspace.config.raw)
    check = included_check(workspace, counts) if counts is not None else None
    return [line] + ([f"  {text}" for text in included_lines(check, every=every)] if check is not None else [])


def included_disagreements(folder: Path) -> list[str]:
    """``review extraction validate``'s warnings: where the study files of ``folder`` and the studies its workspace
    (the folder above it) includes at full text disagree (``included_lines``); none outside a workspace, without a
    store, or when they agree."""
    from ..paths import WORKSPACE_FILE

    root = Path(folder).resolve().parent
    if not (root / WORKSPACE_FILE).is_file():
        return []
    workspace = Workspace(root)
    try:
        check = included_check(workspace, folder=Path(folder))
        # (nothing included yet: the full-text stage not begun, or kept elsewhere; review status says it once)
        return [] if check is None or check.agrees or not check.n_included else included_lines(check)
    except ReviewError as err:  # (a team's server out of reach: the files are checked all the same, as before)
        return [f"study files not matched to the included studies: {err}"]
    finally:  # its own engine: released now, not whenever it is garbage collected
        if "store" in workspace.__dict__:
            workspace.store.engine.dispose()


def included_check(workspace: Workspace, counts: PrismaCounts | None = None, *,
                   folder: Path | None = None) -> IncludedCheck | None:
    """The reconciled study files (of ``folder``, default the workspace's ``extraction/``) against the studies
    included at full text, matched by doi or pmid (``extraction.included``); None without a store. ``counts``: the
    PRISMA counts when the caller has them (the included studies are its ``new_studies``, the boxes say where a
    record not included stands)."""
    import tomllib

    from ..dedup.decisions import canonical_of
    from ..dedup.normalise import normalise_doi, normalise_pmid
    from ..extraction.included import IncludedCheck, StudyFileIds, check_included
    from ..extraction.model import OWN_DATA_SOURCE
    from ..prisma.fulltext import report_states
    from ..sources.fields import OTHER_DOIS
    from ..store.extraction import record_identifiers
    from .prisma import prisma_counts

    store = workspace.store_if_there()
    if store is None or not store.count_records():  # (no records: nothing to match, the review kept elsewhere)
        return None
    folder = workspace.path("extraction") if folder is None else folder
    files = []
    unreadable: list[str] = []
    for path in study_files(folder) if (folder / STUDIES_DIR).is_dir() else []:
        try:
            study = _study_table(read_toml_text(path))  # (as validate reads it: a byte-order mark dropped)
        except (ValidationError, tomllib.TOMLDecodeError):
            unreadable.append(path.relative_to(folder).as_posix())  # (review extraction validate names the fault)
            continue
        if not isinstance(study, dict) or study.get("data_source") == OWN_DATA_SOURCE:
            continue  # the programme's own data: no paper, no record
        files.append(StudyFileIds(path.relative_to(folder).as_posix(), normalise_doi(str(study.get("doi") or "")),
                                  normalise_pmid(str(study.get("pmid") or ""))))
    counts = prisma_counts(workspace) if counts is None else counts
    if not files and not counts.boxes.get("new_studies"):  # nothing to match: the reads below cost 0.2 s of CPU a
        return IncludedCheck(0, 0, unreadable=unreadable)  # status at 50,000 records, at the screening stage
    states = report_states(store)
    canonical = canonical_of(store)

    def study_of(record_id: int) -> int:
        record_id = canonical.get(record_id, record_id)
        study = states[record_id].study_id if record_id in states else record_id
        return canonical.get(study, study)

    boxes = {name: set(ids) for name, ids in counts.boxes.items()}

    def standing(record_id: int) -> str:
        state = states.get(record_id)
        if state is not None:
            if state.eligibility == "excluded":
                return f"excluded at full text ({state.reason})" if state.reason else "excluded at full text"
            if state.eligibility == "conflict":
                return "reviewers disagree on it at full text"
            if state.eligibility == "eligible":  # (a report PRISMA does not count: one set aside, say)
                return "eligible at full text, not counted as included (review prisma)"
            return "not retrieved" if state.not_retrieved else "at full text, not assessed yet"
        for box, words in (("records_excluded", "excluded at title and abstract"),
                           ("ta_conflicts", "reviewers disagree on it at title and abstract"),
                           ("excluded_other", "removed before screening"),
                           ("excluded_automatic", "left unscreened when screening stopped"),
                           ("pending_screening", "not screened yet")):
            if record_id in boxes.get(box, ()):
                return words
        return "not sought at full text yet"

    # (a record's further DOIs too, as dedup matches on them: a study file may name the paper's other one)
    identifiers = [(r, normalise_doi(doi), normalise_pmid(pmid))
                   for r, doi, pmid in record_identifiers(store, OTHER_DOIS)]
    check = check_included(files, identifiers, boxes.get("new_studies", set()), study_of, standing)
    check.unreadable = unreadable
    return check


def _study_table(text: str) -> Any:
    """A study file's ``[study]`` table: parsed from the file's head up to the next table when ``[study]`` comes first
    (the form's order), else from the whole file (the estimates' tables made the parse of 110 files 3 times as long).
    A head cut inside a multi-line string does not parse: the whole file decides then too."""
    import tomllib

    lines = text.splitlines(keepends=True)
    header = next((i for i, line in enumerate(lines) if line.strip().startswith("[")), None)
    if header is not None and lines[header].strip() == "[study]":
        end = next((i for i in range(header + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
        try:
            study = tomllib.loads("".join(lines[:end])).get("study")
        except tomllib.TOMLDecodeError:
            study = None
        if isinstance(study, dict):
            return study
    return tomllib.loads(text).get("study")


def included_lines(check: IncludedCheck, *, every: bool = False) -> list[str]:
    """``review status``'s lines (and ``review extraction validate``'s notes) on the study files against the
    included studies: one per kind of disagreement, the first few named (``every``: all of them); one line when they
    agree."""
    def few(items: list[str]) -> str:
        return ", ".join(items) if every else _first_few(items)

    if check.agrees:
        return [f"study files match the {_included(check.n_included)} "
                "(by doi or pmid)"] if check.n_included else []
    if not check.n_included:  # (one line, not one per file: the full-text stage has not included any yet)
        return [f"{counted(check.n_files, 'study file')}, but no study included at full text yet (review fulltext "
                "eligible records an inclusion): not matched"] if check.n_files else []
    lines = []
    if check.missing:
        # (their identifiers named here: the hint 'review export records lists their doi and pmid' pointed to a row with
        # neither where dedup kept a copy without them, its duplicate holding both)
        named = [f"#{r} ({_identifiers(check.identifiers_of.get(r, []), every=every)})" for r in check.missing]
        lines.append(f"{_included(len(check.missing))} without a study file: {few(named)} (a study file matches by "
                     "any one of these)")
    if check.not_included:
        lines.append(f"{counted(len(check.not_included), 'study file')} for records not included: "
                     f"{few([f'{n.name} (#{n.record_id}, {n.standing})' for n in check.not_included])}")
    if check.no_record:
        lines.append(f"{counted(len(check.no_record), 'study file')} naming a doi or pmid no record has: "
                     f"{few(check.no_record)}")
    if check.unidentified_files:
        lines.append(f"{counted(len(check.unidentified_files), 'study file')} naming neither doi nor pmid, not "
                     f"matched: {few(check.unidentified_files)}")
    if check.unreadable:
        lines.append(f"{counted(len(check.unreadable), 'study file')} that cannot be read, not matched: "
                     f"{few(check.unreadable)} (review extraction validate)")
    if check.unidentified_studies:
        lines.append(f"{_included(len(check.unidentified_studies))} whose "
                     f"records have neither doi nor pmid, not matched: {few([f'#{r}' for r in check.unidentified_studies])}")
    return lines


def _identifiers(said: list[str], *, every: bool = False) -> str:
    """A study's identifiers as a status line names them: ``pmid 123``, ``doi 10.1/x or pmid 123``, the first two and how
    many more (reports linked to one study each add theirs); ``every``: all of them."""
    if every or len(said) <= 2:
        return " or ".join(said)
    return " or ".join(said[:2]) + f" or {len(said) - 2} more"


def _first_few(items: list[str]) -> str:
    """The first three of ``items``, and how many more and where they are: a status line stays short however many
    there are, and ``review status --all`` names every one."""
    return ", ".join(items[:3]) + (f" (+{len(items) - 3} more: review status --all lists them)" if len(items) > 3 else "")


def _included(count: int) -> str:
    return counted(count, "study").replace(" ", " included ", 1)


def _synthesis_state(folder: Path, config: dict[str, Any]) -> str:
    """What ``review status`` says of synthesis.csv: the rule set it was written under and, where it is not the
    synthesis of the inputs now, which changed and what to run."""
    from ..synthesis.evidence import canonical_rule_set
    from ..synthesis.freshness import INPUTS_FILE, freshness

    state = freshness(folder, config)
    written = f"synthesis.csv written (rule set {state.rule_set or '?'})"
    section = config.get("synthesis")
    named = section.get("rule_set") if isinstance(section, dict) else None
    try:
        now = canonical_rule_set(named) if isinstance(named, str) else ""
        then = canonical_rule_set(state.rule_set) if state.rule_set else ""
    except ValidationError:  # (a name no rule set has: review synthesis refuses it and says so)
        now, then = str(named), state.rule_set
    why = []
    if now and then and now != then:
        why.append(f"review.toml's rule set is {now} now")
    if state.recorded:
        for names, what in ((state.changed, "changed"), (state.added, "added"), (state.removed, "removed")):
            if names:
                why.append(f"{what} since: {_first_few(names)}")
        if state.settings_changed:
            why.append("review.toml's [synthesis] or [extraction] settings changed since")
    elif not why:  # (written before its inputs were recorded, or copied in: nothing to compare with)
        return f"{written}; whether it is current is not known (no {INPUTS_FILE} of it): run 'review synthesis'"
    if not why:
        return f"{written}, current with its inputs"
    return f"{written}, out of date ({'; '.join(why)}): run 'review synthesis'"


def synthesis_settings_problem(workspace: Workspace) -> SettingProblem | None:
    """The refusal ``review synthesis`` would make now of review.toml's ``[synthesis]`` and ``[extraction]``
    (None when it would take them), for ``review status`` under the lines that say synthesis.csv's state: the check
    (``synthesis.settings``) loads no numpy or scipy."""
    from ..synthesis.settings import workspace_settings
    from ..tomlread import setting_refusal

    return setting_refusal(lambda: workspace_settings(workspace.config.raw))


def collapse_rule(folder: Path) -> CollapseRule:
    """The QUIPS collapse rule of the workspace holding ``folder`` (default rule outside one)."""
    config = folder.resolve().parent / "review.toml"
    if not config.is_file():
        return CollapseRule()
    text = read_toml_text(config)
    data = loads_toml(text, config)
    try:
        return CollapseRule.from_settings(data.get("extraction", {}))
    except SettingProblem as problem:  # named with the file's path and the key's line (the TUI's notification too)
        raise WorkspaceError(located_setting(problem, config, text)) from None


@dataclass(frozen=True, slots=True)
class FolderInit:
    form: Path
    form_written: bool
    factors: Path
    factors_missing: bool


def init_folder(folder: Path) -> FolderInit:
    """Write the default form.toml and an empty studies/ folder (never overwrites)."""
    (folder / STUDIES_DIR).mkdir(parents=True, exist_ok=True)
    form = folder / FORM_FILE
    written = not form.exists()
    if written:
        write_text_atomic(form, default_form_text())
    factors = folder / FACTORS_FILE
    return FolderInit(form, written, factors, not factors.exists())


@dataclass(frozen=True, slots=True)
class FolderValidation:
    problems: list[str]  # malformed values: nothing loads until they are mended
    n_files: int  # every file checked, extractor copies included
    n_factors: int
    n_studies: int = 0  # reconciled study files (what review status and the synthesis count)
    #: Unfinished QUIPS (a domain not rated, a rating without support text): such a file loads and
    #: compares as a draft; the synthesis refuses it.
    incomplete: list[str] = field(default_factory=list)
    incomplete_files: list[str] = field(default_factory=list)  # the files those lines name


def validate_folder(folder: Path, names_from: Path | None = None) -> FolderValidation:
    """Every study file checked against form.toml and factors.toml; one line per problem. With ``names_from`` (the
    folder the command runs in) every line and error names a file below it from it, any other by its full path."""
    def named(message: str) -> str:
        return message if names_from is None else named_from(message, names_from)

    if names_from is not None:
        folder = Path(folder).resolve()  # (``--extraction ..`` from studies/ named the files ../studies/…)
    try:
        factors = load_factors(folder / FACTORS_FILE)
        check = check_files(folder, factors)
    except ReviewError as err:  # (the same error, its class and exit status, naming the file from the root)
        err.args = (named(str(err)),)
        raise
    return FolderValidation([named(line) for line in check.problems],
                            len(list((folder / STUDIES_DIR).glob("*.toml"))), len(factors), len(study_files(folder)),
                            [named(line) for line in check.incomplete], list(check.incomplete_files))


def load_folder(workspace: Workspace, folder: Path) -> LoadReport:
    """Store new or changed study files (one transaction per study); nothing invalid is stored."""
    from ..extraction.loading import load_folder as load

    factors = load_factors(folder / FACTORS_FILE)
    return load(workspace.store, folder, factors, collapse_rule(folder))


def store_changed_files(workspace: Workspace, folder: Path | None = None) -> LoadReport:
    """Bring the store level with the study files: store each valid file that differs from its latest
    stored version (a save killed after its file write); opening the form and the synthesis call this."""
    from ..extraction.loading import store_changed_files as catch_up

    folder = folder if folder is not None else workspace.path("extraction")
    if not (folder / STUDIES_DIR).is_dir():
        return LoadReport([], [])
    factors = load_factors(folder / FACTORS_FILE) if (folder / FACTORS_FILE).is_file() else None
    return catch_up(workspace.store, folder, factors, collapse_rule(folder))


def extractor_file(folder: Path, study_id: str, extractor: str) -> Path:
    """``studies/ID.toml`` for "" or "reconciled", else ``studies/ID.EXTRACTOR.toml``; must exist."""
    check_name(study_id, "study id")  # typed names never lead outside the workspace (../../x)
    if extractor:
        check_name(extractor, "extractor")
    name = f"{study_id}.toml" if extractor in ("", "reconciled") else f"{study_id}.{extractor}.toml"
    path = folder / STUDIES_DIR / name
    if not path.is_file():
        raise ValidationError(f"{path}: no such study file")
    return path


def compare(folder: Path, study_id: str, left: str, right: str, *, include_quips: bool = False) -> list[FieldDifference]:
    """The fields where two extractors' files of a study differ (unfinished QUIPS tables compare:
    with ``include_quips`` a domain a rater has not rated yet is listed as "not rated")."""
    factors = load_factors(folder / FACTORS_FILE)
    form = load_form(folder)
    a = load_study(extractor_file(folder, study_id, left), form=form, factors=factors, draft=True)
    b = load_study(extractor_file(folder, study_id, right), form=form, factors=factors, draft=True)
    return compare_studies(a, b, include_quips=include_quips)


@dataclass(frozen=True, slots=True)
class Reconciled:
    target: Path
    source: Path
    #: The reconciled file ``--force`` replaced, kept beside it (``studies/ID.toml.replaced``), or None.
    replaced: Path | None = None


def reconcile(folder: Path, study_id: str, source: str, *, force: bool = False) -> Reconciled:
    """Adopt one extractor's file as the reconciled ``studies/ID.toml``."""
    src = extractor_file(folder, study_id, source)
    target = folder / STUDIES_DIR / f"{study_id}.toml"
    if target.exists() and not force:
        raise ValidationError(f"{target}: exists (use --force to replace it)")
    read_study_file(src)  # must at least parse
    text = "\n".join(line for line in src.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("extractor =")).rstrip("\n") + "\n"
    replaced = None
    if target.exists():
        before = target.read_bytes()
        if before != text.encode("utf-8"):
            # The one undo: hand edits to the reconciled file (consensus QUIPS, settled numbers) would be lost.
            # Not '*.toml', so no command reads it as a study or an extractor's copy.
            replaced = target.with_name(target.name + ".replaced")
            write_bytes_atomic(replaced, before)
    write_text_atomic(target, text)
    return Reconciled(target, src, replaced)


@dataclass(frozen=True, slots=True)
class QuipsRow:
    study_id: str
    rob: str
    raters: list[str]
    basis: str
    disagreements: dict[str, dict[str, str]]


def quips_rule(folder: Path) -> str:
    """The QUIPS collapse rule the folder's workspace applies, stated: its name and its thresholds."""
    rule = collapse_rule(folder)
    return f"{rule.name} ({rule.describe()})"


def quips_table(folder: Path, study_id: str | None = None) -> list[QuipsRow]:
    """QUIPS per study (or one study): raters, basis, disagreements, collapsed risk of bias; an
    unfinished table gives rob ``incomplete (bob 2/6)`` (domains rated; ``, 1 without support text``)."""
    rule = collapse_rule(folder)  # review.toml first: its bad value is named before a missing file
    factors = load_factors(folder / FACTORS_FILE)
    form = load_form(folder)
    paths = [extractor_file(folder, study_id, "")] if study_id else study_files(folder)
    rows = []
    for path in paths:
        study = load_study(path, form=form, factors=factors, draft=True)
        summary = summarise(study.quips, rule)
        progress = quips_progress(study.quips)
        rob = summary.rob
        if progress:
            rob = "incomplete (" + "; ".join(
                f"{rater} {rated}/{len(QUIPS_DOMAINS)}" + (f", {bare} without support text" if bare else "")
                for rater, (rated, bare) in progress.items()) + ")"
        elif summary.disagreements and summary.basis != CONSENSUS:  # raters differ: not "unrated", unfinished
            rob = f"incomplete (no consensus on {', '.join(summary.disagreements)})"
        rows.append(QuipsRow(study.id, rob, list(summary.raters), summary.basis,
                             {d: dict(given) for d, given in summary.disagreements.items()}))
    return rows


def estimate_direction(values: dict[str, Any]) -> str:
    """The direction an estimate of a study file gives for recurrence (its ``finding``, else from its
    CI, flipped for a favourable outcome); "" for an entry that is not a valid estimate yet."""
    try:
        return Estimate.from_mapping(values).derived_finding()
    except (TypeError, ValueError):  # missing required fields, text where a number belongs
        return ""


@dataclass(frozen=True, slots=True)
class QuipsView:
    """A study file's QUIPS tables as the form shows them: one row per rater and domain, and the
    collapsed risk of bias with the rule that gave it."""

    rows: list[tuple[str, str, str, str]]  # rater, domain, rating, support text
    summary: str


def quips_view(rule: CollapseRule, data: dict[str, Any]) -> QuipsView:
    """The QUIPS ratings of a study file's ``data`` (as read, possibly incomplete) for display, collapsed
    by ``rule`` (:func:`collapse_rule`, read once per reload: not review.toml again per study shown)."""
    quips = data.get("quips", {})
    quips = quips if isinstance(quips, dict) else {}
    rows = []
    for rater, ratings in quips.items():
        if not isinstance(ratings, dict):
            continue
        for domain in QUIPS_DOMAINS:
            rows.append((str(rater), domain, str(ratings.get(domain, NOT_RATED)),
                         str(ratings.get(domain + SUPPORT_SUFFIX, ""))))
    summary = summarise({str(r): {d: str(v) for d, v in given.items()} for r, given in quips.items()
                         if isinstance(given, dict)}, rule)
    if summary.rob == "unrated":
        why = "no QUIPS ratings" if not rows else f"not every domain agreed or rated ({summary.basis})"
        return QuipsView(rows, f"risk of bias: unrated ({why})")
    return QuipsView(rows, f"risk of bias: {summary.rob} ({summary.basis}; rule {rule.name}: {rule.describe()})")


@dataclass(frozen=True, slots=True)
class FormSave:
    """What the form's save did: the file as read back, whether the store took it, and why not or
    what is left (one line each; empty when the study is complete and stored)."""

    data: dict[str, Any]
    stored: bool
    warnings: list[str]


def save_study_form(workspace: Workspace, path: Path, data: dict[str, Any]) -> FormSave:
    """Save the form (the TUI's ctrl+s): ``data`` is the file's data with the form's study table.

    Refused (ValidationError, nothing written) only for a problem in a field the form edits
    (``study.*``). A problem elsewhere (estimates or QUIPS edited in the file) is the file's: the
    file is written with the form's values and the rest as it was, but not stored (the store takes
    valid files only) — a warning. Unfinished QUIPS is a draft: written and stored, with a warning.
    """
    folder = path.parent.parent
    form = load_form(folder)
    factors = load_factors(folder / FACTORS_FILE) if (folder / FACTORS_FILE).is_file() else None
    try:
        name = str(path.resolve().relative_to(workspace.root))
    except ValueError:
        name = str(path)
    try:  # problems name the line of the file as it is on disk (the form's fields keep their places)
        located = read_toml_located(path)[1]
    except ReviewError:
        located = {}
    own = check_study_data({"study": data.get("study")}, name, form=form, factors=factors,
                           expected_id=study_id_of(path), located=located).problems
    if own:
        more = f" (+{len(own) - 1} more)" if len(own) > 1 else ""
        raise ValidationError(own[0] + more)
    check = check_study_data(data, name, form=form, factors=factors, expected_id=study_id_of(path), located=located)
    if check.problems:  # not through Study: a malformed estimate or table is kept as written, not dropped
        write_study_file(path, _in_file_order(data))
        more = f" (+{len(check.problems) - 1} more)" if len(check.problems) > 1 else ""
        return FormSave(read_study_file(path), False, [
            f"{check.problems[0]}{more}: saved, not stored; mend it in the file, then 'review extraction load'"])
    stored = save_study_file(workspace, path, data)
    warnings = []
    if check.incomplete:
        more = f" (+{len(check.incomplete) - 1} more)" if len(check.incomplete) > 1 else ""
        warnings.append(f"{check.incomplete[0]}{more}: saved and stored as a draft; the synthesis refuses it "
                        "until every QUIPS domain is rated with its support text")
    return FormSave(stored, True, warnings)


def _in_file_order(data: dict[str, Any]) -> dict[str, Any]:
    """A study file's tables in the order a study file has them (the form puts ``study`` last)."""
    order = ("extractor", "study", "estimates", "expert_ratings", "quips")
    return {**{k: data[k] for k in order if k in data}, **{k: v for k, v in data.items() if k not in order}}


class SavedNotStored(ReviewError):
    """The study file is written but the store refused it; the store catches up later."""


def save_study_file(workspace: Workspace, path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Save a study edited in the form to its file and store it as the reconciled version.

    The file first (it is what the reviewer sees and commits); a kill before the store write leaves
    the store a version behind until :func:`store_changed_files` (the form's next open, the
    synthesis, ``review extraction load``) stores the file. Returns the data as read back from the file.
    """
    from ..extraction.loading import store_study

    study_from_data(data)  # a study it is (a missing required field raises), yet written as given, not through
    # Study: that round trip added each estimate's defaults ('estimate_status = "reported"') and rewrote what the
    # form does not edit ('ci_level = 90' as 0.9, an explicit 'ci_level = 0.95' dropped) (walk28)
    write_study_file(path, _in_file_order(data))
    stored = read_study_file(path)
    rule = CollapseRule.from_settings(workspace.config.section("extraction"))
    try:
        store_study(workspace.store, stored, path, rule, extractor="")
    except ReviewError as err:  # e.g. the store busy: the file is written, so say so, not "save failed"
        raise SavedNotStored(f"{path}: saved, but not stored ({err}); the store takes it when the extraction "
                          "form opens again, or run 'review extraction load'") from err
    return stored
