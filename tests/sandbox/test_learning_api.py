"""The learning half of the sandbox API over real HTTP: resources, downloads, containers, progress."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
import requests
from lxml import etree

from scormproxy.sandbox.testing import running_sandbox

from .conftest import TIMEOUT, Api

# Auth ------------------------------------------------------------------------


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"Authorization": "Basic wrong-token"}, 403),
    ({"Authorization": "Bearer {token}"}, 403),
    ({"Authorization": "Basic {b64}"}, 403),  # Open eLMS takes the raw token, not base64
    ({"Authorization": "Basic {token}"}, 200),
])
def test_token_is_required_raw_after_basic(sandbox, headers, status):
    import base64

    filled = {k: v.format(token=sandbox.token, b64=base64.b64encode(sandbox.token.encode()).decode())
              for k, v in headers.items()}
    response = requests.get(sandbox.api_url + "learning/", headers=filled, timeout=TIMEOUT)
    assert response.status_code == status
    if status != 200:
        assert isinstance(response.json()["error"], str)


def test_unknown_site_and_unknown_api_path_are_404(sandbox, api):
    assert requests.get(sandbox.base_url + "/other/backend/learning/", timeout=TIMEOUT).status_code == 404
    response = api.get("no-such-thing")
    assert response.status_code == 404 and "error" in response.json()


# Learning resources -------------------------------------------------------------


def test_learning_list_names_from_manifests_with_absolute_download_links(sandbox, api):
    response = api.get("learning/")
    assert response.status_code == 200
    assert response.json() == [
        {"id": 1, "name": "Workplace Safety Quiz", "type": "elearning",
         "download_link": f"{sandbox.api_url}learning/download/1"},
        {"id": 2, "name": "Workshop Basics", "type": "elearning",
         "download_link": f"{sandbox.api_url}learning/download/2"},
    ]


@pytest.mark.parametrize("path", ["learning", "learning/", "learning/2", "learning/2/", "users", "users/3/"])
def test_paths_work_with_and_without_trailing_slash(api, path):
    assert api.get(path).status_code == 200


def test_one_learning_resource_and_unknown_one(api):
    assert api.get("learning/2").json()["name"] == "Workshop Basics"
    assert api.get("learning/99").status_code == 404
    assert api.get("learning/abc").status_code == 404


def test_download_streams_the_zip_with_length_and_ranges(api, demo_packages):
    original = (demo_packages / "01-safety-quiz-scorm12.zip").read_bytes()
    response = api.get("learning/download/1")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert int(response.headers["Content-Length"]) == len(original)
    assert response.content == original
    ranged = api.get("learning/download/1", headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206
    assert ranged.content == original[10:20]
    assert api.get("learning/download/42").status_code == 404


def test_large_download_is_streamed_not_loaded(tmp_path):
    import tracemalloc

    size = 48 * 1024 * 1024
    folder = tmp_path / "big"
    folder.mkdir()
    with zipfile.ZipFile(folder / "big.zip", "w", compression=zipfile.ZIP_STORED) as archive:
        with archive.open("payload.bin", "w", force_zip64=True) as payload:
            for _ in range(size // (1024 * 1024)):
                payload.write(b"\x5a" * (1024 * 1024))
    expected = hashlib.sha256((folder / "big.zip").read_bytes()).hexdigest()
    with running_sandbox(folder, seed_users=1) as server:
        tracemalloc.start()
        try:
            digest = hashlib.sha256()
            with requests.get(server.api_url + "learning/download/1", stream=True, timeout=TIMEOUT,
                              headers={"Authorization": f"Basic {server.token}"}) as response:
                assert int(response.headers["Content-Length"]) == (folder / "big.zip").stat().st_size
                for chunk in response.iter_content(256 * 1024):
                    digest.update(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert digest.hexdigest() == expected
    assert peak < size // 4  # client and server share this process: neither held the file


def test_new_resource_returns_string_id_and_is_listed(api):
    response = api.post("learning/new-resource", data={"name": "Fire marshal briefing", "type": "induction"})
    assert response.status_code == 200
    assert response.json() == "3"
    assert api.get("learning/3").json() == {"id": 3, "name": "Fire marshal briefing", "type": "induction",
                                            "download_link": None}
    assert api.post("learning/new-resource", data={"name": "Default type"}).json() == "4"
    assert api.get("learning/4").json()["type"] == "elearning"
    assert api.get("learning/download/3").status_code == 404
    assert api.get("learning/download-container/3").status_code == 404


@pytest.mark.parametrize("form", [{}, {"name": "  "}, {"name": "x", "type": "podcast"}])
def test_new_resource_validation(api, form):
    response = api.post("learning/new-resource", data=form)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


def test_creator_url_is_one_time_and_replaced_by_newer(sandbox, api):
    first = api.get("learning/creator-url/1").json()
    second = api.get("learning/creator-url/1").json()
    assert first.startswith(sandbox.site_url + "/creator/") and first != second
    assert requests.get(first, timeout=TIMEOUT).status_code == 404  # superseded
    opened = requests.get(second, timeout=TIMEOUT)
    assert opened.status_code == 200 and "Workplace Safety Quiz" in opened.text
    assert requests.get(second, timeout=TIMEOUT).status_code == 404  # used
    assert api.get("learning/creator-url/77").status_code == 404


# Containers ----------------------------------------------------------------------


def _container(api: Api, learning_id: int) -> zipfile.ZipFile:
    response = api.get(f"learning/download-container/{learning_id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


@pytest.mark.parametrize("learning_id, schemaversion, launch", [
    (1, "1.2", "index.html"),
    (2, "2004 4th Edition", "intro.html"),
])
def test_container_is_a_small_scorm_package_of_the_same_version(sandbox, api, learning_id, schemaversion, launch):
    archive = _container(api, learning_id)
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["container.html", "container.json", "imsmanifest.xml"]
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.xpath("string(//*[local-name()='schemaversion'])") == schemaversion
    resources = manifest.xpath("//*[local-name()='resource']")
    assert len(resources) == 1 and resources[0].get("href") == "container.html"
    assert sorted(f.get("href") for f in resources[0].xpath("*[local-name()='file']")) == [
        "container.html", "container.json"]
    marker = json.loads(archive.read("container.json"))
    assert marker["container"] is True
    assert marker["remote_base"] == f"{sandbox.site_url}/content/{learning_id}/"
    assert marker["launch"] == launch
    page = archive.read("container.html").decode()
    assert f"{sandbox.site_url}/remote-player/{learning_id}" in page
    # The content the container points at is really there, without a token.
    assert requests.get(marker["remote_base"] + marker["launch"], timeout=TIMEOUT).status_code == 200


def test_container_of_scorm12_keeps_the_mastery_score(api):
    manifest = etree.fromstring(_container(api, 1).read("imsmanifest.xml"))
    assert manifest.xpath("string(//*[local-name()='masteryscore'])") == "80"


def test_containers_disallowed_is_412(demo_packages):
    with running_sandbox(demo_packages, allow_containers=False, seed_users=1) as server:
        response = requests.get(server.api_url + "learning/download-container/1", timeout=TIMEOUT,
                                headers={"Authorization": f"Basic {server.token}"})
    assert response.status_code == 412
    assert "allowSCORMContainerPlayer" in response.json()["error"]


# Progress ---------------------------------------------------------------------------


def test_progress_start_complete_fail_and_trainees(sandbox, api):
    assert api.get("learning/1/trainees").json() == []
    started = api.put("learning/1/2/start")
    assert started.status_code == 200
    assert started.json() == [{"user_id": 2, "status": "in progress", "score": None, "completion_date": None}]
    done = api.put("learning/1/2/complete/84.5").json()[0]
    assert done["status"] == "completed" and done["score"] == 85
    assert len(done["completion_date"]) == 19 and done["completion_date"][4] == "-"
    failed = api.put("learning/1/3/fail/40/").json()[0]
    assert (failed["status"], failed["score"]) == ("failed", 40)
    assert [t["user_id"] for t in api.get("learning/1/trainees").json()] == [2, 3]
    assert api.get("learning/1/trainees/3").json() == [failed]
    assert api.get("learning/1/trainees/1").json() == []  # known user, not a trainee
    assert sandbox.trainee(1, 2)["score"] == 85
    assert sandbox.trainee(1, 1) is None
    assert sandbox.progress_log() == [
        {"learning_id": 1, "user_id": 2, "action": "start", "score": None},
        {"learning_id": 1, "user_id": 2, "action": "complete", "score": 85},
        {"learning_id": 1, "user_id": 3, "action": "fail", "score": 40},
    ]


def test_assigned_users_are_trainees_not_attempted(api):
    assert api.put("assign/5/2").status_code == 200
    assert api.get("learning/2/trainees").json() == [
        {"user_id": 5, "status": "not attempted", "score": None, "completion_date": None}]


def test_repeated_completion_keeps_its_date(sandbox, api):
    first = api.put("learning/2/1/complete/90").json()[0]
    again = api.put("learning/2/1/complete/90").json()[0]
    assert again == first
    assert len(sandbox.progress_log()) == 2  # both received, one result


@pytest.mark.parametrize("score, stored", [("0", 0), ("100", 100), ("49.5", 50), ("49.49", 49), ("0.5", 1),
                                           ("99.5", 100), ("1e1", 10)])
def test_scores_are_whole_numbers_rounded_half_up(api, score, stored):
    assert api.put(f"learning/1/1/complete/{score}").json()[0]["score"] == stored


@pytest.mark.parametrize("path, status", [
    ("learning/1/1/finish", 400),
    ("learning/1/1/complete/abc", 400),
    ("learning/1/1/complete/-1", 400),
    ("learning/1/1/complete/100.1", 400),
    ("learning/1/1/complete/NaN", 400),
    ("learning/1/1/complete/Infinity", 400),
    ("learning/9/1/complete/50", 404),
    ("learning/1/999999/complete/50", 404),
])
def test_progress_errors(sandbox, api, path, status):
    response = api.put(path)
    assert response.status_code == status
    assert isinstance(response.json()["error"], str)
    assert sandbox.progress_log() == []


def test_trainees_of_unknown_learning_or_user_are_404(api):
    assert api.get("learning/9/trainees").status_code == 404
    assert api.get("learning/1/trainees/999999").status_code == 404


# 501 --------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [
    ("DELETE", "users/1"), ("POST", "users/1"), ("PATCH", "users/"), ("DELETE", "learning/1"),
    ("POST", "learning/"), ("GET", "learning/new-resource"), ("PUT", "learning/download/1"),
    ("GET", "learning/1/1/start"), ("PUT", "learning/1/trainees"), ("GET", "assign/1/1"),
    ("PUT", "unassign/1/1"), ("POST", "user/fields"), ("POST", "organisation"), ("GET", "organisation/1"),
])
def test_documented_paths_with_undocumented_methods_are_501(api, method, path):
    response = api.call(method, path)
    assert response.status_code == 501
    assert isinstance(response.json()["error"], str)
