"""HTTP blueprints; each wires itself in through init_app."""
from __future__ import annotations

import importlib

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import ScormProxyError

# Modules of the web layer, in registration order. Each has `init_app(app)`.
BLUEPRINTS = ["observability", "health", "auth", "api", "learner", "content", "launches", "api_outbox", "player", "admin"]


def init_app(app: Flask) -> None:
    for name in BLUEPRINTS:
        importlib.import_module(f"{__name__}.{name}").init_app(app)

    @app.errorhandler(ScormProxyError)
    def _our_error(err: ScormProxyError):
        response = jsonify(err.to_json())
        retry_after = getattr(err, "retry_after", None)
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response, err.http_status

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        return jsonify({"error": {"code": err.name.lower().replace(" ", "_"),
                                  "message": err.description}}), err.code
