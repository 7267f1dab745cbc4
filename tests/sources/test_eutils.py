"""The E-utilities client: retries, backoff, Retry-After, pacing, POST, config — against the stand-in."""

from __future__ import annotations

import pytest

from review.errors import RetrievalError
from review.sources.eutils import PUBMED_KEYS, EutilsClient, EutilsConfig, HostUnreachable, WaitTooLong, WebEnvExpired
from review.tomlread import SettingProblem
from review.sources.standin import Faults, running, synthetic_corpus

from .offline import closed_port_url


class Sleeps(list):
    """Records requested sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(standin, sleeps=None, **config) -> EutilsClient:
    settings = dict(base_url=standin.url, rate_per_second=0, backoff_base=0.01, timeout=5)
    settings.update(config)
    return EutilsClient(EutilsConfig(**settings), sleep=sleeps if sleeps is not None else (lambda s: None))


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(60, seed=9)


def test_429_waits_for_retry_after(corpus):
    sleeps = Sleeps()
    with running(corpus, faults=Faults(script=("http_429",), retry_after=7)) as standin:
        result = client_for(standin, sleeps).esearch("x", retmax=100)
    assert result.count == 60 and sleeps == [7.0]


def test_retry_after_past_the_longest_backoff_stops_at_once_on_one_line(corpus):
    """A proxy's ``Retry-After: 86400`` must not hang the search for a day; up to backoff_cap it is waited."""
    sleeps = Sleeps()
    with running(corpus, faults=Faults(script=("http_429", "http_429"), retry_after=60)) as standin:
        assert client_for(standin, sleeps, backoff_cap=60).esearch("x").count == 60
        standin.set_faults(Faults(script=("http_429",), retry_after=86400))
        client = client_for(standin, sleeps, backoff_cap=60)
        with pytest.raises(WaitTooLong) as caught:
            client.esearch("x")
    assert sleeps == [60.0, 60.0] and client.stats.requests["esearch"] == 1
    message = str(caught.value)
    assert "esearch.fcgi: HTTP 429 asked to wait 86400 s (24 h) (Retry-After)" in message and "\n" not in message
    assert "longer than review waits (60 s, [pubmed] backoff_cap)" in message and "review search again" in message


def test_5xx_backoff_doubles(corpus):
    sleeps = Sleeps()
    with running(corpus, faults=Faults(script=("http_500", "http_502", "http_503"))) as standin:
        client = client_for(standin, sleeps, backoff_base=0.5)
        assert client.esearch("x").count == 60
    assert sleeps == [0.5, 1.0, 2.0]
    assert client.stats.retries == {"http_500": 1, "http_502": 1, "http_503": 1}
    assert client.stats.requests["esearch"] == 4


def test_error_inside_http_200_is_retried_never_zero_hits(corpus):
    with running(corpus, faults=Faults(script=("error_body",))) as standin:
        client = client_for(standin)
        assert client.esearch("x").count == 60
    assert client.stats.retries == {"error_body": 1}


@pytest.mark.parametrize("fault, reason", [("truncated", "connection_dropped"), ("invalid_xml", "invalid_xml"),
                                           ("error_body", "error_body")])
def test_broken_efetch_bodies_are_refetched(corpus, fault, reason):
    with running(corpus) as standin:
        client = client_for(standin)
        found = client.esearch("x", retmax=100)
        standin.set_faults(Faults(script=(fault,)))
        parsed = client.efetch_history(found.webenv, found.query_key, 0, 60)
    assert [r.pmid for r in parsed.records] == found.ids
    assert client.stats.retries == {reason: 1}


def test_slow_answer_past_timeout_is_retried(corpus):
    with running(corpus, faults=Faults(script=("slow",), slow_seconds=1.0)) as standin:
        client = client_for(standin, timeout=0.2)
        assert client.esearch("x").count == 60
    assert client.stats.retries == {"timeout": 1}


def test_expired_webenv_is_reported_not_retried(corpus):
    with running(corpus) as standin:
        client = client_for(standin)
        found = client.esearch("x", retmax=100)
        standin.expire_webenvs()
        with pytest.raises(WebEnvExpired):
            client.efetch_history(found.webenv, found.query_key, 0, 10)
    assert client.stats.requests["efetch"] == 1


def test_gives_up_after_bounded_attempts(corpus):
    with running(corpus, faults=Faults(kinds=("http_503",), rate=1.0)) as standin:
        client = client_for(standin, max_attempts=3)
        with pytest.raises(RetrievalError, match="gave up after 3 attempts"):
            client.esearch("x")
    assert client.stats.requests["esearch"] == 3


def test_an_unreachable_host_fails_at_once_naming_the_url():
    sleeps = Sleeps()
    client = EutilsClient(EutilsConfig(base_url=closed_port_url(), rate_per_second=0), sleep=sleeps)
    with pytest.raises(HostUnreachable) as caught:
        client.esearch("x")
    assert str(caught.value).startswith(f"{client.config.base_url}esearch.fcgi: cannot connect (Connection refused)")
    assert "\n" not in str(caught.value)
    assert sleeps == [] and client.stats.requests["esearch"] == 1  # one attempt, no backoff


def test_a_host_name_that_does_not_resolve_fails_at_once(monkeypatch):
    import socket

    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    sleeps = Sleeps()
    client = EutilsClient(EutilsConfig(base_url="http://eutils.example.invalid/eutils/", rate_per_second=0),
                          sleep=sleeps)
    with pytest.raises(HostUnreachable, match=r"^http://eutils\.example\.invalid/eutils/einfo\.fcgi: cannot connect "
                                              r"\(Name or service not known\)"):
        client.einfo()
    assert sleeps == []


def test_a_stand_in_gone_mid_download_is_not_retried_but_its_faults_are(corpus):
    with running(corpus, faults=Faults(script=("http_503",))) as standin:
        sleeps = Sleeps()
        client = client_for(standin, sleeps)
        found = client.esearch("x", retmax=100)  # a 503 first: retried as before
        assert client.stats.retries == {"http_503": 1} and len(sleeps) == 1
    with pytest.raises(HostUnreachable, match="efetch.fcgi: cannot connect"):
        client.efetch_history(found.webenv, found.query_key, 0, 10)  # the stand-in has stopped
    assert len(sleeps) == 1 and client.stats.requests["efetch"] == 1


def test_phrase_not_found_is_a_query_error_not_a_retry(corpus):
    with running(corpus, phrase_not_found={"fleegle"}) as standin:
        client = client_for(standin)
        with pytest.raises(RetrievalError, match="PhraseNotFound: fleegle"):
            client.esearch("fleegle[mh] OR depression")
    assert client.stats.total == 1


def test_identification_and_post_for_long_id_lists(corpus):
    with running(corpus) as standin:
        client = client_for(standin, email="lib@example.org", tool="review-test", api_key="k3y")
        many = corpus.order[:5] + [str(90_000_000 + i) for i in range(250)]
        parsed = client.efetch_ids(many)
        assert standin.last_method["efetch"] == "POST"
        assert {"tool": "review-test", "email": "lib@example.org", "api_key": "k3y"}.items() <= standin.last_params["efetch"].items()
        client.esearch("x")
        assert standin.last_method["esearch"] == "GET"
    assert [r.pmid for r in parsed.records] == corpus.order[:5]  # unknown PMIDs are simply omitted


def test_pacing_keeps_requests_apart(corpus):
    now = [0.0]
    sleeps = Sleeps()

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    with running(corpus) as standin:
        config = EutilsConfig(base_url=standin.url, rate_per_second=None)
        client = EutilsClient(config, sleep=sleep, clock=lambda: now[0])
        for _ in range(4):
            client.esearch("x")
    assert config.requests_per_second == 3.0
    assert sleeps == pytest.approx([1 / 3] * 3)


def test_config_from_toml_section_and_environment():
    section = {"email": "toml@example.org", "tool": "rev", "efetch_batch": 500, "backoff_base": 2}
    env = {"REVIEW_EUTILS_URL": "http://127.0.0.1:9/eutils", "NCBI_API_KEY": "abc"}
    config = EutilsConfig.from_settings(section, env)
    assert config.base_url == "http://127.0.0.1:9/eutils/"
    assert (config.email, config.tool, config.efetch_batch, config.backoff_base) == ("toml@example.org", "rev", 500, 2.0)
    assert config.requests_per_second == 10.0
    assert config.public()["api_key"] is True and "abc" not in str(config.public())
    assert EutilsConfig.from_settings({}, {}).requests_per_second == 3.0


def test_bad_settings_name_the_field():
    from review.errors import WorkspaceError

    with pytest.raises(WorkspaceError, match=r"^review.toml:pubmed\.efetch_batch: '500': expected int$"):
        EutilsConfig.from_settings({"efetch_batch": "500"}, {})
    with pytest.raises(WorkspaceError, match=r"^review.toml:pubmed\.emial: unknown key"):
        EutilsConfig.from_settings({"emial": "x@y"}, {})
    with pytest.raises(WorkspaceError, match="pubmed.log_database_build: 1: expected bool"):
        EutilsConfig.from_settings({"log_database_build": 1}, {})


def test_einfo_database_build(corpus):
    with running(corpus) as standin:
        info = client_for(standin).einfo()
    assert info == {"DbBuild": "Build-standin", "LastUpdate": "2026/01/01 00:00", "Count": "60"}


def test_an_html_error_page_is_one_line_naming_the_url():
    """A wrong base URL (a web server's 404 page) or a proxy's block page: one line, not a screen of HTML."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    page = b"<!DOCTYPE HTML>\n<html>\n  <head><title>Error response</title></head>\n  <body>\n" \
           b"    <h1>Not &amp; found</h1>\n    <p>Nothing matches the given URI.</p>\n  </body>\n</html>\n"

    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/wrong/"
        client = EutilsClient(EutilsConfig(base_url=url, rate_per_second=0), sleep=lambda s: None)
        with pytest.raises(RetrievalError) as caught:
            client.esearch("x")
    finally:
        server.shutdown()
        server.server_close()
    assert str(caught.value) == (f"{url}esearch.fcgi: HTTP 404 Not Found: Error response Not & found Nothing matches "
                                 "the given URI.; is REVIEW_EUTILS_URL / review.toml [pubmed] base_url an E-utilities "
                                 "address?")
    assert client.stats.requests["esearch"] == 1  # a 4xx is not retried


def test_a_4xx_during_efetch_stops_at_once_without_halving_the_batch(corpus, monkeypatch):
    # A 400 was taken for a failing window: the batch was halved four times (five requests) before stopping.
    import io
    import urllib.error
    import urllib.request

    from review.sources.eutils import HttpRefused
    from review.sources.retrieval import retrieve

    real_urlopen = urllib.request.urlopen

    def refuse_efetch(request, *args, **kwargs):
        if "efetch" in request.full_url:
            raise urllib.error.HTTPError(request.full_url, 400, "Bad Request", {},  # type: ignore[arg-type]
                                         io.BytesIO(b"Invalid query_key"))
        return real_urlopen(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", refuse_efetch)
    with running(corpus) as standin:
        client = client_for(standin, efetch_batch=40, min_efetch_batch=2)
        with pytest.raises(HttpRefused, match=r"^EFetch batch 1-40 of 60: .*efetch\.fcgi: HTTP 400 Bad Request"):
            retrieve(client, "x", is_stored=lambda pmid: False, store_batch=lambda *args: None)
    assert client.stats.requests["efetch"] == 1


def test_an_http_date_retry_after_is_waited_until_that_time_and_capped_like_seconds(corpus):
    """``Retry-After`` may be an HTTP-date (RFC 9110): wait until then, and stop at once past backoff_cap."""
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone

    def http_date(seconds_ahead: float) -> str:
        return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds_ahead), usegmt=True)

    sleeps = Sleeps()
    with running(corpus, faults=Faults(script=("http_429",), retry_after=http_date(30))) as standin:
        assert client_for(standin, sleeps, backoff_cap=60).esearch("x").count == 60
        standin.set_faults(Faults(script=("http_429",), retry_after=http_date(-3600)))
        assert client_for(standin, sleeps, backoff_cap=60).esearch("x").count == 60
        standin.set_faults(Faults(script=("http_429",), retry_after=http_date(86400)))
        with pytest.raises(WaitTooLong, match=r"asked to wait 86[34]\d\d s \(24 h\) \(Retry-After\)"):
            client_for(standin, sleeps, backoff_cap=60).esearch("x")
    assert 25 <= sleeps[0] <= 31  # until the date, not the 0.01 s backoff
    assert sleeps[1] == 0.01  # a date already past: our own backoff
    assert len(sleeps) == 2


def test_429_without_retry_after_backs_off_exponentially(corpus):
    """NCBI's 429 does not always name a wait: then the client's own backoff applies, doubling."""
    sleeps = Sleeps()
    with running(corpus, faults=Faults(script=("http_429", "http_429"), retry_after=None)) as standin:
        client = client_for(standin, sleeps, backoff_base=0.5)
        assert client.esearch("x").count == 60
        assert standin.faults_injected == {"http_429": 2}
    assert sleeps == [0.5, 1.0] and client.stats.retries == {"http_429": 2}


def test_a_connection_reset_mid_body_is_refetched(corpus):
    """A proxy or load balancer resets the connection halfway through an EFetch answer (RST, not a close)."""
    with running(corpus) as standin:
        client = client_for(standin)
        found = client.esearch("x", retmax=100)
        standin.set_faults(Faults(script=("reset",)))
        parsed = client.efetch_history(found.webenv, found.query_key, 0, 60)
        assert standin.faults_injected == {"reset": 1}
    assert [r.pmid for r in parsed.records] == found.ids
    assert client.stats.retries == {"connection_dropped": 1} and client.stats.requests["efetch"] == 2


def _serving(body: bytes):
    """A server answering every request with ``body`` in HTTP 200 (a fixed E-utilities response)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Fixed(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _answer_of(shared, name: str, call):
    server = _serving(shared("fixtures", "pubmed", "eutils_json", name).read_bytes())
    try:
        client = EutilsClient(EutilsConfig(base_url=f"http://127.0.0.1:{server.server_address[1]}/", rate_per_second=0,
                                           max_attempts=2), sleep=lambda s: None)
        with pytest.raises(RetrievalError) as caught:
            call(client)
    finally:
        server.shutdown()
        server.server_close()
    return str(caught.value), client.stats.requests


@pytest.mark.parametrize(("name", "endpoint", "said", "requests"), [
    # Results with part of the query dropped: a query error at the first answer, as with today's DTD address.
    ("esearch.error.xml", "esearch", "PubMed ignored part of the query (PhraseNotFound: fleegle[MeSH Terms])", 1),
    ("esearch.baderror.xml", "esearch", "gave up after 2 attempts (error_body: Invalid db name specified: fleegle)", 2),
    ("einfo.error.xml", "einfo", "gave up after 2 attempts (error_body: Can not retrieve DbInfo for db=fleegle)", 2),
], ids=["phrase_not_found", "error", "einfo_error"])
def test_bodies_naming_ncbis_dtd_over_http_are_read_and_their_error_is_one_line(shared, name, endpoint, said, requests):
    """Real NCBI bodies of 2012-2016 name their DTD at http://www.ncbi.nlm.nih.gov/…, which Bio.Entrez refuses
    ('Expected secure URL to NCBI') before it looks for its bundled copy: a search was retried 6 times and failed
    as 'invalid_xml: esearch: ValueError (…)', and an <ERROR> body's message took the raw XML after it,
    '</ERROR>\\n</eSearchResult>', over three lines; EInfo's said 'einfo without DbInfo', not the server's error
    (walk29)."""
    message, counted = _answer_of(shared, name, (lambda c: c.einfo()) if endpoint == "einfo" else (lambda c: c.esearch("x")))
    assert said in message and "\n" not in message and "<" not in message, message
    assert counted[endpoint] == requests


@pytest.mark.parametrize("key", [key for key, kinds in PUBMED_KEYS.items() if float in kinds])
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_every_float_setting_refuses_a_number_that_is_not_finite(key: str, value: float) -> None:
    # "timeout = inf" was refused as "expected seconds, more than 0", which inf is; a float key added without its
    # words would raise KeyError here.
    with pytest.raises(SettingProblem, match=rf"pubmed\.{key}: {value!r}: expected a finite number of "):
        EutilsConfig.from_settings({key: value}, env={})
