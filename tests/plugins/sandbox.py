"""Fixtures that run the Open eLMS sandbox in-process over real HTTP."""
from __future__ import annotations

from pathlib import Path

import pytest

SANDBOX_TOKEN = "sandbox-test-token-7f3a"


@pytest.fixture(scope="session")
def demo_packages(tmp_path_factory) -> Path:
    """The project's own demo courses, built as zips into a folder."""
    from scormproxy.sandbox.demo import build_demo_packages

    folder = tmp_path_factory.mktemp("demo-packages")
    build_demo_packages(folder)
    return folder


@pytest.fixture
def sandbox(demo_packages):
    """A fresh sandbox serving the demo courses; `sandbox.site_url` is an OPENELMS_URL."""
    from scormproxy.sandbox.testing import running_sandbox

    with running_sandbox(demo_packages, token=SANDBOX_TOKEN, site="demo") as server:
        yield server
