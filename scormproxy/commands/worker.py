"""`worker [--once]`: deliver the outbox to Open eLMS (`--once` drains it and exits)."""
from __future__ import annotations

import signal
import sys
import threading


def add_arguments(parser) -> None:
    parser.add_argument("--once", action="store_true", help="deliver everything pending now, then exit")


def run(args) -> int:
    from ..reporting.worker import OutboxWorker, pending_count
    from ..services import services_from_env

    services = services_from_env()
    if not services.settings.openelms_url:
        print("worker: set OPENELMS_URL and OPENELMS_TOKEN", file=sys.stderr)
        return 2
    worker = OutboxWorker(services.db, services.client(), services.settings)
    if args.once:
        counts = worker.run_once(ignore_schedule=True)
        left = pending_count(services.db)
        print(f"worker: delivered {counts.get('delivered', 0)}, parked {counts.get('parked', 0)}, "
              f"pending {left}")
        return 0 if left == 0 else 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker.run_forever(stop)
    return 0
