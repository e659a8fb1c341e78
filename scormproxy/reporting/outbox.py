"""The outbox: result changes written in the same transaction as the change itself."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Attempt, OutboxRow

# "assign" makes sure Open eLMS lists the learner as a trainee before results arrive.
ACTIONS = ("assign", "start", "complete", "fail")


def enqueue_result(session: Session, attempt: Attempt, action: str, score: int | None) -> OutboxRow:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    row = OutboxRow(attempt_id=attempt.id, user_id=attempt.user_id, learning_id=attempt.learning_id,
                    action=action, score=score if action in ("complete", "fail") else None)
    session.add(row)
    session.flush()  # ids give the delivery order within a learner and course
    return row
