"""The learning half of the Open eLMS API: resources, downloads, containers, creator URLs, progress."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request, send_file, url_for

from ..errors import BadRequest, NotFound
from .container import build_container_zip
from .context import current_sandbox
from .packages import PackageInfo
from .state import LEARNING_TYPES, Learning


def add_learning_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/learning/", "list_learning", list_learning, methods=["GET"])
    bp.add_url_rule("/learning/<int:learning_id>", "get_learning", get_learning, methods=["GET"])
    bp.add_url_rule("/learning/download/<int:learning_id>", "download", download, methods=["GET"])
    bp.add_url_rule("/learning/download-container/<int:learning_id>", "download_container", download_container,
                    methods=["GET"])
    bp.add_url_rule("/learning/new-resource", "new_resource", new_resource, methods=["POST"])
    bp.add_url_rule("/learning/creator-url/<int:learning_id>", "creator_url", creator_url, methods=["GET"])
    bp.add_url_rule("/learning/<int:learning_id>/trainees", "trainees", trainees, methods=["GET"])
    bp.add_url_rule("/learning/<int:learning_id>/trainees/<int:user_id>", "trainee", trainees, methods=["GET"])
    bp.add_url_rule("/learning/<int:learning_id>/<int:user_id>/<action>", "progress", progress, methods=["PUT"])
    bp.add_url_rule("/learning/<int:learning_id>/<int:user_id>/<action>/<score>", "progress_with_score",
                    progress, methods=["PUT"])


def learning_record(learning: Learning) -> dict:
    # "If the learning resource is a SCORM one, then its download link is also returned."
    link = url_for("backend.download", learning_id=learning.id, _external=True) if learning.package else None
    return {"id": learning.id, "name": learning.name, "type": learning.type, "download_link": link}


def list_learning():
    return jsonify([learning_record(learning) for learning in current_sandbox().state.all_learning()])


def get_learning(learning_id: int):
    return jsonify(learning_record(current_sandbox().state.learning(learning_id)))


def download(learning_id: int):
    package = _package_of(learning_id)
    # Streamed from disk (sendfile where the server can), with Range and conditional GET.
    return send_file(package.path, mimetype="application/zip", as_attachment=True,
                     download_name=package.path.name, conditional=True, etag=True, max_age=0)


def download_container(learning_id: int):
    sandbox = current_sandbox()
    if not sandbox.allow_containers:
        abort(412, description="allowSCORMContainerPlayer is not enabled on this site")
    package = _package_of(learning_id)
    if package.scorm_version is None or package.launch_href is None:
        raise NotFound(f"learning resource {learning_id} has no launchable SCORM content")
    site_root = request.host_url + sandbox.site
    data = build_container_zip(
        package, learning_id=learning_id,
        content_base=f"{site_root}/content/{learning_id}/",
        player_url=f"{site_root}/remote-player/{learning_id}",
        remote_origin=request.host_url.rstrip("/"),
    )
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="container-{learning_id}.zip"'})


def new_resource():
    name = (request.form.get("name") or "").strip()
    if not name:
        raise BadRequest("name is required")
    kind = (request.form.get("type") or "").strip() or "elearning"
    if kind not in LEARNING_TYPES:
        raise BadRequest(f"type must be one of {', '.join(LEARNING_TYPES)}")
    learning = current_sandbox().state.add_learning(name, kind)
    return jsonify(str(learning.id))  # documented as a string


def creator_url(learning_id: int):
    sandbox = current_sandbox()
    token = sandbox.state.new_creator_token(learning_id)
    return jsonify(f"{request.host_url}{sandbox.site}/creator/{token}")


def trainees(learning_id: int, user_id: int | None = None):
    return jsonify(current_sandbox().state.trainees(learning_id, user_id))


def progress(learning_id: int, user_id: int, action: str, score: str | None = None):
    return jsonify(current_sandbox().state.record_progress(learning_id, user_id, action, score))


def _package_of(learning_id: int) -> PackageInfo:
    learning = current_sandbox().state.learning(learning_id)
    if learning.package is None:
        raise NotFound(f"learning resource {learning_id} is not a SCORM package")
    return learning.package
