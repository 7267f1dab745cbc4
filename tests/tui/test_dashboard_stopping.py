"""The dashboard's stopping verdict right after the app opens is the one `review status --stopping` gives."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from review.cli import main
from review.workspace import Workspace
from tests.screening.test_stopping_classifier import _session_with_found
from tui_workspace import async_test, build_workspace, open_app


def _found_then_sixty_irrelevant(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Workspace:  # type: ignore[no-untyped-def]
    """200 records, 30 relevant: all 30 decided, then 60 irrelevant (test_stopping_classifier's construction,
    where the trend alone says continue and the classifier's due check says stop), with the classifier asked from
    k* = 1 on, as before decision 0072 (k* is 1 here)."""
    from review.screening import stopping_classifier as sc

    monkeypatch.setattr(sc, "FEWEST_ALLOWED", 1)
    workspace = build_workspace(tmp_path / "ws", n=0, with_conflicts=False, with_pairs=False)
    _session_with_found(workspace, 30)
    return workspace


@async_test
async def test_the_dashboard_makes_the_due_classifier_check_before_its_verdict_stands(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rrev24a: opened on the dashboard, the app showed the verdict without the classifier's check that was due
    (the screening screen makes it after its first ranking), CONTINUE here, while `review status --stopping`, which
    makes the check first, said STOP."""
    workspace = _found_then_sixty_irrelevant(tmp_path, monkeypatch)
    status = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", "status", "--stopping"])
    assert status.exit_code == 0 and "alice: STOP (Recommended rule)" in status.stdout, status.output
    async with open_app(workspace, "alice", size=(110, 40)) as (app, pilot):
        said = str(app.screen.query_one("#stop").render())
        assert " STOP " in said and "CONTINUE" not in said and "is due" not in said, said
        assert not app.project.session.stopping_evidence_due()


def _stored_queue(workspace: Workspace) -> None:
    """alice's queue stored (as the screening screen stores it), without the classifier's check."""
    from review.screening.session import ScreeningSession
    from review.store.screening import ranking_info

    session = ScreeningSession(workspace, "alice", seed=2, save_interval=0.0)
    session.apply_ranking(session.retrain())
    info = ranking_info(workspace.store, "alice")
    assert info is not None and "stopping_classifier" not in info


@async_test
async def test_the_dashboards_check_is_kept_and_the_next_opening_makes_none(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decision 0075 for the dashboard: a check it made went only to the retrain worker, and no retrain follows on the
    dashboard, so every opening made it again (six fits, 20 s at 50,000 records, dash33). Kept in the stored queue,
    the next opening and review status --stopping take it, with the same verdict."""
    from review.tui.retrainer import Retrainer
    from tui_workspace import settle

    from review.store.screening import ranking_info

    workspace = _found_then_sixty_irrelevant(tmp_path, monkeypatch)
    _stored_queue(workspace)
    made: list[int] = []
    make = Retrainer.stopping_evidence

    def counted(self: Retrainer, session: Any) -> Any:
        made.append(1)
        return make(self, session)

    monkeypatch.setattr(Retrainer, "stopping_evidence", counted)
    for _ in range(2):
        async with open_app(workspace, "alice", size=(110, 40)) as (app, pilot):
            await settle(pilot)
            said = str(app.screen.query_one("#stop").render())
            assert " STOP " in said and "is due" not in said, said
    assert made == [1] and ranking_info(workspace.store, "alice")["stopping_classifier"]["screened"] == 90
    status = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", "status", "--stopping"])
    assert status.exit_code == 0 and "alice: STOP (Recommended rule)" in status.stdout, status.output
    assert made == [1]


@async_test
async def test_the_panel_counts_the_seconds_of_a_check_under_way(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check's six fits take 20-30 s at 50,000 records (dash33): the panel said "making it now" all along, with
    nothing moving. It counts the seconds while the check is under way, and says the verdict once it is back."""
    import asyncio
    import threading

    from review.tui.app import make_app
    from review.tui.retrainer import Retrainer
    from tui_workspace import settle

    workspace = _found_then_sixty_irrelevant(tmp_path, monkeypatch)
    go_on = threading.Event()
    make = Retrainer.stopping_evidence

    def slow(self: Retrainer, session: Any) -> Any:
        go_on.wait(30)
        return make(self, session)

    monkeypatch.setattr(Retrainer, "stopping_evidence", slow)
    app = make_app(workspace, "alice", "dashboard")
    async with app.run_test(size=(110, 40)) as pilot:  # (not open_app: it waits for every worker)
        for _ in range(1000):  # until the check is asked for (the counts come first)
            if getattr(app.screen, "_checking", False):
                break
            await asyncio.sleep(0.01)
        await pilot.pause(1.5)
        said = str(app.screen.query_one("#stop").render())
        assert "making it now (1 s so far)" in said or "making it now (2 s so far)" in said, said
        go_on.set()
        await settle(pilot)
        said = str(app.screen.query_one("#stop").render())
        assert " STOP " in said and "making it now" not in said and app.screen._check_clock is None, said


@async_test
async def test_a_failed_check_is_said_as_not_made_and_is_not_asked_again(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from review.tui.retrainer import Retrainer
    from tui_workspace import settle

    workspace = _found_then_sixty_irrelevant(tmp_path, monkeypatch)
    asked: list[int] = []

    def failing(self: Retrainer, session: object) -> None:
        asked.append(1)
        raise RuntimeError("the fit failed")

    monkeypatch.setattr(Retrainer, "stopping_evidence", failing)
    async with open_app(workspace, "alice", size=(110, 40)) as (app, pilot):
        await settle(pilot)
        said = str(app.screen.query_one("#stop").render())
        # rrev25c: "making it now" stood after the failure, with nothing under way and nothing to come
        assert " CONTINUE " in said and "making it now" not in said, said
        assert "A check of the classifier is due and was not made here; review status --stopping makes it" in said
        assert [n.title for n in app._notifications] == ["Stopping evidence failed"]
        await pilot.press("g")  # a recount with nothing changed does not ask the failing check again
        await settle(pilot)
        assert asked == [1] and app.is_running
        assert "was not made here" in str(app.screen.query_one("#stop").render())


@async_test
async def test_a_check_that_comes_back_without_an_answer_is_said_as_not_made(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # rrev25c: the evidence process's session may find no check due where the app's finds one (it kept an answer
    # the app dropped on an undo): the answer is None, the check stays due, and the panel said "making it now".
    from review.tui.retrainer import Retrainer
    from tui_workspace import settle

    workspace = _found_then_sixty_irrelevant(tmp_path, monkeypatch)
    asked: list[int] = []

    def none_due(self: Retrainer, session: object) -> None:
        asked.append(1)

    monkeypatch.setattr(Retrainer, "stopping_evidence", none_due)
    async with open_app(workspace, "alice", size=(110, 40)) as (app, pilot):
        await settle(pilot)
        said = str(app.screen.query_one("#stop").render())
        assert " CONTINUE " in said and "making it now" not in said and "was not made here" in said, said
        assert asked == [1] and app.project.session.stopping_evidence_due() and not app._notifications


@async_test
async def test_back_on_the_screening_screen_after_a_pick_in_the_browser_the_due_check_is_made(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # rrev27b: a record picked in the record browser leaves the set the recommended rule reads and drops the
    # classifier's view (413bd8a1). Back on the screening screen the line said the trend alone, CONTINUE, until the
    # reviewer's next decision brought a ranking and the check, while review status --stopping made the check first
    # and said STOP. The screen asks for the check due when it comes back.
    from review.tui.screens.browser import BrowserScreen
    from review.tui.screens.screening import ScreeningScreen
    from tui_workspace import settle

    workspace = _found_then_sixty_irrelevant(tmp_path, monkeypatch)
    async with open_app(workspace, "alice", "screening", size=(110, 40)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.project is not None
        session = screen.project.session
        assert session.progress().stopping.verdict == "stop" and not session.stopping_evidence_due()
        await pilot.press("5")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        picked = next(r.id for r in workspace.store.records() if r.id is not None and not session.is_decided(r.id))
        browser.action_decide("exclude", record_id=picked)
        assert session.progress().picked == 1 and session.stopping_evidence_due()
        status = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", "status", "--stopping"])
        assert status.exit_code == 0 and "alice: STOP (Recommended rule)" in status.stdout, status.output
        await pilot.press("2")
        await settle(pilot)
        assert app.screen is screen and not session.stopping_evidence_due()
        said = str(screen.query_one("#stopping").render())
        assert said.startswith(" STOP "), said


@async_test
async def test_records_imported_in_a_shell_join_the_screening_screens_counts_and_verdict(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # rrev27b: records imported in a shell (review import, review search) while the app was open were read by no
    # screen: the screening screen counted 200 records and kept the classifier's view made over them, while review
    # status --stopping read 250, dropped that view (413bd8a1: it names the records it was made over) and made a check
    # of its own. The screen's look for removals (every 2 s) now sees the import too, and the check due follows.
    from review.records import Record
    from review.tui.screens.screening import ScreeningScreen
    from tui_workspace import settle

    workspace = _found_then_sixty_irrelevant(tmp_path, monkeypatch)
    async with open_app(workspace, "alice", "screening", size=(110, 40)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.project is not None
        session = screen.project.session
        assert session.progress().total == 200 and not session.stopping_evidence_due()
        workspace.store.add_batch([Record(title=f"update search record {i}", external_id=f"u{i}") for i in range(50)],
                                  file_name="update.csv", file_sha256="u" * 64, source_name="update", format="csv",
                                  encoding="utf-8")
        version = screen.project.retrainer.records_version
        screen.follow_set_aside()  # (the 2 s look)
        await settle(pilot)
        assert session.progress().total == 250 and screen.project.retrainer.records_version == version + 1
        assert not session.stopping_evidence_due()  # the check over the 250 made
        status = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", "status", "--stopping"])
        assert status.exit_code == 0, status.output
        (line,) = [x for x in status.stdout.splitlines() if x.startswith("stopping   alice:")]
        said = str(screen.query_one("#stopping").render())
        assert said.split()[0] in line and "250" in str(screen.query_one("#counts").render()), (said, line)
