"""`launch-url --user USER_ID --learning LEARNING_ID`: print a signed player URL."""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("--user", required=True, help="the learner's Open eLMS user id")
    parser.add_argument("--learning", required=True, help="the learning resource id")
    parser.add_argument("--base-url", default="", help="service base URL (default SCORMPROXY_PUBLIC_URL)")


def run(args) -> int:
    from ..config import Settings
    from ..errors import ScormProxyError
    from ..launch import launch_url

    settings = Settings.from_env()
    if settings.secret_key_is_ephemeral:
        print("launch-url: set SCORMPROXY_SECRET_KEY (the service must share it)", file=sys.stderr)
        return 2
    try:
        print(launch_url(settings, args.user, args.learning, base_url=args.base_url))
    except ScormProxyError as exc:
        print(f"launch-url: {exc.message}", file=sys.stderr)
        return 2
    return 0
