"""Headless Chromium and a harness app: the real service plus test courses, fake SCOs and recording endpoints."""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
from flask import Blueprint, abort, jsonify, make_response, request

from scormproxy.runtime.browser import launched_chromium, serving_in_background

# A SCO as content authors write one: it finds the API by walking up its parents.
SCO_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>%(title)s</title>
<script>
function findApi(win) {
  for (var hops = 0; win && hops < 10; hops++) {
    if (win.%(api)s) return win.%(api)s;
    if (win.parent === win) break;
    win = win.parent;
  }
  return null;
}
window.api = findApi(window);
</script></head>
<body><h1>%(title)s</h1></body></html>
"""


@dataclass
class Commit:
    item: str
    body: dict
    content_type: str


@dataclass
class Course:
    config: dict
    states: dict[str, dict] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    commits: list[Commit] = field(default_factory=list)
    exits: int = 0


class Harness:
    """Courses by name, and what their player pages sent back."""

    def __init__(self):
        self.courses: dict[str, Course] = {}
        self.base_url = ""
        self.lock = threading.Lock()

    def course(self, version: str, toc: list[dict], *, title: str = "Test course", start_item=None,
               sequencing=None, states=None, failing=(), sco_extra=None) -> str:
        """Register a course whose launchable TOC entries get fake SCO pages; returns its URL."""
        name = uuid.uuid4().hex[:12]
        api = "API" if version == "1.2" else "API_1484_11"
        scos = {}

        def walk(entries):
            for entry in entries:
                entry.setdefault("children", [])
                entry.setdefault("launchable", True)
                if entry["launchable"]:
                    scos[entry["item"]] = {"href": f"/harness/content/{name}/{entry['item']}?api={api}",
                                           "scorm_type": "sco", "title": entry["title"],
                                           **(sco_extra or {}).get(entry["item"], {})}
                walk(entry["children"])

        walk(toc)
        config = {
            "attempt_id": "attempt-" + name, "scorm_version": version, "title": title,
            "learner": {"id": "u1", "name": "Learner, Test"}, "toc": toc,
            "start_item": start_item, "scos": scos,
            "state_url": f"/harness/state/{name}/{{item}}", "commit_url": f"/harness/commit/{name}/{{item}}",
            "sequencing": sequencing, "exit_url": f"/harness/exit/{name}", "preview": False,
        }
        with self.lock:
            self.courses[name] = Course(config, states=dict(states or {}), failing=set(failing))
        return f"{self.base_url}/harness/play/{name}", name

    def commits(self, name: str) -> list[Commit]:
        with self.lock:
            return list(self.courses[name].commits)

    def wait_for_commits(self, name: str, predicate, timeout: float = 10.0) -> list[Commit]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.commits(name) if predicate(c)]
            if found:
                return found
            time.sleep(0.05)
        return []


def harness_blueprint(harness: Harness) -> Blueprint:
    from scormproxy.web.player import player_page_headers, render_player_page

    bp = Blueprint("player_test_harness", __name__)

    def course(name: str) -> Course:
        found = harness.courses.get(name)
        if found is None:
            abort(404)
        return found

    @bp.get("/harness/play/<name>")
    def play(name):
        response = make_response(render_player_page(course(name).config))
        response.headers.update(player_page_headers())
        return response

    @bp.get("/harness/content/<name>/<item>")
    def content(name, item):
        if item not in course(name).config["scos"]:
            abort(404)
        api = "API" if request.args.get("api") == "API" else "API_1484_11"
        return make_response(SCO_PAGE % {"title": item, "api": api}, 200,
                             {"Content-Type": "text/html; charset=utf-8"})

    @bp.get("/harness/state/<name>/<item>")
    def state(name, item):
        return jsonify(course(name).states.get(item, {"cmi": {}, "seq": 0}))

    @bp.post("/harness/commit/<name>/<item>")
    def commit(name, item):
        found = course(name)
        body = json.loads(request.get_data(as_text=True))
        with harness.lock:
            found.commits.append(Commit(item, body, request.content_type or ""))
        if item in found.failing:
            return jsonify({"ok": False, "error": {"code": "commit.invalid", "message": "refused by test"}}), 400
        return jsonify({"ok": True, "seq": body.get("seq")})

    @bp.get("/harness/exit/<name>")
    def exit_page(name):
        with harness.lock:
            course(name).exits += 1
        return make_response("<!doctype html><title>Finished</title><p>Finished</p>", 200,
                             {"Content-Type": "text/html; charset=utf-8"})

    return bp


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Debian's /usr/bin/chromium)."""
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def harness(tmp_path_factory):
    """The real app with the player registered, plus the harness routes, served on loopback."""
    from scormproxy import create_app
    from scormproxy.web import player

    app = create_app({"data_dir": str(tmp_path_factory.mktemp("player-app")), "log_level": "WARNING"})
    player.init_app(app)
    the_harness = Harness()
    app.register_blueprint(harness_blueprint(the_harness))
    with serving_in_background(app) as base_url:
        the_harness.base_url = base_url
        yield the_harness


@pytest.fixture(scope="session")
def browser_context(browser):
    """Shared by the tests' pages so the immutable assets are fetched and compiled once."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    the_page = browser_context.new_page()
    the_page.set_default_timeout(10_000)
    yield the_page
    the_page.close()

