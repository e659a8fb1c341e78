"""LocalStorage beyond the shared contract: the files on disk, temp files, folders, ETags."""
from __future__ import annotations

import errno
import os

import pytest

from storage import LocalStorage, NotFound

from .streams import Boom, FailingStream


def all_files(root: str) -> list[str]:
    return sorted(os.path.relpath(os.path.join(folder, name), root)
                  for folder, _dirs, files in os.walk(root) for name in files)


def test_objects_are_plain_files_under_the_root(tmp_path):
    storage = LocalStorage(str(tmp_path / "made" / "on demand"))
    storage.put_bytes("course/v1/index.html", b"<html>")
    path = tmp_path / "made" / "on demand" / "course" / "v1" / "index.html"
    assert path.read_bytes() == b"<html>"
    assert storage.local_path("course/v1/index.html") == str(path)
    assert os.path.isabs(storage.local_path("course/v1/index.html"))


def test_etag_changes_on_every_put_even_with_the_same_bytes(local_storage):
    first = local_storage.put_bytes("same.txt", b"identical")
    second = local_storage.put_bytes("same.txt", b"identical")
    assert first.etag != second.etag
    assert local_storage.stat("same.txt").etag == second.etag
    assert local_storage.stat("same.txt").etag == local_storage.stat("same.txt").etag


def test_content_type_is_guessed_from_the_extension(local_storage):
    assert local_storage.put_bytes("a.html", b"x", content_type="application/x-ignored").content_type == "text/html"
    assert local_storage.stat("a.html").content_type == "text/html"
    assert local_storage.stat(local_storage.put_bytes("noext", b"x").key).content_type is None


def test_a_failed_put_leaves_no_temp_file(local_storage):
    with pytest.raises(Boom):
        local_storage.put("deep/er/file.bin", FailingStream(b"x" * 5_000_000))
    assert all_files(local_storage.root) == []


def test_temp_files_left_by_a_crash_are_not_objects(local_storage):
    local_storage.put_bytes("v/real.html", b"x")
    crashed = os.path.join(local_storage.root, "v", ".put-0123456789abcdef.tmp")
    with open(crashed, "wb") as f:
        f.write(b"half")
    assert [o.key for o in local_storage.list("")] == ["v/real.html"]
    assert local_storage.delete_prefix("v/") == 1


def test_folders_are_not_objects(local_storage):
    local_storage.put_bytes("dir/file.txt", b"x")
    with pytest.raises(NotFound):
        local_storage.stat("dir")
    with pytest.raises(NotFound):
        local_storage.open("dir")
    with pytest.raises(NotFound):
        local_storage.local_path("dir")
    local_storage.delete("dir")
    assert local_storage.exists("dir/file.txt")


def test_deleting_removes_folders_left_empty(local_storage):
    for key in ["pkg/1/v1/a.html", "pkg/1/v1/sub/b.js", "pkg/1/v2/a.html", "pkg/2/v1/a.html"]:
        local_storage.put_bytes(key, b"x")
    assert local_storage.delete_prefix("pkg/1/v1/") == 2
    assert not os.path.exists(os.path.join(local_storage.root, "pkg", "1", "v1"))
    local_storage.delete("pkg/1/v2/a.html")
    assert not os.path.exists(os.path.join(local_storage.root, "pkg", "1"))
    assert all_files(local_storage.root) == [os.path.join("pkg", "2", "v1", "a.html")]
    local_storage.delete_prefix("pkg")
    assert os.listdir(local_storage.root) == [] and os.path.isdir(local_storage.root)


def test_put_file_moves_a_file_of_the_same_file_system(tmp_path):
    storage = LocalStorage(str(tmp_path / "store"))
    source = tmp_path / "inflated.bin"
    source.write_bytes(b"course bytes")
    inode = source.stat().st_ino
    storage.put_file("blobs/ab/abc", str(source))
    assert not source.exists()  # moved, not copied
    assert (tmp_path / "store" / "blobs" / "ab" / "abc").stat().st_ino == inode
    assert storage.read_bytes("blobs/ab/abc", 100) == b"course bytes"


def test_put_file_copies_across_file_systems(tmp_path, monkeypatch):
    storage = LocalStorage(str(tmp_path / "store"))
    source = tmp_path / "inflated.bin"
    source.write_bytes(b"course bytes")

    real_replace = os.replace

    def cross_device(src, dst):  # the temp file of the copy is inside the storage: that rename works
        if src == str(source):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)
    monkeypatch.setattr("storage.local.os.replace", cross_device)
    stored = storage.put_file("blobs/ab/abc", str(source))
    assert source.exists()  # copied: the caller's folder cleans it up
    assert stored.size == len(b"course bytes")
    assert storage.read_bytes("blobs/ab/abc", 100) == b"course bytes"
