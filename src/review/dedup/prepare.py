"""Normalise every record once into column lists that blocking and scoring index by position."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..records import Record
from ..sources.fields import OTHER_DOIS
from .citation import cochrane_review_number
from .journals import journal_variants
from .kinds import (
    ARTICLE, NOTICE_KINDS, is_generic_title, notice_subject, publication_kind, strip_retracted_prefix,
)
from .name_pairs import second_reading
from .names import kept_names, last_name
from .normalise import (
    Pages, fold, title_numbers, title_variants, is_supplement, is_translated_title,
    normalise_doi, normalise_pmid, normalise_volume, normalise_year, parse_pages,
)

#: Abstracts are compared on their opening; enough to tell versions apart, cheap to score.
ABSTRACT_CHARS = 600
#: A main title shorter than this (compact) is too unspecific to stand for the whole title.
MIN_MAIN_TITLE = 15
#: A notice must name at least this much of a title (compact) to be linked by it.
MIN_SUBJECT = 20
_fold_uncached = getattr(fold, "__wrapped__", fold)
_SUBTITLE_BREAK = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s|[.?!]\s)")


def subject_key(title: str) -> str:
    """The compact folded title a notice is about, or "" when it is too short to identify one."""
    main, _ = title_variants(notice_subject(strip_retracted_prefix(title)))
    folded = fold(main)
    compact = folded.replace(" ", "")
    return compact if len(compact) >= MIN_SUBJECT and not is_generic_title(folded) else ""


def abstract_key(abstract: str) -> str:
    """The opening of an abstract as pairs compare it: folded, at most ``ABSTRACT_CHARS`` long.

    Folded without ``fold``'s cache: an abstract is folded once, and 65,536 of them held there cost 22 MB.
    """
    return _fold_uncached(abstract[: ABSTRACT_CHARS + 100])[:ABSTRACT_CHARS]


def main_title(title: str) -> str:
    """The compact folded title before its first subtitle break (":", " - ", ". ", "? ")."""
    parts = _SUBTITLE_BREAK.split(title, maxsplit=1)
    if len(parts) < 2 or not fold(parts[1]):
        return ""
    head = fold(parts[0])
    if len(head.replace(" ", "")) < MIN_MAIN_TITLE or is_generic_title(head):
        return ""
    return head.replace(" ", "")


@dataclass(slots=True)
class Prepared:
    """Normalised columns, one entry per input record (same order)."""

    title: list[str] = field(default_factory=list)
    #: A second-language title given in the same field ("<ORIGINAL>", " = "), folded.
    title_alt: list[str] = field(default_factory=list)
    #: Numbers in the title ("2|3"), to tell Phase II from Phase III, Part 1 from Part 2.
    numbers: list[str] = field(default_factory=list)
    compact: list[str] = field(default_factory=list)
    #: For a notice or comment, the compact title of the record it is about ("" otherwise).
    subject: list[str] = field(default_factory=list)
    #: The compact title before its subtitle ("Phase I trial of FK973: Description of …"), or "".
    main_title: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    generic: list[bool] = field(default_factory=list)
    translated: list[bool] = field(default_factory=list)
    authors: list[list[str]] = field(default_factory=list)
    #: Each name read the other way round ("Ching-yi, Wu" → wu; "" when it has no such reading),
    #: beside ``authors``.
    authors_swapped: list[list[str]] = field(default_factory=list)
    #: The first letter of each such reading's given name ("Grant Morgan" → m), beside ``authors``.
    authors_swapped_initial: list[list[str]] = field(default_factory=list)
    #: The names as written, beside ``authors`` (to check another record's second reading against).
    author_names: list[list[str]] = field(default_factory=list)
    year: list[int | None] = field(default_factory=list)
    journal: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    volume: list[str] = field(default_factory=list)
    issue: list[str] = field(default_factory=list)
    pages: list[Pages] = field(default_factory=list)
    doi: list[str] = field(default_factory=list)
    #: Each record's DOIs after its first (an import's ``extra["other_dois"]``: a second RIS ``DO`` line, MEDLINE's
    #: second ``[doi]``), normalised, without ``doi``: a record is a DOI match on any of its DOIs.
    other_dois: list[tuple[str, ...]] = field(default_factory=list)
    pmid: list[str] = field(default_factory=list)
    #: Each record's abstract as given: only pairs whose verdict it can change compare it (``abstract_key``), so
    #: only their records' are folded.
    abstract: list[str] = field(default_factory=list)
    supplement: list[bool] = field(default_factory=list)
    #: Cochrane review number ("cd006828"), shared by the protocol and every update.
    cochrane: list[str] = field(default_factory=list)
    #: Records with the same code > 0 are exact copies (``copy_key``); 0: not one to call a copy.
    copy_key: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.title)


def prepare(records: Sequence[Record], progress: Callable[[str, int, int], None] | None = None) -> Prepared:
    """Normalise all records; ``progress(stage, done, total)`` is called now and then."""
    out = Prepared()
    total = len(records)
    copy_codes: dict[bytes, int] = {}
    for n, record in enumerate(records):
        main, alternative = title_variants(strip_retracted_prefix(record.title or ""))
        title = fold(main)
        out.title_alt.append(fold(alternative))
        out.numbers.append(title_numbers(title))
        doi = normalise_doi(record.doi)
        out.title.append(title)
        out.compact.append(title.replace(" ", ""))
        out.main_title.append(main_title(main))
        kind = publication_kind(record.title or "", record.journal or "", doi, record.publication_types or ())
        out.kind.append(kind)
        out.subject.append(subject_key(record.title or "") if kind in NOTICE_KINDS else "")
        out.generic.append(is_generic_title(title))
        out.translated.append(is_translated_title(record.title or ""))
        names = kept_names(record.authors)  # the names normalise_authors reads, split once
        out.authors.append([last_name(name) for name in names])
        readings = [second_reading(name) for name in names]
        out.authors_swapped.append([surname for surname, _ in readings])
        out.authors_swapped_initial.append([initial for _, initial in readings])
        out.author_names.append(names)
        out.year.append(normalise_year(record.year))
        out.journal.append(journal_variants(record.journal or ""))
        out.volume.append(normalise_volume(record.volume))
        out.issue.append(fold(record.issue or ""))
        out.pages.append(parse_pages(record.pages or ""))
        out.doi.append(doi)
        out.other_dois.append(_other_dois(record, doi))
        out.pmid.append(normalise_pmid(record.pmid))
        out.abstract.append(record.abstract or "")
        out.supplement.append(is_supplement(record.issue or "", record.volume or "")
                              or "conference" in fold(record.journal or ""))
        out.cochrane.append(cochrane_review_number(doi, record.journal or "", record.pages or "",
                                                   record.volume or "", record.issue or ""))
        key = copy_key(record, out, n)
        out.copy_key.append(copy_codes.setdefault(key, len(copy_codes) + 1) if key else 0)
        if progress is not None and n % 5000 == 0:
            progress("normalise", n, total)
    return out


def copy_key(record: Record, prep: Prepared, n: int) -> bytes:
    """A digest of every field the scorer reads of record ``n`` (already in ``prep``), normalised, or b"" when the
    record has too little to call another record its exact copy: no title, a generic one, or nothing beside a
    title, year and where it appeared (journal, volume, issue: every item of an issue shares them, and two items of
    a recurring column, or two letters "Re: X", gave nothing else). (A 128-bit digest, not the fields: at 50,000
    records they held every abstract twice.)

    The same export imported twice (as RIS and as CSV, or one file twice) gives pairs equal in every field; with
    one author or none and no journal or DOI their field points stayed below an automatic merge (6.0-6.5).
    """
    title = prep.title[n]
    if not title or prep.generic[n]:
        return b""
    names = "\x1e".join(prep.author_names[n])
    # The opening the scorer compares (``abstract_key``), with RIS's line breaks as spaces.
    abstract = " ".join(record.abstract[: ABSTRACT_CHARS + 100].split())[:ABSTRACT_CHARS] if record.abstract else ""
    journal = prep.journal[n]
    pages = "".join((record.pages or "").split())
    doi, pmid, volume = prep.doi[n], prep.pmid[n], prep.volume[n]
    if not (names or abstract or pages or doi or pmid):  # (version 29 took a journal or volume alone: rrev24c)
        return b""
    fields = (title, prep.title_alt[n], names, str(prep.year[n]), repr(journal), volume, prep.issue[n], pages,
              doi, "\x1e".join(prep.other_dois[n]), pmid, abstract)
    return hashlib.blake2b("\x1f".join(fields).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _other_dois(record: Record, doi: str) -> tuple[str, ...]:
    """``record``'s other DOIs, normalised as ``doi`` is, once each and without ``doi`` itself."""
    given = record.extra.get(OTHER_DOIS) if record.extra else None
    if not given:
        return ()
    values = [given] if isinstance(given, str) else given
    found = (normalise_doi(str(value)) for value in values)
    return tuple(dict.fromkeys(other for other in found if other and other != doi))


__all__ = ["ARTICLE", "Prepared", "abstract_key", "prepare"]
