"""A footer whose help and quit keys are always in view, however many keys a screen has."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # (not exported; Textual is pinned in pyproject.toml)

#: The bindings (by id) kept at the footer's right end: the key that lists every other key and the key that quits.
ALWAYS_SHOWN = ("app.help", "app.quit")


class KeptKeys(HorizontalGroup):
    """The footer's right end: the keys the screen's own keys never push out of view."""

    DEFAULT_CSS = """
    KeptKeys {
        dock: right;
        width: auto;
        height: 1;
        padding-left: 1;  /* (a key cut short on the left would run into "? Help") */
        background: $footer-background;
    }
    """


class ReviewFooter(Footer):
    """Textual's footer, with ``ALWAYS_SHOWN`` docked right: at 60 columns the screening screen's keys filled the
    line and ``? Help`` and ``q Quit`` were cut off, so nothing said how to list the other keys or leave."""

    DEFAULT_CSS = """
    ReviewFooter {
        &.-compact KeptKeys FooterKey.-last { margin-right: 0; }
    }
    """

    def compose(self) -> ComposeResult:
        active = self.screen.active_bindings
        kept_keys = {key for key, binding in active.items() if binding.binding.id in ALWAYS_SHOWN}
        kept: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.key in kept_keys:
                kept.append(widget)
            else:
                yield widget
        if kept:
            kept[-1].add_class("-last")  # (no margin after it: the line's last cell is a key's, as before)
            with KeptKeys():
                yield from kept
