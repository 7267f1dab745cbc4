"""BibTeX LaTeX decoding: the reader's piecewise decoding gives bibtexparser's LatexDecodingMiddleware's text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import example, given
from hypothesis import strategies as st

from review.sources import read_file
from review.sources.readers import bibtex_latex
from review.sources.readers.bibtex_latex import FastLatexDecoding

#: Pieces of field values as exports write them, and the LaTeX pylatexenc reads in other ways:
#: macros that take arguments across spaces, math, comments, specials, unbalanced and escaped braces.
PIECES = ["a", "Word", "45", " ", "  ", "\n", "\n\n", "\t", "\r\n", ".", ",", "-", "--", "'", "''", "`", "!", "?", "~",
          "\\&", "\\%", "\\_", "\\#", "\\$", "$x^2$", "$", "%", "%note\n", "{", "}", "{}", "{ABC}", '{\\"u}', "{\\o}",
          "{\\o }", '\\"u', "\\'{e}", "\\'e", "\\c c", "\\c{c}", "\\emph{x y}", "\\textbf {z}", "\\frac a b", "\\LaTeX",
          "\\LaTeX{}", "\\\\", "\\{", "\\}", "\\url{http://x.y/z}", "é", "Ł", "“", "—", "\u00a0", "(", "]", "#", "^", "_",
          "\\ ", "\\relax", "\\unknown", "{\\em x}", "{\\bf", "{a\\}", "\\", "{\\%}", "{a b}", "{--}", "{``}", "\\&{x}",
          "\\%{x}", "{\\\\}", "$p<0.05$", "$ $", "$$", "$a$$b$", "$x-y$", "\\$5", "\\textit{a b}", "\\emph{x}",
          "\\textbf{\\o}", "\\emph{", "\\textit", "\\underline{--}", "\\emphx{y}", "\\textsc{\\\"u} "]

STOCK = LatexDecodingMiddleware()
FAST = FastLatexDecoding()  # one for every example, as for a whole file: its memory of values is exercised too


@pytest.fixture(autouse=True)
def _quiet_pylatexenc() -> None:
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)  # "macro '\frac' failed its substitution" per example


def _in_braces(value_and_wrap: tuple[str, bool]) -> str:
    value, wrap = value_and_wrap
    return "{" + value + "}" if wrap else value  # as Web of Science writes every field: {{...}}


@given(st.tuples(st.lists(st.sampled_from(PIECES), max_size=14).map("".join), st.booleans()).map(_in_braces))
@example("Sick leave in 45\\% of {\\\"u}ber-{COVID}-19 workers \\& managers")
@example("pages 10--20")
@example("a\\%% comment\nb")
@example("{a\\} b}")
@example("-\\#-")
@example("{a%}x{b}")
@example("{a}b{c}")
@example("{\\frac}")
@example("\\$5 and $x$, $$y$$")
def test_decoding_equals_bibtexparsers(value: str) -> None:
    assert FAST._transform_python_value_string(value) == STOCK._transform_python_value_string(value)


def test_pylatexenc_reads_only_groups_and_math_once_each(monkeypatch) -> None:
    decoder = FastLatexDecoding()
    given_to_pylatexenc: list[str] = []
    original = decoder._pylatexenc

    def counted(value: str) -> str:
        given_to_pylatexenc.append(value)
        return original(value)

    monkeypatch.setattr(decoder, "_pylatexenc", counted)
    abstract = "BACKGROUND: common mental disorders. RESULTS: one in three had a new episode. " * 10
    assert decoder.decode(abstract) == abstract
    assert decoder.decode("In 45\\% of {\\\"u}ber-{COVID} \\& more") == "In 45% of über-COVID & more"
    assert decoder.decode("risk ($p<0.05$)") == "risk ($p<0.05$)"
    assert given_to_pylatexenc == ['{\\"u}', "{COVID}", "$p<0.05$"]
    assert decoder.decode("M{\\\"u}ller, Jan and M{\\\"u}ller, Eva") == "Müller, Jan and Müller, Eva"
    assert given_to_pylatexenc == ['{\\"u}', "{COVID}", "$p<0.05$"]  # the group was decoded once for the file
    assert decoder.decode("{Return to work in 45\\% of {COVID} cases}") == "Return to work in 45% of COVID cases"
    assert given_to_pylatexenc[-1] == '$p<0.05$'  # a Web of Science field: {COVID} was decoded before
    assert decoder.decode("in \\textit{Homo sapiens}") == "in Homo sapiens"
    assert given_to_pylatexenc[-1] == "\\textit{Homo sapiens}"
    assert decoder.decode("\\frac{1}{2} of them") == "1/2 of them"  # a macro of its own: pylatexenc, whole
    assert given_to_pylatexenc[-1] == "\\frac{1}{2} of them"


def _write_bibtex(path: Path) -> None:
    """Entries with what exports hold: accents in LaTeX, escaped signs, protected words, page ranges, math."""
    entries = []
    for i in range(60):
        danish = "{\\O}" if i % 2 else "Ø"
        emphasis = "\\emph{most}" if i % 3 else "most"
        abstract = f"We followed {100 + i} workers for ``{i % 9}'' years; {emphasis} returned, 45\\% of {{COVID}} cases."
        entries.append(
            f"@article{{k{i},\n"
            f"  author = {{M{{\\\"u}}ller, J. and {danish}stergaard, K. and O'Brien, S.}},\n"
            f"  title = {{{{COVID}}-19 and return to work: {i}\\% recurred -- a $p<0.05$ cohort}},\n"
            f"  journal = {{Scand J Work Environ \\& Health}},\n"
            f"  pages = {{{10 + i}--{20 + i}}},\n  year = {{{1990 + i}}},\n"
            f"  abstract = {{{abstract if i % 2 else '{' + abstract + '}'}}},\n}}\n\n")  # Web of Science: {{...}}
    path.write_text("".join(entries), encoding="utf-8")


def test_every_fixture_reads_to_the_same_records_as_with_bibtexparsers_decoding(tmp_path, monkeypatch, shared) -> None:
    generated = tmp_path / "generated.bib"
    _write_bibtex(generated)
    fixtures = sorted(shared("fixtures", "exports", "bibtex").glob("*.bib"))
    files = [generated, *(f for f in fixtures if f.name != "bibtexparser_gbk_test.bib")]  # GBK: refused unread
    ours = {path.name: read_file(path).records for path in files}
    monkeypatch.setattr(bibtex_latex, "FastLatexDecoding", LatexDecodingMiddleware)
    theirs = {path.name: read_file(path).records for path in files}
    assert len(files) >= 15 and sum(map(len, ours.values())) >= 60 + 28
    assert ours["generated.bib"][1].authors[:2] == ["Müller, J.", "Østergaard, K."]
    for name, records in ours.items():
        assert len(records) == len(theirs[name]), name
        for mine, stock in zip(records, theirs[name]):
            assert mine == stock, name
