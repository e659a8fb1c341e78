"""The root of scormproxy's own exception tree and the JSON error shape."""
from __future__ import annotations


class ScormProxyError(Exception):
    """Base of every error scormproxy raises on purpose."""

    code = "error"
    http_status = 500

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def to_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class NotFound(ScormProxyError):
    code = "not_found"
    http_status = 404


class BadRequest(ScormProxyError):
    code = "bad_request"
    http_status = 400


class Unauthorized(ScormProxyError):
    code = "unauthorized"
    http_status = 401


class Forbidden(ScormProxyError):
    code = "forbidden"
    http_status = 403
