"""The dashboard's import dialog: which file, and under which source name (``review import FILE [--source NAME]``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...services.sources import import_formats

#: Under the source box: what an empty one means (``review import``'s default for ``--source``).
SOURCE_DEFAULT = "the database the file names (a DB line; PubMed for PMIDs), else the file's name"


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """A file to import, as typed (``actions.import_path`` finds it), and the source name (None: the file's own)."""

    path: str
    source: str | None


class ImportScreen(ModalScreen[ImportRequest | None]):
    """Ask for a file and a source name; Enter in either box imports, Escape cancels."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="import.cancel")]

    def __init__(self, relative_to: str) -> None:
        super().__init__()
        self.relative_to = relative_to
        """Where a relative path starts from, said in the dialog (``actions.start_folder_note``)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # (a Static, which wraps: a Label's line was cut at 80 columns)
            yield Static(f"Import a file: {import_formats()}")
            yield Input(placeholder="e.g. exports/embase.ris or ~/Downloads/savedrecs.txt", id="import-path")
            yield Static(f"{self.relative_to}; the format is detected from the file", classes="hint")
            yield Input(placeholder="source name (optional), e.g. Embase", id="import-source")
            yield Static(f"empty: {SOURCE_DEFAULT}", classes="hint")
            yield Static("Enter imports, Esc cancels", classes="hint")

    @on(Input.Submitted)
    def _submit(self) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if not path:  # (Enter in the source box before a path was typed: the path box is what is missing)
            self.query_one("#import-path", Input).focus()
            self.app.bell()
            self.notify("Type the path of the file to import first", title="Import", severity="warning", timeout=4)
            return
        # A blank name means none given, as the service reads it (' Embase' would be a second database).
        source = self.query_one("#import-source", Input).value.strip() or None
        self.dismiss(ImportRequest(path, source))

    def action_cancel(self) -> None:
        self.dismiss(None)
