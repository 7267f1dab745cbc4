"""A window opened on a store it cannot write (a colleague's review copied read-only, an archive).

The app opens it to read (``Project.read_only`` says why) and refuses, in one line, every key whose action
records something: each screen names those actions in ``WRITES`` (its action names, without arguments), and
``ReviewApp.run_action`` asks ``writes`` before any of them runs. The store refuses a write anyway; the refusal
here says why before a dialog opens or a worker starts. The footer shows those keys dimmed (``action_state``).
"""

from __future__ import annotations

from typing import Any

from textual.actions import parse as parse_action

#: After the reviewer's name in the header while the window is read-only (the why is in the notification at
#: opening and in every refusal: a store path does not fit a header line at 80 columns).
HEADER_WORDS = "READ-ONLY: the store cannot be written"


def opened_words(why: str) -> str:
    """The notification at opening: what is read-only, what that means here, and what to do."""
    return (f"Opened read-only: {why}. Keys that record (decisions, full text, dedup verdicts, resolutions, "
            "exports, saves) are refused; to work on this review, copy the workspace folder to one you can write to.")


def refusal_words(why: str) -> str:
    """A key refused in a read-only window, in one line."""
    return f"Read-only: {why}; nothing recorded (to work on this review, copy the workspace folder)"


def writes(action: str, default_namespace: Any) -> bool:
    """Whether ``action`` (a binding's action string, run on ``default_namespace`` when it names no other)
    records something: its name is in the namespace's ``WRITES``. An action on another namespace (``app.…``)
    switches screens, quits or shows help."""
    try:
        namespace, name, _ = parse_action(action)
    except Exception:  # (a malformed action is Textual's to report)
        return False
    return not namespace and name in getattr(default_namespace, "WRITES", ())


def action_state(node: Any, action: str) -> bool | None:
    """A screen's ``check_action`` for its own ``action``: None (its key dimmed in the footer; pressed, it still
    reaches ``ReviewApp.run_action``, which says why) when the action records and the window is read-only."""
    project = getattr(node.app, "project", None)
    if project is not None and project.read_only and action in getattr(node, "WRITES", ()):
        return None
    return True
