"""Two web instances (gunicorn) and two workers on one database and one S3 (moto over HTTP)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest
import requests

from tests.conftest import REPO_ROOT
from tests.plugins.service import ADMIN_TOKEN, SECRET_KEY

pytestmark = pytest.mark.db
QUIZ = "item-safety-quiz"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, proc) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"instance exited with {proc.returncode}")
        try:
            if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not accepting yet, or still booting
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} never became ready")


def test_two_webs_two_workers(sandbox, s3_server, s3_bucket, database_url, tmp_path):
    env = dict(os.environ, DATABASE_URL=database_url, STORAGE_URL=f"s3://{s3_bucket}/several",
               S3_ENDPOINT_URL=s3_server, OPENELMS_URL=sandbox.site_url, OPENELMS_TOKEN=sandbox.token,
               SCORMPROXY_SECRET_KEY=SECRET_KEY, SCORMPROXY_ADMIN_TOKEN=ADMIN_TOKEN,
               SCORMPROXY_LOG_LEVEL="WARNING", SCORMPROXY_WORKER_POLL_INTERVAL="0.1",
               WEB_CONCURRENCY="1", GUNICORN_THREADS="4")
    procs = []
    try:
        # Migrate once first (the Procfile's release step), then start everything.
        subprocess.run([sys.executable, "-m", "scormproxy", "migrate"], env=dict(env, SCORMPROXY_DATA_DIR=str(tmp_path / "m")),
                       cwd=REPO_ROOT, check=True, capture_output=True, timeout=120)
        bases = []
        for name in ("a", "b"):
            port = _free_port()
            proc_env = dict(env, SCORMPROXY_DATA_DIR=str(tmp_path / name), GUNICORN_BIND=f"127.0.0.1:{port}")
            procs.append(subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
                                          env=proc_env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs):
            _wait_ready(base, proc)
        a, b = bases
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

        mirrored = requests.post(f"{a}/api/packages/1/mirror", json={}, headers=admin, timeout=60)
        assert mirrored.status_code == 200, mirrored.text
        seen_by_b = requests.get(f"{b}/api/packages/1", headers=admin, timeout=10).json()
        assert seen_by_b["status"] == "mirrored" and seen_by_b["version"] == mirrored.json()["version"]

        learners = range(300, 320)
        for n in learners:
            url = requests.post(f"{a}/api/launches", json={"user_id": str(n), "learning_id": 1},
                                headers=admin, timeout=10).json()["url"]
            learner = requests.Session()
            opened = learner.get(url.replace(a, b), allow_redirects=False, timeout=10)  # opened on B
            assert opened.status_code == 303
            attempt = opened.headers["Location"].rsplit("/", 1)[-1]
            for seq, base in enumerate((a, b, a), start=1):  # commits land on either instance
                body = {"seq": seq, "terminated": seq == 3, "cmi": {
                    "cmi.core.lesson_location": f"p{seq}",
                    "cmi.core.lesson_status": "passed" if seq == 3 else "incomplete",
                    "cmi.core.score.raw": str(n % 100), "cmi.core.exit": ""}}
                saved = learner.post(f"{base}/play/api/attempts/{attempt}/items/{QUIZ}/commit", json=body,
                                     headers={"Origin": base}, timeout=10)
                assert saved.status_code == 200, saved.text
            state = learner.get(f"{b}/play/api/attempts/{attempt}/items/{QUIZ}/state", timeout=10).json()
            assert state["seq"] == 3

        workers = [subprocess.Popen([sys.executable, "-m", "scormproxy", "worker"],
                                    env=dict(env, SCORMPROXY_DATA_DIR=str(tmp_path / f"w{i}")), cwd=REPO_ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(2)]
        procs.extend(workers)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            done = [sandbox.trainee(1, n) for n in learners]
            if all(t and t["status"] == "completed" for t in done):
                break
            time.sleep(0.3)
        time.sleep(1.0)  # let any double delivery show up before counting
        counts = Counter((int(p["user_id"]), p["action"]) for p in sandbox.progress_log())
        for n in learners:
            assert sandbox.trainee(1, n)["score"] == n % 100
            assert counts[(n, "start")] == 1 and counts[(n, "complete")] == 1, n
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
