"""The store's errors, each one line for the shells: busy, lost, missing, read-only or moved, and a store a newer
review upgraded (``NewerStore``). ``core`` raises them as it opens and writes; the services name them to the shells."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
import os

from ..errors import ReviewError
from .schema import SCHEMA_VERSION

__all__ = ["NewerStore", "StatementCancelled", "StoreBusy", "StoreLost", "StoreMissing", "StoreMoved",
           "StoreReadOnly"]


class StoreBusy(ReviewError):
    """Another process kept the SQLite store's write lock past the busy timeout; nothing was written."""

    title = "Store busy"
    exit_code = 7


class StatementCancelled(ReviewError):
    """The PostgreSQL server cancelled a statement: past a statement_timeout its administrator set for the database
    or the role (review sets none), or at another session's request; what it was writing was rolled back."""

    title = "Statement cancelled"
    exit_code = 1  # (a timeout cancels the same write again: running it again does not help)


class StoreLost(ReviewError):
    """The store's connection was lost, or its SQLite file removed, after it opened: what was under way is not
    known to be saved (a screening session reads its decisions again before its next key)."""

    title = "Store lost"
    exit_code = 7  # like busy: running the command again once the store answers succeeds


class StoreMissing(ReviewError):
    """The store named is not there: a SQLite file moved, deleted or never copied (it stays out of git), or a
    database without the review's tables. Opened without ``create``, nothing is created: an empty store in its
    place would show an empty review, on which the reviewer could start again over the lost decisions."""

    title = "Store missing"
    exit_code = 1

    def __init__(self, where: str, *, file: bool, advice: str = "", unsaved: Sequence[Path] = ()) -> None:
        missing = ("the store file is not there (moved, deleted, or not in this copy)" if file
                   else "the database holds no review store (none of the review's tables)")
        if file and Path(where).is_symlink():  # (an unmounted disk, a moved target: the link is not the store)
            missing = f"the store file is a link to {os.readlink(where)}, which is not there (a disk not mounted?)"
        if unsaved:
            # The -wal (or -journal) holds the last changes, not yet in the file: starting an empty store here
            # would make SQLite drop it, so the only advice is to bring the file back beside it.
            names, one = " and ".join(side.name for side in unsaved), len(unsaved) == 1
            advice = (f"{names} {'is' if one else 'are'} still here: {'it holds' if one else 'they hold'} the "
                      f"store's last changes, which are not in the file; put {Path(where).name} back beside "
                      f"{'it' if one else 'them'} (the file that was moved, not an older copy) and run the command "
                      "again")
        advice = advice or ("put the store back (from a backup, or from where it was moved) and run the command "
                            "again")
        super().__init__(f"{where}: {missing}; nothing was created — {advice}")
        self.where = where
        self.file = file
        self.unsaved = tuple(unsaved)


class StoreReadOnly(ReviewError):
    """The SQLite store file, its -wal or -shm, or its folder is read-only to this process (permissions, a
    read-only mount): nothing was written. ``what``: the words naming what is read-only, for a shell that says
    what to do in its own words (the TUI opened read-only)."""

    title = "Store read-only"

    def __init__(self, message: str, *, what: str = "") -> None:
        super().__init__(message)
        self.what = what or message


class StoreMoved(ReviewError):
    """``review migrate`` moved the review to another store; nothing was written to this one."""

    title = "Store moved"
    exit_code = 7  # like busy: running the command again (on the new store) succeeds

    def __init__(self, moved_to: str, advice: str = "") -> None:
        advice = advice or (f"run the command again; if review.toml still names this store, point it at the new one "
                            f"(a teammate: pull the review.toml that names it; the one whose move was cut short: "
                            f"review migrate --to {moved_to})")
        super().__init__(f"this review moved to {moved_to}; nothing was saved here — {advice}")
        self.moved_to = moved_to


class NewerStore(ReviewError):
    """A newer review upgraded the store's schema: this one refuses to open it, and a process that opened it
    before the upgrade writes nothing more (its writes would lack what the newer writers record)."""

    title = "Upgrade review"
    exit_code = 1

    def __init__(self, version: int, *, opened_before: bool = False) -> None:
        upgrade = "upgrade review (the version your team uses, or later) and run it again"
        if opened_before:
            message = (f"a newer review upgraded this store to schema version {version} while this process had it "
                       f"open (this review writes version {SCHEMA_VERSION}); nothing was saved here — {upgrade}")
        else:
            message = (f"store schema version {version} is newer than this review ({SCHEMA_VERSION}); nothing was "
                       f"read or saved — {upgrade}")
        super().__init__(message)
        self.version = version
