"""Opening a store, the parts that come before ``Store``: the SQLite file's checks (what is read-only to this process
and what to do, the -wal and -shm beside the file, a SQLite file that holds no store, a file removed or replaced
while open), the read-only connections, and the database URL and its connect error in one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
import contextlib
import logging
import os
import re
import shlex

import sqlalchemy as sa

from ..errors import ReviewError
from . import schema
from .errors import StoreBusy, StoreLost, StoreReadOnly

# psycopg logs what it ignores while cleaning up after an error ('error ignored terminating <psycopg.Pipeline …>:
# pipeline aborted'); the store reports that error itself in one line, and with no logging set up Python printed
# the log line on stderr beside it.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

__all__ = ["SECRET_QUERY_KEYS", "ReadOnlyConnections", "engine_url", "parsed_url", "passwords_masked", "safe_url",
           "unsaved_side_files", "without_password"]


def _read_only_place(file: Path, *, until: str = "") -> tuple[str, str] | None:
    """What keeps this process from writing the SQLite store ``file``: (what is read-only, the whole sentence
    naming it and what to do). The file, or its -wal or -shm, read-only to this user, or its folder read-only
    (SQLite creates the -wal and -shm there: a store that is there is then opened read-only, ``_opens_read_only``, and
    one that is not cannot be made). None when each is writable (the refusal came from elsewhere), or when the
    folder is not there (a moved workspace: not read-only).

    ``until``: what this review must write before it can read the store at all ("it is upgraded from schema
    version 2 to 3"), for a store that is there but older than this review: the sentence then says it cannot be
    read, rather than "can be read but not written"."""
    folder = file.parent
    if not folder.is_dir():
        return None
    try:
        on_read_only_disk = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # (no statvfs: Windows)
        on_read_only_disk = False
    # (a store that is there is opened read-only, ``_opens_read_only``: only its writes are refused)
    cannot = "can be read but not written there" if file.is_file() else "cannot be made there"
    if until:
        cannot = f"cannot be read by this review until {until}, which writes it"
    folder_read_only = on_read_only_disk or not os.access(folder, os.W_OK | os.X_OK)
    if folder_read_only and file.is_file() and (stranded := _wal_without_shm(file)):
        what = (f"the workspace folder {folder} is on a read-only file system" if on_read_only_disk else
                f"the workspace folder {folder} is read-only to you")
        remedy = ("copy the workspace (review.db with its -wal) to a writable disk and run review there (or mount "
                  "this one read-write)" if on_read_only_disk else
                  f"make the folder writable (chmod u+w {shlex.quote(str(folder))}; its owner, or sudo, if it is not "
                  f"yours) and run review again, or copy {file.name} and {stranded.name} together to a folder you can "
                  "write to and work there")
        return what, (f"{what}: the store {file.name} cannot be read there, as its {stranded.name} is beside it "
                      f"without its {file.name}-shm (a copy that left the -shm out, or one deleted): the -wal holds "
                      f"changes not yet in {file.name}, which SQLite reads only through a -shm it must make in the "
                      f"folder; nothing was written — {remedy}")
    if on_read_only_disk:
        what = f"the workspace folder {folder} is on a read-only file system"
        return what, (f"{what}: the store {file.name} {cannot}; nothing was written — "
                      "copy the workspace to a writable disk and run review there (or mount this one read-write)")
    for path in (file, *_wal_and_shm(file)):
        if path.exists() and not os.access(path, os.W_OK):
            what = f"the store file {path} is read-only to you"
            made_writable = (f"make it writable (chmod u+w {shlex.quote(str(path))}; its owner, or sudo, if it is not "
                             "yours) and run review again")
            if until:
                return what, (f"{what}: this review cannot read the store until {until}, which writes it; nothing "
                              f"was written — {made_writable} (it upgrades the store first)")
            return what, f"{what}; nothing was written — {made_writable}"
    if not os.access(folder, os.W_OK | os.X_OK):
        what = f"the workspace folder {folder} is read-only to you"
        made_writable = (f"make the folder writable (chmod u+w {shlex.quote(str(folder))}; its owner, or sudo, if it "
                         "is not yours)")
        elsewhere = ("run review again (it upgrades the store first), or work on a copy of the workspace in a folder "
                     "you can write to" if until else
                     "work in a folder you can write to (a copy of the workspace, or a new one)")
        return what, (f"{what}: the store {file.name} {cannot} (SQLite writes {file.name}-wal and {file.name}-shm "
                      f"beside it); nothing was written — {made_writable}{' and ' if until else ', or '}{elsewhere}")
    return None


def _wal_and_shm(file: Path) -> tuple[Path, Path]:
    """The -wal and -shm SQLite keeps beside the store ``file`` (in WAL mode, while a process has it open)."""
    return file.with_name(f"{file.name}-wal"), file.with_name(f"{file.name}-shm")


def _wal_without_shm(file: Path) -> Path | None:
    """The -wal beside the SQLite store ``file`` when it holds changes (not empty) and no -shm is beside it (a
    copy or backup that left the -shm out; a process that has the store open keeps both), else None. SQLite
    reads such a -wal only through a -shm it makes: read-only (``mode=ro``) in a folder it cannot write, it
    cannot open the store at all, and ``immutable=1`` would read the file without the -wal's changes."""
    wal, shm = _wal_and_shm(file)
    try:
        holds_changes = wal.stat().st_size > 0
    except OSError:
        return None
    return wal if holds_changes and not shm.exists() else None


def _opens_read_only(file: Path) -> bool:
    """Whether the store ``file`` is opened read-only (``ReadOnlyConnections``): this process could not write it
    (its folder, the file, its -wal or -shm read-only: ``_read_only_place``).

    A writable connection could not even open a store whose folder is read-only (it makes the -wal and -shm), so
    commands that only read (``review status``, exports to stdout, the TUI read-only) could not run there; and on a
    read-only ``review.db`` it left both side files behind, read-only too."""
    if _read_only_place(file) is None:
        return False
    # (a read-only folder, but the side files are there and writable: a writable connection opens it)
    return not all(os.access(path, os.W_OK) for path in (file, *_wal_and_shm(file)))


#: ``ConnectionPoolEntry.info`` key: the store file's stamp when an ``immutable=1`` connection opened (else absent).
_IMMUTABLE_STAMP = "review_immutable_stamp"


class ReadOnlyConnections:
    """The hooks of a SQLite store opened read-only (``_opens_read_only``); the engine's URL stays the file's, as
    every message names it. ``mode=ro``: every write is refused ("attempt to write a readonly database", said as
    ``StoreReadOnly``). Chosen per connection, as another process may open or close the store meanwhile: with no
    -wal beside the file (no process has it open), or an empty one without its -shm, the file alone is the whole
    store (``_file_alone``), and ``immutable=1`` reads it without creating the -wal and -shm, but also without a
    lock or any look at the file again (SQLite takes it as never changing); with a -wal, SQLite reads it through
    the -shm that process keeps.

    So an ``immutable=1`` connection is used only while the file is as it was when it opened and still alone:
    otherwise the pool opens a new one at its next use (an open TUI read a colleague's store as it was when it
    opened, for good, its dashboard's ``data_version`` never moving). A read that a process writing the file
    meanwhile tore ("database disk image is malformed") is one line, ``StoreBusy``: run it again."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.wal, self.shm = _wal_and_shm(file)

    def listen(self, engine: sa.Engine) -> None:
        sa.event.listen(engine, "do_connect", self.connect)
        sa.event.listen(engine, "checkout", self.checkout)
        sa.event.listen(engine, "handle_error", self.torn_read)

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            now = self.file.stat()
        except OSError:
            return None
        return now.st_ino, now.st_size, now.st_mtime_ns

    def _file_alone(self) -> bool:
        """Whether the file alone is the whole store, read ``immutable=1``: no -wal beside it, or an empty one
        without its -shm (a crash after a checkpoint emptied it, the -shm deleted or left out of a copy since:
        no process has the store open, as one that has keeps its -shm; ``mode=ro`` cannot open it in a folder
        where it cannot make the -shm)."""
        try:
            wal_size = self.wal.stat().st_size
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return wal_size == 0 and not self.shm.exists()

    def _changed(self, stamp: tuple[int, int, int] | None) -> bool:
        return not self._file_alone() or self._stamp() != stamp

    def connect(self, _dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        immutable = self._file_alone()
        if immutable:  # (stamped before it opens: a change meanwhile only costs a new connection later)
            record.info[_IMMUTABLE_STAMP] = self._stamp()
        else:
            record.info.pop(_IMMUTABLE_STAMP, None)
        cargs[0] = self.file.as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
        cparams["uri"] = True

    def checkout(self, _dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _IMMUTABLE_STAMP in record.info and self._changed(record.info[_IMMUTABLE_STAMP]):
            raise sa.exc.DisconnectionError("the store changed since this immutable connection opened")

    def torn_read(self, context: Any) -> None:
        original = context.original_exception
        text = str(original).lower()
        if type(original).__name__ != "DatabaseError" or not ("malformed" in text or "not a database" in text):
            return
        info = getattr(getattr(context.connection, "connection", None), "info", None) if context.connection else None
        if info is None or _IMMUTABLE_STAMP not in info or not self._changed(info[_IMMUTABLE_STAMP]):
            return  # (a file damaged as it was opened: not a read to run again)
        raise StoreBusy(f"the store {self.file} was written by another process while this one read it read-only "
                        "(the read found it half-changed); nothing was written — run the command again") from None


def _store_read_only(context: Any) -> None:
    """Turn SQLite's refusal to write the store, or to open it for want of its -wal and -shm ("attempt to write a
    readonly database", "unable to open database file"), into ``StoreReadOnly`` naming the file or folder that is
    read-only and what to do, when one is (``_read_only_place``)."""
    original = context.original_exception
    if context.dialect.name != "sqlite" or type(original).__name__ != "OperationalError":
        return
    text = str(original).lower()
    if not any(words in text for words in ("readonly", "read-only", "unable to open database file")):
        return
    file = _sqlite_path(context.engine.url) if context.engine is not None else None
    if file is not None and (found := _read_only_place(file.resolve())):
        raise StoreReadOnly(found[1], what=found[0]) from None


def _sqlite_file_check(path: Path) -> tuple[Callable[[sa.Connection], None], Callable[..., None]]:
    """Hooks for a SQLite store file that was there when the store opened: a commit refused once the file is
    gone or replaced (the open connections would go on writing into the removed file, lost when they close),
    and no new connection that would create an empty file in its place (nor does a later ``Store.open`` without
    ``create``: ``StoreMissing``)."""
    opened = path.stat()
    identity = (opened.st_dev, opened.st_ino)

    def lost() -> StoreLost:
        return StoreLost(f"the store file {path} was removed, moved or replaced while this process had it open; "
                         "nothing was saved here — a moved workspace folder: run review again in its new place; "
                         "otherwise put the file back (from a backup) before running review again: without it, "
                         "review refuses to open the workspace")

    def refuse_commit_if_gone(_conn: sa.Connection) -> None:
        try:
            now = path.stat()
        except FileNotFoundError:
            raise lost() from None
        if (now.st_dev, now.st_ino) != identity:
            raise lost()

    def refuse_connect_if_gone(*_args: Any) -> None:
        if not path.exists():
            raise lost()

    return refuse_commit_if_gone, refuse_connect_if_gone


def _not_a_database(err: sa.exc.DatabaseError) -> bool:
    """Whether SQLite refused the file itself (not a database, or damaged), not a statement."""
    text = str(getattr(err, "orig", err)).lower()
    return "file is not a database" in text or "malformed" in text


def _sqlite_file_without_store(file: Path) -> bool:
    """Whether ``file`` is a SQLite database that holds no ``schema_info`` table (another program's file, or one
    emptied), told without changing it: the store's own connection would switch it to WAL mode first. False
    when that cannot be told so (not SQLite, unreadable, or a non-empty -wal or -journal beside it, which may
    hold the table): the store's own connection then judges it, as before.

    Read through SQLite only, never a Python ``open()``: POSIX locks belong to the process and the inode, so
    closing any descriptor of the file would drop every SQLite lock this process holds on it (another of its
    stores open on the same file), letting another process checkpoint or delete the -wal under them. SQLite's
    own VFS keeps such a descriptor open until the process's last lock on the inode is released.
    ``immutable=1``: no lock taken, and no -wal or -shm opened or created (a read-only connection would create
    both beside a WAL-mode file and leave them), so the main file alone is read, which is the whole database
    when no non-empty -wal or -journal is beside it. Without a lock another process may write meanwhile (a new
    store's tables into its -wal, a checkpoint into the file): an answer of "no table" counts only when the file
    and its side files are as they were before the read (a torn read was seen as "malformed", 707 of 14,229
    reads under a writer checkpointing schema changes, and could in principle parse without the table)."""
    import sqlite3

    def unchanged() -> tuple[int, int, int] | None:
        with contextlib.suppress(OSError):
            if not unsaved_side_files(file):
                now = file.stat()
                return now.st_ino, now.st_size, now.st_mtime_ns
        return None

    before = unchanged()
    if before is None:
        return False
    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?immutable=1", uri=True)
    except (sqlite3.Error, OSError):
        return False
    try:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (schema.schema_info.name,)).fetchone()
    except sqlite3.Error:  # not a SQLite file ("file is not a database"), damaged, unreadable
        return False
    finally:
        conn.close()
    return found is None and unchanged() == before


def _sqlite_path(url: sa.URL) -> Path | None:
    """The file a SQLite URL names (relative: from the current folder, as SQLite opens it); None for another
    engine or a database in memory."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def unsaved_side_files(file: Path) -> tuple[Path, ...]:
    """The non-empty ``-wal`` and ``-journal`` files beside a SQLite store ``file`` that is not there: changes
    the file lacks (a process killed before a checkpoint), which a new store at ``file`` would throw away."""
    found = []
    for side in ("-wal", "-journal"):
        path = file.with_name(file.name + side)
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_size > 0:
                found.append(path)
    return tuple(found)


def parsed_url(url: str) -> sa.URL:
    """``url`` as SQLAlchemy reads it; one it cannot read (no ``://``, a port that is no number) is one line, the URL
    shown with its password masked (SQLAlchemy raises ValueError for the port: a traceback)."""
    try:
        return sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError) as err:
        raise ReviewError(f"database URL {_text_masked(url)!r}: not a URL ({err})") from None


#: A password in a URL's text, ``user:password@`` or ``password=…`` (``SECRET_QUERY_KEYS``): masked by
#: :func:`parsed_url` in a URL it cannot parse (it may be typed half right), as :func:`safe_url` masks it in one it
#: can.
_PASSWORD_TEXT = re.compile(r"(//[^/@:]*:)[^@]*(@)|((?:^|[?&])(?:ssl)?password=)[^&]*", re.IGNORECASE)


def _text_masked(url: str) -> str:
    return _PASSWORD_TEXT.sub(lambda m: f"{m[1]}***{m[2]}" if m[1] else f"{m[3]}***", url)


def engine_url(url: str) -> sa.URL:
    """The SQLAlchemy URL for a store URL: ``postgresql://`` (or ``postgres://``) means psycopg 3."""
    parsed = parsed_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ReviewError(f"database URL {safe_url(parsed)}: not a store review can use "
                          "(sqlite:///PATH or postgresql://user@host/name)")
    return parsed


#: The query parameters of a database URL that carry a secret: libpq takes ``?password=`` as it takes
#: ``user:password@`` (and ``sslpassword``, the client key's), so each is masked or left out as that one is.
SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})


def safe_url(url: str | sa.URL) -> str:
    """The URL with any password masked: the only form that reaches messages, logs or files."""
    try:
        parsed = url if isinstance(url, sa.URL) else sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # (ValueError: a port that is no number)
        return "<unparseable database URL>"
    if parsed.drivername == "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql")  # as the user wrote it
    secrets = [key for key in parsed.query if key.lower() in SECRET_QUERY_KEYS]
    shown = parsed.render_as_string(hide_password=True)
    if not secrets:
        return shown
    # (rendered apart and put back: render_as_string would escape the mask as %2A%2A%2A)
    return parsed.difference_update_query(secrets).render_as_string(hide_password=True) + (
        "&" if any(key not in secrets for key in parsed.query) else "?") + "&".join(f"{key}=***" for key in secrets)


def passwords_masked(text: str, url: sa.URL) -> str:
    """``text`` (a driver's message) with each password ``url`` carries, in its user part or its query, as ``***``."""
    secrets = [url.password] + [value for key, value in url.query.items() if key.lower() in SECRET_QUERY_KEYS]
    for secret in secrets:
        for one in (secret if isinstance(secret, tuple) else (secret,)):
            if one:
                text = text.replace(str(one), "***")
    return text


def without_password(url: sa.URL) -> sa.URL:
    """``url`` with no password, neither ``user:password@`` nor a ``?password=`` (``SECRET_QUERY_KEYS``): the form
    review.toml keeps and a command line shown to a user carries (libpq then takes one from ~/.pgpass or
    PGPASSWORD)."""
    return url._replace(password=None).difference_update_query(
        [key for key in url.query if key.lower() in SECRET_QUERY_KEYS])


def driver_line(text: str) -> str:
    """One line of a driver's message: libpq's last cause (one line per host it tried, the last the one that
    counts) with the hint it indents under it, in brackets. The last line alone was often that hint without
    its cause: 'Is the server running on that host and accepting TCP/IP connections?' for a refused connection,
    a missing socket and a stopped server alike, or 'before or while processing the request.'."""
    causes: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[:1] in (" ", "\t") and causes:
            causes[-1][1].append(line.strip())
        else:
            causes.append((line.strip(), []))
    if not causes:
        return ""
    cause, hint = causes[-1]
    return f"{cause} ({' '.join(hint)})" if hint else cause


#: libpq's words for a role that must give a password and gave none (the URL, PGPASSWORD and ~/.pgpass hold none).
_NO_PASSWORD = "no password supplied"


def _connect_error(url: sa.URL, err: Exception) -> ReviewError:
    """One line for a server that refuses us (wrong password, unreachable, no such database)."""
    cause = getattr(err, "orig", None) or err
    detail = passwords_masked(driver_line(str(cause)) or type(cause).__name__, url)
    if _NO_PASSWORD in detail:  # (a teammate's clone: review.toml never holds it)
        detail += "; review.toml keeps no password: give it in PGPASSWORD or ~/.pgpass (docs/team.md, Credentials)"
    return ReviewError(f"database {safe_url(url)}: cannot connect: {detail}", title="Database")
