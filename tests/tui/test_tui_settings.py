"""An open app follows edits of review.toml (review.tui.settings): at a recount, a screen switch, focus."""

from __future__ import annotations

from review.tui.screens.browser import BrowserScreen
from review.tui.screens.dashboard import DashboardScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle


def _append(workspace: Workspace, text: str) -> None:
    with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
        handle.write(text)


def _messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


@async_test
async def test_an_edited_prisma_sources_counts_at_the_next_recount(fresh_ws: Workspace) -> None:
    """The known leftover: the dashboard kept counting Embase as a database until a restart."""
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.data.other_methods == 0
        _append(fresh_ws, '\n[prisma.sources]\nEmbase = "citation"\n')
        await pilot.press("g")
        await settle(pilot)
        assert app.screen.data.other_methods == 6  # Embase's six records go straight to full text now
        assert app.screen.data.progress.total == 6
        assert any("prisma.sources in use now" in m for m in _messages(app))


@async_test
async def test_a_broken_review_toml_keeps_the_last_settings_in_one_line_and_a_fix_is_read(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        good = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        fresh_ws.path("review.toml").write_text(good + "\n[prisma.sources\n", encoding="utf-8")
        await pilot.press("g")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "review.toml" in errors[0].message and "keeping the settings" in errors[0].message
        assert "\n" not in errors[0].message
        assert fresh_ws.config.title == "TUI test review"
        fresh_ws.path("review.toml").write_text(good + '\n[prisma.sources]\nEmbase = "citation"\n', encoding="utf-8")
        await pilot.press("1")  # a screen switch reads it too
        await settle(pilot)
        assert app.screen.data.other_methods == 6


@async_test
async def test_keys_apply_at_once_and_start_up_settings_say_they_need_a_restart(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        _append(fresh_ws, '\n[tui.keys]\n"app.browser" = "b"\n')
        text = fresh_ws.path("review.toml").read_text(encoding="utf-8")
        fresh_ws.path("review.toml").write_text(text.replace('retrain = "thread"', 'retrain = "process"'),
                                                encoding="utf-8")
        app.post_message(__import__("textual.events", fromlist=["AppFocus"]).AppFocus())  # back from the editor
        await settle(pilot)
        assert any("tui.retrain changed: restart review" in m for m in _messages(app)), _messages(app)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)


@async_test
async def test_the_dashboards_own_stopping_rule_switch_is_not_reported_as_an_edit(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", size=(100, 32)) as (app, pilot):
        await pilot.press("t")
        await settle(pilot)
        assert app.project.session.stopping_rule == "certified"
        assert not any("restart" in m or "read again" in m for m in _messages(app)), _messages(app)
