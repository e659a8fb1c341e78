"""Rendering an audit report as JSON, a standalone HTML page, or CSV (findings only)."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import jinja2

from .report import FORMATS  # noqa: F401  (re-exported for the renderers' callers)

CSV_COLUMNS = ("severity", "code", "message", "location")
# Spreadsheets run a cell that starts with one of these as a formula; manifest text
# and file names reach the CSV, so such cells are prefixed with an apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    autoescape=True,  # every manifest value and file name is untrusted text
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(report: dict, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "csv":
        return render_csv(report)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_json(report: dict) -> str:
    """Keys in the order the report builds them (stable across runs), two-space indent."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def render_csv(report: dict) -> str:
    """One row per finding under a header row; the rest of the report is in the JSON and HTML forms."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for finding in report.get("findings", []):
        writer.writerow([_cell(finding.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render_html(report: dict) -> str:
    codes = Counter((f["severity"], f["code"]) for f in report.get("findings", []))
    by_code = sorted(codes.items(), key=lambda pair: (("error", "warning", "info").index(pair[0][0]), pair[0][1]))
    return _environment.get_template("report.html").render(report=report, by_code=by_code)
