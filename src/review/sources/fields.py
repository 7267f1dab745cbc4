"""Small normalisers shared by the readers and the exporters.

They only tidy what every format needs (years, author lists, page ranges, whitespace);
deeper cleaning (DOI prefixes, journal abbreviations) belongs to dedup, which keeps the
original values comparable across sources.
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from collections.abc import Iterable, Mapping
from typing import Any

from ..csvcells import FORMULA_PREFIXES, neutralise_cell, unneutralise_cell

__all__ = [
    "AUTHORS_INCOMPLETE", "ET_AL", "FORMULA_PREFIXES", "MESH_TAG", "OTHER_DOIS", "bare_doi", "distinct_dois", "split_dois", "collapse", "drop_et_al", "first_text", "has_et_al", "is_et_al",
    "drop_no_author", "is_no_author", "GENERATION_SUFFIXES",
    "strip_et_al", "join_authors", "join_pages", "marked_incomplete", "neutralise_cell",
    "parse_year", "split_authors", "split_keywords", "split_pages", "text_list", "unneutralise_cell",
]


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
# "Tashiro Y.Sato K.de Vries A. B." (ASySD/Embase exports join authors with nothing between):
# the whole cell must be "Surname I. I." repeated before it is split after each initials run.
_GLUED_AUTHORS = re.compile(r"^(?:[^\W\d][^.;,]*? (?:[A-Z]\.\s?)+){2,}$")
_GLUED_SPLIT = re.compile(r"(?<=\.)(?=[^\W\d][^\W\d]|[^\W\d]')")
#: "Smith J", "Smith JA", and with full stops (Scopus) "Smith J." or "Smith J. A."; "St." or "Ste." may begin
#: the surname ("St. Clair K"), as in :data:`_INITIALS_FIRST_NAME`.
_VANCOUVER_NAME = re.compile(r"^(?:Ste?\.\s?)?[^\W\d][\w'’ -]*? (?:[A-Z]{1,4}|(?:[A-Z]\.\s?){1,4})$")
#: ", J." after a comma marks "Surname, I." (APA, or one inverted name), never a list of full names.
_COMMA_INITIAL = re.compile(r",\s*[A-Z]\.")
#: Generation suffixes that are never initials ("Smith JA Jr", MEDLINE's "Gordon JR 3rd"), compared without
#: the dot; dedup reads names by the same words.
GENERATION_SUFFIXES = frozenset({"Jr", "jr", "Sr", "sr", "Jnr", "Snr", "2nd", "3rd", "4th"})
#: A comma piece that is only a generation suffix belongs to the name before it ("S. S. Easter, Jr.,"); the
#: roman numbers too there ("Lewis, J. S., II"), but not capital "JR", the initials of "Smith, JR".
_SUFFIX_PIECES = GENERATION_SUFFIXES | {"II", "III", "IV"}
#: "P. A. Raymond": initials with full stops, then the surname (no "J.Smith", which stays whole); "St." or
#: "Ste." may begin a surname word ("M. St. John").
_INITIALS_FIRST_NAME = re.compile(
    r"^(?:[A-Z]\.[\s-]?)*[A-Z]\.(?:\s+(?:Ste?\.\s+)?[^\W\d][^\s.,]*)+$")
#: APA's "Smith, J., Jones, K. L., & Brown, A.": a comma after initials (or after the suffix that ends a
#: name, "Easter, S. S., Jr., Burnham, J. A."), then "Surname, I.".
#: (The comma comes first in the pattern, so the search skips to each comma before any look-behind is tried.)
_AFTER_SUFFIX = "|".join(rf"(?<=\b{re.escape(suffix)}\.,)|(?<=\b{re.escape(suffix)},)" for suffix in sorted(_SUFFIX_PIECES))
_APA_BREAK = re.compile(rf",(?:(?<=[A-Z]\.,)|{_AFTER_SUFFIX})\s*(?=[^\s,]+(?:[\s-][^\s,]+)*,\s*[A-Z]\.)")
# The one rule for the words that say an author list goes on, for import and dedup alike: "et al",
# "et al.", "et. al", "et alii", "et alia", "others", "and others", "und andere", "et coll.".
_ET_AL_WORDS = r"(?:et\.?\s*al(?:ii|ia)?|(?:and\s+)?others|und\s+andere|et\s+coll)"
#: Those words anywhere in a name ("Jones K et. al."), with the stop and comma after them.
ET_AL = re.compile(rf"\b{_ET_AL_WORDS}\b\.?,?", re.IGNORECASE)
#: A cheap test before :data:`ET_AL`: every form holds one of these letter runs, in any case.
_ET_AL_HINT = re.compile(r"[Ee][Tt]|[Oo][Tt][Hh][Ee][Rr]|[Aa][Nn][Dd][Ee][Rr][Ee]")
#: An author entry that only says the list goes on ("et al.", "and others"), also a final comma piece.
_ET_AL_NAME = re.compile(rf"^{_ET_AL_WORDS}\.?$", re.IGNORECASE)
#: The same written after the last name: "Jones K et al", "Jones K, et al.", "Jones, K. and others".
_TRAILING_ET_AL = re.compile(rf"[\s,;]+{_ET_AL_WORDS}\.?$", re.IGNORECASE)
#: An author entry that says there is none: "Anonymous", "[Anonymous]", "Anon.", PubMed's "[No authors listed]".
_NO_AUTHOR = re.compile(r"^\[?\s*(?:anonymous|anon|no authors? listed)\s*\.?\s*\]?\.?$", re.IGNORECASE)
#: ``Record.extra`` key set (``True``) when an import dropped such an entry: the author list is cut short.
AUTHORS_INCOMPLETE = "authors_incomplete"
_AMPERSAND = re.compile(r"\s*,?\s*&\s*")
#: What exports write before a DOI: a resolver's address (``https://doi.org/``, ``http://dx.doi.org/``)…
_DOI_ADDRESS = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/", re.IGNORECASE)
#: … or a label (``doi:``, ``DOI ``).
_DOI_LABEL = re.compile(r"^doi:?\s*(?=10\.)", re.IGNORECASE)
_DOI_START = re.compile(r"^10\.\d{4,9}/")
#: Between two DOIs in one field ("10.1/a; 10.1/b", "10.1/a 10.1/b"): a separator with a space after
#: it, or one right before the next DOI. A separator inside a DOI (SICI's ``…3.0.CO;2-O``) has neither.
_BETWEEN_DOIS = re.compile(r"[;,|]?\s+|[;,|](?=\s*(?:https?://|doi\b|10\.))", re.IGNORECASE)
#: A label split off the DOI it stood before ("doi: 10.1/a; DOI 10.1/b" splits into "doi:", "10.1/a", "DOI", …).
_LABEL_ALONE = re.compile(r"^doi:?$", re.IGNORECASE)
#: ``Record.extra`` key: the record's DOIs after its first (``Record.doi``), bare, in the order written.
OTHER_DOIS = "other_dois"
#: RIS has no tag for MeSH terms: ``review export records`` writes them to ``MH``, PubMed's own tag for them (its
#: keywords, ``OT`` there, go to RIS's ``KW``), and the RIS import reads ``MH`` back as MeSH terms.
MESH_TAG = "MH"
_AND = re.compile(r"\s+and\s+")


#: A ``%XX`` escape of an ASCII character ("%2F" for "/").
_ASCII_ESCAPE = re.compile(r"%([0-7][0-9A-Fa-f])")


def collapse(value: str) -> str:
    """Runs of whitespace (line breaks of wrapped fields) become one space."""
    return " ".join(value.split())


def bare_doi(value: str) -> str:
    """The DOI itself, as PubMed gives it: without a resolver's address (its ``%2F``-style escapes
    decoded; where some are no UTF-8, only the ASCII ones, the others kept as written) or a ``doi:``
    label before it; a value that is then no DOI is kept as written."""
    text = value.strip()
    if address := _DOI_ADDRESS.match(text):
        bare = text[address.end():]
        try:
            bare = unquote(bare, errors="strict")
        except UnicodeDecodeError:  # "%E9" (Latin-1 é) would become U+FFFD: the escape says more,
            bare = _ASCII_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), bare)  # but "%2F" is still "/"
    else:
        bare = _DOI_LABEL.sub("", text)
    return bare if _DOI_START.match(bare) else text


def split_dois(value: str) -> list[str]:
    """The DOIs of one field, bare and once each, in the order written: ``["10.1/a", "10.1/b"]`` for
    ``"10.1/a; https://doi.org/10.1/b"`` (exports that hold a record's old and new DOI, or its
    translation's, write both in one cell). A value whose parts are not all DOIs stays one value."""
    parts = [bare_doi(part) for part in _BETWEEN_DOIS.split(value.strip()) if part and not _LABEL_ALONE.match(part)]
    if len(parts) < 2 or not all(_DOI_START.match(part) for part in parts):
        return [bare_doi(value)]
    return distinct_dois(parts)


def distinct_dois(dois: Iterable[str]) -> list[str]:
    """``dois`` once each, as first written: DOIs are case-insensitive, so ``10.1/A`` and ``10.1/a`` are one."""
    seen: dict[str, str] = {}
    for doi in dois:
        seen.setdefault(doi.casefold(), doi)
    return list(seen.values())


def parse_year(value: Any) -> int | None:
    """The first plausible four-digit year in ``value`` ("2013 06 10", "2005/07/15", 2014)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1500 <= value <= 2099 else None
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


def split_authors(value: str) -> list[str]:
    """Split one author cell into names: ``;``, ``and`` or ``&`` (BibTeX, APA), glued ``Surname I.``,
    then commas between names: Vancouver ``Smith J, Jones K`` and APA ``Smith, J., Jones, K. L.``
    (``Smith, J`` or ``Smith, John`` is one name). Import and dedup's CSV mode read cells with it."""
    value = value.strip()
    if not value:
        return []
    if "&" in value:  # "Smith, J., Jones, K., & Brown, A."
        value = _AMPERSAND.sub(" and ", value)
    if ";" in value:
        parts = value.split(";")
    elif _AND.search(value):
        parts = _AND.split(value)
    elif _GLUED_AUTHORS.match(value):
        parts = _GLUED_SPLIT.split(value)
    else:
        parts = [value]
    return [name for name in (collapse(p).strip(" ,") for part in parts for p in _split_commas(part)) if name]


def _split_commas(part: str) -> list[str]:
    """One part of an author cell split at the commas between names: every piece a Vancouver name
    ("Smith J, Jones K", "Smith J., Jones K."), three or more names of two words or more ("John Smith,
    Karl Jones, Anna Brown"), names with their initials first ("P. A. Raymond, S. S. Easter") or APA's
    "Smith, J., Jones, K."; a final "et al" stays a piece (dedup reads it as a cut list), and a
    generation suffix stays with the name before it ("S. S. Easter, Jr."). Otherwise whole: "Smith, J",
    "Smith, John" and "Bunn, Paul A., Jr." are one name."""
    if "," not in part:
        return [part]
    pieces = _with_suffixes([p.strip() for p in part.strip(" ,").split(",")])
    names = [_without_suffix(p) for p in (pieces[:-1] if is_et_al(pieces[-1]) else pieces)]
    if len(pieces) > 1 and names and all(_VANCOUVER_NAME.match(p) for p in names):
        return pieces
    if len(pieces) > 2 and not _COMMA_INITIAL.search(part) and all(len(p.split()) > 1 for p in names):
        return pieces
    if len(pieces) > 1 and names and all(_INITIALS_FIRST_NAME.match(p) for p in names):
        return pieces
    return _APA_BREAK.split(part)


def _with_suffixes(pieces: list[str]) -> list[str]:
    """Comma pieces with each piece that is only a generation suffix joined to the one before it."""
    joined: list[str] = []
    for piece in pieces:
        if joined and piece.rstrip(".") in _SUFFIX_PIECES:
            joined[-1] = f"{joined[-1]}, {piece}"
        else:
            joined.append(piece)
    return joined


def _without_suffix(name: str) -> str:
    """``name`` without a generation suffix at its end ("S. S. Easter, Jr." → "S. S. Easter", "Bunn PA Jr"
    → "Bunn PA"), for the shape tests of :func:`_split_commas`."""
    head, comma, tail = name.rpartition(",")
    if comma and tail.strip().rstrip(".") in _SUFFIX_PIECES:
        name = head.strip()
    words = name.split()
    if len(words) > 2 and words[-1].rstrip(".") in GENERATION_SUFFIXES:
        name = " ".join(words[:-1])
    return name


def drop_et_al(authors: Iterable[str]) -> tuple[list[str], bool]:
    """The names without the "et al" / "and others" entries that end a cut list (nor an "et al"
    written after the last name), and whether any was there: the list is then incomplete."""
    authors = list(authors)
    if not has_et_al("\n".join(authors)):  # the common case, one search per record
        return authors, False
    names: list[str] = []
    cut = False
    for name in authors:
        if is_et_al(name):
            cut = True
            continue
        trimmed = _TRAILING_ET_AL.sub("", name)
        if trimmed != name:
            cut = True
            if not trimmed.strip(" ,;"):
                continue
        names.append(trimmed)
    return names, cut


def has_et_al(text: str) -> bool:
    """Whether "et al" or one of its forms (:data:`ET_AL`) is written anywhere in ``text``."""
    return bool(_ET_AL_HINT.search(text) and ET_AL.search(text))


def is_et_al(name: str) -> bool:
    """Whether an author entry only says the list goes on ("et al.", "and others", "et alii")."""
    return bool(_ET_AL_NAME.match(name.strip(" ,;")))


def is_no_author(name: str) -> bool:
    """Whether an author entry says the work has none ("Anonymous", "[Anonymous]", "Anon", "[No authors
    listed]"): like "et al" it is never a name, but it does not cut a list short."""
    return bool(_NO_AUTHOR.match(name.strip()))


def drop_no_author(authors: list[str]) -> list[str]:
    """The names without the entries :func:`is_no_author` reads as no author."""
    return [name for name in authors if not is_no_author(name)]


def strip_et_al(name: str) -> str:
    """``name`` without any form of "et al" in it ("Jones K et. al." → "Jones K")."""
    text = name.strip(" ,.;")
    return ET_AL.sub("", text).strip(" ,.;") if has_et_al(text) else text


def marked_incomplete(extra: Mapping[str, Any] | None) -> bool:
    """Whether a record's ``extra`` marks its author list cut short (:data:`AUTHORS_INCOMPLETE`):
    ``True``, or the text a CSV export and re-import make of it ("True")."""
    flag = extra.get(AUTHORS_INCOMPLETE) if extra else None
    return flag is True or (isinstance(flag, str) and flag.strip().lower() in ("true", "yes", "1"))


def join_authors(authors: Iterable[str]) -> str:
    """The inverse of :func:`split_authors` for our own exports: ``"; "``-separated."""
    return "; ".join(authors)


def split_keywords(value: str) -> list[str]:
    """Keywords separated by ``;`` (or by ``,`` when there is no ``;``)."""
    separator = ";" if ";" in value else ","
    return [k for k in (collapse(p) for p in value.split(separator)) if k]


def split_pages(pages: str) -> tuple[str, str]:
    """``"19-26"`` → ``("19", "26")``; a single page keeps an empty end."""
    start, sep, end = pages.replace("--", "-").replace("\u2013", "-").partition("-")
    return (start.strip(), end.strip()) if sep and start.strip() else (pages.strip(), "")


def join_pages(start: str | None, end: str | None) -> str:
    start, end = (start or "").strip(), (end or "").strip()
    if start and end and end != start and "-" not in start:
        return f"{start}-{end}"
    return start or end


def text_list(value: Any) -> list[str]:
    """A field that may be missing, one string or a list, as a list of non-empty strings."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [s for s in (collapse(str(v)) for v in items) if s]


def first_text(*values: Any) -> str:
    """The first non-empty value (lists contribute their joined items), whitespace collapsed."""
    for value in values:
        items = text_list(value)
        if items:
            return " ".join(items)
    return ""



