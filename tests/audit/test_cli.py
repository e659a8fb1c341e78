"""`python -m scormproxy audit` as a user runs it: a real process, its exit code, its output."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scormproxy.cli import main

from .builders import build_package, build_zip, manifest

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_audit(*args: str, cwd: Path | None = None, **settings: str) -> subprocess.CompletedProcess:
    # A bare environment: the audit must need no service, database or settings to run.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT),
           "HOME": str(cwd or REPO_ROOT), **settings}
    return subprocess.run([sys.executable, "-m", "scormproxy", "audit", *map(str, args)], cwd=cwd or REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_clean_package_exits_0_with_a_json_report(tmp_path):
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    result = run_audit(build_package(tmp_path), cwd=workdir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["passed"] and report["scorm_version"] == "1.2"
    assert list(workdir.iterdir()) == []  # offline: no database, storage or cache folder appeared
    assert "0 error(s)" in result.stderr


def test_package_with_errors_exits_1_with_the_reason(tmp_path):
    path = build_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest()})  # launch file missing
    result = run_audit(path, "--format", "csv")
    assert result.returncode == 1, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["severity", "code", "message", "location"]
    assert ["error", "manifest.launch_missing"] == rows[1][:2] and "index.html" in rows[1][2]


def test_zip_limits_come_from_the_settings(tmp_path):
    path = build_package(tmp_path)
    limited = run_audit(path, SCORMPROXY_ZIP_MAX_ENTRIES="1")
    assert limited.returncode == 1 and "zip.too_many_entries" in limited.stdout
    broken = run_audit(path, SCORMPROXY_ZIP_MAX_ENTRIES="lots")
    assert broken.returncode == 2 and "SCORMPROXY_ZIP_MAX_ENTRIES" in broken.stderr


def test_html_to_a_file(tmp_path):
    out = tmp_path / "report.html"
    result = run_audit(build_package(tmp_path), "--format", "html", "--output", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_bad_usage_exits_2_in_a_real_process(tmp_path):
    result = run_audit(tmp_path / "absent.zip")
    assert result.returncode == 2 and result.stdout == "" and "no such file" in result.stderr


@pytest.mark.parametrize("args", [
    ["--format", "xml", "{zip}"],
    ["{folder}"],
    [],
    ["{zip}", "--bogus"],
])
def test_bad_usage_exits_2(tmp_path, capsys, args):
    zip_path = build_package(tmp_path)
    args = ["audit"] + [a.format(zip=zip_path, folder=tmp_path) for a in args]
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and captured.err


def test_malformed_corpus_package_exits_1(samples_dir):
    result = run_audit(samples_dir / "MALFORMED_moodle_badscorm_manifest_in_subdir.zip")
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["code"] == "zip.manifest_missing" and "badscorm/imsmanifest.xml" in finding["message"]
