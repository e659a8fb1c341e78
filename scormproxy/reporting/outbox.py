"""The outbox: result changes written in the same transaction as the change itself."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import Attempt, OutboxRow

# "assign" makes sure Open eLMS lists the learner as a trainee before results arrive.
ACTIONS = ("assign", "start", "complete", "fail")
_INSERT = insert(OutboxRow.__table__)


def _row_values(attempt_id: str, user_id: str, learning_id: int, action: str, score: int | None) -> dict:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return {"attempt_id": attempt_id, "user_id": user_id, "learning_id": learning_id, "action": action,
            "score": score if action in ("complete", "fail") else None}


def enqueue_result(session: Session, attempt: Attempt, action: str, score: int | None) -> OutboxRow:
    row = OutboxRow(**_row_values(attempt.id, attempt.user_id, attempt.learning_id, action, score))
    session.add(row)
    session.flush()  # ids give the delivery order within a learner and course
    return row


def insert_result(connection: Connection, *, attempt_id: str, user_id: str, learning_id: int, action: str,
                  score: int | None) -> None:
    """enqueue_result for a Core transaction (the commit path): the row goes in at once, so its id
    follows those written before it in the same transaction."""
    connection.execute(_INSERT, _row_values(attempt_id, user_id, learning_id, action, score))
