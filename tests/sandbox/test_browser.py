"""The demo courses and the container relay in headless Chromium, under a recording LMS API page."""
from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from scormproxy.sandbox.demo import DEMO_QUIZ_ANSWERS

from .conftest import static_server

# A stand-in LMS: SCORM 1.2 or 2004 API over a plain object, every call recorded in window.calls.
HARNESS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>LMS harness</title>
<script>
(function () {
  var params = new URLSearchParams(location.search);
  var data = JSON.parse(decodeURIComponent(location.hash.slice(1)) || "{}");
  window.cmi = data;
  window.calls = [];
  function recorded(name, impl) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      window.calls.push([name].concat(args.map(String)));
      return impl.apply(null, args);
    };
  }
  var api = {
    Initialize: recorded("Initialize", function () { return "true"; }),
    Terminate: recorded("Terminate", function () { return "true"; }),
    GetValue: recorded("GetValue", function (k) {
      return Object.prototype.hasOwnProperty.call(data, k) ? String(data[k]) : "";
    }),
    SetValue: recorded("SetValue", function (k, v) { data[k] = String(v); return "true"; }),
    Commit: recorded("Commit", function () { return "true"; }),
    GetLastError: function () { return "0"; },
    GetErrorString: function () { return ""; },
    GetDiagnostic: function () { return ""; }
  };
  if (params.get("v") === "1.2") {
    window.API = {LMSInitialize: api.Initialize, LMSFinish: api.Terminate, LMSGetValue: api.GetValue,
                  LMSSetValue: api.SetValue, LMSCommit: api.Commit, LMSGetLastError: api.GetLastError,
                  LMSGetErrorString: api.GetErrorString, LMSGetDiagnostic: api.GetDiagnostic};
  } else {
    window.API_1484_11 = api;
  }
})();
</script></head>
<body><iframe id="content-frame" style="width: 900px; height: 700px"></iframe>
<script>document.getElementById("content-frame").src = new URLSearchParams(location.search).get("launch");</script>
</body></html>
"""


@pytest.fixture
def www(tmp_path, demo_packages):
    """A site (its own origin) with the harness and both demo courses extracted."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "harness.html").write_text(HARNESS)
    for number, name in ((1, "01-safety-quiz-scorm12.zip"), (2, "02-workshop-basics-scorm2004.zip")):
        with zipfile.ZipFile(demo_packages / name) as archive:
            archive.extractall(root / f"course{number}")
    with static_server(root) as base_url:
        yield root, base_url


def _open(page, base_url: str, version: str, launch: str, cmi: dict):
    page.goto(f"{base_url}/harness.html?v={version}&launch={quote(launch)}#{quote(json.dumps(cmi))}")
    return _course_frame(page, launch.rsplit("/", 1)[-1] if "container" not in launch else None)


def _course_frame(page, file_name: str | None, timeout: float = 10.0):
    """The frame running a demo course (possibly nested in a container), once its script has run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame == page.main_frame or (file_name and not frame.url.endswith(file_name)):
                continue
            try:
                if frame.evaluate("() => !!window.demoCourse"):
                    return frame
            except Exception:  # a frame still navigating
                pass
        page.wait_for_timeout(50)
    pytest.fail(f"no course frame came up; frames: {[f.url for f in page.frames]}")


def _calls(page) -> list[list[str]]:
    return page.evaluate("() => window.calls")


def _cmi(page) -> dict:
    return page.evaluate("() => window.cmi")


def _api_calls(page, name: str) -> int:
    return sum(1 for call in _calls(page) if call[0] == name)


QUIZ_START = {"cmi.core.lesson_status": "not attempted", "cmi.core.entry": "ab-initio",
              "cmi.student_data.mastery_score": "80", "cmi.core.student_id": "7"}


def test_quiz_passes_at_the_mastery_score_by_clicking(page, www):
    _, base_url = www
    course = _open(page, base_url, "1.2", "course1/index.html", QUIZ_START)
    questions = sorted(DEMO_QUIZ_ANSWERS)
    for question in questions[:4]:
        course.click(f"input[name={question}][value={DEMO_QUIZ_ANSWERS[question]}]")
    course.click(f"input[name=q5][value={'a' if DEMO_QUIZ_ANSWERS['q5'] != 'a' else 'b'}]")
    course.click("#submit")
    assert "80%" in course.inner_text("#result") and "passed" in course.inner_text("#result")
    course.click("#finish")
    cmi = _cmi(page)
    assert cmi["cmi.core.lesson_status"] == "passed"
    assert (cmi["cmi.core.score.raw"], cmi["cmi.core.score.min"], cmi["cmi.core.score.max"]) == ("80", "0", "100")
    assert cmi["cmi.core.exit"] == ""
    assert re.fullmatch(r"\d{4}:\d\d:\d\d\.\d\d", cmi["cmi.core.session_time"])
    calls = _calls(page)
    assert calls[0][0] == "Initialize" and calls[-1][0] == "Terminate"
    assert _api_calls(page, "Terminate") == 1


def test_quiz_resumes_where_the_learner_left_and_can_fail(page, www):
    _, base_url = www
    saved = {"answers": {"q1": DEMO_QUIZ_ANSWERS["q1"], "q2": DEMO_QUIZ_ANSWERS["q2"]}, "submitted": False}
    course = _open(page, base_url, "1.2", "course1/index.html", {
        **QUIZ_START, "cmi.core.lesson_status": "incomplete", "cmi.core.entry": "resume",
        "cmi.suspend_data": json.dumps(saved), "cmi.core.lesson_location": "q3"})
    assert "question 3" in course.inner_text("#resume")
    assert course.is_checked(f"input[name=q1][value={DEMO_QUIZ_ANSWERS['q1']}]")
    course.evaluate("() => { demoCourse.submit(); }")
    state = course.evaluate("() => demoCourse.state()")
    assert (state["score"], state["status"]) == (40, "failed")  # two of five, as resumed
    course.evaluate("() => demoCourse.finish()")
    assert _cmi(page)["cmi.core.lesson_status"] == "failed"


def test_quiz_suspends_unfinished_work_when_the_page_goes(page, www):
    _, base_url = www
    course = _open(page, base_url, "1.2", "course1/index.html", QUIZ_START)
    course.click("input[name=q1][value=a]")
    assert _cmi(page)["cmi.core.lesson_location"] == "q2"
    page.evaluate("() => { document.getElementById('content-frame').src = 'about:blank'; }")
    page.wait_for_function("() => window.calls.some(c => c[0] === 'Terminate')")
    cmi = _cmi(page)
    assert cmi["cmi.core.exit"] == "suspend"
    assert json.loads(cmi["cmi.suspend_data"])["answers"] == {"q1": "a"}
    assert cmi["cmi.core.lesson_status"] == "incomplete"


@pytest.mark.parametrize("correct, success, scaled", [(3, "passed", "1"), (2, "failed", "0.6667")])
def test_assessment_scores_and_asks_to_continue(page, www, correct, success, scaled):
    _, base_url = www
    course = _open(page, base_url, "2004", "course2/assessment.html",
                   {"cmi.completion_status": "unknown", "cmi.entry": "ab-initio", "cmi.scaled_passing_score": "0.7"})
    course.evaluate(f"() => demoCourse.answerAll({correct})")
    course.click("#submit")
    course.click("#next")
    cmi = _cmi(page)
    assert (cmi["cmi.success_status"], cmi["cmi.score.scaled"]) == (success, scaled)
    assert cmi["cmi.score.raw"] == str(round(float(scaled) * 100))
    assert cmi["cmi.completion_status"] == "completed"
    assert (cmi["adl.nav.request"], cmi["cmi.exit"]) == ("continue", "normal")
    assert re.fullmatch(r"PT\d+\.\d\dS", cmi["cmi.session_time"])
    assert _api_calls(page, "Terminate") == 1


def test_lesson_resumes_on_its_page_and_completes(page, www):
    _, base_url = www
    course = _open(page, base_url, "2004", "course2/lesson.html", {
        "cmi.completion_status": "incomplete", "cmi.entry": "resume", "cmi.location": "2",
        "cmi.suspend_data": json.dumps({"seen": [1, 2]})})
    assert "page 2" in course.inner_text("#resume")
    assert course.is_visible("#section-2") and not course.is_visible("#section-1")
    course.click("#next-section")
    cmi = _cmi(page)
    assert (cmi["cmi.location"], cmi["cmi.progress_measure"]) == ("3", "1.00")
    course.click("#complete")
    course.evaluate("() => demoCourse.finish()")
    cmi = _cmi(page)
    assert (cmi["cmi.completion_status"], cmi["cmi.exit"]) == ("completed", "normal")


def test_intro_without_an_lms_says_so(page, www):
    _, base_url = www
    page.goto(f"{base_url}/course2/intro.html")
    assert page.is_visible("#connection")
    assert page.evaluate("() => demoCourse.state().connected") is False


# The container relay: LMS page on one origin, course from the sandbox on another -------------


def _serve_container(api, root: Path, learning_id: int) -> str:
    response = api.get(f"learning/download-container/{learning_id}")
    assert response.status_code == 200
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(root / f"container{learning_id}")
    return f"container{learning_id}/container.html"


def test_container_plays_the_quiz_from_the_sandbox_and_relays_the_api(page, www, sandbox, api):
    root, base_url = www
    launch = _serve_container(api, root, 1)
    saved = {"answers": {"q1": "a"}, "submitted": False}
    page.goto(f"{base_url}/harness.html?v=1.2&launch={quote(launch)}#" + quote(json.dumps({
        **QUIZ_START, "cmi.core.entry": "resume", "cmi.suspend_data": json.dumps(saved),
        "cmi.core.lesson_location": "q2"})))
    course = _course_frame(page, "index.html")
    assert course.url == f"{sandbox.site_url}/content/1/index.html"  # another origin than the LMS page
    assert "question 2" in course.inner_text("#resume")  # the snapshot reached the course
    course.evaluate("() => { demoCourse.answerAll(5); demoCourse.submit(); demoCourse.finish(); }")
    page.wait_for_function("() => window.calls.some(c => c[0] === 'Terminate')")
    cmi = _cmi(page)
    assert (cmi["cmi.core.lesson_status"], cmi["cmi.core.score.raw"]) == ("passed", "100")
    assert json.loads(cmi["cmi.suspend_data"])["answers"] == DEMO_QUIZ_ANSWERS
    assert cmi["cmi.core.exit"] == ""
    assert (_api_calls(page, "Initialize"), _api_calls(page, "Terminate")) == (1, 1)


def test_container_relays_scorm_2004_navigation_requests(page, www, api):
    root, base_url = www
    launch = _serve_container(api, root, 2)
    page.goto(f"{base_url}/harness.html?v=2004&launch={quote(launch)}#"
              + quote(json.dumps({"cmi.completion_status": "unknown", "cmi.entry": "ab-initio"})))
    course = _course_frame(page, "intro.html")
    course.click("#complete")
    course.click("#next")
    page.wait_for_function("() => window.calls.some(c => c[0] === 'Terminate')")
    cmi = _cmi(page)
    assert (cmi["cmi.completion_status"], cmi["adl.nav.request"], cmi["cmi.exit"]) == (
        "completed", "continue", "normal")


def test_remote_player_opened_directly_refuses(page, sandbox):
    page.goto(f"{sandbox.site_url}/remote-player/1")
    assert "through its SCORM container" in page.inner_text("#player-status")
    assert len(page.frames) == 1
