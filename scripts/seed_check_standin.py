"""Run ``review search NAME --check-seeds queries/seeds.csv`` against the E-utilities stand-in.

PubMed is not reachable here, so this shows what the check sends and prints, not whether the
strategy's MeSH and free-text terms retrieve the seeds: the stand-in matches every term it does
not know to its whole corpus.  The corpus holds one synthetic record per seed (PMID seeds under
their own PMID; DOI-only seeds under stand-in PMIDs from 990000001, which exist nowhere else) and
``--noise`` unrelated records.  ``--simulate-miss STUDY:BLOCK`` makes the stand-in's block BLOCK
drop that study's record, to show how a miss is reported; the output says it is simulated.

    python scripts/seed_check_standin.py [--query NAME] [--seeds FILE] [--simulate-miss sado2014:2]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STANDIN_PMIDS = 990_000_001


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="recurrent_cmd_sickness_absence")
    parser.add_argument("--seeds", type=Path, default=REPO / "queries" / "seeds.csv")
    parser.add_argument("--noise", type=int, default=500)
    parser.add_argument("--simulate-miss", action="append", default=[], metavar="STUDY:BLOCK")
    args = parser.parse_args(argv)

    from review.cli import main as review
    from review.services.workspace import create_store
    from review.sources.search import load_query
    from review.sources.seeds import read_seeds, strategy_blocks
    from review.sources.standin import StandInArticle, StandInCorpus, running, synthetic_article, synthetic_corpus

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        (workspace / "queries").mkdir(parents=True)
        shutil.copy(REPO / "review.toml", workspace / "review.toml")
        for query in (REPO / "queries").glob("*.toml"):
            shutil.copy(query, workspace / "queries" / query.name)
        seeds_copy = workspace / "queries" / args.seeds.name
        shutil.copy(args.seeds, seeds_copy)
        create_store(workspace)  # (a copied review.toml: no command creates its store unasked)

        seeds, _, _ = read_seeds(seeds_copy)
        studies = _studies_by_identifier(seeds_copy)
        articles, pmid_of = [], {}
        for offset, seed in enumerate(seeds):
            pmid = seed.pmid or str(STANDIN_PMIDS + offset)
            pmid_of[studies.get(seed.pmid or seed.doi.lower(), "")] = pmid
            xml = synthetic_article(pmid, 2014, title=f"[stand-in] {seed.title}", doi=seed.doi)
            articles.append(StandInArticle(pmid, xml, date(2014, 1, 1), date(2014, 1, 1), seed.doi))
        articles += list(synthetic_corpus(args.noise, seed=23, first_pmid=30_000_001).articles.values())

        spec = load_query(workspace / "queries" / f"{args.query}.toml")
        blocks = {b.number: b for b in strategy_blocks(spec)}
        everything = [a.pmid for a in articles]
        term_map: dict[str, list[str]] = {}
        for item in args.simulate_miss:
            study, _, number = item.partition(":")
            block = blocks[int(number)]
            kept = term_map.setdefault(block.text, list(everything))
            if study not in pmid_of:
                parser.error(f"--simulate-miss: no seed for study {study!r} (known: {', '.join(sorted(pmid_of))})")
            kept.remove(pmid_of[study])
            print(f"# simulated: the stand-in's block {block.number} ({block.name}) drops {study}", file=sys.stderr)

        with running(StandInCorpus(articles), term_map=term_map) as standin:
            os.environ["REVIEW_EUTILS_URL"] = standin.url
            os.environ.pop("NCBI_API_KEY", None)
            config = workspace / "review.toml"
            config.write_text(config.read_text().replace("[pubmed]", "[pubmed]\nrate_per_second = 0"), encoding="utf-8")
            try:
                review(["-w", str(workspace), "search", args.query, "--check-seeds", str(seeds_copy)],
                       standalone_mode=False)
            except SystemExit as stop:
                return int(stop.code or 0)
            print(f"# stand-in requests: {dict(standin.requests)}", file=sys.stderr)
    return 0


def _studies_by_identifier(path: Path) -> dict[str, str]:
    """PMID or lower-case DOI → the ``study`` column, for --simulate-miss."""
    found = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row.get("pmid") or "").strip() or (row.get("doi") or "").strip().lower()
            if key:
                found[key] = row.get("study", "")
    return found


if __name__ == "__main__":
    sys.exit(main())
