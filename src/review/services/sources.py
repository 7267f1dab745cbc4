"""Sources service: import files, export records, run PubMed searches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReviewError, WorkspaceError
from ..filestamp import Stamp, stamp
from ..tomlread import SettingProblem, setting_refusal
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..sources.importer import ImportProgress, ImportReport
    from ..sources.retrieval import SearchProgress
    from ..sources.search import QueryOverview, SearchOutcome
    from ..sources.seeds import SeedCheck

__all__ = [
    "EXPORT_DECISIONS", "EXPORT_FORMATS", "IMPORT_FORMATS", "QueryListing", "QueryOverview", "RecordsExport", "SearchProgress", "SearchReportText", "SearchRun",
    "SeedCheck", "check_seeds", "export_records", "import_files", "import_formats", "import_progress", "list_queries", "pubmed_settings_problem", "query_files_stamp",
    "query_overview",
    "require_recall",
    "search_report", "search_status", "start_searches",
]

#: ``--format`` choices of ``export records`` (kept here so ``review --help`` imports no readers).
EXPORT_FORMATS = ("csv", "ris")

#: The formats ``review import`` reads, as the shells name them (the CLI's help, the dashboard's help, its f key's
#: tooltip and import dialog: :func:`import_formats`), each with the readers it covers (``sources.readers.READERS``;
#: a test checks that they are every reader, and that the README and docs/sources.md name each). Kept here, not read
#: from the readers, so ``review --help`` imports none of them.
IMPORT_FORMATS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("RIS", ("ris",)), ("MEDLINE (.nbib)", ("medline",)), ("PubMed XML", ("pubmed-xml",)), ("BibTeX", ("bibtex",)),
    ("CSV", ("csv",)), ("EndNote", ("endnote-xml", "endnote-tagged")), ("Web of Science (plain text)", ("wos",)),
)


def import_formats() -> str:
    """The formats ``review import`` reads in words: ``RIS, MEDLINE (.nbib), …, EndNote or Web of Science (plain text)``."""
    names = [name for name, _ in IMPORT_FORMATS]
    return f"{', '.join(names[:-1])} or {names[-1]}"


#: ``--decision`` choices of ``export records``: the title/abstract verdict PRISMA counts
#: (``prisma.fulltext.title_abstract_verdicts``) as a word, or ``undecided`` for no decision yet.
EXPORT_DECISIONS: dict[str, str] = {"included": "include", "excluded": "exclude", "maybe": "maybe",
                                    "conflict": "conflict", "undecided": ""}


def import_files(workspace: Workspace, files: Iterable[Path], *, source: str | None = None,
                 progress: ImportProgress | None = None) -> ImportReport:
    """Import each file completely or not at all; files imported before are skipped.

    ``progress`` is told ``(file, phase, records parsed so far)`` as each file goes. A file that is the
    workspace's own store (``review import review.db``, or ``*`` in its folder) refuses the whole import before
    a byte is read or the store opened (``Workspace.refuse_own_store``).
    """
    from ..sources import import_files as run_import

    files = list(files)
    for path in files:
        workspace.refuse_own_store(path, use="import")
    # ' Embase' would be a second database beside 'Embase' in PRISMA; a blank name means none given.
    source = (source or "").strip() or None
    return run_import(workspace, files, source=source, progress=progress)


@dataclass(frozen=True, slots=True)
class RecordsExport:
    """Every record of the workspace rendered in one format."""

    n_records: int
    text: str


def import_progress(file: Path, phase: str, n_parsed: int) -> str:
    """Where an import of ``file`` is, in words (``import_files``' progress: ``phase`` "parsing" while its records are
    read, then writing them): ``review import``'s progress line and the dashboard's import say the same."""
    return f"{file.name}: {n_parsed:,} records {'read' if phase == 'parsing' else 'read; writing'}…"


def export_records(workspace: Workspace, format_: str, decision: str | None = None) -> RecordsExport:
    """All records as CSV (formula-like cells neutralised) or RIS text; with ``decision`` (a key of
    ``EXPORT_DECISIONS``) only the records to screen whose title/abstract verdict it names."""
    from ..sources import render_records

    records = workspace.store.records()
    if not records:
        raise ReviewError("no records in this workspace yet (use 'review import')")
    if decision is not None:
        from ..dedup.decisions import with_group_identifiers

        keep = records_with_verdict(workspace, decision)
        # (their duplicates left out: a kept record carries their doi and pmid; every record's dump stays as stored)
        records = with_group_identifiers(workspace.store, [r for r in records if r.id in keep])
    return RecordsExport(len(records), render_records(records, format_))


def records_with_verdict(workspace: Workspace, decision: str) -> set[int]:
    """The records to screen (duplicates set aside, records removed before screening and those from
    other methods left out) whose title/abstract verdict is ``decision``: a ``consensus`` decision where
    there is one, else the reviewers' one label; reviewers who differ count as PRISMA counts them (one
    exclude among them: ``conflict``; include beside maybe: ``included``)."""
    from ..prisma.fulltext import title_abstract_verdicts
    from ..screening.agreement import label_log
    from ..screening.removed import workspace_set_aside
    from ..store.decision_log import effective_decisions
    from ..store.screening import record_ids

    if decision not in EXPORT_DECISIONS:
        raise ReviewError(f"decision {decision!r}: expected one of {', '.join(EXPORT_DECISIONS)}")
    store = workspace.store
    aside = workspace_set_aside(workspace).ids()
    # (the labels alone: decoding every row's reasons and model_info was most of its 0.56 s CPU at 40,000 decisions)
    verdicts = title_abstract_verdicts({key: d.label for key, d in effective_decisions(label_log(store)).items()})
    wanted = EXPORT_DECISIONS[decision]
    return {r for r in record_ids(store) if r not in aside and verdicts.get(r, "") == wanted}


@dataclass(frozen=True, slots=True)
class QueryListing:
    """A query file and its last run (``None`` fields: never run)."""

    name: str
    last_run: str | None
    status: str
    hit_count: int | None
    new_records: int | None
    file_name: str


def list_queries(workspace: Workspace) -> list[QueryListing]:
    """The query files in ``queries/`` and the last run of each."""
    from ..sources import search as searching

    last = {run["query_name"]: run for run in searching.search_store.runs(workspace.store)}
    listing = []
    for spec in searching.workspace_queries(workspace):
        run = last.get(spec.name)
        # A starter file review search refuses (an older workspace's example it has searched is no template here).
        if spec.is_template:
            listing.append(QueryListing(
                name=spec.name, last_run=searching.iso_time(run["started_at"]) if run else None, status="template",
                hit_count=run["hit_count"] if run else None, new_records=run["new_records"] if run else None,
                file_name=spec.path.name if spec.path else ""))
            continue
        if not spec.runs_here:  # described only: searched on another platform, on the date it names
            listing.append(QueryListing(name=spec.name, last_run=spec.searched or None, status="elsewhere",
                                        hit_count=None, new_records=None,
                                        file_name=spec.path.name if spec.path else ""))
            continue
        hits, new = searching.run_counts(workspace, run) if run else (None, None)
        listing.append(QueryListing(
            name=spec.name,
            last_run=searching.iso_time(run["started_at"]) if run else None,
            status=run["status"] if run else "never",
            hit_count=hits,
            new_records=new,
            file_name=spec.path.name if spec.path else "",
        ))
    return listing


@dataclass(slots=True)
class SearchRun:
    """Searches checked and ready: ``run()`` yields each query's outcome as it finishes."""

    workspace: Workspace
    specs: list[Any]
    client: Any
    progress: Callable[[SearchProgress], None] | None = None
    #: The templates in ``queries/`` that a run of every query passes over (``template = true``), for a note.
    skipped_templates: tuple[Path, ...] = ()

    @property
    def missing_contact(self) -> bool:
        """Searching NCBI itself without the contact address NCBI asks every E-utilities user for."""
        from ..sources.eutils import NCBI_EUTILS_URL

        config = self.client.config
        return not config.email and config.base_url.rstrip("/") == NCBI_EUTILS_URL.rstrip("/")

    def run(self) -> Iterator[SearchOutcome]:
        from ..sources.search import search_each

        # a query another process is searching: status busy, the others go on
        yield from search_each(self.workspace, self.specs, client=self.client, progress=self.progress)


def start_searches(workspace: Workspace, names: Iterable[str] = (), *, batch_size: int | None = None,
                   progress: Callable[[SearchProgress], None] | None = None) -> SearchRun:
    """Configure the E-utilities client and find the query files (all, or the ones named)."""
    from ..sources import search as searching

    overrides = {"efetch_batch": batch_size} if batch_size else {}
    client = searching.client_for(workspace, **overrides)
    specs, templates = searching.select_queries(workspace, names)
    return SearchRun(workspace, specs, client, progress,
                     skipped_templates=tuple(spec.path for spec in templates if spec.path))


def query_overview(workspace: Workspace) -> list[QueryOverview]:
    """Every query that has a file, a run or a seed check: last run and last seed check."""
    from ..sources.search import query_overview as overview

    return overview(workspace)


def query_files_stamp(workspace: Workspace) -> tuple[tuple[str, Stamp], ...]:
    """A stamp of ``queries/``'s query files (a ``stat`` each, nothing read): it moves when one is saved,
    added or removed, which the store's data version does not see (``query_overview`` reads the files)."""
    from ..sources.search import query_files

    return tuple((path.name, stamp(path)) for path in query_files(workspace.path("queries")))


def pubmed_settings_problem(workspace: Workspace) -> SettingProblem | None:
    """The refusal ``review search`` would make now of review.toml's ``[pubmed]`` (None when it would take it): for a
    shell that says it before a search reads the table (``review status``, the terminal UI after an edit)."""
    from ..sources.eutils import EutilsConfig

    def check() -> None:
        try:
            EutilsConfig.from_settings(workspace.config.section("pubmed"))
        except SettingProblem:
            raise
        except WorkspaceError:  # REVIEW_EUTILS_URL's address: no setting of the file (review search says it)
            pass

    return setting_refusal(check)


def search_status(workspace: Workspace) -> list[str]:
    """``review status`` lines: the last run of each query."""
    from ..sources.search import search_status as status

    return status(workspace)


@dataclass(frozen=True, slots=True)
class SearchReportText:
    """The PRISMA-S search report rendered, with what it covers."""

    n_queries: int
    n_runs: int
    n_files: int
    text: str
    #: What the report had to leave out (a broken query file), one line each, for stderr.
    warnings: tuple[str, ...] = ()


def search_report(workspace: Workspace) -> SearchReportText:
    """Every search run and imported file as PRISMA-S text for a review's appendix (``review export searches``)."""
    from datetime import datetime, timezone

    from ..prisma.counts import duplicate_record_ids, sources_and_kinds
    from ..source_kinds import OTHER_KINDS, configured_kinds, source_order
    from ..timestamps import minute_utc
    from ..sources import search as searching
    from ..sources.prisma_s import (
        Deduplication, ElsewhereSearch, ImportedFile, ReportSource, SearchReport, render_search_report,
    )

    warnings: list[str] = []
    try:  # read once: the logs and the searches run elsewhere come from the same files
        specs = searching.workspace_queries(workspace)
    except ReviewError as err:  # a broken query file must not hide what the store logged, nor go unsaid
        specs = []
        warnings.append(f"{err}; the report leaves out the query files (strategies as written, searches run "
                        "elsewhere): fix the file and export again")
    queries = searching.search_logs(workspace, specs)
    # The sources' PRISMA kinds and the duplicates, as `review prisma` sorts and counts them (not its whole flow).
    by_record, kinds = sources_and_kinds(workspace.store, configured_kinds(workspace.config.section("prisma")))
    per_source = Counter(by_record.values())
    duplicates, dedup_ran = duplicate_record_ids(workspace.store)
    other_duplicates = sum(1 for r in duplicates if r in by_record and kinds[by_record[r]] in OTHER_KINDS)
    database_duplicates = sum(1 for r in duplicates if r in by_record) - other_duplicates
    files: dict[str, list[ImportedFile]] = {}
    searched: dict[str, int] = {}
    # A file is listed under each source its records name, with its share: a MEDLINE-layout export names
    # its database record by record, and a CSV may have a source column.
    per_batch = workspace.store.batch_source_counts()
    for batch in workspace.store.batches():
        name = batch["source_name"]
        if batch["search_run_id"] is not None:
            searched[name] = searched.get(name, 0) + batch["n_records"]
            continue
        for source, n in sorted(per_batch.get(batch["id"], {name: batch["n_records"]}).items()):
            files.setdefault(source, []).append(ImportedFile(
                file_name=searching.shown_path(batch["file_name"]), format=batch["format"],
                encoding=batch["encoding"], n_records=n, imported_at=searching.iso_time(batch["imported_at"]),
                n_in_file=batch["n_records"]))
    elsewhere = [ElsewhereSearch(
        name=spec.name, file_name=spec.path.name if spec.path else "", database=spec.database,
        platform=spec.platform, searched=spec.searched, source=spec.source, query=spec.query,
        limits={k: v for k, v in (("from", spec.mindate), ("to", spec.maxdate)) if v},
        filters=spec.filters, notes=spec.notes) for spec in specs if not spec.runs_here and not spec.is_template]
    described = {search.source or search.database: f"queries/{search.file_name}" for search in elsewhere}
    sources = [ReportSource(name=name, kind=kinds[name], n_records=n, files=tuple(files.get(name, ())),
                            n_searched=searched.get(name, 0), described_in=described.get(name, ""))
               for name, n in sorted(per_source.items(), key=lambda item: source_order(item[0]))]
    if not queries and not sources and not elsewhere:
        raise ReviewError("nothing to report yet: no search run ('review search') and no file imported ('review import')")
    report = SearchReport(
        title=str(workspace.config.section("review").get("title", "") or workspace.root.name),
        generated_at=minute_utc(datetime.now(timezone.utc)),
        interface=searching.search_interface(),
        queries=queries,
        sources=sources,
        elsewhere=elsewhere,
        dedup=Deduplication(ran=dedup_ran, n_database_duplicates=database_duplicates,
                            n_other_duplicates=other_duplicates),
    )
    return SearchReportText(len(queries), report.n_runs, report.n_files, render_search_report(report), tuple(warnings))


def check_seeds(workspace: Workspace, name: str, seed_file: Path) -> SeedCheck:
    """Check query ``name`` against the studies it must find; stores no records, logs the check."""
    from ..sources.seeds import run_seed_check

    return run_seed_check(workspace, name, seed_file)


def require_recall(check: SeedCheck, minimum: float) -> None:
    """Raise (exit status 5) when the check's relative recall is below ``minimum``."""
    from ..sources.seeds import require_recall as require

    require(check, minimum)
