"""Hostile and broken import files: one clean error naming the file, or a correct record; never a
traceback, a limit bypassed or a malformed record stored silently."""

from __future__ import annotations

import pytest

from review.errors import ImportFormatError
from review.sources import import_files, read_file
from review.sources.decode import MAX_FIELD_CHARS

ARTICLE = ("<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>{title}</ArticleTitle>"
           "</Article></MedlineCitation></PubmedArticle>")


def pubmed_xml(title: str = "A title", *, declaration: str = "", doctype: str = "") -> str:
    return f"{declaration}{doctype}<PubmedArticleSet>{ARTICLE.format(pmid=1, title=title)}</PubmedArticleSet>"


def endnote_xml(body: str) -> str:
    return f"<xml><records>{body}</records></xml>"


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


ENTITY = '<!DOCTYPE PubmedArticleSet [<!ENTITY a "{}">]>'.format("x" * 1000)


@pytest.mark.parametrize("name, content, message", [
    ("entity.xml", pubmed_xml("&a;" * 1500, doctype=ENTITY), "declares entities"),
    ("small-entity.xml", pubmed_xml("&a;", doctype='<!DOCTYPE PubmedArticleSet [<!ENTITY a "b">]>'),
     "declares entities"),
    ("endnote-entity.xml", '<!DOCTYPE xml [<!ENTITY a "{}">]>'.format("y" * 1000)
     + endnote_xml("<record><titles><title>" + "&a;" * 1500 + "</title></titles></record>"), "declares entities"),
    ("codec.xml", pubmed_xml(declaration='<?xml version="1.0" encoding="x-nonsense"?>'), "unknown encoding 'x-nonsense'"),
    ("latin1-declared.xml", pubmed_xml("Café über", declaration='<?xml version="1.0" encoding="ISO-8859-1"?>'),
     "declares encoding 'iso-8859-1' but the bytes are UTF-8"),
    ("empty-article.xml", "<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>", "record 1: empty record"),
    ("empty.ris", "TY  - JOUR\nTI  - Fine\nER  - \n\nTY  - JOUR\nER  - \n", "line 5: empty record"),
    ("string-bomb.bib", '@string{a = "' + "y" * 20_000 + '"}\n@article{k, title = ' + " # ".join(["a"] * 60)
     + ', year = 2020}\n', "field 'title' is 1,200,000 characters long"),
    ("sjis.ris", ("TY  - JOUR\nTI  - 日本語のタイトルです。研究の結果\nER  - \n").encode("shift_jis"), "Shift-JIS"),
    ("gbk.ris", ("TY  - JOUR\nTI  - 中文标题研究结果和方法论\nER  - \n").encode("gbk"), "GBK"),
])
def test_refused_with_one_line_naming_the_file(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(ImportFormatError) as caught:
        read_file(path)
    text = str(caught.value)
    assert message in text and str(path) in text and "\n" not in text


def test_long_bibtex_entry_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, "long.bib", "@article{k, title = {" + "z" * (MAX_FIELD_CHARS + 10) + "}}\n")
    with pytest.raises(ImportFormatError, match=r"long\.bib:line 1: BibTeX entry '@article\{k' is 1,000,0"):
        read_file(path)


def test_bibtex_concatenation_is_joined(tmp_path):
    path = write(tmp_path, "concat.bib", '@string{jo = "Journal"}\n'
                 '@article{k1, title = "Concat " # jo # {, part} # " two", author = {A B}, month = jan # "~1", year = 2020}\n')
    record = read_file(path).records[0]
    assert record.title == "Concat Journal, part two"
    assert record.extra["month"] == "Jan~1" or record.extra["month"].startswith("Jan")


def test_control_characters_are_removed_from_fields_not_raw(tmp_path):
    path = write(tmp_path, "ctl.ris", "TY  - JOUR\nTI  - Bad \x1b[31mred\x07 title\x7f\nAU  - Doe\x08, J\nER  - \n")
    record = read_file(path).records[0]
    assert record.title == "Bad [31mred title" and record.authors == ["Doe, J"]
    assert "\x1b" in record.raw


def test_endnote_xml_comment_does_not_shift_raw_text(tmp_path):
    path = write(tmp_path, "comment.xml", endnote_xml(
        "<record><titles><title>One</title></titles></record>"
        "<!-- <record><titles><title>Fake</title></titles></record> -->"
        "<record><titles><title>Two</title></titles></record>"))
    records = read_file(path).records
    assert [r.title for r in records] == ["One", "Two"]
    assert "Two" in records[1].raw and "Fake" not in records[1].raw


def test_bad_xml_file_fails_alone_later_files_still_import(workspace, tmp_path):
    bad = write(tmp_path, "codec.xml", pubmed_xml(declaration='<?xml version="1.0" encoding="x-nonsense"?>'))
    good = write(tmp_path, "good.ris", "TY  - JOUR\nTI  - Fine\nER  - \n")
    report = import_files(workspace, [bad, good])
    assert [f.status for f in report.files] == ["failed", "imported"]
    assert len(workspace.store.records()) == 1
