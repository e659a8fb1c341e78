"""Settings: the only module that reads the environment.

Every limit the service enforces is a named setting with a default here; values
are coerced at the edge so the rest of the code sees typed values only. No
secret has a default.
"""
from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

MiB = 1024 * 1024


class ConfigError(ValueError):
    """A setting from the environment or the config mapping is not usable."""


def _env_name(f: dataclasses.Field) -> str:
    return f.metadata.get("env") or "SCORMPROXY_" + f.name.upper()


def setting(default: Any, env: str | None = None, secret: bool = False, doc: str = ""):
    return field(default=default, metadata={"env": env, "secret": secret, "doc": doc})


@dataclass(frozen=True)
class Settings:
    # Upstream Open eLMS site.
    openelms_url: str = setting("", env="OPENELMS_URL", doc="Open eLMS site base, e.g. https://host/SITE_ID")
    openelms_token: str = setting("", env="OPENELMS_TOKEN", secret=True, doc="APITokenAccess value")
    upstream_connect_timeout: float = setting(5.0, doc="seconds to connect to Open eLMS")
    upstream_read_timeout: float = setting(30.0, doc="seconds between bytes from Open eLMS")
    upstream_retries: int = setting(4, doc="retries for 500/503/timeouts/dropped connections")
    upstream_backoff: float = setting(0.5, doc="first retry delay in seconds, doubled each time, with jitter")
    upstream_backoff_max: float = setting(30.0, doc="cap on one retry delay (also caps Retry-After)")
    upstream_backoff_jitter: float = setting(0.25, doc="fraction of each retry delay added at random (0..jitter)")
    upstream_rate_limit: float = setting(0.0, doc="client-side requests per second; 0 is unlimited")
    upstream_download_max_bytes: int = setting(4096 * MiB, doc="largest package download accepted")

    # Storage and database.
    storage_url: str = setting("", env="STORAGE_URL", doc="file:///abs/dir or s3://bucket/prefix")
    s3_endpoint_url: str = setting("", env="S3_ENDPOINT_URL", doc="S3-compatible endpoint (tests, MinIO)")
    s3_connect_timeout: float = setting(5.0, doc="seconds to connect to S3")
    s3_read_timeout: float = setting(60.0, doc="seconds between bytes from S3")
    s3_max_attempts: int = setting(5, doc="tries per S3 request, and per broken download")
    s3_multipart_threshold: int = setting(8 * MiB, doc="objects larger than this go up in parts")
    s3_multipart_chunksize: int = setting(8 * MiB, doc="size of one upload part (S3's minimum is 5 MiB)")
    s3_max_concurrency: int = setting(4, doc="parts uploaded at once (also caps parts held in memory)")
    database_url: str = setting("", env="DATABASE_URL", doc="SQLAlchemy URL; SQLite under the data dir by default")
    data_dir: str = setting("var", doc="folder for the SQLite database, local storage and caches")

    # Secrets.
    secret_key: str = setting("", env="SCORMPROXY_SECRET_KEY", secret=True, doc="signs launch URLs and sessions")
    admin_token: str = setting("", env="SCORMPROXY_ADMIN_TOKEN", secret=True, doc="bearer token of the admin API; empty disables it")
    admin_session_ttl: int = setting(8 * 3600, doc="seconds an admin sign-in at /admin/ lasts")
    admin_signin_failures_per_minute: int = setting(10, doc="wrong admin tokens one client address may present per minute (sign-in page and API) before all its attempts are refused for the rest of the minute; 0 disables")

    # Package limits (zip safety).
    zip_max_entries: int = setting(20000, doc="most entries in one package zip")
    zip_max_file_bytes: int = setting(1024 * MiB, doc="largest inflated size of one entry")
    zip_max_total_bytes: int = setting(4096 * MiB, doc="largest inflated size of a whole package")
    zip_max_ratio: int = setting(200, doc="largest inflated/compressed ratio of one entry")
    zip_ratio_min_bytes: int = setting(1 * MiB, doc="inflated size above which an entry's compression ratio is judged")
    manifest_max_bytes: int = setting(8 * MiB, doc="largest imsmanifest.xml accepted")

    # Audit.
    audit_oversized_file_bytes: int = setting(50 * MiB, doc="files larger than this get a files.oversized warning in the audit")
    audit_scan_max_bytes: int = setting(2 * MiB, doc="bytes of each HTML/JS/CSS file the audit scans")

    # Mirroring.
    mirror_concurrency: int = setting(4, doc="packages mirrored at once by mirror --all")
    mirror_upload_threads: int = setting(4, doc="files of one package inflated and stored at once")
    mirror_audit_processes: int = setting(1, doc="worker processes that audit mirrored packages beside the mirror's own work (0: audit in the mirror's thread)")
    allow_remote_content: bool = setting(False, doc="let the player launch containers that load content from the vendor")

    # Launch and learner sessions.
    launch_url_ttl: int = setting(600, doc="seconds a signed launch URL stays valid (used once)")
    session_ttl: int = setting(8 * 3600, doc="seconds a learner session lasts after launch")
    public_url: str = setting("", env="SCORMPROXY_PUBLIC_URL", doc="base URL put in launch URLs, e.g. https://learn.example.com")
    launch_assigns_upstream: bool = setting(False, doc="assign the learning upstream at launch when the learner is not a trainee")

    commit_max_bytes: int = setting(1 * MiB, doc="largest run-time commit body accepted")

    # Run-time data model limits (server-side validation of commits).
    cmi_strict_limits: bool = setting(False, doc="refuse values over SCORM's sizes that browsers' runtimes let through (else keep them, with a warning)")
    cmi_max_suspend_data_12: int = setting(65536, doc="hard cap on SCORM 1.2 cmi.suspend_data when not strict (spec: 4096)")
    cmi_max_interactions: int = setting(250, doc="most interactions per SCO")
    cmi_max_objectives: int = setting(100, doc="most objectives per SCO")
    cmi_max_comments: int = setting(250, doc="most SCORM 2004 comments from the learner")
    cmi_max_elements: int = setting(5000, doc="most elements in one commit")
    cmi_max_value_chars: int = setting(64000, doc="longest single run-time value")

    # Result delivery (outbox worker).
    worker_poll_interval: float = setting(1.0, doc="seconds between outbox polls when idle")
    worker_batch: int = setting(50, doc="outbox rows claimed at once")
    worker_lease_seconds: int = setting(120, doc="a claimed row is retried by any worker after this")
    worker_backoff: float = setting(2.0, doc="first redelivery delay in seconds, doubled per failure")
    worker_backoff_max: float = setting(300.0, doc="cap on the redelivery delay; retries never stop")
    worker_auth_pause: float = setting(60.0, doc="seconds delivery pauses after a 401/403 from Open eLMS")
    worker_in_web: bool = setting(False, doc="run the outbox worker as a thread of the web process (single box)")

    # Content serving.
    content_accel_prefix: str = setting("", doc="hand file transfer to nginx: X-Accel-Redirect prefix mapped to the storage root")
    content_accel_cache_seconds: int = setting(10, doc="seconds nginx may reuse a content authorisation (X-Accel-Expires), never past the learner's grant; 0 asks the service on every request")
    content_cache_bytes: int = setting(2048 * MiB, doc="bounded local read-through cache of S3 objects")
    content_gzip_max_bytes: int = setting(4 * MiB, doc="largest text file compressed on the fly (0 turns gzip off)")
    content_gzip_cache_bytes: int = setting(64 * MiB, doc="memory kept for compressed copies of hot text files")

    # Web server: gunicorn.conf.py takes these, under the names Procfile hosts set.
    port: int = setting(8000, env="PORT", doc="port gunicorn listens on, on every interface, when GUNICORN_BIND is empty")
    gunicorn_bind: str = setting("", env="GUNICORN_BIND", doc="address gunicorn listens on, e.g. 127.0.0.1:8000 (empty: 0.0.0.0:PORT)")
    web_concurrency: int = setting(2, env="WEB_CONCURRENCY", doc="gunicorn worker processes: one per core")
    gunicorn_threads: int = setting(4, env="GUNICORN_THREADS", doc="threads per gunicorn worker: they overlap database and storage waits, and more of them queue for Python's one lock per process")
    gunicorn_timeout: int = setting(60, env="GUNICORN_TIMEOUT", doc="seconds a worker may stay silent before gunicorn replaces it")
    gunicorn_graceful_timeout: int = setting(30, env="GUNICORN_GRACEFUL_TIMEOUT", doc="seconds a stopping worker gets to finish its requests")
    gunicorn_keepalive: int = setting(5, env="GUNICORN_KEEPALIVE", doc="seconds an idle keep-alive connection stays open")
    gunicorn_reuse_port: bool = setting(True, env="GUNICORN_REUSE_PORT", doc="each worker listens on its own SO_REUSEPORT socket, so the kernel spreads connections evenly (else the first worker awake takes most kept-alive connections); off lets a second server on the same port fail instead of sharing it")

    # Logging.
    log_level: str = setting("INFO", doc="root log level")

    # Derived, never read from the environment.
    secret_key_is_ephemeral: bool = field(default=False, metadata={"internal": True})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.metadata.get("internal"):
                continue
            raw = environ.get(_env_name(f))
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw)
        for name, value in overrides.items():
            f = _field(name)
            values[name] = _coerce(f, value) if isinstance(value, str) else value
        settings = cls(**values)
        return settings.with_derived_defaults()

    def with_derived_defaults(self) -> "Settings":
        data_dir = os.path.abspath(self.data_dir)
        changes: dict[str, Any] = {"data_dir": data_dir}
        if not self.database_url:
            changes["database_url"] = "sqlite:///" + os.path.join(data_dir, "scormproxy.db")
        if not self.storage_url:
            changes["storage_url"] = "file://" + os.path.join(data_dir, "storage")
        if not self.secret_key:
            # Not a default secret: a random key per process, fine for one box,
            # wrong for several instances (the README says to set it).
            changes["secret_key"] = secrets.token_urlsafe(32)
            changes["secret_key_is_ephemeral"] = True
        return dataclasses.replace(self, **changes)

    def __repr__(self) -> str:  # never show secrets
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("secret") and value:
                value = "***"
            parts.append(f"{f.name}={value!r}")
        return "Settings(" + ", ".join(parts) + ")"

    __str__ = __repr__

    def redacted(self) -> dict[str, Any]:
        return {f.name: ("***" if f.metadata.get("secret") and getattr(self, f.name) else getattr(self, f.name))
                for f in fields(self)}


def _field(name: str) -> dataclasses.Field:
    for f in fields(Settings):
        if f.name == name:
            return f
    raise ConfigError(f"unknown setting {name!r}")


def _coerce(f: dataclasses.Field, raw: str) -> Any:
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    try:
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(f"{_env_name(f)} must be a {kind}, got {raw!r}") from None
    return raw


def settings_table() -> list[tuple[str, str, str]]:
    """(environment variable, default, meaning) rows for the README."""
    rows = []
    for f in fields(Settings):
        if f.metadata.get("internal"):
            continue
        default = "(none)" if f.metadata.get("secret") else repr(f.default)
        rows.append((_env_name(f), default, f.metadata.get("doc", "")))
    return rows


def settings_markdown() -> str:
    """The README's configuration table, generated so the two never drift apart."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | `{default}` | {doc} |" for name, default, doc in settings_table()]
    return "\n".join(lines)
