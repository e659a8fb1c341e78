"""The admin launch API: `POST /api/launches` returns a signed player URL."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from ..errors import BadRequest, ScormProxyError
from ..launch import launch_url
from .auth import require_admin

bp = Blueprint("api_launches", __name__, url_prefix="/api/launches")


@bp.post("")
@require_admin
def create_launch():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "user_id" not in body or "learning_id" not in body:
        raise BadRequest('send {"user_id": ..., "learning_id": ...}')
    settings = current_app.config["SETTINGS"]
    try:
        url = launch_url(settings, body["user_id"], body["learning_id"],
                         base_url=settings.public_url or request.host_url, preview=False)
    except ScormProxyError as exc:
        raise BadRequest(exc.message) from None
    return jsonify({"url": url}), 201


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
