"""An output file a command cannot write is refused before the command does its work: one line naming
the path, exit 1 (docs/interfaces.md), nothing printed or written (``cli.output.check_outputs``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from review.cli import main

ESTIMATES = "study,estimate,ci_low,ci_high\nArends 2014,2.59,1.40,4.80\nEndo 2015,1.46,1.01,2.10\n"
LABELLED = "record_id,title,abstract,label_included\n" + "".join(
    f"{i},title {i},abstract {i},{int(i < 3)}\n" for i in range(1, 21))


def _refused(result: Result, path: Path) -> None:
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert result.stderr == (f"review: {path}: cannot write here (Not a directory: a file stands where a folder is "
                             "needed)\n")


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A file standing where the output's folder should be (a permission test would pass as root)."""
    path = tmp_path / "README.md"
    path.write_text("x", encoding="utf-8")
    return path


def _folder_holds(folder: Path, names: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == names


def test_meta_refuses_an_unwritable_json_or_plot_before_printing_its_table(tmp_path: Path, blocker: Path) -> None:
    # The table was printed, then the JSON failed: exit 1 after output that looked like success.
    source = tmp_path / "est.csv"
    source.write_text(ESTIMATES, encoding="utf-8")
    _refused(CliRunner().invoke(main, ["meta", str(source), "--json", str(blocker / "r.json")]), blocker / "r.json")
    plot = blocker / "sub" / "f.png"
    _refused(CliRunner().invoke(main, ["meta", str(source), "--json", str(tmp_path / "r.json"), "--plot", str(plot)]),
             plot)
    _folder_holds(tmp_path, {"est.csv", "README.md"})  # no JSON half of the result either


def test_simulate_refuses_an_unwritable_json_before_simulating(tmp_path: Path, blocker: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The whole simulation ran first (minutes on a large set), then the JSON could not be written.
    from review.services import simulation

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before the output was checked")

    monkeypatch.setattr(simulation, "simulate_file", never)
    source = tmp_path / "labelled.csv"
    source.write_text(LABELLED, encoding="utf-8")
    _refused(CliRunner().invoke(main, ["simulate", str(source), "--json", str(blocker / "s.json")]), blocker / "s.json")
    plot = blocker / "curve.png"
    _refused(CliRunner().invoke(main, ["simulate", str(source), "--json", str(tmp_path / "s.json"), "--plot",
                                       str(plot)]), plot)
    _folder_holds(tmp_path, {"labelled.csv", "README.md"})


def test_dedup_csv_and_validate_refuse_an_unwritable_output_before_the_work(tmp_path: Path, blocker: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from review.services import dedup, validate

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("worked before the output was checked")

    monkeypatch.setattr(dedup, "dedup_csv", never)
    monkeypatch.setattr(validate, "analyse", never)
    records = tmp_path / "records.csv"
    records.write_text("record_id,title\n1,a\n2,b\n", encoding="utf-8")
    _refused(CliRunner().invoke(main, ["dedup", str(records), "--out", str(blocker / "c.csv")]), blocker / "c.csv")
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("item,expert,rating\nq1,e1,4\nq1,e2,3\n", encoding="utf-8")
    _refused(CliRunner().invoke(main, ["validate", "cvi", str(ratings), "--json", str(blocker / "v.json")]),
             blocker / "v.json")


def test_a_folder_still_missing_is_no_refusal(tmp_path: Path) -> None:
    # The atomic writer makes missing folders: only what it cannot get past is refused.
    source = tmp_path / "est.csv"
    source.write_text(ESTIMATES, encoding="utf-8")
    out = tmp_path / "new" / "deeper" / "r.json"
    result = CliRunner().invoke(main, ["meta", str(source), "--json", str(out)])
    assert result.exit_code == 0 and out.is_file(), result.output


def test_the_rule_is_written_in_interfaces_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    statuses = doc.split("| exit statuses |", 1)[1].split("\n", 1)[0]
    assert "an output file is checked before the work, `review: PATH: cannot write here (…)`, nothing computed, " \
        "printed or written" in statuses


@pytest.mark.parametrize("command", [["meta"], ["simulate"], ["validate", "cvi"]])
def test_an_output_that_is_the_input_file_is_refused_and_the_input_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        command: list[str]) -> None:
    # review meta est.csv --json est.csv replaced the estimates with the result, silently.
    text = {"meta": ESTIMATES, "simulate": LABELLED, "validate": "item,expert,rating\nq1,e1,4\nq1,e2,3\n"}[command[0]]
    source = tmp_path / "input.csv"
    source.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*command, str(source), "--json", "./input.csv"])  # the same file, named apart
    assert result.exit_code == 2 and result.stdout == "", result.output
    where = " ".join(command)
    assert result.stderr == (f"review: {where}: input.csv is the input file; write the result to another file "
                             f"(review {where} --help)\n")
    assert source.read_text(encoding="utf-8") == text
