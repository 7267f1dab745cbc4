"""The browser form in headless Chromium: its profile equals `review instrument score`.

One page load per item bank; many random answer sets are entered through the page's own radio
inputs, and for each the page's ``#profile`` statuses, its indication and the downloaded
QuestionnaireResponse (scored again by the CLI code) are compared with
:func:`review.instrument.scoring.score`. Needs Debian's chromium and the ``playwright`` package;
skipped without them, a failure under CI=true (``.ci/run`` installs chromium).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
import urllib.parse
from pathlib import Path

import pytest

from review.instrument import fhir
from review.instrument.build import build_item_bank
from review.instrument.config import load_config
from review.instrument.evidence import load_evidence, snapshot_of
from review.instrument.form import form_html
from review.instrument.itembank import UNKNOWN_CODE, ItemBank, load_templates
from review.instrument.render import MONTHS_EN, report_markdown
from review.instrument.scoring import INDICATIONS, UNANSWERED_NL, profile_json, question_progress, score

from .programme_bank import programme_bank_with_sources

CHROMIUM = os.environ.get("REVIEW_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
#: Random answer sets per bank (fixed seed); the report quotes the total.
N_SETS = 400


def _missing(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def driver():
    """Playwright, for the browser below and for a test that needs a browser profile on disk."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _missing(f"{CHROMIUM} missing (apt-get install -y chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(driver):
    browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield browser
    browser.close()


def _programme_bank() -> ItemBank:
    synthesis = ROOT / "extraction" / "synthesis.csv"
    evidence = load_evidence(synthesis)
    return build_item_bank(evidence, load_templates(ROOT / "instrument" / "questions.toml"),
                           load_config(ROOT / "instrument" / "scoring.toml"), snapshot_of(synthesis, len(evidence)))


def _random_answers(bank: ItemBank, rng: random.Random) -> dict[str, str]:
    answers: dict[str, str] = {}
    for q in bank.questions:
        roll = rng.random()
        if roll < 0.2:
            continue  # left open
        codes = [o.code for o in q.options]
        answers[q.link_id] = UNKNOWN_CODE if roll < 0.3 else rng.choice(codes)
    return answers


# Enters each answer set through the radio inputs (click fires the page's change handler) and
# reads back what the page shows.
_DRIVE = """
(sets) => {
  const form = document.getElementById("instrument-form");
  return sets.map((answers) => {
    form.reset();
    form.dispatchEvent(new Event("change"));
    for (const [linkId, code] of answers) {
      document.querySelector(`input[name="${CSS.escape(linkId)}"][value="${CSS.escape(code)}"]`).click();
    }
    const factors = Array.from(document.querySelectorAll("#profile [data-factor-id]")).map((el) => ({
      factor_id: el.dataset.factorId, side: el.dataset.side, status: el.dataset.status,
      applicable: el.dataset.applicable === "true"}));
    return {factors, indication: document.getElementById("indication").textContent,
            open: document.getElementById("unanswered-count").textContent,
            progress: document.getElementById("progress-text").textContent,
            href: document.getElementById("download-response").getAttribute("href"),
            ignored: document.querySelectorAll("#notes .ignored").length,
            leads: Array.from(document.querySelectorAll("#leads li")).map((li) => li.textContent)};
  });
}
"""


def _report_leads(bank: ItemBank, profile, answers: dict[str, str]) -> list[str]:
    """The client report's leads for advice as plain text, one a lead (or its 'none found' line)."""
    md = report_markdown(bank, profile, answers)
    section = md[md.index("## Aanknopingspunten voor advies"):].split("\n## ")[0].splitlines()[1:]
    text = [line for line in section if line.strip()][1:]  # past the basis sentence
    return [line.removeprefix("- ").replace("**", "") for line in text]


def _compare_over_random_sets(browser, tmp_path: Path, bank: ItemBank, config, seed: int) -> int:
    page_file = tmp_path / "form.html"
    page_file.write_text(form_html(bank, config), encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda req: errors.append(f"request {req.url}") if not req.url.startswith(("file:", "data:")) else None)
    page.goto(page_file.as_uri())
    rng = random.Random(seed)
    sets = [_random_answers(bank, rng) for _ in range(N_SETS)]
    # Gates are clicked before the questions they gate, as a user would.
    order = {q.link_id: n for n, q in enumerate(bank.questions)}
    shown = page.evaluate(_DRIVE, [sorted(a.items(), key=lambda kv: order[kv[0]]) for a in sets])
    page.close()
    assert not errors, errors
    identical = 0
    for answers, seen in zip(sets, shown):
        expected = profile_json(score(bank, answers, config))
        want = [{k: f[k] for k in ("factor_id", "side", "status", "applicable")} for f in expected["factors"]]
        assert sorted(seen["factors"], key=lambda f: f["factor_id"]) == sorted(want, key=lambda f: f["factor_id"]), answers
        assert seen["indication"] == INDICATIONS[expected["indication"]][0]
        n_open = sum(1 for f in expected["factors"] if f["status"] == "unanswered" and f["applicable"])
        assert seen["open"] == (UNANSWERED_NL[n_open != 1].format(n=n_open) if n_open else "")
        assert seen["ignored"] == len(expected["ignored_answers"])
        # The bar counts as the fill mode's status line: a question waiting for its gate is still to do.
        assert seen["progress"] == question_progress(bank, answers).line("nl"), answers
        # The leads in the client report's words (they differed: '(bron: reviewteam)' against '(voorstel van het
        # reviewteam)').
        assert seen["leads"] == _report_leads(bank, score(bank, answers, config), answers), answers
        # The downloaded response, scored by the CLI's reader, gives the same profile.
        text = urllib.parse.unquote(seen["href"].split(",", 1)[1])
        read, _notes = fhir.read_response(text, bank)
        again = profile_json(score(bank, read, config))
        assert [f["status"] for f in again["factors"]] == [f["status"] for f in expected["factors"]]
        identical += 1
    return identical


def test_browser_profile_equals_cli_scoring_on_random_answers(browser, tmp_path, bank, config):
    identical = _compare_over_random_sets(browser, tmp_path, bank, config, seed=17)
    programme = _programme_bank()
    identical += _compare_over_random_sets(browser, tmp_path, programme,
                                           load_config(ROOT / "instrument" / "scoring.toml"), seed=1717)
    print(f"identical profiles browser vs CLI: {identical} of {2 * N_SETS} random answer sets")
    assert identical == 2 * N_SETS


def test_keyboard_download_and_no_external_assets(browser, tmp_path, bank, config):
    html = form_html(bank, config)
    assert "http://" not in html.replace("http://hl7.org", "") and "https://" not in html
    page_file = tmp_path / "form.html"
    page_file.write_text(html, encoding="utf-8")
    page = browser.new_page(accept_downloads=True)
    page.goto(page_file.as_uri())
    first = bank.questions[0]
    assert page.evaluate("document.activeElement.name") == first.link_id  # focus on the first question
    page.keyboard.press("ArrowDown")  # the arrow keys choose within the question
    assert page.evaluate(f"document.querySelector('input[name=\"{first.link_id}\"]:checked').value") \
        == first.options[1].code
    # A gated question is hidden until its gate says so, and Tab skips it.
    assert page.is_hidden("#q-conflict")
    page.check("#has_supervisor--yes")
    assert page.is_visible("#q-conflict")
    page.check("#conflict--yes")
    assert page.get_attribute('#profile [data-factor-id="supervisor_conflict"]', "data-status") == "present"
    page.check("#has_supervisor--no")  # the conflict answer stays in the page but no longer counts
    assert page.is_hidden("#q-conflict")
    assert page.get_attribute('#profile [data-factor-id="supervisor_conflict"]', "data-status") == "unanswered"
    assert page.locator("#notes .ignored").count() == 1
    rows = page.eval_on_selector_all("#answers-summary tbody tr", "rs => rs.map(r => r.innerText)")
    assert "Is er een conflict met de leidinggevende?\tJa (telt niet mee)" in rows
    assert "Ervaart de cliënt steun van de leidinggevende?\tniet van toepassing" in rows
    assert "1 van" in page.inner_text("#progress-text")
    with page.expect_download() as info:
        page.click("#download-response")
    resource = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    fhir._validate_response(resource, "download", ours=True)
    codes = {i["linkId"]: i["answer"][0]["valueCoding"]["code"] for g in resource["item"] for i in g["item"]}
    assert codes[first.link_id] == first.options[1].code and "conflict" not in codes
    assert info.value.suggested_filename.startswith("antwoorden-")
    page.close()


def test_the_browser_keeps_no_copy_of_the_answers_after_a_download(driver, tmp_path):
    # The download was the data: link itself, so Chromium's download history (chrome://downloads, the profile's
    # History file and its download database) kept the whole response as the download's address, long after the
    # file went to the client's dossier. A click now downloads a blob: made at that moment; the data: href stays
    # for outside scripts.
    programme, config = programme_bank_with_sources()
    page_file = tmp_path / "form.html"
    page_file.write_text(form_html(programme, config), encoding="utf-8")
    profile = tmp_path / "profile"
    context = driver.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=FLAGS,
                                                        accept_downloads=True)
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.check("#age_band--gt55")
    page.check("#previous_absence--2plus")
    assert page.get_attribute("#download-response", "href").startswith("data:application/fhir+json")
    for _ in range(2):  # a second download of the same answers works as the first
        with page.expect_download() as info:
            page.click("#download-response")
        resource = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        codes = {i["linkId"]: i["answer"][0]["valueCoding"]["code"] for g in resource["item"] for i in g["item"]}
        assert codes == {"age_band": "gt55", "previous_absence": "2plus"}
        assert info.value.suggested_filename.startswith("antwoorden-")
    page.wait_for_function("document.getElementById('download-response').href.startsWith('data:')")  # for scripts
    page.check("#age_band--lt35")  # and it says a changed answer
    assert "lt35" in urllib.parse.unquote(page.get_attribute("#download-response", "href"))
    context.close()
    holding = [str(f.relative_to(profile)) for f in profile.rglob("*")
               if f.is_file() and (b"2plus" in f.read_bytes() or b"gt55" in f.read_bytes())]
    assert not holding, holding


def test_without_javascript_the_page_says_so_and_offers_no_form(browser, tmp_path, bank, config):
    # With scripts off (some managed browsers block them in local files) answers could be ticked, counted
    # nowhere, and the profile said every factor unanswered, printed so too.
    for lang, words in (("nl", "werkt alleen met JavaScript"), ("en", "needs JavaScript")):
        page = _open(browser, tmp_path, form_html(bank, config, lang), java_script_enabled=False)
        assert words in page.inner_text("body")
        assert page.is_hidden("#instrument-form") and page.is_hidden("#result")
        page.close()
    page = _open(browser, tmp_path, form_html(bank, config))  # with scripts on, no such note
    assert page.is_hidden(".noscript") and page.is_visible("#instrument-form")
    page.close()


def test_clear_all_asks_before_wiping_the_answers(browser, tmp_path, bank, config):
    page_file = tmp_path / "form.html"
    page_file.write_text(form_html(bank, config), encoding="utf-8")
    page = browser.new_page()
    page.goto(page_file.as_uri())
    page.keyboard.press("Space")  # the first question, by keyboard
    first = bank.questions[0].link_id
    answered = f"document.querySelectorAll('input[name=\"{first}\"]:checked').length"
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.focus("#reset-form")
    page.keyboard.press("Enter")
    assert asked == ["Alle antwoorden wissen? Dat kan niet ongedaan worden gemaakt."]
    assert page.evaluate(answered) == 1  # said no: nothing lost
    page.once("dialog", lambda d: answer(d, True))
    page.keyboard.press("Enter")
    assert page.evaluate(answered) == 0 and "0 van" in page.inner_text("#progress-text")
    # Nothing answered: the download has no "item" (FHIR JSON has no empty arrays).
    href = page.get_attribute("#download-response", "href")
    resource = json.loads(urllib.parse.unquote(href.split(",", 1)[1]))
    assert "item" not in resource and resource["status"] == "in-progress"
    fhir._validate_response(resource, "download", ours=True)
    page.close()


def test_printed_report_carries_the_date(browser, tmp_path, bank, config):
    import datetime

    page_file = tmp_path / "form.html"
    page_file.write_text(form_html(bank, config, "en"), encoding="utf-8")
    page = browser.new_page()
    page.goto(page_file.as_uri())
    assert page.is_hidden("#printed-on")  # on screen the page needs no date
    page.emulate_media(media="print")
    # A report printed for a dossier said nothing about when (the CLI's report has a date).
    assert page.is_visible("#printed-on") and page.is_hidden("#instrument-form")
    text = page.inner_text("#printed-on")
    today = datetime.date.today()
    # the month named by the form's own list, not strftime's %B (the process's LC_TIME)
    days = (today, today - datetime.timedelta(days=1), today + datetime.timedelta(days=1))
    assert text in {f"Printed on {d.day} {MONTHS_EN[d.month - 1]} {d.year}" for d in days}
    page.close()


def _open(browser, tmp_path: Path, html: str, **context):
    page_file = tmp_path / "form.html"
    page_file.write_text(html, encoding="utf-8")
    page = browser.new_page(**context)
    page.goto(page_file.as_uri())
    return page


def test_leaving_asks_first_while_answers_are_not_downloaded(browser, tmp_path, bank, config):
    # The answers live only in the page: a reload or a stray Back lost a conversation's answers
    # without a word. The browser now asks (a beforeunload dialog) until they are downloaded.
    page = _open(browser, tmp_path, form_html(bank, config), accept_downloads=True)
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.type), d.accept()))
    page.reload()  # nothing answered yet: nothing to lose, no question
    assert asked == []
    page.check("#has_supervisor--yes")
    # Nothing survives the page: no storage the docs would have to mention.
    assert page.evaluate("localStorage.length + sessionStorage.length + document.cookie.length") == 0
    page.reload()
    assert asked == ["beforeunload"]
    assert page.locator("input:checked").count() == 0  # accepted: the answers are gone, as warned
    page.check("#has_supervisor--no")
    with page.expect_download():
        page.click("#download-response")
    page.reload()  # downloaded and unchanged since: leaving loses nothing
    assert asked == ["beforeunload"]
    page.close()


def test_page_reflows_at_320_px_and_200_percent_zoom(browser, tmp_path):
    # WCAG 1.4.10: no sideways scrolling at 320 CSS px. The programme's DOIs pushed it to 334 px.
    programme, config = programme_bank_with_sources()
    assert programme.sources  # the studies' citations, with their long DOIs
    html = form_html(programme, config)
    for width in (320, 640):  # 640 = a 1280 px window at 200 % zoom
        page = _open(browser, tmp_path, html, viewport={"width": width, "height": 800})
        page.check("#employment_status--employee")  # opens the gated questions
        page.check("#has_supervisor--yes")
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, (width, scroll)
        page.close()


_FOCUS_IN_VIEW = """
() => {
  const r = document.activeElement.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
}
"""


def test_page_opens_at_its_title_with_focus_on_the_first_question(browser, tmp_path):
    # Focusing the first question scrolled it into view: at 200 % zoom (640 x 400 CSS px) and at 320 px the
    # page opened 387 and 671 px down, past the title and the note that nothing is stored, cut mid-sentence.
    programme, config = programme_bank_with_sources()
    for lang in ("nl", "en"):
        html = form_html(programme, config, lang)
        for width, height in ((640, 400), (320, 640)):
            page = _open(browser, tmp_path, html, viewport={"width": width, "height": height})
            first = programme.questions[0].link_id
            assert page.evaluate("[window.scrollY, document.activeElement.name]") == [0, first], (lang, width)
            for key in ("Space", "ArrowDown"):  # keys work at once, and bring the question into view
                page.evaluate("window.scrollTo(0, 0)")
                page.keyboard.press(key)
                assert page.evaluate("document.activeElement.checked") is True
                assert page.evaluate(_FOCUS_IN_VIEW), (lang, width, key)
            page.close()


def test_questions_reflow_at_320_px_with_text_at_200_percent(browser, tmp_path):
    # A phone 320 CSS px wide with its text size at 200 %: a fieldset is never narrower than its longest word
    # (min-content), so 'huishoudinkomen' in a legend pushed the page to 455 px (Dutch) and 391 px (English).
    programme, config = programme_bank_with_sources()
    for lang in ("nl", "en"):
        page = _open(browser, tmp_path, form_html(programme, config, lang), viewport={"width": 320, "height": 640})
        page.add_style_tag(content="html { font-size: 200% !important; }")
        page.check("#employment_status--employee")  # opens the gated questions
        page.check("#has_supervisor--yes")
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, (lang, scroll)
        # each answer's text starts beside its radio button, a wrapped line under the text, not under the button
        misaligned = page.evaluate("""() => Array.from(document.querySelectorAll('.options label')).filter((label) => {
            const text = document.createRange(); text.selectNodeContents(label); text.setStartAfter(label.querySelector('input'));
            const lines = Array.from(text.getClientRects());
            return lines.some((line) => line.left < label.querySelector('input').getBoundingClientRect().right);
          }).map((label) => label.textContent)""")
        assert not misaligned, (lang, misaligned)
        page.close()


def test_modifiable_mark_is_read_as_a_word(browser, tmp_path, bank, config):
    # A screen reader read the mark as "black diamond"; it now hears what the mark means.
    for lang, word in (("nl", "(beïnvloedbaar)"), ("en", "(modifiable)")):
        page = _open(browser, tmp_path, form_html(bank, config, lang))
        spoken = page.locator('#profile [data-factor-id="supervisor_conflict"]').aria_snapshot()
        assert word in spoken and "◆" not in spoken, spoken
        page.close()


def test_profile_says_it_is_no_diagnosis_or_prediction(browser, tmp_path, bank, config):
    for lang, words in (("nl", ("geen diagnose", "geen voorspelling voor deze cliënt")),
                        ("en", ("not a diagnosis", "not a prediction for this client"))):
        page = _open(browser, tmp_path, form_html(bank, config, lang))
        page.emulate_media(media="print")  # it is on the printed report too
        text = page.inner_text("#not-a-diagnosis")
        assert all(w in text for w in words), text
        page.close()


_FOCUS_UNDER_BAR = """
() => {
  const bar = document.getElementById("progress-bar").getBoundingClientRect();
  const r = document.activeElement.getBoundingClientRect();
  // Only while the bar is stuck to the top of the window can it cover what has focus.
  return bar.top <= 1 && r.top < bar.bottom ? document.activeElement.id : null;
}
"""


def test_focused_question_is_never_under_the_sticky_progress_bar(browser, tmp_path, bank, config):
    # WCAG 2.4.11: Shift+Tab scrolled a question up just far enough to sit under the bar.
    html = form_html(bank, config)
    for width, height in ((640, 400), (320, 500)):
        page = _open(browser, tmp_path, html, viewport={"width": width, "height": height})
        page.check("#has_supervisor--yes")  # opens the gated questions
        covered = []
        for key, start in (("Shift+Tab", "#reset-form"), ("Tab", "#" + bank.questions[0].link_id + "--yes")):
            page.focus(start)
            for _ in range(12):
                page.keyboard.press(key)
                hidden = page.evaluate(_FOCUS_UNDER_BAR)
                if hidden:
                    covered.append((width, key, hidden))
        assert not covered, covered
        page.close()


def test_live_regions_change_only_when_their_text_does(browser, tmp_path, bank, config):
    # A screen reader announces a live region whenever its text is replaced: every answer read the
    # indication and the unanswered count out again, changed or not.
    page = _open(browser, tmp_path, form_html(bank, config))
    page.check("#has_supervisor--yes")
    page.check("#conflict--yes")
    page.check("#has_supervisor--no")  # the conflict answer is now ignored: a note that stays
    page.check("#company--small")
    page.evaluate("""() => {
      window.mutated = [];
      for (const id of ["indication", "unanswered-count", "notes", "progress-text"]) {
        new MutationObserver(() => window.mutated.push(id)).observe(
          document.getElementById(id), {childList: true, subtree: true, characterData: true});
      }
    }""")
    indication = page.inner_text("#indication")
    page.check("#company--large")  # a signal: the indication, the open count and the note stay
    assert page.inner_text("#indication") == indication
    assert page.evaluate("window.mutated") == []
    # A new answer to an open question: the progress, the open count and (a risk factor now present)
    # the indication change, so those three speak; the note about the ignored answer does not.
    page.check("#prev_absence--yes")
    assert sorted(set(page.evaluate("window.mutated"))) == ["indication", "progress-text", "unanswered-count"]
    assert page.locator("#notes .ignored").count() == 1
    page.close()


def test_printed_report_leaves_out_how_to_use_the_page(browser, tmp_path, bank, config):
    # On paper in a client's dossier, "the profile below is updated with every answer" and "the
    # browser asks before a reload" are noise; the profile and its caveats stay.
    page = _open(browser, tmp_path, form_html(bank, config))
    page.emulate_media(media="print")
    printed = page.inner_text("body")
    assert "bijgewerkt" not in printed and "downloadt" not in printed and "vernieuwt" not in printed
    assert "geen diagnose" in printed and "Risicofactoren" in printed
    # A sheet in a pile of dossiers says whose it is: a line to write on, since the page holds no name.
    assert "Cliënt: ____" in printed and "Ingevuld door: ____" in printed
    page.emulate_media(media="screen")
    assert "bij elk antwoord bijgewerkt" in page.inner_text("body") and page.is_hidden("#client-line")
    page.close()


def test_the_download_says_to_move_the_file_into_the_dossier(browser, tmp_path, bank, config):
    # The browser writes the file 0644 into its downloads folder (walk25): only docs/instrument.md said to move it
    # into the client's dossier; the expert reads the page, where the button is.
    # 'deze pagina kent geen naam' / 'this page holds no name' read as a page without a name, not one that knows
    # no client's name.
    for lang, words in (("nl", ("downloadmap", "leesbaar voor andere gebruikers", "dossier van de cliënt", "pdf",
                                "kent de naam van de cliënt niet")),
                        ("en", ("downloads folder", "readable by other users", "client's dossier", "PDF",
                                "does not know the client's name"))):
        page = _open(browser, tmp_path, form_html(bank, config, lang))
        note = page.locator(".actions + #download-note")  # right after the download and print buttons
        assert note.is_visible() and all(word in note.inner_text() for word in words), lang
        described = page.evaluate("document.getElementById("
                                  "document.getElementById('download-response').getAttribute('aria-describedby'))"
                                  ".textContent")
        assert described == note.inner_text()  # a screen reader says it with the link
        page.emulate_media(media="print")
        assert note.is_hidden()  # how to use the page stays off the printed report
        page.close()


def test_download_file_name_carries_the_local_date_as_the_printed_report(browser, tmp_path, bank, config):
    # 00:30 on 7 December in Amsterdam is still 6 December in UTC: the file was named after the UTC
    # day while the printed report said the local one, so one conversation carried two dates.
    page = browser.new_page(accept_downloads=True, timezone_id="Europe/Amsterdam")
    page.clock.install(time="2026-12-06T23:30:00Z")
    page_file = tmp_path / "form.html"
    page_file.write_text(form_html(bank, config, "en"), encoding="utf-8")
    page.goto(page_file.as_uri())
    page.check("#has_supervisor--yes")
    with page.expect_download() as info:
        page.click("#download-response")
    assert info.value.suggested_filename.endswith("-2026-12-07.json"), info.value.suggested_filename
    page.emulate_media(media="print")
    assert page.inner_text("#printed-on") == "Printed on 7 December 2026"
    page.close()


def test_printed_date_is_written_as_a_reader_writes_it(browser, tmp_path, bank, config):
    # The Dutch report said 'Afgedrukt op 2026-12-07'; the file name keeps YYYY-MM-DD, which sorts.
    for lang, want in (("nl", "Afgedrukt op 7 december 2026"), ("en", "Printed on 7 December 2026")):
        page = browser.new_page(timezone_id="Europe/Amsterdam")
        page.clock.install(time="2026-12-06T23:30:00Z")
        page_file = tmp_path / "form.html"
        page_file.write_text(form_html(bank, config, lang), encoding="utf-8")
        page.goto(page_file.as_uri())
        page.emulate_media(media="print")
        assert page.inner_text("#printed-on") == want
        page.close()


def _wait_until(page, expression: str, seconds: float = 10.0) -> None:
    """Poll ``expression`` from the test side: the form's CSP forbids eval, and Playwright's
    wait_for_function compiles a string predicate in the page when it has to poll (EvalError under load)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        time.sleep(0.05)


def test_bar_margin_follows_the_bar_when_the_window_narrows(browser, tmp_path, bank, config):
    # The margin is kept by a ResizeObserver on the bar: loaded wide, then narrowed so the bar wraps,
    # the margin must follow (a margin set once at load left the focused question under the bar).
    page = _open(browser, tmp_path, form_html(bank, config), viewport={"width": 1280, "height": 800})
    padding = "parseFloat(document.documentElement.style.scrollPaddingTop)"
    height = "document.getElementById('progress-bar').offsetHeight"
    _wait_until(page, f"{padding} === {height} + 8")  # the observer reports after layout
    wide = page.evaluate(height)
    page.set_viewport_size({"width": 320, "height": 500})
    _wait_until(page, f"{padding} === {height} + 8")
    assert page.evaluate(height) > wide  # the bar did wrap: the margin moved with it
    page.check("#has_supervisor--yes")
    covered = []
    page.focus("#reset-form")
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        if hidden := page.evaluate(_FOCUS_UNDER_BAR):
            covered.append(hidden)
    assert not covered, covered
    page.close()


def test_clearing_all_counts_as_nothing_to_lose(browser, tmp_path, bank, config):
    # After "Alles wissen" the page holds no answers: leaving it must not ask, even though the last
    # download held answers.
    page = _open(browser, tmp_path, form_html(bank, config), accept_downloads=True)
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.type), d.accept()))
    page.check("#has_supervisor--yes")
    with page.expect_download():
        page.click("#download-response")
    page.click("#reset-form")  # the confirm dialog, accepted
    assert asked == ["confirm"] and page.locator("input:checked").count() == 0
    page.reload()
    assert asked == ["confirm"]  # no beforeunload question
    page.close()


def test_modifiable_mark_in_the_key_is_read_as_a_word(browser, tmp_path, bank, config):
    # The key under the leads said "◆ = beïnvloedbare factor": a screen reader read "black diamond equals".
    page = _open(browser, tmp_path, form_html(bank, config))
    key = page.locator("#result p.note", has_text="beïnvloedbare factor")
    spoken = key.aria_snapshot()
    assert "beïnvloedbare factor" in spoken and "◆" not in spoken, spoken
    page.close()


def test_printable_questionnaire_reflows_at_320_px(browser, tmp_path):
    # WCAG 1.4.10: instrument/questionnaire.html was 819 px wide in a 320 px window.
    from review.instrument.render import questionnaire_markdown, to_html
    programme, config = programme_bank_with_sources()
    html = to_html(questionnaire_markdown(programme), "questionnaire")
    for width in (320, 640):
        page = _open(browser, tmp_path, html, viewport={"width": width, "height": 800})
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, (width, scroll)
        page.close()


#: Every word of a table cell broken across lines where it has no break of its own (after a hyphen, a dash or
#: a slash) although it would fit the page's width whole: ``[word, page width, word width]``. (A DOI wider than
#: the page may break anywhere.)
_WORDS_BROKEN_IN_CELLS = """
() => {
  const broken = [];
  const body = getComputedStyle(document.body);
  const room = document.body.clientWidth - parseFloat(body.paddingLeft) - parseFloat(body.paddingRight);
  for (const cell of document.querySelectorAll("td, th")) {
    if (cell.closest("tr").getBoundingClientRect().width <= 1) continue;  // a header row hidden from the eye
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = /\\S+/g;
      let m;
      while ((m = words.exec(node.textContent))) {
        const tops = [], widths = [];
        for (let i = 0; i < m[0].length; i++) {
          const range = document.createRange();
          range.setStart(node, m.index + i);
          range.setEnd(node, m.index + i + 1);
          const box = range.getBoundingClientRect();
          tops.push(Math.round(box.top));
          widths.push(box.width);
        }
        const whole = widths.reduce((a, b) => a + b, 0);
        for (let i = 1; i < m[0].length; i++) {
          if (tops[i] > tops[i - 1] && !"-–/".includes(m[0][i - 1]) && whole <= room) {
            broken.push([m[0], Math.round(room), Math.round(whole)]);
            break;
          }
        }
      }
    }
  }
  return broken;
}
"""


def test_printable_questionnaire_tables_break_no_word_at_320_px(browser, tmp_path):
    # At 320 px the item bank summary's tables squeezed seven columns into 288 px, and overflow-wrap: anywhere
    # broke their words mid-word ('bewijskrac|ht', 'beïnvloed|baar'); the tables now reflow instead.
    from review.instrument.project import render_export

    programme, config = programme_bank_with_sources()
    for lang in ("nl", "en"):
        html = render_export(programme, "html", lang)
        assert html.count("<table ") >= 2, lang  # signals and not included
        for width in (320, 640, 800):  # 800: wider than 200 % zoom, narrower than the page's 52rem
            page = _open(browser, tmp_path, html, viewport={"width": width, "height": 800})
            broken = page.evaluate(_WORDS_BROKEN_IN_CELLS)
            assert not broken, (lang, width, broken[:5], len(broken))
            scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert scroll <= client, (lang, width, scroll)
            page.close()


def test_form_answers_table_breaks_no_word_at_320_px(browser, tmp_path, bank, config):
    # The answers table (what the printed report lists) squeezed 'huishoudinkomen' and 'leidinggevende?' into
    # a 140 px column and broke them mid-word; on a narrow screen (up to 40rem) each answer is now a block of its
    # own, each cell led by its column's name, and a wider screen keeps the table.
    html = form_html(_programme_bank(), load_config(ROOT / "instrument" / "scoring.toml"))
    for width in (320, 640, 800):
        page = _open(browser, tmp_path, html, viewport={"width": width, "height": 800})
        page.check("#employment_status--employee")  # opens the gated questions
        page.check("#has_supervisor--yes")
        assert page.locator("#answers-summary tbody tr").count() >= 10
        broken = page.evaluate(_WORDS_BROKEN_IN_CELLS)
        assert not broken, (width, broken)
        shown = page.evaluate("""() => Array.from(document.querySelectorAll("#answers-summary tbody tr:first-child td"),
                                                  (td) => [getComputedStyle(td).display,
                                                           getComputedStyle(td, "::before").content])""")
        if width <= 640:  # 40rem
            assert [display for display, _ in shown] == ["block", "block"], (width, shown)
            assert [before.split(" / ")[0] for _, before in shown] == ['"vraag: "', '"antwoord: "'], (width, shown)
        else:
            assert shown == [["table-cell", "none"], ["table-cell", "none"]], (width, shown)
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, (width, scroll)
        page.close()


def _cell_names(page) -> list[str]:
    """The accessible name of every table cell on the page, as Chromium gives it to a screen reader."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return [node.get("name", {}).get("value", "") for node in nodes if node.get("role", {}).get("value") == "cell"]


def _narrow_cell_layout(page, selector: str) -> dict[str, str]:
    """How the first body cell under ``selector`` is shown: its display and what its ::before adds."""
    return page.evaluate("""(selector) => {
      const td = document.querySelector(selector + " tbody td");
      return {display: getComputedStyle(td).display, before: getComputedStyle(td, "::before").content};
    }""", selector)


def test_narrow_layout_leaves_each_cells_accessible_name_as_it_is(browser, tmp_path, bank, config):
    # On a narrow screen each cell is led by its column's name (::before, from data-label). Generated content is
    # part of the accessible name, so a screen reader read 'factor: Hoger huishoudinkomen' after the header it
    # already reads: the label has an empty alternative text.
    from review.instrument.project import render_export

    programme, programme_config = programme_bank_with_sources()
    pages = {"questionnaire": (render_export(programme, "html", "nl"), "table"),
             "form": (form_html(_programme_bank(), programme_config), "#answers-summary")}
    for name, (html, selector) in pages.items():
        names: dict[int, list[str]] = {}
        for width in (320, 1200):
            page = _open(browser, tmp_path, html, viewport={"width": width, "height": 800})
            if name == "form":
                page.check("#employment_status--employee")
                page.check("#has_supervisor--yes")
            layout = _narrow_cell_layout(page, selector)
            assert (layout["display"] == "block") == (width == 320), (name, width, layout)  # the label is shown
            names[width] = _cell_names(page)
            page.close()
        assert len(names[320]) >= 10, name
        assert names[320] == names[1200], (name, [(a, b) for a, b in zip(names[320], names[1200]) if a != b][:3])


#: Client A of the 2026-12-07 walk: every signal of the programme's bank present (its profile runs to three pages).
_ALL_RISK = {"household_income": "below", "occupational_level": "unskilled_manual", "age_band": "gt55",
             "employment_status": "employee", "has_supervisor": "yes", "supervisor_conflict": "yes",
             "social_functioning": "clearly", "company_size": "gt100", "job_demands": "high", "tenure": "lt5",
             "previous_absence": "2plus"}


def test_printed_headings_are_never_alone_at_the_foot_of_a_page(browser, tmp_path):
    # Printed on A4, the form's report ended page 1 with 'Risicofactoren' and page 2 with 'Beschermende factoren',
    # their factors on the next page; the conversation guide left a topic's heading behind the same way.
    from review.instrument.render import guide_markdown, to_html

    from .pdf_pages import printed_headings

    programme, config = programme_bank_with_sources()
    pages = {}
    for lang in ("nl", "en"):
        for name, answers in (("nothing answered", {}), ("every risk", _ALL_RISK)):
            page = _open(browser, tmp_path, form_html(programme, config, lang))
            for link_id, code in answers.items():
                page.check(f"#{link_id}--{code}")
            pages[f"form {lang}, {name}"] = page.pdf(format="A4", tagged=True)
            page.close()
        page = _open(browser, tmp_path, to_html(guide_markdown(programme, lang, english_marks=True), "guide", lang))
        pages[f"guide {lang}"] = page.pdf(format="A4", tagged=True)
        page.close()
    for name, pdf in pages.items():
        headings = printed_headings(pdf)
        assert len(headings) >= 7, name
        alone = [h for h in headings if h.next_page is not None and h.next_page != h.page]
        assert not alone, (name, alone)


def test_leads_say_why_each_factor_is_one(browser, tmp_path, bank, config):
    # A lead read 'Steun van leidinggevende' alone: nothing said that the protective factor is missing (a reader
    # took it for present), nor what the advice follows from. The CLI report said both; the form says them now.
    for lang, want, basis in (
            ("nl", ["Conflict met leidinggevende (deels aanwezig): Overweeg bemiddeling. (voorstel van het reviewteam)",
                    "Steun van leidinggevende (beschermende factor ontbreekt)"], "onderzochten geen interventies"),
            ("en", ["Conflict with supervisor (partly present): Consider mediation. (proposal of the review team)",
                    "Support from supervisor (protective factor absent)"], "did not test interventions")):
        page = _open(browser, tmp_path, form_html(bank, config, lang))
        page.check("#has_supervisor--yes")
        page.check("#conflict--some")
        page.check("#support--no")
        assert page.eval_on_selector_all("#leads li", "items => items.map(i => i.textContent)") == want
        assert basis in page.inner_text("#leads-basis")
        page.close()


def test_a_lead_from_an_unconfirmed_signal_repeats_its_caution(browser, tmp_path, bank, config):
    # The profile marked the signal 'let op: nog niet bevestigd'; its lead for advice, read apart (printed, or by
    # an expert going straight to the advice), said nothing of it.
    conflict = next(i for i in bank.items if i.factor_id == "supervisor_conflict")
    conflict.caution = "unreplicated"
    for lang, want in (
            ("nl", "Conflict met leidinggevende (aanwezig; let op: verband nog niet bevestigd): Overweeg bemiddeling. "
                   "(voorstel van het reviewteam)"),
            ("en", "Conflict with supervisor (present; caution: association not yet replicated): Consider mediation. "
                   "(proposal of the review team)")):
        page = _open(browser, tmp_path, form_html(bank, config, lang))
        page.check("#has_supervisor--yes")
        page.check("#conflict--yes")
        assert page.eval_on_selector_all("#leads li", "items => items.map(i => i.textContent)")[0] == want
        page.close()


def test_progress_does_not_call_dont_know_answered(browser, tmp_path, bank, config):
    # 'Weet niet / niet besproken' counts as unanswered (the page says so above the form, the profile counts the
    # factor as 'niet beantwoord'), yet the bar said '2 van 3 vragen beantwoord' with one of the two 'Weet niet'.
    # A question waiting for its gate is still to do, as in the fill mode and the profile's open questions: the bar
    # said '3 van 3' for the gate 'Weet niet' (the fill mode '4 of 5', counting the kept conflict answer).
    steps = [(None, None), ("prev_absence", "yes"), ("company", "unknown"), ("has_supervisor", "yes"),
             ("conflict", "yes"), ("has_supervisor", "unknown"), ("has_supervisor", "no"), ("has_supervisor", "yes"),
             ("support", "no")]
    for lang, want in (("nl", ["0 van 5 vragen ingevuld", "1 van 5 vragen ingevuld",
                               "2 van 5 vragen ingevuld, waarvan 1 met ‘Weet niet / niet besproken’",
                               "3 van 5 vragen ingevuld, waarvan 1 met ‘Weet niet / niet besproken’",
                               "4 van 5 vragen ingevuld, waarvan 1 met ‘Weet niet / niet besproken’",
                               "3 van 5 vragen ingevuld, waarvan 2 met ‘Weet niet / niet besproken’",
                               "3 van 3 vragen ingevuld, waarvan 1 met ‘Weet niet / niet besproken’",
                               "4 van 5 vragen ingevuld, waarvan 1 met ‘Weet niet / niet besproken’",
                               "5 van 5 vragen ingevuld, waarvan 1 met ‘Weet niet / niet besproken’"]),
                       ("en", ["0 of 5 questions filled in", "1 of 5 questions filled in",
                               "2 of 5 questions filled in, 1 of them with ‘Don't know / not discussed’"])):
        page = _open(browser, tmp_path, form_html(bank, config, lang))
        shown, answers = [], {}
        for link_id, code in steps[:len(want)]:
            if link_id:
                page.check(f"#{link_id}--{code}")
                answers[link_id] = code
            shown.append(page.inner_text("#progress-text"))
            # the fill mode's status line says the same
            assert shown[-1] == question_progress(bank, answers).line(lang), answers
        assert shown == want
        assert page.get_attribute('#profile [data-factor-id="company_size"]', "data-status") == "unanswered"
        page.close()
