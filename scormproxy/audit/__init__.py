"""Content audit: what is inside a SCORM package, and what will go wrong with it, as a versioned report."""
from __future__ import annotations

from .report import (REPORT_VERSION, SCHEMA_ID, build_report, fill_file_hashes, options_from_settings,
                     report_has_errors)

__all__ = ["REPORT_VERSION", "SCHEMA_ID", "build_report", "fill_file_hashes", "options_from_settings",
           "report_has_errors"]
