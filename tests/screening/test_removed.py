"""Records removed before screening leave the screening queue (decision 0021): removed by hand
(``review prisma remove``) or a notice dedup linked to its article; back on restore or unlink."""

from __future__ import annotations

import hashlib

import pytest

from review.dedup.run import run_dedup
from review.errors import ReviewError
from review.records import Record
from review.services import prisma
from review.services import screening as service
from review.services.dedup import decide_pair
from review.screening.session import ScreeningSession

ARTICLE = "Liraglutide suppresses macrophage foam cell formation and atherosclerosis in mice"
FIELDS = dict(authors=["Tashiro, Y.", "Sato, K."], year=2014, journal="Peptides", volume="54")
OTHERS = ["Return to work after depression", "Sickness absence in nurses", "Burnout and sick leave",
          "Knee osteoarthritis exercise trial", "Asthma in school children"]


@pytest.fixture
def ids(workspace) -> dict[str, int]:
    """An article, its erratum (linked by dedup) and five other records, by title."""
    records = [Record(title=ARTICLE, pages="19-26", **FIELDS), Record(title=f"Erratum to: {ARTICLE}", pages="101", **FIELDS)]
    records += [Record(title=t, abstract=f"{t}: a study of workers.", year=2010 + n) for n, t in enumerate(OTHERS)]
    workspace.store.add_batch(records, file_name="n.csv", file_sha256=hashlib.sha256(b"n").hexdigest(),
                              source_name="PubMed", format="csv", encoding="utf-8")
    assert run_dedup(workspace).n_related == 1
    return {r.title: r.id for r in workspace.store.records()}


def served(session: ScreeningSession) -> list[int]:
    """Every record the queue serves, excluded one by one."""
    out = []
    while (record := session.next_record()) is not None:
        out.append(record.id)
        session.decide(record.id, "exclude")
    return out


def test_removed_records_and_linked_notices_leave_the_queue_and_come_back(workspace, ids) -> None:
    article, erratum = ids[ARTICLE], ids[f"Erratum to: {ARTICLE}"]
    first, second, retracted, old, last = (ids[t] for t in OTHERS)
    alice = ScreeningSession(workspace, "alice", quick_start=True)
    alice.decide(first, "include")
    alice.decide(second, "exclude")
    alice.decide(retracted, "include")  # decided, then found to be retracted
    prisma.remove_records(workspace, [retracted, old], "alice", "retracted")

    alice = ScreeningSession(workspace, "alice", quick_start=True)
    progress = alice.progress()
    assert (progress.total, progress.screened, progress.included) == (4, 2, 1)  # 7 less a notice and 2 removed
    assert alice.not_offered(retracted) == "removed before screening: retracted"
    assert alice.not_offered(erratum) == f"notice of #{article} (erratum)"
    assert alice.not_offered(first) == ""
    with pytest.raises(service.NotOffered) as refused:  # the TUI's refusal: no parentheses nested in it
        alice.decide(erratum, "include")
    assert str(refused.value) == f"record {erratum}: not offered for screening (erratum of record {article}, " \
                                 "linked by dedup); nothing recorded"
    ranking = alice.retrain()  # an include and an exclude to learn from: the decision on the removed one is not
    assert ranking.n_labelled == 2 and not {erratum, retracted, old} & set(ranking.order)
    alice.apply_ranking(ranking)
    assert sorted(served(alice)) == sorted([article, last])
    assert alice.progress().stopping.verdict == "stop" and alice.progress().remaining == 0
    # The confirmed decision on the removed record is kept, and PRISMA's "records screened" agrees.
    assert service.current_decisions(workspace, "alice")[(retracted, "alice")].label == "include"
    assert prisma.prisma_counts(workspace).n("records_screened") == alice.progress().screened == 4

    prisma.restore_records(workspace, [retracted, old], "alice")
    decide_pair(workspace, article, erratum, "different", "alice")  # the link undone: its own record again
    assert alice.refresh_set_aside() and not alice.refresh_set_aside()  # (changed once)
    progress = alice.progress()
    assert (progress.total, progress.screened, progress.included) == (7, 5, 2)  # the kept include counts again
    assert sorted(served(alice)) == sorted([erratum, old])


def test_status_counts_agree_with_prismas_records_screened(workspace, ids) -> None:
    first, second, retracted = (ids[t] for t in OTHERS[:3])
    service.decide_records(workspace, "alice", [str(first), str(second), str(retracted)], "exclude")
    prisma.remove_records(workspace, [retracted], "alice", "retracted")
    lines = service.screening_lines(workspace)
    assert lines[0] == "screening  5 records to screen (duplicates set aside, 2 removed before screening)"
    assert "screened 2 " in lines[1] and "remaining 3" in lines[1]
    assert prisma.prisma_counts(workspace).n("records_screened") == 2


def test_decide_refuses_a_removed_record_and_says_how_to_bring_it_back(workspace, ids) -> None:
    article, erratum = ids[ARTICLE], ids[f"Erratum to: {ARTICLE}"]
    first, retracted = ids[OTHERS[0]], ids[OTHERS[2]]
    prisma.remove_records(workspace, [retracted], "alice", "retracted")
    with pytest.raises(ReviewError) as refused:
        service.decide_records(workspace, "alice", [str(first), str(retracted)], "include")
    assert str(refused.value) == (f"ID {retracted}: not in the screening queue (removed before screening: "
                                  f"retracted); 'review prisma restore {retracted}' puts it back; nothing recorded")
    with pytest.raises(ReviewError, match=rf"\(erratum of record {article}, linked by dedup: .*screen record {article};"):
        service.decide_records(workspace, "alice", [str(erratum)], "include")
    assert service.current_decisions(workspace, "alice") == {}  # every id is checked before the first is written
    prisma.restore_records(workspace, [retracted], "alice")
    assert [d.record_id for d in service.decide_records(workspace, "alice", [str(retracted)], "include")] == [retracted]


def test_conflicts_and_agreement_cover_the_records_to_screen_and_a_restore_brings_a_conflict_back(
        workspace, ids, tmp_path, monkeypatch) -> None:
    """Conflicts and kappa use the queue's records (decision 0021, addendum): a conflict on a
    record removed before screening, a linked notice or a duplicate set aside is left out, kept."""
    import csv

    from review.dedup import decisions as dedup_decisions
    from resolutions import store_resolutions

    article, erratum = ids[ARTICLE], ids[f"Erratum to: {ARTICLE}"]
    first, second, retracted, duplicate = (ids[t] for t in OTHERS[:4])
    store = workspace.store
    for record_id, bob in ((first, "exclude"), (second, "include"), (retracted, "exclude"),
                           (erratum, "exclude"), (duplicate, "exclude")):  # all decided before removal or dedup
        store.add_decision(record_id, "alice", "include")
        store.add_decision(record_id, "bob", bob)
    service.resolve_conflict(workspace, retracted, "exclude", "carol")  # resolved, then found retracted
    prisma.remove_records(workspace, [retracted], "alice", "retracted")
    real_duplicates = dedup_decisions.duplicate_ids
    monkeypatch.setattr(dedup_decisions, "duplicate_ids", lambda s: real_duplicates(s) | {duplicate})

    report = service.agreement_report(workspace)
    assert [c.record_id for c in report.conflicts] == [first]  # (4 conflicts before)
    assert report.left_out == {retracted: "removed before screening: retracted",
                               erratum: f"notice of #{article} (erratum)",
                               duplicate: "set aside as a duplicate by dedup"}
    (pair,) = report.stats
    assert (pair.n, pair.agreed) == (2, 1)  # first and second only: PRISMA screens nothing else
    with pytest.raises(service.NotOffered, match=rf"record {retracted}: not offered .*retracted.*nothing recorded"):
        service.resolve_conflict(workspace, retracted, "include", "carol")
    assert store_resolutions(store)[retracted] == ("exclude", "carol")  # the earlier resolution is kept
    with pytest.raises(service.NotOffered) as refused:
        service.resolve_conflict(workspace, erratum, "include", "carol")
    assert str(refused.value) == (f"record {erratum}: not offered for screening (erratum of record {article}, "
                                  "linked by dedup); its conflict counts nowhere, nothing recorded")

    exported = service.export_agreement(workspace, tmp_path / "out")
    rows = list(csv.reader((tmp_path / "out" / "conflicts.csv").open()))
    assert rows == [["record_id", "alice", "bob", "resolution", "resolved_by", "changed_since"],
                    [str(first), "include", "exclude", "", "", ""]]
    assert next(csv.DictReader((tmp_path / "out" / "agreement.csv").open()))["n"] == "2"
    assert set(exported.left_out) == {retracted, erratum, duplicate}

    prisma.restore_records(workspace, [retracted], "alice")  # back in the queue: its conflict and resolution too
    report = service.agreement_report(workspace)
    assert [(c.record_id, c.resolution) for c in report.conflicts] == [(first, None), (retracted, "exclude")]
    assert report.stats[0].n == 3 and retracted not in report.left_out


def test_export_agreement_says_on_stderr_how_many_conflicts_it_left_out(workspace, ids, tmp_path) -> None:
    from click.testing import CliRunner

    from review.cli import main

    first, retracted = ids[OTHERS[0]], ids[OTHERS[2]]
    for record_id in (first, retracted):
        workspace.store.add_decision(record_id, "alice", "include")
        workspace.store.add_decision(record_id, "bob", "exclude")
    prisma.remove_records(workspace, [retracted], "alice", "retracted")
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "agreement", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(tmp_path / "out" / name)
                                          for name in ("agreement.json", "agreement.csv", "conflicts.csv")]
    assert "alice × bob: n=1 raw=0.000" in result.stderr
    assert "left out: 1 conflict on records not screened (removed before screening" in result.stderr


def test_a_key_pressed_before_the_session_heard_of_a_removal_decides_nothing(workspace, ids) -> None:
    from review.screening.removed import NotOffered

    alice = ScreeningSession(workspace, "alice", quick_start=True)
    shown = alice.next_record()
    assert shown is not None and shown.id is not None
    total = alice.progress().total
    prisma.remove_records(workspace, [shown.id], "bob", "retracted")  # another shell, within the 2 s before the look
    with pytest.raises(NotOffered, match=rf"record {shown.id}: not offered for screening \(removed before "
                                         r"screening: retracted\); nothing recorded"):
        alice.decide(shown.id, "include")  # refused by the decision's own transaction
    assert service.current_decisions(workspace, "alice") == {}
    after = alice.next_record()  # the queue moved on without waiting for the look
    assert after is not None and after.id != shown.id and alice.progress().total == total - 1
    assert not alice.refresh_set_aside()  # the look then reads what the refusal already applied
    prisma.restore_records(workspace, [shown.id], "bob")
    assert alice.refresh_set_aside()
    alice.decide(shown.id, "include")  # restored: decided as any other record
    assert set(service.current_decisions(workspace, "alice")) == {(shown.id, "alice")}


def test_undo_of_a_decision_on_a_record_removed_since_leaves_it_off_screen(workspace, ids) -> None:
    # undo made the removed record the one on screen: read_ahead then read the queue's head as the
    # record *after* it, and the TUI had to steer round it.
    alice = ScreeningSession(workspace, "alice", quick_start=True)
    decided = alice.next_record()
    assert decided is not None and decided.id is not None
    alice.decide(decided.id, "include")
    prisma.remove_records(workspace, [decided.id], "alice", "retracted")  # in a shell, meanwhile
    assert alice.refresh_set_aside()
    undone = alice.undo()
    assert undone is not None and undone.record_id == decided.id  # the undo stands
    ahead = alice.read_ahead()
    shown = alice.next_record()
    assert shown is not None and shown.id != decided.id
    assert ahead is None or ahead.id != shown.id  # read ahead of what is shown, not of the removed record


def test_an_outdated_resolution_on_a_removed_record_is_counted_left_out(workspace, ids) -> None:
    # left_out counted only disputed records set aside: an outdated resolution (the reviewers now
    # agree against it) on a removed record vanished from the list and from the count left out.
    outdated, disputed = ids[OTHERS[0]], ids[OTHERS[1]]
    store = workspace.store
    for record_id in (outdated, disputed):
        store.add_decision(record_id, "alice", "include")
        store.add_decision(record_id, "bob", "exclude")
    service.resolve_conflict(workspace, outdated, "exclude", "carol")
    store.add_decision(outdated, "bob", "include")  # they now agree, against the resolution
    report = service.agreement_report(workspace)
    assert [c.record_id for c in report.outdated] == [outdated] and report.open == 2
    prisma.remove_records(workspace, [outdated], "alice", "retracted")
    report = service.agreement_report(workspace)
    assert report.outdated == [] and [c.record_id for c in report.conflicts] == [disputed]
    assert report.left_out == {outdated: "removed before screening: retracted"}


def test_a_refusal_in_the_decisions_transaction_words_it_as_every_other_refusal() -> None:
    from review.screening.removed import Removal, RemovedMeanwhile, SetAside

    for removal in (Removal("retracted"), Removal("", notice_of=3, kind="erratum")):
        refused = RemovedMeanwhile(7, removal)
        assert str(refused) == f"{SetAside(removed={7: removal}).refusal(7)}; nothing recorded"
        assert str(refused).startswith("record 7: not offered for screening (")
