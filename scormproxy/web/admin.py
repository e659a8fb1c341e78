"""The auditor's web UI at /admin/: sign-in, catalogue, package pages, version diffs, report downloads, preview.

Server-rendered and script-free. The session cookie and CSRF tokens are admin_session's, the
catalogue's filters and finding counts admin_catalogue's; this module holds the blueprint
and its routes. Manifest text reaches the pages only through Jinja's autoescaping.
"""
from __future__ import annotations

import dataclasses
import hmac
import json
import logging
import secrets

from flask import (Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for)
from sqlalchemy import func, select
from sqlalchemy.orm import defer
from werkzeug.exceptions import HTTPException

from ..admin_diff import diff_versions, json_object
from ..audit.formats import FORMATS, render
from ..db import get_db
from ..errors import BadRequest, NotFound, ScormProxyError
from ..launch import make_launch_token
from ..models import Package, PackageFile, PackageVersion
from ..services import get_services
from .admin_catalogue import (SCORM_VERSIONS, STATUSES, CatalogueFilters, SummaryCache, finding_counts,
                              has_findings)
from .admin_session import (COOKIE_NAME, SESSION_TTL_SECONDS, clear_session_cookie, csrf_token, safe_next,
                            session_valid, set_session_cookie)
from .auth import Forbidden, admin_token_valid

log = logging.getLogger(__name__)

CATALOGUE_PAGE_SIZE = 100
FILE_ROWS_SHOWN = 2000  # the downloads list every file; a page with 20,000 rows helps nobody
DIFF_ROWS_SHOWN = 2000
VALUE_SHOWN_CHARS = 400
PREVIEW_USER_PREFIX = "preview-"
# No script at all: the UI is forms and links.
ADMIN_CSP = ("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'")
# The downloaded HTML report carries its own inline style and nothing else.
REPORT_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'"
REPORT_MEDIA_TYPES = {"json": "application/json", "html": "text/html; charset=utf-8",
                      "csv": "text/csv; charset=utf-8"}
PUBLIC_ENDPOINTS = {"admin.login", "admin.login_submit", "admin.static"}

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static_admin", static_url_path="/static")


class CsrfRefused(Forbidden):
    code = "csrf_refused"


def _settings():
    return current_app.config["SETTINGS"]


# Sign-in and CSRF.

@bp.before_request
def _require_session():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    cookie = request.cookies.get(COOKIE_NAME)
    if not session_valid(cookie):
        target = request.full_path if request.method == "GET" else url_for("admin.catalogue")
        return redirect(url_for("admin.login", next=target.rstrip("?")), code=303)
    if request.method == "POST":
        presented = request.form.get("csrf_token", "")
        if not hmac.compare_digest(presented.encode(), csrf_token().encode()):
            log.warning("admin form refused: bad CSRF token", extra={"endpoint": request.endpoint})
            raise CsrfRefused("This form is stale or did not come from this site. Reload the page and try again.")
    return None


@bp.after_request
def _page_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", ADMIN_CSP)
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "admin.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ScormProxyError)
def _our_error(err: ScormProxyError):
    headers = {"Retry-After": str(err.retry_after)} if getattr(err, "retry_after", None) else {}
    return (render_template("admin/error.html", status=err.http_status, message=err.message), err.http_status,
            headers)


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return render_template("admin/error.html", status=err.code, message=err.description), err.code


@bp.context_processor
def _template_helpers():
    return {"csrf_token": csrf_token, "signed_in": session_valid(request.cookies.get(COOKIE_NAME))}


@bp.app_template_filter("manifest_value")
def manifest_value(value) -> str:
    """A manifest value as text for a diff cell (autoescaped by the template, never marked safe)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_SHOWN_CHARS else text[:VALUE_SHOWN_CHARS] + "…"


@bp.get("/login")
def login():
    if session_valid(request.cookies.get(COOKIE_NAME)):
        return redirect(safe_next(request.args.get("next")), code=303)
    return render_template("admin/login.html", next=safe_next(request.args.get("next")),
                           enabled=bool(_settings().admin_token), refused=False)


@bp.post("/login")
def login_submit():
    target = safe_next(request.form.get("next"))
    if not admin_token_valid(request.form.get("token", "").strip()):
        log.warning("admin sign-in refused", extra={"remote": request.remote_addr})
        return render_template("admin/login.html", next=target, enabled=bool(_settings().admin_token),
                               refused=True), 403
    log.info("admin signed in", extra={"remote": request.remote_addr})
    response = redirect(target, code=303)
    set_session_cookie(response)
    return response


@bp.post("/logout")
def logout():
    response = redirect(url_for("admin.login"), code=303)
    clear_session_cookie(response)
    return response


# Catalogue.

@bp.get("/")
def catalogue():
    filters = CatalogueFilters.from_args(request.args)
    with get_db().session() as s:
        rows = s.execute(select(Package.learning_id, Package.title, Package.status, Package.error,
                                Package.current_version, PackageVersion.scorm_version,
                                PackageVersion.title.label("version_title"))
                         .outerjoin(PackageVersion, PackageVersion.id == Package.current_version)
                         .order_by(Package.learning_id)).all()
        needle = filters.q.casefold()
        rows = [r for r in rows
                if (not needle or needle in (r.title or "").casefold() or needle in (r.version_title or "").casefold()
                    or needle == str(r.learning_id))
                and (not filters.status or r.status == filters.status)
                and (not filters.scorm_version or r.scorm_version == filters.scorm_version)]
        summaries = current_app.extensions["scormproxy.admin"]["summaries"]
        if filters.has_errors or filters.has_warnings:
            counts = summaries.counts(s, [r.current_version for r in rows if r.current_version])
            rows = [r for r in rows if has_findings(counts.get(r.current_version), filters)]
        pages = max(1, -(-len(rows) // CATALOGUE_PAGE_SIZE))
        filters = dataclasses.replace(filters, page=min(filters.page, pages))
        shown = rows[(filters.page - 1) * CATALOGUE_PAGE_SIZE:filters.page * CATALOGUE_PAGE_SIZE]
        counts = summaries.counts(s, [r.current_version for r in shown if r.current_version])
    return render_template("admin/catalogue.html", rows=shown, counts=counts, filters=filters, total=len(rows),
                           pages=pages, scorm_versions=SCORM_VERSIONS, statuses=STATUSES)


# Package pages.

def _package(s, learning_id: int) -> Package:
    package = s.get(Package, learning_id)
    if package is None:
        raise NotFound(f"No package has learning id {learning_id}.")
    return package


def _version(s, learning_id: int, version_id: str) -> PackageVersion:
    version = s.get(PackageVersion, version_id)
    if version is None or version.learning_id != learning_id:
        raise NotFound(f"Learning id {learning_id} has no version {version_id!r}.")
    return version


@bp.get("/packages/<int:learning_id>")
def package_page(learning_id: int):
    return _render_package(learning_id, None)


@bp.get("/packages/<int:learning_id>/versions/<version_id>")
def version_page(learning_id: int, version_id: str):
    return _render_package(learning_id, version_id)


def _render_package(learning_id: int, version_id: str | None):
    with get_db().session() as s:
        package = _package(s, learning_id)
        # The history needs no manifests or audits: a package can have many versions.
        versions = s.scalars(select(PackageVersion).where(PackageVersion.learning_id == learning_id)
                             .options(defer(PackageVersion.manifest_json), defer(PackageVersion.audit_json))
                             .order_by(PackageVersion.created_at.desc(), PackageVersion.id)).all()
        chosen = version_id or package.current_version
        version = _version(s, learning_id, chosen) if chosen else None
        files, file_total, report, manifest = [], 0, {}, {}
        if version is not None:
            files = s.scalars(select(PackageFile).where(PackageFile.version_id == version.id)
                              .order_by(PackageFile.path).limit(FILE_ROWS_SHOWN)).all()
            file_total = s.scalar(select(func.count()).select_from(PackageFile)
                                  .where(PackageFile.version_id == version.id))
            report, manifest = json_object(version.audit_json), json_object(version.manifest_json)
    return render_template("admin/package.html", package=package, version=version, versions=versions,
                           report=report, counts=finding_counts(report) if version else None,
                           organizations=organization_tree(report, manifest), files=files,
                           file_total=file_total, formats=FORMATS, notice=request.args.get("notice"),
                           default_a=versions[1].id if len(versions) > 1 else None,
                           default_b=versions[0].id if versions else None)


def organization_tree(report: dict, manifest: dict) -> list[dict]:
    """Organizations as nested {identifier, title, kind, launch, visible, children}, from the audit or the manifest."""
    def item(node: dict) -> dict:
        return {"identifier": node.get("identifier"), "title": node.get("title"), "kind": node.get("kind"),
                "launch": node.get("launch", node.get("launch_href")),
                "visible": node.get("is_visible", True), "children": [item(c) for c in node.get("children", [])]}

    source = report.get("organizations") or manifest.get("organizations") or []
    default = manifest.get("default_organization")
    return [{"identifier": org.get("identifier"), "title": org.get("title"),
             "is_default": org.get("is_default", org.get("identifier") == default),
             "items": [item(i) for i in org.get("items", [])]} for org in source]


@bp.post("/packages/<int:learning_id>/mirror")
def mirror_again(learning_id: int):
    with get_db().session() as s:
        current = _package(s, learning_id).current_version
        container = current is not None and s.get(PackageVersion, current).kind == "container"
    outcome = get_services().mirror().mirror(learning_id, container=container)
    notice = "failed" if not outcome.ok else "unchanged" if outcome.unchanged else "mirrored"
    return redirect(url_for("admin.package_page", learning_id=learning_id, notice=notice), code=303)


@bp.post("/packages/<int:learning_id>/preview")
def preview(learning_id: int):
    with get_db().session() as s:
        if not _package(s, learning_id).current_version:
            raise BadRequest("This package has no mirrored version to preview yet.")
    # A fresh test learner each time: the auditor sees the course from its start, and
    # preview attempts never write outbox rows, so nothing reaches Open eLMS.
    learner = PREVIEW_USER_PREFIX + secrets.token_hex(8)
    token = make_launch_token(_settings(), learner, learning_id, preview=True)
    log.info("admin preview", extra={"learning_id": learning_id})
    return redirect(f"/play/{token}", code=303)


@bp.get("/packages/<int:learning_id>/versions/<version_id>/report.<fmt>")
def report_download(learning_id: int, version_id: str, fmt: str):
    if fmt not in FORMATS:
        raise NotFound(f"Reports come as {', '.join(FORMATS)}.")
    with get_db().session() as s:
        version = _version(s, learning_id, version_id)
    report = json_object(version.audit_json)
    if not report:
        raise NotFound("This version has no stored audit report.")
    response = Response(render(report, fmt), content_type=REPORT_MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{learning_id}-{version.id}.{fmt}"'
    if fmt == "html":
        response.headers["Content-Security-Policy"] = REPORT_HTML_CSP
    return response


@bp.get("/packages/<int:learning_id>/diff")
def diff(learning_id: int):
    a_id, b_id = request.args.get("a", ""), request.args.get("b", "")
    if not a_id or not b_id:
        raise BadRequest("Choose two versions to compare.")
    with get_db().session() as s:
        package = _package(s, learning_id)
        changes = diff_versions(s, _version(s, learning_id, a_id), _version(s, learning_id, b_id))
    return render_template("admin/diff.html", package=package, diff=changes, limit=DIFF_ROWS_SHOWN)


def init_app(app: Flask, *, session_ttl: int | None = None) -> None:
    """`session_ttl`: seconds an admin sign-in lasts (default: settings.admin_session_ttl, else 8 hours)."""
    ttl = session_ttl or getattr(app.config["SETTINGS"], "admin_session_ttl", SESSION_TTL_SECONDS)
    app.extensions["scormproxy.admin"] = {"session_ttl": int(ttl), "summaries": SummaryCache()}
    app.register_blueprint(bp)
