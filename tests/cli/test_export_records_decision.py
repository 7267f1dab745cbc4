"""``review export records --decision``: only the records with one title/abstract verdict (Rayyan and
Covidence export the included records alone); without it every record, as before."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner, Result

from review.cli import main
from review.workspace import Workspace
from tests.tui.tui_workspace import TOPICS, build_workspace


def _run(workspace: Workspace, *args: str, reviewer: str = "carol") -> Result:
    return CliRunner().invoke(main, ["-w", str(workspace.root), "-r", reviewer, *args])


#: ``review export records``'s columns (docs/interfaces.md: names and order must not change).
CSV_HEADER = ("record_id,source,external_id,title,authors,year,journal,volume,issue,pages,doi,pmid,abstract,keywords,"
              "mesh,publication_types,language")


def _fixture_row(i: int) -> list[str]:
    """The CSV row of ``build_workspace``'s record ``i`` (id i + 1): PubMed holds the first six, Embase the rest."""
    title, journal, authors = TOPICS[i % len(TOPICS)]
    abstract = (f"BACKGROUND: Study {i} on workers. METHODS: We followed {100 + i} employees for {i % 5 + 1} years. "
                f"RESULTS: Recurrence of sickness absence was {10 + i}%. CONCLUSIONS: Return to work needs follow-up.")
    return [str(i + 1), "PubMed" if i < 6 else "Embase", "", title if i < len(TOPICS) else f"{title} (study {i})",
            "; ".join(authors), str(2005 + i % 12), journal, "", "", "", f"10.1000/test.{i}", str(20000000 + i),
            abstract, "sick leave; mental health", "Absenteeism; Depression", "", ""]


def _ids(result: Result) -> list[int]:
    assert result.exit_code == 0, result.output
    return [int(row["record_id"]) for row in csv.DictReader(io.StringIO(result.stdout))]


def test_decision_filter_follows_the_consensus_and_leaves_the_default_alone(tmp_path: Path) -> None:
    # alice and bob: 1 both include, 2 exclude/include, 3 include/exclude, 4 both exclude.
    workspace = build_workspace(tmp_path / "ws", with_pairs=False)
    ids = [r.id for r in workspace.store.records()]
    assert ids == list(range(1, 13))
    assert _run(workspace, "conflicts", "resolve", "2", "--include").exit_code == 0
    assert _run(workspace, "decide", "5", "--maybe", reviewer="alice").exit_code == 0
    assert _run(workspace, "decide", "6", "--include", reviewer="alice").exit_code == 0
    assert _run(workspace, "decide", "6", "--maybe", reviewer="bob").exit_code == 0  # include beside maybe
    assert _run(workspace, "prisma", "remove", "12", "--reason", "retracted").exit_code == 0

    everything = _run(workspace, "export", "records", "-")
    assert everything.exit_code == 0, everything.output
    # As before: every record (the removed one too), each row the fixture's record as it was imported; the
    # expectation is built from the fixture's own data, not with the exporter's writer.
    lines = everything.stdout.replace("\r\n", "\n").split("\n")
    assert lines[0] == CSV_HEADER and lines[-1] == "" and len(lines) == 14, lines[:2]
    assert list(csv.reader(lines[1:-1])) == [_fixture_row(i) for i in range(12)]
    assert everything.stderr == "wrote 12 records to stdout (csv)\n"

    assert _ids(_run(workspace, "export", "records", "--decision", "included", "-")) == [1, 2, 6]
    assert _ids(_run(workspace, "export", "records", "--decision", "excluded", "-")) == [4]
    assert _ids(_run(workspace, "export", "records", "--decision", "conflict", "-")) == [3]
    assert _ids(_run(workspace, "export", "records", "--decision", "maybe", "-")) == [5]
    undecided = _run(workspace, "export", "records", "--decision", "undecided", "-")
    assert _ids(undecided) == [7, 8, 9, 10, 11]  # 12 was removed before screening
    assert undecided.stderr == "wrote 5 records (undecided) to stdout (csv)\n"

    ris = _run(workspace, "export", "records", "--format", "ris", "--decision", "included", "-")
    assert ris.exit_code == 0 and ris.stdout.count("\nER  -") + ris.stdout.startswith("ER  -") == 3, ris.output
    wrong = _run(workspace, "export", "records", "--decision", "include", "-")
    assert wrong.exit_code == 2 and "--decision" in wrong.stderr and wrong.stdout == ""


def test_after_a_screening_stop_undecided_holds_what_prisma_counts_as_excluded_by_automation(
    tmp_path: Path
) -> None:
    # Said in the help and docs/sources.md: --decision excluded stays the reviewers' excludes only.
    workspace = build_workspace(tmp_path / "ws", with_pairs=False)
    assert _run(workspace, "prisma", "stop", "SAFE: 50 irrelevant in a row").exit_code == 0
    from review.prisma import prisma_counts

    automatic = prisma_counts(Workspace(workspace.root)).n("excluded_automatic")
    assert automatic == 8  # records 5-12, never screened
    assert _ids(_run(workspace, "export", "records", "--decision", "undecided", "-")) == list(range(5, 13))
    assert _ids(_run(workspace, "export", "records", "--decision", "excluded", "-")) == [4]
    help_text = _run(workspace, "export", "records", "--help").output
    assert "excluded by automation" in " ".join(help_text.split())


def test_the_decision_filter_reads_the_decision_log_without_its_json(tmp_path: Path) -> None:
    # The verdicts read every decision whole (0.56 s CPU at 40,000 decisions, 0.20 s with the labels alone).
    import sqlalchemy as sa

    workspace = build_workspace(tmp_path / "ws", with_pairs=False)
    assert _run(workspace, "conflicts", "resolve", "2", "--include").exit_code == 0
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    sa.event.listen(sa.Engine, "before_cursor_execute", listen)
    try:
        included = _run(workspace, "export", "records", "--decision", "included", "-")
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", listen)
    assert _ids(included) == [1, 2]
    log_reads = [s for s in statements if "FROM screening_decisions" in s]
    assert log_reads and not [s for s in log_reads if "screening_decisions.reasons" in s], log_reads


def test_a_kept_record_carries_the_doi_and_pmid_of_the_duplicates_it_stands_for(workspace: Workspace) -> None:
    # Dedup keeps the richest copy (an abstract outweighs a DOI and a PMID): here the copy without either, the one
    # holding both set aside. The records to screen leave the duplicate out, so the list a reviewer retrieves full
    # texts from showed the study with no doi and no pmid, though the review had both.
    from review.dedup.decisions import canonical_of
    from review.dedup.run import run_dedup

    from ..dedup.helpers import ARTICLE, import_records, record

    kept, duplicate = import_records(workspace, [record(doi="", pmid=""), record(abstract="", pmid="24388863")],
                                     "two-copies.csv")
    run_dedup(workspace)
    assert canonical_of(workspace.store) == {duplicate: kept}
    assert _run(workspace, "decide", str(kept), "--include", reviewer="alice").exit_code == 0

    included = _run(workspace, "export", "records", "--decision", "included", "-")
    assert included.exit_code == 0, included.output
    [row] = list(csv.DictReader(io.StringIO(included.stdout)))
    assert (row["record_id"], row["doi"], row["pmid"]) == (str(kept), ARTICLE["doi"], "24388863")
    assert row["abstract"] == ARTICLE["abstract"]  # the kept record's own fields otherwise
    ris = _run(workspace, "export", "records", "--format", "ris", "--decision", "included", "-").stdout
    assert f"DO  - {ARTICLE['doi']}" in ris and "AN  - 24388863" in ris
    # every record, as imported (a dump that re-imports as it was: docs/sources.md)
    rows = {r["record_id"]: (r["doi"], r["pmid"])
            for r in csv.DictReader(io.StringIO(_run(workspace, "export", "records", "-").stdout))}
    assert rows == {str(kept): ("", ""), str(duplicate): (ARTICLE["doi"], "24388863")}


def test_a_kept_record_takes_no_doi_or_pmid_from_a_notice_merged_into_its_cluster(workspace: Workspace) -> None:
    # With [dedup] related = "merge" an erratum joins its article's cluster as a duplicate. Its DOI and PMID are the
    # erratum's, not the article's: listed as the study's, a reviewer retrieved the one-page erratum as the full text.
    from review.dedup.decisions import canonical_of, decide_pair
    from review.dedup.run import run_dedup

    from ..dedup.helpers import ARTICLE, import_records, record

    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[dedup]\nrelated = "merge"\n', encoding="utf-8")
    workspace = Workspace(workspace.root)
    kept, erratum = import_records(workspace, [
        record(doi="", pmid=""),
        record(title=f"Erratum to: {ARTICLE['title']}", pages="1501", abstract="", doi="10.1016/j.peptides.2014.02.001",
               pmid="24600001")], "article-and-erratum.csv")
    run_dedup(workspace)
    assert canonical_of(workspace.store) == {erratum: kept}
    assert _run(workspace, "decide", str(kept), "--include", reviewer="alice").exit_code == 0

    def included() -> tuple[str, str, str]:
        result = _run(workspace, "export", "records", "--decision", "included", "-")
        assert result.exit_code == 0, result.output
        [row] = list(csv.DictReader(io.StringIO(result.stdout)))
        return row["record_id"], row["doi"], row["pmid"]

    assert included() == (str(kept), "", "")
    # Copies of the article itself in the cluster still give theirs; where they disagree (a reviewer called them the
    # same), the copy with the lowest record id (imported first) gives each, as in the merged view.
    first, second = import_records(workspace, [record(abstract="", doi="10.1016/j.peptides.2013.12.099", pmid="24388863"),
                                               record(abstract="", doi=ARTICLE["doi"], pmid="24388864")], "copies.csv")
    decide_pair(workspace.store, kept, first, "same", "alice")
    decide_pair(workspace.store, kept, second, "same", "alice")
    assert sorted(canonical_of(workspace.store)) == [erratum, first, second]
    assert included() == (str(kept), "10.1016/j.peptides.2013.12.099", "24388863")
