"""The Open eLMS user form: which fields exist, how they validate, and the `user/fields` table."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from ..errors import BadRequest

REQUIRED_FIELDS = ("fname", "lname", "username", "email", "password")
# Looked up or created by name, like Open eLMS does ("created if not found in the database").
NAMED_FIELDS = ("department", "city", "company", "country", "job")
FREE_TEXT_FIELDS = (
    "department_address", "department_postcode", "phone", "manager_name", "manager_job_title",
    "manager_email", "AddLine1", "AddLine2", "AddLine3", "AddLine4", "Postcode", "DateOfBirth", "NINumber",
)
EMPLOYER_SLOTS = range(1, 6)  # "X can be any number between 1 and 5"
EMPLOYER_TEXT = ("DateEmpStatApp", "EmpId", "AgreeId")
EMPLOYER_FLAGS = ("SEI", "PEI", "SEM")  # "set to 1 if yes"
EMPLOYER_CODED = ("EmpStat", "LOU", "BSI", "EII", "LOE")
_EMPLOYER_FIELD = re.compile(r"Employer(\d+)_(\w+)$")

TEXT_SEARCH_FIELDS = ("fname", "lname", "username", "usercode", "email")
ID_SEARCH_FIELDS = ("company_id", "department_id", "country_id", "city_id", "location_id", "group_id")

# A small, plausible code table in the spirit of the ILR one Open eLMS uses.
USER_FIELD_VALUES: dict[str, dict] = {
    "Ethnicity": {"label": "Ethnicity", "values": {
        31: "English / Welsh / Scottish / Northern Irish / British", 32: "Irish",
        33: "Gypsy or Irish Traveller", 34: "Any other White background",
        35: "White and Black Caribbean", 36: "White and Black African", 37: "White and Asian",
        38: "Any other Mixed / multiple ethnic background", 39: "Indian", 40: "Pakistani",
        41: "Bangladeshi", 42: "Chinese", 43: "Any other Asian background", 44: "African",
        45: "Caribbean", 46: "Any other Black / African / Caribbean background", 47: "Arab",
        98: "Any other ethnic group", 99: "Not provided"}},
    "LLDDHealthProb": {"label": "Learning difficulty, disability or health problem", "values": {
        1: "Yes", 2: "No", 9: "Not provided"}},
    "EmployerX_EmpStat": {"label": "Employment status", "values": {
        10: "In paid employment", 11: "Not in paid employment, looking for work and available to start work",
        12: "Not in paid employment, not looking for work and/or not available to start work",
        98: "Not known / not provided"}},
    "EmployerX_LOU": {"label": "Length of unemployment", "values": {
        1: "Unemployed for less than 6 months", 2: "Unemployed for 6-11 months",
        3: "Unemployed for 12-23 months", 4: "Unemployed for 24-35 months",
        5: "Unemployed for 36 months or more"}},
    "EmployerX_BSI": {"label": "Benefit status indicator", "values": {
        1: "Jobseeker's Allowance", 2: "Employment and Support Allowance - Work Related Activity Group",
        3: "Another state benefit", 4: "Universal Credit"}},
    "EmployerX_EII": {"label": "Employment intensity indicator", "values": {
        5: "Employed for 0 to 10 hours per week", 6: "Employed for 11 to 20 hours per week",
        7: "Employed for 21 to 30 hours per week", 8: "Employed for 31 or more hours per week"}},
    "EmployerX_LOE": {"label": "Length of employment", "values": {
        1: "Up to 3 months", 2: "4 to 6 months", 3: "7 to 12 months", 4: "More than 12 months"}},
}


def user_fields_json() -> dict:
    """The `GET user/fields` answer: possible values and their labels, per numeric-id field."""
    return {name: {"label": spec["label"],
                   "values": [{"value": value, "label": label} for value, label in spec["values"].items()]}
            for name, spec in USER_FIELD_VALUES.items()}


@dataclass
class UserForm:
    """A validated user form; empty optional fields count as not given."""

    fname: str
    lname: str
    username: str
    email: str
    named: dict[str, str] = field(default_factory=dict)  # department/city/company/country/job -> name
    groups: list[int] | None = None  # None: leave groups alone; []: remove from every group
    details: dict[str, str] = field(default_factory=dict)  # the other optional fields, as given


def parse_user_form(form: Mapping[str, str]) -> UserForm:
    missing = [name for name in REQUIRED_FIELDS if not (form.get(name) or "").strip()]
    if missing:
        raise BadRequest("missing required field(s): " + ", ".join(missing))
    details: dict[str, str] = {}
    for name, raw in form.items():
        value = (raw or "").strip()
        employer = _EMPLOYER_FIELD.match(name)
        if employer:
            _check_employer_field(int(employer.group(1)), employer.group(2), value, name)
            if value:
                details[name] = value
        elif name in FREE_TEXT_FIELDS and value:
            details[name] = value
    sex = (form.get("Sex") or "").strip()
    if sex:
        if sex not in ("M", "F"):
            raise BadRequest("Sex must be M or F")
        details["Sex"] = sex
    for name in ("Ethnicity", "LLDDHealthProb"):
        if (form.get(name) or "").strip():
            details[name] = str(_coded(name, form[name], name))
    if (form.get("week_hours") or "").strip():
        try:
            hours = float(form["week_hours"])
        except ValueError:
            raise BadRequest("week_hours must be a number") from None
        if not 0 <= hours <= 168:
            raise BadRequest("week_hours must be between 0 and 168")
        details["week_hours"] = form["week_hours"].strip()
    return UserForm(
        fname=form["fname"].strip(), lname=form["lname"].strip(), username=form["username"].strip(),
        email=form["email"].strip(),
        named={name: form[name].strip() for name in NAMED_FIELDS if (form.get(name) or "").strip()},
        groups=_group_ids(form["groups"]) if "groups" in form else None,
        details=details,
    )


def _check_employer_field(slot: int, suffix: str, value: str, name: str) -> None:
    if slot not in EMPLOYER_SLOTS:
        raise BadRequest(f"{name}: employer records are numbered 1 to 5")
    if suffix not in EMPLOYER_TEXT + EMPLOYER_FLAGS + EMPLOYER_CODED:
        raise BadRequest(f"{name}: unknown employment field")
    if not value:
        return
    if suffix in EMPLOYER_FLAGS and value not in ("0", "1"):
        raise BadRequest(f"{name} must be 1 (yes) or 0")
    if suffix in EMPLOYER_CODED:
        _coded("EmployerX_" + suffix, value, name)


def _coded(table: str, raw: str, name: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadRequest(f"{name} must be a numeric id (see user/fields)") from None
    if value not in USER_FIELD_VALUES[table]["values"]:
        raise BadRequest(f"{name}: {value} is not a valid id (see user/fields)")
    return value


def _group_ids(raw: str) -> list[int]:
    if not raw.strip():
        return []
    try:
        return [int(part.strip()) for part in raw.split(",")]
    except ValueError:
        raise BadRequest("groups must be a comma separated list of group ids") from None


def parse_user_search(args: Mapping[str, str]) -> tuple[dict[str, str], dict[str, int]]:
    """(text filters, id filters) of `GET users/?...`; an unknown search field is a 400."""
    text: dict[str, str] = {}
    ids: dict[str, int] = {}
    for name, value in args.items():
        if name in TEXT_SEARCH_FIELDS:
            if value.strip():
                text[name] = value.strip()
        elif name in ID_SEARCH_FIELDS:
            if value.strip():
                try:
                    ids[name] = int(value)
                except ValueError:
                    raise BadRequest(f"{name} must be a numeric id") from None
        else:
            raise BadRequest(f"unsupported search field {name!r}")
    return text, ids


def parse_id_list(raw: str) -> list[int]:
    """`1,2, 3` -> [1, 2, 3]; anything else is a 400."""
    parts = [part.strip() for part in raw.split(",")]
    if not parts or any(not (part.isascii() and part.isdigit()) for part in parts):
        raise BadRequest("expected a comma separated list of learning ids")
    return [int(part) for part in parts]
