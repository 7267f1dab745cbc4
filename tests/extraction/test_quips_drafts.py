"""Unfinished QUIPS is a draft, not a malformed file: it loads, compares and shows its progress; only
the synthesis refuses it (naming file, field and line). Malformed QUIPS stays an error everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ValidationError
from review.extraction.factors import load_factors
from review.extraction.forms import check_study_data, load_form
from review.tomlread import read_toml_located
from review.extraction.loading import load_folder
from review.store import extraction as tables
from review.synthesis.factors import SynthesisSettings
from review.synthesis.run import synthesise_folder
from review.workspace import Workspace

from .helpers import DOMAINS, programme_folder, quips_table

def _quips(rater: str, rated: int = 6, notes: bool = True) -> str:
    return quips_table(rater, DOMAINS[:rated], DOMAINS if notes else ())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return programme_folder(tmp_path)


def _write(folder: Path, name: str, quips: str) -> Path:
    path = folder / "studies" / name
    text = (folder / "studies" / "endo2015.toml").read_text(encoding="utf-8").split("[quips")[0]
    path.write_text(text + quips, encoding="utf-8")
    return path


def _check(folder: Path, path: Path):  # type: ignore[no-untyped-def]
    data, located = read_toml_located(path)
    return check_study_data(data, str(path), form=load_form(folder), factors=load_factors(folder / "factors.toml"),
                            expected_id="endo2015", located=located)


def test_missing_domains_and_notes_are_unfinished_bad_values_are_malformed(folder: Path) -> None:
    half = _check(folder, _write(folder, "endo2015.toml", _quips("bob", rated=2)))
    assert half.problems == [] and len(half.incomplete) == 4
    assert "endo2015.toml:quips.bob.outcome_measurement: not rated" in half.incomplete[1]
    old = _check(folder, _write(folder, "endo2015.toml", _quips("bob", notes=False)))  # written before the notes
    assert old.problems == [] and len(old.incomplete) == 6 and "_note: no support text" in old.incomplete[0]
    bad = _check(folder, _write(folder, "endo2015.toml", _quips("bob", rated=2).replace('"low"', '"lowish"', 1)
                                + 'dropout = "low"\n'))
    assert [p.split(".toml:")[1].split(":")[0] for p in bad.problems] == ["quips.bob.participation",
                                                                          "quips.bob.dropout"]


def test_a_draft_loads_validates_compares_and_shows_its_progress(folder: Path, workspace: Workspace) -> None:
    _write(folder, "endo2015.toml", _quips("bob", rated=2))
    _write(folder, "endo2015.alice.toml", _quips("alice"))
    _write(folder, "endo2015.bob.toml", _quips("bob", rated=2))
    report = load_folder(workspace.store, folder, load_factors(folder / "factors.toml"))
    assert "endo2015" in report.loaded and "endo2015 (bob)" in report.loaded
    assert tables.quips_for(workspace.store, "endo2015")["bob"] == {"participation": "low", "attrition": "low"}
    runner = CliRunner()
    validate = runner.invoke(main, ["extraction", "validate", "--extraction", str(folder)])
    assert validate.exit_code == 0, validate.output
    assert "incomplete: " in validate.output and "quips.bob.analysis: not rated" in validate.output
    assert "2 with unfinished QUIPS (load as drafts; the synthesis refuses them): endo2015.bob.toml, " \
           "endo2015.toml" in validate.output
    quips = runner.invoke(main, ["extraction", "quips", "endo2015", "--extraction", str(folder)])
    assert quips.exit_code == 0, quips.output
    assert quips.stdout.splitlines()[1].split("\t")[:2] == ["endo2015", "incomplete (bob 2/6)"]
    compare = runner.invoke(main, ["extraction", "compare", "endo2015", "alice", "bob", "--quips",
                                   "--extraction", str(folder)])
    assert compare.exit_code == 1, compare.output
    assert "quips.bob.analysis\t\tnot rated" in compare.stdout.splitlines()
    assert "quips.bob.attrition\t\tlow" in compare.stdout.splitlines()


def test_malformed_quips_still_blocks_load(folder: Path, workspace: Workspace) -> None:
    _write(folder, "endo2015.toml", _quips("bob").replace('"low"', '"lowish"', 1))
    with pytest.raises(ValidationError, match=r"endo2015.toml:quips.bob.participation: 'lowish' not one of"):
        load_folder(workspace.store, folder, load_factors(folder / "factors.toml"))


def test_the_synthesis_refuses_a_draft_naming_file_field_and_line(folder: Path) -> None:
    path = _write(folder, "endo2015.toml", _quips("bob", rated=2))
    line = path.read_text(encoding="utf-8").splitlines().index("[quips.bob]") + 1
    with pytest.raises(ValidationError, match=rf"endo2015.toml:quips.bob.factor_measurement: not rated: .*"
                                              rf"\(line {line}\) \(\+3 more; run 'review extraction validate'\)"):
        synthesise_folder(folder, SynthesisSettings())


@pytest.mark.parametrize("key,edit", [
    ("domains", ('"confounding", ', "")),  # a review dropping a domain it thinks does not apply
    ("ratings", ('"moderate"', '"unclear"')),  # Cochrane RoB's scale in place of QUIPS's
])
def test_a_form_that_changes_quips_domains_or_scale_is_refused_naming_its_line(
        folder: Path, key: str, edit: tuple[str, str]) -> None:
    """Validation read the form's list while the collapse rule read QUIPS's six domains: with a domain
    dropped every study passed validation and then collapsed to "unrated" in the synthesis."""
    from review.extraction.forms import default_form_text

    form = default_form_text()
    line = next(n for n, text in enumerate(form.splitlines(), 1) if text.startswith(f"{key} = "))
    (folder / "form.toml").write_text(form.replace(*edit), encoding="utf-8")
    result = CliRunner().invoke(main, ["extraction", "validate", "--extraction", str(folder)])
    assert result.exit_code != 0
    message = result.output.strip()
    assert "\n" not in message and "Traceback" not in message
    assert f"form.toml:quips.{key}:" in message and f"(line {line})" in message


def test_raters_who_disagree_without_a_consensus_table_are_unfinished_and_the_synthesis_refuses(
        folder: Path) -> None:
    # Two complete tables that differ in two domains and no [quips.consensus]: the study collapsed to
    # 'unrated' (counted as moderate) and the synthesis ran without a word; a study's level fell from strong
    # to moderate in walk19's workspace. It is unfinished work, as a domain not rated is.
    bob = _quips("bob").replace('participation = "low"', 'participation = "high"').replace(
        'confounding = "low"', 'confounding = "moderate"')
    path = _write(folder, "endo2015.toml", _quips("alice") + "\n" + bob)
    line = path.read_text(encoding="utf-8").splitlines().index("[quips.alice]") + 1
    check = _check(folder, path)
    assert check.problems == []
    assert check.incomplete == [
        f"{path}:quips: the raters disagree on participation (alice low, bob high) and confounding (alice low, bob "
        f"moderate) and no [quips.consensus] settles them: add [quips.consensus] with all six agreed ratings "
        f"(line {line})"]
    with pytest.raises(ValidationError, match=r"endo2015.toml:quips: the raters disagree on participation"):
        synthesise_folder(folder, SynthesisSettings())
    consensus = _quips("consensus").replace('confounding = "low"', 'confounding = "moderate"')
    settled = _check(folder, _write(folder, "endo2015.toml", _quips("alice") + "\n" + bob + "\n" + consensus))
    assert settled.problems == [] and settled.incomplete == []


def test_review_extraction_quips_says_a_disagreement_is_unfinished(folder: Path) -> None:
    # Its rob column said 'unrated' for two complete tables that differ: read as "nobody rated it".
    bob = _quips("bob").replace('participation = "low"', 'participation = "high"')
    _write(folder, "endo2015.toml", _quips("alice") + "\n" + bob)
    quips = CliRunner().invoke(main, ["extraction", "quips", "endo2015", "--extraction", str(folder)])
    assert quips.exit_code == 0, quips.output
    assert quips.stdout.splitlines()[1].split("\t")[:2] == ["endo2015", "incomplete (no consensus on participation)"]
