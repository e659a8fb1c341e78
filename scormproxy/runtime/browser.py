"""Headless Chromium for driving the player, and the loopback server it talks to."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..errors import ScormProxyError

# Debian's Chromium; the project never downloads a browser of its own.
CHROMIUM_PATH = "/usr/bin/chromium"
# Keep the browser from talking to anything but loopback, and working as root in containers.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LAUNCH_TIMEOUT_SECONDS = 30.0
SERVER_SHUTDOWN_TIMEOUT_SECONDS = 5.0


class BrowserUnavailable(ScormProxyError):
    """Chromium or Playwright is missing or would not start."""

    code = "browser_unavailable"
    http_status = 503


# Playwright's sync API runs one driver per thread; a nested launch shares the outer browser.
_running = threading.local()


@contextmanager
def launched_chromium(executable_path: str = CHROMIUM_PATH,
                      launch_timeout: float = LAUNCH_TIMEOUT_SECONDS) -> Iterator["object"]:
    """A headless Chromium (a Playwright `Browser`), closed on exit.

    Within an outer `launched_chromium` on the same thread, yields the outer browser.
    """
    outer = getattr(_running, "browser", None)
    if outer is not None and outer.is_connected():
        yield outer
        return
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserUnavailable("Playwright is not installed: run `make setup` "
                                 "(it comes with requirements-dev.txt)") from None
    if not os.access(executable_path, os.X_OK):
        raise BrowserUnavailable(f"{executable_path} is missing: install Debian's chromium "
                                 "(apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable_path, headless=True,
                                                 args=list(CHROMIUM_ARGS),
                                                 timeout=launch_timeout * 1000)
        except PlaywrightError as exc:
            raise BrowserUnavailable(f"Chromium did not start: {exc.message.splitlines()[0]}") from None
        _running.browser = browser
        try:
            yield browser
        finally:
            _running.browser = None
            try:
                browser.close()
            except PlaywrightError:  # already gone; nothing left to clean up
                pass


class _QuietRequestHandler(WSGIRequestHandler):
    # One line per request would drown the command's own output.
    def log_request(self, code="-", size="-") -> None:
        pass


@contextmanager
def serving_in_background(app, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` on a loopback thread (an ephemeral port by default); yields its base URL."""
    server: BaseWSGIServer = make_server(host, port, app, threaded=True,
                                         request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="player-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(SERVER_SHUTDOWN_TIMEOUT_SECONDS)
