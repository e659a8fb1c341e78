"""The sandbox's manifest lookup: names, versions and launch files, including from hostile manifests."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scormproxy.sandbox.packages import read_package, scan_packages

NS_12 = ('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
         'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"')
NS_2004 = 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"'


def _zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def _manifest(organizations: str, resources: str = "", ns: str = NS_12, version: str = "1.2",
              root_attrs: str = "") -> str:
    return (f'<?xml version="1.0"?><manifest identifier="m" {ns} {root_attrs}>'
            f"<metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>"
            f"{organizations}<resources>{resources}</resources></manifest>")


SCO = '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"/>'


@pytest.mark.parametrize("organizations, title", [
    ('<organizations default="b"><organization identifier="a"><title>First</title></organization>'
     '<organization identifier="b"><title>  The   default </title></organization></organizations>', "The default"),
    ('<organizations default="zz"><organization identifier="a"><title>Only</title></organization></organizations>',
     "Only"),
    ('<organizations><organization identifier="a"><item identifier="i"><title>Item title</title></item>'
     "</organization></organizations>", "Item title"),
    ("<organizations/>", "course"),
])
def test_title_lookup(tmp_path, organizations, title):
    info = read_package(_zip(tmp_path / "course.zip", {"imsmanifest.xml": _manifest(organizations)}))
    assert info.title == title


@pytest.mark.parametrize("files", [
    {"index.html": "<p>no manifest</p>"},
    {"course/imsmanifest.xml": _manifest('<organizations><organization identifier="o"><title>Nested</title>'
                                         "</organization></organizations>")},
    {"imsmanifest.xml": '<?xml version="1.0"?><manifest><organizations><organization><title>Cut'},
    {"imsmanifest.xml": "<html><title>not a manifest</title></html>"},
])
def test_unusable_manifests_fall_back_to_the_file_stem(tmp_path, files):
    info = read_package(_zip(tmp_path / "fallback-name.zip", files))
    assert (info.title, info.scorm_version, info.launch_href) == ("fallback-name", None, None)


def test_not_a_zip_falls_back(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    assert read_package(tmp_path / "broken.zip").title == "broken"


def test_external_entities_and_dtds_are_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY x SYSTEM "file://{secret}">]>'
           f'<manifest {NS_12}><organizations><organization identifier="o"><title>&x;</title>'
           "</organization></organizations></manifest>")
    laughs = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
              f'<manifest {NS_12}><organizations><organization identifier="o"><title>&c;</title>'
              "</organization></organizations></manifest>")
    for name, manifest in (("xxe", xxe), ("laughs", laughs)):
        info = read_package(_zip(tmp_path / f"{name}.zip", {"imsmanifest.xml": manifest}))
        assert info.title == name


def test_oversized_manifest_is_not_read(tmp_path):
    manifest = _manifest('<organizations><organization identifier="o"><title>Big</title></organization>'
                         "</organizations>") + "<!--" + "x" * 5000 + "-->"
    path = _zip(tmp_path / "big.zip", {"imsmanifest.xml": manifest})
    assert read_package(path, manifest_max_bytes=4096).title == "big"
    assert read_package(path).title == "Big"


def test_versions_and_launch_with_xml_base_and_parameters(tmp_path):
    organizations = ('<organizations default="o"><organization identifier="o"><title>T</title>'
                     '<item identifier="i0"><title>Folder</title>'
                     '<item identifier="i1" identifierref="asset"><title>A</title></item>'
                     '<item identifier="i2" identifierref="r1" parameters="?tc=1"><title>B</title></item>'
                     "</item></organization></organizations>")
    resources = ('<resource identifier="asset" type="webcontent" adlcp:scormType="asset" href="pic.png"/>'
                 '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" xml:base="sco1/" '
                 'href="start.html?lang=en"/>')
    manifest = _manifest(organizations, resources, ns=NS_2004, version="2004 3rd Edition")
    manifest = manifest.replace("<resources>", '<resources xml:base="content/">')
    info = read_package(_zip(tmp_path / "c.zip", {"imsmanifest.xml": manifest}))
    assert (info.scorm_version, info.schemaversion) == ("2004", "2004 3rd Edition")
    assert info.launch_href == "content/sco1/start.html?lang=en&tc=1"


def test_version_from_namespaces_without_schemaversion(tmp_path):
    organizations = '<organizations><organization identifier="o"><item identifier="i" identifierref="r1">' \
                    "<title>x</title></item></organization></organizations>"
    manifest = _manifest(organizations, SCO, version="").replace("<schemaversion></schemaversion>", "")
    info = read_package(_zip(tmp_path / "ns.zip", {"imsmanifest.xml": manifest}))
    assert (info.scorm_version, info.launch_href) == ("1.2", "index.html")


@pytest.mark.parametrize("href", ["../outside.html", "http://example.test/x.html", "/abs.html",
                                  "javascript:alert(1)", "a\\..\\..\\b.html"])
def test_launch_hrefs_that_leave_the_package_are_ignored(tmp_path, href):
    organizations = ('<organizations><organization identifier="o"><item identifier="i" identifierref="r1">'
                     "<title>x</title></item></organization></organizations>")
    resource = f'<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="{href}"/>'
    info = read_package(_zip(tmp_path / "bad.zip", {"imsmanifest.xml": _manifest(organizations, resource)}))
    assert info.launch_href is None


def test_scan_orders_by_file_name_and_ignores_other_files(tmp_path):
    for name in ("b.zip", "a.zip", "C.ZIP"):
        _zip(tmp_path / name, {"x.txt": "x"})
    (tmp_path / "notes.txt").write_text("not a package")
    (tmp_path / "folder.zip").mkdir()
    assert [p.path.name for p in scan_packages(tmp_path)] == ["C.ZIP", "a.zip", "b.zip"]


def test_every_real_world_sample_is_read(samples_dir):
    infos = {info.path.name: info for info in scan_packages(samples_dir)}
    assert len(infos) == len(list(samples_dir.glob("*.zip")))
    for name, info in infos.items():
        if name.startswith("MALFORMED_"):
            assert info.title == Path(name).stem and info.launch_href is None
        else:
            assert info.title != Path(name).stem, name
            assert info.scorm_version == ("1.2" if "SCORM12" in name else "2004"), name
    assert infos["golf_ContentPackagingSingleSCO_SCORM12.zip"].launch_href == "shared/launchpage.html"
