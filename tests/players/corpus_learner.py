"""A scripted learner for the real-world corpus: drives the player, records the content's API calls and results."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from scormproxy.runtime.results import CourseResult, course_result, sco_outcome, upstream_action
from tests.players.driving import content_frame, wait_for_item

# Installed in the player page before its own scripts run. Whenever the player exposes an
# API instance, its Initialize and Terminate are wrapped to report who called them (the
# first /content/ URL on the stack is the package's own script) and, on Terminate, the
# data model the session ended with: the input of the result rules.
API_RECORDER = """(() => {
  if (window.top !== window) return;
  var KINDS = {Initialize: "initialize", LMSInitialize: "initialize", Terminate: "terminate", LMSFinish: "terminate"};
  function caller() {
    var found = String(new Error().stack || "").match(/https?:\\/\\/[^\\s)]*\\/content\\/[^\\s)]*/);
    return found ? found[0] : null;
  }
  function itemOf(api) {
    var player = window.ScormProxy && window.ScormProxy.player;
    return player && player.session && player.session.api === api ? player.session.itemId : null;
  }
  function snapshot(api) {
    var flat = api.renderCommitCMI(false), out = {};
    Object.keys(flat).forEach(function (key) {
      var value = flat[key];
      if (value !== null && typeof value !== "object" && typeof value !== "function") out[key] = String(value);
    });
    return out;
  }
  function wrap(api) {
    if (!api || api.__corpusWrapped) return api;
    api.__corpusWrapped = true;
    var item = null;
    Object.keys(KINDS).forEach(function (name) {
      var original = api[name];
      if (typeof original !== "function") return;
      api[name] = function () {
        item = item || itemOf(api);
        var from = caller();
        var result = String(original.apply(this, arguments));
        var record = {kind: KINDS[name], item: item, result: result, from: from, cmi: null};
        if (record.kind === "terminate" && result === "true") record.cmi = snapshot(api);
        window.corpusRecord(record);
        return result;
      };
    });
    return api;
  }
  ["API", "API_1484_11"].forEach(function (name) {
    var current;
    Object.defineProperty(window, name, {configurable: true, enumerable: true,
      get: function () { return current; }, set: function (api) { current = wrap(api); }});
  });
})();"""

POLL_MS = 100
WAIT_SECONDS = 20.0


@dataclass
class ApiCall:
    kind: str                    # initialize | terminate
    item: str | None
    result: str
    caller: str | None           # the package file whose script made the call, None for the player
    cmi: dict | None             # on a successful terminate: the data model the session ended with


@dataclass
class Learner:
    """One learner's tab on the player page of one course."""

    page: object
    course: dict = field(default_factory=dict)           # the player config, as the page got it
    visited: list[str] = field(default_factory=list)     # items launched, in order
    calls: list[ApiCall] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)     # requests that tried to leave loopback
    dialogs: list[str] = field(default_factory=list)     # alert/confirm texts the content showed
    page_errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.page.expose_function("corpusRecord", lambda record: self.calls.append(ApiCall(
            record["kind"], record["item"], record["result"], record["from"], record["cmi"])))
        self.page.add_init_script(API_RECORDER)
        self.page.on("dialog", self._dismiss)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _dismiss(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    # The player ---------------------------------------------------------------------------

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("body[data-player-state=ready]", state="attached")
        self.course = self.page.evaluate("() => window.ScormProxy.player.config")
        self.visited.append(self.current_item)

    def items(self, scorm_type: str) -> list[str]:
        """The course's launchable items of one scorm type, in manifest order."""
        return [item for item, sco in self.course["scos"].items() if sco["scorm_type"] == scorm_type]

    @property
    def current_item(self) -> str | None:
        return self.page.get_attribute("body", "data-current-item")

    def flow_order(self) -> list[str]:
        return self.page.evaluate("() => window.ScormProxy.player.tree.order.map(node => node.id)")

    def go_to(self, item: str) -> None:
        """#nav-continue when the flow leads to `item`, else its table-of-contents entry."""
        following = self.page.evaluate(
            "(current) => { const next = ScormProxy.player.tree.next(current); return next && next.id; }",
            self.current_item)
        if following == item and self.page.is_enabled("#nav-continue"):
            self.page.click("#nav-continue")
        else:
            self.page.click(f'#toc button[data-item="{item}"]')
        wait_for_item(self.page, item)
        self.visited.append(item)

    def exit(self) -> None:
        self.page.click("#nav-exit")
        self.wait_until_finished()

    def wait_until_finished(self) -> None:
        self.page.wait_for_url("**/done")

    @property
    def frame(self):
        """The content frame (a Playwright Frame)."""
        return content_frame(self.page)

    def frame_locator(self, *nested: str):
        """Locators inside the content frame, or inside frames nested in it by selector."""
        locator = self.page.frame_locator("#content-frame")
        for selector in nested:
            locator = locator.frame_locator(selector)
        return locator

    # What the content did -----------------------------------------------------------------

    def initializations(self, item: str) -> list[ApiCall]:
        return [c for c in self.calls if c.kind == "initialize" and c.item == item and c.result == "true"]

    def wait_for_content_initialize(self, item: str, timeout: float = WAIT_SECONDS) -> ApiCall:
        """The Initialize of `item` made by the package's own script; fails if none comes in time."""
        deadline = time.monotonic() + timeout
        while not self.initializations(item):
            assert time.monotonic() < deadline, f"{item}: the content never initialized (calls: {self.calls})"
            self.settle(POLL_MS)
        call = self.initializations(item)[0]
        assert call.caller and "/content/" in call.caller, f"{item}: Initialize came from {call.caller!r}"
        return call

    def wait_for_page_errors(self, text: str, count: int) -> None:
        """Until `count` uncaught errors containing `text` have been thrown in the page's frames."""
        deadline = time.monotonic() + WAIT_SECONDS
        while sum(text in error for error in self.page_errors) < count:
            assert time.monotonic() < deadline, f"no page error {text!r} (errors: {self.page_errors})"
            self.settle(POLL_MS)

    def settle(self, ms: int) -> None:
        self.page.wait_for_timeout(ms)  # unlike time.sleep, lets Playwright deliver events meanwhile

    def play_through(self, play_item) -> None:
        """Play every item the player offers, in order, moving on with #nav-continue or the TOC."""
        for index, item in enumerate(self.flow_order()):
            if index:
                self.go_to(item)
            assert self.current_item == item
            play_item(item)

    def act_as_sco(self, values: dict[str, str]) -> None:
        """For a SCO whose page never calls the API: its calls, made on the player page's API."""
        api = ("LMSInitialize", "LMSSetValue", "LMSCommit", "LMSFinish") if self.course["scorm_version"] == "1.2" \
            else ("Initialize", "SetValue", "Commit", "Terminate")
        assert self._call(api[0], "") == "true"
        for element, value in values.items():
            assert self._call(api[1], element, value) == "true", element
        assert self._call(api[2], "") == "true"
        assert self._call(api[3], "") == "true"

    def _call(self, method: str, *args) -> str:
        return self.page.evaluate(
            "([method, args]) => String((window.API || window.API_1484_11)[method](...args))", [method, list(args)])

    def sessions(self) -> dict[str, dict]:
        """Item -> the data model its last terminated session ended with."""
        ended = {}
        for call in self.calls:
            if call.cmi is not None:
                ended[call.item] = call.cmi
        return ended


def expected_result(family: str, sco_ids: list[str], sessions: dict[str, dict]) -> CourseResult:
    """What DESIGN.md's result rules say for the SCO sessions the learner ended."""
    outcomes = {item: sco_outcome(family, cmi) for item, cmi in sessions.items() if item in sco_ids}
    return course_result(family, outcomes, sco_ids)


def stored_form(result: CourseResult) -> tuple[str, int | None]:
    """(Attempt.status, Attempt.score) for a result: the score rides only with complete or fail."""
    return result.status, upstream_action(result)[1]
