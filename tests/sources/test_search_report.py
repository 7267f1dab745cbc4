"""``review export searches``: the PRISMA-S report of what review search and review import logged."""

from __future__ import annotations

import re
from datetime import date

import pytest
from click.testing import CliRunner

from review.cli import main
from review.sources.eutils import EutilsClient, EutilsConfig
from review.sources.search import load_query, run_search
from review.store import searches as search_store
from review.sources.standin import StandInArticle, StandInCorpus, running, synthetic_article, synthetic_corpus

QUERY = '''name = "cmd"
query = """
# sick leave
("Sick Leave"[Mesh] OR absenteeism[tiab])
AND
# mental disorders
(depress*[tiab])
"""
mindate = "2000"
maxdate = "2025/06/30"
notes = "Peer reviewed with PRESS by a second information specialist."

[filters]
exclude_animal_only = "NOT (\\"Animals\\"[Mesh] NOT \\"Humans\\"[Mesh])"
'''

RIS = "TY  - JOUR\nTI  - An Embase record\nAU  - Doe, J\nPY  - 2020\nER  - \n\nTY  - JOUR\nTI  - Another\nER  - \n"


def _export(runner: CliRunner, workspace, *args: str):
    return runner.invoke(main, ["-w", str(workspace.root), "export", "searches", *args])


def test_report_holds_each_run_update_import_and_what_is_not_recorded(workspace, monkeypatch, tmp_path):
    runner = CliRunner()
    empty = _export(runner, workspace, "-")
    assert empty.exit_code != 0 and "nothing to report yet" in empty.stderr and empty.stdout == ""
    workspace.path("queries", "cmd.toml").write_text(QUERY, encoding="utf-8")
    first = synthetic_corpus(30, seed=3, first_year=2001, last_year=2020)
    newer = [StandInArticle(str(90_000_000 + i), synthetic_article(90_000_000 + i, 2024), date(2024, 1, 1),
                            date(2024, 1, 1)) for i in range(5)]
    for corpus in (first, StandInCorpus([*first.articles.values(), *newer])):
        with running(corpus) as standin:
            monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
            searched = runner.invoke(main, ["-w", str(workspace.root), "search", "cmd", "--no-progress"])
            assert searched.exit_code == 0, searched.output
    embase = tmp_path / "embase.ris"
    embase.write_text(RIS.replace("TI  - An", "DB  - Embase\nTI  - An"), encoding="utf-8")
    refs = tmp_path / "refs.ris"
    refs.write_text(RIS.replace("Embase", "Reference"), encoding="utf-8")
    assert runner.invoke(main, ["-w", str(workspace.root), "import", str(embase)]).exit_code == 0
    assert runner.invoke(main, ["-w", str(workspace.root), "import", str(refs), "--source",
                                "Reference lists of included studies (citation searching)"]).exit_code == 0

    result = _export(runner, workspace, "-")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "wrote the PRISMA-S report (1 query, 2 runs, 2 imported files) to stdout" in result.stderr
    assert "- Database and platform (item 1): MEDLINE/PubMed via NCBI E-utilities" in text
    # walk20: "pdat from 2000" was PubMed's tag alone; the appendix names the field, the tag beside it
    assert "- Limits and restrictions (item 9): publication date [pdat] from 2000 to 2025/06/30" in text
    assert '- Search filters (item 10): exclude_animal_only: `NOT ("Animals"[Mesh] NOT "Humans"[Mesh])`' in text
    assert "    Peer reviewed with PRESS by a second information specialist." in text
    assert "    # mental disorders\n    (depress*[tiab])" in text  # the strategy as written, verbatim
    term = '`(("Sick Leave"[Mesh] OR absenteeism[tiab]) AND (depress*[tiab])) NOT ("Animals"[Mesh] NOT "Humans"[Mesh])`'
    assert text.count(f"Term sent to ESearch (item 8): {term}") == 2
    # Both runs went to the stand-in, and the report says so rather than passing them off as PubMed's.
    assert text.count("not NCBI's E-utilities (a stand-in or a proxy)") == 2
    runs = re.findall(r"^\d\. Searched (\d{4}-\d\d-\d\d \d\d:\d\d UTC) \((.*?);", text, re.MULTILINE)
    assert [kind for _, kind in runs] == ["first search", "update of run 1: the same strategy run again"]
    assert "Records (item 15): 30 found (ESearch count), 30 retrieved (unique PMIDs), 30 stored as new, 0 already" in text
    assert "35 found (ESearch count), 35 retrieved (unique PMIDs), 5 stored as new, 30 already stored" in text
    assert "- Embase (database, item 1): 2 records from files (item 15)" in text
    assert "embase.ris: 2 records, ris (utf-8), imported" in text
    assert "(citation searching, item 5): 2 records from files" in text
    assert "Not recorded: the platform, the date the search was run there, the strategy as run" in text
    assert "30 PMIDs found again by later runs or other queries were not stored a second time" in text
    assert "Across sources: not done yet (`review dedup` has not run)." in text

    out = tmp_path / "appendix.md"
    written = _export(runner, workspace, str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8").split("\n", 3)[3] == text.split("\n", 3)[3]  # same, but its time line


class Stop(Exception):
    pass


def test_a_changed_strategy_is_reported_with_the_text_each_run_used(workspace, monkeypatch):
    runner = CliRunner()
    path = workspace.path("queries", "cmd.toml")
    path.write_text('query = """sick leave AND burnout"""\nmaxdate = "2025"\n', encoding="utf-8")
    with running(synthetic_corpus(100, seed=4)) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        assert runner.invoke(main, ["-w", str(workspace.root), "search", "cmd"]).exit_code == 0
    path.write_text('query = """sick leave AND (burnout OR depression)"""\n', encoding="utf-8")
    wider = [StandInArticle(str(90_000_000 + i), synthetic_article(90_000_000 + i, 2024), date(2024, 1, 1),
                            date(2024, 1, 1)) for i in range(200)]
    with running(StandInCorpus([*synthetic_corpus(100, seed=4).articles.values(), *wider])) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        events = []

        def stop_after_first_batch(event):
            events.append(event.phase)
            if events.count("fetch") == 2:  # (the first says how many are stored already)
                raise Stop()

        client = EutilsClient(EutilsConfig(base_url=standin.url, rate_per_second=0, efetch_batch=100))
        with pytest.raises(Stop):  # killed after its first batch, then the file changes again
            run_search(workspace, load_query(path), client=client, progress=stop_after_first_batch)
        path.write_text('query = """sick leave AND (burnout OR depression OR anxiety)"""\n', encoding="utf-8")
        assert runner.invoke(main, ["-w", str(workspace.root), "search", "cmd"]).exit_code == 0
    text = _export(runner, workspace, "-").stdout
    kinds = re.findall(r"^\d\. Searched .*? \((.*?); (\w+)", text, re.MULTILINE)
    assert kinds == [("first search", "complete"),
                     ("re-run with a changed strategy (the last complete run before it was run 1)", "abandoned"),
                     ("re-run with a changed strategy (the last complete run before it was run 1)", "complete")]
    assert "- Limits and restrictions (item 9): none" in text  # the file's limits now
    assert "Other ESearch parameters (item 9): publication date [pdat] up to 2025" in text  # the first run's
    # each earlier run keeps the strategy it ran with; the file now holds the third
    assert "Strategy as written for this run (item 8):\n\n        sick leave AND burnout\n" in text
    assert "        sick leave AND (burnout OR depression)\n" in text
    assert "    sick leave AND (burnout OR depression OR anxiety)" in text
    assert ("Abandoned: the query changed before this run finished, so the next run started afresh; "
            "100 records stored by it before it stopped (item 15).") in text


EMBASE = '''database = "Embase"
platform = "Ovid"
searched = "2026-11-30"
source = "Embase"
mindate = "2000"
query = """
1 exp sick leave/
2 (sick* adj3 (leave or absen*)).ti,ab.
3 1 or 2
"""
notes = "Translated from the PubMed strategy; PRESS-reviewed."
'''


def test_a_search_run_on_another_platform_is_described_not_sent(workspace, monkeypatch, tmp_path):
    runner = CliRunner()
    workspace.path("queries", "embase.toml").write_text(EMBASE, encoding="utf-8")
    monkeypatch.setenv("REVIEW_EUTILS_URL", "http://127.0.0.1:9/never-called/")

    def review(*args):
        return runner.invoke(main, ["-w", str(workspace.root), *args])

    sent = review("search", "embase")
    assert sent.exit_code == 1 and "Embase was searched on another platform" in sent.stderr
    assert "review search sends PubMed queries only" in sent.stderr and len(sent.stderr.splitlines()) == 1
    (tmp_path / "s.txt").write_text("12345\n", encoding="utf-8")  # a missing file is refused first (exit 3)
    assert review("search", "embase", "--check-seeds", str(tmp_path / "s.txt")).exit_code == 1
    workspace.path("queries", "cmd.toml").write_text('query = """anything"""\n', encoding="utf-8")
    everything = review("search")  # the PubMed query is sent (nobody answers), the Embase file is not
    assert everything.exit_code == 5 and "cannot connect" in everything.stderr
    assert [run["query_name"] for run in search_store.runs(workspace.store)] == ["cmd"]
    listed = review("search", "--list").stdout.splitlines()
    assert "embase\t2026-11-30\telsewhere\t-\t-\tembase.toml" in listed

    text = review("export", "searches", "-").stdout
    assert "### Embase: search `embase` (queries/embase.toml)" in text
    assert "- Database and platform (item 1): Embase via Ovid" in text
    assert "- Date searched (item 13): 2026-11-30" in text
    assert "- Limits and restrictions (item 9): dates from 2000" in text
    assert "    2 (sick* adj3 (leave or absen*)).ti,ab." in text
    assert "none imported yet under the source name 'Embase'" in text
    export = tmp_path / "embase.ris"
    export.write_text(RIS, encoding="utf-8")
    assert review("import", str(export), "--source", "Embase").exit_code == 0
    text = review("export", "searches", "-").stdout
    assert "- Records (item 15): 2 records imported under the source name 'Embase' (1 file, below)." in text
    assert "   - The search itself (platform, date, strategy): queries/embase.toml, above." in text
    assert "Not recorded: the platform" not in text


def test_the_dashboard_overview_shows_no_run_for_a_search_run_elsewhere(workspace):
    from review.services.sources import query_overview

    workspace.path("queries", "embase.toml").write_text(EMBASE, encoding="utf-8")
    views = {view.name: view for view in query_overview(workspace)}
    assert views["embase"].status == "searched elsewhere" and views["embase"].last_run is None
    assert views["example"].status == "template"  # review init's starter file (decision 0046)


def test_a_broken_query_file_is_read_once_and_said_on_stderr(workspace, monkeypatch, tmp_path):
    # The query files were read twice per export, and a broken one silently dropped the searches run elsewhere.
    from review.sources import search as searching

    export = tmp_path / "embase.ris"
    export.write_text(RIS, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(workspace.root), "import", str(export), "--source", "Embase"]).exit_code == 0
    workspace.path("queries", "broken.toml").write_text('name = "broken"\ndatabase = \n', encoding="utf-8")
    reads = []
    real = searching.load_queries
    monkeypatch.setattr(searching, "load_queries", lambda folder: reads.append(folder) or real(folder))
    result = runner.invoke(main, ["-w", str(workspace.root), "export", "searches", "-"])
    assert result.exit_code == 0 and "Embase" in result.stdout and len(reads) == 1
    warning, wrote = result.stderr.splitlines()
    assert warning.startswith("review: warning: ") and "broken.toml" in warning
    assert warning.endswith("the report leaves out the query files (strategies as written, searches run elsewhere): "
                            "fix the file and export again")
    assert wrote == "wrote the PRISMA-S report (0 queries, 0 runs, 1 imported file) to stdout"


def test_sources_and_duplicates_in_the_report_are_what_review_prisma_counts(workspace, tmp_path):
    # The report computed the whole PRISMA flow for the sources' kinds and two duplicate counts; it now
    # reads those alone, and says the same (a bad [prisma] setting elsewhere no longer stops it).
    from review.services.prisma import prisma_counts
    from review.services.sources import search_report

    same = ("TY  - JOUR\nTI  - Liraglutide suppresses macrophage foam cell formation and atherosclerosis in mice\n"
            "AU  - Tashiro, Y.\nAU  - Sato, K.\nPY  - 2014\nJO  - Peptides\nVL  - 54\nSP  - 19\nEP  - 26\n"
            "DO  - 10.1016/j.peptides.2013.12.015\nER  - \n")
    runner = CliRunner()
    for n, source in enumerate(("PubMed", "Embase", "Citation searching", "Reference lists")):
        path = tmp_path / f"{n}.ris"
        path.write_text(same.replace("PY  - 2014", f"PY  - 2014\nN1  - copy {n}") + (RIS if n == 1 else ""),
                        encoding="utf-8")  # (each file its own: an identical file is imported once)
        assert runner.invoke(main, ["-w", str(workspace.root), "import", str(path), "--source", source]).exit_code == 0
    assert runner.invoke(main, ["-w", str(workspace.root), "dedup"]).exit_code == 0
    counts = prisma_counts(workspace)
    assert (counts.n("duplicates"), counts.n("other_duplicates")) == (1, 2)  # each column has some
    text = search_report(workspace).text
    # (report32: "removed 1 duplicate records", the count's noun in the plural whatever the count)
    assert (f"removed {counts.n('duplicates')} duplicate record from databases and registers and "
            f"{counts.n('other_duplicates')} from other methods") in text
    for name, source in counts.sources.items():
        assert re.search(rf"^- {name} \([a-z ]+, item \d+\): {source.n} records? from files", text, re.M), name
    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[prisma]\nprevious_reports = -1\n", encoding="utf-8")
    assert "from other methods" in search_report(type(workspace)(workspace.root)).text


def test_a_file_whose_records_name_several_databases_is_listed_under_each_with_its_share(workspace, tmp_path):
    # A MEDLINE-layout export from Ovid holds PsycInfo and Embase records, each named on its DB line; the
    # report listed the whole file (3 records) under the batch's source and the other one's records as
    # "from the rows of imported files that name this source in a column", which no MEDLINE file has.
    mixed = tmp_path / "ovid.txt"
    mixed.write_text("TI  - First PsycInfo record\nDB  - PsycInfo\n\nTI  - Second PsycInfo record\nDB  - PsycInfo\n\n"
                     "TI  - An Embase record\nDB  - Embase\n", encoding="utf-8")
    imported = CliRunner().invoke(main, ["-w", str(workspace.root), "import", str(mixed)])
    assert imported.exit_code == 0, imported.output
    text = _export(CliRunner(), workspace, "-").stdout
    assert "- Embase (database, item 1): 1 record from files (item 15)\n   - ovid.txt: 1 of its 3 records, medline" in text
    assert ("- PsycInfo (database, item 1): 2 records from files (item 15)\n   - ovid.txt: 2 of its 3 records, "
            "medline") in text
    assert "name this source in a column" not in text


def test_the_report_totals_what_the_flow_diagram_counts_as_identified(workspace, tmp_path):
    """report32: a methods reviewer checks PRISMA-S item 15 against the flow diagram's "records identified": the report
    gave each source's records apart, to be added up by hand. It now ends its sources with the totals review prisma
    draws, per column, and says so."""
    from review.services.prisma import prisma_counts

    runner = CliRunner()
    embase, psyc, refs = tmp_path / "embase.ris", tmp_path / "psyc.ris", tmp_path / "refs.ris"
    embase.write_text(RIS, encoding="utf-8")
    psyc.write_text(RIS + RIS.replace("Another", "A third"), encoding="utf-8")
    refs.write_text(RIS.replace("Another", "Cited by an included study"), encoding="utf-8")  # (a file is imported once)
    for path, source in ((embase, "Embase"), (psyc, "PsycInfo"), (refs, "Citation searching")):
        assert runner.invoke(main, ["-w", str(workspace.root), "import", str(path), "--source", source]).exit_code == 0
    text = _export(runner, workspace, "-").stdout
    counts = prisma_counts(workspace)
    assert counts.n("database_results") == 6 and counts.other_methods_identified == 2
    assert ("- Databases and registers: 6 records (Embase 2, PsycInfo 4), as the flow diagram's \"Records identified "
            "from databases and registers\" (`review prisma`)") in text
    assert "- Other methods: 2 records (Citation searching 2), as its \"Records identified from\" other methods" in text


def test_a_search_run_elsewhere_gives_its_date_limits_in_words(workspace, tmp_path):
    """report32: queries/embase_ovid.toml with mindate = "1970" was reported 'Limits and restrictions (item 9): from =
    1970', a key and its value where the PubMed queries read 'publication date [pdat] from 1970'."""
    runner = CliRunner()
    workspace.path("queries", "embase.toml").write_text(
        'database = "Embase"\nplatform = "Ovid"\nsearched = "2026-11-30"\nmindate = "1970"\nmaxdate = "2025"\n'
        'query = """1 exp sick leave/"""\n', encoding="utf-8")
    ris = tmp_path / "embase.ris"
    ris.write_text(RIS, encoding="utf-8")
    assert runner.invoke(main, ["-w", str(workspace.root), "import", str(ris), "--source", "Embase"]).exit_code == 0
    text = _export(runner, workspace, "-").stdout
    assert "- Limits and restrictions (item 9): dates from 1970 to 2025" in text, text
