"""A workspace whose review.db is read-only to the user (a colleague's review copied read-only, an archive): the TUI
opens it to read, says so in the header and at opening, and refuses every key that would record, in one line,
with nothing written. The store is made read-only with file permissions, which bind root only in a child process
that drops CAP_DAC_OVERRIDE (tests/bound_permissions.py): this machine and its CI run as root."""

from __future__ import annotations

import gc
import hashlib
import json
import stat
import sys
from pathlib import Path

import pytest

from bound_permissions import run_where_permissions_bind
from review.extraction import load_study, save_study
from review.tui.read_only import HEADER_WORDS, refusal_words
from review.workspace import Workspace
from tui_workspace import async_test, build_workspace, open_app, settle, write_arends_study

#: The keys pressed in the read-only window, each after switching to its screen: every screen's keys that record.
KEYS: list[list[str]] = [
    ["2", "i"], ["2", "u"], ["2", "r"], ["2", "n"], ["2", "s"],  # screening: decide, undo, reason, note, stop
    ["3", "s"], ["3", "u"],  # dedup: a verdict, undo
    ["4", "b", "i"], ["4", "r"], ["4", "x"],  # conflicts (unblinded by the first b): resolve, with a reason, export
    ["5", "i"], ["5", "enter", "e"],  # records: decide on the row, and in the record view
    ["6", "o"], ["6", "y"], ["6", "x"], ["6", "u"], ["6", "l"],  # full text: sought, eligible, exclude, undo, link
    ["1", "p"], ["1", "d"], ["1", "x"], ["1", "t"], ["1", "f"],  # dashboard: search, dedup, export, stopping rule, import
    ["7", "ctrl+s"],  # extraction: save
    ["8", "w"],  # validate: demo data
]

#: Run in the child: opens the app headless on the read-only workspace, presses KEYS, prints what it saw as JSON.
SCENARIO = """
import asyncio, json, sys
from pathlib import Path
sys.path.insert(0, {tui_tests!r})
from tui_workspace import open_app, settle, screen_lines
from review.workspace import Workspace

async def main():
    async with open_app(Workspace(Path(sys.argv[1])), "alice", "screening", size=(100, 30)) as (app, pilot):
        said = []
        notify = app.notify
        def heard(message, *args, **kwargs):
            said.append(str(message))
            return notify(message, *args, **kwargs)
        app.notify = heard
        opened = [str(n.message) for n in app._notifications]
        header = screen_lines(app)[0]
        shown = " ".join(" ".join(screen_lines(app)).replace("│", " ").split())  # (the start screen's words)
        pressed = []
        for keys in json.loads(sys.argv[2]):
            before = len(said)
            await pilot.press(*keys)
            await settle(pilot)
            dimmed = sorted(str(key.key) for key in app.screen.query("FooterKey.-disabled"))
            pressed.append([keys, type(app.screen).__name__, said[before:], dimmed])
            while len(app.screen_stack) > 1:  # (a dialog a key opened: closed, so the next key goes to its screen)
                app.pop_screen()
                await settle(pilot)
        print(json.dumps({{"opened": opened, "header": header, "screen": shown,
                           "read_only": app.project.read_only if app.project is not None else None,
                           "pressed": pressed}}))

asyncio.run(main())
"""


def study_file(workspace: Workspace) -> Path:
    """One valid study file in extraction/studies/, stored, then changed in the file alone."""
    from review.services.extraction import load_folder

    path = write_arends_study(workspace)
    assert load_folder(workspace, workspace.path("extraction")).loaded == ["arends2014"]
    study = load_study(path)
    study.n = 159
    return save_study(study, path)


def closed(workspace: Workspace) -> None:
    """No connection to the store left in this process (the child is the only one): build_workspace's first
    Workspace object keeps one until it is collected, and with it review.db-wal and -shm beside the store."""
    workspace.store.engine.dispose()
    gc.collect()


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` but SQLite's -wal and -shm (made at opening, empty of changes) by its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_a_read_only_store_opens_read_only_and_every_key_that_records_is_refused(tmp_path: Path) -> None:
    workspace = build_workspace(tmp_path / "ws")
    # A study file newer than its stored version (a save killed between its file and store writes): the extraction
    # screen stores such files when it opens, which a read-only window must not try.
    study_file(workspace)
    closed(workspace)
    db = workspace.path("review.db")
    before = digest(workspace.root)
    script = tmp_path / "scenario.py"
    script.write_text(SCENARIO.format(tui_tests=str(Path(__file__).parent)), encoding="utf-8")
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        done = run_where_permissions_bind(script, [str(workspace.root), json.dumps(KEYS)], tmp_path, timeout=300)
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    why = f"the store file {db} is read-only to you"
    assert seen["read_only"] == why
    assert HEADER_WORDS in seen["header"] and "alice" in seen["header"], seen["header"]
    opened = [line for line in seen["opened"] if line.startswith("Opened read-only")]
    assert opened and why in opened[0] and "copy the workspace folder" in opened[0], seen["opened"]
    refused = refusal_words(why)
    dimmed = {}
    for keys, screen, said, dimmed[screen] in seen["pressed"]:
        # One line each, the refusal (conflicts' b says blind mode is off first: it writes nothing).
        assert said and said[-1] == refused, (keys, screen, said)
        assert all(line == refused or line.startswith("Blind mode off") for line in said), (keys, screen, said)
    # The footer shows the keys that record dimmed (Textual's names: "slash" is search, not dimmed).
    assert dimmed["ScreeningScreen"] == ["e", "i", "m", "n", "r", "s", "u"], dimmed
    assert dimmed["FulltextScreen"] == ["n", "o", "t", "u", "x", "y"], dimmed
    assert {"p", "d", "x", "f"} <= set(dimmed["DashboardScreen"]) and "g" not in dimmed["DashboardScreen"], dimmed
    assert digest(workspace.root) == before  # nothing written: the store, review.toml, no export, no demo data
    # Nor SQLite's side files: a writable connection made review.db-wal and -shm, read-only as review.db, and left
    # them (the next writable run then named review.db-shm as read-only).
    assert not any(p.name.endswith(("-wal", "-shm")) for p in workspace.root.iterdir())


def test_every_action_a_read_only_window_refuses_is_one_a_key_runs() -> None:
    """``WRITES`` names actions by name: one renamed on its screen (``action_decide`` to ``action_label``) would
    leave its key unrefused, writing into the store's refusal instead of this one's."""
    from textual.actions import parse

    from review.tui.app import SCREEN_CLASSES, screen_class
    from review.tui.screens.modals import RecordScreen

    for cls in [*(screen_class(mode) for mode in SCREEN_CLASSES), RecordScreen]:
        bound = {parse(binding.action)[1] for binding in cls.BINDINGS if not isinstance(binding, tuple)}
        for name in getattr(cls, "WRITES", ()):
            assert callable(getattr(cls, f"action_{name}", None)), (cls.__name__, name)
            assert name in bound, (cls.__name__, name)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_a_read_only_workspace_folder_opens_read_only_and_names_the_folder_on_every_key(tmp_path: Path) -> None:
    """A folder the user may not write in (a read-only mount, a colleague's folder): SQLite could not open the store
    without creating review.db-wal and -shm there, so no screen showed anything ("Not opened: …" on each). Now the
    store is opened read-only: the screens read, and every key that records names the folder."""
    workspace = build_workspace(tmp_path / "ws")
    closed(workspace)
    root = workspace.root
    # (with them there SQLite opens the store and writes its -wal: the folder's permissions do not matter)
    assert not any(p.name.endswith(("-wal", "-shm")) for p in root.iterdir())
    before = digest(root)
    script = tmp_path / "scenario.py"
    script.write_text(SCENARIO.format(tui_tests=str(Path(__file__).parent)), encoding="utf-8")
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        done = run_where_permissions_bind(script, [str(root), json.dumps([["i"], ["6", "y"], ["1", "x"]])], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    why = f"the workspace folder {root} is read-only to you"
    assert seen["read_only"] == why and HEADER_WORDS in seen["header"], seen
    assert "Not opened" not in seen["screen"] and "Screened 4 / 12" in seen["screen"], seen["screen"]
    for keys, screen, said, _ in seen["pressed"]:
        assert said == [refusal_words(why)], (keys, screen, said)
    assert digest(root) == before and not any(p.name.endswith(("-wal", "-shm")) for p in root.iterdir())


@async_test
async def test_a_writable_window_dims_no_key(tmp_path: Path) -> None:
    async with open_app(build_workspace(tmp_path / "ws"), "alice", "screening", size=(100, 30)) as (app, pilot):
        assert app.project is not None and app.project.read_only == ""
        assert HEADER_WORDS not in str(app.sub_title)
        assert not list(app.screen.query("FooterKey.-disabled"))
        await pilot.press("6")
        await settle(pilot)
        assert not list(app.screen.query("FooterKey.-disabled"))


def test_keys_that_record_wait_for_the_opening_on_a_start_screen_that_needs_no_project(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validate as the start screen ran r before the workspace opened (so in a read-only window too, its files
    written to results/), and extraction stored study files before knowing whether the store is read-only (there
    a 'Store not updated' line). While the opening waits a key that records is refused in one line; extraction
    stores the files newer than the store once the writable workspace opened."""
    import asyncio

    from review.services.validate import VALIDATE_DIR, write_demo
    from review.store import core
    from review.tui.app import make_app
    from store_lock import upgrade_lock_held

    write_demo(fresh_ws.root / VALIDATE_DIR)
    study_file(fresh_ws)
    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 20_000)
    seen: dict[str, list[str]] = {}

    async def press_while_opening(start: str, keys: list[str]) -> None:
        app = make_app(fresh_ws, "alice", start)
        async with app.run_test(size=(140, 32)) as pilot:
            for _ in range(200):  # (until the opening says it waits)
                await pilot.pause(0.05)
                if app.loading_words():
                    break
            await pilot.press(*keys)
            await pilot.pause(0.3)
            seen[start] = [f"{n.title}: {n.message}" for n in app._notifications]
            app.exit()

    with upgrade_lock_held(fresh_ws):
        asyncio.run(press_while_opening("validate", ["r", "w"]))
        asyncio.run(press_while_opening("extraction", ["ctrl+s"]))
    results = fresh_ws.root / VALIDATE_DIR / "results"
    assert not results.exists() or not any(results.iterdir()), sorted(results.iterdir())
    for start in ("validate", "extraction"):
        refusals = [line for line in seen[start] if line.startswith("Nothing done: Loading… the review's database")]
        assert len(refusals) == (2 if start == "validate" else 1), seen[start]
    assert not any("Store" in line or "stored" in line or "saved" in line for line in seen["extraction"]), seen

    async def open_extraction() -> list[str]:
        async with open_app(fresh_ws, "alice", "extraction") as (app, pilot):
            await settle(pilot)
            return [str(n.message) for n in app._notifications]

    stored = asyncio.run(open_extraction())
    assert any("stored 1 study file(s) newer than the store: arends2014" in line for line in stored), stored
