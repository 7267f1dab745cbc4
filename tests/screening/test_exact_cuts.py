"""Review of speed22's cuts that claim the same results to the bit (rrev22b): each cut against the code it
replaced, on inputs chosen to break the claim (ties at a level, no records left, edge levels, unusual
characters, every model, float32 entries), not only on the shared sets' runs."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from review.screening import stopping_classifier as sc
from review.screening import stopping_rate as sr
from review.screening.features import _FINDS, TOKEN_PATTERNS
from review.screening.models import MODEL_NAMES
from review.screening.svm_newton import squared_row_norms


def searched_bound(labels: np.ndarray, n_total: int, confidence: float) -> tuple[int, sr._LomaxPosterior] | None:
    """The gate's bound before 05a7719b: lomax_estimate's search for the smallest k with P(left ≤ k) ≥
    confidence (capped at the records left), rebuilt step for step from the private parts it used."""
    fit_start = sr.lomax_fit_start(labels)
    if fit_start is None:
        return None
    fit, n_fit = labels[fit_start:], n_total - fit_start
    if fit.size == 0 or fit.sum() < sr.MIN_FOUND or n_fit <= fit.size:
        return None
    c, p = sr._lomax_rates(n_fit)
    masses = sr._lomax_sum(c, p, np.array([fit.size, n_fit]))
    relevant_at = np.flatnonzero(fit) + 1
    log_sum = sr._RELEVANT_LOG_SHAPES.row_sums(n_fit, relevant_at)
    post = sr._lomax_posterior(masses[:, :1], masses[:, 1:], log_sum, np.array([relevant_at.size]))
    low, high = 0, n_fit - fit.size
    weighed = sr._weighed_rows(post)
    while low < high:
        middle = (low + high) // 2
        if sr._lomax_cdf(post, np.array([middle]), weighed)[0] >= confidence:
            high = middle
        else:
            low = middle + 1
    return low, post


def searched_gate(labels: np.ndarray, n_total: int, found_before: int, target: float, confidence: float) -> bool:
    bound = searched_bound(labels, n_total, confidence)
    if bound is None:
        return False
    return bool(bound[0] <= sr.most_left_for_target(int(labels.sum()) + found_before, target))


ORDERS = st.lists(st.integers(0, 1), max_size=120).map(lambda bits: np.array(bits, dtype=np.int64))


@settings(max_examples=300)
@given(labels=ORDERS, extra=st.sampled_from([0, 1, 2, 7, 300, 5000]), found_before=st.integers(0, 6),
       target=st.sampled_from([0.3, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0]),
       confidence=st.sampled_from([0.0, 5e-324, 0.1, 0.5, 0.95, 1 - 2 ** -53, 1.0, 1.5, float("nan")]),
       tie_at=st.integers(0, 40), nudge=st.sampled_from([-1, 0, 1]))
@example(labels=np.array([1, 1, 0, 1, 1]), extra=0, found_before=0, target=0.95, confidence=0.1, tie_at=0, nudge=0)
def test_the_gate_reads_at_k_star_what_the_quantile_search_answered(labels: np.ndarray, extra: int, found_before: int,
                                                                     target: float, confidence: float, tie_at: int,
                                                                     nudge: int) -> None:
    # 05a7719b: lomax_reaches_levels (the CDF at k* alone) answers as the search it replaced, also where the level is
    # exactly the CDF at some k (a tie at the search's boundary) or one float either side, with no record left
    # (extra 0), k* = 0 (target 1.0) or past the records left, and at levels 0, 1 and beyond.
    n_total = labels.size + extra
    bound = searched_bound(labels, n_total, 0.5)
    if bound is not None and tie_at % 4:  # three in four: the level is the CDF at some k itself
        k = min(tie_at, n_total - labels.size)
        confidence = float(sr._lomax_cdf(bound[1], np.array([k]), sr._weighed_rows(bound[1]))[0])
        confidence = float(np.nextafter(confidence, 2.0 * nudge)) if nudge else confidence
    assert sr.lomax_reaches_levels(labels, n_total, target_recall=target, found_before=found_before,
                                   levels=(confidence,)) == [searched_gate(labels, n_total, found_before, target,
                                                                           confidence)]


def test_the_gate_is_asked_where_its_answer_turns() -> None:
    # The property above must see both answers, and the answer turning on the last bit of the level.
    labels = np.array([1, 1, 0, 1, 1, 0, 0, 1] + [0] * 40)
    bound = searched_bound(labels, 400, 0.5)
    assert bound is not None
    most_left = int(sr.most_left_for_target(int(labels.sum()), 0.95))
    at_k_star = float(sr._lomax_cdf(bound[1], np.array([most_left]), sr._weighed_rows(bound[1]))[0])
    answers = sr.lomax_reaches_levels(labels, 400, target_recall=0.95, found_before=0,
                                      levels=(at_k_star, float(np.nextafter(at_k_star, 2.0))))
    assert answers == [True, False]
    assert answers == [searched_gate(labels, 400, 0, 0.95, level)
                       for level in (at_k_star, float(np.nextafter(at_k_star, 2.0)))]


def constant_level(value: float):  # type: ignore[no-untyped-def]
    return lambda most_left: np.full(np.shape(most_left), value)


def level_by_k_star(lowered: float, elsewhere: float):  # type: ignore[no-untyped-def]
    """A level that changes with k* (lower where it is 1 or 2): the walk takes any level by k*, as decisions
    0059–0068's rule used it."""
    return lambda most_left: np.where((np.asarray(most_left) >= 1) & (np.asarray(most_left) <= 2), lowered, elsewhere)


LEVELS = [None, sc.trend_levels(0.95), level_by_k_star(0.85, 0.95), level_by_k_star(0.5, 0.8), constant_level(0.5),
          constant_level(0.999), constant_level(1.0)]


@settings(max_examples=60)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.sampled_from([0, 1, 2, 3, 60, 700, 2600]),
       decay=st.floats(0.01, 2.0), found_before=st.integers(0, 3),
       picks=st.lists(st.integers(0, len(LEVELS) - 1), min_size=1, max_size=4))
def test_one_walk_stops_each_level_where_its_own_walk_does(seed: int, n: int, decay: float, found_before: int,
                                                             picks: list[int]) -> None:
    # 29b1917a: lomax_first_stops' stops are each level's own walk's for any levels (repeated, in any order,
    # one never reached), orders that stop early, late (past a chunk of positions) or never. (Later starts went
    # with the start parameter, 41416181.)
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.5 * np.exp(-np.arange(n) * decay / max(n, 1) * 8)).astype(np.int64)
    levels = [LEVELS[i] for i in picks]
    alone = [sr.lomax_first_stop(labels, found_before=found_before, level=level) for level in levels]
    assert sr.lomax_first_stops(labels, found_before=found_before, levels=levels) == alone


#: Characters where a word and a non-word character meet in unusual ways: letters of several scripts, digits that
#: are not decimal, marks (\w in none of them), joiners, an underscore, hyphens of several kinds, apostrophes.
TRICKY = list("aZ_09é\u0301\u0308Σßı\u0130\u00b2\u00bd\u0663\u4e2d\u0915\u093f\u200d\u200b\u00a0\u2013\u2010-"
              "'\u2019 .\t\n\u00ad") + ["\U0001d400", "\U0001f600"]


@settings(max_examples=600)
@given(st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=30))
@example("-a-")
@example("a-")
@example("\u0301a\u0301-b")
@example("\u00b2\u00b2-\u00bd")
def test_the_boundless_patterns_find_the_stated_tokens_in_any_text(text: str) -> None:
    # 7f23fbd0: the word boundaries of TOKEN_PATTERNS may be left out (_FINDS) wherever findall scans: the same
    # tokens in text of any Unicode characters, not only a handful of kinds.
    for tokens, stated in TOKEN_PATTERNS.items():
        assert re.findall(_FINDS[tokens], text) == re.findall(stated, text)


def test_the_tricky_characters_cover_both_sides_of_a_word() -> None:
    # The alphabet above must hold word characters that are not letters and marks that are not word characters.
    word = [c for c in TRICKY if re.fullmatch(r"\w", c)]
    assert {"\u00b2", "\u00bd", "\u0663", "_"} <= set(word)
    assert {c for c in TRICKY if unicodedata.category(c).startswith("M")} - set(word) == {"\u0301", "\u0308", "\u093f"}


def random_rows(n_rows: int, n_columns: int, seed: int, dtype: type = np.float64) -> sp.csr_matrix:
    """A canonical CSR matrix with empty rows and rows of 1 to ~300 entries (past pairwise summation's blocks)."""
    rng = np.random.default_rng(seed)
    lengths = rng.choice([0, 1, 3, 8, 9, 40, 129, 300], size=n_rows)
    rows = [np.sort(rng.choice(n_columns, size=k, replace=False)) for k in lengths]
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.concatenate(rows).astype(np.int32)
    data = rng.random(indices.size).astype(dtype) * 0.3
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_norms_of_rows_sliced_are_the_norms_of_those_rows_alone(dtype: type) -> None:
    # 7382a8b0 (and 406e0939): a fit's ‖xᵢ‖² sliced from the ordered matrix's are those its own rows give, for
    # every start and length (so every alignment of a row's entries in memory), empty rows and float32 entries.
    matrix = random_rows(90, 400, seed=5, dtype=dtype)
    norms = squared_row_norms(matrix)
    for start in range(0, 30):
        for stop in (start, start + 1, start + 7, 90):
            part = matrix[start:stop]
            assert np.array_equal(squared_row_norms(part), norms[start:stop])
            assert np.array_equal(squared_row_norms(sc._rows_between(matrix, start, stop)), norms[start:stop])


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_a_check_on_views_with_sliced_norms_is_the_check_on_copies(model: str) -> None:
    # 7382a8b0: first_stop's checks read views of the ordered matrix and hand an SVM its sliced norms; for every
    # model (speed22 compared svm and svm-e7 runs only) each check's view is the one copies give, to the bit.
    rng = np.random.default_rng(3)
    labels = (rng.random(260) < np.linspace(0.5, 0.02, 260)).astype(np.int64)
    signal = sp.csr_matrix(np.outer(labels, np.r_[np.ones(3), np.zeros(397)]) * 0.2)
    ordered = sp.csr_matrix(random_rows(260, 400, seed=9) + signal)
    norms = squared_row_norms(ordered)
    data_before = ordered.data.copy()
    for at in (30, 120, 259):
        options = {"model": model, "seed": 4, "n_records": 260, "target_recall": 0.95, "confidence": 0.95}
        on_views = sc._estimate(sc._rows_between(ordered, 0, at), labels[:at], sc._rows_between(ordered, at, 260),
                                row_norms=norms[:at], **options)
        on_copies = sc._estimate(ordered[:at], labels[:at], ordered[at:], **options)
        assert on_views is not None and on_views == on_copies
    assert np.array_equal(ordered.data, data_before)  # the fits never wrote into the shared entries
