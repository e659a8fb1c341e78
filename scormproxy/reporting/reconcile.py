"""Reconciliation: compare local course results with Open eLMS's trainees and re-queue what it lacks."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from ..db import Database
from ..models import Attempt, OutboxRow
from ..upstream import OpenElmsClient, UpstreamError
from .outbox import enqueue_result

log = logging.getLogger(__name__)
ACTION_FOR = {"completed": "complete", "failed": "fail"}


@dataclass
class ReconcileReport:
    checked: int = 0
    requeued: list[tuple[str, int, str]] = field(default_factory=list)  # (user, learning, action)
    errors: list[str] = field(default_factory=list)


def _upstream_matches(attempt: Attempt, upstream) -> bool:
    if attempt.status in ACTION_FOR:
        if upstream is None or upstream.status != attempt.status:
            return False
        return attempt.score is None or upstream.score is None or round(float(upstream.score)) == attempt.score
    return upstream is not None and upstream.status != "not attempted"


def reconcile(db: Database, client: OpenElmsClient) -> ReconcileReport:
    report = ReconcileReport()
    with db.session() as s:
        attempts = s.scalars(select(Attempt).where(Attempt.preview.is_(False), Attempt.started.is_(True))).all()
        pending = {row.attempt_id for row in s.scalars(select(OutboxRow).where(OutboxRow.state == "pending"))}
    by_learning: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        if attempt.id not in pending:  # queued changes will arrive anyway
            by_learning.setdefault(attempt.learning_id, []).append(attempt)
    for learning_id, local in sorted(by_learning.items()):
        try:
            upstream = {str(t.user_id): t for t in client.trainees(learning_id)}
        except UpstreamError as exc:
            report.errors.append(f"learning {learning_id}: {exc}")
            continue
        for attempt in local:
            report.checked += 1
            seen = upstream.get(str(attempt.user_id))
            if _upstream_matches(attempt, seen):
                continue
            action = ACTION_FOR.get(attempt.status, "start")
            with db.session() as s:
                fresh = s.get(Attempt, attempt.id)
                if seen is None or seen.status == "not attempted":
                    enqueue_result(s, fresh, "start", None)
                if action != "start":
                    enqueue_result(s, fresh, action, fresh.score)
            report.requeued.append((attempt.user_id, learning_id, action))
            log.info("reconcile: re-queued", extra={"learning_id": learning_id, "action": action})
    return report
