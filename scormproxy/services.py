"""Wiring: build the storage, the upstream client and the mirror from the settings."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

from typing import TYPE_CHECKING

from .config import Settings
from .db import Database

if TYPE_CHECKING:
    from flask import Flask


@dataclass
class Services:
    settings: Settings
    db: Database

    @cached_property
    def storage(self):
        from storage import open_storage

        settings = self.settings
        cache_dir = None
        if settings.storage_url.startswith("s3://"):
            cache_dir = os.path.join(settings.data_dir, "cache")
        s3_options = {"connect_timeout": settings.s3_connect_timeout, "read_timeout": settings.s3_read_timeout,
                      "max_attempts": settings.s3_max_attempts,
                      "multipart_threshold": settings.s3_multipart_threshold,
                      "multipart_chunksize": settings.s3_multipart_chunksize,
                      "max_concurrency": settings.s3_max_concurrency}
        return open_storage(settings.storage_url, s3_endpoint_url=settings.s3_endpoint_url or None,
                            cache_dir=cache_dir, cache_max_bytes=settings.content_cache_bytes,
                            s3_options=s3_options, local_options={"fsync_each": False})

    def client(self):
        from .upstream import OpenElmsClient

        return OpenElmsClient.from_settings(self.settings)

    def mirror(self):
        from .mirror import Mirror
        from .packages import ZipLimits

        from .workfolders import sweep_dead_folders

        work_dir = os.path.join(self.settings.data_dir, "tmp")
        os.makedirs(work_dir, exist_ok=True)
        sweep_dead_folders(work_dir)
        limits = ZipLimits.from_settings(self.settings)
        return Mirror(client=self.client(), storage=self.storage, db=self.db, limits=limits,
                      work_dir=work_dir, audit=self._audit(limits),
                      upload_threads=self.settings.mirror_upload_threads)

    def _audit(self, limits):
        from .audit import options_from_settings
        from .audit.pool import prestart, submit_audit

        options = options_from_settings(self.settings)
        processes = self.settings.mirror_audit_processes
        prestart(processes)  # the worker's start-up overlaps the download

        def audit(path, *, container: bool = False, zip_sha256: str | None = None):
            # The mirror hashes every file itself: the audit need not inflate media.
            return submit_audit(processes, str(path), limits=limits, allow_remote=container,
                                zip_sha256=zip_sha256, read_media=False, **options)
        return audit


def init_app(app: Flask) -> None:
    app.extensions["scormproxy.services"] = Services(app.config["SETTINGS"],
                                                     app.extensions["scormproxy.db"])


def get_services() -> Services:
    from flask import current_app

    return current_app.extensions["scormproxy.services"]


def services_from_env(**overrides) -> Services:
    """For commands that run without the web app (mirror, worker)."""
    from .logs import configure_logging

    settings = Settings.from_env(**overrides)
    configure_logging(settings.log_level, secrets=[settings.openelms_token, settings.admin_token])
    db = Database(settings.database_url)
    db.create_all()
    return Services(settings, db)
