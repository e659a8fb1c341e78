"""The outbox worker: deliver result changes to Open eLMS, in order, at least once.

A row is claimed by pushing its `next_attempt_at` past a lease in one short transaction
(PostgreSQL: FOR UPDATE SKIP LOCKED, so several workers never claim the same row), sent,
then recorded. A worker killed between sending and recording leaves the row to be sent
again when the lease ends; the progress PUT sets a state, so the repeat is harmless.
Rows of one learner and course go strictly in id order: a row is eligible only when no
older row of the same pair is still pending.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased

from .. import metrics
from ..db import Database
from ..models import Alarm, OutboxRow
from ..upstream import (OpenElmsClient, UpstreamAuthError, UpstreamError, UpstreamNotFound,
                        UpstreamPreconditionFailed, UpstreamValidationError)

log = logging.getLogger(__name__)
AUTH_ALARM = "upstream_auth"
PARK_ERRORS = (UpstreamValidationError, UpstreamNotFound, UpstreamPreconditionFailed)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class OutboxWorker:
    def __init__(self, db: Database, client: OpenElmsClient, settings, *, sleep=time.sleep):
        self.db = db
        self.client = client
        self.settings = settings
        self.sleep = sleep
        self.delivered = 0

    def claim(self, *, ignore_schedule: bool = False) -> list[OutboxRow]:
        now = _now()
        older = aliased(OutboxRow)
        blocked = exists().where(and_(older.user_id == OutboxRow.user_id,
                                      older.learning_id == OutboxRow.learning_id,
                                      older.state == "pending", older.id < OutboxRow.id))
        query = select(OutboxRow).where(OutboxRow.state == "pending", ~blocked)
        if not ignore_schedule:
            query = query.where(OutboxRow.next_attempt_at <= now)
        query = query.order_by(OutboxRow.id).limit(self.settings.worker_batch)
        if self.db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxRow)
        with self.db.session() as s:
            rows = s.scalars(query).all()
            lease = now + timedelta(seconds=self.settings.worker_lease_seconds)
            for row in rows:  # the query picked only rows that are due (or all, when told)
                row.next_attempt_at = lease
                row.tries += 1
            s.flush()
            return list(rows)

    def deliver(self, row: OutboxRow) -> str:
        """Send one row; returns 'delivered', 'retry', 'parked' or 'paused'."""
        outcome = self._deliver(row)
        metrics.OUTBOX_DELIVERIES.labels(outcome).inc()
        return outcome

    def _deliver(self, row: OutboxRow) -> str:
        try:
            if row.action == "assign":
                self._assign(row)
            else:
                self.client.report_progress(row.learning_id, row.user_id, row.action,
                                            row.score if row.action != "start" else None)
        except UpstreamAuthError as exc:
            metrics.count_upstream_error(exc)
            self._raise_alarm(f"Open eLMS refused our token ({exc.status}); delivery paused")
            self._reschedule(row, self.settings.worker_auth_pause, str(exc), count_try=False)
            return "paused"
        except PARK_ERRORS as exc:
            metrics.count_upstream_error(exc)
            self._finish(row, "parked", f"{type(exc).__name__}: {exc}")
            log.warning("outbox row parked", extra={"row": row.id, "status": exc.status})
            return "parked"
        except UpstreamError as exc:
            metrics.count_upstream_error(exc)
            self._reschedule(row, self._backoff(row.tries), str(exc))
            log.info("outbox delivery failed, will retry", extra={"row": row.id, "tries": row.tries,
                                                                  "status": getattr(exc, "status", None)})
            return "retry"
        self._finish(row, "delivered", None)
        self._clear_alarm()
        self.delivered += 1
        return "delivered"

    def _assign(self, row: OutboxRow) -> None:
        """Assign the learning upstream unless Open eLMS already lists the learner as a trainee."""
        try:
            listed = self.client.trainees(row.learning_id, row.user_id)
        except UpstreamNotFound:
            listed = []
        if not any(str(t.user_id) == str(row.user_id) for t in listed):
            self.client.assign(row.user_id, [row.learning_id])

    def _backoff(self, tries: int) -> float:
        base = min(self.settings.worker_backoff * (2 ** max(tries - 1, 0)), self.settings.worker_backoff_max)
        return base * (0.5 + random.random() / 2)

    def _reschedule(self, row: OutboxRow, delay: float, error: str, *, count_try: bool = True) -> None:
        with self.db.session() as s:
            values = {"next_attempt_at": _now() + timedelta(seconds=delay), "last_error": error[:2000]}
            if not count_try:
                values["tries"] = OutboxRow.tries - 1
            s.execute(update(OutboxRow).where(OutboxRow.id == row.id, OutboxRow.state == "pending")
                      .values(**values))

    def _finish(self, row: OutboxRow, state: str, error: str | None) -> None:
        with self.db.session() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == row.id).values(
                state=state, last_error=error, delivered_at=_now() if state == "delivered" else None))

    def _raise_alarm(self, message: str) -> None:
        log.error("alarm: %s", message, extra={"alarm": AUTH_ALARM})
        with self.db.session() as s:
            alarm = s.get(Alarm, AUTH_ALARM) or Alarm(name=AUTH_ALARM, message=message)
            alarm.message, alarm.active, alarm.raised_at, alarm.cleared_at = message, True, _now(), None
            s.add(alarm)

    def _clear_alarm(self) -> None:
        with self.db.session() as s:
            alarm = s.get(Alarm, AUTH_ALARM)
            if alarm is not None and alarm.active:
                alarm.active, alarm.cleared_at = False, _now()
                log.info("alarm cleared", extra={"alarm": AUTH_ALARM})

    def run_once(self, *, ignore_schedule: bool = False) -> dict:
        """One pass over what is due; returns counts by outcome."""
        counts: dict[str, int] = {}
        while True:
            rows = self.claim(ignore_schedule=ignore_schedule)
            if not rows:
                return counts
            progressed = False
            for row in rows:
                outcome = self.deliver(row)
                counts[outcome] = counts.get(outcome, 0) + 1
                progressed |= outcome in ("delivered", "parked")
                if outcome == "paused":
                    return counts
            if not progressed:
                return counts

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            counts = self.run_once()
            if counts.get("paused"):
                stop.wait(self.settings.worker_auth_pause)
            elif not counts:
                stop.wait(self.settings.worker_poll_interval)


def pending_count(db: Database) -> int:
    from sqlalchemy import func
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.state == "pending"))


def start_in_process(app) -> threading.Event:
    """Single-box mode: the outbox worker as a daemon thread of this (web) process."""
    services = app.extensions["scormproxy.services"]
    stop = threading.Event()
    worker = OutboxWorker(services.db, services.client(), app.config["SETTINGS"])
    threading.Thread(target=worker.run_forever, args=(stop,), name="outbox-worker", daemon=True).start()
    return stop
