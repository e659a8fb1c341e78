"""ReadThroughCache over S3 (moto over HTTP): hits cost no request, the size bound holds, writes invalidate."""
from __future__ import annotations

import os
import threading

import pytest

from storage import LocalStorage, NotFound, ObjectReader, ReadThroughCache, S3Storage

from .counting import counting_client

KB = 1000


@pytest.fixture
def counted(s3_server, s3_bucket):
    """(S3Storage, Counter of HTTP requests it sent by operation)."""
    client, sent = counting_client(s3_server)
    return S3Storage(s3_bucket, "c", client=client), sent


@pytest.fixture
def cache_dir(tmp_path):
    return str(tmp_path / "cache")


def cached_files(cache_dir: str) -> list[str]:
    return sorted(name for _root, _dirs, files in os.walk(cache_dir) for name in files if not name.endswith("~meta"))


def test_a_second_read_is_served_from_disk(counted, cache_dir, s3_client, s3_bucket):
    backend, sent = counted
    stored = backend.put_bytes("v1/index.html", b"<p>hello</p>")
    cache = ReadThroughCache(backend, cache_dir)
    sent.clear()
    assert cache.read_bytes("v1/index.html", 100) == b"<p>hello</p>"
    assert sent == {"GetObject": 1}
    assert cache.read_bytes("v1/index.html", 100) == b"<p>hello</p>"
    with cache.open("v1/index.html", start=3, end=7) as reader:
        assert reader.read() == b"hello"
    assert cache.stat("v1/index.html") == stored
    assert cache.exists("v1/index.html")
    path = cache.local_path("v1/index.html")
    assert path.endswith(".html") and open(path, "rb").read() == b"<p>hello</p>"
    assert sent == {"GetObject": 1}
    # Gone from the bucket behind the cache's back: still served, so it really came off disk.
    s3_client.delete_object(Bucket=s3_bucket, Key="c/v1/index.html")
    assert cache.read_bytes("v1/index.html", 100) == b"<p>hello</p>"


def test_a_ranged_read_of_an_uncached_object_fetches_it_once(counted, cache_dir):
    backend, sent = counted
    backend.put_bytes("media/clip.mp4", bytes(range(256)) * 40)
    cache = ReadThroughCache(backend, cache_dir)
    sent.clear()
    with cache.open("media/clip.mp4", start=256, end=511) as reader:
        assert reader.read() == bytes(range(256))
    with cache.open("media/clip.mp4", start=10_000) as reader:
        assert reader.read() == bytes(range(256))[16:]
    assert sent == {"GetObject": 1}


def test_missing_objects_are_not_cached(counted, cache_dir):
    backend, sent = counted
    cache = ReadThroughCache(backend, cache_dir)
    with pytest.raises(NotFound):
        cache.open("nope.html")
    with pytest.raises(NotFound):
        cache.local_path("nope.html")
    assert cached_files(cache_dir) == []
    backend.put_bytes("nope.html", b"now here")
    assert cache.read_bytes("nope.html", 100) == b"now here"


def test_least_recently_used_objects_are_evicted_over_max_bytes(counted, cache_dir):
    backend, sent = counted
    for name in "abcd":
        backend.put_bytes(f"{name}.bin", name.encode() * KB)
    cache = ReadThroughCache(backend, cache_dir, max_bytes=3 * KB, max_object_bytes=3 * KB)
    for name in "abca":  # a is used again, so b is now the least recently used
        cache.read_bytes(f"{name}.bin", KB)
    cache.read_bytes("d.bin", KB)
    assert len(cached_files(cache_dir)) == 3
    assert sum(os.path.getsize(os.path.join(root, f)) for root, _d, files in os.walk(cache_dir)
               for f in files if not f.endswith("~meta")) <= 3 * KB
    sent.clear()
    for name in "acd":
        assert cache.read_bytes(f"{name}.bin", KB) == name.encode() * KB
    assert sent == {}
    assert cache.read_bytes("b.bin", KB) == b"b" * KB
    assert sent == {"GetObject": 1}


def test_objects_over_max_object_bytes_stream_uncached(counted, cache_dir):
    backend, sent = counted
    backend.put_bytes("huge.bin", b"h" * 2 * KB)
    cache = ReadThroughCache(backend, cache_dir, max_bytes=10 * KB, max_object_bytes=KB)
    sent.clear()
    assert cache.read_bytes("huge.bin", 2 * KB) == b"h" * 2 * KB
    with cache.open("huge.bin", start=KB) as reader:
        assert reader.read() == b"h" * KB
    assert cache.local_path("huge.bin") is None
    assert cached_files(cache_dir) == []
    assert sent["GetObject"] >= 2


def test_a_new_instance_reuses_the_folder(counted, cache_dir, s3_server, s3_bucket):
    backend, _sent = counted
    original = backend.put_bytes("keep/page.html", b"kept", content_type="text/html; charset=utf-8")
    ReadThroughCache(backend, cache_dir).read_bytes("keep/page.html", 100)
    client, sent = counting_client(s3_server)
    restarted = ReadThroughCache(S3Storage(s3_bucket, "c", client=client), cache_dir)
    assert restarted.read_bytes("keep/page.html", 100) == b"kept"
    assert restarted.stat("keep/page.html") == original
    assert sent == {}


def test_a_folder_over_budget_is_trimmed_oldest_first_on_start(counted, cache_dir):
    backend, _sent = counted
    first = ReadThroughCache(backend, cache_dir)
    paths = {}
    for n, name in enumerate("zxy"):
        backend.put_bytes(f"{name}.txt", name.encode() * KB)
        paths[name] = first.local_path(f"{name}.txt")
    for n, name in enumerate("xyz"):
        os.utime(paths[name], (1_000_000 + n, 1_000_000 + n))  # used in the order x, y, z
    ReadThroughCache(backend, cache_dir, max_bytes=2 * KB)
    assert cached_files(cache_dir) == sorted(os.path.basename(paths[name]) for name in "yz")


def test_writes_through_the_cache_invalidate_it(counted, cache_dir):
    backend, sent = counted
    cache = ReadThroughCache(backend, cache_dir)
    cache.put_bytes("v/a.js", b"one")
    assert cache.read_bytes("v/a.js", 10) == b"one"
    cache.put_bytes("v/a.js", b"two")
    assert cache.read_bytes("v/a.js", 10) == b"two"
    cache.delete("v/a.js")
    with pytest.raises(NotFound):
        cache.read_bytes("v/a.js", 10)
    assert cached_files(cache_dir) == []


def test_delete_prefix_invalidates_what_another_instance_cached(counted, cache_dir):
    backend, _sent = counted
    for key in ["p/1/a.html", "p/1/b.html", "p/2/a.html"]:
        backend.put_bytes(key, key.encode())
    reader_process = ReadThroughCache(backend, cache_dir)
    for key in ["p/1/a.html", "p/1/b.html", "p/2/a.html"]:
        reader_process.read_bytes(key, 100)
    writer_process = ReadThroughCache(backend, cache_dir)
    assert writer_process.delete_prefix("p/1/") == 2
    assert len(cached_files(cache_dir)) == 1
    with pytest.raises(NotFound):
        reader_process.read_bytes("p/1/a.html", 100)
    assert reader_process.read_bytes("p/2/a.html", 100) == b"p/2/a.html"


def test_concurrent_readers_share_one_fetch(counted, cache_dir):
    backend, sent = counted
    data = os.urandom(2 * 1024 * 1024)
    backend.put_bytes("shared.bin", data)
    cache = ReadThroughCache(backend, cache_dir)
    sent.clear()
    start = threading.Barrier(8)
    results = []

    def read():
        start.wait()
        results.append(cache.read_bytes("shared.bin", len(data)) == data)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 8
    assert sent == {"GetObject": 1}


def test_a_file_removed_behind_its_back_is_fetched_again(counted, cache_dir):
    backend, sent = counted
    backend.put_bytes("gone.css", b"a{}")
    cache = ReadThroughCache(backend, cache_dir)
    path = cache.local_path("gone.css")
    os.unlink(path)  # what another process's eviction looks like
    sent.clear()
    assert cache.read_bytes("gone.css", 10) == b"a{}"
    assert sent == {"GetObject": 1}
    os.unlink(cache.local_path("gone.css"))
    assert open(cache.local_path("gone.css"), "rb").read() == b"a{}"


def test_a_meta_file_of_another_version_is_not_trusted(counted, cache_dir):
    backend, sent = counted
    backend.put_bytes("m.txt", b"12345")
    cache = ReadThroughCache(backend, cache_dir)
    path = cache.local_path("m.txt")
    with open(path, "wb") as f:
        f.write(b"123")  # torn: the data no longer matches the recorded size
    restarted = ReadThroughCache(backend, cache_dir)
    sent.clear()
    assert restarted.read_bytes("m.txt", 10) == b"12345"
    assert sent == {"GetObject": 1}


def test_an_unusable_cache_folder_still_serves_from_the_backend(counted, cache_dir):
    backend, _sent = counted
    backend.put_bytes("x/blocked.html", b"still served")
    cache = ReadThroughCache(backend, cache_dir)
    probe = cache.local_path("x/blocked.html")
    subfolder = os.path.dirname(probe)
    cache.delete("x/blocked.html")
    backend.put_bytes("x/blocked.html", b"still served")
    os.rmdir(subfolder)
    with open(subfolder, "w"):  # a file where the cache wants a folder: every write there fails
        pass
    assert cache.read_bytes("x/blocked.html", 100) == b"still served"
    assert cache.local_path("x/blocked.html") is None


class PausingBackend(LocalStorage):
    """A real LocalStorage whose reads wait for a signal after they start: a slow fetch, on cue."""

    def __init__(self, root: str):
        super().__init__(root)
        self.reading = threading.Event()
        self.resume = threading.Event()

    def open(self, key, *, start=None, end=None):
        inner = super().open(key, start=start, end=end)

        def chunks():
            self.reading.set()
            self.resume.wait(10)
            yield from inner

        return ObjectReader(chunks(), length=inner.length, object=inner.object, on_close=inner.close)


def test_a_write_during_a_fetch_keeps_the_old_bytes_out_of_the_cache(tmp_path, cache_dir):
    backend = PausingBackend(str(tmp_path / "backend"))
    backend.put_bytes("v.js", b"old")
    backend.resume.set()
    cache = ReadThroughCache(backend, cache_dir)
    backend.resume.clear()
    slow_read = []
    reader = threading.Thread(target=lambda: slow_read.append(cache.read_bytes("v.js", 10)))
    reader.start()
    assert backend.reading.wait(10)
    cache.put_bytes("v.js", b"new")
    backend.resume.set()
    reader.join()
    assert slow_read in ([b"old"], [b"new"])  # it asked before the write, and got one whole version
    assert cache.read_bytes("v.js", 10) == b"new"
