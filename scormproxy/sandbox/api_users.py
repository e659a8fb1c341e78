"""The user half of the Open eLMS API: accounts, searches, field codes, assignments."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from .api_learning import learning_record
from .context import current_sandbox
from .users import parse_id_list, parse_user_form, parse_user_search, user_fields_json

_EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def add_user_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/users/", "list_users", list_users, methods=["GET"])
    bp.add_url_rule("/users/", "create_user", create_user, methods=["POST"])
    bp.add_url_rule("/users/<int:user_id>", "get_user", get_user, methods=["GET"])
    bp.add_url_rule("/users/<int:user_id>", "update_user", update_user, methods=["PUT"])
    bp.add_url_rule("/user/fields", "user_fields", user_fields, methods=["GET"])
    bp.add_url_rule("/assign/<int:user_id>/<learning_ids>", "assign", assign, methods=["PUT"])
    bp.add_url_rule("/unassign/<int:user_id>/<learning_ids>", "unassign", unassign, methods=["DELETE"])
    # The documentation's own example of 501: "POST Organisation".
    bp.add_url_rule("/organisation/", "organisation", not_implemented, methods=_EVERY_METHOD)
    bp.add_url_rule("/organisation/<path:rest>", "organisation_item", not_implemented, methods=_EVERY_METHOD)


def list_users():
    text, ids = parse_user_search(request.args)
    state = current_sandbox().state
    return jsonify([state.user_json(user, learning_record) for user in state.find_users(text, ids)])


def get_user(user_id: int):
    state = current_sandbox().state
    return jsonify(state.user_json(state.user(user_id), learning_record))


def create_user():
    form = parse_user_form(request.form)
    return jsonify(current_sandbox().state.add_user(form).id)


def update_user(user_id: int):
    state = current_sandbox().state
    state.user(user_id)  # an unknown user is a 404 before any validation
    return jsonify(state.update_user(user_id, parse_user_form(request.form)).id)


def user_fields():
    return jsonify(user_fields_json())


def assign(user_id: int, learning_ids: str):
    state = current_sandbox().state
    state.user(user_id)
    state.assign(user_id, parse_id_list(learning_ids))
    return jsonify(user_id)


def unassign(user_id: int, learning_ids: str):
    state = current_sandbox().state
    state.user(user_id)
    state.unassign(user_id, parse_id_list(learning_ids))
    return jsonify(user_id)


def not_implemented(rest: str | None = None):
    abort(501, description="not implemented")
