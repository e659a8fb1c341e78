"""ReadThroughCache: a size-bounded local copy of a remote backend's objects, so hot files come off disk."""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from .base import CHUNK_SIZE, GiB, ObjectReader, Storage, StoredObject, validate_key, validate_prefix
from .cache_folder import CacheFolder, key_digest
from .local import open_file_range

log = logging.getLogger(__name__)

# LRU order survives a restart through mtimes; refreshing one per hit would be a write per request.
_TOUCH_INTERVAL = 60.0
# Keys known to exceed max_object_bytes; remembered so their readers do not queue behind each other.
_TOO_BIG_MEMORY = 1024
# Tries before a read gives up on a cache that other processes keep evicting under it.
_EVICTION_RACE_ATTEMPTS = 3


@dataclass
class _Entry:
    path: str
    size: int
    touched: float
    stored: StoredObject | None = None


class ReadThroughCache(Storage):
    """A Storage that keeps a local copy of every object it reads from `backend`.

    Entries are trusted until evicted or invalidated through this instance (by
    put/delete): made for keys that are immutable once written, as package
    versions are. Several processes may share `cache_dir`: files are installed
    by rename, and a file another process evicted is fetched again.
    Objects larger than `max_object_bytes` are streamed from the backend, uncached.
    """

    def __init__(self, backend: Storage, cache_dir: str, max_bytes: int = 2 * GiB, *,
                 max_object_bytes: int | None = None, rescan_interval: float = 60.0,
                 chunk_size: int = CHUNK_SIZE):
        self.backend = backend
        self.folder = CacheFolder(cache_dir)
        self.cache_dir = self.folder.root
        self.max_bytes = max_bytes
        self.max_object_bytes = max_bytes // 2 if max_object_bytes is None else min(max_object_bytes, max_bytes)
        self.rescan_interval = rescan_interval
        self.chunk_size = chunk_size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._total = 0
        self._inflight: dict[str, threading.Event] = {}
        self._too_big: OrderedDict[str, None] = OrderedDict()
        self._generation = 0  # bumped by every invalidation; a fetch that saw it change is not kept
        self._scan()

    def __repr__(self) -> str:
        return f"ReadThroughCache({self.backend!r}, {self.cache_dir!r}, max_bytes={self.max_bytes})"

    # Writes pass through, then drop what the cache held.

    def put(self, key: str, stream: BinaryIO, *, size: int | None = None,
            content_type: str | None = None) -> StoredObject:
        validate_key(key)
        try:
            return self.backend.put(key, stream, size=size, content_type=content_type)
        finally:
            self._invalidate([key])

    def delete(self, key: str) -> None:
        validate_key(key)
        try:
            self.backend.delete(key)
        finally:
            self._invalidate([key])

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix, allow_empty=False)
        try:
            return self.backend.delete_prefix(prefix)
        finally:
            self._invalidate(self.folder.keys_under(prefix))

    def list(self, prefix: str) -> Iterator[StoredObject]:
        return self.backend.list(prefix)

    # Reads come from the local copy, fetched first when missing.

    def open(self, key: str, *, start: int | None = None, end: int | None = None) -> ObjectReader:
        validate_key(key)
        for _attempt in range(_EVICTION_RACE_ATTEMPTS):
            entry = self._ensure(key)
            if entry is None:
                break
            try:
                return open_file_range(entry.path, key, start, end, entry.stored, self.chunk_size)
            except FileNotFoundError:
                self._forget(key_digest(key))  # evicted by another process just now
            except OSError as exc:
                log.warning("cache: cannot read %s: %s", key, exc.strerror or exc)
                break
        return self.backend.open(key, start=start, end=end)

    def stat(self, key: str) -> StoredObject:
        validate_key(key)
        entry = self._lookup(key, key_digest(key))
        return entry.stored if entry is not None else self.backend.stat(key)

    def exists(self, key: str) -> bool:
        validate_key(key)
        return self._lookup(key, key_digest(key)) is not None or self.backend.exists(key)

    def local_path(self, key: str) -> str | None:
        """The cached file (fetched now if needed), or None for an object too large to cache."""
        validate_key(key)
        for _attempt in range(_EVICTION_RACE_ATTEMPTS):
            entry = self._ensure(key)
            if entry is None:
                return None
            if os.path.isfile(entry.path):
                return entry.path
            self._forget(key_digest(key))  # evicted by another process just now
        return None

    # The index.

    def _lookup(self, key: str, digest: str) -> _Entry | None:
        """The usable cache entry for key, or None; also adopts files another process fetched."""
        with self._lock:
            entry = self._entries.get(digest)
            if entry is not None:
                self._entries.move_to_end(digest)
        if entry is None:
            data_path = self.folder.paths(key)[0]
            try:
                st = os.stat(data_path)
            except OSError:
                return None
            entry = self._register(digest, _Entry(data_path, st.st_size, st.st_mtime))
        if entry.stored is None:
            entry.stored = self.folder.read_meta(key, entry.size)
            if entry.stored is None:
                self._forget(digest)
                return None
        now = time.time()
        if now - entry.touched > _TOUCH_INTERVAL:
            entry.touched = now
            try:
                os.utime(entry.path)
            except OSError:
                pass
        return entry

    def _ensure(self, key: str) -> _Entry | None:
        """The cache entry for key, fetching it (once, whatever the number of threads asking); None: bypass."""
        digest = key_digest(key)
        while True:
            entry = self._lookup(key, digest)
            if entry is not None:
                return entry
            with self._lock:
                if digest in self._too_big:
                    return None
                event = self._inflight.get(digest)
                leader = event is None
                if leader:
                    event = self._inflight[digest] = threading.Event()
            if not leader:
                event.wait()  # the leader's backend calls all have timeouts
                continue
            try:
                return self._fetch(key, digest)
            finally:
                with self._lock:
                    del self._inflight[digest]
                event.set()

    def _fetch(self, key: str, digest: str) -> _Entry | None:
        generation = self._generation
        if time.monotonic() - self._last_scan > self.rescan_interval:
            self._scan()  # learn what other processes added, so the bound holds for the folder
        with self.backend.open(key) as reader:
            stored = reader.object or self.backend.stat(key)
            if stored.size > self.max_object_bytes:
                with self._lock:
                    self._too_big[digest] = None
                    while len(self._too_big) > _TOO_BIG_MEMORY:
                        self._too_big.popitem(last=False)
                return None
            try:
                data_path = self.folder.install(key, reader, stored)
            except OSError as exc:
                # A full or broken cache disk must not stop learners: serve from the backend.
                log.warning("cache: cannot store %s: %s", key, exc.strerror or exc)
                return None
        with self._lock:
            stale = generation != self._generation
        if stale:  # invalidated while we fetched: what we hold may be the old version
            self.folder.remove(key)
            return None
        return self._register(digest, _Entry(data_path, stored.size, time.time(), stored))

    def _register(self, digest: str, entry: _Entry) -> _Entry:
        """Add entry to the index as the most recently used, then evict down to max_bytes."""
        with self._lock:
            old = self._entries.pop(digest, None)
            if old is not None:
                self._total -= old.size
            self._entries[digest] = entry
            self._total += entry.size
        self._evict()
        return entry

    def _evict(self) -> None:
        """Drop least recently used entries until under max_bytes; the newest always stays."""
        victims = []
        with self._lock:
            while self._total > self.max_bytes and len(self._entries) > 1:
                victim = self._entries.popitem(last=False)[1]
                self._total -= victim.size
                victims.append(victim)
        for victim in victims:
            self.folder.remove_copy(victim.path)

    def _forget(self, digest: str) -> None:
        with self._lock:
            entry = self._entries.pop(digest, None)
            if entry is not None:
                self._total -= entry.size

    def _invalidate(self, keys) -> None:
        with self._lock:
            self._generation += 1
        for key in keys:
            digest = key_digest(key)
            self._forget(digest)
            with self._lock:
                self._too_big.pop(digest, None)
            self.folder.remove(key)

    def _scan(self) -> None:
        """Rebuild the index from the folder, least recently used first."""
        copies = self.folder.scan()
        with self._lock:
            known = self._entries
            self._entries = OrderedDict()
            self._total = 0
            for copy in copies:
                entry = _Entry(copy.path, copy.size, copy.mtime)
                if copy.digest in known and known[copy.digest].path == copy.path:
                    entry.stored = known[copy.digest].stored
                self._entries[copy.digest] = entry
                self._total += copy.size
            self._last_scan = time.monotonic()
        self._evict()
