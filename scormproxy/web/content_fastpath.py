"""The fast path in front of Flask for /content: a plain GET of a local package file, answered as the view would."""
from __future__ import annotations

import logging
import os
import time
from typing import BinaryIO

from flask import Flask
from werkzeug.http import parse_cookie
from werkzeug.wsgi import wrap_file

from .. import metrics
from ..errors import ScormProxyError
from ..launch import COOKIE_NAME
from ..mirror import blob_key
from .compression import compressible
from .content import (CONDITIONAL_HEADERS, CONTENT_HEADERS, ENDPOINT, FileIndexes, file_headers, grant_for,
                      normalised_path)
from .observability import log as access_log
from .observability import request_id


class HotFileMiddleware:
    """A plain GET of a local package file, answered before Flask (as WhiteNoise does for static
    files): the request context, routing and hooks cost several times the rest on a small file.

    It answers only when the learner's grant, the file index and the file are all there and the
    request is neither conditional, partial nor a candidate for gzip; anything else, refusals
    included, falls through to the view. Its answer is the view's, byte for byte, with what the
    app-wide hooks add: Referrer-Policy, X-Request-ID, the request metrics.
    """

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app
        self.settings = app.config["SETTINGS"]
        self.indexes: FileIndexes = app.extensions["scormproxy.content_indexes"]
        self._answered = metrics.HTTP_REQUESTS.labels(ENDPOINT, "200")
        self._seconds = metrics.HTTP_SECONDS.labels(ENDPOINT)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        found = self.hot_file(environ)
        if found is None:
            return self.wsgi_app(environ, start_response)
        file, headers = found
        start_response("200 OK", [*headers, *CONTENT_HEADERS, ("Referrer-Policy", "same-origin"),
                                  ("X-Request-ID", request_id(environ.get("HTTP_X_REQUEST_ID", "")))])
        self._answered.inc()
        self._seconds.observe(time.perf_counter() - started)
        metrics.CONTENT_BYTES.inc(next((int(v) for k, v in headers if k == "Content-Length"), 0))
        return wrap_file(environ, file)

    def hot_file(self, environ) -> tuple[BinaryIO, list[tuple[str, str]]] | None:
        """(open file, headers) when this request is one the middleware answers, else None."""
        path = environ.get("PATH_INFO", "")
        if (not path.startswith("/content/") or environ.get("REQUEST_METHOD") != "GET"
                or self.settings.content_accel_prefix or access_log.isEnabledFor(logging.DEBUG)
                or any(name in environ for name in CONDITIONAL_HEADERS)):
            return None
        parts = path[len("/content/"):].split("/", 2)
        if (len(parts) != 3 or not (parts[0].isascii() and parts[0].isdigit())
                or str(int(parts[0])) != parts[0] or not parts[1]):
            return None
        learning_id, version_id, inner = int(parts[0]), parts[1], parts[2]
        if normalised_path(inner) != inner:
            return None  # the view normalises (or refuses) it
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE_NAME)
        if grant_for(self.settings, cookie, learning_id, version_id) is None:
            return None
        index = self.indexes.peek(version_id)  # never a query here: the view loads indexes
        entry = index.get(inner) if index is not None else None
        if entry is None:
            return None
        sha, size, content_type = entry
        accepted = environ.get("HTTP_ACCEPT_ENCODING", "").lower()
        if (("gzip" in accepted or "*" in accepted) and compressible(content_type)
                and 0 < size <= self.settings.content_gzip_max_bytes):
            return None  # gzip may be wanted: the view reads the header's q-values
        try:
            local = self.app.extensions["scormproxy.services"].storage.local_path(blob_key(sha))
            if local is None:
                return None
            file = open(local, "rb")
        except (ScormProxyError, OSError):
            return None  # the view reports it
        try:
            size = os.fstat(file.fileno()).st_size
        except OSError:
            file.close()
            return None
        return file, file_headers(sha, size, content_type)
