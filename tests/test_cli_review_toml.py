"""Every bad review.toml value exits 2 with one line naming review.toml, the key and the key's line, as every TOML
file of the workspace names a problem (docs/interfaces.md, exit statuses), not 4 as a bad input file would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("toml") / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    assert CliRunner().invoke(main, ["extraction", "init", "-w", str(root)]).exit_code == 0
    yield root


CASES = [
    ("[prisma]\nprevious_studies = -1", ["prisma"],
     "review.toml:prisma.previous_studies: -1: expected a whole number ≥ 0"),
    ("[prisma]\nprevious_reports = true", ["prisma"],
     "review.toml:prisma.previous_reports: True: expected a whole number ≥ 0"),
    ("[prisma]\ntranslations = 3", ["prisma"],
     "review.toml:prisma.translations: 3: expected one table per language"),
    ("[prisma.translations]\nnl = 3", ["prisma"],
     'review.toml:prisma.translations.nl: 3: expected a table of reason = "text"'),
    ("[prisma]\nsources = 3", ["prisma"],
     "review.toml:prisma.sources: 3: expected a table of source name = kind"),
    ("[fulltext]\nreasons = []", ["fulltext", "reasons"],
     "review.toml:fulltext.reasons: []: list the reasons a report can be excluded for "
     "(or remove the line for the defaults)"),
    ('[fulltext]\nreasons = "x"', ["fulltext", "reasons"],
     "review.toml:fulltext.reasons: 'x': expected a list of non-empty strings"),
    ('[fulltext]\nreasons = ["a;b"]', ["fulltext", "reasons"],
     "review.toml:fulltext.reasons: 'a;b': ',' and ';' are not allowed"),
    ('[pubmed]\nemial = "x@y"', ["search"],
     "review.toml:pubmed.emial: unknown key (known: base_url, email, api_key, tool, rate_per_second, "
     "backoff_base, backoff_cap, timeout, max_attempts, efetch_batch, min_efetch_batch, esearch_limit, "
     "log_database_build)"),
    ('[pubmed]\nefetch_batch = "500"', ["search"], "review.toml:pubmed.efetch_batch: '500': expected int"),
    ("[pubmed]\napi_key = 12345", ["search"], "review.toml:pubmed.api_key: (hidden): expected str"),
    # toml32: taken as they stood (a negative rate unpaced every request to NCBI; max_attempts = 0 sent none)
    ("[pubmed]\nrate_per_second = -1", ["search"],
     "review.toml:pubmed.rate_per_second: -1: expected requests per second, 0 or more (0: unpaced, for a local "
     "stand-in)"),
    ("[pubmed]\nmax_attempts = 0", ["search"], "review.toml:pubmed.max_attempts: 0: expected a whole number, 1 or more"),
    # left32b: inf is more than 0, yet "expected seconds, more than 0" said of it (and of nan, no number)
    ("[pubmed]\ntimeout = nan", ["search"], "review.toml:pubmed.timeout: nan: expected a finite number of seconds"),
    ("[pubmed]\ntimeout = inf", ["search"], "review.toml:pubmed.timeout: inf: expected a finite number of seconds"),
    ("[pubmed]\nbackoff_cap = -inf", ["search"],
     "review.toml:pubmed.backoff_cap: -inf: expected a finite number of seconds"),
    ("[pubmed]\nrate_per_second = inf", ["search"],
     "review.toml:pubmed.rate_per_second: inf: expected a finite number of requests per second (0: unpaced, for a "
     "local stand-in)"),
    # toml32: a misspelt key was read by nothing, and the default reasons stood without a word
    ('[fulltext]\nreason = ["Wrong population"]', ["fulltext", "reasons"],
     "review.toml:fulltext.reason: unknown key (known: reasons)"),
    ('[extraction.quips]\ncollapse = "average"', ["extraction", "quips"],
     "review.toml:extraction.quips.collapse: 'average': expected one of grooten, worst_domain"),
    ('[extraction.quips]\nmoderate_for_high = "3"', ["extraction", "quips"],
     "review.toml:extraction.quips.moderate_for_high: '3': expected a whole number ≥ 0"),
    # a traceback (TypeError out of dict()) in review synthesis until toml30
    ("[extraction]\nquips = 3", ["synthesis"], "review.toml:extraction.quips: 3: expected a table ([extraction.quips])"),
    ("[extraction]\nquips = 3", ["extraction", "quips"],
     "review.toml:extraction.quips: 3: expected a table ([extraction.quips])"),
    ("[synthesis]\nconsistency = 0.3", ["synthesis"],
     "review.toml:synthesis.consistency: 0.3: must be in (0.5, 1]"),
    ('[synthesis]\nmin_pool = "two"', ["synthesis"], "review.toml:synthesis.min_pool: 'two': expected a number"),
    # walk28: taken as they stood (an OIS of -1 events, an 'important effect' below 2) or changed without a word
    ("[synthesis]\nmin_pool = 1", ["synthesis"],
     "review.toml:synthesis.min_pool: 1: expected a whole number of studies, at least 2 (one is shown, not pooled)"),
    ("[synthesis.grade]\nimprecision_low = 2", ["synthesis"],
     "review.toml:synthesis.grade.imprecision_low: 2: expected a ratio between 0 and 1 (an important effect "
     "below 1)"),
    ("[synthesis.grade]\nois_events = -1", ["synthesis"],
     "review.toml:synthesis.grade.ois_events: -1: expected a number of events, 0 or more"),
    # walk28: "review.toml:9: synthesis: 'int' object is not iterable", the table's line
    ("[synthesis]\nhigh_quality = 3", ["synthesis"],
     "review.toml:synthesis.high_quality: 3: expected a list of risk-of-bias categories (low, moderate, high), "
     "e.g. [\"low\"]"),
    ("[synthesis]\niwh_quality = 3", ["synthesis"],
     "review.toml:synthesis.iwh_quality: 3: expected a table of risk of bias = H, M or excluded, e.g. "
     "[synthesis.iwh_quality] moderate = \"M\""),
    ("[synthesis]\ngrade = 3", ["synthesis"],
     "review.toml:synthesis.grade: 3: expected a [synthesis.grade] table of GRADE thresholds"),
    ('[synthesis]\nexclude = "high"', ["synthesis"],
     "review.toml:synthesis.exclude: 'high': expected a list of risk-of-bias categories (low, moderate, high), "
     "e.g. [\"low\"]"),
    ('[synthesis]\nrule_set = ["lievense"]', ["synthesis", "--rule-set", "lievense"],
     "review.toml:synthesis.rule_set: ['lievense']: expected the name of a rule set"),
    ('[synthesis]\nrule_set = ["lievense"]', ["synthesis"],
     "review.toml:synthesis.rule_set: ['lievense']: expected the name of a rule set"),
    ("[synthesis]\nconsistancy = 0.75", ["synthesis"],
     "review.toml:synthesis.consistancy: unknown key (known: rule_set, consistency, high_quality, exclude, "
     "unrated_as, ariens_multiple_low_quality, iwh_quality, iwh_moderate_strict, method, hk, hk_adhoc, min_pool, grade)"),
    ("[synthesis.grade]\ni2cut = 50", ["synthesis"],
     "review.toml:synthesis.grade.i2cut: unknown key (known: i2_cut, consistency, imprecision_low, imprecision_high, "
     "large_effect_high, large_effect_low, very_large_effect_high, very_large_effect_low, ois_events)"),
    ('[synthesis]\nhk = "false"', ["synthesis"],
     "review.toml:synthesis.hk: 'false': expected true or false, without quotes"),
    ('[synthesis]\nmethod = "REMLL"', ["synthesis"],
     "review.toml:synthesis.method: 'REMLL': expected one of FE, DL, REML, ML, PM"),
    ('[dedup]\nrelatd = "merge"', ["dedup"], "review.toml:dedup.relatd: unknown key (known: related)"),
    ('[instrument]\nmin_levle = "strong"', ["instrument", "build"],
     "review.toml:instrument.min_levle: unknown setting"),
]


@pytest.mark.parametrize("table,command,message", CASES, ids=[c[0].split("\n")[-1] for c in CASES])
def test_a_bad_review_toml_value_exits_2_naming_the_key(workspace: Path, table: str, command: list[str],
                                                        message: str) -> None:
    config = workspace / "review.toml"
    original = config.read_text(encoding="utf-8")
    written = f"{original}\n{table}\n"
    config.write_text(written, encoding="utf-8")
    try:
        result = CliRunner().invoke(main, [*command, "-w", str(workspace)])
    finally:
        config.write_text(original, encoding="utf-8")
    assert result.exit_code == 2, result.output
    # As every TOML file names a problem, PATH:KEY: what (line N), since 2026-12-07 (PATH:LINE: key = value: what
    # before); the key's line ([instrument]'s too: it was the table's line until earlier that day).
    named = table.split("\n")[-1]
    line = written.split("\n").index(named) + 1
    assert result.stderr == f"review: {message.replace('review.toml', str(config.resolve()), 1)} (line {line})\n"
    assert "12345" not in result.output  # (a mistyped API key is still a secret)


def test_a_table_no_stage_reads_is_named_once(tmp_path: Path) -> None:
    """walk24: `[Screening]` with `stopping_rule = "certified"` (or `[dedupe]`) was read by nothing, without a
    word: the recommended rule stayed in force while the reviewer believed the certified one chosen."""
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    with (root / "review.toml").open("a", encoding="utf-8") as config:
        config.write('\n[Screening]\nstopping_rule = "certified"\n\n[tui]\nretrain = "thread"\n')
    result = CliRunner().invoke(main, ["status", "-w", str(root)])
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "no table" in line]
    # named as a refusal of a setting is, PATH:KEY: what (line N), since 2026-12-07 (it read 'PATH: [Screening] is no
    # table review reads …', no line)
    line = (root / "review.toml").read_text(encoding="utf-8").splitlines().index("[Screening]") + 1
    assert warnings == [f"review: warning: {root / 'review.toml'}:Screening: no table review reads (known: review, "
                        "pubmed, dedup, screening, fulltext, prisma, extraction, synthesis, instrument, tui); its "
                        f"settings are not used (line {line})"]
    with (root / "review.toml").open("a", encoding="utf-8") as config:
        config.write('\n[dedupe]\nrelated = "merge"\n')
    result = CliRunner().invoke(main, ["status", "-w", str(root)])
    assert [line.split(": no table")[0] for line in result.stderr.splitlines() if "no table" in line] == [
        f"review: warning: {root / 'review.toml'}:Screening", f"review: warning: {root / 'review.toml'}:dedupe"]


def test_every_table_a_stage_reads_is_known() -> None:
    """KNOWN_TABLES keeps step with the tables the code reads, so no real table is ever warned about."""
    import re

    from review.workspace import KNOWN_TABLES

    src = Path(__file__).resolve().parents[1] / "src" / "review"
    read = {name for path in src.rglob("*.py")
            for name in re.findall(r'config\.section\("([a-z_]+)"\)', path.read_text(encoding="utf-8"))}
    assert read and read <= set(KNOWN_TABLES), read - set(KNOWN_TABLES)
