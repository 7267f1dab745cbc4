"""Per-field similarity of candidate pairs, computed column-wise with rapidfuzz ``cpdist``.

Similarities are 0–100; ``NaN`` means the field is missing in one record, which is
evidence of nothing (an ahead-of-print record has no pages yet).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from .normalise import journal_similarity
from .prepare import Prepared

#: Field states for exact-comparison fields.
MISSING, EQUAL, DIFFERENT = 0, 1, 2
#: Author lists are compared on at most this many names (truncated lists, "et al").
MAX_AUTHORS = 8
#: Shorter titles than this are not compared as a prefix of the longer (subtitle missing).
MIN_PREFIX = 30
_WORKERS = 1


@dataclass(slots=True)
class PairFeatures:
    """Column arrays, one entry per candidate pair ``(left[k], right[k])``."""

    left: np.ndarray
    right: np.ndarray
    title: np.ndarray
    title_prefix: np.ndarray
    authors: np.ndarray
    first_author: np.ndarray
    single_author: np.ndarray
    journal: np.ndarray
    year_gap: np.ndarray
    volume: np.ndarray
    pages: np.ndarray
    doi: np.ndarray
    doi_shared: np.ndarray
    pmid: np.ndarray
    abstract: np.ndarray

    def __len__(self) -> int:
        return len(self.left)

    def row(self, k: int) -> dict[str, float | int | bool]:
        """One pair's features as plain Python values (for explanations and storage)."""
        out: dict[str, float | int | bool] = {}
        for name in ("title", "title_prefix", "authors", "journal", "year_gap", "abstract"):
            value = float(getattr(self, name)[k])
            out[name] = round(value, 1) if value == value else float("nan")
        for name in ("first_author", "single_author", "doi_shared"):
            out[name] = bool(getattr(self, name)[k])
        for name in ("volume", "pages", "doi", "pmid"):
            out[name] = int(getattr(self, name)[k])
        return out


def _cpdist(a: list[str], b: list[str], scorer: object = fuzz.ratio) -> np.ndarray:
    if not a:
        return np.empty(0, dtype=np.float32)
    return process.cpdist(a, b, scorer=scorer, workers=_WORKERS, dtype=np.float32)


def _exact(values: list[str], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    out = np.zeros(len(left), dtype=np.int8)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist())):
        a, b = values[i], values[j]
        if a and b:
            out[k] = EQUAL if a == b else DIFFERENT
    return out


def shared_dois(prep: Prepared) -> set[str]:
    """DOIs carried by records with clearly different titles: supplement or misattached DOIs."""
    by_doi: dict[str, set[str]] = defaultdict(set)
    for doi, compact, generic in zip(prep.doi, prep.compact, prep.generic):
        if doi:
            by_doi[doi].add("" if generic else compact[:24])
    shared = set()
    for doi, titles in by_doi.items():
        titles.discard("")
        if len(titles) > 1:
            keys = sorted(titles)
            if any(fuzz.ratio(keys[0], other) < 80 for other in keys[1:]) or len(keys) > 2:
                shared.add(doi)
    return shared


def _pages(prep: Prepared, left: list[int], right: list[int]) -> np.ndarray:
    out = np.zeros(len(left), dtype=np.int8)
    pages = prep.pages
    for k, (i, j) in enumerate(zip(left, right)):
        a, b = pages[i], pages[j]
        if not a.start or not b.start:
            continue
        if a.start == b.start or ((a.alternatives or b.alternatives) and a.starts() & b.starts()):
            out[k] = EQUAL
        elif a.start[:1].isdigit() != b.start[:1].isdigit() or a.uncertain != b.uncertain:
            continue  # "e1234" vs "12", or a date-mangled range against a real one: not comparable
        else:
            out[k] = DIFFERENT
    return out


def score_pairs(prep: Prepared, pairs: np.ndarray) -> PairFeatures:
    """Similarity of every field for every candidate pair."""
    left_arr = pairs[:, 0].astype(np.int64)
    right_arr = pairs[:, 1].astype(np.int64)
    left, right = left_arr.tolist(), right_arr.tolist()
    n = len(left)
    titles_a = [prep.title[i] for i in left]
    titles_b = [prep.title[j] for j in right]
    compact_a = [prep.compact[i] for i in left]
    compact_b = [prep.compact[j] for j in right]
    title = np.maximum(_cpdist(titles_a, titles_b), _cpdist(compact_a, compact_b))
    title[[not a or not b for a, b in zip(titles_a, titles_b)]] = np.nan
    with_alt = [k for k, (i, j) in enumerate(zip(left, right)) if prep.title_alt[i] or prep.title_alt[j]]
    if with_alt:
        # A title given in two languages matches the other record in either language.
        alt_i = [prep.title_alt[left[k]] or "\x00" for k in with_alt]
        alt_j = [prep.title_alt[right[k]] or "\x01" for k in with_alt]
        best = np.maximum(_cpdist(alt_i, [titles_b[k] for k in with_alt]),
                          _cpdist([titles_a[k] for k in with_alt], alt_j))
        title[with_alt] = np.fmax(title[with_alt], best)
    # Subtitle present in one record only: compare the shorter title with the longer's start.
    pre_a, pre_b = [], []
    for a, b in zip(compact_a, compact_b):
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        if len(short) >= MIN_PREFIX and len(long) > len(short):
            pre_a.append(short)
            pre_b.append(long[: len(short)])
        else:
            pre_a.append("")
            pre_b.append("-")
    title_prefix = _cpdist(pre_a, pre_b)

    auth_a, auth_b, first = [], [], np.zeros(n, dtype=bool)
    single = np.zeros(n, dtype=bool)
    missing_authors = np.zeros(n, dtype=bool)
    for k, (i, j) in enumerate(zip(left, right)):
        a, b = prep.authors[i], prep.authors[j]
        if not a or not b:
            missing_authors[k] = True
            auth_a.append("")
            auth_b.append("")
            continue
        m = min(len(a), len(b), MAX_AUTHORS)
        auth_a.append(" ".join(a[:m]))
        auth_b.append(" ".join(b[:m]))
        first[k] = a[0] == b[0]
        single[k] = m == 1
    authors = _cpdist(auth_a, auth_b)
    authors[missing_authors] = np.nan

    journal = np.full(n, np.nan, dtype=np.float32)
    for k, (i, j) in enumerate(zip(left, right)):
        a, b = prep.journal[i], prep.journal[j]
        if a and b:
            journal[k] = 100 * max(journal_similarity(x, y) for x in a for y in b)

    years = np.asarray([y if y is not None else -9999 for y in prep.year], dtype=np.float32)
    year_gap = np.abs(years[left_arr] - years[right_arr])
    year_gap[(years[left_arr] < 0) | (years[right_arr] < 0)] = np.nan

    doi = _exact(prep.doi, left_arr, right_arr)
    shared = shared_dois(prep)
    doi_shared = np.asarray([prep.doi[i] in shared or prep.doi[j] in shared
                             for i, j in zip(left, right)], dtype=bool)

    abstract = np.full(n, np.nan, dtype=np.float32)
    has_abstract = [bool(prep.abstract[i]) and bool(prep.abstract[j]) for i, j in zip(left, right)]
    idx = [k for k, h in enumerate(has_abstract) if h]
    if idx:
        abstract[idx] = _cpdist([prep.abstract[left[k]] for k in idx], [prep.abstract[right[k]] for k in idx])

    return PairFeatures(
        left=left_arr, right=right_arr, title=title, title_prefix=title_prefix,
        authors=authors, first_author=first, single_author=single, journal=journal, year_gap=year_gap,
        volume=_exact(prep.volume, left_arr, right_arr), pages=_pages(prep, left, right),
        doi=doi, doi_shared=doi_shared, pmid=_exact(prep.pmid, left_arr, right_arr),
        abstract=abstract,
    )
