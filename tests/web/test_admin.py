"""The auditor's UI over real HTTP: sign-in, CSRF, catalogue filters, escaping, downloads, diffs, preview.

The fixtures here (a sandbox folder of literal zips, the mirrored service, a signed-in
session) are shared with the browser tests in test_admin_browser.py.
"""
from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import lxml.html
import pytest
import requests
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from tests.plugins.service import ADMIN_TOKEN, SECRET_KEY, serving

pytestmark = pytest.mark.db

SANDBOX_TOKEN = "admin-ui-sandbox-token"
TIMEOUT = 20
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "<svg onload=alert(2)>"
HOSTILE_ID, COURSE_ID, BROKEN_ID = 1, 2, 3
NS_12 = ('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
         'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"')


def scorm12_manifest(org_title: str, items: list[tuple[str, str, str]], extra_files: dict[str, list[str]] = None) -> str:
    """items: (identifier, title, launch file); each gets its own resource r-<identifier>."""
    extra_files = extra_files or {}
    item_xml = "".join(f'<item identifier="{ident}" identifierref="r-{ident}"><title>{escape(title)}</title></item>'
                       for ident, title, _ in items)
    resources = "".join(
        f'<resource identifier="r-{ident}" type="webcontent" adlcp:scormtype="sco" href={quoteattr(href)}>'
        + "".join(f"<file href={quoteattr(f)}/>" for f in [href] + extra_files.get(ident, []))
        + "</resource>" for ident, _, href in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pkg" version="1" {NS_12}>
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{escape(org_title)}</title>{item_xml}
  </organization></organizations>
  <resources>{resources}</resources>
</manifest>"""


def write_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def hostile_v1(folder: Path) -> Path:
    return write_zip(folder / "01-hostile.zip", {
        "imsmanifest.xml": scorm12_manifest(SCRIPT, [("i1", IMG, "index.html")], {"i1": [IMG + ".html"]}),
        "index.html": "<!doctype html><title>x</title><p>lesson</p>",
        IMG + ".html": "<p>named to hurt</p>",
    })


def hostile_v2(folder: Path) -> Path:
    return write_zip(folder / "01-hostile.zip", {
        "imsmanifest.xml": scorm12_manifest(SCRIPT, [("i1", SVG, "index.html")]),
        "index.html": "<!doctype html><title>x</title><p>lesson, revised</p>",
    })


# A SCORM 1.2 SCO as authors write one: it finds the API up its parents and reports completion.
SCO_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Lesson</title></head>
<body><p>version one</p><p id="sco-status">no API</p>
<script>
var win = window, api = null;
for (var hops = 0; win && hops < 10; hops++) {
  if (win.API) { api = win.API; break; }
  if (win.parent === win) break;
  win = win.parent;
}
if (api) {
  api.LMSInitialize("");
  api.LMSSetValue("cmi.core.lesson_status", "completed");
  api.LMSSetValue("cmi.core.score.raw", "90");
  var ok = api.LMSCommit("");
  document.getElementById("sco-status").textContent = ok === "true" ? "committed" : "commit refused";
}
</script></body></html>"""


def course_v1(folder: Path) -> Path:
    return write_zip(folder / "02-fire-safety.zip", {
        "imsmanifest.xml": scorm12_manifest("Fire Safety Basics", [("i1", "Lesson one", "index.html")],
                                            {"i1": ["old.css"]}),
        "index.html": SCO_PAGE,
        "old.css": "p { color: black }",
    })


def course_v2(folder: Path) -> Path:
    return write_zip(folder / "02-fire-safety.zip", {
        "imsmanifest.xml": scorm12_manifest("Fire Safety Basics", [("i1", "Lesson one, revised", "index.html"),
                                                                    ("i2", "Quiz", "quiz.html")],
                                            {"i1": ["new.js"]}),
        "index.html": "<!doctype html><title>Lesson</title><p>version two</p>",
        "new.js": "var added = true;",
        "quiz.html": "<!doctype html><title>Quiz</title><p>quiz</p>",
    })


@pytest.fixture
def packages_dir(tmp_path) -> Path:
    folder = tmp_path / "upstream-packages"
    folder.mkdir()
    hostile_v1(folder)
    course_v1(folder)
    (folder / "03-broken.zip").write_bytes(b"this is not a zip file")
    return folder


@pytest.fixture
def site(packages_dir):
    from scormproxy.sandbox.testing import running_sandbox

    with running_sandbox(packages_dir, token=SANDBOX_TOKEN, seed_users=0) as server:
        yield server


def mirror(app, learning_id: int, **options):
    from scormproxy.services import get_services

    with app.app_context():
        return get_services().mirror().mirror(learning_id, **options)


@pytest.fixture
def admin_app(make_service, site):
    """The service with packages 1 and 2 mirrored and 3 failed (not a zip)."""
    app = make_service(sandbox=site, log_level="WARNING")
    assert mirror(app, HOSTILE_ID).ok and mirror(app, COURSE_ID).ok
    assert not mirror(app, BROKEN_ID).ok
    return app


def served(app):
    """The plugin's server with a short shutdown poll, quiet (many short-lived servers here)."""
    return serving(app, poll_interval=0.02, quiet=True)


@pytest.fixture
def base_url(admin_app):
    with served(admin_app) as url:
        yield url


def sign_in(base_url: str, token: str = ADMIN_TOKEN) -> requests.Session:
    session = requests.Session()
    response = session.post(f"{base_url}/admin/login", data={"token": token, "next": "/admin/"},
                            allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 303, response.text
    return session


@pytest.fixture
def admin(base_url) -> requests.Session:
    return sign_in(base_url)


def get(session, url: str, **kwargs) -> requests.Response:
    return session.get(url, allow_redirects=False, timeout=TIMEOUT, **kwargs)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def rows_of(html: str, table_id: str) -> list[list[str]]:
    tree = lxml.html.fromstring(html)
    return [[cell.text_content().strip() for cell in row.xpath("./th|./td")]
            for row in tree.xpath(f'//table[@id="{table_id}"]/tbody/tr')]


def assert_inert(html: str) -> None:
    """No markup from a manifest became markup on the page, and the text is still shown."""
    tree = lxml.html.fromstring(html)
    assert not tree.xpath("//script"), "a script element reached the page"
    assert not tree.xpath("//img | //svg"), "an image element reached the page"
    assert not tree.xpath("//@*[starts-with(name(), 'on')]"), "an event handler attribute reached the page"
    assert SCRIPT not in html and "<img" not in html and "<svg" not in html


def versions_of(app, learning_id: int):
    from scormproxy.db import get_db
    from scormproxy.models import PackageVersion

    with app.app_context(), get_db().session() as s:
        return s.scalars(select(PackageVersion).where(PackageVersion.learning_id == learning_id)
                         .order_by(PackageVersion.created_at)).all()


# Signing in.

def test_signed_out_visitors_are_sent_to_sign_in_and_their_posts_ignored(base_url, site):
    for path in ("/admin/", "/admin/packages/2", "/admin/packages/2/diff?a=x&b=y",
                 "/admin/packages/2/versions/x/report.json"):
        response = get(requests, base_url + path)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/admin/login?next=/admin/"), path
    before = len(site.requests_seen())
    response = requests.post(f"{base_url}/admin/packages/2/mirror", data={"csrf_token": "x"},
                             allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 303 and response.headers["Location"].startswith("/admin/login")
    assert len(site.requests_seen()) == before  # nothing was mirrored


def test_sign_in_and_out(base_url):
    login = get(requests, f"{base_url}/admin/packages/2")
    assert login.headers["Location"] == "/admin/login?next=/admin/packages/2"
    form = get(requests, base_url + login.headers["Location"])
    assert form.status_code == 200 and 'name="next" value="/admin/packages/2"' in form.text
    session = requests.Session()
    response = session.post(f"{base_url}/admin/login", data={"token": ADMIN_TOKEN, "next": "/admin/packages/2"},
                            allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/packages/2"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sp_admin=") and ADMIN_TOKEN not in cookie
    for attribute in ("HttpOnly", "Path=/admin", "SameSite=Strict", "Max-Age=28800"):
        assert attribute in cookie
    page = get(session, f"{base_url}/admin/")
    assert page.status_code == 200 and "Sign out" in page.text
    assert get(session, f"{base_url}/admin/login").headers["Location"] == "/admin/"  # already signed in
    response = session.post(f"{base_url}/admin/logout", data={"csrf_token": csrf_of(page.text)},
                            allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert "sp_admin=;" in response.headers["Set-Cookie"] and "Path=/admin" in response.headers["Set-Cookie"]
    assert get(session, f"{base_url}/admin/").status_code == 303


def test_wrong_tokens_are_refused_and_next_never_leaves_the_admin_pages(base_url):
    for token in ("wrong-token", "", ADMIN_TOKEN + "x", ADMIN_TOKEN[:-1], ADMIN_TOKEN.upper()):
        response = requests.post(f"{base_url}/admin/login", data={"token": token}, allow_redirects=False,
                                 timeout=TIMEOUT)
        assert response.status_code == 403, token
        assert "Set-Cookie" not in response.headers and "not valid" in response.text
    for next_url in ("//evil.example/admin/", "https://evil.example/admin/", "/elsewhere",
                     "/admin/login?next=/admin/", "/\\evil.example/admin/", "javascript:alert(1)"):
        response = requests.post(f"{base_url}/admin/login", data={"token": ADMIN_TOKEN, "next": next_url},
                                 allow_redirects=False, timeout=TIMEOUT)
        assert response.headers["Location"] == "/admin/", next_url


def test_forged_and_expired_cookies_are_refused(base_url, admin):
    genuine = admin.cookies.get("sp_admin")
    payload = URLSafeTimedSerializer(SECRET_KEY, salt="admin").loads(genuine)

    class NineHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 9 * 3600

    refused = {
        "garbage": "not-a-cookie",
        "other key": URLSafeTimedSerializer("another-secret", salt="admin").dumps(payload),
        "other salt": URLSafeTimedSerializer(SECRET_KEY, salt="scormproxy.grants").dumps(payload),
        "altered": genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
        "expired": URLSafeTimedSerializer(SECRET_KEY, salt="admin", signer=NineHoursAgo).dumps(payload),
        "no token fingerprint": URLSafeTimedSerializer(SECRET_KEY, salt="admin").dumps({"n": "x"}),
    }
    for label, value in refused.items():
        assert get(requests, f"{base_url}/admin/", cookies={"sp_admin": value}).status_code == 303, label
    assert get(requests, f"{base_url}/admin/", cookies={"sp_admin": genuine}).status_code == 200


def test_changing_the_admin_token_ends_sessions(make_service, site, admin):
    cookie = admin.cookies.get("sp_admin")
    rotated = make_service(sandbox=site, admin_token="a-new-admin-token-0042", log_level="WARNING")
    with served(rotated) as url:
        assert get(requests, f"{url}/admin/", cookies={"sp_admin": cookie}).status_code == 303
        assert get(sign_in(url, "a-new-admin-token-0042"), f"{url}/admin/").status_code == 200


def test_without_an_admin_token_nobody_signs_in(make_service):
    app = make_service(admin_token="", log_level="WARNING")
    with served(app) as url:
        assert "disabled" in get(requests, f"{url}/admin/login").text
        response = requests.post(f"{url}/admin/login", data={"token": ""}, allow_redirects=False, timeout=TIMEOUT)
        assert response.status_code == 403 and "Set-Cookie" not in response.headers


def test_posts_need_the_csrf_token_of_this_session(base_url, site, admin):
    page = get(admin, f"{base_url}/admin/packages/{COURSE_ID}").text
    other_session_token = csrf_of(get(sign_in(base_url), f"{base_url}/admin/").text)
    assert other_session_token != csrf_of(page)
    before = len(site.requests_seen())
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "0" * 64}, {"csrf_token": other_session_token}):
        for action in ("mirror", "preview"):
            response = admin.post(f"{base_url}/admin/packages/{COURSE_ID}/{action}", data=data,
                                  allow_redirects=False, timeout=TIMEOUT)
            assert response.status_code == 403 and "stale" in response.text, (action, data)
        response = admin.post(f"{base_url}/admin/logout", data=data, allow_redirects=False, timeout=TIMEOUT)
        assert response.status_code == 403
    assert len(site.requests_seen()) == before  # nothing was mirrored
    response = admin.post(f"{base_url}/admin/packages/{COURSE_ID}/mirror", data={"csrf_token": csrf_of(page)},
                          allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/packages/{COURSE_ID}?notice=unchanged"
    assert len(site.requests_seen()) > before


def test_headers_error_pages_and_stylesheet(base_url, admin, admin_app):
    version = versions_of(admin_app, COURSE_ID)[0].id
    for path in ("/admin/", "/admin/login", "/admin/packages/2", f"/admin/packages/2/diff?a={version}&b={version}",
                 "/admin/packages/404404", f"/admin/packages/2/versions/{version}/report.json"):
        response = get(admin, base_url + path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
    missing = get(admin, f"{base_url}/admin/packages/404404")
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert "No package has learning id 404404" in missing.text
    assert get(admin, f"{base_url}/admin/packages/2/versions/nope").status_code == 404
    assert get(admin, f"{base_url}/admin/packages/2/diff").status_code == 400
    css = get(admin, f"{base_url}/admin/static/admin.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")


# Catalogue.

def catalogue(session, base_url, **params) -> list[list[str]]:
    response = get(session, f"{base_url}/admin/", params=params)
    assert response.status_code == 200
    return rows_of(response.text, "catalogue")


def ids(rows) -> list[str]:
    return [row[0] for row in rows if len(row) > 1]


FILTER_CASES = [
    ({}, ["1", "2", "3", "99"]),
    ({"q": "fire"}, ["2"]),
    ({"q": "FIRE safety"}, ["2"]),
    ({"q": "<script>"}, ["1"]),
    ({"q": "3"}, ["3"]),
    ({"q": "no such title"}, []),
    ({"status": "failed"}, ["3"]),
    ({"status": "mirrored"}, ["1", "2", "99"]),
    ({"scorm_version": "1.2"}, ["1", "2"]),
    ({"scorm_version": "2004 4th Edition"}, ["99"]),
    ({"has_errors": "1"}, ["99"]),
    ({"has_warnings": "1"}, ["99"]),
    ({"has_errors": "1", "has_warnings": "1", "q": "seeded"}, ["99"]),
    ({"status": "mirrored", "q": "fire", "has_errors": "1"}, []),
    ({"status": "bogus", "scorm_version": "9.9", "page": "x"}, ["1", "2", "3", "99"]),
]


def test_catalogue_lists_and_filters(base_url, admin, admin_app):
    seed_version_with_errors(admin_app, 99)
    rows = catalogue(admin, base_url)
    hostile, course, broken, seeded = rows
    assert hostile[1] == SCRIPT and hostile[2] == "mirrored" and hostile[3] == "1.2"
    assert course[1] == "Fire Safety Basics" and course[4:7] == ["0", "0", "0"]
    assert broken[2].startswith("failed") and "zip" in broken[2] and broken[3] == "—" and broken[7] == "none"
    assert seeded[4:7] == ["2", "1", "0"]
    for params, expected in FILTER_CASES:
        assert ids(catalogue(admin, base_url, **params)) == expected, params
    html = get(admin, f"{base_url}/admin/", params={"q": IMG, "status": "failed", "has_warnings": "1"}).text
    tree = lxml.html.fromstring(html)
    assert tree.xpath('//input[@name="q"]/@value') == [IMG]
    assert tree.xpath('//select[@name="status"]/option[@selected]/@value') == ["failed"]
    assert tree.xpath('//input[@name="has_warnings"]/@checked') and not tree.xpath('//input[@name="has_errors"]/@checked')
    assert_inert(html)


def test_catalogue_pages(base_url, admin, monkeypatch):
    from scormproxy.web import admin as admin_ui

    monkeypatch.setattr(admin_ui, "CATALOGUE_PAGE_SIZE", 2)
    assert ids(catalogue(admin, base_url)) == ["1", "2"]
    assert ids(catalogue(admin, base_url, page="2")) == ["3"]
    assert ids(catalogue(admin, base_url, page="9")) == ["3"]  # past the end: the last page
    html = get(admin, f"{base_url}/admin/", params={"page": "1"}).text
    assert 'href="/admin/?page=2"' in html and 'aria-current="page"' in html
    monkeypatch.setattr(admin_ui, "CATALOGUE_PAGE_SIZE", 1)
    html = get(admin, f"{base_url}/admin/", params={"q": "a", "page": "2"}).text  # filters survive paging
    assert ids(rows_of(html, "catalogue")) == ["2"] and 'href="/admin/?q=a&amp;page=1"' in html


def seed_version_with_errors(app, learning_id: int) -> None:
    """A version whose stored audit has errors; mirroring refuses such packages, so it is written directly."""
    from scormproxy.db import get_db
    from scormproxy.models import Package, PackageVersion

    report = {"summary": {"errors": 2, "warnings": 1, "infos": 0, "passed": False},
              "findings": [{"severity": "error", "code": "manifest.launch_missing", "message": "gone", "location": "a"},
                           {"severity": "error", "code": "zip.bad_name", "message": "bad", "location": "b"},
                           {"severity": "warning", "code": "content.top_navigation", "message": "top", "location": "c"}]}
    with app.app_context(), get_db().session() as s:
        s.add(Package(learning_id=learning_id, title="Seeded", status="mirrored", current_version="seeded-v1"))
        s.flush()
        s.add(PackageVersion(id="seeded-v1", learning_id=learning_id, scorm_version="2004 4th Edition",
                             title="Seeded", zip_sha256="0" * 64, manifest_json="{}", audit_json=json.dumps(report)))


# Package page, escaping, downloads.

def test_package_page_shows_identity_tree_findings_files_and_history(base_url, admin, admin_app):
    html = get(admin, f"{base_url}/admin/packages/{HOSTILE_ID}").text
    tree = lxml.html.fromstring(html)
    assert tree.xpath("string(//h1)") == SCRIPT
    identity = tree.xpath('//section[@id="identity"]')[0].text_content()
    assert versions_of(admin_app, HOSTILE_ID)[0].id in identity and "1.2" in identity
    items = tree.xpath('//section[@id="organizations"]//li')
    assert len(items) == 1 and IMG in items[0].text_content() and "launches index.html" in items[0].text_content()
    stored = json.loads(versions_of(admin_app, HOSTILE_ID)[0].audit_json)["findings"]
    assert [row[1] for row in rows_of(html, "findings-table")] == [f["code"] for f in stored]
    files = [row[0] for row in rows_of(html, "files-table")]
    assert files == sorted(["imsmanifest.xml", "index.html", IMG + ".html"])
    assert len(rows_of(html, "versions-table")) == 1 and "a comparison needs two" in html
    assert_inert(html)


def test_every_manifest_value_is_escaped(base_url, admin, admin_app, packages_dir):
    hostile_v2(packages_dir)
    page = get(admin, f"{base_url}/admin/packages/{HOSTILE_ID}")
    mirrored = admin.post(f"{base_url}/admin/packages/{HOSTILE_ID}/mirror", data={"csrf_token": csrf_of(page.text)},
                          allow_redirects=False, timeout=TIMEOUT)
    assert mirrored.headers["Location"].endswith("notice=mirrored")
    old, new = versions_of(admin_app, HOSTILE_ID)
    pages = {
        "catalogue": f"/admin/?q={SCRIPT}",
        "package": f"/admin/packages/{HOSTILE_ID}?notice={SCRIPT}",
        "old version": f"/admin/packages/{HOSTILE_ID}/versions/{old.id}",
        "diff": f"/admin/packages/{HOSTILE_ID}/diff?a={old.id}&b={new.id}",
        "report": f"/admin/packages/{HOSTILE_ID}/versions/{old.id}/report.html",
        "not found": f"/admin/packages/{HOSTILE_ID}/versions/{SCRIPT}",
    }
    for label, path in pages.items():
        response = get(admin, base_url + path)
        assert response.status_code in (200, 404), label
        assert_inert(response.text)
    diff = get(admin, base_url + pages["diff"]).text
    assert ["organizations[org].items[i1].title", "changed", IMG, SVG] in rows_of(diff, "manifest-table")
    assert [IMG + ".html"] == [row[0] for row in rows_of(diff, "files-removed-table")]
    old_page = lxml.html.fromstring(get(admin, base_url + pages["old version"]).text).text_content()
    assert IMG in old_page and SCRIPT in old_page and "earlier version" in old_page


def test_report_downloads(base_url, admin, admin_app):
    version = versions_of(admin_app, COURSE_ID)[0]
    base = f"/admin/packages/{COURSE_ID}/versions/{version.id}/report"
    expected = {"json": "application/json", "html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8"}
    bodies = {}
    for fmt, content_type in expected.items():
        response = get(admin, f"{base_url}{base}.{fmt}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Content-Disposition"] == f'attachment; filename="audit-{COURSE_ID}-{version.id}.{fmt}"'
        bodies[fmt] = response.content.decode()
    assert json.loads(bodies["json"]) == json.loads(version.audit_json)
    assert "Fire Safety Basics" in bodies["html"] and "<script" not in bodies["html"]
    assert next(csv.reader(io.StringIO(bodies["csv"]))) == ["severity", "code", "message", "location"]
    assert get(admin, f"{base_url}{base}.pdf").status_code == 404
    page = get(admin, f"{base_url}/admin/packages/{COURSE_ID}").text
    assert all(f'href="{base}.{fmt}"' in page for fmt in expected)
    other = versions_of(admin_app, HOSTILE_ID)[0].id  # a version of another package is not this one's
    for path in (f"/versions/{other}", f"/versions/{other}/report.json", f"/diff?a={other}&b={other}"):
        assert get(admin, f"{base_url}/admin/packages/{COURSE_ID}{path}").status_code == 404, path


# Diffs.

def test_mirror_again_and_diff_two_versions(base_url, admin, admin_app, packages_dir):
    course_v2(packages_dir)
    page = get(admin, f"{base_url}/admin/packages/{COURSE_ID}").text
    response = admin.post(f"{base_url}/admin/packages/{COURSE_ID}/mirror", data={"csrf_token": csrf_of(page)},
                          allow_redirects=False, timeout=TIMEOUT)
    assert response.headers["Location"] == f"/admin/packages/{COURSE_ID}?notice=mirrored"
    page = get(admin, base_url + response.headers["Location"]).text
    assert "a new version is now current" in page
    tree = lxml.html.fromstring(page)
    a = tree.xpath('//input[@name="a"][@checked]/@value')
    b = tree.xpath('//input[@name="b"][@checked]/@value')
    old, new = versions_of(admin_app, COURSE_ID)
    assert (a, b) == ([old.id], [new.id])
    diff = get(admin, f"{base_url}/admin/packages/{COURSE_ID}/diff", params={"a": a[0], "b": b[0]}).text
    assert [r[0] for r in rows_of(diff, "files-added-table")] == ["new.js", "quiz.html"]
    assert [r[0] for r in rows_of(diff, "files-removed-table")] == ["old.css"]
    assert [r[0] for r in rows_of(diff, "files-changed-table")] == ["imsmanifest.xml", "index.html"]
    changes = {(r[0], r[1]) for r in rows_of(diff, "manifest-table")}
    assert {("organizations[org].items[i1].title", "changed"), ("organizations[org].items[i2]", "added"),
            ("resources.r-i2", "added"), ("resources.r-i1.files", "changed")} <= changes
    assert "Lesson one, revised" in diff
    same = get(admin, f"{base_url}/admin/packages/{COURSE_ID}/diff", params={"a": new.id, "b": new.id}).text
    assert "No differences" in same


# Preview.

def test_preview_launches_a_fresh_test_learner_and_reports_nothing(base_url, admin, admin_app):
    from scormproxy.db import get_db
    from scormproxy.models import Attempt, OutboxRow

    page = get(admin, f"{base_url}/admin/packages/{COURSE_ID}").text
    attempts = []
    for _ in range(2):
        response = admin.post(f"{base_url}/admin/packages/{COURSE_ID}/preview", data={"csrf_token": csrf_of(page)},
                              allow_redirects=False, timeout=TIMEOUT)
        assert response.status_code == 303 and response.headers["Location"].startswith("/play/")
        learner = requests.Session()
        opened = get(learner, base_url + response.headers["Location"])
        assert opened.status_code == 303 and opened.headers["Location"].startswith("/play/attempt/")
        attempts.append(opened.headers["Location"].rsplit("/", 1)[1])
        assert get(learner, base_url + response.headers["Location"]).status_code == 403  # a launch works once
    assert attempts[0] != attempts[1]
    with admin_app.app_context(), get_db().session() as s:
        for attempt_id in attempts:
            attempt = s.get(Attempt, attempt_id)
            assert attempt.preview and attempt.user_id.startswith("preview-") and attempt.learning_id == COURSE_ID
        assert s.scalars(select(OutboxRow)).all() == []
    broken = get(admin, f"{base_url}/admin/packages/{BROKEN_ID}").text
    assert "Preview as test learner" not in broken
    response = admin.post(f"{base_url}/admin/packages/{BROKEN_ID}/preview", data={"csrf_token": csrf_of(broken)},
                          allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 400 and "no mirrored version" in response.text
