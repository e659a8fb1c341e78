"""open_storage: the backend a STORAGE_URL names."""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

from .base import GiB, Storage, StorageError
from .cache import ReadThroughCache
from .local import LocalStorage


def open_storage(url: str, *, s3_endpoint_url: str | None = None, cache_dir: str | None = None,
                 cache_max_bytes: int = 2 * GiB, s3_options: dict[str, Any] | None = None,
                 local_options: dict[str, Any] | None = None) -> Storage:
    """'file:///abs/dir' -> LocalStorage; 's3://bucket/prefix' -> S3Storage, behind a
    ReadThroughCache when cache_dir is given. `s3_options` go to S3Storage (timeouts, part sizes)."""
    parts = urlsplit(url or "")
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise StorageError(f"STORAGE_URL {url!r}: a file URL is file:///absolute/folder")
        path = unquote(parts.path)
        if not os.path.isabs(path):
            raise StorageError(f"STORAGE_URL {url!r}: the folder must be an absolute path")
        return LocalStorage(path, **(local_options or {}))
    if parts.scheme == "s3":
        if not parts.netloc or parts.query or parts.fragment:
            raise StorageError(f"STORAGE_URL {url!r}: an S3 URL is s3://bucket/optional/prefix")
        from .s3 import S3Storage
        storage: Storage = S3Storage(parts.netloc, unquote(parts.path).strip("/"),
                                     endpoint_url=s3_endpoint_url or None, **(s3_options or {}))
        if cache_dir:
            storage = ReadThroughCache(storage, cache_dir, cache_max_bytes)
        return storage
    raise StorageError(f"STORAGE_URL {url!r}: expected file:///absolute/folder or s3://bucket/prefix")
