"""`sandbox`: serve the Open eLMS-compatible sandbox for a folder of SCORM zips."""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..sandbox import DEFAULT_SEED_USERS, DEFAULT_SITE, DEFAULT_TOKEN

    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100, help="0 picks a free port (default 8100)")
    parser.add_argument("--packages", type=Path, metavar="DIR",
                        help="folder of SCORM zips, learning ids 1..n in file-name order "
                             "(default: the project's demo courses, built into a temporary folder)")
    parser.add_argument("--site", default=DEFAULT_SITE, help=f"site id in the URL (default {DEFAULT_SITE})")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="APITokenAccess value the API accepts")
    parser.add_argument("--allow-containers", action=argparse.BooleanOptionalAction, default=True,
                        help="serve learning/download-container (Open eLMS's allowSCORMContainerPlayer)")
    parser.add_argument("--seed-users", type=int, default=DEFAULT_SEED_USERS, metavar="N",
                        help=f"pre-create users 1..N named learnerN (default {DEFAULT_SEED_USERS})")


def run(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from ..sandbox.app import close_sandbox, create_sandbox_app
    from ..sandbox.demo import build_demo_packages

    with tempfile.TemporaryDirectory(prefix="scormproxy-demo-packages-") as scratch:
        packages = args.packages
        if packages is None:
            packages = Path(scratch)
            build_demo_packages(packages)
        try:
            app = create_sandbox_app(packages, token=args.token, site=args.site,
                                     allow_containers=args.allow_containers, seed_users=args.seed_users)
            server = make_server(args.host, args.port, app, threaded=True)
        except (ValueError, OSError) as exc:
            print(f"sandbox: {exc}", file=sys.stderr)
            return 2
        # SIGTERM (a supervisor, a test) ends the server like Ctrl-C, so temporary files go.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        host = f"[{args.host}]" if ":" in args.host else args.host
        print(f"Open eLMS sandbox API: http://{host}:{server.port}/{args.site}/backend/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            close_sandbox(app)
    return 0
