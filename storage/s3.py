"""S3Storage: objects in an S3 (or S3-compatible) bucket through boto3; botocore stays in here."""
from __future__ import annotations

import io
import itertools
import logging
import re
import threading
from typing import Any, BinaryIO, Iterator

import boto3
import urllib3.exceptions
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .base import (CHUNK_SIZE, MiB, InvalidRange, NotFound, ObjectReader, SizedReader, Storage, StorageError,
                   StoredObject, validate_key, validate_prefix)
from .local import guess_content_type

log = logging.getLogger(__name__)

# S3 deletes at most 1000 keys per DeleteObjects call and lists at most 1000 per page.
S3_MAX_BATCH = 1000
_NOT_FOUND_CODES = {"NoSuchKey", "404", "NotFound"}
# Failures of a transfer already under way: the body broke, not the request.
_STREAM_ERRORS = (BotoCoreError, urllib3.exceptions.HTTPError, OSError)
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_SESSION_LOCK = threading.Lock()
_session: boto3.session.Session | None = None


class S3Storage(Storage):
    """Objects at s3://bucket/prefix/<key>.

    Uploads up to `multipart_threshold` go in one PUT; larger ones in parts of
    `multipart_chunksize`, aborted on failure. Downloads stream in chunks and
    resume from where they broke (bounded by `max_attempts`, pinned to the
    same version with If-Match).
    """

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, client: Any = None,
                 multipart_threshold: int = 8 * MiB, multipart_chunksize: int = 8 * MiB,
                 max_concurrency: int = 4, connect_timeout: float = 5, read_timeout: float = 60,
                 max_attempts: int = 5, chunk_size: int = CHUNK_SIZE, page_size: int = S3_MAX_BATCH):
        if not bucket:
            raise StorageError("S3 storage needs a bucket name")
        prefix = prefix.strip("/")
        if prefix:
            validate_prefix(prefix)
        self.bucket = bucket
        self.prefix = prefix + "/" if prefix else ""
        self.endpoint_url = endpoint_url
        self.multipart_threshold = multipart_threshold
        self.max_attempts = max_attempts
        self.chunk_size = chunk_size
        self.page_size = max(1, min(page_size, S3_MAX_BATCH))
        self._transfer = TransferConfig(multipart_threshold=multipart_threshold,
                                        multipart_chunksize=multipart_chunksize,
                                        max_concurrency=max_concurrency)
        # A non-seekable source is buffered a part at a time; by default ten parts
        # may wait in memory. Tie that to the concurrency so an upload stays small.
        self._transfer.max_in_memory_upload_chunks = max_concurrency
        self._client = client or self._make_client(endpoint_url, connect_timeout, read_timeout, max_attempts)

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r}, endpoint_url={self.endpoint_url!r})"

    @staticmethod
    def _make_client(endpoint_url, connect_timeout, read_timeout, max_attempts):
        options: dict[str, Any] = {}
        if endpoint_url:
            # S3-compatible servers mostly want path-style URLs, and many reject
            # the CRC trailers botocore sends by default to AWS.
            options = {"s3": {"addressing_style": "path"},
                       "request_checksum_calculation": "when_required",
                       "response_checksum_validation": "when_required"}
        config = Config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                        retries={"max_attempts": max_attempts, "mode": "standard"}, **options)
        try:
            with _SESSION_LOCK:
                global _session
                # One session for all clients: building one reloads the service models (~0.5 s);
                # sessions are not thread-safe, hence the lock, but the clients they make are.
                if _session is None:
                    _session = boto3.session.Session()
                return _session.client("s3", endpoint_url=endpoint_url or None, config=config)
        except (BotoCoreError, ValueError) as exc:
            raise StorageError(f"cannot set up the S3 client: {type(exc).__name__}") from None

    def _key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def _fail(self, exc: Exception, operation: str, key: str) -> StorageError:
        """Our error for a botocore one. The message is built from codes only: never a signature or key id."""
        where = f"s3://{self.bucket}/{self.prefix}{key}"
        cause = exc.__cause__ or exc.__context__
        if not isinstance(exc, (ClientError, BotoCoreError)) and isinstance(cause, (ClientError, BotoCoreError)):
            exc = cause  # boto3 wraps transfer failures; the botocore error underneath says more
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", "unknown"))
            if code in _NOT_FOUND_CODES:
                return NotFound(f"{key}: no such object")
            if code == "InvalidRange":
                return InvalidRange(f"{key}: byte range starts beyond the end")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            return StorageError(f"S3 {operation} {where} failed: {code} (HTTP {status})")
        return StorageError(f"S3 {operation} {where} failed: {type(exc).__name__}")

    def _call(self, operation: str, key: str, **params) -> dict:
        try:
            return getattr(self._client, operation)(Bucket=self.bucket, **params)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, operation, key) from None

    def put(self, key: str, stream: BinaryIO, *, size: int | None = None,
            content_type: str | None = None) -> StoredObject:
        full_key = self._key(key)
        content_type = content_type or guess_content_type(key)
        extra = {"ContentType": content_type} if content_type else {}
        source = SizedReader(key, stream, size)
        # Read up to the threshold first: a small object then costs one PUT whose
        # answer carries the ETag, and only large ones pay for multipart + HEAD.
        head = source.read(self.multipart_threshold)
        if len(head) < self.multipart_threshold:
            response = self._call("put_object", key, Key=full_key, Body=head, **extra)
            return StoredObject(key, len(head), _unquote(response.get("ETag", "")), content_type)
        rest = _ChainedReader(head, source)
        try:
            self._client.upload_fileobj(rest, self.bucket, full_key, ExtraArgs=extra, Config=self._transfer)
        except BaseException as exc:
            if source.caller_error is not None:
                raise source.caller_error from None
            if isinstance(exc, StorageError) or not isinstance(exc, Exception):
                raise
            raise self._fail(exc, "upload", key) from None
        return self.stat(key)

    def open(self, key: str, *, start: int | None = None, end: int | None = None) -> ObjectReader:
        full_key = self._key(key)
        ranged = start is not None or end is not None
        first = start or 0
        if first < 0 or (end is not None and end < first):
            raise InvalidRange(f"{key}: invalid byte range {start}-{end}")
        params: dict[str, Any] = {"Key": full_key}
        if ranged:
            params["Range"] = f"bytes={first}-{'' if end is None else end}"
        response = self._call("get_object", key, **params)
        length = int(response.get("ContentLength", 0))
        total = length
        match = _CONTENT_RANGE.fullmatch(response.get("ContentRange") or "")
        if match:
            total = int(match.group(3))
        elif ranged and (first > 0 or end is not None):
            # A server that ignores Range sends the whole object; that is not what was asked.
            response["Body"].close()
            raise StorageError(f"S3 get {key}: the server ignored the byte range")
        etag = _unquote(response.get("ETag", ""))
        stored = StoredObject(key, total, etag, response.get("ContentType"))
        body = _BodyHolder(response["Body"])
        chunks = self._resume_chunks(key, full_key, body, first, first + length, etag)
        return ObjectReader(chunks, length=length, object=stored, on_close=body.close)

    def _resume_chunks(self, key: str, full_key: str, body: "_BodyHolder", position: int, stop: int,
                       etag: str) -> Iterator[bytes]:
        """The body's chunks; if the connection breaks, a new ranged GET picks up where it stopped."""
        for attempt in itertools.count(1):
            try:
                for chunk in body.current.iter_chunks(self.chunk_size):
                    position += len(chunk)
                    yield chunk
                return
            except _STREAM_ERRORS as exc:
                body.close()
                if position >= stop:
                    return  # every byte arrived; only the end of the exchange broke
                if attempt >= self.max_attempts:
                    raise StorageError(f"S3 get {key}: download broke at byte {position}: "
                                       f"{type(exc).__name__}") from None
                log.warning("S3 get %s: download broke at byte %d (%s); resuming", key, position,
                            type(exc).__name__)
            response = self._call("get_object", key, Key=full_key, Range=f"bytes={position}-{stop - 1}",
                                  IfMatch=f'"{etag}"')
            body.current = response["Body"]

    def stat(self, key: str) -> StoredObject:
        response = self._call("head_object", key, Key=self._key(key))
        return StoredObject(key, int(response.get("ContentLength", 0)), _unquote(response.get("ETag", "")),
                            response.get("ContentType"))

    def list(self, prefix: str) -> Iterator[StoredObject]:
        validate_prefix(prefix)
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix,
                                   PaginationConfig={"PageSize": self.page_size})
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    yield StoredObject(item["Key"][len(self.prefix):], int(item["Size"]),
                                       _unquote(item.get("ETag", "")))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, "list", prefix) from None

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix, allow_empty=False)
        count = 0
        batch: list[str] = []
        for obj in self.list(prefix):
            batch.append(obj.key)
            if len(batch) == self.page_size:
                count += self._delete_batch(batch)
                batch = []
        if batch:
            count += self._delete_batch(batch)
        return count

    def _delete_batch(self, keys: list[str]) -> int:
        response = self._call("delete_objects", keys[0], Delete={
            "Objects": [{"Key": self.prefix + key} for key in keys], "Quiet": True})
        failed = response.get("Errors") or []
        if failed:
            codes = sorted({str(error.get("Code")) for error in failed})
            raise StorageError(f"S3 delete of {len(failed)} of {len(keys)} objects failed: {', '.join(codes)}")
        return len(keys)

    def delete(self, key: str) -> None:
        self._call("delete_object", key, Key=self._key(key))

    def local_path(self, key: str) -> str | None:
        validate_key(key)
        return None


def _unquote(etag: str) -> str:
    return etag.strip('"')


class _BodyHolder:
    """The current HTTP body of a download, replaced when the download resumes."""

    def __init__(self, body):
        self.current = body

    def close(self) -> None:
        try:
            self.current.close()
        except _STREAM_ERRORS:
            pass  # closing a broken connection may complain; there is nothing left to release


class _ChainedReader(io.RawIOBase):
    """The bytes already read, then the rest of the source: lets `put` peek at the first part."""

    def __init__(self, head: bytes, source: SizedReader):
        super().__init__()
        self._head = head
        self._source = source

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            head, self._head = self._head, b""
            return head + self._source.read()
        if self._head:
            head, self._head = self._head[:size], self._head[size:]
            if len(head) == size:
                return head
            return head + self._source.read(size - len(head))
        return self._source.read(size)
