"""The system under test, as real processes: sandbox, moto's S3, gunicorn, nginx, and the mirror command."""
from __future__ import annotations

import os
import re
import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

import requests

from .common import PYTHON, REPO_ROOT, BenchError, Measured, Process, free_port, log, measure_command

ADMIN_TOKEN = "bench-admin-" + secrets.token_hex(8)
SECRET_KEY = "bench-secret-" + secrets.token_hex(16)
SANDBOX_TOKEN = "bench-sandbox-token"
SANDBOX_SITE = "bench"
COOKIE_NAME = "sp_learner"
HTTP_TIMEOUT = 30.0
# Dummy credentials for moto only; nothing may reach a real account.
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "bench-access-key", "AWS_SECRET_ACCESS_KEY": "bench-secret-key",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
# Variables of the developer's shell that would steer the service away from what the bench set up.
_CLEARED = ("DATABASE_URL", "STORAGE_URL", "S3_ENDPOINT_URL", "OPENELMS_URL", "OPENELMS_TOKEN", "AWS_PROFILE",
            "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "SCORMPROXY_PUBLIC_URL",
            "SCORMPROXY_CONTENT_ACCEL_PREFIX", "SCORMPROXY_CONTENT_ORIGIN", "GUNICORN_BIND", "PORT")


def python_argv(*args: str) -> list[str]:
    return [PYTHON, *args]


def start_sandbox(packages: Path, log_dir: Path, name: str = "sandbox") -> tuple[Process, str]:
    """The Open eLMS sandbox over a folder of zips, in its own process; returns it and OPENELMS_URL."""
    port = free_port()
    proc = Process(name, python_argv("-m", "scormproxy", "sandbox", "--host", "127.0.0.1", "--port", str(port),
                                     "--packages", str(packages), "--site", SANDBOX_SITE,
                                     "--token", SANDBOX_TOKEN, "--seed-users", "0"),
                   env=clean_env(), log_dir=log_dir)
    proc.wait_for_port(port)
    return proc, f"http://127.0.0.1:{port}/{SANDBOX_SITE}"


def start_moto(log_dir: Path, bucket: str) -> tuple[Process, str]:
    """moto's S3 server in its own process with one empty bucket; returns it and S3_ENDPOINT_URL."""
    port = free_port()
    proc = Process("moto", [str(Path(PYTHON).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                   env=clean_env(), log_dir=log_dir)
    proc.wait_for_port(port)
    endpoint = f"http://127.0.0.1:{port}"
    # An S3 CreateBucket is a bare PUT to moto, which does not check signatures.
    reply = http("PUT", f"{endpoint}/{bucket}")
    if reply.status_code != 200:
        raise BenchError(f"moto refused to create bucket {bucket}: {reply.status_code} {reply.text[:200]}")
    return proc, endpoint


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(FAKE_AWS)
    env.update(extra or {})
    return env


def http(method: str, url: str, *, session: requests.Session | None = None, **kwargs) -> requests.Response:
    """One HTTP call with a timeout; a transport failure becomes a BenchError naming the call."""
    kwargs.setdefault("timeout", HTTP_TIMEOUT)
    try:
        return (session or requests).request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise BenchError(f"{method} {url}: {exc}") from None


def http_session() -> requests.Session:
    """A keep-alive session for many calls to one server (the caller closes it)."""
    return requests.Session()


@dataclass
class ServiceConfig:
    data_dir: Path
    database_url: str
    storage_url: str
    openelms_url: str = ""
    s3_endpoint_url: str = ""
    extra: Mapping[str, str] | None = None

    def env(self) -> dict[str, str]:
        values = {"SCORMPROXY_DATA_DIR": str(self.data_dir), "DATABASE_URL": self.database_url,
                  "STORAGE_URL": self.storage_url, "S3_ENDPOINT_URL": self.s3_endpoint_url,
                  "OPENELMS_URL": self.openelms_url, "OPENELMS_TOKEN": SANDBOX_TOKEN,
                  "SCORMPROXY_SECRET_KEY": SECRET_KEY, "SCORMPROXY_ADMIN_TOKEN": ADMIN_TOKEN}
        values.update(self.extra or {})
        return clean_env(values)


def migrate(config: ServiceConfig, log_path: Path) -> None:
    """The release step (`python -m scormproxy migrate`): the schema exists before a timed command."""
    measured = measure_command(python_argv("-m", "scormproxy", "migrate"), env=config.env(), log_path=log_path)
    if measured.returncode != 0:
        raise BenchError(f"migrate exited with {measured.returncode}:\n{log_path.read_text(errors='replace')[-2000:]}")


def mirror(config: ServiceConfig, ids: list[str], log_path: Path, *, concurrency: int | None = None) -> Measured:
    """`python -m scormproxy mirror ...` as a measured child process; raises unless it succeeded."""
    argv = python_argv("-m", "scormproxy", "mirror", *ids)
    if concurrency is not None:
        argv += ["--concurrency", str(concurrency)]
    measured = measure_command(argv, env=config.env(), log_path=log_path)
    if measured.returncode != 0:
        tail = log_path.read_text(errors="replace")[-2000:]
        raise BenchError(f"mirror {' '.join(ids)} exited with {measured.returncode}:\n{tail}")
    return measured


@dataclass
class WebServer:
    """The app under gunicorn: started at once, waited for separately so several boot together."""
    proc: Process
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90.0) -> "WebServer":
        self.proc.wait_for_port(self.port, timeout=timeout)
        reply = http("GET", self.base + "/readyz")
        if reply.status_code != 200:
            raise BenchError(f"{self.proc.name}: /readyz answered {reply.status_code}: {reply.text[:300]}")
        return self

    def stop(self) -> None:
        self.proc.stop()


def start_gunicorn(config: ServiceConfig, log_dir: Path, *, name: str = "gunicorn") -> WebServer:
    """The app as production runs it: gunicorn.conf.py, so WEB_CONCURRENCY and GUNICORN_THREADS of the
    caller's environment apply. Call wait_ready() before using it."""
    port = free_port()
    env = config.env()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    # No control socket: gunicorn's default one is a single path in $HOME, shared by every instance.
    proc = Process(name, python_argv("-m", "gunicorn", "-c", str(REPO_ROOT / "gunicorn.conf.py"),
                                     "--no-control-socket", "app:app"),
                   env=env, log_dir=log_dir)
    return WebServer(proc, port)


def admin_get(base: str, path: str):
    reply = http("GET", base + path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    if reply.status_code != 200:
        raise BenchError(f"GET {path}: {reply.status_code} {reply.text[:300]}")
    return reply.json()


def current_version(base: str, learning_id: int) -> str:
    package = admin_get(base, f"/api/packages/{learning_id}")
    if package.get("status") != "mirrored" or not package.get("version"):
        raise BenchError(f"learning {learning_id} is not mirrored: {package}")
    return package["version"]


@dataclass(frozen=True)
class LearnerSession:
    user_id: str
    learning_id: int
    cookie: str
    attempt_id: str


def open_learner_session(base: str, learning_id: int, user_id: str | None = None,
                         session: requests.Session | None = None) -> LearnerSession:
    """Launch as an integrator does (POST /api/launches), then open the URL as the learner's browser."""
    user_id = user_id or "bench-" + uuid.uuid4().hex[:10]
    reply = http("POST", base + "/api/launches", json={"user_id": user_id, "learning_id": learning_id},
                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, session=session)
    if reply.status_code not in (200, 201):
        raise BenchError(f"POST /api/launches: {reply.status_code} {reply.text[:300]}")
    opened = http("GET", reply.json()["url"], allow_redirects=False, session=session)
    match = re.search(r"/play/attempt/([^/?#]+)", opened.headers.get("Location", ""))
    cookie = next((c.value for c in opened.cookies if c.name == COOKIE_NAME), None)
    if opened.status_code not in (302, 303) or not match or not cookie:
        raise BenchError(f"opening the launch URL gave {opened.status_code} "
                         f"(Location {opened.headers.get('Location')!r}): {opened.text[:300]}")
    return LearnerSession(user_id, learning_id, cookie, match.group(1))


NGINX_CONFIG = """\
daemon off;
master_process on;
worker_processes 2;
{user}pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{servers}}}
"""

STATIC_SERVER = """\
    server {{
        listen 127.0.0.1:{port};
        location / {{ root {root}; }}
    }}
"""

# The app authorises, nginx sends the file (README, "Behind nginx"). nginx never caches a
# response carrying X-Accel-Redirect (it redirects first), so the app is asked through
# auth_request: in that subrequest X-Accel-Redirect is only read, to name the file, and the
# answer is cached for the X-Accel-Expires seconds the app sends, keyed by the learner's cookie
# and the URL. A request without that exact cookie misses the cache and reaches the app, which
# refuses it. The app's Content-Type and security headers are carried over to the file.
ACCEL_SERVER = """\
    proxy_cache_path {cache_dir} levels=1:2 keys_zone=scormproxy_auth_{port}:10m max_size=64m
                     inactive=1m use_temp_path=off;
    upstream scormproxy_{port} {{ server {upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location /content/ {{
            auth_request /_scormproxy_authorise;
            auth_request_set $scormproxy_file $upstream_http_x_accel_redirect;
            auth_request_set $scormproxy_type $upstream_http_content_type;
            auth_request_set $scormproxy_cc $upstream_http_cache_control;
            auth_request_set $scormproxy_nosniff $upstream_http_x_content_type_options;
            auth_request_set $scormproxy_csp $upstream_http_content_security_policy;
            auth_request_set $scormproxy_xfo $upstream_http_x_frame_options;
            auth_request_set $scormproxy_corp $upstream_http_cross_origin_resource_policy;
            auth_request_set $scormproxy_referrer $upstream_http_referrer_policy;
            # try_files is the one directive that redirects after auth_request has run; its
            # first name never exists.
            try_files /.scormproxy-never $scormproxy_file;
            # A refusal, or any answer but 2xx (a missing file), comes from the app itself.
            error_page 403 500 = @scormproxy;
        }}
        location = /_scormproxy_authorise {{
            internal;
            proxy_pass http://scormproxy_{port}$request_uri;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_ignore_headers X-Accel-Redirect;
            proxy_cache scormproxy_auth_{port};
            proxy_cache_key $cookie_sp_learner$request_uri;
        }}
        location /_protected/ {{
            internal;
            alias {storage_root}/;
            types {{ }}
            default_type "";
            add_header Content-Type $scormproxy_type;
            add_header Cache-Control $scormproxy_cc;
            add_header X-Content-Type-Options $scormproxy_nosniff;
            add_header Content-Security-Policy $scormproxy_csp;
            add_header X-Frame-Options $scormproxy_xfo;
            add_header Cross-Origin-Resource-Policy $scormproxy_corp;
            add_header Referrer-Policy $scormproxy_referrer;
        }}
        location @scormproxy {{
            proxy_pass http://scormproxy_{port};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }}
        location / {{
            proxy_pass http://scormproxy_{port};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }}
    }}
"""


def start_nginx(nginx: str, tmp: Path, log_dir: Path, servers: list[str]) -> Process:
    """nginx in the foreground with a generated config: pid, logs and temp paths under `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    # As root the workers drop to www-data, as on a Debian host; as anyone else `user` is ignored.
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONFIG.format(user=user, tmp=tmp, servers="".join(servers)))
    check = measure_command([nginx, "-t", "-q", "-e", str(tmp / "error.log"), "-p", str(tmp), "-c", str(conf)],
                            log_path=log_dir / "nginx-t.log")
    if check.returncode != 0:
        raise BenchError(f"nginx -t failed:\n{(log_dir / 'nginx-t.log').read_text(errors='replace')[-2000:]}")
    return Process("nginx", [nginx, "-e", str(tmp / "error.log"), "-p", str(tmp), "-c", str(conf)],
                   log_dir=log_dir)


@contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """A private schema on the PostgreSQL server, dropped afterwards; yields a DATABASE_URL using it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    schema = "bench_" + uuid.uuid4().hex[:12]
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise BenchError(f"PostgreSQL at {server_url} is not usable: {str(exc).splitlines()[0]}") from None
    try:
        separator = "&" if "?" in server_url else "?"
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        except SQLAlchemyError as exc:
            log(f"could not drop schema {schema}: {str(exc).splitlines()[0]}")
        engine.dispose()
