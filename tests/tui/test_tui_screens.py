"""Pilot tests of the dashboard, dedup review, conflicts and record browser screens."""

from __future__ import annotations

import re

import json
from datetime import datetime, timezone
from pathlib import Path

from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from resolutions import store_resolutions
from review.dedup.decisions import borderline_pairs, duplicate_ids
from review.store.dedup import pair_log
from review.tui.screens.browser import BrowserScreen
from review.tui.screens.conflicts import ConflictsScreen
from review.tui.screens.dashboard import DashboardScreen
from review.tui.screens.dedup import DedupScreen
from review.tui.screens.modals import ReasonScreen
from review.workspace import Workspace
from tests.dedup.helpers import imported_borderline_copies
from tui_workspace import async_test, open_app, require_reason_on_exclude, settle

SIZE = (110, 34)


@async_test
async def test_dashboard_counts_and_export_action(tui_ws: Workspace) -> None:
    from review.store import searches as search_store

    run = search_store.start_run(tui_ws.store, query_name="cmd", database="MEDLINE/PubMed", term="x", params={})
    search_store.finish_run(tui_ws.store, run, hit_count=1234, retrieved=1234, new_records=1234, requests=3)
    search_store.add_seed_check(tui_ws.store, query_name="cmd", term="x", params={}, seed_file="seeds.txt",
                                seed_file_sha256="0" * 64, n_seeds=4, n_found=3, recall=0.75, requests=2, details={},
                                checked_at=datetime.now(timezone.utc))
    # (unblinded: x in a blind session writes nothing, test_tui_walk.py)
    async with open_app(tui_ws, "alice", size=SIZE, blind=False) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        stages = app.screen.query_one("#stages")
        text = "\n".join(line.text for line in stages.render_lines(stages.region.reset_offset))
        for part in ("Identified", "12", "PubMed", "Embase", "Screened (you)", "4 / 12", "search cmd",
                     "1,234 hits", "seed check", "3/4 found"):
            assert part in text
        assert app.screen.data.borderline == 2 and "borderline (key 3)" in text  # pairs the dedup review waits on
        curve = app.screen.query_one("#curve")
        assert curve.values == (1.0, 1.0, 2.0, 2.0)  # alice: include, exclude, include, exclude
        await pilot.press("x")
        await settle(pilot)
        exported = json.loads(tui_ws.path("screening", "agreement.json").read_text())
        assert exported["agreement"][0]["n"] == 4


@async_test
async def test_dashboard_shows_every_count_row_at_80_by_24(tui_ws: Workspace) -> None:
    """A search's "1,234 hits, 2026-12-05" widened the value column, every label wrapped, and
    the PRISMA rows fell below the panel."""
    from review.store import searches as search_store

    run = search_store.start_run(tui_ws.store, query_name="cmd", database="MEDLINE/PubMed", term="x", params={})
    search_store.finish_run(tui_ws.store, run, hit_count=1234, retrieved=1234, new_records=1234, requests=3)
    search_store.add_seed_check(tui_ws.store, query_name="cmd", term="x", params={}, seed_file="seeds.txt",
                                seed_file_sha256="0" * 64, n_seeds=4, n_found=3, recall=0.75, requests=2, details={},
                                checked_at=datetime.now(timezone.utc))
    async with open_app(tui_ws, "alice", size=(80, 24)) as (app, pilot):
        stages, panel = app.screen.query_one("#stages"), app.screen.query_one("#dash-left")
        assert stages.region.bottom <= panel.content_region.bottom, (stages.region, panel.content_region)


@async_test
async def test_the_stopping_rule_panel_scrolls_by_keyboard_at_80_by_24(fresh_ws: Workspace) -> None:
    """At 80x24 the explanation's last lines were below the panel's fold and could be scrolled only with a
    mouse; what the rule does was a tooltip only."""
    from review.tui.screens.dashboard import RULE_WORDS

    ids = sorted(r.id or 0 for r in fresh_ws.store.records())
    for n, record_id in enumerate(ids[:8]):
        fresh_ws.store.add_decision(record_id, "alice", "include" if n % 3 == 0 else "exclude")
    async with open_app(fresh_ws, "alice", size=(80, 24)) as (app, pilot):
        screen = app.screen
        panel = screen.query_one("#stop-panel")
        text = str(screen.query_one("#stop").render())
        assert panel.max_scroll_y > 0 and panel.scroll_y == 0  # (the fold this is about)
        assert RULE_WORDS["recommended"].partition(": ")[2] in " ".join(text.split())
        await pilot.press("tab")
        assert app.focused is panel
        await pilot.press("end")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert panel.scroll_y == 0


@async_test
async def test_dedup_review_same_different_skip(tui_ws: Workspace) -> None:
    async with open_app(tui_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, DedupScreen) and len(screen.pairs) == 2
        first, second = screen.pairs
        await pilot.press("k")  # skip
        await pilot.press("d")  # different
        await settle(pilot)  # (a verdict reloads the open pairs; the skipped one waits for the next visit)
        human = [(r["record_a"], r["record_b"], r["verdict"], r["reviewer"])
                 for r in pair_log(tui_ws.store) if r["origin"] == "human"]
        assert human == [(first.left.id, first.right.id, "skip", "alice"),
                         (second.left.id, second.right.id, "different", "alice")]
        assert "No borderline pairs left" in str(screen.query_one("#dedup-status").render())
        # The skipped pair comes back; "same" merges it.
        screen.load()
        await settle(pilot)
        assert [p.left.id for p in screen.pairs] == [first.left.id]
        await pilot.press("s")
        await settle(pilot)  # (written in a worker: the next pair shows once it is in the store)
        assert borderline_pairs(tui_ws.store) == [] and duplicate_ids(tui_ws.store)
        # u takes the merge back: the pair waits again, shown on the screen, nothing set aside.
        await pilot.press("u")
        await settle(pilot)
        assert [(p.left.id, p.right.id) for p in borderline_pairs(tui_ws.store)] == [(first.left.id, first.right.id)]
        assert duplicate_ids(tui_ws.store) == set() and app.project.session.is_to_screen(first.right.id)
        assert screen.pairs[screen.index].left.id == first.left.id
        assert "Pair 1 of 1" in str(screen.query_one("#dedup-status").render())


@async_test
async def test_the_dedup_pair_taller_than_80x24_scrolls_by_keys_its_line_names(tui_ws: Workspace) -> None:
    """At 80x24 the pair's table runs past the screen (pages, DOI, PMID, abstract): the keys that scroll it
    worked but were named nowhere (the footer lists the verdicts only)."""
    from textual.containers import VerticalScroll

    async with open_app(tui_ws, "alice", "dedup", size=(80, 24)) as (app, pilot):
        screen = app.screen
        scroll = screen.query_one("#pair-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0
        assert "↑↓ scroll" in str(screen.query_one("#dedup-keys Static").render())
        await pilot.press("down", "down")
        await pilot.pause()
        assert scroll.scroll_y > 0


@async_test
async def test_a_dedup_verdict_and_its_undo_are_written_off_the_ui_thread(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """s and d rebuild the clusters over every record in their transaction, on the UI thread: most of the
    key's 41-132 ms. The pair gives way to "Updating the pairs…" at once, a key meanwhile decides nothing,
    and the next pair shows once the verdict is in the store. A skip (one row) too: on the UI thread a busy
    store held the keys for its timeout."""
    import threading

    from review.tui.screens import dedup as dedup_screen

    writes: list[tuple[str, bool]] = []
    release = threading.Event()
    decide, undo = dedup_screen.decide_pair, dedup_screen.undo_pair_decision

    def decide_later(*args):  # type: ignore[no-untyped-def]
        writes.append((args[3], threading.current_thread() is threading.main_thread()))
        if args[3] != "skip":
            release.wait(5)
        return decide(*args)

    def undo_later(*args):  # type: ignore[no-untyped-def]
        writes.append(("undo", threading.current_thread() is threading.main_thread()))
        return undo(*args)

    monkeypatch.setattr(dedup_screen, "decide_pair", decide_later)
    monkeypatch.setattr(dedup_screen, "undo_pair_decision", undo_later)
    async with open_app(tui_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        screen = app.screen
        first, second = screen.pairs
        await pilot.press("d")
        await pilot.pause()
        assert "Updating the pairs" in str(screen.query_one("#dedup-status").render())
        await pilot.press("s")  # under way: refused, nothing asked of the store
        release.set()
        await settle(pilot)
        assert writes == [("different", False)]
        assert [(p.left.id, p.right.id) for p in borderline_pairs(tui_ws.store)] == [(second.left.id, second.right.id)]
        status = str(screen.query_one("#dedup-status").render())
        assert "Pair 1 of 1" in status and "1 decided" in status
        await pilot.press("u")
        await settle(pilot)
        assert writes[-1] == ("undo", False)
        assert screen.pairs[screen.index].left.id == first.left.id
        await pilot.press("k")  # a skip: in the worker too
        await settle(pilot)
        assert writes[-1] == ("skip", False)
        assert [r["verdict"] for r in pair_log(tui_ws.store) if r["origin"] == "human"][-1] == "skip"
        status = str(screen.query_one("#dedup-status").render())
        assert "Pair 2 of 2" in status and "0 decided" in status  # (the undo took the different back)


@async_test
async def test_dedup_review_asks_once_per_pair_of_clusters_after_a_merge(fresh_ws: Workspace) -> None:
    # Three copies, each pair borderline (pages differ). After "same" on A-B the screen went on to
    # A-C and then B-C from its old list: two questions about one pair of clusters, whose answers
    # could contradict (a "same" then silently lost to the "different").
    imported_borderline_copies(fresh_ws, "678-684", "686-692", "694-700")
    async with open_app(fresh_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, DedupScreen) and len(screen.pairs) == 3
        await pilot.press("s")
        await settle(pilot)
        assert [r["verdict"] for r in pair_log(fresh_ws.store) if r["origin"] == "human"] == ["same"]
        status = str(screen.query_one("#dedup-status").render())
        assert len(screen.pairs) == 1 and "Pair 1 of 1" in status and " is merged with #" in status
        await pilot.press("d")
        await settle(pilot)
        assert [r["verdict"] for r in pair_log(fresh_ws.store) if r["origin"] == "human"] == ["same", "different"]
        assert str(screen.query_one("#dedup-status").render()) == ("No borderline pairs left (2 decided here). "
                                                                  "u takes back your last verdict.")
        assert borderline_pairs(fresh_ws.store) == [] and len(duplicate_ids(fresh_ws.store)) == 1


@async_test
async def test_dedup_review_refusal_is_a_notification_not_a_crash(fresh_ws: Workspace) -> None:
    # bob, in another window, merged b and c and called a different from them; alice's "same" on
    # a-b (from the list her screen loaded before) is refused by the store: the app went down.
    from review.dedup.decisions import decide_pair

    imported_borderline_copies(fresh_ws, "678-684", "686-692", "694-700")
    async with open_app(fresh_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        screen = app.screen
        a, b = screen.pairs[0].left.id, screen.pairs[0].right.id
        [c] = {r.id for p in screen.pairs for r in (p.left, p.right)} - {a, b}
        decide_pair(fresh_ws.store, b, c, "same", "bob")
        decide_pair(fresh_ws.store, a, c, "different", "bob")
        await pilot.press("s")
        await settle(pilot)
        assert app.is_running and not [r for r in pair_log(fresh_ws.store) if r["reviewer"] == "alice"]
        assert any("not merged" in str(n.message) for n in app._notifications)
        assert "No borderline pairs left" in str(screen.query_one("#dedup-status").render())


@async_test
async def test_an_unexpected_error_in_a_dedup_write_is_reported_and_the_pairs_come_back(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The write workers caught only ReviewError: a disk I/O error, a read-only store or a lost PostgreSQL
    # connection posted no reply, and the screen said "Updating the pairs…" for good (every key a bell).
    from review.tui.screens import dedup as dedup_screen

    def disk_error(*args):  # type: ignore[no-untyped-def]
        raise OSError("disk I/O error")

    def connection_lost(*args):  # type: ignore[no-untyped-def]  (another message: the same one is shown once)
        raise ConnectionError("server closed the connection unexpectedly")

    decide = dedup_screen.decide_pair
    async with open_app(tui_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        screen = app.screen
        first, second = screen.pairs
        monkeypatch.setattr(dedup_screen, "decide_pair", disk_error)
        await pilot.press("d")
        await settle(pilot)
        assert [str(n.message) for n in app._notifications] == ["disk I/O error"]
        assert not screen.reloading and borderline_pairs(tui_ws.store) == [first, second]
        assert "Pair 1 of 2" in str(screen.query_one("#dedup-status").render())
        monkeypatch.setattr(dedup_screen, "decide_pair", decide)
        await pilot.press("d")  # the keys work again
        await settle(pilot)
        assert borderline_pairs(tui_ws.store) == [second]
        monkeypatch.setattr(dedup_screen, "undo_pair_decision", connection_lost)
        await pilot.press("u")
        await settle(pilot)
        assert [str(n.message) for n in app._notifications] == ["disk I/O error",
                                                                "server closed the connection unexpectedly"]
        assert not screen.reloading and borderline_pairs(tui_ws.store) == [second]  # the verdict stands
        status = str(screen.query_one("#dedup-status").render())
        assert "Pair 1 of 1" in status and "1 decided" in status
        assert len(screen.history) == 1


@async_test
async def test_a_skip_that_fails_is_one_line_and_the_pairs_come_back(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # k was written on the UI thread and caught only ReviewError: a locked SQLite store (SQLAlchemy's error,
    # its SQL and a link over three lines) went up to the app. Now as s, d and u: one line, the pairs read again.
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from review.tui.screens import dedup as dedup_screen

    def locked(*args):  # type: ignore[no-untyped-def]
        raise OperationalError("INSERT INTO dedup_pair_decisions (record_a, record_b) VALUES (?, ?)", (1, 5),
                               sqlite3.OperationalError("database is locked"))

    decide = dedup_screen.decide_pair
    async with open_app(tui_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        screen = app.screen
        first, second = screen.pairs
        monkeypatch.setattr(dedup_screen, "decide_pair", locked)
        await pilot.press("k")
        await settle(pilot)
        assert app.is_running
        assert [str(n.message) for n in app._notifications] == ["(sqlite3.OperationalError) database is locked"]
        assert not [r for r in pair_log(tui_ws.store) if r["origin"] == "human"]
        assert not screen.reloading and screen.pairs == [first, second] and not screen.history
        assert "Pair 1 of 2" in str(screen.query_one("#dedup-status").render())  # the pair skipped nothing: shown again
        monkeypatch.setattr(dedup_screen, "decide_pair", decide)
        await pilot.press("k")  # the keys work again
        await settle(pilot)
        assert [r["verdict"] for r in pair_log(tui_ws.store) if r["origin"] == "human"] == ["skip"]
        assert "Pair 2 of 2" in str(screen.query_one("#dedup-status").render())


@async_test
async def test_dedup_review_same_on_two_decided_records_names_the_one_set_aside(fresh_ws: Workspace) -> None:

    imported_borderline_copies(fresh_ws, "678-684", "686-692")
    for record, reviewer, label in zip(fresh_ws.store.records()[-2:], ("bob", "carol"), ("include", "exclude")):
        fresh_ws.store.add_decision(record.id, reviewer, label)
    async with open_app(fresh_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        await pilot.press("s")
        await settle(pilot)
        [aside] = duplicate_ids(fresh_ws.store)
        assert any(f"1 set aside as duplicates with their screening or full-text decisions ({aside})" in str(n.message)
                   for n in app._notifications)


@async_test
async def test_dedup_review_before_any_dedup_run_says_so(fresh_ws: Workspace) -> None:
    # It said "No borderline pairs left", which read as all done (review dedup --review says so too).
    from review.dedup.run import run_dedup

    async with open_app(fresh_ws, "alice", "dedup", size=SIZE) as (app, pilot):
        screen = app.screen
        assert "Dedup has not run on this workspace yet" in str(screen.query_one("#dedup-status").render())
        run_dedup(fresh_ws)
        screen.load()
        await settle(pilot)
        assert "No borderline pairs left" in str(screen.query_one("#dedup-status").render())


@async_test
async def test_conflicts_blind_then_resolve_and_export(tui_ws: Workspace) -> None:
    async with open_app(tui_ws, "carol", "conflicts", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 0  # blind by default with two reviewers
        assert "Blind mode" in str(screen.query_one("#agreement").render())
        await pilot.press("i")  # nothing selectable while blind
        assert store_resolutions(tui_ws.store) == {}
        await pilot.press("b")
        await pilot.pause()
        assert table.row_count == 2
        conflict_ids = [c.record_id for c in screen.data.conflicts]

        def team_warnings() -> int:
            return sum("'carol' is not in review.toml's team" in str(n.message) for n in app._notifications)

        assert team_warnings() == 0  # opening the screen saves nothing under the name
        await pilot.press("e")
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {conflict_ids[0]: ("exclude", "carol")}
        assert team_warnings() == 1  # resolved_by now holds carol: told on the first resolution, once
        assert "1 unresolved" in str(screen.query_one("#conflict-status").render())
        assert table.cursor_row == 1  # the reload after resolving keeps the reviewer's place
        await pilot.press("i")
        await settle(pilot)
        assert store_resolutions(tui_ws.store)[conflict_ids[1]] == ("include", "carol")
        assert team_warnings() == 1
        await pilot.press("x")
        await settle(pilot)  # (written in a worker)
        rows = tui_ws.path("screening", "conflicts.csv").read_text().splitlines()
        assert rows[0] == "record_id,alice,bob,resolution,resolved_by,changed_since" and len(rows) == 3
        # b now blinds again, and the footer says so (it still said Unblind).
        footer = {key.key: key.description for key in screen.query(FooterKey)}
        assert footer["b"] == "Blind again"
        await pilot.press("b")
        await pilot.pause()
        assert table.row_count == 0 and {key.key: key.description for key in screen.query(FooterKey)}["b"] == "Unblind"


@async_test
async def test_u_right_after_a_resolution_takes_that_one_back_though_the_cursor_moved_on(tui_ws: Workspace) -> None:
    # walk31: a resolution moves the cursor to the next conflict, so u pressed at once for a wrong key found the
    # next, open row: "record 114: no resolution to take back ('review conflicts' lists them); nothing recorded".
    async with open_app(tui_ws, "carol", "conflicts", size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        table = screen.query_one(DataTable)
        await pilot.press("b")
        await settle(pilot)
        first, second = [c.record_id for c in screen.data.conflicts]
        assert table.row_count == 2 and table.cursor_row == 0
        await pilot.press("e")  # the wrong key
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {first: ("exclude", "carol")} and table.cursor_row == 1
        await pilot.press("u")  # the next row, open, is highlighted: the resolution just made is taken back
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {}
        said = [str(n.message) for n in app._notifications]
        assert any(f"#{first}: took back exclude" in m and f"#{second}" in m for m in said), said
        await pilot.press("u")  # nothing of this window's left standing, and the row is open: refused as before
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {}
        assert f"record {second}: no resolution to take back" in str(list(app._notifications)[-1].message)
        # A highlighted row with a resolution is still the one u takes back.
        table.move_cursor(row=0)
        await pilot.press("i")  # first; the cursor moves on to second
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {first: ("include", "carol"), second: ("exclude", "carol")}
        table.move_cursor(row=0)
        await pilot.press("u")
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {second: ("exclude", "carol")}


@async_test
async def test_u_after_a_shell_took_back_the_windows_last_resolution_takes_back_nothing_else(tui_ws: Workspace) -> None:
    # rrev31b: the window resolves the first conflict (the cursor moves on); a shell reopens it ('review conflicts
    # reopen'); u on the next, open row still went for the first record: it named it ('record N: no resolution to
    # take back') instead of the row highlighted, and where an earlier resolution stood again there it took that
    # one back, a resolution the window never made.
    from review.services.screening import reopen_conflicts, resolve_conflict

    async with open_app(tui_ws, "carol", "conflicts", size=SIZE) as (app, pilot):
        screen = app.screen
        table = screen.query_one(DataTable)
        await pilot.press("b")
        await settle(pilot)
        first, second = [c.record_id for c in screen.data.conflicts]
        resolve_conflict(tui_ws, first, "exclude", "carol")  # an earlier resolution (another window, a shell)
        await pilot.press("i")  # this window's, on the first; the cursor moves on to the second (open)
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {first: ("include", "carol")} and table.cursor_row == 1
        reopen_conflicts(tui_ws, [str(first)], "carol")  # review conflicts reopen, in a shell: the exclude stands again
        await pilot.press("u")  # on the second, open, before the list is read again
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {first: ("exclude", "carol")}  # the shell's result stands
        said = str(list(app._notifications)[-1].message)
        assert f"record {second}: no resolution to take back" in said and f"{first}" not in said, said
        # and with nothing standing on the first (the shell took that back too), u names the row highlighted
        reopen_conflicts(tui_ws, [str(first)], "carol")
        await pilot.press("u")
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {}
        said = str(list(app._notifications)[-1].message)
        assert f"record {second}: no resolution to take back" in said and f"{first}" not in said, said


@async_test
async def test_a_conflict_on_a_record_removed_before_screening_leaves_the_list_and_comes_back(tui_ws: Workspace) -> None:
    """Removed in a shell while the conflicts screen is open (decision 0021, addendum): resolving
    it is refused, the list drops it and says so; restored, it is listed again."""
    from review.services.prisma import remove_records, restore_records

    async with open_app(tui_ws, "carol", "conflicts", size=SIZE) as (app, pilot):
        screen = app.screen
        await pilot.press("b")
        await settle(pilot)
        table = screen.query_one(DataTable)
        first, second = (c.record_id for c in screen.data.conflicts)
        remove_records(tui_ws, [first], "alice", "retracted")  # review prisma remove, in a shell
        await pilot.press("i")  # on the removed record: refused, nothing recorded
        await settle(pilot)
        assert store_resolutions(tui_ws.store) == {}
        assert [c.record_id for c in screen.data.conflicts] == [second] and table.row_count == 1
        status = str(screen.query_one("#conflict-status").render())
        assert "1 conflict, 1 unresolved" in status and "1 more on records not screened" in status
        restore_records(tui_ws, [first], "alice")
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert [c.record_id for c in app.screen.data.conflicts] == [first, second] and table.row_count == 2


@async_test
async def test_resolving_as_exclude_asks_for_a_reason_when_criteria_require_one(tui_ws: Workspace) -> None:
    require_reason_on_exclude(tui_ws)
    async with open_app(tui_ws, "carol", "conflicts", size=SIZE) as (app, pilot):
        screen = app.screen
        await pilot.press("b")
        await pilot.pause()
        first, second = (c.record_id for c in screen.data.conflicts)
        await pilot.press("e")
        assert isinstance(app.screen, ReasonScreen) and store_resolutions(tui_ws.store) == {}
        await pilot.press("escape")  # cancelled: nothing resolved
        assert app.screen is screen and store_resolutions(tui_ws.store) == {}
        await pilot.press("e", "1")
        await settle(pilot)
        resolved = tui_ws.store.current_decisions(reviewer="consensus")[(first, "consensus")]
        assert (resolved.label, resolved.reasons) == ("exclude", (screen_reasons(app)[0],))
        await pilot.press("r", "2")  # r: exclude with a reason, whatever the setting
        await settle(pilot)
        resolved = tui_ws.store.current_decisions(reviewer="consensus")[(second, "consensus")]
        assert (resolved.label, resolved.reasons) == ("exclude", (screen_reasons(app)[1],))


@async_test
async def test_conflicts_show_both_decisions_and_the_resolution_at_80_columns(tui_ws: Workspace) -> None:
    """The 52-character title came second, pushing bob's decision and the resolution off screen."""
    async with open_app(tui_ws, "carol", "conflicts", size=(80, 24)) as (app, pilot):
        await pilot.press("b")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        right = 0
        for column in table.ordered_columns:
            right += column.get_render_width(table)
            if column.label.plain in ("decisions", "resolution"):
                assert right <= table.scrollable_content_region.width, (column.label.plain, right)


@async_test
async def test_the_agreement_statistics_fit_80_columns_whole(tui_ws: Workspace) -> None:
    """Two cells between columns cut the headers at 80 columns ("revie…", "agree…") and wrapped the pair's names."""
    async with open_app(tui_ws, "carol", "conflicts", size=(80, 24), blind=False) as (app, pilot):
        strips = app.screen._compositor.render_strips()
        lines = ["".join(segment.text for segment in strip) for strip in strips]
        stats = lines[1:8]  # (under the header: the statistics, their basis, the conflicts' line)
        assert any("alice × bob" in line for line in stats), lines[:8]
        assert not any("…" in line for line in stats), stats
        assert any("Gwet's" in line for line in stats) and any("Cohen's" in line for line in stats), stats


@async_test
async def test_a_long_pair_of_reviewers_keeps_every_agreement_column_at_80_columns(tui_ws: Workspace) -> None:
    """Names never wrapped, so "annemarie × benjamin" pushed Gwet's AC1 off an 80-column screen (its header read
    "Gwe", its value "0."; review of tui17 #4): a pair wider than 12 characters takes one name a line."""
    for record_id in range(1, 13):
        tui_ws.store.add_decision(record_id, "annemarie", "include" if record_id % 2 else "exclude")
        tui_ws.store.add_decision(record_id, "benjamin", "include" if record_id % 3 else "exclude")
    async with open_app(tui_ws, "carol", "conflicts", size=(80, 24), blind=False) as (app, pilot):
        lines = ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]
        header = next(i for i, line in enumerate(lines) if "reviewers" in line)
        pair = next(i for i, line in enumerate(lines) if "annemarie ×" in line)
        assert "Gwet's" in lines[header - 1] and "AC1" in lines[header], lines[header - 1:header + 1]
        # every column's value on the pair's line: n, agreed, raw, κ, the CI and AC1 last
        assert re.search(r"annemarie ×\s+12\s+\d+\s+\d\.\d{3}\s+-?\d\.\d{3}\s+\[\S+, \S+\]\s+-?\d\.\d{3}\s*$",
                         lines[pair]), lines[pair]
        assert lines[pair + 1].strip().startswith("benjamin"), lines[pair + 1]


@async_test
async def test_the_conflicts_and_full_text_tables_fit_80_columns_and_cut_the_title(tui_ws: Workspace) -> None:
    """Titles were cut at a fixed 52 (conflicts) and 56 (full text) characters: at 80 columns both
    tables scrolled sideways, the scrollbar's thumb a stray block under the rows."""
    async with open_app(tui_ws, "carol", "conflicts", size=(80, 24), blind=False) as (app, pilot):
        for key in ("4", "6"):
            await pilot.press(key)
            await settle(pilot)
            table = app.screen.query_one(DataTable)
            assert table.row_count
            titles = [str(table.get_row_at(row)[-1]) for row in range(table.row_count)]
            assert sum(c.get_render_width(table) for c in table.ordered_columns) <= table.scrollable_content_region.width
            assert any(title.endswith("…") for title in titles), titles
            await pilot.resize_terminal(160, 30)  # room for the whole titles
            await settle(pilot)
            titles = [str(table.get_row_at(row)[-1]) for row in range(table.row_count)]
            assert not any(title.endswith("…") for title in titles), titles
            await pilot.resize_terminal(80, 24)
            await settle(pilot)


@async_test
async def test_a_height_only_resize_repaints_neither_the_conflicts_nor_the_full_text_table(tui_ws: Workspace) -> None:
    """Both tables fit their titles to the width; a taller or shorter terminal changed no column but
    cleared and re-added every row (one refit per resize all the same)."""
    async with open_app(tui_ws, "carol", "conflicts", size=(80, 24), blind=False) as (app, pilot):
        for key in ("4", "6"):
            await pilot.press(key)
            await settle(pilot)
            screen = app.screen
            table = screen.query_one(DataTable)
            assert table.row_count
            paints: list[int] = []
            paint = screen._paint
            screen._paint = lambda paints=paints, paint=paint, table=table: (  # type: ignore[method-assign]
                paints.append(table.size.width), paint())[1]
            await pilot.resize_terminal(80, 34)  # taller
            await settle(pilot)
            await pilot.resize_terminal(80, 20)  # shorter
            await settle(pilot)
            assert paints == [], key
            await pilot.resize_terminal(160, 20)  # wider: the title column takes the room, once
            await settle(pilot)
            assert len(paints) == 1, key
            assert not any(str(table.get_row_at(row)[-1]).endswith("…") for row in range(table.row_count))
            await pilot.resize_terminal(80, 24)
            await settle(pilot)
            del screen._paint


@async_test
async def test_a_worker_group_runs_for_the_node_that_started_it(tui_ws: Workspace) -> None:
    """``group_running`` (the dashboard's count and action, the screening screen's look at the removals):
    ``node.workers`` is every worker of the app, and ``exclusive`` cancels within one node's group."""
    import threading

    from review.tui.screens.base import group_running

    release = threading.Event()
    async with open_app(tui_ws, "alice", size=SIZE) as (app, pilot):
        screen = app.screen
        worker = screen.run_worker(lambda: release.wait(5), thread=True, group="pipeline")
        await pilot.pause()
        assert group_running(screen, "pipeline")
        assert not group_running(app, "pipeline")  # another node's group of the same name
        assert not group_running(screen, "dashboard")
        release.set()
        await worker.wait()
        assert not group_running(screen, "pipeline")


@async_test
async def test_the_conflicts_footer_says_what_b_does_in_a_session_opened_unblinded(tui_ws: Workspace) -> None:
    """The footer was worked out before the project was open (blind, as far as it knew): it offered
    "Unblind" to a reviewer who saw every decision already."""
    async with open_app(tui_ws, "carol", "conflicts", size=SIZE, blind=False) as (app, pilot):
        await settle(pilot)
        assert {key.key: key.description for key in app.screen.query(FooterKey)}["b"] == "Blind again"


def screen_reasons(app) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return tuple(app.project.criteria.criteria.reasons)


async def _filtered(pilot) -> None:  # type: ignore[no-untyped-def]
    """The browser filters once typing pauses (``FILTER_DELAY``), then in a worker."""
    from review.tui.screens.browser import FILTER_DELAY

    await pilot.pause(FILTER_DELAY + 0.05)
    await settle(pilot)


@async_test
async def test_typing_in_the_browsers_filter_box_filters_once_the_typing_pauses(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each key read every record and redrew the rows again: five times for a word of five letters.
    (A delay far longer than the pilot's keys apart: a slow machine does not filter mid-word.)"""
    from review.tui.screens import browser

    monkeypatch.setattr(browser, "FILTER_DELAY", 1.0)
    async with open_app(tui_ws, "alice", "browser", size=SIZE) as (app, pilot):
        screen = app.screen
        loads: list[object] = []
        load = screen.load
        screen.load = lambda *args, **kwargs: (loads.append(args[0].text), load(*args, **kwargs))  # type: ignore[method-assign]
        await pilot.press("slash", *"osteo")
        await _filtered(pilot)
        assert loads == ["osteo"]
        assert screen.query_one(DataTable).row_count == 1
        await pilot.press("backspace", "enter")  # enter before the pause filters at once
        await settle(pilot)
        assert loads == ["osteo", "oste"] and app.focused is screen.query_one(DataTable)
        await pilot.press("slash", "end", "backspace", "escape")  # and so does esc
        await settle(pilot)
        assert loads == ["osteo", "oste", "ost"] and app.focused is screen.query_one(DataTable)


@async_test
async def test_record_browser_filters_and_changes_a_decision(tui_ws: Workspace) -> None:
    async with open_app(tui_ws, "alice", "browser", blind=False, size=SIZE) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 12
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"osteoarthritis i")  # letters go to the filter, not to decisions
        await _filtered(pilot)
        assert len(tui_ws.store.decisions(reviewer="alice")) == 4
        await pilot.press("backspace", "backspace")
        await _filtered(pilot)
        assert table.row_count == 1
        await pilot.press("enter")  # to the table
        await pilot.press("i")
        target = next(r for r in tui_ws.store.records() if "osteoarthritis" in r.title)
        decision = tui_ws.store.current_decisions(reviewer="alice")[(target.id, "alice")]
        assert decision.label == "include" and decision.note == "changed in record browser"
        await pilot.press("enter")  # open the record
        await pilot.press("e")  # change it from the record view
        await settle(pilot)
        decision = tui_ws.store.current_decisions(reviewer="alice")[(target.id, "alice")]
        assert decision.label == "exclude"
        assert [d.label for d in tui_ws.store.decisions(reviewer="alice")][-2:] == ["include", "exclude"]
        # Esc leaves the filter box (where q, ? and the digits are text), and the footer says so.
        await pilot.press("slash")
        await pilot.pause()
        footer_keys = {key.key for key in screen.query(FooterKey)}
        assert isinstance(app.focused, Input) and "escape" in footer_keys
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is table and "escape" not in {key.key for key in screen.query(FooterKey)}


@async_test
async def test_browser_hides_other_reviewers_when_blind(tui_ws: Workspace) -> None:
    async with open_app(tui_ws, "alice", "browser", size=SIZE) as (app, pilot):
        assert all(set(v) == {"alice"} for v in app.screen.labels.values())


@async_test
async def test_number_keys_switch_screens(tui_ws: Workspace) -> None:
    async with open_app(tui_ws, "alice", size=SIZE) as (app, pilot):
        for key, kind in (("2", "ScreeningScreen"), ("3", "DedupScreen"), ("4", "ConflictsScreen"),
                          ("5", "BrowserScreen"), ("1", "DashboardScreen")):
            await pilot.press(key)
            await settle(pilot)
            assert type(app.screen).__name__ == kind


@async_test
async def test_a_failing_worker_becomes_a_notification(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tui_workspace import build_workspace

    root = tmp_path / "bad"
    build_workspace(root, with_pairs=False)
    config = root / "review.toml"
    config.write_text(config.read_text().replace('model = "logistic"', 'model = "crystal-ball"'))
    async with open_app(Workspace(root), "alice", "screening", size=SIZE) as (app, pilot):
        # The first record opens without the model code; the first retrain names the error.
        assert app.screen.current is not None
        (note,) = list(app._notifications)
        assert "crystal-ball" in note.message and note.severity == "error"
        assert "retraining failed" in str(app.screen.query_one("#model").render())


@async_test
async def test_a_decision_changed_in_the_browser_reaches_the_screening_queue(fresh_ws: Workspace) -> None:
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        shown = app.screen.current.id
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(shown)))
        await pilot.press("e")
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.current.id != shown  # decided elsewhere: not served again
        assert "Screened 1 / 12" in str(app.screen.query_one("#counts").render())


@async_test
async def test_the_browser_asks_for_a_reason_when_criteria_require_one(fresh_ws: Workspace) -> None:
    require_reason_on_exclude(fresh_ws)
    async with open_app(fresh_ws, "alice", "browser", size=SIZE) as (app, pilot):
        record_id = int(app.screen.query_one(DataTable).coordinate_to_cell_key((0, 0)).row_key.value)
        await pilot.press("e")
        assert isinstance(app.screen, ReasonScreen) and not fresh_ws.store.current_decisions(reviewer="alice")
        await pilot.press("1")
        decision = fresh_ws.store.current_decisions(reviewer="alice")[(record_id, "alice")]
        assert (decision.label, decision.reasons) == ("exclude", ("wrong population",))
        await settle(pilot)


@async_test
async def test_record_browser_shows_what_a_notice_is_about(fresh_ws: Workspace) -> None:
    import hashlib

    from review.dedup.run import run_dedup
    from review.records import Record

    title = "Liraglutide suppresses macrophage foam cell formation and atherosclerosis in mice"
    fields = dict(authors=["Tashiro, Y.", "Sato, K."], year=2014, journal="Peptides", volume="54")
    fresh_ws.store.add_batch(
        [Record(title=title, pages="19-26", **fields), Record(title=f"Erratum to: {title}", pages="101", **fields)],
        file_name="n.csv", file_sha256=hashlib.sha256(b"n").hexdigest(), source_name="n.csv",
        format="csv", encoding="utf-8")
    run_dedup(fresh_ws)
    article = next(r.id for r in fresh_ws.store.records() if r.title == title)
    async with open_app(fresh_ws, "alice", "browser", blind=False, size=SIZE) as (app, pilot):
        await pilot.press("slash", *"erratum to")
        await settle(pilot)
        await pilot.press("enter", "enter")  # to the table, open the record
        await settle(pilot)
        summary = str(app.screen.query_one("#record-decisions").render())
        assert f"erratum of record {article}" in summary


@async_test
async def test_a_new_workspace_says_it_has_no_records_not_that_screening_is_done(tmp_path) -> None:
    from review.workspace import init_workspace

    workspace = init_workspace(tmp_path / "new", title="New", reviewers=["alice"], seed=1)
    async with open_app(workspace, "alice", size=SIZE) as (app, pilot):
        stop = str(app.screen.query_one("#stop").render())
        assert "No records in this workspace yet" in stop and "review import" in stop and "STOP" not in stop
        await pilot.press("2")
        await settle(pilot)
        assert "No records in this workspace yet" in app.screen.query_one("#record").plain
        line = str(app.screen.query_one("#stopping").render())
        assert "NO RECORDS" in line and "Every record has been screened" not in line


def test_a_pair_heading_shows_the_score_once() -> None:
    # The engine's explanation opens with "score 6.0: …" and the heading said "score 6.00" before it.
    from types import SimpleNamespace

    from review.tui.screens.dedup import pair_heading

    engine = SimpleNamespace(score=6.0, skipped=False, explanation="score 6.0: pages -3, title +2.5")
    assert str(pair_heading(engine, 0, 2, 1)).count("score") == 1
    hand = SimpleNamespace(score=6.0, skipped=True, explanation="similar authors, different titles")
    text = str(pair_heading(hand, 1, 2, 1))
    assert text.startswith("Pair 2 of 2 · score 6.00 · skipped before · 1 decided\nsimilar authors")


@async_test
async def test_a_record_removed_before_screening_leaves_the_queue_and_the_browser_says_why(fresh_ws: Workspace) -> None:
    """Removed from a shell while the app is open (decision 0021): the counts leave it out, the
    screening screen moves on from it, the browser lists it with the reason and refuses a decision."""
    from review.services.prisma import remove_records, restore_records

    def stages(app) -> str:  # type: ignore[no-untyped-def]
        widget = app.screen.query_one("#stages")
        return "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))

    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        first = app.screen.current.id
        await pilot.press("i")
        on_screen = app.screen.current.id
        remove_records(fresh_ws, [first, on_screen], "alice", "retracted")  # review prisma remove, in a shell
        await pilot.press("1")
        await settle(pilot)
        assert "0 / 10" in stages(app)  # (it was 1 / 12)
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.current.id not in (first, on_screen)  # the removed record on screen gave way
        assert "Screened 0 / 10" in str(app.screen.query_one("#counts").render())
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert str(screen.query_one("#browser-count").render()) == "10 of 10 records to screen · 2 removed before screening"
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(first)))
        assert "alice include not offered: removed before screening: retracted" in str(table.get_row(str(first))[4])
        await pilot.press("e")  # refused: nothing recorded, the earlier include is kept
        await settle(pilot)
        assert fresh_ws.store.current_decisions(reviewer="alice")[(first, "alice")].label == "include"
        assert len(fresh_ws.store.decisions(reviewer="alice")) == 1
        restore_records(fresh_ws, [first, on_screen], "alice")  # review prisma restore
        await pilot.press("1")
        await settle(pilot)
        assert "1 / 12" in stages(app)  # the kept include counts again


@async_test
async def test_the_screening_screen_follows_a_removal_at_the_next_retrain_and_refuses_a_removed_record(
        fresh_ws: Workspace) -> None:
    from review.services.prisma import remove_records

    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        on_screen = screen.current.id
        remove_records(fresh_ws, [on_screen], "alice", "retracted")  # in a shell, while it is being read
        screen.request_retrain()
        await settle(pilot)
        assert screen.current.id != on_screen and "Screened 0 / 11" in str(screen.query_one("#counts").render())
        screen.current = fresh_ws.store.record(on_screen)  # as if opened from search
        await pilot.press("i")
        await settle(pilot)
        assert fresh_ws.store.decisions(reviewer="alice") == [] and screen.current.id != on_screen


@async_test
async def test_a_removal_in_a_shell_reaches_the_screening_screen_while_the_reviewer_reads(
        fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """It reached the queue only at the next retrain, after a decision: the record on screen (and the
    one served next) could still be decided, and the decision was stored though PRISMA removes it."""
    from review.services.prisma import remove_records
    from review.tui.screens import screening

    monkeypatch.setattr(screening, "SET_ASIDE_POLL", 0.1)
    async with open_app(fresh_ws, "alice", "screening", size=SIZE) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        on_screen = screen.current.id
        upcoming = app.project.session.read_ahead().id
        remove_records(fresh_ws, [on_screen, upcoming], "alice", "retracted")  # in a shell, while it is read
        for _ in range(40):
            await pilot.pause(0.05)
            if screen.current.id != on_screen:
                break
        await settle(pilot)
        assert screen.current.id not in (on_screen, upcoming)
        assert "Screened 0 / 10" in str(screen.query_one("#counts").render())
        assert any(f"#{on_screen} is no longer offered" in n.message for n in app._notifications)
        await pilot.press("i")
        await settle(pilot)
        assert {d.record_id for d in fresh_ws.store.decisions(reviewer="alice")}.isdisjoint({on_screen, upcoming})


@async_test
async def test_records_from_other_methods_are_not_counted_and_the_browser_lists_them_with_why(
        fresh_ws: Workspace) -> None:
    """Decision 0023: a citation search's records skip title/abstract screening; an earlier decision stays listed."""
    from review.records import Record

    fresh_ws.store.add_batch([Record(title=f"Cited study {n}", year=2015) for n in range(2)], file_name="refs.ris",
                             file_sha256="c" * 64, source_name="Citation searching", format="ris", encoding="utf-8")
    cited = sorted(r.id for r in fresh_ws.store.records() if r.source == "Citation searching")
    fresh_ws.store.add_decision(cited[0], "alice", "include")  # recorded before decision 0023
    async with open_app(fresh_ws, "alice", "browser", size=SIZE) as (app, pilot):
        await settle(pilot)
        screen = app.screen
        assert str(screen.query_one("#browser-count").render()) == \
            "12 of 12 records to screen · 2 from other methods (full text only)"
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(cited[0])))
        assert "alice include not offered: found by citation searching" in str(table.get_row(str(cited[0]))[4])
        await pilot.press("e")  # refused: nothing recorded, the earlier include is kept
        await settle(pilot)
        assert len(fresh_ws.store.decisions(reviewer="alice")) == 1
        await pilot.press("1")
        await settle(pilot)
        widget = app.screen.query_one("#stages")
        stages = "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))
        assert "0 / 12" in stages and "Other methods" in stages  # 14 identified, 12 to screen: why


@async_test
async def test_a_failing_dashboard_action_is_one_notification_not_silence(fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Worker.StateChanged does not bubble to the app: a screen's failing worker (here the PubMed
    search, p) used to end with the "running…" line cleared and nothing said."""
    monkeypatch.setenv("REVIEW_EUTILS_URL", "http://127.0.0.1:9/")  # nothing listens: refused at once
    example = fresh_ws.path("queries", "example.toml")  # init's template (decision 0046): made this review's query
    if example.exists():
        example.write_text(example.read_text(encoding="utf-8").replace("template = true\n", ""), encoding="utf-8")
    async with open_app(fresh_ws, "alice", size=SIZE) as (app, pilot):
        await pilot.press("p")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "cannot connect" in errors[0].message and "\n" not in errors[0].message


@async_test
async def test_the_record_browser_keeps_your_decision_in_view_at_80_columns(fresh_ws: Workspace) -> None:
    """An 80-character title column pushed source and decisions behind a sideways scroll: at
    80 columns an include left no trace on screen."""
    async with open_app(fresh_ws, "alice", "browser", size=(80, 24)) as (app, pilot):
        await pilot.press("i")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert sum(c.get_render_width(table) for c in table.ordered_columns) <= table.scrollable_content_region.width
        assert "alice include" in table.get_row_at(0)[4].plain
        loads: list[object] = []
        app.screen.load = lambda *args, **kwargs: loads.append(args)  # type: ignore[method-assign]
        fits: list[object] = []
        fit = app.screen._column_widths
        app.screen._column_widths = lambda *args: (fits.append(args), fit(*args))[1]  # type: ignore[method-assign]
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        title = table.columns["title"]  # type: ignore[index]
        assert title.width > 40  # a wider terminal gives the title the room
        assert loads == []  # refitted from the rows shown: every resize read the whole store again
        assert len(fits) == 1  # the widths worked out once: the refit's, not again to show them
        assert "alice include" in table.get_row_at(0)[4].plain
        assert sum(c.get_render_width(table) for c in table.ordered_columns) <= table.scrollable_content_region.width


@async_test
async def test_the_browser_reads_the_store_again_only_when_something_may_have_changed(fresh_ws: Workspace) -> None:
    """Every modal's close (help, a record) read all records and decisions again and re-added
    every row, and so did a resize that left the columns as they were."""
    from textual.events import AppFocus

    async with open_app(fresh_ws, "alice", "browser", size=(100, 30)) as (app, pilot):
        screen = app.screen
        table = screen.query_one(DataTable)
        loads: list[object] = []
        load = screen.load
        screen.load = lambda *args, **kwargs: (loads.append(args), load(*args, **kwargs))  # type: ignore[method-assign]
        rows = dict(table.rows)
        await pilot.resize_terminal(100, 40)  # taller: the same column widths
        await settle(pilot)
        assert dict(table.rows) == rows and all(table.rows[k] is rows[k] for k in rows)  # not added again
        await pilot.press("question_mark", "escape")
        await settle(pilot)
        await pilot.press("enter", "i")  # the record's modal: include
        await settle(pilot)
        assert app.screen is screen and loads == []
        assert "alice include" in table.get_row_at(0)[4].plain  # the decision shows without a reload
        await pilot.press("question_mark")  # review.toml edited while a modal covers the browser
        path = fresh_ws.path("review.toml")
        path.write_text(path.read_text(encoding="utf-8") + '\n[prisma.sources]\nEmbase = "citation"\n', encoding="utf-8")
        app.post_message(AppFocus())
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(loads) == 1  # followed once the modal closed
        await pilot.press("1", "5")  # and coming back from another screen reads again, as before
        await settle(pilot)
        assert len(loads) == 2


@async_test
async def test_the_curve_and_its_caption_stay_at_80_by_24_once_the_rule_explains_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Once the recommended rule had an estimate, its sentence and explanation took every line of the right
    column at 80x24: the inclusions curve and its caption were not drawn at all."""
    from tui_workspace import build_workspace

    workspace = build_workspace(tmp_path / "ws", n=40, with_conflicts=False, with_pairs=False)
    ids = sorted(r.id for r in workspace.store.records())
    for n, rid in enumerate(ids[:12]):
        workspace.store.add_decision(rid, "alice", "include" if n % 3 == 0 else "exclude")
    async with open_app(workspace, "alice", size=(80, 24)) as (app, pilot):
        screen = app.screen
        assert "relevant" in str(screen.query_one("#stop").render())  # (the rule explains its estimate)
        caption, curve, panel = (screen.query_one(s) for s in ("#curve-caption", "#curve", "#curve-panel"))
        assert curve.region.height >= 2 and caption.region.height >= 1
        assert caption.region.bottom <= panel.content_region.bottom, (caption.region, panel.content_region)
        assert "12 screened, 4 included" in str(caption.render())


@async_test
async def test_day_ones_hint_under_the_curve_shows_at_80_by_24(fresh_ws: Workspace) -> None:
    """The curve panel had four lines for a title, its margin, a curve of at least four and the
    caption: "nothing screened yet: press 2" was cut off at 80x24."""
    async with open_app(fresh_ws, "alice", size=(80, 24)) as (app, pilot):
        caption, panel = app.screen.query_one("#curve-caption"), app.screen.query_one("#curve-panel")
        assert caption.region.height >= 1 and caption.region.bottom <= panel.content_region.bottom, (caption.region, panel.content_region)
        assert "press 2" in str(caption.render())


@async_test
async def test_a_pubmed_search_from_the_dashboard_says_how_far_it_is(fresh_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """p showed 'running…' until the end; a real strategy fetches thousands of records for minutes."""
    from review.sources.standin import running, synthetic_corpus

    fresh_ws.path("queries", "example.toml").write_text('name = "example"\nquery = """anything"""\n', encoding="utf-8")
    seen: list[str] = []
    with running(synthetic_corpus(300, seed=30)) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        async with open_app(fresh_ws, "alice", size=SIZE) as (app, pilot):
            job = app.screen.query_one("#job")
            update = job.update

            def record(content: object = "") -> None:
                seen.append(str(content))
                update(content)

            job.update = record  # type: ignore[method-assign]
            await pilot.press("p")
            await settle(pilot)
            assert any("300 hits, 300 new" in n.message for n in app._notifications)
            assert str(app.screen.query_one("#job").render()) == ""  # cleared at the end
    # (the progress is worded as `review search --progress` logs it since 61a42162: "q: 100 of 300 records stored")
    assert any(line.startswith("Search PubMed: example: ") and "of 300 records stored" in line and "complete" not in line
               for line in seen), seen


@async_test
async def test_an_outdated_resolution_counts_as_unresolved_as_in_review_status(tui_ws: Workspace) -> None:
    # The line counted only the disputed records' open ones: "1 unresolved" where `review status`
    # said 2 open (an outdated resolution is open too).
    from review.services.screening import decide_records, resolve_conflict, screening_lines

    async with open_app(tui_ws, "carol", "conflicts", size=SIZE) as (app, pilot):
        screen = app.screen
        await pilot.press("b")
        await settle(pilot)
        first, _second = screen.data.conflicts
        resolve_conflict(tui_ws, first.record_id, "exclude", "carol")
        agreed = next(label for label in first.labels.values() if label != "exclude")
        for who, label in first.labels.items():  # they now agree, against the resolution: outdated
            if label != agreed:
                decide_records(tui_ws, who, [str(first.record_id)], agreed)
        await pilot.press("1")  # away and back: the list is read again
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        status = str(app.screen.query_one("#conflict-status").render())
        assert "2 conflicts, 2 unresolved" in status and "1 resolution" in status, status
        assert any("2 open" in line for line in screening_lines(tui_ws))


@async_test
async def test_a_screens_first_visit_parses_no_stylesheet_again(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A screen's own CSS_PATH read at its first visit, and Textual taking every new screen as stale, parsed every
    stylesheet (the widgets' too) again two or three times per first visit and dialog: ~15 ms each. They are
    read once as the app starts; each screen still gets its own rules."""
    from textual.css.stylesheet import Stylesheet

    async with open_app(tui_ws, "alice", "dashboard", size=SIZE) as (app, pilot):
        parses: list[Stylesheet] = []
        reparse = Stylesheet.reparse
        monkeypatch.setattr(Stylesheet, "reparse", lambda self: (parses.append(self), reparse(self))[1])
        for key in "34567812":
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("n")  # a dialog's first open
        await settle(pilot)
        await pilot.press("escape", "question_mark", "escape")
        await settle(pilot)
        assert parses == []
        assert app.screen.query_one("#counts").styles.height is not None  # screening.tcss: one line
        assert app.screen.query_one("#counts").region.height == 1
        await pilot.press("5")
        await settle(pilot)
        assert app.screen.query_one("#browser-count").region.height == 1  # browser.tcss


@async_test
async def test_a_screens_first_visit_after_a_theme_switch_has_the_themes_colours(tui_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A screen built for a mode counts as styled with the CSS in use (``_screen_factory``, a private Textual
    counter) so its first visit parses no stylesheet again: after a theme switch, the new screen must still
    get the current theme's colours, also when it is built before the app restyles for the theme. And the
    shortcut must still take effect under a theme: a theme switch parses the stylesheets once (Textual's own
    restyle), and no first visit, dialog or visit back parses them again (with the colours right either way,
    only the count tells a shortcut that stopped working, as when Textual took a new screen as stale again)."""
    from textual.color import Color
    from textual.css.stylesheet import Stylesheet

    def themes_background() -> Color:
        return Color.parse(app.get_css_variables()["background"])

    def background_is_the_themes() -> bool:
        return app.screen.styles.background == themes_background()

    parses: list[Stylesheet] = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (parses.append(self), reparse(self))[1])
    async with open_app(tui_ws, "alice", "dashboard", size=SIZE) as (app, pilot):
        dark = themes_background()
        parses.clear()  # (the app's start)
        app.theme = "textual-light"
        await settle(pilot)
        assert themes_background() != dark
        assert len(parses) == 1  # the theme's restyle
        await pilot.press("3")  # the dedup screen's first visit
        await settle(pilot)
        assert isinstance(app.screen, DedupScreen) and background_is_the_themes()
        await pilot.press("question_mark")  # a dialog's first push under the theme
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(parses) == 1
        app.theme = "nord"
        await app.switch_mode("conflicts")  # built at once, before the theme's restyle (Textual's call_next)
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen) and background_is_the_themes()
        assert len(parses) == 2  # the theme's restyle only
        await pilot.press("3")  # a screen built under the other theme, visited again
        await settle(pilot)
        assert background_is_the_themes()
        assert len(parses) == 3  # (styled under the other theme: Textual restyles it, with a parse, as it shows)
        await pilot.press("5")  # and a first visit under this theme
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen) and background_is_the_themes()
        assert len(parses) == 3


@async_test
async def test_the_header_names_the_reviewer_at_80_columns(tmp_path: Path) -> None:
    """The header read "review — TITLE · REVIEWER", and a review title of 60 characters cut the name at 80 columns."""
    from tui_workspace import build_workspace

    from review.workspace import Workspace as Opened

    workspace = build_workspace(tmp_path / "ws", with_pairs=False)
    toml = workspace.path("review.toml")
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'title = "TUI test review"', 'title = "Recurrent sickness absence due to common mental disorders: a review"'),
        encoding="utf-8")
    async with open_app(Opened(workspace.root), "bob", "dashboard", size=(80, 24)) as (app, pilot):
        header = "".join(segment.text for segment in app.screen._compositor.render_strips()[0])
        assert "bob" in header and "Recurrent sickness" in header, header


@async_test
async def test_resolving_as_exclude_a_conflict_whose_full_text_was_sought_says_so(tui_ws: Workspace) -> None:
    """walk20: an open conflict goes on to full text; its full text was sought, then screen 4's e excluded it, and
    only review prisma's BROKEN line said anything (without naming the record). Now one notification names the
    events and the undo."""
    from review.services.prisma import record_fulltext

    async with open_app(tui_ws, "alice", "conflicts", size=SIZE, blind=False) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        first, second = [c.record_id for c in screen.data.conflicts]
        record_fulltext(tui_ws, first, "bob", "sought")
        await pilot.press("e")  # the first conflict, its full text sought
        await settle(pilot)
        await pilot.press("e")  # the second, none
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "full text is on record" in str(n.message)]
        assert said == [f"record {first} is now excluded at title/abstract screening, but its full text is on record "
                        "(sought by bob): review prisma counts it as sought without passing screening until those "
                        f"are undone: review -r bob fulltext undo {first}"], said
        assert store_resolutions(tui_ws.store) == {first: ("exclude", "alice"), second: ("exclude", "alice")}
