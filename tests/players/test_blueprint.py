"""The player blueprint without a browser: missing npm install, config checks, conformance routes off by default."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from scormproxy.runtime.browser import serving_in_background
from scormproxy.web import player


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def make_app(tmp_path):
    from scormproxy import create_app

    def build(players_dir=None, conformance=False):
        app = create_app({"data_dir": str(tmp_path / "data"), "log_level": "WARNING"})
        app.config["SCORMPROXY_CONFORMANCE"] = conformance
        player.init_app(app, players_dir=players_dir)
        return app

    return build


def test_without_npm_install_the_assets_say_to_run_make_setup(make_app, tmp_path):
    (tmp_path / "players" / "src").mkdir(parents=True)
    app = make_app(players_dir=tmp_path / "players")
    with serving_in_background(app) as base_url:
        status, body = get(f"{base_url}/play/assets/vendor/scorm-again/scorm2004.min.js")
    assert status == 503
    assert "make setup" in json.loads(body)["error"]["message"]


def test_the_player_page_needs_a_known_scorm_version(make_app):
    app = make_app()
    with app.test_request_context("/"):
        with pytest.raises(player.PlayerConfigError):
            player.render_player_page({"scorm_version": "1.3", "toc": [], "scos": {}, "state_url": "",
                                       "commit_url": "", "exit_url": ""})


def test_conformance_routes_exist_only_when_asked_for(make_app):
    plain = make_app()
    assert "player_conformance" not in plain.blueprints
    with_harness = make_app(conformance=True)
    token = player.conformance_launches(with_harness).register("1.2", {"one": {"title": "One", "cmi": {}}})
    with serving_in_background(with_harness) as base_url:
        status, body = get(f"{base_url}/play/conformance/{token}")
        assert status == 200 and b'data-item="one"' in body
        status, _ = get(f"{base_url}/play/conformance/not-a-token")
        assert status == 404


def test_player_page_headers_forbid_foreign_and_inline_scripts():
    csp = player.player_page_headers()["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
