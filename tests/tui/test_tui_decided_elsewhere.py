"""A record decided in another window or shell of the reviewer while it was on the screening screen."""

from __future__ import annotations

from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle

SIZE = (100, 30)


@async_test
async def test_a_key_on_a_record_decided_elsewhere_says_so_in_one_line_and_the_screen_moves_on(
        fresh_ws: Workspace) -> None:
    """The store refused the decision (``DecisionConflict``) and the screen kept the record, stale, until a
    reload; now the session reads the decisions again, the screen names the record and shows the next one."""
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        screen.retrain_delay = 60.0
        first = screen.current.id
        fresh_ws.store.add_decision(first, "alice", "maybe", model_info={"phase": "ranked"})  # a script, say
        await pilot.press("i")
        await settle(pilot)
        assert [d.label for d in fresh_ws.store.decisions(reviewer="alice")] == ["maybe"]
        assert screen.current is not None and screen.current.id != first
        (said,) = [n for n in app._notifications if f"record {first}:" in n.message]
        assert said.severity == "warning" and "\n" not in said.message
        assert said.message == (f"record {first}: decided elsewhere meanwhile (maybe, by alice in another window or "
                                "shell); nothing recorded here — your decisions were read again; on to the next record")
        assert "Screened 1" in str(screen.query_one("#counts").render())


@async_test
async def test_a_conflict_whose_reading_again_fails_says_one_line_and_keeps_the_record(fresh_ws: Workspace) -> None:
    """The store refused the key (decided elsewhere) and then could not be read: the refusal says the driver's
    first line only (it embedded its SQL over three lines), and the next record's look, failing too, is one
    notification with the record left on screen (it raised out of the key's handler and ended the app)."""
    from sqlalchemy.exc import OperationalError

    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        screen.retrain_delay = 60.0
        first = screen.current.id
        fresh_ws.store.add_decision(first, "alice", "maybe", model_info={"phase": "ranked"})

        def lost() -> None:
            raise OperationalError("SELECT screening_decisions.id FROM screening_decisions", {},
                                   Exception("server closed the connection unexpectedly"))

        screen.project.session._read_decisions = lost
        await pilot.press("i")
        await settle(pilot)
        assert app.is_running and screen.current is not None and screen.current.id == first
        said = [n.message for n in app._notifications if "\n" in n.message or "server closed" in n.message]
        assert said and all("\n" not in m and "[SQL" not in m for m in said)
        assert any(m.startswith(f"record {first}: decided elsewhere meanwhile") for m in said)
        assert [d.label for d in fresh_ws.store.decisions(reviewer="alice")] == ["maybe"]


@async_test
async def test_the_browser_shows_the_label_decided_elsewhere_after_a_refused_key(fresh_ws: Workspace) -> None:
    """A key in the record browser on a record decided in a shell since the rows were read: refused as decided
    elsewhere (a warning, one line) and the row's decisions cell shows the label in force (it said a generic
    error and kept the stale cell)."""
    from textual.widgets import DataTable

    async with open_app(fresh_ws, "alice", "browser", size=SIZE) as (app, pilot):
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        record_id = int(table.coordinate_to_cell_key((0, 0)).row_key.value)
        fresh_ws.store.add_decision(record_id, "alice", "maybe", model_info={"phase": "ranked"})  # a shell
        await pilot.press("i")
        await settle(pilot)
        said = [n for n in app._notifications if f"record {record_id}: decided elsewhere" in n.message]
        assert len(said) == 1 and said[0].severity == "warning"
        cell = str(table.get_cell(str(record_id), "decisions"))
        assert "maybe" in cell and "include" not in cell
        assert [d.label for d in fresh_ws.store.decisions(reviewer="alice")] == ["maybe"]
