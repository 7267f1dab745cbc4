"""Decision 0036 (ranking round 9): author and year tokens of a record, and the blocks they add to its row.

The author tokens are surname + first initial, read by a small normaliser of the round's own (the
project's name reading in ``review.dedup.names`` imports the sources stage). A block is binary token
counts with min_df 2 and smooth IDF, each row unit length times the block weight, appended to the word
TF-IDF; rows with a token are scaled to unit length again, rows without keep their words' row, and a set
where no token reaches min_df 2 gets no block (its features unchanged, bit for bit).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

#: Names that stand for no author.
_NO_AUTHOR = frozenset({"et al", "et al.", "anonymous", "[no authors listed]", "no authors listed", "others"})
#: Particles that belong to a surname written last ("E M van Buskirk", "H Van de Venne"), in any case
#: but all capitals, which read as initials ("DE Smith").
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "des", "le", "la",
                        "ter", "ten", "dos", "do"})
#: Initials: one to three capitals ("JA"), or letters with dots ("J.", "J.-P.", "M.S.C.").
_INITIALS = re.compile(r"^(?:[A-Z]{1,3}|(?:[A-Za-z]{1,2}\.-?)+)$")
#: Words of a corporate author written without a comma ("Amisulpride Study Group", "The RESOLVD
#: Investigators"): such a name is one token of all its letters, not a surname and an initial.
_CORPORATE = re.compile(r"\b(?:group|committee|investigators?|collaborat\w*|trial|study|society|association)\b")
#: Letters NFKD does not decompose into a base letter and a combining mark.
_TRANSLITERATION = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ı": "i", "æ": "ae", "œ": "oe",
                                  "ß": "ss", "þ": "th"})


def split_names(authors: str | Sequence[str] | None) -> list[str]:
    """The author names of a CSV cell (``;``-separated, else ``,`` / `` and `` / `` & ``), or a list as it is."""
    if authors is None:
        return []
    if not isinstance(authors, str):
        return [str(name).strip() for name in authors if str(name).strip()]
    if ";" in authors:
        return [name.strip() for name in authors.split(";") if name.strip()]
    pieces = [p.strip() for p in re.split(r",|\s+and\s+|\s+&\s+", authors) if p.strip()]
    names: list[str] = []
    for piece in pieces:
        if names and all(_INITIALS.match(word) for word in piece.split()):
            names[-1] = f"{names[-1]}, {piece}"  # "Smith, J." split at its comma
        else:
            names.append(piece)
    return names


def _fold(text: str) -> str:
    """Lower case, accents dropped and the letters NFKD keeps whole transliterated ("Møller" -> "moller")."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATION))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_particle(word: str) -> bool:
    return word.lower() in _PARTICLES and not word.isupper()


def author_token(name: str) -> str | None:
    """``surname_initial`` of one name (folded), or None for a name that stands for no author."""
    name = re.sub(r"\bet\s+al\.?$", "", name.strip(), flags=re.IGNORECASE).strip(" ,.")
    if not name or name.lower() in _NO_AUTHOR:
        return None
    if "," in name:
        surname, _, given = name.partition(",")
    elif _CORPORATE.search(_fold(name)):
        surname, given = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE), ""  # "The X Group" is "X Group"
    else:
        words = name.split()
        if len(words) > 1 and _INITIALS.match(words[-1]) and not _INITIALS.match(words[0]):
            surname, given = " ".join(words[:-1]), words[-1]  # "Smith JA"
        else:
            start = len(words) - 1
            while start > 0 and _is_particle(words[start - 1]):
                start -= 1
            surname, given = " ".join(words[start:]), " ".join(words[:start])
    letters = "".join(c for c in _fold(surname) if c.isalnum())
    if not letters:
        return None
    initial = next((c for c in _fold(given) if c.isalpha()), "")
    return f"{letters}_{initial}" if initial else letters


def author_tokens(authors: str | Sequence[str] | None) -> list[str]:
    """The distinct author tokens of a record, in order."""
    tokens = (author_token(name) for name in split_names(authors))
    return list(dict.fromkeys(t for t in tokens if t))


def year_tokens(year: Any) -> list[str]:
    """``year:YYYY`` and its five-year period ``period:YYYY``, or none without a year."""
    try:
        value = int(str(year).strip()[:4])
    except (TypeError, ValueError):
        return []
    return [f"year:{value}", f"period:{value - value % 5}"]


def token_block(tokens: Sequence[Sequence[str]], weight: float, min_df: int = 2) -> sp.csr_matrix | None:
    """Binary counts of the tokens kept by ``min_df``, smooth IDF, rows unit length times ``weight``;
    None when no token is kept."""
    frequency: dict[str, int] = {}
    for row in tokens:
        for token in set(row):
            frequency[token] = frequency.get(token, 0) + 1
    vocabulary = {t: i for i, t in enumerate(sorted(t for t, n in frequency.items() if n >= min_df))}
    if not vocabulary:
        return None
    indptr, indices = [0], []
    for row in tokens:
        columns = sorted({vocabulary[t] for t in row if t in vocabulary})
        indices.extend(columns)
        indptr.append(len(indices))
    n_docs = len(tokens)
    df = np.zeros(len(vocabulary))
    for token, column in vocabulary.items():
        df[column] = frequency[token]
    idf = np.log((1 + n_docs) / (1 + df)) + 1.0
    index = np.asarray(indices, dtype=np.int64)
    block = sp.csr_matrix((idf[index], index, np.asarray(indptr)), shape=(n_docs, len(vocabulary)))
    norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    block = sp.csr_matrix(sp.diags(weight / norms) @ block)
    block.sort_indices()
    return block


def with_blocks(matrix: sp.csr_matrix, blocks: Sequence[sp.csr_matrix | None]) -> sp.csr_matrix:
    """``matrix`` with ``blocks`` appended; rows with a block entry scaled to unit length again, the
    others (and the whole matrix when every block is None) as they were."""
    present = [b for b in blocks if b is not None]
    if not present:
        return matrix
    joined = sp.csr_matrix(sp.hstack([matrix, *present], format="csr"))
    has_token = np.zeros(matrix.shape[0], dtype=bool)
    for block in present:
        has_token |= np.diff(block.indptr) > 0
    norms = np.sqrt(np.asarray(joined.multiply(joined).sum(axis=1)).ravel())
    scale = np.where(has_token & (norms > 0), 1.0 / np.where(norms > 0, norms, 1.0), 1.0)
    joined.data *= np.repeat(scale, np.diff(joined.indptr))
    joined.sort_indices()
    return joined
