"""``review init``'s ``queries/example.toml`` is a template ``review search`` refuses (decision 0046).

It ran: ``review search`` in a new workspace searched another review's strategy (sickness absence after a
mental disorder), stored its records and logged it for PRISMA-S as a search of the user's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ValidationError
from review.services.sources import search_report
from review.sources.search import load_query
from review.sources.standin import running, synthetic_corpus
from review.store import searches as search_store
from review.workspace import Workspace

#: queries/example.toml as review init wrote it from 2026-11-26 to 2026-12-06 (d138efee): no template mark.
UNMARKED_EXAMPLE = '''# A PubMed strategy: one file per query; `review search NAME` runs it (see docs/sources.md).
# Write one block per concept, MeSH plus title/abstract free text, and say why in a comment.
name = "example"
database = "pubmed"
query = """("Sick Leave"[Mesh] OR "sickness absence"[tiab])
AND ("Mental Disorders"[Mesh:NoExp] OR depress*[tiab] OR anxiety[tiab])"""
# mindate = "2000/01/01"   # optional publication-date range (YYYY[/MM[/DD]])
# maxdate = "2025/12/31"
notes = "Replace with your own strategy."
'''


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The local PubMed every search of these tests reaches (REVIEW_EUTILS_URL), counting its requests."""
    with running(synthetic_corpus(40, seed=46)) as server:
        monkeypatch.setenv("REVIEW_EUTILS_URL", server.url)
        monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
        yield server


def review(workspace: Workspace, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args])


def nothing_searched(workspace: Workspace, standin) -> bool:  # type: ignore[no-untyped-def]
    return (standin.total_requests == 0 and not search_store.runs(workspace.store)
            and not search_store.seed_checks(workspace.store) and not workspace.store.records()
            and not list(workspace.path("queries").glob("*.log.json")))


def test_a_new_workspaces_search_is_refused_in_one_line_naming_the_example(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    example = workspace.path("queries", "example.toml")
    for args in (["search"], ["search", "example"], ["search", "--no-progress"]):
        result = review(workspace, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stdout == ""
        assert result.stderr == (f"review: {example}: a template (template = true), not a search of this review: "
                                 "write your strategy in it and delete that line, or write your own queries/NAME.toml\n")
    seeds = workspace.root / "seeds.txt"
    seeds.write_text("1\n", encoding="utf-8")
    checked = review(workspace, "search", "example", "--check-seeds", str(seeds))
    assert checked.exit_code == 1 and checked.stderr.startswith(f"review: {example}: a template"), checked.output
    assert nothing_searched(workspace, standin)


def test_the_templates_strategy_runs_once_its_mark_is_deleted(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    # The file shows working syntax: the mark is all that stops it, and the term is the strategy's two blocks.
    example = workspace.path("queries", "example.toml")
    text = example.read_text(encoding="utf-8")
    assert text.count("\ntemplate = true\n") == 1
    example.write_text(text.replace("\ntemplate = true\n", "\n"), encoding="utf-8")
    spec = load_query(example)
    assert spec.name == "example" and not spec.is_template
    assert spec.term == ('("Sick Leave"[Mesh] OR "sickness absence"[tiab]) AND ("Mental Disorders"[Mesh:NoExp] '
                         'OR depress*[tiab] OR anxiety[tiab])')
    result = review(workspace, "search", "--no-progress")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("example\tcomplete\t")
    assert standin.total_requests > 0


def test_every_query_runs_the_reviews_own_and_notes_the_template_it_passed_over(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    workspace.path("queries", "mine.toml").write_text('query = """anything"""\n', encoding="utf-8")
    result = review(workspace, "search", "--no-progress")
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["name", "mine"]
    example = workspace.path("queries", "example.toml")
    assert result.stderr == f"review: note: {example}: a template (template = true), not searched\n"
    assert [run["query_name"] for run in search_store.runs(workspace.store)] == ["mine"]
    assert not workspace.path("queries", "example.log.json").exists()
    listed = review(workspace, "search", "--list")
    assert "example\t-\ttemplate\t-\t-\texample.toml" in listed.stdout.splitlines()
    # The PRISMA-S report leaves it out: it holds the search the review ran, not the starter file.
    assert "Sick Leave" not in search_report(workspace).text


def test_a_copy_that_keeps_the_mark_is_refused_by_its_own_name(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    example = workspace.path("queries", "example.toml")
    copy = workspace.path("queries", "mine.toml")
    copy.write_text(example.read_text(encoding="utf-8").replace("Sick Leave", "Sickness Absence"), encoding="utf-8")
    result = review(workspace, "search", "mine")
    assert result.exit_code == 1 and result.stderr.startswith(f"review: {copy}: a template (template = true)")
    every = review(workspace, "search")
    assert every.exit_code == 1 and every.stderr.endswith("(also templates: mine.toml)\n"), every.stderr
    assert nothing_searched(workspace, standin)


def test_an_older_workspaces_unedited_example_is_refused_too(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    example = workspace.path("queries", "example.toml")
    example.write_text(UNMARKED_EXAMPLE, encoding="utf-8")
    result = review(workspace, "search")
    assert result.exit_code == 1
    assert result.stderr == (f"review: {example}: review init's example of before 2026-12-06 (another review's "
                             "strategy, there to show the syntax), not a search of this review: write your own "
                             "strategy in it, or your own queries/NAME.toml\n")
    assert nothing_searched(workspace, standin)
    # Edited (its notes, or its query), it is the review's own strategy.
    example.write_text(UNMARKED_EXAMPLE.replace("Replace with your own strategy.", "Ours, version 1."), encoding="utf-8")
    assert not load_query(example).is_template
    example.write_text(UNMARKED_EXAMPLE.replace("anxiety[tiab]", "anxiety[tiab] OR stress[tiab]"), encoding="utf-8")
    assert not load_query(example).is_template


def test_review_status_says_what_to_do_with_the_template(workspace: Workspace) -> None:
    result = review(workspace, "status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    search = next(i for i, line in enumerate(lines) if line.startswith("search "))
    assert lines[search + 1] == ("  queries/example.toml: a template (template = true), not a search of this review: "
                                 "write your strategy in it and delete that line, or write your own queries/NAME.toml")


@pytest.mark.parametrize("value", ['"yes"', "1", '""'])
def test_a_template_mark_that_is_no_boolean_names_the_file_and_field(tmp_path: Path, value: str) -> None:
    path = tmp_path / "q.toml"
    path.write_text(f'query = "x"\ntemplate = {value}\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=rf"^{path}:template: true or false"):
        load_query(path)



def test_the_programmes_own_strategy_and_the_demos_are_no_templates(tmp_path: Path) -> None:
    from review.demo.build import DEMO_QUERY
    from shared_data import REPO_ROOT

    spec = load_query(REPO_ROOT / "queries" / "recurrent_cmd_sickness_absence.toml")
    assert spec.runs_here and not spec.is_template
    demo = tmp_path / "demo.toml"
    demo.write_text(DEMO_QUERY, encoding="utf-8")
    assert not load_query(demo).is_template


def test_the_dashboards_search_names_the_template_it_passed_over(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    # The dashboard lists only queries with a run: without this part of its summary, `p` passed over
    # the template without a word.
    from review.tui.actions import run_search

    workspace.path("queries", "mine.toml").write_text('query = """anything"""\n', encoding="utf-8")
    summary = run_search(workspace, "alice")
    (run,) = search_store.runs(workspace.store)
    assert summary == (f"mine: {run['hit_count']:,} hits, {run['new_records']:,} new; "
                       "example.toml: a template, not searched")


def test_an_older_workspaces_example_it_has_searched_stays_its_search(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    # A workspace made before 2026-12-06 searched its unedited example: that run is the review's search, so
    # status and --list show it, and review search updates it; it is not refused as a template.
    example = workspace.path("queries", "example.toml")
    # (the search as it ran then: the same strategy, sent before templates were refused)
    example.write_text(UNMARKED_EXAMPLE.replace("Replace with your own strategy.", "then"), encoding="utf-8")
    assert review(workspace, "search", "--no-progress").exit_code == 0
    example.write_text(UNMARKED_EXAMPLE, encoding="utf-8")
    status = review(workspace, "status")
    assert status.exit_code == 0, status.output
    assert "not a search of this review" not in status.stdout
    assert any(line.startswith("  example ") and " complete " in line for line in status.stdout.splitlines())
    listed = review(workspace, "search", "--list").stdout.splitlines()
    assert [line.split("\t")[2] for line in listed if line.startswith("example\t")] == ["complete"]
    again = review(workspace, "search", "--no-progress")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[1].startswith("example\tcomplete\t")
    assert [run["status"] for run in search_store.runs(workspace.store, "example")] == ["complete", "complete"]


def test_an_older_workspaces_example_it_has_seed_checked_is_no_template(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    example = workspace.path("queries", "example.toml")
    example.write_text(UNMARKED_EXAMPLE.replace("Replace with your own strategy.", "then"), encoding="utf-8")
    seeds = workspace.root / "seeds.txt"
    seeds.write_text("1\n", encoding="utf-8")
    assert review(workspace, "search", "example", "--check-seeds", str(seeds)).exit_code in (0, 5)
    example.write_text(UNMARKED_EXAMPLE, encoding="utf-8")
    result = review(workspace, "search", "example", "--no-progress")
    assert result.exit_code == 0, result.output
    assert [run["query_name"] for run in search_store.runs(workspace.store)] == ["example"]


def test_an_unedited_example_marked_template_false_is_the_reviews_own(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    example = workspace.path("queries", "example.toml")
    example.write_text(UNMARKED_EXAMPLE + "template = false\n", encoding="utf-8")
    result = review(workspace, "search", "--no-progress")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("example\tcomplete\t")


def test_an_unknown_query_name_lists_only_the_queries_it_would_run(workspace: Workspace, standin) -> None:  # type: ignore[no-untyped-def]
    queries = workspace.path("queries")
    alone = review(workspace, "search", "nosuch")
    assert alone.exit_code == 1 and alone.stderr == f"review: {queries}: no query named 'nosuch' (queries: none)\n"
    queries.joinpath("mine.toml").write_text('query = """anything"""\n', encoding="utf-8")
    beside = review(workspace, "search", "nosuch")
    assert beside.exit_code == 1 and beside.stderr == f"review: {queries}: no query named 'nosuch' (queries: mine)\n"
    assert nothing_searched(workspace, standin)


def test_the_search_report_leaves_out_a_template_for_another_database(workspace: Workspace) -> None:
    # A template describing a search on another platform is a starter file too: the PRISMA-S report's
    # searches run elsewhere hold the review's own description only.
    described = ('database = "Embase"\nplatform = "Ovid"\nsearched = "2026-11-30"\n'
                 'query = """exp depression/ AND sick leave.ti,ab."""\n')
    workspace.path("queries", "embase.toml").write_text(described, encoding="utf-8")
    workspace.path("queries", "embase_template.toml").write_text(
        described.replace("depression", "anxiety") + "template = true\n", encoding="utf-8")
    text = search_report(workspace).text
    assert "exp depression/ AND sick leave.ti,ab." in text and "search `embase` (queries/embase.toml)" in text
    assert "exp anxiety/" not in text and "embase_template" not in text


def test_a_search_of_every_query_reads_each_query_file_once(workspace: Workspace, standin,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from review.sources import search as searching

    workspace.path("queries", "mine.toml").write_text('query = """anything"""\n', encoding="utf-8")
    read: list[str] = []
    load = searching.load_query
    monkeypatch.setattr(searching, "load_query", lambda path: (read.append(path.name), load(path))[1])
    assert review(workspace, "search", "--no-progress").exit_code == 0
    assert sorted(read) == ["example.toml", "mine.toml"]
