"""End to end in headless Chromium: launch URL -> player -> demo course -> result upstream."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from scormproxy.launch import launch_url
from scormproxy.models import Attempt
from scormproxy.reporting.worker import OutboxWorker
from scormproxy.runtime.browser import launched_chromium
from scormproxy.sandbox.demo import DEMO_ASSESSMENT_ANSWERS, DEMO_QUIZ_ANSWERS
from tests.players.driving import content_frame, open_player, wait_for_item
from tests.plugins.service import serving

pytestmark = [pytest.mark.db, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def _attempt(app, user: str, learning: int) -> Attempt:
    with app.extensions["scormproxy.db"].session() as s:
        return s.scalars(select(Attempt).where(Attempt.user_id == user, Attempt.learning_id == learning)).one()


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def _deliver(app):
    services = app.extensions["scormproxy.services"]
    return OutboxWorker(services.db, services.client(), app.config["SETTINGS"]).run_once()


def test_scorm12_quiz_completed_with_score_reaches_open_elms(browser, mirrored_demo, sandbox):
    app = mirrored_demo
    with serving(app) as base:
        page = browser.new_page()
        frame = open_player(page, launch_url(app.config["SETTINGS"], "31", 1, base_url=base))
        wrong = {"q1": "a"}  # one wrong answer of five: 80 %, the mastery score
        for question, right in DEMO_QUIZ_ANSWERS.items():
            frame.check(f'input[name="{question}"][value="{wrong.get(question, right)}"]')
        frame.click("#submit")
        frame.click("#finish")
        _wait(lambda: _attempt(app, "31", 1).status == "completed")
        page.close()
    attempt = _attempt(app, "31", 1)
    assert (attempt.status, attempt.score) == ("completed", 80)
    assert _deliver(app) == {"delivered": 2}
    trainee = sandbox.trainee(1, 31)
    assert trainee["status"] == "completed" and trainee["score"] == 80


def test_resume_after_closing_mid_course(browser, mirrored_demo):
    app = mirrored_demo
    with serving(app) as base:
        page = browser.new_page()
        frame = open_player(page, launch_url(app.config["SETTINGS"], "32", 1, base_url=base))
        frame.check('input[name="q1"][value="b"]')
        frame.check('input[name="q2"][value="c"]')
        page.close(run_before_unload=True)  # a tab closed, not a navigation
        _wait(lambda: _attempt(app, "32", 1).started)

        page = browser.new_page()
        frame = open_player(page, launch_url(app.config["SETTINGS"], "32", 1, base_url=base))
        seen = frame.evaluate("""() => ({
            entry: window.parent.API.LMSGetValue('cmi.core.entry'),
            location: window.parent.API.LMSGetValue('cmi.core.lesson_location'),
            suspend: window.parent.API.LMSGetValue('cmi.suspend_data')})""")
        assert seen["entry"] == "resume"
        assert seen["location"]
        assert '"q1":"b"' in seen["suspend"] and '"q2":"c"' in seen["suspend"]
        assert frame.is_checked('input[name="q2"][value="c"]')  # the course itself resumed
        page.close()


def test_scorm2004_three_scos_with_navigation(browser, mirrored_demo, sandbox):
    app = mirrored_demo
    with serving(app) as base:
        page = browser.new_page()
        open_player(page, launch_url(app.config["SETTINGS"], "33", 2, base_url=base))
        wait_for_item(page, "item-intro")
        content_frame(page).click("#complete")
        content_frame(page).click("#next")              # adl.nav.request continue
        wait_for_item(page, "item-lesson")
        lesson = content_frame(page)
        lesson.click("#next-section")
        lesson.click("#next-section")
        lesson.click("#complete")
        lesson.click("#next")
        wait_for_item(page, "item-assessment")
        assessment = content_frame(page)
        for question, right in DEMO_ASSESSMENT_ANSWERS.items():
            assessment.check(f'input[name="{question}"][value="{right}"]')
        assessment.click("#submit")
        assessment.click("#next")
        _wait(lambda: _attempt(app, "33", 2).status == "completed")
        page.close()
    attempt = _attempt(app, "33", 2)
    assert (attempt.status, attempt.score) == ("completed", 100)
    _deliver(app)
    assert sandbox.trainee(2, 33)["status"] == "completed" and sandbox.trainee(2, 33)["score"] == 100
