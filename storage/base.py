"""The storage contract: the Storage protocol, what it returns, what it raises, and key rules."""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Iterator, Protocol, runtime_checkable

from scormproxy import errors

MiB = 1024 * 1024
GiB = 1024 * MiB

# Reads and copies move this much at a time, so memory stays flat whatever the object size.
CHUNK_SIZE = 1 * MiB

# S3 caps a key at 1024 bytes of UTF-8; local file systems cap one path segment
# at 255 bytes (NAME_MAX). Holding every backend to both keeps keys portable.
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255

# LocalStorage writes its temporary files beside the target under this prefix;
# keys may not use it, so listings can tell a half-written file from an object.
TEMP_PREFIX = ".put-"


class StorageError(errors.ScormProxyError):
    """A storage operation failed; the message names the operation and key, never a credential."""

    code = "storage_error"
    http_status = 500


class NotFound(StorageError, errors.NotFound):
    """No object under that key. Also a scormproxy NotFound, so the web layer answers 404."""

    code = "not_found"
    http_status = 404


class InvalidKey(StorageError):
    """A key or prefix that breaks the key rules (see `validate_key`)."""

    code = "invalid_key"
    http_status = 400


class InvalidRange(StorageError):
    """A byte range that does not overlap the object (HTTP 416)."""

    code = "invalid_range"
    http_status = 416


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    etag: str
    content_type: str | None = None


class ObjectReader(io.RawIOBase):
    """A read-only stream over an object's bytes: `read(n)` (n bytes unless at the end), and iteration yields chunks.

    `length` is the number of bytes this stream yields (the range, not the whole
    object); `object` describes the whole object when the backend knows it for free.
    Closing it releases the file or HTTP body underneath.
    """

    def __init__(self, chunks: Iterable[bytes], *, length: int, object: StoredObject | None = None,
                 on_close: Callable[[], None] | None = None):
        super().__init__()
        self._chunks = iter(chunks)
        self._pending = b""
        self._on_close = on_close
        self.length = length
        self.object = object

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read from a closed ObjectReader")
        if size is None or size < 0:
            return b"".join(self._drain())
        # Full reads, like a buffered file: callers reading a fixed-size header get all of it.
        parts, wanted = [], size
        while wanted > 0:
            if not self._pending:
                self._pending = next(self._chunks, b"")
                if not self._pending:
                    break
            part, self._pending = self._pending[:wanted], self._pending[wanted:]
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def __iter__(self) -> Iterator[bytes]:
        # Chunks, not lines: objects are mostly binary and may hold no newline at all.
        if self.closed:
            raise ValueError("iteration over a closed ObjectReader")
        return self._drain()

    def _drain(self) -> Iterator[bytes]:
        if self._pending:
            pending, self._pending = self._pending, b""
            yield pending
        for chunk in self._chunks:
            if chunk:
                yield chunk

    def close(self) -> None:
        if self.closed:
            return
        try:
            close_chunks = getattr(self._chunks, "close", None)
            if close_chunks is not None:
                close_chunks()
            if self._on_close is not None:
                self._on_close()
        finally:
            super().close()


@runtime_checkable
class Storage(Protocol):
    """Objects under posix-style keys ('a/b/c.html').

    Backends subclass this to inherit the convenience methods at the end.
    `put` is atomic: a reader sees the old object or the whole new one, never part.
    Errors raised by the caller's own stream during `put` propagate unchanged;
    everything the storage itself hits becomes a `StorageError`.
    """

    def put(self, key: str, stream: BinaryIO, *, size: int | None = None,
            content_type: str | None = None) -> StoredObject:
        """Store the stream's bytes under key; with `size`, any other length is an error and stores nothing."""
        ...

    def open(self, key: str, *, start: int | None = None, end: int | None = None) -> ObjectReader:
        """Stream the object, or bytes start..end inclusive (like HTTP); start defaults to 0, end to the last byte."""
        ...

    def stat(self, key: str) -> StoredObject:
        """Size, ETag and content type of the object; NotFound when there is none."""
        ...

    def list(self, prefix: str) -> Iterator[StoredObject]:
        """Objects whose key starts with prefix (plain string match, like S3), in key order."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with prefix (not empty); returns how many."""
        ...

    def delete(self, key: str) -> None:
        """Delete one object; deleting a missing object is not an error."""
        ...

    def local_path(self, key: str) -> str | None:
        """An absolute file path holding the object (for sendfile), or None when the backend has none."""
        ...

    def sync(self) -> None:
        """Make every put so far durable; backends whose puts are durable already do nothing."""

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> StoredObject:
        return self.put(key, io.BytesIO(data), size=len(data), content_type=content_type)

    def put_file(self, key: str, path: str, *, content_type: str | None = None) -> StoredObject:
        """Store a finished local file the caller no longer needs: a backend may move it rather than copy."""
        with open(path, "rb") as f:
            return self.put(key, f, size=os.fstat(f.fileno()).st_size, content_type=content_type)

    def read_bytes(self, key: str, max_bytes: int) -> bytes:
        """The whole object, refusing (StorageError) one larger than max_bytes."""
        with self.open(key) as reader:
            if reader.length > max_bytes:
                raise StorageError(f"{key}: larger than {max_bytes} bytes")
            data = reader.read(max_bytes + 1)
        if len(data) > max_bytes:  # a local file appended to in place while we read it
            raise StorageError(f"{key}: larger than {max_bytes} bytes")
        return data

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except NotFound:
            return False
        return True


def validate_key(key: str) -> str:
    """Return key if it is a safe relative posix path, else raise InvalidKey."""
    if not isinstance(key, str) or not key:
        raise InvalidKey(f"invalid storage key {key!r}: empty")
    _check_path_text(key, "key")
    for segment in key.split("/"):
        _check_segment(key, segment, "key")
    return key


def validate_prefix(prefix: str, *, allow_empty: bool = True) -> str:
    """Like validate_key, but a prefix may be empty (when allowed) and may end with '/' or mid-segment."""
    if not isinstance(prefix, str):
        raise InvalidKey(f"invalid storage prefix {prefix!r}")
    if not prefix:
        if allow_empty:
            return prefix
        raise InvalidKey("an empty prefix is refused here: it would cover every object")
    _check_path_text(prefix, "prefix")
    segments = prefix.split("/")
    for segment in segments[:-1]:
        _check_segment(prefix, segment, "prefix")
    if segments[-1] in (".", ".."):
        raise InvalidKey(f"invalid storage prefix {prefix!r}: '.' or '..' segment")
    return prefix


def _check_path_text(path: str, what: str) -> None:
    if path.startswith("/"):
        raise InvalidKey(f"invalid storage {what} {path!r}: leading '/'")
    if "\\" in path or "\x00" in path:
        raise InvalidKey(f"invalid storage {what} {path!r}: backslash or NUL")
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKey(f"invalid storage {what} {path!r}: not encodable as UTF-8") from None
    if len(encoded) > MAX_KEY_BYTES:
        raise InvalidKey(f"invalid storage {what}: longer than {MAX_KEY_BYTES} bytes")


def _check_segment(path: str, segment: str, what: str) -> None:
    if segment in ("", ".", ".."):
        raise InvalidKey(f"invalid storage {what} {path!r}: empty, '.' or '..' segment")
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidKey(f"invalid storage {what} {path!r}: a segment is longer than {MAX_SEGMENT_BYTES} bytes")
    if segment.startswith(TEMP_PREFIX):
        raise InvalidKey(f"invalid storage {what} {path!r}: {TEMP_PREFIX!r} names are reserved")


def resolve_range(key: str, start: int | None, end: int | None, size: int) -> tuple[int, int]:
    """(first byte, one past the last byte) of an inclusive range, clipped to size like HTTP."""
    first = 0 if start is None else start
    if first < 0 or (end is not None and end < first):
        raise InvalidRange(f"{key}: invalid byte range {start}-{end}")
    if start is None and end is None:
        return 0, size
    if first >= size:
        raise InvalidRange(f"{key}: byte range {start}-{end} starts beyond the end ({size} bytes)")
    stop = size if end is None else min(end + 1, size)
    return first, stop


class SizedReader:
    """Wraps the caller's stream for `put`: full reads, a length check, and its errors kept apart.

    `read(n)` returns n bytes unless the stream ends (S3 multipart parts must be
    full-sized). When `expected` is given, a longer or shorter stream raises
    StorageError before the end is reported, so nothing gets stored.
    `caller_error` holds the exception the caller's stream raised, if any.
    """

    def __init__(self, key: str, stream: BinaryIO, expected: int | None):
        self._key = key
        self._stream = stream
        self._expected = expected
        self.count = 0
        self.caller_error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size if size is not None and size >= 0 else None
        got = 0
        while wanted is None or got < wanted:
            ask = CHUNK_SIZE if wanted is None else min(wanted - got, 16 * MiB)
            try:
                data = self._stream.read(ask)
            except BaseException as exc:
                self.caller_error = exc
                raise
            if not data:
                break
            parts.append(data)
            got += len(data)
        self.count += got
        self._check(at_end=wanted is None or got < wanted)
        return b"".join(parts)

    def _check(self, at_end: bool) -> None:
        if self._expected is None:
            return
        if self.count > self._expected or (at_end and self.count != self._expected):
            raise StorageError(f"{self._key}: stream gave {self.count}+ bytes, expected {self._expected}"
                               if self.count > self._expected else
                               f"{self._key}: stream ended after {self.count} bytes, expected {self._expected}")
