"""Launch state: entry, credit and mode, manifest values, what resumes, total time."""
from __future__ import annotations

import pytest

from scormproxy.runtime.launchstate import accumulate_total_time, entry_for, launch_state, session_exit
from scormproxy.runtime.validate import validate_commit

LEARNER = {"learner_id": "u-42", "learner_name": "Doe, Jane"}


def launch(version, item=None, **kwargs):
    return launch_state(version, **LEARNER, item=item or {}, **kwargs)


class TestScorm12:
    def test_first_launch(self):
        state = launch("1.2", {"data_from_lms": "level=2", "mastery_score": 80,
                               "max_time_allowed": "0001:00:00", "time_limit_action": "exit,message"})
        assert state == {
            "cmi.core.student_id": "u-42", "cmi.core.student_name": "Doe, Jane", "cmi.core.entry": "ab-initio",
            "cmi.core.credit": "credit", "cmi.core.lesson_mode": "normal", "cmi.launch_data": "level=2",
            "cmi.student_data.mastery_score": "80", "cmi.student_data.max_time_allowed": "0001:00:00",
            "cmi.student_data.time_limit_action": "exit,message", "cmi.core.total_time": "0000:00:00"}

    @pytest.mark.parametrize(("mastery", "seeded"), [
        (80, "80"), (80.0, "80"), (72.5, "72.5"), ("65", "65"), (0, "0"), (100, "100"),
        (150, None), (-1, None), ("eighty", None), (True, None), (None, None)])
    def test_mastery_score(self, mastery, seeded):
        assert launch("1.2", {"mastery_score": mastery}).get("cmi.student_data.mastery_score") == seeded

    @pytest.mark.parametrize(("credit", "mode"), [("no-credit", "browse"), ("credit", "review")])
    def test_credit_and_mode(self, credit, mode):
        state = launch("1.2", {"credit": credit, "mode": mode})
        assert (state["cmi.core.credit"], state["cmi.core.lesson_mode"]) == (credit, mode)

    def test_bad_manifest_values_fall_back_or_are_left_out(self):
        state = launch("1.2", {"credit": "maybe", "mode": "fast", "max_time_allowed": "PT1H",
                               "time_limit_action": "explode"})
        assert (state["cmi.core.credit"], state["cmi.core.lesson_mode"]) == ("credit", "normal")
        assert "cmi.student_data.max_time_allowed" not in state
        assert "cmi.student_data.time_limit_action" not in state

    PREVIOUS = {
        "cmi.core.lesson_location": "page-7", "cmi.suspend_data": "s=1", "cmi.core.lesson_status": "incomplete",
        "cmi.core.score.raw": "40", "cmi.core.exit": "suspend", "cmi.core.session_time": "00:10:00",
        "cmi.interactions.0.id": "q1", "cmi.objectives.0.id": "o1", "cmi.comments": "hard",
        "cmi.student_preference.audio": "50",
        # never written by a SCO, so never restored from storage
        "cmi.core.student_id": "someone-else", "cmi.core.total_time": "9999:00:00", "cmi.bogus": "x",
    }

    def test_resume_restores_the_session_but_not_its_exit_and_time(self):
        state = launch("1.2", previous=self.PREVIOUS, previous_exit="suspend", total_time="0000:10:00")
        assert state["cmi.core.entry"] == "resume"
        for name in ("cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.lesson_status", "cmi.core.score.raw",
                     "cmi.interactions.0.id", "cmi.objectives.0.id", "cmi.comments", "cmi.student_preference.audio"):
            assert state[name] == self.PREVIOUS[name]
        assert "cmi.core.exit" not in state and "cmi.core.session_time" not in state and "cmi.bogus" not in state
        assert state["cmi.core.student_id"] == "u-42"
        assert state["cmi.core.total_time"] == "0000:10:00"

    def test_after_a_normal_exit_the_standing_carries_over_but_not_the_suspended_state(self):
        state = launch("1.2", previous=self.PREVIOUS, previous_exit="", total_time="0000:10:00")
        assert "cmi.core.entry" not in state          # "": scorm-again's initial value
        assert state["cmi.core.lesson_status"] == "incomplete"
        assert state["cmi.core.score.raw"] == "40"
        assert state["cmi.core.lesson_location"] == "page-7"
        assert "cmi.suspend_data" not in state and "cmi.interactions.0.id" not in state
        assert state["cmi.core.total_time"] == "0000:10:00"   # 1.2 counts every session


class TestScorm2004:
    def test_first_launch(self):
        state = launch("2004", {"scaled_passing_score": 0.8, "completion_threshold": "0.75",
                                "max_time_allowed": "PT1H30M", "time_limit_action": "continue,message",
                                "credit": "no-credit", "mode": "browse", "data_from_lms": "x=1"})
        assert state == {
            "cmi.learner_id": "u-42", "cmi.learner_name": "Doe, Jane", "cmi.entry": "ab-initio",
            "cmi.credit": "no-credit", "cmi.mode": "browse", "cmi.launch_data": "x=1",
            "cmi.scaled_passing_score": "0.8", "cmi.completion_threshold": "0.75",
            "cmi.max_time_allowed": "PT1H30M", "cmi.time_limit_action": "continue,message",
            "cmi.total_time": "PT0H0M0S"}

    @pytest.mark.parametrize(("key", "value", "seeded"), [
        ("scaled_passing_score", -0.5, "-0.5"), ("scaled_passing_score", 1, "1"), ("scaled_passing_score", 1.5, None),
        ("completion_threshold", 0, "0"), ("completion_threshold", "1.0", "1.0"), ("completion_threshold", -0.1, None),
        ("max_time_allowed", "0001:00:00", None), ("max_time_allowed", "P5Y6M4DT12H30M58.55S", "P5Y6M4DT12H30M58.55S")])
    def test_manifest_values(self, key, value, seeded):
        assert launch("2004", {key: value}).get("cmi." + key) == seeded

    PREVIOUS = {
        "cmi.location": "p3", "cmi.suspend_data": "visit=2", "cmi.completion_status": "incomplete",
        "cmi.success_status": "unknown", "cmi.progress_measure": "0.5", "cmi.score.scaled": "0.4",
        "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "true-false",
        "cmi.interactions.0.learner_response": "true", "cmi.objectives.0.id": "o1",
        "cmi.comments_from_learner.0.comment": "hi", "cmi.learner_preference.language": "fr",
        "cmi.exit": "suspend", "cmi.session_time": "PT1M", "adl.nav.request": "suspendAll",
        "cmi.learner_id": "someone-else", "cmi.scaled_passing_score": "0.1",
    }

    def test_resume_restores_the_learner_attempt(self):
        state = launch("2004", {"scaled_passing_score": 0.8}, previous=self.PREVIOUS, previous_exit="suspend",
                       total_time="PT1M")
        assert state["cmi.entry"] == "resume"
        for name in ("cmi.location", "cmi.suspend_data", "cmi.completion_status", "cmi.progress_measure",
                     "cmi.score.scaled", "cmi.interactions.0.learner_response", "cmi.objectives.0.id",
                     "cmi.comments_from_learner.0.comment", "cmi.learner_preference.language"):
            assert state[name] == self.PREVIOUS[name]
        assert not {"cmi.exit", "cmi.session_time", "adl.nav.request"} & set(state)
        assert (state["cmi.learner_id"], state["cmi.scaled_passing_score"]) == ("u-42", "0.8")
        assert state["cmi.total_time"] == "PT1M"

    @pytest.mark.parametrize("previous_exit", ["normal", "", "time-out", "logout", None])
    def test_any_other_exit_starts_a_new_learner_attempt(self, previous_exit):
        # ADL DMB: after time-out, normal or "" the next launch is ab-initio with total_time PT0H0M0S.
        state = launch("2004", previous=self.PREVIOUS, previous_exit=previous_exit, total_time="PT1M")
        assert state["cmi.entry"] == "ab-initio"
        assert state["cmi.total_time"] == "PT0H0M0S"
        assert "cmi.suspend_data" not in state and "cmi.location" not in state
        assert "cmi.completion_status" not in state and "cmi.interactions.0.id" not in state
        assert state["cmi.learner_preference.language"] == "fr"   # the learner's, not the attempt's


@pytest.mark.parametrize(("version", "previous", "previous_exit", "entry"), [
    ("1.2", None, None, "ab-initio"), ("1.2", None, "suspend", "ab-initio"), ("1.2", {}, "suspend", "resume"),
    ("1.2", {}, "", ""), ("1.2", {}, "logout", ""), ("2004", None, None, "ab-initio"),
    ("2004", {}, "suspend", "resume"), ("2004", {}, "normal", "ab-initio"), ("2004", {}, "", "ab-initio")])
def test_entry(version, previous, previous_exit, entry):
    assert entry_for(version, previous, previous_exit) == entry


@pytest.mark.parametrize(("version", "cmi", "nav_request", "exit_"), [
    ("1.2", {"cmi.core.exit": "suspend"}, None, "suspend"), ("1.2", {}, None, ""),
    ("2004", {"cmi.exit": "normal"}, None, "normal"), ("2004", {"cmi.exit": ""}, "suspendAll", "suspend"),
    ("2004", {"adl.nav.request": "suspendAll"}, None, "suspend"),
    ("2004", {"cmi.exit": "suspend"}, "exitAll", "suspend")])
def test_session_exit(version, cmi, nav_request, exit_):
    assert session_exit(version, cmi, nav_request) == exit_


@pytest.mark.parametrize("version", ["1.2", "2004"])
@pytest.mark.parametrize("resume", [False, True])
def test_a_launch_state_validates_as_its_own_echo(version, resume):
    previous = TestScorm12.PREVIOUS if version == "1.2" else TestScorm2004.PREVIOUS
    state = launch(version, {"mastery_score": 80, "scaled_passing_score": 0.5}, previous=previous if resume else None,
                   previous_exit="suspend")
    result = validate_commit(version, dict(state), seeded=state)
    assert set(result.values) < set(state)


# ADL DMB test case: the total_time each resumed activity expects after the previous session.
@pytest.mark.parametrize(("version", "total", "session", "expected"), [
    ("2004", None, "PT01M", "PT1M"),
    ("2004", "PT1M", "PT0H0M0S", "PT1M"),
    ("2004", "PT1M", "PT01H059M020S", "PT2H20S"),
    ("2004", "PT2H20S", "PT0H05M49S", "PT2H6M9S"),
    ("2004", "PT0H0M0S", "P0Y029DT0H", "P29D"),
    ("2004", "PT0.5S", "PT0.75S", "PT1.25S"),
    ("2004", "PT1.5H", None, "PT1H30M"),
    ("2004", None, None, "PT0H0M0S"),
    ("2004", "", "", "PT0H0M0S"),
    ("1.2", None, "00:01:30", "0000:01:30"),
    ("1.2", "0000:01:30", "00:00:45.5", "0000:02:15.50"),
    ("1.2", "9999:59:59", "00:00:01", "10000:00:00"),
    ("1.2", "", None, "0000:00:00"),
])
def test_accumulate_total_time(version, total, session, expected):
    assert accumulate_total_time(version, total, session) == expected


@pytest.mark.parametrize(("version", "total", "session"), [
    ("2004", "PT1M", "00:01:00"), ("2004", "1 minute", None), ("1.2", "PT1M", None), ("1.2", None, "1:00")])
def test_accumulate_total_time_refuses_malformed_times(version, total, session):
    with pytest.raises(ValueError):
        accumulate_total_time(version, total, session)
