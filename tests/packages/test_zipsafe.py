"""Zip safety: every hostile archive of DESIGN.md refused with a specific code naming the entry."""
from __future__ import annotations

import hashlib
import io
import random
import zipfile

import pytest

from scormproxy.config import Settings
from scormproxy.packages import PackageError, ZipLimits, open_package_zip
from scormproxy.packages.zipdirectory import count_central_records

from .zipbuilder import (MINIMAL_MANIFEST, build_zip, build_zip_entries, flip_data_byte, patch_entry,
                         read_entry_field, replace_bytes)

MiB = 1024 * 1024
SMALL = ZipLimits(max_entries=10, max_file_bytes=2 * MiB, max_total_bytes=3 * MiB, max_ratio=50,
                  manifest_max_bytes=64 * 1024, ratio_min_bytes=64 * 1024)


def refusal(path, limits=SMALL) -> PackageError:
    with pytest.raises(PackageError) as caught:
        with open_package_zip(path, limits):
            pass
    return caught.value


def test_a_good_package_opens_and_lists_normalised_entries(tmp_path):
    path = build_zip_entries(tmp_path / "p.zip", [("imsmanifest.xml", MINIMAL_MANIFEST), ("css/", b""),
                                                  ("css/site.css", "body{}"), ("index.html", "<p>hi</p>")])
    with open_package_zip(path, SMALL) as package:
        assert [(e.path, e.is_dir) for e in package.entries] == [
            ("imsmanifest.xml", False), ("css", True), ("css/site.css", False), ("index.html", False)]
        assert package.files == {"imsmanifest.xml", "css/site.css", "index.html"}
        assert package.manifest_path == "imsmanifest.xml"
        assert package.findings == []
        assert package.read("index.html", 100) == b"<p>hi</p>"


@pytest.mark.parametrize("name, code", [
    ("../evil.html", "zip.path_traversal"),
    ("a/../../evil.html", "zip.path_traversal"),
    ("/etc/passwd", "zip.absolute_path"),
    ("C:/Windows/evil.dll", "zip.absolute_path"),
    ("a\\b.html", "zip.backslash_path"),
    ("..\\..\\evil.html", "zip.path_traversal"),
    ("a//b.html", "zip.bad_name"),
    ("./a.html", "zip.bad_name"),
    ("bad\x07name.html", "zip.bad_name"),
])
def test_hostile_names_are_refused_naming_the_entry(tmp_path, name, code):
    path = build_zip(tmp_path / "p.zip", {name: "x"}, with_manifest=True)
    error = refusal(path)
    assert code in error.codes
    finding = next(f for f in error.errors if f.code == code)
    assert finding.location.replace("\\x07", "\x07") == name
    assert error.http_status == 422


def test_a_nul_byte_in_a_name_is_seen_although_zipfile_cuts_it(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"evil.htmlXjpg": "x"}, with_manifest=True)
    replace_bytes(path, b"evil.htmlXjpg", b"evil.html\x00jpg")
    assert "zip.bad_name" in refusal(path).codes


def test_every_problem_is_reported_at_once(tmp_path):
    path = build_zip_entries(tmp_path / "p.zip", [("../a", "x"), ("/b", "x"), ("link", "target")],
                             symlinks=("link",))
    codes = refusal(path).codes
    assert {"zip.path_traversal", "zip.absolute_path", "zip.symlink", "zip.manifest_missing"} <= set(codes)


def test_symlinks_are_refused(tmp_path):
    path = build_zip_entries(tmp_path / "p.zip", [("imsmanifest.xml", MINIMAL_MANIFEST),
                                                  ("shared", "/etc")], symlinks=("shared",))
    error = refusal(path)
    assert error.codes == ["zip.symlink"] and error.errors[0].location == "shared"


def test_encrypted_entries_are_refused(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"secret.html": "x"}, with_manifest=True)
    patch_entry(path, "secret.html", local=True, flag_bits=read_entry_field(path, "secret.html", "flag_bits") | 1)
    assert refusal(path).codes == ["zip.encrypted"]


def test_duplicate_names_are_refused_and_case_twins_warned(tmp_path):
    path = build_zip_entries(tmp_path / "p.zip", [("imsmanifest.xml", MINIMAL_MANIFEST), ("a.html", "1"),
                                                  ("a.html", "2")])
    assert refusal(path).codes == ["zip.duplicate_name"]
    twins = build_zip_entries(tmp_path / "t.zip", [("imsmanifest.xml", MINIMAL_MANIFEST), ("A.html", "1"),
                                                   ("a.html", "2")])
    with open_package_zip(twins, SMALL) as package:
        assert [f.code for f in package.findings] == ["zip.duplicate_name_case"]


def test_a_file_cannot_also_be_a_folder(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"a": "file", "a/b.html": "x"}, with_manifest=True)
    assert refusal(path).codes == ["zip.path_conflict"]


def test_too_many_entries_is_refused_before_zipfile_loads_them(tmp_path):
    path = build_zip(tmp_path / "p.zip", {f"f{i}.txt": "x" for i in range(11)}, with_manifest=True)
    error = refusal(path)
    assert error.codes == ["zip.too_many_entries"]
    with open(path, "rb") as fp:
        assert count_central_records(fp, stop_after=5) == 6  # the walk stops just past the limit
        assert count_central_records(fp, stop_after=100) == 12


def test_entry_count_is_counted_on_records_not_on_the_declared_total(tmp_path):
    path = build_zip(tmp_path / "p.zip", {f"f{i}.txt": "x" for i in range(11)}, with_manifest=True)
    data = bytearray(path.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    data[eocd + 8:eocd + 12] = (1).to_bytes(2, "little") * 2  # claim a single entry
    path.write_bytes(bytes(data))
    assert "zip.too_many_entries" in refusal(path).codes


def test_declared_sizes_over_the_limits_are_refused_before_inflating(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"big.bin": bytes(3 * MiB)}, with_manifest=True)
    assert "zip.file_too_large" in refusal(path).codes
    total = build_zip(tmp_path / "t.zip", {"a.bin": bytes(MiB + 1), "b.bin": bytes(MiB + 1),
                                           "c.bin": bytes(MiB + 1)}, with_manifest=True)
    assert "zip.too_large" in refusal(total, ZipLimits(max_file_bytes=2 * MiB, max_total_bytes=3 * MiB,
                                                       max_ratio=5000)).codes


def test_a_highly_compressible_bomb_is_refused_on_its_ratio(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"bomb.bin": bytes(MiB)}, with_manifest=True)
    assert refusal(path).codes == ["zip.ratio_exceeded"]
    # Small files may compress very well: below ratio_min_bytes the ratio is not judged.
    small = build_zip(tmp_path / "s.zip", {"blank.bin": bytes(32 * 1024)}, with_manifest=True)
    with open_package_zip(small, SMALL) as package:
        assert package.read("blank.bin", 64 * 1024) == bytes(32 * 1024)


def test_a_header_that_understates_the_size_is_caught_on_inflated_bytes(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"bomb.bin": bytes(8 * MiB)}, with_manifest=True)
    patch_entry(path, "bomb.bin", local=True, file_size=100)  # passes every declared-size check
    with open_package_zip(path, ZipLimits()) as package:
        assert package.entry("bomb.bin").size == 100
        with pytest.raises(PackageError) as caught:
            package.open("bomb.bin").read()
        assert caught.value.codes == ["zip.size_mismatch"]
        assert package.inflated_bytes <= 101  # inflation stopped just past the declared size
        with pytest.raises(PackageError) as caught:
            package.verify()
        assert "zip.size_mismatch" in caught.value.codes


def test_a_header_that_overstates_the_size_is_caught_at_the_end(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"page.html": "x" * 1000}, with_manifest=True)
    patch_entry(path, "page.html", local=True, file_size=5000)
    with open_package_zip(path, SMALL) as package, pytest.raises(PackageError) as caught:
        package.open("page.html").read()
    assert caught.value.codes == ["zip.size_mismatch"]


def test_reading_a_file_again_does_not_count_twice_toward_the_total(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"f.bin": bytes(range(256)) * 4096}, with_manifest=True)
    with open_package_zip(path, ZipLimits(max_ratio=1000)) as package:
        for _ in range(3):
            assert len(package.open("f.bin").read()) == MiB
        assert package.inflated_bytes == MiB
        package.verify()
        assert package.inflated_bytes == MiB + len(MINIMAL_MANIFEST)


@pytest.mark.parametrize("how", ["crc_field", "stored_data"])
def test_a_bad_crc_is_refused_naming_the_entry(tmp_path, how):
    path = build_zip(tmp_path / "p.zip", {"page.html": "<p>" + "x" * 500 + "</p>"}, with_manifest=True,
                     compression=zipfile.ZIP_STORED)
    if how == "crc_field":
        patch_entry(path, "page.html", crc=read_entry_field(path, "page.html", "crc") ^ 0xFFFF)
    else:
        flip_data_byte(path, "page.html", 10)
    with open_package_zip(path, SMALL) as package:
        with pytest.raises(PackageError) as caught:
            package.open("page.html").read()
        assert caught.value.codes == ["zip.bad_crc"]
        assert "page.html" in caught.value.message
        with pytest.raises(PackageError) as caught:
            package.verify()
        assert caught.value.codes == ["zip.bad_crc"]


def test_corrupt_deflate_data_is_a_package_error(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"page.html": bytes(range(256)) * 40}, with_manifest=True)
    for index in range(0, 40, 3):
        flip_data_byte(path, "page.html", index)
    with open_package_zip(path, SMALL) as package, pytest.raises(PackageError) as caught:
        package.verify()
    assert caught.value.codes[0] in {"zip.corrupt", "zip.bad_crc", "zip.size_mismatch"}


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + bytes(40), b"PK\x05\x06" + bytes(10)])
def test_not_a_zip(tmp_path, content):
    path = tmp_path / "p.zip"
    path.write_bytes(content)
    assert refusal(path).codes == ["zip.not_a_zip"]


def test_a_truncated_zip_is_not_a_zip(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"a.html": "x" * 100}, with_manifest=True)
    path.write_bytes(path.read_bytes()[:-30])
    assert refusal(path).codes == ["zip.not_a_zip"]


def test_manifest_missing_or_in_a_subfolder(tmp_path):
    empty = tmp_path / "e.zip"
    empty.write_bytes(b"PK\x05\x06" + bytes(18))  # a valid zip with no entries
    assert refusal(empty).codes == ["zip.manifest_missing"]
    missing = build_zip(tmp_path / "m.zip", {"index.html": "x"})
    assert refusal(missing).codes == ["zip.manifest_missing"]
    nested = build_zip(tmp_path / "n.zip", {"course/imsmanifest.xml": MINIMAL_MANIFEST})
    error = refusal(nested)
    assert error.codes == ["zip.manifest_missing"] and "course/imsmanifest.xml" in error.message


def test_a_manifest_named_in_another_case_is_used_with_a_warning(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"IMSManifest.xml": MINIMAL_MANIFEST})
    with open_package_zip(path, SMALL) as package:
        assert package.manifest_path == "IMSManifest.xml"
        assert [f.code for f in package.findings] == ["zip.manifest_case"]


@pytest.mark.parametrize("method", [99, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_unsupported_compression_is_refused(tmp_path, method):
    path = build_zip(tmp_path / "p.zip", {"a.html": "x"}, with_manifest=True)
    patch_entry(path, "a.html", compress_type=method)
    assert refusal(path).codes == ["zip.unsupported_compression"]


def test_overlapping_entries_are_refused(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"a.html": "x" * 200, "b.html": "y" * 200}, with_manifest=True)
    patch_entry(path, "b.html", header_offset=read_entry_field(path, "a.html", "header_offset"))
    assert "zip.overlapping_entries" in refusal(path).codes


def test_utf8_names_without_the_utf8_flag_are_read_as_utf8(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"café.html": "x"}, with_manifest=True)
    patch_entry(path, "café.html", local=True, flag_bits=read_entry_field(path, "café.html", "flag_bits") & ~0x800)
    with open_package_zip(path, SMALL) as package:
        assert "café.html" in package.files
        assert package.read("café.html", 10) == b"x"


def test_verify_hashes_every_file_in_chunks(tmp_path):
    body = random.Random(7).randbytes(2 * MiB)  # more than one chunk
    path = build_zip(tmp_path / "p.zip", {"big.bin": body, "dir/small.txt": "hello"}, with_manifest=True)
    with open_package_zip(path, ZipLimits()) as package:
        hashes = {entry.path: digest for entry, digest in package.verify()}
    assert hashes == {"imsmanifest.xml": hashlib.sha256(MINIMAL_MANIFEST).hexdigest(),
                      "big.bin": hashlib.sha256(body).hexdigest(),
                      "dir/small.txt": hashlib.sha256(b"hello").hexdigest()}


def test_read_refuses_files_over_its_own_limit_and_unknown_paths(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"a.html": "x" * 100}, with_manifest=True)
    with open_package_zip(path, SMALL) as package:
        with pytest.raises(PackageError) as caught:
            package.read("a.html", 99)
        assert caught.value.codes == ["zip.file_too_large"]
        with pytest.raises(PackageError) as caught:
            package.open("nope.html")
        assert caught.value.codes == ["zip.no_such_file"]


def test_streams_are_binary_files(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"a.txt": "line1\nline2\n"}, with_manifest=True)
    with open_package_zip(path, SMALL) as package, package.open("a.txt") as stream:
        assert isinstance(stream, io.BufferedIOBase)
        assert stream.readline() == b"line1\n" and stream.read() == b"line2\n"


def test_packages_are_opened_from_files_only():
    with pytest.raises(TypeError):
        open_package_zip(io.BytesIO(b"PK"), SMALL)  # type: ignore[arg-type]


def test_limits_come_from_settings():
    settings = Settings(zip_max_entries=5, zip_max_file_bytes=6, zip_max_total_bytes=7, zip_max_ratio=8,
                        manifest_max_bytes=9)
    assert ZipLimits.from_settings(settings) == ZipLimits(5, 6, 7, 8, 9)
