"""The TUI's retrain and evidence worker processes (``tui/retrainer.py``)."""

from __future__ import annotations

import pytest

from review.workspace import Workspace

from tests.screening.test_stopping_classifier import add_word_records


def _app_session(workspace):  # type: ignore[no-untyped-def]
    """The app's session on 80 records, 10 relevant: 5 of them and 20 others decided."""
    from review.services.screening import open_session

    ids = add_word_records(workspace, [1] * 10 + [0] * 70, seed=3)
    session = open_session(workspace, "alice", quick_start=True)
    for record_id in ids[:5] + ids[10:30]:
        session.decide(record_id, "include" if record_id in ids[:10] else "exclude")
    return session


def test_the_retrain_process_ranks_with_the_apps_model_query_and_seed_after_review_toml_changes(workspace) -> None:
    # The app fixes [screening] and seed when it opens and says an edit needs a restart (tui/settings.py), while the
    # worker process opens its session at the first retrain, reading review.toml then: it ranked with the edited
    # model, query and seed, which the app said were not in use.
    from review.tui.retrainer import Retrainer

    session = _app_session(workspace)
    opened = session.fixed_settings()
    assert (opened["model"], opened["query"], opened["seed"]) == ("default", "max", 7)
    toml = workspace.path("review.toml")
    edited = toml.read_text(encoding="utf-8").replace("seed = 7", "seed = 11")
    toml.write_text(edited + '\n[screening]\nmodel = "logistic"\nquery = "uncertainty"\ntarget_recall = 0.9\n',
                    encoding="utf-8")
    retrainer = Retrainer("process")
    try:
        ranking = retrainer.retrain(session)
    finally:
        retrainer.close()
    info = ranking.model_info
    assert (info["model"], info["query"], info["seed"]) == ("svm", "max", 7), info
    assert session.fixed_settings() == opened  # the app's own session is untouched


def test_a_session_following_anothers_settings_refuses_one_it_does_not_follow(workspace) -> None:
    session = _app_session(workspace)
    with pytest.raises(ValueError, match="stopping_rule"):
        session.follow_settings({"stopping_rule": "heuristic"})


class _SlowWorkerRetrainer:
    """A Retrainer whose worker process takes its request and never answers (a retrain still starting up)."""

    @staticmethod
    def make():  # type: ignore[no-untyped-def]
        import subprocess
        import sys

        from review.tui.retrainer import Retrainer

        class Slow(Retrainer):
            def _start(self, kind):  # type: ignore[no-untyped-def]
                if self._workers[kind] is None:
                    self._workers[kind] = subprocess.Popen(
                        [sys.executable, "-c", "import sys, time; sys.stdin.buffer.read(8); time.sleep(60)"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                return self._workers[kind]

        return Slow("process")


@pytest.mark.parametrize("kind", ["retrain", "evidence"])
def test_closing_ends_a_request_under_way_at_once(workspace, kind) -> None:  # type: ignore[no-untyped-def]
    # fresh31: q in the first seconds of the screening screen took 4.2-4.6 s (load 10) where it takes 0.2 s later:
    # the app's exit joins its worker threads, and the retrain thread waited for the worker process to start up,
    # fit and answer. Closing ends the worker, so the thread waiting on it returns now. (Decisions are the app's
    # own writes, durable before the next record shows: the worker only stores a queue, ranked again at the next open.)
    import threading
    import time
    from types import SimpleNamespace

    retrainer = _SlowWorkerRetrainer.make()
    session = SimpleNamespace(workspace=workspace, reviewer="alice", fixed_settings=dict)
    outcome: list[BaseException] = []

    def ask() -> None:
        try:
            getattr(retrainer, "retrain" if kind == "retrain" else "stopping_evidence")(session)
        except BaseException as err:  # noqa: BLE001  (what the waiting thread gets)
            outcome.append(err)

    waiting = threading.Thread(target=ask, daemon=True)
    waiting.start()
    deadline = time.monotonic() + 10
    while retrainer._workers[kind] is None and time.monotonic() < deadline:
        time.sleep(0.01)
    worker = retrainer._workers[kind]
    assert worker is not None
    time.sleep(0.3)  # (the request is written: the worker is busy with it)
    closed = time.monotonic()
    retrainer.close()
    waiting.join(5)
    assert not waiting.is_alive(), "the thread waiting on the worker still waits after close()"
    assert time.monotonic() - closed < 2
    assert outcome and isinstance(outcome[0], RuntimeError)
    assert worker.wait(5) is not None  # the worker process is gone too
    # and a request after closing starts no new worker process (the app is gone)
    with pytest.raises(RuntimeError, match="worker process is closed"):
        getattr(retrainer, "retrain" if kind == "retrain" else "stopping_evidence")(session)
    assert retrainer._workers[kind] is None


async def _include_exclude_exclude(app, pilot) -> list[int]:  # type: ignore[no-untyped-def]
    """Wait for the screening screen's first record, then decide it and the next two i, e, e: the records' ids."""
    import time

    deadline = time.monotonic() + 30
    while getattr(app.screen, "current", None) is None and time.monotonic() < deadline:
        await pilot.pause(0.05)
    decided = []
    for key in "iee":
        decided.append(app.screen.current.id)
        await pilot.press(key)
    return decided


def _assert_stored_as_decided(workspace: Workspace, decided: list[int]) -> None:
    """Every one of ``_include_exclude_exclude``'s decisions is in the store, as made, after the app closed."""
    stored = Workspace(workspace.root).store
    labels = {row.record_id: row.label for row in stored.decisions(reviewer="ben")}
    assert labels == dict(zip(decided, ["include", "exclude", "exclude"], strict=True))


def test_q_under_the_first_retrain_keeps_every_decision_and_leaves_no_worker(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # q right after deciding, while the retrain the screen started with its first record is under way in the
    # worker process: the decisions are the app's own writes (durable before the next record shows), so ending
    # the worker at the exit loses none, and no worker process outlives the app.
    import asyncio
    import time

    from review.tui.app import make_app
    from tests.tui.test_tui_e2e import small_demo

    workspace, _ = small_demo(tmp_path / "demo", n_publications=60)

    async def run() -> tuple[list[object], list[int]]:
        app = make_app(workspace, "ben", "screening")
        async with app.run_test(size=(100, 30)) as pilot:
            decided = await _include_exclude_exclude(app, pilot)
            deadline = time.monotonic() + 30
            while app.project.retrainer._workers["retrain"] is None and time.monotonic() < deadline:
                await pilot.pause(0.01)  # (the first retrain's worker process, starting)
            workers = [w for w in app.project.retrainer._workers.values() if w is not None]
            await pilot.press("q")
        return workers, decided

    workers, decided = asyncio.run(run())
    assert workers
    assert all(worker.wait(5) is not None for worker in workers)
    _assert_stored_as_decided(workspace, decided)


@pytest.mark.parametrize("kind", ["retrain", "evidence"])
def test_closing_drops_a_thread_call_under_way_at_once(kind) -> None:  # type: ignore[no-untyped-def]
    # [tui] retrain = "thread": the call runs in this process and cannot be stopped midway (a q in the first retrain
    # at 50,000 records waited 8-17 s for the features and the fit). Closing ends the wait, its answer dropped.
    import threading
    import time
    from types import SimpleNamespace

    from review.tui.retrainer import Retrainer

    release = threading.Event()

    def slow_call():  # type: ignore[no-untyped-def]
        release.wait(30)
        return "ranking"

    session = SimpleNamespace(retrain=slow_call, stopping_evidence=slow_call)
    retrainer = Retrainer("thread")
    ask = getattr(retrainer, "retrain" if kind == "retrain" else "stopping_evidence")
    outcome: list[object] = []

    def wait_for_it() -> None:
        try:
            outcome.append(ask(session))
        except BaseException as err:  # noqa: BLE001  (what the waiting thread gets)
            outcome.append(err)

    waiting = threading.Thread(target=wait_for_it, daemon=True)
    waiting.start()
    time.sleep(0.2)  # (the call is under way)
    closed = time.monotonic()
    retrainer.close()
    waiting.join(5)
    release.set()
    assert not waiting.is_alive(), "the thread waiting on the call still waits after close()"
    assert time.monotonic() - closed < 2
    assert len(outcome) == 1 and isinstance(outcome[0], RuntimeError), outcome
    with pytest.raises(RuntimeError, match="thread is closed"):
        ask(session)


def test_a_thread_call_answers_or_raises_as_the_session_does() -> None:
    from types import SimpleNamespace

    from review.tui.retrainer import Retrainer

    def failing():  # type: ignore[no-untyped-def]
        raise ValueError("no features")

    retrainer = Retrainer("thread")
    assert retrainer.retrain(SimpleNamespace(retrain=lambda: "ranking")) == "ranking"
    with pytest.raises(ValueError, match="no features"):
        retrainer.stopping_evidence(SimpleNamespace(stopping_evidence=failing))


def test_q_under_a_thread_retrain_exits_at_once_and_keeps_every_decision(
        tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # [tui] retrain = "thread", q while a retrain is fitting: the exit (asyncio.run's end joins the app's worker
    # threads) no longer waits for the fit, and every decision made before q is in the store.
    import asyncio
    import threading
    import time

    from review.screening.session import ScreeningSession
    from review.tui.app import make_app
    from tests.tui.test_tui_e2e import small_demo

    workspace, _ = small_demo(tmp_path / "demo", n_publications=60)
    with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tui]\nretrain = "thread"\n')
    workspace = Workspace(workspace.root)
    fitting, release = threading.Event(), threading.Event()
    retrain = ScreeningSession.retrain

    def slow_retrain(self):  # type: ignore[no-untyped-def]
        fitting.set()
        release.wait(30)  # a fit of 50,000 records' features
        return retrain(self)

    monkeypatch.setattr(ScreeningSession, "retrain", slow_retrain)
    pressed: list[float] = []

    async def run() -> list[int]:
        app = make_app(workspace, "ben", "screening")
        async with app.run_test(size=(100, 30)) as pilot:
            decided = await _include_exclude_exclude(app, pilot)
            app.screen.request_retrain()
            deadline = time.monotonic() + 30
            while not fitting.is_set() and time.monotonic() < deadline:
                await pilot.pause(0.01)
            assert fitting.is_set()
            pressed.append(time.monotonic())
            await pilot.press("q")
        return decided

    try:
        decided = asyncio.run(run())
        took = time.monotonic() - pressed[0]
    finally:
        release.set()
    assert took < 10, f"q waited for the retrain ({took:.1f} s)"
    _assert_stored_as_decided(workspace, decided)
