"""inspect_package: zip checks and manifest parse together, errors of both raised at once."""
from __future__ import annotations

import pytest

from scormproxy.packages import PackageError, ZipLimits, inspect_package, inspect_zip, open_package_zip

from .manifests import manifest, manifest_2004
from .zipbuilder import build_zip, patch_entry


def test_a_good_package_is_inspected_without_inflating_its_content(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest(), "index.html": "<p>hi</p>",
                                          "big.bin": bytes(range(256)) * 4096})
    patch_entry(path, "big.bin", crc=0)  # a bad CRC inspect must not notice: it does not inflate content
    inspected = inspect_package(path, ZipLimits())
    assert inspected.manifest.version == "1.2" and inspected.findings == []
    assert [e.path for e in inspected.entries] == ["imsmanifest.xml", "index.html", "big.bin"]
    with open_package_zip(path, ZipLimits()) as package:
        inspect_zip(package)
        with pytest.raises(PackageError) as caught:
            package.verify()
        assert caught.value.codes == ["zip.bad_crc"]


def test_zip_warnings_travel_with_manifest_errors(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"IMSMANIFEST.XML": manifest()})  # index.html is missing
    with pytest.raises(PackageError) as caught:
        inspect_package(path, ZipLimits())
    assert caught.value.codes == ["manifest.launch_missing"]
    assert {"manifest.launch_missing", "zip.manifest_case"} <= {f.code for f in caught.value.findings}
    assert caught.value.errors[0].location.startswith("IMSMANIFEST.XML:")


def test_zip_errors_stop_before_the_manifest(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": b"<broken", "../x.html": "x"})
    with pytest.raises(PackageError) as caught:
        inspect_package(path, ZipLimits())
    assert caught.value.codes == ["zip.path_traversal"]


def test_the_manifest_size_limit(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest(), "index.html": "x"})
    with pytest.raises(PackageError) as caught:
        inspect_package(path, ZipLimits(manifest_max_bytes=100))
    assert caught.value.codes == ["zip.file_too_large"]


def test_metadata_files_are_read_from_the_zip(tmp_path):
    lom = (b'<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title><string>Zipped Title</string></title>'
           b'<description><string>Zipped description</string></description></general></lom>')
    document = manifest_2004(metadata="<adlcp:location>meta.xml</adlcp:location>")
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": document, "index.html": "x", "meta.xml": lom})
    manifest_ = inspect_package(path, ZipLimits()).manifest
    assert (manifest_.title, manifest_.description) == ("Zipped Title", "Zipped description")


def test_remote_content_needs_allow_remote(tmp_path):
    document = manifest(resources='<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" '
                                  'href="https://vendor.example/play"/>')
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": document})
    with pytest.raises(PackageError) as caught:
        inspect_package(path, ZipLimits())
    assert caught.value.codes == ["manifest.remote_href"]
    inspected = inspect_package(path, ZipLimits(), allow_remote=True)
    assert inspected.manifest.launchable_items()[0].launch_href == "https://vendor.example/play"


def test_package_errors_serialise_for_the_api(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"index.html": "x"})
    with pytest.raises(PackageError) as caught:
        inspect_package(path, ZipLimits())
    body = caught.value.to_json()
    assert body["error"]["code"] == "zip.manifest_missing"
    assert body["error"]["findings"] == [{"severity": "error", "code": "zip.manifest_missing",
                                          "message": "no imsmanifest.xml at the root of the zip",
                                          "location": "p.zip"}]
