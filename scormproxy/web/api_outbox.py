"""The admin JSON API for result delivery: the outbox (parked rows, retry) and active alarms."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import func, select

from ..db import get_db
from ..errors import BadRequest, NotFound
from ..models import Alarm, OutboxRow
from .auth import require_admin

bp = Blueprint("api_outbox", __name__, url_prefix="/api")
STATES = ("pending", "delivered", "parked")


def row_json(row: OutboxRow) -> dict:
    return {"id": row.id, "attempt_id": row.attempt_id, "user_id": row.user_id,
            "learning_id": row.learning_id, "action": row.action, "score": row.score,
            "state": row.state, "tries": row.tries, "last_error": row.last_error,
            "created_at": row.created_at.isoformat() if row.created_at else None,
            "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None}


@bp.get("/outbox")
@require_admin
def list_outbox():
    state = request.args.get("state", "parked")
    if state not in STATES:
        raise BadRequest(f"state must be one of {', '.join(STATES)}")
    limit = min(max(request.args.get("limit", 100, type=int), 1), 1000)
    with get_db().session() as s:
        rows = s.scalars(select(OutboxRow).where(OutboxRow.state == state)
                         .order_by(OutboxRow.id).limit(limit)).all()
        counts = dict(s.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all())
        return jsonify({"counts": {k: counts.get(k, 0) for k in STATES}, "rows": [row_json(r) for r in rows]})


@bp.post("/outbox/<int:row_id>/retry")
@require_admin
def retry_row(row_id: int):
    with get_db().session() as s:
        row = s.get(OutboxRow, row_id)
        if row is None:
            raise NotFound(f"no outbox row {row_id}")
        if row.state != "parked":
            raise BadRequest(f"row {row_id} is {row.state}; only parked rows are retried")
        row.state, row.tries, row.next_attempt_at = "pending", 0, datetime.now(timezone.utc)
        return jsonify(row_json(row))


@bp.get("/alarms")
@require_admin
def list_alarms():
    with get_db().session() as s:
        alarms = s.scalars(select(Alarm).where(Alarm.active.is_(True)).order_by(Alarm.name)).all()
        return jsonify([{"name": a.name, "message": a.message, "raised_at": a.raised_at.isoformat()}
                        for a in alarms])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
