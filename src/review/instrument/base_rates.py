"""Do the published base rates typed into scoring.toml trace to a study file?

Every profile shows them beside the client's factors ('19 % of 9,904 employees … had a new such absence'). They
are typed, not computed, so nothing else ties their numbers to a study: here a base rate must name a study of
``extraction/studies/`` by its DOI (``doi:10.…`` in ``source``) and each number of its text, in either language,
must be one that study file holds (n, events, base_rate, follow_up, setting, outcome_definition, washout_days,
citation), or that number rounded to a whole one ('a little over 2 years' from a follow-up of about 2.3).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .config import BaseRate

if TYPE_CHECKING:
    from ..extraction.model import Study

_DOI = re.compile(r"(?:doi:\s*|doi\.org/)(10\.\S+)", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)*)(?![\w])")
#: How a study file's ``doi`` may be written around the DOI itself (the form takes any text).
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _plain_doi(doi: str) -> str:
    """``10.…`` in lower case, whether written ``doi:10.…`` or ``https://doi.org/10.…``."""
    return _DOI_PREFIX.sub("", doi.strip()).lower()


def _numbers(text: str, lang: str) -> list[tuple[str, float]]:
    """The numbers of ``text`` as written and as values: '9,904' (en) and '9.904' (nl) are 9904, '19,5' (nl) 19.5."""
    thousands, decimal = (".", ",") if lang == "nl" else (",", ".")
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group(1)
        if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+", token):
            plain = token.replace(thousands, "")
        else:
            plain = token.replace(decimal, ".") if token.count(decimal) == 1 else token
        try:
            found.append((token, float(plain)))
        except ValueError:
            found.append((token, math.nan))
    return found


def _held(study: Study) -> set[float]:
    texts = [study.base_rate, study.follow_up, study.setting, study.outcome_definition, study.citation]
    held = {float(x) for x in (study.n, study.events, study.washout_days) if x is not None}
    for text in texts:
        held |= {value for _, value in _numbers(text, "en") if not math.isnan(value)}
    return held


def _traced(value: float, held: set[float]) -> bool:
    if value in held:
        return True
    return value.is_integer() and any(math.floor(x) == value or round(x) == value for x in held)


def untraced_base_rates(rates: Sequence[BaseRate], studies: Sequence[Study]) -> list[str]:
    """One line per base rate that does not trace to a study file: what it cites and what is missing."""
    by_doi = {_plain_doi(s.doi): s for s in studies if s.doi}
    problems = []
    for rate in rates:
        found = _DOI.search(rate.source)
        doi = found.group(1).rstrip(".,;)").lower() if found else ""
        study = by_doi.get(doi)
        if study is None:
            problems.append(f"{rate.source!r}: " + (f"no study file in extraction/studies/ has doi {doi}" if doi
                                                    else "names no study by its DOI (doi:10.…)"))
            continue
        held = _held(study)
        missing = []
        for text, lang in ((rate.text_en, "en"), (rate.text_nl, "nl")):
            missing += [token for token, value in _numbers(text, lang)
                        if not _traced(value, held) and token not in missing]
        if missing:
            problems.append(f"{rate.source!r}: {', '.join(missing)} not in {study.id}'s study file")
    return problems
