"""Pilot tests of the full-text eligibility screen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Label

from review.services.prisma import fulltext_reasons
from review.store.fulltext import current_fulltext_events, fulltext_events
from review.tui.screens.fulltext import FulltextScreen
from review.tui.screens.help import binding_rows
from review.tui.screens.modals import ReasonScreen
from review.workspace import Workspace
from tui_workspace import async_test, build_workspace, open_app, settle

SIZE = (110, 34)


def included_ws(root: Path) -> tuple[Workspace, list[int]]:
    """Twelve records; alice includes three at title/abstract and excludes a fourth."""
    workspace = build_workspace(root, with_conflicts=False, with_pairs=False)
    ids = [r.id for r in workspace.store.records()]
    for rid in ids[:3]:
        workspace.store.add_decision(rid, "alice", "include")
    workspace.store.add_decision(ids[3], "alice", "exclude")
    return workspace, ids[:3]


def events(workspace: Workspace) -> list[tuple[int, str, str, str]]:
    return [(e.record_id, e.reviewer, e.event, e.reason) for e in current_fulltext_events(workspace.store)]


@async_test
async def test_fulltext_keys_write_events(tmp_path: Path) -> None:
    workspace, passed = included_ws(tmp_path / "ws")
    async with open_app(workspace, "alice", size=SIZE) as (app, pilot):
        await pilot.press("6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FulltextScreen)
        table = screen.query_one(DataTable)
        assert [int(k.value) for k in table.rows] == passed  # the excluded record is not listed
        first, second, third = passed
        await pilot.press("o", "t", "y")
        await settle(pilot)
        assert events(workspace) == [(first, "alice", "sought", ""), (first, "alice", "retrieved", ""),
                                     (first, "alice", "eligible", "")]
        assert "eligible" in str(table.get_row(str(first))[2])

        table.move_cursor(row=1)
        await pilot.press("n")
        await settle(pilot)
        assert events(workspace)[-1] == (second, "alice", "not_retrieved", "")
        assert "not retrieved" in str(table.get_row(str(second))[2])

        # x asks for a reason; cancelling writes nothing.
        table.move_cursor(row=2)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and len(events(workspace)) == 4
        await pilot.press("x")
        await settle(pilot)
        # the digit of "Wrong outcome" in the picker, wherever the reasons' list puts it (93e9eb1e moved it to 3)
        await pilot.press(str(fulltext_reasons(workspace).index("Wrong outcome") + 1))
        await settle(pilot)
        assert events(workspace)[-1] == (third, "alice", "excluded", "Wrong outcome")
        row = table.get_row(str(third))
        assert "excluded" in str(row[2]) and str(row[3]) == "Wrong outcome"

        # u undoes the latest event of this reviewer.
        await pilot.press("u")
        await settle(pilot)
        assert all(e[2] != "excluded" for e in events(workspace))
        assert fulltext_events(workspace.store)[-1].event == "undo"
        assert "excluded" not in str(table.get_row(str(third))[2])


@async_test
async def test_u_takes_back_the_latest_event_on_the_highlighted_report(tmp_path: Path) -> None:
    # u undid the reviewer's latest event on any report: with the cursor on the first, the second's went.
    workspace, passed = included_ws(tmp_path / "ws")
    first, second, third = passed
    async with open_app(workspace, "alice", "fulltext", size=SIZE) as (app, pilot):
        table = app.screen.query_one(DataTable)
        await pilot.press("o")
        table.move_cursor(row=1)
        await pilot.press("o")
        await settle(pilot)
        table.move_cursor(row=0)
        await pilot.press("u")
        await settle(pilot)
        assert events(workspace) == [(second, "alice", "sought", "")]
        assert [str(n.message) for n in app._notifications][-1] == f"undid sought of record {first}"
        table.move_cursor(row=2)
        await pilot.press("u")  # nothing of alice's on the third: one line, nothing written
        await settle(pilot)
        assert [str(n.message) for n in app._notifications][-1] == f"Nothing of yours to undo on report #{third}"
        assert events(workspace) == [(second, "alice", "sought", "")]
        assert [e.event for e in fulltext_events(workspace.store)].count("undo") == 1


@async_test
async def test_fulltext_reasons_come_from_config(tmp_path: Path) -> None:
    workspace, passed = included_ws(tmp_path / "ws")
    with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[fulltext]\nreasons = ["No full text in English", "Case report"]\n')
    workspace = Workspace(workspace.root)
    async with open_app(workspace, "bob", "fulltext", size=SIZE, blind=False) as (app, pilot):
        rows = {key: description for key, description, _ in binding_rows(app.screen)}
        assert rows["6"] == "Full text" and rows["x"] == "Exclude" and rows["u"] == "Undo"
        await pilot.press("x")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ReasonScreen) and modal.reasons == ["No full text in English", "Case report"]
        # walk20: the dialog covers the table, and "Exclude because…" did not say which report it excludes
        assert f"Exclude #{passed[0]} because" in str(modal.query_one(Label).render())
        await pilot.press("2")
        await settle(pilot)
        assert events(workspace) == [(passed[0], "bob", "excluded", "Case report")]


@async_test
async def test_l_links_a_report_to_its_study_and_shift_l_unlinks(tmp_path: Path) -> None:
    from review.store.fulltext import report_links

    workspace, passed = included_ws(tmp_path / "ws")
    first, second, third = passed
    async with open_app(workspace, "alice", "fulltext", size=SIZE) as (app, pilot):
        screen = app.screen
        table = screen.query_one(DataTable)
        await pilot.press("l")  # on the first report
        assert screen.linking == first
        assert f"linking report #{first}" in str(screen.query_one("#fulltext-status").render())
        await pilot.press("escape")  # changed my mind: nothing written
        assert screen.linking is None and report_links(workspace.store) == {}

        await pilot.press("l")
        table.move_cursor(row=1)
        await pilot.press("l")  # the second report stands for the study
        await settle(pilot)
        links = report_links(workspace.store)
        assert links[first].study_id == second and links[first].reviewer == "alice"
        assert table.get_row(str(first))[1] == str(second)  # the study column
        assert table.get_row(str(second))[1] == ""

        # Linking the study's own record to a report of that study would be a loop: refused.
        table.move_cursor(row=1)
        await pilot.press("l")
        table.move_cursor(row=0)
        await pilot.press("l")
        await settle(pilot)
        assert report_links(workspace.store)[first].study_id == second and second not in report_links(workspace.store)

        table.move_cursor(row=0)
        await pilot.press("L")
        await settle(pilot)
        assert report_links(workspace.store)[first].study_id is None  # appended, the old link kept in the log
        assert table.get_row(str(first))[1] == ""


@async_test
async def test_the_linking_hint_is_whole_at_80_columns(tmp_path: Path) -> None:
    workspace, _ = included_ws(tmp_path / "ws")
    async with open_app(workspace, "alice", "fulltext", size=(80, 24)) as (app, pilot):
        await pilot.press("l")
        await pilot.pause()
        status = app.screen.query_one("#fulltext-status")
        shown = "\n".join(line.text for line in status.render_lines(status.region.reset_offset))
        assert "escape cancels" in shown, shown
