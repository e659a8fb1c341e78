"""Fixtures that build the whole service against a sandbox, a storage and a database."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

ADMIN_TOKEN = "admin-test-token-91c2"
SECRET_KEY = "secret-test-key-5d1e8a"


@pytest.fixture
def make_service(tmp_path, database_url):
    """Build an app: make_service(sandbox=..., storage_url=..., **settings) -> Flask app."""
    from scormproxy import create_app

    apps = []

    def build(*, sandbox=None, **overrides):
        config = {"data_dir": str(tmp_path / "data"), "database_url": database_url,
                  "admin_token": ADMIN_TOKEN, "secret_key": SECRET_KEY,
                  "upstream_backoff": 0.01, "upstream_retries": 2}
        if sandbox is not None:
            config.update(openelms_url=sandbox.site_url, openelms_token=sandbox.token)
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["scormproxy.db"].dispose()


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        pass


@contextmanager
def serving(app, *, poll_interval: float = 0.5, quiet: bool = False):
    """Serve `app` over real HTTP on an ephemeral port; yields its base URL. A short
    `poll_interval` makes shutdown quicker (the default adds up to 0.5 s per use)."""
    from tests.plugins.secrets_guard import TokenGuard

    server = make_server("127.0.0.1", 0, TokenGuard(app), threaded=True,
                         request_handler=QuietHandler if quiet else WSGIRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def admin_headers():
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def open_learner_session(base_url: str, app, user_id, learning_id):
    """A requests.Session holding a learner's cookie, after opening a fresh launch URL.
    Returns (session, attempt_id)."""
    import requests

    from scormproxy.launch import launch_url

    session = requests.Session()
    url = launch_url(app.config["SETTINGS"], user_id, learning_id, base_url=base_url)
    response = session.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 303, response.text
    attempt_id = response.headers["Location"].rsplit("/", 1)[-1]
    session.headers["Origin"] = base_url
    return session, attempt_id


@pytest.fixture
def mirrored_demo(sandbox, make_service):
    """The service with both demo courses mirrored from the sandbox; yields (app, sandbox)."""
    from scormproxy.services import get_services

    app = make_service(sandbox=sandbox)
    with app.app_context():
        mirror = get_services().mirror()
        for learning_id in (1, 2):
            assert mirror.mirror(learning_id).ok
    return app
