"""Learner-facing routes: opening a launch, the player page, the run-time state and commits."""
from __future__ import annotations

import json
import logging
from functools import lru_cache

from flask import Blueprint, Flask, current_app, jsonify, make_response, redirect, render_template, request

from ..db import get_db
from ..errors import BadRequest, Forbidden, NotFound
from ..launch import COOKIE_NAME, COOKIE_PATHS, Grant, LaunchRefused, open_launch, read_grants, write_grants
from ..models import PackageVersion
from ..runtime.attempts import CommitPayload, apply_commit, record_asset_launch, sco_launch_state
from ..runtime.course import Course, course_from_manifest
from ..runtime.limits import RuntimeLimits

log = logging.getLogger(__name__)
bp = Blueprint("learner", __name__)


def _settings():
    return current_app.config["SETTINGS"]


def current_grants() -> list[Grant]:
    return read_grants(_settings(), request.cookies.get(COOKIE_NAME))


def grant_for_attempt(attempt_id: str) -> Grant:
    for grant in current_grants():
        if grant.attempt_id == attempt_id:
            return grant
    raise Forbidden("this attempt does not belong to your session; launch the course again")


def course_for_version(version_id: str) -> Course:
    return _cached_course(current_app.extensions["scormproxy.db"].url, version_id)


@lru_cache(maxsize=256)
def _cached_course(db_url: str, version_id: str) -> Course:
    # Versions are immutable, so their parsed course never goes stale.
    with get_db().session() as s:
        version = s.get(PackageVersion, version_id)
        if version is None:
            raise NotFound("this course version is gone")
        return course_from_manifest(json.loads(version.manifest_json))


@bp.get("/play/<token>")
def open_launch_url(token: str):
    try:
        grant = open_launch(_settings(), get_db(), token)
    except LaunchRefused as exc:
        return render_template("launch_refused.html", message=exc.message, code=exc.code), 403
    response = redirect(f"/play/attempt/{grant.attempt_id}", code=303)
    cookie = write_grants(_settings(), current_grants() + [grant])
    for path in COOKIE_PATHS:
        response.set_cookie(COOKIE_NAME, cookie, path=path, httponly=True, samesite="Lax",
                            secure=request.is_secure, max_age=_settings().session_ttl)
    return response


def player_config(grant: Grant, course: Course) -> dict:
    base = f"/content/{grant.learning_id}/{grant.version_id}/"
    api = f"/play/api/attempts/{grant.attempt_id}/items"

    def toc(items):
        # Hidden items (isvisible="false") stay in the course and its flow; only the
        # table of contents leaves them out.
        return [{"item": i.identifier, "title": i.title, "launchable": bool(i.href), "visible": i.visible,
                 "sequencing": i.meta.get("sequencing"), "children": toc(i.children)}
                for i in items]

    launchable = course.launchable()
    return {
        "attempt_id": grant.attempt_id,
        "scorm_version": course.family,
        "title": course.title,
        "learner": {"id": grant.user_id, "name": grant.user_id},
        "toc": toc(course.items),
        "start_item": launchable[0].identifier if launchable else None,
        "scos": {i.identifier: {"href": base + i.href, "scorm_type": i.scorm_type, "title": i.title,
                                "prerequisites": i.meta.get("prerequisites"),
                                "sequencing": i.meta.get("sequencing")}
                 for i in launchable},
        "state_url": api + "/{item}/state",
        "commit_url": api + "/{item}/commit",
        "sequencing": course.sequencing,
        "exit_url": f"/play/attempt/{grant.attempt_id}/done",
        "preview": grant.preview,
    }


@bp.get("/play/attempt/<attempt_id>")
def player_page(attempt_id: str):
    grant = grant_for_attempt(attempt_id)
    course = course_for_version(grant.version_id)
    from .player import player_page_headers, render_player_page

    response = make_response(render_player_page(player_config(grant, course)))
    response.headers.update(player_page_headers())
    return response


@bp.get("/play/attempt/<attempt_id>/done")
def finished_page(attempt_id: str):
    grant = grant_for_attempt(attempt_id)
    return render_template("finished.html", grant=grant)


@bp.get("/play/api/attempts/<attempt_id>/items/<item_id>/state")
def sco_state(attempt_id: str, item_id: str):
    grant = grant_for_attempt(attempt_id)
    course = course_for_version(grant.version_id)
    item = course.item(item_id)
    if item is not None and item.href and item.scorm_type != "sco":
        # An asset has no API: launching it is what completes it (SCORM CAM, scormType asset).
        record_asset_launch(get_db(), attempt_id, item_id, course)
    state = sco_launch_state(get_db(), attempt_id, item_id, course, learner_id=grant.user_id,
                             learner_name=grant.user_id)
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response


def _same_origin() -> bool:
    """Commits must come from our own pages; browsers send Origin on POST."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None and request.headers.get("Sec-Fetch-Site") in (None, "same-origin")
    return origin.rstrip("/") == request.host_url.rstrip("/")


@bp.post("/play/api/attempts/<attempt_id>/items/<item_id>/commit")
def commit(attempt_id: str, item_id: str):
    if not _same_origin():
        raise Forbidden("commits are accepted from the player's own origin only")
    grant = grant_for_attempt(attempt_id)
    course = course_for_version(grant.version_id)
    raw = request.get_data(cache=False, as_text=True)  # beacons arrive as text/plain
    if len(raw) > current_app.config["SETTINGS"].commit_max_bytes:
        raise BadRequest("the commit is too large")
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("the commit is not JSON") from None
    payload = CommitPayload.parse(body)
    result = apply_commit(get_db(), attempt_id, item_id, course, payload, learner_id=grant.user_id,
                          learner_name=grant.user_id, limits=_runtime_limits())
    return jsonify(result)


def _runtime_limits() -> RuntimeLimits:
    # Settings never change under a running app: read the limits out of them once.
    settings = _settings()
    cached = current_app.extensions.get("scormproxy.runtime_limits")
    if cached is None or cached[0] is not settings:
        cached = (settings, RuntimeLimits.from_settings(settings))
        current_app.extensions["scormproxy.runtime_limits"] = cached
    return cached[1]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
