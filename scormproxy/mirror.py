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
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from . import metrics
from .db import Database
from .errors import ScormProxyError
from .models import Package, PackageFile, PackageVersion
from .audit import fill_file_hashes
from .audit.pool import audit_result
from .packages import PackageError, ZipLimits, inspect_zip, open_package_zip
from .packages.extract import ExtractedFile, extract_verified
from .upstream import OpenElmsClient, UpstreamError
from .workfolders import work_folder
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
                 work_dir: str | None = None, audit: Callable[..., Future] | None = None,
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
        phases = PhaseClock()
        with work_folder(self.work_dir) as tmp:
            zip_path = Path(tmp) / "package.zip"
            if container:
                download = self.client.download_container(learning_id, zip_path)
            else:
                download = self.client.download(learning_id, zip_path)
            phases.done("download")
            known = self._version_of_zip(download.sha256)
            if known is not None:  # the very zip of a stored version: nothing to inflate
                self._publish_existing(learning_id, known.id, resource.name or known.title)
                return MirrorOutcome(learning_id, ok=True, version=known.id, unchanged=True)
            # The audit scans on another core while this thread inflates and stores.
            audit = (self.audit(zip_path, container=container, zip_sha256=download.sha256)
                     if self.audit else None)
            try:
                with open_package_zip(zip_path, self.limits) as pz:
                    manifest = inspect_zip(pz, allow_remote=container).manifest
                    # Inflated once, into the scratch folder: limits, CRCs and hashes on the way;
                    # a package that fails leaves nothing there and nothing in the storage.
                    extracted = extract_verified(pz, os.path.join(tmp, "files"), threads=self.upload_threads)
                phases.done("inflate")
                files = [(f.entry, f.sha256) for f in extracted]
                version_id = version_key(files)
                title = resource.name or manifest.title
                if self._version_exists(version_id):
                    self._publish_existing(learning_id, version_id, title)
                    return MirrorOutcome(learning_id, ok=True, version=version_id, unchanged=True)
                uploaded, reused = self._store_blobs(extracted)
                phases.done("store")
                self.storage.sync()  # blobs durable before any database row points at them
                phases.done("sync")
                report = (fill_file_hashes(audit_result(audit), {e.path: sha for e, sha in files})
                          if audit is not None else {})
                phases.done("audit_wait")
            finally:
                if audit is not None:
                    wait([audit])  # never remove the zip from under a running audit
            kind = "container" if container or _is_container(manifest) else "zip"
            try:
                self._publish_new(learning_id, version_id, kind, title, manifest, files, download, report)
            except IntegrityError:  # another mirror published the same content first
                self._publish_existing(learning_id, version_id, title)
            phases.done("publish")
        log.info("mirrored", extra={"learning_id": learning_id, "version": version_id,
                                    "uploaded": uploaded, "reused": reused, "seconds": phases.seconds})
        return MirrorOutcome(learning_id, ok=True, version=version_id,
                             uploaded_files=uploaded, reused_files=reused)

    def _store_blobs(self, extracted: list[ExtractedFile]) -> tuple[int, int]:
        """Store each distinct file once, several at a time; a local storage moves the inflated file in."""
        todo: dict[str, ExtractedFile] = {}
        for extracted_file in extracted:
            todo.setdefault(blob_key(extracted_file.sha256), extracted_file)
        missing = [(key, f) for key, f in todo.items() if not self._stored_whole(key, f.entry.size)]

        def store(job) -> None:
            key, extracted_file = job
            self.storage.put_file(key, extracted_file.path, content_type=media_type(extracted_file.entry.path))

        with ThreadPoolExecutor(max_workers=self.upload_threads) as pool:
            for _ in pool.map(store, missing):  # re-raises the first failure
                pass
        return len(missing), len(extracted) - len(missing)

    def _stored_whole(self, key: str, size: int) -> bool:
        # A blob left by a crash before its sync may be short: reuse only a whole one.
        try:
            return self.storage.stat(key).size == size
        except StorageNotFound:
            return False

    def _version_of_zip(self, zip_sha256: str):
        with self.db.read() as s:
            return s.execute(select(PackageVersion.id, PackageVersion.title)
                             .where(PackageVersion.zip_sha256 == zip_sha256).limit(1)).first()

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


class PhaseClock:
    """Seconds spent in each step of one mirror, for the log line that ends it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.monotonic()

    def done(self, phase: str) -> None:
        now = time.monotonic()
        self.seconds[phase] = round(now - self._last, 3)
        self._last = now


def version_key(files) -> str:
    """A version id derived from the content: the same files give the same version."""
    digest = hashlib.sha256()
    for entry, sha in sorted(files, key=lambda pair: pair[0].path):
        digest.update(f"{entry.path}\0{sha}\n".encode())
    return digest.hexdigest()[:24]


def _is_container(manifest) -> bool:
    return any("container.json" in (r.files or []) for r in manifest.resources.values())
