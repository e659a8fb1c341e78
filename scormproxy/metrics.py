"""Prometheus metrics: request counts, content bytes, mirror outcomes, outbox depth, upstream errors.

Counters live in this process (a gunicorn worker each); the outbox gauges are read from
the database at scrape time, so every instance reports the same queue.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter("scormproxy_http_requests_total", "HTTP requests answered",
                        ["endpoint", "status"], registry=REGISTRY)
HTTP_SECONDS = Histogram("scormproxy_http_request_seconds", "HTTP request duration",
                         ["endpoint"], registry=REGISTRY,
                         buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10))
CONTENT_BYTES = Counter("scormproxy_content_bytes_total", "package file bytes sent (full responses)",
                        registry=REGISTRY)
MIRROR_OUTCOMES = Counter("scormproxy_mirror_outcomes_total", "mirror runs by outcome",
                          ["outcome"], registry=REGISTRY)
UPSTREAM_ERRORS = Counter("scormproxy_upstream_errors_total", "errors from Open eLMS by status",
                          ["status"], registry=REGISTRY)
OUTBOX_DELIVERIES = Counter("scormproxy_outbox_deliveries_total", "outbox delivery attempts by outcome",
                            ["outcome"], registry=REGISTRY)


class OutboxCollector:
    """Outbox depth and the age of its oldest pending row, read at scrape time from the
    database of the app answering the scrape."""

    @staticmethod
    def _families():
        return (GaugeMetricFamily("scormproxy_outbox_depth", "outbox rows by state", labels=["state"]),
                GaugeMetricFamily("scormproxy_outbox_oldest_pending_seconds", "age of the oldest pending row"),
                GaugeMetricFamily("scormproxy_alarm_active", "active alarms", labels=["name"]))

    def describe(self):
        # What the registry asks at registration, so registering neither queries nor loads Flask.
        return list(self._families())

    def collect(self):
        from datetime import datetime, timezone

        from flask import current_app, has_app_context
        from sqlalchemy import func, select

        from .models import Alarm, OutboxRow

        if not has_app_context():
            return
        db = current_app.extensions["scormproxy.db"]

        depth, age, alarms = self._families()
        with db.read() as s:
            for state, count in s.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)):
                depth.add_metric([state], count)
            oldest = s.scalar(select(func.min(OutboxRow.created_at)).where(OutboxRow.state == "pending"))
            for alarm in s.scalars(select(Alarm)):
                alarms.add_metric([alarm.name], 1 if alarm.active else 0)
        if oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=timezone.utc)
            age.add_metric([], (datetime.now(timezone.utc) - oldest).total_seconds())
        else:
            age.add_metric([], 0)
        yield depth
        yield age
        yield alarms


def count_upstream_error(exc) -> None:
    UPSTREAM_ERRORS.labels(str(getattr(exc, "status", None) or "transport")).inc()


OUTBOX_COLLECTOR = OutboxCollector()
REGISTRY.register(OUTBOX_COLLECTOR)
