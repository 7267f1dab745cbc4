"""Imports stream: records are parsed one at a time (past the first slice they wait in a temporary
file) and stored slice by slice inside one transaction, so a bad record at the end of a large file
leaves the store exactly as it was and the write lock is held only while rows are written."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from review.errors import ImportFormatError
from review.sources import import_files, read_file
from review.store import schema
from review.store.batches import INSERT_SLICE

#: More records than two insert slices, so the temporary file and several slices are used.
N = 2 * INSERT_SLICE + 50


def _ris(n: int) -> str:
    return "".join(f"TY  - JOUR\nTI  - Record {i}\nAU  - Doe, J\nPY  - 2020\nER  - \n\n" for i in range(n))


def _csv(n: int) -> str:
    return "title,year\n" + "".join(f"Record {i},2020\n" for i in range(n))


def _pubmed(n: int) -> str:
    body = "".join(f"<PubmedArticle><MedlineCitation><PMID>{i + 1}</PMID><Article><ArticleTitle>Record {i}"
                   "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n" for i in range(n))
    return f"<PubmedArticleSet>\n{body}</PubmedArticleSet>\n"


#: format -> (file name, text of N good records followed by one bad one, expected message part)
LATE_BAD = {
    "ris": ("late.ris", _ris(N) + "TY  - JOUR\nTI  - Cut off\n", "RIS record has no ER line"),
    "csv": ("late.csv", _csv(N) + "Extra, cells,2020,x\n", "4 cells but the header has 2 columns"),
    "pubmed-xml": ("late.xml", _pubmed(N).removesuffix("</PubmedArticleSet>\n") + "<PubmedArticle><Medline",
                   "invalid or truncated XML"),
}


def _dump(workspace) -> list[str]:
    """Every batch and record row (batch timestamps aside), to compare a store before and after."""
    rows = []
    with workspace.store.engine.connect() as conn:
        for table in (schema.import_batches, schema.records):
            for row in conn.execute(sa.select(table).order_by(table.c.id)).mappings():
                rows.append(json.dumps({k: v for k, v in row.items() if k != "imported_at"}, default=str))
    return rows


@pytest.mark.parametrize("fmt", sorted(LATE_BAD))
def test_bad_record_at_the_end_of_a_large_file_leaves_the_store_as_it_was(fmt, tmp_path, workspace):
    good = tmp_path / "earlier.ris"
    good.write_text(_ris(3), encoding="utf-8")
    assert import_files(workspace, [good]).files[0].status == "imported"
    before = _dump(workspace)
    name, text, expected = LATE_BAD[fmt]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    record_inserts = []

    def count_inserts(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO records"):
            record_inserts.append(len(parameters) if executemany else 1)

    sa.event.listen(workspace.store.engine, "before_cursor_execute", count_inserts)
    try:
        outcome = import_files(workspace, [path]).files[0]
    finally:
        sa.event.remove(workspace.store.engine, "before_cursor_execute", count_inserts)

    assert outcome.status == "failed"
    assert expected in outcome.message and str(path) in outcome.message
    # The whole file is parsed before anything is written, so the bad record stops it first.
    assert record_inserts == []
    assert _dump(workspace) == before


def test_a_large_file_is_parsed_before_the_write_lock_is_taken(tmp_path, workspace, monkeypatch):
    """Another window's screening decision must not wait for a long parse (busy timeout 5 s)."""
    from contextlib import contextmanager

    from review.sources import importer

    events: list[str] = []
    real_lock = type(workspace.store).locked_transaction
    real_open = importer._open

    @contextmanager
    def noting_lock(store):
        events.append("lock")
        with real_lock(store) as conn:
            yield conn

    def noting_open(*args, **kwargs):
        stream = real_open(*args, **kwargs)
        parse = stream.__iter__

        class Noted:
            def __getattr__(self, name):
                return getattr(stream, name)

            def __iter__(self):
                for record in parse():
                    events.append("parsed")
                    yield record

        return Noted()

    monkeypatch.setattr(type(workspace.store), "locked_transaction", noting_lock)
    monkeypatch.setattr(importer, "_open", noting_open)
    path = tmp_path / "large.ris"
    path.write_text(_ris(N), encoding="utf-8")
    outcome = import_files(workspace, [path]).files[0]
    assert outcome.status == "imported" and outcome.n_records == N
    assert events.count("parsed") == N and events[-1] == "lock"
    assert len(workspace.store.records()) == N


def test_streamed_import_counts_and_sources_match_a_full_read(tmp_path, workspace):
    """The batch row written before the records are known ends with the full count and source."""
    text = _ris(N).replace("PY  - 2020\n", "PY  - 2020\nDB  - Embase\n", N // 2 + 1)
    path = tmp_path / "mixed.ris"
    path.write_text(text, encoding="utf-8")
    full = read_file(path)
    outcome = import_files(workspace, [path]).files[0]
    assert outcome.status == "imported" and outcome.n_records == len(full.records) == N
    assert outcome.source_name == full.source_name == "Embase"
    (batch,) = workspace.store.batches()
    assert (batch["n_records"], batch["source_name"]) == (N, "Embase")
    stored = workspace.store.records()
    assert [r.title for r in stored] == [r.title for r in full.records]
    assert [r.source for r in stored] == [r.source for r in full.records]


def test_csv_with_only_an_excel_separator_line_is_one_error(tmp_path, workspace):
    path = tmp_path / "sep.csv"
    path.write_bytes(b"sep=;\n\n")
    outcome = import_files(workspace, [path]).files[0]
    assert outcome.status == "failed"
    assert outcome.message == f"{path}: empty CSV (no header row)"


BIB = """@string{jo = "Journal of Occupational Rehabilitation"}
@string{yr = "2020"}

@article{k0, title = {First}, author = {Doe, J and Roe, R}, journal = jo, year = yr}
@article{k1,
  title = {Second {\\"u}ber},
  journal = "Vol " # jo,
  year = 2021
}
@string{late = "Defined later"}
@article{k2, title = {Third}, journal = late}
@article{k3, title = {Fourth}, journal = jo}
@article{k4, title = {Fifth}, journal = late # " and " # jo}
@article{k1, title = {Repeated key}, year = 2022}
@article{k6, title = {Seventh}}
"""


def test_bibtex_read_in_pieces_equals_one_parse(tmp_path, monkeypatch):
    """Large BibTeX files go to bibtexparser piece by piece: macros, line numbers and keys as in one parse."""
    from review.sources.readers import bibtex

    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    broken = tmp_path / "broken.bib"
    broken.write_text(BIB + "@article{k7,\n  title = {Never closed\n", encoding="utf-8")
    whole = read_file(path).records
    with pytest.raises(ImportFormatError) as whole_error:
        read_file(broken)
    monkeypatch.setattr(bibtex, "_PIECE_ENTRIES", 2)
    assert len(list(bibtex._pieces(BIB))) > 3
    pieces = read_file(path).records
    assert [(r.title, r.journal, r.year, r.authors, r.position, r.external_id, r.raw) for r in pieces] == \
           [(r.title, r.journal, r.year, r.authors, r.position, r.external_id, r.raw) for r in whole]
    assert [r.journal for r in whole][2:5] == ["Defined later", "Journal of Occupational Rehabilitation",
                                             "Defined later and Journal of Occupational Rehabilitation"]
    with pytest.raises(ImportFormatError) as piece_error:
        read_file(broken)
    assert str(piece_error.value) == str(whole_error.value)
    assert "broken.bib:line 16: BibTeX entry '@article{k7' is not closed" in str(piece_error.value)


REDEFINED_BIB = """@string{jn = "Journal One"}
@article{a1, title = {First}, journal = jn}
@article{a2, title = {Second}, journal = jn # " Supplement"}
@string{JN = "Journal Two"}
@article{a3, title = {Third}, journal = jn}
@string{full = "The " # jn}
@article{a4, title = {Fourth}, journal = full}
@article{a5, title = {Fifth}, journal = early}
@string{early = "Defined after its use"}
@article{a1, title = {Repeated key}, journal = jn}
"""


@pytest.mark.parametrize("piece_entries", [2_000, 2, 3])
def test_bibtex_macros_apply_from_their_definition_on_and_a_redefinition_wins_from_there(
        tmp_path, monkeypatch, piece_entries):
    """As BibTeX reads a file: in order, across the importer's pieces, names in any case."""
    from review.sources.readers import bibtex

    monkeypatch.setattr(bibtex, "_PIECE_ENTRIES", piece_entries)
    path = tmp_path / "redefined.bib"
    path.write_text(REDEFINED_BIB, encoding="utf-8")
    assert [(r.title, r.journal) for r in read_file(path).records] == [
        ("First", "Journal One"), ("Second", "Journal One Supplement"), ("Third", "Journal Two"),
        ("Fourth", "The Journal Two"),
        ("Fifth", "early"),  # not defined yet where it is used: the name stays, as for any unknown one
        ("Repeated key", "Journal Two"),
    ]


def test_progress_reports_each_slice_read_then_the_write_with_the_final_count(tmp_path, workspace):
    path = tmp_path / "large.ris"
    path.write_text(_ris(N), encoding="utf-8")
    heard: list[tuple[str, str, int]] = []

    report = import_files(workspace, [path], progress=lambda p, phase, n: heard.append((p.name, phase, n)))

    assert report.files[0].n_records == N
    parsing = [n for name, phase, n in heard if phase == "parsing"]
    assert parsing == [INSERT_SLICE, 2 * INSERT_SLICE, N]  # the first slice, then each spilled one
    assert heard[-1] == ("large.ris", "writing", N)  # the write comes once, after the whole parse


def test_a_skipped_or_failed_file_reports_no_write(tmp_path, workspace):
    path = tmp_path / "small.ris"
    path.write_text(_ris(3), encoding="utf-8")
    import_files(workspace, [path])
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - Cut off\n", encoding="utf-8")
    heard: list[str] = []

    import_files(workspace, [path, bad], progress=lambda p, phase, n: heard.append(f"{p.name}:{phase}"))

    assert not any(event.endswith(":writing") for event in heard)
