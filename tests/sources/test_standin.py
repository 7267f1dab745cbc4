"""The E-utilities stand-in speaks E-utilities: paging cap, history, date ranges, faults, counting."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from review.sources.pubmed_xml import parse_pubmed_xml
from review.sources.standin import (
    FAULT_KINDS, Faults, StandInCorpus, running, synthetic_article, synthetic_corpus,
)


def get(standin, endpoint: str, **params: str) -> bytes:
    url = f"{standin.url}{endpoint}.fcgi?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def ids_of(body: bytes) -> list[str]:
    import xml.etree.ElementTree as ET

    return [e.text for e in ET.fromstring(body).iter("Id")]


def test_esearch_history_and_efetch_window():
    corpus = synthetic_corpus(50, seed=1)
    with running(corpus) as standin:
        body = get(standin, "esearch", db="pubmed", term="anything", usehistory="y", retmax="50")
        ids = ids_of(body)
        assert b"<Count>50</Count>" in body and len(ids) == 50
        assert ids == sorted(ids, key=int, reverse=True)  # most recent first
        webenv = body.split(b"<WebEnv>")[1].split(b"</WebEnv>")[0].decode()
        fetched = parse_pubmed_xml(get(standin, "efetch", db="pubmed", WebEnv=webenv, query_key="1",
                                       retstart="10", retmax="5", retmode="xml"))
        assert [r.pmid for r in fetched.records] == ids[10:15]
        assert standin.requests == {"esearch": 1, "efetch": 1}


def test_paging_cap_like_pubmed():
    corpus = synthetic_corpus(120, seed=2)
    with running(corpus, paging_cap=99) as standin:
        body = get(standin, "esearch", db="pubmed", term="x", retmax="500")
        assert b"<Count>120</Count>" in body and len(ids_of(body)) == 99
        error = get(standin, "esearch", db="pubmed", term="x", retstart="100", retmax="10")
        assert b"<ERROR>" in error and b"cannot be larger than 98" in error


def test_date_range_clauses_and_mindate():
    articles = [synthetic_article(i, 2000 + i) for i in range(1, 6)]
    corpus = StandInCorpus.from_xml(b"<PubmedArticleSet>" + b"".join(articles) + b"</PubmedArticleSet>")
    with running(corpus) as standin:
        term = '(x) AND ("2002/01/01"[edat] : "2003/12/31"[edat])'
        assert sorted(ids_of(get(standin, "esearch", db="pubmed", term=term, retmax="10"))) == ["2", "3"]
        body = get(standin, "esearch", db="pubmed", term="x", mindate="2004", maxdate="2005", datetype="pdat",
                   retmax="10")
        assert sorted(ids_of(body)) == ["4", "5"]
        count = get(standin, "esearch", db="pubmed", term="x", rettype="count")
        assert b"<Count>5</Count>" in count and b"<IdList>" not in count


def test_term_map_and_phrase_not_found():
    corpus = synthetic_corpus(10, seed=3)
    some = corpus.order[:3]
    with running(corpus, term_map={"depression[mh]": some}, phrase_not_found={"fleegle"}) as standin:
        assert ids_of(get(standin, "esearch", db="pubmed", term=" depression[mh] ", retmax="10")) == some
        assert b"<PhraseNotFound>fleegle" in get(standin, "esearch", db="pubmed", term="fleegle[tiab]")


def test_uid_pmid_doi_restrictions_and_boolean_operators():
    articles = [synthetic_article(i, 2010, doi=f"10.5555/Seed.{i}") for i in range(1, 7)]
    corpus = StandInCorpus.from_xml(b"<PubmedArticleSet>" + b"".join(articles) + b"</PubmedArticleSet>")
    with running(corpus, term_map={"block a": ["1", "2", "3", "4"], "block b": ["2", "3", "4", "5", "6"]}) as standin:
        def hits(term):
            return sorted(ids_of(get(standin, "esearch", db="pubmed", term=term, retmax="20")), key=int)

        assert hits("(anything at all) AND (2[uid] OR 5[pmid] OR 77[uid])") == ["2", "5"]
        assert hits('("10.5555/seed.3"[doi] OR 10.5555/Seed.4[doi])') == ["3", "4"]
        assert hits("(block a AND block b) AND (1[uid] OR 2[uid] OR 5[uid])") == ["2"]
        assert hits("((block a) NOT (3[uid])) AND (1[uid] OR 3[uid] OR 5[uid])") == ["1"]
        assert hits("(block a OR block b) AND (1[uid] OR 6[uid])") == ["1", "6"]
        assert len(hits("x NOT (unknown[tiab] NOT other[tiab])")) == 6  # unknown operands exclude nothing
        body = get(standin, "esearch", db="pubmed", term='(1[uid] OR "10.9/none"[doi])', retmax="5")
        assert ids_of(body) == ["1"] and b"<PhraseNotFound>\"10.9/none\"[doi]</PhraseNotFound>" in body


def test_epost_then_efetch_and_post_requests():
    corpus = synthetic_corpus(300, seed=4)
    with running(corpus) as standin:
        wanted = corpus.order[:250]
        data = urllib.parse.urlencode({"db": "pubmed", "id": ",".join(wanted)}).encode()
        with urllib.request.urlopen(urllib.request.Request(f"{standin.url}epost.fcgi", data=data), timeout=10) as r:
            body = r.read()
        webenv = body.split(b"<WebEnv>")[1].split(b"</WebEnv>")[0].decode()
        fetched = parse_pubmed_xml(get(standin, "efetch", db="pubmed", WebEnv=webenv, query_key="1", retmax="300"))
        assert [r.pmid for r in fetched.records] == wanted


@pytest.mark.parametrize("code", [429, 500, 502, 503])
def test_http_faults(code):
    with running(synthetic_corpus(5), faults=Faults(script=(f"http_{code}",), retry_after=7)) as standin:
        with pytest.raises(urllib.error.HTTPError) as info:
            get(standin, "esearch", db="pubmed", term="x")
        assert info.value.code == code
        if code == 429:
            assert info.value.headers["Retry-After"] == "7"
            assert json.loads(info.value.read())["error"] == "API rate limit exceeded"
        assert b"<Count>5</Count>" in get(standin, "esearch", db="pubmed", term="x")
        assert standin.faults_injected == {f"http_{code}": 1}


def test_body_faults():
    script = ("error_body", "invalid_xml", "truncated", "short_batch", "webenv_expiry")
    corpus = synthetic_corpus(20, seed=5)
    with running(corpus) as standin:
        body = get(standin, "esearch", db="pubmed", term="x", usehistory="y", retmax="20")
        webenv = body.split(b"<WebEnv>")[1].split(b"</WebEnv>")[0].decode()
        standin.set_faults(Faults(script=script))
        fetch = dict(db="pubmed", WebEnv=webenv, query_key="1", retmax="20")
        assert b"<ERROR>Search Backend failed" in get(standin, "efetch", **fetch)
        assert not get(standin, "efetch", **fetch).rstrip().endswith(b"</PubmedArticleSet>")
        with pytest.raises(http.client.IncompleteRead):
            get(standin, "efetch", **fetch)
        assert len(parse_pubmed_xml(get(standin, "efetch", **fetch)).records) == 19
        assert b"Unable to obtain query #1" in get(standin, "efetch", **fetch)
        assert set(standin.faults_injected) == set(script)


@pytest.mark.parametrize(("kind", "ending"), [("truncated", "closed"), ("reset", "reset")])
def test_a_reset_body_ends_in_a_tcp_reset_and_a_truncated_one_in_a_close(kind, ending):
    """What the client meets: ``reset`` must end in RST (ConnectionResetError), or a test of the client's
    handling of resets (test_eutils) passes on a plain truncation and says nothing about resets."""
    import socket

    with running(synthetic_corpus(20, seed=5), faults=Faults(script=(kind,))) as standin:
        address = urllib.parse.urlsplit(standin.url)
        with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
            connection.sendall(f"GET {address.path.rstrip('/')}/einfo.fcgi HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            received, how = b"", "closed"
            try:
                while chunk := connection.recv(65536):
                    received += chunk
            except ConnectionResetError:
                how = "reset"
        assert standin.faults_injected == {kind: 1}
    assert how == ending and received.startswith(b"HTTP/1.0 200")


def test_unknown_fault_kind_is_refused():
    with pytest.raises(ValueError, match="unknown fault"):
        Faults(kinds=("gremlins",))
    assert "short_batch" in FAULT_KINDS


def test_serve_from_file(tmp_path):
    from review.sources.standin import serve

    path = tmp_path / "corpus.xml"
    path.write_bytes(b"<PubmedArticleSet>" + synthetic_article(7, 2020) + b"</PubmedArticleSet>")
    standin = serve(path)
    try:
        assert ids_of(get(standin, "esearch", db="pubmed", term="x")) == ["7"]
        assert b"<DbBuild>" in get(standin, "einfo", db="pubmed")
    finally:
        standin.stop()


def test_the_shell_entry_says_what_is_wrong_in_one_line(tmp_path, capsys) -> None:
    # python -m review.sources.standin --help or a wrong file was a FileNotFoundError traceback.
    from review.sources.standin import main

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "corpus" in capsys.readouterr().out
    text = tmp_path / "pmids.txt"
    text.write_text("pmid\n123\n", encoding="utf-8")
    for path, words in ((tmp_path / "missing.xml", "No such file"), (text, "no PubmedArticle")):
        with pytest.raises(SystemExit) as done:
            main([str(path)])
        err = capsys.readouterr().err
        assert done.value.code == 1 and err.count("\n") == 1 and err.startswith(f"standin: {path}: ") and words in err


def test_nothing_is_defined_after_the_script_entry() -> None:
    """Run as a script (python -m review.sources.standin), main() serves before any def below the
    ``if __name__ == "__main__"`` block exists: a 429 then failed on the missing Retry-After helper."""
    import ast
    import inspect

    import review.sources.standin as standin

    body = ast.parse(inspect.getsource(standin)).body
    entry = [n for n, node in enumerate(body) if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)]
    assert entry == [len(body) - 1]


@pytest.mark.parametrize("gone", [BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset by peer")])
def test_a_client_that_hung_up_mid_answer_prints_no_traceback(capsys, gone):
    """A search killed (kill -9, Ctrl-C) while the stand-in wrote its answer printed socketserver's traceback,
    'BrokenPipeError: [Errno 32] Broken pipe', under `review demo` or `python -m review.sources.standin` (walk29):
    the client is gone, there is nothing to report. Any other error in a handler still prints."""
    with running(synthetic_corpus(5, seed=1)) as standin:
        for error in (gone, ValueError("a bug in the handler")):
            try:
                raise error
            except Exception:
                standin._server.handle_error(None, ("127.0.0.1", 1))
    printed = capsys.readouterr().err
    assert type(gone).__name__ not in printed and "ValueError: a bug in the handler" in printed
