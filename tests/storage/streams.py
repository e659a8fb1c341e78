"""Caller-side streams for put: one that fails mid-way, one that reads in dribbles."""
from __future__ import annotations

import io


class Boom(Exception):
    """The caller's own stream failing mid-way."""


class FailingStream(io.RawIOBase):
    """Gives `good` bytes, then raises Boom: a download that dies during put."""

    def __init__(self, good: bytes):
        self._good = io.BytesIO(good)

    def readable(self):
        return True

    def read(self, size=-1):
        data = self._good.read(size)
        if not data:
            raise Boom("upstream went away")
        return data


class TrickleStream(io.RawIOBase):
    """Non-seekable, and never returns more than `most` bytes per read."""

    def __init__(self, data: bytes, most: int = 7):
        self._data = io.BytesIO(data)
        self._most = most

    def readable(self):
        return True

    def read(self, size=-1):
        return self._data.read(min(self._most, size) if size and size > 0 else self._most)
