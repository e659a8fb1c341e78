"""Navigation in Chromium: SCORM 1.2 tree order and prerequisites, SCORM 2004 control modes and nav requests."""
from __future__ import annotations

import pytest

from .driving import content_frame, open_player, wait_for_item

pytestmark = pytest.mark.browser


def three_lessons(module_sequencing=None):
    module = {"item": "module", "title": "Module", "launchable": False, "children": [
        {"item": "a", "title": "A"}, {"item": "b", "title": "B"}, {"item": "c", "title": "C"}]}
    if module_sequencing:
        module["sequencing"] = module_sequencing
    return [module]


def enabled(page, selector: str) -> bool:
    return page.locator(selector).is_enabled()


def test_scorm12_continue_and_previous_follow_tree_order(harness, page):
    url, name = harness.course("1.2", three_lessons())
    frame = open_player(page, url)
    assert not enabled(page, "#nav-previous") and enabled(page, "#nav-continue")
    frame.evaluate("window.api.LMSInitialize('')")
    frame.evaluate("window.api.LMSSetValue('cmi.core.lesson_location', 'p3')")

    page.click("#nav-continue")
    wait_for_item(page, "b")
    # Leaving a running SCO ends its session with a final commit before the next launch.
    final = harness.wait_for_commits(name, lambda c: c.item == "a" and c.body["terminated"])
    assert final and final[0].body["cmi"]["cmi.core.lesson_location"] == "p3"
    assert content_frame(page).url.split("?")[0].endswith("/b")

    page.click("#nav-continue")
    wait_for_item(page, "c")
    assert not enabled(page, "#nav-continue")
    page.click("#nav-previous")
    wait_for_item(page, "b")


def test_scorm12_toc_choice_launches_the_chosen_item(harness, page):
    url, _ = harness.course("1.2", three_lessons())
    open_player(page, url)
    page.click("[data-item=c]")
    wait_for_item(page, "c")
    assert page.get_attribute("[data-item=c]", "aria-current") == "step"
    assert page.get_attribute("[data-item=a]", "aria-current") is None


def test_scorm12_prerequisites_hold_back_an_item_until_met(harness, page):
    url, _ = harness.course("1.2", three_lessons(), sco_extra={"b": {"prerequisites": "a"}})
    frame = open_player(page, url)
    assert not enabled(page, "[data-item=b]")

    page.click("#nav-continue")  # b is not available yet: continue skips to c
    wait_for_item(page, "c")
    page.click("[data-item=a]")
    wait_for_item(page, "a")
    frame = content_frame(page)
    frame.evaluate("window.api.LMSInitialize('')")
    frame.evaluate("window.api.LMSSetValue('cmi.core.lesson_status', 'passed')")
    frame.evaluate("window.api.LMSFinish('')")
    page.wait_for_selector("[data-item=b]:not([disabled])")
    page.click("#nav-continue")
    wait_for_item(page, "b")


def test_scorm12_prerequisites_read_the_stored_status_of_other_items(harness, page):
    url, _ = harness.course("1.2", three_lessons(), sco_extra={"c": {"prerequisites": "a & ~b"}},
                            states={"a": {"cmi": {"cmi.core.lesson_status": "completed"}, "seq": 2}})
    open_player(page, url)
    assert enabled(page, "[data-item=c]")


FLOW = {"control_mode": {"choice": True, "flow": True, "forward_only": False}}


def flowing_lessons():
    # Control modes are per cluster and not inherited: the module needs flow as well.
    return three_lessons(module_sequencing=FLOW)


def test_scorm2004_continue_request_on_terminate_launches_the_next_item(harness, page):
    url, name = harness.course("2004", flowing_lessons(), sequencing=FLOW)
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    assert frame.evaluate("window.api.SetValue('adl.nav.request', 'continue')") == "true"
    frame.evaluate("window.api.Terminate('')")
    wait_for_item(page, "b")
    final = harness.wait_for_commits(name, lambda c: c.item == "a" and c.body["terminated"])
    assert final[0].body["nav_request"] == "continue"
    assert final[0].body["cmi"]["adl.nav.request"] == "continue"


def test_scorm2004_choice_request_launches_its_target(harness, page):
    url, _ = harness.course("2004", flowing_lessons(), sequencing=FLOW)
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    frame.evaluate("window.api.SetValue('adl.nav.request', '{target=c}choice')")
    frame.evaluate("window.api.Terminate('')")
    wait_for_item(page, "c")


@pytest.mark.parametrize("request_", ["exitAll", "suspendAll"])
def test_scorm2004_closing_requests_leave_for_the_exit_url(harness, page, request_):
    url, name = harness.course("2004", flowing_lessons(), sequencing=FLOW)
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    frame.evaluate(f"window.api.SetValue('adl.nav.request', '{request_}')")
    frame.evaluate("window.api.Terminate('')")
    page.wait_for_url(f"**/harness/exit/{name}")
    final = harness.wait_for_commits(name, lambda c: c.body["terminated"])
    assert final[0].body["nav_request"] == request_


def request_valid(frame, what: str) -> str:
    return frame.evaluate(f"window.api.GetValue('adl.nav.request_valid.{what}')")


def test_scorm2004_request_valid_matches_forward_only_flow(harness, page):
    forward_only = {"control_mode": {"choice": False, "flow": True, "forward_only": True}}
    url, _ = harness.course("2004", three_lessons(module_sequencing=forward_only), sequencing=FLOW,
                            start_item="b")
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    assert request_valid(frame, "continue") == "true"
    assert request_valid(frame, "previous") == "false"
    assert request_valid(frame, "choice.{target=c}") == "false"
    assert request_valid(frame, "jump.{target=c}") == "true"
    assert frame.evaluate("window.api.GetLastError()") == "0"
    assert not enabled(page, "#nav-previous") and enabled(page, "#nav-continue")
    assert not enabled(page, "[data-item=c]") and not enabled(page, "[data-item=a]")


def test_scorm2004_flow_stops_at_a_cluster_without_flow(harness, page):
    # The organization flows, the module does not (the IMS SS default): nothing to continue to.
    url, _ = harness.course("2004", three_lessons(), sequencing=FLOW, start_item="b")
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    assert request_valid(frame, "continue") == "false"
    assert request_valid(frame, "previous") == "false"
    assert not enabled(page, "#nav-continue")


def test_scorm2004_without_sequencing_uses_the_spec_defaults(harness, page):
    # IMS SS defaults: choice on, flow off, so only the table of contents moves the learner.
    url, _ = harness.course("2004", three_lessons())
    frame = open_player(page, url)
    frame.evaluate("window.api.Initialize('')")
    assert request_valid(frame, "continue") == "false"
    assert request_valid(frame, "choice.{target=c}") == "true"
    assert request_valid(frame, "choice.{target=nowhere}") == "false"
    assert not enabled(page, "#nav-continue")
    assert enabled(page, "[data-item=c]")


def test_scorm2004_request_valid_before_initialize_is_an_error(harness, page):
    url, _ = harness.course("2004", flowing_lessons(), sequencing=FLOW)
    frame = open_player(page, url)
    assert request_valid(frame, "choice.{target=c}") == ""
    assert frame.evaluate("window.api.GetLastError()") == "122"
