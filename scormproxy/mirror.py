"""Mirroring: download a package from Open eLMS, check it, store it, publish it atomically.

A version's files are stored content-addressed (`blobs/ab/abcdef...`), so identical files
across versions and packages are stored once and a version is immutable. A version
becomes visible to learners only when one database transaction inserts its file index
and moves the package's current-version pointer; a crash before that leaves at most
unreferenced blobs and the previous version served whole.
"""
from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from . import metrics
from .db import Database
from .errors import ScormProxyError
from .models import Package, PackageFile, PackageVersion
from .packages import PackageError, ZipLimits, inspect_zip, open_package_zip
from .upstream import OpenElmsClient, UpstreamError
from storage import NotFound as StorageNotFound

log = logging.getLogger(__name__)

BLOB_PREFIX = "blobs/"


def blob_key(sha256: str) -> str:
    return f"{BLOB_PREFIX}{sha256[:2]}/{sha256}"


def media_type(path: str) -> str:
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


@dataclass
class MirrorOutcome:
    learning_id: int
    ok: bool
    version: str | None = None
    uploaded_files: int = 0
    reused_files: int = 0
    unchanged: bool = False
    error: str | None = None
    error_code: str | None = None
    seconds: float = 0.0


class Mirror:
    """Mirrors learning resources of one upstream site into one storage and database."""

    def __init__(self, *, client: OpenElmsClient, storage, db: Database, limits: ZipLimits,
                 work_dir: str | None = None, audit: Callable[..., dict] | None = None,
                 upload_threads: int = 4):
        self.client = client
        self.storage = storage
        self.db = db
        self.limits = limits
        self.work_dir = work_dir
        self.audit = audit
        self.upload_threads = max(1, upload_threads)

    def mirror(self, learning_id: int, *, container: bool = False) -> MirrorOutcome:
        started = time.monotonic()
        try:
            outcome = self._mirror(learning_id, container=container)
        except (PackageError, UpstreamError, ScormProxyError) as exc:
            code = getattr(exc, "code", "error")
            if isinstance(exc, UpstreamError):
                metrics.count_upstream_error(exc)
            self._record_failure(learning_id, str(exc), code)
            log.warning("mirror failed", extra={"learning_id": learning_id, "code": code})
            outcome = MirrorOutcome(learning_id, ok=False, error=str(exc), error_code=code)
        outcome.seconds = time.monotonic() - started
        metrics.MIRROR_OUTCOMES.labels("failed" if not outcome.ok else
                                       "unchanged" if outcome.unchanged else "new_version").inc()
        return outcome

    def _mirror(self, learning_id: int, *, container: bool) -> MirrorOutcome:
        resource = self.client.get_learning(learning_id)
        with tempfile.TemporaryDirectory(prefix="mirror-", dir=self.work_dir) as tmp:
            zip_path = Path(tmp) / "package.zip"
            if container:
                download = self.client.download_container(learning_id, zip_path)
            else:
                download = self.client.download(learning_id, zip_path)
            with open_package_zip(zip_path, self.limits) as pz:
                manifest = inspect_zip(pz, allow_remote=container).manifest
                hashed = pz.verify()  # inflates everything once: limits and CRC, nothing written yet
                files = [(entry, sha) for entry, sha in hashed if not entry.is_dir]
                version_id = version_key(files)
                if self._version_exists(version_id):
                    self._publish_existing(learning_id, version_id, resource.name or manifest.title)
                    return MirrorOutcome(learning_id, ok=True, version=version_id, unchanged=True)
                uploaded, reused = self._upload_blobs(pz, files)
                self.storage.sync()  # blobs durable before any database row points at them
            report = (self.audit(zip_path, container=container, known_hashes={e.path: sha for e, sha in files})
                      if self.audit else {})
            kind = "container" if container or _is_container(manifest) else "zip"
            try:
                self._publish_new(learning_id, version_id, kind, resource.name or manifest.title,
                                  manifest, files, download, report)
            except IntegrityError:  # another mirror published the same content first
                self._publish_existing(learning_id, version_id, resource.name or manifest.title)
        log.info("mirrored", extra={"learning_id": learning_id, "version": version_id,
                                    "uploaded": uploaded, "reused": reused})
        return MirrorOutcome(learning_id, ok=True, version=version_id,
                             uploaded_files=uploaded, reused_files=reused)

    def _upload_blobs(self, pz, files) -> tuple[int, int]:
        """Store each distinct file once, several at a time (inflating and writing release the GIL)."""
        todo: dict[str, tuple] = {}
        for entry, sha in files:
            todo.setdefault(blob_key(sha), (entry, sha))
        missing = [(key, entry) for key, (entry, _) in todo.items() if not self._stored_whole(key, entry.size)]

        def store(job) -> None:
            key, entry = job
            with pz.open(entry.path) as stream:
                self.storage.put(key, stream, size=entry.size, content_type=media_type(entry.path))

        with ThreadPoolExecutor(max_workers=self.upload_threads) as pool:
            for _ in pool.map(store, missing):  # re-raises the first failure
                pass
        return len(missing), len(files) - len(missing)

    def _stored_whole(self, key: str, size: int) -> bool:
        # A blob left by a crash before its sync may be short: reuse only a whole one.
        try:
            return self.storage.stat(key).size == size
        except StorageNotFound:
            return False

    def _version_exists(self, version_id: str) -> bool:
        with self.db.session() as s:
            return s.get(PackageVersion, version_id) is not None

    def _publish_existing(self, learning_id: int, version_id: str, title: str) -> None:
        with self.db.session() as s:
            package = s.get(Package, learning_id) or Package(learning_id=learning_id)
            package.title = title
            package.status = "mirrored"
            package.error = package.error_code = None
            package.current_version = version_id
            s.add(package)

    def _publish_new(self, learning_id, version_id, kind, title, manifest, files, download, report) -> None:
        with self.db.session() as s:  # one transaction: the version appears whole or not at all
            package = s.get(Package, learning_id, with_for_update=True)
            if package is None:
                package = Package(learning_id=learning_id)
                s.add(package)
                s.flush()
            s.add(PackageVersion(
                id=version_id, learning_id=learning_id, kind=kind, scorm_version=manifest.version,
                title=manifest.title or title, zip_sha256=download.sha256, zip_bytes=download.bytes,
                file_count=len(files), total_bytes=sum(e.size for e, _ in files),
                manifest_json=json.dumps(manifest.to_dict()), audit_json=json.dumps(report)))
            s.flush()
            # One executemany, not a unit of work of thousands of objects.
            s.execute(insert(PackageFile), [
                {"version_id": version_id, "path": e.path, "sha256": sha, "size": e.size,
                 "content_type": media_type(e.path)} for e, sha in files])
            package.title = title
            package.status = "mirrored"
            package.error = package.error_code = None
            package.current_version = version_id

    def _record_failure(self, learning_id: int, message: str, code: str) -> None:
        with self.db.session() as s:
            package = s.get(Package, learning_id) or Package(learning_id=learning_id, title="")
            package.status = "failed"
            package.error = message[:2000]
            package.error_code = code
            s.add(package)


def version_key(files) -> str:
    """A version id derived from the content: the same files give the same version."""
    digest = hashlib.sha256()
    for entry, sha in sorted(files, key=lambda pair: pair[0].path):
        digest.update(f"{entry.path}\0{sha}\n".encode())
    return digest.hexdigest()[:24]


def _is_container(manifest) -> bool:
    return any("container.json" in (r.files or []) for r in manifest.resources.values())
