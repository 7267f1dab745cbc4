"""The base of every screen that shows the app's project (loaded in a worker after first paint)."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

from ..project import Project


def screen_footer() -> Footer:
    """Every screen's footer: compact and without the palette hint, so that ``?`` and ``q`` stay
    in view at 80 columns (the right-docked ``^p palette`` hint was drawn over them)."""
    return Footer(compact=True, show_command_palette=False)


class ProjectScreen(Screen[None]):
    """Watches ``app.project`` and calls ``load`` once it is there (and whenever it changes).

    Textual runs ``on_mount`` of every class in the MRO, subclass first, so a subclass's own
    ``on_mount`` (adding table columns, say) runs before the first ``load``.
    """

    @property
    def project(self) -> Project | None:
        return self.app.project  # type: ignore[attr-defined, no-any-return]

    def on_mount(self) -> None:
        self.watch(self.app, "project", self._project_changed, init=True)

    def _project_changed(self, project: Project | None) -> None:
        if project is not None:
            self.load()

    def load(self) -> object:
        """Start loading what the screen shows (subclasses run it in a worker)."""
        raise NotImplementedError
