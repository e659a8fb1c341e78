"""`conformance`: replay run-time fixtures in headless Chromium against the player as served."""
from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="DIR_OR_FILE",
                        help="fixture files, or folders of *.json fixtures (conformance/README.md)")


def run(args) -> int:
    from ..errors import ScormProxyError
    from ..runtime.conformance import run_fixtures

    try:
        passed, failed, failures = run_fixtures(args.paths)
    except ScormProxyError as exc:
        print(f"conformance: {exc.message}", file=sys.stderr)
        return 2
    for line in failures:
        print(line)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1
