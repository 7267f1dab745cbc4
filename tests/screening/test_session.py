"""The screening session API the TUI drives, on a small real workspace."""

from __future__ import annotations

import re
import threading

import pytest

from review.errors import ReviewError
from review.records import Record
from review.screening import session as session_module
from review.screening.session import ScreeningSession
from review.store import screening as ranking_store
from review.tomlread import SettingProblem
from review.workspace import Workspace
from saved_files import save_later


@pytest.fixture
def labelled_workspace(workspace, subset):
    """A workspace with 120 records (8 relevant); returns (workspace, store id → label)."""
    rows = subset("nagtegaal2019_nudging", 8, 112)
    records = [Record(title=r["title"], abstract=r["abstract"], external_id=r["record_id"]) for r in rows]
    workspace.store.add_batch(records, file_name="small.csv", file_sha256="x" * 64,
                              source_name="test", format="csv", encoding="utf-8")
    truth = {rec.id: int(row["label_included"]) for rec, row in
             zip(workspace.store.records(), rows)}
    return workspace, truth


def _session_with_one_of_each(workspace, truth):
    """Alice's session (seed 2) after one relevant and one irrelevant decision."""
    session = ScreeningSession(workspace, "alice", seed=2)
    relevant = [r for r, y in truth.items() if y]
    irrelevant = [r for r, y in truth.items() if not y]
    session.decide(relevant[0], "include")
    session.decide(irrelevant[0], "exclude")
    return session, relevant, irrelevant


def _label(truth, record_id):
    return "include" if truth[record_id] else "exclude"


def test_decide_is_durable_with_rank_and_model_info(labelled_workspace) -> None:
    workspace, truth = labelled_workspace
    session = ScreeningSession(workspace, "alice", seed=3)
    record = session.next_record()
    assert record is not None and record.id in truth
    assert session.next_record().id == record.id  # the record on screen stays until decided
    decision = session.decide(record.id, "exclude", reasons=("wrong population",), note="n")
    stored = workspace.store.decisions(reviewer="alice")
    assert [d.id for d in stored] == [decision.id]
    assert decision.model_rank == 1 and decision.reasons == ("wrong population",)
    assert decision.model_info["seed"] == 3 and decision.model_info["phase"] == "ranked"
    assert decision.model_info["fallback"] in ("seeded_random", "keyword_prior")
    assert session.next_record().id != record.id
    with pytest.raises(ReviewError):
        session.decide(record.id, "perhaps")


def test_progress_counts_and_undo(labelled_workspace) -> None:
    workspace, truth = labelled_workspace
    session = ScreeningSession(workspace, "alice")
    first = session.next_record()
    session.decide(first.id, "include")
    second = session.next_record()
    session.decide(second.id, "maybe")
    progress = session.progress()
    assert (progress.total, progress.screened, progress.included, progress.maybe) == (120, 2, 1, 1)
    assert progress.remaining == 118 and progress.stopping.verdict == "continue"
    undone = session.undo()
    assert undone is not None and undone.record_id == second.id
    assert session.next_record().id == second.id  # the undone record comes back
    assert session.progress().screened == 1
    log = workspace.store.decisions(reviewer="alice")
    assert [d.label for d in log] == ["include", "maybe", "undo"]
    assert session.undo().record_id == first.id and session.undo() is None


def test_retrain_in_a_thread_then_apply_keeps_current_record(labelled_workspace) -> None:
    workspace, truth = labelled_workspace
    session = ScreeningSession(workspace, "alice", seed=1)
    relevant = [r for r, y in truth.items() if y]
    irrelevant = [r for r, y in truth.items() if not y]
    for record_id in relevant[:2] + irrelevant[:10]:
        session.decide(record_id, _label(truth, record_id))
    on_screen = session.next_record()
    result = {}
    worker = threading.Thread(target=lambda: result.update(ranking=session.retrain()))
    worker.start()
    worker.join()
    ranking = result["ranking"]
    assert ranking.trained and ranking.n_labelled == 12
    assert set(ranking.order).isdisjoint(relevant[:2] + irrelevant[:10])
    session.apply_ranking(ranking)
    assert session.next_record().id == on_screen.id
    session.decide(on_screen.id, _label(truth, on_screen.id))
    following = session.next_record()
    assert following.id == next(r for r in ranking.order if r != on_screen.id)
    # The snapshot is stored and a new session resumes from it.
    saved = ranking_store.load_ranking(workspace.store, "alice")
    assert saved["record_order"] == list(ranking.order) and saved["seed"] == 1
    resumed = ScreeningSession(workspace, "alice", seed=1)
    assert resumed.ranking.order == ranking.order
    assert resumed.next_record().id == following.id
    assert len(ranking_store.ranking_log(workspace.store, "alice")) == 1


def test_relevant_records_come_first_after_training(labelled_workspace) -> None:
    workspace, truth = labelled_workspace
    session = ScreeningSession(workspace, "alice", seed=2, model="logistic")
    relevant = [r for r, y in truth.items() if y]
    irrelevant = [r for r, y in truth.items() if not y]
    session.decide(relevant[0], "include")
    session.decide(irrelevant[0], "exclude")
    found = 1
    for _ in range(25):  # screen a fifth of the set, retraining after each label
        session.apply_ranking(session.retrain())
        record = session.next_record()
        session.decide(record.id, _label(truth, record.id))
        found += truth[record.id]
    assert found >= 4  # random screening would find ~1.7 more of the 7 left here


def test_reviewers_are_independent_and_duplicates_are_skipped(labelled_workspace, monkeypatch) -> None:
    workspace, truth = labelled_workspace
    ids = sorted(truth)
    monkeypatch.setattr(session_module, "_duplicate_ids", lambda store: set(ids[:100]))
    alice = ScreeningSession(workspace, "alice")
    seen = set()
    while (record := alice.next_record()) is not None:
        assert record.id not in ids[:100]
        seen.add(record.id)
        alice.decide(record.id, "exclude")
    assert seen == set(ids[100:])
    progress = alice.progress()
    assert progress.total == 20 and progress.remaining == 0 and progress.stopping.verdict == "stop"
    bob = ScreeningSession(workspace, "bob")
    assert bob.progress().screened == 0 and bob.next_record() is not None


def _certified_run_of_five_irrelevant(workspace: Workspace, truth: dict[int, int]) -> ScreeningSession:
    """alice under the certified rule with its heuristic at five irrelevant in a row, after one relevant record and
    five irrelevant ones: the ranked phase is done and the random sample is due."""
    config = workspace.root / "review.toml"
    config.write_text(config.read_text() + "\n[screening]\nstopping_rule = \"certified\"\nconsecutive_irrelevant = 5\n")
    session = ScreeningSession(workspace, "alice", seed=4)
    relevant = [r for r, y in truth.items() if y]
    irrelevant = [r for r, y in truth.items() if not y]
    session.decide(relevant[0], "include")
    for record_id in irrelevant[:5]:
        session.decide(record_id, "exclude")
    return session


def test_sample_phase_starts_when_ranked_phase_is_exhausted(labelled_workspace) -> None:
    workspace, truth = labelled_workspace
    session = _certified_run_of_five_irrelevant(workspace, truth)
    assert session.progress().stopping.verdict == "sample-needed"
    record = session.next_record()  # auto-switches to the random sample
    assert session.phase == "sample"
    decision = session.decide(record.id, _label(truth, record.id))
    assert decision.model_info["phase"] == "sample" and decision.model_info["query"] == "random_sample"
    status = session.progress().stopping
    assert status.sample_screened == 1 and status.verdict in ("continue", "stop")
    # The phase survives a restart, and the sample order is reproducible.
    again = ScreeningSession(workspace, "alice", seed=4)
    assert again.phase == "sample"
    assert again.next_record().id == session.next_record().id


def test_invalid_model_or_query_is_a_review_error(workspace) -> None:
    with pytest.raises(ReviewError):
        ScreeningSession(workspace, "alice", model="forest")
    with pytest.raises(ReviewError):
        ScreeningSession(workspace, "alice", query="best")


def test_stopping_rule_comes_from_review_toml_and_a_switch_is_saved_there(workspace) -> None:
    config = workspace.root / "review.toml"
    config.write_text(config.read_text() + "\n# our choice, see the protocol\n[screening]\ntarget_recall = 0.95\n"
                      'stopping_rule = "certified"\n')
    session = ScreeningSession(workspace, "alice")
    assert session.stopping_rule == "certified" and session.progress().stopping.rule == "certified"
    session.set_stopping_rule("recommended")
    assert session.progress().stopping.rule == "recommended"
    text = config.read_text()
    assert "# our choice, see the protocol" in text and text.count("stopping_rule") == 1
    assert type(workspace.config).load(config).section("screening")["stopping_rule"] == "recommended"
    with pytest.raises(ReviewError):
        session.set_stopping_rule("whenever")
    config.write_text(text.replace('"recommended"', '"sometimes"'))
    with pytest.raises(ReviewError, match="stopping_rule"):
        ScreeningSession(workspace, "alice")


@pytest.mark.parametrize(("line", "words"), [
    ("target_recall = 95", "screening.target_recall: 95: expected a share strictly between 0 and 1"),
    ('confidence = "high"', "screening.confidence: 'high': expected a share"),
    ("consecutive_irrelevant = 0", "screening.consecutive_irrelevant: 0: expected a whole number"),
    ('auto_sample = "no"', "screening.auto_sample: 'no': expected true or false"),
    ("target_recal = 0.99", "screening.target_recal: unknown key (known: auto_sample, confidence"),
    ('query = "best"', "screening.query: 'best': expected one of max"),
])
def test_a_bad_screening_setting_is_one_line_naming_it(workspace, line, words) -> None:
    # target_recall = 95 (meant as 95 %) was taken as is, a string was a ValueError traceback, and
    # 'no' read as true; a misspelt key was silently unused.
    config = workspace.root / "review.toml"
    config.write_text(config.read_text() + f"\n[screening]\n{line}\n")
    with pytest.raises(SettingProblem) as caught:  # (the session knows no file: a shell names it and the line)
        ScreeningSession(workspace, "alice")
    assert str(caught.value).startswith(f"review.toml:{words}")
    said = workspace.say(caught.value)
    assert said.startswith(f"{config}:{words}") and said.endswith(f" (line {len(config.read_text().splitlines())})")


def test_review_decide_on_a_bad_screening_setting_is_one_line_and_exit_2(workspace) -> None:
    from click.testing import CliRunner

    from review.cli import main

    workspace.store.add_batch([Record(title="Sick leave")], file_name="a.csv", file_sha256="a" * 64,
                              source_name="test", format="csv", encoding="utf-8")
    config = workspace.root / "review.toml"
    config.write_text(config.read_text() + "\n[screening]\ntarget_recall = 95\n")
    line = len(config.read_text().splitlines())  # the key's
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", "decide", "1", "--include"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"review: {config}:screening.target_recall: 95: expected a share "
                                          f"strictly between 0 and 1 (0.95 for 95 %) (line {line})"]
    assert workspace.store.decisions() == []
    # model: the TUI names a bad one at its first retrain; review decide never fits, and stored it unchecked
    config.write_text(config.read_text().replace("target_recall = 95", 'model = "forest"'))
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", "decide", "1", "--include"])
    (said,) = result.stderr.splitlines()
    assert result.exit_code == 2 and said.startswith(f"review: {config}:screening.model: 'forest': expected one of")
    assert said.endswith(f" (line {line})")
    assert workspace.store.decisions() == []


def test_screening_setting_is_added_when_the_table_is_missing(tmp_path) -> None:
    from review.screening.settings import write_screening_setting

    path = tmp_path / "review.toml"
    path.write_text('[review]\ntitle = "t"  # keep me\n[synthesis]\nrule_set = "ariens"\n')
    write_screening_setting(path, "stopping_rule", "certified")
    text = path.read_text()
    assert "# keep me" in text and text.rstrip().endswith('[screening]\nstopping_rule = "certified"')


def test_each_retrain_starts_from_the_last_fit(labelled_workspace, monkeypatch) -> None:
    """The default SVM is warm-started from the ranking the session serves (decision 0017)."""
    from review.screening import ranker

    workspace, truth = labelled_workspace
    session, relevant, irrelevant = _session_with_one_of_each(workspace, truth)
    starts = []
    real_rank = ranker.rank

    def spying_rank(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        previous = kwargs.get("previous")
        starts.append(None if previous is None else previous.solution)
        return real_rank(*args, **kwargs)

    monkeypatch.setattr(ranker, "rank", spying_rank)
    first = session.retrain()
    session.apply_ranking(first)
    record = session.next_record()
    session.decide(record.id, _label(truth, record.id))
    second = session.retrain()
    assert first.model_info["model_params"]["solver"] == "newton" and first.solution is not None
    assert starts[0] is None and starts[1] is first.solution
    assert second.solution is not None and second.solution.shape == first.solution.shape


def test_a_small_workspace_ranks_with_engine_6s_small_set_settings(labelled_workspace) -> None:
    """120 records: the session's default SVM reads the title twice, every term, scikit-learn's tokens
    and C = 0.11, fitted on the labelled records only (decisions 0019, 0024), the same ranking ``rank``
    gives on features built that way."""
    from review.screening.features import build_features, record_text
    from review.screening.ranker import feature_config_for, rank

    workspace, truth = labelled_workspace
    session, relevant, irrelevant = _session_with_one_of_each(workspace, truth)
    ranking = session.retrain()
    features, params = ranking.model_info["features"], ranking.model_info["model_params"]
    assert (features["title_repeats"], features["tokens"], features["min_df"], params["C"]) == (2, "words2", 1, 0.11)
    assert "presumed_irrelevant" not in ranking.model_info
    ids = ranking_store.record_ids(workspace.store)
    rows = ranking_store.record_texts(workspace.store)
    config = feature_config_for("default", len(ids))
    expected = rank(build_features(ids, [record_text(rows[r], 2, config.title_apart) for r in ids], config),
                    {relevant[0]: 1, irrelevant[0]: 0}, seed=2)
    assert ranking.order == expected.order


def test_a_workspace_that_grows_past_the_small_set_line_gets_the_large_set_features(
        labelled_workspace, subset, monkeypatch) -> None:
    """Features and model both follow the set's size: after an import crosses the line (130 here
    instead of 1,000), a retrain reads engine version 4's features (engine version 6, the default again by
    decision 0060: unit rows), not the first build's."""
    from review.screening import models, ranker

    monkeypatch.setattr(models, "SMALL_SET_RECORDS", 130)  # the one size rule, for model and features
    workspace, truth = labelled_workspace
    session, relevant, irrelevant = _session_with_one_of_each(workspace, truth)
    small = session.retrain().model_info
    assert (small["features"]["title_repeats"], small["features"]["min_df"], small["model_params"]["C"]) == (2, 1, 0.11)
    more = [Record(title=r["title"], abstract=r["abstract"], external_id=f"u{r['record_id']}")
            for r in subset("kwok2020_virus", 2, 18)]
    workspace.store.add_batch(more, file_name="update.csv", file_sha256="y" * 64,
                              source_name="update search", format="csv", encoding="utf-8")
    session.refresh_records()
    ranking = session.retrain()
    large = ranking.model_info
    assert large["features"] == ranker.FeatureConfig(tokens="wordhy", title_apart=True).as_dict()  # engine 9
    assert large["features"]["pivot_slope"] == 1.0
    assert large["model_params"]["C"] != 0.11 and len(ranking.order) == 120 + 20 - 2


def test_duplicates_set_aside_after_the_features_were_built_count_for_the_model_as_for_the_features(
        labelled_workspace, subset, monkeypatch) -> None:
    """An import and a dedup run after the first retrain: the features keep rows for the records set
    aside, but the model follows the records to screen, as the features' settings do."""
    from review.screening import models

    monkeypatch.setattr(models, "SMALL_SET_RECORDS", 122)
    workspace, truth = labelled_workspace
    session, relevant, irrelevant = _session_with_one_of_each(workspace, truth)
    assert session.retrain().model_info["model_params"]["C"] == 0.11
    more = [Record(title=r["title"], abstract=r["abstract"], external_id=f"u{r['record_id']}")
            for r in subset("kwok2020_virus", 1, 4)]
    workspace.store.add_batch(more, file_name="update.csv", file_sha256="y" * 64,
                              source_name="update search", format="csv", encoding="utf-8")
    # four of the first 120 (already rows of the features) set aside: 121 to screen, 125 rows
    set_aside = {r for r in sorted(truth) if r not in (relevant[0], irrelevant[0])}
    set_aside = set(sorted(set_aside)[:4])
    monkeypatch.setattr(session_module, "_duplicate_ids", lambda store: set_aside)
    session.refresh_records()
    ranking = session.retrain()
    assert ranking.model_info["features"]["min_df"] == 1 and "presumed_irrelevant" not in ranking.model_info
    assert ranking.model_info["model_params"]["C"] == 0.11 and not set_aside & set(ranking.order)


def test_a_saved_criteria_file_reaches_the_next_retrain_and_a_broken_one_keeps_the_last(workspace) -> None:
    titles = ["Depression and return to work", "Knee osteoarthritis exercise trial", "Asthma in children"]
    workspace.store.add_batch([Record(title=t, abstract=t) for t in titles], file_name="f", file_sha256="k" * 64,
                              source_name="s", format="csv", encoding="utf-8")
    ids = {r.title: r.id for r in workspace.store.records()}
    path = workspace.path("screening", "criteria.toml")
    path.write_text('include = ["depress*"]\n', encoding="utf-8")
    session = ScreeningSession(workspace, "alice", quick_start=True)
    assert session.cold_start and session.retrain().order[0] == ids[titles[0]]

    save_later(path, 'include = ["osteoarthritis"]\nexclude = ["depress*"]\nrequire_reason_on_exclude = true\n', 1)
    ranking = session.retrain()  # reads the saved file first
    assert ranking.model_info["fallback"] == "keyword_prior"
    assert ranking.order[0] == ids[titles[1]] and ranking.order[-1] == ids[titles[0]]
    assert session.require_reason_on_exclude
    save_later(path, 'include = ["osteo\n', 2)  # half-saved
    assert "criteria.toml" in session.reload_criteria()
    assert session.criteria.include_terms == ("osteoarthritis",) and session.require_reason_on_exclude
    assert session.retrain().order == ranking.order


def test_review_status_names_a_fallback_queue_in_words(labelled_workspace) -> None:
    """Before the model can learn, review status said 'ranking alice: 1 labels, keyword_prior'."""
    from review.services.screening import ranking_status

    workspace, truth = labelled_workspace
    workspace.path("screening", "criteria.toml").write_text('include = ["depress*"]\n', encoding="utf-8")
    session = ScreeningSession(workspace, "alice", seed=2)
    session.decide(next(r for r, y in truth.items() if y), "include")
    session.retrain()
    session.save_ranking()
    (line,) = ranking_status(workspace)
    assert line.startswith("ranking    alice: 1 label, keywords (no model yet), seed 2, ")


def test_review_status_gives_the_ranking_time_in_utc(labelled_workspace) -> None:
    """The ranking's minute was the stored digits without a zone; the line says UTC now, as the search lines do."""
    from datetime import datetime, timezone

    from review.services.screening import ranking_status
    from review.store.screening import ranking_log

    workspace, truth = labelled_workspace
    session = ScreeningSession(workspace, "alice", seed=2)
    session.decide(next(r for r, y in truth.items() if y), "include")
    session.retrain()
    session.save_ranking()
    (line,) = ranking_status(workspace)
    stored = ranking_log(workspace.store)[-1]["created_at"]
    assert stored.utcoffset() is not None and stored.utcoffset().total_seconds() == 0
    assert line.endswith(f", {stored.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"), line
    assert abs((datetime.now(timezone.utc) - stored).total_seconds()) < 3600  # a moment, not local digits


def test_an_unknown_model_is_named_the_same_way_at_open_and_at_the_first_retrain(workspace) -> None:
    """``--model`` (a session's own) and ``[screening] model`` share one check and one list of names."""
    from review.screening.models import MODEL_NAMES

    workspace.store.add_batch([Record(title="Sick leave")], file_name="a.csv", file_sha256="a" * 64,
                              source_name="test", format="csv", encoding="utf-8")
    expected = f"model 'forest': expected one of default, {', '.join(MODEL_NAMES)}"
    with pytest.raises(ReviewError) as caught:
        ScreeningSession(workspace, "alice", model="forest")
    assert str(caught.value) == expected
    quick = ScreeningSession(workspace, "alice", model="forest", quick_start=True)  # the TUI: checked when it fits
    with pytest.raises(ReviewError) as caught:
        quick.retrain()
    assert str(caught.value) == expected


def test_undoing_a_correction_brings_the_corrected_record_back(workspace) -> None:
    # The correction's undo leaves the earlier label, so the record still counts as decided:
    # next_record skipped it and showed the queue's head instead of the record just undone.
    titles = ["Return to work after depression", "Sickness absence in nurses", "Burnout and sick leave"]
    workspace.store.add_batch([Record(title=t, abstract=f"{t}: a study.") for t in titles], file_name="c.csv",
                              file_sha256="c" * 64, source_name="test", format="csv", encoding="utf-8")
    session = ScreeningSession(workspace, "alice", quick_start=True)
    first = session.next_record()
    session.decide(first.id, "include")
    assert session.next_record().id != first.id
    session.decide(first.id, "exclude", chosen=True)  # reopened (search) and corrected
    undone = session.undo()
    assert undone is not None and undone.label == "exclude" and session.is_decided(first.id)
    assert session.next_record().id == first.id  # the record of the undone correction, again
    session.decide(first.id, "maybe")
    assert session.next_record().id != first.id


def test_a_save_interval_is_the_sessions_own(labelled_workspace) -> None:
    from review.services.screening import open_session

    workspace, truth = labelled_workspace
    worker = open_session(workspace, "alice", save_interval=0.0)  # as the TUI's retrain worker opens it
    app = open_session(workspace, "bob")
    assert worker.save_interval == 0.0 and app.save_interval == session_module.SAVE_INTERVAL == 30.0
    for session in (worker, app):
        ids = list(truth)
        session.decide(ids[0], "include")
        session.decide(ids[1], "exclude")
        first = session.retrain()
        session.decide(ids[2], "exclude")
        second = session.retrain()
        saved = ranking_store.load_ranking(workspace.store, session.reviewer)["record_order"]
        # the worker saves every queue; the app's second lands within its 30 s: only logged
        assert saved == list(second.order if session is worker else first.order)


def _in_sample_phase(workspace, truth) -> tuple[ScreeningSession, list[int]]:
    """Alice's session (certified rule, 5 irrelevant in a row) two decisions into the random sample."""
    (workspace.root / "review.toml").write_text(
        (workspace.root / "review.toml").read_text() + "\n[screening]\nstopping_rule = \"certified\"\nconsecutive_irrelevant = 5\n")
    session = ScreeningSession(workspace, "alice", seed=4)
    session.decide([r for r, y in truth.items() if y][0], "include")
    for record_id in [r for r, y in truth.items() if not y][:5]:
        session.decide(record_id, "exclude")
    sampled = []
    for _ in range(2):
        record = session.next_record()
        session.decide(record.id, _label(truth, record.id))
        sampled.append(record.id)
    assert session.phase == "sample"
    return session, sampled


def test_an_undo_reads_nothing_after_its_commit_and_a_failed_reload_leaves_the_sample_phase(labelled_workspace,
                                                                                           monkeypatch) -> None:
    workspace, truth = labelled_workspace
    session, sampled = _in_sample_phase(workspace, truth)
    from review.store import screening as ranking_store

    read = ranking_store.decisions_in_force

    def fails_once(*args, **kwargs):
        monkeypatch.setattr(ranking_store, "decisions_in_force", read)
        raise ReviewError("the store is busy")

    monkeypatch.setattr(ranking_store, "decisions_in_force", fails_once)
    undone = session.undo()  # (the decision in force after it is read in the undo's own transaction)
    assert undone.record_id == sampled[-1] and session.phase == "sample" and not session.is_decided(sampled[-1])
    with pytest.raises(ReviewError, match="busy"):
        session.reload_decisions()
    assert session.phase == "sample"
    session.reload_decisions()
    assert session.phase == "sample" and not session.is_decided(sampled[-1])


def test_reload_decisions_refreshes_a_cached_progress(labelled_workspace) -> None:
    workspace, truth = labelled_workspace
    retrainer = ScreeningSession(workspace, "alice", seed=2)  # a session that only retrains
    before = retrainer.progress()
    assert retrainer.progress() is before  # cached until something changes
    decider = ScreeningSession(workspace, "alice", seed=2)  # the same reviewer deciding elsewhere
    decider.decide(next(iter(truth)), "exclude")
    retrainer.reload_decisions()
    after = retrainer.progress()
    assert before.screened == 0 and after.screened == 1 and after.remaining == before.remaining - 1


def test_a_new_review_cold_starts_in_a_stated_seeded_order_and_status_says_where_terms_go(tmp_path) -> None:
    # A new review's criteria.toml has no terms: the queue is review.toml's seeded order, the same in every
    # session, not the programme's keyword prior; review status says so and names the file.
    from click.testing import CliRunner

    from review.cli import main
    from review.screening.criteria import NO_TERMS
    from review.workspace import init_workspace

    workspace = init_workspace(tmp_path / "new", title="Sleep", reviewers=["ann"], seed=7)
    titles = ["Sick leave and depression at work", "Insomnia in night shift nurses", "Mice sleep", "Other"]
    workspace.store.add_batch([Record(title=t, abstract=t) for t in titles], file_name="f", file_sha256="n" * 64,
                              source_name="s", format="csv", encoding="utf-8")
    first = ScreeningSession(workspace, "ann", quick_start=True).retrain()
    again = ScreeningSession(workspace, "ann", quick_start=True).retrain()
    assert first.model_info["fallback"] == "seeded_random" and "terms" not in first.model_info
    assert first.model_info["seed"] == 7 and first.order == again.order
    status = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert status.exit_code == 0, status.output
    assert f"criteria   {NO_TERMS} (seed 7)" in status.stdout.splitlines()
    workspace.path("screening", "criteria.toml").write_text('include = ["insomnia"]\n', encoding="utf-8")
    assert ScreeningSession(workspace, "ann", quick_start=True).retrain().model_info["fallback"] == "keyword_prior"
    status = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert "criteria   " not in status.stdout


def test_review_status_stopping_says_each_reviewers_verdict_as_the_screen_computes_it(labelled_workspace) -> None:
    # The stopping advice was in the TUI only: a team deciding from the shell could not see when it may stop.
    # Expected values come from the fixture (120 records, 8 relevant) and the decisions made here, not from the
    # session's own calls; "as the screen computes it" is the classifier's check, which only the evidence step
    # makes (a queue's retrain makes none).
    from click.testing import CliRunner

    from review.cli import main
    from review.store.screening import ranking_log

    workspace, truth = labelled_workspace
    assert len(truth) == 120 and sum(truth.values()) == 8
    for reviewer, n in (("alice", 90), ("bob", 3)):
        session = ScreeningSession(workspace, reviewer, seed=4)
        for i in range(n):
            record = session.next_record()
            session.decide(record.id, _label(truth, record.id))
            if i % 10 == 9:
                session.retrain()
        session.save_ranking()
    found = {reviewer: sum(truth[record_id] for (record_id, _), d in
                           workspace.store.current_decisions(reviewer=reviewer).items() if d.label == "include")
             for reviewer in ("alice", "bob")}
    workspace.store.add_decision(1, "consensus", "include")  # a resolution: no reviewer of its own
    queues_before = len(ranking_log(workspace.store))

    result = CliRunner().invoke(main, ["-w", str(workspace.root), "status", "--stopping"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    heads = [line for line in lines if line.startswith("stopping   ")]
    assert [h.split()[1] for h in heads] == ["alice:", "bob:"]
    alice, bob = heads
    # bob: 3 of 120 screened, below the classifier's share gate (24) and the Lomax rule's two relevant: continue.
    assert bob == "stopping   bob: CONTINUE (Recommended rule), estimated recall –, 3 screened, 117 left", bob
    assert lines[lines.index(bob) + 1].startswith(f"  Continue: {found['bob']} relevant found in 3 screened"), lines
    assert re.fullmatch(r"stopping   alice: (CONTINUE|STOP) \(Recommended rule\), estimated recall \d+%, "
                        r"90 screened, 30 left", alice), alice
    explanation = lines[lines.index(alice) + 1]
    verdict = alice.split()[2].capitalize()
    assert explanation.startswith(f"  {verdict}"), explanation
    assert f"{found['alice']} relevant found in 90 screened" in explanation, explanation
    # At most 8 found, k* = 0 at 95 %: the check made at 90 screened asked no fit, and says so.
    assert found["alice"] <= 8 and (f"At the classifier's last check ({found['alice']} relevant found in 90 "
                                    "screened) the target allowed no relevant record to be left") in explanation, explanation
    assert len(ranking_log(workspace.store)) == queues_before  # read only: nothing stored
    plain = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert "stopping   " not in plain.stdout  # the plain status is unchanged


def test_a_verdict_read_from_the_random_sample_names_the_certified_rule(labelled_workspace) -> None:
    # walk31: once a reviewer's random sample has begun, the verdict is the sample's hypothesis test whatever
    # review.toml's stopping_rule says (a reviewer does not leave a sample), but with the recommended rule set
    # again `review status --stopping` said "ben: STOP (Recommended rule)" beside "Stop: 24 randomly drawn records
    # held 0 relevant …", and a stop recorded then stored "rule": "recommended" for the diagram and the methods.
    from click.testing import CliRunner

    from review.cli import main
    from review.services.screening import stopping_advice

    workspace, truth = labelled_workspace
    session = _certified_run_of_five_irrelevant(workspace, truth)
    record = session.next_record()  # the sample starts
    assert session.phase == "sample"
    session.decide(record.id, _label(truth, record.id))
    assert session.progress().stopping.rule == "certified"
    session.set_stopping_rule("recommended")  # as the dashboard's t writes it; the sample stays
    assert session.phase == "sample" and session.progress().stopping.sample_screened == 1
    assert session.progress().stopping.rule == "certified"
    assert session.progress().stopping.as_dict()["rule"] == "certified"  # what a stop records

    (advice,) = stopping_advice(workspace, ["alice"])
    assert advice.rule == "certified" and advice.recorded["rule"] == "certified"
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "status", "--stopping"])
    assert result.exit_code == 0, result.output
    (head,) = [line for line in result.stdout.splitlines() if line.startswith("stopping   alice:")]
    assert "(Certified rule)" in head, head
    # A reviewer who has not begun a sample follows the recommended rule set in review.toml.
    bob = ScreeningSession(workspace, "bob", seed=4)
    bob.decide([r for r, y in truth.items() if y][1], "include")
    assert bob.phase == "ranked" and bob.progress().stopping.rule == "recommended"
