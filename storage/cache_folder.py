"""The read-through cache's folder: where a key's copy lives, its meta record, atomic installs, scans."""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from typing import Iterable

from .base import StorageError, StoredObject

_TEMP = ".tmp-"
_META_SUFFIX = "~meta"
# Copies keep the key's extension so sendfile and X-Accel-Redirect guess the right type.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
_DATA_NAME = re.compile(r"^([0-9a-f]{64})(\.[A-Za-z0-9]{1,10})?$")
# A temp file this old was left by a crashed fetch, not one in progress.
_STALE_TEMP_SECONDS = 3600


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedFile:
    digest: str
    path: str
    size: int
    mtime: float


class CacheFolder:
    """Layout: <root>/<digest[:2]>/<digest><ext> holds the bytes, <digest>~meta the StoredObject as JSON.

    Both are written to temp files and renamed into place, meta first, so any
    process sees either no copy or a whole one; a copy whose meta is missing or
    records another size is not trusted.
    """

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        try:
            os.makedirs(self.root, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create cache folder {self.root}: {exc.strerror or exc}") from None

    def paths(self, key: str) -> tuple[str, str]:
        """(data file, meta file) for key."""
        digest = key_digest(key)
        match = _EXTENSION.search(key.rsplit("/", 1)[-1])
        folder = os.path.join(self.root, digest[:2])
        return (os.path.join(folder, digest + (match.group(0) if match else "")),
                os.path.join(folder, digest + _META_SUFFIX))

    def install(self, key: str, chunks: Iterable[bytes], stored: StoredObject) -> str:
        """Write the object's bytes as key's copy; returns the data file. OSError when the disk fails us."""
        data_path, meta_path = self.paths(key)
        folder = os.path.dirname(data_path)
        os.makedirs(folder, exist_ok=True)
        temp_data = os.path.join(folder, f"{_TEMP}{uuid.uuid4().hex}")
        temp_meta = temp_data + _META_SUFFIX
        try:
            written = 0
            with open(temp_data, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    written += len(chunk)
                if written != stored.size:
                    raise StorageError(f"{key}: backend sent {written} of {stored.size} bytes")
                out.flush()
                # After a crash a renamed but unsynced file could hold zeros of the right size.
                os.fsync(out.fileno())
            with open(temp_meta, "w", encoding="utf-8") as out:
                json.dump({"key": stored.key, "size": stored.size, "etag": stored.etag,
                           "content_type": stored.content_type}, out)
            os.replace(temp_meta, meta_path)
            os.replace(temp_data, data_path)
        finally:
            remove_files(temp_data, temp_meta)
        return data_path

    def read_meta(self, key: str, size: int) -> StoredObject | None:
        """key's StoredObject if its meta is readable and matches a copy of `size` bytes."""
        meta = _load_json(self.paths(key)[1])
        try:
            stored = StoredObject(meta["key"], int(meta["size"]), str(meta["etag"]), meta.get("content_type"))
        except (KeyError, TypeError, ValueError):
            return None
        return stored if stored.key == key and stored.size == size else None

    def remove(self, key: str) -> None:
        remove_files(*self.paths(key))

    def remove_copy(self, data_path: str) -> None:
        folder, name = os.path.split(data_path)
        remove_files(data_path, os.path.join(folder, name[:64] + _META_SUFFIX))

    def keys_under(self, prefix: str) -> list[str]:
        """Keys of every copy under prefix, whichever process fetched it."""
        keys = []
        for folder in self._subfolders():
            for name in _listdir(folder):
                if name.endswith(_META_SUFFIX) and not name.startswith(_TEMP):
                    key = _load_json(os.path.join(folder, name)).get("key")
                    if isinstance(key, str) and key.startswith(prefix):
                        keys.append(key)
        return keys

    def scan(self) -> list[CachedFile]:
        """Every copy, least recently used (oldest mtime) first; sweeps crashed fetches' temp files."""
        found = []
        now = time.time()
        for folder in self._subfolders():
            for name in _listdir(folder):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                match = _DATA_NAME.match(name)
                if match:
                    found.append(CachedFile(match.group(1), path, st.st_size, st.st_mtime))
                elif name.startswith(_TEMP) and now - st.st_mtime > _STALE_TEMP_SECONDS:
                    remove_files(path)
        found.sort(key=lambda copy: copy.mtime)
        return found

    def _subfolders(self) -> list[str]:
        return [os.path.join(self.root, name) for name in sorted(_listdir(self.root))
                if len(name) == 2 and os.path.isdir(os.path.join(self.root, name))]


def remove_files(*paths: str) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass


def _listdir(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []  # removed meanwhile, or unreadable: nothing usable there


def _load_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
