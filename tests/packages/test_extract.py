"""Inflating a package once into a scratch folder: verified, hashed, and nothing left when it fails."""
from __future__ import annotations

import hashlib
import random
import zipfile

import pytest

from scormproxy.packages import PackageError, ZipLimits, open_package_zip
from scormproxy.packages.extract import extract_verified

from .zipbuilder import MINIMAL_MANIFEST, build_zip, build_zip_entries, flip_data_byte

MiB = 1024 * 1024


@pytest.mark.parametrize("threads", [1, 4])
def test_every_file_is_inflated_hashed_and_named_by_position(tmp_path, threads):
    body = random.Random(3).randbytes(3 * MiB)  # several write chunks
    path = build_zip_entries(tmp_path / "p.zip", [("imsmanifest.xml", MINIMAL_MANIFEST), ("media/", b""),
                                                  ("media/clip.mp3", body), ("a/b/page.html", b"<p>x</p>")])
    folder = tmp_path / "files"
    with open_package_zip(path, ZipLimits()) as package:
        files = extract_verified(package, str(folder), threads=threads)
    by_path = {f.entry.path: f for f in files}
    assert set(by_path) == {"imsmanifest.xml", "media/clip.mp3", "a/b/page.html"}
    for name, data in (("imsmanifest.xml", MINIMAL_MANIFEST), ("media/clip.mp3", body), ("a/b/page.html", b"<p>x</p>")):
        extracted = by_path[name]
        assert extracted.sha256 == hashlib.sha256(data).hexdigest()
        with open(extracted.path, "rb") as f:
            assert f.read() == data
    # Flat, named by position in the zip (the folder entry has no file), whatever the entry's name says.
    assert sorted(p.name for p in folder.iterdir()) == ["0", "2", "3"]


@pytest.mark.parametrize("threads", [1, 4])
def test_a_bad_file_refuses_the_package_and_leaves_nothing(tmp_path, threads):
    entries = {f"page{n}.html": "<p>" + "x" * 500 + "</p>" for n in range(8)}
    path = build_zip(tmp_path / "p.zip", entries, with_manifest=True, compression=zipfile.ZIP_STORED)
    flip_data_byte(path, "page5.html", 10)
    folder = tmp_path / "files"
    with open_package_zip(path, ZipLimits()) as package, pytest.raises(PackageError) as caught:
        extract_verified(package, str(folder), threads=threads)
    assert caught.value.codes == ["zip.bad_crc"]
    assert "page5.html" in caught.value.message
    assert not folder.exists()


def test_past_the_package_budget_the_rest_is_not_read(tmp_path):
    files = {f"f{n}.bin": random.Random(n).randbytes(MiB) for n in range(6)}
    path = build_zip(tmp_path / "p.zip", files, with_manifest=True)
    limits = ZipLimits(max_total_bytes=2 * MiB + 512)
    folder = tmp_path / "files"
    with open_package_zip(path, ZipLimits(max_total_bytes=64 * MiB)) as package:
        package.limits = limits  # declared sizes pass; the inflated total does not
        with pytest.raises(PackageError) as caught:
            extract_verified(package, str(folder), threads=2)
        assert package.inflated_bytes < 5 * MiB
    assert set(caught.value.codes) == {"zip.too_large"}  # a file or two in flight when the budget ran out
    assert not folder.exists()
