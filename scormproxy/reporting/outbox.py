"""The outbox: result changes written in the same transaction as the change itself."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Attempt, OutboxRow

ACTIONS = ("start", "complete", "fail")


def enqueue_result(session: Session, attempt: Attempt, action: str, score: int | None) -> OutboxRow:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    row = OutboxRow(attempt_id=attempt.id, user_id=attempt.user_id, learning_id=attempt.learning_id,
                    action=action, score=None if action == "start" else score)
    session.add(row)
    session.flush()  # ids give the delivery order within a learner and course
    return row
