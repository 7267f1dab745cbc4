"""`s` on the screening screen records one screening stop: a second `s` while it is recorded, or while it
stands, records none (stacked stops needed as many `review prisma resume`s, and after one the first stop was
back in force)."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from review.services.prisma import current_screening_stop, withdraw_screening_stop
from review.store.fulltext import screening_stops
from review.tui.screens import screening
from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle


@async_test
async def test_a_second_s_records_no_second_stop(fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = screening.record_screening_stop

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)  # (a large review's count of PRISMA's boxes)
        return real(*args, **kwargs)

    monkeypatch.setattr(screening, "record_screening_stop", held)
    try:
        async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
            screen = app.screen
            assert isinstance(screen, ScreeningScreen)
            screen.retrain_delay = 60.0
            await pilot.press("s", "y")
            await pilot.pause()
            await pilot.press("s")  # still being recorded: no question, nothing recorded
            await pilot.pause()
            assert app.screen is screen
            release.set()
            await settle(pilot)
            await pilot.press("s")  # it stands now: no question either
            await pilot.pause()
            assert app.screen is screen
            await settle(pilot)
            said = [str(n.message) for n in app._notifications]
    finally:
        release.set()
    assert said.count("Recording the screening stop…") == 1, said
    assert "The screening stop is still being recorded." in said, said
    assert any("stands already" in line for line in said), said
    assert len(screening_stops(fresh_ws.store)) == 1
    assert withdraw_screening_stop(fresh_ws, "alice") is not None  # review prisma resume, once
    assert current_screening_stop(fresh_ws) is None
