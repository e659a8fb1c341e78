"""The documented request vocabularies of Open eLMS: user form fields, search fields, types, actions."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

USER_REQUIRED_FIELDS = ("fname", "lname", "username", "email", "password")
USER_OPTIONAL_FIELDS = (
    "department", "department_address", "department_postcode", "city", "company", "country", "job",
    # The field list says `groups`, the note above it says `groups_id`; accept both spellings.
    "groups", "groups_id",
    "phone", "week_hours", "manager_name", "manager_job_title", "manager_email",
)
ILR_MAIN_FIELDS = (
    "AddLine1", "AddLine2", "AddLine3", "AddLine4", "Postcode", "Sex", "Ethnicity", "LLDDHealthProb",
    "DateOfBirth", "NINumber",
)
# ILR employment status and its monitoring fields, repeated as Employer1_.. to Employer5_..
ILR_EMPLOYER_SUFFIXES = (
    "EmpStat", "DateEmpStatApp", "EmpId", "AgreeId",
    "SEI", "PEI", "SEM", "LOU", "BSI", "EII", "LOE",
)
ILR_EMPLOYER_SLOTS = range(1, 6)
ILR_EMPLOYER_FIELDS = tuple(f"Employer{n}_{suffix}" for n in ILR_EMPLOYER_SLOTS for suffix in ILR_EMPLOYER_SUFFIXES)

USER_FORM_FIELDS = frozenset(USER_REQUIRED_FIELDS + USER_OPTIONAL_FIELDS + ILR_MAIN_FIELDS + ILR_EMPLOYER_FIELDS)

USER_SEARCH_FIELDS = frozenset((
    "fname", "lname", "username", "usercode", "email",
    "company_id", "department_id", "country_id", "city_id", "location_id", "group_id",
))

RESOURCE_TYPES = frozenset((
    "audit", "elearning", "elearning_quiz", "induction", "mp4_quiz", "quiz", "skillscan",
    "vimeo_quiz", "youtube_quiz",
))

PROGRESS_ACTIONS = ("start", "complete", "fail")
SCORED_ACTIONS = frozenset(("complete", "fail"))
SCORE_RANGE = range(0, 101)

_SEX_VALUES = frozenset(("M", "F"))


def user_form(fields: Mapping[str, Any]) -> dict[str, str]:
    """Form data for a user create or update (the API requires the same five fields for both).

    Raises ValueError, before any request is made, for an undocumented field,
    a missing required field, or a value that cannot be sent.
    """
    unknown = sorted(set(fields) - USER_FORM_FIELDS)
    if unknown:
        raise ValueError(f"not documented Open eLMS user fields: {', '.join(unknown)}")
    form = {name: _form_value(name, value) for name, value in fields.items() if value is not None}
    missing = [name for name in USER_REQUIRED_FIELDS if not form.get(name, "").strip()]
    if missing:
        raise ValueError(f"Open eLMS requires {', '.join(missing)} for a user")
    if "Sex" in form and form["Sex"] not in _SEX_VALUES:
        raise ValueError("Sex must be M or F")
    return form


def search_query(criteria: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters for a user search; only the documented search fields are accepted."""
    if not criteria:
        raise ValueError("a user search needs at least one criterion (use list_users for all users)")
    unknown = sorted(set(criteria) - USER_SEARCH_FIELDS)
    if unknown:
        raise ValueError(f"Open eLMS cannot search users by: {', '.join(unknown)}")
    return {name: _form_value(name, value) for name, value in criteria.items()}


def _form_value(name: str, value: Any) -> str:
    if isinstance(value, bool):  # the monitoring flags are "set to 1 if yes"
        return "1" if value else "0"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_form_value(name, item) for item in _sorted_if_set(value))
    raise ValueError(f"{name}: cannot send a {type(value).__name__}")


def _sorted_if_set(values: Iterable[Any]) -> Iterable[Any]:
    return sorted(values, key=str) if isinstance(values, (set, frozenset)) else values
