"""``review search``: run the workspace's PubMed query files, store the hits, log each run.

A query lives in ``queries/<name>.toml``.  Each run is logged in the store (``search_runs``,
``search_batches``) and exported to ``queries/<name>.log.json`` with the PRISMA-S items:
database and platform, date run, the exact term sent and every parameter, limits and
filters, NCBI's query translation, hits, records retrieved and stored, requests and retries.
A run that was killed is resumed by the next ``review search``; a later run stores only PMIDs
no search stored before.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..atomic import write_text_atomic
from ..errors import RetrievalError, ReviewError
from ..paths import check_name, named_from, shared_file_name
from ..records import Record
from ..store import searches as search_store
from ..store import sessions
from ..timestamps import iso_utc, minute_utc
from ..tomlread import TomlProblem, loads_toml, problems_located, read_toml_text, toml_key, toml_lines
from ..words import counted, whole
from ..workspace import Workspace
from .prisma_s import DATE_FIELD_WORDS
from .eutils import NCBI_EUTILS_URL, EutilsClient, EutilsConfig, public_client, redact_secret
from .query_blocks import strip_comments
from .retrieval import Retrieval, SearchProgress, Slice, retrieve, slice_name

__all__ = ["QuerySpec", "SearchOutcome", "QueryOverview", "load_query", "load_queries", "workspace_queries", "run_search",
           "run_counts", "run_searches", "search_each", "select_queries", "write_search_log", "search_log", "search_logs", "search_interface", "query_overview",
           "shown_path", "SearchBusy", "busy_outcome", "SOURCE_NAME"]

SOURCE_NAME = "PubMed"
DATABASE_NAME = "MEDLINE/PubMed"
PLATFORM = "NCBI E-utilities (ESearch with history server, EFetch PubMed XML)"
_DATE = re.compile(r"^\d{4}(/\d{2}(/\d{2})?)?$")


def _not_a_day(value: str) -> str:
    """What makes a ``YYYY[/MM[/DD]]`` value no calendar date ("month 13", "day 31 of 2025/06"); "" when it is one."""
    parts = [int(p) for p in value.split("/")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return f"month {parts[1]}"
    if len(parts) > 2:
        try:
            date(*parts)
        except ValueError:
            return f"day {parts[2]} of {parts[0]}/{parts[1]:02d}"
    return ""


def _day_span(value: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The first and last day a ``YYYY[/MM[/DD]]`` value covers, as (year, month, day)."""
    parts = [int(p) for p in value.split("/")]
    first = (parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    last = (parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 31)
    return first, last
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_KNOWN_KEYS = {"name", "database", "query", "mindate", "maxdate", "datetype", "filters", "notes",
               "platform", "searched", "source", "template"}
#: Keys of a search run on another platform and only described here (``review search`` never sends it).
_ELSEWHERE_KEYS = ("platform", "searched", "source")
_DAY = re.compile(r"^\d{4}[-/]\d{2}[-/]\d{2}$")
#: The query and notes of the example ``review init`` wrote from 2026-11-26 to 2026-12-06, unmarked: another
#: review's strategy (decision 0046). Found unedited in an older workspace, it is refused as a template.
_UNMARKED_EXAMPLE = ('("Sick Leave"[Mesh] OR "sickness absence"[tiab]) AND ("Mental Disorders"[Mesh:NoExp] '
                     'OR depress*[tiab] OR anxiety[tiab])', "Replace with your own strategy.")


@dataclass(slots=True)
class QuerySpec:
    """One query file: the search as an information specialist wrote it."""

    name: str
    query: str
    database: str = "pubmed"
    mindate: str = ""
    maxdate: str = ""
    datetype: str = "pdat"
    #: Named restrictions ANDed onto the query, logged by name (PRISMA-S items 9 and 10).
    filters: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    path: Path | None = None
    #: For a database searched on another platform (``database`` is not ``pubmed``): where, when
    #: (``searched``, the date it was run there) and under which source name its export was imported.
    platform: str = ""
    searched: str = ""
    source: str = ""
    #: Why ``review search`` refuses this file as a starter file that shows the syntax (``template = true``,
    #: or an older workspace's unedited example never searched), one line; empty for a strategy of the review's own.
    template_refusal: str = ""
    #: The file is ``review init``'s unmarked example of before 2026-12-06, unedited, with no ``template`` key:
    #: a template only in a workspace that has not searched it yet (``with_old_examples_judged``).
    old_example: bool = False

    @property
    def is_template(self) -> bool:
        """True for a starter file: never searched, seed-checked or reported as a search."""
        return bool(self.template_refusal)

    @property
    def runs_here(self) -> bool:
        """True for a PubMed query ``review search`` sends; False for a search described only."""
        return self.database == "pubmed"

    @property
    def term(self) -> str:
        """The exact ESearch term: the query, then each filter in file order.

        A filter is ANDed on, unless it starts with ``NOT`` (e.g. the Cochrane
        ``NOT (animals[mh] NOT humans[mh])``), which is appended as a NOT clause.  Comment
        lines in the query (``# ...``) name its blocks and are not sent.
        """
        query = " ".join(strip_comments(self.query).split())
        if not self.filters:
            return query
        term = f"({query})"
        for clause in self.filters.values():
            clause = " ".join(clause.split())
            if clause.upper().startswith("NOT "):
                term += f" NOT {_grouped(clause[4:].strip())}"
            else:
                term += f" AND {_grouped(clause)}"
        return term

    @property
    def esearch_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.mindate or self.maxdate:
            params["datetype"] = self.datetype
            params["mindate"] = self.mindate or "1000"
            params["maxdate"] = self.maxdate or "3000"
        return params


def _grouped(clause: str) -> str:
    """``clause`` in parentheses, unless one pair already encloses all of it."""
    if clause.startswith("(") and clause.endswith(")"):
        depth = 0
        for index, char in enumerate(clause):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and index < len(clause) - 1:
                break
        else:
            return clause
    return f"({clause})"


@dataclass(slots=True)
class SearchOutcome:
    """The summary a front end shows for one run."""

    name: str
    run_id: int
    status: str
    hit_count: int
    retrieved: int
    new_records: int
    requests: int
    resumed: bool = False
    log_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    #: Why the query was not searched (status ``busy``: another process holds it), one line.
    refused: str | None = None


def busy_outcome(name: str, err: ReviewError) -> SearchOutcome:
    """A query another process is searching: reported, and the other queries go on."""
    return SearchOutcome(name, 0, "busy", 0, 0, 0, 0, refused=str(err))


def load_query(path: Path) -> QuerySpec:
    """Read and check one ``queries/<name>.toml``; errors name the file, the field and its line."""
    text = read_toml_text(path)
    data = loads_toml(text, path)
    with problems_located(path, toml_lines(text)):
        return _query_spec(path, data)


def _query_spec(path: Path, data: dict[str, Any]) -> QuerySpec:
    """The checked query of a query file's data; a bad field is a :class:`TomlProblem` naming it."""
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise TomlProblem(toml_key(sorted(unknown)[0]), f"unknown field (known: {', '.join(sorted(_KNOWN_KEYS))})")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not _NAME.match(name):
        raise TomlProblem("name", "letters, digits, '.', '_' or '-' only")
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise TomlProblem("query", "a non-empty search string is required")
    database = data.get("database", "pubmed")
    if not isinstance(database, str) or not database.strip():
        raise TomlProblem("database", "'pubmed', or the name of a database searched elsewhere")
    database = "pubmed" if database.strip().lower() == "pubmed" else database.strip()
    sent = strip_comments(query)
    if not sent.strip():
        raise TomlProblem("query", "a non-empty search string is required (not only comments)")
    if database == "pubmed" and sent.count("(") != sent.count(")"):
        raise TomlProblem("query", "unbalanced parentheses")
    if database == "pubmed" and sent.count('"') % 2:
        raise TomlProblem("query", "unbalanced double quotes")
    spec = QuerySpec(name=name, query=query.strip(), database=database, path=path)
    for key in _ELSEWHERE_KEYS:
        value = data.get(key, "")
        if value and database == "pubmed":
            raise TomlProblem(key, "only for a database searched on another platform (database = \"Embase\", …); "
                                   "review search runs the PubMed queries itself")
        if not isinstance(value, str) or (key == "searched" and value and not _DAY.match(value)):
            raise TomlProblem(key, "the date the search was run there, YYYY-MM-DD" if key == "searched" else "text expected")
        setattr(spec, key, value.strip())
    for key in ("mindate", "maxdate"):
        value = data.get(key, "")
        if not isinstance(value, str) or (value and not _DATE.match(value)):
            raise TomlProblem(key, "expected YYYY, YYYY/MM or YYYY/MM/DD")
        if value and (wrong := _not_a_day(value)):
            # "2000/13" passed the shape and was sent: walk20's stand-in dropped the connection six times (6
            # attempts, an interrupted run logged for PRISMA-S); PubMed answers what it makes of it.
            raise TomlProblem(key, f"{value} is no date ({wrong})")
        setattr(spec, key, value)
    if spec.mindate and spec.maxdate and _day_span(spec.maxdate)[1] < _day_span(spec.mindate)[0]:
        raise TomlProblem("maxdate", f"{spec.maxdate} is before mindate {spec.mindate}; the range would find nothing")
    datetype = data.get("datetype", "pdat")
    if datetype not in DATE_FIELD_WORDS:  # (E-utilities' date types, the ones the PRISMA-S report names in words)
        raise TomlProblem("datetype", f"one of {', '.join(DATE_FIELD_WORDS)}")
    spec.datetype = datetype
    filters = data.get("filters", {})
    if not isinstance(filters, dict) or not all(isinstance(v, str) and v.strip() for v in filters.values()):
        raise TomlProblem("filters", "a table of name = \"PubMed clause\" (or, for another database, the filter as run "
                                     "there)")
    spec.filters = dict(filters)
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise TomlProblem("notes", "text expected")
    spec.notes = notes
    template = data.get("template", False)
    if not isinstance(template, bool):
        raise TomlProblem("template", "true or false (true marks a starter file review search refuses; delete the line "
                                      "once the file holds your strategy)")
    if template:
        spec.template_refusal = ("a template (template = true), not a search of this review: write your strategy "
                                 "in it and delete that line, or write your own queries/NAME.toml")
    # (an explicit `template = false` says the file is the review's own, whatever it holds)
    spec.old_example = "template" not in data and (" ".join(sent.split()), notes) == _UNMARKED_EXAMPLE
    return spec


_OLD_EXAMPLE_REFUSAL = ("review init's example of before 2026-12-06 (another review's strategy, there to show the "
                        "syntax), not a search of this review: write your own strategy in it, or your own "
                        "queries/NAME.toml")


def with_old_examples_judged(workspace: Workspace, specs: list[QuerySpec]) -> list[QuerySpec]:
    """``specs``, an older workspace's unedited example refused as a template unless this workspace has
    a run or a seed check under its name: then it is the search the review ran (its status stays, and
    an update or an interrupted run's resume goes on)."""
    for spec in specs:
        if spec.old_example and not spec.is_template and not (
                search_store.runs(workspace.store, spec.name) or search_store.seed_checks(workspace.store, spec.name)):
            spec.template_refusal = _OLD_EXAMPLE_REFUSAL
    return specs


def workspace_queries(workspace: Workspace) -> list[QuerySpec]:
    """The workspace's query files (``load_queries``), each judged a template or not as ``review search`` judges it."""
    return with_old_examples_judged(workspace, load_queries(workspace.path("queries")))


#: The query files of a workspace's ``queries/`` folder: one strategy each.
QUERY_FILES = "*.toml"


def query_files(folder: Path) -> list[Path]:
    """The folder's query files, sorted by name (what ``load_queries`` reads)."""
    return sorted(folder.glob(QUERY_FILES))


def load_queries(folder: Path) -> list[QuerySpec]:
    """Every ``*.toml`` in the folder, sorted by name; names must be unique."""
    files = query_files(folder)
    specs = [load_query(p) for p in files]
    seen: dict[str, Path | None] = {}
    for path, spec in zip(files, specs):
        if spec.name in seen:
            with problems_located(path, toml_lines(read_toml_text(path))):  # (read again for the line)
                raise TomlProblem("name", f"{spec.name!r} is also used by {seen[spec.name]}")
        seen[spec.name] = spec.path
    return specs


def find_query(workspace: Workspace, name: str) -> QuerySpec:
    check_name(name, "query name")
    folder = workspace.path("queries")
    direct = folder / f"{name}.toml"
    found = with_old_examples_judged(workspace, [load_query(direct)])[0] if direct.is_file() else next(
        (spec for spec in workspace_queries(workspace) if spec.name == name), None)
    if found is None:
        known = ", ".join(s.name for s in workspace_queries(workspace) if s.runs_here and not s.is_template)
        raise ReviewError(f"{folder}: no query named {name!r} (queries: {known or 'none'})")
    if found.is_template:
        raise ReviewError(f"{found.path}: {found.template_refusal}")
    if not found.runs_here:
        raise ReviewError(f"{found.path}: {found.database} was searched on another platform; review search sends "
                          "PubMed queries only (import that search's export with 'review import')")
    return found


def client_for(workspace: Workspace, **overrides: Any) -> EutilsClient:
    """A client configured from ``review.toml [pubmed]`` and the environment, then ``overrides``."""
    return EutilsClient(EutilsConfig.from_settings(workspace.config.section("pubmed"), **overrides))


def run_searches(workspace: Workspace, names: list[str] | None = None, *, client: EutilsClient | None = None,
                 progress: Callable[[SearchProgress], None] | None = None) -> list[SearchOutcome]:
    """Run the named queries (all when ``names`` is empty), one after another; one another process
    is searching is reported with status ``busy`` and the rest go on."""
    specs, _ = select_queries(workspace, names)
    return list(search_each(workspace, specs, client=client, progress=progress))


def select_queries(workspace: Workspace, names: Iterable[str] | None = None) -> tuple[list[QuerySpec], list[QuerySpec]]:
    """The named query files, or every PubMed query that runs here, and the templates a run of every
    query passes over (none when names are given); no query to run is one line."""
    names = list(names or ())
    if names:
        return [find_query(workspace, n) for n in names], []
    specs = workspace_queries(workspace)  # read once: the queries to run and the templates passed over
    to_run = [spec for spec in specs if spec.runs_here and not spec.is_template]
    templates = [spec for spec in specs if spec.is_template]
    if not to_run:
        if templates:  # a new workspace's example alone: say what to do with it, not "no query files"
            others = f" (also templates: {', '.join(t.path.name for t in templates[1:] if t.path)})" if templates[1:] else ""
            raise ReviewError(f"{templates[0].path}: {templates[0].template_refusal}{others}")
        raise ReviewError(f"{workspace.path('queries')}: no PubMed query files (*.toml) to run")
    return to_run, templates


def search_each(workspace: Workspace, specs: Iterable[QuerySpec], *, client: EutilsClient | None = None,
                progress: Callable[[SearchProgress], None] | None = None) -> Iterator[SearchOutcome]:
    """Each query's outcome as it finishes; a query another process is searching is ``busy`` and
    does not stop the others."""
    for spec in specs:
        try:
            yield run_search(workspace, spec, client=client, progress=progress)
        except SearchBusy as err:
            yield busy_outcome(spec.name, err)


class SearchBusy(ReviewError):
    """Another live process is running the same query: a second run would fetch everything again."""

    title = "Search"
    exit_code = 6


@contextmanager
def _claimed(workspace: Workspace, name: str) -> Iterator[threading.Event]:
    """Hold query ``name`` for this process while it runs, with the claim screening sessions use
    (``store.sessions``: host, PID, heartbeat; a killed holder's claim is taken over)."""
    store = workspace.store
    try:
        claim = sessions.claim_search(store, name)
    except sessions.SessionBusy as err:
        holder = f"; {err.holder.describe()}" if err.holder is not None else ""
        running = search_store.unfinished_run(store, name)
        run = f"run {running['id']} started {iso_time(running['started_at'])}" if running is not None else "a run"
        raise SearchBusy(f"query {name!r} is already being searched by another process ({run}{holder}); "
                         "not started: wait for it to end, or stop it (the next review search resumes its run)") from None
    stop = threading.Event()
    taken_over = threading.Event()

    def beat() -> None:  # a search can sit in one request (timeout, backoff) far past STALE_AFTER
        while not stop.wait(sessions.HEARTBEAT_EVERY):
            try:
                alive = sessions.heartbeat(store, claim)
            except Exception:  # a busy or dropped store: the next beat tries again (no traceback from a thread)
                continue
            if not alive:  # taken over as stale: the other process runs this query now
                taken_over.set()
                return

    beating = threading.Thread(target=beat, name=f"search-heartbeat-{name}", daemon=True)
    beating.start()
    try:
        yield taken_over
    finally:
        stop.set()
        beating.join()
        try:
            sessions.release_session(store, claim)
        except ReviewError:  # a busy store must not hide how the search ended: the row goes stale
            pass


class SearchTakenOver(SearchBusy):
    """This search's hold was taken over (its heartbeat went unheard): another process runs the query now."""


def run_search(workspace: Workspace, spec: QuerySpec, *, client: EutilsClient | None = None,
               progress: Callable[[SearchProgress], None] | None = None) -> SearchOutcome:
    """Run (or resume) one query; every batch is stored atomically with its progress row.

    ``SearchBusy`` (one line naming the other run) while another live process runs the same query.
    """
    with _claimed(workspace, spec.name) as taken_over:
        return _run_search(workspace, spec, client=client, progress=progress, taken_over=taken_over)


def _run_search(workspace: Workspace, spec: QuerySpec, *, client: EutilsClient | None,
                progress: Callable[[SearchProgress], None] | None,
                taken_over: threading.Event | None = None) -> SearchOutcome:
    store = workspace.store
    client = client or client_for(workspace)
    before = client.stats.as_dict()
    term, params = spec.term, spec.esearch_params
    unfinished = search_store.unfinished_run(store, spec.name)
    same_query = unfinished is not None and unfinished["term"] == term and unfinished["params"].get("esearch") == params
    # A run resumes only on the server it started on: its log names one server for all its records (PRISMA-S).
    resumed = unfinished is not None and same_query and _run_server(unfinished) == client.config.base_url
    if unfinished is not None and resumed:
        run_id = int(unfinished["id"])
        details = dict(unfinished["details"] or {})
        details["resumed"] = int(details.get("resumed", 0)) + 1
        # (PRISMA-S item 13: the records a resumed run fetches come from PubMed as it was when resumed)
        details["resumed_at"] = [*details.get("resumed_at", []), iso_utc(datetime.now(timezone.utc))]
    else:
        if unfinished is not None:  # the query or the server changed since: that run stays as it ended
            search_store.finish_run(store, int(unfinished["id"]), status="abandoned", details={
                **(unfinished["details"] or {}), "abandoned_because": "server" if same_query else "query"})
        run_id = search_store.start_run(store, query_name=spec.name, database=DATABASE_NAME, term=term,
                                        params={"esearch": params, "client": client.config.public(),
                                                # as written when run: the file may change before the next run
                                                "strategy": {"query": spec.query, "filters": spec.filters}})
        details = {}
    stored = search_store.stored_search_pmids(store, SOURCE_NAME)
    previous_requests = int(unfinished["requests"] or 0) if unfinished is not None and resumed else 0

    def requests_so_far() -> int:
        return previous_requests + client.stats.total - before["total_requests"]

    def store_batch(new: list[Record], piece: Slice, retstart: int, n_requested: int, n_received: int) -> None:
        if taken_over is not None and taken_over.is_set():
            raise SearchTakenOver(f"query {spec.name!r}: another process took this search over (its heartbeat "
                                  f"went unheard); stopped before storing PMIDs from {retstart + 1} on — the other "
                                  "run goes on")
        search_store.store_fetched_batch(
            store, run_id, new, query_name=spec.name, slice_label=piece.label, retstart=retstart,
            n_requested=n_requested, n_received=n_received, source_name=SOURCE_NAME,
            run_requests=requests_so_far(),
        )
        stored.update(r.pmid for r in new)

    #: The last fetch event's (stored, of the result set's PMIDs), earlier runs' included (for the error line).
    fetched: list[tuple[int, int]] = []

    def noted(event: SearchProgress) -> None:
        if event.phase == "fetch" and event.total:
            fetched[:] = [(event.done, event.total)]
        if progress is not None:
            progress(event)

    try:
        if client.config.log_database_build:
            details["database_build"] = client.einfo()
        outcome = retrieve(client, term, is_stored=stored.__contains__, store_batch=store_batch,
                           query_name=spec.name, esearch_params=params, progress=noted)
    except SearchTakenOver:  # the run is the other process's now: its row is not this one's to mark
        raise
    except BaseException as err:
        details.update(_stats_delta(before, client.stats.as_dict(), details.get("stats")))
        details["error"] = redact_secret(f"{type(err).__name__}: {err}", client.config.api_key)
        search_store.update_run(store, run_id, status="interrupted", details=details, requests=requests_so_far())
        write_search_log(workspace, spec)
        if isinstance(err, RetrievalError):  # the batches before the failure stay: say how many
            kept = search_store.records_stored_by_run(store, run_id)
            raise type(err)(f"{err}; {_stored_before_failure(spec.name, run_id, kept, fetched)}") from None
        raise
    own = set(search_store.run_pmids(store, run_id))
    new_records = len(own)
    requests = requests_so_far()
    details.update(_details(outcome, client, before, details.get("stats")))
    # Stored by other runs (earlier ones, or one running beside this); what a resumed run stored
    # before its interruption is its own. So retrieved = new + already stored + missing.
    by_others = search_store.stored_search_pmids(store, SOURCE_NAME) - own
    details["already_stored"] = sum(1 for pmid in outcome.pmids if pmid in by_others)
    search_store.finish_run(store, run_id, hit_count=outcome.hit_count, retrieved=len(outcome.pmids),
                            new_records=new_records, requests=requests, details=details)
    log_path = write_search_log(workspace, spec)
    warnings = list(outcome.warnings)
    for change in outcome.count_changes:
        warnings.append(f"PubMed's count changed during the search ({slice_name(change['slice'])}: "
                        f"{whole(change['before'])} → {whole(change['after'])} hits when its WebEnv was searched again); "
                        "the hits counted are the later ones, and every PMID of the new result set was fetched")
    if outcome.removed_pmids:
        warnings.append(f"{counted(len(outcome.removed_pmids), 'record')} stored by this search left PubMed's result set "
                        f"before it ended (removed in PubMed: {', '.join(outcome.removed_pmids[:10])}); they stay stored "
                        "and count as retrieved, not as found")
    if not outcome.count_check["ok"]:
        in_slices = len(outcome.pmids) - len(outcome.removed_pmids)
        warnings.append(f"ESearch counted {counted(outcome.hit_count, 'hit')} but the slices hold {whole(in_slices)} PMIDs")
    if outcome.missing_pmids:
        warnings.append(f"{len(outcome.missing_pmids)} PMIDs could not be fetched: {', '.join(outcome.missing_pmids[:10])}")
    return SearchOutcome(spec.name, run_id, "complete", outcome.hit_count, len(outcome.pmids), new_records,
                         requests, resumed=resumed, log_path=log_path, warnings=warnings)


def _stored_before_failure(name: str, run_id: int, kept: int, fetched: list[tuple[int, int]]) -> str:
    """What the workspace holds of a failed run's result set: ``query q: 400 of 500 records stored before it
    stopped (run 1, …)``; with ``, 100 by this run`` when earlier runs stored the others (an update run's
    '100 of 800' read as 700 records missing)."""
    stored, total = fetched[0] if fetched else (kept, 0)
    by_run = f", {whole(kept)} by this run" if kept != stored else ""
    what = (f"{whole(stored)} of {counted(total, 'record')} stored{by_run} before it stopped" if stored and total
            else f"{counted(kept, 'record')} stored before it stopped" if kept else "no records stored")
    return f"query {name}: {what} (run {run_id}, interrupted); the next review search resumes it"


def _details(outcome: Retrieval, client: EutilsClient, before: dict[str, Any],
             earlier: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "query_translation": outcome.query_translation,
        "warnings": outcome.warnings,
        "slices": [s.as_log() for s in outcome.slices],
        "count_check": outcome.count_check,
        "count_changes": outcome.count_changes,
        "removed_pmids": outcome.removed_pmids,
        "duplicates_across_slices": outcome.duplicates_across_slices,
        "missing_pmids": outcome.missing_pmids,
        "deleted_pmids": outcome.deleted_pmids,
        "refetched_batches": outcome.refetched_batches,
        "efetch_batch_final": outcome.batch_size_final,
        "error": None,
        **_stats_delta(before, client.stats.as_dict(), earlier),
    }


def _stats_delta(before: dict[str, Any], after: dict[str, Any], earlier: dict[str, Any] | None) -> dict[str, Any]:
    """This run's requests and retries (the client may have served earlier runs), added to earlier attempts."""
    merged: dict[str, dict[str, int]] = {"requests": {}, "retries": {}}
    for key in ("requests", "retries"):
        for name, n in after[key].items():
            delta = n - before[key].get(name, 0)
            if delta:
                merged[key][name] = delta
        for name, n in ((earlier or {}).get(key) or {}).items():
            merged[key][name] = merged[key].get(name, 0) + n
    return {"stats": merged}


def write_search_log(workspace: Workspace, spec: QuerySpec) -> Path:
    """Export every run of ``spec`` to ``queries/<name>.log.json`` (the store stays the truth)."""
    log = search_log(workspace, spec.name, spec)
    path = workspace.path("queries", f"{spec.name}.log.json")
    write_text_atomic(path, json.dumps(log, indent=2, ensure_ascii=False) + "\n")
    return path


def search_interface() -> str:
    """The client that ran the searches, as the log names it (PRISMA-S item 1)."""
    import Bio

    return f"review {__version__} (E-utilities over HTTPS; Biopython {Bio.__version__} Bio.Entrez parser)"


def search_log(workspace: Workspace, name: str, spec: QuerySpec | None) -> dict[str, Any]:
    """The PRISMA-S log of query ``name``: its file (``spec``; None once the file is gone), runs and seed checks."""
    return {
        "query_name": name,
        "query_file": spec.path.name if spec is not None and spec.path else None,
        "database": DATABASE_NAME,
        "platform": PLATFORM,
        "interface": search_interface(),
        "query": spec.query if spec is not None else None,
        "filters": spec.filters if spec is not None else None,
        "limits": spec.esearch_params if spec is not None else None,
        "notes": spec.notes if spec is not None else None,
        "runs": [_run_log(run, workspace) for run in search_store.runs(workspace.store, name)],
        "seed_checks": [_seed_check_log(check) for check in search_store.seed_checks(workspace.store, name)],
    }


def search_logs(workspace: Workspace, specs: Sequence[QuerySpec]) -> list[dict[str, Any]]:
    """The log of every query that has a run or a seed check, by name (with its file when it still has one;
    ``specs``: the query files as the caller loaded them)."""
    by_name = {spec.name: spec for spec in specs}
    names = {run["query_name"] for run in search_store.runs(workspace.store)}
    names |= {check["query_name"] for check in search_store.seed_checks(workspace.store)}
    return [search_log(workspace, name, by_name.get(name)) for name in sorted(names)]


def _run_server(run: dict[str, Any]) -> str:
    """The E-utilities address a stored run started on (runs logged without one went to NCBI)."""
    return str(((run["params"] or {}).get("client") or {}).get("base_url") or NCBI_EUTILS_URL)


def run_counts(workspace: Workspace, run: dict[str, Any]) -> tuple[int | None, int]:
    """A run's hits and the records it stored: for a run not finished (interrupted, running, abandoned) its hits
    are not known (ESearch's count is kept when a run finishes) and its records are those its batches stored."""
    if run["status"] == "complete":
        return run["hit_count"], run["new_records"] or 0
    return run["hit_count"], search_store.records_stored_by_run(workspace.store, run["id"])


def _run_log(run: dict[str, Any], workspace: Workspace) -> dict[str, Any]:
    details = run["details"] or {}
    params = run["params"] or {}
    unfinished = {}
    if run["status"] != "complete":  # what it stored before it stopped (records_stored_new is set on completion)
        unfinished = {"records_stored_so_far": run_counts(workspace, run)[1]}
    return {
        "run_id": run["id"],
        "date_run": iso_time(run["started_at"]),
        "finished_at": iso_time(run["finished_at"]),
        "status": run["status"],
        "term_sent": run["term"],
        **({"strategy_as_written": params["strategy"]} if "strategy" in params else {}),
        "eutils": {"esearch": {"db": "pubmed", "usehistory": "y", **params.get("esearch", {})},
                   "efetch": {"db": "pubmed", "retmode": "xml"}, "client": public_client(params.get("client", {}))},
        "query_translation": details.get("query_translation", ""),
        "records_found": run["hit_count"],
        "records_retrieved": run["retrieved"],
        "records_stored_new": run["new_records"],
        **unfinished,
        "already_stored_from_earlier_runs": details.get("already_stored"),
        "requests": run["requests"],
        **{k: details[k] for k in ("database_build", "stats", "slices", "count_check", "count_changes", "removed_pmids", "duplicates_across_slices", "missing_pmids",
                                    "deleted_pmids", "refetched_batches", "warnings", "resumed", "resumed_at", "error",
                                    "abandoned_because")
           if k in details},
    }


def _seed_check_log(check: dict[str, Any]) -> dict[str, Any]:
    details = check["details"] or {}
    return {
        "date": iso_time(check["checked_at"]),
        "seed_file": shown_path(check["seed_file"]),
        "seed_file_sha256": check["seed_file_sha256"],
        "term_sent": check["term"],
        "limits": check["params"],
        "seeds": check["n_seeds"],
        "found": check["n_found"],
        "recall": round(check["recall"], 4),
        "missed_pmids": details.get("missed_pmids", []),
        "missed_dois": details.get("missed_dois", []),
        "requests": check["requests"],
        **({"server": details["server"]} if "server" in details else {}),  # (checks before 2026-12-07 kept none)
    }


@dataclass(slots=True)
class QueryOverview:
    """A query's last run and last seed check, for the dashboard and ``review status``."""

    name: str
    last_run: str | None = None
    status: str = "never run"
    hits: int | None = None
    new_records: int | None = None
    seed_check: str | None = None
    seeds: int | None = None
    seeds_found: int | None = None

    @property
    def seed_recall(self) -> float | None:
        return (self.seeds_found or 0) / self.seeds if self.seeds else None


def query_overview(workspace: Workspace) -> list[QueryOverview]:
    """Every query that has a file, a run or a seed check, by name."""
    found: dict[str, QueryOverview] = {}
    try:
        specs = workspace_queries(workspace)
    except ReviewError:
        specs = []
    for spec in specs:
        # (a search run elsewhere has no run here: the dashboard, which shows runs, leaves it out)
        status = "template" if spec.is_template else "never run" if spec.runs_here else "searched elsewhere"
        found[spec.name] = QueryOverview(spec.name, status=status)
    for run in search_store.runs(workspace.store):
        view = found.setdefault(run["query_name"], QueryOverview(run["query_name"]))
        view.last_run, view.status = iso_time(run["started_at"]), run["status"]
        view.hits, view.new_records = run_counts(workspace, run)  # (an unfinished run's: what it stored so far)
    for check in search_store.seed_checks(workspace.store):
        view = found.setdefault(check["query_name"], QueryOverview(check["query_name"]))
        view.seed_check, view.seeds, view.seeds_found = iso_time(check["checked_at"]), check["n_seeds"], check["n_found"]
    return [found[name] for name in sorted(found)]


def shown_path(stored: str) -> str:
    """A stored file path as files meant to be shared show it (``review.paths.shared_file_name``)."""
    return shared_file_name(stored)


def iso_time(value: datetime | date | None) -> str | None:
    """A stored time as ISO 8601 in UTC with its offset (``review.timestamps.iso_utc``); None stays None."""
    if value is None:
        return None
    return iso_utc(value) if isinstance(value, datetime) else value.isoformat()


def _to_the_minute(value: datetime | None) -> str:
    """A run's start as people read it (the PRISMA-S report's and the ranking line's way, ``2026-12-06 15:06 UTC``):
    ``review status`` printed ``2026-12-06T15:06:13.947787+00:00`` (walk20). Files keep ISO 8601."""
    return "-" if value is None else minute_utc(value)


def search_status(workspace: Workspace) -> list[str]:
    """Lines for ``review status``: the last run of each query."""
    latest: dict[str, dict[str, Any]] = {}
    for run in search_store.runs(workspace.store):
        latest[run["query_name"]] = run
    checks = {check["query_name"]: check for check in search_store.seed_checks(workspace.store)}
    problems, templates = _query_file_notes(workspace)
    unreadable = [f"  cannot be read: {problem}; review search refuses it until it is fixed" for problem in problems]
    # Templates last: the review's own runs lead; in a new workspace, with none, the line says what to do first.
    not_searched = [f"  queries/{spec.path.name if spec.path else spec.name}: {spec.template_refusal}"
                    for spec in templates]
    if not latest and not checks:
        return ["search     no PubMed searches run yet", *unreadable, *not_searched]
    # A query only seed-checked counts too: the header said "0 queries" above its seed-check line.
    lines = [f"search     {counted(len(set(latest) | set(checks)), 'query')}", *unreadable]
    for name, run in sorted(latest.items()):
        hits, new = run_counts(workspace, run)  # (an interrupted run's: 'hits 0 new 0' beside its records)
        lines.append(f"  {name:<20} {run['status']:<11} hits {'-' if hits is None else whole(hits):>7}  "
                     f"new {whole(new):>7}  {_to_the_minute(run['started_at'])}")
    for name, check in sorted(checks.items()):
        lines.append(f"  {name:<20} seed check {whole(check['n_found'])}/{whole(check['n_seeds'])} found "
                     f"(recall {check['recall']:.2f})  {iso_time(check['checked_at'])}")
    return [*lines, *not_searched]


def _query_file_notes(workspace: Workspace) -> tuple[list[str], list[QuerySpec]]:
    """What ``review status`` says of the query files before a search: each file that cannot be read,
    as its one-line error, and the templates among the others."""
    problems: list[str] = []
    specs: list[QuerySpec] = []
    for path in query_files(workspace.path("queries")):
        try:
            specs.append(load_query(path))
        except ReviewError as err:  # (named from the workspace's root, as every status line names a file)
            problems.append(named_from(str(err), workspace.root))
    return problems, [spec for spec in with_old_examples_judged(workspace, specs) if spec.is_template]
