"""`review instrument diff` names each study's changed number, old -> new, on constructed before/after banks."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from review.cli import main
from review.instrument.build import build_item_bank
from review.instrument.config import load_config
from review.instrument.diff import diff_banks
from review.instrument.evidence import parse_synthesis_csv, snapshot_of
from review.instrument.itembank import ItemBank, dumps_bank, load_templates, loads_bank

from .conftest import FIXED, SYNTHESIS

CONFLICT = "high vs low conflict"


def estimate(study: str, value: float | None, low: float | None = None, high: float | None = None, **more):
    """One study estimate as ``project.study_evidence`` writes it into the bank (since 2026-12-06)."""
    row = {"study": study, "label": study, "measure": "OR", "estimate": value, "ci_low": low, "ci_high": high,
           "contrast": CONFLICT, "subgroup": "", "ci_level": None, "status": "", "favourable": False, "outcome": "",
           "p": None, "estimate_type": "adjusted", "source_location": "Table 2"}
    row.update(more)
    return row


def bank_with(tmp_path: Path, questions_file: Path, *effects) -> ItemBank:
    path = tmp_path / "s.csv"
    path.write_text(SYNTHESIS, encoding="utf-8")
    evidence = parse_synthesis_csv(SYNTHESIS, path)
    bank = build_item_bank(evidence, load_templates(questions_file), load_config(None, {}),
                           snapshot_of(path, len(evidence), now=FIXED), built_at=FIXED,
                           effects={"supervisor_conflict": list(effects)})
    return loads_bank(dumps_bank(bank))  # as `instrument diff` reads the bank on disk


def lines(old: ItemBank, new: ItemBank) -> list[str]:
    return [c.line() for c in diff_banks(old, new)]


def test_a_corrected_estimate_and_its_interval_are_named_old_to_new(tmp_path, questions_file):
    # OR 1.8 corrected to 2.4: level, weight, k and the studies stayed, and the diff said "no changes".
    arends = estimate("arends2014", 2.59, 1.4, 4.8)
    old = bank_with(tmp_path, questions_file, arends, estimate("x2020", 1.8, 1.1, 2.9))
    new = bank_with(tmp_path, questions_file, arends, estimate("x2020", 2.4, 1.3, 4.4))
    assert old.digest() != new.digest()
    assert lines(old, new) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.8 [1.1-2.9] -> OR 2.4 [1.3-4.4]"]
    only_ci = bank_with(tmp_path, questions_file, arends, estimate("x2020", 1.8, 1.12, 2.9))
    assert lines(old, only_ci) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.8 [1.1-2.9] -> OR 1.8 [1.12-2.9]"]
    assert lines(old, old) == []


def test_a_study_with_a_p_value_and_no_interval_shows_its_p(tmp_path, questions_file):
    # Its status is the same before and after; only p moved, which decides its finding.
    status = "CI not reported in abstract"
    old = bank_with(tmp_path, questions_file, estimate("x2020", 1.5, p=0.04, status=status))
    new = bank_with(tmp_path, questions_file, estimate("x2020", 1.5, p=0.004, status=status))
    assert lines(old, new) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.5 (no CI), p 0.04 -> OR 1.5 (no CI), p 0.004"]
    # no number, a p beside its status (Hori 2019): the status stayed, the p was corrected
    unusable = "HR per unit of another scale"
    hori = bank_with(tmp_path, questions_file, estimate("x2020", None, p=0.019, status=unusable))
    fixed = bank_with(tmp_path, questions_file, estimate("x2020", None, p=0.01, status=unusable))
    assert lines(hori, fixed) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): no OR estimate, p 0.019 -> no OR estimate, p 0.01"]
    # the number found in the full text: its interval comes, the reason for its absence goes
    found = bank_with(tmp_path, questions_file, estimate("x2020", 1.5, 1.1, 2.0, p=0.04, source_location="Table 3"))
    assert lines(old, found) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.5 (no CI), status '{status}', source Table 2"
        " -> OR 1.5 [1.1-2.0], source Table 3"]


def test_which_way_a_study_without_a_number_went_is_compared(tmp_path, questions_file):
    # The outputs say it ('Koopmans 2010 (vrouwen): minder terugval, …', audit24); a corrected finding changed
    # what the expert reads while the diff said nothing.
    missing = "not reported in abstract"
    risk = bank_with(tmp_path, questions_file, estimate("x2020", None, status=missing, finding="risk"))
    null = bank_with(tmp_path, questions_file, estimate("x2020", None, status=missing, finding="null"))
    assert lines(risk, null) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): no OR estimate, finding risk -> no OR estimate, finding null"]
    # against a bank built before (no finding in its effects): only its format changed
    older = bank_with(tmp_path, questions_file, estimate("x2020", None, status=missing))
    assert lines(older, risk) == []


def test_adjustment_source_measure_and_level_are_compared(tmp_path, questions_file):
    old = bank_with(tmp_path, questions_file, estimate("x2020", 1.8, 1.1, 2.9))
    crude = bank_with(tmp_path, questions_file, estimate("x2020", 1.8, 1.1, 2.9, estimate_type="crude"))
    assert lines(old, crude) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.8 [1.1-2.9], adjusted -> OR 1.8 [1.1-2.9], crude"]
    moved = bank_with(tmp_path, questions_file, estimate("x2020", 1.8, 1.1, 2.9, source_location="Table 4"))
    assert lines(old, moved) == [f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.8 [1.1-2.9], source Table 2"
                                 " -> OR 1.8 [1.1-2.9], source Table 4"]
    hazard = bank_with(tmp_path, questions_file, estimate("x2020", 1.8, 1.1, 2.9, measure="HR", ci_level=0.9))
    assert lines(old, hazard) == [f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.8 [1.1-2.9], CI level 95%"
                                  " -> HR 1.8 [1.1-2.9], CI level 90%"]
    negative = bank_with(tmp_path, questions_file, estimate("x2020", -0.4, -0.9, 0.1, measure="MD"))
    assert lines(old, negative)[0].endswith("-> MD -0.4 [-0.9 to 0.1]")


def test_a_number_that_comes_or_goes_and_a_new_contrast_are_their_own_lines(tmp_path, questions_file):
    missing = "effect size not in abstract"
    old = bank_with(tmp_path, questions_file, estimate("arends2014", None, status=missing),
                    estimate("x2020", 1.8, 1.1, 2.9))
    new = bank_with(tmp_path, questions_file, estimate("arends2014", 2.59, 1.4, 4.8),
                    estimate("x2020", 1.8, 1.1, 2.9, contrast="per point", subgroup="women"))
    assert lines(old, new) == [
        f"~ supervisor_conflict: estimate arends2014 ({CONFLICT}): no OR estimate, status '{missing}'"
        " -> OR 2.59 [1.4-4.8]",
        f"~ supervisor_conflict: estimate removed x2020 ({CONFLICT}): OR 1.8 [1.1-2.9], adjusted, source Table 2",
        "~ supervisor_conflict: estimate added x2020 (per point; subgroup women): OR 1.8 [1.1-2.9], adjusted,"
        " source Table 2",
    ]


def test_two_estimates_of_one_study_for_the_same_contrast_pair_in_their_order(tmp_path, questions_file):
    # two cohorts of one paper, each an estimate: only the second changed
    old = bank_with(tmp_path, questions_file, estimate("x2020", 1.8, 1.1, 2.9), estimate("x2020", 1.3, 0.9, 1.9))
    new = bank_with(tmp_path, questions_file, estimate("x2020", 1.8, 1.1, 2.9), estimate("x2020", 1.35, 0.9, 1.9))
    assert lines(old, new) == [f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.3 [0.9-1.9] -> OR 1.35 [0.9-1.9]"]


def test_a_bank_built_before_the_new_fields_gives_no_format_only_lines(tmp_path, questions_file):
    # Such a bank has no estimate_type or source_location, and p only beside a number without its CI.
    def legacy(bank: ItemBank) -> ItemBank:
        for item in bank.items:
            for effect in item.effects:
                del effect["estimate_type"], effect["source_location"]
                if effect.get("ci_low") is not None:
                    effect.pop("p", None)
        return loads_bank(dumps_bank(bank))

    effects = (estimate("arends2014", 2.59, 1.4, 4.8, p=0.003), estimate("x2020", 1.5, p=0.04))
    new = bank_with(tmp_path, questions_file, *effects)
    old = legacy(bank_with(tmp_path, questions_file, *effects))
    assert "p" not in old.item("supervisor_conflict").effects[0]
    assert lines(old, new) == []
    # a number that changed is still named against such a bank, with what both banks hold
    changed = bank_with(tmp_path, questions_file, effects[0], estimate("x2020", 1.5, p=0.01, estimate_type="crude"))
    assert lines(old, changed) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.5 (no CI), p 0.04 -> OR 1.5 (no CI), p 0.01"]


def test_review_instrument_diff_names_a_corrected_number_in_a_study_file(workspace, monkeypatch):
    # The programme's own extraction: Arends 2014's OR for company size corrected in its study file.
    repo = Path(__file__).resolve().parents[2]
    shutil.rmtree(workspace.root / "extraction")
    shutil.copytree(repo / "extraction", workspace.root / "extraction")
    for name in ("questions.toml", "scoring.toml"):
        shutil.copy(repo / "instrument" / name, workspace.root / "instrument" / name)

    def run(*args: str):
        result = CliRunner().invoke(main, ["--workspace", str(workspace.root), "instrument", *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("build", "--no-exports")
    study = workspace.root / "extraction" / "studies" / "arends2014.toml"
    text = study.read_text(encoding="utf-8")
    assert text.count("estimate = 2.59") == 1
    study.write_text(text.replace("estimate = 2.59", "estimate = 2.95"), encoding="utf-8")
    assert ("~ company_size_gt100: estimate arends2014 (company size >100 employees): OR 2.59 [1.4-4.8]"
            " -> OR 2.95 [1.4-4.8]") in run("diff").splitlines()
    assert "company_size_gt100: estimate" in run("build", "--no-exports")


def test_a_crude_and_an_adjusted_number_of_one_contrast_are_told_apart(tmp_path, questions_file):
    # One study, one contrast, two numbers: paired by their order in the file, swapping them read as two
    # changed numbers, and dropping the crude one as 'crude 2.0 -> adjusted 1.5' plus the adjusted one removed.
    crude = estimate("x2020", 2.0, 1.2, 3.3, estimate_type="crude")
    adjusted = estimate("x2020", 1.5, 1.1, 2.0, estimate_type="adjusted")
    both = bank_with(tmp_path, questions_file, crude, adjusted)
    assert lines(both, bank_with(tmp_path, questions_file, adjusted, crude)) == []
    assert lines(both, bank_with(tmp_path, questions_file, adjusted)) == [
        f"~ supervisor_conflict: estimate removed x2020 ({CONFLICT}): OR 2.0 [1.2-3.3], crude, source Table 2"]
    corrected = estimate("x2020", 1.6, 1.1, 2.3, estimate_type="adjusted")
    assert lines(both, bank_with(tmp_path, questions_file, corrected, crude)) == [
        f"~ supervisor_conflict: estimate x2020 ({CONFLICT}): OR 1.5 [1.1-2.0] -> OR 1.6 [1.1-2.3]"]


def test_a_changed_grade_certainty_is_named(tmp_path, questions_file):
    # walk28: a reviewer's grade.toml judgement moved a factor's GRADE from low to moderate; every client report
    # prints it ('zekerheid (GRADE): redelijk') and signal_min_grade reads it, yet diff said only that the
    # evidence file changed.
    def bank(synthesis: str) -> ItemBank:
        path = tmp_path / "s.csv"
        path.write_text(synthesis, encoding="utf-8")
        evidence = parse_synthesis_csv(synthesis, path)
        built = build_item_bank(evidence, load_templates(questions_file), load_config(None, {}),
                                snapshot_of(path, len(evidence), now=FIXED), built_at=FIXED)
        return loads_bank(dumps_bank(built))

    before = "risk,moderate,ariens,arends2014;x2020,OR,2.21,1.21,4.04,,low,"
    assert before in SYNTHESIS
    old = bank(SYNTHESIS)
    new = bank(SYNTHESIS.replace(before, before.replace(",low,", ",moderate,")))
    assert [c.line() for c in diff_banks(old, new) if c.kind != "evidence"] == [
        "~ supervisor_conflict: grade low -> moderate"]


def test_a_signal_s_caution_is_named_when_it_changes(tmp_path, questions_file):
    # The caution every output prints beside a signal ('let op: nog niet bevestigd') came with a rebuild that
    # printed '(item bank format or content hash only)' (walk33: a second paper found to be of the same cohort).
    path = tmp_path / "s.csv"
    path.write_text(SYNTHESIS, encoding="utf-8")
    evidence = parse_synthesis_csv(SYNTHESIS, path)

    def built(agreeing):  # type: ignore[no-untyped-def]
        bank = build_item_bank(evidence, load_templates(questions_file), load_config(None, {}),
                               snapshot_of(path, len(evidence), now=FIXED), built_at=FIXED, agreeing=agreeing)
        return loads_bank(dumps_bank(bank))

    replicated = built({"company_size": ("arends2014", "b2020")})
    one_cohort = built({"company_size": ("arends2014+b2020",)})
    assert (replicated.item("company_size").caution, one_cohort.item("company_size").caution) == ("", "unreplicated")
    assert lines(replicated, one_cohort) == ["~ company_size: caution none -> unreplicated"]
    assert lines(one_cohort, replicated) == ["~ company_size: caution unreplicated -> none"]
