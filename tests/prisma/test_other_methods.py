"""Records found by other methods skip title/abstract screening (decision 0023): the queue, its
counts, the stopping rule's N, the model, ``review status``, ``review decide``, conflicts and
PRISMA agree; decisions recorded on them earlier are kept, shown and not counted."""

from __future__ import annotations

import pytest

from review.errors import ReviewError, WorkspaceError
from review.screening.session import ScreeningSession
from review.services import prisma
from review.services import screening as service
from review.workspace import Workspace


def _set_sources(workspace: Workspace, table: str) -> None:
    """Add ``table``'s lines to review.toml's ``[prisma.sources]`` (the last table of the file)."""
    config = workspace.root / "review.toml"
    text = config.read_text(encoding="utf-8")
    text += "" if "[prisma.sources]" in text else "\n[prisma.sources]\n"
    config.write_text(f"{text}{table}\n", encoding="utf-8")


@pytest.fixture
def ids(workspace: Workspace, add) -> dict[str, list[int]]:
    """Six database records, two from citation searching, one from an organisation (by review.toml)."""
    _set_sources(workspace, '"UWV kennisbank" = "organisation"')
    return {"db": add(workspace, 6, "PubMed"), "citation": add(workspace, 2, "Citation searching"),
            "organisation": add(workspace, 1, "UWV kennisbank")}


def test_the_session_leaves_other_methods_out_of_queue_counts_model_and_stopping(workspace, ids) -> None:
    db, cited, uwv = ids["db"], ids["citation"], ids["organisation"]
    for record_id in (db[0], cited[0]):  # decided before decision 0023: kept
        workspace.store.add_decision(record_id, "alice", "include")
    workspace.store.add_decision(db[1], "alice", "exclude")
    alice = ScreeningSession(workspace, "alice", quick_start=True)
    progress = alice.progress()
    assert (progress.total, progress.screened, progress.included, progress.remaining) == (6, 2, 1, 4)
    stopping = alice.progress().stopping  # the stopping rule's N: the database records only
    assert (stopping.screened, stopping.remaining) == (2, 4)
    assert alice.not_offered(cited[0]) == "found by citation searching: other methods go straight to full text"
    assert alice.not_offered(uwv[0]) == "found through an organisation: other methods go straight to full text"
    assert alice.listed_apart(cited[1]) and not alice.listed_apart(db[2])
    with pytest.raises(service.NotOffered) as refused:
        alice.decide(uwv[0], "include")
    assert str(refused.value) == (f"record {uwv[0]}: not offered for screening (found through an organisation: "
                                  "other methods go straight to full text); nothing recorded")
    ranking = alice.retrain()
    assert ranking.n_labelled == 2 and not set(cited + uwv) & set(ranking.order)
    alice.apply_ranking(ranking)
    served = []
    while (record := alice.next_record()) is not None:
        served.append(record.id)
        alice.decide(record.id, "exclude")
    assert sorted(served) == db[2:]
    assert service.current_decisions(workspace, "alice")[(cited[0], "alice")].label == "include"  # kept


def test_status_and_prisma_agree_and_kept_decisions_are_noted(workspace, ids) -> None:
    """The small workspace of the issue: status said 5 screened where PRISMA said 3."""
    db, cited = ids["db"], ids["citation"]
    service.decide_records(workspace, "alice", [str(r) for r in db[:3]], "exclude")
    for record_id in cited:
        workspace.store.add_decision(record_id, "alice", "exclude")  # recorded before decision 0023
    lines = service.screening_lines(workspace)
    assert lines[0] == "screening  6 records to screen (duplicates set aside, 3 from other methods (straight to " \
                       "full text))"
    assert "screened 3 " in lines[1] and "remaining 3" in lines[1]
    counts = prisma.prisma_counts(workspace)
    assert counts.n("records_screened") == 3
    assert counts.boxes["other_screened_not_counted"] == tuple(cited)
    assert "2 records have title/abstract decisions but came from other methods, which skip that screening " \
           "and go straight to full text: not counted" in counts.notes
    assert {item.record_id for item in prisma.fulltext_queue(workspace)} >= set(cited)  # excluded, still passed on
    _set_sources(workspace, '"Citation searching" = "database"')  # the way back: its decisions count again
    assert prisma.prisma_counts(workspace).n("records_screened") == 5
    assert "screened 5 " in service.screening_lines(workspace)[1]


def test_decide_refuses_other_methods_records_and_says_where_they_go(workspace, ids) -> None:
    db, cited = ids["db"], ids["citation"]
    with pytest.raises(ReviewError) as refused:
        service.decide_records(workspace, "alice", [str(db[0]), str(cited[1])], "include")
    assert str(refused.value) == (
        f"ID {cited[1]}: not in the screening queue (found by citation searching: other methods go straight to "
        f"full text); record its full text ('review fulltext sought {cited[1]}'), or set its source's kind in "
        "review.toml [prisma.sources]; nothing recorded")
    assert service.current_decisions(workspace, "alice") == {}


def test_conflicts_and_agreement_leave_other_methods_out(workspace, ids) -> None:
    db, cited = ids["db"], ids["citation"]
    for record_id in (db[0], cited[0]):
        workspace.store.add_decision(record_id, "alice", "include")
        workspace.store.add_decision(record_id, "bob", "exclude")
    report = service.agreement_report(workspace)
    assert [c.record_id for c in report.conflicts] == [db[0]]
    assert report.left_out == {cited[0]: "found by citation searching: other methods go straight to full text"}
    assert report.stats[0].n == 1
    with pytest.raises(service.NotOffered):
        service.resolve_conflict(workspace, cited[0], "include", "carol")


def test_prisma_remove_refuses_other_methods_records(workspace, ids) -> None:
    db, uwv = ids["db"], ids["organisation"]
    with pytest.raises(ReviewError, match=rf"^record {uwv[0]}: not removed before screening \(found through an "
                                              r"organisation: other methods go straight to full text\); .*"
                                              rf"'review fulltext excluded {uwv[0]} --reason \.\.\.'.*; nothing removed$"):
        prisma.remove_records(workspace, [db[0], uwv[0]], "alice", "retracted")
    assert prisma.prisma_counts(workspace).n("excluded_other") == 0  # nothing removed, the database one neither
    assert prisma.remove_records(workspace, [db[0]], "alice", "retracted") == 1


def test_a_bad_source_kind_stops_the_session_with_the_line_prisma_gives(workspace, ids) -> None:
    _set_sources(workspace, '"PubMed" = "magazine"')
    with pytest.raises(WorkspaceError, match=r"review.toml:prisma.sources.PubMed: 'magazine': expected one of"):
        ScreeningSession(workspace, "alice", quick_start=True)


def test_a_bad_source_kind_stops_undo_merge_before_anything_is_split(workspace) -> None:
    # The split was written, then reading the set-aside records raised: exit 4, the merge undone anyway.
    from review.dedup.run import run_dedup
    from review.records import Record
    from review.services import dedup
    from review.store import dedup as dedup_store

    article = Record(title="Liraglutide suppresses macrophage foam cell formation in mice", year=2014,
                     doi="10.1016/j.peptides.2013.12.015", authors=["Tashiro, Y."], journal="Peptides")
    workspace.store.add_batch([article, article], file_name="p.ris", file_sha256="e" * 64, source_name="PubMed",
                              format="ris", encoding="utf-8")
    run_dedup(workspace)
    merged = dedup_store.clusters(workspace.store)
    assert len(merged) == 1
    _set_sources(workspace, '"PubMed" = "magazine"')
    with pytest.raises(WorkspaceError, match=r"^review.toml:prisma.sources.PubMed: 'magazine'"):
        dedup.undo_merge(workspace, next(iter(merged)), "alice")
    assert dedup_store.clusters(workspace.store) == merged


def test_status_prisma_line_adds_up_to_records_screened(workspace, ids) -> None:
    """identified − other methods − duplicates − automation − other removals = screened, on the line itself."""
    db = ids["db"]
    service.decide_records(workspace, "alice", [str(r) for r in db[:4]], "exclude")
    prisma.remove_records(workspace, [db[5]], "alice", "retracted")
    (line,) = prisma.prisma_status(workspace)
    assert line.startswith("prisma     9 identified (3 by other methods), 0 duplicates, 0 excluded by automation, "
                           "1 removed for other reasons, 4 screened, ")


def test_other_methods_records_removed_before_0023_are_named_in_a_note_counts_unchanged(workspace, ids) -> None:
    # Removed by hand before decision 0023 made 'review prisma remove' refuse them: that column has no
    # such box, so the record counted nowhere and nothing said so.
    from review.store.fulltext import remove_records

    cited = ids["citation"]
    before = prisma.prisma_counts(workspace)
    remove_records(workspace.store, [cited[0]], "alice", "retracted")
    after = prisma.prisma_counts(workspace)
    assert after.template_values() == before.template_values()
    assert [c.describe() for c in after.identities] == [c.describe() for c in before.identities]
    (note,) = set(after.notes) - set(before.notes)
    assert note == (f"1 record from other methods was removed before screening (record {cited[0]}), which that column "
                    f"has no box for: counted nowhere; review prisma restore {cited[0]}, then exclude at full text "
                    "(review fulltext excluded ID --reason ...)")
    prisma.restore_records(workspace, [cited[0]], "alice")
    reason = prisma.fulltext_reasons(workspace)[0]
    list(prisma.record_fulltext_events(workspace, [cited[0]], "alice", "excluded", reason=reason))
    mended = prisma.prisma_counts(workspace)
    assert set(mended.notes) == set(before.notes) and mended.other_excluded_reasons == {reason: 1}
