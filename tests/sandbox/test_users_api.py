"""The user half of the sandbox API over real HTTP: accounts, searches, field codes, assignments."""
from __future__ import annotations

import pytest

from scormproxy.sandbox.users import USER_FIELD_VALUES

NEW_USER = {"fname": "Ada", "lname": "Lovelace", "username": "ada", "email": "ada@example.test",
            "password": "correct horse"}


def _create(api, **extra) -> int:
    response = api.post("users/", data={**NEW_USER, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_seed_users_exist(api):
    user = api.get("users/3").json()
    assert (user["id"], user["username"], user["fname"]) == (3, "learner3", "Learner")
    assert len(api.get("users/").json()) == 1000
    assert api.get("users/1001").status_code == 404


def test_create_user_returns_id_and_shows_documented_fields(api):
    user_id = _create(api, department="Engineering", city="Leeds", company="Acme", country="England",
                      job="Fitter", groups="2, 3", phone="0113 000", Sex="F", Ethnicity="31",
                      LLDDHealthProb="2", Employer1_EmpStat="10", Employer1_SEI="1", Employer5_LOE="4",
                      Employer2_DateEmpStatApp="1 March 2024", week_hours="37.5")
    assert user_id == 1001
    user = api.get(f"users/{user_id}").json()
    assert {k: user[k] for k in ("username", "email", "fname", "lname")} == {
        "username": "ada", "email": "ada@example.test", "fname": "Ada", "lname": "Lovelace"}
    assert user["department"]["name"] == "Engineering"
    assert user["company"]["name"] == "Acme" and user["city"]["name"] == "Leeds"
    assert user["job"]["name"] == "Fitter" and user["country"]["name"] == "England"
    assert user["location"] is None
    assert [g["id"] for g in user["groups"]] == [2, 3]
    assert user["learning"] == []
    assert "password" not in user


@pytest.mark.parametrize("missing", ["fname", "lname", "username", "email", "password"])
def test_each_required_field_is_required(api, missing):
    form = {k: v for k, v in NEW_USER.items() if k != missing}
    response = api.post("users/", data=form)
    assert response.status_code == 400
    assert missing in response.json()["error"]


@pytest.mark.parametrize("field, value", [
    ("Sex", "X"), ("Sex", "male"), ("Ethnicity", "5"), ("Ethnicity", "abc"), ("LLDDHealthProb", "3"),
    ("Employer1_EmpStat", "13"), ("Employer6_EmpStat", "10"), ("Employer0_SEI", "1"), ("Employer1_SEI", "yes"),
    ("Employer3_LOU", "9"), ("Employer2_BSI", "x"), ("Employer4_EII", "1"), ("Employer1_Colour", "red"),
    ("week_hours", "lots"), ("week_hours", "200"), ("groups", "1,x"), ("groups", "99"),
])
def test_invalid_optional_fields_are_400(api, field, value):
    response = api.post("users/", data={**NEW_USER, field: value})
    assert response.status_code == 400, (field, value)
    assert isinstance(response.json()["error"], str)


def test_duplicate_username_is_400(api):
    assert api.post("users/", data={**NEW_USER, "username": "learner1"}).status_code == 400


def test_update_user_validates_and_404s(api):
    user_id = _create(api)
    changed = {**NEW_USER, "fname": "Augusta", "department": "Research", "groups": ""}
    assert api.put(f"users/{user_id}", data=changed).json() == user_id
    user = api.get(f"users/{user_id}").json()
    assert user["fname"] == "Augusta" and user["department"]["name"] == "Research" and user["groups"] == []
    assert api.put(f"users/{user_id}", data={"fname": "only"}).status_code == 400
    assert api.put("users/5000", data=NEW_USER).status_code == 404
    assert api.put(f"users/{user_id}", data={**NEW_USER, "username": "learner2"}).status_code == 400


def test_named_records_are_reused_by_name(api):
    first = api.get(f"users/{_create(api, company='Acme')}").json()
    second = api.get(f"users/{_create(api, username='bob', company='acme')}").json()
    assert first["company"]["id"] == second["company"]["id"]


def test_user_search_by_every_documented_field(api):
    user_id = _create(api, company="Acme", department="Engineering", country="Wales", city="Cardiff",
                      groups="4")
    user = api.get(f"users/{user_id}").json()
    searches = {
        "fname": "ada", "lname": "LOVELACE", "username": "ada", "usercode": user["employee_id"],
        "email": "ada@example.test", "company_id": user["company"]["id"],
        "department_id": user["department"]["id"], "country_id": user["country"]["id"],
        "city_id": user["city"]["id"], "group_id": 4,
    }
    for field, value in searches.items():
        found = api.get("users/", params={field: value}).json()
        assert [u["id"] for u in found] == [user_id], field
    by_location = api.get("users/", params={"location_id": 1}).json()
    assert len(by_location) == 1000 and user_id not in [u["id"] for u in by_location]
    assert api.get("users/", params={"fname": "Learner", "lname": "7"}).json()[0]["id"] == 7
    assert api.get("users/", params={"fname": "nobody"}).json() == []


@pytest.mark.parametrize("query", [{"shoe_size": "9"}, {"company_id": "acme"}, {"password": "x"}])
def test_user_search_rejects_unknown_fields(api, query):
    assert api.get("users/", params=query).status_code == 400


def test_user_fields_lists_codes_and_labels(api):
    fields = api.get("user/fields").json()
    for name in ("Ethnicity", "LLDDHealthProb", "EmployerX_EmpStat", "EmployerX_LOU", "EmployerX_BSI",
                 "EmployerX_EII", "EmployerX_LOE"):
        assert fields[name]["label"]
        values = {entry["value"]: entry["label"] for entry in fields[name]["values"]}
        assert values == USER_FIELD_VALUES[name]["values"]


def test_every_listed_code_is_accepted(api):
    fields = api.get("user/fields").json()
    for entry in fields["EmployerX_LOU"]["values"]:
        response = api.post("users/", data={**NEW_USER, "username": f"u{entry['value']}",
                                             "Employer2_LOU": str(entry["value"])})
        assert response.status_code == 200


def test_assign_and_unassign_with_spaces(api):
    assert api.put("assign/4/1, 2").json() == 4
    assert [lr["id"] for lr in api.get("users/4").json()["learning"]] == [1, 2]
    assert api.get("users/4").json()["learning"][0]["name"] == "Workplace Safety Quiz"
    assert api.put("assign/4/2").status_code == 200  # assigning twice is harmless
    assert api.delete("unassign/4/1").json() == 4
    assert [lr["id"] for lr in api.get("users/4").json()["learning"]] == [2]
    assert [t["user_id"] for t in api.get("learning/2/trainees").json()] == [4]


@pytest.mark.parametrize("method, path, status", [
    ("PUT", "assign/4/1,,2", 400), ("PUT", "assign/4/a", 400), ("PUT", "assign/4/1;2", 400),
    ("PUT", "assign/4/1,", 400), ("DELETE", "unassign/4/x", 400),
    ("PUT", "assign/4/1,9", 404), ("PUT", "assign/99999/1", 404), ("DELETE", "unassign/99999/1", 404),
    ("DELETE", "unassign/4/9", 404),
])
def test_assignment_errors(api, method, path, status):
    assert api.call(method, path).status_code == status
    assert api.get("users/4").json()["learning"] == []  # nothing half-applied


def test_seed_users_option(demo_packages):
    import requests

    from scormproxy.sandbox.testing import running_sandbox

    with running_sandbox(demo_packages, seed_users=3) as server:
        headers = {"Authorization": f"Basic {server.token}"}
        assert requests.get(server.api_url + "users/3", headers=headers, timeout=10).status_code == 200
        assert requests.get(server.api_url + "users/4", headers=headers, timeout=10).status_code == 404
        assert requests.put(server.api_url + "learning/1/4/start", headers=headers, timeout=10).status_code == 404
