"""`demo`: the embedded demo behind `make run` — sandbox, mirror, service, worker, URLs."""
from __future__ import annotations

import os
import secrets
import sys
import threading
from contextlib import ExitStack


def add_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", default="var/demo", help="where the demo keeps its database and files")
    parser.add_argument("--user", default="1", help="learner id for the printed launch URL")


def run(args) -> int:
    from werkzeug.serving import make_server

    from .. import create_app
    from ..config import Settings
    from ..launch import launch_url
    from ..reporting.worker import OutboxWorker
    from ..services import get_services

    with ExitStack() as stack:
        base_env = Settings.from_env()
        overrides = {"data_dir": args.data_dir, "worker_in_web": False,
                     "public_url": f"http://{args.host}:{args.port}"}
        if not base_env.openelms_url:
            from ..sandbox.demo import build_demo_packages
            from ..sandbox.testing import running_sandbox

            packages = os.path.join(args.data_dir, "sandbox-packages")
            os.makedirs(packages, exist_ok=True)
            build_demo_packages(packages)
            sandbox = stack.enter_context(running_sandbox(packages, token="sandbox-token", site="demo"))
            overrides.update(openelms_url=sandbox.site_url, openelms_token=sandbox.token)
            print(f"sandbox Open eLMS: {sandbox.site_url}/backend/learning/ "
                  f"(Authorization: Basic {sandbox.token})")
        if not base_env.admin_token:
            overrides["admin_token"] = secrets.token_urlsafe(16)
        if base_env.secret_key_is_ephemeral:
            overrides["secret_key"] = secrets.token_urlsafe(32)
        app = create_app(overrides)
        settings = app.config["SETTINGS"]
        with app.app_context():
            services = get_services()
            mirror = services.mirror()
            ids = [int(r.id) for r in services.client().list_learning()]
            for learning_id in ids:
                outcome = mirror.mirror(learning_id)
                state = f"version {outcome.version}" if outcome.ok else f"FAILED: {outcome.error}"
                print(f"mirrored learning {learning_id}: {state}")
            stop = threading.Event()
            worker = OutboxWorker(services.db, services.client(), settings)
            threading.Thread(target=worker.run_forever, args=(stop,), daemon=True,
                             name="outbox-worker").start()
            stack.callback(stop.set)
        server = make_server(args.host, args.port, app, threaded=True)
        print()
        print(f"scormproxy is serving at {settings.public_url}")
        for learning_id in ids:
            print(f"  learner launch (user {args.user}, learning {learning_id}): "
                  f"{launch_url(settings, args.user, learning_id)}")
        print(f"  auditor: {settings.public_url}/admin/  (admin token: {settings.admin_token})")
        print(f"  admin API: curl -H 'Authorization: Bearer {settings.admin_token}' "
              f"{settings.public_url}/api/packages")
        print("Launch URLs work once and expire; ask for fresh ones with:")
        print(f"  curl -X POST -H 'Authorization: Bearer {settings.admin_token}' -H 'Content-Type: application/json' "
              f"-d '{{\"user_id\": \"{args.user}\", \"learning_id\": 1}}' {settings.public_url}/api/launches")
        print("Ctrl-C stops.")
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0
