"""One definition per count: the session, `review status` and the dashboard agree and add up."""

from __future__ import annotations

import re

from click.testing import CliRunner

from review.cli import main
from review.records import Record
from review.screening.counts import COUNT_LABELS, count_decisions, reviewer_counts
from review.screening.session import ScreeningSession
from sql_statements import sql_statements


def _records(workspace, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` records r0, r1, … in one import; their ids in order."""
    workspace.store.add_batch([Record(title=f"r{i}", abstract="a") for i in range(n)], file_name="f",
                              file_sha256="c" * 64, source_name="s", format="csv", encoding="utf-8")
    return [r.id for r in workspace.store.records()]


def _two_reviewers_one_resolved(workspace, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` records; alice and bob disagree on the first two and agree on the third (alice's excludes give a
    reason), carol resolves the first; their ids in order."""
    from review.services.screening import resolve_conflict

    ids = _records(workspace, n)
    for record_id, (a, b) in zip(ids, [("include", "exclude"), ("exclude", "maybe"), ("exclude", "exclude")]):
        workspace.store.add_decision(record_id, "alice", a, reasons=("wrong population",) if a == "exclude" else ())
        workspace.store.add_decision(record_id, "bob", b)
    resolve_conflict(workspace, ids[0], "include", "carol")
    return ids


def test_parts_add_up_and_relevant_is_include_plus_maybe():
    counts = count_decisions(["include", "exclude", "maybe", "exclude", "undo-never-current"], total=10)
    assert (counts.screened, counts.included, counts.excluded, counts.maybe) == (4, 1, 2, 1)
    assert counts.relevant == 2 and counts.remaining == 6


def test_status_and_session_show_the_same_numbers(workspace):
    ids = _records(workspace, 8)
    for record_id, label in zip(ids, ["include", "exclude", "maybe", "include", "exclude"]):
        workspace.store.add_decision(record_id, "alice", label)
    workspace.store.add_decision(ids[0], "alice", "exclude")  # a changed mind counts once, as its last label
    for record_id, label in zip(ids[3:], ["include", "include"]):
        workspace.store.add_decision(record_id, "bob", label)
    progress = ScreeningSession(workspace, "alice", quick_start=True).progress()
    per = reviewer_counts(workspace.store.current_decisions(), set(ids))
    assert (per["alice"].screened, per["alice"].relevant) == (progress.screened, progress.relevant) == (5, 2)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if row.strip().startswith("alice"))
    numbers = [int(n) for n in re.findall(r"\d+", line)]
    screened, included, excluded, maybe, relevant, remaining = numbers
    assert screened == included + excluded + maybe == progress.screened
    assert relevant == progress.relevant and remaining == progress.remaining
    assert COUNT_LABELS["relevant"].lower() in line


def test_status_gives_consensus_no_reviewer_line_but_counts_the_conflicts(workspace):
    # consensus had a line of its own ("screened 1 … remaining 7") as if it screened.
    from review.services.screening import resolve_conflict

    ids = _two_reviewers_one_resolved(workspace, 8)
    output = CliRunner().invoke(main, ["-w", str(workspace.root), "status"]).output
    rows = [row.split()[0] for row in output.splitlines() if row.startswith("  ")]
    assert "consensus" not in rows and {"alice", "bob"} <= set(rows)
    assert "  conflicts            2 between reviewers, 1 resolved, 1 open" in output, output
    # A reviewer changing their label after the resolution reopens it: the TUI listed 2 to resolve
    # while this line said "1 between reviewers, 0 resolved, 1 open".
    resolve_conflict(workspace, ids[1], "exclude", "carol")
    workspace.store.add_decision(ids[1], "alice", "include")  # still disputed, on other labels: open again
    workspace.store.add_decision(ids[0], "alice", "exclude")  # both exclude now, against carol's include
    output = CliRunner().invoke(main, ["-w", str(workspace.root), "status"]).output
    assert "  conflicts            1 between reviewers + 1 outdated resolution, 0 resolved, 2 open" in output, output


def test_status_reads_the_decision_log_and_the_set_aside_once(workspace, monkeypatch):
    # The screening lines and the PRISMA line come from one read of each (they read both twice).
    import review.dedup.decisions as dedup_decisions
    import review.screening.removed as removed
    from review.store.core import Store

    ids = _records(workspace, 4)
    workspace.store.add_decision(ids[0], "alice", "include")
    workspace.store.add_decision(ids[0], "bob", "exclude")
    reads = {"log": 0, "duplicates": 0, "removals": 0}

    def counted(key, real):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            if key != "log" or not kwargs.get("reviewer"):  # (one reviewer's decisions are another read)
                reads[key] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(Store, "decisions", counted("log", Store.decisions))
    monkeypatch.setattr(Store, "decision_labels", counted("log", Store.decision_labels))
    monkeypatch.setattr(dedup_decisions, "duplicate_ids", counted("duplicates", dedup_decisions.duplicate_ids))
    monkeypatch.setattr(removed, "removed_before_screening", counted("removals", removed.removed_before_screening))
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert result.exit_code == 0, result.output
    assert "1 between reviewers" in result.output and "prisma " in result.output
    assert reads == {"log": 1, "duplicates": 1, "removals": 1}


def test_status_reads_the_decision_log_without_its_json(workspace):
    # At 20,000 records and 40,000 decisions, decoding every row's reasons and model_info was most of
    # `review status`'s 1.5 s: the log is read with only the columns the counts use.
    _two_reviewers_one_resolved(workspace, 6)
    with sql_statements() as statements:
        result = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert result.exit_code == 0, result.output
    assert "  conflicts            2 between reviewers, 1 resolved, 1 open" in result.output, result.output
    log_reads = [s for s in statements if "FROM screening_decisions" in s]
    assert log_reads and not [s for s in log_reads if "screening_decisions.reasons" in s], log_reads


def test_label_log_gives_the_conflicts_and_resolvers_the_whole_log_gives(workspace):
    # The lean read keeps the consensus reviewer's model_info: who resolved is the same as from whole rows.
    from review.screening.agreement import label_log, log_conflicts
    from review.services.screening import resolve_conflict

    ids = _records(workspace, 5)
    for record_id, (a, b) in zip(ids, [("include", "exclude"), ("exclude", "maybe"), ("include", "maybe")]):
        workspace.store.add_decision(record_id, "alice", a, model_info={"resolved_by": "not a resolution"})
        workspace.store.add_decision(record_id, "bob", b)
    resolve_conflict(workspace, ids[0], "include", "carol")
    resolve_conflict(workspace, ids[1], "exclude", "dave")
    workspace.store.add_decision(ids[1], "bob", "include")  # the resolution made before this change is reopened
    workspace.store.undo_latest("alice", record_id=ids[2])
    lean = label_log(workspace.store)
    whole = workspace.store.decisions()
    assert [(d.id, d.record_id, d.reviewer, d.label, d.undoes_id) for d in lean] == \
        [(d.id, d.record_id, d.reviewer, d.label, d.undoes_id) for d in whole]
    assert log_conflicts(lean) == log_conflicts(whole)
    resolvers = {c.record_id: c.resolved_by for c in log_conflicts(lean)[1].listed}
    assert resolvers == {ids[0]: "carol", ids[1]: "dave"}
    assert all(not d.model_info for d in lean if d.reviewer != "consensus")


def test_the_agreement_report_reads_the_decision_log_without_its_json(workspace):
    # The conflicts list, review export agreement and the conflicts screen read every decision whole (0.68 s CPU
    # at 40,000 decisions, 0.34 s without the JSON); who resolved still comes from the consensus rows.
    from review.services.screening import agreement_report

    ids = _two_reviewers_one_resolved(workspace, 4)
    with sql_statements() as statements:
        report = agreement_report(workspace)
    assert [(c.record_id, c.resolution, c.resolved_by) for c in report.conflicts] == \
        [(ids[0], "include", "carol"), (ids[1], None, None)]
    log_reads = [s for s in statements if "FROM screening_decisions" in s]
    assert log_reads and not [s for s in log_reads if "screening_decisions.reasons" in s], log_reads


def test_the_dashboard_curve_reads_the_reviewers_labels_in_order_without_the_json(workspace):
    # The inclusions curve read the reviewer's decisions whole (0.27 s CPU at 20,000 of them, 0.08 s without).
    from review.services.screening import labels_in_order

    ids = _records(workspace, 4)
    workspace.store.add_decision(ids[2], "alice", "include")
    workspace.store.add_decision(ids[0], "alice", "exclude", reasons=("wrong population",))
    workspace.store.add_decision(ids[1], "bob", "include")
    workspace.store.add_decision(ids[1], "alice", "include")
    workspace.store.add_decision(ids[3], "alice", "include")
    workspace.store.undo_latest("alice")  # ids[3] undone
    workspace.store.add_decision(ids[2], "alice", "maybe")  # changed: now in force after ids[1]'s
    whole = sorted(workspace.store.current_decisions(reviewer="alice").values(), key=lambda d: d.id)
    with sql_statements() as statements:
        lean = labels_in_order(workspace, "alice")
    assert lean == [(d.record_id, d.label) for d in whole] == [(ids[0], "exclude"), (ids[1], "include"),
                                                                (ids[2], "maybe")]
    assert statements and not [s for s in statements if "screening_decisions.reasons" in s], statements


def test_status_stopping_finds_its_reviewers_without_the_json(workspace):
    # `review status --stopping` listed the reviewers from the whole log (0.45 s CPU at 40,000 decisions, 0.13 s).
    ids = _records(workspace, 4)
    workspace.store.add_decision(ids[0], "alice", "exclude", reasons=("wrong population",))
    workspace.store.add_decision(ids[1], "bob", "include")
    with sql_statements() as statements:
        result = CliRunner().invoke(main, ["-w", str(workspace.root), "status", "--stopping"])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines() if line.startswith("stopping   ")] == \
        ["stopping   alice", "stopping   bob"]
    log_reads = [s for s in statements if "FROM screening_decisions" in s]
    assert log_reads and not [s for s in log_reads if "screening_decisions.reasons" in s], log_reads


def test_the_records_screens_labels_are_read_without_the_json(workspace):
    # The records screen (5) took its labels from every decision read whole (0.49 s CPU at 40,000 decisions, 0.16 s).
    from review.services.screening import current_labels, resolve_conflict

    ids = _records(workspace, 3)
    workspace.store.add_decision(ids[0], "alice", "exclude", reasons=("wrong population",))
    workspace.store.add_decision(ids[0], "bob", "include")
    workspace.store.add_decision(ids[1], "alice", "include")
    workspace.store.undo_latest("alice")
    resolve_conflict(workspace, ids[0], "include", "carol")
    with sql_statements() as statements:
        labels = current_labels(workspace)
    assert labels == {key: d.label for key, d in workspace.store.current_decisions().items()} == {
        (ids[0], "alice"): "exclude", (ids[0], "bob"): "include", (ids[0], "consensus"): "include"}
    assert statements and not [s for s in statements if "screening_decisions.reasons" in s], statements


def test_the_known_reviewers_are_read_without_the_json(workspace):
    # The browser's reviewer filter read every decision whole (0.48 s CPU at 40,000 decisions).
    from review.services.screening import known_reviewers, resolve_conflict

    ids = _records(workspace, 3)
    workspace.store.add_decision(ids[0], "erin", "include")
    workspace.store.undo_latest("erin")  # erin's only decision undone: not a known reviewer
    workspace.store.add_decision(ids[1], "dan", "exclude", reasons=("wrong population",))
    workspace.store.add_decision(ids[0], "alice", "exclude", reasons=("wrong population",))
    workspace.store.add_decision(ids[0], "carol", "include")
    workspace.store.add_decision(ids[2], "dan", "maybe")
    resolve_conflict(workspace, ids[0], "include", "frank")
    whole = list(workspace.config.reviewers)
    for _, reviewer in workspace.store.current_decisions():  # the whole rows' answer, as it was read
        if reviewer not in whole and reviewer != "consensus":
            whole.append(reviewer)
    with sql_statements() as statements:
        names = known_reviewers(workspace, "gina")
    assert names == [*whole, "gina"] == [*workspace.config.reviewers, "dan", "carol", "gina"], names
    assert statements and not [s for s in statements if "screening_decisions.reasons" in s], statements


def test_the_blind_fulltext_queue_reads_the_reviewers_labels_without_the_json(workspace):
    # A blind reviewer's full-text queue kept the reports they sent on from their decisions read whole (0.25 s CPU
    # of the queue's 0.32 at 20,000 of them, 0.10 s without the JSON).
    from review.prisma.queue import OWN_PASSING_LABELS, fulltext_queue
    from review.services.screening import resolve_conflict
    from review.store.fulltext import current_screening_labels

    ids = _records(workspace, 6)
    for record_id, label in zip(ids[:4], ["include", "exclude", "maybe", "include"]):
        workspace.store.add_decision(record_id, "alice", label, reasons=("wrong population",) * (label == "exclude"))
    workspace.store.undo_latest("alice")  # ids[3] undone: alice sent it on no more
    workspace.store.add_decision(ids[4], "alice", "exclude", reasons=("wrong population",))
    workspace.store.add_decision(ids[4], "alice", "include")  # changed mind
    for record_id, label in [(ids[1], "include"), (ids[5], "include"), (ids[0], "exclude"), (ids[3], "maybe")]:
        workspace.store.add_decision(record_id, "bob", label)
    resolve_conflict(workspace, ids[0], "include", "carol")
    statements: list[str] = []
    queues = {}
    for reviewer in ("alice", "bob"):
        whole = {record_id for (record_id, _), d in workspace.store.current_decisions(reviewer=reviewer).items()
                 if d.label in OWN_PASSING_LABELS}
        lean = {record_id for (record_id, _), label in current_screening_labels(workspace.store,
                                                                                reviewer=reviewer).items()
                if label in OWN_PASSING_LABELS}
        assert lean == whole, reviewer
        with sql_statements() as run:
            queues[reviewer] = [item.record_id for item in fulltext_queue(workspace, blind_for=reviewer)]
        statements += run
    assert queues == {"alice": [ids[0], ids[2], ids[4]], "bob": [ids[1], ids[3], ids[5]]}, queues
    assert [item.record_id for item in fulltext_queue(workspace)] == [ids[0], ids[1], ids[2], ids[3], ids[4],
                                                                     ids[5]]
    log_reads = [s for s in statements if "FROM screening_decisions" in s]
    assert log_reads and not [s for s in log_reads if "screening_decisions.reasons" in s], log_reads
