"""One contract, every backend: local folder, S3 (moto over HTTP), and S3 behind the read-through cache."""
from __future__ import annotations

import io
import threading

import pytest

from scormproxy import errors
from storage import InvalidKey, InvalidRange, NotFound, ReadThroughCache, Storage, StorageError, StoredObject

from .streams import Boom, FailingStream, TrickleStream

BODY = bytes(range(256)) * 12 + b"tail"  # 3076 bytes, every byte value, an end that shows truncation


@pytest.fixture(params=["local", "s3", "s3+cache"])
def storage(request, tmp_path):
    """The plugin's backends (tests/plugins/s3.py), plus S3 behind the read-through cache as production runs it."""
    if request.param == "s3+cache":
        return ReadThroughCache(request.getfixturevalue("s3_storage"), str(tmp_path / "cache"),
                                max_bytes=64 * 1024 * 1024)
    return request.getfixturevalue(f"{request.param}_storage")


def test_is_a_storage(storage):
    assert isinstance(storage, Storage)


def test_put_bytes_then_stat_and_read(storage):
    stored = storage.put_bytes("course/v1/index.html", BODY)
    assert stored == StoredObject("course/v1/index.html", len(BODY), stored.etag, stored.content_type)
    assert stored.etag and not stored.etag.startswith('"')
    assert storage.stat("course/v1/index.html").etag == stored.etag
    assert storage.stat("course/v1/index.html").size == len(BODY)
    assert storage.read_bytes("course/v1/index.html", max_bytes=len(BODY)) == BODY
    assert storage.exists("course/v1/index.html")


def test_put_from_a_non_seekable_stream_with_short_reads(storage):
    stored = storage.put("a/b.bin", TrickleStream(BODY), size=len(BODY))
    assert stored.size == len(BODY)
    assert storage.read_bytes("a/b.bin", len(BODY)) == BODY


def test_put_file_stores_a_local_file(storage, tmp_path):
    source = tmp_path / "inflated.bin"
    source.write_bytes(BODY)
    stored = storage.put_file("blobs/ab/abc", str(source), content_type="application/octet-stream")
    assert stored.size == len(BODY)
    assert storage.read_bytes("blobs/ab/abc", len(BODY)) == BODY
    assert storage.stat("blobs/ab/abc").etag == stored.etag


@pytest.mark.parametrize("declared", [len(BODY) - 1, len(BODY) + 1])
def test_put_with_a_wrong_size_stores_nothing(storage, declared):
    with pytest.raises(StorageError):
        storage.put("wrong/size.bin", io.BytesIO(BODY), size=declared)
    assert not storage.exists("wrong/size.bin")
    assert list(storage.list("wrong/")) == []


def test_open_streams_chunks_and_partial_reads(storage):
    data = bytes(range(251)) * 10_000  # 2.5 MB: several 1 MiB chunks
    storage.put_bytes("big.bin", data)
    with storage.open("big.bin") as reader:
        assert reader.length == len(data)
        chunks = list(reader)
    assert len(chunks) >= 3 and b"".join(chunks) == data
    with storage.open("big.bin") as reader:
        assert reader.read(10) == data[:10]
        assert reader.read(5) == data[10:15]
        assert reader.read(1_500_000) == data[15:1_500_015]  # across a chunk boundary, still all of it
        assert reader.read() == data[1_500_015:]
        assert reader.read(1) == b""
    assert reader.closed


# (start, end, expected bytes): one object, so one set-up per backend for the whole table.
RANGES = [
    (0, 0, BODY[:1]),
    (2, 5, BODY[2:6]),
    (3000, None, BODY[3000:]),
    (None, 3, BODY[:4]),
    (3070, 10_000, BODY[3070:]),  # an end past the object is clipped, as HTTP does
    (len(BODY) - 1, None, BODY[-1:]),
]
UNSATISFIABLE = [(len(BODY), None), (len(BODY) + 10, len(BODY) + 20), (5, 4), (-1, 3)]


def test_open_byte_ranges(storage):
    storage.put_bytes("r.bin", BODY)
    for start, end, expected in RANGES:
        with storage.open("r.bin", start=start, end=end) as reader:
            assert (start, end, reader.length) == (start, end, len(expected))
            assert reader.read() == expected, (start, end)
            assert reader.object is None or reader.object.size == len(BODY)
    for start, end in UNSATISFIABLE:
        with pytest.raises(InvalidRange):
            storage.open("r.bin", start=start, end=end)
    storage.put_bytes("empty.bin", b"")
    with pytest.raises(InvalidRange):  # any range of an empty object, as HTTP 416
        storage.open("empty.bin", start=0)


def test_missing_objects_are_not_found(storage):
    for call in (lambda: storage.stat("no/such.html"), lambda: storage.open("no/such.html"),
                 lambda: storage.read_bytes("no/such.html", 10), lambda: storage.open("no/such.html", start=1)):
        with pytest.raises(NotFound) as info:
            call()
        # One exception for "missing" across the service, so the web layer answers 404.
        assert isinstance(info.value, errors.NotFound) and isinstance(info.value, StorageError)
        assert info.value.http_status == 404
    assert storage.exists("no/such.html") is False


def test_list_is_a_sorted_string_prefix_match(storage):
    for key in ["p/b/2.txt", "p/a.txt", "p/b/1.txt", "p/bc.txt", "q/x.txt", "p-other.txt"]:
        storage.put_bytes(key, key.encode())
    assert [o.key for o in storage.list("p/")] == ["p/a.txt", "p/b/1.txt", "p/b/2.txt", "p/bc.txt"]
    assert [o.key for o in storage.list("p/b")] == ["p/b/1.txt", "p/b/2.txt", "p/bc.txt"]
    assert [o.key for o in storage.list("p")] == ["p-other.txt", "p/a.txt", "p/b/1.txt", "p/b/2.txt", "p/bc.txt"]
    assert [o.key for o in storage.list("nothing/")] == []
    listed = {o.key: o for o in storage.list("")}
    assert len(listed) == 6
    assert listed["q/x.txt"].size == len(b"q/x.txt")
    assert listed["q/x.txt"].etag == storage.stat("q/x.txt").etag


def test_delete_prefix_counts_and_spares_the_rest(storage):
    for key in ["v1/a.html", "v1/sub/b.js", "v1/sub/deeper/c.css", "v10/a.html", "v2/a.html"]:
        storage.put_bytes(key, b"x")
    storage.read_bytes("v1/a.html", 10)  # cached, for the cached variant: must go too
    assert storage.delete_prefix("v1/") == 3
    assert [o.key for o in storage.list("")] == ["v10/a.html", "v2/a.html"]
    assert not storage.exists("v1/a.html")
    with pytest.raises(NotFound):
        storage.read_bytes("v1/a.html", 10)
    assert storage.delete_prefix("v1/") == 0


def test_delete_prefix_refuses_the_empty_prefix(storage):
    storage.put_bytes("keep.txt", b"x")
    with pytest.raises(StorageError):
        storage.delete_prefix("")
    assert storage.exists("keep.txt")


def test_delete_one_object_and_deleting_twice_is_fine(storage):
    storage.put_bytes("d/one.txt", b"1")
    storage.put_bytes("d/two.txt", b"2")
    storage.read_bytes("d/one.txt", 10)
    storage.delete("d/one.txt")
    storage.delete("d/one.txt")
    assert not storage.exists("d/one.txt")
    with pytest.raises(NotFound):
        storage.open("d/one.txt")
    assert [o.key for o in storage.list("d/")] == ["d/two.txt"]


def test_overwrite_replaces_content_and_etag(storage):
    first = storage.put_bytes("o.txt", b"first version")
    assert storage.read_bytes("o.txt", 100) == b"first version"
    second = storage.put_bytes("o.txt", b"second, longer version")
    assert second.etag != first.etag
    assert storage.stat("o.txt") == StoredObject("o.txt", 22, second.etag, storage.stat("o.txt").content_type)
    assert storage.read_bytes("o.txt", 100) == b"second, longer version"


def test_empty_object(storage):
    stored = storage.put_bytes("empty.txt", b"")
    assert stored.size == 0 and storage.stat("empty.txt").size == 0
    assert storage.read_bytes("empty.txt", 0) == b""
    with storage.open("empty.txt") as reader:
        assert reader.length == 0 and list(reader) == [] and reader.read() == b""
    assert [o.size for o in storage.list("empty")] == [0]


def test_read_bytes_refuses_larger_objects(storage):
    storage.put_bytes("ten.txt", b"0123456789")
    assert storage.read_bytes("ten.txt", 10) == b"0123456789"
    with pytest.raises(StorageError):
        storage.read_bytes("ten.txt", 9)


def test_failing_stream_leaves_no_object_and_no_temp_file(storage):
    with pytest.raises(Boom):
        storage.put("fail/new.bin", FailingStream(BODY))
    assert not storage.exists("fail/new.bin")
    assert list(storage.list("")) == []


def test_failing_overwrite_keeps_the_old_object(storage):
    old = storage.put_bytes("fail/page.html", b"old and whole")
    with pytest.raises(Boom):
        storage.put("fail/page.html", FailingStream(BODY))
    assert storage.read_bytes("fail/page.html", 100) == b"old and whole"
    assert storage.stat("fail/page.html").etag == old.etag
    assert [o.key for o in storage.list("")] == ["fail/page.html"]


def test_readers_never_see_a_partial_object(storage):
    versions = [bytes([n]) * 200_000 for n in (1, 2)]
    storage.put_bytes("race.bin", versions[0])
    stop = threading.Event()
    seen, problems = set(), []

    def write():
        n = 0
        while not stop.is_set():
            n += 1
            storage.put_bytes("race.bin", versions[n % 2])

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(40):
            data = storage.read_bytes("race.bin", 1_000_000)
            seen.add(data[:1])
            if data not in versions:
                problems.append(len(data))
    finally:
        stop.set()
        writer.join()
    assert problems == []


BAD_KEYS = ["", "/abs.html", "a/../b.html", "..", "../x", "a\\b.html", "a\x00b", "a//b", "a/./b", "dir/",
            "x" * 256, "a/.put-0123.tmp", "\udcff", "y/" * 600 + "z"]
BAD_PREFIXES = ["/x", "a/../", "..", "a\\b", "a//"]


def test_invalid_keys_are_refused_everywhere(storage):
    for key in BAD_KEYS:
        calls = {"put": lambda: storage.put_bytes(key, b"x"), "stat": lambda: storage.stat(key),
                 "open": lambda: storage.open(key), "delete": lambda: storage.delete(key),
                 "exists": lambda: storage.exists(key), "local_path": lambda: storage.local_path(key)}
        for name, call in calls.items():
            with pytest.raises(InvalidKey):
                call()
                pytest.fail(f"{name}({key!r}) accepted")
    assert list(storage.list("")) == []


def test_invalid_prefixes_are_refused(storage):
    for prefix in BAD_PREFIXES:
        with pytest.raises(InvalidKey):
            list(storage.list(prefix))
        with pytest.raises(InvalidKey):
            storage.delete_prefix(prefix)


def test_unicode_and_odd_but_valid_keys(storage):
    keys = ["unicode/é ü 中文.html", "spaces and (parens)/a+b=c.txt", ".hidden/file", "deep/" * 30 + "leaf"]
    for key in keys:
        storage.put_bytes(key, key.encode())
    for key in keys:
        assert storage.read_bytes(key, 1000) == key.encode()
    assert sorted(o.key for o in storage.list("")) == sorted(keys)


def test_local_path_is_a_file_with_the_content_or_none(storage):
    storage.put_bytes("lp/page.html", BODY)
    path = storage.local_path("lp/page.html")
    if path is not None:
        with open(path, "rb") as f:
            assert f.read() == BODY
        with pytest.raises(NotFound):
            storage.local_path("lp/missing.html")
