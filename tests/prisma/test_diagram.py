"""The flow diagram at the sizes journals ask: every line inside its box, figure and type sizes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import FancyBboxPatch, Rectangle

from review.prisma.counts import compute_counts
from review.prisma.diagram import draw_diagram
from review.prisma.fulltext import record_fulltext
from review.store.fulltext import remove_records
from review.workspace import Workspace


@pytest.fixture
def long_labels(workspace: Workspace, add, screen_as):
    """Both columns, removals with reasons, several exclusion reasons and a review update: the
    longest boxes (the Dutch labels are longer still)."""
    pubmed = add(workspace, 8, "PubMed")
    add(workspace, 2, "ClinicalTrials.gov")
    cited = add(workspace, 3, "Citation searching")
    uwv = add(workspace, 2, "UWV kennisbank")
    remove_records(workspace.store, [pubmed[7]], "alice", "published before 2000")
    screen_as(workspace, pubmed[:7], "include")
    for record_id in pubmed[:7] + cited + uwv:
        record_fulltext(workspace.store, record_id, "alice", "sought")
    for record_id, reason in zip(pubmed[:3], ("Wrong population", "Wrong study design", "Wrong interv")):
        record_fulltext(workspace.store, record_id, "alice", "excluded", reason=reason)
    record_fulltext(workspace.store, cited[0], "alice", "excluded", reason="Language")
    return compute_counts(workspace.store, {"previous_studies": 4, "previous_reports": 6,
                                            "sources": {"UWV kennisbank": "organisation"}})


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_line_stays_inside_its_box(long_labels, lang: str) -> None:
    fig = draw_diagram(long_labels, lang)
    try:
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        boxes = [p.get_window_extent(renderer) for p in ax.patches
                 if isinstance(p, (Rectangle, FancyBboxPatch)) and p.get_width() > 0.5]
        outside = []
        for text in ax.texts:
            if not text.get_text() or text.get_rotation():  # phase labels stand in their own bars
                continue
            extent = text.get_window_extent(renderer)
            holders = [b for b in boxes if b.x0 <= extent.x0 + 0.5 and extent.y0 >= b.y0 - 0.5
                       and extent.y1 <= b.y1 + 0.5 and b.x0 <= extent.x1]
            if holders and not any(extent.x1 <= b.x1 + 0.5 for b in holders):
                outside.append(text.get_text())
        assert outside == []
    finally:
        plt.close(fig)


def _png_dpi(png: bytes) -> float:
    """Pixels per inch from the PNG's pHYs chunk."""
    import struct

    at = png.index(b"pHYs")
    per_metre, _, unit = struct.unpack(">IIB", png[at + 4:at + 13])
    assert unit == 1  # metres
    return per_metre * 0.0254


@pytest.mark.parametrize("other_methods", [False, True])
def test_the_diagram_fits_a_journal_page_at_readable_type(workspace: Workspace, add, long_labels,
                                                          other_methods: bool) -> None:
    """Full-page figures are at most 190 mm (7.5 in) wide at the major publishers (Elsevier,
    PLOS), type at least 7 pt at that size, raster images at least 300 dpi."""
    from review.prisma.diagram import render_png

    counts = long_labels if other_methods else compute_counts(workspace.store, {"sources": {
        "Citation searching": "database", "UWV kennisbank": "database"}})
    assert counts.has_other_methods == other_methods
    fig = draw_diagram(counts, "nl")
    try:
        assert fig.get_figwidth() <= 7.5
        sizes = {text.get_fontsize() for text in fig.axes[0].texts if text.get_text()}
        assert min(sizes) >= 7.0
    finally:
        plt.close(fig)
    assert round(_png_dpi(render_png(counts, "nl"))) >= 300


def test_duplicates_among_other_methods_are_footnoted(workspace: Workspace, add, monkeypatch) -> None:
    """The other-methods column has no duplicates box: without a word, 3 identified and 2 sought
    would not add up on the page (nor in prisma.csv)."""
    from review.prisma import counts as counts_module
    from review.prisma.diagram import render_svg

    cited = add(workspace, 3, "Citation searching")
    monkeypatch.setattr(counts_module, "duplicate_record_ids", lambda store, runs=None: ({cited[2]}, True))
    for record_id in cited[:2]:
        record_fulltext(workspace.store, record_id, "alice", "eligible")
    counts = compute_counts(workspace.store, {})
    assert (counts.n("citations_results"), counts.n("other_sought_reports")) == (3, 2)

    def text(lang: str) -> str:
        import xml.etree.ElementTree as ET

        root = ET.fromstring(render_svg(counts, lang))
        return " ".join(" ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")).split())

    assert "Other methods: duplicate records removed (n = 1); they were not sought for retrieval." in text("en")
    assert "Andere methoden: dubbele records verwijderd (n = 1); deze zijn niet opgevraagd." in text("nl")
    monkeypatch.setattr(counts_module, "duplicate_record_ids", lambda store, runs=None: (set(), True))
    counts = compute_counts(workspace.store, {})
    assert "Other methods:" not in text("en")


@pytest.mark.parametrize("other_methods", [False, True])
def test_an_updated_review_gets_the_previous_studies_column_of_the_template(
        workspace: Workspace, add, long_labels, other_methods: bool) -> None:
    """As the PRISMA 2020 template for updated reviews: the previous version's studies in a column
    of their own, carried down to the total, which the new studies' box joins from the right."""
    counts = long_labels if other_methods else compute_counts(workspace.store, {
        "previous_studies": 4, "previous_reports": 6,
        "sources": {"Citation searching": "database", "UWV kennisbank": "database"}})
    fig = draw_diagram(counts, "en")
    try:
        texts = {t.get_text(): t.get_position() for t in fig.axes[0].texts}
    finally:
        plt.close(fig)
    assert any(text.startswith("Previous") for text in texts)  # the column's header (wrapped)
    previous = next(pos for text, pos in texts.items() if text.startswith("Studies included"))
    total = next(pos for text, pos in texts.items() if text.startswith("Total studies"))
    new = next(pos for text, pos in texts.items() if text.startswith("New studies"))
    assert previous[0] == pytest.approx(total[0]) and total[0] < new[0]  # one column, left of the new studies
    assert previous[1] < new[1] and total[1] > new[1] - 0.3  # identification row down to the included row


def test_a_word_wider_than_its_box_is_cut_rather_than_run_past_the_edge() -> None:
    from review.prisma.diagram import PAD, Line, _text_width, _wrap

    reason = "Arbeidsongeschiktheidsverzekeringsgegevens ontbraken (n = 3)"  # a reason as a user typed it
    pieces = _wrap(Line(reason, indent=0.1), 1.0, 7.0)
    assert all(_text_width(p.text, 7.0, False) <= 1.0 - 2 * PAD - p.indent for p in pieces)
    assert "".join(p.text for p in pieces).replace(" ", "") == reason.replace(" ", "")
    assert pieces[-1].text.endswith("(n = 3)")


def test_the_dutch_diagram_says_why_counts_are_incomplete_in_dutch(workspace: Workspace, add, screen_as) -> None:
    import xml.etree.ElementTree as ET

    from review.prisma.diagram import render_svg

    pubmed = add(workspace, 5, "PubMed")
    cited = add(workspace, 1, "Citation searching")
    screen_as(workspace, pubmed[:2], "include")
    record_fulltext(workspace.store, pubmed[0], "alice", "sought")
    record_fulltext(workspace.store, pubmed[1], "alice", "eligible")
    record_fulltext(workspace.store, pubmed[1], "bob", "excluded", reason="Language")
    record_fulltext(workspace.store, pubmed[4], "alice", "not_retrieved")  # never screened: a real break
    counts = compute_counts(workspace.store, {})
    root = ET.fromstring(render_svg(counts, "nl"))
    text = " ".join(" ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")).split())
    # Pending work is 'in progress' (Bezig), an eligibility conflict too (walk20: it waits for its consensus);
    # only the report sought without passing screening is a real break (Telling onvolledig).
    assert "Bezig — databases en registers: geïdentificeerd − dubbel − door automatisering " \
           "uitgesloten − overige verwijderd = gescreend (5 ≠ 2); 3 records nog niet gescreend" in text
    assert "opgevraagd − niet verkregen = beoordeeld (2 ≠ 1); 1 rapport opgevraagd maar nog niet verkregen " \
           "of beoordeeld" in text
    assert "Telling onvolledig — databases en registers: gescreend − uitgesloten = opgevraagd" in text
    assert "1 rapport opgevraagd zonder de screening te passeren" in text
    assert "Bezig — databases en registers: beoordeeld − uitgesloten = opgenomen (1 ≠ 0); 1 rapport wacht op " \
           "consensus over de geschiktheid (de beoordelaars verschillen)" in text
    assert "Bezig — andere methoden: geïdentificeerd − dubbel = opgevraagd (1 ≠ 0); 1 record uit andere methoden " \
           "nog zonder opgevraagde volledige tekst" in text
    for english in ("not screened", "sought but not", "conflicting", "identified"):
        assert english not in text
    assert cited
    root = ET.fromstring(render_svg(counts, "en"))  # the English diagram words it as review prisma does
    english = " ".join(" ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")).split())
    broken = [c for c in counts.identities if not c.ok]
    assert len(broken) == 5 and all(f"{c.formula} ({c.left} ≠ {c.right}); "
                                    f"{c.progress() if c.in_progress else c.explanation}" in english for c in broken)
    # the report sought without passing screening alone is broken; the conflict waits for its consensus
    assert [(c.key, c.in_progress) for c in broken] == [
        ("screened", True), ("sought", False), ("other_sought", True), ("assessed", True), ("included", True)]


def test_an_identity_footnote_writes_its_numbers_as_the_boxes_do(workspace: Workspace, add) -> None:
    # walk28: the Dutch footnote read 'gescreend (1753 ≠ 0); 1.753 records nog niet gescreend', the sum's numbers
    # without the separator its reasons and the boxes use.
    from review.prisma.diagram import _footnotes

    add(workspace, 1200, "PubMed")
    counts = compute_counts(workspace.store, {})
    dutch = " ".join(note for note, _ in _footnotes(counts, "nl"))
    assert "= gescreend (1.200 ≠ 0); 1.200 records nog niet gescreend" in dutch
    english = " ".join(note for note, _ in _footnotes(counts, "en"))
    assert "= screened (1,200 ≠ 0); 1,200 records not screened yet" in english
