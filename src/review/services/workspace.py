"""Workspace service: create a workspace and report what it holds per stage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ReviewError, WorkspaceError
from ..paths import SQLITE_SIDE_FILES, WORKSPACE_FILE, named_from
from ..records import Record
from ..source_kinds import source_order
from ..tomlread import SettingProblem
from ..words import counted, whole
from ..workspace import Workspace, init_store, init_workspace

if TYPE_CHECKING:
    from ..store.transfer import TransferReport

__all__ = ["counts_by_source", "create_store", "create_workspace", "gives_password", "may_pass", "migrate_store", "open_store", "own_files", "record",
           "refused_settings", "setting_checks", "setting_refused", "store_waits_through", "unknown_setting", "workspace_status"]

def gives_password(database_url: str) -> bool:
    """Whether ``database_url`` carries a password (``user:password@`` or ``?password=``), which review.toml leaves
    out: the user is told where review takes it from instead."""
    from ..store.opening import engine_url, without_password

    parsed = engine_url(database_url)
    return without_password(parsed) != parsed


def unknown_setting(table: str, key: str) -> bool:
    """Whether ``[table] key`` is one its stage does not know and refuses when it next reads it (a misspelling):
    [screening], [dedup], [synthesis], [fulltext] and [pubmed] name their keys (the TUI's own [tui] keys are the
    shell's)."""
    # Imported here: every command loads this module, and these stages' modules are not light.
    from ..dedup.settings import DEDUP_KEYS
    from ..prisma.fulltext import FULLTEXT_KEYS
    from ..screening.settings import SCREENING_KEYS
    from ..sources.eutils import PUBMED_KEYS
    from ..synthesis.settings import SYNTHESIS_KEYS

    known = {"screening": SCREENING_KEYS, "dedup": DEDUP_KEYS, "synthesis": SYNTHESIS_KEYS, "fulltext": FULLTEXT_KEYS,
             "pubmed": tuple(PUBMED_KEYS)}.get(table)
    return known is not None and bool(key) and key not in known


@contextmanager
def store_waits_through(notice: Callable[[str], None], cancelled: Callable[[], bool]) -> Iterator[None]:
    """In this thread, a store that waits on opening (another process's upgrade) says so through ``notice`` and
    stops waiting once ``cancelled()`` is true (a front end's worker thread, which Ctrl-C never reaches)."""
    from ..store.core import open_wait_hooks

    with open_wait_hooks(notice, cancelled):
        yield


def create_workspace(path: Path, *, title: str = "Untitled review", reviewers: list[str] | None = None,
                     seed: int = 42, database_url: str | None = None) -> Workspace:
    """The workspace layout at ``path`` (queries/, screening/, extraction/, instrument/, store).

    ``database_url`` (``postgresql://user@host/name``) puts the store on a server for team mode;
    review.toml keeps the URL without its password. Checked before anything is written: a blank
    title (review.toml would then be refused by every later command), a blank reviewer name, one
    with ':' (kept for review search's holds), or ``consensus`` (the name that holds conflict
    resolutions) is one error; a name given twice counts once."""
    from ..screening.agreement import check_not_consensus
    from ..store.sessions import check_reviewer_name

    if not title.strip():
        raise WorkspaceError("--title: a review needs a title (review.toml cannot be read without one)")
    names: list[str] = []
    for name in reviewers or []:
        check_reviewer_name(name.strip(), "--reviewer")
        check_not_consensus(name.strip(), "--reviewer")
        if name.strip() not in names:
            names.append(name.strip())
    return init_workspace(path, title=title.strip(), reviewers=names or None, seed=seed, database_url=database_url)


def create_store(path: Path) -> Workspace:
    """The empty store of the workspace at ``path``, whose store is missing (no other command creates one: a
    store moved or deleted must not come back empty unasked). Refused when its store is there."""
    return init_store(path)


def own_files(workspace: Workspace) -> tuple[Path, ...]:
    """The files that are the workspace itself: its review.toml and, for a SQLite store (review.toml's,
    and ``REVIEW_DATABASE_URL``'s when that names another), the database file and those SQLite keeps
    beside it. An output written over one of them lost the review (``export records review.db``);
    the store is not opened for this."""
    return (workspace.root / WORKSPACE_FILE,
            *(database.with_name(database.name + side) for database in workspace.sqlite_databases()
              for side in ("", *SQLITE_SIDE_FILES)))


def open_store(workspace: Workspace) -> None:
    """Open the workspace's store and check its schema now (SQLAlchemy loads here: call it off
    the UI thread)."""
    workspace.store  # noqa: B018 - the property opens and checks it


def refuse_if_read_only(workspace: Workspace) -> None:
    """Refuse a command that writes the store before it does any work when the store cannot be written here (a
    workspace folder or review.db read-only to this user): the one line its first write would get
    (``StoreReadOnly``), without the reading and computing before it."""
    workspace.store.refuse_if_read_only()


def record(workspace: Workspace, record_id: int) -> Record:
    """One record by id (a ``ReviewError`` if the workspace has none by that id)."""
    return workspace.store.record(record_id)


def data_version(workspace: Workspace) -> tuple[int, ...]:
    """A stamp of the store's data that moves with every change a stage records (``Store.data_version``)."""
    return workspace.store.data_version()


def may_pass(error: BaseException) -> bool:
    """Whether a failed read of the store may pass by itself, so reading again soon is worth it (a busy store, a
    lost server, a file system error); not a newer review's schema upgrade (``NewerStore``) nor a move to another
    store (``StoreMoved``): those need the reviewer (upgrade review; open the review again), and reading again
    every few seconds would only fail again."""
    from ..store.errors import NewerStore, StoreMoved
    from .screening import store_errors

    return isinstance(error, (*store_errors(), OSError)) and not isinstance(error, (NewerStore, StoreMoved))


def counts_by_source(workspace: Workspace) -> dict[str, int]:
    """How many records each source (database) contributed."""
    return workspace.store.counts_by_source()


def workspace_status(workspace: Workspace, *, every: bool = False) -> list[str]:
    """Plain lines for ``review status``: records and screening, then every stage in pipeline order; ``every``: each
    list a line names in full (``--all``), not its first three."""
    from ..instrument.status import instrument_status  # (not services.instrument: the build and exports load there)
    from . import dedup, extraction, prisma, screening, sources

    lines = [f"workspace  {workspace.root}", f"title      {workspace.config.title}"]
    store = workspace.store_if_there()
    if (override := workspace.store_override()) and store is not None:  # (a missing store's row says it already)
        lines.append(f"store      {override}")
    if store is None:  # the stages kept in files only; the caller exits 1 (``workspace.missing_store``)
        lines.append(f"store      not there: {workspace.missing_store}")
        lines.extend(extraction.extraction_status(workspace, every=every))
        lines.extend(instrument_status(workspace))
        return lines
    batches = store.batches()
    # A search stores each EFetch window as a batch of its own: counted apart, so "4 import batches"
    # does not read as four files after two imports and one search.
    searched = sum(str(b.get("file_name", "")).startswith("search:") for b in batches)
    files = len(batches) - searched
    lines.append(f"sources    {counted(store.count_records(), 'record')} from {counted(files, 'imported file')}"
                 f" and {whole(searched)} search batch{'' if searched == 1 else 'es'}")
    by_source = store.counts_by_source()
    width = max([20, *(len(source) for source in by_source)])  # a long file-name source keeps the column
    for source, n in sorted(by_source.items(), key=lambda item: source_order(item[0])):  # (7 wide: 100,000 fits)
        lines.append(f"  {source:<{width}} {whole(n):>7}")
    reads = screening.status_reads(workspace)  # the screening lines and the PRISMA line share one read
    lines.extend(screening.screening_lines(workspace, reads))
    lines.extend(screening.criteria_status(workspace))
    lines.extend(sources.search_status(workspace))
    checks = setting_checks(workspace)
    lines.extend(_refused_setting(workspace, checks["review search"](), "review search"))
    lines.extend(dedup.dedup_status(workspace))
    lines.extend(_refused_setting(workspace, checks["review dedup"](), "review dedup"))
    lines.extend(screening.ranking_status(workspace))
    counts = prisma.prisma_counts(workspace, reads.aside, reads.log)  # (one reading: the prisma line, the included)
    lines.extend(prisma.prisma_status(workspace, counts=counts))
    lines.extend(_refused_setting(workspace, checks["review fulltext"](), "review fulltext"))
    lines.extend(extraction.extraction_status(workspace, counts, every=every))
    lines.extend(_refused_setting(workspace, checks["review synthesis"](), "review synthesis"))
    lines.extend(instrument_status(workspace))
    return lines


def setting_checks(workspace: Workspace) -> dict[str, Callable[[], SettingProblem | None]]:
    """Per command that reads its review.toml table only when it runs, the check it makes of that table, run now (None:
    it takes the file's values), in ``review status``'s order. None loads numpy or scipy, so a shell can run them
    before the stage does (``review status``, the terminal UI when it opens and after an edit)."""
    from . import dedup, extraction, prisma, sources

    return {"review search": lambda: sources.pubmed_settings_problem(workspace),
            "review dedup": lambda: dedup.settings_problem(workspace),
            "review fulltext": lambda: prisma.fulltext_settings_problem(workspace),
            "review synthesis": lambda: extraction.synthesis_settings_problem(workspace)}


def refused_settings(workspace: Workspace) -> list[str]:
    """``setting_refused``'s line for each review.toml value a command would refuse now (``setting_checks``): what
    ``review status`` says under the stages' lines, for a shell that says them at once (the terminal UI opening)."""
    return [setting_refused(workspace, problem, command) for command, check in setting_checks(workspace).items()
            if (problem := check()) is not None]


def setting_refused(workspace: Workspace, problem: SettingProblem, command: str) -> str:
    """``PATH:TABLE.KEY: what (line N); COMMAND refuses it until it is fixed``: a bad review.toml value said before
    ``command``, which reads it, runs (``review status``, the terminal UI after an edit)."""
    return f"{workspace.say(problem)}; {command} refuses it until it is fixed"


def _refused_setting(workspace: Workspace, problem: SettingProblem | None, command: str) -> list[str]:
    """The status line under a stage's for a review.toml value ``command`` refuses (none when it takes them),
    its file named from the workspace as the query files' lines name theirs."""
    return [] if problem is None else [f"  {named_from(setting_refused(workspace, problem, command), workspace.root)}"]


def migrate_store(workspace: Workspace, to_url: str) -> TransferReport:
    """Copy the workspace's store to the empty database at ``to_url`` (SQLite <-> PostgreSQL),
    check row counts and content hashes of both sides, then point review.toml at the new store.

    Raises ``ReviewError`` (and leaves review.toml and the old store untouched) when review.toml
    cannot be pointed at the target (checked before the copy), the target is not empty,
    unreachable, or its content hashes differ from the source's.
    """
    from ..store import Store
    from ..store.errors import StoreMissing
    from ..store.transfer import copy_store
    from ..workspace import check_store_location, set_store_location

    to_url = _absolute_sqlite_url(to_url)
    if to_url.strip() == workspace.database_url:
        raise ReviewError(f"database {workspace.store_location()}: the review is already there")
    # Before the copy, which marks the old store moved: a review.toml the editor cannot point at
    # the new store would leave the review unopenable.
    check_store_location(workspace, to_url)
    # Opened even when already marked moved: a migration killed before review.toml was rewritten
    # finishes when run again. Every other command refuses a moved store.
    try:
        source = Store.open(workspace.database_url, moved_ok=True, create=False)
    except StoreMissing as err:  # (not made empty, then copied)
        raise StoreMissing(err.where, file=err.file, advice=workspace.missing_store_advice()) from None
    try:
        report = copy_store(source, to_url)
    finally:
        source.engine.dispose()
    set_store_location(workspace, to_url)
    return report


def _absolute_sqlite_url(url: str) -> str:
    """``url`` with a relative SQLite path made absolute (from the current directory, as the shell
    reads it): review.toml must not name a file that each later command would look for in its own
    working directory. A SQLite URL without a file (in memory) is refused: the copy would vanish."""
    from ..store.opening import engine_url

    parsed = engine_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    if not parsed.database or parsed.database == ":memory:":
        raise ReviewError(f"database URL {url!r}: names no file (an in-memory database vanishes when the "
                          "command ends); give one: sqlite:////path/review.db")
    if Path(parsed.database).is_absolute():
        return url
    return str(parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(hide_password=False))
