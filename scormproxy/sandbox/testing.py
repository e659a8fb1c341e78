"""running_sandbox: the sandbox on 127.0.0.1 and an ephemeral port, in a background thread, for tests."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import DEFAULT_SEED_USERS, DEFAULT_SITE, DEFAULT_TOKEN, close_sandbox, create_sandbox_app
from .context import EXTENSION_KEY, SandboxContext
from .faults import fault_from_json
from .state import SandboxState

SHUTDOWN_TIMEOUT = 10.0
# serve_forever checks for shutdown this often; the default 0.5 s makes every test wait.
POLL_INTERVAL = 0.02


class QuietRequestHandler(WSGIRequestHandler):
    """No access log lines: test output stays readable (the request log has them)."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass
class SandboxServer:
    base_url: str  # http://127.0.0.1:PORT
    site_url: str  # base_url + "/" + site: what OPENELMS_URL would be
    token: str
    app: Flask
    server: BaseWSGIServer = field(repr=False)
    thread: threading.Thread = field(repr=False)

    @property
    def sandbox(self) -> SandboxContext:
        return self.app.extensions[EXTENSION_KEY]

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state

    @property
    def api_url(self) -> str:
        return self.site_url + "/backend/"

    def inject(self, kind: str, count: int = 1, retry_after: float | None = None, delay: float = 0.0,
               status: int | None = None, path: str | None = None, location: str | None = None) -> None:
        """Queue a fault, validated exactly like POST /_sandbox/faults."""
        self.sandbox.faults.add(fault_from_json(
            {"kind": kind, "count": count, "retry_after": retry_after, "delay": delay, "status": status,
             "path": path, "location": location}))

    def clear_faults(self) -> None:
        self.sandbox.faults.clear()

    def requests_seen(self) -> list[dict]:
        return self.sandbox.request_log.entries()

    def progress_log(self) -> list[dict]:
        return self.state.progress_log()

    def trainee(self, learning_id: int, user_id: int) -> dict | None:
        return self.state.trainee(learning_id, user_id)

    def reset(self) -> None:
        self.sandbox.reset()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join(SHUTDOWN_TIMEOUT)
        self.server.server_close()
        close_sandbox(self.app)


def start_sandbox(packages_dir: Path | str, *, token: str = DEFAULT_TOKEN, site: str = DEFAULT_SITE,
                  allow_containers: bool = True, seed_users: int = DEFAULT_SEED_USERS,
                  **options) -> SandboxServer:
    """Start a sandbox; the caller must stop() it. `options` go to create_sandbox_app."""
    app = create_sandbox_app(packages_dir, token=token, site=site, allow_containers=allow_containers,
                             seed_users=seed_users, **options)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL},
                              name=f"sandbox-{server.port}", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.port}"
    return SandboxServer(base_url=base_url, site_url=f"{base_url}/{site}", token=token, app=app,
                         server=server, thread=thread)


@contextmanager
def running_sandbox(packages_dir: Path | str, *, token: str = DEFAULT_TOKEN, site: str = DEFAULT_SITE,
                    allow_containers: bool = True, seed_users: int = DEFAULT_SEED_USERS,
                    **options) -> Iterator[SandboxServer]:
    server = start_sandbox(packages_dir, token=token, site=site, allow_containers=allow_containers,
                           seed_users=seed_users, **options)
    try:
        yield server
    finally:
        server.stop()
