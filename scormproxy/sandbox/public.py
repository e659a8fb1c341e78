"""Pages a browser opens without the API token: package files (like a CDN), the remote player, creator links."""
from __future__ import annotations

from html import escape

from flask import Blueprint, Response, abort, request, send_from_directory

from ..errors import NotFound
from .container import remote_player_page
from .content import ContentUnavailable
from .context import current_sandbox
from .packages import PackageInfo


def add_public_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/content/<int:learning_id>/<path:path>", "content", content, methods=["GET"])
    bp.add_url_rule("/remote-player/<int:learning_id>", "remote_player", remote_player, methods=["GET"])
    bp.add_url_rule("/creator/<token>", "creator", creator, methods=["GET"])


def content(learning_id: int, path: str):
    sandbox = current_sandbox()
    package = _package_of(learning_id)
    try:
        folder = sandbox.content.folder(learning_id, package.path)
    except ContentUnavailable as exc:
        abort(500, description=str(exc))
    # send_from_directory joins safely: nothing outside `folder` is ever served.
    return send_from_directory(folder, path, conditional=True, max_age=0)


def remote_player(learning_id: int):
    package = _package_of(learning_id)
    if package.launch_href is None or package.scorm_version is None:
        raise NotFound(f"learning resource {learning_id} has no launchable SCORM content")
    sandbox = current_sandbox()
    launch_url = f"{request.host_url}{sandbox.site}/content/{learning_id}/{package.launch_href}"
    return Response(remote_player_page(package, launch_url=launch_url), mimetype="text/html")


def creator(token: str):
    learning = current_sandbox().state.redeem_creator_token(token)
    if learning is None:
        raise NotFound("this creator link was used or replaced by a newer one")
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Open eLMS Creator</title>"
            f"</head><body><h1>Open eLMS Creator (sandbox)</h1><p>Editing: {escape(learning.name)}</p>"
            f"</body></html>")
    return Response(page, mimetype="text/html")


def _package_of(learning_id: int) -> PackageInfo:
    learning = current_sandbox().state.learning(learning_id)
    if learning.package is None:
        raise NotFound(f"learning resource {learning_id} has no package files")
    return learning.package
