"""The admin JSON API for packages: list, versions, manifest model, audit, mirror one."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy import select

from ..db import get_db
from ..errors import BadRequest, NotFound
from ..models import Package, PackageVersion
from ..services import get_services
from .auth import require_admin

bp = Blueprint("api_packages", __name__, url_prefix="/api/packages")


def package_json(package: Package, version: PackageVersion | None) -> dict:
    return {
        "learning_id": package.learning_id,
        "title": package.title,
        "status": package.status,
        "version": package.current_version,
        "scorm_version": version.scorm_version if version else None,
        "kind": version.kind if version else None,
        "error": package.error,
        "error_code": package.error_code,
        "updated_at": package.updated_at.isoformat() if package.updated_at else None,
    }


def version_json(version: PackageVersion, current: str | None) -> dict:
    return {
        "id": version.id, "learning_id": version.learning_id, "kind": version.kind,
        "scorm_version": version.scorm_version, "title": version.title,
        "zip_sha256": version.zip_sha256, "zip_bytes": version.zip_bytes,
        "file_count": version.file_count, "total_bytes": version.total_bytes,
        "created_at": version.created_at.isoformat(), "current": version.id == current,
    }


@bp.get("")
@require_admin
def list_packages():
    with get_db().session() as s:
        rows = s.execute(select(Package, PackageVersion)
                         .outerjoin(PackageVersion, PackageVersion.id == Package.current_version)
                         .order_by(Package.learning_id)).all()
        return jsonify([package_json(p, v) for p, v in rows])


def _package(s, learning_id: int) -> Package:
    package = s.get(Package, learning_id)
    if package is None:
        raise NotFound(f"no package for learning id {learning_id}")
    return package


def _version(s, learning_id: int, version_id: str) -> PackageVersion:
    if version_id == "current":
        version_id = _package(s, learning_id).current_version or ""
    version = s.get(PackageVersion, version_id)
    if version is None or version.learning_id != learning_id:
        raise NotFound(f"no version {version_id!r} of learning id {learning_id}")
    return version


@bp.get("/<int:learning_id>")
@require_admin
def get_package(learning_id: int):
    with get_db().session() as s:
        package = _package(s, learning_id)
        version = s.get(PackageVersion, package.current_version) if package.current_version else None
        return jsonify(package_json(package, version))


@bp.get("/<int:learning_id>/versions")
@require_admin
def list_versions(learning_id: int):
    with get_db().session() as s:
        package = _package(s, learning_id)
        versions = s.scalars(select(PackageVersion).where(PackageVersion.learning_id == learning_id)
                             .order_by(PackageVersion.created_at.desc())).all()
        return jsonify([version_json(v, package.current_version) for v in versions])


@bp.get("/<int:learning_id>/versions/<version_id>/manifest")
@require_admin
def get_manifest(learning_id: int, version_id: str):
    with get_db().session() as s:
        return _raw_json(_version(s, learning_id, version_id).manifest_json)


@bp.get("/<int:learning_id>/versions/<version_id>/audit")
@require_admin
def get_audit(learning_id: int, version_id: str):
    with get_db().session() as s:
        return _raw_json(_version(s, learning_id, version_id).audit_json)


def _raw_json(text: str) -> Response:
    return Response(text, mimetype="application/json")


@bp.post("/<int:learning_id>/mirror")
@require_admin
def mirror_one(learning_id: int):
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    outcome = get_services().mirror().mirror(learning_id, container=bool(body.get("container")))
    status = 200 if outcome.ok else 422
    return jsonify({"learning_id": learning_id, "ok": outcome.ok, "version": outcome.version,
                    "unchanged": outcome.unchanged, "uploaded_files": outcome.uploaded_files,
                    "reused_files": outcome.reused_files, "error": outcome.error,
                    "error_code": outcome.error_code}), status


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
