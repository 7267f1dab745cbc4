"""The NCBI API key never reaches stderr, review.db or queries/<name>.log.json, whatever the server echoes."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from review.cli import main
from review.sources.eutils import EutilsClient, EutilsConfig, redact_secret

KEY = "0123456789abcdef0123456789abcdef0123"


def _echoing_server(statuses: list[int]) -> ThreadingHTTPServer:
    """A server answering each request with the next status and a JSON body echoing the api_key."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            query = self.path.split("?", 1)[1] if "?" in self.path else self.rfile.read(length).decode()
            key = urllib.parse.parse_qs(query).get("api_key", [""])[0]
            status = statuses.pop(0) if statuses else 400
            body = json.dumps({"error": "API rate limit exceeded", "api-key": key,
                               "url": f"/esearch.fcgi?api_key={urllib.parse.quote(key)}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("statuses", [[429, 429], [400]], ids=["429-twice", "400"])
def test_echoed_api_key_is_stored_and_printed_nowhere(workspace, monkeypatch, statuses):
    server = _echoing_server(list(statuses))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        workspace.path("queries", "q.toml").write_text('name = "q"\nquery = "asthma"\n', encoding="utf-8")
        with workspace.path("review.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n[pubmed]\nmax_attempts = 2\nbackoff_base = 0.0\nrate_per_second = 0\ntimeout = 5.0\n")
        monkeypatch.setenv("REVIEW_EUTILS_URL", url)
        monkeypatch.setenv("NCBI_API_KEY", KEY)
        result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "search", "q"])
    finally:
        server.shutdown()
    assert result.exit_code != 0
    assert KEY not in result.output and KEY not in (result.stderr or "")
    assert "redacted" in (result.stderr or result.output)
    workspace.store.engine.dispose()
    for path in workspace.root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_key_in_a_200_body_never_reaches_parsed_records():
    client = EutilsClient(EutilsConfig(api_key=KEY))
    assert KEY.encode() not in client._redact_bytes(f"<x>{KEY}</x>".encode())
    assert redact_secret(f"a {urllib.parse.quote(KEY)} b", KEY) == "a [api-key redacted] b"
    assert redact_secret("no secret here", "") == "no secret here"


EMAIL = "jane.searcher@uni.example.org"


def test_contact_address_and_home_paths_reach_neither_the_log_nor_the_prisma_s_report(workspace, monkeypatch, tmp_path):
    """queries/*.log.json is committed: it says an address was sent (NCBI asks for one), never which."""
    from review.services.sources import search_report
    from review.sources.search import load_query, write_search_log
    from review.sources.seeds import run_seed_check
    from review.sources.standin import running, synthetic_corpus
    from review.store import searches as search_store

    home = tmp_path / "home" / "jane"  # outside the workspace, as a Downloads folder is
    home.mkdir(parents=True)
    (home / "embase.ris").write_text("TY  - JOUR\nDB  - Embase\nTI  - A record\nER  - \n", encoding="utf-8")
    spec_path = workspace.path("queries", "q.toml")
    spec_path.write_text('name = "q"\nquery = "asthma"\n', encoding="utf-8")
    corpus = synthetic_corpus(20, seed=2)
    (home / "seeds.txt").write_text("pmid\n" + next(iter(corpus.articles)) + "\n", encoding="utf-8")
    with running(corpus) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        monkeypatch.setenv("NCBI_EMAIL", EMAIL)
        result = CliRunner().invoke(main, ["-w", str(workspace.root), "search", "q", "--no-progress"])
        assert result.exit_code == 0, result.output
        assert standin.last_params["efetch"]["email"] == EMAIL  # still sent to NCBI
        assert run_seed_check(workspace, "q", home / "seeds.txt").as_json()["seed_file"] == "seeds.txt"  # --json OUT
    assert CliRunner().invoke(main, ["-w", str(workspace.root), "import", str(home / "embase.ris")]).exit_code == 0
    # a run logged before the address was left out: the next write of the log drops it
    search_store.start_run(workspace.store, query_name="q", database="MEDLINE/PubMed", term="asthma",
                           params={"esearch": {}, "client": {"email": EMAIL, "tool": "review"}})
    write_search_log(workspace, load_query(spec_path))

    log_text = workspace.path("queries", "q.log.json").read_text(encoding="utf-8")
    report = search_report(workspace).text
    for text in (log_text, report):
        for personal in (EMAIL, "jane", str(tmp_path)):
            assert personal not in text
    runs = json.loads(log_text)["runs"]
    assert [run["eutils"]["client"]["email"] for run in runs] == [True, True]
    assert json.loads(log_text)["seed_checks"][0]["seed_file"] == "seeds.txt"
    assert "embase.ris: 1 record" in report
