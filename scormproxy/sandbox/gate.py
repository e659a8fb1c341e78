"""The API's front door: each /<site>/backend request is logged, may meet an injected fault, then needs the token."""
from __future__ import annotations

import hmac
import logging
import socket
import threading
import time
from collections import deque
from typing import Iterable

from flask import Flask, Response, g, jsonify, request

from .faults import Fault, FaultQueue

log = logging.getLogger(__name__)

DEFAULT_REQUEST_LOG_LIMIT = 100_000
# Responses that carry a package: a "drop" sends their headers and half the body.
DOWNLOAD_ENDPOINTS = {"backend.download", "backend.download_container"}


class RequestLog:
    """What the API saw: method, path, whether a token came, the status the client got (None: none)."""

    def __init__(self, limit: int = DEFAULT_REQUEST_LOG_LIMIT):
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=limit)

    def append(self, method: str, path: str, authorization_present: bool, status: int | None) -> None:
        with self._lock:
            self._entries.append({"method": method, "path": path,
                                  "authorization_present": authorization_present, "status": status})

    def entries(self) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def init_gate(app: Flask, *, site: str, token: str, faults: FaultQueue, request_log: RequestLog) -> None:
    api_prefix = f"/{site}/backend"
    expected = token.encode()

    def is_api() -> bool:
        return request.path == api_prefix or request.path.startswith(api_prefix + "/")

    @app.before_request
    def _front_door():
        if not is_api():
            return None
        g.api_request = True
        target = request.path + ("?" + request.query_string.decode("latin-1") if request.query_string else "")
        fault = faults.take(target)
        g.fault = fault
        if fault is not None and fault.kind == "drop" and request.endpoint not in DOWNLOAD_ENDPOINTS:
            # Logged before the cut: a client that sees the drop finds it in the log.
            log_request(None)
            g.logged = True
            _cut_connection(request.environ)
            return Response(b"", status=500)
        if fault is not None:
            answer = _act_before_handling(fault)
            if answer is not None:
                return answer
        return _check_token(expected)

    @app.after_request
    def _log_and_finish(response: Response):
        if not g.get("api_request"):
            return response
        if g.get("logged"):
            return response
        fault: Fault | None = g.get("fault")
        kind = fault.kind if fault is not None else None
        if kind == "hang_after":
            time.sleep(fault.delay)
        truncate = kind == "drop" and 200 <= response.status_code < 300 and request.method != "HEAD"
        cut_now = kind == "drop_after" or (kind == "drop" and not truncate)
        log_request(None if cut_now else response.status_code)
        if truncate:
            _truncate_body(response, request.environ)
        elif cut_now:
            _cut_connection(request.environ)
        return response

    def log_request(status: int | None) -> None:
        request_log.append(request.method, request.path, "Authorization" in request.headers, status)


def _act_before_handling(fault: Fault) -> Response | None:
    if fault.kind == "slow":
        time.sleep(fault.delay)
        return None
    if fault.kind == "status":
        response = jsonify({"error": f"injected fault: HTTP {fault.status}"})
        response.status_code = fault.status
        if fault.retry_after is not None:
            response.headers["Retry-After"] = _seconds(fault.retry_after)
        return response
    if fault.kind == "redirect":
        response = jsonify({"error": "moved"})
        response.status_code = 302
        response.headers["Location"] = fault.location
        return response
    return None  # a drop on a download, or drop_after: acted on once the answer is made


def _check_token(expected: bytes) -> Response | None:
    header = request.headers.get("Authorization")
    if header is None:
        return _json_error("missing Authorization header", 401)
    scheme, _, value = header.partition(" ")
    # Open eLMS takes the raw APITokenAccess value after "Basic", not base64 of anything.
    if scheme != "Basic" or not hmac.compare_digest(value.strip().encode(), expected):
        return _json_error("invalid API token", 403)
    return None


def _json_error(message: str, status: int) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _cut_connection(environ: dict) -> None:
    """Close the TCP connection under Werkzeug's server; it then drops the response quietly."""
    connection = environ.get("werkzeug.socket")
    if connection is None:
        log.warning("sandbox: cannot drop a connection outside Werkzeug's server")
        return
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _truncate_body(response: Response, environ: dict) -> None:
    """Keep the full Content-Length, send about half the body, then cut the connection."""
    source: Iterable[bytes] = response.response if response.direct_passthrough else [response.get_data()]
    length = response.content_length
    if length is None:
        body = b"".join(source)
        source, length = [body], len(body)
        response.content_length = length

    def half_then_cut():
        budget = length // 2
        try:
            for chunk in source:
                if budget <= 0:
                    break
                piece = chunk[:budget]
                budget -= len(piece)
                yield piece
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            _cut_connection(environ)

    response.response = half_then_cut()
    response.direct_passthrough = True
