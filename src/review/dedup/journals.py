"""Journal names: abbreviations, ISO 4 contractions and translations matched without a table.

"J Clin Oncol", "Journal of clinical oncology : official journal of ASCO" and
"Jclinoncol" are one journal; "Ai zheng = Aizheng = Chinese journal of cancer" carries its
English name beside the original.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .normalise import fold, strip_markup

#: Articles, prepositions and conjunctions, which ISO 4 drops from abbreviated titles: English,
#: Dutch, German, French, Scandinavian and Romance ("Tijdschrift voor Bedrijfs- en
#: Verzekeringsgeneeskunde" → "Tijdschr Bedrijfs Verzekeringsgeneeskd"). Other single letters
#: name a section ("Physical Review E", "Section B") and stay, so Italian "e" and Scandinavian
#: "i" stay too; so do words NCBI's journal list also uses as abbreviations: "ter" (Terapeutica),
#: "aux" (Auxiliary), "av" (Avances), "det" (Detstva), and Italian "per" ("Per Med").
_JOURNAL_STOP = frozenset({
    "the", "of", "and", "for", "in", "on", "a", "an",                          # English
    "de", "het", "een", "van", "voor", "en", "op", "te", "der", "den",         # Dutch
    "die", "das", "des", "dem", "und", "fur", "zur", "zum",                   # German (für folded)
    "d", "l", "la", "le", "les", "du", "et", "pour", "sur", "au",             # French
    "och", "og", "af", "til",                                                  # Scandinavian
    "y", "el", "los", "las", "para", "por", "da", "do", "dos",               # Spanish, Portuguese
    "il", "di", "del", "dell", "della", "delle", "dei", "degli", "nel", "alla",  # Italian
})


@lru_cache(maxsize=65536)
def journal_tokens(journal: str) -> tuple[str, ...]:
    """Folded content words of a journal name, subtitle and place qualifier removed.

    "The Journal of clinical oncology : official journal of ASCO" → (journal, clinical,
    oncology); "Acta oncologica (Stockholm, Sweden)" → (acta, oncologica).
    """
    return _journal_words(re.sub(r"\[[^\]]*\]", " ", strip_markup(journal or "")))


def journal_variants(journal: str) -> tuple[tuple[str, ...], ...]:
    """The journal's tokens plus those of translations given in brackets or after `` = ``."""
    main = journal_tokens(journal)
    alternatives = tuple(_journal_words(m) for m in re.findall(r"\[([^\]]*)\]", journal or ""))
    if " = " in (journal or ""):  # "Ai zheng = Aizheng = Chinese journal of cancer"
        alternatives += tuple(journal_tokens(part) for part in journal.split(" = "))
    if ";" in (journal or ""):  # NLM's "Duodecim; laaketieteellinen aikakauskirja": a subtitle
        alternatives += (journal_tokens(journal.split(";", 1)[0]),)
    if re.search(r"\w-\w", journal or ""):  # "Neurologie-Psychiatrie" ~ "Neurol Psychiatr"
        alternatives += (journal_tokens(re.sub(r"(?<=\w)-(?=\w)", " ", journal)),)
    return tuple(dict.fromkeys(v for v in (main, *alternatives) if v))


def _journal_words(text: str) -> tuple[str, ...]:
    text = text.strip().strip("\"'")
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.split(r"\s:\s|\.\s+conference\b|:\s*official\b", text, maxsplit=1, flags=re.IGNORECASE)[0]
    text = text.replace("&", " and ")
    if " " not in text.strip():
        text = text.replace("-", " ")  # "Dtsch-Med-Wochenschr": hyphens between abbreviations
    text = re.sub(r"(?<=\w)-(?=\w)", "", text)  # Cardio-Thoracic → Cardiothoracic
    words = fold(text).split()
    return tuple(w for n, w in enumerate(words) if w not in _JOURNAL_STOP and not _conjunction(words, n))


#: Words after which a single letter names a part: "Sect E", "Series B", "Abt I", "The European
#: physical journal. E, Soft matter", "Telemedicine journal and e-health".
_PART_WORDS = frozenset({"sect", "section", "sectio", "sez", "sezione", "ser", "serie", "series", "part",
                         "pt", "abt", "abteilung", "reihe", "sec", "seccion", "secao", "journal"})


def _conjunction(words: list[str], n: int) -> bool:
    """Italian/Portuguese "e", Scandinavian/Polish "i" between two words: "ostetricia e ginecologia".

    Only between words of two letters or more, not after a part word or a function word, so the
    section letters of "Physical Review E" and "Acta Crystallogr Sect E Struct Rep" and the "e" of
    "journal and e-health" stay.
    """
    return (words[n] in ("e", "i") and 0 < n < len(words) - 1 and len(words[n - 1]) > 1
            and len(words[n + 1]) > 1 and words[n - 1] not in _PART_WORDS and words[n - 1] not in _JOURNAL_STOP)


def _abbreviates(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Each word of ``short`` starts the next word of ``long`` (a compound may span two)."""
    i = 0
    for word in short:
        if i >= len(long):
            return False
        if long[i].startswith(word) or _contracts(word, long[i]):
            i += 1
        elif len(word) > 4 and i + 1 < len(long) and (long[i] + long[i + 1]).startswith(word):
            i += 2
        else:
            return False
    # "Cancer" does not abbreviate "Cancer Research"; "J Thorac Oncol" may drop a subtitle.
    return i == len(long) or len(short) >= 3


def _contracts(word: str, full: str) -> bool:
    """Is ``word`` an ISO 4 contraction (not a plain prefix) of ``full``?"""
    return _contracts_inner(word, full) or _contracts_ending(word, full)


#: ISO 4 (LTWA) contractions of a word ending that recur once prefixes and short inner
#: contractions are matched (50 of 82 such words in NCBI's journal list, the rest one-offs; see
#: docs/benchmarks/dedup-2026-12-05.md):
#: "Geneeskd" ← "Geneeskunde", "Kinderheilkd" ← "Kinderheilkunde", "Ztg" ← "Zeitung".
_ENDING_CONTRACTIONS = (("kd", ("kunde", "kundig")), ("ztg", ("zeitung",)))


def _contracts_ending(word: str, full: str) -> bool:
    """A compound whose last part is contracted: "verzekeringsgeneeskd" ← "verzekeringsgeneeskunde"."""
    for short, endings in _ENDING_CONTRACTIONS:
        if word.endswith(short):
            stem = word[:-len(short)]
            return any(full.startswith(stem + ending) for ending in endings)
    return False


def _contracts_inner(word: str, full: str) -> bool:
    """ISO 4 contractions drop inner letters: "dtsch" ← "deutsche", "natl" ← "national".

    Same first letter, the rest a subsequence. Contractions are short (4–6 letters, at most
    three quarters of the word): a whole word such as "neurology" is no contraction of
    "neuroradiology", and shorter words must be plain prefixes.
    """
    if not 4 <= len(word) <= 6 or 4 * len(word) > 3 * len(full) or word[0] != full[0]:
        return False
    if len(word) == 4 and word[-1] not in (full[-1], full.removesuffix("e")[-1]):
        return False  # "natl" ← "national(e)", but "knee" is no contraction of "krankenschwester"
    rest = iter(full[1:])
    return all(ch in rest for ch in word[1:])


def journal_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """1.0 for the same journal written out or abbreviated, else a token overlap in [0, 1]."""
    if not a or not b:
        return 0.0
    if a == b or "".join(a) == "".join(b):
        return 1.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    # ISO 4 leaves a one-word title whole, so two one-word names are one journal only when equal:
    # "Knee" is no contraction of "(Die) Krankenschwester", nor "Nature" of "Naturwissenschaften".
    if len(long) == 1:
        return 0.0
    if _abbreviates(short, long) or _abbreviates(long, short):
        return 1.0
    if len(short) == 1 and len(short[0]) > 6 and len(long) > 1 and _squashed(short[0], long):
        return 1.0  # "Jthoraccardiovascsurg" style squashed abbreviations
    sa, sb = set(a), set(b)
    common = len(sa & sb)
    if common == min(len(sa), len(sb)) and common >= 1 and len("".join(short)) >= 6:
        return 0.8  # "Praxis" vs "Schweizerische Rundschau fur Medizin Praxis"
    return common / max(len(sa), len(sb))


def _squashed(word: str, tokens: tuple[str, ...]) -> bool:
    """Can ``word`` be cut into non-empty prefixes of consecutive ``tokens`` (all of them)?"""

    @lru_cache(maxsize=None)
    def fits(pos: int, index: int) -> bool:
        if index == len(tokens):
            return pos == len(word)
        token = tokens[index]
        for size in range(min(len(token), len(word) - pos), 0, -1):
            if word.startswith(token[:size], pos) and fits(pos + size, index + 1):
                return True
        return False

    return fits(0, 0)


def journal_key(tokens: tuple[str, ...]) -> str:
    """Initial letters of the first words: a coarse blocking key shared by abbreviations."""
    return "".join(t[0] for t in tokens[:4])
