"""Admin authentication: `Authorization: Bearer <SCORMPROXY_ADMIN_TOKEN>` on /api admin calls."""
from __future__ import annotations

import functools
import hmac

from flask import current_app, request

from ..errors import Forbidden, Unauthorized


def admin_token_valid(presented: str | None) -> bool:
    expected = current_app.config["SETTINGS"].admin_token
    if not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


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
