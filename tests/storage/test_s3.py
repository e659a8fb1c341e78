"""S3Storage beyond the shared contract: multipart, prefixes, paging, resumed downloads, unreachable servers."""
from __future__ import annotations

import hashlib
import io
import random
import socket
import time
from urllib.parse import urlsplit

import pytest

from storage import NotFound, S3Storage, StorageError
from tests.plugins.s3 import FAKE_AWS_ENV

from .counting import counting_client
from .netfaults import CuttingProxy
from .streams import Boom, FailingStream, TrickleStream

MiB = 1024 * 1024


def sha256_of(reader) -> str:
    digest = hashlib.sha256()
    for chunk in reader:
        digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture
def multipart_storage(s3_server, s3_bucket):
    # 5 MiB is the smallest part S3 accepts.
    return S3Storage(s3_bucket, "mp", endpoint_url=s3_server, multipart_threshold=5 * MiB,
                     multipart_chunksize=5 * MiB, max_concurrency=2)


def test_large_objects_go_up_in_parts(multipart_storage, s3_client, s3_bucket):
    data = random.Random(7).randbytes(11 * MiB)
    # Short reads from a non-seekable source must still make full 5 MiB parts.
    stored = multipart_storage.put("big/video.mp4", TrickleStream(data, most=100_000), size=len(data),
                                   content_type="video/mp4")
    assert stored.etag.endswith("-3"), "3 parts: 5 + 5 + 1 MiB"
    assert stored == multipart_storage.stat("big/video.mp4")
    assert stored.content_type == "video/mp4" and stored.size == len(data)
    with multipart_storage.open("big/video.mp4") as reader:
        assert sha256_of(reader) == hashlib.sha256(data).hexdigest()
    boundary = 5 * MiB
    with multipart_storage.open("big/video.mp4", start=boundary - 3, end=boundary + 2) as reader:
        assert reader.read() == data[boundary - 3: boundary + 3]
    assert s3_client.head_object(Bucket=s3_bucket, Key="mp/big/video.mp4")["ContentLength"] == len(data)


def test_small_objects_go_up_in_one_put(s3_server, s3_bucket):
    client, sent = counting_client(s3_server)
    storage = S3Storage(s3_bucket, "one", client=client)
    stored = storage.put("a.txt", TrickleStream(b"x" * 1000), size=1000)
    assert sent == {"PutObject": 1}
    assert stored.etag == hashlib.md5(b"x" * 1000).hexdigest()


@pytest.mark.parametrize("failure", ["caller stream", "short stream"])
def test_a_failed_multipart_upload_is_aborted(multipart_storage, s3_client, s3_bucket, failure):
    data = random.Random(8).randbytes(12 * MiB)
    if failure == "caller stream":
        with pytest.raises(Boom):
            multipart_storage.put("big/broken.bin", FailingStream(data))
    else:
        with pytest.raises(StorageError):
            multipart_storage.put("big/broken.bin", io.BytesIO(data), size=len(data) + 1)
    assert s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []
    with pytest.raises(NotFound):
        multipart_storage.stat("big/broken.bin")


def test_prefixes_keep_storages_apart(s3_server, s3_bucket, s3_client):
    one = S3Storage(s3_bucket, "site", endpoint_url=s3_server)
    other = S3Storage(s3_bucket, "/site-two/", endpoint_url=s3_server)
    root = S3Storage(s3_bucket, endpoint_url=s3_server)
    one.put_bytes("a.html", b"one")
    other.put_bytes("a.html", b"two")
    assert s3_client.get_object(Bucket=s3_bucket, Key="site/a.html")["Body"].read() == b"one"
    assert [o.key for o in one.list("")] == ["a.html"]
    assert [o.key for o in other.list("")] == ["a.html"]
    assert [o.key for o in root.list("")] == ["site-two/a.html", "site/a.html"]
    assert one.delete_prefix("a") == 1
    assert other.read_bytes("a.html", 10) == b"two"


def test_listing_and_deleting_page_through_large_prefixes(s3_server, s3_bucket):
    client, sent = counting_client(s3_server)
    storage = S3Storage(s3_bucket, "paged", client=client, page_size=3)
    keys = [f"v/{n:02}.txt" for n in range(10)]
    for key in keys:
        storage.put_bytes(key, key.encode())
    sent.clear()
    assert [o.key for o in storage.list("v/")] == keys
    assert sent["ListObjectsV2"] == 4
    assert storage.delete_prefix("v/") == 10
    assert sent["DeleteObjects"] == 4
    assert list(storage.list("")) == []


def test_content_type_is_kept_or_guessed(s3_storage):
    s3_storage.put_bytes("style.css", b"body{}")
    s3_storage.put_bytes("data.bin", b"\x00", content_type="application/x-custom")
    assert s3_storage.stat("style.css").content_type == "text/css"
    assert s3_storage.stat("data.bin").content_type == "application/x-custom"
    with s3_storage.open("style.css") as reader:
        assert reader.object.content_type == "text/css"


def test_local_path_is_none_for_s3(s3_storage):
    s3_storage.put_bytes("x.html", b"x")
    assert s3_storage.local_path("x.html") is None


def test_a_dropped_download_resumes_where_it_broke(s3_server, s3_bucket, s3_storage):
    data = random.Random(9).randbytes(6 * MiB)
    s3_storage.put_bytes("big.bin", data)
    proxy = CuttingProxy(urlsplit(s3_server).port, cut_after=2 * MiB + 12345)
    try:
        client, sent = counting_client(proxy.url)
        storage = S3Storage(s3_bucket, "scormproxy-test", client=client, max_attempts=3)
        with storage.open("big.bin") as reader:
            assert sha256_of(reader) == hashlib.sha256(data).hexdigest()
        assert proxy.cuts_made == 1
        assert sent["GetObject"] == 2
    finally:
        proxy.close()


def test_a_resumed_download_refuses_a_changed_object(s3_server, s3_bucket, s3_storage):
    s3_storage.put_bytes("big.bin", random.Random(10).randbytes(6 * MiB))
    proxy = CuttingProxy(urlsplit(s3_server).port, cut_after=3 * MiB)
    try:
        client, _sent = counting_client(proxy.url)
        storage = S3Storage(s3_bucket, "scormproxy-test", client=client, max_attempts=3)
        with storage.open("big.bin") as reader:
            reader.read(1)
            s3_storage.put_bytes("big.bin", b"a different version")
            with pytest.raises(StorageError) as info:
                reader.read()
        assert "PreconditionFailed" in str(info.value)
    finally:
        proxy.close()


def test_downloads_give_up_after_max_attempts(s3_server, s3_bucket, s3_storage):
    s3_storage.put_bytes("big.bin", random.Random(11).randbytes(4 * MiB))
    proxy = CuttingProxy(urlsplit(s3_server).port, cut_after=MiB, cuts=5)
    try:
        client, sent = counting_client(proxy.url, retries={"max_attempts": 1})
        storage = S3Storage(s3_bucket, "scormproxy-test", client=client, max_attempts=2)
        with pytest.raises(StorageError):
            with storage.open("big.bin") as reader:
                reader.read()
        assert sent["GetObject"] == 2
    finally:
        proxy.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_endpoint_fails_fast_with_our_error(aws_test_env):
    storage = S3Storage("bucket", "p", endpoint_url=f"http://127.0.0.1:{_closed_port()}",
                        connect_timeout=0.5, read_timeout=0.5, max_attempts=1)
    began = time.monotonic()
    for call in (lambda: storage.stat("a.html"), lambda: storage.open("a.html"), lambda: storage.put_bytes("a", b"x"),
                 lambda: list(storage.list("")), lambda: storage.delete_prefix("p/"),
                 lambda: storage.put("big", io.BytesIO(b"x" * (9 * MiB)))):
        with pytest.raises(StorageError) as info:
            call()
        assert not isinstance(info.value, NotFound)
        message = str(info.value)
        assert FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"] not in message
        assert FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"] not in message
        assert info.value.__cause__ is None and info.value.__suppress_context__
    assert time.monotonic() - began < 10


def test_a_server_that_never_answers_times_out(aws_test_env):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never replies
    try:
        storage = S3Storage("bucket", endpoint_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
                            connect_timeout=0.5, read_timeout=0.5, max_attempts=1)
        began = time.monotonic()
        with pytest.raises(StorageError):
            storage.stat("a.html")
        assert time.monotonic() - began < 5
    finally:
        silent.close()


def test_a_missing_bucket_is_a_storage_error_not_a_missing_object(s3_server):
    storage = S3Storage("no-such-bucket-here", endpoint_url=s3_server, max_attempts=1)
    for call in (lambda: storage.put_bytes("a", b"x"), lambda: storage.open("a"), lambda: list(storage.list(""))):
        with pytest.raises(StorageError) as info:
            call()
        assert not isinstance(info.value, NotFound)
        assert "NoSuchBucket" in str(info.value)
