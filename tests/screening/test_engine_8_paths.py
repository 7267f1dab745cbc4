"""Engine versions 8 and 9 (decisions 0073, 0074) on every path that reads a record's text, and in what a workspace
says.

A session builds its rows, its keyword prior and the stopping classifier's rows from one copy of the texts; a term
of criteria.toml is not matched across the line break before the title's repeat; the engine a model ranks with, and
the one that made a stored ranking, are named for every model (rrev27c).
"""

from __future__ import annotations

import pytest

from review.records import Record
from review.screening.criteria import keyword_score, term_regex
from review.screening.engines import ENGINE_VERSION, engine_version, stored_engine
from review.screening.features import record_text
from review.screening.models import MODEL_NAMES
from review.screening.ranker import fallback_ranking
from review.screening.session import ScreeningSession
from review.services.screening import ranking_status
from review.store import screening as ranking_store

#: The abstract ends in "children", the title begins with "Migraine": engine version 8's text has "children" and
#: "Migraine" on either side of the line break before the title's repeat.
SEAM = {"title": "Migraine in adults", "abstract": "Triptans were given to children"}
PHRASE = {"title": "Children migraine and triptans", "abstract": "A trial"}


def test_a_criteria_term_of_two_words_is_not_matched_across_the_title_repeats_line() -> None:
    text = record_text(SEAM, 2, title_apart=True)
    assert text == "Migraine in adults Triptans were given to children\nMigraine in adults"
    across, within = term_regex("children migraine"), term_regex("adults triptans")
    assert keyword_score(text, [across], []) == 0 and keyword_score(text, [], [across]) == 0
    assert keyword_score(text, [within, term_regex("migraine")], []) == 2  # a phrase of the record, a title word
    assert keyword_score(record_text(PHRASE, 2, title_apart=True), [across], []) == 1
    # engine version 6's text (svm-e6) is one line: read as before
    assert keyword_score(record_text(SEAM, 2), [term_regex("adults migraine")], []) == 1


@pytest.mark.parametrize("seed", range(8))
def test_the_keyword_prior_puts_the_record_holding_the_phrase_first(seed: int) -> None:
    texts = {1: record_text(SEAM, 2, title_apart=True), 2: record_text(PHRASE, 2, title_apart=True)}
    ranking = fallback_ranking([1, 2], {}, seed=seed, texts=texts, include_terms=["children migraine"])
    assert ranking.order == (2, 1) and ranking.model_info["fallback"] == "keyword_prior"


@pytest.mark.parametrize(("model", "across"), [("default", False), ("svm-e8", False), ("svm-e6", True),
                                                ("svm-e7", True), ("logistic", True)])
def test_only_engine_8_keeps_a_criteria_term_from_joining_the_titles_last_word_to_its_first(
        workspace, model: str, across: bool) -> None:  # noqa: ANN001
    # tidy28 #3, as docs/screening.md says: the one-line text of every other model ("title title abstract") lets
    # "children migraine" match a record titled "Migraine in children"; kept, so that their keyword queues stay.
    (workspace.root / "screening" / "criteria.toml").write_text('include = ["children migraine"]\n', encoding="utf-8")
    records = [Record(title="Migraine in children", abstract="A trial of triptans"),
               Record(title="Children migraine and triptans", abstract="A trial"),
               *(Record(title=f"Other record {i}", abstract="Nothing of the kind") for i in range(8))]
    workspace.store.add_batch(records, file_name="a.csv", file_sha256="b" * 64, source_name="test", format="csv",
                              encoding="utf-8")
    seam, phrase = (r.id for r in workspace.store.records()[:2])
    for seed in range(6):
        ranking = ScreeningSession(workspace, "alice", seed=seed, model=model).ranking
        assert ranking.model_info["fallback"] == "keyword_prior"
        matched = set(ranking.order[:2]) if across else {ranking.order[0]}  # first; ties and the rest seeded
        assert matched == ({seam, phrase} if across else {phrase}), seed


def _workspace_with(workspace, n: int = 40) -> list[int]:  # noqa: ANN001
    records = [Record(title=f"Alpha{i % 3} beta gamma{i % 5}", abstract=f"delta w{i % 7} epsilon w{i % 4}")
               for i in range(n)]
    workspace.store.add_batch(records, file_name="a.csv", file_sha256="a" * 64, source_name="test", format="csv",
                              encoding="utf-8")
    return [r.id for r in workspace.store.records()]


@pytest.mark.parametrize(("model", "apart", "engine"), [("default", True, 9), ("svm-e9", True, 9), ("svm-e8", True, 8),
                                                     ("svm-e6", False, 6)])
def test_a_session_ranks_and_checks_on_the_texts_its_model_reads(workspace, model: str, apart: bool,  # noqa: ANN001
                                                                 engine: int) -> None:
    ids = _workspace_with(workspace)
    session = ScreeningSession(workspace, "alice", seed=1, model=model)
    session.decide(ids[0], "include")
    session.decide(ids[1], "exclude")
    ranking = session.retrain()
    assert ranking.model_info["engine"] == engine
    assert ranking.model_info["features"]["title_apart"] is apart
    vocabulary = session._features._vectorizers[0].vocabulary  # type: ignore[union-attr]
    seams = {f"gamma{i % 5} alpha{i % 3}" for i in range(15)}  # the title's last word, then its first
    assert (seams & set(vocabulary) == set()) is apart
    # the keyword prior reads the texts the rows are built from: one copy, in the model's form
    texts = session._texts()
    assert all(("\n" in texts[r]) is apart for r in ids)
    assert session._texts(2, apart) is texts


def test_every_model_name_records_the_engine_it_ranks_with() -> None:
    named = {"svm-e8": 8, "svm-e7": 7, "svm-e6": 6, "svm-e5": 5, "svm-newton": 4, "svm-liblinear": 3}
    for model in ("default", *MODEL_NAMES):
        assert engine_version(model) == named.get(model, ENGINE_VERSION), model
    assert ENGINE_VERSION == 9


def test_a_stored_ranking_names_its_engine_and_the_one_its_model_ranks_with_now(workspace) -> None:  # noqa: ANN001
    ids = _workspace_with(workspace)
    session = ScreeningSession(workspace, "alice", seed=1)
    session.decide(ids[0], "include")
    session.decide(ids[1], "exclude")
    ranking = session.retrain()
    session.save_ranking()
    (line,) = ranking_status(workspace)
    assert ", svm, engine 9, seed 1, " in line, line
    # a workspace ranked by `svm` before decision 0073 (engine version 6; model_info.features without title_apart)
    before = {**ranking.model_info, "engine": 6, "features": {k: v for k, v in ranking.model_info["features"].items()
                                                              if k != "title_apart"}}
    ranking_store.save_ranking(workspace.store, "alice", order=ranking.order, probabilities=ranking.probabilities,
                               model_info=before, n_labelled=2, seed=1, seconds=0.1)
    (line,) = ranking_status(workspace)
    assert ", svm, engine 6 (svm ranks with engine 9 now), seed 1, " in line, line
    # a workspace ranked by `svm` under engine version 8 (decision 0073, before 0074)
    ranking_store.save_ranking(workspace.store, "alice", order=ranking.order, probabilities=ranking.probabilities,
                               model_info={**ranking.model_info, "engine": 8}, n_labelled=2, seed=1, seconds=0.1)
    (line,) = ranking_status(workspace)
    assert ", svm, engine 8 (svm ranks with engine 9 now), seed 1, " in line, line
    # svm-e7 and svm-newton recorded 6 before 2026-12-07: their names say which engine ranked
    assert stored_engine({"model": "svm-e7", "engine": 6}) == 7 and stored_engine({"model": "svm-newton", "engine": 6}) == 4
    assert stored_engine({"model": "logistic", "engine": 6}) is None
    assert stored_engine({"model": "svm", "engine": 6, "fallback": "keyword_prior"}) is None
    # and the workspace goes on: a session opened on it serves the stored queue, then ranks with engine version 9
    again = ScreeningSession(workspace, "alice", seed=1)
    assert again.next_record() is not None
    assert again.retrain().model_info["engine"] == 9


def test_the_screening_screens_tooltip_names_the_engine_of_the_queue_served() -> None:
    from review.tui.screens.screening import ranking_status as screen_status

    line, tooltip = screen_status({"model": "svm", "engine": 6, "features": {}}, 40)
    assert line == "ranking: SVM, 40 labels" and tooltip == "model: svm, engine 6 (svm ranks with engine 9 now)"
    assert screen_status({"model": "svm", "engine": 8}, 40)[1] == "model: svm, engine 8 (svm ranks with engine 9 now)"
    assert screen_status({"model": "svm-e8", "engine": 8}, 40) == ("ranking: SVM, 40 labels", "model: svm-e8, engine 8")
    assert screen_status({"model": "svm", "engine": 9}, 40)[1] == "model: svm, engine 9"
    assert screen_status({"model": "svm-e6", "engine": 6}, 40)[1] == "model: svm-e6, engine 6"
    assert screen_status({"model": "nb", "engine": 9}, 40)[1] == "model: nb"
