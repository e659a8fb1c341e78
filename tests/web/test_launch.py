"""Launch URLs and the launch API: signed, expiring, single use; the learner cookie."""
from __future__ import annotations

import time

import pytest
import requests

from scormproxy.launch import launch_url
from tests.plugins.service import open_learner_session, serving

pytestmark = pytest.mark.db


def test_launch_opens_a_session_once(mirrored_demo):
    app = mirrored_demo
    with serving(app) as base:
        url = launch_url(app.config["SETTINGS"], "7", 1, base_url=base)
        first = requests.get(url, allow_redirects=False, timeout=10)
        assert first.status_code == 303
        assert first.headers["Location"].startswith("/play/attempt/")
        cookies = first.headers.get("Set-Cookie", "")
        assert "HttpOnly" in cookies and "SameSite=Lax" in cookies
        assert "Path=/play" in cookies and "Path=/content" in cookies
        replay = requests.get(url, allow_redirects=False, timeout=10)
        assert replay.status_code == 403
        assert "already used" in replay.text


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),   # signature altered
    lambda t: "x" + t,                                               # payload altered
    lambda t: "not-a-token",
])
def test_tampered_launch_is_refused(mirrored_demo, mangle):
    app = mirrored_demo
    with serving(app) as base:
        token = launch_url(app.config["SETTINGS"], "7", 1, base_url=base).rsplit("/", 1)[-1]
        response = requests.get(f"{base}/play/{mangle(token)}", allow_redirects=False, timeout=10)
        assert response.status_code == 403
        assert 'data-code="launch_tampered"' in response.text
        assert "Set-Cookie" not in response.headers


def test_expired_launch_is_refused(sandbox, make_service):
    from scormproxy.services import get_services

    app = make_service(sandbox=sandbox, launch_url_ttl=1)
    with app.app_context():
        assert get_services().mirror().mirror(1).ok
    with serving(app) as base:
        url = launch_url(app.config["SETTINGS"], "7", 1, base_url=base)
        time.sleep(2.2)
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 403
        assert 'data-code="launch_expired"' in response.text


def test_unknown_course_is_refused(mirrored_demo):
    with serving(mirrored_demo) as base:
        url = launch_url(mirrored_demo.config["SETTINGS"], "7", 99, base_url=base)
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 403 and "not available" in response.text


def test_launch_api_needs_the_admin_token(mirrored_demo, admin_headers):
    with serving(mirrored_demo) as base:
        body = {"user_id": "42", "learning_id": 1}
        assert requests.post(f"{base}/api/launches", json=body, timeout=10).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert requests.post(f"{base}/api/launches", json=body, headers=wrong, timeout=10).status_code == 403
        bad = requests.post(f"{base}/api/launches", json={"user_id": "42"}, headers=admin_headers, timeout=10)
        assert bad.status_code == 400
        made = requests.post(f"{base}/api/launches", json=body, headers=admin_headers, timeout=10)
        assert made.status_code == 201
        url = made.json()["url"]
        assert url.startswith(f"{base}/play/")
        assert requests.get(url, allow_redirects=False, timeout=10).status_code == 303


def test_relaunch_returns_to_the_same_attempt(mirrored_demo):
    with serving(mirrored_demo) as base:
        _, first = open_learner_session(base, mirrored_demo, "8", 1)
        _, second = open_learner_session(base, mirrored_demo, "8", 1)
        _, other = open_learner_session(base, mirrored_demo, "9", 1)
        assert first == second and other != first
