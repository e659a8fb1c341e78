"""Shared fixtures: the shared corpus, a sandbox Open eLMS over HTTP, S3 through moto's server."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"

pytest_plugins = ["tests.plugins.sandbox", "tests.plugins.s3", "tests.plugins.db", "tests.plugins.service",
                  "tests.plugins.secrets_guard"]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the checkout. Under CI its absence is a failure, not a skip."""
    if not (SHARED_DIR / "scorm-samples").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DIR} is missing: the real-world suite must run in CI")
        pytest.skip("../shared is not present")
    return SHARED_DIR


@pytest.fixture(scope="session")
def samples_dir(shared_dir: Path) -> Path:
    return shared_dir / "scorm-samples"
