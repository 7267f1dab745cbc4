"""Field normalisers: turn the many ways databases write one value into one comparable form.

Each function is pure, total (never raises on odd input) and idempotent, so the same value
normalised twice compares equal; the tests check these properties with hypothesis. Author names have
their own modules: :mod:`.names` reads one name, :mod:`.name_pairs` its other readings and two names together.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# -- text ---------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]{0,200}>")
_INLINE_TAG = re.compile(r"</?(?:sup|sub|inf|i|b|em|strong|u|sc|span|scp)(?:\s[^>]{0,100})?>", re.IGNORECASE)
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*\{([^{}]*)\}")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
#: "fran?aises", "Estudio multic?ntrico": an accent lost to a bad decode, not a word break.
_MISDECODED = re.compile(r"(?<=\w)[?\ufffd](?=\w)")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
#: Every ASCII character that is not a letter or digit becomes a space.
_ASCII_PUNCTUATION = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
#: Ligatures and look-alikes that NFKD does not fold into ASCII letters.
_FOLD_EXTRA = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ð": "d", "þ": "th",
                             "ł": "l", "đ": "d", "ı": "i", "_": " "})


def strip_markup(text: str) -> str:
    """Remove HTML/XML tags, decode entities and unwrap simple LaTeX commands."""
    if not text:
        return ""
    if "<" not in text and "&" not in text and "{" not in text and "\\" not in text:
        return text
    previous = None
    while previous != text:  # entities can be double-encoded (&amp;lt;i&amp;gt;)
        previous = text
        text = html.unescape(text)
    text = _INLINE_TAG.sub("", text)  # Ca<sup>2+</sup> → Ca2+, not "Ca 2+"
    text = _TAG.sub(" ", text)
    text = _LATEX_CMD.sub(r"\1", text)
    return text.replace("{", "").replace("}", "")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation as single spaces; non-Latin letters are kept.

    Keeping Cyrillic or CJK letters matters: ``[^a-z0-9]`` folding turns such titles into an
    empty string, which then "matches" every other non-Latin title.
    """
    if not text:
        return ""
    text = text.casefold()
    if "?" in text:
        text = _MISDECODED.sub("", text)
    if text.isascii():  # fast path: one C-level translate instead of two regex passes
        return " ".join(text.translate(_ASCII_PUNCTUATION).split())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold().translate(_FOLD_EXTRA)
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


# -- titles ---------------------------------------------------------------------------------

#: Database notes appended to titles ("[Erratum appears in J X 1989;24:629]", "[see comments]").
_TITLE_NOTE = re.compile(
    r"\[\s*(?:erratum|comment|see |retraction|retracted|corrected|published erratum|"
    r"update|republished|reprint|expression of concern)[^\]]*\]",
    re.IGNORECASE,
)
#: Trailing language tags ("[German]", "(author's transl)").
_LANGUAGE_NOTE = re.compile(
    r"[\[(]\s*(?:english|german|french|spanish|italian|dutch|russian|chinese|japanese|polish|"
    r"portuguese|czech|hungarian|danish|swedish|norwegian|finnish|turkish|korean|"
    r"author'?s transl|article in [a-z]+|[a-z]+ abstract)\s*[\])]\.?\s*$",
    re.IGNORECASE,
)
#: Abstract numbers printed before conference titles ("T262.", "P-123:", "#45 ").
_ABSTRACT_NUMBER = re.compile(r"^\s*(?:[A-Z]{0,4}[-\s]?\d{1,5}[A-Z]?|#\d{1,5})\s*[.:)]\s+(?=\S)")
_ENCLOSED = re.compile(r"^\s*[\[\"'“]\s*(.*?)\s*[\]\"'”]\s*\.?\s*$", re.DOTALL)


_ORIGINAL_MARK = re.compile(r"<\s*original\s*>|\s=\s|;\s(?=[A-Z\[])", re.IGNORECASE)


def title_variants(title: str) -> tuple[str, str]:
    """``(main, alternative)``: the title and a second-language title given in the same field.

    Embase writes ``English title <ORIGINAL> Original title``; other exports join the
    original and the translation with `` = `` or ``; ``.
    """
    title = title or ""
    if "<" not in title and "=" not in title and ";" not in title:
        return clean_title(title), ""
    parts = _ORIGINAL_MARK.split(title, maxsplit=1)
    if len(parts) == 2 and len(parts[0].strip()) >= 15 and len(parts[1].strip()) >= 15:
        return clean_title(parts[0]), clean_title(parts[1])
    return clean_title(title or ""), ""


_AMPERSAND = re.compile(r"\s*&\s*")


def clean_title(title: str) -> str:
    """The title without markup, database notes, abstract numbers or translation brackets."""
    text = strip_markup(title or "")
    if "&" in text:  # "Work & stress" is "Work and stress" in the other database
        text = _AMPERSAND.sub(" and ", text)
    if "[" in text or "(" in text:
        text = _TITLE_NOTE.sub(" ", text)
        text = _LANGUAGE_NOTE.sub(" ", text)
    match = _ABSTRACT_NUMBER.match(text) if text[:1].isalnum() or text[:1] == "#" else None
    if match and len(text) - match.end() > 20:
        text = text[match.end():]
    text = text.strip()
    for _ in range(2):  # "[Translated title]" and quoted titles: keep the content
        if text[:1] not in "[\"'“":
            break
        enclosed = _ENCLOSED.match(text)
        if not enclosed:
            break
        text = enclosed.group(1)
    return _SPACES.sub(" ", text).strip().rstrip(".").strip()


def normalise_title(title: str) -> str:
    """Folded title for comparison: ``clean_title`` then ``fold``."""
    return fold(clean_title(title))


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def title_numbers(folded_title: str) -> str:
    """The numbers in a folded title as a key ("2|3"); roman numerals count as numbers.

    "Phase II" vs "Phase III", "Part 1" vs "Part 2", "5-year" vs "10-year results" are
    different publications however similar the rest of the title is.
    """
    found = set()
    for word in folded_title.split():
        if word.isdigit():
            found.add(int(word))
        elif word in _ROMAN:
            found.add(_ROMAN[word])
    return "|".join(str(n) for n in sorted(found))


def is_translated_title(title: str) -> bool:
    """MEDLINE marks English translations of non-English titles with square brackets."""
    text = strip_markup(title or "").strip()
    return text.startswith("[") and text.rstrip(". ").endswith("]")


# -- DOIs and identifiers ---------------------------------------------------------------------

#: A PMCID, bare ("PMC456") or labelled ("PMCID: PMC456", "PMCID 456"): no PMID.
_PMCID = re.compile(r"pmcid\b|pmc\s*\d", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)


#: The ``<857::AID-SIM777>`` of a Wiley SICI DOI (``10.1002/(SICI)1097-0258(19980415)17:7<857::AID-SIM777>3.0.CO;2-E``):
#: part of the DOI, not a markup tag; without it every article of the issue had one DOI.
_SICI_PART = re.compile(r"<[^<>\s]*::aid-[^<>\s]*>", re.IGNORECASE)
#: Characters a DOI URL carries percent-encoded (``%2F`` for ``/``, ``%3C…%3E`` around a SICI part).
_URL_ESCAPE = re.compile(r"%(2F|3C|3E|3B|3A|28|29)", re.IGNORECASE)


def normalise_doi(doi: str) -> str:
    """``10.xxxx/suffix`` in lower case, from any URL/``doi:`` form; empty if none is found.

    It does not start from ``sources.fields.bare_doi`` (which import runs already): that decodes
    every escape of a resolver address, so ``…/10.1234/a%20b`` would key as ``10.1234/a``, and
    needs the whole value to be one DOI, where this finds one inside any text (CSV mode's cells)."""
    if not doi:
        return ""
    text = doi.strip()
    if "%" in text:
        text = _URL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    unescaped = html.unescape(html.unescape(text)) if "&" in text else text
    text = unescaped if _SICI_PART.search(unescaped) else strip_markup(text).strip()
    match = _DOI.search(text)
    if not match:
        return ""
    value = match.group(0).lower().rstrip(".,;:)]}>'\"")
    return "" if value.endswith("/") else value  # a prefix with no suffix is no DOI


def normalise_pmid(pmid: str) -> str:
    """The PubMed id in the field ("PMID: 123" → "123"), without leading zeros: its first number, so
    "123 (PMCID: PMC456)" or "123; 456" is not read as 123456; a PMCID ("PMC456") is no PMID."""
    if not pmid:
        return ""
    text = str(pmid).strip()
    if _PMCID.match(text):
        return ""
    match = _DIGITS.search(text)
    return match.group(0).lstrip("0") if match else ""


def normalise_year(year: object) -> int | None:
    """The first plausible four-digit year in the value (1800–2199), else None."""
    if year is None:
        return None
    if isinstance(year, int):
        return year if 1800 <= year <= 2199 else None
    match = _YEAR.search(str(year))
    return int(match.group(1)) if match else None


def normalise_volume(volume: str) -> str:
    """The leading number of a volume ("Vol. 12 (Suppl 1)" → "12"); "" when it has no number."""
    text = str(volume or "").strip()
    if ")" in text and "(" not in text:
        return ""  # a fragment such as "1)" left over from "61 (Suppl 1)"
    if not text:
        return ""
    match = _DIGITS.search(text)
    # No number at all ("(Jul)", "Suppl"): an issue month or a label where the volume belongs,
    # so it counts as missing rather than as a different volume.
    return match.group(0).lstrip("0") or "0" if match else ""


def is_supplement(issue: str, volume: str = "") -> bool:
    """Supplement issues carry conference abstracts whose DOIs are often shared."""
    text = f"{issue} {volume}".casefold()
    return "suppl" in text or "abstract" in text or "meeting" in text


# -- pages ----------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_EXCEL_DAY_MONTH = re.compile(r"^\s*(\d{1,2})-([A-Za-z]{3})\s*$")
_EXCEL_MONTH_NUM = re.compile(r"^\s*([A-Za-z]{3})-(\d{1,4})\s*$")
_RANGE_SEPARATOR = re.compile(r"\s*[,+]\s*")
_SIMPLE_RANGE = re.compile(r"[A-Za-z]{0,3}\d+(?:-[A-Za-z]{0,3}\d+)?")
_PAGE_TAIL = re.compile(r"[;,]|\bdiscussion\b|\bauthor reply\b|\bquiz\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_PAGE_PREFIX = re.compile(r"^\s*(?:pp?\.?|pages?)\s*", re.IGNORECASE)
_PAGE_PARTS = re.compile(r"([a-z]*)(\d*)")
_PAGE_CANONICAL = re.compile(r"^([a-z]*)0*(\d+)[a-z]*$")
_PAGE_TOKEN = re.compile(r"[A-Za-z]{0,4}\d+[A-Za-z]{0,2}")
#: What a page field looks like when no export garbled it: "965-971", "e1234", "S354-S355", "2S37".
_PAGE_NUMBER = r"\d?[A-Za-z]{0,4}\s?\d{1,6}[A-Za-z]{0,2}(?:\.e\d+)?"
_REGULAR_PAGES = re.compile(rf"{_PAGE_NUMBER}(?:\s*[-\u2013\u2014\s]\s*{_PAGE_NUMBER})?")


@dataclass(frozen=True, slots=True)
class Pages:
    """A normalised page range; ``uncertain`` when a spreadsheet turned it into a date."""

    start: str = ""
    end: str = ""
    uncertain: bool = False
    #: Other readings of the start page (both numbers of a date-mangled range).
    alternatives: tuple[str, ...] = ()
    #: Not a page range as databases write one ("pt-71", "2.05031E+15"): an export garbled it,
    #: so a disagreement with it is no evidence (equal values still count).
    irregular: bool = False

    def __str__(self) -> str:
        if not self.start:
            return ""
        return f"{self.start}-{self.end}" if self.end and self.end != self.start else self.start

    def starts(self) -> frozenset[str]:
        return frozenset((self.start, *self.alternatives)) - {""}


def _expand_end(start: str, end: str) -> str:
    """Complete an abbreviated last page: 1234-45 → 1245, 472-80 → 480."""
    s_prefix, s_digits = _PAGE_PARTS.match(start).groups()  # type: ignore[union-attr]
    e_prefix, e_digits = _PAGE_PARTS.match(end).groups()  # type: ignore[union-attr]
    if not s_digits or not e_digits or (e_prefix and e_prefix != s_prefix):
        return end
    if len(e_digits) < len(s_digits):
        candidate = s_digits[: len(s_digits) - len(e_digits)] + e_digits
        if int(candidate) >= int(s_digits):
            e_digits = candidate
    return s_prefix + str(int(e_digits))


def _page_token(token: str) -> str:
    """Lower case, no leading zeros; a letter prefix is kept ("iii428", "s69"), a suffix dropped."""
    match = _PAGE_CANONICAL.match(token.casefold())
    if not match:
        return token.casefold()
    prefix, digits = match.groups()
    return f"{prefix}{digits}"


@lru_cache(maxsize=65536)
def parse_pages(pages: str) -> Pages:
    """Read a page field: ranges, abbreviated ends, e-locators and spreadsheet-mangled dates.

    ``21-Apr`` was typed as ``21-4`` or ``4-21`` before a spreadsheet read it as a date; both
    numbers are kept as possible start pages and the value is marked ``uncertain``.
    """
    text = strip_markup(str(pages or "")).strip().strip("\"'")
    if not text:
        return Pages()
    mangled = _EXCEL_DAY_MONTH.match(text)
    if mangled and mangled.group(2).casefold() in _MONTHS:
        first, second = int(mangled.group(1)), _MONTHS[mangled.group(2).casefold()]
    else:
        mangled = _EXCEL_MONTH_NUM.match(text)
        if mangled and mangled.group(1).casefold() in _MONTHS:
            first, second = _MONTHS[mangled.group(1).casefold()], int(mangled.group(2))
        else:
            mangled = None
    if mangled:
        low, high = sorted((first, second))
        end = _expand_end(str(first), str(second))
        start = str(first)
        if int(end) < first:
            start, end = str(low), str(high)
        return Pages(start, end, uncertain=True, alternatives=tuple(sorted({str(low), str(high)} - {start})))
    ranges = _RANGE_SEPARATOR.split(text) if ("," in text or "+" in text) else [text]
    if len(ranges) > 1 and all(_SIMPLE_RANGE.fullmatch(r) for r in ranges):
        # "233-238+230-235" and "230-5, 246-51": several ranges, any may be listed first.
        parts = [parse_pages(r) for r in ranges]
        leading = parts[0]
        others = tuple(sorted({p.start for p in parts[1:]} - {leading.start}))
        return Pages(leading.start, leading.end, alternatives=others)
    head = _PAGE_TAIL.split(text, maxsplit=1)[0]
    if "[" in head or "(" in head:
        head = _BRACKETED.sub(" ", head)  # "[Poster #G115]"
    head = _PAGE_PREFIX.sub("", head)
    tokens = _PAGE_TOKEN.findall(head)
    if not tokens:
        return Pages()
    start = _page_token(tokens[0])
    end = _page_token(tokens[1]) if len(tokens) > 1 else start
    if end != start:
        end = _expand_end(start, end)
    return Pages(start, end, irregular=not _REGULAR_PAGES.fullmatch(head.strip(" .:;")))


def normalise_pages(pages: str) -> str:
    """Canonical ``start-end`` text, e.g. ``1234-45`` → ``1234-1245``, ``21-Apr`` → ``4-21``."""
    parsed = parse_pages(pages)
    if parsed.uncertain and parsed.alternatives:
        low, high = sorted((parsed.start, *parsed.alternatives), key=lambda p: int(re.sub(r"\D", "", p) or 0))
        return f"{low}-{high}"
    return str(parsed)
