from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.workspace import Workspace


def test_init_creates_the_layout_and_status_finds_it_from_a_subfolder(tmp_path: Path, monkeypatch) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "ws"), "--title", "My review", "--reviewer", "ann"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "ws"
    for name in ("queries", "screening", "extraction", "instrument", "review.toml", "review.db",
                 "queries/example.toml", "screening/criteria.toml", "extraction/form.toml"):
        assert (root / name).exists(), name
    monkeypatch.chdir(root / "screening")
    status = runner.invoke(main, ["status"])
    assert status.exit_code == 0, status.output
    assert "My review" in status.output and "0 records" in status.output


def test_workspace_option_wins_over_cwd(tmp_path: Path, monkeypatch) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init", str(tmp_path / "a"), "--title", "A"])
    runner.invoke(main, ["init", str(tmp_path / "b"), "--title", "B"])
    monkeypatch.chdir(tmp_path / "a")
    result = runner.invoke(main, ["--workspace", str(tmp_path / "b"), "status"])
    assert "title      B" in result.output


def test_outside_a_workspace_gives_one_line_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "not inside a review workspace" in lines[0]
    # (a new user's first `review`, before any workspace exists, is pointed at the demo too: fresh31)
    assert lines[0].endswith("(no review.toml here or above; use 'review init' or --workspace, or try 'review demo')")


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init", str(tmp_path / "ws")])
    again = runner.invoke(main, ["init", str(tmp_path / "ws")])
    assert again.exit_code == 2 and "already a workspace" in again.output


def test_init_refuses_a_blank_title_or_reviewer_and_the_consensus_name(tmp_path: Path) -> None:
    # --title "" wrote a review.toml every later command refused; "" and consensus became reviewers.
    for args, words in ((["--title", " "], "--title: a review needs a title"),
                        (["--reviewer", "alice", "--reviewer", ""], "--reviewer: a reviewer needs a name"),
                        (["--reviewer", "consensus"], "--reviewer consensus: that name holds the resolved conflicts")):
        result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), *args])
        assert result.exit_code == 2 and result.stderr.startswith(f"review: {words}")
        assert not (tmp_path / "ws").exists()
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--reviewer", "alice", "--reviewer", " alice"])
    assert result.exit_code == 0 and 'reviewers = ["alice"]' in (tmp_path / "ws" / "review.toml").read_text()


def test_init_writes_quotes_and_backslashes_so_review_toml_reads_back(tmp_path: Path) -> None:
    # The title was pasted between quotes: 'The "healthy worker" effect' wrote a review.toml that
    # every later command refused (exit 2), after init had created the folders.
    title = 'The "healthy worker" effect\\ in C:\\data'
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--title", title,
                                       "--reviewer", 'ann "A."', "--reviewer", "bo\\b"])
    assert result.exit_code == 0, result.output
    status = CliRunner().invoke(main, ["-w", str(tmp_path / "ws"), "status"])
    assert status.exit_code == 0, status.output
    assert f"title      {title}\n" in status.stdout
    from review.workspace import Workspace

    assert Workspace(tmp_path / "ws").config.reviewers == ['ann "A."', "bo\\b"]


def test_demo_on_someones_own_workspace_is_refused_not_opened_as_the_demo(tmp_path: Path) -> None:
    # It said 'using existing demo workspace …' and opened the UI on the user's own review.
    root = tmp_path / "mine"
    assert CliRunner().invoke(main, ["init", str(root), "--title", "Mine"]).exit_code == 0
    def listing() -> list[str]:  # SQLite's -wal/-shm come and go with open connections, not with writes
        return sorted(p.name for p in root.iterdir() if not p.name.endswith(("-wal", "-shm")))

    before = listing()
    for extra in ([], ["--rebuild"]):
        result = CliRunner().invoke(main, ["demo", str(root), "--no-tui", *extra])
        assert result.exit_code == 2 and result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"review: {root}: a workspace, but not a demo one; give review demo another PATH")
    assert listing() == before


def test_demo_reused_with_another_seed_says_which_seed_it_holds(tmp_path: Path) -> None:
    # --seed 7 on an existing demo silently reopened the one built with another seed.
    root = tmp_path / "demo"
    assert CliRunner().invoke(main, ["init", str(root), "--seed", "5"]).exit_code == 0
    (root / "imports").mkdir()
    (root / "imports" / "demo_truth.csv").write_text("record_id\n", encoding="utf-8")  # what marks a demo
    result = CliRunner().invoke(main, ["demo", str(root), "--no-tui", "--seed", "7"])
    assert result.exit_code == 0
    assert f"review: note: it was built with seed 5, not 7: review demo {root} --seed 7 --rebuild" in result.stderr
    same = CliRunner().invoke(main, ["demo", str(root), "--no-tui", "--seed", "5"])
    assert "note:" not in same.stderr


def test_bad_review_toml_names_the_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "review.toml").write_text("[review]\ntitle = \n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 2 and "review.toml" in result.output
    # reviewers = [] was an IndexError traceback wherever the default reviewer was needed.
    (tmp_path / "review.toml").write_text('[review]\ntitle = "t"\nreviewers = []\n')
    result = CliRunner().invoke(main, ["decide", "1", "--include"])
    assert result.exit_code == 2 and result.stderr.endswith("review.toml:review.reviewers: is empty: list at least one "
                                                            "name (or remove the line) (line 3)\n")


def test_a_review_toml_seed_past_the_command_lines_range_is_refused_in_one_line(tmp_path: Path) -> None:
    # Read, it reached numpy's RandomState (stopping rules: ValueError) and scikit-learn (logistic retrain)
    for seed, refused in ((5_000_000_000, True), (2**32, True), (2**32 - 1, False), (0, False)):
        (tmp_path / "review.toml").write_text(f'[review]\ntitle = "t"\nseed = {seed}\n', encoding="utf-8")
        result = CliRunner().invoke(main, ["-w", str(tmp_path), "status"])
        if refused:
            assert result.exit_code == 2 and result.stdout == ""
            assert result.stderr == (f"review: {tmp_path / 'review.toml'}:review.seed: must be a whole number "
                                     "from 0 to 4294967295 (line 3)\n")
        else:
            if not (tmp_path / "review.db").exists():  # (a review.toml written by hand has no store yet)
                assert CliRunner().invoke(main, ["init", "--store-only", str(tmp_path)]).exit_code == 0
                result = CliRunner().invoke(main, ["-w", str(tmp_path), "status"])
            assert result.exit_code == 0, result.output
            assert Workspace(tmp_path).config.seed == seed


def test_a_review_title_database_or_seed_of_the_wrong_kind_is_refused(tmp_path: Path) -> None:
    for line in ("title = 3", 'title = "t"\ndatabase = 3', 'title = "t"\nseed = -3'):
        (tmp_path / "review.toml").write_text(f"[review]\n{line}\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["-w", str(tmp_path), "status"])
        key = line.rsplit("\n", 1)[-1].split(" =")[0]
        said = "a whole number from 0 to 4294967295" if key == "seed" else f'text in quotes, e.g. {key} = "…"'
        line_number = len(f"[review]\n{line}".splitlines())  # the key's line: the last
        assert result.exit_code == 2
        assert result.stderr == f"review: {tmp_path / 'review.toml'}:review.{key}: must be {said} (line {line_number})\n"
        assert not (tmp_path / "3").exists()  # no store opened under the number


def test_lazy_command_map_matches_what_modules_register() -> None:
    """Every command is found where COMMAND_HOMES says, so lazy loading never misses one."""
    import click

    from review import cli

    full = cli.ReviewGroup(name="full")
    full.load_all()
    shared = set(cli.SHARED_COMMANDS)
    assert set(full.commands) == set(cli.COMMAND_HOMES) | shared
    for name, home in cli.COMMAND_HOMES.items():
        alone = cli.ReviewGroup(name="alone")
        alone.load(home)
        assert isinstance(alone.commands.get(name), click.Command), f"{name} not registered by cli.{home}"


def test_shared_command_homes_are_the_modules_that_add_to_them() -> None:
    """``SHARED_COMMANDS`` names every module that adds an ``export`` subcommand: one it missed would leave that
    subcommand out of ``review export`` (the group is loaded from those modules alone)."""
    from review import cli

    folder = Path(cli.__file__).parent
    adding = sorted(path.stem for path in folder.glob("*.py") if "export_group(group)" in path.read_text("utf-8"))
    assert sorted(cli.SHARED_COMMANDS["export"]) == adding


def test_an_export_loads_only_the_modules_that_add_to_export() -> None:
    """``review export …`` loads the three modules of ``SHARED_COMMANDS``, not every stage: it loaded synthesis
    (SciPy) and the instrument before, 1.3 s of CPU for each export."""
    import subprocess
    import sys

    code = ("import sys; from review.cli import main\n"
            "try:\n    main(['export', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('scipy', 'review.cli.synthesis', 'review.cli.instrument') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for subcommand in ("agreement", "decisions", "records", "screening", "searches"):
        assert f"  {subcommand} " in out
    assert out.strip().splitlines()[-1] == "[]"


def test_a_light_command_does_not_load_the_heavy_stages() -> None:
    import subprocess
    import sys

    code = ("import sys; from review.cli import main\n"
            "try:\n    main(['init', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sklearn', 'matplotlib', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_status_lists_every_stage_whichever_commands_loaded(tmp_path: Path) -> None:
    """``review status`` in a fresh process, where only its own command module loads: every stage
    still reports (the lines once depended on which CLI modules happened to be imported)."""
    import subprocess
    import sys

    assert CliRunner().invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    code = f"from review.cli import main; main(['-w', {str(tmp_path / 'ws')!r}, 'status'])"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    heads = [line.split()[0] for line in run.stdout.splitlines() if line and not line.startswith(" ")]
    assert heads == ["workspace", "title", "sources", "screening", "criteria", "search", "dedup", "prisma", "extraction",
                     "instrument"]


def test_an_init_that_fails_at_its_last_file_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    """All or nothing: review.toml is written last, and a failure there (a full disk, say) removes the store file,
    the stage folders, the starter files and the folders init made; a folder that was there keeps what it held."""
    import review.workspace as workspace_module
    from review.paths import WORKSPACE_FILE

    real_write = workspace_module.write_text_atomic

    def refuse_review_toml(path: Path, text: str) -> None:
        if path.name == WORKSPACE_FILE:
            raise OSError(28, "No space left on device")
        real_write(path, text)

    monkeypatch.setattr(workspace_module, "write_text_atomic", refuse_review_toml)
    new = tmp_path / "deep" / "ws"
    result = CliRunner().invoke(main, ["init", str(new)])
    assert result.exit_code != 0 and "No space left on device" in result.output
    assert not (tmp_path / "deep").exists()
    kept = tmp_path / "kept"
    (kept / "screening").mkdir(parents=True)
    (kept / "screening" / "criteria.toml").write_text("# mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(kept)])
    assert result.exit_code != 0
    assert sorted(str(p.relative_to(kept)) for p in kept.rglob("*")) == ["screening", "screening/criteria.toml"]
    assert (kept / "screening" / "criteria.toml").read_text(encoding="utf-8") == "# mine\n"
    monkeypatch.setattr(workspace_module, "write_text_atomic", real_write)
    assert CliRunner().invoke(main, ["init", str(new)]).exit_code == 0 and (new / "review.db").is_file()


def test_init_into_a_folder_holding_queries_example_toml_keeps_it(tmp_path: Path) -> None:
    """A user's own queries/example.toml was replaced by the template (the other starter files were not)."""
    (tmp_path / "ws" / "queries").mkdir(parents=True)
    mine = tmp_path / "ws" / "queries" / "example.toml"
    mine.write_text("# mine\nname = \"mine\"\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8") == "# mine\nname = \"mine\"\n"
    assert (tmp_path / "ws" / "screening" / "criteria.toml").is_file()


def test_status_names_a_bad_pubmed_dedup_or_fulltext_setting_under_its_stage(tmp_path: Path) -> None:
    """toml32: a bad [pubmed] or [fulltext] value went unsaid until review search or a full-text decision refused it
    (a misspelt [fulltext] key, or a negative rate, not even then); review status names each at once in review.toml's
    refusal shape, under its stage's line, as it names a query file review search refuses."""
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    clean = CliRunner().invoke(main, ["-w", str(root), "status"])
    assert clean.exit_code == 0 and "refuses it until" not in clean.stdout, clean.output
    with (root / "review.toml").open("a", encoding="utf-8") as config:
        config.write('\n[pubmed]\nrate_per_second = -1\n\n[fulltext]\nreason = ["Wrong population"]\n\n[dedup]\n'
                     'related = "bogus"\n')
    result = CliRunner().invoke(main, ["-w", str(root), "status"])
    assert result.exit_code == 0, result.output
    written = (root / "review.toml").read_text(encoding="utf-8").splitlines()
    lines = result.stdout.splitlines()
    rate_line, reason_line = (written.index(key) + 1 for key in ("rate_per_second = -1", 'reason = ["Wrong population"]'))
    pubmed = ("  review.toml:pubmed.rate_per_second: -1: expected requests per second, 0 or more (0: unpaced, for a "
              f"local stand-in) (line {rate_line}); review search refuses it until it is fixed")
    fulltext = (f"  review.toml:fulltext.reason: unknown key (known: reasons) (line {reason_line}); review fulltext "
                "refuses it until it is fixed")
    dedup = (f"  review.toml:dedup.related: 'bogus': expected 'link' or 'merge' (line {len(written)}); review dedup "
             "refuses it until it is fixed")  # (its check loads no engine: dedup.settings)
    assert pubmed in lines and fulltext in lines and dedup in lines, lines
    heads = {line.split()[0]: i for i, line in enumerate(lines) if line and not line.startswith(" ")}
    assert heads["search"] < lines.index(pubmed) < heads["dedup"]
    assert heads["prisma"] < lines.index(fulltext) < heads["extraction"]
    assert heads["dedup"] < lines.index(dedup) < heads["prisma"]


@pytest.mark.parametrize(("table", "said"), [
    ('[synthesis]\nmethod = "xyz"', "review.toml:synthesis.method: 'xyz': expected one of FE, DL, REML, ML, PM"),
    ("[synthesis.grade]\nois_events = -1", "review.toml:synthesis.grade.ois_events: -1: expected a number of events, 0 "
                                           "or more"),
    ('[extraction.quips]\ncollapse = "average"', "review.toml:extraction.quips.collapse: 'average': expected one of "
                                                  "grooten, worst_domain"),
])
def test_status_names_a_bad_synthesis_or_extraction_setting_under_extraction(tmp_path: Path, table: str,
                                                                             said: str) -> None:
    """left32b: a bad [synthesis] or [extraction] value went unsaid until review synthesis refused it; review status
    names it under the extraction lines (where synthesis.csv's state is said), its check loading no numpy or scipy
    (synthesis.settings; test_status_does_not_load_numpy_or_the_instrument_build)."""
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    with (root / "review.toml").open("a", encoding="utf-8") as config:
        config.write(f"\n{table}\n")
    result = CliRunner().invoke(main, ["-w", str(root), "status"])
    assert result.exit_code == 0, result.output
    written = (root / "review.toml").read_text(encoding="utf-8").splitlines()
    lines = result.stdout.splitlines()
    refused = f"  {said} (line {len(written)}); review synthesis refuses it until it is fixed"
    assert refused in lines, lines
    heads = {line.split()[0]: i for i, line in enumerate(lines) if line and not line.startswith(" ")}
    assert heads["extraction"] < lines.index(refused) < heads["instrument"]


def test_status_does_not_load_numpy_or_the_instrument_build(tmp_path: Path) -> None:
    """The dedup line reads the store only and the instrument line the item bank's file: loading the dedup engine
    (numpy) and the instrument's build and exports for them was about 0.2 s and 0.15 s of every ``review status``
    (benchmarks/status_scale.py)."""
    import subprocess
    import sys

    assert CliRunner().invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    assert CliRunner().invoke(main, ["-w", str(tmp_path / "ws"), "dedup"]).exit_code == 0  # the line past "not run"
    code = (f"import sys; from review.cli import main\ntry:\n    main(['-w', {str(tmp_path / 'ws')!r}, 'status'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('numpy', 'sklearn', 'scipy', 'review.instrument.project') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "dedup      0 clusters" in run.stdout, run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_status_turns_garbage_collection_back_on(tmp_path: Path) -> None:
    """``review status`` pauses the collector while it reads (benchmarks/status_scale.py) and restores it after."""
    import gc

    assert CliRunner().invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    assert gc.isenabled()
    try:
        result = CliRunner().invoke(main, ["-w", str(tmp_path / "ws"), "status"])
        assert result.exit_code == 0, result.output
        assert gc.isenabled()
        gc.disable()  # and leaves it off when it was off
        assert CliRunner().invoke(main, ["-w", str(tmp_path / "ws"), "status"]).exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_workspace_option_naming_no_folder_says_so(tmp_path: Path) -> None:
    """`review -w typo status` said 'typo: no review.toml here (run 'review init')' (fresh31): advice that would make
    a second, empty review beside the real one. A missing folder is named as such (click refuses a file); a folder
    without review.toml keeps its advice."""
    (tmp_path / "empty").mkdir()
    said = {}
    for name in ("typo", "empty"):
        result = CliRunner().invoke(main, ["--workspace", str(tmp_path / name), "status"])
        assert result.exit_code == 2, result.output
        said[name] = result.stderr.strip()
    assert said["typo"].endswith("typo: no such folder (a mistyped path? a workspace is the folder holding review.toml)")
    assert said["empty"].endswith("empty: no review.toml here (run 'review init')")
    assert all(line.count("\n") == 0 for line in said.values())
