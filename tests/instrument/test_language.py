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
from pathlib import Path

import pytest

from review.instrument import render
from review.instrument.build import build_item_bank
from review.instrument.config import load_config
from review.instrument.evidence import load_evidence, snapshot_of
from review.instrument.form import form_data, form_html
from review.instrument.itembank import load_templates
from review.instrument.scoring import score

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
_SKIP = re.compile(r"`[^`]*`|https?://\S+|doi:\S+|urn:\S+|\b\d{4}-\d{2}-\d{2}\+\S+")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+(?:\([^\W\d_]+\))?", _SKIP.sub(" ", text)))


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)  # code = backticks
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict[str, str]]:
    synthesis = ROOT / "extraction" / "synthesis.csv"
    evidence = load_evidence(synthesis)
    config = load_config(ROOT / "instrument" / "scoring.toml")
    from review.instrument.project import extraction_studies, study_evidence, study_sources

    studies = extraction_studies(ROOT / "extraction")
    effects, expert = study_evidence(studies)
    bank = build_item_bank(evidence, load_templates(ROOT / "instrument" / "questions.toml"), config,
                           snapshot_of(synthesis, len(evidence)), effects=effects, expert=expert,
                           sources=study_sources(studies))
    assert bank.sources  # the citations are in the outputs, and are left out of the scan below
    rng = random.Random(5)
    full = {q.link_id: rng.choice([o.code for o in q.options]) for q in bank.questions}
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
