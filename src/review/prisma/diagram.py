"""The PRISMA 2020 flow diagram, drawn with matplotlib (Agg) to SVG and PNG.

Layout follows the PRISMA 2020 templates: phase bars on the left (Identification, Screening,
Included), the databases-and-registers column with its side boxes of removals and exclusions,
and, when any source is an "other method", a second column whose assessed reports flow into the
shared included box. For an updated review (``[prisma] previous_studies``/``previous_reports``)
a "Previous studies" column on the left, as in the template for updated reviews, carries the
previous version's studies down to the total, which the new studies join. Boxes are sized from measured text, so
long reasons wrap instead of overflowing; the page is at most 7.5 in (190 mm) wide at 7–8 pt type.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import FancyBboxPatch, Rectangle  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402

from .counts import KIND_BOX, OTHER_KINDS, SOURCE_KINDS, PrismaCounts  # noqa: E402
from ..levels import level_percent  # noqa: E402
from .labels import format_n, labels, n_text, reason_text  # noqa: E402
from .stop import stopped_by_rule  # noqa: E402

__all__ = ["draw_diagram", "render_svg", "render_png"]

PHASE_FILL = "#a9c4eb"
HEADER_FILL = "#ffc000"
OTHER_HEADER_FILL = "#d9d9d9"
EDGE = "#000000"
PAD = 0.07  # inches inside a box
ROW_GAP = 0.32  # inches between rows (room for arrows)
LINE_SPACING = 1.22
#: Words for wrapping; "(n = 12)" is one unbreakable token.
_TOKENS = re.compile(r"\(n = [^)]*\)\S*|\S+")


@dataclass(slots=True)
class Line:
    text: str
    indent: float = 0.0  # inches
    center: bool = False
    bold: bool = False


@dataclass(slots=True)
class Box:
    x: float
    width: float
    lines: list[Line]
    fill: str = "white"
    rounded: bool = False
    y: float = 0.0  # top, inches from the top of the page
    height: float = 0.0
    wrapped: list[Line] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width


@dataclass(slots=True)
class Geometry:
    width: float
    font: float
    phase_x: float
    phase_w: float
    main_x: float
    main_w: float
    side_x: float
    side_w: float
    other_x: float = 0.0
    other_w: float = 0.0
    other_side_x: float = 0.0
    other_side_w: float = 0.0
    prev_x: float = 0.0  # the "Previous studies" column of an updated review
    prev_w: float = 0.0


# At most 7.5 in (190 mm) wide, the widest full-page figure the major publishers print (Elsevier,
# PLOS), so no journal has to shrink the type below MIN_TYPE; PNG_DPI is their raster minimum.
SINGLE = Geometry(width=7.5, font=8.0, phase_x=0.12, phase_w=0.34, main_x=0.62, main_w=3.05,
                  side_x=4.17, side_w=3.2)
DOUBLE = Geometry(width=7.5, font=7.0, phase_x=0.08, phase_w=0.28, main_x=0.46, main_w=1.62,
                  side_x=2.3, side_w=1.66, other_x=4.2, other_w=1.44, other_side_x=5.86, other_side_w=1.56)
SINGLE_UPDATE = Geometry(width=7.5, font=8.0, phase_x=0.12, phase_w=0.34, prev_x=0.58, prev_w=1.62,
                         main_x=2.46, main_w=2.3, side_x=5.0, side_w=2.4)
DOUBLE_UPDATE = Geometry(width=7.5, font=7.0, phase_x=0.08, phase_w=0.28, prev_x=0.44, prev_w=1.04,
                         main_x=1.68, main_w=1.22, side_x=3.1, side_w=1.44, other_x=4.74, other_w=1.18,
                         other_side_x=6.12, other_side_w=1.3)
#: Smallest type on the page, footnotes included (points).
MIN_TYPE = 7.0
PNG_DPI = 300


# -- text measurement ------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _text_width(text: str, size: float, bold: bool) -> float:
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    width, _height, _descent = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    return width / 72.0


def _wrap(line: Line, width: float, size: float) -> list[Line]:
    # Continuation lines of an indented item hang a little further in, so they have less room.
    hang = 0.0 if line.center else 0.12

    def room(lines_before: int) -> float:
        return width - 2 * PAD - line.indent - (hang if lines_before else 0.0)

    def fits(text: str, lines_before: int) -> bool:
        return _text_width(text, size, line.bold) <= room(lines_before)

    out: list[str] = []
    current = ""
    for word in _TOKENS.findall(line.text):
        candidate = f"{current} {word}".strip()
        if current and not fits(candidate, len(out)):
            out.append(current)
            candidate = word
        # A word wider than the box (a long compound in a reason) is cut: text never leaves its box.
        while len(candidate) > 1 and not fits(candidate, len(out)):
            cut = max([i for i in range(1, len(candidate)) if fits(candidate[:i], len(out))], default=1)
            out.append(candidate[:cut])
            candidate = candidate[cut:]
        current = candidate
    out.append(current)
    return [Line(text, line.indent + (hang if i else 0.0), line.center, line.bold) for i, text in enumerate(out)]


def _layout(box: Box, size: float) -> None:
    box.wrapped = [piece for line in box.lines for piece in _wrap(line, box.width, size)]
    box.height = 2 * PAD + len(box.wrapped) * size * LINE_SPACING / 72.0


# -- box contents ----------------------------------------------------------------------------
def _source_lines(counts: PrismaCounts, kinds: tuple[str, ...], lang: str) -> list[Line]:
    text = labels(lang)
    # The template marks the databases/registers column with * (its first footnote).
    marker = "*" if "database" in kinds else ""
    lines = [Line(text["identified_from"].rstrip(":") + marker + ":", bold=True)]
    for kind in kinds:
        key = KIND_BOX[kind]
        lines.append(Line(f"{text[key]} {n_text(counts.n(key), lang)}", indent=0.1))
        named = [s for s in counts.sources.values() if s.kind == kind]
        generic = {text[key].casefold(), labels("en")[key].casefold()}
        if len(named) > 1 or (named and named[0].name.casefold() not in generic):
            lines.extend(Line(f"{s.name or '?'} {n_text(s.n, lang)}", indent=0.26) for s in named)
    return lines


def _removed_lines(counts: PrismaCounts, lang: str) -> list[Line]:
    text = labels(lang)
    lines = [
        Line(text["removed_before"], bold=True),
        Line(f"{text['duplicates']} {n_text(counts.n('duplicates'), lang)}", indent=0.1),
        Line(f"{text['excluded_automatic']} {n_text(counts.n('excluded_automatic'), lang)}", indent=0.1),
        Line(f"{text['excluded_other']} {n_text(counts.n('excluded_other'), lang)}", indent=0.1),
    ]
    lines.extend(Line(f"{reason_text(reason, lang, counts.translations)} {n_text(n, lang)}", indent=0.26)
                 for reason, n in counts.excluded_other_reasons.items())
    return lines


def _titled(title: str, n: int, lang: str) -> list[Line]:
    return [Line(title, center=True), Line(n_text(n, lang), center=True)]


def _reason_lines(title: str, reasons: dict[str, int], total: int, lang: str,
                  translations: dict[str, dict[str, str]] | None = None) -> list[Line]:
    if not reasons:
        return _titled(title.rstrip(":"), total, lang)
    lines = [Line(f"{title.rstrip(':')} {n_text(total, lang)}:", bold=True)]
    lines.extend(Line(f"{reason_text(reason, lang, translations)} {n_text(n, lang)}", indent=0.1)
                 for reason, n in reasons.items())
    return lines


def _updated(counts: PrismaCounts) -> bool:
    """An updated review: studies (or reports) included in a previous version."""
    return bool(counts.previous_studies or counts.previous_reports)


def _included_lines(counts: PrismaCounts, lang: str) -> list[Line]:
    text = labels(lang)
    if _updated(counts):
        return [
            Line(f"{text['new_studies']} {n_text(counts.n('new_studies'), lang)}", center=True),
            Line(f"{text['new_reports']} {n_text(counts.n('new_reports'), lang)}", center=True),
        ]
    return [
        Line(f"{text['studies_included']} {n_text(counts.n('new_studies'), lang)}", center=True),
        Line(f"{text['reports_included']} {n_text(counts.n('new_reports'), lang)}", center=True),
    ]


# -- drawing ---------------------------------------------------------------------------------
def draw_diagram(counts: PrismaCounts, lang: str = "en") -> Figure:
    """Lay out and draw the flow diagram; the caller saves or closes the figure."""
    text = labels(lang)
    other = counts.has_other_methods
    updated = _updated(counts)
    g = (DOUBLE_UPDATE if updated else DOUBLE) if other else (SINGLE_UPDATE if updated else SINGLE)
    size = g.font

    header = Box(g.main_x, g.side_x + g.side_w - g.main_x, [Line(text["newstud"], center=True, bold=True)],
                 fill=HEADER_FILL, rounded=True)
    rows: list[list[Box]] = [
        [Box(g.main_x, g.main_w, _source_lines(counts, ("database", "register"), lang)),
         Box(g.side_x, g.side_w, _removed_lines(counts, lang))],
        [Box(g.main_x, g.main_w, _titled(text["records_screened"], counts.n("records_screened"), lang)),
         Box(g.side_x, g.side_w, _titled(text["records_excluded"] + "**", counts.n("records_excluded"), lang))],
        [Box(g.main_x, g.main_w, _titled(text["sought_reports"], counts.n("dbr_sought_reports"), lang)),
         Box(g.side_x, g.side_w, _titled(text["notretrieved_reports"], counts.n("dbr_notretrieved_reports"), lang))],
        [Box(g.main_x, g.main_w, _titled(text["assessed"], counts.n("dbr_assessed"), lang)),
         Box(g.side_x, g.side_w, _reason_lines(text["excluded"], counts.dbr_excluded_reasons,
                                               counts.n("dbr_excluded"), lang, counts.translations))],
        [Box(g.main_x, g.main_w, _included_lines(counts, lang))],
    ]
    other_header: Box | None = None
    other_boxes: dict[int, list[Box]] = {}
    if other:
        kinds = tuple(k for k in SOURCE_KINDS if k in OTHER_KINDS)
        other_header = Box(g.other_x, g.other_side_x + g.other_side_w - g.other_x,
                           [Line(text["othstud"], center=True, bold=True)], fill=OTHER_HEADER_FILL, rounded=True)
        other_boxes = {
            0: [Box(g.other_x, g.other_w, _source_lines(counts, kinds, lang))],
            2: [Box(g.other_x, g.other_w, _titled(text["sought_reports"], counts.n("other_sought_reports"), lang)),
                Box(g.other_side_x, g.other_side_w,
                    _titled(text["notretrieved_reports"], counts.n("other_notretrieved_reports"), lang))],
            3: [Box(g.other_x, g.other_w, _titled(text["assessed"], counts.n("other_assessed"), lang)),
                Box(g.other_side_x, g.other_side_w,
                    _reason_lines(text["excluded"], counts.other_excluded_reasons, counts.n("other_excluded"), lang,
                                  counts.translations))],
        }

    previous_header: Box | None = None
    previous_boxes: dict[int, list[Box]] = {}
    if updated:
        previous_header = Box(g.prev_x, g.prev_w, [Line(text["prevstud"], center=True, bold=True)],
                              fill=OTHER_HEADER_FILL, rounded=True)
        previous_boxes = {
            0: [Box(g.prev_x, g.prev_w, [
                Line(f"{text['previous_studies']} {n_text(counts.previous_studies, lang)}", center=True),
                Line(f"{text['previous_reports']} {n_text(counts.previous_reports, lang)}", center=True)])],
            4: [Box(g.prev_x, g.prev_w, [
                Line(f"{text['total_studies']} {n_text(counts.total_studies, lang)}", center=True, bold=True),
                Line(f"{text['total_reports']} {n_text(counts.total_reports, lang)}", center=True, bold=True)])],
        }

    # Vertical layout: each row as tall as its tallest box; boxes centred in their row.
    headers = [b for b in (previous_header, header, other_header) if b is not None]
    for box in headers:
        _layout(box, size)
    header_h = max(b.height for b in headers)
    for box in headers:
        box.y, box.height = 0.15, header_h
    y = 0.15 + header_h + 0.22
    # A phase bar spanning one row must be tall enough for its rotated label.
    min_height = {0: _text_width(text["identification"], size + 0.5, True) + 0.2,
                  4: _text_width(text["included"], size + 0.5, True) + 0.2}
    row_spans: list[tuple[float, float]] = []
    for index, row in enumerate(rows):
        members = row + other_boxes.get(index, []) + previous_boxes.get(index, [])
        for box in members:
            _layout(box, size)
        height = max([b.height for b in members] + [min_height.get(index, 0.0)])
        for box in members:
            box.y = y + (height - box.height) / 2
        row_spans.append((y, y + height))
        y += height + ROW_GAP
    note_size = max(size - 1, MIN_TYPE)
    left = g.prev_x if updated else g.main_x
    footnotes = [(piece.text, colour) for note, colour in _footnotes(counts, lang)
                 for piece in _wrap(Line(note), g.width - left - 0.1, note_size)]
    total_h = y - ROW_GAP + 0.15 + (0.2 + 0.16 * len(footnotes) if footnotes else 0.0)

    fig = plt.figure(figsize=(g.width, total_h))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, g.width)
    ax.set_ylim(total_h, 0)
    ax.axis("off")

    for box in headers:
        _draw_box(ax, box, size)
    for index, row in enumerate(rows):
        for box in row + other_boxes.get(index, []) + previous_boxes.get(index, []):
            _draw_box(ax, box, size)

    # Phase bars.
    phases = [(text["identification"], row_spans[0][0], row_spans[0][1]),
              (text["screening"], row_spans[1][0], row_spans[3][1]),
              (text["included"], row_spans[4][0], row_spans[4][1])]
    for label, top, bottom in phases:
        ax.add_patch(FancyBboxPatch((g.phase_x, top), g.phase_w, bottom - top,
                                    boxstyle="round,pad=0,rounding_size=0.06", facecolor=PHASE_FILL,
                                    edgecolor=PHASE_FILL, linewidth=0.8))
        ax.text(g.phase_x + g.phase_w / 2, (top + bottom) / 2, label, rotation=90, ha="center",
                va="center", fontsize=size + 0.5, fontweight="bold", parse_math=False)

    # Arrows down the main column and across to the side boxes.
    for upper, lower in zip(rows, rows[1:]):
        _arrow(ax, (upper[0].cx, upper[0].bottom), (lower[0].cx, lower[0].y))
    for row in rows:
        if len(row) == 2:
            mid = row[0].y + row[0].height / 2
            _arrow(ax, (row[0].right, mid), (row[1].x, mid))
    if other:
        identified, sought, assessed = other_boxes[0][0], other_boxes[2][0], other_boxes[3][0]
        _arrow(ax, (identified.cx, identified.bottom), (sought.cx, sought.y))
        _arrow(ax, (sought.cx, sought.bottom), (assessed.cx, assessed.y))
        for index in (2, 3):
            main, side = other_boxes[index]
            mid = main.y + main.height / 2
            _arrow(ax, (main.right, mid), (side.x, mid))
        included = rows[4][0]
        corner_y = included.y + included.height / 2
        ax.plot([assessed.cx, assessed.cx], [assessed.bottom, corner_y], color=EDGE, lw=0.9,
                solid_capstyle="butt")
        _arrow(ax, (assessed.cx, corner_y), (included.right, corner_y))

    if updated:  # the previous version's studies down to the total, which the new studies join
        (previous,), (total,), new = previous_boxes[0], previous_boxes[4], rows[4][0]
        _arrow(ax, (previous.cx, previous.bottom), (total.cx, total.y))
        join = new.y + new.height / 2
        _arrow(ax, (new.x, join), (total.right, join))

    if footnotes:
        top = row_spans[-1][1] + 0.25
        for i, (note, colour) in enumerate(footnotes):
            ax.text(left, top + i * 0.16, note, fontsize=note_size, color=colour, va="top",
                    parse_math=False)
    return fig


_NOTE = "#222222"
_WARNING = "#b00020"


def _rule_words(verdict: Mapping[str, Any] | None, lang: str) -> str:
    """The stopping rule a stop credits, named with its claim where the recorded verdict gives it: the certified
    rule's random sample tests recall, the recommended rule estimates it from the ranking (walk31: the footnote
    said "a stopping rule" for both). A verdict naming another rule, or none, keeps "a stopping rule"."""
    text = labels(lang)
    if not isinstance(verdict, Mapping) or verdict.get("rule") not in ("certified", "recommended"):
        return text["rule_any"]
    rule = str(verdict["rule"])
    target, confidence = _share(verdict.get("target_recall")), _share(verdict.get("confidence"))
    drawn = verdict.get("sample_screened")
    sample = drawn if isinstance(drawn, int) and not isinstance(drawn, bool) and drawn > 0 else None
    sampled = sample is not None
    if target is None or (rule == "certified" and (confidence is None or not sampled)):
        return text[f"rule_{rule}"]  # (a verdict given by hand may leave its numbers out)
    decimal = "," if lang == "nl" else "."
    claim = f"rule_{rule}_claim"
    if rule == "recommended" and verdict.get("estimate_from") in ("trend", "classifier"):
        claim += f"_{verdict['estimate_from']}"  # (which estimate stopped it: a verdict by hand may not say)
    return text[claim].format(
        target=level_percent(target, decimal=decimal, spaced=False),
        confidence="" if confidence is None else level_percent(confidence, decimal=decimal, spaced=False),
        sample="" if sample is None else format_n(sample, lang))


def _share(value: Any) -> float | None:
    """``value`` as a share strictly between 0 and 1, else None (a verdict's JSON is read as it is stored)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1:
        return float(value)
    return None


def _footnotes(counts: PrismaCounts, lang: str) -> list[tuple[str, str]]:
    """Footnotes under the diagram, with their colour: the template's two footnotes, how automation
    tools were used (PRISMA 2020 item 8), broken identities in red (so an unfinished flow is not
    published as final), and the template's source. No internal box or reviewer names."""
    text = labels(lang)
    automatic, human = counts.n("excluded_automatic"), counts.n("records_excluded")
    notes = [(text["footnote_identified"], _NOTE), (text["footnote_excluded"], _NOTE),
             (text["footnote_exclusion_counts"].format(human=format_n(human, lang),
                                                       automatic=format_n(automatic, lang)), _NOTE)]
    stop = counts.screening_stop
    if stop is not None:
        explanation = (stop.explanation or "").strip().rstrip(".") or "—"
        # A stop no rule called (`review prisma stop` without a verdict, or the screening screen's stop while
        # the rule said continue) was the reviewers' call: the footnote must not credit a stopping rule.
        key = "footnote_automation" if stopped_by_rule(stop.verdict) else "footnote_reviewers_stop"
        if automatic == 0:
            # Every record was screened by a reviewer before the stop: "stopped by a stopping rule …; the 0 records
            # left unscreened …" credited automation with an end it did not make (walk20). A stop that left records
            # which reviewers then screened did not come "after every record had been screened": say what happened.
            key = "footnote_stop_after_all" if stop.n_unscreened == 0 else "footnote_stop_then_screened"
        notes.append((text[key].format(explanation=explanation, automatic=format_n(automatic, lang),
                                       left=_records(stop.n_unscreened, lang),
                                       rule=_rule_words(stop.verdict, lang)), _NOTE))
        if 0 < automatic < stop.n_unscreened:
            # "the 3 records left unscreened at the stop" when it left 5: the box counts only those still unscreened
            gone = stop.n_unscreened - automatic
            notes.append((text[f"footnote_stop_rest_partly_gone_{'one' if gone == 1 else 'many'}"].format(
                left=_records(stop.n_unscreened, lang), gone=_records(gone, lang)), _NOTE))
    else:
        notes.append((text["footnote_no_automation"], _NOTE))
    if counts.n("other_duplicates"):  # the column has no duplicates box: identified and sought would not add up
        notes.append((text["footnote_other_duplicates"].format(n=format_n(counts.n("other_duplicates"), lang)), _NOTE))
    for c in counts.identities:
        if not c.ok:
            prefix = text["in_progress"] if c.in_progress else text["incomplete"]
            column = text.get(f"column_{c.column}", c.column.replace("_", " "))
            left, right = format_n(c.left, lang), format_n(c.right, lang)  # as the boxes and the reasons write them
            numbers = f"{left} ≠ {right}" if c.left != c.right else f"{left} = {right}: {text['not_same_records']}"
            formula = text.get(f"formula_{c.key}", c.formula)
            why = c.progress(lang, lambda n: format_n(n, lang)) if c.in_progress else "; ".join(
                text[f"part_{part}_{'one' if n == 1 else 'many'}"].format(n=format_n(n, lang))
                for part, n in c.parts if n) if c.parts else c.explanation
            notes.append((f"{prefix} — {column}: {formula} ({numbers}); {why}", _WARNING))
    notes.append((text["footnote_source"], _NOTE))
    return notes


def _records(n: int, lang: str) -> str:
    """"1 record", "12 records" (the Dutch plural is the same word)."""
    return f"{format_n(n, lang)} {'record' if n == 1 else 'records'}"


def _draw_box(ax: plt.Axes, box: Box, size: float) -> None:
    patch: Rectangle | FancyBboxPatch
    if box.rounded:
        patch = FancyBboxPatch((box.x, box.y), box.width, box.height, boxstyle="round,pad=0,rounding_size=0.06",
                               facecolor=box.fill, edgecolor=EDGE, linewidth=0.8)
    else:
        patch = Rectangle((box.x, box.y), box.width, box.height, facecolor=box.fill, edgecolor=EDGE, linewidth=0.8)
    ax.add_patch(patch)
    step = size * LINE_SPACING / 72.0
    top = box.y + PAD + (step - size / 72.0) / 2
    for i, line in enumerate(box.wrapped):
        x = box.cx if line.center else box.x + PAD + line.indent
        ax.text(x, top + i * step, line.text, ha="center" if line.center else "left", va="top",
                # parse_math=False: a '$' in a source name or reason is text, not mathtext.
                fontsize=size, fontweight="bold" if line.bold else "normal", parse_math=False)


def _arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=EDGE, lw=0.9, shrinkA=0, shrinkB=0, mutation_scale=9))


# -- output ----------------------------------------------------------------------------------
def render_svg(counts: PrismaCounts, lang: str = "en") -> bytes:
    """SVG with real text (not glyph paths), so numbers stay searchable and editable."""
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "prisma"}):
        fig = draw_diagram(counts, lang)
        try:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return buffer.getvalue()


def render_png(counts: PrismaCounts, lang: str = "en", dpi: int = PNG_DPI) -> bytes:
    fig = draw_diagram(counts, lang)
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    finally:
        plt.close(fig)
    return buffer.getvalue()

