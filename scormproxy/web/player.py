"""The player page and its assets (our JS/CSS and scorm-again's dist), plus the conformance harness routes."""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, jsonify, make_response, render_template, request, send_file

from ..errors import ScormProxyError

log = logging.getLogger(__name__)

PLAYERS_DIR = Path(__file__).resolve().parents[2] / "players"
ASSET_MAX_AGE_SECONDS = 365 * 24 * 3600
SCORM_VERSIONS = ("1.2", "2004")
# Our scripts, in load order (each extends window.ScormProxy).
PLAYER_SCRIPTS = ("runtime.js", "navigation.js", "corrections.js", "player.js")
PLAYER_STYLES = "player.css"
SCORM_AGAIN_DIST = {"1.2": "scorm12.min.js", "2004": "scorm2004.min.js"}
# The player page runs only our own scripts; the content frame is same-origin.
PLAYER_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")
CONFORMANCE_MAX_LAUNCHES = 1000

bp = Blueprint("player", __name__, template_folder="templates")
conformance_bp = Blueprint("player_conformance", __name__)


class PlayerAssetsMissing(ScormProxyError):
    code = "player_assets_missing"
    http_status = 503


class PlayerConfigError(ScormProxyError):
    code = "player_config_invalid"
    http_status = 500


class PlayerAssets:
    """Where each served asset lives on disk, and its cache-busting version."""

    def __init__(self, players_dir: Path = PLAYERS_DIR):
        self.players_dir = Path(players_dir)
        self.src_dir = self.players_dir / "src"
        self.package_dir = self.players_dir / "node_modules" / "scorm-again"
        self._versions: dict[str, str] = {}
        self._lock = threading.Lock()

    def check_installed(self) -> None:
        if not (self.package_dir / "package.json").is_file():
            raise PlayerAssetsMissing(f"{self.package_dir} is missing: run `make setup` "
                                      "(it installs players/ with npm ci)")

    def package_version(self) -> str:
        self.check_installed()
        return json.loads((self.package_dir / "package.json").read_text())["version"]

    def path(self, name: str) -> Path | None:
        """The file behind /play/assets/<name>; None for anything not on the list."""
        if name in PLAYER_SCRIPTS or name == PLAYER_STYLES:
            return self.src_dir / name
        prefix = "vendor/scorm-again/"
        if name.startswith(prefix) and name[len(prefix):] in SCORM_AGAIN_DIST.values():
            self.check_installed()
            return self.package_dir / "dist" / name[len(prefix):]
        return None

    def version(self, name: str) -> str:
        with self._lock:
            if name not in self._versions:
                if name.startswith("vendor/scorm-again/"):
                    self._versions[name] = self.package_version()
                else:
                    self._versions[name] = hashlib.sha256(self.path(name).read_bytes()).hexdigest()[:16]
            return self._versions[name]

    def url(self, name: str) -> str:
        return f"/play/assets/{name}?v={self.version(name)}"

    def page_assets(self, scorm_version: str) -> dict:
        vendor = "vendor/scorm-again/" + SCORM_AGAIN_DIST[scorm_version]
        return {"css": self.url(PLAYER_STYLES),
                "scripts": [self.url(vendor)] + [self.url(name) for name in PLAYER_SCRIPTS]}


def _assets() -> PlayerAssets:
    assets = current_app.extensions.get("scormproxy.player_assets")
    if assets is None:
        raise PlayerAssetsMissing("the player blueprint is not registered: call "
                                  "scormproxy.web.player.init_app(app)")
    return assets


def render_player_page(config: dict) -> str:
    """The player page for `config` (DESIGN.md player contract); every value is escaped."""
    version = config.get("scorm_version")
    if version not in SCORM_VERSIONS:
        raise PlayerConfigError(f"scorm_version must be one of {SCORM_VERSIONS}, got {version!r}")
    for key in ("toc", "scos", "state_url", "commit_url", "exit_url"):
        if key not in config:
            raise PlayerConfigError(f"the player config lacks {key!r}")
    return render_template("player.html", config=config, scos=config["scos"],
                           assets=_assets().page_assets(version))


def player_page_headers() -> dict[str, str]:
    """Headers the player page should be served with."""
    return {"Content-Security-Policy": PLAYER_CSP, "Cache-Control": "no-store"}


@bp.get("/play/assets/<path:name>")
def asset(name: str):
    path = _assets().path(name)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, max_age=ASSET_MAX_AGE_SECONDS, conditional=True)
    if request.args.get("v"):
        response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE_SECONDS}, immutable"
    return response


@dataclass
class ConformanceLaunch:
    scorm_version: str
    items: dict[str, dict]  # item id -> (title, flattened launch state)


class ConformanceLaunches:
    """Courses the conformance runner registers, one per fixture file, by token."""

    def __init__(self, max_launches: int = CONFORMANCE_MAX_LAUNCHES):
        self.max_launches = max_launches
        self._launches: dict[str, ConformanceLaunch] = {}
        self._lock = threading.Lock()

    def register(self, scorm_version: str, items: dict[str, dict]) -> str:
        """`items`: item id -> {"title": str, "cmi": flattened launch state}."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            while len(self._launches) >= self.max_launches:
                self._launches.pop(next(iter(self._launches)))
            self._launches[token] = ConformanceLaunch(scorm_version, dict(items))
        return token

    def get(self, token: str) -> ConformanceLaunch:
        with self._lock:
            launch = self._launches.get(token)
        if launch is None:
            abort(404)
        return launch


def conformance_launches(app: Flask) -> ConformanceLaunches:
    return app.extensions["scormproxy.conformance_launches"]


BLANK_CONTENT = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>Conformance</title></head><body></body></html>")


@conformance_bp.get("/play/conformance/blank.html")
def conformance_blank():
    response = make_response(BLANK_CONTENT)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


@conformance_bp.get("/play/conformance/<token>")
def conformance_page(token: str):
    launch = conformance_launches(current_app).get(token)
    base = f"/play/conformance/{token}/items/{{item}}"
    first = next(iter(launch.items), None)
    config = {
        "attempt_id": "conformance-" + token, "scorm_version": launch.scorm_version,
        "title": "Run-time conformance", "learner": {"id": "conformance", "name": "Conformance, Runner"},
        "toc": [{"item": item, "title": spec["title"], "launchable": True, "children": []}
                for item, spec in launch.items.items()],
        "start_item": first,
        "scos": {item: {"href": "/play/conformance/blank.html", "scorm_type": "sco", "title": spec["title"]}
                 for item, spec in launch.items.items()},
        "state_url": base + "/state", "commit_url": base + "/commit",
        "sequencing": None, "exit_url": "/play/conformance/blank.html", "preview": True,
    }
    response = make_response(render_player_page(config))
    response.headers.update(player_page_headers())
    return response


@conformance_bp.get("/play/conformance/<token>/items/<item_id>/state")
def conformance_state(token: str, item_id: str):
    item = conformance_launches(current_app).get(token).items.get(item_id)
    if item is None:
        abort(404)
    return jsonify({"cmi": item["cmi"], "seq": 0})


@conformance_bp.post("/play/conformance/<token>/items/<item_id>/commit")
def conformance_commit(token: str, item_id: str):
    conformance_launches(current_app).get(token)
    return jsonify({"ok": True})


def init_app(app: Flask, players_dir: Path | None = None) -> None:
    """Register the player; the conformance routes only when SCORMPROXY_CONFORMANCE is set.

    Safe to call again (e.g. after turning SCORMPROXY_CONFORMANCE on before the first request);
    an explicit `players_dir` replaces the one in use.
    """
    if players_dir is not None or "scormproxy.player_assets" not in app.extensions:
        assets = PlayerAssets(players_dir or PLAYERS_DIR)
        app.extensions["scormproxy.player_assets"] = assets
        try:
            assets.check_installed()
        except PlayerAssetsMissing as exc:
            log.error("player assets unavailable: %s", exc.message)
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    if app.config.get("SCORMPROXY_CONFORMANCE") and conformance_bp.name not in app.blueprints:
        app.extensions["scormproxy.conformance_launches"] = ConformanceLaunches()
        app.register_blueprint(conformance_bp)
