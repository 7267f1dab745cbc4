"""What keeps start-up and keys fast: the first record without the model code, a session that
reads no abstracts to open, throttled queue saves, the frozen start-up heap, a record view
that needs no screen layout."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time

import pytest

from review.screening import session as session_module
from review.screening.session import ScreeningSession
from review.store import screening as ranking_store
from review.tui.app import MODEL_MODULES, SCREENS, ReviewApp, screen_class, warm_up_modules
from review.tui.screens.screening import RETRAIN_DELAY
from review.tui.widgets.record_view import RecordView
from review.workspace import Workspace
from shared_data import REPO_ROOT
from tui_workspace import async_test, open_app, settle


def fresh_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by a new interpreter on this checkout, nothing imported beforehand."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "", **env})


def test_the_app_and_the_session_open_without_scikit_learn() -> None:
    """None of these heavy imports (0.4–3 s each) is on the way to the first record."""
    code = ("import sys, review.tui.app, review.screening.session; "
            "print(sorted(m for m in ('sklearn', 'pandas', 'matplotlib', 'scipy.special')"
            " if m in sys.modules))")
    out = fresh_python(code)
    assert out.stdout.strip() == "[]"


def test_the_app_loads_neither_the_store_nor_numpy_nor_the_other_screens() -> None:
    """The path ``review screen`` takes to the first frame (the app and the start screen, screening
    or dashboard): SQLAlchemy (0.3 s), numpy, the dedup engine
    and the help modal's Markdown load later (the store in the loader worker, the screens
    when shown or after the first record)."""
    code = ("import sys, review.cli, review.cli.tui, review.tui.app, review.tui.screens.screening,"
            " review.tui.screens.dashboard; "
            "print(sorted(m for m in ('sqlalchemy', 'numpy', 'review.store', 'rapidfuzz', 'markdown_it',"
            " 'review.tui.screens.dedup', 'review.tui.screens.help', 'review.tui.screens.browser')"
            " if m in sys.modules))")
    out = fresh_python(code)
    assert out.stdout.strip() == "[]"


def test_opening_the_store_and_the_session_loads_no_dedup_engine() -> None:
    """The loader's path to the first record: the store's tables and the dedup decisions the
    session reads (which records were set aside) bring neither the engine, rapidfuzz nor
    scikit-learn."""
    code = ("import sys, review.store.stage_tables, review.screening.session, review.dedup.decisions; "
            "print(sorted(m for m in ('review.dedup.engine', 'rapidfuzz', 'sklearn') if m in sys.modules))")
    out = fresh_python(code)
    assert out.stdout.strip() == "[]"


def test_every_mode_names_a_screen_and_the_rest_load_after_the_first_record() -> None:
    from textual.screen import Screen

    for mode in SCREENS:
        assert issubclass(screen_class(mode), Screen) and callable(ReviewApp.MODES[mode])
    later = warm_up_modules("screening")
    assert later[:len(MODEL_MODULES)] == MODEL_MODULES  # the first retrain waits for these
    assert "review.tui.screens.screening" not in later and "review.tui.screens.help" in later
    assert sum(name.startswith("review.tui.screens.") for name in later) == len(SCREENS)


def test_quick_start_reads_no_texts_until_the_first_retrain(fresh_ws: Workspace) -> None:
    session = ScreeningSession(fresh_ws, "alice", quick_start=True)
    assert session._text_cache == {}  # opening read ids only (texts are cached per title count when read)
    first = session.next_record()
    assert first is not None and session._text_cache == {}
    assert session.ranking.model_info["fallback"] == "seeded_random"
    ranking = session.retrain()  # no labels yet: the keyword prior, and no TF-IDF features
    assert ranking.model_info["fallback"] == "keyword_prior" and session._features is None
    # The same queue as a session that reads the texts to open (the CLI's).
    assert ranking.order == ScreeningSession(fresh_ws, "bob").ranking.order


def test_retrains_log_every_ranking_but_save_the_queue_at_most_every_interval(
        fresh_ws: Workspace) -> None:
    session = ScreeningSession(fresh_ws, "alice", quick_start=True)
    assert session.save_interval == session_module.SAVE_INTERVAL == 30.0
    ids = [r.id for r in fresh_ws.store.records()]
    session.decide(ids[0], "include")
    session.decide(ids[1], "exclude")
    first = session.retrain()
    session.decide(ids[2], "exclude")
    second = session.retrain()  # within SAVE_INTERVAL: logged, queue not rewritten
    assert len(ranking_store.ranking_log(fresh_ws.store, "alice")) == 2
    assert ranking_store.load_ranking(fresh_ws.store, "alice")["record_order"] == list(first.order)
    session.save_ranking()  # what the app does when it closes
    assert ranking_store.load_ranking(fresh_ws.store, "alice")["record_order"] == list(second.order)
    assert len(ranking_store.ranking_log(fresh_ws.store, "alice")) == 2
    session.save_interval = 0.0  # (the retrain worker's: open_session(save_interval=0.0))
    session.decide(ids[3], "exclude")
    third = session.retrain()
    assert ranking_store.load_ranking(fresh_ws.store, "alice")["record_order"] == list(third.order)


@async_test
async def test_start_up_heap_is_frozen_and_collection_resumes(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert "review.screening.ranker" in sys.modules
        assert all(module in sys.modules for module in warm_up_modules("screening"))
        await pilot.press("i")
        await asyncio.sleep(RETRAIN_DELAY + 0.1)  # the retrain starts after a quiet moment
        await settle(pilot)
    assert gc.isenabled()
    # Closing saved the newest queue (the retrain after "i" may only have logged it).
    saved = ranking_store.load_ranking(fresh_ws.store, "alice")
    assert saved is not None and saved["n_labelled"] == 1


@async_test
async def test_a_new_record_keeps_the_view_size_and_starts_at_the_top(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", "screening", size=(60, 20)) as (app, pilot):
        view = app.screen.query_one("#record", RecordView)
        region = view.region
        view.show("\n".join(f"line {i}" for i in range(80)))
        await pilot.pause()
        assert view.virtual_size.height >= 80 and view.region == region
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_offset.y > 0
        started = time.perf_counter()
        await pilot.press("e")  # the next record: same box, from its first line
        assert time.perf_counter() - started < 30  # (a hang, not a timing)
        assert view.scroll_offset.y == 0 and view.region == region
        assert app.screen.current.title.split()[0] in view.plain
        await settle(pilot)


def test_read_ahead_serves_the_next_record_without_a_query(fresh_ws: Workspace,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    session = ScreeningSession(fresh_ws, "alice", quick_start=True)
    shown = session.next_record()
    ahead = session.read_ahead()
    assert ahead is not None and ahead.id != shown.id
    session.decide(shown.id, "exclude")
    queries: list[int] = []
    record = fresh_ws.store.record
    monkeypatch.setattr(fresh_ws.store, "record", lambda rid: queries.append(rid) or record(rid))
    assert session.next_record().id == ahead.id and queries == []
    # When the queue changed since (here: the record was decided elsewhere), it reads the store.
    following = session.read_ahead()  # (one query: reading ahead)
    session.decide(following.id, "include")
    session.decide(ahead.id, "exclude")
    nxt = session.next_record()
    assert nxt.id not in (ahead.id, following.id) and queries == [following.id, nxt.id]


@async_test
async def test_retraining_in_a_worker_process_reorders_the_queue(fresh_ws: Workspace) -> None:
    config = fresh_ws.path("review.toml")
    config.write_text(config.read_text(encoding="utf-8").replace('retrain = "thread"', 'retrain = "process"'),
                      encoding="utf-8")  # the default outside the tests
    workspace = Workspace(fresh_ws.root)
    async with open_app(workspace, "alice", "screening") as (app, pilot):
        project = app.project
        assert project.retrainer.mode == "process"
        await pilot.press("i", "e")
        await asyncio.sleep(RETRAIN_DELAY + 0.1)
        deadline = time.monotonic() + 120  # the worker process imports scikit-learn first
        while project.session.ranking.n_labelled < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        ranking = project.session.ranking
        assert ranking.trained and ranking.n_labelled == 2  # fitted in the worker, applied here
        assert ranking_store.load_ranking(workspace.store, "alice")["n_labelled"] == 2
        await settle(pilot)


def test_quick_start_checks_the_model_name_at_the_first_retrain(fresh_ws: Workspace) -> None:
    from review.errors import ReviewError

    session = ScreeningSession(fresh_ws, "alice", model="forest", quick_start=True)
    assert session.next_record() is not None  # opening needed no model code
    with pytest.raises(ReviewError, match="forest"):
        session.retrain()


def test_textual_paints_on_a_finer_clock_unless_the_user_chose_one() -> None:
    """A key just after another frame waits for Textual's next tick: 4 ms at 240 a second,
    not 17 at Textual's 60. The setting must be in place before Textual is first imported."""
    code = "import review.cli.tui, review.tui.app, textual.constants as c; print(c.MAX_FPS)"
    ours, theirs = fresh_python(code), fresh_python(code, TEXTUAL_FPS="30")
    assert (ours.stdout.strip(), theirs.stdout.strip()) == ("240", "30")


def test_the_retrain_worker_follows_removals_without_reading_every_text_again(
        fresh_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``review prisma remove`` reaches the worker's session before its next retrain; the
    texts it has read stay (only an import or merge, ``records_changed``, reads them again)."""
    from review.services import prisma
    from review.tui import retrainer

    monkeypatch.setattr(retrainer, "_SESSIONS", {})  # this process plays the worker
    root = str(fresh_ws.root.resolve())
    ids = ranking_store.record_ids(fresh_ws.store)
    fresh_ws.store.add_decision(ids[0], "alice", "include")
    fresh_ws.store.add_decision(ids[1], "alice", "exclude")
    assert ids[5] in retrainer._retrain_in_worker(root, "alice", 0).order
    reads: list[int] = []
    texts = ranking_store.record_texts
    monkeypatch.setattr(ranking_store, "record_texts", lambda store: reads.append(1) or texts(store))
    prisma.remove_records(fresh_ws, [ids[5]], "alice", "retracted")
    assert ids[5] not in retrainer._retrain_in_worker(root, "alice", 0).order and reads == []
    retrainer._retrain_in_worker(root, "alice", 1)  # records imported or merged: read again
    assert reads
