"""A small Textual app for `review instrument fill`: one screen, the fill-in mode."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel

from ..services.instrument import open_fill
from ..workspace import Workspace
from .screens.instrument_fill import FillScreenBase


class InstrumentApp(App[None]):
    """Hosts :class:`InstrumentFillScreen`; quitting is safe because every answer is saved."""

    TITLE = "review instrument"
    #: The palette's labels are English only; the fill-in mode speaks the chosen language.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="instrument.quit", show=False,
                        tooltip="Quit (answers are already saved)")]

    def __init__(self, screen: FillScreenBase) -> None:
        super().__init__()
        self.fill_screen = screen

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification as plain text (see ``ReviewApp.notify``): the item bank's help texts and a
        file's name in an error are the project's text, and "[/]" in one ended the app."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        self.push_screen(self.fill_screen)


def make_app(workspace: Workspace, *, answers_path: Path | None = None, client_ref: str = "",
             lang: str = "nl") -> InstrumentApp:
    """The fill-in app for ``workspace``'s current item bank; continues ``answers_path`` if it exists."""
    fill = open_fill(workspace, answers_path=answers_path, client_ref=client_ref)
    screen = FillScreenBase.for_language(lang)(fill.bank, fill.config, fill.answer_set, fill.answers_path,
                                               workspace_root=workspace.root, lang=lang)
    return InstrumentApp(screen)
