"""SCORM 1.2 data model: good and bad values per element, read-only handling, strict/lenient sizes."""
from __future__ import annotations

import pytest

from scormproxy.runtime import cmi12
from scormproxy.runtime.limits import RuntimeLimits
from scormproxy.runtime.validate import CommitRejected, validate_commit

STRICT = RuntimeLimits(strict_limits=True)


def check(name: str, value, *, seeded=None, limits=None, extra=None):
    """Validate a one-element commit; returns the ValidatedCommit."""
    return validate_commit("1.2", {**(extra or {}), name: value}, seeded=seeded or {}, limits=limits)


def problem_codes(name: str, value, **kwargs) -> list[str]:
    with pytest.raises(CommitRejected) as caught:
        check(name, value, **kwargs)
    return [p.code for p in caught.value.problems if p.element == name]


GOOD = [
    ("cmi.core.lesson_location", ""),
    ("cmi.core.lesson_location", "page-1"),
    ("cmi.core.lesson_location", "x" * 255),
    *[("cmi.core.lesson_status", s) for s in ("passed", "completed", "failed", "incomplete", "browsed")],
    ("cmi.core.score.raw", "85"),
    ("cmi.core.score.raw", "0"),
    ("cmi.core.score.raw", "100"),
    ("cmi.core.score.raw", "99.5"),
    ("cmi.core.score.raw", "85."),
    ("cmi.core.score.raw", ""),          # ADL 1.2 test suite: blank clears the score
    ("cmi.core.score.min", "0"),
    ("cmi.core.score.max", "50"),
    *[("cmi.core.exit", e) for e in ("", "time-out", "suspend", "logout")],
    ("cmi.core.session_time", "00:00:00"),
    ("cmi.core.session_time", "0000:01:30.5"),
    ("cmi.core.session_time", "12:34:56.78"),
    ("cmi.core.session_time", "123456:00:00"),
    ("cmi.suspend_data", "x" * 4096),
    ("cmi.suspend_data", "line1\nline2\ttab"),
    ("cmi.comments", "x" * 4096),
    ("cmi.objectives.0.id", "obj-1"),
    ("cmi.objectives.0.id", "obj 1"),    # blanks: lenient, as scorm-again
    *[("cmi.objectives.0.status", s) for s in cmi12.LESSON_STATUS_ALL],
    ("cmi.objectives.0.score.raw", "50"),
    ("cmi.student_preference.audio", "-1"),
    ("cmi.student_preference.audio", "100"),
    ("cmi.student_preference.speed", "-100"),
    ("cmi.student_preference.text", "1"),
    ("cmi.student_preference.language", "en"),
    ("cmi.interactions.0.id", "q1"),
    ("cmi.interactions.0.time", "23:59:59"),
    ("cmi.interactions.0.time", "10:11:12.5"),
    *[("cmi.interactions.0.type", t) for t in cmi12.INTERACTION_TYPES],
    ("cmi.interactions.0.weighting", "-100"),
    ("cmi.interactions.0.weighting", "1.5"),
    ("cmi.interactions.0.student_response", "a,b"),
    *[("cmi.interactions.0.result", r) for r in ("correct", "wrong", "unanticipated", "neutral", "0.5", "1", "")],
    ("cmi.interactions.0.latency", "00:00:12.5"),
    ("cmi.interactions.0.objectives.0.id", "o1"),
    ("cmi.interactions.0.correct_responses.0.pattern", "t"),
]


@pytest.mark.parametrize(("name", "value"), GOOD)
def test_good_values_are_kept(name, value):
    assert check(name, value).values[name] == value


BAD = [
    ("cmi.core.lesson_location", "x" * 256, "value.too_long"),
    ("cmi.core.lesson_status", "bogus", "value.vocabulary"),
    ("cmi.core.lesson_status", "Passed", "value.vocabulary"),
    ("cmi.core.score.raw", "150", "value.range"),
    ("cmi.core.score.raw", "-1", "value.range"),
    ("cmi.core.score.raw", "abc", "value.type"),
    ("cmi.core.score.raw", "1e2", "value.type"),
    ("cmi.core.score.max", "100.01", "value.range"),
    ("cmi.core.exit", "normal", "value.vocabulary"),                   # 2004 only
    ("cmi.core.session_time", "00:00", "value.format"),
    ("cmi.core.session_time", "PT1M", "value.format"),
    ("cmi.core.session_time", "00:00:00.123", "value.format"),
    ("cmi.core.session_time", "aa:bb:cc", "value.format"),
    ("cmi.comments", "x" * 4097, "value.too_long"),
    ("cmi.objectives.0.status", "unknown", "value.vocabulary"),
    ("cmi.objectives.0.id", "x" * 256, "value.too_long"),
    ("cmi.objectives.0.id", "bell\x07", "value.format"),
    ("cmi.objectives.0.score.raw", "101", "value.range"),
    ("cmi.student_preference.audio", "-2", "value.range"),
    ("cmi.student_preference.audio", "101", "value.range"),
    ("cmi.student_preference.audio", "1.5", "value.type"),
    ("cmi.student_preference.speed", "-101", "value.range"),
    ("cmi.student_preference.text", "2", "value.range"),
    ("cmi.student_preference.language", "x" * 256, "value.too_long"),
    ("cmi.interactions.0.time", "24:00:00", "value.format"),
    ("cmi.interactions.0.time", "10:60:00", "value.format"),
    ("cmi.interactions.0.time", "10:11", "value.format"),
    ("cmi.interactions.0.type", "long-fill-in", "value.vocabulary"),   # 2004 only
    ("cmi.interactions.0.type", "other", "value.vocabulary"),
    ("cmi.interactions.0.weighting", "101", "value.range"),
    ("cmi.interactions.0.weighting", "heavy", "value.type"),
    ("cmi.interactions.0.result", "incorrect", "value.type"),           # 1.2 says "wrong"
    ("cmi.interactions.0.result", "-1", "value.type"),
    ("cmi.interactions.0.latency", "PT12S", "value.format"),
]


@pytest.mark.parametrize(("name", "value", "code"), BAD)
def test_bad_values_are_refused(name, value, code):
    assert problem_codes(name, value) == [code]


READ_ONLY = [
    ("cmi.core.student_id", "learner-1"),
    ("cmi.core.student_name", "Doe, Jane"),
    ("cmi.core.credit", "credit"),
    ("cmi.core.entry", "ab-initio"),
    ("cmi.core.lesson_mode", "review"),
    ("cmi.launch_data", "level=2"),
    ("cmi.comments_from_lms", "see page 3"),
    ("cmi.student_data.mastery_score", "80"),
    ("cmi.student_data.max_time_allowed", "0001:00:00"),
    ("cmi.student_data.time_limit_action", "exit,message"),
]


@pytest.mark.parametrize(("name", "seeded_value"), READ_ONLY)
def test_read_only_may_echo_the_seeded_value_and_is_not_stored(name, seeded_value):
    result = check(name, seeded_value, seeded={name: seeded_value})
    assert name not in result.values


@pytest.mark.parametrize(("name", "seeded_value"), READ_ONLY)
def test_read_only_refuses_any_other_value(name, seeded_value):
    assert problem_codes(name, "tamper", seeded={name: seeded_value}) == ["element.read_only"]


@pytest.mark.parametrize(("name", "default"), [
    ("cmi.core.lesson_mode", "normal"), ("cmi.launch_data", ""), ("cmi.core.credit", ""), ("cmi.core.entry", "")])
def test_unseeded_read_only_may_echo_scorm_agains_initial_value(name, default):
    assert name not in check(name, default).values
    assert problem_codes(name, default + "x") == ["element.read_only"]


def test_not_attempted_is_accepted_only_as_an_echo():
    assert check(cmi12.LESSON_STATUS, "not attempted").values[cmi12.LESSON_STATUS] == "not attempted"
    assert problem_codes(cmi12.LESSON_STATUS, "not attempted",
                         seeded={cmi12.LESSON_STATUS: "incomplete"}) == ["value.vocabulary"]


def test_initial_values_that_fail_their_type_may_still_be_echoed():
    # scorm-again's flattened commit carries "" for preferences no SCO set.
    assert check("cmi.student_preference.audio", "").values["cmi.student_preference.audio"] == ""
    assert problem_codes("cmi.student_preference.audio", "", seeded={"cmi.student_preference.audio": "50"}) \
        == ["value.type"]


def test_total_time_is_checked_but_never_stored():
    assert cmi12.TOTAL_TIME not in check(cmi12.TOTAL_TIME, "0000:05:00").values
    assert problem_codes(cmi12.TOTAL_TIME, "five minutes") == ["value.format"]


class TestSizes:
    def test_suspend_data_over_4096_is_kept_with_a_warning_when_lenient(self):
        result = check("cmi.suspend_data", "x" * 5000)
        assert result.values["cmi.suspend_data"] == "x" * 5000
        assert [(w.element, w.code) for w in result.warnings] == [("cmi.suspend_data", "value.over_spec_limit")]

    def test_suspend_data_over_4096_is_refused_when_strict(self):
        assert problem_codes("cmi.suspend_data", "x" * 4097, limits=STRICT) == ["value.too_long"]

    def test_strict_still_takes_4096(self):
        assert check("cmi.suspend_data", "x" * 4096, limits=STRICT).warnings == []

    def test_lenient_suspend_data_has_a_hard_cap(self):
        assert check("cmi.suspend_data", "x" * 65536).values
        assert problem_codes("cmi.suspend_data", "x" * 65537) == ["value.too_long"]
        limits = RuntimeLimits(max_suspend_data_12=6000)
        assert problem_codes("cmi.suspend_data", "x" * 6001, limits=limits) == ["value.too_long"]

    def test_feedback_over_255_is_a_warning_when_lenient_and_refused_when_strict(self):
        name = "cmi.interactions.0.student_response"
        assert [w.code for w in check(name, "a" * 300).warnings] == ["value.over_spec_limit"]
        assert problem_codes(name, "a" * 300, limits=STRICT) == ["value.too_long"]

    def test_identifier_blanks_are_refused_when_strict(self):
        assert problem_codes("cmi.objectives.0.id", "obj 1", limits=STRICT) == ["value.format"]
        assert check("cmi.objectives.0.id", "obj-1", limits=STRICT).values


@pytest.mark.parametrize(("text", "centiseconds"), [
    ("00:00:00", 0), ("0000:01:30", 9000), ("01:02:03.4", 372340), ("12345:00:00.05", 4444200005)])
def test_timespan_parses(text, centiseconds):
    assert cmi12.parse_timespan(text) == centiseconds


@pytest.mark.parametrize(("centiseconds", "text"), [
    (0, "0000:00:00"), (9000, "0000:01:30"), (372340, "0001:02:03.40"), (100 * 3600 * 10000, "10000:00:00")])
def test_timespan_formats(centiseconds, text):
    assert cmi12.format_timespan(centiseconds) == text


@pytest.mark.parametrize("text", ["", "1:2:3", "PT1M", "00:00:00.123"])
def test_timespan_refuses_malformed_text(text):
    with pytest.raises(ValueError):
        cmi12.parse_timespan(text)
