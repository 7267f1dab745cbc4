"""``review search NAME --check-seeds FILE`` against the stand-in: found, missed, the block that lost a seed."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.cli import main
from review.errors import ImportFormatError, ValidationError
from review.sources.eutils import EutilsClient, EutilsConfig
from review.sources.query_blocks import split_top_level, strip_comments
from review.sources.search import load_query, search_status
from review.sources.seeds import check_seeds, read_seeds, run_seed_check, strategy_blocks
from review.sources.standin import StandInArticle, StandInCorpus, running, synthetic_article
from review.store import searches as search_store
from review.timestamps import iso_utc

QUERY = """
# sick leave terms
(sick leave[tiab] OR absence[tiab])
AND
# recurrence terms
(recurren*[tiab])
"""
FILTERS = '[filters]\nhumans = "NOT (animals[mh])"\n'


class SpyClient(EutilsClient):
    """Records every ESearch term, to count the seeds in each request."""

    def __init__(self, config: EutilsConfig) -> None:
        super().__init__(config)
        self.terms: list[str] = []

    def esearch(self, term, **kwargs):  # type: ignore[no-untyped-def]
        self.terms.append(term)
        return super().esearch(term, **kwargs)


def client(standin) -> SpyClient:
    return SpyClient(EutilsConfig(base_url=standin.url, rate_per_second=0, backoff_base=0.001, timeout=5))


def corpus_of(n: int, *, old: set[int] = frozenset(), dois: dict[int, str] | None = None) -> StandInCorpus:
    """Records 1..n from 2015 (``old`` ones from 1995), titled "Study <pmid>"."""
    articles = []
    for pmid in range(1, n + 1):
        year = 1995 if pmid in old else 2015
        xml = synthetic_article(pmid, year, title=f"Study {pmid}", doi=(dois or {}).get(pmid, ""))
        articles.append(StandInArticle(str(pmid), xml, date(year, 1, 1), date(year, 1, 1), (dois or {}).get(pmid, "")))
    return StandInCorpus(articles)


def write_query(workspace, extra: str = "", name: str = "strategy"):
    path = workspace.path("queries", f"{name}.toml")
    path.write_text(f'name = "{name}"\nquery = """{QUERY}"""\n{extra}', encoding="utf-8")
    return load_query(path)


def blocks_map(everything: range, *, not_sick: set[int] = frozenset(), not_recurrent: set[int] = frozenset(),
               animals: set[int] = frozenset()) -> dict[str, list[str]]:
    return {
        "sick leave[tiab] OR absence[tiab]": [str(p) for p in everything if p not in not_sick],
        "recurren*[tiab]": [str(p) for p in everything if p not in not_recurrent],
        "animals[mh]": [str(p) for p in animals],
    }


def test_found_missed_and_the_block_that_lost_each_seed(workspace, tmp_path):
    spec = write_query(workspace, 'mindate = "2000"\n' + FILTERS)
    assert spec.term == "((sick leave[tiab] OR absence[tiab]) AND (recurren*[tiab])) NOT (animals[mh])"
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("pmid\n1\n2\n# lost by one block each:\n3\n4\n5\n6\n99999\n7\n", encoding="utf-8")
    term_map = blocks_map(range(1, 41), not_sick={3}, not_recurrent={4, 7}, animals={5})
    with running(corpus_of(40, old={6, 7}), term_map=term_map) as standin:
        spy = client(standin)
        check = run_seed_check(workspace, "strategy", seeds, client=spy)
        requests = dict(standin.requests)
    assert spy.terms[0] == f"({spec.term}) AND (1[uid] OR 2[uid] OR 3[uid] OR 4[uid] OR 5[uid] OR 6[uid] OR 99999[uid] OR 7[uid])"
    by_pmid = {r.pmid: r for r in check.results}
    assert [p for p, r in by_pmid.items() if r.found] == ["1", "2"]
    assert {p: r.missed_by_blocks for p, r in by_pmid.items() if not r.found} == {
        "3": [1], "4": [2], "5": [3], "6": [4], "7": [2, 4], "99999": []}
    assert by_pmid["99999"].in_pubmed is False and check.describe(by_pmid["99999"]) == "missed (not in PubMed)"
    assert check.describe(by_pmid["4"]) == "missed by block 2 (recurrence terms)"
    assert check.describe(by_pmid["6"]) == "missed by block 4 (date limit pdat 2000–…)"
    assert check.describe(by_pmid["5"]) == "missed by block 3 (filter humans)"
    assert by_pmid["3"].title == "Study 3" and check.recall == pytest.approx(2 / 8)
    # check + existence of the missed + one per block (2 query blocks, filter, date limit); one EFetch for titles
    assert requests == {"esearch": 6, "efetch": 1} and check.requests == 7
    (stored,) = search_store.seed_checks(workspace.store, "strategy")
    assert stored["seed_file_sha256"] == hashlib.sha256(seeds.read_bytes()).hexdigest()
    log = json.loads(workspace.path("queries", "strategy.log.json").read_text())
    (entry,) = log["seed_checks"]
    assert entry["recall"] == 0.25 and entry["missed_pmids"] == ["3", "4", "5", "6", "99999", "7"]
    assert entry["seed_file_sha256"] == stored["seed_file_sha256"] and entry["date"].startswith("20")
    # one moment, one written form: --check-seeds --json and the log carry the same date
    assert check.as_json()["date"] == entry["date"] == iso_utc(check.checked_at)


def test_doi_only_seeds_use_doi_terms_and_resolve_to_pmids(workspace, tmp_path):
    spec = write_query(workspace)
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("pmid,doi,title\n"
                     "1,10.5555/one,Study one\n"
                     ",https://doi.org/10.5555/Two,\n"
                     ",10.5555/three,Study three (lost by block 2)\n"
                     ",10.9999/not-in-pubmed,An unindexed report\n"
                     ",,A record without any identifier\n", encoding="utf-8")
    dois = {1: "10.5555/one", 2: "10.5555/two", 3: "10.5555/three"}
    with running(corpus_of(10, dois=dois), term_map=blocks_map(range(1, 11), not_recurrent={3})) as standin:
        spy = client(standin)
        check = check_seeds(spy, spec, read_seeds(seeds)[0])
    assert '"10.5555/Two"[doi]' in spy.terms[0] and "1[uid]" in spy.terms[0] and "10.5555/one" not in spy.terms[0]
    rows = [(r.pmid, r.seed.doi, r.found, r.missed_by_blocks, r.in_pubmed) for r in check.results]
    assert rows == [("1", "10.5555/one", True, [], None), ("2", "10.5555/Two", True, [], None),
                    ("3", "10.5555/three", False, [2], True), ("", "10.9999/not-in-pubmed", False, [], False)]
    assert check.results[1].title == "Study 2"  # taken from PubMed when the file has none
    assert check.missed_pmids == ["3"] and check.missed_dois == ["10.9999/not-in-pubmed"]
    assert any("PhraseNotFound" in w for w in check.warnings)
    _, _, warnings = read_seeds(seeds)
    assert len(warnings) == 1 and "line 6" in warnings[0] and "no PMID or DOI" in warnings[0]


def test_more_than_200_seeds_go_in_batches_of_200(workspace, tmp_path):
    spec = write_query(workspace)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(str(p) for p in range(1, 451)) + "\n", encoding="utf-8")
    with running(corpus_of(500), term_map=blocks_map(range(1, 501), not_sick={10, 250, 449})) as standin:
        spy = client(standin)
        check = check_seeds(spy, spec, read_seeds(seeds)[0])
        assert standin.requests == {"esearch": 3 + 1 + 2, "efetch": 3}  # 3 batches, existence, 2 blocks; titles
    assert [t.count("[uid]") for t in spy.terms] == [200, 200, 50, 3, 3, 3]
    assert check.n_found == 447 and check.missed_pmids == ["10", "250", "449"]
    assert all(r.missed_by_blocks == [1] for r in check.results if not r.found)


def test_all_found_costs_one_request_per_200_seeds(workspace, tmp_path):
    spec = write_query(workspace)
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("pmid,title\n" + "".join(f"{p},Study {p}\n" for p in range(1, 13)), encoding="utf-8")
    with running(corpus_of(20)) as standin:
        check = check_seeds(client(standin), spec, read_seeds(seeds)[0])
        assert standin.requests == {"esearch": 1}
    assert check.recall == 1.0 and check.missed_pmids == []


def test_cli_prints_each_seed_writes_json_and_min_recall_sets_exit_status(workspace, monkeypatch):
    write_query(workspace)
    seeds = workspace.path("queries", "seeds.txt")
    seeds.write_text("1\n2\n3\n4\n", encoding="utf-8")
    out = workspace.root / "check.json"
    runner = CliRunner()
    with running(corpus_of(10), term_map=blocks_map(range(1, 11), not_recurrent={4})) as standin:
        monkeypatch.setenv("REVIEW_EUTILS_URL", standin.url)
        base = ["-w", str(workspace.root), "search", "strategy", "--check-seeds", str(seeds)]
        passed = runner.invoke(main, [*base, "--json", str(out), "--min-recall", "0.75"])
        failed = runner.invoke(main, [*base, "--min-recall", "0.8"])
        piped = runner.invoke(main, [*base, "--json", "-"])
        unwritable = runner.invoke(main, [*base, "--json", str(workspace.root / "queries" / "seeds.txt" / "c.json")])
        settings_file = (workspace.root / "review.toml").read_bytes()
        own = runner.invoke(main, [*base, "--json", str(workspace.root / "review.toml")])
        made = runner.invoke(main, [*base, "--json", str(workspace.root / "no" / "such" / "dir.json")])
        misuse = runner.invoke(main, ["-w", str(workspace.root), "search", "--min-recall", "0.8"])
    assert passed.exit_code == 0, passed.output
    lines = passed.stdout.splitlines()
    assert lines[0] == "pmid\tresult\ttitle"
    assert lines[1:5] == ["1\tfound\tStudy 1", "2\tfound\tStudy 2", "3\tfound\tStudy 3",
                          "4\tmissed by block 2 (recurrence terms)\tStudy 4"]
    assert lines[5] == "recall\t3/4\t0.750"
    data = json.loads(out.read_text())
    assert {"query", "seeds", "recall", "requests"} <= set(data) and data["recall"] == 0.75
    assert data["seeds"][3] == {"pmid": "4", "doi": None, "title": "Study 4", "found": False, "in_pubmed": True,
                                "missed_by_blocks": [2]}
    assert failed.exit_code == 5 and "below --min-recall 0.8" in failed.stderr
    assert json.loads(piped.stdout)["recall"] == 0.75 and "recall\t3/4\t0.750" in piped.stderr
    assert unwritable.exit_code == 1 and "cannot write" in unwritable.stderr  # as every unwritable output (interfaces.md)
    # the workspace's own review.toml is no output (it was replaced by the JSON); a missing folder is made, as
    # for every output (it was refused here alone, "no folder")
    assert own.exit_code == 2 and "is the workspace's review.toml" in own.stderr
    assert (workspace.root / "review.toml").read_bytes() == settings_file
    assert made.exit_code == 0 and json.loads((workspace.root / "no" / "such" / "dir.json").read_text())["recall"] == 0.75
    status = search_status(workspace)  # `review status` lines: the query was only seed-checked
    assert status[0] == "search     1 query" and "seed check 3/4 found" in status[1]  # (said "0 queries")
    assert misuse.exit_code == 2 and "--check-seeds" in misuse.output
    assert len(search_store.seed_checks(workspace.store)) == 4  # the refused --json ran nothing


def test_a_seed_file_that_is_not_a_regular_file_is_refused(tmp_path):
    import os

    fifo = tmp_path / "seeds.fifo"
    os.mkfifo(fifo)
    with pytest.raises(ImportFormatError, match="not a regular file"):
        read_seeds(fifo)
    with pytest.raises(ImportFormatError, match="no such file"):
        read_seeds(tmp_path / "missing.txt")


@pytest.mark.parametrize("body, message", [
    ("pmid,title\nPMC123,A study\n", "is not a number"),
    ("pmid,title\n,No identifier\n", "no PMIDs or DOIs"),
    ("12345\n23456\n3456x\n", "line 3: '3456x' is not a PMID"),
    ("pmid\n", "no PMIDs or DOIs"),
])
def test_bad_seed_files_name_the_file(tmp_path, body, message):
    path = tmp_path / "seeds.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValidationError, match=message) as info:
        read_seeds(path)
    assert str(path) in str(info.value)


def test_blocks_named_by_comment_or_first_term_and_or_queries_are_one_block(workspace):
    spec = write_query(workspace)
    assert strip_comments(spec.query).count("#") == 0
    assert [(b.number, b.name) for b in strategy_blocks(spec)] == [(1, "sick leave terms"), (2, "recurrence terms")]
    path = workspace.path("queries", "plain.toml")
    path.write_text('query = "((a[tiab] OR b[tiab]) AND c[mh]) NOT d[pt]"\n', encoding="utf-8")
    assert [(b.name, b.operator, b.text) for b in strategy_blocks(load_query(path))] == [
        ("a[tiab]", "AND", "a[tiab] OR b[tiab]"), ("c[mh]", "AND", "c[mh]"), ("d[pt]", "NOT", "d[pt]")]
    path.write_text('query = "#1 AND x[tiab] OR y[tiab]"\n', encoding="utf-8")  # history refs stay in the term
    (only,) = strategy_blocks(load_query(path))
    assert only.text == "#1 AND x[tiab] OR y[tiab]"
    assert [c.text for c in split_top_level('"a AND b"[tiab] AND (c OR d) NOT e')] == ['"a AND b"[tiab]', "(c OR d)", "e"]


def test_programme_strategy_blocks_are_named():
    from pathlib import Path

    spec = load_query(Path(__file__).resolve().parents[2] / "queries" / "recurrent_cmd_sickness_absence.toml")
    assert [b.name for b in strategy_blocks(spec)] == [
        "sickness absence / return to work", "recurrence / relapse / sustained return", "common mental disorders",
        "filter exclude_animal_only"]
    assert "#" not in spec.term


def test_programme_seeds_are_the_included_studies_with_their_recorded_identifiers():
    """queries/seeds.csv holds every study in extraction/studies, with exactly the PMID and DOI it records."""
    import csv
    import tomllib
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    with (repo / "queries" / "seeds.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["study"]: (row["pmid"], row["doi"]) for row in csv.DictReader(handle)}
    studies = {}
    for path in (repo / "extraction" / "studies").glob("*.toml"):
        study = tomllib.loads(path.read_text(encoding="utf-8"))["study"]
        studies[study["id"]] = (study.get("pmid", ""), study.get("doi", ""))
    assert rows == studies, "queries/seeds.csv is out of step with extraction/studies (study, pmid, doi)"
    seeds, _, warnings = read_seeds(repo / "queries" / "seeds.csv")
    assert len(seeds) == sum(1 for pmid, doi in studies.values() if pmid or doi)
    assert len(warnings) == sum(1 for pmid, doi in studies.values() if not pmid and not doi)


ATOMS = {"a[tiab]": {1, 2, 3, 4}, "b[mh]": {3, 4, 5}, '"c d"[tiab]': {1, 5, 6}, "e*[tw]": {2, 6}}
expressions = st.recursive(
    st.sampled_from(sorted(ATOMS)),
    lambda inner: st.lists(st.tuples(st.sampled_from(["AND", "OR", "NOT"]), inner), min_size=1, max_size=3).flatmap(
        lambda rest: inner.map(lambda first: (first, rest))),
    max_leaves=8,
)


def render(expr) -> str:
    if isinstance(expr, str):
        return expr
    first, rest = expr
    parts = [_operand(first)] + [f"{op} {_operand(e)}" for op, e in rest]
    return "\n ".join(parts)


def _operand(expr) -> str:
    return expr if isinstance(expr, str) else f"( {render(expr)} )"


def evaluate(expr) -> set[int]:
    """PubMed's reading: left to right, parentheses first."""
    if isinstance(expr, str):
        return ATOMS[expr]
    value = evaluate(expr[0])
    for op, operand in expr[1]:
        other = evaluate(operand)
        value = value & other if op == "AND" else value | other if op == "OR" else value - other
    return value


@pytest.fixture(scope="module")
def six_records():
    corpus = corpus_of(6)
    term_map = {atom: [str(p) for p in pmids] for atom, pmids in ATOMS.items()}
    with running(corpus, term_map=term_map) as standin:
        yield standin


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expr=expressions)
def test_stand_in_and_splitter_read_queries_left_to_right(six_records, expr):
    selected = six_records._select(render(expr), [])
    assert selected is not None and {int(p) for p in selected} == evaluate(expr)


def test_transient_faults_do_not_change_the_answer(workspace, tmp_path):
    from review.sources.standin import Faults

    spec = write_query(workspace)
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("pmid,doi,title\n1,,One\n,10.5555/two,Two\n3,,Three\n", encoding="utf-8")
    faults = Faults(script=("http_429", "error_body", "truncated", "http_502", "invalid_xml"), retry_after=0)
    with running(corpus_of(5, dois={2: "10.5555/two"}), term_map=blocks_map(range(1, 6), not_sick={3}),
                 faults=faults) as standin:
        check = check_seeds(client(standin), spec, read_seeds(seeds)[0])
        assert sum(standin.faults_injected.values()) == 5
    assert [(r.pmid, r.found, r.missed_by_blocks) for r in check.results] == [("1", True, []), ("2", True, []),
                                                                             ("3", False, [1])]


def test_a_seed_file_is_read_once_and_its_digest_is_of_the_bytes_parsed(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("pmid,title\n12,One\n34,Two\n", encoding="utf-8")
    reads = []
    real_read_bytes = Path.read_bytes

    def counting_read_bytes(self):
        reads.append(self)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting_read_bytes)
    found, digest, _ = read_seeds(seeds)
    assert reads == [seeds]
    assert [s.pmid for s in found] == ["12", "34"]
    assert digest == hashlib.sha256(seeds.read_bytes()).hexdigest()


def test_a_seed_check_on_a_stand_in_is_not_reported_as_pubmeds(workspace, tmp_path):
    """walk24: `review search NAME --check-seeds` through the stand-in was reported in the PRISMA-S appendix as "1 of 2
    known studies retrieved (relative recall 0.500)", the strategy's recall in PubMed for a reader; the server is kept
    with the check (log: `server`) and the report says it was not NCBI's."""
    from click.testing import CliRunner

    from review.cli import main

    write_query(workspace)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("pmid\n1\n99999\n", encoding="utf-8")
    with running(corpus_of(5)) as standin:
        run_seed_check(workspace, "strategy", seeds, client=client(standin))
    (entry,) = json.loads(workspace.path("queries", "strategy.log.json").read_text())["seed_checks"]
    assert entry["server"] == standin.url
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "searches", "-"]).stdout
    (line,) = [line for line in report.splitlines() if line.startswith("- Seed check ")]
    assert line.endswith(f"; missed PMIDs 99999; checked on {standin.url}, not NCBI's E-utilities (a stand-in or a "
                         "proxy): not PubMed's answer"), line
