"""The mirror command as a process: killed mid-upload, and its memory on a large package."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from scormproxy.db import Database
from scormproxy.mirror import blob_key
from scormproxy.models import Package, PackageFile
from scormproxy.sandbox.testing import running_sandbox
from storage import LocalStorage
from tests.conftest import REPO_ROOT
from tests.packages.manifests import manifest

pytestmark = pytest.mark.db


def _package(path: Path, files: int, file_bytes: int, seed: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", manifest())
        archive.writestr("index.html", b"<html>" + seed + b"</html>")
        block = os.urandom(file_bytes)
        for n in range(files):
            archive.writestr(f"assets/{n // 100:03d}/file{n:05d}.bin", seed + n.to_bytes(4, "big") + block)
    return path


def _env(sandbox, tmp_path: Path, database_url: str) -> dict:
    env = dict(os.environ)
    env.update(OPENELMS_URL=sandbox.site_url, OPENELMS_TOKEN=sandbox.token,
               STORAGE_URL=f"file://{tmp_path}/store", DATABASE_URL=database_url,
               SCORMPROXY_DATA_DIR=str(tmp_path / "data"), SCORMPROXY_LOG_LEVEL="WARNING")
    return env


def _mirror_cmd() -> list[str]:
    return [sys.executable, "-m", "scormproxy", "mirror", "1"]


def test_killed_mid_mirror_keeps_old_version(tmp_path, database_url):
    folder = tmp_path / "pk"
    folder.mkdir()
    zip_path = _package(folder / "course.zip", 3, 100, b"v1")
    with running_sandbox(folder) as sandbox:
        env = _env(sandbox, tmp_path, database_url)
        subprocess.run(_mirror_cmd(), env=env, cwd=REPO_ROOT, check=True, capture_output=True, timeout=120)
        db = Database(database_url)
        with db.session() as s:
            old = s.get(Package, 1).current_version
            old_files = {f.path: f.sha256 for f in s.scalars(select(PackageFile).where(PackageFile.version_id == old))}
        blobs = tmp_path / "store" / "blobs"
        scratch = tmp_path / "data" / "tmp"
        before = sum(1 for _ in blobs.rglob("*") if _.is_file())

        def written() -> int:  # inflated into the run's scratch folder, or moved on into the storage
            return (sum(1 for _ in blobs.rglob("*") if _.is_file())
                    + sum(1 for _ in scratch.glob("mirror-*/files/*")))

        _package(zip_path, 6000, 2048, b"v2")
        proc = subprocess.Popen(_mirror_cmd(), env=env, cwd=REPO_ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        killed_at = None
        while time.monotonic() < deadline and proc.poll() is None:
            count = written()
            if count > before + 50:
                proc.send_signal(signal.SIGKILL)
                killed_at = count
                break
            time.sleep(0.01)
        proc.wait(timeout=30)
        assert killed_at is not None, "the mirror finished before it could be killed mid-upload"
        assert proc.returncode == -signal.SIGKILL

        storage = LocalStorage(str(tmp_path / "store"))
        with db.session() as s:
            assert s.get(Package, 1).current_version == old
        for path, sha in old_files.items():  # the old version is still whole
            assert storage.exists(blob_key(sha)), path

        done = subprocess.run(_mirror_cmd(), env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        with db.session() as s:
            new = s.get(Package, 1).current_version
            count = len(s.scalars(select(PackageFile).where(PackageFile.version_id == new)).all())
        assert new != old and count == 6002
        assert list(scratch.iterdir()) == []  # the killed run's scratch folder was swept
        db.dispose()


def test_mirror_of_200mb_2000_files_stays_under_150mb(tmp_path, database_url):
    folder = tmp_path / "pk"
    folder.mkdir()
    _package(folder / "big.zip", 2000, 100 * 1024, b"big")  # ~200 MB, incompressible
    with running_sandbox(folder) as sandbox:
        env = _env(sandbox, tmp_path, database_url)
        probe = ("import resource, subprocess, sys;"
                 "r = subprocess.run(sys.argv[1:]);"
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
                 "sys.exit(r.returncode)")
        result = subprocess.run([sys.executable, "-c", probe, *_mirror_cmd()], env=env, cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
        peak_mb = int(result.stdout.strip().splitlines()[-1]) / 1024
        print(f"mirror peak RSS: {peak_mb:.1f} MB")
        assert peak_mb < 150
