"""Whole commits: names, value types, counts and indices, problems collected once, real scorm-again commits."""
from __future__ import annotations

import types

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scormproxy.errors import ScormProxyError
from scormproxy.runtime import cmi12, cmi2004
from scormproxy.runtime.limits import RuntimeLimits
from scormproxy.runtime.validate import CommitRejected, validate_commit

# Flattened commits as scorm-again 3.4.3 renders them (renderCommitCMI with
# dataCommitFormat "flattened") after a SCO's SetValue calls, launched with SEED_*.
SEED_12 = {"cmi.core.student_id": "u1", "cmi.core.student_name": "Doe, J", "cmi.core.credit": "credit",
           "cmi.core.lesson_mode": "normal", "cmi.core.entry": "ab-initio", "cmi.student_data.mastery_score": "80",
           "cmi.core.total_time": "0000:00:00"}
COMMIT_12 = {
    "cmi.suspend_data": "abc", "cmi.launch_data": "", "cmi.comments": "", "cmi.comments_from_lms": "",
    "cmi.core.student_id": "u1", "cmi.core.student_name": "Doe, J", "cmi.core.lesson_location": "p3",
    "cmi.core.credit": "credit", "cmi.core.lesson_status": "incomplete", "cmi.core.entry": "ab-initio",
    "cmi.core.lesson_mode": "normal", "cmi.core.exit": "suspend", "cmi.core.session_time": "00:01:30",
    "cmi.core.score.raw": "85", "cmi.core.score.min": "", "cmi.core.score.max": "100",
    "cmi.core.total_time": "00:01:30", "cmi.objectives.0.id": "o1", "cmi.objectives.0.status": "passed",
    "cmi.objectives.0.score.raw": "90", "cmi.objectives.0.score.min": "", "cmi.objectives.0.score.max": "100",
    "cmi.student_data.mastery_score": "80", "cmi.student_data.max_time_allowed": "",
    "cmi.student_data.time_limit_action": "", "cmi.student_preference.audio": "50",
    "cmi.student_preference.language": "", "cmi.student_preference.speed": "", "cmi.student_preference.text": "",
    "cmi.interactions.0.id": "q1", "cmi.interactions.0.time": "10:11:12", "cmi.interactions.0.type": "choice",
    "cmi.interactions.0.weighting": "", "cmi.interactions.0.student_response": "a,b",
    "cmi.interactions.0.result": "correct", "cmi.interactions.0.latency": "00:00:12.5",
    "cmi.interactions.0.objectives.0.id": "o1", "cmi.interactions.0.correct_responses.0.pattern": "a,b",
}
SEED_2004 = {"cmi.learner_id": "u1", "cmi.learner_name": "Doe, J", "cmi.entry": "ab-initio", "cmi.credit": "credit",
             "cmi.mode": "normal", "cmi.scaled_passing_score": "0.8", "cmi.completion_threshold": "0.6",
             "cmi.total_time": "PT0H0M0S"}
COMMIT_2004 = {
    "cmi.comments_from_learner.0.comment": "{lang=en}nice", "cmi.comments_from_learner.0.location": "",
    "cmi.comments_from_learner.0.timestamp": "2024-05-01T10:20:30", "cmi.comments_from_lms": {},
    "cmi.completion_status": "completed", "cmi.completion_threshold": "0.6", "cmi.credit": "credit",
    "cmi.entry": "ab-initio", "cmi.exit": "suspend", "cmi.interactions.0.id": "urn:q 1",
    "cmi.interactions.0.type": "numeric", "cmi.interactions.0.objectives.0.id": "o1",
    "cmi.interactions.0.timestamp": "2024-05-01T10:20:30.5Z", "cmi.interactions.0.weighting": "",
    "cmi.interactions.0.learner_response": "3.5", "cmi.interactions.0.result": "correct",
    "cmi.interactions.0.latency": "PT12S", "cmi.interactions.0.description": "{lang=en}How much?",
    "cmi.interactions.0.correct_responses.0.pattern": "1[:]5", "cmi.interactions.1.id": "q2",
    "cmi.interactions.1.type": "choice", "cmi.interactions.1.objectives": {}, "cmi.interactions.1.timestamp": "",
    "cmi.interactions.1.weighting": "", "cmi.interactions.1.learner_response": "a[,]b",
    "cmi.interactions.1.result": "", "cmi.interactions.1.latency": "", "cmi.interactions.1.description": "",
    "cmi.interactions.1.correct_responses": {}, "cmi.launch_data": "", "cmi.learner_id": "u1",
    "cmi.learner_name": "Doe, J", "cmi.learner_preference.audio_level": "1",
    "cmi.learner_preference.language": "en-GB", "cmi.learner_preference.delivery_speed": "1",
    "cmi.learner_preference.audio_captioning": "0", "cmi.location": "p3", "cmi.max_time_allowed": "",
    "cmi.mode": "normal", "cmi.objectives.0.id": "o1", "cmi.objectives.0.success_status": "passed",
    "cmi.objectives.0.completion_status": "unknown", "cmi.objectives.0.progress_measure": "",
    "cmi.objectives.0.description": "", "cmi.objectives.0.score.scaled": "1", "cmi.objectives.0.score.raw": "",
    "cmi.objectives.0.score.min": "", "cmi.objectives.0.score.max": "", "cmi.progress_measure": "0.7",
    "cmi.scaled_passing_score": "0.8", "cmi.score.scaled": "0.9", "cmi.score.raw": "90", "cmi.score.min": "",
    "cmi.score.max": "", "cmi.session_time": "PT1M30S", "cmi.success_status": "passed", "cmi.suspend_data": "abc",
    "cmi.time_limit_action": "continue,no message", "cmi.total_time": "PT1M30S",
}


def rejected(version: str, cmi, seeded=None, limits=None) -> list[tuple[str, str]]:
    with pytest.raises(CommitRejected) as caught:
        validate_commit(version, cmi, seeded=seeded or {}, limits=limits)
    return [(p.element, p.code) for p in caught.value.problems]


class TestRealCommits:
    def test_scorm12_commit_is_accepted_without_read_only_elements(self):
        result = validate_commit("1.2", COMMIT_12, seeded=SEED_12)
        assert result.warnings == []
        assert result.values["cmi.core.lesson_status"] == "incomplete"
        assert result.values["cmi.interactions.0.student_response"] == "a,b"
        assert not set(result.values) & {"cmi.core.student_id", "cmi.core.credit", "cmi.core.total_time",
                                         "cmi.student_data.mastery_score", "cmi.launch_data"}

    def test_scorm2004_commit_is_accepted_without_read_only_elements(self):
        result = validate_commit("2004", COMMIT_2004, seeded=SEED_2004)
        assert result.warnings == []
        assert result.values["cmi.interactions.1.learner_response"] == "a[,]b"
        assert not set(result.values) & {"cmi.learner_id", "cmi.scaled_passing_score", "cmi.total_time",
                                         "cmi.comments_from_lms", "cmi.interactions.1.objectives"}

    def test_a_tampered_learner_id_in_a_real_commit_is_refused(self):
        assert rejected("2004", {**COMMIT_2004, "cmi.learner_id": "someone-else"}, SEED_2004) == [
            ("cmi.learner_id", "element.read_only")]

    @pytest.mark.parametrize("version", ["2004 4th Edition", "2004 3rd Edition", "2004 2nd Edition"])
    def test_edition_names_select_the_2004_model(self, version):
        assert validate_commit(version, COMMIT_2004, seeded=SEED_2004).values

    def test_unknown_versions_are_a_programming_error(self):
        with pytest.raises(ValueError):
            validate_commit("1.3", {}, seeded={})


class TestNames:
    @pytest.mark.parametrize("name", ["", "cmi.location\n", "cmi.\x00", "cmi.\x85location", "\ud800"])
    def test_unusable_names(self, name):
        assert rejected("2004", {name: "x"})[0][1] == "element.name"

    def test_non_text_names(self):
        assert rejected("2004", {1: "x"}) == [("1", "element.name")]

    @pytest.mark.parametrize(("version", "name"), [
        ("2004", "cmi.bogus"), ("2004", "cmi.interactions.01.id"), ("2004", "cmi.interactions.n.id"),
        ("2004", "cmi.core.lesson_status"), ("1.2", "cmi.location"), ("2004", "cmi._version"),
        ("2004", "cmi.interactions._count"), ("1.2", "adl.nav.request"), ("2004", "cmi.interactions.1234567.id"),
        ("2004", "cmi.interactions.0"), ("1.2", "cmi.core.score"), ("2004", "adl.data.0.store"),
        ("2004", "CMI.location"), ("2004", "cmi.interactions.٣.id")])
    def test_unknown_elements(self, version, name):
        assert rejected(version, {name: "x"}) == [(name, "element.unknown")]

    def test_long_names_are_cut_short_in_problems(self):
        (element, code), = rejected("2004", {"cmi." + "x" * 5000: "1"})
        assert code == "element.unknown" and len(element) < 200


class TestValues:
    @pytest.mark.parametrize(("raw", "text"), [
        (85, "85"), (0.5, "0.5"), (1e-07, "0.0000001"), (-1, "-1"), (1.0, "1.0")])
    def test_numbers_become_the_text_setvalue_would_see(self, raw, text):
        assert validate_commit("2004", {"cmi.score.raw": raw}, seeded={}).values["cmi.score.raw"] == text

    def test_booleans_become_true_and_false(self):
        commit = {"cmi.interactions.0.id": "q", "cmi.interactions.0.type": "true-false",
                  "cmi.interactions.0.learner_response": True}
        assert validate_commit("2004", commit, seeded={}).values["cmi.interactions.0.learner_response"] == "true"

    def test_null_is_a_value_never_set(self):
        assert validate_commit("2004", {"cmi.location": None}, seeded={}).values == {}

    @pytest.mark.parametrize("raw", [float("nan"), float("inf"), 10 ** 5000, {"a": 1}, ["x"], {}, [], object()],
                             ids=["nan", "inf", "huge-int", "object", "list", "empty-object", "empty-list", "other"])
    def test_other_values_are_refused(self, raw):
        assert rejected("2004", {"cmi.location": raw}) == [("cmi.location", "value.type")]

    @pytest.mark.parametrize("name", ["cmi.interactions", "cmi.objectives", "cmi.comments_from_lms",
                                      "cmi.interactions.0.correct_responses"])
    def test_empty_arrays_stand_where_arrays_are(self, name):
        commit = {"cmi.interactions.0.id": "q", name: {}}
        assert name not in validate_commit("2004", commit, seeded={}).values
        assert validate_commit("2004", {**commit, name: []}, seeded={})
        assert rejected("2004", {**commit, name: "x"}) == [(name, "value.type")]

    def test_nul_characters_are_refused(self):
        assert rejected("2004", {"cmi.suspend_data": "a\x00b"}) == [("cmi.suspend_data", "value.format")]

    def test_lone_surrogates_are_refused(self):
        assert rejected("2004", {"cmi.suspend_data": "a\ud800b"}) == [("cmi.suspend_data", "value.encoding")]

    def test_values_over_max_value_chars_are_refused(self):
        commit = {"cmi.interactions.0.id": "q", "cmi.interactions.0.type": "fill-in",
                  "cmi.interactions.0.learner_response": "x" * 101}
        assert rejected("2004", commit, limits=RuntimeLimits(max_value_chars=100)) == [
            ("cmi.interactions.0.learner_response", "value.too_long")]
        commit["cmi.interactions.0.learner_response"] = "x" * 64001
        assert rejected("2004", commit) == [("cmi.interactions.0.learner_response", "value.too_long")]


class TestCommit:
    def test_not_an_object(self):
        assert rejected("2004", ["cmi.location"]) == [("cmi", "commit.not_object")]

    def test_too_many_elements_is_refused_before_anything_else(self):
        commit = {"cmi.bogus": "1", "cmi.location": "a", "cmi.suspend_data": "b", "cmi.exit": "c"}
        assert rejected("2004", commit, limits=RuntimeLimits(max_elements=3)) == [("cmi", "commit.too_many_elements")]
        assert rejected("2004", commit, limits=RuntimeLimits(max_elements=4))[0] == ("cmi.bogus", "element.unknown")

    def test_every_problem_is_collected_and_raised_once(self):
        problems = rejected("1.2", {"cmi.bogus": "1", "cmi.core.lesson_status": "done", "cmi.core.student_id": "x",
                                    "cmi.core.score.raw": "500"})
        assert problems == [("cmi.bogus", "element.unknown"), ("cmi.core.lesson_status", "value.vocabulary"),
                            ("cmi.core.student_id", "element.read_only"), ("cmi.core.score.raw", "value.range")]

    def test_rejection_is_a_400_with_the_problems(self):
        with pytest.raises(CommitRejected) as caught:
            validate_commit("2004", {f"cmi.bogus{i}": "1" for i in range(150)}, seeded={})
        error = caught.value
        assert isinstance(error, ScormProxyError)
        assert (error.http_status, error.code) == (400, "commit.invalid")
        body = error.to_json()["error"]
        assert body["code"] == "commit.invalid" and "cmi.bogus0" in body["message"]
        assert len(body["problems"]) == 100 and body["problems_left_off"] == 50
        assert body["problems"][0] == {"element": "cmi.bogus0", "code": "element.unknown",
                                       "message": "is not a SCORM 2004 data model element"}

    def test_problems_do_not_echo_values(self):
        with pytest.raises(CommitRejected) as caught:
            validate_commit("2004", {"cmi.score.scaled": "secret-123", "cmi.learner_id": "secret-456"}, seeded={})
        assert "secret" not in str(caught.value.to_json())


class TestArrays:
    def test_gaps_are_refused(self):
        commit = {"cmi.interactions.0.id": "a", "cmi.interactions.2.id": "c"}
        assert rejected("2004", commit) == [("cmi.interactions", "index.gap")]

    def test_nested_gaps_are_refused(self):
        commit = {"cmi.interactions.0.id": "a", "cmi.interactions.0.objectives.1.id": "o"}
        assert rejected("2004", commit) == [("cmi.interactions.0.objectives", "index.gap")]

    def test_entries_restored_at_launch_count(self):
        seeded = {"cmi.interactions.0.id": "a"}
        assert validate_commit("2004", {"cmi.interactions.1.id": "b"}, seeded=seeded).values

    @pytest.mark.parametrize(("version", "array", "field", "limit_name"), [
        ("2004", "cmi.interactions", "id", "max_interactions"),
        ("2004", "cmi.objectives", "id", "max_objectives"),
        ("2004", "cmi.comments_from_learner", "comment", "max_comments"),
        ("1.2", "cmi.interactions", "id", "max_interactions"),
        ("1.2", "cmi.objectives", "id", "max_objectives"),
    ])
    def test_counts_are_capped(self, version, array, field, limit_name):
        limits = RuntimeLimits(**{limit_name: 2})
        two = {f"{array}.{i}.{field}": f"v{i}" for i in range(2)}
        assert validate_commit(version, two, seeded={}, limits=limits).values
        three = {f"{array}.{i}.{field}": f"v{i}" for i in range(3)}
        assert rejected(version, three, limits=limits) == [(array, "index.limit")]

    def test_default_caps_are_the_2004_spm(self):
        commit = {f"cmi.interactions.{i}.id": f"q{i}" for i in range(251)}
        assert rejected("2004", commit) == [("cmi.interactions", "index.limit")]


def test_limits_come_from_settings_with_defaults():
    settings = types.SimpleNamespace(cmi_strict_limits=True, cmi_max_interactions=10)
    limits = RuntimeLimits.from_settings(settings)
    assert (limits.strict_limits, limits.max_interactions, limits.max_objectives) == (True, 10, 100)
    assert RuntimeLimits.from_settings(object()) == RuntimeLimits()


# --- property: arbitrary input only ever ends in a ValidatedCommit or CommitRejected ---

def _names(model_elements) -> st.SearchStrategy[str]:
    templates = st.sampled_from(sorted(model_elements))
    index = st.integers(min_value=0, max_value=3).map(str)
    return st.builds(lambda t, i: t.replace(".n.", f".{i}.").replace(".n.", ".0."), templates, index)


_VALUES = st.one_of(st.text(max_size=30), st.sampled_from(["", "0", "1.5", "-1", "true", "PT1M", "00:00:01",
                                                            "passed", "completed", "suspend"]),
                    st.integers(), st.floats(), st.booleans(), st.none())


@pytest.mark.parametrize("version,elements", [("1.2", cmi12.ELEMENTS), ("2004", cmi2004.ELEMENTS)])
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_validate_commit_only_ever_raises_commit_rejected(version, elements, data):
    keys = st.one_of(_names(elements), st.text(max_size=40))
    cmi = data.draw(st.dictionaries(keys, _VALUES, max_size=12))
    seeded = data.draw(st.dictionaries(_names(elements), st.text(max_size=10), max_size=4))
    try:
        result = validate_commit(version, cmi, seeded=seeded)
    except CommitRejected as error:
        assert error.problems
    else:
        assert all(isinstance(v, str) for v in result.values.values())
