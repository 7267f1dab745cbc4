"""Box labels of the PRISMA 2020 flow diagram in English and Dutch."""

from __future__ import annotations

from ..errors import ValidationError

LANGUAGES: tuple[str, ...] = ("en", "nl")

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "identification": "Identification",
        "screening": "Screening",
        "included": "Included",
        "prevstud": "Previous studies",
        "newstud": "Identification of new studies via databases and registers",
        "othstud": "Identification of new studies via other methods",
        "previous_studies": "Studies included in previous version of review",
        "previous_reports": "Reports of studies included in previous version of review",
        "identified_from": "Records identified from:",
        "database_results": "Databases",
        "register_results": "Registers",
        "website_results": "Websites",
        "organisation_results": "Organisations",
        "citations_results": "Citation searching",
        "removed_before": "Records removed before screening:",
        "duplicates": "Duplicate records removed",
        "duplicates_short": "Duplicate records",
        "excluded_short": "Reports excluded",
        "excluded_automatic": "Records marked as ineligible by automation tools",
        "excluded_other": "Records removed for other reasons",
        "records_screened": "Records screened",
        "records_excluded": "Records excluded",
        "sought_reports": "Reports sought for retrieval",
        "notretrieved_reports": "Reports not retrieved",
        "assessed": "Reports assessed for eligibility",
        "excluded": "Reports excluded:",
        "new_studies": "New studies included in review",
        "new_reports": "Reports of new included studies",
        "studies_included": "Studies included in review",
        "reports_included": "Reports of included studies",
        "total_studies": "Total studies included in review",
        "total_reports": "Reports of total included studies",
        "none": "none",
        "incomplete": "Counts incomplete",
        "not_same_records": "equal counts, not the same records",
        "column_databases_registers": "databases and registers",
        "column_other_methods": "other methods",
        # Why counts are incomplete (a broken identity), in the red footnote: the formula, then what stands
        # behind the break, one phrase per kind with the singular and the plural ({n}: the number).
        "formula_screened": "identified − duplicates − excluded by automation − other removals = screened",
        "formula_sought": "screened − excluded = sought",
        "formula_other_sought": "identified − duplicates = sought",
        "formula_assessed": "sought − not retrieved = assessed",
        "formula_included": "assessed − excluded = included",
        "part_pending_screening_one": "{n} record not screened and not covered by a screening stop",
        "part_pending_screening_many": "{n} records not screened and not covered by a screening stop",
        "part_pending_fulltext_one": "{n} record passed title/abstract screening but no full text was sought",
        "part_pending_fulltext_many": "{n} records passed title/abstract screening but no full text was sought",
        "part_sought_without_screening_one": "{n} report was sought without passing title/abstract screening",
        "part_sought_without_screening_many": "{n} reports were sought without passing title/abstract screening",
        "part_pending_other_sought_one": "{n} record from other methods has no full text sought yet",
        "part_pending_other_sought_many": "{n} records from other methods have no full text sought yet",
        "part_pending_assessment_one": "{n} report sought but not yet retrieved or assessed",
        "part_pending_assessment_many": "{n} reports sought but not yet retrieved or assessed",
        "part_conflicts_one": "{n} report has conflicting eligibility decisions",
        "part_conflicts_many": "{n} reports have conflicting eligibility decisions",
        # Only pending work behind a break (``IdentityCheck.in_progress``): the status word, and the pending
        # records in the words of work still to do (other pending parts keep their ``part_`` words).
        "in_progress": "In progress",
        "progress_pending_screening_one": "{n} record not screened yet",
        "progress_pending_screening_many": "{n} records not screened yet",
        "progress_conflicts_one": "{n} report awaits a consensus on its eligibility (the reviewers disagree)",
        "progress_conflicts_many": "{n} reports await a consensus on their eligibility (the reviewers disagree)",
        # PRISMA 2020 flow diagram template footnotes (Page et al. 2021).
        "footnote_identified": "*Consider, if feasible to do so, reporting the number of records identified from "
                               "each database or register searched (rather than the total number across all "
                               "databases/registers).",
        "footnote_excluded": "**If automation tools were used, indicate how many records were excluded by a human "
                             "and how many were excluded by automation tools.",
        "footnote_exclusion_counts": "Records excluded by human reviewers: {human}. Records marked as ineligible by "
                                     "automation tools: {automatic}.",
        "footnote_automation": "Automation: title/abstract screening ranked records by active learning and stopped "
                               "by {rule} ({explanation}); the {automatic} records left unscreened at the "
                               "stop are counted as marked ineligible by automation tools.",
        # The rule a stop credits, from its recorded verdict: a random sample's guarantee and the recommended rule's
        # estimate are different claims, which the methods must tell apart (walk31).
        "rule_any": "a stopping rule",
        "rule_certified": "the certified stopping rule",
        "rule_certified_claim": "the certified stopping rule (a random sample of {sample} records tested recall of "
                                "at least {target} at {confidence} confidence)",
        "rule_recommended": "the recommended stopping rule",
        "rule_recommended_claim": "the recommended stopping rule (recall of at least {target} estimated from the "
                                  "ranking's trend and classifier scores, not from a random sample)",
        # Where the verdict says which estimate stopped it (estimate_from): the trend alone below 114 found.
        "rule_recommended_claim_trend": "the recommended stopping rule (recall of at least {target} estimated from the "
                                        "ranking's trend, not from a random sample)",
        "rule_recommended_claim_classifier": "the recommended stopping rule (recall of at least {target} estimated "
                                             "from the classifier's scores, not from a random sample)",
        "footnote_reviewers_stop": "Automation: title/abstract screening ranked records by active learning; the "
                                   "reviewers stopped screening without a stopping rule's verdict to stop "
                                   "({explanation}); the {automatic} records left unscreened at the stop are counted "
                                   "as marked ineligible by automation tools.",
        "footnote_no_automation": "No automation tool excluded records: every record counted as screened was "
                                  "screened by a reviewer.",
        "footnote_stop_after_all": "Automation: title/abstract screening ranked records by active learning; the stop "
                                   "({explanation}) came after every record had been screened by a reviewer, so no "
                                   "record was marked ineligible by automation tools.",
        "footnote_stop_then_screened": "Automation: title/abstract screening ranked records by active learning; "
                                       "none of the records left unscreened at the stop ({explanation}; {left}) is "
                                       "still unscreened (a reviewer screened it afterwards, or it was removed "
                                       "before screening), so no record was marked ineligible by automation tools.",
        "footnote_stop_rest_partly_gone_one": "Of the {left} left unscreened at the stop, {gone} no longer "
                                              "unscreened (screened by a reviewer afterwards, or removed before "
                                              "screening) is not counted there.",
        "footnote_stop_rest_partly_gone_many": "Of the {left} left unscreened at the stop, {gone} no longer "
                                               "unscreened (screened by a reviewer afterwards, or removed before "
                                               "screening) are not counted there.",
        "footnote_other_duplicates": "Other methods: duplicate records removed (n = {n}); they were not sought for "
                                     "retrieval.",
        "footnote_source": "From: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated "
                           "guideline for reporting systematic reviews. BMJ 2021;372:n71. doi: 10.1136/bmj.n71",
    },
    "nl": {
        "identification": "Identificatie",
        "screening": "Screening",
        "included": "Inclusie",
        "prevstud": "Eerdere studies",
        "newstud": "Identificatie van nieuwe studies via databases en registers",
        "othstud": "Identificatie van nieuwe studies via andere methoden",
        "previous_studies": "Studies opgenomen in de vorige versie van de review",
        "previous_reports": "Rapporten van studies in de vorige versie van de review",
        "identified_from": "Records geïdentificeerd uit:",
        "database_results": "Databases",
        "register_results": "Registers",
        "website_results": "Websites",
        "organisation_results": "Organisaties",
        "citations_results": "Zoeken via citaties",
        "removed_before": "Records verwijderd vóór de screening:",
        "duplicates": "Dubbele records verwijderd",
        "duplicates_short": "Dubbele records",
        "excluded_short": "Rapporten uitgesloten",
        "excluded_automatic": "Records door automatiseringstools als ongeschikt gemarkeerd",
        "excluded_other": "Records om andere redenen verwijderd",
        "records_screened": "Gescreende records",
        "records_excluded": "Uitgesloten records",
        "sought_reports": "Rapporten opgevraagd",
        "notretrieved_reports": "Rapporten niet verkregen",
        "assessed": "Rapporten beoordeeld op geschiktheid",
        "excluded": "Rapporten uitgesloten:",
        "new_studies": "Nieuwe studies opgenomen in de review",
        "new_reports": "Rapporten van nieuwe opgenomen studies",
        "studies_included": "Studies opgenomen in de review",
        "reports_included": "Rapporten van opgenomen studies",
        "total_studies": "Totaal aantal studies opgenomen in de review",
        "total_reports": "Rapporten van alle opgenomen studies",
        "none": "geen",
        "incomplete": "Telling onvolledig",
        "not_same_records": "gelijke aantallen, niet dezelfde records",
        "column_databases_registers": "databases en registers",
        "column_other_methods": "andere methoden",
        "formula_screened": "geïdentificeerd − dubbel − door automatisering uitgesloten − overige verwijderd = "
                            "gescreend",
        "formula_sought": "gescreend − uitgesloten = opgevraagd",
        "formula_other_sought": "geïdentificeerd − dubbel = opgevraagd",
        "formula_assessed": "opgevraagd − niet verkregen = beoordeeld",
        "formula_included": "beoordeeld − uitgesloten = opgenomen",
        "part_pending_screening_one": "{n} record niet gescreend en niet gedekt door een screeningsstop",
        "part_pending_screening_many": "{n} records niet gescreend en niet gedekt door een screeningsstop",
        "part_pending_fulltext_one": "{n} record door de titel/abstract-screening maar geen volledige tekst opgevraagd",
        "part_pending_fulltext_many": "{n} records door de titel/abstract-screening maar geen volledige tekst "
                                      "opgevraagd",
        "part_sought_without_screening_one": "{n} rapport opgevraagd zonder de screening te passeren",
        "part_sought_without_screening_many": "{n} rapporten opgevraagd zonder de screening te passeren",
        "part_pending_other_sought_one": "{n} record uit andere methoden nog zonder opgevraagde volledige tekst",
        "part_pending_other_sought_many": "{n} records uit andere methoden nog zonder opgevraagde volledige tekst",
        "part_pending_assessment_one": "{n} rapport opgevraagd maar nog niet verkregen of beoordeeld",
        "part_pending_assessment_many": "{n} rapporten opgevraagd maar nog niet verkregen of beoordeeld",
        "part_conflicts_one": "{n} rapport met tegenstrijdige beoordelingen van geschiktheid",
        "part_conflicts_many": "{n} rapporten met tegenstrijdige beoordelingen van geschiktheid",
        "in_progress": "Bezig",
        "progress_pending_screening_one": "{n} record nog niet gescreend",
        "progress_pending_screening_many": "{n} records nog niet gescreend",
        "progress_conflicts_one": "{n} rapport wacht op consensus over de geschiktheid (de beoordelaars verschillen)",
        "progress_conflicts_many": "{n} rapporten wachten op consensus over de geschiktheid (de beoordelaars "
                                   "verschillen)",
        "footnote_identified": "*Vermeld waar mogelijk het aantal records per doorzochte database of register (in "
                               "plaats van het totaal over alle databases/registers).",
        "footnote_excluded": "**Als automatiseringstools zijn gebruikt: vermeld hoeveel records door een mens en "
                             "hoeveel door automatiseringstools zijn uitgesloten.",
        "footnote_exclusion_counts": "Door beoordelaars uitgesloten records: {human}. Door automatiseringstools als "
                                     "ongeschikt gemarkeerde records: {automatic}.",
        "footnote_automation": "Automatisering: de screening op titel/abstract ordende records met active learning "
                               "en stopte volgens {rule} ({explanation}); de {automatic} records die bij de "
                               "stop niet gescreend waren, tellen als door automatiseringstools als ongeschikt "
                               "gemarkeerd.",
        "rule_any": "een stopregel",
        "rule_certified": "de gecertificeerde stopregel",
        "rule_certified_claim": "de gecertificeerde stopregel (een aselecte steekproef van {sample} records toetste "
                                "een recall van ten minste {target} met {confidence} betrouwbaarheid)",
        "rule_recommended": "de aanbevolen stopregel",
        "rule_recommended_claim": "de aanbevolen stopregel (een recall van ten minste {target} geschat uit het "
                                  "verloop van de rangschikking en de scores van de classifier, niet uit een "
                                  "aselecte steekproef)",
        "rule_recommended_claim_trend": "de aanbevolen stopregel (een recall van ten minste {target} geschat uit het "
                                        "verloop van de rangschikking, niet uit een aselecte steekproef)",
        "rule_recommended_claim_classifier": "de aanbevolen stopregel (een recall van ten minste {target} geschat uit "
                                             "de scores van de classifier, niet uit een aselecte steekproef)",
        "footnote_reviewers_stop": "Automatisering: de screening op titel/abstract ordende records met active "
                                   "learning; de beoordelaars stopten zonder dat een stopregel tot stoppen besloot "
                                   "({explanation}); de {automatic} records die bij de stop niet gescreend waren, "
                                   "tellen als door automatiseringstools als ongeschikt gemarkeerd.",
        "footnote_no_automation": "Geen automatiseringstool heeft records uitgesloten: elk gescreend record is door "
                                  "een beoordelaar gescreend.",
        "footnote_stop_after_all": "Automatisering: de screening op titel/abstract ordende records met active "
                                   "learning; de stop ({explanation}) kwam nadat elk record door een beoordelaar was "
                                   "gescreend, dus geen record is door automatiseringstools als ongeschikt "
                                   "gemarkeerd.",
        "footnote_stop_then_screened": "Automatisering: de screening op titel/abstract ordende records met active "
                                       "learning; geen van de records die bij de stop ({explanation}; {left}) niet "
                                       "gescreend waren, is nog ongescreend (daarna door een beoordelaar gescreend, "
                                       "of vóór de screening verwijderd), dus geen record is door "
                                       "automatiseringstools als ongeschikt gemarkeerd.",
        "footnote_stop_rest_partly_gone_one": "Van de {left} die bij de stop niet gescreend waren, is {gone} "
                                              "niet meer ongescreend (daarna door een beoordelaar gescreend, of vóór "
                                              "de screening verwijderd) en daar niet meegeteld.",
        "footnote_stop_rest_partly_gone_many": "Van de {left} die bij de stop niet gescreend waren, zijn {gone} "
                                               "niet meer ongescreend (daarna door een beoordelaar gescreend, of vóór "
                                               "de screening verwijderd) en daar niet meegeteld.",
        "footnote_other_duplicates": "Andere methoden: dubbele records verwijderd (n = {n}); deze zijn niet "
                                     "opgevraagd.",
        "footnote_source": "Naar: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated "
                           "guideline for reporting systematic reviews. BMJ 2021;372:n71. doi: 10.1136/bmj.n71",
    },
}


#: Dutch names of the default full-text exclusion reasons ([fulltext] reasons); review.toml
#: ``[prisma.translations.nl]`` adds or overrides entries ("Reason" = "Reden").
DEFAULT_REASON_TRANSLATIONS: dict[str, dict[str, str]] = {
    "nl": {
        "Wrong population": "Verkeerde populatie",
        "Wrong outcome": "Verkeerde uitkomstmaat",
        "Wrong intervention or exposure": "Verkeerde interventie of blootstelling",
        "No prognostic factor analysed": "Geen prognostische factor geanalyseerd",
        "Wrong study design": "Verkeerde onderzoeksopzet",
        "Wrong publication type": "Verkeerd publicatietype",
        "Language": "Taal",
        "Unspecified": "Niet gespecificeerd",
        "Notice or comment linked to another record": "Erratum, terugtrekking of reactie gekoppeld aan een ander record",
    },
}


def reason_text(reason: str, lang: str, translations: dict[str, dict[str, str]] | None = None) -> str:
    """An exclusion reason in ``lang``: the configured translation, the built-in one, or as entered."""
    custom = (translations or {}).get(lang, {})
    if reason in custom:
        return custom[reason]
    by_lower = {k.lower(): v for k, v in custom.items()}
    if reason.lower() in by_lower:
        return by_lower[reason.lower()]
    return DEFAULT_REASON_TRANSLATIONS.get(lang, {}).get(reason, reason)


def labels(lang: str) -> dict[str, str]:
    """The label table for ``lang`` (``en`` or ``nl``)."""
    if lang not in _LABELS:
        raise ValidationError(f"--lang {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return _LABELS[lang]


def format_n(n: int, lang: str) -> str:
    """A count with the language's thousands separator (1,234 / 1.234)."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "nl" else text


def n_text(n: int, lang: str) -> str:
    """``(n = 1,234)`` as printed in the boxes."""
    return f"(n = {format_n(n, lang)})"
