"""``review status`` says whether the study files and the studies included at full text agree, matched by the doi or
pmid a study file names: included studies without a study file, study files for records not included (or excluded
since), and what cannot be matched (a file or an included study without either identifier)."""

from __future__ import annotations

import csv
import io

from review.prisma.fulltext import link_reports, record_fulltext
from review.services.sources import export_records
from review.records import Record
from review.services.workspace import workspace_status
from review.workspace import Workspace


def _records(workspace: Workspace, *records: Record) -> list[int]:
    workspace.store.add_batch(list(records), file_name="pubmed.ris", file_sha256="1" * 64, source_name="PubMed",
                              format="ris", encoding="utf-8")
    return [r.id for r in workspace.store.records() if r.id is not None]


def _study_file(workspace: Workspace, name: str, **study: str) -> None:
    folder = workspace.root / "extraction" / "studies"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f'id = "{name}"', *(f'{key} = "{value}"' for key, value in study.items())]
    (folder / f"{name}.toml").write_text("[study]\n" + "\n".join(lines) + "\n", encoding="utf-8")


def _extraction_lines(workspace: Workspace) -> list[str]:
    lines = workspace_status(workspace)
    start = next(i for i, line in enumerate(lines) if line.startswith("extraction "))
    return [line for line in lines[start + 1:] if line.startswith("  ")]


def _judge(workspace: Workspace, record_id: int, event: str, reason: str = "", reviewer: str = "alice") -> None:
    record_fulltext(workspace.store, record_id, reviewer, "retrieved")
    record_fulltext(workspace.store, record_id, reviewer, event, reason=reason)


def test_study_files_are_matched_to_the_included_studies_by_doi_or_pmid_and_each_disagreement_is_named(
        workspace: Workspace) -> None:
    ids = _records(workspace,
                   Record(title="one", pmid="101"), Record(title="two", doi="10.1000/two"),
                   Record(title="two, a second report", doi="10.1000/two-b"), Record(title="four", pmid="104"),
                   Record(title="five", pmid="105"), Record(title="six", pmid="106"), Record(title="seven"))
    one, two, two_b, four, five, six, seven = ids
    for record_id in (one, two, two_b, four, seven):
        _judge(workspace, record_id, "eligible")
    link_reports(workspace.store, two, [two_b], "alice")
    _judge(workspace, five, "excluded", "Wrong outcome")
    workspace.store.add_decision(six, "alice", "exclude")
    _study_file(workspace, "one2020", pmid="PMID: 101")
    _study_file(workspace, "two2021", doi="https://doi.org/10.1000/TWO-B")  # the second report's: the same study
    _study_file(workspace, "five2019", pmid="105")
    _study_file(workspace, "six2018", pmid="106")
    _study_file(workspace, "elsewhere2017", pmid="999")
    _study_file(workspace, "bare2016", citation="no identifier")
    _study_file(workspace, "ours2024", data_source="own data")  # the programme's own data: no paper to match
    assert _extraction_lines(workspace) == [
        f"  1 included study without a study file: #{four} (pmid 104) (a study file matches by any one of these)",
        f"  2 study files for records not included: studies/five2019.toml (#{five}, excluded at full text (Wrong "
        f"outcome)), studies/six2018.toml (#{six}, excluded at title and abstract)",
        "  1 study file naming a doi or pmid no record has: studies/elsewhere2017.toml",
        "  1 study file naming neither doi nor pmid, not matched: studies/bare2016.toml",
        f"  1 included study whose records have neither doi nor pmid, not matched: #{seven}",
    ]
    # one excluded since (a consensus at full text): its study file is now one for a record not included
    record_fulltext(workspace.store, one, "consensus", "excluded", reason="Wrong population")
    assert (f"  3 study files for records not included: studies/five2019.toml (#{five}, excluded at full text (Wrong "
            f"outcome)), studies/one2020.toml (#{one}, excluded at full text (Wrong population)), studies/six2018.toml "
            f"(#{six}, excluded at title and abstract)") in _extraction_lines(workspace)


def test_study_files_that_match_the_included_studies_say_so_and_none_included_yet_says_that(
        workspace: Workspace) -> None:
    one, two = _records(workspace, Record(title="one", pmid="101"), Record(title="two", doi="10.1000/two"))
    _study_file(workspace, "one2020", pmid="101")
    assert _extraction_lines(workspace) == ["  1 study file, but no study included at full text yet (review fulltext "
                                           "eligible records an inclusion): not matched"]
    _judge(workspace, one, "eligible")
    assert _extraction_lines(workspace) == ["  study files match the 1 included study (by doi or pmid)"]
    _judge(workspace, two, "eligible")
    _study_file(workspace, "two2021", doi="10.1000/two")
    assert _extraction_lines(workspace) == ["  study files match the 2 included studies (by doi or pmid)"]


def test_a_workspace_without_study_files_or_inclusions_or_records_gets_no_line(workspace: Workspace) -> None:
    _study_file(workspace, "one2020", pmid="101")
    assert _extraction_lines(workspace) == []  # no record at all: nothing to match (the review kept elsewhere)
    (workspace.root / "extraction" / "studies" / "one2020.toml").unlink()
    _records(workspace, Record(title="one", pmid="101"))
    assert _extraction_lines(workspace) == []


def test_extraction_validate_warns_of_the_disagreements_and_keeps_its_exit_status(
        workspace: Workspace, monkeypatch) -> None:
    # The programme's 15 study files, one of them (arends2014) the paper of the one study included: the other 14 name
    # papers no record of this workspace has. Warnings on stderr; the files are valid, so the exit status stays 0.
    import shutil

    from click.testing import CliRunner

    from review.cli import main

    from .helpers import REPO

    shutil.copytree(REPO / "extraction" / "studies", workspace.root / "extraction" / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", workspace.root / "extraction")
    (arends,) = _records(workspace, Record(title="Arends 2014", doi="10.5271/sjweh.3384"))
    _judge(workspace, arends, "eligible")
    monkeypatch.chdir(workspace.root)
    result = CliRunner().invoke(main, ["extraction", "validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("15 study files valid")
    assert result.stderr.splitlines() == [
        "review: warning: 14 study files naming a doi or pmid no record has: studies/endo2013.toml, "
        "studies/endo2015.toml, studies/ervasti2013.toml (+11 more: review status --all lists them)"]


def test_the_study_table_is_read_from_the_head_of_a_file_or_else_from_the_whole_file() -> None:
    # Only [study] is read (its head when it comes first: 120 study files 9.7 ms against 34.9 ms parsed whole); a
    # file in another order, a '[' inside a value, or a multi-line string with a line starting '[' read as a whole.
    import tomllib

    from review.services.extraction import _study_table

    texts = [
        '[study]\nid = "a"\ndoi = "10.1/a"\n\n[[estimates]]\nfactor = "x"\n',
        '[[estimates]]\nfactor = "x"\n\n[study]\nid = "a"\npmid = "12"\n',
        '# [a comment]\n[study]\nid = "a"\ncitation = "A [2019] b"\npmid = "12"\n[[estimates]]\nfactor = "x"\n',
        '[study]\nid = "a"\nnotes = """one\n[not a table]\n"""\npmid = "12"\n[[estimates]]\nfactor = "x"\n',
    ]
    for text in texts:
        assert _study_table(text) == tomllib.loads(text)["study"]


def test_a_study_file_that_cannot_be_read_is_said_unmatched(workspace: Workspace) -> None:
    (one,) = _records(workspace, Record(title="one", pmid="101"))
    _judge(workspace, one, "eligible")
    _study_file(workspace, "one2020", pmid="101")
    (workspace.root / "extraction" / "studies" / "broken.toml").write_text("[study\nid =", encoding="utf-8")
    assert _extraction_lines(workspace) == [
        "  1 study file that cannot be read, not matched: studies/broken.toml (review extraction validate)"]


def test_a_study_file_saved_with_a_byte_order_mark_is_matched(workspace: Workspace) -> None:
    # Notepad saves UTF-8 with a BOM; every reader of study files drops it (tomlread), so validate and the synthesis
    # read the file: the match must too, not call it a file that cannot be read.
    (one,) = _records(workspace, Record(title="one", pmid="101"))
    _judge(workspace, one, "eligible")
    _study_file(workspace, "one2020", pmid="101")
    path = workspace.root / "extraction" / "studies" / "one2020.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert _extraction_lines(workspace) == ["  study files match the 1 included study (by doi or pmid)"]


def test_before_any_inclusion_and_any_study_file_the_records_identifiers_are_not_read(
        workspace: Workspace, monkeypatch) -> None:
    # A large review at the screening stage has nothing to match: review status must not read every record's doi and
    # pmid, the full-text states and the clusters for it (0.2 s of CPU a status at 50,000 records).
    import review.store.extraction

    ids = _records(workspace, Record(title="one", pmid="101"), Record(title="two", doi="10.1000/two"))
    workspace.store.add_decision(ids[0], "alice", "include")

    def not_read(*_args: object) -> None:
        raise AssertionError("record identifiers read with nothing to match")

    monkeypatch.setattr(review.store.extraction, "record_identifiers", not_read)
    assert _extraction_lines(workspace) == []


def test_extraction_validate_checks_the_files_when_the_store_cannot_be_reached(
        workspace: Workspace, monkeypatch, tmp_path) -> None:
    # A team's PostgreSQL server out of reach (offline, the VPN down): validate checks files, which it did without
    # the store before the included-studies match came in; it said only 'cannot connect', exit 1, and no file checked.
    from click.testing import CliRunner

    from review.cli import main

    import shutil

    from .helpers import REPO

    shutil.copytree(REPO / "extraction" / "studies", workspace.root / "extraction" / "studies")
    shutil.copy(REPO / "extraction" / "factors.toml", workspace.root / "extraction")
    monkeypatch.setenv("REVIEW_DATABASE_URL", f"postgresql://alice@/review?host={tmp_path}&port=1")
    monkeypatch.chdir(workspace.root)
    result = CliRunner().invoke(main, ["extraction", "validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("15 study files valid")
    (line,) = result.stderr.splitlines()
    assert line.startswith("review: warning: study files not matched to the included studies: database ")
    assert "cannot connect" in line


def test_a_study_file_naming_a_records_other_doi_is_matched(workspace: Workspace) -> None:
    # An export may give a paper two DOIs (its old and new, or its translation's; MEDLINE's second [doi]): import keeps
    # the first as the record's doi and the others in extra["other_dois"], which dedup matches on. A study file naming
    # one of those is the paper's file, not one "naming a doi no record has" beside a study "without a study file".
    (one,) = _records(workspace, Record(title="one", doi="10.1000/one", extra={"other_dois": ["10.1000/one-old"]}))
    _judge(workspace, one, "eligible")
    _study_file(workspace, "one2020", doi="https://doi.org/10.1000/ONE-OLD")
    assert _extraction_lines(workspace) == ["  study files match the 1 included study (by doi or pmid)"]


def test_an_included_study_whose_duplicate_set_aside_has_the_identifiers_is_matched_by_them(
        workspace: Workspace) -> None:
    # Dedup keeps the richest copy (an abstract outweighs a PMID): here the Embase copy without doi or pmid, the
    # PubMed copy holding both set aside as its duplicate. The study is identified by its group's identifiers: a
    # study file naming the PMID is its file, and without one the study is one "without a study file", not one
    # "whose records have neither doi nor pmid".
    from review.dedup.decisions import canonical_of
    from review.dedup.run import run_dedup

    from ..dedup.helpers import record

    kept, duplicate = _records(workspace, record(doi="", pmid=""), record(abstract="", pmid="24388863"))
    run_dedup(workspace)
    assert canonical_of(workspace.store) == {duplicate: kept}
    _judge(workspace, kept, "eligible")
    # The line names the doi and pmid it matches by: it sent the reader to review export records, whose row of the kept record
    # has neither doi nor pmid (the duplicate holding them is a row of its own, unlinked to it).
    assert _extraction_lines(workspace) == [
        f"  1 included study without a study file: #{kept} (doi 10.1016/j.peptides.2013.12.015 or pmid 24388863) (a "
        "study file matches by any one of these)"]
    rows = {row["record_id"]: row for row in csv.DictReader(io.StringIO(export_records(workspace, "csv").text))}
    assert (rows[str(kept)]["doi"], rows[str(kept)]["pmid"]) == ("", "")
    _study_file(workspace, "tashiro2014", pmid="24388863")
    assert _extraction_lines(workspace) == ["  study files match the 1 included study (by doi or pmid)"]


def test_an_included_study_without_a_file_is_named_with_each_identifier_a_file_may_match_it_by(
        workspace: Workspace) -> None:
    # Its record's doi and pmid first, then its linked report's: any one of them makes a study file the study's.
    first, second, third = _records(workspace, Record(title="a", doi="10.1000/A", pmid="101"),
                                    Record(title="a, follow-up", doi="10.1000/a-2"), Record(title="b", pmid="102"))
    for record_id in (first, second, third):
        _judge(workspace, record_id, "eligible")
    link_reports(workspace.store, first, [second], "alice")
    assert _extraction_lines(workspace) == [
        f"  2 included studies without a study file: #{first} (doi 10.1000/a or pmid 101 or 1 more), #{third} "
        "(pmid 102) (a study file matches by any one of these)"]
    _study_file(workspace, "a2020", doi="10.1000/a-2")  # the third, unnamed: the follow-up's
    assert _extraction_lines(workspace) == [
        f"  1 included study without a study file: #{third} (pmid 102) (a study file matches by any one of these)"]


def test_a_list_cut_at_three_says_how_to_see_it_whole_and_status_all_names_every_one(workspace: Workspace) -> None:
    # toml32: '5 included studies without a study file: #1 (pmid 100), #2 (pmid 101), #3 (pmid 102) (+2 more)', and no
    # way to see the other two; the line says where they are, and `review status --all` names them all.
    from click.testing import CliRunner

    from review.cli import main

    ids = _records(workspace, *(Record(title=f"study {n}", pmid=str(100 + n)) for n in range(5)))
    for record_id in ids:
        _judge(workspace, record_id, "eligible")
    named = [f"#{record_id} (pmid {100 + n})" for n, record_id in enumerate(ids)]
    assert _extraction_lines(workspace) == [
        f"  5 included studies without a study file: {', '.join(named[:3])} (+2 more: review status --all lists them) "
        "(a study file matches by any one of these)"]
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "status", "--all"])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "without a study file" in line] == [
        f"  5 included studies without a study file: {', '.join(named)} (a study file matches by any one of these)"]
