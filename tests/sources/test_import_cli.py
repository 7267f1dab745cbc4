"""``review import``: one row per file on stdout, skips on re-import, ``--source``."""

from __future__ import annotations

from click.testing import CliRunner

from review.cli import main


def _import(workspace, *args):
    return CliRunner().invoke(main, ["-w", str(workspace.root), "import", *map(str, args)])


def test_import_prints_format_encoding_and_counts(shared, workspace):
    ris = shared("fixtures", "exports", "ris", "rispy_example_bom.ris")
    nbib = shared("fixtures", "exports", "medline_nbib", "jabref_NbibImporterTest.nbib")
    result = _import(workspace, ris, nbib)
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split("\t") == ["file", "format", "encoding", "source", "records", "status"]
    assert rows[0].split("\t")[1:] == ["ris", "utf-8-sig", "rispy_example_bom", "1", "imported"]
    assert rows[1].split("\t")[1:] == ["medline", "utf-8", "PubMed", "1", "imported"]
    assert "imported 2 records from 2 of 2 files" in result.stderr

    again = _import(workspace, nbib)
    assert again.exit_code == 0
    (row,) = again.stdout.splitlines()[1:]
    assert row.split("\t")[4] == "0"
    assert row.split("\t")[5].startswith("skipped: already imported as batch 2 (1 record, ")
    assert "imported 0 records from 0 of 1 file (1 skipped: imported before) in " in again.stderr
    assert workspace.store.count_records() == 2


def test_source_option_names_the_database(shared, workspace):
    path = shared("fixtures", "exports", "bibtex", "bibtexparser_multiple_entries_and_comments.bib")
    result = _import(workspace, path, "--source", "Web of Science")
    assert result.exit_code == 0
    assert workspace.store.counts_by_source() == {"Web of Science": 3}
    (batch,) = workspace.store.batches()
    assert batch["source_name"] == "Web of Science" and batch["format"] == "bibtex"
    assert batch["file_name"] == str(path.resolve())


def test_source_names_are_trimmed_and_a_blank_one_is_refused(workspace, tmp_path):
    # '   ' was stored as a database name, ' Embase' beside 'Embase' was a second database in PRISMA;
    # then a blank one silently became the file's name: refused now (exit 2, tests/cli/test_import_source.py).
    for name, source, status in (("a", " Embase ", 0), ("b", "Embase", 0), ("c", "   ", 2)):
        (tmp_path / f"{name}.ris").write_text(f"TY  - JOUR\nTI  - Sick leave study {name}\nER  - \n", encoding="utf-8")
        assert _import(workspace, tmp_path / f"{name}.ris", "--source", source).exit_code == status
    assert workspace.store.counts_by_source() == {"Embase": 2}


def test_pubmed_xml_deleted_pmids_are_reported(shared, workspace, tmp_path):
    article = shared("fixtures", "pubmed", "biopython", "pubmed2.xml").read_bytes()
    end = article.rindex(b"</PubmedArticleSet>")
    data = article[:end] + b"<DeleteCitation><PMID>111</PMID><PMID>222</PMID></DeleteCitation>\n" + article[end:]
    path = tmp_path / "efetch.xml"
    path.write_bytes(data)
    result = _import(workspace, path)
    assert result.exit_code == 0, result.output
    (row,) = result.stdout.splitlines()[1:]
    cells = row.split("\t")
    assert cells[1:5] == ["pubmed-xml", "utf-8", "PubMed", "2"]
    assert cells[5] == "imported (2 PMIDs deleted by PubMed: 111, 222)"


def test_unknown_xml_encoding_fails_that_file_alone_and_the_good_ones_import(workspace, tmp_path):
    good_ris = tmp_path / "before.ris"
    good_ris.write_text("TY  - JOUR\nTI  - Imported before the bad file\nER  - \n", encoding="utf-8")
    bad = tmp_path / "codec.xml"
    bad.write_bytes(b'<?xml version="1.0" encoding="x-unknown-charset"?><PubmedArticleSet><PubmedArticle>'
                    b"<MedlineCitation><PMID>7</PMID><Article><ArticleTitle>Never stored</ArticleTitle></Article>"
                    b"</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    good_nbib = tmp_path / "after.nbib"
    good_nbib.write_text("PMID- 8\nTI  - Imported after the bad file\n", encoding="utf-8")
    result = _import(workspace, good_ris, bad, good_nbib)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    (error,) = [line for line in result.stderr.splitlines() if "codec.xml" in line]
    assert "unknown encoding 'x-unknown-charset'" in error
    statuses = {row.split("\t")[0]: row.split("\t")[-1] for row in result.stdout.splitlines()[1:]}
    assert statuses == {str(good_ris): "imported", str(good_nbib): "imported"}  # the failure is on stderr
    assert "imported 2 records from 2 of 3 files" in result.stderr
    assert sorted(r.title for r in workspace.store.records()) == ["Imported after the bad file",
                                                                   "Imported before the bad file"]
    assert [b["file_name"] for b in workspace.store.batches()] == [str(good_ris.resolve()), str(good_nbib.resolve())]


def test_the_terminal_progress_line_names_the_file_and_count_and_is_cleared(capsys):
    from pathlib import Path

    from review.cli.sources import _ImportProgressLine

    line = _ImportProgressLine()
    line(Path("/data/embase.ris"), "parsing", 5_000)
    line(Path("/data/embase.ris"), "parsing", 10_000)  # within 0.2 s of the last redraw: skipped
    line(Path("/data/embase.ris"), "writing", 10_050)
    line.close()
    err = capsys.readouterr().err
    assert "embase.ris: 5,000 records read…" in err
    assert "10,000" not in err
    assert "embase.ris: 10,050 records read; writing…" in err
    assert err.endswith("\r")  # the line is cleared for the table that follows (click drops the erase code off a terminal)


def test_a_file_whose_records_name_several_databases_says_how_many_each(workspace, tmp_path):
    # The row showed one source (the most common) beside the file's whole count: 'PsycInfo 3' for a file
    # of 2 PsycInfo records and 1 Embase record. Now a row per database, each with its own count.
    mixed = tmp_path / "ovid.txt"
    mixed.write_text("TI  - First\nDB  - PsycInfo\n\nTI  - Second\nDB  - PsycInfo\n\nTI  - Third\nDB  - Embase\n",
                     encoding="utf-8")
    single = tmp_path / "embase.ris"
    single.write_text("TY  - JOUR\nTI  - Fourth\nDB  - Embase\nER  - \n", encoding="utf-8")
    result = _import(workspace, mixed, single)
    assert result.exit_code == 0, result.output
    assert [row.split("\t")[:5:3] + row.split("\t")[4:5] for row in result.stdout.splitlines()[1:]] == [
        [str(mixed), "PsycInfo", "2"], [str(mixed), "Embase", "1"], [str(single), "Embase", "1"]]
    assert len(result.stderr.splitlines()) == 1  # the summary line only
    assert workspace.store.counts_by_source() == {"PsycInfo": 2, "Embase": 2}
    # Imported again, it is skipped with the same rows, each 0 (it printed the most common database alone).
    again = _import(workspace, mixed)
    assert again.exit_code == 0, again.output
    rows = [row.split("\t") for row in again.stdout.splitlines()[1:]]
    assert [row[3:5] for row in rows] == [["PsycInfo", "0"], ["Embase", "0"]]
    assert all(row[5].startswith("skipped: already imported as batch 1 (3 records, ") for row in rows)
    assert workspace.store.counts_by_source() == {"PsycInfo": 2, "Embase": 2}


def test_a_skipped_file_names_its_first_import_in_utc(workspace, tmp_path):
    # The time was the store's digits without a zone ('…, 2026-12-06 20:49)'): read as local time by a
    # reader east or west of UTC. Now the line says UTC, as review status's other times do.
    from review.timestamps import minute_utc

    path = tmp_path / "one.ris"
    path.write_text("TY  - JOUR\nTI  - Return to work after sick leave\nDB  - PubMed\nER  - \n", encoding="utf-8")
    assert _import(workspace, path).exit_code == 0
    again = _import(workspace, path)
    assert again.exit_code == 0, again.output
    (row,) = again.stdout.splitlines()[1:]
    (batch,) = workspace.store.batches()
    assert row.split("\t")[5] == (f"skipped: already imported as batch {batch['id']} (1 record, {batch['file_name']}, "
                                  f"{minute_utc(batch['imported_at'])})")
    assert row.endswith(" UTC)")


def test_the_import_summary_separates_thousands(workspace, tmp_path):
    """'imported 6316 records from 3 of 3 files' beside status's '6,316 records' (fresh31, three shared sets)."""
    rows = "".join(f"{n},Title number {n} of a generated set,An abstract {n}\n" for n in range(1, 1235))
    path = tmp_path / "generated.csv"
    path.write_text("record_id,title,abstract\n" + rows, encoding="utf-8")
    result = _import(workspace, path)
    assert result.exit_code == 0, result.output
    assert "imported 1,234 records from 1 of 1 file in " in result.stderr
    assert result.stdout.splitlines()[1].split("\t")[4] == "1234"  # (the table is data: no separators)
