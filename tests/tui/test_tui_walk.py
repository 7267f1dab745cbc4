"""What a reviewer screening by keyboard found (docs/benchmarks/tui-walk-2026-12-06.md): each test fails before
its fix."""
from __future__ import annotations

from review.tui.screens.modals import MAX_HITS, SearchScreen, search_records
from review.workspace import Workspace
from tui_workspace import async_test, open_app, open_screening, screen_lines, settle


@async_test
async def test_what_the_last_key_did_is_in_view_at_80_columns(fresh_ws: Workspace) -> None:
    """"last: undid include #N" ended the counts line, cut away below ~100 columns: an undo showed a record again
    without saying which decision went."""
    async with open_screening(fresh_ws) as (app, pilot, screen):
        first = screen.current
        await pilot.press("i")
        await settle(pilot)
        assert any(f"last: include #{first.id}" in line for line in screen_lines(app))
        await pilot.press("u")
        await settle(pilot)
        assert screen.current.id == first.id
        assert any(f"last: undid include #{first.id}" in line for line in screen_lines(app)), screen_lines(app)


@async_test
async def test_a_record_opened_by_its_id_says_the_decision_it_has(fresh_ws: Workspace) -> None:
    """Every screen names a record "#12", and "#12" in the search found nothing (no text holds "#"); a decided
    record opened from search looked new, and the next key changed its decision without a word."""
    async with open_screening(fresh_ws) as (app, pilot, screen):
        decided = screen.current
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("slash", *f"#{decided.id}")
        await settle(pilot)
        search = app.screen
        assert isinstance(search, SearchScreen)
        assert "1 match;" in str(search.query_one("#hits-count").render())
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert screen.current.id == decided.id
        assert any(f"opened #{decided.id} from search (your decision: include; a key changes it)" in line
                   for line in screen_lines(app)), screen_lines(app)
        await pilot.press("e", "u")  # a correction undone: the earlier decision is in force again, and said
        await settle(pilot)
        assert any(f"undid exclude #{decided.id} (include stands again)" in line for line in screen_lines(app))


def test_the_search_takes_a_hash_id_exactly_and_puts_a_bare_id_first(fresh_ws: Workspace) -> None:
    records = {r.id: r for r in fresh_ws.store.records()}
    assert [r.id for r in search_records(records, "#3")] == [3]
    assert search_records(records, "#3 osteoarthritis") == []  # (#3 is not about the knee)
    assert search_records(records, "#3 #4") == [] and search_records(records, "#999") == []
    assert [r.id for r in search_records(records, "11")][0] == 11  # (11 is also inside PMIDs 200000011…)
    assert len(search_records(records, "study", limit=3)) == 3 and MAX_HITS >= 100


@async_test
async def test_enter_does_not_stop_screening_against_the_rules_verdict(fresh_ws: Workspace) -> None:
    """Enter said yes to every stop, also to the reviewers' own stop while the rule said CONTINUE (a methods
    decision the diagram reports): now only y does, and the key line says so."""
    from review.services.prisma import current_screening_stop
    from review.tui.screens.modals import ConfirmScreen

    async with open_screening(fresh_ws) as (app, pilot, screen):
        assert screen.verdict != "stop"
        await pilot.press("s")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmScreen) and question.key_line() == "y: yes    n / Esc / Enter: no"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and current_screening_stop(fresh_ws) is None


@async_test
async def test_esc_in_the_note_box_says_the_note_it_did_not_save(fresh_ws: Workspace) -> None:
    """Esc dropped a typed note without a word; Esc on a box left as it was says nothing."""
    async with open_screening(fresh_ws) as (app, pilot, screen):
        await pilot.press("n", *"recurrence defined", "escape")
        await settle(pilot)
        assert app.screen is screen and not screen.note
        said = [n.message for n in app._notifications]
        assert said == ["Note not saved (Esc): recurrence defined"], said
        await pilot.press("n", "escape")
        await settle(pilot)
        assert len(app._notifications) == 1


@async_test
async def test_a_key_with_nothing_to_act_on_says_why(tui_ws: Workspace, fresh_ws: Workspace) -> None:
    """In blind mode the conflicts footer offers i, e, m, r and x, and each only rang the bell (silent in many
    terminals); so did the full-text keys before any report reached full text."""
    async with open_app(tui_ws, "carol", "conflicts", size=(80, 24), blind=True) as (app, pilot):
        await pilot.press("i")
        await settle(pilot)
        assert [n.message for n in app._notifications] == [
            "Blind mode hides the conflicts: b shows them (for this session)."]
        assert "include" not in {d.label for d in tui_ws.store.decisions(reviewer="consensus")}
    # (unblinded: blind, the line says what blind mode leaves out, test_tui_blind.py)
    async with open_app(fresh_ws, "alice", "fulltext", size=(80, 24), blind=False) as (app, pilot):
        await pilot.press("y")
        await settle(pilot)
        assert [n.message for n in app._notifications] == [
            "No report at full text yet: records included on screening (key 2) come here."]


def test_a_dedup_pair_says_the_scale_of_its_score() -> None:
    """"score 6.0: pages -3, title +2.5, …" gave no scale: how near a merge is 6?"""
    from types import SimpleNamespace

    from review.tui.screens.dedup import pair_heading

    engine = SimpleNamespace(score=6.0, skipped=False, explanation="score 6.0: pages -3, title +2.5")
    assert str(pair_heading(engine, 0, 2, 1)).endswith("score 6.0: pages -3, title +2.5 (4.5 to 7: you judge; "
                                                      "7 or more: merged without asking)")


def test_a_preprint_pair_past_the_merge_score_says_why_it_is_asked() -> None:
    """walk20: a preprint and its journal version scored 8.5 and came to the review, as they always do, under
    "(4.5 to 7: you judge; 7 or more: merged without asking)": read as a pair the tool failed to merge."""
    from types import SimpleNamespace

    from review.tui.screens.dedup import pair_heading

    engine = SimpleNamespace(score=8.5, skipped=False, explanation="score 8.5: title +4, authors +2.5, abstract +2 "
                                                                    "(preprint vs published version)")
    shown = str(pair_heading(engine, 0, 1, 0))
    assert shown.endswith("(preprint vs published version) (7 or more merges without asking, but a preprint and "
                          "its published version are always yours to judge)"), shown
    assert "4.5 to 7: you judge" not in shown


def test_the_record_browser_filter_takes_a_hash_id(fresh_ws: Workspace) -> None:
    from review.tui.screens.browser import ANY, Filters, matches

    records = {r.id: r for r in fresh_ws.store.records()}
    hits = [rid for rid, r in records.items() if matches(r, {}, Filters("#3", ANY, ANY, ANY))]
    assert hits == [3]
    assert not matches(records[3], {}, Filters("#3 osteoarthritis", ANY, ANY, ANY))


def test_a_kappa_without_its_ci_says_why() -> None:
    """anna included all 20 records both decided: κ 0.000, its CI "–" with no word why (AC1 0.780 beside it)."""
    from rich.console import Console

    from review.screening.agreement import pairwise_agreement
    from review.tui.screens.conflicts import NO_CI, stats_table

    labels = {(r, "anna"): "include" for r in range(20)}
    labels.update({(r, "ben"): "include" if r < 16 else "exclude" for r in range(20)})
    [stats] = pairwise_agreement(labels)
    assert stats.kappa == 0.0 and stats.kappa_ci_low is None

    def drawn(table) -> str:  # type: ignore[no-untyped-def]
        console = Console(width=120, record=True, color_system=None)
        console.print(table)
        return " ".join(console.export_text().split())

    assert NO_CI in drawn(stats_table([stats]))
    labels.update({(r, "anna"): "exclude" for r in (16, 17, 18)})
    [mixed] = pairwise_agreement(labels)
    assert mixed.kappa_ci_low is not None and NO_CI not in drawn(stats_table([mixed]))


@async_test
async def test_the_dashboards_export_writes_nothing_while_blind(tui_ws: Workspace) -> None:
    """x on the dashboard wrote conflicts.csv (each reviewer's label on every disagreement) and prisma.json (the
    records they disagree on) while the session was blind; now it is refused in one line, as the conflicts keys."""
    from review.tui.actions import ACTIONS

    written = ("agreement.json", "agreement.csv", "conflicts.csv", "prisma")
    async with open_app(tui_ws, "alice", "dashboard", size=(80, 24), blind=True) as (app, pilot):
        await pilot.press("x")
        await settle(pilot)
        [export] = [a for a in ACTIONS if a.key == "x"]
        assert [n.message for n in app._notifications] == [export.refused_blind]
        assert not [name for name in written if tui_ws.path("screening", name).exists()]
    async with open_app(tui_ws, "alice", "dashboard", size=(80, 24), blind=False) as (app, pilot):
        await pilot.press("x")
        await settle(pilot)
        assert all(tui_ws.path("screening", name).exists() for name in written)


@async_test
async def test_a_conflicts_key_before_they_are_read_says_so(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With the workspace open and the conflicts not read (a busy store: the read failed, said once), i said "The
    workspace is still opening: try again in a moment", which was not so."""
    from review.errors import ReviewError
    from review.tui.screens import conflicts

    def busy(project: object) -> object:
        raise ReviewError("the store is busy", title="Store busy")

    monkeypatch.setattr(conflicts, "gather", busy)
    async with open_app(tui_ws, "carol", "conflicts", size=(80, 24), blind=False) as (app, pilot):
        app._notifications.clear()
        await pilot.press("i")
        await settle(pilot)
        assert [n.message for n in app._notifications] == [conflicts.NOT_READ]
