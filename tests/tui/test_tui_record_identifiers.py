"""The record a reviewer reads names the study's doi and PMID, also when only a duplicate dedup set aside holds them."""
from __future__ import annotations

from pathlib import Path

from review.dedup.decisions import canonical_of
from review.dedup.run import run_dedup
from review.workspace import Workspace, init_workspace
from tui_workspace import async_test, open_app, open_screening, settle

from tests.dedup.helpers import ARTICLE, import_records, record

#: A second study, its copies as the first's: the kept one (an abstract) without doi or PMID.
OTHER = dict(title="Exenatide and bone mineral density in obese adults with type 2 diabetes", pages="101-109",
             authors=["Ruiz, M.", "Olsen, K."], doi="10.1016/j.bone.2015.01.004", year=2015, journal="Bone",
             abstract="Incretin-based drugs may affect bone. We measured bone mineral density in obese adults with type 2 "
                      "diabetes given exenatide or placebo for a year.")


def _two_studies(root: Path) -> tuple[Workspace, dict[int, tuple[str, str]]]:
    """Two studies, each imported twice: the copy dedup keeps (the abstract) has neither doi nor PMID, the copy it
    sets aside has both. Returns the workspace and each kept record's (doi, PMID) as its duplicate holds them."""
    workspace = init_workspace(root, title="identifiers", reviewers=["alice"], seed=3)
    with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tui]\nretrain = "thread"\n')
    workspace = Workspace(root)
    ids = import_records(workspace, [
        record(doi="", pmid=""), record(abstract="", pmid="24388863"),
        record(**(OTHER | {"doi": "", "pmid": ""})), record(**(OTHER | {"abstract": "", "pmid": "25500011"}))], "copies.csv")
    run_dedup(workspace)
    kept = canonical_of(workspace.store)
    assert sorted(kept.values()) == [ids[0], ids[2]], kept  # the copies with an abstract stay to be screened
    return workspace, {ids[0]: (str(ARTICLE["doi"]), "24388863"), ids[2]: (str(OTHER["doi"]), "25500011")}


def _shown(screen: object) -> str:
    from review.tui.widgets.record_view import RecordView

    return screen.query_one("#record", RecordView).plain  # type: ignore[attr-defined,no-any-return]


@async_test
async def test_the_screening_screen_names_the_doi_and_pmid_of_the_duplicates(tmp_path: Path) -> None:
    """The record box showed only '#1 copies.csv' for a study the review holds with a doi and a PMID (on the copy
    dedup set aside), where `review export records --decision` lists them: the first record and the next one, read
    ahead while the first was on screen."""
    workspace, expected = _two_studies(tmp_path / "ws")
    async with open_screening(workspace, size=(100, 30)) as (app, pilot, screen):
        seen = []
        for _ in expected:
            assert screen.current is not None and screen.current.id in expected
            doi, pmid = expected[screen.current.id]
            text = _shown(screen)
            assert f"PMID {pmid}" in text and f"doi {doi}" in text, text
            seen.append(screen.current.id)
            await pilot.press("i")
            await settle(pilot)
        assert sorted(seen) == sorted(expected)
    # shown, not stored: the kept records are as imported
    assert all(not (r.doi or r.pmid) for r in workspace.store.records(sorted(expected)))


@async_test
async def test_the_record_view_of_the_browser_names_them_too(tmp_path: Path) -> None:
    workspace, expected = _two_studies(tmp_path / "ws")
    async with open_app(workspace, "alice", "browser", size=(100, 30)) as (app, pilot):
        first = min(expected)
        app.screen.open_record(first, [])  # type: ignore[attr-defined]
        await settle(pilot)
        detail = app.screen.query_one("#record-detail")
        text = str(detail.render())
        doi, pmid = expected[first]
        assert f"PMID {pmid}" in text and f"doi {doi}" in text, text
