"""Agreement statistics against values computed by hand."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from review.records import Record
from resolutions import store_labels, store_resolutions
from review.screening.agreement import (Agreement, agreement, conflicts, export_agreement, pairwise_agreement,
                                       resolve_conflict)
from review.workspace import Workspace


def _two_raters(pairs: list[tuple[str, str, int]]) -> tuple[dict[int, str], dict[int, str]]:
    a: dict[int, str] = {}
    b: dict[int, str] = {}
    i = 0
    for label_a, label_b, count in pairs:
        for _ in range(count):
            a[i], b[i] = label_a, label_b
            i += 1
    return a, b


def test_textbook_two_by_two_table() -> None:
    # 20 both include, 5 a-only, 10 b-only, 15 both exclude; n = 50.
    a, b = _two_raters([("include", "include", 20), ("include", "exclude", 5),
                        ("exclude", "include", 10), ("exclude", "exclude", 15)])
    s = agreement(a, b)
    assert s.n == 50 and s.agreed == 35
    assert s.raw == pytest.approx(0.7)
    # p_e = .5*.6 + .5*.4 = .5  ->  kappa = (.7 - .5) / .5
    assert s.kappa == pytest.approx(0.4)
    # pi_inc = .55; p_e = 2 * .55 * .45 = .495  ->  AC1 = .205 / .505
    assert s.ac1 == pytest.approx(0.205 / 0.505)


def test_kappa_comes_with_its_95_percent_confidence_interval() -> None:
    # A methods reviewer reports kappa with its CI: the asymptotic variance of Fleiss, Cohen &
    # Everitt (1969), worked out here by hand for the textbook table above.
    a, b = _two_raters([("include", "include", 20), ("include", "exclude", 5),
                        ("exclude", "include", 10), ("exclude", "exclude", 15)])
    s = agreement(a, b)
    n, kappa = 50, 0.4
    p = {("i", "i"): 20 / n, ("i", "e"): 5 / n, ("e", "i"): 10 / n, ("e", "e"): 15 / n}
    row = {"i": 25 / n, "e": 25 / n}  # reviewer a
    col = {"i": 30 / n, "e": 20 / n}  # reviewer b
    p_e = 0.5
    diagonal = sum(p[c, c] * (1 - (row[c] + col[c]) * (1 - kappa)) ** 2 for c in "ie")
    off = (1 - kappa) ** 2 * sum(p[x, y] * (col[x] + row[y]) ** 2 for x in "ie" for y in "ie" if x != y)
    se = math.sqrt((diagonal + off - (kappa - p_e * (1 - kappa)) ** 2) / (n * (1 - p_e) ** 2))
    assert s.kappa_ci_low == pytest.approx(kappa - 1.959964 * se, abs=1e-6)
    assert s.kappa_ci_high == pytest.approx(kappa + 1.959964 * se, abs=1e-6)
    # Near-perfect agreement: the Wald interval passed 1 (0.82 to 1.008 on the demo); kappa cannot.
    a, b = _two_raters([("include", "include", 20), ("include", "maybe", 1), ("exclude", "exclude", 60),
                        ("include", "exclude", 2)])
    high = agreement(a, b)
    assert high.kappa is not None and high.kappa_ci_high == 1.0 and high.kappa_ci_low < high.kappa
    # No interval where kappa itself is undefined (both reviewers always "exclude").
    same = agreement({1: "exclude", 2: "exclude"}, {1: "exclude", 2: "exclude"})
    assert same.kappa is None and (same.kappa_ci_low, same.kappa_ci_high) == (None, None)


def test_kappa_on_include_vs_not_counts_maybe_as_include() -> None:
    # Reviews also report kappa on include vs not; a "maybe" passes to full text like an include.
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import cohens_kappa

    a, b = _two_raters([("include", "include", 6), ("maybe", "include", 4), ("include", "maybe", 2),
                        ("maybe", "exclude", 3), ("exclude", "include", 2), ("exclude", "exclude", 30),
                        ("exclude", "maybe", 1)])
    s = agreement(a, b)
    passed = {"include": 1, "maybe": 1, "exclude": 0}
    ids = sorted(a)
    expected = cohen_kappa_score([passed[a[r]] for r in ids], [passed[b[r]] for r in ids])
    assert s.kappa_include_vs_not == pytest.approx(expected)
    assert s.kappa == pytest.approx(cohen_kappa_score([a[r] for r in ids], [b[r] for r in ids]))
    assert s.kappa_include_vs_not > s.kappa  # include against maybe is no disagreement on two categories
    table = [[12, 3], [3, 30]]  # (include or maybe) / exclude, reviewer a by reviewer b
    se = cohens_kappa(table, return_results=True)["std_kappa"]
    assert s.kappa_include_vs_not_ci_low == pytest.approx(expected - 1.959964 * se, abs=1e-6)
    assert s.kappa_include_vs_not_ci_high == pytest.approx(expected + 1.959964 * se, abs=1e-6)
    # Undefined, as the three-category one, when neither reviewer passed anything on.
    none = agreement({1: "exclude", 2: "exclude"}, {1: "exclude", 2: "exclude"})
    assert (none.kappa_include_vs_not, none.kappa_include_vs_not_ci_low) == (None, None)


def test_kappa_paradox_ac1_stays_high_when_prevalence_is_low() -> None:
    a, b = _two_raters([("include", "include", 1), ("include", "exclude", 2),
                        ("exclude", "include", 2), ("exclude", "exclude", 95)])
    s = agreement(a, b)
    assert s.raw == pytest.approx(0.96)
    assert s.kappa == pytest.approx((0.96 - 0.9418) / (1 - 0.9418))
    assert s.ac1 == pytest.approx((0.96 - 0.0582) / (1 - 0.0582))
    assert s.ac1 > 0.9 > s.kappa


def test_three_categories_use_q_minus_one_in_ac1() -> None:
    a = {1: "include", 2: "maybe", 3: "exclude", 4: "exclude"}
    b = {1: "include", 2: "exclude", 3: "exclude", 4: "exclude"}
    s = agreement(a, b)
    assert s.categories == ("exclude", "include", "maybe")
    # p_o = 3/4; shares a: inc .25 may .25 exc .5; b: inc .25 exc .75
    assert s.kappa == pytest.approx((0.75 - (0.0625 + 0.375)) / (1 - 0.4375))
    pi = {"include": 0.25, "maybe": 0.125, "exclude": 0.625}
    p_e = sum(p * (1 - p) for p in pi.values()) / 2
    assert s.ac1 == pytest.approx((0.75 - p_e) / (1 - p_e))


def test_only_records_both_decided_count_and_degenerate_cases() -> None:
    s = agreement({1: "exclude", 2: "exclude", 3: "include"}, {1: "exclude", 2: "exclude"})
    assert s.n == 2 and s.raw == 1.0
    assert s.kappa is None  # both always "exclude": chance agreement is 1
    assert s.ac1 == pytest.approx(1.0)
    empty = agreement({}, {1: "include"})
    assert empty.n == 0 and empty.raw is None and empty.kappa is None


def test_conflicts_and_pairwise() -> None:
    labels = {(1, "alice"): "include", (1, "bob"): "exclude", (2, "alice"): "exclude",
              (2, "bob"): "exclude", (3, "alice"): "maybe", (3, "bob"): "include",
              (4, "alice"): "include"}
    found = conflicts(labels, {3: ("include", "carol")})
    assert [c.record_id for c in found] == [1, 3]
    assert found[0].labels == {"alice": "include", "bob": "exclude"} and found[0].resolution is None
    assert (found[1].resolution, found[1].resolved_by) == ("include", "carol")
    (pair,) = pairwise_agreement(labels)
    assert (pair.reviewer_a, pair.reviewer_b, pair.n, pair.agreed) == ("alice", "bob", 3, 1)


def test_store_round_trip_and_export(workspace: Workspace, tmp_path: Path) -> None:
    store = workspace.store
    store.add_batch([Record(title=f"T{i}") for i in range(3)], file_name="f", file_sha256="0" * 64,
                    source_name="db", format="csv", encoding="utf-8")
    r1, r2, r3 = (r.id for r in store.records())
    store.add_decision(r1, "alice", "include")
    store.add_decision(r1, "bob", "exclude")
    store.add_decision(r2, "alice", "exclude")
    store.add_decision(r2, "bob", "exclude")
    resolve_conflict(store, r1, "include", "carol")
    labels = store_labels(store)
    assert (r1, "consensus") not in labels  # the resolution is not a third reviewer's vote
    assert store.current_decisions()[(r1, "consensus")].model_info == {"resolved_by": "carol"}
    assert store_resolutions(store) == {r1: ("include", "carol")}
    stats = pairwise_agreement(labels, ["alice", "bob"])
    found = conflicts(labels, store_resolutions(store))
    paths = export_agreement(tmp_path / "out", stats, found, ["alice", "bob"])
    data = json.loads(paths[0].read_text())
    assert data["agreement"][0]["raw"] == 0.5 and data["conflicts"][0]["record_id"] == r1
    header = paths[1].read_text(encoding="utf-8").splitlines()[0]
    # The interval's columns come after the ones scripts read already (docs/interfaces.md).
    assert header == ("reviewer_a,reviewer_b,n,agreed,raw,kappa,ac1,categories,kappa_ci_low,kappa_ci_high,"
                      "kappa_include_vs_not,kappa_include_vs_not_ci_low,kappa_include_vs_not_ci_high")
    rows = list(csv.DictReader(paths[2].open()))
    assert rows == [{"record_id": str(r1), "alice": "include", "bob": "exclude",
                     "resolution": "include", "resolved_by": "carol", "changed_since": ""}]


def test_resolving_as_exclude_follows_require_reason_on_exclude(workspace: Workspace) -> None:
    from review.errors import ReviewError
    from review.services.screening import resolve_conflict as resolve_in_workspace

    store = workspace.store
    store.add_batch([Record(title=f"T{i}") for i in range(2)], file_name="f", file_sha256="0" * 64,
                    source_name="db", format="csv", encoding="utf-8")
    r1, r2 = (r.id for r in store.records())
    for record_id in (r1, r2):
        store.add_decision(record_id, "alice", "include")
        store.add_decision(record_id, "bob", "exclude")
    criteria = workspace.path("screening", "criteria.toml")
    criteria.write_text('exclusion_reasons = ["wrong population", "wrong outcome"]\n'
                        "require_reason_on_exclude = true\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="require_reason_on_exclude = true") as refused:
        resolve_in_workspace(workspace, r1, "exclude", "carol")
    assert "\n" not in str(refused.value) and store_resolutions(store) == {}
    with pytest.raises(ReviewError, match="only for an exclusion"):
        resolve_in_workspace(workspace, r1, "include", "carol", reason="wrong outcome")
    resolve_in_workspace(workspace, r1, "exclude", "carol", reason="wrong pop")  # a unique start names it
    resolve_in_workspace(workspace, r2, "include", "carol")  # an inclusion needs no reason
    consensus = store.current_decisions(reviewer="consensus")
    assert consensus[(r1, "consensus")].reasons == ("wrong population",)
    assert store_resolutions(store) == {r1: ("exclude", "carol"), r2: ("include", "carol")}
    # While the file cannot be read the setting is unknown: a bare exclusion is refused.
    criteria.write_text("require_reason_on_exclude = tru\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="criteria.toml"):
        resolve_in_workspace(workspace, r2, "exclude", "carol")
    assert store_resolutions(store)[r2] == ("include", "carol")


def test_a_resolution_made_before_a_reviewer_changed_their_decision_is_open_again(workspace: Workspace,
                                                                                   tmp_path: Path) -> None:
    # Both reviewers came to agree on exclude after carol had resolved include; the conflict left the
    # list, and the resolution (which PRISMA takes) stood against both of them without a word.
    from click.testing import CliRunner

    from review.cli import main
    from review.services.screening import agreement_report, export_agreement as export_in_workspace
    from review.services.screening import resolve_conflict as resolve_in_workspace

    store = workspace.store
    store.add_batch([Record(title=f"T{i}") for i in range(3)], file_name="f", file_sha256="0" * 64,
                    source_name="db", format="csv", encoding="utf-8")
    r1, r2, r3 = (r.id for r in store.records())
    for record_id in (r1, r2, r3):
        store.add_decision(record_id, "alice", "exclude")
        store.add_decision(record_id, "bob", "include")
        resolve_in_workspace(workspace, record_id, "include", "carol")
    store.add_decision(r1, "bob", "exclude")          # r1: both exclude now, against the resolution
    store.add_decision(r2, "alice", "maybe")          # r2: still disputed, on other labels
    store.add_decision(r3, "alice", "include")        # r3: alice changed her mind and undid it again
    store.undo_last("alice")
    report = agreement_report(workspace)
    assert [(c.record_id, c.changed_since, c.open) for c in report.conflicts] == [
        (r2, ("alice",), True), (r3, (), False)]
    assert [(c.record_id, c.labels, c.resolution, c.changed_since) for c in report.outdated] == [
        (r1, {"alice": "exclude", "bob": "exclude"}, "include", ("bob",))]
    exported = export_in_workspace(workspace, tmp_path / "out")
    assert [c.record_id for c in exported.reopened] == [r1, r2]
    # conflicts.csv showed r2 as resolved (no column said otherwise) and r1, agreed against the
    # resolution, was in no file.
    rows = list(csv.DictReader((tmp_path / "out" / "conflicts.csv").open(encoding="utf-8")))
    assert [(row["record_id"], row["alice"], row["bob"], row["resolution"], row["changed_since"]) for row in rows] == [
        (str(r1), "exclude", "exclude", "include", "bob"), (str(r2), "maybe", "include", "include", "alice"),
        (str(r3), "exclude", "include", "include", "")]
    assert list(rows[0])[-1] == "changed_since"  # added at the end: the earlier columns keep their places
    data = json.loads((tmp_path / "out" / "agreement.json").read_text(encoding="utf-8"))
    assert [(c["record_id"], c["changed_since"]) for c in data["conflicts"]] == [(r1, ["bob"]), (r2, ["alice"]),
                                                                                  (r3, [])]
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "export", "agreement", str(tmp_path / "cli")])
    assert result.exit_code == 0
    assert f"record {r1} resolved include by carol before bob changed" in result.stderr
    # Resolving again settles it: the new resolution is on the labels as they are now.
    resolve_in_workspace(workspace, r1, "exclude", "carol")
    resolve_in_workspace(workspace, r2, "maybe", "carol")
    report = agreement_report(workspace)
    assert report.outdated == [] and not any(c.open for c in report.conflicts)


def test_agreement_is_shown_to_three_decimals_and_a_dash_where_undefined() -> None:
    # The one wording of review export agreement's stderr lines and review export screening's (both spelt it).
    both = Agreement("anna", "ben", 30, 24, 0.8, 0.5813953, 0.7380866, kappa_ci_low=0.3044141,
                     kappa_ci_high=0.8583766, kappa_include_vs_not=0.55)
    assert both.shown() == {"raw": "0.800", "kappa": "0.581 (95% CI 0.304 to 0.858)", "ac1": "0.738",
                            "kappa_include_vs_not": "0.550"}
    one_category = Agreement("anna", "ben", 3, 3, 1.0, None, 1.0)  # every label the same: κ undefined
    assert one_category.shown() == {"raw": "1.000", "kappa": "–", "ac1": "1.000", "kappa_include_vs_not": "–"}
