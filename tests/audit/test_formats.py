"""Renderers: JSON as built, HTML with every manifest value escaped, CSV of findings."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from scormproxy.audit import build_report
from scormproxy.audit.formats import CSV_COLUMNS, FORMATS, render, render_csv, render_html, render_json

from .builders import build_package

PAYLOAD = "<script>alert(1)</script>"
ATTRIBUTE_PAYLOAD = '"><img src=x onerror=alert(2)>'
XML_PAYLOAD = "&lt;script&gt;alert(1)&lt;/script&gt;"  # PAYLOAD as written inside manifest XML


@pytest.fixture
def hostile_report(tmp_path):
    """Script payloads everywhere a manifest or a zip lets an author put text."""
    items = (f'<item identifier="i1" identifierref="r1" parameters="?x=&quot;&gt;&lt;b&gt;">'
             f'<title>{XML_PAYLOAD}</title><adlcp:datafromlms>{XML_PAYLOAD}</adlcp:datafromlms>'
             f'<adlcp:prerequisites type="aicc_script">{XML_PAYLOAD}</adlcp:prerequisites></item>'
             f'<item identifier="i2"><title>&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</title></item>')
    metadata = (f'<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title><string>{XML_PAYLOAD}</string></title>'
                f'<description><string>{XML_PAYLOAD}</string></description></general></lom>')
    files = {f"media/{PAYLOAD}.txt": "x", "index.html": '<img src="missing<b>.png">'}
    path = build_package(tmp_path, files, items=items, org_title=XML_PAYLOAD, metadata=metadata)
    return build_report(path)


def test_hostile_report_really_carries_the_payloads(hostile_report):
    text = json.dumps(hostile_report, ensure_ascii=False)
    assert PAYLOAD in text and ATTRIBUTE_PAYLOAD in text
    assert hostile_report["organizations"][0]["title"] == PAYLOAD


def test_html_escapes_every_manifest_value(hostile_report):
    page = render_html(hostile_report)
    assert "<script" not in page.lower()  # the page itself has no scripts, so any is injected
    assert "<img src=x" not in page and "<b>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # title, org, item, file, data ...
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_html_is_a_standalone_accessible_page(hostile_report):
    page = render_html(hostile_report)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # nothing fetched from elsewhere
    assert page.count("<caption>") >= 2 and '<th scope="col">' in page
    assert re.search(r"<h1>.*</h1>", page) and "<main>" in page


def test_html_renders_an_empty_report(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"nope")
    page = render_html(build_report(path))
    assert "Errors found" in page and "zip.not_a_zip" in page and "No usable organization." in page


def test_json_keeps_the_build_order_and_round_trips(hostile_report):
    text = render_json(hostile_report)
    assert json.loads(text) == hostile_report
    assert list(json.loads(text)) == list(hostile_report)
    assert text.startswith('{\n  "report_version": 1,\n  "schema": ')


def test_csv_has_one_row_per_finding(hostile_report):
    rows = list(csv.reader(io.StringIO(render_csv(hostile_report))))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1:] == [[f[c] for c in CSV_COLUMNS] for f in hostile_report["findings"]]


def test_csv_neutralises_spreadsheet_formulas():
    report = {"findings": [{"severity": "warning", "code": "x.y", "message": "=HYPERLINK(\"http://evil\")",
                            "location": "@SUM(A1)"}, {"severity": "info", "code": "x.z", "message": "-1+2",
                                                      "location": "a.html:3"}]}
    rows = list(csv.reader(io.StringIO(render_csv(report))))
    assert rows[1][2:] == ["'=HYPERLINK(\"http://evil\")", "'@SUM(A1)"]
    assert rows[2][2:] == ["'-1+2", "a.html:3"]


def test_render_dispatch(hostile_report):
    assert FORMATS == ("json", "html", "csv")
    assert render(hostile_report, "csv").startswith("severity,code,message,location")
    with pytest.raises(ValueError):
        render(hostile_report, "xml")
