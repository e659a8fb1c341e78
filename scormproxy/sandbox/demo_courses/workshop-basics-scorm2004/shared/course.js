/*
 * Workshop Basics: the behaviour of its three SCORM 2004 SCOs, chosen by <body data-sco="...">.
 * Each SCO finds API_1484_11, resumes from cmi.location / cmi.suspend_data,
 * reports completion (and, for the assessment, score and success), and
 * offers #next, which asks the LMS to continue and terminates.
 */
(function () {
  "use strict";

  // scormproxy/sandbox/demo.py keeps the same key as DEMO_ASSESSMENT_ANSWERS; a test compares the two.
  var ANSWER_KEY = {"q1": "b", "q2": "a", "q3": "c"};
  var QUESTIONS = ["q1", "q2", "q3"];
  var DEFAULT_PASSING_SCORE = 0.7; // the manifest's minNormalizedMeasure, if the LMS does not pass it on
  var LESSON_SECTIONS = 3;
  var MAX_API_HOPS = 500;

  function findApiFrom(win) {
    // The SCORM 2004 discovery walk: this window and its parents, then (by the caller) the opener.
    for (var hops = 0; win && hops < MAX_API_HOPS; hops++) {
      try {
        if (win.API_1484_11) { return win.API_1484_11; }
      } catch (e) {
        return null; // a cross-origin ancestor ends the walk
      }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  var api = findApiFrom(window) || (window.opener ? findApiFrom(window.opener) : null);
  var lms = {
    connected: false,
    initialize: function () {
      this.connected = !!api && String(api.Initialize("")) === "true";
      return this.connected;
    },
    get: function (element) { return this.connected ? String(api.GetValue(element)) : ""; },
    set: function (element, value) {
      return this.connected && String(api.SetValue(element, String(value))) === "true";
    },
    commit: function () { return this.connected && String(api.Commit("")) === "true"; },
    terminate: function () {
      var done = this.connected && String(api.Terminate("")) === "true";
      this.connected = false;
      return done;
    }
  };

  var sco = document.body.getAttribute("data-sco");
  var startedAt = new Date().getTime();
  var completed = false;
  var terminated = false;
  var saved = {};

  function byId(id) { return document.getElementById(id); }
  function show(id, text, className) {
    var element = byId(id);
    element.textContent = text;
    element.hidden = false;
    if (className) { element.className = className; }
  }
  function save() {
    lms.set("cmi.suspend_data", JSON.stringify(saved));
    lms.commit();
  }

  function complete() {
    if (terminated) { return; }
    completed = true;
    lms.set("cmi.completion_status", "completed");
    lms.commit();
    show("result", "Marked as complete.");
  }

  function sessionTime() {
    // ISO 8601 duration with centiseconds at most (SCORM 2004 RTE 4.2.23 / timeinterval).
    var seconds = Math.round((new Date().getTime() - startedAt) / 10) / 100;
    return "PT" + seconds.toFixed(2) + "S";
  }

  function terminate() {
    if (terminated) { return; }
    terminated = true;
    // Suspend unfinished work so the learner resumes here; finished work ends normally.
    lms.set("cmi.exit", completed ? "normal" : "suspend");
    lms.set("cmi.session_time", sessionTime());
    lms.commit();
    lms.terminate();
    Array.prototype.forEach.call(document.querySelectorAll("input, button"), function (el) { el.disabled = true; });
  }

  function next() {
    if (terminated) { return; }
    lms.set("adl.nav.request", "continue");
    terminate();
  }

  // The lesson: three pages; cmi.location is the page, suspend_data the pages seen.
  var section = 1;
  function showSection(number) {
    section = Math.min(Math.max(number, 1), LESSON_SECTIONS);
    for (var i = 1; i <= LESSON_SECTIONS; i++) { byId("section-" + i).hidden = i !== section; }
    saved.seen = saved.seen || [];
    if (saved.seen.indexOf(section) < 0) { saved.seen.push(section); }
    lms.set("cmi.location", String(section));
    lms.set("cmi.progress_measure", (saved.seen.length / LESSON_SECTIONS).toFixed(2));
    save();
  }

  // The assessment: answers live in suspend_data, the current question in cmi.location.
  var score = null;
  function radio(question, value) {
    return document.querySelector("input[name=\"" + question + "\"][value=\"" + value + "\"]");
  }
  function record(question, value) {
    if (terminated || score !== null) { return; }
    saved.answers = saved.answers || {};
    saved.answers[question] = value;
    var open = QUESTIONS.filter(function (q) { return !saved.answers[q]; });
    lms.set("cmi.location", open.length ? open[0] : QUESTIONS[QUESTIONS.length - 1]);
    save();
  }
  function passingScore() {
    var given = parseFloat(lms.get("cmi.scaled_passing_score"));
    return isFinite(given) ? given : DEFAULT_PASSING_SCORE;
  }
  function submit() {
    if (terminated || score !== null) { return score; }
    var answers = saved.answers || {};
    var correct = QUESTIONS.filter(function (q) { return answers[q] === ANSWER_KEY[q]; }).length;
    var scaled = Math.round(correct / QUESTIONS.length * 10000) / 10000;
    var success = scaled >= passingScore() ? "passed" : "failed";
    score = Math.round(scaled * 100);
    lms.set("cmi.score.scaled", scaled);
    lms.set("cmi.score.raw", score);
    lms.set("cmi.score.min", 0);
    lms.set("cmi.score.max", 100);
    lms.set("cmi.success_status", success);
    completed = true;
    lms.set("cmi.completion_status", "completed");
    saved.submitted = true;
    save();
    show("result", "You scored " + score + "% (" + correct + " of " + QUESTIONS.length + "): " + success + ".",
         "result " + success);
    byId("submit").disabled = true;
    return score;
  }
  function answerAll(correctCount) {
    QUESTIONS.forEach(function (question, index) {
      var right = ANSWER_KEY[question];
      var value = index < correctCount ? right : (right === "a" ? "b" : "a");
      radio(question, value).checked = true;
      record(question, value);
    });
  }

  function resume() {
    try { saved = JSON.parse(lms.get("cmi.suspend_data") || "{}") || {}; } catch (e) { saved = {}; }
    var location = lms.get("cmi.location");
    completed = lms.get("cmi.completion_status") === "completed";
    if (sco === "lesson") {
      showSection(parseInt(location, 10) || 1);
      if (location) { show("resume", "Welcome back: resuming at page " + section + "."); }
    } else if (sco === "assessment") {
      var answers = saved.answers || {};
      QUESTIONS.forEach(function (question) {
        var input = answers[question] ? radio(question, answers[question]) : null;
        if (input) { input.checked = true; }
      });
      if (location) { show("resume", "Welcome back: resuming at question " + location.replace("q", "") + "."); }
    } else if (location || completed) {
      show("resume", "Welcome back.");
    }
  }

  if (lms.initialize()) {
    if (lms.get("cmi.completion_status") === "not attempted" || lms.get("cmi.completion_status") === "unknown") {
      lms.set("cmi.completion_status", "incomplete");
      lms.commit();
    }
    resume();
  } else {
    show("connection", "No learning management system was found: your progress will not be recorded.");
    if (sco === "lesson") { showSection(1); }
  }

  function on(id, handler) { var element = byId(id); if (element) { element.addEventListener("click", handler); } }
  on("complete", complete);
  on("next", next);
  on("submit", submit);
  on("previous-section", function () { showSection(section - 1); });
  on("next-section", function () { showSection(section + 1); });
  Array.prototype.forEach.call(document.querySelectorAll("input[type=radio]"), function (input) {
    input.addEventListener("change", function () { record(input.name, input.value); });
  });
  window.addEventListener("pagehide", terminate);

  window.demoCourse = {
    sco: sco,
    complete: complete,
    next: next,
    finish: terminate,
    showSection: showSection,
    answerAll: sco === "assessment" ? answerAll : undefined,
    submit: sco === "assessment" ? submit : undefined,
    state: function () {
      return {sco: sco, connected: lms.connected, completed: completed, terminated: terminated, score: score,
              saved: saved, section: section};
    }
  };
})();
