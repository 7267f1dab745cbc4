"""The dashboard's import (f): a file and a source name asked in a dialog, imported in a worker through the sources
service ``review import`` uses, its outcome one notification in the CLI's words, the counts recounted after."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Static

from review.cli import main
from review.records import Record
from review.services import sources as sources_service
from review.sources.export import render_records
from review.tui.screens.import_file import ImportScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, settle


def write_ris(path: Path, n: int, *, seed: str = "embase") -> Path:
    """``n`` records as RIS, written by the project's own export (its titles carry ``seed``: another file's bytes)."""
    records = [Record(title=f"Recurrent sickness absence in {seed} cohort {i}", abstract=f"Employees followed {i} years.",
                      authors=["Koopmans PC", f"Author {i}"], year=2000 + i % 20, journal="Occup Environ Med",
                      doi=f"10.1000/{seed}.{i}") for i in range(n)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_records(records, "ris"), encoding="utf-8")
    return path


def said(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def import_from_dialog(pilot, typed: str, source: str = "") -> None:  # type: ignore[no-untyped-def]
    """Press f, fill the dialog and press Enter (the values set: a path's '/' and '~' are no Pilot key names)."""
    app = pilot.app
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, ImportScreen), type(app.screen).__name__
    app.screen.query_one("#import-path", Input).value = typed
    app.screen.query_one("#import-source", Input).value = source
    app.screen.query_one("#import-path", Input).focus()
    await pilot.press("enter")


@async_test
async def test_a_ris_file_typed_relative_to_the_workspace_imports_and_the_counts_follow(fresh_ws: Workspace) -> None:
    write_ris(fresh_ws.path("exports", "embase.ris"), 30)
    before = len(fresh_ws.store.records())
    async with open_app(fresh_ws) as (app, pilot):
        assert app.screen.data is not None and app.screen.data.identified == before
        await import_from_dialog(pilot, "exports/embase.ris", "Embase")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
        assert said(app)[-1] == "embase.ris: 30 records read, 30 new (ris, utf-8, source Embase)", said(app)
        assert app.screen.data.identified == before + 30  # recounted
        assert ("Embase", 36) in app.screen.data.sources  # (the fixture's 6 Embase records and the 30)
        assert app.project.session.progress().total == before + 30  # in the screening queue
        # The same bytes again: nothing stored twice, said as review import says it.
        await import_from_dialog(pilot, str(fresh_ws.path("exports", "embase.ris")))
        await settle(pilot)
        assert said(app)[-1].startswith("embase.ris: 0 new, all already present: already imported as batch "), said(app)
        assert app.screen.data.identified == before + 30
    assert len(Workspace(fresh_ws.root).store.records()) == before + 30


@async_test
async def test_the_readers_warning_is_in_the_notification_and_a_home_path_is_expanded(
        fresh_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    csv = tmp_path / "home" / "rayyan.csv"
    csv.parent.mkdir()
    csv.write_text("title,year,doi\nA study,2001,10.1/a\nC study,2003,10.1/c\nB study,2002", encoding="utf-8")
    async with open_app(fresh_ws) as (app, pilot):
        await import_from_dialog(pilot, "~/rayyan.csv")
        await settle(pilot)
        lines = said(app)[-1].splitlines()
        assert lines[0] == "rayyan.csv: 3 records read, 3 new (csv, utf-8, source rayyan)", lines
        assert lines[1] == (f"warning: {csv}:line 4: the file ends inside this row (2 of 3 cells, no line break after "
                            "it): read as it stands; if the file was cut off, get it whole again"), lines


BAD_FILES = {
    "missing": lambda folder: folder / "missing.ris",
    "directory": lambda folder: (folder / "adir").mkdir() or folder / "adir",
    "unknown format": lambda folder: (folder / "what.txt").write_text("hello world\nnothing here\n") and folder / "what.txt",
    "cut off": lambda folder: (folder / "cut.ris").write_text(
        write_ris(folder / "whole.ris", 3).read_text()[:-40]) and folder / "cut.ris",
    "cut-off CSV row": lambda folder: (folder / "cut.csv").write_text(
        "title,year,doi\nA study,2001,10.1/a\nC study,2003,\nB study,2002") and folder / "cut.csv",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
@async_test
async def test_a_refused_file_is_the_clis_one_line_and_stores_nothing(kind: str, fresh_ws: Workspace,
                                                                     tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = BAD_FILES[kind](folder)
    before = len(fresh_ws.store.records()), len(fresh_ws.store.batches())
    cli = CliRunner().invoke(main, ["-w", str(fresh_ws.root), "import", str(path)])
    assert cli.exit_code == 3
    refusal = cli.stderr.strip().splitlines()[-1].removeprefix("review: ")
    assert str(path) in refusal
    async with open_app(fresh_ws) as (app, pilot):
        await import_from_dialog(pilot, str(path))
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert [str(n.message) for n in errors] == [refusal] and errors[0].title == "Import", said(app)
        assert app.screen.query_one("#job", Static).visual.plain == ""  # (the progress line cleared)
        assert app.screen.data.identified == before[0]
    store = Workspace(fresh_ws.root).store
    assert (len(store.records()), len(store.batches())) == before


@async_test
async def test_enter_without_a_path_keeps_the_dialog_and_esc_imports_nothing(fresh_ws: Workspace) -> None:
    before = len(fresh_ws.store.batches())
    async with open_app(fresh_ws) as (app, pilot):
        await import_from_dialog(pilot, "   ", "Embase")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)  # still asking
        # the formats it reads, as review import --help names them (the service's one list)
        assert app.screen.query(Static).first().visual.plain == f"Import a file: {sources_service.import_formats()}"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
        assert not any(w.group == "pipeline" for w in app.workers)
    assert len(Workspace(fresh_ws.root).store.batches()) == before


def hold_imports(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event, threading.Event]:
    """The import service held at its first progress report (the file read, its parsing begun) until ``release`` is
    set: ``reading`` says it got there, ``returned`` that the service call ended (a cancelled worker counts as
    finished at once: its thread goes on)."""
    reading, release, returned = threading.Event(), threading.Event(), threading.Event()
    real_import = sources_service.import_files

    def held_import(workspace, files, *, source=None, progress=None):  # type: ignore[no-untyped-def]
        def held(file, phase, n):  # type: ignore[no-untyped-def]
            if progress is not None:
                progress(file, phase, n)
            reading.set()
            assert release.wait(60), "never released"

        try:
            return real_import(workspace, files, source=source, progress=held)
        finally:
            returned.set()

    monkeypatch.setattr(sources_service, "import_files", held_import)
    return reading, release, returned


@async_test
async def test_the_app_answers_keys_while_a_5000_record_ris_imports(fresh_ws: Workspace, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The import's worker is held at its first progress report (the file read, its parsing begun) until the test
    has pressed keys and seen them handled: behaviour, not timing."""
    path = write_ris(tmp_path / "big.ris", 5_000, seed="wos")
    reading, release, _ = hold_imports(monkeypatch)
    before = len(fresh_ws.store.records())
    async with open_app(fresh_ws) as (app, pilot):
        await import_from_dialog(pilot, str(path), "Web of Science")
        for _ in range(200):
            if reading.is_set():
                break
            await pilot.pause(0.05)
        assert reading.is_set()
        await pilot.pause()
        dashboard = app.screen
        importing = [w for w in app.workers if w.group == "pipeline"]
        assert importing and not importing[0].is_finished
        assert dashboard.query_one("#job", Static).visual.plain.startswith("Import: big.ris: ")
        # Another key is handled while the import runs: help opens and closes, and a second import is refused.
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dashboard
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, ImportScreen)
        assert said(app)[-1] == "Import not started: the action below is still running"
        assert not importing[0].is_finished
        release.set()
        await settle(pilot)
        assert said(app)[-1] == "big.ris: 5,000 records read, 5,000 new (ris, utf-8, source Web of Science)"
        assert dashboard.data.identified == before + 5_000


#: Run in the child (permissions bind there, also as root): the CLI's line for the unreadable file, then the app's.
UNREADABLE = """
import asyncio, json, sys
from pathlib import Path
sys.path.insert(0, {tui_tests!r})
from click.testing import CliRunner
from textual.widgets import Input
from review.cli import main as cli
from review.workspace import Workspace
from tui_workspace import open_app, settle

async def main(root, path):
    said = CliRunner().invoke(cli, ["-w", root, "import", path]).stderr.strip().splitlines()[-1]
    async with open_app(Workspace(Path(root))) as (app, pilot):
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#import-path", Input).value = path
        await pilot.press("enter")
        await settle(pilot)
        shown = [[str(n.message), n.severity] for n in app._notifications]
    print(json.dumps({{"cli": said, "shown": shown}}))

asyncio.run(main(*sys.argv[1:3]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_an_unreadable_file_is_the_clis_one_line_and_stores_nothing(fresh_ws: Workspace, tmp_path: Path) -> None:
    from bound_permissions import run_where_permissions_bind

    path = write_ris(tmp_path / "locked.ris", 3)
    path.chmod(0)
    before = len(fresh_ws.store.records()), len(fresh_ws.store.batches())
    fresh_ws.store.engine.dispose()  # (the child is the store's only user)
    script = tmp_path / "unreadable.py"
    script.write_text(UNREADABLE.format(tui_tests=str(Path(__file__).parent)), encoding="utf-8")
    try:
        done = run_where_permissions_bind(script, [str(fresh_ws.root), str(path)], tmp_path, timeout=120)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # The CLI's click.Path refuses it before the importer, as a usage line ('review import --help', which means
    # nothing in the app): the app says the importer's own line, as the CLI's other refusals do.
    assert f"{path}' is not readable" in seen["cli"], seen
    refusal = f"{path}: cannot read: Permission denied"
    assert [message for message, severity in seen["shown"] if severity == "error"] == [refusal], seen
    store = Workspace(fresh_ws.root).store
    assert (len(store.records()), len(store.batches())) == before


@async_test
async def test_an_import_whose_worker_is_cancelled_stops_before_the_store_is_written(
        fresh_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quitting cancels the app's workers; a thread is not stopped, so the process waited for the import to end
    (a 50,000-record file: 11.7 s after its window closed). The import now stops at its next progress report."""
    path = write_ris(tmp_path / "big.ris", 6_000, seed="quit")
    reading, release, returned = hold_imports(monkeypatch)
    before = len(fresh_ws.store.records()), len(fresh_ws.store.batches())
    async with open_app(fresh_ws) as (app, pilot):
        await import_from_dialog(pilot, str(path))
        for _ in range(200):
            if reading.is_set():
                break
            await pilot.pause(0.05)
        importing = [w for w in app.workers if w.group == "pipeline"]
        assert reading.is_set() and importing
        importing[0].cancel()
        release.set()
        assert await asyncio.to_thread(returned.wait, 60)
        await settle(pilot)
        assert not any("new" in message for message in said(app)), said(app)
        assert app.screen.query_one("#job", Static).visual.plain == ""
    store = Workspace(fresh_ws.root).store
    assert (len(store.records()), len(store.batches())) == before


@pytest.mark.parametrize("quoting", ["single", "double", "backslash", "dropped"])
def test_a_path_with_spaces_pasted_as_a_shell_quotes_it_names_the_file(
        quoting: str, fresh_ws: Workspace, tmp_path: Path) -> None:
    """A file dragged into the terminal, or copied from a shell line, comes quoted: GNOME's drop '…' (a space after
    it), Windows Terminal's "…", macOS Terminal's backslashes. The shell unquotes it for review import; the dialog
    took the quotes as part of the name ('WS/'/…/embase file.ris': no such file)."""
    from review.tui.actions import import_path

    file = write_ris(tmp_path / "my exports" / "embase file.ris", 3)
    typed = {"single": f"'{file}'", "double": f'"{file}"', "backslash": str(file).replace(" ", "\\ "),
             "dropped": f"'{file}' "}[quoting]
    assert import_path(fresh_ws, typed) == file


def test_a_name_holding_a_quote_or_a_backslash_is_taken_as_typed(fresh_ws: Workspace, tmp_path: Path) -> None:
    from review.tui.actions import import_path

    for name in ("'quoted'.ris", "back\\ slash.ris", "it's.ris"):
        file = write_ris(tmp_path / name, 1, seed=name)
        assert import_path(fresh_ws, str(file)) == file
    # Unquoted only when that names a file: otherwise the refusal names what was typed.
    assert import_path(fresh_ws, "'nowhere.ris'") == fresh_ws.root / "'nowhere.ris'"


@async_test
async def test_a_path_relative_to_the_subfolder_review_started_in_imports_as_review_import_does(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """review started in a subfolder of the workspace (it finds the workspace above): 'embase.ris' typed there was
    looked for in the workspace's folder only ('WS/embase.ris: no such file'), where review import, run in the same
    folder, imports it. The workspace's folder still comes first, as the dialog says."""
    exports = fresh_ws.path("exports")
    write_ris(exports / "embase.ris", 4)
    write_ris(exports / "both.ris", 2, seed="in exports")
    write_ris(fresh_ws.root / "both.ris", 3, seed="at the root")
    monkeypatch.chdir(exports)
    async with open_app(Workspace(fresh_ws.root)) as (app, pilot):
        await pilot.press("f")
        await pilot.pause()
        hints = " ".join(str(hint.render()) for hint in app.screen.query(".hint"))
        assert f"relative to {fresh_ws.root} (else to {exports}, where review started)" in hints, hints
        await pilot.press("escape")
        await import_from_dialog(pilot, "embase.ris")
        await settle(pilot)
        assert said(app)[-1] == "embase.ris: 4 records read, 4 new (ris, utf-8, source embase)", said(app)
        await import_from_dialog(pilot, "both.ris")
        await settle(pilot)
        assert said(app)[-1].startswith("both.ris: 3 records read"), said(app)  # the workspace's folder first
        await import_from_dialog(pilot, "nowhere.ris")
        await settle(pilot)
        assert said(app)[-1] == f"{fresh_ws.root / 'nowhere.ris'}: no such file", said(app)
