"""HotFileMiddleware: plain GETs of local files answered before Flask, exactly as the view would."""
from __future__ import annotations

import logging

import pytest
import requests
from werkzeug.test import EnvironBuilder

from scormproxy import metrics
from scormproxy.launch import COOKIE_NAME
from scormproxy.web.content import ENDPOINT
from scormproxy.web.content_fastpath import HotFileMiddleware
from tests.plugins.service import serving
from tests.web.test_content_files import (CLIP, COURSE_FILES, course, learner_cookie,  # noqa: F401 (fixture)
                                          mirrored_course)

# Headers that differ between any two answers, whoever gives them.
PER_RESPONSE = {"date", "server", "x-request-id"}


def _version(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def _environ(app, url: str, name: str, *, method: str = "GET", cookie: str | None = "valid",
             headers: dict[str, str] | None = None):
    version = _version(url)
    headers = dict(headers or {})
    cookies = {"valid": learner_cookie(app, version), "expired": learner_cookie(app, version, seconds=-1),
               "other-version": learner_cookie(app, "v-other"), None: None}[cookie]
    if cookies:
        headers["Cookie"] = f"{COOKIE_NAME}={cookies}"
    return EnvironBuilder(path=f"/content/1/{version}/{name}", method=method, headers=headers).get_environ()


def _middleware(app) -> HotFileMiddleware:
    assert isinstance(app.wsgi_app, HotFileMiddleware)
    return app.wsgi_app


@pytest.mark.parametrize("name, accept_encoding", [("media/clip.bin", "gzip, br"), ("media/clip.bin", None),
                                                   ("app.js", None), ("app.js", "identity"), ("app.js", "gzip")])
def test_the_hot_answer_is_the_views_answer(course, name, accept_encoding):
    app, url, learner = course
    assert learner.get(url + name, timeout=10).status_code == 200  # the view loads the file index
    headers = {"X-Request-ID": "trace-42"}
    if accept_encoding is not None:
        headers["Accept-Encoding"] = accept_encoding
    environ = _environ(app, url, name, headers=headers)
    found = _middleware(app).hot_file(environ)
    if accept_encoding == "gzip" and name == "app.js":
        assert found is None  # gzip is the view's to decide
        return
    assert found is not None
    found[0].close()
    session = requests.Session()
    session.cookies.set(COOKIE_NAME, learner_cookie(app, _version(url)))
    # None drops the header requests would add by default.
    sent = {**headers, "Accept-Encoding": accept_encoding}
    hot = session.get(url + name, headers=sent, timeout=10)
    # A condition that cannot match sends the same request through the view.
    viewed = session.get(url + name, headers={**sent, "If-None-Match": '"no-such-tag"'}, timeout=10)
    assert hot.status_code == viewed.status_code == 200
    assert hot.content == viewed.content == COURSE_FILES[name]
    assert ({k.lower(): v for k, v in hot.headers.items() if k.lower() not in PER_RESPONSE}
            == {k.lower(): v for k, v in viewed.headers.items() if k.lower() not in PER_RESPONSE})
    assert hot.headers["X-Request-ID"] == viewed.headers["X-Request-ID"] == "trace-42"


@pytest.mark.parametrize("name, method, cookie, headers", [
    ("media/clip.bin", "HEAD", "valid", {}),
    ("media/clip.bin", "POST", "valid", {}),
    ("media/clip.bin", "GET", "valid", {"Range": "bytes=0-1"}),
    ("media/clip.bin", "GET", "valid", {"If-None-Match": '"x"'}),
    ("media/clip.bin", "GET", "valid", {"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"}),
    ("media/clip.bin", "GET", None, {}),
    ("media/clip.bin", "GET", "expired", {}),
    ("media/clip.bin", "GET", "other-version", {}),
    ("media/nope.bin", "GET", "valid", {}),
    ("media/../media/clip.bin", "GET", "valid", {}),
    ("media//clip.bin", "GET", "valid", {}),
    ("app.js", "GET", "valid", {"Accept-Encoding": "gzip"}),
    ("app.js", "GET", "valid", {"Accept-Encoding": "deflate, *;q=0.5"}),
], ids=["head", "post", "range", "if-none-match", "if-modified-since", "no-cookie", "expired", "other-version",
        "missing", "dot-dot", "double-slash", "gzip-candidate", "gzip-by-wildcard"])
def test_everything_else_goes_to_the_view(course, name, method, cookie, headers):
    app, url, learner = course
    assert learner.get(url + "media/clip.bin", timeout=10).status_code == 200
    assert _middleware(app).hot_file(_environ(app, url, name, method=method, cookie=cookie, headers=headers)) is None


@pytest.mark.parametrize("learning", ["01", "\u00b2", "\u0661", "+1", ""])
def test_only_a_plain_learning_id_is_hot(course, learning):
    app, url, learner = course
    assert learner.get(url + "media/clip.bin", timeout=10).status_code == 200
    environ = _environ(app, url, "media/clip.bin")
    environ["PATH_INFO"] = environ["PATH_INFO"].replace("/content/1/", f"/content/{learning}/", 1)
    assert _middleware(app).hot_file(environ) is None


@pytest.mark.db
def test_the_view_alone_loads_a_file_index(tmp_path, make_service):
    with mirrored_course(tmp_path / "packages", make_service) as (app, version), serving(app) as base:
        url = f"{base}/content/1/{version}/"
        middleware = _middleware(app)
        assert middleware.hot_file(_environ(app, url, "media/clip.bin")) is None  # nothing asked yet
        assert requests.get(url + "media/clip.bin", cookies={COOKIE_NAME: learner_cookie(app, version)},
                            timeout=10).content == CLIP
        found = middleware.hot_file(_environ(app, url, "media/clip.bin"))
        assert found is not None
        found[0].close()


def test_no_hot_answers_while_content_requests_are_logged(course, caplog):
    app, url, learner = course
    assert learner.get(url + "media/clip.bin", timeout=10).status_code == 200
    with caplog.at_level(logging.DEBUG, logger="scormproxy.access"):
        assert _middleware(app).hot_file(_environ(app, url, "media/clip.bin")) is None


def test_hot_answers_are_counted_in_the_request_metrics(course):
    app, url, learner = course
    labels = {"endpoint": ENDPOINT, "status": "200"}
    assert learner.get(url + "media/clip.bin", timeout=10).status_code == 200
    before = metrics.REGISTRY.get_sample_value("scormproxy_http_requests_total", labels)
    for _ in range(3):
        assert learner.get(url + "media/clip.bin", timeout=10).content == CLIP
    assert metrics.REGISTRY.get_sample_value("scormproxy_http_requests_total", labels) == before + 3

