"""The programme's look-up screening (screening/): every candidate decided, with a reason and a source location."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from review.screening.criteria import parse_criteria
from review.tomlread import read_toml
from script_module import load_script

REPO = Path(__file__).resolve().parents[1]


def test_every_candidate_has_a_decision_reason_and_location() -> None:
    criteria = parse_criteria(read_toml(REPO / "screening" / "criteria.toml"), REPO / "screening" / "criteria.toml")
    with (REPO / "screening" / "lookup" / "candidates.csv").open(encoding="utf-8", newline="") as handle:
        candidates = list(csv.DictReader(handle))
    studies = {p.name.split(".")[0] for p in (REPO / "extraction" / "studies").glob("*.toml")}
    assert {c["id"] for c in candidates if c["label"] == "include"} == studies
    for c in candidates:
        assert c["label"] in ("include", "exclude", "maybe") and c["note"], c["id"]
        assert c["doi"] or c["pmid"] or c["url"] or c["id"] in studies, c["id"]  # traceable to a source
        if c["label"] == "exclude":
            assert c["reasons"] in criteria.exclusion_reasons, c["id"]
    with (REPO / "screening" / "decisions.csv").open(encoding="utf-8", newline="") as handle:
        decisions = list(csv.DictReader(handle))
    with (REPO / "screening" / "records.csv").open(encoding="utf-8", newline="") as handle:
        records = {r["record_id"]: r for r in csv.DictReader(handle)}
    by_id = {c["id"]: c for c in candidates}
    assert len(decisions) == len(candidates)
    for d in decisions:
        candidate = by_id[records[d["record_id"]]["external_id"]]
        assert (d["label"], d["reasons"], d["note"]) == (candidate["label"], candidate["reasons"], candidate["note"])


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_the_committed_decisions_and_records_are_what_review_export_writes_today(tmp_path: Path) -> None:
    """decisions.csv predated export decisions' resolved_by column (and its created_at offset) for a day: the
    committed files are re-made here from the look-up's rows by the script that made them, in a copy of the
    workspace, through review init/import/export. Only the decision times differ (they are when it ran)."""
    script = load_script("scripts/record_lookup_screening.py", "record_lookup_screening")
    for name in ("review.toml", "screening/criteria.toml", str(script.CANDIDATES)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, tmp_path / name)
    assert script.record(tmp_path) == 40
    assert (tmp_path / script.RECORDS).read_bytes() == (REPO / script.RECORDS).read_bytes()
    columns, exported = _rows(tmp_path / script.DECISIONS)
    committed_columns, committed = _rows(REPO / script.DECISIONS)
    assert committed_columns == columns  # (python scripts/record_lookup_screening.py re-makes both files)
    assert [{**row, "created_at": ""} for row in committed] == [{**row, "created_at": ""} for row in exported]
    iso_utc = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")
    assert all(iso_utc.fullmatch(row["created_at"]) for row in committed), committed[0]["created_at"]
    # The look-up's records were decided from its list by id, not taken from a ranked queue: they are picks, which the
    # recommended stopping rule leaves out of its trend (decision 0071). Recorded as taken from the queue, the list's
    # order was read as a ranking's once a search brought records still to screen.
    from review.records import Record
    from review.screening.session import ScreeningSession
    from review.workspace import Workspace

    workspace = Workspace(tmp_path)
    workspace.store.add_batch([Record(title="A record of the next search", external_id="next-1")], file_name="next.csv",
                              file_sha256="n" * 64, source_name="next search", format="csv", encoding="utf-8")
    progress = ScreeningSession(workspace, script.REVIEWER, seed=script.SEED).progress()
    assert (progress.screened, progress.picked, progress.no_verdict) == (40, 40, True), progress.stopping.explanation


def test_a_new_review_gets_general_fulltext_reasons_and_the_programme_keeps_its_own(tmp_path: Path) -> None:
    # A new review was offered "No prognostic factor analysed" at full text: the programme's reason.
    from review.services.prisma import fulltext_reasons
    from review.workspace import Workspace, init_workspace

    new = fulltext_reasons(init_workspace(tmp_path / "new", title="Sleep"))
    assert "Wrong population" in new and "Wrong intervention or exposure" in new
    assert not any("prognos" in reason.lower() for reason in new), new
    programme = fulltext_reasons(Workspace(REPO))
    assert "No prognostic factor analysed" in programme and "Wrong intervention or exposure" not in programme


def test_the_programme_and_the_demo_list_the_programmes_fulltext_reasons(tmp_path: Path) -> None:
    # The demo's topic is the programme's: it writes the programme's reasons into its review.toml (one list).
    from review.demo.build import DEMO_FULLTEXT
    from review.prisma.fulltext import PROGRAMME_REASONS
    from review.tomlread import loads_toml

    assert tuple(read_toml(REPO / "review.toml")["fulltext"]["reasons"]) == PROGRAMME_REASONS
    assert tuple(loads_toml(DEMO_FULLTEXT, "demo")["fulltext"]["reasons"]) == PROGRAMME_REASONS
