"""Fault injection: retries with the policy's delays, what is never retried, timeouts, drops, redirects."""
from __future__ import annotations

import socket
import time

import pytest

from scormproxy.upstream import (OpenElmsClient, UpstreamError, UpstreamNotFound, UpstreamRedirect, UpstreamServerError,
                                 UpstreamTimeout, UpstreamTransportError, UpstreamUnavailable)

from .recording_server import RecordingServer
from .support import NEW_USER, SleepRecorder, package_file, sha256_of

JITTER = 0.25  # the client's default backoff_jitter: each delay is base .. base * 1.25


def statuses_seen(sandbox, fragment: str) -> list:
    return [e["status"] for e in sandbox.requests_seen() if fragment in e["path"]]


def assert_policy_delays(delays: list[float], backoff: float) -> None:
    for number, delay in enumerate(delays, start=1):
        base = backoff * 2 ** (number - 1)
        assert base <= delay <= base * (1 + JITTER), (number, delay)


def test_503_three_times_then_200_is_one_success_after_three_retries(make_client, sandbox, sleeps):
    client = make_client(retries=4, backoff=0.05)
    sandbox.inject("status", status=503, count=3)
    resources = client.list_learning()
    assert resources and client.last_call.retries == 3 and client.last_call.status == 200
    assert statuses_seen(sandbox, "/backend/learning/") == [503, 503, 503, 200]
    assert sleeps.delays == client.last_call.delays
    assert_policy_delays(sleeps.delays, backoff=0.05)  # about 0.05, 0.1, 0.2
    assert client.stats.retries == 3


def test_retry_delays_are_really_waited(make_client, sandbox):
    client = make_client(retries=4, backoff=0.05, sleep=time.sleep)
    sandbox.inject("status", status=500, count=2)
    started = time.monotonic()
    client.get_user(1)
    elapsed = time.monotonic() - started
    assert statuses_seen(sandbox, "/users/1") == [500, 500, 200]
    assert_policy_delays(client.last_call.delays, backoff=0.05)
    assert sum(client.last_call.delays) <= elapsed < sum(client.last_call.delays) + 1.0


def test_retry_after_is_honoured(make_client, sandbox):
    client = make_client(retries=2, backoff=0.01, sleep=time.sleep)
    sandbox.inject("status", status=503, retry_after=1)
    started = time.monotonic()
    client.trainees(1)
    elapsed = time.monotonic() - started
    assert client.last_call.delays == [1.0]
    assert 1.0 <= elapsed < 1.8


def test_retry_after_is_capped_at_backoff_max(make_client, sandbox, sleeps):
    client = make_client(retries=2, backoff=0.01, backoff_max=0.2)
    sandbox.inject("status", status=503, retry_after=3600)
    client.user_fields()
    assert sleeps.delays == [0.2]


def test_retries_are_bounded_and_the_last_answer_is_raised(make_client, sandbox, sleeps):
    client = make_client(retries=2, backoff=0.01)
    sandbox.inject("status", status=503, count=-1, retry_after=2)
    with pytest.raises(UpstreamUnavailable) as caught:
        client.list_learning()
    assert caught.value.retry_after == 2.0
    assert statuses_seen(sandbox, "/backend/learning/") == [503, 503, 503]
    assert client.last_call.attempts == 3 and len(sleeps.delays) == 2


@pytest.mark.parametrize("status, retry_after", [
    (400, None), (401, None), (403, None), (404, None), (409, None), (412, None), (501, None),
    (413, 1), (429, 1),  # a Retry-After does not make a 4xx retryable
])
def test_no_retry_on_4xx_or_501(make_client, sandbox, sleeps, status, retry_after):
    sandbox.inject("status", status=status, count=-1, retry_after=retry_after)
    with pytest.raises(UpstreamError) as caught:
        make_client(retries=4).get_learning(1)
    assert caught.value.status == status
    assert len(sandbox.requests_seen()) == 1 and sleeps.delays == []


def test_post_is_retried_on_503_but_not_on_500(make_client, sandbox):
    client = make_client(retries=3)
    sandbox.inject("status", status=503)
    assert client.new_resource("Retried after 503")
    assert client.last_call.retries == 1
    sandbox.inject("status", status=500)
    with pytest.raises(UpstreamServerError):
        client.new_resource("Not retried after 500")  # the site may have created it already
    assert statuses_seen(sandbox, "new-resource") == [503, 200, 500]


def test_post_cut_after_processing_is_not_resent(make_client, sandbox):
    sandbox.inject("drop_after", path="/backend/users/")
    with pytest.raises(UpstreamTransportError):
        make_client(retries=3).create_user(username="once-only", **NEW_USER)
    assert len(make_client().search_users(username="once-only")) == 1


def test_put_progress_cut_after_processing_is_resent_harmlessly(make_client, sandbox):
    client = make_client(retries=3)
    sandbox.inject("drop_after", path="/learning/2/4/complete")
    result = client.report_progress(2, 4, "complete", 70)
    assert client.last_call.retries == 1
    assert [(t.status, t.score) for t in result] == [("completed", 70)]
    assert [e["action"] for e in sandbox.progress_log()] == ["complete", "complete"]


def test_read_timeout_raises_upstream_timeout(make_client, sandbox):
    sandbox.inject("slow", delay=1.0)
    client = make_client(retries=0, read_timeout=0.2)
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout) as caught:
        client.list_learning()
    assert time.monotonic() - started < 0.9
    assert caught.value.retryable and caught.value.status is None
    wait_for_requests(sandbox, 1)  # the slow answer still lands in the log; keep it out of the next test


def test_timeout_then_recovery(make_client, sandbox, sleeps):
    sandbox.inject("slow", delay=0.6)
    client = make_client(retries=2, read_timeout=0.2)
    assert client.get_user(2).username == "learner2"
    assert client.last_call.retries == 1
    wait_for_requests(sandbox, 2)


def test_connection_refused_is_a_transport_error_after_bounded_retries(sleeps):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = OpenElmsClient(f"http://127.0.0.1:{port}/demo", "any-token", retries=2, backoff=0.01, sleep=sleeps)
    with pytest.raises(UpstreamTransportError) as caught:
        client.list_learning()
    assert not isinstance(caught.value, UpstreamTimeout)
    assert client.last_call.retries == 2 and len(sleeps.delays) == 2


def test_dropped_connection_on_a_json_call_is_retried(make_client, sandbox):
    sandbox.inject("drop", path="/backend/user/fields")
    client = make_client(retries=2)
    assert "Ethnicity" in client.user_fields()
    assert statuses_seen(sandbox, "/backend/user/fields") == [None, 200]
    assert client.last_call.retries == 1


def test_download_cut_mid_body_restarts_and_completes(make_client, sandbox, demo_packages, tmp_path):
    sandbox.inject("drop", path="/learning/download/1")
    client = make_client(retries=2)
    result = client.download(1, tmp_path / "p.zip")
    expected = package_file(demo_packages, 1)
    assert (result.bytes, result.sha256) == (expected.stat().st_size, sha256_of(expected))
    assert client.last_call.restarts == 1 and client.last_call.retries == 1
    assert len(statuses_seen(sandbox, "/learning/download/1")) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.zip"]


def test_download_cut_every_time_fails_and_leaves_nothing(make_client, sandbox, tmp_path, sleeps):
    sandbox.inject("drop", count=-1, path="/learning/download/2")
    client = make_client(retries=2)
    with pytest.raises(UpstreamTransportError):
        client.download(2, tmp_path / "p.zip")
    assert list(tmp_path.iterdir()) == []
    assert len(statuses_seen(sandbox, "/learning/download/2")) == 3
    assert client.last_call.restarts == 2 and len(sleeps.delays) == 2


def test_one_budget_covers_restarts_and_status_retries(make_client, sandbox, tmp_path):
    sandbox.inject("drop", path="/learning/download/1")
    sandbox.inject("status", status=503, count=-1, path="/learning/download/1")
    client = make_client(retries=3)
    with pytest.raises(UpstreamUnavailable):
        client.download(1, tmp_path / "p.zip")
    assert client.last_call.attempts == 4 and len(sandbox.requests_seen()) == 4
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("call", [
    lambda c, d: c.list_learning(),
    lambda c, d: c.download(1, d / "p.zip"),
    lambda c, d: c.report_progress(1, 5, "complete", 100),
])
def test_redirect_is_refused_and_the_target_never_contacted(make_client, sandbox, tmp_path, call):
    with RecordingServer() as target:
        sandbox.inject("redirect", location=target.url + "/collect")
        client = make_client(retries=3)
        with pytest.raises(UpstreamRedirect) as caught:
            call(client, tmp_path)
        assert (caught.value.status, caught.value.location) == (302, target.url + "/collect")
        assert "127.0.0.1" in str(caught.value) and not caught.value.retryable
        assert target.requests == []
    assert len(sandbox.requests_seen()) == 1 and client.last_call.retries == 0
    assert list(tmp_path.iterdir()) == []


def test_rate_limit_spaces_requests(make_client, sandbox):
    client = make_client(rate_limit=20.0, sleep=time.sleep)  # one request per 50 ms
    started = time.monotonic()
    for _ in range(6):
        client.get_learning(1)
    assert time.monotonic() - started >= 5 * 0.05
    assert len(sandbox.requests_seen()) == 6


def test_rate_limit_also_paces_retries(make_client, sandbox):
    recorder = SleepRecorder(real=True)
    client = make_client(rate_limit=10.0, backoff=0.0, sleep=recorder)
    sandbox.inject("status", status=503, count=2)
    started = time.monotonic()
    client.get_learning(1)
    assert client.last_call.retries == 2
    assert time.monotonic() - started >= 2 * 0.1 - 0.01


def test_not_found_is_never_retried_even_with_budget(make_client, sandbox, sleeps):
    with pytest.raises(UpstreamNotFound):
        make_client(retries=5).get_user(424242)
    assert len(sandbox.requests_seen()) == 1 and sleeps.delays == []


def wait_for_requests(sandbox, count: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while len(sandbox.requests_seen()) < count and time.monotonic() < deadline:
        time.sleep(0.02)
