"""Field normalisers: turn the many ways databases write one value into one comparable form.

Each function is pure, total (never raises on odd input) and idempotent, so the same value
normalised twice compares equal; the tests check these properties with hypothesis.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..sources.fields import GENERATION_SUFFIXES, has_et_al, is_no_author, split_authors, strip_et_al

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


# -- authors --------------------------------------------------------------------------------

_INITIALS = re.compile(r"^(?:[A-Z]{1,3}|(?:[A-Z][a-z]?\.\s*-?){1,4}|(?:[A-Z]\.?\s*){1,4})$")


@lru_cache(maxsize=131072)
def parse_author(name: str) -> tuple[str, str]:
    """``(last name, initials)`` folded, from "Last, First", "Last FM", "First M. Last": the drift
    generator's reading (``drift.swap_author_names``), kept as it is so that every version's drift numbers
    compare; the scorer reads names by :func:`last_name` and :func:`initial_beside`."""
    text = strip_et_al(strip_markup(name or ""))
    if not text:
        return ("", "")
    if "," in text:
        last, _, first = text.partition(",")
    else:
        words = text.split()
        if len(words) == 1:
            last, first = words[0], ""
        elif _INITIALS.match(" ".join(words[1:])) or all(_INITIALS.match(w) for w in words[1:]):
            last, first = words[0], " ".join(words[1:])  # MEDLINE "Smith JA", Embase "Smith J.A."
        elif _INITIALS.match(words[-1]) and len(words[-1].strip(".")) <= 3:
            last, first = " ".join(words[:-1]), words[-1]
        else:
            last, first = words[-1], " ".join(words[:-1])  # "John A. Smith"
    last_folded = fold(last).replace(" ", "")
    first = first.strip()
    if first and (first.replace(".", "").replace(" ", "").replace("-", "").isupper()):
        initials = "".join(ch for ch in first if ch.isupper())
    else:
        initials = "".join(w[0] for w in re.split(r"[\s.\-]+", first) if w)
    return (last_folded, fold(initials).replace(" ", ""))


#: Generation suffixes that are never initials wherever they stand after a name's first word ("Smith JA
#: Jr", "Kaneyama Jr K.", "Smith, John, Jr.", MEDLINE's "Gordon JR 3rd"), compared without the dot: the
#: words by which ``split_authors`` keeps a suffix with its name.
_GENERATION = GENERATION_SUFFIXES
#: Generation suffixes that are also initials ("Ivanov II", "Petrov IV", "Gordon JR", "da Silva JR"): a
#: suffix only at the end of a comma piece where a given part clearly remains (:func:`_generation_at`).
_GENERATION_OR_INITIALS = frozenset({"II", "III", "IV", "JR", "SR"})
#: Any of the two sets as a word: a name without one is left as written at once (``without_generation``).
_GENERATION_HINT = re.compile(r"\b(?:%s)\b" % "|".join(
    map(re.escape, sorted(_GENERATION | _GENERATION_OR_INITIALS, key=len, reverse=True))))


def _clear_initials(word: str, capitals: bool) -> bool:
    """Initials beyond doubt in a name's first comma piece ("C." of "C. Lynch"): with a dot, one
    letter, or :func:`_initials_like` in a name not written in capitals ("DA" of "DA SILVA" is the
    particle)."""
    bare = word.replace(".", "").replace("-", "")
    return _initials_like(word) and ("." in word or len(bare) == 1 or not capitals)


def _has_given_part(words: list[str], capitals: bool) -> bool:
    """Whether the first comma piece ``words`` holds a given part besides its surname ("C. Lynch",
    "Lynch C"), not "da Silva" or "Smith Jones"."""
    return len(words) > 1 and any(_clear_initials(word, capitals) for word in words)


def _generation_at(pieces: list[list[str]], n: int, k: int, capitals: bool) -> bool:
    """Whether word ``k`` of comma piece ``n`` is a generation suffix and no initials: one of
    :data:`_GENERATION` after the name's first word, or one of :data:`_GENERATION_OR_INITIALS` ending
    its piece where a given part clearly remains: after initials ("Smith JA JR", "Smith J III"), after
    a surname with initials before it ("J Smith III", "Robert C Green III"), after a given name past
    the comma ("Smith, John III"), or as a piece of its own beside a given part ("Smith, J. A., III",
    "C. Lynch, III"); III also after a name of two words, in its piece or the next ("John Smith III",
    "Charles Lynch, III"), as III is never three initials; and in a name in capitals without a comma after "AL"
    and one more word ("AL GORE JR", "AL RAY SR"), read as "AL GORE Jr" is, the reading as initials kept beside
    it (:func:`_al_with_initials`); with a comma, "AL SAYED, JR" is the surname Al Sayed and the initials J. R.,
    as an index writes it (version 24 read Sayed A.). Else "da Silva JR", "De Souza, II" and "Gordon JR" keep their initials, as the
    surname ("dasilva") would otherwise give way to a particle read as given name."""
    words = pieces[n]
    bare = words[k].rstrip(".")
    if n == 0 and k == 0:
        return False
    if bare in _GENERATION:
        return True
    if bare not in _GENERATION_OR_INITIALS or k != len(words) - 1:
        return False
    if capitals and n == 0 and _al_before(pieces, n, k):
        return True  # without a comma only: "AL SAYED, JR" is the surname Al Sayed and the initials J. R.
    if k > 0:  # MEDLINE never writes three initials III, so III after two words is a suffix ("John Smith III")
        return (n > 0 or _trailing_initials(words[k - 1]) or _has_given_part(words[:k], capitals)
                or (bare == "III" and k >= 2))
    if bare == "III" and len(pieces[0]) >= 2:
        return True  # "Charles Lynch, III": a name of two words before it, which III cannot be the initials of
    return _has_given_part(pieces[0], capitals) or any(
        piece and not (len(piece) == 1 and piece[0].rstrip(".") in _GENERATION_OR_INITIALS)
        for piece in pieces[1:n] + pieces[n + 1:])


def without_generation(name: str) -> str:
    """``name`` without a generation suffix (:func:`_generation_at`), which was read as initials
    ("Smith Jr" → j) or a surname ("Gordon JR 3rd" → 3rd); as written when it has none. A surname
    of particles the suffix leaves alone is written as one word ("da Silva Jr" → "daSilva", the surname
    it folds to): as two, "da Silva" would read Silva with the given name "da"."""
    if not _GENERATION_HINT.search(name):
        return name
    pieces = [piece.split() for piece in name.split(",")]
    capitals = name.upper() == name
    kept = [[word for k, word in enumerate(words) if not _generation_at(pieces, n, k, capitals)]
            for n, words in enumerate(pieces)]
    if kept == pieces:
        return name
    left = [words for words in kept if words]
    if len(left) == 1 and len(left[0]) == 2 and left[0][0] in _GIVEN_NAME_PARTICLE:
        # "Al Gore Jr", "AL GORE Jr" → "Gore, Al": the given name Al, not initials A. L. A surname of three
        # capitals or fewer is written title-cased: "RAY, Al" reads as initials before the comma ("J. A., Smith").
        surname = left[0][1].capitalize() if _initials_like(left[0][1]) else left[0][1]
        return f"{surname}, Al"
    if len(left) == 1 and len(left[0]) > 1 and all(_surname_particle(word) for word in left[0][:-1]):
        return "".join(left[0])  # "da Silva Jr", "da Silva, Jr." → "daSilva"; "John Smith, Jr." stays two words
    return ", ".join(" ".join(words) for words in left)


#: The one particle read as a given name before a dropped suffix, as written so or in capitals ("Al Gore
#: Jr", "AL GORE Jr": a suffix follows a given name, and in capitals nothing tells "Al" from "al"): every
#: other particle, and "al", begins the surname ("Van Dyke Jr", "Del Rio Jr", "DEL RIO JR", "El Sayed Jr").
#: Version 19 read title-case Van, Del, Le, La, Do, Di, El and Bin as given names too, which split "Van
#: Dyke Jr" from "Van Dyke J" and merged it with "Dyke V"; among authors such surnames far outnumber stage
#: names like "Van Morrison". Version 20 read "AL" as a particle ("AL GORE Jr" was algore).
_GIVEN_NAME_PARTICLE = frozenset({"Al", "AL"})


def _al_before(pieces: list[list[str]], n: int, k: int) -> bool:
    """Whether the words of a name other than word ``k`` of comma piece ``n`` are "AL" and one more word
    ("AL GORE JR")."""
    others = [word for m, words in enumerate(pieces) for j, word in enumerate(words) if (m, j) != (n, k)]
    return len(others) == 2 and others[0] == "AL"


def _al_with_initials(text: str) -> tuple[str, str] | None:
    """``(surname, initials)`` of a name in capitals that :func:`_generation_at` reads as the given name Al
    and a suffix ("AL GORE JR" is Gore A.), read as written: the surname "AL GORE" with the initials J. R.,
    MEDLINE's form in capitals of an Arabic surname ("Al Gore JR"); else None."""
    if text.upper() != text or not text.startswith("AL ") or "," in text:
        return None
    words = text.split()
    if len(words) != 3 or words[2].rstrip(".") not in _GENERATION_OR_INITIALS - {"III"}:
        return None
    return fold(" ".join(words[:2])).replace(" ", ""), fold(words[2])


def _surname_particle(word: str) -> bool:
    """Whether ``word`` before a surname whose generation suffix was dropped begins that surname
    ("da Silva Jr", "De Luca Jr", "Van Dyke Jr"), not a given name ("Al Gore Jr")."""
    return word.casefold() in _PARTICLES and word not in _GIVEN_NAME_PARTICLE


def _particle_start(words: list[str]) -> int | None:
    """The index of the first of the particles right before the last of ``words`` ("J A van der Vring" →
    2), or None when the word before the last is no particle or the last is initials ("de Vries S")."""
    if len(words) < 2 or words[-2].casefold() not in _PARTICLES or _trailing_initials(words[-1]):
        return None
    start = len(words) - 2
    while start > 0 and _is_particle(words, start - 1, any_case=True):
        start -= 1
    return start


def _joined_particles(text: str) -> str:
    """``text`` with the particles right before its last word written into that word, the surname they
    begin ("da Silva" → "daSilva", "Anna de Vries" → "Anna deVries", "J A Van Der Vring" → "J A
    VanDerVring"): read as words, "da" became a given name and Silva the surname, which is another
    person's (Silva D.). After a given part in any case (MEDLINE's full names write "J A van der Vring"
    and "J A Van Der Vring" for one person); at the start of a name only with a particle in lower case
    ("De la Rue"), as "Di Wu", "Da Wang", "Bin Ge" and "Al Gore" are given names first. As written when
    the last word is initials ("de Vries S" reads de Vries already) or in lower case."""
    if "," in text:
        return text
    words = text.split()
    start = _particle_start(words)
    if start is None or not words[-1][:1].isupper():
        return text
    if start == 0 and not any(word in _PARTICLES for word in words[:-1]):
        return text
    return " ".join([*words[:start], "".join(words[start:])])


def _given_before_particles(text: str) -> tuple[str, list[str], list[str]]:
    """``(last name, given words, particles)`` of a "Last, Given" ``text`` whose given part ends in
    lower-case particles ("Vries, A. de" → ("Vries", ["A."], ["de"])), else ``(last name, given words, [])``;
    a given part of particles only keeps them ("Vries, de")."""
    last, _, given = text.partition(",")
    words = given.split()
    end = len(words)
    while end > 1 and _is_particle(words, end - 1):
        end -= 1
    if not last.strip():
        end = len(words)
    return last.strip(), words[:end], words[end:]


def _has_capital(text: str) -> bool:
    """Whether ``text`` has a capital letter, so case tells its particles from its given names."""
    return text.lower() != text


def _particles_moved(text: str) -> str:
    """A "Last, Given" ``text`` with the lower-case particles that end its given part written before its
    surname ("Vries, A. de" → "de Vries, A.", "Cruz, Maria de la" → "de la Cruz, Maria"): library
    catalogues put them there, and read as given names they left the surname another person's (Vries A.).
    Only in a name with a capital letter: in one written all in lower case, case does not tell a particle
    from a given name ("wang, xiao di", "tran, minh van" are Wang X. D., Tran M. V.), so the name is read
    as written first and the moved surname is its second reading (:func:`particle_readings`)."""
    if not _has_capital(text):
        return text
    last, given, particles = _given_before_particles(text)
    if not particles:
        return text
    return f"{' '.join(particles)} {last}, {' '.join(given)}"


@lru_cache(maxsize=262144)
def _name_text(name: str) -> str:
    """One name as the readers below take it: without "et al" and without a generation suffix, and a
    surname of particles as one word (:func:`_joined_particles`, :func:`_particles_moved`)."""
    text = without_generation(strip_et_al(name))
    return _particles_moved(text) if "," in text else _joined_particles(text)


def _initials_like(word: str) -> bool:
    """"J", "JA", "J.A.", "J.-P." (initials), not "Jones" or "Li"."""
    bare = word.replace(".", "").replace("-", "")
    return 0 < len(bare) <= 3 and bare.isupper()


#: Vowel-less two-letter surnames that read like title-cased initials ("Ng", "Lv" for Lü).
_VOWELLESS_SURNAMES = frozenset({"ng", "lv"})
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)


def _trailing_initials(word: str) -> bool:
    """Initials after the surname: :func:`_initials_like`, or two initials an export title-cased
    ("Mj", "Gc" for "MJ", "GC"). Title case counts only for two letters without a vowel, as "Li",
    "Ho", "Os" are surnames and so are three-letter ones such as "Png", "Sng", "Vlk", "Srb"."""
    if _initials_like(word):
        return True
    bare = word.rstrip(".")
    return (len(bare) == 2 and bare.isalpha() and bare[0].isupper() and bare[1].islower()
            and not _VOWEL.search(bare) and bare.casefold() not in _VOWELLESS_SURNAMES)


def _ambiguous_initials(word: str) -> bool:
    """Three title-cased letters without a vowel: an export's title-cased initials ("Mjk" for
    MJK) or a surname ("Png", "Sng", "Vlk"). Neither reading is the first: the other record's
    way of writing the name chooses (:func:`pair_reading`)."""
    bare = word.rstrip(".")
    return (len(bare) == 3 and bare.isalpha() and bare[0].isupper() and bare[1:].islower()
            and not _VOWEL.search(bare))


def _ambiguous_split(text: str) -> list[str] | None:
    """The words of a name without a comma that ends in :func:`_ambiguous_initials` and has no
    other word that says which is the surname ("Ferrari Mjk", "Kevin Png", "De Luca Gcb"), else None."""
    if "," in text:
        return None
    words = text.split()
    if len(words) < 2 or not _ambiguous_initials(words[-1]) \
            or any(_initials_like(w) or w.endswith(".") for w in words[:-1]):
        return None
    return words


@lru_cache(maxsize=262144)
def is_ambiguous_name(name: str) -> bool:
    """Whether ``name`` reads two ways with neither first ("Ferrari Mjk", "Kevin Png")."""
    return _ambiguous_split(_name_text(name)) is not None


@lru_cache(maxsize=262144)
def initials_reading(name: str) -> tuple[str, str]:
    """An ambiguous name (:func:`is_ambiguous_name`) read with its last word as initials,
    ``(surname, all the initials)`` ("Ferrari Mjk" → ("ferrari", "mjk")), else ``("", "")``."""
    words = _ambiguous_split(_name_text(name))
    if words is None:
        return ("", "")
    return (fold(" ".join(words[:-1])).replace(" ", ""), fold(words[-1].rstrip(".")))


def _name_parts(text: str) -> tuple[str, str]:
    """``(last name, given part)`` as written, of one name without "et al" (the first reading;
    an ambiguous name, "Kevin Png", "Ferrari Mjk", keeps it only until :func:`pair_reading` chooses)."""
    if "," in text:
        last, _, given = text.partition(",")
        if given.strip() and all(_initials_like(w) for w in last.split()) \
                and not all(_initials_like(w) for w in given.split()):
            return given, last  # "J. A., Smith": the initials were written where the last name belongs
        return last, given
    words = text.split()
    if len(words) <= 1:
        return (words[0] if words else ""), ""
    if not _trailing_initials(words[-1]):
        return words[-1], " ".join(words[:-1])  # "John A. Smith"
    end = len(words) - 1
    while end > 1 and _initials_like(words[end - 1]):
        end -= 1  # every initial after the surname: "De Boer J. F." is De Boer (version 20: "De Boer J.", F.)
    # MEDLINE "Smith JA", Embase "Smith J.A.", "Ferrari Mj"; "San Martin A.", "van der Berg J", "de Vries R. B."
    return " ".join(words[:end]), " ".join(words[end:])


def _first_letter(text: str) -> str:
    """The folded first letter of a given name or initials ("Ching-yi" → c, "É." → e), or ""."""
    folded = fold(text)
    return folded[0] if folded else ""


@lru_cache(maxsize=262144)
def _plain_name_text(name: str) -> str:
    """:func:`_name_text` without markup ("<i>Hans</i> M&uuml;ller" → "Hans Müller")."""
    text = _name_text(name)
    return strip_markup(text) if "<" in text or "&" in text else text


@lru_cache(maxsize=262144)
def last_name(name: str) -> str:
    """The folded last name of one author, in any of the usual forms (no initials needed)."""
    text = _name_text(name)  # "Et Al." too
    if not text or is_no_author(text):  # "Anonymous" is no author, as "et al" is none
        return ""
    return fold(_name_parts(_plain_name_text(name))[0]).replace(" ", "")


@lru_cache(maxsize=262144)
def first_initial(name: str) -> str:
    """The folded first letter of the given part :func:`last_name` leaves ("Smith, John" → j,
    "Smith JA" → j, "J. A., Smith" → j), or "" when the name has none ("Smith")."""
    text = _plain_name_text(name)
    return _first_letter(_name_parts(text)[1]) if text else ""


#: Lower-case particles that begin a surname written first ("de Vries Anna", "van der Berg Jan", "ten Brink",
#: "van 't Hof", "des Forges", "delle Donne"); "St." of "St. John" too, written so in full names ("M. St. John").
_PARTICLES = frozenset({"de", "da", "di", "do", "dos", "du", "del", "della", "delle", "des", "van", "von", "der",
                        "den", "ter", "ten", "'t", "\u2019t", "le", "la", "al", "el", "bin", "ibn", "st", "st.",
                        "ste", "ste."})
#: The articles before which "in" is a particle too ("in 't Veld", "in de Betou", "in der Maur"): alone it is a
#: given name ("Jae In Park", "In Soo Kim"), so it begins a surname only before one of these.
_ARTICLES_AFTER_IN = frozenset({"'t", "\u2019t", "de", "der", "den"})


def _is_particle(words: list[str], k: int, any_case: bool = False) -> bool:
    """Whether word ``k`` of ``words`` is a particle (:data:`_PARTICLES`, in lower case unless ``any_case``):
    "in" only before an article ("A J Man in 't Veld", not "Jae In Park")."""
    def written(word: str) -> str:
        return word.casefold() if any_case else word
    word = written(words[k])
    if word in _PARTICLES:
        return True
    return word == "in" and k + 1 < len(words) and written(words[k + 1]) in _ARTICLES_AFTER_IN


@lru_cache(maxsize=262144)
def second_reading(name: str) -> tuple[str, str]:
    """The name's other reading, ``(surname, first letter of the rest)``: the folded part after
    the comma of "Last, Given", or the surname of a full name written surname first ("Smith John"
    → ("smith", "j"), "Wang Xiaoming"), also before initials, then with all of them ("Smith John A"
    → ("smith", "ja"), which :func:`last_name` reads as the compound surname of "San Martin A."; the
    MEDLINE form of a double surname, "Garcia Lopez J", reads ("garcia", "lj") and so is not
    "Garcia L"); ``("", "")`` when initials say which word is the surname, as in "Smith JA" or
    "John A. Smith".

    One source may write every name the other way round ("Ching-yi, Wu" for "Wu, C. Y."), and a
    full name without a comma reads both ways: databases that export full names (Embase, CNKI,
    Scopus's full names) put the surname first, BibTeX and publishers' pages put it last.
    :func:`last_name` reads the last word; the pair scorer compares this second reading against
    the other record's last names when the first disagrees, and only where the rest's first
    letter agrees with the other record's initials ("Grant Morgan" is not "Grant J").
    """
    text = _name_text(name)
    if "," not in text:
        words = text.split()
        initials = 0
        while len(words) > 2 and _trailing_initials(words[-1]):
            words.pop()  # "Smith John A": the full name before the initials reads both ways
            initials += 1
        if len(words) < 2 or any(_initials_like(w) or w.endswith(".") for w in words) \
                or _trailing_initials(words[-1]):
            return ("", "")
        taken = 1
        while taken < len(words) - 1 and _is_particle(words, taken - 1):  # "de Vries Anna", "van der Berg Jan"
            taken += 1
        if initials and _is_particle(words, taken - 1):
            return ("", "")  # "de Vries S", "van der Berg J": the surname is all there is before the initials
        letters = _first_letter(" ".join(words[taken:]))
        if initials and letters:  # every initial ("Smith John Paul A" → jpa), as initial_beside(every=True)
            letters = _initial_letters(words[taken:] + text.split()[len(words):])
        return (fold(" ".join(words[:taken])).replace(" ", ""), letters)
    before, _, after = text.partition(",")
    if all(_initials_like(w) for w in before.split()):
        return ("", "")  # "J. A., Smith": last_name already reads Smith
    folded = fold(after).replace(" ", "")
    return (folded, _first_letter(before)) if folded else ("", "")


def _chosen_surname(name: str, other: str, other_surname: str) -> str | None:
    """The reading of ambiguous ``name`` that ``other`` confirms: its surname is ``other``'s and
    the initials ``other`` gives beside it agree ("Kevin Png" ~ "Png K" → png, "Ferrari Mjk" ~
    "Ferrari MJK" → ferrari), or None."""
    words = _ambiguous_split(_name_text(name)) or []
    for surname, letters in ((fold(words[-1].rstrip(".")), _first_letter(words[0])), initials_reading(name)):
        if surname and surname == other_surname and initial_beside(other, surname, len(letters) > 1) == letters:
            return surname
    return None


@lru_cache(maxsize=262144)
def particle_readings(name: str) -> tuple[tuple[str, str], ...]:
    """The other readings of a name whose particles may or may not begin its surname, each ``(surname,
    every initial of the rest)``, or ``()``: the last word alone after a given part and particles ("P Van
    Nguyen" → ("nguyen", "pv"), "Jose da Silva" → ("silva", "jd"): :func:`last_name` reads vannguyen and
    dasilva, but Vietnamese "Van" and "Thi" are middle names, and indexes write "Silva J", "Vring JA"),
    and particles with the last word at a name's start, with no given part ("De Vries", "DA SILVA", "Di
    Wu" → ("devries", ""), …: :func:`last_name` reads Vries D., as "Di Wu" is Wu D.), the other reading
    of a catalogue's "Last, Given particles" (:func:`_catalogue_reading`), and the other readings of
    :func:`_more_readings`. Neither is the first reading: the other record's way of writing the name
    chooses (:func:`pair_reading`)."""
    readings = _readings(name)
    return tuple((surname, letters) for surname, letters, _ in readings) if readings else ()


@lru_cache(maxsize=262144)
def _readings(name: str) -> tuple[tuple[str, str, int], ...]:
    """:func:`particle_readings`, each with the fewest initials the other record must give beside its
    surname to confirm it (:func:`_particle_surname`): one where it has initials, none where not, more for
    :func:`_more_readings`."""
    stripped = strip_et_al(name)
    as_written = _al_with_initials(stripped) if stripped.startswith("AL ") else None
    if as_written:
        return ((*as_written, 1),)
    text = without_generation(stripped)
    if "," in text:
        catalogue = _catalogue_reading(name, text)
        return tuple((surname, letters, 1 if letters else 0) for surname, letters in catalogue) if catalogue else ()
    words = text.split()
    start = _particle_start(words)
    if start is None:
        return _more_readings(name, words)
    if start > 0:
        readings = [(fold(words[-1]).replace(" ", ""), _initial_letters(words[:-1]), 1)]
        if start > 1 and not _trailing_initials(words[start - 1]) \
                and all(_initials_like(word.rstrip(".")) for word in words[:start - 1]):
            # "A J Man in 't Veld" → ("manintveld", "aj"): the word before the particles begins the surname
            # too, as MEDLINE writes it ("Man in 't Veld AJ", "Jassim Al Khaja KA")
            readings.append((fold("".join(words[start - 1:])).replace(" ", ""), _initial_letters(words[:start - 1]), 1))
        if words[start].casefold() == "in":  # "C in de Betou" as version 23 read it, de Betou C. I., for "de Betou C"
            readings.append((fold("".join(words[start + 1:])).replace(" ", ""), _initial_letters(words[:start + 1]), 1))
    else:
        readings = [(fold("".join(words)).replace(" ", ""), "", 0)]
    first = last_name(name)
    return tuple(reading for reading in readings if reading[0] != first)


#: An index's initials run that holds the particles' initials too ("Berg AAVD" for A. A. van den Berg): four
#: to six capitals, which :func:`_initials_like` leaves a surname ("Jean DUPONT"), ending in those of van or
#: von (V), van den, van der, von der (VD) or van 't (VT). Version 24 took any four to six capitals, so "Paul
#: JAMES" met "Paul JA" and "Kim JUNG" "Kim JU" at 7.0; ter, ten, in and de are not read so ("Brink SJAT").
_LONG_INITIALS = re.compile(r"(?=[A-Z]{4,6}\Z)[A-Z]+V[DT]?")
#: The particles whose initials an index writes after the given initials ("Berg JV" for J. van der Berg,
#: "Bruggencate SJT" for S. J. ten Bruggencate): Dutch and German ones. Version 24 took every particle, so
#: "da Silva A" met "Silva AD", "dos Santos M" "Santos MD" and "Le Roux P" "Roux PL" at 7.0, where the
#: second capital is far likelier a second given name.
_INDEXED_PARTICLES = frozenset({"van", "von", "der", "den", "ter", "ten", "'t", "\u2019t", "in"})


def _more_readings(name: str, words: list[str]) -> tuple[tuple[str, str, int], ...]:
    """The index forms whose particles are initials or whose initials are long, ``(surname, every initial,
    fewest the other record must give)``: particles, a surname and its initials ("van den Berg A A" →
    ("berg", "aavd", 3)), taken only where the other record's initials reach into the particles' ("Berg
    AAVD", "Berg AAV", not "Berg AA") and only for Dutch and German particles (:data:`_INDEXED_PARTICLES`),
    and a surname before four to six capitals ending in a particle's initials (:data:`_LONG_INITIALS`) in a
    name not all in capitals ("Berg AAVD" → ("berg", "aavd", 2): :func:`last_name` reads the capitals as the surname, as in
    "Jean DUPONT"), taken only where the other record gives two initials or more."""
    if len(words) < 2 or "," in name \
            or not (words[0].casefold() in _PARTICLES or words[0] == "in" or (words[-1].isupper() and len(words[-1]) > 3)):
        return ()  # the common case: neither shape
    if _LONG_INITIALS.fullmatch(words[-1]) and _has_capital(" ".join(words[:-1])) \
            and all((word[:1].isupper() and not word.isupper()) or word in _PARTICLES for word in words[:-1]):
        return ((fold(" ".join(words[:-1])).replace(" ", ""), fold(words[-1]), 2),)
    start = 0
    while start < len(words) and _is_particle(words, start, any_case=True):
        start += 1
    if start == 0 or start + 2 > len(words) or not all(_trailing_initials(word) for word in words[start + 1:]) \
            or _trailing_initials(words[start]) or not any(word.casefold() in _INDEXED_PARTICLES for word in words[:start]):
        return ()
    given = _initial_letters(words[start + 1:])
    return ((fold(words[start]).replace(" ", ""), given + _initial_letters(words[:start]), len(given) + 1),)


def _catalogue_reading(name: str, text: str) -> tuple[tuple[str, str], ...]:
    """The reading :func:`last_name` does not take of a "Last, Given particles" ``text``, ``(surname, every
    initial of the rest)``, or ``()``: the name as written when the particles were moved before its surname,
    the particles' initials last ("Vries, A. de" → ("vries", "ad"), "Cruz, Maria de la" → ("cruz", "mdl"):
    indexes write "Vries A", "Cruz M", and versions 20 and 21 read "Vries AD" so too, merges version 22
    lost; the other record's initials only need to begin these, :func:`_particle_surname`), the moved
    surname when they were not, in a name without a capital ("vries, a. de" → ("devries", "a"))."""
    last, given, particles = _given_before_particles(text)
    if not particles or not last:
        return ()
    if _has_capital(text):  # so _particles_moved moved them, as the name has particles and a last name
        reading = (fold(last).replace(" ", ""), _initial_letters(given + particles))
    else:
        reading = (fold(" ".join(particles) + last).replace(" ", ""), _initial_letters(given))
    return () if reading[0] == last_name(name) else (reading,)


def _particle_surname(name: str, other: str, other_surname: str) -> str | None:
    """The reading of :func:`particle_readings` that ``other`` confirms: its surname is ``other``'s and
    the initials ``other`` gives beside it begin this reading's ("P Van Nguyen" ~ "Nguyen P" or "Nguyen
    PV" → nguyen, not ~ "Nguyen TV"; "A De Simone" ~ "Simone G" → None); a reading without initials
    only by a name without them ("De Vries" ~ "de Vries" → devries), or None."""
    for surname, letters, fewest in _readings(name):
        if surname != other_surname:
            continue
        theirs = initial_beside(other, surname, every=True)
        if letters.startswith(theirs) and len(theirs) >= fewest:
            return surname
    return None


def _shared_reading(name: str, other: str) -> str | None:
    """A surname two names share only in readings neither takes first, with initials of which one begins the
    other's and as many as both readings need ("Berg AAVD" ~ "van den Berg A A" or "A A van den Berg" →
    berg), or None."""
    for surname, letters, fewest in _readings(name):
        for their_surname, their_letters, their_fewest in _readings(other):
            shorter = min(letters, their_letters, key=len)
            if surname == their_surname and (letters.startswith(their_letters) or their_letters.startswith(letters)) \
                    and len(shorter) >= max(fewest, their_fewest):
                return surname
    return None


@lru_cache(maxsize=262144)
def pair_reading(name: str, other: str) -> tuple[str, str]:
    """The last names of two names at the same place of two author lists where one or both is
    ambiguous (:func:`is_ambiguous_name`) or reads another way by its particles
    (:func:`particle_readings`): an ambiguous name takes the reading the other confirms
    (:func:`_chosen_surname`), else its three letters; three letters no reading confirms never
    agree alone, so two names sharing only them ("Ferrari Mjk" ~ "Bianchi Mjk", "Ferrari Mjk" ~
    "Mjk B") are compared whole. A particle reading is taken only where the first readings differ and
    the other name confirms it (:func:`_particle_surname`)."""
    first, second = last_name(name), last_name(other)
    if _name_text(name).split() == _name_text(other).split():  # the same spelling (case too: "Mjk" is not "MJK")
        return first, second
    mine = _chosen_surname(name, other, second) if is_ambiguous_name(name) else first
    theirs = _chosen_surname(other, name, first) if is_ambiguous_name(other) else second
    if (mine or first) == (theirs or second) and (mine is None or theirs is None):
        return fold(_name_text(name)).replace(" ", ""), fold(_name_text(other)).replace(" ", "")
    mine, theirs = mine or first, theirs or second
    if mine != theirs:
        mine = _particle_surname(name, other, theirs) or mine
    if mine != theirs:
        theirs = _particle_surname(other, name, mine) or theirs
    if mine != theirs:
        shared = _shared_reading(name, other)
        if shared:
            mine = theirs = shared
    return mine, theirs


def kept_names(authors: list[str] | str) -> list[str]:
    """The names :func:`normalise_authors` reads a last name from, in the same order; in a list that
    writes initials title-cased (a name such as "Ferrari Mj", :func:`_vowelless_initials`), a last word of two title-cased
    letters after the surname in capitals, so that the readers take it as initials ("Rossi Ga" →
    "Rossi GA" beside "Ferrari Mj")."""
    names = split_authors(authors) if isinstance(authors, str) else list(authors or [])
    if _TITLE_CASED_PAIR_HINT.search("\n".join(names)) and any(_vowelless_initials(name) for name in names if name):
        names = [_capitalised_pair(name) for name in names]
    return [name for name in names if name and last_name(name) not in ("", "etal", "others")]


#: A name ending in two letters (one search per record: most lists have no :func:`_title_cased_pair`).
_TITLE_CASED_PAIR_HINT = re.compile(r"\s[^\W\d_]{2}[ \t]*$", re.MULTILINE)


def _title_cased_pair(name: str) -> list[str] | None:
    """The words of a name without a comma whose last word is two title-cased letters after a surname of
    no initials ("Rossi Ga", "De Luca Gc", "Xing Li"), else None."""
    if "," in name:
        return None
    words = name.split()
    last = words[-1] if len(words) > 1 else ""
    if not (len(last) == 2 and last.isalpha() and last[0].isupper() and last[1].islower()):
        return None
    if any(_initials_like(w) or w.endswith(".") for w in words[:-1]):
        return None
    return words


@lru_cache(maxsize=262144)
def _vowelless_initials(name: str) -> bool:
    """Whether ``name`` is a :func:`_title_cased_pair` ending in title-cased initials beyond doubt: two
    letters without a vowel ("Ferrari Mj"), not the surnames Ng and Lv, nor "Jr" or "Sr"."""
    words = _title_cased_pair(name)
    return words is not None and _trailing_initials(words[-1]) and words[-1] not in _GENERATION


def _capitalised_pair(name: str) -> str:
    """``name`` with the two title-cased letters of a :func:`_title_cased_pair` in capitals."""
    words = _title_cased_pair(name)
    return name if words is None else " ".join([*words[:-1], words[-1].upper()])


def _initial_letters(words: list[str]) -> str:
    """The folded initials of given-name words: every letter of initials ("JA", "J.A.", "Mj"),
    the first letter of a name ("John")."""
    letters = []
    for word in words:
        for part in re.split(r"[.\-]+", word):
            if part:
                letters.append(fold(part) if _trailing_initials(part) else _first_letter(part))
    return "".join(letters).replace(" ", "")


@lru_cache(maxsize=262144)
def initial_beside(name: str, surname: str, every: bool = False) -> str:
    """The first letter of the word after ``surname`` is taken out of ``name`` ("Grant J", "grant"
    → j; "Ferrari Mj", "ferrari" → m, as :func:`first_initial` reads it too), or :func:`first_initial`
    when no word of the name is ``surname``. With ``every``, all the initials of the rest ("Smith,
    J. A." → ja; "Garcia L" → l), or those of the given part :func:`last_name` leaves when no word is
    ``surname`` ("De Boer J. F." → jf; version 20 asked the drift generator's ``parse_author``, which read f)."""
    if every:
        text = _plain_name_text(name)  # "<i>Hans</i> M&uuml;ller": the words last_name reads
        words = text.replace(",", " ").split()
        folded = [fold(word).replace(" ", "") for word in words]
        if surname in folded:
            del words[folded.index(surname)]
            return _initial_letters(words)
        return _initial_letters(_name_parts(text)[1].replace(",", " ").split())
    words = fold(_plain_name_text(name)).split()  # "Grant, <i>M.</i>": the words last_name reads, not the tag's "i"
    if surname in words:
        words.remove(surname)
        return words[0][0] if words else ""
    return first_initial(name)


def normalise_authors(authors: list[str] | str) -> tuple[list[str], bool]:
    """Folded last names in order, and whether the list was truncated ("et al")."""
    names = split_authors(authors) if isinstance(authors, str) else list(authors or [])
    return [last_name(name) for name in kept_names(names)], any(has_et_al(name) for name in names if name)
