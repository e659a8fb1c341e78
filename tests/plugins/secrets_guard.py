"""The whole test run watches for the upstream token: in any log line, and in any response
body or header served by the service (every app served through `serving()`).

A sighting fails the session, whatever test caused it.
"""
from __future__ import annotations

import logging

import pytest

from tests.plugins.sandbox import SANDBOX_TOKEN

WATCHED = (SANDBOX_TOKEN, "sandbox-token")
SIGHTINGS: list[str] = []


def check_text(where: str, text: str) -> None:
    for token in WATCHED:
        if token in text:
            SIGHTINGS.append(f"{where}: {text[:200]!r}")


class _LogWatcher(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage() + " " + " ".join(str(v) for v in record.__dict__.values())
        except Exception:  # a bad format string is not ours to report here
            return
        if record.name.startswith("scormproxy.sandbox"):
            return  # the sandbox is the fake upstream; it may know its own token
        check_text(f"log {record.name}", text)


class TokenGuard:
    """WSGI middleware: scan every response's headers and body for the token."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def watching_start(status, headers, exc_info=None):
            check_text(f"headers of {environ.get('PATH_INFO')}", " ".join(f"{k}: {v}" for k, v in headers))
            return start_response(status, headers, exc_info)
        for chunk in self.app(environ, watching_start):
            if isinstance(chunk, bytes) and len(chunk) < 4 * 1024 * 1024:
                check_text(f"body of {environ.get('PATH_INFO')}", chunk.decode("latin-1"))
            yield chunk


@pytest.fixture(scope="session", autouse=True)
def _watch_logs():
    watcher = _LogWatcher(level=logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(watcher)
    yield
    root.removeHandler(watcher)


def pytest_sessionfinish(session, exitstatus):
    if SIGHTINGS:
        print("\nthe upstream token was seen where it must never be:")
        for sighting in SIGHTINGS[:20]:
            print("  " + sighting)
        session.exitstatus = 1
