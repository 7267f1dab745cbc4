"""What gives way when the terminal is narrow or a name is long: the name (an ellipsis), never a number.

Pinned at 60, 76, 80 and 120 columns on the screening screen (the counts line at 20,000 records, the stopping
box under a stop by a 30-letter name) and on the conflicts screen (the agreement table of a long pair)."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from review.screening.stopping import StoppingStatus
from review.services.prisma import record_screening_stop
from review.tui.screens.base import NAME_CELLS, cut_name
from review.tui.screens.conflicts import ConflictsScreen
from review.tui.screens.screening import ScreeningScreen
from review.workspace import Workspace
from tui_workspace import async_test, open_app, screen_lines, settle

WIDTHS = (60, 76, 80, 120)
LONG_A = "annemarie-christina vandenberg"  # 30 letters
LONG_B = "benjamin-alexander oosterhuis"


def widget_lines(widget) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines a widget shows (not its whole text: what its height cuts is not in them)."""
    return [line.text for line in widget.render_lines(widget.region.reset_offset)]


#: A recommended rule's verdict with its numbers, as a review of 20,000 records would show it.
VERDICT = StoppingStatus(verdict="continue", estimated_recall=0.91, explanation="(the whole explanation)",
                         screened=5_000, relevant_found=612, remaining=15_000, rule="recommended",
                         expected_remaining=2.4, upper_remaining=11, estimate_from="classifier",
                         classifier_level=0.8)


@pytest.mark.parametrize("width", WIDTHS)
@async_test
async def test_the_screening_screen_keeps_every_number_and_cuts_a_long_name(fresh_ws: Workspace, width: int) -> None:
    """At 60 columns the counts line ran off the screen before the recall ("Est. recall" and no value) and the
    stopping box cut the verdict; a 30-letter name took the standing stop's line to two lines and more, and the
    box's fixed five lines cut the verdict's end (its numbers) at 76 columns."""
    stop = record_screening_stop(fresh_ws, LONG_A, "we are done")
    async with open_app(fresh_ws, "alice", "screening", size=(width, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.project is not None
        screen.retrain_delay = 60.0
        progress = replace(screen.project.session.progress(), total=20_000, screened=5_000, included=600,
                           excluded=4_388, maybe=12, remaining=15_000, est_recall=0.91, stopping=VERDICT)
        screen._paint_progress(progress)
        await settle(pilot)
        counts = " ".join(widget_lines(screen.query_one("#counts")))
        for said in ("Relevant found 612", "Screened 5,000 / 20,000", "Est. recall 91%", "25%"):
            assert said in counts, (width, said, counts)
        stopping = screen.query_one("#stopping")
        whole = " ".join(str(stopping.render()).split())
        shown = " ".join(" ".join(widget_lines(stopping)).split())
        assert shown == whole, (width, shown, whole)  # every line of the box in view
        assert f"by {cut_name(LONG_A)} on" in shown and cut_name(LONG_A).endswith("…"), shown
        assert f"{stop.created_at:%Y-%m-%d %H:%M} UTC; review prisma resume withdraws it" in shown, shown
        for number in ("about 2.4 relevant left among 15,000 unscreened", "at most 11 with 95% probability",
                       "recall about 91%", "(the classifier's 80% once the trend's is 30%)."):
            assert number in shown, (width, number, shown)
        assert screen.query_one("#record").region.height >= 8, width  # the record keeps its room at 24 lines
        assert all(len(line.rstrip()) <= width for line in screen_lines(app))


def test_a_name_is_cut_in_cells_with_an_ellipsis() -> None:
    assert cut_name("anna") == "anna"
    assert cut_name("x" * NAME_CELLS) == "x" * NAME_CELLS
    assert cut_name(LONG_A) == LONG_A[:NAME_CELLS - 1] + "…"
    assert cut_name("漢字漢字漢字", 9) == "漢字漢字…"  # two cells a character: 8 and the ellipsis


@pytest.mark.parametrize("width", WIDTHS)
@async_test
async def test_the_agreement_of_a_long_pair_keeps_every_number(fresh_ws: Workspace, width: int) -> None:
    """A pair of long names pushed Gwet's AC1 off the screen at 76 columns ("Gwet'", "0.00") and more at 60:
    the names are cut to the room the numbers leave, and below that each pair is a paragraph."""
    for record_id in range(1, 13):
        fresh_ws.store.add_decision(record_id, LONG_A, "include" if record_id % 2 else "exclude")
        fresh_ws.store.add_decision(record_id, LONG_B, "include" if record_id % 3 else "exclude")
    async with open_app(fresh_ws, "carol", "conflicts", size=(width, 30), blind=False) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, ConflictsScreen) and screen.data is not None
        [stats] = screen.data.stats
        lines = widget_lines(screen.query_one("#agreement"))
        assert all(len(line.rstrip()) <= width - 2 for line in lines), lines
        drawn = "\n".join(lines)
        first, second = sorted((stats.reviewer_a, stats.reviewer_b))
        if width < 76:  # a paragraph: the names whole, each number with its name
            text = " ".join(drawn.split())
            assert f"{first} × {second}: both decided 12, agreed {stats.agreed}," in text, text
            assert f"Gwet's AC1 {stats.ac1:.3f}" in text and f"Cohen's κ {stats.kappa:.3f}" in text, text
            return
        assert "Gwet's AC1" in drawn or ("Gwet's" in drawn and "AC1" in drawn), drawn
        pair = next(i for i, line in enumerate(lines) if " ×" in line)
        ci = f"[{stats.kappa_ci_low:.2f}, {stats.kappa_ci_high:.2f}]"
        values = rf"\s+12\s+{stats.agreed}\s+{stats.raw:.3f}\s+{stats.kappa:.3f}\s+{re.escape(ci)}\s+{stats.ac1:.3f}\s*$"
        assert re.search(values, lines[pair]), lines[pair]
        names = lines[pair].split(" ×")[0].strip(), lines[pair + 1].strip()
        if width >= 120:
            assert names == (first, second), names
        else:  # cut from the end, each name's start kept
            assert names[0].endswith("…") and first.startswith(names[0][:-1]), names
            assert second.startswith(names[1].rstrip("…")), names


@pytest.mark.parametrize("width", WIDTHS)
@async_test
async def test_the_dedup_pairs_score_scale_is_whole(fresh_ws: Workspace, width: int) -> None:
    """At 60 columns the pair's heading took four lines and its box three: the score's scale ended "(4.5 to 7:
    you" and "7 or more: merged without asking" was cut."""
    from review.services.dedup import score_cutoffs
    from review.tui.screens.dedup import DedupScreen

    from review.dedup import decisions
    from review.store import dedup as dedup_store

    ids = [r.id for r in fresh_ws.store.records()]
    with fresh_ws.store.transaction() as conn:  # a pair as the engine explains it (the demo's first)
        run_id = dedup_store.add_run(conn, algorithm_version="test", n_records=len(ids), n_candidates=1,
                                     n_changed=1, n_clusters=0, n_duplicates=0, n_borderline=1, seconds=0.0)
        decisions.apply_auto_verdicts(conn, run_id, [decisions.PairVerdict(ids[0], ids[4], "borderline", 6.0, {
            "explanation": "score 6.0: pages -3, title +2.5, authors +2.5, abstract +2, volume +1, year +0.5, "
                           "journal +0.5"})])
    ask, merge = score_cutoffs()
    async with open_app(fresh_ws, "alice", "dedup", size=(width, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, DedupScreen) and screen.pairs
        shown = " ".join(" ".join(widget_lines(screen.query_one("#dedup-status"))).split())
        assert f"({ask:g} to {merge:g}: you judge; {merge:g} or more: merged without asking)" in shown, shown
        assert screen.query_one("#pair-scroll").region.height >= 8, width  # the pair keeps its room at 24 lines


@pytest.mark.parametrize("width", WIDTHS)
@async_test
async def test_the_record_browsers_filter_box_shows_what_is_typed(fresh_ws: Workspace, width: int) -> None:
    """At 60 columns the filter box shared its row with three lists of at least 18 cells and was 4 wide: what was
    typed could not be seen. Below 80 columns it takes a row of its own; at 80 and more the row is as before."""
    from textual.widgets import Input, Select

    async with open_app(fresh_ws, "alice", "browser", size=(width, 24)) as (app, pilot):
        await pilot.press("slash", *"recurrence")
        await settle(pilot)
        box = app.screen.query_one("#filter-text", Input)
        assert box.has_focus and box.content_region.width >= 15, (width, box.content_region)
        assert any("recurrence" in line for line in screen_lines(app)), screen_lines(app)
        lists = list(app.screen.query(Select))
        assert all(s.query_one("SelectCurrent #label").size.height == 1 for s in lists), width  # one line each
        same_row = {s.region.y for s in lists} == {box.region.y}
        assert same_row == (width >= 80), (width, box.region, [s.region for s in lists])


@pytest.mark.parametrize("width", (80, 120))
@async_test
async def test_a_long_source_name_leaves_the_record_browsers_decisions_in_view(fresh_ws: Workspace,
                                                                               width: int) -> None:
    """A file imported without --source is named after the file: walk20's BibTeX export,
    "bibtexparser_multiple_entries_and_comments", made the source column 42 cells wide, so at 80 columns the
    titles were cut to 20 and the decisions column was off the screen. The name is cut with an ellipsis."""
    from review.records import Record

    long_source = "bibtexparser_multiple_entries_and_comments"
    fresh_ws.store.add_batch([Record(title="Recurrent sick leave after burnout", year=2020, authors=["Smith J"])],
                             file_name="refs.bib", file_sha256="c" * 64, source_name=long_source,
                             format="bibtex", encoding="utf-8")
    record_id = max(int(r.id) for r in fresh_ws.store.records())  # type: ignore[arg-type]
    fresh_ws.store.add_decision(record_id, "alice", "include")
    async with open_app(fresh_ws, "alice", "browser", size=(width, 24), blind=False) as (app, pilot):
        await settle(pilot)
        lines = screen_lines(app)
        row = next(line for line in lines if re.match(rf"\s*{record_id}\s+2020\s", line))
        assert "alice include" in row, (width, row)
        assert "bibtexparser_mu" in row and long_source not in row, row
        assert all(len(line.rstrip()) <= width for line in lines)


@pytest.mark.parametrize("width", WIDTHS)
@async_test
async def test_a_preprint_pairs_scale_is_whole_too(fresh_ws: Workspace, width: int) -> None:
    """walk20's preprint pair (8.5) says why it is asked in a longer line: whole at every width, the pair's room
    kept."""
    from review.tui.screens.dedup import DedupScreen

    from review.dedup import decisions
    from review.store import dedup as dedup_store

    ids = [r.id for r in fresh_ws.store.records()]
    with fresh_ws.store.transaction() as conn:
        run_id = dedup_store.add_run(conn, algorithm_version="test", n_records=len(ids), n_candidates=1,
                                     n_changed=1, n_clusters=0, n_duplicates=0, n_borderline=1, seconds=0.0)
        decisions.apply_auto_verdicts(conn, run_id, [decisions.PairVerdict(ids[0], ids[4], "borderline", 8.5, {
            "explanation": "score 8.5: title +4, authors +2.5, abstract +2 (preprint vs published version)"})])
    async with open_app(fresh_ws, "alice", "dedup", size=(width, 24)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, DedupScreen) and screen.pairs
        shown = " ".join(" ".join(widget_lines(screen.query_one("#dedup-status"))).split())
        assert shown.endswith("(7 or more merges without asking, but a preprint and its published version are "
                              "always yours to judge)"), shown
        assert screen.query_one("#pair-scroll").region.height >= 8, width
