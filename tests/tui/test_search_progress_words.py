"""The dashboard's search (p) says where it is in the words of ``review search --progress``."""

from __future__ import annotations

from click.testing import CliRunner

from review.cli import main
from review.sources.standin import running, synthetic_corpus
from review.tui.actions import run_search
from review.workspace import Workspace


def test_the_dashboards_search_progress_is_worded_as_the_cli_log(workspace, monkeypatch) -> None:
    """It showed the engine's phase names ('q: search 0' for the ESearch and for every date slice,
    'q: fetch 50 of 250'): a 60,000-record search's slices were a row of 'search 0'."""
    workspace.path("queries", "long.toml").write_text('name = "long"\nquery = """anything"""\n', encoding="utf-8")
    with workspace.path("review.toml").open("a", encoding="utf-8") as config:
        config.write("\n[pubmed]\nrate_per_second = 0\nesearch_limit = 99\nefetch_batch = 50\n")
    corpus = synthetic_corpus(250, seed=8, first_year=2001, last_year=2020)
    said: list[str] = []
    with running(corpus, paging_cap=99) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        # (a Workspace read afresh: the fixture's read review.toml before the [pubmed] lines were added)
        summary = run_search(Workspace(workspace.root), "alice", said.append)
        # the same search's lines as the CLI writes them to a log (a second run: nothing new to fetch)
        logged = CliRunner().invoke(main, ["-w", str(workspace.root), "search", "long", "--progress"]).stderr
    assert summary.startswith("long: 250 hits, 250 new")
    assert said[0] == "long: searching PubMed (ESearch)"
    slices = [line for line in said if line.startswith("long: date slice ")]
    assert len(slices) >= 3 and all(line.endswith((" hits", " hit")) for line in slices)
    assert "long: 250 hits; 0 of 250 records stored" in said and "long: 50 of 250 records stored" in said
    assert said[-1] == "long: 250 of 250 records stored; complete"
    cli_slices = [line for line in logged.splitlines() if line.startswith("long: date slice ")]
    assert cli_slices == slices


def test_the_dashboards_search_summary_separates_thousands(workspace, monkeypatch) -> None:
    """As review status and review search's table do since a6cf6945: '1,200 hits, 1,200 new', not '1200'."""
    workspace.path("queries", "big.toml").write_text('name = "big"\nquery = """anything"""\n', encoding="utf-8")
    with workspace.path("review.toml").open("a", encoding="utf-8") as config:
        config.write("\n[pubmed]\nrate_per_second = 0\n")
    with running(synthetic_corpus(1_200, seed=9)) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        summary = run_search(Workspace(workspace.root), "alice")
    assert summary.startswith("big: 1,200 hits, 1,200 new")
