"""PRISMA 2020's flow: a report assessed for eligibility was sought and retrieved. An eligibility
decision on a report with no retrieval recorded is kept (it implies both, as the counts read it) with
one stderr warning per report; one on a report recorded as not retrieved is refused, nothing recorded
(``review fulltext eligible`` recorded both silently; the flow then counted the report retrieved)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ValidationError
from review.services import prisma as service
from review.store.fulltext import current_fulltext_events
from review.workspace import Workspace


def _run(workspace: Workspace, *args: str):
    return CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "alice", *args])


def _events(workspace: Workspace) -> list[tuple[int, str]]:
    return [(e.record_id, e.event) for e in current_fulltext_events(workspace.store)]


@pytest.mark.parametrize("event", ["eligible", "excluded"])
def test_an_assessment_without_retrieval_is_kept_with_one_warning_per_report(
        workspace: Workspace, add, screen_as, event: str) -> None:
    never, sought, fetched = add(workspace, 3, "PubMed")
    screen_as(workspace, [never, sought, fetched], "include", reviewer="alice")
    assert _run(workspace, "fulltext", "sought", str(sought), str(fetched)).exit_code == 0
    assert _run(workspace, "fulltext", "retrieved", str(fetched)).exit_code == 0
    reason = ["--reason", "wrong study design"] if event == "excluded" else []
    result = _run(workspace, "fulltext", event, str(never), str(sought), str(fetched), *reason)
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [str(never), str(sought), str(fetched)]
    assert result.stderr.splitlines() == [
        f"review: warning: record {never} was never recorded as sought or retrieved; PRISMA 2020 counts a report "
        "assessed as both (review fulltext sought/retrieved records them)",
        f"review: warning: record {sought} was sought but never recorded as retrieved; PRISMA 2020 counts a report "
        "assessed as retrieved (review fulltext retrieved records it)",
    ]
    counts = service.prisma_counts(workspace)
    assert counts.n("dbr_sought_reports") == 3 and counts.n("dbr_assessed") == 3
    assert counts.n("dbr_notretrieved_reports") == 0


@pytest.mark.parametrize("event", ["eligible", "excluded"])
def test_an_assessment_of_a_report_not_retrieved_is_refused_and_nothing_is_recorded(
        workspace: Workspace, add, screen_as, event: str) -> None:
    fetched, missing = add(workspace, 2, "PubMed")
    screen_as(workspace, [fetched, missing], "include", reviewer="alice")
    assert _run(workspace, "fulltext", "retrieved", str(fetched)).exit_code == 0
    assert _run(workspace, "fulltext", "not-retrieved", str(missing), "--reason", "no access").exit_code == 0
    before = _events(workspace)
    reason = ["--reason", "wrong study design"] if event == "excluded" else []
    result = _run(workspace, "fulltext", event, str(fetched), str(missing), *reason)
    assert result.exit_code == 4 and result.stdout == ""
    assert result.stderr == (
        f"review: record {missing}: recorded as not retrieved (no access); PRISMA 2020 assesses only reports "
        f"retrieved: record 'review fulltext retrieved {missing}' first; nothing recorded\n")
    assert _events(workspace) == before  # not even the retrieved one before it
    # The terminal UI records one event at a time through the same service: refused there too.
    with pytest.raises(ValidationError, match=f"record {missing}: recorded as not retrieved"):
        service.record_fulltext(workspace, missing, "alice", event,
                                reason="wrong study design" if event == "excluded" else "")
    assert _run(workspace, "fulltext", "retrieved", str(missing)).exit_code == 0
    again = _run(workspace, "fulltext", event, str(missing), *reason)
    assert again.exit_code == 0 and again.stderr == ""


def test_the_rule_is_written_in_prisma_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "prisma.md").read_text(encoding="utf-8")
    assert "decision 0033" in doc and "recorded as not retrieved" in doc


def test_not_retrieved_while_an_eligibility_decision_stands_is_refused(workspace: Workspace, add, screen_as) -> None:
    """Decision 0033, never both: the other order (assessed, then recorded as not retrieved) is refused too."""
    report, other = add(workspace, 2, "PubMed")
    screen_as(workspace, [report, other], "include", reviewer="alice")
    assert _run(workspace, "fulltext", "retrieved", str(report)).exit_code == 0
    assert _run(workspace, "fulltext", "eligible", str(report)).exit_code == 0
    before = _events(workspace)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "-r", "bob", "fulltext", "not-retrieved",
                                       str(other), str(report), "--reason", "no access"])
    assert result.exit_code == 4 and result.stdout == ""
    assert result.stderr == (
        f"review: record {report}: assessed for eligibility (eligible, by alice); a report assessed was retrieved: "
        f"undo that decision ('review -r alice fulltext undo {report}') first; nothing recorded\n")
    assert _events(workspace) == before
    # The advice names the report: alice's plain undo would take back her latest event, here on the other report
    assert _run(workspace, "fulltext", "sought", str(other)).exit_code == 0
    assert _run(workspace, "fulltext", "undo", str(report)).stdout == f"{report}\tundid eligible\n"
    assert _run(workspace, "fulltext", "not-retrieved", str(report), "--reason", "no access").exit_code == 0


def test_undoing_the_retrieval_a_later_decision_rests_on_is_refused(workspace: Workspace, add, screen_as) -> None:
    """not retrieved, retrieved, eligible (by bob), then alice undoes her 'retrieved': the decision would stand
    on a report recorded as not retrieved. Refused until bob's decision is undone."""
    (report,) = add(workspace, 1, "PubMed")
    screen_as(workspace, [report], "include", reviewer="alice")
    assert _run(workspace, "fulltext", "not-retrieved", str(report), "--reason", "no access").exit_code == 0
    assert _run(workspace, "fulltext", "retrieved", str(report)).exit_code == 0
    bob = ["-w", str(workspace.root), "-r", "bob", "fulltext"]
    assert CliRunner().invoke(main, [*bob, "eligible", str(report)]).exit_code == 0
    before = _events(workspace)
    result = _run(workspace, "fulltext", "undo")
    assert result.exit_code == 4 and result.stdout == ""
    assert result.stderr == (
        f"review: record {report}: its eligibility decision (eligible, by bob) rests on this retrieval: "
        f"undo that decision ('review -r bob fulltext undo {report}') first; nothing recorded\n")
    assert _events(workspace) == before
    assert CliRunner().invoke(main, [*bob, "undo"]).exit_code == 0
    assert _run(workspace, "fulltext", "undo").stdout == f"{report}\tundid retrieved\n"


def test_undoing_a_retrieval_is_allowed_while_another_retrieval_still_stands(workspace: Workspace, add,
                                                                            screen_as) -> None:
    """alice and bob each record the report retrieved, bob decides it eligible: alice's undo leaves bob's
    retrieval under the decision, so it is allowed (only the decision's last retrieval is refused)."""
    (report,) = add(workspace, 1, "PubMed")
    screen_as(workspace, [report], "include", reviewer="alice")
    assert _run(workspace, "fulltext", "retrieved", str(report)).exit_code == 0
    bob = ["-w", str(workspace.root), "-r", "bob", "fulltext"]
    assert CliRunner().invoke(main, [*bob, "retrieved", str(report)]).exit_code == 0
    assert CliRunner().invoke(main, [*bob, "eligible", str(report)]).exit_code == 0
    result = _run(workspace, "fulltext", "undo")
    assert (result.exit_code, result.stdout) == (0, f"{report}\tundid retrieved\n"), result.output
    assert _events(workspace) == [(report, "retrieved"), (report, "eligible")]  # bob's two stand


def test_the_check_is_made_again_inside_the_write(workspace: Workspace, add, screen_as, monkeypatch) -> None:
    """An event committed between the service's first look and its write (another reviewer, another
    process) is seen by the write itself: the first look is made to miss it here."""
    missing, judged = add(workspace, 2, "PubMed")
    screen_as(workspace, [missing, judged], "include", reviewer="alice")
    assert _run(workspace, "fulltext", "not-retrieved", str(missing), "--reason", "no access").exit_code == 0
    assert _run(workspace, "fulltext", "eligible", str(judged)).exit_code == 0
    monkeypatch.setattr(service, "_retrieval_before_assessing", lambda store, ids, event: {})
    before = _events(workspace)
    with pytest.raises(ValidationError, match=f"record {missing}: recorded as not retrieved"):
        service.record_fulltext(workspace, missing, "bob", "eligible")
    with pytest.raises(ValidationError, match=f"record {judged}: assessed for eligibility"):
        service.record_fulltext(workspace, judged, "bob", "not_retrieved", reason="no access")
    assert _events(workspace) == before


def test_one_report_warning_is_returned_to_the_terminal_ui(workspace: Workspace, add, screen_as) -> None:
    never, sought = add(workspace, 2, "PubMed")
    screen_as(workspace, [never, sought], "include", reviewer="alice")
    service.record_fulltext(workspace, sought, "alice", "sought")
    assert service.record_fulltext(workspace, never, "alice", "eligible").retrieval_unrecorded == "never sought"
    assert service.record_fulltext(workspace, sought, "alice", "eligible").retrieval_unrecorded == "sought"
