"""One error base for the whole package; front ends decide how to show it."""

from __future__ import annotations

import stat
from pathlib import Path


class ReviewError(Exception):
    """An error the user can act on. ``str(err)`` is one line naming file/field/line."""

    title = "Error"
    exit_code = 1

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title is not None:
            self.title = title


#: Where a database driver's error goes on with the SQL and a link (SQLAlchemy's ``[SQL: …]``,
#: ``(Background on this error at: …)``): a dozen lines that say nothing to a reviewer.
KNOWN_TAILS = ("\n[SQL:", "\n(Background on this error")


def first_line(error: BaseException) -> str:
    """What ``error`` says, in one line: the known tails cut, the rest joined, its type's name when it says
    nothing. Only the tails go: NCBI's "Search Backend failed: Exception:\n'retstart' cannot be larger than
    9998…" says its cause on the second line, and its first line alone ended on "Exception:"."""
    text = str(error)
    for tail in KNOWN_TAILS:
        text = text.split(tail, 1)[0]
    return " ".join(text.split()) or type(error).__name__


class DecisionConflict(ReviewError):
    """Another session of the same reviewer decided the record first (``record_id``); nothing was recorded."""

    title = "Screening"

    def __init__(self, message: str, *, record_id: int | None = None) -> None:
        super().__init__(message)
        self.record_id = record_id


class UnknownRecord(ReviewError):
    """A record id the workspace does not hold: refused before anything is written, in one wording for every
    command taking record ids (decide, conflicts resolve, prisma remove/restore, fulltext, dedup --undo-merge)."""

    def __init__(self, record_id: int) -> None:
        #: Without "nothing recorded", for a line that goes on to say what was recorded before it.
        self.reason = f"record {record_id}: not in this workspace"
        super().__init__(f"{self.reason}; nothing recorded")
        self.record_id = record_id


class WorkspaceError(ReviewError):
    title = "Workspace"
    exit_code = 2


class ImportFormatError(ReviewError):
    """A bibliographic file could not be read; nothing from it was imported."""

    title = "Import"
    exit_code = 3

    def __init__(self, path: object, where: str | None, what: str) -> None:
        location = f"{path}:{where}" if where else f"{path}"
        super().__init__(f"{location}: {what}")
        self.path = path
        self.where = where
        self.what = what


def check_input_file(path: Path, *, pipe_ok: bool = False) -> None:
    """Refuse, with one :class:`ImportFormatError` naming ``path``, what is no file to read: missing,
    a directory, a device or a socket (/dev/zero never ends), and a FIFO unless ``pipe_ok``. The one
    check of every file a user gives a command. Commands that read their file once take a FIFO
    (``pipe_ok``), so ``gpg -d answers.json.gpg | review instrument score /dev/stdin`` or ``<(…)``
    keeps decrypted client answers off disk; ``review import`` does not (see ``read_input_bytes``)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ImportFormatError(path, None, "no such file") from None
    except OSError as err:
        raise ImportFormatError(path, None, f"cannot read: {err.strerror or err}") from None
    if stat.S_ISDIR(mode):
        raise ImportFormatError(path, None, "is a directory, not a file")
    if pipe_ok and stat.S_ISFIFO(mode):
        return
    if not stat.S_ISREG(mode):
        kind = "a pipe, device or socket" if not pipe_ok else "a device or socket"
        raise ImportFormatError(path, None, f"not a regular file ({kind}); save it to a file first")


class ChoiceError(ReviewError):
    """A value typed for ``option`` that names none of the choices the review has (an exclusion reason
    its criteria do not list, or the start of several; an unknown rule set): a command-line mistake, exit
    2 as click's own. The command line words it as click words a bad value (``Invalid value for
    '--reason': 'x' is not …``); elsewhere ``str(err)`` is ``--reason: 'x' is not …``."""

    title = "Input"
    exit_code = 2

    def __init__(self, option: str, value: str, problem: str) -> None:
        super().__init__(f"{option}: {value!r} {problem}")
        self.option = option
        self.value = value
        #: What is wrong with the value, worded to follow it (``is not a rule set (expected one of: …)``).
        self.problem = problem


class ValidationError(ReviewError):
    title = "Validation"
    exit_code = 4


class RetrievalOrderError(ValidationError):
    """A full-text event that would leave a report both assessed and not retrieved (decision 0033, full text).

    ``why`` says what stands, whatever the shell; ``str(err)`` adds the command line's remedy, and a
    shell with other means words its own (``kind``: "retrieve first" or "undo the decision first";
    ``judged_by``: whose eligibility decision is in the way, for a blind shell that may not name it)."""

    def __init__(self, record_id: int, why: str, kind: str, command: str, *, judged_by: str = "") -> None:
        super().__init__(f"{why}: {command} first; nothing recorded")
        self.record_id = record_id
        self.why = why
        self.kind = kind
        self.judged_by = judged_by


#: ``RetrievalOrderError.kind``: what the user does first.
RETRIEVE_FIRST = "retrieve first"
UNDO_DECISION_FIRST = "undo the decision first"


class RetrievalError(ReviewError):
    title = "Retrieval"
    exit_code = 5
