"""From per-field similarity to a decision: duplicate, borderline (ask a human) or distinct.

Each field adds or removes points (a hand-set, Fellegi–Sunter-style weight of evidence, so
every decision can be explained field by field). Hard rules come first: records of
different kinds (erratum vs article, protocol vs results) are never merged, generic
titles ("Editorial") earn no title points, and a DOI shared by records with different
titles (supplement DOIs of conference abstracts) counts for little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kinds import ARTICLE, NOTICE_KINDS, PREPRINT
from .prepare import Prepared
from .scoring import DIFFERENT, EQUAL, PairFeatures, RecordColumns, abstract_similarity, columns_for
from .settings import RELATED_MODES

DUPLICATE = "duplicate"
BORDERLINE = "borderline"
DISTINCT = "distinct"
#: An erratum, retraction notice, expression of concern or comment and the record it is about.
RELATED = "related"
#: The title a notice names must match the other record's this well.
RELATED_TITLE = 93.0
#: Under "merge", a notice and a copy of its article naming a title this close may share a cluster.
RELATED_NEAR = 80.0
#: Notices later than this (years) are not linked by title alone.
RELATED_YEARS = 5

#: Pairs at or above this score are merged automatically.
DUPLICATE_SCORE = 7.0
#: Pairs from here up to DUPLICATE_SCORE go to a human.
BORDERLINE_SCORE = 4.5
#: Points for a pair equal in every field the scorer reads (``prepare.copy_key``): one export imported twice.
EXACT_COPY_POINTS = 2.0
#: Pairs below this are treated as known-distinct when clusters are formed (cannot-link).
CANNOT_LINK_SCORE = 0.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score cut-offs: merge automatically at ``duplicate``, ask a human from ``borderline``."""

    duplicate: float = DUPLICATE_SCORE
    borderline: float = BORDERLINE_SCORE


@dataclass(frozen=True, slots=True)
class Decisions:
    """Per candidate pair: total score, status and whether a merge across it is forbidden."""

    score: np.ndarray
    status: np.ndarray  # object array of DUPLICATE / BORDERLINE / DISTINCT
    cannot_link: np.ndarray
    points: dict[str, np.ndarray]
    kind_conflict: np.ndarray
    #: Notice or comment and the record it is about (status RELATED, or DUPLICATE under "merge").
    related: np.ndarray


def _nan_to(value: np.ndarray, fill: float) -> np.ndarray:
    return np.where(np.isnan(value), fill, value)


def field_points(prep: Prepared, f: PairFeatures,
                 columns: RecordColumns | None = None) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Points per field per pair, plus the kind-conflict and preprint masks (``columns``: ``prep``'s)."""
    cols = columns_for(prep, columns)
    left, right = f.left, f.right
    generic_col = cols.generic
    generic = generic_col[left] | generic_col[right]
    bracketed = cols.translated
    original = cols.has_title_alt
    # One record carries the English translation, the other the original or another
    # database's translation (an Embase "<ORIGINAL>" title): the English titles may differ.
    translated = (bracketed[left] != bracketed[right]) | original[left] | original[right]
    kind_col = cols.kind
    kind_a, kind_b = kind_col[left], kind_col[right]
    differ = kind_a != kind_b
    preprint = differ & ((kind_a == PREPRINT) | (kind_b == PREPRINT))
    kind_conflict = differ & ~preprint

    t = _nan_to(f.title, -1)
    title = np.select([t >= 98, t >= 93, t >= 85, t >= 70, t >= 0], [4.0, 3.0, 1.5, -1.5, -4.0], 0.0)
    # The shorter title is the start of the longer: a subtitle present in one record only.
    prefix_only = (title < 2.5) & (f.title_prefix >= 97)
    title = np.where(prefix_only, 2.5, title)
    # Phase II vs Phase III, Part 1 vs Part 2: one number apart, different publications.
    numbers = np.where((f.numbers == DIFFERENT) & (title > 0), -4.0, 0.0)
    # "Editorial" equals "Editorial" and says nothing; a generic vs a real title still differs.
    title = np.where(generic & (t >= 98), 0.0, np.where(generic, np.minimum(title, 0.0), title))
    # A translated title against the original-language one: the titles cannot agree.
    title = np.where(translated, np.maximum(title, 0.0), title)

    a = f.authors
    m_authors = np.minimum(cols.author_count[left], cols.author_count[right])
    authors = np.select([a >= 90, a >= 75, a >= 50, a >= 0], [2.0, 1.0, -1.0, -3.0], 0.0)
    authors = np.where(f.first_author & (a >= 75), authors + 0.5, authors)
    # One shared name is weak evidence: single-author letters and commentaries collide.
    authors = np.where(f.single_author, np.minimum(authors, 1.5), authors)
    authors = np.where(np.isnan(a), 0.0, authors)

    g = f.year_gap
    year = np.select([g == 0, g == 1], [0.5, -0.5], -3.0)
    year = np.where(np.isnan(g), 0.0, year)
    # A Cochrane review keeps its CD number through protocol and updates, years apart.
    same_review = f.cochrane == EQUAL
    year = np.where(same_review, np.maximum(year, 0.0), year)
    cochrane = np.select([same_review, f.cochrane == DIFFERENT], [2.0, -6.0], 0.0)

    supplement_col = cols.supplement
    supplement = supplement_col[left] | supplement_col[right]
    volume = np.select([f.volume == EQUAL, f.volume == DIFFERENT], [1.0, np.where(supplement, -1.0, -2.0)], 0.0)
    # Overlapping ranges (676-682 vs 678-684): one article paginated twice, weakly against.
    pages = np.select([f.pages == EQUAL, f.pages_overlap, f.pages == DIFFERENT], [1.5, -1.0, -3.0], 0.0)
    doi = np.select(
        [(f.doi == EQUAL) & ~f.doi_shared, f.doi == EQUAL,
         (f.doi == DIFFERENT) & ~f.doi_shared, f.doi == DIFFERENT],
        [4.0, 0.5, -3.0, -1.0], 0.0)
    # Cochrane versions have DOIs ".CD006828" and ".CD006828.pub2": not a disagreement.
    doi = np.where(same_review, np.maximum(doi, 0.0), doi)
    j = f.journal
    both_supplement = supplement_col[left] & supplement_col[right]
    # The same abstract printed for two meetings is two publications (ASySD, SRA definitions).
    journal = np.select([j >= 90, (j < 50) & both_supplement, j < 50], [0.5, -3.0, -1.0], 0.0)
    journal = np.where(np.isnan(j), 0.0, journal)
    ab = f.abstract
    abstract = np.select([ab >= 90, ab >= 75, ab < 60], [2.0, 0.5, -2.0], 0.0)
    abstract = np.where(np.isnan(ab), 0.0, abstract)
    pmid = np.select([f.pmid == EQUAL, f.pmid == DIFFERENT], [5.0, -6.0], 0.0)
    # Same volume, start page and year locate one article, whatever the journal is called.
    locator = np.where((f.volume == EQUAL) & (f.pages == EQUAL) & (g == 0), 1.0, 0.0)
    # A full citation (journal, year, volume, first and last page of a multi-page range) is
    # the pre-DOI identifier of an article: as strong as a DOI when nothing else disagrees.
    # Not for supplements, where many abstracts share pages.
    citation = ((locator > 0) & f.pages_full & ~supplement & ~(j < 50)
                & ~(a < 75) & (title >= 0))
    locator = np.where(citation, 3.5, locator)
    # The English-language edition of a non-English journal: the same title (marked as a
    # translation in one record only: "[…]" or an original-language title beside it) and
    # authors in the same year and volume, but its own pagination and journal name.
    marked = bracketed | original
    edition = ((marked[left] != marked[right]) & (t >= 93) & (a >= 90) & (g == 0)
               & (f.volume != DIFFERENT))
    pages = np.where(edition, np.maximum(pages, 0.0), pages)
    journal = np.where(edition, np.maximum(journal, 0.0), journal)
    # Title, authors, year and journal agree strongly and only one locator field (pages or
    # volume) disagrees: it costs less, as one export may have that field wrong. Different page
    # ranges still keep the pair from an automatic merge (a series by one team shares title,
    # authors, journal and year), so they go to a human; a different volume with the same
    # pages does not. Not for supplements, where one meeting prints near-identical abstracts
    # on neighbouring pages.
    strong = ((t >= 98) & ~generic & (a >= 90) & (m_authors >= 2) & (g == 0) & (j >= 90)
              & ~supplement & (f.doi != DIFFERENT))
    pages_off, volume_off = f.pages == DIFFERENT, f.volume == DIFFERENT
    pages = np.where(strong & pages_off & ~volume_off, np.maximum(pages, -2.0), pages)
    volume = np.where(strong & volume_off & ~pages_off, np.maximum(volume, -1.0), volume)
    # A preprint and its journal version never share a DOI or a journal name and appear up to two
    # years apart: those differences are what a preprint is, no evidence of two works. (The
    # pair then still goes to a human at most, below.)
    doi = np.where(preprint, np.maximum(doi, 0.0), doi)
    journal = np.where(preprint, np.maximum(journal, 0.0), journal)
    year = np.where(preprint & (g <= 2), np.maximum(year, 0.0), year)
    # Equal in every field, title, authors as written, year, journal, locators, identifiers and abstract: the same
    # export imported twice. With one author or none and no journal or DOI the fields alone gave 6.0-6.5.
    copy_col = cols.copy_key
    exact_copy = np.where((copy_col[left] == copy_col[right]) & (copy_col[left] > 0), EXACT_COPY_POINTS, 0.0)
    points = {"title": title, "numbers": numbers, "locator": locator, "authors": authors, "year": year, "volume": volume, "pages": pages,
              "doi": doi, "journal": journal, "abstract": abstract, "pmid": pmid, "cochrane": cochrane,
              "exact copy": exact_copy}
    return points, kind_conflict, preprint


def _total(points: dict[str, np.ndarray]) -> np.ndarray:
    """Every field's points added up pair by pair, in the fields' order, as ``np.sum`` over their stack adds
    them (the same floats), without the stack: a copy of every field's array at once, 102 MB at 850,000
    candidate pairs (50,000 records)."""
    fields = iter(points.values())
    total = np.array(next(fields), dtype=np.float64)
    for value in fields:
        total += value
    return total


def decide(prep: Prepared, f: PairFeatures, thresholds: Thresholds | None = None,
           related_mode: str = "link", columns: RecordColumns | None = None) -> Decisions:
    """Score every candidate pair and sort it into duplicate / borderline / distinct.

    Abstracts (the costliest comparison, worth -2 to +2 points) are compared only for pairs
    whose verdict they could change. ``columns`` are ``prep``'s (made here when not given).
    """
    cols = columns_for(prep, columns)
    cut = thresholds or Thresholds()
    # The first points go as soon as they are added up: both at once held 100 MB more at 50,000 records.
    partial = _total(field_points(prep, f, cols)[0]) if len(f) else np.zeros(0)
    abstract_similarity(prep, f, partial >= min(cut.borderline, cut.duplicate) - 2.0, cols)
    points, kind_conflict, preprint = field_points(prep, f, cols)
    score = _total(points) if len(f) else np.zeros(0)
    # Every entry the one DISTINCT string: ``np.full`` would copy it into a new str per pair (44 MB at 850,000).
    status = np.empty(len(f), dtype=object)
    status[:] = DISTINCT
    status[score >= cut.borderline] = BORDERLINE
    status[score >= cut.duplicate] = DUPLICATE
    # Preprint vs journal version: the same work, but whether to merge is the reviewer's call.
    status[preprint & (score >= cut.borderline)] = BORDERLINE
    status[kind_conflict] = DISTINCT
    if related_mode not in RELATED_MODES:
        raise ValueError(f"[dedup] related must be one of {', '.join(RELATED_MODES)}, not {related_mode!r}")
    notice = cols.notice
    about = notice[f.left] != notice[f.right]
    related = about & (f.subject >= RELATED_TITLE) & ~(f.year_gap > RELATED_YEARS) & (f.pmid != EQUAL)
    cannot_link = (kind_conflict | (score < CANNOT_LINK_SCORE) | (f.pmid == DIFFERENT)
                   | (f.cochrane == DIFFERENT))
    if related_mode == "merge":
        # The team counts a notice as the same work: it joins its article's cluster, and the
        # kind difference no longer keeps it from copies of that article whose titles match less
        # well; notices about other titles stay cannot-linked.
        status[related] = DUPLICATE
        near = about & (f.subject >= RELATED_NEAR) & (f.pmid != DIFFERENT) & (f.cochrane != DIFFERENT)
        cannot_link = cannot_link & ~near
    else:
        status[related] = RELATED
    return Decisions(score=score, status=status, cannot_link=cannot_link, points=points,
                     kind_conflict=kind_conflict, related=related)


def explain_pairs(prep: Prepared, f: PairFeatures, d: Decisions, which: np.ndarray) -> list[str]:
    """One line per selected pair naming the fields that decided it, strongest first."""
    names = list(d.points)
    matrix = np.stack([d.points[name][which] for name in names], axis=1) if len(which) else np.zeros((0, 0))
    order = np.argsort(-np.abs(matrix), axis=1, kind="stable")
    out = []
    for row, k in enumerate(which.tolist()):
        i, j = int(f.left[k]), int(f.right[k])
        if d.related[k]:
            notice = i if prep.kind[i] in NOTICE_KINDS else j
            side = "left" if notice == i else "right"
            out.append(f"{prep.kind[notice]} of the other record ({side} record names its title, "
                       f"match {float(f.subject[k]):.0f})")
            continue
        if d.kind_conflict[k]:
            out.append(f"different kinds: {prep.kind[i]} vs {prep.kind[j]}")
            continue
        parts = [f"{names[c]} {matrix[row, c]:+g}" for c in order[row] if matrix[row, c]]
        note = ""
        if prep.kind[i] != prep.kind[j] and PREPRINT in (prep.kind[i], prep.kind[j]):
            note = " (preprint vs published version)"
        if prep.generic[i] or prep.generic[j]:
            note += " (generic title)"
        out.append(f"score {float(d.score[k]):.1f}: " + ", ".join(parts) + note)
    return out


def explain_pair(prep: Prepared, f: PairFeatures, d: Decisions, k: int) -> str:
    """The explanation line of pair ``k``."""
    return explain_pairs(prep, f, d, np.asarray([k]))[0]


__all__ = ["ARTICLE", "BORDERLINE", "DISTINCT", "DUPLICATE", "RELATED", "RELATED_MODES", "Decisions", "Thresholds", "decide", "explain_pair", "explain_pairs"]
