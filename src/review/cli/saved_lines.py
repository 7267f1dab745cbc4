"""One tab-separated stdout line per decision saved, printed from inside a service's saving loop
(``review decide``, ``review conflicts resolve``): a stdout that cannot be written must stop the lines,
never the saving."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from ..words import counted
from .context import say

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..records import Decision
    from .context import Context


class SavedLinePrinter:
    """Prints ``record id, label, name`` per decision saved; the team warning once, before the first.

    Called inside the saving loop, so a stdout that cannot be written (a reader gone, `| head -1`,
    `| true`; a full disk) must not stop it: the printing stops, the saving goes on, and one stderr
    line after the loop says so (a BrokenPipeError escaping here left the other IDs untried).
    ``noun`` names what is saved ("decision", "resolution"), ``lists_them`` the command that lists them all."""

    def __init__(self, name: str, warning: str | None, *, noun: str = "decision",
                 lists_them: str = "review export decisions", line: Callable[[Decision], str] | None = None) -> None:
        self.name = name
        #: The stdout line of a decision saved (``conflicts reopen`` prints four cells), else ``record id, label, name``.
        self.line = line or (lambda decision: f"{decision.record_id}\t{decision.label}\t{self.name}")
        self.pending = [warning] if warning else []
        self.noun = noun
        self.lists_them = lists_them
        self.saved = 0
        self.printed = 0
        self.stdout_error: OSError | None = None

    def __call__(self, decision: Decision) -> None:
        self.saved += 1
        while self.pending:
            say("warning", self.pending.pop())
        if self.stdout_error is not None:
            return
        try:
            click.echo(self.line(decision))
        except OSError as err:  # BrokenPipeError among them
            self.stdout_error = err
            silence_stdout()
        else:
            self.printed += 1

    def tell_of_lost_stdout(self) -> None:
        """One stderr line if stdout was lost: how many were saved, how many of their lines printed."""
        if self.stdout_error is None:
            return
        why = self.stdout_error.strerror or type(self.stdout_error).__name__
        click.echo(f"review: stdout: {why}: {counted(self.saved, self.noun)} saved, the lines of {self.printed} "
                   f"printed ({self.lists_them} lists them all)", err=True)


def silence_stdout() -> None:
    """Points stdout at the null device, as Python's docs advise after a BrokenPipeError, so the
    interpreter's flush at exit does not raise again over what is still buffered."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test runner's buffer)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def warn_sought_then_excluded(ctx: Context, record_ids: list[int]) -> None:
    """One stderr line per record these decisions excluded while its full-text events stand (``review prisma``
    would call the flow broken, and nothing said so when the decision was made)."""
    from ..services.prisma import sought_then_excluded

    for found in sought_then_excluded(ctx.workspace, record_ids):
        say("warning", found.warning())
