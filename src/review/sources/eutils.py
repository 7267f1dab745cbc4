"""NCBI E-utilities client for PubMed: ESearch on the history server, EFetch in large batches.

Bio.Entrez supplies the parsing of ESearch/EPost responses (``Entrez.read`` with its bundled
DTDs) and the request conventions (``tool``/``email``/``api_key`` on every call, POST for long
id lists).  The HTTP call itself is ours: Bio.Entrez's endpoint URLs are fixed to NCBI, and its
retry loop retries 429/5xx immediately without backoff or ``Retry-After``.  Here every request
is paced (3/s, 10/s with a key), retried with bounded exponential backoff on 429, 5xx, dropped
connections, timeouts, ``<ERROR>`` bodies and truncated XML, and counted for the PRISMA-S log.
A host that cannot be reached at all (connection refused, unknown name, no route) fails at
once: backing off would only make an offline ``review search`` wait half a minute to say so.
"""

from __future__ import annotations

import datetime
import email.utils
import errno
import html
import http.client
import io
import math
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import ImportFormatError, RetrievalError, WorkspaceError
from ..tomlread import SettingProblem, toml_key
from .pubmed_xml import ParsedPubmed, parse_pubmed_xml

__all__ = [
    "NCBI_EUTILS_URL", "PUBMED_KEYS", "EutilsConfig", "EutilsClient", "SearchResult", "RequestStats",
    "TransientError", "WebEnvExpired", "HostUnreachable", "HttpRefused", "WaitTooLong", "redact_secret", "public_client",
]

NCBI_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
#: PubMed returns at most this many UIDs per query: retstart + retmax must stay below 10,000.
ESEARCH_LIMIT = 9_999
_T = TypeVar("_T")


class TransientError(Exception):
    """A failure worth retrying: 429, 5xx, dropped connection, ``<ERROR>`` body, broken XML."""

    def __init__(self, reason: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.retry_after = retry_after


class WebEnvExpired(TransientError):
    """The history server no longer knows the WebEnv/query_key: search again."""


class HostUnreachable(RetrievalError):
    """No connection at all (refused, unknown host, no route): retrying would only wait."""


class HttpRefused(RetrievalError):
    """An HTTP 4xx other than 429 (a bad request, a wrong address, a proxy's block): the same
    request, smaller or later, would be refused again."""


class WaitTooLong(RetrievalError):
    """The server asked (``Retry-After``) for a longer wait than the client's longest backoff."""


#: Connection failures that mean nobody answers at that address, not a busy NCBI.
_UNREACHABLE_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH})


#: The keys of review.toml's ``[pubmed]`` and the types each takes (docs/sources.md); another is refused as a misspelling.
PUBMED_KEYS: dict[str, tuple[type, ...]] = {
    "base_url": (str,), "email": (str,), "api_key": (str,), "tool": (str,),
    "rate_per_second": (int, float), "backoff_base": (int, float), "backoff_cap": (int, float),
    "timeout": (int, float), "max_attempts": (int,), "efetch_batch": (int,),
    "min_efetch_batch": (int,), "esearch_limit": (int,), "log_database_build": (bool,),
}
#: The least value each number of ``[pubmed]`` takes, whether it must be above it, and the words for a value outside:
#: a negative rate was taken as no pacing at all against NCBI, and ``max_attempts = 0`` sent no request.
_PUBMED_BOUNDS: dict[str, tuple[float, bool, str]] = {
    "rate_per_second": (0, False, "requests per second, 0 or more (0: unpaced, for a local stand-in)"),
    "backoff_base": (0, False, "seconds, 0 or more"), "backoff_cap": (0, False, "seconds, 0 or more"),
    "timeout": (0, True, "seconds, more than 0"),
    **dict.fromkeys(("max_attempts", "efetch_batch", "min_efetch_batch", "esearch_limit"),
                    (1, False, "a whole number, 1 or more")),
}
#: The words for ``inf``, ``-inf`` and ``nan`` in a float key of ``[pubmed]`` (an int key is never one): "seconds,
#: more than 0" was said of ``timeout = inf``, which is more than 0.
_PUBMED_FINITE: dict[str, str] = {
    "rate_per_second": "a finite number of requests per second (0: unpaced, for a local stand-in)",
    "backoff_base": "a finite number of seconds", "backoff_cap": "a finite number of seconds",
    "timeout": "a finite number of seconds",
}


@dataclass(slots=True)
class EutilsConfig:
    """Where and how to call E-utilities; from ``review.toml [pubmed]`` and the environment."""

    base_url: str = NCBI_EUTILS_URL
    email: str = ""
    api_key: str = ""
    tool: str = "review"
    #: Requests per second; None means NCBI's limit (3, or 10 with an API key).
    rate_per_second: float | None = None
    max_attempts: int = 6
    #: First backoff delay in seconds, doubled per attempt up to ``backoff_cap``.
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    timeout: float = 120.0
    #: Records per EFetch; halved (down to ``min_efetch_batch``) after 502s, timeouts and cut-offs.
    efetch_batch: int = 1000
    min_efetch_batch: int = 100
    esearch_limit: int = ESEARCH_LIMIT
    #: One EInfo request per run to log PubMed's DbBuild/LastUpdate (PRISMA-S item 1).
    log_database_build: bool = False

    @classmethod
    def from_settings(cls, section: Mapping[str, Any] | None = None,
                      env: Mapping[str, str] | None = None, **overrides: Any) -> "EutilsConfig":
        """Config from a ``[pubmed]`` table, with ``REVIEW_EUTILS_URL``/``NCBI_EMAIL``/``NCBI_API_KEY`` on top
        and then ``overrides`` (the caller's own settings, such as the demo's local stand-in address)."""
        section = dict(section or {})
        env = os.environ if env is None else env
        config = cls()
        kinds = PUBMED_KEYS
        for key, value in section.items():
            if key not in kinds:
                raise SettingProblem(f"pubmed.{toml_key(key)}", f"unknown key (known: {', '.join(kinds)})")
            if isinstance(value, bool) != (kinds[key] == (bool,)) or not isinstance(value, kinds[key]):
                expected = " or ".join(t.__name__ for t in kinds[key])
                shown = "(hidden)" if key == "api_key" else repr(value)  # (a key is a secret, even a mistyped one)
                raise SettingProblem(f"pubmed.{key}", f"{shown}: expected {expected}")
            if key in _PUBMED_BOUNDS:
                assert isinstance(value, (int, float))  # checked just above
                least, above, expected = _PUBMED_BOUNDS[key]
                if not math.isfinite(value):
                    raise SettingProblem(f"pubmed.{key}", f"{value!r}: expected {_PUBMED_FINITE[key]}")
                if value < least or (above and value == least):
                    raise SettingProblem(f"pubmed.{key}", f"{value!r}: expected {expected}")
            if kinds[key] == (int, float):
                value = float(value)
            setattr(config, key, value)
        from_env = env.get("REVIEW_EUTILS_URL")
        config.base_url = from_env or config.base_url
        config.email = env.get("NCBI_EMAIL") or config.email
        config.api_key = env.get("NCBI_API_KEY") or config.api_key
        for key, value in overrides.items():
            if key not in kinds:
                raise TypeError(f"EutilsConfig has no setting {key!r}")
            setattr(config, key, value)
        # An address urllib cannot send to ('localhost:8765/…', a path) was a ValueError traceback
        # at the first request; named here, before any request or run is recorded. Checked after
        # the overrides: an address the caller replaces (the demo's stand-in) is never used.
        if not is_http_address(config.base_url):
            said = (f"{config.base_url!r}: not an http(s) address; give one such as {NCBI_EUTILS_URL} or "
                    "http://127.0.0.1:8765/entrez/eutils/")
            if "base_url" in overrides or from_env:
                raise WorkspaceError(f"{'base_url' if 'base_url' in overrides else 'REVIEW_EUTILS_URL'} {said}")
            raise SettingProblem("pubmed.base_url", said)
        if not config.base_url.endswith("/"):
            config.base_url += "/"
        return config

    @property
    def requests_per_second(self) -> float:
        if self.rate_per_second is not None:
            return self.rate_per_second
        return 10.0 if self.api_key else 3.0

    def public(self) -> dict[str, Any]:
        """Settings fit for a log committed to a repository: the contact address and the API key
        are reported as sent or not, never their values (both are personal)."""
        return public_client({
            "base_url": self.base_url, "tool": self.tool, "email": self.email,
            "api_key": bool(self.api_key), "requests_per_second": self.requests_per_second,
            "efetch_batch": self.efetch_batch, "max_attempts": self.max_attempts,
        })


def is_http_address(url: str) -> bool:
    """Whether urllib can send to ``url``: an http(s) scheme, a host, and a port that is a number
    (``http://:8765/`` has no host; ``http://127.0.0.1:abc/`` would be retried for half a minute)."""
    try:
        address = urllib.parse.urlsplit(url)
        address.port  # noqa: B018  (raises ValueError for a port that is no number in 0-65535)
    except ValueError:  # an unclosed '[' of an IPv6 host, a bad port
        return False
    return address.scheme in ("http", "https") and bool(address.hostname)


def public_client(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Logged client settings without personal values: ``email`` and ``api_key`` become whether
    one was sent. Also applied to runs stored before the address was left out, so the next write
    of their log drops it."""
    public = dict(settings)
    for key in ("email", "api_key"):
        if key in public:
            public[key] = bool(public[key])
    return public


@dataclass(slots=True)
class SearchResult:
    """What ESearch said: the count, ids (up to retmax), history keys and NCBI's reading of the query."""

    count: int
    ids: list[str] = field(default_factory=list)
    webenv: str = ""
    query_key: str = ""
    query_translation: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RequestStats:
    """Requests per endpoint and retries per reason, for the search log and the benchmark."""

    requests: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    waited_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def as_dict(self) -> dict[str, Any]:
        return {"requests": dict(self.requests), "total_requests": self.total,
                "retries": dict(self.retries), "waited_seconds": round(self.waited_seconds, 3)}


class _Pacer:
    """Keeps requests at least ``1/rate`` seconds apart (thread-safe)."""

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_slot = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = self.clock()
            if self.next_slot > now:
                self.sleep(self.next_slot - now)
                now = self.next_slot
            self.next_slot = now + self.interval


class EutilsClient:
    """ESearch/EFetch/EPost against PubMed with pacing, retries and accounting."""

    def __init__(
        self,
        config: EutilsConfig | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config or EutilsConfig()
        self.sleep = sleep
        self.stats = RequestStats()
        self._pacer = _Pacer(self.config.requests_per_second, clock, sleep)

    # -- endpoints ------------------------------------------------------------------------
    def esearch(
        self,
        term: str,
        *,
        retmax: int = 0,
        retstart: int = 0,
        usehistory: bool = True,
        extra: Mapping[str, str] | None = None,
        tolerate: Callable[[str], bool] | None = None,
    ) -> SearchResult:
        """One ESearch (retried); ``PhraseNotFound``/``FieldNotFound`` raise: the query would be altered.

        ``tolerate`` accepts dropped phrases that only mean "no such record" (a seed DOI PubMed
        does not hold); they come back as warnings.
        """
        params = {"db": "pubmed", "term": term, "retmax": str(retmax), "retstart": str(retstart)}
        if usehistory:
            params["usehistory"] = "y"
        params.update(extra or {})
        return self._retrying("esearch", lambda: _read_esearch(self._call("esearch", params), term, tolerate))

    def esearch_count(self, term: str, extra: Mapping[str, str] | None = None) -> int:
        params = {"db": "pubmed", "term": term, "rettype": "count"}
        params.update(extra or {})
        return self._retrying("esearch", lambda: _read_esearch(self._call("esearch", params), term)).count

    def einfo(self) -> dict[str, str]:
        """PubMed's build and last update, for the search log."""
        def attempt() -> dict[str, str]:
            data = self._call("einfo", {"db": "pubmed"})
            try:
                info = ET.fromstring(data).find("DbInfo")
            except ET.ParseError:
                raise TransientError("invalid_xml", "einfo") from None
            if info is None:
                error = _error_text(data)
                raise TransientError("error_body" if error else "invalid_xml", error or "einfo without DbInfo")
            return {key: (info.findtext(key) or "").strip() for key in ("DbBuild", "LastUpdate", "Count")}

        return self._retrying("einfo", attempt)

    def efetch_history(self, webenv: str, query_key: str, retstart: int, retmax: int) -> ParsedPubmed:
        """One EFetch window of a history-server result set as parsed PubMed XML."""
        params = {"db": "pubmed", "WebEnv": webenv, "query_key": query_key,
                  "retstart": str(retstart), "retmax": str(retmax), "retmode": "xml"}
        return self._fetch(params)

    def efetch_ids(self, pmids: Sequence[str]) -> ParsedPubmed:
        """EFetch by id list (POST when long, as NCBI asks)."""
        params = {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"}
        return self._fetch(params)

    def epost(self, pmids: Sequence[str]) -> tuple[str, str]:
        """EPost ids to the history server; returns (WebEnv, query_key)."""
        params = {"db": "pubmed", "id": ",".join(pmids)}

        def attempt() -> tuple[str, str]:
            data = self._call("epost", params, post=True)
            parsed = _entrez_read(data, "epost")
            return str(parsed["WebEnv"]), str(parsed["QueryKey"])

        return self._retrying("epost", attempt)

    # -- machinery ------------------------------------------------------------------------
    def _fetch(self, params: dict[str, str]) -> ParsedPubmed:
        def attempt() -> ParsedPubmed:
            data = self._call("efetch", params)
            try:
                return parse_pubmed_xml(data, path="efetch")
            except ImportFormatError as err:
                what = err.what.lower()
                if "e-utilities error" in what and any(w in what for w in ("query", "history", "webenv")):
                    raise WebEnvExpired("webenv_expired", err.what) from None
                reason = "error_body" if "e-utilities error" in what else "invalid_xml"
                raise TransientError(reason, err.what) from None

        return self._retrying("efetch", attempt, give_up_on=(WebEnvExpired,))

    def _retrying(self, what: str, attempt: Callable[[], _T],
                  give_up_on: tuple[type[Exception], ...] = ()) -> _T:
        """Run ``attempt`` until it succeeds, backing off between transient failures."""
        last: TransientError | None = None
        for number in range(self.config.max_attempts):
            try:
                return attempt()
            except TransientError as err:
                self.stats.retries[err.reason] += 1
                if isinstance(err, give_up_on):
                    raise
                last = err
                if number == self.config.max_attempts - 1:
                    break
                delay = min(self.config.backoff_cap, self.config.backoff_base * 2 ** number)
                if err.retry_after is not None:
                    self._refuse_long_wait(what, err)
                    delay = max(delay, err.retry_after)
                self.stats.waited_seconds += delay
                self.sleep(delay)
        raise RetrievalError(
            f"{self.config.base_url}{what}.fcgi: gave up after {self.config.max_attempts} attempts ({last})"
        )

    def _refuse_long_wait(self, what: str, err: TransientError) -> None:
        """Stop rather than sleep past ``backoff_cap``: a proxy's ``Retry-After: 86400`` would hang
        the search for a day; the stored batches stay, and a rerun resumes after the wait."""
        asked = err.retry_after or 0.0
        if asked <= self.config.backoff_cap:
            return
        status = err.reason.removeprefix("http_")
        raise WaitTooLong(
            f"{self.config.base_url}{what}.fcgi: HTTP {status} asked to wait {_duration(asked)} (Retry-After) before "
            f"the next request, longer than review waits ({_duration(self.config.backoff_cap)}, [pubmed] backoff_cap); "
            "stopped: run review search again after that wait to resume")

    def _call(self, endpoint: str, params: Mapping[str, str], *, post: bool | None = None) -> bytes:
        """One HTTP request; returns the body (API key redacted) or raises ``TransientError``/``RetrievalError``.

        The key is removed from every body here, the one place server text enters, because a
        server may echo it (a 400/429 JSON with "api-key") into messages, records or logs.
        """
        try:
            return self._redact_bytes(self._call_raw(endpoint, params, post=post))
        except TransientError as err:
            err.args = (redact_secret(str(err), self.config.api_key),)
            raise
        except RetrievalError as err:  # (same class: HostUnreachable must stay unretried above)
            raise type(err)(redact_secret(str(err), self.config.api_key)) from None

    def _redact_bytes(self, data: bytes) -> bytes:
        key = self.config.api_key
        if len(key) < 8:  # NCBI keys are 36 characters; a toy key would mangle the XML itself
            return data
        for form in _secret_forms(key):
            data = data.replace(form.encode("utf-8"), REDACTED.encode("ascii"))
        return data

    def _call_raw(self, endpoint: str, params: Mapping[str, str], *, post: bool | None = None) -> bytes:
        request = self._request(endpoint, params, post=post)
        self._pacer.wait()
        self.stats.requests[endpoint] += 1
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            body = _safe_read(err)
            if err.code == 429:
                raise TransientError("http_429", _one_line(body, 120), _retry_after(err.headers)) from None
            if err.code >= 500:
                raise TransientError(f"http_{err.code}", "", _retry_after(err.headers)) from None
            hint = "; is REVIEW_EUTILS_URL / review.toml [pubmed] base_url an E-utilities address?" if err.code == 404 else ""
            raise (HttpRefused if 400 <= err.code < 500 else RetrievalError)(
                f"{request.full_url.split('?')[0]}: HTTP {err.code} {err.reason}: {_one_line(body)}{hint}") from None
        except (http.client.IncompleteRead, ConnectionError, http.client.RemoteDisconnected) as err:
            raise TransientError("connection_dropped", type(err).__name__) from None
        except (TimeoutError, socket.timeout):
            raise TransientError("timeout", f"no answer in {self.config.timeout:g}s") from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise TransientError("timeout", f"no answer in {self.config.timeout:g}s") from None
            if _unreachable(err.reason):
                raise HostUnreachable(
                    f"{request.full_url.split('?')[0]}: cannot connect ({_reason_text(err.reason)}); not retried: "
                    "check the network, or REVIEW_EUTILS_URL / review.toml [pubmed] base_url") from None
            raise TransientError("connection_failed", str(err.reason)) from None
        except http.client.HTTPException as err:
            raise TransientError("connection_dropped", type(err).__name__) from None

    def _request(self, endpoint: str, params: Mapping[str, str], *, post: bool | None) -> urllib.request.Request:
        full = dict(params)
        full["tool"] = self.config.tool
        if self.config.email:
            full["email"] = self.config.email
        if self.config.api_key:
            full["api_key"] = self.config.api_key
        encoded = urllib.parse.urlencode(full)
        # As Bio.Entrez does: POST past ~1,000 characters or 200 ids (long GET URLs give 414).
        if post is None:
            post = len(encoded) > 1000 or full.get("id", "").count(",") >= 199
        url = f"{self.config.base_url}{endpoint}.fcgi"
        if post:
            return urllib.request.Request(url, data=encoded.encode(), method="POST")
        return urllib.request.Request(f"{url}?{encoded}", method="GET")


#: What replaces the API key wherever it would be printed or stored.
REDACTED = "[api-key redacted]"


def _secret_forms(secret: str) -> list[str]:
    """The key as given and as a URL would carry it (percent-encoded), longest first."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    return sorted((f for f in forms if f), key=len, reverse=True)


def redact_secret(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` (also URL-encoded) replaced by a marker."""
    if not secret:
        return text
    for form in _secret_forms(secret):
        text = text.replace(form, REDACTED)
    return text


# -- response readers ---------------------------------------------------------------------

#: The DOCTYPE of an older E-utilities body, naming NCBI's DTD over http ("http://www.ncbi.nlm.nih.gov/entrez/
#: query/DTD/eSearch_020511.dtd", 2002-2016 output, still replayed by caches and mirrors): Bio.Entrez refuses to
#: follow an http address ("Expected secure URL to NCBI") before it looks for its bundled copy of that DTD.
_NCBI_DTD_OVER_HTTP = re.compile(rb'(<!DOCTYPE[^>\[]*?")http://((?:www|eutils)\.ncbi\.nlm\.nih\.gov/)')
_ERROR_ELEMENT = re.compile(rb"<ERROR>(.*?)(?:</ERROR>|<|\Z)", re.DOTALL)


def _dtd_over_https(data: bytes) -> bytes:
    """``data`` with NCBI's own DTD address in its DOCTYPE given as https, the same file Bio.Entrez bundles."""
    head = data[:2048]
    fixed = _NCBI_DTD_OVER_HTTP.sub(rb"\1https://\2", head, count=1)
    return data if fixed == head else fixed + data[2048:]


def _error_text(data: bytes) -> str:
    """The text of a body's ``<ERROR>`` elements on one line ("; " between them), or "" when it has none."""
    texts = (" ".join(html.unescape(m.decode("utf-8", "replace")).split()) for m in _ERROR_ELEMENT.findall(data))
    return "; ".join(t for t in texts if t)[:200]


def _entrez_read(data: bytes, what: str) -> Any:
    """``Bio.Entrez.read`` on a response, mapping its failures onto retry reasons."""
    from Bio import Entrez

    try:
        return Entrez.read(io.BytesIO(_dtd_over_https(data)), validate=False)
    except RuntimeError as err:  # <ERROR> inside HTTP 200, e.g. "Search Backend failed"
        raise TransientError("error_body", str(err)[:200]) from None
    except Exception as err:  # NotXMLError, CorruptedXMLError, ValidationError, expat errors
        error = _error_text(data)
        if error:
            raise TransientError("error_body", error) from None
        detail = (str(err).splitlines() or [""])[0][:150]
        raise TransientError("invalid_xml", f"{what}: {type(err).__name__}" + (f" ({detail})" if detail else "")) from None


def _read_esearch(data: bytes, term: str, tolerate: Callable[[str], bool] | None = None) -> SearchResult:
    parsed = _entrez_read(data, "esearch")
    if "Count" not in parsed:
        raise TransientError("invalid_xml", "esearch answer without a Count")
    errors = parsed.get("ErrorList") or {}
    dropped = [f"{kind}: {value}" for kind in ("PhraseNotFound", "FieldNotFound")
               for value in errors.get(kind, []) if not (kind == "PhraseNotFound" and tolerate and tolerate(str(value)))]
    tolerated = [f"PhraseNotFound: {value}" for value in errors.get("PhraseNotFound", [])
                 if tolerate and tolerate(str(value))]
    if dropped:
        raise RetrievalError(
            f"PubMed ignored part of the query ({'; '.join(dropped)}); fix the query so the search "
            f"runs as written: {term[:120]}"
        )
    warnings = list(tolerated)
    for kind, values in (parsed.get("WarningList") or {}).items():
        warnings.extend(f"{kind}: {v}" for v in values)
    return SearchResult(
        count=int(parsed["Count"]),
        ids=[str(i) for i in parsed.get("IdList", [])],
        webenv=str(parsed.get("WebEnv", "")),
        query_key=str(parsed.get("QueryKey", "")),
        query_translation=str(parsed.get("QueryTranslation", "")),
        warnings=warnings,
    )


def _unreachable(reason: object) -> bool:
    """A refused connection, a host name DNS does not resolve, or no route to the host."""
    if isinstance(reason, socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in _UNREACHABLE_ERRNOS


def _reason_text(reason: object) -> str:
    """``Connection refused`` rather than ``[Errno 111] Connection refused``."""
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)


def _retry_after(headers: Any, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from ``Retry-After``: delay-seconds, or an HTTP-date (RFC 9110) counted from now.

    A date in the past is no wait; one that cannot be read falls back to our own backoff.
    """
    value = headers.get("Retry-After") if headers is not None else None
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT; "-0000" parses as naive
        when = when.replace(tzinfo=datetime.timezone.utc)
    return float(max(0, math.ceil(when.timestamp() - now())))


def _duration(seconds: float) -> str:
    """``86400 s (24 h)``: seconds as sent, with hours or minutes when that is clearer."""
    text = f"{seconds:g} s"
    if seconds >= 3600:
        return f"{text} ({seconds / 3600:.3g} h)"
    if seconds >= 120:
        return f"{text} ({seconds / 60:.3g} min)"
    return text


def _one_line(body: str, limit: int = 200) -> str:
    """A server's error body for a one-line message: HTML tags dropped, whitespace collapsed, cut short.

    A proxy's or web server's error page (a wrong ``base_url`` gives a 404 page) would otherwise
    put a screen of HTML on stderr.
    """
    text = html.unescape(_TAG.sub(" ", body)) if "<" in body else body
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


_TAG = re.compile(r"<[^>]*>")


def _safe_read(err: urllib.error.HTTPError) -> str:
    try:
        return err.read().decode("utf-8", errors="replace")
    except Exception:
        return ""
