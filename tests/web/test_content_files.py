"""Package files served by the app itself: headers, bytes, conditional and partial answers, sendfile."""
from __future__ import annotations

import hashlib
import runpy
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from gunicorn.config import Config
from gunicorn.http.wsgi import FileWrapper
from werkzeug.test import EnvironBuilder

from scormproxy.launch import COOKIE_NAME, Grant, write_grants
from tests.conftest import REPO_ROOT
from tests.packages.manifests import ITEM, manifest
from tests.plugins.service import ADMIN_TOKEN, SECRET_KEY, serving

SCRIPT = b"".join(b"var step%d = function () { return %d; };\n" % (n, n) for n in range(200))
CLIP = bytes(range(256)) * 1200  # 300 KB, not text: never gzipped
COURSE_FILES = {"index.html": b"<!doctype html><html><body><script src='app.js'></script></body></html>",
                "app.js": SCRIPT, "media/clip.bin": CLIP}
RESOURCE = ('<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">'
            + "".join(f'<file href="{name}"/>' for name in COURSE_FILES) + "</resource>")


def etag_of(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()}"'


@contextmanager
def mirrored_course(packages: Path, make_service, **settings):
    """The service with one course mirrored from a sandbox: yields (app, version id).
    `make_service` is the fixture of that name, or `sqlite_service(folder)` for wider scopes."""
    from scormproxy.sandbox.testing import running_sandbox
    from scormproxy.services import get_services

    packages.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(packages / "course.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest(ITEM, RESOURCE))
        for name, data in COURSE_FILES.items():
            archive.writestr(name, data)
    with running_sandbox(packages) as upstream:
        app = make_service(sandbox=upstream, **settings)
        with app.app_context():
            outcome = get_services().mirror().mirror(1)
        assert outcome.ok, outcome
        yield app, outcome.version


@contextmanager
def sqlite_service(folder: Path):
    """What the make_service fixture builds, on SQLite in `folder`, for module-scoped fixtures
    (content serving reads one index query per version: nothing PostgreSQL-specific)."""
    from scormproxy import create_app

    apps = []

    def build(*, sandbox, **overrides):
        config = {"data_dir": str(folder / "data"), "database_url": f"sqlite:///{folder}/scormproxy.db",
                  "admin_token": ADMIN_TOKEN, "secret_key": SECRET_KEY,
                  "openelms_url": sandbox.site_url, "openelms_token": sandbox.token, **overrides}
        apps.append(create_app(config))
        return apps[-1]

    try:
        yield build
    finally:
        for app in apps:
            app.extensions["scormproxy.db"].dispose()


def learner_cookie(app, version: str, *, learning_id: int = 1, seconds: float = 3600,
                   user: str | None = None) -> str:
    """A grant cookie as the launch writes it, for one course version, expiring in `seconds`;
    a new learner each time unless `user` is given."""
    user = user or uuid.uuid4().hex[:12]
    grant = Grant(f"attempt-{user}", user, learning_id, version, int(time.time() + seconds))
    return write_grants(app.config["SETTINGS"], [grant])


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One mirrored course served over HTTP for the whole module: (app, content URL, learner)."""
    folder = tmp_path_factory.mktemp("content-course")
    with sqlite_service(folder) as build, mirrored_course(folder / "packages", build) as (app, version):
        with serving(app) as base:
            session = requests.Session()
            session.cookies.set(COOKIE_NAME, learner_cookie(app, version))
            yield app, f"{base}/content/1/{version}/", session


@pytest.mark.parametrize("name, content_type", [("app.js", "text/javascript; charset=utf-8"),
                                                ("media/clip.bin", "application/octet-stream")])
def test_a_plain_get_sends_the_file_with_its_headers(course, name, content_type):
    _, url, learner = course
    got = learner.get(url + name, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert got.status_code == 200
    assert got.content == COURSE_FILES[name]
    assert got.headers["Content-Length"] == str(len(COURSE_FILES[name]))
    assert got.headers["Content-Type"] == content_type
    assert got.headers["ETag"] == etag_of(COURSE_FILES[name])
    assert got.headers["Accept-Ranges"] == "bytes"
    assert got.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert got.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert got.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Content-Disposition" not in got.headers


TAG = etag_of(CLIP)
N = len(CLIP)


@pytest.mark.parametrize("method, headers, status, body", [
    ("GET", {"If-None-Match": TAG}, 304, b""),
    ("GET", {"If-None-Match": f'"other", {TAG}'}, 304, b""),
    ("GET", {"If-None-Match": '"other"'}, 200, CLIP),
    ("GET", {"Range": "bytes=0-9"}, 206, CLIP[:10]),
    ("GET", {"Range": "bytes=1000-"}, 206, CLIP[1000:]),
    ("GET", {"Range": "bytes=-5"}, 206, CLIP[-5:]),
    ("GET", {"Range": f"bytes={N}-"}, 416, None),
    ("GET", {"Range": "bytes=5-9", "If-Range": TAG}, 206, CLIP[5:10]),
    ("GET", {"Range": "bytes=5-9", "If-Range": '"stale"'}, 200, CLIP),
    ("GET", {"If-Match": '"other"'}, 412, None),
    ("GET", {"If-Match": TAG}, 200, CLIP),
    ("HEAD", {}, 200, b""),
    ("HEAD", {"Range": "bytes=0-9"}, 206, b""),
], ids=["304", "304-in-list", "200-other-tag", "206-head", "206-open", "206-suffix", "416", "if-range-fresh",
        "if-range-stale", "412", "if-match", "head", "head-range"])
def test_conditional_and_partial_requests(course, method, headers, status, body):
    _, url, learner = course
    got = learner.request(method, url + "media/clip.bin", headers=headers, timeout=10)
    assert got.status_code == status, got.text[:200]
    if body is not None:
        assert got.content == body
    if status in (200, 206, 304):
        assert got.headers["ETag"] == TAG
        assert got.headers["X-Frame-Options"] == "SAMEORIGIN"
    if status == 206:
        first = N - 5 if headers["Range"] == "bytes=-5" else int(headers["Range"][6:].split("-")[0])
        last = {"bytes=0-9": 9, "bytes=5-9": 9}.get(headers["Range"], N - 1)
        assert got.headers["Content-Range"] == f"bytes {first}-{last}/{N}"
        assert got.headers["Content-Length"] == str(last - first + 1)


def test_refused_without_the_grant_for_that_version(course):
    app, url, learner = course
    assert requests.get(url + "app.js", timeout=10).status_code == 403
    other = learner_cookie(app, "another-version")
    assert requests.get(url + "app.js", cookies={COOKIE_NAME: other}, timeout=10).status_code == 403
    expired = learner_cookie(app, url.rstrip("/").rsplit("/", 1)[1], seconds=-1)
    assert requests.get(url + "app.js", cookies={COOKIE_NAME: expired}, timeout=10).status_code == 403
    assert learner.get(url + "app.js", timeout=10).status_code == 200


def test_local_files_reach_the_server_as_its_file_wrapper(course):
    """gunicorn sends a body with sendfile() only when the app hands back its own file wrapper."""
    app, url, _ = course
    version = url.rstrip("/").rsplit("/", 1)[1]
    path = url[url.index("/content/"):] + "media/clip.bin"
    environ = EnvironBuilder(path=path, headers={"Cookie": f"{COOKIE_NAME}={learner_cookie(app, version)}"}
                             ).get_environ()
    environ["wsgi.file_wrapper"] = FileWrapper
    statuses = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        assert statuses == ["200 OK"]
        assert isinstance(body, FileWrapper)
        assert b"".join(body) == CLIP
    finally:
        body.close()


def test_gunicorn_config_leaves_sendfile_on(monkeypatch):
    # gunicorn's `sendfile` setting is its --no-sendfile switch: any value, True included, turns
    # sendfile() off. Loaded the way gunicorn loads a config file.
    monkeypatch.delenv("SENDFILE", raising=False)
    config = Config()
    for name, value in runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    assert config.sendfile is True
    assert config.worker_class_str == "gthread"
