"""open_storage: STORAGE_URL to backend."""
from __future__ import annotations

import pytest

from storage import LocalStorage, ReadThroughCache, S3Storage, StorageError, open_storage


def test_a_file_url_opens_a_local_folder(tmp_path):
    storage = open_storage(f"file://{tmp_path}/with%20space")
    assert isinstance(storage, LocalStorage)
    assert storage.root == str(tmp_path / "with space")
    storage.put_bytes("a.txt", b"x")
    assert (tmp_path / "with space" / "a.txt").read_bytes() == b"x"


def test_an_s3_url_opens_a_bucket_and_prefix(s3_server, s3_bucket, s3_client):
    storage = open_storage(f"s3://{s3_bucket}/courses/prod/", s3_endpoint_url=s3_server)
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == (s3_bucket, "courses/prod/")
    storage.put_bytes("a.txt", b"via url")
    assert s3_client.get_object(Bucket=s3_bucket, Key="courses/prod/a.txt")["Body"].read() == b"via url"


def test_an_s3_url_with_a_cache_dir_is_cached(s3_server, s3_bucket, tmp_path):
    storage = open_storage(f"s3://{s3_bucket}", s3_endpoint_url=s3_server, cache_dir=str(tmp_path / "c"),
                           cache_max_bytes=1024 * 1024, s3_options={"max_attempts": 1})
    assert isinstance(storage, ReadThroughCache) and isinstance(storage.backend, S3Storage)
    assert storage.max_bytes == 1024 * 1024 and storage.backend.prefix == ""
    storage.put_bytes("k.html", b"cached")
    assert open(storage.local_path("k.html"), "rb").read() == b"cached"


@pytest.mark.parametrize("url", ["", "/abs/dir", "file://relative/dir", "file:relative", "file://host/x",
                                 "s3://", "s3:///prefix", "http://example.test/x", "gs://bucket/x",
                                 "s3://bucket/x?versioning=1"])
def test_other_urls_are_refused_clearly(url):
    with pytest.raises(StorageError) as info:
        open_storage(url)
    assert "STORAGE_URL" in str(info.value)
