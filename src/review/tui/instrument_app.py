"""A small Textual app for `review instrument fill`: one screen, the fill-in mode."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ..instrument import project
from ..instrument.answers import AnswerSet, check_private_path, load_answers, new_answer_path
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

    def on_mount(self) -> None:
        self.push_screen(self.fill_screen)


def make_app(workspace: Workspace, *, answers_path: Path | None = None, client_ref: str = "",
             lang: str = "nl") -> InstrumentApp:
    """The fill-in app for ``workspace``'s current item bank; continues ``answers_path`` if it exists."""
    bank = project.current_bank(workspace)
    config = project.workspace_config(workspace)
    path = check_private_path(answers_path, workspace.root) if answers_path else new_answer_path()
    if path.is_file():
        answer_set = load_answers(path)
        if client_ref:
            answer_set.client_ref = client_ref
    else:
        answer_set = AnswerSet(bank.version, bank.evidence.sha256, {}, client_ref)
    screen = FillScreenBase.for_language(lang)(bank, config, answer_set, path,
                                               workspace_root=workspace.root, lang=lang)
    return InstrumentApp(screen)
