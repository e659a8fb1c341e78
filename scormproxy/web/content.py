"""Package files at /content/<learning_id>/<version>/<path>, for learners holding a grant.

Files are immutable per version: strong ETag (the file's SHA-256), `immutable` caching,
304 and 206 through Werkzeug's conditional responses, sendfile for local files, and an
optional hand-over to nginx with X-Accel-Redirect once the request is authorised.
The commonest request, a plain GET of a local file, is answered in front of Flask by
content_fastpath.HotFileMiddleware; every other request, and every refusal, goes through
the view below.
"""
from __future__ import annotations

import os
import posixpath
import threading
import time
from collections import OrderedDict

from flask import Blueprint, Flask, Response, current_app, request
from sqlalchemy import select
from werkzeug.http import quote_etag
from werkzeug.utils import get_content_type
from werkzeug.wsgi import wrap_file

from ..errors import Forbidden, NotFound
from ..launch import COOKIE_NAME, Grant, read_grants
from ..mirror import blob_key
from ..models import PackageFile
from .compression import GzipCache, compressible

bp = Blueprint("content", __name__)

ENDPOINT = "content.package_file"
IMMUTABLE = "private, max-age=31536000, immutable"
CONTENT_HEADERS = (
    ("Cache-Control", IMMUTABLE),
    ("X-Content-Type-Options", "nosniff"),
    # Only our own pages may frame course files.
    ("Content-Security-Policy", "frame-ancestors 'self'"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)
# Request headers that can turn a 200 into a 304, 206, 412 or 416: such requests take the view,
# where Werkzeug's conditional machinery answers them.
CONDITIONAL_HEADERS = ("HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH",
                       "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
ACCEL_CACHE_SECONDS = 10  # default of the content_accel_cache_seconds setting
INDEXED_VERSIONS = 64


class FileIndexes:
    """version id -> {path: (sha256, size, content type)}: one query per version, then memory
    (versions never change), for the `max_versions` most recently used versions."""

    def __init__(self, db, max_versions: int = INDEXED_VERSIONS):
        self.db = db
        self.max_versions = max_versions
        self._indexes: OrderedDict[str, dict[str, tuple[str, int, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, version_id: str) -> dict[str, tuple[str, int, str]] | None:
        with self._lock:
            index = self._indexes.get(version_id)
            if index is not None:
                self._indexes.move_to_end(version_id)
            return index

    def get(self, version_id: str) -> dict[str, tuple[str, int, str]]:
        index = self.peek(version_id)
        if index is not None:
            return index
        with self.db.session() as s:
            rows = s.execute(select(PackageFile.path, PackageFile.sha256, PackageFile.size,
                                    PackageFile.content_type)
                             .where(PackageFile.version_id == version_id)).all()
        index = {path: (sha, size, ctype) for path, sha, size, ctype in rows}
        with self._lock:
            self._indexes[version_id] = index
            while len(self._indexes) > self.max_versions:
                self._indexes.popitem(last=False)
        return index


def grant_for(settings, cookie: str | None, learning_id: int, version_id: str) -> Grant | None:
    for grant in read_grants(settings, cookie):
        if grant.learning_id == learning_id and grant.version_id == version_id:
            return grant
    return None


def normalised_path(path: str) -> str | None:
    """The path inside the package, or None when it climbs out of it."""
    normalised = posixpath.normpath(path)
    if normalised.startswith("../") or normalised == ".." or normalised.startswith("/"):
        return None
    return normalised


def file_headers(sha: str, size: int, content_type: str) -> list[tuple[str, str]]:
    """Headers of a whole, identity-encoded file."""
    return [("Content-Type", get_content_type(content_type, "utf-8")), ("Content-Length", str(size)),
            ("Accept-Ranges", "bytes"), ("ETag", quote_etag(sha))]


def _content_headers(response: Response) -> Response:
    # Appended, not set one by one: no response built here carries any of them yet.
    response.headers.extend(CONTENT_HEADERS)
    return response


@bp.get("/content/<int:learning_id>/<version_id>/<path:path>")
def package_file(learning_id: int, version_id: str, path: str):
    settings = current_app.config["SETTINGS"]
    grant = grant_for(settings, request.cookies.get(COOKIE_NAME), learning_id, version_id)
    if grant is None:
        raise Forbidden("launch the course to see its files")
    normalised = normalised_path(path)
    if normalised is None:
        raise NotFound("no such file")
    entry = current_app.extensions["scormproxy.content_indexes"].get(version_id).get(normalised)
    if entry is None:
        raise NotFound("no such file in this course")
    sha, size, content_type = entry
    storage = current_app.extensions["scormproxy.services"].storage
    key = blob_key(sha)
    if settings.content_accel_prefix:
        return _content_headers(_accel_response(settings, grant, key, sha, content_type))
    if _wants_gzip(settings, content_type, size):
        return _content_headers(_gzip_response(storage, key, sha, content_type))
    local = storage.local_path(key)
    if local is not None:
        try:
            return _content_headers(_local_file_response(local, sha, content_type))
        except FileNotFoundError:
            pass  # evicted from the read-through cache since local_path(): read through storage
    return _content_headers(_stream_from_storage(storage, key, sha, size, content_type))


def _accel_response(settings, grant: Grant, key: str, sha: str, content_type: str) -> Response:
    response = Response(status=200, content_type=content_type)
    # nginx may keep this authorisation for a few seconds, keyed by the learner's cookie and the
    # URL (README, "Behind nginx"), never past the grant's own expiry. 0 sends nothing, and nginx
    # asks on every request.
    cache_seconds = min(getattr(settings, "content_accel_cache_seconds", ACCEL_CACHE_SECONDS),
                        int(grant.expires - time.time()))
    if cache_seconds > 0:
        response.headers["X-Accel-Expires"] = str(cache_seconds)
    response.headers["X-Accel-Redirect"] = settings.content_accel_prefix.rstrip("/") + "/" + key
    response.set_etag(sha)
    return response


def _local_file_response(local: str, sha: str, content_type: str) -> Response:
    """The file through the server's file wrapper, so gunicorn hands it to sendfile()."""
    environ = request.environ
    file = open(local, "rb")
    try:
        size = os.fstat(file.fileno()).st_size
    except OSError:
        file.close()
        raise
    response = Response(wrap_file(environ, file), headers=file_headers(sha, size, content_type),
                        direct_passthrough=True)
    if any(name in environ for name in CONDITIONAL_HEADERS):
        response.make_conditional(environ, accept_ranges=True, complete_length=size)
    return response


def _wants_gzip(settings, content_type: str, size: int) -> bool:
    if not request.environ.get("HTTP_ACCEPT_ENCODING"):
        return False  # spares parsing the header on requests that cannot want gzip
    return (0 < size <= settings.content_gzip_max_bytes and compressible(content_type)
            and "Range" not in request.headers and "gzip" in request.accept_encodings)


def _gzip_response(storage, key: str, sha: str, content_type: str) -> Response:
    etag = sha + "-gz"  # a different representation needs a different strong ETag
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        cache = current_app.extensions.setdefault(
            "scormproxy.gzip_cache", GzipCache(current_app.config["SETTINGS"].content_gzip_cache_bytes))
        body = cache.get_or_compress(sha, lambda: storage.read_bytes(key, 1 << 40))
        response = Response(body, content_type=content_type)
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.vary.add("Accept-Encoding")
    return response


def _stream_from_storage(storage, key: str, sha: str, size: int, content_type: str) -> Response:
    if request.if_none_match.contains(sha):
        response = Response(status=304)
        response.set_etag(sha)
        return response
    def chunks():
        with storage.open(key) as stream:
            while True:
                block = stream.read(256 * 1024)
                if not block:
                    return
                yield block
    response = Response(chunks(), content_type=content_type)
    response.headers["Content-Length"] = str(size)
    response.set_etag(sha)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["scormproxy.content_indexes"] = FileIndexes(app.extensions["scormproxy.db"])
    # Imported here, not at the top: the middleware is built on this module's helpers.
    from .content_fastpath import HotFileMiddleware

    app.wsgi_app = HotFileMiddleware(app.wsgi_app, app)
