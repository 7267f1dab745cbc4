"""Seeded field corruption: the drift real exports show, applied to one side of true duplicates.

Judging dedup rules only on the sets they were written against overstates them. This generator
takes labelled records (true duplicate groups), picks one member of every group and changes
its fields the way another database's export would: garbled or partial page fields, unrelated
pages, a malformed or missing volume, author names in swapped order, a subtitle present in one
record only. The other records stay as they are, so the traps of the set (different works with
similar records) still test precision. Every choice comes from one ``random.Random(seed)``.
"""

from __future__ import annotations

import random
import re
import string
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..records import Record
from .names import parse_author

PAGES_GARBLED = "pages_garbled"
SINGLE_PAGE = "single_page"
PAGES_UNRELATED = "pages_unrelated"
VOLUME_MALFORMED = "volume_malformed"
AUTHORS_SWAPPED = "authors_swapped"
SUBTITLE = "subtitle"

#: Every drift kind and the rate at which it is applied to the chosen record of a group.
DEFAULT_RATES: dict[str, float] = {
    PAGES_GARBLED: 0.1,
    SINGLE_PAGE: 0.1,
    PAGES_UNRELATED: 0.05,
    VOLUME_MALFORMED: 0.15,
    AUTHORS_SWAPPED: 0.15,
    SUBTITLE: 0.15,
}
KINDS: tuple[str, ...] = tuple(DEFAULT_RATES)
#: Kinds that rewrite the page field; at most one of them is applied to a record.
_PAGE_KINDS = (PAGES_GARBLED, SINGLE_PAGE, PAGES_UNRELATED)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SUBTITLES = ("a randomised controlled trial", "a prospective cohort study", "results of a pilot study",
              "a systematic review", "a multicentre study", "an experimental study in mice",
              "findings from a national register")
_RANGE = re.compile(r"^\s*([A-Za-z]{0,3})(\d+)\s*[-\u2013]\s*[A-Za-z]{0,3}(\d+)\s*$")


@dataclass(frozen=True, slots=True)
class Drifted:
    """The corrupted records (same order and ids as the input) and what was done to which."""

    records: list[Record]
    #: index → the drift kinds applied to that record (only corrupted records appear).
    applied: dict[int, tuple[str, ...]]
    seed: int
    rates: dict[str, float]


def garble_pages(pages: str, rng: random.Random) -> str | None:
    """"965-971" → "pt-71": letters where the first page was, a cut-off last page."""
    match = _RANGE.match(pages or "")
    if not match:
        return None
    end = match.group(3)
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 3)))
    return f"{letters}-{end[-rng.randint(1, min(2, len(end))):]}"


def single_page(pages: str, rng: random.Random) -> str | None:
    """"487-488" → "488" or "487": one page of the range instead of the range."""
    match = _RANGE.match(pages or "")
    if not match or match.group(2) == match.group(3):
        return None
    start = match.group(2)
    end = match.group(3)
    if len(end) < len(start):  # "1234-45" abbreviates the last page
        end = start[: len(start) - len(end)] + end
    return match.group(1) + rng.choice((start, end))


def unrelated_pages(pages: str, rng: random.Random) -> str | None:
    """Pages of some other article: the record carries a wrong locator."""
    if not (pages or "").strip():
        return None
    first = rng.randint(1, 3000)
    return f"{first}-{first + rng.randint(0, 14)}"


def malformed_volume(volume: str, rng: random.Random) -> str | None:
    """"12" → "(Jul)", "Jul", or nothing: an issue month or a gap where the volume was."""
    if not (volume or "").strip():
        return None
    month = rng.choice(_MONTHS)
    return rng.choice((f"({month})", month, ""))


def swap_author_names(authors: Sequence[str], rng: random.Random) -> list[str] | None:
    """"Wu, C. Y." → "C. Y., Wu": given names written where the last name belongs."""
    if not authors:
        return None
    out = []
    for name in authors:
        last, given = _split_name(name)
        out.append(f"{given}, {last}" if given else name)
    return out if out != list(authors) else None


def _split_name(name: str) -> tuple[str, str]:
    """``(last, given)`` as written, for "Last, Given", "Last GI" and "Given Last"."""
    text = name.strip(" ,;")
    if "," in text:
        last, _, given = text.partition(",")
        return last.strip(), given.strip()
    folded_last, _ = parse_author(text)
    words = text.split()
    for k in range(len(words), 0, -1):  # the words that make up the parsed last name
        for start in range(len(words) - k + 1):
            if "".join(words[start:start + k]).casefold().replace("-", "") == folded_last.replace("-", ""):
                return " ".join(words[start:start + k]), " ".join(words[:start] + words[start + k:])
    return text, ""


def change_subtitle(title: str, rng: random.Random) -> str | None:
    """Drop the subtitle after ": ", or add one where there is none."""
    title = (title or "").strip()
    if not title:
        return None
    head, sep, tail = title.partition(": ")
    if sep and len(head) >= 20:
        return head
    return f"{title.rstrip('.')}: {rng.choice(_SUBTITLES)}"


def drift(records: Sequence[Record], groups: Sequence[str], *, seed: int,
          rates: dict[str, float] | None = None) -> Drifted:
    """Corrupt one member of every true duplicate group (``groups[i]`` = record i's group).

    Each kind is applied to the chosen record with its rate, independently, except that at
    most one page kind is applied. Records outside groups of two or more are left alone.
    """
    rates = dict(DEFAULT_RATES if rates is None else rates)
    unknown = set(rates) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown drift kinds: {', '.join(sorted(unknown))}")
    rng = random.Random(seed)
    members: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        members[group].append(i)
    out = list(records)
    applied: dict[int, tuple[str, ...]] = {}
    for group in sorted(members):
        indices = members[group]
        if len(indices) < 2:
            continue
        index = rng.choice(indices)
        record = out[index]
        done: list[str] = []
        for kind in KINDS:
            if rng.random() >= rates.get(kind, 0.0):
                continue
            if kind in _PAGE_KINDS and any(k in _PAGE_KINDS for k in done):
                continue
            changed = _apply(kind, record, rng)
            if changed is not None:
                record = changed
                done.append(kind)
        if done:
            out[index] = record
            applied[index] = tuple(done)
    return Drifted(records=out, applied=applied, seed=seed, rates=rates)


#: Each drift kind: the record field it changes and the function that changes it (None = not applicable).
_DRIFTS: dict[str, tuple[str, Callable[[Any, random.Random], Any]]] = {
    PAGES_GARBLED: ("pages", garble_pages),
    SINGLE_PAGE: ("pages", single_page),
    PAGES_UNRELATED: ("pages", unrelated_pages),
    VOLUME_MALFORMED: ("volume", malformed_volume),
    AUTHORS_SWAPPED: ("authors", swap_author_names),
    SUBTITLE: ("title", change_subtitle),
}


def _apply(kind: str, record: Record, rng: random.Random) -> Record | None:
    try:
        field_name, drift = _DRIFTS[kind]
    except KeyError:
        raise ValueError(f"unknown drift kind {kind!r}") from None
    value = drift(getattr(record, field_name), rng)
    return None if value is None else replace(record, **{field_name: value})


__all__ = ["DEFAULT_RATES", "KINDS", "Drifted", "drift"]
