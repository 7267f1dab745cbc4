from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.errors import ChoiceError, ValidationError, WorkspaceError
from review.prisma import prisma_counts
from review.prisma import counts as counts_module
from review.prisma.counts import compute_counts, source_kind
from review.prisma.fulltext import (
    link_reports, record_fulltext, resolve_studies, title_abstract_verdicts,
)
from review.records import Decision
from review.services.prisma import record_screening_stop as stop_screening
from review.services import prisma as prisma_service
from review.store.fulltext import (
    remove_records, undo_last_fulltext_event, unlink_report, withdraw_screening_stop,
)
from review.workspace import Workspace


@pytest.fixture
def dedup(monkeypatch: pytest.MonkeyPatch):
    """Stand in for the dedup stage: these records were removed as duplicates."""
    def install(ids: set[int]) -> None:
        monkeypatch.setattr(counts_module, "duplicate_record_ids", lambda store, runs=None: (set(ids), True))
    return install


def _ft(ws: Workspace, ids, event: str, reviewer: str = "alice", reason: str = "") -> None:
    for record_id in ids:
        record_fulltext(ws.store, record_id, reviewer, event, reason=reason)


def test_full_flow_with_two_reviewers_consensus_dedup_stop_and_linked_reports(
    workspace: Workspace, add, screen_as, dedup
) -> None:
    pubmed = add(workspace, 20, "PubMed")            # ids 1..20
    embase = add(workspace, 10, "Embase")            # ids 21..30
    register = add(workspace, 5, "ClinicalTrials.gov")  # ids 31..35
    dedup({embase[0], embase[1], embase[2], register[0]})
    screen_as(workspace, pubmed[:10], "exclude")
    screen_as(workspace, pubmed[10:], "include")
    screen_as(workspace, pubmed[10:12], "exclude", "bob")   # 11, 12 disagree with alice
    screen_as(workspace, pubmed[12:15], "include", "bob")
    screen_as(workspace, [11], "exclude", "consensus")      # settles 11; 12 stays a conflict
    screen_as(workspace, embase[3:7], "exclude")
    stop_screening(workspace, "alice", "SAFE procedure: 50 consecutive irrelevant")

    _ft(workspace, range(12, 21), "sought")
    _ft(workspace, [20], "not_retrieved")
    _ft(workspace, [12, 13, 14, 15], "retrieved")
    _ft(workspace, [12, 13, 14, 15], "eligible")
    _ft(workspace, [16, 18], "excluded", reason="Wrong population")
    _ft(workspace, [17], "excluded", reason="wrong outcome")
    _ft(workspace, [19], "eligible")
    _ft(workspace, [19], "excluded", "bob", reason="Wrong outcome")
    _ft(workspace, [19], "excluded", "consensus", reason="Wrong study design")
    link_reports(workspace.store, 12, [13], "alice")
    link_reports(workspace.store, 14, [15], "bob")

    counts = prisma_counts(workspace)
    assert counts.template_values() == {
        "database_results": 30, "register_results": 5, "website_results": 0, "organisation_results": 0,
        "citations_results": 0, "duplicates": 4, "excluded_automatic": 7, "excluded_other": 0,
        "records_screened": 24, "records_excluded": 15, "dbr_sought_reports": 9,
        "dbr_notretrieved_reports": 1, "other_sought_reports": 0, "other_notretrieved_reports": 0,
        "dbr_assessed": 8, "other_assessed": 0, "new_studies": 2, "new_reports": 4,
        "previous_studies": 0, "previous_reports": 0,
        "dbr_excluded": "Wrong population, 2; Wrong outcome, 1; Wrong study design, 1",
        "other_excluded": "0", "total_studies": 2, "total_reports": 4,
    }
    assert counts.identities_ok, [c.describe() for c in counts.identities]
    assert counts.boxes["excluded_automatic"] == (28, 29, 30, 32, 33, 34, 35)
    assert counts.boxes["ta_conflicts"] == (12,)
    assert counts.boxes["new_studies"] == (12, 14)
    assert counts.dedup_available
    assert any("conflicting title/abstract" in note for note in counts.notes)
    assert not any("resolve again" in note for note in counts.notes)
    # bob changes his mind on 11 after the consensus: it still wins (counted as before), and a note says so.
    screen_as(workspace, [11], "include", "bob")
    after = prisma_counts(workspace)
    assert after.template_values() == counts.template_values()
    assert "1 title/abstract resolution was made before a reviewer changed their decision; resolve again (TUI 4)" \
        in after.notes


def test_search_update_adds_records_that_need_screening(workspace: Workspace, add, screen_as) -> None:
    first = add(workspace, 10, "PubMed")
    screen_as(workspace, first[:1], "include")
    screen_as(workspace, first[1:4], "exclude")
    stop_screening(workspace, "alice", "stopping rule met")
    update = add(workspace, 5, "PubMed")  # the search rerun a year later

    counts = prisma_counts(workspace)
    assert counts.n("database_results") == 15 and counts.n("excluded_automatic") == 6
    assert len(counts.sources["PubMed"].batches) == 2
    first_identity = counts.identities[0]
    assert not first_identity.ok and first_identity.record_ids == tuple(update)
    assert (first_identity.left, first_identity.right) == (9, 4)

    screen_as(workspace, update, "exclude")
    counts = prisma_counts(workspace)
    assert counts.identities[0].ok
    assert (counts.n("records_screened"), counts.n("records_excluded"), counts.n("excluded_automatic")) == (9, 8, 6)
    assert any("no dedup run yet" in note for note in counts.notes) and not counts.dedup_available


def test_automation_exclusions_follow_the_recorded_stop(workspace: Workspace, add, screen_as) -> None:
    ids = add(workspace, 8, "PubMed")
    screen_as(workspace, ids[:3], "exclude")
    assert prisma_counts(workspace).n("excluded_automatic") == 0
    stop = stop_screening(workspace, "alice", "recall estimate 0.95 reached",
                          verdict={"rule": "hypergeometric", "recall": 0.95})
    assert stop.n_unscreened == 5 and stop.last_record_id == ids[-1]
    counts = prisma_counts(workspace)
    assert counts.boxes["excluded_automatic"] == tuple(ids[3:])
    assert counts.to_json()["screening_stop"]["verdict"] == {"rule": "hypergeometric", "recall": 0.95}
    # Screening a stopped record moves it from "automation" to "screened".
    screen_as(workspace, ids[3:4], "exclude")
    assert prisma_counts(workspace).n("excluded_automatic") == 4
    withdraw_screening_stop(workspace.store, "alice")
    counts = prisma_counts(workspace)
    assert counts.n("excluded_automatic") == 0 and counts.boxes["pending_screening"] == tuple(ids[4:])


def test_other_methods_column_and_source_overrides(workspace: Workspace, add, screen_as, dedup) -> None:
    db = add(workspace, 4, "PubMed")
    citations = add(workspace, 3, "Citation searching")
    uwv = add(workspace, 2, "UWV kennisbank")
    dedup({citations[0]})
    screen_as(workspace, db, "exclude")
    _ft(workspace, citations[1:] + uwv, "sought")
    _ft(workspace, [citations[1]], "eligible")
    _ft(workspace, [citations[2]], "excluded", reason="Language")
    _ft(workspace, [uwv[0]], "not_retrieved")
    _ft(workspace, [uwv[1]], "eligible")

    counts = compute_counts(workspace.store, {"sources": {"UWV kennisbank": "organisation"}})
    assert not any("[prisma.sources]" in note for note in counts.notes)
    misspelt = compute_counts(workspace.store, {"sources": {"UWV Kennisbank": "organisation"}})  # was unused, unsaid
    assert 'review.toml:prisma.sources."UWV Kennisbank": no record comes from a source of this name (sources: Citation ' \
           "searching, PubMed, UWV kennisbank); not used" in misspelt.notes
    values = counts.template_values()
    assert (values["citations_results"], values["organisation_results"], values["database_results"]) == (3, 2, 4)
    assert values["duplicates"] == 0  # other-method duplicates are not in the left column
    assert counts.boxes["other_duplicates"] == (citations[0],)
    assert (values["other_sought_reports"], values["other_notretrieved_reports"], values["other_assessed"]) == (4, 1, 3)
    assert values["other_excluded"] == "Language, 1"
    assert (values["new_studies"], values["new_reports"]) == (2, 2)
    assert counts.identities_ok and counts.has_other_methods


def test_identity_violations_are_reported_with_their_records(workspace: Workspace, add, screen_as) -> None:
    ids = add(workspace, 6, "PubMed")
    screen_as(workspace, ids[:2], "exclude")
    screen_as(workspace, ids[2:], "include")
    _ft(workspace, [ids[0]], "sought")             # sought although excluded at title/abstract
    _ft(workspace, ids[2:5], "sought")             # ids[5] passed but never sought
    _ft(workspace, [ids[2]], "eligible")
    _ft(workspace, [ids[2]], "excluded", "bob", reason="Language")  # conflict, no consensus
    _ft(workspace, [ids[3]], "retrieved")          # retrieved, not yet judged

    checks = {c.formula: c for c in prisma_counts(workspace).identities}
    screened = checks["identified − duplicates − excluded by automation − other removals = screened"]
    assert screened.ok and screened.record_ids == ()
    sought = checks["screened − excluded = sought"]
    assert sought.record_ids == (ids[0], ids[5])
    assessed = checks["sought − not retrieved = assessed"]
    assert not assessed.ok and assessed.record_ids == (ids[0], ids[3], ids[4])
    included = checks["assessed − excluded = included"]
    assert not included.ok and included.record_ids == (ids[2],) and (included.left, included.right) == (1, 0)


def test_the_screened_identity_names_the_automation_box_it_subtracts(workspace: Workspace, add, screen_as) -> None:
    # walk28: after a stop, '[ok] …: identified − duplicates − other removals = screened: 420 vs 420' read as
    # 676 − 59 − 0 = 420; the left side also subtracts the records the stop left unscreened.
    ids = add(workspace, 10, "PubMed")
    screen_as(workspace, ids[:4], "exclude")
    prisma_service.remove_records(workspace, [ids[4]], "alice", "retracted")
    stop_screening(workspace, "alice", "stopping rule met")
    counts = prisma_counts(workspace)
    screened = counts.identities[0]
    assert screened.formula == "identified − duplicates − excluded by automation − other removals = screened"
    terms = ("database_results", "duplicates", "excluded_automatic", "excluded_other")
    identified, duplicates, automatic, other = (counts.n(box) for box in terms)
    assert (identified, duplicates, automatic, other) == (10, 0, 5, 1)
    assert screened.ok and screened.left == identified - duplicates - automatic - other == screened.right == 4


def test_undo_and_unlink_are_appended_and_respected(workspace: Workspace, add, screen_as) -> None:
    ids = add(workspace, 3, "PubMed")
    screen_as(workspace, ids, "include")
    _ft(workspace, ids, "eligible")
    link_reports(workspace.store, ids[0], ids[1:], "alice")
    assert prisma_counts(workspace).n("new_studies") == 1
    unlink_report(workspace.store, ids[2], "alice")
    assert prisma_counts(workspace).n("new_studies") == 2
    undone = undo_last_fulltext_event(workspace.store, "alice")
    assert undone is not None and undone.record_id == ids[2]
    counts = prisma_counts(workspace)
    assert (counts.n("dbr_assessed"), counts.n("new_reports")) == (2, 2)


def test_fulltext_exclusion_needs_a_configured_reason(workspace: Workspace, add) -> None:
    (record_id,) = add(workspace, 1, "PubMed")
    with pytest.raises(ValidationError, match="needs --reason"):
        record_fulltext(workspace.store, record_id, "alice", "excluded")
    with pytest.raises(ChoiceError, match=r"--reason: 'wrong' is the start of 5 reasons \(Wrong population; "
                                              r"Wrong intervention or exposure; Wrong outcome; Wrong study design; "
                                              r"Wrong publication type\); type more"):  # ambiguous
        record_fulltext(workspace.store, record_id, "alice", "excluded", reason="wrong")
    event = record_fulltext(workspace.store, record_id, "alice", "excluded", reason="wrong int")
    assert event.reason == "Wrong intervention or exposure"
    from review.prisma.fulltext import fulltext_reasons

    with pytest.raises(WorkspaceError, match=r"review.toml:fulltext.reasons: \[\]: list the reasons"):  # said 'expected one of ' (nothing)
        fulltext_reasons({"reasons": []})



def test_a_workspace_begun_with_the_old_defaults_keeps_its_stored_reasons(workspace: Workspace, add) -> None:
    # Until 2026-12-06 "No prognostic factor analysed" was a default: a workspace without a [fulltext] reasons
    # line that excluded with it refused the next such exclusion (exit 2) while PRISMA still counted the first.
    from review.prisma.fulltext import PROGRAMME_REASONS

    first, second, third = add(workspace, 3, "PubMed")
    assert "No prognostic factor analysed" not in prisma_service.fulltext_reasons(workspace)
    with pytest.raises(ChoiceError, match="not an exclusion reason"):  # a new workspace: not offered
        prisma_service.record_fulltext(workspace, first, "alice", "excluded", reason="No prognostic factor")
    record_fulltext(workspace.store, first, "alice", "excluded", reasons=PROGRAMME_REASONS,
                    reason="No prognostic factor analysed")  # (as the code before 2026-12-06 stored it)
    reasons = prisma_service.fulltext_reasons(workspace)
    assert reasons[-1] == "No prognostic factor analysed" and reasons[:-1] == prisma_service.fulltext_reasons(
        Workspace(workspace.root))[:-1]
    recorded = prisma_service.record_fulltext(workspace, second, "alice", "excluded", reason="no prognostic")
    assert recorded.event.reason == "No prognostic factor analysed"
    (done,) = prisma_service.record_fulltext_events(workspace, [third], "bob", "excluded",
                                                    reason="No prognostic factor analysed")
    assert done.event.reason == "No prognostic factor analysed"
    # A [fulltext] reasons line is the list, whole: what the store holds adds nothing to it.
    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[fulltext]\nreasons = ["Wrong population"]\n',
                      encoding="utf-8")
    assert prisma_service.fulltext_reasons(Workspace(workspace.root)) == ("Wrong population",)


def _decision(record_id: int, reviewer: str, label: str) -> tuple[tuple[int, str], Decision]:
    return (record_id, reviewer), Decision(id=0, record_id=record_id, reviewer=reviewer, label=label)


@pytest.mark.parametrize(("labels", "expected"), [
    ({"alice": "exclude"}, "exclude"),
    ({"alice": "exclude", "bob": "exclude"}, "exclude"),
    ({"alice": "exclude", "bob": "include"}, "conflict"),
    ({"alice": "exclude", "bob": "maybe"}, "conflict"),
    ({"alice": "maybe", "bob": "include"}, "include"),
    ({"alice": "include", "bob": "include", "consensus": "exclude"}, "exclude"),
    ({"alice": "exclude", "bob": "exclude", "consensus": "maybe"}, "maybe"),
])
def test_title_abstract_consensus_rule(labels: dict[str, str], expected: str) -> None:
    current = dict(_decision(1, reviewer, label) for reviewer, label in labels.items())
    assert title_abstract_verdicts(current) == {1: expected}


@pytest.mark.parametrize(("name", "kind"), [
    ("PubMed", "database"), ("Embase", "database"), ("ClinicalTrials.gov", "register"),
    ("WHO ICTRP", "register"), ("Citation searching", "citation"), ("Reference lists", "citation"),
])
def test_source_kind_hints(name: str, kind: str) -> None:
    assert source_kind(name) == kind


def test_source_kind_override_is_validated() -> None:
    assert source_kind("PubMed", {"PubMed": "register"}) == "register"
    with pytest.raises(WorkspaceError, match="prisma.sources.PubMed"):
        source_kind("PubMed", {"PubMed": "journal"})


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(1, 12), st.one_of(st.none(), st.integers(1, 12)), max_size=12))
def test_linked_reports_resolve_to_one_study(links: dict[int, int | None]) -> None:
    nodes = set(range(1, 13))
    resolved = resolve_studies(links, nodes)
    for report, target in links.items():
        if target is not None and target != report:
            assert resolved[report] == resolved[target]
    for study in resolved.values():
        # A study is a terminal record (no outgoing link) or the smallest member of a cycle.
        assert links.get(study) is None or resolved[study] == study


def test_real_dedup_stage_duplicates_are_counted(workspace: Workspace, add, monkeypatch) -> None:
    monkeypatch.undo()  # the real dedup stage, not the stand-in
    from review.dedup import decisions

    pubmed = add(workspace, 3, "PubMed")
    embase = add(workspace, 2, "Embase")
    counts = prisma_counts(workspace)
    assert not counts.dedup_available and counts.n("duplicates") == 0
    decisions.decide_pair(workspace.store, pubmed[0], embase[0], "same", "alice")
    counts = prisma_counts(workspace)
    assert counts.dedup_available
    assert counts.n("duplicates") == 1 and counts.n("database_results") == 5


def test_records_imported_after_the_last_dedup_run_are_noted(workspace: Workspace, add, monkeypatch) -> None:
    """walk20: five records imported after `review dedup`; review status said they were not deduplicated yet,
    review prisma (whose duplicates box is published) said nothing."""
    monkeypatch.undo()  # the real dedup stage
    from review.dedup.run import run_dedup

    add(workspace, 3, "PubMed")
    run_dedup(workspace)
    assert not any("after the last dedup run" in note for note in prisma_counts(workspace).notes)
    add(workspace, 2, "Embase")
    notes = prisma_counts(workspace).notes
    assert ("2 records were imported after the last dedup run and are not deduplicated yet: the duplicates box may "
            "be short (run 'review dedup')") in notes, notes
    run_dedup(workspace)
    assert not any("after the last dedup run" in note for note in prisma_counts(workspace).notes)


def test_counts_read_dedups_runs_once_when_dedup_merged_nothing(workspace: Workspace, add, monkeypatch) -> None:
    """Whether dedup ran (no merge, so only its runs say so) and what came after its last run are one read of the
    runs, not two."""
    import sqlalchemy as sa

    monkeypatch.undo()  # the real dedup stage
    from review.dedup.run import run_dedup

    add(workspace, 3, "PubMed")
    run_dedup(workspace)
    add(workspace, 2, "Embase")
    statements: list[str] = []
    sa.event.listen(workspace.store.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_rest: statements.append(statement))
    counts = prisma_counts(workspace)
    assert counts.dedup_available and counts.n("duplicates") == 0
    assert any("after the last dedup run" in note for note in counts.notes), counts.notes
    assert sum("FROM dedup_runs" in statement for statement in statements) == 1, statements


def test_slim_label_query_matches_store_current_decisions(workspace: Workspace, add, screen_as) -> None:
    from review.store.fulltext import current_screening_labels
    ids = add(workspace, 4, "PubMed")
    screen_as(workspace, ids, "include")
    screen_as(workspace, ids[:2], "exclude", "bob")
    workspace.store.undo_last("bob")
    screen_as(workspace, ids[1:3], "maybe")
    workspace.store.undo_last("alice")
    expected = {key: d.label for key, d in workspace.store.current_decisions().items()}
    assert current_screening_labels(workspace.store) == expected


def test_screening_stop_keeps_the_stopping_rules_verdict(workspace: Workspace, add) -> None:
    np = pytest.importorskip("numpy")
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class Status:  # shaped like the screening stage's StoppingStatus
        verdict: str
        estimated_recall: float
        heuristics: dict = field(default_factory=dict)

        def as_dict(self) -> dict:
            return {"verdict": self.verdict, "estimated_recall": self.estimated_recall,
                    "heuristics": self.heuristics}

    add(workspace, 2, "PubMed")
    stop = stop_screening(workspace, "alice", "sample showed 95% recall",
                          verdict=Status("stop", 0.97, {"knee_ratio": np.float64(6.5)}))
    assert stop.verdict == {"verdict": "stop", "estimated_recall": 0.97, "heuristics": {"knee_ratio": 6.5}}
    assert prisma_counts(workspace).screening_stop.verdict["heuristics"]["knee_ratio"] == 6.5
    with pytest.raises(Exception, match="explanation is required"):
        stop_screening(workspace, "alice", "  ")


def test_a_stop_counts_the_prisma_box_even_under_a_bad_prisma_setting(
    workspace: Workspace, add, screen_as, dedup
) -> None:
    # With a bad [prisma] value the stop fell back to 'records nobody screened', duplicates and
    # removed records included, where the PRISMA box leaves them out.
    ids = add(workspace, 8, "PubMed")
    screen_as(workspace, ids[:3], "exclude")
    dedup({ids[7]})
    remove_records(workspace.store, [ids[6]], "alice", "retracted")
    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[prisma]\nsources = "PubMed"\n', encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"review.toml:prisma.sources: .PubMed.: expected a table"):
        prisma_counts(workspace)
    assert stop_screening(workspace, "alice", "stopping rule met").n_unscreened == 3


def test_records_removed_for_other_reasons(workspace: Workspace, add, screen_as) -> None:
    from review.store.fulltext import remove_records, restore_records
    ids = add(workspace, 6, "PubMed")
    assert remove_records(workspace.store, ids[:2], "alice", "retracted") == 2
    assert remove_records(workspace.store, [ids[1], ids[2]], "alice", "published before 2000") == 1
    screen_as(workspace, ids[2:], "exclude")
    counts = prisma_counts(workspace)
    assert counts.boxes["excluded_other"] == tuple(ids[:3])
    assert counts.excluded_other_reasons == {"retracted": 2, "published before 2000": 1}
    assert counts.n("records_screened") == 3 and counts.boxes["removed_but_screened"] == (ids[2],)
    assert counts.template_values()["excluded_other"] == 3
    assert counts.identities[0].ok
    assert restore_records(workspace.store, [ids[0], ids[5]], "bob") == 1
    counts = prisma_counts(workspace)
    assert counts.boxes["excluded_other"] == tuple(ids[1:3]) and counts.boxes["pending_screening"] == (ids[0],)
    with pytest.raises(Exception, match="reason is required"):  # the stage's rule, kept by its service
        prisma_service.remove_records(workspace, ids, "alice", " ")


def test_a_report_sought_without_screening_cannot_make_up_for_one_never_sought(workspace: Workspace, add,
                                                                                screen_as) -> None:
    # screened 1 − excluded 0 = sought 1 held while the sought report was not the one that passed.
    passed, unscreened = add(workspace, 2, "PubMed")
    screen_as(workspace, [passed], "include")
    _ft(workspace, [unscreened], "sought")
    counts = prisma_counts(workspace)
    check = next(c for c in counts.identities if c.formula == "screened − excluded = sought")
    assert (check.left, check.right) == (1, 1) and not check.ok and not counts.identities_ok
    assert not check.in_progress and check.describe().startswith("[BROKEN]")  # a real break, not pending work
    assert check.explanation == ("1 record passed title/abstract screening but no full text was sought; "
                                 "1 report was sought without passing title/abstract screening")
    from review.prisma.diagram import _footnotes

    assert any("(1 = 1: equal counts, not the same records)" in note for note, _ in _footnotes(counts, "en"))


def test_a_break_names_the_reports_behind_it_not_the_records_waiting_for_full_text(workspace: Workspace, add,
                                                                                   screen_as) -> None:
    """walk24: one report sought without passing screening beside 49 records waiting for their full text read
    '[BROKEN] … 49 records passed … no full text was sought; 1 report was sought without passing title/abstract
    screening (records 43, 52, 54, 56, … and 40 more)': the one record behind the break hid among the waiting."""
    *passed, unscreened = add(workspace, 13, "PubMed")
    screen_as(workspace, passed, "include")
    _ft(workspace, [unscreened], "sought")
    check = next(c for c in prisma_counts(workspace).identities if c.formula == "screened − excluded = sought")
    assert not check.in_progress and check.record_ids == tuple(sorted([*passed, unscreened]))  # prisma.json: all
    assert check.describe().endswith("; 1 report was sought without passing title/abstract screening "
                                     f"(record {unscreened})")


def _pubmed_and_one_merged_embase_copy(workspace: Workspace, add, n_pubmed: int) -> tuple[list[int], int, int]:
    """``n_pubmed`` PubMed records and one Embase record that alice called the same as the first:
    the PubMed ids, the record dedup set aside and its canonical record (the real dedup stage)."""
    from review.dedup import decisions

    pubmed = add(workspace, n_pubmed, "PubMed")
    embase = add(workspace, 1, "Embase")
    decisions.decide_pair(workspace.store, pubmed[0], embase[0], "same", "alice")
    ((duplicate, canonical),) = decisions.canonical_of(workspace.store).items()
    return pubmed, duplicate, canonical


def test_a_study_linked_to_a_duplicate_set_aside_is_the_study_of_its_canonical_record(
        workspace: Workspace, add, monkeypatch) -> None:
    """Linking reports to a duplicate dedup set aside made one publication two studies."""
    monkeypatch.undo()  # the real dedup stage
    from review.prisma.fulltext import link_reports
    from review.services import prisma as service

    pubmed, duplicate, canonical = _pubmed_and_one_merged_embase_copy(workspace, add, 3)
    _ft(workspace, [canonical, pubmed[1]], "eligible")
    link_reports(workspace.store, duplicate, [pubmed[1]], "alice")  # as the service allowed until now
    counts = prisma_counts(workspace)
    assert (counts.n("new_studies"), counts.n("new_reports")) == (1, 2)
    with pytest.raises(ValidationError, match=rf"record {duplicate}: set aside by dedup as a duplicate of record "
                                              rf"{canonical};.*nothing recorded"):
        service.link_reports(workspace, duplicate, [pubmed[2]], "alice")


def test_fewer_previous_reports_than_previous_studies_is_noted(workspace: Workspace, add) -> None:
    add(workspace, 1, "PubMed")
    counts = compute_counts(workspace.store, {"previous_studies": 4})  # previous_reports left at 0
    assert "review.toml:prisma.previous_reports: 0 is below previous_studies = 4: every study included " \
           "before has at least one report" in counts.notes
    assert not any("previous_reports" in note for note in compute_counts(
        workspace.store, {"previous_studies": 4, "previous_reports": 5}).notes)


def test_a_note_on_a_setting_names_its_key_and_line_as_a_refusal_of_one_does(workspace: Workspace, add) -> None:
    # 'review.toml [prisma.sources] names …' and '… [prisma] previous_reports = 0 …' named no line, where a refusal of
    # a review.toml setting says PATH:KEY: what (line N) (session 30). Named from the workspace's root: prisma.json,
    # a file of the workspace teams share, holds the notes too.
    add(workspace, 1, "PubMed")
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(text + '\n[prisma]\nprevious_studies = 4\n\n[prisma.sources]\n'
                                     '"UWV Kennisbank" = "organisation"\n"Bing.com" = "website"\n', encoding="utf-8")
    lines = workspace.config_path.read_text(encoding="utf-8").splitlines()
    source_line = lines.index('"UWV Kennisbank" = "organisation"') + 1
    notes = prisma_counts(Workspace(workspace.root)).notes
    # toml32: each key in TOML's quoting, as it is typed into the file (prisma.sources.Bing.com is key 'com' of a
    # table 'Bing'); it named them unquoted
    assert [note for note in notes if note.startswith("review.toml:")] == [
        *(f'review.toml:prisma.sources."{name}": no record comes from a source of this name (sources: PubMed); not '
          f"used (line {line})" for name, line in (("Bing.com", source_line + 1), ("UWV Kennisbank", source_line))),
        "review.toml:prisma.previous_reports: 0 is below previous_studies = 4: every study included before has at "
        f"least one report (line {lines.index('[prisma]') + 1})"]  # (no previous_reports line: its table's)


def test_prisma_remove_refuses_a_duplicate_set_aside_and_names_its_canonical_record(
        workspace: Workspace, add, monkeypatch) -> None:
    """Its reason would count nowhere: PRISMA counts it among the duplicates removed."""
    monkeypatch.undo()  # the real dedup stage
    from review.errors import ReviewError
    from review.services import prisma as service

    pubmed, duplicate, canonical = _pubmed_and_one_merged_embase_copy(workspace, add, 2)
    with pytest.raises(ReviewError, match=rf"record {duplicate}: set aside by dedup as a duplicate of record "
                                          rf"{canonical}, .* remove record {canonical} instead; nothing removed"):
        service.remove_records(workspace, [pubmed[1], duplicate], "alice", "retracted")
    assert prisma_counts(workspace).n("excluded_other") == 0
    assert service.remove_records(workspace, [canonical], "alice", "retracted") == 1
