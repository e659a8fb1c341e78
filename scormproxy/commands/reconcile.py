"""`reconcile`: re-queue course results that Open eLMS's trainees endpoint does not show."""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from ..reporting.reconcile import reconcile
    from ..services import services_from_env

    services = services_from_env()
    if not services.settings.openelms_url:
        print("reconcile: set OPENELMS_URL and OPENELMS_TOKEN", file=sys.stderr)
        return 2
    report = reconcile(services.db, services.client())
    for user, learning, action in report.requeued:
        print(f"re-queued {action} for user {user}, learning {learning}")
    for error in report.errors:
        print(f"reconcile: {error}", file=sys.stderr)
    print(f"reconcile: {report.checked} results checked, {len(report.requeued)} re-queued, "
          f"{len(report.errors)} courses unreadable")
    return 1 if report.errors else 0
