from __future__ import annotations

import csv
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from review import __version__
from review.prisma import write_outputs
from review.prisma.counts import PrismaCounts
from review.prisma.diagram import render_svg
from review.prisma.fulltext import record_fulltext
from review.prisma.labels import format_n, labels, n_text
from review.prisma.template import COLUMNS, DATA_NAMES, render_csv
from review.services.prisma import record_screening_stop as stop_screening
from review.tool_version import tool_version
from review.workspace import Workspace


@pytest.fixture
def flow(workspace: Workspace, add, screen_as) -> Workspace:
    """A small finished flow: 12 PubMed + 3 register records, 2 citation-searching records."""
    pubmed = add(workspace, 12, "PubMed")
    add(workspace, 3, "ClinicalTrials.gov")
    citations = add(workspace, 2, "Citation searching")
    screen_as(workspace, pubmed[:6], "exclude")
    screen_as(workspace, pubmed[6:10], "include")
    stop_screening(workspace, "alice", "stopping rule")
    for record_id in pubmed[6:10] + citations:
        record_fulltext(workspace.store, record_id, "alice", "sought")
    record_fulltext(workspace.store, pubmed[6], "alice", "not_retrieved", reason="no library access")
    record_fulltext(workspace.store, pubmed[7], "alice", "excluded", reason="Wrong population")
    record_fulltext(workspace.store, pubmed[8], "alice", "excluded", reason="Wrong study design")
    record_fulltext(workspace.store, pubmed[9], "alice", "eligible")
    for record_id in citations:
        record_fulltext(workspace.store, record_id, "alice", "eligible")
    return workspace


def _svg_text(svg: bytes) -> str:
    root = ET.fromstring(svg)  # raises on malformed XML
    pieces = ("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))
    return " ".join(" ".join(pieces).split())  # wrapped lines joined, whitespace collapsed


def _drawn_numbers(counts: PrismaCounts) -> list[int]:
    names = ["database_results", "register_results", "citations_results", "duplicates", "excluded_automatic",
             "excluded_other", "records_screened", "records_excluded", "dbr_sought_reports",
             "dbr_notretrieved_reports", "dbr_assessed", "dbr_excluded", "other_sought_reports",
             "other_notretrieved_reports", "other_assessed", "new_studies", "new_reports"]
    return [counts.n(name) for name in names] + list(counts.dbr_excluded_reasons.values())


def test_outputs_are_written_and_consistent(flow: Workspace) -> None:
    outputs = write_outputs(flow)
    out = flow.path("screening", "prisma")
    assert {p.name for p in out.iterdir()} == {"prisma.csv", "prisma.json", "prisma.svg", "prisma.png"}
    data = json.loads(outputs.json.read_text(encoding="utf-8"))
    assert data["counts"]["records_screened"] == 10 and data["counts"]["excluded_automatic"] == 5
    assert data["boxes"]["dbr_notretrieved_reports"] == [7]
    assert data["identities_ok"] is True
    assert data["sources"]["ClinicalTrials.gov"]["kind"] == "register"
    # The review that counted them (decision 0080), after the counts' keys.
    assert list(data)[-1] == "tool" and data["tool"] == tool_version().to_json()
    assert data["tool"]["version"] == __version__
    rows = {row["data"]: row for row in csv.DictReader(io.StringIO(outputs.csv.read_text(encoding="utf-8")))}
    assert rows["dbr_excluded"]["n"] == "Wrong population, 1; Wrong study design, 1"
    assert rows["new_studies"]["n"] == "3" and rows["citations_results"]["n"] == "2"


def test_csv_has_the_template_columns_and_data_names(flow: Workspace, shared) -> None:
    template = shared("fixtures", "prisma", "PRISMA2020_template.csv")
    with template.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected_rows = list(reader)
        expected_columns = reader.fieldnames
    from review.prisma import prisma_counts
    text = render_csv(prisma_counts(flow), "nl")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert tuple(reader.fieldnames or ()) == tuple(expected_columns) == COLUMNS
    assert [r["data"] for r in rows] == [r["data"] for r in expected_rows] == list(DATA_NAMES)
    # Everything the R package keys on is the template's own.
    for ours, theirs in zip(rows, expected_rows):
        assert (ours["node"], ours["box"], ours["url"]) == (theirs["node"], theirs["box"], theirs["url"])
    assert rows[DATA_NAMES.index("records_screened")]["boxtext"] == "Gescreende records"


def test_svg_is_well_formed_and_shows_every_number(flow: Workspace) -> None:
    from review.prisma import prisma_counts
    counts = prisma_counts(flow)
    for lang in ("en", "nl"):
        text = _svg_text(render_svg(counts, lang))
        for n in _drawn_numbers(counts):
            assert n_text(n, lang) in text
        for key in ("records_screened", "assessed", "identified_from", "othstud"):
            assert labels(lang)[key] in text
        reason = {"en": "Wrong study design", "nl": "Verkeerde onderzoeksopzet"}[lang]
        assert f"{reason} (n = 1)" in text


def test_png_is_rendered_at_page_width_in_the_chosen_directory(flow: Workspace, tmp_path: Path) -> None:
    outputs = write_outputs(flow, tmp_path / "elsewhere", "nl")
    assert outputs.png.parent == tmp_path / "elsewhere" and outputs.svg.exists()
    png = outputs.png.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 2250 and height > 1200  # 7.5 in at 300 dpi


@pytest.mark.parametrize("elsewhere", [False, True])
def test_the_files_review_prisma_checks_first_are_the_files_it_writes(flow: Workspace, tmp_path: Path,
                                                                      elsewhere: bool) -> None:
    """``review prisma`` checks its output files before the counting and drawing (``output_files``), and the
    writer names them again: a file the writer gained and the check did not would be written unchecked, after
    the others (a folder it cannot write then leaves new counts beside an old diagram)."""
    from review.services.prisma import output_files

    out = tmp_path / "flow" if elsewhere else None
    folder = out if out is not None else flow.path("screening", "prisma")
    outputs = write_outputs(flow, out)
    written = sorted(p for p in folder.iterdir() if p.is_file())
    assert written == sorted(output_files(flow, out))
    assert sorted([outputs.csv, outputs.json, outputs.svg, outputs.png]) == written


def test_broken_identities_are_footnoted_on_the_diagram(workspace: Workspace, add) -> None:
    add(workspace, 5, "PubMed")
    from review.prisma import prisma_counts
    text = _svg_text(render_svg(prisma_counts(workspace), "en"))
    assert "In progress — databases and registers: identified − duplicates − excluded by automation − other removals " \
           "= screened (5 ≠ 0); " \
           "5 records not screened yet" in text and "Counts incomplete" not in text


def test_large_numbers_use_the_language_separator() -> None:
    assert format_n(12345, "en") == "12,345" and format_n(12345, "nl") == "12.345"



def test_svg_is_deterministic(flow: Workspace) -> None:
    from review.prisma import prisma_counts
    counts = prisma_counts(flow)
    assert render_svg(counts, "en") == render_svg(counts, "en")


def test_footnotes_say_how_automation_was_used_without_internal_names(flow: Workspace) -> None:
    from review.prisma import prisma_counts
    counts = prisma_counts(flow)
    english = _svg_text(render_svg(counts, "en"))
    assert "Records identified from*:" in english and "Records excluded**" in english
    assert "*Consider, if feasible to do so" in english and "**If automation tools were used" in english
    assert "Records marked as ineligible by automation tools: 5." in english  # 15 identified - 10 screened
    assert "without a stopping rule's verdict to stop (stopping rule)" in english  # (the stop gave no verdict)
    assert "doi: 10.1136/bmj.n71" in english
    for internal in ("alice", "excluded_automatic", "databases_registers", "dbr_", "pending_"):
        assert internal not in english
    dutch = _svg_text(render_svg(counts, "nl"))
    assert "Verkeerde populatie (n = 1)" in dutch and "active learning" in dutch


@pytest.mark.parametrize(("verdict", "by_rule"), [
    ({"verdict": "stop", "rule": "recommended"}, True),   # the screening screen's stop when the rule said stop
    ({"rule": "hypergeometric", "recall": 0.95}, True),   # a rule's verdict given to review prisma stop --verdict
    ({}, False),                                          # review prisma stop "tired": no rule's verdict at all
    ({"verdict": "continue", "rule": "recommended"}, False),  # the screen's stop while the rule said continue
    ({"verdict": "sample-needed", "rule": "certified"}, False),  # the certified rule wants a sample: no stop said
])
def test_the_automation_footnote_credits_a_stopping_rule_only_when_one_said_stop(
        workspace: Workspace, add, screen_as, verdict: dict, by_rule: bool) -> None:
    """A walk recorded `review prisma stop "tired"` and the diagram said screening "stopped by a stopping rule
    (tired)": a methods reader takes that footnote as the rule's claim, so a stop no rule called says so."""
    from review.prisma import prisma_counts
    pubmed = add(workspace, 6, "PubMed")
    screen_as(workspace, pubmed[:3], "exclude")
    stop_screening(workspace, "alice", "tired", verdict=verdict)
    english = _svg_text(render_svg(prisma_counts(workspace), "en"))
    dutch = _svg_text(render_svg(prisma_counts(workspace), "nl"))
    assert bool(re.search(r"stopped by (a|the recommended) stopping rule[^;]*\(tired\)", english)) is by_rule
    assert ("the reviewers stopped screening without a stopping rule's verdict to stop (tired)" in english) is not by_rule
    assert bool(re.search(r"stopte volgens (een|de aanbevolen) stopregel[^;]*\(tired\)", dutch)) is by_rule
    assert ("zonder dat een stopregel tot stoppen besloot (tired)" in dutch) is not by_rule
    assert "Records marked as ineligible by automation tools: 3." in english


@pytest.mark.parametrize(("verdict", "english_rule", "dutch_rule"), [
    ({"verdict": "stop", "rule": "certified", "target_recall": 0.95, "confidence": 0.95, "sample_screened": 24},
     "stopped by the certified stopping rule (a random sample of 24 records tested recall of at least 95% at 95% "
     "confidence) (certified rule: 0 relevant)",
     "stopte volgens de gecertificeerde stopregel (een aselecte steekproef van 24 records toetste een recall van ten "
     "minste 95% met 95% betrouwbaarheid) (certified rule: 0 relevant)"),
    ({"verdict": "stop", "rule": "recommended", "target_recall": 0.975, "confidence": 0.95},
     "stopped by the recommended stopping rule (recall of at least 97.5% estimated from the ranking's trend and "
     "classifier scores, not from a random sample) (certified rule: 0 relevant)",
     "stopte volgens de aanbevolen stopregel (een recall van ten minste 97,5% geschat uit het verloop van de "
     "rangschikking en de scores van de classifier, niet uit een aselecte steekproef) (certified rule: 0 relevant)"),
    # report32 on the demo: a stop from the trend alone (22 found; the classifier is asked from 114) was said to be
    # estimated from "the ranking's trend and classifier scores": the verdict's estimate_from says which it was.
    ({"verdict": "stop", "rule": "recommended", "target_recall": 0.95, "confidence": 0.98, "estimate_from": "trend"},
     "stopped by the recommended stopping rule (recall of at least 95% estimated from the ranking's trend, not from "
     "a random sample) (certified rule: 0 relevant)",
     "stopte volgens de aanbevolen stopregel (een recall van ten minste 95% geschat uit het verloop van de "
     "rangschikking, niet uit een aselecte steekproef) (certified rule: 0 relevant)"),
    ({"verdict": "stop", "rule": "recommended", "target_recall": 0.95, "confidence": 0.8,
      "estimate_from": "classifier"},
     "stopped by the recommended stopping rule (recall of at least 95% estimated from the classifier's scores, not "
     "from a random sample) (certified rule: 0 relevant)",
     "stopte volgens de aanbevolen stopregel (een recall van ten minste 95% geschat uit de scores van de "
     "classifier, niet uit een aselecte steekproef) (certified rule: 0 relevant)"),
    ({"rule": "hypergeometric", "recall": 0.95}, "stopped by a stopping rule (certified rule: 0 relevant)",
     "stopte volgens een stopregel (certified rule: 0 relevant)"),
])
def test_the_automation_footnote_names_the_stopping_rule_and_its_claim(
        workspace: Workspace, add, screen_as, verdict: dict, english_rule: str, dutch_rule: str) -> None:
    """walk31: `review -r ben prisma stop "…"` under the certified rule (a random sample of 24, recall >= 95% at 95%
    confidence) gave "stopped by a stopping rule (<the text typed>)": a reader of the diagram could not tell a
    random sample's guarantee from the recommended rule's estimate, which a methods section must say."""
    from review.prisma import prisma_counts
    pubmed = add(workspace, 6, "PubMed")
    screen_as(workspace, pubmed[:3], "exclude")
    stop_screening(workspace, "alice", "certified rule: 0 relevant", verdict=verdict)
    english = _svg_text(render_svg(prisma_counts(workspace), "en"))
    dutch = _svg_text(render_svg(prisma_counts(workspace), "nl"))
    assert english_rule in english, english
    assert dutch_rule in dutch, dutch


@pytest.mark.parametrize("verdict", [{"verdict": "stop", "rule": "recommended"}, {}])
def test_a_stop_after_every_record_was_screened_credits_no_automation_with_the_end(
        workspace: Workspace, add, screen_as, verdict: dict) -> None:
    """walk20: every record screened, the screen still said "you may stop: press s", and the stop made the diagram
    say screening "stopped by a stopping rule (…); the 0 records left unscreened at the stop are counted as marked
    ineligible by automation tools": an end the rule did not make."""
    from review.prisma import prisma_counts
    pubmed = add(workspace, 3, "PubMed")
    screen_as(workspace, pubmed, "exclude")
    stop_screening(workspace, "alice", "SAFE: all screened", verdict=verdict)
    english = " ".join(_svg_text(render_svg(prisma_counts(workspace), "en")).split())
    dutch = " ".join(_svg_text(render_svg(prisma_counts(workspace), "nl")).split())
    assert ("the stop (SAFE: all screened) came after every record had been screened by a reviewer, so no record "
            "was marked ineligible by automation tools.") in english, english
    assert "stopped by a stopping rule" not in english and "without a stopping rule's verdict" not in english
    assert "kwam nadat elk record door een beoordelaar was gescreend" in dutch, dutch
    assert "Records marked as ineligible by automation tools: 0." in english


def test_a_stop_recorded_with_a_null_verdict_is_the_reviewers_own(workspace: Workspace, add, screen_as) -> None:
    """`review prisma stop --verdict '{"verdict": null}'` was accepted before it was refused: its note said the
    reviewers stopped while the diagram credited a stopping rule. Such a stored stop now reads as the note did."""
    from review.prisma import prisma_counts
    from review.store.fulltext import record_screening_stop as store_stop
    pubmed = add(workspace, 4, "PubMed")
    screen_as(workspace, pubmed[:1], "exclude")
    store_stop(workspace.store, "alice", "tired", n_unscreened=3, verdict={"verdict": None, "rule": "recommended"})
    english = _svg_text(render_svg(prisma_counts(workspace), "en"))
    assert "the reviewers stopped screening without a stopping rule's verdict to stop (tired)" in english
    assert "stopped by a stopping rule" not in english


def test_dutch_reasons_are_configurable(workspace: Workspace, add) -> None:
    from review.prisma.counts import compute_counts
    records = add(workspace, 1, "PubMed")
    record_fulltext(workspace.store, records[0], "alice", "excluded", reason="Wrong population")
    config = {"translations": {"nl": {"wrong population": "Andere doelgroep"}}}
    text = _svg_text(render_svg(compute_counts(workspace.store, config), "nl"))
    assert "Andere doelgroep (n = 1)" in text
    incomplete = _svg_text(render_svg(compute_counts(workspace.store, {}), "en"))
    assert "In progress — databases and registers:" in incomplete


def test_a_crash_while_drawing_leaves_the_last_whole_set_of_files(flow: Workspace, screen_as, add,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """kill -9 while matplotlib draws (the slow part) must not leave new counts beside an old
    diagram: no file of the set is replaced before every one is rendered."""
    import review.prisma.diagram as diagram

    out = write_outputs(flow)
    before = {p.name: p.read_bytes() for p in (out.csv, out.json, out.svg, out.png)}
    screen_as(flow, add(flow, 2, "PubMed"), "exclude")  # the flow changes

    def killed(*args: object, **kwargs: object) -> bytes:
        raise SystemExit(-9)

    monkeypatch.setattr(diagram, "render_png", killed)
    with pytest.raises(SystemExit):
        write_outputs(flow)
    assert {p.name: p.read_bytes() for p in (out.csv, out.json, out.svg, out.png)} == before
    assert not [p.name for p in out.csv.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_whose_records_name_two_databases_is_a_batch_of_each_with_its_share(workspace: Workspace) -> None:
    # An Ovid MEDLINE-layout file names each record's database: prisma.json listed the whole file (3 records)
    # under one source and none under the other, so a source's batches did not add up to its n.
    from review.records import Record

    records = [Record(title=f"record {i}", year=2020, source=name)
               for i, name in enumerate(["PsycInfo", "PsycInfo", "Embase"])]
    workspace.store.add_batch(records, file_name="ovid.txt", file_sha256="f" * 64, source_name="PsycInfo",
                              format="medline", encoding="utf-8")
    sources = json.loads(write_outputs(workspace).json.read_text(encoding="utf-8"))["sources"]
    for name, n in (("PsycInfo", 2), ("Embase", 1)):
        [batch] = sources[name]["batches"]
        assert sources[name]["n"] == n and batch["n_in_source"] == n
        assert batch["file_name"] == "ovid.txt" and batch["n_records"] == 3  # the file's own count stays


def test_a_stop_whose_unscreened_rest_was_then_screened_does_not_say_it_came_after_every_record(
        workspace: Workspace, add, screen_as) -> None:
    """A stop that left records unscreened, after which the reviewers screened them all, leaves no record marked
    ineligible by automation: the footnote said the stop 'came after every record had been screened by a
    reviewer', which is not what happened (the stop left 2)."""
    from review.prisma import prisma_counts
    pubmed = add(workspace, 3, "PubMed")
    screen_as(workspace, pubmed[:1], "exclude")
    assert stop_screening(workspace, "alice", "SAFE: rule met", verdict={"verdict": "stop"}).n_unscreened == 2
    screen_as(workspace, pubmed[1:], "exclude")
    english = " ".join(_svg_text(render_svg(prisma_counts(workspace), "en")).split())
    dutch = " ".join(_svg_text(render_svg(prisma_counts(workspace), "nl")).split())
    assert "came after every record had been screened" not in english, english
    assert ("none of the records left unscreened at the stop (SAFE: rule met; 2 records) is still unscreened (a "
            "reviewer screened it afterwards, or it was removed before screening), so no record was marked "
            "ineligible by automation tools.") in english, english
    assert "kwam nadat elk record" not in dutch and "daarna door een beoordelaar gescreend" in dutch, dutch
    assert "Records marked as ineligible by automation tools: 0." in english


def test_a_stop_whose_unscreened_rest_was_partly_screened_after_says_how_many_it_left(
        workspace: Workspace, add, screen_as) -> None:
    """The stop left 3 records; a reviewer then screened 1: the automation box holds 2, and the footnote's 'the 2
    records left unscreened at the stop' is said beside how many the stop left (it read as if it left 2)."""
    from review.prisma import prisma_counts
    pubmed = add(workspace, 4, "PubMed")
    screen_as(workspace, pubmed[:1], "exclude")
    assert stop_screening(workspace, "alice", "SAFE: rule met", verdict={"verdict": "stop"}).n_unscreened == 3
    screen_as(workspace, pubmed[1:2], "exclude")
    english = " ".join(_svg_text(render_svg(prisma_counts(workspace), "en")).split())
    dutch = " ".join(_svg_text(render_svg(prisma_counts(workspace), "nl")).split())
    assert "Records marked as ineligible by automation tools: 2." in english, english
    assert ("Of the 3 records left unscreened at the stop, 1 record no longer unscreened (screened by a reviewer "
            "afterwards, or removed before screening) is not counted there.") in english, english
    assert "Van de 3 records die bij de stop niet gescreend waren, is 1 record niet meer ongescreend" in dutch, dutch
    # a second one screened: the plural in both languages
    screen_as(workspace, pubmed[2:3], "exclude")
    english = " ".join(_svg_text(render_svg(prisma_counts(workspace), "en")).split())
    dutch = " ".join(_svg_text(render_svg(prisma_counts(workspace), "nl")).split())
    assert ("Of the 3 records left unscreened at the stop, 2 records no longer unscreened (screened by a reviewer "
            "afterwards, or removed before screening) are not counted there.") in english, english
    assert "Van de 3 records die bij de stop niet gescreend waren, zijn 2 records niet meer ongescreend" in dutch, dutch


def test_prisma_json_names_an_imported_file_as_the_prisma_s_appendix_does(workspace: Workspace, tmp_path: Path) -> None:
    """report32: prisma.json, written into the workspace's screening/prisma/ (a folder meant for git, like the search
    logs), gave each import batch's full path ('/home/anna/Downloads/embase.ris'), where the PRISMA-S appendix and the
    search logs name a file outside the workspace by its name alone (sources.md: the path shows the user's home)."""
    from click.testing import CliRunner

    from review.cli import main

    export = tmp_path / "Downloads" / "embase.ris"
    export.parent.mkdir()
    export.write_text("TY  - JOUR\nTI  - An Embase record\nER  - \n", encoding="utf-8")
    assert CliRunner().invoke(main, ["-w", str(workspace.root), "import", str(export)]).exit_code == 0
    text = write_outputs(workspace).json.read_text(encoding="utf-8")
    assert str(tmp_path) not in text
    [batch] = json.loads(text)["sources"]["embase"]["batches"]
    assert batch["file_name"] == "embase.ris"
