"""The full-text screen says decision 0033's refusals with its own keys, and warns of an assessment whose
retrieval was never recorded (the service's warning reached the command line only)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from test_tui_fulltext import SIZE, events, included_ws
from tui_workspace import async_test, open_app, settle


def _notes(app) -> list[tuple[str, str]]:
    return [(note.severity, str(note.message)) for note in app._notifications]


@async_test
async def test_refusal_names_the_key_and_the_never_sought_warning_is_shown(tmp_path: Path) -> None:
    workspace, passed = included_ws(tmp_path / "ws")
    first, second, _ = passed
    async with open_app(workspace, "alice", size=SIZE) as (app, pilot):
        await pilot.press("6")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        await pilot.press("n")  # first: not retrieved
        await settle(pilot)
        before = events(workspace)
        await pilot.press("y")  # refused
        await settle(pilot)
        assert events(workspace) == before
        refusal = _notes(app)[-1]
        assert refusal[0] == "error" and "press t (retrieved) on it first" in refusal[1]
        assert "review fulltext" not in refusal[1]
        table.move_cursor(row=1)
        await pilot.press("y")  # second, never sought: recorded, with the warning
        await settle(pilot)
        assert events(workspace)[-1] == (second, "alice", "eligible", "")
        assert _notes(app)[-1] == (
            "warning", f"record {second} was never recorded as sought or retrieved; PRISMA 2020 counts a report "
            "assessed as both (o and t record them)")
        await pilot.press("n")  # not retrieved on the report just judged: refused, said with the keys
        await settle(pilot)
        assert events(workspace)[-1] == (second, "alice", "eligible", "")
        assert _notes(app)[-1][0] == "error" and "undoes the decision first (u)" in _notes(app)[-1][1]
