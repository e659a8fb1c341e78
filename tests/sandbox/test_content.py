"""Package files served like a CDN (no token, never outside the package), and the remote player page."""
from __future__ import annotations

import http.client
import stat
import zipfile
from urllib.parse import urlsplit

import pytest
import requests

from scormproxy.sandbox.testing import running_sandbox

from .conftest import TIMEOUT


def _raw_get(base_url: str, raw_path: str) -> tuple[int, str | None]:
    # http.client sends the path as written: requests would normalise the dot segments away.
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(base_url).port, timeout=TIMEOUT)
    try:
        connection.request("GET", raw_path)
        response = connection.getresponse()
        return response.status, response.headers.get("Location")
    finally:
        connection.close()


def test_content_is_served_without_a_token(sandbox, demo_packages):
    with zipfile.ZipFile(demo_packages / "02-workshop-basics-scorm2004.zip") as archive:
        expected = archive.read("shared/course.js")
    response = requests.get(sandbox.site_url + "/content/2/shared/course.js", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.content == expected
    assert "javascript" in response.headers["Content-Type"]
    page = requests.get(sandbox.site_url + "/content/1/index.html", timeout=TIMEOUT)
    assert page.headers["Content-Type"].startswith("text/html")
    assert sandbox.requests_seen() == []  # content is not API traffic


@pytest.mark.parametrize("raw_path", [
    "/demo/content/1/../../../../etc/passwd",
    "/demo/content/1/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/demo/content/1/..%2f2/intro.html",
    "/demo/content/1/missing.html",
    "/demo/content/9/index.html",
    "/demo/content/1/",
])
def test_nothing_outside_a_package_is_served(sandbox, raw_path):
    assert _raw_get(sandbox.base_url, raw_path) == (404, None)


def test_double_slashes_are_merged_inside_the_package(sandbox):
    status, location = _raw_get(sandbox.base_url, "/demo/content/1//etc/passwd")
    assert (status, urlsplit(location).path) == (308, "/demo/content/1/etc/passwd")
    assert _raw_get(sandbox.base_url, "/demo/content/1/etc/passwd") == (404, None)


def test_hostile_members_are_skipped_when_extracting(tmp_path):
    folder = tmp_path / "packages"
    folder.mkdir()
    with zipfile.ZipFile(folder / "hostile.zip", "w") as archive:
        archive.writestr("imsmanifest.xml", "<manifest/>")
        archive.writestr("ok/page.html", "<p>fine</p>")
        archive.writestr("../escaped.txt", "outside")
        archive.writestr("/absolute.txt", "outside")
        archive.writestr("dir\\back.txt", "backslash")
        link = zipfile.ZipInfo("link.html")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    work = tmp_path / "work"
    with running_sandbox(folder, seed_users=0, work_dir=work) as server:
        assert requests.get(server.site_url + "/content/1/ok/page.html", timeout=TIMEOUT).text == "<p>fine</p>"
        assert requests.get(server.site_url + "/content/1/link.html", timeout=TIMEOUT).status_code == 404
    extracted = sorted(p.relative_to(work).as_posix() for p in work.rglob("*"))
    assert extracted == ["content", "content/1", "content/1/imsmanifest.xml", "content/1/ok",
                         "content/1/ok/page.html"]


def test_inflated_size_is_capped(tmp_path):
    folder = tmp_path / "packages"
    folder.mkdir()
    with zipfile.ZipFile(folder / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.html", b"\0" * 200_000)
    with running_sandbox(folder, seed_users=0, content_max_bytes=100_000) as server:
        response = requests.get(server.site_url + "/content/1/big.html", timeout=TIMEOUT)
    assert response.status_code == 500
    assert "inflates past" in response.json()["error"]


def test_temporary_work_dir_is_removed_on_stop(demo_packages):
    with running_sandbox(demo_packages, seed_users=0) as server:
        requests.get(server.site_url + "/content/1/index.html", timeout=TIMEOUT)
        work = server.sandbox.work_dir
        assert (work / "content" / "1" / "index.html").is_file()
    assert not work.exists()


def test_remote_player_page_points_at_the_launch_file(sandbox):
    response = requests.get(sandbox.site_url + "/remote-player/2", timeout=TIMEOUT)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert f'"launch_url": "{sandbox.site_url}/content/2/intro.html"' in response.text
    assert "API_1484_11" in response.text
    assert requests.get(sandbox.site_url + "/remote-player/9", timeout=TIMEOUT).status_code == 404
