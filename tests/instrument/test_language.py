"""No English in the Dutch exports, no Dutch in the English ones, and the glossary's terms hold.

Scans what a reader sees of the programme's instrument: the questionnaire, the conversation
guide, the browser form (visible text and the texts its script shows) and client reports for an
empty and a full answer set, in both languages. Code in backticks, URLs and DOIs are skipped.
"""

from __future__ import annotations

import html
import random
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from review.instrument import render
from review.instrument.config import InstrumentConfig
from review.instrument.form import form_data, form_html
from review.instrument.itembank import ItemBank
from review.instrument.scoring import score

from .programme_bank import programme_bank_with_sources

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "instrument" / "glossary.toml"
#: Words that only English uses (case-sensitive; "OR" as a measure is fine).
ENGLISH = {"the", "and", "with", "not", "evidence", "study", "risk", "weight", "present",
           "absent", "signal", "protective", "some", "level", "yes", "no", "unanswered", "question",
           "answer", "personal", "social", "work", "health", "direction", "weighed", "pooled", "none",
           "certainty", "client", "supervisor", "caution", "if", "only", "from", "are",
           "low", "very", "high", "moderate", "strong", "limited", "unknown", "factor(s)"}
#: Words that only Dutch uses.
DUTCH = {"de", "het", "een", "van", "en", "niet", "bewijs", "vraag", "cliënt", "werkende", "signaal",
         "aanwezig", "ja", "nee", "zeer", "laag", "hoog", "redelijk", "indicatief", "gewicht",
         "beschermend", "beschermende", "risicofactor", "risicofactoren", "werk", "bij", "geen", "weegt",
         "mee", "voor", "zijn", "wordt", "leidinggevende", "verzuim", "klachten", "ook", "op", "te"}
#: A question that is in no version of the bank: the report lists its answer as not counted.
UNKNOWN_LINK_ID = "zz-not-in-this-version"
_SKIP = re.compile(r"`[^`]*`|https?://\S+|doi:\S+|urn:\S+|\b\d{4}-\d{2}-\d{2}\+\S+")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+(?:\([^\W\d_]+\))?", _SKIP.sub(" ", text)))


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)  # code = backticks
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def programme() -> tuple[ItemBank, InstrumentConfig]:
    """The programme's item bank (with its studies' effects and sources) and scoring rules."""
    return programme_bank_with_sources()


@pytest.fixture(scope="module")
def outputs(programme: tuple[ItemBank, InstrumentConfig]) -> dict[str, dict[str, str]]:
    bank, config = programme
    assert bank.sources  # the citations are in the outputs, and are left out of the scan below
    rng = random.Random(5)
    full = {q.link_id: rng.choice([o.code for o in q.options]) for q in bank.questions}
    full[UNKNOWN_LINK_ID] = "yes"  # an answer from another version of the questionnaire is listed too
    out: dict[str, dict[str, str]] = {}
    from review.instrument.project import render_export

    for lang in ("nl", "en"):
        data = form_data(bank, config, lang)
        out[lang] = {
            "questionnaire-html": _visible(render_export(bank, "html", lang)),
            "guide-html": _visible(render_export(bank, "guide-html", lang)),
            "questionnaire": render.questionnaire_markdown(bank, lang),
            "guide": render.guide_markdown(bank, lang),
            "form": _visible(form_html(bank, config, lang)),
            "form-script-texts": " ".join(list(data["strings"].values()) + list(data["indications"].values())),
            "report-empty": render.report_markdown(bank, score(bank, {}, config), {}, lang=lang),
            "report-full": render.report_markdown(bank, score(bank, full, config), full, lang=lang),
        }
    # A citation is in the language it was published in (the titles are English).
    for texts in out.values():
        for name, text in texts.items():
            for source in bank.sources:
                text = text.replace(source.citation, " ")
            texts[name] = text
    return out


def test_dutch_exports_have_no_english(outputs):
    found = {name: sorted(_words(text) & ENGLISH) for name, text in outputs["nl"].items()}
    assert not any(found.values()), found


def test_english_exports_have_no_dutch(outputs):
    found = {name: sorted(_words(text) & DUTCH) for name, text in outputs["en"].items()}
    assert not any(found.values()), found


def test_glossary_terms_hold_in_dutch_exports(outputs):
    terms = tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))["term"]
    assert all(t["nl"] and t["en"] and t["meaning"] for t in terms)
    text = "\n".join(outputs["nl"].values()).lower()
    used = [(t["nl"], bad) for t in terms for bad in t.get("avoid", []) if bad.lower() in text]
    assert not used, used


def test_english_exports_avoid_calques_of_dutch(outputs):
    avoid = tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))["english"]["avoid"]
    text = " ".join(" ".join(outputs["en"].values()).lower().split())
    assert not [bad for bad in avoid if bad.lower() in text]


class _LanguageRuns(HTMLParser):
    """A page's visible text, split into what is inside an element with lang="en" and what is not."""

    VOID = {"meta", "input", "br", "img", "hr", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, inside English)
        self.english: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        inside = bool(self.stack and self.stack[-1][1])
        lang = dict(attrs).get("lang")
        self.stack.append((tag, lang == "en" if lang is not None and tag != "html" else inside))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in ("script", "style", "title", "code"):  # code: ids and paths
            return
        (self.english if self.stack and self.stack[-1][1] else self.other).append(data)


def _runs(page: str) -> tuple[str, list[str]]:
    parser = _LanguageRuns()
    parser.feed(page)
    return " ".join(" ".join(parser.other).split()), [" ".join(r.split()) for r in parser.english if r.strip()]


def _dutch_pages(bank: Any, config: Any) -> dict[str, str]:
    from review.instrument.project import ScoredResponse, render_export, report_text

    rng = random.Random(5)
    full = {q.link_id: rng.choice([o.code for o in q.options if o.code != "unknown"]) for q in bank.questions}
    full[UNKNOWN_LINK_ID] = "yes"
    report = report_text(bank, ScoredResponse(full, score(bank, full, config), []), "html", "nl")
    return {"questionnaire.html": render_export(bank, "html", "nl"), "guide.html": render_export(bank, "guide-html", "nl"),
            "form.html": render_export(bank, "form", "nl", config), "report.html": report}


def test_every_english_run_on_a_dutch_page_is_marked_lang_en(programme):
    # Screen readers read the citations' English titles with Dutch pronunciation: they carry lang="en".
    bank, config = programme
    cited = [" ".join(s.citation.split()) for s in bank.sources]
    rate_sources = [rate.source for rate in config.base_rates]
    assert cited and rate_sources
    for name, page in _dutch_pages(bank, config).items():
        assert '<html lang="nl">' in page, name
        dutch, english = _runs(page)
        assert not sorted(_words(dutch) & ENGLISH), (name, sorted(_words(dutch) & ENGLISH))
        assert not [c for c in cited + rate_sources if c in dutch], name  # no citation outside lang="en"
        marked = " | ".join(english)
        assert marked, name
        if name != "report.html":  # the report lists the sources of the factors present only
            # the form and the questionnaire those their questions name, not the expert topics' (the guide's)
            named = {study for i in bank.items for study in i.studies} if name != "guide.html" else None
            assert all(" ".join(s.citation.split()) in marked for s in bank.sources
                       if named is None or s.study in named), name
        if name in ("form.html", "report.html"):  # the published base rates' sources
            assert all(r in marked for r in rate_sources), name
        # and nothing Dutch is marked English ('van', 'de' in authors' names: van der Klink, de Boer)
        assert not [run for run in english if _words(run) & (DUTCH - {"van", "de"})], (name, english)


def test_an_english_wording_shown_for_want_of_a_dutch_one_is_marked_lang_en():
    from review.instrument import render

    effect = {"label": "Mattila-Holappa 2017", "measure": "HR", "estimate": 1.29, "ci_low": 1.09, "ci_high": 1.52,
              "contrast": "age >50 vs 21-34 years", "outcome": "sustainable return to work", "subgroup": "nurses"}
    page = render.to_html(f"- {render.effect_text(render.T('nl'), effect)}", "Profiel", "nl")
    assert ('<li><span lang="en">age &gt;50 vs 21-34 years</span>: HR 1,29 (1,09–1,52) voor een andere uitkomst '
            '(<span lang="en">sustainable return to work</span>), Mattila-Holappa 2017 '
            '(<span lang="en">nurses</span>)</li>') in page
    # The Markdown (and the English page) carries no marks
    from review.instrument.english_runs import plain_text

    plain = plain_text(render.effect_text(render.T("nl"), effect))
    assert plain.startswith("age >50 vs 21-34 years: HR 1,29") and plain.isprintable()
    english = render.to_html(f"- {render.effect_text(render.T('en'), effect)}", "Profile", "en")
    assert "<span" not in english


def test_dutch_numbers_take_a_decimal_comma_and_percentages_a_space(bank, config):
    # As a Dutch labour expert reads them: '79,5 %' (it read '79.5 %'), 'vanaf 50 % van' (it read '50%', where
    # every other percentage has its space), a weight '1,5' (it read '1,50' where the English reads '1.5').
    from dataclasses import replace

    from review.instrument import render

    t = render.T("nl")
    item = bank.items[0]
    item.expert = [{"study": "norder2012", "label": "Norder 2012", "percent_agree": 79.5, "consensus": True}]
    assert "79,5 % van de experts eens, Norder 2012" in render.expert_text(t, item)
    assert render._expert_line(t, item.expert) == "79,5 % van de experts eens (Norder 2012)"
    profile = score(bank, {}, replace(config, many_signals_share=0.5))
    scored = score(bank, {q.link_id: q.options[0].code for q in bank.questions}, replace(config, many_signals_share=0.5))
    weights = [line for line in scored.uncertainty_nl + profile.uncertainty_nl if "veel risicofactoren" in line]
    assert weights and all("(vanaf 50 % van" in line for line in weights), weights
    weighed = bank.scored_items[0]
    weighed.weight = 1.5
    summary = render.bank_summary_markdown(bank, "nl")
    assert f"| {weighed.label_nl} |" in summary and "| 1,5 |" in summary and "1,50" not in summary


def test_english_texts_say_client_and_space_their_percentages(bank, config):
    # The guide's English said 'Ask the worker' where the Dutch and every other English text say client; the
    # weights line read 'from 50% of' where the base rates read '19 %'.
    from dataclasses import replace

    from review.instrument import render

    bank.items[0].ask_en = "How are things at work now?"
    guide = render.guide_markdown(bank, "en")
    assert "**Ask the client**" in guide and "ask the worker" not in guide.lower()
    scored = score(bank, {q.link_id: q.options[0].code for q in bank.questions}, replace(config, many_signals_share=0.5))
    weights = [line for line in scored.uncertainty_en if "many risk factors" in line]
    assert weights and all("(from 50 % of" in line for line in weights), weights


def test_dutch_texts_keep_to_one_word_per_thing(bank, config):
    # The guide asked 'de werkende' what every other text calls 'de cliënt'; the bank summary named the factors
    # without a question by their ids; 'genegeerd' where the form and the answers table say 'telt niet mee';
    # '0 signalen aanwezig'.
    from review.instrument import render

    bank.items[0].ask_nl = "Hoe gaat het nu op het werk?"
    guide = render.guide_markdown(bank, "nl")
    assert "werkende" not in guide and "**Vraag aan de cliënt**" in guide
    summary = render.bank_summary_markdown(bank, "nl")
    assert "Geen vraag opgesteld: Vrouw, Neuroticisme" in summary and "`neuroticism`" not in summary
    assert "`neuroticism`" in render.bank_summary_markdown(bank, "en")  # the English keeps the ids
    answers = {"has_supervisor": "no", "conflict": "yes"}
    report = render.report_markdown(bank, score(bank, answers, config), answers, lang="nl")
    assert "genegeerd" not in report and "het antwoord telt niet mee" in report
    nothing = render.report_markdown(bank, score(bank, {}, config), {}, lang="nl")
    assert " 0 signalen" not in nothing and "Geen signalen aanwezig" in nothing


def test_a_stray_english_mark_in_a_source_text_closes_no_element(programme):
    # The marks are private-use characters swapped for <span lang="en"> … </span>: a stray U+E001 in a study's
    # contrast or a citation emitted an extra </span>, which closed the form's <span class="evidence"> early.
    import copy
    from dataclasses import replace

    from review.instrument.english_runs import ENGLISH_CLOSE, ENGLISH_OPEN, html_text
    from review.instrument.project import ScoredResponse, render_export, report_text

    bank, config = copy.deepcopy(programme)
    bank.sources[0] = replace(bank.sources[0], citation=f"Stray{ENGLISH_CLOSE} close. {bank.sources[0].citation}")
    bank.sources[1] = replace(bank.sources[1], citation=f"{ENGLISH_OPEN}Stray open. {bank.sources[1].citation}")
    with_effects = [i for i in bank.items if i.effects]
    for item in with_effects[:3]:
        item.effects[0]["contrast"] = f"high{ENGLISH_CLOSE} vs low"
        item.effects[0]["contrast_nl"] = ""  # shown as extracted, marked English
    with_effects[3].effects[0]["contrast_nl"] = f"hoog{ENGLISH_CLOSE} vs laag"  # Dutch, unmarked
    full = {q.link_id: q.options[0].code for q in bank.questions}
    for lang in ("nl", "en"):
        pages = {"form": render_export(bank, "form", lang, config), "questionnaire": render_export(bank, "html", lang),
                 "guide": render_export(bank, "guide-html", lang),
                 "report": report_text(bank, ScoredResponse(full, score(bank, full, config), []), "html", lang)}
        for name, page in pages.items():
            assert "Stray close" in page or name == "report", (lang, name)  # the report cites the factors present
            assert ENGLISH_OPEN not in page and ENGLISH_CLOSE not in page, (lang, name)
            parser = _SpanBalance()
            parser.feed(page)
            assert parser.depth == 0 and parser.lowest == 0, (lang, name, parser.depth, parser.lowest)
    assert html_text(f"a{ENGLISH_CLOSE}b") == "ab"
    assert html_text(render.T("nl").english(f"x{ENGLISH_CLOSE}<y>")) == '<span lang="en">x&lt;y&gt;</span>'


class _SpanBalance(HTMLParser):
    """How deep the page's <span> elements nest as it is read: never below 0 (an extra </span>), 0 at the end."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.lowest = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "span"

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "span"
        self.lowest = min(self.lowest, self.depth)
