"""Audits in a worker process give the report an inline audit gives, and survive a dead worker."""
from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from scormproxy.audit import build_report
from scormproxy.audit.pool import AuditFailed, audit_result, prestart, submit_audit
from scormproxy.packages import ZipLimits
from tests.packages.zipbuilder import build_zip


def _comparable(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "generated_at"}


@pytest.fixture()
def package(tmp_path):
    return build_zip(tmp_path / "course.zip", {"index.html": '<script src="http://cdn.example.com/x.js"></script>',
                                              "media/clip.mp3": os.urandom(4096)}, with_manifest=True)


@pytest.mark.parametrize("processes", [0, 1])
def test_the_worker_gives_the_inline_report(package, processes):
    expected = build_report(package, ZipLimits())
    report = audit_result(submit_audit(processes, str(package), limits=ZipLimits()))
    assert _comparable(report) == _comparable(expected)
    assert any(f["code"] == "content.insecure_reference" for f in report["findings"])


def test_media_can_be_left_unread_for_the_caller_to_hash(package):
    report = audit_result(submit_audit(1, str(package), limits=ZipLimits(), read_media=False,
                                       zip_sha256="ab" * 32))
    hashes = {f["path"]: f["sha256"] for f in report["files"]}
    assert hashes["media/clip.mp3"] is None and hashes["index.html"]
    assert report["package"]["sha256"] == "ab" * 32


def test_a_killed_worker_fails_one_audit_at_most(package):
    prestart(1)
    for child in multiprocessing.active_children():
        os.kill(child.pid, signal.SIGKILL)
    try:
        audit_result(submit_audit(1, str(package), limits=ZipLimits()), timeout=60)
    except AuditFailed:
        pass
    report = audit_result(submit_audit(1, str(package), limits=ZipLimits()), timeout=60)
    assert report["summary"]["passed"] is True
