"""A schema upgrade step that runs past the busy timeout (2 -> 3 rewrites every MEDLINE record: 6 s on PostgreSQL,
8-15 s on SQLite at 50,000 records, docs/benchmarks/store-migrations-2026-12-06.md): a decision of a process that
had the store open is refused in one line saying the store is being upgraded, step N of M, nothing saved, and the
same key pressed after the step saves it; a process opening the store meanwhile waits for the step instead of
failing as busy. Both engines; the busy timeout is cut to 0.3 s and the step made to last 1.5 s."""

from __future__ import annotations

import re
import threading
import time

import pytest
import sqlalchemy as sa

from review.records import Record
from review.store import Store, core, schema
from review.store.opening import engine_url
from review.store.errors import StoreBusy
from review.workspace import Workspace
from store_lock import upgrade_lock_held

STEP_SECONDS = 1.5


def test_a_decision_during_a_long_upgrade_step_is_refused_saying_so_and_saved_when_pressed_again(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "BUSY_TIMEOUT_MS", 300)
    url = workspace.database_url
    workspace.store.add_batch([Record(title="Sick leave"), Record(title="Mice")], file_name="f.ris",
                              file_sha256="u" * 64, source_name="db", format="ris", encoding="utf-8")
    workspace.store.engine.dispose()
    deciding = Store.open(url, create=False)  # a window open before the upgrade (busy timeout 0.3 s)
    last = schema.SCHEMA_VERSION - 1
    owner = sa.create_engine(engine_url(url))
    with owner.begin() as conn:  # the store one step behind
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value=str(last)))
    owner.dispose()
    started = threading.Event()

    def slow_step(conn: sa.Connection) -> None:
        started.set()
        time.sleep(STEP_SECONDS)

    monkeypatch.setitem(core.MIGRATIONS, last, slow_step)
    opened: dict[str, object] = {}

    def open_into(key: str) -> None:
        try:
            opened[key] = Store.open(url, create=False)
        except Exception as err:  # noqa: BLE001 - the test reads it
            opened[key] = err

    upgrader = threading.Thread(target=open_into, args=("upgrader",))
    upgrader.start()
    assert started.wait(30)
    meanwhile = threading.Thread(target=open_into, args=("meanwhile",))  # opens during the step: waits for it
    meanwhile.start()
    began = time.perf_counter()
    with pytest.raises(StoreBusy) as refused:
        deciding.add_decision(1, "alice", "include", if_undecided=True)
    assert time.perf_counter() - began < STEP_SECONDS  # refused after the busy timeout, not at the step's end
    assert str(refused.value) == (
        f"the store is being upgraded (step 1 of 1: schema version {last} to {last + 1}) by a review that opened "
        "it; this change was not saved — press the key (or run the command) again when the upgrade has finished")
    upgrader.join(60)
    meanwhile.join(60)
    for key in ("upgrader", "meanwhile"):
        assert isinstance(opened[key], Store), (key, opened[key])
        assert opened[key].schema_version() == schema.SCHEMA_VERSION  # type: ignore[union-attr]
    assert deciding.decisions() == []  # nothing of the refused key was saved
    saved = deciding.add_decision(1, "alice", "include", if_undecided=True)  # pressed again: saved
    assert [d.id for d in deciding.decisions()] == [saved.id]
    with deciding.connect() as conn:  # the step's note is gone with it
        assert conn.execute(sa.select(schema.schema_info.c.key).where(
            schema.schema_info.c.key == core.UPGRADING_KEY)).first() is None
    for store in (deciding, opened["upgrader"], opened["meanwhile"]):
        store.engine.dispose()  # type: ignore[union-attr]


def test_a_note_left_by_a_killed_upgrade_is_not_taken_once_the_version_is_in(workspace: Workspace) -> None:
    with workspace.store.transaction() as conn:
        conn.execute(schema.schema_info.insert().values(
            key=core.UPGRADING_KEY, value=f'{{"to": {schema.SCHEMA_VERSION}, "step": 1, "steps": 1}}'))
    assert core._upgrade_under_way(workspace.store.engine) == ""


def test_a_step_that_fails_leaves_no_note(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    last = schema.SCHEMA_VERSION - 1
    with workspace.store.transaction() as conn:
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "version").values(value=str(last)))
    workspace.store.engine.dispose()

    def failing(_conn: sa.Connection) -> None:
        raise RuntimeError("step failed")

    monkeypatch.setitem(core.MIGRATIONS, last, failing)
    with pytest.raises(RuntimeError):
        Store.open(workspace.database_url, create=False)
    check = sa.create_engine(engine_url(workspace.database_url))
    with check.connect() as conn:
        keys = set(conn.execute(sa.select(schema.schema_info.c.key)).scalars())
        assert keys == {"version", "initialized"}  # (no "upgrading" note left)
    check.dispose()


def test_opening_while_another_writer_holds_an_old_store_says_it_waits_and_the_timeout_names_the_bound(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """It waited in silence, and the refusal said 'over 5 s … this change was not saved' after the upgrade's
    bound, on an opening that had no change to save."""
    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 1200)
    said: list[str] = []
    monkeypatch.setattr(core, "waiting_notice", said.append)
    with upgrade_lock_held(workspace) as url:
        began = time.perf_counter()
        with pytest.raises(StoreBusy) as refused:
            Store.open(url, create=False)
        waited = time.perf_counter() - began
    assert 1.1 < waited < 10
    # What is happening, that review goes on by itself, the time waited so far: no "write lock" or "schema".
    assert said == ["the review's database is busy in another review window or command, and this version of review "
                    "must update it; review goes on by itself when that is done (waited 0 s so far, gives up after "
                    "1.2 s; Ctrl-C stops waiting)"]
    assert "gave up after waiting 1.2 s for another review window or command" in str(refused.value), refused.value
    assert "this change" not in str(refused.value)
    opened = Store.open(url, create=False)  # the writer gone: the upgrade runs
    assert opened.schema_version() == schema.SCHEMA_VERSION
    opened.engine.dispose()


def test_a_long_wait_says_again_how_long_it_has_waited(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wait was said once: a researcher at a terminal saw one line and then nothing for up to 10 minutes."""
    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 2_500)
    monkeypatch.setattr(core, "UPGRADE_NOTICE_EVERY_S", 0.8)
    said: list[str] = []
    monkeypatch.setattr(core, "waiting_notice", said.append)
    with upgrade_lock_held(workspace) as url, pytest.raises(StoreBusy):
        Store.open(url, create=False)
    waited = [int(n) for line in said for n in re.findall(r"waited (\d+) s so far", line)]
    assert len(said) >= 3 and len(waited) == len(said), said  # at once, then each 0.8 s, each with its time
    assert waited[0] == 0 and waited == sorted(waited) and waited[-1] >= 1, said


def test_ctrl_c_stops_a_wait_for_an_upgrade_within_seconds(workspace: Workspace,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's busy handler sleeps in C: Ctrl-C waited for the whole bound (10 minutes). Now it gets through
    between short attempts."""
    import signal

    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 20_000)
    monkeypatch.setattr(core, "waiting_notice", lambda _line: None)
    with upgrade_lock_held(workspace) as url:
        previous = signal.signal(signal.SIGALRM, signal.default_int_handler)
        began = time.perf_counter()
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.5)
            with pytest.raises(KeyboardInterrupt):
                Store.open(url, create=False)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        stopped = time.perf_counter() - began
    assert stopped < 2.5


def test_a_front_ends_cancel_stops_a_wait_for_an_upgrade_and_its_notice_replaces_stderr(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The TUI opens the store in a worker thread, which Ctrl-C never reaches: its quit waited for the whole
    bound (the thread is joined at exit), and the notice went to stderr, which the app hides."""
    monkeypatch.setattr(core, "UPGRADE_WAIT_MS", 20_000)
    said: list[str] = []
    quit_pressed = threading.Event()
    outcome: dict[str, object] = {}

    def open_in_worker() -> None:
        with core.open_wait_hooks(said.append, quit_pressed.is_set):
            try:
                outcome["store"] = Store.open(url, create=False)
            except Exception as err:  # noqa: BLE001 - the test reads it
                outcome["error"] = err
        outcome["done"] = time.perf_counter()

    with upgrade_lock_held(workspace) as url:
        worker = threading.Thread(target=open_in_worker)
        worker.start()
        deadline = time.perf_counter() + 10
        while not said and time.perf_counter() < deadline:
            time.sleep(0.02)
        quit_pressed.set()
        pressed = time.perf_counter()
        worker.join(30)
    assert said and said[0].startswith("the review's database is busy in another review window"), said
    assert isinstance(outcome.get("error"), StoreBusy) and "stopped waiting" in str(outcome["error"])
    assert float(outcome["done"]) - pressed < 1.0  # type: ignore[arg-type]
    assert "by itself" not in capsys.readouterr().err  # (said through the hook only)
    opened = Store.open(url, create=False)  # nothing was changed: the upgrade runs now
    assert opened.schema_version() == schema.SCHEMA_VERSION
    opened.engine.dispose()
