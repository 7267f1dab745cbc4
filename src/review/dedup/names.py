"""Author names, one at a time: the folded last name and initials of a name in any of the usual forms
("Smith JA", "Smith, John A.", "John A. Smith", "da Silva Jr", "Vries, A. de", "AL GORE JR"), the names of
an author list, and the drift generator's older reading (:func:`parse_author`).

Like :mod:`.normalise`, every function is pure and total. The readings a name has beside its first one, and
the choice between them for a pair of names, are in :mod:`.name_pairs`, which reads words with the tests here
(:func:`is_particle`, :func:`looks_like_initials`, :func:`initials_after_surname`, :func:`name_for_reading`, …):
those are public, the rest private to this module.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..sources.fields import GENERATION_SUFFIXES, has_et_al, is_no_author, split_authors, strip_et_al
from .normalise import fold, strip_markup


def squashed(text: str) -> str:
    """``text`` folded (``normalise.fold``) with its spaces taken out: how surnames are compared."""
    return fold(text).replace(" ", "")


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
    last_folded = squashed(last)
    first = first.strip()
    if first and (first.replace(".", "").replace(" ", "").replace("-", "").isupper()):
        initials = "".join(ch for ch in first if ch.isupper())
    else:
        initials = "".join(w[0] for w in re.split(r"[\s.\-]+", first) if w)
    return (last_folded, squashed(initials))


#: Generation suffixes that are never initials wherever they stand after a name's first word ("Smith JA
#: Jr", "Kaneyama Jr K.", "Smith, John, Jr.", MEDLINE's "Gordon JR 3rd"), compared without the dot: the
#: words by which ``split_authors`` keeps a suffix with its name.
_GENERATION = GENERATION_SUFFIXES
#: Generation suffixes that are also initials ("Ivanov II", "Petrov IV", "Gordon JR", "da Silva JR"): a
#: suffix only at the end of a comma piece where a given part clearly remains (:func:`_generation_at`).
GENERATION_OR_INITIALS = frozenset({"II", "III", "IV", "JR", "SR"})
#: Any of the two sets as a word: a name without one is left as written at once (``without_generation``).
_GENERATION_HINT = re.compile(r"\b(?:%s)\b" % "|".join(
    map(re.escape, sorted(_GENERATION | GENERATION_OR_INITIALS, key=len, reverse=True))))


def _clear_initials(word: str, capitals: bool) -> bool:
    """Initials beyond doubt in a name's first comma piece ("C." of "C. Lynch"): with a dot, one
    letter, or :func:`looks_like_initials` in a name not written in capitals ("DA" of "DA SILVA" is the
    particle)."""
    bare = word.replace(".", "").replace("-", "")
    return looks_like_initials(word) and ("." in word or len(bare) == 1 or not capitals)


def _has_given_part(words: list[str], capitals: bool) -> bool:
    """Whether the first comma piece ``words`` holds a given part besides its surname ("C. Lynch",
    "Lynch C"), not "da Silva" or "Smith Jones"."""
    return len(words) > 1 and any(_clear_initials(word, capitals) for word in words)


def _generation_at(pieces: list[list[str]], n: int, k: int, capitals: bool) -> bool:
    """Whether word ``k`` of comma piece ``n`` is a generation suffix and no initials: one of
    :data:`_GENERATION` after the name's first word, or one of :data:`GENERATION_OR_INITIALS` ending
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
    if bare not in GENERATION_OR_INITIALS or k != len(words) - 1:
        return False
    if capitals and n == 0 and _al_before(pieces, n, k):
        return True  # without a comma only: "AL SAYED, JR" is the surname Al Sayed and the initials J. R.
    if k > 0:  # MEDLINE never writes three initials III, so III after two words is a suffix ("John Smith III")
        return (n > 0 or initials_after_surname(words[k - 1]) or _has_given_part(words[:k], capitals)
                or (bare == "III" and k >= 2))
    if bare == "III" and len(pieces[0]) >= 2:
        return True  # "Charles Lynch, III": a name of two words before it, which III cannot be the initials of
    return _has_given_part(pieces[0], capitals) or any(
        piece and not (len(piece) == 1 and piece[0].rstrip(".") in GENERATION_OR_INITIALS)
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
        surname = left[0][1].capitalize() if looks_like_initials(left[0][1]) else left[0][1]
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


def _surname_particle(word: str) -> bool:
    """Whether ``word`` before a surname whose generation suffix was dropped begins that surname
    ("da Silva Jr", "De Luca Jr", "Van Dyke Jr"), not a given name ("Al Gore Jr")."""
    return word.casefold() in PARTICLES and word not in _GIVEN_NAME_PARTICLE


def surname_particles_start(words: list[str]) -> int | None:
    """The index of the first of the particles right before the last of ``words`` ("J A van der Vring" →
    2), or None when the word before the last is no particle or the last is initials ("de Vries S")."""
    if len(words) < 2 or not is_particle(words, len(words) - 2, any_case=True) or initials_after_surname(words[-1]):
        return None
    start = len(words) - 2
    while start > 0 and is_particle(words, start - 1, any_case=True):
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
    start = surname_particles_start(words)
    if start is None or not words[-1][:1].isupper():
        return text
    if start == 0 and not any(is_particle(words, k) for k in range(len(words) - 1)):
        return text
    return " ".join([*words[:start], "".join(words[start:])])


def split_catalogue_name(text: str) -> tuple[str, list[str], list[str]]:
    """``(last name, given words, particles)`` of a "Last, Given" ``text`` whose given part ends in
    lower-case particles ("Vries, A. de" → ("Vries", ["A."], ["de"])), else ``(last name, given words, [])``;
    a given part of particles only keeps them ("Vries, de")."""
    last, _, given = text.partition(",")
    words = given.split()
    end = len(words)
    while end > 1 and is_particle(words, end - 1):
        end -= 1
    if not last.strip():
        end = len(words)
    return last.strip(), words[:end], words[end:]


def has_capital(text: str) -> bool:
    """Whether ``text`` has a capital letter, so case tells its particles from its given names."""
    return text.lower() != text


def _particles_moved(text: str) -> str:
    """A "Last, Given" ``text`` with the lower-case particles that end its given part written before its
    surname ("Vries, A. de" → "de Vries, A.", "Cruz, Maria de la" → "de la Cruz, Maria"): library
    catalogues put them there, and read as given names they left the surname another person's (Vries A.).
    Only in a name with a capital letter: in one written all in lower case, case does not tell a particle
    from a given name ("wang, xiao di", "tran, minh van" are Wang X. D., Tran M. V.), so the name is read
    as written first and the moved surname is its second reading (:func:`particle_readings`)."""
    if not has_capital(text):
        return text
    last, given, particles = split_catalogue_name(text)
    if not particles:
        return text
    return f"{' '.join(particles)} {last}, {' '.join(given)}"


@lru_cache(maxsize=262144)
def name_for_reading(name: str) -> str:
    """One name as the readers below take it: without "et al" and without a generation suffix, and a
    surname of particles as one word (:func:`_joined_particles`, :func:`_particles_moved`)."""
    text = without_generation(strip_et_al(name))
    return _particles_moved(text) if "," in text else _joined_particles(text)


def looks_like_initials(word: str) -> bool:
    """"J", "JA", "J.A.", "J.-P." (initials), not "Jones" or "Li"."""
    bare = word.replace(".", "").replace("-", "")
    return 0 < len(bare) <= 3 and bare.isupper()


#: Vowel-less two-letter surnames that read like title-cased initials ("Ng", "Lv" for Lü).
_VOWELLESS_SURNAMES = frozenset({"ng", "lv"})
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)


def has_vowel(word: str) -> bool:
    """Whether ``word`` has a Latin vowel (y counts): title-cased initials ("Mj", "Mjk") have none."""
    return _VOWEL.search(word) is not None


def initials_after_surname(word: str) -> bool:
    """Initials after the surname: :func:`looks_like_initials`, or two initials an export title-cased
    ("Mj", "Gc" for "MJ", "GC"). Title case counts only for two letters without a vowel, as "Li",
    "Ho", "Os" are surnames and so are three-letter ones such as "Png", "Sng", "Vlk", "Srb"."""
    if looks_like_initials(word):
        return True
    bare = word.rstrip(".")
    return (len(bare) == 2 and bare.isalpha() and bare[0].isupper() and bare[1].islower()
            and not has_vowel(bare) and bare.casefold() not in _VOWELLESS_SURNAMES)


def _name_parts(text: str) -> tuple[str, str]:
    """``(last name, given part)`` as written, of one name without "et al" (the first reading;
    an ambiguous name, "Kevin Png", "Ferrari Mjk", keeps it only until :func:`pair_reading` chooses)."""
    if "," in text:
        last, _, given = text.partition(",")
        if given.strip() and all(looks_like_initials(w) for w in last.split()) \
                and not all(looks_like_initials(w) for w in given.split()):
            return given, last  # "J. A., Smith": the initials were written where the last name belongs
        return last, given
    words = text.split()
    if len(words) <= 1:
        return (words[0] if words else ""), ""
    if not initials_after_surname(words[-1]):
        return words[-1], " ".join(words[:-1])  # "John A. Smith"
    end = len(words) - 1
    while end > 1 and looks_like_initials(words[end - 1]):
        end -= 1  # every initial after the surname: "De Boer J. F." is De Boer (version 20: "De Boer J.", F.)
    # MEDLINE "Smith JA", Embase "Smith J.A.", "Ferrari Mj"; "San Martin A.", "van der Berg J", "de Vries R. B."
    return " ".join(words[:end]), " ".join(words[end:])


def first_letter(text: str) -> str:
    """The folded first letter of a given name or initials ("Ching-yi" → c, "É." → e), or ""."""
    folded = fold(text)
    return folded[0] if folded else ""


@lru_cache(maxsize=262144)
def _plain_name_text(name: str) -> str:
    """:func:`name_for_reading` without markup ("<i>Hans</i> M&uuml;ller" → "Hans Müller")."""
    text = name_for_reading(name)
    return strip_markup(text) if "<" in text or "&" in text else text


@lru_cache(maxsize=262144)
def last_name(name: str) -> str:
    """The folded last name of one author, in any of the usual forms (no initials needed)."""
    text = name_for_reading(name)  # "Et Al." too
    if not text or is_no_author(text):  # "Anonymous" is no author, as "et al" is none
        return ""
    return squashed(_name_parts(_plain_name_text(name))[0])


@lru_cache(maxsize=262144)
def first_initial(name: str) -> str:
    """The folded first letter of the given part :func:`last_name` leaves ("Smith, John" → j,
    "Smith JA" → j, "J. A., Smith" → j), or "" when the name has none ("Smith")."""
    text = _plain_name_text(name)
    return first_letter(_name_parts(text)[1]) if text else ""


#: Lower-case particles that begin a surname written first ("de Vries Anna", "van der Berg Jan", "ten Brink",
#: "van 't Hof", "des Forges", "delle Donne"); "St." of "St. John" too, written so in full names ("M. St. John").
PARTICLES = frozenset({"de", "da", "di", "do", "dos", "du", "del", "della", "delle", "des", "van", "von", "der",
                        "den", "ter", "ten", "'t", "\u2019t", "le", "la", "al", "el", "bin", "ibn", "st", "st.",
                        "ste", "ste."})
#: The articles before which "in" is a particle too ("in 't Veld", "in het Panhuis", "in de Betou", "in der
#: Maur"): alone it is a given name ("Jae In Park", "In Soo Kim"), so it begins a surname only before one of these.
_ARTICLES_AFTER_IN = frozenset({"'t", "\u2019t", "het", "de", "der", "den"})
#: The particles after which "het", the article "'t" writes short, is a particle too ("M in het Panhuis", "A van
#: het Hof"): alone it is also a given name (Gujarati "Het Patel"). Version 26 read "in het" as given names.
_PARTICLES_BEFORE_HET = frozenset({"in", "van"})


def is_particle(words: list[str], k: int, any_case: bool = False) -> bool:
    """Whether word ``k`` of ``words`` is a particle (:data:`PARTICLES`, in lower case unless ``any_case``):
    "in" only before an article ("A J Man in 't Veld", not "Jae In Park"), "het" only after "in" or "van"."""
    def written(word: str) -> str:
        return word.casefold() if any_case else word
    word = written(words[k])
    if word in PARTICLES:
        return True
    if word == "het":
        return k > 0 and written(words[k - 1]) in _PARTICLES_BEFORE_HET
    return word == "in" and k + 1 < len(words) and written(words[k + 1]) in _ARTICLES_AFTER_IN


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
    if any(looks_like_initials(w) or w.endswith(".") for w in words[:-1]):
        return None
    return words


@lru_cache(maxsize=262144)
def _vowelless_initials(name: str) -> bool:
    """Whether ``name`` is a :func:`_title_cased_pair` ending in title-cased initials beyond doubt: two
    letters without a vowel ("Ferrari Mj"), not the surnames Ng and Lv, nor "Jr" or "Sr"."""
    words = _title_cased_pair(name)
    return words is not None and initials_after_surname(words[-1]) and words[-1] not in _GENERATION


def _capitalised_pair(name: str) -> str:
    """``name`` with the two title-cased letters of a :func:`_title_cased_pair` in capitals."""
    words = _title_cased_pair(name)
    return name if words is None else " ".join([*words[:-1], words[-1].upper()])


def initial_letters(words: list[str]) -> str:
    """The folded initials of given-name words: every letter of initials ("JA", "J.A.", "Mj"),
    the first letter of a name ("John")."""
    letters = []
    for word in words:
        for part in re.split(r"[.\-]+", word):
            if part:
                letters.append(fold(part) if initials_after_surname(part) else first_letter(part))
    return "".join(letters).replace(" ", "")


def initial_beside(name: str, surname: str, every: bool = False) -> str:
    """The first letter of the word after ``surname`` is taken out of ``name`` ("Grant J", "grant"
    → j; "Ferrari Mj", "ferrari" → m, as :func:`first_initial` reads it too), or :func:`first_initial`
    when no word of the name is ``surname``. With ``every``, all the initials of the rest ("Smith,
    J. A." → ja; "Garcia L" → l), or those of the given part :func:`last_name` leaves when no word is
    ``surname`` ("De Boer J. F." → jf; version 20 asked the drift generator's ``parse_author``, which read f)."""
    if every:
        text = _plain_name_text(name)  # "<i>Hans</i> M&uuml;ller": the words last_name reads
        words = text.replace(",", " ").split()
        folded = [squashed(word) for word in words]
        if surname in folded:
            del words[folded.index(surname)]
            return initial_letters(words)
        return initial_letters(_name_parts(text)[1].replace(",", " ").split())
    words = fold(_plain_name_text(name)).split()  # "Grant, <i>M.</i>": the words last_name reads, not the tag's "i"
    if surname in words:
        words.remove(surname)
        return words[0][0] if words else ""
    return first_initial(name)


def normalise_authors(authors: list[str] | str) -> tuple[list[str], bool]:
    """Folded last names in order, and whether the list was truncated ("et al")."""
    names = split_authors(authors) if isinstance(authors, str) else list(authors or [])
    return [last_name(name) for name in kept_names(names)], any(has_et_al(name) for name in names if name)
