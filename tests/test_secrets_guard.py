"""The token watch itself can fail: it sees a token in a body, a header and a log line."""
from __future__ import annotations

import logging

from tests.plugins import secrets_guard
from tests.plugins.sandbox import SANDBOX_TOKEN


def test_guard_sees_the_token_everywhere():
    before = len(secrets_guard.SIGHTINGS)

    def leaky_app(environ, start_response):
        start_response("200 OK", [("X-Leak", SANDBOX_TOKEN)])
        return [b"body " + SANDBOX_TOKEN.encode()]

    list(secrets_guard.TokenGuard(leaky_app)({"PATH_INFO": "/x"}, lambda *a, **k: None))
    logging.getLogger("scormproxy.test").warning("leaked %s", SANDBOX_TOKEN)
    seen = secrets_guard.SIGHTINGS[before:]
    del secrets_guard.SIGHTINGS[before:]  # planted on purpose: not a failure of the run
    assert len(seen) == 3
