"""Term highlighting and structured abstracts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from review.records import Record
from review.tui.highlight import (
    EXCLUDE_STYLE, INCLUDE_STYLE, Criteria, CriteriaWatcher, highlight, render_record,
    structured_abstract, term_pattern,
)
from review.workspace import Workspace
from saved_files import save_later


def spans(text: Text, style: str) -> list[str]:
    return [text.plain[s.start:s.end] for s in text.spans if s.style == style]


def test_wildcards_word_boundaries_and_phrases() -> None:
    pattern = term_pattern(["recurren*", "randomi?ed", "sickness absence", "RTW"])
    assert pattern is not None
    found = [m.group(0) for m in pattern.finditer(
        "Recurrence and recurrent; randomised, randomized; Sickness  absence; RTWs; RTW.")]
    assert found == ["Recurrence", "recurrent", "randomised", "randomized", "Sickness  absence", "RTW"]
    assert term_pattern(["", "  "]) is None


def test_include_and_exclude_get_their_own_colours() -> None:
    criteria = Criteria(include=("depress*",), exclude=("child*",))
    text = highlight(Text("Depressed children and depression"), criteria)
    assert spans(text, INCLUDE_STYLE) == ["Depressed", "depression"]
    assert spans(text, EXCLUDE_STYLE) == ["children"]


def test_structured_abstract_keeps_sections() -> None:
    text = structured_abstract("Intro. BACKGROUND: One. MATERIALS AND METHODS: Two. RESULTS: 3.5%.")
    assert text.plain.split("\n") == ["Intro.", "BACKGROUND: One.", "MATERIALS AND METHODS: Two.",
                                      "RESULTS: 3.5%."]
    assert "bold" in {str(s.style) for s in text.spans}


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=300))
def test_structured_abstract_never_loses_words(abstract: str) -> None:
    assert structured_abstract(abstract).plain.split() == abstract.split()


def test_record_shows_every_field() -> None:
    record = Record(id=3, title="T", abstract="A", authors=[f"A{i}" for i in range(9)], year=2020,
                    journal="J", pmid="1", doi="10.1/x", keywords=["k1"], mesh=["M1"], source="PubMed")
    plain = render_record(record, Criteria(), note="check").plain
    for part in ("T", "A0; A1", "(+3)", "2020 · J", "PMID 1", "doi 10.1/x", "#3 PubMed",
                 "Keywords: k1", "MeSH: M1", "Note: check"):
        assert part in plain


def test_watcher_reloads_and_survives_a_broken_file(workspace: Workspace) -> None:
    path = workspace.path("screening", "criteria.toml")
    path.unlink(missing_ok=True)  # new workspaces get an example file
    watcher = CriteriaWatcher(workspace)
    assert watcher.criteria.include == () and not watcher.poll()
    path.write_text('exclusion_reasons = ["x"]\n[include]\nterms = ["a"]\n', encoding="utf-8")
    assert watcher.poll() and watcher.criteria.include == ("a",) and watcher.criteria.reasons == ("x",)
    save_later(path, "[include\n")
    # A broken save keeps the last good criteria (terms, reasons) and says so in one line.
    assert watcher.poll() and watcher.criteria.include == ("a",) and watcher.criteria.reasons == ("x",)
    assert "criteria.toml" in watcher.criteria.error and "last good criteria" in watcher.criteria.error
    assert "\n" not in watcher.criteria.error
    save_later(path, '[include]\nterms = ["b"]\n', 2)
    assert watcher.poll() and watcher.criteria.include == ("b",) and not watcher.criteria.error


def test_the_watcher_reads_the_sessions_file_so_a_save_the_retrain_read_first_still_shows(workspace: Workspace) -> None:
    from review.services.screening import open_session

    session = open_session(workspace, "alice", quick_start=True)
    watcher = CriteriaWatcher(workspace, session.criteria_file)
    assert watcher.source is session.criteria_file and not watcher.poll()
    path = watcher.path
    save_later(path, 'include = ["osteoarthritis"]\n')
    assert session.reload_criteria() == ""  # a retrain (its first step) reads the save before the screen polls
    assert session.criteria.include_terms == ("osteoarthritis",)
    assert watcher.poll() and watcher.criteria.include == ("osteoarthritis",)  # the highlighting follows
    assert not watcher.poll()
    save_later(path, 'include = ["osteo\n', 2)  # half-saved: both keep the last good terms
    assert watcher.poll() and watcher.criteria.include == ("osteoarthritis",) and "last good" in watcher.criteria.error
    assert session.criteria.include_terms == ("osteoarthritis",) and session.reload_criteria() == ""
