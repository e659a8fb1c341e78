"""build_report on packages built from literals: one per finding kind, and the report's shape."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from scormproxy.audit import build_report, report_has_errors
from scormproxy.packages import ZipLimits

from .builders import PAGE, SCO_ITEM, SCO_RESOURCE, build_package, build_zip, manifest


def findings(report: dict, code: str) -> list[dict]:
    return [f for f in report["findings"] if f["code"] == code]


def only(report: dict, code: str) -> dict:
    (found,) = findings(report, code)
    return found


def test_clean_package_identity_tree_and_inventory(tmp_path):
    items = ('<item identifier="i1" identifierref="r1" parameters="?page=2"><title>Lesson</title>'
             '<adlcp:masteryscore>80</adlcp:masteryscore><adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>'
             '<adlcp:timelimitaction>exit,message</adlcp:timelimitaction>'
             '<adlcp:datafromlms>level=3</adlcp:datafromlms></item>')
    path = build_package(tmp_path, {"img/logo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
                                    "index.html": '<html><img src="img/logo.png"></html>'}, items=items,
                         resources=SCO_RESOURCE.replace('<file href="index.html"/>',
                                                        '<file href="index.html"/><file href="img/logo.png"/>'))
    report = build_report(path)
    assert report["report_version"] == 1 and report["findings"] == [] and not report_has_errors(report)
    assert (report["identifier"], report["title"], report["scorm_version"], report["scorm_edition"]) == \
        ("pkg", "Course", "1.2", None)
    package = report["package"]
    assert package["size"] == path.stat().st_size
    assert package["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (package["file_count"], package["manifest_path"]) == (3, "imsmanifest.xml")
    item = report["organizations"][0]["items"][0]
    assert (item["kind"], item["launch"], item["mastery_score"], item["max_time_allowed"],
            item["time_limit_action"], item["data_from_lms"]) == \
        ("sco", "index.html?page=2", 80.0, "00:30:00", "exit,message", "level=3")
    assert report["scos"] == [{"identifier": "i1", "title": "Lesson", "href": "index.html?page=2", "resource": "r1"}]
    assert report["launch_files"] == ["index.html"]
    files = {f["path"]: f for f in report["files"]}
    assert files["img/logo.png"]["media_type"] == "image/png"
    assert files["index.html"]["sha256"] == hashlib.sha256(b'<html><img src="img/logo.png"></html>').hexdigest()
    assert all(f["referenced"] for f in files.values())


@pytest.mark.parametrize("name, content", [
    ("not a zip", b"this is plain text, not a zip"),
    ("empty file", b""),
])
def test_unreadable_packages_become_error_findings_with_identity(tmp_path, name, content):
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    report = build_report(path)
    assert report_has_errors(report) and report["summary"]["passed"] is False
    assert only(report, "zip.not_a_zip")["severity"] == "error"
    assert report["package"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert report["package"]["size"] == len(content)


def test_missing_file_is_reported_not_raised(tmp_path):
    report = build_report(tmp_path / "absent.zip")
    assert only(report, "package.unreadable")["severity"] == "error"


def test_manifest_problems_come_from_the_parser(tmp_path):
    resources = SCO_RESOURCE + SCO_RESOURCE  # the same resource identifier twice
    report = build_report(build_package(tmp_path, resources=resources))
    assert only(report, "manifest.duplicate_identifier")["severity"] == "error"
    assert report["title"] is None  # an unusable manifest leaves no identity but the zip's
    assert report["package"]["file_count"] == 2 and report["files"][0]["sha256"]


def test_launch_file_missing(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest()})
    report = build_report(path)
    assert only(report, "manifest.launch_missing")["severity"] == "error"
    assert report["missing_files"] == [{"path": "index.html", "referenced_by": "resource 'r1'"}]


def test_listed_but_absent_and_present_but_unreferenced(tmp_path):
    resources = SCO_RESOURCE.replace('<file href="index.html"/>',
                                     '<file href="index.html"/><file href="gone/a.js"/><file href="gone/b.js"/>')
    path = build_package(tmp_path, {"leftover/draft.docx": b"PK old draft", "notes.txt": "scratch"},
                         resources=resources)
    report = build_report(path)
    assert only(report, "manifest.file_missing")["severity"] == "warning"
    assert [m["path"] for m in report["missing_files"]] == ["gone/a.js", "gone/b.js"]
    unreferenced = sorted(f["location"] for f in findings(report, "files.unreferenced"))
    assert unreferenced == ["leftover/draft.docx", "notes.txt"]
    assert {f["path"]: f["referenced"] for f in report["files"]}["notes.txt"] is False


def test_files_named_only_by_content_count_as_referenced(tmp_path):
    page = '<script src="js/app.js"></script>'
    app = 'loadImage("media/Photo 1.jpg"); fetch("data/" + "x.json");'
    path = build_package(tmp_path, {"index.html": page, "js/app.js": app, "media/Photo 1.jpg": b"\xff\xd8",
                                    "data/x.json": "{}"})
    report = build_report(path)
    assert findings(report, "files.unreferenced") == []


def test_page_loading_a_missing_file(tmp_path):
    page = '<html>\n<script src="js/API.js"></script>\n<img src="missing.png"></html>'
    report = build_report(build_package(tmp_path, {"index.html": page, "js/api.js": "var x;"}))
    found = only(report, "files.missing_referenced")
    assert (found["severity"], found["location"]) == ("warning", "index.html:2")
    assert found["message"].startswith("2 file(s)") and "'js/api.js' differs only in case" in found["message"]
    assert {"path": "missing.png", "referenced_by": "index.html:3"} in report["missing_files"]


@pytest.mark.parametrize("version, attribute", [("1.2", "adlcp:scormtype"), ("2004 3rd Edition", "adlcp:scormType")])
def test_scorm_type_missing(tmp_path, version, attribute):
    resources = SCO_RESOURCE.replace('adlcp:scormtype="sco" ', "")
    report = build_report(build_package(tmp_path, resources=resources, version=version))
    assert only(report, "manifest.scorm_type_missing")["location"].startswith("imsmanifest.xml:")
    assert report["resources"][0]["scorm_type"] is None


def test_insecure_and_external_references_in_html(tmp_path):
    page = ('<html><head><script src="http://code.example.com/jquery.js"></script>\n'
            '<link rel="stylesheet" href="https://fonts.example.com/f.css"></head></html>')
    report = build_report(build_package(tmp_path, {"index.html": page}))
    assert (only(report, "content.insecure_reference")["severity"],
            only(report, "content.external_reference")["location"]) == ("warning", "index.html:2")


def test_remote_launch_in_manifest(tmp_path):
    resources = SCO_RESOURCE.replace('href="index.html">', 'href="http://vendor.example.com/course">')
    path = build_package(tmp_path, resources=resources)
    refused = build_report(path)
    assert only(refused, "manifest.remote_href")["severity"] == "error"
    allowed = build_report(path, allow_remote=True)
    assert not report_has_errors(allowed)
    assert only(allowed, "content.insecure_reference")["location"] == "imsmanifest.xml resource 'r1'"


def test_content_reaching_into_the_player(tmp_path):
    script = "function exit() {\n  window.parent.document.getElementById('x');\n  top.location = 'bye.html';\n}"
    report = build_report(build_package(tmp_path, {"index.html": '<script src="api.js"></script>',
                                                   "api.js": script}))
    assert only(report, "content.parent_document_access")["location"] == "api.js:2"
    assert only(report, "content.top_navigation")["location"] == "api.js:3"


def test_plugin_content(tmp_path):
    page = '<object type="application/x-shockwave-flash" data="movie.swf"></object>\n<applet code="A.class">'
    report = build_report(build_package(tmp_path, {"index.html": page, "movie.swf": b"FWS\x09",
                                                   "lib/old.jar": b"PK\x03\x04", "media/clip.flv": b"FLV"}))
    flash = {f["location"]: f["severity"] for f in findings(report, "content.plugin_flash")}
    assert flash == {"index.html:1": "warning", "movie.swf": "warning", "media/clip.flv": "warning"}
    java = {f["location"] for f in findings(report, "content.plugin_java")}
    assert java == {"index.html:2", "lib/old.jar"}
    assert {f["path"]: f["media_type"] for f in report["files"]}["movie.swf"] == "application/x-shockwave-flash"


def test_oversized_files(tmp_path):
    path = build_package(tmp_path, {"video.mp4": b"\x00" * 2048, "small.png": b"\x00" * 10})
    report = build_report(path, max_file_bytes_warning=1024)
    assert only(report, "files.oversized")["location"] == "video.mp4"
    assert findings(build_report(path), "files.oversized") == []


@pytest.mark.parametrize("version, tag, limit", [
    ("1.2", "adlcp:datafromlms", 4096),
    ("2004 4th Edition", "adlcp:dataFromLMS", 4000),
])
def test_launch_data_over_the_run_time_limit(tmp_path, version, tag, limit):
    def report_with(length: int) -> dict:
        items = f'<item identifier="i1" identifierref="r1"><title>L</title><{tag}>{"d" * length}</{tag}></item>'
        return build_report(build_package(tmp_path, items=items, version=version, name=f"p{length}.zip"))

    assert findings(report_with(limit), "limits.launch_data_too_long") == []
    found = only(report_with(limit + 1), "limits.launch_data_too_long")
    assert found["severity"] == "warning" and str(limit) in found["message"]


def test_long_titles_and_bad_time_spans(tmp_path):
    items = (f'<item identifier="i1" identifierref="r1"><title>{"T" * 201}</title>'
             '<adlcp:maxtimeallowed>30 minutes</adlcp:maxtimeallowed></item>')
    report = build_report(build_package(tmp_path, items=items))
    assert only(report, "limits.title_too_long")["severity"] == "info"
    assert only(report, "manifest.max_time_allowed_invalid")["severity"] == "warning"


def test_tracking_expected_of_an_asset_12(tmp_path):
    items = ('<item identifier="i1" identifierref="r1"><title>Quiz</title>'
             '<adlcp:masteryscore>75</adlcp:masteryscore></item>')
    resources = SCO_RESOURCE.replace('scormtype="sco"', 'scormtype="asset"')
    found = only(build_report(build_package(tmp_path, items=items, resources=resources)), "manifest.tracking_on_asset")
    assert "masteryscore" in found["message"] and found["location"] == "imsmanifest.xml item 'i1'"


def test_tracking_expected_of_an_asset_2004(tmp_path):
    items = ('<item identifier="i1" identifierref="r1"><title>Quiz</title><imsss:sequencing><imsss:objectives>'
             '<imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">'
             '<imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure></imsss:primaryObjective>'
             '</imsss:objectives></imsss:sequencing></item>')
    resources = SCO_RESOURCE.replace('scormtype="sco"', 'scormtype="asset"')
    path = build_package(tmp_path, items=items, resources=resources, version="2004 3rd Edition")
    report = build_report(path)
    assert "satisfied by measure" in only(report, "manifest.tracking_on_asset")["message"]
    assert report["sequencing"]["present"] and report["sequencing"]["objectives"] == 1
    # The same item on a SCO is what sequencing expects.
    sco = build_package(tmp_path, items=items, version="2004 3rd Edition", name="sco.zip")
    assert findings(build_report(sco), "manifest.tracking_on_asset") == []


def test_default_organization_problem(tmp_path):
    report = build_report(build_package(tmp_path, default="nope"))
    assert only(report, "manifest.default_organization_missing")["severity"] == "warning"
    assert report["default_organization"] == "nope" and report["organizations"][0]["is_default"] is True


def test_os_metadata_is_one_finding_not_dead_weight(tmp_path):
    path = build_package(tmp_path, {"__MACOSX/._index.html": b"\x00\x05", ".DS_Store": b"\x00\x00\x00\x01Bud1"})
    report = build_report(path)
    assert only(report, "files.os_metadata")["message"].startswith("2 file(s)")
    assert findings(report, "files.unreferenced") == []


def test_scan_limit(tmp_path):
    script = "x" * 5000 + "\nparent.document.title = 'x';"
    path = build_package(tmp_path, {"index.html": '<script src="big.js"></script>', "big.js": script})
    report = build_report(path, scan_max_bytes=1000)
    assert only(report, "content.scan_truncated")["location"] == "big.js"
    assert findings(report, "content.parent_document_access") == []
    assert findings(build_report(path), "content.parent_document_access")


def test_corrupt_entry_keeps_the_rest_of_the_inventory(tmp_path):
    path = build_package(tmp_path, {"a.txt": "A" * 4000})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("a.txt")
    # Flip a byte of a.txt's compressed data: its CRC check fails when inflated.
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    report = build_report(path)
    assert report_has_errors(report)
    assert any(f["location"] == "a.txt" and f["severity"] == "error" for f in report["findings"])
    files = {f["path"]: f["sha256"] for f in report["files"]}
    assert files["a.txt"] is None and files["index.html"] is not None


def test_zip_limits_apply(tmp_path):
    path = build_package(tmp_path, {"many1.txt": "1", "many2.txt": "2"})
    report = build_report(path, ZipLimits(max_entries=2))
    assert only(report, "zip.too_many_entries")["severity"] == "error"


def test_findings_are_ordered_errors_first_then_by_code(tmp_path):
    resources = SCO_RESOURCE.replace('<file href="index.html"/>', '<file href="index.html"/><file href="x.js"/>')
    page = '<a href="http://example.com">x</a>'
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest(resources=resources.replace(
        'href="index.html">', 'href="start.html">')), "index.html": page})
    report = build_report(path)
    order = [(f["severity"], f["code"]) for f in report["findings"]]
    rank = {"error": 0, "warning": 1, "info": 2}
    assert order == sorted(order, key=lambda pair: (rank[pair[0]], pair[1]))
    assert order[0] == ("error", "manifest.launch_missing")
    assert json.loads(json.dumps(report)) == report  # JSON-ready as built


def test_report_is_deterministic_but_for_its_timestamp(tmp_path):
    path = build_package(tmp_path, {"a.js": "top.location = 'x';", "index.html": PAGE})
    first, second = build_report(path), build_report(path)
    first.pop("generated_at"), second.pop("generated_at")
    assert json.dumps(first) == json.dumps(second)


def test_item_tree_kinds(tmp_path):
    items = ('<item identifier="top"><title>Module</title>' + SCO_ITEM +
             '<item identifier="i2" identifierref="r2" isvisible="false"><title>Handout</title></item></item>')
    resources = SCO_RESOURCE + ('<resource identifier="r2" type="webcontent" adlcp:scormtype="asset" '
                                'href="handout.html"><file href="handout.html"/></resource>')
    report = build_report(build_package(tmp_path, {"handout.html": PAGE}, items=items, resources=resources))
    (module,) = report["organizations"][0]["items"]
    assert module["kind"] == "container"
    assert [(c["identifier"], c["kind"], c["is_visible"]) for c in module["children"]] == \
        [("i1", "sco", True), ("i2", "asset", False)]
    assert [a["identifier"] for a in report["assets"]] == ["i2"]
    assert report["launch_files"] == ["handout.html", "index.html"]


def test_accepts_a_plain_string_path(tmp_path):
    path: Path = build_package(tmp_path)
    assert build_report(str(path))["package"]["file_name"] == "package.zip"
