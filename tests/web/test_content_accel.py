"""Behind nginx: the app authorises with X-Accel-Redirect, nginx sends the file and caches the
authorisation per learner cookie and URL for at most X-Accel-Expires seconds (bench/stack.py's
ACCEL_SERVER, the configuration the README shows)."""
from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from bench.common import find_tool, free_port, open_up
from bench.stack import ACCEL_SERVER, start_nginx
from scormproxy.config import Settings
from scormproxy.launch import COOKIE_NAME
from tests.plugins.service import serving
from tests.web.test_content_files import CLIP, COURSE_FILES, etag_of, learner_cookie, mirrored_course, sqlite_service

PREFIX = "/_protected"
SCRIPT_BYTES = COURSE_FILES["app.js"]


@pytest.mark.db
def test_the_app_names_the_file_and_how_long_nginx_may_keep_the_answer(tmp_path, make_service):
    with mirrored_course(tmp_path / "packages", make_service, content_accel_prefix=PREFIX) as (app, version):
        with serving(app) as base:
            url = f"{base}/content/1/{version}/app.js"
            got = requests.get(url, cookies={COOKIE_NAME: learner_cookie(app, version)}, timeout=10)
            assert got.status_code == 200 and got.content == b""
            sha = etag_of(SCRIPT_BYTES).strip('"')
            assert got.headers["X-Accel-Redirect"] == f"{PREFIX}/blobs/{sha[:2]}/{sha}"
            assert got.headers["X-Accel-Expires"] == "10"
            assert got.headers["Content-Type"] == "text/javascript"
            assert got.headers["X-Frame-Options"] == "SAMEORIGIN"
            # Never cached past the grant's own expiry.
            soon = learner_cookie(app, version, seconds=3.5)
            capped = requests.get(url, cookies={COOKIE_NAME: soon}, timeout=10)
            assert capped.headers["X-Accel-Expires"] in ("2", "3")
            refused = requests.get(url, timeout=10)
            assert refused.status_code == 403 and "X-Accel-Redirect" not in refused.headers


@pytest.mark.db
@pytest.mark.skipif(not hasattr(Settings, "content_accel_cache_seconds"),
                    reason="the content_accel_cache_seconds setting is not in config.py yet")
def test_no_reuse_when_the_cache_time_is_zero(tmp_path, make_service):
    with mirrored_course(tmp_path / "packages", make_service, content_accel_prefix=PREFIX,
                         content_accel_cache_seconds=0) as (app, version):
        with serving(app) as base:
            got = requests.get(f"{base}/content/1/{version}/app.js",
                               cookies={COOKIE_NAME: learner_cookie(app, version)}, timeout=10)
            assert got.status_code == 200 and "X-Accel-Redirect" in got.headers
            assert "X-Accel-Expires" not in got.headers


class CountingApp:
    """WSGI middleware: how many /content/ requests reached the app."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/content/"):
            with self._lock:
                self.count += 1
        return self.wsgi_app(environ, start_response)


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory):
    """The app behind nginx as the README configures it: yields (app, base URL, version, counter)."""
    nginx = find_tool("nginx")
    if nginx is None or find_tool("time") is None:
        pytest.skip("nginx or GNU time is not installed (Debian: nginx-light, time; `make bench` installs both)")
    # nginx's workers run as www-data when we are root: the files they read cannot sit under
    # pytest's private tmp_path.
    shared = Path(tempfile.mkdtemp(prefix="scormproxy-accel-test-"))
    private = tmp_path_factory.mktemp("content-accel")
    try:
        data = shared / "data"
        with sqlite_service(private) as build, mirrored_course(private / "packages", build, data_dir=str(data),
                                                               content_accel_prefix=PREFIX) as (app, version):
            counter = CountingApp(app.wsgi_app)
            app.wsgi_app = counter
            open_up(shared)
            with serving(app) as upstream:
                port = free_port()
                server = ACCEL_SERVER.format(port=port, upstream=upstream.removeprefix("http://"),
                                             storage_root=data / "storage", cache_dir=shared / "auth-cache")
                proc = start_nginx(nginx, shared / "nginx", private, [server])
                try:
                    proc.wait_for_port(port)
                    yield app, f"http://127.0.0.1:{port}/content/1/{version}/", version, counter
                finally:
                    proc.stop()
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_nginx_sends_the_file_with_the_apps_headers(behind_nginx):
    app, url, version, _ = behind_nginx
    cookies = {COOKIE_NAME: learner_cookie(app, version)}
    got = requests.get(url + "app.js", cookies=cookies, timeout=10)
    assert got.status_code == 200 and got.content == SCRIPT_BYTES
    assert got.headers["Server"].startswith("nginx")
    assert got.headers["Content-Type"] == "text/javascript"  # the app's type, not nginx's guess
    assert got.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert got.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert got.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "X-Accel-Redirect" not in got.headers and "X-Accel-Expires" not in got.headers
    ranged = requests.get(url + "media/clip.bin", cookies=cookies, headers={"Range": "bytes=10-19"}, timeout=10)
    assert ranged.status_code == 206 and ranged.content == CLIP[10:20]
    whole = requests.get(url + "media/clip.bin", cookies=cookies, timeout=10)
    assert whole.content == CLIP and whole.headers["Content-Type"] == "application/octet-stream"
    again = requests.get(url + "media/clip.bin", cookies=cookies, headers={"If-None-Match": whole.headers["ETag"]},
                         timeout=10)
    assert again.status_code == 304


def test_the_authorisation_is_cached_per_cookie_and_url(behind_nginx):
    app, url, version, counter = behind_nginx
    learner = {COOKIE_NAME: learner_cookie(app, version, user="1")}
    assert requests.get(url + "app.js", cookies=learner, timeout=10).status_code == 200
    asked = counter.count
    for _ in range(5):
        assert requests.get(url + "app.js", cookies=learner, timeout=10).content == SCRIPT_BYTES
    assert counter.count == asked, "nginx asked the app again within X-Accel-Expires"
    # Another learner, or another file, is a different key: the app is asked.
    other = {COOKIE_NAME: learner_cookie(app, version, user="2")}
    assert requests.get(url + "app.js", cookies=other, timeout=10).status_code == 200
    assert requests.get(url + "index.html", cookies=learner, timeout=10).status_code == 200
    assert counter.count == asked + 2


@pytest.mark.parametrize("cookie", ["none", "forged", "other-version", "expired"])
def test_requests_without_that_grant_are_refused_even_when_the_file_is_cached(behind_nginx, cookie):
    app, url, version, counter = behind_nginx
    valid = {COOKIE_NAME: learner_cookie(app, version)}
    assert requests.get(url + "app.js", cookies=valid, timeout=10).status_code == 200  # now cached
    cookies = {"none": {}, "forged": {COOKIE_NAME: valid[COOKIE_NAME][:-4] + "AAAA"},
               "other-version": {COOKIE_NAME: learner_cookie(app, "v-other")},
               "expired": {COOKIE_NAME: learner_cookie(app, version, seconds=-5)}}[cookie]
    asked = counter.count
    refused = requests.get(url + "app.js", cookies=cookies, timeout=10)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"  # the app's answer, not nginx's page
    assert counter.count > asked


def test_a_missing_file_is_the_apps_404(behind_nginx):
    app, url, version, _ = behind_nginx
    missing = requests.get(url + "nope.js", cookies={COOKIE_NAME: learner_cookie(app, version)}, timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_a_cached_authorisation_ends_with_the_grant(behind_nginx):
    app, url, version, _ = behind_nginx
    expires_in = 2.0
    learner = {COOKIE_NAME: learner_cookie(app, version, seconds=expires_in)}
    started = time.time()
    assert requests.get(url + "app.js", cookies=learner, timeout=10).status_code == 200
    # Well inside the default 10 s cache time, but past the grant's expiry (nginx counts whole seconds).
    time.sleep(max(0.0, started + expires_in + 1.2 - time.time()))
    assert requests.get(url + "app.js", cookies=learner, timeout=10).status_code == 403
