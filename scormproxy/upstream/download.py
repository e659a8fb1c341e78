"""Streaming a package body to disk in constant memory, hashing and size-checking it on the way."""
from __future__ import annotations

import hashlib
import os

import requests

from .errors import UpstreamProtocolError, UpstreamTransportError
from .transport import translate_errors

CHUNK_BYTES = 64 * 1024
# Identity keeps Content-Length meaningful, so a cut body is always noticed.
DOWNLOAD_HEADERS = {"Accept": "application/zip, application/octet-stream, */*", "Accept-Encoding": "identity"}


def write_body(response: requests.Response, part_path: str, *, max_bytes: int,
               method: str, path: str) -> tuple[int, str]:
    """Write the body to `part_path`; returns (bytes, SHA-256 hex).

    Raises UpstreamProtocolError when the body is (or announces itself)
    larger than `max_bytes`, UpstreamTransportError when it is cut short.
    The caller owns `part_path`, including removing it on failure.
    """
    expected = _content_length(response)
    if expected is not None and expected > max_bytes:
        raise UpstreamProtocolError(f"{method} {path}: download of {expected} bytes exceeds the limit of "
                                    f"{max_bytes}", method=method, path=path, status=response.status_code)
    digest = hashlib.sha256()
    size = 0
    with open(part_path, "wb") as out:
        chunks = response.iter_content(CHUNK_BYTES)
        while True:
            with translate_errors(method, path):
                chunk = next(chunks, None)
            if chunk is None:
                break
            size += len(chunk)
            if size > max_bytes:
                raise UpstreamProtocolError(f"{method} {path}: download exceeds the limit of {max_bytes} bytes",
                                            method=method, path=path, status=response.status_code)
            digest.update(chunk)
            out.write(chunk)
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if expected is not None and not encoded and size != expected:
        raise UpstreamTransportError(f"{method} {path}: body cut short at {size} of {expected} bytes",
                                     method=method, path=path)
    return size, digest.hexdigest()


def remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _content_length(response: requests.Response) -> int | None:
    raw = response.headers.get("Content-Length")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None
