"""`review demo` end to end: generated exports → stand-in search → import → dedup."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from click.testing import CliRunner, Result

from review.cli import main
from review.workspace import Workspace


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Workspace]:
    path = tmp_path_factory.mktemp("demo") / "ws"
    result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code == 0, result.output
    return result, Workspace(path)


@pytest.fixture(scope="module")
def demo_workspace(demo_build: tuple[Result, Workspace]) -> Workspace:
    return demo_build[1]


def test_demo_build_lines_separate_thousands(demo_build: tuple[Result, Workspace]) -> None:
    # The build's search line read 'demo: 1585 hits, 1585 stored' under a status saying '2,261 records'.
    result, workspace = demo_build
    pubmed = workspace.store.counts_by_source()["PubMed"]
    assert pubmed >= 1000
    (search,) = [line for line in result.output.splitlines() if line.startswith("search     demo: ")]
    assert search.startswith(f"search     demo: {pubmed:,} hits, {pubmed:,} stored in "), search


def _publication_of_each_record(workspace: Workspace) -> dict[int, str]:
    from review.demo.truth import publication_of_each_record

    publication = publication_of_each_record(workspace)
    assert len(publication) == workspace.store.count_records()
    return publication


def test_demo_holds_every_generated_record_per_source(demo_workspace: Workspace) -> None:
    counts = demo_workspace.store.counts_by_source()
    truth = list(csv.DictReader(demo_workspace.path("imports", "demo_truth.csv").open(encoding="utf-8")))
    expected: dict[str, int] = defaultdict(int)
    for row in truth:
        expected[row["source"]] += 1
    assert counts == dict(expected)
    assert 2100 <= sum(counts.values()) <= 2500
    assert (demo_workspace.root / "queries" / "demo.log.json").exists()


def test_demo_dedup_recovers_the_true_duplicates_without_false_merges(demo_workspace: Workspace) -> None:
    """The engine merges every true duplicate but the planted borderline pairs, which it asks about;
    answering them as the ground truth says leaves exactly one record per publication."""
    from review.demo.corpus import generate
    from review.dedup.decisions import duplicate_ids
    from review.services import dedup as service
    from review.store.dedup import clusters

    publication = _publication_of_each_record(demo_workspace)
    for members in clusters(demo_workspace.store).values():
        assert len({publication[m] for m in members}) == 1, "a cluster mixes publications"
    planted = generate(demo_workspace.config.seed).borderline
    pairs = service.borderline_pairs(demo_workspace)
    asked = sorted(tuple(sorted((publication[p.left.id], publication[p.right.id]))) for p in pairs)
    assert asked == sorted(tuple(sorted(pair)) for pair in planted)
    same = [pair for pair in planted if pair[0] == pair[1]]
    assert 2 <= len(same) <= len(planted) - 2, "the review needs both answers"
    redundant = len(publication) - len(set(publication.values()))
    assert len(duplicate_ids(demo_workspace.store)) == redundant - len(same)

    for pair in pairs:
        verdict = "same" if publication[pair.left.id] == publication[pair.right.id] else "different"
        service.decide_pair(demo_workspace, pair.left.id, pair.right.id, verdict, "anna")
    assert service.borderline_pairs(demo_workspace) == []
    assert len(duplicate_ids(demo_workspace.store)) == redundant


def test_demo_offers_the_programmes_fulltext_reasons(demo_workspace: Workspace) -> None:
    # The demo's topic is the programme's: a new review's general list lacked "No prognostic factor analysed".
    from review.prisma.fulltext import PROGRAMME_REASONS
    from review.services.prisma import fulltext_reasons

    assert fulltext_reasons(Workspace(demo_workspace.root)) == PROGRAMME_REASONS


def test_rerunning_demo_reuses_the_workspace(demo_workspace: Workspace) -> None:
    before = demo_workspace.store.count_records()
    result = CliRunner().invoke(main, ["demo", str(demo_workspace.root), "--no-tui"])
    assert result.exit_code == 0, result.output
    assert Workspace(demo_workspace.root).store.count_records() == before


def test_demo_screening_csv_is_what_review_simulate_reads(demo_workspace: Workspace) -> None:
    """docs/demo.md offers imports/demo_screening.csv to ``review simulate``: its reader must take it."""
    from review.screening.simulate import load_labelled_csv

    path = demo_workspace.path("imports", "demo_screening.csv")
    labelled = load_labelled_csv(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(labelled) == len(rows) == len({row["pub_id"] for row in rows})
    assert sum(labelled.labels.values()) == sum(row["label_included"] == "1" for row in rows) >= 10


def test_demo_searches_its_stand_in_whatever_review_eutils_url_says(tmp_path, monkeypatch) -> None:
    # the address was checked before the demo's stand-in replaced it: exit 2, a half-built demo
    monkeypatch.setenv("REVIEW_EUTILS_URL", "localhost:8765/x")
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "ws"), "--no-tui"])
    assert result.exit_code == 0, result.output
    assert Workspace(tmp_path / "ws").store.count_records() > 2000


def test_a_demo_whose_build_stopped_partway_is_not_reused(tmp_path, monkeypatch) -> None:
    """A build that failed was reopened as "the existing demo workspace" with 0 records."""
    from review.demo import pipeline
    from review.errors import RetrievalError

    def fail(*args: object) -> str:
        raise RetrievalError("the stand-in went away")

    path = tmp_path / "ws"
    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "search_pubmed", fail)
        result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code == 5 and "the stand-in went away" in result.stderr
    result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"review: {path}: a demo workspace whose build did not finish; "
                             f"review demo {path} --rebuild deletes it and builds it anew\n")
    result = CliRunner().invoke(main, ["demo", str(path), "--no-tui", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert Workspace(path).store.count_records() > 2000
    result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code == 0 and "using existing demo workspace" in result.stderr


def test_a_demo_is_never_built_in_a_folder_holding_files_of_ones_own(tmp_path, monkeypatch) -> None:
    """A build stopped partway in a user's folder marked it "building"; --rebuild then deleted it whole."""
    from review.demo import build

    def interrupted(seed: int) -> None:
        raise KeyboardInterrupt

    path = tmp_path / "mine"
    path.mkdir()
    (path / "notes.txt").write_text("precious\n", encoding="utf-8")
    refusal = f"review: {path}: a folder that is not empty; review demo builds in a new or empty folder\n"
    with monkeypatch.context() as patch:
        patch.setattr(build, "generate", interrupted)
        result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code == 2 and result.stderr == refusal
    result = CliRunner().invoke(main, ["demo", str(path), "--no-tui", "--rebuild"])
    assert result.exit_code == 2 and result.stderr == refusal
    assert sorted(entry.name for entry in path.iterdir()) == ["notes.txt"]
    assert (path / "notes.txt").read_text(encoding="utf-8") == "precious\n"
    # an empty folder of one's own is fine
    (path / "notes.txt").unlink()
    with monkeypatch.context() as patch:
        patch.setattr(build, "generate", interrupted)
        result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code != 0 and (path / "review.toml").exists()
    result = CliRunner().invoke(main, ["demo", str(path), "--no-tui"])
    assert result.exit_code == 2 and "--rebuild deletes it" in result.stderr
