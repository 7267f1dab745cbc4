"""Engine version 9 (decision 0074, round 21's t2clean-wordhy): engine version 8 with, from 1,000 records, the
``wordhy`` tokens: words of two or more characters, hyphens split, except a word compound (every part two or more
characters with a letter), which stays one term. So "a 4-week" and "an 8-week" trial share "week" while "opt-out"
stays one term. Below 1,000 records nothing changes; `svm-e8` keeps engine version 8 and `svm-e6` version 6.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from review.cli import main
from review.records import Record
from review.screening.features import (
    _FINDS,
    TOKEN_PATTERNS,
    FeatureConfig,
    Features,
    WordAnalyzer,
    build_features,
    smooth_idf,
    tfidf_weighted,
    update_features,
)
from review.screening.models import SMALL_SET_RECORDS
from review.screening.ranker import feature_config_for
from review.screening.session import ScreeningSession
from review.screening.simulate import LabelledSet, load_labelled_csv


def test_wordhy_splits_designator_compounds_and_keeps_word_compounds_whole() -> None:
    text = "A 4-week and an 8-week trial: opt-out, placebo-controlled, quality-of-life, L-type, covid-19, 5-HT1A"
    assert WordAnalyzer(1, "wordhy").words(text) == [
        "week", "and", "an", "week", "trial", "opt-out", "placebo-controlled", "quality-of-life", "type", "covid", "19",
        "ht1a"]
    # a compound is matched only whole and from its first part
    assert WordAnalyzer(1, "wordhy").words("5-ht-receptor x-ray-tube") == ["ht", "receptor", "ray", "tube"]


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1_é\u0301-- .")), max_size=24))
@example("a-bc-de")  # a compound is not matched from a part after a one-character one
@example("-bc-de")
@example("bc-de-")
@example("bc-de-f")
@example("bc--de")
@example("b1-c2")
@example("11-bc")
@example("ab\u2010cd-ef \u2013ab-cd ab-cd\u2212ef")  # other dashes separate words, as a space does
@example("ab-\u00b2\u00b2 \u0663\u0663-ab ab_-cd a_-bc")  # a superscript counts as a letter, an Arabic digit not
@example("ab-cd- -ab-cd ab--cd ab-cd--ef")
@example("-".join(["ab"] * 400) + "-1 " + "-".join(["ab"] * 400) + "-")  # a long compound, then a designator part
@example("1" * 500 + "-ab " + "ab-" + "9" * 500)
def test_the_wordhy_scan_finds_the_stated_tokens(text: str) -> None:
    # WordAnalyzer scans "wordhy" with _FINDS (the compound tried only before a hyphen, no word boundaries); the
    # tokens must be those of the stated pattern, the harness's.
    assert re.findall(_FINDS["wordhy"], text) == re.findall(TOKEN_PATTERNS["wordhy"], text)


def _compound_csv(path: Path, n: int) -> Path:
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(40)]
    titles = ["A 4-week trial of x", "An 8-week trial of y", "An opt-out policy for z"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["record_id", "title", "abstract", "label_included"])
        for i in range(n):
            out.writerow([i + 1, titles[i % 3], " ".join(rng.choice(words, size=12)), int(i % 10 == 0)])
    return path


def _built(data: LabelledSet, model: str, n: int) -> tuple[Features, dict[str, int]]:
    config = feature_config_for(model, n)
    features = build_features(data.ids, data.texts_for(config), config)
    return features, features._vectorizers[0].vocabulary  # type: ignore[attr-defined]


def _same_rows(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return all(np.array_equal(getattr(a, name), getattr(b, name)) for name in ("indptr", "indices", "data"))


def test_from_1000_records_a_4_week_and_an_8_week_trial_share_week_and_opt_out_stays_one_term(tmp_path: Path) -> None:
    small = load_labelled_csv(_compound_csv(tmp_path / "small.csv", SMALL_SET_RECORDS - 1))
    large = load_labelled_csv(_compound_csv(tmp_path / "large.csv", SMALL_SET_RECORDS))
    nine, mine = _built(large, "default", SMALL_SET_RECORDS)
    eight, before = _built(large, "svm-e8", SMALL_SET_RECORDS)
    assert {"week", "week trial", "opt-out", "opt-out policy"} <= set(mine)
    assert not {"4-week", "8-week", "opt", "out", "a", "x"} & set(mine)  # one-character words dropped too
    # svm-e8 (engine version 8): engine version 6's tokens, every hyphenated word whole, one-character words kept
    assert {"4-week", "8-week", "opt-out", "a", "x"} <= set(before) and "week" not in before
    assert nine.config == FeatureConfig(tokens="wordhy", title_apart=True) == feature_config_for("svm-e9", 1000)
    # below 1,000 records nothing changes: the default's rows are engine version 8's, to the bit
    small_nine, small_mine = _built(small, "default", SMALL_SET_RECORDS - 1)
    small_eight, small_before = _built(small, "svm-e8", SMALL_SET_RECORDS - 1)
    assert small_mine == small_before and {"week", "opt", "out"} <= set(small_mine) and "opt-out" not in small_mine
    assert small_nine.config == small_eight.config and _same_rows(small_nine.matrix, small_eight.matrix)
    # svm-e6 at either size: engine version 6's rows, scikit-learn's of "title title abstract" (to the bit)
    for data, n in ((small, SMALL_SET_RECORDS - 1), (large, SMALL_SET_RECORDS)):
        six, six_terms = _built(data, "svm-e6", n)
        # engine version 6's tokens from 1,000 records (hyphenated words whole), ASReview's below
        assert ("4-week" in six_terms) is ("week" not in six_terms) is (n >= SMALL_SET_RECORDS), n
        assert data.fields is not None
        texts = [" ".join([f["title"], f["title"], f["abstract"]]) for f in data.fields]
        reference = TfidfVectorizer(analyzer=WordAnalyzer(2, six.config.tokens), min_df=six.config.min_df,
                                    max_df=0.95, sublinear_tf=True, dtype=np.float64).fit_transform(texts)
        assert _same_rows(reference, six.matrix), n


def _reference(texts: list[str], config: FeatureConfig) -> sp.csr_matrix:
    """Rows in ascending column order from scikit-learn's counter on ``config``'s analyzer, weighted as the engine."""
    counts = CountVectorizer(analyzer=WordAnalyzer(config.ngram_max, config.tokens, lines=config.title_apart),
                             min_df=config.min_df, max_df=0.95, dtype=np.float64).fit_transform(texts).tocsr()
    counts.sort_indices()
    return tfidf_weighted(counts, smooth_idf(counts), sublinear_tf=True)


def test_from_1000_records_the_rows_hold_their_terms_in_descending_column_order_built_or_added(tmp_path: Path) -> None:
    # As the measured candidate's rows did (the harness's t2clean-wordhy): weighted and scaled in ascending column
    # order, then each row reversed; a record added later gets its row the same way. svm-e8's stay ascending.
    data = load_labelled_csv(_compound_csv(tmp_path / "set.csv", 60))
    for model, descending in (("default", True), ("svm-e9", True), ("svm-e8", False)):
        config = dataclasses.replace(feature_config_for(model, SMALL_SET_RECORDS), min_df=1)
        texts = data.texts_for(config)
        built = build_features(data.ids, texts, config)
        ascending = _reference(texts, config)
        starts, ends = built.matrix.indptr[:-1], built.matrix.indptr[1:]
        assert built.matrix.nnz and np.array_equal(built.matrix.indptr, ascending.indptr)
        for a, b in zip(starts, ends):
            step = -1 if descending else 1
            assert np.array_equal(built.matrix.indices[a:b], ascending.indices[a:b][::step]), model
            assert np.array_equal(built.matrix.data[a:b], ascending.data[a:b][::step]), model
        again = built._vectorizers[0].transform(texts)  # type: ignore[attr-defined]
        assert _same_rows(again, built.matrix), model
        grown = update_features(build_features(data.ids[:-1], texts[:-1], config), dict(zip(data.ids, texts)))
        assert grown.n_built == len(data) - 1 and grown.matrix[len(data) - 1].nnz
        last = grown.matrix[len(data) - 1]
        assert (np.diff(last.indices) < 0).all() if descending else (np.diff(last.indices) > 0).all(), model
    # below 1,000 records the rows stay in ascending column order
    small = feature_config_for("default", SMALL_SET_RECORDS - 1)
    rows = build_features(data.ids, data.texts_for(small), small).matrix
    assert all((np.diff(rows.indices[a:b]) > 0).all() for a, b in zip(rows.indptr[:-1], rows.indptr[1:]))


def test_review_simulate_records_engine_9_and_svm_e8_keeps_engine_8_from_1000_records(tmp_path: Path) -> None:
    csv_path = _compound_csv(tmp_path / "set.csv", SMALL_SET_RECORDS)
    recorded = {}
    for model in ("default", "svm-e9", "svm-e8", "svm-e6"):
        out = tmp_path / f"{model}.json"
        result = CliRunner().invoke(main, ["simulate", str(csv_path), "--seed", "1", "--model", model,
                                           "--prior-included", "1", "--prior-excluded", "1", "--json", str(out)])
        assert result.exit_code == 0, result.output
        run = json.loads(out.read_text())
        recorded[model] = (run["engine"], run["model_info"]["engine"], run["model_info"]["features"], run["order"])
    assert recorded["default"][:2] == recorded["svm-e9"][:2] == (9, 9)
    assert recorded["default"][2] == recorded["svm-e9"][2] == FeatureConfig(tokens="wordhy", title_apart=True).as_dict()
    assert recorded["default"][3] == recorded["svm-e9"][3]
    assert recorded["svm-e8"][:3] == (8, 8, FeatureConfig(title_apart=True).as_dict())
    assert recorded["svm-e6"][:3] == (6, 6, FeatureConfig().as_dict())


def _records(start: int, n: int) -> list[Record]:
    titles = ["A 4-week trial of x{}", "An 8-week trial of y{}", "An opt-out policy for z{}"]
    return [Record(title=titles[i % 3].format(i % 7), abstract=f"delta w{i % 7} epsilon w{i % 4} gamma{i % 11}")
            for i in range(start, start + n)]


def test_a_session_an_import_takes_to_1000_records_reads_the_wordhy_tokens_and_adds_later_records_so(
        workspace) -> None:  # noqa: ANN001
    # The 1,000-record line crossed by an import during a session: its rows are built again, with engine version 9's
    # tokens, and are review simulate's rows of the same texts to the bit; a record imported after that gets a row of
    # the same vocabulary, in descending column order.
    def imported(start: int, n: int) -> None:
        workspace.store.add_batch(_records(start, n), file_name=f"{start}.csv", file_sha256=f"{start:064d}",
                                  source_name="test", format="csv", encoding="utf-8")

    imported(0, SMALL_SET_RECORDS - 1)
    ids = [r.id for r in workspace.store.records()]
    session = ScreeningSession(workspace, "alice", seed=1)
    session.decide(ids[0], "include")
    session.decide(ids[1], "exclude")
    below = session.retrain().model_info
    assert (below["engine"], below["features"]["tokens"]) == (9, "words2")
    imported(SMALL_SET_RECORDS - 1, 1)
    session.refresh_records()
    ranking = session.retrain()
    features = session._features
    assert features is not None and len(features) == SMALL_SET_RECORDS
    config = FeatureConfig(tokens="wordhy", title_apart=True)
    assert ranking.model_info["engine"] == 9 and ranking.model_info["features"] == config.as_dict()
    vocabulary = features._vectorizers[0].vocabulary  # type: ignore[attr-defined]
    assert {"week", "opt-out", "week trial"} <= set(vocabulary) and not {"4-week", "opt", "a"} & set(vocabulary)
    texts = session._texts(2, title_apart=True)
    assert _same_rows(build_features(features.ids, [texts[r] for r in features.ids], config).matrix, features.matrix)
    imported(SMALL_SET_RECORDS, 5)
    session.refresh_records()
    session.retrain()
    grown = session._features
    assert grown is not None and (len(grown), grown.n_built, grown.config) == (SMALL_SET_RECORDS + 5,
                                                                               SMALL_SET_RECORDS, config)
    for row in range(SMALL_SET_RECORDS, SMALL_SET_RECORDS + 5):
        a, b = grown.matrix.indptr[row], grown.matrix.indptr[row + 1]
        assert b - a > 1 and (np.diff(grown.matrix.indices[a:b]) < 0).all(), row
