"""The TUI opening a store another review is upgrading (its write lock held on a store one version behind):
the loading line says what it waits for, and quitting stops the wait at once. It waited out the whole bound
(up to 600 s, the worker thread is joined at exit) with nothing on the screen."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import sqlalchemy as sa
from textual.widgets import Static

from review.store import core, schema
from review.store.core import engine_url
from review.workspace import Workspace


def test_quit_stops_the_wait_for_an_upgrade_and_the_loading_line_names_it(fresh_ws: Workspace,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from review.tui.app import make_app

    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 8_000)
    url = fresh_ws.database_url
    fresh_ws.store.engine.dispose()
    fresh_ws.__dict__.pop("store")  # (the app opens it afresh, as a new window does)
    owner = sa.create_engine(engine_url(url))
    with owner.begin() as conn:  # one version behind: opening it upgrades, and waits for the write lock
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version")
                     .values(value=str(schema.SCHEMA_VERSION - 1)))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with owner.begin() as conn:
            core._take_write_lock(conn)
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    seen: dict[str, object] = {}

    async def run() -> None:
        app = make_app(fresh_ws, "alice", "dashboard")
        async with app.run_test(size=(120, 32)) as pilot:
            line = ""
            for _ in range(200):  # (the notification is a message handled after the line's update: wait for both)
                await pilot.pause(0.05)
                line = " ".join(str(app.screen.query_one("#stages", Static).render()).split())
                if "waiting" in line and any("waiting" in str(n.message) for n in app._notifications):
                    break
            seen["line"] = line
            seen["notes"] = [n.message for n in app._notifications]
            seen["quit"] = time.perf_counter()
            app.exit()

    try:
        asyncio.run(run())  # (returns once the loader's thread is joined too)
        quit_took = time.perf_counter() - float(seen["quit"])  # type: ignore[arg-type]
    finally:
        release.set()
        holder.join(60)
        owner.dispose()
    assert "waiting for another review process's write lock before upgrading the store's schema" in str(
        seen["line"]) and "q quits" in str(seen["line"]), seen
    assert any("waiting for another review" in str(note) for note in seen["notes"]), seen  # type: ignore[attr-defined]
    assert quit_took < 2.0, quit_took
