"""The audit of every package in the shared real-world corpus gives what CATALOG.md says about it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from scormproxy.audit import build_report, report_has_errors

# Per package, beyond CATALOG.md's table: findings that must be there ((severity, code, location
# substring or "")) and codes that must not. `errors` is what the exit code says.
EXPECTATIONS = {
    "MALFORMED_moodle_badscorm_manifest_in_subdir.zip": dict(
        errors=True, present=[("error", "zip.manifest_missing", "")], message="badscorm/imsmanifest.xml"),
    "MALFORMED_moodle_invalid_no_manifest.zip": dict(
        errors=True, present=[("error", "zip.manifest_missing", "")]),
    "MALFORMED_moodle_validscorm_truncated_manifest.zip": dict(
        errors=True, present=[("error", "xml.malformed", "imsmanifest.xml")]),
    # ADL CTS: the Java logging applet is referenced by the manifest but not shipped.
    **{f"adl_cts_LMSTestPackage_{name}_SCORM20044thEdition.zip": dict(
        errors=False, missing="common/LMSTest.jar",
        present=[("warning", "manifest.file_missing", ""), ("warning", "content.plugin_java", ".htm")])
       for name in ("API", "CM-01", "OB-01a", "RU-01aa")},
    "authoring_adapt_framework_SCORM12.zip": dict(
        errors=False, launch=["index_lms.html"],
        present=[("warning", "content.plugin_flash", "flashmediaelement.swf"),
                 ("warning", "content.plugin_silverlight", "silverlightmediaelement.xap")]),
    # The Flash-era Captivate publish: its content is a .swf no browser plays.
    "authoring_captivate_swf_SCORM12.zip": dict(
        errors=False, launch=["multiscreen.html"],
        present=[("warning", "content.plugin_flash", "AC TEST.swf"), ("warning", "manifest.file_missing", "")]),
    # Storyline ships Flash players beside the HTML5 one.
    "authoring_storyline360_SCORM2004_2ndEdition_CAM13.zip": dict(
        errors=False, launch=["index_lms.html"], schemaversion="CAM 1.3",
        present=[("warning", "content.plugin_flash", "story.swf")]),
    "golf_ContentPackagingMetadata_SCORM20043rdEdition.zip": dict(errors=False, launch=["shared/launchpage.html"]),
    "golf_ContentPackagingOneFilePerSCO_SCORM20043rdEdition_assets.zip": dict(
        errors=False, assets=19, launch=["Playing/Par.html", "Playing/Playing.html", "Playing/Scoring.html"]),
    "golf_ContentPackagingSingleSCO_SCORM12.zip": dict(errors=False, launch=["shared/launchpage.html"]),
    "golf_ContentPackagingSingleSCO_SCORM20043rdEdition.zip": dict(errors=False, launch=["shared/launchpage.html"]),
    "golf_RunTimeAdvancedCalls_SCORM20043rdEdition.zip": dict(errors=False, launch=["shared/launchpage.html"]),
    "golf_RuntimeBasicCalls_SCORM20043rdEdition.zip": dict(errors=False, launch=["shared/launchpage.html"]),
    "golf_RuntimeMinimumCalls_SCORM12_multisco.zip": dict(errors=False),
    "golf_SequencingForcedSequential_SCORM20043rdEdition.zip": dict(errors=False, rules=True),
    # This one loads jQuery from a CDN over plain http.
    "golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip": dict(
        errors=False, rules=True, present=[("warning", "content.insecure_reference", "shared/launchpage.html")]),
    "golf_SequencingPostTestRollup_SCORM20043rdEdition.zip": dict(errors=False, rules=True),
    # Quirks: organizations/@default names no organization; items with children and a resource.
    "quirky_scormdebugger_complex_SCORM12_nested_items.zip": dict(
        errors=False, launch=["index.html"],
        present=[("warning", "manifest.default_organization_missing", "imsmanifest.xml"),
                 ("warning", "manifest.parent_with_resource", ""), ("info", "files.os_metadata", "__MACOSX/")]),
}
# No package of the corpus should trip these: they would be false alarms.
NEVER = {"manifest.tracking_on_asset", "limits.launch_data_too_long", "files.oversized", "content.scan_truncated",
         "files.missing_referenced"}

_VERSIONS = {"SCORM 1.2": "1.2", "SCORM 2004 2nd Ed.": "2004 2nd Edition", "SCORM 2004 3rd Ed.": "2004 3rd Edition",
             "SCORM 2004 4th Ed.": "2004 4th Edition"}


def catalog_rows(samples_dir: Path) -> dict[str, dict]:
    """CATALOG.md's summary table: version, SCO resources and sequencing per file."""
    rows = {}
    for line in (samples_dir / "CATALOG.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].startswith("`"):
            continue
        version = next((v for k, v in _VERSIONS.items() if cells[1].startswith(k)), None)
        rows[cells[0].strip("`")] = {"version": version, "scos": None if cells[2] == "-" else int(cells[2]),
                                     "sequencing": cells[3].startswith("yes")}
    return rows


_reports: dict[str, dict] = {}


def audit(samples_dir: Path, name: str) -> dict:
    """One audit per package per session: the corpus is 22 MB."""
    if name not in _reports:
        _reports[name] = build_report(samples_dir / name)
    return _reports[name]


def test_every_package_has_expectations(samples_dir):
    zips = {p.name for p in samples_dir.glob("*.zip")}
    assert zips == set(EXPECTATIONS), "a corpus package without expectations (or an expectation without a package)"
    assert zips == set(catalog_rows(samples_dir))


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_package_audit_matches_the_catalog(samples_dir, name):
    expected, row = EXPECTATIONS[name], catalog_rows(samples_dir)[name]
    report = audit(samples_dir, name)
    assert report_has_errors(report) is expected["errors"]
    if expected["errors"]:
        errors = [f for f in report["findings"] if f["severity"] == "error"]
        assert errors and all(f["message"] for f in errors)  # the reason is spelled out
    assert report["scorm_version"] == row["version"]
    if row["scos"] is not None:
        assert sum(r["scorm_type"] == "sco" for r in report["resources"]) == row["scos"]
    assert report["sequencing"]["present"] is row["sequencing"]
    codes = {f["code"] for f in report["findings"]}
    for severity, code, where in expected.get("present", []):
        assert any(f["severity"] == severity and f["code"] == code and where in f["location"]
                   for f in report["findings"]), (severity, code, where)
    assert not codes & NEVER, codes & NEVER
    if "message" in expected:
        assert any(expected["message"] in f["message"] for f in report["findings"])
    if "missing" in expected:
        assert expected["missing"] in {m["path"] for m in report["missing_files"]}
    if "launch" in expected:
        assert set(expected["launch"]) <= set(report["launch_files"])  # CATALOG.md names the first three
    if "assets" in expected:
        assert sum(r["scorm_type"] == "asset" for r in report["resources"]) == expected["assets"]
        assert report["scos"] == [] and report["assets"]
    if "schemaversion" in expected:
        assert report["metadata_schemaversion"] == expected["schemaversion"]
    if expected.get("rules"):
        seq = report["sequencing"]
        assert seq["applies"] and seq["precondition_rules"] + seq["rollup_rules"] + seq["objectives"] > 0


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_package_identity_matches_the_catalog(samples_dir, name):
    report = audit(samples_dir, name)
    text = (samples_dir / "CATALOG.md").read_text(encoding="utf-8")
    section = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
    sha_prefix = re.search(r"sha256 prefix ([0-9a-f]+)", section).group(1)
    zipped = int(re.search(r"Size: (\d+) bytes zipped", section).group(1))
    assert report["package"]["sha256"].startswith(sha_prefix)
    assert report["package"]["size"] == zipped
    if report["identifier"] is not None:
        assert all(f["sha256"] for f in report["files"])
        unzipped = int(re.search(r"(\d+) bytes unzipped", section).group(1))
        assert report["package"]["uncompressed_size"] == unzipped
