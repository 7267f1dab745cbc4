"""Workspace mode: stored runs, stable re-runs, human decisions, undo, later imports."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from review.cli import main
from review.dedup.run import run_dedup
from review.errors import ReviewError
from review.records import Record
from review.dedup import decisions
from review.dedup.cluster import choose_canonical
from review.store import dedup as dedup_store
from review.workspace import Workspace

from .helpers import ARTICLE, borderline_copies, import_records, imported_borderline_copies, record


def _other(n: int) -> Record:
    return record(title=f"An unrelated study number {n} of pleural effusion in thoracic surgery patients",
                  authors=[f"Other{n}, A."], doi=f"10.1000/other.{n}", pages=f"{100 + n}-{110 + n}",
                  journal="Chest", volume=str(n))


def test_run_stores_clusters_and_is_stable(workspace: Workspace) -> None:
    ids = import_records(workspace, [record(), record(doi="", abstract=""), _other(1), _other(2)], "a.csv")
    first = run_dedup(workspace)
    store = workspace.store
    assert dedup_store.clusters(store) == {ids[0]: [ids[0], ids[1]]}
    assert decisions.duplicate_ids(store) == {ids[1]}
    assert first.n_changed > 0 and first.n_clusters == 1
    log_size = len(dedup_store.pair_log(store))
    again = run_dedup(workspace)
    assert again.n_changed == 0
    assert len(dedup_store.pair_log(store)) == log_size
    assert dedup_store.clusters(store) == {ids[0]: [ids[0], ids[1]]}
    [detail] = dedup_store.cluster_details(store)
    assert "richest of 2 records" in detail["explanation"]
    merged, provenance = decisions.merged_record(store, ids[0])
    assert merged.doi and merged.abstract and provenance == f"record {ids[0]}"
    # walk24: the first run said "changed verdicts   5" with nothing to have changed from.
    assert f"verdicts recorded  {first.n_changed} (the first run: every verdict is new)" in first.lines()
    assert "changed verdicts   0" in again.lines()  # (benchmarks/dedup_large.py reads this line of a re-run)


def test_later_import_joins_the_existing_cluster(workspace: Workspace) -> None:
    first_ids = import_records(workspace, [record(abstract=""), record(doi="", abstract="")], "search1.csv")
    run_dedup(workspace)
    [later] = import_records(workspace, [record(authors=["Tashiro Y", "Sato K", "Watanabe T", "Nohtomi K"])],
                      "update.csv")
    run_dedup(workspace)
    clusters = dedup_store.clusters(workspace.store)
    assert list(clusters.values()) == [sorted([*first_ids, later])]
    # The new record has the abstract, so it becomes the canonical one.
    assert list(clusters) == [later]


def test_borderline_pairs_show_both_records_and_differences(workspace: Workspace) -> None:
    a, b = import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    summary = run_dedup(workspace)
    assert summary.n_pending_review == 1
    [pair] = decisions.borderline_pairs(workspace.store)
    assert (pair.left.id, pair.right.id) == (a, b)
    fields = {f.name: f for f in pair.fields}
    assert not fields["pages"].same and fields["title"].same
    assert fields["title"].similarity == 100.0
    assert "pages -3" in pair.explanation


def test_decide_same_merges_and_different_keeps_apart(workspace: Workspace) -> None:
    a, b = import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    store = workspace.store
    decisions.decide_pair(store, b, a, "same", "alice")
    assert dedup_store.clusters(store) == {a: [a, b]}
    assert decisions.borderline_pairs(store) == []
    decisions.decide_pair(store, a, b, "different", "bob")
    assert dedup_store.clusters(store) == {}
    # Human verdicts survive a re-run.
    run_dedup(workspace)
    assert dedup_store.clusters(store) == {}
    assert decisions.borderline_pairs(store) == []


def test_skip_keeps_the_pair_pending_at_the_back(workspace: Workspace) -> None:
    # Three copies of one report: three pairs to ask. (With one pair, "at the back" was not checked.)
    import_records(workspace, borderline_copies("678-684", "686-692", "694-700"), "b.csv")
    run_dedup(workspace)
    pairs = [(p.left.id, p.right.id) for p in decisions.borderline_pairs(workspace.store)]
    assert len(pairs) == 3
    decisions.decide_pair(workspace.store, *pairs[0], "skip", "alice")
    again = decisions.borderline_pairs(workspace.store)
    assert [(p.left.id, p.right.id) for p in again] == [*pairs[1:], pairs[0]]  # still pending, asked last
    assert [p.skipped for p in again] == [False, False, True]


def test_undo_merge_splits_and_a_rerun_does_not_remerge(workspace: Workspace) -> None:
    ids = import_records(workspace, [record(), record(doi=""), record(abstract="")], "c.csv")
    run_dedup(workspace)
    store = workspace.store
    assert dedup_store.clusters(store) == {ids[0]: ids}
    log_before = len(dedup_store.pair_log(store))
    assert decisions.canonical_of(store) == {ids[1]: ids[0], ids[2]: ids[0]}
    apart = decisions.undo_merge(store, ids[2], "alice", detach_only=True)
    assert apart == [ids[2]]
    assert dedup_store.clusters(store) == {ids[0]: ids[:2]}
    assert decisions.canonical_of(store) == {ids[1]: ids[0]} and decisions.duplicate_ids(store) == {ids[1]}
    decisions.undo_merge(store, ids[0], "alice")
    assert dedup_store.clusters(store) == {}
    assert decisions.duplicate_ids(store) == set()
    run_dedup(workspace)
    assert dedup_store.clusters(store) == {}
    # Nothing was deleted: the log only grew, and all records are still there.
    assert len(dedup_store.pair_log(store)) > log_before
    assert len(store.records()) == 3


def test_undo_decision_falls_back_to_the_automatic_verdict(workspace: Workspace) -> None:
    a, b = import_records(workspace, [record(), record(doi="")], "d.csv")
    run_dedup(workspace)
    store = workspace.store
    decision = decisions.decide_pair(store, a, b, "different", "alice")
    assert dedup_store.clusters(store) == {}
    decisions.undo_decision(store, decision.row_id, "alice")
    assert dedup_store.clusters(store) == {a: [a, b]}
    with pytest.raises(ReviewError):
        decisions.undo_decision(store, decision.row_id + 1000, "alice")


def test_decide_pair_validates(workspace: Workspace) -> None:
    a, b = import_records(workspace, [record(), _other(1)], "e.csv")
    with pytest.raises(ReviewError):
        decisions.decide_pair(workspace.store, a, b, "maybe", "alice")
    with pytest.raises(ReviewError):
        decisions.decide_pair(workspace.store, a, a, "same", "alice")
    with pytest.raises(ReviewError):
        decisions.decide_pair(workspace.store, a, 9999, "same", "alice")
    with pytest.raises(ReviewError):
        decisions.undo_merge(workspace.store, a, "alice")


def test_pair_log_is_append_only(workspace: Workspace) -> None:
    a, b = import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    store = workspace.store
    before = dedup_store.pair_log(store)
    decisions.decide_pair(store, a, b, "same", "alice")
    decisions.undo_merge(store, a, "alice")
    after = dedup_store.pair_log(store)
    assert after[: len(before)] == before
    with store.engine.connect() as conn:
        verdicts = [r for (r,) in conn.execute(sa.select(dedup_store.dedup_pairs_table.c.verdict))]
    assert verdicts[-2:] == ["same", "different"]


def test_review_and_clusters_before_any_dedup_run_say_so(workspace: Workspace) -> None:
    # --review said 'no borderline pairs left to review' and --clusters listed nothing, as if all were done.
    import_records(workspace, [*borderline_copies("678-684", "686-692")], "f.csv")
    ws = ["--workspace", str(workspace.root)]
    review = CliRunner().invoke(main, [*ws, "dedup", "--review"], input="q\n")
    assert review.exit_code == 1 and review.stdout == ""
    assert review.stderr == "review: dedup has not run on this workspace yet: run review dedup first\n"
    listing = CliRunner().invoke(main, [*ws, "dedup", "--clusters"])
    assert listing.exit_code == 0 and listing.stdout == "canonical_id\tmembers\texplanation\n"
    assert "dedup has not run" in listing.stderr


def test_cli_workspace_run_review_and_status(workspace: Workspace) -> None:
    import_records(workspace, [*borderline_copies("678-684", "686-692"), record(), record(doi="")], "f.csv")
    runner = CliRunner()
    ws = ["--workspace", str(workspace.root)]
    result = runner.invoke(main, [*ws, "dedup"])
    assert result.exit_code == 0, result.output
    assert "borderline pairs   1 (1 waiting for review)" in result.stdout
    result = runner.invoke(main, [*ws, "--reviewer", "bob", "dedup", "--review"], input="x\ns\n")
    assert result.exit_code == 0, result.output
    assert "[s]ame" in result.stdout and "no borderline pairs left" in result.stdout
    assert len(dedup_store.clusters(Workspace(workspace.root).store)) == 2
    last = dedup_store.pair_log(Workspace(workspace.root).store)[-1]
    assert (last["verdict"], last["reviewer"]) == ("same", "bob")
    result = runner.invoke(main, [*ws, "dedup", "--clusters"])
    assert result.stdout.startswith("canonical_id\tmembers\texplanation")
    result = runner.invoke(main, [*ws, "status"])
    assert "dedup      2 clusters" in result.stdout and "since the last run" not in result.stdout
    # An import after the run (a search update): status says those records wait for dedup.
    import_records(workspace, [record(doi="")], "later.csv")
    (line,) = [x for x in runner.invoke(main, [*ws, "status"]).stdout.splitlines() if x.startswith("dedup ")]
    assert line.endswith("; 1 record imported since the last run is not deduplicated yet (review dedup)")
    result = runner.invoke(main, [*ws, "dedup", "--undo-merge", "1"])
    assert result.exit_code == 0 and "split apart" in result.stdout
    unknown = runner.invoke(main, [*ws, "dedup", "--undo-merge", "999"])
    assert unknown.exit_code == 1 and unknown.stderr == "review: record 999: not in this workspace; nothing recorded\n"


def test_cli_stray_or_clashing_flags_are_refused_not_a_full_run(workspace: Workspace) -> None:
    ws = ["--workspace", str(workspace.root)]
    for args, message in ((["--detach"], "--detach goes with --undo-merge"),
                          (["--review", "--clusters"], "--clusters and --review: one at a time")):
        result = CliRunner().invoke(main, [*ws, "dedup", *args])
        (line,) = result.output.splitlines()
        assert result.exit_code == 2 and line.startswith(f"review: dedup: {message}")  # a command-line mistake
    assert dedup_store.runs(workspace.store) == []  # nothing ran


def test_cli_review_quits_without_deciding(workspace: Workspace) -> None:
    import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "dedup", "--review"], input="q\n")
    assert result.exit_code == 0 and "stopped (0 decided" in result.stdout
    assert len(decisions.borderline_pairs(workspace.store)) == 1


def test_a_reviewers_same_beats_automatic_verdicts(workspace: Workspace) -> None:
    original = record()
    erratum = record(title=f"Erratum: {original.title}", doi="10.1016/j.peptides.2014.05.001")
    a, b = import_records(workspace, [original, erratum], "g.csv")
    run_dedup(workspace)
    assert dedup_store.clusters(workspace.store) == {}
    decisions.decide_pair(workspace.store, a, b, "same", "alice")
    assert sorted(next(iter(dedup_store.clusters(workspace.store).values()))) == [a, b]
    run_dedup(workspace)
    assert len(dedup_store.clusters(workspace.store)) == 1


def test_one_question_per_pair_of_clusters(workspace: Workspace) -> None:
    title = "Phase I trial of ATRA-IV and depakote in patients with advanced solid tumor malignancies"
    copies = [record(title=title, pages="678-684", doi="", abstract="", authors=["Tashiro, Y."]),
              record(title=title, pages="678-684", doi="", abstract="", authors=["Tashiro Y", "Sato K"]),
              record(title=title, pages="686-692", doi="", abstract="", authors=["Tashiro, Y."])]
    a, b, c = import_records(workspace, copies, "h.csv")
    run_dedup(workspace)
    store = workspace.store
    assert list(dedup_store.clusters(store).values()) == [[a, b]]
    [pair] = decisions.borderline_pairs(store)  # c against the {a, b} cluster: asked once
    assert pair.right.id == c
    # The reviewer sees that "same" would join c to both (nothing said the left side was merged).
    other = b if pair.left.id == a else a
    assert (pair.left_merged, pair.right_merged) == ((other,), ())
    assert pair.merged_lines() == [f"#{pair.left.id} is merged with #{other}"]
    decisions.decide_pair(store, pair.left.id, c, "different", "alice")
    assert decisions.borderline_pairs(store) == []


def test_a_screened_record_stays_canonical_when_a_richer_copy_arrives(workspace: Workspace) -> None:
    # A search update brought a richer copy of a record already screened; the richer copy became
    # canonical, so the inclusion sat on a duplicate set aside and the copy waited to be screened again.
    store = workspace.store
    poor = dict(doi="", abstract="", authors=["Tashiro, Y."])
    other_title = "Exendin-4 reduces atherosclerotic lesions in apolipoprotein E knockout mice"
    screened, undone = import_records(workspace, [record(**poor), record(title=other_title, **poor)], "a.csv")
    run_dedup(workspace)
    store.add_decision(screened, "alice", "include")
    store.add_decision(undone, "bob", "exclude")
    store.undo_last("bob")
    richer, richer_other = import_records(workspace, [record(), record(title=other_title, doi="10.1000/x")], "update.csv")
    run_dedup(workspace)
    clusters = dedup_store.clusters(store)
    assert clusters[screened] == [screened, richer]
    assert decisions.duplicate_ids(store) == {richer, undone}
    # An undone decision is no decision: the richest copy is shown, as without any.
    assert clusters[richer_other] == [undone, richer_other]
    [detail] = [d for d in dedup_store.cluster_details(store) if d["canonical_id"] == screened]
    assert detail["explanation"].startswith("the record with screening or full-text decisions of 2 records")
    status = CliRunner().invoke(main, ["--workspace", str(workspace.root), "status"]).stdout
    assert "alice                screened 1 = 1 included" in status


def test_undo_merge_names_the_records_back_in_the_screening_queue(workspace: Workspace) -> None:
    # 'split apart: 1, 2' left unsaid that record 2 now waits to be screened while record 1 keeps
    # its inclusion; an unknown id is refused inside the split's own transaction, for every caller.
    screened, copy = import_records(workspace, [record(), record(doi="")], "a.csv")
    run_dedup(workspace)
    workspace.store.add_decision(screened, "alice", "include")
    with pytest.raises(ReviewError, match="^record 999: not in this workspace; nothing recorded$"):
        decisions.undo_merge(workspace.store, 999, "alice")
    ws = ["--workspace", str(workspace.root)]
    result = CliRunner().invoke(main, [*ws, "dedup", "--undo-merge", str(screened)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"split apart: {screened}, {copy}\nback in the screening queue: {copy}\n"
    again = CliRunner().invoke(main, [*ws, "dedup", "--undo-merge", str(screened)])
    assert again.exit_code == 1 and again.stderr == f"review: record {screened}: not in a merged cluster\n"


def test_a_same_that_an_earlier_different_keeps_apart_is_refused(workspace: Workspace) -> None:
    # Two reviewers: alice merged a and b and called the cluster different from c; bob's later
    # "same" on b and c was stored and had no effect, with nothing saying so.
    a, b, c = imported_borderline_copies(workspace, "678-684", "686-692", "694-700")
    store = workspace.store
    decisions.decide_pair(store, a, b, "same", "alice")
    decisions.decide_pair(store, a, c, "different", "alice")
    log = dedup_store.pair_log(store)
    with pytest.raises(ReviewError, match=rf"^records {b}, {c}: not merged, records {a} and {c} were called "
                                          rf"different by alice .*; nothing recorded$"):
        decisions.decide_pair(store, c, b, "same", "bob")
    assert dedup_store.pair_log(store) == log and dedup_store.clusters(store) == {a: [a, b]}
    # The same pair's own "different" is simply overruled by a later "same" on it.
    decisions.decide_pair(store, a, c, "same", "alice")
    assert dedup_store.clusters(store) == {a: [a, b, c]}


def test_of_two_conflicting_sames_the_earlier_stands(workspace: Workspace) -> None:
    # The "same" verdicts were applied in record-id order: alice's later same(a, b) took the place of
    # bob's earlier same(b, c) (which bob's different(a, c) then kept apart) and it was not refused.
    a, b, c = imported_borderline_copies(workspace, "678-684", "686-692", "694-700")
    store = workspace.store
    decisions.decide_pair(store, b, c, "same", "bob")
    decisions.decide_pair(store, a, c, "different", "bob")
    with pytest.raises(ReviewError, match=f"^records {a}, {b}: not merged, records {a} and {c} were called different by bob"):
        decisions.decide_pair(store, a, b, "same", "alice")
    assert dedup_store.clusters(store) == {b: [b, c]} or dedup_store.clusters(store) == {c: [b, c]}


def test_a_different_on_records_a_same_joined_is_refused_naming_that_same(workspace: Workspace) -> None:
    # bob's list was loaded before alice merged a-b and b-c: his "different" on a-c was applied before
    # every "same", so alice's b-c was silently void and no pair was offered again.
    a, b, c = imported_borderline_copies(workspace, "678-684", "686-692", "694-700")
    store = workspace.store
    decisions.decide_pair(store, a, b, "same", "alice")
    decisions.decide_pair(store, b, c, "same", "alice")
    log = dedup_store.pair_log(store)
    with pytest.raises(ReviewError, match=rf"^records {a}, {c}: already merged, records {b} and {c} were called the "
                                          rf"same by alice .*review dedup --undo-merge {a} first; nothing recorded$"):
        decisions.decide_pair(store, c, a, "different", "bob")
    assert dedup_store.pair_log(store) == log and dedup_store.clusters(store) == {a: [a, b, c]}
    # A pair's own "same" is overruled by a "different" on it (the cluster splits where it was joined).
    decisions.decide_pair(store, b, c, "different", "bob")
    assert dedup_store.clusters(store) == {a: [a, b]}


def test_a_same_on_two_decided_records_names_the_one_it_sets_aside(workspace: Workspace) -> None:
    # "review dedup" names decided records it sets aside; a "same" in the review said only
    # "no borderline pairs left", with bob's exclusion set aside with its record.
    a, b = import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    workspace.store.add_decision(a, "alice", "include")
    workspace.store.add_decision(b, "bob", "exclude")
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "dedup", "--review"], input="s\n")
    assert result.exit_code == 0, result.output
    [aside] = decisions.duplicate_ids(workspace.store)
    assert (f"decided records    1 set aside as duplicates with their screening or full-text decisions ({aside}): "
            "their cluster's canonical record carries its own; review dedup --clusters\n") in result.stdout
    # A "same" that sets aside only an undecided record says nothing more.
    c, d = import_records(workspace, [record(title="Exendin-4 reduces atherosclerotic lesions in knockout mice fed a "
                                             "western diet", pages=pages, doi="", abstract="",
                                      authors=["Tashiro, Y."]) for pages in ("1-8", "9-16")], "c.csv")
    workspace.store.add_decision(c, "alice", "include")
    assert decisions.decide_pair(workspace.store, c, d, "same", "alice").decided_set_aside == ()


def test_a_kept_cluster_chooses_again_when_only_a_set_aside_member_carries_decisions(workspace: Workspace) -> None:
    # A copy screened after it was set aside (or a cluster built before decided records stayed
    # canonical) kept its undecided canonical: the re-run said "their cluster's canonical record
    # carries its own", which was false, and PRISMA counted bob's decision on a duplicate.
    from review.prisma.counts import prisma_counts

    rich, poor = import_records(workspace, [record(), record(doi="", abstract="")], "a.csv")
    run_dedup(workspace)
    assert dedup_store.clusters(workspace.store) == {rich: [rich, poor]}
    workspace.store.add_decision(poor, "bob", "include")
    assert prisma_counts(workspace).n("records_screened") == 0
    summary = run_dedup(workspace)
    assert summary.decided_set_aside == () and not summary.lines()[-1].startswith("decided records")
    assert dedup_store.clusters(workspace.store) == {poor: [rich, poor]}
    [detail] = dedup_store.cluster_details(workspace.store)
    assert detail["explanation"].startswith("the record with screening or full-text decisions of 2 records")
    counts = prisma_counts(workspace)
    assert set(counts.boxes["records_screened"]) == {poor} and set(counts.boxes["duplicates"]) == {rich}
    # Both decided: the canonical keeps its place, and the line names the other.
    workspace.store.add_decision(rich, "alice", "exclude")
    assert run_dedup(workspace).decided_set_aside == (rich,)
    assert dedup_store.clusters(workspace.store) == {poor: [rich, poor]}
    assert prisma_counts(workspace).n("duplicates") == 1


def test_records_with_decisions_leave_out_undone_decisions_and_events(workspace: Workspace) -> None:
    from review.store.fulltext import add_fulltext_event, undo_last_fulltext_event

    a, b, c, d = import_records(workspace, [_other(n) for n in range(4)], "o.csv")
    store = workspace.store
    store.add_decision(a, "alice", "include")
    store.add_decision(b, "alice", "exclude")
    store.undo_last("alice")  # b's exclusion
    add_fulltext_event(store, c, "bob", "sought")
    add_fulltext_event(store, d, "bob", "sought")
    undo_fulltext = undo_last_fulltext_event(store, "bob")  # d's
    assert undo_fulltext is not None and undo_fulltext.record_id == d
    with store.connect() as conn:
        assert dedup_store.records_with_decisions(conn, [a, b, c, d]) == {a, c}
        assert dedup_store.records_with_decisions(conn, [b, d]) == set()


def test_cli_review_says_a_skipped_pair_still_waits(workspace: Workspace) -> None:
    """walk20 skipped its one pair: '--review' ended 'no borderline pairs left to review (0 decided this session)'
    while review status still counted it to review."""
    import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    ws = ["--workspace", str(workspace.root)]
    skipped = CliRunner().invoke(main, [*ws, "dedup", "--review"], input="k\n")
    assert skipped.exit_code == 0, skipped.output
    assert skipped.stdout.rstrip().endswith("no more borderline pairs this session (0 decided; 1 pair skipped, still "
                                            "to review: review dedup --review shows it again)"), skipped.stdout
    decided = CliRunner().invoke(main, [*ws, "dedup", "--review"], input="d\n")
    assert decided.stdout.rstrip().endswith("no borderline pairs left to review (1 decided this session)")


def test_cli_review_undoes_the_sessions_last_verdict(workspace: Workspace) -> None:
    # The TUI had u; the terminal review had no way back from a mistaken s but --undo-merge,
    # which calls every pair of the cluster different.
    other = "Exendin-4 reduces atherosclerotic lesions in apolipoprotein E knockout mice fed a western diet"
    import_records(workspace, [*borderline_copies("678-684", "686-692"), *(record(title=other, pages=pages, doi="", abstract="",
                                                      authors=["Tashiro, Y."]) for pages in ("1-8", "9-16"))], "b.csv")
    run_dedup(workspace)
    ws = ["--workspace", str(workspace.root)]
    result = CliRunner().invoke(main, [*ws, "dedup", "--review"], input="u\ns\nu\nd\nd\n")
    assert result.exit_code == 0, result.output
    assert "nothing to undo in this session" in result.stdout and "undid 'same'" in result.stdout
    assert "no borderline pairs left to review (2 decided this session)" in result.stdout
    human = [r["verdict"] for r in dedup_store.pair_log(workspace.store) if r["origin"] == "human"]
    assert human == ["same", "undo", "different", "different"]
    assert dedup_store.clusters(workspace.store) == {}


def test_cli_review_offers_to_undo_the_last_verdict_before_it_ends(workspace: Workspace,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The session ended on the last pair's answer, so u could take back any verdict but the last.
    import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    ws = ["--workspace", str(workspace.root)]
    keys = iter(["s", "x", "u", "d", "\r"])  # from a terminal: another key asks again
    monkeypatch.setattr("review.cli.dedup._interactive", lambda: True)
    monkeypatch.setattr("review.cli.dedup.click.getchar", lambda: next(keys))
    result = CliRunner().invoke(main, [*ws, "dedup", "--review"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    offer = "all pairs answered: u takes back the last, q or enter finishes > "
    assert lines[-1] == "no borderline pairs left to review (1 decided this session)"
    assert [line for line in lines if line.startswith(offer)] == [offer + "x", offer + "u", offer]
    assert "keys: u q enter" in lines and "undid 'same'" in lines
    assert result.stdout.count("1 pair to review") == 2  # the undone pair was asked again
    human = [r["verdict"] for r in dedup_store.pair_log(workspace.store) if r["origin"] == "human"]
    assert human == ["same", "undo", "different"] and dedup_store.clusters(workspace.store) == {}
    monkeypatch.undo()
    # A session that answered nothing ends without the offer.
    nothing_left = CliRunner().invoke(main, [*ws, "dedup", "--review"], input="u\n")
    assert nothing_left.stdout == "no borderline pairs left to review (0 decided this session)\n"


def test_cli_review_ctrl_d_at_a_terminal_ends_the_session_as_q_does(workspace: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # click.getchar raises EOFError on Ctrl-D: a traceback at the pair's prompt and at the last-pair offer.
    import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    ws = ["--workspace", str(workspace.root)]
    monkeypatch.setattr("review.cli.dedup._interactive", lambda: True)

    def keys(*pressed: str) -> Callable[[], str]:
        queue = list(pressed)

        def getchar() -> str:
            if not queue:
                raise EOFError
            return queue.pop(0)
        return getchar

    monkeypatch.setattr("review.cli.dedup.click.getchar", keys())
    at_pair = CliRunner().invoke(main, [*ws, "dedup", "--review"])
    assert at_pair.exit_code == 0, at_pair.output
    assert at_pair.stdout.splitlines()[-1] == "stopped (0 decided this session)"
    monkeypatch.setattr("review.cli.dedup.click.getchar", keys("d"))
    at_offer = CliRunner().invoke(main, [*ws, "dedup", "--review"])
    assert at_offer.exit_code == 0, at_offer.output
    assert at_offer.stdout.splitlines()[-1] == "no borderline pairs left to review (1 decided this session)"
    human = [r["verdict"] for r in dedup_store.pair_log(workspace.store) if r["origin"] == "human"]
    assert human == ["different"]


def test_cli_review_from_a_pipe_ends_after_the_last_pair_on_any_other_key(workspace: Workspace) -> None:
    # `yes d | review dedup --review`: the offer after the last pair asked again for each 'd' (999 times for 1,000
    # lines), so the session never ended; u, q and enter still work from a pipe.
    import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    ws = ["--workspace", str(workspace.root)]
    result = CliRunner().invoke(main, [*ws, "dedup", "--review"], input="s\nu\n" + "d\n" * 1000)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    offer = "all pairs answered: u takes back the last, q or enter finishes > "
    assert [line for line in lines if line.startswith(offer)] == [offer + "u", offer + "d"]
    assert lines[-2:] == ["keys: u q enter; the input is no terminal, so the session ends here",
                          "no borderline pairs left to review (1 decided this session)"]
    human = [r["verdict"] for r in dedup_store.pair_log(workspace.store) if r["origin"] == "human"]
    assert human == ["same", "undo", "different"]


def test_cli_review_undo_on_a_busy_store_keeps_the_verdict_to_undo_again(workspace: Workspace,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # u popped the session's history before the undo: a busy store ended the session (exit 7)
    # with the entry gone, so the "same" could no longer be taken back from the review.
    from store_lock import shorten_busy_wait, write_lock_held

    from review.cli import dedup as cli_dedup

    other = "Exendin-4 reduces atherosclerotic lesions in apolipoprotein E knockout mice fed a western diet"
    import_records(workspace, [*borderline_copies("678-684", "686-692"), *(record(title=other, pages=pages, doi="", abstract="",
                                                      authors=["Tashiro, Y."]) for pages in ("1-8", "9-16"))], "b.csv")
    run_dedup(workspace)
    shorten_busy_wait(monkeypatch, workspace)
    held = write_lock_held(workspace)
    keys = iter(["s", "u", "u", "q"])
    pressed: list[str] = []

    def read_key() -> str:
        if len(pressed) == 1:
            held.__enter__()  # another process writes while the first u is pressed
        elif len(pressed) == 2:
            held.__exit__(None, None, None)
        pressed.append(next(keys))
        return pressed[-1]

    monkeypatch.setattr(cli_dedup, "_read_key", read_key)
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "dedup", "--review"])
    assert result.exit_code == 0, result.output
    assert "store is busy" in result.stderr and "undid 'same'" in result.stdout
    assert [r["verdict"] for r in dedup_store.pair_log(workspace.store) if r["origin"] == "human"] == ["same", "undo"]
    assert dedup_store.clusters(workspace.store) == {}


def test_cli_review_asks_again_a_pair_whose_verdict_was_refused(workspace: Workspace,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # A verdict the store refused (busy) passed the pair over for the session, and its end line counted it as
    # "1 pair skipped" though k was never pressed.
    from store_lock import shorten_busy_wait, write_lock_held

    from review.cli import dedup as cli_dedup

    import_records(workspace, borderline_copies("678-684", "686-692"), "b.csv")
    run_dedup(workspace)
    shorten_busy_wait(monkeypatch, workspace)
    held = write_lock_held(workspace)
    keys = iter(["d", "d"])
    pressed: list[str] = []

    def read_key() -> str:
        if not pressed:
            held.__enter__()  # another process writes while the first d is pressed
        elif len(pressed) == 1:
            held.__exit__(None, None, None)
        pressed.append(next(keys, "q"))
        return pressed[-1]

    monkeypatch.setattr(cli_dedup, "_read_key", read_key)
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "dedup", "--review"])
    assert result.exit_code == 0, result.output
    assert "store is busy" in result.stderr and result.stdout.count("1 pair to review") == 2, result.output
    assert result.stdout.rstrip().endswith("no borderline pairs left to review (1 decided this session)")
    assert [r["verdict"] for r in dedup_store.pair_log(workspace.store) if r["origin"] == "human"] == ["different"]


def test_a_run_names_decided_records_it_sets_aside(workspace: Workspace) -> None:
    # alice screened one copy and bob the other before dedup ran: the merge set bob's decision aside
    # with its record, and nothing said so.
    a, b = import_records(workspace, [record(), record(doi="")], "a.csv")
    workspace.store.add_decision(a, "alice", "include")
    workspace.store.add_decision(b, "bob", "exclude")
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "dedup"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"decided records    1 set aside as duplicates with their screening or full-text decisions ({b}): "
        "their cluster's canonical record carries its own; review dedup --clusters")
    assert run_dedup(workspace).decided_set_aside == (b,)
    # The dashboard's "d" shows the merge lines and that line on one status line.
    from review.tui.actions import run_dedup as dashboard_dedup

    assert dashboard_dedup(workspace, "alice") == (
        "duplicate pairs 1 (merged automatically); borderline pairs 0 (0 waiting for review); clusters 1 (1 "
        f"duplicate records set aside); decided records 1 set aside as duplicates with their screening or full-text "
        f"decisions ({b}): their cluster's canonical record carries its own; review dedup --clusters")


def test_a_different_is_not_refused_for_a_same_that_another_different_already_voids(workspace: Workspace) -> None:
    # A log from before the refusals (or two sessions at once): same(a,b), same(c,d), different(a,c), then
    # same(b,d), which different(a,c) keeps from joining the clusters. A "different" on a-d voids no "same"
    # (a and d were never joined), so it is recorded; the refusal is found while the clusters are built,
    # and only a "same" the new "different" alone blocks counts.
    a, b, c, d = imported_borderline_copies(workspace, "678-684", "686-692", "694-700", "702-708")
    store = workspace.store
    from review.store.core import utcnow

    with store.transaction() as conn:
        for (x, y), verdict in (((a, b), "same"), ((c, d), "same"), ((a, c), "different"), ((b, d), "same")):
            dedup_store.append_pair(conn, dict(run_id=None, record_a=x, record_b=y, verdict=verdict, origin="human",
                                               reviewer="alice", score=None, detail={}, note="", created_at=utcnow(),
                                               undoes_id=None))
        decisions.rebuild_clusters(conn)
    assert sorted(map(sorted, dedup_store.clusters(store).values())) == [[a, b], [c, d]]
    decisions.decide_pair(store, a, d, "different", "bob")
    assert sorted(map(sorted, dedup_store.clusters(store).values())) == [[a, b], [c, d]]


def test_status_line_counts_agree_with_their_nouns(workspace: Workspace) -> None:
    # "1 borderline pairs to review": one pair waiting read as a plural.
    from review.dedup.status import dedup_status

    import_records(workspace, [*borderline_copies("678-684", "686-692")], "f.csv")
    run_dedup(workspace)
    line = dedup_status(workspace)[0]
    assert "1 borderline pair to review" in line and "0 duplicates set aside" in line, line
    assert "0 related records" in line and " 0 clusters," in line, line


def test_cli_review_offer_after_a_skipped_pair_says_it_was_skipped(workspace: Workspace) -> None:
    # The offer after the last pair said "all pairs answered" when one had been skipped (still open).
    other = "Exendin-4 reduces atherosclerotic lesions in apolipoprotein E knockout mice fed a western diet"
    import_records(workspace, [*borderline_copies("678-684", "686-692"), *(record(title=other, pages=pages, doi="", abstract="",
                                                      authors=["Tashiro, Y."]) for pages in ("1-8", "9-16"))], "b.csv")
    run_dedup(workspace)
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "dedup", "--review"], input="k\nd\n\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "all pairs answered or skipped (1 skipped): u takes back the last, q or enter finishes > " in lines
    assert not any(line.startswith("all pairs answered:") for line in lines)
    assert lines[-1].startswith("no more borderline pairs this session (1 decided; 1 pair skipped")


def test_the_run_summary_separates_thousands_as_review_status_does() -> None:
    """`review dedup` printed 'records            2261' and 'clusters 462 (508 duplicate records set aside)' beside
    `review status`'s '2,261 records' and `dedup FILE.csv`'s '1,988 records' (fresh31, on the demo)."""
    from review.dedup.run import RunSummary

    summary = RunSummary(run_id=1, n_records=2261, n_candidates=30583, n_duplicate_pairs=1554, n_borderline_pairs=6,
                         n_changed=1554, n_clusters=1462, n_duplicates_removed=1508, n_pending_review=6, seconds=0.93)
    lines = summary.lines()
    assert lines[:2] == ["records            2,261", "candidate pairs    30,583"]
    assert "clusters           1,462 (1,508 duplicate records set aside)" in lines
    assert summary.merge_lines()[0] == "duplicate pairs    1,554 (merged automatically)"


@pytest.mark.parametrize("whole_past", [0, 10_000], ids=["every decided record read once", "IN lists"])
def test_records_with_decisions_reads_the_same_either_way(workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                          whole_past: int) -> None:
    """Past ``_WHOLE_LOG_PAST`` ids the records decided on are read in one statement and kept if asked for (a verdict's
    rebuild asks of every clustered record); below it by IN lists: the same records, undone decisions and undos left
    out, full-text events counted."""
    from review.store.fulltext import add_fulltext_event, undo_last_fulltext_event

    monkeypatch.setattr(dedup_store, "_WHOLE_LOG_PAST", whole_past)
    ids = import_records(workspace, [_other(n) for n in range(6)], "six.csv")
    store = workspace.store
    store.add_decision(ids[0], "alice", "include")
    store.add_decision(ids[1], "alice", "exclude")
    store.undo_last("alice")  # ids[1]'s decision undone: not decided on
    add_fulltext_event(store, ids[2], "alice", "sought")
    add_fulltext_event(store, ids[3], "bob", "sought")
    undo_last_fulltext_event(store, "bob")
    store.add_decision(ids[5], "bob", "exclude")  # decided, not asked for
    with store.connect() as conn:
        assert dedup_store.records_with_decisions(conn, ids[:5]) == {ids[0], ids[2]}


def test_a_list_the_import_marked_cut_short_is_not_the_full_one_in_a_workspace(workspace: Workspace) -> None:
    """The canonical record of a workspace's cluster is chosen as ``review dedup FILE`` chooses it: a list the import
    marked ``authors_incomplete`` (its "et al" dropped) never counts as the full one. The workspace read the records
    without ``extra`` and kept the cut list of 4 as "4 authors" over the whole list of 3."""
    cut, whole = record(extra={"authors_incomplete": True}), record(authors=ARTICLE["authors"][:3])
    ids = import_records(workspace, [cut, whole], "cut.csv")
    run_dedup(workspace)
    [detail] = dedup_store.cluster_details(workspace.store)
    assert detail["canonical_id"] == ids[1]
    assert "3 authors" in detail["explanation"]
    assert choose_canonical([0, 1], [cut, whole])[0] == 1  # (as the engine's own choice)


def test_a_run_that_another_finished_before_it_saved_is_not_called_the_first(workspace: Workspace,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two `review dedup` at once (two reviewers, the walk of 2026-12-08, both engines): the one that saved second
    had looked for earlier runs before the other saved, and said 'verdicts recorded 0 (the first run: every
    verdict is new)' after the other's 2 verdicts. It is the first only if no run was saved before its own."""
    import review.dedup.run as run_module

    import_records(workspace, [record(), record(doi="", abstract=""), _other(1), _other(2)], "a.csv")
    real = run_module.deduplicate
    others: list[run_module.RunSummary] = []

    def another_run_saves_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not others:
            monkeypatch.setattr(run_module, "deduplicate", real)
            others.append(run_dedup(workspace))  # (another process, between this run's look and its save)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "deduplicate", another_run_saves_meanwhile)
    second = run_dedup(workspace)
    assert others[0].first_run and others[0].n_changed > 0
    assert not second.first_run and second.n_changed == 0
    assert "changed verdicts   0" in second.lines()


def test_a_rebuild_given_some_records_chooses_as_one_that_reads_them(workspace: Workspace) -> None:
    """``rebuild_clusters(records=…)`` (a run hands over the records it read) takes those it is given and reads the
    rest: the canonical records and their explanations are the ones a rebuild that reads every member chooses."""
    cut, whole, third = record(extra={"authors_incomplete": True}), record(authors=ARTICLE["authors"][:3]), record(
        authors=ARTICLE["authors"][:2], abstract="")
    ids = import_records(workspace, [cut, whole, third], "three.csv")
    run_dedup(workspace)
    store = workspace.store
    chosen = [(d["canonical_id"], d["members"], d["explanation"]) for d in dedup_store.cluster_details(store)]
    given = {r.id: r for r in store.records([ids[0], ids[2]]) if r.id is not None}  # (ids[1] read by the rebuild)
    with store.transaction() as conn:
        conn.execute(dedup_store.dedup_clusters_table.delete())
        assert decisions.rebuild_clusters(conn, records=given).n_clusters == 1
    assert [(d["canonical_id"], d["members"], d["explanation"]) for d in dedup_store.cluster_details(store)] == chosen
    assert chosen[0][0] == ids[1]


def _set_aside_in_table(workspace: Workspace) -> set[int]:
    """Every stored cluster member other than its canonical record, read from the table (what a verdict's report
    of the records it set aside is checked against)."""
    return {m for d in dedup_store.cluster_details(workspace.store) for m in d["members"] if m != d["canonical_id"]}


def test_a_verdict_names_only_the_decided_records_it_newly_set_aside(workspace: Workspace) -> None:
    """``decide_pair`` names the decided records its rebuild set aside and that were not aside before, worked out from
    the cluster rows the rebuild read and wrote: the same as the table's set-aside members after the verdict minus
    before it, here where a decided record already aside (d, screened after its merge) stays aside when its cluster
    joins another whose decided record comes first, and for each verdict of a sequence with undos."""
    a, b, c, d = imported_borderline_copies(workspace, "1-8", "9-16", "17-24", "25-32")  # (equally rich: earliest)
    store = workspace.store
    store.add_decision(c, "alice", "include")
    reported: list[tuple[int, ...]] = []
    diffed: list[tuple[int, ...]] = []

    def verdict(x: int, y: int, which: str) -> int:
        decided = dedup_store.records_with_decisions
        before = _set_aside_in_table(workspace)
        recorded = decisions.decide_pair(store, x, y, which, "alice")
        with store.connect() as conn:
            newly = sorted(_set_aside_in_table(workspace) - before)
            diffed.append(tuple(m for m in newly if m in decided(conn, newly)))
        reported.append(recorded.decided_set_aside)
        return recorded.row_id

    verdict(c, d, "same")  # c decided: canonical, d set aside undecided
    store.add_decision(d, "bob", "exclude")  # d screened while aside
    store.add_decision(b, "bob", "include")
    joined = verdict(b, c, "same")  # {b, c, d}: b (decided, earliest) shown; c newly aside, d already was
    assert reported[-1] == (c,)
    decisions.undo_decision(store, joined, "alice")
    decisions.undo_decision(store, verdict(a, b, "different"), "alice")
    verdict(a, c, "same")  # a undecided joins {c, d}: c stays shown
    verdict(b, d, "same")  # {a, b, c, d}: b shown; c newly aside
    assert reported == diffed
