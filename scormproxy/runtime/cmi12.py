"""The SCORM 1.2 run-time data model (RTE 3.4): elements, their access, types and sizes; CMITimespan."""
from __future__ import annotations

import re

from . import limits as L
from .cmi_common import (
    INDEX,
    Access,
    DataModel,
    ElementSpec,
    Fault,
    any_of,
    empty_or,
    number,
    pattern,
    vocabulary,
)

VERSION = "1.2"

# RTE 3.4 data types. Where the pinned scorm-again is more lenient than the letter of
# the spec, these follow scorm-again: whatever it let the SCO set must not bounce here.
_DECIMAL = r"-?(?:[0-9]{1,10}(?:\.[0-9]*)?|\.[0-9]+)"             # CMIDecimal
_UNSIGNED_DECIMAL = r"(?:[0-9]{1,10}(?:\.[0-9]*)?|\.[0-9]+)"
_SINTEGER = r"-?[0-9]{1,10}"                                       # CMISInteger
_TIMESPAN = r"([0-9]{1,10}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,2}))?"  # CMITimespan HHHH:MM:SS.SS
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,2})?"  # CMITime
_TIMESPAN_RE = re.compile(_TIMESPAN)

# CMIIdentifier: the spec wants no blanks; scorm-again also accepts blanks, so only
# strict_limits refuses them.
_IDENTIFIER_LENIENT = re.compile(r"[\x21-\x7e\s]*")
_IDENTIFIER_STRICT = re.compile(r"[\x21-\x7e]*")

LESSON_STATUS = "cmi.core.lesson_status"
EXIT = "cmi.core.exit"
SESSION_TIME = "cmi.core.session_time"
TOTAL_TIME = "cmi.core.total_time"
SCORE_RAW, SCORE_MIN, SCORE_MAX = "cmi.core.score.raw", "cmi.core.score.min", "cmi.core.score.max"
EXIT_SUSPEND = "suspend"
ZERO_TIMESPAN = "0000:00:00"

# What a SCO may write to cmi.core.lesson_status: "not attempted" is the LMS's alone.
LESSON_STATUS_WRITABLE = ("passed", "completed", "failed", "incomplete", "browsed")
LESSON_STATUS_ALL = LESSON_STATUS_WRITABLE + ("not attempted",)  # CMIStatus2 (objectives)
EXIT_VOCABULARY = ("time-out", "suspend", "logout", "")
CREDIT_VOCABULARY = ("credit", "no-credit")
LESSON_MODE_VOCABULARY = ("normal", "browse", "review")
TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric")
RESULT_VOCABULARY = ("correct", "wrong", "unanticipated", "neutral")


def _identifier(value: str, strict: bool) -> Fault | None:
    allowed = _IDENTIFIER_STRICT if strict else _IDENTIFIER_LENIENT
    if allowed.fullmatch(value):
        return None
    return Fault("value.format", "must be a CMIIdentifier (printable ASCII" + (" without blanks)" if strict else ")"))


def _score(default: str) -> ElementSpec:
    # RTE 3.4 cmi.core.score.*: CMIDecimal 0..100, or "" to clear (ADL 1.2 test suite).
    return ElementSpec(Access.READ_WRITE, empty_or(number(_DECIMAL, "a CMIDecimal", *L.S12_SCORE_RANGE)), default)


_TIMESPAN_CHECK = pattern(_TIMESPAN, "a CMITimespan (HHHH:MM:SS.SS)")
_RO = ElementSpec(Access.READ_ONLY)

ELEMENTS: dict[str, ElementSpec] = {
    "cmi.core.student_id": _RO,
    "cmi.core.student_name": _RO,
    "cmi.core.lesson_location": ElementSpec(Access.READ_WRITE, max_chars=L.S12_LESSON_LOCATION_CHARS),
    "cmi.core.credit": _RO,
    LESSON_STATUS: ElementSpec(Access.READ_WRITE, vocabulary(*LESSON_STATUS_WRITABLE), "not attempted"),
    "cmi.core.entry": _RO,
    SCORE_RAW: _score(""),
    SCORE_MIN: _score(""),
    # scorm-again starts score.max at "100" rather than the spec's "".
    SCORE_MAX: _score("100"),
    TOTAL_TIME: ElementSpec(Access.DERIVED, _TIMESPAN_CHECK),
    "cmi.core.lesson_mode": ElementSpec(Access.READ_ONLY, default="normal"),
    EXIT: ElementSpec(Access.WRITE_ONLY, vocabulary(*EXIT_VOCABULARY)),
    SESSION_TIME: ElementSpec(Access.WRITE_ONLY, _TIMESPAN_CHECK, "00:00:00"),
    "cmi.suspend_data": ElementSpec(Access.READ_WRITE, max_chars=L.S12_SUSPEND_DATA_CHARS,
                                    lenient_cap="max_suspend_data_12"),
    "cmi.launch_data": _RO,
    "cmi.comments": ElementSpec(Access.READ_WRITE, max_chars=L.S12_COMMENTS_CHARS),
    "cmi.comments_from_lms": _RO,
    "cmi.objectives.n.id": ElementSpec(Access.READ_WRITE, _identifier, max_chars=L.S12_IDENTIFIER_CHARS),
    "cmi.objectives.n.score.raw": _score(""),
    "cmi.objectives.n.score.min": _score(""),
    "cmi.objectives.n.score.max": _score("100"),
    "cmi.objectives.n.status": ElementSpec(Access.READ_WRITE, vocabulary(*LESSON_STATUS_ALL)),
    "cmi.student_data.mastery_score": _RO,
    "cmi.student_data.max_time_allowed": _RO,
    "cmi.student_data.time_limit_action": _RO,
    "cmi.student_preference.audio": ElementSpec(
        Access.READ_WRITE, number(_SINTEGER, "a CMISInteger", *L.S12_AUDIO_RANGE)),
    "cmi.student_preference.language": ElementSpec(Access.READ_WRITE, max_chars=L.S12_STUDENT_LANGUAGE_CHARS),
    "cmi.student_preference.speed": ElementSpec(
        Access.READ_WRITE, number(_SINTEGER, "a CMISInteger", *L.S12_SPEED_RANGE)),
    "cmi.student_preference.text": ElementSpec(
        Access.READ_WRITE, number(_SINTEGER, "a CMISInteger", *L.S12_TEXT_RANGE)),
    "cmi.interactions.n.id": ElementSpec(Access.WRITE_ONLY, _identifier, max_chars=L.S12_IDENTIFIER_CHARS),
    "cmi.interactions.n.objectives.n.id": ElementSpec(
        Access.WRITE_ONLY, _identifier, max_chars=L.S12_IDENTIFIER_CHARS),
    "cmi.interactions.n.time": ElementSpec(Access.WRITE_ONLY, pattern(_TIME, "a CMITime (HH:MM:SS.SS)")),
    "cmi.interactions.n.type": ElementSpec(Access.WRITE_ONLY, vocabulary(*INTERACTION_TYPES)),
    # CMIFeedback: 255 by the spec; scorm-again sets no size, hence the lenient cap.
    "cmi.interactions.n.correct_responses.n.pattern": ElementSpec(
        Access.WRITE_ONLY, max_chars=L.S12_FEEDBACK_CHARS, lenient_cap="max_value_chars"),
    "cmi.interactions.n.weighting": ElementSpec(
        Access.WRITE_ONLY, number(_DECIMAL, "a CMIDecimal", *L.S12_WEIGHTING_RANGE)),
    "cmi.interactions.n.student_response": ElementSpec(
        Access.WRITE_ONLY, max_chars=L.S12_FEEDBACK_CHARS, lenient_cap="max_value_chars"),
    # scorm-again lets "" through as well (its CMIResult pattern matches the empty string).
    "cmi.interactions.n.result": ElementSpec(Access.WRITE_ONLY, empty_or(any_of(
        vocabulary(*RESULT_VOCABULARY), number(_UNSIGNED_DECIMAL, "a CMIDecimal or " + ", ".join(RESULT_VOCABULARY))))),
    "cmi.interactions.n.latency": ElementSpec(Access.WRITE_ONLY, _TIMESPAN_CHECK),
}

COLLECTIONS: dict[str, str | None] = {
    "cmi.objectives": "max_objectives",
    "cmi.interactions": "max_interactions",
    f"cmi.interactions.{INDEX}.objectives": None,
    f"cmi.interactions.{INDEX}.correct_responses": None,
}

MODEL = DataModel(VERSION, ELEMENTS, COLLECTIONS)


def is_timespan(text: str) -> bool:
    return _TIMESPAN_RE.fullmatch(text) is not None


def parse_timespan(text: str) -> int:
    """CMITimespan -> centiseconds; ValueError when it is not one."""
    match = _TIMESPAN_RE.fullmatch(text)
    if not match:
        raise ValueError(f"not a SCORM 1.2 CMITimespan: {text[:40]!r}")
    hours, minutes, seconds, fraction = match.groups()
    centis = int((fraction or "0").ljust(2, "0"))
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 100 + centis


def format_timespan(centiseconds: int) -> str:
    """Centiseconds -> HHHH:MM:SS.SS (the fraction only when there is one)."""
    seconds, centis = divmod(max(0, centiseconds), 100)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours:04d}:{minutes:02d}:{seconds:02d}"
    return text + f".{centis:02d}" if centis else text
