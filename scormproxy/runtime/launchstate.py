"""What a SCO finds at Initialize: the flattened cmi the server seeds for one launch, and total time."""
from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Callable, Mapping

from . import cmi12, cmi2004
from .cmi_common import DataModel, number, parse_name, version_key

log = logging.getLogger(__name__)

ENTRY_AB_INITIO = "ab-initio"
ENTRY_RESUME = "resume"


def entry_for(version: str, previous: Mapping[str, str] | None, previous_exit: str | None) -> str:
    """cmi.entry / cmi.core.entry for the next launch of a SCO.

    First launch in the attempt: ab-initio. After an exit with "suspend": resume.
    Otherwise SCORM 1.2 says "" (RTE 3.4 cmi.core.entry); in SCORM 2004 any other exit
    ends the learner attempt (4th Ed. RTE 4.2.8), so the next launch starts a new one,
    ab-initio again, as the ADL test suite (DMB) expects. `previous_exit` is what
    session_exit() reports (a 2004 suspendAll counts as "suspend").
    """
    if previous is None:
        return ENTRY_AB_INITIO
    if previous_exit == "suspend":
        return ENTRY_RESUME
    return "" if version_key(version) == "1.2" else ENTRY_AB_INITIO


def session_exit(version: str, cmi: Mapping[str, str], nav_request: str | None = None) -> str:
    """How a session ended, for the next launch's `previous_exit`: the SCO's exit value,
    except that SCORM 2004's suspendAll navigation request suspends too (SN book 4.4)."""
    if version_key(version) == "1.2":
        return cmi.get(cmi12.EXIT, "")
    if nav_request == "suspendAll" or cmi.get(cmi2004.NAV_REQUEST) == "suspendAll":
        return cmi2004.EXIT_SUSPEND
    return cmi.get(cmi2004.EXIT, "")


def launch_state(version: str, *, learner_id: str, learner_name: str, item: Mapping[str, Any],
                 previous: Mapping[str, str] | None = None, previous_exit: str | None = None,
                 total_time: str | None = None) -> dict[str, str]:
    """The flattened cmi to seed scorm-again with; validate_commit takes it back as `seeded`.

    `item`: data_from_lms, mastery_score (1.2, 0..100), scaled_passing_score (2004),
    completion_threshold, max_time_allowed, time_limit_action, credit, mode. Values the
    manifest got wrong are left out (and logged) rather than breaking the launch.
    `previous`: the stored values of this SCO's last session in this attempt;
    `total_time`: the SCO's accumulated time so far (see accumulate_total_time).
    Elements left at scorm-again's initial value are not seeded: validation falls back to
    those same initial values (the DataModel defaults).
    """
    entry = entry_for(version, previous, previous_exit)
    if version_key(version) == "1.2":
        return _launch_12(entry, learner_id, learner_name, item, previous, total_time)
    return _launch_2004(entry, learner_id, learner_name, item, previous, total_time)


def accumulate_total_time(version: str, total: str | None, session_time: str | None) -> str:
    """total + session_time in the version's format (1.2 HHHH:MM:SS.SS, 2004 ISO 8601 duration).

    Either may be None or "" (nothing yet); a malformed one raises ValueError, since both
    come from validated commits or from this function.
    """
    if version_key(version) == "1.2":
        parse, render = cmi12.parse_timespan, cmi12.format_timespan
    else:
        parse, render = cmi2004.parse_duration, cmi2004.format_duration
    return render((parse(total) if total else 0) + (parse(session_time) if session_time else 0))


def _launch_12(entry: str, learner_id: str, learner_name: str, item: Mapping[str, Any],
               previous: Mapping[str, str] | None, total_time: str | None) -> dict[str, str]:
    state: dict[str, str] = {}
    if previous is not None:
        # 1.2 has no learner attempt: status, score, objectives, bookmark and comments
        # carry over to every later session; suspend_data and interactions belong to a
        # suspended session and only come back on resume.
        resume = entry == ENTRY_RESUME
        state.update(_restored(cmi12.MODEL, previous, lambda template: (
            template not in (cmi12.EXIT, cmi12.SESSION_TIME)
            and (resume or not (template == "cmi.suspend_data" or template.startswith("cmi.interactions."))))))
    _put(state, "cmi.core.student_id", str(learner_id))
    _put(state, "cmi.core.student_name", str(learner_name))
    _put(state, "cmi.core.entry", entry)
    _put(state, "cmi.core.credit", _choice(item, "credit", cmi12.CREDIT_VOCABULARY, "credit"))
    _put(state, "cmi.core.lesson_mode", _choice(item, "mode", cmi12.LESSON_MODE_VOCABULARY, "normal"))
    _put(state, "cmi.launch_data", _text(item, "data_from_lms"))
    _put(state, "cmi.student_data.mastery_score", _number(item, "mastery_score", 0, 100))
    _put(state, "cmi.student_data.max_time_allowed", _shaped(item, "max_time_allowed", cmi12.is_timespan))
    _put(state, "cmi.student_data.time_limit_action",
         _choice(item, "time_limit_action", cmi12.TIME_LIMIT_ACTIONS, None))
    # 1.2 total_time counts every session of the SCO (RTE 3.4 cmi.core.total_time).
    _put(state, cmi12.TOTAL_TIME, total_time if total_time and cmi12.is_timespan(total_time) else cmi12.ZERO_TIMESPAN)
    return state


def _launch_2004(entry: str, learner_id: str, learner_name: str, item: Mapping[str, Any],
                 previous: Mapping[str, str] | None, total_time: str | None) -> dict[str, str]:
    state: dict[str, str] = {}
    resume = entry == ENTRY_RESUME
    if previous is not None:
        # Resuming continues the learner attempt with everything it held (RTE 4.2.7);
        # a new attempt starts from a fresh data model but keeps the learner's preferences.
        state.update(_restored(cmi2004.MODEL, previous, lambda template: (
            template not in (cmi2004.EXIT, cmi2004.SESSION_TIME, cmi2004.NAV_REQUEST)
            and (resume or template.startswith("cmi.learner_preference.")))))
    _put(state, "cmi.learner_id", str(learner_id))
    _put(state, "cmi.learner_name", str(learner_name))
    _put(state, "cmi.entry", entry)
    _put(state, "cmi.credit", _choice(item, "credit", cmi2004.CREDIT_VOCABULARY, "credit"))
    _put(state, "cmi.mode", _choice(item, "mode", cmi2004.MODE_VOCABULARY, "normal"))
    _put(state, "cmi.launch_data", _text(item, "data_from_lms"))
    _put(state, cmi2004.SCALED_PASSING_SCORE, _number(item, "scaled_passing_score", -1, 1))
    _put(state, cmi2004.COMPLETION_THRESHOLD, _number(item, "completion_threshold", 0, 1))
    _put(state, "cmi.max_time_allowed", _shaped(item, "max_time_allowed", cmi2004.is_duration))
    _put(state, "cmi.time_limit_action", _choice(item, "time_limit_action", cmi2004.TIME_LIMIT_ACTIONS, None))
    # 2004 total_time belongs to the learner attempt (4th Ed. RTE 4.2.25): a new one starts at zero.
    kept = total_time if resume and total_time and cmi2004.is_duration(total_time) else cmi2004.ZERO_DURATION
    _put(state, cmi2004.TOTAL_TIME, kept)
    _seed_objectives(state, item.get("objective_ids") or ())
    return state


def _seed_objectives(state: dict[str, str], objective_ids) -> None:
    """RTE 4.2.17: the activity's objectives that have an ID are in cmi.objectives at launch."""
    present = {value for name, value in state.items()
               if name.startswith("cmi.objectives.") and name.endswith(".id")}
    index = sum(1 for name in state if name.startswith("cmi.objectives.") and name.endswith(".id"))
    for objective_id in objective_ids:
        if isinstance(objective_id, str) and objective_id and objective_id not in present:
            state[f"cmi.objectives.{index}.id"] = objective_id
            present.add(objective_id)
            index += 1


def _restored(model: DataModel, previous: Mapping[str, str], keep: Callable[[str], bool]) -> dict[str, str]:
    restored = {}
    for name, value in previous.items():
        parsed = parse_name(name)
        spec = model.elements.get(parsed[0]) if parsed else None
        if spec is not None and spec.writable and keep(parsed[0]) and isinstance(value, str):
            restored[name] = value
    return restored


def _put(state: dict[str, str], name: str, value: str | None) -> None:
    # Empty or missing: scorm-again's own initial value stands (and its setters may
    # refuse "" for typed elements).
    if value:
        state[name] = value


def _text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None


def _choice(item: Mapping[str, Any], key: str, vocabulary: tuple[str, ...], default: str | None) -> str | None:
    value = item.get(key)
    if value in (None, ""):
        return default
    if value in vocabulary:
        return value
    log.warning("launch item %s %r is not one of %s; using %r", key, str(value)[:40], vocabulary, default)
    return default


def _shaped(item: Mapping[str, Any], key: str, fits: Callable[[str], bool]) -> str | None:
    value = item.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, str) and fits(value):
        return value
    log.warning("launch item %s %r is malformed; left out", key, str(value)[:40])
    return None


_NUMBER_TEXT = r"-?[0-9]{1,10}(?:\.[0-9]{1,18})?"


def _number(item: Mapping[str, Any], key: str, low: float, high: float) -> str | None:
    value = item.get(key)
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        text = format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = str(value).strip()
    if number(_NUMBER_TEXT, "a number", low, high)(text, False) is None:
        return text
    log.warning("launch item %s %r is not a number in %s..%s; left out", key, str(value)[:40], low, high)
    return None
