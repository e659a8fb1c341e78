"""A 200 MB package file from S3 is served with bounded memory, cached or streamed."""
from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import zipfile

import pytest
import requests

from scormproxy.sandbox.testing import running_sandbox
from tests.conftest import REPO_ROOT
from tests.packages.manifests import manifest
from tests.plugins.service import ADMIN_TOKEN, SECRET_KEY

pytestmark = pytest.mark.db
BIG = 200 * 1024 * 1024


def _rss_peak_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _worker_pid(master: int) -> int:
    children = open(f"/proc/{master}/task/{master}/children").read().split()
    assert children, "gunicorn has no worker"
    return int(children[0])


@pytest.mark.parametrize("cache_bytes", [100 * 1024 * 1024, 1024 * 1024 * 1024], ids=["streamed", "cached"])
def test_200mb_from_s3_in_bounded_memory(tmp_path, sandbox, s3_server, s3_bucket, database_url, cache_bytes):
    folder = tmp_path / "pk"
    folder.mkdir()
    digest = hashlib.sha256()
    with zipfile.ZipFile(folder / "video.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", manifest())
        archive.writestr("index.html", "<video src='big.mp4'></video>")
        with archive.open("big.mp4", "w", force_zip64=True) as out:
            block = os.urandom(1024 * 1024)
            for n in range(BIG // len(block)):
                chunk = n.to_bytes(8, "big") + block[8:]
                digest.update(chunk)
                out.write(chunk)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with running_sandbox(folder, token=sandbox.token) as upstream:
        env = dict(os.environ, DATABASE_URL=database_url, STORAGE_URL=f"s3://{s3_bucket}/c",
                   S3_ENDPOINT_URL=s3_server, OPENELMS_URL=upstream.site_url, OPENELMS_TOKEN=upstream.token,
                   SCORMPROXY_SECRET_KEY=SECRET_KEY, SCORMPROXY_ADMIN_TOKEN=ADMIN_TOKEN,
                   SCORMPROXY_DATA_DIR=str(tmp_path / "data"), SCORMPROXY_LOG_LEVEL="WARNING",
                   SCORMPROXY_CONTENT_CACHE_BYTES=str(cache_bytes), WEB_CONCURRENCY="1",
                   GUNICORN_BIND=f"127.0.0.1:{port}")
        subprocess.run([sys.executable, "-m", "scormproxy", "mirror", "1"], env=env, cwd=REPO_ROOT,
                       check=True, capture_output=True, timeout=300)
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
                               env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, "gunicorn never became ready"
                time.sleep(0.2)
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            url = requests.post(f"{base}/api/launches", json={"user_id": "1", "learning_id": 1},
                                headers=admin, timeout=10).json()["url"]
            learner = requests.Session()
            opened = learner.get(url, allow_redirects=False, timeout=10)
            version = requests.get(f"{base}/api/packages/1", headers=admin, timeout=10).json()["version"]
            worker = _worker_pid(web.pid)
            before = _rss_peak_kb(worker)
            got = hashlib.sha256()
            size = 0
            with learner.get(f"{base}/content/1/{version}/big.mp4", stream=True, timeout=60) as response:
                assert response.status_code == 200
                for chunk in response.iter_content(1024 * 1024):
                    got.update(chunk)
                    size += len(chunk)
            assert opened.status_code == 303
            assert size == BIG and got.hexdigest() == digest.hexdigest()
            grown_mb = (_rss_peak_kb(worker) - before) / 1024
            print(f"worker peak RSS growth serving 200 MB: {grown_mb:.1f} MB")
            assert grown_mb < 60
        finally:
            web.terminate()
            web.wait(timeout=20)
