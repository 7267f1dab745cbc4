"""The fast feature build equals scikit-learn's TfidfVectorizer bit for bit (issue #15, speed).

Equal values are not enough: the order of the entries within each row of the matrix is the order
of every floating-point sum over that row (liblinear's dot products, the scores), so a different
order could change a ranking. These tests compare data, indices and indptr array by array.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from review.screening.features import (_FINDS, _TOKEN_PATTERN, TOKEN_PATTERNS, FeatureConfig, WordAnalyzer,
                                      _strip_accents, build_features, record_text)
from review.screening.simulate import load_labelled_csv


def sklearn_vectorizer(ngram_max: int = 2, min_df: float = 2, max_df: float = 0.95) -> TfidfVectorizer:
    """The vectoriser engine version 3 was measured with."""
    return TfidfVectorizer(ngram_range=(1, ngram_max), min_df=min_df, max_df=max_df, sublinear_tf=True,
                           strip_accents="unicode", lowercase=True, dtype=np.float64, token_pattern=_TOKEN_PATTERN)


def assert_identical(expected: sp.spmatrix, actual: sp.spmatrix) -> None:
    expected, actual = sp.csr_matrix(expected), sp.csr_matrix(actual)
    assert expected.shape == actual.shape
    for name in ("indptr", "indices", "data"):
        a, b = getattr(expected, name), getattr(actual, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name


#: Letters with and without accents, a combining mark, Greek, digits, hyphens and punctuation.
TEXT = st.text(alphabet=st.sampled_from(list("abcAB xyz--.,1é̈ÉßΣσςøæ\u0301\u00a0ﬁ²")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_the_analyzer_makes_sklearns_terms_in_sklearns_order(text: str) -> None:
    for ngram_max in (1, 2, 3):
        assert WordAnalyzer(ngram_max)(text) == sklearn_vectorizer(ngram_max).build_analyzer()(text)


#: Word characters of several kinds (underscore, digits, letters, a combining mark), hyphens and non-word characters.
TOKEN_TEXT = st.text(alphabet=st.sampled_from(list("ab_9é\u0301Σ- -.,'\n")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(TOKEN_TEXT)
def test_the_patterns_the_analyzer_scans_with_find_the_tokens_of_the_stated_ones(text: str) -> None:
    # WordAnalyzer scans with _FINDS (no word boundaries, faster); the tokens must be those of TOKEN_PATTERNS
    # (scikit-learn's token_pattern in these tests) for every text.
    for tokens, stated in TOKEN_PATTERNS.items():
        assert re.findall(_FINDS[tokens], text) == re.findall(stated, text)
        lowered = text.lower()
        assert WordAnalyzer(1, tokens).words(text) == re.findall(stated, lowered if lowered.isascii() else
                                                                 _strip_accents(lowered))


CORPUS = [
    "Sickness absence and return-to-work after common mental disorders",
    "Return to work: a cohort of workers on sick leave; recurrence of sickness absence",
    "Café workers' résumé: naïve Bayes, ÉTUDE de cohorte — σ and Σ",
    "a b c d e f g a b c",
    "",
    "Recurrent sickness absence in a cohort of workers",
    "Sick leave and return to work of workers with depression",
    "Naïve cohort study of café workers",
]


@pytest.mark.parametrize("ngram_max", [1, 2, 3, 30])  # 30: n-gram codes would overflow, terms counted as strings
def test_the_matrix_vocabulary_and_idf_equal_sklearns(ngram_max: int) -> None:
    vectorizer = sklearn_vectorizer(ngram_max)
    expected = vectorizer.fit_transform(CORPUS)
    features = build_features(list(range(len(CORPUS))), CORPUS, FeatureConfig(ngram_max=ngram_max))
    assert_identical(expected, features.matrix)
    fitted = features._vectorizers[0]
    assert fitted.vocabulary == vectorizer.vocabulary_
    assert np.array_equal(fitted.idf, vectorizer.idf_)
    new = ["Workers on sick leave return to work", "café naïve", "unseen words only"]
    assert_identical(vectorizer.transform(new), fitted.transform(new))


@pytest.mark.parametrize("chunk_records", [1, 2, 3])
def test_records_counted_in_chunks_give_the_same_matrix(chunk_records: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Terms first seen in a later chunk, chunks without a word, a set bigger than one chunk.
    import review.screening.features as features_module

    texts = ["", *CORPUS, "", "", *CORPUS[::-1]]
    expected = sklearn_vectorizer(3).fit_transform(texts)
    monkeypatch.setattr(features_module, "_CHUNK_RECORDS", chunk_records)
    assert_identical(expected, build_features(list(range(len(texts))), texts, FeatureConfig(ngram_max=3)).matrix)


def test_a_shared_set_counted_in_seven_chunks_builds_the_same_matrix(monkeypatch: pytest.MonkeyPatch,
                                                                    small_csv: Path) -> None:
    import review.screening.features as features_module

    data = load_labelled_csv(small_csv)
    monkeypatch.setattr(features_module, "_CHUNK_RECORDS", max(len(data.texts) // 7, 1))
    assert_identical(sklearn_vectorizer().fit_transform(data.texts), build_features(data.ids, data.texts).matrix)


def test_too_few_records_fall_back_to_every_term_as_before() -> None:
    texts = ["sick leave recurrence", "return to work"]  # min_df 2 keeps nothing
    features = build_features([1, 2], texts)
    assert_identical(sklearn_vectorizer(min_df=1, max_df=1.0).fit_transform(texts), features.matrix)


def test_a_shared_set_builds_the_same_matrix(small_csv: Path) -> None:
    data = load_labelled_csv(small_csv)
    features = build_features(data.ids, data.texts)
    assert_identical(sklearn_vectorizer().fit_transform(data.texts), features.matrix)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000")), max_size=30),
       st.text(alphabet=st.sampled_from(list("cd \t\n\u2028")), max_size=30))
def test_record_text_collapses_whitespace_as_the_regex_did(title: str, abstract: str) -> None:
    parts = [title, title, abstract]
    expected = re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip()
    assert record_text({"title": title, "abstract": abstract}) == expected
