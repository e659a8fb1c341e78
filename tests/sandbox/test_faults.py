"""Injected faults and the /_sandbox control endpoints, seen from a real HTTP client."""
from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest
import requests

from scormproxy.sandbox.faults import FaultSpecError

from .conftest import TIMEOUT


def _control(sandbox, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{sandbox.base_url}/_sandbox/{path}", timeout=TIMEOUT, **kwargs)


@pytest.mark.parametrize("status, retry_after", [(503, 7), (500, None), (503, None), (429, 1.5)])
def test_status_fault_answers_status_and_retry_after(sandbox, api, status, retry_after):
    sandbox.inject("status", status=status, retry_after=retry_after)
    response = api.get("learning/")
    assert response.status_code == status
    assert response.headers.get("Retry-After") == (None if retry_after is None else f"{retry_after:g}")
    assert isinstance(response.json()["error"], str)
    assert api.get("learning/").status_code == 200  # count 1: used up


def test_faults_apply_before_the_token_check(sandbox):
    sandbox.inject("status", status=503)
    assert requests.get(sandbox.api_url + "learning/", timeout=TIMEOUT).status_code == 503


def test_faults_are_fifo_with_counts_and_path_filters(sandbox, api):
    sandbox.inject("status", status=500, count=2, path="/users")
    sandbox.inject("status", status=503)
    assert api.get("learning/").status_code == 503  # the users fault does not match; the next one does
    assert api.get("learning/").status_code == 200
    assert api.get("users/1").status_code == 500
    assert api.get("users/1?x").status_code == 500
    assert api.get("users/1").status_code == 200


def test_path_filter_sees_the_query_string(sandbox, api):
    sandbox.inject("status", status=500, path="fname=Ada")
    assert api.get("users/", params={"fname": "Ada"}).status_code == 500


def test_until_cleared_fault(sandbox, api):
    sandbox.inject("status", status=503, count=-1)
    assert [api.get("learning/").status_code for _ in range(4)] == [503] * 4
    sandbox.clear_faults()
    assert api.get("learning/").status_code == 200


def test_faults_never_touch_content_or_control_paths(sandbox):
    sandbox.inject("status", status=500, count=-1)
    assert requests.get(sandbox.site_url + "/content/1/index.html", timeout=TIMEOUT).status_code == 200
    assert _control(sandbox, "GET", "requests").status_code == 200


def test_slow_fault_delays_then_answers(sandbox, api):
    sandbox.inject("slow", delay=0.4)
    started = time.monotonic()
    response = api.get("learning/1")
    assert response.status_code == 200 and response.json()["id"] == 1
    assert time.monotonic() - started >= 0.4
    with pytest.raises(requests.exceptions.ReadTimeout):
        sandbox.inject("slow", delay=1.0)
        api.get("learning/1", timeout=0.2)


def test_drop_closes_the_connection_without_an_answer(sandbox, api):
    sandbox.inject("drop", path="/learning/1/2/complete")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.put("learning/1/2/complete/90")
    assert sandbox.progress_log() == []  # never processed
    assert sandbox.requests_seen()[-1] == {"method": "PUT", "path": "/demo/backend/learning/1/2/complete/90",
                                           "authorization_present": True, "status": None}


def test_drop_after_processes_then_drops(sandbox, api):
    sandbox.inject("drop_after")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.put("learning/1/2/complete/90")
    assert sandbox.progress_log() == [{"learning_id": 1, "user_id": 2, "action": "complete", "score": 90}]
    assert sandbox.trainee(1, 2)["status"] == "completed"


def test_drop_on_download_sends_full_length_then_half_the_body(sandbox, demo_packages):
    original = (demo_packages / "02-workshop-basics-scorm2004.zip").read_bytes()
    sandbox.inject("drop", path="/download/")
    # http.client, not requests: it reports exactly how many body bytes arrived before the cut.
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(sandbox.base_url).port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/demo/backend/learning/download/2",
                           headers={"Authorization": f"Basic {sandbox.token}"})
        response = connection.getresponse()
        assert response.status == 200
        assert int(response.headers["Content-Length"]) == len(original)
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
    finally:
        connection.close()
    assert cut.value.partial == original[: len(original) // 2]
    assert requests.get(sandbox.api_url + "learning/download/2", timeout=TIMEOUT,
                        headers={"Authorization": f"Basic {sandbox.token}"}).content == original


def test_requests_sees_a_dropped_download_as_broken(sandbox, api):
    sandbox.inject("drop", path="/download/")
    with api.get("learning/download/1", stream=True) as response:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            for _ in response.iter_content(1024):
                pass


def test_redirect_fault_points_elsewhere(sandbox, api):
    sandbox.inject("redirect", location="http://127.0.0.1:9/elsewhere")
    response = api.get("learning/")
    assert response.status_code == 302
    assert response.headers["Location"] == "http://127.0.0.1:9/elsewhere"


@pytest.mark.parametrize("spec", [
    {"kind": "explode"}, {"kind": "status"}, {"kind": "status", "status": 700}, {"kind": "redirect"},
    {"kind": "slow", "delay": -1}, {"kind": "slow", "delay": 10_000}, {"kind": "drop", "count": 0},
    {"kind": "drop", "count": -2}, {"kind": "drop", "count": "2"}, {"kind": "drop", "colour": "red"},
    {"kind": "drop", "path": ""}, {"kind": "status", "status": 503, "retry_after": "soon"}, ["drop"],
])
def test_bad_fault_specs_are_400_and_raise_in_process(sandbox, spec):
    response = _control(sandbox, "POST", "faults", json=spec)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)
    if isinstance(spec, dict) and "colour" not in spec:
        with pytest.raises(FaultSpecError):
            sandbox.inject(**spec)


def test_control_endpoints_over_http(sandbox, api):
    posted = _control(sandbox, "POST", "faults", json={"kind": "status", "status": 503, "retry_after": 2})
    assert posted.status_code == 201 and posted.json()["count"] == 1
    assert [f["kind"] for f in _control(sandbox, "GET", "faults").json()] == ["status"]
    assert api.get("learning/").status_code == 503
    _control(sandbox, "POST", "faults", json={"kind": "drop", "count": -1})
    assert _control(sandbox, "DELETE", "faults").status_code == 200
    assert _control(sandbox, "GET", "faults").json() == []
    api.put("learning/2/1/complete/75")
    requests.get(sandbox.api_url + "learning/", timeout=TIMEOUT)
    seen = _control(sandbox, "GET", "requests").json()
    assert seen == [
        {"method": "GET", "path": "/demo/backend/learning/", "authorization_present": True, "status": 503},
        {"method": "PUT", "path": "/demo/backend/learning/2/1/complete/75", "authorization_present": True,
         "status": 200},
        {"method": "GET", "path": "/demo/backend/learning/", "authorization_present": False, "status": 401},
    ]
    assert sandbox.token not in str(seen)
    assert _control(sandbox, "GET", "progress").json() == [
        {"learning_id": 2, "user_id": 1, "action": "complete", "score": 75}]
    assert _control(sandbox, "POST", "reset").status_code == 200
    assert _control(sandbox, "GET", "progress").json() == []
    assert _control(sandbox, "GET", "requests").json() == []
    assert sandbox.trainee(2, 1) is None


def test_control_endpoints_refuse_non_loopback_clients(sandbox):
    client = sandbox.app.test_client()
    outside = {"REMOTE_ADDR": "192.0.2.10"}
    assert client.get("/_sandbox/requests", environ_base=outside).status_code == 403
    assert client.post("/_sandbox/reset", environ_base=outside).status_code == 403
    assert client.get("/_sandbox/requests", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
