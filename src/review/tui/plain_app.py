"""The app base both of the project's Textual apps share: every notification drawn as plain text."""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel


class PlainNotifyApp(App[None]):
    """An app whose notifications are plain text, whatever the caller passes for ``markup``."""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual reads markup by default, and the project's text in a message (a reason "other [/] see
        note", an item bank's help text, an error quoting a file) raised a MarkupError when drawn, which
        ended the app. (Screens' ``notify`` comes here too.)"""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)
