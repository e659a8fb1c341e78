"""Contract: every documented endpoint, against the sandbox over real HTTP, with its own error answers."""
from __future__ import annotations

import zipfile

import pytest

from scormproxy.sandbox.testing import running_sandbox
from scormproxy.upstream import (LearningResource, OpenElmsClient, UpstreamNotFound, UpstreamPreconditionFailed,
                                 UpstreamValidationError)
from scormproxy.upstream.forms import ILR_EMPLOYER_SUFFIXES

from .support import NEW_USER, package_file, sha256_of


def test_list_learning_has_every_package(client, sandbox, demo_packages):
    resources = client.list_learning()
    assert [r.id for r in resources] == list(range(1, len(list(demo_packages.glob("*.zip"))) + 1))
    assert all(isinstance(r, LearningResource) and r.name for r in resources)
    assert all(r.download_link.startswith(sandbox.site_url + "/backend/") for r in resources)


def test_get_learning_matches_the_list(client):
    first = client.list_learning()[0]
    assert client.get_learning(first.id) == first
    assert client.get_learning(str(first.id)) == first


def test_get_learning_unknown_is_not_found(client):
    with pytest.raises(UpstreamNotFound) as caught:
        client.get_learning(9999)
    assert caught.value.status == 404 and caught.value.path == "/backend/learning/9999"
    assert not caught.value.retryable


def test_download_streams_the_zip_with_size_and_hash(client, demo_packages, tmp_path):
    expected = package_file(demo_packages, 1)
    result = client.download(1, tmp_path / "one.zip")
    assert (result.bytes, result.sha256) == (expected.stat().st_size, sha256_of(expected))
    assert result.path == str(tmp_path / "one.zip") and result.content_type == "application/zip"
    assert (tmp_path / "one.zip").read_bytes() == expected.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.zip"]  # no .part left


def test_download_unknown_leaves_no_file(client, tmp_path):
    with pytest.raises(UpstreamNotFound):
        client.download(9999, tmp_path / "x.zip")
    assert list(tmp_path.iterdir()) == []


def test_download_container_is_a_zip(client, tmp_path):
    result = client.download_container(1, tmp_path / "container.zip")
    assert result.bytes == (tmp_path / "container.zip").stat().st_size > 0
    assert zipfile.is_zipfile(tmp_path / "container.zip")


def test_download_container_refused_with_412_when_containers_are_off(demo_packages, tmp_path):
    with running_sandbox(demo_packages, token="t-412-token", allow_containers=False, seed_users=1) as site:
        with OpenElmsClient(site.site_url, site.token, retries=0) as client:
            with pytest.raises(UpstreamPreconditionFailed) as caught:
                client.download_container(1, tmp_path / "c.zip")
            assert caught.value.status == 412
            assert client.download(1, tmp_path / "p.zip").bytes > 0  # the package itself still comes
    assert not (tmp_path / "c.zip").exists() and not (tmp_path / "c.zip.part").exists()


def test_new_resource_with_and_without_type(client):
    quiz_id = client.new_resource("Fire drill quiz", type="quiz")
    plain_id = client.new_resource("Induction notes")
    assert isinstance(quiz_id, str) and isinstance(plain_id, str) and quiz_id != plain_id
    created = client.get_learning(quiz_id)
    assert (created.name, created.type, created.download_link) == ("Fire drill quiz", "quiz", None)


def test_new_resource_refuses_undocumented_type_before_any_request(client, sandbox):
    with pytest.raises(ValueError, match="type"):
        client.new_resource("x", type="podcast")
    assert sandbox.requests_seen() == []


def test_creator_url_is_a_fresh_string_each_time(client):
    first, second = client.creator_url(1), client.creator_url(1)
    assert first.startswith("http") and second.startswith("http") and first != second
    with pytest.raises(UpstreamNotFound):
        client.creator_url(9999)


def test_progress_start_complete_fail_and_trainees(client, sandbox):
    started = client.report_progress(1, 7, "start")
    assert [(t.user_id, t.status, t.score) for t in started] == [(7, "in progress", None)]
    completed = client.report_progress(1, 7, "complete", score=85)
    assert (completed[0].status, completed[0].score) == ("completed", 85)
    assert completed[0].completion_date
    assert client.trainees(1, 7) == completed
    failed = client.report_progress(2, 8, "fail", 30)
    assert (failed[0].status, failed[0].score) == ("failed", 30)
    client.report_progress(1, 9, "complete")  # the score is optional
    assert client.trainees(1, 9)[0].score is None
    assert {t.user_id for t in client.trainees(1)} >= {7, 9}
    assert [(e["learning_id"], e["user_id"], e["action"], e["score"]) for e in sandbox.progress_log()] == [
        (1, 7, "start", None), (1, 7, "complete", 85), (2, 8, "fail", 30), (1, 9, "complete", None)]
    assert sandbox.trainee(1, 7)["status"] == "completed"


@pytest.mark.parametrize("action, score", [("start", 50), ("complete", 101), ("fail", -1), ("complete", 50.5),
                                           ("complete", True), ("pass", None)])
def test_progress_arguments_checked_before_any_request(client, sandbox, action, score):
    with pytest.raises(ValueError):
        client.report_progress(1, 7, action, score)
    assert sandbox.requests_seen() == []


def test_progress_for_unknown_learning_is_not_found(client):
    with pytest.raises(UpstreamNotFound):
        client.report_progress(9999, 7, "start")
    with pytest.raises(UpstreamNotFound):
        client.trainees(9999)


def test_create_user_with_every_documented_field(client):
    ilr = {"AddLine1": "1 High St", "AddLine2": "Flat 2", "AddLine3": "Town", "AddLine4": "County",
           "Postcode": "AB1 2CD", "Sex": "F", "Ethnicity": 31, "LLDDHealthProb": 2, "DateOfBirth": "1906-12-09",
           "NINumber": "QQ123456C"}
    flags = {"SEI": True, "PEI": False, "SEM": 1}
    coded = {"EmpStat": 10, "LOU": 1, "BSI": 4, "EII": 8, "LOE": 4}
    employers = {}
    for slot in range(1, 6):
        employers.update({f"Employer{slot}_{k}": v for k, v in {**flags, **coded}.items()})
        employers.update({f"Employer{slot}_DateEmpStatApp": "2024-01-0%d" % slot,
                          f"Employer{slot}_EmpId": f"EMP{slot}", f"Employer{slot}_AgreeId": f"AG{slot}"})
    assert {name.split("_", 1)[1] for name in employers} == set(ILR_EMPLOYER_SUFFIXES)
    optional = {"department": "Navy", "department_address": "Pentagon", "department_postcode": "DC1",
                "city": "Arlington", "company": "US Navy", "country": "USA", "job": "Rear Admiral",
                "phone": "555", "week_hours": 37.5, "manager_name": "N", "manager_job_title": "Chief",
                "manager_email": "n@example.org"}
    user_id = client.create_user(username="ghopper", **NEW_USER, **optional, **ilr, **employers)
    assert isinstance(user_id, int)
    user = client.get_user(user_id)
    assert (user.id, user.username, user.fname, user.email) == (user_id, "ghopper", "Grace", "grace@example.org")
    assert user.company["name"] == "US Navy" and user.job["name"] == "Rear Admiral"


def test_create_user_rejected_by_the_site_is_a_validation_error(client):
    with pytest.raises(UpstreamValidationError) as caught:
        client.create_user(username="bad", Ethnicity=5, **NEW_USER)  # 5 is not a code of user/fields
    assert caught.value.status == 400 and "Ethnicity" in str(caught.value)
    assert client.last_call.retries == 0


def test_create_user_with_undocumented_field_makes_no_request(client, sandbox):
    with pytest.raises(ValueError, match="Employer6_SEI"):
        client.create_user(username="x", Employer6_SEI=1, **NEW_USER)
    assert sandbox.requests_seen() == []


def test_update_user(client):
    user_id = client.create_user(username="upd", **NEW_USER)
    client.update_user(user_id, username="upd", **{**NEW_USER, "fname": "Amazing"}, city="Boston")
    user = client.get_user(user_id)
    assert (user.fname, user.city["name"]) == ("Amazing", "Boston")
    with pytest.raises(UpstreamNotFound):
        client.update_user(999999, username="nobody", **NEW_USER)


def test_get_and_list_seeded_users(client):
    learner = client.get_user(1)
    assert (learner.id, learner.username) == (1, "learner1")
    users = client.list_users()
    assert len(users) >= 1000 and {u.username for u in users} >= {"learner1", "learner1000"}
    with pytest.raises(UpstreamNotFound):
        client.get_user(999999)


def test_search_users_by_documented_fields(client, sandbox):
    assert [u.username for u in client.search_users(username="learner7")] == ["learner7"]
    by_email = client.search_users(email=client.get_user(8).email)
    assert [u.id for u in by_email] == [8]
    with pytest.raises(UpstreamValidationError):
        client.search_users(company_id="not-a-number")  # the site validates the value
    seen = len(sandbox.requests_seen())
    with pytest.raises(ValueError, match="password"):
        client.search_users(password="x")
    assert len(sandbox.requests_seen()) == seen


def test_user_fields_has_the_numeric_codes(client):
    fields = client.user_fields()
    assert {"Ethnicity", "LLDDHealthProb"} <= set(fields)


def test_assign_and_unassign_csv_lists(client, sandbox):
    client.assign(12, [1, 2])
    assert sandbox.requests_seen()[-1]["path"].endswith("/backend/assign/12/1,2")
    assert {item["id"] for item in client.get_user(12).learning} == {1, 2}
    assert 12 in {t.user_id for t in client.trainees(2)}
    client.unassign(12, ["2"])
    assert sandbox.requests_seen()[-1]["method"] == "DELETE"
    assert [item["id"] for item in client.get_user(12).learning] == [1]
    client.unassign(12, 1)
    assert client.get_user(12).learning == []
    with pytest.raises(UpstreamNotFound):
        client.assign(999999, [1])
