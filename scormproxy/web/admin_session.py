"""The auditor's sign-in at /admin/: the signed, expiring session cookie and the CSRF token derived from it.

Signing in turns the admin token into a cookie scoped to /admin (not Flask's session, which
other parts may use); every POST form carries a CSRF token keyed to that cookie.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "sp_admin"
COOKIE_PATH = "/admin"
SESSION_TTL_SECONDS = 8 * 3600  # becomes Settings.admin_session_ttl


def _settings():
    return current_app.config["SETTINGS"]


def _session_ttl() -> int:
    return current_app.extensions["scormproxy.admin"]["session_ttl"]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_settings().secret_key, salt="admin")


def _keyed_digest(purpose: str, value: str) -> str:
    key = _settings().secret_key.encode()
    return hmac.new(key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()


def _token_fingerprint() -> str:
    # Changing the admin token ends every session signed under the old one.
    return _keyed_digest("admin-token", _settings().admin_token)[:32]


def new_session_cookie() -> str:
    return _serializer().dumps({"t": _token_fingerprint(), "n": secrets.token_urlsafe(16)})


def set_session_cookie(response: Response) -> None:
    response.set_cookie(COOKIE_NAME, new_session_cookie(), max_age=_session_ttl(), path=COOKIE_PATH,
                        httponly=True, samesite="Strict", secure=request.is_secure)


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="Strict",
                           secure=request.is_secure)


def session_valid(cookie: str | None) -> bool:
    if not cookie or not _settings().admin_token:
        return False
    try:
        payload = _serializer().loads(cookie, max_age=_session_ttl())
    except BadSignature:  # SignatureExpired is one too
        return False
    return isinstance(payload, dict) and hmac.compare_digest(str(payload.get("t", "")), _token_fingerprint())


def csrf_token() -> str:
    return _keyed_digest("admin-csrf", request.cookies.get(COOKIE_NAME, ""))


def safe_next(target: str | None) -> str:
    """Only paths inside the admin UI: a login link must not become an open redirect."""
    target = target or ""
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or "\\" in target or not parts.path.startswith(COOKIE_PATH + "/")
            or parts.path.startswith(url_for("admin.login"))):
        return url_for("admin.catalogue")
    return target
