/*
 * Workplace Safety Quiz: one SCORM 1.2 SCO written for the scormproxy demo.
 * Finds the LMS's API, resumes from cmi.suspend_data, scores against the
 * mastery score, and offers window.demoCourse for automated runs.
 */
(function () {
  "use strict";

  // scormproxy/sandbox/demo.py keeps the same key as DEMO_QUIZ_ANSWERS; a test compares the two.
  var ANSWER_KEY = {"q1": "b", "q2": "c", "q3": "a", "q4": "b", "q5": "c"};
  var QUESTIONS = ["q1", "q2", "q3", "q4", "q5"];
  var DEFAULT_MASTERY_SCORE = 80; // the manifest's adlcp:masteryscore, if the LMS does not pass it on
  var MAX_API_HOPS = 500;

  function findApiFrom(win) {
    // The usual SCORM 1.2 discovery: this window and its parents, a bounded number of hops.
    for (var hops = 0; win && hops < MAX_API_HOPS; hops++) {
      try {
        if (win.API) { return win.API; }
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
      this.connected = !!api && String(api.LMSInitialize("")) === "true";
      return this.connected;
    },
    get: function (element) { return this.connected ? String(api.LMSGetValue(element)) : ""; },
    set: function (element, value) {
      return this.connected && String(api.LMSSetValue(element, String(value))) === "true";
    },
    commit: function () { return this.connected && String(api.LMSCommit("")) === "true"; },
    finish: function () {
      var done = this.connected && String(api.LMSFinish("")) === "true";
      this.connected = false;
      return done;
    }
  };

  var answers = {};
  var submitted = false;
  var finished = false;
  var score = null;
  var status = null;
  var startedAt = new Date().getTime();

  function byId(id) { return document.getElementById(id); }
  function show(id, text, className) {
    var element = byId(id);
    element.textContent = text;
    element.hidden = false;
    if (className) { element.className = className; }
  }
  function radio(question, value) {
    return document.querySelector("input[name=\"" + question + "\"][value=\"" + value + "\"]");
  }

  function masteryScore() {
    var given = parseFloat(lms.get("cmi.student_data.mastery_score"));
    return isFinite(given) ? given : DEFAULT_MASTERY_SCORE;
  }

  function nextQuestion() {
    for (var i = 0; i < QUESTIONS.length; i++) {
      if (!answers[QUESTIONS[i]]) { return QUESTIONS[i]; }
    }
    return QUESTIONS[QUESTIONS.length - 1];
  }

  function saveProgress() {
    lms.set("cmi.suspend_data", JSON.stringify({answers: answers, submitted: submitted}));
    lms.set("cmi.core.lesson_location", nextQuestion());
    lms.commit();
  }

  function record(question, value) {
    if (finished || submitted) { return; }
    answers[question] = value;
    saveProgress();
  }

  function resume() {
    var saved = null;
    try { saved = JSON.parse(lms.get("cmi.suspend_data") || "null"); } catch (e) { saved = null; }
    if (!saved || typeof saved.answers !== "object") { return; }
    QUESTIONS.forEach(function (question) {
      var value = saved.answers[question];
      var input = value ? radio(question, value) : null;
      if (input) {
        input.checked = true;
        answers[question] = value;
      }
    });
    var location = lms.get("cmi.core.lesson_location") || nextQuestion();
    var number = QUESTIONS.indexOf(location) + 1;
    show("resume", "Welcome back: resuming at question " + (number || 1) + ".");
    if (number > 0) { byId("fieldset-" + location).scrollIntoView(); }
  }

  function submit() {
    if (finished || submitted) { return score; }
    var correct = QUESTIONS.filter(function (q) { return answers[q] === ANSWER_KEY[q]; }).length;
    score = Math.round(correct * 100 / QUESTIONS.length);
    status = score >= masteryScore() ? "passed" : "failed";
    submitted = true;
    lms.set("cmi.core.score.raw", score);
    lms.set("cmi.core.score.min", 0);
    lms.set("cmi.core.score.max", 100);
    lms.set("cmi.core.lesson_status", status);
    saveProgress();
    show("result", "You scored " + score + "% (" + correct + " of " + QUESTIONS.length + "): " + status + ".",
         "result " + status);
    byId("submit").disabled = true;
    return score;
  }

  function sessionTime() {
    // CMITimespan, HHHH:MM:SS.SS (SCORM 1.2 RTE 3.4.2.1.5).
    var centis = Math.floor((new Date().getTime() - startedAt) / 10);
    var seconds = Math.floor(centis / 100);
    function pad(n, width) { n = String(n); while (n.length < width) { n = "0" + n; } return n; }
    return pad(Math.floor(seconds / 3600), 4) + ":" + pad(Math.floor(seconds / 60) % 60, 2) + ":" +
           pad(seconds % 60, 2) + "." + pad(centis % 100, 2);
  }

  function finish() {
    if (finished) { return; }
    finished = true;
    // Unsubmitted work is kept for next time; a submitted quiz ends normally.
    lms.set("cmi.core.exit", submitted ? "" : "suspend");
    lms.set("cmi.core.session_time", sessionTime());
    lms.commit();
    lms.finish();
    Array.prototype.forEach.call(document.querySelectorAll("input, button"), function (el) { el.disabled = true; });
    show("result", (submitted ? byId("result").textContent + " " : "") + "You may now close this course.",
         byId("result").className);
  }

  function answerAll(correctCount) {
    QUESTIONS.forEach(function (question, index) {
      var right = ANSWER_KEY[question];
      var value = index < correctCount ? right : (right === "a" ? "b" : "a");
      radio(question, value).checked = true;
      record(question, value);
    });
  }

  if (lms.initialize()) {
    if (lms.get("cmi.core.lesson_status") === "not attempted") {
      lms.set("cmi.core.lesson_status", "incomplete");
      lms.commit();
    }
    resume();
  } else {
    show("connection", "No learning management system was found: your answers will not be recorded.");
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[type=radio]"), function (input) {
    input.addEventListener("change", function () { record(input.name, input.value); });
  });
  byId("submit").addEventListener("click", submit);
  byId("finish").addEventListener("click", finish);
  window.addEventListener("pagehide", finish);

  window.demoCourse = {
    answerAll: answerAll,
    submit: submit,
    finish: finish,
    state: function () {
      return {connected: lms.connected, answers: answers, submitted: submitted, finished: finished,
              score: score, status: status};
    }
  };
})();
