"""The auditor's catalogue at /admin/: its filters and the per-version finding counts it shows."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from ..admin_diff import json_object
from ..models import PackageVersion

SEARCH_MAX_CHARS = 200
SUMMARY_CACHE_MAX = 20000
SUMMARY_QUERY_CHUNK = 500  # ids per IN (...) query: SQLite caps bound parameters
SCORM_VERSIONS = ("1.2", "2004 2nd Edition", "2004 3rd Edition", "2004 4th Edition")
STATUSES = ("mirrored", "failed")


@dataclass(frozen=True)
class FindingCounts:
    errors: int
    warnings: int
    infos: int


class SummaryCache:
    """Finding counts per version id; versions are immutable, so an entry never goes stale."""

    def __init__(self, max_entries: int = SUMMARY_CACHE_MAX):
        self.max_entries = max_entries
        self._counts: dict[str, FindingCounts | None] = {}
        self._lock = threading.Lock()

    def counts(self, session, version_ids: list[str]) -> dict[str, FindingCounts | None]:
        with self._lock:
            known = {v: self._counts[v] for v in version_ids if v in self._counts}
        missing = [v for v in version_ids if v not in known]
        loaded: dict[str, FindingCounts | None] = {}
        for start in range(0, len(missing), SUMMARY_QUERY_CHUNK):
            rows = session.execute(select(PackageVersion.id, PackageVersion.audit_json).where(
                PackageVersion.id.in_(missing[start:start + SUMMARY_QUERY_CHUNK]))).all()
            loaded.update((vid, finding_counts(json_object(text))) for vid, text in rows)
        if loaded:
            with self._lock:
                if len(self._counts) + len(loaded) > self.max_entries:
                    self._counts.clear()
                self._counts.update(loaded)
            known.update(loaded)
        return known


def finding_counts(report: dict) -> FindingCounts | None:
    """None when the version has no stored audit (mirrored before the audit existed)."""
    summary = report.get("summary")
    if isinstance(summary, dict):
        return FindingCounts(int(summary.get("errors", 0)), int(summary.get("warnings", 0)),
                             int(summary.get("infos", 0)))
    findings = report.get("findings")
    if not isinstance(findings, list):
        return None
    severities = [f.get("severity") for f in findings if isinstance(f, dict)]
    return FindingCounts(severities.count("error"), severities.count("warning"), severities.count("info"))


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    scorm_version: str = ""
    status: str = ""
    has_errors: bool = False
    has_warnings: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "CatalogueFilters":
        try:
            page = max(1, int(args.get("page", "1")))
        except ValueError:
            page = 1
        version = args.get("scorm_version", "")
        status = args.get("status", "")
        return cls(q=args.get("q", "").strip()[:SEARCH_MAX_CHARS],
                   scorm_version=version if version in SCORM_VERSIONS else "",
                   status=status if status in STATUSES else "",
                   has_errors=args.get("has_errors") == "1", has_warnings=args.get("has_warnings") == "1",
                   page=page)

    def args(self, **changes) -> dict:
        values = {"q": self.q, "scorm_version": self.scorm_version, "status": self.status,
                  "has_errors": "1" if self.has_errors else "", "has_warnings": "1" if self.has_warnings else "",
                  "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


def has_findings(counts: FindingCounts | None, filters: CatalogueFilters) -> bool:
    if counts is None:
        return False
    return (not filters.has_errors or counts.errors > 0) and (not filters.has_warnings or counts.warnings > 0)
