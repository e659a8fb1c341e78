"""Fixtures that build the whole service against a sandbox, a storage and a database."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

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


@contextmanager
def serving(app):
    """Serve `app` over real HTTP on an ephemeral port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def admin_headers():
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
