"""Related records: errata, retraction notices and comments linked to their article
(``[dedup] related = "link"``, the default) or merged into its cluster (``"merge"``)."""

from __future__ import annotations

import hashlib

import pytest

from review.dedup.engine import deduplicate
from review.dedup.kinds import ARTICLE, COMMENT, ERRATUM, notice_subject, publication_kind
from review.dedup.run import run_dedup
from review.errors import WorkspaceError
from review.records import Record
from review.dedup import decisions
from review.workspace import Workspace

from .helpers import ARTICLE as FIELDS
from .helpers import merged, record

TITLE = FIELDS["title"]


def _erratum() -> Record:
    return record(title=f"Erratum to: {TITLE}", pages="1501", abstract="", doi="", year=2014, volume="58")


def test_comments_are_told_from_articles_by_their_wording() -> None:
    assert publication_kind(f'Comment on "{TITLE}"') == COMMENT
    assert publication_kind(f"Reply to the letter by Smith et al.: {TITLE}") == COMMENT
    assert publication_kind(f"Re: {TITLE}") == COMMENT
    assert publication_kind("Response to treatment in patients with type 2 diabetes") == ARTICLE
    assert publication_kind("Reply") == ARTICLE  # generic, nothing to link by
    assert publication_kind(f"Correction to: {TITLE}") == ERRATUM


def test_notice_subject_is_the_title_it_names() -> None:
    assert notice_subject(f"Erratum to: {TITLE}") == TITLE
    assert notice_subject(f'Retraction notice to "{TITLE}"') == TITLE
    assert notice_subject(f"Reply to the letter by Smith et al.: {TITLE}") == TITLE
    assert notice_subject(TITLE) == ""


def test_erratum_is_linked_to_its_article_not_merged() -> None:
    article, erratum = record(), _erratum()
    result = deduplicate([article, erratum, record(doi="", abstract="", external_id="r3")])
    # Linked to both copies of the article, which are merged with each other.
    assert sorted((p.left, p.right) for p in result.related) == [(0, 1), (1, 2)]
    assert all("erratum of the other record" in p.explanation for p in result.related)
    assert not merged(result, 0, 1) and merged(result, 0, 2)


def test_merge_setting_joins_the_notice_to_its_articles_cluster() -> None:
    records = [record(external_id="r1"), _erratum(), record(doi="", abstract="", external_id="r3")]
    for n, r in enumerate(records):
        r.external_id = f"r{n + 1}"
    result = deduplicate(records, related="merge")
    assert result.related == [] and merged(result, 0, 1) and merged(result, 1, 2)
    with pytest.raises(ValueError, match="related"):
        deduplicate(records, related="join")


def test_notices_about_other_titles_or_none_are_not_linked() -> None:
    other = record(title="Erratum to: Exenatide reduces atherosclerotic lesions in apolipoprotein E knockout mice",
                   doi="", abstract="")
    bare = record(title="Erratum", doi="", abstract="")
    result = deduplicate([record(), other, bare])
    assert result.related == []


def _import(workspace: Workspace, records: list[Record]) -> list[int]:
    workspace.store.add_batch(records, file_name="r.csv", file_sha256=hashlib.sha256(b"r").hexdigest(),
                              source_name="r.csv", format="csv", encoding="utf-8")
    return sorted(int(r.id) for r in workspace.store.records())  # type: ignore[arg-type]


def test_workspace_stores_the_link_and_shows_it_on_both_records(workspace: Workspace) -> None:
    article, erratum = _import(workspace, [record(), _erratum()])
    summary = run_dedup(workspace)
    assert summary.n_related == 1 and summary.n_duplicates_removed == 0
    [link] = decisions.related_links(workspace.store)
    assert (link.notice_id, link.about_id, link.kind) == (erratum, article, "erratum")
    assert decisions.related_of(workspace.store, erratum) == [f"erratum of record {article}"]
    assert decisions.related_of(workspace.store, article) == [f"record {erratum} is its erratum"]
    assert run_dedup(workspace).n_changed == 0  # stable on re-run


def test_workspace_setting_is_checked(workspace: Workspace) -> None:
    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[dedup]\nrelated = "join"\n', encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"^review\.toml:dedup\.related: 'join': expected 'link' or 'merge'$"):
        run_dedup(Workspace(workspace.root))


def test_prisma_counts_a_linked_notice_as_removed_before_screening(workspace: Workspace) -> None:
    from review.prisma.counts import RELATED_REASON, prisma_counts

    article, erratum = _import(workspace, [record(), _erratum()])
    run_dedup(workspace)
    counts = prisma_counts(workspace)
    assert counts.boxes["excluded_other"] == (erratum,) and counts.boxes["duplicates"] == ()
    assert counts.excluded_other_reasons == {RELATED_REASON: 1}
    assert counts.boxes["pending_screening"] == (article,)  # only the article is left to screen


def test_merge_setting_counts_the_notice_as_a_duplicate(workspace: Workspace) -> None:
    from review.prisma.counts import prisma_counts

    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[dedup]\nrelated = "merge"\n', encoding="utf-8")
    workspace = Workspace(workspace.root)
    article, erratum = _import(workspace, [record(), _erratum()])
    assert run_dedup(workspace).n_related == 0
    assert decisions.related_links(workspace.store) == []
    assert prisma_counts(workspace).boxes["duplicates"] == (erratum,)


def test_status_counts_related_records_as_prisma_does(workspace: Workspace) -> None:
    """``review status`` names the related records; a copy of the erratum from a second database is
    a duplicate, so it counts once, as in PRISMA's "removed for other reasons"."""
    from click.testing import CliRunner

    from review.cli import main
    from review.prisma.counts import RELATED_REASON, prisma_counts

    article, erratum, erratum_copy = _import(workspace, [record(), _erratum(), _erratum()])
    run_dedup(workspace)
    assert {link.notice_id for link in decisions.related_links(workspace.store)} == {erratum, erratum_copy}
    counted = decisions.related_record_ids(workspace.store)
    assert len(counted) == 1 and counted <= {erratum, erratum_copy}  # one copy set aside as a duplicate
    counts = prisma_counts(workspace)
    assert counts.excluded_other_reasons == {RELATED_REASON: 1} and len(counts.boxes["duplicates"]) == 1
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("dedup ")]
    assert line.endswith(", 1 related record (notices and comments linked to their article, not screened)")
