"""SCORM 2004 data model: good and bad values per element, responses by type, durations, status in effect."""
from __future__ import annotations

import pytest

from scormproxy.runtime import cmi2004
from scormproxy.runtime.limits import RuntimeLimits
from scormproxy.runtime.validate import CommitRejected, validate_commit

STRICT = RuntimeLimits(strict_limits=True)


def prerequisites(name: str) -> dict[str, str]:
    """What SCORM 2004 needs set before `name` (ids first, RTE 4.2.9 / 4.2.17)."""
    parts = name.split(".")
    if parts[1] in ("interactions", "objectives") and parts[3] != "id":
        return {f"cmi.{parts[1]}.{parts[2]}.id": "id-1"}
    return {}


def check(name: str, value, *, seeded=None, limits=None, extra=None):
    commit = {**prerequisites(name), **(extra or {}), name: value}
    return validate_commit("2004", commit, seeded=seeded or {}, limits=limits)


def problem_codes(name: str, value, **kwargs) -> list[str]:
    with pytest.raises(CommitRejected) as caught:
        check(name, value, **kwargs)
    return [p.code for p in caught.value.problems if p.element == name]


GOOD = [
    *[("cmi.completion_status", s) for s in cmi2004.COMPLETION_VOCABULARY],
    *[("cmi.success_status", s) for s in cmi2004.SUCCESS_VOCABULARY],
    *[("cmi.score.scaled", v) for v in ("-1", "1", "0.5", "-1.0", "1.0", "0")],
    ("cmi.score.raw", "-500"),
    ("cmi.score.raw", "1000.25"),
    ("cmi.score.max", "200"),
    *[("cmi.progress_measure", v) for v in ("0", "1", "0.5", "1.0")],
    *[("cmi.exit", e) for e in ("", "normal", "suspend", "time-out", "logout")],
    # ADL DMB values, then scorm-again's leniencies (no T, fractions on larger units)
    *[("cmi.session_time", d) for d in ("PT1M", "PT01H059M020S", "P0Y029DT0H", "PT0H0M0S", "P1DT2H",
                                        "PT1.5S", "PT0.25S", "P1Y2M3W4D", "PT1.5H", "P1H", "P", "PT")],
    ("cmi.location", "x" * 1000),
    ("cmi.suspend_data", "x" * 64000),
    ("cmi.learner_preference.audio_level", "0"),
    ("cmi.learner_preference.audio_level", "2.5"),
    ("cmi.learner_preference.delivery_speed", "0.5"),
    *[("cmi.learner_preference.language", v) for v in ("en", "en-GB", "", "i-klingon", "x-private")],
    *[("cmi.learner_preference.audio_captioning", v) for v in ("-1", "0", "1")],
    ("cmi.interactions.0.id", "urn:q 1"),
    ("cmi.interactions.0.id", "x" * 4000),
    *[("cmi.interactions.0.type", t) for t in cmi2004.INTERACTION_TYPES],
    *[("cmi.interactions.0.timestamp", t) for t in (
        "2024-05-01T10:20:30.5Z", "2024-05-01", "2024", "2024-05-01T10:20:30+02:00", "2024-05-01T10:20:30Z",
        "2024-05-01T10:20:30.123456", "1970-01-01T00:00")],
    ("cmi.interactions.0.weighting", "1.5"),
    *[("cmi.interactions.0.result", r) for r in ("correct", "incorrect", "unanticipated", "neutral", "0.75", "-3")],
    ("cmi.interactions.0.latency", "PT12S"),
    ("cmi.interactions.0.description", "{lang=en}" + "x" * 250),
    ("cmi.interactions.0.objectives.0.id", "o1"),
    ("cmi.objectives.0.id", "urn:adl:objective:1"),
    ("cmi.objectives.0.score.scaled", "-0.5"),
    ("cmi.objectives.0.success_status", "failed"),
    ("cmi.objectives.0.completion_status", "incomplete"),
    ("cmi.objectives.0.progress_measure", "0.25"),
    ("cmi.comments_from_learner.0.comment", "{lang=fr}" + "x" * 4000),
    ("cmi.comments_from_learner.0.comment", "two\nlines"),
    ("cmi.comments_from_learner.0.location", "x" * 250),
    ("cmi.comments_from_learner.0.timestamp", "2024-05-01T10:20:30"),
    *[("adl.nav.request", r) for r in ("continue", "previous", "{target=sco-2}choice", "_none_", "exitAll",
                                       "suspendAll", "{target=intro}jump")],
]


@pytest.mark.parametrize(("name", "value"), GOOD)
def test_good_values_are_kept(name, value):
    assert check(name, value).values[name] == value


BAD = [
    ("cmi.completion_status", "finished", "value.vocabulary"),
    ("cmi.success_status", "maybe", "value.vocabulary"),
    ("cmi.score.scaled", "1.5", "value.range"),
    ("cmi.score.scaled", "-1.01", "value.range"),
    ("cmi.score.scaled", "abc", "value.type"),
    ("cmi.score.scaled", ".5", "value.type"),
    ("cmi.score.scaled", "1e-1", "value.type"),
    ("cmi.progress_measure", "1.1", "value.range"),
    ("cmi.progress_measure", "-0.1", "value.range"),
    ("cmi.exit", "quit", "value.vocabulary"),
    *[("cmi.session_time", d, "value.format") for d in (
        "1H", "PT1H30", "P-1D", "PT1.234S", "PTXS", "", "pt1m", "00:01:00", "P1.2.3D")],
    ("cmi.location", "x" * 1001, "value.too_long"),
    ("cmi.suspend_data", "x" * 64001, "value.too_long"),
    ("cmi.learner_preference.audio_level", "-0.1", "value.range"),
    ("cmi.learner_preference.delivery_speed", "fast", "value.type"),
    ("cmi.learner_preference.language", "en_GB", "value.format"),
    ("cmi.learner_preference.language", "toolonglang", "value.format"),
    ("cmi.learner_preference.audio_captioning", "2", "value.range"),
    ("cmi.learner_preference.audio_captioning", "0.5", "value.type"),
    ("cmi.interactions.0.id", "", "value.format"),
    ("cmi.interactions.0.id", "a\nb", "value.format"),
    ("cmi.interactions.0.id", "x" * 4001, "value.too_long"),
    ("cmi.interactions.0.type", "essay", "value.vocabulary"),
    *[("cmi.interactions.0.timestamp", t, "value.format") for t in (
        "1969-12-31", "2024-13-01", "2024-05-01 10:20:30", "10:20:30", "2024-05-01T24:00")],
    ("cmi.interactions.0.weighting", "abc", "value.type"),
    ("cmi.interactions.0.result", "wrong", "value.type"),                   # 1.2 vocabulary
    ("cmi.interactions.0.latency", "00:00:12", "value.format"),
    ("cmi.interactions.0.objectives.0.id", "", "value.format"),
    ("cmi.objectives.0.id", "", "value.format"),
    ("cmi.objectives.0.success_status", "completed", "value.vocabulary"),
    ("cmi.objectives.0.progress_measure", "2", "value.range"),
    ("cmi.comments_from_learner.0.comment", "x" * 4001, "value.too_long"),
    ("cmi.comments_from_learner.0.location", "x" * 251, "value.too_long"),
    ("cmi.comments_from_learner.0.timestamp", "yesterday", "value.format"),
    ("adl.nav.request", "jumpto", "value.format"),
    ("adl.nav.request", "{target=}choice", "value.format"),
]


@pytest.mark.parametrize(("name", "value", "code"), BAD)
def test_bad_values_are_refused(name, value, code):
    assert problem_codes(name, value) == [code]


READ_ONLY = [
    ("cmi.learner_id", "learner-1"),
    ("cmi.learner_name", "Jane Doe"),
    ("cmi.credit", "no-credit"),
    ("cmi.entry", "resume"),
    ("cmi.mode", "review"),
    ("cmi.launch_data", "level=2"),
    ("cmi.scaled_passing_score", "0.8"),
    ("cmi.completion_threshold", "0.6"),
    ("cmi.max_time_allowed", "PT1H"),
    ("cmi.time_limit_action", "exit,message"),
    ("cmi.comments_from_lms.0.comment", "see page 3"),
]


@pytest.mark.parametrize(("name", "seeded_value"), READ_ONLY)
def test_read_only_may_echo_the_seeded_value_and_is_not_stored(name, seeded_value):
    assert name not in check(name, seeded_value, seeded={name: seeded_value}).values


@pytest.mark.parametrize(("name", "seeded_value"), READ_ONLY)
def test_read_only_refuses_any_other_value(name, seeded_value):
    assert problem_codes(name, "tamper", seeded={name: seeded_value}) == ["element.read_only"]


@pytest.mark.parametrize(("name", "default"), [
    ("cmi.credit", "credit"), ("cmi.mode", "normal"), ("cmi.time_limit_action", "continue,no message"),
    ("cmi.scaled_passing_score", ""), ("cmi.learner_id", "")])
def test_unseeded_read_only_may_echo_scorm_agains_initial_value(name, default):
    assert name not in check(name, default).values
    assert problem_codes(name, "other") == ["element.read_only"]


def test_a_set_score_cannot_be_blanked():
    # "" is only the echo of a score never set; once set, it takes a number.
    assert problem_codes("cmi.score.raw", "", seeded={"cmi.score.raw": "50"}) == ["value.type"]


def test_comments_from_lms_cannot_be_invented():
    assert problem_codes("cmi.comments_from_lms.0.comment", "") == ["element.read_only"]


def test_total_time_is_checked_but_never_stored():
    assert cmi2004.TOTAL_TIME not in check(cmi2004.TOTAL_TIME, "PT1M30S").values
    assert problem_codes(cmi2004.TOTAL_TIME, "90 seconds") == ["value.format"]


class TestDescriptionSize:
    name = "cmi.objectives.0.description"

    def test_lang_tag_is_not_counted(self):
        assert check(self.name, "{lang=en-GB}" + "x" * 250).warnings == []

    def test_over_250_is_a_warning_when_lenient(self):
        assert [w.code for w in check(self.name, "x" * 251).warnings] == ["value.over_spec_limit"]

    def test_over_250_is_refused_when_strict(self):
        assert problem_codes(self.name, "x" * 251, limits=STRICT) == ["value.too_long"]


class TestResponses:
    def response(self, kind: str, value: str, *, element="learner_response"):
        name = "cmi.interactions.0." + (element if element == "learner_response"
                                        else "correct_responses.0.pattern")
        return name, {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": kind, name: value}

    @pytest.mark.parametrize(("kind", "value"), [
        ("true-false", "true"), ("true-false", "false"), ("numeric", "3.5"), ("numeric", "-2"),
        ("likert", "agree"), ("other", "x" * 4000), ("long-fill-in", "{lang=en}" + "x" * 4000),
        ("choice", "a[,]b"), ("fill-in", "{lang=en}blue"), ("matching", "a[.]1[,]b[.]2"),
        ("performance", "step1[.]answer"), ("sequencing", "c[,]a[,]b")])
    def test_good_learner_responses(self, kind, value):
        name, commit = self.response(kind, value)
        assert validate_commit("2004", commit, seeded={}).values[name] == value

    @pytest.mark.parametrize(("kind", "value", "code"), [
        ("true-false", "t", "value.format"), ("true-false", "1", "value.format"),
        ("numeric", "abc", "value.format"), ("numeric", "1[:]5", "value.format"),
        ("likert", "strongly agree", "value.format"),
        ("other", "x" * 4001, "value.too_long"), ("long-fill-in", "x" * 4001, "value.too_long")])
    def test_bad_learner_responses(self, kind, value, code):
        name, commit = self.response(kind, value)
        with pytest.raises(CommitRejected) as caught:
            validate_commit("2004", commit, seeded={})
        assert [(p.element, p.code) for p in caught.value.problems] == [(name, code)]

    @pytest.mark.parametrize(("kind", "value"), [
        ("numeric", "1[:]5"), ("numeric", "[:]5"), ("numeric", "5[:]"), ("numeric", "5"), ("numeric", "1:5"),
        ("numeric", ""), ("true-false", "false"), ("likert", "agree"), ("likert", ""), ("choice", "a,b")])
    def test_good_correct_patterns(self, kind, value):
        name, commit = self.response(kind, value, element="pattern")
        assert validate_commit("2004", commit, seeded={}).values[name] == value

    @pytest.mark.parametrize(("kind", "value"), [("numeric", "a[:]b"), ("true-false", "yes"), ("likert", "a b")])
    def test_bad_correct_patterns(self, kind, value):
        name, commit = self.response(kind, value, element="pattern")
        with pytest.raises(CommitRejected) as caught:
            validate_commit("2004", commit, seeded={})
        assert [(p.element, p.code) for p in caught.value.problems] == [(name, "value.format")]

    def test_a_response_needs_the_type_first(self):
        commit = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.learner_response": "true"}
        with pytest.raises(CommitRejected) as caught:
            validate_commit("2004", commit, seeded={})
        assert [(p.element, p.code) for p in caught.value.problems] == [
            ("cmi.interactions.0.learner_response", "element.dependency")]

    def test_a_response_restored_at_launch_is_not_checked_again(self):
        seeded = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "other",
                  "cmi.interactions.0.learner_response": "x" * 5000}
        assert validate_commit("2004", dict(seeded), seeded=seeded).values == seeded


@pytest.mark.parametrize("prefix", ["cmi.interactions.0", "cmi.objectives.0"])
def test_entries_need_their_id(prefix):
    with pytest.raises(CommitRejected) as caught:
        validate_commit("2004", {prefix + ".description": "about"}, seeded={})
    assert [(p.element, p.code) for p in caught.value.problems] == [(prefix + ".id", "element.dependency")]


def test_duplicate_objective_ids_are_a_warning():
    result = validate_commit("2004", {"cmi.objectives.0.id": "o1", "cmi.objectives.1.id": "o1"}, seeded={})
    assert [(w.element, w.code) for w in result.warnings] == [("cmi.objectives.1.id", "value.duplicate")]


@pytest.mark.parametrize(("text", "centiseconds"), [
    ("PT0H0M0S", 0), ("PT1M", 6000), ("PT01H059M020S", 716_000), ("P0Y029DT0H", 29 * 86400 * 100),
    ("PT1.5S", 150), ("PT0.05S", 5), ("P1W", 7 * 86400 * 100), ("PT1.5H", 5400 * 100), ("PT0,5M", 3000),
    ("P", 0), ("PT", 0), ("P1H", 360_000)])
def test_durations_parse(text, centiseconds):
    assert cmi2004.parse_duration(text) == centiseconds


@pytest.mark.parametrize(("centiseconds", "text"), [
    (0, "PT0H0M0S"), (6000, "PT1M"), (722_000, "PT2H20S"), (29 * 86400 * 100, "P29D"),
    (150, "PT1.5S"), (5, "PT0.05S"), (90061_00, "P1DT1H1M1S")])
def test_durations_format(centiseconds, text):
    assert cmi2004.format_duration(centiseconds) == text


@pytest.mark.parametrize("text", ["", "1H", "PT1H30", "P-1D", "PT1.234S"])
def test_durations_refuse_malformed_text(text):
    with pytest.raises(ValueError):
        cmi2004.parse_duration(text)


# RTE 4.2.4.1 / 4.2.22.1, rows from the ADL DMB test case (activity 20).
STATUS_IN_EFFECT = [
    ({}, "unknown", "unknown"),
    ({"cmi.completion_status": "completed", "cmi.success_status": "passed"}, "completed", "passed"),
    ({"cmi.completion_threshold": "0.6", "cmi.scaled_passing_score": "0.6",
      "cmi.completion_status": "completed", "cmi.success_status": "passed"}, "unknown", "unknown"),
    ({"cmi.completion_threshold": "0.6", "cmi.scaled_passing_score": "0.6", "cmi.progress_measure": "0.7",
      "cmi.score.scaled": "0.7", "cmi.completion_status": "incomplete", "cmi.success_status": "failed"},
     "completed", "passed"),
    ({"cmi.completion_threshold": "0.6", "cmi.scaled_passing_score": "0.6", "cmi.progress_measure": "0.5",
      "cmi.score.scaled": "0.5", "cmi.completion_status": "completed", "cmi.success_status": "passed"},
     "incomplete", "failed"),
    ({"cmi.scaled_passing_score": "-0.5", "cmi.score.scaled": "-0.5"}, "unknown", "passed"),
    ({"cmi.completion_status": "bogus"}, "unknown", "unknown"),
]


@pytest.mark.parametrize(("cmi", "completion", "success"), STATUS_IN_EFFECT)
def test_status_in_effect(cmi, completion, success):
    assert cmi2004.completion_status_in_effect(cmi) == completion
    assert cmi2004.success_status_in_effect(cmi) == success
