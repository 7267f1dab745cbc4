// The browser form's logic: enableWhen, factor statuses, indication, progress, the FHIR download.
// It mirrors review.instrument.scoring.score() rule for rule; a browser test compares both over
// many random answer sets, so change them together.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("instrument-data").textContent);
  var S = data.strings;
  var form = document.getElementById("instrument-form");
  var byId = {};
  data.questions.forEach(function (q) { byId[q.linkId] = q; });

  // YYYY-MM-DD in the browser's time zone: the date the user reads on paper and in the file name.
  function localDate(when) {
    return when.getFullYear() + "-" + String(when.getMonth() + 1).padStart(2, "0") + "-" +
      String(when.getDate()).padStart(2, "0");
  }

  // The date a reader sees on paper, in the report's words: 7 december 2026 (the file name keeps YYYY-MM-DD).
  function longDate(when) {
    return when.getDate() + " " + data.months[when.getMonth()] + " " + when.getFullYear();
  }

  function readAnswers() {
    var answers = {};
    data.questions.forEach(function (q) {
      var checked = form.querySelector('input[name="' + CSS.escape(q.linkId) + '"]:checked');
      if (checked) { answers[q.linkId] = checked.value; }
    });
    return answers;
  }

  // true / false when the enableWhen condition is decided, null when its gate is unanswered.
  function enabled(q, answers) {
    if (!q.enableWhen) { return true; }
    var gateId = q.enableWhen[0], wanted = q.enableWhen[1];
    var gate = byId[gateId];
    if (gate) {
      var gateOn = enabled(gate, answers);
      if (gateOn === false) { return false; }
      if (gateOn === null) { return null; }
    }
    var given = answers[gateId];
    if (given === undefined || given === data.unknownCode) { return null; }
    return given === wanted;
  }

  // present | partly | absent | missing | not_applicable, in scoring.py's order of precedence.
  function factorStatus(item, answers, state, missingIds) {
    var statuses = [];
    item.questions.forEach(function (linkId) {
      var on = state[linkId];
      if (on === false) { statuses.push("not_applicable"); return; }
      var code = answers[linkId];
      if (on === null || on === undefined || code === undefined || code === data.unknownCode) {
        statuses.push("missing");
        missingIds[linkId] = true;
      } else if ((item.present[linkId] || []).indexOf(code) >= 0) {
        statuses.push("present");
      } else if ((item.partly[linkId] || []).indexOf(code) >= 0) {
        statuses.push("partly");
      } else {
        statuses.push("absent");
      }
    });
    var order = ["present", "partly", "absent", "missing"];
    for (var i = 0; i < order.length; i++) {
      if (statuses.indexOf(order[i]) >= 0) { return order[i]; }
    }
    return "not_applicable";
  }

  function round4(x) { return Math.round(x * 1e4) / 1e4; }

  function score(answers) {
    var state = {};
    data.questions.forEach(function (q) { state[q.linkId] = enabled(q, answers); });
    var missingIds = {};
    var factors = [];
    var riskWeight = 0, attainable = 0, nScored = 0, missingScored = 0;
    data.items.forEach(function (item) {
      var status = factorStatus(item, answers, state, missingIds);
      var answered = status === "present" || status === "partly" || status === "absent";
      factors.push({ factor_id: item.id, side: item.side, scored: item.scored,
                     status: answered ? status : "unanswered", applicable: status !== "not_applicable" });
      if (!item.scored) { return; }
      nScored += 1;
      if (status === "missing") { missingScored += 1; }
      if (item.side === "risk") {
        if (status === "present") { riskWeight += round4(item.weight); }
        if (status === "partly") { riskWeight += round4(item.weight * data.partlyFraction); }
        if (answered) { attainable += item.weight; }
      }
    });
    riskWeight = round4(riskWeight);
    attainable = round4(attainable);
    var indication;
    if (nScored === 0) { indication = "no_items"; }
    else if (missingScored / nScored > data.maxMissingShare) { indication = "insufficient"; }
    else if (riskWeight === 0) { indication = "no_risk_signals"; }
    else if (riskWeight >= data.manySignalsShare * attainable) { indication = "many_risk_signals"; }
    else { indication = "some_risk_signals"; }
    var ignored = [];
    data.questions.forEach(function (q) {
      var code = answers[q.linkId];
      if (code !== undefined && code !== data.unknownCode && state[q.linkId] !== true && q.enableWhen) {
        ignored.push({ link_id: q.linkId, reason: state[q.linkId] === false ? "gate_off" : "gate_unanswered",
                       gate: q.enableWhen[0] });
      }
    });
    return { factors: factors, indication: indication, state: state, ignored: ignored,
             unanswered_questions: Object.keys(missingIds) };
  }

  // A QuestionnaireResponse like review.instrument.fhir.response(): only questions that apply.
  function response(answers, state) {
    var groups = {}, order = [], complete = true;
    data.questions.forEach(function (q) {
      if (state[q.linkId] !== true) { return; }
      var code = answers[q.linkId];
      var option = q.options.filter(function (o) { return o.code === code; })[0];
      if (!option) { complete = false; return; }
      if (!groups[q.domain]) { groups[q.domain] = []; order.push(q.domain); }
      groups[q.domain].push({ linkId: q.linkId, text: q.textNl, answer: [{ valueCoding: {
        system: data.answerSystem, code: option.code, display: option.textNl } }] });
    });
    var resource = {
      resourceType: "QuestionnaireResponse",
      questionnaire: data.questionnaire,
      status: complete ? "completed" : "in-progress",
      authored: new Date().toISOString().replace(/\.\d{3}Z$/, "Z")
    };
    // FHIR JSON has no empty arrays: without answers the response has no "item" at all.
    if (order.length) {
      resource.item = order.map(function (d) { return { linkId: data.groupPrefix + d, item: groups[d] }; });
    }
    return resource;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // The live regions (progress, indication, unanswered count, notes) are announced by a screen
  // reader whenever their text is replaced, even by the same text: touch them only on a change,
  // so an answer is followed by what it changed, not by the whole profile read out again.
  function setText(element, text) {
    if (element.textContent !== text) { element.textContent = text; }
  }

  function update() {
    var answers = readAnswers();
    var result = score(answers);
    var total = 0, done = 0, unknown = 0;
    data.questions.forEach(function (q) {
      var state = result.state[q.linkId];
      var fieldset = document.getElementById("q-" + q.linkId);
      fieldset.hidden = state !== true;
      fieldset.classList.toggle("answered", answers[q.linkId] !== undefined);
      // As scoring.question_progress counts (the fill mode too): a question waiting for its gate is still to
      // do (the profile lists it as open), and an answer it kept from before the gate changed counts nowhere.
      if (state !== false) { total += 1; }
      if (state === true && answers[q.linkId] !== undefined) {
        done += 1;
        if (answers[q.linkId] === data.unknownCode) { unknown += 1; }
      }
    });
    var progress = document.getElementById("progress");
    progress.max = Math.max(total, 1);
    progress.value = done;
    setText(document.getElementById("progress-text"),
            fill(unknown ? S.progressUnknown : S.progress, { filled: done, total: total, dont_know: unknown }));
    var leads = [];
    result.factors.forEach(function (f) {
      var li = document.querySelector('#profile [data-factor-id="' + CSS.escape(f.factor_id) + '"]');
      li.dataset.status = f.status;
      li.dataset.applicable = f.applicable ? "true" : "false";
      li.querySelector(".status").textContent = f.applicable ? S[f.status] : S.notApplicable;
      var item = data.items.filter(function (i) { return i.id === f.factor_id; })[0];
      // A modifiable risk factor present or partly, a modifiable protective factor absent: its words are the
      // client report's (render.lead_words), made per status by the page's Python.
      if (item.leads[f.status] !== undefined) { leads.push(item.leads[f.status]); }
    });
    setText(document.getElementById("indication"), data.indications[result.indication]);
    // As the CLI report says it: unanswered factors are counted, and count nowhere else.
    var open = result.factors.filter(function (f) { return f.status === "unanswered" && f.applicable; }).length;
    setText(document.getElementById("unanswered-count"),
            open ? fill(open === 1 ? S.openOne : S.openMany, { n: open }) : "");
    var notes = document.getElementById("notes");
    var noteTexts = result.ignored.map(function (g) {
      return fill(g.reason === "gate_off" ? S.ignoredOff : S.ignoredPending,
                  { q: byId[g.link_id].text, gate: byId[g.gate].text });
    });
    var shownNotes = Array.prototype.map.call(notes.children, function (p) { return p.textContent; });
    if (shownNotes.join("\n") !== noteTexts.join("\n")) {
      notes.textContent = "";
      noteTexts.forEach(function (text) {
        var p = document.createElement("p");
        p.className = "note ignored";
        p.textContent = text;
        notes.appendChild(p);
      });
    }
    var list = document.getElementById("leads");
    list.textContent = "";
    (leads.length ? leads : [S.noLeads]).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    // The answers as the printed report lists them (the same wording as the CLI report).
    var body = document.querySelector("#answers-summary tbody");
    var headers = document.querySelectorAll("#answers-summary thead th");
    body.textContent = "";
    var ignoredIds = {};
    result.ignored.forEach(function (g) { ignoredIds[g.link_id] = true; });
    data.questions.forEach(function (q) {
      var code = answers[q.linkId];
      var option = q.options.filter(function (o) { return o.code === code; })[0];
      var shown;
      if (result.state[q.linkId] === false && !ignoredIds[q.linkId]) { shown = S.notApplicable; }
      else if (!option) { shown = S.unanswered; }
      else { shown = option.text + (ignoredIds[q.linkId] ? S.notCounted : ""); }
      var row = body.insertRow();
      row.setAttribute("role", "row");  // kept when a narrow screen shows the rows as blocks
      [q.text, shown].forEach(function (text, column) {
        var cell = row.insertCell();
        cell.textContent = text;
        cell.setAttribute("role", "cell");
        cell.dataset.label = headers[column].textContent;  // shown before the cell on a narrow screen
      });
    });
    var link = document.getElementById("download-response");
    var resource = response(answers, result.state);
    link.href = "data:application/fhir+json;charset=utf-8," + encodeURIComponent(JSON.stringify(resource, null, 2));
    // The local date, as on the printed report: authored is UTC, which after midnight in Amsterdam
    // is still the day before, so the file and the paper of one conversation carried two dates.
    link.download = S.file + "-" + localDate(new Date(resource.authored)) + ".json";
    return result;
  }

  form.addEventListener("change", update);
  // Space answers the focused question where it stands: the page opens at its title (focus without scrolling),
  // so bring an answer chosen out of sight to the middle of the window, as the arrow keys do.
  form.addEventListener("change", function (event) {
    var box = event.target.getBoundingClientRect();
    if (event.target === document.activeElement && (box.top < 0 || box.bottom > window.innerHeight)) {
      event.target.scrollIntoView({ block: "center" });
    }
  });
  // The answers exist only in this page: leaving it (reload, back, closing the tab) loses the ones
  // not downloaded since they last changed, so the browser asks first. Nothing goes to storage.
  var answersAtLastDownload = JSON.stringify({});
  // The href stays a data: link (outside scripts read it), but a click downloads a blob: made at that moment:
  // the browser's download history keeps the address of each download, and a data: address is the answers
  // themselves, left in the browser's profile after the file went to the client's dossier.
  var downloadUrl = null;
  document.getElementById("download-response").addEventListener("click", function () {
    var link = this;
    update();
    answersAtLastDownload = JSON.stringify(readAnswers());
    if (downloadUrl) { URL.revokeObjectURL(downloadUrl); }
    var dataHref = link.href;
    downloadUrl = URL.createObjectURL(new Blob([decodeURIComponent(dataHref.slice(dataHref.indexOf(",") + 1))],
                                               { type: "application/fhir+json" }));
    link.href = downloadUrl;
    // the download has started from the blob: when this runs
    setTimeout(function () { link.href = dataHref; }, 0);
  });
  window.addEventListener("beforeunload", function (event) {
    if (JSON.stringify(readAnswers()) === answersAtLastDownload) { return; }
    event.preventDefault();
    event.returnValue = "";  // older Chromium shows the dialog only when returnValue is set
  });
  function stampPrintDate() {
    // the local date, as the user reads it on paper
    document.getElementById("printed-on").textContent = fill(S.printedOn, { date: longDate(new Date()) });
  }
  window.addEventListener("beforeprint", stampPrintDate);
  stampPrintDate();
  document.getElementById("print-report").addEventListener("click", function () { window.print(); });
  // The answers live only in this page: clearing them asks first (a stray Enter on the button
  // would otherwise wipe a whole conversation's answers without a trace).
  document.getElementById("reset-form").addEventListener("click", function () {
    if (Object.keys(readAnswers()).length && !window.confirm(S.confirmReset)) { return; }
    form.reset();
    update();
    answersAtLastDownload = JSON.stringify({});
  });
  // The sticky progress bar must not cover the question that Tab or Shift+Tab brings into view
  // (WCAG 2.4.11): scrolling keeps a margin as tall as the bar, which grows when it wraps (zoom, narrow).
  var bar = document.getElementById("progress-bar");
  function keepFocusClearOfBar() {
    document.documentElement.style.scrollPaddingTop = (bar.offsetHeight + 8) + "px";
  }
  keepFocusClearOfBar();
  if (window.ResizeObserver) { new ResizeObserver(keepFocusClearOfBar).observe(bar); }
  update();
  var first = form.querySelector("input");
  // Focus on the first question, so the keys work at once, without scrolling to it: at 200 % zoom or on a phone
  // the page opened past its title and the note that nothing is stored. The first arrow key brings it into view.
  if (first) { first.focus({ preventScroll: true }); }
  window.reviewInstrumentForm = { score: score, readAnswers: readAnswers, update: update };
}());
