"""A small Textual app for `review instrument fill`: one screen, the fill-in mode."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from .plain_app import PlainNotifyApp
from ..services.instrument import open_fill
from ..workspace import Workspace
from .screens.instrument_fill import FillScreenBase


class InstrumentApp(PlainNotifyApp):
    """Hosts :class:`InstrumentFillScreen`; quitting is safe because every answer is saved."""

    TITLE = "review instrument"
    #: The palette's labels are English only; the fill-in mode speaks the chosen language.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="instrument.quit", show=False,
                        tooltip="Quit (answers are already saved)")]

    def __init__(self, screen: FillScreenBase) -> None:
        super().__init__()
        self.fill_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.fill_screen)


def make_app(workspace: Workspace, *, answers_path: Path | None = None, client_ref: str = "",
             lang: str = "nl") -> InstrumentApp:
    """The fill-in app for ``workspace``'s current item bank; continues ``answers_path`` if it exists."""
    fill = open_fill(workspace, answers_path=answers_path, client_ref=client_ref)
    screen = FillScreenBase.for_language(lang)(fill.bank, fill.config, fill.answer_set, fill.answers_path,
                                               workspace_root=workspace.root, lang=lang)
    return InstrumentApp(screen)
