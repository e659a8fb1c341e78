"""A 200 MB package downloads in constant memory: the client's peak RSS is measured in a subprocess."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from scormproxy.sandbox.testing import running_sandbox

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_BYTES = 200 * 1024 * 1024
PEAK_GROWTH_LIMIT = 60 * 1024 * 1024
BLOCK = 1024 * 1024
TOKEN = "memory-test-token-41"

MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="big" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Big package</title>
    <item identifier="item" identifierref="res"><title>Big</title></item>
  </organization></organizations>
  <resources><resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>
"""

# Runs in the child. The peak is reset after imports (writing 5 to clear_refs resets
# VmHWM), so only what the download itself adds is measured.
CHILD = r"""
import json, sys
from scormproxy.upstream import OpenElmsClient

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

client = OpenElmsClient(sys.argv[1], sys.argv[2])
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    baseline = status("VmRSS")
except OSError:
    baseline = status("VmHWM")
result = client.download(1, sys.argv[3])
print(json.dumps({"baseline": baseline, "peak": status("VmHWM"), "bytes": result.bytes, "sha256": result.sha256}))
"""


def build_big_package(path: Path, size: int) -> str:
    """A SCORM zip with stored (uncompressed) random entries, about `size` bytes; returns its SHA-256."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("index.html", b"<html><body>big</body></html>")
        written, part = 0, 0
        while written < size:
            with archive.open(f"media/blob-{part:03d}.bin", "w") as entry:
                for _ in range(16):
                    entry.write(os.urandom(BLOCK))
            written += 16 * BLOCK
            part += 1
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def test_200_mb_download_keeps_peak_memory_under_60_mb(tmp_path):
    packages = tmp_path / "packages"
    packages.mkdir()
    package = packages / "big.zip"
    expected_sha = build_big_package(package, PACKAGE_BYTES)
    dest = tmp_path / "downloaded.zip"
    with running_sandbox(packages, token=TOKEN, seed_users=1) as site:
        child = subprocess.run([sys.executable, "-c", CHILD, site.site_url, TOKEN, str(dest)],
                               cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                               capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]
    report = json.loads(child.stdout.strip().splitlines()[-1])
    assert report["bytes"] == package.stat().st_size >= PACKAGE_BYTES
    assert report["sha256"] == expected_sha
    growth = report["peak"] - report["baseline"]
    assert growth < PEAK_GROWTH_LIMIT, f"peak grew by {growth / 2**20:.1f} MiB"
    assert dest.stat().st_size == report["bytes"] and not Path(str(dest) + ".part").exists()
