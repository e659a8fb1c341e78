"""The auditor's UI in headless Chromium: sign in, search, open a report, diff two versions, preview.

Everything but the preview runs with JavaScript switched off: the pages must work as
plain forms and links. Screenshots go to test-artifacts/ at the repo root.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from scormproxy.runtime.browser import launched_chromium
from tests.plugins.service import ADMIN_TOKEN
from tests.web.test_admin import (COURSE_ID, admin_app, course_v2, packages_dir, served,  # noqa: F401 (fixtures)
                                  site, versions_of)

pytestmark = [pytest.mark.browser, pytest.mark.db]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_SECONDS = 10.0


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def ui(admin_app):  # noqa: F811 (the fixture imported above)
    with served(admin_app) as url:
        yield url


def new_page(chromium, *, javascript: bool):
    context = chromium.new_context(java_script_enabled=javascript, accept_downloads=True,
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_SECONDS * 1000)
    return context, page


def sign_in(page, ui: str) -> None:
    page.goto(f"{ui}/admin/")
    assert "/admin/login" in page.url
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{ui}/admin/")


def test_sign_in_search_report_and_diff_without_javascript(chromium, ui, packages_dir, admin_app):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = new_page(chromium, javascript=False)
    try:
        sign_in(page, ui)
        assert page.locator("#catalogue tbody tr").count() == 3
        page.screenshot(path=str(ARTIFACTS / "admin-catalogue.png"), full_page=True)

        page.get_by_label("Title or learning id").fill("fire")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(lambda url: "/admin/?q=fire" in url)
        rows = page.locator("#catalogue tbody tr")
        assert rows.count() == 1
        rows.get_by_role("link", name="Fire Safety Basics").click()
        page.wait_for_url(f"{ui}/admin/packages/{COURSE_ID}")
        assert page.locator("h1").inner_text() == "Fire Safety Basics"

        with page.expect_download() as download_info:
            page.get_by_role("link", name="JSON").click()
        download = download_info.value
        assert download.suggested_filename.startswith(f"audit-{COURSE_ID}-") and download.suggested_filename.endswith(".json")
        report = json.loads(Path(download.path()).read_text())
        assert report["title"] == "Fire Safety Basics" and report["scorm_version"] == "1.2"
        with page.expect_download() as download_info:
            page.get_by_role("link", name="HTML").click()
        report_page = context.new_page()
        report_page.set_content(Path(download_info.value.path()).read_text())  # the file has no .html name
        assert "Fire Safety Basics" in report_page.locator("h1").inner_text()
        report_page.close()

        course_v2(packages_dir)  # the upstream publishes a new version
        page.get_by_role("button", name="Mirror again").click()
        page.wait_for_url(lambda url: url.endswith("notice=mirrored"))
        assert page.locator("#versions-table tbody tr").count() == 2
        page.screenshot(path=str(ARTIFACTS / "admin-package.png"), full_page=True)

        old, new = versions_of(admin_app, COURSE_ID)
        page.get_by_label(f"Compare from {old.id}").check()
        page.get_by_label(f"Compare to {new.id}").check()
        page.get_by_role("button", name="Compare versions").click()
        page.wait_for_url(lambda url: "/diff?" in url)
        assert parse_qs(urlsplit(page.url).query) == {"a": [old.id], "b": [new.id]}
        assert page.locator("#files-added-table tbody tr td:first-child").all_inner_texts() == ["new.js", "quiz.html"]
        assert page.locator("#files-removed-table tbody tr td:first-child").all_inner_texts() == ["old.css"]
        assert "Lesson one, revised" in page.locator("#manifest-table").inner_text()
        page.screenshot(path=str(ARTIFACTS / "admin-diff.png"), full_page=True)
    finally:
        context.close()


def test_preview_opens_the_player_as_a_test_learner_and_reports_nothing(chromium, ui, site, admin_app):  # noqa: F811
    from scormproxy.db import get_db
    from scormproxy.models import Attempt, OutboxRow

    context, page = new_page(chromium, javascript=True)
    try:
        sign_in(page, ui)
        page.get_by_role("link", name="Fire Safety Basics").click()
        page.get_by_role("button", name="Preview as test learner").click()
        page.wait_for_url("**/play/attempt/*")
        assert page.locator("#content-frame").count() == 1
        frame = page.frame_locator("#content-frame")
        assert frame.locator("#sco-status").inner_text(timeout=WAIT_SECONDS * 1000) == "committed"
        attempt_id = page.url.rsplit("/", 1)[1]
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            with admin_app.app_context(), get_db().session() as s:
                attempt = s.get(Attempt, attempt_id)
                if attempt.started or time.monotonic() > deadline:
                    break
            time.sleep(0.1)
        assert attempt.preview and attempt.started and attempt.user_id.startswith("preview-")
        with admin_app.app_context(), get_db().session() as s:
            assert s.scalars(select(OutboxRow)).all() == []
        assert site.progress_log() == []
    finally:
        context.close()
