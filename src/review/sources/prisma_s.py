"""The PRISMA-S search report: what ``review search`` and ``review import`` logged, as text.

PRISMA-S (Rethlefsen et al., Syst Rev 2021;10:39) lists 16 items a review reports about its
searches. This renders, for a review's appendix, the ones the workspace holds: per PubMed query
the database and interface, the strategy as written and the exact term sent, limits, filters,
each run's date and counts, updates, seed checks; per imported source its files and records;
sources of other methods; and how duplicates were handled. What the tool cannot know (the date
and strategy of a search run on another platform, peer review unless the notes say so) is
written as "not recorded", so the gap is visible rather than silently missing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..words import counted, whole
from .eutils import NCBI_EUTILS_URL
from .retrieval import slice_name

__all__ = ["ImportedFile", "ReportSource", "Deduplication", "ElsewhereSearch", "SearchReport", "render_search_report"]

#: PRISMA-S item numbers per source kind of PRISMA 2020's flow (review.toml ``[prisma.sources]``).
_KIND_ITEMS = {"database": "1", "register": "3", "website": "4", "organisation": "4, 6", "citation": "5"}
_KIND_WORDS = {"database": "database", "register": "study register", "website": "website",
               "organisation": "organisation", "citation": "citation searching"}


@dataclass(slots=True, frozen=True)
class ImportedFile:
    """One file ``review import`` stored (an import batch)."""

    file_name: str
    format: str
    encoding: str
    n_records: int
    imported_at: str | None
    #: The file's records under every source, when some of them name another (else ``n_records``).
    n_in_file: int | None = None


@dataclass(slots=True, frozen=True)
class ReportSource:
    """A source the records came from, its PRISMA kind, and the files imported for it."""

    name: str
    kind: str
    n_records: int
    files: tuple[ImportedFile, ...] = ()
    #: Records stored by ``review search`` runs (PubMed), not from files.
    n_searched: int = 0
    #: The query file that describes this source's search on another platform ("" if none).
    described_in: str = ""


@dataclass(slots=True, frozen=True)
class ElsewhereSearch:
    """A search run on another platform, described by a query file (``database`` other than pubmed)."""

    name: str
    file_name: str
    database: str
    platform: str
    searched: str
    source: str
    query: str
    limits: dict[str, str]
    filters: dict[str, str]
    notes: str


@dataclass(slots=True, frozen=True)
class Deduplication:
    """Cross-source duplicates as PRISMA counts them (``review dedup``)."""

    ran: bool
    n_database_duplicates: int = 0
    n_other_duplicates: int = 0


@dataclass(slots=True)
class SearchReport:
    """Everything the report shows; ``queries`` are the per-query logs of ``queries/<name>.log.json``."""

    title: str
    generated_at: str
    interface: str
    queries: list[dict[str, Any]] = field(default_factory=list)
    sources: list[ReportSource] = field(default_factory=list)
    elsewhere: list[ElsewhereSearch] = field(default_factory=list)
    dedup: Deduplication = field(default_factory=lambda: Deduplication(ran=False))

    @property
    def n_runs(self) -> int:
        return sum(len(query["runs"]) for query in self.queries)

    @property
    def n_files(self) -> int:
        return sum(len(source.files) for source in self.sources)


def render_search_report(report: SearchReport) -> str:
    """The report as Markdown text (readable as plain text; pastes into an appendix)."""
    lines = [
        f"# Search methods (PRISMA-S): {report.title}",
        "",
        f"Written {report.generated_at} by `review export searches` from the workspace's store.",
        "Each line names the PRISMA-S item it answers (Rethlefsen et al., Syst Rev 2021;10:39).",
        "\"Not recorded\" marks what review cannot know: add it by hand.",
        "",
        "## Databases searched with `review search`",
        "",
    ]
    if not report.queries:
        lines += ["None: no PubMed search was run with `review search`.", ""]
    for query in report.queries:
        lines += _query_section(query, report.interface)
    if report.elsewhere:
        lines += ["## Databases searched on other platforms (described in queries/)", ""]
        by_name = {source.name: source for source in report.sources}
        for search in report.elsewhere:
            lines += _elsewhere_section(search, by_name.get(search.source or search.database))
    lines += _imported_section([s for s in report.sources if s.kind in ("database", "register")],
                               "Databases and registers imported from files", "None imported from files.")
    lines += _imported_section(
        [s for s in report.sources if s.kind not in ("database", "register")],
        "Other methods: websites, organisations, citation searching (items 3-7)",
        "None recorded (a source is counted here when review.toml [prisma.sources] gives it the kind "
        "website, organisation or citation, or its name says so).")
    lines += _identified_section(report.sources)
    lines += _dedup_section(report)
    lines += ["## Not recorded by review", "",
              "- Item 2 (several databases searched at once on one platform), item 11 (search strategies "
              "adapted from earlier work) and item 14 (peer review of the strategy, e.g. PRESS): only "
              "what a query file's notes say, shown above.",
              "- Items 1, 8, 9 and 13 for a database imported from files whose search no query file "
              "describes (database = \"…\", platform, searched in queries/): the platform, the strategy as "
              "run there, its limits and the date it was run.", ""]
    return "\n".join(lines)


def _query_section(query: dict[str, Any], interface: str) -> list[str]:
    name = query["query_name"]
    runs = query["runs"]
    lines = [f"### {query['database']}: query `{name}`", ""]
    lines.append(f"- Database and platform (item 1): {query['database']} via {query['platform']}; "
                 f"searched with {interface}.")
    if query["query_file"]:
        lines.append(f"- Query file: queries/{query['query_file']}")
    else:
        lines.append("- Query file: none any more (the runs below keep the strategy and term they used).")
    limits = query["limits"] if query["limits"] is not None else (runs[-1]["eutils"]["esearch"] if runs else {})
    lines.append(f"- Limits and restrictions (item 9): {_limits(limits)}")
    filters = query["filters"]
    if filters is None and runs:
        filters = (runs[-1].get("strategy_as_written") or {}).get("filters")
    lines.append(f"- Search filters (item 10): {_filters(filters)}")
    if query["notes"]:
        lines.append("- Notes of the query file (items 11, 14: prior work, peer review):")
        lines += ["", *_indented(query["notes"]), ""]
    else:
        lines.append("- Notes (items 11, 14: prior work, peer review): none in the query file.")
    if query["query"]:
        lines += ["- Strategy as written (item 8; `# ` lines name blocks and are not sent):", "",
                  *_indented(query["query"]), ""]
    lines += ["Runs (items 8, 12, 13, 15):", ""]
    if not runs:
        lines += ["- none yet (only seed checks).", ""]
    previous: dict[str, Any] | None = None
    for number, run in enumerate(runs, start=1):
        lines += _run_lines(number, run, previous, query)
        if run["status"] == "complete":
            previous = run
    for check in query["seed_checks"]:
        lines.append(f"- Seed check {_when(check['date'])} (items 8, 14: the strategy tested against known "
                     f"studies): {check['found']} of {check['seeds']} known studies "
                     f"retrieved (relative recall {check['recall']:.3f}) from {check['seed_file']} "
                     f"(SHA-256 {check['seed_file_sha256'][:12]}…)"
                     + (f"; missed PMIDs {', '.join(check['missed_pmids'])}" if check["missed_pmids"] else "")
                     + (f"; missed DOIs {', '.join(check['missed_dois'])}" if check["missed_dois"] else "")
                     + _elsewhere(check.get("server")))
    if query["seed_checks"]:
        lines.append("")
    return lines


def _elsewhere_section(search: ElsewhereSearch, source: ReportSource | None) -> list[str]:
    lines = [f"### {search.database}: search `{search.name}` (queries/{search.file_name})", ""]
    lines.append(f"- Database and platform (item 1): {search.database}"
                 + (f" via {search.platform}" if search.platform else "; platform not recorded (add platform = …)"))
    lines.append(f"- Date searched (item 13): {search.searched or 'not recorded (add searched = YYYY-MM-DD)'}")
    lines.append(f"- Limits and restrictions (item 9): {_elsewhere_limits(search.limits)}")
    lines.append(f"- Search filters (item 10): {_filters(search.filters)}")
    if search.notes:
        lines += ["- Notes of the query file (items 11, 14: prior work, peer review):", "",
                  *_indented(search.notes), ""]
    lines += ["- Strategy as run there (item 8):", "", *_indented(search.query), ""]
    name = search.source or search.database
    if source is None:
        lines.append(f"- Records (item 15): none imported yet under the source name '{name}' "
                     "(review import FILE --source NAME, or the file's own database name).")
    else:
        lines.append(f"- Records (item 15): {counted(source.n_records, 'record')} imported under the source name "
                     f"'{name}' ({counted(len(source.files), 'file')}, below).")
    return lines + [""]


def _elsewhere(server: str | None) -> str:
    """A seed check's words on a server that is not NCBI's (walk24: a stand-in's check read as PubMed's)."""
    if not server or server.rstrip("/") == NCBI_EUTILS_URL.rstrip("/"):
        return ""
    return f"; checked on {server}, not NCBI's E-utilities (a stand-in or a proxy): not PubMed's answer"


def _run_lines(number: int, run: dict[str, Any], previous: dict[str, Any] | None,
               query: dict[str, Any]) -> list[str]:
    status = run["status"]
    if previous is None:
        kind = "first search"
    elif previous["term_sent"] == run["term_sent"] and previous["eutils"]["esearch"] == run["eutils"]["esearch"]:
        kind = (f"update of run {previous['run_id']}: the same strategy run again; only PMIDs no earlier "
                "search stored were added")
    else:
        kind = f"re-run with a changed strategy (the last complete run before it was run {previous['run_id']})"
    finished = f", finished {_when(run['finished_at'])}" if run.get("finished_at") else ""
    resumed = f", resumed {run['resumed']}×" if run.get("resumed") else ""
    if run.get("resumed_at"):  # (runs resumed before 2026-12-06 logged no time)
        resumed += f" ({', '.join(_when(moment) for moment in run['resumed_at'])})"
    lines = [f"{number}. Searched {_when(run['date_run'])} ({kind}; {status}{finished}{resumed}; run id {run['run_id']})"]
    sub = []
    written = run.get("strategy_as_written")
    if written and query["query"] is not None and written.get("query") != query["query"]:
        sub += ["Strategy as written for this run (item 8):", "", *_indented(written.get("query") or "", 4), ""]
    sub.append(f"Term sent to ESearch (item 8): `{run['term_sent']}`")
    server = str(((run["eutils"].get("client") or {}).get("base_url")) or NCBI_EUTILS_URL)
    if server.rstrip("/") != NCBI_EUTILS_URL.rstrip("/"):
        # REVIEW_EUTILS_URL or base_url pointed elsewhere: a report must not pass a stand-in off as PubMed.
        sub.append(f"Server: {server}, not NCBI's E-utilities (a stand-in or a proxy): these counts are "
                   "that server's, not PubMed's unless it forwards to PubMed")
    esearch = {k: v for k, v in run["eutils"]["esearch"].items() if k not in ("db", "usehistory")}
    if esearch:
        sub.append(f"Other ESearch parameters (item 9): {_limits(esearch)}")
    translation = run.get("query_translation")
    if translation and translation != run["term_sent"]:
        sub.append(f"PubMed's translation of the term (automatic term mapping): `{translation}`")
    elif translation:
        sub.append("PubMed's translation of the term: the term as sent")
    if run.get("database_build"):
        build = run["database_build"]
        sub.append(f"PubMed build {build.get('DbBuild', '')}, last updated {build.get('LastUpdate', '')}")
    if status == "complete":
        sub.append(_counts(run))
    elif status == "abandoned":
        why = ("the next run went to another E-utilities server, so it started afresh rather than resume this one"
               if run.get("abandoned_because") == "server"
               else "the query changed before this run finished, so the next run started afresh")
        sub.append(f"Abandoned: {why}; {_stored_so_far(run)} stored by it before it stopped (item 15).")
    else:
        error = f": {run['error']}" if run.get("error") else ""
        sub.append(f"Not complete ({status}{error}); {_stored_so_far(run)} stored so far. "
                   f"`review search {query['query_name']}` resumes it.")
    slices = run.get("slices") or []
    if len(slices) > 1:
        sub.append(f"PubMed pages at most 9,999 records: the query was split into {len(slices)} Entrez-date "
                   f"slices ({slices[0]['label']} … {slices[-1]['label']}); {_reconciled(run)}")
    for warning in run.get("warnings") or []:
        sub.append(f"PubMed warning: {warning}")
    return lines + [f"   - {line}" if line and not line.startswith(" ") else line for line in sub] + [""]


def _stored_so_far(run: dict[str, Any]) -> str:
    """What an unfinished run stored (its progress rows; ``records_stored_new`` is set when a run completes)."""
    return counted(run.get("records_stored_so_far") or 0, "record")


def _counts(run: dict[str, Any]) -> str:
    missing = len(run.get("missing_pmids") or [])
    deleted = len(run.get("deleted_pmids") or [])
    text = (f"Records (item 15): {_n(run['records_found'])} found (ESearch count), {_n(run['records_retrieved'])} "
            f"retrieved (unique PMIDs), {_n(run['records_stored_new'])} stored as new, "
            f"{_n(run.get('already_stored_from_earlier_runs'))} already stored by an earlier search")
    if missing:
        text += f", {missing} could not be fetched ({', '.join(run['missing_pmids'][:10])})"
    if deleted:
        text += f", {deleted} deleted by PubMed"
    changes = [f"{slice_name(c['slice'])} {_n(c['before'])} → {_n(c['after'])}"
               for c in run.get("count_changes") or []]
    if changes:
        text += f"; PubMed's count changed during the run ({'; '.join(changes)}), and the found count is the later one"
    if removed := len(run.get("removed_pmids") or []):
        text += (f"; {_n(removed)} retrieved and stored before PubMed removed them from the result set "
                 "(retrieved, not found)")
    if not (run.get("count_check") or {}).get("ok", True):
        text += "; the found and retrieved counts differ (records added or removed in PubMed during the run)"
    return text


def _reconciled(run: dict[str, Any]) -> str:
    check = run.get("count_check") or {}
    in_slices = (check.get("unique_pmids") or 0) - (check.get("removed_during_run") or 0)
    if check.get("ok"):
        return f"together they hold the ESearch count ({_n(check.get('esearch_count'))}) exactly."
    return f"together they hold {_n(in_slices)} PMIDs against an ESearch count of {_n(check.get('esearch_count'))}."


def _imported_section(sources: Sequence[ReportSource], heading: str, empty: str) -> list[str]:
    lines = [f"## {heading}", ""]
    shown = [s for s in sources if s.files or s.n_searched == 0]
    if not shown:
        return lines + [empty, ""]
    for source in shown:
        item = _KIND_ITEMS.get(source.kind, "7")
        searched = f" (and {_n(source.n_searched)} from `review search`, above)" if source.n_searched else ""
        lines.append(f"- {source.name} ({_KIND_WORDS.get(source.kind, source.kind)}, item {item}): "
                     f"{counted(source.n_records - source.n_searched, 'record')} from files (item 15){searched}")
        for imported in source.files:
            share = (f"{_n(imported.n_records)} of its {counted(imported.n_in_file, 'record')}"
                     if imported.n_in_file not in (None, imported.n_records) else counted(imported.n_records, 'record'))
            lines.append(f"   - {imported.file_name}: {share}, {imported.format} "
                         f"({imported.encoding}), imported {_when(imported.imported_at)}")
        if not source.files:
            lines.append("   - from the records of imported files that name this source (a DB line or a column)")
        if source.described_in:
            lines.append(f"   - The search itself (platform, date, strategy): {source.described_in}, above.")
        elif source.kind in ("database", "register"):
            lines.append("   - Not recorded: the platform, the date the search was run there, the strategy as run "
                         "and its limits (items 1, 8, 9, 13); copy them from the platform's search history.")
        else:
            lines.append("   - Not recorded: what was searched or asked (which reference lists, websites or "
                         "contacts) and when (items 4-7, 13).")
    return lines + [""]


def _identified_section(sources: list[ReportSource]) -> list[str]:
    """Item 15 added up per column of the flow diagram: the totals ``review prisma`` draws, from the same counts."""
    lines = ["## Records identified, all sources (item 15)", ""]
    columns = (([s for s in sources if s.kind in ("database", "register")], "Databases and registers",
                "as the flow diagram's \"Records identified from databases and registers\" (`review prisma`)"),
               ([s for s in sources if s.kind not in ("database", "register")], "Other methods",
                "as its \"Records identified from\" other methods"))
    for column, name, box in columns:
        if not column and name == "Other methods":
            continue
        each = ", ".join(f"{s.name} {whole(s.n_records)}" for s in column)
        total = sum(s.n_records for s in column)
        lines.append(f"- {name}: {counted(total, 'record')}{f' ({each})' if each else ''}, {box}, before "
                     "duplicates are removed.")
    return lines + [""]


def _dedup_section(report: SearchReport) -> list[str]:
    lines = ["## Deduplication (item 16)", ""]
    if report.queries:
        again = sum(run.get("already_stored_from_earlier_runs") or 0 for q in report.queries for run in q["runs"])
        across = sum(run.get("duplicates_across_slices") or 0 for q in report.queries for run in q["runs"])
        lines.append(f"- Within PubMed searches: a PMID stored by one search is never stored again; "
                     f"{counted(again, 'PMID')} found again by later runs or other queries "
                     f"{'was' if again == 1 else 'were'} not stored a second time"
                     + (f", and {counted(across, 'PMID')} found in two date slices of one run stored once"
                        if across else "")
                     + ".")
    if report.dedup.ran:
        lines.append(f"- Across sources: `review dedup` (docs/dedup.md: automatic merges only for certain matches, "
                     f"borderline pairs decided by a reviewer) removed "
                     f"{counted(report.dedup.n_database_duplicates, 'duplicate record')} from databases and registers"
                     + (f" and {report.dedup.n_other_duplicates} from other methods" if report.dedup.n_other_duplicates
                        else "") + " (PRISMA 2020's \"duplicate records removed\").")
    else:
        lines.append("- Across sources: not done yet (`review dedup` has not run).")
    return lines + [""]


def _n(value: int | None) -> str:
    """A count with thousands separated (None, never set, as 0)."""
    return f"{value or 0:,}"


#: PubMed's date fields (a query file's ``datetype``) as a methods section names them.
DATE_FIELD_WORDS = {"pdat": "publication date", "edat": "Entrez date", "mdat": "modification date",
                    "crdt": "create date"}


def _limits(params: dict[str, Any] | None) -> str:
    if not params:
        return "none"
    if {"mindate", "maxdate"} <= set(params):
        rest = {k: v for k, v in params.items() if k not in ("mindate", "maxdate", "datetype")}
        # (a query file with one bound is sent with PubMed's open ends, 1000 and 3000)
        low, high = params["mindate"], params["maxdate"]
        span = f"up to {high}" if low == "1000" else f"from {low}" if high == "3000" else f"from {low} to {high}"
        field = params.get("datetype", "pdat")
        # PubMed's field in words, its tag beside it to reproduce the search: "pdat from 1970" was jargon in an
        # appendix for readers (walk20).
        text = f"{DATE_FIELD_WORDS[field]} [{field}] {span}" if field in DATE_FIELD_WORDS else f"{field} {span}"
        return text + "".join(f"; {k} = {v}" for k, v in rest.items())
    return "; ".join(f"{k} = {v}" for k, v in params.items())


def _elsewhere_limits(limits: dict[str, Any] | None) -> str:
    """A query file's date range of a search run elsewhere (``from``/``to``), in words: which date field the platform
    searched is not written there, so "dates" ("from = 1970" read as a key and its value)."""
    if not limits:
        return "none written"
    low, high = limits.get("from"), limits.get("to")
    span = f"from {low} to {high}" if low and high else f"from {low}" if low else f"up to {high}"
    rest = "".join(f"; {k} = {v}" for k, v in limits.items() if k not in ("from", "to"))
    return f"dates {span}{rest}" if low or high else rest.lstrip("; ")


def _filters(filters: dict[str, str] | None) -> str:
    if not filters:
        return "none"
    return "; ".join(f"{name}: `{' '.join(clause.split())}`" for name, clause in filters.items())


def _indented(text: str, extra: int = 0) -> list[str]:
    """A verbatim block (Markdown code) so the strategy keeps its line breaks and comments."""
    return [" " * (4 + extra) + line if line.strip() else "" for line in textwrap.dedent(text).strip("\n").splitlines()]


def _when(value: str | None) -> str:
    """A logged time, ``2026-12-05T12:20:59.288449+00:00`` (UTC), as ``2026-12-05 12:20 UTC``."""
    if not value:
        return "at an unknown time"
    day, _, clock = value.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else day
