"""Attempts and commits: store validated tracking data, derive the course result, queue the change."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from ..db import Database
from ..errors import BadRequest, NotFound, ScormProxyError
from . import store
from .course import Course, CourseItem
from .launchstate import accumulate_total_time, launch_state, session_exit
from .results import course_result, sco_outcome
from .rollup import rollup_course
from .validate import validate_commit

log = logging.getLogger(__name__)


class StaleCommit(ScormProxyError):
    code = "commit.stale"
    http_status = 409


@dataclass
class CommitPayload:
    seq: int
    cmi: dict
    terminated: bool
    nav_request: str | None
    beacon: bool

    @classmethod
    def parse(cls, body) -> "CommitPayload":
        if not isinstance(body, dict):
            raise BadRequest("the commit must be a JSON object")
        seq = body.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise BadRequest("seq must be a positive integer")
        cmi = body.get("cmi")
        if not isinstance(cmi, dict):
            raise BadRequest("cmi must be an object of element: value")
        nav = body.get("nav_request")
        if nav is not None and (not isinstance(nav, str) or len(nav) > 4000):
            raise BadRequest("nav_request must be a string")
        return cls(seq=seq, cmi=cmi, terminated=bool(body.get("terminated")), nav_request=nav,
                   beacon=bool(body.get("beacon")))


def _item_meta(course: Course, item_id: str) -> CourseItem:
    item = course.item(item_id)
    if item is None or not item.href:
        raise NotFound(f"no launchable item {item_id!r} in this course")
    return item


def _learner_item(item: CourseItem) -> dict:
    meta = item.meta
    return {
        "data_from_lms": meta.get("data_from_lms"),
        "mastery_score": meta.get("mastery_score"),
        "scaled_passing_score": meta.get("scaled_passing_score"),
        "completion_threshold": meta.get("completion_threshold"),
        "max_time_allowed": meta.get("max_time_allowed"),
        "time_limit_action": meta.get("time_limit_action"),
        "objective_ids": meta.get("objective_ids"),
        "credit": "credit", "mode": "normal",
    }


def _seed(course: Course, item: CourseItem, state: store.ScoRow | None, previous: dict | None,
          learner_id: str, learner_name: str) -> dict:
    """What the launch gave the SCO; `previous` is the state's parsed cmi_json, once it has had a session."""
    return launch_state(course.family, learner_id=learner_id, learner_name=learner_name,
                        item=_learner_item(item), previous=previous,
                        previous_exit=state.last_exit if state else None,
                        total_time=state.total_time if state else None)


def sco_launch_state(db: Database, attempt_id: str, item_id: str, course: Course, *,
                     learner_id: str, learner_name: str) -> dict:
    item = _item_meta(course, item_id)
    state = store.read_sco(db, attempt_id, item_id)
    previous = json.loads(state.cmi_json) if state and state.sessions else None
    return {"cmi": _seed(course, item, state, previous, learner_id, learner_name),
            "seq": state.seq if state else 0}


def apply_commit(db: Database, attempt_id: str, item_id: str, course: Course, payload: CommitPayload,
                 *, learner_id: str, learner_name: str, limits) -> dict:
    """Validate and store one commit in one transaction; returns the course result after it."""
    item = _item_meta(course, item_id)
    with store.transaction(db) as connection:
        attempt, state = store.lock_for_commit(connection, attempt_id, item_id)
        if attempt is None:
            raise NotFound("no such attempt")
        if payload.seq <= state.seq:
            # Before validation: an out-of-order beacon must read as stale, not invalid.
            raise StaleCommit(f"commit {payload.seq} is not newer than the stored commit {state.seq}")
        stored = json.loads(state.cmi_json or "{}")
        # launch_state only reads `previous`, so the one parse serves both.
        seeded = _seed(course, item, state, stored if state.sessions else None, learner_id, learner_name)
        validated = validate_commit(course.family, payload.cmi, seeded=seeded, limits=limits)
        if not state.session_open and state.sessions and course.family == "2004" \
                and state.last_exit != "suspend":
            # SCORM 2004: a session that ended without suspend ended the learner attempt on
            # this SCO; the new session starts from nothing (RTE 4.2.8), as its launch said.
            stored, state.total_time = {}, None
        stored.update(validated.values)
        state.seq = payload.seq
        # A beacon without Terminate is the page going away (tab closed): the session ends
        # there, and unless the SCO said how it exits, it is kept for resuming.
        ended = payload.terminated or payload.beacon
        state.session_open = not ended
        if ended:
            state.sessions = (state.sessions or 0) + 1
            session_key = "cmi.core.session_time" if course.family == "1.2" else "cmi.session_time"
            state.total_time = accumulate_total_time(course.family, state.total_time,
                                                     stored.pop(session_key, None))
            exit_value = session_exit(course.family, stored, payload.nav_request) or ""
            state.last_exit = exit_value if payload.terminated or exit_value else "suspend"
        state.cmi_json = json.dumps(stored)
        store.save_sco(connection, attempt_id, item_id, state)
        result = _update_course_result(connection, attempt, course, item_id, {**seeded, **stored},
                                       state.suspended)
    return {"ok": True, "seq": payload.seq, "course": result,
            "warnings": [w.__dict__ for w in validated.warnings]}


def record_asset_launch(db: Database, attempt_id: str, item_id: str, course: Course) -> None:
    """An asset is complete once launched; record it (once) and update the course result."""
    key = "cmi.core.lesson_status" if course.family == "1.2" else "cmi.completion_status"
    with store.transaction(db) as connection:
        attempt, state = store.lock_for_commit(connection, attempt_id, item_id)
        if attempt is None or state.sessions:
            return
        state.cmi_json = json.dumps({key: "completed"})
        state.sessions = 1
        state.last_exit = ""
        store.save_sco(connection, attempt_id, item_id, state)
        _update_course_result(connection, attempt, course, item_id, {key: "completed"}, state.suspended)


def _update_course_result(connection, attempt: store.AttemptRow, course: Course, item_id: str, current: dict,
                          current_suspended: bool) -> dict:
    """Derive the course result with this SCO's new state and queue what changed (same transaction)."""
    # A course without SCOs (assets only) completes when every asset has been launched.
    sco_ids = course.sco_ids() or [i.identifier for i in course.launchable()]
    # Only the committing SCO is seen with its launch seed (thresholds, mastery score);
    # the others are judged on what they stored. States exist only for launchable items,
    # so a course with one of them (most) has nothing else to read.
    states = {item_id: current}
    suspended = {item_id} if current_suspended else set()
    if course.launchable_ids - {item_id}:
        for other in store.other_scos(connection, attempt.id, item_id):
            if other.item_id in sco_ids:
                states[other.item_id] = json.loads(other.cmi_json or "{}")
            if other.suspended:
                suspended.add(other.item_id)
    outcomes = {sid: sco_outcome(course.family, cmi) for sid, cmi in states.items() if sid in sco_ids}
    # SCORM 2004 sequencing: the manifest's rollup decides the course (None without sequencing).
    rollup = rollup_course(course, outcomes, suspended=suspended)
    result = course_result(course.family, outcomes, sco_ids, rollup)
    changed: list[str] = []
    if not attempt.started:
        attempt.started = True
        changed.append("started")
        if attempt.status == "not attempted":
            attempt.status = "in progress"
            changed.append("status")
        if not attempt.preview:
            store.queue_result(connection, attempt, "start", None)
    score = result.score
    if result.status in ("completed", "failed") and (result.status, score) != (attempt.status, attempt.score):
        attempt.status, attempt.score = result.status, score
        changed += ["status", "score"]
        if not attempt.preview:
            store.queue_result(connection, attempt, "complete" if result.status == "completed" else "fail", score)
    if changed:
        store.save_attempt(connection, attempt, *dict.fromkeys(changed))
    return {"status": attempt.status, "score": attempt.score}
