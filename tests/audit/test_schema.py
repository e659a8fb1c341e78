"""Reports validate against the versioned JSON Schema shipped as scormproxy/audit/schema.json."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import scormproxy.audit
from scormproxy.audit import REPORT_VERSION, SCHEMA_ID, build_report

from .builders import SCO_RESOURCE, build_package
from .test_corpus import EXPECTATIONS, audit

SCHEMA_PATH = Path(scormproxy.audit.__file__).with_name("schema.json")


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_schema_is_the_version_reports_name():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"] == SCHEMA_ID
    assert schema["properties"]["report_version"] == {"const": REPORT_VERSION}
    assert schema["properties"]["schema"]["const"] == SCHEMA_ID


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_corpus_reports_validate(validator, samples_dir, name):
    validator.validate(audit(samples_dir, name))


def test_built_reports_validate(validator, tmp_path):
    items = ('<item identifier="m"><title>Module</title><item identifier="i1" identifierref="r1"><title>L</title>'
             '<adlcp:completionThreshold minProgressMeasure="0.5" completedByMeasure="true"/>'
             '<imsss:sequencing><imsss:limitConditions attemptLimit="2"/></imsss:sequencing></item></item>')
    good = build_package(tmp_path, items=items, version="2004 4th Edition", name="good.zip")
    refused = build_package(tmp_path, resources=SCO_RESOURCE.replace('href="index.html">', 'href="start.html">'),
                            name="refused.zip")
    not_a_zip = tmp_path / "junk.zip"
    not_a_zip.write_bytes(b"junk")
    for path in (good, refused, not_a_zip, tmp_path / "absent.zip"):
        validator.validate(build_report(path))


@pytest.mark.parametrize("mutate", [
    lambda r: r.update(report_version=2),
    lambda r: r["findings"].append({"severity": "fatal", "code": "x.y", "message": "m", "location": "l"}),
    lambda r: r["findings"].append({"severity": "error", "code": "Not Dotted", "message": "m", "location": "l"}),
    lambda r: r["files"].append({"path": "a", "size": 1, "compressed_size": 1, "sha256": "abc", "media_type": "x",
                                 "referenced": True}),
    lambda r: r["scos"].append({"identifier": "i", "title": "t"}),
    lambda r: r.pop("title"),
])
def test_schema_rejects_broken_reports(validator, tmp_path, mutate):
    report = build_report(build_package(tmp_path))
    validator.validate(report)
    mutate(report)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(report)
