"""An output file a command cannot write is refused before the command does its work: one line naming
the path, exit 1 (docs/interfaces.md), nothing printed or written (``cli.output.check_outputs``)."""

from __future__ import annotations

import os
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


# -- the workspace's own files, two outputs on one file, paths that do not resolve ----------------

@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Path:
    """A workspace on its own SQLite store (review.db beside review.toml), with two records."""
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    ris = tmp_path / "two.ris"
    ris.write_text("TY  - JOUR\nTI  - First title\nER  - \nTY  - JOUR\nTI  - Second title\nER  - \n", encoding="utf-8")
    imported = CliRunner().invoke(main, ["-w", str(root), "import", str(ris)])
    assert imported.exit_code == 0, imported.output
    return root


def _store_intact(root: Path, settings: bytes) -> None:
    from review.workspace import Workspace

    assert (root / "review.toml").read_bytes() == settings
    assert Workspace(root).store.count_records() == 2  # the next command opens it (it was a CSV file: traceback)


@pytest.mark.parametrize("command", [["export", "records"], ["export", "decisions"], ["export", "searches"],
                                     ["export", "records", "--format", "ris"], ["export", "screening"]])
@pytest.mark.parametrize("name", ["review.db", "review.toml", "review.db-wal", "review.db-journal", "./review.db"])
def test_an_export_over_the_workspaces_own_files_is_refused_and_the_store_survives(
        sqlite_workspace: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], name: str) -> None:
    # review export records review.db wrote the CSV over the store; the next command was a traceback.
    settings = (sqlite_workspace / "review.toml").read_bytes()
    monkeypatch.chdir(sqlite_workspace)
    result = CliRunner().invoke(main, [*command, name])
    assert result.exit_code == 2 and result.stdout == "", result.output
    shown = " ".join(command[:2])
    what = "review.toml" if name == "review.toml" else f"store ({Path(name).name})"
    assert result.stderr == (f"review: {shown}: {Path(name)} is the workspace's {what}; write the result to another "
                             f"file (review {shown} --help)\n")
    _store_intact(sqlite_workspace, settings)


def test_every_output_of_a_workspace_is_checked_before_the_work(sqlite_workspace: Path, blocker: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # Each export checks its OUT first: an unwritable one is one line, exit 1, nothing read or printed.
    from review.services import screening, screening_methods, sources

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported before the output was checked")

    for module, name in ((sources, "export_records"), (sources, "search_report"), (screening, "decisions_text"),
                         (screening_methods, "selection_methods_report")):
        monkeypatch.setattr(module, name, never)
    for command in (["export", "records"], ["export", "decisions"], ["export", "searches"], ["export", "screening"]):
        _refused(CliRunner().invoke(main, ["-w", str(sqlite_workspace), *command, str(blocker / "x.csv")]),
                 blocker / "x.csv")


def test_a_command_without_a_workspace_run_in_one_keeps_its_store(sqlite_workspace: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    settings = (sqlite_workspace / "review.toml").read_bytes()
    (sqlite_workspace / "est.csv").write_text(ESTIMATES, encoding="utf-8")
    monkeypatch.chdir(sqlite_workspace / "extraction")  # (the workspace above the current folder)
    result = CliRunner().invoke(main, ["meta", "../est.csv", "--json", "../review.db"])
    assert result.exit_code == 2 and result.stdout == "" and "is the workspace's" in result.stderr
    instrument = CliRunner().invoke(main, ["instrument", "export", "--format", "fhir", "--out", "../review.toml"])
    assert instrument.exit_code == 2 and "is the workspace's" in instrument.stderr
    _store_intact(sqlite_workspace, settings)


def test_the_store_review_database_url_names_is_kept_too(sqlite_workspace: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "other.db"
    monkeypatch.setenv("REVIEW_DATABASE_URL", f"sqlite:///{elsewhere}")
    result = CliRunner().invoke(main, ["-w", str(sqlite_workspace), "export", "records", str(elsewhere)])
    assert result.exit_code == 2 and "is the workspace's store (other.db)" in result.stderr


def test_the_sqlite_file_of_a_url() -> None:
    from review.workspace import sqlite_file

    assert sqlite_file("sqlite:////abs/review.db") == Path("/abs/review.db")
    assert sqlite_file("sqlite:///rel/review.db?timeout=5") == Path("rel/review.db")
    assert sqlite_file("sqlite+pysqlite:///r.db") == Path("r.db")
    assert sqlite_file("sqlite://") is None and sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql://u@h/review") is None


@pytest.mark.parametrize("command", [["meta"], ["simulate"]])
def test_one_file_named_for_two_outputs_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   command: list[str]) -> None:
    # meta est.csv --json p.svg --plot p.svg wrote the JSON, then the plot over it: the JSON was lost.
    source = tmp_path / "input.csv"
    source.write_text(ESTIMATES if command == ["meta"] else LABELLED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*command, "input.csv", "--json", "p.svg", "--plot", "./p.svg"])
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert result.stderr.startswith(f"review: {command[0]}: p.svg is named for two outputs; give each its own file")
    assert {p.name for p in tmp_path.iterdir()} == {"input.csv"}


def test_a_symlink_loop_as_output_is_no_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Path.resolve raised RuntimeError('Symlink loop') out of the command (meta, dedup's own check).
    monkeypatch.chdir(tmp_path)
    Path("est.csv").write_text(ESTIMATES, encoding="utf-8")
    Path("records.csv").write_text("record_id,title\n1,a title\n2,another\n", encoding="utf-8")
    for name, command in (("loop.json", ["meta", "est.csv", "--json", "loop.json"]),
                          ("loop.csv", ["dedup", "records.csv", "--out", "loop.csv"])):
        os.symlink(name, name)
        result = CliRunner().invoke(main, command)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 0, result.output
        assert Path(name).is_file() and not Path(name).is_symlink()  # the loop replaced by the output


def test_an_input_named_by_another_link_is_the_input(tmp_path: Path) -> None:
    # A hard link (or, on a case-insensitive file system, EST.CSV) is the same file under another path.
    source = tmp_path / "est.csv"
    source.write_text(ESTIMATES, encoding="utf-8")
    os.link(source, tmp_path / "linked.csv")
    result = CliRunner().invoke(main, ["meta", str(source), "--json", str(tmp_path / "linked.csv")])
    assert result.exit_code == 2 and "linked.csv is the input file" in result.stderr
    assert source.read_text(encoding="utf-8") == ESTIMATES


def test_delphis_previous_round_is_an_input_too(tmp_path: Path) -> None:
    # validate delphi R2.csv --previous R1.csv --json R1.csv replaced the previous round with the result.
    rounds = "item,expert,rating\nq1,e1,4\nq1,e2,5\nq2,e1,2\nq2,e2,4\n"
    current, previous = tmp_path / "r2.csv", tmp_path / "r1.csv"
    current.write_text(rounds, encoding="utf-8")
    previous.write_text(rounds, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "delphi", str(current), "--previous", str(previous),
                                       "--json", str(previous)])
    assert result.exit_code == 2 and f"{previous} is the input file" in result.stderr
    assert previous.read_text(encoding="utf-8") == rounds


def test_dedups_refusal_of_its_input_is_the_one_check(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("record_id,title\n1,a\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(source), "--out", str(tmp_path / "." / "in.csv")])
    assert result.exit_code == 2
    assert result.stderr == (f"review: dedup: {tmp_path / '.' / 'in.csv'} is the input file; write the result to "
                             "another file (review dedup --help)\n")
