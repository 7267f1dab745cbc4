"""Candidate pairs: only records that share a blocking key are ever compared.

Every key is either an exact group (DOI, PMID, title keys, author+year, journal+volume+page)
capped in size, or a sorted neighbourhood (a window over records sorted by a key), so the
number of pairs grows about linearly with the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from .journals import journal_key
from .prepare import Prepared

#: Exact groups larger than this are compared through a sorted window instead of all pairs.
MAX_BLOCK = 40
#: Author+year groups larger than this are windowed (in title order).
AUTHOR_BLOCK = 12
#: How many neighbours on each side the sorted-neighbourhood passes look at.
WINDOW = 4
#: Title keys shorter than this say too little ("editorial").
MIN_TITLE_KEY = 12


def _group_pairs(keys: Iterable[str | None], window: int = WINDOW, max_block: int = MAX_BLOCK,
                 tiebreak: np.ndarray | None = None) -> list[np.ndarray]:
    """All pairs inside each key group; a group over ``max_block`` gets a sliding window instead.

    Vectorised: records are sorted by key code (then by ``tiebreak``, e.g. title order, so a
    window inside a big group pairs similar titles), and for each distance ``d`` the records
    ``d`` places apart in the same group are paired.
    """
    codes_of: dict[str, int] = {}
    codes = np.fromiter((codes_of.setdefault(k, len(codes_of)) if k else -1 for k in keys), dtype=np.int64)
    present = np.nonzero(codes >= 0)[0]
    if len(present) < 2:
        return []
    if tiebreak is None:
        order = present[np.argsort(codes[present], kind="stable")]
    else:
        order = present[np.lexsort((tiebreak[present], codes[present]))]
    sorted_codes = codes[order]
    _, inverse, counts = np.unique(sorted_codes, return_inverse=True, return_counts=True)
    size = counts[inverse]
    chunks = []
    for d in range(1, min(max_block, int(size.max()))):
        same = sorted_codes[:-d] == sorted_codes[d:]
        if not same.any():
            break
        allowed = same & ((size[:-d] <= max_block) | (d <= window))
        if allowed.any():
            chunks.append(np.stack([order[:-d][allowed], order[d:][allowed]], axis=1))
    return chunks


def _window(order: np.ndarray, window: int) -> list[np.ndarray]:
    """Pairs of records at most ``window`` apart in ``order``."""
    chunks = []
    for step in range(1, window + 1):
        if len(order) > step:
            chunks.append(np.stack([order[:-step], order[step:]], axis=1))
    return chunks


def _other_doi_pairs(prep: Prepared) -> list[np.ndarray]:
    """Each record with other DOIs paired with every record holding one of them (as its DOI or another):
    the DOI group pairs records on their first DOI only. A DOI held by over ``MAX_BLOCK`` records pairs
    nothing here (no more specific than a journal's)."""
    if not any(prep.other_dois):
        return []
    holders: dict[str, list[int]] = defaultdict(list)
    for index, (doi, others) in enumerate(zip(prep.doi, prep.other_dois)):
        for each in (doi, *others):
            if each:
                holders[each].append(index)
    pairs = {(min(index, other), max(index, other))
             for index, others in enumerate(prep.other_dois) for doi in others
             if len(holders[doi]) <= MAX_BLOCK for other in holders[doi] if other != index}
    return [np.asarray(sorted(pairs), dtype=np.int64)] if pairs else []


def _sorted_neighbourhood(values: list[str], window: int = WINDOW) -> list[np.ndarray]:
    present = np.asarray([i for i, v in enumerate(values) if v])
    if len(present) < 2:
        return []
    keys = np.asarray([values[i] for i in present], dtype=object)
    order = present[np.argsort(keys, kind="stable")]
    return _window(order, window)


def candidate_pairs(prep: Prepared) -> np.ndarray:
    """Unique ``(i, j)`` index pairs with ``i < j``, as an ``(n_pairs, 2)`` int64 array."""
    n = len(prep)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    compact = prep.compact
    long_title = [c if len(c) >= MIN_TITLE_KEY and not g else "" for c, g in zip(compact, prep.generic)]
    first_author = [a[0] if a else "" for a in prep.authors]
    start_page = [p.start for p in prep.pages]
    chunks: list[np.ndarray] = []
    chunks += _group_pairs(prep.doi)
    chunks += _other_doi_pairs(prep)
    chunks += _group_pairs(prep.pmid)
    chunks += _group_pairs(long_title)
    chunks += _group_pairs(c[:30] if c else "" for c in long_title)
    chunks += _group_pairs(c[-30:] if c else "" for c in long_title)
    # A notice ("Erratum to: <title>") meets the record it is about on that title.
    if any(prep.subject):
        chunks += _group_pairs(s or c for s, c in zip(prep.subject, long_title))
    chunks += _sorted_neighbourhood(long_title)
    chunks += _sorted_neighbourhood([c[::-1] for c in long_title])
    chunks += _sorted_neighbourhood([c[len(c) // 3:] for c in long_title], window=2)
    # Common names in busy years make big groups: window over them in title order.
    title_rank = np.empty(n, dtype=np.int64)
    title_rank[np.argsort(np.asarray(compact, dtype=object), kind="stable")] = np.arange(n)
    chunks += _group_pairs((f"{a}|{y}" if a and y else "" for a, y in zip(first_author, prep.year)),
                           max_block=AUTHOR_BLOCK, tiebreak=title_rank)
    chunks += _group_pairs(
        f"{a}|{p}" if a and p else "" for a, p in zip(first_author, start_page))
    chunks += _group_pairs(
        f"{journal_key(j[0])}|{v}|{p}" if j and v and p else ""
        for j, v, p in zip(prep.journal, prep.volume, start_page))
    chunks += _group_pairs(
        f"{y}|{c[:8]}|{len(a)}" if y and c else ""
        for y, c, a in zip(prep.year, compact, prep.authors))
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(chunks).astype(np.int64)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    codes = np.sort(pairs[:, 0] * n + pairs[:, 1])
    if len(codes):
        codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    return np.stack([codes // n, codes % n], axis=1)
