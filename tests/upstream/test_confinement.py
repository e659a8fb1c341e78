"""The token stays secret and requests stay on the configured site, whatever the API answers."""
from __future__ import annotations

import json
import logging
import traceback

import pytest

from scormproxy.config import ConfigError, Settings
from scormproxy.upstream import (OpenElmsClient, UpstreamError, UpstreamProtocolError, UpstreamRedirect,
                                 UpstreamTransportError)

from .recording_server import RecordingServer

TOKEN = "wire-token-Zq81x"


def scripted_site(routes: dict[str, tuple[int, dict, bytes]]):
    """A responder for RecordingServer: exact path -> answer, else 404."""
    def respond(method, path):
        return routes.get(path, (404, {"Content-Type": "application/json"}, b'{"error": "not found"}'))
    return respond


def json_answer(payload) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def test_token_goes_only_in_the_authorization_header_as_documented():
    with RecordingServer(scripted_site({"/site/backend/learning/": json_answer([])})) as site:
        OpenElmsClient(site.url + "/site/", TOKEN).list_learning()
    (seen,) = site.requests
    assert seen.headers["Authorization"] == f"Basic {TOKEN}"  # the raw token, not base64(user:pass)
    assert TOKEN not in seen.path
    assert [v for k, v in seen.headers.items() if TOKEN in v and k != "Authorization"] == []


def test_no_token_sends_no_authorization_header():
    with RecordingServer(scripted_site({"/site/backend/learning/": json_answer([])})) as site:
        OpenElmsClient(site.url + "/site", "").list_learning()
    assert "Authorization" not in site.requests[0].headers


def test_download_link_outside_the_site_is_ignored_and_never_fetched(tmp_path):
    with RecordingServer() as elsewhere:
        listing = [
            {"id": 1, "name": "foreign", "type": "elearning", "download_link": elsewhere.url + "/site/x.zip"},
            {"id": 2, "name": "escape", "type": "elearning", "download_link": "/site/backend/../../other/2"},
            {"id": 3, "name": "other site", "type": "elearning", "download_link": "/other/backend/3"},
            {"id": 4, "name": "inside", "type": "elearning", "download_link": "backend/learning/download/4"},
        ]
        routes = {"/site/backend/learning/": json_answer(listing),
                  "/site/backend/learning/1": json_answer(listing[0]),
                  "/site/backend/learning/download/1": (200, {"Content-Type": "application/zip"}, b"PK-zip")}
        with RecordingServer(scripted_site(routes)) as site:
            client = OpenElmsClient(site.url + "/site", TOKEN)
            links = [r.download_link for r in client.list_learning()]
            assert links == [None, None, None, site.url + "/site/backend/learning/download/4"]
            assert client.get_learning(1).download_link is None
            result = client.download(1, tmp_path / "one.zip")
        assert result.bytes == 6 and (tmp_path / "one.zip").read_bytes() == b"PK-zip"
        assert [s.path for s in site.requests][-1] == "/site/backend/learning/download/1"
    assert elsewhere.requests == []


def test_secrets_never_reach_reprs_exceptions_or_logs(make_client, sandbox, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    token = sandbox.token
    client = make_client(retries=1)
    failures = []
    sandbox.inject("status", status=503, count=2, retry_after=0)
    sandbox.inject("redirect", location="http://127.0.0.1:9/steal")
    sandbox.inject("drop", path="/learning/download/1", count=-1)
    for call in (lambda: client.list_learning(), lambda: client.get_user(1),
                 lambda: client.download(1, tmp_path / "p.zip"), lambda: client.get_learning(9999),
                 lambda: client.create_user(username="x", Ethnicity=5, fname="a", lname="b", email="e", password="p"),
                 lambda: make_client(token="wrong-token").user_fields()):
        with pytest.raises(UpstreamError) as caught:
            call()
        failures.append(caught.value)
    assert {type(e).__name__ for e in failures} >= {"UpstreamUnavailable", "UpstreamRedirect",
                                                    "UpstreamTransportError", "UpstreamNotFound",
                                                    "UpstreamValidationError", "UpstreamAuthError"}
    texts = [repr(client), str(client), repr(vars(client)), repr(client.last_call)]
    for error in failures:
        texts += [str(error), repr(error), repr(vars(error)), "".join(traceback.format_exception(error))]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.__dict__)]
    assert caplog.records, "the client logs its calls"
    assert [text for text in texts if token in text] == []


def test_each_call_logs_one_line_with_method_path_status_and_attempt(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="scormproxy.upstream")
    make_client().get_user(3)
    (line,) = [r for r in caplog.records if r.name == "scormproxy.upstream.client"]
    assert "GET /backend/users/3" in line.getMessage() and line.status == 200 and line.attempt == 1
    assert line.elapsed >= 0


@pytest.mark.parametrize("bad_id", ["../1", "1/2", "a b", "1?x=1", "", -1, True, 1.5, None, "x" * 65])
def test_ids_that_could_leave_the_api_path_are_refused(make_client, sandbox, bad_id, tmp_path):
    client = make_client()
    for call in (lambda: client.get_learning(bad_id), lambda: client.download(bad_id, tmp_path / "x"),
                 lambda: client.assign(3, [1, bad_id]), lambda: client.report_progress(1, bad_id, "start")):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError):
        client.assign(3, [])
    assert sandbox.requests_seen() == []


@pytest.mark.parametrize("url", ["", "ftp://host/site", "host/site", "http://user:pw@host/site",
                                 "http://host/site?token=1", "http://host/site#x"])
def test_unusable_site_urls_are_refused(url):
    with pytest.raises(ConfigError):
        OpenElmsClient(url, TOKEN)


def test_from_settings_takes_every_upstream_setting():
    settings = Settings(openelms_url="https://elms.example/ACME/", openelms_token=TOKEN,
                        upstream_connect_timeout=2.0, upstream_read_timeout=9.0, upstream_retries=6,
                        upstream_backoff=0.25, upstream_backoff_max=12.0, upstream_rate_limit=3.0,
                        upstream_download_max_bytes=1234)
    client = OpenElmsClient.from_settings(settings)
    assert client.base_url == "https://elms.example/ACME"
    assert client.timeout == (2.0, 9.0) and client.download_max_bytes == 1234
    assert (client.policy.retries, client.policy.backoff, client.policy.backoff_max) == (6, 0.25, 12.0)
    assert client.rate_limiter.rate == 3.0
    assert TOKEN not in repr(client)
    with pytest.raises(ConfigError):
        OpenElmsClient.from_settings(Settings())


def test_download_larger_than_the_limit_is_refused_and_removed(make_client, sandbox, tmp_path):
    client = make_client(download_max_bytes=1000)
    with pytest.raises(UpstreamProtocolError, match="limit"):
        client.download(1, tmp_path / "big.zip")
    assert list(tmp_path.iterdir()) == [] and client.last_call.retries == 0


def test_download_without_content_length_is_still_capped(tmp_path):
    def endless(method, path):  # HTTP/1.0-style body: no Content-Length, ends at close
        return 200, {"Content-Type": "application/zip", "Connection": "close"}, b"x" * 5000

    with RecordingServer(endless) as site:
        client = OpenElmsClient(site.url + "/site", TOKEN, download_max_bytes=4096)
        with pytest.raises(UpstreamProtocolError):
            client.download(1, tmp_path / "p.zip")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'{"id": 1}', b"[1, 2]", b'"just text"'])
def test_unexpected_answers_are_protocol_errors(body):
    with RecordingServer(lambda m, p: (200, {"Content-Type": "application/json"}, body)) as site:
        client = OpenElmsClient(site.url + "/site", TOKEN)
        with pytest.raises(UpstreamProtocolError) as caught:
            client.list_learning()
    assert caught.value.status == 200 and not caught.value.retryable


def test_redirect_from_a_site_is_not_followed_even_to_the_same_host():
    routes = {"/site/backend/learning/": (301, {"Location": "/site/backend/learning/v2"}, b"")}
    with RecordingServer(scripted_site(routes)) as site:
        with pytest.raises(UpstreamRedirect):
            OpenElmsClient(site.url + "/site", TOKEN).list_learning()
    assert [s.path for s in site.requests] == ["/site/backend/learning/"]


def test_a_foreign_exception_never_escapes(tmp_path):
    client = OpenElmsClient("http://127.0.0.1:1/site", TOKEN, retries=0)
    with pytest.raises(UpstreamTransportError) as caught:
        client.download(1, tmp_path / "x.zip")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
