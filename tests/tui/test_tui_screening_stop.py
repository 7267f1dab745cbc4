"""`s` on the screening screen records one screening stop: a second `s` while it is recorded, or while it
stands, records none (stacked stops needed as many `review prisma resume`s, and after one the first stop was
back in force)."""
from __future__ import annotations

import threading
from typing import Any

import pytest
from rich.text import Text

from review.services.prisma import current_screening_stop, withdraw_screening_stop
from review.store.fulltext import screening_stops
from review.tui.screens import screening
from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, open_screening, settle


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


@pytest.mark.parametrize(("verdict", "by_rule"), [("stop", True), ("continue", False), ("sample-needed", False)])
def test_the_stop_question_words_the_stop_as_the_diagram_will(verdict: str, by_rule: bool) -> None:
    """The question said the rest would be 'marked ineligible by the stopping rule' whatever the rule said; the
    diagram credits a rule only when it said stop, and calls any other stop the reviewers' own."""
    from review.screening.stopping import StoppingStatus

    stopping = StoppingStatus(verdict=verdict, estimated_recall=0.9, explanation="the rule's words", screened=100,
                              relevant_found=10, remaining=1200)
    question = screening.stop_question(stopping, 1200).plain
    assert f"Stopping rule: {verdict.upper()}. the rule's words" in question
    assert "1,200 unscreened records will count in PRISMA as marked ineligible by automation tools" in question
    assert "by the stopping rule" not in question
    assert ("the diagram credits the rule with the stop" in question) is by_rule
    assert ("the reviewers' own stop" in question) is not by_rule
    assert ("The rule does not say stop yet." in question) is not by_rule
    assert question.endswith("(withdraw with: review prisma resume).")
    assert "1 unscreened record will count" in screening.stop_question(stopping, 1).plain


@async_test
async def test_a_stop_while_the_rule_says_continue_is_asked_and_recorded_as_the_reviewers_own(
        fresh_ws: Workspace) -> None:
    from review.services.prisma import verdict_credits_rule
    from review.tui.screens.modals import ConfirmScreen

    async with open_app(fresh_ws, "alice", "screening") as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        screen.retrain_delay = 60.0
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        asked = Text(dialog.question).plain if isinstance(dialog.question, str) else dialog.question.plain
        assert "Stopping rule: CONTINUE." in asked and "the reviewers' own stop" in asked, asked
        await pilot.press("y")
        await settle(pilot)
    stop = current_screening_stop(fresh_ws)
    assert stop is not None and not verdict_credits_rule(stop.verdict)  # the diagram words it as the question did


@async_test
async def test_a_teammates_stop_is_named_on_the_dashboard_and_the_screening_screen(fresh_ws: Workspace) -> None:
    """After bob's stop, alice's dashboard and screen said CONTINUE and named no stop (each verdict follows its own
    reviewer) while PRISMA counted the rest as excluded: now both say who stopped, when, and how to withdraw it,
    the screen also when the stop comes or goes while it is open."""
    from review.services.prisma import record_screening_stop

    stop = record_screening_stop(fresh_ws, "bob", "we are done")
    assert stop.created_at is not None
    when = f"{stop.created_at:%Y-%m-%d %H:%M} UTC"
    # (unblinded: blind, the count is left out, test_a_teammates_stop_gives_no_count_away_while_blind)
    async with open_app(fresh_ws, "alice", "dashboard", size=(80, 24), blind=False) as (app, pilot):
        panel = str(app.screen.query_one("#stop").render())
        assert f"Screening stopped by bob on {when} (stop {stop.id}): 12 records nobody had screened at the stop " \
               "count as excluded by automation; review prisma resume withdraws it." in " ".join(panel.split()), panel
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        screen.retrain_delay = 60.0
        line = str(screen.query_one("#stopping").render())
        assert line.splitlines()[0] == f" STOPPED  by bob on {when}; review prisma resume withdraws it", line
        said = [str(n.message) for n in app._notifications]
        assert sum(f"Screening stopped by bob on {when}" in m for m in said) == 1, said
        withdraw_screening_stop(fresh_ws, "bob")
        screen.read_stop()  # (the 5 s look, at once)
        await settle(pilot)
        assert "STOPPED" not in str(screen.query_one("#stopping").render())
        again = record_screening_stop(fresh_ws, "carol", "enough for me")
        screen.read_stop()
        await settle(pilot)
        assert "STOPPED  by carol" in str(screen.query_one("#stopping").render())
        said = [str(n.message) for n in app._notifications]
        assert any(f"(stop {again.id})" in m and "by carol" in m for m in said), said


@async_test
async def test_a_teammates_stop_gives_no_count_away_while_blind(fresh_ws: Workspace) -> None:
    """walk31: blind, the dashboard hides "Records screened" (decision 0052: beside your own counts it tells how many
    records the others screened), yet its stop line said "21 records nobody had screened at the stop", the same
    number from the other side (398 - 21 = 377). Blind, the line and the teammate's-stop notification leave the
    count out and say where it is; unblinded they give it as before."""
    from review.services.prisma import record_screening_stop

    stop = record_screening_stop(fresh_ws, "bob", "we are done")
    when = f"{stop.created_at:%Y-%m-%d %H:%M} UTC"
    async with open_app(fresh_ws, "alice", "dashboard", size=(80, 24)) as (app, pilot):
        assert app.project.blind  # alice and bob in review.toml
        panel = " ".join(str(app.screen.query_one("#stop").render()).split())
        assert f"Screening stopped by bob on {when} (stop {stop.id}): the records nobody had screened at the stop " \
               "count as excluded by automation (how many is hidden while blind: b on screen 4 shows it); review " \
               "prisma resume withdraws it." in panel, panel
        assert "12 records" not in panel
        await pilot.press("2")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "Screening stopped by bob" in str(n.message)]
        assert said and not any("12 records" in m for m in said), said
    async with open_app(fresh_ws, "alice", "dashboard", size=(80, 24), blind=False) as (app, pilot):
        panel = " ".join(str(app.screen.query_one("#stop").render()).split())
        assert "12 records nobody had screened at the stop count as excluded by automation" in panel, panel


@async_test
async def test_a_standing_stop_leaves_the_whole_verdict_visible_at_80x24(fresh_ws: Workspace) -> None:
    """The stopping box was 3 lines high: the STOPPED line (two with a 9-letter name) cut the verdict's end."""
    from review.services.prisma import record_screening_stop

    record_screening_stop(fresh_ws, "annemarie", "we are done")
    async with open_app(fresh_ws, "alice", "dashboard", size=(80, 24)) as (app, pilot):
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        screen.retrain_delay = 60.0
        widget = screen.query_one("#stopping")
        whole = " ".join(str(widget.render()).split())
        assert "STOPPED" in whole and "annemarie" in whole, whole
        visible = " ".join(" ".join(line.text.split()) for line in widget.render_lines(widget.region.reset_offset))
        assert visible.replace(" ", "") == whole.replace(" ", ""), (visible, whole)
        assert screen.query_one("#record").region.height >= 5  # the record keeps its room


@async_test
async def test_the_last_record_screened_does_not_ask_for_a_stop(fresh_ws: Workspace) -> None:
    """walk20: after the last record the rule said STOP ("Every record has been screened") and a notification said
    "The stopping rule says you may stop: press s to record it"; such a stop marks nothing ineligible, and the
    diagram credited automation with the end. Nothing is asked once nothing is left."""
    from tui_workspace import open_screening

    async with open_screening(fresh_ws) as (app, pilot, screen):
        for _ in range(12):
            await pilot.press("e")
            await settle(pilot)
        progress = screen.project.session.progress()
        assert progress.remaining == 0 and progress.stopping.verdict == "stop"
        asked = [n.message for n in app._notifications if "press s to record it" in str(n.message)]
        assert asked == [], asked


@pytest.mark.parametrize("blind", [True, False])
@async_test
async def test_ones_own_stop_recorded_blind_gives_no_count_away(fresh_ws: Workspace, blind: bool) -> None:
    """rrev31b, after a36b60ad: blind, the dashboard's stop line leaves out how many records nobody had screened at
    the stop (beside your own counts it tells how many the others screened), yet `s` on the screening screen said
    "Screening stop recorded (9 records unscreened)" while alice had screened none of the 12: bob had screened 3.
    Blind, the notification leaves the count out and says where it is; unblinded it gives it as before."""
    ids = [r.id for r in fresh_ws.store.records()]
    for record_id in ids[:3]:
        fresh_ws.store.add_decision(record_id, "bob", "exclude")
    async with open_screening(fresh_ws, blind=blind) as (app, pilot, screen):
        assert app.project.blind is blind
        screen.retrain_delay = 60.0
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "Screening stop recorded" in str(n.message)]
    assert current_screening_stop(fresh_ws) is not None and current_screening_stop(fresh_ws).n_unscreened == 9
    assert len(said) == 1, said
    if blind:
        assert "9" not in said[0], said
        assert said[0] == ("Screening stop recorded: the records nobody had screened at the stop count as excluded by "
                           "automation (how many is hidden while blind: b on screen 4 shows it)."), said
    else:
        assert said[0] == "Screening stop recorded (9 records unscreened).", said


@async_test
async def test_the_stop_question_of_a_team_claims_no_more_than_prisma_will_count(fresh_ws: Workspace) -> None:
    """rrev31b: the question said "12 unscreened records will count in PRISMA as marked ineligible by automation
    tools" (alice's own unscreened), while PRISMA counts only the records nobody screened: bob had screened 3, and
    a stop would record 9. With a team in review.toml it says the records nobody has screened will count, yours
    less any a teammate screened, which gives no teammate's count away while blind."""
    from review.tui.screens.modals import ConfirmScreen

    ids = [r.id for r in fresh_ws.store.records()]
    for record_id in ids[:3]:
        fresh_ws.store.add_decision(record_id, "bob", "exclude")
    async with open_screening(fresh_ws) as (app, pilot, screen):
        screen.retrain_delay = 60.0
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        asked = " ".join((Text(dialog.question).plain if isinstance(dialog.question, str)
                          else dialog.question.plain).split())
        await pilot.press("n")
    assert "12 unscreened records will count" not in asked, asked
    assert ("the records nobody has screened (your 12 unscreened, less any a teammate screened) will count in PRISMA "
            "as marked ineligible by automation tools") in asked, asked
