"""The browser form: one self-contained HTML file a labour expert fills in without a server.

The page carries the item bank's questions, answer-to-factor rules and profile thresholds as
JSON, plus ``form.js``, which applies them exactly as :func:`review.instrument.scoring.score`
does (same enableWhen logic, same status precedence, same denominators); a browser test checks
both over many random answer sets. Nothing is fetched: no network, no external assets. Answers
stay in the page until the user downloads them (a FHIR QuestionnaireResponse via a ``data:``
link, ``#download-response``).

Stable contract (scripts outside the repo rely on it): radio inputs are named by the FHIR
linkId and carry the answer code as value; ``#profile`` has one element per asked factor with
``data-factor-id``, ``data-side`` (risk | protective) and ``data-status`` (present | partly |
absent | unanswered).
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

from .config import InstrumentConfig
from .evidence import DOMAINS
from .fhir import ANSWER_SYSTEM, GROUP_PREFIX
from .itembank import DOMAIN_LABELS, ItemBank, Question
from .english_runs import html_text
from .render import (LEADS_BASIS, NO_LEADS, T, cited_sources, evidence_text, lead_words, measures_legend, medical_note,
                     source_line)
from .scoring import (
    INDICATIONS, PROGNOSTIC_EN, PROGNOSTIC_NL, PROGRESS_EN, PROGRESS_NL, UNANSWERED_EN, UNANSWERED_NL, base_rate_line,
)

_CSS = """
:root { --ink: #111; --muted: #555; --line: #bbb; --accent: #0b5cad; --risk: #9b2c00; --prot: #1d6b2f; }
* { box-sizing: border-box; }
/* A word longer than its line (a DOI with large text on a phone) breaks rather than push the page sideways. */
body { font-family: system-ui, sans-serif; max-width: 54rem; margin: 0 auto; padding: 0 1rem 4rem;
       line-height: 1.5; color: var(--ink); overflow-wrap: break-word; }
header { padding: 1rem 0 .5rem; }
h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { border-bottom: 1px solid var(--line); margin-top: 2rem; }
.note, .help, .meta { color: var(--muted); }
.help { margin: 0 0 .5rem; }
#progress-bar { position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid var(--line);
                z-index: 1; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
progress { width: 12rem; height: 1rem; }
/* A fieldset is never narrower than its longest word unless told (min-content): with large text on a phone
   'huishoudinkomen' pushed the page sideways. */
fieldset.question { border: 1px solid var(--line); border-radius: .4rem; margin: 0 0 1rem; padding: .5rem 1rem 1rem;
                    min-width: 0; }
fieldset.question legend { font-weight: 600; padding: 0 .25rem; max-width: 100%; }
fieldset.question.answered { border-left: .35rem solid var(--accent); }
/* The answer's text beside its button, a wrapped line under the text rather than under the button. */
.options label { display: grid; grid-template-columns: auto minmax(0, 1fr); align-items: baseline;
                 padding: .2rem .25rem; border-radius: .25rem; cursor: pointer; }
.options label:hover { background: #eef4fb; }
.options input { margin: 0 .5rem 0 0; }
input:focus-visible, a:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.noscript { border: 2px solid var(--risk); padding: .5rem 1rem; font-weight: 600; }
.consent { border-left: 4px solid #c60; padding-left: .5rem; margin: 0 0 .5rem; }
.side-risk h3 { color: var(--risk); } .side-protective h3 { color: var(--prot); }
#profile li { margin: .35rem 0; }
#profile li[data-status="absent"], #profile li[data-status="unanswered"] { color: var(--muted); }
#profile .status { font-weight: 600; }
#profile .evidence { display: block; font-size: .9em; color: var(--muted); }
.actions { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.actions a, .actions button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--accent);
                              border-radius: .3rem; background: #fff; color: var(--accent); text-decoration: none; cursor: pointer; }
.actions a.primary { background: var(--accent); color: #fff; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid var(--line); padding: .2rem .4rem;
                                                          text-align: left; vertical-align: top; }
/* A DOI or a long Dutch compound may break anywhere rather than push the page sideways at 320 px. */
#sources li, #profile li { overflow-wrap: anywhere; }
/* ... but in a table that squeezed the columns and broke words mid-word ('beantwo|ord'): a cell breaks only a
   word longer than its line, and on a narrow screen each answer is a block, led by its column's name. */
td { overflow-wrap: break-word; }
@media screen and (max-width: 40rem) {
  #answers-summary, #answers-summary tbody, #answers-summary tr, #answers-summary td { display: block; }
  #answers-summary thead tr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  #answers-summary tr { border: 1px solid var(--line); margin: 0 0 .5rem; }
  #answers-summary td { border: none; }
  /* For the eye only: screen readers read the header row, so the label has an empty alternative text. */
  #answers-summary td[data-label]::before { content: attr(data-label) ": "; content: attr(data-label) ": " / "";
                                            font-weight: 600; }
}
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.print-only { display: none; }
@media print {
  #instrument-form, #progress-bar, .actions, .skip, .screen-only { display: none !important; }
  .print-only { display: block; }
  body { max-width: none; } li, tr { page-break-inside: avoid; }
  /* A heading stays with what follows it: 'Risicofactoren' ended page 1 alone, its factors on page 2. */
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""


#: Beside the download and the print button: where the browser puts the file and what to do with it.
DOWNLOAD_NOTE = ("De browser zet de download in zijn downloadmap, vaak leesbaar voor andere gebruikers van deze "
                 "computer. Verplaats het bestand meteen naar het dossier van de cliënt en geef het daar het "
                 "dossiernummer als naam: de pagina kent de naam van de cliënt niet. Dat geldt ook voor een rapport "
                 "dat u als pdf bewaart.",
                 "The browser puts the download in its downloads folder, often readable by other users of this "
                 "computer. Move the file to the client's dossier at once and name it by the dossier number there: "
                 "the page does not know the client's name. The same goes for a report you save as PDF.")


def form_data(bank: ItemBank, config: InstrumentConfig, lang: str = "nl") -> dict[str, Any]:
    """Everything the page's script needs: questions, factor rules, thresholds and texts."""
    t = T(lang)
    return {
        "lang": "en" if lang == "en" else "nl",
        "questionnaire": f"{bank.canonical_url}|{bank.version}",
        "version": bank.version,
        "answerSystem": ANSWER_SYSTEM,
        "groupPrefix": GROUP_PREFIX,
        "unknownCode": "unknown",
        "partlyFraction": bank.partly_fraction,  # the bank's, as score() and the REDCap sums
        "maxMissingShare": config.max_missing_share,
        "manySignalsShare": config.many_signals_share,
        "questions": [{
            "linkId": q.link_id, "domain": q.domain, "text": t(q.text_nl, q.text_en),
            # The response carries the Dutch text, as fhir.response() does.
            "textNl": q.text_nl,
            "enableWhen": list(q.enable_when) if q.enable_when else None,
            "options": [{"code": o.code, "text": t(o.text_nl, o.text_en), "textNl": o.text_nl}
                        for o in q.options],
        } for q in bank.questions],
        "items": [{
            "id": i.factor_id, "label": t(i.label_nl, i.label_en), "domain": i.domain,
            "side": i.direction, "scored": i.scored, "weight": i.weight, "modifiable": i.modifiable,
            "present": i.present, "partly": i.partly, "questions": i.questions,
            # A lead's words per status that makes it one, from render.lead_words, as the client report says them.
            "leads": ({status: "".join(lead_words(t, i, status))
                       for status in (("present", "partly") if i.direction == "risk" else ("absent",))}
                      if i.modifiable else {}),
        } for i in bank.items],
        "indications": {code: t(nl, en) for code, (nl, en) in INDICATIONS.items()},
        "months": list(t.months()),  # the printed date as the report writes it: 7 december 2026
        "strings": {
            "present": t("aanwezig", "present"), "partly": t("deels aanwezig", "partly present"),
            "absent": t("niet aanwezig", "absent"), "unanswered": t("niet beantwoord", "unanswered"),
            "notApplicable": t("niet van toepassing", "not applicable"),
            # scoring.QuestionProgress.line's words, as the fill mode's status line says them.
            "progress": t(PROGRESS_NL[0], PROGRESS_EN[0]),
            "progressUnknown": t(PROGRESS_NL[1], PROGRESS_EN[1]),
            "ignoredOff": t("Het antwoord op ‘{q}’ telt niet mee: de vraag is niet van toepassing "
                            "door het antwoord op ‘{gate}’.",
                            "The answer to ‘{q}’ is not counted: the question does not apply "
                            "given the answer to ‘{gate}’."),
            "ignoredPending": t("Het antwoord op ‘{q}’ telt (nog) niet mee: beantwoord eerst ‘{gate}’.",
                                "The answer to ‘{q}’ is not counted (yet): answer ‘{gate}’ first."),
            "noLeads": t(*NO_LEADS),
            "notCounted": t(" (telt niet mee)", " (not counted)"),
            "file": t("antwoorden", "answers"),
            "openOne": t(UNANSWERED_NL[0], UNANSWERED_EN[0]),
            "openMany": t(UNANSWERED_NL[1], UNANSWERED_EN[1]),
            "printedOn": t("Afgedrukt op {date}", "Printed on {date}"),
            "confirmReset": t("Alle antwoorden wissen? Dat kan niet ongedaan worden gemaakt.",
                              "Clear all answers? This cannot be undone."),
        },
    }


def form_html(bank: ItemBank, config: InstrumentConfig, lang: str = "nl") -> str:
    """The complete page (HTML, CSS, data and script inline)."""
    t = T(lang)
    items = {i.factor_id: i for i in bank.items}
    data = json.dumps(form_data(bank, config, lang), ensure_ascii=False, sort_keys=True)
    data = data.replace("<", "\\u003c")  # nothing in the data can close the script element
    script = resources.files("review.instrument").joinpath("form.js").read_text(encoding="utf-8")
    title = t(bank.title_nl, bank.title_en)
    parts = [f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "nl"}">\n<head>\n<meta charset="utf-8">\n'
             '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             # No request of any kind may leave the page.
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
             f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
             f'<a class="skip" href="#result">{t("Naar het profiel", "Skip to the profile")}</a>\n',
             f"<header>\n<h1>{html.escape(title)}</h1>\n",
             f'<p class="meta">{t("Versie", "Version")} {html.escape(bank.version)}</p>\n',
             # A printed report goes into a dossier: it says when it was printed (filled in by the script).
             '<p class="meta print-only" id="printed-on"></p>\n',
             # ... and whose it is, written by hand: the page never holds a name.
             f'<p class="print-only" id="client-line">{t("Cliënt", "Client")}: ________________________ '
             f'{t("Ingevuld door", "Completed by")}: ________________________</p>\n',
             # How to use the page is no part of the printed report in a client's dossier.
             '<p class="screen-only">'
             + t("Vul dit formulier in na de gesprekken met de cliënt. Kies per vraag één antwoord; "
                 "‘Weet niet / niet besproken’ telt als niet beantwoord, nooit als ‘nee’. "
                 "Het profiel onderaan wordt bij elk antwoord bijgewerkt.",
                 "Fill in this form after the conversations with the client. Choose one answer "
                 "per question; ‘Don't know / not discussed’ counts as unanswered, never as "
                 "‘no’. The profile below is updated with every answer.") + "</p>\n",
             '<p class="note screen-only">' + t("De antwoorden blijven in deze pagina op uw computer. Er wordt niets "
                                    "verstuurd of opgeslagen, tenzij u de antwoorden zelf downloadt. Sluit "
                                    "of vernieuwt u de pagina, dan zijn antwoorden die u niet hebt gedownload "
                                    "weg; de browser vraagt u eerst of u de pagina wilt verlaten (sommige "
                                    "browsers, zoals Safari op iPhone en iPad, vragen dat niet).",
                                    "The answers stay in this page on your computer. Nothing is sent "
                                    "or stored unless you download the answers yourself. If you close or "
                                    "reload the page, answers you have not downloaded are gone; the "
                                    "browser asks you first (some browsers, such as Safari on iPhone and "
                                    "iPad, do not).") + "</p>\n</header>\n",
             # Without a script (blocked for local files by some managed browsers) answers could be ticked but
             # counted nowhere, and the profile said every factor unanswered: say so, and show no form.
             '<noscript><p class="noscript" role="alert">'
             + t("Dit formulier werkt alleen met JavaScript, en dat staat in deze browser uit. Zonder JavaScript "
                 "worden de antwoorden niet geteld en is er geen profiel en geen download. Open het bestand in een "
                 "browser waarin JavaScript aan staat (het formulier verstuurt niets en werkt zonder internet).",
                 "This form needs JavaScript, which is switched off in this browser. Without it the answers are "
                 "not counted and there is no profile and no download. Open the file in a browser with JavaScript "
                 "switched on (the form sends nothing and works offline).")
             + "</p><style>#instrument-form, #progress-bar, #result, .skip { display: none; }</style></noscript>\n",
             '<div id="progress-bar" role="status" aria-live="polite">'
             f'<progress id="progress" max="1" value="0" aria-label="{t("Voortgang", "Progress")}"></progress>'
             '<span id="progress-text"></span></div>\n',
             '<form id="instrument-form" autocomplete="off" novalidate>\n']
    number = 0
    for domain in DOMAINS:
        questions = bank.questions_in(domain)
        if not questions:
            continue
        nl, en = DOMAIN_LABELS[domain]
        parts.append(f'<section class="domain" id="domain-{domain}">\n<h2>{html.escape(t(nl, en))}</h2>\n')
        for q in questions:
            number += 1
            parts.append(_fieldset(t, q, number, items))
        parts.append("</section>\n")
    parts.append("</form>\n")
    parts.append(_result_section(t, bank, config))
    parts.append(f'<script type="application/json" id="instrument-data">{data}</script>\n'
                 f"<script>\n{script}\n</script>\n</body>\n</html>\n")
    return "".join(parts)


def _fieldset(t: T, q: Question, number: int, items: dict[str, Any]) -> str:
    described = []
    body = []
    if t(q.help_nl, q.help_en):
        described.append(f"help-{q.link_id}")
        body.append(f'<p class="help" id="help-{html.escape(q.link_id)}">{html.escape(t(q.help_nl, q.help_en))}</p>\n')
    note = medical_note(t, q, items)
    if note:
        described.append(f"consent-{q.link_id}")
        body.append(f'<p class="consent" id="consent-{html.escape(q.link_id)}">{html.escape(note)}</p>\n')
    attrs = f' aria-describedby="{" ".join(html.escape(d) for d in described)}"' if described else ""
    options = "".join(
        f'<label><input type="radio" name="{html.escape(q.link_id)}" value="{html.escape(o.code)}" '
        f'id="{html.escape(q.link_id)}--{html.escape(o.code)}">{html.escape(t(o.text_nl, o.text_en))}</label>\n'
        for o in q.options)
    return (f'<fieldset class="question" id="q-{html.escape(q.link_id)}" data-link-id="{html.escape(q.link_id)}"{attrs}>\n'
            f"<legend>{number}. {html.escape(t(q.text_nl, q.text_en))}</legend>\n"
            + "".join(body) + f'<div class="options">\n{options}</div>\n</fieldset>\n')


def _result_section(t: T, bank: ItemBank, config: InstrumentConfig) -> str:
    parts = [f'<section id="result" tabindex="-1">\n<h2>{t("Profiel", "Profile")}</h2>\n',
             '<p id="indication" aria-live="polite"></p>\n',
             '<p id="unanswered-count" aria-live="polite"></p>\n',
             '<p class="note" id="not-a-diagnosis">'
             + t("Dit is een profiel, geen diagnose en geen voorspelling voor deze cliënt: het instrument "
                 "is niet gevalideerd en geeft geen kans op terugval. Niet beantwoorde vragen "
                 "tellen nergens mee, ook niet als ‘afwezig’.",
                 "This is a profile, not a diagnosis and not a prediction for this client: the instrument "
                 "has not been validated and gives no probability of recurrence. Unanswered "
                 "questions count nowhere, not even as ‘absent’.") + "</p>\n",
             f'<p class="note" id="prognostic">{t(PROGNOSTIC_NL, PROGNOSTIC_EN)}</p>\n',
             (f'<p class="note" id="measures">{html.escape(legend)}</p>\n'
              if (legend := measures_legend(t, bank.items)) else ""),
             # The published recurrence rates every profile gives as context (the report has them too).
             *(f'<p class="note base-rate">{html_text(base_rate_line(t, rate))}</p>\n'
               for rate in config.base_rates),
             (f'<p class="note base-rate">{html.escape(t(config.base_rates_note_nl, config.base_rates_note_en))}</p>\n'
              if config.base_rates and t(config.base_rates_note_nl, config.base_rates_note_en) else ""),
             '<div id="notes" aria-live="polite"></div>\n<div id="profile">\n']
    for side, nl, en in (("risk", "Risicofactoren", "Risk factors"),
                         ("protective", "Beschermende factoren", "Protective factors")):
        side_items = [i for i in bank.items if i.direction == side]
        parts.append(f'<section class="side-{side}">\n<h3>{t(nl, en)}</h3>\n<ul>\n')
        for i in side_items:
            kind = "" if i.scored else f' <em>({t("signaal, weegt niet mee", "signal, not weighed")})</em>'
            # A screen reader says the word, not "black diamond".
            mark = (f' <span aria-hidden="true">◆</span><span class="visually-hidden">'
                    f'({t("beïnvloedbaar", "modifiable")})</span>' if i.modifiable else "")
            parts.append(
                f'<li data-factor-id="{html.escape(i.factor_id)}" data-side="{side}" data-status="unanswered" '
                f'data-scored="{str(i.scored).lower()}"><span class="label">{html.escape(t(i.label_nl, i.label_en))}'
                f"{mark}</span>{kind}: <span class=\"status\">{t('niet beantwoord', 'unanswered')}</span>"
                f'<span class="evidence">{html_text(evidence_text(t, i))}</span></li>\n')
        if not side_items:
            parts.append(f"<li class=\"none\">{t('Geen factoren aan deze kant.', 'No factors on this side.')}</li>\n")
        parts.append("</ul>\n</section>\n")
    parts.append("</div>\n")
    parts.append(f'<h3>{t("Aanknopingspunten voor advies", "Leads for advice")}</h3>\n'
                 # What the leads follow from, in the client report's words.
                 f'<p class="note" id="leads-basis">{t(*LEADS_BASIS)}</p>\n<ul id="leads"></ul>\n')
    # The mark is hidden from screen readers as beside each factor: they would read "black diamond equals".
    parts.append('<p class="note"><span aria-hidden="true">◆ = </span>'
                 + t("beïnvloedbare factor", "modifiable factor") + "</p>\n")
    parts.append(f'<h3>{t("Antwoorden", "Answers")}</h3>\n<table id="answers-summary" role="table"><thead role="rowgroup">'
                 f'<tr role="row"><th role="columnheader">{t("vraag", "question")}</th>'
                 f'<th role="columnheader">{t("antwoord", "answer")}</th></tr></thead>'
                 '<tbody role="rowgroup"></tbody></table>\n')
    parts.append('<div class="actions">'
                 '<a id="download-response" class="primary" href="#" download="antwoorden.json" '
                 'aria-describedby="download-note">'
                 f'{t("Antwoorden downloaden (FHIR)", "Download answers (FHIR)")}</a>'
                 f'<button type="button" id="print-report">{t("Rapport afdrukken", "Print report")}</button>'
                 f'<button type="button" id="reset-form">{t("Alles wissen", "Clear all")}</button></div>\n'
                 # The browser writes the file, not review: its mode is the browser's (0644 with Chromium on
                 # Linux), so the 0600 of fill and score does not hold. Said where the expert downloads, not only
                 # in docs/instrument.md.
                 f'<p class="note screen-only" id="download-note">{t(*DOWNLOAD_NOTE)}</p>\n'
                 "</section>\n")
    shown_sources = cited_sources(bank, bank.items)  # the studies the profile names, as the printed questionnaire
    if shown_sources:
        parts.append(f'<section id="sources">\n<h2>{t("Bronnen", "Sources")}</h2>\n<ul>\n'
                     + "".join(f"<li>{html_text(source_line(s, t))}</li>\n" for s in shown_sources)
                     + "</ul>\n</section>\n")
    return "".join(parts)
