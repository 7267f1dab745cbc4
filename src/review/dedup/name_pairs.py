"""The readings an author name has beside its first (:mod:`.names`) and the choice between them for two
names at the same place of two author lists: a full name written surname first, an ambiguous last word
("Kevin Png", "Ferrari Mjk"), particles that may or may not begin the surname ("P Van Nguyen", "Jose da
Silva", "Vries, A. de"), an index form with the particles as initials ("Berg AAVD"), and "AL GORE JR" read
as written. None of them is taken first: the other record's way of writing the name chooses
(:func:`pair_reading`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..sources.fields import strip_et_al
from .names import (
    GENERATION_OR_INITIALS, PARTICLES, first_letter, has_capital, has_vowel, initial_beside, initial_letters,
    initials_after_surname, is_particle, last_name, looks_like_initials, name_for_reading, split_catalogue_name,
    squashed, surname_particles_start, without_generation,
)
from .normalise import fold


def _al_with_initials(text: str) -> tuple[str, str] | None:
    """``(surname, initials)`` of a name in capitals that :func:`_generation_at` reads as the given name Al
    and a suffix ("AL GORE JR" is Gore A.), read as written: the surname "AL GORE" with the initials J. R.,
    MEDLINE's form in capitals of an Arabic surname ("Al Gore JR"); else None."""
    if text.upper() != text or not text.startswith("AL ") or "," in text:
        return None
    words = text.split()
    if len(words) != 3 or words[2].rstrip(".") not in GENERATION_OR_INITIALS - {"III"}:
        return None
    return squashed(" ".join(words[:2])), fold(words[2])


def _ambiguous_initials(word: str) -> bool:
    """Three title-cased letters without a vowel: an export's title-cased initials ("Mjk" for
    MJK) or a surname ("Png", "Sng", "Vlk"). Neither reading is the first: the other record's
    way of writing the name chooses (:func:`pair_reading`)."""
    bare = word.rstrip(".")
    return (len(bare) == 3 and bare.isalpha() and bare[0].isupper() and bare[1:].islower()
            and not has_vowel(bare))


def _ambiguous_split(text: str) -> list[str] | None:
    """The words of a name without a comma that ends in :func:`_ambiguous_initials` and has no
    other word that says which is the surname ("Ferrari Mjk", "Kevin Png", "De Luca Gcb"), else None."""
    if "," in text:
        return None
    words = text.split()
    if len(words) < 2 or not _ambiguous_initials(words[-1]) \
            or any(looks_like_initials(w) or w.endswith(".") for w in words[:-1]):
        return None
    return words


@lru_cache(maxsize=262144)
def is_ambiguous_name(name: str) -> bool:
    """Whether ``name`` reads two ways with neither first ("Ferrari Mjk", "Kevin Png")."""
    return _ambiguous_split(name_for_reading(name)) is not None


@lru_cache(maxsize=262144)
def initials_reading(name: str) -> tuple[str, str]:
    """An ambiguous name (:func:`is_ambiguous_name`) read with its last word as initials,
    ``(surname, all the initials)`` ("Ferrari Mjk" → ("ferrari", "mjk")), else ``("", "")``."""
    words = _ambiguous_split(name_for_reading(name))
    if words is None:
        return ("", "")
    return (squashed(" ".join(words[:-1])), fold(words[-1].rstrip(".")))


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
    text = name_for_reading(name)
    if "," not in text:
        words = text.split()
        initials = 0
        while len(words) > 2 and initials_after_surname(words[-1]):
            words.pop()  # "Smith John A": the full name before the initials reads both ways
            initials += 1
        if len(words) < 2 or any(looks_like_initials(w) or w.endswith(".") for w in words) \
                or initials_after_surname(words[-1]):
            return ("", "")
        taken = 1
        while taken < len(words) - 1 and is_particle(words, taken - 1):  # "de Vries Anna", "van der Berg Jan"
            taken += 1
        if initials and is_particle(words, taken - 1):
            return ("", "")  # "de Vries S", "van der Berg J": the surname is all there is before the initials
        letters = first_letter(" ".join(words[taken:]))
        if initials and letters:  # every initial ("Smith John Paul A" → jpa), as initial_beside(every=True)
            letters = initial_letters(words[taken:] + text.split()[len(words):])
        return (squashed(" ".join(words[:taken])), letters)
    before, _, after = text.partition(",")
    if all(looks_like_initials(w) for w in before.split()):
        return ("", "")  # "J. A., Smith": last_name already reads Smith
    folded = squashed(after)
    return (folded, first_letter(before)) if folded else ("", "")


def _chosen_surname(name: str, other: str, other_surname: str) -> str | None:
    """The reading of ambiguous ``name`` that ``other`` confirms: its surname is ``other``'s and
    the initials ``other`` gives beside it agree ("Kevin Png" ~ "Png K" → png, "Ferrari Mjk" ~
    "Ferrari MJK" → ferrari), or None."""
    words = _ambiguous_split(name_for_reading(name)) or []
    for surname, letters in ((fold(words[-1].rstrip(".")), first_letter(words[0])), initials_reading(name)):
        if surname and surname == other_surname and initial_beside(other, surname, len(letters) > 1) == letters:
            return surname
    return None


def particle_readings(name: str) -> tuple[tuple[str, str], ...]:
    """The other readings of a name whose particles may or may not begin its surname, each ``(surname,
    every initial of the rest)``, or ``()``: the last word alone after a given part and particles ("P Van
    Nguyen" → ("nguyen", "pv"), "Jose da Silva" → ("silva", "jd"): :func:`last_name` reads vannguyen and
    dasilva, but Vietnamese "Van" and "Thi" are middle names, and indexes write "Silva J", "Vring JA"),
    and particles with the last word at a name's start, with no given part ("De Vries", "DA SILVA", "Di
    Wu" → ("devries", ""), …: :func:`last_name` reads Vries D., as "Di Wu" is Wu D.), the other reading
    of a catalogue's "Last, Given particles" (:func:`_catalogue_reading`), and the other readings of
    :func:`_index_form_readings`. Neither is the first reading: the other record's way of writing the name
    chooses (:func:`pair_reading`). Not cached itself: :func:`_readings` holds the one result."""
    return tuple((surname, letters) for surname, letters, _ in _readings(name))


@lru_cache(maxsize=262144)
def _readings(name: str) -> tuple[tuple[str, str, int], ...]:
    """:func:`particle_readings`, each with the fewest initials the other record must give beside its
    surname to confirm it (:func:`_particle_surname`): one where it has initials, none where not, more for
    :func:`_index_form_readings`."""
    stripped = strip_et_al(name)
    as_written = _al_with_initials(stripped) if stripped.startswith("AL ") else None
    if as_written:
        return ((*as_written, 1),)
    text = without_generation(stripped)
    if "," in text:
        catalogue = _catalogue_reading(name, text)
        return tuple((surname, letters, 1 if letters else 0) for surname, letters in catalogue) if catalogue else ()
    words = text.split()
    start = surname_particles_start(words)
    if start is None:
        return _index_form_readings(name, words)
    if start > 0:
        readings = [(squashed(words[-1]), initial_letters(words[:-1]), 1)]
        if start > 1 and not initials_after_surname(words[start - 1]) \
                and all(looks_like_initials(word.rstrip(".")) for word in words[:start - 1]):
            # "A J Man in 't Veld" → ("manintveld", "aj"): the word before the particles begins the surname
            # too, as MEDLINE writes it ("Man in 't Veld AJ", "Jassim Al Khaja KA")
            readings.append((squashed("".join(words[start - 1:])), initial_letters(words[:start - 1]), 1))
        if words[start].casefold() == "in":  # "C in de Betou" as version 23 read it, de Betou C. I., for "de Betou C"
            readings.append((squashed("".join(words[start + 1:])), initial_letters(words[:start + 1]), 1))
    else:
        readings = [(squashed("".join(words)), "", 0)]
    first = last_name(name)
    return tuple(reading for reading in readings if reading[0] != first)


#: An index's initials run that holds the particles' initials too ("Berg AAVD" for A. A. van den Berg): four
#: to six capitals, which :func:`looks_like_initials` leaves a surname ("Jean DUPONT"), ending in those of van or
#: von (V), van den, van der, von der (VD) or van 't (VT). Version 24 took any four to six capitals, so "Paul
#: JAMES" met "Paul JA" and "Kim JUNG" "Kim JU" at 7.0; ter, ten, in and de are not read so ("Brink SJAT").
_LONG_INITIALS = re.compile(r"(?=[A-Z]{4,6}\Z)[A-Z]+V[DT]?")
#: A V after a vowel, as surnames end: Slavic -OV, -EV, Ukrainian -IV ("Sergei PETROV", "Anna IVANOV", "Olena
#: PETRIV"), Indian -AV ("Anil YADAV", "Ravi JADHAV", "Ram KESHAV"), -UV, -YV. Such capitals are initials only
#: against every one of their letters (:func:`_index_form_readings`): versions 25 and 26 met two of them where
#: the vowel was A, U or Y ("Anil YADAV" / "Anil YA" 7.0), and read -OV, -EV, -IV as a surname only.
_SURNAME_ENDING_IN_V = re.compile(r"[AEIOUY]V\Z")
#: The particles whose initials an index writes after the given initials ("Berg JV" for J. van der Berg,
#: "Bruggencate SJT" for S. J. ten Bruggencate): Dutch and German ones. Version 24 took every particle, so
#: "da Silva A" met "Silva AD", "dos Santos M" "Santos MD" and "Le Roux P" "Roux PL" at 7.0, where the
#: second capital is far likelier a second given name.
_INDEXED_PARTICLES = frozenset({"van", "von", "der", "den", "ter", "ten", "'t", "\u2019t", "het", "in"})


def _index_form_readings(name: str, words: list[str]) -> tuple[tuple[str, str, int], ...]:
    """The index forms whose particles are initials or whose initials are long, ``(surname, every initial,
    fewest the other record must give)``: particles, a surname and its initials ("van den Berg A A" →
    ("berg", "aavd", 3)), taken only where the other record's initials reach into the particles' ("Berg
    AAVD", "Berg AAV", not "Berg AA") and only for Dutch and German particles (:data:`_INDEXED_PARTICLES`),
    and a surname before four to six capitals ending in a particle's initials (:data:`_LONG_INITIALS`) in a
    name not all in capitals ("Berg AAVD" → ("berg", "aavd", 2): :func:`last_name` reads the capitals as the surname, as in
    "Jean DUPONT"), taken only where the other record gives two initials or more, or all of them where a vowel
    precedes the V as in a surname (:data:`_SURNAME_ENDING_IN_V`: "Berg JAAV" meets "van Berg J A A", "Anil
    YADAV" never "Anil YA")."""
    if len(words) < 2 or "," in name \
            or not (words[0].casefold() in PARTICLES or words[0] == "in" or (words[-1].isupper() and len(words[-1]) > 3)):
        return ()  # the common case: neither shape
    if _LONG_INITIALS.fullmatch(words[-1]) and has_capital(" ".join(words[:-1])) \
            and all((word[:1].isupper() and not word.isupper()) or word in PARTICLES for word in words[:-1]):
        letters = fold(words[-1])
        return ((squashed(" ".join(words[:-1])), letters,
                 len(letters) if _SURNAME_ENDING_IN_V.search(words[-1]) else 2),)
    start = 0
    while start < len(words) and is_particle(words, start, any_case=True):
        start += 1
    if start == 0 or start + 2 > len(words) or not all(initials_after_surname(word) for word in words[start + 1:]) \
            or initials_after_surname(words[start]) \
            or not any(word.casefold() in _INDEXED_PARTICLES for word in words[:start]):
        return ()
    given = initial_letters(words[start + 1:])
    return ((squashed(words[start]), given + initial_letters(words[:start]), len(given) + 1),)


def _catalogue_reading(name: str, text: str) -> tuple[tuple[str, str], ...]:
    """The reading :func:`last_name` does not take of a "Last, Given particles" ``text``, ``(surname, every
    initial of the rest)``, or ``()``: the name as written when the particles were moved before its surname,
    the particles' initials last ("Vries, A. de" → ("vries", "ad"), "Cruz, Maria de la" → ("cruz", "mdl"):
    indexes write "Vries A", "Cruz M", and versions 20 and 21 read "Vries AD" so too, merges version 22
    lost; the other record's initials only need to begin these, :func:`_particle_surname`), the moved
    surname when they were not, in a name without a capital ("vries, a. de" → ("devries", "a"))."""
    last, given, particles = split_catalogue_name(text)
    if not particles or not last:
        return ()
    if has_capital(text):  # so _particles_moved moved them, as the name has particles and a last name
        reading = (squashed(last), initial_letters(given + particles))
    else:
        reading = (squashed(" ".join(particles) + last), initial_letters(given))
    return () if reading[0] == last_name(name) else (reading,)


def _particle_surname(name: str, other: str, other_surname: str) -> str | None:
    """The reading of :func:`particle_readings` that ``other`` confirms: its surname is ``other``'s and
    the initials ``other`` gives beside it begin this reading's ("P Van Nguyen" ~ "Nguyen P" or "Nguyen
    PV" → nguyen, not ~ "Nguyen TV"; "A De Simone" ~ "Simone G" → None); a reading without initials
    only by a name without them ("De Vries" ~ "de Vries" → devries), or None."""
    for surname, letters, fewest in _readings(name):
        if surname != other_surname:
            continue
        if _initials_confirm(letters, initial_beside(other, surname, every=True), fewest):
            return surname
    return None


def _initials_confirm(letters: str, theirs: str, fewest: int) -> bool:
    """Whether initials ``theirs`` confirm a reading with the initials ``letters``: they begin them and are
    ``fewest`` or more (:func:`_readings`)."""
    return letters.startswith(theirs) and len(theirs) >= fewest


def _shared_reading(name: str, other: str) -> str | None:
    """A surname two names share only in readings neither takes first, with initials of which one begins the
    other's and as many as both readings need ("Berg AAVD" ~ "van den Berg A A" or "A A van den Berg" →
    berg), or None."""
    for surname, letters, fewest in _readings(name):
        for their_surname, their_letters, their_fewest in _readings(other):
            needed = max(fewest, their_fewest)
            if surname == their_surname and (_initials_confirm(letters, their_letters, needed)
                                             or _initials_confirm(their_letters, letters, needed)):
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
    # the same spelling (case too: "Mjk" is not "MJK")
    if name_for_reading(name).split() == name_for_reading(other).split():
        return first, second
    mine = _chosen_surname(name, other, second) if is_ambiguous_name(name) else first
    theirs = _chosen_surname(other, name, first) if is_ambiguous_name(other) else second
    if (mine or first) == (theirs or second) and (mine is None or theirs is None):
        return squashed(name_for_reading(name)), squashed(name_for_reading(other))
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

