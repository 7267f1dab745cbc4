"""Per-field similarity of candidate pairs, computed column-wise with rapidfuzz ``cpdist``.

Similarities are 0–100; ``NaN`` means the field is missing in one record, which is
evidence of nothing (an ahead-of-print record has no pages yet).
"""

from __future__ import annotations

from typing import Any

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from rapidfuzz import fuzz, process

from .citation import numeric_range, range_relations
from .journals import journal_similarity
from .kinds import NOTICE_KINDS
from .name_pairs import is_ambiguous_name, pair_reading, particle_readings
from .names import initial_beside
from .prepare import Prepared, abstract_key

#: Field states for exact-comparison fields.
MISSING, EQUAL, DIFFERENT = 0, 1, 2
#: Author lists are compared on at most this many names (truncated lists, "et al").
MAX_AUTHORS = 8
#: Shorter titles than this are not compared as a prefix of the longer (subtitle missing).
MIN_PREFIX = 30
#: rapidfuzz threads; -1 = all cores (the benchmark machine has two).
WORKERS = -1


@dataclass(slots=True)
class PairFeatures:
    """Column arrays, one entry per candidate pair ``(left[k], right[k])``."""

    left: np.ndarray
    right: np.ndarray
    title: np.ndarray
    title_prefix: np.ndarray
    numbers: np.ndarray
    authors: np.ndarray
    first_author: np.ndarray
    single_author: np.ndarray
    journal: np.ndarray
    year_gap: np.ndarray
    volume: np.ndarray
    pages: np.ndarray
    #: Same first and last page of a multi-page range of plain numbers (not "S354-S355").
    pages_full: np.ndarray
    #: Different ranges sharing several pages (with ``pages`` DIFFERENT): one article paginated twice.
    pages_overlap: np.ndarray
    doi: np.ndarray
    doi_shared: np.ndarray
    pmid: np.ndarray
    cochrane: np.ndarray
    abstract: np.ndarray
    #: For a notice or comment against another record: how well the title it names matches.
    subject: np.ndarray

    def __len__(self) -> int:
        return len(self.left)

    def rows(self, which: np.ndarray) -> list[dict[str, float | int | bool]]:
        """The features of the pairs at positions ``which`` as plain Python values."""
        columns: dict[str, list[float | int | bool]] = {}
        for name in ("title", "title_prefix", "authors", "journal", "year_gap", "abstract", "subject"):
            columns[name] = np.round(getattr(self, name)[which].astype(np.float64), 1).tolist()
        for name in ("first_author", "single_author", "doi_shared", "pages_full", "pages_overlap"):
            columns[name] = getattr(self, name)[which].astype(bool).tolist()
        for name in ("numbers", "volume", "pages", "doi", "pmid", "cochrane"):
            columns[name] = getattr(self, name)[which].astype(int).tolist()
        names = list(columns)
        return [dict(zip(names, values)) for values in zip(*columns.values())]


def _cpdist(a: list[str] | np.ndarray, b: list[str] | np.ndarray, scorer: Any = fuzz.ratio) -> np.ndarray:
    if len(a) == 0:
        return np.empty(0, dtype=np.float32)
    return process.cpdist(list(a), list(b), scorer=scorer, workers=WORKERS, dtype=np.float32)


def _column(values: list) -> np.ndarray:  # type: ignore[type-arg]
    """A list as a 1-d object array (``np.asarray`` would make a 2-d array of tuples)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _codes(values: list[str]) -> np.ndarray:
    """Integer code per distinct non-empty value, 0 for empty (fast pairwise equality)."""
    seen: dict[str, int] = {"": 0}
    return np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=np.int64, count=len(values))


def _exact(codes: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """EQUAL, DIFFERENT or MISSING per pair, from each record's ``_codes``."""
    a, b = codes[left], codes[right]
    present = (a != 0) & (b != 0)
    return np.where(present, np.where(a == b, EQUAL, DIFFERENT), MISSING).astype(np.int8)


def _dois(cols: RecordColumns, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """EQUAL when the two records share any DOI (first or other), DIFFERENT when both have DOIs and share
    none, MISSING otherwise: the first DOIs' ``_exact``, read again for pairs where a record has others."""
    relation = _exact(cols.doi, left, right)
    has_others = cols.has_other_dois
    if not has_others.any():
        return relation
    prep = cols.prep
    for index in np.nonzero(has_others[left] | has_others[right])[0]:
        a, b = int(left[index]), int(right[index])
        dois_a = {doi for doi in (prep.doi[a], *prep.other_dois[a]) if doi}
        dois_b = {doi for doi in (prep.doi[b], *prep.other_dois[b]) if doi}
        relation[index] = EQUAL if dois_a & dois_b else DIFFERENT if dois_a and dois_b else MISSING
    return relation


def shared_dois(prep: Prepared) -> set[str]:
    """DOIs carried by records with clearly different titles: supplement or misattached DOIs."""
    repeated = {doi for doi, count in Counter(d for d in prep.doi if d).items() if count > 1}
    by_doi: dict[str, set[str]] = defaultdict(set)
    for doi, compact, generic in zip(prep.doi, prep.compact, prep.generic):
        if doi in repeated:
            by_doi[doi].add("" if generic else compact[:24])
    shared = set()
    for doi, titles in by_doi.items():
        titles.discard("")
        if len(titles) > 1:
            keys = sorted(titles)
            if any(fuzz.ratio(keys[0], other) < 80 for other in keys[1:]) or len(keys) > 2:
                shared.add(doi)
    return shared


def columns_for(prep: Prepared, columns: RecordColumns | None) -> RecordColumns:
    """``columns`` when the caller made them for ``prep`` already, else made now (one chunk's call)."""
    return RecordColumns(prep) if columns is None else columns


class RecordColumns:
    """Each record's values as the pair tests index them (codes, arrays, author-name tables), made once per
    ``Prepared`` and each only when first asked for, however many chunks of pairs are then scored."""

    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        #: Journal-code pairs scored so far and their scores (``journal_scores``).
        self._journal_pairs = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)

    @cached_property
    def title(self) -> np.ndarray:
        return _column(self.prep.title)

    @cached_property
    def compact(self) -> np.ndarray:
        return _column(self.prep.compact)

    @cached_property
    def title_alt(self) -> np.ndarray:
        return _column(self.prep.title_alt)

    @cached_property
    def main_title(self) -> np.ndarray:
        return _column(self.prep.main_title)

    @cached_property
    def copy_key(self) -> np.ndarray:
        """``Prepared.copy_key``: equal codes > 0 are exact copies."""
        return np.asarray(self.prep.copy_key, dtype=np.int64)

    @cached_property
    def compact_length(self) -> np.ndarray:
        return np.asarray([len(c) for c in self.prep.compact], dtype=np.int64)

    @cached_property
    def author_count(self) -> np.ndarray:
        return np.asarray([len(a) for a in self.prep.authors], dtype=np.int64)

    @cached_property
    def author_table(self) -> list[np.ndarray]:
        """``_author_prefixes`` of the last names."""
        return _author_prefixes(self.prep.authors)

    @cached_property
    def has_swap(self) -> np.ndarray:
        return np.asarray([any(a) for a in self.prep.authors_swapped], dtype=bool)

    @cached_property
    def ambiguous(self) -> np.ndarray:
        return np.asarray([any(is_ambiguous_name(n) for n in names) for names in self.prep.author_names], dtype=bool)

    @cached_property
    def particles(self) -> np.ndarray:
        return np.asarray([any(particle_readings(n) for n in names) for names in self.prep.author_names], dtype=bool)

    @cached_property
    def year(self) -> np.ndarray:
        """The year, -9999 where there is none."""
        return np.asarray([y if y is not None else -9999 for y in self.prep.year], dtype=np.float32)

    @cached_property
    def doi_shared(self) -> np.ndarray:
        shared = shared_dois(self.prep)
        return np.asarray([d in shared for d in self.prep.doi], dtype=bool)

    @cached_property
    def numbers(self) -> np.ndarray:
        return _codes(self.prep.numbers)

    @cached_property
    def volume(self) -> np.ndarray:
        return _codes(self.prep.volume)

    @cached_property
    def doi(self) -> np.ndarray:
        return _codes(self.prep.doi)

    @cached_property
    def has_other_dois(self) -> np.ndarray:
        return np.asarray([bool(others) for others in self.prep.other_dois], dtype=bool)

    @cached_property
    def pmid(self) -> np.ndarray:
        return _codes(self.prep.pmid)

    @cached_property
    def cochrane(self) -> np.ndarray:
        return _codes(self.prep.cochrane)

    @cached_property
    def page_start(self) -> np.ndarray:
        return _codes([p.start for p in self.prep.pages])

    @cached_property
    def page_irregular(self) -> np.ndarray:
        return np.asarray([p.irregular for p in self.prep.pages], dtype=bool)

    @cached_property
    def page_special(self) -> np.ndarray:
        """Date-mangled, multi-range or non-comparable page values: compared one pair at a time."""
        return np.asarray([bool(p.alternatives) or p.uncertain or (p.start[:1].isalpha())
                           for p in self.prep.pages], dtype=bool)

    @cached_property
    def page_range(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(valid, prefix code, first, last)`` of each record's ``numeric_range``."""
        ranges = [numeric_range(p) for p in self.prep.pages]
        valid = np.asarray([r is not None for r in ranges], dtype=bool)
        prefix = _codes([r[0] if r is not None else "" for r in ranges])
        first = np.asarray([r[1] if r is not None else 0 for r in ranges], dtype=np.int64)
        last = np.asarray([r[2] if r is not None else 0 for r in ranges], dtype=np.int64)
        return valid, prefix, first, last

    @cached_property
    def journal(self) -> tuple[np.ndarray, list[tuple[tuple[str, ...], ...]]]:
        """``(code, variants)``: each record's journal code (-1 without a journal) and each code's variants."""
        ids: dict[tuple[tuple[str, ...], ...], int] = {}
        codes = np.asarray([ids.setdefault(j, len(ids)) if j else -1 for j in self.prep.journal], dtype=np.int64)
        return codes, list(ids)

    def journal_scores(self, pair_codes: np.ndarray) -> np.ndarray:
        """``100 * journal_similarity`` of each pair of journal codes (``a * (journals + 1) + b``), each distinct
        pair computed once however many chunks ask for it: kept as two sorted arrays, 12 bytes a pair (a cache
        of the similarity function held 20 MB at 50,000 records)."""
        known, scores = self._journal_pairs
        unique, inverse = np.unique(pair_codes, return_inverse=True)
        new = unique[~np.isin(unique, known, assume_unique=True)]
        if len(new):
            variants, stride = self.journal[1], len(self.journal[1]) + 1
            values = np.empty(len(new), dtype=np.float32)
            for n, code in enumerate(new.tolist()):
                va, vb = variants[code // stride], variants[code % stride]
                values[n] = 100 * max(journal_similarity(x, y) for x in va for y in vb)
            known, scores = np.concatenate([known, new]), np.concatenate([scores, values])
            order = np.argsort(known, kind="stable")
            known, scores = known[order], scores[order]
            self._journal_pairs = known, scores
        return scores[np.searchsorted(known, unique)][inverse]

    @cached_property
    def subject(self) -> np.ndarray:
        return _column(self.prep.subject)

    @cached_property
    def any_subject(self) -> bool:
        """Whether any record is a notice naming the title it is about."""
        return any(self.prep.subject)

    @cached_property
    def notice(self) -> np.ndarray:
        return np.asarray([k in NOTICE_KINDS for k in self.prep.kind], dtype=bool)

    @cached_property
    def kind(self) -> np.ndarray:
        return _column(self.prep.kind)

    @cached_property
    def generic(self) -> np.ndarray:
        return np.asarray(self.prep.generic, dtype=bool)

    @cached_property
    def translated(self) -> np.ndarray:
        return np.asarray(self.prep.translated, dtype=bool)

    @cached_property
    def has_title_alt(self) -> np.ndarray:
        return np.asarray([bool(x) for x in self.prep.title_alt], dtype=bool)

    @cached_property
    def supplement(self) -> np.ndarray:
        return np.asarray(self.prep.supplement, dtype=bool)

    @cached_property
    def _abstract(self) -> np.ndarray:
        return np.full(len(self.prep), None, dtype=object)

    def abstracts(self, records: np.ndarray) -> np.ndarray:
        """Every record's ``abstract_key`` (None where not yet made), made now for the ``records`` (indices)."""
        keys, given = self._abstract, self.prep.abstract
        for i in np.unique(records).tolist():
            if keys[i] is None:
                keys[i] = abstract_key(given[i])
        return keys


def _numbers(cols: RecordColumns, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """DIFFERENT when both titles carry numbers and neither set contains the other."""
    values = cols.prep.numbers
    out = _exact(cols.numbers, left, right)
    for k in np.nonzero(out == DIFFERENT)[0].tolist():
        a, b = set(values[int(left[k])].split("|")), set(values[int(right[k])].split("|"))
        if a <= b or b <= a:
            out[k] = EQUAL  # one title has a subtitle or a number the other left out
    return out


def _pages(cols: RecordColumns, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    out = _exact(cols.page_start, left, right)
    # A garbled page field ("pt-71") that disagrees says nothing; an equal one still counts.
    irregular = cols.page_irregular
    out[(out == DIFFERENT) & (irregular[left] | irregular[right])] = MISSING
    # Date-mangled, multi-range or non-comparable values need a closer look.
    special = cols.page_special
    pages = cols.prep.pages
    for k in np.nonzero((special[left] | special[right]) & (out != MISSING))[0].tolist():
        a, b = pages[int(left[k])], pages[int(right[k])]
        if a.start == b.start or ((a.alternatives or b.alternatives) and a.starts() & b.starts()):
            out[k] = EQUAL
        elif a.start[:1].isdigit() != b.start[:1].isdigit() or a.uncertain != b.uncertain:
            out[k] = MISSING  # "e1234" vs "12", or a date-mangled range against a real one
        else:
            out[k] = DIFFERENT
    return out


def _page_relations(cols: RecordColumns, pages: np.ndarray, left: np.ndarray,
                    right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(full, overlap)``: equal multi-page ranges; different but overlapping ranges.

    Also sets ``pages`` to MISSING where one record gives a single page inside the other's range.

    Each record's range is read once (``RecordColumns.page_range``); the pair tests are vectorised.
    """
    valid, prefix, first, last = cols.page_range
    both = valid[left] & valid[right] & (prefix[left] == prefix[right])
    same_range, shared = range_relations(first[left], last[left], first[right], last[right])
    # One page against the range of the same article ("488" vs "487-488"): not a disagreement.
    single_a, single_b = first[left] == last[left], first[right] == last[right]
    inside = ((single_a & (first[left] >= first[right]) & (first[left] <= last[right]))
              | (single_b & (first[right] >= first[left]) & (first[right] <= last[left])))
    pages[both & (pages == DIFFERENT) & (single_a != single_b) & inside] = MISSING
    # Lettered pages ("S354-S355") are mostly supplements of abstracts: not a citation match.
    plain = prefix == 0
    full = both & plain[left] & (pages == EQUAL) & same_range
    overlap = both & (pages == DIFFERENT) & shared
    return full, overlap


def _author_prefixes(lists: list[list[str]]) -> list[np.ndarray]:
    """``table[m][i]``: the first ``m`` last names of record ``i`` joined (m = 1..MAX_AUTHORS)."""
    table = [_column([""] * len(lists))]
    previous = [""] * len(lists)
    for m in range(1, MAX_AUTHORS + 1):
        current = [(f"{p} {a[m - 1]}" if m > 1 else a[0]) if len(a) >= m else ""
                   for p, a in zip(previous, lists)]
        table.append(_column(current))
        previous = current
    return table


def _reread(prep: Prepared, i: int, j: int, size: int) -> str:
    """Record ``i``'s first ``size`` last names, each name that also reads surname first taken
    that way where the rest's first letter is the initial record ``j`` gives beside that surname
    (all initials where the name had some after the full name: "Smith John A" is "Smith, J. A.").

    "Grant Morgan" read surname first is Grant M., not "Grant J": without the initial a list of
    full names matched any list of the same first words, whoever the people were. Name by name,
    so one odd name ("Yujie, L. E. I.") does not stop the others being re-read.
    """
    own, readings = prep.authors[i], prep.authors_swapped[i]
    letters, names = prep.authors_swapped_initial[i], prep.author_names[j]
    words = []
    for k in range(size):
        surname, letter = readings[k], letters[k]
        if surname and letter and k < len(names) and initial_beside(names[k], surname, len(letter) > 1) == letter:
            words.append(surname)
        else:  # no second reading ("Smith JA"), or the initials disagree: read the first way
            words.append(own[k])
    return " ".join(words)


def _swapped_authors(cols: RecordColumns, left: np.ndarray, right: np.ndarray, m: np.ndarray,
                     authors: np.ndarray) -> None:
    """Raise ``authors`` where one record read the other way round matches ("Ching-yi, Wu").

    Only pairs whose names disagree are re-read, only against the other record's normal
    reading (both swapped is the same as neither), and a name only where its given name's
    first letter agrees (``_reread``).
    """
    prep, table, has_swap = cols.prep, cols.author_table, cols.has_swap
    candidates = np.nonzero((authors < 75) & (m > 0) & (has_swap[left] | has_swap[right]))[0]
    if not len(candidates):
        return
    swapped = prep.authors_swapped
    for size in range(1, MAX_AUTHORS + 1):
        idx = candidates[m[candidates] == size]
        for reread, fixed in ((left, right), (right, left)):
            chosen = idx[has_swap[reread[idx]]]
            if not len(chosen):
                continue
            # Name by name (slow) only where the whole list read the other way scores higher. Joined here for
            # these pairs only, as ``_author_prefixes`` joins them (a table of every record's held 15 MB).
            read_swapped = [" ".join(swapped[i][:size]) for i in reread[chosen].tolist()]
            whole = _cpdist(read_swapped, table[size][fixed[chosen]])
            chosen = chosen[whole > authors[chosen]]
            if not len(chosen):
                continue
            words = [_reread(prep, i, j, size) for i, j in zip(reread[chosen].tolist(), fixed[chosen].tolist())]
            authors[chosen] = np.maximum(authors[chosen], _cpdist(words, table[size][fixed[chosen]]))


def _ambiguous_authors(cols: RecordColumns, left: np.ndarray, right: np.ndarray, m: np.ndarray,
                       authors: np.ndarray, first: np.ndarray) -> None:
    """Score again the pairs where a record has an ambiguous name ("Ferrari Mjk", "Kevin Png") or a
    name its particles let read another way ("P Van Nguyen", "De Vries"), each such name read as the
    other record writes it (``name_pairs.pair_reading``). An ambiguous name's first reading (the three
    letters as a surname) is no evidence by itself, so those pairs take the new score; a particle
    reading only adds a match the first reading missed, so those keep the higher one."""
    prep, ambiguous, particles = cols.prep, cols.ambiguous, cols.particles
    pair_ambiguous = ambiguous[left] | ambiguous[right]
    idx = np.nonzero((pair_ambiguous | particles[left] | particles[right]) & (m > 0))[0]
    if not len(idx):
        return
    mine, theirs, firsts = [], [], []
    for i, j, size in zip(left[idx].tolist(), right[idx].tolist(), m[idx].tolist()):
        read = [pair_reading(a, b) for a, b in zip(prep.author_names[i][:size], prep.author_names[j][:size])]
        mine.append(" ".join(a for a, _ in read))
        theirs.append(" ".join(b for _, b in read))
        firsts.append(read[0][0] == read[0][1])
    scores, agree = _cpdist(mine, theirs), np.asarray(firsts, dtype=bool)
    replace = pair_ambiguous[idx]
    authors[idx] = np.where(replace, scores, np.fmax(authors[idx], scores))
    first[idx] = np.where(replace, agree, first[idx] | agree)


def _journals(cols: RecordColumns, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Journal similarity, computed once per distinct pair of journal names (``RecordColumns.journal_scores``)."""
    codes, variants = cols.journal
    a, b = codes[left], codes[right]
    out = np.full(len(left), np.nan, dtype=np.float32)
    present = (a >= 0) & (b >= 0)
    if present.any():
        out[present] = cols.journal_scores(a[present] * (len(variants) + 1) + b[present])
    return out


def score_pairs(prep: Prepared, pairs: np.ndarray, columns: RecordColumns | None = None) -> PairFeatures:
    """Similarity of every field for every candidate pair (abstracts: see ``abstract_similarity``).

    ``columns`` are ``prep``'s (made here when not given): scoring the pairs chunk by chunk with the same
    columns gives each pair what scoring them all at once gives it.
    """
    cols = columns_for(prep, columns)
    left = pairs[:, 0].astype(np.int64)
    right = pairs[:, 1].astype(np.int64)
    n = len(left)
    title_col, compact_col = cols.title, cols.compact
    titles_a, titles_b = title_col[left], title_col[right]
    compact_a, compact_b = compact_col[left], compact_col[right]
    # Compared without spaces: "d isease" and "disease" (a broken word) are the same title.
    title = _cpdist(compact_a, compact_b)
    near = np.nonzero((title >= 60) & (title < 98))[0]
    if len(near):
        title[near] = np.maximum(title[near], _cpdist(titles_a[near], titles_b[near]))
    title[(titles_a == "") | (titles_b == "")] = np.nan
    alt_col = cols.title_alt
    has_alt = cols.has_title_alt[left] | cols.has_title_alt[right]
    if has_alt.any():
        # A title given in two languages matches the other record in either language.
        idx = np.nonzero(has_alt)[0]
        alt_i = [x or "\x00" for x in alt_col[left[idx]]]
        alt_j = [x or "\x01" for x in alt_col[right[idx]]]
        best = np.maximum(_cpdist(alt_i, titles_b[idx]), _cpdist(titles_a[idx], alt_j))
        title[idx] = np.fmax(title[idx], best)
    # Subtitle present in one record only: compare the shorter title with the longer's start.
    lengths = cols.compact_length
    la, lb = lengths[left], lengths[right]
    short_len = np.minimum(la, lb)
    # Only where the full titles disagree enough for the prefix to matter.
    use_prefix = (short_len >= MIN_PREFIX) & (la != lb) & ~(title >= 93)
    title_prefix = np.zeros(n, dtype=np.float32)
    if use_prefix.any():
        idx = np.nonzero(use_prefix)[0]
        cut = short_len[idx].tolist()
        title_prefix[idx] = _cpdist([a[:m] for a, m in zip(compact_a[idx], cut)],
                                    [b[:m] for b, m in zip(compact_b[idx], cut)])

    # The shorter title is exactly the longer one's main title: a subtitle in one record only,
    # however short the main title ("Phase I trial of FK973" vs "…: Description of …").
    main_col = cols.main_title
    main_a, main_b = main_col[left], main_col[right]
    title_prefix[((main_a != "") & (main_a == compact_b)) | ((main_b != "") & (main_b == compact_a))] = 100.0
    del titles_a, titles_b, main_a, main_b

    counts = cols.author_count
    m = np.minimum(np.minimum(counts[left], counts[right]), MAX_AUTHORS)
    authors = np.full(n, np.nan, dtype=np.float32)
    table = cols.author_table
    for size in range(1, MAX_AUTHORS + 1):
        idx = np.nonzero(m == size)[0]
        if len(idx):
            authors[idx] = _cpdist(table[size][left[idx]], table[size][right[idx]])
    first = (m > 0) & (table[1][left] == table[1][right])
    _swapped_authors(cols, left, right, m, authors)
    _ambiguous_authors(cols, left, right, m, authors, first)

    years = cols.year
    year_gap = np.abs(years[left] - years[right])
    year_gap[(years[left] < 0) | (years[right] < 0)] = np.nan

    is_shared = cols.doi_shared
    pages = _pages(cols, left, right)
    pages_full, pages_overlap = _page_relations(cols, pages, left, right)
    return PairFeatures(
        left=left, right=right, title=title, title_prefix=title_prefix,
        numbers=_numbers(cols, left, right),
        authors=authors, first_author=first, single_author=m == 1, journal=_journals(cols, left, right),
        year_gap=year_gap, volume=_exact(cols.volume, left, right),
        pages=pages, pages_full=pages_full, pages_overlap=pages_overlap, doi=_dois(cols, left, right),
        doi_shared=is_shared[left] | is_shared[right], pmid=_exact(cols.pmid, left, right),
        cochrane=_exact(cols.cochrane, left, right),
        abstract=np.full(n, np.nan, dtype=np.float32),
        subject=_subjects(cols, left, right, compact_a, compact_b),
    )


def _subjects(cols: RecordColumns, left: np.ndarray, right: np.ndarray, compact_a: np.ndarray,
              compact_b: np.ndarray) -> np.ndarray:
    """How well the title a notice names matches the other record's title (NaN if no notice)."""
    out = np.full(len(left), np.nan, dtype=np.float32)
    if not cols.any_subject:
        return out
    subject, notice = cols.subject, cols.notice
    about_right = (subject[left] != "") & ~notice[right]
    about_left = (subject[right] != "") & ~notice[left] & ~about_right
    for which, named, other in ((about_right, subject[left], compact_b), (about_left, subject[right], compact_a)):
        idx = np.nonzero(which)[0]
        if len(idx):
            # The notice may leave out the subtitle: compare with the start of the longer title.
            cut = [o[:len(t)] if len(o) > len(t) >= 30 else o for t, o in zip(named[idx], other[idx])]
            out[idx] = np.maximum(_cpdist(named[idx], other[idx]), _cpdist(named[idx], cut))
    return out


def abstract_similarity(prep: Prepared, f: PairFeatures, which: np.ndarray,
                        columns: RecordColumns | None = None) -> None:
    """Fill ``f.abstract`` for the pairs selected by ``which`` (where it can change the verdict)."""
    selected = np.nonzero(which)[0]
    left, right = f.left[selected], f.right[selected]
    col = columns_for(prep, columns).abstracts(np.concatenate([left, right]))
    idx = selected[(col[left] != "") & (col[right] != "")]
    if len(idx):
        f.abstract[idx] = _cpdist(col[f.left[idx]], col[f.right[idx]])
