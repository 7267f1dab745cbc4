"""Help (?) on every screen lists every key the screen has, and every listed key names an action
that exists (a typo in a Binding's action is silent in Textual until the key is pressed)."""

from __future__ import annotations

from textual.actions import parse

from review.tui.app import SCREENS
from review.tui.screens.help import HelpScreen, binding_rows
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle


@async_test
async def test_every_screens_keys_are_in_its_help_and_each_names_an_action_that_exists(tui_ws: Workspace) -> None:
    async with open_app(tui_ws, "alice", size=(100, 32)) as (app, pilot):
        for number, mode in enumerate(SCREENS, start=1):
            await pilot.press(str(number))
            await settle(pilot)
            screen = app.screen
            rows = binding_rows(screen)
            for entry in screen.active_bindings.values():
                binding = entry.binding
                if binding.id is None:  # Textual's own scroll and focus keys
                    continue
                key = binding.key_display or app.get_key_display(binding)
                assert any(description == binding.description and key in keys.split(" / ")
                           for keys, description, _ in rows), (mode, binding.id)
                destination, name, _ = parse(binding.action)
                target = app if destination == "app" else screen if destination == "screen" else entry.node
                assert callable(getattr(target, f"action_{name}", None)), (mode, binding.id, binding.action)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen), mode
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen, mode


@async_test
async def test_help_is_kept_per_screen_and_built_again_when_its_keys_change(tui_ws: Workspace) -> None:
    """A second ? on the same screen pushes the modal built the first time (composing it and laying
    out its key table was most of what ? cost); a key table that changed builds a new one."""
    async with open_app(tui_ws, "alice") as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        first = app.screen
        assert isinstance(first, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is first
        await pilot.press("escape")
        await pilot.pause()
        app.set_keymap({"dashboard.refresh": "f5"})  # (what a [tui.keys] edit does)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and app.screen is not first
        assert any(keys == "f5" and description == "Refresh" for keys, description, _ in app.screen.rows)
        await pilot.press("escape")
        await pilot.pause()
        assert not first.is_attached  # the old one is gone, not left mounted
