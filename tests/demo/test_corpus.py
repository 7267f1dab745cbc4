from __future__ import annotations

import io
from collections import Counter

import rispy
from Bio import Entrez, Medline

from review.demo import writers
from review.demo.corpus import SOURCES, generate


def test_same_seed_gives_identical_files() -> None:
    a, b = generate(11, n_publications=200), generate(11, n_publications=200)
    assert writers.pubmed_xml(a.copies["PubMed"]) == writers.pubmed_xml(b.copies["PubMed"])
    assert writers.ris(a.copies["Embase"], database="Embase") == writers.ris(b.copies["Embase"], database="Embase")
    c = generate(12, n_publications=200)
    assert writers.pubmed_xml(a.copies["PubMed"]) != writers.pubmed_xml(c.copies["PubMed"])


def test_default_corpus_has_about_2300_records_with_cross_database_duplicates() -> None:
    corpus = generate()
    total = sum(len(corpus.copies[s]) for s in SOURCES)
    assert 2100 <= total <= 2500
    per_pub = Counter(copy.pub.pub_id for s in SOURCES for copy in corpus.copies[s])
    duplicated = sum(n - 1 for n in per_pub.values())
    assert duplicated > 300
    relevant = [p for p in corpus.publications if p.relevant]
    assert 15 <= len(relevant) <= 30
    kinds = Counter(p.kind for p in corpus.publications)
    assert kinds["conference_twin"] > 0 and kinds["near_miss"] > 0


def test_copies_drift_like_real_exports() -> None:
    corpus = generate()
    others = corpus.copies["Embase"] + corpus.copies["PsycINFO"]
    assert any(c.pub.doi and not c.doi for c in others), "some DOIs dropped"
    assert any(c.doi.startswith("https://doi.org/") for c in others), "DOI URL forms"
    assert any(c.truncated_authors for c in others), "truncated author lists"
    assert any(c.title != c.pub.title for c in others), "title case/punctuation changes"
    assert any(c.pages != f"{c.pub.first_page}-{c.pub.last_page}" for c in others), "short page ranges"


def test_exports_parse_with_the_fields_own_libraries() -> None:
    corpus = generate(5, n_publications=300)
    xml = writers.pubmed_xml(corpus.copies["PubMed"])
    articles = Entrez.read(io.BytesIO(xml), validate=False)["PubmedArticle"]
    assert len(articles) == len(corpus.copies["PubMed"])
    first = corpus.copies["PubMed"][0]
    assert str(articles[0]["MedlineCitation"]["PMID"]) == first.pub.pmid
    ris_entries = rispy.loads(writers.ris(corpus.copies["Embase"], database="Embase"))
    assert [e["title"] for e in ris_entries] == [c.title for c in corpus.copies["Embase"]]
    nbib = list(Medline.parse(io.StringIO(writers.medline(corpus.copies["PsycINFO"]))))
    assert [r["TI"] for r in nbib] == [c.title for c in corpus.copies["PsycINFO"]]
    assert all(len(r["AU"]) == len(c.authors) for r, c in zip(nbib, corpus.copies["PsycINFO"]))
