"""One export imported twice (as RIS and as CSV, as `review export records` writes them) merges its identical copies.

walk24 found 11 such pairs left to a human: equal in every field, but with one author or none and no journal or
DOI their field points stayed at 6.0-6.5, below the automatic merge at 7.0 (exact-copy points since version 29).
"""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner, Result

from review.cli import main
from review.dedup.rules import BORDERLINE, DUPLICATE
from review.services import dedup as dedup_service
from review.services.workspace import open_store
from review.workspace import Workspace

from .helpers import record, verdict

#: Records as a screening set gives them: no DOI or journal, one author or none (walk24's borderline copies).
SPARSE = [
    {"title": "Sodium cromoglycate and nedocromil sodium in the therapy of asthma, a critical comparison.",
     "authors": "M J Parnham", "year": "1996", "journal": "", "abstract": ""},
    {"title": "Topical levocabastine compared with oral loratadine for seasonal allergic rhinoconjunctivitis.",
     "authors": "", "year": "1997", "journal": "",
     "abstract": "Levocabastine eye drops and nasal spray were compared with loratadine tablets in general practice."},
    {"title": "Arrangements of all articles in a bibliography", "authors": "Arthur Aptitude", "year": "2001",
     "journal": "Journal of Bibliographic Arrangements", "abstract": ""},
    # PubMed's types say what the titles do not: a comment, a preprint. The RIS export dropped them until
    # 2026-12-07, and its copy, an article to dedup, was never merged with the CSV's comment or preprint.
    {"title": "Antihistamines and driving performance in commercial drivers", "authors": "J F Westphal",
     "year": "2003", "journal": "", "abstract": "", "publication_types": "Letter; Comment"},
    {"title": "Loratadine and levocetirizine for perennial rhinitis: a pragmatic trial", "authors": "R Asero",
     "year": "2024", "journal": "", "abstract": "", "publication_types": "Preprint"},
    # A record apart, with another title: no pair.
    {"title": "Cetirizine and school performance of children with allergic rhinitis", "authors": "B G Bender",
     "year": "2001", "journal": "", "abstract": "Sixty-three children were randomly assigned to three groups.",
     "publication_types": "Journal Article; Randomized Controlled Trial"},
]


def _review(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_an_export_imported_as_ris_and_as_csv_merges_its_copies(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    source = tmp_path / "search.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["title", "authors", "year", "journal", "abstract",
                                                 "publication_types"])
        writer.writeheader()
        writer.writerows(SPARSE)
    _review("init", str(first), "--reviewer", "alice")
    _review("-w", str(first), "import", str(source))
    _review("-w", str(first), "export", "records", "--format", "ris", str(tmp_path / "all.ris"))
    _review("-w", str(first), "export", "records", "--format", "csv", str(tmp_path / "all.csv"))
    _review("init", str(second), "--reviewer", "alice")
    _review("-w", str(second), "import", str(tmp_path / "all.ris"), str(tmp_path / "all.csv"))
    _review("-w", str(second), "dedup")

    workspace = Workspace(second)
    open_store(workspace)
    assert dedup_service.borderline_pairs(workspace) == []
    titles = {r.id: r.title for r in workspace.store.records()}
    clusters = dedup_service.clusters(workspace)
    merged = sorted(sorted(titles[m] for m in c.members) for c in clusters)
    assert merged == sorted([row["title"]] * 2 for row in SPARSE)
    types = sorted({tuple(r.publication_types) for r in workspace.store.records()})
    assert types == [(), ("Journal Article", "Randomized Controlled Trial"), ("Letter", "Comment"), ("Preprint",)]


def test_only_an_exact_copy_earns_the_points() -> None:
    sparse = dict(doi="", journal="", volume="", pages="", authors=["Parnham, M. J."], abstract="")
    assert verdict(record(**sparse), record(**sparse)) == DUPLICATE
    # One field apart (a second author, another year, an abstract in one only): still a human's pair.
    assert verdict(record(**sparse), record(**{**sparse, "authors": ["Parnham, M. J.", "Bast, A."]})) == BORDERLINE
    assert verdict(record(**sparse), record(**{**sparse, "abstract": "Cromoglycate and nedocromil."})) == BORDERLINE
    assert verdict(record(**sparse), record(**{**sparse, "year": 1997})) != DUPLICATE
    # A title and a year alone are too little to call one record the other's copy.
    bare = dict(sparse, authors=[])
    assert verdict(record(**bare), record(**bare)) == BORDERLINE


def test_where_a_record_appeared_is_not_enough_to_call_it_a_copy() -> None:
    """A journal, volume or issue is shared by every item of an issue: two items of a recurring column ("Case of
    the month") or two letters titled "Re: …" with nothing else given are a human's pair, not an exact copy
    (version 29 merged them: title + journal + year 7.0, "Re: …" + journal + volume 8.0)."""
    sparse = dict(doi="", journal="", volume="", issue="", pages="", authors=[], abstract="")
    column = dict(sparse, title="Case of the month: a worker with recurrent low back pain", year=2015)
    assert verdict(record(**{**column, "journal": "Occupational Medicine"}),
                   record(**{**column, "journal": "Occupational Medicine"})) == BORDERLINE
    assert verdict(record(**{**column, "volume": "65"}), record(**{**column, "volume": "65"})) == BORDERLINE
    letter = dict(sparse, title="Re: Return to work after common mental disorders: a cohort study",
                  journal="Occup Environ Med", volume="72", issue="3")
    assert verdict(record(**letter), record(**letter)) == BORDERLINE
    # an author, the pages or an abstract besides: the same record twice
    assert verdict(record(**{**letter, "pages": "225"}), record(**{**letter, "pages": "225"})) == DUPLICATE
