"""Citation-level identities that say "same work" without a shared DOI.

* A Cochrane review keeps its ``CDnnnnnn`` number through the protocol and every update
  (DOIs ``10.1002/14651858.CD006828``, ``….CD006828.pub2``); the versions are one review,
  published years apart, and a different CD number is a different review.
* Journal, volume, year and a full page range (first *and* last page) locate one article, the
  way OpenURL resolvers find it; two records sharing all of them are one article even when
  their titles were translated differently by two databases.
* Two page ranges of one article can disagree by a few pages (online-first vs print
  pagination); ranges that overlap by several pages are not evidence of two articles.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .normalise import Pages

_COCHRANE_DOI = re.compile(r"^10\.1002/14651858\.(cd\d{6})(?:\.pub\d+)?\b", re.IGNORECASE)
_CD_NUMBER = re.compile(r"(?<![a-z0-9])cd\s?(\d{6})(?!\d)", re.IGNORECASE)
#: Ranges must share at least this many pages to count as one article paginated twice.
MIN_OVERLAP = 2


def cochrane_review_number(doi: str, journal: str = "", *fields: str) -> str:
    """``cd006828`` for a Cochrane review (from its DOI, or a CD number in pages/volume/issue).

    ``doi`` must already be normalised. A bare CD number in another field counts only when the
    journal is the Cochrane Database of Systematic Reviews, so a page "CD123456" elsewhere
    is not taken for one.
    """
    match = _COCHRANE_DOI.match(doi or "")
    if match:
        return match.group(1).lower()
    if "cochrane" not in (journal or "").casefold():
        return ""
    for value in fields:
        found = _CD_NUMBER.search(value or "")
        if found:
            return f"cd{found.group(1)}"
    return ""


def numeric_range(pages: Pages) -> tuple[str, int, int] | None:
    """``(prefix, first, last)`` of a plain page range, or None (dates, e-locators without a range)."""
    if pages.uncertain or not pages.start or not pages.end:
        return None
    start, end = re.fullmatch(r"([a-z]*)(\d+)", pages.start), re.fullmatch(r"([a-z]*)(\d+)", pages.end)
    if not start or not end or start.group(1) != end.group(1):
        return None
    first, last = int(start.group(2)), int(end.group(2))
    if last < first:
        return None
    return start.group(1), first, last


def range_relations(first_a: Any, last_a: Any, first_b: Any, last_b: Any,
                    min_pages: int = MIN_OVERLAP) -> tuple[Any, Any]:
    """``(full, overlap)`` of two ranges with one prefix, for numbers or numpy arrays of them:
    the same multi-page range; at least ``min_pages`` pages shared (not just a page where
    one ends and the other begins). Pair scoring runs it on arrays of pairs."""
    full = (first_a == first_b) & (last_a == last_b) & (last_a > first_a)
    shared = np.minimum(last_a, last_b) - np.maximum(first_a, first_b) + 1
    return full, shared >= min_pages


def full_range_equal(a: Pages, b: Pages) -> bool:
    """Same first and last page, and the article spans more than one page."""
    ra, rb = numeric_range(a), numeric_range(b)
    if ra is None or rb is None or ra[0] != rb[0]:
        return False
    return bool(range_relations(ra[1], ra[2], rb[1], rb[2])[0])


def ranges_overlap(a: Pages, b: Pages, min_pages: int = MIN_OVERLAP) -> bool:
    """Different ranges sharing at least ``min_pages`` pages (not just a page where one ends)."""
    ra, rb = numeric_range(a), numeric_range(b)
    if ra is None or rb is None or ra[0] != rb[0] or ra == rb:
        return False
    return bool(range_relations(ra[1], ra[2], rb[1], rb[2], min_pages)[1])
