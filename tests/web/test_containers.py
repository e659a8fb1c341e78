"""Containers from download-container: mirrored as such, played only when remote content is allowed."""
from __future__ import annotations

import time

import pytest
import requests

from scormproxy.launch import launch_url
from scormproxy.runtime.browser import launched_chromium
from scormproxy.services import get_services
from tests.players.driving import open_player
from tests.plugins.service import serving

pytestmark = [pytest.mark.db, pytest.mark.browser]


@pytest.mark.parametrize("allowed", [False, True])
def test_container_mirrors_and_plays_when_allowed(sandbox, make_service, admin_headers, allowed):
    app = make_service(sandbox=sandbox, allow_remote_content=allowed)
    with app.app_context():
        outcome = get_services().mirror().mirror(1, container=True)
        assert outcome.ok, outcome.error
    with serving(app) as base:
        listed = requests.get(f"{base}/api/packages/1", headers=admin_headers, timeout=10).json()
        assert listed["kind"] == "container" and listed["status"] == "mirrored"
        url = launch_url(app.config["SETTINGS"], "41", 1, base_url=base)
        if not allowed:
            refused = requests.get(url, allow_redirects=False, timeout=10)
            assert refused.status_code == 403 and "remote_content_disabled" in refused.text
            return
        with launched_chromium() as browser:
            page = browser.new_page()
            open_player(page, url)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # the vendor-hosted course initialises our API
                if page.evaluate("() => !!(window.API && window.API.isInitialized())"):
                    break
                time.sleep(0.2)
            else:
                raise AssertionError("the remote course never called LMSInitialize")
            page.close()
