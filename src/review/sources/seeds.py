"""``review search NAME --check-seeds FILE``: does a strategy retrieve the studies it must find?

Reviewers validate a strategy against a seed (benchmark) set of known relevant studies, as PRESS
and the Cochrane Handbook recommend.  The check sends the query exactly as ``review search``
would (filters and date limits included) ANDed with the seeds (``[uid]`` per PMID, ``[doi]`` per
record that has a DOI only), at most 200 seeds per request, so PubMed itself says which seeds the
strategy finds.  A missed seed is then run against each top-level block alone (the query's
AND-ed blocks, each filter, the date limits): the block that drops it is the one to revise.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import ImportFormatError, ReviewError, ValidationError
from ..store import searches as search_store
from ..textdecode import decode_text, fallback_warning
from ..timestamps import iso_utc
from ..workspace import Workspace
from .eutils import EutilsClient
from .fields import bare_doi
from .query_blocks import Clause, comment_lines, first_term, split_top_level, strip_comments, unwrap_with_offset
from .search import QuerySpec, client_for, find_query, shown_path, write_search_log

__all__ = ["Seed", "Block", "SeedResult", "SeedCheck", "read_seeds", "strategy_blocks", "check_seeds",
           "run_seed_check", "MAX_SEEDS_PER_REQUEST"]

#: Seeds per ESearch: long id lists go by POST, and PubMed answers 200 ids quickly.
MAX_SEEDS_PER_REQUEST = 200
_PMID_LINE = re.compile(r"^\s*(?:pmid\s*[:=]?\s*)?(\d{1,9})\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Seed:
    """A study the strategy must find: its PMID, or its DOI when the record has no PMID."""

    pmid: str = ""
    doi: str = ""
    title: str = ""
    #: Where in the seed file it was (``line 3``, ``record 2``).
    position: str = ""

    @property
    def term(self) -> str:
        return f"{self.pmid}[uid]" if self.pmid else f'"{self.doi}"[doi]'


@dataclass(slots=True)
class Block:
    """One restriction of the strategy that a seed can fall foul of."""

    number: int
    name: str
    #: ``AND`` (a query block or filter), ``NOT`` (an exclusion) or ``LIMITS`` (date parameters).
    operator: str
    text: str = ""
    params: dict[str, str] = field(default_factory=dict)

    def term(self, seeds_clause: str) -> str:
        """The ESearch term that keeps exactly the seeds this block alone lets through."""
        if self.operator == "NOT":
            return f"{seeds_clause} NOT ({self.text})"
        if self.operator == "LIMITS":
            return seeds_clause
        return f"({self.text}) AND {seeds_clause}"

    @property
    def label(self) -> str:
        return f"block {self.number} ({self.name})"


@dataclass(slots=True)
class SeedResult:
    seed: Seed
    #: The PMID checked: the seed's own, or the one PubMed holds for its DOI ("" if none).
    pmid: str
    found: bool
    #: False when PubMed holds no record for the seed at all; None when not asked (it was found).
    in_pubmed: bool | None = None
    missed_by_blocks: list[int] = field(default_factory=list)
    title: str = ""


@dataclass(slots=True)
class SeedCheck:
    """What one check found; ``recall`` is found / seeds."""

    query_name: str
    term: str
    params: dict[str, str]
    seed_file: str
    seed_file_sha256: str
    blocks: list[Block]
    results: list[SeedResult]
    requests: int
    checked_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    warnings: list[str] = field(default_factory=list)

    @property
    def n_found(self) -> int:
        return sum(r.found for r in self.results)

    @property
    def recall(self) -> float:
        return self.n_found / len(self.results) if self.results else 0.0

    @property
    def missed_pmids(self) -> list[str]:
        return [r.pmid for r in self.results if not r.found and r.pmid]

    @property
    def missed_dois(self) -> list[str]:
        """DOI-only seeds that were missed and that PubMed does not hold under that DOI."""
        return [r.seed.doi for r in self.results if not r.found and not r.pmid]

    def describe(self, result: SeedResult) -> str:
        """``found``, ``missed by block 2 (recurrence terms)``, ``missed (not in PubMed)``."""
        if result.found:
            return "found"
        if result.in_pubmed is False:
            return "missed (not in PubMed)"
        if not result.missed_by_blocks:
            return "missed (no single block loses it)"
        names = {b.number: b.label for b in self.blocks}
        return "missed by " + "; ".join(names[n] for n in result.missed_by_blocks)

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query_name,
            "term": self.term,
            "params": self.params,
            "seed_file": self.seed_file,
            "seed_file_sha256": self.seed_file_sha256,
            "date": iso_utc(self.checked_at),
            "blocks": [{"number": b.number, "name": b.name, "operator": b.operator} for b in self.blocks],
            "seeds": [{"pmid": r.pmid or None, "doi": r.seed.doi or None, "title": r.title, "found": r.found,
                       "in_pubmed": r.in_pubmed, "missed_by_blocks": r.missed_by_blocks} for r in self.results],
            "found": self.n_found,
            "recall": round(self.recall, 4),
            "requests": self.requests,
            "warnings": self.warnings,
        }


# -- the seed file ----------------------------------------------------------------------------

def read_seeds(path: Path | str) -> tuple[list[Seed], str, list[str]]:
    """Seeds, the file's SHA-256 and warnings, from a PMID list (one per line) or any importable file.

    Records with neither PMID nor DOI cannot be checked: each is named in a warning.
    """
    from .importer import read_file, read_input_bytes

    path = Path(path)
    data = read_input_bytes(path)  # a directory, FIFO or device would hang or mislead: refused there
    digest = hashlib.sha256(data).hexdigest()
    listed = _pmid_list(data, path)
    warnings: list[str] = []
    if listed is not None:
        seeds, encoding = listed
    else:
        seeds = []
        read = read_file(path, data=data)  # the bytes hashed above: one read, and the digest is of what was parsed
        encoding = read.encoding
        for number, record in enumerate(read.records, start=1):
            where = record.position or f"record {number}"
            pmid = record.pmid.strip()
            if pmid and not pmid.isdigit():
                raise ValidationError(f"{path}:{where}: PMID {pmid!r} is not a number")
            doi = bare_doi(record.doi)
            if '"' in doi:
                raise ValidationError(f"{path}:{where}: DOI {doi!r} contains a double quote")
            if not pmid and not doi:
                warnings.append(f"{path}:{where}: no PMID or DOI, not checked ({' '.join(record.title.split())[:100] or 'no title'})")
                continue
            seeds.append(Seed(pmid=pmid, doi=doi, title=" ".join(record.title.split()), position=where))
    unique: list[Seed] = []
    seen: set[str] = set()
    for seed in seeds:
        key = seed.pmid or f"doi:{seed.doi.lower()}"
        if key not in seen:
            seen.add(key)
            unique.append(seed)
    if not unique:
        raise ValidationError(f"{path}: no PMIDs or DOIs to check")
    fallback = fallback_warning(path, encoding)
    return unique, digest, ([fallback] if fallback else []) + warnings


def _pmid_list(data: bytes, path: Path) -> tuple[list[Seed], str] | None:
    """Seeds and the encoding from a plain list (PMIDs one per line, ``pmid`` header and ``#`` comments
    allowed), else None.

    Once the list has begun, a line that is not a PMID is an error naming it (not another format).
    """
    try:
        text, encoding = decode_text(data, path)  # the one policy; what it refuses, the importer names
    except ImportFormatError:
        return None
    seeds: list[Seed] = []
    header = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not seeds and not header and stripped.lower() == "pmid":
            header = True
            continue
        match = _PMID_LINE.match(stripped)
        if match is None:
            if seeds or header:
                raise ValidationError(f"{path}:line {number}: {stripped[:40]!r} is not a PMID")
            return None
        seeds.append(Seed(pmid=str(int(match.group(1))), position=f"line {number}"))
    return (seeds, encoding) if seeds or header else None


# -- the strategy's blocks --------------------------------------------------------------------

def strategy_blocks(spec: QuerySpec) -> list[Block]:
    """The query's top-level AND/NOT blocks, then each filter, then the date limits.

    Parentheses around an AND-joined group are dropped (``(A AND B) NOT C`` is three blocks).  A
    query joined by ``OR`` at its top level is one block: PubMed reads left to right, so its
    parts do not each restrict the result.  A block is named by the first comment line inside
    or before it, else by its first term.
    """
    sent = strip_comments(spec.query)
    clauses = _conjuncts(sent, 0, None)
    comments = comment_lines(spec.query)
    blocks: list[Block] = []
    previous_end = -1
    for clause in clauses:
        end = clause.start + len(clause.text)
        named = next((text for at, text in comments if previous_end < at < end and text), "")
        previous_end = end
        text = " ".join(clause.text.split())
        blocks.append(Block(len(blocks) + 1, named or first_term(text), clause.operator or "AND", text))
    for name, clause_text in spec.filters.items():
        clause_text = " ".join(clause_text.split())
        if clause_text.upper().startswith("NOT "):
            blocks.append(Block(len(blocks) + 1, f"filter {name}", "NOT", clause_text[4:].strip()))
        else:
            blocks.append(Block(len(blocks) + 1, f"filter {name}", "AND", clause_text))
    params = spec.esearch_params
    if params:
        span = f"{spec.mindate or '…'}–{spec.maxdate or '…'}"
        blocks.append(Block(len(blocks) + 1, f"date limit {params['datetype']} {span}", "LIMITS", params=params))
    return blocks


def _conjuncts(text: str, offset: int, operator: str | None) -> list[Clause]:
    """``text`` as AND/NOT-joined clauses (offsets into the whole query); one clause if OR joins it."""
    body, lead = unwrap_with_offset(text)
    clauses = split_top_level(body)
    if len(clauses) < 2 or any(c.operator == "OR" for c in clauses):
        return [Clause(operator, body, offset + lead)] if body else []
    flat: list[Clause] = []
    for index, clause in enumerate(clauses):
        joined = operator if index == 0 else clause.operator
        if joined == "NOT":  # NOT (A AND B) is one restriction
            inner, shift = unwrap_with_offset(clause.text)
            flat.append(Clause("NOT", inner, offset + lead + clause.start + shift))
        else:
            flat.extend(_conjuncts(clause.text, offset + lead + clause.start, joined))
    return flat


# -- the check --------------------------------------------------------------------------------

def check_seeds(client: EutilsClient, spec: QuerySpec, seeds: Sequence[Seed], *, seed_file: str = "",
                seed_file_sha256: str = "", batch_size: int = MAX_SEEDS_PER_REQUEST) -> SeedCheck:
    """Run the check against PubMed (or the stand-in); stores nothing."""
    if not 1 <= batch_size <= MAX_SEEDS_PER_REQUEST:
        raise ValueError(f"batch_size must be 1..{MAX_SEEDS_PER_REQUEST}")
    before = client.stats.total
    term, params = spec.term, spec.esearch_params
    tolerate = _not_found_filter(seeds)
    warnings: list[str] = []

    def matching(pieces: Sequence[Seed], make_term: Callable[[str], str], extra: dict[str, str]) -> set[str]:
        """PMIDs of the records the term keeps, one ESearch per batch of seeds."""
        kept: set[str] = set()
        for batch in _batches(pieces, batch_size):
            clause = "(" + " OR ".join(s.term for s in batch) + ")"
            result = client.esearch(make_term(clause), retmax=2 * len(batch) + 10, usehistory=False,
                                    extra=extra, tolerate=tolerate)
            warnings.extend(w for w in result.warnings if w not in warnings)
            kept.update(result.ids)
        return kept

    by_pmid = {s.pmid: s for s in seeds if s.pmid}
    dois = {s.doi.lower(): s for s in seeds if not s.pmid}
    resolved: dict[str, str] = {}  # lower-case DOI of a DOI-only seed → PMID
    titles: dict[str, str] = {}

    def describe(pmids: set[str], *, with_titles: bool) -> None:
        """EFetch what the file does not say: PMIDs of DOI-only seeds (and titles of bare PMIDs)."""
        wanted = sorted(p for p in pmids if (p not in by_pmid and dois and p not in titles)
                        or (with_titles and p in by_pmid and not by_pmid[p].title and p not in titles))
        for batch in _batches(wanted, batch_size):
            for record in client.efetch_ids(batch).records:
                titles[record.pmid] = " ".join(record.title.split())
                doi = bare_doi(record.doi).lower()
                if doi in dois:
                    resolved[doi] = record.pmid

    def pmid_of(seed: Seed) -> str:
        return seed.pmid or resolved.get(seed.doi.lower(), "")

    hits = matching(seeds, lambda clause: f"({term}) AND {clause}", params)
    describe(hits, with_titles=False)
    missed = [s for s in seeds if pmid_of(s) not in hits or not pmid_of(s)]
    in_pubmed = set(hits)
    if missed:
        # Is each missed seed in PubMed at all?  Only those that are can be lost by a block.
        in_pubmed |= matching(missed, lambda clause: clause, {})
    describe(in_pubmed, with_titles=True)
    results = []
    for seed in seeds:
        pmid = pmid_of(seed)
        found = bool(pmid) and pmid in hits
        results.append(SeedResult(seed, pmid, found, None if found else bool(pmid) and pmid in in_pubmed,
                                  title=seed.title or titles.get(pmid, "")))
    blocks = strategy_blocks(spec)
    lost = [r for r in results if not r.found and r.in_pubmed]
    if lost:
        targets = [Seed(pmid=r.pmid) for r in lost]
        for block in blocks:
            kept = matching(targets, block.term, block.params)
            for result in lost:
                if result.pmid not in kept:
                    result.missed_by_blocks.append(block.number)
    return SeedCheck(spec.name, term, params, seed_file, seed_file_sha256, blocks, results,
                     client.stats.total - before, warnings=warnings)


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _not_found_filter(seeds: Sequence[Seed]) -> Callable[[str], bool]:
    """Accepts PubMed's ``PhraseNotFound`` for a seed's own identifier: that seed is simply not in PubMed."""
    known = {s.doi.lower() for s in seeds if s.doi} | {s.pmid for s in seeds if s.pmid}

    def tolerate(phrase: str) -> bool:
        core = re.sub(r"\[[^\]]*\]\s*$", "", phrase.strip()).strip().strip('"').strip().lower()
        return core in known

    return tolerate


# -- the workspace entry point ----------------------------------------------------------------

def run_seed_check(workspace: Workspace, name: str, seed_file: Path | str, *,
                   client: EutilsClient | None = None) -> SeedCheck:
    """Check query ``name`` against the seeds in ``seed_file``; logged in the store and the PRISMA-S log."""
    spec = find_query(workspace, name)
    seeds, digest, warnings = read_seeds(seed_file)
    client = client or client_for(workspace)
    path = Path(seed_file).resolve()
    shown = path.relative_to(workspace.root).as_posix() if path.is_relative_to(workspace.root) else str(path)
    # (--json OUT may be kept with the review: a file outside the workspace by its name, as in the log)
    check = check_seeds(client, spec, seeds, seed_file=shown_path(shown), seed_file_sha256=digest)
    check.warnings[:0] = warnings
    search_store.add_seed_check(
        workspace.store, query_name=spec.name, term=check.term, params=check.params, seed_file=shown,
        seed_file_sha256=digest, n_seeds=len(check.results), n_found=check.n_found, recall=check.recall,
        requests=check.requests, checked_at=check.checked_at,
        details={"server": client.config.base_url,  # (the report names a stand-in's check as not PubMed's)
                 "missed_pmids": check.missed_pmids, "missed_dois": check.missed_dois,
                 "blocks": [{"number": b.number, "name": b.name, "operator": b.operator} for b in check.blocks],
                 "seeds": check.as_json()["seeds"], "warnings": check.warnings},
    )
    write_search_log(workspace, spec)
    return check


def require_recall(check: SeedCheck, minimum: float) -> None:
    """Raise (exit status 5) when the check's recall is below ``minimum``."""
    if check.recall < minimum:
        raise SeedRecallError(f"{check.query_name}: relative recall {check.n_found}/{len(check.results)} = "
                              f"{check.recall:.3f} is below --min-recall {minimum:g}")


class SeedRecallError(ReviewError):
    """The strategy misses more seeds than allowed."""

    title = "Seed check"
    exit_code = 5
