"""Contract: every endpoint meets every documented status code and raises the matching exception."""
from __future__ import annotations

import pytest

from scormproxy.upstream import (UpstreamAuthError, UpstreamError, UpstreamNotFound, UpstreamNotImplemented,
                                 UpstreamPreconditionFailed, UpstreamServerError, UpstreamUnavailable,
                                 UpstreamValidationError)

NEW_USER = {"fname": "Alan", "lname": "Turing", "email": "alan@example.org", "password": "enigma-pw"}

# name -> a call of that endpoint making exactly one request (retries are off in these tests)
ENDPOINTS = {
    "list_learning": lambda c, d: c.list_learning(),
    "get_learning": lambda c, d: c.get_learning(1),
    "download": lambda c, d: c.download(1, d / "package.zip"),
    "download_container": lambda c, d: c.download_container(1, d / "container.zip"),
    "new_resource": lambda c, d: c.new_resource("New course", type="elearning"),
    "creator_url": lambda c, d: c.creator_url(1),
    "trainees": lambda c, d: c.trainees(1),
    "trainee": lambda c, d: c.trainees(1, 3),
    "progress": lambda c, d: c.report_progress(1, 3, "complete", 90),
    "create_user": lambda c, d: c.create_user(username="aturing", **NEW_USER),
    "update_user": lambda c, d: c.update_user(3, username="learner3", **NEW_USER),
    "get_user": lambda c, d: c.get_user(3),
    "list_users": lambda c, d: c.list_users(),
    "search_users": lambda c, d: c.search_users(lname="Turing"),
    "user_fields": lambda c, d: c.user_fields(),
    "assign": lambda c, d: c.assign(3, [1, 2]),
    "unassign": lambda c, d: c.unassign(3, [1]),
}

STATUSES = {
    400: UpstreamValidationError,
    401: UpstreamAuthError,
    403: UpstreamAuthError,
    404: UpstreamNotFound,
    412: UpstreamPreconditionFailed,
    500: UpstreamServerError,
    501: UpstreamNotImplemented,
    503: UpstreamUnavailable,
}
RETRYABLE = {500, 503}


@pytest.mark.parametrize("status", list(STATUSES))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_status_maps_to_our_exception(make_client, sandbox, tmp_path, endpoint, status):
    client = make_client(retries=0)
    sandbox.inject("status", status=status)
    with pytest.raises(STATUSES[status]) as caught:
        ENDPOINTS[endpoint](client, tmp_path)
    error = caught.value
    assert error.status == status and error.path.startswith("/backend/") and "?" not in error.path
    assert error.retryable is (status in RETRYABLE)
    assert [e["status"] for e in sandbox.requests_seen()] == [status]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("retry_after", [None, 7])
def test_503_carries_retry_after_when_given(make_client, sandbox, retry_after):
    sandbox.inject("status", status=503, retry_after=retry_after)
    with pytest.raises(UpstreamUnavailable) as caught:
        make_client(retries=0).list_learning()
    assert caught.value.retry_after == retry_after


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_missing_token_is_401_and_wrong_token_403(make_client, sandbox, tmp_path, endpoint):
    for token, status, sent in (("", 401, False), ("not-the-token", 403, True)):
        client = make_client(token=token)
        with pytest.raises(UpstreamAuthError) as caught:
            ENDPOINTS[endpoint](client, tmp_path)
        assert caught.value.status == status and not caught.value.retryable
        assert client.last_call.retries == 0
        assert sandbox.requests_seen()[-1] == {**sandbox.requests_seen()[-1], "status": status,
                                               "authorization_present": sent}
    assert len(sandbox.requests_seen()) == 2
    assert list(tmp_path.iterdir()) == []


def test_ok_answers_every_endpoint(make_client, tmp_path):
    client = make_client(retries=0)
    for call in ENDPOINTS.values():
        call(client, tmp_path)
        assert client.last_call.status == 200
    assert client.stats.retries == 0


def test_undocumented_status_is_still_ours(make_client, sandbox):
    sandbox.inject("status", status=418)
    with pytest.raises(UpstreamError) as caught:
        make_client().list_learning()
    assert caught.value.status == 418 and not caught.value.retryable

