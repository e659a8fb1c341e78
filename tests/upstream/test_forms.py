"""The documented request vocabularies: what the client refuses before any request is made."""
from __future__ import annotations

import datetime as dt

import pytest

from scormproxy.upstream import forms

NEW_USER = {"fname": "Ada", "lname": "Lovelace", "username": "ada", "email": "ada@example.org", "password": "pw"}


def test_every_documented_user_field_is_accepted():
    ilr = {name: "x" for name in forms.ILR_MAIN_FIELDS if name != "Sex"}
    employers = {f"Employer{n}_{suffix}": "1" for n in range(1, 6) for suffix in forms.ILR_EMPLOYER_SUFFIXES}
    optional = {name: "y" for name in forms.USER_OPTIONAL_FIELDS}
    form = forms.user_form({**NEW_USER, **ilr, **employers, **optional, "Sex": "F"})
    assert len(employers) == 55
    assert set(form) == set(NEW_USER) | set(ilr) | set(employers) | set(optional) | {"Sex"}


@pytest.mark.parametrize("name", ["Employer6_EmpStat", "Employer0_SEI", "Employer1_Foo", "nickname", "sex"])
def test_an_undocumented_user_field_is_refused(name):
    with pytest.raises(ValueError, match=name):
        forms.user_form({**NEW_USER, name: "1"})


@pytest.mark.parametrize("missing", forms.USER_REQUIRED_FIELDS)
def test_every_required_field_is_needed(missing):
    with pytest.raises(ValueError, match=missing):
        forms.user_form({k: v for k, v in NEW_USER.items() if k != missing})
    with pytest.raises(ValueError, match=missing):
        forms.user_form({**NEW_USER, missing: "  "})


@pytest.mark.parametrize("value, sent", [
    (True, "1"), (False, "0"), (7, "7"), (37.5, "37.5"), ([3, 4], "3,4"), ((), ""), ("", ""),
    (dt.date(1990, 5, 17), "1990-05-17"),
])
def test_values_are_encoded_as_the_form_expects(value, sent):
    assert forms.user_form({**NEW_USER, "groups": value})["groups"] == sent


def test_none_means_not_sent_and_objects_are_refused():
    assert forms.user_form({**NEW_USER, "phone": None}) == NEW_USER
    with pytest.raises(ValueError, match="phone"):
        forms.user_form({**NEW_USER, "phone": object()})


def test_sex_is_m_or_f():
    with pytest.raises(ValueError, match="Sex"):
        forms.user_form({**NEW_USER, "Sex": "X"})


def test_search_accepts_only_documented_fields():
    assert forms.search_query({"email": "a@b", "group_id": 3}) == {"email": "a@b", "group_id": "3"}
    with pytest.raises(ValueError, match="password"):
        forms.search_query({"password": "x"})
    with pytest.raises(ValueError):
        forms.search_query({})
