"""Help modal built from the live bindings of the screen it was opened on."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static


def binding_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(key, description, tooltip) for every binding active on ``screen``: the screen's own keys
    first, then the app's (screen numbers, ``?``, ``q``), then Textual's scrolling and focus keys.

    Ours are the bindings with an id; without this order the focused widget's ten scroll keys
    filled the modal at 80×24 and the decision keys were below the fold."""
    rows: list[tuple[str, str, str]] = []
    row_of: dict[str, int] = {}  # action -> its row: our fallback key (f2 beside ctrl+s) joins its row
    active = screen.active_bindings

    def rank(item: tuple[str, ActiveBinding]) -> int:
        entry = item[1]
        if entry.binding.id is None:
            return 2
        return 1 if entry.node is screen.app else 0

    ordered = sorted(active.items(), key=rank)
    for _key, entry in ordered:
        binding = entry.binding
        if not binding.description:
            continue
        display = binding.key_display or screen.app.get_key_display(binding)
        if binding.action in row_of:
            if binding.id is None:  # Textual's own second key for one of ours (ctrl+q for q): left out
                continue
            index = row_of[binding.action]
            keys, description, tooltip = rows[index]
            if display not in keys.split(" / "):
                rows[index] = (f"{keys} / {display}", description, tooltip)
            continue
        row_of[binding.action] = len(rows)
        rows.append((display, binding.description, binding.tooltip or entry.tooltip))
    return rows


class HelpScreen(ModalScreen[None]):
    """Key table for the current screen plus that screen's own HELP text."""

    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]], help_markdown: str = "", title: str = "") -> None:
        super().__init__()
        self.rows = rows
        self.help_markdown = help_markdown
        self.title_text = title

    def on_screen_resume(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_home(animate=False)  # (kept: opened again at the top)

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold reverse", no_wrap=True)
        table.add_column(style="bold")
        table.add_column(style="dim")
        for key, description, tooltip in self.rows:
            # Text: Rich reads a str cell as markup; a key remapped in [tui.keys] is the project's text.
            table.add_row(Text(f" {key} "), Text(description), Text(tooltip))
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold underline"), classes="help-title")
            yield Static(table, id="help-keys")
            if self.help_markdown:
                yield Markdown(self.help_markdown, id="help-text")
            yield Static(Text("esc / ? closes", style="dim"))


class HelpScreens:
    """One help modal per screen class, kept (installed) while the keys it lists stay the same.

    Opening it again costs the push alone: composing it and laying out its key table took two
    thirds of the UI thread's 80 ms per ``?`` at 80×24 (docs/benchmarks/tui-screens-2026-12-05.md).
    A changed key table (a ``[tui.keys]`` edit, another widget focused) builds a new one."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._kept: dict[type[Screen], HelpScreen] = {}

    def for_screen(self, screen: Screen) -> HelpScreen:
        rows = binding_rows(screen)
        kept = self._kept.get(type(screen))
        if kept is not None and kept.rows == rows:
            return kept
        if kept is not None:
            self.app.uninstall_screen(kept)
            kept.remove()  # (uninstalled and off every stack: Textual would keep it mounted)
        made = HelpScreen(rows, getattr(screen, "HELP", "") or "", screen.__class__.__name__)
        self.app.install_screen(made, f"help-{screen.__class__.__name__}")
        self._kept[type(screen)] = made
        return made
