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
