"""A local E-utilities stand-in: a real HTTP server serving ESearch/EFetch/EPost/EInfo for PubMed.

PubMed is not reachable from CI, and its failures cannot be ordered on demand.  This server
answers the same URLs over a corpus of PubMed XML records, enforces PubMed's 9,999-record
paging cap, and injects the faults the real service produces (429 with ``Retry-After``,
500/502/503, ``<ERROR>`` in HTTP 200, connections cut or reset mid-body, broken XML, slow answers,
expired WebEnvs, short EFetch batches, an XML declaration naming an unknown encoding),
counting every request.  ``review demo`` runs its whole search step against it, which is why it ships in the package rather than under tests/:
the demo is product; the tests, ``benchmarks/retrieval.py`` and ``REVIEW_EUTILS_URL`` (point any
workspace at a running stand-in) use the same server.

Term syntax is deliberately small: date-range clauses such as
``AND ("2019/01/01"[edat] : "2019/06/30"[edat])`` (``edat``/``crdt``/``dp``/``pdat``) are
applied; what remains of the term is looked up in ``term_map`` (term → PMIDs).  A term not in
the map is split at its top-level ``AND``/``OR``/``NOT`` (left to right, as PubMed reads them)
and each operand is looked up in turn; ``123[uid]``/``123[pmid]``, ``1:5000[uid]`` (a PMID range) and ``"10.1/x"[doi]`` select
those records.  Any other operand matches the whole corpus, which stands for "the records this
query finds", and excludes nothing after ``NOT``.  A DOI not in the corpus comes back as
``PhraseNotFound`` next to the results.
"""

from __future__ import annotations

import io
import random
import re
import socket
import struct
import sys
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .query_blocks import split_top_level, unwrap
from .standin_corpus import StandInArticle, StandInCorpus, _safe_date, synthetic_article, synthetic_corpus

__all__ = [
    "FAULT_KINDS", "Faults", "StandInArticle", "StandInCorpus", "StandIn", "running", "serve",
    "synthetic_article", "synthetic_corpus",
]

#: Every fault the stand-in can inject.
FAULT_KINDS: tuple[str, ...] = (
    "http_429", "http_500", "http_502", "http_503", "error_body", "truncated", "reset", "invalid_xml",
    "slow", "webenv_expiry", "short_batch", "unknown_encoding",
)
#: The XML declaration an ``unknown_encoding`` fault puts on the body (a codec no Python has).
UNKNOWN_ENCODING_DECLARATION = b'<?xml version="1.0" encoding="x-unknown-charset"?>'
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
PAGING_CAP = 9_999
_RANGE = re.compile(
    r'(?:\s+AND\s+)?\(\s*"?(\d{4}(?:/\d{1,2}(?:/\d{1,2})?)?)"?\[(\w+)\]\s*:\s*'
    r'"?(\d{4}(?:/\d{1,2}(?:/\d{1,2})?)?)"?\[\w+\]\s*\)',
    re.IGNORECASE,
)
_ID_TERM = re.compile(r'^"?\s*([^"\[\]]+?)\s*"?\s*\[(uid|pmid|doi)\]$', re.IGNORECASE)
_UID_RANGE = re.compile(r"^(\d+)\s*:\s*(\d+)\s*\[(?:uid|pmid)\]$", re.IGNORECASE)


# -- term dates -------------------------------------------------------------------------------

def _parse_day(text: str, *, end: bool) -> date:
    parts = [int(p) for p in text.split("/")]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (12 if end else 1)
    if len(parts) > 2:
        return _safe_date(year, month, parts[2])
    if end:
        next_month = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    return date(year, month, 1)


# -- faults -----------------------------------------------------------------------------------

@dataclass(slots=True)
class Faults:
    """Which faults to inject and how often: each request draws once from a seeded generator.

    ``script`` lists faults to inject, in order, on the first requests (deterministic tests);
    after it runs out, ``rate`` applies to ``kinds``.
    """

    kinds: tuple[str, ...] = ()
    rate: float = 0.0
    seed: int = 0
    script: Sequence[str] = ()
    #: Seconds, or a string sent as is (an HTTP-date such as ``Wed, 21 Oct 2026 07:28:00 GMT``);
    #: None sends no ``Retry-After`` (NCBI's 429 does not always carry one).
    retry_after: float | str | None = 1.0
    slow_seconds: float = 0.5

    def __post_init__(self) -> None:
        unknown = set(self.kinds) | set(self.script)
        unknown -= set(FAULT_KINDS) | {""}
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}")

    @classmethod
    def all(cls, rate: float = 0.3, **kwargs: Any) -> "Faults":
        return cls(kinds=FAULT_KINDS, rate=rate, **kwargs)


# -- server -----------------------------------------------------------------------------------

class StandIn:
    """The server and its state; use as a context manager or via ``running()``/``serve()``."""

    def __init__(
        self,
        corpus: StandInCorpus,
        *,
        faults: Faults | None = None,
        term_map: Mapping[str, Sequence[str]] | None = None,
        phrase_not_found: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        paging_cap: int = PAGING_CAP,
    ) -> None:
        self.corpus = corpus
        self.paging_cap = paging_cap
        self.term_map = {_normal_term(k): list(v) for k, v in (term_map or {}).items()}
        self.phrase_not_found = set(phrase_not_found)
        self.requests: Counter[str] = Counter()
        #: Parameters and HTTP method of the latest request per endpoint (tests check tool/email/POST).
        self.last_params: dict[str, dict[str, str]] = {}
        self.last_method: dict[str, str] = {}
        self.faults_injected: Counter[str] = Counter()
        self._faults = faults or Faults()
        self._rng = random.Random(self._faults.seed)
        self._script = list(self._faults.script)
        self._lock = threading.Lock()
        self._histories: dict[str, dict[str, list[str]]] = {}
        self._webenv_serial = 0
        self._server = _Server((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # lifecycle
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}/entrez/eutils/"

    def start(self) -> "StandIn":
        # A short poll interval makes stop() quick (tests start and stop many servers).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="eutils-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_faults(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)
            self._script = list(faults.script)

    def expire_webenvs(self) -> None:
        with self._lock:
            self._histories.clear()

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    # request handling (called from handler threads)
    def draw_fault(self, endpoint: str) -> str:
        with self._lock:
            self.requests[endpoint] += 1
            if self._script:
                if self._script[0] == "short_batch" and endpoint != "efetch":
                    return ""  # keep it for the next EFetch
                kind = self._script.pop(0)
            elif self._faults.kinds and self._rng.random() < self._faults.rate:
                kind = self._rng.choice(self._faults.kinds)
                if kind == "short_batch" and endpoint != "efetch":
                    return ""
            else:
                return ""
            if kind:
                self.faults_injected[kind] += 1
                if kind == "webenv_expiry":
                    self._histories.clear()
            return kind

    def esearch(self, params: dict[str, str]) -> bytes:
        term = params.get("term", "")
        for phrase in self.phrase_not_found:
            if phrase in term:
                return _esearch_xml(0, [], 0, 0, "", "", errors=f"<PhraseNotFound>{escape(phrase)}</PhraseNotFound>")
        not_found: list[str] = []
        ids = self._evaluate(term, params, not_found)
        retstart = int(params.get("retstart", 0) or 0)
        retmax = int(params.get("retmax", 20) or 0)
        if params.get("rettype") == "count":
            return _esearch_xml(len(ids), None, 0, 0, "", "")
        if retstart > self.paging_cap - 1 and ids:
            return _error_xml("eSearchResult", f"Search Backend failed: Exception:\n'retstart' cannot be larger "
                              f"than {self.paging_cap - 1}. For PubMed, ESearch can only retrieve the first "
                              f"{self.paging_cap} records matching the query.")
        shown = ids[retstart:min(retstart + retmax, self.paging_cap)]
        webenv = query_key = ""
        if params.get("usehistory", "").lower() == "y":
            webenv, query_key = self._remember(ids, params.get("WebEnv", ""))
        errors = "".join(f"<PhraseNotFound>{escape(p)}</PhraseNotFound>" for p in not_found)
        return _esearch_xml(len(ids), shown, retstart, len(shown), webenv, query_key, term=term, errors=errors)

    def efetch(self, params: dict[str, str], fault: str) -> bytes:
        if params.get("id"):
            wanted = [p.strip() for p in params["id"].split(",") if p.strip()]
        elif params.get("WebEnv"):
            with self._lock:
                history = self._histories.get(params["WebEnv"], {})
                ids = history.get(params.get("query_key", ""))
            if ids is None:
                return _error_xml("eFetchResult", f"Unable to obtain query #{params.get('query_key', '')}")
            retstart = int(params.get("retstart", 0) or 0)
            retmax = int(params.get("retmax", 20) or 20)
            if retstart > self.paging_cap - 1:
                return _error_xml("eFetchResult", f"Backend failed: retstart cannot be larger than {self.paging_cap - 1}")
            wanted = ids[retstart:min(retstart + retmax, self.paging_cap)]
        else:
            return _error_xml("eFetchResult", "Empty id list - nothing todo")
        found = [self.corpus.articles[p].xml for p in wanted if p in self.corpus.articles]
        if fault == "short_batch" and found:
            found = found[:-1]
        return pubmed_article_set(found)

    def epost(self, params: dict[str, str]) -> bytes:
        ids = [p.strip() for p in params.get("id", "").split(",") if p.strip()]
        if not ids:
            return _error_xml("ePostResult", "Empty ID list; Nothing to store")
        webenv, query_key = self._remember(ids, params.get("WebEnv", ""))
        return (f'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE ePostResult PUBLIC "-//NLM//DTD epost 20090526//EN" '
                f'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20090526/epost.dtd">\n'
                f"<ePostResult><QueryKey>{query_key}</QueryKey><WebEnv>{webenv}</WebEnv></ePostResult>").encode()

    def einfo(self) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eInfoResult PUBLIC "-//NLM//DTD einfo 20190110//EN" '
                f'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20190110/einfo.dtd">\n'
                f"<eInfoResult><DbInfo><DbName>pubmed</DbName><MenuName>PubMed</MenuName>"
                f"<Description>PubMed bibliographic record (review E-utilities stand-in)</Description>"
                f"<DbBuild>Build-standin</DbBuild><Count>{len(self.corpus)}</Count>"
                f"<LastUpdate>2026/01/01 00:00</LastUpdate></DbInfo></eInfoResult>").encode()

    def _evaluate(self, term: str, params: Mapping[str, str], not_found: list[str] | None = None) -> list[str]:
        ranges = _RANGE.findall(term)
        rest = _normal_term(_RANGE.sub("", term))
        ids = self.corpus.order
        keep = self._select(rest, [] if not_found is None else not_found)
        if keep is not None:
            ids = [p for p in ids if p in keep]
        if params.get("mindate") or params.get("maxdate"):
            ranges.append((params.get("mindate") or "1000", params.get("datetype", "pdat"),
                           params.get("maxdate") or "3000"))
        for start, field_name, end in ranges:
            inside = set(self.corpus.select(_parse_day(start, end=False), _parse_day(end, end=True), field_name))
            ids = [p for p in ids if p in inside]
        return list(ids)

    def _select(self, text: str, not_found: list[str]) -> set[str] | None:
        """The PMIDs ``text`` selects; None means "unconstrained" (an operand the map does not know)."""
        text = _normal_term(text)
        if text in self.term_map:
            return set(self.term_map[text])
        inner = unwrap(text)
        if inner != text:
            return self._select(inner, not_found)
        clauses = split_top_level(inner)
        if len(clauses) > 1:
            value = self._select(clauses[0].text, not_found)
            for clause in clauses[1:]:
                value = self._combine(value, clause.operator or "AND", self._select(clause.text, not_found))
            return value
        span = _UID_RANGE.match(inner)
        if span is not None:  # "1:15000000[uid]": a PMID range
            low, high = int(span.group(1)), int(span.group(2))
            return {p for p in self.corpus.articles if p.isdigit() and low <= int(p) <= high}
        match = _ID_TERM.match(inner)
        if match is None:
            return None
        identifier, field_name = match.group(1), match.group(2).lower()
        if field_name == "doi":
            pmid = self.corpus.by_doi.get(identifier.lower())
            if pmid is None:
                not_found.append(inner)
                return set()
            return {pmid}
        return {identifier} if identifier in self.corpus.articles else set()

    def _combine(self, left: set[str] | None, operator: str, right: set[str] | None) -> set[str] | None:
        if operator == "AND":
            return right if left is None else left if right is None else left & right
        if operator == "OR":
            return None if left is None or right is None else left | right
        if right is None:  # NOT an unknown operand: excludes nothing
            return left
        return (set(self.corpus.articles) if left is None else left) - right

    def _remember(self, ids: list[str], webenv: str) -> tuple[str, str]:
        with self._lock:
            if webenv not in self._histories:
                self._webenv_serial += 1
                webenv = f"MCID_standin{self._webenv_serial:06d}"
                self._histories[webenv] = {}
            history = self._histories[webenv]
            query_key = str(len(history) + 1)
            history[query_key] = ids
        return webenv, query_key


def _normal_term(term: str) -> str:
    return " ".join(term.split()).strip()


def _esearch_xml(count: int, ids: list[str] | None, retstart: int, retmax: int, webenv: str, query_key: str,
                 *, term: str = "", errors: str = "") -> bytes:
    parts = [f"<Count>{count}</Count>"]
    if ids is not None:
        parts.append(f"<RetMax>{retmax}</RetMax><RetStart>{retstart}</RetStart>")
        if webenv:
            parts.append(f"<QueryKey>{query_key}</QueryKey><WebEnv>{webenv}</WebEnv>")
        parts.append("<IdList>" + "".join(f"<Id>{i}</Id>" for i in ids) + "</IdList>")
        parts.append(f"<TranslationSet/><QueryTranslation>{escape(term)}</QueryTranslation>")
    if errors:
        parts.append(f"<ErrorList>{errors}</ErrorList>")
        if not count:
            parts.append("<WarningList><OutputMessage>No items found.</OutputMessage></WarningList>")
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
        '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
        f"<eSearchResult>{''.join(parts)}</eSearchResult>\n"
    ).encode()


_DOCTYPES = {
    "eSearchResult": '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
                     '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n',
    "ePostResult": '<!DOCTYPE ePostResult PUBLIC "-//NLM//DTD epost 20090526//EN" '
                   '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20090526/epost.dtd">\n',
}


def _error_xml(root: str, message: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" ?>\n{_DOCTYPES.get(root, "")}'
            f"<{root}><ERROR>{escape(message)}</ERROR></{root}>\n").encode()


def pubmed_article_set(articles: list[bytes]) -> bytes:
    """A PubmedArticleSet document (with its DOCTYPE) holding ``articles``."""
    out = io.BytesIO()
    out.write(b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January '
              b'2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
    for article in articles:
        out.write(article)
        out.write(b"\n")
    out.write(b"</PubmedArticleSet>\n")
    return out.getvalue()


_ERROR_PAGE = (b"<!DOCTYPE html><html><head><title>WWW Error %d Diagnostic</title></head><body>"
               b"<h1>Error %d</h1><p>This could be a transient problem, please try the query again.</p></body></html>")


class _Server(ThreadingHTTPServer):
    """The HTTP server, quiet about a client that hung up while it answered (a search killed or stopped with
    Ctrl-C): socketserver printed a BrokenPipeError traceback to stderr for it, under ``review demo`` too."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


def _handler_for(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "eutils-standin/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            query = urllib.parse.urlsplit(self.path).query
            self._answer(dict(urllib.parse.parse_qsl(query, keep_blank_values=True)))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0) or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            params.update(urllib.parse.parse_qsl(body, keep_blank_values=True))
            self._answer(params)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _answer(self, params: dict[str, str]) -> None:
            endpoint = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1].removesuffix(".fcgi")
            if endpoint not in {"esearch", "efetch", "epost", "einfo"}:
                self._send(404, b"unknown endpoint", "text/plain")
                return
            standin.last_params[endpoint] = dict(params)
            standin.last_method[endpoint] = self.command
            fault = standin.draw_fault(endpoint)
            faults = standin._faults
            if fault == "http_429":
                body = b'{"error":"API rate limit exceeded","api-key":"127.0.0.1","count":"4","limit":"3"}'
                waits = {} if faults.retry_after is None else {"Retry-After": _retry_after_header(faults.retry_after)}
                self._send(429, body, "application/json", waits)
                return
            if fault in {"http_500", "http_502", "http_503"}:
                code = int(fault[-3:])
                self._send(code, _ERROR_PAGE % (code, code), "text/html")
                return
            if fault == "slow":
                threading.Event().wait(faults.slow_seconds)
            if fault == "error_body":
                root = {"esearch": "eSearchResult", "efetch": "eFetchResult", "epost": "ePostResult"}.get(endpoint, "eInfoResult")
                self._send(200, _error_xml(root, "Search Backend failed: Database is not supported: pubmed"))
                return
            if endpoint == "esearch":
                body = standin.esearch(params)
            elif endpoint == "efetch":
                body = standin.efetch(params, fault)
            elif endpoint == "epost":
                body = standin.epost(params)
            else:
                body = standin.einfo()
            if fault == "truncated":
                self._send(200, body, cut=len(body) // 2)
            elif fault == "reset":
                self._send(200, body, cut=len(body) // 2, reset=True)
            elif fault == "invalid_xml":
                self._send(200, body[: len(body) // 2])
            elif fault == "unknown_encoding":
                self._send(200, _DECLARATION.sub(UNKNOWN_ENCODING_DECLARATION, body, count=1))
            else:
                self._send(200, body)

        def _send(self, code: int, body: bytes, content_type: str = "text/xml; charset=UTF-8",
                  headers: Mapping[str, str] | None = None, cut: int | None = None, reset: bool = False) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if cut is None:
                self.wfile.write(body)
            else:  # the connection drops mid-body, as it does under load
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                if reset:  # a reset (RST: SO_LINGER 0), as a proxy or a load balancer sends, not an orderly close
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()

    return Handler


# -- entry points -----------------------------------------------------------------------------

@contextmanager
def running(corpus: StandInCorpus | bytes | str | Path, **options: Any) -> Iterator[StandIn]:
    """A started stand-in on 127.0.0.1 and a free port; stopped on exit."""
    if isinstance(corpus, (bytes, bytearray)):
        corpus = StandInCorpus.from_xml(bytes(corpus))
    elif isinstance(corpus, (str, Path)):
        corpus = StandInCorpus.from_path(corpus)
    with StandIn(corpus, **options) as standin:
        yield standin


def serve(corpus_path: str | Path, port: int = 0, *, host: str = "127.0.0.1", block: bool = False,
          **options: Any) -> StandIn:
    """Start a stand-in over a PubMed XML file; returns it running in a thread (or blocks)."""
    standin = StandIn(StandInCorpus.from_path(corpus_path), host=host, port=port, **options)
    if not block:
        return standin.start()
    _serve_until_interrupted(standin)
    return standin


def _serve_until_interrupted(standin: StandIn) -> None:
    """Serve in this thread until Ctrl-C, then close the socket."""
    try:
        standin._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin._server.server_close()


def _retry_after_header(value: float | str) -> str:
    """The Retry-After value as given ("Wed, 21 Oct 2026 07:28:00 GMT") or seconds without a trailing ".0"."""
    return value if isinstance(value, str) else f"{value:g}"


def main(argv: list[str] | None = None) -> None:
    """``python -m review.sources.standin CORPUS.xml [PORT]``: serve until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m review.sources.standin",
                                     description="A local E-utilities stand-in over a PubMed XML file.")
    parser.add_argument("corpus", type=Path, help="PubMed XML (a PubmedArticleSet), e.g. a demo's pubmed_corpus.xml")
    parser.add_argument("port", type=int, nargs="?", default=8765, help="TCP port on 127.0.0.1 (default 8765)")
    args = parser.parse_args(argv)
    # The corpus is read before the address is printed, so a wrong file is one line, not a traceback.
    try:
        corpus = StandInCorpus.from_path(args.corpus)
    except OSError as err:
        parser.exit(1, f"standin: {args.corpus}: {err.strerror or err}\n")
    except Exception as err:  # noqa: BLE001 - any parse failure of a hand-given file, said in one line
        parser.exit(1, f"standin: {args.corpus}: not a PubMed XML corpus ({type(err).__name__}: {err})\n")
    if not corpus.articles:
        parser.exit(1, f"standin: {args.corpus}: no PubmedArticle with a PMID in it (not a PubMed XML corpus?)\n")
    try:
        standin = StandIn(corpus, port=args.port)
    except OSError as err:
        parser.exit(1, f"standin: port {args.port}: {err.strerror or err}\n")
    print(f"E-utilities stand-in on {standin.url} (Ctrl-C stops it)", flush=True)
    _serve_until_interrupted(standin)


if __name__ == "__main__":
    main()

