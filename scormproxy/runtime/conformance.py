"""Replays run-time conformance fixtures (conformance/README.md) in headless Chromium against the served player."""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import ScormProxyError
from .browser import CHROMIUM_PATH, launched_chromium, serving_in_background

PAGE_READY_TIMEOUT_SECONDS = 15.0
ERROR_TEXT_MAX_CHARS = 255  # SCORM caps GetErrorString/GetDiagnostic at 255 characters
METHODS_12 = {"Initialize": "LMSInitialize", "Terminate": "LMSFinish", "Commit": "LMSCommit",
              "GetValue": "LMSGetValue", "SetValue": "LMSSetValue", "GetLastError": "LMSGetLastError",
              "GetErrorString": "LMSGetErrorString", "GetDiagnostic": "LMSGetDiagnostic"}

# Runs in the player page: every step of one activity against the API the content would find.
REPLAY_STEPS_JS = """
({version, methods, steps}) => {
  const api = version === "1.2" ? window.API : window.API_1484_11;
  const call = (name, args) => String(api[methods[name] || name].apply(api, args));
  return steps.map((step) => {
    const element = step.element === undefined ? "" : step.element;
    const value = step.value === undefined ? "" : step.value;
    let returned;
    switch (step.method) {
      case "GetValue": returned = call("GetValue", [element]); break;
      case "SetValue": returned = call("SetValue", [element, value]); break;
      case "GetLastError": returned = call("GetLastError", []); break;
      default: returned = call(step.method, [value]);
    }
    return {returned: returned, code: call("GetLastError", [])};
  });
}
"""


class FixtureError(ScormProxyError):
    code = "conformance.fixture_invalid"
    http_status = 400


@dataclass
class Fixture:
    path: Path
    scorm_version: str
    activities: list[dict]
    initial_state: dict


def fixture_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders expanded to their *.json files in name order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.json") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise FixtureError(f"{path}: no such file or folder")
    return files


def load_fixture(path: Path) -> Fixture:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FixtureError(f"{path}: not a readable JSON fixture ({exc})") from None
    version = data.get("scormVersion") if isinstance(data, dict) else None
    if version not in ("1.2", "2004") or not isinstance(data.get("activities"), list):
        raise FixtureError(f"{path}: needs scormVersion '1.2' or '2004' and a list of activities")
    return Fixture(path, version, data["activities"], data.get("initialState") or {})


def flatten_state(tree: dict, prefix: str = "") -> dict[str, str]:
    """{"cmi": {"score": {"scaled": "0.5"}}} -> {"cmi.score.scaled": "0.5"}."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten_state(value, name))
        elif value is not None:
            flat[name] = value if isinstance(value, str) else json.dumps(value)
    return flat


def expectation_met(expected, returned: str) -> bool:
    if isinstance(expected, dict):
        if expected.get("match") == "nonEmptyMax255":
            return 0 < len(returned) <= ERROR_TEXT_MAX_CHARS
        return False
    return returned == str(expected)


def describe_expected(expected) -> str:
    return expected["match"] if isinstance(expected, dict) else json.dumps(expected)


def step_subject(step: dict) -> str:
    if "element" in step:
        return step["element"] or '""'
    if "value" in step:
        return json.dumps(step["value"])
    return "-"


def check_steps(label: str, steps: list[dict], results: list[dict]) -> list[str]:
    failures = []
    for number, (step, result) in enumerate(zip(steps, results), start=1):
        want_code = str(step.get("expectedErrorCode", "0"))
        expected = step.get("expectedReturn", "")
        if expectation_met(expected, result["returned"]) and result["code"] == want_code:
            continue
        failures.append(f"{label} step {number}: {step['method']} {step_subject(step)} "
                        f"expected {describe_expected(expected)} (error {want_code}) "
                        f"got {json.dumps(result['returned'])} (error {result['code']})")
    return failures


def _create_conformance_app(data_dir: str):
    from .. import create_app
    from ..web import player

    app = create_app({"data_dir": data_dir, "log_level": "WARNING"})
    app.config["SCORMPROXY_CONFORMANCE"] = True
    player.init_app(app)
    return app


@dataclass
class Activity:
    item: str          # its item in the conformance course
    label: str         # "<file> <activity#>"
    steps: list[dict]
    cmi: dict[str, str]


def course_activities(fixtures: list[Fixture]) -> list[Activity]:
    """Every activity of `fixtures` as one item of a course, with its own launch state."""
    activities = []
    for number, fixture in enumerate(fixtures, start=1):
        for index, activity in enumerate(fixture.activities, start=1):
            state = {**fixture.initial_state, **(activity.get("initialState") or {})}
            activities.append(Activity(item=f"fixture-{number}-activity-{index}",
                                       label=f"{fixture.path.name} {index}",
                                       steps=activity.get("steps") or [], cmi=flatten_state(state)))
    return activities


def run_fixtures(paths: list[Path], *, app=None, executable_path: str = CHROMIUM_PATH,
                 ready_timeout: float = PAGE_READY_TIMEOUT_SECONDS) -> tuple[int, int, list[str]]:
    """Replay every step; returns (passed, failed, one line per failing step).

    The fixtures of one SCORM version form one course in one player page; each activity
    is a launch of its own item there, so it gets a fresh API instance seeded from its
    launch state through the same path a learner's SCO takes. `app` defaults to the
    real service (create_app on a temporary data folder, SQLite).
    """
    from ..web import player

    fixtures = [load_fixture(path) for path in fixture_files(paths)]
    with tempfile.TemporaryDirectory(prefix="scormproxy-conformance-") as data_dir:
        if app is None:
            app = _create_conformance_app(data_dir)
        else:
            app.config["SCORMPROXY_CONFORMANCE"] = True
            player.init_app(app)
        launches = player.conformance_launches(app)
        with serving_in_background(app) as base_url, launched_chromium(executable_path) as browser:
            context = browser.new_context()
            try:
                page = context.new_page()
                page.set_default_timeout(ready_timeout * 1000)
                tally = _replay_versions(page, base_url, launches, fixtures)
            finally:
                context.close()
    return tally


def _replay_versions(page, base_url: str, launches, fixtures: list[Fixture]) -> tuple[int, int, list[str]]:
    passed, failed, failures = 0, 0, []
    for version in ("1.2", "2004"):
        activities = course_activities([f for f in fixtures if f.scorm_version == version])
        if not activities:
            continue
        token = launches.register(version, {a.item: {"title": a.label, "cmi": a.cmi}
                                            for a in activities})
        try:
            _open_course(page, f"{base_url}/play/conformance/{token}")
            course_error = None
        except _ActivityNotRun as exc:
            course_error = exc
        for activity in activities:
            try:
                if course_error:
                    raise course_error
                results = _replay_activity(page, version, activity)
            except _ActivityNotRun as exc:
                failed += len(activity.steps)
                failures.extend(f"{activity.label} step {number}: {step['method']} "
                                f"{step_subject(step)} not run: {exc}"
                                for number, step in enumerate(activity.steps, start=1))
                continue
            bad = check_steps(activity.label, activity.steps, results)
            failures.extend(bad)
            failed += len(bad)
            passed += len(activity.steps) - len(bad)
    return passed, failed, failures


class _ActivityNotRun(Exception):
    pass


def _open_course(page, url: str) -> None:
    from playwright.sync_api import Error as PlaywrightError

    try:
        response = page.goto(url)
        if response is None or not response.ok:
            raise _ActivityNotRun(f"the player page answered {response.status if response else 'nothing'}")
        # A selector, not a JS predicate: the page's CSP forbids eval.
        page.wait_for_selector("body[data-player-state=ready], body[data-player-state=error]",
                               state="attached")
        if page.get_attribute("body", "data-player-state") != "ready":
            raise _ActivityNotRun("the player failed: " + (page.text_content("#player-status") or "").strip())
    except PlaywrightError as exc:
        raise _ActivityNotRun(_reason(exc)) from None


def _replay_activity(page, version: str, activity: Activity) -> list[dict]:
    from playwright.sync_api import Error as PlaywrightError

    try:
        if page.get_attribute("body", "data-current-item") != activity.item:
            page.evaluate("(item) => window.ScormProxy.player.navigateTo(item)", activity.item)
        if page.get_attribute("body", "data-current-item") != activity.item:
            raise _ActivityNotRun("the player did not launch the activity")
        return page.evaluate(REPLAY_STEPS_JS, {"version": version, "steps": activity.steps,
                                               "methods": METHODS_12 if version == "1.2" else {}})
    except PlaywrightError as exc:
        raise _ActivityNotRun(_reason(exc)) from None


def _reason(exc) -> str:
    return exc.message.splitlines()[0] if exc.message else type(exc).__name__
