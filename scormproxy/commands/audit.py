"""`audit PATH.zip [--format json|html|csv]`: the content audit report on stdout, offline (no service, no database)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_PASSED, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..audit.report import FORMATS

    parser.add_argument("path", metavar="PATH.zip", type=Path, help="the package zip to audit")
    parser.add_argument("--format", choices=FORMATS, default="json", help="report format (default: json)")
    parser.add_argument("--output", "-o", metavar="FILE", type=Path,
                        help="write the report to FILE instead of stdout")
    parser.add_argument("--allow-remote", action="store_true",
                        help="accept launch hrefs on other hosts (vendor-hosted container packages)")


def run(args) -> int:
    from ..audit import build_report, options_from_settings, report_has_errors
    from ..audit.formats import render
    from ..config import ConfigError, Settings
    from ..packages import ZipLimits

    if not args.path.is_file():
        print(f"audit: {args.path}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        # Only limits are read from the settings: nothing here needs a database or the network.
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = build_report(args.path, ZipLimits.from_settings(settings), allow_remote=args.allow_remote,
                          **options_from_settings(settings))
    text = render(report, args.format)
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"audit: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    summary = report["summary"]
    print(f"audit: {summary['errors']} error(s), {summary['warnings']} warning(s), {summary['infos']} info(s)",
          file=sys.stderr)
    return EXIT_ERRORS if report_has_errors(report) else EXIT_PASSED
