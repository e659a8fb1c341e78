"""The SCORM 2004 run-time data model (4th Ed. RTE 4.2): elements, response rules, durations, status in effect."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from . import limits as L
from .cmi_common import (
    INDEX,
    Access,
    Check,
    CrossFinding,
    DataModel,
    ElementSpec,
    Fault,
    any_of,
    empty_or,
    number,
    parse_name,
    pattern,
    to_float,
    vocabulary,
)

VERSION = "2004"

# RTE 4.1.1 data types; where the pinned scorm-again is more lenient than the spec,
# these follow it, so nothing it let a SCO set bounces at the server.
_REAL = r"-?[0-9]{1,10}(?:\.[0-9]{1,18})?"                  # real(10,7)
_INTEGER = r"-?[0-9]{1,10}"
# timeinterval(second,10,2): P[yY][mM][wW][dD][T[hH][mM][s[.s]S]]. Like scorm-again,
# the T may be missing and larger units may carry a fraction; seconds keep two decimals.
_AMOUNT = r"[0-9]{1,10}(?:[.,][0-9]{1,9})?"
_DURATION = (rf"P(?:({_AMOUNT})Y)?(?:({_AMOUNT})M)?(?:({_AMOUNT})W)?(?:({_AMOUNT})D)?"
             rf"(?:T?(?:({_AMOUNT})H)?(?:({_AMOUNT})M)?(?:([0-9]{{1,10}}(?:\.[0-9]{{1,2}})?)S)?)?")
# time(second,10,0): YYYY[-MM[-DD[Thh[:mm[:ss[.s]]][TZD]]]]; the spec only allows TZD
# after fractional seconds, which content rarely honours.
_TIME = (r"(?:19[7-9][0-9]|[2-9][0-9]{3})(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01])"
         r"(?:T(?:[01][0-9]|2[0-3])(?::[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?)?"
         r"(?:Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?)?)?)?")
_LANG = r"(?:[a-zA-Z]{1,8}|i|x)(?:-[a-zA-Z0-9-]{2,8})?"
_LANG_TAG = re.compile(r"\{lang=" + _LANG + r"\}")
_LONG_IDENTIFIER = r"[^\n\r\u2028\u2029]+"   # sized by max_chars
_SHORT_IDENTIFIER = r"(?=.*[A-Za-z0-9_])[A-Za-z0-9_\-()+.:=@;$!*'%/#]{1," + str(L.S2004_SHORT_IDENTIFIER_CHARS) + "}"
_NAV_REQUEST = (r"_?(?:start|resumeAll|previous|continue|exit|exitAll|abandon|abandonAll|suspendAll|retry|retryAll)"
                r"|_none_|(?:\{target=[^\s}]{1,%d}\})?(?:choice|jump)" % L.S2004_LONG_IDENTIFIER_CHARS)
_DURATION_RE = re.compile(_DURATION)

COMPLETION_STATUS = "cmi.completion_status"
SUCCESS_STATUS = "cmi.success_status"
COMPLETION_THRESHOLD = "cmi.completion_threshold"
PROGRESS_MEASURE = "cmi.progress_measure"
SCALED_PASSING_SCORE = "cmi.scaled_passing_score"
SCORE_SCALED, SCORE_RAW = "cmi.score.scaled", "cmi.score.raw"
SCORE_MIN, SCORE_MAX = "cmi.score.min", "cmi.score.max"
EXIT = "cmi.exit"
SESSION_TIME = "cmi.session_time"
TOTAL_TIME = "cmi.total_time"
NAV_REQUEST = "adl.nav.request"
EXIT_SUSPEND = "suspend"
ZERO_DURATION = "PT0H0M0S"   # what the ADL test suite expects a fresh attempt to show

COMPLETION_VOCABULARY = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS_VOCABULARY = ("passed", "failed", "unknown")
EXIT_VOCABULARY = ("time-out", "suspend", "logout", "normal", "")
CREDIT_VOCABULARY = ("credit", "no-credit")
MODE_VOCABULARY = ("browse", "normal", "review")
TIME_LIMIT_ACTIONS = ("exit,message", "continue,message", "exit,no message", "continue,no message")
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "likert", "matching",
                     "performance", "sequencing", "numeric", "other")
RESULT_VOCABULARY = ("correct", "incorrect", "unanticipated", "neutral")


def localized_length(value: str) -> int:
    """Characters of a localized_string_type without its optional {lang=..} prefix (RTE 4.1.1)."""
    tag = _LANG_TAG.match(value)
    return len(value) - (tag.end() if tag else 0)


def _localized(max_chars: int) -> Check:
    def check(value: str, strict: bool) -> Fault | None:
        if localized_length(value) > max_chars:
            return Fault("value.too_long", f"must hold at most {max_chars} characters")
        return None
    return check


_REAL_CHECK = number(_REAL, "a real(10,7) number")
_SCALED = number(_REAL, "a real(10,7) number", *L.S2004_SCALED_RANGE)
_UNIT = number(_REAL, "a real(10,7) number", *L.S2004_PROGRESS_RANGE)
_DURATION_CHECK = pattern(_DURATION, "an ISO 8601 duration (timeinterval, e.g. PT1H2M3.4S)")
_TIME_CHECK = pattern(_TIME, "an ISO 8601 time (e.g. 2024-05-01T10:20:30Z)")
_LONG_ID = pattern(_LONG_IDENTIFIER, "a long_identifier_type: one line, not empty")
_RO = ElementSpec(Access.READ_ONLY)
_RO_UNSEEDED = ElementSpec(Access.READ_ONLY, default=None)
_RW = Access.READ_WRITE


def _score_elements(prefix: str) -> dict[str, ElementSpec]:
    # RTE 4.2.20: scaled is -1..1; raw, min and max are unbounded reals.
    return {prefix + ".scaled": ElementSpec(_RW, _SCALED), prefix + ".raw": ElementSpec(_RW, _REAL_CHECK),
            prefix + ".min": ElementSpec(_RW, _REAL_CHECK), prefix + ".max": ElementSpec(_RW, _REAL_CHECK)}


ELEMENTS: dict[str, ElementSpec] = {
    # 4.2.2 / 4.2.3 comments
    "cmi.comments_from_learner.n.comment": ElementSpec(_RW, _localized(L.S2004_COMMENT_CHARS)),
    "cmi.comments_from_learner.n.location": ElementSpec(_RW, max_chars=L.S2004_COMMENT_LOCATION_CHARS),
    "cmi.comments_from_learner.n.timestamp": ElementSpec(_RW, _TIME_CHECK),
    "cmi.comments_from_lms.n.comment": _RO_UNSEEDED,
    "cmi.comments_from_lms.n.location": _RO_UNSEEDED,
    "cmi.comments_from_lms.n.timestamp": _RO_UNSEEDED,
    COMPLETION_STATUS: ElementSpec(_RW, vocabulary(*COMPLETION_VOCABULARY), "unknown"),   # 4.2.4
    COMPLETION_THRESHOLD: _RO,                                                             # 4.2.5
    "cmi.credit": ElementSpec(Access.READ_ONLY, default="credit"),                         # 4.2.6
    "cmi.entry": _RO,                                                                      # 4.2.7
    EXIT: ElementSpec(Access.WRITE_ONLY, vocabulary(*EXIT_VOCABULARY)),                    # 4.2.8
    # 4.2.9 interactions; an id must come first, so it has no echoable default.
    "cmi.interactions.n.id": ElementSpec(_RW, _LONG_ID, None, L.S2004_LONG_IDENTIFIER_CHARS),
    "cmi.interactions.n.type": ElementSpec(_RW, vocabulary(*INTERACTION_TYPES)),
    "cmi.interactions.n.objectives.n.id": ElementSpec(_RW, _LONG_ID, None, L.S2004_LONG_IDENTIFIER_CHARS),
    "cmi.interactions.n.timestamp": ElementSpec(_RW, _TIME_CHECK),
    # Checked against the interaction's type by cross_check below.
    "cmi.interactions.n.correct_responses.n.pattern": ElementSpec(_RW),
    "cmi.interactions.n.weighting": ElementSpec(_RW, _REAL_CHECK),
    "cmi.interactions.n.learner_response": ElementSpec(_RW),
    "cmi.interactions.n.result": ElementSpec(_RW, any_of(
        vocabulary(*RESULT_VOCABULARY), number(_REAL, "a real number or " + ", ".join(RESULT_VOCABULARY)))),
    "cmi.interactions.n.latency": ElementSpec(_RW, _DURATION_CHECK),
    # The spec's SPM is 250; scorm-again sets no size, hence the lenient cap.
    "cmi.interactions.n.description": ElementSpec(
        _RW, max_chars=L.S2004_DESCRIPTION_CHARS, lenient_cap="max_value_chars", localized=True),
    "cmi.launch_data": _RO,                                                                # 4.2.10
    "cmi.learner_id": _RO,                                                                 # 4.2.11
    "cmi.learner_name": _RO,                                                               # 4.2.12
    # 4.2.13 learner preferences (defaults as scorm-again starts them)
    "cmi.learner_preference.audio_level": ElementSpec(
        _RW, number(_REAL, "a real(10,7) number", L.S2004_PREFERENCE_MIN), "1"),
    "cmi.learner_preference.language": ElementSpec(_RW, empty_or(pattern(_LANG, "a language code (RFC 3066)"))),
    "cmi.learner_preference.delivery_speed": ElementSpec(
        _RW, number(_REAL, "a real(10,7) number", L.S2004_PREFERENCE_MIN), "1"),
    "cmi.learner_preference.audio_captioning": ElementSpec(
        _RW, number(_INTEGER, "-1, 0 or 1", *L.S2004_AUDIO_CAPTIONING_RANGE), "0"),
    "cmi.location": ElementSpec(_RW, max_chars=L.S2004_LOCATION_CHARS),                    # 4.2.14
    "cmi.max_time_allowed": _RO,                                                           # 4.2.15
    "cmi.mode": ElementSpec(Access.READ_ONLY, default="normal"),                           # 4.2.16
    # 4.2.17 objectives
    "cmi.objectives.n.id": ElementSpec(_RW, _LONG_ID, None, L.S2004_LONG_IDENTIFIER_CHARS),
    **_score_elements("cmi.objectives.n.score"),
    "cmi.objectives.n.success_status": ElementSpec(_RW, vocabulary(*SUCCESS_VOCABULARY), "unknown"),
    "cmi.objectives.n.completion_status": ElementSpec(_RW, vocabulary(*COMPLETION_VOCABULARY), "unknown"),
    "cmi.objectives.n.progress_measure": ElementSpec(_RW, _UNIT),
    "cmi.objectives.n.description": ElementSpec(
        _RW, max_chars=L.S2004_DESCRIPTION_CHARS, lenient_cap="max_value_chars", localized=True),
    PROGRESS_MEASURE: ElementSpec(_RW, _UNIT),                                             # 4.2.18
    SCALED_PASSING_SCORE: _RO,                                                             # 4.2.19
    **_score_elements("cmi.score"),                                                        # 4.2.20
    SESSION_TIME: ElementSpec(Access.WRITE_ONLY, _DURATION_CHECK, "PT0H0M0S"),             # 4.2.21
    SUCCESS_STATUS: ElementSpec(_RW, vocabulary(*SUCCESS_VOCABULARY), "unknown"),          # 4.2.22
    "cmi.suspend_data": ElementSpec(_RW, max_chars=L.S2004_SUSPEND_DATA_CHARS),            # 4.2.23
    "cmi.time_limit_action": ElementSpec(Access.READ_ONLY, default="continue,no message"),  # 4.2.24
    TOTAL_TIME: ElementSpec(Access.DERIVED, _DURATION_CHECK),                              # 4.2.25
    # SN book 4.4: the navigation request the SCO leaves for when it terminates.
    NAV_REQUEST: ElementSpec(_RW, pattern(_NAV_REQUEST, "a navigation request"), "_none_"),
}

COLLECTIONS: dict[str, str | None] = {
    "cmi.comments_from_learner": "max_comments",
    "cmi.comments_from_lms": None,
    "cmi.interactions": "max_interactions",
    f"cmi.interactions.{INDEX}.objectives": None,
    f"cmi.interactions.{INDEX}.correct_responses": None,
    "cmi.objectives": "max_objectives",
}


# --- responses (RTE 4.2.9.1, Table 4.2.9.1a) ------------------------------------------
# Types whose grammar is a single token are checked here; the list types (choice,
# fill-in, matching, performance, sequencing) have bracketed and legacy delimiter forms
# scorm-again accepts both of, so the server holds them to the size caps only.
_TRUE_FALSE = re.compile(r"true|false")
_NUMERIC = re.compile(_REAL)
# A correct numeric pattern is a value or a range, bounds optional; scorm-again also
# takes a bare ":" for "[:]" (RTE 4.1.1.6 legacy form) and an empty pattern.
_NUMERIC_RANGE = re.compile(rf"(?:{_REAL})?(?:\[:\]|:)(?:{_REAL})?|(?:{_REAL})?")
_SHORT_ID = re.compile(_SHORT_IDENTIFIER)


def response_fault(kind: str, value: str, *, correct_pattern: bool) -> Fault | None:
    """Whether `value` fits a learner_response (or correct_responses pattern) of type `kind`."""
    if kind == "true-false":
        good = _TRUE_FALSE.fullmatch(value) is not None
    elif kind == "numeric":
        good = (_NUMERIC_RANGE if correct_pattern else _NUMERIC).fullmatch(value) is not None
    elif kind == "likert":
        good = _SHORT_ID.fullmatch(value) is not None or (correct_pattern and value == "")
    elif kind in ("other", "long-fill-in"):
        if localized_length(value) > L.S2004_RESPONSE_TEXT_CHARS:
            return Fault("value.too_long", f"must hold at most {L.S2004_RESPONSE_TEXT_CHARS} characters")
        good = True
    else:
        good = True
    return None if good else Fault("value.format", f"is not a valid response for an interaction of type {kind!r}")


def cross_check(present: Mapping[str, str], changed: set[str]) -> Iterable[CrossFinding]:
    """Rules spanning elements: ids before the rest (RTE 4.2.9, 4.2.17), responses by type."""
    interactions: set[int] = set()
    objectives: set[int] = set()
    responses: list[tuple[str, int, bool]] = []
    for name in present:
        parsed = parse_name(name)
        if parsed is None:
            continue
        template, indices = parsed
        if template.startswith("cmi.interactions.n."):
            interactions.add(indices[0])
            if name in changed and template == "cmi.interactions.n.learner_response":
                responses.append((name, indices[0], False))
            elif name in changed and template == "cmi.interactions.n.correct_responses.n.pattern":
                responses.append((name, indices[0], True))
        elif template.startswith("cmi.objectives.n."):
            objectives.add(indices[0])
    for kind, indices_seen in (("interactions", interactions), ("objectives", objectives)):
        for index in sorted(indices_seen):
            id_name = f"cmi.{kind}.{index}.id"
            if id_name not in present:
                yield CrossFinding(id_name, Fault("element.dependency",
                                                  "must be set before the other elements of its entry"))
    for name, index, is_pattern in responses:
        kind = present.get(f"cmi.interactions.{index}.type", "")
        if not kind:
            yield CrossFinding(name, Fault("element.dependency", "needs the interaction's type set first"))
            continue
        fault = response_fault(kind, present[name], correct_pattern=is_pattern)
        if fault:
            yield CrossFinding(name, fault)
    yield from _duplicate_objective_ids(present)


def _duplicate_objective_ids(present: Mapping[str, str]) -> Iterable[CrossFinding]:
    # RTE 4.2.17 wants objective ids unique; scorm-again does not enforce it, so a
    # duplicate is reported, not refused.
    first_seen: dict[str, str] = {}
    for name, value in present.items():
        parsed = parse_name(name)
        if parsed and parsed[0] == "cmi.objectives.n.id" and value:
            if value in first_seen:
                yield CrossFinding(name, Fault("value.duplicate", f"repeats the id of {first_seen[value]}"),
                                   warning=True)
            else:
                first_seen[value] = name


MODEL = DataModel(VERSION, ELEMENTS, COLLECTIONS, cross_check)


# --- durations (timeinterval(second,10,2)) --------------------------------------------
# Calendar units have no fixed length; the usual conventions, for accumulation only.
_SECONDS_PER = {"Y": 365 * 86400, "M": 30 * 86400, "W": 7 * 86400, "D": 86400, "H": 3600, "m": 60, "s": 1}


def is_duration(text: str) -> bool:
    return _DURATION_RE.fullmatch(text) is not None


def parse_duration(text: str) -> int:
    """ISO 8601 duration -> centiseconds (rounded half up); ValueError when it is not one."""
    match = _DURATION_RE.fullmatch(text)
    if not match:
        raise ValueError(f"not a SCORM 2004 timeinterval: {text[:40]!r}")
    total = Decimal(0)
    for amount, unit in zip(match.groups(), ("Y", "M", "W", "D", "H", "m", "s")):
        if amount:
            total += Decimal(amount.replace(",", ".")) * _SECONDS_PER[unit]
    return int((total * 100).to_integral_value(ROUND_HALF_UP))


def format_duration(centiseconds: int) -> str:
    """Centiseconds -> the shortest duration ('P29D', 'PT2H6M9S', 'PT1.5S'); zero is PT0H0M0S."""
    seconds, centis = divmod(max(0, centiseconds), 100)
    if seconds == 0 and centis == 0:
        return ZERO_DURATION
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or centis:
        clock += f"{seconds}.{centis:02d}".rstrip("0").rstrip(".") + "S"
    return text + ("T" + clock if clock else "")


# --- status in effect (RTE 4.2.4.1, 4.2.22.1) ------------------------------------------

def completion_status_in_effect(cmi: Mapping[str, str]) -> str:
    """cmi.completion_status as GetValue reports it: a completion threshold overrides what the SCO set."""
    threshold = to_float(cmi.get(COMPLETION_THRESHOLD))
    if threshold is not None:
        progress = to_float(cmi.get(PROGRESS_MEASURE))
        if progress is None:
            return "unknown"
        return "completed" if progress >= threshold else "incomplete"
    status = cmi.get(COMPLETION_STATUS, "")
    return status if status in COMPLETION_VOCABULARY else "unknown"


def success_status_in_effect(cmi: Mapping[str, str]) -> str:
    """cmi.success_status as GetValue reports it: a scaled passing score overrides what the SCO set."""
    passing = to_float(cmi.get(SCALED_PASSING_SCORE))
    if passing is not None:
        scaled = to_float(cmi.get(SCORE_SCALED))
        if scaled is None:
            return "unknown"
        return "passed" if scaled >= passing else "failed"
    status = cmi.get(SUCCESS_STATUS, "")
    return status if status in SUCCESS_VOCABULARY else "unknown"
