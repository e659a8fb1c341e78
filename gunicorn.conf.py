"""gunicorn settings for production: workers and threads from the environment."""
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
accesslog = None  # the app logs requests itself, as JSON
# No `sendfile` line: gunicorn turns sendfile() OFF whenever the setting has any value, True
# included (it is the --no-sendfile switch); unset, package files go out with sendfile().
