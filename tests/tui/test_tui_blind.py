"""Blind mode on the screens that count the review, not one reviewer's screening (decision 0052): the full-text
list and the dashboard's PRISMA rows reveal no other reviewer's title/abstract label until b, and the full-text
list no other reviewer's full-text judgement either (decision 0055)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from review.tui.screens.dashboard import DashboardScreen
from review.tui.screens.dashboard_stages import PRISMA_HIDDEN
from review.prisma.fulltext import record_fulltext
from review.services.prisma import fulltext_reasons
from review.store.fulltext import current_fulltext_events
from review.tui.screens.fulltext import BLIND_JUDGEMENT_IN_THE_WAY, BLIND_LINE, NO_REPORT_BLIND, FulltextScreen
from review.workspace import Workspace
from tui_workspace import async_test, build_workspace, open_app, settle

SIZE = (110, 34)


def split_ws(root: Path) -> tuple[Workspace, list[int]]:
    """build_workspace's four dual decisions (alice / bob: include/include, exclude/include, include/exclude,
    exclude/exclude), plus a fifth record only bob screened, including it."""
    workspace = build_workspace(root, with_pairs=False)
    ids = [r.id for r in workspace.store.records()]
    workspace.store.add_decision(ids[4], "bob", "include")
    return workspace, ids


def listed(app: object) -> list[int]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, FulltextScreen)
    return [int(key.value) for key in screen.query_one(DataTable).rows]


def stage_lines(app: object) -> list[str]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, DashboardScreen)
    stages = screen.query_one("#stages")
    return [line.text.strip() for line in stages.render_lines(stages.region.reset_offset)]


@async_test
async def test_blind_full_text_lists_only_what_your_own_labels_send_there(tmp_path: Path) -> None:
    workspace, ids = split_ws(tmp_path / "ws")
    async with open_app(workspace, "alice", "fulltext", size=SIZE) as (app, pilot):
        assert app.project is not None and app.project.blind  # two reviewers: blind by default
        # Not ids[1] (alice excluded, bob included: a conflict passes on) nor ids[4] (only bob screened it).
        assert listed(app) == [ids[0], ids[2]]
        status = str(app.screen.query_one("#fulltext-status").render())
        assert BLIND_LINE in status and "2 reports at full text" in status
        await pilot.press("4", "b", "6")
        await settle(pilot)
        assert listed(app) == [ids[0], ids[1], ids[2], ids[4]]  # unblinded: every record passed on
        assert BLIND_LINE not in str(app.screen.query_one("#fulltext-status").render())


@async_test
async def test_blind_full_text_with_nothing_of_yours_says_why(tmp_path: Path) -> None:
    workspace, ids = split_ws(tmp_path / "ws")
    async with open_app(workspace, "carol", "fulltext", size=SIZE) as (app, pilot):  # screened nothing
        assert listed(app) == []
        await pilot.press("y")
        await settle(pilot)
        assert [n.message for n in app._notifications][-1] == NO_REPORT_BLIND


@async_test
async def test_blind_dashboard_hides_the_prisma_rows_until_b(tmp_path: Path) -> None:
    workspace, _ = split_ws(tmp_path / "ws")
    async with open_app(workspace, "alice", size=SIZE) as (app, pilot):
        lines = stage_lines(app)
        screened = next(line for line in lines if line.startswith("Records screened"))
        excluded = next(line for line in lines if line.startswith("Excluded (PRISMA)"))
        assert screened.split()[-1] == PRISMA_HIDDEN and excluded.split()[-1] == PRISMA_HIDDEN, lines
        assert any("Screened (you)" in line and "4 / 12" in line for line in lines)  # her own counts stay
        await pilot.press("4", "b", "1")
        await settle(pilot)
        lines = stage_lines(app)
        # Five records screened by anyone; one (ids[3]) excluded by both.
        assert next(line for line in lines if line.startswith("Records screened")).split()[-1] == "5", lines
        assert next(line for line in lines if line.startswith("Excluded (PRISMA)")).split()[-1] == "1", lines


def judged_ws(root: Path) -> tuple[Workspace, list[int]]:
    """split_ws, with full-text judgements on the two records both alice and bob included or alice alone did:
    ids[0] excluded by bob alone, ids[2] eligible for alice and excluded by bob (a conflict)."""
    workspace, ids = split_ws(root)
    reasons = fulltext_reasons(workspace)
    store = workspace.store
    record_fulltext(store, ids[0], "bob", "excluded", reasons=reasons, reason=reasons[0])
    record_fulltext(store, ids[2], "alice", "eligible", reasons=reasons)
    record_fulltext(store, ids[2], "bob", "excluded", reasons=reasons, reason=reasons[0])
    return workspace, ids


def rows(app: object) -> dict[int, tuple[str, str]]:
    """record -> (state, reason) as the full-text table shows them."""
    table = app.screen.query_one(DataTable)  # type: ignore[attr-defined]
    return {int(key.value): (str(table.get_row(key)[2]), str(table.get_row(key)[3])) for key in table.rows}


@async_test
async def test_blind_full_text_shows_only_your_own_judgements_until_b(tmp_path: Path) -> None:
    workspace, ids = judged_ws(tmp_path / "ws")
    reason = fulltext_reasons(workspace)[0]
    async with open_app(workspace, "alice", "fulltext", size=SIZE) as (app, pilot):
        # bob's exclusion of ids[0] is not shown, nor his reason; ids[2] is alice's eligible, not a conflict.
        assert rows(app) == {ids[0]: ("awaiting", ""), ids[2]: ("eligible", "")}
        status = str(app.screen.query_one("#fulltext-status").render())
        assert "1 eligible" in status and "excluded" not in status and "conflict" not in status, status
        assert BLIND_LINE in status
        await pilot.press("4", "b", "6")
        await settle(pilot)
        shown = rows(app)
        assert shown[ids[0]] == ("excluded", reason) and shown[ids[2]] == ("conflict", ""), shown
        status = str(app.screen.query_one("#fulltext-status").render())
        assert "1 excluded" in status and "1 conflict" in status, status


@async_test
async def test_a_blind_refusal_names_neither_the_other_reviewer_nor_the_verdict(tmp_path: Path) -> None:
    """n (not retrieved) on a report bob excluded is refused, as unblinded; the line says a hidden judgement is
    in the way, not whose or which (the store's words say "excluded, by bob")."""
    workspace, ids = judged_ws(tmp_path / "ws")
    before = current_fulltext_events(workspace.store)
    async with open_app(workspace, "alice", "fulltext", size=SIZE) as (app, pilot):
        app.screen.query_one(DataTable).move_cursor(row=0)  # ids[0]
        await pilot.press("n")
        await settle(pilot)
        said = [n.message for n in app._notifications][-1]
        assert BLIND_JUDGEMENT_IN_THE_WAY in said and f"record {ids[0]}" in said, said
        assert "bob" not in said and "excluded" not in said, said
        assert current_fulltext_events(workspace.store) == before  # nothing recorded
        await pilot.press("4", "b", "6")
        await settle(pilot)
        app.screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("n")
        await settle(pilot)
        said = [n.message for n in app._notifications][-1]
        assert "excluded, by bob" in said, said  # unblinded, the refusal names them as before


@async_test
async def test_the_prisma_rows_qualifier_is_one_line_at_80_columns(tmp_path: Path) -> None:
    """tui31's walk at 80x24 (the demo: its search's '1,585 hits' widens the value column): '(PRISMA, any' with
    'reviewer)' alone on the next line, and blind '(blind: b on screen' / '4 shows)', which took the line its
    comment says it must not. Each qualifier now fits the label column of the dashboard's Pipeline panel."""
    from dataclasses import replace
    from types import SimpleNamespace

    from review.tui.screens.dashboard_stages import stage_table
    from review.tui.screens.dashboard_stages import _height  # (the panel's own measure of a table)

    workspace, _ = split_ws(tmp_path / "ws")
    search = SimpleNamespace(name="demo", last_run="2026-12-07", seed_check=None, seeds=0, hits=1585,
                             status="complete", new_records=1585)
    for blind in (False, True):
        async with open_app(workspace, "alice", size=(80, 24), blind=blind) as (app, pilot):
            screen = app.screen
            assert isinstance(screen, DashboardScreen) and screen.data is not None
            width = screen.query_one("#dash-left").content_region.width
            data = replace(screen.data, searches=[search])
        table = stage_table(data, blind=blind)
        unfolded = stage_table(replace(data, searches=[]), blind=blind)
        # one row more (the search's), not two: no row wraps
        assert _height(table, width) == _height(unfolded, width) + 1, (blind, width)
