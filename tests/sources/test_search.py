"""``review search`` end to end against the stand-in: requests, faults, resume, re-runs, slicing, logs."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from review.cli import main
from review.errors import RetrievalError, ValidationError, WorkspaceError
from review.sources.eutils import EutilsClient, EutilsConfig
from review.sources.retrieval import retrieve
from review.sources.search import load_query, load_queries, run_search
from review.sources.standin import FAULT_KINDS, Faults, StandInArticle, StandInCorpus, running, synthetic_article, synthetic_corpus
from review.store import schema
from review.store import searches as search_store

from .offline import closed_port_url


def quick_client(standin, **config) -> EutilsClient:
    settings = dict(base_url=standin.url, rate_per_second=0, backoff_base=0.001, timeout=5)
    settings.update(config)
    return EutilsClient(EutilsConfig(**settings))


def write_query(workspace, name="q", query="anything", extra=""):
    path = workspace.path("queries", f"{name}.toml")
    path.write_text(f'name = "{name}"\nquery = """{query}"""\n{extra}', encoding="utf-8")
    return load_query(path)


def add_pubmed_settings(workspace, **settings) -> None:
    """A ``[pubmed]`` section appended to review.toml, for ``review search`` run through the CLI."""
    with workspace.path("review.toml").open("a", encoding="utf-8") as config:
        config.write("\n[pubmed]\n" + "".join(f"{key} = {value}\n" for key, value in settings.items()))


def stored_pmids(workspace) -> Counter:
    with workspace.store.engine.connect() as conn:
        rows = conn.execute(sa.select(schema.records.c.pmid).where(schema.records.c.source_name == "PubMed"))
        return Counter(pmid for (pmid,) in rows)


@pytest.fixture(scope="module")
def corpus_2300():
    return synthetic_corpus(2_300, seed=23)


def test_2300_hits_in_four_requests(workspace, corpus_2300):
    spec = write_query(workspace)
    with running(corpus_2300) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin))
        assert standin.requests == {"esearch": 1, "efetch": 3}
    assert (outcome.hit_count, outcome.retrieved, outcome.new_records, outcome.requests) == (2300, 2300, 2300, 4)
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus_2300.articles) and max(counts.values()) == 1
    record = workspace.store.records()[0]
    assert record.source == "PubMed" and record.external_id == record.pmid and record.raw.startswith("<PubmedArticle>")


def test_every_fault_kind_on_still_every_record_once(workspace):
    corpus = synthetic_corpus(1_000, seed=10)
    spec = write_query(workspace)
    script = [step for kind in FAULT_KINDS for step in (kind, "")]
    faults = Faults(kinds=FAULT_KINDS, rate=0.25, seed=4, script=script, retry_after=0, slow_seconds=0.01)
    with running(corpus, faults=faults) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin, efetch_batch=50, max_attempts=8))
        injected = standin.faults_injected
    assert set(injected) == set(FAULT_KINDS)
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus.articles) and max(counts.values()) == 1
    assert outcome.new_records == 1000
    (run,) = search_store.runs(workspace.store, "q")
    assert run["status"] == "complete" and run["details"]["count_check"]["ok"]
    assert sum(run["details"]["stats"]["retries"].values()) >= len(FAULT_KINDS) - 1  # "slow" costs no retry


class Killed(Exception):
    pass


def test_killed_search_resumes_from_last_stored_batch(workspace, corpus_2300):
    spec = write_query(workspace)
    batches = []

    def kill_after_two_batches(event):
        if event.phase == "fetch" and event.done:
            batches.append(event.done)
            if len(batches) == 2:
                raise Killed()

    with running(corpus_2300) as standin:
        with pytest.raises(Killed):
            run_search(workspace, spec, client=quick_client(standin, efetch_batch=500), progress=kill_after_two_batches)
        assert sum(stored_pmids(workspace).values()) == 1000
        (run,) = search_store.runs(workspace.store, "q")
        assert run["status"] == "interrupted" and "Killed" in run["details"]["error"]
        before = dict(standin.requests)
        outcome = run_search(workspace, spec, client=quick_client(standin, efetch_batch=500))
        resumed_requests = {k: standin.requests[k] - before.get(k, 0) for k in standin.requests}
    assert outcome.resumed and outcome.run_id == run["id"]
    assert resumed_requests == {"esearch": 1, "efetch": 3}  # only the three windows not stored yet
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus_2300.articles) and max(counts.values()) == 1
    (run,) = search_store.runs(workspace.store, "q")
    assert run["status"] == "complete" and run["new_records"] == 2300 and run["details"]["resumed"] == 1
    assert run["details"]["already_stored"] == 0  # the 1,000 stored before the kill are this run's own


def test_rerun_stores_only_new_pmids_and_logs_both_runs(workspace):
    first = synthetic_corpus(600, seed=6)
    spec = write_query(workspace, extra='notes = "update search"\n')
    with running(first) as standin:
        run_search(workspace, spec, client=quick_client(standin))
    newer = [StandInArticle(str(90_000_000 + i), synthetic_article(90_000_000 + i, 2026), date(2026, 1, 1),
                            date(2026, 1, 1)) for i in range(40)]
    grown = StandInCorpus([*first.articles.values(), *newer])
    with running(grown) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin))
        assert standin.requests == {"esearch": 1, "efetch": 1}
    assert (outcome.hit_count, outcome.new_records) == (640, 40)
    assert sum(stored_pmids(workspace).values()) == 640
    log = json.loads(workspace.path("queries", "q.log.json").read_text())
    assert [r["records_stored_new"] for r in log["runs"]] == [600, 40]
    assert log["runs"][1]["already_stored_from_earlier_runs"] == 600
    assert log["database"] == "MEDLINE/PubMed" and "E-utilities" in log["platform"]
    run1 = log["runs"][0]
    assert run1["term_sent"] == "anything" and run1["date_run"].endswith(("Z", "+00:00"))
    assert run1["eutils"]["esearch"]["usehistory"] == "y" and run1["requests"] == 2
    assert run1["records_found"] == run1["records_retrieved"] == 600
    assert log["notes"] == "update search"


def test_slicing_by_entrez_date_past_the_paging_cap():
    corpus = synthetic_corpus(1_000, seed=5, first_year=2001, last_year=2020)
    stored: list[str] = []
    with running(corpus, paging_cap=99) as standin:
        client = quick_client(standin, esearch_limit=99, efetch_batch=50)
        outcome = retrieve(client, "x", is_stored=set(stored).__contains__,
                           store_batch=lambda new, *_: stored.extend(r.pmid for r in new), today=date(2026, 1, 1))
    assert len(outcome.slices) > 10 and all(s.result.count <= 99 for s in outcome.slices)
    assert outcome.count_check == {"esearch_count": 1000, "unique_pmids": 1000, "ok": True}
    assert sorted(stored) == sorted(corpus.articles)
    assert all('[edat]' in s.term for s in outcome.slices)


def test_one_entrez_date_beyond_the_cap_is_split_by_pmid_range():
    # a broad query can have more hits on one Entrez date than PubMed pages (that day was refused)
    same_day = [StandInArticle(str(i), synthetic_article(i, 2020), date(2020, 1, 1), date(2020, 1, 1))
                for i in range(10_000_001, 10_000_251)]
    other_days = [StandInArticle(str(i), synthetic_article(i, 2021), date(2021, 3, 1), date(2021, 3, 1))
                  for i in range(20_000_001, 20_000_041)]
    stored: Counter = Counter()
    with running(StandInCorpus(same_day + other_days), paging_cap=99) as standin:
        outcome = retrieve(quick_client(standin, esearch_limit=99, efetch_batch=50), "x",
                           is_stored=stored.__contains__, store_batch=lambda new, *_: stored.update(r.pmid for r in new),
                           today=date(2026, 1, 1))
    assert set(stored) == {a.pmid for a in same_day + other_days} and max(stored.values()) == 1
    assert outcome.count_check == {"esearch_count": 290, "unique_pmids": 290, "ok": True}
    split = [s for s in outcome.slices if "[uid]" in s.term]
    assert len(split) >= 3 and all(s.result.count <= 99 and s.label.startswith("2020/01/01-2020/01/01 PMIDs ")
                                   for s in split)
    assert [s.start for s in outcome.slices] == sorted(s.start for s in outcome.slices)


@pytest.mark.slow
def test_more_than_9999_hits_via_date_slices():
    corpus = synthetic_corpus(10_500, seed=12)
    stored: Counter = Counter()
    with running(corpus) as standin:  # PubMed's own 9,999 cap
        client = quick_client(standin, efetch_batch=5000)
        outcome = retrieve(client, "x", is_stored=stored.__contains__,
                           store_batch=lambda new, *_: stored.update(r.pmid for r in new))
    assert outcome.hit_count == 10_500 and len(outcome.slices) >= 2
    assert all(s.result.count <= 9_999 for s in outcome.slices)
    assert outcome.count_check["ok"] and outcome.duplicates_across_slices == 0
    assert set(stored) == set(corpus.articles) and max(stored.values()) == 1


class TestQueryFiles:
    def test_filters_and_limits_become_term_and_params(self, workspace):
        spec = write_query(workspace, query="depression[mh]\n  AND sick leave[mh]", extra=(
            'mindate = "2000"\nmaxdate = "2025/06/30"\n[filters]\nhumans = "NOT (animals[mh] NOT humans[mh])"\nenglish = "english[la]"\n'))
        assert spec.term == "(depression[mh] AND sick leave[mh]) NOT (animals[mh] NOT humans[mh]) AND (english[la])"
        assert spec.esearch_params == {"datetype": "pdat", "mindate": "2000", "maxdate": "2025/06/30"}

    @pytest.mark.parametrize("body, message", [
        ('query = ""', "bad.toml:query"),
        ('query = "(a OR b"', "unbalanced parentheses"),
        ('query = "a"\ndatabase = ""', "bad.toml:database"),
        ('query = "a"\nsearched = "2026-11-30"', "bad.toml:searched: only for a database searched on another"),
        ('query = "a"\ndatabase = "Embase"\nsearched = "last week"', "bad.toml:searched: the date the search was"),
        ('query = "a"\nmindate = "last year"', "bad.toml:mindate"),
        # walk20: the shape passed, the date was sent (and logged as an interrupted run when the server choked)
        ('query = "a"\nmindate = "2000/13"', r"bad.toml:mindate: 2000/13 is no date \(month 13\)"),
        ('query = "a"\nmaxdate = "2025/06/31"', r"bad.toml:maxdate: 2025/06/31 is no date \(day 31 of 2025/06\)"),
        ('query = "a"\nmindate = "2024/02/29"\nmaxdate = "2023/02/29"', r"bad.toml:maxdate: 2023/02/29 is no date"),
        ('query = "a"\nmindate = "2010"\nmaxdate = "2009/12"', r"bad.toml:maxdate: 2009/12 is before mindate 2010"),
        ('query = "a"\nfilter = "x"', "bad.toml:filter: unknown field"),
        ('query = "a"\nfilters = ["x"]', "bad.toml:filters"),
        ('query = "a', "bad.toml"),
    ])
    def test_bad_query_files_name_file_and_field(self, workspace, body, message):
        path = workspace.path("queries", "bad.toml")
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ValidationError, match=message) as info:
            load_query(path)
        assert str(path) in str(info.value)
        if "bad.toml:" in message:  # ... and the line of that field, the last line here (walk29: no line was given)
            assert str(info.value).endswith(f" (line {body.count(chr(10)) + 1})"), str(info.value)

    @pytest.mark.parametrize("mindate, maxdate", [("2024/02/29", "2024/02/29"), ("2010", "2010"), ("2010/12", "2010"),
                                                  ("2000", "2025/06/30")])
    def test_real_dates_and_ranges_are_taken(self, workspace, mindate, maxdate):
        path = workspace.path("queries", "good.toml")
        path.write_text(f'query = "a"\nmindate = "{mindate}"\nmaxdate = "{maxdate}"\n', encoding="utf-8")
        spec = load_query(path)
        assert (spec.mindate, spec.maxdate) == (mindate, maxdate)

    def test_duplicate_names_are_refused(self, workspace):
        write_query(workspace, name="same")
        workspace.path("queries", "other.toml").write_text('name = "same"\nquery = "x"\n', encoding="utf-8")
        with pytest.raises(ValidationError, match="also used by"):
            load_queries(workspace.path("queries"))

    def test_programme_strategy_is_a_valid_query(self, workspace):
        from pathlib import Path

        path = Path(__file__).resolve().parents[2] / "queries" / "recurrent_cmd_sickness_absence.toml"
        spec = load_query(path)
        assert spec.name == "recurrent_cmd_sickness_absence"
        for block in ('"Sick Leave"[Mesh]', '"Depressive Disorder"[Mesh]', '"Burnout, Professional"[Mesh]',
                      "recurren*[tiab]", '"return to work"[tiab]'):
            assert block in spec.query


def test_cli_search_list_and_status(workspace, monkeypatch):
    write_query(workspace, name="cli")
    runner = CliRunner()
    with running(synthetic_corpus(300, seed=30)) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        result = runner.invoke(main, ["-w", str(workspace.root), "search", "cli", "--no-progress"])
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        assert lines[0] == "name\tstatus\thits\tretrieved\tnew\trequests\tlog"
        assert lines[1].split("\t")[:6] == ["cli", "complete", "300", "300", "300", "2"]
        assert workspace.path("queries", "cli.log.json").is_file()
        listed = runner.invoke(main, ["-w", str(workspace.root), "search", "--list"])
        assert listed.output.splitlines()[1].split("\t")[2:5] == ["complete", "300", "300"]
        status = runner.invoke(main, ["-w", str(workspace.root), "status"])
        assert "cli" in status.output and "complete" in status.output
        assert "search     1 query\n" in status.output
        # (it said 'in 1 import batches': a search's EFetch windows read as imported files)
        assert "sources    300 records from 0 imported files and 1 search batch\n" in status.output
        missing = runner.invoke(main, ["-w", str(workspace.root), "search", "nope"])
        assert missing.exit_code != 0 and "no query named 'nope'" in missing.output
    workspace.path("queries", "bad.toml").write_text('query = ""\n', encoding="utf-8")
    broken = runner.invoke(main, ["-w", str(workspace.root), "search", "--list"])
    assert broken.exit_code == 4 and broken.stdout == ""  # no header over no rows
    assert broken.stderr.splitlines() == [f"review: {workspace.path('queries', 'bad.toml')}:query: "
                                          "a non-empty search string is required (line 1)"]


def test_cli_search_with_pubmed_unreachable_gives_up_at_once_on_one_line(workspace, monkeypatch):
    url = closed_port_url()  # connection refused
    write_query(workspace, name="offline")
    monkeypatch.setenv("REVIEW_EUTILS_URL", url)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "search", "offline", "--no-progress"])
    assert result.exit_code == RetrievalError.exit_code and result.stdout == ""  # no header over no rows
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"review: {url}esearch.fcgi: cannot connect (Connection refused); not retried")
    (run,) = search_store.runs(workspace.store, "offline")
    assert run["status"] == "interrupted" and run["requests"] == 1 and "HostUnreachable" in run["details"]["error"]


@pytest.mark.parametrize("url", ["notaurl", "127.0.0.1:8765/entrez/eutils/", "file:///etc/", "http://",
                                 # an unclosed IPv6 bracket was a ValueError traceback; a port that is no
                                 # number was retried for 31 s; no host at all passed
                                 "http://[::1/", "http://127.0.0.1:abc/", "http://127.0.0.1:70000/", "http://:8765/"])
def test_an_eutils_address_that_is_no_http_url_is_one_line_before_any_request(workspace, monkeypatch, url):
    # REVIEW_EUTILS_URL=127.0.0.1:8765/… (no scheme) was a ValueError traceback at the first request.
    write_query(workspace, name="q")
    monkeypatch.setenv("REVIEW_EUTILS_URL", url)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "search", "q", "--no-progress"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"review: REVIEW_EUTILS_URL {url!r}: not an http(s) address; give one such as "
                             "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/ or http://127.0.0.1:8765/entrez/eutils/\n")
    assert search_store.runs(workspace.store, "q") == []  # nothing sent, no run recorded
    monkeypatch.delenv("REVIEW_EUTILS_URL")
    with pytest.raises(WorkspaceError, match=r"^review.toml:pubmed.base_url: 'eutils.example/': not an http"):
        EutilsConfig.from_settings({"base_url": "eutils.example/"}, env={})


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/entrez/eutils/", "https://[::1]:8443/entrez/eutils/",
                                 "https://host:8443/x/y", "HTTP://localhost:8765", "http://user:pw@host/e/"])
def test_an_http_address_with_a_host_is_taken(url):
    config = EutilsConfig.from_settings({}, env={"REVIEW_EUTILS_URL": url})
    assert config.base_url == url if url.endswith("/") else config.base_url == url + "/"


def test_an_address_the_caller_overrides_is_not_checked(workspace, monkeypatch):
    """The demo searches its local stand-in whatever REVIEW_EUTILS_URL says: the address is checked
    after the caller's overrides (it was checked before, and the demo exited 2)."""
    from review.sources.search import client_for

    monkeypatch.setenv("REVIEW_EUTILS_URL", "localhost:8765/x")
    client = client_for(workspace, base_url="http://127.0.0.1:9/entrez/eutils/", efetch_batch=50)
    assert (client.config.base_url, client.config.efetch_batch) == ("http://127.0.0.1:9/entrez/eutils/", 50)
    with pytest.raises(WorkspaceError, match=r"^base_url 'localhost:9/x': not an http\(s\) address"):
        client_for(workspace, base_url="localhost:9/x")
    with pytest.raises(WorkspaceError, match=r"^REVIEW_EUTILS_URL 'localhost:8765/x': not an http"):
        client_for(workspace, efetch_batch=50)


def test_searching_ncbi_without_a_contact_address_is_noted(workspace, monkeypatch):
    """``review search`` prints a note then (NCBI asks for an email); the stand-in needs none."""
    from review.services.sources import start_searches

    write_query(workspace, name="cli")
    for name in ("NCBI_EMAIL", "REVIEW_EUTILS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert start_searches(workspace).missing_contact  # (nothing is sent before run())
    monkeypatch.setenv("NCBI_EMAIL", "me@example.org")
    assert not start_searches(workspace).missing_contact
    monkeypatch.delenv("NCBI_EMAIL")
    monkeypatch.setenv("REVIEW_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")
    assert not start_searches(workspace).missing_contact


CHILD = ("import sys; from review.workspace import Workspace; from review.sources.search import run_searches; "
         "run_searches(Workspace(sys.argv[1]), ['killme'])")


def test_sigkilled_search_resumes_with_every_pmid_once(workspace):
    """A real ``kill -9`` of a process running the search mid-download, then the search again.

    The child runs ``run_searches`` (what ``review search`` calls) rather than the whole CLI, whose
    start-up imports every stage and would dominate the test's time.
    """
    import os
    import signal
    import subprocess
    import sys
    import time

    corpus = synthetic_corpus(1_000, seed=13)
    write_query(workspace, name="killme")
    add_pubmed_settings(workspace, efetch_batch=100, rate_per_second=0, backoff_base=0.001)
    with running(corpus, faults=Faults(kinds=("slow",), rate=1.0, slow_seconds=0.2)) as standin:
        env = dict(os.environ, REVIEW_EUTILS_URL=standin.url)
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(workspace.root)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        try:
            while sum(stored_pmids(workspace).values()) < 200 and time.monotonic() < deadline:
                assert child.poll() is None, child.stderr.read().decode()
                time.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        partial = sum(stored_pmids(workspace).values())
        assert 200 <= partial < 1000
        (run,) = search_store.runs(workspace.store, "killme")
        assert run["status"] == "running"  # killed: nobody marked it
        # the requests of the stored batches were saved with them: one ESearch, one EFetch per batch at least
        assert run["requests"] >= 1 + partial // 100
        standin.set_faults(Faults())
        outcome = run_search(workspace, load_query(workspace.path("queries", "killme.toml")), client=quick_client(standin))
    assert outcome.resumed and outcome.run_id == run["id"] and outcome.new_records == 1000
    assert outcome.requests == run["requests"] + 2  # the killed part, then one ESearch and one 1,000-record EFetch
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus.articles) and max(counts.values()) == 1
    (logged,) = json.loads(workspace.path("queries", "killme.log.json").read_text())["runs"]
    # what the kill left stored counts as this run's, not as stored by earlier runs: the counts reconcile
    assert (logged["records_stored_new"], logged["already_stored_from_earlier_runs"]) == (1000, 0)


def test_database_build_logged_when_asked(workspace):
    spec = write_query(workspace, name="build")
    with running(synthetic_corpus(30, seed=8)) as standin:
        run_search(workspace, spec, client=quick_client(standin, log_database_build=True))
        assert standin.requests == {"einfo": 1, "esearch": 1, "efetch": 1}
    log = json.loads(workspace.path("queries", "build.log.json").read_text())
    assert log["runs"][0]["database_build"]["DbBuild"] == "Build-standin"


def test_programme_strategy_is_sent_whole_by_post(workspace):
    from pathlib import Path
    import shutil

    source = Path(__file__).resolve().parents[2] / "queries" / "recurrent_cmd_sickness_absence.toml"
    shutil.copy(source, workspace.path("queries", source.name))
    spec = load_query(workspace.path("queries", source.name))
    with running(synthetic_corpus(20, seed=3)) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin))
        assert standin.last_method["esearch"] == "POST"  # 2,000+ characters: too long for a GET
        assert standin.last_params["esearch"]["term"] == spec.term
    assert outcome.new_records == 20
    log = json.loads(workspace.path("queries", "recurrent_cmd_sickness_absence.log.json").read_text())
    assert log["filters"] == {"exclude_animal_only": 'NOT ("Animals"[Mesh] NOT "Humans"[Mesh])'}
    assert log["runs"][0]["term_sent"].endswith('NOT ("Animals"[Mesh] NOT "Humans"[Mesh])')


@settings(max_examples=12, deadline=None)
@given(n=st.integers(0, 120), cap=st.integers(15, 60), batch=st.integers(3, 80), seed=st.integers(0, 999),
       years=st.integers(0, 30))
def test_any_corpus_cap_and_batch_retrieve_every_pmid_once(n, cap, batch, seed, years):
    corpus = synthetic_corpus(n, seed=seed, first_year=1995, last_year=1995 + years)
    stored: Counter = Counter()
    try:
        with running(corpus, paging_cap=cap) as standin:
            client = quick_client(standin, esearch_limit=cap, efetch_batch=batch, min_efetch_batch=1)
            outcome = retrieve(client, "x", is_stored=stored.__contains__,
                               store_batch=lambda new, *_: stored.update(r.pmid for r in new), today=date(2026, 1, 1))
    except RetrievalError as err:  # more than `cap` records on one day: must be said, never skipped
        assert "single Entrez date" in str(err)
        return
    assert set(stored) == set(corpus.articles) and (not stored or max(stored.values()) == 1)
    assert outcome.count_check["ok"] and outcome.hit_count == n


def test_update_run_fetches_scattered_new_pmids_by_id(workspace):
    """New PMIDs spread through the result order (as with relevance sort) cost one EFetch, not every window."""
    base = synthetic_corpus(1_000, seed=14)
    spec = write_query(workspace, name="scatter")
    with running(StandInCorpus([a for i, a in enumerate(base.articles.values()) if i % 50])) as standin:
        run_search(workspace, spec, client=quick_client(standin, efetch_batch=100))
    with running(base) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin, efetch_batch=100))
        assert standin.requests == {"esearch": 1, "efetch": 1}
        assert standin.last_method["efetch"] == "GET"  # 20 ids fit in a URL
    assert outcome.new_records == 20
    counts = stored_pmids(workspace)
    assert set(counts) == set(base.articles) and max(counts.values()) == 1


def test_unknown_encoding_in_an_efetch_answer_stops_at_that_batch_and_a_rerun_resumes(workspace, monkeypatch):
    """PubMed answers one EFetch with an XML declaration naming a codec Python lacks: the search
    stops with one line naming the batch, keeps the batches before it, and the next run resumes."""
    corpus = synthetic_corpus(500, seed=21)
    write_query(workspace, name="enc")
    add_pubmed_settings(workspace, efetch_batch=200, min_efetch_batch=100, rate_per_second=0, backoff_base=0.001, max_attempts=2)
    runner = CliRunner()
    # ESearch and the first EFetch answer normally; every later EFetch carries the bad declaration.
    faults = Faults(script=["", "", *["unknown_encoding"] * 10])
    with running(corpus, faults=faults) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        failed = runner.invoke(main, ["-w", str(workspace.root), "search", "enc", "--no-progress"])
        assert failed.exit_code == RetrievalError.exit_code
        (error,) = failed.stderr.splitlines()
        assert error.startswith("review: EFetch batch 201-300 of 500: ")
        assert "unknown encoding 'x-unknown-charset'" in error
        assert "Traceback" not in failed.output
        first_window = set(corpus.order[:200])
        assert stored_pmids(workspace) == Counter(first_window)  # the failed batch stored nothing
        (run,) = search_store.runs(workspace.store, "enc")
        assert run["status"] == "interrupted" and "EFetch batch 201-300" in run["details"]["error"]
        (logged,) = json.loads(workspace.path("queries", "enc.log.json").read_text(encoding="utf-8"))["runs"]
        assert logged["status"] == "interrupted" and "EFetch batch 201-300" in logged["error"]

        standin.set_faults(Faults())
        resumed = runner.invoke(main, ["-w", str(workspace.root), "search", "enc", "--no-progress"])
        assert resumed.exit_code == 0, resumed.output
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus.articles) and max(counts.values()) == 1
    (run,) = search_store.runs(workspace.store, "enc")
    assert run["status"] == "complete" and run["details"]["resumed"] == 1


def test_two_searches_at_once_store_each_pmid_once(workspace):
    """A search that starts while another is fetching (two terminals; the dashboard and a shell)."""
    corpus = synthetic_corpus(1_000, seed=21)
    first, second = write_query(workspace, name="a"), write_query(workspace, name="b")
    with running(corpus) as standin:
        interleaved = []

        def run_the_other_search_meanwhile(event):
            if event.phase == "fetch" and event.done and not interleaved:
                interleaved.append(run_search(workspace, second, client=quick_client(standin, efetch_batch=200)))

        outcome = run_search(workspace, first, client=quick_client(standin, efetch_batch=200),
                             progress=run_the_other_search_meanwhile)
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus.articles) and max(counts.values()) == 1
    (other,) = interleaved
    assert outcome.new_records + other.new_records == 1000 and outcome.new_records == 200
    (run_a,) = search_store.runs(workspace.store, "a")
    assert run_a["details"]["already_stored"] == 800  # stored by b meanwhile: 200 + 800 = 1,000 retrieved


def test_a_retry_after_of_a_day_stops_the_search_at_that_batch_and_a_rerun_resumes(workspace):
    from review.sources.eutils import WaitTooLong

    corpus = synthetic_corpus(300, seed=5)
    spec = write_query(workspace, name="waits")
    sleeps: list[float] = []
    with running(corpus, faults=Faults(script=("", "", "http_429"), retry_after=86400)) as standin:
        client = EutilsClient(EutilsConfig(base_url=standin.url, rate_per_second=0, efetch_batch=100, timeout=5),
                              sleep=sleeps.append)
        with pytest.raises(WaitTooLong, match=r"EFetch batch 101-200 .*asked to wait 86400 s"):
            run_search(workspace, spec, client=client)
        assert sleeps == [] and sum(stored_pmids(workspace).values()) == 100
        (run,) = search_store.runs(workspace.store, "waits")
        assert run["status"] == "interrupted" and "86400" in run["details"]["error"]
        outcome = run_search(workspace, spec, client=quick_client(standin))
    assert outcome.resumed and outcome.new_records == 300
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus.articles) and max(counts.values()) == 1


def test_a_second_search_of_the_same_query_is_refused_naming_the_running_one(workspace):
    """Two terminals (or the dashboard and a shell) running one query would fetch everything twice."""
    from review.sources.search import SearchBusy

    corpus = synthetic_corpus(400, seed=17)
    spec = write_query(workspace, name="once")
    with running(corpus) as standin:
        refused, during = [], {}

        def start_the_same_search_meanwhile(event):
            if event.phase == "fetch" and event.done and not refused:
                during["before"] = dict(standin.requests)
                with pytest.raises(SearchBusy) as caught:
                    run_search(workspace, spec, client=quick_client(standin, efetch_batch=100))
                refused.append(str(caught.value))
                during["after"] = dict(standin.requests)

        outcome = run_search(workspace, spec, client=quick_client(standin, efetch_batch=100),
                             progress=start_the_same_search_meanwhile)
        (message,) = refused
        assert during["before"] == during["after"]  # the refused one sent nothing
        run_id = search_store.runs(workspace.store, "once")[0]["id"]
        assert message.startswith(f"query 'once' is already being searched by another process (run {run_id} started ")
        assert "PID" in message and "\n" not in message and "resumes" in message
        assert outcome.new_records == 400
        again = run_search(workspace, spec, client=quick_client(standin))  # released when it ended
    assert again.new_records == 0 and len(search_store.runs(workspace.store, "once")) == 2


def test_a_search_that_fails_midway_says_what_it_stored_and_a_rerun_adds_only_the_rest(workspace, monkeypatch):
    """The error line of a failed search says how many records it stored (the batches before the
    failure stay), so nobody has to guess whether the workspace now holds half a search."""
    corpus = synthetic_corpus(500, seed=31)
    write_query(workspace, name="cut")
    add_pubmed_settings(workspace, efetch_batch=200, min_efetch_batch=200, rate_per_second=0, backoff_base=0.001, max_attempts=2)
    runner = CliRunner()
    with running(corpus, faults=Faults(script=["", "", "", "http_502", "http_502"])) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        failed = runner.invoke(main, ["-w", str(workspace.root), "search", "cut", "--no-progress"])
        assert failed.exit_code == RetrievalError.exit_code and failed.stdout == ""
        (error,) = failed.stderr.splitlines()
        assert error.startswith("review: EFetch batch 401-500 of 500: ")
        assert error.endswith("; query cut: 400 of 500 records stored before it stopped (run 1, interrupted); "
                              "the next review search resumes it")
        assert sum(stored_pmids(workspace).values()) == 400
        resumed = runner.invoke(main, ["-w", str(workspace.root), "search", "cut", "--no-progress"])
        assert resumed.exit_code == 0, resumed.output
        assert resumed.stdout.splitlines()[1].split("\t")[:5] == ["cut", "resumed", "500", "500", "500"]
    counts = stored_pmids(workspace)
    assert set(counts) == set(corpus.articles) and max(counts.values()) == 1


def test_status_and_list_count_what_an_interrupted_run_stored(workspace, monkeypatch):
    """review status said 'interrupted hits 0 new 0' for a run stopped with 400 of its 500 records stored (the
    sources line counting them), and review search --list '-' for new: both read the counts set when a run
    finishes (walk29). Now: hits '-' (ESearch's count is logged when the run finishes), new what it stored."""
    write_query(workspace, name="cut")
    add_pubmed_settings(workspace, efetch_batch=200, min_efetch_batch=200, rate_per_second=0, backoff_base=0.001,
                        max_attempts=2)
    runner = CliRunner()
    with running(synthetic_corpus(500, seed=31), faults=Faults(script=["", "", "", "http_502", "http_502"])) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        assert runner.invoke(main, ["-w", str(workspace.root), "search", "cut", "--no-progress"]).exit_code != 0
    status = runner.invoke(main, ["-w", str(workspace.root), "status"]).stdout
    (line,) = [line for line in status.splitlines() if line.lstrip().startswith("cut ")]
    assert line.split()[1:6] == ["interrupted", "hits", "-", "new", "400"], line
    listed = runner.invoke(main, ["-w", str(workspace.root), "search", "--list"]).stdout.splitlines()[1].split("\t")
    assert listed[2:5] == ["interrupted", "-", "400"], listed
    # The dashboard's search row said '0 hits' (query_overview read the counts set when a run finishes; rrev29b).
    from review.services.sources import query_overview
    from review.tui.screens.dashboard_stages import search_value

    (view,) = [query for query in query_overview(workspace) if query.name == "cut"]
    assert (view.hits, view.new_records, search_value(view)) == (None, 400, "interrupted: 400 stored")
    # review prisma drew the flow from the 400 without a word that the search had not finished (walk29).
    prisma = runner.invoke(main, ["-w", str(workspace.root), "prisma", "--out", str(workspace.path("out"))])
    assert prisma.exit_code == 0 and "database_results\t400" in prisma.stdout
    assert ("review: note: search 'cut' has not finished (run 1, interrupted, 400 records stored by it so far): the "
            "databases box counts only what is stored; run 'review search cut' to finish it") in prisma.stderr.splitlines()


def test_an_update_run_that_fails_counts_what_earlier_runs_stored(workspace, monkeypatch):
    """An update run (300 new of 800) stops after storing 200: the workspace holds 700 of the 800, and the
    line said '200 of 800 records stored', which reads as 600 missing."""
    base = synthetic_corpus(800, seed=32)
    articles = list(base.articles.values())
    write_query(workspace, name="update")
    add_pubmed_settings(workspace, efetch_batch=200, min_efetch_batch=200, rate_per_second=0, backoff_base=0.001,
                        max_attempts=2)
    runner = CliRunner()
    with running(StandInCorpus(articles[:500])) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        assert runner.invoke(main, ["-w", str(workspace.root), "search", "update", "--no-progress"]).exit_code == 0
    # the ESearch and the first EFetch of the 300 new PMIDs answer; the second fails every attempt
    with running(base, faults=Faults(script=["", "", "http_502", "http_502"])) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        failed = runner.invoke(main, ["-w", str(workspace.root), "search", "update", "--no-progress"])
    assert failed.exit_code == RetrievalError.exit_code
    (error,) = failed.stderr.splitlines()
    assert error.endswith("; query update: 700 of 800 records stored, 200 by this run before it stopped "
                          "(run 2, interrupted); the next review search resumes it"), error
    assert sum(stored_pmids(workspace).values()) == 700


def test_a_search_that_fails_before_storing_says_it_stored_nothing(workspace, monkeypatch):
    write_query(workspace, name="none")
    add_pubmed_settings(workspace, rate_per_second=0, backoff_base=0.001, max_attempts=2)
    with running(synthetic_corpus(50, seed=3), faults=Faults(script=["http_500"] * 2)) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        failed = CliRunner().invoke(main, ["-w", str(workspace.root), "search", "none", "--no-progress"])
    assert failed.exit_code == RetrievalError.exit_code
    (error,) = failed.stderr.splitlines()
    assert "esearch.fcgi: gave up after 2 attempts (http_500)" in error
    assert error.endswith("; query none: no records stored (run 1, interrupted); the next review search resumes it")
    assert sum(stored_pmids(workspace).values()) == 0


def test_progress_asked_for_in_a_log_file_is_a_line_per_step(workspace, monkeypatch):
    """``review search --progress 2> search.log`` (stderr no terminal, as under nohup): click's bar
    printed only the query's name there, so a long search left nothing to follow."""
    corpus = synthetic_corpus(250, seed=8, first_year=2001, last_year=2020)
    write_query(workspace, name="long")
    add_pubmed_settings(workspace, rate_per_second=0, esearch_limit=99, efetch_batch=50)
    with running(corpus, paging_cap=99) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        result = CliRunner().invoke(main, ["-w", str(workspace.root), "search", "long", "--progress"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("review: note:")]
    assert lines[0] == "long: searching PubMed (ESearch)"
    slices = [line for line in lines if line.startswith("long: date slice ")]
    assert len(slices) >= 3 and all(line.endswith(" hits") or line.endswith(" hit") for line in slices)
    assert "long: 250 hits; 0 of 250 records stored" in lines
    assert "long: 50 of 250 records stored" in lines
    assert lines[-1] == "long: 250 of 250 records stored; complete"
    assert "records stored" not in result.stdout  # stdout keeps the table only


def test_records_added_to_pubmed_while_a_search_runs_are_fetched_and_counted(workspace):
    """PubMed adds records between ESearch and a later EFetch whose WebEnv had expired: the search
    is run again, the new PMIDs are fetched once, and the found count follows PubMed's change
    (it kept the first count, so found 500 against 507 retrieved read as an unexplained gap)."""
    corpus = synthetic_corpus(500, seed=17)
    spec = write_query(workspace, name="grows")
    added = [StandInArticle(str(90_000_000 + i), synthetic_article(90_000_000 + i, 2026), date(2026, 1, 1),
                            date(2026, 1, 1)) for i in range(7)]
    with running(corpus) as standin:
        def pubmed_grows_after_the_first_batch(event):
            if event.phase == "fetch" and event.done == 100:
                standin.corpus = StandInCorpus([*standin.corpus.articles.values(), *added])
                standin.expire_webenvs()

        outcome = run_search(workspace, spec, client=quick_client(standin, efetch_batch=100),
                             progress=pubmed_grows_after_the_first_batch)
    counts = stored_pmids(workspace)
    assert len(counts) == 507 and max(counts.values()) == 1
    assert (outcome.hit_count, outcome.retrieved, outcome.new_records) == (507, 507, 507)
    assert any("500 → 507 hits" in warning for warning in outcome.warnings)
    (logged,) = json.loads(workspace.path("queries", "grows.log.json").read_text(encoding="utf-8"))["runs"]
    assert logged["count_changes"] == [{"slice": "all", "before": 500, "after": 507}]
    assert logged["records_found"] == logged["records_retrieved"] == 507 and logged["count_check"]["ok"]
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "searches", "-"])
    assert "PubMed's count changed during the run (the query 500 → 507)" in report.stdout


def test_a_date_slice_whose_count_changes_is_named_as_one(workspace):
    """A sliced search whose last date slice grows while its WebEnv expired: the warning named the slice by its
    dates alone ('(2019/…-…: 60 → 63 hits'), the report as 'date slice …'; both say 'date slice' now."""
    corpus = synthetic_corpus(250, seed=8, first_year=2001, last_year=2020)
    spec = write_query(workspace, name="sliced")
    latest = max(article.edat for article in corpus.articles.values())
    added = [StandInArticle(str(90_000_000 + i), synthetic_article(90_000_000 + i, latest.year, latest.month, latest.day),
                            latest, latest) for i in range(3)]
    with running(corpus, paging_cap=99) as standin:
        def the_last_slice_grows_after_the_first_batch(event):
            if event.phase == "fetch" and event.done == 50:
                standin.corpus = StandInCorpus([*standin.corpus.articles.values(), *added])
                standin.expire_webenvs()

        outcome = run_search(workspace, spec, client=quick_client(standin, esearch_limit=99, efetch_batch=50),
                             progress=the_last_slice_grows_after_the_first_batch)
    (changed,) = [w for w in outcome.warnings if w.startswith("PubMed's count changed during the search")]
    assert changed.startswith("PubMed's count changed during the search (date slice ") and " → " in changed
    (logged,) = json.loads(workspace.path("queries", "sliced.log.json").read_text(encoding="utf-8"))["runs"]
    (change,) = logged["count_changes"]
    assert change["after"] == change["before"] + 3 and outcome.hit_count == 253
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "searches", "-"]).stdout
    assert f"PubMed's count changed during the run (date slice {change['slice']} " in report


def test_records_removed_from_pubmed_after_they_were_stored_are_told_apart(workspace):
    """PubMed removes 4 records this search already stored (a WebEnv searched again finds 496): they stay
    stored and retrieved, the run's counts reconcile, and the log and warnings say so. The count check failed
    and a warning said the slices held 500 PMIDs, which they did not."""
    corpus = synthetic_corpus(500, seed=17)
    spec = write_query(workspace, name="shrinks")
    removed: list[str] = []
    with running(corpus) as standin:
        def pubmed_removes_four_stored_records(event):
            if event.phase == "fetch" and event.done == 100:
                stored = set(stored_pmids(workspace))
                removed[:] = sorted(stored)[:4]
                standin.corpus = StandInCorpus([a for a in standin.corpus.articles.values() if a.pmid not in removed])
                standin.expire_webenvs()

        outcome = run_search(workspace, spec, client=quick_client(standin, efetch_batch=100),
                             progress=pubmed_removes_four_stored_records)
    assert (outcome.hit_count, outcome.retrieved, outcome.new_records) == (496, 500, 500)
    assert not any("the slices hold" in warning for warning in outcome.warnings), outcome.warnings
    assert any(warning.startswith(f"4 records stored by this search left PubMed's result set before it ended "
                                  f"(removed in PubMed: {', '.join(removed)})") for warning in outcome.warnings)
    (logged,) = json.loads(workspace.path("queries", "shrinks.log.json").read_text(encoding="utf-8"))["runs"]
    assert logged["removed_pmids"] == removed and logged["count_changes"] == [{"slice": "all", "before": 500, "after": 496}]
    assert logged["count_check"] == {"esearch_count": 496, "unique_pmids": 500, "ok": True, "removed_during_run": 4}
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "searches", "-"]).stdout
    assert "4 retrieved and stored before PubMed removed them from the result set (retrieved, not found)" in report
    assert "the found and retrieved counts differ" not in report


def test_a_resumed_run_logs_when_it_was_resumed(workspace, corpus_2300):
    """PRISMA-S item 13 (date of the search): what a run resumed the next day fetches comes from PubMed
    as it was then, so the log and the report give each resumption's time, not only a count."""
    spec = write_query(workspace, name="later")

    def kill_after_first_batch(event):
        if event.phase == "fetch" and event.done:
            raise Killed()

    with running(corpus_2300) as standin:
        with pytest.raises(Killed):
            run_search(workspace, spec, client=quick_client(standin), progress=kill_after_first_batch)
        run_search(workspace, spec, client=quick_client(standin))
    (logged,) = json.loads(workspace.path("queries", "later.log.json").read_text(encoding="utf-8"))["runs"]
    assert logged["resumed"] == 1 and len(logged["resumed_at"]) == 1
    assert logged["date_run"] <= logged["resumed_at"][0] <= logged["finished_at"]
    assert logged["resumed_at"][0].endswith("+00:00")
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "searches", "-"]).stdout
    day, clock = logged["resumed_at"][0].split("T")
    assert f"resumed 1× ({day} {clock[:5]} UTC)" in report


def test_a_run_interrupted_on_one_server_is_not_resumed_through_another(workspace):
    """walk24: a search that failed against NCBI (REVIEW_EUTILS_URL not yet set) was resumed through the stand-in,
    and the PRISMA-S report named NCBI's E-utilities as the server of the records the stand-in served. A run
    resumes on the server it started on; on another one it is abandoned, and a new run names its server."""
    spec = write_query(workspace)
    unreachable = EutilsClient(EutilsConfig(base_url=closed_port_url(), rate_per_second=0, backoff_base=0.001))
    with pytest.raises(RetrievalError):
        run_search(workspace, spec, client=unreachable)
    with running(synthetic_corpus(50, seed=3)) as standin:
        outcome = run_search(workspace, spec, client=quick_client(standin))
    assert not outcome.resumed and outcome.new_records == 50
    first, second = search_store.runs(workspace.store, "q")
    assert first["status"] == "abandoned" and first["details"]["abandoned_because"] == "server"
    assert second["status"] == "complete" and second["params"]["client"]["base_url"] == standin.url
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "searches", "-"]).stdout
    assert ("Abandoned: the next run went to another E-utilities server, so it started afresh rather than "
            "resume this one; 0 records stored by it before it stopped (item 15).") in report
    assert f"Server: {standin.url}, not NCBI's E-utilities" in report
