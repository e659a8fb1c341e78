"""Every valid package of the real-world corpus, played through the player in headless Chromium.

The content's own code must find the API and Initialize; a scripted learner completes each
SCO (with the content's buttons where it has them, through the API it uses where it has
none), and the stored course result must be what the result rules say for the sessions
the learner ended. What each package does without what it needs (Flash, a Java applet,
a CDN) is asserted and explained where it is played.
"""
from __future__ import annotations

import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from scormproxy.launch import launch_url
from scormproxy.models import Attempt
from scormproxy.runtime.results import COMPLETED, FAILED, IN_PROGRESS
from tests.players.corpus_learner import WAIT_SECONDS, Learner, expected_result, stored_form
from tests.plugins.db import fresh_database_url
from tests.plugins.sandbox import SANDBOX_TOKEN
from tests.plugins.service import ADMIN_TOKEN, SECRET_KEY, serving

pytestmark = [pytest.mark.browser, pytest.mark.db]

MALFORMED = ["MALFORMED_moodle_badscorm_manifest_in_subdir.zip", "MALFORMED_moodle_invalid_no_manifest.zip",
             "MALFORMED_moodle_validscorm_truncated_manifest.zip"]
# The golf 4th Edition sample loads jQuery from Google's CDN; tests reach loopback only, so
# those two URLs are answered with the jQuery another corpus package carries.
CDN_STAND_INS = {"ajax.googleapis.com/ajax/libs/jquery/": "jquery.min.js",
                 "ajax.googleapis.com/ajax/libs/jqueryui/": "jquery-ui.min.js"}
CDN_DONOR = "quirky_scormdebugger_complex_SCORM12_nested_items.zip"
# Loopback is served untouched (routing every request through Python would slow each one).
LEAVING_LOOPBACK = re.compile(r"^(?!http://127\.0\.0\.1[:/])")
STATUS_ELEMENTS = re.compile(r"^cmi\.(core\.lesson_status|completion_status|success_status|(core\.)?score\.\w+)$")
# "Assets complete on launch": an asset is judged as a SCO that said completed.
ASSET_LAUNCHED = {"1.2": {"cmi.core.lesson_status": "completed"}, "2004": {"cmi.completion_status": "completed"}}
# The player's Exit waits for the last commit to land, so the result is stored by then.
RESULT_WAIT_SECONDS = 3.0
MIRROR_THREADS = 4


@dataclass
class Corpus:
    app: object
    base_url: str
    learning_ids: dict[str, int]

    def attempt(self, user: str, learning_id: int) -> Attempt | None:
        with self.app.extensions["scormproxy.db"].session() as s:
            return s.scalars(select(Attempt).where(Attempt.user_id == user,
                                                   Attempt.learning_id == learning_id)).one_or_none()


@pytest.fixture(scope="module")
def corpus_database_url(tmp_path_factory):
    """tests.plugins.db's database_url, once for the module: mirroring the corpus takes seconds."""
    with fresh_database_url(tmp_path_factory.mktemp("corpus-db")) as url:
        yield url


@pytest.fixture(scope="module")
def corpus(samples_dir, tmp_path_factory, corpus_database_url):
    """The service with the whole corpus mirrored from a sandbox (learning ids 1..n by file name), served."""
    from scormproxy import create_app
    from scormproxy.sandbox.testing import running_sandbox
    from scormproxy.services import get_services

    names = sorted(p.name for p in samples_dir.glob("*.zip"))
    learning_ids = {name: number for number, name in enumerate(names, 1)}
    with running_sandbox(samples_dir, token=SANDBOX_TOKEN, site="demo") as sandbox:
        app = create_app({"data_dir": str(tmp_path_factory.mktemp("corpus-data")), "log_level": "WARNING",
                          "database_url": corpus_database_url, "admin_token": ADMIN_TOKEN,
                          "secret_key": SECRET_KEY, "openelms_url": sandbox.site_url,
                          "openelms_token": sandbox.token})
        with app.app_context():
            mirror = get_services().mirror()
            with ThreadPoolExecutor(MIRROR_THREADS) as pool:
                outcomes = dict(zip(names, pool.map(mirror.mirror, learning_ids.values())))
    refused = sorted(name for name, outcome in outcomes.items() if not outcome.ok)
    assert refused == MALFORMED, {name: outcomes[name].error for name in refused}
    with serving(app) as base_url:
        yield Corpus(app, base_url, learning_ids)
    app.extensions["scormproxy.db"].dispose()


@pytest.fixture(scope="module")
def cdn_stand_ins(samples_dir) -> dict[str, bytes]:
    with zipfile.ZipFile(samples_dir / CDN_DONOR) as donor:
        return {member: donor.read(member) for member in CDN_STAND_INS.values()}


@pytest.fixture
def learner(browser, cdn_stand_ins):
    """A fresh tab in its own context (its own cookies), kept on loopback."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(WAIT_SECONDS * 1000)
    tab = Learner(page)

    def route(request_route):
        url = request_route.request.url
        stand_in = next((member for prefix, member in CDN_STAND_INS.items() if prefix in url), None)
        if stand_in:
            request_route.fulfill(status=200, body=cdn_stand_ins[stand_in], content_type="application/javascript")
        else:
            tab.blocked.append(url)
            request_route.abort()

    page.route(LEAVING_LOOPBACK, route)
    yield tab
    context.close()


def verdicts(sessions: dict[str, dict]) -> dict[str, dict]:
    return {item: {k: v for k, v in cmi.items() if STATUS_ELEMENTS.match(k) and v} for item, cmi in sessions.items()}


# How a learner plays each kind of content -----------------------------------------------------

def adl_cts(intent: str, values_by_item: dict[str, dict[str, str]]):
    """ADL CTS pages hand control to a Java applet (common/LMSTest.jar, not in the package, and no
    browser runs applets): their onload stops at LMSDriver.evalID before looking for the API. The
    learner stands in for the applet and drives the page's own lmsrtefunctions.js, which walks
    up the frames to the API."""
    def play(learner: Learner) -> str:
        def play_item(item):
            learner.wait_for_page_errors("LMSDriver.evalID is not a function", len(learner.visited))
            assert not learner.initializations(item), "the page initialized without its applet"
            if item not in values_by_item:
                return  # the asset: nothing to do but look at it
            ended = learner.frame.evaluate("""(values) => {
                if (doInitialize("") !== "true") return "Initialize failed";
                for (const [element, value] of Object.entries(values)) doSetValue(element, value);
                doCommit("");
                return doTerminate("");
            }""", values_by_item[item])
            assert ended == "true"
            learner.wait_for_content_initialize(item)
        learner.play_through(play_item)
        learner.exit()
        return intent
    return play


def golf_read_to_end(learner: Learner) -> None:
    """The golf launch page pages through its content with its own Next button."""
    next_page = learner.frame_locator().locator("#butNext")
    while next_page.is_enabled():
        next_page.click()


def golf_take_test(learner: Learner, wrong: int) -> None:
    """Answer the golf knowledge check, the first `wrong` questions wrongly, and submit."""
    quiz = learner.frame_locator("#contentFrame")
    quiz.locator("input[value='Submit Answers']").wait_for()
    frame = next(f for f in learner.page.frames if "assessmenttemplate" in f.url)
    answers = frame.evaluate("""(wrong) => test.Questions.map((q, index) => {
        const id = "question_" + q.Id, miss = index < wrong;
        if (q.Type === "choice") {
            const right = q.Answers.indexOf(q.CorrectAnswer);
            return {id: id + "_" + (miss ? (right + 1) % q.Answers.length : right)};
        }
        if (q.Type === "true-false") return {id: id + "_" + ((q.CorrectAnswer === true) !== miss ? "True" : "False")};
        return {id: id + "_Text", text: String(miss ? q.CorrectAnswer + 1 : q.CorrectAnswer)};
    })""", wrong)
    for answer in answers:
        choice = quiz.locator(f"[id='{answer['id']}']")
        if "text" in answer:
            choice.fill(answer["text"])
        else:
            choice.check()
    quiz.locator("input[value='Submit Answers']").click()
    quiz.get_by_text("Score:").wait_for()


def golf_single_sco(intent: str, wrong: int):
    """Golf runtime samples: one SCO paging to a final test, left with the content's own Exit."""
    def play(learner: Learner) -> str:
        item = learner.current_item
        learner.wait_for_content_initialize(item)
        golf_read_to_end(learner)
        golf_take_test(learner, wrong)
        learner.frame_locator().locator("#butExit").click()  # exitAll: the player closes the course
        learner.wait_until_finished()
        return intent
    return play


def golf_sequenced(intent: str, wrong: int):
    """Golf sequencing samples: four content SCOs read to the end, then the post-test."""
    def play(learner: Learner) -> str:
        def play_item(item):
            learner.wait_for_content_initialize(item)
            if item == "assessment_item":
                golf_take_test(learner, wrong)
            else:
                golf_read_to_end(learner)
        learner.play_through(play_item)
        learner.exit()
        return intent
    return play


def golf_not_implemented(intent: str, values: dict[str, str]):
    """Golf content-packaging samples launch a page that says "Not implemented yet" and never
    calls the API; the learner does what the SCO would have, through the API it would use."""
    def play(learner: Learner) -> str:
        learner.frame_locator().get_by_text("Not implemented yet").wait_for()
        learner.settle(500)
        assert not learner.calls, "the placeholder page is not expected to call the API"
        learner.act_as_sco(values)
        learner.exit()
        return intent
    return play


def golf_minimum_calls(learner: Learner) -> str:
    """18 SCOs that only LMSInitialize on load and LMSFinish on unload; navigation between them
    is the LMS's. SCORM 1.2 RTE 3.4.4 (cmi.core.lesson_status, p. 3-25): when the SCO never set
    the status, the LMS sets it to completed on LMSFinish (then applies a mastery score)."""
    learner.play_through(learner.wait_for_content_initialize)
    learner.exit()
    return COMPLETED


def golf_assets_only(learner: Learner) -> str:
    """Eighteen asset items, no SCO: nothing calls the API; launching each is all a learner does."""
    def play_item(item):
        learner.frame.wait_for_load_state()
        assert not learner.calls
    learner.play_through(play_item)
    learner.exit()
    return COMPLETED


def adapt(learner: Learner) -> str:
    """Adapt's spoor extension initializes on load. Its tracking needs an assessment this demo
    course does not have, so the learner passes through spoor's own ScormWrapper."""
    learner.wait_for_content_initialize(learner.current_item)
    learner.frame.wait_for_function("() => require.defined('extensions/adapt-contrib-spoor/js/scorm/wrapper')")
    learner.frame.evaluate("""() => {
        const scorm = require('extensions/adapt-contrib-spoor/js/scorm/wrapper').getInstance();
        scorm.setScore(85, 0, 100);
        scorm.setPassed();
        scorm.commit();
    }""")
    learner.exit()
    return COMPLETED


def captivate(learner: Learner) -> str:
    """Captivate's standard.js/SCORM driver initializes; the .swf needs Flash, so SWFObject sends
    the frame to Adobe's Flash download page (blocked here), and the driver finishes on unload.
    Nothing a learner can do completes it."""
    learner.wait_for_content_initialize(learner.current_item)
    deadline = time.monotonic() + WAIT_SECONDS
    while not any("get.adobe.com/flashplayer" in url for url in learner.blocked):
        assert time.monotonic() < deadline, learner.blocked
        learner.settle(100)
    learner.exit()
    return IN_PROGRESS


def storyline(learner: Learner) -> str:
    """Storyline 360 initializes on load; the learner clicks through its slides and its
    two-question quiz, then its own Exit Course. This publish reports the quiz score but no
    completion or success status, so the course stays in progress with its score stored."""
    learner.wait_for_content_initialize(learner.current_item)
    slides = learner.frame_locator()
    for _ in range(4):
        slides.get_by_role("button", name="NEXT").click()
    for _ in range(2):
        slides.get_by_role("radio", name="Correct", exact=True).click()
        slides.get_by_role("button", name="SUBMIT", exact=True).click()
        slides.get_by_role("button", name="Continue").click()
    slides.get_by_text("You’ve passed").wait_for()
    slides.get_by_role("button", name="NEXT").click()
    slides.get_by_role("button", name="Exit Course").click()
    learner.page.wait_for_function("() => window.API_1484_11.isTerminated()")
    learner.exit()
    return IN_PROGRESS


def scorm_debugger(learner: Learner) -> str:
    """The SCORM debugger's "Common operations" tab sets lesson status and score (of 10) and
    commits; every SCO item launches it. s08's prerequisites need s01 and s02 done first."""
    marks = iter([("passed", "8"), ("completed", "6"), ("passed", "10"), ("completed", None),
                  ("passed", "7"), ("completed", "9"), ("passed", "5")])
    scos = learner.items("sco")

    def pick(menu: str, option: str) -> None:
        page = learner.frame_locator()
        page.locator(f"#{menu}-button").click()
        page.locator(f"#{menu}-menu li").get_by_text(option, exact=True).click()

    def play_item(item):
        learner.wait_for_content_initialize(item)
        if item not in scos:
            return  # the asset item launches the same page; the learner only looks
        status, score = next(marks)
        learner.frame_locator().get_by_role("tab", name="Common operations").click()
        pick("set-lesson-status", status)
        if score:
            pick("set-score", score)
        learner.frame_locator().locator("#commit-common").click()
    learner.play_through(play_item)
    learner.exit()
    # CAM: isvisible="false" hides an item from the table of contents, not from the course.
    assert learner.visited == list(learner.course["scos"]), "a hidden item was left out of the flow"
    return COMPLETED




def sco_said(completion: str, success: str | None = None, scaled: str | None = None) -> dict[str, str]:
    said = {"cmi.completion_status": completion, "cmi.success_status": success, "cmi.score.scaled": scaled}
    return {element: value for element, value in said.items() if value is not None}


PLAYS = {
    "adl_cts_LMSTestPackage_API_SCORM20044thEdition.zip": adl_cts(COMPLETED, {
        "activity_2": sco_said("completed", "passed", "0.9"),
        "activity_3": sco_said("completed", "passed", "0.75")}),
    # activity_2 and _3 carry a scaled passing score (0.8, 0.7): it, not the SCO, decides success.
    "adl_cts_LMSTestPackage_CM-01_SCORM20044thEdition.zip": adl_cts(COMPLETED, {
        "activity_1": sco_said("completed", "passed", "1"),
        "activity_2": sco_said("completed", scaled="0.85"),
        "activity_3": sco_said("completed", scaled="0.7")}),
    "adl_cts_LMSTestPackage_OB-01a_SCORM20044thEdition.zip": adl_cts(FAILED, {
        "activity_1": sco_said("completed", "passed", "0.9"),
        "activity_2": sco_said("completed", "passed", "0.8"),
        "activity_3": sco_said("completed", "failed", "0.3")}),
    "adl_cts_LMSTestPackage_RU-01aa_SCORM20044thEdition.zip": adl_cts(COMPLETED, {
        f"activity_{n}": sco_said("completed") for n in (1, 3, 4, 5, 6)}),
    "authoring_adapt_framework_SCORM12.zip": adapt,
    "authoring_captivate_swf_SCORM12.zip": captivate,
    "authoring_storyline360_SCORM2004_2ndEdition_CAM13.zip": storyline,
    "golf_ContentPackagingMetadata_SCORM20043rdEdition.zip": golf_not_implemented(COMPLETED, {
        "cmi.completion_status": "completed", "cmi.score.raw": "66", "cmi.score.min": "0", "cmi.score.max": "80"}),
    "golf_ContentPackagingOneFilePerSCO_SCORM20043rdEdition_assets.zip": golf_assets_only,
    "golf_ContentPackagingSingleSCO_SCORM12.zip": golf_not_implemented(COMPLETED, {
        "cmi.core.lesson_status": "passed", "cmi.core.score.raw": "72"}),
    "golf_ContentPackagingSingleSCO_SCORM20043rdEdition.zip": golf_not_implemented(
        FAILED, sco_said("completed", "failed", "0.45")),
    # 11 of 15 right is 73 %: the content says passed (70 %), the manifest's 0.8 says failed.
    "golf_RunTimeAdvancedCalls_SCORM20043rdEdition.zip": golf_single_sco(FAILED, wrong=4),
    "golf_RuntimeBasicCalls_SCORM20043rdEdition.zip": golf_single_sco(COMPLETED, wrong=2),
    "golf_RuntimeMinimumCalls_SCORM12_multisco.zip": golf_minimum_calls,
    "golf_SequencingForcedSequential_SCORM20043rdEdition.zip": golf_sequenced(COMPLETED, wrong=0),
    "golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip": golf_sequenced(COMPLETED, wrong=4),
    "golf_SequencingPostTestRollup_SCORM20043rdEdition.zip": golf_sequenced(COMPLETED, wrong=3),
    "quirky_scormdebugger_complex_SCORM12_nested_items.zip": scorm_debugger,
}


def test_every_valid_corpus_package_has_a_learner(samples_dir):
    assert sorted(PLAYS) == sorted(p.name for p in samples_dir.glob("*.zip") if p.name not in MALFORMED)


@pytest.mark.parametrize("name", sorted(PLAYS), ids=lambda name: name.removesuffix(".zip"))
def test_corpus_package_plays_to_the_result_the_rules_give(name, corpus, learner):
    learning_id = corpus.learning_ids[name]
    user = f"corpus-learner-{learning_id}"
    settings = corpus.app.config["SETTINGS"]
    learner.open(launch_url(settings, user, learning_id, base_url=corpus.base_url))
    intent = PLAYS[name](learner)

    family = learner.course["scorm_version"]
    sessions = {item: ASSET_LAUNCHED[family] for item in learner.visited if item in learner.items("asset")}
    sessions.update(learner.sessions())
    expected = expected_result(family, learner.items("sco") or learner.items("asset"), sessions)
    assert expected.status == intent, f"the learner meant {intent}; the sessions ended {verdicts(sessions)}"

    def stored():
        attempt = corpus.attempt(user, learning_id)
        return (attempt.status, attempt.score) if attempt else None
    deadline = time.monotonic() + RESULT_WAIT_SECONDS
    while stored() != stored_form(expected) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stored() == stored_form(expected), f"the rules say {expected} for {verdicts(sessions)}"


def test_manifest_objectives_are_there_for_the_content_to_find(corpus, learner):
    """SCORM 2004 RTE 4.2.17: an activity's objectives that have an objectiveID in the manifest
    are initialized in cmi.objectives for its SCO. The golf "advanced calls" sample looks its
    four objectives up by id to record per-objective progress, and alerts when one is missing."""
    name = "golf_RunTimeAdvancedCalls_SCORM20043rdEdition.zip"
    learning_id = corpus.learning_ids[name]
    learner.open(launch_url(corpus.app.config["SETTINGS"], "corpus-objectives", learning_id,
                            base_url=corpus.base_url))
    learner.wait_for_content_initialize(learner.current_item)
    ids = learner.page.evaluate("""() => {
        const api = window.API_1484_11, count = Number(api.GetValue("cmi.objectives._count"));
        return Array.from({length: count}, (_, n) => api.GetValue(`cmi.objectives.${n}.id`));
    }""")
    assert {"obj_etiquette", "obj_handicapping", "obj_havingfun", "obj_playing"} <= set(ids), \
        f"cmi.objectives at launch: {ids}"
    assert not [text for text in learner.dialogs if "could not find objective" in text]
