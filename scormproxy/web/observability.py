"""Request ids, one JSON log line per request, and the /metrics endpoint."""
from __future__ import annotations

import logging
import time
import uuid

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .. import metrics

log = logging.getLogger("scormproxy.access")
bp = Blueprint("observability", __name__)


@bp.get("/metrics")
def metrics_endpoint():
    return Response(generate_latest(metrics.REGISTRY), mimetype=CONTENT_TYPE_LATEST)


def request_id(incoming: str) -> str:
    """The caller's X-Request-ID when it is sane, else a new one (also used by the content fast path)."""
    return incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex


def _before():
    g.request_id = request_id(request.headers.get("X-Request-ID", ""))
    g.started = time.perf_counter()


def _after(response):
    endpoint = request.endpoint or "unmatched"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    metrics.HTTP_REQUESTS.labels(endpoint, str(response.status_code)).inc()
    metrics.HTTP_SECONDS.labels(endpoint).observe(elapsed)
    if endpoint == "content.package_file" and response.status_code == 200 and response.content_length:
        metrics.CONTENT_BYTES.inc(response.content_length)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    # Content files are the hot path: their per-request line is DEBUG only.
    level = logging.DEBUG if endpoint == "content.package_file" else logging.INFO
    if log.isEnabledFor(level):
        # A launch token in a log would be a ticket into the course for whoever reads logs.
        path = "/play/<launch token>" if endpoint == "learner.open_launch_url" else request.path
        log.log(level, "request", extra={"request_id": g.get("request_id"), "method": request.method,
                                         "path": path, "status": response.status_code,
                                         "ms": round(elapsed * 1000, 2)})
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_before)
    app.after_request(_after)
