"""`serve`: the app on Werkzeug's development server (gunicorn serves production)."""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)


def run(args) -> int:
    from .. import create_app

    app = create_app()
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0
