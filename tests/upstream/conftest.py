"""Fixtures for the Open eLMS client tests: clients aimed at the sandbox, recorded retry sleeps."""
from __future__ import annotations

import pytest

from scormproxy.sandbox.testing import running_sandbox
from scormproxy.upstream import OpenElmsClient
from tests.plugins.sandbox import SANDBOX_TOKEN

from .support import SleepRecorder


@pytest.fixture(scope="module")
def module_sandbox(demo_packages):
    with running_sandbox(demo_packages, token=SANDBOX_TOKEN, site="demo") as server:
        yield server


@pytest.fixture
def sandbox(module_sandbox):
    """Overrides the plugin's fixture: one sandbox per module (a start and stop costs most of a
    second), reset before each test, so faults, the request log and progress start empty."""
    module_sandbox.reset()
    yield module_sandbox
    module_sandbox.reset()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(sandbox, sleeps):
    """Build clients for the sandbox; fast retry settings unless a test says otherwise."""
    made = []

    def make(**options) -> OpenElmsClient:
        token = options.pop("token", sandbox.token)
        options.setdefault("retries", 3)
        options.setdefault("backoff", 0.05)
        options.setdefault("read_timeout", 5.0)
        options.setdefault("sleep", sleeps)
        client = OpenElmsClient(sandbox.site_url, token, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client) -> OpenElmsClient:
    return make_client()
