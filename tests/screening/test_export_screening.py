"""``review export screening``: the selection process (PRISMA 2020 items 8 and 16a) as a methods appendix."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from review import __version__
from review.cli import main
from review.records import Record
from review.screening.engines import ENGINE_VERSION
from review.services import screening as service
from review.tool_version import tool_version

CRITERIA = 'include = ["sick*"]\nexclude = ["python"]\nexclusion_reasons = ["wrong population", "other"]\n'


def _run(workspace, *args: str):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args])


def test_the_report_says_who_screened_what_how_and_when_it_stopped(workspace, tmp_path: Path) -> None:
    titles = ["sickness absence and depression", "a python package", "recurrent sick leave",
              "graphs of the continent", "return to work after sick leave", "python parser", "sick days"]
    workspace.store.add_batch([Record(title=t, abstract=t) for t in titles], file_name="f", file_sha256="s" * 64,
                              source_name="PubMed", format="csv", encoding="utf-8")
    workspace.path("screening", "criteria.toml").write_text(CRITERIA, encoding="utf-8")
    reviewers = workspace.config.reviewers[:2]
    alice, bob = reviewers
    session = service.open_session(workspace, alice)
    served = []
    for label in ("include", "exclude", "exclude"):  # the keyword prior serves two, then the SVM
        record = session.next_record()
        assert record is not None
        session.decide(record.id, label)
        served.append(record.id)
        if len(served) == 2:
            session.apply_ranking(session.retrain())
    # bob picks three by id: one alice excluded (a conflict), two she did not screen.
    others = [r.id for r in workspace.store.records() if r.id not in served]
    assert _run(workspace, "-r", bob, "decide", str(served[1]), str(others[0]), "--include").exit_code == 0
    assert _run(workspace, "-r", bob, "decide", str(others[1]), "--exclude").exit_code == 0
    assert _run(workspace, "-r", "carol", "conflicts", "resolve", str(served[1]), "--exclude").exit_code == 0
    assert _run(workspace, "-r", alice, "prisma", "stop", "time budget", "--verdict",
                '{"verdict": "stop", "rule": "recommended", "estimated_recall": 0.97, '
                '"explanation": "Stop: 95% recall holds with 98% probability."}').exit_code == 0

    out = tmp_path / "selection.md"
    result = _run(workspace, "export", "screening", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote the selection report (2 reviewers, 5 records screened) to " in result.stderr
    text = out.read_text(encoding="utf-8")
    # The version and, from a checkout, the commit (decision 0080): a methods section cites the code that ran.
    assert f"by `review export screening`, {tool_version().text}, from the workspace's store." in text
    assert f"- Tool: {tool_version().text}, title/abstract screening prioritised" in text
    assert tool_version().text.startswith(f"review {__version__}")
    assert "- Records screened: 5 of 7 identified (0 duplicates set aside;" in text
    assert (f"  - {alice}: 3 records (1 included, 2 excluded, 0 maybe); of these, 2 ordered by the include and "
            "exclude terms") in text
    assert "; 1 ranked by the model." in text
    assert f"  - {bob}: 3 records (2 included, 1 excluded, 0 maybe); of these, 3 picked by id" in text
    assert "- Records screened by two or more reviewers: 1; by one reviewer: 4." in text
    assert "1 resolved by a consensus decision (recorded by carol), 0 open" in text
    assert f"- {alice} × {bob}: n = 1 records both decided" in text
    assert f"- {alice}'s ranking: svm, engine {ENGINE_VERSION}; query strategy `max`, seed {workspace.config.seed}" in text
    assert f"- {bob}'s ranking: no ranking stored" in text
    assert "recommended (`relevance_rate_classifier`): it estimates the relevant records left" in text
    assert "target recall 95%" in text
    assert (f"- Screening stop: recorded by {alice} on ") in text
    assert ("\"time budget\". The rule's verdict then: STOP (recommended rule): estimated recall 97%; the flow "
            "diagram credits the stopping rule with the stop.") in text
    # The rule's own sentence at the stop names the levels it stopped at (they may change in a later review).
    assert "  The rule's words at the stop: \"Stop: 95% recall holds with 98% probability.\"" in text
    assert ("- Records marked as ineligible by automation tools (PRISMA 2020, records removed before screening): "
            "2, the records no reviewer had screened at the stop.") in text
    assert "- No report assessed yet." in text
    assert "`review fulltext list` (each report's full-text verdict and exclusion reason: the studies excluded at full " \
           "text, item 16b" in text
    # '-' is stdout, the data alone.
    printed = _run(workspace, "export", "screening", "-")
    assert printed.stdout.startswith("# Selection process (PRISMA 2020 items 8 and 16a)")


def test_a_workspace_nobody_screened_yet_is_reported_as_such(workspace) -> None:
    workspace.store.add_batch([Record(title="a"), Record(title="b")], file_name="f", file_sha256="t" * 64,
                              source_name="PubMed", format="csv", encoding="utf-8")
    result = _run(workspace, "export", "screening", "-")
    assert result.exit_code == 0, result.output
    assert "- Records screened: 0 of 2 identified" in result.stdout
    assert "- Not screened yet by anyone: 2 records." in result.stdout
    assert "- Screening stop: none recorded" in result.stdout
    assert "- No two reviewers decided the same record." in result.stdout


def test_a_stop_that_left_records_unscreened_adds_up_and_a_reviewer_without_decisions_is_named(workspace) -> None:
    """report32 on the demo: 'Records screened: 191 of 2,261 identified (511 duplicates set aside…)' left out the 1,559
    records the stop left, so the sentence did not add up, and ben, in the team, who screened nothing, was not named."""
    workspace.store.add_batch([Record(title=f"record {n}") for n in range(5)], file_name="f", file_sha256="u" * 64,
                              source_name="PubMed", format="csv", encoding="utf-8")
    alice, bob = workspace.config.reviewers[:2]
    ids = sorted(r.id for r in workspace.store.records() if r.id is not None)
    assert _run(workspace, "-r", alice, "decide", str(ids[0]), "--include").exit_code == 0
    words = "Stop: done."
    assert _run(workspace, "-r", alice, "prisma", "stop", words, "--verdict",
                '{"verdict": "stop", "rule": "recommended", "explanation": "Stop: done."}').exit_code == 0
    result = _run(workspace, "export", "screening", "-")
    text = result.stdout
    assert ("- Records screened: 1 of 5 identified (0 duplicates set aside; 4 left unscreened at the stop, marked as "
            "ineligible by automation tools;") in text
    assert f"  - {bob}: no title/abstract decision." in text and f"- {bob}'s ranking" not in text
    assert "The rule's words at the stop" not in text  # the explanation is the rule's sentence: said once
    assert "(1 reviewer, 1 record screened)" in result.stderr


def test_the_certified_rule_is_worded_with_its_confidence(workspace) -> None:
    """report32 on the demo under the certified rule: 'certified (`statistical`): it once the ranked records look
    exhausted, serves …', and a pointer to the recommended rule's levels beside it."""
    workspace.path("review.toml").write_text(workspace.path("review.toml").read_text(encoding="utf-8")
                                             + '\n[screening]\nstopping_rule = "certified"\n', encoding="utf-8")
    text = _run(workspace, "export", "screening", "-").stdout
    assert ("certified (`statistical`): once the ranked records look exhausted, it serves a random sample of the rest "
            "and says stop") in text
    assert "target recall 95%, confidence 95%. Its measured results" in text and "recommended rule's" not in text


def test_the_recommended_rule_names_its_levels_before_any_stop(workspace) -> None:
    """rrev32c: with the recommended rule in force and no stop recorded, the report never said the probability the rule
    stops at, which decision 0078 changed (98 % → 99 %): a methods section written before the stop could not name it."""
    from review.screening.stopping_classifier import classifier_confidence, trend_level

    workspace.store.add_batch([Record(title="a"), Record(title="b")], file_name="f", file_sha256="v" * 64,
                              source_name="PubMed", format="csv", encoding="utf-8")
    text = _run(workspace, "export", "screening", "-").stdout
    assert "- Screening stop: none recorded" in text
    assert (f"it stops once the target recall holds with {trend_level(0.95):.0%} probability by the trend, or with "
            f"{classifier_confidence(0.95):.0%} by the classifier where at least 6 relevant records may be left and "
            "the trend's own chance has reached 30%; target recall 95%") in text
    workspace.path("review.toml").write_text(workspace.path("review.toml").read_text(encoding="utf-8")
                                             + '\n[screening]\nconfidence = 0.9\n', encoding="utf-8")
    text = _run(workspace, "export", "screening", "-").stdout
    assert f"holds with {trend_level(0.9):.0%} probability by the trend" in text


def test_each_reviewer_is_said_to_have_decided_blind_or_not_as_the_decisions_record_it(workspace) -> None:
    """PRISMA 2020 item 8: per reviewer, how many decisions in force were made with the TUI's blind mode on, and
    how many did not record it (made before the store did)."""
    workspace.store.add_batch([Record(title=f"sick leave {i}") for i in range(5)], file_name="f",
                              file_sha256="b" * 64, source_name="PubMed", format="csv", encoding="utf-8")
    alice, bob = workspace.config.reviewers[:2]
    ids = sorted(int(r.id) for r in workspace.store.records() if r.id is not None)
    session = service.open_session(workspace, alice)
    for label, blind in (("include", True), ("exclude", True), ("exclude", False)):
        record = session.next_record()
        assert record is not None
        session.decide(record.id, label, blind=blind)  # as the TUI's screen does
    undecided = [i for i in ids if i not in {r for r, _ in service.current_decisions(workspace, alice)}]
    workspace.store.add_decision(undecided[0], alice, "maybe")  # as a decision made before schema 4 reads
    assert _run(workspace, "-r", bob, "decide", str(ids[0]), "--include").exit_code == 0
    text = _run(workspace, "export", "screening", "-").stdout
    alice_line = next(line for line in text.splitlines() if line.startswith(f"  - {alice}: "))
    assert alice_line.endswith(" 2 of 4 decisions made blind (1 not recorded: made before this version)."), alice_line
    bob_line = next(line for line in text.splitlines() if line.startswith(f"  - {bob}: "))
    assert bob_line.endswith(" 0 of 1 decision made blind."), bob_line  # review decide has no blind mode
    assert "review does not record whether it was on" not in text


def test_levels_and_estimates_are_said_as_the_stopping_rules_words_say_them(workspace) -> None:
    """The report rounded a level to one decimal: at a confidence of 0.999 the trend's level 0.9998 read "100.0%", a
    certainty the rule does not claim (levels.percent says "99.98%"), and an estimated recall of 0.9996 at the stop read
    "100.0%" with a record still left (words.recall_percent, as review status and the dashboard say it: "99.9%")."""
    alice = workspace.config.reviewers[0]
    workspace.store.add_batch([Record(title="a"), Record(title="b")], file_name="f", file_sha256="w" * 64,
                              source_name="PubMed", format="csv", encoding="utf-8")
    workspace.path("review.toml").write_text(workspace.path("review.toml").read_text(encoding="utf-8")
                                             + '\n[screening]\nconfidence = 0.999\n', encoding="utf-8")
    record = sorted(r.id for r in workspace.store.records() if r.id is not None)[0]
    assert _run(workspace, "-r", alice, "decide", str(record), "--include").exit_code == 0
    assert _run(workspace, "-r", alice, "prisma", "stop", "Stop: done.", "--verdict",
                '{"verdict": "stop", "rule": "recommended", "estimated_recall": 0.9996}').exit_code == 0
    text = _run(workspace, "export", "screening", "-").stdout
    assert "holds with 99.98% probability by the trend" in text
    assert "estimated recall 99.9%" in text
    assert "100.0%" not in text
