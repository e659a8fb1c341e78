"""Admin authentication: `Authorization: Bearer <SCORMPROXY_ADMIN_TOKEN>` on /api admin calls."""
from __future__ import annotations

import functools
import hmac

from flask import Flask, current_app, request

from ..errors import Forbidden, Unauthorized
from .signin_throttle import FailureThrottle


THROTTLE_KEY = "scormproxy.admin_signin_throttle"


def admin_token_valid(presented: str | None) -> bool:
    """Compare in constant time, refusing (TooManyFailures) a client that failed too often lately."""
    expected = current_app.config["SETTINGS"].admin_token
    throttle: FailureThrottle = current_app.extensions[THROTTLE_KEY]
    client = request.remote_addr or "unknown"
    throttle.check(client)
    if expected and presented and hmac.compare_digest(presented.encode(), expected.encode()):
        return True
    throttle.failed(client)
    return False


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions[THROTTLE_KEY] = FailureThrottle(settings.admin_signin_failures_per_minute, window=60.0)


def require_admin(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config["SETTINGS"].admin_token:
            raise Unauthorized("the admin API is disabled: set SCORMPROXY_ADMIN_TOKEN")
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("admin calls need Authorization: Bearer <admin token>")
        if not admin_token_valid(token.strip()):
            raise Forbidden("the admin token is not valid")
        return view(*args, **kwargs)
    return wrapper
