"""One error base for the whole package; front ends decide how to show it."""

from __future__ import annotations


class ReviewError(Exception):
    """An error the user can act on. ``str(err)`` is one line naming file/field/line."""

    title = "Error"
    exit_code = 1

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title is not None:
            self.title = title


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


class ValidationError(ReviewError):
    title = "Validation"
    exit_code = 4


class RetrievalError(ReviewError):
    title = "Retrieval"
    exit_code = 5
