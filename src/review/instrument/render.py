"""Printable documents: the questionnaire, the conversation guide and the client profile report.

Everything is rendered as Markdown first and turned into a self-contained HTML page (print CSS,
no scripts, raw HTML in the Markdown disabled) so both formats always say the same thing.
Dutch is the default language; ``lang="en"`` gives English.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..extraction.model import estimate_status_kind
from ..records import LEVEL_RANKS
from ..levels import level_percent
from ..words import effect_interval, effect_number, p_value
from .evidence import DOMAINS
from .english_runs import english_run, plain_text, spans_for_english
from .itembank import DOMAIN_LABELS, GRADE_NL, LEVEL_NL, UNPOOLED, Item, ItemBank, Note, Question, Source
from .scoring import PROGNOSTIC_EN, PROGNOSTIC_NL, Profile

MODIFIABLE_MARK = "◆"


class T:
    """Picks the Dutch or English variant of every string."""

    def __init__(self, lang: str) -> None:
        self.nl = lang != "en"

    def __call__(self, nl: str, en: str) -> str:
        return nl if self.nl else en

    def english(self, text: str) -> str:
        """``text``, which is English whatever the output's language (a citation, a field as extracted),
        marked as such in a Dutch output (:func:`english_run`)."""
        return english_run(text) if self.nl else text

    def level(self, level: str) -> str:
        return LEVEL_NL.get(level, level) if self.nl else level

    def grade(self, grade: str) -> str:
        if not grade:
            return ""
        return GRADE_NL.get(grade, grade) if self.nl else grade

    def months(self) -> tuple[str, ...]:
        return MONTHS_NL if self.nl else MONTHS_EN

    def domain(self, domain: str) -> str:
        nl, en = DOMAIN_LABELS.get(domain, (domain, domain))
        return self(nl, en)


_T = T

GRADE_RANK: dict[str, int] = {"very low": 0, "low": 1, "moderate": 2, "high": 3}
LEVEL_RANK: dict[str, int] = {"strong": 3, "moderate": 2, "some": 1, "limited": 1}


#: Dutch for the subgroups any review has; any other subgroup is worded in Dutch by its study file's ``subgroup_nl``
#: (a wording of one review's study, with its number, belongs in that study file, not here).
SUBGROUP_NL: dict[str, str] = {"men": "mannen", "women": "vrouwen"}


#: A study's finding without a number, for recurrence, in the factor's own terms ('Hogere leeftijd: … Koopmans 2010
#: (vrouwen): minder terugval'): the extraction's risk | protective | null | unknown.
FINDING_WORDS: dict[str, tuple[str, str]] = {
    "risk": ("meer terugval", "more recurrence"), "protective": ("minder terugval", "less recurrence"),
    "null": ("geen verschil", "no difference"), "unknown": ("richting onbekend", "direction unknown"),
}


def number(t: T, value: float) -> str:
    """A number as every output writes an estimate (:func:`review.words.effect_number`: two decimals, two
    significant digits below 0.1) with the language's decimal sign: 2,59 and 0,007 in Dutch, 2.59 in English."""
    return effect_number(value, "," if t.nl else ".")


#: Month names for a date a reader sees (a printed report, the client report): '7 december 2026', '7 December 2026'.
MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def long_date(t: T, iso_date: str) -> str:
    """``2026-12-07`` as a Dutch or English reader writes it: 7 december 2026, 7 December 2026 (a Dutch report said
    2026-12-07). Anything that is not a YYYY-MM-DD date is returned as it is."""
    try:
        day = datetime.date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day.day} {t.months()[day.month - 1]} {day.year}"


def plain_number(t: T, value: float) -> str:
    """A count, share or weight as ``:g`` writes it, with the language's decimal sign: 79,5 and 1,5 in Dutch."""
    return f"{value:g}".replace(".", ",") if t.nl else f"{value:g}"


def effect_text(t: T, effect: Mapping[str, Any], *, pooled: bool = False) -> str:
    """'contrast: OR 2,59 (1,40–4,80), Arends 2014', or the study with why it has no number
    (missing_effect_text); 'HR 1,46 (1,01–2,10; gepubliceerd als OR)' for a number whose source prints
    another label (the study file's ``measure_as_published``); 'OR 1,80 (1,10–2,90; ongecorrigeerd)' for a crude
    one.

    A number is shown with what it compares and, when it is not recurrence, the outcome it is for:
    an OR per 10 years of age or one for lasting return to work cannot be read without them. Each
    takes its Dutch wording (``contrast_nl``, ``outcome_nl``, ``subgroup_nl``) in Dutch, else the
    text as extracted: a qualifier is never left out for want of a translation. ``pooled``: the
    factor's pooled estimate (labelled by its k), which never says why an interval is missing.
    """
    label = str(effect.get("label") or effect.get("study", ""))
    subgroup = _in_language(t, effect, "subgroup", SUBGROUP_NL)
    if subgroup:
        label += f" ({subgroup})"
    estimate = effect.get("estimate")
    if estimate is None:
        missing = missing_effect_text(t, str(effect.get("status") or ""), str(effect.get("status_nl") or ""))
        direction = FINDING_WORDS.get(str(effect.get("finding") or ""))
        return f"{label}: {t(*direction)}, {missing}" if direction else f"{label}: {missing}"
    text = f"{effect.get('measure') or 'ratio'} {number(t, float(estimate))}"
    inside = []
    if effect.get("ci_low") is not None and effect.get("ci_high") is not None:
        level = effect.get("ci_level")  # only when not 95 %
        prefix = ""
        if level:
            shown = level_percent(float(level), decimal=t(",", "."))
            prefix = t(f"{shown}-betrouwbaarheidsinterval ", f"{shown} CI ")
        inside.append(f"{prefix}{effect_interval(float(effect['ci_low']), float(effect['ci_high']), 'nl' if t.nl else 'en', '–')}")
    elif not pooled:  # a pooled estimate always has its interval; a study's may be missing
        # without a CI the study's finding is read from its p: shown, so the reader can trace it
        p = f"{p_value(float(effect['p']), t(',', '.'))}; " if effect.get("p") is not None else ""
        inside.append(f"{p}{missing_interval_text(t, str(effect.get('status') or ''))}")
    if not pooled and effect.get("estimate_type") == "crude":
        # not adjusted for confounders: beside a study's adjusted number the reader must tell them apart, as the
        # synthesis' explanation does ('adjusted; … crude')
        inside.append(t("ongecorrigeerd", "crude"))
    if published := str(effect.get("measure_as_published") or ""):
        # the label the source prints for this number: a reader who opens it finds 'OR 1.46', not 'HR 1.46'
        inside.append(t(f"gepubliceerd als {published}", f"published as {published}"))
    if inside:
        text += f" ({'; '.join(inside)})"
    outcome = _in_language(t, effect, "outcome")
    if effect.get("favourable"):
        # As published: the study measured a good outcome (e.g. lasting return to work), not recurrence.
        text += (t(f" voor een gunstige andere uitkomst ({outcome})", f" for a favourable other outcome ({outcome})")
                 if outcome else t(" voor het uitblijven van terugval", " for no recurrence"))
    elif outcome:
        text += t(f" voor een andere uitkomst ({outcome})", f" for another outcome ({outcome})")
    contrast = _in_language(t, effect, "contrast")
    return f"{contrast + ': ' if contrast else ''}{text}, {label}"


def _in_language(t: T, effect: Mapping[str, Any], key: str, known: Mapping[str, str] | None = None) -> str:
    """``effect[key]`` in the output's language: its ``<key>_nl`` (or a known Dutch word) in Dutch,
    else the text as extracted."""
    text = str(effect.get(key) or "")
    if t.nl and text:
        return str(effect.get(f"{key}_nl") or (known or {}).get(text) or t.english(text))
    return text


def missing_interval_text(t: T, status: str) -> str:
    """Why a number stands without its confidence interval, as the extraction recorded it."""
    if "abstract" in status.lower():
        return t("geen betrouwbaarheidsinterval in de samenvatting (abstract) van het artikel",
                 "no confidence interval in the article's abstract")
    return t("geen betrouwbaarheidsinterval in de extractie", "no confidence interval in the extraction")


def missing_effect_text(t: T, status: str, status_nl: str = "") -> str:
    """Why a study behind a factor gives no number, as the extraction recorded it (``status_nl``: the
    study file's Dutch wording of ``status``, quoted in Dutch where the English quotes ``status``).

    Only what is known: an estimate missing from the abstract may well be in the full text, so
    it is never called unpublished.
    """
    kind = estimate_status_kind(status)  # the rule study file validation applies to estimate_status_nl
    if kind == "abstract":
        return t("geen effectmaat in de samenvatting (abstract) van het artikel",
                 "no effect size in the article's abstract")
    if kind == "not_found":
        return t("geen effectmaat gevonden in de publicatie", "no effect size found in the publication")
    if kind == "none":
        return t("geen effectmaat in de extractie", "no effect size in the extraction")
    return t(f"geen bruikbare effectmaat ({status_nl or 'zie de extractie'})", f"no usable effect size ({status})")


def evidence_text(t: T, item: Item) -> str:
    """Certainty and the studies behind a factor, e.g. 'GRADE: zeer laag; OR 2,59 (1,40–4,80), Arends 2014'."""
    parts = [f"{t('bewijskracht', 'strength of evidence')}: {t.level(item.level)}"]
    caution = caution_text(t, item)
    if caution:
        parts.insert(0, caution)
    if item.grade:
        parts.append(f"{t('zekerheid (GRADE)', 'certainty (GRADE)')}: {t.grade(item.grade)}")
    if item.pooled_estimate is not None:
        # k beside the pooled estimate, as the bank's weight basis shows it: a wide interval explains itself.
        pooled = {"label": f"k = {item.pooled_k}" if item.pooled_k else "", "measure": item.measure,
                  "estimate": item.pooled_estimate, "ci_low": item.ci_low, "ci_high": item.ci_high}
        parts.append(t("gepoold ", "pooled ") + effect_text(t, pooled, pooled=True).removesuffix(", "))
    effects = [effect_text(t, e) for e in item.effects]
    counted = {str(e.get("study")) for e in item.effects}
    effects += [t(f"{s}: geen effectmaat in de extractie", f"{s}: no effect size in the extraction")
                for s in item.studies if s not in counted]
    parts += effects
    return "; ".join(parts)


def study_labels(item: Item) -> list[str]:
    """Each study behind ``item`` once, as 'Arends 2014' where an effect row names it, else its id.

    (Listing the effect rows instead repeated a study per estimate and dropped a study that has none.)
    """
    labels = {str(e.get("study")): str(e.get("label") or e.get("study")) for e in item.effects}
    return list(dict.fromkeys(labels.get(s, s) for s in item.studies))


#: The ratio measures a reader meets beside a factor, in words.
MEASURE_NAMES: dict[str, tuple[str, str]] = {"HR": ("hazardratio", "hazard ratio"), "OR": ("oddsratio", "odds ratio"),
                                             "RR": ("relatief risico", "risk ratio")}


def measures_legend(t: T, items: Sequence[Item]) -> str:
    """What the ratios shown for ``items`` mean ('' when none has a number).

    A labour expert reads "HR 1,29 (1,09–1,52)" beside a factor; without this the letters, the
    direction and the interval were left to guess.
    """
    used = {str(e.get("measure")) for i in items for e in i.effects if e.get("estimate") is not None}
    used |= {i.measure for i in items if i.pooled_estimate is not None and i.measure}
    named = [f"{m} = {t(*MEASURE_NAMES[m])}" for m in sorted(used) if m in MEASURE_NAMES]
    if not named:
        return ""
    # "below 1: less often" left out "later" (a hazard ratio is about timing too), "per step" left the
    # step unsaid, and nothing said how to read an interval that holds 1 (review of expert16, finding 4).
    return t(f"{', '.join(named)}. Boven 1: de uitkomst kwam vaker of eerder voor in de eerste groep van de "
             "vergelijking (of per eenheid hoger, bijv. per 10 jaar) dan in de tweede; onder 1: minder vaak of "
             "later; 1: geen verschil. Tussen haakjes het 95 %-betrouwbaarheidsinterval, tenzij er een ander "
             "niveau bij staat. Ligt 1 binnen het interval, dan is een verschil niet aangetoond. De uitkomst is "
             "terugval in verzuim, tenzij er een andere uitkomst bij staat.",
             f"{', '.join(named)}. Above 1: the outcome occurred more often or sooner in the first group of "
             "the comparison (or per unit higher, e.g. per 10 years) than in the second; below 1: less often or "
             "later; 1: no difference. In brackets the 95 % confidence interval, unless another level is given. "
             "If 1 lies within the interval, a difference has not been shown. The outcome is recurrent "
             "sickness absence unless another outcome is given.")


#: The cautions of a signal the display rules show (``caution``): (Dutch, English) each as (the caution, why).
SIGNAL_CAUTIONS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "unreplicated": (("let op: nog niet bevestigd", " (te weinig studies, lage zekerheid)"),
                     ("caution: not yet replicated", " (too few studies, low certainty)")),
    "counter_intuitive": (("let op: één studie, en de richting is tegen de verwachting in", ""),
                          ("caution: a single study, against the expected direction", "")),
}

#: A caution as a lead for advice repeats it, where the lead needs other words (Dutch, English): right after
#: '(aanwezig; ' a bare 'nog niet bevestigd', without caution_text's '(te weinig studies, …)', read as the factor's
#: presence unconfirmed, an answer to check with the client, not the association unconfirmed by other studies.
LEAD_CAUTIONS: dict[str, tuple[str, str]] = {
    "unreplicated": ("let op: verband nog niet bevestigd", "caution: association not yet replicated"),
}


def caution_text(t: T, item: Item) -> str:
    """The caution a display rule attaches to a signal ('' when it is shown plainly)."""
    if item.caution in SIGNAL_CAUTIONS:
        (nl, why_nl), (en, why_en) = SIGNAL_CAUTIONS[item.caution]
        return t(nl + why_nl, en + why_en)
    if item.caution == UNPOOLED:  # decision 0056: no weight is borrowed for it
        return t("weegt niet mee: geen gepoolde effectmaat voor deze factor, en de gewichten volgen de gepoolde "
                 "effectmaten", "not weighed: no pooled effect size for this factor, and the weights follow the "
                 "pooled effect sizes")
    return ""


#: What the leads for advice follow from, above them in the client report and the browser form.
LEADS_BASIS = ("Beïnvloedbare risicofactoren die aanwezig zijn en beïnvloedbare beschermende factoren die ontbreken. "
               "Het advies is een voorstel van het reviewteam: de studies in deze review onderzochten geen interventies.",
               "Modifiable risk factors present and modifiable protective factors absent. The advice is a proposal "
               "of the review team: the studies in this review did not test interventions.")
NO_LEADS = ("Geen beïnvloedbare factoren gevonden.", "No modifiable factors found.")


def lead_words(t: T, item: Item, status: str) -> tuple[str, str]:
    """One lead for advice as the client report and the browser form say it: the factor's label, and the rest,
    `` (aanwezig; let op: verband nog niet bevestigd): <advice> (voorstel van het reviewteam)`` — why it is a lead
    (``status`` of a risk factor, else a protective factor absent), a signal's caution (a lead drawn from an
    unconfirmed signal read as settled advice), and the advice, labelled as the team's proposal."""
    if item.direction == "risk":
        why = t("aanwezig", "present") if status == "present" else t("deels aanwezig", "partly present")
    else:
        why = t("beschermende factor ontbreekt", "protective factor absent")
    if item.caution in SIGNAL_CAUTIONS:
        (nl, _), (en, _) = SIGNAL_CAUTIONS[item.caution]
        why += f"; {t(*LEAD_CAUTIONS.get(item.caution, (nl, en)))}"
    advice = t(item.advice_nl, item.advice_en)
    proposal = f": {advice} {t('(voorstel van het reviewteam)', '(proposal of the review team)')}" if advice else ""
    return t(item.label_nl, item.label_en), f" ({why}){proposal}"


def expert_text(t: T, item: Item) -> str:
    """'Delphi-panel: 79 % eens (Norder 2012)' for expert-consensus topics; '' when none."""
    lines = []
    for e in item.expert:
        pct = f"{plain_number(t, float(e.get('percent_agree', 0)))} %"
        lines.append(t(f"expertpanel (Delphi): {pct} van de experts eens, {e.get('label')}",
                       f"expert panel (Delphi): {pct} of experts agree, {e.get('label')}"))
    return "; ".join(lines)


def medical_note(t: T, question: Question, items: Mapping[str, Item] | None = None) -> str:
    """The consent note shown with a question that needs medical information ('' otherwise)."""
    if not question.medical:
        return ""
    return t("Medische informatie: niet verplicht. Alleen invullen als de cliënt toestemming geeft om "
             "deze informatie (bijvoorbeeld van de bedrijfsarts) te gebruiken.",
             "Medical information: optional. Fill in only if the client consents to the use of this "
             "information (for example from the occupational physician).")


def source_line(source: Source, t: T | None = None) -> str:
    """'Arends 2014: Arends I, … 2014;40(2):195-202. doi:10.5271/sjweh.3384' (citation as extracted, marked
    English in a Dutch output: citations are as PubMed gives them, which titles a paper in another language
    by its English translation in square brackets)."""
    where = [f"doi:{source.doi}"] if source.doi else []
    where += [f"PMID {source.pmid}"] if source.pmid else []
    citation = t.english(source.citation.strip()) if t else source.citation.strip()
    return f"{source.label}: {' '.join([citation] + where)}"


def cited_sources(bank: ItemBank, items: Iterable[Item]) -> list[Source]:
    """The bank's sources that ``items`` cite as their studies, in the bank's order: the list under Bronnen of a page
    that shows those items' evidence. The bank's sources also hold the Delphi that only the conversation guide names
    (expert topics, and the expert lines it adds to a factor), which the questionnaire, the browser form and the client
    report name nowhere."""
    named = {study for item in items for study in item.studies}
    return [source for source in bank.sources if source.study in named]


def sources_markdown(t: T, sources: Sequence[Source]) -> list[str]:
    """The '## Bronnen' section: every study the evidence lines above name, with its citation."""
    if not sources:
        return []
    lines = ["", f"## {t('Bronnen', 'Sources')}", "",
             t("De studies achter de effecten en de bewijskracht hierboven.",
               "The studies behind the effects and strength of evidence above."), ""]
    return lines + [f"- {source_line(s, t)}" for s in sources] + [""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- item bank summary and printable questionnaire ----------------------------------------
#: Dutch for the reasons ``build.classify`` gives (matched on their start).
REASONS_NL: tuple[tuple[str, str], ...] = (
    ("direction 'none'", "geen eenduidige richting in de studies"),
    ("direction 'conflicting'", "studies spreken elkaar tegen"),
    ("direction", "geen eenduidige richting"),
    ("evidence level", "bewijskracht te laag"),
    ("GRADE certainty", "zekerheid (GRADE) te laag"),
    ("not assessable", "niet te beoordelen in een gesprek"),
    ("no question template", "nog geen vraag opgesteld"),
    ("display rule: single-study", "weergaveregel: één studie, richting tegen de verwachting in"),
    ("display rule", "weergaveregel: te weinig studies en te lage zekerheid"),
    ("one answer never counts", "hetzelfde antwoord telt al voor een andere factor met sterker bewijs"),
)
DIRECTION_NL: dict[str, str] = {"risk": "risico", "protective": "beschermend", "none": "geen",
                                "conflicting": "tegenstrijdig"}


def reason_text(t: T, reason: str) -> str:
    if not t.nl:
        return reason
    parts = []
    for part in reason.split("; "):
        parts.append(next((nl for prefix, nl in REASONS_NL if part.startswith(prefix)), "overig"))
    return "; ".join(dict.fromkeys(parts))


def bank_summary_markdown(bank: ItemBank, lang: str = "en", *, name_unpooled: bool = True) -> str:
    """Factors scored, asked as signals and left out, with weights and reasons (build report). ``name_unpooled``:
    a line naming the signals asked unweighted for want of a pooled ratio; False where the caller names them
    itself (``review instrument build``'s stderr note)."""
    t = T(lang)
    yes, no = t("ja", "yes"), t("nee", "no")

    def name(fid: str, nl: str) -> str:
        return nl if t.nl and nl else fid

    def dom(d: str) -> str:
        return t.domain(d) if t.nl else d

    def direction(d: str) -> str:
        return DIRECTION_NL.get(d, d) if t.nl else d

    factors = "factor" if bank.evidence.n_factors == 1 else t("factoren", "factors")
    lines = [f"## {t('Itembank', 'Item bank')} {bank.version}", "",
             f"{t('Bewijs', 'Evidence')}: `{bank.evidence.source}` sha256 `{bank.evidence.short}` "
             f"({bank.evidence.n_factors} {factors}, {bank.evidence.taken_at}); "
             + t(f"minimale bewijskracht om mee te wegen: {t.level(str(bank.config.get('min_level')))}; "
                 f"signalen vanaf: {t.level(str(bank.config.get('signal_min_level') or '-'))}.",
                 f"rule `{bank.config.get('weight_rule')}`, minimum level `{bank.config.get('min_level')}`, "
                 f"signals from `{bank.config.get('signal_min_level') or '-'}`."), "",
             f"### {t('Gewogen', 'Scored')} ({len(bank.scored_items)})", ""]
    if not bank.scored_items:
        # Say the real shortfall: a factor can reach the level and still miss a template or a direction.
        min_rank = LEVEL_RANKS.get(str(bank.config.get("min_level") or "").lower(), 0)
        held_back = any(LEVEL_RANKS.get(n.level.lower(), 0) >= min_rank for n in bank.not_included)
        if bank.unpooled_items and not held_back:
            # weight_rule = pooled_log: they reach the level (the build's note names them), no effect size to weigh
            lines.append(t("Geen: de factoren die de minimale bewijskracht halen hebben geen eigen gepoolde "
                           "effectmaat, en de gewichten volgen de gepoolde effectmaten; ze worden hieronder als "
                           "signaal gevraagd.",
                           "None: the factors that reach the minimum evidence level have no pooled effect size of "
                           "their own, and the weights follow the pooled effect sizes; they are asked as signals "
                           "below."))
        elif held_back:
            also = bank.unpooled_items  # some under the signals, unweighed for want of a pooled effect size
            lines.append(t("Geen: geen enkele factor voldoet aan alle voorwaarden om mee te wegen "
                           f"(de redenen staan onder Niet opgenomen{' en bij de signalen' if also else ''}).",
                           "None: no factor meets every condition for scoring (the reasons are under "
                           f"Not included{' and with the signals' if also else ''})."))
        else:
            lines.append(t("Geen: geen enkele factor haalt de minimale bewijskracht.",
                           "None: no factor reaches the minimum evidence level."))
    else:
        lines += [f"| factor | {t('domein', 'domain')} | {t('richting', 'direction')} | "
                  f"{t('bewijskracht', 'level')} | {t('gewicht', 'weight')} | {t('beïnvloedbaar', 'modifiable')} | "
                  f"{t('onderbouwing gewicht', 'weight basis')} |",
                  "|---|---|---|---|---:|---|---|"]
        for i in bank.scored_items:
            basis = i.weight_basis if not t.nl else (
                f"bewijskracht {t.level(i.level)}" if bank.config.get("weight_rule") == "level"
                else "gepoolde effectgrootte")
            lines.append(f"| {_cell(name(i.factor_id, i.label_nl))} | {dom(i.domain)} | {direction(i.direction)} | "
                         f"{t.level(i.level)} | {plain_number(t, i.weight)} | "
                         f"{yes if i.modifiable else no} | {_cell(basis)} |")
    lines += ["", f"### {t('Gevraagd als signaal, weegt niet mee', 'Asked as signal, not weighed')} "
              f"({len(bank.signal_items)})", ""]
    if not bank.signal_items:
        lines.append(t("Geen.", "None."))
    else:
        lines += [f"| factor | {t('domein', 'domain')} | {t('richting', 'direction')} | {t('bewijskracht', 'level')} | "
                  f"{t('studies', 'studies')} | {t('beïnvloedbaar', 'modifiable')} |", "|---|---|---|---|---|---|"]
        for i in bank.signal_items:
            studies = ", ".join(study_labels(i)) if t.nl else ", ".join(i.studies)
            lines.append(f"| {_cell(name(i.factor_id, i.label_nl))} | {dom(i.domain)} | {direction(i.direction)} | "
                         f"{t.level(i.level)} | {_cell(studies)} | {yes if i.modifiable else no} |")
        unpooled = [name(i.factor_id, i.label_nl) for i in bank.unpooled_items]
        if unpooled and name_unpooled:  # decision 0056: they reach the level, so say why they carry no weight
            lines += ["", t("Zonder gewicht omdat er geen gepoolde effectmaat voor is (regel pooled_log, "
                            "besluit 0056): ", "Not weighed as they have no pooled ratio estimate of their own "
                            "(weight_rule pooled_log, decision 0056): ") + ", ".join(unpooled)]
    lines += ["", f"### {t('Niet opgenomen', 'Not included')} ({len(bank.not_included)})", ""]
    if not bank.not_included:
        lines.append(t("Geen.", "None."))
    else:
        lines += [f"| factor | {t('bewijskracht', 'level')} | {t('richting', 'direction')} | {t('reden', 'reason')} |",
                  "|---|---|---|---|"]
        for n in bank.not_included:
            lines.append(f"| {_cell(name(n.factor_id, n.label_nl))} | {t.level(n.level)} | {direction(n.direction)} | "
                         f"{_cell(reason_text(t, n.reason))} |")
    if bank.missing_templates:
        labels = {n.factor_id: n.label_nl for n in bank.not_included}  # a Dutch reader gets the factor, not its id
        lines += ["", f"{t('Geen vraag opgesteld', 'No question template')}: "
                  + ", ".join(labels[f] if t.nl and labels.get(f) else f"`{f}`" for f in bank.missing_templates)]
    if bank.unused_templates:
        lines += ["", f"{t('Vragen zonder bewijs', 'Templates without evidence')}: "
                  + ", ".join(f"`{f}`" for f in bank.unused_templates)]
    return "\n".join(lines) + "\n"


def questionnaire_markdown(bank: ItemBank, lang: str = "nl", *, english_marks: bool = False) -> str:
    """The questionnaire as a printable document, per domain, with the evidence per question
    (``english_marks``: keep the marks around English runs, for :func:`to_html`)."""
    t = _T(lang)
    items = {i.factor_id: i for i in bank.items}
    lines = [f"# {t(bank.title_nl, bank.title_en)}", "",
             f"{t('Versie', 'Version')} {bank.version}. "
             + t("In te vullen door de arbeidsdeskundige na de gesprekken met de cliënt. "
                 f"{MODIFIABLE_MARK} = beïnvloedbare factor.",
                 "To be completed by the labour expert after the conversations with the client. "
                 f"{MODIFIABLE_MARK} = modifiable factor."), ""]
    # The printed questionnaire shows HR/OR figures under its questions, so it says what they mean.
    if legend := measures_legend(t, bank.items):
        lines += [legend, ""]
    number = 0
    for domain in DOMAINS:
        questions = bank.questions_in(domain)
        if not questions:
            continue
        lines += [f"## {t.domain(domain)}", ""]
        for q in questions:
            number += 1
            lines += _question_md(t, q, number, items, bank)
    lines += ["", bank_summary_markdown(bank, lang)]
    lines += sources_markdown(t, cited_sources(bank, bank.items))
    return _marked("\n".join(lines), english_marks)


def _marked(text: str, english_marks: bool) -> str:
    return text if english_marks else plain_text(text)


def _question_md(t: _T, q: Question, number: int, items: Mapping[str, Item], bank: ItemBank) -> list[str]:
    lines = [f"**{number}. {t(q.text_nl, q.text_en)}**", ""]
    help_text = t(q.help_nl, q.help_en)
    if help_text:
        lines += [f"*{help_text}*", ""]
    if q.medical:
        lines += [f"*{medical_note(t, q)}*", ""]
    if q.enable_when:
        gate = bank.question(q.enable_when[0])
        option = gate.option(q.enable_when[1]) if gate else None
        if gate and option:
            lines += [f"{t('Alleen als', 'Only if')} “{t(gate.text_nl, gate.text_en)}” = "
                      f"{t(option.text_nl, option.text_en)}", ""]
    for option in q.options:
        lines.append(f"- ☐ {t(option.text_nl, option.text_en)}")
    lines.append("")
    for fid in q.factors + q.signals:
        item = items[fid]
        mark = f" {MODIFIABLE_MARK}" if item.modifiable else ""
        side = t("risicofactor", "risk factor") if item.direction == "risk" else t("beschermend", "protective")
        if not item.scored:
            side = t(f"signaal ({side}, weegt niet mee)", f"signal ({side}, not weighed)")
        lines += [f"> {t(item.label_nl, item.label_en)}{mark}: {side}; {evidence_text(t, item)}", ""]
    return lines


# -- conversation guide --------------------------------------------------------------------
def certainty_key(item: Item) -> tuple[int, int, int, str]:
    """Most certain first: GRADE, then evidence level, then number of studies."""
    return (-GRADE_RANK.get(item.grade, -1), -LEVEL_RANK.get(item.level, 0), -len(item.studies), item.factor_id)


def guide_markdown(bank: ItemBank, lang: str = "nl", *, english_marks: bool = False) -> str:
    """The gesprekshandleiding: per domain, most certain evidence first; then expert-opinion topics
    (``english_marks``: keep the marks around English runs, for :func:`to_html`)."""
    t = T(lang)
    # a dash, not a colon: the title is often "Profiel: <review title>" ("Gesprekshandleiding: Profiel: …")
    lines = [f"# {t('Gesprekshandleiding', 'Conversation guide')} — {t(bank.title_nl, bank.title_en)}", "",
             t("Per onderwerp: een open vraag aan de cliënt, waarom het onderwerp ertoe doet (het "
               "bewijs), waar u op let en mogelijke vervolgstappen. Per domein staat het onderwerp met "
               "het zekerste bewijs bovenaan (eerst de zekerheid volgens GRADE, dan de bewijskracht, dan "
               f"het aantal studies). {MODIFIABLE_MARK} = beïnvloedbaar: een aanknopingspunt voor advies.",
               "Per topic: an open question to ask the client, why the topic matters (the evidence), "
               "what to listen for and possible next steps. Within each domain the topic with the most "
               "certain evidence comes first (GRADE certainty, then strength of evidence, then number of "
               f"studies). {MODIFIABLE_MARK} = modifiable: a lead for advice."),
             "", t(PROGNOSTIC_NL, PROGNOSTIC_EN), "", f"{t('Versie', 'Version')} {bank.version}.", ""]
    legend = measures_legend(t, bank.items)
    if legend:
        lines[-2:-2] = [legend, ""]  # before the version line
    if not bank.scored_items:
        lines += [t("Geen enkele factor heeft genoeg bewijs om mee te wegen. Alle onderwerpen hieronder "
                    "zijn signalen: bespreek ze, maar trek er geen harde conclusies uit.",
                    "No factor has enough evidence to be weighed. All topics below are signals: raise "
                    "them, but draw no firm conclusions."), ""]
    for domain in DOMAINS:
        topics = sorted((i for i in bank.items if i.domain == domain), key=certainty_key)
        if topics:
            lines += [f"## {t.domain(domain)}", ""]
            for n, item in enumerate(topics, start=1):
                lines += _topic(t, bank, item, n)
    if bank.expert_topics:
        lines += [f"## {t('Onderwerpen op basis van expertmening', 'Topics based on expert opinion')}", "",
                  t("Deze onderwerpen hebben (nog) geen onderzoeksbewijs in deze review, maar experts waren "
                    "het in een Delphi-studie eens dat ze terugval voorspellen. Het is expertmening: "
                    "bespreek ze, maar ze tellen niet mee in het profiel.",
                    "These topics have no research evidence in this review (yet), but experts in a Delphi "
                    "study agreed that they predict recurrence. This is expert opinion: raise them, but "
                    "they do not count in the profile."), ""]
        ranked = sorted(bank.expert_topics, key=lambda e: (-max(float(x.get("percent_agree", 0)) for x in e.expert),
                                                           DOMAINS.index(e.domain) if e.domain in DOMAINS else 9,
                                                           e.factor_id))
        for n, topic in enumerate(ranked, start=1):
            mark = f" {MODIFIABLE_MARK}" if topic.modifiable else ""
            lines.append(f"### {n}. {t(topic.topic_nl or topic.label_nl, topic.topic_en or topic.label_en)}{mark}")
            lines.append("")
            lines.append(f"- **{t('Expertmening', 'Expert opinion')}**: {_expert_line(t, topic.expert)}")
            lines += _conversation(t, topic.ask_nl, topic.ask_en, topic.listen_nl, topic.listen_en,
                                   topic.advice_nl, topic.advice_en, topic.modifiable)
            lines.append("")
    lines += sources_markdown(t, bank.sources)
    return _marked("\n".join(lines), english_marks)


def _expert_line(t: T, expert: list[dict[str, Any]]) -> str:
    # "van de experts eens", as the evidence line of a topic with studies says it (expert_text)
    return "; ".join(t(f"{plain_number(t, float(e.get('percent_agree', 0)))} % van de experts eens ({e.get('label')})",
                       f"{float(e.get('percent_agree', 0)):g} % of the panel agreed ({e.get('label')})")
                     for e in expert)


def _conversation(t: T, ask_nl: str, ask_en: str, listen_nl: str, listen_en: str, advice_nl: str,
                  advice_en: str, modifiable: bool) -> list[str]:
    lines = []
    if t(ask_nl, ask_en):
        lines.append(f"- **{t('Vraag aan de cliënt', 'Ask the client')}**: “{t(ask_nl, ask_en)}”")
    if t(listen_nl, listen_en):
        lines.append(f"- **{t('Let op', 'Listen for')}**: {t(listen_nl, listen_en)}")
    if modifiable and t(advice_nl, advice_en):
        lines.append(f"- **{t('Mogelijke vervolgstappen', 'Possible next steps')}**: {t(advice_nl, advice_en)} "
                     f"{t('(voorstel van het reviewteam; niet onderzocht in deze review)', '(proposal of the review team; not tested in this review)')}")
    elif not modifiable:
        lines.append(f"- **{t('Mogelijke vervolgstappen', 'Possible next steps')}**: "
                     + t("niet te beïnvloeden; neem het mee in de afspraken over begeleiding en nazorg.",
                         "not modifiable; take it into account in the agreements on support and follow-up."))
    return lines


def _topic(t: T, bank: ItemBank, item: Item, n: int) -> list[str]:
    mark = f" {MODIFIABLE_MARK}" if item.modifiable else ""
    side = (t("risicofactor", "risk factor") if item.direction == "risk"
            else t("beschermende factor", "protective factor"))
    if not item.scored:
        side += t(", signaal (weegt niet mee)", ", signal (not weighed)")
    topic = t(item.topic_nl or item.label_nl, item.topic_en or item.label_en)
    lines = [f"### {n}. {topic}{mark}", "", f"*{side}*", ""]
    why = evidence_text(t, item)
    expert = expert_text(t, item)
    lines.append(f"- **{t('Waarom', 'Why')}**: {why}" + (f"; {expert}" if expert else ""))
    lines += _conversation(t, item.ask_nl, item.ask_en, item.listen_nl, item.listen_en, item.advice_nl,
                           item.advice_en, item.modifiable)
    closed = [bank.question(q) for q in item.questions]
    texts = [t(q.text_nl, q.text_en) for q in closed if q is not None]
    if texts:
        lines.append(f"- **{t('In het formulier', 'In the form')}**: " + " / ".join(texts))
    lines.append("")
    return lines


# -- profile report -------------------------------------------------------------------------
def report_markdown(bank: ItemBank, profile: Profile, answers: Mapping[str, str], *,
                    lang: str = "nl", client_ref: str = "", date: str = "",
                    notes: Sequence[Note | str] | None = None, english_marks: bool = False) -> str:
    """The client report: summary, risk and protective factors apart, gaps, leads, answers
    (``english_marks``: keep the marks around English runs, for :func:`to_html`).

    No ratio that reads like a score: the instrument is not validated. Every factor shows the
    studies and effects behind it and the GRADE certainty; unanswered factors are listed as such.
    """
    t = T(lang)
    items = {i.factor_id: i for i in bank.items}
    lines = [f"# {t('Cliëntprofiel', 'Client profile')}", "", f"*{t(bank.title_nl, bank.title_en)}*", ""]
    meta = []
    if client_ref:
        meta.append(f"{t('Cliënt', 'Client')}: {client_ref}")
    if date:
        meta.append(f"{t('Datum', 'Date')}: {long_date(t, date)}")
    meta.append(f"{t('Versie instrument', 'Instrument version')}: {bank.version}")
    lines += ["  \n".join(meta), ""]
    for note in notes or []:
        text = t(note.nl, note.en) if isinstance(note, Note) else note
        lines += [f"> {text}", ""]
    lines += [f"## {t('Samenvatting', 'Summary')}", "", t(profile.indication_nl, profile.indication_en), ""]
    lines += [f"- {s}" for s in (profile.uncertainty_nl if t.nl else profile.uncertainty_en)]
    states = {f.factor_id: f for f in profile.factors}
    legend = measures_legend(t, [i for i in bank.items if states.get(i.factor_id) is not None
                                 and states[i.factor_id].status in ("present", "partly")])
    if legend:
        lines.append(f"- {legend}")
    for side, title in (("risk", t("Risicofactoren", "Risk factors")),
                        ("protective", t("Beschermende factoren", "Protective factors"))):
        lines += ["", f"## {title}", ""]
        lines += _side_section(t, [i for i in bank.items if i.direction == side], states)
    lines += ["", f"## {t('Niet beantwoord', 'Unanswered')}", ""]
    open_items = [i for i in bank.items if states.get(i.factor_id) is not None
                  and states[i.factor_id].status == "unanswered" and states[i.factor_id].applicable]
    if open_items or profile.missing:
        lines.append(t("Deze factoren zijn niet beoordeeld. Ze tellen nergens mee: niet als aanwezig en "
                       "niet als afwezig.",
                       "These factors were not assessed. They count nowhere: neither as present nor "
                       "as absent."))
        lines += [""] + [f"- {t(i.label_nl, i.label_en)}" for i in open_items]
        if profile.missing:
            lines += ["", t("Open vragen:", "Open questions:")]
            lines += [f"- {t(m.text_nl, m.text_en)}" for m in profile.missing]
    else:
        lines.append(t("Alle vragen zijn beantwoord.", "All questions were answered."))
    if profile.ignored or profile.unrecognised:
        lines += ["", f"## {t('Antwoorden die niet meetellen', 'Answers not counted')}", ""]
        for ignored in profile.ignored:
            gate = bank.question(ignored.gate)
            gate_text = t(gate.text_nl, gate.text_en) if gate else ignored.gate
            if ignored.reason == "gate_off":
                lines.append(t(f"- ‘{ignored.text_nl}’: de vraag is niet van toepassing door het antwoord op "
                               f"‘{gate_text}’; het antwoord telt niet mee.",
                               f"- ‘{ignored.text_en}’: the question does not apply given the answer to "
                               f"‘{gate_text}’; the answer was ignored."))
            else:
                lines.append(t(f"- ‘{ignored.text_nl}’: ‘{gate_text}’ is niet beantwoord, dus het antwoord "
                               "telt niet mee.",
                               f"- ‘{ignored.text_en}’: ‘{gate_text}’ is unanswered, so the answer does "
                               "not count."))
        if profile.unrecognised:
            lines.append(t("- Antwoorden op vragen die niet in deze versie staan (tellen niet mee): ",
                           "- Answers to questions not in this version (ignored): ")
                         + ", ".join(f"`{u}`" for u in profile.unrecognised))
    lines += ["", f"## {t('Aanknopingspunten voor advies', 'Leads for advice')}", ""]
    leads = [lead_words(t, items[f.factor_id], f.status) for f in profile.leads]
    leads += [lead_words(t, i, "absent") for i in profile.strengthen]
    lines += [t(*LEADS_BASIS), ""]  # (as the browser form says it, with leads or without)
    lines += [f"- **{label}**{rest}" for label, rest in leads] or [t(*NO_LEADS)]
    lines += ["", f"## {t('Antwoorden', 'Answers')}", "",
              f"| {t('vraag', 'question')} | {t('antwoord', 'answer')} |", "|---|---|"]
    ignored_ids = {i.link_id for i in profile.ignored}
    for q in bank.questions:
        code = answers.get(q.link_id)
        option = q.option(code) if code is not None else None
        if q.link_id in profile.not_applicable and q.link_id not in ignored_ids:
            shown = t("niet van toepassing", "not applicable")
        elif option is None:
            shown = t("niet beantwoord", "unanswered")
        else:
            shown = t(option.text_nl, option.text_en)
            if q.link_id in ignored_ids:
                shown += t(" (telt niet mee)", " (not counted)")
        lines.append(f"| {_cell(t(q.text_nl, q.text_en))} | {_cell(shown)} |")
    shown_items = [i for i in bank.items if states.get(i.factor_id) is not None
                   and states[i.factor_id].status in ("present", "partly")]
    lines += sources_markdown(t, cited_sources(bank, shown_items))  # those of the factors it shows
    return _marked("\n".join(lines).rstrip("\n") + "\n", english_marks)


def _side_section(t: T, items: list[Item], states: Mapping[str, Any]) -> list[str]:
    if not items:
        return [t("Geen factoren aan deze kant in dit instrument.", "No factors on this side in this instrument.")]
    found = [i for i in items if states[i.factor_id].status in ("present", "partly")]
    lines: list[str] = []
    if found:
        lines += [f"| factor | {t('aanwezig', 'present')} | {t('domein', 'domain')} | "
                  f"{t('onderbouwing', 'evidence')} |", "|---|---|---|---|"]
        for i in found:
            status = t("ja", "yes") if states[i.factor_id].status == "present" else t("deels", "partly")
            label = t(i.label_nl, i.label_en) + (f" {MODIFIABLE_MARK}" if i.modifiable else "")
            if not i.scored:
                label += t(" (signaal, weegt niet mee)", " (signal, not weighed)")
            lines.append(f"| {_cell(label)} | {status} | {t.domain(i.domain)} | {_cell(evidence_text(t, i))} |")
    else:
        lines.append(t("Geen van deze factoren is als aanwezig beoordeeld.",
                       "None of these factors was assessed as present."))
    absent = [i for i in items if states[i.factor_id].status == "absent"]
    if absent:
        lines += ["", t("Niet aanwezig: ", "Absent: ") + ", ".join(t(i.label_nl, i.label_en) for i in absent) + "."]
    off = [i for i in items if not states[i.factor_id].applicable]
    if off:
        lines += ["", t("Niet van toepassing: ", "Not applicable: ")
                  + ", ".join(t(i.label_nl, i.label_en) for i in off) + "."]
    if any(i.modifiable for i in found):
        lines += ["", f"{MODIFIABLE_MARK} = {t('beïnvloedbaar', 'modifiable')}"]
    return lines


# -- HTML ----------------------------------------------------------------------------------
_CSS = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #111; }
h1 { font-size: 1.5rem; } h2 { border-bottom: 1px solid #999; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; vertical-align: top; }
blockquote { border-left: 4px solid #c60; margin: 0; padding-left: 1rem; }
ul { padding-left: 1.25rem; } code { font-size: .9em; }
/* WCAG 1.4.10: at 320 px long DOIs pushed the page to 819 px; a word too long for the line breaks. */
p, li, code { overflow-wrap: anywhere; }
td, th { overflow-wrap: break-word; }
/* ... and a table's columns, squeezed into 288 px, broke their words mid-word ('bewijskrac|ht'): on a narrow
   screen each row is a block and each cell a line led by its column's name (data-label, set in to_html). */
@media screen and (max-width: 54rem) {  /* below the page's own width (52rem and its margins) */
  table, thead, tbody, tr, th, td { display: block; width: auto; }
  thead tr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); border: 0; }
  tr { border: 1px solid #bbb; margin: 0 0 .5rem; }
  td { border: none; border-top: 1px solid #ddd; } td:first-child { border-top: none; }
  /* The column's name is for the eye: a screen reader reads it from the header row, and generated content would
     join the cell's accessible name ('factor: …'). The empty alternative text (after '/') keeps it out; a
     browser without it keeps the first declaration. */
  td[data-label]::before { content: attr(data-label) ": "; content: attr(data-label) ": " / ""; font-weight: 600; }
}
@media print { body { margin: 0; max-width: none; } tr, li { page-break-inside: avoid; }
               /* a heading stays with what follows it (a guide topic's heading ended a page alone) */
               h1, h2, h3 { break-after: avoid; page-break-after: avoid; } }
"""


def without_raw_html(markdown: str) -> str:
    """Markdown for a file: ``<`` as an entity, so text from the evidence, the item bank or a client
    reference can never open a tag (``<script>``, ``<img onerror>``) in a viewer that renders HTML.
    Our own Markdown holds no HTML, so nothing meant is lost."""
    return markdown.replace("<", "&lt;")


def to_html(markdown: str, title: str, lang: str = "nl") -> str:
    """A self-contained printable HTML page from our Markdown (raw HTML in it is escaped; English runs
    marked by :func:`english_run` become ``<span lang="en">``)."""
    from markdown_it import MarkdownIt  # imported on first use: keeps `review status` fast

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(markdown)
    _label_table_cells(tokens)
    body = spans_for_english(parser.renderer.render(tokens, parser.options, {}))
    return (f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "nl"}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n'
            f"</head>\n<body>\n{body}</body>\n</html>\n")


#: Table roles kept explicit: a table shown as blocks on a narrow screen loses them in some browsers.
_TABLE_ROLES = {"table_open": "table", "thead_open": "rowgroup", "tbody_open": "rowgroup", "tr_open": "row",
                "th_open": "columnheader", "td_open": "cell"}


def _label_table_cells(tokens: Sequence[Any]) -> None:
    """Give every body cell its column's header as ``data-label`` (the narrow layout shows it before the
    cell) and every table element its ARIA role."""
    headers: list[str] = []
    column = 0
    for n, token in enumerate(tokens):
        if token.type in _TABLE_ROLES:
            token.attrSet("role", _TABLE_ROLES[token.type])
        if token.type == "thead_open":
            headers = []
        elif token.type == "tr_open":
            column = 0
        elif token.type == "th_open":
            headers.append(plain_text(tokens[n + 1].content) if tokens[n + 1].type == "inline" else "")
        elif token.type == "td_open":
            if column < len(headers) and headers[column]:
                token.attrSet("data-label", headers[column])
            column += 1

