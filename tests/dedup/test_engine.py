"""deduplicate(): clusters, canonical choice, cannot-links, blocking and the CSV mode."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from review.cli import main
from review.dedup.blocking import candidate_pairs
from review.dedup.cluster import build_clusters, merge_fields
from review.dedup.csvio import OUTPUT_COLUMNS, load_records_csv
from review.dedup.diff import word_diff
from review.dedup.engine import deduplicate
from review.dedup.export import cluster_rows
from review.dedup.prepare import prepare
from review.dedup.scoring import DIFFERENT, EQUAL, score_pairs
from review.records import Record

from .helpers import dedup, merged, record

CSV_HEADER = "record_id,title,authors,year,journal,volume,issue,pages,doi,abstract\n"


def test_empty_and_single_inputs() -> None:
    assert deduplicate([]).clusters == []
    result = dedup([record()])
    assert result.clusters == [] and cluster_rows(result) == [("r1", "r1", "auto")]


def test_canonical_is_the_richest_record_and_explained() -> None:
    bare = record(abstract="", doi="", authors=["Tashiro, Y.", "et al."])
    rich = record()
    result = dedup([bare, rich])
    assert len(result.clusters) == 1
    cluster = result.clusters[0]
    assert cluster.members == (0, 1) and cluster.canonical == 1
    assert "abstract" in cluster.explanation and "DOI" in cluster.explanation


def test_merged_view_takes_the_richest_fields_from_any_member() -> None:
    with_doi = record(abstract="", authors=["Tashiro, Y.", "et al."])
    with_abstract = record(doi="", pages="")
    merged, sources = merge_fields([with_doi, with_abstract], canonical=0)
    assert merged.abstract == with_abstract.abstract and merged.doi == with_doi.doi
    assert merged.authors == with_abstract.authors
    assert sources == {"abstract": 1, "authors": 1}
    assert with_doi.abstract == ""  # originals untouched


def test_merging_keeps_every_member() -> None:
    copies = [record(), record(doi=""), record(abstract=""), record(pages="19-6")]
    result = dedup(copies)
    assert [c.members for c in result.clusters] == [(0, 1, 2, 3)]
    assert len(cluster_rows(result)) == 4


def test_cannot_link_stops_chaining() -> None:
    # a-b and b-c are duplicate edges, but a and c are known distinct: c must not join a.
    groups = build_clusters(3, [(0, 1, 10.0), (1, 2, 8.0)], cannot_links=[(0, 2)])
    assert groups == [[0, 1]]


def test_pair_explanation_names_fields() -> None:
    result = dedup([record(), record(doi="")])
    [pair] = result.pairs
    assert pair.status == "duplicate"
    assert "title +" in pair.explanation and pair.fields["title"] == 100.0


def test_blocking_finds_pairs_without_any_exact_key() -> None:
    a = record(doi="", title="Liraglutide suppresses macrophage foam cell formation and atherosclerosis")
    b = record(doi="", title="A liraglutide suppresses macrophage foam-cell formation and atherosclerosis",
               authors=["Tashiro, Yuki"], year=2015, pages="")
    pairs = candidate_pairs(prepare([a, b]))
    assert pairs.tolist() == [[0, 1]]


def test_candidate_pairs_grow_about_linearly() -> None:
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(500)]

    def make(n: int) -> int:
        recs = [record(title=" ".join(rng.choice(words, 10)), doi="", pages=str(i), authors=[f"A{i % 997}, B."])
                for i in range(n)]
        return len(candidate_pairs(prepare(recs)))

    small, large = make(500), make(2000)
    assert large < 6 * small  # 4x the records, well under 16x the pairs


def test_borderline_pairs_are_not_merged_in_csv_output() -> None:
    # Same title, one author and volume but pages that do not overlap: for a human to judge.
    a = record(title="Phase I trial of ATRA-IV and depakote in patients with advanced solid tumor malignancies",
               pages="678-684", doi="", abstract="", authors=["Tashiro, Y."])
    b = record(title="Phase I trial of ATRA-IV and depakote in patients with advanced solid tumor malignancies",
               pages="686-692", doi="", abstract="", authors=["Tashiro, Y."])
    result = dedup([a, b])
    assert [p.status for p in result.pairs] == ["borderline"]
    rows = cluster_rows(result)
    assert rows == [("r1", "r1", "borderline"), ("r2", "r2", "borderline")]


def test_word_diff_marks_changed_words() -> None:
    left, right = word_diff("Weekly docetaxel plus doxorubicin (D4)", "Weekly docetaxel (D2)")
    assert ("Weekly docetaxel ", False) in left
    assert any(differs and "doxorubicin" in text for text, differs in left)
    assert any(differs and "D2" in text for text, differs in right)


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(CSV_HEADER + "".join(rows), encoding="utf-8")
    return path


def test_csv_mode_output_columns_and_every_record_once(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "in.csv", [
        'a1,"Liraglutide suppresses foam cell formation and atherosclerosis",Tashiro Y.Sato K.,2014,'
        "Peptides,54,,19-26,10.1016/j.peptides.2013.12.015,\n",
        'a2,"LIRAGLUTIDE SUPPRESSES FOAM CELL FORMATION AND ATHEROSCLEROSIS.","Tashiro, Y. and Sato, K.",2014,'
        "Peptides,54,,19-6,http://dx.doi.org/10.1016/j.peptides.2013.12.015,\n",
        'a3,"Exenatide and vascular ageing in mice",Yang G.,2017,Atherosclerosis,264,,01-Oct,,\n',
    ])
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(main, ["dedup", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == OUTPUT_COLUMNS
        rows = list(reader)
    assert [r["record_id"] for r in rows] == ["a1", "a2", "a3"]
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"] != rows[2]["cluster_id"]
    assert {r["decision"] for r in rows} <= {"auto", "borderline"}


def test_csv_mode_to_stdout_and_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _write_csv(tmp_path / "in.csv", ['x,"A title long enough to block on",,2020,J,,,,,\n'])
    result = CliRunner().invoke(main, ["dedup", str(source)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["record_id,cluster_id,decision", "x,x,auto"]
    # "--out -" is stdout, as for every export; it wrote a file named "-".
    monkeypatch.chdir(tmp_path)
    dash = CliRunner().invoke(main, ["dedup", str(source), "--out", "-"])
    assert dash.exit_code == 0 and dash.stdout == result.stdout and not (tmp_path / "-").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title\n1,x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(bad)])
    assert result.exit_code == 3 and "missing column 'record_id'" in result.stderr


@pytest.mark.parametrize(("text", "where"), [
    # A quote never closed swallowed the later rows: one record out for three in, exit 0.
    ('record_id,title,journal\n1,"Diabetes" suppl,J\n2,"unclosed,J\n3,Another title,J\n',
     'line 3: a quoted cell is never closed'),
    # An unquoted comma shifted every later cell one column (year into journal...), silently.
    ("record_id,title,year,journal\n1,Insulin, glucose and mice,2014,J\n", "line 2: 5 cells but 4 columns"),
    # The reader kept the second column's values.
    ("record_id,title,record_id\n1,A title,9\n", "line 1: column 'record_id' appears twice"),
])
def test_csv_mode_refuses_a_broken_file_in_one_line_and_writes_nothing(tmp_path: Path, text: str, where: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(main, ["dedup", str(source), "--out", str(out)])
    assert result.exit_code == 3 and result.stdout == "" and not out.exists()
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"review: {source}:{where}")


def test_csv_mode_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "in.csv", ['x,"A title long enough to block on",,2020,J,,,,,\n'])
    before = source.read_bytes()
    result = CliRunner().invoke(main, ["dedup", str(source), "--out", str(tmp_path / "." / "in.csv")])
    assert result.exit_code == 2 and source.read_bytes() == before
    assert result.stderr.startswith("review: dedup: ") and "in.csv is the input file" in result.stderr


def test_csv_mode_reads_an_export_of_records_with_its_publication_types(tmp_path: Path) -> None:
    # review export records writes publication_types; CSV mode ignored them, so an erratum marked
    # only there (PubMed's "Published Erratum") was merged with its article, unlike in a workspace.
    source = tmp_path / "export.csv"
    fields = ('Liraglutide suppresses macrophage foam cell formation and atherosclerosis in mice,'
              '"Tashiro, Y.; Sato, K.; Watanabe, T.",2014,Peptides,54,19-26')
    source.write_text("record_id,source,title,authors,year,journal,volume,pages,publication_types\n"
                      f"1,PubMed,{fields},Journal Article\n2,PubMed,{fields},Journal Article; Published Erratum\n",
                      encoding="utf-8")
    records = load_records_csv(source).records
    assert records[1].publication_types == ["Journal Article", "Published Erratum"] and records[1].source == "PubMed"
    assert not merged(deduplicate(records), 0, 1)


def test_csv_mode_column_names_ignore_case_and_spaces(tmp_path: Path) -> None:
    # "Record_ID, Title" was refused as "missing column 'record_id'" (and then 'title').
    source = tmp_path / "in.csv"
    source.write_text("Record_ID, Title ,Year\n1,A title long enough,2014\n", encoding="utf-8")
    [rec] = load_records_csv(source).records
    assert (rec.external_id, rec.title, rec.year) == ("1", "A title long enough", 2014)
    source.write_text("record_id,title,Title\n1,a,b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(source)])
    assert result.exit_code == 3 and "line 1: column 'title' appears twice" in result.stderr


def test_a_missing_column_names_the_header_as_typed(tmp_path: Path) -> None:
    # It said "missing column 'title'" and no more: the header had to be opened to see 'Titel' (review meta's refusal
    # names the header's columns: d9fba77f). Its own spelling, not the case-folded name looked up; the first 12.
    source = tmp_path / "in.csv"
    source.write_text("Record_ID, Titel ,Year\n1,A title long enough,2014\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(source)])
    assert result.exit_code == 3
    assert result.stderr == f"review: {source}:line 1: missing column 'title' (the header has Record_ID, Titel, Year)\n"
    source.write_text(",".join(["record_id", *(f"c{n}" for n in range(1, 14))]) + "\n1" + "," * 13 + "\n",
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(source)])
    assert result.stderr.endswith("missing column 'title' (the header has record_id, c1, c2, c3, c4, c5, c6, c7, c8, "
                                  "c9, c10, c11, …)\n")


def test_csv_mode_reads_trailing_empty_cells_and_stray_quotes(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('record_id,title,journal\n1,"Diabetes" suppl,J,,\n2,"A ""quoted"" word",J\n', encoding="utf-8")
    assert [r.title for r in load_records_csv(source).records] == ["Diabetes suppl", 'A "quoted" word']


def test_csv_reader_decodes_cp1252_and_splits_authors(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes((CSV_HEADER + 'r1,Caf\xe9 title,Tashiro Y.Sato K.,2014,J,,,,,\n').encode("cp1252"))
    [rec] = load_records_csv(path).records
    assert rec.title == "Café title" and rec.authors == ["Tashiro Y.", "Sato K."]


def test_records_without_titles_or_authors_do_not_crash() -> None:
    result = dedup([record(title="", authors=[], doi=""), record(title="", authors=[], doi=""),
                    record(title="   ", abstract="", doi="", journal="")])
    assert len(cluster_rows(result)) == 3
    assert not merged(result, 0, 2)


def test_a_list_the_import_marked_cut_is_not_the_full_author_list() -> None:
    """review import drops "et al" and keeps authors_incomplete: dedup still knows that list is cut."""
    from review.sources.fields import AUTHORS_INCOMPLETE

    cut = record(authors=["Tashiro, Y.", "Sato, K."], extra={AUTHORS_INCOMPLETE: True})
    full = record(authors=["Tashiro, Y.", "Sato, K."], doi="")
    merged, sources = merge_fields([cut, full], canonical=0)
    assert merged.authors == full.authors and sources == {"authors": 1}
    assert AUTHORS_INCOMPLETE not in merged.extra and cut.extra[AUTHORS_INCOMPLETE] is True
    reexported = record(authors=["Tashiro, Y.", "Sato, K.", "Watanabe, T."], extra={AUTHORS_INCOMPLETE: "True"})
    assert "authors" not in merge_fields([reexported, full], canonical=1)[1]  # a longer cut list is no fuller
    result = dedup([record(extra={AUTHORS_INCOMPLETE: True}), record()])
    assert result.clusters[0].canonical == 1  # equal otherwise: the full list makes the richer record


def test_a_second_doi_equal_to_another_records_doi_is_a_doi_match() -> None:
    """An import keeps a record's second DOI in extra["other_dois"] (an article moved to a new publisher:
    one database gives the old DOI first, the other the new). Dedup compared first DOIs only, so the
    two DOIs differed and kept the copies apart; now any shared DOI is a DOI match."""
    old, new = "10.1016/j.peptides.2013.12.015", "10.9999/moved.2013.12.015"
    both = record(abstract="", doi=old, extra={"other_dois": [f"https://doi.org/{new.upper()}"]})
    moved = record(abstract="", doi=new, pages="")
    without = record(abstract="", doi=old)  # the same record without its other DOI
    assert score_pairs(prepare([both, moved]), np.asarray([[0, 1]])).doi.tolist() == [EQUAL]
    assert score_pairs(prepare([without, moved]), np.asarray([[0, 1]])).doi.tolist() == [DIFFERENT]
    assert [sorted(c.members) for c in dedup([both, moved]).clusters] == [[0, 1]]
    assert dedup([without, moved]).clusters == []


def test_records_sharing_only_an_other_doi_are_paired_for_scoring() -> None:
    """A translation's record shares no title, author or page key with the original's: blocking pairs
    them on the DOI one of them holds as its other DOI, as it pairs records with one first DOI."""
    rng = np.random.default_rng(5)
    # words that start and end with any letter: sorted, or sorted read backwards, no two titles here are neighbours
    words = [f"{chr(97 + i % 26)}{i}{chr(97 + i * 7 % 26)}" for i in range(500)]
    between = [record(title=" ".join(rng.choice(words, 10)), doi=f"10.1000/x.{i}", pages=str(i), year=1990 + i % 9,
                      authors=[f"A{i}, B."]) for i in range(60)]
    translated = record(title="Het effect van liraglutide op schuimcellen bij muizen", authors=["Jansen, P."],
                        year=2015, journal="Nederlands Tijdschrift", volume="9", pages="101-9", doi="10.1000/NL.1")

    def paired(original: Record) -> bool:
        pairs = candidate_pairs(prepare([original, *between, translated])).tolist()
        return [0, len(between) + 1] in pairs

    assert paired(record(doi="10.1000/en.1", extra={"other_dois": ["10.1000/nl.1"]}))
    assert not paired(record(doi="10.1000/en.1"))
