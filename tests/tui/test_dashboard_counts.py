"""The dashboard's counts read what the screening queue leaves out once: the session's refresh, then
the PRISMA counts from the same read (they read dedup's duplicates, clusters and the removals again before)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from review.dedup import decisions
from review.store import dedup as dedup_store
from review.store import searches as search_store
from review.services.prisma import prisma_counts, remove_records, restore_records
from review.tui.project import open_project
from review.tui.screens.dashboard_stages import gather

from tui_workspace import async_test, build_workspace, open_app, settle


def test_the_dashboard_counts_what_prisma_counts_from_one_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = build_workspace(tmp_path / "ws")
    ids = [r.id or 0 for r in workspace.store.records()]
    decisions.decide_pair(workspace.store, ids[0], ids[4], "same", "alice")  # one duplicate set aside
    remove_records(workspace, [ids[5]], "alice", "retracted")
    project = open_project(workspace, "alice")
    try:
        reads: list[object] = []
        real = dedup_store.clusters
        monkeypatch.setattr(dedup_store, "clusters", lambda store: reads.append(store) or real(store))
        data = gather(project)
        # The set-aside's read (its canonical map serves PRISMA's studies too) and borderline pairs' own;
        # counting duplicate_ids missed the counts' second read of the clusters.
        assert len(reads) == 2
        monkeypatch.undo()
        counts = prisma_counts(workspace)  # read afresh, as `review prisma` does
        assert (data.duplicates, data.prisma_screened, data.prisma_excluded) == (
            counts.n("duplicates"), counts.n("records_screened"), counts.n("records_excluded"))
        assert data.duplicates == 1 and counts.n("excluded_other") == 1
        assert prisma_counts(workspace, project.session.set_aside).boxes == counts.boxes
    finally:
        project.release()


def test_the_dashboards_dedup_says_how_far_it_is(tmp_path: Path) -> None:
    """d showed only "running…" for the whole run."""
    from review.tui.actions import run_dedup

    lines: list[str] = []
    summary = run_dedup(build_workspace(tmp_path / "ws", with_conflicts=False), "alice", lines.append)
    assert summary
    assert any(line.startswith("normalise ") and " of 12" in line for line in lines), lines
    assert any(line.startswith("score ") for line in lines), lines


def test_the_store_data_version_moves_with_every_kind_of_change_the_dashboard_counts(tmp_path: Path) -> None:
    """Decisions and their undo, removals and restores, pair verdicts, imports: appended rows. A search run's
    end is written in place (status, hits): its id alone missed a search finishing under a dialog."""
    from review.records import Record
    from review.services.workspace import data_version

    workspace = build_workspace(tmp_path / "ws")
    store = workspace.store
    ids = [r.id or 0 for r in store.records()]
    run: list[int] = []
    seen = [data_version(workspace)]
    for change in (lambda: store.add_decision(ids[5], "bob", "include"),
                   lambda: store.undo_last("bob"),
                   lambda: remove_records(workspace, [ids[6]], "alice", "retracted"),
                   lambda: restore_records(workspace, [ids[6]], "alice"),
                   lambda: decisions.decide_pair(store, ids[0], ids[4], "same", "alice"),
                   lambda: store.add_batch([Record(title="Imported later", pmid="31000001")], file_name="more.ris",
                                           file_sha256="c" * 64, source_name="Embase", format="ris",
                                           encoding="utf-8"),
                   lambda: run.append(search_store.start_run(store, query_name="q1", database="PubMed", term="x",
                                                             params={})),
                   lambda: search_store.update_run(store, run[0], status="interrupted"),  # (killed: resumed later)
                   lambda: search_store.finish_run(store, run[0], hit_count=1585, retrieved=1585, new_records=0),
                   lambda: run.append(search_store.start_run(store, query_name="q2", database="PubMed", term="y",
                                                             params={})),
                   lambda: search_store.finish_run(store, run[1], hit_count=3, retrieved=3, new_records=0)):
        change()
        seen.append(data_version(workspace))
        assert seen[-1] != seen[-2], change
    assert data_version(workspace) == seen[-1]  # a look changes nothing


@async_test
async def test_the_dashboard_shows_a_search_that_finished_under_a_dialog(tmp_path: Path) -> None:
    """A shell's search ended while help covered the dashboard: closing help kept its old hits."""
    workspace = build_workspace(tmp_path / "ws")
    run_id = search_store.start_run(workspace.store, query_name="q1", database="PubMed", term="x", params={})
    async with open_app(workspace, "alice", "dashboard", size=(100, 32)) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        runs = {q.name: (q.hits, q.status) for q in screen.data.searches}
        assert runs["q1"] == (None, "running")
        await pilot.press("question_mark")
        search_store.finish_run(workspace.store, run_id, hit_count=1585, retrieved=1585, new_records=0)
        await pilot.press("escape")
        await settle(pilot)
        assert {q.name: (q.hits, q.status) for q in screen.data.searches}["q1"] == (1585, "complete")


@async_test
async def test_the_dashboard_recounts_after_a_dialog_only_when_something_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every close of the help modal (or the palette) recounted the whole workspace (46 ms of UI thread
    on the demo, docs/benchmarks/tui-screens-2026-12-05.md)."""
    from review.tui.screens import dashboard

    workspace = build_workspace(tmp_path / "ws")
    ids = sorted(r.id or 0 for r in workspace.store.records())
    counts: list[object] = []
    real = dashboard.gather
    monkeypatch.setattr(dashboard, "gather", lambda project: (counts.append(project), real(project))[1])
    async with open_app(workspace, "alice", "dashboard", size=(100, 32)) as (app, pilot):
        screen = app.screen
        assert len(counts) == 1
        screened = screen.data.prisma_screened
        for _ in range(3):
            await pilot.press("question_mark", "escape")
            await settle(pilot)
        assert len(counts) == 1  # help changed nothing
        await pilot.press("question_mark")
        workspace.store.add_decision(ids[6], "bob", "include")  # another reviewer, under the dialog
        await pilot.press("escape")
        await settle(pilot)
        assert len(counts) == 2 and screen.data.prisma_screened == screened + 1
        await pilot.press("g")  # a recount asked for is a recount
        await settle(pilot)
        assert len(counts) == 3
        await pilot.press("2", "1")  # and so is coming back from another screen
        await settle(pilot)
        assert len(counts) == 4


@async_test
async def test_a_query_file_saved_under_a_dialog_shows_when_it_closes(tmp_path: Path) -> None:
    """The searches are read from queries/*.toml as well as the store: a file saved while help covered the
    dashboard (a query renamed, one searched elsewhere) showed only after g, the data version unmoved."""
    workspace = build_workspace(tmp_path / "ws")
    queries = workspace.path("queries")
    queries.mkdir(exist_ok=True)
    query = queries / "q1.toml"
    query.write_text('name = "q1"\ndatabase = "pubmed"\nquery = "x"\n', encoding="utf-8")
    search_store.add_seed_check(workspace.store, query_name="q1", term="x", params={}, seed_file="seeds.txt",
                                seed_file_sha256="0" * 64, n_seeds=4, n_found=3, recall=0.75, requests=2, details={},
                                checked_at=datetime.now(timezone.utc))
    async with open_app(workspace, "alice", "dashboard", size=(100, 32)) as (app, pilot):
        screen = app.screen
        await settle(pilot)
        assert {q.name: q.status for q in screen.data.searches}["q1"] == "never run"
        await pilot.press("question_mark")
        query.write_text('name = "q1"\ndatabase = "embase"\nquery = "x"\n', encoding="utf-8")  # searched elsewhere
        await pilot.press("escape")
        await settle(pilot)
        assert {q.name: q.status for q in screen.data.searches}["q1"] == "searched elsewhere"
        stages = screen.query_one("#stages")
        assert "searched elsewhere" in "\n".join(line.text for line in stages.render_lines(stages.region.reset_offset))


@pytest.mark.parametrize("size", [(80, 24), (100, 40)])
@async_test
async def test_many_sources_fold_so_every_count_stays_in_the_pipeline_panel(tmp_path: Path,
                                                                           size: tuple[int, int]) -> None:
    """walk20: seven sources, a search and a citation found twice. At 80x24 the Pipeline panel listed every
    source and cut Remaining and both PRISMA rows below its edge; "Other methods (full text) 2" counted the
    citation that duplicated a database record, which is not sought. The sources that do not fit fold into one
    row; the other methods' duplicates are said."""
    from review.records import Record
    from tui_workspace import screen_lines

    workspace = build_workspace(tmp_path / "ws", with_conflicts=False, with_pairs=False)
    store = workspace.store
    for i, source in enumerate(["PsycInfo", "Scopus", "bibtexparser_multiple_entries_and_comments", "CINAHL",
                                "Web of Science"]):
        store.add_batch([Record(title=f"Another cohort of sick leave number {i}", year=2010 + i)],
                        file_name=f"f{i}.ris", file_sha256=f"{i}" * 64, source_name=source, format="ris",
                        encoding="utf-8")
    citation = Record(title="Recurrent sickness absence due to common mental disorders: a cohort of 9,904 employees",
                      year=2005, authors=["Koopmans PC"], doi="10.1000/test.0", pmid="20000000")
    store.add_batch([citation], file_name="cites.csv", file_sha256="f" * 64, source_name="Citation searching",
                    format="csv", encoding="utf-8")
    ids = [r.id or 0 for r in store.records()]
    decisions.decide_pair(store, ids[0], ids[-1], "same", "alice")  # the citation is a database record's copy
    async with open_app(workspace, "alice", "dashboard", size=size, blind=False) as (app, pilot):
        await settle(pilot)
        lines = [line.strip("│ ") for line in screen_lines(app)]
        shown = "\n".join(lines)
        for said in ("Identified", "Duplicates removed", "Remaining", "Records screened", "Excluded (PRISMA)"):
            assert said in shown, (size, said, shown)
        assert re.search(r"Other methods\s+1 ", shown) and re.search(r"^duplicates\s+1 ", shown, re.M), shown
        if size == (80, 24):
            assert "more: review status" in shown, shown
        else:
            assert "more: review status" not in shown and "Web of Science" in shown, shown
