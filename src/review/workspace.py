"""A review workspace: ``review.toml``, the stage folders and the store."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .atomic import write_text_atomic
from .errors import ImportFormatError, ReviewError, WorkspaceError
from .filestamp import FileStamp
from .paths import (DATABASE_FILE, DEMO_BUILD_STATE_FILE, ENV_DATABASE_URL, GITIGNORE_FILE, SQLITE_SIDE_FILES, WORKSPACE_FILE,
                    current_folder, find_workspace, same_file)
from .tomlread import SettingProblem, located_problem, located_setting, loads_toml, read_toml_text, toml_key
from .tomlwrite import TomlEditError, checked_table_keys, set_table_keys, text_as_written, value_text

if TYPE_CHECKING:  # SQLAlchemy takes ~0.3 s to import: only opening the store pays for it
    from .store import Store
    from .store.errors import StoreMissing

STAGE_DIRS: tuple[str, ...] = ("queries", "screening", "extraction", "instrument")

#: The largest seed (review.toml ``seed``, every ``--seed``): numpy's RandomState and scikit-learn's
#: random_state refuse a larger one (a ValueError when the stopping rules or a retrain ran).
MAX_SEED = 2**32 - 1


#: The tables of review.toml that a stage reads (``WorkspaceConfig.section``); another name, a misspelt or
#: capitalised one (``[dedupe]``, ``[Screening]``), holds settings nothing reads (``WorkspaceConfig.unknown_tables``).
KNOWN_TABLES: tuple[str, ...] = ("review", "pubmed", "dedup", "screening", "fulltext", "prisma", "extraction",
                                 "synthesis", "instrument", "tui")


@dataclass(slots=True)
class WorkspaceConfig:
    title: str
    #: The review's title in Dutch (``title_nl``, optional) for the Dutch texts the tool writes (the
    #: instrument's titles); empty: those use ``title``.
    title_nl: str = ""
    reviewers: list[str] = field(default_factory=lambda: ["reviewer1"])
    seed: int = 42
    database: str = DATABASE_FILE
    #: A server database (``postgresql://user@host/name``) for team mode; never holds a password.
    database_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "WorkspaceConfig":
        text = read_toml_text(path, error=WorkspaceError)  # a non-UTF-8 review.toml was a traceback
        data = loads_toml(text, path, error=WorkspaceError)
        try:
            return cls._checked(data)
        except SettingProblem as problem:  # named as a stage's setting is (Workspace.say), in the text just read
            raise WorkspaceError(located_setting(problem, path, text)) from None

    @classmethod
    def _checked(cls, data: dict[str, Any]) -> "WorkspaceConfig":
        """The settings of review.toml's ``data``; a wrong ``[review]`` key or table is a :class:`SettingProblem`."""
        review = data.get("review", {})
        if not isinstance(review, dict) or not review.get("title"):
            raise SettingProblem("review.title", "the [review] table needs a title, e.g. title = \"…\"")
        for name in KNOWN_TABLES:  # 'screening = 3' was read as no [screening] table: its defaults, without a word
            if not isinstance(data.get(name, {}), dict):
                raise SettingProblem(name, f"{data[name]!r}: expected a table ([{name}])")
        # title = 3 was shown as "3"; database = 3 opened a store file named "3".
        for key in ("title", "title_nl", "database"):
            if key in review and not isinstance(review[key], str):
                raise SettingProblem(f"review.{key}", f"must be text in quotes, e.g. {key} = \"…\"")
        reviewers = review.get("reviewers", ["reviewer1"])
        if not isinstance(reviewers, list) or not all(isinstance(r, str) and r.strip() for r in reviewers):
            raise SettingProblem("review.reviewers", "must be a list of names")
        if not reviewers:  # the first name is every command's default reviewer
            raise SettingProblem("review.reviewers", "is empty: list at least one name (or remove the line)")
        seed = review.get("seed", 42)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:  # (-3 broke every decision)
            raise SettingProblem("review.seed", f"must be a whole number from 0 to {MAX_SEED}")
        database_url = review.get("database_url")
        if database_url is not None and (not isinstance(database_url, str) or "://" not in database_url):
            raise SettingProblem("review.database_url", "must be a URL such as postgresql://user@host/name")
        return cls(
            title=str(review["title"]),
            title_nl=str(review.get("title_nl", "")).strip(),
            reviewers=list(reviewers),
            seed=seed,
            database=str(review.get("database", DATABASE_FILE)),
            database_url=database_url,
            raw=data,
        )

    def unknown_tables(self) -> list[str]:
        """The top-level names of review.toml no stage reads (not in ``KNOWN_TABLES``), in the file's order."""
        return [name for name in self.raw if name not in KNOWN_TABLES]

    def unknown_table_problems(self) -> list[SettingProblem]:
        """One per table no stage reads, ``PATH:Screening: no table review reads (known: …); its settings are not used``
        as :meth:`Workspace.say` names it: the command line's warning and the TUI's notification (a misspelt
        ``[Screening]`` left the recommended stopping rule in force without a word)."""
        known = ", ".join(KNOWN_TABLES)
        return [SettingProblem(toml_key(name), f"no table review reads (known: {known}); its settings are not used")
                for name in self.unknown_tables()]

    def section(self, name: str) -> dict[str, Any]:
        """A top-level table of ``review.toml`` (e.g. ``screening``), empty if absent."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


class Workspace:
    """A directory holding ``review.toml``; the unit every command acts on."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.config_path = self.root / WORKSPACE_FILE
        if not self.config_path.is_file():
            if not self.root.exists():  # (a mistyped --workspace: 'run review init' would make a second review)
                raise WorkspaceError(f"{self.root}: no such folder (a mistyped path? a workspace is the folder "
                                     f"holding {WORKSPACE_FILE})")
            raise WorkspaceError(f"{self.root}: no {WORKSPACE_FILE} here (run 'review init')")
        self._config_lock = threading.Lock()  # (one read of an edit at a time: the TUI's threads all read it)
        #: One line while the edited review.toml cannot be read (the config read before stays in use), else ''.
        self.config_error = ""
        #: One line while review.toml names another store than the one this workspace uses, else ''.
        self.store_location_note = ""
        #: Times review.toml was read again after an edit (a reader that reports edits compares it).
        self.config_reads = 0
        #: Called with ``config_error`` when an edit could not be read, on the thread that read it: the shell
        #: says it (the CLI on stderr, the TUI in a notification); None: nobody is told.
        self.on_config_error: Callable[[str], None] | None = None
        self.config = WorkspaceConfig.load(self.config_path)
        #: Set by ``store_if_there`` when the store is not there.
        self.missing_store: StoreMissing | None = None

    @property
    def config(self) -> WorkspaceConfig:
        """review.toml's settings, read again when the file changed since the last read (a ``stat`` per
        access otherwise): an open TUI sees an edit made in another terminal at its next use. An edit that
        cannot be read keeps the settings read before (``config_error`` says why, in one line); the store's
        location never changes under an open workspace (``store_location_note``). One thread reads an edit
        (``FileStamp.changed`` is true once per change); the others go on with the settings read before
        meanwhile, never waiting for that read."""
        if self._config_file.changed():
            error = self._read_config_again()
            said = self.on_config_error
            if error and said is not None:  # (outside the lock: the listener may read the settings itself)
                said(error)
        return self._config

    @config.setter
    def config(self, config: WorkspaceConfig) -> None:
        """Use ``config`` (read from review.toml as it is now), store location included: at start, and after
        ``set_store_location`` pointed review.toml at a new store on purpose."""
        with self._config_lock:
            self._config_file = FileStamp(self.config_path)  # (stamped now: a later edit is seen)
            self._config = config
            self.config_error = self.store_location_note = ""

    def _read_config_again(self) -> str:
        """Read the edited review.toml; the one-line error when it cannot be read (else '')."""
        # The stamp was taken before this read: an edit during it is read at the next access. The lock keeps two
        # reads of two edits apart (the later one reads the file later, so its settings land last).
        with self._config_lock:
            try:
                new = WorkspaceConfig.load(self.config_path)
            except ReviewError as err:  # all or nothing: the last good settings stay until the file is fixed
                self.config_error = str(err)
                self.config_reads += 1  # (counted once the outcome is set: a reader comparing it sees the error)
                return self.config_error
            old = self._config
            self.config_error = ""
            if (new.database, new.database_url) != (old.database, old.database_url):
                # The store this process has open (or will open) stays: switching under open screens and
                # workers would mix two reviews' records.
                new = replace(new, database=old.database, database_url=old.database_url)
                self.store_location_note = (f"{WORKSPACE_FILE} names another store now: restart review to use "
                                            f"it; until then this session keeps the store it has open "
                                            f"({self.store_location()})")
            else:
                self.store_location_note = ""
            self._config = new  # one reference swap: a reader has either the old settings or the new
            self.config_reads += 1
            return ""

    def say(self, error: ReviewError) -> str:
        """``str(error)``; a bad review.toml setting (:class:`SettingProblem`) as every TOML file names a problem,
        ``PATH:KEY: what (line N)``: the file's path, and the line of the key (or of the nearest table holding it)
        as the file reads now."""
        if not isinstance(error, SettingProblem):
            return str(error)
        return located_setting(error, self.config_path, self._config_text_now())

    def setting_said(self, where: str, what: str, *, named: str | None = None) -> str:
        """``PATH:WHERE: WHAT (line N)``, a note or warning on review.toml's setting ``where`` named as :meth:`say` names
        a refusal of it; ``named``: the file's name in place of its path (``review.toml`` in prisma.json, a file of
        the workspace that is shared)."""
        return located_setting(SettingProblem(where, what), self.config_path if named is None else named,
                               self._config_text_now())

    def setting_warnings(self) -> list[str]:
        """The warnings review.toml's settings give as they read now, each named as a refusal is (:meth:`say`):
        tables no stage reads (:meth:`WorkspaceConfig.unknown_table_problems`)."""
        return [self.say(problem) for problem in self.config.unknown_table_problems()]

    def located(self, problem: SettingProblem) -> WorkspaceError:
        """``problem`` named by this workspace's review.toml and the setting's line (:meth:`say`), for a shell that
        raises it where no other shell would name them (before the terminal UI starts, in its loader)."""
        return WorkspaceError(self.say(problem))

    def _config_text_now(self) -> str:
        """review.toml's text as it reads now, for locating a setting; '' when it cannot be read (no line is then
        found, and the message names the file alone)."""
        try:
            return read_toml_text(self.config_path, error=WorkspaceError)
        except ReviewError:
            return ""

    @classmethod
    def find(cls, explicit: Path | None = None) -> "Workspace":
        """The workspace named by ``explicit`` or the nearest one above the cwd."""
        if explicit is not None:
            return cls(explicit)
        root = find_workspace()  # (one line when the current folder is gone)
        if root is None:
            raise WorkspaceError(
                f"{current_folder()}: not inside a review workspace "
                f"(no {WORKSPACE_FILE} here or above; use 'review init' or --workspace, or try 'review demo')"
            )
        return cls(root)

    @property
    def database_url(self) -> str:
        """Where the store lives: ``REVIEW_DATABASE_URL``, else review.toml's ``database_url``, else
        the SQLite file named by ``database`` (default ``review.db`` in the workspace)."""
        return self.database_url_from_environment or self.configured_database_url

    @property
    def database_url_from_environment(self) -> str:
        """``REVIEW_DATABASE_URL`` when set (it wins over review.toml), else ''."""
        return os.environ.get(ENV_DATABASE_URL, "").strip()

    @property
    def configured_database_url(self) -> str:
        """The store review.toml names (``database_url``, else the ``database`` SQLite file)."""
        if self.config.database_url:
            return self.config.database_url
        db = self.config.database
        if "://" in db:
            return db
        return sqlite_url(self.root / db)

    def store_location(self) -> str:
        """The store's URL with any password masked (for messages)."""
        from .store.opening import safe_url

        return safe_url(self.database_url)

    def sqlite_databases(self) -> tuple[Path, ...]:
        """The database files of the workspace's SQLite stores: review.toml's, and ``REVIEW_DATABASE_URL``'s when
        that names another; none for a store on a server."""
        urls = dict.fromkeys((self.configured_database_url, self.database_url))
        return tuple(database for url in urls if (database := sqlite_file(url)) is not None)

    def refuse_own_store(self, path: Path, *, use: str = "read") -> None:
        """Refuse (one :class:`ImportFormatError` naming ``path``, before a byte of it is read) a file a command
        was asked to ``use`` that is this workspace's SQLite store or one of the files SQLite keeps beside it, by
        real path or by device and inode. Read by Python, the store is no input anyway, and closing that
        descriptor would drop every POSIX lock this process holds on the file, under the store the command has
        open (``store.opening._sqlite_file_without_store`` says what follows). The store is not opened for this."""
        for database in self.sqlite_databases():
            for side in ("", *SQLITE_SIDE_FILES):
                if same_file(path, database.with_name(database.name + side)):
                    beside = f" (SQLite's {side} file beside {database.name})" if side else ""
                    raise ImportFormatError(path, None, f"the review's own store{beside}, not a file to {use}")

    def store_override(self) -> str:
        """One line when ``REVIEW_DATABASE_URL`` names another store than review.toml does, else ''."""
        from .store.opening import safe_url

        from_env = self.database_url_from_environment
        if not from_env or _same_store(from_env, self.configured_database_url):
            return ""
        return (f"{ENV_DATABASE_URL} is set: commands use {safe_url(from_env)}, not the store review.toml "
                f"names ({safe_url(self.configured_database_url)}); unset it to use review.toml's")

    @cached_property
    def store(self) -> Store:
        """The workspace's store, opened on first use (the TUI opens it in a worker)."""
        from .store import Store
        from .store.errors import StoreMissing, StoreMoved

        try:
            # Never created here (``review init`` makes it): a store file moved or deleted, or a database
            # emptied, would open as an empty review on which the reviewer could start again.
            return Store.open(self.database_url, create=False)
        except StoreMoved as err:
            if override := self.store_override():  # review.toml names the new store already
                raise StoreMoved(err.moved_to, override) from None
            raise
        except StoreMissing as err:
            if err.unsaved:  # (its own advice: put the file back beside them; never start an empty store)
                raise
            raise StoreMissing(err.where, file=err.file, advice=self.missing_store_advice()) from None

    def store_if_there(self) -> Store | None:
        """The store, or None when it is not there (kept in ``missing_store``; nothing created): for commands
        whose inputs and outputs are files, whose store rows are a history that catches up from the files on
        the first run with the store (decision 0041's addendum)."""
        from .store.errors import StoreMissing

        try:
            return self.store
        except StoreMissing as err:
            self.missing_store = err
            return None

    def not_recorded_note(self, what: str, *, plural: bool) -> str:
        """What a file command that ran without the store did not record (its one stderr note)."""
        where = self.missing_store.where if self.missing_store is not None else self.store_location()
        return (f"{where}: no store here, so {what} {'were' if plural else 'was'} not recorded; the first run "
                f"with the store records {'them' if plural else 'it'} from the files (review status says how to "
                "get the store)")

    def missing_store_advice(self) -> str:
        """What to do about a store that is not there: restore it, or start an empty one on purpose. When
        ``REVIEW_DATABASE_URL`` names another store than review.toml, that comes first (the wrong one named)."""
        if override := self.store_override():
            return f"{override}, or check it names the review's store"
        if (self.root / DEMO_BUILD_STATE_FILE).is_file():  # a generated demo: building it again is the way back
            return (f"this is a demo workspace: put it back (from where it was moved) and run the command again, or "
                    f"review demo {_shell_word(str(self.root))} --rebuild builds it again (only what a demo build "
                    "made is deleted)")
        import sqlalchemy as sa

        named = (f"{ENV_DATABASE_URL} names it" if self.database_url_from_environment
                 else f"{WORKSPACE_FILE} names it")
        server = sa.make_url(self.database_url).get_backend_name() != "sqlite"
        empty = ("" if server else " (a new copy of a workspace whose store stays out of git)")
        check = "; check the URL names the review's database" if server else ""
        return (f"{named}{check}; put it back (from a backup, or from where it was moved) and run the command "
                f"again, or, to start this workspace on an empty store{empty}, run review init --store-only "
                f"{_shell_word(str(self.root))}")

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)


#: A database URL as SQLAlchemy reads one: ``scheme://[user[:password]@][host][:port][/database][?query]``.
_DATABASE_URL = re.compile(r"(?P<scheme>[\w+]+)://(?:[^:/]*(?::[^@]*)?@)?(?:\[[^/?]+\]|[^/:?]+)?(?::[^/?]*)?"
                           r"(?:/(?P<database>[^?]*))?")


def sqlite_file(url: str) -> Path | None:
    """The database file a ``sqlite:///PATH`` URL names (a relative PATH from the current folder), None for
    another engine or an in-memory database: the file ``store.opening._sqlite_path`` finds in SQLAlchemy's
    reading of the URL (a host or user before the path ignored, the query cut off, ``%XX`` decoded), read
    here without importing SQLAlchemy (``tests/test_sqlite_url.py`` holds the two to the same answer)."""
    match = _DATABASE_URL.match(url)
    if match is None or match["scheme"].split("+")[0] != "sqlite" or not match["database"]:
        return None
    path = unquote(match["database"])
    if path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def sqlite_url(path: Path) -> str:
    """The ``sqlite:///`` URL of the database file at ``path`` (absolute: ``sqlite:////...``). A ``?`` in a
    folder's name would start the URL's query (the store was made in the parent folder, under the name's
    first part) and a ``%`` an escape, so both are written escaped; every other character as it is."""
    return "sqlite:///" + str(path).replace("%", "%25").replace("?", "%3F")


def _same_store(url: str, other: str) -> bool:
    """Whether two store URLs name the same store (a password given in one only does not matter)."""
    try:
        return url_without_password(url) == url_without_password(other)
    except WorkspaceError:
        return url == other


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


def url_without_password(url: str) -> str:
    """The URL as review.toml may keep it: user, host, port and name, never a password."""
    from .store.opening import parsed_url, without_password

    try:
        parsed = parsed_url(url)
    except ReviewError as err:
        raise WorkspaceError(str(err)) from None
    return without_password(parsed).render_as_string(hide_password=False)


def _store_location_keys(workspace: Workspace, url: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The ``[review]`` keys to set and drop so that review.toml names the store at ``url``."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    file = Path(parsed.database).resolve() if parsed.get_backend_name() == "sqlite" and parsed.database else None
    if file is not None and file.parent == workspace.root:
        return {"database": file.name}, ("database_url",)
    return {"database_url": url_without_password(url)}, ()


def refused_edit(config_path: Path, err: TomlEditError, advice: str) -> str:
    """A refused review.toml edit as every problem of a TOML file is named, ``PATH:KEY: cannot be set (…); ADVICE
    (line N)``: the key, the parser's detail and the line of the user's file holding the table or key in a shape the
    editor does not edit (``review.x = …``, ``review = {…}``, ``["review"]``), when there is one."""
    detail = f" ({err.detail})" if err.detail else ""
    return located_problem(config_path, err.key, f"cannot be set{detail}; {advice}",
                           {err.key: err.line} if err.line else {})


def _store_location_error(config_path: Path, err: TomlEditError, keys: dict[str, str],
                          drop: tuple[str, ...]) -> WorkspaceError:
    """One line naming the user's file and line, and the key and value to write by hand."""
    wanted = ", ".join(f"{key} = {value_text(value)}" for key, value in keys.items())
    without = f" and no {', '.join(drop)}" if drop else ""
    return WorkspaceError(refused_edit(config_path, err, f"edit the file by hand: its review table should hold "
                                                         f"{wanted}{without}"))


def check_store_location(workspace: Workspace, url: str) -> None:
    """Refuse (``WorkspaceError``, nothing written) when review.toml cannot be pointed at ``url`` by
    :func:`set_store_location`: a ``[review]`` written dotted (``review.x = …``), inline
    (``review = {…}``) or under a quoted header (``["review"]``), or a workspace folder that cannot be
    written. ``review migrate`` asks before it copies, as the copy marks the old store moved: a
    refusal after it left the review unopenable."""
    config_path = workspace.root / WORKSPACE_FILE
    keys, drop = _store_location_keys(workspace, url)
    try:
        checked_table_keys(text_as_written(config_path), "review", keys, drop=drop)
    except TomlEditError as err:
        # Not the after-copy advice: the target is still empty, so pointing review.toml at it by
        # hand would open an empty review.
        raise WorkspaceError(refused_edit(config_path, err, "nothing copied: rewrite [review] as a plain table "
                                                            "([review], then one key = value per line) and run "
                                                            "review migrate again")) from err
    if not _folder_writable(workspace.root):  # review.toml is rewritten by a rename in its folder
        raise WorkspaceError(f"{workspace.root}: folder not writable, so review.toml could not be pointed at "
                             f"the new store; nothing copied")


def _folder_writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried, as permission bits do not bind root and
    a read-only mount shows none)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def set_store_location(workspace: Workspace, url: str) -> None:
    """Point review.toml at the store at ``url`` (after ``review migrate``), password left out.

    A SQLite file inside the workspace becomes ``database = "name"`` (and ``database_url`` goes);
    anything else becomes ``database_url``. Other lines of review.toml are kept as they are
    (``tomlwrite.set_table_keys``, the one editor of review.toml).
    """
    config_path = workspace.root / WORKSPACE_FILE
    keys, drop = _store_location_keys(workspace, url)
    try:
        set_table_keys(config_path, "review", keys, drop=drop)
    except TomlEditError as err:
        raise _store_location_error(config_path, err, keys, drop) from err
    workspace.config = WorkspaceConfig.load(config_path)
    workspace.__dict__.pop("store", None)


def render_config(title: str, reviewers: list[str], seed: int, database_url: str | None = None) -> str:
    # Values go through the TOML writer: a title such as 'The "healthy worker" effect' or a path
    # with a backslash, pasted between quotes, made a review.toml no command could read.
    text = (
        "# review workspace settings\n"
        "[review]\n"
        f"title = {value_text(title)}\n"
        f"reviewers = {value_text(list(reviewers))}\n"
        f"seed = {seed}\n"
        f"database = {value_text(DATABASE_FILE)}\n"
    )
    if database_url:
        text += (
            "# Team mode: the store is on this server (it overrides `database`). The password is never\n"
            "# kept here: it comes from PGPASSWORD or ~/.pgpass (see docs/team.md).\n"
            f"database_url = {value_text(url_without_password(database_url))}\n"
        )
    return text


#: ``queries/example.toml`` of a new workspace: the syntax shown on another review's strategy, so it is marked a
#: template that ``review search`` refuses until its reviewers make it theirs (decision 0046).
QUERY_TEMPLATE = '''# A PubMed strategy: one file per query (queries/NAME.toml, named after the file); `review search` runs
# them all, `review search NAME` one (docs/sources.md#searching-pubmed).
# This file shows the syntax on another review's topic (sickness absence after a mental disorder), so it is a
# template: review search refuses it. Write your strategy in its place, then delete the next line.
template = true
database = "pubmed"
# One block per concept, MeSH plus title/abstract free text; a '# ' line names the block that follows
# (review search --check-seeds says which block lost a study) and is not sent.
query = """
# population
("Sick Leave"[Mesh] OR "sickness absence"[tiab])
# condition
AND ("Mental Disorders"[Mesh:NoExp] OR depress*[tiab] OR anxiety[tiab])
"""
# mindate = "2000/01/01"   # optional publication-date range (YYYY[/MM[/DD]])
# maxdate = "2025/12/31"
notes = "Why this strategy: who wrote it, who peer-reviewed it, which version (the PRISMA-S report shows it)."
'''

#: Starter files a new workspace gets: (target, package holding the template, template name).
_PACKAGED_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("screening/criteria.toml", "review.screening", "criteria_template.toml"),
    ("extraction/form.toml", "review.extraction", "form.toml"),
)


def _seed_templates(root: Path) -> list[Path]:
    """Write the starter files a new workspace gets; returns those it created."""
    from importlib import resources

    made: list[Path] = []
    example = root / "queries" / "example.toml"
    if not example.exists():  # (a user's own file of that name is theirs: never replaced)
        write_text_atomic(example, QUERY_TEMPLATE)
        made.append(example)
    for target, package, name in _PACKAGED_TEMPLATES:
        template = resources.files(package).joinpath(name)
        if template.is_file() and not (root / target).exists():
            write_text_atomic(root / target, template.read_text(encoding="utf-8"))
            made.append(root / target)
    return made


#: The first line of the block ``review init`` adds to .gitignore: found there, the block is not added again.
GITIGNORE_MARK = "# review: kept out of git when this folder is shared (docs/team.md)"


def gitignore_block() -> str:
    """What a shared workspace keeps out of git: the SQLite store with the files SQLite keeps beside it (each
    reviewer's own; a teammate who clones runs ``review init --store-only``, decision 0041) and what
    ``review validate run`` writes (per-person values). Client answers are refused inside a workspace anyway."""
    store = [f"/{DATABASE_FILE}{side}" for side in ("", *SQLITE_SIDE_FILES)]
    return "\n".join([GITIGNORE_MARK, *store, "/validate/results/", ""])


def _add_gitignore(root: Path) -> tuple[Path, int | None]:
    """Write ``root``'s .gitignore, or append the block once to the one there (never overwritten).

    A user's file is appended to in place, as bytes: git reads any encoding (Latin-1 ones exist), and its line
    endings (the block takes CRLF when the file has them), mode and a symlink to shared dotfiles stay as they
    were. Returns the file and its length in bytes before (None: this call created it), so a failed init can
    truncate it back.
    """
    path = root / GITIGNORE_FILE
    if not path.is_file():
        write_text_atomic(path, gitignore_block())
        return path, None
    before = path.read_bytes()
    mark = GITIGNORE_MARK.encode()
    if mark in (line.rstrip(b"\r") for line in before.splitlines()):
        return path, len(before)
    newline = b"\r\n" if b"\r\n" in before else b"\n"
    joint = b"" if before == b"" or before.endswith(b"\n") else newline
    block = joint + (newline if before.strip() else b"") + gitignore_block().encode().replace(b"\n", newline)
    try:
        with path.open("ab") as handle:  # (one write at the end: the user's bytes are never rewritten)
            handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _truncate_gitignore(path, len(before))  # (a write cut short leaves no half block)
        raise
    return path, len(before)


def _truncate_gitignore(path: Path, length: int) -> None:
    """Put a user's .gitignore back to its ``length`` bytes before this init appended to it."""
    with path.open("r+b") as handle:
        handle.truncate(length)


def init_workspace(
    path: Path,
    *,
    title: str = "Untitled review",
    reviewers: list[str] | None = None,
    seed: int = 42,
    database_url: str | None = None,
) -> Workspace:
    """Create the workspace layout at ``path``; refuses to overwrite an existing one.

    ``database_url`` puts the store on a server (PostgreSQL); review.toml keeps it without its
    password, which this call still uses to create the tables.

    All or nothing: the store is created first (on a server: before any file, so a role that may not create
    tables leaves nothing behind), review.toml last (a folder is a workspace only once its store is there), and
    on any failure what this call made goes again (files, folders, a server's new tables).
    """
    root = Path(path)
    if (root / WORKSPACE_FILE).exists():
        raise WorkspaceError(f"{root / WORKSPACE_FILE}: already a workspace")
    config_text = render_config(title, reviewers or ["reviewer1"], seed, database_url)
    from .store import Store

    store: Store | None = None
    made: list[Path] = []  # what this call created, in order: removed in reverse on a failure
    tables_before: set[str] = set()  # a server's tables before this call: a rollback drops only the others
    gitignore_before: tuple[Path, int] | None = None  # a user's .gitignore and its length: truncated back on a failure
    try:
        if database_url:
            store = _empty_store(database_url)
            tables_before = _table_names(store)
            store.create()  # (one transaction: a refused create leaves no table)
        for folder in reversed([root, *root.parents]):
            if not folder.exists():
                folder.mkdir()
                made.append(folder)
        if store is None:
            database = root / DATABASE_FILE
            existed = database.exists()
            if existed:
                _refuse_foreign_file(database)
            else:
                made.append(database)
            store = Store.open(sqlite_url(database.resolve()))  # (creates the tables)
        for name in STAGE_DIRS:
            if not (root / name).exists():
                (root / name).mkdir()
                made.append(root / name)
        made.extend(_seed_templates(root))
        gitignore, before = _add_gitignore(root)
        if before is None:
            made.append(gitignore)
        else:
            gitignore_before = (gitignore, before)
        write_text_atomic(root / WORKSPACE_FILE, config_text)
        made.append(root / WORKSPACE_FILE)
        workspace = Workspace(root)
        store.mark_initialized()  # (last: another init may take this database only until here)
    except BaseException:
        if gitignore_before is not None:
            _truncate_gitignore(*gitignore_before)
        _undo_init(made, store, server=bool(database_url), tables_before=tables_before)
        raise
    workspace.__dict__["store"] = store  # (a server's: this run keeps the password it was given)
    return workspace


def _empty_store(database_url: str) -> Store:
    """The database (a server's, or a SQLite file), connected and proven empty, its schema not yet created or migrated: it may be
    another review's store (two workspaces would silently share it). A wrong password is one line here."""
    from .store import Store
    from .store.opening import safe_url
    from .store.transfer import foreign_tables, foreign_tables_said, nonempty_table

    store = Store.open(database_url, prepare=False)
    with store.connect() as conn:
        foreign = foreign_tables(conn)
        held = None if foreign else nonempty_table(conn)
    if foreign:
        store.engine.dispose()
        raise WorkspaceError(f"database {safe_url(database_url)}: {foreign_tables_said(foreign)}; nothing was "
                             "written — give review an empty database of its own (not one shared with another "
                             "program's tables of these names)")
    inited = store.initialized() if held is None else None
    if held is not None or inited is not None:
        store.engine.dispose()
        why = f"table {held} is not empty" if held is not None else f"a workspace took it as its store on {inited}"
        raise WorkspaceError(f"database {safe_url(database_url)}: already holds a review ({why}); give an empty "
                             "database, or work in that review's own folder")
    return store


def _refuse_foreign_file(database: Path) -> None:
    """A review.db already in the folder is taken as the store (one whose review.toml went missing), unless
    it is another program's SQLite file (``foreign_tables``): taken, every command broke on it. A file that
    is not SQLite is left to ``Store.open``, which names it."""
    import sqlalchemy as sa

    from .store.transfer import foreign_tables, foreign_tables_said

    engine = sa.create_engine(sqlite_url(database.resolve()))
    try:
        with engine.connect() as conn:
            foreign = foreign_tables(conn)
    except sa.exc.SQLAlchemyError:
        return
    finally:
        engine.dispose()
    if foreign:
        raise WorkspaceError(f"{database}: {foreign_tables_said(foreign)}: a SQLite file review did not make; "
                             "nothing was written — move it out of the folder, or make the workspace in another one")


def _table_names(store: Store) -> set[str]:
    import sqlalchemy as sa

    with store.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def _undo_init(made: list[Path], store: Store | None, *, server: bool, tables_before: set[str]) -> None:
    """Remove what a failed ``init_workspace`` made (files and folders, newest first; a folder only when empty)
    and, on a server, the tables it created in the empty database it was given (those not there before: a
    teammate's tables made meanwhile by another init stay)."""
    if store is not None:
        if server:
            import sqlalchemy as sa

            from .store import metadata

            # The commit check reads schema_info, which this drop removes: with it the drop's commit failed
            # and rolled the drop back.
            store.stop_checking_commits()
            try:
                with store.engine.begin() as conn:
                    present = set(sa.inspect(conn).get_table_names())
                    made_tables = [table for table in metadata.sorted_tables
                                   if table.name in present and table.name not in tables_before]
                    metadata.drop_all(conn, tables=made_tables)
            except Exception:  # noqa: BLE001 - the failure being reported matters more; the tables are empty
                pass
        store.engine.dispose()
    for made_path in reversed(made):
        try:
            if made_path.is_dir():
                made_path.rmdir()
            else:
                for side in ("", *SQLITE_SIDE_FILES):
                    made_path.with_name(made_path.name + side).unlink(missing_ok=True)
        except OSError:
            pass


def init_store(path: Path) -> Workspace:
    """Create the empty store of the existing workspace at ``path`` whose store is missing (``StoreMissing``):
    on purpose, as no other command creates one. Refused when the workspace's store is there, and when the
    database holds another review's rows."""
    from .store.errors import StoreMissing

    workspace = Workspace(path)
    if override := workspace.store_override():  # an empty store in the wrong database would open as the review
        raise WorkspaceError(f"{workspace.root}: {override}; --store-only refused, nothing was created")
    try:
        workspace.store.engine.dispose()
    except StoreMissing as err:
        if err.unsaved:  # an empty store here would make SQLite drop the -wal: the last changes, lost
            raise WorkspaceError(f"{err}; --store-only refused") from None
        if err.file and Path(err.where).is_symlink():  # SQLite would create the file at the link's target
            raise WorkspaceError(f"{err.where}: a link to {os.readlink(err.where)}, which is not there; "
                                 "--store-only refused, nothing was created — mount or restore the target, or "
                                 "remove the link to start an empty store here") from None
    else:
        raise WorkspaceError(f"{workspace.root}: its store is there already ({workspace.store_location()}); "
                             "nothing was created")
    workspace.__dict__.pop("store", None)
    new = _empty_store(workspace.database_url)  # (a SQLite file: made here, empty)
    try:
        new.create()
        new.mark_initialized()
    finally:
        new.engine.dispose()
    return workspace
