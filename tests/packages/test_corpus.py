"""The real-world corpus (../shared/scorm-samples), read in place and compared with its CATALOG.md facts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from scormproxy.packages import PackageError, ZipLimits, inspect_package, open_package_zip

CATALOG_ROW = re.compile(r"^\| `(?P<file>[^`]+\.zip)` \| (?P<version>[^|]+) \| (?P<scos>[^|]+) \| (?P<seq>[^|]+) \|")
VERSIONS = {"SCORM 1.2": "1.2", "SCORM 2004 2nd Ed.": "2004 2nd Edition", "SCORM 2004 3rd Ed.": "2004 3rd Edition",
            "SCORM 2004 4th Ed.": "2004 4th Edition"}
MALFORMED = {
    "MALFORMED_moodle_badscorm_manifest_in_subdir.zip": "zip.manifest_missing",
    "MALFORMED_moodle_invalid_no_manifest.zip": "zip.manifest_missing",
    "MALFORMED_moodle_validscorm_truncated_manifest.zip": "xml.malformed",
}


def catalog(samples_dir: Path) -> dict[str, dict]:
    text = (samples_dir / "CATALOG.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        match = CATALOG_ROW.match(line)
        if match:
            rows[match["file"]] = {key: match[key].strip() for key in ("version", "scos", "seq")}
    details = re.split(r"^### `", text, flags=re.M)[1:]
    for section in details:
        name = section.split("`", 1)[0]
        hrefs = re.search(r"^- Launch href\(s\): (.*)$", section, flags=re.M)
        rows[name]["hrefs"] = re.findall(r"`([^`]+)`", hrefs[1]) if hrefs else []
    return rows


@pytest.fixture(scope="module")
def facts(samples_dir) -> dict[str, dict]:
    rows = catalog(samples_dir)
    assert len(rows) == 21, "CATALOG.md lists 21 packages"
    return rows


def test_every_catalogued_package_is_in_the_corpus(samples_dir, facts):
    assert sorted(p.name for p in samples_dir.glob("*.zip")) == sorted(facts)


@pytest.mark.parametrize("name, code", sorted(MALFORMED.items()))
def test_malformed_packages_are_refused_with_the_specific_code(samples_dir, name, code):
    with pytest.raises(PackageError) as caught:
        inspect_package(samples_dir / name, ZipLimits())
    assert caught.value.codes == [code]


def test_well_formed_packages_match_the_catalog(samples_dir, facts):
    checked = 0
    for name, fact in sorted(facts.items()):
        if name in MALFORMED:
            continue
        inspected = inspect_package(samples_dir / name, ZipLimits())
        manifest = inspected.manifest
        version = next(v for label, v in VERSIONS.items() if fact["version"].startswith(label))
        assert manifest.version == version, name
        sco_resources = {resource.identifier for _, resource in manifest.scos()}
        assert len(sco_resources) == int(fact["scos"]), name
        assert manifest.has_sequencing == fact["seq"].startswith("yes"), name
        files = {entry.path for entry in inspected.entries if not entry.is_dir}
        launched = manifest.launchable_items()
        assert launched, name
        for item in launched:
            assert item.resource.href_path in files, (name, item.identifier)
        resource_hrefs = {item.resource.href for item in launched}
        for href in fact["hrefs"]:
            assert any(h == href or h.endswith("/" + href) for h in resource_hrefs), (name, href)
        assert all(f.severity != "error" for f in inspected.findings)
        checked += 1
    assert checked == 18


def test_corpus_quirks_are_tolerated_as_warnings(samples_dir):
    quirky = inspect_package(samples_dir / "quirky_scormdebugger_complex_SCORM12_nested_items.zip").manifest
    assert "manifest.default_organization_missing" in {f.code for f in quirky.findings}
    assert quirky.organization.identifier == "mm-SCORMDEbugger555f231e21b982c25d16"
    parents = [i for i in quirky.organization.walk() if i.children and i.identifierref]
    assert parents and all(i.launch_href == "index.html" for i in parents)  # SCORM 1.2 launches them
    hidden = [i.identifier for i in quirky.organization.walk() if not i.is_visible]
    assert hidden == ["mm-ITEM-SCORMDEbugger555f231e21b982c25s07"]
    assert any(i.prerequisites for i in quirky.organization.walk())

    api = inspect_package(samples_dir / "adl_cts_LMSTestPackage_API_SCORM20044thEdition.zip").manifest
    assert api.resources["APIRTE01"].href == "resources/APIRTETest1.htm"  # xml:base resolved
    assert [i.launch_href for i in api.launchable_items()][1] == "resources/APIRTETest1.htm?tc=API&act=2"
    missing = [f for f in api.findings if f.code == "manifest.file_missing"]
    assert len(missing) == 1 and "common/LMSTest.jar" in missing[0].message and missing[0].severity == "warning"
    assert api.organization.items[0].presentation == ["suspendAll"]

    storyline = inspect_package(samples_dir / "authoring_storyline360_SCORM2004_2ndEdition_CAM13.zip").manifest
    assert (storyline.schemaversion, storyline.version) == ("CAM 1.3", "2004 2nd Edition")

    forced = inspect_package(samples_dir / "golf_SequencingForcedSequential_SCORM20043rdEdition.zip").manifest
    sequencings = [i.sequencing for i in forced.organization.items]
    assert all(s.id_ref == "common_seq_rules" for s in sequencings)
    assert all(s.delivery_controls.completion_set_by_content and s.objective_measure_weight == 0.0
               for s in sequencings)  # from the collection
    assert sequencings[1].precondition_rules[0].action == "disabled"  # local
    assert sequencings[1].objectives[1].map_info[0].target_objective_id.endswith(".playing_satisfied")

    metadata = inspect_package(samples_dir / "golf_ContentPackagingMetadata_SCORM20043rdEdition.zip").manifest
    assert metadata.title and metadata.description  # from the external metadata_course.xml


def test_every_corpus_zip_verifies(samples_dir, facts):
    for name in sorted(facts):
        if name == "MALFORMED_moodle_invalid_no_manifest.zip" or "manifest_in_subdir" in name:
            continue
        with open_package_zip(samples_dir / name, ZipLimits()) as package:
            hashes = package.verify()
            assert len(hashes) == len(package.files), name
