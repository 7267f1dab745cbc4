"""A synthesis row the study files do not give never reaches the instrument (audit24).

The item bank weighs a factor by its row's evidence level and shows its direction, certainty and pooled number.
A hand-edited synthesis.csv (or one written before a study file changed) made conflict with the supervisor, one
study rated 'some' and 'very low', a scored item of weight 3 shown as strong, high-certainty evidence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from review.cli import main
from review.errors import ImportFormatError

REPO = Path(__file__).resolve().parents[2]


def _programme(workspace) -> Path:  # type: ignore[no-untyped-def]
    """The programme's extraction folder and question files in a fresh workspace; its synthesis.csv."""
    shutil.rmtree(workspace.root / "extraction")
    shutil.copytree(REPO / "extraction", workspace.root / "extraction")
    for name in ("questions.toml", "scoring.toml"):
        shutil.copy(REPO / "instrument" / name, workspace.root / "instrument" / name)
    return workspace.root / "extraction" / "synthesis.csv"


def _edit(synthesis: Path, factor: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in ``factor``'s row; its line number."""
    lines = synthesis.read_text(encoding="utf-8").splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if line.startswith(f"{factor},")]
    assert old in lines[index]
    lines[index] = lines[index].replace(old, new, 1)
    synthesis.write_text("".join(lines), encoding="utf-8")
    return index + 1


def _run(workspace, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--workspace", str(workspace.root), "instrument", *args])


def test_the_programme_synthesis_is_what_its_study_files_give(workspace):
    _programme(workspace)
    result = _run(workspace, "build", "--no-exports")
    assert result.exit_code == 0, result.output
    assert (workspace.root / "instrument" / "item_bank.toml").is_file()


def test_a_level_and_certainty_no_study_gives_are_refused_by_build_and_diff(workspace):
    synthesis = _programme(workspace)
    assert _run(workspace, "build", "--no-exports").exit_code == 0
    bank = workspace.root / "instrument" / "item_bank.toml"
    built = bank.read_bytes()
    line = _edit(synthesis, "conflict_with_supervisor", ",risk,some,ariens,arends2014,,,,,,very low,",
                 ",risk,strong,ariens,arends2014,,,,,,high,")
    for command in ("build", "diff"):
        result = _run(workspace, command)
        assert result.exit_code == ImportFormatError.exit_code, result.output
        assert result.output == (
            f"review: {synthesis}:line {line}: factor 'conflict_with_supervisor': level 'strong', the study files "
            "give 'some'; grade 'high', the study files give 'very low' (rule set ariens): run review synthesis, "
            "or correct the row\n")
    assert bank.read_bytes() == built  # nothing written


def test_a_direction_or_studies_the_files_do_not_give_are_refused(workspace):
    synthesis = _programme(workspace)
    text = synthesis.read_text(encoding="utf-8")
    line = _edit(synthesis, "chronic_disease", ",protective,some,", ",risk,some,")
    with pytest.raises(ImportFormatError, match=rf":line {line}: factor 'chronic_disease': direction 'risk', the "
                                                r"study files give 'protective' \(rule set ariens\)"):
        _compile(workspace)
    synthesis.write_text(text, encoding="utf-8")
    # A study whose file exists but that gave no finding on the factor
    _edit(synthesis, "company_size_gt100", ",arends2014,", ",arends2014;endo2015,")
    with pytest.raises(ImportFormatError, match="studies arends2014;endo2015, the study files give arends2014 "):
        _compile(workspace)


def test_a_stale_synthesis_is_refused_once_a_study_file_changes(workspace):
    # The study file corrected (Arends 2014's conflict OR read as non-significant), synthesis.csv not re-run:
    # the bank would still show the factor as an indicated risk.
    _programme(workspace)
    study = workspace.root / "extraction" / "studies" / "arends2014.toml"
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("ci_low = 1.21\n", "ci_low = 0.91\n", 1), encoding="utf-8")
    with pytest.raises(ImportFormatError, match="factor 'conflict_with_supervisor': direction 'risk', the study "
                                                "files give 'none'"):
        _compile(workspace)
    study.write_text(text, encoding="utf-8")
    _compile(workspace)


def test_a_misspelt_synthesis_setting_is_refused_not_a_reason_to_skip_the_check(workspace):
    # rrev24b: the re-run skipped every row on any error of the settings, so a misspelt key in [synthesis] (refused
    # by review synthesis since 8c9c286e) built the hand-edited strong/high row unchecked, exit 0.
    synthesis = _programme(workspace)
    _edit(synthesis, "conflict_with_supervisor", ",risk,some,ariens,arends2014,,,,,,very low,",
          ",risk,strong,ariens,arends2014,,,,,,high,")
    config = workspace.root / "review.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[synthesis]\nconsistancy = 0.75\n", encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index("consistancy = 0.75") + 1
    result = _run(workspace, "build", "--no-exports")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"review: {config}:synthesis.consistancy: unknown key"), result.output
    assert result.output.endswith(f" (line {line})\n"), result.output
    assert not (workspace.root / "instrument" / "item_bank.toml").exists()


def test_a_row_naming_a_study_without_its_file_is_left_to_the_warning(workspace):
    # Nothing to re-run it on: the build's warning names the study (test_cli), the row is not refused.
    synthesis = _programme(workspace)
    _edit(synthesis, "conflict_with_supervisor", ",risk,some,ariens,arends2014,", ",risk,strong,ariens,gone2020,")
    bank = _compile(workspace)
    assert bank.item("conflict_with_supervisor").level == "strong"


def _compile(workspace):  # type: ignore[no-untyped-def]
    from review.instrument.project import compile_bank

    return compile_bank(workspace)


def test_base_rates_that_do_not_trace_to_a_study_file_are_named_by_build(workspace):
    # The base rates are typed into scoring.toml and shown in every profile; the tool checked none of their numbers
    # (only a test of the programme's own did): a '25 % of 9,904 … within 7 years' built without a word (audit24).
    _programme(workspace)
    result = _run(workspace, "build", "--no-exports")
    assert result.exit_code == 0 and "warning" not in result.output, result.output  # the programme's trace
    scoring = workspace.root / "instrument" / "scoring.toml"
    text = scoring.read_text(encoding="utf-8")
    wrong = (text.replace('text_en = "19 % of 9,904', 'text_en = "25 % of 9,904', 1)
             .replace("binnen 3 jaar", "binnen 4 jaar", 1)
             .replace("doi:10.1007/s00420-014-0939-4", "doi:10.9999/not-a-study", 1))
    assert wrong.count("25 % of 9,904") == 1 and "binnen 4 jaar" in wrong and "10.9999" in wrong
    scoring.write_text(wrong, encoding="utf-8")
    result = _run(workspace, "build", "--no-exports")
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("review: warning:")]
    assert line == (
        "review: warning: 2 base rates in instrument/scoring.toml do not trace to a study file, so every profile "
        "shows numbers no study of extraction/studies/ holds: 'Koopmans et al., Int Arch Occup Environ Health 2011, "
        "doi:10.1007/s00420-010-0540-4': 25, 4 not in koopmans2011's study file; 'Endo et al., Int Arch Occup "
        "Environ Health 2015, doi:10.9999/not-a-study': no study file in extraction/studies/ has doi "
        "10.9999/not-a-study")


def test_a_base_rate_number_is_read_in_the_language_it_is_written_in():
    from review.extraction import Study
    from review.instrument.base_rates import untraced_base_rates
    from review.instrument.config import BaseRate

    study = Study(id="s2020", cohort_id="s2020", citation="S A. Title. J 2020;1:1-2.", country="NL", design="cohort",
                  evidence_type="empirical", outcome_definition="recurrence", data_source="abstract",
                  doi="10.1/x", n=1250, base_rate="312 (24.96 %) recurred", follow_up="1.5 years")
    rate = BaseRate(text_nl="25 % van 1.250 werknemers, 312 in 1,5 jaar", text_en="25 % of 1,250 employees, 312 in "
                    "1.5 years", source="S 2020, doi:10.1/X")
    assert untraced_base_rates([rate], [study]) == []  # 25 rounds 24.96; the DOI matched whatever its case
    dutch_read_as_english = BaseRate(text_nl="1,5 jaar", text_en="1,5 years", source="doi:10.1/x")
    assert untraced_base_rates([dutch_read_as_english], [study]) == [
        "'doi:10.1/x': 1,5 not in s2020's study file"]
    assert untraced_base_rates([BaseRate("x", "x", "Smith 2020")], [study]) == [
        "'Smith 2020': names no study by its DOI (doi:10.…)"]


def test_a_base_rate_finds_its_study_whichever_way_either_writes_the_doi():
    # rrev24b: a study file's doi written 'https://doi.org/10.…' (the form takes any text), or a source citing the
    # DOI as a link, read 'no study file in extraction/studies/ has doi …' although the study was there.
    from review.extraction import Study
    from review.instrument.base_rates import untraced_base_rates
    from review.instrument.config import BaseRate

    study = Study(id="s2020", cohort_id="s2020", citation="S A. Title. J 2020;1:1-2.", country="NL", design="cohort",
                  evidence_type="empirical", outcome_definition="recurrence", data_source="abstract",
                  doi="https://doi.org/10.1/X", n=1250)
    linked = BaseRate(text_nl="1.250 werknemers", text_en="1,250 employees", source="S 2020, https://doi.org/10.1/x")
    cited = BaseRate(text_nl="1.250 werknemers", text_en="1,250 employees", source="S 2020, doi:10.1/x.")
    assert untraced_base_rates([linked, cited], [study]) == []


def test_a_row_the_files_do_not_give_is_named_by_its_line_after_a_line_break_in_a_cell(workspace):
    """rrev24b: the refusal counted rows ("line N" = row + 1), and an explanation typed over two lines in a row
    above (a spreadsheet's Alt+Enter) made it name the line before the row."""
    import csv
    import io

    synthesis = _programme(workspace)
    rows = list(csv.reader(io.StringIO(synthesis.read_text(encoding="utf-8"), newline="")))
    rows[1][-1] += "\n(checked by hand)"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    synthesis.write_text(buffer.getvalue(), encoding="utf-8")
    assert _run(workspace, "build", "--no-exports").exit_code == 0  # (the line break alone is no refusal)
    line = _edit(synthesis, "conflict_with_supervisor", ",risk,some,ariens,arends2014,,,,,,very low,",
                 ",risk,strong,ariens,arends2014,,,,,,high,")
    row = [r[0] for r in rows].index("conflict_with_supervisor") + 1
    assert line == row + 1  # (the row's physical line is one past its count)
    result = _run(workspace, "build", "--no-exports")
    assert result.exit_code == ImportFormatError.exit_code
    assert result.output.startswith(f"review: {synthesis}:line {line}: factor 'conflict_with_supervisor': "), \
        result.output


def test_a_study_file_with_numbers_but_no_doi_or_pmid_is_named_not_refused(workspace, monkeypatch):
    """audit24 traced every number the instrument shows to its paper through the study's DOI or PMID; a study file
    giving effect numbers without either (all 15 programme files have a DOI) went through without a word."""
    _programme(workspace)
    study = workspace.root / "extraction" / "studies" / "arends2014.toml"
    study.write_text(study.read_text(encoding="utf-8").replace('doi = "10.5271/sjweh.3384"\n', ""),
                     encoding="utf-8")
    warning = ("review: warning: {}: effect numbers but neither doi nor pmid, so they cannot be traced to their "
               "source (add the paper's doi or pmid)\n")
    synthesis = CliRunner().invoke(main, ["--workspace", str(workspace.root), "synthesis", "--no-plots"])
    assert synthesis.exit_code == 0, synthesis.output
    assert [line for line in synthesis.stderr.splitlines(keepends=True) if "warning" in line] == [
        warning.format(workspace.root / "extraction" / "studies" / "arends2014.toml")]
    build = _run(workspace, "build", "--no-exports")
    assert build.exit_code == 0, build.output
    assert [line for line in build.stderr.splitlines(keepends=True) if "warning" in line] == [
        warning.format("extraction/studies/arends2014.toml")]
    # From the workspace's root both commands name the file from there, as the error lines do (walk28: the
    # synthesis named it in full, the build from the root).
    monkeypatch.chdir(workspace.root)
    synthesis = CliRunner().invoke(main, ["synthesis", "--no-plots"])
    assert [line for line in synthesis.stderr.splitlines(keepends=True) if "warning" in line] == [
        warning.format("extraction/studies/arends2014.toml")]
    # A PMID traces the numbers as well as a DOI does.
    study.write_text(study.read_text(encoding="utf-8").replace('citation = ', 'pmid = "24226853"\ncitation = ', 1),
                     encoding="utf-8")
    assert "warning" not in _run(workspace, "build", "--no-exports").stderr


def test_own_data_without_a_doi_is_not_named_as_untraceable(workspace):
    # walk28: the study file 'review validate factors --to-extraction' writes was told to 'add the paper's doi or
    # pmid' by every synthesis and build; own data have no paper, and each estimate names its data file and hash.
    _programme(workspace)
    own = workspace.root / "extraction" / "studies" / "own_cohort.toml"
    own.write_text('[study]\nid = "own_cohort"\ncohort_id = "own_cohort"\ncitation = "Own data: cohort.csv"\n'
                   'country = "NL"\ndesign = "cohort"\nevidence_type = "empirical"\n'
                   'outcome_definition = "column \'recurrence\' of cohort.csv"\ndata_source = "own data"\n\n'
                   '[[estimates]]\nfactor = "conflict_with_supervisor"\ncontrast = "present vs absent"\n'
                   'measure = "HR"\nestimate = 1.69\nci_low = 1.28\nci_high = 2.23\nestimate_type = "adjusted"\n'
                   'source_kind = "own data"\n'
                   'source_location = "review validate factors cohort.csv (sha256:76cd51de5cd45fc4; 2026-12-07)"\n',
                   encoding="utf-8")
    synthesis = CliRunner().invoke(main, ["--workspace", str(workspace.root), "synthesis", "--no-plots"])
    assert synthesis.exit_code == 0, synthesis.output
    assert "own_cohort" in synthesis.stdout and "neither doi nor pmid" not in synthesis.stderr
    own.write_text(own.read_text(encoding="utf-8").replace('data_source = "own data"', 'data_source = "full text"'),
                   encoding="utf-8")  # the same numbers from a paper are named
    synthesis = CliRunner().invoke(main, ["--workspace", str(workspace.root), "synthesis", "--no-plots"])
    assert "own_cohort.toml: effect numbers but neither doi nor pmid" in synthesis.stderr
