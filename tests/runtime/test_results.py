"""DESIGN.md "Result rules", one row per rule: SCO outcome, course result, rounding, upstream action."""
from __future__ import annotations

from decimal import Decimal

import pytest

from scormproxy.runtime.results import (
    START,
    CourseResult,
    ScoOutcome,
    course_result,
    round_half_up,
    sco_outcome,
    upstream_action,
)


def test_first_initialize_sends_start():
    assert START == "start"


# SCORM 1.2 SCO: passed or completed -> complete; failed -> fail;
# score from cmi.core.score.raw scaled by min/max when given.
SCORM12 = [
    ({"cmi.core.lesson_status": "passed"}, ScoOutcome(True, True, False, None)),
    ({"cmi.core.lesson_status": "completed"}, ScoOutcome(True, None, False, None)),
    ({"cmi.core.lesson_status": "failed"}, ScoOutcome(False, False, True, None)),
    ({"cmi.core.lesson_status": "incomplete"}, ScoOutcome(False, None, False, None)),
    ({"cmi.core.lesson_status": "browsed"}, ScoOutcome(False, None, False, None)),
    ({"cmi.core.lesson_status": "not attempted"}, ScoOutcome(False, None, False, None)),
    ({}, ScoOutcome(False, None, False, None)),
    ({"cmi.core.score.raw": "85"}, ScoOutcome(False, None, False, 85.0)),
    ({"cmi.core.score.raw": "85", "cmi.core.score.max": "100"}, ScoOutcome(False, None, False, 85.0)),
    ({"cmi.core.score.raw": "8", "cmi.core.score.min": "0", "cmi.core.score.max": "10"},
     ScoOutcome(False, None, False, 80.0)),
    ({"cmi.core.score.raw": "30", "cmi.core.score.min": "20", "cmi.core.score.max": "40"},
     ScoOutcome(False, None, False, 50.0)),
    ({"cmi.core.score.raw": "5", "cmi.core.score.max": "4"}, ScoOutcome(False, None, False, 100.0)),  # clamped
    ({"cmi.core.score.raw": "5", "cmi.core.score.min": "9", "cmi.core.score.max": "9"},
     ScoOutcome(False, None, False, 5.0)),   # no usable range: raw as is
    ({"cmi.core.score.raw": "150"}, ScoOutcome(False, None, False, None)),
    ({"cmi.core.score.raw": ""}, ScoOutcome(False, None, False, None)),
    ({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "92.25"}, ScoOutcome(True, True, False, 92.25)),
]


@pytest.mark.parametrize(("cmi", "outcome"), SCORM12)
def test_scorm12_sco_outcome(cmi, outcome):
    assert sco_outcome("1.2", cmi) == outcome


# SCORM 2004 SCO: success failed -> fail; success passed, or completion completed with
# success unknown -> complete; score from cmi.score.scaled x 100, else raw scaled by min/max.
SCORM2004 = [
    ({"cmi.success_status": "failed", "cmi.completion_status": "completed"}, ScoOutcome(False, False, True, None)),
    ({"cmi.success_status": "passed", "cmi.completion_status": "incomplete"}, ScoOutcome(True, True, False, None)),
    ({"cmi.completion_status": "completed", "cmi.success_status": "unknown"}, ScoOutcome(True, None, False, None)),
    ({"cmi.completion_status": "completed"}, ScoOutcome(True, None, False, None)),
    ({"cmi.completion_status": "incomplete"}, ScoOutcome(False, None, False, None)),
    ({}, ScoOutcome(False, None, False, None)),
    ({"cmi.score.scaled": "0.5"}, ScoOutcome(False, None, False, 50.0)),
    ({"cmi.score.scaled": "0.995"}, ScoOutcome(False, None, False, 99.5)),
    ({"cmi.score.scaled": "-0.5"}, ScoOutcome(False, None, False, 0.0)),
    ({"cmi.score.scaled": "0.5", "cmi.score.raw": "10"}, ScoOutcome(False, None, False, 50.0)),
    ({"cmi.score.raw": "30", "cmi.score.min": "0", "cmi.score.max": "60"}, ScoOutcome(False, None, False, 50.0)),
    ({"cmi.score.raw": "75"}, ScoOutcome(False, None, False, 75.0)),
    ({"cmi.score.raw": "750"}, ScoOutcome(False, None, False, None)),
    # The launch's thresholds decide, as GetValue would (RTE 4.2.4.1, 4.2.22.1):
    ({"cmi.scaled_passing_score": "0.8", "cmi.score.scaled": "0.7", "cmi.success_status": "passed"},
     ScoOutcome(False, False, True, 70.0)),
    ({"cmi.scaled_passing_score": "0.8", "cmi.score.scaled": "0.8"}, ScoOutcome(True, True, False, 80.0)),
    ({"cmi.completion_threshold": "0.8", "cmi.progress_measure": "0.5", "cmi.completion_status": "completed"},
     ScoOutcome(False, None, False, None)),
    ({"cmi.completion_threshold": "0.8", "cmi.progress_measure": "0.9"}, ScoOutcome(True, None, False, None)),
]


@pytest.mark.parametrize(("cmi", "outcome"), SCORM2004)
def test_scorm2004_sco_outcome(cmi, outcome):
    assert sco_outcome("2004", cmi) == outcome


DONE = ScoOutcome(True, None, False, None)
PASSED_90 = ScoOutcome(True, True, False, 90.0)
OPEN_80 = ScoOutcome(False, None, False, 80.0)
FAILED_20 = ScoOutcome(False, False, True, 20.0)

# Several SCOs: complete when the rollup says so or, without sequencing, when every SCO is
# complete; course score is the rollup score, else the mean of SCO scores.
COURSE = [
    ({"a": PASSED_90}, ["a"], None, CourseResult("completed", 90)),
    ({"a": DONE, "b": OPEN_80}, ["a", "b"], None, CourseResult("in progress", 80)),
    ({"a": DONE}, ["a", "b"], None, CourseResult("in progress", None)),           # b never launched
    ({"a": DONE, "b": PASSED_90}, ["a", "b"], None, CourseResult("completed", 90)),
    ({"a": FAILED_20, "b": PASSED_90}, ["a", "b"], None, CourseResult("failed", 55)),
    ({"a": FAILED_20}, ["a", "b"], None, CourseResult("failed", 20)),
    ({"a": OPEN_80, "b": DONE, "c": PASSED_90}, ["a", "b", "c"], None, CourseResult("in progress", 85)),
    ({"a": ScoOutcome(True, None, False, 49.0), "b": ScoOutcome(True, None, False, 50.0)}, ["a", "b"], None,
     CourseResult("completed", 50)),                                               # mean 49.5 rounds up
    ({"x": PASSED_90}, ["a"], None, CourseResult("in progress", None)),            # not one of the course's SCOs
    ({"a": PASSED_90}, [], None, CourseResult("completed", 90)),                  # no list: the outcomes there are
    ({}, [], None, CourseResult("in progress", None)),
    # with a rollup from the sequencer
    ({"a": OPEN_80}, ["a", "b"], {"completed": True, "satisfied": None, "score": None},
     CourseResult("completed", 80)),
    ({"a": OPEN_80}, ["a"], {"completed": None, "satisfied": True, "score": 72.5}, CourseResult("completed", 73)),
    ({"a": DONE, "b": DONE}, ["a", "b"], {"completed": False, "satisfied": None, "score": None},
     CourseResult("in progress", None)),
    ({"a": DONE, "b": OPEN_80}, ["a", "b"], {"completed": True, "satisfied": False, "score": 40},
     CourseResult("failed", 40)),
    ({"a": DONE}, ["a", "b"], {"completed": None, "satisfied": False, "score": None},
     CourseResult("in progress", None)),                                           # b not attempted yet
    ({"a": FAILED_20, "b": PASSED_90}, ["a", "b"], {"completed": True, "satisfied": True, "score": None},
     CourseResult("completed", 55)),                                               # the rollup forgave a
    ({"a": DONE, "b": DONE}, ["a", "b"], {"completed": None, "satisfied": None, "score": None},
     CourseResult("completed", None)),                                             # silent rollup: SCO rule
    ({"a": PASSED_90}, ["a"], {"completed": None, "satisfied": None, "score": float("nan")},
     CourseResult("completed", 90)),
]


@pytest.mark.parametrize(("outcomes", "sco_ids", "rollup", "result"), COURSE)
def test_course_result(outcomes, sco_ids, rollup, result):
    assert course_result("2004", outcomes, sco_ids, rollup) == result


def test_course_rules_are_the_same_for_12():
    assert course_result("1.2", {"a": DONE, "b": PASSED_90}, ["a", "b"]) == CourseResult("completed", 90)


@pytest.mark.parametrize(("x", "whole"), [
    (49.5, 50), (49.4999, 49), (0.5, 1), (0, 0), (-3, 0), (100.4, 100), (120, 100), (99.5, 100),
    (0.995 * 100, 100),                 # float arithmetic gives 99.49999999999999
    (Decimal("72.5"), 73), (Decimal("72.49"), 72)])
def test_round_half_up(x, whole):
    assert round_half_up(x) == whole


def test_round_half_up_refuses_nan():
    with pytest.raises(ValueError):
        round_half_up(float("nan"))


def test_scaled_0995_goes_upstream_as_100():
    outcome = sco_outcome("2004", {"cmi.score.scaled": "0.995", "cmi.success_status": "passed"})
    assert upstream_action(course_result("2004", {"a": outcome}, ["a"])) == ("complete", 100)


@pytest.mark.parametrize(("result", "action"), [
    (CourseResult("completed", 90), ("complete", 90)),
    (CourseResult("completed", None), ("complete", None)),
    (CourseResult("failed", 20), ("fail", 20)),
    (CourseResult("in progress", 80), (None, None)),   # the score only rides with complete or fail
])
def test_upstream_action(result, action):
    assert upstream_action(result) == action


def test_a_rollup_that_leaves_satisfaction_unknown_does_not_fail_on_an_uncounted_sco():
    from scormproxy.runtime.results import ScoOutcome, course_result

    outcomes = {"quiz": ScoOutcome(completed=True, passed=False, failed=True, score=20.0),
                "post": ScoOutcome(completed=True, passed=None, failed=False, score=None)}
    rolled = course_result("2004", outcomes, ["quiz", "post"], {"completed": True, "satisfied": None, "score": None})
    assert rolled.status == "completed"
    plain = course_result("2004", outcomes, ["quiz", "post"])
    assert plain.status == "failed"
