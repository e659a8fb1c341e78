"""gunicorn settings for production, from the service's settings (scormproxy/config.py reads the environment)."""
import os
import sys

# gunicorn reads this file before it puts its working folder on sys.path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scormproxy.config import Settings  # noqa: E402

_settings = Settings.from_env()

bind = _settings.gunicorn_bind or f"0.0.0.0:{_settings.port}"
workers = _settings.web_concurrency
threads = _settings.gunicorn_threads
worker_class = "gthread"
timeout = _settings.gunicorn_timeout
graceful_timeout = _settings.gunicorn_graceful_timeout
keepalive = _settings.gunicorn_keepalive
# Each worker listens on its own socket and the kernel hashes new connections across them.
# On one shared socket, whichever worker is awake accepts a burst of connections, and kept-alive
# connections (browsers, nginx's upstream pool, the benchmark's learners) stay where they landed:
# one worker queues most requests while the other idles (48 of 50 connections measured on one).
reuse_port = _settings.gunicorn_reuse_port
accesslog = None  # the app logs requests itself, as JSON
# No `sendfile` line: gunicorn turns sendfile() OFF whenever the setting has any value, True
# included (it is the --no-sendfile switch); unset, package files go out with sendfile().
