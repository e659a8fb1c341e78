"""Package files at /content/<learning_id>/<version>/<path>, for learners holding a grant.

Files are immutable per version: strong ETag (the file's SHA-256), `immutable` caching,
304 and 206 through Werkzeug's conditional responses, sendfile for local files, and an
optional hand-over to nginx with X-Accel-Redirect once the request is authorised.
"""
from __future__ import annotations

import posixpath
from functools import lru_cache

from flask import Blueprint, Flask, Response, current_app, request, send_file
from sqlalchemy import select

from ..db import get_db
from ..errors import NotFound
from ..launch import COOKIE_NAME, read_grants
from ..mirror import blob_key
from ..models import PackageFile
from .compression import GzipCache, compressible
from .learner import Forbidden

bp = Blueprint("content", __name__)

IMMUTABLE = "private, max-age=31536000, immutable"


@lru_cache(maxsize=64)
def _file_index(db_url: str, version_id: str) -> dict[str, tuple[str, int, str]]:
    # One query per version, then served from memory: versions never change.
    with get_db().session() as s:
        rows = s.execute(select(PackageFile.path, PackageFile.sha256, PackageFile.size,
                                PackageFile.content_type)
                         .where(PackageFile.version_id == version_id)).all()
    return {path: (sha, size, ctype) for path, sha, size, ctype in rows}


def _authorised(learning_id: int, version_id: str) -> bool:
    settings = current_app.config["SETTINGS"]
    for grant in read_grants(settings, request.cookies.get(COOKIE_NAME)):
        if grant.learning_id == learning_id and grant.version_id == version_id:
            return True
    return False


def _content_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Only our own pages may frame course files.
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.get("/content/<int:learning_id>/<version_id>/<path:path>")
def package_file(learning_id: int, version_id: str, path: str):
    if not _authorised(learning_id, version_id):
        raise Forbidden("launch the course to see its files")
    normalised = posixpath.normpath(path)
    if normalised.startswith("../") or normalised == ".." or normalised.startswith("/"):
        raise NotFound("no such file")
    entry = _file_index(current_app.extensions["scormproxy.db"].url, version_id).get(normalised)
    if entry is None:
        raise NotFound("no such file in this course")
    sha, size, content_type = entry
    storage = current_app.extensions["scormproxy.services"].storage
    key = blob_key(sha)
    settings = current_app.config["SETTINGS"]
    if settings.content_accel_prefix:
        response = Response(status=200, content_type=content_type)
        response.headers["X-Accel-Redirect"] = settings.content_accel_prefix.rstrip("/") + "/" + key
        response.set_etag(sha)
        return _content_headers(response)
    if _wants_gzip(settings, content_type, size):
        return _content_headers(_gzip_response(storage, key, sha, content_type))
    local = storage.local_path(key)
    if local is not None:
        response = send_file(local, mimetype=content_type, etag=sha, conditional=True,
                             max_age=None, last_modified=None)
        return _content_headers(response)
    return _content_headers(_stream_from_storage(storage, key, sha, size, content_type))


def _wants_gzip(settings, content_type: str, size: int) -> bool:
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
