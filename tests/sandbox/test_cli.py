"""`python -m scormproxy sandbox` in a subprocess, reached with curl like a person would."""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30


@contextmanager
def sandbox_process(*args: str):
    process = subprocess.Popen([sys.executable, "-m", "scormproxy", "sandbox", "--port", "0", *args],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        try:
            first = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            pytest.fail("the sandbox printed nothing: " + (process.poll() is not None and process.stderr.read() or ""))
        match = re.search(r"(http://\S+/backend/)$", first.strip())
        assert match, first
        yield process, match.group(1)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _curl(url: str, token: str | None) -> tuple[int, str]:
    command = ["curl", "-s", "-w", "\n%{http_code}", "--max-time", "10"]
    if token is not None:
        command += ["-H", f"Authorization: Basic {token}"]
    output = subprocess.run(command + [url], capture_output=True, timeout=20, check=True).stdout
    body, _, status = output.decode("latin-1").rpartition("\n")
    return int(status), body


@pytest.fixture(scope="module")
def curl():
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")


def test_cli_serves_a_packages_folder_to_curl(curl, demo_packages):
    with sandbox_process("--packages", str(demo_packages), "--token", "T0ken", "--site", "acme",
                         "--seed-users", "5") as (process, api_url):
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/acme/backend/", api_url)
        status, body = _curl(api_url + "learning/", "T0ken")
        assert status == 200
        assert [r["name"] for r in json.loads(body)] == ["Workplace Safety Quiz", "Workshop Basics"]
        assert _curl(api_url + "learning/", None)[0] == 401
        assert _curl(api_url + "learning/", "wrong")[0] == 403
        assert _curl(api_url + "users/5", "T0ken")[0] == 200
        assert _curl(api_url + "users/6", "T0ken")[0] == 404
        assert _curl(api_url + "learning/download-container/1", "T0ken")[0] == 200
    assert process.returncode == 0


def test_cli_defaults_to_the_demo_courses_and_can_refuse_containers(curl):
    with sandbox_process("--no-allow-containers") as (process, api_url):
        assert api_url.endswith("/demo/backend/")
        status, body = _curl(api_url + "learning/2", "sandbox-token")
        assert status == 200 and json.loads(body)["name"] == "Workshop Basics"
        assert _curl(api_url + "learning/download-container/1", "sandbox-token")[0] == 412
    assert process.returncode == 0


def test_cli_reports_a_missing_folder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scormproxy", "sandbox", "--port", "0", "--packages",
                             str(tmp_path / "nope")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "not a folder" in result.stderr
