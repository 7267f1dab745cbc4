"""benchmarks/screening_dev.py for round 20 (decision 0073): the title read twice without the bigram that
'title title abstract' forms across the seam (the title's last word and its first)."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import CountVectorizer

from review.screening.features import WordAnalyzer
from screening_dev_sets import made_up_set
from script_module import load_script


@pytest.fixture(scope="module")
def dev():  # noqa: ANN201
    return load_script("benchmarks/screening_dev.py", "screening_dev_round20")


TITLES = ["A b. Cc d", "Cc d and e", "", "g h"]
ABSTRACTS = ["E f.", "A b d.", "Only an abstract e", ""]


def _twice(analyzer: WordAnalyzer) -> dict[str, list[int]]:
    """Each term's counts per record in 'title title abstract', as the engine reads the text."""
    counter = CountVectorizer(analyzer=analyzer)
    counts = counter.fit_transform([f"{t} {t} {a}".strip() for t, a in zip(TITLES, ABSTRACTS)]).toarray()
    return {term: counts[:, column].tolist() for term, column in counter.vocabulary_.items()}


@pytest.mark.parametrize(("tokens", "seams"), [("engine", {"d a", "e cc", "h g"}), ("words2", {"cc cc", "and cc"})])
def test_the_title_twice_forms_no_bigram_across_the_seam_and_keeps_every_other_count(dev, tokens, seams) -> None:  # noqa: ANN001
    analyzer = WordAnalyzer(2, tokens)
    counts, once, vocabulary = dev.seam_free_counts(TITLES, ABSTRACTS, analyzer, min_df=1, max_df=1.0)
    twice = _twice(analyzer)
    # the seams, each a term of no record's own text ("A b. Cc d" read twice: "a b cc d a b cc d"; ASReview's
    # tokens read only "cc" there, so its seam is "cc cc"); a record without a title has none
    assert set(twice) - set(vocabulary) == seams
    got = counts.toarray()
    for term, column in vocabulary.items():
        assert got[:, column].tolist() == twice[term], term
    # the document frequencies are those of 'title abstract': a title's terms are not counted twice there
    assert (once.toarray() > 0).sum(axis=0).tolist() == (got > 0).sum(axis=0).tolist()


def test_round_20_candidates_change_only_the_seam(dev) -> None:  # noqa: ANN001
    t2clean = dev.CANDIDATES["t2clean"]
    assert (t2clean.engine_model, t2clean.seam_free_title) == ("svm-e6", True)
    wordhy, base = dev.CANDIDATES["t2clean-wordhy-all"], dev.CANDIDATES["asr-wordhy-all"]
    changed = {k: v for k, v in vars(wordhy).items() if k != "note" and getattr(base, k) != v}
    assert changed == {"seam_free_title": True}
    assert (dev.CANDIDATES["t2clean-wordhy"].small, dev.CANDIDATES["t2clean-wordhy"].large) == ("t2clean",
                                                                                               "t2clean-wordhy-all")
    assert len({t2clean.key(), wordhy.key(), base.key()}) == 3


@pytest.mark.parametrize("n_records", [500, 2000])
def test_seam_free_rows_differ_from_the_engines_only_by_the_seam(dev, monkeypatch, n_records) -> None:  # noqa: ANN001
    titles = ["nifedipine trial outcome", "amlodipine trial outcome", "outcome of nifedipine", "trial nifedipine"]
    abstracts = ["blood pressure fell", "blood pressure rose", "", "nifedipine outcome blood"]
    made_up_set(dev, monkeypatch, [f"{t} {t} {a}".strip() for t, a in zip(titles, abstracts)], n_records)
    monkeypatch.setattr(dev, "titles_and_abstracts", lambda set_name: (titles, abstracts))
    _, engine = dev.candidate_features(None, "made-up", "label_included", "svm-e6")
    _, clean = dev.candidate_features(None, "made-up", "label_included", "svm-e6", seam_free=True)
    engine_terms = set(engine._vectorizers[0].vocabulary)
    clean_terms = set(dev.seam_free_counts(titles, abstracts, WordAnalyzer(2, engine.config.tokens),
                                           engine.config.min_df, engine.config.max_df)[2])
    assert clean.matrix.shape == (4, len(clean_terms))
    if n_records < 1000:  # min_df 1: the seams of records 1 and 2 are phrases of no record, columns of their own
        assert engine_terms - clean_terms == {"outcome nifedipine", "outcome amlodipine"}
    else:  # min_df 2: those are pruned anyway, and two phrases held by one record reach 2 only with a seam
        assert engine_terms - clean_terms == {"nifedipine outcome", "nifedipine trial"}
    assert clean_terms <= engine_terms
    with pytest.raises(ValueError, match="seam-free title"):
        dev.candidate_features(None, "made-up", "label_included", "svm-e6", hyphen_parts=True, seam_free=True)


@pytest.mark.parametrize("name", ["t2clean", "t2clean-wordhy"])
def test_latency_refuses_the_seam_free_title_it_cannot_build(dev, name) -> None:  # noqa: ANN001
    # its synthetic texts join title and abstract: timed there, the engine's rows would pass under the candidate's name
    with pytest.raises(SystemExit, match="seam-free title"):
        dev.representation_latency(["default", name], [300])
