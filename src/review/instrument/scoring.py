"""Scoring answers into a client profile: risk and protective factors per domain.

The result is a profile, not a probability: the weights come from evidence levels or pooled
effects of prognostic studies, and the instrument itself has not been validated, so the overall
indication is a coarse category with its uncertainty spelled out. Unanswered questions are
listed and never counted as "absent".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from .config import BaseRate, InstrumentConfig
from .english_runs import english_run
from .evidence import DOMAINS
from .itembank import LEVEL_NL, UNKNOWN_CODE, UNKNOWN_EN, UNKNOWN_NL, Item, ItemBank, Question, unpooled_among

INDICATIONS: dict[str, tuple[str, str]] = {
    "no_items": ("Geen indicatie: geen enkele factor heeft voldoende bewijs om mee te wegen; "
                 "het profiel toont alleen signalen.",
                 "No indication: no factor has enough evidence to be weighed; the profile shows "
                 "signals only."),
    "insufficient": ("Onvoldoende informatie voor een indicatie.",
                     "Not enough information for an indication."),
    "no_risk_signals": ("Geen van de uitgevraagde risicofactoren is aanwezig.",
                        "None of the risk factors asked about is present."),
    "some_risk_signals": ("Enkele risicofactoren voor terugval zijn aanwezig.",
                          "Some risk factors for recurrence are present."),
    "many_risk_signals": ("Veel van de uitgevraagde risicofactoren voor terugval zijn aanwezig.",
                          "Many of the risk factors asked about are present."),
}


#: The unanswered-factors sentence (one, several), shared with the browser form so both say the same.
UNANSWERED_NL: tuple[str, str] = ("Niet beantwoord: {n} factor; die telt niet mee, ook niet als afwezig.",
                                  "Niet beantwoord: {n} factoren; die tellen niet mee, ook niet als afwezig.")
UNANSWERED_EN: tuple[str, str] = ("Unanswered: {n} factor; it does not count, not even as absent.",
                                  "Unanswered: {n} factors; they do not count, not even as absent.")

#: The progress line, shared with the browser form (its bar) and the fill mode (its status line), without and with
#: answers 'Weet niet': the profile counts those as unanswered, so they are filled in ('ingevuld'), said apart.
PROGRESS_NL: tuple[str, str] = ("{filled} van {total} vragen ingevuld",
                                "{filled} van {total} vragen ingevuld, waarvan {dont_know} met ‘" + UNKNOWN_NL + "’")
PROGRESS_EN: tuple[str, str] = ("{filled} of {total} questions filled in",
                                "{filled} of {total} questions filled in, {dont_know} of them with ‘" + UNKNOWN_EN + "’")


@dataclass(slots=True)
class Finding:
    """A factor that is present (or partly present) for this client."""

    factor_id: str
    label_nl: str
    label_en: str
    domain: str
    side: str  # risk | protective
    status: str  # present | partly
    weight: float  # effective weight (item weight × fraction); 0 for signals
    level: str
    grade: str
    n_studies: int
    modifiable: bool
    advice_nl: str = ""
    advice_en: str = ""
    scored: bool = True


#: Factor statuses in ``review instrument score --json`` and the browser form's ``#profile``.
FACTOR_STATUSES: tuple[str, ...] = ("present", "partly", "absent", "unanswered")


@dataclass(slots=True, frozen=True)
class FactorState:
    """One asked factor for this client; ``applicable = False``: switched off by enableWhen."""

    factor_id: str
    side: str  # risk | protective
    status: str  # one of FACTOR_STATUSES
    scored: bool
    applicable: bool = True


@dataclass(slots=True, frozen=True)
class IgnoredAnswer:
    """An answer left out because its question is switched off (or its gate is unanswered)."""

    link_id: str
    text_nl: str
    text_en: str
    reason: str  # gate_off | gate_unanswered
    gate: str


@dataclass(slots=True)
class MissingAnswer:
    link_id: str
    text_nl: str
    text_en: str
    factors: list[str]


@dataclass(slots=True)
class Profile:
    instrument_version: str
    evidence_sha256: str
    risks: list[Finding] = field(default_factory=list)
    protective: list[Finding] = field(default_factory=list)
    signals: list[Finding] = field(default_factory=list)  # present, evidence too weak to weigh
    absent: list[str] = field(default_factory=list)  # factor ids answered as absent
    not_applicable: list[str] = field(default_factory=list)  # question link ids switched off
    missing: list[MissingAnswer] = field(default_factory=list)
    missing_factors: list[str] = field(default_factory=list)  # scored factors without an answer
    unrecognised: list[str] = field(default_factory=list)  # answers to questions not in this bank
    ignored: list[IgnoredAnswer] = field(default_factory=list)  # answers enableWhen leaves out
    factors: list[FactorState] = field(default_factory=list)  # every asked factor, in bank order
    leads: list[Finding] = field(default_factory=list)  # modifiable risk factors/signals present
    strengthen: list[Item] = field(default_factory=list)  # modifiable protective factors absent
    risk_weight: float = 0.0
    protective_weight: float = 0.0
    attainable_risk_weight: float = 0.0
    n_scored: int = 0
    indication: str = "no_items"
    indication_nl: str = ""
    indication_en: str = ""
    #: The Dutch lines mark a published base rate's source as English (``english_runs``): HTML makes it a
    #: ``<span lang="en">``; ``english_runs.plain_text`` gives the line without the marks.
    uncertainty_nl: list[str] = field(default_factory=list)
    uncertainty_en: list[str] = field(default_factory=list)

    def in_domain(self, domain: str) -> tuple[list[Finding], list[Finding]]:
        return ([f for f in self.risks if f.domain == domain],
                [f for f in self.protective if f.domain == domain])

    def signals_in(self, domain: str) -> list[Finding]:
        return [f for f in self.signals if f.domain == domain]


def enabled(question: Question, answers: Mapping[str, str], bank: ItemBank) -> bool | None:
    """True/False when the enableWhen condition is decided, None when its gate is unanswered: the
    chain of gates read from the top, the first one unanswered (or 'unknown') or answered otherwise decides."""
    for gate_id, wanted in reversed(bank.gates_above(question.link_id)):
        given = answers.get(gate_id)
        if given is None or given == UNKNOWN_CODE:
            return None
        if given != wanted:
            return False
    return True


@dataclass(frozen=True, slots=True)
class QuestionProgress:
    """How far the questions are filled in: ``filled`` of ``total``, ``dont_know`` of them with 'Weet niet'."""

    filled: int
    total: int
    dont_know: int

    def line(self, lang: str = "nl") -> str:
        """``6 van 11 vragen ingevuld, waarvan 3 met ‘Weet niet / niet besproken’`` (English with ``lang="en"``)."""
        words = PROGRESS_EN if lang == "en" else PROGRESS_NL
        return words[1 if self.dont_know else 0].format(filled=self.filled, total=self.total,
                                                        dont_know=self.dont_know)


def question_progress(bank: ItemBank, answers: Mapping[str, str],
                      questions: list[Question] | None = None) -> QuestionProgress:
    """The progress of ``questions`` (default: all), counted one way for the browser form and the fill mode.

    A question switched off by its gate is neither to do nor done. One waiting for its gate (unanswered or
    'Weet niet') is still to do, as the profile lists it among the open questions, and an answer it kept from
    before its gate changed is not filled in, as the profile does not count it (an ignored answer)."""
    filled = total = dont_know = 0
    for q in bank.questions if questions is None else questions:
        state = enabled(q, answers, bank)
        if state is False:
            continue
        total += 1
        code = answers.get(q.link_id)
        if state is True and code is not None:
            filled += 1
            dont_know += code == UNKNOWN_CODE
    return QuestionProgress(filled, total, dont_know)


def check_answers(bank: ItemBank, answers: Mapping[str, str]) -> list[str]:
    """Raise on an answer code a question does not offer; return link ids not in the bank."""
    unrecognised: list[str] = []
    for link_id, code in answers.items():
        question = bank.question(link_id)
        if question is None:
            unrecognised.append(link_id)
        elif question.option(code) is None:
            raise ValidationError(f"answer to {link_id}: {code!r} is not one of "
                                  f"{', '.join(o.code for o in question.options)}")
    return sorted(unrecognised)


def score(bank: ItemBank, answers: Mapping[str, str], config: InstrumentConfig) -> Profile:
    """The profile for one set of answers (``link_id -> option code``)."""
    profile = Profile(bank.version, bank.evidence.sha256, n_scored=len(bank.scored_items))
    profile.unrecognised = check_answers(bank, answers)
    state = {q.link_id: enabled(q, answers, bank) for q in bank.questions}
    profile.not_applicable = [q.link_id for q in bank.questions if state[q.link_id] is False]
    missing_ids: set[str] = set()
    for q in bank.questions:
        code = answers.get(q.link_id)
        if code is not None and code != UNKNOWN_CODE and state[q.link_id] is not True and q.enable_when:
            reason = "gate_off" if state[q.link_id] is False else "gate_unanswered"
            profile.ignored.append(IgnoredAnswer(q.link_id, q.text_nl, q.text_en, reason, q.enable_when[0]))
    for item in bank.items:
        status = _factor_status(item, bank, answers, state, missing_ids, config)
        profile.factors.append(FactorState(
            item.factor_id, item.direction,
            status if status in ("present", "partly", "absent") else "unanswered",
            item.scored, status != "not_applicable"))
        if status in ("present", "partly"):
            fraction = 1.0 if status == "present" else bank.partly_fraction  # the bank's, as the REDCap sums
            finding = Finding(item.factor_id, item.label_nl, item.label_en, item.domain, item.direction,
                              status, round(item.weight * fraction, 4), item.level, item.grade,
                              len(item.studies), item.modifiable, item.advice_nl, item.advice_en,
                              item.scored)
            if not item.scored:
                profile.signals.append(finding)
            else:
                (profile.risks if item.direction == "risk" else profile.protective).append(finding)
            if item.direction == "risk" and item.modifiable:
                profile.leads.append(finding)
        elif status == "absent":
            profile.absent.append(item.factor_id)
            if item.direction == "protective" and item.modifiable:
                profile.strengthen.append(item)
        elif status == "missing" and item.scored:
            profile.missing_factors.append(item.factor_id)
        # Only answered factors count: an unanswered one is neither present nor absent.
        if item.scored and item.direction == "risk" and status in ("present", "partly", "absent"):
            profile.attainable_risk_weight += item.weight
    profile.missing = [MissingAnswer(q.link_id, q.text_nl, q.text_en, q.factors + q.signals)
                       for q in bank.questions if q.link_id in missing_ids]
    profile.risk_weight = round(sum(f.weight for f in profile.risks), 4)
    profile.protective_weight = round(sum(f.weight for f in profile.protective), 4)
    profile.attainable_risk_weight = round(profile.attainable_risk_weight, 4)
    _indicate(profile, bank, config)
    return profile


def _factor_status(item: Item, bank: ItemBank, answers: Mapping[str, str], state: dict[str, bool | None],
                   missing_ids: set[str], config: InstrumentConfig) -> str:
    """present | partly | absent | missing | not_applicable, from the item's questions."""
    statuses: list[str] = []
    for link_id in item.questions:
        on = state.get(link_id)
        if on is False:
            statuses.append("not_applicable")
            continue
        code = answers.get(link_id)
        if on is None or code is None or code == UNKNOWN_CODE:
            statuses.append("missing")
            missing_ids.add(link_id)
        elif code in item.present.get(link_id, []):
            statuses.append("present")
        elif code in item.partly.get(link_id, []):
            statuses.append("partly")
        else:
            statuses.append("absent")
    for status in ("present", "partly", "absent", "missing"):
        if status in statuses:
            return status
    return "not_applicable"


def _indicate(profile: Profile, bank: ItemBank, config: InstrumentConfig) -> None:
    n = profile.n_scored
    m = len(profile.missing_factors)
    if n == 0:
        code = "no_items"
    elif m / n > config.max_missing_share:
        code = "insufficient"
    elif profile.risk_weight == 0:
        code = "no_risk_signals"
    elif profile.risk_weight >= config.many_signals_share * profile.attainable_risk_weight:
        code = "many_risk_signals"
    else:
        code = "some_risk_signals"
    profile.indication = code
    nl, en = INDICATIONS[code]
    k, p = len(profile.risks), len(profile.protective)
    # Counts only, never "k of n": a ratio would read like a score, and none is validated.
    profile.indication_nl, profile.indication_en = nl, en
    if n:
        profile.indication_nl += (f" Aanwezig: {k} {'risicofactor' if k == 1 else 'risicofactoren'} en "
                                  f"{p} {'beschermende factor' if p == 1 else 'beschermende factoren'}.")
        profile.indication_en += (f" Present: {k} risk {'factor' if k == 1 else 'factors'} and {p} "
                                  f"protective {'factor' if p == 1 else 'factors'}.")
    s_count = len(profile.signals)
    signals = bank.signal_items  # a list built from the bank's items on each reading: read once a profile
    unpooled = unpooled_among(signals)
    if signals:
        # decision 0056: a signal may rest on strong evidence without a pooled ratio of its own
        why_nl, why_en = (("beperkt bewijs of geen gepoolde effectmaat", "limited evidence or no pooled effect size")
                          if unpooled else ("beperkt bewijs", "limited evidence"))
        profile.indication_nl += (f" Eén signaal aanwezig ({why_nl}; weegt niet mee)." if s_count == 1 else
                                  " Geen signalen aanwezig." if s_count == 0 else
                                  f" {s_count} signalen aanwezig ({why_nl}; wegen niet mee).")
        profile.indication_en += (f" {s_count} {'signal' if s_count == 1 else 'signals'} ({why_en}, "
                                  "not weighed) present.")
    n_open = sum(1 for f in profile.factors if f.status == "unanswered" and f.applicable)
    if n_open:
        profile.indication_nl += " " + UNANSWERED_NL[n_open != 1].format(n=n_open)
        profile.indication_en += " " + UNANSWERED_EN[n_open != 1].format(n=n_open)
    n_signals = len(signals)
    rule = bank.config.get("weight_rule", config.weight_rule)
    levels = sorted({f.level for f in profile.risks + profile.protective + profile.signals})
    profile.uncertainty_nl = [
        "Dit is een profiel, geen diagnose en geen voorspelling voor deze cliënt. Het instrument is "
        "(nog) niet gevalideerd: er zijn geen gegevens over kalibratie of onderscheidend vermogen, "
        "daarom wordt geen kans op terugval berekend.",
    ]
    profile.uncertainty_en = [
        "This is a profile, not a diagnosis and not a prediction for this client. The instrument has "
        "not (yet) been validated: there are no data on calibration or discrimination, so no "
        "probability of recurrence is given.",
    ]
    # The studies are prognostic cohorts: a factor goes together with recurrence, nothing more.
    profile.uncertainty_nl.append(PROGNOSTIC_NL)
    profile.uncertainty_en.append(PROGNOSTIC_EN)
    if n:
        basis = "de bewijskracht" if rule == "level" else "de gepoolde effectgrootte"
        profile.uncertainty_nl.append(
            f"De gewichten volgen uit {basis}. De indeling ‘veel risicofactoren’ (vanaf "
            f"{config.many_signals_share * 100:.0f} % van het totale gewicht van de beantwoorde risicofactoren) "
            "is een afspraak, geen gevalideerde grens.")
        profile.uncertainty_en.append(
            f"Weights come from the evidence (rule '{rule}'); the 'many risk factors' category (from "
            f"{config.many_signals_share * 100:.0f} % of the attainable risk weight) is a convention, not a "
            "validated cut-off.")
    if n_signals > len(unpooled):
        profile.uncertainty_nl.append("Signalen berusten op beperkt bewijs (bijvoorbeeld één studie) en "
                                      "wegen niet mee; ze zijn bedoeld als gespreksonderwerp.")
        profile.uncertainty_en.append("Signals rest on limited evidence (for example a single study) and "
                                      "are not weighed; they are topics for the conversation.")
    if unpooled:
        names_nl = ", ".join(i.label_nl or i.factor_id for i in unpooled)
        names_en = ", ".join(i.label_en or i.factor_id for i in unpooled)
        several = len(unpooled) > 1
        profile.uncertainty_nl.append(
            f"Zonder gewicht gevraagd: {names_nl}. Het bewijs haalt de drempel om mee te wegen, maar de gewichten "
            f"volgen de gepoolde effectmaten en voor {'deze factoren' if several else 'deze factor'} is er geen; "
            "een gewicht van een andere factor lenen zou een effectmaat verzinnen.")
        profile.uncertainty_en.append(
            f"Asked without weight: {names_en}. The evidence reaches the level for weighing, but the weights "
            f"follow the pooled effect sizes and {'these factors have' if several else 'this factor has'} none; "
            "borrowing another factor's weight would invent an effect size.")
    if levels:
        profile.uncertainty_nl.append("Bewijskracht van de aanwezige factoren: "
                                      + ", ".join(LEVEL_NL.get(lvl, lvl) for lvl in levels) + ".")
        profile.uncertainty_en.append("Evidence levels of the factors present: " + ", ".join(levels) + ".")
    for rate in config.base_rates:
        profile.uncertainty_nl.append(base_rate_line(lambda nl, en: nl, rate))
        profile.uncertainty_en.append(base_rate_line(lambda nl, en: en, rate))
    if config.base_rates and config.base_rates_note_nl:
        profile.uncertainty_nl.append(config.base_rates_note_nl)
    if config.base_rates and config.base_rates_note_en:
        profile.uncertainty_en.append(config.base_rates_note_en)


#: Said before every published base rate: "Ter vergelijking" invited reading the client against a
#: group's percentage, which is no probability for this client.
BASE_RATE_LEAD_NL = "Achtergrond uit onderzoek (cijfers over groepen, geen kans voor deze cliënt): "
BASE_RATE_LEAD_EN = "Background from research (figures about groups, not a probability for this client): "


def base_rate_line(t: Callable[[str, str], str], rate: BaseRate) -> str:
    """One published base rate as every output shows it: the lead, the figure, its source (a citation,
    marked English in Dutch)."""
    source = t(english_run(rate.source), rate.source)
    return f"{t(BASE_RATE_LEAD_NL, BASE_RATE_LEAD_EN)}{t(rate.text_nl, rate.text_en)} ({source})."


#: What the factors are, said in every profile (report, fill-in mode, browser form).
PROGNOSTIC_NL = ("De factoren zijn prognostische factoren: in de studies ging de factor samen met "
                 "terugval. Dat de factor terugval veroorzaakt, of dat het risico daalt als de factor "
                 "verandert, is daarmee niet aangetoond.")
PROGNOSTIC_EN = ("The factors are prognostic factors: in the studies the factor went together with "
                 "recurrence. That it causes recurrence, or that the risk falls when the factor "
                 "changes, has not been shown.")


def profile_json(profile: Profile) -> dict[str, Any]:
    """The machine-readable profile (``review instrument score --json``); a stable interface."""
    return {
        "instrument_version": profile.instrument_version,
        "evidence_sha256": profile.evidence_sha256,
        "indication": profile.indication,
        "factors": [{"factor_id": f.factor_id, "side": f.side, "status": f.status,
                     "scored": f.scored, "applicable": f.applicable} for f in profile.factors],
        "unanswered_questions": [m.link_id for m in profile.missing],
        "ignored_answers": [{"link_id": i.link_id, "reason": i.reason, "gate": i.gate}
                            for i in profile.ignored],
        "unrecognised_answers": list(profile.unrecognised),
    }


def domains_with_content(profile: Profile) -> list[str]:
    return [d for d in DOMAINS if any(f.domain == d for f in profile.risks + profile.protective + profile.signals)]
