"""Export records as CSV/RIS and read them back; formula neutralisation."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from review.cli import main
from review.records import Record
from review.sources import import_files, read_file
from review.sources.export import records_to_csv
from review.sources.fields import FORMULA_PREFIXES, neutralise_cell, unneutralise_cell
from review.sources.readers.base import SourceFile
from review.sources.readers.table import CsvReader


def _reparse_csv(text: str, tmp_path) -> list[Record]:
    return list(CsvReader().records(SourceFile(path=tmp_path / "x.csv", data=b"", text=text)))


def test_ris_export_round_trip_keeps_titles_dois_and_sources(shared, workspace, tmp_path):
    sources = [
        shared("data", "dedup", "asysd_diabetes.csv"),
        shared("fixtures", "exports", "ris", "jabref_RisImporterTestScopus.ris"),
        shared("fixtures", "exports", "medline_nbib", "jabref_NbibImporterTest.nbib"),
        shared("fixtures", "pubmed", "biopython", "pubmed4.xml"),
    ]
    import_files(workspace, sources).raise_first_error()
    records = workspace.store.records()
    out = tmp_path / "all.ris"
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "records", "--format", "ris", str(out)])
    assert result.exit_code == 0, result.output
    back = read_file(out).records
    assert len(back) == len(records)
    one_line = lambda text: " ".join(text.split())  # noqa: E731  (RIS values are single lines)
    assert [r.title for r in back] == [one_line(r.title) for r in records]
    assert [r.doi for r in back] == [one_line(r.doi) for r in records]
    assert [r.pmid for r in back] == [r.pmid for r in records]
    assert [r.source for r in back] == [r.source for r in records]
    assert [r.authors for r in back] == [r.authors for r in records]
    assert [r.year for r in back] == [r.year for r in records]


def test_csv_export_round_trip_of_a_shared_set(shared, tmp_path):
    records = read_file(shared("data", "screening", "nagtegaal2019_nudging.csv")).records
    back = _reparse_csv(records_to_csv(records), tmp_path)
    assert len(back) == len(records) == 2019
    for before, after in zip(records, back, strict=True):
        assert (after.title, after.abstract, after.external_id) == (before.title, before.abstract, before.external_id)
        assert after.extra["label_included"] == before.extra["label_included"]


def test_formula_cells_are_neutralised(tmp_path):
    record = Record(title="=HYPERLINK(\"http://evil\",\"x\")", abstract="+1 plus", journal="@SUM(A1)",
                    pages="-12-13", authors=["=cmd|' /C calc'!A0"], extra={"note": "\tTabbed"})
    text = records_to_csv([record])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows[0]["abstract"] == "'+1 plus"
    assert rows[0]["journal"] == "'@SUM(A1)"
    assert rows[0]["pages"] == "'-12-13"  # a sum; a plain number such as -12 would stay a number
    assert rows[0]["authors"].startswith("'=")
    assert rows[0]["note"] == "'\tTabbed"
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell.startswith(FORMULA_PREFIXES) for cell in cells)
    (back,) = _reparse_csv(text, tmp_path)
    assert back.title == record.title and back.pages == "-12-13" and back.journal == "@SUM(A1)"


def test_cli_export_csv_to_stdout(shared, workspace):
    import_files(workspace, [shared("fixtures", "exports", "ris", "rispy_example_full.ris")])
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "records", "--format", "csv", "-"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows] == ["Title of reference", "The title of the reference"]
    assert rows[0]["record_id"] == "1" and rows[0]["source"] == "rispy_example_full"


def test_cli_format_choices_match_the_exporter():
    from review.services import sources as sources_service
    from review.sources.export import EXPORT_FORMATS

    assert sources_service.EXPORT_FORMATS == EXPORT_FORMATS


def test_export_group_accepts_other_stages_commands():
    import click

    from review.cli.sources import export_group

    group = click.Group()
    exporter = export_group(group)
    assert export_group(group) is exporter and "export" in group.commands
    # Through get_command, which loads the command modules: main.commands holds only those some earlier
    # test happened to load (the test failed when run alone).
    exporter_of_main = main.get_command(click.Context(main), "export")
    assert isinstance(exporter_of_main, click.Group) and "records" in exporter_of_main.commands


# -- properties ---------------------------------------------------------------------------

cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)


@given(cell_text)
def test_neutralise_round_trip(value):
    assert unneutralise_cell(neutralise_cell(value)) == value
    assert not neutralise_cell(value).startswith(FORMULA_PREFIXES) or _plain_number(value)


def _plain_number(value: str) -> bool:
    """Numbers such as -0.35 are not quoted: a spreadsheet reads them as numbers, not formulas."""
    try:
        float(value.replace(",", ""))
    except ValueError:
        return False
    return neutralise_cell(value) == value


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cell_text, cell_text, cell_text), min_size=1, max_size=5))
def test_csv_round_trip_of_arbitrary_text(tmp_path_factory, rows):
    tmp_path = tmp_path_factory.mktemp("prop")
    records = [Record(title=t.strip(), abstract=a.strip(), extra={"label_included": label})
               for t, a, label in rows]
    # A row whose every cell is blank reads as a blank line and is skipped; nothing else is lost.
    kept = [r for r in records if r.title or r.abstract or r.extra["label_included"].strip()]
    back = _reparse_csv(records_to_csv(records), tmp_path)
    assert [(r.title, r.abstract, r.extra["label_included"]) for r in back] == [
        (r.title, r.abstract, r.extra["label_included"]) for r in kept
    ]


surnames = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéöñ-'", min_size=1, max_size=12).map(
    lambda s: s.strip("-'").capitalize()).filter(bool)
initials = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3)
author_names = st.one_of(
    st.builds("{} {}".format, surnames, initials),         # Vancouver: "Smith JA"
    st.builds("{}, {}".format, surnames, surnames),        # "Smith, John"
)


@settings(max_examples=50)
@given(st.lists(author_names, max_size=6))
def test_author_lists_survive_join_and_split(names):
    from review.sources.fields import join_authors, split_authors

    assert split_authors(join_authors(names)) == names


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(cell_text, cell_text, st.lists(cell_text, max_size=3)), min_size=1, max_size=4))
def test_ris_round_trip_of_arbitrary_text(tmp_path_factory, items):
    from review.sources.fields import collapse
    from review.sources.export import records_to_ris
    from review.sources.readers.ris import RisReader

    records = [Record(title=t, doi=d, authors=a) for t, d, a in items]
    text = records_to_ris(records)
    path = tmp_path_factory.mktemp("ris") / "x.ris"
    back = list(RisReader().records(SourceFile(path=path, data=b"", text=text)))
    assert [(r.title, r.doi, r.authors) for r in back] == [
        (collapse(r.title), collapse(r.doi), [collapse(a) for a in r.authors if collapse(a)]) for r in records
    ]


def test_ris_export_keeps_the_mark_of_a_cut_author_list(tmp_path):
    """The import drops "et al" and marks the record authors_incomplete; the RIS export writes a final
    "AU  - et al." for it, so export → import gives the same names and the mark again."""
    from review.sources.export import records_to_ris
    from review.sources.fields import AUTHORS_INCOMPLETE

    cut = Record(title="Cut list", authors=["Smith, J.", "Jones, K."], extra={AUTHORS_INCOMPLETE: True})
    after_csv = Record(title="Cut list too", authors=["Brown, A."], extra={AUTHORS_INCOMPLETE: "True"})
    full = Record(title="Full list", authors=["Smith, J.", "Jones, K."])
    text = records_to_ris([cut, after_csv, full])
    assert text.count("AU  - et al.") == 2
    path = tmp_path / "x.ris"
    path.write_text(text, encoding="utf-8")
    back = read_file(path).records
    assert [r.authors for r in back] == [["Smith, J.", "Jones, K."], ["Brown, A."], ["Smith, J.", "Jones, K."]]
    assert [r.extra.get(AUTHORS_INCOMPLETE, False) for r in back] == [True, True, False]


def test_ris_export_keeps_publication_types_in_m3(tmp_path):
    """Dedup reads a comment, an erratum or a preprint from PubMed's types: the RIS export writes them to M3
    ("; " between them, since 2026-12-07) and the import reads them back; an M3 holding a DOI stays in extra."""
    from review.sources.export import records_to_ris

    comment = Record(title="Driving and antihistamines", publication_types=["Letter", "Comment"])
    plain = Record(title="No types")
    text = records_to_ris([comment, plain])
    assert "M3  - Letter; Comment" in text.splitlines()
    path = tmp_path / "x.ris"
    path.write_text(text + "TY  - JOUR\nTI  - A DOI in M3\nM3  - doi: 10.1063/1.1954747\nER  - \n", encoding="utf-8")
    back = read_file(path).records
    assert [r.publication_types for r in back] == [["Letter", "Comment"], [], []]
    assert back[2].extra["type_of_work"] == "doi: 10.1063/1.1954747"
    assert "type_of_work" not in back[0].extra


def test_ris_export_keeps_mesh_terms_apart_from_keywords(tmp_path):
    """RIS has no MeSH tag and the export left MeSH terms out (dedup24): an .nbib record exported as RIS and read back
    had lost them. They go to `MH` (PubMed's own tag for them, beside `OT` for keywords, which RIS writes `KW`), and the
    RIS import reads `MH` back as MeSH; keywords stay in `KW`, one a line, in their order."""
    from review.sources.export import records_to_ris

    indexed = Record(title="Return to work after depression", keywords=["sick leave", "recurrence; relapse"],
                     mesh=["Depressive Disorder/*epidemiology", "Humans", "Sick Leave"])
    bare = Record(title="Nothing indexed")
    text = records_to_ris([indexed, bare])
    lines = text.splitlines()
    assert [line for line in lines if line.startswith(("KW", "MH"))] == [
        "KW  - sick leave", "KW  - recurrence; relapse",
        "MH  - Depressive Disorder/*epidemiology", "MH  - Humans", "MH  - Sick Leave"]
    path = tmp_path / "x.ris"
    path.write_text(text, encoding="utf-8")
    back = read_file(path).records
    assert [(r.keywords, r.mesh) for r in back] == [(indexed.keywords, indexed.mesh), ([], [])]
    assert "unknown_tag" not in back[0].extra


def test_an_nbib_record_keeps_its_mesh_terms_and_keywords_through_ris(shared, workspace, tmp_path):
    """MEDLINE's MH and OT, imported, exported as RIS and imported again: the same MeSH terms and keywords."""
    import_files(workspace, [shared("fixtures", "exports", "medline_nbib", name) for name in (
        "jabref_MedlinePlainImporterTestMultipleEntries.txt", "pybtexnbib_marcelis-20301770.nbib")]).raise_first_error()
    records = workspace.store.records()
    assert any(r.mesh for r in records) and any(r.keywords for r in records)
    out = tmp_path / "all.ris"
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "records", "--format", "ris", str(out)])
    assert result.exit_code == 0, result.output
    back = read_file(out).records
    assert [(r.keywords, r.mesh) for r in back] == [(r.keywords, r.mesh) for r in records]
