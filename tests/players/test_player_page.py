"""The player page in Chromium: hooks, API discovery, escaping, commits and the final commit on close."""
from __future__ import annotations

import http.client

import pytest

from .driving import open_player

pytestmark = pytest.mark.browser

TWO_SCOS = [
    {"item": "module", "title": "Module", "launchable": False, "children": [
        {"item": "sco-1", "title": "First lesson"},
        {"item": "sco-2", "title": "Second lesson"},
    ]},
]


@pytest.mark.parametrize("version, api_name, other", [("1.2", "API", "API_1484_11"),
                                                       ("2004", "API_1484_11", "API")])
def test_page_renders_hooks_and_exposes_the_api(harness, page, version, api_name, other):
    url, _ = harness.course(version, [dict(e) for e in TWO_SCOS])
    open_player(page, url)

    entries = page.eval_on_selector_all("#toc [data-item]", "els => els.map(e => e.dataset.item)")
    assert entries == ["module", "sco-1", "sco-2"]
    assert page.locator("#toc ul ul [data-item=sco-1]").count() == 1  # nested under its module
    assert page.get_attribute("[data-item=sco-1]", "aria-current") == "step"
    assert page.get_attribute("[data-item=sco-2]", "aria-current") is None
    for hook in ("#nav-previous", "#nav-continue", "#nav-exit", "iframe#content-frame"):
        assert page.locator(hook).count() == 1, hook
    assert page.evaluate(f"typeof window.{api_name}.{'LMSInitialize' if version == '1.2' else 'Initialize'}") \
        == "function"
    assert page.evaluate(f"typeof window.{other}") == "undefined"


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_content_finds_the_api_through_its_parents_and_initializes(harness, page, version):
    url, _ = harness.course(version, [dict(e) for e in TWO_SCOS],
                            states={"sco-1": {"cmi": {"cmi.core.student_id" if version == "1.2"
                                                      else "cmi.learner_id": "u-42"}, "seq": 0}})
    frame = open_player(page, url)
    prefix = "LMS" if version == "1.2" else ""
    learner = "cmi.core.student_id" if version == "1.2" else "cmi.learner_id"

    assert frame.evaluate("window.api !== null")
    assert frame.evaluate(f"window.api.{prefix}Initialize('')") == "true"
    assert frame.evaluate(f"window.api.{prefix}GetValue('{learner}')") == "u-42"  # seeded from state_url


PAYLOAD = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


def test_untrusted_titles_are_shown_escaped(harness, page):
    toc = [{"item": "sco-1", "title": "Lesson " + PAYLOAD}]
    url, _ = harness.course("2004", toc, title="Course " + PAYLOAD)
    open_player(page, url)

    assert page.evaluate("window.pwned") is None
    assert page.locator("h1.player-title").text_content() == "Course " + PAYLOAD
    assert page.locator("[data-item=sco-1]").text_content() == "Lesson " + PAYLOAD
    assert page.title() == "Course " + PAYLOAD
    assert page.locator("img").count() == 0
    config = page.evaluate("JSON.parse(document.getElementById('player-config').textContent)")
    assert config["title"] == "Course " + PAYLOAD


def test_hostile_item_identifiers_stay_attribute_values(harness, page):
    hostile = 'x" onclick="window.pwned=3'
    url, _ = harness.course("1.2", [{"item": hostile, "title": "Odd"}])
    open_player(page, url)
    entry = page.locator("#toc button")
    assert entry.get_attribute("data-item") == hostile
    assert entry.get_attribute("onclick") is None


def test_commits_carry_increasing_seq_from_the_launch_state(harness, page):
    url, name = harness.course("2004", [{"item": "sco-1", "title": "Only"}],
                               states={"sco-1": {"cmi": {"cmi.location": "p1", "cmi.learner_id": "u1",
                                                         "cmi.entry": "resume"}, "seq": 7}})
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    assert frame.evaluate("window.api.SetValue('cmi.location', 'p2')") == "true"
    assert frame.evaluate("window.api.Commit('')") == "true"
    assert frame.evaluate("window.api.SetValue('cmi.suspend_data', 'abc')") == "true"
    assert frame.evaluate("window.api.Commit('')") == "true"

    commits = harness.commits(name)
    assert [c.body["seq"] for c in commits] == [8, 9]
    assert commits[0].body["cmi"]["cmi.location"] == "p2"
    assert commits[1].body["cmi"]["cmi.suspend_data"] == "abc"
    assert all(c.body["terminated"] is False and c.body["nav_request"] is None for c in commits)
    assert "cmi.total_time" not in commits[1].body["cmi"]  # read-only: the server accumulates it
    assert "cmi.learner_preference.audio_level" not in commits[1].body["cmi"]  # untouched default
    # Launch values are the server's own; read-only ones must not come back to be re-checked.
    assert "cmi.learner_id" not in commits[1].body["cmi"] and "cmi.entry" not in commits[1].body["cmi"]


def test_terminate_sends_the_final_commit_marked_terminated(harness, page):
    url, name = harness.course("1.2", [{"item": "sco-1", "title": "Only"}])
    frame = open_player(page, url)
    frame.evaluate("window.api.LMSInitialize('')")
    frame.evaluate("window.api.LMSSetValue('cmi.core.lesson_status', 'passed')")
    assert frame.evaluate("window.api.LMSFinish('')") == "true"

    final = harness.wait_for_commits(name, lambda c: c.body.get("terminated"))
    assert final and final[0].body["cmi"]["cmi.core.lesson_status"] == "passed"
    assert final[0].body["beacon"] is True


@pytest.mark.parametrize("version, prefix, code", [("1.2", "LMS", "101"), ("2004", "", "391")])
def test_a_refused_commit_is_reported_to_the_content(harness, page, version, prefix, code):
    url, name = harness.course(version, [{"item": "sco-1", "title": "Only"}], failing={"sco-1"})
    frame = open_player(page, url)
    frame.evaluate(f"window.api.{prefix}Initialize('')")
    assert frame.evaluate(f"window.api.{prefix}Commit('')") == "false"
    assert frame.evaluate(f"window.api.{prefix}GetLastError()") == code
    assert "could not be saved" in page.locator("#player-status").text_content()


def test_closing_the_tab_right_after_a_set_value_still_delivers_it(harness, browser):
    url, name = harness.course("2004", [{"item": "sco-1", "title": "Only"}],
                               states={"sco-1": {"cmi": {}, "seq": 3}})
    context = browser.new_context()
    try:
        page = context.new_page()
        frame = open_player(page, url)
        frame.evaluate("window.api.Initialize('')")
        frame.evaluate("window.api.SetValue('cmi.suspend_data', 'closing-now')")
        page.close()  # not a navigation: the tab goes away
        delivered = harness.wait_for_commits(
            name, lambda c: c.body["cmi"].get("cmi.suspend_data") == "closing-now")
    finally:
        context.close()
    assert delivered, "no commit reached the server after the tab closed"
    assert delivered[0].body["seq"] >= 4
    assert delivered[0].body["beacon"] is True


def test_assets_are_served_with_long_cache_headers(harness, page):
    url, _ = harness.course("2004", [{"item": "sco-1", "title": "Only"}])
    page.goto(url)
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.getAttribute('src'))")
    assert any("/play/assets/vendor/scorm-again/scorm2004.min.js?v=" in s for s in scripts)
    for src in scripts:
        response = page.request.get(harness.base_url + src)
        assert response.ok, src
        assert "immutable" in response.headers["cache-control"]
        assert "max-age=31536000" in response.headers["cache-control"]


@pytest.mark.parametrize("path", ["../package.json", "vendor/scorm-again/../package.json",
                                  "vendor/scorm-again/scorm-again.js.map", "node_modules/scorm-again/package.json",
                                  "../../scormproxy/config.py", "nothing.js"])
def test_assets_outside_the_list_are_not_served(harness, path):
    # http.client sends the path as written; a browser would fold the dots away.
    host, port = harness.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", f"/play/assets/{path}")
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 404
    assert b"scorm-again" not in body and b"Settings" not in body


def test_exit_commits_then_leaves_for_the_exit_url(harness, page):
    url, name = harness.course("2004", [{"item": "sco-1", "title": "Only"}])
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    frame.evaluate("window.api.SetValue('cmi.location', 'last-page')")
    page.click("#nav-exit")
    page.wait_for_url(f"**/harness/exit/{name}")

    final = harness.wait_for_commits(name, lambda c: c.body.get("terminated"))
    assert final and final[0].body["cmi"]["cmi.location"] == "last-page"
    assert harness.courses[name].exits == 1


def test_a_commit_made_while_the_sco_unloads_goes_out_as_a_beacon(harness, page):
    # Browsers refuse synchronous requests during unload, when many SCOs commit.
    url, name = harness.course("2004", [{"item": "a", "title": "A"}, {"item": "b", "title": "B"}])
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    frame.evaluate("""window.addEventListener('unload', function () {
        window.api.SetValue('cmi.location', 'from-unload');
        window.unloadCommit = window.api.Commit('');
    })""")
    page.click("[data-item=b]")
    page.wait_for_selector('body[data-current-item="b"][data-player-state=ready]', state="attached")

    beacons = harness.wait_for_commits(
        name, lambda c: c.item == "a" and not c.body["terminated"] and c.body.get("beacon"))
    assert beacons and beacons[0].body["cmi"]["cmi.location"] == "from-unload"
    final = [c for c in harness.commits(name) if c.item == "a" and c.body["terminated"]]
    assert final and final[0].body["seq"] > beacons[0].body["seq"]
