"""``review simulate`` output schema and ``review export decisions``."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from review import __version__
from review.cli import main
from review.screening.simulate import load_labelled_csv
from review.tool_version import tool_version

SIMULATION_KEYS = {"schema", "dataset", "seed", "model", "query", "engine", "n_records", "priors",
                   "order", "metrics", "stopping", "timings", "model_info", "tool"}


@pytest.fixture
def twenty_relevant_csv(subset, tmp_path: Path) -> Path:
    """200 records of the nudging set, 21 relevant: 20 ranked after a relevant prior, so 95 % recall (19) is
    reached before the last relevant record and the two counts can differ (with 9, ⌈0.95·9⌉ = 9)."""
    rows = subset("nagtegaal2019_nudging", 21, 179)
    out = tmp_path / "twenty.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_simulate_writes_the_documented_json(twenty_relevant_csv: Path, tmp_path: Path) -> None:
    out, plot = tmp_path / "sim.json", tmp_path / "recall.svg"
    result = CliRunner().invoke(main, ["simulate", str(twenty_relevant_csv), "--seed", "7", "--prior-included",
                                       "1", "--prior-excluded", "1", "--model", "logistic", "--json", str(out),
                                       "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(data) == SIMULATION_KEYS and data["schema"] == "review.simulation/1"
    assert list(data)[-1] == "tool" and data["tool"] == tool_version().to_json()  # decision 0080: the keys before kept
    assert data["tool"]["version"] == __version__ and set(data["tool"]) == {"name", "version", "commit", "modified"}
    assert data["seed"] == 7 and data["model"] == "logistic" and data["query"] == "max"
    assert data["n_records"] == 200 and len(set(data["order"])) == 200
    assert data["order"][:2] == data["priors"]
    assert set(data["metrics"]) == {"n_records", "n_relevant", "wss@95", "wss@100", "recall@10%", "atd",
                                    "n_to_95%", "n_to_all", "loss"}
    assert data["metrics"]["n_records"] == 198  # priors removed
    for rule in ("relevance_rate", "relevance_rate_lomax", "relevance_rate_classifier", "consecutive_irrelevant",
                 "knee", "statistical"):
        assert set(data["stopping"][rule]) >= {"n_screened", "recall"}
        assert f"stop:{rule}\t" in result.output
    assert data["stopping"]["target_recall"] == 0.95
    assert data["stopping"]["recommended"] == "relevance_rate_classifier"  # decision 0025
    assert "stop:recommended\trelevance_rate_classifier" in result.output
    timings = data["timings"]
    assert timings["feature_build_s"] >= 0 and timings["n_retrains"] == len(timings["retrain_s"]) > 0
    svg = plot.read_text()
    assert svg.lstrip().startswith("<?xml")
    for rule in ("relevance_rate_lomax", "relevance_rate_classifier", "statistical"):  # each stop marked
        marked = re.search(rf"<!-- stop: {rule}( \((recommended|certified)\))? -->", svg) is not None
        assert marked == (data["stopping"][rule]["n_screened"] is not None)
    assert "wss@95\t" in result.output and "stop:statistical\t" in result.output
    _metrics_follow_from_the_order(twenty_relevant_csv, data, result.stdout)


def _metrics_follow_from_the_order(labelled: Path, data: dict, printed: str) -> None:
    """The simulation's metrics, the consecutive-irrelevant stop and every stop's recall, recomputed from its order
    and the file's labels by their definitions (docs/screening.md: Cohen et al. 2006's WSS, recall@10 %, ATD, loss
    as the area between the perfect and the actual recall curves, the stops counting the priors), not by its code.
    A stop's recall here is 1.0 for every rule that fires (the last relevant record comes early):
    tests/screening/test_stopping.py checks one below 1."""
    import math

    with labelled.open(newline="", encoding="utf-8") as handle:
        truth = {int(row["record_id"]): int(row["label_included"]) for row in csv.DictReader(handle)}
    assert sorted(data["order"]) == sorted(truth)
    after = [truth[r] for r in data["order"][len(data["priors"]):]]  # the metrics leave the priors out
    n, relevant = len(after), sum(after)
    assert (data["metrics"]["n_records"], data["metrics"]["n_relevant"]) == (n, relevant) == (198, 20)
    found = [sum(after[:i]) for i in range(n + 1)]
    to_95 = next(i for i in range(n + 1) if found[i] >= math.ceil(0.95 * relevant))
    to_all = next(i for i in range(n + 1) if found[i] == relevant)
    assert to_95 < to_all  # the data tell 95 % from all, so a count taking one for the other fails
    metrics = data["metrics"]
    assert (metrics["n_to_95%"], metrics["n_to_all"]) == (to_95, to_all)
    assert metrics["wss@95"] == pytest.approx((n - to_95) / n - 0.05)
    assert metrics["wss@100"] == pytest.approx((n - to_all) / n)
    assert metrics["recall@10%"] == pytest.approx(found[n // 10] / relevant)
    positions = [i for i in range(1, n + 1) if after[i - 1]]  # 1-based
    assert metrics["atd"] == pytest.approx(sum(positions) / len(positions) / n)
    perfect = [min(i, relevant) for i in range(1, n + 1)]  # recall curves as relevant found after i records
    worst = [max(0, i - (n - relevant)) for i in range(1, n + 1)]
    assert metrics["loss"] == pytest.approx(
        sum(p - f for p, f in zip(perfect, found[1:])) / sum(p - w for p, w in zip(perfect, worst)))
    every = [truth[r] for r in data["order"]]  # a stop counts the priors as screened and their relevant as found
    # consecutive_irrelevant: the first count at which the last `limit` ranked records were all irrelevant
    limit, n_priors = data["stopping"]["consecutive_irrelevant"]["limit"], len(data["priors"])
    assert limit == 50  # max(50, 5 % of 200)
    runs = (k for k in range(n_priors + limit, len(every) + 1) if not any(every[k - limit:k]) and any(every[:k]))
    expected_stop = next(runs, None)
    assert expected_stop is not None and data["stopping"]["consecutive_irrelevant"]["n_screened"] == expected_stop
    for rule, stop in data["stopping"].items():
        if not isinstance(stop, dict) or stop.get("n_screened") is None:
            continue
        assert stop["recall"] == pytest.approx(sum(every[:stop["n_screened"]]) / sum(every)), rule
        line = next(line for line in printed.splitlines() if line.startswith(f"stop:{rule}\t"))
        assert line.split("\t")[1] == str(stop["n_screened"]), line


def test_simulate_runs_engine_version_9_by_default(small_csv: Path, tmp_path: Path) -> None:
    """The default `review simulate` ranks with engine version 9 (decision 0074: engine version 6, docs/decisions/0024,
    with the title's repeat apart (0073) and from 1,000 records the wordhy tokens), so on this set of
    fewer than 1,000 records ASReview's u4 model and loop (SVM C = 0.11, relevant class 9.8x, min_df 1,
    words of two or more characters; no presumed-irrelevant records, a retrain after every label)
    with the title twice, apart; records without text as all-zero rows (engine version 3), the Newton
    solver (engine version 4). ``svm-e5`` keeps engine version 5's loop and ``svm-newton`` engine
    version 4's settings."""
    rows = small_csv.read_text(encoding="utf-8").splitlines()
    small_csv.write_text("\n".join([*rows, "9001,,,,,,0,0", "9002,,,,,,1,1"]) + "\n", encoding="utf-8")
    out = tmp_path / "sim.json"
    result = CliRunner().invoke(main, ["simulate", str(small_csv), "--seed", "2", "--prior-included", "1",
                                       "--prior-excluded", "1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["engine"] == 9 and data["model"] == "svm" and data["n_records"] == 202
    info = data["model_info"]
    params, features = info["model_params"], info["features"]
    assert info["engine"] == 9 and params["solver"] == "newton"
    assert (params["C"], params["positive_ratio"], "relevant_weight_floor" in params) == (0.11, 9.8, False)
    assert (features["min_df"], features["tokens"], features["title_repeats"], features["title_apart"]) == (
        1, "words2", 2, True)
    assert features["pivot_slope"] == 1.0  # unit rows: the pivot starts at 1,000 records
    assert "presumed_irrelevant" not in info and "known_prevalence" not in info
    # One retrain per label until the last relevant record, and the final ranking of the rest.
    truth = load_labelled_csv(small_csv).labels
    last_relevant = max(i for i, r in enumerate(data["order"]) if truth[r])
    assert data["timings"]["n_retrains"] == last_relevant + 1 - 2 + (last_relevant + 1 < 202)
    # The two records without text score alike, so they come up close together: labelling the
    # irrelevant one does not sink the relevant one (engine version 2: 54 records later).
    assert abs(data["order"].index(9002) - data["order"].index(9001)) < 10

    five = tmp_path / "v5.json"
    result = CliRunner().invoke(main, ["simulate", str(small_csv), "--seed", "2", "--model", "svm-e5",
                                       "--json", str(five)])
    assert result.exit_code == 0, result.output
    v5 = json.loads(five.read_text())
    assert v5["model_info"]["features"]["title_repeats"] == 1 and v5["model_info"]["model_params"]["C"] == 0.11
    assert v5["timings"]["n_retrains"] < data["timings"]["n_retrains"]  # adaptive retraining
    assert v5["order"] != data["order"]

    previous = tmp_path / "v4.json"
    result = CliRunner().invoke(main, ["simulate", str(small_csv), "--seed", "2", "--model", "svm-newton",
                                       "--json", str(previous)])
    assert result.exit_code == 0, result.output
    info = json.loads(previous.read_text())["model_info"]
    assert (info["model_params"]["C"], info["model_params"]["positive_ratio"]) == (0.3, 1.0)
    assert (info["features"]["min_df"], info["features"]["tokens"], info["features"]["title_repeats"]) == (2, "engine", 2)


def test_simulate_rejects_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,title,label_included\n1,a,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(bad), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 3 and "line 2" in result.output


def test_export_decisions_csv_and_json_with_undo_rows(workspace, tmp_path: Path) -> None:
    from review.records import Record

    store = workspace.store
    store.add_batch([Record(title="a"), Record(title="b")], file_name="f", file_sha256="y" * 64,
                    source_name="s", format="csv", encoding="utf-8")
    ids = [r.id for r in store.records()]
    store.add_decision(ids[0], "alice", "exclude", reasons=["wrong population", "other"], note="x",
                       model_rank=3, model_info={"model": "ensemble", "seed": 7, "phase": "ranked"})
    store.add_decision(ids[1], "alice", "include")
    store.undo_last("alice")
    from review.screening.agreement import resolve_conflict
    resolve_conflict(store, ids[0], "include", "carol")  # who settled it was in the store only
    out_csv, out_json = tmp_path / "d.csv", tmp_path / "d.json"
    runner = CliRunner()
    result = runner.invoke(main, ["-w", str(workspace.root), "export", "decisions", "--format", "csv", str(out_csv)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [r["label"] for r in rows] == ["exclude", "include", "undo", "include"]
    assert list(rows[0])[15] == "resolved_by" and list(rows[0])[:15][-1] == "n_labelled"  # added at the end
    assert (rows[3]["reviewer"], rows[3]["resolved_by"], rows[0]["resolved_by"]) == ("consensus", "carol", "")
    assert rows[0]["reasons"] == "wrong population; other" and rows[0]["model_rank"] == "3"
    assert rows[0]["model"] == "ensemble" and rows[0]["seed"] == "7"
    assert rows[2]["undoes_id"] == rows[1]["decision_id"]
    runner.invoke(main, ["-w", str(workspace.root), "export", "decisions", "--format", "json", str(out_json)])
    data = json.loads(out_json.read_text())
    assert data[0]["reasons"] == ["wrong population", "other"] and data[2]["label"] == "undo"
    assert "records" in main.commands["export"].commands  # shares the sources engineer's group


def test_simulate_names_a_set_too_small_for_its_priors(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("record_id,title,abstract,label_included\n1,a b,c,1\n2,d e,f,0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(tiny), "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 3
    assert "2 records and 1 + 1 priors leave nothing to screen" in result.output
    assert not (tmp_path / "o.json").exists()


def test_simulate_makes_the_folders_its_outputs_name_and_none_when_refused(small_csv: Path, tmp_path: Path) -> None:
    # tidy28 #5, as docs/interfaces.md says: --json and --plot into folders not there yet write them (by design, as
    # every output file); a run refused before its work leaves no folder.
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("record_id,title,abstract,label_included\n1,a b,c,1\n2,d e,f,0\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["simulate", str(tiny), "--json", str(tmp_path / "r" / "o.json"),
                                        "--plot", str(tmp_path / "r2" / "p.svg")])
    assert refused.exit_code == 3 and not (tmp_path / "r").exists() and not (tmp_path / "r2").exists()
    out, plot = tmp_path / "runs" / "2026" / "o.json", tmp_path / "plots" / "p.svg"
    result = CliRunner().invoke(main, ["simulate", str(small_csv), "--json", str(out), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["schema"] == "review.simulation/1" and plot.stat().st_size > 0


def test_simulate_refuses_a_negative_number_of_priors(small_csv: Path, tmp_path: Path) -> None:
    # --prior-included -1 ended in numpy's 'negative dimensions are not allowed'.
    from review.errors import ReviewError
    from review.services.simulation import simulate_file

    result = CliRunner().invoke(main, ["simulate", str(small_csv), "--prior-excluded", "-1",
                                       "--json", str(tmp_path / "o.json")])
    assert result.exit_code == 2 and "'--prior-excluded': -1 is not in the range x>=0" in result.output
    with pytest.raises(ReviewError, match="0 or more"):
        simulate_file(small_csv, json_out=tmp_path / "o.json", prior_included=-1)
    assert not (tmp_path / "o.json").exists()


def test_simulate_runs_on_records_without_text(tmp_path: Path) -> None:
    rows = "".join(f"{i},,,{1 if i <= 3 else 0}\n" for i in range(1, 31))
    blank = tmp_path / "blank.csv"
    blank.write_text("record_id,title,abstract,label_included\n" + rows, encoding="utf-8")
    out = tmp_path / "o.json"
    result = CliRunner().invoke(main, ["simulate", str(blank), "--seed", "1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(out.read_text())["order"]) == list(range(1, 31))
