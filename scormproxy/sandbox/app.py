"""create_sandbox_app: an Open eLMS-compatible Flask app serving a folder of SCORM zips."""
from __future__ import annotations

import logging
import re
import tempfile
import weakref
from pathlib import Path

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import ScormProxyError
from . import DEFAULT_SEED_USERS, DEFAULT_SITE, DEFAULT_TOKEN  # noqa: F401  (DEFAULT_SEED_USERS re-exported)
from .api_learning import add_learning_routes
from .api_users import add_user_routes
from .content import DEFAULT_CONTENT_MAX_BYTES, ContentStore
from .context import EXTENSION_KEY, SandboxContext
from .control import make_control_blueprint
from .faults import DEFAULT_MAX_DELAY, FaultQueue
from .gate import DEFAULT_REQUEST_LOG_LIMIT, RequestLog, init_gate
from .packages import DEFAULT_MANIFEST_MAX_BYTES, scan_packages
from .public import add_public_routes
from .state import DEFAULT_PROGRESS_LOG_LIMIT, SandboxState

log = logging.getLogger(__name__)
_SITE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*$")


def create_sandbox_app(packages_dir: Path | str, *, token: str = DEFAULT_TOKEN, site: str = DEFAULT_SITE,
                       allow_containers: bool = True, seed_users: int = DEFAULT_SEED_USERS,
                       work_dir: Path | str | None = None,
                       manifest_max_bytes: int = DEFAULT_MANIFEST_MAX_BYTES,
                       content_max_bytes: int = DEFAULT_CONTENT_MAX_BYTES,
                       request_log_limit: int = DEFAULT_REQUEST_LOG_LIMIT,
                       progress_log_limit: int = DEFAULT_PROGRESS_LOG_LIMIT,
                       max_fault_delay: float = DEFAULT_MAX_DELAY) -> Flask:
    """Serve every *.zip of `packages_dir` (learning ids 1..n by file name) at /<site>/backend/.

    `work_dir` holds package files extracted for container playback; without
    it a temporary folder is used and removed with the app (or `close_sandbox`).
    """
    if not _SITE_PATTERN.match(site):
        raise ValueError(f"site must be a simple path segment, got {site!r}")
    if not token:
        raise ValueError("token must not be empty")
    if seed_users < 0:
        raise ValueError("seed_users must be 0 or more")
    packages_dir = Path(packages_dir)
    if not packages_dir.is_dir():
        raise ValueError(f"{packages_dir} is not a folder")

    owns_work_dir = work_dir is None
    work_path = Path(tempfile.mkdtemp(prefix="scormproxy-sandbox-")) if owns_work_dir else Path(work_dir)
    packages = scan_packages(packages_dir, manifest_max_bytes=manifest_max_bytes)
    sandbox = SandboxContext(
        site=site, token=token, allow_containers=allow_containers,
        state=SandboxState(packages, seed_users=seed_users, progress_log_limit=progress_log_limit),
        faults=FaultQueue(), request_log=RequestLog(request_log_limit),
        content=ContentStore(work_path / "content", max_bytes=content_max_bytes),
        work_dir=work_path, owns_work_dir=owns_work_dir,
    )

    app = Flask(__name__, static_folder=None)
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False
    # "accept with and without trailing slash", without redirects.
    app.url_map.strict_slashes = False
    app.extensions[EXTENSION_KEY] = sandbox
    weakref.finalize(app, sandbox.close)

    backend = Blueprint("backend", __name__)
    add_learning_routes(backend)
    add_user_routes(backend)
    app.register_blueprint(backend, url_prefix=f"/{site}/backend")
    public = Blueprint("public", __name__)
    add_public_routes(public)
    app.register_blueprint(public, url_prefix=f"/{site}")
    app.register_blueprint(make_control_blueprint(max_fault_delay=max_fault_delay))
    init_gate(app, site=site, token=token, faults=sandbox.faults, request_log=sandbox.request_log)
    _init_errors(app, api_prefix=f"/{site}/backend")
    log.info("sandbox: serving %d package(s) from %s at /%s/backend/", len(packages), packages_dir, site)
    return app


def close_sandbox(app: Flask) -> None:
    """Remove the sandbox's temporary files now rather than when the app is collected."""
    app.extensions[EXTENSION_KEY].close()


def _init_errors(app: Flask, *, api_prefix: str) -> None:
    # Open eLMS answers errors as {"error": "..."}.
    @app.errorhandler(ScormProxyError)
    def _our_error(err: ScormProxyError):
        return jsonify({"error": err.message}), err.http_status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if err.code is not None and 300 <= err.code < 400:
            return err  # routing redirects keep their Location
        if err.code == 405 and request.path.startswith(api_prefix):
            # A documented path with an undocumented method: "has not been implemented".
            return jsonify({"error": f"{request.method} {request.path} is not implemented"}), 501
        return jsonify({"error": err.description or err.name}), err.code

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("sandbox: unhandled error on %s %s", request.method, request.path)
        return jsonify({"error": "internal error"}), 500
