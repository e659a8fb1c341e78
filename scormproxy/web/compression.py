"""Gzip for text package files, compressed once per file and kept in a bounded memory cache."""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
              "image/svg+xml", "application/xhtml+xml")


def compressible(content_type: str) -> bool:
    return content_type.startswith(TEXT_TYPES)


class GzipCache:
    """sha256 -> gzip bytes, least recently used evicted past `max_bytes`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_compress(self, sha: str, read) -> bytes:
        with self._lock:
            hit = self._items.get(sha)
            if hit is not None:
                self._items.move_to_end(sha)
                return hit
        # Level 6: most of level 9's saving for a fraction of the time; files are immutable,
        # so this runs once per file while it stays hot.
        packed = gzip.compress(read(), compresslevel=6, mtime=0)
        with self._lock:
            if sha not in self._items and len(packed) <= self.max_bytes:
                self._items[sha] = packed
                self._size += len(packed)
                while self._size > self.max_bytes:
                    _, evicted = self._items.popitem(last=False)
                    self._size -= len(evicted)
        return packed
