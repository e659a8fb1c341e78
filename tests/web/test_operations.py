"""Operators' handles: health, readiness, request ids and the Prometheus metrics."""
from __future__ import annotations

import re

import pytest
import requests

from tests.plugins.service import open_learner_session, serving

pytestmark = pytest.mark.db


def _metric(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def test_health_metrics_and_request_ids(mirrored_demo, sandbox):
    with serving(mirrored_demo) as base:
        assert requests.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
        ready = requests.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
        echoed = requests.get(f"{base}/healthz", headers={"X-Request-ID": "abc-123"}, timeout=10)
        assert echoed.headers["X-Request-ID"] == "abc-123"
        assert len(requests.get(f"{base}/healthz", timeout=10).headers["X-Request-ID"]) == 32

        learner, attempt = open_learner_session(base, mirrored_demo, "51", 1)
        learner.post(f"{base}/play/api/attempts/{attempt}/items/item-safety-quiz/commit",
                     json={"seq": 1, "cmi": {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90"}},
                     timeout=10)
        sandbox.inject("status", status=503, count=-1)
        from scormproxy.reporting.worker import OutboxWorker
        services = mirrored_demo.extensions["scormproxy.services"]
        OutboxWorker(services.db, services.client(), mirrored_demo.config["SETTINGS"]).run_once()
        sandbox.clear_faults()
        text = requests.get(f"{base}/metrics", timeout=10).text
    assert _metric(text, "scormproxy_http_requests_total", endpoint="health.healthz", status="200") >= 3
    assert _metric(text, "scormproxy_mirror_outcomes_total", outcome="new_version") >= 2
    assert _metric(text, "scormproxy_outbox_depth", state="pending") == 2
    assert _metric(text, "scormproxy_outbox_oldest_pending_seconds") >= 0
    assert _metric(text, "scormproxy_upstream_errors_total", status="503") >= 1
    assert _metric(text, "scormproxy_outbox_deliveries_total", outcome="retry") >= 1
