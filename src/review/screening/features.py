"""TF-IDF features of title + abstract (+ keywords/MeSH), built once, extended in place.

Word uni- and bigrams with sublinear tf are the strongest cheap representation for
screening (the ASReview/SYNERGY benchmarks agree); the title is repeated once so its
words weigh a little more than a single abstract sentence. A record without any text gets
an all-zero row: it carries no evidence, so the model scores it by its intercept alone (a
shared placeholder term, as in engine version 2, let the first such record labelled
irrelevant sink every other one, relevant or not). New records are transformed with the
frozen vocabulary and IDF, so rankings stay comparable; once the corpus has grown by more
than ``REBUILD_GROWTH`` the vocabulary is rebuilt.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from ..records import Record

# No scikit-learn here: importing it costs over a second of a ``review simulate`` (decision 0017).
# The word TF-IDF weighting is TfidfTransformer's arithmetic, done the same way (tests hold the
# two bit for bit equal); only the optional character n-grams still load scikit-learn.

#: Rebuild the vocabulary when this share of records arrived after the last build.
REBUILD_GROWTH = 0.2

#: Words with inner hyphens whole ("return-to-work"), and one-character tokens.
_TOKEN_PATTERN = r"(?u)\b\w[\w-]*\w\b|\b\w\b"

#: A hyphenated word is a *word compound* when every part has two or more characters and a letter ("opt-out",
#: "placebo-controlled", "quality-of-life"); one with a part that is a number or one character ("4-week", "l-type",
#: "covid-19") is a designator compound (decision 0070). A compound is matched from its first part and only whole.
_WORD_PART = r"(?=\w*[^\W\d_])\w\w+"
_WORD_COMPOUND = rf"(?<![\w-]){_WORD_PART}(?:-{_WORD_PART})+(?!-?\w)"

#: Token patterns by ``FeatureConfig.tokens``: "engine" is ``_TOKEN_PATTERN``; "words2" is
#: scikit-learn's (and ASReview's) default, words of two or more characters, hyphens split; "wordhy" (engine version
#: 9 from ``SMALL_SET_RECORDS`` records, decision 0074) is "words2" with word compounds kept whole, so "4-week" and
#: "8-week" share "week" while "opt-out" stays one term.
TOKEN_PATTERNS = {"engine": _TOKEN_PATTERN, "words2": r"(?u)\b\w\w+\b",
                  "wordhy": rf"(?u){_WORD_COMPOUND}|\b\w\w+\b"}

#: The same tokens as ``TOKEN_PATTERNS``, found with a quarter less CPU: without the word boundaries, which
#: hold wherever ``findall`` tries these. A scan reaches a word character only at a word's start (a match runs
#: greedily to the last word character of its run of word characters and hyphens, which is followed by none,
#: and a failed try is at a non-word character or a lone character ``words2`` skips), and a match ends there.
#: "wordhy" keeps the look-arounds that tell a word compound, tried only where a run of word characters is followed
#: by a hyphen (a compound's first part is such a run), and reads any other word as "words2": the same tokens with
#: 45 % less CPU (the 15 shared sets' texts, 2.07 s against 1.12 s).
_FINDS = {"engine": r"\w[\w-]*\w|\w", "words2": r"\w\w+",
          "wordhy": rf"(?u)(?=\w+-){_WORD_COMPOUND}|\w\w+"}
_TOKEN = re.compile(_FINDS["engine"])


def record_text(record: Record | dict[str, Any], title_repeats: int = 2, title_apart: bool = False) -> str:
    """The text a model reads: the title ``title_repeats`` times (twice unless the features'
    ``FeatureConfig.title_repeats`` says otherwise), abstract, keywords and MeSH terms.

    ``title_apart`` (``FeatureConfig.title_apart``, engine version 8): the title once, abstract, keywords and
    MeSH terms on one line, then each repeat of the title on a line of its own, so that an analyzer that reads
    lines (``WordAnalyzer``'s ``lines``) forms no n-gram across the seam. Otherwise one line, the repeats first."""
    if isinstance(record, Record):
        title, abstract = record.title, record.abstract
        extra_terms = [*record.keywords, *record.mesh]
    else:
        title = str(record.get("title") or "")
        abstract = str(record.get("abstract") or "")
        extra_terms = list(record.get("keywords") or []) + list(record.get("mesh") or [])
    extra = " ".join(str(t) for t in extra_terms)
    if title_apart:
        # No other line break survives: every part's whitespace runs become one space.
        again = " ".join(title.split())
        body = " ".join(" ".join(p for p in (title, abstract, extra) if p).split())
        return "\n".join([body, *[again] * (title_repeats - 1)]) if again else body
    parts = [*[title] * title_repeats, abstract, extra]
    # Whitespace runs become one space, none at the ends: str.split's whitespace is re's \s
    # (three times faster than a regex substitution on every space).
    return " ".join(" ".join(p for p in parts if p).split())


@dataclass(slots=True)
class FeatureConfig:
    """Vectoriser settings; recorded in every ranking's model info."""

    ngram_max: int = 2
    min_df: int = 2
    max_df: float = 0.95
    sublinear_tf: bool = True
    char_ngrams: bool = False
    tokens: str = "engine"  # a key of TOKEN_PATTERNS
    #: How often the texts repeat the title (``record_text``'s ``title_repeats``): the features
    #: do not read records, so whoever builds the texts takes it from here.
    title_repeats: int = 2
    #: Engine version 8 (decision 0073): the title's repeats on lines of their own after the record's text
    #: (``record_text``'s ``title_apart``), read line by line, so that the counts are those of "title abstract" plus
    #: the title's own: no bigram of the title's last word and its first, which "title title abstract" forms and no
    #: record contains (at min_df 1 a column of the record alone). False: "title title abstract", versions 4-7.
    title_apart: bool = False
    #: Pivoted length normalisation of the word rows (engine version 7, decisions 0054 and 0058): each TF-IDF row
    #: w is divided by (1 − s)·p + s·‖w‖, p the mean ‖w‖ of the built set's non-empty rows (frozen, like
    #: the vocabulary, for records added later). 1: unit rows (cosine), as scikit-learn and ASReview.
    pivot_slope: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "tfidf", "ngram_max": self.ngram_max, "min_df": self.min_df,
            "max_df": self.max_df, "sublinear_tf": self.sublinear_tf, "char_ngrams": self.char_ngrams,
            "tokens": self.tokens, "title_repeats": self.title_repeats, "title_apart": self.title_apart,
            "pivot_slope": self.pivot_slope,
        }


@dataclass(slots=True)
class Features:
    """A sparse matrix with one row per record id, in ``ids`` order."""

    ids: list[int]
    matrix: sp.csr_matrix
    config: FeatureConfig
    build_seconds: float = 0.0
    n_built: int = 0
    _vectorizers: list[Vectorizer] = field(default_factory=list, repr=False)
    _row: dict[int, int] = field(default_factory=dict, repr=False)
    id_array: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64), repr=False)
    _row_norms: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._row = {record_id: i for i, record_id in enumerate(self.ids)}
        self.id_array = np.asarray(self.ids, dtype=np.int64)

    def rows(self, record_ids: Sequence[int]) -> np.ndarray:
        """Row indices of ``record_ids`` (KeyError for an unknown id)."""
        return np.fromiter((self._row[r] for r in record_ids), dtype=np.int64, count=len(record_ids))

    def known_rows(self, record_ids: Sequence[int]) -> tuple[list[int], np.ndarray]:
        """The ``record_ids`` that have a row (in their order) and those rows."""
        rows = list(map(self._row.get, record_ids))
        if None in rows:
            pairs = [(r, row) for r, row in zip(record_ids, rows) if row is not None]
            return [r for r, _ in pairs], np.array([row for _, row in pairs], dtype=np.int64)
        return list(record_ids), np.array(rows, dtype=np.int64)

    def squared_row_norms(self) -> np.ndarray:
        """‖xᵢ‖² of every row, computed once (the SVM's preconditioner slices them for each fit)."""
        if self._row_norms is None:
            from .svm_newton import squared_row_norms

            self._row_norms = squared_row_norms(self.matrix)
        return self._row_norms

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._row

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, record_ids: Sequence[int], texts: Sequence[str]) -> "Features":
        """Features extended with new records (same vocabulary), or rebuilt past the growth limit."""
        new = [(r, t) for r, t in zip(record_ids, texts) if r not in self._row]
        if not new:
            return self
        all_ids = self.ids + [r for r, _ in new]
        if len(all_ids) > self.n_built * (1 + REBUILD_GROWTH) or not self._vectorizers:
            raise _NeedsRebuild
        started = time.perf_counter()
        extra = _transform(self._vectorizers, [t for _, t in new])
        matrix = sp.vstack([self.matrix, extra], format="csr")
        return Features(
            ids=all_ids, matrix=matrix, config=self.config,
            build_seconds=time.perf_counter() - started, n_built=self.n_built,
            _vectorizers=self._vectorizers,
        )


class _NeedsRebuild(Exception):
    pass


class Vectorizer(Protocol):
    """A fitted vectoriser: new texts to rows of the matrix it was fitted with."""

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix: ...


@dataclass(slots=True)
class WordTfidf:
    """The fitted word vectoriser: what ``TfidfVectorizer(analyzer=analyzer, vocabulary=vocabulary,
    sublinear_tf=...)`` with ``idf_ = idf`` gives for new texts, bit for bit, without scikit-learn; with ``descending``
    (engine version 9 from 1,000 records) the same rows with each row's entries in the reverse order."""

    analyzer: WordAnalyzer
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool
    #: ``FeatureConfig.pivot_slope`` and the pivot found when the rows were built (None: unit rows).
    pivot_slope: float = 1.0
    pivot: float | None = None
    #: Each row's terms in descending column order (``descending_rows``), as the rows were built.
    descending: bool = False

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        column = self.vocabulary.get
        columns: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        for text in texts:
            known = [c for c in map(column, self.analyzer(text)) if c is not None]
            row, count = np.unique(np.asarray(known, dtype=np.int64), return_counts=True)
            columns.append(row)
            counts.append(count)
        matrix = _stacked_rows(columns, counts, len(self.vocabulary))
        if self.pivot is None:
            weighted_rows = tfidf_weighted(matrix, self.idf, self.sublinear_tf)
            return sp.csr_matrix(_reversed_rows(weighted_rows) if self.descending else weighted_rows)
        weighted, _ = pivoted_tfidf(matrix, self.idf, self.sublinear_tf, self.pivot_slope, self.pivot)
        return sp.csr_matrix(weighted)


def smooth_idf(counts: sp.csr_array) -> np.ndarray:
    """``TfidfTransformer(smooth_idf=True).fit(counts).idf_``: ln((1 + n) / (1 + df)) + 1."""
    n_docs, n_terms = counts.shape
    frequency = np.bincount(counts.indices, minlength=n_terms).astype(np.float64)
    frequency += 1.0
    idf = np.full_like(frequency, fill_value=n_docs + 1, dtype=np.float64)
    idf /= frequency
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def tfidf_weighted(counts: sp.csr_array, idf: np.ndarray, sublinear_tf: bool) -> sp.csr_array:
    """``TfidfTransformer.transform(counts, copy=False)`` (norm "l2"): 1 + ln(tf) if sublinear,
    times the IDF, rows scaled to unit length; in place, in the same floating-point steps."""
    _weigh_terms(counts, idf, sublinear_tf)
    l2_normalise_rows(counts)
    return counts


def _weigh_terms(counts: sp.csr_array, idf: np.ndarray, sublinear_tf: bool) -> None:
    """1 + ln(tf) if sublinear, times the IDF, in place: the TF-IDF weights before any row scaling."""
    data = counts.data
    if sublinear_tf:
        np.log(data, out=data)
        data += 1.0
    data *= idf[counts.indices]


def pivoted_tfidf(counts: sp.csr_array, idf: np.ndarray, sublinear_tf: bool, slope: float,
                  pivot: float | None = None) -> tuple[sp.csr_array, float]:
    """``tfidf_weighted``'s unit rows, each then multiplied by ‖w‖ / ((1 − slope)·pivot + slope·‖w‖), ‖w‖ its
    TF-IDF length before the unit step (Singhal, Buckley & Mitra's pivoted normalisation): a row of the pivot's
    length keeps unit length, shorter rows shrink, longer ones grow, an empty row stays empty. ``pivot`` None:
    the mean length of the non-empty rows here (returned, so later records are scaled alike). In place."""
    _weigh_terms(counts, idf, sublinear_tf)
    lengths = _row_lengths(counts)
    l2_normalise_rows(counts)
    nonempty = lengths > 0
    if pivot is None:
        pivot = float(lengths[nonempty].mean()) if nonempty.any() else 1.0
    factors = np.ones_like(lengths)
    factors[nonempty] = lengths[nonempty] / ((1 - slope) * pivot + slope * lengths[nonempty])
    counts.data *= np.repeat(factors, np.diff(counts.indptr))
    return counts, pivot


def _row_lengths(matrix: sp.csr_array | sp.csr_matrix) -> np.ndarray:
    """Each row's L2 length, summed as ``l2_normalise_rows`` sums it."""
    squares = sp.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    return np.asarray(np.sqrt(squares @ np.ones(matrix.shape[1])))


def l2_normalise_rows(matrix: sp.csr_array | sp.csr_matrix) -> None:
    """Scale each non-zero row of a CSR matrix to unit L2 norm in place, as scikit-learn's
    ``normalize`` does: the squares summed in entry order (a sparse product with ones sums each
    row left to right, as its Cython loop does), then each entry divided by the root."""
    squares = sp.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    norms = np.sqrt(squares @ np.ones(matrix.shape[1]))
    norms[norms == 0.0] = 1.0  # an empty row stays as it is
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))


def build_features(
    record_ids: Sequence[int], texts: Sequence[str], config: FeatureConfig | None = None
) -> Features:
    """Fit the vectoriser(s) on every record's text and return the matrix."""
    config = config or FeatureConfig()
    if len(record_ids) != len(texts):
        raise ValueError("record_ids and texts differ in length")
    started = time.perf_counter()
    analyzer = WordAnalyzer(config.ngram_max, config.tokens, lines=config.title_apart)
    vectorizers: list[Vectorizer] = []
    blocks: list[sp.spmatrix] = []
    try:
        vectorizers, blocks = _TermCounts.of(texts, analyzer).tfidf(analyzer, config, config.min_df, config.max_df)
        if config.char_ngrams:
            from sklearn.feature_extraction.text import TfidfVectorizer

            char_vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                              max_features=200_000, dtype=np.float64)
            blocks.append(char_vectorizer.fit_transform(texts))
            vectorizers.append(char_vectorizer)
    except ValueError:
        # A handful of records (min_df 2 above max_df's share) or no words at all: every term
        # counts, and with no term at all the matrix has no columns (the ranker then keeps a
        # seeded random order: there is nothing to learn from). Counted afresh: tfidf uses its
        # counts up (only small sets, or ones with no words, get here).
        try:
            vectorizers, blocks = _TermCounts.of(texts, analyzer).tfidf(analyzer, config, min_df=1, max_df=1.0)
        except ValueError:
            vectorizers, blocks = [], [sp.csr_matrix((len(texts), 0), dtype=np.float64)]
    matrix = blocks[0] if len(blocks) == 1 else _normalise(sp.hstack(blocks, format="csr"))
    return Features(
        ids=list(record_ids), matrix=sp.csr_matrix(matrix), config=config,
        build_seconds=time.perf_counter() - started, n_built=len(record_ids),
        _vectorizers=vectorizers,
    )


class WordAnalyzer:
    """A text's word n-grams, exactly as ``TfidfVectorizer(lowercase=True, strip_accents="unicode",
    token_pattern=_TOKEN_PATTERN, ngram_range=(1, ngram_max))`` makes them, in the same order.

    scikit-learn's analyzer slices a list per n-gram and strips accents character by character
    in Python; here n-grams come from ``zip`` and marks go by ``str.replace``. A test holds the
    two equal on generated text.

    ``lines`` (``FeatureConfig.title_apart``): a text is read line by line, each line's terms in that order
    after the previous line's, so no n-gram spans a line break; without it a line break is a space.
    """

    __slots__ = ("lines", "ngram_max", "token")

    def __init__(self, ngram_max: int, tokens: str = "engine", lines: bool = False) -> None:
        self.ngram_max = ngram_max
        self.lines = lines
        # "engine" reads the module's pattern when built (the dev harness swaps it for older candidates).
        self.token = _TOKEN if tokens == "engine" else re.compile(_FINDS[tokens])

    def __call__(self, text: str) -> list[str]:
        if self.lines and "\n" in text:
            return [term for line in text.split("\n") for term in self._terms(line)]
        return self._terms(text)

    def _terms(self, text: str) -> list[str]:
        words = self.words(text)
        if self.ngram_max == 1:
            return words
        terms = list(words)
        for n in range(2, min(self.ngram_max, len(words)) + 1):
            terms.extend(map(" ".join, zip(*(words[i:] for i in range(n)))))
        return terms

    def words(self, text: str) -> list[str]:
        """The unigrams: lower case, accents stripped, the token pattern's matches."""
        text = text.lower()
        if not text.isascii():
            text = _strip_accents(text)
        return self.token.findall(text)


def _strip_accents(text: str) -> str:
    """scikit-learn's ``strip_accents_unicode``: NFKD, then every combining mark dropped."""
    normalized = unicodedata.normalize("NFKD", text)
    for mark in {c for c in set(normalized) if unicodedata.combining(c)}:
        normalized = normalized.replace(mark, "")
    return normalized


@dataclass(slots=True)
class _TermCounts:
    """Term counts per record, as ``CountVectorizer`` has them before it prunes and sorts.

    Columns are terms in the order first seen, and each row's entries are sorted by column:
    that order survives pruning and renumbering, so it is the order of every floating-point
    sum over a row of the final matrix, and it is kept exactly. scikit-learn counts one term
    at a time in Python and then prunes a vocabulary holding every bigram seen once (most of
    them). Here each word is looked up once, an n-gram is the integer its words' ids spell
    in base "number of words", and first-seen order and per-record counts are ``np.unique``;
    strings are made only for the terms that survive pruning.
    """

    matrix: sp.csr_array
    names: Callable[[np.ndarray], list[str]]  # columns -> their terms

    @classmethod
    def of(cls, texts: Sequence[str], analyzer: WordAnalyzer) -> _TermCounts:
        words: defaultdict[str, int] = defaultdict()
        words.default_factory = words.__len__  # a new word gets the next id
        word_id = words.__getitem__
        # The n-grams of a segment: a record's text, or each of its lines when the analyzer reads lines.
        # segment_starts[r] is record r's first segment.
        if analyzer.lines:
            segments: Sequence[str] = [line for text in texts for line in text.split("\n")]
            segment_starts = np.zeros(len(texts) + 1, dtype=np.int64)
            np.cumsum(np.fromiter((text.count("\n") + 1 for text in texts), dtype=np.int64, count=len(texts)),
                      out=segment_starts[1:])
        else:
            segments, segment_starts = texts, np.arange(len(texts) + 1, dtype=np.int64)
        word_ids = [np.fromiter(map(word_id, tokens), dtype=np.int64, count=len(tokens))
                    for tokens in map(analyzer.words, segments)]
        base, n_max = len(words), analyzer.ngram_max
        if 2 * max(base, 1) ** n_max >= 2**62:  # the codes would overflow int64: count strings
            return cls._of_strings(texts, analyzer)
        # n-gram codes: n-grams of length k are offset[k] + their word ids as base-``base`` digits.
        offsets = [0, 0] + [sum(base**j for j in range(1, k)) for k in range(2, n_max + 1)]
        # Records are counted a chunk at a time, so the sort arrays np.unique makes are the size of
        # a chunk's n-grams, not the corpus's (at 50,000 records those were the peak memory). A
        # term's column is its first-seen rank over the whole corpus: a term no earlier chunk has
        # gets the next columns, in the order this chunk first has it.
        n_words = np.fromiter(map(len, word_ids), dtype=np.int64, count=len(word_ids))
        longest = np.minimum(n_words, n_max)
        per_segment = n_words * longest - longest * (longest - 1) // 2  # n-grams per segment
        segment_record = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(segment_starts))
        # The matrix's arrays, filled chunk by chunk: a record has at most as many entries as n-grams.
        bound = int(per_segment.sum())
        values = np.empty(bound, dtype=np.float64)
        columns = np.empty(bound, dtype=np.int32 if bound <= _INT32_MAX else np.int64)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        runs: list[tuple[np.ndarray, np.ndarray]] = []  # per chunk, its new codes ascending and their columns
        n_terms = n_entries = 0
        for start in range(0, len(texts), _CHUNK_RECORDS):
            stop = min(start + _CHUNK_RECORDS, len(texts))
            first, last = segment_starts[start], segment_starts[stop]
            stream = _ngram_codes(word_ids[first:last], base, offsets, n_max)
            codes, first_at, inverse = np.unique(stream, return_index=True, return_inverse=True)
            del stream
            chunk_column = np.full(codes.size, -1, dtype=np.int64)
            for run_codes, run_columns in runs:
                at = np.searchsorted(run_codes, codes).clip(max=run_codes.size - 1)
                seen = run_codes[at] == codes
                chunk_column[seen] = run_columns[at[seen]]
            new = np.flatnonzero(chunk_column < 0)
            chunk_column[new[np.argsort(first_at[new])]] = np.arange(n_terms, n_terms + new.size)
            n_terms += new.size
            if new.size:
                runs.append((codes[new], chunk_column[new]))
            # Per record, its columns ascending with their counts: np.unique of row * n_terms + column.
            record_and_column = chunk_column[inverse.ravel()]
            del inverse
            record_and_column += np.repeat((segment_record[first:last] - start) * n_terms, per_segment[first:last])
            pairs, counts = np.unique(record_and_column, return_counts=True)
            del record_and_column
            rows = pairs // max(n_terms, 1)
            columns[n_entries:n_entries + pairs.size] = pairs - rows * n_terms
            values[n_entries:n_entries + pairs.size] = counts
            indptr[start + 1:stop + 1] = np.bincount(rows, minlength=stop - start)
            n_entries += pairs.size
        word_ids.clear()
        matrix = _csr(values[:n_entries], columns[:n_entries], np.cumsum(indptr), (len(texts), n_terms))
        word_list = np.array(list(words), dtype=object)
        term_codes = np.empty(n_terms, dtype=np.int64)
        for run_codes, run_columns in runs:
            term_codes[run_columns] = run_codes
        starts = np.array(offsets[1:])

        def names(columns: np.ndarray) -> list[str]:
            wanted = term_codes[columns]
            length = np.searchsorted(starts, wanted, side="right")  # words in each n-gram
            out = np.empty(wanted.size, dtype=object)
            for k in range(1, n_max + 1):
                digits = wanted[length == k] - offsets[k]
                words_k = [word_list[(digits // base ** (k - 1 - j)) % base] for j in range(k)]
                out[length == k] = words_k[0] if k == 1 else list(map(" ".join, zip(*words_k)))
            return list(out)

        return cls(matrix, names)

    @classmethod
    def _of_strings(cls, texts: Sequence[str], analyzer: WordAnalyzer) -> _TermCounts:
        first_seen: defaultdict[str, int] = defaultdict()
        first_seen.default_factory = first_seen.__len__  # a new term gets the next column
        column_of = first_seen.__getitem__
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for text in texts:
            terms = analyzer(text)
            row, count = np.unique(np.fromiter(map(column_of, terms), dtype=np.int64, count=len(terms)),
                                   return_counts=True)
            columns.append(row)
            values.append(count)
        matrix = _stacked_rows(columns, values, len(first_seen))
        terms = list(first_seen)
        return cls(matrix, lambda kept: [terms[i] for i in kept])

    def tfidf(
        self, analyzer: WordAnalyzer, config: FeatureConfig, min_df: float, max_df: float
    ) -> tuple[list[Vectorizer], list[sp.spmatrix]]:
        """The matrix and fitted vectoriser ``TfidfVectorizer.fit_transform`` gives, bit for bit
        (``CountVectorizer._limit_features`` and ``_sort_features``, then ``TfidfTransformer``);
        raises ValueError where it would. Called once: it frees the counts."""
        n_docs, n_terms = self.matrix.shape
        if not n_terms:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        high = max_df if isinstance(max_df, Integral) else max_df * n_docs
        low = min_df if isinstance(min_df, Integral) else min_df * n_docs
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        frequencies = np.bincount(self.matrix.indices, minlength=n_terms)
        kept = np.flatnonzero((frequencies <= high) & (frequencies >= low))
        if not kept.size:
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        # Nothing below raises, so the counts are used up here: the full matrix is dropped once the
        # kept columns are copied out, and two corpus-sized count matrices are never alive at once.
        counts = self.matrix[:, kept]
        del self.matrix
        kept_terms = self.names(kept)
        vocabulary = {term: i for i, term in enumerate(sorted(kept_terms))}
        alphabetical = np.fromiter(map(vocabulary.__getitem__, kept_terms), dtype=counts.indices.dtype,
                                   count=len(kept_terms))
        counts.indices = alphabetical.take(counts.indices, mode="clip")
        if config.title_apart:
            # Engine version 8's rows hold their terms in column order, as its measured candidate's did (decision
            # 0073's harness) and as ``WordTfidf.transform`` gives a record added later: the order of every floating-
            # point sum over a row. In first-seen order 1 of 30 orders parted from the candidate's at a near tie.
            counts.has_sorted_indices = False
            counts.sort_indices()
        idf = smooth_idf(counts)
        # The fitted vectoriser new records go through: the same analyzer, vocabulary and IDF (and pivot).
        if config.pivot_slope == 1.0:
            matrix = tfidf_weighted(counts, idf, config.sublinear_tf)
            descending = descending_rows(config)
            return ([WordTfidf(analyzer, vocabulary, idf, config.sublinear_tf, descending=descending)],
                    [_reversed_rows(matrix) if descending else matrix])
        matrix, pivot = pivoted_tfidf(counts, idf, config.sublinear_tf, config.pivot_slope)
        return [WordTfidf(analyzer, vocabulary, idf, config.sublinear_tf, config.pivot_slope, pivot)], [matrix]


_INT32_MAX = np.iinfo(np.int32).max


def descending_rows(config: FeatureConfig) -> bool:
    """Whether rows of ``config`` hold their terms in descending column order: engine version 9 from 1,000 records
    (the ``wordhy`` tokens with the title apart), as its measured candidate's rows did (the harness's
    ``t2clean-wordhy``, decisions 0073 and 0074, zeroes the rows of records without text by a sparse product, which
    reverses each row). It is the order of every floating-point sum over a row: in ascending order 1 of 16 large-set
    orders parted from the candidate's at a near tie (session 27). Weighted and scaled in ascending order first, as
    the candidate's were."""
    return config.title_apart and config.tokens == "wordhy"


def _reversed_rows(matrix: sp.csr_array | sp.csr_matrix) -> sp.csr_array | sp.csr_matrix:
    """``matrix`` with each row's entries in the reverse order, in place: the entry at position p of a row that spans
    positions a to b - 1 moves to a + b - 1 - p. One array of the entries' positions, 32 bits wide where they fit, and
    no other of their size but a passing count: at 50,000 records the build then peaks below engine version 8's."""
    indptr = matrix.indptr
    kind = np.int32 if 2 * int(indptr[-1]) <= np.iinfo(np.int32).max else np.int64
    last = indptr[:-1].astype(kind) + indptr[1:].astype(kind)
    last -= 1
    order = np.repeat(last, np.diff(indptr))
    order -= np.arange(order.size, dtype=kind)
    matrix.indices = matrix.indices[order]
    matrix.data = matrix.data[order]
    matrix.has_sorted_indices = False
    return matrix


#: Records counted at a time by ``_TermCounts.of``: its sort arrays scale with this, not the corpus.
_CHUNK_RECORDS = 4096


def _ngram_codes(word_ids: list[np.ndarray], base: int, offsets: list[int], n_max: int
                 ) -> np.ndarray:
    """Every n-gram code of these records in ``CountVectorizer``'s order (per record: unigrams,
    then bigrams, ... in text order)."""
    parts: list[np.ndarray] = []
    for ids in word_ids:
        parts.append(ids)
        code = ids
        for k in range(2, min(n_max, ids.size) + 1):
            code = code[:-1] * base + ids[k - 1:]
            parts.append(code + offsets[k])
    return np.concatenate([*parts, np.empty(0, dtype=np.int64)])


def _stacked_rows(columns: list[np.ndarray], counts: list[np.ndarray], n_columns: int) -> sp.csr_array:
    """A count matrix from each record's columns (ascending, ``np.unique``'s) and their counts."""
    indptr = np.concatenate([[0], np.cumsum(np.fromiter(map(len, columns), dtype=np.int64, count=len(columns)))])
    return _csr(np.concatenate([*counts, np.empty(0, dtype=np.int64)]),
                np.concatenate([*columns, np.empty(0, dtype=np.int64)]), indptr, (len(columns), n_columns))


def _csr(counts: np.ndarray, columns: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]) -> sp.csr_array:
    """CountVectorizer's count matrix: float64 counts, int32 indices unless they overflow,
    each row's columns ascending."""
    index_dtype = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_array((counts.astype(np.float64, copy=False), columns.astype(index_dtype, copy=False),
                           indptr.astype(index_dtype, copy=False)), shape=shape)
    matrix.has_sorted_indices = True  # np.unique sorted them
    return matrix


def update_features(features: Features, texts_by_id: Mapping[int, str]) -> Features:
    """Features for every id in ``texts_by_id``: new records appended with the frozen
    vocabulary, or everything rebuilt once the corpus grew past ``REBUILD_GROWTH``."""
    new_ids = [r for r in texts_by_id if r not in features]
    if not new_ids:
        return features
    try:
        return features.add(new_ids, [texts_by_id[r] for r in new_ids])
    except _NeedsRebuild:
        ids = features.ids + new_ids
        return build_features(ids, [texts_by_id.get(r, "") for r in ids], features.config)


def _transform(vectorizers: list[Vectorizer], texts: list[str]) -> sp.csr_matrix:
    blocks = [v.transform(texts) for v in vectorizers]
    return blocks[0] if len(blocks) == 1 else _normalise(sp.hstack(blocks, format="csr"))


def _normalise(matrix: sp.spmatrix) -> sp.csr_matrix:
    normalised = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    l2_normalise_rows(normalised)
    return normalised
