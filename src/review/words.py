"""Counts and numbers as a user reads them: ``1 record``, ``2 records``, ``1 study``, ``3 studies``;
estimated counts as ``about 2.4`` / ``about 17``; an effect estimate as ``2.59`` or ``0.007`` (a
confidence level as ``90 %``: :mod:`review.levels`)."""

from __future__ import annotations

import math

from .levels import percent

_IRREGULAR = {"study": "studies", "analysis": "analyses", "query": "queries", "identity": "identities"}


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is one (thousands separated)."""
    return f"{whole(count)} {noun if count == 1 else _IRREGULAR.get(noun, noun + 's')}"


def verb_for(count: int, singular: str = "is", plural: str = "are") -> str:
    """The verb that agrees with ``count`` things: ``is`` for one, ``are`` for none or several (or the
    ``singular``/``plural`` given: ``crosses``/``cross``)."""
    return singular if count == 1 else plural


def whole(count: int) -> str:
    """A count as written in a sentence: thousands separated (``1,713``)."""
    return f"{count:,}"


def about(estimate: float) -> str:
    """An estimated count as said after "about": one decimal below 10 (``2.4``), whole above (``17``), thousands
    separated as :func:`whole` writes the counts beside it (``1,610``: "about 1610 … (at most 1,841 …)")."""
    return f"{estimate:.1f}" if estimate < 10 else f"{estimate:,.0f}"


def about_phrase(estimate: float) -> str:
    """An estimated count with its word: ``about 2.4``, ``about 17``; one that rounds to 0.0 is ``fewer than 0.1``
    ("about 0.0 relevant left" beside "recall about 99%" read as if the two disagreed: walk20)."""
    return "fewer than 0.1" if estimate < 0.05 else f"about {about(estimate)}"


#: Values an effect number writes with two decimals, as papers print ratios: from 0.1, where two decimals still
#: keep two significant digits, to below 1e5, both as rounded to two decimals (0.0999 is 0.10, 99999.996 is no
#: 100000.00). Below it two significant digits (an OR of 0.007 read "0.01", of 0.001 "0.00"), above and for
#: inf three.
_PLAIN_RANGE = (0.1, 1e5)


def effect_number(value: float, decimal_sign: str = ".") -> str:
    """An estimate or CI bound as every output writes it: ``2.59``, ``0.007``, ``1.23e+05``.

    Two decimals where they keep two significant digits, two significant digits below 0.1, three from
    100,000 and for inf: the one rule of the extraction's labels, the forest plot, the synthesis report,
    the instrument's evidence lines and validate's tables. ``decimal_sign`` ``","`` writes Dutch (``2,59``).
    """
    if value == 0:
        text = "0.00"
    elif not math.isfinite(value) or abs(round(value, 2)) >= _PLAIN_RANGE[1]:
        text = f"{value:.3g}"
    elif abs(round(value, 2)) < _PLAIN_RANGE[0]:  # as rounded, like the top: 0.0999 is "0.10", as 0.1 is
        text = f"{value:.2g}"
    else:
        text = f"{value:.2f}"
    return text.replace(".", decimal_sign) if decimal_sign != "." else text


def p_value(value: float, decimal_sign: str = ".") -> str:
    """A study's p-value as extracted, for an estimate whose finding it decides (no CI): ``p = 0.019``,
    three significant digits, ``p < 0.0001`` below that (never e-notation); ``","`` writes Dutch."""
    text = "p < 0.0001" if value < 1e-4 else f"p = {value:.3g}"
    return text.replace(".", decimal_sign) if decimal_sign != "." else text


def effect_interval(low: float, high: float, lang: str = "en", dash: str = "-") -> str:
    """A CI's two bounds as every output joins them: ``1.40-4.80`` (or with the caller's ``dash``, an en
    dash in the instrument), but ``-5.29 to -1.71`` or ``4e-06 to 3e-05`` when a bound is negative or in
    e-notation, where a dash would read as a minus sign (``-5.29--1.71``). ``lang`` ``"nl"`` writes Dutch
    (``1,40–4,80``, ``-5,29 tot -1,71``)."""
    decimal_sign = "," if lang == "nl" else "."
    return bounds_joined(effect_number(low, decimal_sign), effect_number(high, decimal_sign), lang, dash)


def bounds_joined(low: str, high: str, lang: str = "en", dash: str = "-") -> str:
    """Two bounds already written out, joined by ``effect_interval``'s rule (a dash, or ``to``/``tot`` when
    either reads as negative or in e-notation); ``review instrument diff`` writes them with every digit."""
    if low.startswith("-") or high.startswith("-") or "e" in low or "e" in high:
        return f"{low} {'tot' if lang == 'nl' else 'to'} {high}"
    return f"{low}{dash}{high}"


def whole_percent(value: float, *, against: float | None = None) -> str:
    """A percentage (I²) in whole percent, with one decimal where rounding would mislead: 100 for less than
    100, 0 for more than 0, or the number it is compared with (``against``) when it differs from it
    (an I² upper bound of 99.63 read '100'; I² 50.3 read '50 % > 50 %'). Where one decimal rounds onto that
    number too, the tenth next to it on the value's side (99.96 reads '99.9', 0.04 '0.1', 50.04 against 50 '50.1')."""
    whole = f"{value:.0f}"
    misleading = [bound for bound, said in ((100.0, "100"), (0.0, "0")) if whole == said and value != bound]
    if against is not None and value != against and whole == f"{against:.0f}":
        misleading.append(against)
    if not misleading:
        return whole
    tenth = round(value, 1)
    for bound in misleading:
        if value < bound <= tenth:
            tenth = math.floor(value * 10) / 10
        elif tenth <= bound < value:
            tenth = math.ceil(value * 10) / 10
    return f"{tenth:.1f}"


def recall_percent(share: float, *, target: float | None = None) -> str:
    """An estimate of recall as a whole percentage, except where that would read 100% short of 1: one decimal,
    rounded down (an estimate of 0.996 read "recall about 100%" with records still left), or as many as the
    ``target`` it stands beside where that has more (at a target of 99.95%, 0.99996 reads "99.99%").
    A lower bound is said by ``at_least_percent``."""
    said = f"{share:.0%}"
    if said == "100%" and share < 1:
        return percent_down(share, max(1, 0 if target is None else percent_places(target)))
    return said


def recall_estimate(share: float | None, target: float | None = None, *, unknown: str = "unknown") -> str:
    """An estimate of recall as ``recall_percent`` says it, or ``unknown`` before there is one (the stopping
    rule's sentences say "unknown", the screening screen's and the dashboard's "–")."""
    return unknown if share is None else recall_percent(share, target=target)


def at_least_percent(share: float, *, target: float | None = None) -> str:
    """A lower bound (of recall) as said after "at least": rounded down, never up (a bound of 0.9562 read "at least
    96%", rrev27b; one of 0.9497 "at least 95%" beside "the rule stops when at least 95% holds"). A whole percentage,
    but from 99.5% on short of 1 with one decimal, or as many as the ``target`` has where that has more ("at least
    99.6%" with 300 found and at most 1 left; "99.95%" meeting a 99.95% target), and with the target's decimals where
    a whole percentage would fall below a target the bound meets (0.9755 at 97.5% reads "97.5%", not "97%")."""
    whole_down = math.floor(share * 100 + 1e-9) / 100
    places = 0 if target is None else percent_places(target)
    if 0.995 <= share < 1:
        places = max(1, places)
    elif target is None or not whole_down < target <= share:
        places = 0
    return percent_down(share, places)


def percent_places(share: float) -> int:
    """The decimals a share has as a percentage, as the stopping rules' words write a target or level
    (``levels.percent``): 0 for 0.95, 1 for 0.999, 2 for 0.9995."""
    return len(percent(share)[:-1].partition(".")[2])


def percent_down(share: float, places: int) -> str:
    """A share as a percentage with ``places`` decimals, rounded down (a share equal to a level said with as many
    decimals reads as that level): a lower bound (``at_least_percent``), and what the words say where rounding would
    reach a level (or 100%) the share falls short of."""
    scale = 10 ** places
    return f"{math.floor(share * 100 * scale + 1e-9) / scale:.{places}f}%"
