"""Helpers for the sandbox's own tests: an authorised API session, a static file server, headless Chromium."""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from scormproxy.sandbox.testing import QuietRequestHandler

TIMEOUT = 10


class Api:
    """requests against one sandbox's /<site>/backend/, with or without the token."""

    def __init__(self, server):
        self.server = server
        self.base = server.api_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Basic {server.token}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(sandbox) -> Api:
    api = Api(sandbox)
    yield api
    api.session.close()


@contextmanager
def static_server(folder: Path):
    """Serve `folder` over HTTP on 127.0.0.1 (an origin of its own); yields the base URL."""
    app = Flask("static-test-server", static_folder=str(folder), static_url_path="")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def _chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium through Playwright; missing in CI is a failure, elsewhere a skip."""
    executable = _chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        executable = None
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium and Playwright are needed for the sandbox browser tests")
        pytest.skip("no Chromium or Playwright here")
    # One Playwright driver per thread: share the browser other suites may have open.
    from scormproxy.runtime.browser import launched_chromium

    with launched_chromium(executable_path=executable) as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
