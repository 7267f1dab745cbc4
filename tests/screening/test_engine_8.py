"""Engine version 8 (decision 0073): the title read twice without the bigram across the seam, at every size.

Engine versions 4-7 read "title title abstract": its bigrams include the title's last word followed by its first,
a phrase of no record (at min_df 1 a column of the record alone). Engine version 8 counts the terms of "title
abstract" plus the title's own; `svm-e6` keeps engine version 6 by name. Engine version 9 (decision 0074, the default
since) reads the title so too; engine version 8 is `svm-e8` by name (tests/screening/test_engine_9.py).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from review.cli import main
from review.screening.features import FeatureConfig, WordAnalyzer, build_features, record_text, update_features
from review.screening.models import MODEL_NAMES, SMALL_SET_RECORDS
from review.screening.ranker import ENGINE_VERSION, engine_version, feature_config_for
from review.screening.simulate import load_labelled_csv

RECORD = {"title": "A b. Cc d", "abstract": "x d a y"}


def _terms(text: str, config: FeatureConfig) -> Counter[str]:
    return Counter(WordAnalyzer(config.ngram_max, config.tokens, lines=config.title_apart)(text))


def test_the_title_read_twice_forms_no_bigram_across_its_seam_and_keeps_every_other_count() -> None:
    # Under engine version 6's tokens from 1,000 records one-character words are tokens, so "A b. Cc d" read twice
    # as one line has "d a" across the seam; the abstract's own "d a" stays (once), every other term keeps its count.
    apart, six = FeatureConfig(title_apart=True), feature_config_for("svm-e6", SMALL_SET_RECORDS)
    assert six == FeatureConfig()
    mine = _terms(record_text(RECORD, apart.title_repeats, apart.title_apart), apart)
    before = _terms(record_text(RECORD, six.title_repeats, six.title_apart), six)
    assert before["d a"] == 2 and mine["d a"] == 1
    assert before - mine == Counter({"d a": 1}) and not mine - before
    # what engine version 8 counts: the terms of "title abstract" plus those of the title
    once = Counter(WordAnalyzer(2)("A b. Cc d x d a y")) + Counter(WordAnalyzer(2)("A b. Cc d"))
    assert mine == once
    assert mine["a"] == 3 and mine["cc d"] == 2 and mine["d x"] == 1 and mine["a b"] == 2


def test_the_title_repeat_is_a_line_of_its_own_and_nothing_else_breaks_a_line() -> None:
    record = {"title": " A b.\n Cc  d ", "abstract": "x\nd a\ty", "mesh": ["Humans"]}
    assert record_text(record, 2, title_apart=True) == "A b. Cc d x d a y Humans\nA b. Cc d"
    assert record_text(record, 2) == "A b. Cc d A b. Cc d x d a y Humans"  # engine versions 4-7, svm-e6
    assert record_text({"title": " ", "abstract": "x y"}, 2, title_apart=True) == "x y"
    assert record_text({"title": "T", "abstract": ""}, 3, title_apart=True) == "T\nT\nT"
    # a line break is a space to an analyzer that does not read lines (svm-e6 on any text)
    assert WordAnalyzer(2)("a b\nc") == WordAnalyzer(2)("a b c") != WordAnalyzer(2, lines=True)("a b\nc")


def _sized_csv(path: Path, n: int) -> Path:
    """``n`` records whose titles come from a few, so the seam bigrams recur (and survive min_df 2)."""
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["record_id", "title", "abstract", "label_included"])
        for i in range(n):
            title = f"Alpha{i % 3} beta gamma{i % 5}"
            abstract = " ".join(rng.choice(words, size=12))
            out.writerow([i + 1, title, abstract, int(i % 10 == 0)])
    return path


@pytest.mark.parametrize("n", [SMALL_SET_RECORDS - 1, SMALL_SET_RECORDS])
def test_svm_e8_has_no_seam_column_at_either_size_and_svm_e6_keeps_its_rows(tmp_path: Path, n: int) -> None:
    data = load_labelled_csv(_sized_csv(tmp_path / "set.csv", n))
    eight, six = feature_config_for("svm-e8", n), feature_config_for("svm-e6", n)
    assert eight.title_apart and not six.title_apart and feature_config_for("default", n).title_apart
    mine = build_features(data.ids, data.texts_for(eight), eight)
    before = build_features(data.ids, data.texts_for(six), six)
    seams = {f"gamma{i % 5} alpha{i % 3}" for i in range(15)}
    vocabulary, before_vocabulary = mine._vectorizers[0].vocabulary, before._vectorizers[0].vocabulary  # type: ignore[attr-defined]
    assert seams <= set(before_vocabulary) and not seams & set(vocabulary)
    assert set(before_vocabulary) - set(vocabulary) == seams
    # svm-e6: the rows engine version 6 built, from "title title abstract" (scikit-learn's vectoriser, bit for bit)
    fields = data.fields
    assert fields is not None
    texts = [" ".join([f["title"], f["title"], f["abstract"]]) for f in fields]
    reference = TfidfVectorizer(analyzer=WordAnalyzer(2, six.tokens), min_df=six.min_df, max_df=0.95,
                                sublinear_tf=True, dtype=np.float64).fit_transform(texts)
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(reference, name), getattr(before.matrix, name)), name
    # svm-e8: counts of "title abstract" plus those of the title, with the document frequencies of "title
    # abstract" (the same as "title title abstract"'s for every term the title's repeat does not add)
    counter = CountVectorizer(analyzer=WordAnalyzer(2, eight.tokens), min_df=eight.min_df, max_df=0.95,
                              dtype=np.float64)
    once = counter.fit_transform([" ".join([f["title"], f["abstract"]]) for f in fields]).tocsr()
    counts = (once + counter.transform([f["title"] for f in fields])).tocsr()
    idf = np.log((1 + n) / (1 + np.bincount(once.indices, minlength=once.shape[1]))) + 1
    weighted = counts.copy()
    weighted.data = 1 + np.log(weighted.data)
    weighted = sp.csr_matrix(weighted @ sp.diags(idf))
    weighted = sp.csr_matrix(sp.diags(1 / np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel()))
                             @ weighted)
    assert counter.vocabulary_ == vocabulary
    assert np.allclose(weighted.toarray(), mine.matrix.toarray(), rtol=1e-12, atol=0)


def test_the_rows_built_are_the_rows_a_record_added_later_gets_to_the_bit(tmp_path: Path) -> None:
    # Engine version 8's rows hold their terms in column order (as its measured candidate's did): the order of every
    # floating-point sum over a row, and the order the fitted vectoriser gives records added later.
    data = load_labelled_csv(_sized_csv(tmp_path / "set.csv", 60))
    config = FeatureConfig(min_df=1, title_apart=True)
    texts = data.texts_for(config)
    built = build_features(data.ids, texts, config)
    again = built._vectorizers[0].transform(texts)
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(again, name), getattr(built.matrix, name)), name
    assert all((np.diff(built.matrix.indices[a:b]) > 0).all() for a, b in zip(built.matrix.indptr, built.matrix.indptr[1:]))


def test_a_record_added_later_is_read_apart_too() -> None:
    # "d a" is a column (an abstract has it); the new record's title read twice must not add to it.
    config = FeatureConfig(min_df=1, title_apart=True)
    texts = {i: record_text({"title": f"T{i} x", "abstract": "y d a z" if i % 2 else "y z"}, 2, True) for i in range(8)}
    built = build_features(list(texts), list(texts.values()), config)
    assert "d a" in built._vectorizers[0].vocabulary  # type: ignore[attr-defined]
    new = {8: record_text({"title": "A b. Cc d", "abstract": ""}, 2, True)}  # "A b. Cc d\nA b. Cc d"
    grown = update_features(built, {**texts, **new})
    assert grown.n_built == 8 and len(grown) == 9  # appended with the frozen vocabulary
    column = built._vectorizers[0].vocabulary["d a"]  # type: ignore[attr-defined]
    assert grown.matrix[8, column] == 0 and grown.matrix[8].nnz > 0


def test_svm_e8_is_engine_8_and_the_named_engines_stay(tmp_path: Path) -> None:
    assert ENGINE_VERSION == 9 and {"svm", "svm-e9", "svm-e8", "svm-e7", "svm-e6", "svm-e5"} <= set(MODEL_NAMES)
    assert [engine_version(m) for m in ("default", "svm", "svm-e9", "svm-e8", "svm-e7", "svm-e6", "svm-e5")] == [
        9, 9, 9, 8, 7, 6, 5]
    csv_path = _sized_csv(tmp_path / "set.csv", 120)
    recorded = {}
    for model in ("default", "svm-e8", "svm-e6", "svm-e7"):
        out = tmp_path / f"{model}.json"
        result = CliRunner().invoke(main, ["simulate", str(csv_path), "--seed", "1", "--model", model,
                                           "--json", str(out)])
        assert result.exit_code == 0, result.output
        run = json.loads(out.read_text())
        recorded[model] = (run["engine"], run["model_info"]["engine"], run["model_info"]["features"]["title_apart"],
                           run["order"])
    assert recorded["default"][:3] == (9, 9, True) and recorded["svm-e8"][:3] == (8, 8, True)
    assert recorded["default"][3] == recorded["svm-e8"][3]  # below 1,000 records engine 9 is engine 8
    assert recorded["svm-e6"][:3] == (6, 6, False) and recorded["svm-e7"][:3] == (7, 7, False)

